//! `vpcsim blame` on the bundled example trail: the record that set a subnet's current path
//! and the chain of records that changed it; outcomes no record changed come from the start.

use serde_json::Value;
use std::process::Command;

const TOPOLOGY: &str = "scenarios/example-topology/topology.toml";
const TRAIL: &str = "scenarios/example-topology/trail.json";

fn blame(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .args(["blame", "--snapshot", TOPOLOGY, TRAIL, "--color", "never"])
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

#[test]
fn the_path_to_the_internet_was_set_by_the_revert_after_the_exposure() {
    let (code, text, err) = blame(&[
        "--subnet",
        "subnet-0a000002",
        "--to",
        "8.8.8.8",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(v["schema"], "vpcsim/blame/v1");
    let outcomes = v["outcomes"].as_array().expect("outcomes");
    assert_eq!(outcomes.len(), 1, "one address, one outcome");
    let o = &outcomes[0];
    assert_eq!(o["ranges"][0], "8.8.8.8/32");
    assert_eq!(o["disposition"], "EXITS_TO_INTERNET");
    assert!(
        o["path"]
            .as_array()
            .expect("path")
            .iter()
            .any(|p| p == "nat-0a000001")
    );
    assert_eq!(
        o["since"]["principal"],
        "arn:aws:iam::123456789012:user/alice"
    );
    assert_eq!(o["since"]["kind"], "INTERNET_EXPOSURE_REMOVED");
    let chain: Vec<&str> = o["chain"]
        .as_array()
        .expect("chain")
        .iter()
        .map(|l| l["principal"].as_str().expect("principal"))
        .collect();
    assert_eq!(
        chain,
        [
            "arn:aws:iam::123456789012:user/mallory",
            "arn:aws:iam::123456789012:user/alice"
        ]
    );
}

#[test]
fn untouched_paths_come_from_the_start() {
    let (code, text, _) = blame(&["--subnet", "subnet-0a000002", "--to", "172.20.1.1"]);
    assert_eq!(code, 0);
    assert!(
        text.contains("EXITS_TO_PEER via rtb-0a000002 > pcx-0a000001"),
        "{text}"
    );
    assert!(
        text.contains("since the start: no record changed it"),
        "{text}"
    );
    // Without --to, every outcome of the subnet is explained, the changed one included.
    let (_, text, _) = blame(&["--subnet", "subnet-0a000002"]);
    assert!(
        text.contains("since 2026-03-02T11:40:12Z ReplaceRoute"),
        "{text}"
    );
    assert!(text.contains("ipv6 ::/0 except"), "{text}");
}

#[test]
fn unknown_subnets_and_bad_addresses_are_usage_errors() {
    let (code, _, err) = blame(&["--subnet", "subnet-ffffffff"]);
    assert_eq!(code, 2);
    assert!(err.contains("is not in the state"), "{err}");
    let (code, _, err) = blame(&["--subnet", "subnet-0a000002", "--to", "8.8.8"]);
    assert_eq!(code, 2);
    assert!(err.contains("not an IP address"), "{err}");
}
