//! Blackhole routes drop without fall-through (§8 case 10, §3.4); product.md: "a route to a
//! detached IGW or a deleted NAT gateway is blackhole, not public".

use crate::util::*;
use vpcsim::model::{Destination, Network, Route, RouteOrigin, RouteTableId, Target};
use vpcsim::reach::{Disposition, InternetClass};

/// A VPC with a NAT gateway (in its own subnet, `nat_state`) and an internet gateway declared by
/// `igw` (attached here, detached, or attached to another VPC); the instance's subnet uses a
/// table with `routes`. The instance has a public IPv4 address, so only routing decides.
fn fixture(igw: &str, nat_state: &str, routes: &str) -> Network {
    load(&format!(
        r#"
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
id = "subnet-0a000009"
vpc = "vpc-0a000001"
cidr = "10.0.9.0/24"

[[internet_gateway]]
id = "igw-0a000001"
{igw}

[[nat_gateway]]
id = "nat-0a000001"
subnet = "subnet-0a000009"
state = "{nat_state}"
private_ip = "10.0.9.10"
public_ip = "198.51.100.20"

[[route_table]]
id = "rtb-0a000001"
vpc = "vpc-0a000001"
subnets = ["subnet-0a000001"]
routes = [{routes}]

[[instance]]
id = "i-0a000001"
subnet = "subnet-0a000001"
private_ip = "10.0.1.5"
public_ip = "198.51.100.5"
"#
    ))
}

const ATTACHED: &str = r#"vpc = "vpc-0a000001""#;

// Semantics doc §8 case 10, §3.4: 8.0.0.0/8 -> deleted NAT is the best match for 8.8.8.8, so the
// packet is dropped even though 0.0.0.0/0 -> igw could deliver it (no fall-through).
#[test]
fn blackhole_best_match_drops_without_falling_through_to_default_route() {
    let net = fixture(
        ATTACHED,
        "deleted",
        r#""8.0.0.0/8 -> nat-0a000001", "0.0.0.0/0 -> igw-0a000001""#,
    );
    let t = trace(&net, "i-0a000001", "8.8.8.8");
    assert_eq!(
        first_route(&t),
        (
            "rtb-0a000001".into(),
            Some("8.0.0.0/8".into()),
            Some("nat-0a000001".into())
        )
    );
    assert_disposition(&t, Disposition::Blackhole);
    assert_code(&t, "BLACKHOLE_ROUTE");
    assert_avoids(&t, "igw-0a000001");
    // Outside 8.0.0.0/8 the default route still works.
    assert_disposition(
        &trace(&net, "i-0a000001", "9.9.9.9"),
        Disposition::ExitsToInternet,
    );
    let r = reach(&net, "subnet-0a000001");
    assert_eq!(
        segment_at(&r.ipv4, "8.8.8.8").disposition,
        Disposition::Blackhole
    );
    assert_class(&r.ipv4, InternetClass::Public);
    assert!(
        !r.ipv4.internet_full,
        "8.0.0.0/8 is blackholed, so the coverage is partial"
    );
}

// Semantics doc §8 case 10; product.md: a default route to a deleted NAT gateway is blackhole,
// not outbound-only.
#[test]
fn default_route_to_deleted_nat_gateway_is_blackhole_not_outbound() {
    let net = fixture(ATTACHED, "deleted", r#""0.0.0.0/0 -> nat-0a000001""#);
    let t = trace(&net, "i-0a000001", "8.8.8.8");
    assert_disposition(&t, Disposition::Blackhole);
    assert_code(&t, "BLACKHOLE_ROUTE");
    let r = reach(&net, "subnet-0a000001");
    assert_class(&r.ipv4, InternetClass::Isolated);
    assert!(r.ipv4.internet_via.is_empty());
}

// Semantics doc §8 case 10 ("Same after DetachInternetGateway"), §3.4; product.md: a route to a
// detached IGW is blackhole, not public.
#[test]
fn default_route_to_detached_internet_gateway_is_blackhole_and_isolated() {
    let net = fixture("", "available", r#""0.0.0.0/0 -> igw-0a000001""#);
    let t = trace(&net, "i-0a000001", "8.8.8.8");
    assert_disposition(&t, Disposition::Blackhole);
    assert_code(&t, "BLACKHOLE_ROUTE");
    let r = reach(&net, "subnet-0a000001");
    assert_class(&r.ipv4, InternetClass::Isolated);
    assert_eq!(
        segment_at(&r.ipv4, "8.8.8.8").disposition,
        Disposition::Blackhole
    );
}

// Semantics doc §3.4 ("the specified gateway isn't attached to the VPC"): an IGW attached to a
// different VPC is no target for this VPC's routes.
#[test]
fn route_to_internet_gateway_of_another_vpc_is_blackhole() {
    let net = fixture(
        r#"vpc = "vpc-0b000001""#,
        "available",
        r#""0.0.0.0/0 -> igw-0a000001""#,
    );
    let t = trace(&net, "i-0a000001", "8.8.8.8");
    assert_disposition(&t, Disposition::Blackhole);
    assert_class(
        &reach(&net, "subnet-0a000001").ipv4,
        InternetClass::Isolated,
    );
}

// Semantics doc §8 case 10 ("ReplaceRoute to a live target makes it active again"), §3.4 (state
// is derived, not stored).
#[test]
fn replacing_blackhole_route_with_live_target_restores_delivery() {
    let mut net = fixture(
        ATTACHED,
        "deleted",
        r#""8.0.0.0/8 -> nat-0a000001", "0.0.0.0/0 -> igw-0a000001""#,
    );
    assert_disposition(
        &trace(&net, "i-0a000001", "8.8.8.8"),
        Disposition::Blackhole,
    );
    let table = net
        .route_tables
        .get_mut(&RouteTableId::new("rtb-0a000001"))
        .unwrap();
    table.put_route(Route::new(
        Destination::parse("8.0.0.0/8").unwrap(),
        Target::from_id("igw-0a000001"),
        RouteOrigin::CreateRoute,
    ));
    let t = trace(&net, "i-0a000001", "8.8.8.8");
    assert_eq!(
        first_route(&t),
        (
            "rtb-0a000001".into(),
            Some("8.0.0.0/8".into()),
            Some("igw-0a000001".into())
        )
    );
    assert_disposition(&t, Disposition::ExitsToInternet);
    assert!(reach(&net, "subnet-0a000001").ipv4.internet_full);
}
