//! Running a scenario: load the starting state, turn the events into records, replay them with
//! exposure on (as `vpcsim replay` does), then check every expectation against the replay and
//! against the state after the event it names. Each check says where it was written, what it
//! checked, and on failure what was expected and what came out, in words a reader can act on.

use super::events::{self, Defaults};
use super::{ExpectChange, Scenario, ScenarioError, line_col};
use crate::addr::{self, Family, Interval};
use crate::cloudtrail::{ReadResult, Record, UtcTime};
use crate::diag::Diagnostic;
use crate::exposure::ExposureChange;
use crate::model::{ApplyOptions, Network, SubnetId};
use crate::reach::Engine;
use crate::replay::{self, Replay, ReplayOptions, findings::FindingOptions};
use std::collections::BTreeMap;
use std::path::PathBuf;
use toml::Spanned;

/// One expectation and how it came out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// `file:line:col` of the expectation.
    pub location: String,
    /// What was checked, in words (`event 2 outcome`).
    pub what: String,
    pub passed: bool,
    pub expected: String,
    pub actual: String,
}

/// Where the scenario started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Start {
    Nothing,
    Inline,
    Snapshot(String),
}

/// A scenario run.
pub struct Outcome {
    pub start: Start,
    pub diagnostics: Vec<Diagnostic>,
    pub replay: Replay,
    pub files_read: usize,
    pub files_skipped: usize,
    pub file_errors: Vec<crate::cloudtrail::FileError>,
    pub checks: Vec<Check>,
}

impl Outcome {
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }

    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.passed)
    }
}

fn err(s: &Scenario, errors: Vec<String>) -> ScenarioError {
    ScenarioError {
        path: s.file.clone(),
        errors,
    }
}

/// Runs `s` and checks its expectations. `Err` when the scenario cannot run at all (its
/// snapshot or an event file cannot be read, an inline event cannot be made a record).
pub fn run(s: &Scenario) -> Result<Outcome, ScenarioError> {
    run_on(s, None)
}

