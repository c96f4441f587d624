//! `vpcsim generate`: labelled training trails.
//!
//! Index:
//! - `same_seed_same_bytes`: the same seed and options give byte-identical files; another
//!   seed gives another trail;
//! - `trail_replays_cleanly_and_matches_labels`: the written trail, read back from the S3
//!   layout and replayed onto the written snapshot, has no malformed and no diverged record,
//!   every record is accounted for, every episode shows the exposure its pattern means, no
//!   benign call causes a severe kind, and the denial-of-service findings match the floods;
//! - `cli_generate_*`: the command's output and its refusals.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use vpcsim::generate::{Options, generate};

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("vpcsim-generate-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).expect("inside").to_path_buf(),
                std::fs::read(e.path()).expect("readable"),
            )
        })
        .collect()
}

fn small(seed: u64) -> Options {
    Options {
        seed,
        accounts: 2,
        vpcs: 3,
        days: 2,
        events_per_day: 150,
        attack_rate: 0.05,
        noise_rate: 3.0,
    }
}

#[test]
fn same_seed_same_bytes() {
    let (a, b, c) = (tempdir("a"), tempdir("b"), tempdir("c"));
    let sa = generate(&small(11), &a, &mut |_, _| {}).expect("generates");
    let sb = generate(&small(11), &b, &mut |_, _| {}).expect("generates");
    generate(&small(12), &c, &mut |_, _| {}).expect("generates");
    assert_eq!(sa, sb);
    let (fa, fb, fc) = (files(&a), files(&b), files(&c));
    assert!(fa.len() > 20, "{} files", fa.len());
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (k, v) in &fa {
        assert!(
            fb.get(k) == Some(v),
            "{} differs between two runs",
            k.display()
        );
    }
    assert_ne!(
        fa.get(Path::new("truth.jsonl")),
        fc.get(Path::new("truth.jsonl")),
        "another seed, another trail"
    );
    // The S3 layout: AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/<name>.json.gz.
    let trail: Vec<&PathBuf> = fa.keys().filter(|k| k.starts_with("AWSLogs")).collect();
    assert!(!trail.is_empty());
    for k in trail {
        let parts: Vec<String> = k
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        assert_eq!(parts.len(), 8, "{}", k.display());
        assert_eq!(parts[0], "AWSLogs");
        assert_eq!(parts[1].len(), 12);
        assert_eq!(parts[2], "CloudTrail");
        assert_eq!(parts[3], "us-east-1");
        assert!(parts[7].starts_with(&format!("{}_CloudTrail_us-east-1_", parts[1])));
        assert!(parts[7].ends_with(".json.gz"));
    }
    for d in [a, b, c] {
        let _ = std::fs::remove_dir_all(d);
    }
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .expect("truth.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON document per line"))
        .collect()
}

