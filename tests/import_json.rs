//! The describe-* JSON importer on small fixtures written here (documentation IDs and address
//! ranges only): one test per mapping rule of semantics doc §6, then pages, inventory, create-*
//! outputs, keys that are not modelled, directory walking, and the errors for broken input.

use serde_json::{Value, json};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use vpcsim::diag::Severity;
use vpcsim::model::*;
use vpcsim::snapshot::json::{Document, load_dir, load_file, load_values};
use vpcsim::snapshot::{ImportError, Loaded};

fn load(docs: &[(&str, Value)]) -> Result<Loaded, ImportError> {
    let docs: Vec<Document> = docs
        .iter()
        .map(|(f, v)| (f.to_string(), v.clone(), None, None))
        .collect();
    load_values(&docs)
}

fn ok(v: Value) -> Loaded {
    load(&[("fixture.json", v)]).unwrap_or_else(|e| panic!("import failed:\n{e}"))
}

fn err(v: Value) -> ImportError {
    match load(&[("fixture.json", v)]) {
        Ok(_) => panic!("import should fail"),
        Err(e) => e,
    }
}

fn net4(s: &str) -> ipnet::Ipv4Net {
    s.parse().unwrap()
}

fn net6(s: &str) -> ipnet::Ipv6Net {
    s.parse().unwrap()
}

fn ip4(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

fn dest(s: &str) -> Destination {
    Destination::parse(s).unwrap()
}

fn has_diag(l: &Loaded, severity: Severity, code: &str) -> bool {
    l.diagnostics
        .iter()
        .any(|d| d.severity == severity && d.code == code)
}

/// A fresh directory under Cargo's per-test-target temporary directory.
fn temp_dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(dir: &Path, rel: &str, text: &str) -> PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p
}

fn route_table(id: &str, routes: Value) -> Value {
    json!({"RouteTables": [{
        "RouteTableId": id, "VpcId": "vpc-0a1b2c3d",
        "Associations": [{"Main": true, "RouteTableAssociationId": "rtbassoc-0a1b2c3d", "RouteTableId": id}],
        "Routes": routes,
    }]})
}

// ---- Mapping (semantics doc §6) ---------------------------------------------------------------

#[test]
fn vpcs_use_every_associated_cidr() {
    let l = ok(json!({"Vpcs": [{
        "VpcId": "vpc-0a1b2c3d", "OwnerId": "123456789012", "IsDefault": false, "State": "available",
        "CidrBlock": "10.0.0.0/16",
        "CidrBlockAssociationSet": [
            {"CidrBlock": "10.0.0.0/16", "CidrBlockState": {"State": "associated"}},
            {"CidrBlock": "10.1.0.0/16", "CidrBlockState": {"State": "associated"}},
            {"CidrBlock": "10.2.0.0/16", "CidrBlockState": {"State": "disassociated"}}
        ],
        "Ipv6CidrBlockAssociationSet": [
            {"Ipv6CidrBlock": "2001:db8::/56", "Ipv6CidrBlockState": {"State": "associated"}},
            {"Ipv6CidrBlock": "", "Ipv6CidrBlockState": {"State": "associating"}}
        ],
        "Tags": [{"Key": "Env", "Value": "test"}, {"Key": "Name", "Value": "main-vpc"}]
    }, {
        "VpcId": "vpc-1a2b3c4d", "CidrBlock": "172.16.0.0/16", "IsDefault": true
    }]}));
    let v = &l.network.vpcs[&VpcId::new("vpc-0a1b2c3d")];
    assert_eq!(v.id, Some(VpcId::new("vpc-0a1b2c3d")));
    assert_eq!(v.ipv4_cidrs, vec![net4("10.0.0.0/16"), net4("10.1.0.0/16")]);
    assert_eq!(v.ipv6_cidrs, vec![net6("2001:db8::/56")]);
    assert_eq!(v.owner_id, Some(AccountId::new("123456789012")));
    assert_eq!(v.name.as_deref(), Some("main-vpc"));
    assert!(!v.is_default);
    // Without the association set, the primary CidrBlock is used.
    let v = &l.network.vpcs[&VpcId::new("vpc-1a2b3c4d")];
    assert_eq!(v.ipv4_cidrs, vec![net4("172.16.0.0/16")]);
    assert!(v.is_default);
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
}

#[test]
fn subnets_map_their_fields_and_ipv6_only_subnets_have_no_ipv4() {
    let l = ok(json!({"Subnets": [{
        "SubnetId": "subnet-0a1b2c3d", "VpcId": "vpc-0a1b2c3d", "CidrBlock": "10.0.1.0/24",
        "AvailabilityZone": "us-east-1a", "MapPublicIpOnLaunch": true, "AssignIpv6AddressOnCreation": true,
        "OwnerId": "123456789012",
        "Ipv6CidrBlockAssociationSet": [
            {"Ipv6CidrBlock": "2001:db8:0:1::/64", "Ipv6CidrBlockState": {"State": "associated"}},
            {"Ipv6CidrBlock": "2001:db8:0:2::/64", "Ipv6CidrBlockState": {"State": "disassociated"}}
        ],
        "Tags": [{"Key": "Name", "Value": "public-a"}]
    }, {
        "SubnetId": "subnet-1a2b3c4d", "VpcId": "vpc-0a1b2c3d",
        "Ipv6CidrBlockAssociationSet": [
            {"Ipv6CidrBlock": "2001:db8:0:3::/64", "Ipv6CidrBlockState": {"State": "associated"}}
        ]
    }]}));
    let s = &l.network.subnets[&SubnetId::new("subnet-0a1b2c3d")];
    assert_eq!(s.vpc_id, VpcId::new("vpc-0a1b2c3d"));
    assert_eq!(s.ipv4_cidr, Some(net4("10.0.1.0/24")));
    assert_eq!(s.ipv6_cidrs, vec![net6("2001:db8:0:1::/64")]);
    assert_eq!(s.availability_zone.as_deref(), Some("us-east-1a"));
    assert!(s.map_public_ip_on_launch && s.assign_ipv6_address_on_creation);
    assert_eq!(s.owner_id, Some(AccountId::new("123456789012")));
    assert_eq!(s.name.as_deref(), Some("public-a"));
    let s = &l.network.subnets[&SubnetId::new("subnet-1a2b3c4d")];
    assert_eq!(s.ipv4_cidr, None);
    assert_eq!(s.ipv6_cidrs, vec![net6("2001:db8:0:3::/64")]);
    assert!(!s.map_public_ip_on_launch);
}