/// Runs `s` from another starting state: `snapshot` replaces the scenario's own (the test of
/// the Batfish-equivalent scenarios checks their expectations on the real snapshots this way).
pub fn run_on(s: &Scenario, snapshot: Option<&std::path::Path>) -> Result<Outcome, ScenarioError> {
    let spec = &s.spec;
    let at = |span: std::ops::Range<usize>| format!("{}:{}", s.file, line_col(&s.text, span.start));
    // The starting state.
    let (start, loaded) = if let Some(path) = snapshot {
        match crate::snapshot::load(path) {
            Ok(l) => (Start::Snapshot(path.display().to_string()), l),
            Err(e) => return Err(err(s, e.errors.iter().map(|x| x.to_string()).collect())),
        }
    } else if let Some(p) = &spec.snapshot {
        let path = s.dir.join(p.get_ref().trim());
        match crate::snapshot::load(&path) {
            Ok(l) => (Start::Snapshot(p.get_ref().trim().to_string()), l),
            Err(e) => {
                return Err(err(
                    s,
                    e.errors
                        .iter()
                        .map(|x| format!("{} (snapshot): {x}", at(p.span())))
                        .collect(),
                ));
            }
        }
    } else if spec.topology.is_some() {
        match crate::snapshot::topology::load_inline(&s.text, &s.file) {
            Ok(Some(mut l)) => {
                crate::snapshot::finish(&mut l);
                (Start::Inline, l)
            }
            Ok(None) => (
                Start::Nothing,
                crate::snapshot::Loaded {
                    network: Network::default(),
                    diagnostics: Vec::new(),
                },
            ),
            Err(e) => return Err(err(s, e.errors.iter().map(|x| x.to_string()).collect())),
        }
    } else {
        (
            Start::Nothing,
            crate::snapshot::Loaded {
                network: Network::default(),
                diagnostics: Vec::new(),
            },
        )
    };
    let start_net = loaded.network;
    // The events.
    let account = start_net
        .vpcs
        .values()
        .find_map(|v| v.owner_id.as_ref().map(|a| a.to_string()))
        .unwrap_or_else(|| events::DEFAULT_ACCOUNT.to_string());
    let region = start_net
        .vpcs
        .values()
        .find_map(|v| v.region.clone())
        .unwrap_or_else(|| events::DEFAULT_REGION.to_string());
    let start_time = spec
        .options
        .start
        .as_ref()
        .map(|t| t.get_ref().as_str())
        .unwrap_or(events::DEFAULT_START);
    let start_time = UtcTime::parse(start_time)
        .ok_or_else(|| err(s, vec![format!("{}: options.start is not a time", s.file)]))?;
    let defaults = Defaults {
        name: &s.name,
        account: &account,
        region: &region,
        start: start_time,
        file: super::FILE_NAME,
    };
    let mut read = ReadResult::default();
    let mut problems = Vec::new();
    let mut inline = 0;
    let line_of = |span: std::ops::Range<usize>| -> u64 {
        line_col(&s.text, span.start)
            .split(':')
            .next()
            .and_then(|l| l.parse().ok())
            .unwrap_or(0)
    };
    let mut per_line: BTreeMap<u64, usize> = BTreeMap::new();
    for e in spec.event.iter().filter(|e| e.get_ref().file.is_none()) {
        *per_line.entry(line_of(e.span())).or_default() += 1;
    }
    for e in &spec.event {
        let span = e.span();
        let line = line_of(span.clone());
        let ev = e.get_ref();
        if let Some(f) = &ev.file {
            let rel = f.get_ref().trim();
            let path = s.dir.join(rel);
            if !path.exists() {
                problems.push(format!(
                    "{} (event.file): {} does not exist next to the scenario",
                    at(f.span()),
                    path.display()
                ));
                continue;
            }
            let mut r = crate::cloudtrail::read_inputs(std::slice::from_ref(&path));
            let prefix = s.dir.clone();
            for rec in &mut r.records {
                // Locations relative to the scenario, whichever directory it was run from.
                if let Ok(p) = rec.file.strip_prefix(&prefix) {
                    rec.file = PathBuf::from(p);
                }
            }
            // A broken file is an input error, as for `vpcsim replay`: the scenario cannot run.
            for fe in &r.errors {
                problems.push(format!("{} (event.file): {fe}", at(f.span())));
            }
            read.records.append(&mut r.records);
            read.files.append(&mut r.files);
            read.skipped.append(&mut r.skipped);
            read.errors.append(&mut r.errors);
            read.ignored += r.ignored;
            read.prefiltered += r.prefiltered;
        } else {
            let shared = per_line.get(&line).is_some_and(|n| *n > 1);
            match events::record(ev, inline, line, shared, &defaults) {
                Ok(r) => read.records.push(r),
                Err(m) => problems.push(format!("{} (event): {m}", at(span))),
            }
            inline += 1;
        }
    }
    if !problems.is_empty() {
        return Err(err(s, problems));
    }
    let o = &spec.options;
    let opts = ReplayOptions {
        strict: o.strict.unwrap_or(false),
        until: None,
        apply: ApplyOptions {
            route_limit: o.route_limit.unwrap_or(50),
            ..Default::default()
        },
        exposure: true,
        findings: FindingOptions {
            burst_writes: o.burst_writes.unwrap_or(20),
            burst_window_secs: o.burst_window.unwrap_or(60),
            quota_warn_percent: o.quota_warn.unwrap_or(80),
        },
    };
    let all: Vec<Record> = read.records.clone();
    let files_read = read.files.len();
    let files_skipped = read.skipped.len();
    let file_errors = read.errors.clone();
    let mut net = start_net.clone();
    let replayed = replay::replay(&mut net, read, &opts);
    let mut states = States {
        start: &start_net,
        end: &net,
        all: &all,
        replay: &replayed,
        opts: &opts,
        cache: BTreeMap::new(),
    };
    let mut checks = Vec::new();
    check_all(s, &replayed, &mut states, &mut checks);
    Ok(Outcome {
        start,
        diagnostics: loaded.diagnostics,
        replay: replayed,
        files_read,
        files_skipped,
        file_errors,
        checks,
    })
}

/// The state after the first `n` events, replayed again from the start on demand.
struct States<'a> {
    start: &'a Network,
    end: &'a Network,
    all: &'a [Record],
    replay: &'a Replay,
    opts: &'a ReplayOptions,
    cache: BTreeMap<usize, Network>,
}

impl States<'_> {
    fn after(&mut self, n: Option<usize>) -> &Network {
        let total = self.replay.events.len();
        match n {
            None => self.end,
            Some(n) if n >= total => self.end,
            Some(0) => self.start,
            Some(n) => {
                let (start, all, replay, opts) = (self.start, self.all, self.replay, self.opts);
                self.cache.entry(n).or_insert_with(|| {
                    let keep: std::collections::BTreeSet<&str> = replay.events[..n]
                        .iter()
                        .map(|e| e.location.as_str())
                        .collect();
                    let records: Vec<Record> = all
                        .iter()
                        .filter(|r| keep.contains(r.location().as_str()))
                        .cloned()
                        .collect();
                    let mut net = start.clone();
                    let quiet = ReplayOptions {
                        exposure: false,
                        ..opts.clone()
                    };
                    replay::replay(
                        &mut net,
                        ReadResult {
                            records,
                            ..Default::default()
                        },
                        &quiet,
                    );
                    net
                })
            }
        }
    }
}

