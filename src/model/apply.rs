//! `Network::apply`: the one door through which the model changes. It either applies a
//! [`Change`] with the rules EC2 enforces and returns its [`Effect`], or returns the
//! [`Ec2Error`] EC2 would have returned, leaving the model untouched (semantics doc §2.2, §7).
//!
//! Every handler validates completely before it mutates anything, so an error never leaves a
//! half-applied change behind. The handlers live in submodules by resource family: `routes`
//! (§1.2–§1.4), `tables` (§1.5–§1.6), `vpcs` (§1.12), `gateways` (§1.7–§1.9, §1.11, §1.13),
//! `peering` (§1.10), `endpoints` (§1.14) and `hosts` (addresses, interfaces, instances, §4.1).
//!
//! Rules the semantics doc marks **(unverified)** are implemented with the most plausible code and
//! say so in a comment; the messages use AWS's wording where a real log gives it (§2.2).
//!
//! # What a missing resource means
//!
//! A resource the change *mutates or needs the attributes of* (the route table of CreateRoute,
//! the VPC of CreateSubnet, the IGW of AttachInternetGateway, ...) must be in the model, or the
//! change fails with EC2's `…NotFound` code. A resource the change only *references* as a route
//! target follows [`Inventory`] (ARCHITECTURE.md): when the input described that kind, or an
//! applied `Delete*` removed the ID, a missing target is `…NotFound`; when the kind was never
//! described (a replay that starts from an incomplete snapshot), the target is assumed to exist,
//! the checks that need its attributes are skipped, and the effect's summary says so.
//!
//! # Placeholder IDs
//!
//! EC2 assigns IDs; a change carries them only when its record's response does. When it does not
//! (a what-if, a record without `responseElements`), `apply` makes one up and remembers it as a
//! placeholder ([`Network::is_placeholder`]):
//! * generic: `<prefix>new-<n>`, numbered per prefix from 1 in the order they are made and never
//!   reused (`rtb-new-1`, `rtbassoc-new-1`, `subnet-new-2`, `eipalloc-new-1`); a number already
//!   taken by a real ID is skipped;
//! * the main route table CreateVpc creates, whose ID EC2 never announces (§1.12, §5.6, §8 case
//!   15c): `rtb-main-<vpc suffix>` with association `rtbassoc-main-<vpc suffix>` (for `vpc-0abc`:
//!   `rtb-main-0abc`, `rtbassoc-main-0abc`), the convention the topology importer uses for
//!   implicit main tables. The replay layer asks [`Network::unbound_main_route_table`] and binds
//!   the real ID with [`Network::bind_route_table_id`] (and the association with
//!   [`Network::bind_association_id`]) when a record first names an unknown `rtb-` of that VPC;
//! * a gateway endpoint's prefix list when no prefix list in the model is named after the
//!   service: `pl-svc-<service name>` (`pl-svc-com.amazonaws.us-east-1.s3`);
//! * a launched instance's primary interface when RunInstances' response does not name it:
//!   `eni-<instance suffix>` (the topology importer's convention), else `eni-new-<n>`;
//! * addresses: a missing private IPv4 is the first free host of the subnet (from `.4`: AWS
//!   reserves the first four and the last, §6.2); a missing public IPv4 is the first free address of
//!   the documentation ranges 203.0.113.0/24, 198.51.100.0/24, 192.0.2.0/24 (RFC 5737).
//!
//! Changes that would reuse an ID the model already holds fail with the vpcsim-specific code
//! `vpcsim.DuplicateId` (EC2 never returns it; a replayed idempotent retry can produce it).

mod endpoints;
mod gateways;
mod hosts;
mod peering;
mod routes;
mod tables;
mod vpcs;

use super::effect::Parts;
use super::prefetch;
use super::*;
use std::net::Ipv4Addr;

/// Limits and switches for `apply`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplyOptions {
    /// Non-propagated routes per route table and family (semantics doc §3.7: 50 by default,
    /// adjustable up to 1,000); passing it gives `RouteLimitExceeded`.
    pub route_limit: usize,
    /// Route tables per VPC, the main table included (§3.7: 200); passing it gives
    /// `RouteTableLimitExceeded`.
    pub route_table_limit: usize,
}

impl Default for ApplyOptions {
    fn default() -> ApplyOptions {
        ApplyOptions {
            route_limit: 50,
            route_table_limit: 200,
        }
    }
}

