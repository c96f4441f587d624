//! The routing model of one or more AWS accounts: VPCs, subnets, route tables, gateways,
//! peering, endpoints, interfaces and instances, in AWS's own names.
//!
//! **Architecture invariant:** this module has no I/O, no serde and no petgraph. Importers
//! (`crate::snapshot`) build a [`Network`]; the reach engine (`crate::reach`) reads it. Route
//! state is *derived* from the targets' lifecycle by [`Network::target_status`], never stored
//! (semantics doc §3.4, §7); a snapshot's reported state is kept only to be compared.
//!
//! Collections are `BTreeMap`s keyed by ID so that every iteration is in a stable order. The
//! association indexes (main table per VPC, explicit table per subnet, edge table per gateway)
//! are derived from the route tables' associations by [`Network::reindex`].

mod apply;
mod change;
mod effect;
mod idmap;
mod ids;
mod prefetch;
mod route;
mod routemap;
mod shared;

pub use apply::{ApplyOptions, BindError};
pub use change::*;
pub use effect::{Effect, EffectSummary};
pub use idmap::IdMap;
pub use ids::*;
pub use route::*;
pub use routemap::RouteMap;
pub use shared::Shared;

use crate::addr::Family;
use crate::fxhash::{FxHashMap, FxHashSet};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

/// A VPC with every associated CIDR (semantics doc §6.3). `ipv4_cidrs[0]` is the primary CIDR,
/// the one the VPC was created with, which cannot be disassociated (§1.12).
#[derive(Clone, Debug, Default)]
pub struct Vpc {
    pub id: Option<VpcId>,
    pub ipv4_cidrs: Vec<Ipv4Net>,
    pub ipv6_cidrs: Vec<Ipv6Net>,
    /// CIDR association IDs (`vpc-cidr-assoc-…`) → CIDR, for the blocks whose ID is known; what
    /// `DisassociateVpcCidrBlock` names (§1.12, §6.3).
    pub cidr_associations: BTreeMap<String, IpNet>,
    pub is_default: bool,
    pub owner_id: Option<AccountId>,
    pub region: Option<String>,
    pub name: Option<String>,
}

impl Vpc {
    pub fn cidrs(&self, family: Family) -> Vec<IpNet> {
        match family {
            Family::Ipv4 => self.ipv4_cidrs.iter().map(|n| IpNet::V4(*n)).collect(),
            Family::Ipv6 => self.ipv6_cidrs.iter().map(|n| IpNet::V6(*n)).collect(),
        }
    }
}

/// A subnet (semantics doc §6.2). `ipv4_cidr` is absent for IPv6-only subnets.
#[derive(Clone, Debug)]
pub struct Subnet {
    pub id: SubnetId,
    pub vpc_id: VpcId,
    pub ipv4_cidr: Option<Ipv4Net>,
    pub ipv6_cidrs: Vec<Ipv6Net>,
    pub availability_zone: Option<String>,
    pub map_public_ip_on_launch: bool,
    pub assign_ipv6_address_on_creation: bool,
    pub owner_id: Option<AccountId>,
    pub region: Option<String>,
    pub name: Option<String>,
}

impl Subnet {
    /// A subnet of `vpc` of which nothing else is known (no CIDR, zone or attributes).
    pub fn new(id: SubnetId, vpc_id: VpcId) -> Subnet {
        Subnet {
            id,
            vpc_id,
            ipv4_cidr: None,
            ipv6_cidrs: Vec::new(),
            availability_zone: None,
            map_public_ip_on_launch: false,
            assign_ipv6_address_on_creation: false,
            owner_id: None,
            region: None,
            name: None,
        }
    }

    pub fn cidrs(&self, family: Family) -> Vec<IpNet> {
        match family {
            Family::Ipv4 => self.ipv4_cidr.iter().map(|n| IpNet::V4(*n)).collect(),
            Family::Ipv6 => self.ipv6_cidrs.iter().map(|n| IpNet::V6(*n)).collect(),
        }
    }
}

