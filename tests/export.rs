//! State export (`vpcsim::snapshot::export`): exporting a network, importing the files and
//! exporting again gives byte-identical files (export∘import is a fixed point after one round),
//! the re-imported network has the same inventory and the same reach as the original, and route
//! states are the derived ones.
//!
//! Round trips run on every bundled scenario, on the six Batfish snapshots (through
//! `VPCSIM_REAL_DATA`; without it that test prints `skipped: VPCSIM_REAL_DATA not set`), on
//! random topologies (proptest) and on hand-built edge cases (undescribed kinds, public IP
//! mappings out of order, regions).

#[path = "support/real_data.rs"]
mod real_data;

use proptest::prelude::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use vpcsim::model::*;
use vpcsim::reach::Engine;
use vpcsim::snapshot::export::{export, write_dir};
use vpcsim::snapshot::{self, json, topology};

/// A fresh, empty directory under Cargo's temporary directory for integration tests. Its path
/// has no component that looks like a region or `accounts`, so the importer infers nothing from it.
fn fresh_dir(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("export")
        .join(format!("{name}.{}.{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn load(path: &Path) -> Network {
    match snapshot::load(path) {
        Ok(l) => l.network,
        Err(e) => panic!("{} did not import:\n{e}", path.display()),
    }
}

/// Exports `net`, writes it, re-imports it and exports again; checks that the two exports are
/// identical, that the inventory and the reach survived, and returns the first export with the
/// re-imported network.
fn round_trip(name: &str, net: &Network) -> Result<(Vec<(String, String)>, Network), String> {
    let first = export(net);
    let dir = fresh_dir(name);
    let paths = write_dir(net, &dir).map_err(|e| format!("write_dir: {e}"))?;
    let expected: Vec<PathBuf> = first.iter().map(|(n, _)| dir.join(n)).collect();
    if paths != expected {
        return Err(format!("write_dir wrote {paths:?}, expected {expected:?}"));
    }
    let back = snapshot::load(&dir)
        .map_err(|e| format!("the export does not import:\n{e}"))?
        .network;
    let second = export(&back);
    let names = |f: &[(String, String)]| f.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    if names(&first) != names(&second) {
        return Err(format!(
            "file lists differ:\n{:?}\n{:?}",
            names(&first),
            names(&second)
        ));
    }
    for ((name, a), (_, b)) in first.iter().zip(&second) {
        if a != b {
            return Err(format!(
                "{name} differs after a round trip:\n--- first\n{a}\n--- second\n{b}"
            ));
        }
    }
    if back.inventory != net.inventory {
        return Err(format!(
            "inventory differs: {:?} vs {:?}",
            net.inventory, back.inventory
        ));
    }
    let before = Engine::new(net).reach_all(net);
    let after = Engine::new(&back).reach_all(&back);
    if before != after {
        let diff = before
            .iter()
            .zip(&after)
            .find(|(a, b)| a != b)
            .map(|(a, b)| first_difference(&format!("{a:#?}"), &format!("{b:#?}")))
            .unwrap_or_else(|| format!("{} vs {} subnets", before.len(), after.len()));
        return Err(format!("reach differs after a round trip:\n{diff}"));
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok((first, back))
}

/// The lines around the first line where `a` and `b` differ.
fn first_difference(a: &str, b: &str) -> String {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let i = la.iter().zip(&lb).take_while(|(x, y)| x == y).count();
    let from = i.saturating_sub(30);
    format!(
        "--- before\n{}\n--- after\n{}",
        la[from..(i + 10).min(la.len())].join("\n"),
        lb[from..(i + 10).min(lb.len())].join("\n")
    )
}

fn check(name: &str, net: &Network) -> (Vec<(String, String)>, Network) {
    round_trip(name, net).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn file<'a>(files: &'a [(String, String)], name: &str) -> Value {
    let text: &'a str = files
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, t)| t.as_str())
        .unwrap_or_else(|| {
            panic!(
                "no {name} in {:?}",
                files.iter().map(|f| &f.0).collect::<Vec<_>>()
            )
        });
    serde_json::from_str(text).unwrap()
}

const ALL_FILES: [&str; 14] = [
    "describe-vpcs.json",
    "describe-subnets.json",
    "describe-route-tables.json",
    "describe-internet-gateways.json",
    "describe-egress-only-internet-gateways.json",
    "describe-nat-gateways.json",
    "describe-vpn-gateways.json",
    "describe-vpc-peering-connections.json",
    "describe-transit-gateway-vpc-attachments.json",
    "describe-vpc-endpoints.json",
    "describe-managed-prefix-lists.json",
    "describe-network-interfaces.json",
    "describe-instances.json",
    "describe-addresses.json",
];

// ---------------------------------------------------------------------------------------------
// Bundled scenarios and real snapshots

#[test]
fn every_scenario_round_trips() {
    let mut scenarios: Vec<PathBuf> = std::fs::read_dir("scenarios")
        .unwrap()
        .map(|e| e.unwrap().path().join("topology.toml"))
        .filter(|p| p.exists())
        .collect();
    scenarios.sort();
    assert!(scenarios.len() >= 6, "{scenarios:?}");
    for path in scenarios {
        let name = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy();
        let net = load(&path);
        let (files, back) = check(&format!("scenario-{name}"), &net);
        // A topology describes every kind, so every file is there, each ending in a newline.
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ALL_FILES, "{name}");
        assert!(files.iter().all(|(_, t)| t.ends_with("}\n")), "{name}");
        // Regions survive as the vpcsim:region tag.
        for (id, s) in &net.subnets {
            assert_eq!(back.subnets[id].region, s.region, "{name} {id}");
        }
    }
}

