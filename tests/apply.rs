//! `Network::apply`: every change of the route family applied with EC2's rules (semantics doc
//! §1, §2.2, §3, §7, §8). Every rejected change is checked to leave the model exactly as it was
//! (`rejected`), and every error code `apply` can return for the route family is produced here
//! at least once. Tests named `aws_not_moto_*` pin AWS's behaviour where moto differs (§2.3).
//!
//! Index:
//! - routes: target count, existence, networks, local and more-specific rules, duplicates, quota
//! - tables and associations: create/delete, associate, disassociate, replace (main included),
//!   gateway route tables (§8 case 14)
//! - VPCs, CIDRs, subnets, the VPC wizard and its teardown
//! - gateways, NAT gateways (§8 case 10), VGWs, peering, endpoints (§8 case 15d), addresses,
//!   interfaces, instances
//! - placeholders (§8 case 15c), what a missing resource of an undescribed kind means

use std::fmt::Write as _;
use std::net::Ipv4Addr;
use vpcsim::model::*;
use vpcsim::snapshot::{self, topology};

// --- fixtures and helpers ---------------------------------------------------------------

/// Two VPCs: vpc-1 (10.0.0.0/16 + an IPv6 /56) with public, private, edge and main tables, an
/// IGW, an EIGW, a VGW, a NAT gateway, a firewall ENI, an instance, two endpoints and a TGW
/// attachment; vpc-2 (10.1.0.0/16) peered with it; a detached IGW and VGW.
const BASE: &str = r#"
account = "123456789012"
region = "us-east-1"

[[vpc]]
id = "vpc-1"
cidrs = ["10.0.0.0/16", "2600:1f18:1:100::/56"]

[[vpc]]
id = "vpc-2"
cidrs = ["10.1.0.0/16"]

[[subnet]]
id = "subnet-a"
vpc = "vpc-1"
cidr = "10.0.1.0/24"
ipv6_cidrs = ["2600:1f18:1:100::/64"]

[[subnet]]
id = "subnet-b"
vpc = "vpc-1"
cidr = "10.0.2.0/24"

[[subnet]]
id = "subnet-x"
vpc = "vpc-2"
cidr = "10.1.1.0/24"

[[internet_gateway]]
id = "igw-1"
vpc = "vpc-1"

[[internet_gateway]]
id = "igw-2"
vpc = "vpc-2"

[[internet_gateway]]
id = "igw-free"

[[egress_only_internet_gateway]]
id = "eigw-1"
vpc = "vpc-1"

[[vpn_gateway]]
id = "vgw-1"
vpc = "vpc-1"

[[vpn_gateway]]
id = "vgw-free"

[[nat_gateway]]
id = "nat-1"
subnet = "subnet-a"
private_ip = "10.0.1.10"
public_ip = "203.0.113.10"

[[nat_gateway]]
id = "nat-x"
subnet = "subnet-x"

[[network_interface]]
id = "eni-fw"
subnet = "subnet-b"
private_ips = ["10.0.2.10"]
source_dest_check = false

[[network_interface]]
id = "eni-x"
subnet = "subnet-x"
private_ips = ["10.1.1.10"]

[[instance]]
id = "i-1"
subnet = "subnet-b"
private_ip = "10.0.2.20"

[[vpc_peering_connection]]
id = "pcx-12"
requester = "vpc-1"
accepter = "vpc-2"

[[transit_gateway_attachment]]
id = "tgw-attach-1"
transit_gateway = "tgw-1"
vpc = "vpc-1"
subnets = ["subnet-a"]

[[prefix_list]]
id = "pl-s3"
name = "com.amazonaws.us-east-1.s3"
cidrs = ["52.216.0.0/15"]

[[prefix_list]]
id = "pl-corp"
name = "corp"
cidrs = ["192.168.0.0/16", "172.16.0.0/12"]

[[vpc_endpoint]]
id = "vpce-s3"
vpc = "vpc-1"
type = "Gateway"
service = "com.amazonaws.us-east-1.s3"
route_tables = ["rtb-main"]
prefix_list = "pl-s3"

[[vpc_endpoint]]
id = "vpce-gwlb"
vpc = "vpc-1"
type = "GatewayLoadBalancer"
subnets = ["subnet-b"]

[[route_table]]
id = "rtb-main"
vpc = "vpc-1"
main = true

[[route_table]]
id = "rtb-pub"
vpc = "vpc-1"
subnets = ["subnet-a"]
routes = ["0.0.0.0/0 -> igw-1"]

[[route_table]]
id = "rtb-priv"
vpc = "vpc-1"
routes = [{ destination = "192.168.0.0/16", target = "vgw-1", origin = "EnableVgwRoutePropagation" }]

[[route_table]]
id = "rtb-edge"
vpc = "vpc-1"
gateways = ["igw-1"]
routes = ["10.0.2.0/24 -> eni-fw"]

[[route_table]]
id = "rtb-2"
vpc = "vpc-2"
main = true
"#;

fn load(text: &str) -> Network {
    let mut loaded = topology::load_str(text, "test.toml").expect("fixture topology loads");
    snapshot::finish(&mut loaded);
    loaded.network
}

fn base() -> Network {
    load(BASE)
}

fn opts() -> ApplyOptions {
    ApplyOptions::default()
}

/// Applies a change that must succeed.
fn ok(net: &mut Network, change: Change) -> Effect {
    net.apply(&change, &opts())
        .unwrap_or_else(|e| panic!("{} rejected: {e}", change.event_name()))
}

/// Applies a change that must fail with `code` and a message containing `message`, and checks
/// that the model is exactly as it was.
fn rejected(net: &mut Network, change: Change, code: &str, message: &str) -> Ec2Error {
    rejected_with(net, change, &opts(), code, message)
}

fn rejected_with(
    net: &mut Network,
    change: Change,
    opts: &ApplyOptions,
    code: &str,
    message: &str,
) -> Ec2Error {
    let before = format!("{net:?}");
    let e = match net.apply(&change, opts) {
        Ok(effect) => panic!(
            "{} accepted ({}), expected {code}",
            change.event_name(),
            effect.summary
        ),
        Err(e) => e,
    };
    assert_eq!(e.code, code, "{}: {e}", change.event_name());
    assert!(
        e.message.contains(message),
        "{}: message {:?} lacks {:?}",
        change.event_name(),
        e.message,
        message
    );
    assert_eq!(
        format!("{net:?}"),
        before,
        "a rejected {} changed the model",
        change.event_name()
    );
    e
}

fn d(s: &str) -> Destination {
    Destination::parse(s).expect("test destination parses")
}

fn t(s: &str) -> Target {
    Target::from_id(s)
}

fn rtb(s: &str) -> RouteTableId {
    RouteTableId::new(s)
}

fn create_route(table: &str, dest: &str, target: &str) -> Change {
    Change::CreateRoute {
        route_table_id: rtb(table),
        destination: d(dest),
        targets: vec![t(target)],
    }
}

fn replace_route(table: &str, dest: &str, target: &str) -> Change {
    Change::ReplaceRoute {
        route_table_id: rtb(table),
        destination: d(dest),
        targets: vec![t(target)],
        local_target: false,
    }
}

fn delete_route(table: &str, dest: &str) -> Change {
    Change::DeleteRoute {
        route_table_id: rtb(table),
        destination: d(dest),
    }
}

fn associate_subnet(table: &str, subnet: &str, assoc: Option<&str>) -> Change {
    Change::AssociateRouteTable {
        route_table_id: rtb(table),
        subnet_id: Some(SubnetId::new(subnet)),
        gateway_id: None,
        association_id: assoc.map(RouteTableAssociationId::new),
    }
}

fn associate_gateway(table: &str, gateway: &str) -> Change {
    Change::AssociateRouteTable {
        route_table_id: rtb(table),
        subnet_id: None,
        gateway_id: Some(gateway.to_string()),
        association_id: None,
    }
}

fn create_vpc(id: &str, cidr: &str) -> Change {
    Change::CreateVpc {
        vpc_id: Some(VpcId::new(id)),
        cidr_block: Some(cidr.parse().expect("cidr")),
        ipv6_cidr_block: None,
        owner_id: None,
    }
}

fn create_subnet(vpc: &str, id: &str, cidr: &str) -> Change {
    Change::CreateSubnet {
        vpc_id: VpcId::new(vpc),
        subnet_id: Some(SubnetId::new(id)),
        cidr_block: Some(cidr.parse().expect("cidr")),
        ipv6_cidr_block: None,
        availability_zone: None,
    }
}

fn route<'a>(net: &'a Network, table: &str, dest: &str) -> Option<&'a Route> {
    net.route_tables.get(&rtb(table))?.routes.get(&RouteKey {
        destination: d(dest),
        propagated: false,
    })
}

fn target_of(net: &Network, table: &str, dest: &str) -> Option<String> {
    route(net, table, dest).map(|r| r.target.to_string())
}

fn status(net: &Network, table: &str, dest: &str) -> TargetStatus {
    let tb = net.route_tables.get(&rtb(table)).expect("table exists");
    let r = route(net, table, dest).expect("route exists");
    net.target_status(&tb.vpc_id, &r.target)
}

fn effective(net: &Network, subnet: &str) -> Option<(String, &'static str)> {
    net.effective_route_table(&SubnetId::new(subnet))
        .map(|(t, k)| (t.to_string(), k.name()))
}

fn main_assoc(net: &Network, table: &str) -> RouteTableAssociationId {
    net.route_tables[&rtb(table)]
        .associations
        .iter()
        .find(|a| a.target == AssociationTarget::Main)
        .map(|a| a.id.clone())
        .expect("main association")
}

fn assoc_of(net: &Network, subnet: &str) -> RouteTableAssociationId {
    let target = AssociationTarget::Subnet(SubnetId::new(subnet));
    net.route_tables
        .values()
        .flat_map(|t| &t.associations)
        .find(|a| a.target == target)
        .map(|a| a.id.clone())
        .expect("subnet association")
}

/// A sorted text rendering of the routing state, for comparison with a hand-derived state.
fn dump(net: &Network) -> String {
    let mut out = String::new();
    for (id, v) in &net.vpcs {
        let cidrs: Vec<String> = v.ipv4_cidrs.iter().map(|c| c.to_string()).collect();
        let _ = writeln!(out, "vpc {id} {}", cidrs.join(","));
    }
    for (id, s) in &net.subnets {
        let eff = effective(net, id.as_str())
            .map(|(t, k)| format!("{t} ({k})"))
            .unwrap_or_else(|| "none".into());
        let cidr = s.ipv4_cidr.map(|c| c.to_string()).unwrap_or_default();
        let _ = writeln!(out, "subnet {id} {cidr} -> {eff}");
    }
    for (id, g) in &net.internet_gateways {
        let at = g
            .attached_vpc
            .as_ref()
            .map(|v| v.to_string())
            .unwrap_or_default();
        let _ = writeln!(out, "igw {id} {at}");
    }
    for (id, n) in &net.nat_gateways {
        let ips: Vec<String> = n.public_ips.iter().map(|i| i.to_string()).collect();
        let _ = writeln!(
            out,
            "nat {id} {} {} {}",
            n.subnet_id,
            n.state.name(),
            ips.join(",")
        );
    }
    for (id, tb) in &net.route_tables {
        let mut assocs: Vec<String> = tb
            .associations
            .iter()
            .map(|a| match &a.target {
                AssociationTarget::Main => "main".to_string(),
                AssociationTarget::Subnet(s) => s.to_string(),
                AssociationTarget::Gateway(g) => g.clone(),
            })
            .collect();
        assocs.sort();
        let _ = writeln!(out, "rtb {id} {} [{}]", tb.vpc_id, assocs.join(","));
        for r in tb.routes.values() {
            let st = match net.route_status(&tb.vpc_id, r) {
                TargetStatus::Active => "active",
                TargetStatus::Blackhole(_) => "blackhole",
                TargetStatus::Unknown(_) => "unknown",
            };
            let _ = writeln!(
                out,
                "  {} -> {} {} {st}",
                r.destination,
                r.target,
                r.origin.name()
            );
        }
    }
    out
}

// --- CreateRoute: parameters and target existence (§1.2, §2.2, §7) -----------------------

#[test]
fn create_route_needs_exactly_one_target() {
    let mut net = base();
    let none = Change::CreateRoute {
        route_table_id: rtb("rtb-priv"),
        destination: d("0.0.0.0/0"),
        targets: vec![],
    };
    rejected(&mut net, none, "MissingParameter", "exactly one of");
    let two = Change::CreateRoute {
        route_table_id: rtb("rtb-priv"),
        destination: d("0.0.0.0/0"),
        targets: vec![t("igw-1"), t("nat-1")],
    };
    rejected(
        &mut net,
        two,
        "InvalidParameterCombination",
        "exactly one of",
    );
}

#[test]
fn create_route_in_unknown_table() {
    let mut net = base();
    rejected(
        &mut net,
        create_route("rtb-nope", "0.0.0.0/0", "igw-1"),
        "InvalidRouteTableID.NotFound",
        "The routeTable ID 'rtb-nope' does not exist",
    );
}

#[test]
fn aws_not_moto_create_route_to_local_is_rejected() {
    // §1.2 [TF vpc_route.go]; moto accepts it (§2.3).
    let mut net = base();
    rejected(
        &mut net,
        create_route("rtb-priv", "0.0.0.0/0", "local"),
        "InvalidGatewayID.NotFound",
        "The gateway ID 'local' does not exist",
    );
}