/// What a route table association binds the table to (semantics doc §1.6).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AssociationTarget {
    /// The VPC's one main association: every subnet without an explicit association uses it.
    Main,
    Subnet(SubnetId),
    /// An edge (gateway) association with an internet gateway or a virtual private gateway (§3.6).
    Gateway(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Association {
    pub id: RouteTableAssociationId,
    pub target: AssociationTarget,
}

/// A route table with its routes, associations and propagating VGWs (semantics doc §6.1).
#[derive(Clone, Debug)]
pub struct RouteTable {
    pub id: RouteTableId,
    pub vpc_id: VpcId,
    pub owner_id: Option<AccountId>,
    pub routes: RouteMap,
    pub associations: Vec<Association>,
    pub propagating_vgws: BTreeSet<VpnGatewayId>,
    pub name: Option<String>,
}

impl RouteTable {
    pub fn new(id: RouteTableId, vpc_id: VpcId) -> RouteTable {
        RouteTable {
            id,
            vpc_id,
            owner_id: None,
            routes: RouteMap::new(),
            associations: Vec::new(),
            propagating_vgws: BTreeSet::new(),
            name: None,
        }
    }

    pub fn is_main(&self) -> bool {
        self.associations
            .iter()
            .any(|a| a.target == AssociationTarget::Main)
    }

    /// Adds an association, keeping them in ID order (their order means nothing to EC2; a
    /// canonical order makes equal states compare equal however they were built).
    /// The position of an association in `associations`. `id` is best the index's own copy
    /// of the ID (see `Network::find_association`): the clones of one ID are found without
    /// reading any ID's text (the strings of a table nobody touched lately are cache misses),
    /// and only then are the texts compared.
    pub fn association_position(&self, id: &RouteTableAssociationId) -> Option<usize> {
        self.associations
            .iter()
            .position(|a| a.id.same(id))
            .or_else(|| self.associations.iter().position(|a| &a.id == id))
    }

    pub fn add_association(&mut self, a: Association) {
        let at = self
            .associations
            .partition_point(|x| x.id.as_str() < a.id.as_str());
        self.associations.insert(at, a);
    }

    /// Inserts or replaces the route with the same key.
    pub fn put_route(&mut self, route: Route) {
        self.routes.insert(route);
    }
}

#[derive(Clone, Debug)]
pub struct InternetGateway {
    pub id: InternetGatewayId,
    /// The VPC it is attached to; `None` when detached (semantics doc §1.7, §6.4).
    pub attached_vpc: Option<VpcId>,
    pub owner_id: Option<AccountId>,
}

#[derive(Clone, Debug)]
pub struct EgressOnlyInternetGateway {
    pub id: EgressOnlyInternetGatewayId,
    pub attached_vpc: Option<VpcId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ConnectivityType {
    Public,
    Private,
}

/// NAT gateway lifecycle (semantics doc §1.8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NatGatewayState {
    Pending,
    Failed,
    Available,
    Deleting,
    Deleted,
}

impl NatGatewayState {
    pub fn parse(s: &str) -> Option<NatGatewayState> {
        Some(match s {
            "pending" => NatGatewayState::Pending,
            "failed" => NatGatewayState::Failed,
            "available" => NatGatewayState::Available,
            "deleting" => NatGatewayState::Deleting,
            "deleted" => NatGatewayState::Deleted,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            NatGatewayState::Pending => "pending",
            NatGatewayState::Failed => "failed",
            NatGatewayState::Available => "available",
            NatGatewayState::Deleting => "deleting",
            NatGatewayState::Deleted => "deleted",
        }
    }
}

#[derive(Clone, Debug)]
pub struct NatGateway {
    pub id: NatGatewayId,
    pub subnet_id: SubnetId,
    pub vpc_id: Option<VpcId>,
    pub state: NatGatewayState,
    pub connectivity: ConnectivityType,
    pub private_ips: Vec<Ipv4Addr>,
    pub public_ips: Vec<Ipv4Addr>,
}

#[derive(Clone, Debug)]
pub struct VpnGateway {
    pub id: VpnGatewayId,
    /// The VPC with an `attached` attachment; other attachment states do not count (§6.7).
    pub attached_vpc: Option<VpcId>,
    pub amazon_side_asn: Option<u64>,
    /// The prefixes this gateway was seen propagating (learned from propagated routes when
    /// propagation is enabled or disabled): what re-enabling propagation brings back (§1.9:
    /// the prefixes themselves are not in any API or CloudTrail record).
    pub known_prefixes: BTreeSet<Destination>,
}

/// Peering status codes (semantics doc §1.10).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeeringSide {
    pub vpc_id: VpcId,
    pub owner_id: Option<AccountId>,
    pub region: Option<String>,
    pub ipv4_cidrs: Vec<Ipv4Net>,
    pub ipv6_cidrs: Vec<Ipv6Net>,
}

impl PeeringSide {
    pub fn cidrs(&self, family: Family) -> Vec<IpNet> {
        match family {
            Family::Ipv4 => self.ipv4_cidrs.iter().map(|n| IpNet::V4(*n)).collect(),
            Family::Ipv6 => self.ipv6_cidrs.iter().map(|n| IpNet::V6(*n)).collect(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct VpcPeeringConnection {
    pub id: VpcPeeringConnectionId,
    /// `Status.Code`: only `active` carries traffic (§4.5).
    pub status: String,
    pub requester: PeeringSide,
    pub accepter: PeeringSide,
}

impl VpcPeeringConnection {
    pub fn is_active(&self) -> bool {
        self.status == "active"
    }

    /// The side opposite `vpc`, if `vpc` is one of the two sides.
    pub fn other_side(&self, vpc: &VpcId) -> Option<&PeeringSide> {
        if &self.requester.vpc_id == vpc {
            Some(&self.accepter)
        } else if &self.accepter.vpc_id == vpc {
            Some(&self.requester)
        } else {
            None
        }
    }
}

#[derive(Clone, Debug)]
pub struct TransitGatewayAttachment {
    pub id: TransitGatewayAttachmentId,
    pub transit_gateway_id: TransitGatewayId,
    pub vpc_id: VpcId,
    pub subnet_ids: Vec<SubnetId>,
    pub state: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum VpcEndpointType {
    Gateway,
    GatewayLoadBalancer,
    Interface,
    Other,
}

#[derive(Clone, Debug)]
pub struct VpcEndpoint {
    pub id: VpcEndpointId,
    pub vpc_id: VpcId,
    pub endpoint_type: VpcEndpointType,
    pub service_name: Option<String>,
    pub state: String,
    pub route_table_ids: Vec<RouteTableId>,
    pub subnet_ids: Vec<SubnetId>,
}

#[derive(Clone, Debug)]
pub struct PrefixList {
    pub id: PrefixListId,
    pub name: Option<String>,
    pub cidrs: Vec<IpNet>,
    pub max_entries: Option<u32>,
}

/// An elastic network interface (semantics doc §6.9).
#[derive(Clone, Debug)]
pub struct NetworkInterface {
    pub id: NetworkInterfaceId,
    pub subnet_id: SubnetId,
    pub vpc_id: Option<VpcId>,
    pub private_ips: Vec<Ipv4Addr>,
    /// Private IPv4 → public IPv4 (auto-assigned or Elastic IP).
    pub public_ips: Vec<(Ipv4Addr, Ipv4Addr)>,
    pub ipv6_addresses: Vec<Ipv6Addr>,
    pub source_dest_check: bool,
    pub instance_id: Option<InstanceId>,
    pub interface_type: Option<String>,
}

impl NetworkInterface {
    pub fn owns(&self, addr: &IpAddr) -> bool {
        match addr {
            IpAddr::V4(a) => self.private_ips.contains(a),
            IpAddr::V6(a) => self.ipv6_addresses.contains(a),
        }
    }

    pub fn public_ip_for(&self, private: &Ipv4Addr) -> Option<Ipv4Addr> {
        self.public_ips
            .iter()
            .find(|(p, _)| p == private)
            .map(|(_, public)| *public)
    }
}

/// Instance lifecycle (as far as routing cares).
#[derive(Clone, Debug)]
pub struct Instance {
    pub id: InstanceId,
    pub state: String,
    pub subnet_id: Option<SubnetId>,
    pub network_interfaces: Vec<NetworkInterfaceId>,
}

/// An Elastic IP address.
#[derive(Clone, Debug)]
pub struct Address {
    pub allocation_id: Option<AllocationId>,
    pub public_ip: Ipv4Addr,
    pub network_interface_id: Option<NetworkInterfaceId>,
    pub instance_id: Option<InstanceId>,
    pub private_ip: Option<Ipv4Addr>,
    /// The association ID (`eipassoc-…`) while associated, when known.
    pub association_id: Option<String>,
}

/// Which resource kinds the input described completely. When a kind was described, an ID that is
/// missing from it names a resource that no longer exists (its routes are blackhole); when it was
/// not, the resource is unknown and vpcsim says what it assumed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Inventory {
    pub vpcs: bool,
    pub subnets: bool,
    pub route_tables: bool,
    pub internet_gateways: bool,
    pub egress_only_internet_gateways: bool,
    pub nat_gateways: bool,
    pub vpn_gateways: bool,
    pub vpc_peering_connections: bool,
    pub transit_gateway_attachments: bool,
    pub vpc_endpoints: bool,
    pub prefix_lists: bool,
    pub network_interfaces: bool,
    pub instances: bool,
    pub addresses: bool,
}

/// The whole routing state. Its large collections are [`Shared`] between copies until changed.
#[derive(Clone, Debug, Default)]
pub struct Network {
    pub vpcs: Shared<IdMap<VpcId, Vpc>>,
    pub subnets: Shared<IdMap<SubnetId, Subnet>>,
    pub route_tables: Shared<IdMap<RouteTableId, RouteTable>>,
    pub internet_gateways: IdMap<InternetGatewayId, InternetGateway>,
    pub egress_only_internet_gateways:
        IdMap<EgressOnlyInternetGatewayId, EgressOnlyInternetGateway>,
    pub nat_gateways: Shared<IdMap<NatGatewayId, NatGateway>>,
    pub vpn_gateways: IdMap<VpnGatewayId, VpnGateway>,
    pub vpc_peering_connections: Shared<IdMap<VpcPeeringConnectionId, VpcPeeringConnection>>,
    pub transit_gateway_attachments: IdMap<TransitGatewayAttachmentId, TransitGatewayAttachment>,
    pub vpc_endpoints: IdMap<VpcEndpointId, VpcEndpoint>,
    pub prefix_lists: IdMap<PrefixListId, PrefixList>,
    pub network_interfaces: Shared<IdMap<NetworkInterfaceId, NetworkInterface>>,
    pub instances: Shared<IdMap<InstanceId, Instance>>,
    pub addresses: Vec<Address>,
    pub inventory: Inventory,
    index: Shared<Index>,
    /// IDs that `apply` made up because the change did not carry them (see
    /// [`Network::is_placeholder`]); an ID leaves the set when it is bound to the real one.
    placeholders: BTreeSet<String>,
    /// The last number used per placeholder prefix (`rtb-new-3` → `"rtb-"` → 3).
    placeholder_seq: BTreeMap<&'static str, u64>,
    /// IDs of resources an applied `Delete*` removed from the model. Their routes are blackhole
    /// even when the input never described their kind (see [`Network::was_removed`]).
    /// Shared between copies (the exposure of each record copies the model): only a deletion
    /// copies the set (`Arc::make_mut`), so copying a model stays cheap however long the trail.
    removed: std::sync::Arc<BTreeSet<String>>,
    /// (interface, private address) whose public IPv4 address AWS assigned at launch and an
    /// Elastic IP then replaced: disassociating that Elastic IP gives the instance a new public
    /// address (see `disassociate_address`).
    displaced_public: BTreeSet<(NetworkInterfaceId, Ipv4Addr)>,
}

/// Association indexes derived from the route tables (see [`Network::reindex`]).
#[derive(Clone, Default)]
struct Index {
    /// Transit gateway → the VPCs where it has a live attachment.
    /// Only looked up, never iterated: hash sets, since route changes to a transit gateway ask
    /// it, and a `BTreeSet` of a thousand VPC IDs compared a dozen IDs' texts per question.
    tgw_attached: FxHashMap<TransitGatewayId, FxHashSet<VpcId>>,
    /// VPC → its main table; subnet → its explicitly associated table. Only looked up, never
    /// iterated (hash maps, as `assoc`: an association change removes and inserts here, and a
    /// removal from an `IdMap` re-reads the key it moves).
    main: FxHashMap<VpcId, RouteTableId>,
    subnet: FxHashMap<SubnetId, RouteTableId>,
    edge: BTreeMap<String, RouteTableId>,
    /// Association ID → the table holding it. Only looked up, never iterated: a hash map, since
    /// a `BTreeMap` lookup here followed a dozen IDs' pointers to compare them (cache misses
    /// that made each association change cost microseconds on a large model). (An `IdMap`,
    /// whose position hints would let `Network::prefetch` follow an association to its table
    /// without waiting, made association changes slower: measured in session 14.)
    assoc: FxHashMap<RouteTableAssociationId, RouteTableId>,
    /// Every interface or instance ID some route has targeted since the last `reindex` (never
    /// removed before then: a superset). A host change whose interface and instance are not in
    /// it has no route to them, so finding the tables that route to them needs no pass over
    /// every route (a million on a large account, for each RunInstances).
    targeted_hosts: FxHashSet<Arc<str>>,
    /// Some subnet, VPC or gateway has two associations, or one association ID occurs twice (an
    /// inconsistent snapshot): removing one must fall back to the other, so incremental updates
    /// rebuild the index instead.
    duplicates: bool,
}

/// As derived, but the hash maps in ID order: equal indexes print alike however they were built.
impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let assoc: BTreeMap<&RouteTableAssociationId, &RouteTableId> = self.assoc.iter().collect();
        let main: BTreeMap<&VpcId, &RouteTableId> = self.main.iter().collect();
        let subnet: BTreeMap<&SubnetId, &RouteTableId> = self.subnet.iter().collect();
        let targeted: BTreeSet<&Arc<str>> = self.targeted_hosts.iter().collect();
        let tgw_attached: BTreeMap<&TransitGatewayId, BTreeSet<&VpcId>> = self
            .tgw_attached
            .iter()
            .map(|(t, vpcs)| (t, vpcs.iter().collect()))
            .collect();
        f.debug_struct("Index")
            .field("tgw_attached", &tgw_attached)
            .field("main", &main)
            .field("subnet", &subnet)
            .field("edge", &self.edge)
            .field("assoc", &assoc)
            .field("targeted_hosts", &targeted)
            .field("duplicates", &self.duplicates)
            .finish()
    }
}

/// How the route table effective for a subnet was chosen (semantics doc §3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AssociationKind {
    Explicit,
    Main,
}

impl AssociationKind {
    pub fn name(self) -> &'static str {
        match self {
            AssociationKind::Explicit => "explicit",
            AssociationKind::Main => "main",
        }
    }
}

/// Whether a route's target can carry traffic now, derived from the target's lifecycle (§3.4).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TargetStatus {
    Active,
    /// The route is blackhole; the reason says why, in words a responder can act on.
    Blackhole(String),
    /// The input did not describe the target's kind; vpcsim treats the route as active and says so.
    Unknown(String),
}

