//! CreateRouteTable, DeleteRouteTable and the association calls (semantics doc §1.5, §1.6,
//! §3.1, §3.6; §8 cases 7–9 and 14).

use super::*;
use crate::model::effect::Parts;

impl Network {
    pub(super) fn create_route_table(
        &mut self,
        vpc: &VpcId,
        given: Option<&RouteTableId>,
        opts: &ApplyOptions,
    ) -> Result<Effect, Ec2Error> {
        let Some(cidrs) = self.vpc_cidrs(vpc) else {
            return Err(vpc_not_found(vpc));
        };
        // §3.7: 200 route tables per VPC, the main table included.
        let count = self
            .route_tables
            .values()
            .filter(|t| &t.vpc_id == vpc)
            .count();
        if count >= opts.route_table_limit {
            return Err(err(
                "RouteTableLimitExceeded",
                format!(
                    "You have reached the limit of {} route tables for {vpc}",
                    opts.route_table_limit
                ),
            ));
        }
        if let Some(id) = given
            && self.route_tables.contains_key(id)
        {
            return Err(duplicate(id.as_str()));
        }
        let id = RouteTableId::new(self.id_or_fresh(given.map(|g| g.as_str()), "rtb-", |n, s| {
            n.route_tables.contains_key(&RouteTableId::new(s))
        }));
        self.revive(id.as_str());
        let mut table = RouteTable::new(id.clone(), vpc.clone());
        table.owner_id = self.vpcs.get(vpc).and_then(|v| v.owner_id.clone());
        // §1.5: one local route per VPC CIDR, IPv4 and IPv6, Origin=CreateRouteTable.
        add_local_routes(&mut table, &cidrs);
        let n = table.routes.len();
        self.route_tables.insert(id.clone(), table);
        Ok(effect(
            format!("{id}: created in {vpc} with {n} local route(s)"),
            [id.to_string()],
            false,
        ))
    }

    pub(super) fn delete_route_table(&mut self, id: &RouteTableId) -> Result<Effect, Ec2Error> {
        let table = self.get_table(id)?;
        // §1.5, §2.2, §8 case 8: the main table, or any association (edge included) → dependency.
        if !table.associations.is_empty() {
            return Err(err(
                "DependencyViolation",
                format!("The routeTable '{id}' has dependencies and cannot be deleted."),
            ));
        }
        let vpc = table.vpc_id.clone();
        self.route_tables.remove(id);
        // Gateway endpoints stop listing the table (inferred).
        let mut touched = vec![id.to_string()];
        for e in self.vpc_endpoints.values_mut() {
            let before = e.route_table_ids.len();
            e.route_table_ids.retain(|t| t != id);
            if e.route_table_ids.len() != before {
                touched.push(e.id.to_string());
            }
        }
        self.forget(id.as_str());
        Ok(effect(format!("{id}: deleted from {vpc}"), touched, false))
    }

    pub(super) fn associate_route_table(
        &mut self,
        rtb: &RouteTableId,
        subnet: Option<&SubnetId>,
        gateway: Option<&str>,
        given: Option<&RouteTableAssociationId>,
    ) -> Result<Effect, Ec2Error> {
        // §1.6: exactly one of SubnetId and GatewayId (codes unverified).
        let target = match (subnet, gateway) {
            (Some(s), None) => AssociationTarget::Subnet(s.clone()),
            (None, Some(g)) => AssociationTarget::Gateway(g.to_string()),
            (None, None) => {
                return Err(err(
                    "MissingParameter",
                    "The request must contain the parameter subnetId or gatewayId",
                ));
            }
            (Some(_), Some(_)) => {
                return Err(err(
                    "InvalidParameterCombination",
                    "The request must contain exactly one of subnetId or gatewayId",
                ));
            }
        };
        // §1.6 [GH ansible-collections/amazon.aws#2631]: only IGWs and VGWs take edge associations.
        if let AssociationTarget::Gateway(g) = &target
            && !(g.starts_with(InternetGatewayId::PREFIX) || g.starts_with(VpnGatewayId::PREFIX))
        {
            return Err(err(
                "InvalidParameterValue",
                format!("invalid value for parameter gateway-id: {g}"),
            ));
        }
        let table = self.get_table(rtb)?;
        let mut touched = vec![rtb.to_string()];
        match &target {
            AssociationTarget::Subnet(s) => {
                let sub = self.get_subnet(s)?;
                // §2.2, §8 case 9 ([OSEC2] wording).
                if sub.vpc_id != table.vpc_id {
                    return Err(err(
                        "InvalidParameterValue",
                        format!("Route table {rtb} and subnet {s} belong to different networks"),
                    ));
                }
                // §1.6, §8 case 9: one explicit association per subnet.
                if self.index.subnet.contains_key(s) {
                    return Err(already_associated(rtb));
                }
                touched.push(s.to_string());
            }
            AssociationTarget::Gateway(g) => {
                self.check_edge_gateway(table, g)?;
                // §3.6: one edge association per gateway (inferred).
                if self.index.edge.contains_key(g) {
                    return Err(already_associated(rtb));
                }
                self.check_edge_table(table, g)?;
                touched.push(g.clone());
            }
            AssociationTarget::Main => {}
        }
        if let Some(a) = given
            && self.find_association(a).is_some()
        {
            return Err(duplicate(a.as_str()));
        }
        let id = self.association_id_or_fresh(given);
        let assoc = Association {
            id: id.clone(),
            target: target.clone(),
        };
        if let Some(t) = self.route_tables.get_mut(rtb) {
            t.add_association(assoc.clone());
            let vpc = t.vpc_id.clone();
            self.index_association(rtb, &vpc, &assoc);
        }
        Ok(effect(
            EffectSummary::of(Parts::Associated {
                table: rtb.clone(),
                target,
                id,
            }),
            touched,
            false,
        ))
    }

