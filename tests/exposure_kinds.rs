//! One what-if scenario per exposure change kind and per misuse pattern of product.md, on
//! `scenarios/exposure-kinds/` (the example topology plus a forwarding appliance). Each plan's
//! last step must produce the expected kind and grade; its text is pinned as a reviewed snapshot
//! (`snapshots/exposure_kind@<name>.snap`), and its JSON is checked field by field.

use serde_json::Value;
use std::process::Command;

const TOPOLOGY: &str = "scenarios/exposure-kinds/topology.toml";

/// (name, plan: commands separated by " ; ", kind of the last step, its severity)
const CASES: &[(&str, &str, &str, &str)] = &[
    // Misuse pattern: a private subnet routed to the internet gateway (NAT route replaced).
    (
        "nat_route_replaced_by_igw",
        "replace-route --route-table-id rtb-0a000002 --destination-cidr-block 0.0.0.0/0 --gateway-id igw-0a000001",
        "INTERNET_EXPOSED",
        "high",
    ),
    // Misuse pattern: AssociateRouteTable moving a subnet onto the public table.
    (
        "subnet_moved_onto_public_table",
        "associate-route-table --route-table-id rtb-0a000001 --subnet-id subnet-0a000002",
        "INTERNET_EXPOSED",
        "high",
    ),
    // ReplaceRouteTableAssociation replacing the main association.
    (
        "main_association_replaced",
        "replace-route-table-association --association-id rtbassoc-main-rtb-0a000002 --route-table-id rtb-0a000001",
        "INTERNET_EXPOSED",
        "high",
    ),
    (
        "peer_range_sent_to_nat",
        "replace-route --route-table-id rtb-0a000002 --destination-cidr-block 172.20.0.0/16 --nat-gateway-id nat-0a000001",
        // The internet does not route 172.20.0.0/16: the peer's range now goes nowhere.
        "PEER_PATH_LOST",
        "low",
    ),
    (
        "nat_default_route_created",
        "delete-route --route-table-id rtb-0a000002 --destination-cidr-block 0.0.0.0/0 ; create-route --route-table-id rtb-0a000002 --destination-cidr-block 0.0.0.0/0 --nat-gateway-id nat-0a000001",
        "INTERNET_EGRESS_GAINED",
        "medium",
    ),
    (
        "default_route_deleted",
        "delete-route --route-table-id rtb-0a000002 --destination-cidr-block 0.0.0.0/0",
        "INTERNET_LOST",
        "low",
    ),
    (
        "igw_route_put_back_to_nat",
        "replace-route --route-table-id rtb-0a000002 --destination-cidr-block 0.0.0.0/0 --gateway-id igw-0a000001 ; replace-route --route-table-id rtb-0a000002 --destination-cidr-block 0.0.0.0/0 --nat-gateway-id nat-0a000001",
        "INTERNET_EXPOSURE_REMOVED",
        "info",
    ),
    (
        "vpn_route_added",
        "create-route --route-table-id rtb-0a000002 --destination-cidr-block 10.50.0.0/16 --gateway-id vgw-0a000001",
        "ON_PREMISES_PATH_GAINED",
        "medium",
    ),
    (
        "vpn_propagation_disabled",
        "disable-vgw-route-propagation --route-table-id rtb-0a000002 --gateway-id vgw-0a000001",
        "ON_PREMISES_PATH_LOST",
        "low",
    ),
    (
        "on_premises_range_captured_by_an_instance",
        "create-route --route-table-id rtb-0a000002 --destination-cidr-block 192.168.0.0/16 --instance-id i-0a000001",
        // Captured, even though this instance drops what is not addressed to it.
        "TRAFFIC_REDIRECTED",
        "high",
    ),
    // Peering to a VPC of another account (210987654321).
    (
        "route_to_peer_of_another_account",
        "delete-route --route-table-id rtb-0a000002 --destination-cidr-block 172.20.0.0/16 ; create-route --route-table-id rtb-0a000002 --destination-cidr-block 172.20.0.0/16 --vpc-peering-connection-id pcx-0a000001",
        "PEER_PATH_GAINED",
        "medium",
    ),
    (
        "peer_range_captured_by_an_instance",
        "create-route --route-table-id rtb-0a000002 --destination-cidr-block 172.20.0.0/17 --instance-id i-0a000001",
        "TRAFFIC_REDIRECTED",
        "high",
    ),
    // More specific than local: a subnet's traffic to another subnet through an appliance.
    (
        "subnet_traffic_through_an_appliance",
        "create-route --route-table-id rtb-0a000002 --destination-cidr-block 10.0.1.0/24 --instance-id i-0a0000ff",
        "TRAFFIC_REDIRECTED",
        "high",
    ),
    // An Elastic IP put on a host of the public subnet: the internet can reach it now.
    (
        "eip_associated_to_a_host_in_a_public_subnet",
        "associate-address --allocation-id eipalloc-0a0000e1 --instance-id i-0a0000ff",
        "HOST_EXPOSED",
        "critical",
    ),
    // DeleteNatGateway blackholing the private subnet.
    (
        "nat_gateway_deleted",
        "delete-nat-gateway --nat-gateway-id nat-0a000001",
        "BLACKHOLED",
        "high",
    ),
    // A dead NAT route pointed elsewhere: not a restoration but a new path, graded as the
    // plan's net change grades it (the NAT gateway's internet egress became on-premises).
    (
        "blackhole_replaced_by_vpn",
        "delete-nat-gateway --nat-gateway-id nat-0a000001 ; replace-route --route-table-id rtb-0a000002 --destination-cidr-block 0.0.0.0/0 --gateway-id vgw-0a000001",
        "ON_PREMISES_PATH_GAINED",
        "medium",
    ),
    // Misuse pattern hidden behind a blackhole: the dead NAT route now sends the subnet's
    // traffic through an instance. Captured, as if the route had been retargeted directly.
    (
        "blackhole_replaced_by_an_instance",
        "delete-nat-gateway --nat-gateway-id nat-0a000001 ; replace-route --route-table-id rtb-0a000002 --destination-cidr-block 0.0.0.0/0 --instance-id i-0a0000ff",
        "TRAFFIC_REDIRECTED",
        "high",
    ),
    // The route's own target back: the virtual private gateway attached again.
    (
        "vpn_gateway_attached_again",
        "detach-vpn-gateway --vpn-gateway-id vgw-0a000001 --vpc-id vpc-0a000001 ; attach-vpn-gateway --vpn-gateway-id vgw-0a000001 --vpc-id vpc-0a000001",
        "RESTORED",
        "info",
    ),
    (
        "peering_deleted",
        "delete-vpc-peering-connection --vpc-peering-connection-id pcx-0a000001",
        "BLACKHOLED",
        "high",
    ), // Ingress routing (semantics doc §3.6): a gateway route table for the internet gateway
    // sends the public subnet's inbound traffic through the appliance. No subnet's own reach
    // changes; the inbound path does.
    (
        "inbound_traffic_through_an_appliance",
        "create-route-table --vpc-id vpc-0a000001 ; associate-route-table --route-table-id rtb-whatif1 --gateway-id igw-0a000001 ; create-route --route-table-id rtb-whatif1 --destination-cidr-block 10.0.1.0/24 --network-interface-id eni-0a0000ff",
        "INGRESS_REDIRECTED",
        "high",
    ),
    (
        "inbound_inspection_bypassed",
        "create-route-table --vpc-id vpc-0a000001 ; associate-route-table --route-table-id rtb-whatif1 --gateway-id igw-0a000001 ; create-route --route-table-id rtb-whatif1 --destination-cidr-block 10.0.1.0/24 --network-interface-id eni-0a0000ff ; delete-route --route-table-id rtb-whatif1 --destination-cidr-block 10.0.1.0/24",
        // i-0a000001 in that subnet holds 198.51.100.5.
        "INGRESS_INSPECTION_BYPASSED",
        "high",
    ),
    (
        "inbound_appliance_terminated",
        "create-route-table --vpc-id vpc-0a000001 ; associate-route-table --route-table-id rtb-whatif1 --gateway-id igw-0a000001 ; create-route --route-table-id rtb-whatif1 --destination-cidr-block 10.0.1.0/24 --network-interface-id eni-0a0000ff ; terminate-instances --instance-ids i-0a0000ff",
        "INGRESS_LOST",
        "high",
    ),
    (
        "inbound_dead_route_deleted",
        "create-route-table --vpc-id vpc-0a000001 ; associate-route-table --route-table-id rtb-whatif1 --gateway-id igw-0a000001 ; create-route --route-table-id rtb-whatif1 --destination-cidr-block 10.0.1.0/24 --network-interface-id eni-0a0000ff ; terminate-instances --instance-ids i-0a0000ff ; delete-route --route-table-id rtb-whatif1 --destination-cidr-block 10.0.1.0/24",
        // The dead route named the appliance: delivering directly instead bypasses it.
        "INGRESS_INSPECTION_BYPASSED",
        "high",
    ),
];

