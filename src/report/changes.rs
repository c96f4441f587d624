//! The formats every change-reporting command shares (`replay`, `whatif`, `diff`): `jsonl` (one
//! change or finding per line, for pipelines), `markdown` (a pull-request comment) and `sarif`
//! (SARIF 2.1.0: one result per change or finding, one rule per change kind and finding kind,
//! severity mapped to SARIF levels and to `security-severity`). Each command first flattens its
//! result into [`Row`]s and [`Finding`]s; the formats only render those.

use super::replay::{JsonExposure, exposure_json};
use crate::exposure::{ChangeKind, ExposureChange, Remediation, Severity};
use crate::replay::findings::{Finding, FindingKind};
use crate::replay::{Event, Replay};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Where a change comes from: an event of a replay, a step of a plan, or a comparison.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Origin<'a> {
    /// `event`, `step`, `net` (start to end of a replay or plan) or `diff`.
    pub scope: &'static str,
    pub event_id: Option<&'a str>,
    pub event_time: Option<&'a str>,
    pub event_name: Option<&'a str>,
    pub principal: Option<&'a str>,
    pub source_ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub region: Option<&'a str>,
    pub account: Option<&'a str>,
    pub step: Option<usize>,
    /// The planned command as given (what-if).
    pub input: Option<&'a str>,
    /// The file the change comes from (a trail, a plan, a snapshot) and the line, when known.
    #[serde(skip)]
    pub file: Option<&'a str>,
    #[serde(skip)]
    pub line: u64,
}

/// One change to report, with where it came from and how to undo it.
pub struct Row<'a> {
    pub origin: Origin<'a>,
    pub change: &'a ExposureChange,
    pub revert: Option<&'a Remediation>,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` scale (0-10) for each grade.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// "0.0.0.0/0 except 10.0.0.0/16 ..." (the text report's form; the JSON has every CIDR).
fn ranges(c: &ExposureChange) -> String {
    super::ranges_display(c.family, &c.ranges)
}

fn side(s: &crate::exposure::Side) -> String {
    let hops: Vec<&str> = s.path.iter().map(|p| &**p).collect();
    let dead = s
        .blackhole_target
        .as_ref()
        .map(|t| format!(" (dead route to {t})"))
        .unwrap_or_default();
    if hops.is_empty() {
        format!("{}{dead}", s.disposition.name())
    } else {
        format!("{} via {}{dead}", s.disposition.name(), hops.join(" > "))
    }
}

fn sentence(c: &ExposureChange) -> String {
    format!(
        "{} {} {}: {} -> {} ({})",
        c.subnet_id,
        c.family,
        ranges(c),
        side(&c.before),
        side(&c.after),
        c.reason
    )
}

#[derive(Serialize)]
struct JsonlChange<'a> {
    record: &'static str,
    #[serde(flatten)]
    origin: &'a Origin<'a>,
    #[serde(flatten)]
    change: JsonExposure<'a>,
    revert_cli: Option<&'a str>,
    revert_boto3: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonlFinding<'a> {
    record: &'static str,
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
}

/// `--format jsonl`: one JSON object per line, `"record": "change"` or `"finding"`, with the
/// origin's attribution flattened in (README "JSON output").
pub fn jsonl(rows: &[Row], findings: &[&Finding]) -> String {
    let mut out = String::new();
    for r in rows {
        let line = JsonlChange {
            record: "change",
            origin: &r.origin,
            change: exposure_json(r.change),
            revert_cli: r.revert.map(|x| x.cli.as_str()),
            revert_boto3: r.revert.map(|x| x.boto3.as_str()),
        };
        if let Ok(s) = serde_json::to_string(&line) {
            out.push_str(&s);
            out.push('\n');
        }
    }
    for f in findings {
        let line = JsonlFinding {
            record: "finding",
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
        };
        if let Ok(s) = serde_json::to_string(&line) {
            out.push_str(&s);
            out.push('\n');
        }
    }
    out
}

