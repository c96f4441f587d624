//! `vpcsim graph`: a picture of the routing state, in Graphviz DOT or Mermaid. One cluster per
//! VPC holding its subnets and route tables; gateways, NAT gateways, peering connections and
//! other targets as nodes; edges from each subnet to the table it uses (dashed for the main
//! table) and from each table to each route's target, labelled with the destination (red and
//! dashed when the route is a blackhole); a gateway with an edge-associated route table (ingress
//! routing, semantics doc §3.6) has a thick blue `ingress` edge to that table, which routes the
//! traffic entering through it. Subnets are coloured by exposure: public (red),
//! outbound-only (orange), isolated (green); a subnet with a blackholed range has a thick red
//! border. Everything is emitted in ID order, so the output is deterministic.

use crate::model::{AssociationKind, AssociationTarget, Network, SubnetId, TargetStatus};
use crate::reach::{Disposition, Engine, InternetClass, SubnetReach};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Exposure class of a subnet, for the colour.
fn class(r: &SubnetReach) -> &'static str {
    let classes = [r.ipv4.internet, r.ipv6.internet];
    if classes.contains(&InternetClass::Public) {
        "public"
    } else if classes.contains(&InternetClass::OutboundOnly) {
        "outbound-only"
    } else {
        "isolated"
    }
}

fn blackholed(r: &SubnetReach) -> bool {
    [&r.ipv4, &r.ipv6].iter().any(|f| {
        f.has_addresses
            && f.segments
                .iter()
                .any(|s| s.disposition == Disposition::Blackhole)
    })
}

struct Edge {
    from: String,
    to: String,
    label: String,
    blackhole: bool,
    main: bool,
    /// A gateway to its edge-associated table: where traffic entering the VPC is routed.
    ingress: bool,
}

/// The kind of a gateway named by an edge association, from its ID's prefix.
fn gateway_kind(id: &str) -> &'static str {
    if id.starts_with("igw-") {
        "internet-gateway"
    } else if id.starts_with("vgw-") {
        "vpn-gateway"
    } else {
        "gateway"
    }
}

