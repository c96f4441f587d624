//! The route graph: which resource forwards to which, built on petgraph. Its job is incremental
//! recomputation: when a resource changes (a route table, a gateway's attachment, a NAT
//! gateway's state, a peering connection), [`RouteGraph::affected_subnets`] walks the graph
//! backwards and returns the subnets whose reach may change (a safe superset);
//! [`RouteGraph::dependents`] gives the subnets a table forwards for (what a route change's
//! incremental exposure needs).
//!
//! Edges point from a dependent to what it depends on: subnet → its effective table (and the
//! VPC's main table, which it falls back to); table → every target of its routes and every
//! prefix list it uses; NAT gateway or appliance interface → the subnet it lives in (its egress
//! is routed there); instance → its interface; peering connection → both VPCs and the `return:`
//! node of every table their subnets use (delivery over the connection reads only the
//! destination subnet's return route, §4.5). Each edge counts the reasons behind it (the routes
//! of a table to one target), and each node keeps its dependents with those counts in one list,
//! so that the backward searches read one list per node. A replay keeps the graph up to date
//! record by record: [`RouteGraph::routes_changed`] after a route change (or a table's
//! propagation turned on or off), [`RouteGraph::association_changed`] after a subnet's
//! association changed, [`RouteGraph::main_changed`] after a VPC's main table changed; an edge
//! whose count falls to 0 stays, as no dependency. A change of state (a gateway attached or
//! detached, a NAT gateway or peering connection deleted, a connection accepted or rejected)
//! and a new route table change no edge. Anything else rebuilds it.

use crate::fxhash::{FxHashMap, FxHashSet};
use crate::model::*;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Prefix of the node standing for a route table's own routes as return routes of peering
/// traffic (what `check_return` reads), as opposed to the table as a forwarder.
const RETURN: &str = "return:";

/// The subnets depending on one route table ([`RouteGraph::dependents`]).
#[derive(Debug, Default)]
pub struct Dependents {
    pub forward: BTreeSet<SubnetId>,
    /// The forwarders (NAT gateways, interfaces, instances) through which traffic of a
    /// `forward` subnet can come to the table: a subnet whose own table sends none of the
    /// changed destinations to one of them (nor is the table) cannot see them change.
    pub through: FxHashSet<Arc<str>>,
}

pub struct RouteGraph {
    /// Node names are the model's shared ID strings (no allocation per node or edge). One edge
    /// per (dependent, dependency) pair; an edge whose count (in `incoming`) fell to 0 is no
    /// dependency (petgraph's edge removal walks the target's whole incoming list: a transit
    /// gateway has hundreds of thousands of routes to it). An edge's weight is its slot in its
    /// target's `incoming` list.
    graph: DiGraph<Arc<str>, u32>,
    /// Per node (by index): the nodes that depend on it, each with its count of reasons (e.g.
    /// the routes of a table to one target). The searches walk these backwards: a node's
    /// dependents lie together in memory, where petgraph's incoming edges are a linked list
    /// scattered over the whole edge array (one cache miss per edge on a large account).
    incoming: Vec<Vec<(NodeIndex, u32)>>,
    nodes: FxHashMap<Arc<str>, NodeIndex>,
    /// Each VPC's subnets, by VPC ID.
    vpc_subnets: FxHashMap<Arc<str>, Vec<SubnetId>>,
}

