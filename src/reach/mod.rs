//! Reachability, exact over the address space: for every subnet and both families, the whole
//! address space (0.0.0.0/0 and ::/0) split into disjoint ranges with one forwarding outcome
//! each, every range followed to its end (semantics doc §3, §4).
//!
//! The pieces: [`fib`] compiles each route table into a longest-prefix-match partition;
//! `walk` follows intervals through tables, gateways, NAT gateways, appliances and peering;
//! `graph` holds the route graph (petgraph) that says which subnets depend on which resources,
//! so that a change recomputes only the subnets it can affect. [`Engine`] owns the caches.
//!
//! **Architecture invariant:** petgraph types never leave this module; results are keyed by AWS
//! IDs. Nothing here iterates a hash map into output.

pub mod fib;
mod graph;
mod path;
mod walk;

use crate::addr::{self, Family, Interval, Ranges};
use crate::fxhash::FxHashMap;
use crate::model::*;
use fib::Fib;
use ipnet::IpNet;
use std::net::IpAddr;
use std::sync::Arc;
pub use walk::Caches;
use walk::{Ctx, NetIndex, Out, Tri, Walker};

pub use graph::{Dependents, RouteGraph};

/// Where a packet ends (in the spirit of Batfish's flow dispositions).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Disposition {
    Delivered,
    ExitsToInternet,
    ExitsToVpn,
    ExitsToPeer,
    ExitsToTransitGateway,
    ToNetworkInterface,
    ToVpcEndpoint,
    ExitsOther,
    NoRoute,
    Blackhole,
    Dropped,
    Loop,
}

impl Disposition {
    pub fn name(self) -> &'static str {
        match self {
            Disposition::Delivered => "DELIVERED",
            Disposition::ExitsToInternet => "EXITS_TO_INTERNET",
            Disposition::ExitsToVpn => "EXITS_TO_VPN",
            Disposition::ExitsToPeer => "EXITS_TO_PEER",
            Disposition::ExitsToTransitGateway => "EXITS_TO_TRANSIT_GATEWAY",
            Disposition::ToNetworkInterface => "TO_NETWORK_INTERFACE",
            Disposition::ToVpcEndpoint => "TO_VPC_ENDPOINT",
            Disposition::ExitsOther => "EXITS_OTHER",
            Disposition::NoRoute => "NO_ROUTE",
            Disposition::Blackhole => "BLACKHOLE",
            Disposition::Dropped => "DROPPED",
            Disposition::Loop => "LOOP",
        }
    }
}

/// How traffic reached the internet: straight from the source's table (a public subnet), or
/// through something that translates the source (outbound-only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InternetVia {
    Direct,
    NatGateway,
    Appliance,
    EgressOnly,
}

impl InternetVia {
    pub fn name(self) -> &'static str {
        match self {
            InternetVia::Direct => "internet-gateway",
            InternetVia::NatGateway => "nat-gateway",
            InternetVia::Appliance => "appliance",
            InternetVia::EgressOnly => "egress-only-internet-gateway",
        }
    }
}

/// One step of a path. Route-table hops carry the matched destination and the target.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hop {
    pub resource: Arc<str>,
    pub route_table: Option<Arc<str>>,
    pub matched: Option<Arc<str>>,
    pub target: Option<Arc<str>>,
}

impl Hop {
    pub fn resource<T: IntoName + ?Sized>(r: &T) -> Hop {
        Hop {
            resource: r.name(),
            route_table: None,
            matched: None,
            target: None,
        }
    }

    pub fn table(t: &RouteTableId, matched: Option<Arc<str>>, target: Option<Arc<str>>) -> Hop {
        Hop {
            resource: t.name(),
            route_table: Some(t.name()),
            matched,
            target,
        }
    }
}

/// Why a path ends where it does, or what was assumed on the way (in the spirit of Reachability
/// Analyzer's explanation codes).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Explanation {
    pub code: &'static str,
    pub resource: Arc<str>,
    pub message: Arc<str>,
}

/// The fate of one range of destinations.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub disposition: Disposition,
    /// The path: `hops`, then `tail`, then `last`.
    pub hops: path::Path,
    /// Hops of a walk reused after `hops` (the walk onwards from a NAT gateway, cached once
    /// per gateway and shared by every source behind it): kept apart so that reusing it costs
    /// no node per branch.
    pub tail: path::Path,
    /// The final hop, a resource alone (a delivery's subnet or an exit's gateway), kept out of
    /// the shared path: one per branch, so sharing it would only cost a node per branch.
    pub last: Option<Arc<str>>,
    pub explanations: Vec<Explanation>,
    pub internet: Option<InternetVia>,
    /// For a blackhole: the target of the dead route that dropped the traffic.
    pub blackhole_target: Option<Arc<str>>,
}

/// Outcomes are equal when their whole paths are, however split into `hops`, `tail` and
/// `last`.
impl PartialEq for Outcome {
    fn eq(&self, other: &Outcome) -> bool {
        self.disposition == other.disposition
            && self.internet == other.internet
            && self.blackhole_target == other.blackhole_target
            && self.explanations == other.explanations
            && self.hops_vec() == other.hops_vec()
    }
}

impl Eq for Outcome {}

impl Outcome {
    /// Its explanations as a segment keeps them (sorted, without repeats), taken out of it.
    fn take_explanations(&mut self) -> Vec<Explanation> {
        let mut e = std::mem::take(&mut self.explanations);
        e.sort();
        e.dedup();
        e
    }

    /// Whether it belongs to segment `s`, given its explanations from
    /// [`Outcome::take_explanations`].
    fn joins(&self, s: &Segment, explanations: &[Explanation]) -> bool {
        s.disposition == self.disposition
            && s.internet == self.internet
            && self.same_resources(&s.path)
            && s.blackhole_target == self.blackhole_target
            && s.explanations == explanations
    }

    /// A new segment of `ranges` with this outcome.
    fn segment(self, ranges: Ranges, explanations: Vec<Explanation>) -> Segment {
        Segment {
            path: self.resources(),
            ranges,
            disposition: self.disposition,
            explanations,
            internet: self.internet,
            blackhole_target: self.blackhole_target,
        }
    }

    /// The whole path, in order.
    fn hops_vec(&self) -> Vec<Hop> {
        let mut v = self.hops.to_vec();
        v.extend(self.tail.to_vec());
        v.extend(self.last.iter().map(Hop::resource));
        v
    }

    /// How many hops the whole path has.
    fn len(&self) -> usize {
        self.hops.len() + self.tail.len() + usize::from(self.last.is_some())
    }

