//! Elastic IP addresses, network interfaces and instances: enough to know who has a public
//! address and which interfaces and instances route targets lead to (semantics doc §4.1, §4.7).

use super::*;

impl Network {
    fn get_eni(&self, id: &NetworkInterfaceId) -> Result<&NetworkInterface, Ec2Error> {
        self.network_interfaces.get(id).ok_or_else(|| {
            err(
                "InvalidNetworkInterfaceID.NotFound",
                format!("The networkInterface ID '{id}' does not exist"),
            )
        })
    }

    /// The index of an Elastic IP by allocation ID, else by public IP ([EC2-ERR] codes).
    fn find_address(
        &self,
        allocation: Option<&AllocationId>,
        public: Option<Ipv4Addr>,
    ) -> Result<usize, Ec2Error> {
        if let Some(a) = allocation {
            return self
                .addresses
                .iter()
                .position(|x| x.allocation_id.as_ref() == Some(a))
                .ok_or_else(|| {
                    err(
                        "InvalidAllocationID.NotFound",
                        format!("The allocation ID '{a}' does not exist"),
                    )
                });
        }
        if let Some(p) = public {
            return self
                .addresses
                .iter()
                .position(|x| x.public_ip == p)
                .ok_or_else(|| {
                    err(
                        "InvalidAddress.NotFound",
                        format!("The address '{p}' does not exist"),
                    )
                });
        }
        Err(err(
            "MissingParameter",
            "The request must contain the parameter allocationId or publicIp",
        ))
    }

    /// Tables whose routes lead to an interface or its instance (their reach may change).
    fn host_touched(&self, eni: &NetworkInterface) -> Vec<String> {
        let mut targets = Vec::new();
        let mut t = self.host_resources(eni, &mut targets);
        t.extend(self.tables_routing_to_any(&targets));
        t
    }

    /// What [`Network::host_touched`] lists but the tables: the interface, its subnet and its
    /// instance; the targets whose tables it lists are added to `targets` (so that a record
    /// changing several hosts reads every route once, [`Network::tables_routing_to_any`]).
    fn host_resources(&self, eni: &NetworkInterface, targets: &mut Vec<Target>) -> Vec<String> {
        let mut t = Vec::new();
        targets.push(Target::NetworkInterface(eni.id.clone()));
        if let Some(i) = &eni.instance_id {
            targets.push(Target::Instance(i.clone()));
            t.push(i.to_string());
        }
        t.push(eni.id.to_string());
        t.push(eni.subnet_id.to_string());
        t
    }

