//! The incremental exposure diff of route changes, subnet association changes and changes of a
//! gateway's or peering connection's state (issue #4, "recompute reach for the affected subnets
//! only"): what a replay with exposure on does for CreateRoute, ReplaceRoute, DeleteRoute, a
//! subnet's AssociateRouteTable, ReplaceRouteTableAssociation or DisassociateRouteTable,
//! DeleteNatGateway, Attach/DetachInternetGateway, Attach/DetachVpnGateway,
//! Accept/Reject/DeleteVpcPeeringConnection, Enable/DisableVgwRoutePropagation,
//! CreateRouteTable and the replacement of a VPC's main association, instead of copying the
//! whole model and rebuilding the route graph.
//!
//! A route decides only the destinations it covers (longest prefix match, semantics doc §3.3),
//! so a change to the routes of destination D in table T can change, and only for those
//! destinations, the reach of the subnets whose traffic T forwards: its own subnets, and those
//! reaching it through a NAT gateway or an appliance (the route graph's dependents). So, before
//! the record is applied, [`Tracker::prepare`] computes the reach of those subnets restricted to
//! D (and, for NAT64, D's image in the other family); after it, [`Tracker::finish`] computes the
//! same again, diffs them, and updates the route graph by the routes that changed. A subnet's
//! association change compares the whole reach of the subnet and of what reaches it through its
//! NAT gateways and appliances. A change of state (a NAT gateway deleted, an internet or virtual
//! private gateway attached or detached, a peering connection accepted, rejected or deleted)
//! compares the whole reach of the subnets depending on the resource, and changes no edge of
//! the route graph. Route propagation turned on or off compares the whole reach of the subnets
//! the table forwards for (any of its routes may change). A new route table changes no
//! subnet's reach (none uses it yet). A VPC's main table replaced compares the whole reach of
//! the subnets that use it (those without an explicit association) and of what reaches them
//! through their NAT gateways and appliances. Nothing is cloned and the engine's structural
//! index is kept: none of these changes touches subnets, VPC CIDRs or interfaces.
//!
//! T also holds the return routes of peering traffic delivered to its subnets (§4.5). A return
//! check never changes a disposition or a path: a missing return route adds the explanation
//! `NO_RETURN_ROUTE` ("replies cannot return") to a delivery that stays `DELIVERED`, one-way at
//! the routing layer. An exposure change reads only dispositions, paths and internet classes
//! (`exposure::diff`), so the subnets whose traffic T would route back are not compared: their
//! exposure cannot change. (Comparing them, which an earlier version did, cost a whole reach of
//! every subnet of every peered VPC whose sources the route covered, for no change in output.)
//! Should exposure ever read explanations, such as a kind for a lost return path, they must be
//! compared again. `tests/incremental_exact.rs` checks that this equals the full diff of a copy
//! and that every subnet whose dispositions, paths or internet class change is compared.

use crate::addr::{self, Family, Interval};
use crate::exposure::{self, ExposureChange, Remediation};
use crate::fxhash::{FxHashMap, FxHashSet};
use crate::model::*;
use crate::reach::fib::Choice;
use crate::reach::{Engine, RouteGraph, SubnetReach};
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
    /// A VPC's main table (its main association replaced).
    Main {
        vpc: VpcId,
        /// Its main table before.
        old: Option<RouteTableId>,
        /// The tables its subnets used before (the return routes peering reads).
        old_vpc_tables: std::collections::BTreeSet<RouteTableId>,
    },
    /// Any of one table's routes (propagation from a virtual private gateway turned on or off
    /// adds or removes the routes it propagates, whatever their destinations).
    Table {
        table: RouteTableId,
        /// All its routes before.
        old: Vec<Route>,
    },
    /// The state of a gateway or peering connection (attached or detached, deleted, accepted,
    /// rejected), or a new route table (no subnet uses it yet): no edge of the route graph
    /// changes.
    State,
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
    /// Kept alongside `start`: each gateway's inbound paths before the first record that could
    /// change them ([`exposure::ingress`]).
    pub ingress_start: Option<exposure::ingress::Start>,
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
    /// For a route step: the tables compiled for the restricted reach before, which the reach
    /// after reuses except the changed table's.
    compiled: Option<Box<crate::reach::Caches>>,
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

