//! Renderers for `vpcsim replay`: one line per route-family record and a summary in text, and a
//! documented JSON schema (`vpcsim/replay/v1`, README "JSON output").

use super::{JsonDiagnostic, Style, diagnostics, to_json};
use crate::addr;
use crate::cloudtrail::FileError;
use crate::diag::Diagnostic;
use crate::exposure::{self, ChangeKind, ExposureChange, Severity, Side};
use crate::reach::Disposition;
use crate::replay::findings::Finding;
use crate::replay::{Outcome, Replay};
use serde::Serialize;
use std::fmt::Write as _;

pub const REPLAY_SCHEMA: &str = "vpcsim/replay/v1";

#[derive(Serialize)]
struct JsonModelError<'a> {
    code: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonSide<'a> {
    disposition: &'static str,
    path: Vec<&'a str>,
    /// Only for a `BLACKHOLE` side: the dead route's target.
    #[serde(skip_serializing_if = "Option::is_none")]
    blackhole_target: Option<&'a str>,
}

#[derive(Serialize)]
pub(super) struct JsonRemediation<'a> {
    pub(super) cli: &'a str,
    pub(super) boto3: &'a str,
    pub(super) check_next: &'a str,
}

#[derive(Serialize)]
pub(super) struct JsonExposure<'a> {
    kind: &'static str,
    severity: &'static str,
    reason: &'a str,
    subnet_id: &'a str,
    vpc_id: &'a str,
    account: Option<&'a str>,
    region: Option<&'a str>,
    family: &'static str,
    ranges: Vec<String>,
    before: JsonSide<'a>,
    after: JsonSide<'a>,
}

fn json_side(s: &Side) -> JsonSide<'_> {
    JsonSide {
        disposition: s.disposition.name(),
        path: s.path.iter().map(|p| &**p).collect(),
        blackhole_target: s.blackhole_target.as_deref(),
    }
}

pub(super) fn exposure_json(c: &ExposureChange) -> JsonExposure<'_> {
    JsonExposure {
        kind: c.kind.name(),
        severity: c.severity.name(),
        reason: &c.reason,
        subnet_id: c.subnet_id.as_str(),
        vpc_id: c.vpc_id.as_str(),
        account: c.account.as_ref().map(|a| a.as_str()),
        region: c.region.as_deref(),
        family: c.family.name(),
        ranges: c
            .ranges
            .iter()
            .flat_map(|iv| addr::interval_to_cidrs(c.family, *iv))
            .map(|n| n.to_string())
            .collect(),
        before: json_side(&c.before),
        after: json_side(&c.after),
    }
}

/// One exposure change on one line: kind, grade, subnet, ranges, before -> after.
pub(super) fn change_text(c: &ExposureChange, style: Style) -> String {
    format!(
        "{} [{}] {} {} {}: {} -> {}",
        style.paint("1", c.kind.name()),
        c.severity.name(),
        c.subnet_id,
        c.family,
        super::ranges_display(c.family, &c.ranges),
        side_text(c.kind, &c.before),
        side_text(c.kind, &c.after),
    )
}

/// "EXITS_TO_INTERNET via nat-…" for text: the first resource after the subnet's route table.
/// A blackhole also names the dead route's target. An inbound path (the `INGRESS_*` kinds)
/// names its gateway and every appliance it passes: "DELIVERED from igw-… via eni-…".
fn side_text(kind: ChangeKind, s: &Side) -> String {
    let dead = s
        .blackhole_target
        .as_ref()
        .map(|t| format!(" (dead route to {t})"))
        .unwrap_or_default();
    if kind.is_ingress() {
        let gateway = s
            .path
            .first()
            .map(|g| format!(" from {g}"))
            .unwrap_or_default();
        let appliances = exposure::ingress::appliances(s);
        let via = if !appliances.is_empty() {
            format!(" via {}", appliances.join(" > "))
        } else if s.disposition == Disposition::Delivered {
            " directly".to_string()
        } else {
            String::new()
        };
        return format!("{}{gateway}{via}{dead}", s.disposition.name());
    }
    match s.path.get(1).or(s.path.last()) {
        Some(p) => format!("{} via {p}{dead}", s.disposition.name()),
        None => format!("{}{dead}", s.disposition.name()),
    }
}

