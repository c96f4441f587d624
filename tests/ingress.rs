//! Ingress exposure (semantics doc §3.6): the inbound paths of gateways with an edge route table,
//! compared record by record and between the ends of a plan. The firewall topology of
//! `scenarios/gateway-route-table-firewall` and a variant with Gateway Load Balancer endpoints,
//! written here.

use serde_json::Value;
use std::process::Command;

const FIREWALL: &str = "scenarios/gateway-route-table-firewall/topology.toml";

/// A VPC whose internet gateway's edge table sends the web subnet's inbound traffic to a Gateway
/// Load Balancer endpoint; a second endpoint stands by.
const GWLB: &str = r#"
account = "123456789012"
region = "us-east-1"

[[vpc]]
id = "vpc-01"
cidrs = ["10.30.0.0/16"]

[[subnet]]
id = "subnet-web"
vpc = "vpc-01"
cidr = "10.30.1.0/24"

[[subnet]]
id = "subnet-fw"
vpc = "vpc-01"
cidr = "10.30.240.0/24"

[[internet_gateway]]
id = "igw-01"
vpc = "vpc-01"

[[vpc_endpoint]]
id = "vpce-gwlb01"
vpc = "vpc-01"
type = "GatewayLoadBalancer"
subnets = ["subnet-fw"]

[[vpc_endpoint]]
id = "vpce-gwlb02"
vpc = "vpc-01"
type = "GatewayLoadBalancer"
subnets = ["subnet-fw"]

[[route_table]]
id = "rtb-edge"
vpc = "vpc-01"
gateways = ["igw-01"]
routes = ["10.30.1.0/24 -> vpce-gwlb01"]

[[route_table]]
id = "rtb-main"
vpc = "vpc-01"
main = true
routes = ["0.0.0.0/0 -> igw-01"]

[[instance]]
id = "i-web"
subnet = "subnet-web"
private_ip = "10.30.1.7"
public_ip = "198.51.100.41"
"#;

fn temp_file(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("vpcsim-ingress-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path.to_string_lossy().into_owned()
}

/// `vpcsim whatif --format json`: (exit code, the report).
fn whatif(snapshot: &str, plan: &str) -> (i32, Value) {
    let mut args = vec!["whatif", "--snapshot", snapshot, "--format", "json", "--"];
    args.extend(plan.split_whitespace());
    let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .args(&args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the vpcsim binary runs");
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), v)
}