#[test]
fn route_targets_are_taken_from_whichever_field_is_present() {
    let l = ok(route_table(
        "rtb-0a1b2c3d",
        json!([
            {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"},
            {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-0a1b2c3d", "Origin": "CreateRoute", "State": "active"},
            {"DestinationCidrBlock": "192.0.2.0/24", "GatewayId": "vgw-0a1b2c3d", "Origin": "CreateRoute"},
            {"DestinationPrefixListId": "pl-0a1b2c3d", "GatewayId": "vpce-0a1b2c3d", "Origin": "CreateRoute"},
            {"DestinationCidrBlock": "198.51.100.0/24", "NatGatewayId": "nat-0a1b2c3d", "State": "blackhole"},
            {"DestinationCidrBlock": "203.0.113.0/24", "TransitGatewayId": "tgw-0a1b2c3d"},
            {"DestinationCidrBlock": "172.16.0.0/16", "VpcPeeringConnectionId": "pcx-0a1b2c3d"},
            {"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-0a1b2c3d"},
            {"DestinationCidrBlock": "172.17.0.0/16", "NetworkInterfaceId": "eni-0a1b2c3d"},
            {"DestinationCidrBlock": "172.18.0.0/16", "InstanceId": "i-0a1b2c3d"},
            {"DestinationCidrBlock": "172.19.0.0/16", "LocalGatewayId": "lgw-0a1b2c3d"},
            {"DestinationCidrBlock": "172.20.0.0/16", "CarrierGatewayId": "cagw-0a1b2c3d"},
            {"DestinationCidrBlock": "172.21.0.0/16", "CoreNetworkArn": "arn:aws:networkmanager::123456789012:core-network/core-network-0a1b2c3d"},
            {"DestinationCidrBlock": "172.22.0.0/16", "OdbNetworkArn": "arn:aws:odb:us-east-1:123456789012:odb-network/odbnet-0a1b2c3d"}
        ]),
    ));
    let t = &l.network.route_tables[&RouteTableId::new("rtb-0a1b2c3d")];
    let target = |d: &str| {
        t.routes
            .values()
            .find(|r| r.destination == dest(d))
            .map(|r| r.target.clone())
    };
    assert_eq!(target("10.0.0.0/16"), Some(Target::Local));
    assert_eq!(
        target("0.0.0.0/0"),
        Some(Target::InternetGateway("igw-0a1b2c3d".into()))
    );
    assert_eq!(
        target("192.0.2.0/24"),
        Some(Target::VpnGateway("vgw-0a1b2c3d".into()))
    );
    assert_eq!(
        target("pl-0a1b2c3d"),
        Some(Target::VpcEndpoint("vpce-0a1b2c3d".into()))
    );
    assert_eq!(
        target("198.51.100.0/24"),
        Some(Target::NatGateway("nat-0a1b2c3d".into()))
    );
    assert_eq!(
        target("203.0.113.0/24"),
        Some(Target::TransitGateway("tgw-0a1b2c3d".into()))
    );
    assert_eq!(
        target("172.16.0.0/16"),
        Some(Target::VpcPeeringConnection("pcx-0a1b2c3d".into()))
    );
    assert_eq!(
        target("::/0"),
        Some(Target::EgressOnlyInternetGateway("eigw-0a1b2c3d".into()))
    );
    assert_eq!(
        target("172.17.0.0/16"),
        Some(Target::NetworkInterface("eni-0a1b2c3d".into()))
    );
    assert_eq!(
        target("172.18.0.0/16"),
        Some(Target::Instance("i-0a1b2c3d".into()))
    );
    assert_eq!(
        target("172.19.0.0/16"),
        Some(Target::LocalGateway("lgw-0a1b2c3d".into()))
    );
    assert_eq!(
        target("172.20.0.0/16"),
        Some(Target::CarrierGateway("cagw-0a1b2c3d".into()))
    );
    assert!(matches!(
        target("172.21.0.0/16"),
        Some(Target::CoreNetwork(_))
    ));
    assert!(matches!(
        target("172.22.0.0/16"),
        Some(Target::OdbNetwork(_))
    ));
    assert_eq!(t.routes.len(), 14);

    let local = t
        .routes
        .values()
        .find(|r| r.target == Target::Local)
        .unwrap();
    assert_eq!(local.origin, RouteOrigin::CreateRouteTable);
    assert_eq!(local.reported_state, Some(RouteState::Active));
    let nat = t
        .routes
        .values()
        .find(|r| r.destination == dest("198.51.100.0/24"))
        .unwrap();
    assert_eq!(nat.origin, RouteOrigin::CreateRoute);
    assert_eq!(nat.reported_state, Some(RouteState::Blackhole));
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
}

#[test]
fn instance_and_interface_on_one_route_target_the_interface() {
    // Semantics doc §6.1: instance routes show InstanceId and NetworkInterfaceId together.
    let l = ok(route_table(
        "rtb-0a1b2c3d",
        json!([{"DestinationCidrBlock": "0.0.0.0/0", "InstanceId": "i-0a1b2c3d", "InstanceOwnerId": "123456789012",
                "NetworkInterfaceId": "eni-0a1b2c3d", "Origin": "CreateRoute", "State": "active"}]),
    ));
    let t = &l.network.route_tables[&RouteTableId::new("rtb-0a1b2c3d")];
    let r = t.routes.values().next().unwrap();
    assert_eq!(r.target, Target::NetworkInterface("eni-0a1b2c3d".into()));
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
}

#[test]
fn a_nat_id_in_gateway_id_is_a_nat_gateway_target() {
    // Semantics doc §1.2: a nat- ID passed as GatewayId makes a NAT route.
    let l = ok(route_table(
        "rtb-0a1b2c3d",
        json!([{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "nat-0a1b2c3d"}]),
    ));
    let r = l.network.route_tables[&RouteTableId::new("rtb-0a1b2c3d")]
        .routes
        .values()
        .next()
        .unwrap()
        .clone();
    assert_eq!(r.target, Target::NatGateway("nat-0a1b2c3d".into()));
}

#[test]
fn route_destinations_are_canonicalised() {
    let l = ok(route_table(
        "rtb-0a1b2c3d",
        json!([
            {"DestinationCidrBlock": "100.68.0.18/18", "GatewayId": "igw-0a1b2c3d"},
            {"DestinationIpv6CidrBlock": "2001:db8::1/56", "GatewayId": "igw-0a1b2c3d"}
        ]),
    ));
    let t = &l.network.route_tables[&RouteTableId::new("rtb-0a1b2c3d")];
    let dests: Vec<String> = t
        .routes
        .values()
        .map(|r| r.destination.to_string())
        .collect();
    assert_eq!(dests, vec!["100.68.0.0/18", "2001:db8::/56"]);
}

#[test]
fn a_route_without_target_is_left_out_with_a_warning() {
    let l = ok(route_table(
        "rtb-0a1b2c3d",
        json!([
            {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"},
            {"DestinationCidrBlock": "192.0.2.0/24", "IpAddress": "10.0.0.9", "State": "active"}
        ]),
    ));
    let t = &l.network.route_tables[&RouteTableId::new("rtb-0a1b2c3d")];
    assert_eq!(t.routes.len(), 1);
    let d = l
        .diagnostics
        .iter()
        .find(|d| d.code == "route-without-target")
        .expect("diagnostic");
    assert_eq!(d.severity, Severity::Warning);
    assert_eq!(d.resource.as_deref(), Some("rtb-0a1b2c3d"));
    assert_eq!(
        d.location.as_deref(),
        Some("fixture.json: RouteTables[0].Routes[1]")
    );
}

#[test]
fn duplicate_static_routes_keep_the_first() {
    let l = ok(route_table(
        "rtb-0a1b2c3d",
        json!([
            {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-0a1b2c3d", "Origin": "CreateRoute"},
            {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-0a1b2c3d", "Origin": "CreateRoute"},
            // A propagated route to the same prefix may coexist (§3.3).
            {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "vgw-0a1b2c3d", "Origin": "EnableVgwRoutePropagation"}
        ]),
    ));
    let t = &l.network.route_tables[&RouteTableId::new("rtb-0a1b2c3d")];
    assert_eq!(t.routes.len(), 2);
    let stat = t
        .routes
        .values()
        .find(|r| !r.origin.is_propagated())
        .unwrap();
    assert_eq!(stat.target, Target::InternetGateway("igw-0a1b2c3d".into()));
    assert!(has_diag(&l, Severity::Warning, "duplicate-route"));
}

#[test]
fn unknown_and_absent_origins() {
    let l = ok(route_table(
        "rtb-0a1b2c3d",
        json!([
            {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"},
            {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-0a1b2c3d", "Origin": "SomethingNew"},
            {"DestinationCidrBlock": "192.0.2.0/24", "GatewayId": "igw-0a1b2c3d"}
        ]),
    ));
    let t = &l.network.route_tables[&RouteTableId::new("rtb-0a1b2c3d")];
    let origin = |d: &str| {
        t.routes
            .values()
            .find(|r| r.destination == dest(d))
            .unwrap()
            .origin
    };
    assert_eq!(origin("10.0.0.0/16"), RouteOrigin::CreateRouteTable);
    assert_eq!(origin("0.0.0.0/0"), RouteOrigin::CreateRoute);
    assert_eq!(origin("192.0.2.0/24"), RouteOrigin::CreateRoute);
    assert!(has_diag(&l, Severity::Info, "unknown-route-origin"));
}

#[test]
fn associations_main_subnet_edge_and_propagating_vgws() {
    let l = ok(json!({"RouteTables": [{
        "RouteTableId": "rtb-0a1b2c3d", "VpcId": "vpc-0a1b2c3d", "OwnerId": "123456789012",
        "Associations": [
            {"Main": true, "RouteTableAssociationId": "rtbassoc-00000001", "AssociationState": {"State": "associated"}},
            {"Main": false, "RouteTableAssociationId": "rtbassoc-00000002", "SubnetId": "subnet-0a1b2c3d"},
            {"Main": false, "RouteTableAssociationId": "rtbassoc-00000003", "SubnetId": "subnet-1a2b3c4d",
             "AssociationState": {"State": "disassociated"}},
            {"Main": false, "RouteTableAssociationId": "rtbassoc-00000004", "SubnetId": "subnet-2a2b3c4d",
             "AssociationState": {"State": "failed"}}
        ],
        "PropagatingVgws": [{"GatewayId": "vgw-0a1b2c3d"}],
        "Routes": [],
        "Tags": [{"Key": "Name", "Value": "main"}]
    }, {
        "RouteTableId": "rtb-1a2b3c4d", "VpcId": "vpc-0a1b2c3d",
        "Associations": [
            {"Main": false, "RouteTableAssociationId": "rtbassoc-00000005", "GatewayId": "igw-0a1b2c3d"}
        ],
        "Routes": []
    }]}));
    let n = &l.network;
    let t = &n.route_tables[&RouteTableId::new("rtb-0a1b2c3d")];
    assert_eq!(t.associations.len(), 2);
    assert_eq!(
        t.associations[0].id,
        RouteTableAssociationId::new("rtbassoc-00000001")
    );
    assert_eq!(t.associations[0].target, AssociationTarget::Main);
    assert_eq!(
        t.associations[1].target,
        AssociationTarget::Subnet("subnet-0a1b2c3d".into())
    );
    assert!(
        t.propagating_vgws
            .contains(&VpnGatewayId::new("vgw-0a1b2c3d"))
    );
    assert_eq!(t.name.as_deref(), Some("main"));
    assert_eq!(t.owner_id, Some(AccountId::new("123456789012")));
    assert_eq!(n.main_route_table(&VpcId::new("vpc-0a1b2c3d")), Some(&t.id));
    assert_eq!(
        n.edge_route_table("igw-0a1b2c3d"),
        Some(&RouteTableId::new("rtb-1a2b3c4d"))
    );
}

#[test]
fn gateways_are_attached_only_in_the_states_that_count() {
    let l = ok(json!({
        // §6.4: "available" means attached for internet gateways.
        "InternetGateways": [
            {"InternetGatewayId": "igw-0a1b2c3d", "OwnerId": "123456789012",
             "Attachments": [{"State": "available", "VpcId": "vpc-0a1b2c3d"}]},
            {"InternetGatewayId": "igw-1a2b3c4d", "Attachments": [{"State": "attached", "VpcId": "vpc-1a2b3c4d"}]},
            {"InternetGatewayId": "igw-2a2b3c4d", "Attachments": [{"State": "detaching", "VpcId": "vpc-2a2b3c4d"}]},
            {"InternetGatewayId": "igw-3a2b3c4d", "Attachments": []}
        ],
        "EgressOnlyInternetGateways": [
            {"EgressOnlyInternetGatewayId": "eigw-0a1b2c3d", "Attachments": [{"State": "attached", "VpcId": "vpc-0a1b2c3d"}]},
            {"EgressOnlyInternetGatewayId": "eigw-1a2b3c4d", "Attachments": [{"State": "detached", "VpcId": "vpc-0a1b2c3d"}]}
        ],
        // §6.7: only "attached" counts for virtual private gateways.
        "VpnGateways": [
            {"VpnGatewayId": "vgw-0a1b2c3d", "AmazonSideAsn": 64512, "State": "available",
             "VpcAttachments": [{"State": "detached", "VpcId": "vpc-1a2b3c4d"}, {"State": "attached", "VpcId": "vpc-0a1b2c3d"}]},
            {"VpnGatewayId": "vgw-1a2b3c4d", "VpcAttachments": [{"State": "attaching", "VpcId": "vpc-1a2b3c4d"}]}
        ]
    }));
    let n = &l.network;
    let igw = |id: &str| {
        n.internet_gateways[&InternetGatewayId::new(id)]
            .attached_vpc
            .clone()
    };
    assert_eq!(igw("igw-0a1b2c3d"), Some(VpcId::new("vpc-0a1b2c3d")));
    assert_eq!(igw("igw-1a2b3c4d"), Some(VpcId::new("vpc-1a2b3c4d")));
    assert_eq!(igw("igw-2a2b3c4d"), None);
    assert_eq!(igw("igw-3a2b3c4d"), None);
    assert_eq!(
        n.internet_gateways[&InternetGatewayId::new("igw-0a1b2c3d")].owner_id,
        Some(AccountId::new("123456789012"))
    );
    let eigw = |id: &str| {
        n.egress_only_internet_gateways[&EgressOnlyInternetGatewayId::new(id)]
            .attached_vpc
            .clone()
    };
    assert_eq!(eigw("eigw-0a1b2c3d"), Some(VpcId::new("vpc-0a1b2c3d")));
    assert_eq!(eigw("eigw-1a2b3c4d"), None);
    let vgw = &n.vpn_gateways[&VpnGatewayId::new("vgw-0a1b2c3d")];
    assert_eq!(vgw.attached_vpc, Some(VpcId::new("vpc-0a1b2c3d")));
    assert_eq!(vgw.amazon_side_asn, Some(64512));
    assert_eq!(
        n.vpn_gateways[&VpnGatewayId::new("vgw-1a2b3c4d")].attached_vpc,
        None
    );
}

#[test]
fn nat_gateways_keep_state_connectivity_and_addresses() {
    let l = ok(json!({"NatGateways": [
        {"NatGatewayId": "nat-0a1b2c3d", "SubnetId": "subnet-0a1b2c3d", "VpcId": "vpc-0a1b2c3d", "State": "available",
         "CreateTime": "2020-03-03 01:21:01+00:00",
         "NatGatewayAddresses": [{"AllocationId": "eipalloc-0a1b2c3d", "PrivateIp": "10.0.1.10", "PublicIp": "198.51.100.10"}]},
        {"NatGatewayId": "nat-1a2b3c4d", "SubnetId": "subnet-0a1b2c3d", "State": "deleted", "ConnectivityType": "private",
         "CreateTime": "2014-04-03T09:12:43.000Z", "DeleteTime": "2014-04-03T10:12:43.000Z",
         "NatGatewayAddresses": [{}]},
        {"NatGatewayId": "nat-2a2b3c4d", "SubnetId": "subnet-0a1b2c3d", "State": "exploded"}
    ]}));
    let n = &l.network;
    let a = &n.nat_gateways[&NatGatewayId::new("nat-0a1b2c3d")];
    assert_eq!(a.state, NatGatewayState::Available);
    assert_eq!(a.connectivity, ConnectivityType::Public);
    assert_eq!(a.subnet_id, SubnetId::new("subnet-0a1b2c3d"));
    assert_eq!(a.vpc_id, Some(VpcId::new("vpc-0a1b2c3d")));
    assert_eq!(a.private_ips, vec![ip4("10.0.1.10")]);
    assert_eq!(a.public_ips, vec![ip4("198.51.100.10")]);
    let b = &n.nat_gateways[&NatGatewayId::new("nat-1a2b3c4d")];
    assert_eq!(b.state, NatGatewayState::Deleted);
    assert_eq!(b.connectivity, ConnectivityType::Private);
    assert!(b.private_ips.is_empty());
    let c = &n.nat_gateways[&NatGatewayId::new("nat-2a2b3c4d")];
    assert_eq!(c.state, NatGatewayState::Failed);
    assert!(has_diag(&l, Severity::Warning, "unknown-nat-gateway-state"));
}

#[test]
fn peering_connections_map_both_sides() {
    let l = ok(json!({"VpcPeeringConnections": [{
        "VpcPeeringConnectionId": "pcx-0a1b2c3d",
        "Status": {"Code": "active", "Message": "Active"},
        "ExpirationTime": "2014-04-03T09:12:43.000Z",
        "RequesterVpcInfo": {"VpcId": "vpc-0a1b2c3d", "OwnerId": "123456789012", "Region": "us-east-1",
            "CidrBlock": "10.0.0.0/16",
            "CidrBlockSet": [{"CidrBlock": "10.0.0.0/16"}, {"CidrBlock": "10.1.0.0/16"}],
            "Ipv6CidrBlockSet": [{"Ipv6CidrBlock": "2001:db8::/56"}]},
        "AccepterVpcInfo": {"VpcId": "vpc-1a2b3c4d", "OwnerId": "210987654321", "CidrBlock": "172.16.0.0/16"}
    }, {
        "VpcPeeringConnectionId": "pcx-1a2b3c4d",
        "Status": {"Code": "pending-acceptance"},
        "RequesterVpcInfo": {"VpcId": "vpc-0a1b2c3d", "CidrBlock": "10.0.0.0/16"},
        "AccepterVpcInfo": {"VpcId": "vpc-2a2b3c4d"}
    }]}));
    let p = &l.network.vpc_peering_connections[&VpcPeeringConnectionId::new("pcx-0a1b2c3d")];
    assert!(p.is_active());
    assert_eq!(p.requester.vpc_id, VpcId::new("vpc-0a1b2c3d"));
    assert_eq!(p.requester.owner_id, Some(AccountId::new("123456789012")));
    assert_eq!(p.requester.region.as_deref(), Some("us-east-1"));
    assert_eq!(
        p.requester.ipv4_cidrs,
        vec![net4("10.0.0.0/16"), net4("10.1.0.0/16")]
    );
    assert_eq!(p.requester.ipv6_cidrs, vec![net6("2001:db8::/56")]);
    assert_eq!(p.accepter.ipv4_cidrs, vec![net4("172.16.0.0/16")]);
    let q = &l.network.vpc_peering_connections[&VpcPeeringConnectionId::new("pcx-1a2b3c4d")];
    assert_eq!(q.status, "pending-acceptance");
    assert!(q.accepter.ipv4_cidrs.is_empty());
}

#[test]
fn network_interfaces_map_addresses_and_attachment() {
    let l = ok(json!({"NetworkInterfaces": [{
        "NetworkInterfaceId": "eni-0a1b2c3d", "SubnetId": "subnet-0a1b2c3d", "VpcId": "vpc-0a1b2c3d",
        "InterfaceType": "interface", "SourceDestCheck": false,
        "Attachment": {"InstanceId": "i-0a1b2c3d", "DeviceIndex": 0, "Status": "attached",
                       "AttachTime": "2020-03-03 01:21:03+00:00"},
        "PrivateIpAddress": "10.0.1.5",
        "Association": {"PublicIp": "198.51.100.5"},
        "PrivateIpAddresses": [
            {"Primary": true, "PrivateIpAddress": "10.0.1.5", "Association": {"PublicIp": "198.51.100.5"}},
            {"Primary": false, "PrivateIpAddress": "10.0.1.6"}
        ],
        "Ipv6Addresses": [{"Ipv6Address": "2001:db8::5"}]
    }, {
        // An abridged record: only the top-level primary address.
        "NetworkInterfaceId": "eni-1a2b3c4d", "SubnetId": "subnet-0a1b2c3d",
        "PrivateIpAddress": "10.0.1.7", "Association": {"PublicIp": "198.51.100.7"}
    }]}));
    let e = &l.network.network_interfaces[&NetworkInterfaceId::new("eni-0a1b2c3d")];
    assert_eq!(e.subnet_id, SubnetId::new("subnet-0a1b2c3d"));
    assert_eq!(e.vpc_id, Some(VpcId::new("vpc-0a1b2c3d")));
    assert_eq!(e.private_ips, vec![ip4("10.0.1.5"), ip4("10.0.1.6")]);
    assert_eq!(e.public_ips, vec![(ip4("10.0.1.5"), ip4("198.51.100.5"))]);
    assert_eq!(
        e.ipv6_addresses,
        vec!["2001:db8::5".parse::<Ipv6Addr>().unwrap()]
    );
    assert!(!e.source_dest_check);
    assert_eq!(e.instance_id, Some(InstanceId::new("i-0a1b2c3d")));
    assert_eq!(e.interface_type.as_deref(), Some("interface"));
    let e = &l.network.network_interfaces[&NetworkInterfaceId::new("eni-1a2b3c4d")];
    assert_eq!(e.private_ips, vec![ip4("10.0.1.7")]);
    assert_eq!(e.public_ip_for(&ip4("10.0.1.7")), Some(ip4("198.51.100.7")));
    assert!(e.source_dest_check, "SourceDestCheck defaults to true");
    assert!(l.network.inventory.network_interfaces);
    assert!(!l.network.inventory.instances);
}

fn reservation() -> Value {
    json!({"Reservations": [{"ReservationId": "r-0a1b2c3d", "Instances": [{
        "InstanceId": "i-0a1b2c3d", "State": {"Code": 16, "Name": "running"},
        "SubnetId": "subnet-0a1b2c3d", "VpcId": "vpc-0a1b2c3d",
        "LaunchTime": "2020-03-03 01:21:04+00:00",
        "PrivateIpAddress": "10.0.1.5", "PublicIpAddress": "198.51.100.5",
        "NetworkInterfaces": [
            {"NetworkInterfaceId": "eni-1a2b3c4d", "SubnetId": "subnet-0a1b2c3d",
             "Attachment": {"DeviceIndex": 1}, "PrivateIpAddress": "10.0.1.9",
             "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.1.9"}]},
            {"NetworkInterfaceId": "eni-0a1b2c3d",
             "Attachment": {"DeviceIndex": 0}, "PrivateIpAddress": "10.0.1.5",
             "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.1.5", "Association": {"PublicIp": "198.51.100.5"}}]}
        ]
    }, {
        "InstanceId": "i-1a2b3c4d", "State": {"Code": 48, "Name": "terminated"}
    }]}]})
}

#[test]
fn instances_bring_their_interfaces_when_not_described_otherwise() {
    let l = ok(reservation());
    let n = &l.network;
    let i = &n.instances[&InstanceId::new("i-0a1b2c3d")];
    assert_eq!(i.state, "running");
    assert_eq!(i.subnet_id, Some(SubnetId::new("subnet-0a1b2c3d")));
    // Primary (device index 0) first.
    assert_eq!(
        i.network_interfaces,
        vec![
            NetworkInterfaceId::new("eni-0a1b2c3d"),
            NetworkInterfaceId::new("eni-1a2b3c4d")
        ]
    );
    let e = &n.network_interfaces[&NetworkInterfaceId::new("eni-0a1b2c3d")];
    assert_eq!(e.instance_id, Some(InstanceId::new("i-0a1b2c3d")));
    assert_eq!(
        e.subnet_id,
        SubnetId::new("subnet-0a1b2c3d"),
        "the instance's subnet is the default"
    );
    assert_eq!(e.public_ip_for(&ip4("10.0.1.5")), Some(ip4("198.51.100.5")));
    assert_eq!(
        n.instances[&InstanceId::new("i-1a2b3c4d")].state,
        "terminated"
    );
    assert!(n.inventory.instances);
    assert!(
        !n.inventory.network_interfaces,
        "only a NetworkInterfaces key describes all interfaces"
    );
}

#[test]
fn described_interfaces_win_over_the_copies_in_instances() {
    // The Reservations document comes first, as Reservations.json sorts before NetworkInterfaces.json.
    let enis = json!({"NetworkInterfaces": [{
        "NetworkInterfaceId": "eni-0a1b2c3d", "SubnetId": "subnet-0a1b2c3d", "SourceDestCheck": false,
        "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.1.5"}]
    }]});
    let l = load(&[
        ("Reservations.json", reservation()),
        ("NetworkInterfaces.json", enis),
    ])
    .unwrap();
    let e = &l.network.network_interfaces[&NetworkInterfaceId::new("eni-0a1b2c3d")];
    assert!(
        !e.source_dest_check,
        "the describe-network-interfaces record is kept"
    );
    assert_eq!(e.instance_id, Some(InstanceId::new("i-0a1b2c3d")));
    // The instance's public IP is added to its primary interface, which did not show it.
    assert_eq!(e.public_ip_for(&ip4("10.0.1.5")), Some(ip4("198.51.100.5")));
    assert!(l.network.inventory.network_interfaces && l.network.inventory.instances);
}

#[test]
fn instance_public_ip_goes_to_its_primary_interface_when_it_lists_none() {
    let l = ok(json!({
        "NetworkInterfaces": [
            {"NetworkInterfaceId": "eni-1a2b3c4d", "SubnetId": "subnet-0a1b2c3d", "PrivateIpAddress": "10.0.1.9",
             "Attachment": {"InstanceId": "i-0a1b2c3d", "DeviceIndex": 1}},
            {"NetworkInterfaceId": "eni-0a1b2c3d", "SubnetId": "subnet-0a1b2c3d", "PrivateIpAddress": "10.0.1.5",
             "Attachment": {"InstanceId": "i-0a1b2c3d", "DeviceIndex": 0}}
        ],
        "Reservations": [{"Instances": [{
            "InstanceId": "i-0a1b2c3d", "State": {"Name": "running"}, "SubnetId": "subnet-0a1b2c3d",
            "PrivateIpAddress": "10.0.1.5", "PublicIpAddress": "198.51.100.5"
        }]}]
    }));
    let n = &l.network;
    assert_eq!(
        n.instances[&InstanceId::new("i-0a1b2c3d")].network_interfaces,
        vec![
            NetworkInterfaceId::new("eni-0a1b2c3d"),
            NetworkInterfaceId::new("eni-1a2b3c4d")
        ]
    );
    let e = &n.network_interfaces[&NetworkInterfaceId::new("eni-0a1b2c3d")];
    assert_eq!(e.public_ip_for(&ip4("10.0.1.5")), Some(ip4("198.51.100.5")));
    assert!(
        n.network_interfaces[&NetworkInterfaceId::new("eni-1a2b3c4d")]
            .public_ips
            .is_empty()
    );
}

#[test]
fn addresses_map_and_reach_their_interface() {
    let l = ok(json!({
        "NetworkInterfaces": [{"NetworkInterfaceId": "eni-0a1b2c3d", "SubnetId": "subnet-0a1b2c3d",
                               "PrivateIpAddress": "10.0.1.5"}],
        "Addresses": [
            {"AllocationId": "eipalloc-0a1b2c3d", "PublicIp": "198.51.100.5", "Domain": "vpc",
             "NetworkInterfaceId": "eni-0a1b2c3d", "PrivateIpAddress": "10.0.1.5", "InstanceId": ""},
            {"AllocationId": "eipalloc-1a2b3c4d", "PublicIp": "198.51.100.6", "Domain": "vpc"}
        ]
    }));
    let n = &l.network;
    assert_eq!(n.addresses.len(), 2);
    let a = &n.addresses[0];
    assert_eq!(
        a.allocation_id,
        Some(AllocationId::new("eipalloc-0a1b2c3d"))
    );
    assert_eq!(a.public_ip, ip4("198.51.100.5"));
    assert_eq!(
        a.network_interface_id,
        Some(NetworkInterfaceId::new("eni-0a1b2c3d"))
    );
    assert_eq!(a.private_ip, Some(ip4("10.0.1.5")));
    assert_eq!(a.instance_id, None, "an empty InstanceId means none");
    let e = &n.network_interfaces[&NetworkInterfaceId::new("eni-0a1b2c3d")];
    assert_eq!(e.public_ips, vec![(ip4("10.0.1.5"), ip4("198.51.100.5"))]);
    assert!(n.inventory.addresses);
}

#[test]
fn vpc_endpoints_map_type_state_and_tables() {
    let l = ok(json!({"VpcEndpoints": [
        {"VpcEndpointId": "vpce-0a1b2c3d", "VpcId": "vpc-0a1b2c3d", "VpcEndpointType": "Gateway",
         "ServiceName": "com.amazonaws.us-east-1.s3", "State": "available", "RouteTableIds": ["rtb-0a1b2c3d"],
         "SubnetIds": [], "CreationTimestamp": "2020-05-09 05:01:38+00:00"},
        {"VpcEndpointId": "vpce-1a2b3c4d", "VpcId": "vpc-0a1b2c3d", "VpcEndpointType": "GatewayLoadBalancer",
         "State": "Available", "SubnetIds": ["subnet-0a1b2c3d"], "CreationTimestamp": "2020-11-11T08:06:03.522Z"},
        {"VpcEndpointId": "vpce-2a2b3c4d", "VpcId": "vpc-0a1b2c3d", "VpcEndpointType": "Interface", "State": "deleted"},
        {"VpcEndpointId": "vpce-3a2b3c4d", "VpcId": "vpc-0a1b2c3d", "VpcEndpointType": "Resource", "State": "available"},
        {"VpcEndpointId": "vpce-4a2b3c4d", "VpcId": "vpc-0a1b2c3d", "State": "available"}
    ]}));
    let e = |id: &str| l.network.vpc_endpoints[&VpcEndpointId::new(id)].clone();
    assert_eq!(e("vpce-0a1b2c3d").endpoint_type, VpcEndpointType::Gateway);
    assert_eq!(
        e("vpce-0a1b2c3d").route_table_ids,
        vec![RouteTableId::new("rtb-0a1b2c3d")]
    );
    assert_eq!(
        e("vpce-0a1b2c3d").service_name.as_deref(),
        Some("com.amazonaws.us-east-1.s3")
    );
    assert_eq!(
        e("vpce-1a2b3c4d").endpoint_type,
        VpcEndpointType::GatewayLoadBalancer
    );
    assert_eq!(e("vpce-1a2b3c4d").state, "available");
    assert_eq!(
        e("vpce-1a2b3c4d").subnet_ids,
        vec![SubnetId::new("subnet-0a1b2c3d")]
    );
    assert_eq!(e("vpce-2a2b3c4d").endpoint_type, VpcEndpointType::Interface);
    assert_eq!(e("vpce-3a2b3c4d").endpoint_type, VpcEndpointType::Other);
    assert_eq!(e("vpce-4a2b3c4d").endpoint_type, VpcEndpointType::Gateway);
}

#[test]
fn transit_gateway_attachments_of_both_calls() {
    let l = ok(json!({
        "TransitGatewayAttachments": [
            {"TransitGatewayAttachmentId": "tgw-attach-0a1b2c3d", "TransitGatewayId": "tgw-0a1b2c3d",
             "ResourceType": "vpc", "ResourceId": "vpc-0a1b2c3d", "State": "available"},
            {"TransitGatewayAttachmentId": "tgw-attach-1a2b3c4d", "TransitGatewayId": "tgw-0a1b2c3d",
             "ResourceType": "vpn", "ResourceId": "vpn-0a1b2c3d", "State": "available"},
            {"TransitGatewayAttachmentId": "tgw-attach-2a2b3c4d", "TransitGatewayId": "tgw-0a1b2c3d",
             "ResourceType": "vpc", "ResourceId": "vpc-1a2b3c4d", "State": "available"}
        ],
        "TransitGatewayVpcAttachments": [
            {"TransitGatewayAttachmentId": "tgw-attach-2a2b3c4d", "TransitGatewayId": "tgw-0a1b2c3d",
             "VpcId": "vpc-1a2b3c4d", "SubnetIds": ["subnet-0a1b2c3d", "subnet-1a2b3c4d"], "State": "available",
             "CreationTime": "2019-02-13T11:04:02.000Z"}
        ]
    }));
    let n = &l.network;
    assert_eq!(n.transit_gateway_attachments.len(), 2);
    let a = &n.transit_gateway_attachments[&TransitGatewayAttachmentId::new("tgw-attach-0a1b2c3d")];
    assert_eq!(a.vpc_id, VpcId::new("vpc-0a1b2c3d"));
    assert_eq!(a.transit_gateway_id, TransitGatewayId::new("tgw-0a1b2c3d"));
    assert_eq!(a.state, "available");
    // The VPC-attachment record (with subnets) wins over the generic one.
    let b = &n.transit_gateway_attachments[&TransitGatewayAttachmentId::new("tgw-attach-2a2b3c4d")];
    assert_eq!(b.subnet_ids.len(), 2);
    assert!(n.inventory.transit_gateway_attachments);
    assert!(has_diag(&l, Severity::Info, "not-modelled"));
}

#[test]
fn prefix_lists_in_both_shapes_merge() {
    let l = load(&[
        (
            "PrefixLists.json",
            json!({"PrefixLists": [
                {"PrefixListId": "pl-0a1b2c3d", "PrefixListName": "com.amazonaws.us-east-1.s3",
                 "Cidrs": ["192.0.2.0/24", "198.51.100.0/24"]}
            ]}),
        ),
        (
            "managed.json",
            json!({"PrefixLists": [
                {"PrefixListId": "pl-0a1b2c3d", "PrefixListName": "com.amazonaws.us-east-1.s3", "MaxEntries": 10,
                 "AddressFamily": "IPv4", "State": "create-complete"},
                {"PrefixListId": "pl-1a2b3c4d", "PrefixListName": "office", "MaxEntries": 5, "AddressFamily": "IPv6"},
                {"PrefixListId": "pl-2a2b3c4d", "PrefixListName": "branch", "MaxEntries": 5, "AddressFamily": "IPv4"}
            ]}),
        ),
        (
            "entries.json",
            json!({"PrefixListId": "pl-1a2b3c4d", "Entries": [{"Cidr": "2001:db8::/32", "Description": "office"}]}),
        ),
    ])
    .unwrap();
    let n = &l.network;
    let a = &n.prefix_lists[&PrefixListId::new("pl-0a1b2c3d")];
    assert_eq!(a.cidrs.len(), 2);
    assert_eq!(a.max_entries, Some(10));
    assert_eq!(a.name.as_deref(), Some("com.amazonaws.us-east-1.s3"));
    let b = &n.prefix_lists[&PrefixListId::new("pl-1a2b3c4d")];
    assert_eq!(
        b.cidrs,
        vec!["2001:db8::/32".parse::<ipnet::IpNet>().unwrap()]
    );
    assert_eq!(b.max_entries, Some(5));
    assert!(n.inventory.prefix_lists);
    // The list whose entries are nowhere in the input is flagged.
    let d: Vec<_> = l
        .diagnostics
        .iter()
        .filter(|d| d.code == "prefix-list-without-entries")
        .collect();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].resource.as_deref(), Some("pl-2a2b3c4d"));
    assert!(!l.diagnostics.iter().any(|d| d.code == "not-modelled"));
}

