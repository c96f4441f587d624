//! "Public subnet" is not "internet-reachable instance" (§8 case 11, §4.1); product.md:
//! MapPublicIpOnLaunch alone, an IGW route alone without a public address, split default routes,
//! a specific public prefix to an IGW.

use crate::util::*;
use ipnet::IpNet;
use std::net::IpAddr;
use vpcsim::addr::Interval;
use vpcsim::model::Network;
use vpcsim::reach::{Disposition, InternetClass, InternetVia};

/// Three subnets of a dual-stack VPC with an attached IGW:
/// - subnet-0a000001 ("public", table rtb-0a000001 with `routes`): i-0a000001 without any public
///   address, i-0a000002 with a public IPv4, i-0a000003 with only an IPv6 address;
/// - subnet-0a000002 (main table, local routes only, map_public_ip_on_launch = true): i-0a000004
///   with a public IPv4 address;
/// - subnet-0a000003 (also on rtb-0a000001): only i-0a000005, without a public address.
fn fixture(routes: &str) -> Network {
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

[[subnet]]
id = "subnet-0a000002"
vpc = "vpc-0a000001"
cidr = "10.0.2.0/24"
ipv6_cidrs = ["2001:db8:1200:2::/64"]
map_public_ip_on_launch = true

[[subnet]]
id = "subnet-0a000003"
vpc = "vpc-0a000001"
cidr = "10.0.3.0/24"

[[internet_gateway]]
id = "igw-0a000001"
vpc = "vpc-0a000001"

[[route_table]]
id = "rtb-0a000001"
vpc = "vpc-0a000001"
subnets = ["subnet-0a000001", "subnet-0a000003"]
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
id = "i-0a000002"
subnet = "subnet-0a000001"
private_ip = "10.0.1.6"
public_ip = "198.51.100.6"

[[instance]]
id = "i-0a000003"
subnet = "subnet-0a000001"
private_ip = "10.0.1.7"
ipv6 = ["2001:db8:1200:1::7"]

[[instance]]
id = "i-0a000004"
subnet = "subnet-0a000002"
private_ip = "10.0.2.6"
public_ip = "198.51.100.7"

[[instance]]
id = "i-0a000005"
subnet = "subnet-0a000003"
private_ip = "10.0.3.5"
"#
    ))
}

const DEFAULTS: &str = r#""0.0.0.0/0 -> igw-0a000001", "::/0 -> igw-0a000001""#;

// Semantics doc §8 case 11, §4.1 (3): an instance without a public IPv4 / EIP in a public subnet
// cannot reach the IPv4 internet: the IGW has nothing to translate it to.
#[test]
fn instance_without_public_ipv4_in_public_subnet_is_dropped_at_internet_gateway() {
    let net = fixture(DEFAULTS);
    let t = trace(&net, "i-0a000001", "8.8.8.8");
    assert_disposition(&t, Disposition::Dropped);
    assert_code(&t, "NO_PUBLIC_ADDRESS");
    assert_passes(&t, "igw-0a000001");
}

// Semantics doc §8 case 11, §4.1: with a public IPv4 address (EIP) the same subnet reaches it.
#[test]
fn instance_with_public_ipv4_in_public_subnet_exits_to_internet() {
    let net = fixture(DEFAULTS);
    let t = trace(&net, "i-0a000002", "8.8.8.8");
    assert_disposition(&t, Disposition::ExitsToInternet);
    assert_eq!(
        first_route(&t),
        (
            "rtb-0a000001".into(),
            Some("0.0.0.0/0".into()),
            Some("igw-0a000001".into())
        )
    );
    assert!(
        !codes(&t).contains(&"NO_PUBLIC_ADDRESS"),
        "{}",
        describe(&t)
    );
}

// Semantics doc §8 case 11 ("Same instance in a subnet whose table lacks the IGW route -> no, even
// with an EIP"), §4.1: instances in a private subnet cannot use the IGW even with a public IP.
#[test]
fn instance_with_public_ipv4_in_subnet_without_igw_route_does_not_reach_internet() {
    let net = fixture(DEFAULTS);
    let t = trace(&net, "i-0a000004", "8.8.8.8");
    assert_disposition(&t, Disposition::NoRoute);
    assert_avoids(&t, "igw-0a000001");
}

