//! CreateVpc, DeleteVpc, Associate/DisassociateVpcCidrBlock, CreateSubnet, DeleteSubnet,
//! ModifySubnetAttribute (semantics doc §1.12, §3.2, §8 cases 3 and 15c).

use super::tables::add_local_routes;
use super::*;

impl Network {
    pub(super) fn create_vpc(
        &mut self,
        given: Option<&VpcId>,
        cidr: Option<Ipv4Net>,
        ipv6: Option<Ipv6Net>,
        owner: Option<&AccountId>,
    ) -> Result<Effect, Ec2Error> {
        let cidr = cidr.map(|n| n.trunc());
        let ipv6 = ipv6.map(|n| n.trunc());
        // §1.12 [UG-CIDR]: an IPv4 VPC CIDR is /16 to /28 ([EC2-ERR] InvalidVpc.Range).
        if let Some(n) = cidr
            && !(16..=28).contains(&n.prefix_len())
        {
            return Err(err(
                "InvalidVpc.Range",
                format!("The CIDR '{n}' is invalid."),
            ));
        }
        if let Some(id) = given
            && self.vpcs.contains_key(id)
        {
            return Err(duplicate(id.as_str()));
        }
        let id = VpcId::new(self.id_or_fresh(given.map(|g| g.as_str()), "vpc-", |n, s| {
            n.vpcs.contains_key(&VpcId::new(s))
        }));
        self.revive(id.as_str());
        let vpc = Vpc {
            id: Some(id.clone()),
            ipv4_cidrs: cidr.into_iter().collect(),
            ipv6_cidrs: ipv6.into_iter().collect(),
            owner_id: owner.cloned(),
            ..Vpc::default()
        };
        let cidrs = {
            let mut v: Vec<IpNet> = vpc.ipv4_cidrs.iter().map(|n| IpNet::V4(*n)).collect();
            v.extend(vpc.ipv6_cidrs.iter().map(|n| IpNet::V6(*n)));
            v
        };
        self.vpcs.insert(id.clone(), vpc);

        // §1.12, §5.6, §8 case 15c: the VPC's main table, whose ID EC2 never announces, gets a
        // placeholder ID the replay layer binds later (module doc).
        let short = suffix(id.as_str()).to_string();
        let main_candidate = RouteTableId::new(format!("rtb-main-{short}"));
        let main_id = if self.route_tables.contains_key(&main_candidate) {
            RouteTableId::new(self.fresh_id("rtb-", |n, s| {
                n.route_tables.contains_key(&RouteTableId::new(s))
            }))
        } else {
            self.placeholders.insert(main_candidate.to_string());
            main_candidate
        };
        let assoc_candidate = RouteTableAssociationId::new(format!("rtbassoc-main-{short}"));
        let assoc_id = if self.find_association(&assoc_candidate).is_some() {
            RouteTableAssociationId::new(self.fresh_id("rtbassoc-", |n, s| {
                n.find_association(&RouteTableAssociationId::new(s))
                    .is_some()
            }))
        } else {
            self.placeholders.insert(assoc_candidate.to_string());
            assoc_candidate
        };
        let mut table = RouteTable::new(main_id.clone(), id.clone());
        table.owner_id = owner.cloned();
        table.associations.push(Association {
            id: assoc_id,
            target: AssociationTarget::Main,
        });
        add_local_routes(&mut table, &cidrs);
        self.route_tables.insert(main_id.clone(), table);
        self.reindex();
        let cidr_text = cidrs
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        Ok(effect(
            format!("{id}: created ({cidr_text}) with main route table {main_id}"),
            [id.to_string(), main_id.to_string()],
            true,
        ))
    }