impl Network {
    /// Makes every shared collection this copy's own (see [`Shared`]): a copy then costs what a
    /// freshly imported network does when changed, not a copy of a whole collection at its first
    /// change (benchmarks that time changes on a copy call it first).
    pub fn unshare(&mut self) {
        self.vpcs.make_own();
        self.subnets.make_own();
        self.route_tables.make_own();
        self.nat_gateways.make_own();
        self.vpc_peering_connections.make_own();
        self.network_interfaces.make_own();
        self.instances.make_own();
        self.index.make_own();
    }

    /// Rebuilds the indexes (associations, transit gateway attachments) from the resources. Call
    /// after changing associations or transit gateway attachments.
    pub fn reindex(&mut self) {
        // (Through the shared map only when some table is out of order: taking it to change
        // copies it when a copy of the network shares it.)
        let sorted = |t: &RouteTable| {
            t.associations
                .is_sorted_by(|a, b| a.id.as_str() <= b.id.as_str())
        };
        if !self.route_tables.values().all(sorted) {
            for t in self.route_tables.values_mut() {
                t.associations
                    .sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
            }
        }
        let mut index = Index::default();
        for table in self.route_tables.values() {
            for r in table.routes.values() {
                if let Some(id) = r.target.host_id() {
                    index.targeted_hosts.insert(id);
                }
            }
            for assoc in &table.associations {
                if index
                    .assoc
                    .insert(assoc.id.clone(), table.id.clone())
                    .is_some()
                {
                    // One association ID twice (an inconsistent snapshot).
                    index.duplicates = true;
                }
                match &assoc.target {
                    AssociationTarget::Main => {
                        if index
                            .main
                            .insert(table.vpc_id.clone(), table.id.clone())
                            .is_some()
                        {
                            index.duplicates = true;
                        }
                    }
                    AssociationTarget::Subnet(s) => {
                        // §2.2: a table never serves a subnet of another VPC (the import check
                        // reports such an association as ignored).
                        if self
                            .subnets
                            .get(s)
                            .is_some_and(|sub| sub.vpc_id != table.vpc_id)
                        {
                            continue;
                        }
                        if index.subnet.insert(s.clone(), table.id.clone()).is_some() {
                            index.duplicates = true;
                        }
                    }
                    AssociationTarget::Gateway(g) => {
                        if index.edge.insert(g.clone(), table.id.clone()).is_some() {
                            index.duplicates = true;
                        }
                    }
                }
            }
        }
        for a in self.transit_gateway_attachments.values() {
            // Only a live attachment carries traffic (§1.13, §3.4): an allow-list, so that
            // pendingAcceptance, rejecting, failing, rollingBack or an unreadable state do not.
            if matches!(a.state.as_str(), "available" | "modifying") {
                index
                    .tgw_attached
                    .entry(a.transit_gateway_id.clone())
                    .or_default()
                    .insert(a.vpc_id.clone());
            }
        }
        self.index = index.into();
    }