fn point(after: Option<usize>) -> String {
    match after {
        None => "at the end".into(),
        Some(0) => "at the start".into(),
        Some(n) => format!("after event {n}"),
    }
}

fn list(v: &[String]) -> String {
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

fn change_line(c: &ExposureChange) -> String {
    format!(
        "{} [{}] {} {} {} -> {}",
        c.kind.name(),
        c.severity.name(),
        c.subnet_id,
        c.family.name(),
        crate::report::ranges_display(c.family, &c.ranges),
        c.after.disposition.name()
    )
}

/// True when `want` appear in `path` in this order (others may lie between).
fn in_order(path: &[&str], want: &[String]) -> bool {
    let mut it = path.iter();
    want.iter().all(|w| it.any(|p| *p == w.trim()))
}

fn cidr_intervals(list: &[Spanned<String>]) -> Vec<(Family, Interval)> {
    list.iter()
        .filter_map(|c| c.get_ref().trim().parse::<ipnet::IpNet>().ok())
        .map(|n| (Family::of_net(&n), Interval::of_net(&n.trunc())))
        .collect()
}

fn matches(x: &ExpectChange, c: &ExposureChange) -> bool {
    let s = |o: &Option<Spanned<String>>| o.as_ref().map(|v| v.get_ref().trim().to_string());
    if x.kind.get_ref().trim() != c.kind.name() {
        return false;
    }
    if s(&x.subnet).is_some_and(|v| v != c.subnet_id.as_str()) {
        return false;
    }
    if s(&x.family).is_some_and(|v| v != c.family.name()) {
        return false;
    }
    if s(&x.severity).is_some_and(|v| v != c.severity.name()) {
        return false;
    }
    if s(&x.after).is_some_and(|v| v != c.after.disposition.name()) {
        return false;
    }
    if let Some(via) = &x.via {
        let path: Vec<&str> = c.after.path.iter().map(|p| &**p).collect();
        let want: Vec<String> = via.iter().map(|v| v.get_ref().clone()).collect();
        if !in_order(&path, &want) {
            return false;
        }
    }
    if let Some(ranges) = &x.ranges {
        let want: Vec<(Family, Interval)> = cidr_intervals(ranges);
        if want.iter().any(|(f, _)| *f != c.family) {
            return false;
        }
        let want = addr::normalize(want.into_iter().map(|(_, i)| i).collect());
        if want != c.ranges {
            return false;
        }
    }
    if let Some(covers) = &x.covers {
        for (f, iv) in cidr_intervals(covers) {
            if f != c.family || addr::total_size(&addr::intersect(&[iv], &c.ranges)) != iv.size() {
                return false;
            }
        }
    }
    if let Some(misses) = &x.misses {
        for (f, iv) in cidr_intervals(misses) {
            if f == c.family && !addr::intersect(&[iv], &c.ranges).is_empty() {
                return false;
            }
        }
    }
    true
}

fn describe_change(x: &ExpectChange) -> String {
    let mut parts = vec![x.kind.get_ref().clone()];
    let s = |o: &Option<Spanned<String>>| o.as_ref().map(|v| v.get_ref().trim().to_string());
    if let Some(v) = s(&x.severity) {
        parts.push(format!("[{v}]"));
    }
    if let Some(v) = s(&x.subnet) {
        parts.push(v);
    }
    if let Some(v) = s(&x.family) {
        parts.push(v);
    }
    for (name, l) in [
        ("ranges", &x.ranges),
        ("covering", &x.covers),
        ("missing", &x.misses),
    ] {
        if let Some(l) = l {
            parts.push(format!(
                "{name} {}",
                l.iter()
                    .map(|c| c.get_ref().trim())
                    .collect::<Vec<_>>()
                    .join(" ")
            ));
        }
    }
    if let Some(v) = s(&x.after) {
        parts.push(format!("-> {v}"));
    }
    if let Some(via) = &x.via {
        parts.push(format!(
            "via {}",
            via.iter()
                .map(|c| c.get_ref().trim())
                .collect::<Vec<_>>()
                .join(" -> ")
        ));
    }
    parts.join(" ")
}

fn check_all(s: &Scenario, r: &Replay, states: &mut States, out: &mut Vec<Check>) {
    let x = &s.spec.expect;
    let at = |span: std::ops::Range<usize>| format!("{}:{}", s.file, line_col(&s.text, span.start));
    let mut push = |location: String, what: String, expected: String, actual: String| {
        out.push(Check {
            location,
            passed: expected == actual,
            what,
            expected,
            actual,
        });
    };
    if let Some(sum) = &x.summary {
        let loc = at(sum.span());
        let sum = sum.get_ref();
        let a = &r.summary;
        let new = r.new_exposure(crate::exposure::Severity::Info);
        for (name, want, got) in [
            ("records", sum.records, a.records),
            ("applied", sum.applied, a.applied),
            ("inferred", sum.inferred, a.inferred),
            ("failed_in_aws", sum.failed_in_aws, a.failed_in_aws),
            ("diverged", sum.diverged, a.diverged),
            ("duplicate", sum.duplicate, a.duplicate),
            ("ignored", sum.ignored, a.ignored),
            ("unsupported", sum.unsupported, a.unsupported),
            ("malformed", sum.malformed, a.malformed),
            ("new_exposure", sum.new_exposure, new),
        ] {
            if let Some(want) = want {
                push(
                    loc.clone(),
                    format!("summary {name}"),
                    want.to_string(),
                    got.to_string(),
                );
            }
        }
    }
    for e in &x.event {
        let loc = at(e.span());
        let e = e.get_ref();
        let found = match (e.event, &e.event_id) {
            (Some(n), _) => r.events.get(n.wrapping_sub(1)).map(|ev| (n, ev)),
            (None, Some(id)) => r
                .events
                .iter()
                .enumerate()
                .find(|(_, ev)| ev.event_id.as_deref() == Some(id.get_ref().trim()))
                .map(|(i, ev)| (i + 1, ev)),
            (None, None) => None,
        };
        let label = match (e.event, &e.event_id) {
            (Some(n), _) => format!("event {n}"),
            (None, Some(id)) => format!("event {}", id.get_ref().trim()),
            _ => "event".into(),
        };
        let Some((n, ev)) = found else {
            push(
                loc,
                label,
                "an event there".into(),
                format!("{} route-family event(s) in all", r.events.len()),
            );
            continue;
        };
        let label = format!("event {n} ({})", ev.event_name);
        if let Some(name) = &e.name {
            push(
                loc.clone(),
                format!("{label} name"),
                name.get_ref().trim().into(),
                ev.event_name.clone(),
            );
        }
        if let Some(o) = &e.outcome {
            push(
                loc.clone(),
                format!("{label} outcome"),
                o.get_ref().trim().into(),
                ev.outcome.name().into(),
            );
        }
        if let Some(code) = &e.error {
            let actual = ev
                .error_code
                .clone()
                .or_else(|| ev.model_error.as_ref().map(|m| m.code.to_string()))
                .unwrap_or_default();
            let none = |c: String| if c.is_empty() { "none".to_string() } else { c };
            push(
                loc.clone(),
                format!("{label} error code"),
                none(code.get_ref().trim().to_string()),
                none(actual),
            );
        }
        if let Some(k) = e.changes {
            push(
                loc.clone(),
                format!("{label} exposure changes"),
                k.to_string(),
                ev.exposure.len().to_string(),
            );
        }
    }
    for c in &x.change {
        let loc = at(c.span());
        let c = c.get_ref();
        let (scope, pool): (String, Vec<&ExposureChange>) = if c.net == Some(true) {
            ("net change".into(), r.net.iter().collect())
        } else if let Some(n) = c.event {
            (
                format!("event {n}"),
                r.events
                    .get(n - 1)
                    .map(|e| e.exposure.iter().collect())
                    .unwrap_or_default(),
            )
        } else {
            (
                "any event".into(),
                r.events.iter().flat_map(|e| e.exposure.iter()).collect(),
            )
        };
        let hits = pool.iter().filter(|p| matches(c, p)).count();
        let absent = c.absent == Some(true);
        let what = format!(
            "{} change {} ({scope})",
            if absent { "no" } else { "a" },
            describe_change(c)
        );
        let present: Vec<String> = pool.iter().take(6).map(|p| change_line(p)).collect();
        let more = pool.len().saturating_sub(6);
        let seen = if more > 0 {
            format!("{} (and {more} more)", list(&present))
        } else {
            list(&present)
        };
        let (expected, actual) = match (absent, hits) {
            (false, 0) => ("present".to_string(), format!("not found among: {seen}")),
            (false, _) => ("present".into(), "present".into()),
            (true, 0) => ("absent".into(), "absent".into()),
            (true, k) => (
                "absent".into(),
                format!("{k} matching change(s) among: {seen}"),
            ),
        };
        push(loc, what, expected, actual);
    }
    for f in &x.finding {
        let loc = at(f.span());
        let f = f.get_ref();
        let s = |o: &Option<Spanned<String>>| o.as_ref().map(|v| v.get_ref().trim().to_string());
        let hits = r
            .findings
            .iter()
            .filter(|g| {
                g.kind.name() == f.kind.get_ref().trim()
                    && s(&f.principal).is_none_or(|p| g.principal.as_deref() == Some(p.as_str()))
                    && s(&f.route_table).is_none_or(|t| {
                        g.route_table_id.as_ref().map(|x| x.as_str()) == Some(t.as_str())
                    })
                    && s(&f.severity).is_none_or(|v| v == g.severity.name())
            })
            .count();
        let absent = f.absent == Some(true);
        let all: Vec<String> = r
            .findings
            .iter()
            .map(|g| {
                format!(
                    "{} [{}] by {}",
                    g.kind.name(),
                    g.severity.name(),
                    g.principal.as_deref().unwrap_or("unknown")
                )
            })
            .collect();
        let what = format!(
            "{} finding {}{}{}",
            if absent { "no" } else { "a" },
            f.kind.get_ref().trim(),
            s(&f.principal)
                .map(|p| format!(" by {p}"))
                .unwrap_or_default(),
            s(&f.route_table)
                .map(|t| format!(" on {t}"))
                .unwrap_or_default()
        );
        let (expected, actual) = match (absent, hits) {
            (false, 0) => (
                "present".to_string(),
                format!("not found among: {}", list(&all)),
            ),
            (false, _) => ("present".into(), "present".into()),
            (true, 0) => ("absent".into(), "absent".into()),
            (true, _) => ("absent".into(), format!("found among: {}", list(&all))),
        };
        push(loc, what, expected, actual);
    }
    for t in &x.trace {
        let loc = at(t.span());
        let t = t.get_ref();
        let from = t.from.get_ref().trim();
        let to = t.to.get_ref().trim();
        let what = format!("trace {from} -> {to} {}", point(t.after));
        let Ok(dest) = to.parse::<std::net::IpAddr>() else {
            push(loc, what, "an address".into(), to.into());
            continue;
        };
        let net = states.after(t.after);
        let engine = Engine::new(net);
        match engine.trace(net, from, dest) {
            Ok(tr) => {
                let path: Vec<&str> = tr.hops.iter().map(|h| &*h.resource).collect();
                let shown = format!("{} via {}", tr.disposition.name(), path.join(" -> "));
                let want_d = t.disposition.get_ref().trim();
                let mut expected = want_d.to_string();
                let mut ok = tr.disposition.name() == want_d;
                if let Some(via) = &t.via {
                    let want: Vec<String> = via.iter().map(|v| v.get_ref().clone()).collect();
                    expected.push_str(&format!(" via {}", want.join(" -> ")));
                    ok &= in_order(&path, &want);
                }
                if let Some(avoid) = &t.avoids {
                    let a: Vec<&str> = avoid.iter().map(|v| v.get_ref().trim()).collect();
                    expected.push_str(&format!(" avoiding {}", a.join(", ")));
                    ok &= !path.iter().any(|p| a.contains(p));
                }
                let actual = if ok { expected.clone() } else { shown };
                push(loc, what, expected, actual);
            }
            Err(e) => push(
                loc,
                what,
                t.disposition.get_ref().trim().into(),
                format!("the trace cannot start: {e}"),
            ),
        }
    }
    for i in &x.internet {
        let loc = at(i.span());
        let i = i.get_ref();
        let subnet = i.subnet.get_ref().trim();
        let net = states.after(i.after);
        let engine = Engine::new(net);
        let reach = engine.subnet_reach(net, &SubnetId::new(subnet));
        for (fam, want) in [("ipv4", &i.ipv4), ("ipv6", &i.ipv6)] {
            let Some(want) = want else { continue };
            let actual = match &reach {
                Some(r) => {
                    let f = if fam == "ipv4" { &r.ipv4 } else { &r.ipv6 };
                    f.internet.name().to_string()
                }
                None => format!("no subnet {subnet} {}", point(i.after)),
            };
            push(
                loc.clone(),
                format!("internet class of {subnet} {fam} {}", point(i.after)),
                want.get_ref().trim().into(),
                actual,
            );
        }
    }
}