#[test]
fn unknown_targets_are_not_found_by_kind() {
    // §2.2; moto silently drops unknown NAT/TGW/prefix-list targets (§2.3).
    let mut net = base();
    let cases = [
        (
            "0.0.0.0/0",
            "igw-nope",
            "InvalidGatewayID.NotFound",
            "'igw-nope'",
        ),
        (
            "0.0.0.0/0",
            "vgw-nope",
            "InvalidGatewayID.NotFound",
            "'vgw-nope'",
        ),
        (
            "0.0.0.0/0",
            "nat-nope",
            "InvalidNatGatewayID.NotFound",
            "'nat-nope'",
        ),
        (
            "0.0.0.0/0",
            "tgw-nope",
            "InvalidTransitGatewayID.NotFound",
            "'tgw-nope'",
        ),
        (
            "0.0.0.0/0",
            "pcx-nope",
            "InvalidVpcPeeringConnectionID.NotFound",
            "'pcx-nope'",
        ),
        (
            "0.0.0.0/0",
            "eni-nope",
            "InvalidNetworkInterfaceID.NotFound",
            "'eni-nope'",
        ),
        (
            "0.0.0.0/0",
            "i-nope",
            "InvalidInstanceID.NotFound",
            "'i-nope'",
        ),
        (
            "::/0",
            "eigw-nope",
            "InvalidEgressOnlyInternetGatewayId.NotFound",
            "'eigw-nope'",
        ),
        (
            "0.0.0.0/0",
            "vpce-nope",
            "InvalidVpcEndpointId.NotFound",
            "'vpce-nope'",
        ),
        (
            "0.0.0.0/0",
            "garbage-1",
            "InvalidGatewayID.NotFound",
            "'garbage-1'",
        ),
    ];
    for (dest, target, code, msg) in cases {
        rejected(&mut net, create_route("rtb-priv", dest, target), code, msg);
    }
    rejected(
        &mut net,
        create_route("rtb-priv", "pl-nope", "igw-1"),
        "InvalidPrefixListID.NotFound",
        "'pl-nope'",
    );
}

#[test]
fn aws_not_moto_create_route_to_unattached_igw_fails() {
    // §2.2 [GH smoketurner/serverless-vpc-plugin#147]; moto accepts it (§2.3).
    let mut net = base();
    rejected(
        &mut net,
        create_route("rtb-priv", "0.0.0.0/0", "igw-free"),
        "InvalidParameterValue",
        "route table rtb-priv and network gateway igw-free belong to different networks",
    );
    rejected(
        &mut net,
        create_route("rtb-priv", "0.0.0.0/0", "igw-2"),
        "InvalidParameterValue",
        "network gateway igw-2 belong to different networks",
    );
    rejected(
        &mut net,
        create_route("rtb-priv", "0.0.0.0/0", "vgw-free"),
        "InvalidParameterValue",
        "network gateway vgw-free belong to different networks",
    );
}

#[test]
fn interface_and_nat_targets_must_be_in_the_tables_vpc() {
    let mut net = base();
    rejected(
        &mut net,
        create_route("rtb-priv", "0.0.0.0/0", "eni-x"),
        "InvalidParameterValue",
        "route table rtb-priv and interface eni-x belong to different networks",
    );
    rejected(
        &mut net,
        create_route("rtb-priv", "0.0.0.0/0", "nat-x"),
        "InvalidParameterValue",
        "route table rtb-priv and interface nat-x belong to different networks",
    );
}

#[test]
fn endpoint_targets() {
    let mut net = base();
    // §1.2: a gateway endpoint is not a CreateRoute target (moto wording; code unverified).
    rejected(
        &mut net,
        create_route("rtb-priv", "0.0.0.0/0", "vpce-s3"),
        "InvalidParameterValue",
        "unsupported route target: vpce-s3",
    );
    // §1.2 [TF]: prefix-list destination + endpoint target.
    rejected(
        &mut net,
        create_route("rtb-priv", "pl-corp", "vpce-gwlb"),
        "InvalidParameterValue",
        "Cannot create or replace a prefix list route targeting a VPC Endpoint.",
    );
    // A GWLB endpoint is a fine target.
    ok(&mut net, create_route("rtb-priv", "0.0.0.0/0", "vpce-gwlb"));
}

#[test]
fn target_families() {
    let mut net = base();
    // §1.11, §4.3: egress-only gateways are IPv6 only.
    rejected(
        &mut net,
        create_route("rtb-priv", "0.0.0.0/0", "eigw-1"),
        "InvalidParameterValue",
        "eigw-1",
    );
    ok(&mut net, create_route("rtb-priv", "::/0", "eigw-1"));
    // §1.2, §4.2: a NAT gateway takes IPv6 only for NAT64.
    rejected(
        &mut net,
        create_route("rtb-pub", "::/0", "nat-1"),
        "InvalidParameterValue",
        "64:ff9b::/96",
    );
    ok(&mut net, create_route("rtb-pub", "64:ff9b::/96", "nat-1"));
}

#[test]
fn reserved_destinations_are_rejected_but_wider_ones_accepted() {
    // §2.2, §4.9 (code unverified).
    let mut net = base();
    rejected(
        &mut net,
        create_route("rtb-priv", "169.254.169.254/32", "nat-1"),
        "InvalidParameterValue",
        "reserved",
    );
    rejected(
        &mut net,
        create_route("rtb-priv", "fd00:ec2::23/128", "eigw-1"),
        "InvalidParameterValue",
        "reserved",
    );
    ok(
        &mut net,
        create_route("rtb-priv", "169.254.0.0/16", "nat-1"),
    );
}

#[test]
fn instance_with_several_interfaces_needs_an_interface_id() {
    // [EC2-ERR InvalidInstanceID].
    let mut net = base();
    ok(
        &mut net,
        Change::CreateNetworkInterface {
            subnet_id: SubnetId::new("subnet-b"),
            network_interface_id: Some(NetworkInterfaceId::new("eni-second")),
            private_ips: vec![],
        },
    );
    if let Some(e) = net
        .network_interfaces
        .get_mut(&NetworkInterfaceId::new("eni-second"))
    {
        e.instance_id = Some(InstanceId::new("i-1"));
    }
    rejected(
        &mut net,
        create_route("rtb-priv", "0.0.0.0/0", "i-1"),
        "InvalidInstanceID",
        "multiple interfaces attached to instance 'i-1'",
    );
}

// --- local routes, more specific than local, duplicates (§3.2, §3.3, §8 cases 3–6) -------

#[test]
fn case3_local_routes_are_automatic_and_undeletable() {
    let mut net = base();
    // A second IPv4 CIDR: every table of the VPC gets its local route.
    ok(
        &mut net,
        Change::AssociateVpcCidrBlock {
            vpc_id: VpcId::new("vpc-1"),
            cidr_block: Some("10.2.0.0/16".parse().expect("cidr")),
            association_id: Some("vpc-cidr-assoc-2".into()),
        },
    );
    for table in ["rtb-main", "rtb-pub", "rtb-priv", "rtb-edge"] {
        let r = route(&net, table, "10.2.0.0/16").expect("local route added");
        assert_eq!(r.target, Target::Local, "{table}");
        assert_eq!(r.origin, RouteOrigin::CreateRouteTable, "{table}");
    }
    assert!(
        route(&net, "rtb-2", "10.2.0.0/16").is_none(),
        "other VPC untouched"
    );
    // CreateRouteTable: exactly three routes, all local, Origin=CreateRouteTable.
    let e = ok(
        &mut net,
        Change::CreateRouteTable {
            vpc_id: VpcId::new("vpc-1"),
            route_table_id: Some(rtb("rtb-new")),
        },
    );
    assert_eq!(e.touched, vec!["rtb-new".to_string()]);
    let table = &net.route_tables[&rtb("rtb-new")];
    assert_eq!(table.routes.len(), 3);
    assert!(
        table
            .routes
            .values()
            .all(|r| r.target == Target::Local && r.origin == RouteOrigin::CreateRouteTable)
    );
    assert!(table.associations.is_empty());
    // DeleteRoute on any of them fails (moto deletes it, §2.3).
    for dest in ["10.0.0.0/16", "10.2.0.0/16", "2600:1f18:1:100::/56"] {
        rejected(
            &mut net,
            delete_route("rtb-new", dest),
            "InvalidParameterValue",
            &format!("cannot remove local route {dest} in route table rtb-new"),
        );
    }
}

#[test]
fn aws_not_moto_delete_route_on_local_fails() {
    let mut net = base();
    rejected(
        &mut net,
        delete_route("rtb-main", "10.0.0.0/16"),
        "InvalidParameterValue",
        "cannot remove local route 10.0.0.0/16 in route table rtb-main",
    );
    // Still undeletable after its target was replaced (§3.2).
    ok(&mut net, replace_route("rtb-main", "10.0.0.0/16", "eni-fw"));
    rejected(
        &mut net,
        delete_route("rtb-main", "10.0.0.0/16"),
        "InvalidParameterValue",
        "cannot remove local route",
    );
}

#[test]
fn case4_duplicates_and_canonicalisation() {
    let mut net = base();
    ok(
        &mut net,
        create_route("rtb-priv", "100.68.0.0/18", "pcx-12"),
    );
    // "100.68.0.18/18" is canonicalised to 100.68.0.0/18 and collides.
    let e = rejected(
        &mut net,
        create_route("rtb-priv", "100.68.0.18/18", "nat-1"),
        "RouteAlreadyExists",
        "The route identified by 100.68.0.0/18 already exists.",
    );
    assert!(e.message.ends_with("already exists."));
    // Duplicates are detected for IPv6 and prefix lists too (moto checks IPv4 only, §2.3).
    ok(&mut net, create_route("rtb-priv", "::/0", "eigw-1"));
    rejected(
        &mut net,
        create_route("rtb-priv", "::/0", "igw-1"),
        "RouteAlreadyExists",
        "::/0",
    );
    ok(&mut net, create_route("rtb-priv", "pl-corp", "nat-1"));
    rejected(
        &mut net,
        create_route("rtb-priv", "pl-corp", "igw-1"),
        "RouteAlreadyExists",
        "pl-corp",
    );
    // A static route equal to a propagated one is fine; both stay listed (§3.3).
    ok(
        &mut net,
        create_route("rtb-priv", "192.168.0.0/16", "pcx-12"),
    );
    let table = &net.route_tables[&rtb("rtb-priv")];
    let both: Vec<&Route> = table
        .routes
        .values()
        .filter(|r| r.destination == d("192.168.0.0/16"))
        .collect();
    assert_eq!(both.len(), 2);
}

#[test]
fn case5_missing_route_errors_differ_by_verb() {
    let mut net = base();
    rejected(
        &mut net,
        delete_route("rtb-priv", "9.9.9.0/24"),
        "InvalidRoute.NotFound",
        "no route with destination-cidr-block 9.9.9.0/24 in route table rtb-priv",
    );
    rejected(
        &mut net,
        replace_route("rtb-priv", "9.9.9.0/24", "nat-1"),
        "InvalidParameterValue",
        "There is no route defined for '9.9.9.0/24' in the route table. Use CreateRoute instead.",
    );
    // Only a propagated route there: still no static route to replace or delete.
    rejected(
        &mut net,
        replace_route("rtb-priv", "192.168.0.0/16", "nat-1"),
        "InvalidParameterValue",
        "There is no route defined for '192.168.0.0/16'",
    );
    rejected(
        &mut net,
        delete_route("rtb-priv", "192.168.0.0/16"),
        "InvalidParameterValue",
        "propagated",
    );
}

#[test]
fn case6_more_specific_than_local() {
    let mut net = base();
    // Exactly a subnet's CIDR, middlebox targets: accepted.
    ok(&mut net, create_route("rtb-priv", "10.0.1.0/24", "eni-fw"));
    ok(&mut net, create_route("rtb-pub", "10.0.2.0/24", "nat-1"));
    ok(
        &mut net,
        create_route("rtb-main", "10.0.1.0/24", "vpce-gwlb"),
    );
    ok(
        &mut net,
        create_route("rtb-priv", "2600:1f18:1:100::/64", "eni-fw"),
    );
    // A sub-range of a subnet, or a non-middlebox target: "Route target is not supported".
    let msg =
        "Route target is not supported. This route only supports interface and instance targets.";
    rejected(
        &mut net,
        create_route("rtb-pub", "10.0.1.0/25", "eni-fw"),
        "InvalidParameterValue",
        msg,
    );
    rejected(
        &mut net,
        create_route("rtb-pub", "10.0.1.0/24", "igw-1"),
        "InvalidParameterValue",
        msg,
    );
    rejected(
        &mut net,
        create_route("rtb-pub", "10.0.1.0/24", "pcx-12"),
        "InvalidParameterValue",
        msg,
    );
    rejected(
        &mut net,
        create_route("rtb-pub", "10.0.9.0/24", "eni-fw"),
        "InvalidParameterValue",
        msg,
    );
    // The VPC CIDR itself: the local route is there already, which EC2 says for a target the
    // local route may take (an endpoint in [GH terraform-provider-aws#23866]); a peering
    // connection is refused as a target first ([GH hashicorp/terraform#26018]), §2.2.
    rejected(
        &mut net,
        create_route("rtb-priv", "10.0.0.0/16", "eni-fw"),
        "RouteAlreadyExists",
        "The route identified by 10.0.0.0/16 already exists.",
    );
    rejected(
        &mut net,
        create_route("rtb-priv", "10.0.0.0/16", "vpce-gwlb"),
        "RouteAlreadyExists",
        "The route identified by 10.0.0.0/16 already exists.",
    );
    rejected(
        &mut net,
        create_route("rtb-priv", "10.0.0.0/16", "pcx-12"),
        "InvalidParameterValue",
        msg,
    );
    rejected(
        &mut net,
        create_route("rtb-priv", "10.0.0.0/16", "igw-1"),
        "InvalidParameterValue",
        msg,
    );
    // ReplaceRoute retargets the local route to ENI/NAT/GWLBe only, and LocalTarget restores it.
    rejected(
        &mut net,
        replace_route("rtb-priv", "10.0.0.0/16", "igw-1"),
        "InvalidParameterValue",
        msg,
    );
    rejected(
        &mut net,
        replace_route("rtb-priv", "10.0.0.0/16", "pcx-12"),
        "InvalidParameterValue",
        msg,
    );
    ok(&mut net, replace_route("rtb-priv", "10.0.0.0/16", "eni-fw"));
    assert_eq!(
        target_of(&net, "rtb-priv", "10.0.0.0/16").as_deref(),
        Some("eni-fw")
    );
    ok(&mut net, replace_route("rtb-priv", "10.0.0.0/16", "nat-1"));
    ok(
        &mut net,
        replace_route("rtb-priv", "10.0.0.0/16", "vpce-gwlb"),
    );
    ok(
        &mut net,
        Change::ReplaceRoute {
            route_table_id: rtb("rtb-priv"),
            destination: d("10.0.0.0/16"),
            targets: vec![],
            local_target: true,
        },
    );
    let r = route(&net, "rtb-priv", "10.0.0.0/16").expect("local route");
    assert_eq!(r.target, Target::Local);
    assert_eq!(r.origin, RouteOrigin::CreateRouteTable, "origin kept");
    // LocalTarget on a route that is not local.
    rejected(
        &mut net,
        Change::ReplaceRoute {
            route_table_id: rtb("rtb-pub"),
            destination: d("0.0.0.0/0"),
            targets: vec![],
            local_target: true,
        },
        "InvalidParameterValue",
        "localTarget",
    );
    // A subnet-exact route keeps the more-specific rule on ReplaceRoute.
    rejected(
        &mut net,
        replace_route("rtb-priv", "10.0.1.0/24", "igw-1"),
        "InvalidParameterValue",
        msg,
    );
}

