//! The incremental exposure diff of route changes and subnet association changes (issue #4,
//! "recompute reach for the affected subnets only"): what a replay with exposure on does for
//! CreateRoute, ReplaceRoute, DeleteRoute and a subnet's AssociateRouteTable,
//! ReplaceRouteTableAssociation or DisassociateRouteTable, instead of copying the whole model and
//! rebuilding the route graph.
//!
//! A route decides only the destinations it covers (longest prefix match, semantics doc §3.3),
//! so a change to the routes of destination D in table T can change, and only for those
//! destinations, the reach of the subnets whose traffic T forwards: its own subnets, and those
//! reaching it through a NAT gateway or an appliance (the route graph's `forward` dependents).
//! T also holds the return routes of peering traffic delivered to its subnets (§4.5): a subnet
//! whose source addresses (or those of the NAT gateway translating it) lie in D sees the
//! explanation of some of its destinations change (the `returns` dependents; none unless D
//! covers an address of a VPC peered with T's, where every such source lies). So, before the
//! record is applied, [`Tracker::prepare`] computes the reach of the forward dependents
//! restricted to D (and, for NAT64, D's image in the other family) and the whole reach of the
//! return dependents; after it, [`Tracker::finish`] computes the same again, diffs them, and
//! updates the route graph by the routes that changed. A subnet's association change compares
//! the whole reach of the subnet, of what reaches it through its NAT gateways and appliances,
//! and of the peers whose return routes its old and new tables answer differently. Nothing is
//! cloned and the engine's structural index is kept: neither kind of change touches subnets,
//! VPC CIDRs or interfaces. `tests/incremental_exact.rs` checks that this equals the full diff
//! of a copy and that every subnet whose reach changes is compared.

use crate::addr::{self, Family, Interval};
use crate::exposure::{self, ExposureChange, Remediation};
use crate::fxhash::FxHashSet;
use crate::model::*;
use crate::reach::fib::{Choice, Fib};
use crate::reach::{Engine, RouteGraph, SubnetReach, returns_over};
use std::collections::BTreeMap;
use std::sync::Arc;

/// What changes, with what the route graph needs to follow it.
enum StepKind {
    /// The routes of one destination of one table.
    Route {
        table: RouteTableId,
        destination: Destination,
        /// The routes of the destination before (static and propagated).
        old: Vec<Route>,
    },
    /// The route table a subnet uses (an explicit association made, replaced or removed).
    Association {
        subnet: SubnetId,
        /// Its table before.
        old: Option<RouteTableId>,
        /// The tables its VPC's subnets used before (the return routes peering reads).
        old_vpc_tables: std::collections::BTreeSet<RouteTableId>,
    },
}

/// What a replay carries from one record to the next for the exposure diff: the route graph
/// and the reach engine of the current state, when known.
#[derive(Default)]
pub struct Tracker {
    pub graph: Option<RouteGraph>,
    pub engine: Option<Engine>,
    /// When kept (a whole replay's net change): each subnet's whole reach before the first
    /// record that could change it (`None`: the subnet did not exist yet).
    pub start: Option<BTreeMap<SubnetId, Option<SubnetReach>>>,
}

/// A change prepared before it is applied.
pub struct Step {
    kind: StepKind,
    /// The destination ranges per family that the restricted reach covers.
    within: [Vec<Interval>; 2],
    /// Each dependent subnet's reach before; `true` when restricted to `within`.
    before: BTreeMap<SubnetId, (bool, Option<SubnetReach>)>,
    /// How to undo the change, from the state before it.
    pub remediation: Option<Remediation>,
}

impl Step {
    /// The subnets whose reach the step compares: every subnet whose reach the change can
    /// alter (a safe superset; restricted to the changed destination for those a route change
    /// reaches through the table).
    pub fn subnets(&self) -> impl Iterator<Item = &SubnetId> {
        self.before.keys()
    }
}

/// The routes of `destination` in `table` (static, then propagated).
pub fn routes_of(net: &Network, table: &RouteTableId, destination: &Destination) -> Vec<Route> {
    let Some(t) = net.route_tables.get(table) else {
        return Vec::new();
    };
    [false, true]
        .into_iter()
        .filter_map(|propagated| {
            t.routes
                .get(&RouteKey {
                    destination: destination.clone(),
                    propagated,
                })
                .cloned()
        })
        .collect()
}