    pub(super) fn delete_vpc(&mut self, id: &VpcId) -> Result<Effect, Ec2Error> {
        self.get_vpc(id)?;
        // §1.12: everything in the VPC must be gone first (message as CloudTrail records show it).
        let live_nat =
            |n: &NatGateway| !matches!(n.state, NatGatewayState::Deleted | NatGatewayState::Failed);
        let depends = self.subnets.values().any(|s| &s.vpc_id == id)
            || self
                .route_tables
                .values()
                .any(|t| &t.vpc_id == id && !t.is_main())
            || self
                .internet_gateways
                .values()
                .any(|g| g.attached_vpc.as_ref() == Some(id))
            || self
                .egress_only_internet_gateways
                .values()
                .any(|g| g.attached_vpc.as_ref() == Some(id))
            || self
                .vpn_gateways
                .values()
                .any(|g| g.attached_vpc.as_ref() == Some(id))
            || self
                .nat_gateways
                .values()
                .any(|n| live_nat(n) && self.nat_vpc(n) == Some(id))
            || self
                .vpc_endpoints
                .values()
                .any(|e| &e.vpc_id == id && e.state != "deleted")
            || self
                .vpc_peering_connections
                .values()
                .any(|p| p.is_active() && p.other_side(id).is_some())
            || self
                .transit_gateway_attachments
                .values()
                .any(|a| &a.vpc_id == id && a.state != "deleted")
            || self
                .network_interfaces
                .values()
                .any(|e| self.eni_vpc(e) == Some(id));
        if depends {
            return Err(err(
                "DependencyViolation",
                format!("The vpc '{id}' has dependencies and cannot be deleted."),
            ));
        }
        let tables: Vec<RouteTableId> = self
            .route_tables
            .values()
            .filter(|t| &t.vpc_id == id)
            .map(|t| t.id.clone())
            .collect();
        let mut touched = vec![id.to_string()];
        for t in tables {
            if let Some(table) = self.route_tables.remove(&t) {
                for a in &table.associations {
                    self.placeholders.remove(a.id.as_str());
                }
            }
            self.forget(t.as_str());
            touched.push(t.to_string());
        }
        self.vpcs.remove(id);
        self.forget(id.as_str());
        self.reindex();
        Ok(effect(
            format!("{id}: deleted with its main route table"),
            touched,
            true,
        ))
    }

    pub(super) fn associate_vpc_cidr_block(
        &mut self,
        id: &VpcId,
        cidr: Option<IpNet>,
        association_id: Option<&str>,
    ) -> Result<Effect, Ec2Error> {
        let vpc = self.get_vpc(id)?;
        let Some(cidr) = cidr.map(|c| c.trunc()) else {
            // An Amazon-provided or IPAM block the record does not name: nothing to model.
            return Ok(effect(
                format!("{id}: associated a CIDR block the change does not name; not modelled"),
                [],
                false,
            ));
        };
        // §1.12 [UG-CIDR]: an IPv4 block is /16 to /28 ([EC2-ERR] InvalidVpc.Range).
        if let IpNet::V4(n) = cidr
            && !(16..=28).contains(&n.prefix_len())
        {
            return Err(err(
                "InvalidVpc.Range",
                format!("The CIDR '{n}' is invalid."),
            ));
        }
        // §1.12, §2.2: no overlap with the VPC's CIDRs (code unverified; InvalidParameterValue).
        let mut existing = vpc.cidrs(crate::addr::Family::Ipv4);
        existing.extend(vpc.cidrs(crate::addr::Family::Ipv6));
        if let Some(c) = existing
            .iter()
            .find(|c| c.contains(&cidr) || cidr.contains(*c))
        {
            return Err(err(
                "InvalidParameterValue",
                format!("The CIDR '{cidr}' overlaps with the CIDR {c} of {id}"),
            ));
        }
        // §1.12 [UG-CIDR]: "must not be the same or larger than a destination CIDR range in a
        // route in any of the VPC route tables" (code unverified; InvalidParameterValue).
        for t in self.route_tables.values().filter(|t| &t.vpc_id == id) {
            if let Some(r) = t
                .routes
                .values()
                .find(|r| r.destination.net().is_some_and(|d| cidr.contains(&d)))
            {
                return Err(err(
                    "InvalidParameterValue",
                    format!(
                        "The CIDR '{cidr}' is the same as or larger than the destination {} of a route in route table {}",
                        r.destination, t.id
                    ),
                ));
            }
        }
        let tables: Vec<RouteTableId> = self
            .route_tables
            .values()
            .filter(|t| &t.vpc_id == id)
            .map(|t| t.id.clone())
            .collect();
        if let Some(v) = self.vpcs.get_mut(id) {
            match cidr {
                IpNet::V4(n) => v.ipv4_cidrs.push(n),
                IpNet::V6(n) => v.ipv6_cidrs.push(n),
            }
            if let Some(a) = association_id {
                v.cidr_associations.insert(a.to_string(), cidr);
            }
        }
        // §1.12 [UG-CIDR], §8 case 3: a local route in every table of the VPC.
        for t in &tables {
            if let Some(table) = self.route_tables.get_mut(t) {
                add_local_routes(table, &[cidr]);
            }
        }
        // Active peering connections advertise the VPC's CIDRs (§6.8).
        self.refresh_peering_cidrs(id);
        let mut touched: Vec<String> = tables.iter().map(|t| t.to_string()).collect();
        touched.push(id.to_string());
        Ok(effect(
            format!(
                "{id}: associated {cidr}; local route added to {} route table(s)",
                tables.len()
            ),
            touched,
            true,
        ))
    }