#[test]
fn replace_route_keeps_origin_and_validates_the_target() {
    let mut net = base();
    ok(&mut net, create_route("rtb-priv", "0.0.0.0/0", "nat-1"));
    rejected(
        &mut net,
        replace_route("rtb-priv", "0.0.0.0/0", "igw-free"),
        "InvalidParameterValue",
        "belong to different networks",
    );
    rejected(
        &mut net,
        replace_route("rtb-priv", "0.0.0.0/0", "local"),
        "InvalidGatewayID.NotFound",
        "'local'",
    );
    let e = ok(&mut net, replace_route("rtb-priv", "0.0.0.0/0", "igw-1"));
    assert_eq!(
        e.summary,
        "rtb-priv: replaced 0.0.0.0/0 -> nat-1 with 0.0.0.0/0 -> igw-1"
    );
    assert_eq!(e.touched, vec!["rtb-priv".to_string()]);
    assert!(!e.structural);
    let r = route(&net, "rtb-priv", "0.0.0.0/0").expect("route");
    assert_eq!(r.origin, RouteOrigin::CreateRoute);
}

#[test]
fn gateway_endpoint_routes_are_managed_by_the_endpoint() {
    let mut net = base();
    rejected(
        &mut net,
        delete_route("rtb-main", "pl-s3"),
        "InvalidParameterValue",
        "managed by gateway endpoint vpce-s3",
    );
    rejected(
        &mut net,
        replace_route("rtb-main", "pl-s3", "nat-1"),
        "InvalidParameterValue",
        "managed by gateway endpoint vpce-s3",
    );
}

#[test]
fn create_and_delete_route_effects() {
    let mut net = base();
    let e = ok(&mut net, create_route("rtb-priv", "0.0.0.0/0", "nat-1"));
    assert_eq!(e.summary, "rtb-priv: added 0.0.0.0/0 -> nat-1");
    assert_eq!(e.touched, vec!["rtb-priv".to_string()]);
    assert!(!e.structural);
    let r = route(&net, "rtb-priv", "0.0.0.0/0").expect("route");
    assert_eq!(r.origin, RouteOrigin::CreateRoute);
    let e = ok(&mut net, delete_route("rtb-priv", "0.0.0.0/0"));
    assert_eq!(e.summary, "rtb-priv: deleted 0.0.0.0/0 -> nat-1");
    assert!(route(&net, "rtb-priv", "0.0.0.0/0").is_none());
}

// --- quota (§3.7) ------------------------------------------------------------------------

#[test]
fn route_limit_is_per_table_and_per_family() {
    let mut net = base();
    let o = ApplyOptions {
        route_limit: 3,
        ..ApplyOptions::default()
    };
    let apply = |net: &mut Network, c: Change| net.apply(&c, &o).map(|_| ());
    // rtb-priv holds one IPv4 and one IPv6 local route; the propagated route does not count.
    apply(&mut net, create_route("rtb-priv", "0.0.0.0/0", "nat-1")).expect("2nd IPv4");
    apply(
        &mut net,
        create_route("rtb-priv", "172.31.0.0/16", "pcx-12"),
    )
    .expect("3rd IPv4");
    rejected_with(
        &mut net,
        create_route("rtb-priv", "100.64.0.0/10", "pcx-12"),
        &o,
        "RouteLimitExceeded",
        "rtb-priv",
    );
    // IPv6 has its own count.
    apply(&mut net, create_route("rtb-priv", "::/0", "eigw-1")).expect("2nd IPv6");
    apply(
        &mut net,
        create_route("rtb-priv", "2001:db8::/32", "eigw-1"),
    )
    .expect("3rd IPv6");
    rejected_with(
        &mut net,
        create_route("rtb-priv", "2001:db9::/32", "eigw-1"),
        &o,
        "RouteLimitExceeded",
        "IPv6",
    );
}

#[test]
fn prefix_list_routes_count_as_their_entries() {
    let mut net = base();
    let o = ApplyOptions {
        route_limit: 3,
        ..ApplyOptions::default()
    };
    // rtb-priv: local (1) + pl-corp (2 entries) = 3.
    net.apply(&create_route("rtb-priv", "pl-corp", "nat-1"), &o)
        .expect("fits exactly");
    rejected_with(
        &mut net,
        create_route("rtb-priv", "0.0.0.0/0", "nat-1"),
        &o,
        "RouteLimitExceeded",
        "rtb-priv",
    );
    // With max_entries known, it counts instead.
    let mut net = base();
    if let Some(p) = net.prefix_lists.get_mut(&PrefixListId::new("pl-corp")) {
        p.max_entries = Some(10);
    }
    rejected_with(
        &mut net,
        create_route("rtb-priv", "pl-corp", "nat-1"),
        &o,
        "RouteLimitExceeded",
        "rtb-priv",
    );
}

// --- route tables and associations (§1.5, §1.6, §8 cases 7–9) -----------------------------

#[test]
fn create_route_table_errors_and_placeholders() {
    let mut net = base();
    rejected(
        &mut net,
        Change::CreateRouteTable {
            vpc_id: VpcId::new("vpc-nope"),
            route_table_id: None,
        },
        "InvalidVpcID.NotFound",
        "'vpc-nope'",
    );
    // vpc-1 has four tables.
    rejected_with(
        &mut net,
        Change::CreateRouteTable {
            vpc_id: VpcId::new("vpc-1"),
            route_table_id: None,
        },
        &ApplyOptions {
            route_table_limit: 4,
            ..ApplyOptions::default()
        },
        "RouteTableLimitExceeded",
        "vpc-1",
    );
    let create = Change::CreateRouteTable {
        vpc_id: VpcId::new("vpc-1"),
        route_table_id: None,
    };
    let e1 = ok(&mut net, create.clone());
    let e2 = ok(&mut net, create);
    assert_eq!(e1.touched, vec!["rtb-new-1".to_string()]);
    assert_eq!(e2.touched, vec!["rtb-new-2".to_string()]);
    assert!(net.is_placeholder("rtb-new-1"));
    // A duplicate ID is not applied.
    rejected(
        &mut net,
        Change::CreateRouteTable {
            vpc_id: VpcId::new("vpc-1"),
            route_table_id: Some(rtb("rtb-pub")),
        },
        "vpcsim.DuplicateId",
        "rtb-pub",
    );
}

#[test]
fn case8_main_table_protections() {
    let mut net = base();
    let main = main_assoc(&net, "rtb-main");
    rejected(
        &mut net,
        Change::DisassociateRouteTable {
            association_id: main.clone(),
        },
        "InvalidParameterValue",
        &format!("cannot disassociate the main route table association {main}"),
    );
    // DeleteRouteTable on main (moto allows it, §2.3), on a subnet table, on an edge table.
    for table in ["rtb-main", "rtb-pub", "rtb-edge"] {
        rejected(
            &mut net,
            Change::DeleteRouteTable {
                route_table_id: rtb(table),
            },
            "DependencyViolation",
            &format!("The routeTable '{table}' has dependencies and cannot be deleted."),
        );
    }
    rejected(
        &mut net,
        Change::DeleteRouteTable {
            route_table_id: rtb("rtb-nope"),
        },
        "InvalidRouteTableID.NotFound",
        "rtb-nope",
    );
    // After its associations are gone, a non-main table deletes fine.
    let a = assoc_of(&net, "subnet-a");
    let e = ok(
        &mut net,
        Change::DisassociateRouteTable {
            association_id: a.clone(),
        },
    );
    assert_eq!(
        e.touched,
        vec!["rtb-pub".to_string(), "subnet-a".to_string()]
    );
    assert_eq!(
        effective(&net, "subnet-a"),
        Some(("rtb-main".into(), "main"))
    );
    ok(
        &mut net,
        Change::DeleteRouteTable {
            route_table_id: rtb("rtb-pub"),
        },
    );
    assert!(!net.route_tables.contains_key(&rtb("rtb-pub")));
    rejected(
        &mut net,
        Change::DisassociateRouteTable {
            association_id: a.clone(),
        },
        "InvalidAssociationID.NotFound",
        &format!("Association ID '{a}' not found."),
    );
}

#[test]
fn case9_one_explicit_association_per_subnet() {
    let mut net = base();
    // moto returns the existing association instead (§2.3).
    rejected(
        &mut net,
        associate_subnet("rtb-priv", "subnet-a", None),
        "Resource.AlreadyAssociated",
        "the specified association for route table rtb-priv conflicts with an existing association",
    );
    // moto accepts a table of another VPC (§2.3).
    rejected(
        &mut net,
        associate_subnet("rtb-priv", "subnet-x", None),
        "InvalidParameterValue",
        "Route table rtb-priv and subnet subnet-x belong to different networks",
    );
    rejected(
        &mut net,
        associate_subnet("rtb-priv", "subnet-nope", None),
        "InvalidSubnetID.NotFound",
        "subnet-nope",
    );
    rejected(
        &mut net,
        associate_subnet("rtb-nope", "subnet-b", None),
        "InvalidRouteTableID.NotFound",
        "rtb-nope",
    );
    rejected(
        &mut net,
        Change::AssociateRouteTable {
            route_table_id: rtb("rtb-priv"),
            subnet_id: None,
            gateway_id: None,
            association_id: None,
        },
        "MissingParameter",
        "subnetId",
    );
    rejected(
        &mut net,
        Change::AssociateRouteTable {
            route_table_id: rtb("rtb-priv"),
            subnet_id: Some(SubnetId::new("subnet-b")),
            gateway_id: Some("igw-1".into()),
            association_id: None,
        },
        "InvalidParameterCombination",
        "subnetId",
    );
    // subnet-b (implicit on main) can be associated explicitly.
    let e = ok(
        &mut net,
        associate_subnet("rtb-priv", "subnet-b", Some("rtbassoc-b")),
    );
    assert_eq!(
        e.touched,
        vec!["rtb-priv".to_string(), "subnet-b".to_string()]
    );
    assert_eq!(
        effective(&net, "subnet-b"),
        Some(("rtb-priv".into(), "explicit"))
    );
    // The replacement path is ReplaceRouteTableAssociation.
    ok(
        &mut net,
        Change::ReplaceRouteTableAssociation {
            association_id: RouteTableAssociationId::new("rtbassoc-b"),
            route_table_id: rtb("rtb-pub"),
            new_association_id: Some(RouteTableAssociationId::new("rtbassoc-b2")),
        },
    );
    assert_eq!(
        effective(&net, "subnet-b"),
        Some(("rtb-pub".into(), "explicit"))
    );
    assert_eq!(assoc_of(&net, "subnet-b").as_str(), "rtbassoc-b2");
}

#[test]
fn gateway_ids_for_edge_associations() {
    let mut net = base();
    // §1.6 [GH ansible-collections/amazon.aws#2631].
    rejected(
        &mut net,
        associate_gateway("rtb-priv", "nat-1"),
        "InvalidParameterValue",
        "invalid value for parameter gateway-id: nat-1",
    );
    rejected(
        &mut net,
        associate_gateway("rtb-priv", "eigw-1"),
        "InvalidParameterValue",
        "invalid value for parameter gateway-id: eigw-1",
    );
    rejected(
        &mut net,
        associate_gateway("rtb-priv", "igw-nope"),
        "InvalidInternetGatewayID.NotFound",
        "igw-nope",
    );
    rejected(
        &mut net,
        associate_gateway("rtb-priv", "igw-free"),
        "InvalidParameterValue",
        "belong to different networks",
    );
}

