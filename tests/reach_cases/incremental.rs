//! Incremental recomputation: the route graph names every subnet a change can affect, and an
//! engine kept across a route change (tables are compiled on demand, nothing to invalidate)
//! agrees with a fresh one (reach/graph.rs, reach/mod.rs; route state derived at query time, §3.4).

use crate::util::*;
use vpcsim::model::{
    Destination, NatGatewayId, NatGatewayState, Network, Route, RouteKey, RouteOrigin,
    RouteTableId, SubnetId, Target,
};
use vpcsim::reach::{Engine, InternetClass, RouteGraph};

/// vpc-0a000001: a public subnet (rtb-0a000001: 0.0.0.0/0 -> igw) holding a public NAT gateway,
/// and a private subnet (rtb-0a000002: 0.0.0.0/0 -> nat). vpc-0b000001, unrelated: one public
/// subnet with its own IGW.
const FIXTURE: &str = r#"
account = "123456789012"

[[vpc]]
id = "vpc-0a000001"
cidrs = ["10.0.0.0/16"]

[[vpc]]
id = "vpc-0b000001"
cidrs = ["10.1.0.0/16"]

[[subnet]]
id = "subnet-0a000001"
vpc = "vpc-0a000001"
cidr = "10.0.1.0/24"

[[subnet]]
id = "subnet-0a000002"
vpc = "vpc-0a000001"
cidr = "10.0.2.0/24"

[[subnet]]
id = "subnet-0b000001"
vpc = "vpc-0b000001"
cidr = "10.1.1.0/24"

[[internet_gateway]]
id = "igw-0a000001"
vpc = "vpc-0a000001"

[[internet_gateway]]
id = "igw-0b000001"
vpc = "vpc-0b000001"

[[nat_gateway]]
id = "nat-0a000001"
subnet = "subnet-0a000001"
private_ip = "10.0.1.10"
public_ip = "198.51.100.20"

[[route_table]]
id = "rtb-0a000001"
vpc = "vpc-0a000001"
subnets = ["subnet-0a000001"]
routes = ["0.0.0.0/0 -> igw-0a000001"]

[[route_table]]
id = "rtb-0a000002"
vpc = "vpc-0a000001"
main = true
routes = ["0.0.0.0/0 -> nat-0a000001"]

[[route_table]]
id = "rtb-0b000001"
vpc = "vpc-0b000001"
main = true
routes = ["0.0.0.0/0 -> igw-0b000001"]
"#;

fn ids(v: &[&str]) -> Vec<SubnetId> {
    v.iter().map(|s| SubnetId::new(*s)).collect()
}

/// Asserts that `engine` (updated incrementally) gives, for every subnet, what a fresh engine gives.
#[track_caller]
fn assert_matches_fresh(engine: &Engine, net: &Network) {
    let fresh = Engine::new(net);
    for id in net.subnets.keys() {
        assert_eq!(
            engine.subnet_reach(net, id),
            fresh.subnet_reach(net, id),
            "{id} differs from a fresh engine"
        );
    }
}

// reach/graph.rs: a change to the IGW affects the public subnet (whose table targets it) and the
// private subnet whose NAT gateway egresses through that table, and nothing in the other VPC.
#[test]
fn internet_gateway_change_affects_public_subnet_and_subnet_behind_its_nat() {
    let net = load(FIXTURE);
    let g = RouteGraph::build(&net);
    let affected = g.affected_subnets("igw-0a000001");
    assert_eq!(affected, ids(&["subnet-0a000001", "subnet-0a000002"]));
    assert!(!affected.contains(&SubnetId::new("subnet-0b000001")));
    // The NAT gateway's own change reaches the subnet routed to it, and stays within its VPC.
    let nat = g.affected_subnets("nat-0a000001");
    assert!(nat.contains(&SubnetId::new("subnet-0a000002")), "{nat:?}");
    assert!(!nat.contains(&SubnetId::new("subnet-0b000001")), "{nat:?}");
    assert_eq!(
        g.affected_subnets("igw-0b000001"),
        ids(&["subnet-0b000001"])
    );
}

// reach/mod.rs (tables compiled on demand): replacing the private table's NAT route by an IGW
// route (what product.md calls "a NAT route replaced by an IGW route") makes the subnet public,
// and the engine kept across the change agrees with a fresh one.
#[test]
fn engine_kept_across_a_route_change_matches_fresh_engine() {
    let mut net = load(FIXTURE);
    let engine = Engine::new(&net);
    let private = SubnetId::new("subnet-0a000002");
    let before = engine.subnet_reach(&net, &private).unwrap();
    assert_class(&before.ipv4, InternetClass::OutboundOnly);

    let table = RouteTableId::new("rtb-0a000002");
    net.route_tables
        .get_mut(&table)
        .unwrap()
        .put_route(Route::new(
            Destination::parse("0.0.0.0/0").unwrap(),
            Target::from_id("igw-0a000001"),
            RouteOrigin::CreateRoute,
        ));
    // The graph said which subnets to recompute; the changed table is the private subnet's.
    assert!(
        RouteGraph::build(&net)
            .affected_subnets(table.as_str())
            .contains(&private)
    );
    let after = engine.subnet_reach(&net, &private).unwrap();
    assert_class(&after.ipv4, InternetClass::Public);
    assert_ne!(before, after);
    assert_matches_fresh(&engine, &net);
}