#[derive(Serialize)]
struct JsonEvent<'a> {
    event_id: Option<&'a str>,
    event_time: Option<&'a str>,
    event_name: &'a str,
    principal: Option<&'a str>,
    source_ip: Option<&'a str>,
    user_agent: Option<&'a str>,
    region: Option<&'a str>,
    account: Option<&'a str>,
    location: &'a str,
    outcome: &'static str,
    error_code: Option<&'a str>,
    model_error: Option<JsonModelError<'a>>,
    description: &'a str,
    inferred: &'a [String],
    exposure: Vec<JsonExposure<'a>>,
    remediation: Option<JsonRemediation<'a>>,
}

#[derive(Serialize)]
struct JsonSummary {
    records: usize,
    applied: usize,
    inferred: usize,
    failed_in_aws: usize,
    diverged: usize,
    duplicate: usize,
    ignored: usize,
    unsupported: usize,
    malformed: usize,
    after_until: usize,
    files_read: usize,
    files_skipped: usize,
    file_errors: usize,
    exposure: JsonExposureSummary,
}

#[derive(Serialize)]
struct JsonExposureSummary {
    min_severity: &'static str,
    /// Changes of every record, all grades (before the --min-severity filter).
    by_severity: std::collections::BTreeMap<&'static str, usize>,
    /// Changes listed (at or above min_severity), under the events.
    listed: usize,
    /// New exposure at or above min_severity: exit code 1 when not zero.
    new_exposure: usize,
    /// Net changes (start to end) at or above min_severity.
    net: usize,
    /// Findings at or above min_severity.
    findings: usize,
}

#[derive(Serialize)]
pub(crate) struct JsonFinding<'a> {
    kind: &'static str,
    severity: &'static str,
    message: &'a str,
    principal: Option<&'a str>,
    source_ips: &'a [String],
    user_agents: &'a [String],
    regions: &'a [String],
    accounts: &'a [String],
    first_time: Option<&'a str>,
    last_time: Option<&'a str>,
    records: usize,
    event_ids: &'a [String],
    route_table_id: Option<&'a str>,
    family: Option<&'static str>,
}

/// The findings at or above `min`, as JSON (replay and what-if alike).
pub(crate) fn findings_json(r: &Replay, min: Severity) -> Vec<JsonFinding<'_>> {
    r.findings
        .iter()
        .filter(|f| f.severity.at_least(min))
        .map(finding_json)
        .collect()
}

fn finding_json(f: &Finding) -> JsonFinding<'_> {
    JsonFinding {
        kind: f.kind.name(),
        severity: f.severity.name(),
        message: &f.message,
        principal: f.principal.as_deref(),
        source_ips: &f.source_ips,
        user_agents: &f.user_agents,
        regions: &f.regions,
        accounts: &f.accounts,
        first_time: f.first_time.as_deref(),
        last_time: f.last_time.as_deref(),
        records: f.records,
        event_ids: &f.event_ids,
        route_table_id: f.route_table_id.as_ref().map(|t| t.as_str()),
        family: f.family.map(|x| x.name()),
    }
}

#[derive(Serialize)]
struct JsonFileError {
    path: String,
    reason: String,
}

#[derive(Serialize)]
struct JsonReplay<'a> {
    schema: &'static str,
    summary: JsonSummary,
    events: Vec<JsonEvent<'a>>,
    net_exposure: Vec<JsonExposure<'a>>,
    findings: Vec<JsonFinding<'a>>,
    file_errors: Vec<JsonFileError>,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

/// File-level facts the replay itself does not hold.
pub struct Files<'a> {
    pub read: usize,
    pub skipped: usize,
    pub errors: &'a [FileError],
}

/// The `exposure:` line (changes per grade, the gate's count) and the net change, listed under
/// `net_title`: shared by the replay and what-if text.
pub(super) fn exposure_summary(
    out: &mut String,
    r: &Replay,
    style: Style,
    min: Severity,
    net_title: &str,
) {
    let counts = by_severity(r);
    let _ = writeln!(
        out,
        "exposure: {} change(s) ({}); {} new exposure at or above {}",
        counts.values().sum::<usize>(),
        grades_text(&counts),
        r.new_exposure(min),
        min.name()
    );
    let net: Vec<&ExposureChange> = listed(&r.net, min).collect();
    if net.is_empty() {
        let _ = writeln!(out, "{net_title}: none at or above {}", min.name());
    } else {
        let _ = writeln!(out, "{net_title}:");
        for c in net {
            let _ = writeln!(out, "  {}", change_text(c, style));
        }
    }
}

