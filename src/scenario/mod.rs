//! Scenarios: a directory with a `scenario.toml` that names a starting state, a sequence of
//! events, and what must come of them (`scenarios/README.md` documents the format). This module
//! reads and checks the file ([`load`]); [`events`] turns its inline events into CloudTrail
//! records, [`run`] replays them and checks every expectation. `vpcsim test` and the test suite
//! both go through [`run::run`], so a scenario means the same thing everywhere.
//!
//! Errors name the file, the line and column, and the field (`scenario.toml:12:1
//! (expect.change.kind)`). A file that is not valid TOML, or holds a value of the wrong type,
//! stops at that first error (the TOML reader does); past that, every mistake the checks find is
//! reported, not only the first.

pub mod events;
pub mod run;

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The file a scenario directory must hold.
pub const FILE_NAME: &str = "scenario.toml";

pub type S = Spanned<String>;

/// A `scenario.toml` as written. Serialising it gives a file that reads back the same
/// (`tests/scenario_props.rs` checks the round trip).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    pub title: S,
    pub description: S,
    /// A snapshot path relative to the scenario file: a `.toml` topology, a directory of
    /// describe-* JSON, or one JSON file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<S>,
    #[serde(default, skip_serializing_if = "Options::is_default")]
    pub options: Options,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub event: Vec<Spanned<EventSpec>>,
    #[serde(default, skip_serializing_if = "Expect::is_empty")]
    pub expect: Expect,
    /// An inline topology (same keys as a topology file). Parsed separately, with the spans
    /// of this file, by [`crate::snapshot::topology::load_inline`]; last so that it serialises
    /// after the plain keys, as TOML requires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topology: Option<toml::Table>,
}

/// How the events are replayed.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// Reject successful records that name resources the starting state lacks (default: infer
    /// them, as `vpcsim replay` does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strict: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_limit: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub burst_writes: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub burst_window: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota_warn: Option<usize>,
    /// The time of the first inline event without `at` (RFC 3339); each next one is a minute
    /// later. Default 2026-01-01T00:00:00Z.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<S>,
}

impl Options {
    fn is_default(&self) -> bool {
        *self == Options::default()
    }
}

/// One event: exactly one of `do` (the short form), `cli` (AWS CLI words) or `file`
/// (CloudTrail records next to the scenario); the envelope keys apply to `do` and `cli`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EventSpec {
    #[serde(default, rename = "do", skip_serializing_if = "Option::is_none")]
    pub short: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cli: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<S>,
    /// eventTime (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<S>,
    /// The principal's ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<S>,
    /// The call failed in AWS with this error code (`RouteAlreadyExists`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<S>,
    /// A DryRun call (AWS answers `DryRunOperation`; nothing changes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
    /// The eventID (default `<scenario>-<n>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<S>,
    /// The ID AWS gave what the call created (a route table, an association, a gateway...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creates: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<S>,
}

/// What must come of the scenario.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Spanned<ExpectSummary>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub event: Vec<Spanned<ExpectEvent>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub change: Vec<Spanned<ExpectChange>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub finding: Vec<Spanned<ExpectFinding>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trace: Vec<Spanned<ExpectTrace>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub internet: Vec<Spanned<ExpectInternet>>,
}

impl Expect {
    fn is_empty(&self) -> bool {
        *self == Expect::default()
    }

    /// How many checks the expectations make.
    pub fn count(&self) -> usize {
        usize::from(self.summary.is_some())
            + self.event.len()
            + self.change.len()
            + self.finding.len()
            + self.trace.len()
            + self.internet.len()
    }
}

/// Counts of the replay summary; only the keys given are checked.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectSummary {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub records: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied: Option<usize>,
    /// Of `applied`, the records applied only after an inference (`Summary::inferred`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inferred: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_in_aws: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diverged: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignored: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsupported: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub malformed: Option<usize>,
    /// New exposure (kinds that add exposure) over the whole replay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_exposure: Option<usize>,
}

/// One event's outcome: `event` is its position in replay order (1-based, as the report numbers
/// it), or `event_id` names it.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectEvent {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<S>,
    /// The eventName (`CreateRoute`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<S>,
    /// The error code: the record's own (AWS's) when it has one, else the model's refusal of a
    /// record AWS accepted. `""` means none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<S>,
    /// The number of exposure changes the event caused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<usize>,
}

