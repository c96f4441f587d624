//! Ingress exposure: how traffic entering a VPC through an internet or virtual private gateway
//! reaches each subnet, and what a change does to it. A gateway with an edge-associated route
//! table (ingress routing, semantics doc §3.6) can send the inbound traffic of a subnet through
//! an appliance (a firewall, or a capture); a route added to that table, deleted from it or
//! retargeted, or the association itself, changes which appliance sees the traffic while every
//! subnet's own (outbound) reach stays the same. The subnet diff ([`super::diff`]) cannot see
//! that, so these changes come from comparing the inbound paths of the gateways involved.
//!
//! Only gateways that have an edge route table before or after a change are compared (any
//! other gateway delivers straight to the subnet, before and after), so an account that does not
//! use ingress routing pays nothing. Each change is reported for the subnet whose addresses the
//! inbound traffic is for; its sides' paths start at the gateway.

use super::{ChangeKind, Changes, ExposureChange, Side, grade, overlay};
use crate::addr::{self, Family};
use crate::model::{Change, Network, RouteTableId, SubnetId, VpcId};
use crate::reach::{Disposition, Engine, IngressReach};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Inbound paths per gateway, subnet and family.
pub type IngressMap = BTreeMap<(Arc<str>, SubnetId, Family), IngressReach>;

/// The gateways whose inbound paths `change` can alter, from the state before it: those with
/// an edge route table (of the changed table's VPC, for a change to one table), and the gateway
/// an edge association names (it may be the first) or the change attaches or detaches.
pub fn candidates(net: &Network, change: Option<&Change>) -> BTreeSet<String> {
    // A change to one table reaches only the inbound paths of its VPC: they enter through a
    // gateway of the VPC and pass only its tables (an edge table routes a subnet's addresses to
    // an appliance of the VPC, which its subnet's table forwards; nothing leads back into the
    // VPC from elsewhere). Route changes are most of a trail, so most records compare only the
    // gateways of their own VPC, or none.
    let table_of = |t: &RouteTableId| net.route_tables.get(t).map(|t| &t.vpc_id);
    // (A table or association the model does not know yet, which a lenient replay infers or
    // binds while applying the record, gives no VPC: every gateway is compared then.)
    let scope: Option<&VpcId> = match change {
        Some(
            Change::CreateRoute { route_table_id, .. }
            | Change::ReplaceRoute { route_table_id, .. }
            | Change::DeleteRoute { route_table_id, .. }
            | Change::AssociateRouteTable { route_table_id, .. }
            | Change::EnableVgwRoutePropagation { route_table_id, .. }
            | Change::DisableVgwRoutePropagation { route_table_id, .. },
        ) => table_of(route_table_id),
        Some(
            Change::DisassociateRouteTable { association_id }
            | Change::ReplaceRouteTableAssociation { association_id, .. },
        ) => net.association_table(association_id).and_then(table_of),
        _ => None,
    };
    let mut out: BTreeSet<String> = net
        .edge_gateways()
        .filter(|g| scope.is_none() || net.edge_route_table(g).and_then(table_of) == scope)
        .map(str::to_string)
        .collect();
    // The gateway a change associates, attaches or detaches: its state before is the start of
    // its inbound paths (see [`Start`]), even while it has no edge route table yet.
    match change {
        Some(Change::AssociateRouteTable {
            gateway_id: Some(g),
            ..
        }) => {
            out.insert(g.clone());
        }
        Some(
            Change::AttachInternetGateway {
                internet_gateway_id: g,
                ..
            }
            | Change::DetachInternetGateway {
                internet_gateway_id: g,
                ..
            },
        ) => {
            out.insert(g.to_string());
        }
        Some(
            Change::AttachVpnGateway {
                vpn_gateway_id: g, ..
            }
            | Change::DetachVpnGateway {
                vpn_gateway_id: g, ..
            },
        ) => {
            out.insert(g.to_string());
        }
        _ => {}
    }
    out
}

/// The inbound paths at the start of a replay, for its net change: for each gateway, its paths
/// before the first record that could change them. A path that appears only later (a subnet
/// created, the gateway attached, after that record) was absent at the start, as it is for
/// [`diff`] between the start and the end, and is not compared.
#[derive(Default)]
pub struct Start {
    seeded: BTreeSet<Arc<str>>,
    paths: BTreeMap<(Arc<str>, SubnetId, Family), Option<IngressReach>>,
}