    /// The resources passed, in order.
    fn resources(&self) -> Vec<Arc<str>> {
        let mut v = Vec::with_capacity(self.len());
        self.hops.resources_into(&mut v);
        self.tail.resources_into(&mut v);
        v.extend(self.last.iter().cloned());
        v
    }

    /// Whether the resources passed are `resources`, in order.
    fn same_resources(&self, resources: &[Arc<str>]) -> bool {
        if resources.len() != self.len() {
            return false;
        }
        let rest = match (&self.last, resources.split_last()) {
            (None, _) => resources,
            (Some(l), Some((r, rest))) if l == r => rest,
            _ => return false,
        };
        let (head, tail) = rest.split_at(self.hops.len());
        self.hops.same_resources(head) && self.tail.same_resources(tail)
    }

    /// Hashes the resources passed consistently with [`Outcome::same_resources`]: the length
    /// and the rolling hash of the resources (`path::Path::resources_hash`), however the path
    /// is split into `hops`, `tail` and `last`.
    fn hash_resources<H: std::hash::Hasher>(&self, state: &mut H) {
        let mut h = path::combine(
            self.hops.resources_hash(),
            self.tail.resources_hash(),
            self.tail.len(),
        );
        if let Some(l) = &self.last {
            h = path::combine(h, path::name_hash(l), 1);
        }
        state.write_usize(self.len());
        state.write_u64(h);
    }
}

/// Ranges with the same disposition, path of resources and explanations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Sorted and merged; most segments hold one range, kept without a heap allocation.
    pub ranges: Ranges,
    pub disposition: Disposition,
    /// The resources passed after leaving the source subnet.
    pub path: Vec<Arc<str>>,
    pub explanations: Vec<Explanation>,
    pub internet: Option<InternetVia>,
    /// For a `BLACKHOLE` segment: the target of the dead route that dropped it (not on the
    /// path: the traffic never gets there).
    pub blackhole_target: Option<Arc<str>>,
}

impl Segment {
    pub fn cidrs(&self, family: Family) -> Vec<IpNet> {
        self.ranges
            .iter()
            .flat_map(|iv| addr::interval_to_cidrs(family, *iv))
            .collect()
    }
}

/// The keys present in only one of two versions of a collection, or whose values `differs`
/// tells apart, in key order; nothing to compare when both still share the collection.
fn changed_keys<K: Ord + std::hash::Hash + Clone, V: Clone>(
    before: &Shared<IdMap<K, V>>,
    after: &Shared<IdMap<K, V>>,
    differs: impl Fn(&V, &V) -> bool,
) -> Vec<K> {
    if before.shares_with(after) {
        return Vec::new();
    }
    let mut out: Vec<K> = before
        .iter()
        .filter(|(k, v)| after.get(k).is_none_or(|w| differs(v, w)))
        .map(|(k, _)| k.clone())
        .collect();
    out.extend(
        after
            .iter()
            .filter(|(k, _)| !before.contains_key(k))
            .map(|(k, _)| k.clone()),
    );
    out.sort();
    out
}

/// What traffic entering through one gateway for the addresses of one subnet reaches
/// ([`Engine::ingress`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IngressReach {
    pub gateway: Arc<str>,
    pub subnet_id: SubnetId,
    pub vpc_id: VpcId,
    pub family: Family,
    /// A partition of the subnet's own ranges of the family.
    pub segments: Vec<Segment>,
    /// How many hosts of the subnet have a public address of the family.
    pub public_hosts: usize,
}

/// The internet class of a subnet for one family (issue #2 §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InternetClass {
    /// Some public range goes straight to an attached internet gateway.
    Public,
    /// Public ranges leave only through NAT, an appliance, or an egress-only gateway.
    OutboundOnly,
    Isolated,
}

impl InternetClass {
    pub fn name(self) -> &'static str {
        match self {
            InternetClass::Public => "public",
            InternetClass::OutboundOnly => "outbound-only",
            InternetClass::Isolated => "isolated",
        }
    }
}

/// A host in the subnet with an address the internet can reach (when the subnet is public).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicHost {
    pub interface: NetworkInterfaceId,
    pub instance: Option<InstanceId>,
    pub private_ip: IpAddr,
    pub public_ip: IpAddr,
}

/// The reach of one subnet in one family.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FamilyReach {
    pub family: Family,
    /// The subnet's own CIDRs of this family.
    pub cidrs: Vec<IpNet>,
    /// False when the subnet has no CIDR of this family (it cannot send such traffic).
    pub has_addresses: bool,
    pub internet: InternetClass,
    /// The public ranges that reach the internet; equal to the whole public space when "full".
    pub internet_ranges: Vec<Interval>,
    pub internet_full: bool,
    pub internet_via: Vec<InternetVia>,
    pub public_hosts: Vec<PublicHost>,
    pub segments: Vec<Segment>,
}

/// The reach of one subnet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubnetReach {
    pub subnet_id: SubnetId,
    pub vpc_id: VpcId,
    pub owner_id: Option<AccountId>,
    pub region: Option<String>,
    pub route_table_id: Option<RouteTableId>,
    pub association: Option<AssociationKind>,
    pub ipv4: FamilyReach,
    pub ipv6: FamilyReach,
}

/// The result of a trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    pub source: String,
    pub destination: IpAddr,
    pub disposition: Disposition,
    pub hops: Vec<Hop>,
    pub explanations: Vec<Explanation>,
}

/// A trace that cannot start.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TraceError {
    #[error(
        "{0} is not in the snapshot; give a subnet, network interface, instance, internet or virtual private gateway ID, a private address inside a subnet, or `internet`"
    )]
    UnknownSource(String),
    #[error(
        "{0} is not a valid source; give a subnet-, eni-, i-, igw- or vgw- ID, a private IP address, or `internet`"
    )]
    BadSource(String),
    #[error(
        "{address} lies in several subnets ({subnets}); give the subnet or interface ID instead"
    )]
    AmbiguousAddress { address: String, subnets: String },
    #[error("{0} has no attachment to a VPC, so nothing enters through it")]
    DetachedGateway(String),
}

/// The reach engine for one network. It holds the indexes of the network's structure (subnet
/// and VPC CIDRs, interfaces per subnet); route tables are compiled on demand by each walk, so a
/// change to routes, associations, gateways or peering needs nothing from the engine. After a
/// structural change (subnets, VPC CIDRs, interfaces) call [`Engine::invalidate_all`].
pub struct Engine {
    index: NetIndex,
}

