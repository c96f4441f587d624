//! Renderers for `vpcsim diff`: the exposure changes between two states (two snapshots, or two
//! points of a replay), one per line in text, or JSON schema `vpcsim/diff/v1` (README "JSON
//! output").

use super::replay::{JsonExposure, change_text, count_grades, exposure_json, grades_text};
use super::{JsonDiagnostic, Style, diagnostics, to_json};
use crate::diag::Diagnostic;
use crate::exposure::{ExposureChange, Severity};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

pub const DIFF_SCHEMA: &str = "vpcsim/diff/v1";

/// What was compared, for the report's header.
pub struct Compared<'a> {
    pub before: &'a str,
    pub after: &'a str,
}

/// New exposure at or above `min` (the exit-1 condition).
pub fn new_exposure(changes: &[ExposureChange], min: Severity) -> usize {
    crate::exposure::count_new_exposure(changes, min)
}

fn by_severity(changes: &[ExposureChange]) -> BTreeMap<&'static str, usize> {
    count_grades(changes)
}

pub fn diff_text(
    changes: &[ExposureChange],
    what: &Compared,
    style: Style,
    min: Severity,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "before: {}\nafter:  {}\n", what.before, what.after);
    let mut listed = 0;
    for c in changes.iter().filter(|c| c.severity.at_least(min)) {
        listed += 1;
        let _ = writeln!(out, "{}", change_text(c, style));
    }
    if listed == 0 {
        let _ = writeln!(out, "no exposure change at or above {}", min.name());
    }
    let by = by_severity(changes);
    let _ = writeln!(
        out,
        "\nsummary: {} change(s) ({}); {} new exposure at or above {}",
        changes.len(),
        grades_text(&by),
        new_exposure(changes, min),
        min.name()
    );
    out
}

#[derive(Serialize)]
struct JsonSummary {
    changes: usize,
    listed: usize,
    min_severity: &'static str,
    by_severity: BTreeMap<&'static str, usize>,
    new_exposure: usize,
}

#[derive(Serialize)]
struct JsonDiff<'a> {
    schema: &'static str,
    before: &'a str,
    after: &'a str,
    summary: JsonSummary,
    changes: Vec<JsonExposure<'a>>,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

pub fn diff_json(
    changes: &[ExposureChange],
    what: &Compared,
    diags: &[Diagnostic],
    min: Severity,
) -> String {
    let listed: Vec<JsonExposure> = changes
        .iter()
        .filter(|c| c.severity.at_least(min))
        .map(exposure_json)
        .collect();
    to_json(&JsonDiff {
        schema: DIFF_SCHEMA,
        before: what.before,
        after: what.after,
        summary: JsonSummary {
            changes: changes.len(),
            listed: listed.len(),
            min_severity: min.name(),
            by_severity: by_severity(changes),
            new_exposure: new_exposure(changes, min),
        },
        changes: listed,
        diagnostics: diagnostics(diags),
    })
}

/// One paragraph for Markdown: changes by grade, the gate.
pub fn summary_line(changes: &[ExposureChange], min: Severity) -> String {
    let by = by_severity(changes);
    format!(
        "{} change(s): {}. **{} new exposure** at or above {}.",
        changes.len(),
        grades_text(&by),
        new_exposure(changes, min),
        min.name()
    )
}