    pub(super) fn disassociate_vpc_cidr_block(
        &mut self,
        association_id: &str,
        cidr: Option<IpNet>,
    ) -> Result<Effect, Ec2Error> {
        let cidr = cidr.map(|c| c.trunc());
        // Find the block by its association ID, else by the CIDR the response names.
        let found = self.vpcs.iter().find_map(|(id, v)| {
            v.cidr_associations
                .get(association_id)
                .map(|c| (id.clone(), *c))
        });
        let found = found.or_else(|| {
            let c = cidr?;
            let mut hits = self.vpcs.iter().filter(|(_, v)| match c {
                IpNet::V4(n) => v.ipv4_cidrs.contains(&n),
                IpNet::V6(n) => v.ipv6_cidrs.contains(&n),
            });
            let first = hits.next().map(|(id, _)| (id.clone(), c));
            if hits.next().is_some() { None } else { first }
        });
        // Code as moto and the API name it (unverified).
        let Some((vpc_id, cidr)) = found else {
            return Err(err(
                "InvalidVpcCidrBlockAssociationID.NotFound",
                format!("The vpc CIDR block association ID '{association_id}' does not exist"),
            ));
        };
        let Some(vpc) = self.vpcs.get(&vpc_id) else {
            return Err(vpc_not_found(&vpc_id));
        };
        // §1.12 [BC doc]: the primary CIDR cannot be disassociated (code unverified).
        if let IpNet::V4(n) = cidr
            && vpc.ipv4_cidrs.first() == Some(&n)
        {
            return Err(err(
                "InvalidParameterValue",
                format!(
                    "The vpc CIDR block {cidr} is the primary CIDR block of {vpc_id} and cannot be disassociated"
                ),
            ));
        }
        // "You must detach or delete all gateways and resources that are associated with the
        // CIDR block" [BC doc]: subnets inside it (code unverified).
        if let Some(s) = self.subnets.values().find(|s| {
            s.vpc_id == vpc_id
                && s.cidrs(crate::addr::Family::of_net(&cidr))
                    .iter()
                    .any(|n| cidr.contains(n))
        }) {
            return Err(err(
                "DependencyViolation",
                format!(
                    "The vpc CIDR block {cidr} of {vpc_id} has dependencies ({}) and cannot be disassociated",
                    s.id
                ),
            ));
        }
        let tables: Vec<RouteTableId> = self
            .route_tables
            .values()
            .filter(|t| t.vpc_id == vpc_id)
            .map(|t| t.id.clone())
            .collect();
        if let Some(v) = self.vpcs.get_mut(&vpc_id) {
            match cidr {
                IpNet::V4(n) => v.ipv4_cidrs.retain(|c| *c != n),
                IpNet::V6(n) => v.ipv6_cidrs.retain(|c| *c != n),
            }
            v.cidr_associations.retain(|_, c| *c != cidr);
        }
        // §1.12: its local route leaves every table of the VPC.
        let key = RouteKey {
            destination: Destination::cidr(cidr),
            propagated: false,
        };
        for t in &tables {
            if let Some(table) = self.route_tables.get_mut(t) {
                table.routes.remove(&key);
            }
        }
        self.refresh_peering_cidrs(&vpc_id);
        let mut touched: Vec<String> = tables.iter().map(|t| t.to_string()).collect();
        touched.push(vpc_id.to_string());
        Ok(effect(
            format!("{vpc_id}: disassociated {cidr}; its local route removed"),
            touched,
            true,
        ))
    }