    /// Whether an applied `Delete*` removed the resource with this ID from the model.
    pub fn was_removed(&self, id: &str) -> bool {
        self.removed.contains(id)
    }

    /// Records one association in the indexes (what `reindex` would do for it), in O(log n):
    /// `apply` calls this instead of rebuilding everything on each association change.
    pub(crate) fn index_association(&mut self, table: &RouteTableId, vpc: &VpcId, a: &Association) {
        self.index.assoc.insert(a.id.clone(), table.clone());
        match &a.target {
            AssociationTarget::Main => {
                self.index.main.insert(vpc.clone(), table.clone());
            }
            AssociationTarget::Subnet(s) => {
                if self.subnets.get(s).is_none_or(|sub| &sub.vpc_id == vpc) {
                    self.index.subnet.insert(s.clone(), table.clone());
                }
            }
            AssociationTarget::Gateway(g) => {
                self.index.edge.insert(g.clone(), table.clone());
            }
        }
    }

    /// Forgets one association in the indexes (only where they still point at `table`).
    pub(crate) fn unindex_association(
        &mut self,
        table: &RouteTableId,
        vpc: &VpcId,
        a: &Association,
    ) {
        if self.index.duplicates {
            // Another association of the same subnet, VPC or gateway may take over: rebuild
            // (the callers remove the association from its table first).
            self.reindex();
            return;
        }
        self.index.assoc.remove(&a.id);
        let points_here = |t: Option<&RouteTableId>| t == Some(table);
        match &a.target {
            AssociationTarget::Main => {
                if points_here(self.index.main.get(vpc)) {
                    self.index.main.remove(vpc);
                }
            }
            AssociationTarget::Subnet(s) => {
                if points_here(self.index.subnet.get(s)) {
                    self.index.subnet.remove(s);
                }
            }
            AssociationTarget::Gateway(g) => {
                if points_here(self.index.edge.get(g)) {
                    self.index.edge.remove(g);
                }
            }
        }
    }