#[test]
fn batfish_snapshots_round_trip() {
    let Some(data) = real_data::real_data() else {
        return;
    };
    let root = data.join("snapshots/batfish");
    for test in [
        "test-nat-gateway",
        "test-public-private-subnet",
        "test-public-subnet",
        "test-subnet",
        "test-vpc-endpoint-gateway",
        "test-vpn-gateway",
    ] {
        let net = load(&root.join(test).join("aws_configs"));
        let (files, back) = check(&format!("batfish-{test}"), &net);
        assert!(files.iter().any(|(n, _)| n == "describe-route-tables.json"));
        // The region of `aws_configs/us-east-1/` is not in any path of the export.
        for (id, v) in &net.vpcs {
            assert_eq!(back.vpcs[id].region, v.region, "{test} {id}");
            assert_eq!(back.vpcs[id].owner_id, v.owner_id, "{test} {id}");
        }
        if test == "test-vpc-endpoint-gateway" {
            assert!(
                back.vpcs
                    .values()
                    .all(|v| v.region.as_deref() == Some("us-east-1"))
            );
            // Prefix lists keep their entries.
            assert_eq!(back.prefix_lists.len(), net.prefix_lists.len());
            for (id, p) in &net.prefix_lists {
                assert_eq!(back.prefix_lists[id].cidrs, p.cidrs, "{id}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Derived route state

#[test]
fn routes_to_a_deleted_nat_and_a_detached_igw_export_as_blackhole() {
    let net = load(Path::new(
        "scenarios/blackhole-deleted-nat-detached-igw/topology.toml",
    ));
    let (files, _) = check("blackhole", &net);
    let tables = file(&files, "describe-route-tables.json");
    let routes: Vec<&Value> = tables["RouteTables"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["Routes"].as_array().unwrap())
        .collect();
    let state_of = |field: &str, id: &str| -> Vec<&str> {
        routes
            .iter()
            .filter(|r| r[field] == id)
            .map(|r| r["State"].as_str().unwrap())
            .collect()
    };
    assert_eq!(state_of("NatGatewayId", "nat-0c000001"), ["blackhole"]);
    assert_eq!(state_of("GatewayId", "igw-0c000001"), ["blackhole"]);
    assert!(
        state_of("GatewayId", "local")
            .iter()
            .all(|s| *s == "active")
    );
    // Exactly one target field per route.
    const TARGETS: [&str; 11] = [
        "GatewayId",
        "NatGatewayId",
        "TransitGatewayId",
        "VpcPeeringConnectionId",
        "EgressOnlyInternetGatewayId",
        "NetworkInterfaceId",
        "InstanceId",
        "CarrierGatewayId",
        "LocalGatewayId",
        "CoreNetworkArn",
        "OdbNetworkArn",
    ];
    for r in &routes {
        let n = TARGETS.iter().filter(|t| r.get(**t).is_some()).count();
        assert_eq!(n, 1, "{r}");
    }
}

#[test]
fn the_exported_state_is_derived_not_reported() {
    // The snapshot says "active" for a route to a NAT gateway that describe-nat-gateways does not
    // list (deleted); vpcsim derives blackhole and exports that.
    let doc = serde_json::json!({
        "Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}],
        "Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24"}],
        "NatGateways": [],
        "RouteTables": [{
            "RouteTableId": "rtb-1", "VpcId": "vpc-1",
            "Associations": [{"Main": true, "RouteTableAssociationId": "rtbassoc-1", "RouteTableId": "rtb-1"}],
            "Routes": [
                {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"},
                {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-gone", "Origin": "CreateRoute", "State": "active"},
                {"DestinationCidrBlock": "8.8.8.0/24", "TransitGatewayId": "tgw-1", "Origin": "CreateRoute", "State": "blackhole"}
            ]
        }]
    });
    let mut l = json::load_values(&[("in.json".into(), doc, None, None)]).unwrap();
    snapshot::finish(&mut l);
    let (files, back) = check("derived", &l.network);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    // Only the described kinds have a file (describe-nat-gateways even though it is empty).
    assert_eq!(
        names,
        [
            "describe-vpcs.json",
            "describe-subnets.json",
            "describe-route-tables.json",
            "describe-nat-gateways.json"
        ]
    );
    assert_eq!(
        file(&files, "describe-nat-gateways.json"),
        serde_json::json!({"NatGateways": []})
    );
    let routes = &file(&files, "describe-route-tables.json")["RouteTables"][0]["Routes"];
    let state = |dest: &str| {
        routes
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["DestinationCidrBlock"] == dest)
            .map(|r| r["State"].clone())
            .unwrap()
    };
    assert_eq!(state("0.0.0.0/0"), "blackhole");
    // Transit gateway attachments were not described: the snapshot's blackhole is kept.
    assert_eq!(state("8.8.8.0/24"), "blackhole");
    assert_eq!(back.inventory, l.network.inventory);
    assert!(!back.inventory.transit_gateway_attachments);
}

// ---------------------------------------------------------------------------------------------
// Shapes and edge cases

#[test]
fn resources_of_undescribed_kinds_are_written_one_per_file() {
    // describe-vpcs, plus the outputs of two create-* calls: those kinds are not described.
    let vpcs = serde_json::json!({
        "Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}],
        "NatGateway": {"NatGatewayId": "nat-1", "SubnetId": "subnet-1", "VpcId": "vpc-1", "State": "available",
                       "NatGatewayAddresses": [{"PrivateIp": "10.0.1.10", "PublicIp": "198.51.100.1"}]}
    });
    let endpoint = serde_json::json!({
        "VpcEndpoint": {"VpcEndpointId": "vpce-1", "VpcEndpointType": "Gateway", "VpcId": "vpc-1",
                        "State": "available", "RouteTableIds": [], "SubnetIds": []},
        "PrefixList": {"PrefixListId": "pl-1", "PrefixListName": "x", "Cidrs": ["52.0.0.0/8"]}
    });
    let mut l = json::load_values(&[
        ("a.json".into(), vpcs, None, None),
        ("b.json".into(), endpoint, None, None),
    ])
    .unwrap();
    snapshot::finish(&mut l);
    let net = &l.network;
    assert!(net.inventory.vpcs && !net.inventory.nat_gateways && !net.inventory.vpc_endpoints);
    let (files, back) = check("undescribed", net);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "describe-vpcs.json",
            "create-nat-gateway.nat-1.json",
            "create-vpc-endpoint.vpce-1.json",
            "create-managed-prefix-list.pl-1.json"
        ]
    );
    assert!(file(&files, "create-nat-gateway.nat-1.json")["NatGateway"].is_object());
    assert_eq!(back.nat_gateways.len(), 1);
    assert_eq!(back.vpc_endpoints.len(), 1);
    assert_eq!(back.prefix_lists[&PrefixListId::new("pl-1")].cidrs.len(), 1);
    assert!(!back.inventory.nat_gateways && !back.inventory.vpc_endpoints);
}

#[test]
fn an_empty_network_exports_nothing() {
    assert!(export(&Network::default()).is_empty());
}

/// A network built in code: an interface whose public mappings are not in the order of its
/// private addresses, one whose mapping names an address it does not list, an instance whose
/// interfaces are listed out of ID order, and VPC CIDR association IDs.
fn hand_built() -> Network {
    let mut net = Network::default();
    net.inventory = Inventory {
        vpcs: true,
        subnets: true,
        route_tables: true,
        internet_gateways: true,
        network_interfaces: true,
        instances: true,
        addresses: true,
        ..Inventory::default()
    };
    let vpc = VpcId::new("vpc-1");
    net.vpcs.insert(
        vpc.clone(),
        Vpc {
            id: Some(vpc.clone()),
            ipv4_cidrs: vec![
                "10.0.0.0/16".parse().unwrap(),
                "10.1.0.0/16".parse().unwrap(),
            ],
            ipv6_cidrs: vec!["2001:db8::/56".parse().unwrap()],
            cidr_associations: [
                (
                    "vpc-cidr-assoc-1".to_string(),
                    "10.0.0.0/16".parse().unwrap(),
                ),
                (
                    "vpc-cidr-assoc-2".to_string(),
                    "10.1.0.0/16".parse().unwrap(),
                ),
                (
                    "vpc-cidr-assoc-3".to_string(),
                    "2001:db8::/56".parse().unwrap(),
                ),
            ]
            .into_iter()
            .collect(),
            is_default: true,
            owner_id: Some(AccountId::new("123456789012")),
            region: Some("ap-south-1".into()),
            name: Some("hand".into()),
        },
    );
    let subnet = SubnetId::new("subnet-1");
    net.subnets.insert(
        subnet.clone(),
        Subnet {
            id: subnet.clone(),
            vpc_id: vpc.clone(),
            ipv4_cidr: Some("10.0.1.0/24".parse().unwrap()),
            ipv6_cidrs: vec!["2001:db8:0:1::/64".parse().unwrap()],
            availability_zone: Some("ap-south-1a".into()),
            map_public_ip_on_launch: true,
            assign_ipv6_address_on_creation: false,
            owner_id: None,
            region: Some("ap-south-1".into()),
            name: None,
        },
    );
    let igw = InternetGatewayId::new("igw-1");
    net.internet_gateways.insert(
        igw.clone(),
        InternetGateway {
            id: igw.clone(),
            attached_vpc: Some(vpc.clone()),
            owner_id: None,
        },
    );
    let mut table = RouteTable::new(RouteTableId::new("rtb-1"), vpc.clone());
    for (d, t) in [
        ("10.0.0.0/16", "local"),
        ("10.1.0.0/16", "local"),
        ("2001:db8::/56", "local"),
        ("0.0.0.0/0", "igw-1"),
    ] {
        let origin = if t == "local" {
            RouteOrigin::CreateRouteTable
        } else {
            RouteOrigin::CreateRoute
        };
        table.put_route(Route::new(
            Destination::parse(d).unwrap(),
            Target::from_id(t),
            origin,
        ));
    }
    table.associations.push(Association {
        id: RouteTableAssociationId::new("rtbassoc-1"),
        target: AssociationTarget::Main,
    });
    net.route_tables.insert(table.id.clone(), table);
    let ip = |s: &str| s.parse::<Ipv4Addr>().unwrap();
    let instance = InstanceId::new("i-1");
    for (id, private, public) in [
        // Mappings in the reverse order of the private addresses.
        (
            "eni-b",
            vec![ip("10.0.1.5"), ip("10.0.1.6")],
            vec![
                (ip("10.0.1.6"), ip("198.51.100.6")),
                (ip("10.0.1.5"), ip("198.51.100.5")),
            ],
        ),
        // A mapping for an address the interface does not list.
        (
            "eni-a",
            vec![ip("10.0.1.7")],
            vec![(ip("10.0.1.8"), ip("198.51.100.8"))],
        ),
    ] {
        net.network_interfaces.insert(
            NetworkInterfaceId::new(id),
            NetworkInterface {
                id: NetworkInterfaceId::new(id),
                subnet_id: subnet.clone(),
                vpc_id: Some(vpc.clone()),
                private_ips: private,
                public_ips: public,
                ipv6_addresses: vec![],
                source_dest_check: true,
                instance_id: Some(instance.clone()),
                interface_type: None,
            },
        );
    }
    net.instances.insert(
        instance.clone(),
        Instance {
            id: instance.clone(),
            state: "running".into(),
            subnet_id: Some(subnet.clone()),
            // eni-b is the primary interface although eni-a sorts first.
            network_interfaces: vec![
                NetworkInterfaceId::new("eni-b"),
                NetworkInterfaceId::new("eni-a"),
            ],
        },
    );
    net.addresses.push(Address {
        allocation_id: Some(AllocationId::new("eipalloc-1")),
        public_ip: ip("198.51.100.6"),
        network_interface_id: Some(NetworkInterfaceId::new("eni-b")),
        instance_id: Some(instance),
        private_ip: Some(ip("10.0.1.6")),
        association_id: Some("eipassoc-1".into()),
    });
    net.reindex();
    net
}

#[test]
fn a_hand_built_network_round_trips() {
    let net = hand_built();
    let (files, back) = check("hand-built", &net);
    // Everything the model holds came back, except that eni-a now lists the address its
    // mapping names.
    let v = &back.vpcs[&VpcId::new("vpc-1")];
    let orig = &net.vpcs[&VpcId::new("vpc-1")];
    assert_eq!(v.ipv4_cidrs, orig.ipv4_cidrs);
    assert_eq!(v.ipv6_cidrs, orig.ipv6_cidrs);
    assert_eq!(v.cidr_associations, orig.cidr_associations);
    assert_eq!(
        (v.is_default, &v.owner_id, &v.region, &v.name),
        (true, &orig.owner_id, &orig.region, &orig.name)
    );
    let b = &back.network_interfaces[&NetworkInterfaceId::new("eni-b")];
    let ob = &net.network_interfaces[&NetworkInterfaceId::new("eni-b")];
    assert_eq!(
        (&b.private_ips, &b.public_ips),
        (&ob.private_ips, &ob.public_ips)
    );
    let a = &back.network_interfaces[&NetworkInterfaceId::new("eni-a")];
    assert_eq!(
        a.private_ips,
        [Ipv4Addr::new(10, 0, 1, 7), Ipv4Addr::new(10, 0, 1, 8)]
    );
    assert_eq!(a.public_ips, net.network_interfaces[&a.id].public_ips);
    assert_eq!(
        back.instances[&InstanceId::new("i-1")].network_interfaces,
        net.instances[&InstanceId::new("i-1")].network_interfaces
    );
    assert_eq!(back.addresses.len(), 1);
    assert_eq!(
        back.addresses[0].association_id.as_deref(),
        Some("eipassoc-1")
    );
    // The CLI's shapes: Reservations[].Instances[], the main association without a subnet.
    let inst = &file(&files, "describe-instances.json")["Reservations"][0]["Instances"][0];
    assert_eq!(inst["InstanceId"], "i-1");
    assert_eq!(
        inst["State"],
        serde_json::json!({"Code": 16, "Name": "running"})
    );
    assert_eq!(inst["NetworkInterfaces"][0]["NetworkInterfaceId"], "eni-b");
    let assoc = &file(&files, "describe-route-tables.json")["RouteTables"][0]["Associations"][0];
    assert_eq!(
        *assoc,
        serde_json::json!({"Main": true, "RouteTableAssociationId": "rtbassoc-1", "RouteTableId": "rtb-1",
                           "AssociationState": {"State": "associated"}})
    );
    let vpc = &file(&files, "describe-vpcs.json")["Vpcs"][0];
    assert_eq!(vpc["CidrBlock"], "10.0.0.0/16");
    assert_eq!(
        vpc["CidrBlockAssociationSet"][1],
        serde_json::json!({"AssociationId": "vpc-cidr-assoc-2", "CidrBlock": "10.1.0.0/16",
                           "CidrBlockState": {"State": "associated"}})
    );
    assert_eq!(
        vpc["Tags"],
        serde_json::json!([{"Key": "Name", "Value": "hand"}, {"Key": "vpcsim:region", "Value": "ap-south-1"}])
    );
}

#[test]
fn the_region_tag_wins_over_the_path() {
    // An exported file moved under another region's directory keeps its tagged region.
    let net = hand_built();
    let dir = fresh_dir("region").join("eu-west-3");
    write_dir(&net, &dir).unwrap();
    let back = load(dir.parent().unwrap());
    assert_eq!(
        back.vpcs[&VpcId::new("vpc-1")].region.as_deref(),
        Some("ap-south-1")
    );
}

// ---------------------------------------------------------------------------------------------
// Random topologies

/// A route table: VPC, main, subnets (bit mask), routes (destination, target), named.
type TableCase = (u8, bool, u8, Vec<(u8, u8)>, bool);

#[derive(Clone, Debug)]
struct Case {
    /// Per VPC: has IPv6, number of subnets (1..=3), region, named.
    vpcs: Vec<(bool, u8, u8, bool)>,
    /// Per internet gateway: the VPC it is attached to (past the last VPC: detached).
    igws: Vec<u8>,
    /// Per NAT gateway: subnet, state, private, has an Elastic IP.
    nats: Vec<(u8, u8, bool, bool)>,
    /// Per peering connection: requester, accepter (the same VPC: another account's), status.
    pcxs: Vec<(u8, u8, u8)>,
    /// Per interface: subnet, instance state (0: none), source/dest check, public IP.
    enis: Vec<(u8, u8, bool, bool)>,
    /// Per stand-alone instance: subnet, state, public IP.
    instances: Vec<(u8, u8, bool)>,
    /// Per route table: VPC, main, subnets (bit mask), routes (destination, target), named.
    tables: Vec<TableCase>,
    /// A gateway endpoint on the first table: its state.
    endpoint: Option<u8>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec((any::<bool>(), 1u8..=3, 0u8..3, any::<bool>()), 1..=3),
        prop::collection::vec(0u8..4, 0..=2),
        prop::collection::vec((any::<u8>(), 0u8..5, any::<bool>(), any::<bool>()), 0..=2),
        prop::collection::vec((0u8..3, 0u8..3, 0u8..4), 0..=2),
        prop::collection::vec((any::<u8>(), 0u8..5, any::<bool>(), any::<bool>()), 0..=3),
        prop::collection::vec((any::<u8>(), 0u8..4, any::<bool>()), 0..=2),
        prop::collection::vec(
            (
                0u8..3,
                any::<bool>(),
                any::<u8>(),
                prop::collection::vec((any::<u8>(), any::<u8>()), 0..6),
                any::<bool>(),
            ),
            0..=4,
        ),
        prop::option::of(0u8..2),
    )
        .prop_map(
            |(vpcs, igws, nats, pcxs, enis, instances, tables, endpoint)| Case {
                vpcs,
                igws,
                nats,
                pcxs,
                enis,
                instances,
                tables,
                endpoint,
            },
        )
}

const INSTANCE_STATES: [&str; 4] = ["running", "stopped", "terminated", "pending"];

fn case_toml(c: &Case) -> String {
    let mut s = String::from("account = \"123456789012\"\n");
    let nv = c.vpcs.len();
    // (subnet ID, VPC index, third octet)
    let mut subnets: Vec<(String, usize, usize)> = Vec::new();
    for (v, (v6, n, region, named)) in c.vpcs.iter().enumerate() {
        let _ = write!(
            s,
            "\n[[vpc]]\nid = \"vpc-0a00000{v}\"\ncidrs = [\"10.{v}.0.0/16\"{}]\n",
            if *v6 {
                format!(", \"2001:db8:{v}00::/56\"")
            } else {
                String::new()
            }
        );
        match region {
            1 => s.push_str("region = \"us-east-1\"\n"),
            2 => s.push_str("region = \"eu-west-1\"\naccount = \"210987654321\"\n"),
            _ => {}
        }
        if *named {
            let _ = writeln!(s, "name = \"vpc {v}\"");
        }
        for k in 1..=*n as usize {
            let id = format!("subnet-0a0{v}000{k}");
            let _ = write!(
                s,
                "\n[[subnet]]\nid = \"{id}\"\nvpc = \"vpc-0a00000{v}\"\ncidr = \"10.{v}.{k}.0/24\"\n"
            );
            if *v6 {
                let _ = writeln!(s, "ipv6_cidrs = [\"2001:db8:{v}00:{k}::/64\"]");
            }
            if k == 2 {
                let _ = writeln!(s, "az = \"us-east-1b\"\nmap_public_ip_on_launch = true");
            }
            subnets.push((id, v, k));
        }
    }
    let sub = |i: u8| &subnets[i as usize % subnets.len()];

    let mut targets: Vec<String> = vec![
        "nat-0dead0001".into(),
        "igw-0dead0001".into(),
        "pcx-0dead0001".into(),
        "eni-0dead0001".into(),
    ];
    for (g, vpc) in c.igws.iter().enumerate() {
        let _ = write!(s, "\n[[internet_gateway]]\nid = \"igw-0a00000{g}\"\n");
        if (*vpc as usize) < nv {
            let _ = writeln!(s, "vpc = \"vpc-0a00000{vpc}\"");
        }
        targets.push(format!("igw-0a00000{g}"));
    }
    for (n, (si, state, private, eip)) in c.nats.iter().enumerate() {
        let (id, v, k) = sub(*si);
        let _ = write!(
            s,
            "\n[[nat_gateway]]\nid = \"nat-0a00000{n}\"\nsubnet = \"{id}\"\nstate = \"{}\"\nconnectivity = \"{}\"\nprivate_ip = \"10.{v}.{k}.{}\"\n",
            ["available", "deleted", "failed", "pending", "deleting"][*state as usize],
            if *private { "private" } else { "public" },
            10 + n
        );
        if *eip && !private {
            let _ = writeln!(s, "public_ip = \"198.51.100.{}\"", 200 + n);
        }
        targets.push(format!("nat-0a00000{n}"));
    }
    for (p, (a, b, status)) in c.pcxs.iter().enumerate() {
        let a = *a as usize % nv;
        let b = *b as usize % nv;
        let _ = write!(
            s,
            "\n[[vpc_peering_connection]]\nid = \"pcx-0a00000{p}\"\nrequester = \"vpc-0a00000{a}\"\nstatus = \"{}\"\n",
            ["active", "pending-acceptance", "deleted", "rejected"][*status as usize]
        );
        if a == b {
            let _ = writeln!(
                s,
                "accepter = \"vpc-0f00000{p}\"\naccepter_cidrs = [\"172.16.{p}.0/24\"]\naccepter_account = \"999999999999\""
            );
        } else {
            let _ = writeln!(s, "accepter = \"vpc-0a00000{b}\"");
        }
        targets.push(format!("pcx-0a00000{p}"));
    }
    for (e, (si, inst, sdc, public)) in c.enis.iter().enumerate() {
        let (id, v, k) = sub(*si);
        let _ = write!(
            s,
            "\n[[network_interface]]\nid = \"eni-0a00000{e}\"\nsubnet = \"{id}\"\nprivate_ips = [\"10.{v}.{k}.{}\"]\nsource_dest_check = {sdc}\n",
            20 + e
        );
        if *public {
            let _ = writeln!(s, "public_ip = \"198.51.100.{}\"", 20 + e);
        }
        if *inst > 0 {
            let _ = write!(
                s,
                "instance = \"i-0e00000{e}\"\n\n[[instance]]\nid = \"i-0e00000{e}\"\nsubnet = \"{id}\"\nstate = \"{}\"\n",
                INSTANCE_STATES[*inst as usize - 1]
            );
            targets.push(format!("i-0e00000{e}"));
        }
        targets.push(format!("eni-0a00000{e}"));
    }
    for (i, (si, state, public)) in c.instances.iter().enumerate() {
        let (id, v, k) = sub(*si);
        let _ = write!(
            s,
            "\n[[instance]]\nid = \"i-0b00000{i}\"\nsubnet = \"{id}\"\nstate = \"{}\"\nprivate_ip = \"10.{v}.{k}.{}\"\n",
            INSTANCE_STATES[*state as usize],
            100 + i
        );
        if *public {
            let _ = writeln!(s, "public_ip = \"198.51.100.{}\"", 100 + i);
        }
        targets.push(format!("i-0b00000{i}"));
    }
    s.push_str("\n[[prefix_list]]\nid = \"pl-0a000001\"\nname = \"com.amazonaws.us-east-1.s3\"\ncidrs = [\"52.216.0.0/15\", \"54.231.0.0/16\"]\n");

    let mut has_main = vec![false; nv];
    let mut assigned: BTreeSet<String> = BTreeSet::new();
    let mut first_table: Option<usize> = None;
    for (t, (v, main, mask, routes, named)) in c.tables.iter().enumerate() {
        let v = *v as usize % nv;
        first_table.get_or_insert(v);
        let _ = write!(
            s,
            "\n[[route_table]]\nid = \"rtb-0a00000{t}\"\nvpc = \"vpc-0a00000{v}\"\n"
        );
        if *main && !has_main[v] {
            has_main[v] = true;
            s.push_str("main = true\n");
        }
        if *named {
            let _ = writeln!(s, "name = \"table {t}\"");
        }
        let mine: Vec<&String> = subnets
            .iter()
            .filter(|(id, sv, k)| *sv == v && mask & (1 << k) != 0 && !assigned.contains(id))
            .map(|(id, _, _)| id)
            .collect();
        for id in &mine {
            assigned.insert((*id).clone());
        }
        let list: Vec<String> = mine.iter().map(|id| format!("\"{id}\"")).collect();
        let _ = writeln!(s, "subnets = [{}]", list.join(", "));
        let mut dests: Vec<String> = vec![
            "0.0.0.0/0".into(),
            "::/0".into(),
            "8.8.8.0/24".into(),
            "172.16.0.0/12".into(),
            "pl-0a000001".into(),
        ];
        dests.extend((0..nv).map(|w| format!("10.{w}.0.0/16")));
        dests.extend(subnets.iter().map(|(_, w, k)| format!("10.{w}.{k}.0/24")));
        let mut by_dest = std::collections::BTreeMap::new();
        for (d, tg) in routes {
            by_dest
                .entry(dests[*d as usize % dests.len()].clone())
                .or_insert_with(|| targets[*tg as usize % targets.len()].clone());
        }
        let list: Vec<String> = by_dest
            .iter()
            .map(|(d, tg)| format!("\"{d} -> {tg}\""))
            .collect();
        let _ = writeln!(s, "routes = [{}]", list.join(", "));
    }
    if let (Some(state), Some(v)) = (c.endpoint, first_table) {
        let _ = write!(
            s,
            "\n[[vpc_endpoint]]\nid = \"vpce-0a000001\"\nvpc = \"vpc-0a00000{v}\"\nservice = \"com.amazonaws.us-east-1.s3\"\nstate = \"{}\"\nroute_tables = [\"rtb-0a000000\"]\nprefix_list = \"pl-0a000001\"\n",
            ["available", "deleted"][state as usize]
        );
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn export_import_is_a_fixed_point(c in case()) {
        let text = case_toml(&c);
        let mut l = topology::load_str(&text, "case.toml")
            .unwrap_or_else(|e| panic!("the generated topology does not load:\n{e}\n{text}"));
        snapshot::finish(&mut l);
        if let Err(e) = round_trip("prop", &l.network) {
            prop_assert!(false, "{}\n--- topology\n{}", e, text);
        }
    }
}