    pub(super) fn create_subnet(
        &mut self,
        vpc_id: &VpcId,
        given: Option<&SubnetId>,
        cidr: Option<Ipv4Net>,
        ipv6: Option<Ipv6Net>,
        az: Option<&str>,
    ) -> Result<Effect, Ec2Error> {
        let vpc = self.get_vpc(vpc_id)?;
        let cidr = cidr.map(|n| n.trunc());
        let ipv6 = ipv6.map(|n| n.trunc());
        if cidr.is_none() && ipv6.is_none() {
            // Code unverified.
            return Err(err(
                "MissingParameter",
                "The request must contain the parameter cidrBlock or ipv6CidrBlock",
            ));
        }
        // [EC2-ERR] InvalidSubnet.Range / InvalidSubnet.Conflict: inside a VPC CIDR, /16–/28,
        // no overlap with another subnet of the VPC (§1.12).
        let siblings: Vec<&Subnet> = self
            .subnets
            .values()
            .filter(|s| &s.vpc_id == vpc_id)
            .collect();
        let mut mine: Vec<IpNet> = Vec::new();
        if let Some(n) = cidr {
            let inside = vpc.ipv4_cidrs.iter().any(|c| c.contains(&n));
            if !inside || !(16..=28).contains(&n.prefix_len()) {
                return Err(err(
                    "InvalidSubnet.Range",
                    format!("The CIDR '{n}' is invalid."),
                ));
            }
            mine.push(IpNet::V4(n));
        }
        if let Some(n) = ipv6 {
            if !vpc.ipv6_cidrs.iter().any(|c| c.contains(&n)) {
                return Err(err(
                    "InvalidSubnet.Range",
                    format!("The CIDR '{n}' is invalid."),
                ));
            }
            mine.push(IpNet::V6(n));
        }
        for s in &siblings {
            let theirs: Vec<IpNet> = s
                .cidrs(crate::addr::Family::Ipv4)
                .into_iter()
                .chain(s.cidrs(crate::addr::Family::Ipv6))
                .collect();
            for m in &mine {
                if theirs.iter().any(|t| t.contains(m) || m.contains(t)) {
                    return Err(err(
                        "InvalidSubnet.Conflict",
                        format!("The CIDR '{m}' conflicts with another subnet"),
                    ));
                }
            }
        }
        if let Some(id) = given
            && self.subnets.contains_key(id)
        {
            return Err(duplicate(id.as_str()));
        }
        let owner = vpc.owner_id.clone();
        let region = vpc.region.clone();
        let id = SubnetId::new(
            self.id_or_fresh(given.map(|g| g.as_str()), "subnet-", |n, s| {
                n.subnets.contains_key(&SubnetId::new(s))
            }),
        );
        self.revive(id.as_str());
        self.subnets.insert(
            id.clone(),
            Subnet {
                id: id.clone(),
                vpc_id: vpc_id.clone(),
                ipv4_cidr: cidr,
                ipv6_cidrs: ipv6.into_iter().collect(),
                availability_zone: az.map(str::to_string),
                map_public_ip_on_launch: false,
                assign_ipv6_address_on_creation: false,
                owner_id: owner,
                region,
                name: None,
            },
        );
        // §1.12 [UG-RT]: a new subnet is implicitly associated with the main table.
        let main = self.main_route_table(vpc_id).cloned();
        let text = mine
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let mut touched = vec![id.to_string(), vpc_id.to_string()];
        let on = match &main {
            Some(m) => {
                touched.push(m.to_string());
                format!("; uses main route table {m}")
            }
            None => String::new(),
        };
        Ok(effect(
            format!("{id}: created in {vpc_id} ({text}){on}"),
            touched,
            true,
        ))
    }

