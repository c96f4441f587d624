//! Property tests for the reach engine (house style: "Property tests pin algebraic facts").
//!
//! - `lpm_equals_brute_force_scan`: for random route tables of IPv4 and IPv6 prefixes (static
//!   routes, propagated routes and prefix-list routes, built in code), `Fib::lookup` selects what a
//!   direct reading of semantics doc §3.3 selects: every matching candidate (prefix-list entries
//!   as separate prefixes), the longest prefix, then static < prefix list < propagated; ties
//!   between different targets are flagged as ambiguous. Probed at every prefix boundary
//!   (first, last, one before, one after) and at random addresses.
//! - `segments_partition_the_address_space`: for random topologies (TOML), the segments of every
//!   subnet's reach are sorted, disjoint and gap-free, covering 0..=max in both families.
//! - `evaluation_is_deterministic`: two engines on the same network give equal `reach_all`
//!   results and byte-identical `report::reach_json`, also across two imports of the same text.

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};
use vpcsim::addr::Family;
use vpcsim::model::{
    Destination, Network, PrefixList, PrefixListId, Route, RouteOrigin, RouteTable, RouteTableId,
    Target, Vpc, VpcId,
};
use vpcsim::reach::Engine;
use vpcsim::reach::fib::{Choice, Fib};
use vpcsim::report;
use vpcsim::snapshot::{self, topology};

// ---------------------------------------------------------------------------------------------
// (a) Longest-prefix match against a brute-force scan of §3.3.

/// A prefix drawn so that prefixes nest and collide often: a few base addresses per case, cut at
/// a random or a common length (sometimes a fully random address instead).
#[derive(Clone, Debug)]
struct PrefixSpec {
    v6: bool,
    base: usize,
    len: LenSpec,
    random: Option<u128>,
}

#[derive(Clone, Debug)]
enum LenSpec {
    /// Any length of the family (taken modulo bits + 1).
    Any(u8),
    /// One of four common lengths (v4 0/8/16/24, v6 0/32/56/64), so that equal prefixes recur.
    Common(usize),
    /// /32 or /128.
    Full,
}

impl LenSpec {
    fn get(&self, bits: u8) -> u8 {
        match self {
            LenSpec::Any(l) => l % (bits + 1),
            LenSpec::Common(i) if bits == 32 => [0, 8, 16, 24][*i],
            LenSpec::Common(i) => [0, 32, 56, 64][*i],
            LenSpec::Full => bits,
        }
    }
}

fn prefix_spec() -> impl Strategy<Value = PrefixSpec> {
    let len = prop_oneof![
        3 => any::<u8>().prop_map(LenSpec::Any),
        3 => (0usize..4).prop_map(LenSpec::Common),
        1 => Just(LenSpec::Full),
    ];
    (
        any::<bool>(),
        0usize..3,
        len,
        prop::option::weighted(0.2, any::<u128>()),
    )
        .prop_map(|(v6, base, len, random)| PrefixSpec {
            v6,
            base,
            len,
            random,
        })
}

#[derive(Clone, Debug)]
enum RouteKind {
    /// A static CIDR route (CreateRoute) to one of four targets.
    Static(usize),
    /// A propagated route (EnableVgwRoutePropagation) from one of two VGWs.
    Propagated(usize),
    /// A static route to a prefix list (possibly one that does not exist) and a target.
    List(usize, usize),
}

fn route_kind() -> impl Strategy<Value = RouteKind> {
    prop_oneof![
        3 => (0usize..4).prop_map(RouteKind::Static),
        2 => (0usize..2).prop_map(RouteKind::Propagated),
        2 => (0usize..4, 0usize..4).prop_map(|(l, t)| RouteKind::List(l, t)),
    ]
}

#[derive(Clone, Debug)]
struct TableCase {
    bases4: Vec<u32>,
    bases6: Vec<u128>,
    routes: Vec<(PrefixSpec, RouteKind)>,
    lists: Vec<Vec<PrefixSpec>>,
    probes: Vec<u128>,
}

fn table_case() -> impl Strategy<Value = TableCase> {
    (
        prop::collection::vec(any::<u32>(), 3),
        prop::collection::vec(any::<u128>(), 3),
        prop::collection::vec((prefix_spec(), route_kind()), 0..24),
        prop::collection::vec(prop::collection::vec(prefix_spec(), 0..5), 1..4),
        prop::collection::vec(any::<u128>(), 16),
    )
        .prop_map(|(bases4, bases6, routes, lists, probes)| TableCase {
            bases4,
            bases6,
            routes,
            lists,
            probes,
        })
}