/// The destination's ranges per family ([IPv4, IPv6]), normalized; `None` when they are not
/// known (a prefix list the model does not have).
fn ranges(net: &Network, destination: &Destination) -> Option<[Vec<Interval>; 2]> {
    let mut out: [Vec<Interval>; 2] = [Vec::new(), Vec::new()];
    let mut add = |n: &ipnet::IpNet| {
        let slot = match Family::of_net(n) {
            Family::Ipv4 => 0,
            Family::Ipv6 => 1,
        };
        out[slot].push(Interval::of_net(n));
    };
    match destination {
        Destination::PrefixList(pl) => net.prefix_lists.get(pl)?.cidrs.iter().for_each(add),
        d => add(&d.net()?),
    }
    Some(out.map(addr::normalize))
}

/// The ranges a restricted walk must cover for destination ranges `d`: `d` itself, plus its
/// image through NAT64 (an IPv6 destination in 64:ff9b::/96 is looked up as the IPv4 address
/// of its low 32 bits after a NAT gateway, §4.2), both ways.
fn with_nat64(d: &[Vec<Interval>; 2]) -> [Vec<Interval>; 2] {
    let prefix = addr::nat64_prefix();
    let base = prefix.lo;
    let mut v4 = d[0].clone();
    let mut v6 = d[1].clone();
    v6.extend(
        d[0].iter()
            .map(|iv| Interval::new(iv.lo + base, iv.hi + base)),
    );
    v4.extend(
        addr::intersect(&d[1], &[prefix])
            .iter()
            .map(|iv| Interval::new(iv.lo - base, iv.hi - base)),
    );
    [addr::normalize(v4), addr::normalize(v6)]
}

/// Whether traffic of `subnet` to `within` can come to `table`: the subnet uses the table, or
/// its own table sends part of `within` to one of the forwarders `through` which traffic comes
/// to the table (the route graph's closure). Anything else its table sends elsewhere for good
/// (a gateway, a peering connection, a blackhole) or to a forwarder that never leads there.
/// The subnet's own table is not the changed one, so the answer is the same before and after.
fn forwards_into(
    net: &Network,
    subnet: &SubnetId,
    table: &RouteTableId,
    through: &FxHashSet<Arc<str>>,
    within: &[Vec<Interval>; 2],
) -> bool {
    let Some((own, _)) = net.effective_route_table(subnet) else {
        return false;
    };
    if own == table {
        return true;
    }
    let Some(t) = net.route_tables.get(own) else {
        return false;
    };
    Family::ALL.into_iter().zip(within).any(|(family, ranges)| {
        let fib = Fib::compile_within(net, t, family, ranges);
        ranges.iter().any(|iv| {
            fib.pieces(*iv).any(|(_, choice)| match choice {
                Choice::Entry(i) => fib
                    .entries
                    .get(i as usize)
                    .is_some_and(|e| through.contains(e.route.target.id())),
                Choice::NoRoute => false,
            })
        })
    })
}

/// The subnet whose explicit association `change` makes, replaces or removes, and the table
/// it will use (`None`: its VPC has no main table); not the main association, nor a gateway's
/// edge association: those take the full path.
fn association_subnet(net: &Network, change: &Change) -> Option<(SubnetId, Option<RouteTableId>)> {
    let of = |id: &RouteTableAssociationId| -> Option<SubnetId> {
        let table = net.route_tables.get(net.association_table(id)?)?;
        match &table.associations.iter().find(|a| &a.id == id)?.target {
            AssociationTarget::Subnet(s) => Some(s.clone()),
            _ => None,
        }
    };
    match change {
        Change::AssociateRouteTable {
            route_table_id,
            subnet_id: Some(s),
            gateway_id: None,
            ..
        } if net.route_tables.contains_key(route_table_id) && net.subnets.contains_key(s) => {
            Some((s.clone(), Some(route_table_id.clone())))
        }
        Change::DisassociateRouteTable { association_id } => {
            let s = of(association_id)?;
            let main = net.main_route_table(net.subnet_vpc(&s)?).cloned();
            Some((s, main))
        }
        Change::ReplaceRouteTableAssociation {
            association_id,
            route_table_id,
            ..
        } if net.route_tables.contains_key(route_table_id) => {
            Some((of(association_id)?, Some(route_table_id.clone())))
        }
        _ => None,
    }
}