#[test]
fn prefix_list_entries_without_a_list_id_are_not_modelled() {
    let l = ok(json!({"Entries": [{"Cidr": "192.0.2.0/24"}]}));
    assert!(l.network.prefix_lists.is_empty());
    let d = l
        .diagnostics
        .iter()
        .find(|d| d.code == "not-modelled")
        .unwrap();
    assert_eq!(d.severity, Severity::Info);
    assert!(d.message.contains("PrefixListId"), "{}", d.message);
}

// ---- Files, pages, inventory -----------------------------------------------------------------

#[test]
fn pages_of_the_same_key_merge() {
    let l = load(&[
        (
            "page1.json",
            json!({"Subnets": [{"SubnetId": "subnet-0a1b2c3d", "VpcId": "vpc-0a1b2c3d", "CidrBlock": "10.0.1.0/24"}],
                   "NextToken": "eyJ2IjoxfQ=="}),
        ),
        (
            "page2.json",
            json!({"Subnets": [{"SubnetId": "subnet-1a2b3c4d", "VpcId": "vpc-0a1b2c3d", "CidrBlock": "10.0.2.0/24"}],
                   "ResponseMetadata": {"RequestId": "0a1b2c3d"}}),
        ),
    ])
    .unwrap();
    assert_eq!(l.network.subnets.len(), 2);
    assert!(
        l.diagnostics.is_empty(),
        "NextToken and ResponseMetadata are silent"
    );
}