#[test]
fn case7_main_replacement_makes_implicit_subnets_follow() {
    let mut net = base();
    assert_eq!(
        effective(&net, "subnet-b"),
        Some(("rtb-main".into(), "main"))
    );
    let old = main_assoc(&net, "rtb-main");
    let e = ok(
        &mut net,
        Change::ReplaceRouteTableAssociation {
            association_id: old.clone(),
            route_table_id: rtb("rtb-priv"),
            new_association_id: Some(RouteTableAssociationId::new("rtbassoc-newmain")),
        },
    );
    // The implicit subnet follows; the explicit one does not.
    assert_eq!(
        effective(&net, "subnet-b"),
        Some(("rtb-priv".into(), "main"))
    );
    assert_eq!(
        effective(&net, "subnet-a"),
        Some(("rtb-pub".into(), "explicit"))
    );
    assert_eq!(
        net.main_route_table(&VpcId::new("vpc-1")),
        Some(&rtb("rtb-priv"))
    );
    assert!(!net.route_tables[&rtb("rtb-main")].is_main());
    assert_eq!(main_assoc(&net, "rtb-priv").as_str(), "rtbassoc-newmain");
    assert!(
        e.touched.contains(&"subnet-b".to_string()),
        "{:?}",
        e.touched
    );
    assert!(!e.touched.contains(&"subnet-a".to_string()));
    assert!(
        e.touched.contains(&"rtb-main".to_string()) && e.touched.contains(&"rtb-priv".to_string())
    );
    // A subnet created afterwards uses the new main table.
    ok(&mut net, create_subnet("vpc-1", "subnet-c", "10.0.3.0/24"));
    assert_eq!(
        effective(&net, "subnet-c"),
        Some(("rtb-priv".into(), "main"))
    );
    // The old association ID is gone (§8 case 7, inferred).
    rejected(
        &mut net,
        Change::ReplaceRouteTableAssociation {
            association_id: old.clone(),
            route_table_id: rtb("rtb-main"),
            new_association_id: None,
        },
        "InvalidAssociationID.NotFound",
        old.as_str(),
    );
    // Now rtb-main can be deleted; rtb-priv (main) cannot.
    ok(
        &mut net,
        Change::DeleteRouteTable {
            route_table_id: rtb("rtb-main"),
        },
    );
    rejected(
        &mut net,
        Change::DeleteRouteTable {
            route_table_id: rtb("rtb-priv"),
        },
        "DependencyViolation",
        "rtb-priv",
    );
    // Without a new ID from the record, the new association gets a placeholder.
    ok(
        &mut net,
        Change::ReplaceRouteTableAssociation {
            association_id: RouteTableAssociationId::new("rtbassoc-newmain"),
            route_table_id: rtb("rtb-pub"),
            new_association_id: None,
        },
    );
    assert_eq!(main_assoc(&net, "rtb-pub").as_str(), "rtbassoc-new-1");
    assert!(net.is_placeholder("rtbassoc-new-1"));
}

#[test]
fn replace_association_across_vpcs_or_to_a_gateway_table_is_rejected() {
    let mut net = base();
    let main = main_assoc(&net, "rtb-main");
    rejected(
        &mut net,
        Change::ReplaceRouteTableAssociation {
            association_id: main.clone(),
            route_table_id: rtb("rtb-2"),
            new_association_id: None,
        },
        "InvalidParameterValue",
        "belong to different networks",
    );
    // §3.1: a gateway route table cannot be main.
    rejected(
        &mut net,
        Change::ReplaceRouteTableAssociation {
            association_id: main,
            route_table_id: rtb("rtb-edge"),
            new_association_id: None,
        },
        "InvalidParameterValue",
        "cannot be the main route table",
    );
}

#[test]
fn case14_gateway_route_table_constraints() {
    let mut net = base();
    // igw-1 already has an edge table.
    rejected(
        &mut net,
        associate_gateway("rtb-priv", "igw-1"),
        "Resource.AlreadyAssociated",
        "conflicts with an existing association",
    );
    // A table with an igw route cannot be edge-associated.
    rejected(
        &mut net,
        associate_gateway("rtb-pub", "vgw-1"),
        "InvalidParameterValue",
        "0.0.0.0/0 -> igw-1",
    );
    // Nor one with propagation enabled (rtb-priv has a propagated route; enable the switch).
    ok(
        &mut net,
        Change::EnableVgwRoutePropagation {
            route_table_id: rtb("rtb-priv"),
            gateway_id: VpnGatewayId::new("vgw-1"),
        },
    );
    rejected(
        &mut net,
        associate_gateway("rtb-priv", "vgw-1"),
        "InvalidParameterValue",
        "propagation",
    );
    // Nor the main table.
    rejected(
        &mut net,
        associate_gateway("rtb-main", "vgw-1"),
        "InvalidParameterValue",
        "main route table",
    );
    // A fresh table: an out-of-VPC destination or a prefix list to the ENI disqualifies it.
    ok(
        &mut net,
        Change::CreateRouteTable {
            vpc_id: VpcId::new("vpc-1"),
            route_table_id: Some(rtb("rtb-vgwedge")),
        },
    );
    ok(
        &mut net,
        create_route("rtb-vgwedge", "192.0.2.0/24", "eni-fw"),
    );
    rejected(
        &mut net,
        associate_gateway("rtb-vgwedge", "vgw-1"),
        "InvalidParameterValue",
        "192.0.2.0/24 -> eni-fw",
    );
    ok(&mut net, delete_route("rtb-vgwedge", "192.0.2.0/24"));
    ok(&mut net, create_route("rtb-vgwedge", "pl-corp", "eni-fw"));
    rejected(
        &mut net,
        associate_gateway("rtb-vgwedge", "vgw-1"),
        "InvalidParameterValue",
        "pl-corp",
    );
    ok(&mut net, delete_route("rtb-vgwedge", "pl-corp"));
    // Local plus a subnet CIDR to an ENI: allowed.
    ok(
        &mut net,
        create_route("rtb-vgwedge", "10.0.1.0/24", "eni-fw"),
    );
    let e = ok(&mut net, associate_gateway("rtb-vgwedge", "vgw-1"));
    assert!(e.touched.contains(&"vgw-1".to_string()));
    assert_eq!(net.edge_route_table("vgw-1"), Some(&rtb("rtb-vgwedge")));
    // Once edge-associated, CreateRoute is constrained too, and propagation cannot be enabled.
    rejected(
        &mut net,
        create_route("rtb-vgwedge", "0.0.0.0/0", "igw-1"),
        "InvalidParameterValue",
        "gateway route table",
    );
    rejected(
        &mut net,
        create_route("rtb-vgwedge", "10.0.2.0/24", "nat-1"),
        "InvalidParameterValue",
        "gateway route table",
    );
    rejected(
        &mut net,
        Change::EnableVgwRoutePropagation {
            route_table_id: rtb("rtb-vgwedge"),
            gateway_id: VpnGatewayId::new("vgw-1"),
        },
        "InvalidParameterValue",
        "gateway route table",
    );
    // The local route of an edge table can go to the firewall (replaces the local target).
    ok(&mut net, replace_route("rtb-edge", "10.0.0.0/16", "eni-fw"));
}

// --- VPCs, CIDRs, subnets (§1.12) --------------------------------------------------------

#[test]
fn vpc_cidr_block_rules() {
    let mut net = base();
    let assoc = |cidr: &str, id: Option<&str>| Change::AssociateVpcCidrBlock {
        vpc_id: VpcId::new("vpc-1"),
        cidr_block: Some(cidr.parse().expect("cidr")),
        association_id: id.map(str::to_string),
    };
    rejected(
        &mut net,
        assoc("10.0.128.0/17", None),
        "InvalidParameterValue",
        "overlaps",
    );
    // §1.12 [UG-CIDR]: not the same or larger than an existing route's destination.
    ok(&mut net, create_route("rtb-priv", "10.5.0.0/24", "pcx-12"));
    rejected(
        &mut net,
        assoc("10.5.0.0/24", None),
        "InvalidParameterValue",
        "10.5.0.0/24",
    );
    rejected(
        &mut net,
        assoc("10.5.0.0/16", None),
        "InvalidParameterValue",
        "rtb-priv",
    );
    let e = ok(&mut net, assoc("10.5.0.0/25", Some("vpc-cidr-assoc-5")));
    assert!(e.structural);
    assert_eq!(
        target_of(&net, "rtb-priv", "10.5.0.0/25").as_deref(),
        Some("local")
    );
    assert_eq!(
        target_of(&net, "rtb-priv", "10.5.0.0/24").as_deref(),
        Some("pcx-12")
    );
    // Disassociation removes it and its local routes; the primary CIDR stays.
    let e = ok(
        &mut net,
        Change::DisassociateVpcCidrBlock {
            association_id: "vpc-cidr-assoc-5".into(),
            cidr_block: None,
        },
    );
    assert!(e.structural);
    assert!(route(&net, "rtb-main", "10.5.0.0/25").is_none());
    assert!(
        !net.vpcs[&VpcId::new("vpc-1")]
            .ipv4_cidrs
            .contains(&"10.5.0.0/25".parse().expect("cidr"))
    );
    rejected(
        &mut net,
        Change::DisassociateVpcCidrBlock {
            association_id: "vpc-cidr-assoc-primary".into(),
            cidr_block: Some("10.0.0.0/16".parse().expect("cidr")),
        },
        "InvalidParameterValue",
        "primary",
    );
    rejected(
        &mut net,
        Change::DisassociateVpcCidrBlock {
            association_id: "vpc-cidr-assoc-nope".into(),
            cidr_block: None,
        },
        "InvalidVpcCidrBlockAssociationID.NotFound",
        "vpc-cidr-assoc-nope",
    );
}

#[test]
fn subnet_rules() {
    let mut net = base();
    rejected(
        &mut net,
        create_subnet("vpc-1", "subnet-c", "10.9.0.0/24"),
        "InvalidSubnet.Range",
        "10.9.0.0/24",
    );
    rejected(
        &mut net,
        create_subnet("vpc-1", "subnet-c", "10.0.1.128/25"),
        "InvalidSubnet.Conflict",
        "10.0.1.128/25",
    );
    rejected(
        &mut net,
        create_subnet("vpc-nope", "subnet-c", "10.0.3.0/24"),
        "InvalidVpcID.NotFound",
        "vpc-nope",
    );
    let e = ok(&mut net, create_subnet("vpc-1", "subnet-c", "10.0.3.0/24"));
    assert!(e.structural);
    assert_eq!(
        effective(&net, "subnet-c"),
        Some(("rtb-main".into(), "main"))
    );
    // ModifySubnetAttribute.
    let e = ok(
        &mut net,
        Change::ModifySubnetAttribute {
            subnet_id: SubnetId::new("subnet-c"),
            map_public_ip_on_launch: Some(true),
            assign_ipv6_address_on_creation: None,
        },
    );
    assert!(!e.structural);
    assert!(net.subnets[&SubnetId::new("subnet-c")].map_public_ip_on_launch);
    // DeleteSubnet refuses while interfaces or instances remain.
    rejected(
        &mut net,
        Change::DeleteSubnet {
            subnet_id: SubnetId::new("subnet-b"),
        },
        "DependencyViolation",
        "The subnet 'subnet-b' has dependencies and cannot be deleted.",
    );
    rejected(
        &mut net,
        Change::DeleteSubnet {
            subnet_id: SubnetId::new("subnet-a"),
        },
        "DependencyViolation",
        "subnet-a",
    );
}

#[test]
fn aws_not_moto_delete_subnet_removes_its_explicit_association() {
    let mut net = base();
    ok(&mut net, create_subnet("vpc-1", "subnet-c", "10.0.3.0/24"));
    ok(
        &mut net,
        associate_subnet("rtb-priv", "subnet-c", Some("rtbassoc-c")),
    );
    assert_eq!(net.explicit_subnets(&rtb("rtb-priv")).len(), 1);
    let e = ok(
        &mut net,
        Change::DeleteSubnet {
            subnet_id: SubnetId::new("subnet-c"),
        },
    );
    assert!(e.structural);
    assert!(e.touched.contains(&"rtb-priv".to_string()));
    assert!(net.explicit_subnets(&rtb("rtb-priv")).is_empty());
    assert!(net.route_tables[&rtb("rtb-priv")].associations.is_empty());
    // And so rtb-priv can be deleted now.
    ok(
        &mut net,
        Change::DeleteRouteTable {
            route_table_id: rtb("rtb-priv"),
        },
    );
}

