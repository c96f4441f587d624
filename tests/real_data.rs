//! Imports the real describe-* data kept beside the project (`../shared/data`, see its README):
//! the six Batfish snapshots, the AWS CLI documentation examples (valid and invalid) and the
//! moto-generated describe output. The files are read in place, never copied into the repository.
//!
//! Set `VPCSIM_REAL_DATA` to the data folder to run these tests; without it each test prints
//! `skipped: VPCSIM_REAL_DATA not set` and returns.

#[path = "support/real_data.rs"]
mod real_data;

use std::path::{Path, PathBuf};
use vpcsim::model::*;
use vpcsim::snapshot::json::{load_dir, load_file};
use vpcsim::snapshot::{ImportError, Loaded};

fn data_dir() -> Option<PathBuf> {
    real_data::real_data()
}

fn expect_ok(what: &Path, r: Result<Loaded, ImportError>) -> Loaded {
    match r {
        Ok(l) => l,
        Err(e) => panic!("{} did not import:\n{e}", what.display()),
    }
}

fn batfish(data: &Path, test: &str) -> Loaded {
    let dir = data
        .join("snapshots/batfish")
        .join(test)
        .join("aws_configs");
    expect_ok(&dir, load_dir(&dir))
}

#[test]
fn batfish_snapshots_import_with_their_resource_counts() {
    let Some(data) = data_dir() else { return };
    // (test, VPCs, subnets, route tables), counted in the files.
    let expected = [
        ("test-nat-gateway", 1, 3, 3),
        ("test-public-private-subnet", 1, 2, 2),
        ("test-public-subnet", 1, 1, 2),
        ("test-subnet", 1, 1, 1),
        ("test-vpc-endpoint-gateway", 1, 2, 3),
        ("test-vpn-gateway", 1, 1, 1),
    ];
    for (test, vpcs, subnets, tables) in expected {
        let l = batfish(&data, test);
        // The same directory through the front door (`load` = import + checks).
        let dir = data
            .join("snapshots/batfish")
            .join(test)
            .join("aws_configs");
        let front = expect_ok(&dir, vpcsim::snapshot::load(&dir));
        assert_eq!(front.network.route_tables.len(), tables, "{test}");
        let n = &l.network;
        assert_eq!(
            (n.vpcs.len(), n.subnets.len(), n.route_tables.len()),
            (vpcs, subnets, tables),
            "{test}"
        );
        assert!(
            n.inventory.vpcs && n.inventory.subnets && n.inventory.route_tables,
            "{test}"
        );
        // Every table of a snapshot has its local route.
        for t in n.route_tables.values() {
            assert!(
                t.routes.values().any(|r| r.target == Target::Local),
                "{test} {}",
                t.id
            );
        }
        // SecurityGroups and NetworkAcls are in every snapshot and are not modelled.
        for key in ["SecurityGroups", "NetworkAcls"] {
            assert!(
                l.diagnostics
                    .iter()
                    .any(|d| d.code == "not-modelled" && d.message.starts_with(key)),
                "{test}: no not-modelled diagnostic for {key}"
            );
        }
    }
}

#[test]
fn batfish_region_comes_from_the_directory() {
    let Some(data) = data_dir() else { return };
    let l = batfish(&data, "test-vpc-endpoint-gateway");
    let vpc = &l.network.vpcs[&VpcId::new("vpc-05d56c7295fca139b")];
    assert_eq!(vpc.region.as_deref(), Some("us-east-1"));
    assert!(
        l.network
            .subnets
            .values()
            .all(|s| s.region.as_deref() == Some("us-east-1"))
    );
    // Files directly under aws_configs/ have no region.
    let l = batfish(&data, "test-subnet");
    assert!(l.network.vpcs.values().all(|v| v.region.is_none()));
}

#[test]
fn batfish_public_private_subnet_main_table_propagates_the_vgw() {
    let Some(data) = data_dir() else { return };
    let l = batfish(&data, "test-public-private-subnet");
    let n = &l.network;
    let main = n
        .main_route_table(&VpcId::new("vpc-0b966fdeb36d5e43f"))
        .expect("main table");
    let table = &n.route_tables[main];
    let vgw = VpnGatewayId::new("vgw-070087240d6fa2989");
    assert!(table.propagating_vgws.contains(&vgw));
    let default = table
        .routes
        .values()
        .find(|r| r.destination == Destination::parse("0.0.0.0/0").unwrap())
        .expect("default route");
    assert_eq!(default.target, Target::VpnGateway(vgw.clone()));
    assert_eq!(
        n.vpn_gateways[&vgw].attached_vpc,
        Some(VpcId::new("vpc-0b966fdeb36d5e43f"))
    );
    // The public instance's interface maps 10.0.0.47 to 13.58.55.60 (EXPECTATIONS.md).
    let eni = n
        .instance_interface(&InstanceId::new("i-094a9e5b545a4fde4"))
        .expect("interface of the public instance");
    assert_eq!(
        eni.public_ip_for(&"10.0.0.47".parse().unwrap()),
        Some("13.58.55.60".parse().unwrap())
    );
}