const STATIC_TARGETS: [&str; 4] = [
    "igw-0a000001",
    "igw-0a000002",
    "pcx-0a000001",
    "pcx-0a000002",
];
const VGWS: [&str; 2] = ["vgw-0a000001", "vgw-0a000002"];

fn list_id(i: usize) -> PrefixListId {
    PrefixListId::new(format!("pl-0a00000{i}"))
}

fn make_net(c: &TableCase, p: &PrefixSpec) -> IpNet {
    if p.v6 {
        let len = p.len.get(128);
        let a = p.random.unwrap_or(c.bases6[p.base]);
        IpNet::V6(Ipv6Net::new(Ipv6Addr::from(a), len).unwrap().trunc())
    } else {
        let len = p.len.get(32);
        let a = p.random.map(|r| r as u32).unwrap_or(c.bases4[p.base]);
        IpNet::V4(Ipv4Net::new(Ipv4Addr::from(a), len).unwrap().trunc())
    }
}

/// One VPC and one route table, built in code.
fn build_table(c: &TableCase) -> (Network, RouteTableId) {
    let mut net = Network::default();
    let vpc = VpcId::new("vpc-0a000001");
    net.vpcs.insert(
        vpc.clone(),
        Vpc {
            id: Some(vpc.clone()),
            ipv4_cidrs: vec!["10.0.0.0/16".parse().unwrap()],
            ipv6_cidrs: vec!["2001:db8:1200::/56".parse().unwrap()],
            ..Vpc::default()
        },
    );
    for (i, entries) in c.lists.iter().enumerate() {
        let id = list_id(i);
        let cidrs = entries.iter().map(|p| make_net(c, p)).collect();
        net.prefix_lists.insert(
            id.clone(),
            PrefixList {
                id,
                name: None,
                cidrs,
                max_entries: None,
            },
        );
    }
    let table_id = RouteTableId::new("rtb-0a000001");
    let mut table = RouteTable::new(table_id.clone(), vpc);
    for (p, kind) in &c.routes {
        let route = match kind {
            RouteKind::Static(t) => Route::new(
                Destination::cidr(make_net(c, p)),
                Target::from_id(STATIC_TARGETS[*t]),
                RouteOrigin::CreateRoute,
            ),
            RouteKind::Propagated(v) => Route::new(
                Destination::cidr(make_net(c, p)),
                Target::from_id(VGWS[*v]),
                RouteOrigin::EnableVgwRoutePropagation,
            ),
            RouteKind::List(l, t) => Route::new(
                Destination::PrefixList(list_id(*l)),
                Target::from_id(STATIC_TARGETS[*t]),
                RouteOrigin::CreateRoute,
            ),
        };
        table.put_route(route);
    }
    net.route_tables.insert(table_id.clone(), table);
    (net, table_id)
}

fn family_of(n: &IpNet) -> Family {
    match n {
        IpNet::V4(_) => Family::Ipv4,
        IpNet::V6(_) => Family::Ipv6,
    }
}

/// (first, last) address of a prefix as integers, computed with masks (not with the crate's
/// interval helpers, so that the oracle is independent of the code under test).
fn bounds(n: &IpNet) -> (u128, u128) {
    let (addr, len, bits) = match n {
        IpNet::V4(n) => (u32::from(n.addr()) as u128, n.prefix_len() as u32, 32u32),
        IpNet::V6(n) => (u128::from(n.addr()), n.prefix_len() as u32, 128u32),
    };
    let all: u128 = if bits == 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    };
    let host: u128 = if len >= bits { 0 } else { all >> len };
    let lo = addr & !host & all;
    (lo, lo | host)
}

fn contains(n: &IpNet, a: u128) -> bool {
    let (lo, hi) = bounds(n);
    lo <= a && a <= hi
}