/// An exposure change that must be there (or, with `absent = true`, must not). Every key given
/// must match; `event` limits it to one event, `net = true` to the net change of the whole run.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net: Option<bool>,
    pub kind: S,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<S>,
    /// Exactly these CIDRs (as the JSON report lists them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ranges: Option<Vec<S>>,
    /// Each of these CIDRs lies wholly inside the change's ranges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub covers: Option<Vec<S>>,
    /// None of these CIDRs overlaps the change's ranges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub misses: Option<Vec<S>>,
    /// The disposition after the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<S>,
    /// Resources the path after the change passes, in this order (others may lie between).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<Vec<S>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub absent: Option<bool>,
}

/// A finding that must be there (or not).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectFinding {
    pub kind: S,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_table: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub absent: Option<bool>,
}

/// A trace (as `vpcsim trace`) at a point of the scenario.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectTrace {
    pub from: S,
    pub to: S,
    /// After this many events (0: the starting state); default: the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<usize>,
    pub disposition: S,
    /// Resources the path passes, in this order (others may lie between).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<Vec<S>>,
    /// Resources the path must not pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avoids: Option<Vec<S>>,
}

/// A subnet's internet class (as `vpcsim reach` reports it) at a point of the scenario.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectInternet {
    pub subnet: S,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv4: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6: Option<S>,
}

/// A scenario read from disk.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The directory's name: the scenario's name in reports.
    pub name: String,
    pub dir: PathBuf,
    /// The file as displayed in errors (`scenarios/x/scenario.toml`).
    pub file: String,
    pub text: String,
    pub spec: Spec,
}

/// A scenario file that cannot be used. `errors` are `file:line:col (field): message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    pub path: String,
    pub errors: Vec<String>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.errors.join("\n"))
    }
}

impl std::error::Error for ScenarioError {}

/// Vocabularies the expectations are checked against when the file is read, so that a typo is
/// an error naming the line rather than a check that can never pass.
pub const OUTCOMES: [&str; 8] = [
    "applied",
    "failed_in_aws",
    "diverged",
    "duplicate",
    "ignored",
    "unsupported",
    "malformed",
    "after_until",
];
pub const KINDS: [&str; 19] = [
    "INTERNET_EXPOSED",
    "INTERNET_EGRESS_GAINED",
    "INTERNET_LOST",
    "INTERNET_EXPOSURE_REMOVED",
    "ON_PREMISES_PATH_GAINED",
    "ON_PREMISES_PATH_LOST",
    "PEER_PATH_GAINED",
    "PEER_PATH_LOST",
    "PATH_LOST",
    "PATH_GAINED",
    "HOST_EXPOSED",
    "HOST_EXPOSURE_REMOVED",
    "TRAFFIC_REDIRECTED",
    "BLACKHOLED",
    "RESTORED",
    "INGRESS_REDIRECTED",
    "INGRESS_INSPECTION_BYPASSED",
    "INGRESS_LOST",
    "INGRESS_RESTORED",
];
pub const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "info"];
pub const DISPOSITIONS: [&str; 12] = [
    "DELIVERED",
    "EXITS_TO_INTERNET",
    "EXITS_TO_VPN",
    "EXITS_TO_PEER",
    "EXITS_TO_TRANSIT_GATEWAY",
    "TO_NETWORK_INTERFACE",
    "TO_VPC_ENDPOINT",
    "EXITS_OTHER",
    "NO_ROUTE",
    "BLACKHOLE",
    "DROPPED",
    "LOOP",
];
pub const FINDINGS: [&str; 3] = [
    "ROUTE_WRITE_BURST",
    "ROUTE_QUOTA_NEAR",
    "ROUTE_QUOTA_REACHED",
];
pub const CLASSES: [&str; 3] = ["public", "outbound-only", "isolated"];
pub const FAMILIES: [&str; 2] = ["ipv4", "ipv6"];

/// `file:line:col`, 1-based, of a byte offset.
pub fn line_col(text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.len() - before.rfind('\n').map(|i| i + 1).unwrap_or(0) + 1;
    format!("{line}:{col}")
}