fn whatif(plan: &str, format: &str) -> (i32, String) {
    let mut args = vec![
        "whatif",
        "--snapshot",
        TOPOLOGY,
        "--color",
        "never",
        "--format",
        format,
        "--",
    ];
    args.extend(plan.split_whitespace());
    let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .args(&args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the vpcsim binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn every_kind_has_a_scenario() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    for (name, plan, kind, severity) in CASES {
        let (code, json) = whatif(plan, "json");
        let v: Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{name}: {e}"));
        let steps = v["steps"].as_array().expect("steps");
        assert!(
            steps.iter().all(|s| s["verdict"] == "accepted"),
            "{name}: {steps:?}"
        );
        let last = steps.last().expect("a step");
        let change = &last["exposure"][0];
        assert_eq!(&change["kind"], kind, "{name}: {}", last["exposure"]);
        assert_eq!(&change["severity"], severity, "{name}");
        assert!(change["reason"].as_str().is_some_and(|r| !r.is_empty()));
        // Exit 1 exactly when some step brought new exposure.
        let new = v["summary"]["new_exposure"].as_u64().expect("count");
        assert_eq!(code, if new > 0 { 1 } else { 0 }, "{name}");
        let (_, text) = whatif(plan, "text");
        settings.bind(|| insta::assert_snapshot!(format!("exposure_kind@{name}"), text));
    }
    // Every kind but PATH_LOST and PATH_GAINED (this topology has no endpoint or transit gateway
    // to lose or gain; their case is scenarios/gateway-endpoint-removed-from-table-loses-s3-path),
    // HOST_EXPOSURE_REMOVED (the undoing of the HOST_EXPOSED case) and INGRESS_RESTORED (a loop
    // through the appliance undone, which here would also change the public subnet's own
    // reach first; its case is in tests/ingress.rs).
    let kinds: std::collections::BTreeSet<&str> = CASES.iter().map(|c| c.2).collect();
    let all: std::collections::BTreeSet<&str> = vpcsim::scenario::KINDS
        .iter()
        .copied()
        .filter(|k| {
            !k.starts_with("PATH_") && *k != "HOST_EXPOSURE_REMOVED" && *k != "INGRESS_RESTORED"
        })
        .collect();
    assert_eq!(kinds, all, "every change kind has a scenario");
}

/// A failed CreateRoute (AWS answered with an errorCode) changes nothing, and a route flood by
/// one principal hitting the quota is a finding: both in tests/replay.rs and tests/cli.rs
/// (`failed_and_dry_run_records_change_nothing`, `a_route_flood_by_one_principal_is_a_burst_that_fills_the_table`,
/// `example_replay_text_and_json`). Here: the same failure as a planned step is rejected.
#[test]
fn a_rejected_plan_changes_nothing() {
    let (code, json) = whatif(
        "create-route --route-table-id rtb-0a000002 --destination-cidr-block 0.0.0.0/0 --gateway-id igw-0a000001",
        "json",
    );
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v["steps"][0]["verdict"], "rejected");
    assert_eq!(v["steps"][0]["error_code"], "RouteAlreadyExists");
    assert_eq!(v["net_exposure"].as_array().map(Vec::len), Some(0));
}