/// Semantics doc §3.3, read directly: all matching candidates; the longest prefix; then static
/// (0) < prefix list (1) < propagated (2). Returns the best length and every tied candidate.
fn brute_force<'a>(
    net: &'a Network,
    table: &'a RouteTable,
    family: Family,
    a: u128,
) -> Option<(u8, Vec<&'a Route>)> {
    let mut cands: Vec<(u8, u8, &Route)> = Vec::new();
    for r in table.routes.values() {
        let propagated = r.origin == RouteOrigin::EnableVgwRoutePropagation;
        match &r.destination {
            Destination::PrefixList(pl) => {
                for e in net
                    .prefix_lists
                    .get(pl)
                    .map(|l| l.cidrs.as_slice())
                    .unwrap_or_default()
                {
                    if family_of(e) == family && contains(e, a) {
                        cands.push((e.prefix_len(), if propagated { 2 } else { 1 }, r));
                    }
                }
            }
            d => {
                let n = d.net().unwrap();
                if family_of(&n) == family && contains(&n, a) {
                    cands.push((n.prefix_len(), if propagated { 2 } else { 0 }, r));
                }
            }
        }
    }
    let best_len = cands.iter().map(|c| c.0).max()?;
    let best_rank = cands
        .iter()
        .filter(|c| c.0 == best_len)
        .map(|c| c.1)
        .min()?;
    let mut tied: Vec<&Route> = cands
        .iter()
        .filter(|c| c.0 == best_len && c.1 == best_rank)
        .map(|c| c.2)
        .collect();
    tied.dedup();
    Some((best_len, tied))
}

