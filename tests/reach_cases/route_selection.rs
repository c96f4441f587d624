//! Route selection: longest prefix (§8 case 1, §3.3), equal-length precedence and ambiguous
//! prefix lists (§3.3), replaced local target and subnet-exact more-specific routes (§3.2),
//! same-subnet traffic (§3.1), addresses in no subnet.

use crate::util::*;
use vpcsim::addr::{self, Family};
use vpcsim::model::{Network, RouteTableId, Target};
use vpcsim::reach::Disposition;
use vpcsim::reach::fib::{Choice, Fib};

/// §8 case 1: {10.0.0.0/16 local, 10.0.0.0/8 -> tgw-A, 0.0.0.0/0 -> igw-B, 172.31.0.0/16 -> pcx-C}.
/// The source is in 10.0.2.0/24; 10.0.1.1 is an instance of another subnet, so the table is used.
const CASE_1: &str = r#"
account = "123456789012"
region = "eu-west-1"

[[vpc]]
id = "vpc-0a000001"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "subnet-0a000001"
vpc = "vpc-0a000001"
cidr = "10.0.1.0/24"

[[subnet]]
id = "subnet-0a000002"
vpc = "vpc-0a000001"
cidr = "10.0.2.0/24"

[[internet_gateway]]
id = "igw-0b000001"
vpc = "vpc-0a000001"

[[transit_gateway_attachment]]
id = "tgw-attach-0a000001"
transit_gateway = "tgw-0a000001"
vpc = "vpc-0a000001"
subnets = ["subnet-0a000002"]

[[vpc_peering_connection]]
id = "pcx-0c000001"
requester = "vpc-0a000001"
accepter = "vpc-0c000001"
accepter_cidrs = ["172.31.0.0/16"]

[[route_table]]
id = "rtb-0a000001"
vpc = "vpc-0a000001"
main = true
routes = [
  "10.0.0.0/8 -> tgw-0a000001",
  "0.0.0.0/0 -> igw-0b000001",
  "172.31.0.0/16 -> pcx-0c000001",
]

[[instance]]
id = "i-0a000001"
subnet = "subnet-0a000001"
private_ip = "10.0.1.1"

[[instance]]
id = "i-0a000002"
subnet = "subnet-0a000002"
private_ip = "10.0.2.5"
public_ip = "198.51.100.5"
"#;

fn route(dest: &str, target: &str) -> (String, Option<String>, Option<String>) {
    (
        "rtb-0a000001".into(),
        Some(dest.into()),
        Some(target.into()),
    )
}

// Semantics doc §8 case 1 / §3.3: 172.31.5.5 -> pcx-C.
#[test]
fn longest_prefix_sends_peer_range_to_peering() {
    let net = load(CASE_1);
    let t = trace(&net, "i-0a000002", "172.31.5.5");
    assert_eq!(
        first_route(&t),
        route("172.31.0.0/16", "pcx-0c000001"),
        "{}",
        describe(&t)
    );
    assert_disposition(&t, Disposition::ExitsToPeer);
}

// Semantics doc §8 case 1 / §3.3: 10.9.9.9 -> tgw-A (10.0.0.0/8 beats 0.0.0.0/0).
#[test]
fn longest_prefix_sends_wider_private_range_to_transit_gateway() {
    let net = load(CASE_1);
    let t = trace(&net, "i-0a000002", "10.9.9.9");
    assert_eq!(
        first_route(&t),
        route("10.0.0.0/8", "tgw-0a000001"),
        "{}",
        describe(&t)
    );
    assert_disposition(&t, Disposition::ExitsToTransitGateway);
}

// Semantics doc §8 case 1 / §3.3: 10.0.1.1 -> local (10.0.0.0/16 beats 10.0.0.0/8).
#[test]
fn longest_prefix_keeps_vpc_addresses_local() {
    let net = load(CASE_1);
    let t = trace(&net, "i-0a000002", "10.0.1.1");
    assert_eq!(
        first_route(&t),
        route("10.0.0.0/16", "local"),
        "{}",
        describe(&t)
    );
    assert_disposition(&t, Disposition::Delivered);
    assert_passes(&t, "i-0a000001");
    assert_avoids(&t, "tgw-0a000001");
}

// Semantics doc §8 case 1 / §3.3: 8.8.8.8 -> igw-B (only the default route matches).
#[test]
fn longest_prefix_falls_to_default_route_for_internet() {
    let net = load(CASE_1);
    let t = trace(&net, "i-0a000002", "8.8.8.8");
    assert_eq!(
        first_route(&t),
        route("0.0.0.0/0", "igw-0b000001"),
        "{}",
        describe(&t)
    );
    assert_disposition(&t, Disposition::ExitsToInternet);
}