    pub(super) fn allocate_address(
        &mut self,
        given: Option<&AllocationId>,
        public: Option<Ipv4Addr>,
    ) -> Result<Effect, Ec2Error> {
        if let Some(a) = given
            && self
                .addresses
                .iter()
                .any(|x| x.allocation_id.as_ref() == Some(a))
        {
            return Err(duplicate(a.as_str()));
        }
        if let Some(p) = public
            && self.addresses.iter().any(|x| x.public_ip == p)
        {
            return Err(duplicate(&p.to_string()));
        }
        let Some(ip) = public.or_else(|| self.placeholder_public_ip(&BTreeSet::new())) else {
            return Err(err(
                "vpcsim.PlaceholdersExhausted",
                "every placeholder public address is in use; give the address explicitly",
            ));
        };
        let id =
            AllocationId::new(
                self.id_or_fresh(given.map(|g| g.as_str()), "eipalloc-", |n, s| {
                    n.addresses
                        .iter()
                        .any(|x| x.allocation_id.as_ref().is_some_and(|a| a.as_str() == s))
                }),
            );
        self.revive(id.as_str());
        self.addresses.push(Address {
            allocation_id: Some(id.clone()),
            public_ip: ip,
            network_interface_id: None,
            instance_id: None,
            private_ip: None,
            association_id: None,
        });
        Ok(effect(
            format!("{id}: allocated {ip}"),
            [id.to_string()],
            false,
        ))
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn associate_address(
        &mut self,
        allocation: Option<&AllocationId>,
        public: Option<Ipv4Addr>,
        instance: Option<&InstanceId>,
        eni: Option<&NetworkInterfaceId>,
        private: Option<Ipv4Addr>,
        given: Option<&str>,
    ) -> Result<Effect, Ec2Error> {
        let index = self.find_address(allocation, public)?;
        // The interface: the one named, else the instance's (§1.2's "exactly one interface"
        // does not apply: EC2 takes the primary interface).
        let eni_id = match (eni, instance) {
            (Some(e), _) => e.clone(),
            (None, Some(i)) => {
                if !self.instances.contains_key(i) {
                    return Err(err(
                        "InvalidInstanceID.NotFound",
                        format!("The instance ID '{i}' does not exist"),
                    ));
                }
                match self.instance_interface(i) {
                    Some(e) => e.id.clone(),
                    None => {
                        return Err(err(
                            "InvalidInstanceID",
                            format!("The instance '{i}' has no network interface in the model"),
                        ));
                    }
                }
            }
            (None, None) => {
                // Code unverified.
                return Err(err(
                    "MissingParameter",
                    "The request must contain the parameter instanceId or networkInterfaceId",
                ));
            }
        };
        let e = self.get_eni(&eni_id)?;
        let vpc = self.eni_vpc(e);
        // §2.2 [GH aws-samples/cfn101-workshop#165]: the VPC needs an attached IGW.
        if let Some(v) = &vpc
            && self.attached_internet_gateway(v).is_none()
        {
            return Err(err(
                "Gateway.NotAttached",
                format!("Network {v} is not attached to any internet gateway"),
            ));
        }
        let Some(private) = private.or_else(|| e.private_ips.first().copied()) else {
            return Err(err(
                "InvalidParameterValue",
                format!("network interface {eni_id} has no private IPv4 address to map to"),
            ));
        };
        // The private address must belong to the interface (code unverified).
        if !e.private_ips.contains(&private) {
            return Err(err(
                "InvalidParameterValue",
                format!("{private} is not a private address of {eni_id}"),
            ));
        }
        let instance_id = e.instance_id.clone();
        let Some(address) = self.addresses.get(index) else {
            return Err(address_gone());
        };
        let ip = address.public_ip;
        let old_eni = address.network_interface_id.clone();
        let old_private = address.private_ip;
        if let Some(a) = given
            && self
                .addresses
                .iter()
                .any(|x| x.association_id.as_deref() == Some(a))
        {
            return Err(duplicate(a));
        }
        let assoc = self.id_or_fresh(given, "eipassoc-", |n, s| {
            n.addresses
                .iter()
                .any(|x| x.association_id.as_deref() == Some(s))
        });
        // Reassociation is automatic unless the caller forbids it ([BC
        // AssociateAddressRequest.AllowReassociation]); the old mapping goes.
        let mut touched = Vec::new();
        if let Some(old) = old_eni
            && let Some(o) = self.network_interfaces.get_mut(&old)
        {
            o.public_ips.retain(|(_, p)| *p != ip);
            // Moved away from a private address whose launch-time public address it had
            // replaced: that address comes back (as a new one).
            if let Some(p) = old_private
                && (old != eni_id || p != private)
            {
                self.public_address_back(&old, p);
            }
            // The host the address leaves: its subnet's reach changes too (review finding).
            if let Some(o) = self.network_interfaces.get(&old) {
                touched.extend(self.host_touched(o));
            }
            touched.push(old.to_string());
        }
        // Another Elastic IP on that private address is disassociated by the call
        // ([BC AssociateAddress]: "If you associate an Elastic IP address with an instance or
        // network interface that has an existing Elastic IP address, the existing address is
        // disassociated").
        for (i, x) in self.addresses.iter_mut().enumerate() {
            if i != index
                && x.network_interface_id.as_ref() == Some(&eni_id)
                && x.private_ip == Some(private)
            {
                x.network_interface_id = None;
                x.instance_id = None;
                x.private_ip = None;
                if let Some(a) = x.association_id.take() {
                    self.placeholders.remove(&a);
                }
            }
        }
        if let Some(x) = self.addresses.get_mut(index) {
            x.network_interface_id = Some(eni_id.clone());
            x.instance_id = instance_id;
            x.private_ip = Some(private);
            x.association_id = Some(assoc.clone());
        }
        // An EIP replaces the auto-assigned public address of that private address (§4.1);
        // one that was not an Elastic IP was AWS's, which comes back (as a new address) when
        // the Elastic IP leaves.
        let displaced = self.network_interfaces.get(&eni_id).is_some_and(|e| {
            e.public_ips.iter().any(|(p, q)| {
                *p == private && *q != ip && !self.addresses.iter().any(|a| a.public_ip == *q)
            })
        });
        if displaced {
            self.displaced_public.insert((eni_id.clone(), private));
        }
        if let Some(e) = self.network_interfaces.get_mut(&eni_id) {
            e.public_ips.retain(|(p, _)| *p != private);
            e.public_ips.push((private, ip));
        }
        if let Some(e) = self.network_interfaces.get(&eni_id) {
            touched.extend(self.host_touched(e));
        }
        Ok(effect(
            format!("{ip}: associated with {eni_id} ({private}) as {assoc}"),
            touched,
            false,
        ))
    }

    /// An Elastic IP left private address `private` of `eni`. If it had replaced the public
    /// address AWS assigned at launch, AWS assigns the instance a new one, unless the instance
    /// has a second interface (EC2 User Guide, Elastic IP addresses; unverified here, and
    /// shown in the event). Its address is not in the trail: a placeholder from the
    /// documentation ranges stands for it, as for a launch. Returns that placeholder.
    fn public_address_back(
        &mut self,
        eni: &NetworkInterfaceId,
        private: Ipv4Addr,
    ) -> Option<Ipv4Addr> {
        if !self.displaced_public.remove(&(eni.clone(), private)) {
            return None;
        }
        let single = self
            .network_interfaces
            .get(eni)
            .and_then(|x| x.instance_id.as_ref())
            .and_then(|i| self.instances.get(i))
            .is_some_and(|i| i.network_interfaces.len() <= 1);
        if !single {
            return None;
        }
        let q = self.placeholder_public_ip(&BTreeSet::new())?;
        let x = self.network_interfaces.get_mut(eni)?;
        x.public_ips.push((private, q));
        Some(q)
    }

    pub(super) fn disassociate_address(
        &mut self,
        association: Option<&str>,
        public: Option<Ipv4Addr>,
    ) -> Result<Effect, Ec2Error> {
        let index = match (association, public) {
            (Some(a), _) => self
                .addresses
                .iter()
                .position(|x| x.association_id.as_deref() == Some(a))
                .ok_or_else(|| {
                    err(
                        "InvalidAssociationID.NotFound",
                        format!("The association ID '{a}' does not exist"),
                    )
                })?,
            (None, Some(p)) => self
                .addresses
                .iter()
                .position(|x| x.public_ip == p && x.network_interface_id.is_some())
                .ok_or_else(|| {
                    err(
                        "InvalidAddress.NotFound",
                        format!("The address '{p}' is not associated"),
                    )
                })?,
            (None, None) => {
                return Err(err(
                    "MissingParameter",
                    "The request must contain the parameter associationId or publicIp",
                ));
            }
        };
        let Some(address) = self.addresses.get(index) else {
            return Err(address_gone());
        };
        let ip = address.public_ip;
        let eni = address.network_interface_id.clone();
        let private = address.private_ip;
        if let Some(x) = self.addresses.get_mut(index) {
            x.network_interface_id = None;
            x.instance_id = None;
            x.private_ip = None;
            if let Some(a) = x.association_id.take() {
                self.placeholders.remove(&a);
            }
        }
        let mut touched = Vec::new();
        if let Some(e) = eni
            .as_ref()
            .and_then(|e| self.network_interfaces.get_mut(e))
        {
            e.public_ips.retain(|(_, p)| *p != ip);
        }
        let new_public = match (&eni, private) {
            (Some(e), Some(p)) => self.public_address_back(e, p),
            _ => None,
        };
        if let Some(e) = eni.as_ref().and_then(|e| self.network_interfaces.get(e)) {
            touched.extend(self.host_touched(e));
        }
        let from = eni.map(|e| format!(" from {e}")).unwrap_or_default();
        let again = new_public
            .map(|q| {
                format!(
                    "; AWS gives the instance a new public IPv4 address, unknown to the trail (placeholder {q})"
                )
            })
            .unwrap_or_default();
        Ok(effect(
            format!("{ip}: disassociated{from}{again}"),
            touched,
            false,
        ))
    }

    pub(super) fn release_address(
        &mut self,
        allocation: Option<&AllocationId>,
        public: Option<Ipv4Addr>,
    ) -> Result<Effect, Ec2Error> {
        let index = self.find_address(allocation, public)?;
        let Some(x) = self.addresses.get(index) else {
            return Err(address_gone());
        };
        // An associated address, or one a NAT gateway holds, is in use (code and wording
        // unverified).
        if x.network_interface_id.is_some() || self.nat_uses(x.public_ip) {
            let name = x
                .allocation_id
                .as_ref()
                .map(|a| a.to_string())
                .unwrap_or_else(|| x.public_ip.to_string());
            return Err(err(
                "InvalidIPAddress.InUse",
                format!("Address {name} is in use"),
            ));
        }
        let x = self.addresses.remove(index);
        let name = match &x.allocation_id {
            Some(a) => {
                self.forget(a.as_str());
                a.to_string()
            }
            None => x.public_ip.to_string(),
        };
        Ok(effect(
            format!("{name}: released {}", x.public_ip),
            [name.clone()],
            false,
        ))
    }

    pub(super) fn create_network_interface(
        &mut self,
        subnet: &SubnetId,
        given: Option<&NetworkInterfaceId>,
        private_ips: &[Ipv4Addr],
    ) -> Result<Effect, Ec2Error> {
        let sub = self.get_subnet(subnet)?;
        let vpc = sub.vpc_id.clone();
        // The addresses must be in the subnet and free (codes unverified).
        let used = self.used_private_ips();
        for ip in private_ips {
            if let Some(net) = sub.ipv4_cidr
                && !net.contains(ip)
            {
                return Err(err(
                    "InvalidParameterValue",
                    format!("Address {ip} does not fall within the subnet's address range"),
                ));
            }
            if used.contains(ip) {
                return Err(err(
                    "InvalidIPAddress.InUse",
                    format!("The specified address {ip} is already in use"),
                ));
            }
        }
        if let Some(id) = given
            && self.network_interfaces.contains_key(id)
        {
            return Err(duplicate(id.as_str()));
        }
        let ips: Vec<Ipv4Addr> = if private_ips.is_empty() {
            self.first_free_private_ip(subnet, &BTreeSet::new())
                .into_iter()
                .collect()
        } else {
            private_ips.to_vec()
        };
        let id =
            NetworkInterfaceId::new(self.id_or_fresh(given.map(|g| g.as_str()), "eni-", |n, s| {
                n.network_interfaces
                    .contains_key(&NetworkInterfaceId::new(s))
            }));
        self.revive(id.as_str());
        let text = ips
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        self.network_interfaces.insert(
            id.clone(),
            NetworkInterface {
                id: id.clone(),
                subnet_id: subnet.clone(),
                vpc_id: Some(vpc),
                private_ips: ips,
                public_ips: Vec::new(),
                ipv6_addresses: Vec::new(),
                source_dest_check: true,
                instance_id: None,
                interface_type: None,
            },
        );
        let mut touched = self.tables_routing_to(&Target::NetworkInterface(id.clone()));
        touched.extend([id.to_string(), subnet.to_string()]);
        Ok(effect(
            format!("{id}: created in {subnet} ({text})"),
            touched,
            false,
        ))
    }

    pub(super) fn delete_network_interface(
        &mut self,
        id: &NetworkInterfaceId,
    ) -> Result<Effect, Ec2Error> {
        let e = self.get_eni(id)?;
        // An interface attached to a live instance is in use ([EC2-ERR]; wording unverified).
        if let Some(i) = &e.instance_id
            && self
                .instances
                .get(i)
                .is_some_and(|i| i.state != "terminated")
        {
            return Err(err(
                "InvalidNetworkInterface.InUse",
                format!("The network interface '{id}' is currently in use."),
            ));
        }
        let touched = self.host_touched(e);
        self.remove_interfaces(std::slice::from_ref(id));
        Ok(effect(
            format!("{id}: deleted; routes to it are blackhole"),
            touched,
            false,
        ))
    }

    /// Removes interfaces, unmapping their Elastic IPs (the addresses stay allocated).
    fn remove_interfaces(&mut self, ids: &[NetworkInterfaceId]) {
        for id in ids {
            self.network_interfaces.remove(id);
            for x in self
                .addresses
                .iter_mut()
                .filter(|x| x.network_interface_id.as_ref() == Some(id))
            {
                x.network_interface_id = None;
                x.instance_id = None;
                x.private_ip = None;
                x.association_id = None;
            }
            self.displaced_public.retain(|(e, _)| e != id);
            self.forget(id.as_str());
        }
    }

    pub(super) fn modify_network_interface_attribute(
        &mut self,
        id: &NetworkInterfaceId,
        source_dest_check: Option<bool>,
    ) -> Result<Effect, Ec2Error> {
        let e = self.get_eni(id)?;
        let touched = self.host_touched(e);
        let what = match source_dest_check {
            Some(v) => {
                if let Some(e) = self.network_interfaces.get_mut(id) {
                    // §4.7: an appliance forwards others' traffic only with the check disabled.
                    e.source_dest_check = v;
                }
                format!("SourceDestCheck={v}")
            }
            None => "no attribute changed".to_string(),
        };
        Ok(effect(format!("{id}: {what}"), touched, false))
    }

    pub(super) fn run_instances(
        &mut self,
        launched: &[LaunchedInstance],
    ) -> Result<Effect, Ec2Error> {
        // Validate the whole batch first.
        let mut seen = BTreeSet::new();
        let mut given_enis = BTreeSet::new();
        for l in launched {
            if self.instances.contains_key(&l.instance_id) || !seen.insert(&l.instance_id) {
                return Err(duplicate(l.instance_id.as_str()));
            }
            if let Some(s) = &l.subnet_id {
                self.get_subnet(s)?;
            }
            if let Some(e) = &l.network_interface_id
                && (self.network_interfaces.contains_key(e) || !given_enis.insert(e.to_string()))
            {
                return Err(duplicate(e.as_str()));
            }
        }
        let mut taken_private = BTreeSet::new();
        let mut taken_public = BTreeSet::new();
        let mut touched = Vec::new();
        let mut targets = Vec::new();
        let mut names = Vec::new();
        for l in launched {
            let id = &l.instance_id;
            self.revive(id.as_str());
            let mut enis = Vec::new();
            if let Some(subnet) = &l.subnet_id
                && let Some(sub) = self.subnets.get(subnet)
            {
                let vpc = sub.vpc_id.clone();
                let map_public = sub.map_public_ip_on_launch;
                // The primary interface (placeholder convention, module doc).
                let eni_id = match &l.network_interface_id {
                    Some(e) => e.clone(),
                    None => {
                        let candidate =
                            NetworkInterfaceId::new(format!("eni-{}", suffix(id.as_str())));
                        if self.network_interfaces.contains_key(&candidate)
                            || self.placeholders.contains(candidate.as_str())
                            || given_enis.contains(candidate.as_str())
                        {
                            NetworkInterfaceId::new(self.fresh_id("eni-", |n, s| {
                                n.network_interfaces
                                    .contains_key(&NetworkInterfaceId::new(s))
                                    || given_enis.contains(s)
                            }))
                        } else {
                            self.placeholders.insert(candidate.to_string());
                            candidate
                        }
                    }
                };
                self.revive(eni_id.as_str());
                let private = l
                    .private_ip
                    .or_else(|| self.first_free_private_ip(subnet, &taken_private));
                // §4.1: MapPublicIpOnLaunch gives the primary interface a public address at
                // launch, when the response does not name one.
                let public = l.public_ip.or_else(|| {
                    map_public
                        .then(|| self.placeholder_public_ip(&taken_public))
                        .flatten()
                });
                taken_private.extend(private);
                taken_public.extend(public);
                let public_ips = match (private, public) {
                    (Some(p), Some(q)) => vec![(p, q)],
                    _ => Vec::new(),
                };
                self.network_interfaces.insert(
                    eni_id.clone(),
                    NetworkInterface {
                        id: eni_id.clone(),
                        subnet_id: subnet.clone(),
                        vpc_id: Some(vpc),
                        private_ips: private.into_iter().collect(),
                        public_ips,
                        ipv6_addresses: Vec::new(),
                        source_dest_check: true,
                        instance_id: Some(id.clone()),
                        interface_type: None,
                    },
                );
                touched.push(eni_id.to_string());
                touched.push(subnet.to_string());
                targets.push(Target::NetworkInterface(eni_id.clone()));
                enis.push(eni_id);
            }
            let own_enis = enis.clone();
            self.instances.insert(
                id.clone(),
                Instance {
                    id: id.clone(),
                    state: "running".into(),
                    subnet_id: l.subnet_id.clone(),
                    network_interfaces: enis,
                },
            );
            touched.push(id.to_string());
            targets.push(Target::Instance(id.clone()));
            // Interfaces the model already holds as this instance's (a snapshot can list an
            // interface of an instance it does not have): routes to them come alive too.
            for e in self
                .network_interfaces
                .values()
                .filter(|e| e.instance_id.as_ref() == Some(id) && !own_enis.contains(&e.id))
            {
                touched.extend(self.host_resources(e, &mut targets));
            }
            names.push(id.to_string());
        }
        touched.extend(self.tables_routing_to_any(&targets));
        Ok(effect(
            format!("launched {}", names.join(", ")),
            touched,
            false,
        ))
    }

    pub(super) fn terminate_instances(&mut self, ids: &[InstanceId]) -> Result<Effect, Ec2Error> {
        // [EC2-ERR] InvalidInstanceID.NotFound names every unknown ID.
        let missing: Vec<String> = ids
            .iter()
            .filter(|i| !self.instances.contains_key(*i))
            .map(|i| i.to_string())
            .collect();
        match missing.as_slice() {
            [] => {}
            [one] => {
                return Err(err(
                    "InvalidInstanceID.NotFound",
                    format!("The instance ID '{one}' does not exist"),
                ));
            }
            many => {
                return Err(err(
                    "InvalidInstanceID.NotFound",
                    format!("The instance IDs '{}' do not exist", many.join(", ")),
                ));
            }
        }
        let mut touched = Vec::new();
        let mut targets = Vec::new();
        let mut names = Vec::new();
        for id in ids {
            let Some(inst) = self.instances.get(id) else {
                continue;
            };
            if inst.state == "terminated" {
                continue;
            }
            let mut enis: BTreeSet<NetworkInterfaceId> = inst
                .network_interfaces
                .iter()
                .filter(|e| self.network_interfaces.contains_key(*e))
                .cloned()
                .collect();
            enis.extend(
                self.network_interfaces
                    .values()
                    .filter(|e| e.instance_id.as_ref() == Some(id))
                    .map(|e| e.id.clone()),
            );
            for e in &enis {
                if let Some(eni) = self.network_interfaces.get(e) {
                    touched.extend(self.host_resources(eni, &mut targets));
                }
            }
            targets.push(Target::Instance(id.clone()));
            touched.push(id.to_string());
            if let Some(i) = self.instances.get_mut(id) {
                // Kept as `terminated`: routes to it explain as blackhole (§3.4).
                i.state = "terminated".into();
            }
            // The interfaces go with the instance (their DeleteOnTermination default).
            let enis: Vec<NetworkInterfaceId> = enis.into_iter().collect();
            self.remove_interfaces(&enis);
            names.push(id.to_string());
        }
        touched.extend(self.tables_routing_to_any(&targets));
        let summary = if names.is_empty() {
            "no instance changed (already terminated)".to_string()
        } else {
            format!("terminated {}; their interfaces deleted", names.join(", "))
        };
        Ok(effect(summary, touched, false))
    }
}

/// Unreachable in practice (the index comes from a search of the same list); kept so that no
/// path can panic.
fn address_gone() -> Ec2Error {
    err("InvalidAddress.NotFound", "the address is not in the model")
}
