//! Consistency checks run after every import: what the snapshot reported against what the model
//! derives, and references to resources the input does not contain.
//!
//! Route state is derived (semantics doc §3.4); when a snapshot says `blackhole` and the model
//! derives `active` (or the reverse) the model's answer is kept and the disagreement reported.
//! A reference to a missing resource keeps the route and explains it.

use super::in_parallel;
use crate::diag::{Diagnostic, Severity};
use crate::model::{
    AssociationTarget, Destination, Network, RouteState, RouteTable, Target, TargetStatus,
};
use std::collections::BTreeMap;

/// A route's target and the state the snapshot reported for it: what its checks depend on.
type Looked<'a> = (&'a Target, Option<RouteState>);

/// All consistency diagnostics for a network, in a stable order.
pub fn check(net: &Network) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let warn = |code, resource: &dyn std::fmt::Display, msg: String| {
        Diagnostic::new(Severity::Warning, code, msg).resource(resource)
    };

    for s in net.subnets.values() {
        if net.inventory.vpcs && !net.vpcs.contains_key(&s.vpc_id) {
            out.push(warn(
                "dangling-reference",
                &s.id,
                format!(
                    "subnet is in {} which the snapshot does not describe",
                    s.vpc_id
                ),
            ));
        }
        // EC2 carves a subnet out of one of its VPC's CIDR blocks (§1.1); one outside them all
        // cannot exist, so the snapshot is inconsistent (or a block's association is missing).
        if let Some(v) = net.vpcs.get(&s.vpc_id) {
            for family in crate::addr::Family::ALL {
                let blocks = v.cidrs(family);
                for c in s.cidrs(family) {
                    let inside = blocks
                        .iter()
                        .any(|b| b.contains(&c.network()) && b.prefix_len() <= c.prefix_len());
                    if !inside {
                        out.push(warn(
                            "subnet-outside-vpc",
                            &s.id,
                            format!(
                                "subnet CIDR {c} is in none of {}'s CIDR blocks ({}): EC2 cannot have made it; its local routes are taken as the VPC's",
                                s.vpc_id,
                                if blocks.is_empty() {
                                    "none described".to_string()
                                } else {
                                    blocks
                                        .iter()
                                        .map(|b| b.to_string())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                }
                            ),
                        ));
                    }
                }
            }
        }
    }

    let mut main_count: BTreeMap<&_, usize> = BTreeMap::new();
    let mut explicit: BTreeMap<&_, Vec<&_>> = BTreeMap::new();
    for t in net.route_tables.values() {
        if net.inventory.vpcs && !net.vpcs.contains_key(&t.vpc_id) {
            out.push(warn(
                "dangling-reference",
                &t.id,
                format!(
                    "route table is in {} which the snapshot does not describe",
                    t.vpc_id
                ),
            ));
        }
        for a in &t.associations {
            match &a.target {
                AssociationTarget::Main => *main_count.entry(&t.vpc_id).or_default() += 1,
                AssociationTarget::Subnet(s) => {
                    explicit.entry(s).or_default().push(&t.id);
                    match net.subnets.get(s) {
                        None if net.inventory.subnets => out.push(warn(
                            "dangling-reference",
                            &a.id,
                            format!("association of {} names {s}, which the snapshot does not describe", t.id),
                        )),
                        Some(sub) if sub.vpc_id != t.vpc_id => out.push(warn(
                            "cross-vpc-association",
                            &a.id,
                            format!(
                                "{} (in {}) is associated with {s} of {}; EC2 does not allow this, the association is ignored",
                                t.id, t.vpc_id, sub.vpc_id
                            ),
                        )),
                        _ => {}
                    }
                }
                AssociationTarget::Gateway(_) => {}
            }
        }
    }
    // The routes, on all cores (a large account has a million); the order does not matter, the
    // diagnostics are sorted below.
    let tables: Vec<&RouteTable> = net.route_tables.values().collect();
    for mut part in in_parallel(&tables, |chunk| {
        let mut out = Vec::new();
        for t in chunk {
            // The routes of a table go to a few targets: each (target, reported state) is
            // looked up in the model once per table.
            let mut seen: Vec<(Looked, (Option<bool>, TargetStatus))> = Vec::new();
            for r in t.routes.values() {
                let key = (&r.target, r.reported_state);
                let (exists, derived) = match seen.iter().find(|(k, _)| *k == key) {
                    Some((_, v)) => v.clone(),
                    None => {
                        let v = (net.target_exists(&r.target), net.route_status(&t.vpc_id, r));
                        seen.push((key, v.clone()));
                        v
                    }
                };
                if let Destination::PrefixList(pl) = &r.destination
                    && !net.prefix_lists.contains_key(pl)
                {
                    out.push(warn(
                        "unknown-prefix-list",
                        &t.id,
                        format!(
                            "route {} -> {} uses prefix list {pl}, whose entries the snapshot does not give; the route matches nothing (add describe-managed-prefix-lists / get-managed-prefix-list-entries output)",
                            r.destination, r.target
                        ),
                    ));
                }
                if exists == Some(false) {
                    out.push(warn(
                        "dangling-reference",
                        &t.id,
                        format!(
                            "route {} -> {} names a {} the snapshot does not contain; the route is kept and treated as blackhole",
                            r.destination,
                            r.target,
                            r.target.kind_name()
                        ),
                    ));
                }
                match (&derived, r.reported_state) {
                    (TargetStatus::Blackhole(why), Some(RouteState::Active)) => out.push(warn(
                        "state-disagrees",
                        &t.id,
                        format!(
                            "route {} -> {}: the snapshot says active, vpcsim derives blackhole because {why}",
                            r.destination, r.target
                        ),
                    )),
                    (TargetStatus::Active, Some(RouteState::Blackhole)) => out.push(warn(
                        "state-disagrees",
                        &t.id,
                        format!(
                            "route {} -> {}: the snapshot says blackhole, vpcsim derives active because the target exists and is attached; the snapshot may be stale",
                            r.destination, r.target
                        ),
                    )),
                    (TargetStatus::Unknown(why), _) => out.push(
                        Diagnostic::new(Severity::Assumption, "target-not-described", why.clone())
                            .resource(&t.id),
                    ),
                    _ => {}
                }
            }
        }
        out
    }) {
        out.append(&mut part);
    }
    for (vpc, n) in &main_count {
        if *n > 1 {
            out.push(warn(
                "several-main-tables",
                vpc,
                format!("{n} route tables claim to be main; EC2 allows exactly one"),
            ));
        }
    }
    for (subnet, tables) in &explicit {
        if tables.len() > 1 {
            let names: Vec<String> = tables.iter().map(|t| t.to_string()).collect();
            out.push(warn(
                "several-associations",
                subnet,
                format!(
                    "subnet is explicitly associated with {}; EC2 allows one, vpcsim uses {}",
                    names.join(", "),
                    names.last().map(String::as_str).unwrap_or("")
                ),
            ));
        }
    }
    if net.inventory.route_tables {
        for s in net.subnets.values() {
            if net.effective_route_table(&s.id).is_none() {
                out.push(warn(
                    "no-route-table",
                    &s.id,
                    format!(
                        "no explicit association and no main route table for {}; only same-subnet traffic is delivered",
                        s.vpc_id
                    ),
                ));
            }
        }
    }
    for n in net.nat_gateways.values() {
        if net.inventory.subnets && !net.subnets.contains_key(&n.subnet_id) {
            out.push(warn(
                "dangling-reference",
                &n.id,
                format!("NAT gateway lives in {}, which the snapshot does not describe; its egress cannot be followed", n.subnet_id),
            ));
        }
    }
    for e in net.network_interfaces.values() {
        if net.inventory.subnets && !net.subnets.contains_key(&e.subnet_id) {
            out.push(warn(
                "dangling-reference",
                &e.id,
                format!(
                    "network interface is in {}, which the snapshot does not describe",
                    e.subnet_id
                ),
            ));
        }
    }
    out.sort();
    out.dedup();
    out
}
