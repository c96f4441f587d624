//! End-to-end tests of the `vpcsim` binary and of rendered output.
//!
//! Index:
//! - `scenario_reach_text`: the reach report of every bundled scenario, as reviewed insta
//!   snapshots (root `snapshots/`), one per scenario (`insta::glob!`);
//! - `example_reach_json`, `traces_text_and_json`: the JSON schema and trace renderings, pinned;
//! - `example_replay_text_and_json`: the bundled example trail (a private subnet routed to the
//!   internet gateway and put back), text and JSON pinned, exit 1 as a CI gate;
//! - `cli_*`: exit codes and error messages users see;
//! - `readme_topology_example_loads`: the TOML example in README.md is a valid topology;
//! - `every_module_has_a_doc_paragraph`: the house rule that each module opens with `//!`.

use std::path::Path;
use std::process::Command;
use vpcsim::reach::Engine;
use vpcsim::report::{self, Style};
use vpcsim::snapshot;

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../snapshots");
    s.set_prepend_module_to_snapshot(false);
    s
}

fn vpcsim(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .output()
        .expect("the vpcsim binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn scenario_reach_text() {
    settings().bind(|| {
        insta::glob!("../scenarios", "*/topology.toml", |path| {
            let loaded = snapshot::load(path).expect("bundled scenario loads");
            let engine = Engine::new(&loaded.network);
            let reach = engine.reach_all(&loaded.network);
            let mut text = report::reach_text(&reach, Style::default());
            text.push_str(&report::diagnostics_text(&loaded.diagnostics));
            insta::assert_snapshot!(text);
        });
    });
}

/// The README's replay example: mallory's failed CreateRoute changes nothing, the ReplaceRoute
/// NAT -> IGW makes the private subnet public (INTERNET_EXPOSED, high: no host there has a
/// public address), a route to an interface the snapshot lacks diverges, and alice's revert
/// leaves no net change. New exposure happened, so the exit code is 1.
#[test]
fn example_replay_text_and_json() {
    let args = [
        "replay",
        "--snapshot",
        "scenarios/example-topology/topology.toml",
        "scenarios/example-topology/trail.json",
        "--color",
        "never",
    ];
    let (code, text, err) = vpcsim(&args);
    assert_eq!(code, 1, "{err}");
    assert!(
        text.contains("INTERNET_EXPOSED [high] subnet-0a000002"),
        "{text}"
    );
    assert!(
        text.contains("revert: aws ec2 replace-route --route-table-id rtb-0a000002 --destination-cidr-block 0.0.0.0/0 --nat-gateway-id nat-0a000001"),
        "{text}"
    );
    assert!(
        text.contains("net change from start to end: none"),
        "{text}"
    );
    settings().bind(|| insta::assert_snapshot!("example_replay_text", text));
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let (code, json, _) = vpcsim(&json_args);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&json).expect("replay prints JSON");
    assert_eq!(v["schema"], "vpcsim/replay/v1");
    assert_eq!(v["summary"]["exposure"]["new_exposure"], 1);
    assert_eq!(v["events"][1]["exposure"][0]["kind"], "INTERNET_EXPOSED");
    assert_eq!(
        v["events"][3]["exposure"][0]["kind"],
        "INTERNET_EXPOSURE_REMOVED"
    );
    settings().bind(|| insta::assert_snapshot!("example_replay_json", json));
    // Gating on critical only: the exposure is high, so the gate passes.
    let mut gate = args.to_vec();
    gate.extend(["--min-severity", "critical"]);
    assert_eq!(vpcsim(&gate).0, 0);
}

