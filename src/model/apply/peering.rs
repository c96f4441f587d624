//! VPC peering connections (semantics doc §1.10, §4.5, §6.8).

use super::*;

/// Statuses in which a connection still occupies its VPC pair (§1.10: one peering per pair).
fn occupies_pair(status: &str) -> bool {
    matches!(
        status,
        "initiating-request" | "pending-acceptance" | "provisioning" | "active"
    )
}

impl Network {
    fn get_peering(&self, id: &VpcPeeringConnectionId) -> Result<&VpcPeeringConnection, Ec2Error> {
        self.vpc_peering_connections.get(id).ok_or_else(|| {
            err(
                "InvalidVpcPeeringConnectionID.NotFound",
                format!("The vpcPeeringConnection ID '{id}' does not exist"),
            )
        })
    }

    /// A side as the model knows it, CIDRs left empty (§6.8: only active connections carry them).
    fn peering_side(
        &self,
        vpc: &VpcId,
        owner: Option<&AccountId>,
        region: Option<&str>,
    ) -> PeeringSide {
        let known = self.vpcs.get(vpc);
        PeeringSide {
            vpc_id: vpc.clone(),
            owner_id: owner
                .cloned()
                .or_else(|| known.and_then(|v| v.owner_id.clone())),
            region: region
                .map(str::to_string)
                .or_else(|| known.and_then(|v| v.region.clone())),
            ipv4_cidrs: Vec::new(),
            ipv6_cidrs: Vec::new(),
        }
    }

    /// The peering connection's route tables, for `touched`.
    fn peering_touched(&self, id: &VpcPeeringConnectionId) -> Vec<String> {
        let mut t = self.tables_routing_to(&Target::VpcPeeringConnection(id.clone()));
        t.push(id.to_string());
        t
    }

    pub(super) fn create_vpc_peering_connection(
        &mut self,
        vpc: &VpcId,
        peer: &VpcId,
        peer_owner: Option<&AccountId>,
        peer_region: Option<&str>,
        given: Option<&VpcPeeringConnectionId>,
    ) -> Result<Effect, Ec2Error> {
        let requester_vpc = self.get_vpc(vpc)?;
        // Peering a VPC with itself is refused (code and wording unverified).
        if vpc == peer {
            return Err(err(
                "InvalidParameterValue",
                format!("{vpc} cannot be peered with itself"),
            ));
        }
        // §1.10 [PEER]: at most one peering between the same two VPCs ([EC2-ERR]; wording
        // unverified).
        if let Some(p) = self.vpc_peering_connections.values().find(|p| {
            occupies_pair(&p.status)
                && ((&p.requester.vpc_id == vpc && &p.accepter.vpc_id == peer)
                    || (&p.requester.vpc_id == peer && &p.accepter.vpc_id == vpc))
        }) {
            return Err(err(
                "VpcPeeringConnectionAlreadyExists",
                format!(
                    "A VPC peering connection ({}) already exists between {vpc} and {peer}",
                    p.id
                ),
            ));
        }
        if let Some(id) = given
            && self.vpc_peering_connections.contains_key(id)
        {
            return Err(duplicate(id.as_str()));
        }
        // §1.10 [BC doc, PEER]: overlapping CIDRs make the connection `failed` (no API error);
        // decidable only when both VPCs are in the model.
        let overlap = self.vpcs.get(peer).and_then(|p| {
            let mut mine = requester_vpc.cidrs(crate::addr::Family::Ipv4);
            mine.extend(requester_vpc.cidrs(crate::addr::Family::Ipv6));
            let mut theirs = p.cidrs(crate::addr::Family::Ipv4);
            theirs.extend(p.cidrs(crate::addr::Family::Ipv6));
            mine.iter().find_map(|m| {
                theirs
                    .iter()
                    .find(|t| t.contains(m) || m.contains(*t))
                    .map(|t| (*m, *t))
            })
        });
        let requester_owner = requester_vpc.owner_id.clone();
        let requester = self.peering_side(vpc, requester_owner.as_ref(), None);
        // PeerOwnerId defaults to the caller's account (§1.10).
        let mut accepter = self.peering_side(peer, peer_owner, peer_region);
        if accepter.owner_id.is_none() {
            accepter.owner_id = requester_owner;
        }
        let status = if overlap.is_some() {
            "failed"
        } else {
            "pending-acceptance"
        };
        let id = VpcPeeringConnectionId::new(self.id_or_fresh(
            given.map(|g| g.as_str()),
            "pcx-",
            |n, s| {
                n.vpc_peering_connections
                    .contains_key(&VpcPeeringConnectionId::new(s))
            },
        ));
        self.revive(id.as_str());
        self.vpc_peering_connections.insert(
            id.clone(),
            VpcPeeringConnection {
                id: id.clone(),
                status: status.into(),
                requester,
                accepter,
            },
        );
        let external = if self.vpcs.contains_key(peer) {
            ""
        } else {
            " (peer VPC not in the model)"
        };
        let summary = match overlap {
            Some((m, t)) => {
                format!("{id}: {vpc} -> {peer} created but failed: {m} overlaps {t}{external}")
            }
            None => format!("{id}: {vpc} -> {peer} pending acceptance{external}"),
        };
        let mut touched = self.peering_touched(&id);
        touched.push(vpc.to_string());
        Ok(effect(summary, touched, false))
    }