    /// Whether the transit gateway has a live attachment in the VPC (by the index).
    pub(crate) fn tgw_attached(&self, tgw: &TransitGatewayId, vpc: &VpcId) -> bool {
        self.index
            .tgw_attached
            .get(tgw)
            .is_some_and(|vpcs| vpcs.contains(vpc))
    }

    /// The route table holding an association, by the index.
    pub(crate) fn association_table(&self, id: &RouteTableAssociationId) -> Option<&RouteTableId> {
        self.index.assoc.get(id)
    }

    /// Whether some subnet, VPC, gateway or association ID has two associations (see `Index`).
    pub(crate) fn index_has_duplicates(&self) -> bool {
        self.index.duplicates
    }

    /// The index's own copy of an association ID (the one its table holds) with the table.
    pub(crate) fn association_entry(
        &self,
        id: &RouteTableAssociationId,
    ) -> Option<(&RouteTableAssociationId, &RouteTableId)> {
        self.index.assoc.get_key_value(id)
    }

    /// The VPC's main route table.
    pub fn main_route_table(&self, vpc: &VpcId) -> Option<&RouteTableId> {
        self.index.main.get(vpc)
    }

    /// The route table a subnet uses: its explicit association, else *its own VPC's* main table
    /// (semantics doc §3.1; product.md: the main table is never looked up across VPCs).
    pub fn effective_route_table(
        &self,
        subnet: &SubnetId,
    ) -> Option<(&RouteTableId, AssociationKind)> {
        if let Some(t) = self.index.subnet.get(subnet) {
            return Some((t, AssociationKind::Explicit));
        }
        let vpc = &self.subnets.get(subnet)?.vpc_id;
        self.index.main.get(vpc).map(|t| (t, AssociationKind::Main))
    }

