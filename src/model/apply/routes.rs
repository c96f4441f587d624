//! CreateRoute, ReplaceRoute, DeleteRoute (semantics doc §1.2–§1.4), with the target checks,
//! the local and more-specific-than-local rules (§3.2), gateway route tables (§3.6) and the route
//! quota (§3.7). Validation follows §7's order: parameters → table → target exists → target in
//! the table's VPC → local/more-specific rules → duplicate → quota.

use super::*;
use crate::addr::{self, Family};

/// §2.2 (wording per [OSEC2], unverified): the target parameters CreateRoute accepts.
const TARGET_PARAMS: &str = "gatewayId, egressOnlyInternetGatewayId, natGatewayId, transitGatewayId, localGatewayId, carrierGatewayId, networkInterfaceId, instanceId, vpcPeeringConnectionId, vpcEndpointId, coreNetworkArn or odbNetworkArn";

/// §3.2 / §2.2: the message EC2 gives for a destination inside the VPC CIDR with a target it
/// does not allow there (2020 log; the allowed set has grown since, the wording has not been
/// seen changed).
const TARGET_NOT_SUPPORTED: &str =
    "Route target is not supported. This route only supports interface and instance targets.";

/// §1.2, §2.2: exactly one target; none is `MissingParameter`, several is
/// `InvalidParameterCombination` (codes per [OSEC2]/[EC2-ERR]; wording unverified).
fn one_target(targets: &[Target]) -> Result<&Target, Ec2Error> {
    match targets {
        [t] => Ok(t),
        [] => Err(err(
            "MissingParameter",
            format!("The request must contain exactly one of {TARGET_PARAMS}"),
        )),
        _ => Err(err(
            "InvalidParameterCombination",
            format!("The request must contain exactly one of {TARGET_PARAMS}"),
        )),
    }
}

/// §1.2 [TF vpc_route.go]: a prefix-list destination cannot target a VPC endpoint.
fn prefix_list_to_endpoint(destination: &Destination, target: &Target) -> Result<(), Ec2Error> {
    if matches!(destination, Destination::PrefixList(_)) && matches!(target, Target::VpcEndpoint(_))
    {
        return Err(err(
            "InvalidParameterValue",
            "Cannot create or replace a prefix list route targeting a VPC Endpoint.",
        ));
    }
    Ok(())
}

/// §2.2 row "destination in 169.254.168.0/22 (or subset) or fd00:ec2::/32", §4.9: rejected
/// (code unverified; InvalidParameterValue assumed). A wider CIDR that overlaps is accepted.
fn reserved_destination(destination: &Destination) -> Result<(), Ec2Error> {
    if let Some(net) = destination.net() {
        let reserved = addr::reserved_link_local(Family::of_net(&net));
        if net_within(&net, &reserved) {
            return Err(err(
                "InvalidParameterValue",
                format!(
                    "The destination CIDR block {destination} is inside a range reserved by AWS and cannot be routed"
                ),
            ));
        }
    }
    Ok(())
}