#[test]
fn a_record_in_two_pages_keeps_the_first_with_a_warning() {
    let s = json!({"Subnets": [{"SubnetId": "subnet-0a1b2c3d", "VpcId": "vpc-0a1b2c3d", "CidrBlock": "10.0.1.0/24"}]});
    let mut second = s.clone();
    second["Subnets"][0]["CidrBlock"] = json!("10.0.9.0/24");
    let l = load(&[("a.json", s), ("b.json", second)]).unwrap();
    let sub = &l.network.subnets[&SubnetId::new("subnet-0a1b2c3d")];
    assert_eq!(sub.ipv4_cidr, Some(net4("10.0.1.0/24")));
    assert!(has_diag(&l, Severity::Warning, "duplicate-record"));
}

#[test]
fn one_file_may_hold_several_keys() {
    let l = ok(json!({
        "Vpcs": [{"VpcId": "vpc-0a1b2c3d", "CidrBlock": "10.0.0.0/16"}],
        "Subnets": [{"SubnetId": "subnet-0a1b2c3d", "VpcId": "vpc-0a1b2c3d", "CidrBlock": "10.0.1.0/24"}],
        "RouteTables": []
    }));
    assert_eq!(l.network.vpcs.len(), 1);
    assert_eq!(l.network.subnets.len(), 1);
    assert!(l.network.inventory.route_tables);
}