// Semantics doc §8 case 1: the compiled table itself selects the four targets.
#[test]
fn compiled_table_selects_case_1_targets() {
    let net = load(CASE_1);
    let table = &net.route_tables[&RouteTableId::new("rtb-0a000001")];
    let fib = Fib::compile(&net, table, Family::Ipv4);
    let target = |a: &str| {
        let v = addr::addr_value(&a.parse().unwrap());
        match fib.lookup(v) {
            Choice::Entry(i) => fib.entries[i as usize].route.target.clone(),
            Choice::NoRoute => panic!("{a}: no route"),
        }
    };
    assert_eq!(target("172.31.5.5"), Target::from_id("pcx-0c000001"));
    assert_eq!(target("10.9.9.9"), Target::from_id("tgw-0a000001"));
    assert_eq!(target("10.0.1.1"), Target::Local);
    assert_eq!(target("8.8.8.8"), Target::from_id("igw-0b000001"));
}

/// A VPC whose main table gets `routes`; 192.168.0.0/16 is reachable as a static CIDR (peering
/// to another account's VPC), as a prefix-list entry (transit gateway) and as a propagated VGW
/// route, each target recognisable by its disposition.
fn precedence(routes: &str) -> Network {
    load(&format!(
        r#"
account = "123456789012"

[[vpc]]
id = "vpc-0a000001"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "subnet-0a000001"
vpc = "vpc-0a000001"
cidr = "10.0.1.0/24"

[[vpn_gateway]]
id = "vgw-0a000001"
vpc = "vpc-0a000001"

[[transit_gateway_attachment]]
id = "tgw-attach-0a000001"
transit_gateway = "tgw-0a000001"
vpc = "vpc-0a000001"
subnets = ["subnet-0a000001"]

[[vpc_peering_connection]]
id = "pcx-0a000001"
requester = "vpc-0a000001"
accepter = "vpc-0c000001"
accepter_cidrs = ["192.168.0.0/16"]

[[prefix_list]]
id = "pl-0a000001"
cidrs = ["192.168.0.0/16"]

[[prefix_list]]
id = "pl-0b000001"
cidrs = ["192.168.0.0/16", "172.16.5.0/24"]

[[route_table]]
id = "rtb-0a000001"
vpc = "vpc-0a000001"
main = true
propagating_vgws = ["vgw-0a000001"]
routes = [{routes}]

[[instance]]
id = "i-0a000001"
subnet = "subnet-0a000001"
private_ip = "10.0.1.5"
"#
    ))
}

const PROPAGATED_16: &str = r#"{ destination = "192.168.0.0/16", target = "vgw-0a000001", origin = "EnableVgwRoutePropagation" }"#;

// Semantics doc §3.3 (2a, 2b): on equal prefix length a static CIDR route beats both a
// prefix-list entry and a propagated route.
#[test]
fn static_cidr_beats_prefix_list_and_propagated_route_of_equal_length() {
    let net = precedence(&format!(
        r#""192.168.0.0/16 -> pcx-0a000001", "pl-0a000001 -> tgw-0a000001", {PROPAGATED_16}"#
    ));
    let t = trace(&net, "i-0a000001", "192.168.1.1");
    assert_eq!(
        first_route(&t),
        route("192.168.0.0/16", "pcx-0a000001"),
        "{}",
        describe(&t)
    );
    assert_disposition(&t, Disposition::ExitsToPeer);
}

// Semantics doc §3.3 (2b): a prefix-list route beats a propagated route with the same prefix.
#[test]
fn prefix_list_entry_beats_propagated_route_of_equal_length() {
    let net = precedence(&format!(
        r#""pl-0a000001 -> tgw-0a000001", {PROPAGATED_16}"#
    ));
    let t = trace(&net, "i-0a000001", "192.168.1.1");
    let (_, matched, target) = first_route(&t);
    assert_eq!(target.as_deref(), Some("tgw-0a000001"), "{}", describe(&t));
    assert!(
        matched
            .as_deref()
            .is_some_and(|m| m.starts_with("pl-0a000001")),
        "{}",
        describe(&t)
    );
    assert_disposition(&t, Disposition::ExitsToTransitGateway);
}