/// Why a placeholder could not be bound to a real ID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BindError {
    /// The ID is not a placeholder the model holds (already bound, or never made up).
    NotAPlaceholder(String),
    /// The real ID already names another resource of the model.
    AlreadyExists(String),
}

impl std::fmt::Display for BindError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BindError::NotAPlaceholder(id) => write!(f, "{id} is not an unbound placeholder"),
            BindError::AlreadyExists(id) => write!(f, "{id} already exists in the model"),
        }
    }
}

impl std::error::Error for BindError {}

/// Shorthand for an EC2 error.
pub(super) fn err(code: &'static str, message: impl Into<String>) -> Ec2Error {
    Ec2Error::new(code, message)
}

/// The vpcsim-specific error for a created resource whose ID the model already holds.
fn duplicate(id: &str) -> Ec2Error {
    err(
        "vpcsim.DuplicateId",
        format!("{id} already exists in the model; the change was not applied"),
    )
}

/// Builds an effect; `touched` is sorted and deduplicated so that output is deterministic.
fn effect(
    summary: impl Into<EffectSummary>,
    touched: impl IntoIterator<Item = String>,
    structural: bool,
) -> Effect {
    let mut touched: Vec<String> = touched.into_iter().collect();
    touched.sort_unstable();
    touched.dedup();
    Effect {
        summary: summary.into(),
        touched,
        structural,
    }
}

/// The effect of a route change: one table touched, its summary rendered on first use.
fn route_effect(table: &RouteTableId, parts: Parts) -> Effect {
    Effect {
        summary: EffectSummary::of(parts),
        touched: vec![table.as_str().to_owned()],
        structural: false,
    }
}

/// The part of an ID after its kind prefix (`vpc-0abc` → `0abc`).
fn suffix(id: &str) -> &str {
    id.split_once('-').map(|(_, s)| s).unwrap_or(id)
}

/// Whether `inner` lies entirely inside `outer` (both of one family).
fn net_within(inner: &IpNet, outer: &crate::addr::Interval) -> bool {
    let iv = crate::addr::Interval::of_net(inner);
    iv.lo >= outer.lo && iv.hi <= outer.hi
}

/// The result of looking up a route target that may not be in the model.
pub(super) enum Presence<'a, T> {
    Present(&'a T),
    /// Missing, and the model knows it does not exist (kind described, or removed by `apply`).
    Missing,
    /// Missing from a kind the input never described: assumed to exist.
    Assumed,
}

impl Network {
    /// How many changes ahead [`Network::prefetch`] is useful: a change's table's position hint
    /// is loaded four changes ahead, its entry three ahead, its routes and associations two
    /// ahead, the route it changes one ahead.
    pub const PREFETCH_DISTANCE: usize = 4;

    /// A hint, given `distance` changes (1 to [`Network::PREFETCH_DISTANCE`]) before applying
    /// `change`, that starts loading what applying it will read into the processor's caches
    /// (see the `prefetch` module). Each step reads only what the step before loaded (but
    /// for the VPC's ID, see below), and follows the [`IdMap`] position hints unchecked (a wrong hint loads the wrong memory,
    /// nothing worse):
    /// - at distance 4, the position hint of the route table the change names;
    /// - at distance 3, the entries of the route table the change names, of the table holding
    ///   the association it names (found in the association index: this waits) and of its
    ///   subnet;
    /// - at 2, what those tables' entries point to (their IDs' text, their routes or
    ///   associations, their VPC's entry) and the route target's entry;
    /// - at 1, the route the change replaces or deletes.
    ///
    /// Changes nothing; a loop that applies changes in turn calls it for the next
    /// `PREFETCH_DISTANCE` changes before each (a replay does).
    pub fn prefetch(&self, change: &Change, distance: usize) {
        use Change::*;
        let (table, association, subnet) = match change {
            CreateRoute { route_table_id, .. }
            | ReplaceRoute { route_table_id, .. }
            | DeleteRoute { route_table_id, .. } => (Some(route_table_id), None, None),
            AssociateRouteTable {
                route_table_id,
                subnet_id,
                ..
            } => (Some(route_table_id), None, subnet_id.as_ref()),
            ReplaceRouteTableAssociation {
                route_table_id,
                association_id,
                ..
            } => (Some(route_table_id), Some(association_id), None),
            DisassociateRouteTable { association_id } => (None, Some(association_id), None),
            _ => return,
        };
        let routes = matches!(
            change,
            CreateRoute { .. } | ReplaceRoute { .. } | DeleteRoute { .. }
        );
        // What a table's entry points to. (Its VPC's entry is found by hashing the VPC's ID,
        // the one read here of memory no stage loaded: VPCs are few and their IDs' text is
        // usually in cache. Loading that text a stage earlier and the entry a stage later
        // measured 4% slower, session 14.)
        let table_parts = |key: &RouteTableId, t: &RouteTable| {
            prefetch::prefetch_bytes(key.as_str().as_ptr(), key.as_str().len());
            if routes {
                t.routes.prefetch();
            } else {
                prefetch::prefetch_slice(&t.associations, 4);
            }
            self.vpcs.prefetch_value(&t.vpc_id);
        };
        // The table holding the association.
        let held = || association.and_then(|id| self.association_table(id));
        match distance {
            4 => {
                if let Some(id) = table {
                    self.route_tables.prefetch_hint(id);
                }
            }
            3 => {
                for id in [table, held()].into_iter().flatten() {
                    self.route_tables.prefetch_value(id);
                }
                if let Some(id) = subnet {
                    self.subnets.prefetch_value(id);
                }
            }
            2 => {
                for (key, t) in [table, held()]
                    .into_iter()
                    .flatten()
                    .filter_map(|id| self.route_tables.probable(id))
                {
                    table_parts(key, t);
                }
                if let CreateRoute { targets, .. } | ReplaceRoute { targets, .. } = change
                    && let [target] = targets.as_slice()
                {
                    self.prefetch_target(target);
                }
            }
            1 => {
                if let ReplaceRoute { destination, .. } | DeleteRoute { destination, .. } = change
                    && let Some(t) = table.and_then(|id| self.route_tables.get(id))
                {
                    t.routes.prefetch_route(destination);
                }
            }
            _ => {}
        }
    }