/// Escapes text for a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// `--format markdown`: a heading, the summary, a table of changes (severity, kind, subnet,
/// ranges, before, after, who/what) and the revert commands, then findings.
pub fn markdown(title: &str, summary: &str, rows: &[Row], findings: &[&Finding]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### {title}\n\n{summary}\n");
    if rows.is_empty() {
        let _ = writeln!(out, "No exposure change.\n");
    } else {
        let _ = writeln!(
            out,
            "| severity | change | subnet | ranges | before | after | cause |\n| --- | --- | --- | --- | --- | --- | --- |"
        );
        for r in rows {
            let c = r.change;
            let o = &r.origin;
            let cause = match (o.scope, o.step, o.input, o.event_name) {
                ("step", Some(n), Some(i), _) => format!("step {n}: `{}`", i),
                ("event", _, _, Some(name)) => format!(
                    "{name} {} by {}",
                    o.event_time.unwrap_or("-"),
                    o.principal.unwrap_or("unknown principal")
                ),
                ("net", ..) => "net change".to_string(),
                _ => "comparison".to_string(),
            };
            let _ = writeln!(
                out,
                "| **{}** | `{}` | `{}` | {} | {} | {} | {} |",
                c.severity.name(),
                c.kind.name(),
                c.subnet_id,
                cell(&ranges(c)),
                cell(&side(&c.before)),
                cell(&side(&c.after)),
                cell(&cause)
            );
        }
        let reverts: Vec<&str> = {
            let mut v: Vec<&str> = rows
                .iter()
                .filter_map(|r| r.revert.map(|x| x.cli.as_str()))
                .collect();
            v.dedup();
            v
        };
        if !reverts.is_empty() {
            let _ = writeln!(out, "\nTo revert (printed, never run by vpcsim):\n\n```sh");
            for r in reverts {
                let _ = writeln!(out, "{r}");
            }
            let _ = writeln!(out, "```");
        }
        out.push('\n');
    }
    if !findings.is_empty() {
        let _ = writeln!(out, "**Findings**\n");
        for f in findings {
            let _ = writeln!(
                out,
                "- **{}** `{}`: {} (by {}, {} to {}, {} record(s))",
                f.severity.name(),
                f.kind.name(),
                cell(&f.message),
                f.principal.as_deref().unwrap_or("unknown principal"),
                f.first_time.as_deref().unwrap_or("-"),
                f.last_time.as_deref().unwrap_or("-"),
                f.records
            );
        }
        out.push('\n');
    }
    out
}

const KINDS: [ChangeKind; 19] = [
    ChangeKind::InternetExposed,
    ChangeKind::InternetEgressGained,
    ChangeKind::InternetLost,
    ChangeKind::InternetExposureRemoved,
    ChangeKind::OnPremisesPathGained,
    ChangeKind::OnPremisesPathLost,
    ChangeKind::PeerPathGained,
    ChangeKind::PeerPathLost,
    ChangeKind::PathLost,
    ChangeKind::PathGained,
    ChangeKind::HostExposed,
    ChangeKind::HostExposureRemoved,
    ChangeKind::TrafficRedirected,
    ChangeKind::Blackholed,
    ChangeKind::Restored,
    ChangeKind::IngressRedirected,
    ChangeKind::IngressInspectionBypassed,
    ChangeKind::IngressLost,
    ChangeKind::IngressRestored,
];

const FINDINGS: [FindingKind; 3] = [
    FindingKind::RouteWriteBurst,
    FindingKind::RouteQuotaNear,
    FindingKind::RouteQuotaReached,
];