#[test]
fn trail_replays_cleanly_and_matches_labels() {
    let out = tempdir("labels");
    let mut opts = small(3);
    opts.days = 3;
    opts.attack_rate = 0.06;
    let summary = generate(&opts, &out, &mut |_, _| {}).expect("generates");
    assert!(summary.episodes >= 5, "{summary:?}");
    assert!(summary.noise > summary.route_family, "{summary:?}");
    assert!(summary.failed > 0, "{summary:?}");

    // Replayed independently of the generator's own truth.
    let loaded = vpcsim::snapshot::load(&out.join("snapshot")).expect("the snapshot loads");
    assert!(
        loaded
            .diagnostics
            .iter()
            .all(|d| d.code != "state-disagrees"),
        "{:?}",
        loaded.diagnostics
    );
    let mut net = loaded.network;
    let read = vpcsim::cloudtrail::read_inputs(&[out.join("AWSLogs")]);
    assert!(read.errors.is_empty(), "{:?}", read.errors);
    let r = vpcsim::replay::replay(
        &mut net,
        read,
        &vpcsim::replay::ReplayOptions {
            exposure: true,
            ..Default::default()
        },
    );
    let s = &r.summary;
    assert_eq!(s.malformed, 0);
    assert_eq!(s.diverged, 0);
    assert_eq!(s.records, summary.records, "every record is accounted for");
    assert_eq!(s.applied + s.failed_in_aws, summary.route_family);
    assert_eq!(s.ignored, summary.noise);
    assert_eq!(s.failed_in_aws, summary.failed);

    let truth = lines(&out.join("truth.jsonl"));
    let events: Vec<&Value> = truth.iter().filter(|v| v["type"] == "event").collect();
    let episodes: Vec<&Value> = truth.iter().filter(|v| v["type"] == "episode").collect();
    assert_eq!(events.len(), r.events.len());
    assert_eq!(episodes.len(), summary.episodes);
    assert_eq!(
        truth.last().map(|v| v["type"].clone()),
        Some("summary".into())
    );
    // The truth (computed as the trail was written) is what the replay of the files computes,
    // event by event: outcome, error code, and every change's kind, grade, subnet and ranges.
    for (t, e) in events.iter().zip(&r.events) {
        assert_eq!(t["event_id"].as_str(), e.event_id.as_deref());
        assert_eq!(t["event_time"].as_str(), e.event_time.as_deref());
        assert_eq!(t["outcome"].as_str(), Some(e.outcome.name()));
        assert_eq!(t["error_code"].as_str(), e.error_code.as_deref());
        let replayed: Vec<String> = e
            .exposure
            .iter()
            .map(|c| {
                let ranges: Vec<String> = c
                    .ranges
                    .iter()
                    .flat_map(|iv| vpcsim::addr::interval_to_cidrs(c.family, *iv))
                    .map(|n| n.to_string())
                    .collect();
                format!(
                    "{} {} {} {}",
                    c.kind.name(),
                    c.severity.name(),
                    c.subnet_id,
                    ranges.join(",")
                )
            })
            .collect();
        let truth: Vec<String> = t["exposure"]
            .as_array()
            .expect("exposure list")
            .iter()
            .map(|c| {
                let ranges: Vec<&str> = c["ranges"]
                    .as_array()
                    .expect("ranges")
                    .iter()
                    .filter_map(Value::as_str)
                    .collect();
                format!(
                    "{} {} {} {}",
                    c["kind"].as_str().unwrap_or(""),
                    c["severity"].as_str().unwrap_or(""),
                    c["subnet_id"].as_str().unwrap_or(""),
                    ranges.join(",")
                )
            })
            .collect();
        assert_eq!(replayed, truth, "{:?}", e.event_id);
    }
    let by_id: BTreeMap<&str, &vpcsim::replay::Event> = r
        .events
        .iter()
        .filter_map(|e| e.event_id.as_deref().map(|id| (id, e)))
        .collect();
    let mut attack_ids = BTreeSet::new();
    let mut patterns = BTreeSet::new();
    for ep in &episodes {
        let ids: Vec<&str> = ep["events"]
            .as_array()
            .expect("events")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(!ids.is_empty());
        patterns.insert(ep["pattern"].as_str().unwrap_or_default().to_string());
        let expected: Vec<&str> = ep["expected_kinds"]
            .as_array()
            .expect("kinds")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let seen: BTreeSet<&str> = ids
            .iter()
            .filter_map(|id| by_id.get(id))
            .flat_map(|e| e.exposure.iter().map(|c| c.kind.name()))
            .collect();
        for k in &expected {
            assert!(
                seen.contains(k),
                "{}: expected {k} (labels {expected:?}), the replay shows {seen:?}",
                ep["technique"]
            );
        }
        // The first call of an episode always went through.
        assert_eq!(
            by_id[ids[0]].outcome.name(),
            "applied",
            "{}",
            ep["technique"]
        );
        for f in ep["expected_findings"].as_array().expect("findings") {
            let kind = f.as_str().unwrap_or_default();
            assert!(
                r.findings.iter().any(|g| g.kind.name() == kind
                    && g.principal.as_deref() == ep["principal"].as_str()
                    && g.event_ids.iter().any(|id| ids.contains(&id.as_str()))),
                "{}: no {kind} finding for {}",
                ep["episode"],
                ep["principal"]
            );
        }
        // Remediation in the trail puts things back: the revert of each attack call exists.
        assert!(
            !ep["remediation"]
                .as_array()
                .expect("remediation")
                .is_empty()
                || expected.is_empty()
        );
        attack_ids.extend(ids);
        // Undoing a capture is a redirect too (back to where traffic went before).
        attack_ids.extend(
            ep["remediation_events"]
                .as_array()
                .expect("remediation events")
                .iter()
                .filter_map(Value::as_str),
        );
    }
    // No benign call causes a severe kind (only episodes and their remediation do); every
    // burst finding is a flood episode's.
    for e in &r.events {
        let severe = e.exposure.iter().any(|c| {
            matches!(
                c.kind.name(),
                "INTERNET_EXPOSED" | "TRAFFIC_REDIRECTED" | "PEER_PATH_GAINED" | "BLACKHOLED"
            )
        });
        if severe {
            assert!(
                attack_ids.contains(e.event_id.as_deref().unwrap_or("")),
                "a benign {} at {:?} caused {:?}",
                e.event_name,
                e.event_time,
                e.exposure.iter().map(|c| c.kind.name()).collect::<Vec<_>>()
            );
        }
    }
    for f in r
        .findings
        .iter()
        .filter(|f| f.kind.name() == "ROUTE_WRITE_BURST")
    {
        assert!(
            f.event_ids
                .iter()
                .all(|id| attack_ids.contains(id.as_str())),
            "a burst outside any episode: {f:?}"
        );
    }
    assert!(patterns.len() >= 2, "{patterns:?}");
    let _ = std::fs::remove_dir_all(out);
}