    pub(super) fn disassociate_route_table(
        &mut self,
        id: &RouteTableAssociationId,
    ) -> Result<Effect, Ec2Error> {
        let Some((table, assoc)) = self.find_association(id) else {
            return Err(association_not_found(id));
        };
        // §2.2, §8 case 8 [GH ansible/ansible#25521].
        if assoc.target == AssociationTarget::Main {
            return Err(err(
                "InvalidParameterValue",
                format!("cannot disassociate the main route table association {id}"),
            ));
        }
        let rtb = table.id.clone();
        let mut touched = vec![rtb.as_str().to_owned()];
        match &assoc.target {
            AssociationTarget::Subnet(s) => touched.push(s.as_str().to_owned()),
            AssociationTarget::Gateway(g) => touched.push(g.clone()),
            AssociationTarget::Main => {}
        }
        let (vpc, removed) = (table.vpc_id.clone(), assoc.clone());
        let duplicates = self.index_has_duplicates();
        if let Some(t) = self.route_tables.get_mut(&rtb) {
            remove_association(t, &removed.id, duplicates);
        }
        self.unindex_association(&rtb, &vpc, &removed);
        self.placeholders.remove(id.as_str());
        Ok(effect(
            EffectSummary::of(Parts::Disassociated {
                table: rtb,
                target: removed.target,
                id: id.clone(),
            }),
            touched,
            false,
        ))
    }

    pub(super) fn replace_route_table_association(
        &mut self,
        id: &RouteTableAssociationId,
        rtb: &RouteTableId,
        given: Option<&RouteTableAssociationId>,
    ) -> Result<Effect, Ec2Error> {
        let Some((old_table, assoc)) = self.find_association(id) else {
            // §8 case 7: the old ID of a replaced association is gone.
            return Err(association_not_found(id));
        };
        let new_table = self.get_table(rtb)?;
        // §2.2 ([OSEC2] wording).
        if new_table.vpc_id != old_table.vpc_id {
            return Err(err(
                "InvalidParameterValue",
                format!(
                    "Route table association {id} and route table {rtb} belong to different networks"
                ),
            ));
        }
        let old_rtb = old_table.id.clone();
        let vpc = old_table.vpc_id.clone();
        let target = assoc.target.clone();
        let mut touched = vec![old_rtb.to_string(), rtb.to_string()];
        match &target {
            AssociationTarget::Main => {
                // §1.6, §3.1 [UG-RT]: a gateway route table cannot be main (code unverified).
                if self.is_gateway_table(new_table) {
                    return Err(err(
                        "InvalidParameterValue",
                        format!(
                            "route table {rtb} is a gateway route table and cannot be the main route table"
                        ),
                    ));
                }
                // §3.1, §8 case 7: every implicitly associated subnet follows the main table.
                touched.extend(
                    self.subnets
                        .values()
                        .filter(|s| s.vpc_id == vpc && !self.index.subnet.contains_key(&s.id))
                        .map(|s| s.id.to_string()),
                );
            }
            AssociationTarget::Subnet(s) => touched.push(s.to_string()),
            AssociationTarget::Gateway(g) => {
                if new_table.id != old_rtb {
                    self.check_edge_table(new_table, g)?;
                }
                touched.push(g.clone());
            }
        }
        if let Some(a) = given
            && a != id
            && self.find_association(a).is_some()
        {
            return Err(duplicate(a.as_str()));
        }
        let stored = assoc.id.clone();
        let new_id = self.association_id_or_fresh(given);
        let duplicates = self.index_has_duplicates();
        if let Some(t) = self.route_tables.get_mut(&old_rtb) {
            remove_association(t, &stored, duplicates);
        }
        let old = Association {
            id: id.clone(),
            target: target.clone(),
        };
        self.unindex_association(&old_rtb, &vpc, &old);
        let new = Association {
            id: new_id.clone(),
            target: target.clone(),
        };
        if let Some(t) = self.route_tables.get_mut(rtb) {
            t.add_association(new.clone());
        }
        self.index_association(rtb, &vpc, &new);
        if &new_id != id {
            self.placeholders.remove(id.as_str());
        }
        Ok(effect(
            EffectSummary::of(Parts::ReplacedAssociation {
                table: rtb.clone(),
                vpc,
                target,
                id: id.clone(),
                new_id,
                old_table: old_rtb,
            }),
            touched,
            false,
        ))
    }

