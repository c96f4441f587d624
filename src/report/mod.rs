//! Renderers for reach and trace results: aligned text for people, and JSON with a documented,
//! stable schema (`README.md`, "JSON output") for machines.
//!
//! **Architecture invariant:** only this module derives `Serialize` for output, on its own
//! output types converted by hand from the engine's types, so that the engine can change
//! without changing the schema. Output is a pure function of its input: same input, same bytes.

pub mod blame;
pub mod changes;
pub mod diff;
pub mod graph;
pub mod replay;
pub mod scenario;
pub mod whatif;

use crate::addr::{self, Family};
use crate::diag::Diagnostic;
use crate::reach::{Explanation, FamilyReach, Segment, SubnetReach, Trace};
use serde::Serialize;
use std::cell::RefCell;
use std::fmt::Write as _;
use std::io;

/// Schema identifiers; a breaking change to a schema bumps its version.
pub const REACH_SCHEMA: &str = "vpcsim/reach/v1";
pub const TRACE_SCHEMA: &str = "vpcsim/trace/v1";

/// Whether text output may use ANSI colour.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub(crate) fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    fn disposition(&self, d: &str, width: usize) -> String {
        let padded = format!("{d:<width$}");
        let code = match d {
            "EXITS_TO_INTERNET" => "1;31",
            "BLACKHOLE" | "DROPPED" | "LOOP" | "NO_ROUTE" => "33",
            "DELIVERED" => "32",
            _ => "36",
        };
        self.paint(code, &padded)
    }
}

#[derive(Serialize)]
struct JsonExplanation<'a> {
    code: &'a str,
    resource: &'a str,
    message: &'a str,
}

fn explanations(e: &[Explanation]) -> Vec<JsonExplanation<'_>> {
    e.iter()
        .map(|e| JsonExplanation {
            code: e.code,
            resource: &e.resource,
            message: &e.message,
        })
        .collect()
}

#[derive(Serialize)]
pub(crate) struct JsonDiagnostic<'a> {
    severity: &'a str,
    code: &'a str,
    resource: Option<&'a str>,
    location: Option<&'a str>,
    message: &'a str,
}

pub(crate) fn diagnostics(d: &[Diagnostic]) -> Vec<JsonDiagnostic<'_>> {
    d.iter()
        .map(|d| JsonDiagnostic {
            severity: d.severity.name(),
            code: d.code,
            resource: d.resource.as_deref(),
            location: d.location.as_deref(),
            message: &d.message,
        })
        .collect()
}

#[derive(Serialize)]
struct JsonSegment<'a> {
    ranges: Vec<String>,
    disposition: &'static str,
    path: Vec<&'a str>,
    /// Only for a `BLACKHOLE` segment: the dead route's target.
    #[serde(skip_serializing_if = "Option::is_none")]
    blackhole_target: Option<&'a str>,
    explanations: Vec<JsonExplanation<'a>>,
}

#[derive(Serialize)]
struct JsonHost {
    interface: String,
    instance: Option<String>,
    private_ip: String,
    public_ip: String,
}

#[derive(Serialize)]
struct JsonFamily<'a> {
    cidrs: Vec<String>,
    internet: &'static str,
    internet_coverage: &'static str,
    internet_via: Vec<&'static str>,
    internet_ranges: Vec<String>,
    public_hosts: Vec<JsonHost>,
    segments: Vec<JsonSegment<'a>>,
}

#[derive(Serialize)]
struct JsonSubnet<'a> {
    subnet_id: &'a str,
    vpc_id: &'a str,
    account: Option<&'a str>,
    region: Option<&'a str>,
    route_table_id: Option<&'a str>,
    association: Option<&'static str>,
    ipv4: JsonFamily<'a>,
    ipv6: JsonFamily<'a>,
}

#[derive(Serialize)]
struct JsonReach<'a> {
    schema: &'static str,
    subnets: Vec<JsonSubnet<'a>>,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

fn cidr_strings(family: Family, s: &Segment) -> Vec<String> {
    s.cidrs(family).iter().map(|c| c.to_string()).collect()
}

fn coverage(f: &FamilyReach) -> &'static str {
    if f.internet_ranges.is_empty() {
        "none"
    } else if f.internet_full {
        "full"
    } else {
        "partial"
    }
}