impl Engine {
    /// Indexes `net`'s structure.
    pub fn new(net: &Network) -> Engine {
        Engine {
            index: NetIndex::build(net),
        }
    }

    /// Whether any of `ivs` (of `family`) lies in `vpc`'s CIDRs, or, for a VPC the snapshot
    /// does not describe, in the CIDRs of its subnets.
    pub fn in_vpc(&self, vpc: &VpcId, family: Family, ivs: &[Interval]) -> bool {
        let key = (vpc.clone(), family);
        match self.index.vpc_cidrs.get(&key) {
            Some(cidrs) => ivs.iter().any(|iv| addr::overlaps(cidrs, *iv)),
            None => self.index.subnets.get(&key).is_some_and(|subnets| {
                subnets
                    .iter()
                    .any(|(s, _)| ivs.iter().any(|iv| s.intersect(iv).is_some()))
            }),
        }
    }

    /// Keeps the structural index equal to a rebuild after the network interfaces `ids`
    /// changed between `before` and `after` (created, deleted, moved to another subnet): each
    /// subnet's list of interfaces, in ID order.
    pub fn interfaces_changed(
        &mut self,
        before: &Network,
        after: &Network,
        ids: &[NetworkInterfaceId],
    ) {
        let lists = &mut self.index.interfaces;
        for id in ids {
            if let Some(e) = before.network_interfaces.get(id)
                && let Some(list) = lists.get_mut(&e.subnet_id)
            {
                list.retain(|x| x != id);
                if list.is_empty() {
                    lists.remove(&e.subnet_id);
                }
            }
            if let Some(e) = after.network_interfaces.get(id) {
                let list = lists.entry(e.subnet_id.clone()).or_default();
                if let Err(at) = list.binary_search(id) {
                    list.insert(at, id.clone());
                }
            }
        }
    }

    /// The network interfaces whose subnet, instance or presence differ between two states
    /// (what [`Engine::interfaces_changed`] and `RouteGraph::interfaces_changed` follow), in ID
    /// order.
    pub fn changed_interfaces(before: &Network, after: &Network) -> Vec<NetworkInterfaceId> {
        changed_keys(
            &before.network_interfaces,
            &after.network_interfaces,
            |x, y| x.subnet_id != y.subnet_id || x.instance_id != y.instance_id,
        )
    }

    /// The NAT gateways whose subnet or presence differ between two states, in ID order.
    pub fn changed_nat_gateways(before: &Network, after: &Network) -> Vec<NatGatewayId> {
        changed_keys(&before.nat_gateways, &after.nat_gateways, |x, y| {
            x.subnet_id != y.subnet_id
        })
    }

    /// Rebuilds the structural indexes (after subnets, VPC CIDRs or interfaces change).
    pub fn invalidate_all(&mut self, net: &Network) {
        *self = Engine::new(net);
    }

