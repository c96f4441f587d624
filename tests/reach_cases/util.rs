//! Shared helpers: load a TOML topology from a string, trace one packet, get one subnet's reach,
//! and pick apart the results (hop resources, matched routes, explanation codes).

use std::net::IpAddr;
use vpcsim::addr::{self, Family};
use vpcsim::diag::Severity;
use vpcsim::model::{Network, SubnetId};
use vpcsim::reach::{
    Disposition, Engine, FamilyReach, Hop, InternetClass, Segment, SubnetReach, Trace,
};
use vpcsim::snapshot::{self, topology};

/// Loads a topology written in the TOML format of `src/snapshot/topology.rs`, exactly as
/// `vpcsim --snapshot x.toml` does (`load_str` then `finish`). A fixture that does not load, or
/// that the consistency checks warn about (a typo in an ID, a dangling reference), fails the
/// test right here instead of silently testing something else.
pub fn load(toml: &str) -> Network {
    let mut loaded = topology::load_str(toml, "fixture.toml")
        .unwrap_or_else(|e| panic!("fixture does not load:\n{e}"));
    snapshot::finish(&mut loaded);
    let warnings: Vec<String> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity >= Severity::Warning)
        .map(|d| d.to_string())
        .collect();
    assert!(
        warnings.is_empty(),
        "fixture has warnings:\n{}",
        warnings.join("\n")
    );
    loaded.network
}

/// Traces one packet from `from` (any source `vpcsim trace --from` takes) to `to`.
pub fn trace(net: &Network, from: &str, to: &str) -> Trace {
    let dest: IpAddr = to
        .parse()
        .unwrap_or_else(|e| panic!("bad address {to}: {e}"));
    Engine::new(net)
        .trace(net, from, dest)
        .unwrap_or_else(|e| panic!("trace {from} -> {to} cannot start: {e}"))
}

/// The reach of one subnet (both families).
pub fn reach(net: &Network, subnet: &str) -> SubnetReach {
    Engine::new(net)
        .subnet_reach(net, &SubnetId::new(subnet))
        .unwrap_or_else(|| panic!("{subnet} is not in the network"))
}

/// The resources a trace passed, in order.
pub fn resources(t: &Trace) -> Vec<&str> {
    t.hops.iter().map(|h| &*h.resource).collect()
}

/// The explanation codes of a trace, in order.
pub fn codes(t: &Trace) -> Vec<&'static str> {
    t.explanations.iter().map(|e| e.code).collect()
}

/// The route-table hops of a trace (those that carry the matched route).
pub fn table_hops(t: &Trace) -> Vec<&Hop> {
    t.hops.iter().filter(|h| h.route_table.is_some()).collect()
}

/// The first route-table hop: (table, matched destination, target).
pub fn first_route(t: &Trace) -> (String, Option<String>, Option<String>) {
    let h = table_hops(t)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no route table consulted: {}", describe(t)));
    (
        h.resource.to_string(),
        h.matched.as_deref().map(str::to_string),
        h.target.as_deref().map(str::to_string),
    )
}

/// A one-line rendering of a trace for assertion messages.
pub fn describe(t: &Trace) -> String {
    let hops: Vec<String> = t
        .hops
        .iter()
        .map(|h| match (&h.matched, &h.target) {
            (Some(m), Some(tg)) => format!("{}[{m} -> {tg}]", h.resource),
            _ => h.resource.to_string(),
        })
        .collect();
    format!(
        "{} -> {}: {} via {} ({})",
        t.source,
        t.destination,
        t.disposition.name(),
        hops.join(" > "),
        codes(t).join(", ")
    )
}

/// Asserts the disposition of a trace, printing the whole trace when it differs.
#[track_caller]
pub fn assert_disposition(t: &Trace, expected: Disposition) {
    assert_eq!(t.disposition, expected, "{}", describe(t));
}

/// Asserts that a trace carries an explanation with `code`.
#[track_caller]
pub fn assert_code(t: &Trace, code: &str) {
    assert!(
        codes(t).contains(&code),
        "expected explanation {code}: {}",
        describe(t)
    );
}

/// Asserts that a trace passed `resource`.
#[track_caller]
pub fn assert_passes(t: &Trace, resource: &str) {
    assert!(
        resources(t).contains(&resource),
        "expected the path to pass {resource}: {}",
        describe(t)
    );
}

/// Asserts that a trace did not pass `resource`.
#[track_caller]
pub fn assert_avoids(t: &Trace, resource: &str) {
    assert!(
        !resources(t).contains(&resource),
        "expected the path not to pass {resource}: {}",
        describe(t)
    );
}

/// The segment of a subnet's reach that holds `address`.
pub fn segment_at<'a>(f: &'a FamilyReach, address: &str) -> &'a Segment {
    let a: IpAddr = address
        .parse()
        .unwrap_or_else(|e| panic!("bad address {address}: {e}"));
    assert_eq!(
        Family::of_addr(&a),
        f.family,
        "{address} is not {}",
        f.family
    );
    let v = addr::addr_value(&a);
    let hits: Vec<&Segment> = f
        .segments
        .iter()
        .filter(|s| s.ranges.iter().any(|r| r.contains(v)))
        .collect();
    assert_eq!(hits.len(), 1, "{address} must be in exactly one segment");
    hits[0]
}

/// Asserts the internet class of one family of a subnet's reach.
#[track_caller]
pub fn assert_class(f: &FamilyReach, expected: InternetClass) {
    assert_eq!(
        f.internet,
        expected,
        "{} internet class: expected {}, found {} (via {:?}, ranges {:?})",
        f.family,
        expected.name(),
        f.internet.name(),
        f.internet_via,
        f.internet_ranges
    );
}