// §6.9: `PrefixLists` is the key of describe-prefix-lists (AWS service lists only) and of
// describe-managed-prefix-lists (every managed list, with MaxEntries/OwnerId/PrefixListArn):
// only the latter describes prefix lists completely.
#[test]
fn prefix_lists_are_complete_only_from_the_managed_api() {
    let service = ok(
        json!({"PrefixLists": [{"PrefixListId": "pl-63a5400a", "PrefixListName": "com.amazonaws.us-east-1.s3", "Cidrs": ["54.231.0.0/17"]}]}),
    );
    assert!(!service.network.inventory.prefix_lists);
    assert_eq!(service.network.prefix_lists.len(), 1);
    let managed = ok(
        json!({"PrefixLists": [{"PrefixListId": "pl-0a1b2c3d", "PrefixListName": "vpc-cidrs", "MaxEntries": 10, "OwnerId": "123456789012"}]}),
    );
    assert!(managed.network.inventory.prefix_lists);
    assert!(
        ok(json!({"ManagedPrefixLists": []}))
            .network
            .inventory
            .prefix_lists
    );
}

#[test]
fn inventory_flags_follow_the_keys_even_when_empty() {
    let l = ok(json!({
        "Vpcs": [], "Subnets": [], "RouteTables": [], "InternetGateways": [], "EgressOnlyInternetGateways": [],
        "NatGateways": [], "VpnGateways": [], "VpcPeeringConnections": [], "TransitGatewayAttachments": [],
        "VpcEndpoints": [], "ManagedPrefixLists": [], "NetworkInterfaces": [], "Reservations": [], "Addresses": []
    }));
    let all = Inventory {
        vpcs: true,
        subnets: true,
        route_tables: true,
        internet_gateways: true,
        egress_only_internet_gateways: true,
        nat_gateways: true,
        vpn_gateways: true,
        vpc_peering_connections: true,
        transit_gateway_attachments: true,
        vpc_endpoints: true,
        prefix_lists: true,
        network_interfaces: true,
        instances: true,
        addresses: true,
    };
    assert_eq!(l.network.inventory, all);
    let l = ok(json!({"Vpcs": []}));
    assert_eq!(
        l.network.inventory,
        Inventory {
            vpcs: true,
            ..Inventory::default()
        }
    );
    let l = ok(json!({"TransitGatewayVpcAttachments": [], "ManagedPrefixLists": []}));
    assert!(l.network.inventory.transit_gateway_attachments && l.network.inventory.prefix_lists);
}