impl Start {
    /// Takes the paths of `gateways` before a record: the first time a gateway is seen they
    /// are its start; a later path of a gateway already seen was absent at the start.
    pub fn seed(&mut self, gateways: &BTreeSet<String>, before: IngressMap) {
        let fresh: BTreeSet<&String> = gateways
            .iter()
            .filter(|g| !self.seeded.contains(g.as_str()))
            .collect();
        for (key, reach) in before {
            let first = fresh.contains(&key.0.to_string());
            self.paths
                .entry(key)
                .or_insert_with(|| first.then_some(reach));
        }
        self.seeded
            .extend(fresh.into_iter().map(|g| Arc::from(g.as_str())));
    }

    /// The ingress changes from the start to `end`.
    pub fn net_change(&self, end: &Network) -> Vec<ExposureChange> {
        if self.seeded.is_empty() {
            return Vec::new();
        }
        let gateways: BTreeSet<String> = self.seeded.iter().map(|g| g.to_string()).collect();
        let after = ingress_map(&Engine::new(end), end, &gateways);
        let before: IngressMap = self
            .paths
            .iter()
            .filter_map(|(k, r)| Some((k.clone(), r.clone()?)))
            .collect();
        diff(&before, &after, end)
    }
}

/// The inbound paths of `gateways` in `net` (`engine` must index `net`'s structure).
pub fn ingress_map(engine: &Engine, net: &Network, gateways: &BTreeSet<String>) -> IngressMap {
    gateways
        .iter()
        .flat_map(|g| engine.ingress(net, g))
        .map(|r| ((r.gateway.clone(), r.subnet_id.clone(), r.family), r))
        .collect()
}

/// The ingress changes between two states: for every gateway, subnet and family known in
/// both, the ranges whose inbound path changed in a way [`classify`] names. A gateway or subnet
/// known on one side only (attached, detached, created, deleted) is left to the subnet diff.
/// `net` is the state after, for each subnet's account and region.
pub fn diff(before: &IngressMap, after: &IngressMap, net: &Network) -> Vec<ExposureChange> {
    let mut out = Vec::new();
    for (key, b) in before {
        if let Some(a) = after.get(key) {
            diff_one(b, a, &mut out);
        }
    }
    for c in &mut out {
        (c.account, c.region) = super::subnet_location(net, &c.subnet_id);
    }
    out
}

/// The changes of one gateway's inbound traffic for one subnet and family.
fn diff_one(before: &IngressReach, after: &IngressReach, out: &mut Vec<ExposureChange>) {
    let mut changes = Changes::default();
    overlay(&before.segments, &after.segments, |x, b, a| {
        changes.add(classify(&b, &a), &b, &a, vec![x]);
    });
    let mut found: Vec<ExposureChange> = changes
        .0
        .into_iter()
        .map(|(kind, b, a, ranges)| {
            let (severity, reason) = grade(kind, &b, &a, after.public_hosts);
            ExposureChange {
                subnet_id: after.subnet_id.clone(),
                vpc_id: after.vpc_id.clone(),
                account: None,
                region: None,
                family: after.family,
                kind,
                ranges: addr::normalize(ranges),
                before: b,
                after: a,
                severity,
                reason,
            }
        })
        .collect();
    found.sort_by(|x, y| (x.kind, x.ranges.first()).cmp(&(y.kind, y.ranges.first())));
    out.extend(found);
}

/// The appliances a side passes, each once, in order: interfaces, instances and (Gateway Load
/// Balancer) endpoints.
pub fn appliances(side: &Side) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for h in side.hops().filter(|h| is_appliance(h)) {
        // A loop passes the same appliance again: named once.
        if !out.contains(&h) {
            out.push(h);
        }
    }
    out
}

fn is_appliance(id: &str) -> bool {
    id.starts_with("eni-") || id.starts_with("i-") || id.starts_with("vpce-")
}

/// The appliances the traffic of a side was meant to pass: those it passes, and for a blackhole
/// the appliance its dead route names (the path it would take were the route alive).
pub fn meant_appliances(side: &Side) -> Vec<&str> {
    let mut out = appliances(side);
    if let Some(t) = side.blackhole_target.as_deref().filter(|t| is_appliance(t)) {
        out.push(t);
    }
    out
}