#[test]
fn cli_generate_writes_and_refuses_to_overwrite() {
    let out = tempdir("cli");
    let bin = env!("CARGO_BIN_EXE_vpcsim");
    let o = out.display().to_string();
    let run = |args: &[&str]| {
        let r = std::process::Command::new(bin)
            .args(args)
            .output()
            .expect("runs");
        (
            r.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&r.stdout).into_owned(),
            String::from_utf8_lossy(&r.stderr).into_owned(),
        )
    };
    let (code, stdout, stderr) = run(&[
        "generate",
        "--seed",
        "5",
        "--out",
        &o,
        "--days",
        "1",
        "--events-per-day",
        "40",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.starts_with(&format!("wrote {o}: snapshot/")),
        "{stdout}"
    );
    assert!(out.join("truth.jsonl").is_file());
    let (code, _, stderr) = run(&["generate", "--seed", "5", "--out", &o]);
    assert_eq!(code, 2);
    assert!(stderr.contains("is not empty"), "{stderr}");
    let (code, _, stderr) = run(&[
        "generate",
        "--seed",
        "5",
        "--out",
        &format!("{o}-x"),
        "--attack-rate",
        "2",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--attack-rate"), "{stderr}");
    // The README's detection-team example: replay the generated trail as a CI gate.
    let (code, stdout, _) = run(&[
        "replay",
        "--snapshot",
        &format!("{o}/snapshot"),
        &format!("{o}/AWSLogs"),
        "--format",
        "json",
    ]);
    assert!(code == 0 || code == 1, "no input error");
    let v: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(v["summary"]["malformed"], 0);
    assert_eq!(v["summary"]["diverged"], 0);
    let _ = std::fs::remove_dir_all(out);
}

#[test]
fn small_and_extreme_options_keep_a_realistic_mix() {
    // Review findings: one VPC must not turn the trail into refused calls, an attack rate of 1
    // must still fill every slot, and no day at all still gives a replayable layout.
    let one = tempdir("one-vpc");
    let s = generate(
        &Options {
            seed: 2,
            accounts: 1,
            vpcs: 1,
            days: 1,
            events_per_day: 200,
            attack_rate: 0.05,
            noise_rate: 1.0,
        },
        &one,
        &mut |_, _| {},
    )
    .expect("generates");
    assert!(s.failed * 4 < s.route_family, "{s:?}");
    let all = tempdir("all-attacks");
    let s = generate(
        &Options {
            seed: 3,
            days: 1,
            events_per_day: 100,
            attack_rate: 1.0,
            noise_rate: 0.0,
            ..small(3)
        },
        &all,
        &mut |_, _| {},
    )
    .expect("generates");
    assert!(s.route_family >= 100, "{s:?}");
    assert!(s.episodes > 0, "{s:?}");
    let none = tempdir("no-days");
    generate(
        &Options {
            days: 0,
            ..small(4)
        },
        &none,
        &mut |_, _| {},
    )
    .expect("generates");
    assert!(none.join("AWSLogs").is_dir());
    assert!(
        generate(
            &Options {
                accounts: usize::MAX,
                vpcs: 2,
                ..small(5)
            },
            &tempdir("overflow"),
            &mut |_, _| {},
        )
        .is_err()
    );
    // Identities are stable per principal, as in real CloudTrail: one principal ID and one
    // access key per ARN.
    let mut keys: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, bytes) in files(&one.join("AWSLogs")) {
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::MultiGzDecoder::new(&bytes[..]),
            &mut text,
        )
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let v: Value = serde_json::from_str(&text).expect("a log file");
        for r in v["Records"].as_array().expect("Records") {
            let id = &r["userIdentity"];
            keys.entry(id["arn"].as_str().unwrap_or("").to_string())
                .or_default()
                .insert(format!("{} {}", id["principalId"], id["accessKeyId"]));
        }
    }
    assert!(keys.len() >= 4, "{keys:?}");
    for (arn, ids) in &keys {
        assert_eq!(ids.len(), 1, "{arn}: {ids:?}");
    }
    for d in [one, all, none] {
        let _ = std::fs::remove_dir_all(d);
    }
}
