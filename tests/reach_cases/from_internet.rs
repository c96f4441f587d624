//! Traces from `internet` (§4.1: "Inbound from the internet follows the same rules in reverse
//! (the public IP/EIP is the only IPv4 address reachable from outside)").

use crate::util::*;
use vpcsim::model::Network;
use vpcsim::reach::Disposition;

/// A dual-stack public subnet with i-0a000001 (10.0.1.5, public 198.51.100.5, IPv6
/// 2001:db8:1200:1::5), and a private subnet (table without an IGW route) with i-0a000002
/// (10.0.2.5, public 198.51.100.6). `igw` attaches the IGW (or not).
fn fixture(igw: &str) -> Network {
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

[[internet_gateway]]
id = "igw-0a000001"
{igw}

[[route_table]]
id = "rtb-0a000002"
vpc = "vpc-0a000001"
subnets = ["subnet-0a000002"]

[[route_table]]
id = "rtb-0a000001"
vpc = "vpc-0a000001"
main = true
routes = ["0.0.0.0/0 -> igw-0a000001", "::/0 -> igw-0a000001"]

[[instance]]
id = "i-0a000001"
subnet = "subnet-0a000001"
private_ip = "10.0.1.5"
public_ip = "198.51.100.5"
ipv6 = ["2001:db8:1200:1::5"]

[[instance]]
id = "i-0a000002"
subnet = "subnet-0a000002"
private_ip = "10.0.2.5"
public_ip = "198.51.100.6"
"#
    ))
}

const ATTACHED: &str = r#"vpc = "vpc-0a000001""#;

// Semantics doc §4.1: the IGW translates the instance's public IPv4 address to its private one and
// delivers the packet to the instance.
#[test]
fn internet_reaches_instance_through_its_public_ipv4_address() {
    let net = fixture(ATTACHED);
    let t = trace(&net, "internet", "198.51.100.5");
    assert_disposition(&t, Disposition::Delivered);
    for r in [
        "igw-0a000001",
        "subnet-0a000001",
        "eni-0a000001",
        "i-0a000001",
    ] {
        assert_passes(&t, r);
    }
    assert_code(&t, "DESTINATION_NAT");
}

// Semantics doc §4.1 (IPv6: no NAT; the instance's IPv6 address is reachable over the IGW).
#[test]
fn internet_reaches_instance_through_its_ipv6_address() {
    let net = fixture(ATTACHED);
    let t = trace(&net, "internet", "2001:db8:1200:1::5");
    assert_disposition(&t, Disposition::Delivered);
    for r in [
        "igw-0a000001",
        "subnet-0a000001",
        "eni-0a000001",
        "i-0a000001",
    ] {
        assert_passes(&t, r);
    }
}

// Semantics doc §4.1: a public address no interface owns never enters the VPC.
#[test]
fn public_address_no_one_owns_is_dropped_with_no_owner() {
    let net = fixture(ATTACHED);
    let t = trace(&net, "internet", "8.8.4.4");
    assert_disposition(&t, Disposition::Dropped);
    assert_code(&t, "NO_OWNER");
    assert_avoids(&t, "igw-0a000001");
}

// Semantics doc §4.1 ("the public IP/EIP is the only IPv4 address reachable from outside"): the
// instance's private address is not routable on the internet.
#[test]
fn private_address_is_not_internet_routable() {
    let net = fixture(ATTACHED);
    let t = trace(&net, "internet", "10.0.1.5");
    assert_disposition(&t, Disposition::Dropped);
    assert_code(&t, "NOT_INTERNET_ROUTABLE");
    assert_avoids(&t, "i-0a000001");
}

// Semantics doc §4.1 (1): without an IGW attached to the instance's VPC nothing comes in, even
// to an address the instance owns.
#[test]
fn public_address_in_vpc_without_attached_gateway_is_dropped() {
    let net = fixture("");
    let t = trace(&net, "internet", "198.51.100.5");
    assert_disposition(&t, Disposition::Dropped);
    assert_code(&t, "NO_INTERNET_GATEWAY");
    assert_avoids(&t, "i-0a000001");
}

// Semantics doc §4.1 ("Instances in a private subnet cannot use the IGW even if they have a public
// IP"; "Inbound from the internet follows the same rules in reverse"), §8 case 11: the IGW
// translates and delivers the packet, but the instance's subnet has no route back to the
// internet, so replies cannot leave. The trace must say so, as a one-sided peering route does
// (NO_RETURN_ROUTE, §4.5), rather than report a clean delivery.
#[test]
fn internet_to_public_ip_in_subnet_without_igw_route_has_no_return_route() {
    let net = fixture(ATTACHED);
    let t = trace(&net, "internet", "198.51.100.6");
    assert_passes(&t, "igw-0a000001");
    assert_passes(&t, "i-0a000002");
    assert_code(&t, "NO_RETURN_ROUTE");
}