    /// Notes that a route now targets `target` (see `Index::targeted_hosts`); only interfaces
    /// and instances are kept.
    pub(crate) fn note_route_target(&mut self, target: &Target) {
        if let Some(id) = target.host_id()
            && !self.index.targeted_hosts.contains(&id)
        {
            self.index.targeted_hosts.insert(id);
        }
    }

    /// Whether some route may target this interface or instance (`false`: none does).
    pub(crate) fn may_be_targeted(&self, target: &Target) -> bool {
        match target.host_id() {
            Some(id) => self.index.targeted_hosts.contains(&id),
            None => true,
        }
    }

    /// The gateway route table edge-associated with an IGW or VGW, if any (§3.6).
    pub fn edge_route_table(&self, gateway: &str) -> Option<&RouteTableId> {
        self.index.edge.get(gateway)
    }

    /// The gateways (internet or virtual private) with an edge-associated route table, by ID.
    pub fn edge_gateways(&self) -> impl Iterator<Item = &str> {
        self.index.edge.keys().map(String::as_str)
    }

    /// The subnets explicitly associated with a table (by the index), in ID order.
    pub fn explicit_subnets(&self, table: &RouteTableId) -> Vec<&SubnetId> {
        let Some(t) = self.route_tables.get(table) else {
            return Vec::new();
        };
        let mut subnets: Vec<&SubnetId> = t
            .associations
            .iter()
            .filter_map(|a| match &a.target {
                AssociationTarget::Subnet(s) if self.index.subnet.get(s) == Some(table) => Some(s),
                _ => None,
            })
            .collect();
        subnets.sort();
        subnets.dedup();
        subnets
    }

    /// The VPC a resource lives in, for resources that live in a subnet.
    pub fn subnet_vpc(&self, subnet: &SubnetId) -> Option<&VpcId> {
        self.subnets.get(subnet).map(|s| &s.vpc_id)
    }

    /// The internet gateway attached to a VPC.
    pub fn attached_internet_gateway(&self, vpc: &VpcId) -> Option<&InternetGateway> {
        self.internet_gateways
            .values()
            .find(|g| g.attached_vpc.as_ref() == Some(vpc))
    }

    /// The NAT gateway an interface belongs to: an interface of type `nat_gateway`, or one that
    /// holds a NAT gateway's private address in that NAT gateway's subnet. `None` for any other
    /// interface (a NAT gateway of type `nat_gateway` the snapshot does not describe gives `None`
    /// too, and so does a NAT gateway that no longer exists).
    pub fn nat_gateway_of_interface(&self, eni: &NetworkInterface) -> Option<&NatGateway> {
        let nat_type = eni.interface_type.as_deref() == Some("nat_gateway");
        self.nat_gateways.values().find(|n| {
            n.subnet_id == eni.subnet_id
                && n.state != NatGatewayState::Deleted
                && (n.private_ips.iter().any(|a| eni.private_ips.contains(a))
                    || (nat_type && n.private_ips.is_empty()))
        })
    }

    /// The NAT gateway that holds a public IPv4 address, if any (not deleted).
    pub fn nat_gateway_with_public_ip(&self, ip: &Ipv4Addr) -> Option<&NatGateway> {
        self.nat_gateways
            .values()
            .find(|n| n.state != NatGatewayState::Deleted && n.public_ips.contains(ip))
    }

    /// The network interface a route to an instance leads to: the instance's only interface, or
    /// its primary one when it has several (§1.2: CreateRoute requires exactly one).
    pub fn instance_interface(&self, instance: &InstanceId) -> Option<&NetworkInterface> {
        let inst = self.instances.get(instance)?;
        inst.network_interfaces
            .iter()
            .filter_map(|e| self.network_interfaces.get(e))
            .next()
            .or_else(|| {
                self.network_interfaces
                    .values()
                    .find(|e| e.instance_id.as_ref() == Some(instance))
            })
    }

