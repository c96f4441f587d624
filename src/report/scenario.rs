//! Renderers for scenarios: the whole report of one scenario (what the insta snapshots pin and
//! `vpcsim test --verbose` prints), and the results of `vpcsim test` as text, JSON
//! (`vpcsim/test/v1`, README "JSON output") and JUnit XML.

use super::Style;
use super::replay::{Files, replay_text};
use crate::exposure::Severity;
use crate::scenario::run::{Check, Outcome, Start};
use crate::scenario::{Scenario, ScenarioError};
use serde::Serialize;
use std::fmt::Write as _;

pub const TEST_SCHEMA: &str = "vpcsim/test/v1";

/// Failures shown per scenario in text; the rest are counted.
const SHOWN_FAILURES: usize = 5;

/// The report of one scenario: what it is, the replay as `vpcsim replay` prints it (with each
/// event's number), and every check.
pub fn scenario_text(s: &Scenario, o: &Outcome, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "scenario: {}", s.name);
    let _ = writeln!(out, "title: {}", s.spec.title.get_ref().trim());
    let start = match &o.start {
        Start::Nothing => "nothing (everything the records imply is inferred)".to_string(),
        Start::Inline => "the inline topology".to_string(),
        Start::Snapshot(p) => format!("snapshot {p}"),
    };
    let _ = writeln!(out, "start: {start}");
    for d in &o.diagnostics {
        let _ = writeln!(out, "diagnostic: {} {}", d.code, d.message);
    }
    let _ = writeln!(out, "\nevents:");
    for (i, e) in o.replay.events.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {:>3}. {} {} ({})",
            i + 1,
            e.event_time.as_deref().unwrap_or("-"),
            e.event_name,
            e.location
        );
    }
    let _ = writeln!(out, "\nreplay:");
    let files = Files {
        read: o.files_read,
        skipped: o.files_skipped,
        errors: &o.file_errors,
    };
    out.push_str(&replay_text(&o.replay, &files, style, Severity::Info));
    let failed = o.failures().count();
    let _ = writeln!(
        out,
        "\nchecks: {} passed, {} failed",
        o.checks.len() - failed,
        failed
    );
    for c in &o.checks {
        check_line(&mut out, c, style, "  ");
    }
    out
}

fn check_line(out: &mut String, c: &Check, style: Style, indent: &str) {
    if c.passed {
        let _ = writeln!(
            out,
            "{indent}{}  {}  {}: {}",
            style.paint("32", "ok  "),
            c.location,
            c.what,
            c.actual
        );
    } else {
        let _ = writeln!(
            out,
            "{indent}{}  {}  {}\n{indent}        expected: {}\n{indent}        actual:   {}",
            style.paint("1;31", "FAIL"),
            c.location,
            c.what,
            c.expected,
            c.actual
        );
    }
}

/// One scenario's result for `vpcsim test`.
pub struct Tested<'a> {
    /// The scenario directory as found (`scenarios/x`).
    pub path: String,
    pub name: String,
    pub result: Result<(&'a Scenario, &'a Outcome), &'a ScenarioError>,
}

impl Tested<'_> {
    fn status(&self) -> &'static str {
        match &self.result {
            Ok((_, o)) if o.passed() => "pass",
            Ok(_) => "fail",
            Err(_) => "error",
        }
    }
}

/// Counts: (passed, failed, errors).
pub fn counts(results: &[Tested]) -> (usize, usize, usize) {
    let mut c = (0, 0, 0);
    for r in results {
        match r.status() {
            "pass" => c.0 += 1,
            "fail" => c.1 += 1,
            _ => c.2 += 1,
        }
    }
    c
}

/// `vpcsim test` in text: a line per scenario, the first differences of each failure, a summary.
pub fn test_text(results: &[Tested], style: Style, verbose: bool) -> String {
    let mut out = String::new();
    for t in results {
        match &t.result {
            Ok((s, o)) => {
                let failed = o.failures().count();
                if failed == 0 {
                    let _ = writeln!(
                        out,
                        "{}  {}  ({} checks)",
                        style.paint("32", "PASS "),
                        t.path,
                        o.checks.len()
                    );
                } else {
                    let _ = writeln!(
                        out,
                        "{}  {}  ({} of {} checks failed)",
                        style.paint("1;31", "FAIL "),
                        t.path,
                        failed,
                        o.checks.len()
                    );
                    for c in o.failures().take(SHOWN_FAILURES) {
                        check_line(&mut out, c, style, "       ");
                    }
                    if failed > SHOWN_FAILURES {
                        let _ = writeln!(
                            out,
                            "       ... and {} more (vpcsim test --verbose {} shows all)",
                            failed - SHOWN_FAILURES,
                            t.path
                        );
                    }
                }
                if verbose {
                    for line in scenario_text(s, o, style).lines() {
                        let _ = writeln!(out, "       | {line}");
                    }
                }
            }
            Err(e) => {
                let _ = writeln!(out, "{}  {}", style.paint("1;31", "ERROR"), t.path);
                for line in &e.errors {
                    let _ = writeln!(out, "       {line}");
                }
            }
        }
    }
    let (p, f, e) = counts(results);
    let _ = writeln!(
        out,
        "\nsummary: {} scenario(s): {p} passed, {f} failed, {e} could not run",
        results.len()
    );
    out
}