/// Whether inbound traffic gets where it was going: delivered to the subnet, or handed to a
/// Gateway Load Balancer endpoint (the walk ends there: what the appliances behind it return is
/// not modelled, README), which is taken to deliver it.
fn arrives(side: &Side) -> bool {
    match side.disposition {
        Disposition::Delivered => true,
        Disposition::ToVpcEndpoint => side.hops().any(|h| h.starts_with("vpce-")),
        _ => false,
    }
}

/// What a change of inbound path means; `None` when no appliance and no arrival changed (a
/// table replaced by one with the same forwarding, say). A dropped side counts with the
/// appliance its dead route names, so that a dead route to a firewall replaced by direct
/// delivery is the inspection bypassed, not a restoration.
fn classify(before: &Side, after: &Side) -> Option<ChangeKind> {
    let (pb, pa) = (meant_appliances(before), appliances(after));
    let added = pa.iter().any(|x| !pb.contains(x));
    let dropped = pb.iter().any(|x| !pa.contains(x));
    match (arrives(before), arrives(after)) {
        (true, false) => Some(ChangeKind::IngressLost),
        (_, true) if added => Some(ChangeKind::IngressRedirected),
        (_, true) if dropped => Some(ChangeKind::IngressInspectionBypassed),
        (false, true) => Some(ChangeKind::IngressRestored),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reach::Disposition::*;

    fn side(disposition: Disposition, path: &[&str]) -> Side {
        Side {
            disposition,
            path: path.iter().map(|p| Arc::from(*p)).collect(),
            internet: None,
            blackhole_target: None,
        }
    }

    /// Each kind, and the changes that are none (semantics doc §3.6: an edge table sends a
    /// subnet's inbound traffic to an appliance or delivers it locally).
    #[test]
    fn inbound_path_changes_are_classified_by_their_appliances() {
        let direct = side(Delivered, &["igw-1", "subnet-web"]);
        let via_fw = side(
            Delivered,
            &["igw-1", "rtb-edge", "eni-fw", "subnet-fw", "subnet-web"],
        );
        let via_other = side(
            Delivered,
            &["igw-1", "rtb-edge", "eni-x", "subnet-x", "subnet-web"],
        );
        let mut dead = side(Blackhole, &["igw-1", "rtb-edge"]);
        dead.blackhole_target = Some(Arc::from("eni-fw"));
        let c = |b: &Side, a: &Side| classify(b, a).map(ChangeKind::name);
        assert_eq!(c(&direct, &via_fw), Some("INGRESS_REDIRECTED"));
        assert_eq!(c(&via_fw, &via_other), Some("INGRESS_REDIRECTED"));
        assert_eq!(c(&via_fw, &direct), Some("INGRESS_INSPECTION_BYPASSED"));
        assert_eq!(c(&via_fw, &dead), Some("INGRESS_LOST"));
        assert_eq!(c(&dead, &via_fw), Some("INGRESS_RESTORED"));
        // A dead route to the firewall replaced by direct delivery bypasses it.
        assert_eq!(c(&dead, &direct), Some("INGRESS_INSPECTION_BYPASSED"));
        let mut dead_local = side(Blackhole, &["igw-1", "rtb-edge"]);
        dead_local.blackhole_target = Some(Arc::from("igw-9"));
        assert_eq!(c(&dead_local, &direct), Some("INGRESS_RESTORED"));
        // Back through another appliance than the dead route named: a capture.
        assert_eq!(c(&dead, &via_other), Some("INGRESS_REDIRECTED"));
        assert_eq!(c(&via_fw, &via_fw), None);
        // Another edge table with the same forwarding changes nothing.
        let same = side(
            Delivered,
            &["igw-1", "rtb-edge2", "eni-fw", "subnet-fw", "subnet-web"],
        );
        assert_eq!(c(&via_fw, &same), None);
        assert_eq!(c(&dead, &side(Loop, &["igw-1"])), None);
        // A Gateway Load Balancer endpoint ends the walk: it counts as arriving, through it.
        let gwlb = side(ToVpcEndpoint, &["igw-1", "rtb-edge", "vpce-a"]);
        let gwlb2 = side(ToVpcEndpoint, &["igw-1", "rtb-edge", "vpce-b"]);
        assert_eq!(c(&direct, &gwlb), Some("INGRESS_REDIRECTED"));
        assert_eq!(c(&gwlb, &direct), Some("INGRESS_INSPECTION_BYPASSED"));
        assert_eq!(c(&gwlb, &gwlb2), Some("INGRESS_REDIRECTED"));
        assert_eq!(c(&gwlb, &dead), Some("INGRESS_LOST"));
    }
}
