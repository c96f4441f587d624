//! The incremental exposure diff of route and subnet association changes
//! (`replay::incremental`, issue #4 §1) is exact: on the starting state of every scenario of the
//! library (peering, NAT64, appliances, transit gateways, gateway route tables, prefix lists),
//! random sequences of CreateRoute, ReplaceRoute and DeleteRoute over the tables, destinations
//! (including the VPCs' own ranges and NAT64 images) and targets of that network, of
//! AssociateRouteTable, ReplaceRouteTableAssociation and DisassociateRouteTable, and of changes
//! of state (DeleteNatGateway, Attach/DetachInternetGateway, Attach/DetachVpnGateway,
//! Accept/Reject/DeleteVpcPeeringConnection, CreateRouteTable, Enable/DisableVgwRoutePropagation,
//! a VPC's main association replaced;
//! `every_change_of_state_is_exact` also tries each one the network allows), are replayed one record at a time, and each record's
//! exposure must equal a full recomputation over every subnet of a copy (`diff_networks`), the
//! inbound paths of every gateway with an edge route table included (a record compares only
//! those of the gateways its change can reach, `exposure::ingress::candidates`). The
//! route graph kept up to date route by route must equal one rebuilt from the new state, and a
//! whole replay (which carries graph and engine from record to record) must give each record the
//! same exposure as the record alone.
//!
//! The tracker's own set of compared subnets must also include every subnet whose dispositions,
//! paths, internet class or public hosts change (its forward view, [`forward_view`]): a stronger
//! check than the exposure alone, which leaves out what no change kind reports. Explanations are
//! not part of it: a lost peering return route adds only one (§4.5), which no exposure change
//! reads, and the tracker deliberately does not compare those subnets
//! (`association_change_leaves_the_peers_that_return_through_it`).
//!
//! `the_property_sees_exposure_changes` checks, on a fixed seeded sample, that the property is
//! not vacuous: many records change exposure, including IPv6 through NAT64.
//! `every_host_change_is_exact` and `every_structural_change_is_exact` hold the host path and the
//! scoped comparison of structural records (subnets, CIDR blocks, VPCs, transit gateway
//! attachments) to the same full comparison.

use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use vpcsim::addr::{Family, Interval};
use vpcsim::cloudtrail::ReadResult;
use vpcsim::model::{
    AssociationTarget, Destination, Network, Route, RouteTableId, SubnetId, Target,
};
use vpcsim::reach::{
    Disposition, Engine, InternetClass, InternetVia, PublicHost, RouteGraph, SubnetReach,
};
use vpcsim::replay::incremental::Tracker;
use vpcsim::replay::{Outcome, ReplayOptions, replay};

/// The starting state of every scenario that has one (a `topology.toml` or an inline
/// `[topology]`), in directory order.
fn starts() -> Vec<(String, Network)> {
    let mut out = scenario_starts();
    // No scenario starts with a connection awaiting acceptance: one network here does, within
    // the account and with a VPC of another account, so that accepting and rejecting apply.
    let mut pending =
        vpcsim::snapshot::topology::load_str(&format!("{TWO_VPCS}{PENDING}"), "pending.toml")
            .expect("it loads");
    vpcsim::snapshot::finish(&mut pending);
    out.push(("pending peering".to_string(), pending.network));
    out
}

/// Two VPCs of one account with a subnet each (the networks of the tests below add to it).
const TWO_VPCS: &str = r#"
account = "123456789012"
region = "us-east-1"

[[vpc]]
id = "vpc-0e00000a"
cidrs = ["10.1.0.0/16"]

[[vpc]]
id = "vpc-0e00000b"
cidrs = ["10.2.0.0/16"]

[[subnet]]
id = "subnet-0e00000a"
vpc = "vpc-0e00000a"
cidr = "10.1.1.0/24"

[[subnet]]
id = "subnet-0e00000b"
vpc = "vpc-0e00000b"
cidr = "10.2.1.0/24"
"#;

/// Added to [`TWO_VPCS`]: a VPC of another account too, peered with the first; both connections
/// await acceptance, and the tables already route over them.
const PENDING: &str = r#"
[[vpc_peering_connection]]
id = "pcx-0e0000ab"
requester = "vpc-0e00000a"
accepter = "vpc-0e00000b"
status = "pending-acceptance"

[[vpc_peering_connection]]
id = "pcx-0e0000ac"
requester = "vpc-0e00000a"
accepter = "vpc-0e00000c"
accepter_cidrs = ["172.20.0.0/16"]
accepter_account = "210987654321"
status = "pending-acceptance"

[[route_table]]
id = "rtb-0e00000a"
vpc = "vpc-0e00000a"
main = true
routes = ["10.2.0.0/16 -> pcx-0e0000ab", "172.20.0.0/16 -> pcx-0e0000ac"]

[[route_table]]
id = "rtb-0e00000b"
vpc = "vpc-0e00000b"
main = true
routes = ["10.1.0.0/16 -> pcx-0e0000ab"]
"#;

/// The starting state of every scenario that has one.
fn scenario_starts() -> Vec<(String, Network)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("scenarios/ is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut out = Vec::new();
    for dir in dirs {
        let file = dir.join("scenario.toml");
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let loaded = if dir.join("topology.toml").exists() {
            vpcsim::snapshot::load(&dir.join("topology.toml")).ok()
        } else if text.contains("\n[topology]") {
            vpcsim::snapshot::topology::load_inline(&text, &file.display().to_string())
                .ok()
                .flatten()
                .map(|mut l| {
                    vpcsim::snapshot::finish(&mut l);
                    l
                })
        } else {
            None
        };
        if let Some(l) = loaded
            && !l.network.route_tables.is_empty()
        {
            out.push((dir.display().to_string(), l.network));
        }
    }
    out
}