    fn walker<'a>(&'a self, net: &'a Network, caches: &'a Caches) -> Walker<'a> {
        Walker {
            net,
            index: &self.index,
            caches,
            bulk: false,
            within: None,
            return_checks: true,
        }
    }

    /// The reach of every subnet, in subnet ID order. Uses both cores on large networks.
    pub fn reach_all(&self, net: &Network) -> Vec<SubnetReach> {
        let ids: Vec<SubnetId> = net.subnets.keys().cloned().collect();
        self.reach_many(net, &ids)
    }

    /// The reach of the listed subnets (unknown IDs are skipped), in the order given, computed
    /// on all cores when there are many.
    pub fn reach_many(&self, net: &Network, ids: &[SubnetId]) -> Vec<SubnetReach> {
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(8);
        if ids.len() < 256 || threads < 2 {
            let cache = Caches::default();
            return ids
                .iter()
                .filter_map(|s| self.subnet_reach_in(net, s, &cache, true))
                .collect();
        }
        let chunk = ids.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = ids
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        let cache = Caches::default();
                        part.iter()
                            .filter_map(|s| self.subnet_reach_in(net, s, &cache, true))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            // A panic in a worker is a bug: re-raise it rather than drop that worker's subnets.
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    }

    /// The reach of the listed subnets as a stream: computed a batch at a time (on all cores)
    /// and handed out one by one, so that a report can be written with memory bounded by one
    /// batch instead of the whole account.
    pub fn reach_stream<'a>(
        &'a self,
        net: &'a Network,
        ids: Vec<SubnetId>,
    ) -> impl Iterator<Item = SubnetReach> + 'a {
        const BATCH: usize = 512;
        let mut pos = 0;
        std::iter::from_fn(move || {
            if pos >= ids.len() {
                return None;
            }
            let end = (pos + BATCH).min(ids.len());
            let batch = self.reach_many(net, &ids[pos..end]);
            pos = end;
            Some(batch)
        })
        .flatten()
    }

    /// The reach of one subnet, or `None` if the subnet is not in the network.
    pub fn subnet_reach(&self, net: &Network, subnet_id: &SubnetId) -> Option<SubnetReach> {
        self.subnet_reach_in(net, subnet_id, &Caches::default(), false)
    }

    /// The reach of one subnet to the destinations in `within` (IPv4, IPv6; sorted and
    /// disjoint) only: each family's segments partition exactly those ranges, and its internet
    /// class and ranges describe only them. Everything else is as [`Engine::subnet_reach`]
    /// (public hosts included), except that deliveries over a peering connection carry no
    /// `NO_RETURN_ROUTE` explanation: the return check is skipped, since an exposure diff reads
    /// no explanation. Two such results for the same ranges diff as the whole reach
    /// would wherever nothing outside the ranges changed: what an exposure diff after a route
    /// change needs (the change decides only its own destination's addresses).
    pub fn subnet_reach_within(
        &self,
        net: &Network,
        subnet_id: &SubnetId,
        within: &[Vec<Interval>; 2],
    ) -> Option<SubnetReach> {
        self.subnet_reach_with(net, subnet_id, &Caches::default(), false, Some(within))
    }

    /// [`Engine::subnet_reach_within`] of several subnets for the same ranges, in the order
    /// given (`None` for a subnet not in the network), sharing one walk's caches: each table is
    /// compiled once and the walk onwards from a NAT gateway is made once for all the subnets
    /// behind it (what a route change in the NAT gateway's subnet needs). Like
    /// [`Engine::subnet_reach_within`], it makes no peering return check.
    pub fn subnets_reach_within(
        &self,
        net: &Network,
        ids: &[&SubnetId],
        within: &[Vec<Interval>; 2],
    ) -> Vec<Option<SubnetReach>> {
        self.subnets_reach_within_cached(net, ids, within, &Caches::default())
    }

    /// As [`Engine::subnets_reach_within`], with the caller's caches (which must describe
    /// `net`, see [`Caches::keep_tables_but`]).
    pub fn subnets_reach_within_cached(
        &self,
        net: &Network,
        ids: &[&SubnetId],
        within: &[Vec<Interval>; 2],
        cache: &Caches,
    ) -> Vec<Option<SubnetReach>> {
        let bulk = ids.len() > 1;
        ids.iter()
            .map(|s| self.subnet_reach_with(net, s, cache, bulk, Some(within)))
            .collect()
    }

    fn subnet_reach_in(
        &self,
        net: &Network,
        subnet_id: &SubnetId,
        cache: &Caches,
        bulk: bool,
    ) -> Option<SubnetReach> {
        self.subnet_reach_with(net, subnet_id, cache, bulk, None)
    }

    fn subnet_reach_with(
        &self,
        net: &Network,
        subnet_id: &SubnetId,
        cache: &Caches,
        bulk: bool,
        within: Option<&[Vec<Interval>; 2]>,
    ) -> Option<SubnetReach> {
        let subnet = net.subnets.get(subnet_id)?;
        let eff = net.effective_route_table(subnet_id);
        let fam = |f: Family| self.family_reach(net, subnet, f, cache, bulk, within);
        Some(SubnetReach {
            subnet_id: subnet.id.clone(),
            vpc_id: subnet.vpc_id.clone(),
            owner_id: subnet.owner_id.clone().or_else(|| {
                net.vpcs
                    .get(&subnet.vpc_id)
                    .and_then(|v| v.owner_id.clone())
            }),
            region: subnet
                .region
                .clone()
                .or_else(|| net.vpcs.get(&subnet.vpc_id).and_then(|v| v.region.clone())),
            route_table_id: eff.map(|(t, _)| t.clone()),
            association: eff.map(|(_, k)| k),
            ipv4: fam(Family::Ipv4),
            ipv6: fam(Family::Ipv6),
        })
    }

    fn family_reach(
        &self,
        net: &Network,
        subnet: &Subnet,
        family: Family,
        cache: &Caches,
        bulk: bool,
        within: Option<&[Vec<Interval>; 2]>,
    ) -> FamilyReach {
        let own: Vec<Interval> = subnet.cidrs(family).iter().map(Interval::of_net).collect();
        let has_addresses = !own.is_empty();
        let public_hosts = public_hosts(net, &self.index, &subnet.id, family);
        // A restricted reach with nothing of this family to walk (no ranges of it, or a subnet
        // without addresses of it): what the walk below gives for no branch at all.
        if let Some(w) = within
            && (!has_addresses || w[walk::family_slot(family)].is_empty())
        {
            return FamilyReach {
                family,
                cidrs: subnet.cidrs(family),
                has_addresses,
                internet: InternetClass::Isolated,
                internet_ranges: Vec::new(),
                internet_full: false,
                internet_via: Vec::new(),
                public_hosts,
                segments: Vec::new(),
            };
        }
        let ctx = Ctx {
            family,
            public_v4: Tri::Assumed,
            has_v6: if has_addresses || family == Family::Ipv4 {
                Tri::Assumed
            } else {
                Tri::No
            },
            source_addrs: addr::normalize(own).into(),
            source_name: subnet.id.name(),
            translated: None,
            visited: Vec::new(),
            hops: path::Path::new(),
            explanations: Vec::new(),
            detail: false,
        };
        let mut out = Vec::with_capacity(if within.is_some() { 8 } else { 128 });
        let mut walker = self.walker(net, cache);
        walker.bulk = bulk;
        walker.within = within;
        walker.return_checks = within.is_none();
        let start = match within {
            // (A subnet without addresses of the family sends none of it: a restricted reach,
            // for a diff, which skips such a family, returned above.)
            Some(w) => w[walk::family_slot(family)].clone(),
            None => vec![family.whole()],
        };
        if !start.is_empty() {
            walker.leave_subnet(&subnet.id, start.into(), &ctx, &mut out);
        }
        let segments = group(out);
        let public = addr::public_space(family);
        let mut direct = Vec::new();
        let mut any = Vec::new();
        let mut via: Vec<InternetVia> = Vec::new();
        for s in &segments {
            if let Some(v) = s.internet {
                let hit = addr::intersect(&s.ranges, public);
                if hit.is_empty() {
                    continue;
                }
                if !via.contains(&v) {
                    via.push(v);
                }
                if v == InternetVia::Direct {
                    direct.extend(hit.iter().copied());
                }
                any.extend(hit);
            }
        }
        via.sort();
        let (internet, ranges) = if !has_addresses {
            (InternetClass::Isolated, Vec::new())
        } else if !direct.is_empty() {
            (InternetClass::Public, addr::normalize(direct))
        } else if !any.is_empty() {
            (InternetClass::OutboundOnly, addr::normalize(any))
        } else {
            (InternetClass::Isolated, Vec::new())
        };
        let internet_full =
            !ranges.is_empty() && addr::total_size(&ranges) == addr::total_size(public);
        FamilyReach {
            family,
            cidrs: subnet.cidrs(family),
            has_addresses,
            internet,
            internet_ranges: ranges,
            internet_full,
            internet_via: if has_addresses { via } else { Vec::new() },
            public_hosts,
            segments,
        }
    }

    /// What traffic entering the VPC through `gateway` (an internet or virtual private gateway)
    /// for the addresses of each subnet of its VPC reaches, per subnet and family, in subnet
    /// order: ingress routing (semantics doc §3.6) sends it through the gateway's edge route
    /// table when it has one, else it is delivered locally. Paths start at the gateway and end
    /// at the subnet (no host is chosen). Empty for an unknown or detached gateway.
    pub fn ingress(&self, net: &Network, gateway: &str) -> Vec<IngressReach> {
        let vpc = if gateway.starts_with(InternetGatewayId::PREFIX) {
            net.internet_gateways
                .get(&InternetGatewayId::new(gateway))
                .and_then(|g| g.attached_vpc.clone())
        } else if gateway.starts_with(VpnGatewayId::PREFIX) {
            net.vpn_gateways
                .get(&VpnGatewayId::new(gateway))
                .and_then(|g| g.attached_vpc.clone())
        } else {
            None
        };
        let Some(vpc) = vpc else {
            return Vec::new();
        };
        let caches = Caches::default();
        let w = self.walker(net, &caches);
        let mut out = Vec::new();
        for family in [Family::Ipv4, Family::Ipv6] {
            // Each subnet's own ranges (several IPv6 CIDRs are one subnet's).
            let mut subnets: std::collections::BTreeMap<&SubnetId, Vec<Interval>> =
                std::collections::BTreeMap::new();
            for (iv, s) in self
                .index
                .subnets
                .get(&(vpc.clone(), family))
                .map(Vec::as_slice)
                .unwrap_or(&[])
            {
                subnets.entry(s).or_default().push(*iv);
            }
            for (subnet, ranges) in subnets {
                let ctx = Ctx {
                    family,
                    public_v4: Tri::Yes,
                    has_v6: Tri::Yes,
                    source_addrs: Arc::from(Vec::new()),
                    source_name: Arc::from(gateway),
                    translated: None,
                    visited: Vec::new(),
                    hops: path::Path::new(),
                    explanations: Vec::new(),
                    detail: false,
                };
                let mut walked = Vec::new();
                w.enter_via_gateway(
                    gateway,
                    &vpc,
                    addr::normalize(ranges).into(),
                    &ctx,
                    &mut walked,
                );
                out.push(IngressReach {
                    gateway: Arc::from(gateway),
                    subnet_id: subnet.clone(),
                    vpc_id: vpc.clone(),
                    family,
                    segments: group(walked),
                    public_hosts: public_hosts(net, &self.index, subnet, family).len(),
                });
            }
        }
        out
    }

    /// Traces one packet from `source` (a subnet, interface or instance ID, a private address,
    /// an internet or virtual private gateway ID, or `internet`) to `destination`.
    pub fn trace(
        &self,
        net: &Network,
        source: &str,
        destination: IpAddr,
    ) -> Result<Trace, TraceError> {
        let family = Family::of_addr(&destination);
        let d = addr::addr_value(&destination);
        let mut ctx = Ctx {
            family,
            public_v4: Tri::Assumed,
            has_v6: Tri::Assumed,
            source_addrs: Arc::from(Vec::new()),
            source_name: Arc::from(source),
            translated: None,
            visited: Vec::new(),
            hops: path::Path::new(),
            explanations: Vec::new(),
            detail: true,
        };
        let caches = Caches::default();
        let w = self.walker(net, &caches);
        let mut out = Vec::new();
        let ivs = vec![Interval::single(d)];
        let source = source.trim();
        if source == "internet" {
            self.trace_from_internet(net, destination, &mut ctx, &mut out);
        } else if source.starts_with("igw-") || source.starts_with("vgw-") {
            let vpc = if source.starts_with("igw-") {
                let g = net
                    .internet_gateways
                    .get(&InternetGatewayId::new(source))
                    .ok_or_else(|| TraceError::UnknownSource(source.into()))?;
                g.attached_vpc.clone()
            } else {
                let g = net
                    .vpn_gateways
                    .get(&VpnGatewayId::new(source))
                    .ok_or_else(|| TraceError::UnknownSource(source.into()))?;
                g.attached_vpc.clone()
            };
            let vpc = vpc.ok_or_else(|| TraceError::DetachedGateway(source.into()))?;
            ctx.public_v4 = Tri::Yes;
            w.enter_via_gateway(source, &vpc, ivs.into(), &ctx, &mut out);
        } else if let Some(subnet) = source.starts_with("subnet-").then(|| SubnetId::new(source)) {
            let s = net
                .subnets
                .get(&subnet)
                .ok_or_else(|| TraceError::UnknownSource(source.into()))?;
            ctx.source_addrs =
                addr::normalize(s.cidrs(family).iter().map(Interval::of_net).collect()).into();
            if s.cidrs(family).is_empty() {
                ctx.has_v6 = Tri::No;
                ctx.explanations.push(Explanation {
                    code: "NO_SOURCE_ADDRESS",
                    resource: subnet.name(),
                    message: Arc::from(format!(
                        "{subnet} has no {family} CIDR, so no host in it can send {family} traffic"
                    )),
                });
            }
            ctx.hops.push(Hop::resource(&subnet));
            w.leave_subnet(&subnet, ivs.into(), &ctx, &mut out);
        } else if source.starts_with("eni-") || source.starts_with("i-") {
            let eni = if source.starts_with("i-") {
                let id = InstanceId::new(source);
                if !net.instances.contains_key(&id) {
                    return Err(TraceError::UnknownSource(source.into()));
                }
                ctx.hops.push(Hop::resource(&id));
                net.instance_interface(&id)
                    .ok_or_else(|| TraceError::UnknownSource(source.into()))?
            } else {
                net.network_interfaces
                    .get(&NetworkInterfaceId::new(source))
                    .ok_or_else(|| TraceError::UnknownSource(source.into()))?
            };
            let private = eni.private_ips.first().map(|a| IpAddr::V4(*a));
            self.source_from_interface(eni, private, &mut ctx);
            ctx.hops.push(Hop::resource(&eni.id));
            ctx.hops.push(Hop::resource(&eni.subnet_id));
            w.leave_subnet(&eni.subnet_id, ivs.into(), &ctx, &mut out);
        } else if let Ok(a) = source.parse::<IpAddr>() {
            let subnet = self.subnet_of_address(net, &a)?;
            let owner = net
                .network_interfaces
                .values()
                .find(|e| e.subnet_id == subnet && e.owns(&a));
            match owner {
                Some(eni) => {
                    self.source_from_interface(eni, Some(a), &mut ctx);
                    ctx.hops.push(Hop::resource(&eni.id));
                }
                None => {
                    ctx.source_addrs = vec![Interval::single(addr::addr_value(&a))].into();
                    ctx.source_name = Arc::from(a.to_string());
                    if net.inventory.network_interfaces {
                        ctx.public_v4 = Tri::No;
                        ctx.has_v6 = Tri::Yes;
                        ctx.explanations.push(Explanation {
                            code: "NO_INTERFACE_AT_SOURCE",
                            resource: subnet.name(),
                            message: Arc::from(format!("no network interface in the snapshot holds {a}, so it has no public address mapping")),
                        });
                    }
                }
            }
            ctx.hops.push(Hop::resource(&subnet));
            w.leave_subnet(&subnet, ivs.into(), &ctx, &mut out);
        } else {
            return Err(TraceError::BadSource(source.into()));
        }
        // A single address always ends in exactly one outcome; be defensive all the same.
        let (mut disposition, hops, mut explanations) = match out.into_iter().next() {
            Some((_, o)) => (o.disposition, o.hops_vec(), o.explanations),
            None => (Disposition::Dropped, ctx.hops.to_vec(), ctx.explanations),
        };
        // Delivered to a NAT gateway's own address: the NAT gateway drops it, as it accepts no
        // connection addressed to itself (Batfish's test-nat-gateway: "a packet to the NAT from
        // inside the NAT's own subnet: dropped"). Reach grades whole ranges and still counts the
        // address as delivered to its subnet (README, "not modelled").
        if disposition == Disposition::Delivered
            && let Some(nat) = net
                .network_interfaces
                .values()
                .filter(|e| e.owns(&destination))
                .find_map(|e| net.nat_gateway_of_interface(e))
        {
            disposition = Disposition::Dropped;
            explanations.push(Explanation {
                code: "NAT_GATEWAY_INBOUND",
                resource: nat.id.name(),
                message: Arc::from(format!(
                    "{destination} is {}'s own address: a NAT gateway accepts no connection addressed to itself, it only translates traffic routed through it",
                    nat.id
                )),
            });
        }
        Ok(Trace {
            source: source.to_string(),
            destination,
            disposition,
            hops,
            explanations,
        })
    }

    fn source_from_interface(
        &self,
        eni: &NetworkInterface,
        private: Option<IpAddr>,
        ctx: &mut Ctx,
    ) {
        ctx.source_name = match private {
            Some(p) => Arc::from(format!("{} ({p})", eni.id)),
            None => eni.id.name(),
        };
        ctx.public_v4 = match private {
            Some(IpAddr::V4(p)) if eni.public_ip_for(&p).is_some() => Tri::Yes,
            _ => Tri::No,
        };
        ctx.has_v6 = if eni.ipv6_addresses.is_empty() {
            Tri::No
        } else {
            Tri::Yes
        };
        let addrs: Vec<Interval> = match (ctx.family, private) {
            (Family::Ipv4, Some(p)) => vec![Interval::single(addr::addr_value(&p))],
            (Family::Ipv6, _) => eni
                .ipv6_addresses
                .iter()
                .map(|a| Interval::single(u128::from(*a)))
                .collect(),
            _ => Vec::new(),
        };
        ctx.source_addrs = addrs.into();
    }

    fn subnet_of_address(&self, net: &Network, a: &IpAddr) -> Result<SubnetId, TraceError> {
        let v = addr::addr_value(a);
        let f = Family::of_addr(a);
        let hits: Vec<&Subnet> = net
            .subnets
            .values()
            .filter(|s| s.cidrs(f).iter().any(|c| Interval::of_net(c).contains(v)))
            .collect();
        match hits.as_slice() {
            [] => Err(TraceError::UnknownSource(a.to_string())),
            [s] => Ok(s.id.clone()),
            many => Err(TraceError::AmbiguousAddress {
                address: a.to_string(),
                subnets: many
                    .iter()
                    .map(|s| s.id.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    /// §4.1, "inbound follows the same rules in reverse": replies leave through the subnet's own
    /// table, which must send the public address space to the same internet gateway.
    fn check_internet_return(
        &self,
        net: &Network,
        eni: &NetworkInterface,
        vpc: &VpcId,
        igw: &InternetGatewayId,
        ctx: &mut Ctx,
    ) {
        let Some((table, _)) = net.effective_route_table(&eni.subnet_id) else {
            return;
        };
        let Some(t) = net.route_tables.get(table) else {
            return;
        };
        let fib = Fib::compile(net, t, ctx.family);
        let target = Target::InternetGateway(igw.clone());
        let mut back = 0u128;
        let mut via_appliance: Vec<Arc<str>> = Vec::new();
        let public = addr::public_space(ctx.family);
        for iv in public {
            for (piece, choice) in fib.pieces(*iv) {
                if let fib::Choice::Entry(i) = choice {
                    let r = &fib.entries[i as usize].route;
                    if net.route_status(vpc, r) != TargetStatus::Active {
                        continue;
                    }
                    if r.target == target {
                        back = back.saturating_add(piece.size());
                    } else if let Some(n) =
                        appliance_return(net, vpc, &r.target, piece, &target, ctx.family)
                    {
                        // Inspection by design: replies go through a forwarding appliance
                        // whose own subnet sends them to the internet gateway.
                        back = back.saturating_add(n);
                        let name = r.target.name();
                        if !via_appliance.contains(&name) {
                            via_appliance.push(name);
                        }
                    }
                }
            }
        }
        if !via_appliance.is_empty() {
            ctx.explanations.push(Explanation {
                code: "RETURN_VIA_APPLIANCE",
                resource: table.name(),
                message: Arc::from(format!(
                    "replies leave {} through {} (source/destination check off), whose subnet routes them to {igw}",
                    eni.subnet_id,
                    via_appliance
                        .iter()
                        .map(|a| &**a)
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            });
        }
        if back < addr::total_size(public) {
            let how = if back == 0 {
                "has no route"
            } else {
                "routes only part of the internet"
            };
            ctx.explanations.push(Explanation {
                code: "NO_RETURN_ROUTE",
                resource: table.name(),
                message: Arc::from(format!(
                    "{table} of {} {how} back to {igw}: replies cannot reach the internet (semantics doc §4.1)",
                    eni.subnet_id
                )),
            });
        }
    }

    /// From the internet to a public address: the internet gateway translates the public address
    /// of an interface to its private one and delivers it (semantics doc §4.1).
    fn trace_from_internet(
        &self,
        net: &Network,
        destination: IpAddr,
        ctx: &mut Ctx,
        out: &mut Out,
    ) {
        ctx.source_name = Arc::from("the internet");
        ctx.hops.push(Hop::resource("internet"));
        // Dropped with `why`, the path ending at `last` when given.
        let dropped = |ctx: &mut Ctx, why: Explanation, last: Option<Arc<str>>, out: &mut Out| {
            ctx.explanations.push(why);
            out.push((
                Ranges::one(Interval::single(addr::addr_value(&destination))),
                Outcome {
                    disposition: Disposition::Dropped,
                    hops: ctx.hops.clone(),
                    tail: path::Path::new(),
                    last,
                    blackhole_target: None,
                    explanations: ctx.explanations.clone(),
                    internet: None,
                },
            ));
        };
        let fail = |ctx: &mut Ctx, code: &'static str, msg: String, out: &mut Out| {
            let why = Explanation {
                code,
                resource: Arc::from(destination.to_string()),
                message: Arc::from(msg),
            };
            dropped(ctx, why, None, out);
        };
        let target = match destination {
            IpAddr::V4(d) => net.network_interfaces.values().find_map(|e| {
                e.public_ips
                    .iter()
                    .find(|(_, p)| *p == d)
                    .map(|(private, _)| (e, IpAddr::V4(*private)))
            }),
            IpAddr::V6(d) => net
                .network_interfaces
                .values()
                .find(|e| e.ipv6_addresses.contains(&d))
                .map(|e| (e, destination)),
        };
        // A NAT gateway's public address: the internet gateway translates it and the packet
        // reaches the NAT gateway, which drops it, since it accepts no connection initiated
        // from outside (only replies to connections its subnets opened come back through it;
        // semantics doc §4.2, and Batfish's test-nat-gateway).
        let nat = match (destination, &target) {
            (IpAddr::V4(d), Some((eni, _))) => net
                .nat_gateway_of_interface(eni)
                .or_else(|| net.nat_gateway_with_public_ip(&d)),
            (IpAddr::V4(d), None) => net.nat_gateway_with_public_ip(&d),
            _ => None,
        }
        .map(|n| n.id.clone());
        let nat_drop = |nat: &NatGatewayId| Explanation {
            code: "NAT_GATEWAY_INBOUND",
            resource: nat.name(),
            message: Arc::from(format!(
                "{destination} is {nat}'s: a NAT gateway accepts no connection initiated from the internet, only replies to connections its subnets opened"
            )),
        };
        if let (Some(nat), None) = (&nat, &target) {
            return dropped(ctx, nat_drop(nat), Some(nat.name()), out);
        }
        let Some((eni, inner)) = target else {
            // An address AWS assigned as public is public by definition; otherwise say why not.
            let public = addr::public_space(Family::of_addr(&destination));
            let v = addr::addr_value(&destination);
            if !public.iter().any(|iv| iv.contains(v)) {
                return fail(
                    ctx,
                    "NOT_INTERNET_ROUTABLE",
                    format!("{destination} is not a public address; the internet cannot reach it"),
                    out,
                );
            }
            return fail(
                ctx,
                "NO_OWNER",
                format!(
                    "no network interface in the snapshot owns {destination}; the internet drops it before AWS"
                ),
                out,
            );
        };
        let Some(vpc) = net.subnet_vpc(&eni.subnet_id).cloned() else {
            return fail(
                ctx,
                "UNKNOWN_SUBNET",
                format!("{} is in a subnet the snapshot does not describe", eni.id),
                out,
            );
        };
        let Some(igw) = net.attached_internet_gateway(&vpc) else {
            return fail(
                ctx,
                "NO_INTERNET_GATEWAY",
                format!("{vpc} has no attached internet gateway"),
                out,
            );
        };
        ctx.family = Family::of_addr(&inner);
        ctx.public_v4 = Tri::Yes;
        self.check_internet_return(net, eni, &vpc, &igw.id, ctx);
        if inner != destination {
            ctx.explanations.push(Explanation {
                code: "DESTINATION_NAT",
                resource: igw.id.name(),
                message: Arc::from(format!(
                    "{} translates {destination} to {inner} of {}",
                    igw.id, eni.id
                )),
            });
        }
        let caches = Caches::default();
        let first = out.len();
        self.walker(net, &caches).enter_via_gateway(
            igw.id.as_str(),
            &vpc,
            Ranges::one(Interval::single(addr::addr_value(&inner))),
            ctx,
            out,
        );
        if let Some(nat) = &nat {
            // Routed to the NAT gateway's interface, and dropped there.
            for (_, o) in out.iter_mut().skip(first) {
                if o.disposition == Disposition::Delivered {
                    o.disposition = Disposition::Dropped;
                    o.explanations.push(nat_drop(nat));
                }
            }
        }
    }
}

/// Whether an interface is a NAT gateway's: its type says so (describe-network-interfaces
/// always gives one), or, untyped (a topology file, a replayed record), it holds a NAT
/// gateway's private address in that NAT gateway's subnet.
fn is_nat_gateway_interface(net: &Network, e: &NetworkInterface) -> bool {
    match e.interface_type.as_deref() {
        Some(t) => t == "nat_gateway",
        None => !e.public_ips.is_empty() && net.nat_gateway_of_interface(e).is_some(),
    }
}

fn public_hosts(
    net: &Network,
    index: &NetIndex,
    subnet: &SubnetId,
    family: Family,
) -> Vec<PublicHost> {
    let mut out = Vec::new();
    let enis = index
        .interfaces
        .get(subnet)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    for e in enis.iter().filter_map(|id| net.network_interfaces.get(id)) {
        if is_nat_gateway_interface(net, e) {
            // A NAT gateway accepts no connection initiated from the internet (see
            // `trace_from_internet`): its address makes nothing reachable.
            continue;
        }
        match family {
            Family::Ipv4 => {
                for (private, public) in &e.public_ips {
                    out.push(PublicHost {
                        interface: e.id.clone(),
                        instance: e.instance_id.clone(),
                        private_ip: IpAddr::V4(*private),
                        public_ip: IpAddr::V4(*public),
                    });
                }
            }
            Family::Ipv6 => {
                for a in &e.ipv6_addresses {
                    out.push(PublicHost {
                        interface: e.id.clone(),
                        instance: e.instance_id.clone(),
                        private_ip: IpAddr::V6(*a),
                        public_ip: IpAddr::V6(*a),
                    });
                }
            }
        }
    }
    out
}

/// How much of `piece` a forwarding appliance (an interface or instance with its
/// source/destination check off, in `vpc`) sends on to `igw` through its own subnet's table:
/// the return path of an inspection design (one appliance hop; `None` when `target` is not such
/// an appliance).
fn appliance_return(
    net: &Network,
    vpc: &VpcId,
    target: &Target,
    piece: Interval,
    igw: &Target,
    family: Family,
) -> Option<u128> {
    let eni = match target {
        Target::NetworkInterface(e) => net.network_interfaces.get(e)?,
        Target::Instance(i) => net.instance_interface(i)?,
        _ => return None,
    };
    if eni.source_dest_check || net.subnet_vpc(&eni.subnet_id) != Some(vpc) {
        return None;
    }
    let (table, _) = net.effective_route_table(&eni.subnet_id)?;
    let t = net.route_tables.get(table)?;
    let fib = Fib::compile(net, t, family);
    let mut n = 0u128;
    for (p, choice) in fib.pieces(piece) {
        if let fib::Choice::Entry(i) = choice {
            let r = &fib.entries[i as usize].route;
            if &r.target == igw && net.route_status(vpc, r) == TargetStatus::Active {
                n = n.saturating_add(p.size());
            }
        }
    }
    Some(n)
}

/// Groups the walk's branches into segments with the same disposition, resource path and
/// explanations, ordered by their lowest address; each segment's ranges are sorted and merged.
fn group(pieces: Out) -> Vec<Segment> {
    if pieces.len() <= SMALL_GROUP {
        group_small(pieces)
    } else {
        group_hashed(pieces)
    }
}

/// [`group`] through a hash of the segments' identities. The hash covers the disposition, the
/// path and the number of explanations (hashing the explanations' long messages cost more than
/// it told apart); equality all of it. A branch joining a segment allocates nothing.
fn group_hashed(pieces: Out) -> Vec<Segment> {
    use std::hash::{Hash, Hasher};
    // The first segment of each hash; segments of the same hash chain through `next`.
    let mut first: FxHashMap<u64, u32> =
        FxHashMap::with_capacity_and_hasher(pieces.len(), Default::default());
    let mut segs: Vec<Segment> = Vec::new();
    let mut next: Vec<u32> = Vec::new();
    for (ivs, mut o) in pieces {
        let explanations = o.take_explanations();
        let mut h = crate::fxhash::FxHasher::default();
        o.disposition.hash(&mut h);
        o.internet.hash(&mut h);
        o.hash_resources(&mut h);
        // (The dead target's length: the text is compared when joining.)
        o.blackhole_target.as_ref().map(|t| t.len()).hash(&mut h);
        explanations.len().hash(&mut h);
        let key = h.finish();
        let mut at = first.get(&key).copied();
        let mut last = None;
        while let Some(i) = at {
            if o.joins(&segs[i as usize], &explanations) {
                break;
            }
            last = Some(i);
            at = next.get(i as usize).copied().filter(|&n| n != u32::MAX);
        }
        match at {
            Some(i) => segs[i as usize].ranges.extend(ivs),
            None => {
                let i = segs.len() as u32;
                segs.push(o.segment(ivs, explanations));
                next.push(u32::MAX);
                match last {
                    Some(l) => next[l as usize] = i,
                    None => {
                        first.insert(key, i);
                    }
                }
            }
        }
    }
    settle(&mut segs);
    segs
}

/// Up to this many branches (a restricted walk has a handful), [`group`] compares each with the
/// segments so far instead of hashing paths.
const SMALL_GROUP: usize = 16;

/// [`group`] by a linear search: the same segments in the same order.
fn group_small(pieces: Out) -> Vec<Segment> {
    let mut segs: Vec<Segment> = Vec::with_capacity(pieces.len());
    for (ivs, mut o) in pieces {
        let explanations = o.take_explanations();
        match segs.iter_mut().find(|s| o.joins(s, &explanations)) {
            Some(s) => s.ranges.extend(ivs),
            None => segs.push(o.segment(ivs, explanations)),
        }
    }
    settle(&mut segs);
    segs
}

/// Sorts and merges each segment's ranges and orders the segments by their lowest address
/// (ranges of different segments never overlap, so that orders them totally). What is kept
/// for the life of the result has no spare room: a range list mostly holds one or two ranges,
/// in a buffer grown for four or more.
fn settle(segs: &mut Vec<Segment>) {
    for s in segs.iter_mut() {
        s.ranges = std::mem::take(&mut s.ranges).normalize();
        s.ranges.shrink_to_fit();
    }
    segs.sort_by_key(|s| s.ranges.first().map(|r| r.lo));
    segs.shrink_to_fit();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both ways of grouping a walk's branches give the same segments in the same order:
    /// branches sharing a disposition, path and explanations (in any order, with duplicates)
    /// merge; any difference keeps them apart.
    #[test]
    fn small_and_hashed_grouping_agree() {
        let hop = |r: &str| Hop::resource(r);
        let why = |code: &'static str| Explanation {
            code,
            resource: Arc::from("rtb-1"),
            message: Arc::from(code),
        };
        let outcome = |d: Disposition, hops: &[&str], ex: Vec<Explanation>| Outcome {
            disposition: d,
            hops: path::Path::of(hops.iter().map(|h| hop(h))),
            tail: path::Path::new(),
            last: None,
            blackhole_target: None,
            explanations: ex,
            internet: (d == Disposition::ExitsToInternet).then_some(InternetVia::Direct),
        };
        let iv = |lo: u128, hi: u128| Ranges::one(Interval::new(lo, hi));
        let pieces: Out = vec![
            (
                iv(50, 59),
                outcome(Disposition::Delivered, &["rtb-1", "subnet-2"], vec![]),
            ),
            (
                iv(0, 9),
                outcome(Disposition::ExitsToInternet, &["rtb-1", "igw-1"], vec![]),
            ),
            (
                iv(10, 19),
                outcome(Disposition::Delivered, &["rtb-1", "subnet-2"], vec![]),
            ),
            (
                iv(20, 29),
                outcome(
                    Disposition::Delivered,
                    &["rtb-1", "subnet-2"],
                    vec![why("B"), why("A"), why("B")],
                ),
            ),
            (
                iv(30, 39),
                outcome(
                    Disposition::Delivered,
                    &["rtb-1", "subnet-2"],
                    vec![why("A"), why("B")],
                ),
            ),
            (
                iv(40, 49),
                outcome(Disposition::Blackhole, &["rtb-1", "subnet-2"], vec![]),
            ),
            (
                iv(60, 69),
                outcome(Disposition::Delivered, &["rtb-1", "subnet-3"], vec![]),
            ),
            (
                iv(70, 79),
                outcome(Disposition::Delivered, &["rtb-1"], vec![]),
            ),
            (
                iv(80, 89),
                outcome(Disposition::ExitsToInternet, &["rtb-1", "igw-1"], vec![]),
            ),
        ];
        let small = group_small(pieces.clone());
        assert_eq!(small, group_hashed(pieces));
        // Internet 0-9 and 80-89; delivered to subnet-2 10-19 and 50-59; with explanations
        // 20-39; blackhole; subnet-3; rtb-1 alone.
        assert_eq!(small.len(), 6, "{small:#?}");
        assert_eq!(
            small[0].ranges,
            vec![Interval::new(0, 9), Interval::new(80, 89)]
        );
        assert_eq!(
            small[1].ranges,
            vec![Interval::new(10, 19), Interval::new(50, 59)]
        );
        assert_eq!(small[2].ranges, vec![Interval::new(20, 39)]);
        assert_eq!(small[2].explanations.len(), 2);
    }
}
