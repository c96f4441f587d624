//! The scenario library and the scenario machinery.
//!
//! Index:
//! - `every_bundled_scenario_passes`: every `scenarios/*/scenario.toml` runs and all its
//!   expectations hold (the library's regression test, `vpcsim test` semantics);
//! - `scenario`: the same scenarios through reviewed insta snapshots of their whole report
//!   (`snapshots/scenario@<name>__scenario.toml.snap`);
//! - `library_*`: the library's size and that each scenario directory holds a scenario;
//! - `errors_*`: scenario files with mistakes give errors naming file, line and field;
//! - `failing_*`: a failed expectation says what was expected and what came out;
//! - `cli_test_*`: `vpcsim test` exit codes and its text, JSON and JUnit output;
//! - `inline_events_*`: the short form and the envelope keys become the records they claim.

use std::path::{Path, PathBuf};
use std::process::Command;
use vpcsim::report::Style;
use vpcsim::report::scenario::scenario_text;
use vpcsim::scenario::{self, run};

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../snapshots");
    s.set_prepend_module_to_snapshot(false);
    s
}

fn vpcsim(args: &[&str], dir: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("the vpcsim binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The bundled scenarios, as paths relative to the package root (what the reports show).
fn bundled() -> Vec<PathBuf> {
    let found =
        scenario::discover(&[root().join("scenarios")]).expect("scenarios/ holds scenarios");
    found
        .iter()
        .map(|p| {
            p.strip_prefix(root())
                .map(Path::to_path_buf)
                .unwrap_or_else(|_| p.clone())
        })
        .collect()
}

#[test]
fn every_bundled_scenario_passes() {
    let mut failures = Vec::new();
    let all = bundled();
    for dir in &all {
        let s = match scenario::load(dir) {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("{}: {e}", dir.display()));
                continue;
            }
        };
        match run::run(&s) {
            Ok(o) => {
                assert!(
                    !o.checks.is_empty(),
                    "{}: a scenario must check something",
                    dir.display()
                );
                for c in o.failures() {
                    failures.push(format!(
                        "{} {}\n  expected: {}\n  actual:   {}",
                        c.location, c.what, c.expected, c.actual
                    ));
                }
            }
            Err(e) => failures.push(format!("{}: {e}", dir.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A bundled scenario (the glob's `path` to its `scenario.toml`), loaded by its relative path,
/// as the reports show it, and run.
fn load_and_run(path: &Path) -> (scenario::Scenario, run::Outcome) {
    let name = path
        .parent()
        .and_then(|p| p.file_name())
        .expect("a scenario directory");
    let rel = Path::new("scenarios").join(name);
    let s = scenario::load(&rel).expect("the scenario reads");
    let o = run::run(&s).expect("the scenario runs");
    (s, o)
}

#[test]
fn scenario() {
    settings().bind(|| {
        insta::glob!("../scenarios", "*/scenario.toml", |path| {
            let (s, o) = load_and_run(path);
            insta::assert_snapshot!(scenario_text(&s, &o, Style::default()));
        });
    });
}

/// Issue #4 asks for text and JSON snapshots of every scenario: the replay's JSON report
/// (`vpcsim/replay/v1`: every record's outcome, exposure changes with attribution and revert,
/// net change, findings), the diagnostics left out (the text snapshot has them).
#[test]
fn scenario_json() {
    settings().bind(|| {
        insta::glob!("../scenarios", "*/scenario.toml", |path| {
            let (_, o) = load_and_run(path);
            let files = vpcsim::report::replay::Files {
                read: o.files_read,
                skipped: o.files_skipped,
                errors: &o.file_errors,
            };
            let json = vpcsim::report::replay::replay_json(
                &o.replay,
                &files,
                &[],
                vpcsim::exposure::Severity::Info,
            );
            // Valid JSON of the documented schema, then pinned as it is printed.
            let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
            assert_eq!(v["schema"], "vpcsim/replay/v1");
            insta::assert_snapshot!(json);
        });
    });
}

/// Issue #5 asks for a library of at least 40 scenarios, each with a description a newcomer
/// can learn from; every directory under scenarios/ is a scenario.
#[test]
fn library_has_forty_described_scenarios() {
    let all = bundled();
    assert!(all.len() >= 40, "only {} scenarios", all.len());
    for dir in &all {
        let s = scenario::load(dir).expect("reads");
        let words = s.spec.description.get_ref().split_whitespace().count();
        assert!(
            words >= 25,
            "{}: the description has {words} words; say what happens, why it matters and what a responder concludes",
            dir.display()
        );
        let name = s.name.as_str();
        assert!(
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{name} is not kebab-case"
        );
    }
    for entry in std::fs::read_dir(root().join("scenarios")).expect("scenarios/") {
        let entry = entry.expect("entry");
        if entry.path().is_dir() {
            assert!(
                entry.path().join(scenario::FILE_NAME).is_file(),
                "{} has no scenario.toml",
                entry.path().display()
            );
        }
    }
}

fn parse_err(text: &str) -> String {
    scenario::parse(text, "s.toml")
        .expect_err("the file is wrong")
        .to_string()
}

const MINIMAL: &str = "title = \"t\"\ndescription = \"d\"\n";

#[test]
fn errors_name_file_line_and_field() {
    let e = parse_err("title = \"t\"\ndescription = \"d\"\ntitel = \"x\"\n");
    assert!(e.starts_with("s.toml:3:1"), "{e}");
    assert!(e.contains("titel"), "{e}");
    let e = parse_err(&format!(
        "{MINIMAL}\n[[expect.change]]\nkind = \"INTERNET_EXPOSE\"\n"
    ));
    assert!(e.contains("s.toml:5:8 (expect.change.kind)"), "{e}");
    assert!(
        e.contains("\"INTERNET_EXPOSED\""),
        "the error lists the vocabulary: {e}"
    );
    let e = parse_err(&format!(
        "{MINIMAL}\n[[event]]\ndo = \"create-route rtb-1 0.0.0.0/0 igw-1\"\n"
    ));
    assert!(e.contains("s.toml:5:6 (event.do)"), "{e}");
    assert!(e.contains("create-route RTB DEST -> TARGET"), "{e}");
    let e = parse_err(&format!(
        "{MINIMAL}\n[[event]]\ncli = \"aws ec2 create-route --route-table rtb-1\"\n"
    ));
    assert!(e.contains("(event.cli)"), "{e}");
    assert!(e.contains("--route-table-id"), "{e}");
    // Several mistakes: all of them.
    let e = parse_err(&format!(
        "{MINIMAL}\n[[expect.trace]]\nfrom = \"subnet-1\"\nto = \"8.8.8\"\ndisposition = \"EXIT\"\n\n[[expect.event]]\noutcome = \"applied\"\n"
    ));
    assert!(e.contains("(expect.trace.to)"), "{e}");
    assert!(e.contains("(expect.trace.disposition)"), "{e}");
    assert!(e.contains("s.toml:9:1 (expect.event)"), "{e}");
    let e = parse_err(&format!(
        "{MINIMAL}snapshot = \"x.toml\"\n[topology]\naccount = \"1\"\n"
    ));
    assert!(e.contains("(snapshot)"), "{e}");
    let e = parse_err(&format!(
        "{MINIMAL}\n[[event]]\nfile = \"t.json\"\nby = \"arn:aws:iam::1:user/x\"\n"
    ));
    assert!(e.contains("(event.file)"), "{e}");
}

#[test]
fn errors_in_the_inline_topology_name_the_scenario_line() {
    let dir = tempdir("inline-topology-error");
    std::fs::write(
        dir.join("scenario.toml"),
        format!(
            "{MINIMAL}\n[[expect.internet]]\nsubnet = \"subnet-1\"\nipv4 = \"isolated\"\n\n[topology]\n[[topology.vpc]]\nid = \"vpc-1\"\ncidrs = [\"10.0.0.0/33\"]\n"
        ),
    )
    .expect("write");
    let s = scenario::load(&dir).expect("the scenario file itself reads");
    let e = run::run(&s)
        .err()
        .expect("the topology is wrong")
        .to_string();
    assert!(e.contains("scenario.toml:11:"), "{e}");
    assert!(e.contains("10.0.0.0/33"), "{e}");
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("vpcsim-scenarios-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

const TOPOLOGY: &str = r#"
[topology]
account = "111122223333"
region = "eu-central-1"

[[topology.vpc]]
id = "vpc-01"
cidrs = ["10.0.0.0/16"]

[[topology.subnet]]
id = "subnet-01"
vpc = "vpc-01"
cidr = "10.0.1.0/24"

[[topology.internet_gateway]]
id = "igw-01"
vpc = "vpc-01"

[[topology.route_table]]
id = "rtb-01"
vpc = "vpc-01"
main = true
"#;

fn write_scenario(name: &str, body: &str) -> PathBuf {
    let dir = tempdir(name);
    std::fs::write(
        dir.join("scenario.toml"),
        format!("title = \"{name}\"\ndescription = \"d\"\n{body}\n{TOPOLOGY}"),
    )
    .expect("write");
    dir
}

#[test]
fn failing_expectations_say_expected_and_actual() {
    let dir = write_scenario(
        "failing",
        r#"
[[event]]
do = "create-route rtb-01 0.0.0.0/0 -> igw-01"

[[expect.event]]
event = 1
outcome = "failed_in_aws"

[[expect.change]]
kind = "INTERNET_EXPOSED"
severity = "critical"

[[expect.trace]]
from = "subnet-01"
to = "8.8.8.8"
after = 0
disposition = "EXITS_TO_INTERNET"

[[expect.internet]]
subnet = "subnet-01"
ipv4 = "public"
"#,
    );
    let s = scenario::load(&dir).expect("reads");
    let o = run::run(&s).expect("runs");
    let failed: Vec<_> = o.failures().collect();
    assert_eq!(failed.len(), 3, "{failed:#?}");
    assert_eq!(failed[0].what, "event 1 (CreateRoute) outcome");
    assert_eq!(
        (failed[0].expected.as_str(), failed[0].actual.as_str()),
        ("failed_in_aws", "applied")
    );
    // No host has a public address: high, not critical; the actual change is listed.
    assert!(
        failed[1]
            .actual
            .contains("INTERNET_EXPOSED [high] subnet-01"),
        "{:?}",
        failed[1]
    );
    assert!(
        failed[1].location.ends_with("scenario.toml:11:1"),
        "{}",
        failed[1].location
    );
    // Before the event the subnet has no route out.
    assert_eq!(failed[2].what, "trace subnet-01 -> 8.8.8.8 at the start");
    assert!(failed[2].actual.starts_with("NO_ROUTE"), "{:?}", failed[2]);
    // The internet class at the end holds.
    assert!(o.checks.last().is_some_and(|c| c.passed));
}

#[test]
fn cli_test_exit_codes_and_formats() {
    let pass = write_scenario(
        "passes",
        r#"
[[event]]
do = "create-route rtb-01 0.0.0.0/0 -> igw-01"

[[expect.internet]]
subnet = "subnet-01"
ipv4 = "public"
"#,
    );
    let fail = write_scenario(
        "fails",
        r#"
[[expect.internet]]
subnet = "subnet-01"
ipv4 = "public"
"#,
    );
    let broken = tempdir("broken");
    std::fs::write(broken.join("scenario.toml"), "title = \"x\"\n").expect("write");
    let p = pass.display().to_string();
    let f = fail.display().to_string();
    let b = broken.display().to_string();
    let here = root();

    let (code, out, err) = vpcsim(&["test", &p, "--color", "never"], &here);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("PASS "), "{out}");
    assert!(out.contains("1 passed, 0 failed, 0 could not run"), "{out}");

    let (code, out, _) = vpcsim(&["test", &p, &f, "--color", "never"], &here);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL "), "{out}");
    assert!(out.contains("expected: public"), "{out}");
    assert!(out.contains("actual:   isolated"), "{out}");

    let (code, out, err) = vpcsim(&["test", &p, &f, &b, "--color", "never"], &here);
    assert_eq!(code, 2, "a broken scenario is an input error: {out}{err}");
    assert!(out.contains("ERROR"), "{out}");
    assert!(out.contains("missing field `description`"), "{out}");
    assert!(out.contains("PASS "), "the others still run: {out}");

    let (code, out, _) = vpcsim(&["test", &p, &f, "--format", "json"], &here);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["schema"], "vpcsim/test/v1");
    assert_eq!(v["summary"]["passed"], 1);
    assert_eq!(v["summary"]["failed"], 1);
    // Scenarios run in path order: "...-fails" before "...-passes".
    assert_eq!(v["scenarios"][0]["status"], "fail");
    assert_eq!(v["scenarios"][1]["status"], "pass");
    assert_eq!(v["scenarios"][0]["checks"][0]["expected"], "public");
    assert_eq!(v["scenarios"][0]["checks"][0]["actual"], "isolated");

    let (code, out, _) = vpcsim(&["test", &p, &f, &b, "--format", "junit"], &here);
    assert_eq!(code, 2);
    assert!(
        out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
        "{out}"
    );
    assert!(
        out.contains("tests=\"3\" failures=\"1\" errors=\"1\""),
        "{out}"
    );
    assert!(out.contains("<failure message=\"internet class of subnet-01 ipv4 at the end: expected public, got isolated\""), "{out}");
    assert!(out.contains("<error message="), "{out}");
    assert_eq!(out.matches("<testcase ").count(), 3);

    // A path without a scenario is reported like a scenario that cannot run, in every format
    // (the CI report file is never empty).
    let (code, out, _) = vpcsim(&["test", "/nonexistent-scenarios", &p], &here);
    assert_eq!(code, 2);
    assert!(out.contains("ERROR  /nonexistent-scenarios"), "{out}");
    assert!(out.contains("no such file or directory"), "{out}");
    assert!(out.contains("PASS "), "{out}");
    let (code, out, _) = vpcsim(
        &["test", "/nonexistent-scenarios", "--format", "junit"],
        &here,
    );
    assert_eq!(code, 2);
    assert!(out.contains("errors=\"1\""), "{out}");
    // A scenario file given directly, from its own directory, and the same scenario given twice.
    let (code, out, err) = vpcsim(&["test", "scenario.toml", "--color", "never"], &pass);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("PASS   scenario.toml"), "{out}");
    let dotted = format!("{}/./", pass.display());
    let (_, out, _) = vpcsim(&["test", &p, &dotted, "--color", "never"], &here);
    assert_eq!(out.matches("PASS ").count(), 1, "runs once: {out}");
}

#[test]
fn inline_events_become_the_records_they_claim() {
    let dir = write_scenario(
        "envelope",
        r#"
[options]
start = "2026-05-01T12:00:00Z"

[[event]]
do = "create-route-table vpc-01"
creates = "rtb-0beef"
by = "arn:aws:sts::111122223333:assumed-role/ops/alice"
source_ip = "192.0.2.44"

[[event]]
do = "associate rtb-0beef subnet-01"
creates = "rtbassoc-0beef"

[[event]]
do = "create-route rtb-0beef 0.0.0.0/0 -> igw-01"
dry_run = true

[[event]]
cli = "aws ec2 create-route --route-table-id rtb-0beef --destination-cidr-block 0.0.0.0/0 --gateway-id igw-01"
at = "2026-05-01T12:30:00Z"
id = "fixed-id"

[[event]]
cli = "aws ec2 create-route --route-table-id rtb-0beef --destination-cidr-block 0.0.0.0/0 --gateway-id igw-01"
at = "2026-05-01T12:30:00Z"
id = "fixed-id"

[expect.summary]
records = 5
"#,
    );
    let s = scenario::load(&dir).expect("reads");
    let o = run::run(&s).expect("runs");
    let ev = &o.replay.events;
    assert_eq!(ev.len(), 5);
    assert_eq!(ev[0].event_time.as_deref(), Some("2026-05-01T12:00:00Z"));
    assert_eq!(ev[1].event_time.as_deref(), Some("2026-05-01T12:01:00Z"));
    assert_eq!(
        ev[0].principal.as_deref(),
        Some("arn:aws:sts::111122223333:assumed-role/ops/alice")
    );
    assert_eq!(ev[0].source_ip.as_deref(), Some("192.0.2.44"));
    assert_eq!(ev[0].account.as_deref(), Some("111122223333"));
    assert_eq!(ev[0].region.as_deref(), Some("eu-central-1"));
    assert_eq!(ev[0].event_id, Some(format!("{}-1", s.name)));
    assert_eq!(ev[0].outcome.name(), "applied");
    assert_eq!(ev[1].outcome.name(), "applied");
    assert_eq!(ev[2].outcome.name(), "failed_in_aws");
    assert_eq!(ev[2].error_code.as_deref(), Some("DryRunOperation"));
    assert_eq!(ev[3].outcome.name(), "applied");
    assert_eq!(ev[3].event_id.as_deref(), Some("fixed-id"));
    assert_eq!(ev[4].outcome.name(), "duplicate");
    let net = o
        .replay
        .net
        .iter()
        .map(|c| c.kind.name())
        .collect::<Vec<_>>();
    assert_eq!(net, ["INTERNET_EXPOSED"]);
    assert_eq!(ev[3].exposure.len(), 1);
    assert_eq!(ev[3].exposure[0].subnet_id.as_str(), "subnet-01");
}

#[test]
fn type_errors_and_empty_scenarios_name_the_field() {
    let e = parse_err(
        "title = \"t\"\ndescription = \"d\"\n\n[[expect.change]]\nkind = \"BLACKHOLED\"\nsubnet = 5\n",
    );
    assert!(e.contains("s.toml:6:10 (expect.change.subnet)"), "{e}");
    let e = parse_err("title = 5\ndescription = \"d\"\n");
    assert!(e.contains("s.toml:1:9 (title)"), "{e}");
    // A scenario that checks nothing is an error, not a pass.
    let e = parse_err(MINIMAL);
    assert!(e.contains("(expect): the scenario checks nothing"), "{e}");
    let e = parse_err(&format!(
        "{MINIMAL}\n[options]\nroute_limit = 0\n\n[[event]]\ndo = \"delete-route rtb-1 10.0.0.0/8\"\nerror = \"\"\n\n[expect.summary]\nrecords = 1\n"
    ));
    assert!(e.contains("s.toml:5:1 (options.route_limit)"), "{e}");
    assert!(e.contains("(event.error): an empty error code"), "{e}");
}

#[test]
fn events_written_on_one_line_stay_apart() {
    // Review finding: two inline events on one line (an inline array) must be told apart, or
    // the state after the first includes the second.
    let dir = write_scenario(
        "one-line",
        r#"
event = [ { do = "create-route rtb-01 0.0.0.0/0 -> igw-01" }, { do = "delete-route rtb-01 0.0.0.0/0" } ]

[[expect.internet]]
subnet = "subnet-01"
after = 1
ipv4 = "public"

[[expect.internet]]
subnet = "subnet-01"
ipv4 = "isolated"
"#,
    );
    let s = scenario::load(&dir).expect("reads");
    let o = run::run(&s).expect("runs");
    assert!(o.passed(), "{:#?}", o.checks);
    assert_ne!(o.replay.events[0].location, o.replay.events[1].location);
}

#[test]
fn a_broken_event_file_means_the_scenario_cannot_run() {
    let dir = write_scenario(
        "broken-file",
        "\n[[event]]\nfile = \"t.json\"\n\n[expect.summary]\nrecords = 0\n",
    );
    std::fs::write(dir.join("t.json"), "{not json").expect("write");
    let s = scenario::load(&dir).expect("reads");
    let e = run::run(&s).err().expect("an input error").to_string();
    assert!(e.contains("(event.file)"), "{e}");
    assert!(e.contains("t.json"), "{e}");
}

#[test]
fn junit_never_carries_characters_xml_forbids() {
    let dir = write_scenario(
        "odd-chars",
        "\n[[expect.internet]]\nsubnet = \"subnet-\\uFFFE\\u0001\"\nipv4 = \"public\"\n",
    );
    let d = dir.display().to_string();
    let (code, out, _) = vpcsim(&["test", &d, "--format", "junit"], &root());
    assert_eq!(code, 1);
    assert!(!out.contains('\u{FFFE}') && !out.contains('\u{1}'), "{out}");
    assert!(out.contains("subnet-??"), "{out}");
}