fn json_family(f: &FamilyReach) -> JsonFamily<'_> {
    JsonFamily {
        cidrs: f.cidrs.iter().map(|c| c.to_string()).collect(),
        internet: f.internet.name(),
        internet_coverage: coverage(f),
        internet_via: f.internet_via.iter().map(|v| v.name()).collect(),
        internet_ranges: if f.internet_full {
            Vec::new()
        } else {
            f.internet_ranges
                .iter()
                .flat_map(|iv| addr::interval_to_cidrs(f.family, *iv))
                .map(|c| c.to_string())
                .collect()
        },
        public_hosts: f
            .public_hosts
            .iter()
            .map(|h| JsonHost {
                interface: h.interface.to_string(),
                instance: h.instance.as_ref().map(|i| i.to_string()),
                private_ip: h.private_ip.to_string(),
                public_ip: h.public_ip.to_string(),
            })
            .collect(),
        segments: f
            .segments
            .iter()
            .map(|s| JsonSegment {
                ranges: cidr_strings(f.family, s),
                disposition: s.disposition.name(),
                path: s.path.iter().map(|p| &**p).collect(),
                blackhole_target: s.blackhole_target.as_deref(),
                explanations: explanations(&s.explanations),
            })
            .collect(),
    }
}

fn json_subnet(r: &SubnetReach) -> JsonSubnet<'_> {
    JsonSubnet {
        subnet_id: r.subnet_id.as_str(),
        vpc_id: r.vpc_id.as_str(),
        account: r.owner_id.as_ref().map(|a| a.as_str()),
        region: r.region.as_deref(),
        route_table_id: r.route_table_id.as_ref().map(|t| t.as_str()),
        association: r.association.map(|a| a.name()),
        ipv4: json_family(&r.ipv4),
        ipv6: json_family(&r.ipv6),
    }
}

/// `vpcsim reach --format json`.
pub fn reach_json(reach: &[SubnetReach], diags: &[Diagnostic]) -> String {
    let doc = JsonReach {
        schema: REACH_SCHEMA,
        subnets: reach.iter().map(json_subnet).collect(),
        diagnostics: diagnostics(diags),
    };
    to_json(&doc)
}

/// A sequence serialised straight from an iterator (used once).
struct Streamed<I>(RefCell<Option<I>>);

struct OwnedSubnet(SubnetReach);

impl Serialize for OwnedSubnet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        json_subnet(&self.0).serialize(s)
    }
}

impl<I: Iterator<Item = SubnetReach>> Serialize for Streamed<I> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let items = self.0.borrow_mut().take();
        s.collect_seq(items.into_iter().flatten().map(OwnedSubnet))
    }
}

#[derive(Serialize)]
#[serde(bound = "")]
struct JsonReachStream<'a, I: Iterator<Item = SubnetReach>> {
    schema: &'static str,
    subnets: Streamed<I>,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

/// Writes `vpcsim reach --format json` while the reach is being computed, so that memory stays
/// bounded by one batch of subnets; the bytes are the same as [`reach_json`]'s.
pub fn write_reach_json<W: io::Write>(
    mut w: W,
    reach: impl Iterator<Item = SubnetReach>,
    diags: &[Diagnostic],
) -> io::Result<()> {
    let doc = JsonReachStream {
        schema: REACH_SCHEMA,
        subnets: Streamed(RefCell::new(Some(reach))),
        diagnostics: diagnostics(diags),
    };
    // (`From` keeps an I/O error as it is: a closed pipe stays `BrokenPipe`.)
    serde_json::to_writer_pretty(&mut w, &doc).map_err(io::Error::from)?;
    w.write_all(b"\n")
}

/// Writes `vpcsim reach` text for a stream of subnets; the bytes are the same as
/// [`reach_text`]'s for the same subnets.
pub fn write_reach_text<W: io::Write>(
    mut w: W,
    reach: impl Iterator<Item = SubnetReach>,
    style: Style,
) -> io::Result<()> {
    for (i, r) in reach.enumerate() {
        if i > 0 {
            w.write_all(b"\n")?;
        }
        w.write_all(reach_text(std::slice::from_ref(&r), style).as_bytes())?;
    }
    Ok(())
}

