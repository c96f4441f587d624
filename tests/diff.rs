//! `vpcsim diff`: exposure changes between two snapshots and between two points of a replay,
//! on the bundled example (its topology and its trail).

use serde_json::Value;
use std::process::Command;

const TOPOLOGY: &str = "scenarios/example-topology/topology.toml";
const TRAIL: &str = "scenarios/example-topology/trail.json";

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../snapshots");
    s.set_prepend_module_to_snapshot(false);
    s
}

fn diff(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .arg("diff")
        .args(args)
        .args(["--color", "never"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the vpcsim binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A copy of the example topology in which the private table's default route goes to the
/// internet gateway, and the private subnet is gone or new as asked.
fn variant(name: &str, edit: impl Fn(String) -> String) -> String {
    let dir = std::env::temp_dir().join(format!("vpcsim-diff-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let text =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(TOPOLOGY))
            .expect("example topology");
    let path = dir.join("topology.toml");
    std::fs::write(&path, edit(text)).expect("write");
    path.to_string_lossy().into_owned()
}

#[test]
fn two_snapshots_nat_route_replaced_by_igw_route() {
    let public = variant("public", |t| {
        let out = t.replace(
            "\"0.0.0.0/0 -> nat-0a000001\"",
            "\"0.0.0.0/0 -> igw-0a000001\"",
        );
        assert_ne!(out, t, "the fixture edit applies");
        out
    });
    let (code, text, err) = diff(&["--before", TOPOLOGY, "--after", &public]);
    assert_eq!(code, 1, "{err}");
    assert!(
        text.contains("INTERNET_EXPOSED [high] subnet-0a000002 ipv4 public space:"),
        "{text}"
    );
    // The other way round, the exposure is removed: no new exposure, exit 0.
    let (code, text, _) = diff(&["--before", &public, "--after", TOPOLOGY, "--format", "json"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(v["schema"], "vpcsim/diff/v1");
    assert_eq!(v["changes"][0]["kind"], "INTERNET_EXPOSURE_REMOVED");
    assert_eq!(v["summary"]["new_exposure"], 0);
    // A snapshot against itself: nothing.
    let (code, text, _) = diff(&["--before", TOPOLOGY, "--after", TOPOLOGY]);
    assert_eq!(code, 0);
    assert!(
        text.contains("no exposure change at or above info"),
        "{text}"
    );
}

#[test]
fn a_subnet_only_in_the_later_snapshot_is_compared_with_its_absence() {
    let more = variant("more", |t| {
        format!(
            "{t}\n[[subnet]]\nid = \"subnet-0a000003\"\nvpc = \"vpc-0a000001\"\ncidr = \"10.0.3.0/24\"\naz = \"eu-west-1a\"\n"
        )
    });
    let (code, text, err) = diff(&["--before", TOPOLOGY, "--after", &more, "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let v: Value = serde_json::from_str(&text).expect("JSON");
    let changes = v["changes"].as_array().expect("changes");
    assert!(
        changes.iter().any(|c| c["subnet_id"] == "subnet-0a000003"
            && c["kind"] == "INTERNET_EGRESS_GAINED"
            && c["before"]["disposition"] == "NO_ROUTE"),
        "the new subnet (on the main table, NAT) gains outbound internet: {changes:?}"
    );
}

#[test]
fn two_points_of_a_replay() {
    let args = [
        "--snapshot",
        TOPOLOGY,
        TRAIL,
        "--to",
        "2026-03-02T10:00:00Z",
    ];
    let (code, text, err) = diff(&args);
    assert_eq!(code, 1, "{err}");
    settings().bind(|| insta::assert_snapshot!("diff_replay_text", text));
    // From the exposure to the end: alice put the NAT route back.
    let (code, text, _) = diff(&[
        "--snapshot",
        TOPOLOGY,
        TRAIL,
        "--from",
        "2026-03-02T10:00:00Z",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(v["changes"][0]["kind"], "INTERNET_EXPOSURE_REMOVED");
    // The whole trail: made and undone, no net change.
    let (code, text, _) = diff(&["--snapshot", TOPOLOGY, TRAIL]);
    assert_eq!(code, 0);
    assert!(text.contains("no exposure change"), "{text}");
}

#[test]
fn usage_errors_say_what_to_give() {
    let (code, _, err) = diff(&[]);
    assert_eq!(code, 2);
    assert!(err.contains("nothing to compare"), "{err}");
    let (code, _, err) = diff(&[
        "--snapshot",
        TOPOLOGY,
        TRAIL,
        "--from",
        "2026-03-03T00:00:00Z",
        "--to",
        "2026-03-02T00:00:00Z",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("earlier time first"), "{err}");
    let (code, _, _) = diff(&["--before", TOPOLOGY]);
    assert_eq!(code, 2, "--before needs --after");
}

/// Two snapshots of a VPC with ingress routing (semantics doc §3.6) that differ only in the
/// gateway route table: no subnet's own reach differs, the inbound path through the internet
/// gateway does, and `diff` reports it (`INGRESS_INSPECTION_BYPASSED` for the web subnet, whose
/// host has a public address: high, and a new exposure for the exit code).
#[test]
fn two_snapshots_inbound_inspection_removed() {
    let firewall = "scenarios/gateway-route-table-firewall/topology.toml";
    let text =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(firewall))
            .expect("firewall topology");
    let bypass = text.replace("routes = [\"10.30.1.0/24 -> eni-0e0000f0\"]", "routes = []");
    assert_ne!(bypass, text, "the fixture edit applies");
    let dir = std::env::temp_dir().join(format!("vpcsim-diff-ingress-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let after = dir.join("topology.toml");
    std::fs::write(&after, bypass).expect("write");
    let after = after.to_string_lossy().into_owned();

    let (code, json, err) = diff(&["--before", firewall, "--after", &after, "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let v: Value = serde_json::from_str(&json).expect("json");
    let changes = v["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 1, "{json}");
    let c = &changes[0];
    assert_eq!(c["kind"], "INGRESS_INSPECTION_BYPASSED");
    assert_eq!(c["severity"], "high");
    assert_eq!(c["subnet_id"], "subnet-0e000001");
    assert_eq!(c["ranges"], serde_json::json!(["10.30.1.0/24"]));
    assert_eq!(c["before"]["path"][0], "igw-0e000001");
    assert!(
        c["before"]["path"]
            .as_array()
            .expect("path")
            .iter()
            .any(|h| h == "eni-0e0000f0"),
        "{json}"
    );
    assert!(
        !c["after"]["path"]
            .as_array()
            .expect("path")
            .iter()
            .any(|h| h == "eni-0e0000f0"),
        "{json}"
    );
    // The other direction puts the appliance on the path: a redirection.
    let (code, text, err) = diff(&["--before", &after, "--after", firewall]);
    assert_eq!(code, 1, "{err}");
    assert!(
        text.contains("INGRESS_REDIRECTED [high] subnet-0e000001 ipv4 10.30.1.0/24: DELIVERED from igw-0e000001 directly -> DELIVERED from igw-0e000001 via eni-0e0000f0"),
        "{text}"
    );
}
