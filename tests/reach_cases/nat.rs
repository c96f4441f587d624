//! A public NAT gateway needs a public home (§8 case 12, §4.2); product.md: "a public NAT gateway
//! in a subnet without an IGW route gives no internet; a private NAT gateway never does"; a NAT
//! gateway whose own subnet routes back to it is a loop (§4.2).

use crate::util::*;
use vpcsim::model::Network;
use vpcsim::reach::{Disposition, InternetClass, InternetVia};

/// subnet-0a000001 (the NAT's home, table rtb-0a000001 with `home_routes`) holds nat-0a000001
/// (`nat` gives its extra fields); subnet-0a000002 (table rtb-0a000002) routes 0.0.0.0/0 to it and
/// holds i-0a000002 without a public address.
fn fixture(nat: &str, home_routes: &str) -> Network {
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

[[subnet]]
id = "subnet-0a000002"
vpc = "vpc-0a000001"
cidr = "10.0.2.0/24"

[[internet_gateway]]
id = "igw-0a000001"
vpc = "vpc-0a000001"

[[nat_gateway]]
id = "nat-0a000001"
subnet = "subnet-0a000001"
private_ip = "10.0.1.10"
{nat}

[[route_table]]
id = "rtb-0a000001"
vpc = "vpc-0a000001"
main = true
subnets = ["subnet-0a000001"]
routes = [{home_routes}]

[[route_table]]
id = "rtb-0a000002"
vpc = "vpc-0a000001"
subnets = ["subnet-0a000002"]
routes = ["0.0.0.0/0 -> nat-0a000001"]

[[instance]]
id = "i-0a000002"
subnet = "subnet-0a000002"
private_ip = "10.0.2.5"
"#
    ))
}

const PUBLIC_NAT: &str = r#"public_ip = "198.51.100.20""#;
const IGW_HOME: &str = r#""0.0.0.0/0 -> igw-0a000001""#;

/// (table, matched, target) of every route-table hop of a trace.
fn route_hops(t: &vpcsim::reach::Trace) -> Vec<(String, String, String)> {
    table_hops(t)
        .into_iter()
        .map(|h| {
            (
                h.resource.to_string(),
                h.matched.as_deref().unwrap_or_default().to_string(),
                h.target.as_deref().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

// Semantics doc §8 case 12, §4.2, §3.1 (NAT egress is routed by its own subnet's table): a public,
// available NAT gateway with an EIP in a subnet routed to an attached IGW makes the private subnet
// outbound-only, and the path goes NAT -> its subnet's table -> IGW.
#[test]
fn public_nat_in_public_subnet_makes_private_subnet_outbound_only() {
    let net = fixture(PUBLIC_NAT, IGW_HOME);
    let t = trace(&net, "i-0a000002", "8.8.8.8");
    assert_disposition(&t, Disposition::ExitsToInternet);
    let s = |x: &str| x.to_string();
    assert_eq!(
        route_hops(&t),
        [
            (s("rtb-0a000002"), s("0.0.0.0/0"), s("nat-0a000001")),
            (s("rtb-0a000001"), s("0.0.0.0/0"), s("igw-0a000001")),
        ],
        "{}",
        describe(&t)
    );
    assert_passes(&t, "nat-0a000001");
    assert_passes(&t, "igw-0a000001");
    let r = reach(&net, "subnet-0a000002");
    assert_class(&r.ipv4, InternetClass::OutboundOnly);
    assert_eq!(r.ipv4.internet_via, [InternetVia::NatGateway]);
    assert!(r.ipv4.internet_full);
}

// Semantics doc §8 case 12 ("only if nat-P's own subnet table has an active route to an attached
// IGW"); product.md: a public NAT gateway in a subnet without an IGW route gives no internet.
#[test]
fn public_nat_in_subnet_without_igw_route_gives_no_internet() {
    let net = fixture(PUBLIC_NAT, "");
    let t = trace(&net, "i-0a000002", "8.8.8.8");
    assert_disposition(&t, Disposition::NoRoute);
    assert_passes(&t, "nat-0a000001");
    assert_avoids(&t, "igw-0a000001");
    let last = table_hops(&t).last().map(|h| h.resource.clone());
    assert_eq!(
        last.as_deref(),
        Some("rtb-0a000001"),
        "the NAT's home table has no route: {}",
        describe(&t)
    );
    assert_class(
        &reach(&net, "subnet-0a000002").ipv4,
        InternetClass::Isolated,
    );
}

// Semantics doc §8 case 12, §4.2 ("If you route traffic from the private NAT gateway to the
// internet gateway, the internet gateway drops the traffic"); product.md: a private NAT gateway
// never gives internet.
#[test]
fn private_nat_routed_to_internet_gateway_is_dropped() {
    let net = fixture(r#"connectivity = "private""#, IGW_HOME);
    let t = trace(&net, "i-0a000002", "8.8.8.8");
    assert_disposition(&t, Disposition::Dropped);
    assert_code(&t, "PRIVATE_NAT_TO_IGW");
    assert_passes(&t, "igw-0a000001");
    let r = reach(&net, "subnet-0a000002");
    assert_class(&r.ipv4, InternetClass::Isolated);
    assert!(r.ipv4.internet_ranges.is_empty());
}

// Semantics doc §4.2 / §1.8 ("It must be available"): a failed NAT gateway's routes are
// blackhole.
#[test]
fn failed_nat_gateway_is_blackhole() {
    let net = fixture(&format!("{PUBLIC_NAT}\nstate = \"failed\""), IGW_HOME);
    let t = trace(&net, "i-0a000002", "8.8.8.8");
    assert_disposition(&t, Disposition::Blackhole);
    assert_code(&t, "BLACKHOLE_ROUTE");
    assert_avoids(&t, "igw-0a000001");
    assert_class(
        &reach(&net, "subnet-0a000002").ipv4,
        InternetClass::Isolated,
    );
}

// Semantics doc §8 case 12 ("has an EIP"), §4.2: a public NAT gateway without an Elastic IP has
// nothing for the IGW to translate to.
#[test]
fn public_nat_without_elastic_ip_gives_no_internet() {
    let net = fixture("", IGW_HOME);
    let t = trace(&net, "i-0a000002", "8.8.8.8");
    assert_ne!(
        t.disposition,
        Disposition::ExitsToInternet,
        "{}",
        describe(&t)
    );
    assert_code(&t, "NO_PUBLIC_ADDRESS");
    assert_class(
        &reach(&net, "subnet-0a000002").ipv4,
        InternetClass::Isolated,
    );
}

// Semantics doc §4.2 ("Do not put the private instances and the NAT gateway in the same subnet:
// the NAT's egress is routed by its own subnet table (a routing loop otherwise)").
#[test]
fn nat_gateway_whose_subnet_routes_back_to_it_is_a_loop() {
    let net = fixture(PUBLIC_NAT, r#""0.0.0.0/0 -> nat-0a000001""#);
    let t = trace(&net, "i-0a000002", "8.8.8.8");
    assert_disposition(&t, Disposition::Loop);
    assert_code(&t, "ROUTING_LOOP");
    let r = reach(&net, "subnet-0a000002");
    assert_eq!(
        segment_at(&r.ipv4, "8.8.8.8").disposition,
        Disposition::Loop
    );
    assert_class(&r.ipv4, InternetClass::Isolated);
}