#[test]
fn singular_create_outputs_are_one_record_lists() {
    let l = load(&[
        ("create-vpc.json", json!({"Vpc": {"VpcId": "vpc-0a1b2c3d", "CidrBlock": "10.0.0.0/16", "State": "pending"}})),
        ("create-subnet.json", json!({"Subnet": {"SubnetId": "subnet-0a1b2c3d", "VpcId": "vpc-0a1b2c3d", "CidrBlock": "10.0.1.0/24"}})),
        ("create-route-table.json", json!({"RouteTable": {"RouteTableId": "rtb-0a1b2c3d", "VpcId": "vpc-0a1b2c3d", "Associations": [],
            "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"}]}})),
        ("create-igw.json", json!({"InternetGateway": {"InternetGatewayId": "igw-0a1b2c3d", "Attachments": []}})),
        ("create-nat.json", json!({"NatGateway": {"NatGatewayId": "nat-0a1b2c3d", "SubnetId": "subnet-0a1b2c3d", "State": "pending",
            "CreateTime": "2021-12-01T22:26:00.000Z"}})),
        ("create-vgw.json", json!({"VpnGateway": {"VpnGatewayId": "vgw-0a1b2c3d", "AmazonSideAsn": 65001, "VpcAttachments": []}})),
        ("create-pcx.json", json!({"VpcPeeringConnection": {"VpcPeeringConnectionId": "pcx-0a1b2c3d",
            "Status": {"Code": "initiating-request"},
            "RequesterVpcInfo": {"VpcId": "vpc-0a1b2c3d", "CidrBlock": "10.0.0.0/16"},
            "AccepterVpcInfo": {"VpcId": "vpc-1a2b3c4d"}}})),
        ("create-eigw.json", json!({"EgressOnlyInternetGateway": {"EgressOnlyInternetGatewayId": "eigw-0a1b2c3d",
            "Attachments": [{"State": "attached", "VpcId": "vpc-0a1b2c3d"}]}})),
        ("create-tgw-attachment.json", json!({"TransitGatewayVpcAttachment": {"TransitGatewayAttachmentId": "tgw-attach-0a1b2c3d",
            "TransitGatewayId": "tgw-0a1b2c3d", "VpcId": "vpc-0a1b2c3d", "SubnetIds": ["subnet-0a1b2c3d"], "State": "pending"}})),
    ])
    .unwrap_or_else(|e| panic!("{e}"));
    let n = &l.network;
    assert_eq!(n.vpcs.len(), 1);
    assert_eq!(n.subnets.len(), 1);
    assert_eq!(n.route_tables.len(), 1);
    assert_eq!(n.internet_gateways.len(), 1);
    assert_eq!(
        n.nat_gateways[&NatGatewayId::new("nat-0a1b2c3d")].state,
        NatGatewayState::Pending
    );
    assert_eq!(
        n.vpn_gateways[&VpnGatewayId::new("vgw-0a1b2c3d")].amazon_side_asn,
        Some(65001)
    );
    assert_eq!(n.vpc_peering_connections.len(), 1);
    assert_eq!(n.egress_only_internet_gateways.len(), 1);
    assert_eq!(n.transit_gateway_attachments.len(), 1);
    // A create-* output shows one resource, not all of them: no kind counts as complete.
    assert_eq!(n.inventory, Inventory::default());
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
}