#[derive(Serialize)]
struct JsonCheck<'a> {
    location: &'a str,
    what: &'a str,
    passed: bool,
    expected: &'a str,
    actual: &'a str,
}

#[derive(Serialize)]
struct JsonScenario<'a> {
    name: &'a str,
    path: &'a str,
    title: Option<&'a str>,
    status: &'static str,
    checks: Vec<JsonCheck<'a>>,
    errors: Vec<&'a str>,
}

#[derive(Serialize)]
struct JsonSummary {
    scenarios: usize,
    passed: usize,
    failed: usize,
    errors: usize,
}

#[derive(Serialize)]
struct JsonTest<'a> {
    schema: &'static str,
    scenarios: Vec<JsonScenario<'a>>,
    summary: JsonSummary,
}

/// `vpcsim test --format json` (`vpcsim/test/v1`).
pub fn test_json(results: &[Tested]) -> String {
    let (passed, failed, errors) = counts(results);
    let doc = JsonTest {
        schema: TEST_SCHEMA,
        scenarios: results
            .iter()
            .map(|t| JsonScenario {
                name: &t.name,
                path: &t.path,
                title: t
                    .result
                    .as_ref()
                    .ok()
                    .map(|(s, _)| s.spec.title.get_ref().trim()),
                status: t.status(),
                checks: match &t.result {
                    Ok((_, o)) => o
                        .checks
                        .iter()
                        .map(|c| JsonCheck {
                            location: &c.location,
                            what: &c.what,
                            passed: c.passed,
                            expected: &c.expected,
                            actual: &c.actual,
                        })
                        .collect(),
                    Err(_) => Vec::new(),
                },
                errors: match &t.result {
                    Ok(_) => Vec::new(),
                    Err(e) => e.errors.iter().map(String::as_str).collect(),
                },
            })
            .collect(),
        summary: JsonSummary {
            scenarios: results.len(),
            passed,
            failed,
            errors,
        },
    };
    super::to_json(&doc)
}

/// Escapes text for XML attributes and content.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 forbids most control characters and U+FFFE/U+FFFF, even escaped.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => out.push('?'),
            '\u{FFFE}' | '\u{FFFF}' => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

/// `vpcsim test --format junit`: one test case per scenario, in one suite; a failure lists every
/// failed check, an error the reasons the scenario could not run. No timings (the output is
/// deterministic).
pub fn test_junit(results: &[Tested]) -> String {
    let (_, failed, errors) = counts(results);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"vpcsim\" tests=\"{n}\" failures=\"{failed}\" errors=\"{errors}\">\n  <testsuite name=\"vpcsim scenarios\" tests=\"{n}\" failures=\"{failed}\" errors=\"{errors}\" skipped=\"0\">",
        n = results.len()
    );
    for t in results {
        let _ = write!(
            out,
            "    <testcase classname=\"vpcsim.scenarios\" name=\"{}\" file=\"{}\"",
            xml(&t.name),
            xml(&t.path)
        );
        match &t.result {
            Ok((_, o)) if o.passed() => {
                let _ = writeln!(out, "/>");
            }
            Ok((_, o)) => {
                let fails: Vec<&Check> = o.failures().collect();
                let first = fails
                    .first()
                    .map(|c| format!("{}: expected {}, got {}", c.what, c.expected, c.actual))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    ">\n      <failure message=\"{}\" type=\"expectation\">",
                    xml(&first)
                );
                for c in fails {
                    let _ = writeln!(
                        out,
                        "{}: {}\n  expected: {}\n  actual:   {}",
                        xml(&c.location),
                        xml(&c.what),
                        xml(&c.expected),
                        xml(&c.actual)
                    );
                }
                let _ = writeln!(out, "      </failure>\n    </testcase>");
            }
            Err(e) => {
                let _ = writeln!(
                    out,
                    ">\n      <error message=\"{}\" type=\"scenario\">",
                    xml(e.errors.first().map(String::as_str).unwrap_or(""))
                );
                for line in &e.errors {
                    let _ = writeln!(out, "{}", xml(line));
                }
                let _ = writeln!(out, "      </error>\n    </testcase>");
            }
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