    /// The association ID the record gave, else a fresh placeholder (module doc of `apply`).
    fn association_id_or_fresh(
        &mut self,
        given: Option<&RouteTableAssociationId>,
    ) -> RouteTableAssociationId {
        match given {
            Some(id) => id.clone(),
            None => RouteTableAssociationId::new(self.fresh_id("rtbassoc-", |n, s| {
                n.find_association(&RouteTableAssociationId::new(s))
                    .is_some()
            })),
        }
    }

    /// The gateway of an edge association exists and is attached to the table's VPC (existence
    /// per [EC2-ERR]; attachment inferred from §3.6 "associate with an IGW or a VGW" of the VPC).
    fn check_edge_gateway(&self, table: &RouteTable, gateway: &str) -> Result<(), Ec2Error> {
        let inv = &self.inventory;
        let (attached, missing) = if gateway.starts_with(InternetGatewayId::PREFIX) {
            let id = InternetGatewayId::new(gateway);
            match self.presence(&self.internet_gateways, &id, inv.internet_gateways, gateway) {
                Presence::Present(g) => (g.attached_vpc.clone(), None),
                Presence::Missing => (
                    None,
                    Some(err(
                        "InvalidInternetGatewayID.NotFound",
                        format!("The internetGateway ID '{gateway}' does not exist"),
                    )),
                ),
                Presence::Assumed => return Ok(()),
            }
        } else {
            let id = VpnGatewayId::new(gateway);
            match self.presence(&self.vpn_gateways, &id, inv.vpn_gateways, gateway) {
                Presence::Present(g) => (g.attached_vpc.clone(), None),
                Presence::Missing => (
                    None,
                    Some(err(
                        "InvalidVpnGatewayID.NotFound",
                        format!("The vpnGateway ID '{gateway}' does not exist"),
                    )),
                ),
                Presence::Assumed => return Ok(()),
            }
        };
        if let Some(e) = missing {
            return Err(e);
        }
        if attached.as_ref() != Some(&table.vpc_id) {
            return Err(err(
                "InvalidParameterValue",
                format!(
                    "route table {} and network gateway {gateway} belong to different networks",
                    table.id
                ),
            ));
        }
        Ok(())
    }

    /// §3.6, §8 case 14: a table can be edge-associated only when every route targets local, a
    /// network interface or a GWLB endpoint, for the VPC CIDR or a subnet CIDR, no prefix list,
    /// no propagation; and it is not the main table (§3.1). Code unverified (InvalidParameterValue
    /// assumed).
    fn check_edge_table(&self, table: &RouteTable, gateway: &str) -> Result<(), Ec2Error> {
        let reject = |why: String| {
            err(
                "InvalidParameterValue",
                format!(
                    "route table {} cannot be associated with gateway {gateway}: {why}",
                    table.id
                ),
            )
        };
        if table.is_main() {
            return Err(reject("it is the main route table".into()));
        }
        if let Some(vgw) = table.propagating_vgws.iter().next() {
            return Err(reject(format!("route propagation from {vgw} is enabled")));
        }
        for r in table.routes.values() {
            if self
                .gateway_table_route(table, &r.destination, &r.target)
                .is_err()
            {
                return Err(reject(format!(
                    "its route {} -> {} is not allowed in a gateway route table",
                    r.destination, r.target
                )));
            }
        }
        Ok(())
    }
}

/// Adds the local routes for `cidrs` to a table (§1.5, §3.2).
pub(super) fn add_local_routes(table: &mut RouteTable, cidrs: &[IpNet]) {
    for n in cidrs {
        table.routes.insert_if_absent(Route::new(
            Destination::cidr(*n),
            Target::Local,
            RouteOrigin::CreateRouteTable,
        ));
    }
}

/// §2.2: a subnet or gateway that already has an explicit association.
fn already_associated(rtb: &RouteTableId) -> Ec2Error {
    err(
        "Resource.AlreadyAssociated",
        format!(
            "the specified association for route table {rtb} conflicts with an existing association"
        ),
    )
}

/// §2.2 ([EC2-ERR], [MOTO] wording).
fn association_not_found(id: &RouteTableAssociationId) -> Ec2Error {
    err(
        "InvalidAssociationID.NotFound",
        format!("Association ID '{id}' not found."),
    )
}

/// Removes an association from its table by ID: the one found first (`id` is best the stored
/// copy, see `RouteTable::association_position`), and with `duplicates` (some ID may occur twice,
/// an inconsistent snapshot) every other with the same ID too.
fn remove_association(t: &mut RouteTable, id: &RouteTableAssociationId, duplicates: bool) {
    if duplicates {
        t.associations.retain(|a| &a.id != id);
    } else if let Some(at) = t.association_position(id) {
        t.associations.remove(at);
    }
}