#[test]
fn keys_that_are_not_modelled_give_one_info_each() {
    let l = ok(json!({
        "SecurityGroups": [{"GroupId": "sg-0a1b2c3d"}, {"GroupId": "sg-1a2b3c4d"}, {"GroupId": "sg-2a2b3c4d"}],
        "NetworkAcls": [],
        "AssociationId": "rtbassoc-0a1b2c3d",
        "Vpcs": []
    }));
    let infos: Vec<_> = l
        .diagnostics
        .iter()
        .filter(|d| d.code == "not-modelled")
        .collect();
    assert_eq!(infos.len(), 3);
    assert!(infos.iter().all(|d| d.severity == Severity::Info));
    assert!(
        infos
            .iter()
            .all(|d| d.location.as_deref() == Some("fixture.json"))
    );
    let messages: Vec<&str> = infos.iter().map(|d| d.message.as_str()).collect();
    assert!(
        messages.contains(&"SecurityGroups (3 records) is not modelled yet"),
        "{messages:?}"
    );
    assert!(
        messages.contains(&"NetworkAcls (0 records) is not modelled yet"),
        "{messages:?}"
    );
    assert!(
        messages.contains(&"AssociationId is not modelled yet"),
        "{messages:?}"
    );
}

#[test]
fn both_timestamp_styles_are_accepted() {
    let l = ok(json!({
        "NatGateways": [
            {"NatGatewayId": "nat-0a1b2c3d", "SubnetId": "subnet-0a1b2c3d", "State": "available",
             "CreateTime": "2020-03-03 01:21:01+00:00"},
            {"NatGatewayId": "nat-1a2b3c4d", "SubnetId": "subnet-0a1b2c3d", "State": "available",
             "CreateTime": "2014-04-03T09:12:43.000Z"}
        ],
        "VpcPeeringConnections": [{"VpcPeeringConnectionId": "pcx-0a1b2c3d", "Status": {"Code": "pending-acceptance"},
            "ExpirationTime": "2014-04-03T09:12:43.000Z",
            "RequesterVpcInfo": {"VpcId": "vpc-0a1b2c3d"}, "AccepterVpcInfo": {"VpcId": "vpc-1a2b3c4d"}}]
    }));
    assert_eq!(l.network.nat_gateways.len(), 2);
    assert!(l.diagnostics.is_empty());
}