// Semantics doc §8 case 11 ("with an IPv6 address and ::/0 -> igw -> IPv6 yes"), §4.1: the same
// instance has no IPv4 internet (no public IPv4) but does have IPv6 internet.
#[test]
fn instance_with_ipv6_address_exits_over_ipv6_default_route() {
    let net = fixture(DEFAULTS);
    let t = trace(&net, "i-0a000003", "2001:4860:4860::8888");
    assert_eq!(
        first_route(&t),
        (
            "rtb-0a000001".into(),
            Some("::/0".into()),
            Some("igw-0a000001".into())
        )
    );
    assert_disposition(&t, Disposition::ExitsToInternet);
    let t = trace(&net, "i-0a000003", "8.8.8.8");
    assert_disposition(&t, Disposition::Dropped);
    assert_code(&t, "NO_PUBLIC_ADDRESS");
}

// Semantics doc §4.1 (IPv6: the instance needs an IPv6 address): without one, ::/0 -> igw does
// not help.
#[test]
fn instance_without_ipv6_address_is_dropped_on_ipv6_default_route() {
    let net = fixture(DEFAULTS);
    let t = trace(&net, "i-0a000002", "2001:4860:4860::8888");
    assert_disposition(&t, Disposition::Dropped);
    assert_code(&t, "NO_IPV6_ADDRESS");
}

// product.md: "`MapPublicIpOnLaunch` alone does not make a subnet public" (§4.1: public means a
// route to an IGW), even with an attached IGW in the VPC and a host with a public address.
#[test]
fn map_public_ip_on_launch_alone_does_not_make_subnet_public() {
    let net = fixture(DEFAULTS);
    let r = reach(&net, "subnet-0a000002");
    assert_class(&r.ipv4, InternetClass::Isolated);
    assert_class(&r.ipv6, InternetClass::Isolated);
    assert!(r.ipv4.internet_ranges.is_empty());
    assert_eq!(
        segment_at(&r.ipv4, "8.8.8.8").disposition,
        Disposition::NoRoute
    );
}

// product.md: "a route to an IGW alone does not make an instance reachable without a public
// address" (§4.1): the subnet is public, but no host in it is reachable from the internet.
#[test]
fn igw_route_without_public_address_is_public_subnet_without_public_hosts() {
    let net = fixture(DEFAULTS);
    let r = reach(&net, "subnet-0a000003");
    assert_class(&r.ipv4, InternetClass::Public);
    assert!(r.ipv4.public_hosts.is_empty(), "{:?}", r.ipv4.public_hosts);
    assert!(r.ipv6.public_hosts.is_empty(), "{:?}", r.ipv6.public_hosts);
    // The contrasting subnet on the same table lists exactly its one public IPv4 host.
    let r = reach(&net, "subnet-0a000001");
    let hosts: Vec<(IpAddr, IpAddr)> = r
        .ipv4
        .public_hosts
        .iter()
        .map(|h| (h.private_ip, h.public_ip))
        .collect();
    assert_eq!(
        hosts,
        [("10.0.1.6".parse().unwrap(), "198.51.100.6".parse().unwrap())]
    );
    assert_eq!(
        r.ipv4.public_hosts[0].instance.as_ref().map(|i| i.as_str()),
        Some("i-0a000002")
    );
}

// product.md: "`0.0.0.0/1` + `128.0.0.0/1` to an IGW is a default route in all but name".
#[test]
fn split_default_routes_to_igw_are_public_with_full_coverage() {
    let net = fixture(r#""0.0.0.0/1 -> igw-0a000001", "128.0.0.0/1 -> igw-0a000001""#);
    let r = reach(&net, "subnet-0a000001");
    assert_class(&r.ipv4, InternetClass::Public);
    assert!(r.ipv4.internet_full, "ranges {:?}", r.ipv4.internet_ranges);
    assert_eq!(r.ipv4.internet_via, [InternetVia::Direct]);
    for dest in ["8.8.8.8", "200.1.1.1"] {
        assert_disposition(
            &trace(&net, "i-0a000002", dest),
            Disposition::ExitsToInternet,
        );
    }
}

// product.md: "a specific public prefix to an IGW is partial exposure".
#[test]
fn single_public_prefix_to_igw_is_public_with_partial_coverage() {
    let net = fixture(r#""8.8.8.0/24 -> igw-0a000001""#);
    let r = reach(&net, "subnet-0a000001");
    assert_class(&r.ipv4, InternetClass::Public);
    assert!(!r.ipv4.internet_full);
    let prefix: IpNet = "8.8.8.0/24".parse().unwrap();
    assert_eq!(r.ipv4.internet_ranges, [Interval::of_net(&prefix)]);
    assert_disposition(
        &trace(&net, "i-0a000002", "8.8.8.8"),
        Disposition::ExitsToInternet,
    );
    assert_disposition(&trace(&net, "i-0a000002", "8.8.4.4"), Disposition::NoRoute);
}