pub(crate) fn to_json<T: Serialize>(doc: &T) -> String {
    // Serialising owned strings and plain structs cannot fail; fall back to an error object.
    serde_json::to_string_pretty(doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")) + "\n"
}

const MAX_TEXT_RANGES: usize = 6;

fn ranges_text(cidrs: &[String]) -> String {
    if cidrs.len() <= MAX_TEXT_RANGES {
        cidrs.join(" ")
    } else {
        format!(
            "{} (+{} more)",
            cidrs[..MAX_TEXT_RANGES - 1].join(" "),
            cidrs.len() - (MAX_TEXT_RANGES - 1)
        )
    }
}

/// Ranges for text: the CIDR list, or "COVER except …" (COVER the smallest CIDR holding all
/// the ranges) when that is shorter.
fn segment_ranges_text(family: Family, s: &Segment) -> String {
    ranges_display(family, &s.ranges)
}

/// Sorted, disjoint ranges for text, as [`segment_ranges_text`] shows them.
pub(crate) fn ranges_display(family: Family, ranges: &[addr::Interval]) -> String {
    // Ranges inside the public space and covering most of it (what an internet change is
    // about): "public space", or "public space except ..." (README "Exposure changes").
    let public = addr::public_space(family);
    if !ranges.is_empty() && addr::subtract(ranges, public).is_empty() {
        let missing: Vec<String> = addr::subtract(public, ranges)
            .iter()
            .flat_map(|iv| addr::interval_to_cidrs(family, *iv))
            .map(|c| c.to_string())
            .collect();
        if missing.is_empty() {
            return "public space".into();
        }
        if missing.len() <= 4 {
            return format!("public space except {}", missing.join(" "));
        }
    }
    let direct: Vec<String> = ranges
        .iter()
        .flat_map(|iv| addr::interval_to_cidrs(family, *iv))
        .map(|c| c.to_string())
        .collect();
    if direct.len() > 2
        && let (Some(first), Some(last)) = (ranges.first(), ranges.last())
    {
        let cover = smallest_cover(family, first.lo, last.hi);
        let rest = addr::subtract(&[cover], ranges);
        let except: Vec<String> = rest
            .iter()
            .flat_map(|iv| addr::interval_to_cidrs(family, *iv))
            .map(|c| c.to_string())
            .collect();
        if except.len() < direct.len() {
            let cover_text = addr::interval_to_cidrs(family, cover)
                .first()
                .map(|c| c.to_string())
                .unwrap_or_default();
            return format!("{cover_text} except {}", ranges_text(&except));
        }
    }
    ranges_text(&direct)
}

/// The smallest CIDR block (as an interval) that contains `lo..=hi`.
fn smallest_cover(family: Family, lo: u128, hi: u128) -> addr::Interval {
    let bits = family.bits() as u32;
    let diff = lo ^ hi;
    let host_bits = if diff == 0 {
        0
    } else {
        128 - diff.leading_zeros()
    };
    let host_bits = host_bits.min(bits);
    let mask = if host_bits >= 128 {
        u128::MAX
    } else {
        (1u128 << host_bits) - 1
    };
    addr::Interval::new(lo & !mask, (lo & !mask) | mask)
}

/// `vpcsim reach` in text: one block per subnet.
pub fn reach_text(reach: &[SubnetReach], style: Style) -> String {
    let mut out = String::new();
    for (i, r) in reach.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let table = match (&r.route_table_id, r.association) {
            (Some(t), Some(a)) => format!("route table {t} ({})", a.name()),
            _ => "no route table".to_string(),
        };
        let mut place = Vec::new();
        if let Some(a) = &r.owner_id {
            place.push(format!("account {a}"));
        }
        if let Some(g) = &r.region {
            place.push(g.clone());
        }
        let place = if place.is_empty() {
            String::new()
        } else {
            format!("  [{}]", place.join(", "))
        };
        let _ = writeln!(
            out,
            "{}  {}  {table}{place}",
            style.paint("1", r.subnet_id.as_str()),
            r.vpc_id
        );
        for f in [&r.ipv4, &r.ipv6] {
            let cidrs: Vec<String> = f.cidrs.iter().map(|c| c.to_string()).collect();
            if !f.has_addresses {
                let _ = writeln!(out, "  {}: no {} CIDR, isolated", f.family, f.family);
                continue;
            }
            let mut head = format!(
                "  {} {}: internet {}",
                f.family,
                cidrs.join(" "),
                f.internet.name()
            );
            if !f.internet_ranges.is_empty() {
                let via: Vec<&str> = f.internet_via.iter().map(|v| v.name()).collect();
                let cov = if f.internet_full {
                    "full".to_string()
                } else {
                    let n = f.internet_ranges.len();
                    let size = addr::total_size(&f.internet_ranges);
                    let cidrs: Vec<String> = f
                        .internet_ranges
                        .iter()
                        .flat_map(|iv| addr::interval_to_cidrs(f.family, *iv))
                        .map(|c| c.to_string())
                        .collect();
                    format!(
                        "partial: {n} range{}, {size} address{}: {}",
                        if n == 1 { "" } else { "s" },
                        if size == 1 { "" } else { "es" },
                        ranges_text(&cidrs)
                    )
                };
                let _ = write!(head, " ({cov}, via {})", via.join(", "));
            }
            let _ = writeln!(out, "{head}");
            if f.internet == crate::reach::InternetClass::Public {
                if f.public_hosts.is_empty() {
                    let _ = writeln!(
                        out,
                        "    no host here has a public {} address: nothing is reachable from the internet yet",
                        if f.family == Family::Ipv4 {
                            "IPv4 or Elastic IP"
                        } else {
                            "IPv6"
                        }
                    );
                } else {
                    for h in &f.public_hosts {
                        let who = h
                            .instance
                            .as_ref()
                            .map(|i| i.to_string())
                            .unwrap_or_else(|| h.interface.to_string());
                        if h.private_ip == h.public_ip {
                            let _ = writeln!(
                                out,
                                "    reachable from the internet: {who} {}",
                                h.public_ip
                            );
                        } else {
                            let _ = writeln!(
                                out,
                                "    reachable from the internet: {who} {} -> {}",
                                h.public_ip, h.private_ip
                            );
                        }
                    }
                }
            }
            let rows: Vec<(String, &Segment)> = f
                .segments
                .iter()
                .map(|s| (segment_ranges_text(f.family, s), s))
                .collect();
            let width = rows.iter().map(|(r, _)| r.len()).max().unwrap_or(0).min(60);
            for (ranges, s) in rows {
                let path = if s.path.is_empty() {
                    String::new()
                } else {
                    s.path.join(" > ")
                };
                let _ = writeln!(
                    out,
                    "    {}  {ranges:<width$}  {path}",
                    style.disposition(s.disposition.name(), 24)
                );
                for e in &s.explanations {
                    if matches!(e.code, "SAME_SUBNET" | "NO_ROUTE") {
                        continue;
                    }
                    let _ = writeln!(out, "      {}: {}", e.code, e.message);
                }
            }
        }
    }
    out
}