impl RouteGraph {
    pub fn build(net: &Network) -> RouteGraph {
        // (Node names: AWS IDs, and `RETURN` + a table ID for the table's return routes.)
        let mut g = RouteGraph {
            graph: DiGraph::new(),
            incoming: Vec::new(),
            nodes: FxHashMap::default(),
            vpc_subnets: FxHashMap::default(),
        };
        // The effective tables of each VPC's subnets (the return routes peering depends on).
        let mut vpc_tables: BTreeMap<&VpcId, BTreeSet<&RouteTableId>> = BTreeMap::new();
        for s in net.subnets.values() {
            let subnet = g.node(s.id.name());
            if let Some((t, _)) = net.effective_route_table(&s.id) {
                let table = g.node(t.name());
                g.link(subnet, table);
                vpc_tables.entry(&s.vpc_id).or_default().insert(t);
            }
            if let Some(t) = net.main_route_table(&s.vpc_id) {
                let table = g.node(t.name());
                g.link(subnet, table);
            }
            let vpc = g.node(s.vpc_id.name());
            g.link(subnet, vpc);
            g.vpc_subnets
                .entry(s.vpc_id.name())
                .or_default()
                .push(s.id.clone());
        }
        // Per table: each end with its count, found by the shared ID's address first (routes to
        // one target share its `Arc<str>`), so a million routes cost a few hash lookups per
        // table, not one each.
        let mut ends: Vec<(Arc<str>, NodeIndex, u32)> = Vec::new();
        for t in net.route_tables.values() {
            let table = g.node(t.id.name());
            ends.clear();
            for r in t.routes.values() {
                // A table depends on what its routes lead to (`local` is no resource a record
                // changes).
                for to in Self::route_ends(r) {
                    // The shared address first (almost always there), then the text.
                    let i = ends
                        .iter()
                        .position(|(a, _, _)| Arc::ptr_eq(a, &to))
                        .or_else(|| ends.iter().position(|(a, _, _)| **a == *to));
                    match i.and_then(|i| ends.get_mut(i)) {
                        Some(e) => e.2 += 1,
                        None => {
                            let n = g.node(to.clone());
                            ends.push((to, n, 1));
                        }
                    }
                }
            }
            for (_, n, count) in &ends {
                g.link_times(table, *n, *count);
            }
        }
        for n in net.nat_gateways.values() {
            g.edge(n.id.name(), n.subnet_id.name());
        }
        for e in net.network_interfaces.values() {
            g.edge(e.id.name(), e.subnet_id.name());
            if let Some(i) = &e.instance_id {
                g.edge(i.name(), e.id.name());
            }
        }
        // Traffic over a peering connection is delivered in the peer VPC without further
        // routing (§4.5, not transitive); what it depends on there is the return route in the
        // destination subnet's table: the table's own routes (a `RETURN` node), not where the
        // table's targets lead. Depending on the subnets or on the tables as forwarders would
        // chain every peered VPC of the account together.
        // Each table's `RETURN` node, named once.
        let mut returns: FxHashMap<&RouteTableId, NodeIndex> = FxHashMap::default();
        for p in net.vpc_peering_connections.values() {
            let pcx = g.node(p.id.name());
            for side in [&p.requester, &p.accepter] {
                let vpc = g.node(side.vpc_id.name());
                g.link(pcx, vpc);
                for t in vpc_tables.get(&side.vpc_id).into_iter().flatten() {
                    let r = match returns.get(t) {
                        Some(r) => *r,
                        None => {
                            let r = g.node(Arc::from(format!("{RETURN}{t}")));
                            returns.insert(t, r);
                            r
                        }
                    };
                    g.link(pcx, r);
                }
            }
        }
        g
    }

    fn node(&mut self, id: Arc<str>) -> NodeIndex {
        if let Some(n) = self.nodes.get(&*id) {
            return *n;
        }
        let n = self.graph.add_node(id.clone());
        self.incoming.push(Vec::new());
        self.nodes.insert(id, n);
        n
    }

    fn edge(&mut self, from: Arc<str>, to: Arc<str>) {
        let a = self.node(from);
        let b = self.node(to);
        self.link(a, b);
    }

    /// One more reason for `a` to depend on `b` (finding the edge scans `a`'s outgoing edges:
    /// a table's targets, a handful).
    fn link(&mut self, a: NodeIndex, b: NodeIndex) {
        self.link_times(a, b, 1);
    }