/// The revert of an Elastic IP moved from one host to another puts it back on the interface
/// (and private address) it left, with `--allow-reassociation`; the revert of a disassociation
/// associates it there again. (A first association is undone by disassociating.)
#[test]
fn elastic_ip_moves_revert_to_where_the_address_was() {
    let plan = "associate-address --allocation-id eipalloc-0a0000e1 --instance-id i-0a0000ff ; \
                associate-address --allocation-id eipalloc-0a0000e1 --instance-id i-0a000001 --allow-reassociation ; \
                disassociate-address --public-ip 198.51.100.88";
    let (_, json) = whatif(plan, "json");
    let v: Value = serde_json::from_str(&json).expect("JSON");
    let steps = v["steps"].as_array().expect("steps");
    let revert = |i: usize, field: &str| steps[i]["remediation"][field].as_str().map(String::from);
    assert!(
        revert(0, "cli").is_some_and(|c| c.starts_with("aws ec2 disassociate-address ")),
        "{:?}",
        revert(0, "cli")
    );
    assert_eq!(
        revert(1, "cli").as_deref(),
        Some(
            "aws ec2 associate-address --allocation-id eipalloc-0a0000e1 --network-interface-id eni-0a0000ff --private-ip-address 10.0.1.50 --allow-reassociation"
        )
    );
    assert_eq!(
        revert(1, "boto3").as_deref(),
        Some(
            "ec2.associate_address(AllocationId='eipalloc-0a0000e1', NetworkInterfaceId='eni-0a0000ff', PrivateIpAddress='10.0.1.50', AllowReassociation=True)"
        )
    );
    assert_eq!(
        revert(2, "cli").as_deref(),
        Some(
            "aws ec2 associate-address --allocation-id eipalloc-0a0000e1 --network-interface-id eni-0a000001 --private-ip-address 10.0.1.5"
        )
    );
    assert!(
        revert(2, "check_next").is_some_and(|c| c.contains("reachable from the internet")),
        "{:?}",
        revert(2, "check_next")
    );
    // The move itself: connections to the address reach another host, which already had a
    // public address; one change of that address, not the old host "no longer exposed".
    let moved = steps[1]["exposure"].as_array().expect("exposure");
    assert_eq!(moved.len(), 1, "{moved:?}");
    assert_eq!(moved[0]["kind"], "TRAFFIC_REDIRECTED");
    assert_eq!(moved[0]["severity"], "high");
    assert_eq!(moved[0]["ranges"][0], "198.51.100.88/32");
    assert_eq!(moved[0]["before"]["path"][1], "i-0a0000ff");
    assert_eq!(moved[0]["after"]["path"][1], "i-0a000001");
    assert_eq!(moved[0]["after"]["disposition"], "DELIVERED");
}

