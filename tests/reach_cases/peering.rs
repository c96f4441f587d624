//! Peering is neither transitive nor edge-to-edge (§8 case 13, §4.5; product.md).

use crate::util::*;
use vpcsim::model::Network;
use vpcsim::reach::{Disposition, InternetClass};

/// Five VPCs: A (10.0/16, with an attached IGW and a default route to it) peers with B and C
/// (active, routes both ways), with D (active, but only D routes towards A) and with E (pending
/// acceptance). B's table holds `b_routes`. One instance per VPC at 10.x.1.5.
fn fixture(b_routes: &str) -> Network {
    let mut toml = String::from(
        r#"
account = "123456789012"

[[internet_gateway]]
id = "igw-0a000001"
vpc = "vpc-0a000001"

[[vpc_peering_connection]]
id = "pcx-0a0b0001"
requester = "vpc-0a000001"
accepter = "vpc-0b000001"

[[vpc_peering_connection]]
id = "pcx-0a0c0001"
requester = "vpc-0a000001"
accepter = "vpc-0c000001"

[[vpc_peering_connection]]
id = "pcx-0a0d0001"
requester = "vpc-0a000001"
accepter = "vpc-0d000001"

[[vpc_peering_connection]]
id = "pcx-0a0e0001"
requester = "vpc-0e000001"
accepter = "vpc-0a000001"
status = "pending-acceptance"
"#,
    );
    let routes = [
        ("a", 0, r#""10.1.0.0/16 -> pcx-0a0b0001", "10.2.0.0/16 -> pcx-0a0c0001", "0.0.0.0/0 -> igw-0a000001""#.to_string()),
        ("b", 1, b_routes.to_string()),
        ("c", 2, r#""10.0.0.0/16 -> pcx-0a0c0001""#.to_string()),
        ("d", 3, r#""10.0.0.0/16 -> pcx-0a0d0001""#.to_string()),
        ("e", 4, r#""10.0.0.0/16 -> pcx-0a0e0001""#.to_string()),
    ];
    for (x, n, r) in routes {
        toml.push_str(&format!(
            r#"
[[vpc]]
id = "vpc-0{x}000001"
cidrs = ["10.{n}.0.0/16"]

[[subnet]]
id = "subnet-0{x}000001"
vpc = "vpc-0{x}000001"
cidr = "10.{n}.1.0/24"

[[route_table]]
id = "rtb-0{x}000001"
vpc = "vpc-0{x}000001"
main = true
routes = [{r}]

[[instance]]
id = "i-0{x}000001"
subnet = "subnet-0{x}000001"
private_ip = "10.{n}.1.5"
public_ip = "198.51.100.{}"
"#,
            10 + n
        ));
    }
    load(&toml)
}

const B_TO_A: &str = r#""10.0.0.0/16 -> pcx-0a0b0001""#;
const B_DEFAULT_TO_A: &str = r#""10.0.0.0/16 -> pcx-0a0b0001", "0.0.0.0/0 -> pcx-0a0b0001""#;

// Semantics doc §8 case 13 ("B reaches A's ENIs"), §4.5: active peering with routes both ways.
#[test]
fn peered_vpc_reaches_interfaces_of_the_other_side() {
    let net = fixture(B_TO_A);
    let t = trace(&net, "i-0b000001", "10.0.1.5");
    assert_disposition(&t, Disposition::Delivered);
    assert_eq!(
        first_route(&t),
        (
            "rtb-0b000001".into(),
            Some("10.0.0.0/16".into()),
            Some("pcx-0a0b0001".into())
        )
    );
    for r in [
        "pcx-0a0b0001",
        "vpc-0a000001",
        "subnet-0a000001",
        "i-0a000001",
    ] {
        assert_passes(&t, r);
    }
    assert!(!codes(&t).contains(&"NO_RETURN_ROUTE"), "{}", describe(&t));
}

// Semantics doc §8 case 13 ("B cannot reach C via A"), §4.5: B has no route to C at all.
#[test]
fn peering_is_not_transitive_without_a_route() {
    let net = fixture(B_TO_A);
    let t = trace(&net, "i-0b000001", "10.2.1.5");
    assert_disposition(&t, Disposition::NoRoute);
    let r = reach(&net, "subnet-0b000001");
    assert_eq!(
        segment_at(&r.ipv4, "10.2.1.5").disposition,
        Disposition::NoRoute
    );
}

// Semantics doc §8 case 13 ("B's packets to 0.0.0.0/0 routed to pcx-AB are not forwarded by A's
// IGW"), §4.5 (no edge-to-edge routing): the internet through A is dropped at the peering.
#[test]
fn default_route_over_peering_does_not_use_peer_internet_gateway() {
    let net = fixture(B_DEFAULT_TO_A);
    let t = trace(&net, "i-0b000001", "8.8.8.8");
    assert_eq!(
        first_route(&t),
        (
            "rtb-0b000001".into(),
            Some("0.0.0.0/0".into()),
            Some("pcx-0a0b0001".into())
        )
    );
    assert_disposition(&t, Disposition::Dropped);
    assert_code(&t, "PEERING_NOT_TRANSITIVE");
    assert_avoids(&t, "igw-0a000001");
    assert_avoids(&t, "rtb-0a000001");
    assert_class(
        &reach(&net, "subnet-0b000001").ipv4,
        InternetClass::Isolated,
    );
}

// Semantics doc §8 case 13 ("B cannot reach C via A"), §4.5 (no transitive peering): even with
// a route, C's addresses sent to A over pcx-AB are not forwarded over pcx-AC.
#[test]
fn default_route_over_peering_does_not_reach_third_vpc() {
    let net = fixture(B_DEFAULT_TO_A);
    let t = trace(&net, "i-0b000001", "10.2.1.5");
    assert_disposition(&t, Disposition::Dropped);
    assert_code(&t, "PEERING_NOT_TRANSITIVE");
    assert_avoids(&t, "pcx-0a0c0001");
    assert_avoids(&t, "i-0c000001");
    let r = reach(&net, "subnet-0b000001");
    assert_eq!(
        segment_at(&r.ipv4, "10.2.1.5").disposition,
        Disposition::Dropped
    );
}

// Semantics doc §8 case 13 ("a one-sided route gives no return path"), §4.5: the packet arrives,
// but A's table has no route back to D over the peering.
#[test]
fn one_sided_peering_route_delivers_without_return_route() {
    let net = fixture(B_TO_A);
    let t = trace(&net, "i-0d000001", "10.0.1.5");
    assert_disposition(&t, Disposition::Delivered);
    assert_passes(&t, "i-0a000001");
    assert_code(&t, "NO_RETURN_ROUTE");
}

// Semantics doc §8 case 13 ("a pcx not active (pending/failed/deleted) carries nothing"), §3.4.
#[test]
fn peering_pending_acceptance_is_blackhole() {
    let net = fixture(B_TO_A);
    let t = trace(&net, "i-0e000001", "10.0.1.5");
    assert_disposition(&t, Disposition::Blackhole);
    assert_code(&t, "BLACKHOLE_ROUTE");
    assert_avoids(&t, "i-0a000001");
}