    /// Derives whether `target`, used by a route table of `vpc`, can carry traffic now
    /// (semantics doc §3.4: detached IGW/VGW, deleted or failed NAT, non-active peering, missing
    /// interface, terminated instance, deleted endpoint → blackhole).
    pub fn target_status(&self, vpc: &VpcId, target: &Target) -> TargetStatus {
        use TargetStatus::*;
        let missing = |known: bool, what: &str, id: &str| {
            if known || self.removed.contains(id) {
                Blackhole(format!("{what} {id} does not exist"))
            } else {
                Unknown(format!(
                    "the input does not describe {what}s; {id} is assumed to exist and work"
                ))
            }
        };
        match target {
            Target::Local => Active,
            Target::InternetGateway(id) => match self.internet_gateways.get(id) {
                None => missing(
                    self.inventory.internet_gateways,
                    "internet gateway",
                    id.as_str(),
                ),
                Some(g) if g.attached_vpc.as_ref() == Some(vpc) => Active,
                Some(g) => match &g.attached_vpc {
                    None => Blackhole(format!("internet gateway {id} is detached")),
                    Some(other) => Blackhole(format!(
                        "internet gateway {id} is attached to {other}, not {vpc}"
                    )),
                },
            },
            Target::EgressOnlyInternetGateway(id) => {
                match self.egress_only_internet_gateways.get(id) {
                    None => missing(
                        self.inventory.egress_only_internet_gateways,
                        "egress-only internet gateway",
                        id.as_str(),
                    ),
                    Some(g) if g.attached_vpc.as_ref() == Some(vpc) => Active,
                    Some(_) => Blackhole(format!(
                        "egress-only internet gateway {id} is not attached to {vpc}"
                    )),
                }
            }
            Target::NatGateway(id) => match self.nat_gateways.get(id) {
                None => missing(self.inventory.nat_gateways, "NAT gateway", id.as_str()),
                Some(n) if n.state == NatGatewayState::Available => Active,
                Some(n) => Blackhole(format!("NAT gateway {id} is {}", n.state.name())),
            },
            Target::VpnGateway(id) => match self.vpn_gateways.get(id) {
                None => missing(
                    self.inventory.vpn_gateways,
                    "virtual private gateway",
                    id.as_str(),
                ),
                Some(g) if g.attached_vpc.as_ref() == Some(vpc) => Active,
                Some(_) => Blackhole(format!(
                    "virtual private gateway {id} is not attached to {vpc}"
                )),
            },
            Target::VpcPeeringConnection(id) => match self.vpc_peering_connections.get(id) {
                None => missing(
                    self.inventory.vpc_peering_connections,
                    "VPC peering connection",
                    id.as_str(),
                ),
                Some(p) if !p.is_active() => {
                    Blackhole(format!("VPC peering connection {id} is {}", p.status))
                }
                Some(p) if p.other_side(vpc).is_none() => Blackhole(format!(
                    "VPC peering connection {id} does not connect {vpc}"
                )),
                Some(_) => Active,
            },
            Target::TransitGateway(id) => {
                // Indexed by `reindex` (importers call it; apply keeps it current).
                if self.tgw_attached(id, vpc) {
                    Active
                } else if self.inventory.transit_gateway_attachments {
                    Blackhole(format!("transit gateway {id} has no attachment in {vpc}"))
                } else {
                    Unknown(format!(
                        "the input does not describe transit gateway attachments; {id} is assumed attached to {vpc}"
                    ))
                }
            }
            Target::NetworkInterface(id) => match self.network_interfaces.get(id) {
                None => missing(
                    self.inventory.network_interfaces,
                    "network interface",
                    id.as_str(),
                ),
                Some(e) => match &e.instance_id {
                    Some(i) => self.instance_status(i),
                    None => Active,
                },
            },
            Target::Instance(id) => match self.instances.get(id) {
                None => missing(self.inventory.instances, "instance", id.as_str()),
                Some(_) => self.instance_status(id),
            },
            Target::VpcEndpoint(id) => match self.vpc_endpoints.get(id) {
                None => missing(self.inventory.vpc_endpoints, "VPC endpoint", id.as_str()),
                Some(e)
                    if matches!(
                        e.state.as_str(),
                        "deleted" | "deleting" | "failed" | "rejected" | "expired"
                    ) =>
                {
                    Blackhole(format!("VPC endpoint {id} is {}", e.state))
                }
                Some(_) => Active,
            },
            Target::CarrierGateway(_)
            | Target::LocalGateway(_)
            | Target::CoreNetwork(_)
            | Target::OdbNetwork(_) => Unknown(format!(
                "{} targets are not modelled; {} is assumed to work",
                target.kind_name(),
                target.id()
            )),
            Target::Unknown(s) => {
                Blackhole(format!("target {s} is of a kind vpcsim does not know"))
            }
        }
    }