#[test]
fn vpc_wizard_build_sequence() {
    let mut net = Network::default();
    let vpc = VpcId::new("vpc-0a1");
    let e = ok(&mut net, create_vpc("vpc-0a1", "10.20.0.0/16"));
    assert!(e.structural);
    assert_eq!(
        e.touched,
        vec!["rtb-main-0a1".to_string(), "vpc-0a1".to_string()]
    );
    ok(
        &mut net,
        create_subnet("vpc-0a1", "subnet-pub", "10.20.0.0/24"),
    );
    ok(
        &mut net,
        create_subnet("vpc-0a1", "subnet-priv", "10.20.1.0/24"),
    );
    ok(
        &mut net,
        Change::CreateInternetGateway {
            internet_gateway_id: Some(InternetGatewayId::new("igw-0a1")),
        },
    );
    ok(
        &mut net,
        Change::AttachInternetGateway {
            internet_gateway_id: InternetGatewayId::new("igw-0a1"),
            vpc_id: vpc.clone(),
        },
    );
    ok(
        &mut net,
        Change::CreateRouteTable {
            vpc_id: vpc.clone(),
            route_table_id: Some(rtb("rtb-pub1")),
        },
    );
    ok(&mut net, create_route("rtb-pub1", "0.0.0.0/0", "igw-0a1"));
    ok(
        &mut net,
        associate_subnet("rtb-pub1", "subnet-pub", Some("rtbassoc-pub1")),
    );
    ok(
        &mut net,
        Change::AllocateAddress {
            allocation_id: Some(AllocationId::new("eipalloc-1")),
            public_ip: Some(Ipv4Addr::new(3, 3, 3, 3)),
        },
    );
    let e = ok(
        &mut net,
        Change::CreateNatGateway {
            subnet_id: SubnetId::new("subnet-pub"),
            vpc_id: None,
            nat_gateway_id: Some(NatGatewayId::new("nat-0a1")),
            connectivity_type: ConnectivityType::Public,
            allocation_id: Some(AllocationId::new("eipalloc-1")),
            private_ip: None,
            public_ip: None,
        },
    );
    assert!(e.summary.contains("available"), "{}", e.summary);
    let main = net.main_route_table(&vpc).cloned().expect("main table");
    ok(
        &mut net,
        create_route(main.as_str(), "0.0.0.0/0", "nat-0a1"),
    );

    let expected = "\
vpc vpc-0a1 10.20.0.0/16
subnet subnet-priv 10.20.1.0/24 -> rtb-main-0a1 (main)
subnet subnet-pub 10.20.0.0/24 -> rtb-pub1 (explicit)
igw igw-0a1 vpc-0a1
nat nat-0a1 subnet-pub available 3.3.3.3
rtb rtb-main-0a1 vpc-0a1 [main]
  0.0.0.0/0 -> nat-0a1 CreateRoute active
  10.20.0.0/16 -> local CreateRouteTable active
rtb rtb-pub1 vpc-0a1 [subnet-pub]
  0.0.0.0/0 -> igw-0a1 CreateRoute active
  10.20.0.0/16 -> local CreateRouteTable active
";
    assert_eq!(dump(&net), expected);
    let nat = &net.nat_gateways[&NatGatewayId::new("nat-0a1")];
    assert_eq!(
        nat.private_ips,
        vec![Ipv4Addr::new(10, 20, 0, 4)],
        "first free host"
    );

    // Teardown: DeleteVpc fails while anything remains, succeeds at the end.
    let delete_vpc = Change::DeleteVpc {
        vpc_id: vpc.clone(),
    };
    rejected(
        &mut net,
        delete_vpc.clone(),
        "DependencyViolation",
        "The vpc 'vpc-0a1' has dependencies and cannot be deleted.",
    );
    // The NAT gateway's address is mapped: the IGW cannot be detached yet.
    let detach = Change::DetachInternetGateway {
        internet_gateway_id: InternetGatewayId::new("igw-0a1"),
        vpc_id: vpc.clone(),
    };
    rejected(
        &mut net,
        detach.clone(),
        "DependencyViolation",
        "Network vpc-0a1 has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.",
    );
    ok(
        &mut net,
        Change::DeleteNatGateway {
            nat_gateway_id: NatGatewayId::new("nat-0a1"),
        },
    );
    ok(&mut net, delete_route(main.as_str(), "0.0.0.0/0"));
    ok(
        &mut net,
        Change::ReleaseAddress {
            allocation_id: Some(AllocationId::new("eipalloc-1")),
            public_ip: None,
        },
    );
    ok(&mut net, detach);
    ok(
        &mut net,
        Change::DeleteInternetGateway {
            internet_gateway_id: InternetGatewayId::new("igw-0a1"),
        },
    );
    ok(
        &mut net,
        Change::DisassociateRouteTable {
            association_id: RouteTableAssociationId::new("rtbassoc-pub1"),
        },
    );
    ok(
        &mut net,
        Change::DeleteRouteTable {
            route_table_id: rtb("rtb-pub1"),
        },
    );
    ok(
        &mut net,
        Change::DeleteSubnet {
            subnet_id: SubnetId::new("subnet-pub"),
        },
    );
    rejected(
        &mut net,
        delete_vpc.clone(),
        "DependencyViolation",
        "vpc-0a1",
    );
    ok(
        &mut net,
        Change::DeleteSubnet {
            subnet_id: SubnetId::new("subnet-priv"),
        },
    );
    let e = ok(&mut net, delete_vpc);
    assert!(e.structural);
    assert!(net.vpcs.is_empty());
    assert!(
        net.route_tables.is_empty(),
        "the main table goes with the VPC"
    );
    assert!(net.main_route_table(&vpc).is_none());
}

#[test]
fn create_vpc_rules() {
    let mut net = base();
    rejected(
        &mut net,
        create_vpc("vpc-9", "10.0.0.0/8"),
        "InvalidVpc.Range",
        "10.0.0.0/8",
    );
    rejected(
        &mut net,
        create_vpc("vpc-1", "10.9.0.0/16"),
        "vpcsim.DuplicateId",
        "vpc-1",
    );
    // Dual stack: the main table has a local route per CIDR.
    ok(
        &mut net,
        Change::CreateVpc {
            vpc_id: Some(VpcId::new("vpc-9")),
            cidr_block: Some("10.9.0.0/16".parse().expect("cidr")),
            ipv6_cidr_block: Some("2600:1f18:9:100::/56".parse().expect("cidr")),
            owner_id: Some(AccountId::new("123456789012")),
        },
    );
    let main = net
        .main_route_table(&VpcId::new("vpc-9"))
        .cloned()
        .expect("main");
    assert_eq!(main.as_str(), "rtb-main-9");
    assert_eq!(net.route_tables[&main].routes.len(), 2);
    // DeleteVpc refuses with an attached gateway, and with a non-main table.
    ok(
        &mut net,
        Change::CreateEgressOnlyInternetGateway {
            vpc_id: VpcId::new("vpc-9"),
            egress_only_internet_gateway_id: Some(EgressOnlyInternetGatewayId::new("eigw-9")),
        },
    );
    rejected(
        &mut net,
        Change::DeleteVpc {
            vpc_id: VpcId::new("vpc-9"),
        },
        "DependencyViolation",
        "vpc-9",
    );
    rejected(
        &mut net,
        Change::DeleteVpc {
            vpc_id: VpcId::new("vpc-nope"),
        },
        "InvalidVpcID.NotFound",
        "vpc-nope",
    );
}

// --- gateways (§1.7–§1.9, §1.11) -----------------------------------------------------------

#[test]
fn internet_gateway_rules() {
    let mut net = base();
    let attach = |igw: &str, vpc: &str| Change::AttachInternetGateway {
        internet_gateway_id: InternetGatewayId::new(igw),
        vpc_id: VpcId::new(vpc),
    };
    rejected(
        &mut net,
        attach("igw-2", "vpc-1"),
        "Resource.AlreadyAssociated",
        "resource igw-2 is already attached to network vpc-2",
    );
    // moto attaches a second IGW (§2.3).
    rejected(
        &mut net,
        attach("igw-free", "vpc-1"),
        "InvalidParameterValue",
        "Network vpc-1 already has an internet gateway attached",
    );
    rejected(
        &mut net,
        attach("igw-nope", "vpc-1"),
        "InvalidInternetGatewayID.NotFound",
        "igw-nope",
    );
    rejected(
        &mut net,
        Change::DetachInternetGateway {
            internet_gateway_id: InternetGatewayId::new("igw-free"),
            vpc_id: VpcId::new("vpc-1"),
        },
        "Gateway.NotAttached",
        "igw-free",
    );
    // nat-1 is a live public NAT gateway with an address: vpc-1 has mapped addresses.
    rejected(
        &mut net,
        Change::DetachInternetGateway {
            internet_gateway_id: InternetGatewayId::new("igw-1"),
            vpc_id: VpcId::new("vpc-1"),
        },
        "DependencyViolation",
        "has some mapped public address(es)",
    );
    rejected(
        &mut net,
        Change::DeleteInternetGateway {
            internet_gateway_id: InternetGatewayId::new("igw-1"),
        },
        "DependencyViolation",
        "igw-1",
    );
    let e = ok(
        &mut net,
        Change::DeleteInternetGateway {
            internet_gateway_id: InternetGatewayId::new("igw-free"),
        },
    );
    assert_eq!(e.touched, vec!["igw-free".to_string()]);
    // Detaching igw-2 (vpc-2 has no public addresses) makes its routes blackhole.
    ok(&mut net, create_route("rtb-2", "0.0.0.0/0", "igw-2"));
    let e = ok(
        &mut net,
        Change::DetachInternetGateway {
            internet_gateway_id: InternetGatewayId::new("igw-2"),
            vpc_id: VpcId::new("vpc-2"),
        },
    );
    assert!(e.touched.contains(&"rtb-2".to_string()));
    assert!(matches!(
        status(&net, "rtb-2", "0.0.0.0/0"),
        TargetStatus::Blackhole(_)
    ));
    ok(&mut net, attach("igw-2", "vpc-2"));
    assert_eq!(status(&net, "rtb-2", "0.0.0.0/0"), TargetStatus::Active);
}

#[test]
fn detach_refused_for_interfaces_with_public_addresses() {
    let mut net = base();
    ok(
        &mut net,
        Change::DeleteNatGateway {
            nat_gateway_id: NatGatewayId::new("nat-1"),
        },
    );
    ok(
        &mut net,
        Change::AllocateAddress {
            allocation_id: Some(AllocationId::new("eipalloc-fw")),
            public_ip: Some(Ipv4Addr::new(52, 1, 1, 1)),
        },
    );
    ok(
        &mut net,
        Change::AssociateAddress {
            allocation_id: Some(AllocationId::new("eipalloc-fw")),
            public_ip: None,
            instance_id: None,
            network_interface_id: Some(NetworkInterfaceId::new("eni-fw")),
            private_ip: None,
            association_id: Some("eipassoc-fw".into()),
        },
    );
    let detach = Change::DetachInternetGateway {
        internet_gateway_id: InternetGatewayId::new("igw-1"),
        vpc_id: VpcId::new("vpc-1"),
    };
    rejected(
        &mut net,
        detach.clone(),
        "DependencyViolation",
        "mapped public address",
    );
    ok(
        &mut net,
        Change::DisassociateAddress {
            association_id: Some("eipassoc-fw".into()),
            public_ip: None,
        },
    );
    ok(&mut net, detach);
}

#[test]
fn nat_gateway_rules() {
    let mut net = base();
    let nat = |subnet: &str, id: &str, conn: ConnectivityType, alloc: Option<&str>| {
        Change::CreateNatGateway {
            subnet_id: SubnetId::new(subnet),
            vpc_id: None,
            nat_gateway_id: Some(NatGatewayId::new(id)),
            connectivity_type: conn,
            allocation_id: alloc.map(AllocationId::new),
            private_ip: None,
            public_ip: None,
        }
    };
    rejected(
        &mut net,
        nat("subnet-nope", "nat-9", ConnectivityType::Public, None),
        "InvalidSubnetID.NotFound",
        "subnet-nope",
    );
    rejected(
        &mut net,
        nat(
            "subnet-b",
            "nat-9",
            ConnectivityType::Private,
            Some("eipalloc-1"),
        ),
        "InvalidParameterValue",
        "You cannot specify an Elastic IP address with a private NAT gateway",
    );
    rejected(
        &mut net,
        Change::DeleteNatGateway {
            nat_gateway_id: NatGatewayId::new("nat-nope"),
        },
        "NatGatewayNotFound",
        "nat-nope",
    );
    // A private NAT gateway is available at once.
    ok(
        &mut net,
        nat("subnet-b", "nat-p", ConnectivityType::Private, None),
    );
    assert_eq!(
        net.nat_gateways[&NatGatewayId::new("nat-p")].state,
        NatGatewayState::Available
    );
    // §1.8, §8 case 12: a public NAT gateway in a VPC without an IGW is created but failed.
    ok(&mut net, create_vpc("vpc-3", "10.3.0.0/16"));
    ok(&mut net, create_subnet("vpc-3", "subnet-3", "10.3.0.0/24"));
    let e = ok(
        &mut net,
        nat("subnet-3", "nat-3", ConnectivityType::Public, None),
    );
    assert!(e.summary.contains("Gateway.NotAttached"), "{}", e.summary);
    assert_eq!(
        net.nat_gateways[&NatGatewayId::new("nat-3")].state,
        NatGatewayState::Failed
    );
    ok(&mut net, create_route("rtb-main-3", "0.0.0.0/0", "nat-3"));
    assert!(matches!(
        status(&net, "rtb-main-3", "0.0.0.0/0"),
        TargetStatus::Blackhole(_)
    ));
}

#[test]
fn case10_blackhole_and_revival() {
    let mut net = base();
    ok(&mut net, create_route("rtb-priv", "0.0.0.0/0", "nat-1"));
    assert_eq!(status(&net, "rtb-priv", "0.0.0.0/0"), TargetStatus::Active);
    let e = ok(
        &mut net,
        Change::DeleteNatGateway {
            nat_gateway_id: NatGatewayId::new("nat-1"),
        },
    );
    assert_eq!(e.touched, vec!["nat-1".to_string(), "rtb-priv".to_string()]);
    // The route is still listed, blackhole.
    assert_eq!(
        target_of(&net, "rtb-priv", "0.0.0.0/0").as_deref(),
        Some("nat-1")
    );
    assert!(matches!(
        status(&net, "rtb-priv", "0.0.0.0/0"),
        TargetStatus::Blackhole(_)
    ));
    // A deleted NAT gateway cannot take new routes.
    rejected(
        &mut net,
        create_route("rtb-main", "0.0.0.0/0", "nat-1"),
        "InvalidNatGatewayID.NotFound",
        "nat-1",
    );
    // ReplaceRoute to a live target revives it.
    ok(&mut net, replace_route("rtb-priv", "0.0.0.0/0", "igw-1"));
    assert_eq!(status(&net, "rtb-priv", "0.0.0.0/0"), TargetStatus::Active);
    // Same after DetachInternetGateway (nat-1 gone, no mapped addresses left).
    ok(
        &mut net,
        Change::DetachInternetGateway {
            internet_gateway_id: InternetGatewayId::new("igw-1"),
            vpc_id: VpcId::new("vpc-1"),
        },
    );
    assert!(matches!(
        status(&net, "rtb-pub", "0.0.0.0/0"),
        TargetStatus::Blackhole(_)
    ));
    ok(
        &mut net,
        Change::AttachInternetGateway {
            internet_gateway_id: InternetGatewayId::new("igw-1"),
            vpc_id: VpcId::new("vpc-1"),
        },
    );
    assert_eq!(status(&net, "rtb-pub", "0.0.0.0/0"), TargetStatus::Active);
}