/// Every prefix boundary of the case (first, last, one before, one after) plus random addresses
/// and the ends of the space, for one family.
fn probes(c: &TableCase, net: &Network, table: &RouteTable, family: Family) -> Vec<u128> {
    let max = family.max();
    let mut nets: Vec<IpNet> = table
        .routes
        .values()
        .filter_map(|r| r.destination.net())
        .collect();
    nets.extend(
        net.prefix_lists
            .values()
            .flat_map(|l| l.cidrs.iter().copied()),
    );
    let mut out = vec![0, max];
    for n in nets.iter().filter(|n| family_of(n) == family) {
        let (lo, hi) = bounds(n);
        out.extend([lo, hi]);
        out.extend(lo.checked_sub(1));
        if hi < max {
            out.push(hi + 1);
        }
    }
    out.extend(
        c.probes
            .iter()
            .map(|p| if family == Family::Ipv4 { p & max } else { *p }),
    );
    out.sort_unstable();
    out.dedup();
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    // Semantics doc §3.3 (selection algorithm) and §3.4 (blackholes stay candidates: the FIB does
    // not look at state at all).
    #[test]
    fn lpm_equals_brute_force_scan(c in table_case()) {
        let (net, table_id) = build_table(&c);
        let table = &net.route_tables[&table_id];
        for family in Family::ALL {
            let fib = Fib::compile(&net, table, family);
            for a in probes(&c, &net, table, family) {
                let expected = brute_force(&net, table, family, a);
                match (fib.lookup(a), expected) {
                    (Choice::NoRoute, None) => {}
                    (Choice::NoRoute, Some((len, tied))) => {
                        prop_assert!(false, "{family} {a:#x}: no route, expected /{len} {:?}", tied);
                    }
                    (Choice::Entry(i), None) => {
                        prop_assert!(false, "{family} {a:#x}: chose {:?}, expected no route", fib.entries[i as usize].route);
                    }
                    (Choice::Entry(i), Some((len, tied))) => {
                        let e = &fib.entries[i as usize];
                        prop_assert_eq!(e.matched.prefix_len(), len, "{} {:#x}: matched {}", family, a, e.matched);
                        prop_assert!(contains(&e.matched, a), "{family} {a:#x}: matched {} does not contain it", e.matched);
                        prop_assert!(
                            tied.contains(&&e.route),
                            "{family} {a:#x}: chose {:?}, expected one of {:?}", e.route, tied
                        );
                        let mut targets: Vec<&Target> = tied.iter().map(|r| &r.target).collect();
                        targets.sort();
                        targets.dedup();
                        prop_assert_eq!(
                            e.ambiguous_with.is_some(),
                            targets.len() > 1,
                            "{} {:#x}: tied targets {:?}, ambiguous_with {:?}", family, a, targets, e.ambiguous_with
                        );
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// (b), (c) Random topologies, written as TOML.

#[derive(Clone, Debug)]
struct Topo {
    /// Per subnet of VPC A (10.0.k.0/24): has IPv6, explicit table (else main), public IPv4 host.
    subnets: Vec<(bool, bool, bool)>,
    igw: usize,
    nat: (usize, bool, usize, bool),
    eni: (usize, bool),
    peer_b_active: bool,
    /// Route tables: [main of A, one per subnet of A, main of B]; each a list of (dest, target).
    tables: Vec<Vec<(DestSpec, usize)>>,
}

#[derive(Clone, Debug)]
enum DestSpec {
    Pool(usize),
    V4(u32, u8),
    V6(u128, u8),
}

fn dest_spec() -> impl Strategy<Value = DestSpec> {
    prop_oneof![
        4 => (0usize..64).prop_map(DestSpec::Pool),
        1 => (any::<u32>(), 0u8..=32).prop_map(|(a, l)| DestSpec::V4(a, l)),
        1 => (any::<u128>(), 0u8..=128).prop_map(|(a, l)| DestSpec::V6(a, l)),
    ]
}

fn topo() -> impl Strategy<Value = Topo> {
    (
        prop::collection::vec((any::<bool>(), any::<bool>(), any::<bool>()), 1..=4),
        0usize..3,
        (0usize..3, any::<bool>(), 0usize..4, any::<bool>()),
        (0usize..4, any::<bool>()),
        any::<bool>(),
        prop::collection::vec(prop::collection::vec((dest_spec(), 0usize..64), 0..7), 6),
    )
        .prop_map(|(subnets, igw, nat, eni, peer_b_active, tables)| Topo {
            subnets,
            igw,
            nat,
            eni,
            peer_b_active,
            tables,
        })
}

const TARGETS: [&str; 10] = [
    "igw-0a000001",
    "eigw-0a000001",
    "nat-0a000001",
    "eni-0f000001",
    "pcx-0a0c0001",
    "pcx-0a0b0001",
    "vgw-0a000001",
    "local",
    "tgw-0a000001",
    "i-0a000001",
];

fn dest(t: &Topo, d: &DestSpec) -> String {
    let k = t.subnets.len();
    let pool: Vec<String> = [
        "0.0.0.0/0",
        "0.0.0.0/1",
        "128.0.0.0/1",
        "8.0.0.0/8",
        "8.8.8.0/24",
        "10.0.0.0/16",
        "10.0.0.0/8",
        "10.1.0.0/16",
        "172.16.0.0/16",
        "192.168.0.0/16",
        "::/0",
        "2000::/3",
        "64:ff9b::/96",
        "2001:db8:1200::/56",
        "2001:db8:1300::/56",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain((1..=k).map(|i| format!("10.0.{i}.0/24")))
    .chain((1..=k).map(|i| format!("2001:db8:1200:{i}::/64")))
    .collect();
    let net = match d {
        DestSpec::Pool(i) => pool[i % pool.len()].parse::<IpNet>().unwrap(),
        DestSpec::V4(a, l) => IpNet::V4(Ipv4Net::new(Ipv4Addr::from(*a), *l).unwrap()),
        DestSpec::V6(a, l) => IpNet::V6(Ipv6Net::new(Ipv6Addr::from(*a), *l).unwrap()),
    };
    net.trunc().to_string()
}

fn routes_toml(t: &Topo, routes: &[(DestSpec, usize)]) -> String {
    // One route per destination (a duplicate is an input error, EC2's RouteAlreadyExists).
    let mut by_dest: BTreeMap<String, &str> = BTreeMap::new();
    for (d, target) in routes {
        by_dest
            .entry(dest(t, d))
            .or_insert(TARGETS[target % TARGETS.len()]);
    }
    by_dest
        .iter()
        .map(|(d, tg)| format!("\"{d} -> {tg}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn topo_toml(t: &Topo) -> String {
    let k = t.subnets.len();
    let mut s = String::from(
        r#"account = "123456789012"

[[vpc]]
id = "vpc-0a000001"
cidrs = ["10.0.0.0/16", "2001:db8:1200::/56"]

[[vpc]]
id = "vpc-0b000001"
cidrs = ["10.1.0.0/16", "2001:db8:1300::/56"]

[[subnet]]
id = "subnet-0b000001"
vpc = "vpc-0b000001"
cidr = "10.1.1.0/24"
ipv6_cidrs = ["2001:db8:1300:1::/64"]

[[egress_only_internet_gateway]]
id = "eigw-0a000001"
vpc = "vpc-0a000001"

[[vpn_gateway]]
id = "vgw-0a000001"
vpc = "vpc-0a000001"

[[vpc_peering_connection]]
id = "pcx-0a0c0001"
requester = "vpc-0a000001"
accepter = "vpc-0c000001"
accepter_cidrs = ["172.16.0.0/16"]

[[transit_gateway_attachment]]
id = "tgw-attach-0a000001"
transit_gateway = "tgw-0a000001"
vpc = "vpc-0a000001"

[[instance]]
id = "i-0b000001"
subnet = "subnet-0b000001"
private_ip = "10.1.1.5"
"#,
    );
    for (i, (v6, _, public)) in t.subnets.iter().enumerate() {
        let n = i + 1;
        let _ = write!(
            s,
            "\n[[subnet]]\nid = \"subnet-0a00000{n}\"\nvpc = \"vpc-0a000001\"\ncidr = \"10.0.{n}.0/24\"\n"
        );
        if *v6 {
            let _ = writeln!(s, "ipv6_cidrs = [\"2001:db8:1200:{n}::/64\"]");
        }
        let _ = write!(
            s,
            "\n[[instance]]\nid = \"i-0a00000{n}\"\nsubnet = \"subnet-0a00000{n}\"\nprivate_ip = \"10.0.{n}.5\"\n"
        );
        if *public {
            let _ = writeln!(s, "public_ip = \"198.51.100.{n}\"");
        }
        if *v6 {
            let _ = writeln!(s, "ipv6 = [\"2001:db8:1200:{n}::5\"]");
        }
    }
    let igw_vpc = ["vpc = \"vpc-0a000001\"", "", "vpc = \"vpc-0b000001\""][t.igw];
    let _ = write!(
        s,
        "\n[[internet_gateway]]\nid = \"igw-0a000001\"\n{igw_vpc}\n"
    );
    let (state, private, sub, eip) = t.nat;
    let _ = write!(
        s,
        "\n[[nat_gateway]]\nid = \"nat-0a000001\"\nsubnet = \"subnet-0a00000{}\"\nstate = \"{}\"\nconnectivity = \"{}\"\nprivate_ip = \"10.0.{}.10\"\n",
        sub % k + 1,
        ["available", "deleted", "failed"][state],
        if private { "private" } else { "public" },
        sub % k + 1,
    );
    if eip && !private {
        let _ = writeln!(s, "public_ip = \"198.51.100.200\"");
    }
    let _ = write!(
        s,
        "\n[[network_interface]]\nid = \"eni-0f000001\"\nsubnet = \"subnet-0a00000{}\"\nprivate_ips = [\"10.0.{}.20\"]\nsource_dest_check = {}\n",
        t.eni.0 % k + 1,
        t.eni.0 % k + 1,
        t.eni.1,
    );
    let _ = write!(
        s,
        "\n[[vpc_peering_connection]]\nid = \"pcx-0a0b0001\"\nrequester = \"vpc-0a000001\"\naccepter = \"vpc-0b000001\"\nstatus = \"{}\"\n",
        if t.peer_b_active {
            "active"
        } else {
            "pending-acceptance"
        },
    );
    let _ = write!(
        s,
        "\n[[route_table]]\nid = \"rtb-0a000000\"\nvpc = \"vpc-0a000001\"\nmain = true\nroutes = [{}]\n",
        routes_toml(t, &t.tables[0])
    );
    for (i, (_, explicit, _)) in t.subnets.iter().enumerate() {
        let n = i + 1;
        let subnets = if *explicit {
            format!("\"subnet-0a00000{n}\"")
        } else {
            String::new()
        };
        let _ = write!(
            s,
            "\n[[route_table]]\nid = \"rtb-0a00000{n}\"\nvpc = \"vpc-0a000001\"\nsubnets = [{subnets}]\nroutes = [{}]\n",
            routes_toml(t, &t.tables[n])
        );
    }
    let _ = write!(
        s,
        "\n[[route_table]]\nid = \"rtb-0b000000\"\nvpc = \"vpc-0b000001\"\nmain = true\nroutes = [{}]\n",
        routes_toml(t, &t.tables[5])
    );
    s
}

fn load(text: &str) -> snapshot::Loaded {
    let mut loaded = topology::load_str(text, "random.toml")
        .unwrap_or_else(|e| panic!("generated topology does not load:\n{e}\n{text}"));
    snapshot::finish(&mut loaded);
    loaded
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    // reach/mod.rs ("the whole address space split into disjoint ranges with one forwarding
    // outcome each"): for every subnet and family, the segments' ranges, sorted, start at 0, end
    // at the family's last address, and each begins right after the previous one ends.
    #[test]
    fn segments_partition_the_address_space(t in topo()) {
        let text = topo_toml(&t);
        let loaded = load(&text);
        let net = &loaded.network;
        let engine = Engine::new(net);
        for r in engine.reach_all(net) {
            for f in [&r.ipv4, &r.ipv6] {
                let mut ranges: Vec<(u128, u128)> = f.segments.iter().flat_map(|s| s.ranges.iter().map(|iv| (iv.lo, iv.hi))).collect();
                ranges.sort_unstable();
                prop_assert!(!ranges.is_empty(), "{} {}: no segments", r.subnet_id, f.family);
                prop_assert_eq!(ranges[0].0, 0, "{} {}: does not start at 0", r.subnet_id, f.family);
                for w in ranges.windows(2) {
                    prop_assert!(w[0].0 <= w[0].1, "{} {}: empty range {:?}", r.subnet_id, f.family, w[0]);
                    prop_assert!(w[0].1 < w[1].0, "{} {}: {:?} overlaps {:?}\n{}", r.subnet_id, f.family, w[0], w[1], text);
                    prop_assert_eq!(w[0].1 + 1, w[1].0, "{} {}: gap between {:?} and {:?}\n{}", r.subnet_id, f.family, w[0], w[1], text);
                }
                let last = ranges[ranges.len() - 1];
                prop_assert!(last.0 <= last.1);
                prop_assert_eq!(last.1, f.family.max(), "{} {}: does not end at the last address", r.subnet_id, f.family);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    // house-style.md ("same input, byte-identical output"), report/mod.rs ("Output is a pure
    // function of its input"): evaluation and rendering are deterministic.
    #[test]
    fn evaluation_is_deterministic(t in topo()) {
        let text = topo_toml(&t);
        let first = load(&text);
        let second = load(&text);
        let a = Engine::new(&first.network).reach_all(&first.network);
        let b = Engine::new(&first.network).reach_all(&first.network);
        prop_assert_eq!(&a, &b);
        let json_a = report::reach_json(&a, &first.diagnostics);
        let json_b = report::reach_json(&b, &first.diagnostics);
        prop_assert_eq!(&json_a, &json_b);
        let c = Engine::new(&second.network).reach_all(&second.network);
        prop_assert_eq!(&a, &c);
        prop_assert_eq!(&json_a, &report::reach_json(&c, &second.diagnostics));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    // reach/walk.rs (the NAT gateway cache): `reach_all` reuses each NAT gateway's onward walk
    // across the subnets routed to it; the result must equal computing each subnet on its own,
    // and the streamed JSON must equal the rendered one byte for byte.
    #[test]
    fn cached_and_streamed_reach_equal_the_plain_one(t in topo()) {
        let text = topo_toml(&t);
        let loaded = load(&text);
        let net = &loaded.network;
        let engine = Engine::new(net);
        let all = engine.reach_all(net);
        let one_by_one: Vec<_> = net
            .subnets
            .keys()
            .filter_map(|s| engine.subnet_reach(net, s))
            .collect();
        prop_assert_eq!(&all, &one_by_one);
        let ids: Vec<_> = net.subnets.keys().cloned().collect();
        let mut streamed = Vec::new();
        report::write_reach_json(&mut streamed, engine.reach_stream(net, ids), &loaded.diagnostics)
            .expect("writing to memory");
        prop_assert_eq!(
            String::from_utf8_lossy(&streamed),
            report::reach_json(&all, &loaded.diagnostics)
        );
    }
}

// reach/mod.rs (`reach_many`): from 256 subnets on, the work is split over threads, each with
// its own caches; the result must equal computing each subnet alone, in subnet ID order.
#[test]
fn threaded_reach_of_many_subnets_equals_the_plain_one() {
    let mut text = String::from(
        "[[vpc]]\nid = \"vpc-0a000001\"\ncidrs = [\"10.0.0.0/16\"]\n\n[[vpc]]\nid = \"vpc-0a000002\"\ncidrs = [\"10.1.0.0/16\"]\n\n\
         [[internet_gateway]]\nid = \"igw-0a000001\"\nvpc = \"vpc-0a000001\"\n\n\
         [[vpc_peering_connection]]\nid = \"pcx-0a000001\"\nrequester = \"vpc-0a000001\"\naccepter = \"vpc-0a000002\"\n\n",
    );
    for v in 0..2 {
        for i in 0..150 {
            text.push_str(&format!(
                "[[subnet]]\nid = \"subnet-{v}{i:07x}\"\nvpc = \"vpc-0a00000{}\"\ncidr = \"10.{v}.{i}.0/24\"\n\n",
                v + 1
            ));
        }
    }
    text.push_str("[[nat_gateway]]\nid = \"nat-0a000001\"\nsubnet = \"subnet-00000000\"\npublic_ip = \"198.51.100.9\"\n\n");
    text.push_str("[[route_table]]\nid = \"rtb-0a000001\"\nvpc = \"vpc-0a000001\"\nsubnets = [\"subnet-00000000\"]\nroutes = [\"0.0.0.0/0 -> igw-0a000001\", \"10.1.0.0/16 -> pcx-0a000001\"]\n\n");
    text.push_str("[[route_table]]\nid = \"rtb-0a000002\"\nvpc = \"vpc-0a000001\"\nmain = true\nroutes = [\"0.0.0.0/0 -> nat-0a000001\", \"10.1.0.0/16 -> pcx-0a000001\"]\n\n");
    text.push_str("[[route_table]]\nid = \"rtb-0a000003\"\nvpc = \"vpc-0a000002\"\nmain = true\nroutes = [\"10.0.0.0/17 -> pcx-0a000001\"]\n");
    let loaded = load(&text);
    let net = &loaded.network;
    assert_eq!(net.subnets.len(), 300);
    let engine = Engine::new(net);
    let all = engine.reach_all(net);
    let ids: Vec<_> = all.iter().map(|r| r.subnet_id.clone()).collect();
    let expected: Vec<_> = net.subnets.keys().cloned().collect();
    assert_eq!(ids, expected, "subnet ID order");
    for r in &all {
        assert_eq!(Some(r), engine.subnet_reach(net, &r.subnet_id).as_ref());
    }
    // A source above 10.0.127.255 gets no return route from the peer (it routes only
    // 10.0.0.0/17 back); one below it does.
    let returns = |id: &str| {
        let r = all.iter().find(|r| r.subnet_id.as_str() == id).expect(id);
        !r.ipv4
            .segments
            .iter()
            .any(|s| s.explanations.iter().any(|e| e.code == "NO_RETURN_ROUTE"))
    };
    assert!(
        !returns("subnet-00000082"),
        "10.0.130.0/24 has no return route"
    );
    assert!(returns("subnet-00000010"), "10.0.16.0/24 has one");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    // exposure/mod.rs: a reach compared with itself has no changes; between two random
    // topologies' common subnets, the changed ranges of one family never overlap (each range
    // has one outcome before and one after, so one change).
    #[test]
    fn exposure_changes_are_disjoint_and_empty_for_equal_reach(t in topo(), u in topo()) {
        let a = load(&topo_toml(&t));
        let b = load(&topo_toml(&u));
        let ea = Engine::new(&a.network);
        let eb = Engine::new(&b.network);
        for s in a.network.subnets.keys() {
            let ra = ea.subnet_reach(&a.network, s).expect("subnet");
            prop_assert!(vpcsim::exposure::diff(&ra, &ra).is_empty());
            if let Some(rb) = eb.subnet_reach(&b.network, s) {
                let changes = vpcsim::exposure::diff(&ra, &rb);
                for f in [vpcsim::addr::Family::Ipv4, vpcsim::addr::Family::Ipv6] {
                    let mut all: Vec<(u128, u128)> = changes
                        .iter()
                        .filter(|c| c.family == f)
                        .flat_map(|c| c.ranges.iter().map(|r| (r.lo, r.hi)))
                        .collect();
                    all.sort_unstable();
                    for w in all.windows(2) {
                        prop_assert!(w[0].1 < w[1].0, "{s} {f}: {:?} overlaps {:?}", w[0], w[1]);
                    }
                }
                for c in &changes {
                    prop_assert!(c.before != c.after);
                }
            }
        }
    }
}