    /// Starts loading a route target's entry (see [`Network::prefetch`]).
    fn prefetch_target(&self, target: &Target) {
        match target {
            Target::InternetGateway(id) => {
                self.internet_gateways.prefetch_value(id);
            }
            Target::NatGateway(id) => {
                self.nat_gateways.prefetch_value(id);
            }
            Target::VpcPeeringConnection(id) => {
                self.vpc_peering_connections.prefetch_value(id);
            }
            Target::NetworkInterface(id) => {
                self.network_interfaces.prefetch_value(id);
            }
            Target::Instance(id) => {
                self.instances.prefetch_value(id);
            }
            _ => {}
        }
    }

    /// Applies `change` as EC2 would, or returns EC2's error and changes nothing.
    pub fn apply(&mut self, change: &Change, opts: &ApplyOptions) -> Result<Effect, Ec2Error> {
        use Change::*;
        match change {
            CreateRoute {
                route_table_id,
                destination,
                targets,
            } => self.create_route(route_table_id, destination, targets, opts),
            ReplaceRoute {
                route_table_id,
                destination,
                targets,
                local_target,
            } => self.replace_route(route_table_id, destination, targets, *local_target),
            DeleteRoute {
                route_table_id,
                destination,
            } => self.delete_route(route_table_id, destination),
            CreateRouteTable {
                vpc_id,
                route_table_id,
            } => self.create_route_table(vpc_id, route_table_id.as_ref(), opts),
            DeleteRouteTable { route_table_id } => self.delete_route_table(route_table_id),
            AssociateRouteTable {
                route_table_id,
                subnet_id,
                gateway_id,
                association_id,
            } => self.associate_route_table(
                route_table_id,
                subnet_id.as_ref(),
                gateway_id.as_deref(),
                association_id.as_ref(),
            ),
            DisassociateRouteTable { association_id } => {
                self.disassociate_route_table(association_id)
            }
            ReplaceRouteTableAssociation {
                association_id,
                route_table_id,
                new_association_id,
            } => self.replace_route_table_association(
                association_id,
                route_table_id,
                new_association_id.as_ref(),
            ),
            CreateVpc {
                vpc_id,
                cidr_block,
                ipv6_cidr_block,
                owner_id,
            } => self.create_vpc(
                vpc_id.as_ref(),
                *cidr_block,
                *ipv6_cidr_block,
                owner_id.as_ref(),
            ),
            DeleteVpc { vpc_id } => self.delete_vpc(vpc_id),
            AssociateVpcCidrBlock {
                vpc_id,
                cidr_block,
                association_id,
            } => self.associate_vpc_cidr_block(vpc_id, *cidr_block, association_id.as_deref()),
            DisassociateVpcCidrBlock {
                association_id,
                cidr_block,
            } => self.disassociate_vpc_cidr_block(association_id, *cidr_block),
            CreateSubnet {
                vpc_id,
                subnet_id,
                cidr_block,
                ipv6_cidr_block,
                availability_zone,
            } => self.create_subnet(
                vpc_id,
                subnet_id.as_ref(),
                *cidr_block,
                *ipv6_cidr_block,
                availability_zone.as_deref(),
            ),
            DeleteSubnet { subnet_id } => self.delete_subnet(subnet_id),
            ModifySubnetAttribute {
                subnet_id,
                map_public_ip_on_launch,
                assign_ipv6_address_on_creation,
            } => self.modify_subnet_attribute(
                subnet_id,
                *map_public_ip_on_launch,
                *assign_ipv6_address_on_creation,
            ),
            CreateInternetGateway {
                internet_gateway_id,
            } => self.create_internet_gateway(internet_gateway_id.as_ref()),
            AttachInternetGateway {
                internet_gateway_id,
                vpc_id,
            } => self.attach_internet_gateway(internet_gateway_id, vpc_id),
            DetachInternetGateway {
                internet_gateway_id,
                vpc_id,
            } => self.detach_internet_gateway(internet_gateway_id, vpc_id),
            DeleteInternetGateway {
                internet_gateway_id,
            } => self.delete_internet_gateway(internet_gateway_id),
            CreateEgressOnlyInternetGateway {
                vpc_id,
                egress_only_internet_gateway_id,
            } => self.create_egress_only_internet_gateway(
                vpc_id,
                egress_only_internet_gateway_id.as_ref(),
            ),
            DeleteEgressOnlyInternetGateway {
                egress_only_internet_gateway_id,
            } => self.delete_egress_only_internet_gateway(egress_only_internet_gateway_id),
            CreateNatGateway {
                subnet_id,
                vpc_id: _,
                nat_gateway_id,
                connectivity_type,
                allocation_id,
                private_ip,
                public_ip,
            } => self.create_nat_gateway(
                subnet_id,
                nat_gateway_id.as_ref(),
                *connectivity_type,
                allocation_id.as_ref(),
                *private_ip,
                *public_ip,
            ),
            DeleteNatGateway { nat_gateway_id } => self.delete_nat_gateway(nat_gateway_id),
            CreateVpnGateway {
                vpn_gateway_id,
                amazon_side_asn,
            } => self.create_vpn_gateway(vpn_gateway_id.as_ref(), *amazon_side_asn),
            AttachVpnGateway {
                vpn_gateway_id,
                vpc_id,
            } => self.attach_vpn_gateway(vpn_gateway_id, vpc_id),
            DetachVpnGateway {
                vpn_gateway_id,
                vpc_id,
            } => self.detach_vpn_gateway(vpn_gateway_id, vpc_id),
            DeleteVpnGateway { vpn_gateway_id } => self.delete_vpn_gateway(vpn_gateway_id),
            EnableVgwRoutePropagation {
                route_table_id,
                gateway_id,
            } => self.set_vgw_route_propagation(route_table_id, gateway_id, true),
            DisableVgwRoutePropagation {
                route_table_id,
                gateway_id,
            } => self.set_vgw_route_propagation(route_table_id, gateway_id, false),
            CreateVpcPeeringConnection {
                vpc_id,
                peer_vpc_id,
                peer_owner_id,
                peer_region,
                vpc_peering_connection_id,
            } => self.create_vpc_peering_connection(
                vpc_id,
                peer_vpc_id,
                peer_owner_id.as_ref(),
                peer_region.as_deref(),
                vpc_peering_connection_id.as_ref(),
            ),
            AcceptVpcPeeringConnection {
                vpc_peering_connection_id,
            } => self.accept_vpc_peering_connection(vpc_peering_connection_id),
            RejectVpcPeeringConnection {
                vpc_peering_connection_id,
            } => self.reject_vpc_peering_connection(vpc_peering_connection_id),
            DeleteVpcPeeringConnection {
                vpc_peering_connection_id,
            } => self.delete_vpc_peering_connection(vpc_peering_connection_id),
            CreateVpcEndpoint {
                vpc_id,
                vpc_endpoint_id,
                endpoint_type,
                service_name,
                route_table_ids,
                subnet_ids,
            } => self.create_vpc_endpoint(
                vpc_id,
                vpc_endpoint_id.as_ref(),
                *endpoint_type,
                service_name.as_deref(),
                route_table_ids,
                subnet_ids,
                opts,
            ),
            ModifyVpcEndpoint {
                vpc_endpoint_id,
                add_route_table_ids,
                remove_route_table_ids,
            } => self.modify_vpc_endpoint(
                vpc_endpoint_id,
                add_route_table_ids,
                remove_route_table_ids,
                opts,
            ),
            DeleteVpcEndpoints { vpc_endpoint_ids } => self.delete_vpc_endpoints(vpc_endpoint_ids),
            AllocateAddress {
                allocation_id,
                public_ip,
            } => self.allocate_address(allocation_id.as_ref(), *public_ip),
            AssociateAddress {
                allocation_id,
                public_ip,
                instance_id,
                network_interface_id,
                private_ip,
                association_id,
            } => self.associate_address(
                allocation_id.as_ref(),
                *public_ip,
                instance_id.as_ref(),
                network_interface_id.as_ref(),
                *private_ip,
                association_id.as_deref(),
            ),
            DisassociateAddress {
                association_id,
                public_ip,
            } => self.disassociate_address(association_id.as_deref(), *public_ip),
            ReleaseAddress {
                allocation_id,
                public_ip,
            } => self.release_address(allocation_id.as_ref(), *public_ip),
            CreateNetworkInterface {
                subnet_id,
                network_interface_id,
                private_ips,
            } => {
                self.create_network_interface(subnet_id, network_interface_id.as_ref(), private_ips)
            }
            DeleteNetworkInterface {
                network_interface_id,
            } => self.delete_network_interface(network_interface_id),
            ModifyNetworkInterfaceAttribute {
                network_interface_id,
                source_dest_check,
            } => self.modify_network_interface_attribute(network_interface_id, *source_dest_check),
            RunInstances { instances } => self.run_instances(instances),
            TerminateInstances { instance_ids } => self.terminate_instances(instance_ids),
            CreateTransitGatewayVpcAttachment {
                transit_gateway_id,
                vpc_id,
                subnet_ids,
                transit_gateway_attachment_id,
            } => self.create_transit_gateway_vpc_attachment(
                transit_gateway_id,
                vpc_id,
                subnet_ids,
                transit_gateway_attachment_id.as_ref(),
            ),
            DeleteTransitGatewayVpcAttachment {
                transit_gateway_attachment_id,
            } => self.delete_transit_gateway_vpc_attachment(transit_gateway_attachment_id),
        }
    }