/// Whether tables `old` and `new` (of `vpc`) send different parts of the peer's addresses back
/// over `pcx` (what `check_return` asks of the table of a subnet traffic is delivered to).
fn returns_differ(
    net: &Network,
    vpc: &VpcId,
    pcx: &VpcPeeringConnectionId,
    peer: &PeeringSide,
    old: Option<&RouteTableId>,
    new: Option<&RouteTableId>,
) -> bool {
    let returning = |table: Option<&RouteTableId>, family: Family, space: &[Interval]| {
        let Some(t) = table.and_then(|t| net.route_tables.get(t)) else {
            return Vec::new();
        };
        let fib = Fib::compile_within(net, t, family, space);
        let mut out = Vec::new();
        for iv in space {
            for (piece, choice) in fib.pieces(*iv) {
                if let Choice::Entry(i) = choice
                    && let Some(e) = fib.entries.get(i as usize)
                    && returns_over(net, vpc, &e.route, pcx)
                {
                    out.push(piece);
                }
            }
        }
        addr::normalize(out)
    };
    Family::ALL.into_iter().any(|family| {
        // The peer's CIDRs as the model knows them (the VPC's own when it is in the model).
        let mut space: Vec<Interval> = net
            .vpcs
            .get(&peer.vpc_id)
            .map(|v| v.cidrs(family))
            .unwrap_or_else(|| peer.cidrs(family))
            .iter()
            .map(Interval::of_net)
            .collect();
        space = addr::normalize(space);
        let (was, now) = (
            returning(old, family, &space),
            returning(new, family, &space),
        );
        // A return check that fails names the table: with another table, it reads differently
        // even when both fail alike.
        was != now || (old != new && (was != space || now != space))
    })
}

impl Tracker {
    /// Forgets what no longer describes the state (after a change the fast path did not
    /// handle): the engine's index may be stale. The graph is the caller's to set.
    pub fn structure_changed(&mut self) {
        self.engine = None;
    }

    /// Prepares the incremental diff of `change` if it is a route change of a known table;
    /// `None` means the caller must take the full path (copy and diff). Builds the route graph
    /// and the engine for the current state when not yet known.
    pub fn prepare(&mut self, net: &Network, change: &Change) -> Option<Step> {
        if let Some((subnet, table)) = association_subnet(net, change) {
            return self.prepare_association(net, change, subnet, table);
        }
        let (table, destination) = match change {
            Change::CreateRoute {
                route_table_id,
                destination,
                ..
            }
            | Change::ReplaceRoute {
                route_table_id,
                destination,
                ..
            }
            | Change::DeleteRoute {
                route_table_id,
                destination,
            } => (route_table_id, destination),
            _ => return None,
        };
        let vpc = net.route_tables.get(table)?.vpc_id.clone();
        let d = ranges(net, destination)
            .unwrap_or_else(|| [vec![Family::Ipv4.whole()], vec![Family::Ipv6.whole()]]);
        let within = with_nat64(&d);
        let engine = self.engine.get_or_insert_with(|| Engine::new(net));
        let graph = self.graph.get_or_insert_with(|| RouteGraph::build(net));
        // Return dependents exist only when the destination covers an address of a VPC peered
        // with the table's: what arrives over a peering connection comes from the other side
        // (walks start in subnets; a route reaches only its own VPC's NAT gateways and
        // interfaces, and peering forwards nothing onwards, §4.5).
        let returns = graph.peers(&vpc).iter().any(|peer| {
            engine.in_vpc(peer, Family::Ipv4, &d[0]) || engine.in_vpc(peer, Family::Ipv6, &d[1])
        });
        // (Asked about every subnet and NAT gateway the search passes: no allocation.)
        let hit = |family: usize, iv: Interval| addr::overlaps(&d[family], iv);
        let source_hit = |id: &Arc<str>| -> bool {
            if id.starts_with(SubnetId::PREFIX)
                && let Some(s) = net.subnets.get(&SubnetId::from(id.clone()))
            {
                return s.ipv4_cidr.is_some_and(|c| hit(0, Interval::of_v4(&c)))
                    || s.ipv6_cidrs.iter().any(|c| hit(1, Interval::of_v6(c)));
            }
            match net.nat_gateways.get(&NatGatewayId::from(id.clone())) {
                // What `nat_egress` takes as the translated source.
                Some(n) if !n.private_ips.is_empty() => n
                    .private_ips
                    .iter()
                    .any(|a| hit(0, Interval::single(u32::from(*a) as u128))),
                Some(n) => net
                    .subnets
                    .get(&n.subnet_id)
                    .and_then(|s| s.ipv4_cidr)
                    .is_some_and(|c| hit(0, Interval::of_v4(&c))),
                // Not described: assume it is hit.
                None => true,
            }
        };
        let deps = graph.dependents(table.as_str(), returns.then_some(&source_hit));
        let mut before = BTreeMap::new();
        for s in &deps.returns {
            let whole = engine.subnet_reach(net, s);
            if let Some(start) = &mut self.start {
                start.entry(s.clone()).or_insert_with(|| whole.clone());
            }
            before.insert(s.clone(), (false, whole));
        }
        let restricted: Vec<&SubnetId> = deps
            .forward
            .iter()
            .filter(|s| {
                !before.contains_key(*s) && forwards_into(net, s, table, &deps.through, &within)
            })
            .collect();
        let reached = engine.subnets_reach_within(net, &restricted, &within);
        for (s, r) in restricted.into_iter().zip(reached) {
            if let Some(start) = &mut self.start {
                start
                    .entry(s.clone())
                    .or_insert_with(|| engine.subnet_reach(net, s));
            }
            before.insert(s.clone(), (true, r));
        }
        Some(Step {
            kind: StepKind::Route {
                table: table.clone(),
                destination: destination.clone(),
                old: routes_of(net, table, destination),
            },
            within,
            before,
            remediation: exposure::revert(change, net),
        })
    }