/// The (kind, severity, subnet) of each ingress change of a step, or of the net change.
fn ingress(changes: &Value) -> Vec<(String, String, String)> {
    changes
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| {
            c["kind"]
                .as_str()
                .is_some_and(|k| k.starts_with("INGRESS_"))
        })
        .map(|c| {
            (
                c["kind"].as_str().unwrap_or_default().to_string(),
                c["severity"].as_str().unwrap_or_default().to_string(),
                c["subnet_id"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn t(kind: &str, severity: &str, subnet: &str) -> (String, String, String) {
    (kind.into(), severity.into(), subnet.into())
}

/// A Gateway Load Balancer endpoint ends the walk (`TO_VPC_ENDPOINT`): inbound traffic handed
/// to one counts as arriving through it, so removing it is a bypass, adding it or moving to
/// another endpoint a redirection.
#[test]
fn gateway_load_balancer_endpoints_are_appliances_on_the_inbound_path() {
    let gwlb = temp_file("gwlb.toml", GWLB);
    let (code, v) = whatif(
        &gwlb,
        "delete-route --route-table-id rtb-edge --destination-cidr-block 10.30.1.0/24",
    );
    assert_eq!(
        ingress(&v["steps"][0]["exposure"]),
        vec![t("INGRESS_INSPECTION_BYPASSED", "high", "subnet-web")]
    );
    assert_eq!(code, 1, "a bypass is new exposure");
    let change = &v["steps"][0]["exposure"][0];
    assert_eq!(change["before"]["disposition"], "TO_VPC_ENDPOINT");
    assert_eq!(change["after"]["disposition"], "DELIVERED");
    assert!(
        change["reason"]
            .as_str()
            .is_some_and(|r| r.contains("vpce-gwlb01")),
        "{change}"
    );

    let (_, v) = whatif(
        &gwlb,
        "replace-route --route-table-id rtb-edge --destination-cidr-block 10.30.1.0/24 --vpc-endpoint-id vpce-gwlb02",
    );
    assert_eq!(
        ingress(&v["steps"][0]["exposure"]),
        vec![t("INGRESS_REDIRECTED", "high", "subnet-web")]
    );
    let reason = v["steps"][0]["exposure"][0]["reason"]
        .as_str()
        .unwrap_or_default();
    assert!(
        reason.contains("vpce-gwlb02") && !reason.contains("vpce-gwlb01"),
        "the reason names the new appliance only: {reason}"
    );

    let (_, v) = whatif(
        &gwlb,
        "delete-route --route-table-id rtb-edge --destination-cidr-block 10.30.1.0/24 ; create-route --route-table-id rtb-edge --destination-cidr-block 10.30.1.0/24 --vpc-endpoint-id vpce-gwlb01",
    );
    assert_eq!(
        ingress(&v["steps"][1]["exposure"]),
        vec![t("INGRESS_REDIRECTED", "high", "subnet-web")]
    );
    assert_eq!(ingress(&v["net_exposure"]), vec![], "back where it started");
}

/// Taking a firewall out in two steps (its interface deleted, then the dead edge route deleted)
/// is a bypass at the second step, as the net change says, not a restoration.
#[test]
fn a_dead_route_to_the_firewall_replaced_by_direct_delivery_is_a_bypass() {
    let (code, v) = whatif(
        FIREWALL,
        "delete-network-interface --network-interface-id eni-0e0000f0 ; delete-route --route-table-id rtb-0e0000ed --destination-cidr-block 10.30.1.0/24",
    );
    let steps = v["steps"].as_array().expect("steps");
    assert!(steps.iter().all(|s| s["verdict"] == "accepted"), "{v}");
    assert_eq!(
        ingress(&steps[0]["exposure"]),
        vec![t("INGRESS_LOST", "high", "subnet-0e000001")]
    );
    assert_eq!(
        ingress(&steps[1]["exposure"]),
        vec![t("INGRESS_INSPECTION_BYPASSED", "high", "subnet-0e000001")]
    );
    assert_eq!(
        ingress(&v["net_exposure"]),
        vec![t("INGRESS_INSPECTION_BYPASSED", "high", "subnet-0e000001")]
    );
    assert_eq!(code, 1);
}

/// The net change compares the start with the end, as `diff` does: an inbound path that did not
/// exist at the start (a subnet created by the plan, a gateway attached by it) is not compared,
/// though the step that routed it through the appliance reports it.
#[test]
fn the_net_change_leaves_out_paths_absent_at_the_start() {
    let (_, v) = whatif(
        FIREWALL,
        "create-subnet --vpc-id vpc-0e000001 --cidr-block 10.30.3.0/24 ; create-route --route-table-id rtb-0e0000ed --destination-cidr-block 10.30.3.0/24 --network-interface-id eni-0e0000f0",
    );
    assert_eq!(
        ingress(&v["steps"][1]["exposure"]),
        vec![t("INGRESS_REDIRECTED", "high", "subnet-new-1")]
    );
    assert_eq!(ingress(&v["net_exposure"]), vec![]);

    let text =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(FIREWALL))
            .expect("firewall topology");
    // The gateway detached at the start, so without the edge association either.
    let detached = text
        .replace(
            "id = \"igw-0e000001\"\nvpc = \"vpc-0e000001\"",
            "id = \"igw-0e000001\"",
        )
        .replace("gateways = [\"igw-0e000001\"]\n", "");
    assert_ne!(detached, text, "the fixture edits apply");
    let detached = temp_file("detached.toml", &detached);
    let (_, v) = whatif(
        &detached,
        "attach-internet-gateway --internet-gateway-id igw-0e000001 --vpc-id vpc-0e000001 ; associate-route-table --route-table-id rtb-0e0000ed --gateway-id igw-0e000001",
    );
    assert_eq!(
        ingress(&v["steps"][1]["exposure"]),
        vec![t("INGRESS_REDIRECTED", "high", "subnet-0e000001")]
    );
    assert_eq!(ingress(&v["net_exposure"]), vec![]);
}

/// `blame` explains outbound paths: an ingress change of the subnet is not in its chain.
#[test]
fn blame_ignores_inbound_path_changes() {
    let trail = temp_file(
        "trail.json",
        r#"{"Records": [{"eventVersion": "1.08", "eventTime": "2026-01-01T00:00:00Z",
        "eventSource": "ec2.amazonaws.com", "eventName": "DeleteRoute", "awsRegion": "us-east-1",
        "eventID": "e1", "recipientAccountId": "123456789012",
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/a"},
        "requestParameters": {"routeTableId": "rtb-0e0000ed", "destinationCidrBlock": "10.30.1.0/24"},
        "responseElements": {"_return": true}}]}"#,
    );
    let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .args([
            "blame",
            "--snapshot",
            FIREWALL,
            &trail,
            "--subnet",
            "subnet-0e000001",
        ])
        .args(["--to", "10.30.1.7", "--color", "never"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the vpcsim binary runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("DELIVERED via subnet-0e000001"), "{text}");
    assert!(text.contains("no record changed it"), "{text}");
    assert!(!text.contains("INGRESS"), "{text}");
}

/// A loop on the inbound path (the appliance's own subnet sends the traffic back to it) drops
/// the traffic; undoing it delivers it again, through the same appliance: restored.
#[test]
fn a_loop_through_the_appliance_undone_is_restored() {
    let (code, v) = whatif(
        FIREWALL,
        "create-route --route-table-id rtb-0e000001 --destination-cidr-block 10.30.1.0/24 --network-interface-id eni-0e0000f0 ; delete-route --route-table-id rtb-0e000001 --destination-cidr-block 10.30.1.0/24",
    );
    let steps = v["steps"].as_array().expect("steps");
    assert_eq!(
        ingress(&steps[0]["exposure"]),
        vec![t("INGRESS_LOST", "high", "subnet-0e000001")]
    );
    assert_eq!(
        ingress(&steps[1]["exposure"]),
        vec![t("INGRESS_RESTORED", "info", "subnet-0e000001")]
    );
    let restored = steps[1]["exposure"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["kind"] == "INGRESS_RESTORED")
        .expect("restored");
    assert_eq!(restored["before"]["disposition"], "LOOP");
    assert_eq!(restored["after"]["disposition"], "DELIVERED");
    assert_eq!(ingress(&v["net_exposure"]), vec![]);
    // The loop also catches the other subnets' own traffic for 10.30.1.0/24 (PATH_LOST); a
    // loss is not new exposure, so the plan exits 0.
    assert_eq!(code, 0);
    assert!(
        steps[0]["exposure"]
            .as_array()
            .expect("changes")
            .iter()
            .any(|c| c["kind"] == "PATH_LOST" && c["after"]["disposition"] == "LOOP"),
        "{}",
        steps[0]["exposure"]
    );
}

/// (kind, subnet) of each change, sorted.
type Pairs = Vec<(String, String)>;

/// `vpcsim replay --format json` and `vpcsim diff --snapshot … --format json` of the same trail
/// (the first record's exposure, and the changes from the start to the end), as (kind, subnet)
/// pairs.
fn replay_and_diff(name: &str, topology: &str, trail: &str) -> (Pairs, Pairs) {
    // (Files of their own: the tests of this file run in parallel in one process.)
    let topology = temp_file(&format!("{name}.toml"), topology);
    let trail = temp_file(&format!("{name}.json"), trail);
    let run = |args: &[&str]| -> Value {
        let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
            .args(args)
            .args(["--snapshot", &topology, &trail, "--format", "json"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("the vpcsim binary runs");
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
    };
    let pairs = |changes: &Value| -> Pairs {
        let mut v: Pairs = changes
            .as_array()
            .expect("changes")
            .iter()
            .map(|c| {
                (
                    c["kind"].as_str().unwrap_or_default().to_string(),
                    c["subnet_id"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let replay = run(&["replay"]);
    let diff = run(&["diff"]);
    (
        pairs(&replay["events"][0]["exposure"]),
        pairs(&diff["changes"]),
    )
}

/// A record on a table the replay has to infer (lenient mode) still compares the inbound paths:
/// moving the firewall's subnet onto a new table takes the second appliance off the inbound
/// path of the web subnet (found by review: the VPC of an unknown table is unknown before the
/// record, and no gateway was compared).
#[test]
fn a_record_on_an_inferred_table_compares_the_inbound_paths() {
    let topology = r#"
account = "123456789012"
region = "us-east-1"

[[vpc]]
id = "vpc-0a"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "subnet-0fw"
vpc = "vpc-0a"
cidr = "10.0.1.0/24"

[[subnet]]
id = "subnet-0app"
vpc = "vpc-0a"
cidr = "10.0.2.0/24"

[[subnet]]
id = "subnet-0ids"
vpc = "vpc-0a"
cidr = "10.0.3.0/24"

[[internet_gateway]]
id = "igw-0a"
vpc = "vpc-0a"

[[route_table]]
id = "rtb-0main"
vpc = "vpc-0a"
main = true
routes = ["0.0.0.0/0 -> igw-0a", "10.0.2.0/24 -> eni-0ids"]

[[route_table]]
id = "rtb-0ids"
vpc = "vpc-0a"
subnets = ["subnet-0ids"]
routes = ["0.0.0.0/0 -> igw-0a"]

[[route_table]]
id = "rtb-0app"
vpc = "vpc-0a"
subnets = ["subnet-0app"]
routes = ["0.0.0.0/0 -> igw-0a"]

[[route_table]]
id = "rtb-0edge"
vpc = "vpc-0a"
gateways = ["igw-0a"]
routes = ["10.0.2.0/24 -> eni-0fw"]

[[network_interface]]
id = "eni-0fw"
subnet = "subnet-0fw"
private_ips = ["10.0.1.10"]
source_dest_check = false

[[network_interface]]
id = "eni-0ids"
subnet = "subnet-0ids"
private_ips = ["10.0.3.10"]
source_dest_check = false

[[instance]]
id = "i-0web"
subnet = "subnet-0app"
private_ip = "10.0.2.20"
public_ip = "198.18.0.20"
"#;
    let trail = r#"{"Records": [{"eventVersion": "1.08", "eventSource": "ec2.amazonaws.com",
        "eventName": "AssociateRouteTable", "awsRegion": "us-east-1", "eventID": "e1",
        "eventTime": "2026-01-01T00:00:01Z", "recipientAccountId": "123456789012",
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/m"},
        "requestParameters": {"routeTableId": "rtb-0late", "subnetId": "subnet-0fw"},
        "responseElements": {"associationId": "rtbassoc-0late"}}]}"#;
    let (replayed, diffed) = replay_and_diff("inferred", topology, trail);
    assert!(
        replayed.contains(&(
            "INGRESS_INSPECTION_BYPASSED".to_string(),
            "subnet-0app".to_string()
        )),
        "{replayed:?}"
    );
    assert_eq!(replayed, diffed);
}

/// RunInstances of an instance whose interface the snapshot already lists (a snapshot taken
/// while the instance was being replaced, say) brings routes to that interface back, for every
/// subnet whose table holds one (found by review: only the new primary interface was looked
/// at).
#[test]
fn launching_the_instance_of_a_listed_interface_revives_routes_to_it() {
    let topology = r#"
account = "123456789012"
region = "us-east-1"

[[vpc]]
id = "vpc-0a"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "subnet-0app"
vpc = "vpc-0a"
cidr = "10.0.2.0/24"

[[subnet]]
id = "subnet-0pub"
vpc = "vpc-0a"
cidr = "10.0.1.0/24"

[[subnet]]
id = "subnet-0other"
vpc = "vpc-0a"
cidr = "10.0.3.0/24"

[[internet_gateway]]
id = "igw-0a"
vpc = "vpc-0a"

[[route_table]]
id = "rtb-0pub"
vpc = "vpc-0a"
main = true
routes = ["0.0.0.0/0 -> igw-0a", "8.8.8.0/24 -> eni-0sec"]

[[route_table]]
id = "rtb-0app"
vpc = "vpc-0a"
subnets = ["subnet-0app"]
routes = ["0.0.0.0/0 -> igw-0a"]

[[network_interface]]
id = "eni-0sec"
subnet = "subnet-0app"
private_ips = ["10.0.2.20"]
source_dest_check = false
instance = "i-0later"
"#;
    let trail = r#"{"Records": [{"eventVersion": "1.08", "eventSource": "ec2.amazonaws.com",
        "eventName": "RunInstances", "awsRegion": "us-east-1", "eventID": "e1",
        "eventTime": "2026-01-01T00:00:01Z", "recipientAccountId": "123456789012",
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/m"},
        "requestParameters": {"instancesSet": {"items": [{"imageId": "ami-1"}]}},
        "responseElements": {"instancesSet": {"items": [{"instanceId": "i-0later",
            "subnetId": "subnet-0other", "privateIpAddress": "10.0.3.30",
            "networkInterfaceSet": {"items": [{"networkInterfaceId": "eni-0prim",
                "attachment": {"deviceIndex": "0"}}]}}]}}}]}"#;
    let (replayed, diffed) = replay_and_diff("listed", topology, trail);
    assert!(
        replayed.contains(&("RESTORED".to_string(), "subnet-0pub".to_string())),
        "{replayed:?}"
    );
    assert_eq!(replayed, diffed);
}
