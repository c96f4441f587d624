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

use crate::model::*;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Dfs, Reversed};
use std::collections::{BTreeSet, HashMap};

pub struct RouteGraph {
    graph: DiGraph<String, ()>,
    nodes: HashMap<String, NodeIndex>,
}

impl RouteGraph {
    pub fn build(net: &Network) -> RouteGraph {
        let mut g = RouteGraph {
            graph: DiGraph::new(),
            nodes: HashMap::new(),
        };
        for s in net.subnets.values() {
            if let Some((t, _)) = net.effective_route_table(&s.id) {
                g.edge(s.id.as_str(), t.as_str());
            }
            if let Some(t) = net.main_route_table(&s.vpc_id) {
                g.edge(s.id.as_str(), t.as_str());
            }
            g.edge(s.id.as_str(), s.vpc_id.as_str());
        }
        for t in net.route_tables.values() {
            g.node(t.id.as_str());
            for r in t.routes.values() {
                g.edge(t.id.as_str(), r.target.id());
                if let Destination::PrefixList(pl) = &r.destination {
                    g.edge(t.id.as_str(), pl.as_str());
                }
            }
        }
        for n in net.nat_gateways.values() {
            g.edge(n.id.as_str(), n.subnet_id.as_str());
        }
        for e in net.network_interfaces.values() {
            g.edge(e.id.as_str(), e.subnet_id.as_str());
            if let Some(i) = &e.instance_id {
                g.edge(i.as_str(), e.id.as_str());
            }
        }
        for p in net.vpc_peering_connections.values() {
            for side in [&p.requester, &p.accepter] {
                for s in net.subnets.values().filter(|s| s.vpc_id == side.vpc_id) {
                    g.edge(p.id.as_str(), s.id.as_str());
                }
            }
        }
        g
    }

    fn node(&mut self, id: &str) -> NodeIndex {
        if let Some(n) = self.nodes.get(id) {
            return *n;
        }
        let n = self.graph.add_node(id.to_string());
        self.nodes.insert(id.to_string(), n);
        n
    }

    fn edge(&mut self, from: &str, to: &str) {
        let a = self.node(from);
        let b = self.node(to);
        self.graph.update_edge(a, b, ());
    }

    /// The subnets whose reach may change when `resource` (any AWS ID) changes, in ID order: a
    /// safe superset (every subnet also depends on its VPC's main table, its fallback).
    pub fn affected_subnets(&self, resource: &str) -> Vec<SubnetId> {
        let Some(start) = self.nodes.get(resource) else {
            return Vec::new();
        };
        let rev = Reversed(&self.graph);
        let mut dfs = Dfs::new(rev, *start);
        let mut out = BTreeSet::new();
        while let Some(n) = dfs.next(rev) {
            let id = &self.graph[n];
            if id.starts_with(SubnetId::PREFIX) {
                out.insert(SubnetId::new(id.as_str()));
            }
        }
        out.into_iter().collect()
    }
}