/// Changes per grade, every grade present (JSON `by_severity`).
pub(super) fn count_grades<'a>(
    changes: impl IntoIterator<Item = &'a ExposureChange>,
) -> std::collections::BTreeMap<&'static str, usize> {
    let mut m: std::collections::BTreeMap<&'static str, usize> =
        Severity::ALL.iter().map(|s| (s.name(), 0)).collect();
    for c in changes {
        *m.entry(c.severity.name()).or_default() += 1;
    }
    m
}

/// "0 critical, 1 high, 0 medium, 0 low, 0 info", most severe first.
pub(super) fn grades_text(by: &std::collections::BTreeMap<&'static str, usize>) -> String {
    Severity::ALL
        .iter()
        .map(|g| format!("{} {}", by.get(g.name()).copied().unwrap_or(0), g.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn by_severity(r: &Replay) -> std::collections::BTreeMap<&'static str, usize> {
    count_grades(r.events.iter().flat_map(|e| &e.exposure))
}

pub(super) fn listed(
    cs: &[ExposureChange],
    min: Severity,
) -> impl Iterator<Item = &ExposureChange> {
    cs.iter().filter(move |c| c.severity.at_least(min))
}

/// `vpcsim replay --format json`; exposure changes below `min` are counted in the summary but
/// not listed.
pub fn replay_json(r: &Replay, files: &Files, diags: &[Diagnostic], min: Severity) -> String {
    let s = &r.summary;
    to_json(&JsonReplay {
        schema: REPLAY_SCHEMA,
        summary: JsonSummary {
            records: s.records,
            applied: s.applied,
            inferred: s.inferred,
            failed_in_aws: s.failed_in_aws,
            diverged: s.diverged,
            duplicate: s.duplicate,
            ignored: s.ignored,
            unsupported: s.unsupported,
            malformed: s.malformed,
            after_until: s.after_until,
            files_read: files.read,
            files_skipped: files.skipped,
            file_errors: files.errors.len(),
            exposure: JsonExposureSummary {
                min_severity: min.name(),
                by_severity: by_severity(r),
                listed: r
                    .events
                    .iter()
                    .map(|e| listed(&e.exposure, min).count())
                    .sum(),
                new_exposure: r.new_exposure(min),
                net: listed(&r.net, min).count(),
                findings: r
                    .findings
                    .iter()
                    .filter(|f| f.severity.at_least(min))
                    .count(),
            },
        },
        events: r
            .events
            .iter()
            .map(|e| JsonEvent {
                event_id: e.event_id.as_deref(),
                event_time: e.event_time.as_deref(),
                event_name: &e.event_name,
                principal: e.principal.as_deref(),
                source_ip: e.source_ip.as_deref(),
                user_agent: e.user_agent.as_deref(),
                region: e.region.as_deref(),
                account: e.account.as_deref(),
                location: &e.location,
                outcome: e.outcome.name(),
                error_code: e.error_code.as_deref(),
                model_error: e.model_error.as_ref().map(|m| JsonModelError {
                    code: m.code,
                    message: &m.message,
                }),
                description: &e.description,
                inferred: &e.inferred,
                exposure: listed(&e.exposure, min).map(exposure_json).collect(),
                remediation: e.remediation.as_ref().map(|r| JsonRemediation {
                    cli: &r.cli,
                    boto3: &r.boto3,
                    check_next: &r.check_next,
                }),
            })
            .collect(),
        net_exposure: listed(&r.net, min).map(exposure_json).collect(),
        findings: findings_json(r, min),
        file_errors: files
            .errors
            .iter()
            .map(|f| JsonFileError {
                path: f.path.display().to_string(),
                reason: f.reason.clone(),
            })
            .collect(),
        diagnostics: diagnostics(diags),
    })
}

/// `vpcsim replay` in text: one line per route-family record, then the summary.
pub fn replay_text(r: &Replay, files: &Files, style: Style, min: Severity) -> String {
    let mut out = String::new();
    let name_w = r
        .events
        .iter()
        .map(|e| e.event_name.len())
        .max()
        .unwrap_or(0)
        .min(32);
    for e in &r.events {
        let outcome = match (&e.outcome, &e.error_code) {
            (Outcome::FailedInAws | Outcome::Diverged, Some(c)) => {
                format!("{} ({c})", e.outcome.name())
            }
            _ => e.outcome.name().to_string(),
        };
        let code = match e.outcome {
            Outcome::Applied => "32",
            Outcome::Diverged | Outcome::Malformed => "1;31",
            Outcome::FailedInAws | Outcome::Unsupported | Outcome::Duplicate => "33",
            _ => "0",
        };
        let _ = writeln!(
            out,
            "{:<20}  {:<name_w$}  {}  {}",
            e.event_time.as_deref().unwrap_or("-"),
            e.event_name,
            style.paint(code, &format!("{outcome:<15}")),
            e.description
        );
        let who = e.principal.as_deref().unwrap_or("unknown principal");
        let from = e.source_ip.as_deref().unwrap_or("unknown address");
        let _ = writeln!(out, "{:<20}  {:<name_w$}  by {who} from {from}", "", "");
        let mut shown = 0;
        for c in listed(&e.exposure, min) {
            shown += 1;
            let _ = writeln!(
                out,
                "{:<20}  {:<name_w$}  {}",
                "",
                "",
                change_text(c, style)
            );
        }
        if let (Some(r), true) = (&e.remediation, shown > 0) {
            let _ = writeln!(out, "{:<20}  {:<name_w$}  revert: {}", "", "", r.cli);
        }
    }
    let s = &r.summary;
    let _ = writeln!(
        out,
        "\nsummary: {} records: {} applied{}, {} failed_in_aws, {} diverged, {} duplicate, {} ignored, {} unsupported, {} malformed, {} after_until",
        s.records,
        s.applied,
        inferred_note(s),
        s.failed_in_aws,
        s.diverged,
        s.duplicate,
        s.ignored,
        s.unsupported,
        s.malformed,
        s.after_until
    );
    exposure_summary(&mut out, r, style, min, "net change from start to end");
    findings_text(&mut out, r, style, min);
    let _ = writeln!(
        out,
        "files: {} read, {} skipped, {} unreadable",
        files.read,
        files.skipped,
        files.errors.len()
    );
    for f in files.errors {
        let _ = writeln!(out, "  {f}");
    }
    out
}

/// The `findings:` section of a text report: each finding at or above `min` with its
/// attribution, or `none at or above ...`.
pub(crate) fn findings_text(out: &mut String, r: &Replay, style: Style, min: Severity) {
    let findings: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.severity.at_least(min))
        .collect();
    if findings.is_empty() {
        let _ = writeln!(out, "findings: none at or above {}", min.name());
    } else {
        let _ = writeln!(out, "findings:");
        for f in findings {
            let _ = writeln!(
                out,
                "  {} [{}] {}",
                style.paint("1", f.kind.name()),
                f.severity.name(),
                f.message
            );
            let ids = match f.event_ids.as_slice() {
                [] => String::new(),
                [one] => format!("; event {one}"),
                [first, .., last] => format!("; events {first} .. {last}"),
            };
            let _ = writeln!(
                out,
                "    by {} from {}; {} to {}, {} record(s){ids}",
                f.principal.as_deref().unwrap_or("unknown principal"),
                if f.source_ips.is_empty() {
                    "unknown address".to_string()
                } else {
                    f.source_ips.join(", ")
                },
                f.first_time.as_deref().unwrap_or("-"),
                f.last_time.as_deref().unwrap_or("-"),
                f.records
            );
        }
    }
}

/// ` (N with inferences)` after the applied count when some applied records needed one.
pub fn inferred_note(s: &crate::replay::Summary) -> String {
    if s.inferred == 0 {
        String::new()
    } else {
        format!(" ({} with inferences)", s.inferred)
    }
}

/// One paragraph for Markdown: records by outcome, exposure changes by grade, the gate.
pub fn summary_line(r: &Replay, min: Severity) -> String {
    let s = &r.summary;
    let by = by_severity(r);
    format!(
        "{} records: {} applied{}, {} failed_in_aws, {} diverged, {} duplicate, {} ignored, {} unsupported, {} malformed, {} after_until. Exposure changes: {}. **{} new exposure** and {} finding(s) at or above {}.",
        s.records,
        s.applied,
        inferred_note(s),
        s.failed_in_aws,
        s.diverged,
        s.duplicate,
        s.ignored,
        s.unsupported,
        s.malformed,
        s.after_until,
        grades_text(&by),
        r.new_exposure(min),
        r.findings
            .iter()
            .filter(|f| f.severity.at_least(min))
            .count(),
        min.name()
    )
}