    /// The state of a route: derived from its target; only where the input does not describe
    /// the target's kind does a snapshot's reported `blackhole` decide (it is the best evidence).
    pub fn route_status(&self, vpc: &VpcId, route: &Route) -> TargetStatus {
        match self.target_status(vpc, &route.target) {
            TargetStatus::Unknown(_) if route.reported_state == Some(RouteState::Blackhole) => {
                TargetStatus::Blackhole(format!(
                    "the snapshot reports it blackhole and does not describe {}s, so vpcsim keeps the snapshot's state",
                    route.target.kind_name()
                ))
            }
            s => s,
        }
    }

    /// Whether the resource a target names exists, for kinds the input described (`None` when
    /// the kind was not described, or the target is `local` or an ARN).
    pub fn target_exists(&self, target: &Target) -> Option<bool> {
        let inv = &self.inventory;
        let removed = self.removed.contains(target.id());
        let known = |k: bool, present: bool| (k || removed).then_some(present);
        match target {
            Target::InternetGateway(i) => known(
                inv.internet_gateways,
                self.internet_gateways.contains_key(i),
            ),
            Target::EgressOnlyInternetGateway(i) => known(
                inv.egress_only_internet_gateways,
                self.egress_only_internet_gateways.contains_key(i),
            ),
            Target::NatGateway(i) => known(inv.nat_gateways, self.nat_gateways.contains_key(i)),
            Target::VpnGateway(i) => known(inv.vpn_gateways, self.vpn_gateways.contains_key(i)),
            Target::VpcPeeringConnection(i) => known(
                inv.vpc_peering_connections,
                self.vpc_peering_connections.contains_key(i),
            ),
            Target::NetworkInterface(i) => known(
                inv.network_interfaces,
                self.network_interfaces.contains_key(i),
            ),
            Target::Instance(i) => known(inv.instances, self.instances.contains_key(i)),
            Target::VpcEndpoint(i) => known(inv.vpc_endpoints, self.vpc_endpoints.contains_key(i)),
            _ => None,
        }
    }

    fn instance_status(&self, id: &InstanceId) -> TargetStatus {
        match self.instances.get(id) {
            None if self.inventory.instances => {
                TargetStatus::Blackhole(format!("instance {id} does not exist"))
            }
            None => TargetStatus::Active,
            Some(i) => match i.state.as_str() {
                "terminated" | "shutting-down" => {
                    TargetStatus::Blackhole(format!("instance {id} is {}", i.state))
                }
                // Semantics doc §3.4/§9: a stopped instance reportedly makes its routes blackhole (unverified).
                "stopped" | "stopping" => TargetStatus::Blackhole(format!(
                    "instance {id} is {} (assumed blackhole, semantics doc §9)",
                    i.state
                )),
                _ => TargetStatus::Active,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_table() -> Network {
        let mut net = Network::default();
        let id = RouteTableId::new("rtb-1");
        let mut t = RouteTable::new(id.clone(), VpcId::new("vpc-1"));
        t.put_route(Route::new(
            Destination::parse("10.0.0.0/16").expect("a CIDR"),
            Target::Local,
            RouteOrigin::CreateRouteTable,
        ));
        net.route_tables.insert(id, t);
        net.reindex();
        net
    }

    /// A copy shares the route tables until it changes them: a change the model refuses
    /// copies nothing (what asking the model about a record AWS refused relies on), one it
    /// applies copies them and leaves the original as it was; `unshare` copies at once.
    #[test]
    fn copies_share_collections_until_changed() {
        let net = one_table();
        let mut copy = net.clone();
        assert!(copy.route_tables.shares_with(&net.route_tables));
        let delete = |d: &str| Change::DeleteRoute {
            route_table_id: RouteTableId::new("rtb-1"),
            destination: Destination::parse(d).expect("a CIDR"),
        };
        assert!(
            copy.apply(&delete("192.0.2.0/24"), &Default::default())
                .is_err()
        );
        assert!(copy.route_tables.shares_with(&net.route_tables));
        assert!(copy.index.shares_with(&net.index));
        let create = Change::CreateRoute {
            route_table_id: RouteTableId::new("rtb-1"),
            destination: Destination::parse("0.0.0.0/0").expect("a CIDR"),
            targets: vec![Target::from_id("igw-1")],
        };
        let applied = copy.apply(&create, &Default::default());
        assert!(applied.is_ok(), "{applied:?}");
        assert!(!copy.route_tables.shares_with(&net.route_tables));
        assert_eq!(
            net.route_tables[&RouteTableId::new("rtb-1")].routes.len(),
            1
        );
        assert_eq!(
            copy.route_tables[&RouteTableId::new("rtb-1")].routes.len(),
            2
        );
        let mut other = net.clone();
        other.unshare();
        assert!(!other.subnets.shares_with(&net.subnets));
        assert!(!other.index.shares_with(&net.index));
        assert_eq!(format!("{other:?}"), format!("{net:?}"));
    }
}