// Semantics doc §3.3 (2c): a propagated route is used when nothing of the same length beats it.
#[test]
fn propagated_route_is_used_when_alone() {
    let net = precedence(PROPAGATED_16);
    let t = trace(&net, "i-0a000001", "192.168.1.1");
    assert_eq!(
        first_route(&t),
        route("192.168.0.0/16", "vgw-0a000001"),
        "{}",
        describe(&t)
    );
    assert_disposition(&t, Disposition::ExitsToVpn);
}

// Semantics doc §3.3 (1): "more specific routes always take priority irrespective of whether
// they are propagated routes, static routes, or routes that reference prefix lists".
#[test]
fn longer_propagated_route_beats_shorter_static_route() {
    let net = precedence(
        r#""192.168.0.0/16 -> pcx-0a000001", { destination = "192.168.1.0/24", target = "vgw-0a000001", origin = "EnableVgwRoutePropagation" }"#,
    );
    let t = trace(&net, "i-0a000001", "192.168.1.1");
    assert_eq!(
        first_route(&t),
        route("192.168.1.0/24", "vgw-0a000001"),
        "{}",
        describe(&t)
    );
    assert_disposition(&t, Disposition::ExitsToVpn);
    let t = trace(&net, "i-0a000001", "192.168.2.1");
    assert_eq!(
        first_route(&t),
        route("192.168.0.0/16", "pcx-0a000001"),
        "{}",
        describe(&t)
    );
}

