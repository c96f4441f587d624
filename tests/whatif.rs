//! `vpcsim whatif`: planned AWS CLI commands evaluated against the bundled example snapshot.
//!
//! - `whatif_reports_verdicts_exposure_and_net_change`: accepted / rejected with EC2's error
//!   code, exposure per step, exit 1; text and JSON pinned;
//! - `every_revert_applied_right_after_its_change_restores_the_exposure` (issue #4, §4): the
//!   printed revert command, run as the next step, leaves no net change;
//! - `unreadable_commands_are_reported_and_the_rest_evaluated`, `no_plan_is_a_usage_error`.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

const SNAPSHOT: &str = "scenarios/example-topology/topology.toml";

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../snapshots");
    s.set_prepend_module_to_snapshot(false);
    s
}

fn whatif(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .arg("whatif")
        .args(["--snapshot", SNAPSHOT, "--color", "never"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the vpcsim binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(args: &[&str]) -> (i32, Value) {
    let mut a = vec!["--format", "json"];
    a.extend_from_slice(args);
    let (code, out, err) = whatif(&a);
    (
        code,
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("JSON ({e}): {out}\n{err}")),
    )
}

#[test]
fn whatif_reports_verdicts_exposure_and_net_change() {
    let plan = [
        "--",
        "aws",
        "ec2",
        "replace-route",
        "--route-table-id",
        "rtb-0a000002",
        "--destination-cidr-block",
        "0.0.0.0/0",
        "--gateway-id",
        "igw-0a000001",
        ";",
        "aws",
        "ec2",
        "delete-route",
        "--route-table-id",
        "rtb-0a000002",
        "--destination-cidr-block",
        "10.9.0.0/16",
    ];
    let (code, text, err) = whatif(&plan);
    assert_eq!(code, 1, "new exposure: {err}");
    assert!(text.contains("accepted: rtb-0a000002: replaced"), "{text}");
    assert!(
        text.contains("rejected: EC2 would answer InvalidRoute.NotFound"),
        "{text}"
    );
    settings().bind(|| insta::assert_snapshot!("whatif_text", text));
    let (code, v) = json(&plan);
    assert_eq!(code, 1);
    assert_eq!(v["schema"], "vpcsim/whatif/v1");
    assert_eq!(v["summary"]["accepted"], 1);
    assert_eq!(v["summary"]["rejected"], 1);
    assert_eq!(v["steps"][0]["verdict"], "accepted");
    assert_eq!(v["steps"][0]["exposure"][0]["kind"], "INTERNET_EXPOSED");
    assert_eq!(v["steps"][1]["verdict"], "rejected");
    assert_eq!(v["steps"][1]["error_code"], "InvalidRoute.NotFound");
    assert_eq!(v["net_exposure"][0]["kind"], "INTERNET_EXPOSED");
    settings().bind(|| {
        insta::assert_snapshot!(
            "whatif_json",
            serde_json::to_string_pretty(&v).expect("json")
        )
    });
    // A rejected change alone exposes nothing: exit 0.
    let (code, _, _) = whatif(&[
        "--",
        "aws",
        "ec2",
        "delete-route",
        "--route-table-id",
        "rtb-0a000002",
        "--destination-cidr-block",
        "10.9.0.0/16",
    ]);
    assert_eq!(code, 0);
}

#[test]
fn every_revert_applied_right_after_its_change_restores_the_exposure() {
    let changes = [
        "replace-route --route-table-id rtb-0a000002 --destination-cidr-block 0.0.0.0/0 --gateway-id igw-0a000001",
        "delete-route --route-table-id rtb-0a000002 --destination-cidr-block 172.20.0.0/16",
        "create-route --route-table-id rtb-0a000002 --destination-cidr-block 203.0.113.0/24 --vpc-peering-connection-id pcx-0a000001",
        "associate-route-table --route-table-id rtb-0a000001 --subnet-id subnet-0a000002",
        "replace-route-table-association --association-id rtbassoc-main-rtb-0a000002 --route-table-id rtb-0a000001",
        "disable-vgw-route-propagation --route-table-id rtb-0a000002 --gateway-id vgw-0a000001",
        "delete-nat-gateway --nat-gateway-id nat-0a000001",
    ];
    let mut checked = 0;
    for change in changes {
        let change: Vec<&str> = change.split_whitespace().collect();
        let mut args = vec!["--"];
        args.extend_from_slice(&change);
        let (_, v) = json(&args);
        let step = &v["steps"][0];
        if step["verdict"] != "accepted" || step["exposure"].as_array().is_none_or(Vec::is_empty) {
            // A change that EC2 refuses or that exposes nothing has nothing to undo here.
            eprintln!("{change:?}: {}", step["description"]);
            continue;
        }
        let Some(revert) = step["remediation"]["cli"].as_str() else {
            panic!("{change:?} has no revert: {step}");
        };
        if change[0] == "delete-nat-gateway" {
            // A deleted NAT gateway cannot come back: another one is made in its subnet with
            // its address, and the routes that used it point at the new one (its ID carried in
            // a shell variable, so the command cannot be replayed word for word here).
            assert!(
                revert.starts_with("NAT=$(aws ec2 create-nat-gateway --subnet-id subnet-0a000001 --allocation-id ")
                    && revert.contains("aws ec2 wait nat-gateway-available --nat-gateway-ids \"$NAT\"")
                    && revert.ends_with("aws ec2 replace-route --route-table-id rtb-0a000002 --destination-cidr-block 0.0.0.0/0 --nat-gateway-id \"$NAT\""),
                "{revert}"
            );
            assert!(
                step["remediation"]["boto3"]
                    .as_str()
                    .is_some_and(|b| b.contains("ec2.replace_route(RouteTableId='rtb-0a000002', DestinationCidrBlock='0.0.0.0/0', NatGatewayId=nat)")),
                "{step}"
            );
            continue;
        }
        let revert: Vec<&str> = revert.split_whitespace().collect();
        let mut both = args.clone();
        both.push(";");
        both.extend(revert.iter().copied());
        let (_, v) = json(&both);
        assert_eq!(
            v["steps"][1]["verdict"], "accepted",
            "{change:?} then {revert:?}: {v}"
        );
        assert_eq!(
            v["net_exposure"].as_array().map(Vec::len),
            Some(0),
            "{change:?} then {revert:?} leaves exposure: {}",
            v["net_exposure"]
        );
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} reverts checked");
}

#[test]
fn unreadable_commands_are_reported_and_the_rest_evaluated() {
    let dir = std::env::temp_dir().join(format!("vpcsim-whatif-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let plan = dir.join("plan.txt");
    std::fs::write(
        &plan,
        "# change 1234\naws ec2 delete-route --route-table-id rtb-0a000002 \\\n  --destination-cidr-block 172.20.0.0/16\naws ec2 create-route rtb-0a000002\n",
    )
    .expect("write");
    let plan = plan.to_string_lossy().into_owned();
    let (code, v) = json(&["--commands", &plan]);
    assert_eq!(code, 2, "an unreadable command is bad input");
    assert_eq!(v["summary"]["accepted"], 1);
    // The peer's range now follows the default route to the NAT gateway, and goes nowhere (the
    // internet does not route 172.20.0.0/16).
    assert_eq!(v["steps"][0]["exposure"][0]["kind"], "PEER_PATH_LOST");
    assert_eq!(v["steps"][0]["exposure"][0]["ranges"][0], "172.20.0.0/16");
    let e = &v["command_errors"][0];
    assert!(
        e["origin"]
            .as_str()
            .is_some_and(|o| o.ends_with("plan.txt line 4")),
        "{e}"
    );
    assert!(
        e["message"].as_str().is_some_and(|m| m.contains("--flag")),
        "{e}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn no_plan_is_a_usage_error() {
    let (code, _, err) = whatif(&[]);
    assert_eq!(code, 2);
    assert!(err.contains("no planned change"), "{err}");
}

/// Semantics doc §1.2: EC2 refuses an interface or instance ID passed as `--gateway-id` with
/// `InvalidGatewayID.NotFound`, although the same ID is a valid `--network-interface-id`.
#[test]
fn an_interface_passed_as_gateway_id_is_refused() {
    let (code, v) = json(&[
        "--",
        "aws",
        "ec2",
        "create-route",
        "--route-table-id",
        "rtb-0a000002",
        "--destination-cidr-block",
        "203.0.113.0/24",
        "--gateway-id",
        "i-0a000001",
    ]);
    assert_eq!(code, 0, "a refused step exposes nothing");
    assert_eq!(v["steps"][0]["verdict"], "rejected");
    assert_eq!(v["steps"][0]["error_code"], "InvalidGatewayID.NotFound");
    let (_, v) = json(&[
        "--",
        "aws",
        "ec2",
        "create-route",
        "--route-table-id",
        "rtb-0a000002",
        "--destination-cidr-block",
        "203.0.113.0/24",
        "--instance-id",
        "i-0a000001",
    ]);
    assert_eq!(v["steps"][0]["verdict"], "accepted");
}

/// A topology can declare an unassociated Elastic IP; a NAT gateway created with it is
/// available (without it the model would make it `failed`, InvalidAllocationID.NotFound).
#[test]
fn a_declared_elastic_ip_makes_a_working_nat_gateway() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example-topology/topology.toml"),
    )
    .expect("the example");
    let dir = std::env::temp_dir().join(format!("vpcsim-whatif-eip-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("topology.toml");
    std::fs::write(
        &path,
        format!(
            "{text}\n[[elastic_ip]]\nid = \"eipalloc-0a000009\"\npublic_ip = \"198.51.100.99\"\n"
        ),
    )
    .expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .args([
            "whatif",
            "--snapshot",
            &path.to_string_lossy(),
            "--color",
            "never",
            "--",
            "aws",
            "ec2",
            "create-nat-gateway",
            "--subnet-id",
            "subnet-0a000001",
            "--allocation-id",
            "eipalloc-0a000009",
        ])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("accepted"), "{text}");
    assert!(text.contains("available"), "{text}");
    let _ = std::fs::remove_dir_all(dir);
}

/// Route-quota findings are computed for a plan and reported in every format, with the step
/// that reached the limit; a plan that fills a table exits 1 as replay does (issue #4).
#[test]
fn a_plan_that_fills_a_table_reports_the_quota_findings() {
    let plan = [
        "--route-limit",
        "4",
        "--",
        "create-route",
        "--route-table-id",
        "rtb-0a000002",
        "--destination-cidr-block",
        "198.51.100.0/24",
        "--gateway-id",
        "igw-0a000001",
        ";",
        "create-route",
        "--route-table-id",
        "rtb-0a000002",
        "--destination-cidr-block",
        "198.51.101.0/24",
        "--gateway-id",
        "igw-0a000001",
    ];
    let (code, v) = json(&plan);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["steps"][1]["error_code"], "RouteLimitExceeded");
    let kinds: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["ROUTE_QUOTA_NEAR", "ROUTE_QUOTA_REACHED"], "{v}");
    assert_eq!(v["findings"][1]["event_ids"][0], "whatif-2");
    assert_eq!(v["findings"][1]["route_table_id"], "rtb-0a000002");
    // Text and JSON Lines carry them too; --min-severity high keeps only the full table.
    let mut text = vec!["--min-severity", "high"];
    text.extend_from_slice(&plan);
    let (code, out, _) = whatif(&text);
    assert_eq!(code, 1);
    assert!(
        out.contains("ROUTE_QUOTA_REACHED [high] rtb-0a000002 is full"),
        "{out}"
    );
    assert!(!out.contains("ROUTE_QUOTA_NEAR"), "{out}");
    let mut lines = vec!["--format", "jsonl"];
    lines.extend_from_slice(&plan);
    let (_, out, _) = whatif(&lines);
    assert_eq!(out.matches("\"record\":\"finding\"").count(), 2, "{out}");
}
