//! The walker: follows a set of destination intervals from a source through route tables,
//! gateways, NAT gateways, appliances and peering connections to their end, splitting the
//! intervals wherever the outcome differs (semantics doc §3, §4).
//!
//! Every function takes the intervals still to place and appends `(interval, outcome)` pairs to
//! the output, so the result for a source always partitions exactly the intervals it was given.

use super::fib::{Choice, Fib, Verdict};
use super::path::Path;
use super::{Disposition, Explanation, Hop, InternetVia, Outcome};
use crate::addr::{self, Family, Interval, Ranges};
use crate::fxhash::FxHashMap;
use crate::model::*;
use std::cell::RefCell;
use std::net::Ipv4Addr;
use std::rc::Rc;
use std::sync::{Arc, LazyLock};

/// Messages that never vary, allocated once for every walk that uses them.
static LINK_LOCAL_MESSAGE: LazyLock<Arc<str>> = LazyLock::new(|| {
    Arc::from(
        "instance metadata and Amazon DNS answer here; route tables never apply (semantics doc §4.9)",
    )
});
static SAME_SUBNET_MESSAGE: LazyLock<Arc<str>> = LazyLock::new(|| {
    Arc::from(
        "same-subnet traffic is delivered directly, without the route table (semantics doc §3.1)",
    )
});

/// Three-valued fact about the source host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tri {
    Yes,
    No,
    /// Not known (a subnet as source): vpcsim assumes yes and says so in traces.
    Assumed,
}

/// How the source address has been rewritten on the way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Translation {
    PublicNat(NatGatewayId),
    PrivateNat(NatGatewayId),
    Appliance(NetworkInterfaceId),
}

/// What the walk knows about the packet's source and history.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub family: Family,
    pub public_v4: Tri,
    pub has_v6: Tri,
    /// The source addresses (for return-path checks across peering).
    /// Shared: rarely changed, cloned on every step of the walk.
    pub source_addrs: Arc<[Interval]>,
    /// A description of the source host for messages ("subnet-1", "eni-1 (10.0.0.5)").
    pub source_name: Arc<str>,
    pub translated: Option<Translation>,
    /// Forwarding resources already passed (NAT gateways, appliances): a second visit is a loop.
    pub visited: Vec<Arc<str>>,
    /// The hops so far, shared with the branches this one came from.
    pub hops: Path,
    pub explanations: Vec<Explanation>,
    /// Trace mode: resolve the interface at the destination address.
    pub detail: bool,
}

impl Ctx {
    fn with_hop(&self, hop: Hop) -> Ctx {
        let mut c = self.clone();
        c.hops.push(hop);
        c
    }

    fn explain<T: IntoName + ?Sized>(&mut self, code: &'static str, resource: &T, message: String) {
        self.explain_shared(code, resource, Arc::from(message));
    }

    fn explain_shared<T: IntoName + ?Sized>(
        &mut self,
        code: &'static str,
        resource: &T,
        message: Arc<str>,
    ) {
        self.explanations.push(Explanation {
            code,
            resource: resource.name(),
            message,
        });
    }
}

/// Per-network lookup structures the walker needs, built once per network state.
#[derive(Default)]
pub struct NetIndex {
    /// Per VPC and family: subnet intervals, sorted.
    pub subnets: FxHashMap<(VpcId, Family), Vec<(Interval, SubnetId)>>,
    /// Per VPC and family: VPC CIDR intervals, normalized.
    pub vpc_cidrs: FxHashMap<(VpcId, Family), Vec<Interval>>,
    /// Network interfaces per subnet, in ID order.
    pub interfaces: FxHashMap<SubnetId, Vec<NetworkInterfaceId>>,
}

impl NetIndex {
    pub fn build(net: &Network) -> NetIndex {
        let mut idx = NetIndex::default();
        for s in net.subnets.values() {
            for f in Family::ALL {
                for c in s.cidrs(f) {
                    idx.subnets
                        .entry((s.vpc_id.clone(), f))
                        .or_default()
                        .push((Interval::of_net(&c), s.id.clone()));
                }
            }
        }
        for v in idx.subnets.values_mut() {
            v.sort();
        }
        for e in net.network_interfaces.values() {
            idx.interfaces
                .entry(e.subnet_id.clone())
                .or_default()
                .push(e.id.clone());
        }
        for (id, v) in &net.vpcs {
            for f in Family::ALL {
                let ivs: Vec<Interval> = v.cidrs(f).iter().map(Interval::of_net).collect();
                idx.vpc_cidrs.insert((id.clone(), f), addr::normalize(ivs));
            }
        }
        idx
    }
}

pub struct Walker<'a> {
    pub net: &'a Network,
    pub index: &'a NetIndex,
    /// Compiled tables (and, in reach mode, NAT gateway walks) of the calling thread.
    pub caches: &'a Caches,
    /// Bulk mode (many subnets on one thread): reuse the walk onwards from each NAT gateway
    /// over the whole family space, cut to each source's intervals, and compile peer tables for
    /// return checks into the cache; otherwise answer return checks without compiling.
    pub bulk: bool,
    /// A walk restricted to these destination ranges (IPv4, IPv6): every interval it forwards
    /// lies inside them, so each table is compiled from only the routes that overlap them
    /// (what an incremental exposure diff needs after a route change). Such a walk makes no
    /// return check (see `return_checks`).
    pub within: Option<&'a [Vec<Interval>; 2]>,
    /// Whether a delivery over a peering connection checks the destination subnet's return
    /// route (§4.5). The check only adds an explanation (`NO_RETURN_ROUTE`); a restricted walk,
    /// made for an exposure diff, which reads no explanation, skips it (it reads every
    /// destination subnet's table).
    pub return_checks: bool,
}

/// Whether route `r` of a table in `vpc` sends replies back over peering connection `pcx`: it
/// targets the connection and is not blackhole (what §4.5's return check asks of the destination
/// subnet's table).
fn returns_over(net: &Network, vpc: &VpcId, r: &Route, pcx: &VpcPeeringConnectionId) -> bool {
    matches!(&r.target, Target::VpcPeeringConnection(p) if p == pcx)
        && !matches!(net.route_status(vpc, r), TargetStatus::Blackhole(_))
}