#[test]
fn import_is_deterministic() {
    let docs = [
        ("b.json", reservation()),
        (
            "a.json",
            route_table(
                "rtb-0a1b2c3d",
                json!([{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-0a1b2c3d"}]),
            ),
        ),
        ("c.json", json!({"SecurityGroups": [], "Tags": []})),
    ];
    let a = load(&docs).unwrap();
    let b = load(&docs).unwrap();
    assert_eq!(format!("{:?}", a.network), format!("{:?}", b.network));
    assert_eq!(a.diagnostics, b.diagnostics);
    let mut sorted = a.diagnostics.clone();
    sorted.sort();
    assert_eq!(a.diagnostics, sorted);
}

// ---- Errors ------------------------------------------------------------------------------------

#[test]
fn a_wrong_type_names_the_json_path() {
    let mut rt = route_table("rtb-00000000", json!([]));
    let tables = rt["RouteTables"].as_array_mut().unwrap();
    for i in 1..4 {
        let mut t = tables[0].clone();
        t["RouteTableId"] = json!(format!("rtb-0000000{i}"));
        t["Associations"] = json!([]);
        tables.push(t);
    }
    tables[3]["Routes"] = json!([
        {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"},
        {"DestinationCidrBlock": 42, "GatewayId": "igw-0a1b2c3d"}
    ]);
    let e = err(rt);
    assert_eq!(e.errors.len(), 1, "{e}");
    assert_eq!(
        e.errors[0].location,
        "fixture.json: RouteTables[3].Routes[1].DestinationCidrBlock"
    );
    assert_eq!(
        e.errors[0].message,
        "expected an IPv4 CIDR string such as \"10.0.0.0/16\", found 42"
    );
}

#[test]
fn every_error_in_a_file_is_reported() {
    let e = err(json!({
        "Subnets": {"SubnetId": "subnet-0a1b2c3d"},
        "Vpcs": [
            {"CidrBlock": "10.0.0.0/16"},
            {"VpcId": "vpc-0a1b2c3d", "CidrBlock": "10.0.0.0/33"},
            "vpc-1a2b3c4d"
        ],
        "InternetGateways": [{"InternetGatewayId": "igw-0a1b2c3d", "Attachments": [{"State": "available", "VpcId": 7}]}],
        "NetworkInterfaces": [{"NetworkInterfaceId": "eni-0a1b2c3d", "SubnetId": "subnet-0a1b2c3d",
                               "PrivateIpAddress": "10.0.1.300", "SourceDestCheck": "yes"}]
    }));
    let found: Vec<(String, String)> = e
        .errors
        .iter()
        .map(|e| (e.location.clone(), e.message.clone()))
        .collect();
    let expect = [
        (
            "fixture.json: Subnets",
            "expected a list of records, found an object",
        ),
        (
            "fixture.json: Vpcs[0].VpcId",
            "required field is missing (expected a non-empty string)",
        ),
        (
            "fixture.json: Vpcs[1].CidrBlock",
            "expected an IPv4 CIDR string such as \"10.0.0.0/16\", found \"10.0.0.0/33\"",
        ),
        (
            "fixture.json: Vpcs[2]",
            "expected an object, found \"vpc-1a2b3c4d\"",
        ),
        (
            "fixture.json: InternetGateways[0].Attachments[0].VpcId",
            "expected a string, found 7",
        ),
        (
            "fixture.json: NetworkInterfaces[0].PrivateIpAddress",
            "expected an IPv4 address such as \"10.0.0.5\", found \"10.0.1.300\"",
        ),
        (
            "fixture.json: NetworkInterfaces[0].SourceDestCheck",
            "expected true or false, found \"yes\"",
        ),
    ];
    for (loc, msg) in expect {
        assert!(
            found.iter().any(|(l, m)| l == loc && m == msg),
            "missing error {loc}: {msg}\nfound:\n{e}"
        );
    }
    assert_eq!(found.len(), expect.len(), "{e}");
}

#[test]
fn a_route_without_destination_is_an_error() {
    let e = err(route_table(
        "rtb-0a1b2c3d",
        json!([{"GatewayId": "igw-0a1b2c3d"}]),
    ));
    assert_eq!(
        e.errors[0].location,
        "fixture.json: RouteTables[0].Routes[0]"
    );
    assert!(e.errors[0].message.contains("DestinationCidrBlock"));
    let e = err(route_table(
        "rtb-0a1b2c3d",
        json!([{"DestinationPrefixListId": "10.0.0.0/8", "GatewayId": "vpce-0a1b2c3d"}]),
    ));
    assert_eq!(
        e.errors[0].location,
        "fixture.json: RouteTables[0].Routes[0].DestinationPrefixListId"
    );
}

#[test]
fn a_top_level_array_or_scalar_is_an_error() {
    for v in [json!([{"VpcId": "vpc-0a1b2c3d"}]), json!(42), json!("Vpcs")] {
        let e = err(v);
        assert_eq!(e.errors.len(), 1);
        assert_eq!(e.errors[0].location, "fixture.json");
        assert!(
            e.errors[0].message.starts_with("expected a JSON object"),
            "{}",
            e.errors[0].message
        );
    }
}

#[test]
fn errors_from_two_files_are_both_reported() {
    let e = load(&[
        ("one.json", json!({"Vpcs": [{"VpcId": 1}]})),
        (
            "two.json",
            json!({"Subnets": [{"SubnetId": "subnet-0a1b2c3d"}]}),
        ),
    ])
    .unwrap_err();
    let locs: Vec<&str> = e.errors.iter().map(|e| e.location.as_str()).collect();
    assert_eq!(
        locs,
        vec!["one.json: Vpcs[0].VpcId", "two.json: Subnets[0].VpcId"]
    );
}

#[test]
fn broken_json_names_file_line_and_column() {
    let dir = temp_dir("broken_json");
    let f = write(
        &dir,
        "Vpcs.json",
        "{\n  \"Vpcs\": [\n    {\"VpcId\": vpc-0a1b2c3d}\n  ]\n}\n",
    );
    let e = load_file(&f).unwrap_err();
    assert_eq!(e.errors.len(), 1);
    assert_eq!(e.errors[0].location, format!("{}:3:15", f.display()));
    assert!(
        e.errors[0].message.starts_with("not valid JSON: "),
        "{}",
        e.errors[0].message
    );
}

// ---- Directories ------------------------------------------------------------------------------

#[test]
fn directories_are_walked_with_region_and_account_from_the_path() {
    let dir = temp_dir("batfish_layout");
    let cfg = dir.join("aws_configs");
    write(
        &cfg,
        "accounts/123456789012/eu-west-1/Vpcs.json",
        r#"{"Vpcs": [{"VpcId": "vpc-0a1b2c3d", "CidrBlock": "10.0.0.0/16"}]}"#,
    );
    write(
        &cfg,
        "accounts/123456789012/eu-west-1/sub/Subnets.json",
        r#"{"Subnets": [{"SubnetId": "subnet-0a1b2c3d", "VpcId": "vpc-0a1b2c3d", "CidrBlock": "10.0.1.0/24", "OwnerId": "210987654321"}]}"#,
    );
    write(
        &cfg,
        "us-east-1/whatever.json",
        r#"{"Vpcs": [{"VpcId": "vpc-1a2b3c4d", "CidrBlock": "10.1.0.0/16", "OwnerId": "210987654321"}]}"#,
    );
    write(
        &cfg,
        "top.json",
        r#"{"RouteTables": [{"RouteTableId": "rtb-0a1b2c3d", "VpcId": "vpc-0a1b2c3d"}]}"#,
    );
    write(&cfg, "notes.txt", "not json, ignored");
    write(&cfg, ".hidden/Vpcs.json", "not even json, ignored");
    let l = load_dir(&cfg).unwrap_or_else(|e| panic!("{e}"));
    let n = &l.network;
    let v = &n.vpcs[&VpcId::new("vpc-0a1b2c3d")];
    assert_eq!(v.region.as_deref(), Some("eu-west-1"));
    assert_eq!(v.owner_id, Some(AccountId::new("123456789012")));
    let s = &n.subnets[&SubnetId::new("subnet-0a1b2c3d")];
    assert_eq!(s.region.as_deref(), Some("eu-west-1"));
    assert_eq!(
        s.owner_id,
        Some(AccountId::new("210987654321")),
        "OwnerId wins over the path"
    );
    let v = &n.vpcs[&VpcId::new("vpc-1a2b3c4d")];
    assert_eq!(v.region.as_deref(), Some("us-east-1"));
    assert_eq!(
        n.route_tables[&RouteTableId::new("rtb-0a1b2c3d")].owner_id,
        None
    );
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
}

#[test]
fn a_directory_reports_every_broken_file() {
    let dir = temp_dir("two_broken");
    write(&dir, "a/RouteTables.json", "{\"RouteTables\": [}");
    write(
        &dir,
        "b/Vpcs.json",
        r#"{"Vpcs": [{"VpcId": "vpc-0a1b2c3d", "CidrBlock": 10}]}"#,
    );
    write(&dir, "c/Subnets.json", r#"{"Subnets": []}"#);
    let e = load_dir(&dir).unwrap_err();
    assert_eq!(e.errors.len(), 2, "{e}");
    assert!(
        e.errors[0]
            .location
            .starts_with(&format!("{}:1:", dir.join("a/RouteTables.json").display()))
    );
    assert_eq!(
        e.errors[1].location,
        format!("{}: Vpcs[0].CidrBlock", dir.join("b/Vpcs.json").display())
    );
}

#[test]
fn a_directory_without_json_is_an_error() {
    let dir = temp_dir("no_json");
    write(&dir, "README.md", "nothing here");
    let e = load_dir(&dir).unwrap_err();
    assert!(e.errors[0].message.contains("no .json files"));
}

#[test]
fn utf8_and_utf16_byte_order_marks_are_accepted() {
    let dir = temp_dir("bom");
    let text = r#"{"Vpcs": [{"VpcId": "vpc-0a1b2c3d", "CidrBlock": "10.0.0.0/16"}]}"#;
    let mut utf8 = b"\xEF\xBB\xBF".to_vec();
    utf8.extend_from_slice(text.as_bytes());
    std::fs::write(dir.join("utf8.json"), utf8).unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    std::fs::write(dir.join("utf16.json"), utf16).unwrap();
    for f in ["utf8.json", "utf16.json"] {
        let l = load_file(&dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(l.network.vpcs.len(), 1, "{f}");
    }
}

/// A subnet whose CIDR lies in none of its VPC's blocks cannot exist in EC2 (§1.1): the import
/// says so (a warning naming the subnet and the blocks); subnets inside a block, IPv6 included,
/// say nothing.
#[test]
fn a_subnet_outside_its_vpcs_blocks_is_a_warning() {
    let mut loaded = ok(json!({
        "Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16",
                  "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2001:db8::/56", "Ipv6CidrBlockState": {"State": "associated"}}]}],
        "Subnets": [
            {"SubnetId": "subnet-in", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24",
             "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2001:db8::/64", "Ipv6CidrBlockState": {"State": "associated"}}]},
            {"SubnetId": "subnet-out", "VpcId": "vpc-1", "CidrBlock": "10.9.1.0/24"},
            {"SubnetId": "subnet-v6-out", "VpcId": "vpc-1", "CidrBlock": "10.0.2.0/24",
             "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2001:db8:1::/64", "Ipv6CidrBlockState": {"State": "associated"}}]}
        ]
    }));
    vpcsim::snapshot::finish(&mut loaded);
    let flagged: Vec<String> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.code == "subnet-outside-vpc")
        .map(|d| d.to_string())
        .collect();
    assert_eq!(flagged.len(), 2, "{flagged:?}");
    assert!(
        flagged.iter().any(|d| d.contains("subnet-out")
            && d.contains("10.9.1.0/24")
            && d.contains("10.0.0.0/16")),
        "{flagged:?}"
    );
    assert!(
        flagged
            .iter()
            .any(|d| d.contains("subnet-v6-out") && d.contains("2001:db8:1::/64")),
        "{flagged:?}"
    );
    assert!(
        !flagged.iter().any(|d| d.contains("subnet-in ")),
        "{flagged:?}"
    );
}