#[test]
fn batfish_vpc_endpoint_gateway_has_the_s3_prefix_list_route() {
    let Some(data) = data_dir() else { return };
    let l = batfish(&data, "test-vpc-endpoint-gateway");
    let n = &l.network;
    let pl = PrefixListId::new("pl-63a5400a");
    assert_eq!(n.prefix_lists[&pl].cidrs.len(), 4);
    assert_eq!(
        n.prefix_lists[&pl].name.as_deref(),
        Some("com.amazonaws.us-east-1.s3")
    );
    let vpce = VpcEndpointId::new("vpce-0b7357542bb7b83ec");
    let routes: Vec<&Route> = n
        .route_tables
        .values()
        .flat_map(|t| t.routes.values())
        .filter(|r| r.destination == Destination::PrefixList(pl.clone()))
        .collect();
    assert_eq!(routes.len(), 2);
    assert!(
        routes
            .iter()
            .all(|r| r.target == Target::VpcEndpoint(vpce.clone()))
    );
    assert_eq!(
        n.vpc_endpoints[&vpce].endpoint_type,
        VpcEndpointType::Gateway
    );
    // Its PrefixLists file is describe-prefix-lists (AWS service lists only, no MaxEntries):
    // it does not describe every prefix list, so the inventory does not claim it (§6.9).
    assert!(!n.inventory.prefix_lists && n.inventory.transit_gateway_attachments);
}

#[test]
fn batfish_nat_gateway_snapshot_has_the_nat_and_its_interface() {
    let Some(data) = data_dir() else { return };
    let l = batfish(&data, "test-nat-gateway");
    let n = &l.network;
    let nat = &n.nat_gateways[&NatGatewayId::new("nat-07ab4846da51f4612")];
    assert_eq!(nat.state, NatGatewayState::Available);
    assert_eq!(nat.connectivity, ConnectivityType::Public);
    assert_eq!(
        nat.public_ips,
        vec!["3.135.127.225".parse::<std::net::Ipv4Addr>().unwrap()]
    );
    assert_eq!(n.instances.len(), 3);
    let eni = &n.network_interfaces[&NetworkInterfaceId::new("eni-017aaec115610308a")];
    assert!(!eni.source_dest_check);
    assert_eq!(eni.interface_type.as_deref(), Some("nat_gateway"));
}

fn cli_examples(data: &Path) -> Vec<PathBuf> {
    let dir = data.join("snapshots/aws-cli-examples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("aws-cli-examples directory")
        .map(|e| e.expect("directory entry").path())
        .collect();
    files.sort();
    files
}

#[test]
fn aws_cli_examples_import_one_by_one() {
    let Some(data) = data_dir() else { return };
    let mut count = 0;
    for f in cli_examples(&data) {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".json") || name == "_manifest.json" {
            continue;
        }
        expect_ok(&f, load_file(&f));
        count += 1;
    }
    assert!(count >= 30, "only {count} examples found");
}

#[test]
fn aws_cli_examples_map_their_singular_outputs() {
    let Some(data) = data_dir() else { return };
    let dir = data.join("snapshots/aws-cli-examples");
    // create-subnet.3: an IPv6-only subnet whose CIDR is still `associating`.
    let f = dir.join("create-subnet.3.json");
    let l = expect_ok(&f, load_file(&f));
    let s = l.network.subnets.values().next().expect("one subnet");
    assert!(s.ipv4_cidr.is_none() && s.ipv6_cidrs.is_empty());
    assert!(!l.network.inventory.subnets);
    // describe-route-tables.1: the blackhole NAT route.
    let f = dir.join("describe-route-tables.1.json");
    let l = expect_ok(&f, load_file(&f));
    let t = &l.network.route_tables[&RouteTableId::new("rtb-09ba434c1bEXAMPLE")];
    let nat = t
        .routes
        .values()
        .find(|r| matches!(r.target, Target::NatGateway(_)))
        .expect("NAT route");
    assert_eq!(nat.reported_state, Some(RouteState::Blackhole));
    // associate-route-table.1: a key the model does not use.
    let f = dir.join("associate-route-table.1.json");
    let l = expect_ok(&f, load_file(&f));
    assert!(l.diagnostics.iter().any(|d| d.code == "not-modelled"));
}

#[test]
fn aws_cli_invalid_examples_name_file_and_line() {
    let Some(data) = data_dir() else { return };
    let mut count = 0;
    for f in cli_examples(&data) {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".INVALID-JSON.txt") {
            continue;
        }
        count += 1;
        let err = load_file(&f).expect_err(&name);
        assert_eq!(err.errors.len(), 1, "{name}");
        let e = &err.errors[0];
        let prefix = format!("{}:", f.display());
        assert!(e.location.starts_with(&prefix), "{name}: {}", e.location);
        let line_col = &e.location[prefix.len()..];
        let mut parts = line_col.split(':');
        let line: usize = parts.next().unwrap().parse().expect("a line number");
        assert!(line >= 1, "{name}: {}", e.location);
        assert!(
            e.message.contains("not valid JSON"),
            "{name}: {}",
            e.message
        );
    }
    assert_eq!(count, 3);
}

#[test]
fn moto_generated_directories_import() {
    let Some(data) = data_dir() else { return };
    for sub in ["describe", "describe_after_mutations", "awscli"] {
        let dir = data.join("moto-generated").join(sub);
        let l = expect_ok(&dir, load_dir(&dir));
        let n = &l.network;
        assert_eq!(
            (n.vpcs.len(), n.subnets.len(), n.route_tables.len()),
            (3, 11, 8),
            "{sub}"
        );
        assert_eq!(n.vpn_gateways.len(), 1, "{sub}");
    }
    // After the mutations the NAT gateway is deleted and the peering connection too; both are kept.
    let dir = data.join("moto-generated/describe_after_mutations");
    let l = expect_ok(&dir, load_dir(&dir));
    let nat = l.network.nat_gateways.values().next().expect("NAT gateway");
    assert_eq!(nat.state, NatGatewayState::Deleted);
    let pcx = l
        .network
        .vpc_peering_connections
        .values()
        .next()
        .expect("peering");
    assert_eq!(pcx.status, "deleted");
    // moto's Addresses record says `"InstanceId": ""`, which means none.
    assert!(l.network.addresses.iter().all(|a| a.instance_id.is_none()));
}