/// The explanation of a failed return check (§4.5): `ok` of the `total` source addresses are
/// routed back by `table` of `dest` over `pcx`.
fn no_return(
    table: &RouteTableId,
    dest: &SubnetId,
    pcx: &VpcPeeringConnectionId,
    ctx: &Ctx,
    ok: u128,
    total: u128,
) -> Option<Explanation> {
    if total == 0 || ok >= total {
        return None;
    }
    let how = if ok == 0 {
        "has no route"
    } else {
        "routes only part of the source range"
    };
    Some(Explanation {
        code: "NO_RETURN_ROUTE",
        resource: table.name(),
        message: Arc::from(format!(
            "{table} of {dest} {how} back to {} over {pcx}: replies cannot return (semantics doc §4.5)",
            ctx.source_name
        )),
    })
}

/// How many destination subnets' return routes a thread keeps (see [`Caches::returns`]).
const RETURN_CAPACITY: usize = 8192;

/// The slot of a family in a per-family pair (`[IPv4, IPv6]`).
pub fn family_slot(family: Family) -> usize {
    match family {
        Family::Ipv4 => 0,
        Family::Ipv6 => 1,
    }
}

/// How many compiled tables a thread keeps before it starts afresh. Walks of neighbouring
/// subnets (same VPC, same peers) reuse the same tables, so a small cache hits almost always;
/// keeping every table compiled cost 400 MB on a 21,000-table account.
const FIB_CAPACITY: usize = 2048;

/// Per-thread caches for walks over one unchanged network state. Tables are compiled on first
/// use, so nothing compiled outlives a `reach` or `trace` call and nothing has to be
/// invalidated when the network changes between calls; the one exception is a replay's route
/// step, which keeps the tables it compiled before the change for the reach after it, all but
/// the changed table ([`Caches::keep_tables_but`]).
#[derive(Default)]
pub struct Caches {
    /// Keyed by table, family and whether the table was compiled for a restricted walk.
    fibs: RefCell<FibCache>,
    nats: RefCell<NatCache>,
    /// Bulk mode: per destination subnet, peering connection and family, the subnet's route
    /// table and the addresses it routes back over the connection (normalized), so that the
    /// return checks of every source reaching the subnet read its table once.
    returns: RefCell<ReturnCache>,
}

impl Caches {
    /// `table` compiled for `family`, from this cache or compiled now and kept: the whole
    /// table, or with `within` the table compiled from only the routes overlapping those
    /// ranges, as a walk restricted to them compiles it (one restricted walk per cache: the
    /// ranges are not part of the key). `None` for a table the network does not have.
    pub fn fib(
        &self,
        net: &Network,
        table: &RouteTableId,
        family: Family,
        within: Option<&[Interval]>,
    ) -> Option<Rc<Fib>> {
        let key = (table.addr(), family, within.is_some());
        if let Some(f) = self.fibs.borrow().get(&key) {
            return Some(f.clone());
        }
        let t = net.route_tables.get(table)?;
        let fib = Rc::new(match within {
            Some(w) => Fib::compile_within(net, t, family, w),
            None => Fib::compile(net, t, family),
        });
        let mut fibs = self.fibs.borrow_mut();
        if fibs.len() >= FIB_CAPACITY {
            fibs.clear();
        }
        fibs.insert(Keyed::new(key, table.clone()), fib.clone());
        Some(fib)
    }

    /// Forgets everything but the compiled tables other than `table`: what a walk over the
    /// state after a change to `table`'s routes alone can still use of a walk over the state
    /// before it (the same destinations: compiled tables depend on their own routes and the
    /// state of their targets; NAT gateway walks and return checks may pass `table`).
    pub fn keep_tables_but(&mut self, table: &RouteTableId) {
        self.fibs.get_mut().retain(|k, _| k.ids != *table);
        self.nats.get_mut().clear();
        self.returns.get_mut().clear();
    }
}

/// A cache key naming resources by the addresses of their IDs' shared strings (`addr`), with
/// the IDs themselves: hashing and comparing the key reads no text, and the IDs kept in it keep
/// those strings alive, so that no other ID can take their addresses while the entry exists.
/// An ID equal to a cached one but parsed apart is another key: a second entry, never a wrong
/// one. (Walks look up a compiled table per route table passed and a return check per subnet
/// delivered to over peering; keying by address took about 1% off `reach_all`.)
pub struct Keyed<A, I> {
    addrs: A,
    pub ids: I,
}

impl<A, I> Keyed<A, I> {
    fn new(addrs: A, ids: I) -> Self {
        Keyed { addrs, ids }
    }
}

impl<A: PartialEq, I> PartialEq for Keyed<A, I> {
    fn eq(&self, other: &Self) -> bool {
        self.addrs == other.addrs
    }
}

impl<A: Eq, I> Eq for Keyed<A, I> {}

impl<A: std::hash::Hash, I> std::hash::Hash for Keyed<A, I> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.addrs.hash(state)
    }
}

impl<A, I> std::borrow::Borrow<A> for Keyed<A, I> {
    fn borrow(&self) -> &A {
        &self.addrs
    }
}

/// See [`Caches::fibs`].
type FibCache = FxHashMap<Keyed<(usize, Family, bool), RouteTableId>, Rc<Fib>>;

/// See [`Caches::returns`].
type ReturnCache = FxHashMap<
    Keyed<(usize, usize, Family), (SubnetId, VpcPeeringConnectionId)>,
    Option<Rc<(RouteTableId, Vec<Interval>)>>,
>;

/// Cached NAT egress walks, per NAT gateway and family, with hops and explanations relative to
/// the NAT gateway's subnet.
pub type NatCache = FxHashMap<Keyed<(usize, Family), NatGatewayId>, Rc<Out>>;

/// Destination intervals with their common outcome: one entry per branch of the walk, not per
/// interval, so that outcomes are built once and never copied per range.
pub type Out = Vec<(Ranges, Outcome)>;