/// The field at a byte offset, as `table.key` (`expect.change.subnet`): the key on that line
/// (before its `=`) under the nearest table header above. TOML stops at the first error of a
/// file, so this names the field of that one.
fn field_at(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let end = text[offset..]
        .find('\n')
        .map(|i| offset + i)
        .unwrap_or(text.len());
    let line = &text[start..end];
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .filter(|k| !k.is_empty() && !k.starts_with('['));
    let header = text[..start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| {
            l.trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .trim()
                .to_string()
        })
        .filter(|h| !h.is_empty());
    match (header, key) {
        (Some(h), Some(k)) => Some(format!("{h}.{k}")),
        (None, Some(k)) => Some(k),
        (Some(h), None) => Some(h),
        (None, None) => None,
    }
}

/// Reads and checks `dir/scenario.toml` (or the file itself when `path` is one).
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let (dir, file) = if path.is_dir() {
        (path.to_path_buf(), path.join(FILE_NAME))
    } else {
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        (parent, path.to_path_buf())
    };
    let shown = file.display().to_string();
    let text = std::fs::read_to_string(&file).map_err(|e| ScenarioError {
        path: shown.clone(),
        errors: vec![format!(
            "{shown}: cannot read the scenario ({e}); a scenario is a directory holding {FILE_NAME}"
        )],
    })?;
    // The directory's name (`.` is named by what it is).
    let name = std::fs::canonicalize(&dir)
        .ok()
        .as_deref()
        .unwrap_or(&dir)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.clone());
    let spec = parse(&text, &shown)?;
    Ok(Scenario {
        name,
        dir,
        file: shown,
        text,
        spec,
    })
}

/// Parses a scenario file's text; `name` is used in error locations.
pub fn parse(text: &str, name: &str) -> Result<Spec, ScenarioError> {
    let spec: Spec = toml::from_str(text).map_err(|e| {
        let at = match e.span() {
            Some(span) => match field_at(text, span.start) {
                Some(field) => format!("{name}:{} ({field})", line_col(text, span.start)),
                None => format!("{name}:{}", line_col(text, span.start)),
            },
            None => name.to_string(),
        };
        ScenarioError {
            path: name.to_string(),
            errors: vec![format!("{at}: {}", e.message().trim())],
        }
    })?;
    let mut v = Validator {
        text,
        name,
        errors: Vec::new(),
    };
    v.check(&spec);
    if v.errors.is_empty() {
        Ok(spec)
    } else {
        Err(ScenarioError {
            path: name.to_string(),
            errors: v.errors,
        })
    }
}

struct Validator<'a> {
    text: &'a str,
    name: &'a str,
    errors: Vec<String>,
}

