//! Renderers for `vpcsim blame`: each current outcome of a subnet (or of one address), the
//! record that set it and the chain of records that changed it; JSON schema `vpcsim/blame/v1`.

use super::{Style, to_json};
use crate::addr;
use crate::replay::Event;
use crate::replay::blame::{Blamed, Link};
use serde::Serialize;
use std::fmt::Write as _;

pub const BLAME_SCHEMA: &str = "vpcsim/blame/v1";

fn who(e: &Event) -> String {
    format!(
        "{} {} by {} from {}",
        e.event_time.as_deref().unwrap_or("-"),
        e.event_name,
        e.principal.as_deref().unwrap_or("unknown principal"),
        e.source_ip.as_deref().unwrap_or("unknown address")
    )
}

fn outcome(b: &Blamed) -> String {
    let hops: Vec<&str> = b.path.iter().map(|p| &**p).collect();
    if hops.is_empty() {
        b.disposition.name().to_string()
    } else {
        format!("{} via {}", b.disposition.name(), hops.join(" > "))
    }
}

pub fn blame_text(subnet: &str, at: &str, blamed: &[Blamed], style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{subnet} {at}:");
    for b in blamed {
        let _ = writeln!(
            out,
            "\n  {} {}: {}",
            b.family,
            super::ranges_display(b.family, &b.ranges),
            style.paint("1", &outcome(b))
        );
        match &b.since {
            Some(l) => {
                let _ = writeln!(
                    out,
                    "    since {} ({}{}): {}",
                    who(l.event),
                    l.change.kind.name(),
                    l.event
                        .event_id
                        .as_deref()
                        .map(|id| format!(", event {id}"))
                        .unwrap_or_default(),
                    l.event.description
                );
            }
            None => {
                let _ = writeln!(out, "    since the start: no record changed it");
            }
        }
        if b.chain.len() > 1 {
            let _ = writeln!(out, "    chain:");
            for l in &b.chain {
                let _ = writeln!(out, "      {} ({})", who(l.event), l.change.kind.name());
            }
        }
    }
    out
}

#[derive(Serialize)]
struct JsonLink<'a> {
    event_id: Option<&'a str>,
    event_time: Option<&'a str>,
    event_name: &'a str,
    principal: Option<&'a str>,
    source_ip: Option<&'a str>,
    description: &'a str,
    kind: &'static str,
    severity: &'static str,
}

fn link<'a>(l: &Link<'a>) -> JsonLink<'a> {
    JsonLink {
        event_id: l.event.event_id.as_deref(),
        event_time: l.event.event_time.as_deref(),
        event_name: &l.event.event_name,
        principal: l.event.principal.as_deref(),
        source_ip: l.event.source_ip.as_deref(),
        description: &l.event.description,
        kind: l.change.kind.name(),
        severity: l.change.severity.name(),
    }
}

#[derive(Serialize)]
struct JsonBlamed<'a> {
    family: &'static str,
    ranges: Vec<String>,
    disposition: &'static str,
    path: Vec<&'a str>,
    since: Option<JsonLink<'a>>,
    chain: Vec<JsonLink<'a>>,
}

#[derive(Serialize)]
struct JsonBlame<'a> {
    schema: &'static str,
    subnet_id: &'a str,
    to: Option<&'a str>,
    outcomes: Vec<JsonBlamed<'a>>,
}

pub fn blame_json(subnet: &str, to: Option<&str>, blamed: &[Blamed]) -> String {
    to_json(&JsonBlame {
        schema: BLAME_SCHEMA,
        subnet_id: subnet,
        to,
        outcomes: blamed
            .iter()
            .map(|b| JsonBlamed {
                family: b.family.name(),
                ranges: b
                    .ranges
                    .iter()
                    .flat_map(|iv| addr::interval_to_cidrs(b.family, *iv))
                    .map(|n| n.to_string())
                    .collect(),
                disposition: b.disposition.name(),
                path: b.path.iter().map(|p| &**p).collect(),
                since: b.since.as_ref().map(link),
                chain: b.chain.iter().map(link).collect(),
            })
            .collect(),
    })
}