/// What random route changes pick from in one network.
struct Pool {
    tables: Vec<String>,
    /// (flag, value)
    destinations: Vec<(&'static str, String)>,
    targets: Vec<(&'static str, String)>,
}

fn pool(net: &Network) -> Pool {
    let mut destinations: Vec<(&'static str, String)> = [
        "0.0.0.0/0",
        "10.0.0.0/8",
        "192.0.2.0/24",
        "198.51.100.0/24",
        "172.16.0.0/12",
    ]
    .iter()
    .map(|d| ("--destination-cidr-block", d.to_string()))
    .collect();
    destinations.extend(
        ["::/0", "64:ff9b::/96", "64:ff9b::c000:200/120", "2600::/16"]
            .iter()
            .map(|d| ("--destination-ipv6-cidr-block", d.to_string())),
    );
    let mut add = |n: ipnet::IpNet| {
        let flag = match Family::of_net(&n) {
            Family::Ipv4 => "--destination-cidr-block",
            Family::Ipv6 => "--destination-ipv6-cidr-block",
        };
        if !destinations.iter().any(|(_, d)| *d == n.to_string()) {
            destinations.push((flag, n.to_string()));
        }
    };
    for s in net.subnets.values() {
        for f in Family::ALL {
            s.cidrs(f).into_iter().for_each(&mut add);
        }
    }
    for v in net.vpcs.values() {
        for f in Family::ALL {
            v.cidrs(f).into_iter().for_each(&mut add);
        }
    }
    for pl in net.prefix_lists.keys() {
        destinations.push(("--destination-prefix-list-id", pl.to_string()));
    }
    let mut targets: Vec<(&'static str, String)> = Vec::new();
    targets.extend(
        net.internet_gateways
            .keys()
            .map(|g| ("--gateway-id", g.to_string())),
    );
    targets.extend(
        net.vpn_gateways
            .keys()
            .map(|g| ("--gateway-id", g.to_string())),
    );
    targets.extend(
        net.egress_only_internet_gateways
            .keys()
            .map(|g| ("--egress-only-internet-gateway-id", g.to_string())),
    );
    targets.extend(
        net.nat_gateways
            .keys()
            .map(|g| ("--nat-gateway-id", g.to_string())),
    );
    targets.extend(
        net.vpc_peering_connections
            .keys()
            .map(|g| ("--vpc-peering-connection-id", g.to_string())),
    );
    targets.extend(
        net.network_interfaces
            .keys()
            .map(|g| ("--network-interface-id", g.to_string())),
    );
    targets.extend(
        net.instances
            .keys()
            .map(|g| ("--instance-id", g.to_string())),
    );
    let mut tgws: Vec<String> = net
        .transit_gateway_attachments
        .values()
        .map(|a| a.transit_gateway_id.to_string())
        .collect();
    tgws.sort();
    tgws.dedup();
    targets.extend(tgws.into_iter().map(|t| ("--transit-gateway-id", t)));
    Pool {
        tables: net.route_tables.keys().map(|t| t.to_string()).collect(),
        destinations,
        targets,
    }
}

/// One random route change: (verb 0..3, table, destination, target), indices taken modulo the
/// pool. Existing destinations of the table are preferred for replace and delete.
type Op = (u8, u16, u16, u16);

/// A subnet association change: associate a random subnet with the table, or replace or remove
/// a random subnet association (indices as in [`command`]).
fn association_command(net: &Network, pool: &Pool, op: Op) -> Vec<String> {
    let (verb, t, d, _) = op;
    let table = &pool.tables[t as usize % pool.tables.len()];
    let subnets: Vec<String> = net.subnets.keys().map(|s| s.to_string()).collect();
    let associations: Vec<String> = net
        .route_tables
        .values()
        .flat_map(|rt| &rt.associations)
        .filter(|a| matches!(a.target, AssociationTarget::Subnet(_)))
        .map(|a| a.id.to_string())
        .collect();
    let mut words: Vec<String> = vec!["aws".into(), "ec2".into()];
    let pick = |v: &[String]| {
        v.get(d as usize % v.len().max(1))
            .cloned()
            .unwrap_or_default()
    };
    match verb % 3 {
        0 => words.extend([
            "associate-route-table".into(),
            "--route-table-id".into(),
            table.clone(),
            "--subnet-id".into(),
            pick(&subnets),
        ]),
        1 => words.extend([
            "replace-route-table-association".into(),
            "--association-id".into(),
            pick(&associations),
            "--route-table-id".into(),
            table.clone(),
        ]),
        _ => words.extend([
            "disassociate-route-table".into(),
            "--association-id".into(),
            pick(&associations),
        ]),
    }
    words
}

/// A change of a gateway's or a peering connection's state (verb 6): delete a NAT gateway,
/// attach or detach an internet or virtual private gateway, accept, reject or delete a peering
/// connection; or create a route table, or turn a table's route propagation on or off: picked
/// by `d` among those the network has, on resources picked by `g` and `t`.
fn state_command(net: &Network, op: Op) -> Option<Vec<String>> {
    let (_, t, d, g) = op;
    let pick = |v: Vec<String>, i: u16| -> Option<String> {
        (!v.is_empty()).then(|| v[i as usize % v.len()].clone())
    };
    let nats: Vec<String> = net.nat_gateways.keys().map(|x| x.to_string()).collect();
    let igws: Vec<String> = net
        .internet_gateways
        .keys()
        .map(|x| x.to_string())
        .collect();
    let vgws: Vec<String> = net.vpn_gateways.keys().map(|x| x.to_string()).collect();
    let pcxs: Vec<String> = net
        .vpc_peering_connections
        .keys()
        .map(|x| x.to_string())
        .collect();
    let vpcs: Vec<String> = net.vpcs.keys().map(|x| x.to_string()).collect();
    let attached = |gw: &str| -> Option<String> {
        net.internet_gateways
            .values()
            .find(|x| x.id.as_str() == gw)
            .and_then(|x| x.attached_vpc.as_ref())
            .or_else(|| {
                net.vpn_gateways
                    .values()
                    .find(|x| x.id.as_str() == gw)
                    .and_then(|x| x.attached_vpc.as_ref())
            })
            .map(|v| v.to_string())
    };
    let mut words: Vec<String> = vec!["aws".into(), "ec2".into()];
    let mut push = |w: &[&str]| words.extend(w.iter().map(|x| x.to_string()));
    let tables: Vec<String> = net.route_tables.keys().map(|x| x.to_string()).collect();
    match d % 12 {
        0 => push(&["delete-nat-gateway", "--nat-gateway-id", &pick(nats, g)?]),
        11 => {
            // A VPC's main association moved to another of its tables.
            let mains: Vec<(String, String)> = net
                .route_tables
                .values()
                .flat_map(|rt| rt.associations.iter().map(move |a| (rt, a)))
                .filter(|(_, a)| a.target == AssociationTarget::Main)
                .map(|(rt, a)| (a.id.to_string(), rt.vpc_id.to_string()))
                .collect();
            let (assoc, vpc) = mains.get(g as usize % mains.len().max(1))?.clone();
            let same: Vec<String> = net
                .route_tables
                .values()
                .filter(|rt| rt.vpc_id.as_str() == vpc)
                .map(|rt| rt.id.to_string())
                .collect();
            push(&[
                "replace-route-table-association",
                "--association-id",
                &assoc,
                "--route-table-id",
                &pick(same, t)?,
            ]);
        }
        8 => push(&["create-route-table", "--vpc-id", &pick(vpcs, t)?]),
        k @ (9 | 10) => {
            let verb = if k == 9 { "enable" } else { "disable" };
            push(&[
                &format!("{verb}-vgw-route-propagation"),
                "--route-table-id",
                &pick(tables, t)?,
                "--gateway-id",
                &pick(vgws, g)?,
            ]);
        }
        k @ (1..=4) => {
            let (gw, flag, verb) = if k <= 2 {
                (pick(igws, g)?, "--internet-gateway-id", "internet-gateway")
            } else {
                (pick(vgws, g)?, "--vpn-gateway-id", "vpn-gateway")
            };
            // Detach from where it is (or anywhere: refused); attach to a random VPC.
            let (action, vpc) = match (k % 2, attached(&gw)) {
                (0, Some(v)) => ("detach", v),
                _ => ("attach", pick(vpcs, t)?),
            };
            push(&[&format!("{action}-{verb}"), flag, &gw, "--vpc-id", &vpc]);
        }
        k => {
            let verb = ["accept", "reject", "delete"][(k - 5) as usize];
            push(&[
                &format!("{verb}-vpc-peering-connection"),
                "--vpc-peering-connection-id",
                &pick(pcxs, g)?,
            ]);
        }
    }
    Some(words)
}

fn command(net: &Network, pool: &Pool, op: Op) -> Vec<String> {
    let (verb, t, d, g) = op;
    if verb == 6
        && let Some(words) = state_command(net, op)
    {
        return words;
    }
    if (3..6).contains(&verb) {
        return association_command(net, pool, (verb - 3, t, d, g));
    }
    let table = &pool.tables[t as usize % pool.tables.len()];
    let verb = ["create-route", "replace-route", "delete-route"][verb as usize % 3];
    let dest = if verb == "create-route" {
        pool.destinations[d as usize % pool.destinations.len()].clone()
    } else {
        // A route the table has (not local), else any.
        let have: Vec<(&'static str, String)> = net
            .route_tables
            .get(&RouteTableId::new(table.as_str()))
            .map(|rt| {
                rt.routes
                    .values()
                    .filter(|r| r.target != Target::Local && !r.origin.is_propagated())
                    .filter_map(|r| {
                        pool.destinations
                            .iter()
                            .find(|(_, v)| *v == r.destination.to_string())
                            .cloned()
                    })
                    .collect()
            })
            .unwrap_or_default();
        if have.is_empty() {
            pool.destinations[d as usize % pool.destinations.len()].clone()
        } else {
            have[d as usize % have.len()].clone()
        }
    };
    let mut words: Vec<String> = ["aws", "ec2", verb, "--route-table-id", table]
        .iter()
        .map(|s| s.to_string())
        .collect();
    words.push(dest.0.to_string());
    words.push(dest.1);
    if verb != "delete-route" && !pool.targets.is_empty() {
        let (flag, id) = &pool.targets[g as usize % pool.targets.len()];
        words.push(flag.to_string());
        words.push(id.clone());
    }
    words
}

/// The subnet an association command concerns (`None` for a route command).
fn association_subnet(net: &Network, words: &[String]) -> Option<SubnetId> {
    let value = |flag: &str| {
        words
            .iter()
            .position(|w| w == flag)
            .and_then(|i| words.get(i + 1))
    };
    if let Some(s) = value("--subnet-id") {
        return Some(SubnetId::new(s.as_str()));
    }
    let id = value("--association-id")?;
    net.route_tables
        .values()
        .flat_map(|rt| &rt.associations)
        .find(|a| a.id.as_str() == id)
        .and_then(|a| match &a.target {
            AssociationTarget::Subnet(s) => Some(s.clone()),
            _ => None,
        })
}

/// The routes of the command's destination in `table` (none for an association command).
fn routes_of(net: &Network, table: &RouteTableId, words: &[String]) -> Vec<Route> {
    words
        .iter()
        .position(|w| w.starts_with("--destination"))
        .and_then(|i| Destination::parse(words.get(i + 1)?))
        .map(|d| vpcsim::replay::incremental::routes_of(net, table, &d))
        .unwrap_or_default()
}

/// Runs `ops` on `start`; returns (changes applied, of which with exposure, of which with IPv6
/// exposure, changes of state applied with exposure, changes with an ingress change: an inbound
/// path through a gateway's edge route table). Panics when the property fails.
fn check(start: &Network, ops: &[Op]) -> (usize, usize, usize, usize, usize) {
    let pool = pool(start);
    let opts = ReplayOptions {
        exposure: true,
        ..Default::default()
    };
    let mut net = start.clone();
    let mut graph = RouteGraph::build(&net);
    let mut tracker = Tracker::default();
    let mut records = Vec::new();
    let mut singles = Vec::new();
    let (mut applied, mut exposed, mut v6, mut state, mut ingress) = (0, 0, 0, 0, 0);
    for (k, op) in ops.iter().enumerate() {
        let words = command(&net, &pool, *op);
        let (steps, errors) =
            vpcsim::whatif::steps_from_commands(&[("ops".to_string(), words.clone())], k + 1);
        assert!(errors.is_empty(), "{words:?}: {errors:?}");
        let record = steps
            .into_iter()
            .next()
            .expect("one command, one step")
            .record;
        let before = net.clone();
        // The tracker's own view of the record: the subnets it compares must include every
        // subnet whose forward view changes.
        let prepared = match vpcsim::cloudtrail::decode(&record) {
            vpcsim::cloudtrail::Decoded::Change(c) => tracker.prepare(&net, &c),
            _ => None,
        };
        let table = RouteTableId::new(words[4].as_str());
        let old = routes_of(&net, &table, &words);
        let all = |n: &Network| -> Vec<Route> {
            n.route_tables
                .get(&table)
                .map(|t| t.routes.values().cloned().collect())
                .unwrap_or_default()
        };
        let all_old = all(&net);
        // For a main association replaced: its VPC, main table and VPC's tables before.
        let main_before =
            net.route_tables
                .values()
                .find(|rt| {
                    words[2] == "replace-route-table-association"
                        && rt.associations.iter().any(|a| {
                            a.id.as_str() == words[4] && a.target == AssociationTarget::Main
                        })
                })
                .map(|rt| {
                    let vpc = rt.vpc_id.clone();
                    let old_main = net.main_route_table(&vpc).cloned();
                    let tables = graph.vpc_tables(&net, &vpc);
                    (vpc, old_main, tables)
                });
        // For an association change: the subnet, its table and its VPC's tables before.
        let subnet = association_subnet(&net, &words);
        let before_assoc = subnet.as_ref().map(|s| {
            let vpc = net.subnets[s].vpc_id.clone();
            (
                net.effective_route_table(s).map(|(t, _)| t.clone()),
                graph.vpc_tables(&net, &vpc),
            )
        });
        let rep = replay(
            &mut net,
            ReadResult {
                records: vec![record.clone()],
                ..Default::default()
            },
            &opts,
        );
        let ev = &rep.events[0];
        records.push(record);
        singles.push(ev.exposure.clone());
        if ev.outcome != Outcome::Applied {
            assert_eq!(
                format!("{before:?}"),
                format!("{net:?}"),
                "{words:?} was not applied but changed the model"
            );
            continue;
        }
        match prepared {
            Some(step) => {
                let covered: std::collections::BTreeSet<SubnetId> =
                    step.subnets().cloned().collect();
                let (rb, ra) = (
                    Engine::new(&before).reach_all(&before),
                    Engine::new(&net).reach_all(&net),
                );
                for (b, a) in rb.iter().zip(&ra) {
                    assert!(
                        forward_view(b) == forward_view(a) || covered.contains(&b.subnet_id),
                        "{words:?}: the reach of {} changed but the tracker does not compare it",
                        b.subnet_id
                    );
                }
                if ev.inferred.is_empty() {
                    tracker.finish(step, &net);
                } else {
                    // Inference added resources: start afresh.
                    tracker = Tracker::default();
                }
            }
            None => tracker = Tracker::default(),
        }
        let full = vpcsim::exposure::diff_networks(&before, &net);
        assert_eq!(
            ev.exposure, full,
            "{words:?} ({}): the incremental exposure differs from the full diff",
            ev.description
        );
        match (&subnet, &before_assoc) {
            (Some(s), Some((old_table, old_vpc_tables))) => {
                graph.association_changed(&net, s, old_table.as_ref(), old_vpc_tables)
            }
            _ if main_before.is_some() => {
                if let Some((vpc, old_main, tables)) = &main_before {
                    graph.main_changed(&net, vpc, old_main.as_ref(), tables)
                }
            }
            // Propagation changes any of the table's routes.
            _ if words[2].ends_with("-vgw-route-propagation") => {
                graph.routes_changed(&table, &all_old, &all(&net))
            }
            // A change of state (or a new table) leaves the graph as it is.
            _ if !words[4].starts_with("rtb-") => {}
            _ => graph.routes_changed(&table, &old, &routes_of(&net, &table, &words)),
        }
        assert_eq!(
            graph.edge_list(),
            RouteGraph::build(&net).edge_list(),
            "{words:?}: the route graph updated route by route differs from a rebuild"
        );
        applied += 1;
        if !full.is_empty() {
            exposed += 1;
            if (!words[4].starts_with("rtb-")
                || words[2].ends_with("-vgw-route-propagation")
                || main_before.is_some())
                && subnet.is_none()
            {
                state += 1;
            }
        }
        if full.iter().any(|c| c.family == Family::Ipv6) {
            v6 += 1;
        }
        if full.iter().any(|c| c.kind.is_ingress()) {
            ingress += 1;
        }
    }
    // The whole sequence in one replay carries the graph and engine between records.
    let mut whole_net = start.clone();
    let whole = replay(
        &mut whole_net,
        ReadResult {
            records,
            ..Default::default()
        },
        &opts,
    );
    let whole_exposure: Vec<_> = whole.events.iter().map(|e| e.exposure.clone()).collect();
    assert_eq!(
        whole_exposure, singles,
        "a whole replay differs from its records replayed one at a time"
    );
    (applied, exposed, v6, state, ingress)
}

/// What an exposure change can read of a subnet's reach, per family: for each range its
/// disposition, path and internet exit (segments re-merged without their explanations), the
/// internet class and ranges, and the public hosts.
type View = (InternetClass, Vec<Interval>, Vec<Piece>, Vec<PublicHost>);

/// A range with its disposition, path and internet exit.
type Piece = (Interval, Disposition, Vec<Arc<str>>, Option<InternetVia>);

fn forward_view(r: &SubnetReach) -> [View; 2] {
    [&r.ipv4, &r.ipv6].map(|f| {
        let mut ranges: Vec<Piece> = f
            .segments
            .iter()
            .flat_map(|s| {
                s.ranges
                    .iter()
                    .map(move |iv| (*iv, s.disposition, s.path.clone(), s.internet))
            })
            .collect();
        ranges.sort_by_key(|x| x.0.lo);
        let mut merged: Vec<Piece> = Vec::new();
        for x in ranges {
            match merged.last_mut() {
                Some(last)
                    if last.0.hi.checked_add(1) == Some(x.0.lo)
                        && (&last.1, &last.2, &last.3) == (&x.1, &x.2, &x.3) =>
                {
                    last.0.hi = x.0.hi
                }
                _ => merged.push(x),
            }
        }
        (
            f.internet,
            f.internet_ranges.clone(),
            merged,
            f.public_hosts.clone(),
        )
    })
}

fn op() -> impl Strategy<Value = Op> {
    // Route changes twice as often as association changes, and those twice as often as
    // changes of state.
    (0u8..11, any::<u16>(), any::<u16>(), any::<u16>()).prop_map(|(v, t, d, g)| {
        let verb = match v {
            0..9 => v.min(v % 6),
            _ => 6,
        };
        (verb, t, d, g)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn incremental_route_exposure_equals_the_full_diff(
        which in any::<u16>(),
        ops in prop::collection::vec(op(), 1..12),
    ) {
        let starts = starts();
        prop_assume!(!starts.is_empty());
        let (_, net) = &starts[which as usize % starts.len()];
        check(net, &ops);
    }
}

/// The property above really compares exposure: over every scenario's network with a fixed
/// seeded sample of sequences, many applied route changes change exposure, some of them in IPv6
/// (NAT64 included), and the library gives enough networks.
#[test]
fn the_property_sees_exposure_changes() {
    use proptest::strategy::ValueTree;
    let starts = starts();
    assert!(starts.len() >= 30, "only {} starting states", starts.len());
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = prop::collection::vec(op(), 4..10);
    let (mut applied, mut exposed, mut v6, mut state, mut ingress) = (0, 0, 0, 0, 0);
    for (_, net) in &starts {
        let ops = strategy.new_tree(&mut runner).expect("a sample").current();
        let (a, e, s, g, i) = check(net, &ops);
        applied += a;
        exposed += e;
        v6 += s;
        state += g;
        ingress += i;
    }
    assert!(applied >= 60, "only {applied} route changes applied");
    assert!(
        exposed >= 30,
        "only {exposed} route changes changed exposure"
    );
    assert!(v6 >= 3, "only {v6} route changes changed IPv6 exposure");
    assert!(state >= 1, "no change of state changed exposure");
    // Inbound paths (the scenario with a gateway route table): the per-record comparison of
    // the gateways a change can reach equals the full one (`diff_networks` compares them all).
    assert!(ingress >= 1, "no change changed an inbound path");
}

/// Every change of state each network allows, one at a time on its start: each NAT gateway
/// deleted, each internet and virtual private gateway detached (and attached to a VPC), each
/// peering connection accepted, rejected and deleted. Many of them change exposure.
#[test]
fn every_change_of_state_is_exact() {
    // Per command: (applied, of which with exposure).
    let mut by_verb: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    for (_, net) in starts() {
        let most = net
            .nat_gateways
            .len()
            .max(net.internet_gateways.len())
            .max(net.vpn_gateways.len())
            .max(net.vpc_peering_connections.len())
            .max(net.vpcs.len());
        for kind in 0..12u16 {
            for g in 0..most as u16 {
                let op = (6, g, kind, g);
                // (Only changes of state: none of this kind in this network, nothing to run.)
                let Some(words) = state_command(&net, op) else {
                    continue;
                };
                let (a, _, _, e, _) = check(&net, &[op]);
                let entry = by_verb.entry(words[2].clone()).or_default();
                entry.0 += a;
                entry.1 += e;
            }
        }
    }
    for verb in [
        "delete-nat-gateway",
        "attach-internet-gateway",
        "detach-internet-gateway",
        "attach-vpn-gateway",
        "detach-vpn-gateway",
        "accept-vpc-peering-connection",
        "reject-vpc-peering-connection",
        "delete-vpc-peering-connection",
        "create-route-table",
        "enable-vgw-route-propagation",
        "disable-vgw-route-propagation",
        "replace-route-table-association",
    ] {
        let (applied, exposed) = by_verb.get(verb).copied().unwrap_or_default();
        assert!(applied >= 1, "{verb} never applied: {by_verb:?}");
        // (A new table, attaching a gateway nothing routes to yet, and rejecting a connection
        // that was never active change no exposure.)
        if !matches!(
            verb,
            "create-route-table" | "attach-vpn-gateway" | "reject-vpc-peering-connection"
        ) {
            assert!(exposed >= 1, "{verb} never changed exposure: {by_verb:?}");
        }
    }
}

/// A subnet moved to a table without the return route over its VPC's peering connection: the
/// peer's subnet still delivers to it, but replies cannot come back (§4.5), which only adds an
/// explanation (`NO_RETURN_ROUTE`) to the peer's reach and changes nothing an exposure change
/// reads. The tracker compares the moved subnet and not the peer's; the full diff agrees that
/// the peer's exposure does not change. If exposure ever reads explanations, this test fails
/// and the tracker must compare such peers again.
#[test]
fn association_change_leaves_the_peers_that_return_through_it() {
    let topology = TWO_VPCS.to_string()
        + r#"
[[vpc_peering_connection]]
id = "pcx-0e0000ab"
requester = "vpc-0e00000a"
accepter = "vpc-0e00000b"

[[route_table]]
id = "rtb-0e00000a"
vpc = "vpc-0e00000a"
main = true
routes = []

[[route_table]]
id = "rtb-0e0000a1"
vpc = "vpc-0e00000a"
subnets = ["subnet-0e00000a"]
routes = ["10.2.0.0/16 -> pcx-0e0000ab"]

[[route_table]]
id = "rtb-0e0000a2"
vpc = "vpc-0e00000a"
routes = ["10.2.0.0/16 -> pcx-0e0000ab"]

[[route_table]]
id = "rtb-0e0000a3"
vpc = "vpc-0e00000a"
routes = []

[[route_table]]
id = "rtb-0e00000b"
vpc = "vpc-0e00000b"
main = true
routes = ["10.1.0.0/16 -> pcx-0e0000ab"]
"#;
    let mut loaded =
        vpcsim::snapshot::topology::load_str(&topology, "peer-return.toml").expect("it loads");
    vpcsim::snapshot::finish(&mut loaded);
    let mut net = loaded.network;
    let peer = SubnetId::new("subnet-0e00000b");
    let moved = SubnetId::new("subnet-0e00000a");
    // (new table, whether the peer's reach, explanations included, changes): both return the
    // peer's traffic; the new one does not; neither does (the explanation of the failed return
    // check names the table, so it reads differently).
    for (table, explanation_changes) in [
        ("rtb-0e0000a2", false),
        ("rtb-0e00000a", true),
        ("rtb-0e0000a3", true),
    ] {
        // The subnet's association now (a replacement gives it a new ID).
        let association = net
            .route_tables
            .values()
            .flat_map(|t| &t.associations)
            .find(|a| a.target == AssociationTarget::Subnet(moved.clone()))
            .expect("the subnet is explicitly associated")
            .id
            .to_string();
        let words: Vec<String> = [
            "aws",
            "ec2",
            "replace-route-table-association",
            "--association-id",
            association.as_str(),
            "--route-table-id",
            table,
        ]
        .iter()
        .map(|w| w.to_string())
        .collect();
        let (steps, errors) = vpcsim::whatif::steps_from_commands(&[("t".into(), words)], 1);
        assert!(errors.is_empty(), "{errors:?}");
        let record = &steps[0].record;
        let vpcsim::cloudtrail::Decoded::Change(change) = vpcsim::cloudtrail::decode(record) else {
            panic!("a change");
        };
        let mut tracker = Tracker::default();
        let step = tracker.prepare(&net, &change).expect("an incremental step");
        let compared: Vec<SubnetId> = step.subnets().cloned().collect();
        let before = net.clone();
        net.apply(&change, &Default::default()).expect("applies");
        let reach = |n: &Network| {
            Engine::new(n)
                .subnet_reach(n, &peer)
                .expect("the peer subnet exists")
        };
        let (was, now) = (reach(&before), reach(&net));
        assert_eq!(was != now, explanation_changes, "to {table}");
        assert_eq!(
            now.ipv4
                .segments
                .iter()
                .any(|s| s.explanations.iter().any(|e| e.code == "NO_RETURN_ROUTE")),
            table != "rtb-0e0000a2",
            "to {table}: the peer's delivery says whether replies can return"
        );
        assert_eq!(forward_view(&was), forward_view(&now), "to {table}");
        assert!(
            vpcsim::exposure::diff_networks(&before, &net)
                .iter()
                .all(|c| c.subnet_id != peer),
            "to {table}: the peer's exposure changed"
        );
        assert!(!compared.contains(&peer), "to {table}: {compared:?}");
        assert!(compared.contains(&moved), "to {table}: {compared:?}");
    }
}

/// One planned record from AWS CLI words (`aws ec2 …`), placed as step `n`; `response`, when
/// given, becomes its `responseElements` (what EC2 answered: a RunInstances' instances).
fn planned(
    words: &[&str],
    n: usize,
    response: Option<serde_json::Value>,
) -> vpcsim::cloudtrail::Record {
    let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    vpcsim::whatif::command_step(&words, n, "host", response)
        .expect("a known command")
        .record
}

/// Host changes of a network, in an order that makes each apply: instances launched (with and
/// without a public address) in some subnets, a route to a launched instance's interface, the
/// network's own interfaces modified and its instances terminated, the launched ones
/// terminated, interfaces created and deleted.
fn host_records(net: &Network) -> Vec<vpcsim::cloudtrail::Record> {
    let mut out = Vec::new();
    let mut n = 0;
    let mut next = |words: &[&str], response: Option<serde_json::Value>| {
        n += 1;
        out.push(planned(words, n, response));
    };
    let subnets: Vec<&vpcsim::model::Subnet> = net
        .subnets
        .values()
        .filter(|s| !s.cidrs(Family::Ipv4).is_empty())
        .take(3)
        .collect();
    let mut launched = Vec::new();
    for (k, s) in subnets.iter().enumerate() {
        let (instance, eni) = (format!("i-7e0000{k:02}"), format!("eni-7e0000{k:02}"));
        let private = s.cidrs(Family::Ipv4)[0]
            .hosts()
            .nth(40 + k)
            .map(|a| a.to_string());
        let mut item = serde_json::json!({
            "instanceId": instance,
            "subnetId": s.id.as_str(),
            "privateIpAddress": private,
            "networkInterfaceSet": {"items": [{"networkInterfaceId": eni, "attachment": {"deviceIndex": "0"}}]},
        });
        if k % 2 == 0 {
            item["ipAddress"] = serde_json::json!(format!("198.18.7.{}", 10 + k));
        }
        let response = serde_json::json!({"instancesSet": {"items": [item]}});
        next(
            &[
                "aws",
                "ec2",
                "run-instances",
                "--image-id",
                "ami-1",
                "--subnet-id",
                s.id.as_str(),
            ],
            Some(response),
        );
        launched.push((instance, eni, s.id.clone()));
    }
    // A route to the first launched host's interface, from its subnet's table: terminating the
    // host then blackholes it.
    if let Some((_, eni, subnet)) = launched.first()
        && let Some((table, _)) = net.effective_route_table(subnet)
    {
        next(
            &[
                "aws",
                "ec2",
                "create-route",
                "--route-table-id",
                table.as_str(),
                "--destination-cidr-block",
                "198.19.0.0/24",
                "--network-interface-id",
                eni,
            ],
            None,
        );
    }
    for e in net.network_interfaces.values().take(4) {
        next(
            &[
                "aws",
                "ec2",
                "modify-network-interface-attribute",
                "--network-interface-id",
                e.id.as_str(),
                "--no-source-dest-check",
            ],
            None,
        );
    }
    for i in net
        .instances
        .values()
        .filter(|i| i.state != "terminated")
        .take(4)
    {
        next(
            &[
                "aws",
                "ec2",
                "terminate-instances",
                "--instance-ids",
                i.id.as_str(),
            ],
            None,
        );
    }
    for e in net
        .network_interfaces
        .values()
        .filter(|e| e.instance_id.is_none())
        .take(3)
    {
        next(
            &[
                "aws",
                "ec2",
                "delete-network-interface",
                "--network-interface-id",
                e.id.as_str(),
            ],
            None,
        );
    }
    for (instance, _, _) in &launched {
        next(
            &[
                "aws",
                "ec2",
                "terminate-instances",
                "--instance-ids",
                instance,
            ],
            None,
        );
    }
    if let Some(s) = subnets.first() {
        next(
            &[
                "aws",
                "ec2",
                "create-network-interface",
                "--subnet-id",
                s.id.as_str(),
            ],
            None,
        );
    }
    // Gateways created: a NAT gateway (then routed to from another subnet's table, then a
    // route for the same range in its own subnet's table, which changes where the traffic it
    // forwards goes, then deleted), an internet and a virtual private gateway (detached).
    if let [first, second, ..] = subnets.as_slice() {
        next(
            &[
                "aws",
                "ec2",
                "create-nat-gateway",
                "--subnet-id",
                first.id.as_str(),
                "--connectivity-type",
                "private",
            ],
            None,
        );
        if let Some((table, _)) = net.effective_route_table(&second.id) {
            next(
                &[
                    "aws",
                    "ec2",
                    "create-route",
                    "--route-table-id",
                    table.as_str(),
                    "--destination-cidr-block",
                    "198.19.1.0/24",
                    "--nat-gateway-id",
                    "nat-new-1",
                ],
                None,
            );
        }
        // A virtual private gateway of the VPC: what the NAT gateway forwards now leaves for
        // on-premises networks (a private NAT gateway's traffic to an internet gateway is
        // dropped either way).
        let vgw = net
            .vpn_gateways
            .values()
            .find(|g| g.attached_vpc.as_ref() == Some(&first.vpc_id));
        if let (Some((table, _)), Some(vgw)) = (net.effective_route_table(&first.id), vgw) {
            next(
                &[
                    "aws",
                    "ec2",
                    "create-route",
                    "--route-table-id",
                    table.as_str(),
                    "--destination-cidr-block",
                    "198.19.1.0/24",
                    "--gateway-id",
                    vgw.id.as_str(),
                ],
                None,
            );
        }
        next(
            &[
                "aws",
                "ec2",
                "delete-nat-gateway",
                "--nat-gateway-id",
                "nat-new-1",
            ],
            None,
        );
    }
    next(&["aws", "ec2", "create-internet-gateway"], None);
    next(
        &["aws", "ec2", "create-vpn-gateway", "--type", "ipsec.1"],
        None,
    );
    out
}

/// Replays `records` on `start` one at a time (carrying the route graph and engine, as a replay
/// does) and holds each applied record's exposure to a full comparison of the states before and
/// after it (`diff_networks`, which `what` names in the failure); calls `seen` with each applied
/// record, its full diff and the states before and after. Returns how many applied.
fn each_applied_is_exact(
    name: &str,
    what: &str,
    start: &Network,
    records: &[vpcsim::cloudtrail::Record],
    mut seen: impl FnMut(
        &vpcsim::replay::Event,
        &[vpcsim::exposure::ExposureChange],
        &Network,
        &Network,
    ),
) -> usize {
    let opts = ReplayOptions {
        exposure: true,
        ..Default::default()
    };
    let mut net = start.clone();
    let mut stepper = vpcsim::replay::Stepper::new(&mut net, &opts);
    let mut applied = 0;
    for r in records {
        let before = stepper.network().clone();
        let Some(ev) = stepper.step(r) else {
            continue;
        };
        if ev.outcome != Outcome::Applied {
            continue;
        }
        applied += 1;
        let full = vpcsim::exposure::diff_networks(&before, stepper.network());
        assert_eq!(
            ev.exposure, full,
            "{name}: {} ({}): {what} differs from the full diff",
            ev.event_name, ev.description
        );
        seen(&ev, &full, &before, stepper.network());
    }
    applied
}

/// Host changes and gateway creations take their own path (`replay::host_exposure`): the route
/// graph and the engine's index follow the interfaces and NAT gateways that changed instead of
/// being rebuilt. On every
/// scenario's network, a sequence of them (interleaved with a route to a launched host) replayed
/// record by record, carrying the graph and engine, gives each record the exposure of a full
/// comparison of the states before and after it.
#[test]
fn every_host_change_is_exact() {
    let (mut applied, mut exposed, mut blackholed, mut nat) = (0, 0, 0, 0);
    for (name, start) in starts() {
        let records = host_records(&start);
        applied +=
            each_applied_is_exact(&name, "the host path", &start, &records, |_, full, _, _| {
                if !full.is_empty() {
                    exposed += 1;
                }
                if full
                    .iter()
                    .any(|c| c.after.disposition == Disposition::Blackhole)
                {
                    blackholed += 1;
                }
                if full
                    .iter()
                    .any(|c| c.after.path.iter().any(|h| &**h == "nat-new-1"))
                {
                    nat += 1;
                }
            });
    }
    assert!(applied >= 100, "only {applied} host changes applied");
    assert!(
        exposed >= 20,
        "only {exposed} host changes changed exposure"
    );
    assert!(blackholed >= 1, "no host change blackholed a route");
    assert!(
        nat >= 1,
        "no record sent traffic through the created NAT gateway"
    );
}

/// The words and EC2's answer of a CreateSubnet of `cidr` in `vpc` that makes `id`.
fn create_subnet<'a>(
    vpc: &'a str,
    cidr: &'a str,
    id: &str,
) -> ([&'a str; 7], Option<serde_json::Value>) {
    (
        [
            "aws",
            "ec2",
            "create-subnet",
            "--vpc-id",
            vpc,
            "--cidr-block",
            cidr,
        ],
        Some(serde_json::json!({"subnet": {"subnetId": id, "vpcId": vpc, "cidrBlock": cidr}})),
    )
}

/// Structural records of a network, in an order that makes each apply: in up to three VPCs
/// with an IPv4 range, a subnet created in a free /28 of it, a secondary IPv4 block (100.64.k.0/24)
/// associated, a subnet created in that block, both created subnets deleted, the block
/// disassociated; every transit gateway attachment deleted and made again, and every transit
/// gateway the routes name attached to every VPC and detached;
/// every existing subnet without interfaces or NAT gateways deleted; a VPC created and deleted.
fn structural_records(net: &Network) -> Vec<vpcsim::cloudtrail::Record> {
    let mut out = Vec::new();
    let mut n = 0;
    let mut next = |words: &[&str], response: Option<serde_json::Value>| {
        n += 1;
        out.push(planned(words, n, response));
    };
    let vpcs: Vec<(&vpcsim::model::VpcId, &vpcsim::model::Vpc)> = net
        .vpcs
        .iter()
        .filter(|(_, v)| !v.ipv4_cidrs.is_empty())
        .take(3)
        .collect();
    for (k, (id, v)) in vpcs.iter().enumerate() {
        let vpc = id.as_str();
        let taken: Vec<ipnet::IpNet> = net
            .subnets
            .values()
            .filter(|s| s.vpc_id == **id)
            .flat_map(|s| s.cidrs(Family::Ipv4))
            .collect();
        let free = v.ipv4_cidrs[0].subnets(28).into_iter().flatten().find(|c| {
            let c = ipnet::IpNet::V4(*c);
            !taken.iter().any(|t| t.contains(&c) || c.contains(t))
        });
        let created = format!("subnet-5e0000{k:02}");
        if let Some(free) = free {
            let free = free.to_string();
            let (words, response) = create_subnet(vpc, &free, &created);
            next(&words, response);
        }
        let block = format!("100.64.{k}.0/24");
        let association = format!("vpc-cidr-assoc-5e0000{k:02}");
        next(
            &[
                "aws",
                "ec2",
                "associate-vpc-cidr-block",
                "--vpc-id",
                vpc,
                "--cidr-block",
                &block,
            ],
            Some(serde_json::json!({"cidrBlockAssociation": {
                "associationId": association, "cidrBlock": block
            }})),
        );
        let second = format!("subnet-5e0001{k:02}");
        let inside = format!("100.64.{k}.16/28");
        let (words, response) = create_subnet(vpc, &inside, &second);
        next(&words, response);
        for s in [&created, &second] {
            next(&["aws", "ec2", "delete-subnet", "--subnet-id", s], None);
        }
        next(
            &[
                "aws",
                "ec2",
                "disassociate-vpc-cidr-block",
                "--association-id",
                &association,
            ],
            Some(serde_json::json!({"cidrBlockAssociation": {
                "associationId": association, "cidrBlock": block
            }})),
        );
    }
    // Every transit gateway some route targets, attached to every VPC with a subnet and then
    // detached: the routes to it in that VPC's tables (only) change state.
    let tgws: std::collections::BTreeSet<String> = net
        .route_tables
        .values()
        .flat_map(|t| t.routes.values())
        .filter_map(|r| match &r.target {
            Target::TransitGateway(t) => Some(t.to_string()),
            _ => None,
        })
        .collect();
    // Each existing attachment deleted (its VPC's routes to the gateway go blackhole), then
    // made again.
    for (k, a) in net.transit_gateway_attachments.values().enumerate() {
        let again = format!("tgw-attach-5f{k:04}");
        next(
            &[
                "aws",
                "ec2",
                "delete-transit-gateway-vpc-attachment",
                "--transit-gateway-attachment-id",
                a.id.as_str(),
            ],
            None,
        );
        let subnet = a
            .subnet_ids
            .first()
            .map(|s| s.to_string())
            .unwrap_or_default();
        next(
            &[
                "aws",
                "ec2",
                "create-transit-gateway-vpc-attachment",
                "--transit-gateway-id",
                a.transit_gateway_id.as_str(),
                "--vpc-id",
                a.vpc_id.as_str(),
                "--subnet-ids",
                &subnet,
            ],
            Some(serde_json::json!({"transitGatewayVpcAttachment": {
                "transitGatewayAttachmentId": again,
                "transitGatewayId": a.transit_gateway_id.as_str(),
                "vpcId": a.vpc_id.as_str(),
            }})),
        );
    }
    for (k, tgw) in tgws.iter().enumerate() {
        for (j, (vpc, _)) in net.vpcs.iter().enumerate() {
            let Some(s) = net.subnets.values().find(|s| s.vpc_id == *vpc) else {
                continue;
            };
            let attachment = format!("tgw-attach-5e{k:02}{j:04}");
            next(
                &[
                    "aws",
                    "ec2",
                    "create-transit-gateway-vpc-attachment",
                    "--transit-gateway-id",
                    tgw,
                    "--vpc-id",
                    vpc.as_str(),
                    "--subnet-ids",
                    s.id.as_str(),
                ],
                Some(serde_json::json!({"transitGatewayVpcAttachment": {
                    "transitGatewayAttachmentId": attachment,
                    "transitGatewayId": tgw,
                    "vpcId": vpc.as_str(),
                }})),
            );
            next(
                &[
                    "aws",
                    "ec2",
                    "delete-transit-gateway-vpc-attachment",
                    "--transit-gateway-attachment-id",
                    &attachment,
                ],
                None,
            );
        }
    }
    for s in net.subnets.values() {
        let busy = net.network_interfaces.values().any(|e| e.subnet_id == s.id)
            || net.nat_gateways.values().any(|g| g.subnet_id == s.id);
        if !busy {
            next(
                &["aws", "ec2", "delete-subnet", "--subnet-id", s.id.as_str()],
                None,
            );
        }
    }
    next(
        &["aws", "ec2", "create-vpc", "--cidr-block", "10.250.0.0/16"],
        Some(serde_json::json!({"vpc": {"vpcId": "vpc-5e000001", "cidrBlock": "10.250.0.0/16"}})),
    );
    next(
        &["aws", "ec2", "delete-vpc", "--vpc-id", "vpc-5e000001"],
        None,
    );
    out
}

/// Structural records (subnets created and deleted, VPC CIDR blocks associated and removed, a
/// VPC created and deleted) compare only the subnets of the VPCs they change and of what
/// reaches those VPCs through their route tables and peering connections
/// (`replay::structural_subnets`), not every subnet of the account; a transit gateway attached
/// or detached, only what depends on the attached VPC's tables that route to it. On every scenario's
/// network, replayed record by record, each record's exposure must equal a full comparison of
/// the states before and after it.
#[test]
fn every_structural_change_is_exact() {
    let (mut applied, mut exposed, mut deleted, mut peers, mut attached) = (0, 0, 0, 0, 0);
    for (name, start) in starts() {
        let records = structural_records(&start);
        let path = "the structural path";
        applied +=
            each_applied_is_exact(&name, path, &start, &records, |ev, full, before, after| {
                if !full.is_empty() {
                    exposed += 1;
                }
                if ev.event_name == "DeleteSubnet" && !full.is_empty() {
                    deleted += 1;
                }
                if ev.event_name.contains("TransitGateway") && !full.is_empty() {
                    attached += 1;
                }
                // A change seen from another VPC (over peering): the scope reaches beyond the VPC.
                let vpc_of = |s: &SubnetId| {
                    before
                        .subnet_vpc(s)
                        .or_else(|| after.subnet_vpc(s))
                        .cloned()
                };
                let changed: std::collections::BTreeSet<_> =
                    full.iter().filter_map(|c| vpc_of(&c.subnet_id)).collect();
                if changed.len() > 1 {
                    peers += 1;
                }
            });
    }
    assert!(applied >= 200, "only {applied} structural records applied");
    assert!(
        exposed >= 100,
        "only {exposed} structural records changed exposure"
    );
    assert!(
        deleted >= 50,
        "only {deleted} subnet deletions changed exposure"
    );
    assert!(
        peers >= 5,
        "only {peers} structural records changed another VPC's exposure"
    );
    // (474 records applied, 266 changing exposure, 130 subnet deletions, 15 seen from another
    // VPC and 14 transit gateway attachments when written.)
    assert!(
        attached >= 4,
        "only {attached} transit gateway attachments changed exposure"
    );
}