// Semantics doc §3.3 (2d): two prefix lists with the same entry to different targets are
// ambiguous (AWS picks one at random); vpcsim flags it and picks the lowest prefix-list ID.
#[test]
fn two_prefix_lists_with_same_entry_to_different_targets_are_ambiguous() {
    let net = precedence(r#""pl-0a000001 -> tgw-0a000001", "pl-0b000001 -> vgw-0a000001""#);
    let t = trace(&net, "i-0a000001", "192.168.1.1");
    assert_code(&t, "AMBIGUOUS_PREFIX_LIST");
    let (_, matched, target) = first_route(&t);
    assert!(
        matched
            .as_deref()
            .is_some_and(|m| m.starts_with("pl-0a000001")),
        "{}",
        describe(&t)
    );
    assert_eq!(target.as_deref(), Some("tgw-0a000001"));
    // An entry only one list has is not ambiguous.
    let t = trace(&net, "i-0a000001", "172.16.5.1");
    assert!(
        !codes(&t).contains(&"AMBIGUOUS_PREFIX_LIST"),
        "{}",
        describe(&t)
    );
    assert_disposition(&t, Disposition::ExitsToVpn);
}

// Semantics doc §3.3 (2b, 2d): a static CIDR of the same length wins outright, so the prefix-list
// tie behind it is not reported as ambiguous.
#[test]
fn prefix_list_tie_behind_static_route_is_not_ambiguous() {
    let net = precedence(
        r#""192.168.0.0/16 -> pcx-0a000001", "pl-0a000001 -> tgw-0a000001", "pl-0b000001 -> vgw-0a000001""#,
    );
    let t = trace(&net, "i-0a000001", "192.168.1.1");
    assert_eq!(
        first_route(&t),
        route("192.168.0.0/16", "pcx-0a000001"),
        "{}",
        describe(&t)
    );
    assert!(
        !codes(&t).contains(&"AMBIGUOUS_PREFIX_LIST"),
        "{}",
        describe(&t)
    );
}

/// Subnets app (source, with its own table `rtb-0a000001` holding `routes`), db, fw (a
/// firewall interface with source/destination check disabled) and other; every other subnet
/// uses the main table with local routes only.
fn middlebox(routes: &str) -> Network {
    load(&format!(
        r#"
account = "123456789012"

[[vpc]]
id = "vpc-0a000001"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "subnet-0a000001"
vpc = "vpc-0a000001"
cidr = "10.0.1.0/24"
name = "app"

[[subnet]]
id = "subnet-0a000002"
vpc = "vpc-0a000001"
cidr = "10.0.2.0/24"
name = "db"

[[subnet]]
id = "subnet-0a000003"
vpc = "vpc-0a000001"
cidr = "10.0.3.0/24"
name = "fw"

[[subnet]]
id = "subnet-0a000004"
vpc = "vpc-0a000001"
cidr = "10.0.4.0/24"
name = "other"

[[network_interface]]
id = "eni-0f000001"
subnet = "subnet-0a000003"
private_ips = ["10.0.3.10"]
source_dest_check = false

[[route_table]]
id = "rtb-0a000001"
vpc = "vpc-0a000001"
subnets = ["subnet-0a000001"]
routes = [{routes}]

[[route_table]]
id = "rtb-0a000009"
vpc = "vpc-0a000001"
main = true

[[instance]]
id = "i-0a000001"
subnet = "subnet-0a000001"
private_ip = "10.0.1.5"

[[instance]]
id = "i-0a000003"
subnet = "subnet-0a000001"
private_ip = "10.0.1.7"

[[instance]]
id = "i-0a000002"
subnet = "subnet-0a000002"
private_ip = "10.0.2.7"

[[instance]]
id = "i-0a000004"
subnet = "subnet-0a000004"
private_ip = "10.0.4.7"
"#
    ))
}

// Semantics doc §3.2 ("replace the target of the local route with ... a network interface") and
// §4.7: every intra-VPC packet of the subnet goes through the appliance, which forwards by its
// own subnet's table.
#[test]
fn replaced_local_target_sends_intra_vpc_traffic_through_middlebox() {
    let net = middlebox(r#""10.0.0.0/16 -> eni-0f000001""#);
    for (dest, host) in [("10.0.2.7", "i-0a000002"), ("10.0.4.7", "i-0a000004")] {
        let t = trace(&net, "i-0a000001", dest);
        assert_eq!(
            first_route(&t),
            route("10.0.0.0/16", "eni-0f000001"),
            "{}",
            describe(&t)
        );
        assert_disposition(&t, Disposition::Delivered);
        assert_passes(&t, "eni-0f000001");
        assert_passes(&t, "subnet-0a000003");
        assert_passes(&t, host);
        assert_code(&t, "APPLIANCE_FORWARDS");
    }
}

// Semantics doc §3.2 (more specific than local: exactly a subnet CIDR -> ENI): only that
// subnet's traffic is diverted; the rest of the VPC stays on the local route.
#[test]
fn subnet_exact_more_specific_route_diverts_only_that_subnet() {
    let net = middlebox(r#""10.0.2.0/24 -> eni-0f000001""#);
    let t = trace(&net, "i-0a000001", "10.0.2.7");
    assert_eq!(
        first_route(&t),
        route("10.0.2.0/24", "eni-0f000001"),
        "{}",
        describe(&t)
    );
    assert_disposition(&t, Disposition::Delivered);
    assert_passes(&t, "eni-0f000001");
    assert_passes(&t, "i-0a000002");
    let t = trace(&net, "i-0a000001", "10.0.4.7");
    assert_eq!(
        first_route(&t),
        route("10.0.0.0/16", "local"),
        "{}",
        describe(&t)
    );
    assert_disposition(&t, Disposition::Delivered);
    assert_avoids(&t, "eni-0f000001");
    assert_passes(&t, "i-0a000004");
}

// Semantics doc §3.1: same-subnet traffic is delivered at layer 2 and never consults the table,
// even when the table routes the subnet's own CIDR to an appliance (§3.2: "you cannot route
// between hosts of the same subnet through it").
#[test]
fn same_subnet_traffic_never_consults_the_route_table() {
    let net = middlebox(r#""10.0.1.0/24 -> eni-0f000001", "10.0.0.0/16 -> eni-0f000001""#);
    let t = trace(&net, "i-0a000001", "10.0.1.7");
    assert_disposition(&t, Disposition::Delivered);
    assert_code(&t, "SAME_SUBNET");
    assert!(
        table_hops(&t).is_empty(),
        "no table may be consulted: {}",
        describe(&t)
    );
    assert_avoids(&t, "eni-0f000001");
    assert_passes(&t, "i-0a000003");
    // The subnet's reach says the same for its whole CIDR.
    let r = reach(&net, "subnet-0a000001");
    let s = segment_at(&r.ipv4, "10.0.1.200");
    assert_eq!(s.disposition, Disposition::Delivered);
    let path: Vec<&str> = s.path.iter().map(|p| &**p).collect();
    assert_eq!(path, ["subnet-0a000001"]);
}

// Semantics doc §3.2 / §4.8: an address inside the VPC CIDR but in no subnet matches the local
// route and is dropped by the VPC router.
#[test]
fn address_in_vpc_but_in_no_subnet_is_dropped_as_unassigned() {
    let net = middlebox("");
    let t = trace(&net, "i-0a000001", "10.0.200.1");
    assert_eq!(
        first_route(&t),
        route("10.0.0.0/16", "local"),
        "{}",
        describe(&t)
    );
    assert_disposition(&t, Disposition::Dropped);
    assert_code(&t, "UNASSIGNED_ADDRESS");
}