    // --- placeholders (module doc "Placeholder IDs") ---

    /// Whether `id` was made up by `apply` and has not been bound to a real ID yet.
    pub fn is_placeholder(&self, id: &str) -> bool {
        self.placeholders.contains(id)
    }

    /// The main route table CreateVpc made for `vpc` while its ID is still the placeholder it
    /// was given (§8 case 15c): the VPC's main table, or, once a ReplaceRouteTableAssociation
    /// has made another table main before any record named it, that same table (no longer main,
    /// still in the VPC, its ID still unannounced). `None` once bound, or when the main table's
    /// ID came from the input.
    pub fn unbound_main_route_table(&self, vpc: &VpcId) -> Option<&RouteTableId> {
        if let Some(t) = self
            .main_route_table(vpc)
            .filter(|t| self.placeholders.contains(t.as_str()))
        {
            return Some(t);
        }
        let made = RouteTableId::new(format!("rtb-main-{}", suffix(vpc.as_str())));
        self.route_tables
            .get_key_value(&made)
            .filter(|(id, t)| &t.vpc_id == vpc && self.placeholders.contains(id.as_str()))
            .map(|(id, _)| id)
    }

    /// Every VPC whose main route table (as [`Network::unbound_main_route_table`] finds it)
    /// still has a placeholder ID, with that ID, in VPC order. (Only VPCs that CreateVpc made
    /// have placeholder main tables, and those are in `vpcs`.)
    pub fn unbound_main_route_tables(&self) -> Vec<(&VpcId, &RouteTableId)> {
        self.vpcs
            .keys()
            .filter_map(|v| Some((v, self.unbound_main_route_table(v)?)))
            .collect()
    }

