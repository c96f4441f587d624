//! Gateway route tables (edge associations): ingress routing through a firewall interface
//! (§8 case 14 second half, §3.1 "Ingress traffic from a gateway", §3.6).

use crate::util::*;
use vpcsim::model::Network;
use vpcsim::reach::Disposition;

/// A VPC whose IGW has `edge` as its edge-associated gateways list on rtb-0e000001, a table
/// routing the app subnet (10.0.1.0/24) to the firewall interface eni-0f000001 (in the fw subnet,
/// source/destination check disabled, with a public address as §3.6 requires). i-0a000001 is in
/// app, i-0a000002 in another subnet.
fn fixture(edge: &str) -> Network {
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
name = "other"

[[subnet]]
id = "subnet-0a000003"
vpc = "vpc-0a000001"
cidr = "10.0.3.0/24"
name = "fw"

[[internet_gateway]]
id = "igw-0a000001"
vpc = "vpc-0a000001"

[[network_interface]]
id = "eni-0f000001"
subnet = "subnet-0a000003"
private_ips = ["10.0.3.10"]
public_ip = "198.51.100.10"
source_dest_check = false

[[route_table]]
id = "rtb-0a000001"
vpc = "vpc-0a000001"
main = true
routes = ["0.0.0.0/0 -> igw-0a000001"]

[[route_table]]
id = "rtb-0e000001"
vpc = "vpc-0a000001"
gateways = [{edge}]
routes = ["10.0.1.0/24 -> eni-0f000001"]

[[instance]]
id = "i-0a000001"
subnet = "subnet-0a000001"
private_ip = "10.0.1.7"

[[instance]]
id = "i-0a000002"
subnet = "subnet-0a000002"
private_ip = "10.0.2.7"
"#
    ))
}

const EDGE: &str = r#""igw-0a000001""#;

fn position(t: &vpcsim::reach::Trace, resource: &str) -> usize {
    resources(t)
        .iter()
        .position(|r| *r == resource)
        .unwrap_or_else(|| panic!("{resource} not on the path: {}", describe(t)))
}

// Semantics doc §8 case 14 ("an edge table with 10.0.1.0/24 -> eni-FW sends internet-ingress
// traffic for that subnet to the firewall ENI"), §3.6: the IGW's edge table routes ingress for the
// app subnet to the firewall first, which then forwards it by its own subnet's table.
#[test]
fn ingress_for_inspected_subnet_passes_firewall_interface() {
    let net = fixture(EDGE);
    let t = trace(&net, "igw-0a000001", "10.0.1.7");
    assert_eq!(
        first_route(&t),
        (
            "rtb-0e000001".into(),
            Some("10.0.1.0/24".into()),
            Some("eni-0f000001".into())
        )
    );
    assert_disposition(&t, Disposition::Delivered);
    assert!(
        position(&t, "igw-0a000001") < position(&t, "eni-0f000001"),
        "{}",
        describe(&t)
    );
    assert!(
        position(&t, "eni-0f000001") < position(&t, "i-0a000001"),
        "{}",
        describe(&t)
    );
}

// Semantics doc §8 case 14 ("while other subnets use local"), §3.6: ingress for another subnet
// matches the edge table's local route and is delivered directly.
#[test]
fn ingress_for_other_subnet_is_delivered_directly() {
    let net = fixture(EDGE);
    let t = trace(&net, "igw-0a000001", "10.0.2.7");
    assert_eq!(
        first_route(&t),
        (
            "rtb-0e000001".into(),
            Some("10.0.0.0/16".into()),
            Some("local".into())
        )
    );
    assert_disposition(&t, Disposition::Delivered);
    assert_avoids(&t, "eni-0f000001");
    assert_passes(&t, "i-0a000002");
}

// Semantics doc §3.1 ("otherwise they go straight to the destination via the implicit local
// routing"): the same table without the edge association does not touch ingress.
#[test]
fn ingress_without_edge_association_skips_firewall() {
    let net = fixture("");
    let t = trace(&net, "igw-0a000001", "10.0.1.7");
    assert_disposition(&t, Disposition::Delivered);
    assert!(table_hops(&t).is_empty(), "{}", describe(&t));
    assert_avoids(&t, "eni-0f000001");
    assert_passes(&t, "i-0a000001");
}