    /// `count` more reasons for `a` to depend on `b`.
    fn link_times(&mut self, a: NodeIndex, b: NodeIndex, count: u32) {
        let Some(list) = self.incoming.get_mut(b.index()) else {
            return;
        };
        match self.graph.find_edge(a, b) {
            Some(e) => {
                if let Some(d) = list.get_mut(self.graph[e] as usize) {
                    d.1 += count;
                }
            }
            None => {
                self.graph.add_edge(a, b, list.len() as u32);
                list.push((a, count));
            }
        }
    }

    /// One reason fewer (the edge stays, with count 0, for the next `link`).
    fn unlink(&mut self, a: NodeIndex, b: NodeIndex) {
        if let Some(e) = self.graph.find_edge(a, b)
            && let Some(d) = self
                .incoming
                .get_mut(b.index())
                .and_then(|l| l.get_mut(self.graph[e] as usize))
        {
            d.1 = d.1.saturating_sub(1);
        }
    }

    /// The nodes that depend on `n` (incoming edges with a count).
    fn dependents_of(&self, n: NodeIndex) -> impl Iterator<Item = NodeIndex> + '_ {
        self.incoming
            .get(n.index())
            .into_iter()
            .flatten()
            .filter(|(_, count)| *count > 0)
            .map(|(from, _)| *from)
    }

    /// Every node that depends on `start`, directly or not, `start` included.
    fn reverse_closure(&self, start: NodeIndex, mut visit: impl FnMut(NodeIndex)) {
        let mut seen = FxHashSet::default();
        let mut stack = vec![start];
        seen.insert(start);
        while let Some(n) = stack.pop() {
            visit(n);
            for p in self.dependents_of(n) {
                if seen.insert(p) {
                    stack.push(p);
                }
            }
        }
    }

    /// Keeps the graph equal to a rebuild after some routes of `table` changed: `old` are the
    /// routes before, `new` after (e.g. the routes of one destination). Each route is one edge
    /// (and one more to its prefix list), so removing one edge per old route and adding one per
    /// new route leaves exactly the edges `build` would make.
    pub fn routes_changed(&mut self, table: &RouteTableId, old: &[Route], new: &[Route]) {
        let t = self.node(table.name());
        for r in old {
            for to in Self::route_ends(r) {
                if let Some(n) = self.nodes.get(&*to).copied() {
                    self.unlink(t, n);
                }
            }
        }
        for r in new {
            for to in Self::route_ends(r) {
                let n = self.node(to);
                self.link(t, n);
            }
        }
    }

    /// Keeps the graph equal to a rebuild after the network interfaces `ids` changed between
    /// `before` and `after` (created, deleted, moved to another subnet or instance): each
    /// interface depends on its subnet, and its instance on it.
    pub fn interfaces_changed(
        &mut self,
        before: &Network,
        after: &Network,
        ids: &[NetworkInterfaceId],
    ) {
        for id in ids {
            if let Some(e) = before.network_interfaces.get(id) {
                let eni = self.nodes.get(id.as_str()).copied();
                let subnet = self.nodes.get(e.subnet_id.as_str()).copied();
                if let (Some(a), Some(b)) = (eni, subnet) {
                    self.unlink(a, b);
                }
                if let Some(i) = &e.instance_id
                    && let (Some(a), Some(b)) = (self.nodes.get(i.as_str()).copied(), eni)
                {
                    self.unlink(a, b);
                }
            }
            if let Some(e) = after.network_interfaces.get(id) {
                self.edge(e.id.name(), e.subnet_id.name());
                if let Some(i) = &e.instance_id {
                    self.edge(i.name(), e.id.name());
                }
            }
        }
    }

    /// Keeps the graph equal to a rebuild after the NAT gateways `ids` changed between `before`
    /// and `after` (created, or moved between states that keep them in the model): each NAT
    /// gateway depends on its subnet.
    pub fn nat_gateways_changed(
        &mut self,
        before: &Network,
        after: &Network,
        ids: &[NatGatewayId],
    ) {
        for id in ids {
            if let Some(n) = before.nat_gateways.get(id)
                && let (Some(a), Some(b)) = (
                    self.nodes.get(id.as_str()).copied(),
                    self.nodes.get(n.subnet_id.as_str()).copied(),
                )
            {
                self.unlink(a, b);
            }
            if let Some(n) = after.nat_gateways.get(id) {
                self.edge(n.id.name(), n.subnet_id.name());
            }
        }
    }

    /// Keeps the graph equal to a rebuild after `subnet`'s association changed (`net` is the
    /// state after): its edge to the table it uses moves from `old` to its table now, and each
    /// peering connection of its VPC follows the VPC's set of tables (`old_vpc_tables` before)
    /// as return routes.
    pub fn association_changed(
        &mut self,
        net: &Network,
        subnet: &SubnetId,
        old: Option<&RouteTableId>,
        old_vpc_tables: &BTreeSet<RouteTableId>,
    ) {
        let Some(vpc) = net.subnet_vpc(subnet) else {
            return;
        };
        let s = self.node(subnet.name());
        if let Some(t) = old.and_then(|t| self.nodes.get(t.as_str()).copied()) {
            self.unlink(s, t);
        }
        if let Some((t, _)) = net.effective_route_table(subnet) {
            let t = self.node(t.name());
            self.link(s, t);
        }
        let vpc = vpc.clone();
        self.returns_follow(net, &vpc, old_vpc_tables);
    }

    /// Keeps the graph equal to a rebuild after `vpc`'s main table changed from `old` (`net` is
    /// the state after): every subnet of the VPC depends on the main table as its fallback, and
    /// those without an explicit association use it; each peering connection of the VPC
    /// follows the VPC's set of tables (`old_vpc_tables` before) as return routes.
    pub fn main_changed(
        &mut self,
        net: &Network,
        vpc: &VpcId,
        old: Option<&RouteTableId>,
        old_vpc_tables: &BTreeSet<RouteTableId>,
    ) {
        let subnets = self
            .vpc_subnets
            .get(vpc.as_str())
            .cloned()
            .unwrap_or_default();
        let old = old.and_then(|t| self.nodes.get(t.as_str()).copied());
        let new = net.main_route_table(vpc).map(|t| self.node(t.name()));
        for subnet in &subnets {
            let s = self.node(subnet.name());
            // The fallback edge, and for a subnet that uses the main table, its table's.
            let implicit = matches!(
                net.effective_route_table(subnet),
                Some((_, AssociationKind::Main))
            );
            for _ in 0..(1 + implicit as usize) {
                if let Some(t) = old {
                    self.unlink(s, t);
                }
                if let Some(t) = new {
                    self.link(s, t);
                }
            }
        }
        self.returns_follow(net, vpc, old_vpc_tables);
    }

    /// The return nodes each peering connection of `vpc` depends on, after the VPC's set of
    /// tables changed from `old_vpc_tables`.
    fn returns_follow(
        &mut self,
        net: &Network,
        vpc: &VpcId,
        old_vpc_tables: &BTreeSet<RouteTableId>,
    ) {
        let new_vpc_tables = self.vpc_tables(net, vpc);
        for p in net
            .vpc_peering_connections
            .values()
            .filter(|p| &p.requester.vpc_id == vpc || &p.accepter.vpc_id == vpc)
        {
            let pcx = self.node(p.id.name());
            for t in old_vpc_tables.difference(&new_vpc_tables) {
                if let Some(r) = self.nodes.get(format!("{RETURN}{t}").as_str()).copied() {
                    self.unlink(pcx, r);
                }
            }
            for t in new_vpc_tables.difference(old_vpc_tables) {
                let r = self.node(Arc::from(format!("{RETURN}{t}")));
                self.link(pcx, r);
            }
        }
    }

    /// The tables the subnets of `vpc` use (whose routes are the return routes of traffic
    /// delivered there over a peering connection). The graph knows each VPC's subnets as they
    /// were when it was built: a change to the subnets rebuilds it.
    pub fn vpc_tables(&self, net: &Network, vpc: &VpcId) -> BTreeSet<RouteTableId> {
        self.vpc_subnets
            .get(vpc.as_str())
            .into_iter()
            .flatten()
            .filter_map(|s| net.effective_route_table(s).map(|(t, _)| t.clone()))
            .collect()
    }

    /// The subnets depending on any of `ids` (themselves included when subnets), in ID order.
    pub fn closure_subnets(&self, ids: &[&str]) -> BTreeSet<SubnetId> {
        let mut out = BTreeSet::new();
        for id in ids {
            if let Some(&start) = self.nodes.get(*id) {
                self.reverse_closure(start, |n| {
                    let id = &self.graph[n];
                    if id.starts_with(SubnetId::PREFIX) {
                        out.insert(SubnetId::new(&**id));
                    }
                });
            }
        }
        out
    }

    /// The nodes a route's edges lead to, as `build` makes them.
    fn route_ends(r: &Route) -> impl Iterator<Item = Arc<str>> {
        let target = (r.target != Target::Local).then(|| r.target.name());
        let list = match &r.destination {
            Destination::PrefixList(pl) => Some(pl.name()),
            _ => None,
        };
        target.into_iter().chain(list)
    }

    /// Every dependency as (from, to) names with its count, sorted: two graphs with the same
    /// list are the same graph whatever the order they were built in.
    pub fn edge_list(&self) -> Vec<(Arc<str>, Arc<str>, u32)> {
        let mut v: Vec<(Arc<str>, Arc<str>, u32)> = self
            .incoming
            .iter()
            .enumerate()
            .flat_map(|(to, list)| list.iter().map(move |(from, count)| (*from, to, *count)))
            .filter(|(_, _, count)| *count > 0)
            .map(|(from, to, count)| {
                (
                    self.graph[from].clone(),
                    self.graph[NodeIndex::new(to)].clone(),
                    count,
                )
            })
            .collect();
        v.sort();
        v
    }

    /// The subnets whose traffic `table` forwards (its own subnets, and those whose traffic
    /// reaches it through a NAT gateway or an appliance living in them), a safe superset in ID
    /// order, with the forwarders on the way: only the destinations of a changed route can
    /// change for them. (The table also holds the return routes of peering traffic delivered
    /// to its subnets, §4.5; a return check adds only an explanation, which no exposure change
    /// reads, so those subnets are not dependents here: see `replay::incremental`.)
    pub fn dependents(&self, table: &str) -> Dependents {
        let mut out = Dependents::default();
        if let Some(&start) = self.nodes.get(table) {
            self.reverse_closure(start, |n| {
                let id = &self.graph[n];
                if id.starts_with(SubnetId::PREFIX) {
                    out.forward.insert(SubnetId::from(id.clone()));
                } else if !id.starts_with(RouteTableId::PREFIX) {
                    out.through.insert(id.clone());
                }
            });
        }
        out
    }

    /// The subnets whose reach may change when `resource` (any AWS ID) changes, in ID order: a
    /// safe superset (every subnet also depends on its VPC's main table, its fallback).
    pub fn affected_subnets(&self, resource: &str) -> Vec<SubnetId> {
        // A changed table changes both what it forwards and the return routes it holds.
        let starts: Vec<NodeIndex> = [resource.to_string(), format!("{RETURN}{resource}")]
            .iter()
            .filter_map(|id| self.nodes.get(id.as_str()).copied())
            .collect();
        let mut out = BTreeSet::new();
        for start in starts {
            self.reverse_closure(start, |n| {
                let id = &self.graph[n];
                if id.starts_with(SubnetId::PREFIX) {
                    out.insert(SubnetId::new(&**id));
                }
            });
        }
        out.into_iter().collect()
    }
}