    /// A subnet's association changes: the subnet, what traffic comes to it through a NAT
    /// gateway or an appliance living there, and what is delivered to it over a peering
    /// connection of its VPC (its table holds the return routes) may change, for any destination.
    /// A peering connection of the VPC counts only when the subnet's old and new tables route
    /// the peer's addresses (where every source arriving over it lies) back over it
    /// differently: otherwise every return check comes out the same.
    fn prepare_association(
        &mut self,
        net: &Network,
        change: &Change,
        subnet: SubnetId,
        table: Option<RouteTableId>,
    ) -> Option<Step> {
        let vpc = net.subnet_vpc(&subnet)?.clone();
        let old = net.effective_route_table(&subnet).map(|(t, _)| t.clone());
        let engine = self.engine.get_or_insert_with(|| Engine::new(net));
        let graph = self.graph.get_or_insert_with(|| RouteGraph::build(net));
        let mut starts: Vec<&str> = vec![subnet.as_str()];
        starts.extend(
            net.vpc_peering_connections
                .values()
                // Only an active connection delivers anything (its routes are blackhole
                // otherwise), so only there is a return route checked.
                .filter(|p| p.is_active())
                .filter_map(|p| Some((p, p.other_side(&vpc)?)))
                .filter(|(p, peer)| {
                    returns_differ(net, &vpc, &p.id, peer, old.as_ref(), table.as_ref())
                })
                .map(|(p, _)| p.id.as_str()),
        );
        let mut before = BTreeMap::new();
        for s in graph.closure_subnets(&starts) {
            let whole = engine.subnet_reach(net, &s);
            if let Some(start) = &mut self.start {
                start.entry(s.clone()).or_insert_with(|| whole.clone());
            }
            before.insert(s, (false, whole));
        }
        Some(Step {
            kind: StepKind::Association {
                old,
                old_vpc_tables: graph.vpc_tables(net, &vpc),
                subnet,
            },
            within: [Vec::new(), Vec::new()],
            before,
            remediation: exposure::revert(change, net),
        })
    }

    /// The exposure changes of a prepared change, now applied to `net`; keeps the route graph
    /// equal to the new state's.
    pub fn finish(&mut self, step: Step, net: &Network) -> Vec<ExposureChange> {
        let (Some(engine), Some(graph)) = (&self.engine, &mut self.graph) else {
            // `prepare` made both; nothing in between drops them.
            debug_assert!(
                false,
                "Tracker::finish without the engine or graph of prepare"
            );
            return Vec::new();
        };
        match &step.kind {
            StepKind::Route {
                table,
                destination,
                old,
            } => graph.routes_changed(table, old, &routes_of(net, table, destination)),
            StepKind::Association {
                subnet,
                old,
                old_vpc_tables,
            } => graph.association_changed(net, subnet, old.as_ref(), old_vpc_tables),
        }
        let restricted: Vec<&SubnetId> = step
            .before
            .iter()
            .filter(|(_, (r, _))| *r)
            .map(|(s, _)| s)
            .collect();
        let mut reached = restricted
            .iter()
            .copied()
            .zip(engine.subnets_reach_within(net, &restricted, &step.within))
            .collect::<BTreeMap<_, _>>();
        let mut out = Vec::new();
        for (s, (restricted, b)) in &step.before {
            let a = if *restricted {
                reached.remove(s).flatten()
            } else {
                engine.subnet_reach(net, s)
            };
            out.extend(exposure::diff_either(b.as_ref(), a.as_ref()));
        }
        out
    }
}