/// A subnet node: ID, exposure class, blackholed, CIDR label.
type SubnetNode = (String, &'static str, bool, String);

/// Per VPC: its subnet nodes and its route tables.
type VpcNodes = BTreeMap<String, (Vec<SubnetNode>, Vec<String>)>;

struct Picture {
    vpcs: VpcNodes,
    /// Nodes outside VPC clusters (gateways, peers) with their kind.
    others: BTreeMap<String, &'static str>,
    edges: Vec<Edge>,
}

fn picture(net: &Network) -> Picture {
    let engine = Engine::new(net);
    let mut vpcs: VpcNodes = BTreeMap::new();
    for v in net.vpcs.keys() {
        vpcs.entry(v.to_string()).or_default();
    }
    let mut edges = Vec::new();
    // Streamed (a batch of subnets at a time): only each subnet's class and table are kept.
    let ids: Vec<SubnetId> = net.subnets.keys().cloned().collect();
    for reach in engine.reach_stream(net, ids) {
        let r = &reach;
        let label = net
            .subnets
            .get(&r.subnet_id)
            .map(|s| {
                let mut parts: Vec<String> = s.ipv4_cidr.iter().map(|c| c.to_string()).collect();
                parts.extend(s.ipv6_cidrs.iter().map(|c| c.to_string()));
                parts.join(" ")
            })
            .unwrap_or_default();
        vpcs.entry(r.vpc_id.to_string()).or_default().0.push((
            r.subnet_id.to_string(),
            class(r),
            blackholed(r),
            label,
        ));
        if let Some(t) = &r.route_table_id {
            edges.push(Edge {
                from: r.subnet_id.to_string(),
                to: t.to_string(),
                label: String::new(),
                blackhole: false,
                main: matches!(r.association, Some(AssociationKind::Main)),
                ingress: false,
            });
        }
    }
    let mut others: BTreeMap<String, &'static str> = BTreeMap::new();
    for t in net.route_tables.values() {
        vpcs.entry(t.vpc_id.to_string())
            .or_default()
            .1
            .push(t.id.to_string());
        let mut by_target: BTreeMap<String, (Vec<String>, bool)> = BTreeMap::new();
        for route in t.routes.values() {
            let target = route.target.id().to_string();
            if target == "local" {
                continue;
            }
            let black = matches!(
                net.route_status(&t.vpc_id, route),
                TargetStatus::Blackhole(_)
            );
            let e = by_target.entry(target.clone()).or_default();
            e.0.push(route.destination.to_string());
            e.1 |= black;
            others.entry(target).or_insert(route.target.kind_name());
        }
        for (target, (dests, black)) in by_target {
            edges.push(Edge {
                from: t.id.to_string(),
                to: target,
                label: dests.join(", "),
                blackhole: black,
                main: false,
                ingress: false,
            });
        }
        for a in &t.associations {
            if let AssociationTarget::Gateway(gw) = &a.target {
                others.entry(gw.clone()).or_insert(gateway_kind(gw));
                edges.push(Edge {
                    from: gw.clone(),
                    to: t.id.to_string(),
                    label: "ingress".into(),
                    blackhole: false,
                    main: false,
                    ingress: true,
                });
            }
        }
    }
    for n in net.nat_gateways.values() {
        others.entry(n.id.to_string()).or_insert("nat-gateway");
        edges.push(Edge {
            from: n.id.to_string(),
            to: n.subnet_id.to_string(),
            label: "in".into(),
            blackhole: false,
            main: true,
            ingress: false,
        });
    }
    let subnets: BTreeSet<&str> = vpcs
        .values()
        .flat_map(|(s, _)| s.iter().map(|x| x.0.as_str()))
        .collect();
    let tables: BTreeSet<&str> = vpcs
        .values()
        .flat_map(|(_, t)| t.iter().map(String::as_str))
        .collect();
    let others = others
        .into_iter()
        .filter(|(k, _)| !subnets.contains(k.as_str()) && !tables.contains(k.as_str()))
        .collect();
    for (s, t) in vpcs.values_mut() {
        s.sort();
        t.sort();
    }
    Picture {
        vpcs,
        others,
        edges,
    }
}

fn colour(class: &str) -> &'static str {
    match class {
        "public" => "#f4a6a6",
        "outbound-only" => "#f9d49b",
        _ => "#b9e4b3",
    }
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn q(s: &str) -> String {
    format!("\"{}\"", esc(s))
}

/// A quoted DOT label of several lines.
fn ql(lines: &[&str]) -> String {
    format!(
        "\"{}\"",
        lines.iter().map(|l| esc(l)).collect::<Vec<_>>().join("\\n")
    )
}

/// Graphviz DOT (`dot -Tsvg`).
pub fn dot(net: &Network) -> String {
    let p = picture(net);
    let mut out = String::from(
        "digraph vpcsim {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n",
    );
    for (vpc, (subnets, tables)) in &p.vpcs {
        let _ = writeln!(
            out,
            "  subgraph {} {{\n    label={};\n    style=rounded;",
            q(&format!("cluster_{vpc}")),
            q(vpc)
        );
        for (s, class, black, label) in subnets {
            let _ = writeln!(
                out,
                "    {} [shape=box, style=filled, fillcolor={}, label={}{}];",
                q(s),
                q(colour(class)),
                ql(&[s, label, class]),
                if *black {
                    ", color=\"#d00000\", penwidth=3"
                } else {
                    ""
                }
            );
        }
        for t in tables {
            let _ = writeln!(out, "    {} [shape=note];", q(t));
        }
        let _ = writeln!(out, "  }}");
    }
    for (n, kind) in &p.others {
        let _ = writeln!(out, "  {} [shape=ellipse, label={}];", q(n), ql(&[n, kind]));
    }
    for e in &p.edges {
        let mut attrs = Vec::new();
        if !e.label.is_empty() {
            attrs.push(format!("label={}", q(&e.label)));
        }
        if e.blackhole {
            attrs.push("color=\"#d00000\", style=dashed, fontcolor=\"#d00000\"".to_string());
        } else if e.ingress {
            attrs.push("color=\"#1f5fbf\", penwidth=2, fontcolor=\"#1f5fbf\"".to_string());
        } else if e.main {
            attrs.push("style=dashed".to_string());
        }
        let _ = writeln!(
            out,
            "  {} -> {}{};",
            q(&e.from),
            q(&e.to),
            if attrs.is_empty() {
                String::new()
            } else {
                format!(" [{}]", attrs.join(", "))
            }
        );
    }
    out.push_str("}\n");
    out
}

/// A Mermaid node ID: letters, digits and underscores only.
fn mid(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn mlabel(s: &str) -> String {
    s.replace('"', "#quot;")
}

/// Mermaid (`flowchart LR`), renderable in GitHub Markdown.
pub fn mermaid(net: &Network) -> String {
    let p = picture(net);
    let mut out = String::from("flowchart LR\n");
    for (vpc, (subnets, tables)) in &p.vpcs {
        let _ = writeln!(out, "  subgraph {}[\"{}\"]", mid(vpc), mlabel(vpc));
        for (s, class, _, label) in subnets {
            let _ = writeln!(
                out,
                "    {}[\"{}<br/>{}<br/>{}\"]:::{}",
                mid(s),
                mlabel(s),
                mlabel(label),
                class,
                mid(class)
            );
        }
        for t in tables {
            let _ = writeln!(out, "    {}[/\"{}\"/]", mid(t), mlabel(t));
        }
        let _ = writeln!(out, "  end");
    }
    for (n, kind) in &p.others {
        let _ = writeln!(
            out,
            "  {}((\"{}<br/>{}\"))",
            mid(n),
            mlabel(n),
            mlabel(kind)
        );
    }
    let mut red = Vec::new();
    let mut blue = Vec::new();
    for (link, e) in p.edges.iter().enumerate() {
        let arrow = if e.ingress {
            "==>"
        } else if e.blackhole || e.main {
            "-.->"
        } else {
            "-->"
        };
        if e.label.is_empty() {
            let _ = writeln!(out, "  {} {} {}", mid(&e.from), arrow, mid(&e.to));
        } else {
            let _ = writeln!(
                out,
                "  {} {}|\"{}\"| {}",
                mid(&e.from),
                arrow,
                mlabel(&e.label),
                mid(&e.to)
            );
        }
        if e.blackhole {
            red.push(link.to_string());
        }
        if e.ingress {
            blue.push(link.to_string());
        }
    }
    if !red.is_empty() {
        let _ = writeln!(out, "  linkStyle {} stroke:#d00000", red.join(","));
    }
    if !blue.is_empty() {
        let _ = writeln!(out, "  linkStyle {} stroke:#1f5fbf", blue.join(","));
    }
    for (class, c) in [
        ("public", colour("public")),
        ("outbound-only", colour("outbound-only")),
        ("isolated", colour("isolated")),
    ] {
        let _ = writeln!(out, "  classDef {} fill:{c}", mid(class));
    }
    for (s, _, black, _) in p.vpcs.values().flat_map(|(s, _)| s.iter()) {
        if *black {
            let _ = writeln!(out, "  style {} stroke:#d00000,stroke-width:3px", mid(s));
        }
    }
    out
}