fn kind_text(k: ChangeKind) -> &'static str {
    match k {
        ChangeKind::InternetExposed => {
            "A subnet became public: ranges go straight to an internet gateway"
        }
        ChangeKind::InternetEgressGained => {
            "Outbound internet access appeared (NAT, appliance or egress-only gateway)"
        }
        ChangeKind::InternetLost => "Ranges no longer reach the internet",
        ChangeKind::InternetExposureRemoved => {
            "A subnet is no longer public (internet now through NAT or an appliance)"
        }
        ChangeKind::OnPremisesPathGained => "On-premises networks became reachable",
        ChangeKind::OnPremisesPathLost => "On-premises networks are no longer reachable",
        ChangeKind::PeerPathGained => "A peered VPC became reachable",
        ChangeKind::PeerPathLost => "A peered VPC is no longer reachable",
        ChangeKind::PathLost => {
            "Traffic delivered to an endpoint, transit gateway, interface or the VPC is now dropped"
        }
        ChangeKind::TrafficRedirected => "Traffic now goes to another destination",
        ChangeKind::Blackholed => "Delivered traffic is now dropped by a blackhole route",
        ChangeKind::Restored => "Traffic a blackhole route dropped is delivered again",
        ChangeKind::HostExposed => "A host in a public subnet gained a public address",
        ChangeKind::HostExposureRemoved => "A host in a public subnet lost its public address",
        ChangeKind::PathGained => {
            "Traffic that went nowhere now reaches the VPC, a transit gateway, an endpoint or an interface"
        }
        ChangeKind::IngressRedirected => {
            "Inbound traffic through a gateway now passes an appliance (ingress routing)"
        }
        ChangeKind::IngressInspectionBypassed => {
            "Inbound traffic no longer passes the appliance it passed (inspection bypassed)"
        }
        ChangeKind::IngressLost => "Inbound traffic through a gateway is now dropped",
        ChangeKind::IngressRestored => "Inbound traffic through a gateway is delivered again",
    }
}

fn finding_text(k: FindingKind) -> &'static str {
    match k {
        FindingKind::RouteWriteBurst => "A burst of route-family writes by one principal",
        FindingKind::RouteQuotaNear => "A route table is near its route quota",
        FindingKind::RouteQuotaReached => "A route table hit its route quota (RouteLimitExceeded)",
    }
}