#[test]
fn vpn_gateway_rules() {
    let mut net = base();
    rejected(
        &mut net,
        Change::AttachVpnGateway {
            vpn_gateway_id: VpnGatewayId::new("vgw-free"),
            vpc_id: VpcId::new("vpc-1"),
        },
        "InvalidVpcState",
        "vpc-1",
    );
    rejected(
        &mut net,
        Change::DetachVpnGateway {
            vpn_gateway_id: VpnGatewayId::new("vgw-free"),
            vpc_id: VpcId::new("vpc-1"),
        },
        "InvalidVpnGatewayAttachment.NotFound",
        "vgw-free",
    );
    rejected(
        &mut net,
        Change::DeleteVpnGateway {
            vpn_gateway_id: VpnGatewayId::new("vgw-1"),
        },
        "IncorrectState",
        "vgw-1",
    );
    rejected(
        &mut net,
        Change::EnableVgwRoutePropagation {
            route_table_id: rtb("rtb-priv"),
            gateway_id: VpnGatewayId::new("vgw-free"),
        },
        "Gateway.NotAttached",
        "vgw-free",
    );
    rejected(
        &mut net,
        Change::EnableVgwRoutePropagation {
            route_table_id: rtb("rtb-priv"),
            gateway_id: VpnGatewayId::new("vgw-nope"),
        },
        "InvalidVpnGatewayID.NotFound",
        "vgw-nope",
    );
    ok(
        &mut net,
        Change::EnableVgwRoutePropagation {
            route_table_id: rtb("rtb-main"),
            gateway_id: VpnGatewayId::new("vgw-1"),
        },
    );
    assert!(
        net.route_tables[&rtb("rtb-main")]
            .propagating_vgws
            .contains(&VpnGatewayId::new("vgw-1"))
    );
    // Disabling removes the switch and the propagated routes.
    ok(
        &mut net,
        Change::DisableVgwRoutePropagation {
            route_table_id: rtb("rtb-priv"),
            gateway_id: VpnGatewayId::new("vgw-1"),
        },
    );
    assert!(
        net.route_tables[&rtb("rtb-priv")]
            .routes
            .values()
            .all(|r| !r.origin.is_propagated())
    );
    // Detach, then attach elsewhere, then delete.
    ok(
        &mut net,
        Change::DetachVpnGateway {
            vpn_gateway_id: VpnGatewayId::new("vgw-1"),
            vpc_id: VpcId::new("vpc-1"),
        },
    );
    ok(
        &mut net,
        Change::AttachVpnGateway {
            vpn_gateway_id: VpnGatewayId::new("vgw-free"),
            vpc_id: VpcId::new("vpc-1"),
        },
    );
    ok(
        &mut net,
        Change::DeleteVpnGateway {
            vpn_gateway_id: VpnGatewayId::new("vgw-1"),
        },
    );
    assert!(
        !net.route_tables[&rtb("rtb-main")]
            .propagating_vgws
            .contains(&VpnGatewayId::new("vgw-1"))
    );
}

#[test]
fn egress_only_gateway_rules() {
    let mut net = base();
    rejected(
        &mut net,
        Change::CreateEgressOnlyInternetGateway {
            vpc_id: VpcId::new("vpc-1"),
            egress_only_internet_gateway_id: Some(EgressOnlyInternetGatewayId::new("eigw-9")),
        },
        "InvalidParameterValue",
        "already has an egress-only internet gateway",
    );
    rejected(
        &mut net,
        Change::DeleteEgressOnlyInternetGateway {
            egress_only_internet_gateway_id: EgressOnlyInternetGatewayId::new("eigw-nope"),
        },
        "InvalidEgressOnlyInternetGatewayId.NotFound",
        "eigw-nope",
    );
    ok(&mut net, create_route("rtb-priv", "::/0", "eigw-1"));
    ok(
        &mut net,
        Change::DeleteEgressOnlyInternetGateway {
            egress_only_internet_gateway_id: EgressOnlyInternetGatewayId::new("eigw-1"),
        },
    );
    assert!(matches!(
        status(&net, "rtb-priv", "::/0"),
        TargetStatus::Blackhole(_)
    ));
    // The deleted gateway is now unknown to CreateRoute.
    rejected(
        &mut net,
        create_route("rtb-main", "::/0", "eigw-1"),
        "InvalidEgressOnlyInternetGatewayId.NotFound",
        "eigw-1",
    );
}

#[test]
fn transit_gateway_attachments() {
    let mut net = base();
    // vpc-2 has no attachment to tgw-1.
    rejected(
        &mut net,
        create_route("rtb-2", "10.50.0.0/16", "tgw-1"),
        "InvalidTransitGatewayID.NotFound",
        "tgw-1",
    );
    ok(&mut net, create_route("rtb-priv", "10.50.0.0/16", "tgw-1"));
    ok(
        &mut net,
        Change::CreateTransitGatewayVpcAttachment {
            transit_gateway_id: TransitGatewayId::new("tgw-1"),
            vpc_id: VpcId::new("vpc-2"),
            subnet_ids: vec![SubnetId::new("subnet-x")],
            transit_gateway_attachment_id: Some(TransitGatewayAttachmentId::new("tgw-attach-2")),
        },
    );
    ok(&mut net, create_route("rtb-2", "10.50.0.0/16", "tgw-1"));
    let e = ok(
        &mut net,
        Change::DeleteTransitGatewayVpcAttachment {
            transit_gateway_attachment_id: TransitGatewayAttachmentId::new("tgw-attach-1"),
        },
    );
    assert_eq!(
        e.touched,
        vec!["rtb-priv".to_string(), "tgw-attach-1".to_string()]
    );
    assert!(matches!(
        status(&net, "rtb-priv", "10.50.0.0/16"),
        TargetStatus::Blackhole(_)
    ));
    assert_eq!(status(&net, "rtb-2", "10.50.0.0/16"), TargetStatus::Active);
    rejected(
        &mut net,
        Change::DeleteTransitGatewayVpcAttachment {
            transit_gateway_attachment_id: TransitGatewayAttachmentId::new("tgw-attach-nope"),
        },
        "InvalidTransitGatewayAttachmentID.NotFound",
        "tgw-attach-nope",
    );
}

// --- peering (§1.10) -----------------------------------------------------------------------

#[test]
fn peering_lifecycle() {
    let mut net = base();
    let create = |vpc: &str, peer: &str, id: &str| Change::CreateVpcPeeringConnection {
        vpc_id: VpcId::new(vpc),
        peer_vpc_id: VpcId::new(peer),
        peer_owner_id: None,
        peer_region: None,
        vpc_peering_connection_id: Some(VpcPeeringConnectionId::new(id)),
    };
    let pcx = |id: &str| VpcPeeringConnectionId::new(id);
    rejected(
        &mut net,
        create("vpc-2", "vpc-1", "pcx-dup"),
        "VpcPeeringConnectionAlreadyExists",
        "vpc-2",
    );
    rejected(
        &mut net,
        create("vpc-nope", "vpc-1", "pcx-9"),
        "InvalidVpcID.NotFound",
        "vpc-nope",
    );
    // Overlapping CIDRs: created, failed.
    ok(&mut net, create_vpc("vpc-3", "10.0.0.0/16"));
    ok(&mut net, create("vpc-3", "vpc-1", "pcx-31"));
    assert_eq!(net.vpc_peering_connections[&pcx("pcx-31")].status, "failed");
    rejected(
        &mut net,
        Change::AcceptVpcPeeringConnection {
            vpc_peering_connection_id: pcx("pcx-31"),
        },
        "InvalidStateTransition",
        "pcx-31",
    );
    // A clean pair: pending, then active with both sides' CIDRs.
    ok(&mut net, create_vpc("vpc-4", "10.4.0.0/16"));
    ok(&mut net, create("vpc-4", "vpc-1", "pcx-41"));
    let p = &net.vpc_peering_connections[&pcx("pcx-41")];
    assert_eq!(p.status, "pending-acceptance");
    assert!(p.requester.ipv4_cidrs.is_empty());
    ok(
        &mut net,
        create_route("rtb-main-4", "10.0.0.0/16", "pcx-41"),
    );
    assert!(matches!(
        status(&net, "rtb-main-4", "10.0.0.0/16"),
        TargetStatus::Blackhole(_)
    ));
    ok(
        &mut net,
        Change::AcceptVpcPeeringConnection {
            vpc_peering_connection_id: pcx("pcx-41"),
        },
    );
    let p = &net.vpc_peering_connections[&pcx("pcx-41")];
    assert_eq!(p.status, "active");
    assert_eq!(
        p.requester.ipv4_cidrs,
        vec!["10.4.0.0/16".parse().expect("cidr")]
    );
    assert_eq!(
        p.accepter.ipv4_cidrs,
        vec!["10.0.0.0/16".parse().expect("cidr")]
    );
    assert_eq!(
        status(&net, "rtb-main-4", "10.0.0.0/16"),
        TargetStatus::Active
    );
    rejected(
        &mut net,
        Change::AcceptVpcPeeringConnection {
            vpc_peering_connection_id: pcx("pcx-41"),
        },
        "InvalidStateTransition",
        "active",
    );
    rejected(
        &mut net,
        Change::RejectVpcPeeringConnection {
            vpc_peering_connection_id: pcx("pcx-41"),
        },
        "InvalidStateTransition",
        "pcx-41",
    );
    // Delete: kept as deleted, routes blackhole.
    ok(
        &mut net,
        Change::DeleteVpcPeeringConnection {
            vpc_peering_connection_id: pcx("pcx-41"),
        },
    );
    assert_eq!(
        net.vpc_peering_connections[&pcx("pcx-41")].status,
        "deleted"
    );
    assert!(matches!(
        status(&net, "rtb-main-4", "10.0.0.0/16"),
        TargetStatus::Blackhole(_)
    ));
    // Unknown IDs.
    rejected(
        &mut net,
        Change::RejectVpcPeeringConnection {
            vpc_peering_connection_id: pcx("pcx-nope"),
        },
        "InvalidVpcPeeringConnectionID.NotFound",
        "pcx-nope",
    );
    // A peer VPC outside the model: an external side without CIDRs; reject works.
    ok(&mut net, create("vpc-4", "vpc-ext", "pcx-ext"));
    let p = &net.vpc_peering_connections[&pcx("pcx-ext")];
    assert_eq!(p.status, "pending-acceptance");
    assert!(p.accepter.ipv4_cidrs.is_empty());
    ok(
        &mut net,
        Change::RejectVpcPeeringConnection {
            vpc_peering_connection_id: pcx("pcx-ext"),
        },
    );
    assert_eq!(
        net.vpc_peering_connections[&pcx("pcx-ext")].status,
        "rejected"
    );
}

// --- endpoints (§1.14, §8 case 15d) ---------------------------------------------------------

#[test]
fn case15d_gateway_endpoint_routes_without_create_route() {
    let mut net = base();
    let e = ok(
        &mut net,
        Change::CreateVpcEndpoint {
            vpc_id: VpcId::new("vpc-1"),
            vpc_endpoint_id: Some(VpcEndpointId::new("vpce-ddb")),
            endpoint_type: VpcEndpointType::Gateway,
            service_name: Some("com.amazonaws.us-east-1.dynamodb".into()),
            route_table_ids: vec![rtb("rtb-priv")],
            subnet_ids: vec![],
        },
    );
    assert!(e.touched.contains(&"rtb-priv".to_string()));
    // No prefix list in the model is named after DynamoDB: the placeholder list.
    let r = route(&net, "rtb-priv", "pl-svc-com.amazonaws.us-east-1.dynamodb").expect("route");
    assert_eq!(r.target, t("vpce-ddb"));
    assert_eq!(r.origin, RouteOrigin::CreateRoute);
    // An S3 endpoint uses pl-s3 (named after the service); rtb-main already routes it.
    let s3 = |id: &str, tables: Vec<RouteTableId>| Change::CreateVpcEndpoint {
        vpc_id: VpcId::new("vpc-1"),
        vpc_endpoint_id: Some(VpcEndpointId::new(id)),
        endpoint_type: VpcEndpointType::Gateway,
        service_name: Some("com.amazonaws.us-east-1.s3".into()),
        route_table_ids: tables,
        subnet_ids: vec![],
    };
    rejected(
        &mut net,
        s3("vpce-s3b", vec![rtb("rtb-main")]),
        "RouteAlreadyExists",
        "pl-s3",
    );
    rejected(
        &mut net,
        s3("vpce-s3b", vec![rtb("rtb-2")]),
        "InvalidParameterValue",
        "rtb-2",
    );
    rejected(
        &mut net,
        s3("vpce-s3b", vec![rtb("rtb-nope")]),
        "InvalidRouteTableID.NotFound",
        "rtb-nope",
    );
    // ModifyVpcEndpoint moves the route between tables.
    ok(
        &mut net,
        Change::ModifyVpcEndpoint {
            vpc_endpoint_id: VpcEndpointId::new("vpce-s3"),
            add_route_table_ids: vec![rtb("rtb-pub")],
            remove_route_table_ids: vec![rtb("rtb-main")],
        },
    );
    assert_eq!(
        target_of(&net, "rtb-pub", "pl-s3").as_deref(),
        Some("vpce-s3")
    );
    assert!(route(&net, "rtb-main", "pl-s3").is_none());
    rejected(
        &mut net,
        Change::ModifyVpcEndpoint {
            vpc_endpoint_id: VpcEndpointId::new("vpce-nope"),
            add_route_table_ids: vec![],
            remove_route_table_ids: vec![],
        },
        "InvalidVpcEndpointId.NotFound",
        "vpce-nope",
    );
    // DeleteVpcEndpoints removes the routes (not blackholed) and keeps the endpoint, deleted.
    let e = ok(
        &mut net,
        Change::DeleteVpcEndpoints {
            vpc_endpoint_ids: vec![
                VpcEndpointId::new("vpce-s3"),
                VpcEndpointId::new("vpce-nope"),
            ],
        },
    );
    assert!(
        e.summary.contains("unsuccessful: vpce-nope (not found)"),
        "{}",
        e.summary
    );
    assert!(route(&net, "rtb-pub", "pl-s3").is_none());
    assert_eq!(
        net.vpc_endpoints[&VpcEndpointId::new("vpce-s3")].state,
        "deleted"
    );
    // A GWLB endpoint that routes still target is not deleted.
    ok(&mut net, create_route("rtb-priv", "0.0.0.0/0", "vpce-gwlb"));
    let e = ok(
        &mut net,
        Change::DeleteVpcEndpoints {
            vpc_endpoint_ids: vec![VpcEndpointId::new("vpce-gwlb")],
        },
    );
    assert!(
        e.summary.contains("routes still target it"),
        "{}",
        e.summary
    );
    assert_eq!(
        net.vpc_endpoints[&VpcEndpointId::new("vpce-gwlb")].state,
        "available"
    );
}

