//! IPv4 and IPv6 never cross (§8 case 2, §3.3, §4.3); product.md: "`::/0` to an egress-only
//! gateway is outbound-only, not public; `::/0` to an IGW is public for IPv6".

use crate::util::*;
use vpcsim::model::Network;
use vpcsim::reach::{Disposition, InternetClass, InternetVia};

const V6_DEST: &str = "2001:4860:4860::8888";

/// A dual-stack VPC with an attached IGW and egress-only IGW; the subnet's table holds `routes`.
/// The instance has a public IPv4 address and an IPv6 address, so only routing decides.
fn dual_stack(routes: &str) -> Network {
    load(&format!(
        r#"
account = "123456789012"

[[vpc]]
id = "vpc-0a000001"
cidrs = ["10.0.0.0/16", "2001:db8:1200::/56"]

[[subnet]]
id = "subnet-0a000001"
vpc = "vpc-0a000001"
cidr = "10.0.1.0/24"
ipv6_cidrs = ["2001:db8:1200:1::/64"]

[[internet_gateway]]
id = "igw-0a000001"
vpc = "vpc-0a000001"

[[egress_only_internet_gateway]]
id = "eigw-0a000001"
vpc = "vpc-0a000001"

[[route_table]]
id = "rtb-0a000001"
vpc = "vpc-0a000001"
main = true
routes = [{routes}]

[[instance]]
id = "i-0a000001"
subnet = "subnet-0a000001"
private_ip = "10.0.1.5"
public_ip = "198.51.100.5"
ipv6 = ["2001:db8:1200:1::5"]
"#
    ))
}

// Semantics doc §8 case 2 / §3.3: with only 0.0.0.0/0 -> igw, an IPv6 destination outside the
// VPC has no route.
#[test]
fn ipv4_default_route_does_not_carry_ipv6() {
    let net = dual_stack(r#""0.0.0.0/0 -> igw-0a000001""#);
    let t = trace(&net, "i-0a000001", V6_DEST);
    assert_disposition(&t, Disposition::NoRoute);
    assert_code(&t, "NO_ROUTE");
    assert_avoids(&t, "igw-0a000001");
    let r = reach(&net, "subnet-0a000001");
    assert_class(&r.ipv4, InternetClass::Public);
    assert_class(&r.ipv6, InternetClass::Isolated);
    assert_eq!(
        segment_at(&r.ipv6, V6_DEST).disposition,
        Disposition::NoRoute
    );
}

// Semantics doc §8 case 2, §4.1: adding ::/0 -> igw makes IPv6 routable; product.md: "`::/0` to
// an IGW is public for IPv6".
#[test]
fn ipv6_default_route_to_internet_gateway_makes_ipv6_public() {
    let net = dual_stack(r#""0.0.0.0/0 -> igw-0a000001", "::/0 -> igw-0a000001""#);
    let t = trace(&net, "i-0a000001", V6_DEST);
    assert_eq!(
        first_route(&t),
        (
            "rtb-0a000001".into(),
            Some("::/0".into()),
            Some("igw-0a000001".into())
        )
    );
    assert_disposition(&t, Disposition::ExitsToInternet);
    let r = reach(&net, "subnet-0a000001");
    assert_class(&r.ipv6, InternetClass::Public);
    assert!(r.ipv6.internet_full);
    assert_eq!(r.ipv6.internet_via, [InternetVia::Direct]);
}

// Semantics doc §3.3 ("0.0.0.0/0 never matches IPv6 traffic and vice versa"); product.md: tools
// that compare `::/0` against the IPv4 field get this wrong. ::/0 -> igw alone gives no IPv4.
#[test]
fn ipv6_default_route_alone_does_not_make_ipv4_public() {
    let net = dual_stack(r#""::/0 -> igw-0a000001""#);
    let t = trace(&net, "i-0a000001", "8.8.8.8");
    assert_disposition(&t, Disposition::NoRoute);
    let r = reach(&net, "subnet-0a000001");
    assert_class(&r.ipv4, InternetClass::Isolated);
    assert_class(&r.ipv6, InternetClass::Public);
}

// Semantics doc §8 case 2, §4.3; product.md: "`::/0` to an egress-only gateway is outbound-only,
// not public".
#[test]
fn ipv6_default_route_to_egress_only_gateway_is_outbound_only() {
    let net = dual_stack(r#""::/0 -> eigw-0a000001""#);
    let t = trace(&net, "i-0a000001", V6_DEST);
    assert_disposition(&t, Disposition::ExitsToInternet);
    assert_passes(&t, "eigw-0a000001");
    let r = reach(&net, "subnet-0a000001");
    assert_class(&r.ipv6, InternetClass::OutboundOnly);
    assert_eq!(r.ipv6.internet_via, [InternetVia::EgressOnly]);
    assert_class(&r.ipv4, InternetClass::Isolated);
}