    /// The main association of `vpc` while its ID is still a placeholder.
    pub fn unbound_main_association(&self, vpc: &VpcId) -> Option<&RouteTableAssociationId> {
        let table = self.route_tables.get(self.main_route_table(vpc)?)?;
        table
            .associations
            .iter()
            .find(|a| a.target == AssociationTarget::Main)
            .map(|a| &a.id)
            .filter(|a| self.placeholders.contains(a.as_str()))
    }

    /// Renames a placeholder route table to the real ID a record revealed, everywhere the model
    /// refers to it (routes are inside the table; endpoints list their tables).
    pub fn bind_route_table_id(
        &mut self,
        placeholder: &RouteTableId,
        real: RouteTableId,
    ) -> Result<(), BindError> {
        if !self.placeholders.contains(placeholder.as_str())
            || !self.route_tables.contains_key(placeholder)
        {
            return Err(BindError::NotAPlaceholder(placeholder.to_string()));
        }
        if self.route_tables.contains_key(&real) {
            return Err(BindError::AlreadyExists(real.to_string()));
        }
        let Some(mut table) = self.route_tables.remove(placeholder) else {
            return Err(BindError::NotAPlaceholder(placeholder.to_string()));
        };
        table.id = real.clone();
        self.route_tables.insert(real.clone(), table);
        for e in self.vpc_endpoints.values_mut() {
            for t in e.route_table_ids.iter_mut().filter(|t| *t == placeholder) {
                *t = real.clone();
            }
        }
        self.placeholders.remove(placeholder.as_str());
        self.reindex();
        Ok(())
    }

