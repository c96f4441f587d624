//! Internet gateways (semantics doc §1.7), egress-only internet gateways (§1.11), NAT gateways
//! (§1.8), virtual private gateways and route propagation (§1.9), transit gateway VPC
//! attachments (§1.13).

use super::*;

impl Network {
    fn get_igw(&self, id: &InternetGatewayId) -> Result<&InternetGateway, Ec2Error> {
        self.internet_gateways.get(id).ok_or_else(|| {
            err(
                "InvalidInternetGatewayID.NotFound",
                format!("The internetGateway ID '{id}' does not exist"),
            )
        })
    }

    fn get_vgw(&self, id: &VpnGatewayId) -> Result<&VpnGateway, Ec2Error> {
        self.vpn_gateways.get(id).ok_or_else(|| {
            err(
                "InvalidVpnGatewayID.NotFound",
                format!("The vpnGateway ID '{id}' does not exist"),
            )
        })
    }

    /// The tables whose routes change state when `target` changes, plus edge tables of `gateway`.
    fn gateway_touched(&self, id: &str, target: &Target) -> Vec<String> {
        let mut t = self.tables_routing_to(target);
        if let Some(edge) = self.edge_route_table(id) {
            t.push(edge.to_string());
        }
        t.push(id.to_string());
        t
    }

    pub(super) fn create_internet_gateway(
        &mut self,
        given: Option<&InternetGatewayId>,
    ) -> Result<Effect, Ec2Error> {
        if let Some(id) = given
            && self.internet_gateways.contains_key(id)
        {
            return Err(duplicate(id.as_str()));
        }
        let id =
            InternetGatewayId::new(self.id_or_fresh(given.map(|g| g.as_str()), "igw-", |n, s| {
                n.internet_gateways.contains_key(&InternetGatewayId::new(s))
            }));
        self.revive(id.as_str());
        // §1.7: created detached.
        self.internet_gateways.insert(
            id.clone(),
            InternetGateway {
                id: id.clone(),
                attached_vpc: None,
                owner_id: None,
            },
        );
        Ok(effect(
            format!("{id}: created (detached)"),
            [id.to_string()],
            false,
        ))
    }

    pub(super) fn attach_internet_gateway(
        &mut self,
        id: &InternetGatewayId,
        vpc: &VpcId,
    ) -> Result<Effect, Ec2Error> {
        let igw = self.get_igw(id)?;
        self.get_vpc(vpc)?;
        // §1.7, §2.2 [GH berlioz-the/berlioz#1]: one VPC per IGW.
        if let Some(other) = &igw.attached_vpc {
            return Err(err(
                "Resource.AlreadyAssociated",
                format!("resource {id} is already attached to network {other}"),
            ));
        }
        // §1.7, §2.2, §2.3: one IGW per VPC (moto wrongly accepts a second one).
        if self.attached_internet_gateway(vpc).is_some() {
            return Err(err(
                "InvalidParameterValue",
                format!("Network {vpc} already has an internet gateway attached"),
            ));
        }
        if let Some(g) = self.internet_gateways.get_mut(id) {
            g.attached_vpc = Some(vpc.clone());
        }
        let mut touched = self.gateway_touched(id.as_str(), &Target::InternetGateway(id.clone()));
        touched.push(vpc.to_string());
        Ok(effect(format!("{id}: attached to {vpc}"), touched, false))
    }

    pub(super) fn detach_internet_gateway(
        &mut self,
        id: &InternetGatewayId,
        vpc: &VpcId,
    ) -> Result<Effect, Ec2Error> {
        let igw = self.get_igw(id)?;
        self.get_vpc(vpc)?;
        // §2.2 [EC2-ERR]: not attached to that VPC (wording unverified).
        if igw.attached_vpc.as_ref() != Some(vpc) {
            return Err(err(
                "Gateway.NotAttached",
                format!("resource {id} is not attached to network {vpc}"),
            ));
        }
        // §1.7, §2.2: public addresses still mapped in the VPC (interfaces with a public IPv4 or
        // an EIP, a live public NAT gateway's EIP).
        if self.has_mapped_public_addresses(vpc) {
            return Err(err(
                "DependencyViolation",
                format!(
                    "Network {vpc} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway."
                ),
            ));
        }
        if let Some(g) = self.internet_gateways.get_mut(id) {
            g.attached_vpc = None;
        }
        // §3.4, §8 case 10: its routes become blackhole (derived, not stored).
        let mut touched = self.gateway_touched(id.as_str(), &Target::InternetGateway(id.clone()));
        touched.push(vpc.to_string());
        Ok(effect(
            format!("{id}: detached from {vpc}; its routes are blackhole"),
            touched,
            false,
        ))
    }

