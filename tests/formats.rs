//! The shared change formats (`jsonl`, `markdown`, `sarif`) of `replay`, `whatif` and `diff`,
//! on the bundled example: JSON Lines parse line by line and carry attribution; Markdown is
//! pinned; SARIF is checked against the structure SARIF 2.1.0 requires (version, runs, the
//! driver and its rules, results with messages, rule IDs that exist, levels, locations).

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

fn vpcsim(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the vpcsim binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn replay(format: &str) -> (i32, String) {
    vpcsim(&["replay", "--snapshot", TOPOLOGY, TRAIL, "--format", format])
}

const WHATIF: [&str; 13] = [
    "whatif",
    "--snapshot",
    TOPOLOGY,
    "--",
    "aws",
    "ec2",
    "associate-route-table",
    "--route-table-id",
    "rtb-0a000001",
    "--subnet-id",
    "subnet-0a000002",
    "--format",
    "x",
];

/// Checks what SARIF 2.1.0 requires of a log and of each result, and returns the results.
fn check_sarif(text: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(text).expect("SARIF is JSON");
    assert_eq!(v["version"], "2.1.0");
    assert!(
        v["$schema"]
            .as_str()
            .is_some_and(|s| s.contains("sarif-2.1.0"))
    );
    let runs = v["runs"].as_array().expect("runs is an array");
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "vpcsim");
    let rules = driver["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules
        .iter()
        .map(|r| r["id"].as_str().expect("rule id"))
        .collect();
    for r in rules {
        assert!(
            r["shortDescription"]["text"]
                .as_str()
                .is_some_and(|t| !t.is_empty())
        );
    }
    let results = runs[0]["results"].as_array().expect("results is an array");
    for r in results {
        let id = r["ruleId"].as_str().expect("ruleId");
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(ids.get(index), Some(&id), "ruleIndex points at the rule");
        assert!(
            ["none", "note", "warning", "error"].contains(&r["level"].as_str().expect("level")),
            "{r}"
        );
        assert!(r["message"]["text"].as_str().is_some_and(|t| !t.is_empty()));
        for loc in r["locations"].as_array().expect("locations") {
            let phys = &loc["physicalLocation"];
            assert!(
                phys["artifactLocation"]["uri"]
                    .as_str()
                    .is_some_and(|u| !u.is_empty())
            );
            if let Some(line) = phys["region"]["startLine"].as_u64() {
                assert!(line >= 1);
            }
        }
        assert!(r["properties"]["security-severity"].as_str().is_some());
    }
    results.clone()
}

#[test]
fn replay_jsonl_has_one_attributed_change_per_line() {
    let (code, text) = replay("jsonl");
    assert_eq!(code, 1);
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let (_, json) = replay("json");
    let v: Value = serde_json::from_str(&json).expect("JSON");
    let per_event: usize = v["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["exposure"].as_array().map_or(0, Vec::len))
        .sum();
    let net = v["net_exposure"].as_array().map_or(0, Vec::len);
    assert_eq!(lines.len(), per_event + net);
    assert!(lines.iter().all(|l| l["record"] == "change"));
    assert_eq!(lines[0]["kind"], "INTERNET_EXPOSED");
    assert_eq!(
        lines[0]["principal"],
        "arn:aws:iam::123456789012:user/mallory"
    );
    assert_eq!(lines[0]["source_ip"], "203.0.113.66");
    assert!(
        lines[0]["revert_cli"]
            .as_str()
            .is_some_and(|c| c.starts_with("aws ec2 replace-route"))
    );
}

#[test]
fn replay_markdown_is_a_pull_request_comment() {
    let (code, text) = replay("markdown");
    assert_eq!(code, 1);
    assert!(text.starts_with("### vpcsim replay\n"));
    assert!(
        text.contains("| **high** | `INTERNET_EXPOSED` | `subnet-0a000002` |"),
        "{text}"
    );
    settings().bind(|| insta::assert_snapshot!("replay_markdown", text));
}

#[test]
fn replay_sarif_follows_sarif_2_1_0() {
    let (code, text) = replay("sarif");
    assert_eq!(code, 1);
    let results = check_sarif(&text);
    assert_eq!(
        results.len(),
        2,
        "one result per change of each record (the net change is not repeated)"
    );
    assert_eq!(results[0]["ruleId"], "INTERNET_EXPOSED");
    assert_eq!(results[0]["level"], "error");
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        TRAIL
    );
    assert_eq!(results[1]["level"], "note");
}

#[test]
fn whatif_and_diff_speak_every_format() {
    for format in ["jsonl", "markdown", "sarif"] {
        let mut args = WHATIF.to_vec();
        *args.last_mut().expect("format") = format;
        // `--format` must come before `--`: move the pair.
        let n = args.len();
        let pair = [args[n - 2], args[n - 1]];
        args.truncate(n - 2);
        args.splice(3..3, pair);
        let (code, text) = vpcsim(&args);
        assert_eq!(code, 1, "{format}: {text}");
        match format {
            "jsonl" => {
                let first: Value =
                    serde_json::from_str(text.lines().next().expect("a line")).expect("JSON");
                assert_eq!(first["scope"], "step");
                assert_eq!(first["step"], 1);
                assert!(
                    first["input"]
                        .as_str()
                        .is_some_and(|i| i.contains("associate-route-table"))
                );
            }
            "markdown" => assert!(
                text.contains("step 1: `aws ec2 associate-route-table"),
                "{text}"
            ),
            _ => {
                // The subnet becomes public; its on-premises and peer ranges, which the
                // internet does not route, lose their paths.
                let results = check_sarif(&text);
                let rules: Vec<&str> = results
                    .iter()
                    .filter_map(|r| r["ruleId"].as_str())
                    .collect();
                assert!(rules.contains(&"INTERNET_EXPOSED"), "{rules:?}");
                assert!(
                    rules.iter().all(|r| matches!(
                        *r,
                        "INTERNET_EXPOSED" | "ON_PREMISES_PATH_LOST" | "PEER_PATH_LOST"
                    )),
                    "{rules:?}"
                );
            }
        }
        let (code, text) = vpcsim(&[
            "diff",
            "--snapshot",
            TOPOLOGY,
            TRAIL,
            "--to",
            "2026-03-02T10:00:00Z",
            "--format",
            format,
        ]);
        assert_eq!(code, 1, "{format}: {text}");
        match format {
            "jsonl" => assert_eq!(text.lines().count(), 1),
            "markdown" => assert!(text.contains("`INTERNET_EXPOSED`"), "{text}"),
            _ => assert_eq!(check_sarif(&text).len(), 1),
        }
    }
}

/// Findings are SARIF results too (rule per finding kind, level from the severity, the
/// attribution in the properties): a plan that fills a route table.
#[test]
fn findings_follow_sarif_2_1_0() {
    let (code, text) = vpcsim(&[
        "whatif",
        "--snapshot",
        TOPOLOGY,
        "--route-limit",
        "4",
        "--format",
        "sarif",
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
    ]);
    assert_eq!(code, 1);
    let results = check_sarif(&text);
    let findings: Vec<&Value> = results
        .iter()
        .filter(|r| {
            r["ruleId"]
                .as_str()
                .is_some_and(|id| id.starts_with("ROUTE_QUOTA"))
        })
        .collect();
    assert_eq!(findings.len(), 2, "{text}");
    let full = findings
        .iter()
        .find(|r| r["ruleId"] == "ROUTE_QUOTA_REACHED")
        .expect("the full table");
    assert_eq!(full["level"], "error");
    assert_eq!(full["properties"]["eventIds"][0], "whatif-2");
    assert!(full["partialFingerprints"]["vpcsimFinding/v1"].is_string());
    assert_eq!(
        full["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        TOPOLOGY
    );
}
