//! The Batfish-equivalent scenarios, `scenarios/batfish-<snapshot>/`: each reproduces one of the
//! six real Batfish snapshots (`../shared/data/snapshots/batfish/<snapshot>`) as an inline
//! topology with the same IDs and addresses, and expects at the start (`after = 0`) the flows
//! Batfish asserts on it (`EXPECTATIONS.md`). Two checks:
//!
//! - every `batfish-*` scenario passes on its own inline topology (no real data needed);
//! - with `VPCSIM_REAL_DATA` set, the same scenario run from the real snapshot instead
//!   (`run_on`) passes every trace and internet-class expectation of the starting state: the
//!   inline topology and the original agree on what Batfish checks. Expectations about later
//!   events are not compared there (they are the scenario's own story). Without the variable the
//!   test prints `skipped` and returns.
//!
//! The real files are read in place, never copied into the repository.

#[path = "support/real_data.rs"]
mod real_data;

use std::path::{Path, PathBuf};
use vpcsim::scenario;
use vpcsim::scenario::run::{self, Check, Start};

/// The six Batfish snapshots, as named under `snapshots/batfish/`, in sorted order.
const SNAPSHOTS: [&str; 6] = [
    "test-nat-gateway",
    "test-public-private-subnet",
    "test-public-subnet",
    "test-subnet",
    "test-vpc-endpoint-gateway",
    "test-vpn-gateway",
];

/// Every `scenarios/batfish-*` directory, sorted, with the name of the snapshot it mirrors.
fn batfish_scenarios() -> Vec<(String, PathBuf)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut found: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .filter_map(|entry| {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let snapshot = name.strip_prefix("batfish-")?.to_string();
            path.is_dir().then_some((snapshot, path))
        })
        .collect();
    found.sort();
    found
}

/// A check of the starting state that Batfish's flows map to: a trace or an internet class
/// with `after = 0`.
fn is_start_flow(c: &Check) -> bool {
    (c.what.starts_with("trace") || c.what.starts_with("internet class"))
        && c.what.ends_with("at the start")
}

fn describe(c: &Check) -> String {
    format!(
        "  {}  {}\n      expected: {}\n      actual:   {}",
        c.location, c.what, c.expected, c.actual
    )
}

fn load(name: &str, dir: &Path) -> scenario::Scenario {
    scenario::load(dir).unwrap_or_else(|e| panic!("batfish-{name} cannot be read:\n{e}"))
}

#[test]
fn one_scenario_per_batfish_snapshot() {
    let names: Vec<String> = batfish_scenarios().into_iter().map(|(n, _)| n).collect();
    let want: Vec<String> = SNAPSHOTS.iter().map(|s| s.to_string()).collect();
    assert_eq!(names, want, "scenarios/batfish-<snapshot> directories");
}

#[test]
fn batfish_scenarios_pass_on_their_inline_topologies() {
    let all = batfish_scenarios();
    assert!(!all.is_empty(), "no scenarios/batfish-* directory");
    for (name, dir) in &all {
        let s = load(name, dir);
        // The originals must not be copied in: the starting state is the inline topology.
        assert!(
            s.spec.snapshot.is_none() && s.spec.topology.is_some(),
            "batfish-{name}: the starting state must be an inline [topology], not a snapshot file"
        );
        let outcome = run::run(&s).unwrap_or_else(|e| panic!("batfish-{name} cannot run:\n{e}"));
        assert_eq!(outcome.start, Start::Inline, "batfish-{name}");
        let failed: Vec<String> = outcome.failures().map(describe).collect();
        assert!(
            failed.is_empty(),
            "batfish-{name}: {} of {} checks failed:\n{}",
            failed.len(),
            outcome.checks.len(),
            failed.join("\n")
        );
        assert!(
            outcome.checks.iter().any(is_start_flow),
            "batfish-{name}: no trace or internet-class expectation with after = 0"
        );
        assert!(
            !outcome.replay.events.is_empty(),
            "batfish-{name}: at least one event"
        );
    }
}

#[test]
fn batfish_scenarios_hold_on_the_real_snapshots() {
    let Some(root) = real_data::real_data() else {
        return;
    };
    let batfish = root.join("snapshots").join("batfish");
    let all = batfish_scenarios();
    assert_eq!(
        all.len(),
        SNAPSHOTS.len(),
        "one scenario per Batfish snapshot"
    );
    for (name, dir) in &all {
        let real = batfish.join(name);
        assert!(
            real.is_dir(),
            "batfish-{name}: {} is not a directory",
            real.display()
        );
        let s = load(name, dir);
        let outcome = run::run_on(&s, Some(real.as_path()))
            .unwrap_or_else(|e| panic!("batfish-{name} cannot run from {}:\n{e}", real.display()));
        assert!(
            matches!(outcome.start, Start::Snapshot(_)),
            "batfish-{name}: started from {:?}, not the real snapshot",
            outcome.start
        );
        let flows = outcome.checks.iter().filter(|c| is_start_flow(c)).count();
        assert!(
            flows > 0,
            "batfish-{name}: no trace or internet-class expectation with after = 0"
        );
        let failed: Vec<String> = outcome
            .checks
            .iter()
            .filter(|c| is_start_flow(c) && !c.passed)
            .map(describe)
            .collect();
        assert!(
            failed.is_empty(),
            "batfish-{name} on {}: {} of {flows} expectations of the starting state failed:\n{}",
            real.display(),
            failed.len(),
            failed.join("\n")
        );
    }
}