/// §1.2, §1.11, §4.2, §4.3: an egress-only gateway takes IPv6 destinations only; a NAT gateway
/// takes IPv4 destinations and, for NAT64, IPv6 ones inside 64:ff9b::/96 (codes and wording
/// unverified; InvalidParameterValue assumed).
fn target_family(destination: &Destination, target: &Target) -> Result<(), Ec2Error> {
    match (destination, target) {
        (Destination::Ipv4(_), Target::EgressOnlyInternetGateway(id)) => Err(err(
            "InvalidParameterValue",
            format!(
                "egress-only internet gateway {id} supports IPv6 destinations only, not {destination}"
            ),
        )),
        (Destination::Ipv6(n), Target::NatGateway(id))
            if !net_within(&IpNet::V6(*n), &addr::nat64_prefix()) =>
        {
            Err(err(
                "InvalidParameterValue",
                format!(
                    "NAT gateway {id} takes IPv6 destinations only inside 64:ff9b::/96 (NAT64), not {destination}"
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// The `destination-…` parameter name EC2 uses in DeleteRoute's message (§2.2; the IPv6 and
/// prefix-list wording is unverified).
fn destination_param(destination: &Destination) -> &'static str {
    match destination {
        Destination::Ipv4(_) => "destination-cidr-block",
        Destination::Ipv6(_) => "destination-ipv6-cidr-block",
        Destination::PrefixList(_) => "destination-prefix-list-id",
    }
}

impl Network {
    pub(super) fn create_route(
        &mut self,
        rtb: &RouteTableId,
        destination: &Destination,
        targets: &[Target],
        opts: &ApplyOptions,
    ) -> Result<Effect, Ec2Error> {
        // Parameters first (§7).
        let target = one_target(targets)?;
        prefix_list_to_endpoint(destination, target)?;
        reserved_destination(destination)?;
        let table = self.get_table(rtb)?;
        self.prefix_list_exists(destination)?;
        let note = self.check_target(table, target)?;
        target_family(destination, target)?;
        if self.is_gateway_table(table) {
            self.gateway_table_route(table, destination, target)?;
        }
        // §3.2, §8 case 6: local route and more specific than local.
        if let Some(net) = destination.net() {
            let (exact, inside) = self.against_vpc_cidrs(table, &net);
            if exact {
                // §2.2, §8 case 6: the local route already has this destination. With a target
                // the local route may take (interface, instance, NAT gateway, endpoint) EC2
                // says so ([GH terraform-provider-aws#23866], seen with an endpoint); with one
                // it may not (peering, internet gateway, ...) it refuses the target first
                // ([GH hashicorp/terraform#26018], seen with a peering connection; the other
                // kinds inferred).
                return Err(
                    if matches!(
                        target,
                        Target::NetworkInterface(_)
                            | Target::Instance(_)
                            | Target::NatGateway(_)
                            | Target::VpcEndpoint(_)
                    ) {
                        already_exists(destination)
                    } else {
                        err("InvalidParameterValue", TARGET_NOT_SUPPORTED)
                    },
                );
            }
            if inside {
                self.more_specific_than_local(table, &net, target)?;
            }
        }
        // §3.3, §8 case 4: at most one static route per destination; a propagated route with the
        // same destination may coexist.
        let key = RouteKey {
            destination: destination.clone(),
            propagated: false,
        };
        if table.routes.contains_key(&key) {
            return Err(already_exists(destination));
        }
        self.check_route_quota(table, destination, opts)?;

        let route = Route::new(
            destination.clone(),
            target.clone(),
            RouteOrigin::CreateRoute,
        );
        if let Some(t) = self.route_tables.get_mut(rtb) {
            t.routes.insert(route);
        }
        self.note_route_target(target);
        Ok(route_effect(
            rtb,
            Parts::AddedRoute {
                table: rtb.clone(),
                destination: destination.clone(),
                target: target.clone(),
                note,
            },
        ))
    }

    pub(super) fn replace_route(
        &mut self,
        rtb: &RouteTableId,
        destination: &Destination,
        targets: &[Target],
        local_target: bool,
    ) -> Result<Effect, Ec2Error> {
        // §1.3: LocalTarget restores `local`; it excludes any other target (unverified code).
        let target = if local_target {
            if !targets.is_empty() {
                return Err(err(
                    "InvalidParameterCombination",
                    "localTarget cannot be combined with another target",
                ));
            }
            &Target::Local
        } else {
            one_target(targets)?
        };
        prefix_list_to_endpoint(destination, target)?;
        let table = self.get_table(rtb)?;
        let key = RouteKey {
            destination: destination.clone(),
            propagated: false,
        };
        // §2.2, §8 case 5: ReplaceRoute of an absent destination is InvalidParameterValue.
        let Some(current) = table.routes.get(&key) else {
            return Err(err(
                "InvalidParameterValue",
                format!(
                    "There is no route defined for '{destination}' in the route table. Use CreateRoute instead."
                ),
            ));
        };
        // §1.14: "You cannot explicitly delete or modify the endpoint route" (code unverified).
        if self.is_gateway_endpoint_route(current) {
            return Err(err(
                "InvalidParameterValue",
                format!(
                    "the route to {destination} in route table {rtb} is managed by gateway endpoint {}; use ModifyVpcEndpoint",
                    current.target
                ),
            ));
        }
        let net = destination.net();
        let (is_local, inside_vpc) = match &net {
            Some(n) => self.against_vpc_cidrs(table, n),
            None => (false, false),
        };
        let mut note = None;
        if local_target {
            // §1.3: only the local route has a default target to restore (code unverified).
            if !is_local {
                return Err(err(
                    "InvalidParameterValue",
                    format!(
                        "localTarget applies only to the local route; {destination} is not a CIDR of the VPC of {rtb}"
                    ),
                ));
            }
        } else {
            note = self.check_target(table, target)?;
            target_family(destination, target)?;
            if self.is_gateway_table(table) {
                self.gateway_table_route(table, destination, target)?;
            }
            if is_local {
                // §3.2 [UG-OPT middlebox]: the local route's target may become a GWLB endpoint,
                // a NAT gateway or a network interface, nothing else.
                if !self.middlebox_target(target, false) {
                    return Err(err("InvalidParameterValue", TARGET_NOT_SUPPORTED));
                }
            } else if let Some(n) = &net
                && inside_vpc
            {
                self.more_specific_than_local(table, n, target)?;
            }
        }
        let before = current.target.clone();
        if let Some(t) = self.route_tables.get_mut(rtb) {
            // §1.3: the destination and the origin stay; only the target changes.
            t.routes.set_target(&key, target.clone());
        }
        self.note_route_target(target);
        Ok(route_effect(
            rtb,
            Parts::ReplacedRoute {
                table: rtb.clone(),
                destination: destination.clone(),
                before,
                after: target.clone(),
                note,
            },
        ))
    }

    pub(super) fn delete_route(
        &mut self,
        rtb: &RouteTableId,
        destination: &Destination,
    ) -> Result<Effect, Ec2Error> {
        let table = self.get_table(rtb)?;
        let key = RouteKey {
            destination: destination.clone(),
            propagated: false,
        };
        let Some(route) = table.routes.get(&key) else {
            let propagated = RouteKey {
                destination: destination.clone(),
                propagated: true,
            };
            if table.routes.contains_key(&propagated) {
                // §2.2: a propagated route is removed by disabling propagation (code unverified).
                return Err(err(
                    "InvalidParameterValue",
                    format!(
                        "the route to {destination} in route table {rtb} is propagated; disable route propagation instead"
                    ),
                ));
            }
            // §2.2, §8 case 5.
            return Err(err(
                "InvalidRoute.NotFound",
                format!(
                    "no route with {} {destination} in route table {rtb}",
                    destination_param(destination)
                ),
            ));
        };
        // §3.2, §8 case 3: local routes cannot be deleted, even with a replaced target.
        let is_local = route.target == Target::Local
            || destination
                .net()
                .is_some_and(|n| self.table_vpc_cidrs(table).any(|c| c == n));
        if is_local {
            return Err(err(
                "InvalidParameterValue",
                format!("cannot remove local route {destination} in route table {rtb}"),
            ));
        }
        // §1.14, §2.2: gateway-endpoint routes belong to the endpoint (code unverified).
        if self.is_gateway_endpoint_route(route) {
            return Err(err(
                "InvalidParameterValue",
                format!(
                    "the route to {destination} in route table {rtb} is managed by gateway endpoint {}; use ModifyVpcEndpoint",
                    route.target
                ),
            ));
        }
        let target = route.target.clone();
        if let Some(t) = self.route_tables.get_mut(rtb) {
            t.routes.remove(&key);
        }
        Ok(route_effect(
            rtb,
            Parts::DeletedRoute {
                table: rtb.clone(),
                destination: destination.clone(),
                target,
            },
        ))
    }

    /// §2.2: an unknown prefix-list destination is `InvalidPrefixListID.NotFound` (when the input
    /// described prefix lists).
    fn prefix_list_exists(&self, destination: &Destination) -> Result<(), Ec2Error> {
        if let Destination::PrefixList(pl) = destination
            && let Presence::Missing = self.presence(
                &self.prefix_lists,
                pl,
                self.inventory.prefix_lists,
                pl.as_str(),
            )
        {
            return Err(err(
                "InvalidPrefixListID.NotFound",
                format!("The prefix list ID '{pl}' does not exist"),
            ));
        }
        Ok(())
    }

    /// §1.2, §2.2, §7: the target exists (by kind) and belongs to the table's VPC. Returns a note
    /// when the target is assumed to exist because its kind was never described (module doc).
    pub(super) fn check_target(
        &self,
        table: &RouteTable,
        target: &Target,
    ) -> Result<Option<String>, Ec2Error> {
        let vpc = &table.vpc_id;
        let rtb = &table.id;
        let inv = &self.inventory;
        let assumed = |id: &str| {
            Ok(Some(format!(
                "{id} is not in the model and its kind was not described; assumed to exist"
            )))
        };
        // §2.2 [GH smoketurner/serverless-vpc-plugin#147]: gateway not attached to the VPC.
        let other_network_gw = |id: &str| {
            err(
                "InvalidParameterValue",
                format!("route table {rtb} and network gateway {id} belong to different networks"),
            )
        };
        // §2.2 [GH saltstack/salt#38791]: interface (ENI, NAT) in another VPC.
        let other_network_if = |id: &str| {
            err(
                "InvalidParameterValue",
                format!("route table {rtb} and interface {id} belong to different networks"),
            )
        };
        let not_found = |code: &'static str, what: &str, id: &str| {
            err(code, format!("The {what} ID '{id}' does not exist"))
        };
        match target {
            // §1.2 [TF vpc_route.go]: `local` is not a CreateRoute target.
            Target::Local => Err(not_found("InvalidGatewayID.NotFound", "gateway", "local")),
            Target::InternetGateway(id) => match self.presence(
                &self.internet_gateways,
                id,
                inv.internet_gateways,
                id.as_str(),
            ) {
                Presence::Present(g) if g.attached_vpc.as_ref() == Some(vpc) => Ok(None),
                Presence::Present(_) => Err(other_network_gw(id.as_str())),
                Presence::Missing => Err(not_found(
                    "InvalidGatewayID.NotFound",
                    "gateway",
                    id.as_str(),
                )),
                Presence::Assumed => assumed(id.as_str()),
            },
            Target::VpnGateway(id) => {
                match self.presence(&self.vpn_gateways, id, inv.vpn_gateways, id.as_str()) {
                    Presence::Present(g) if g.attached_vpc.as_ref() == Some(vpc) => Ok(None),
                    Presence::Present(_) => Err(other_network_gw(id.as_str())),
                    Presence::Missing => Err(not_found(
                        "InvalidGatewayID.NotFound",
                        "gateway",
                        id.as_str(),
                    )),
                    Presence::Assumed => assumed(id.as_str()),
                }
            }
            Target::EgressOnlyInternetGateway(id) => match self.presence(
                &self.egress_only_internet_gateways,
                id,
                inv.egress_only_internet_gateways,
                id.as_str(),
            ) {
                Presence::Present(g) if g.attached_vpc.as_ref() == Some(vpc) => Ok(None),
                Presence::Present(_) => Err(other_network_gw(id.as_str())),
                Presence::Missing => Err(not_found(
                    "InvalidEgressOnlyInternetGatewayId.NotFound",
                    "egressOnlyInternetGateway",
                    id.as_str(),
                )),
                Presence::Assumed => assumed(id.as_str()),
            },
            Target::NatGateway(id) => {
                match self.presence(&self.nat_gateways, id, inv.nat_gateways, id.as_str()) {
                    // A deleted NAT gateway is still describable but cannot be routed to
                    // (inferred).
                    Presence::Present(n)
                        if matches!(
                            n.state,
                            NatGatewayState::Deleted | NatGatewayState::Deleting
                        ) =>
                    {
                        Err(not_found(
                            "InvalidNatGatewayID.NotFound",
                            "natGateway",
                            id.as_str(),
                        ))
                    }
                    Presence::Present(n) => match self.nat_vpc(n) {
                        Some(v) if v != vpc => Err(other_network_if(id.as_str())),
                        _ => Ok(None),
                    },
                    Presence::Missing => Err(not_found(
                        "InvalidNatGatewayID.NotFound",
                        "natGateway",
                        id.as_str(),
                    )),
                    Presence::Assumed => assumed(id.as_str()),
                }
            }
            Target::TransitGateway(id) => {
                // §1.13: a VPC routes to a TGW through an attachment in that VPC. Without one,
                // EC2 answers NotFound (what Terraform retries on while an attachment is
                // pending, §2.1; inferred).
                if self.tgw_attached(id, vpc) {
                    Ok(None)
                } else if inv.transit_gateway_attachments
                    || self
                        .transit_gateway_attachments
                        .values()
                        .any(|a| &a.transit_gateway_id == id)
                    || self.removed.contains(id.as_str())
                {
                    Err(not_found(
                        "InvalidTransitGatewayID.NotFound",
                        "transitGateway",
                        id.as_str(),
                    ))
                } else {
                    assumed(id.as_str())
                }
            }
            Target::VpcPeeringConnection(id) => match self.presence(
                &self.vpc_peering_connections,
                id,
                inv.vpc_peering_connections,
                id.as_str(),
            ) {
                // Deleted, rejected, failed or expired connections cannot be routed to
                // (inferred); pending ones can (their routes are blackhole until active).
                Presence::Present(p)
                    if matches!(
                        p.status.as_str(),
                        "deleted" | "deleting" | "rejected" | "failed" | "expired"
                    ) =>
                {
                    Err(not_found(
                        "InvalidVpcPeeringConnectionID.NotFound",
                        "vpcPeeringConnection",
                        id.as_str(),
                    ))
                }
                Presence::Present(p) if p.other_side(vpc).is_none() => Err(err(
                    // Wording unverified.
                    "InvalidParameterValue",
                    format!(
                        "route table {rtb} and vpc peering connection {id} belong to different networks"
                    ),
                )),
                Presence::Present(_) => Ok(None),
                Presence::Missing => Err(not_found(
                    "InvalidVpcPeeringConnectionID.NotFound",
                    "vpcPeeringConnection",
                    id.as_str(),
                )),
                Presence::Assumed => assumed(id.as_str()),
            },
            Target::NetworkInterface(id) => match self.presence(
                &self.network_interfaces,
                id,
                inv.network_interfaces,
                id.as_str(),
            ) {
                Presence::Present(e) => match self.eni_vpc(e) {
                    Some(v) if v != vpc => Err(other_network_if(id.as_str())),
                    _ => Ok(None),
                },
                Presence::Missing => Err(not_found(
                    "InvalidNetworkInterfaceID.NotFound",
                    "networkInterface",
                    id.as_str(),
                )),
                Presence::Assumed => assumed(id.as_str()),
            },
            Target::Instance(id) => {
                match self.presence(&self.instances, id, inv.instances, id.as_str()) {
                    Presence::Present(i) => self.check_instance_target(table, i),
                    Presence::Missing => Err(not_found(
                        "InvalidInstanceID.NotFound",
                        "instance",
                        id.as_str(),
                    )),
                    Presence::Assumed => assumed(id.as_str()),
                }
            }
            Target::VpcEndpoint(id) => {
                match self.presence(&self.vpc_endpoints, id, inv.vpc_endpoints, id.as_str()) {
                    Presence::Present(e)
                        if matches!(
                            e.state.as_str(),
                            "deleted" | "deleting" | "failed" | "rejected" | "expired"
                        ) =>
                    {
                        Err(not_found(
                            "InvalidVpcEndpointId.NotFound",
                            "vpcEndpoint",
                            id.as_str(),
                        ))
                    }
                    // §1.2: "Supported for Gateway Load Balancer endpoints only"; a gateway
                    // endpoint's routes are managed by the endpoint (§1.14). Code unverified,
                    // message as moto words it ([MOTO exceptions.py]).
                    Presence::Present(e)
                        if e.endpoint_type != VpcEndpointType::GatewayLoadBalancer =>
                    {
                        Err(err(
                            "InvalidParameterValue",
                            format!(
                                "Route table contains unsupported route target: {id}. VPC Endpoints of this type cannot be used as route targets."
                            ),
                        ))
                    }
                    Presence::Present(e) if &e.vpc_id != vpc => Err(other_network_gw(id.as_str())),
                    Presence::Present(_) => Ok(None),
                    Presence::Missing => Err(not_found(
                        "InvalidVpcEndpointId.NotFound",
                        "vpcEndpoint",
                        id.as_str(),
                    )),
                    Presence::Assumed => assumed(id.as_str()),
                }
            }
            // §1.15: parsed but not modelled.
            Target::CarrierGateway(_)
            | Target::LocalGateway(_)
            | Target::CoreNetwork(_)
            | Target::OdbNetwork(_) => Ok(Some(format!(
                "{} targets are not modelled; {} is assumed valid",
                target.kind_name(),
                target.id()
            ))),
            // An ID of no known kind arrives as GatewayId (§1.2: ENI/instance IDs passed there
            // are InvalidGatewayID.NotFound too).
            Target::Unknown(s) => Err(not_found("InvalidGatewayID.NotFound", "gateway", s)),
        }
    }

    /// §1.2 [EC2-ERR InvalidInstanceID]: an instance target needs exactly one interface; and it
    /// must be in the table's VPC.
    fn check_instance_target(
        &self,
        table: &RouteTable,
        instance: &Instance,
    ) -> Result<Option<String>, Ec2Error> {
        let id = &instance.id;
        // A terminated instance cannot take new routes (code unverified).
        if matches!(instance.state.as_str(), "terminated" | "shutting-down") {
            return Err(err(
                "IncorrectInstanceState",
                format!(
                    "The instance '{id}' is {} and cannot be a route target",
                    instance.state
                ),
            ));
        }
        let mut enis: BTreeSet<&NetworkInterfaceId> = instance
            .network_interfaces
            .iter()
            .filter(|e| self.network_interfaces.contains_key(*e))
            .collect();
        enis.extend(
            self.network_interfaces
                .values()
                .filter(|e| e.instance_id.as_ref() == Some(id))
                .map(|e| &e.id),
        );
        if enis.len() > 1 {
            return Err(err(
                "InvalidInstanceID",
                format!(
                    "There are multiple interfaces attached to instance '{id}'. Please specify an interface ID for the operation instead."
                ),
            ));
        }
        let vpc = enis
            .iter()
            .next()
            .and_then(|e| self.network_interfaces.get(*e))
            .and_then(|e| self.eni_vpc(e))
            .or_else(|| instance.subnet_id.as_ref().and_then(|s| self.subnet_vpc(s)));
        match vpc {
            Some(v) if *v != table.vpc_id => Err(err(
                "InvalidParameterValue",
                format!(
                    "route table {} and interface {id} belong to different networks",
                    table.id
                ),
            )),
            _ => Ok(None),
        }
    }

    /// NAT gateway, network interface, (instance,) or Gateway Load Balancer endpoint: the targets
    /// allowed for the local route and for routes more specific than it (§3.2).
    fn middlebox_target(&self, target: &Target, instance_ok: bool) -> bool {
        match target {
            Target::NatGateway(_) | Target::NetworkInterface(_) => true,
            Target::Instance(_) => instance_ok,
            Target::VpcEndpoint(id) => self
                .vpc_endpoints
                .get(id)
                .is_none_or(|e| e.endpoint_type == VpcEndpointType::GatewayLoadBalancer),
            _ => false,
        }
    }

    /// §3.2, §8 case 6: inside a VPC CIDR, only a destination that is exactly a subnet's CIDR,
    /// with a NAT gateway, interface, instance or GWLB endpoint target, is allowed.
    fn more_specific_than_local(
        &self,
        table: &RouteTable,
        net: &IpNet,
        target: &Target,
    ) -> Result<(), Ec2Error> {
        let subnet_exact = self.vpc_subnet_cidrs(&table.vpc_id).contains(net);
        if subnet_exact && self.middlebox_target(target, true) {
            Ok(())
        } else {
            Err(err("InvalidParameterValue", TARGET_NOT_SUPPORTED))
        }
    }

    /// §3.6: a gateway route table takes only local, network-interface and GWLB-endpoint targets,
    /// for the VPC CIDR or a subnet CIDR (code unverified; InvalidParameterValue assumed).
    pub(super) fn gateway_table_route(
        &self,
        table: &RouteTable,
        destination: &Destination,
        target: &Target,
    ) -> Result<(), Ec2Error> {
        let target_ok = matches!(target, Target::Local | Target::NetworkInterface(_))
            || (matches!(target, Target::VpcEndpoint(_)) && self.middlebox_target(target, false));
        let destination_ok = destination.net().is_some_and(|n| {
            self.table_vpc_cidrs(table).any(|c| c == n)
                || self.vpc_subnet_cidrs(&table.vpc_id).contains(&n)
        });
        if target_ok && destination_ok {
            return Ok(());
        }
        Err(err(
            "InvalidParameterValue",
            format!(
                "route table {} is a gateway route table: its routes may only send the VPC CIDR or a subnet CIDR to local, a network interface or a Gateway Load Balancer endpoint, not {destination} -> {target}",
                table.id
            ),
        ))
    }

    /// A route that a gateway VPC endpoint manages (§1.14): prefix list → gateway `vpce-`.
    pub(super) fn is_gateway_endpoint_route(&self, route: &Route) -> bool {
        let Target::VpcEndpoint(id) = &route.target else {
            return false;
        };
        match self.vpc_endpoints.get(id) {
            Some(e) => e.endpoint_type == VpcEndpointType::Gateway,
            None => matches!(route.destination, Destination::PrefixList(_)),
        }
    }

    /// How many routes a destination counts as, and in which family (§3.7: a prefix-list route
    /// counts as the list's max entries if known, else its entry count).
    fn route_weight(&self, destination: &Destination) -> (Family, usize) {
        match destination {
            Destination::Ipv4(_) => (Family::Ipv4, 1),
            Destination::Ipv6(_) => (Family::Ipv6, 1),
            Destination::PrefixList(pl) => match self.prefix_lists.get(pl) {
                Some(list) => {
                    let family = list
                        .cidrs
                        .first()
                        .map(Family::of_net)
                        .unwrap_or(Family::Ipv4);
                    let weight = match list.max_entries {
                        Some(m) => usize::try_from(m).unwrap_or(usize::MAX),
                        None => list.cidrs.len(),
                    };
                    (family, weight)
                }
                // An unknown list counts as one IPv4 route (inferred).
                None => (Family::Ipv4, 1),
            },
        }
    }

    /// §3.7: how much of a table's route quota of `family` is used: its non-propagated routes,
    /// a prefix-list route weighing the list's max entries (or its entry count).
    pub fn route_quota_used(&self, table: &RouteTable, family: Family) -> usize {
        table
            .routes
            .values()
            .filter(|r| !r.origin.is_propagated())
            .map(|r| self.route_weight(&r.destination))
            .filter(|(f, _)| *f == family)
            .map(|(_, w)| w)
            .sum()
    }

    /// §3.7: non-propagated routes per table, separately per family, must not exceed the limit
    /// after the insert.
    pub(super) fn check_route_quota(
        &self,
        table: &RouteTable,
        destination: &Destination,
        opts: &ApplyOptions,
    ) -> Result<(), Ec2Error> {
        let (family, weight) = self.route_weight(destination);
        // Only a route to a known prefix list may weigh more than one: with no list in the model,
        // or no prefix-list route in the table (they sort last, `Destination`'s order), the
        // table's route count bounds what is used, and the walk below is needed only near the
        // limit.
        let heavy = !self.prefix_lists.is_empty()
            && table
                .routes
                .last()
                .is_some_and(|r| matches!(r.destination, Destination::PrefixList(_)));
        if !heavy && table.routes.len().saturating_add(weight) <= opts.route_limit {
            return Ok(());
        }
        let used = self.route_quota_used(table, family);
        if used.saturating_add(weight) > opts.route_limit {
            return Err(err(
                "RouteLimitExceeded",
                format!(
                    "The maximum number of {} routes ({}) in route table {} has been reached",
                    match family {
                        Family::Ipv4 => "IPv4",
                        Family::Ipv6 => "IPv6",
                    },
                    opts.route_limit,
                    table.id
                ),
            ));
        }
        Ok(())
    }
}

/// §2.2 [GH terraform-aws-modules/terraform-aws-vpc#44].
pub(super) fn already_exists(destination: &Destination) -> Ec2Error {
    err(
        "RouteAlreadyExists",
        format!("The route identified by {destination} already exists."),
    )
}