#[test]
fn example_reach_json() {
    let (code, out, _) = vpcsim(&[
        "reach",
        "--snapshot",
        "scenarios/example-topology/topology.toml",
        "--subnet",
        "subnet-0a000002",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("reach prints JSON");
    assert_eq!(v["schema"], "vpcsim/reach/v1");
    assert_eq!(v["subnets"][0]["association"], "main");
    assert_eq!(v["subnets"][0]["ipv4"]["internet"], "outbound-only");
    settings().bind(|| insta::assert_snapshot!("example_reach_json", out));
}

#[test]
fn traces_text_and_json() {
    let cases: &[(&str, &str, &str)] = &[
        ("example-topology", "i-0a000002", "8.8.8.8"),
        ("example-topology", "subnet-0a000001", "8.8.8.8"),
        ("example-topology", "10.0.2.5", "172.20.3.4"),
        ("example-topology", "internet", "198.51.100.5"),
        (
            "blackhole-deleted-nat-detached-igw",
            "i-0c000001",
            "8.8.8.8",
        ),
        ("peering-not-transitive", "subnet-0d00000b", "10.3.1.9"),
        ("gateway-route-table-firewall", "internet", "198.51.100.41"),
        ("dual-stack-egress-only", "subnet-01000002", "2600::1"),
    ];
    let mut text = String::new();
    for (scenario, from, to) in cases {
        let path = format!("scenarios/{scenario}/topology.toml");
        let (code, out, err) = vpcsim(&["trace", "--snapshot", &path, "--from", from, "--to", to]);
        assert_eq!(code, 0, "{err}");
        text.push_str(&format!("# {scenario}\n{out}\n"));
    }
    settings().bind(|| insta::assert_snapshot!("traces_text", text));

    let (code, out, _) = vpcsim(&[
        "trace",
        "--snapshot",
        "scenarios/example-topology/topology.toml",
        "--from",
        "i-0a000002",
        "--to",
        "8.8.8.8",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("trace prints JSON");
    assert_eq!(v["disposition"], "EXITS_TO_INTERNET");
    assert_eq!(v["hops"][3]["matched"], "0.0.0.0/0");
    assert_eq!(v["hops"][3]["target"], "nat-0a000001");
    settings().bind(|| insta::assert_snapshot!("trace_json", out));
}

#[test]
fn cli_output_is_deterministic_and_uncoloured_when_piped() {
    let args = [
        "reach",
        "--snapshot",
        "scenarios/example-topology/topology.toml",
    ];
    let (c1, a, _) = vpcsim(&args);
    let (c2, b, _) = vpcsim(&args);
    assert_eq!((c1, c2), (0, 0));
    assert_eq!(a, b);
    assert!(
        !a.contains('\x1b'),
        "no ANSI escapes when stdout is not a terminal"
    );
    let (_, coloured, _) = vpcsim(&[
        "reach",
        "--snapshot",
        "scenarios/example-topology/topology.toml",
        "--color",
        "always",
    ]);
    assert!(coloured.contains('\x1b'));
}

#[test]
fn cli_missing_snapshot_is_exit_2_with_advice() {
    let (code, out, err) = vpcsim(&["reach", "--snapshot", "no/such/dir"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("no/such/dir") && err.contains("no such file or directory"),
        "{err}"
    );
}

#[test]
fn cli_unknown_subnet_and_bad_address_are_exit_2() {
    let (code, _, err) = vpcsim(&[
        "reach",
        "--snapshot",
        "scenarios/example-topology/topology.toml",
        "--subnet",
        "subnet-ffffffff",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("subnet-ffffffff is not in the snapshot"),
        "{err}"
    );
    let (code, _, err) = vpcsim(&[
        "trace",
        "--snapshot",
        "scenarios/example-topology/topology.toml",
        "--from",
        "i-0a000002",
        "--to",
        "10.0.0.0/8",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("not an IPv4 or IPv6 address"), "{err}");
    let (code, _, err) = vpcsim(&[
        "trace",
        "--snapshot",
        "scenarios/example-topology/topology.toml",
        "--from",
        "eni-ffff",
        "--to",
        "8.8.8.8",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("eni-ffff is not in the snapshot"), "{err}");
    let (code, _, _) = vpcsim(&["reach"]);
    assert_eq!(code, 2, "missing --snapshot is a usage error");
}

#[test]
fn cli_topology_errors_name_file_line_and_field() {
    let dir = std::env::temp_dir().join(format!("vpcsim-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        "[[vpc]]\nid = \"vpc-1\"\ncidrs = [\"10.0.0.0/16\"]\n\n[[route_table]]\nid = \"rtb-1\"\nvpc = \"vpc-1\"\nroutes = [\"0.0.0.0/0 -> igw-1\", \"10.300.0.0/16 -> igw-1\"]\n",
    )
    .expect("write fixture");
    let (code, _, err) = vpcsim(&["reach", "--snapshot", bad.to_str().expect("utf-8 path")]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.toml:8:"), "line number in {err}");
    assert!(
        err.contains("route_table.routes") && err.contains("10.300.0.0/16"),
        "{err}"
    );
    let unknown = dir.join("unknown.toml");
    std::fs::write(
        &unknown,
        "[[vpc]]\nid = \"vpc-1\"\ncidr = \"10.0.0.0/16\"\n",
    )
    .expect("write fixture");
    let (code, _, err) = vpcsim(&["reach", "--snapshot", unknown.to_str().expect("utf-8 path")]);
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown.toml:3:") && err.contains("unknown field `cidr`"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn readme_topology_example_loads() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let start = readme.find("```toml\n").expect("README has a TOML example") + "```toml\n".len();
    let len = readme[start..].find("```").expect("closed block");
    let mut loaded = snapshot::topology::load_str(&readme[start..start + len], "README.md")
        .expect("README example parses");
    snapshot::finish(&mut loaded);
    let net = &loaded.network;
    assert_eq!(net.subnets.len(), 2);
    assert!(net.edge_route_table("igw-0a000001").is_some());
    let engine = Engine::new(net);
    let t = engine
        .trace(net, "internet", "198.51.100.21".parse().expect("address"))
        .expect("trace");
    assert_eq!(t.disposition, vpcsim::reach::Disposition::Delivered);
}

#[test]
fn every_module_has_a_doc_paragraph() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut missing = Vec::new();
    let mut stack = vec![root.join("src"), root.join("tests"), root.join("benches")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                if !text.trim_start().starts_with("//!") {
                    missing.push(p.display().to_string());
                }
            }
        }
    }
    missing.sort();
    assert!(
        missing.is_empty(),
        "files without a //! paragraph: {missing:?}"
    );
}

#[test]
fn cli_bad_record_is_reported_and_the_rest_still_reported() {
    // House rule: bad input gets a clear error naming the file, record and field, and nothing
    // else is lost: the run goes on, and the exit code says the input was bad.
    let dir = std::env::temp_dir().join(format!("vpcsim-partial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(
        dir.join("vpcs.json"),
        r#"{"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}]}"#,
    )
    .expect("write");
    std::fs::write(
        dir.join("subnets.json"),
        r#"{"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24"},
                        {"SubnetId": "subnet-2", "VpcId": "vpc-1", "CidrBlock": 42}]}"#,
    )
    .expect("write");
    let (code, out, err) = vpcsim(&["reach", "--snapshot", dir.to_str().expect("utf-8")]);
    assert_eq!(code, 2, "{err}");
    assert!(
        out.contains("subnet-1"),
        "the readable subnet is still reported: {out}"
    );
    assert!(
        err.contains("subnets.json") && err.contains("Subnets[1].CidrBlock"),
        "{err}"
    );
    assert!(err.contains("could not be read"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Review finding (helper report, ingress routing): with the standard inspection design (the
/// web subnet's 0.0.0.0/0 to a firewall appliance whose own subnet routes to the internet
/// gateway), replies do reach the internet: no NO_RETURN_ROUTE, and the trace says replies pass
/// the appliance.
#[test]
fn replies_through_an_inspection_appliance_reach_the_internet() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/gateway-route-table-firewall/topology.toml"),
    )
    .expect("the scenario topology");
    let dir = std::env::temp_dir().join(format!("vpcsim-inspection-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("topology.toml");
    let with_return = format!(
        "{text}\n[[route_table]]\nid = \"rtb-0e0000aa\"\nvpc = \"vpc-0e000001\"\nsubnets = [\"subnet-0e000001\"]\nroutes = [\"0.0.0.0/0 -> eni-0e0000f0\"]\n"
    );
    std::fs::write(&path, with_return).expect("write");
    let p = path.to_string_lossy().into_owned();
    let (code, out, err) = vpcsim(&[
        "trace",
        "--snapshot",
        &p,
        "--from",
        "internet",
        "--to",
        "198.51.100.41",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let codes: Vec<&str> = v["explanations"]
        .as_array()
        .expect("explanations")
        .iter()
        .filter_map(|e| e["code"].as_str())
        .collect();
    assert_eq!(v["disposition"], "DELIVERED");
    assert!(codes.contains(&"RETURN_VIA_APPLIANCE"), "{codes:?}");
    assert!(!codes.contains(&"NO_RETURN_ROUTE"), "{codes:?}");
    // Without any route back (the appliance's subnet table routes nothing to the gateway), the
    // missing return path is still reported.
    let no_return = format!(
        "{}\n[[route_table]]\nid = \"rtb-0e0000aa\"\nvpc = \"vpc-0e000001\"\nsubnets = [\"subnet-0e000001\"]\nroutes = [\"0.0.0.0/0 -> eni-0e000001\"]\n",
        text
    );
    std::fs::write(&path, no_return).expect("write");
    let (_, out, _) = vpcsim(&[
        "trace",
        "--snapshot",
        &p,
        "--from",
        "internet",
        "--to",
        "198.51.100.41",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let codes: Vec<&str> = v["explanations"]
        .as_array()
        .expect("explanations")
        .iter()
        .filter_map(|e| e["code"].as_str())
        .collect();
    assert!(codes.contains(&"NO_RETURN_ROUTE"), "{codes:?}");
    let _ = std::fs::remove_dir_all(dir);
}

/// A reader that closes the pipe early (`vpcsim reach --format json | head`) is not an error:
/// the JSON writer hands back the pipe's own error, which the CLI recognises and ends quietly
/// on (it used to wrap it, and the CLI printed "cannot write the output: Broken pipe").
#[test]
fn a_closed_pipe_reaches_the_cli_as_a_closed_pipe() {
    /// Takes `room` bytes, then fails as a closed pipe does.
    struct ClosedAfter {
        room: usize,
    }
    impl std::io::Write for ClosedAfter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.room == 0 {
                return Err(std::io::ErrorKind::BrokenPipe.into());
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let loaded = snapshot::load(Path::new("scenarios/example-topology/topology.toml"))
        .expect("the example loads");
    let net = &loaded.network;
    let engine = Engine::new(net);
    for room in [0, 10, 500] {
        let ids = net.subnets.keys().cloned().collect();
        let e = report::write_reach_json(ClosedAfter { room }, engine.reach_stream(net, ids), &[])
            .expect_err("the pipe is closed");
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
        let ids = net.subnets.keys().cloned().collect();
        let e = report::write_reach_text(
            ClosedAfter { room },
            engine.reach_stream(net, ids),
            Style { color: false },
        )
        .expect_err("the pipe is closed");
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
}