/// `--format sarif`: SARIF 2.1.0 with one run of the `vpcsim` driver. Rules: every change kind
/// and finding kind, in a fixed order. Results: one per change (`ruleId` = its kind, `level`
/// from its severity, the subnet as a logical location, the trail or plan line as a physical
/// location when known, `partialFingerprints` stable across runs) and one per finding.
pub fn sarif(rows: &[Row], findings: &[&Finding], fallback_uri: &str) -> String {
    let mut rules = Vec::new();
    let mut index: BTreeMap<&'static str, usize> = BTreeMap::new();
    for k in KINDS {
        index.insert(k.name(), rules.len());
        rules.push(json!({
            "id": k.name(),
            "name": k.name(),
            "shortDescription": {"text": kind_text(k)},
            "helpUri": "https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html",
        }));
    }
    for k in FINDINGS {
        index.insert(k.name(), rules.len());
        rules.push(json!({
            "id": k.name(),
            "name": k.name(),
            "shortDescription": {"text": finding_text(k)},
        }));
    }
    let location = |file: Option<&str>, line: u64| -> Value {
        let mut phys = json!({"artifactLocation": {"uri": file.unwrap_or(fallback_uri)}});
        if line > 0 {
            phys["region"] = json!({"startLine": line});
        }
        phys
    };
    let mut results = Vec::new();
    for r in rows {
        let c = r.change;
        let mut text = format!("{}: {}", c.kind.name(), sentence(c));
        if let Some(p) = r.origin.principal {
            let _ = write!(text, " by {p}");
        }
        if let Some(x) = r.revert {
            let _ = write!(text, ". Revert: {}", x.cli);
        }
        results.push(json!({
            "ruleId": c.kind.name(),
            "ruleIndex": index.get(c.kind.name()).copied().unwrap_or(0),
            "level": level(c.severity),
            "message": {"text": text},
            "locations": [{
                "physicalLocation": location(r.origin.file, r.origin.line),
                "logicalLocations": [{"name": c.subnet_id.as_str(), "kind": "resource", "fullyQualifiedName": format!("{}/{}", c.vpc_id, c.subnet_id)}],
            }],
            "partialFingerprints": {
                "vpcsimChange/v1": format!("{}|{}|{}|{}|{}", c.kind.name(), c.subnet_id, c.family, ranges(c), r.origin.event_id.unwrap_or(r.origin.scope)),
            },
            "properties": {
                "severity": c.severity.name(),
                "security-severity": security_severity(c.severity),
                "scope": r.origin.scope,
                "eventId": r.origin.event_id,
                "principal": r.origin.principal,
                "account": c.account.as_ref().map(|a| a.as_str()),
                "region": c.region,
            },
        }));
    }
    for f in findings {
        results.push(json!({
            "ruleId": f.kind.name(),
            "ruleIndex": index.get(f.kind.name()).copied().unwrap_or(0),
            "level": level(f.severity),
            "message": {"text": format!("{}: {} (by {})", f.kind.name(), f.message, f.principal.as_deref().unwrap_or("unknown principal"))},
            "locations": [{"physicalLocation": location(None, 0)}],
            "partialFingerprints": {
                "vpcsimFinding/v1": format!("{}|{}|{}", f.kind.name(), f.principal.as_deref().unwrap_or("-"), f.event_ids.first().map(String::as_str).unwrap_or("-")),
            },
            "properties": {
                "severity": f.severity.name(),
                "security-severity": security_severity(f.severity),
                "eventIds": f.event_ids,
                "principal": f.principal,
                "sourceIps": f.source_ips,
                "userAgents": f.user_agents,
                "regions": f.regions,
                "accounts": f.accounts,
            },
        }));
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "vpcsim",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

fn event_origin<'a>(e: &'a Event, scope: &'static str) -> Origin<'a> {
    Origin {
        scope,
        event_id: e.event_id.as_deref(),
        event_time: e.event_time.as_deref(),
        event_name: Some(&e.event_name),
        principal: e.principal.as_deref(),
        source_ip: e.source_ip.as_deref(),
        user_agent: e.user_agent.as_deref(),
        region: e.region.as_deref(),
        account: e.account.as_deref(),
        file: Some(&e.file),
        line: e.line,
        ..Default::default()
    }
}

/// A replay's changes at or above `min`: each record's (scope `event`), then the net change
/// (scope `net`); and its findings at or above `min`.
pub fn rows_of_replay(r: &Replay, min: Severity) -> (Vec<Row<'_>>, Vec<&Finding>) {
    let mut rows = Vec::new();
    for e in &r.events {
        for c in e.exposure.iter().filter(|c| c.severity.at_least(min)) {
            rows.push(Row {
                origin: event_origin(e, "event"),
                change: c,
                revert: e.remediation.as_ref(),
            });
        }
    }
    for c in r.net.iter().filter(|c| c.severity.at_least(min)) {
        rows.push(Row {
            origin: Origin {
                scope: "net",
                ..Default::default()
            },
            change: c,
            revert: None,
        });
    }
    let findings = r
        .findings
        .iter()
        .filter(|f| f.severity.at_least(min))
        .collect();
    (rows, findings)
}

/// A plan's changes at or above `min`: each step's (scope `step`, with the command as given),
/// then the net change of the plan (scope `net`).
pub fn rows_of_whatif<'a>(
    r: &'a Replay,
    inputs: &'a BTreeMap<String, String>,
    min: Severity,
) -> Vec<Row<'a>> {
    let mut rows = Vec::new();
    for (i, e) in r.events.iter().enumerate() {
        for c in e.exposure.iter().filter(|c| c.severity.at_least(min)) {
            let mut origin = event_origin(e, "step");
            origin.step = Some(i + 1);
            origin.input = e
                .event_id
                .as_deref()
                .and_then(|id| inputs.get(id))
                .map(String::as_str);
            origin.principal = None;
            origin.file = None;
            origin.line = 0;
            rows.push(Row {
                origin,
                change: c,
                revert: e.remediation.as_ref(),
            });
        }
    }
    for c in r.net.iter().filter(|c| c.severity.at_least(min)) {
        rows.push(Row {
            origin: Origin {
                scope: "net",
                ..Default::default()
            },
            change: c,
            revert: None,
        });
    }
    rows
}

/// A comparison's changes at or above `min` (scope `diff`).
pub fn rows_of_diff(changes: &[ExposureChange], min: Severity) -> Vec<Row<'_>> {
    changes
        .iter()
        .filter(|c| c.severity.at_least(min))
        .map(|c| Row {
            origin: Origin {
                scope: "diff",
                ..Default::default()
            },
            change: c,
            revert: None,
        })
        .collect()
}

/// SARIF results are per cause: a replay's or a plan's net change repeats its events' changes,
/// so it is left out of SARIF.
pub fn without_net<'a>(rows: Vec<Row<'a>>) -> Vec<Row<'a>> {
    rows.into_iter()
        .filter(|r| r.origin.scope != "net")
        .collect()
}