/// As [`finish`], for a context used for the last time: its path moves into the outcome.
fn finish_owned(
    out: &mut Out,
    ivs: Ranges,
    ctx: Ctx,
    disposition: Disposition,
    internet: Option<InternetVia>,
) {
    if ivs.is_empty() {
        return;
    }
    out.push((
        ivs,
        Outcome {
            disposition,
            hops: ctx.hops,
            tail: Path::new(),
            last: None,
            explanations: ctx.explanations,
            internet,
            blackhole_target: None,
        },
    ));
}

fn finish(
    out: &mut Out,
    ivs: Ranges,
    ctx: &Ctx,
    disposition: Disposition,
    internet: Option<InternetVia>,
) {
    finish_with(out, ivs, ctx, None, disposition, internet)
}

/// As [`finish`], with a last hop the context never passes on (an exit's gateway): kept in
/// the outcome's `last`, so that it costs no path node.
fn finish_at(
    out: &mut Out,
    ivs: Ranges,
    ctx: &Ctx,
    last: Arc<str>,
    disposition: Disposition,
    internet: Option<InternetVia>,
) {
    finish_with(out, ivs, ctx, Some(last), disposition, internet)
}

fn finish_with(
    out: &mut Out,
    ivs: Ranges,
    ctx: &Ctx,
    last: Option<Arc<str>>,
    disposition: Disposition,
    internet: Option<InternetVia>,
) {
    if ivs.is_empty() {
        return;
    }
    out.push((
        ivs,
        Outcome {
            disposition,
            hops: ctx.hops.clone(),
            tail: Path::new(),
            last,
            explanations: ctx.explanations.clone(),
            internet,
            blackhole_target: None,
        },
    ));
}

/// The route EC2 selects for every address of `iv`, when one route decides for all of it:
/// `Some(Some(route))`, or `Some(None)` when no route covers it. `None` when some route (or
/// prefix-list entry) lies strictly inside `iv`, so that the answer varies within it.
fn whole_range_winner<'a>(
    net: &Network,
    table: &'a RouteTable,
    family: Family,
    iv: &Interval,
) -> Option<Option<&'a Route>> {
    // (prefix length, rank: static 0 < prefix list 1 < propagated 2), lower rank wins (§3.3).
    let mut best: Option<(u8, u8, &Route)> = None;
    let mut consider = |net_: &ipnet::IpNet, rank: u8, r: &'a Route| -> bool {
        let p = Interval::of_net(net_);
        if p.intersect(iv).is_none() {
            return true;
        }
        if p.lo > iv.lo || p.hi < iv.hi {
            return false;
        }
        let len = net_.prefix_len();
        let better = match best {
            None => true,
            Some((bl, br, _)) => len > bl || (len == bl && rank < br),
        };
        if better {
            best = Some((len, rank, r));
        }
        true
    };
    for r in table.routes.values() {
        let propagated = r.origin.is_propagated();
        match &r.destination {
            Destination::PrefixList(pl) => {
                if let Some(list) = net.prefix_lists.get(pl) {
                    for c in list.cidrs.iter().filter(|c| Family::of_net(c) == family) {
                        if !consider(&c.trunc(), if propagated { 2 } else { 1 }, r) {
                            return None;
                        }
                    }
                }
            }
            d => {
                if let Some(n) = d.net()
                    && Family::of_net(&n) == family
                    && !consider(&n, if propagated { 2 } else { 0 }, r)
                {
                    return None;
                }
            }
        }
    }
    Some(best.map(|(_, _, r)| r))
}