    /// §1.7: whether any public address is mapped in the VPC.
    fn has_mapped_public_addresses(&self, vpc: &VpcId) -> bool {
        let eni = self.network_interfaces.values().any(|e| {
            !e.public_ips.is_empty()
                && self.eni_vpc(e) == Some(vpc)
                && e.instance_id
                    .as_ref()
                    .and_then(|i| self.instances.get(i))
                    .is_none_or(|i| i.state != "terminated")
        });
        let nat = self.nat_gateways.values().any(|n| {
            n.connectivity == ConnectivityType::Public
                && matches!(
                    n.state,
                    NatGatewayState::Pending
                        | NatGatewayState::Available
                        | NatGatewayState::Deleting
                )
                && !n.public_ips.is_empty()
                && self.nat_vpc(n) == Some(vpc)
        });
        eni || nat
    }

    pub(super) fn delete_internet_gateway(
        &mut self,
        id: &InternetGatewayId,
    ) -> Result<Effect, Ec2Error> {
        let igw = self.get_igw(id)?;
        // §1.7 [BC doc]: must be detached first (wording unverified).
        if igw.attached_vpc.is_some() {
            return Err(err(
                "DependencyViolation",
                format!("The internetGateway '{id}' has dependencies and cannot be deleted."),
            ));
        }
        let touched = self.gateway_touched(id.as_str(), &Target::InternetGateway(id.clone()));
        self.internet_gateways.remove(id);
        self.drop_edge_associations(id.as_str());
        self.forget(id.as_str());
        Ok(effect(format!("{id}: deleted"), touched, false))
    }

    /// Removes the edge associations of a deleted gateway (inferred: the association cannot
    /// outlive its gateway).
    fn drop_edge_associations(&mut self, gateway: &str) {
        let target = AssociationTarget::Gateway(gateway.to_string());
        let mut dropped = Vec::new();
        for t in self.route_tables.values_mut() {
            dropped.extend(
                t.associations
                    .iter()
                    .filter(|a| a.target == target)
                    .map(|a| a.id.to_string()),
            );
            t.associations.retain(|a| a.target != target);
        }
        for a in dropped {
            self.placeholders.remove(&a);
        }
        self.reindex();
    }

    pub(super) fn create_egress_only_internet_gateway(
        &mut self,
        vpc: &VpcId,
        given: Option<&EgressOnlyInternetGatewayId>,
    ) -> Result<Effect, Ec2Error> {
        self.get_vpc(vpc)?;
        // §3.7 [UG-Q]: one egress-only IGW attached per VPC (code and wording unverified).
        if let Some(g) = self
            .egress_only_internet_gateways
            .values()
            .find(|g| g.attached_vpc.as_ref() == Some(vpc))
        {
            return Err(err(
                "InvalidParameterValue",
                format!(
                    "Network {vpc} already has an egress-only internet gateway attached ({})",
                    g.id
                ),
            ));
        }
        if let Some(id) = given
            && self.egress_only_internet_gateways.contains_key(id)
        {
            return Err(duplicate(id.as_str()));
        }
        let id = EgressOnlyInternetGatewayId::new(self.id_or_fresh(
            given.map(|g| g.as_str()),
            "eigw-",
            |n, s| {
                n.egress_only_internet_gateways
                    .contains_key(&EgressOnlyInternetGatewayId::new(s))
            },
        ));
        self.revive(id.as_str());
        // §1.11: created already attached to the VPC.
        self.egress_only_internet_gateways.insert(
            id.clone(),
            EgressOnlyInternetGateway {
                id: id.clone(),
                attached_vpc: Some(vpc.clone()),
            },
        );
        let mut touched = self.tables_routing_to(&Target::EgressOnlyInternetGateway(id.clone()));
        touched.push(id.to_string());
        Ok(effect(
            format!("{id}: created, attached to {vpc}"),
            touched,
            false,
        ))
    }