    pub(super) fn delete_subnet(&mut self, id: &SubnetId) -> Result<Effect, Ec2Error> {
        let subnet = self.get_subnet(id)?;
        // §1.12 [BC doc]: "You must terminate all running instances in the subnet"; interfaces
        // and NAT gateways in it are dependencies too.
        let live_instance = self
            .instances
            .values()
            .any(|i| i.subnet_id.as_ref() == Some(id) && !matches!(i.state.as_str(), "terminated"));
        // Interfaces of terminated instances do not count (a snapshot may still list them).
        let live_eni = self.network_interfaces.values().any(|e| {
            &e.subnet_id == id
                && e.instance_id
                    .as_ref()
                    .and_then(|i| self.instances.get(i))
                    .is_none_or(|i| i.state != "terminated")
        });
        let depends = live_instance
            || live_eni
            || self.nat_gateways.values().any(|n| {
                &n.subnet_id == id
                    && !matches!(n.state, NatGatewayState::Deleted | NatGatewayState::Failed)
            })
            || self
                .vpc_endpoints
                .values()
                .any(|e| e.state != "deleted" && e.subnet_ids.contains(id))
            || self
                .transit_gateway_attachments
                .values()
                .any(|a| a.state != "deleted" && a.subnet_ids.contains(id));
        if depends {
            return Err(err(
                "DependencyViolation",
                format!("The subnet '{id}' has dependencies and cannot be deleted."),
            ));
        }
        let vpc = subnet.vpc_id.clone();
        // §1.12, §2.3: its explicit association disappears with it (inferred; moto keeps it).
        let mut touched = vec![id.to_string(), vpc.to_string()];
        let target = AssociationTarget::Subnet(id.clone());
        let mut dropped = Vec::new();
        for t in self.route_tables.values_mut() {
            let before = t.associations.len();
            for a in t.associations.iter().filter(|a| a.target == target) {
                dropped.push(a.id.to_string());
            }
            t.associations.retain(|a| a.target != target);
            if t.associations.len() != before {
                touched.push(t.id.to_string());
            }
        }
        for a in &dropped {
            self.placeholders.remove(a.as_str());
        }
        self.subnets.remove(id);
        self.forget(id.as_str());
        self.reindex();
        let assoc = if dropped.is_empty() {
            String::new()
        } else {
            format!("; association {} removed", dropped.join(", "))
        };
        Ok(effect(
            format!("{id}: deleted from {vpc}{assoc}"),
            touched,
            true,
        ))
    }

    pub(super) fn modify_subnet_attribute(
        &mut self,
        id: &SubnetId,
        map_public_ip_on_launch: Option<bool>,
        assign_ipv6_address_on_creation: Option<bool>,
    ) -> Result<Effect, Ec2Error> {
        self.get_subnet(id)?;
        let mut parts = Vec::new();
        if let Some(s) = self.subnets.get_mut(id) {
            // §1.12, §4.1: MapPublicIpOnLaunch matters only for instances launched afterwards.
            if let Some(v) = map_public_ip_on_launch {
                s.map_public_ip_on_launch = v;
                parts.push(format!("MapPublicIpOnLaunch={v}"));
            }
            if let Some(v) = assign_ipv6_address_on_creation {
                s.assign_ipv6_address_on_creation = v;
                parts.push(format!("AssignIpv6AddressOnCreation={v}"));
            }
        }
        let what = if parts.is_empty() {
            "no attribute changed".to_string()
        } else {
            parts.join(", ")
        };
        Ok(effect(format!("{id}: {what}"), [id.to_string()], false))
    }

    /// Copies a VPC's CIDRs into the sides of its active peering connections (§1.10, §6.8).
    pub(super) fn refresh_peering_cidrs(&mut self, id: &VpcId) {
        let Some(vpc) = self.vpcs.get(id) else {
            return;
        };
        let (v4, v6) = (vpc.ipv4_cidrs.clone(), vpc.ipv6_cidrs.clone());
        for p in self
            .vpc_peering_connections
            .values_mut()
            .filter(|p| p.is_active())
        {
            for side in [&mut p.requester, &mut p.accepter] {
                if &side.vpc_id == id {
                    side.ipv4_cidrs = v4.clone();
                    side.ipv6_cidrs = v6.clone();
                }
            }
        }
    }
}