    /// Renames a placeholder association (e.g. the main association CreateVpc made) to its real
    /// ID.
    pub fn bind_association_id(
        &mut self,
        placeholder: &RouteTableAssociationId,
        real: RouteTableAssociationId,
    ) -> Result<(), BindError> {
        if !self.placeholders.contains(placeholder.as_str()) {
            return Err(BindError::NotAPlaceholder(placeholder.to_string()));
        }
        if self.find_association(&real).is_some() {
            return Err(BindError::AlreadyExists(real.to_string()));
        }
        let mut found = false;
        for t in self.route_tables.values_mut() {
            for a in t.associations.iter_mut().filter(|a| &a.id == placeholder) {
                a.id = real.clone();
                found = true;
            }
        }
        if !found {
            return Err(BindError::NotAPlaceholder(placeholder.to_string()));
        }
        self.placeholders.remove(placeholder.as_str());
        // The association index is keyed by ID (rare: once per VPC a trail creates).
        self.reindex();
        Ok(())
    }

    /// A new placeholder ID `<prefix>new-<n>`, skipping numbers whose ID `taken` reports in use.
    fn fresh_id(&mut self, prefix: &'static str, taken: impl Fn(&Network, &str) -> bool) -> String {
        let mut n = self.placeholder_seq.get(prefix).copied().unwrap_or(0);
        let id = loop {
            n += 1;
            let id = format!("{prefix}new-{n}");
            if !taken(self, &id) && !self.placeholders.contains(&id) {
                break id;
            }
        };
        self.placeholder_seq.insert(prefix, n);
        self.placeholders.insert(id.clone());
        id
    }

    /// The given ID, or a fresh placeholder.
    fn id_or_fresh(
        &mut self,
        given: Option<&str>,
        prefix: &'static str,
        taken: impl Fn(&Network, &str) -> bool,
    ) -> String {
        match given {
            Some(id) => id.to_string(),
            None => self.fresh_id(prefix, taken),
        }
    }

    /// Forgets a resource that was deleted: it is no longer a placeholder, and it was removed.
    fn forget(&mut self, id: &str) {
        self.placeholders.remove(id);
        std::sync::Arc::make_mut(&mut self.removed).insert(id.to_string());
    }

    /// Marks an ID as live again (a created resource may reuse a removed ID in a what-if).
    fn revive(&mut self, id: &str) {
        if self.removed.contains(id) {
            std::sync::Arc::make_mut(&mut self.removed).remove(id);
        }
    }

    // --- shared lookups ---

    /// §2.2: an unknown route table is `InvalidRouteTableID.NotFound`.
    pub(super) fn get_table(&self, id: &RouteTableId) -> Result<&RouteTable, Ec2Error> {
        self.route_tables.get(id).ok_or_else(|| {
            err(
                "InvalidRouteTableID.NotFound",
                format!("The routeTable ID '{id}' does not exist"),
            )
        })
    }

    /// `InvalidVpcID.NotFound` (§2.2, [EC2-ERR]).
    pub(super) fn get_vpc(&self, id: &VpcId) -> Result<&Vpc, Ec2Error> {
        self.vpcs.get(id).ok_or_else(|| vpc_not_found(id))
    }