impl Validator<'_> {
    fn at(&self, span: std::ops::Range<usize>) -> String {
        format!("{}:{}", self.name, line_col(self.text, span.start))
    }

    fn err(&mut self, span: std::ops::Range<usize>, field: &str, message: String) {
        let at = self.at(span);
        self.errors.push(format!("{at} ({field}): {message}"));
    }

    /// Where `key = ...` is first written at the start of a line (for values without spans).
    fn key_span(&self, key: &str) -> std::ops::Range<usize> {
        let mut offset = 0;
        for line in self.text.split_inclusive('\n') {
            let t = line.trim_start();
            if t.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
            {
                let at = offset + (line.len() - t.len());
                return at..at;
            }
            offset += line.len();
        }
        0..0
    }

    fn one_of(&mut self, s: &S, field: &str, allowed: &[&str]) {
        if !allowed.contains(&s.get_ref().as_str()) {
            self.err(
                s.span(),
                field,
                format!(
                    "{:?} is not one of {}",
                    s.get_ref(),
                    allowed
                        .iter()
                        .map(|a| format!("\"{a}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }

    fn cidrs(&mut self, list: &Option<Vec<S>>, field: &str) {
        for c in list.iter().flatten() {
            if c.get_ref().trim().parse::<ipnet::IpNet>().is_err() {
                self.err(
                    c.span(),
                    field,
                    format!(
                        "{:?} is not a CIDR (10.0.0.0/16, 2001:db8::/32)",
                        c.get_ref()
                    ),
                );
            }
        }
    }

    fn time(&mut self, s: &Option<S>, field: &str) {
        if let Some(t) = s
            && crate::cloudtrail::UtcTime::parse(t.get_ref()).is_none()
        {
            self.err(
                t.span(),
                field,
                format!(
                    "{:?} is not an RFC 3339 time (2026-01-01T00:00:00Z)",
                    t.get_ref()
                ),
            );
        }
    }

    fn check(&mut self, spec: &Spec) {
        if spec.title.get_ref().trim().is_empty() {
            self.err(spec.title.span(), "title", "the title is empty".into());
        }
        if spec.description.get_ref().trim().is_empty() {
            self.err(
                spec.description.span(),
                "description",
                "say in plain words what happens, why it matters and what a responder should conclude".into(),
            );
        }
        if let (Some(s), Some(_)) = (&spec.snapshot, &spec.topology) {
            self.err(
                s.span(),
                "snapshot",
                "give either snapshot = \"PATH\" or an inline [topology], not both".into(),
            );
        }
        self.time(&spec.options.start, "options.start");
        let o = &spec.options;
        if o.route_limit == Some(0) {
            self.err(
                self.key_span("route_limit"),
                "options.route_limit",
                "give at least 1 (EC2's default is 50)".into(),
            );
        }
        if o.burst_writes == Some(0) {
            self.err(
                self.key_span("burst_writes"),
                "options.burst_writes",
                "give at least 1 (default 20)".into(),
            );
        }
        if o.burst_window.is_some_and(|w| w < 1) {
            self.err(
                self.key_span("burst_window"),
                "options.burst_window",
                "give at least 1 second (default 60)".into(),
            );
        }
        if o.quota_warn.is_some_and(|q| q == 0 || q > 100) {
            self.err(
                self.key_span("quota_warn"),
                "options.quota_warn",
                "a percentage from 1 to 100 (default 80)".into(),
            );
        }
        if spec.expect.count() == 0 {
            self.err(
                spec.title.span(),
                "expect",
                "the scenario checks nothing: add [expect.summary], [[expect.event]], [[expect.change]], [[expect.finding]], [[expect.trace]] or [[expect.internet]]".into(),
            );
        }
        for e in &spec.event {
            let span = e.span();
            let e = e.get_ref();
            let given = [&e.short, &e.cli, &e.file]
                .iter()
                .filter(|x| x.is_some())
                .count();
            if given != 1 {
                self.err(
                    span.clone(),
                    "event",
                    "give exactly one of do = \"...\", cli = \"aws ec2 ...\" or file = \"trail.json\"".into(),
                );
            }
            if let Some(f) = &e.file {
                let envelope = [
                    &e.at,
                    &e.by,
                    &e.source_ip,
                    &e.user_agent,
                    &e.error,
                    &e.error_message,
                    &e.id,
                    &e.creates,
                    &e.region,
                    &e.account,
                ]
                .iter()
                .any(|x| x.is_some())
                    || e.dry_run.is_some();
                if envelope {
                    self.err(
                        f.span(),
                        "event.file",
                        "the records of a file carry their own envelope; at, by, error, creates... apply to do and cli events only".into(),
                    );
                }
            }
            self.time(&e.at, "event.at");
            if let Some(code) = &e.error
                && code.get_ref().trim().is_empty()
            {
                self.err(
                    code.span(),
                    "event.error",
                    "an empty error code; leave error out for a call that succeeded".into(),
                );
            }
            if let Some(s) = &e.short
                && let Err(m) = events::short_words(s.get_ref())
            {
                self.err(s.span(), "event.do", m);
            }
            if let Some(s) = &e.cli {
                match crate::whatif::split_words(s.get_ref()) {
                    Ok(words) => {
                        if let Err(m) = crate::whatif::command_record(&words, 1) {
                            self.err(s.span(), "event.cli", m);
                        }
                    }
                    Err(m) => self.err(s.span(), "event.cli", m),
                }
            }
        }
        let x = &spec.expect;
        for e in &x.event {
            let span = e.span();
            let e_span = span.clone();
            let e = e.get_ref();
            if e.event.is_some() == e.event_id.is_some() {
                self.err(
                    span,
                    "expect.event",
                    "name the event by event = N (its place in replay order, from 1) or event_id = \"...\"".into(),
                );
            }
            if e.event == Some(0) {
                self.err(
                    e_span.clone(),
                    "expect.event.event",
                    "events are numbered from 1".into(),
                );
            }
            if let Some(o) = &e.outcome {
                self.one_of(o, "expect.event.outcome", &OUTCOMES);
            }
        }
        for c in &x.change {
            let span = c.span();
            let c = c.get_ref();
            self.one_of(&c.kind, "expect.change.kind", &KINDS);
            if let Some(s) = &c.severity {
                self.one_of(s, "expect.change.severity", &SEVERITIES);
            }
            if let Some(f) = &c.family {
                self.one_of(f, "expect.change.family", &FAMILIES);
            }
            if let Some(d) = &c.after {
                self.one_of(d, "expect.change.after", &DISPOSITIONS);
            }
            if c.net == Some(true) && c.event.is_some() {
                self.err(
                    span.clone(),
                    "expect.change",
                    "net = true is the net change of the whole run; it has no event".into(),
                );
            }
            if c.event == Some(0) {
                self.err(
                    span,
                    "expect.change.event",
                    "events are numbered from 1".into(),
                );
            }
            self.cidrs(&c.ranges, "expect.change.ranges");
            self.cidrs(&c.covers, "expect.change.covers");
            self.cidrs(&c.misses, "expect.change.misses");
        }
        for f in &x.finding {
            let f = f.get_ref();
            self.one_of(&f.kind, "expect.finding.kind", &FINDINGS);
            if let Some(s) = &f.severity {
                self.one_of(s, "expect.finding.severity", &SEVERITIES);
            }
        }
        for t in &x.trace {
            let t = t.get_ref();
            self.one_of(&t.disposition, "expect.trace.disposition", &DISPOSITIONS);
            if t.to.get_ref().trim().parse::<std::net::IpAddr>().is_err() {
                self.err(
                    t.to.span(),
                    "expect.trace.to",
                    format!("{:?} is not an IPv4 or IPv6 address", t.to.get_ref()),
                );
            }
        }
        for i in &x.internet {
            let span = i.span();
            let i = i.get_ref();
            if i.ipv4.is_none() && i.ipv6.is_none() {
                self.err(
                    span,
                    "expect.internet",
                    "give ipv4 = \"...\" and/or ipv6 = \"...\" (public, outbound-only, isolated)"
                        .into(),
                );
            }
            for c in [&i.ipv4, &i.ipv6].into_iter().flatten() {
                self.one_of(c, "expect.internet", &CLASSES);
            }
        }
    }
}

/// Every scenario under `paths`: a scenario directory, a scenario file (`scenario.toml` or any
/// other name), or a directory whose subdirectories (at any depth) hold scenarios; sorted by
/// path, each found once (the same scenario given twice, by two spellings, runs once). A path
/// with no scenario is an error of its own; the others are still returned.
pub fn discover_all(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<ScenarioError>) {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    let mut fail = |p: &Path, message: String| {
        errors.push(ScenarioError {
            path: p.display().to_string(),
            errors: vec![format!("{}: {message}", p.display())],
        })
    };
    for p in paths {
        if p.is_file() || p.join(FILE_NAME).is_file() {
            found.push(p.clone());
        } else if p.is_dir() {
            let mut here = Vec::new();
            for entry in walkdir::WalkDir::new(p).sort_by_file_name() {
                match entry {
                    Ok(entry) => {
                        if entry.file_type().is_file()
                            && entry.file_name() == FILE_NAME
                            && let Some(parent) = entry.path().parent()
                        {
                            here.push(parent.to_path_buf());
                        }
                    }
                    Err(e) => fail(p, e.to_string()),
                }
            }
            if here.is_empty() {
                fail(
                    p,
                    format!("no scenario here (a scenario is a directory holding {FILE_NAME})"),
                );
            }
            found.extend(here);
        } else {
            fail(
                p,
                "no such file or directory; give scenario directories or a folder of them".into(),
            );
        }
    }
    found.sort();
    // One run per scenario, however it was spelled (`x` and `./x`).
    let mut seen = std::collections::BTreeSet::new();
    found.retain(|p| {
        let file = if p.is_file() {
            p.clone()
        } else {
            p.join(FILE_NAME)
        };
        seen.insert(std::fs::canonicalize(&file).unwrap_or(file))
    });
    (found, errors)
}

/// [`discover_all`], failing on the first path without a scenario.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let (found, errors) = discover_all(paths);
    match errors.into_iter().next() {
        Some(e) => Err(e.to_string()),
        None => Ok(found),
    }
}
