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
use crate::model::{Change, Network, SubnetId};
use crate::reach::{Disposition, Engine, IngressReach};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Inbound paths per gateway, subnet and family.
pub type IngressMap = BTreeMap<(Arc<str>, SubnetId, Family), IngressReach>;

/// The gateways whose inbound paths `change` can alter, from the state before it: those with
/// an edge route table, and the gateway an edge association names (it may be the first).
pub fn candidates(net: &Network, change: Option<&Change>) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = net.edge_gateways().map(str::to_string).collect();
    if let Some(Change::AssociateRouteTable {
        gateway_id: Some(g),
        ..
    }) = change
    {
        out.insert(g.clone());
    }
    out
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
pub fn diff(before: &IngressMap, after: &IngressMap) -> Vec<ExposureChange> {
    let mut out = Vec::new();
    for (key, b) in before {
        if let Some(a) = after.get(key) {
            diff_one(b, a, &mut out);
        }
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

/// The appliances a side passes: interfaces, instances and (Gateway Load Balancer) endpoints.
pub fn appliances(side: &Side) -> Vec<&str> {
    side.hops()
        .filter(|h| h.starts_with("eni-") || h.starts_with("i-") || h.starts_with("vpce-"))
        .collect()
}

/// What a change of inbound path means; `None` when no appliance and no delivery changed (a
/// table replaced by one with the same forwarding, say).
fn classify(before: &Side, after: &Side) -> Option<ChangeKind> {
    let delivered = |s: &Side| s.disposition == Disposition::Delivered;
    let (pb, pa) = (appliances(before), appliances(after));
    match (delivered(before), delivered(after)) {
        (true, false) => Some(ChangeKind::IngressLost),
        (false, true) => {
            // What the dead route pointed at counts as the path the traffic was meant to take.
            let meant = |x: &&str| pb.contains(x) || before.blackhole_target.as_deref() == Some(*x);
            if pa.iter().all(meant) {
                Some(ChangeKind::IngressRestored)
            } else {
                Some(ChangeKind::IngressRedirected)
            }
        }
        (true, true) if pa.iter().any(|x| !pb.contains(x)) => Some(ChangeKind::IngressRedirected),
        (true, true) if pb.iter().any(|x| !pa.contains(x)) => {
            Some(ChangeKind::IngressInspectionBypassed)
        }
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
        assert_eq!(c(&dead, &direct), Some("INGRESS_RESTORED"));
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
    }
}