    /// `InvalidSubnetID.NotFound` (§2.2, [EC2-ERR]).
    pub(super) fn get_subnet(&self, id: &SubnetId) -> Result<&Subnet, Ec2Error> {
        self.subnets.get(id).ok_or_else(|| {
            err(
                "InvalidSubnetID.NotFound",
                format!("The subnet ID '{id}' does not exist"),
            )
        })
    }

    /// The CIDRs of a VPC: from the VPC when the model has it, else from the local routes of its
    /// tables (a snapshot without describe-vpcs still has them, §3.2). `None`: unknown VPC.
    pub(super) fn vpc_cidrs(&self, vpc: &VpcId) -> Option<Vec<IpNet>> {
        if let Some(v) = self.vpcs.get(vpc) {
            let mut nets = v.cidrs(crate::addr::Family::Ipv4);
            nets.extend(v.cidrs(crate::addr::Family::Ipv6));
            return Some(nets);
        }
        let table = self.route_tables.values().find(|t| &t.vpc_id == vpc)?;
        Some(local_route_cidrs(table))
    }

    /// The CIDRs the local routes of a table's VPC cover (§3.2): the VPC's when the model has
    /// it, else the table's local routes. An iterator, so that the route calls allocate nothing.
    pub(super) fn table_vpc_cidrs<'a>(
        &'a self,
        table: &'a RouteTable,
    ) -> impl Iterator<Item = IpNet> + 'a {
        let vpc = self.vpcs.get(&table.vpc_id);
        let of_vpc = vpc.into_iter().flat_map(|v| {
            let v4 = v.ipv4_cidrs.iter().map(|n| IpNet::V4(*n));
            v4.chain(v.ipv6_cidrs.iter().map(|n| IpNet::V6(*n)))
        });
        let of_routes = vpc
            .is_none()
            .then_some(table)
            .into_iter()
            .flat_map(local_route_nets);
        of_vpc.chain(of_routes)
    }

    /// Where a CIDR lies against the CIDRs of a table's VPC (§3.2): `(exactly one of them,
    /// inside one of them)`.
    pub(super) fn against_vpc_cidrs(&self, table: &RouteTable, net: &IpNet) -> (bool, bool) {
        let (mut exact, mut inside) = (false, false);
        for c in self.table_vpc_cidrs(table) {
            exact |= c == *net;
            inside |= c.contains(net);
        }
        (exact, inside)
    }

    /// Every CIDR (both families) of the subnets of `vpc`.
    pub(super) fn vpc_subnet_cidrs(&self, vpc: &VpcId) -> Vec<IpNet> {
        self.subnets
            .values()
            .filter(|s| &s.vpc_id == vpc)
            .flat_map(|s| {
                let mut v = s.cidrs(crate::addr::Family::Ipv4);
                v.extend(s.cidrs(crate::addr::Family::Ipv6));
                v
            })
            .collect()
    }

    /// A table with an edge association is a gateway route table (§3.6). Every edge association
    /// is in the index (`reindex`, kept current by `apply`), so while the model has none, the
    /// table's associations need not be read (route changes would otherwise read them for this
    /// alone).
    pub(super) fn is_gateway_table(&self, table: &RouteTable) -> bool {
        !self.index.edge.is_empty()
            && table
                .associations
                .iter()
                .any(|a| matches!(a.target, AssociationTarget::Gateway(_)))
    }

    /// The route tables (of any VPC) with a route to `target`, by ID.
    pub(super) fn tables_routing_to(&self, target: &Target) -> Vec<String> {
        self.tables_routing_to_any(std::slice::from_ref(target))
    }

    /// The route tables with a route to any of `targets`, by ID, in one pass over every route
    /// (on a large account a pass reads about a million routes: a record that changes an
    /// interface and its instance makes one, not one per target).
    pub(super) fn tables_routing_to_any(&self, targets: &[Target]) -> Vec<String> {
        // Interfaces and instances no route ever targeted need no pass (`may_be_targeted`).
        let targets: Vec<&Target> = targets.iter().filter(|t| self.may_be_targeted(t)).collect();
        if targets.is_empty() {
            return Vec::new();
        }
        self.route_tables
            .values()
            .filter(|t| t.routes.values().any(|r| targets.contains(&&r.target)))
            .map(|t| t.id.to_string())
            .collect()
    }

    /// The association with this ID, with its table.
    pub fn find_association(
        &self,
        id: &RouteTableAssociationId,
    ) -> Option<(&RouteTable, &Association)> {
        // Through the index: a scan of every table here made each association change O(tables).
        let (key, table) = self.association_entry(id)?;
        let table = self.route_tables.get(table)?;
        let at = table.association_position(key)?;
        table.associations.get(at).map(|a| (table, a))
    }

    /// The VPC of a network interface: its own, else its subnet's.
    pub(super) fn eni_vpc<'a>(&'a self, eni: &'a NetworkInterface) -> Option<&'a VpcId> {
        eni.vpc_id
            .as_ref()
            .or_else(|| self.subnet_vpc(&eni.subnet_id))
    }

    /// The VPC of a NAT gateway: its own, else its subnet's.
    pub(super) fn nat_vpc<'a>(&'a self, nat: &'a NatGateway) -> Option<&'a VpcId> {
        nat.vpc_id
            .as_ref()
            .or_else(|| self.subnet_vpc(&nat.subnet_id))
    }

    /// Looks up a route target by kind, honouring [`Inventory`] (module doc).
    pub(super) fn presence<'a, K: Ord + std::hash::Hash + Clone, T>(
        &self,
        map: &'a IdMap<K, T>,
        key: &K,
        known: bool,
        id: &str,
    ) -> Presence<'a, T> {
        match map.get(key) {
            Some(v) => Presence::Present(v),
            None if known || self.removed.contains(id) => Presence::Missing,
            None => Presence::Assumed,
        }
    }

    /// Every private IPv4 address in use in the model (interfaces and NAT gateways).
    fn used_private_ips(&self) -> BTreeSet<Ipv4Addr> {
        let mut used: BTreeSet<Ipv4Addr> = self
            .network_interfaces
            .values()
            .flat_map(|e| e.private_ips.iter().copied())
            .collect();
        used.extend(
            self.nat_gateways
                .values()
                .filter(|n| n.state != NatGatewayState::Deleted)
                .flat_map(|n| n.private_ips.iter().copied()),
        );
        used
    }

    /// The first free host address of a subnet (placeholder convention, module doc): from the
    /// fifth address (AWS reserves the first four and the last of every subnet).
    fn first_free_private_ip(
        &self,
        subnet: &SubnetId,
        also_used: &BTreeSet<Ipv4Addr>,
    ) -> Option<Ipv4Addr> {
        let net = self.subnets.get(subnet)?.ipv4_cidr?;
        let used = self.used_private_ips();
        let lo = u32::from(net.network()).checked_add(4)?;
        let hi = u32::from(net.broadcast()).checked_sub(1)?;
        (lo..=hi)
            .map(Ipv4Addr::from)
            .find(|a| !used.contains(a) && !also_used.contains(a))
    }

    /// Every public IPv4 address in use in the model (EIPs, interfaces, NAT gateways).
    fn used_public_ips(&self) -> BTreeSet<Ipv4Addr> {
        let mut used: BTreeSet<Ipv4Addr> = self.addresses.iter().map(|a| a.public_ip).collect();
        used.extend(
            self.network_interfaces
                .values()
                .flat_map(|e| e.public_ips.iter().map(|(_, p)| *p)),
        );
        used.extend(
            self.nat_gateways
                .values()
                .flat_map(|n| n.public_ips.iter().copied()),
        );
        used
    }

    /// A placeholder public IPv4 address from the documentation ranges (module doc).
    fn placeholder_public_ip(&self, also_used: &BTreeSet<Ipv4Addr>) -> Option<Ipv4Addr> {
        let used = self.used_public_ips();
        [[203, 0, 113], [198, 51, 100], [192, 0, 2]]
            .iter()
            .flat_map(|[a, b, c]| (1..=254u8).map(move |d| Ipv4Addr::new(*a, *b, *c, d)))
            .find(|ip| !used.contains(ip) && !also_used.contains(ip))
    }
}

/// The destinations of a table's local routes (origin `CreateRouteTable`, §3.2, §3.5).
fn local_route_cidrs(table: &RouteTable) -> Vec<IpNet> {
    local_route_nets(table).collect()
}

/// [`local_route_cidrs`], without collecting them.
fn local_route_nets(table: &RouteTable) -> impl Iterator<Item = IpNet> + '_ {
    table
        .routes
        .values()
        .filter(|r| r.origin == RouteOrigin::CreateRouteTable || r.target == Target::Local)
        .filter_map(|r| r.destination.net())
}

/// `InvalidVpcID.NotFound` ([EC2-ERR]).
pub(super) fn vpc_not_found(id: &VpcId) -> Ec2Error {
    err(
        "InvalidVpcID.NotFound",
        format!("The vpc ID '{id}' does not exist"),
    )
}