/// The VPC whose main association `change` replaces with a known table of the VPC.
fn main_association(net: &Network, change: &Change) -> Option<VpcId> {
    let Change::ReplaceRouteTableAssociation {
        association_id,
        route_table_id,
        ..
    } = change
    else {
        return None;
    };
    let (table, association) = net.find_association(association_id)?;
    (association.target == AssociationTarget::Main
        && net
            .route_tables
            .get(route_table_id)
            .is_some_and(|t| t.vpc_id == table.vpc_id))
    .then(|| table.vpc_id.clone())
}

/// Every route of `table`.
fn all_routes(net: &Network, table: &RouteTableId) -> Vec<Route> {
    net.route_tables
        .get(table)
        .map(|t| t.routes.values().cloned().collect())
        .unwrap_or_default()
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
/// The answer depends only on the subnet's own table, so it is kept per table in `known` (the
/// dependents of a NAT gateway's table are mostly the private subnets of a VPC, which share a
/// few tables).
fn forwards_into<'a>(
    net: &'a Network,
    subnet: &SubnetId,
    table: &RouteTableId,
    through: &FxHashSet<Arc<str>>,
    within: &[Vec<Interval>; 2],
    known: &mut FxHashMap<&'a RouteTableId, bool>,
    compiled: &crate::reach::Caches,
) -> bool {
    let Some((own, _)) = net.effective_route_table(subnet) else {
        return false;
    };
    if own == table {
        return true;
    }
    if let Some(answer) = known.get(own) {
        return *answer;
    }
    // Compiled into the step's cache: the walk from the subnet compiles the same table for the
    // same ranges.
    let answer = Family::ALL.into_iter().zip(within).any(|(family, ranges)| {
        compiled
            .fib(net, own, family, Some(ranges))
            .is_some_and(|fib| {
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
    });
    known.insert(own, answer);
    answer
}

/// The subnet whose explicit association `change` makes, replaces or removes; not the main
/// association, nor a gateway's edge association: those take the full path.
fn association_subnet(net: &Network, change: &Change) -> Option<SubnetId> {
    let of = |id: &RouteTableAssociationId| -> Option<SubnetId> {
        match &net.find_association(id)?.1.target {
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
            Some(s.clone())
        }
        Change::DisassociateRouteTable { association_id } => of(association_id),
        Change::ReplaceRouteTableAssociation {
            association_id,
            route_table_id,
            ..
        } if net.route_tables.contains_key(route_table_id) => of(association_id),
        _ => None,
    }
}

/// For a change that only alters the state of a gateway or a peering connection, the route
/// graph nodes whose dependents can see it; `None` for any other change (or one naming a
/// resource the model does not have: inference may add it, which changes the structure).
///
/// Routes to such a resource stay and turn blackhole or active (§3.4), and nothing the route
/// graph is built from changes (its edges come from subnets, associations, routes, NAT gateways,
/// interfaces and the existence of peering connections, never from a state). Who can see the
/// change: whatever routes to the resource (its dependents); for a gateway, also every subnet
/// of its VPC (traffic entering through it, §3.6); for a peering connection accepted, every
/// connection of both VPCs (acceptance refreshes the CIDRs their active connections carry).
fn state_change(net: &Network, change: &Change) -> Option<Vec<Arc<str>>> {
    let vpc_known = |v: &VpcId| net.vpcs.contains_key(v);
    Some(match change {
        Change::DeleteNatGateway { nat_gateway_id } => {
            net.nat_gateways.get(nat_gateway_id)?;
            vec![nat_gateway_id.name()]
        }
        Change::AttachInternetGateway {
            internet_gateway_id,
            vpc_id,
        }
        | Change::DetachInternetGateway {
            internet_gateway_id,
            vpc_id,
        } if net.internet_gateways.contains_key(internet_gateway_id) && vpc_known(vpc_id) => {
            vec![internet_gateway_id.name(), vpc_id.name()]
        }
        Change::AttachVpnGateway {
            vpn_gateway_id,
            vpc_id,
        }
        | Change::DetachVpnGateway {
            vpn_gateway_id,
            vpc_id,
        } if net.vpn_gateways.contains_key(vpn_gateway_id) && vpc_known(vpc_id) => {
            vec![vpn_gateway_id.name(), vpc_id.name()]
        }
        Change::AcceptVpcPeeringConnection {
            vpc_peering_connection_id: id,
        } => {
            let p = net.vpc_peering_connections.get(id)?;
            let vpcs = [&p.requester.vpc_id, &p.accepter.vpc_id];
            net.vpc_peering_connections
                .values()
                .filter(|q| {
                    q.id == *id
                        || vpcs.contains(&&q.requester.vpc_id)
                        || vpcs.contains(&&q.accepter.vpc_id)
                })
                .map(|q| q.id.name())
                .collect()
        }
        // A new table: no subnet uses it, and it has only local routes (no edge).
        Change::CreateRouteTable { vpc_id, .. } if vpc_known(vpc_id) => Vec::new(),
        Change::RejectVpcPeeringConnection {
            vpc_peering_connection_id: id,
        }
        | Change::DeleteVpcPeeringConnection {
            vpc_peering_connection_id: id,
        } => {
            net.vpc_peering_connections.get(id)?;
            vec![id.name()]
        }
        _ => return None,
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
        if let Some(subnet) = association_subnet(net, change) {
            return self.prepare_association(net, change, subnet);
        }
        if let Some(vpc) = main_association(net, change) {
            return self.prepare_main(net, change, vpc);
        }
        if let Some(resources) = state_change(net, change) {
            return self.prepare_state(net, change, &resources);
        }
        if let Change::EnableVgwRoutePropagation { route_table_id, .. }
        | Change::DisableVgwRoutePropagation { route_table_id, .. } = change
            && net.route_tables.contains_key(route_table_id)
        {
            return self.prepare_table(net, change, route_table_id);
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
        // (Only a table the model knows: otherwise the record is refused or inferred.)
        net.route_tables.get(table)?;
        let d = ranges(net, destination)
            .unwrap_or_else(|| [vec![Family::Ipv4.whole()], vec![Family::Ipv6.whole()]]);
        let within = with_nat64(&d);
        let engine = self.engine.get_or_insert_with(|| Engine::new(net));
        let graph = self.graph.get_or_insert_with(|| RouteGraph::build(net));
        let deps = graph.dependents(table.as_str());
        let mut before = BTreeMap::new();
        let mut known = FxHashMap::default();
        let compiled = Box::<crate::reach::Caches>::default();
        let restricted: Vec<&SubnetId> = deps
            .forward
            .iter()
            .filter(|s| forwards_into(net, s, table, &deps.through, &within, &mut known, &compiled))
            .collect();
        let reached = engine.subnets_reach_within_cached(net, &restricted, &within, &compiled);
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
            compiled: Some(compiled),
        })
    }

    /// A step comparing the whole reach of `subnets` (a change that may alter any of their
    /// destinations), with the route graph and engine of the current state built if not yet
    /// known; `kind` says how the graph follows the change.
    fn whole_step(
        &mut self,
        net: &Network,
        change: &Change,
        subnets: impl FnOnce(&RouteGraph) -> std::collections::BTreeSet<SubnetId>,
        kind: impl FnOnce(&RouteGraph) -> StepKind,
    ) -> Step {
        let engine = self.engine.get_or_insert_with(|| Engine::new(net));
        let graph = self.graph.get_or_insert_with(|| RouteGraph::build(net));
        let mut before = BTreeMap::new();
        for s in subnets(graph) {
            let whole = engine.subnet_reach(net, &s);
            if let Some(start) = &mut self.start {
                start.entry(s.clone()).or_insert_with(|| whole.clone());
            }
            before.insert(s, (false, whole));
        }
        Step {
            kind: kind(graph),
            within: [Vec::new(), Vec::new()],
            before,
            remediation: exposure::revert(change, net),
            compiled: None,
        }
    }

    /// A subnet's association changes: the subnet, and what traffic comes to it through a NAT
    /// gateway or an appliance living there, may change, for any destination. (What is
    /// delivered to it over a peering connection of its VPC reads its table only for the return
    /// check, which changes no exposure: see the module's documentation.)
    fn prepare_association(
        &mut self,
        net: &Network,
        change: &Change,
        subnet: SubnetId,
    ) -> Option<Step> {
        let vpc = net.subnet_vpc(&subnet)?.clone();
        let old = net.effective_route_table(&subnet).map(|(t, _)| t.clone());
        let start = subnet.clone();
        Some(self.whole_step(
            net,
            change,
            |graph| graph.closure_subnets(&[start.as_str()]),
            |graph| StepKind::Association {
                old,
                old_vpc_tables: graph.vpc_tables(net, &vpc),
                subnet,
            },
        ))
    }

    /// A VPC's main table replaced: the subnets that use it (no explicit association), and what
    /// reaches them through their NAT gateways and appliances, may change, for any destination.
    /// (The others keep their tables; the main table is only their fallback.)
    fn prepare_main(&mut self, net: &Network, change: &Change, vpc: VpcId) -> Option<Step> {
        let implicit: Vec<&str> = net
            .subnets
            .values()
            .filter(|s| s.vpc_id == vpc)
            .filter(|s| {
                matches!(
                    net.effective_route_table(&s.id),
                    Some((_, AssociationKind::Main))
                )
            })
            .map(|s| s.id.as_str())
            .collect();
        Some(self.whole_step(
            net,
            change,
            |graph| graph.closure_subnets(&implicit),
            |graph| StepKind::Main {
                old: net.main_route_table(&vpc).cloned(),
                old_vpc_tables: graph.vpc_tables(net, &vpc),
                vpc,
            },
        ))
    }

    /// A change to any of `table`'s routes: the whole reach of the subnets it forwards for.
    fn prepare_table(
        &mut self,
        net: &Network,
        change: &Change,
        table: &RouteTableId,
    ) -> Option<Step> {
        Some(self.whole_step(
            net,
            change,
            |graph| graph.dependents(table.as_str()).forward,
            |_| StepKind::Table {
                table: table.clone(),
                old: all_routes(net, table),
            },
        ))
    }

    /// A change of state ([`state_change`]): the whole reach of every subnet depending on the
    /// resources it names.
    fn prepare_state(
        &mut self,
        net: &Network,
        change: &Change,
        resources: &[Arc<str>],
    ) -> Option<Step> {
        let names: Vec<&str> = resources.iter().map(|r| &**r).collect();
        Some(self.whole_step(
            net,
            change,
            |graph| graph.closure_subnets(&names),
            |_| StepKind::State,
        ))
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
            StepKind::Main {
                vpc,
                old,
                old_vpc_tables,
            } => graph.main_changed(net, vpc, old.as_ref(), old_vpc_tables),
            StepKind::Table { table, old } => {
                graph.routes_changed(table, old, &all_routes(net, table))
            }
            StepKind::Association {
                subnet,
                old,
                old_vpc_tables,
            } => graph.association_changed(net, subnet, old.as_ref(), old_vpc_tables),
            StepKind::State => {}
        }
        let restricted: Vec<&SubnetId> = step
            .before
            .iter()
            .filter(|(_, (r, _))| *r)
            .map(|(s, _)| s)
            .collect();
        // (Only a route step keeps the tables it compiled; any other starts afresh.)
        let mut compiled = step.compiled.unwrap_or_default();
        if let StepKind::Route { table, .. } = &step.kind {
            compiled.keep_tables_but(table);
        }
        let mut reached = restricted
            .iter()
            .copied()
            .zip(engine.subnets_reach_within_cached(net, &restricted, &step.within, &compiled))
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