// --- addresses, interfaces, instances --------------------------------------------------------

#[test]
fn addresses_need_an_internet_gateway() {
    let mut net = base();
    ok(&mut net, create_vpc("vpc-3", "10.3.0.0/16"));
    ok(&mut net, create_subnet("vpc-3", "subnet-3", "10.3.0.0/24"));
    ok(
        &mut net,
        Change::CreateNetworkInterface {
            subnet_id: SubnetId::new("subnet-3"),
            network_interface_id: Some(NetworkInterfaceId::new("eni-3")),
            private_ips: vec![],
        },
    );
    let e = ok(
        &mut net,
        Change::AllocateAddress {
            allocation_id: None,
            public_ip: None,
        },
    );
    assert_eq!(e.touched, vec!["eipalloc-new-1".to_string()]);
    let associate = |eni: &str| Change::AssociateAddress {
        allocation_id: Some(AllocationId::new("eipalloc-new-1")),
        public_ip: None,
        instance_id: None,
        network_interface_id: Some(NetworkInterfaceId::new(eni)),
        private_ip: None,
        association_id: None,
    };
    rejected(
        &mut net,
        associate("eni-3"),
        "Gateway.NotAttached",
        "Network vpc-3 is not attached to any internet gateway",
    );
    rejected(
        &mut net,
        associate("eni-nope"),
        "InvalidNetworkInterfaceID.NotFound",
        "eni-nope",
    );
    ok(&mut net, associate("eni-fw"));
    let eni = &net.network_interfaces[&NetworkInterfaceId::new("eni-fw")];
    assert_eq!(eni.public_ips.len(), 1);
    let public = eni.public_ips[0].1;
    assert_eq!(eni.public_ips[0].0, Ipv4Addr::new(10, 0, 2, 10));
    rejected(
        &mut net,
        Change::ReleaseAddress {
            allocation_id: Some(AllocationId::new("eipalloc-new-1")),
            public_ip: None,
        },
        "InvalidIPAddress.InUse",
        "eipalloc-new-1",
    );
    rejected(
        &mut net,
        Change::ReleaseAddress {
            allocation_id: Some(AllocationId::new("eipalloc-nope")),
            public_ip: None,
        },
        "InvalidAllocationID.NotFound",
        "eipalloc-nope",
    );
    rejected(
        &mut net,
        Change::DisassociateAddress {
            association_id: Some("eipassoc-nope".into()),
            public_ip: None,
        },
        "InvalidAssociationID.NotFound",
        "eipassoc-nope",
    );
    ok(
        &mut net,
        Change::DisassociateAddress {
            association_id: None,
            public_ip: Some(public),
        },
    );
    assert!(
        net.network_interfaces[&NetworkInterfaceId::new("eni-fw")]
            .public_ips
            .is_empty()
    );
    ok(
        &mut net,
        Change::ReleaseAddress {
            allocation_id: Some(AllocationId::new("eipalloc-new-1")),
            public_ip: None,
        },
    );
    assert!(net.addresses.is_empty());
}

#[test]
fn instances_and_interfaces() {
    let mut net = base();
    ok(
        &mut net,
        Change::ModifySubnetAttribute {
            subnet_id: SubnetId::new("subnet-b"),
            map_public_ip_on_launch: Some(true),
            assign_ipv6_address_on_creation: None,
        },
    );
    let e = ok(
        &mut net,
        Change::RunInstances {
            instances: vec![
                LaunchedInstance {
                    instance_id: InstanceId::new("i-0nat"),
                    subnet_id: Some(SubnetId::new("subnet-b")),
                    network_interface_id: None,
                    private_ip: None,
                    public_ip: None,
                },
                LaunchedInstance {
                    instance_id: InstanceId::new("i-0web"),
                    subnet_id: Some(SubnetId::new("subnet-b")),
                    network_interface_id: Some(NetworkInterfaceId::new("eni-0web")),
                    private_ip: Some(Ipv4Addr::new(10, 0, 2, 99)),
                    public_ip: Some(Ipv4Addr::new(54, 9, 9, 9)),
                },
            ],
        },
    );
    assert_eq!(e.summary, "launched i-0nat, i-0web");
    // The primary interface: placeholder name, first free address, a public IP (the subnet maps).
    let eni = &net.network_interfaces[&NetworkInterfaceId::new("eni-0nat")];
    assert!(net.is_placeholder("eni-0nat"));
    assert_eq!(eni.private_ips, vec![Ipv4Addr::new(10, 0, 2, 4)]);
    assert_eq!(eni.public_ips.len(), 1);
    let web = &net.network_interfaces[&NetworkInterfaceId::new("eni-0web")];
    assert_eq!(
        web.public_ips,
        vec![(Ipv4Addr::new(10, 0, 2, 99), Ipv4Addr::new(54, 9, 9, 9))]
    );
    // A NAT instance: source/dest check off, a route to it.
    ok(
        &mut net,
        Change::ModifyNetworkInterfaceAttribute {
            network_interface_id: NetworkInterfaceId::new("eni-0nat"),
            source_dest_check: Some(false),
        },
    );
    assert!(!net.network_interfaces[&NetworkInterfaceId::new("eni-0nat")].source_dest_check);
    ok(&mut net, create_route("rtb-priv", "0.0.0.0/0", "i-0nat"));
    assert_eq!(status(&net, "rtb-priv", "0.0.0.0/0"), TargetStatus::Active);
    // An interface of a running instance cannot be deleted.
    rejected(
        &mut net,
        Change::DeleteNetworkInterface {
            network_interface_id: NetworkInterfaceId::new("eni-0nat"),
        },
        "InvalidNetworkInterface.InUse",
        "eni-0nat",
    );
    rejected(
        &mut net,
        Change::TerminateInstances {
            instance_ids: vec![InstanceId::new("i-0nat"), InstanceId::new("i-nope")],
        },
        "InvalidInstanceID.NotFound",
        "i-nope",
    );
    let e = ok(
        &mut net,
        Change::TerminateInstances {
            instance_ids: vec![InstanceId::new("i-0nat")],
        },
    );
    assert!(
        e.touched.contains(&"rtb-priv".to_string()),
        "{:?}",
        e.touched
    );
    assert!(
        !net.network_interfaces
            .contains_key(&NetworkInterfaceId::new("eni-0nat"))
    );
    assert_eq!(
        net.instances[&InstanceId::new("i-0nat")].state,
        "terminated"
    );
    assert!(matches!(
        status(&net, "rtb-priv", "0.0.0.0/0"),
        TargetStatus::Blackhole(_)
    ));
    // A standalone interface can be created and deleted; routes to it go blackhole.
    ok(
        &mut net,
        Change::CreateNetworkInterface {
            subnet_id: SubnetId::new("subnet-b"),
            network_interface_id: Some(NetworkInterfaceId::new("eni-mb")),
            private_ips: vec![Ipv4Addr::new(10, 0, 2, 50)],
        },
    );
    rejected(
        &mut net,
        Change::CreateNetworkInterface {
            subnet_id: SubnetId::new("subnet-b"),
            network_interface_id: Some(NetworkInterfaceId::new("eni-mb2")),
            private_ips: vec![Ipv4Addr::new(10, 0, 9, 50)],
        },
        "InvalidParameterValue",
        "10.0.9.50",
    );
    ok(&mut net, create_route("rtb-pub", "10.0.2.0/24", "eni-mb"));
    ok(
        &mut net,
        Change::DeleteNetworkInterface {
            network_interface_id: NetworkInterfaceId::new("eni-mb"),
        },
    );
    assert!(matches!(
        status(&net, "rtb-pub", "10.0.2.0/24"),
        TargetStatus::Blackhole(_)
    ));
}

// --- placeholders (§8 case 15c) and undescribed kinds ----------------------------------------

#[test]
fn case15c_main_table_of_a_new_vpc_binds_to_its_real_id() {
    let mut net = Network::default();
    let vpc = VpcId::new("vpc-0b2");
    ok(&mut net, create_vpc("vpc-0b2", "10.30.0.0/16"));
    ok(
        &mut net,
        create_subnet("vpc-0b2", "subnet-1", "10.30.1.0/24"),
    );
    let placeholder = net
        .unbound_main_route_table(&vpc)
        .cloned()
        .expect("unbound main");
    assert_eq!(placeholder.as_str(), "rtb-main-0b2");
    assert_eq!(net.unbound_main_route_tables(), vec![(&vpc, &placeholder)]);
    let assoc = net
        .unbound_main_association(&vpc)
        .cloned()
        .expect("unbound assoc");
    assert_eq!(assoc.as_str(), "rtbassoc-main-0b2");
    // A record names rtb-0123 for the first time: the replay layer binds it.
    net.bind_route_table_id(&placeholder, rtb("rtb-0123"))
        .expect("binds");
    net.bind_association_id(&assoc, RouteTableAssociationId::new("rtbassoc-0456"))
        .expect("binds");
    assert!(net.unbound_main_route_table(&vpc).is_none());
    assert!(!net.is_placeholder("rtb-main-0b2"));
    assert_eq!(
        effective(&net, "subnet-1"),
        Some(("rtb-0123".into(), "main"))
    );
    assert_eq!(
        net.bind_route_table_id(&placeholder, rtb("rtb-9")),
        Err(BindError::NotAPlaceholder("rtb-main-0b2".into()))
    );
    // Later records use the real ID.
    ok(
        &mut net,
        Change::CreateInternetGateway {
            internet_gateway_id: Some(InternetGatewayId::new("igw-0b2")),
        },
    );
    ok(
        &mut net,
        Change::AttachInternetGateway {
            internet_gateway_id: InternetGatewayId::new("igw-0b2"),
            vpc_id: vpc.clone(),
        },
    );
    ok(&mut net, create_route("rtb-0123", "0.0.0.0/0", "igw-0b2"));
    assert_eq!(status(&net, "rtb-0123", "0.0.0.0/0"), TargetStatus::Active);
}

#[test]
fn binding_refuses_an_existing_id() {
    let mut net = base();
    ok(&mut net, create_vpc("vpc-5", "10.5.0.0/16"));
    let p = net
        .unbound_main_route_table(&VpcId::new("vpc-5"))
        .cloned()
        .expect("unbound");
    assert_eq!(
        net.bind_route_table_id(&p, rtb("rtb-pub")),
        Err(BindError::AlreadyExists("rtb-pub".into()))
    );
    // Tables the input named are not placeholders.
    assert!(net.unbound_main_route_table(&VpcId::new("vpc-1")).is_none());
}

#[test]
fn undescribed_target_kinds_are_assumed_and_removed_ones_are_not() {
    // A replay that starts from nothing: no kind is described.
    let mut net = Network::default();
    ok(&mut net, create_vpc("vpc-1", "10.0.0.0/16"));
    let main = net
        .main_route_table(&VpcId::new("vpc-1"))
        .cloned()
        .expect("main");
    // A NAT gateway created before the trail began: assumed to exist, and said so.
    let e = ok(
        &mut net,
        create_route(main.as_str(), "0.0.0.0/0", "nat-old"),
    );
    assert!(e.summary.contains("assumed"), "{}", e.summary);
    assert!(matches!(
        status(&net, main.as_str(), "0.0.0.0/0"),
        TargetStatus::Unknown(_)
    ));
    // An IGW the trail created and deleted is known not to exist: blackhole, and NotFound.
    ok(
        &mut net,
        Change::CreateInternetGateway {
            internet_gateway_id: Some(InternetGatewayId::new("igw-9")),
        },
    );
    ok(
        &mut net,
        Change::AttachInternetGateway {
            internet_gateway_id: InternetGatewayId::new("igw-9"),
            vpc_id: VpcId::new("vpc-1"),
        },
    );
    ok(&mut net, create_route(main.as_str(), "8.8.8.0/24", "igw-9"));
    ok(
        &mut net,
        Change::DetachInternetGateway {
            internet_gateway_id: InternetGatewayId::new("igw-9"),
            vpc_id: VpcId::new("vpc-1"),
        },
    );
    ok(
        &mut net,
        Change::DeleteInternetGateway {
            internet_gateway_id: InternetGatewayId::new("igw-9"),
        },
    );
    assert!(net.was_removed("igw-9"));
    assert!(matches!(
        status(&net, main.as_str(), "8.8.8.0/24"),
        TargetStatus::Blackhole(_)
    ));
    rejected(
        &mut net,
        create_route(main.as_str(), "9.9.9.0/24", "igw-9"),
        "InvalidGatewayID.NotFound",
        "igw-9",
    );
    // A route table must always be known.
    rejected(
        &mut net,
        create_route("rtb-old", "0.0.0.0/0", "nat-old"),
        "InvalidRouteTableID.NotFound",
        "rtb-old",
    );
}

