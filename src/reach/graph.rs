//! The route graph: which resource forwards to which, built on petgraph. Its job is incremental
//! recomputation: when a resource changes (a route table, a gateway's attachment, a NAT
//! gateway's state, a peering connection), [`RouteGraph::affected_subnets`] walks the graph
//! backwards and returns the subnets whose reach may change (a safe superset).
//!
//! Edges point from a dependent to what it depends on: subnet → its effective table (and the
//! VPC's main table, which it falls back to); table → every target of its routes and every
//! prefix list it uses; NAT gateway or appliance interface → the subnet it lives in (its egress
//! is routed there); peering connection → the subnets of the peer VPC (delivery and the return
//! route depend on their tables).

use crate::fxhash::FxHashMap;
use crate::model::*;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Dfs, Reversed};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Prefix of the node standing for a route table's own routes as return routes of peering
/// traffic (what `check_return` reads), as opposed to the table as a forwarder.
const RETURN: &str = "return:";

pub struct RouteGraph {
    /// Node names are the model's shared ID strings (no allocation per node or edge).
    graph: DiGraph<Arc<str>, ()>,
    nodes: FxHashMap<Arc<str>, NodeIndex>,
}

impl RouteGraph {
    pub fn build(net: &Network) -> RouteGraph {
        // (Node names: AWS IDs, and `RETURN` + a table ID for the table's return routes.)
        let mut g = RouteGraph {
            graph: DiGraph::new(),
            nodes: FxHashMap::default(),
        };
        // The effective tables of each VPC's subnets (the return routes peering depends on).
        let mut vpc_tables: BTreeMap<&VpcId, BTreeSet<&RouteTableId>> = BTreeMap::new();
        for s in net.subnets.values() {
            let subnet = g.node(s.id.name());
            if let Some((t, _)) = net.effective_route_table(&s.id) {
                let table = g.node(t.name());
                g.graph.add_edge(subnet, table, ());
                vpc_tables.entry(&s.vpc_id).or_default().insert(t);
            }
            if let Some(t) = net.main_route_table(&s.vpc_id) {
                let table = g.node(t.name());
                g.graph.add_edge(subnet, table, ());
            }
            let vpc = g.node(s.vpc_id.name());
            g.graph.add_edge(subnet, vpc, ());
        }
        for t in net.route_tables.values() {
            let table = g.node(t.id.name());
            for r in t.routes.values() {
                // A table depends on what its routes lead to (`local` is no resource a record
                // changes).
                if r.target != Target::Local {
                    let target = g.node(r.target.name());
                    g.graph.add_edge(table, target, ());
                }
                if let Destination::PrefixList(pl) = &r.destination {
                    let list = g.node(pl.name());
                    g.graph.add_edge(table, list, ());
                }
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
        for p in net.vpc_peering_connections.values() {
            for side in [&p.requester, &p.accepter] {
                g.edge(p.id.name(), side.vpc_id.name());
                for t in vpc_tables.get(&side.vpc_id).into_iter().flatten() {
                    g.edge(p.id.name(), Arc::from(format!("{RETURN}{t}")));
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
        self.nodes.insert(id, n);
        n
    }

    fn edge(&mut self, from: Arc<str>, to: Arc<str>) {
        let a = self.node(from);
        let b = self.node(to);
        // Parallel edges are harmless to the walk (it visits each node once), and checking for
        // one would scan the source's edges at every insert (a table with many routes).
        self.graph.add_edge(a, b, ());
    }

    /// The subnets whose reach may change when `resource` (any AWS ID) changes, in ID order: a
    /// safe superset (every subnet also depends on its VPC's main table, its fallback).
    pub fn affected_subnets(&self, resource: &str) -> Vec<SubnetId> {
        // A changed table changes both what it forwards and the return routes it holds.
        let starts: Vec<NodeIndex> = [resource.to_string(), format!("{RETURN}{resource}")]
            .iter()
            .filter_map(|id| self.nodes.get(id.as_str()).copied())
            .collect();
        let rev = Reversed(&self.graph);
        let mut out = BTreeSet::new();
        let mut dfs = Dfs::empty(rev);
        for start in starts {
            dfs.move_to(start);
            while let Some(n) = dfs.next(rev) {
                let id = &self.graph[n];
                if id.starts_with(SubnetId::PREFIX) {
                    out.insert(SubnetId::new(&**id));
                }
            }
        }
        out.into_iter().collect()
    }
}