impl Walker<'_> {
    /// The compiled table, from the thread's cache or compiled now. `forward` lookups (of
    /// destinations) in a restricted walk need only the routes overlapping its ranges.
    fn fib(&self, table: &RouteTableId, family: Family, forward: bool) -> Option<Rc<Fib>> {
        let within = self
            .within
            .filter(|_| forward)
            .map(|w| w[family_slot(family)].as_slice());
        self.caches.fib(self.net, table, family, within)
    }

    /// Traffic leaving a host in `subnet` (or a NAT gateway / appliance living there).
    pub fn leave_subnet(&self, subnet_id: &SubnetId, ivs: Ranges, ctx: &Ctx, out: &mut Out) {
        let f = ctx.family;
        let Some(subnet) = self.net.subnets.get(subnet_id) else {
            let mut c = ctx.with_hop(Hop::resource(subnet_id));
            c.explain(
                "UNKNOWN_SUBNET",
                subnet_id,
                format!("{subnet_id} is not in the snapshot; its route table is unknown"),
            );
            finish_owned(out, ivs, c, Disposition::Dropped, None);
            return;
        };
        // §4.9: the link-local services range is served by the VPC itself, never routed.
        let reserved = [addr::reserved_link_local(f)];
        let served = addr::intersect_ranges(&ivs, &reserved);
        if !served.is_empty() {
            let mut c = ctx.with_hop(Hop::resource(&subnet.vpc_id));
            c.explain_shared(
                "LINK_LOCAL_SERVICE",
                &subnet.vpc_id,
                LINK_LOCAL_MESSAGE.clone(),
            );
            finish_owned(out, served, c, Disposition::Delivered, None);
        }
        let rest = addr::subtract_ranges(&ivs, &reserved);
        // §3.1: same-subnet traffic is delivered at layer 2 and never consults the table.
        let own = addr::normalize(subnet.cidrs(f).iter().map(Interval::of_net).collect());
        let local = addr::intersect_ranges(&rest, &own);
        if !local.is_empty() {
            let mut c = ctx.clone();
            c.explain_shared("SAME_SUBNET", subnet_id, SAME_SUBNET_MESSAGE.clone());
            self.deliver_to_subnet(subnet_id, local, &c, out);
        }
        let rest = addr::subtract_ranges(&rest, &own);
        if rest.is_empty() {
            return;
        }
        match self.net.effective_route_table(subnet_id) {
            Some((table, _)) => self.at_table(table, &subnet.vpc_id, rest, ctx, out),
            None => {
                let mut c = ctx.clone();
                c.explain(
                    "NO_ROUTE_TABLE",
                    subnet_id,
                    format!(
                        "{subnet_id} has no explicit association and {} has no main route table",
                        subnet.vpc_id
                    ),
                );
                finish_owned(out, rest, c, Disposition::NoRoute, None);
            }
        }
    }

    /// Longest-prefix match in `table`, then each chosen route's target.
    pub fn at_table(
        &self,
        table: &RouteTableId,
        vpc: &VpcId,
        ivs: Ranges,
        ctx: &Ctx,
        out: &mut Out,
    ) {
        let Some(fib) = self.fib(table, ctx.family, true) else {
            let mut c = ctx.with_hop(Hop::resource(table));
            c.explain(
                "UNKNOWN_ROUTE_TABLE",
                table,
                format!("{table} is not in the snapshot"),
            );
            finish_owned(out, ivs, c, Disposition::NoRoute, None);
            return;
        };
        // Group the pieces by chosen entry, so each target is followed once.
        // A slot per entry (0 = no route) finds a choice's group in constant time.
        let mut slot: Vec<u32> = vec![u32::MAX; fib.entries.len() + 1];
        let mut groups: Vec<(Choice, Ranges)> = Vec::new();
        for iv in &ivs {
            for (piece, choice) in fib.pieces(*iv) {
                let k = match choice {
                    Choice::NoRoute => 0,
                    Choice::Entry(i) => i as usize + 1,
                };
                match groups.get_mut(slot[k] as usize) {
                    Some(g) => g.1.push(piece),
                    None => {
                        slot[k] = groups.len() as u32;
                        groups.push((choice, Ranges::one(piece)));
                    }
                }
            }
        }
        // Only a trace shows the matched route and target; a reach's path names the table
        // alone, the same hop for every group, so the groups share one path node.
        let passed = (!ctx.detail).then(|| ctx.with_hop(Hop::resource(table)));
        for (choice, pieces) in groups {
            match choice {
                Choice::NoRoute => {
                    let mut c = match &passed {
                        Some(p) => p.clone(),
                        None => ctx.with_hop(Hop::table(table, None, None)),
                    };
                    c.explain_shared("NO_ROUTE", table, fib.no_route_message(table));
                    finish_owned(out, pieces, c, Disposition::NoRoute, None);
                }
                Choice::Entry(i) => {
                    let e = &fib.entries[i as usize];
                    let mut c = match &passed {
                        Some(p) => p.clone(),
                        None => ctx.with_hop(Hop::table(
                            table,
                            Some(e.matched_name()),
                            Some(e.target_name.clone()),
                        )),
                    };
                    if let Some(other) = &e.ambiguous_with {
                        c.explain(
                            "AMBIGUOUS_PREFIX_LIST",
                            table,
                            format!(
                                "{} is in two prefix lists routed to {} and {}; AWS picks one and keeps it, vpcsim shows {} (semantics doc §3.3)",
                                e.matched, e.route.target, other.target, e.route.target
                            ),
                        );
                    }
                    match e.verdict(self.net, vpc) {
                        Verdict::Blackhole(why) => {
                            c.explain_shared("BLACKHOLE_ROUTE", table, why);
                            // The dead route's target goes with the segment (not its path:
                            // nothing is passed there), so that blackhole segments tell one
                            // dead target from another and an exposure diff can tell a target
                            // coming back from a new one.
                            if !pieces.is_empty() {
                                out.push((
                                    pieces,
                                    Outcome {
                                        disposition: Disposition::Blackhole,
                                        hops: c.hops,
                                        tail: Path::new(),
                                        last: None,
                                        explanations: c.explanations,
                                        internet: None,
                                        blackhole_target: Some(e.target_name.clone()),
                                    },
                                ));
                            }
                        }
                        Verdict::Unknown(why) => {
                            c.explain_shared("ASSUMED_TARGET", e.route.target.id(), why);
                            self.to_target(&e.route.target, vpc, pieces, &c, out);
                        }
                        Verdict::Active => self.to_target(&e.route.target, vpc, pieces, &c, out),
                    }
                }
            }
        }
    }

    fn to_target(&self, target: &Target, vpc: &VpcId, ivs: Ranges, ctx: &Ctx, out: &mut Out) {
        match target {
            Target::Local => self.deliver_in_vpc(vpc, ivs, ctx, None, out),
            Target::InternetGateway(igw) => self.internet_gateway(igw, ivs, ctx, out),
            Target::EgressOnlyInternetGateway(eigw) => {
                let mut c = ctx.with_hop(Hop::resource(eigw));
                if ctx.family == Family::Ipv4 {
                    c.explain(
                        "IPV6_ONLY_GATEWAY",
                        eigw,
                        "egress-only internet gateways carry IPv6 only (semantics doc §4.3)".into(),
                    );
                    finish_owned(out, ivs, c, Disposition::Dropped, None);
                } else if ctx.has_v6 == Tri::No {
                    c.explain(
                        "NO_IPV6_ADDRESS",
                        eigw,
                        format!("{} has no IPv6 address", ctx.source_name),
                    );
                    finish_owned(out, ivs, c, Disposition::Dropped, None);
                } else {
                    finish(
                        out,
                        ivs,
                        &c,
                        Disposition::ExitsToInternet,
                        Some(InternetVia::EgressOnly),
                    );
                }
            }
            Target::NatGateway(nat) => self.nat_gateway(nat, ivs, ctx, out),
            Target::VpnGateway(vgw) => {
                finish_at(out, ivs, ctx, vgw.name(), Disposition::ExitsToVpn, None)
            }
            Target::TransitGateway(tgw) => finish_at(
                out,
                ivs,
                ctx,
                tgw.name(),
                Disposition::ExitsToTransitGateway,
                None,
            ),
            Target::VpcPeeringConnection(pcx) => self.peering(pcx, vpc, ivs, ctx, out),
            Target::NetworkInterface(eni) => self.interface(eni, ivs, ctx, out),
            Target::Instance(i) => match self.net.instance_interface(i) {
                Some(eni) => {
                    let id = eni.id.clone();
                    self.interface(&id, ivs, &ctx.with_hop(Hop::resource(i)), out)
                }
                None => {
                    let mut c = ctx.with_hop(Hop::resource(i));
                    c.explain("INTERFACE_NOT_DESCRIBED", i, format!("the snapshot does not give the network interface of {i}; what it does with the traffic is unknown"));
                    finish_owned(out, ivs, c, Disposition::ToNetworkInterface, None)
                }
            },
            Target::VpcEndpoint(vpce) => {
                let mut c = ctx.with_hop(Hop::resource(vpce));
                if let Some(e) = self.net.vpc_endpoints.get(vpce)
                    && e.endpoint_type == VpcEndpointType::GatewayLoadBalancer
                {
                    c.explain("GWLB_ENDPOINT", vpce, "traffic goes to the Gateway Load Balancer appliances behind this endpoint; what they return is not modelled".into());
                }
                finish_owned(out, ivs, c, Disposition::ToVpcEndpoint, None)
            }
            Target::CarrierGateway(_)
            | Target::LocalGateway(_)
            | Target::CoreNetwork(_)
            | Target::OdbNetwork(_)
            | Target::Unknown(_) => {
                let c = ctx.with_hop(Hop::resource(target.id()));
                finish_owned(out, ivs, c, Disposition::ExitsOther, None)
            }
        }
    }

    fn internet_gateway(&self, igw: &InternetGatewayId, ivs: Ranges, ctx: &Ctx, out: &mut Out) {
        if let Some(Translation::PrivateNat(nat)) = &ctx.translated {
            let mut c = ctx.with_hop(Hop::resource(igw));
            c.explain("PRIVATE_NAT_TO_IGW", nat, format!("{nat} is a private NAT gateway; the internet gateway drops its traffic (semantics doc §4.2)"));
            return finish_owned(out, ivs, c, Disposition::Dropped, None);
        }
        let via = match &ctx.translated {
            None => InternetVia::Direct,
            Some(Translation::PublicNat(_)) => InternetVia::NatGateway,
            Some(_) => InternetVia::Appliance,
        };
        // Reach mode, the common case: the gateway is the last hop, no context copied.
        let exits = match ctx.family {
            Family::Ipv4 => ctx.public_v4 != Tri::No,
            Family::Ipv6 => ctx.has_v6 != Tri::No,
        };
        if exits && !ctx.detail {
            let last = igw.name();
            return finish_at(out, ivs, ctx, last, Disposition::ExitsToInternet, Some(via));
        }
        let mut c = ctx.with_hop(Hop::resource(igw));
        match ctx.family {
            Family::Ipv4 => match ctx.public_v4 {
                Tri::No => {
                    c.explain(
                        "NO_PUBLIC_ADDRESS",
                        igw,
                        format!("{} has no public IPv4 or Elastic IP address, so {igw} cannot translate it and drops the packet (semantics doc §4.1)", ctx.source_name),
                    );
                    finish_owned(out, ivs, c, Disposition::Dropped, None)
                }
                Tri::Yes | Tri::Assumed => {
                    if ctx.detail && ctx.public_v4 == Tri::Assumed {
                        c.explain("ASSUMED_PUBLIC_ADDRESS", &ctx.source_name, format!("assumes the source host in {} has a public IPv4 or Elastic IP address; without one the internet gateway drops the packet", ctx.source_name));
                    }
                    self.exits_to_internet(ivs, &c, via, out)
                }
            },
            Family::Ipv6 => match ctx.has_v6 {
                Tri::No => {
                    c.explain(
                        "NO_IPV6_ADDRESS",
                        igw,
                        format!("{} has no IPv6 address", ctx.source_name),
                    );
                    finish_owned(out, ivs, c, Disposition::Dropped, None)
                }
                _ => self.exits_to_internet(ivs, &c, via, out),
            },
        }
    }

    fn exits_to_internet(&self, ivs: Ranges, ctx: &Ctx, via: InternetVia, out: &mut Out) {
        if ctx.detail {
            // A single destination in trace mode: say when it is not publicly routable.
            let public = addr::public_space(ctx.family);
            let private = addr::subtract_ranges(&ivs, public);
            if !private.is_empty() {
                let mut c = ctx.clone();
                c.explain("NOT_INTERNET_ROUTABLE", &ctx.hops.last().map(|h| h.resource.clone()).unwrap_or_else(|| Arc::from("")), "the destination is a special-purpose (non-public) address; the internet does not route it".into());
                finish_owned(out, private, c, Disposition::ExitsToInternet, Some(via));
                let public_part = addr::intersect_ranges(&ivs, public);
                return finish(
                    out,
                    public_part,
                    ctx,
                    Disposition::ExitsToInternet,
                    Some(via),
                );
            }
        }
        finish(out, ivs, ctx, Disposition::ExitsToInternet, Some(via))
    }

    fn nat_gateway(&self, nat_id: &NatGatewayId, ivs: Ranges, ctx: &Ctx, out: &mut Out) {
        let mut c = ctx.with_hop(Hop::resource(nat_id));
        if ctx.visited.iter().any(|v| **v == *nat_id.as_str()) {
            c.explain("ROUTING_LOOP", nat_id, format!("the packet comes back to {nat_id}: a routing loop (is the source in the NAT gateway's own subnet?)"));
            return finish_owned(out, ivs, c, Disposition::Loop, None);
        }
        c.visited.push(nat_id.name());
        let Some(nat) = self.net.nat_gateways.get(nat_id) else {
            // Not described: status already explained as assumed; nothing to follow.
            return finish_owned(out, ivs, c, Disposition::ExitsOther, None);
        };
        let ivs = if ctx.family == Family::Ipv6 {
            // §4.2: IPv6 through a NAT gateway only as NAT64 (64:ff9b::/96).
            let prefix = [addr::nat64_prefix()];
            let other = addr::subtract_ranges(&ivs, &prefix);
            if !other.is_empty() {
                let mut d = c.clone();
                d.explain("NAT_IPV6", nat_id, "a NAT gateway forwards IPv6 only for NAT64 destinations in 64:ff9b::/96 (semantics doc §4.2)".into());
                finish(out, other, &d, Disposition::Dropped, None);
            }
            let v6 = addr::intersect(&ivs, &prefix);
            if v6.is_empty() {
                return;
            }
            // NAT64: the IPv4 destination is the low 32 bits; continue as IPv4 and map back.
            let base = prefix[0].lo;
            let v4: Ranges = v6
                .iter()
                .map(|iv| Interval::new(iv.lo - base, iv.hi - base))
                .collect();
            let mut c4 = c.clone();
            c4.family = Family::Ipv4;
            let mut sub = Vec::new();
            self.nat_egress(nat, v4, c4, &mut sub);
            out.extend(sub.into_iter().map(|(ivs, o)| {
                let mapped = ivs
                    .iter()
                    .map(|iv| Interval::new(iv.lo + base, iv.hi + base))
                    .collect();
                (mapped, o)
            }));
            return;
        } else {
            ivs
        };
        self.nat_egress(nat, ivs, c, out)
    }

    fn nat_egress(&self, nat: &NatGateway, ivs: Ranges, mut c: Ctx, out: &mut Out) {
        c.source_name = nat.id.name();
        match nat.connectivity {
            ConnectivityType::Public => {
                c.translated = Some(Translation::PublicNat(nat.id.clone()));
                if nat.public_ips.is_empty() {
                    c.public_v4 = if self.net.inventory.nat_gateways {
                        Tri::No
                    } else {
                        Tri::Assumed
                    };
                } else {
                    c.public_v4 = Tri::Yes;
                }
            }
            ConnectivityType::Private => {
                c.translated = Some(Translation::PrivateNat(nat.id.clone()));
                c.public_v4 = Tri::No;
            }
        }
        if !nat.private_ips.is_empty() {
            c.source_addrs = nat
                .private_ips
                .iter()
                .map(|a| Interval::single(u32::from(*a) as u128))
                .collect::<Vec<_>>()
                .into();
        } else if let Some(s) = self.net.subnets.get(&nat.subnet_id) {
            c.source_addrs = s
                .ipv4_cidr
                .iter()
                .map(Interval::of_v4)
                .collect::<Vec<_>>()
                .into();
        }
        // §3.1: traffic leaving a NAT gateway is routed by its own subnet's table.
        let cacheable = !c.detail && c.visited.len() == 1;
        let (cache, true) = (&self.caches.nats, cacheable && self.bulk) else {
            let c = c.with_hop(Hop::resource(&nat.subnet_id));
            return self.leave_subnet(&nat.subnet_id, ivs, &c, out);
        };
        let key = (nat.id.addr(), c.family);
        let cached = cache.borrow().get(&key).cloned();
        let walked = match cached {
            Some(w) => w,
            None => {
                let mut clean = c.clone();
                clean.hops = Path::of([Hop::resource(&nat.subnet_id)]);
                clean.explanations = Vec::new();
                let mut whole = Vec::new();
                // The whole family, or in a restricted walk all of its ranges (every interval
                // that reaches the NAT gateway lies in them).
                let start = match self.within {
                    Some(w) => Ranges::from(w[family_slot(c.family)].clone()),
                    None => Ranges::one(c.family.whole()),
                };
                self.leave_subnet(&nat.subnet_id, start, &clean, &mut whole);
                for (ivs, _) in &mut whole {
                    *ivs = std::mem::take(ivs).normalize();
                }
                let w = Rc::new(whole);
                cache
                    .borrow_mut()
                    .insert(Keyed::new(key, nat.id.clone()), w.clone());
                w
            }
        };
        let wanted = ivs.normalize();
        for (civs, o) in walked.iter() {
            let hit = addr::intersect_ranges(civs, &wanted);
            if hit.is_empty() {
                continue;
            }
            // The cached walk's hops follow this branch's as its tail (no node per piece).
            let tail = if o.tail.is_empty() {
                o.hops.clone()
            } else {
                o.hops.join(&o.tail)
            };
            let mut explanations = c.explanations.clone();
            explanations.extend(o.explanations.iter().cloned());
            out.push((
                hit,
                Outcome {
                    disposition: o.disposition,
                    hops: c.hops.clone(),
                    tail,
                    last: o.last.clone(),
                    explanations,
                    internet: o.internet,
                    blackhole_target: o.blackhole_target.clone(),
                },
            ));
        }
    }

    fn peering(
        &self,
        pcx_id: &VpcPeeringConnectionId,
        vpc: &VpcId,
        ivs: Ranges,
        ctx: &Ctx,
        out: &mut Out,
    ) {
        let mut c = ctx.with_hop(Hop::resource(pcx_id));
        let Some(side) = self
            .net
            .vpc_peering_connections
            .get(pcx_id)
            .and_then(|p| p.other_side(vpc))
        else {
            // Not described (assumed): the far side is unknown.
            return finish_owned(out, ivs, c, Disposition::ExitsToPeer, None);
        };
        let f = ctx.family;
        // The peer VPC as the model describes it, unless the model knows it only by ID (a VPC
        // a lenient replay inferred from a record, its CIDRs never described) while the
        // connection names its CIDRs: then the connection's side is the better description,
        // and the traffic is followed no further than for a VPC not in the snapshot.
        let peer = self.net.vpcs.get(&side.vpc_id).filter(|v| {
            !(v.ipv4_cidrs.is_empty() && v.ipv6_cidrs.is_empty() && !side.cidrs(f).is_empty())
        });
        let peer_cidrs: Vec<Interval> = match self.index.vpc_cidrs.get(&(side.vpc_id.clone(), f)) {
            Some(c) if peer.is_some() => c.clone(),
            _ => addr::normalize(side.cidrs(f).iter().map(Interval::of_net).collect()),
        };
        let inside = addr::intersect_ranges(&ivs, &peer_cidrs);
        let outside = addr::subtract_ranges(&ivs, &peer_cidrs);
        if !outside.is_empty() {
            let mut d = c.clone();
            d.explain(
                "PEERING_NOT_TRANSITIVE",
                pcx_id,
                format!("outside the CIDRs of {}: peering is neither transitive nor edge-to-edge, so {} forwards nothing onwards (semantics doc §4.5)", side.vpc_id, side.vpc_id),
            );
            finish(out, outside, &d, Disposition::Dropped, None);
        }
        if inside.is_empty() {
            return;
        }
        if peer.is_some() {
            // In the peer VPC only local delivery exists: no table is consulted, so no edge-to-edge.
            c.hops.push(Hop::resource(&side.vpc_id));
            self.deliver_in_vpc(&side.vpc_id, inside, &c, Some(pcx_id), out)
        } else {
            let owner = side
                .owner_id
                .as_ref()
                .map(|o| o.to_string())
                .unwrap_or_else(|| "unknown account".into());
            let known = if self.net.vpcs.contains_key(&side.vpc_id) {
                "is known only by its ID (its CIDRs were never described)"
            } else {
                "is not in the snapshot"
            };
            c.hops.push(Hop::resource(&side.vpc_id));
            c.explain(
                "PEER_NOT_IN_SNAPSHOT",
                &side.vpc_id,
                format!(
                    "{} (owner {owner}) {known}; vpcsim cannot follow the traffic inside it",
                    side.vpc_id
                ),
            );
            finish(out, inside, &c, Disposition::ExitsToPeer, None)
        }
    }

    /// Local delivery inside `vpc`: to the subnet holding each address, or dropped.
    fn deliver_in_vpc(
        &self,
        vpc: &VpcId,
        ivs: Ranges,
        ctx: &Ctx,
        via_peering: Option<&VpcPeeringConnectionId>,
        out: &mut Out,
    ) {
        let f = ctx.family;
        let subnets = self.index.subnets.get(&(vpc.clone(), f));
        let mut placed: Vec<Interval> = Vec::new();
        if let Some(subnets) = subnets {
            for (siv, sid) in subnets {
                // (A binary search first: most of a VPC's subnets get none of the ranges.)
                if !addr::overlaps(&ivs, *siv) {
                    continue;
                }
                let hit = addr::intersect_ranges(&ivs, std::slice::from_ref(siv));
                placed.extend(hit.iter().copied());
                let check = via_peering.filter(|_| self.return_checks);
                match check.and_then(|pcx| self.check_return(sid, pcx, ctx)) {
                    Some(e) => {
                        let mut c = ctx.clone();
                        c.explanations.push(e);
                        self.deliver_to_subnet(sid, hit, &c, out);
                    }
                    None => self.deliver_to_subnet(sid, hit, ctx, out),
                }
            }
        }
        let rest = addr::subtract_ranges(&ivs, &addr::normalize(placed));
        if !rest.is_empty() {
            let mut c = ctx.clone();
            c.explain(
                "UNASSIGNED_ADDRESS",
                vpc,
                format!("inside {vpc} but in no subnet: the VPC router drops it"),
            );
            finish_owned(out, rest, c, Disposition::Dropped, None);
        }
    }

    /// Arrival in a subnet. In trace mode, the interface holding the address is named.
    fn deliver_to_subnet(&self, subnet: &SubnetId, ivs: Ranges, ctx: &Ctx, out: &mut Out) {
        let arrived = ctx
            .hops
            .last()
            .is_some_and(|h| *h.resource == *subnet.as_str());
        if !ctx.detail {
            // Reach mode, the hot path: build the outcome without copying the context.
            out.push((
                ivs,
                Outcome {
                    disposition: Disposition::Delivered,
                    hops: ctx.hops.clone(),
                    tail: Path::new(),
                    last: (!arrived).then(|| subnet.name()),
                    explanations: ctx.explanations.clone(),
                    internet: None,
                    blackhole_target: None,
                },
            ));
            return;
        }
        let mut c = if ctx
            .hops
            .last()
            .is_some_and(|h| *h.resource == *subnet.as_str())
        {
            ctx.clone()
        } else {
            ctx.with_hop(Hop::resource(subnet))
        };
        if ctx.detail
            && let [iv] = ivs[..]
            && iv.lo == iv.hi
        {
            let a = addr::value_addr(ctx.family, iv.lo);
            let eni = self
                .net
                .network_interfaces
                .values()
                .find(|e| &e.subnet_id == subnet && e.owns(&a));
            match eni {
                Some(e) => {
                    c.hops.push(Hop::resource(&e.id));
                    if let Some(i) = &e.instance_id {
                        c.hops.push(Hop::resource(i));
                    }
                }
                None if self.net.inventory.network_interfaces => {
                    c.explain(
                        "NO_INTERFACE_AT_ADDRESS",
                        subnet,
                        format!(
                            "no network interface in {subnet} holds {a}: nothing answers there"
                        ),
                    );
                    return finish(out, ivs, &c, Disposition::Dropped, None);
                }
                None => {}
            }
        }
        finish(out, ivs, &c, Disposition::Delivered, None)
    }

    /// §4.5: the destination subnet must route the source back over the same peering connection.
    fn check_return(
        &self,
        dest: &SubnetId,
        pcx: &VpcPeeringConnectionId,
        ctx: &Ctx,
    ) -> Option<Explanation> {
        if self.bulk {
            return self.check_return_cached(dest, pcx, ctx);
        }
        let (table, _) = self.net.effective_route_table(dest)?;
        let dest_vpc = self.net.subnet_vpc(dest)?;
        let returns = |r: &Route| returns_over(self.net, dest_vpc, r, pcx);
        let mut ok = 0u128;
        let mut total = 0u128;
        for iv in ctx.source_addrs.iter() {
            total = total.saturating_add(iv.size());
            // One subnet's reach: decide from the routes directly when no route splits the
            // source range (no compiling). A whole account's reach: compile the table into the
            // thread's cache, since the subnets of one VPC check the same peer tables.
            let direct = if self.bulk {
                None
            } else {
                whole_range_winner(self.net, self.net.route_tables.get(table)?, ctx.family, iv)
            };
            match direct {
                Some(Some(r)) => {
                    if returns(r) {
                        ok = ok.saturating_add(iv.size());
                    }
                }
                Some(None) => {}
                None => {
                    let fib = self.fib(table, ctx.family, false)?;
                    for (piece, choice) in fib.pieces(*iv) {
                        if let Choice::Entry(i) = choice
                            && returns(&fib.entries[i as usize].route)
                        {
                            ok = ok.saturating_add(piece.size());
                        }
                    }
                }
            }
        }
        no_return(table, dest, pcx, ctx, ok, total)
    }

    /// [`Walker::check_return`] of a whole account's reach: each destination subnet's table
    /// is read once per connection and family (the subnets of one VPC all check the same
    /// destinations), then each source only measures its addresses against what it returns.
    fn check_return_cached(
        &self,
        dest: &SubnetId,
        pcx: &VpcPeeringConnectionId,
        ctx: &Ctx,
    ) -> Option<Explanation> {
        let key = (dest.addr(), pcx.addr(), ctx.family);
        let cached = self.caches.returns.borrow().get(&key).cloned();
        let back = match cached {
            Some(b) => b?,
            None => {
                let b = self.returning(dest, pcx, ctx.family);
                let mut cache = self.caches.returns.borrow_mut();
                if cache.len() >= RETURN_CAPACITY {
                    cache.clear();
                }
                cache.insert(Keyed::new(key, (dest.clone(), pcx.clone())), b.clone());
                b?
            }
        };
        let (table, back) = &*back;
        let mut ok = 0u128;
        let mut total = 0u128;
        for iv in ctx.source_addrs.iter() {
            total = total.saturating_add(iv.size());
            let from = back.partition_point(|x| x.hi < iv.lo);
            for x in back[from..].iter().take_while(|x| x.lo <= iv.hi) {
                if let Some(part) = x.intersect(iv) {
                    ok = ok.saturating_add(part.size());
                }
            }
        }
        no_return(table, dest, pcx, ctx, ok, total)
    }

    /// The table of subnet `dest` and the addresses of `family` it routes back over `pcx` with
    /// a route that is not blackhole (normalized); `None` when the subnet or its table is not
    /// in the snapshot.
    fn returning(
        &self,
        dest: &SubnetId,
        pcx: &VpcPeeringConnectionId,
        family: Family,
    ) -> Option<Rc<(RouteTableId, Vec<Interval>)>> {
        let (table, _) = self.net.effective_route_table(dest)?;
        let vpc = self.net.subnet_vpc(dest)?;
        let fib = self.fib(table, family, false)?;
        let mut back = Vec::new();
        for (piece, choice) in fib.pieces(family.whole()) {
            if let Choice::Entry(i) = choice
                && returns_over(self.net, vpc, &fib.entries[i as usize].route, pcx)
            {
                back.push(piece);
            }
        }
        Some(Rc::new((table.clone(), addr::normalize(back))))
    }

    fn interface(&self, eni_id: &NetworkInterfaceId, ivs: Ranges, ctx: &Ctx, out: &mut Out) {
        let mut c = ctx.with_hop(Hop::resource(eni_id));
        if ctx.visited.iter().any(|v| **v == *eni_id.as_str()) {
            c.explain(
                "ROUTING_LOOP",
                eni_id,
                format!("the packet comes back to {eni_id}: a routing loop"),
            );
            return finish_owned(out, ivs, c, Disposition::Loop, None);
        }
        c.visited.push(eni_id.name());
        let Some(eni) = self.net.network_interfaces.get(eni_id) else {
            return finish_owned(out, ivs, c, Disposition::ToNetworkInterface, None);
        };
        if let Some(t) = &eni.interface_type
            && t != "interface"
        {
            c.explain(
                "MANAGED_INTERFACE",
                eni_id,
                format!(
                    "{eni_id} is a {t} interface; what it does with the traffic is not modelled"
                ),
            );
            return finish_owned(out, ivs, c, Disposition::ToNetworkInterface, None);
        }
        if eni.source_dest_check {
            let own: Vec<Interval> = match ctx.family {
                Family::Ipv4 => eni
                    .private_ips
                    .iter()
                    .map(|a| Interval::single(u32::from(*a) as u128))
                    .collect(),
                Family::Ipv6 => eni
                    .ipv6_addresses
                    .iter()
                    .map(|a| Interval::single(u128::from(*a)))
                    .collect(),
            };
            let own = addr::normalize(own);
            let mine = addr::intersect_ranges(&ivs, &own);
            finish(out, mine, &c, Disposition::Delivered, None);
            let rest = addr::subtract_ranges(&ivs, &own);
            if !rest.is_empty() {
                c.explain(
                    "SOURCE_DEST_CHECK",
                    eni_id,
                    format!("{eni_id} has source/destination check enabled, so it drops traffic not addressed to it (semantics doc §4.7)"),
                );
                finish_owned(out, rest, c, Disposition::Dropped, None);
            }
            return;
        }
        // §4.7: an appliance forwards per its own subnet's table (vpcsim's model of it).
        c.explain(
            "APPLIANCE_FORWARDS",
            eni_id,
            format!("assumes the appliance behind {eni_id} forwards the traffic unchanged, routed by the table of {} (semantics doc §4.7)", eni.subnet_id),
        );
        c.translated = Some(Translation::Appliance(eni_id.clone()));
        let primary: Option<Ipv4Addr> = eni.private_ips.first().copied();
        if let Some(p) = primary
            && eni.public_ip_for(&p).is_some()
        {
            c.public_v4 = Tri::Yes;
        }
        c.hops.push(Hop::resource(&eni.subnet_id));
        let subnet = eni.subnet_id.clone();
        self.leave_subnet(&subnet, ivs, &c, out)
    }

    /// Traffic entering the VPC through an internet or virtual private gateway, routed by the
    /// gateway's edge-associated table if it has one, else delivered locally (§3.1, §3.6).
    pub fn enter_via_gateway(
        &self,
        gateway: &str,
        vpc: &VpcId,
        ivs: Ranges,
        ctx: &Ctx,
        out: &mut Out,
    ) {
        let c = ctx.with_hop(Hop::resource(gateway));
        let vpc_cidrs = self
            .index
            .vpc_cidrs
            .get(&(vpc.clone(), ctx.family))
            .cloned()
            .unwrap_or_default();
        let outside = addr::subtract_ranges(&ivs, &vpc_cidrs);
        if !outside.is_empty() {
            let mut d = c.clone();
            d.explain(
                "NOT_IN_VPC",
                gateway,
                format!(
                    "the destination is outside {vpc}'s CIDRs; a gateway only delivers into its VPC"
                ),
            );
            finish(out, outside, &d, Disposition::Dropped, None);
        }
        let inside = addr::intersect_ranges(&ivs, &vpc_cidrs);
        if inside.is_empty() {
            return;
        }
        match self.net.edge_route_table(gateway) {
            Some(t) => self.at_table(t, vpc, inside, &c, out),
            None => self.deliver_in_vpc(vpc, inside, &c, None, out),
        }
    }
}