// reach/mod.rs, §3.1 (NAT egress uses its home subnet's table): deleting the IGW route of the
// NAT's home table changes the private subnet too.
#[test]
fn changed_nat_home_table_changes_subnet_behind_the_nat() {
    let mut net = load(FIXTURE);
    let engine = Engine::new(&net);
    let private = SubnetId::new("subnet-0a000002");
    let home = RouteTableId::new("rtb-0a000001");
    assert!(
        RouteGraph::build(&net)
            .affected_subnets(home.as_str())
            .contains(&private)
    );
    let key = RouteKey {
        destination: Destination::parse("0.0.0.0/0").unwrap(),
        propagated: false,
    };
    assert!(
        net.route_tables
            .get_mut(&home)
            .unwrap()
            .routes
            .remove(&key)
            .is_some()
    );
    assert_class(
        &engine.subnet_reach(&net, &private).unwrap().ipv4,
        InternetClass::Isolated,
    );
    assert_class(
        &engine
            .subnet_reach(&net, &SubnetId::new("subnet-0a000001"))
            .unwrap()
            .ipv4,
        InternetClass::Isolated,
    );
    assert_matches_fresh(&engine, &net);
}

// Semantics doc §3.4 ("Model state as a function of target liveness evaluated at query time"):
// deleting the NAT gateway needs no table recompilation; the same engine sees the blackhole.
#[test]
fn nat_state_change_is_seen_without_recompiling() {
    let mut net = load(FIXTURE);
    let engine = Engine::new(&net);
    let private = SubnetId::new("subnet-0a000002");
    net.nat_gateways
        .get_mut(&NatGatewayId::new("nat-0a000001"))
        .unwrap()
        .state = NatGatewayState::Deleted;
    let r = engine.subnet_reach(&net, &private).unwrap();
    assert_class(&r.ipv4, InternetClass::Isolated);
    assert_eq!(
        segment_at(&r.ipv4, "8.8.8.8").disposition,
        vpcsim::reach::Disposition::Blackhole
    );
    assert_matches_fresh(&engine, &net);
}

/// Three VPCs peered in a chain, A-B and B-C, each subnet routing to its peers.
const CHAIN: &str = r#"
account = "123456789012"

[[vpc]]
id = "vpc-0a000001"
cidrs = ["10.0.0.0/16"]

[[vpc]]
id = "vpc-0b000001"
cidrs = ["10.1.0.0/16"]

[[vpc]]
id = "vpc-0c000001"
cidrs = ["10.2.0.0/16"]

[[subnet]]
id = "subnet-0a000001"
vpc = "vpc-0a000001"
cidr = "10.0.1.0/24"

[[subnet]]
id = "subnet-0b000001"
vpc = "vpc-0b000001"
cidr = "10.1.1.0/24"

[[subnet]]
id = "subnet-0c000001"
vpc = "vpc-0c000001"
cidr = "10.2.1.0/24"

[[vpc_peering_connection]]
id = "pcx-0ab00001"
requester = "vpc-0a000001"
accepter = "vpc-0b000001"

[[vpc_peering_connection]]
id = "pcx-0bc00001"
requester = "vpc-0b000001"
accepter = "vpc-0c000001"

[[route_table]]
id = "rtb-0a000001"
vpc = "vpc-0a000001"
main = true
routes = ["10.1.0.0/16 -> pcx-0ab00001"]

[[route_table]]
id = "rtb-0b000001"
vpc = "vpc-0b000001"
main = true
routes = ["10.0.0.0/16 -> pcx-0ab00001", "10.2.0.0/16 -> pcx-0bc00001"]

[[route_table]]
id = "rtb-0c000001"
vpc = "vpc-0c000001"
main = true
routes = ["10.1.0.0/16 -> pcx-0bc00001"]
"#;

// §4.5 (peering is not transitive): a change to A's table matters to B's subnets (A's table
// holds the return route of B's traffic) but not to C's, whose traffic never reaches A.
#[test]
fn peering_chains_do_not_chain_dependencies() {
    let net = load(CHAIN);
    let affected = RouteGraph::build(&net).affected_subnets("rtb-0a000001");
    assert!(affected.contains(&SubnetId::new("subnet-0a000001")));
    assert!(
        affected.contains(&SubnetId::new("subnet-0b000001")),
        "{affected:?}"
    );
    assert!(
        !affected.contains(&SubnetId::new("subnet-0c000001")),
        "{affected:?}"
    );
    // And the engine agrees: removing A's return route changes B's reach, not C's.
    let engine = Engine::new(&net);
    let b = SubnetId::new("subnet-0b000001");
    let c = SubnetId::new("subnet-0c000001");
    let (b0, c0) = (
        engine.subnet_reach(&net, &b).unwrap(),
        engine.subnet_reach(&net, &c).unwrap(),
    );
    let mut changed = net.clone();
    let key = RouteKey {
        destination: Destination::parse("10.1.0.0/16").unwrap(),
        propagated: false,
    };
    changed
        .route_tables
        .get_mut(&RouteTableId::new("rtb-0a000001"))
        .unwrap()
        .routes
        .remove(&key)
        .unwrap();
    let e2 = Engine::new(&changed);
    assert_ne!(
        e2.subnet_reach(&changed, &b).unwrap(),
        b0,
        "B lost its return route from A"
    );
    assert_eq!(e2.subnet_reach(&changed, &c).unwrap(), c0);
}