    pub(super) fn accept_vpc_peering_connection(
        &mut self,
        id: &VpcPeeringConnectionId,
    ) -> Result<Effect, Ec2Error> {
        let p = self.get_peering(id)?;
        // §1.10 [BC doc]: only from pending-acceptance ([EC2-ERR] InvalidStateTransition; wording
        // unverified).
        if p.status != "pending-acceptance" {
            return Err(invalid_transition(id, &p.status, "active"));
        }
        let (r, a) = (p.requester.vpc_id.clone(), p.accepter.vpc_id.clone());
        if let Some(p) = self.vpc_peering_connections.get_mut(id) {
            p.status = "active".into();
        }
        // §6.8: active connections carry both sides' CIDRs.
        self.refresh_peering_cidrs(&r);
        self.refresh_peering_cidrs(&a);
        Ok(effect(
            format!("{id}: {r} <-> {a} active"),
            self.peering_touched(id),
            false,
        ))
    }

    pub(super) fn reject_vpc_peering_connection(
        &mut self,
        id: &VpcPeeringConnectionId,
    ) -> Result<Effect, Ec2Error> {
        let p = self.get_peering(id)?;
        if p.status != "pending-acceptance" {
            return Err(invalid_transition(id, &p.status, "rejected"));
        }
        if let Some(p) = self.vpc_peering_connections.get_mut(id) {
            p.status = "rejected".into();
        }
        Ok(effect(
            format!("{id}: rejected"),
            self.peering_touched(id),
            false,
        ))
    }

    pub(super) fn delete_vpc_peering_connection(
        &mut self,
        id: &VpcPeeringConnectionId,
    ) -> Result<Effect, Ec2Error> {
        let p = self.get_peering(id)?;
        // §1.10: either side may delete an active connection, the requester a pending one; a
        // connection that is already over cannot be deleted again (inferred).
        if matches!(
            p.status.as_str(),
            "deleted" | "deleting" | "rejected" | "expired"
        ) {
            return Err(invalid_transition(id, &p.status, "deleted"));
        }
        if let Some(p) = self.vpc_peering_connections.get_mut(id) {
            // Kept as `deleted` so that routes to it explain as blackhole (§3.4).
            p.status = "deleted".into();
        }
        self.placeholders.remove(id.as_str());
        Ok(effect(
            format!("{id}: deleted; its routes are blackhole"),
            self.peering_touched(id),
            false,
        ))
    }
}

/// [EC2-ERR] InvalidStateTransition (wording as moto gives it; unverified).
fn invalid_transition(id: &VpcPeeringConnectionId, from: &str, to: &str) -> Ec2Error {
    err(
        "InvalidStateTransition",
        format!("Invalid state transition for {id}, attempted to transition from {from} to {to}"),
    )
}