    pub(super) fn delete_egress_only_internet_gateway(
        &mut self,
        id: &EgressOnlyInternetGatewayId,
    ) -> Result<Effect, Ec2Error> {
        if !self.egress_only_internet_gateways.contains_key(id) {
            return Err(err(
                "InvalidEgressOnlyInternetGatewayId.NotFound",
                format!("The egressOnlyInternetGateway ID '{id}' does not exist"),
            ));
        }
        let mut touched = self.tables_routing_to(&Target::EgressOnlyInternetGateway(id.clone()));
        touched.push(id.to_string());
        self.egress_only_internet_gateways.remove(id);
        self.forget(id.as_str());
        Ok(effect(
            format!("{id}: deleted; its routes are blackhole"),
            touched,
            false,
        ))
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn create_nat_gateway(
        &mut self,
        subnet: &SubnetId,
        given: Option<&NatGatewayId>,
        connectivity: ConnectivityType,
        allocation: Option<&AllocationId>,
        private_ip: Option<Ipv4Addr>,
        public_ip: Option<Ipv4Addr>,
    ) -> Result<Effect, Ec2Error> {
        let vpc = self.get_subnet(subnet)?.vpc_id.clone();
        // §1.8 [BC CreateNatGatewayRequest.AllocationId]: "You cannot specify an Elastic IP
        // address with a private NAT gateway" (code unverified).
        if connectivity == ConnectivityType::Private
            && (allocation.is_some() || public_ip.is_some())
        {
            return Err(err(
                "InvalidParameterValue",
                "You cannot specify an Elastic IP address with a private NAT gateway",
            ));
        }
        if let Some(id) = given
            && self.nat_gateways.contains_key(id)
        {
            return Err(duplicate(id.as_str()));
        }
        // §1.8: a public NAT gateway's creation fails *asynchronously* (no API error): no IGW
        // attached to the VPC (Gateway.NotAttached), an unknown EIP (InvalidAllocationID.NotFound)
        // or an EIP in use (Resource.AlreadyAssociated). Replay has no time, so the gateway is
        // `failed` at once; otherwise it is `available` at once (not `pending`).
        let address = allocation.and_then(|a| {
            self.addresses
                .iter()
                .find(|x| x.allocation_id.as_ref() == Some(a))
        });
        let mut failure = None;
        let mut public = public_ip;
        if connectivity == ConnectivityType::Public {
            if self.attached_internet_gateway(&vpc).is_none() {
                failure = Some(format!(
                    "Gateway.NotAttached: Network {vpc} has no Internet gateway attached"
                ));
            } else if let Some(a) = allocation {
                match address {
                    None if self.inventory.addresses || self.removed.contains(a.as_str()) => {
                        failure = Some(format!(
                            "InvalidAllocationID.NotFound: Elastic IP address {a} could not be found"
                        ));
                    }
                    Some(x) if x.network_interface_id.is_some() || self.nat_uses(x.public_ip) => {
                        failure = Some(format!(
                            "Resource.AlreadyAssociated: Elastic IP address {a} is already associated"
                        ));
                    }
                    Some(x) => public = public.or(Some(x.public_ip)),
                    None => {}
                }
            }
            if failure.is_none() && public.is_none() {
                public = self.placeholder_public_ip(&BTreeSet::new());
            }
        }
        let private = private_ip.or_else(|| self.first_free_private_ip(subnet, &BTreeSet::new()));
        let id = NatGatewayId::new(self.id_or_fresh(given.map(|g| g.as_str()), "nat-", |n, s| {
            n.nat_gateways.contains_key(&NatGatewayId::new(s))
        }));
        self.revive(id.as_str());
        let state = if failure.is_some() {
            NatGatewayState::Failed
        } else {
            NatGatewayState::Available
        };
        self.nat_gateways.insert(
            id.clone(),
            NatGateway {
                id: id.clone(),
                subnet_id: subnet.clone(),
                vpc_id: Some(vpc.clone()),
                state,
                connectivity,
                private_ips: private.into_iter().collect(),
                public_ips: if failure.is_some() {
                    Vec::new()
                } else {
                    public.into_iter().collect()
                },
            },
        );
        let kind = match connectivity {
            ConnectivityType::Public => "public",
            ConnectivityType::Private => "private",
        };
        let summary = match &failure {
            Some(f) => format!("{id}: created ({kind}) in {subnet} but failed ({f})"),
            None => format!("{id}: created ({kind}) in {subnet}, available"),
        };
        let mut touched = self.tables_routing_to(&Target::NatGateway(id.clone()));
        touched.push(id.to_string());
        Ok(effect(summary, touched, false))
    }

    /// Whether a live NAT gateway holds this public address.
    pub(super) fn nat_uses(&self, ip: Ipv4Addr) -> bool {
        self.nat_gateways.values().any(|n| {
            n.state != NatGatewayState::Deleted
                && n.state != NatGatewayState::Failed
                && n.public_ips.contains(&ip)
        })
    }

    pub(super) fn delete_nat_gateway(&mut self, id: &NatGatewayId) -> Result<Effect, Ec2Error> {
        // §2.2 [EC2-ERR]: NatGatewayNotFound (wording unverified; moto crashes here, §2.3).
        let Some(nat) = self.nat_gateways.get(id) else {
            return Err(err(
                "NatGatewayNotFound",
                format!("NAT gateway {id} was not found"),
            ));
        };
        if nat.state == NatGatewayState::Deleted {
            return Ok(effect(format!("{id}: already deleted"), [], false));
        }
        let mut touched = self.tables_routing_to(&Target::NatGateway(id.clone()));
        touched.push(id.to_string());
        // §1.8, §8 case 10: the gateway stays (state deleted) and its routes stay, blackhole.
        if let Some(n) = self.nat_gateways.get_mut(id) {
            n.state = NatGatewayState::Deleted;
        }
        self.placeholders.remove(id.as_str());
        Ok(effect(
            format!("{id}: deleted; its routes are blackhole"),
            touched,
            false,
        ))
    }

    pub(super) fn create_vpn_gateway(
        &mut self,
        given: Option<&VpnGatewayId>,
        asn: Option<u64>,
    ) -> Result<Effect, Ec2Error> {
        if let Some(id) = given
            && self.vpn_gateways.contains_key(id)
        {
            return Err(duplicate(id.as_str()));
        }
        let id = VpnGatewayId::new(self.id_or_fresh(given.map(|g| g.as_str()), "vgw-", |n, s| {
            n.vpn_gateways.contains_key(&VpnGatewayId::new(s))
        }));
        self.revive(id.as_str());
        self.vpn_gateways.insert(
            id.clone(),
            VpnGateway {
                id: id.clone(),
                attached_vpc: None,
                amazon_side_asn: asn,
                known_prefixes: Default::default(),
            },
        );
        Ok(effect(
            format!("{id}: created (detached)"),
            [id.to_string()],
            false,
        ))
    }

    pub(super) fn attach_vpn_gateway(
        &mut self,
        id: &VpnGatewayId,
        vpc: &VpcId,
    ) -> Result<Effect, Ec2Error> {
        let vgw = self.get_vgw(id)?;
        self.get_vpc(vpc)?;
        // §1.9 [EC2-ERR]: a VPC that already has a VGW → InvalidVpcState (wording unverified).
        if let Some(other) = self
            .vpn_gateways
            .values()
            .find(|g| g.attached_vpc.as_ref() == Some(vpc))
        {
            return Err(err(
                "InvalidVpcState",
                format!(
                    "The VPC {vpc} already has virtual private gateway {} attached",
                    other.id
                ),
            ));
        }
        // §1.9: "one virtual private gateway to one VPC at a time" (code unverified).
        if let Some(other) = &vgw.attached_vpc {
            return Err(err(
                "VpnGatewayAttachmentLimitExceeded",
                format!("virtual private gateway {id} is already attached to {other}"),
            ));
        }
        if let Some(g) = self.vpn_gateways.get_mut(id) {
            g.attached_vpc = Some(vpc.clone());
        }
        let mut touched = self.gateway_touched(id.as_str(), &Target::VpnGateway(id.clone()));
        touched.push(vpc.to_string());
        Ok(effect(format!("{id}: attached to {vpc}"), touched, false))
    }

    pub(super) fn detach_vpn_gateway(
        &mut self,
        id: &VpnGatewayId,
        vpc: &VpcId,
    ) -> Result<Effect, Ec2Error> {
        let vgw = self.get_vgw(id)?;
        // §1.9 [EC2-ERR] (wording unverified).
        if vgw.attached_vpc.as_ref() != Some(vpc) {
            return Err(err(
                "InvalidVpnGatewayAttachment.NotFound",
                format!(
                    "The attachment with vpn gateway ID '{id}' and vpc ID '{vpc}' does not exist"
                ),
            ));
        }
        if let Some(g) = self.vpn_gateways.get_mut(id) {
            g.attached_vpc = None;
        }
        let mut touched = self.gateway_touched(id.as_str(), &Target::VpnGateway(id.clone()));
        touched.push(vpc.to_string());
        Ok(effect(
            format!("{id}: detached from {vpc}; its routes are blackhole"),
            touched,
            false,
        ))
    }

    pub(super) fn delete_vpn_gateway(&mut self, id: &VpnGatewayId) -> Result<Effect, Ec2Error> {
        let vgw = self.get_vgw(id)?;
        // §1.9 [EC2-ERR IncorrectState]: must be detached first (wording unverified).
        if let Some(vpc) = &vgw.attached_vpc {
            return Err(err(
                "IncorrectState",
                format!("The virtual private gateway {id} is attached to {vpc}; detach it first"),
            ));
        }
        let touched = self.gateway_touched(id.as_str(), &Target::VpnGateway(id.clone()));
        self.vpn_gateways.remove(id);
        // Propagation from a gateway that no longer exists ends, and so do its propagated routes
        // (inferred).
        for t in self.route_tables.values_mut() {
            t.propagating_vgws.remove(id);
            t.routes.retain(|r| {
                !(r.origin.is_propagated() && r.target == Target::VpnGateway(id.clone()))
            });
        }
        self.drop_edge_associations(id.as_str());
        self.forget(id.as_str());
        Ok(effect(format!("{id}: deleted"), touched, false))
    }

    pub(super) fn set_vgw_route_propagation(
        &mut self,
        rtb: &RouteTableId,
        vgw: &VpnGatewayId,
        enable: bool,
    ) -> Result<Effect, Ec2Error> {
        let table = self.get_table(rtb)?;
        let gateway = self.get_vgw(vgw)?;
        // §1.9 [BC doc]: the VGW must be attached to the table's VPC (code unverified).
        if enable && gateway.attached_vpc.as_ref() != Some(&table.vpc_id) {
            return Err(err(
                "Gateway.NotAttached",
                format!("resource {vgw} is not attached to network {}", table.vpc_id),
            ));
        }
        // §3.6: a gateway route table cannot have propagation (code unverified).
        if enable && self.is_gateway_table(table) {
            return Err(err(
                "InvalidParameterValue",
                format!("route table {rtb} is a gateway route table and cannot propagate routes"),
            ));
        }
        let was = table.propagating_vgws.contains(vgw);
        // §1.9: the propagated prefixes are not in CloudTrail. What the gateway was seen
        // propagating (to any table, now or before) is what it propagates again: the same VGW
        // propagates the same prefixes to every table.
        let target = Target::VpnGateway(vgw.clone());
        let mut known: BTreeSet<Destination> = self
            .route_tables
            .values()
            .flat_map(|t| t.routes.iter())
            .filter(|r| r.origin.is_propagated() && r.target == target)
            .map(|r| r.destination.clone())
            .collect();
        if let Some(g) = self.vpn_gateways.get_mut(vgw) {
            g.known_prefixes.append(&mut known);
            known = g.known_prefixes.clone();
        }
        if let Some(t) = self.route_tables.get_mut(rtb) {
            if enable {
                t.propagating_vgws.insert(vgw.clone());
                for d in &known {
                    t.put_route(Route::new(
                        d.clone(),
                        target.clone(),
                        RouteOrigin::EnableVgwRoutePropagation,
                    ));
                }
            } else {
                t.propagating_vgws.remove(vgw);
                // The propagated routes go with the propagation (§1.9).
                t.routes
                    .retain(|r| !(r.origin.is_propagated() && r.target == target));
            }
        }
        let summary = match (enable, was) {
            (true, true) => format!("{rtb}: propagation from {vgw} was already enabled"),
            (true, false) if known.is_empty() => format!(
                "{rtb}: propagation from {vgw} enabled (the prefixes it will propagate are not known offline)"
            ),
            (true, false) => format!(
                "{rtb}: propagation from {vgw} enabled; assumed to propagate the {} prefix(es) it was seen propagating ({})",
                known.len(),
                known
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            (false, true) => format!("{rtb}: propagation from {vgw} disabled"),
            (false, false) => format!("{rtb}: propagation from {vgw} was not enabled"),
        };
        Ok(effect(summary, [rtb.to_string()], false))
    }

    pub(super) fn create_transit_gateway_vpc_attachment(
        &mut self,
        tgw: &TransitGatewayId,
        vpc: &VpcId,
        subnets: &[SubnetId],
        given: Option<&TransitGatewayAttachmentId>,
    ) -> Result<Effect, Ec2Error> {
        self.get_vpc(vpc)?;
        // §1.13: `SubnetIds` are subnets of the VPC (code for a foreign subnet unverified).
        for s in subnets {
            let sub = self.get_subnet(s)?;
            if &sub.vpc_id != vpc {
                return Err(err(
                    "InvalidParameterValue",
                    format!("subnet {s} does not belong to {vpc}"),
                ));
            }
        }
        if let Some(id) = given
            && self.transit_gateway_attachments.contains_key(id)
        {
            return Err(duplicate(id.as_str()));
        }
        let id = TransitGatewayAttachmentId::new(self.id_or_fresh(
            given.map(|g| g.as_str()),
            "tgw-attach-",
            |n, s| {
                n.transit_gateway_attachments
                    .contains_key(&TransitGatewayAttachmentId::new(s))
            },
        ));
        self.revive(id.as_str());
        // Available at once: replay has no time (as for NAT gateways, §1.8).
        self.transit_gateway_attachments.insert(
            id.clone(),
            TransitGatewayAttachment {
                id: id.clone(),
                transit_gateway_id: tgw.clone(),
                vpc_id: vpc.clone(),
                subnet_ids: subnets.to_vec(),
                state: "available".into(),
            },
        );
        self.reindex();
        // Only the routes to the TGW in this VPC's tables change state (§3.4: a route to a
        // transit gateway is active where the VPC has an attachment), as for a deletion.
        let mut touched: Vec<String> = self
            .tables_routing_to(&Target::TransitGateway(tgw.clone()))
            .into_iter()
            .filter(|t| {
                self.route_tables
                    .get(&RouteTableId::new(t.as_str()))
                    .is_some_and(|t| &t.vpc_id == vpc)
            })
            .collect();
        touched.push(id.to_string());
        Ok(effect(
            format!("{id}: {vpc} attached to {tgw}"),
            touched,
            false,
        ))
    }

    pub(super) fn delete_transit_gateway_vpc_attachment(
        &mut self,
        id: &TransitGatewayAttachmentId,
    ) -> Result<Effect, Ec2Error> {
        // [EC2-ERR] (wording unverified).
        let Some(a) = self.transit_gateway_attachments.get(id) else {
            return Err(err(
                "InvalidTransitGatewayAttachmentID.NotFound",
                format!("Transit Gateway Attachment {id} was deleted or does not exist."),
            ));
        };
        if a.state == "deleted" {
            return Ok(effect(format!("{id}: already deleted"), [], false));
        }
        let (tgw, vpc) = (a.transit_gateway_id.clone(), a.vpc_id.clone());
        let mut touched: Vec<String> = self
            .tables_routing_to(&Target::TransitGateway(tgw.clone()))
            .into_iter()
            .filter(|t| {
                self.route_tables
                    .get(&RouteTableId::new(t.as_str()))
                    .is_some_and(|t| t.vpc_id == vpc)
            })
            .collect();
        touched.push(id.to_string());
        // Kept as `deleted`, so that routes to the TGW from this VPC explain as blackhole (§3.4).
        if let Some(a) = self.transit_gateway_attachments.get_mut(id) {
            a.state = "deleted".into();
        }
        self.reindex();
        self.placeholders.remove(id.as_str());
        Ok(effect(
            format!("{id}: deleted; {vpc} is no longer attached to {tgw}"),
            touched,
            false,
        ))
    }
}
