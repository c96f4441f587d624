//! Renderers for `vpcsim whatif`: each planned step with EC2's verdict (accepted, or the error
//! code it would answer), the exposure changes it would cause and the revert command; then the
//! net change of the whole plan. JSON schema `vpcsim/whatif/v1` (README "JSON output").

use super::replay::{
    JsonExposure, JsonFinding, JsonRemediation, by_severity, change_text, exposure_json,
    exposure_summary, findings_json, findings_text, listed,
};
use super::{JsonDiagnostic, Style, diagnostics, to_json};
use crate::diag::Diagnostic;
use crate::exposure::Severity;
use crate::replay::{Event, Outcome, Replay};
use crate::whatif::CommandError;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

pub const WHATIF_SCHEMA: &str = "vpcsim/whatif/v1";

/// EC2's verdict on a planned step: `accepted`, `rejected` (the model refuses it with an EC2
/// error code), or the replay outcome for records that carry their own result.
fn verdict(e: &Event) -> &'static str {
    match e.outcome {
        Outcome::Applied => "accepted",
        Outcome::Diverged if e.model_error.is_some() => "rejected",
        o => o.name(),
    }
}

fn detail(e: &Event) -> String {
    match (&e.outcome, &e.model_error) {
        (Outcome::Diverged, Some(m)) => format!("EC2 would answer {}: {}", m.code, m.message),
        _ => e.description.clone(),
    }
}

#[derive(Serialize)]
struct JsonStep<'a> {
    step: usize,
    input: &'a str,
    event_name: &'a str,
    verdict: &'static str,
    error_code: Option<&'a str>,
    description: String,
    exposure: Vec<JsonExposure<'a>>,
    remediation: Option<JsonRemediation<'a>>,
}

#[derive(Serialize)]
struct JsonSummary {
    steps: usize,
    accepted: usize,
    rejected: usize,
    other: usize,
    command_errors: usize,
    min_severity: &'static str,
    by_severity: BTreeMap<&'static str, usize>,
    new_exposure: usize,
    net: usize,
}

#[derive(Serialize)]
struct JsonCommandError<'a> {
    origin: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonWhatif<'a> {
    schema: &'static str,
    summary: JsonSummary,
    steps: Vec<JsonStep<'a>>,
    net_exposure: Vec<JsonExposure<'a>>,
    /// Route-quota findings of the plan (bursts need times, which a plan has not).
    findings: Vec<JsonFinding<'a>>,
    command_errors: Vec<JsonCommandError<'a>>,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

/// The inputs of a what-if run, by event ID (`whatif-N`) as the steps were numbered.
pub struct Plan<'a> {
    pub inputs: &'a BTreeMap<String, String>,
    pub errors: &'a [CommandError],
}

fn input<'a>(plan: &'a Plan, e: &'a Event) -> &'a str {
    e.event_id
        .as_deref()
        .and_then(|id| plan.inputs.get(id))
        .map(String::as_str)
        .unwrap_or(&e.event_name)
}

fn counts(r: &Replay) -> (usize, usize, usize) {
    let mut c = (0, 0, 0);
    for e in &r.events {
        match verdict(e) {
            "accepted" => c.0 += 1,
            "rejected" => c.1 += 1,
            _ => c.2 += 1,
        }
    }
    c
}

pub fn whatif_text(r: &Replay, plan: &Plan, style: Style, min: Severity) -> String {
    let mut out = String::new();
    for (i, e) in r.events.iter().enumerate() {
        let _ = writeln!(out, "step {}  {}", i + 1, input(plan, e));
        let v = verdict(e);
        let code = match v {
            "accepted" => "32",
            "rejected" | "malformed" => "1;31",
            _ => "33",
        };
        let _ = writeln!(out, "        {}: {}", style.paint(code, v), detail(e));
        let mut shown = 0;
        for c in listed(&e.exposure, min) {
            shown += 1;
            let _ = writeln!(out, "        {}", change_text(c, style));
        }
        if e.outcome == Outcome::Applied && e.exposure.is_empty() {
            let _ = writeln!(out, "        no exposure change");
        }
        if let (Some(rem), true) = (&e.remediation, shown > 0) {
            let _ = writeln!(out, "        revert: {}", rem.cli);
        }
    }
    for err in plan.errors {
        let _ = writeln!(out, "{}: {}", style.paint("1;31", "unreadable"), err);
    }
    let (accepted, rejected, other) = counts(r);
    let _ = writeln!(
        out,
        "\nsummary: {} step(s): {accepted} accepted, {rejected} rejected, {other} other; {} unreadable command(s)",
        r.events.len(),
        plan.errors.len()
    );
    exposure_summary(&mut out, r, style, min, "net change of the plan");
    findings_text(&mut out, r, style, min);
    out
}

pub fn whatif_json(r: &Replay, plan: &Plan, diags: &[Diagnostic], min: Severity) -> String {
    let (accepted, rejected, other) = counts(r);
    to_json(&JsonWhatif {
        schema: WHATIF_SCHEMA,
        summary: JsonSummary {
            steps: r.events.len(),
            accepted,
            rejected,
            other,
            command_errors: plan.errors.len(),
            min_severity: min.name(),
            by_severity: by_severity(r),
            new_exposure: r.new_exposure(min),
            net: listed(&r.net, min).count(),
        },
        steps: r
            .events
            .iter()
            .enumerate()
            .map(|(i, e)| JsonStep {
                step: i + 1,
                input: input(plan, e),
                event_name: &e.event_name,
                verdict: verdict(e),
                error_code: match (&e.model_error, &e.error_code) {
                    (_, Some(c)) => Some(c.as_str()),
                    (Some(m), None) => Some(m.code),
                    (None, None) => None,
                },
                description: detail(e),
                exposure: listed(&e.exposure, min).map(exposure_json).collect(),
                remediation: e.remediation.as_ref().map(|rem| JsonRemediation {
                    cli: &rem.cli,
                    boto3: &rem.boto3,
                    check_next: &rem.check_next,
                }),
            })
            .collect(),
        net_exposure: listed(&r.net, min).map(exposure_json).collect(),
        findings: findings_json(r, min),
        command_errors: plan
            .errors
            .iter()
            .map(|e| JsonCommandError {
                origin: &e.origin,
                message: &e.message,
            })
            .collect(),
        diagnostics: diagnostics(diags),
    })
}

/// One paragraph for Markdown: steps by verdict, the gate.
pub fn summary_line(r: &Replay, plan: &Plan, min: Severity) -> String {
    let (accepted, rejected, other) = counts(r);
    let rejected_steps: Vec<String> = r
        .events
        .iter()
        .enumerate()
        .filter(|(_, e)| verdict(e) == "rejected")
        .map(|(i, e)| {
            format!(
                "step {} ({})",
                i + 1,
                e.model_error.as_ref().map(|m| m.code).unwrap_or("-")
            )
        })
        .collect();
    let mut s = format!(
        "{} step(s): {accepted} accepted, {rejected} rejected, {other} other; {} unreadable command(s). **{} new exposure** at or above {}.",
        r.events.len(),
        plan.errors.len(),
        r.new_exposure(min),
        min.name()
    );
    if !rejected_steps.is_empty() {
        s.push_str(&format!(" EC2 would reject {}.", rejected_steps.join(", ")));
    }
    s
}
