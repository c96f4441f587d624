//! A subnet without an explicit association uses its own VPC's main table (§3.1; product.md: "a
//! subnet with no explicit association uses *its own VPC's* main table").

use crate::util::*;
use vpcsim::model::{AssociationKind, Network, RouteTableId};
use vpcsim::reach::{Disposition, InternetClass};

/// Two VPCs. vpc-0a000001's main table (rtb-0a000001, first in ID order) routes 0.0.0.0/0 to its
/// attached IGW; vpc-0b000001 has its own attached IGW but its main table (`b_main`) has no route
/// to it. Neither subnet has an explicit association.
fn fixture(b_main: &str) -> Network {
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
id = "subnet-0b000001"
vpc = "vpc-0b000001"
cidr = "10.1.1.0/24"

[[internet_gateway]]
id = "igw-0a000001"
vpc = "vpc-0a000001"

[[internet_gateway]]
id = "igw-0b000001"
vpc = "vpc-0b000001"

[[route_table]]
id = "rtb-0a000001"
vpc = "vpc-0a000001"
main = true
routes = ["0.0.0.0/0 -> igw-0a000001"]

{b_main}

[[instance]]
id = "i-0b000001"
subnet = "subnet-0b000001"
private_ip = "10.1.1.5"
public_ip = "198.51.100.5"
"#
    ))
}

const B_MAIN: &str = r#"
[[route_table]]
id = "rtb-0b000001"
vpc = "vpc-0b000001"
main = true
"#;

// Semantics doc §3.1; product.md: the implicit association resolves to the subnet's own VPC's main
// table, not the first main table found; the other VPC's IGW route does not make it public.
#[test]
fn implicit_association_uses_own_vpc_main_table() {
    let net = fixture(B_MAIN);
    let r = reach(&net, "subnet-0b000001");
    assert_eq!(r.route_table_id, Some(RouteTableId::new("rtb-0b000001")));
    assert_eq!(r.association, Some(AssociationKind::Main));
    assert_class(&r.ipv4, InternetClass::Isolated);
    // No route at all: not a blackhole through the other VPC's gateway.
    assert_eq!(
        segment_at(&r.ipv4, "8.8.8.8").disposition,
        Disposition::NoRoute
    );
    let t = trace(&net, "i-0b000001", "8.8.8.8");
    assert_disposition(&t, Disposition::NoRoute);
    assert_eq!(first_route(&t).0, "rtb-0b000001");
    // The other VPC's subnet is public through its own main table.
    let r = reach(&net, "subnet-0a000001");
    assert_eq!(r.route_table_id, Some(RouteTableId::new("rtb-0a000001")));
    assert_class(&r.ipv4, InternetClass::Public);
}

// Semantics doc §3.1 (every VPC has a main table): with no table marked main in vpc-0b000001 the
// implicit main table (local routes only) applies, still never the other VPC's.
#[test]
fn vpc_without_declared_main_table_uses_its_implicit_main_table() {
    let net = fixture("");
    let r = reach(&net, "subnet-0b000001");
    assert_eq!(r.association, Some(AssociationKind::Main));
    assert_ne!(r.route_table_id, Some(RouteTableId::new("rtb-0a000001")));
    let table = r.route_table_id.as_ref().expect("a main table");
    assert_eq!(net.route_tables[table].vpc_id.as_str(), "vpc-0b000001");
    assert_class(&r.ipv4, InternetClass::Isolated);
    assert_eq!(
        segment_at(&r.ipv4, "8.8.8.8").disposition,
        Disposition::NoRoute
    );
}