// --- remaining codes -------------------------------------------------------------------------

#[test]
fn a_vgw_attaches_to_one_vpc_at_a_time() {
    // §1.9 (code unverified).
    let mut net = base();
    ok(&mut net, create_vpc("vpc-3", "10.3.0.0/16"));
    rejected(
        &mut net,
        Change::AttachVpnGateway {
            vpn_gateway_id: VpnGatewayId::new("vgw-1"),
            vpc_id: VpcId::new("vpc-3"),
        },
        "VpnGatewayAttachmentLimitExceeded",
        "vgw-1 is already attached to vpc-1",
    );
    rejected(
        &mut net,
        Change::AttachVpnGateway {
            vpn_gateway_id: VpnGatewayId::new("vgw-nope"),
            vpc_id: VpcId::new("vpc-3"),
        },
        "InvalidVpnGatewayID.NotFound",
        "vgw-nope",
    );
}

#[test]
fn a_terminated_instance_takes_no_new_route() {
    let mut net = base();
    ok(&mut net, create_route("rtb-priv", "0.0.0.0/0", "i-1"));
    ok(
        &mut net,
        Change::TerminateInstances {
            instance_ids: vec![InstanceId::new("i-1")],
        },
    );
    assert!(matches!(
        status(&net, "rtb-priv", "0.0.0.0/0"),
        TargetStatus::Blackhole(_)
    ));
    rejected(
        &mut net,
        create_route("rtb-main", "0.0.0.0/0", "i-1"),
        "IncorrectInstanceState",
        "i-1",
    );
    // Terminating again changes nothing.
    let e = ok(
        &mut net,
        Change::TerminateInstances {
            instance_ids: vec![InstanceId::new("i-1")],
        },
    );
    assert!(e.touched.is_empty());
}

#[test]
fn addresses_by_public_ip() {
    let mut net = base();
    rejected(
        &mut net,
        Change::ReleaseAddress {
            allocation_id: None,
            public_ip: Some(Ipv4Addr::new(52, 0, 0, 1)),
        },
        "InvalidAddress.NotFound",
        "52.0.0.1",
    );
    rejected(
        &mut net,
        Change::ReleaseAddress {
            allocation_id: None,
            public_ip: None,
        },
        "MissingParameter",
        "allocationId",
    );
    ok(
        &mut net,
        Change::AllocateAddress {
            allocation_id: Some(AllocationId::new("eipalloc-7")),
            public_ip: Some(Ipv4Addr::new(52, 0, 0, 7)),
        },
    );
    rejected(
        &mut net,
        Change::AllocateAddress {
            allocation_id: Some(AllocationId::new("eipalloc-7")),
            public_ip: None,
        },
        "vpcsim.DuplicateId",
        "eipalloc-7",
    );
    // Associating by instance takes its primary interface.
    ok(
        &mut net,
        Change::AssociateAddress {
            allocation_id: None,
            public_ip: Some(Ipv4Addr::new(52, 0, 0, 7)),
            instance_id: Some(InstanceId::new("i-1")),
            network_interface_id: None,
            private_ip: None,
            association_id: Some("eipassoc-7".into()),
        },
    );
    let eni = net
        .instance_interface(&InstanceId::new("i-1"))
        .expect("eni");
    assert_eq!(
        eni.public_ips,
        vec![(Ipv4Addr::new(10, 0, 2, 20), Ipv4Addr::new(52, 0, 0, 7))]
    );
    assert_eq!(net.addresses[0].instance_id, Some(InstanceId::new("i-1")));
    // Reassociation moves it.
    ok(
        &mut net,
        Change::AssociateAddress {
            allocation_id: Some(AllocationId::new("eipalloc-7")),
            public_ip: None,
            instance_id: None,
            network_interface_id: Some(NetworkInterfaceId::new("eni-fw")),
            private_ip: None,
            association_id: Some("eipassoc-8".into()),
        },
    );
    assert!(
        net.instance_interface(&InstanceId::new("i-1"))
            .expect("eni")
            .public_ips
            .is_empty()
    );
    assert_eq!(
        net.network_interfaces[&NetworkInterfaceId::new("eni-fw")].public_ips,
        vec![(Ipv4Addr::new(10, 0, 2, 10), Ipv4Addr::new(52, 0, 0, 7))]
    );
}

#[test]
fn run_instances_validates_the_whole_batch() {
    let mut net = base();
    let launch = |id: &str, subnet: &str| LaunchedInstance {
        instance_id: InstanceId::new(id),
        subnet_id: Some(SubnetId::new(subnet)),
        network_interface_id: None,
        private_ip: None,
        public_ip: None,
    };
    rejected(
        &mut net,
        Change::RunInstances {
            instances: vec![launch("i-7", "subnet-b"), launch("i-8", "subnet-nope")],
        },
        "InvalidSubnetID.NotFound",
        "subnet-nope",
    );
    rejected(
        &mut net,
        Change::RunInstances {
            instances: vec![launch("i-7", "subnet-b"), launch("i-1", "subnet-b")],
        },
        "vpcsim.DuplicateId",
        "i-1",
    );
    // Two instances without addresses get distinct ones.
    ok(
        &mut net,
        Change::RunInstances {
            instances: vec![launch("i-7", "subnet-b"), launch("i-8", "subnet-b")],
        },
    );
    let ip = |e: &str| {
        net.network_interfaces[&NetworkInterfaceId::new(e)]
            .private_ips
            .clone()
    };
    assert_eq!(ip("eni-7"), vec![Ipv4Addr::new(10, 0, 2, 4)]);
    assert_eq!(ip("eni-8"), vec![Ipv4Addr::new(10, 0, 2, 5)]);
}

#[test]
fn describe_vpcs_association_ids_drive_disassociate_vpc_cidr_block() {
    // The JSON importer keeps CIDR association IDs and puts the primary CIDR first (§6.3).
    let docs: Vec<snapshot::json::Document> = vec![(
        "vpcs.json".to_string(),
        serde_json::json!({"Vpcs": [{
        "VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16", "OwnerId": "123456789012",
        "CidrBlockAssociationSet": [
            {"AssociationId": "vpc-cidr-assoc-2", "CidrBlock": "10.2.0.0/16",
             "CidrBlockState": {"State": "associated"}},
            {"AssociationId": "vpc-cidr-assoc-1", "CidrBlock": "10.0.0.0/16",
             "CidrBlockState": {"State": "associated"}}
        ]}]}),
        None,
        None,
    )];
    let mut loaded = snapshot::json::load_values(&docs).expect("imports");
    snapshot::finish(&mut loaded);
    let mut net = loaded.network;
    let vpc = &net.vpcs[&VpcId::new("vpc-1")];
    assert_eq!(vpc.ipv4_cidrs[0], "10.0.0.0/16".parse().expect("cidr"));
    assert_eq!(vpc.cidr_associations.len(), 2);
    rejected(
        &mut net,
        Change::DisassociateVpcCidrBlock {
            association_id: "vpc-cidr-assoc-1".into(),
            cidr_block: None,
        },
        "InvalidParameterValue",
        "primary",
    );
    ok(
        &mut net,
        Change::DisassociateVpcCidrBlock {
            association_id: "vpc-cidr-assoc-2".into(),
            cidr_block: None,
        },
    );
    assert_eq!(
        net.vpcs[&VpcId::new("vpc-1")].ipv4_cidrs,
        vec!["10.0.0.0/16".parse().expect("cidr")]
    );
}

/// An association is found by its ID whether the change holds the model's own copy of the ID
/// or one parsed apart (equal text, another string), and an ID that an inconsistent snapshot
/// holds twice is removed wherever it is, as the snapshot's duplicates are (§1.6).
#[test]
fn associations_are_found_by_text_and_duplicated_ids_all_go() {
    // Parsed apart: the change's ID shares no string with the model's.
    let mut net = base();
    let a = assoc_of(&net, "subnet-a");
    let apart = RouteTableAssociationId::new(a.as_str());
    assert!(!apart.same(&a) && apart == a);
    ok(
        &mut net,
        Change::ReplaceRouteTableAssociation {
            association_id: apart.clone(),
            route_table_id: rtb("rtb-priv"),
            new_association_id: Some(RouteTableAssociationId::new("rtbassoc-moved")),
        },
    );
    assert_eq!(
        effective(&net, "subnet-a"),
        Some(("rtb-priv".into(), "explicit"))
    );
    assert!(
        net.route_tables
            .values()
            .all(|t| t.associations.iter().all(|x| x.id != a))
    );
    ok(
        &mut net,
        Change::DisassociateRouteTable {
            association_id: RouteTableAssociationId::new("rtbassoc-moved"),
        },
    );
    assert_eq!(
        effective(&net, "subnet-a"),
        Some(("rtb-main".into(), "main"))
    );

    // One ID twice: the snapshot's subnet association copied, under the same ID, to another
    // table of the VPC as well.
    let mut net = base();
    let a = assoc_of(&net, "subnet-a");
    let copy = net.route_tables[&rtb("rtb-pub")]
        .associations
        .iter()
        .find(|x| x.id == a)
        .cloned()
        .expect("subnet-a's association");
    net.route_tables
        .get_mut(&rtb("rtb-priv"))
        .expect("rtb-priv")
        .add_association(copy);
    net.reindex();
    ok(
        &mut net,
        Change::DisassociateRouteTable {
            association_id: RouteTableAssociationId::new(a.as_str()),
        },
    );
    let left = net
        .route_tables
        .values()
        .flat_map(|t| t.associations.iter().filter(|x| x.id == a))
        .count();
    // The table the index found loses it; the other copy is then found in its own table.
    assert_eq!(left, 1, "one copy is disassociated per call");
    ok(
        &mut net,
        Change::DisassociateRouteTable {
            association_id: RouteTableAssociationId::new(a.as_str()),
        },
    );
    assert!(
        net.route_tables
            .values()
            .all(|t| t.associations.iter().all(|x| x.id != a))
    );
    assert_eq!(
        effective(&net, "subnet-a"),
        Some(("rtb-main".into(), "main"))
    );
}

// --- prefetch hints -----------------------------------------------------------------------

/// `Network::prefetch` is a hint: for any change (tables, associations, targets and routes
/// that exist or not) and any distance, it changes nothing, and a sequence applied with the
/// hints a replay gives ends in the same model, with the same answers, as without them.
#[test]
fn prefetch_hints_change_nothing() {
    let assoc = |s: &str| RouteTableAssociationId::new(s);
    let pub_assoc = assoc_of(&base(), "subnet-a");
    let changes = vec![
        create_route("rtb-priv", "192.168.0.0/16", "nat-1"),
        create_route("rtb-nope", "0.0.0.0/0", "igw-1"),
        replace_route("rtb-priv", "192.168.0.0/16", "igw-1"),
        replace_route("rtb-priv", "172.16.0.0/12", "pcx-1"),
        delete_route("rtb-priv", "192.168.0.0/16"),
        delete_route("rtb-pub", "2001:db8::/32"),
        create_route("rtb-pub", "pl-missing", "igw-1"),
        Change::DisassociateRouteTable {
            association_id: pub_assoc.clone(),
        },
        associate_subnet("rtb-pub", "subnet-a", Some("rtbassoc-new")),
        Change::ReplaceRouteTableAssociation {
            association_id: assoc("rtbassoc-new"),
            route_table_id: rtb("rtb-priv"),
            new_association_id: Some(assoc("rtbassoc-new2")),
        },
        Change::DisassociateRouteTable {
            association_id: assoc("rtbassoc-nope"),
        },
        associate_subnet("rtb-nope", "subnet-nope", None),
        create_vpc("vpc-9", "10.9.0.0/16"),
    ];
    // Every distance, including ones the loop never gives, on an untouched model.
    let net = base();
    let before = format!("{net:?}");
    for c in &changes {
        for distance in 0..=Network::PREFETCH_DISTANCE + 2 {
            net.prefetch(c, distance);
        }
    }
    assert_eq!(format!("{net:?}"), before);
    // The same sequence with and without the hints: same answers, same model.
    let (mut hinted, mut plain) = (base(), base());
    for (i, c) in changes.iter().enumerate() {
        for d in 1..=Network::PREFETCH_DISTANCE {
            if let Some(next) = changes.get(i + d) {
                hinted.prefetch(next, d);
            }
        }
        let a = hinted.apply(c, &opts()).map_err(|e| e.code.to_string());
        let b = plain.apply(c, &opts()).map_err(|e| e.code.to_string());
        assert_eq!(a.is_ok(), b.is_ok(), "{}", c.event_name());
        assert_eq!(a.err(), b.err(), "{}", c.event_name());
    }
    assert_eq!(format!("{hinted:?}"), format!("{plain:?}"));
    assert_eq!(dump(&hinted), dump(&plain));
    // The sequence did something (not a vacuous comparison).
    assert_ne!(dump(&plain), dump(&base()));
}