#[derive(Serialize)]
struct JsonHop<'a> {
    resource: &'a str,
    route_table: Option<&'a str>,
    matched: Option<&'a str>,
    target: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonTrace<'a> {
    schema: &'static str,
    source: &'a str,
    destination: String,
    disposition: &'static str,
    hops: Vec<JsonHop<'a>>,
    explanations: Vec<JsonExplanation<'a>>,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

/// `vpcsim trace --format json`.
pub fn trace_json(t: &Trace, diags: &[Diagnostic]) -> String {
    to_json(&JsonTrace {
        schema: TRACE_SCHEMA,
        source: &t.source,
        destination: t.destination.to_string(),
        disposition: t.disposition.name(),
        hops: t
            .hops
            .iter()
            .map(|h| JsonHop {
                resource: &h.resource,
                route_table: h.route_table.as_deref(),
                matched: h.matched.as_deref(),
                target: h.target.as_deref(),
            })
            .collect(),
        explanations: explanations(&t.explanations),
        diagnostics: diagnostics(diags),
    })
}

/// `vpcsim trace` in text.
pub fn trace_text(t: &Trace, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "trace {} -> {}", t.source, t.destination);
    for (i, h) in t.hops.iter().enumerate() {
        match (&h.route_table, &h.matched, &h.target) {
            (Some(rt), Some(m), Some(tg)) => {
                let _ = writeln!(out, "  {:>2}. {rt}: route {m} -> {tg}", i + 1);
            }
            (Some(rt), None, _) => {
                let _ = writeln!(out, "  {:>2}. {rt}: no matching route", i + 1);
            }
            _ => {
                let _ = writeln!(out, "  {:>2}. {}", i + 1, h.resource);
            }
        }
    }
    let _ = writeln!(
        out,
        "  => {}",
        style.disposition(t.disposition.name(), 0).trim_end()
    );
    for e in &t.explanations {
        let _ = writeln!(out, "     {}: {}", e.code, e.message);
    }
    out
}

/// Diagnostics for stderr in text mode, one per line.
pub fn diagnostics_text(diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let _ = writeln!(out, "{d}");
    }
    out
}