/// An Elastic IP that replaced the public address AWS gave an instance at launch: taking it
/// away gives the instance a new public address (EC2 User Guide, Elastic IP addresses), so the
/// host stays reachable from the internet and nothing is reported as removed. A host that had
/// no public address before the Elastic IP loses its exposure with it.
#[test]
fn a_host_whose_launch_address_an_elastic_ip_replaced_stays_public_without_it() {
    let steps_of = |plan: &str| -> Value {
        let (_, json) = whatif(plan, "json");
        serde_json::from_str(&json).expect("JSON")
    };
    // i-0a000001 was launched with 198.51.100.5.
    let v = steps_of(
        "associate-address --allocation-id eipalloc-0a0000e1 --instance-id i-0a000001 ; \
         disassociate-address --public-ip 198.51.100.88",
    );
    let step = &v["steps"][1];
    let description = step["description"].as_str().unwrap_or_default();
    assert!(
        description.contains("new public IPv4 address")
            && description.contains("placeholder 203.0.113."),
        "{description}"
    );
    assert_eq!(step["exposure"].as_array().map(Vec::len), Some(0), "{step}");
    assert_eq!(v["net_exposure"].as_array().map(Vec::len), Some(0), "{v}");
    // Moved away to another host: the same, and the other host is exposed.
    let v = steps_of(
        "associate-address --allocation-id eipalloc-0a0000e1 --instance-id i-0a000001 ; \
         associate-address --allocation-id eipalloc-0a0000e1 --instance-id i-0a0000ff --allow-reassociation",
    );
    let kinds: Vec<&str> = v["steps"][1]["exposure"]
        .as_array()
        .expect("exposure")
        .iter()
        .filter_map(|c| c["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["HOST_EXPOSED"], "{v}");
    // i-0a0000ff had no public address: without the Elastic IP it has none.
    let v = steps_of(
        "associate-address --allocation-id eipalloc-0a0000e1 --instance-id i-0a0000ff ; \
         disassociate-address --public-ip 198.51.100.88",
    );
    let step = &v["steps"][1];
    assert!(
        !step["description"]
            .as_str()
            .unwrap_or_default()
            .contains("placeholder"),
        "{step}"
    );
    assert_eq!(
        step["exposure"][0]["kind"], "HOST_EXPOSURE_REMOVED",
        "{step}"
    );
}

/// Associating an address where it already is changes nothing, so there is nothing to revert
/// (a revert that disassociated it would take it off the host).
#[test]
fn an_address_associated_where_it_already_is_has_no_revert() {
    let (_, json) = whatif(
        "associate-address --allocation-id eipalloc-0a0000e1 --instance-id i-0a000001 ; \
         associate-address --allocation-id eipalloc-0a0000e1 --instance-id i-0a000001 --allow-reassociation ; \
         associate-address --allocation-id eipalloc-0a0000e1 --network-interface-id eni-0a000001",
        "json",
    );
    let v: Value = serde_json::from_str(&json).expect("JSON");
    let reverts: Vec<&Value> = v["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| &s["remediation"])
        .collect();
    assert!(
        reverts[0]["cli"]
            .as_str()
            .is_some_and(|c| c.starts_with("aws ec2 disassociate-address"))
    );
    assert!(reverts[1].is_null(), "{}", reverts[1]);
    assert!(reverts[2].is_null(), "{}", reverts[2]);
}
