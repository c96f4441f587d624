//! Typed changes to the routing model: one variant per EC2 API call of the route family, named
//! exactly as CloudTrail's `eventName`, so that a grep finds both.
//!
//! A `Change` is what a CloudTrail record (or an AWS CLI command) *asked for*, already decoded and
//! validated for shape: IDs are typed, CIDRs parsed and canonicalised. Whether EC2 would accept
//! it is decided by [`crate::model::Network::apply`], which returns either the effect or the
//! error code EC2 would have returned (semantics doc §2.2). IDs that EC2 assigns (a new route
//! table's ID, a new association ID) come from the record's `responseElements` and are carried
//! here as `Option`s: `None` when the record does not say (a failed call, a what-if).

use super::ids::*;
use super::route::{Destination, Target};
use super::{ConnectivityType, VpcEndpointType};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::net::Ipv4Addr;

/// One requested change. Field names follow the EC2 API parameter names in snake case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    // --- routes (semantics doc §1.2–§1.4) ---
    CreateRoute {
        route_table_id: RouteTableId,
        destination: Destination,
        /// Every target parameter the request named; EC2 requires exactly one (§1.2).
        targets: Vec<Target>,
    },
    ReplaceRoute {
        route_table_id: RouteTableId,
        destination: Destination,
        targets: Vec<Target>,
        /// `LocalTarget=true`: restore a local route's target to `local` (§1.3).
        local_target: bool,
    },
    DeleteRoute {
        route_table_id: RouteTableId,
        destination: Destination,
    },

    // --- route tables and associations (§1.5, §1.6) ---
    CreateRouteTable {
        vpc_id: VpcId,
        route_table_id: Option<RouteTableId>,
    },
    DeleteRouteTable {
        route_table_id: RouteTableId,
    },
    AssociateRouteTable {
        route_table_id: RouteTableId,
        subnet_id: Option<SubnetId>,
        /// An internet or virtual private gateway: an edge association (§3.6).
        gateway_id: Option<String>,
        association_id: Option<RouteTableAssociationId>,
    },
    DisassociateRouteTable {
        association_id: RouteTableAssociationId,
    },
    ReplaceRouteTableAssociation {
        association_id: RouteTableAssociationId,
        route_table_id: RouteTableId,
        new_association_id: Option<RouteTableAssociationId>,
    },

    // --- VPCs, CIDRs, subnets (§1.12) ---
    CreateVpc {
        vpc_id: Option<VpcId>,
        cidr_block: Option<Ipv4Net>,
        ipv6_cidr_block: Option<Ipv6Net>,
        owner_id: Option<AccountId>,
    },
    DeleteVpc {
        vpc_id: VpcId,
    },
    AssociateVpcCidrBlock {
        vpc_id: VpcId,
        cidr_block: Option<IpNet>,
        association_id: Option<String>,
    },
    DisassociateVpcCidrBlock {
        association_id: String,
        /// The CIDR the response names, when it does.
        cidr_block: Option<IpNet>,
    },
    CreateSubnet {
        vpc_id: VpcId,
        subnet_id: Option<SubnetId>,
        cidr_block: Option<Ipv4Net>,
        ipv6_cidr_block: Option<Ipv6Net>,
        availability_zone: Option<String>,
    },
    DeleteSubnet {
        subnet_id: SubnetId,
    },
    ModifySubnetAttribute {
        subnet_id: SubnetId,
        map_public_ip_on_launch: Option<bool>,
        assign_ipv6_address_on_creation: Option<bool>,
    },

    // --- gateways (§1.7–§1.9, §1.11) ---
    CreateInternetGateway {
        internet_gateway_id: Option<InternetGatewayId>,
    },
    AttachInternetGateway {
        internet_gateway_id: InternetGatewayId,
        vpc_id: VpcId,
    },
    DetachInternetGateway {
        internet_gateway_id: InternetGatewayId,
        vpc_id: VpcId,
    },
    DeleteInternetGateway {
        internet_gateway_id: InternetGatewayId,
    },
    CreateEgressOnlyInternetGateway {
        vpc_id: VpcId,
        egress_only_internet_gateway_id: Option<EgressOnlyInternetGatewayId>,
    },
    DeleteEgressOnlyInternetGateway {
        egress_only_internet_gateway_id: EgressOnlyInternetGatewayId,
    },
    CreateNatGateway {
        subnet_id: SubnetId,
        /// The VPC, when the response says it (lets a lenient replay infer an unknown subnet).
        vpc_id: Option<VpcId>,
        nat_gateway_id: Option<NatGatewayId>,
        connectivity_type: ConnectivityType,
        allocation_id: Option<AllocationId>,
        private_ip: Option<Ipv4Addr>,
        public_ip: Option<Ipv4Addr>,
    },
    DeleteNatGateway {
        nat_gateway_id: NatGatewayId,
    },
    CreateVpnGateway {
        vpn_gateway_id: Option<VpnGatewayId>,
        amazon_side_asn: Option<u64>,
    },
    AttachVpnGateway {
        vpn_gateway_id: VpnGatewayId,
        vpc_id: VpcId,
    },
    DetachVpnGateway {
        vpn_gateway_id: VpnGatewayId,
        vpc_id: VpcId,
    },
    DeleteVpnGateway {
        vpn_gateway_id: VpnGatewayId,
    },
    EnableVgwRoutePropagation {
        route_table_id: RouteTableId,
        gateway_id: VpnGatewayId,
    },
    DisableVgwRoutePropagation {
        route_table_id: RouteTableId,
        gateway_id: VpnGatewayId,
    },

    // --- peering (§1.10) ---
    CreateVpcPeeringConnection {
        vpc_id: VpcId,
        peer_vpc_id: VpcId,
        peer_owner_id: Option<AccountId>,
        peer_region: Option<String>,
        vpc_peering_connection_id: Option<VpcPeeringConnectionId>,
    },
    AcceptVpcPeeringConnection {
        vpc_peering_connection_id: VpcPeeringConnectionId,
    },
    RejectVpcPeeringConnection {
        vpc_peering_connection_id: VpcPeeringConnectionId,
    },
    DeleteVpcPeeringConnection {
        vpc_peering_connection_id: VpcPeeringConnectionId,
    },

    // --- endpoints (§1.14) ---
    CreateVpcEndpoint {
        vpc_id: VpcId,
        vpc_endpoint_id: Option<VpcEndpointId>,
        endpoint_type: VpcEndpointType,
        service_name: Option<String>,
        route_table_ids: Vec<RouteTableId>,
        subnet_ids: Vec<SubnetId>,
    },
    ModifyVpcEndpoint {
        vpc_endpoint_id: VpcEndpointId,
        add_route_table_ids: Vec<RouteTableId>,
        remove_route_table_ids: Vec<RouteTableId>,
    },
    DeleteVpcEndpoints {
        vpc_endpoint_ids: Vec<VpcEndpointId>,
    },

    // --- addresses, interfaces, instances (enough for public addressing, §4.1) ---
    AllocateAddress {
        allocation_id: Option<AllocationId>,
        public_ip: Option<Ipv4Addr>,
    },
    AssociateAddress {
        allocation_id: Option<AllocationId>,
        public_ip: Option<Ipv4Addr>,
        instance_id: Option<InstanceId>,
        network_interface_id: Option<NetworkInterfaceId>,
        private_ip: Option<Ipv4Addr>,
        association_id: Option<String>,
    },
    DisassociateAddress {
        association_id: Option<String>,
        public_ip: Option<Ipv4Addr>,
    },
    ReleaseAddress {
        allocation_id: Option<AllocationId>,
        public_ip: Option<Ipv4Addr>,
    },
    CreateNetworkInterface {
        subnet_id: SubnetId,
        network_interface_id: Option<NetworkInterfaceId>,
        private_ips: Vec<Ipv4Addr>,
    },
    DeleteNetworkInterface {
        network_interface_id: NetworkInterfaceId,
    },
    ModifyNetworkInterfaceAttribute {
        network_interface_id: NetworkInterfaceId,
        source_dest_check: Option<bool>,
    },
    RunInstances {
        instances: Vec<LaunchedInstance>,
    },
    TerminateInstances {
        instance_ids: Vec<InstanceId>,
    },

    // --- transit gateway attachments (§1.13) ---
    CreateTransitGatewayVpcAttachment {
        transit_gateway_id: TransitGatewayId,
        vpc_id: VpcId,
        subnet_ids: Vec<SubnetId>,
        transit_gateway_attachment_id: Option<TransitGatewayAttachmentId>,
    },
    DeleteTransitGatewayVpcAttachment {
        transit_gateway_attachment_id: TransitGatewayAttachmentId,
    },
}

/// One instance as RunInstances' response describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaunchedInstance {
    pub instance_id: InstanceId,
    pub subnet_id: Option<SubnetId>,
    pub network_interface_id: Option<NetworkInterfaceId>,
    pub private_ip: Option<Ipv4Addr>,
    pub public_ip: Option<Ipv4Addr>,
}

impl Change {
    /// The CloudTrail `eventName` of this change.
    pub fn event_name(&self) -> &'static str {
        match self {
            Change::CreateRoute { .. } => "CreateRoute",
            Change::ReplaceRoute { .. } => "ReplaceRoute",
            Change::DeleteRoute { .. } => "DeleteRoute",
            Change::CreateRouteTable { .. } => "CreateRouteTable",
            Change::DeleteRouteTable { .. } => "DeleteRouteTable",
            Change::AssociateRouteTable { .. } => "AssociateRouteTable",
            Change::DisassociateRouteTable { .. } => "DisassociateRouteTable",
            Change::ReplaceRouteTableAssociation { .. } => "ReplaceRouteTableAssociation",
            Change::CreateVpc { .. } => "CreateVpc",
            Change::DeleteVpc { .. } => "DeleteVpc",
            Change::AssociateVpcCidrBlock { .. } => "AssociateVpcCidrBlock",
            Change::DisassociateVpcCidrBlock { .. } => "DisassociateVpcCidrBlock",
            Change::CreateSubnet { .. } => "CreateSubnet",
            Change::DeleteSubnet { .. } => "DeleteSubnet",
            Change::ModifySubnetAttribute { .. } => "ModifySubnetAttribute",
            Change::CreateInternetGateway { .. } => "CreateInternetGateway",
            Change::AttachInternetGateway { .. } => "AttachInternetGateway",
            Change::DetachInternetGateway { .. } => "DetachInternetGateway",
            Change::DeleteInternetGateway { .. } => "DeleteInternetGateway",
            Change::CreateEgressOnlyInternetGateway { .. } => "CreateEgressOnlyInternetGateway",
            Change::DeleteEgressOnlyInternetGateway { .. } => "DeleteEgressOnlyInternetGateway",
            Change::CreateNatGateway { .. } => "CreateNatGateway",
            Change::DeleteNatGateway { .. } => "DeleteNatGateway",
            Change::CreateVpnGateway { .. } => "CreateVpnGateway",
            Change::AttachVpnGateway { .. } => "AttachVpnGateway",
            Change::DetachVpnGateway { .. } => "DetachVpnGateway",
            Change::DeleteVpnGateway { .. } => "DeleteVpnGateway",
            Change::EnableVgwRoutePropagation { .. } => "EnableVgwRoutePropagation",
            Change::DisableVgwRoutePropagation { .. } => "DisableVgwRoutePropagation",
            Change::CreateVpcPeeringConnection { .. } => "CreateVpcPeeringConnection",
            Change::AcceptVpcPeeringConnection { .. } => "AcceptVpcPeeringConnection",
            Change::RejectVpcPeeringConnection { .. } => "RejectVpcPeeringConnection",
            Change::DeleteVpcPeeringConnection { .. } => "DeleteVpcPeeringConnection",
            Change::CreateVpcEndpoint { .. } => "CreateVpcEndpoint",
            Change::ModifyVpcEndpoint { .. } => "ModifyVpcEndpoint",
            Change::DeleteVpcEndpoints { .. } => "DeleteVpcEndpoints",
            Change::AllocateAddress { .. } => "AllocateAddress",
            Change::AssociateAddress { .. } => "AssociateAddress",
            Change::DisassociateAddress { .. } => "DisassociateAddress",
            Change::ReleaseAddress { .. } => "ReleaseAddress",
            Change::CreateNetworkInterface { .. } => "CreateNetworkInterface",
            Change::DeleteNetworkInterface { .. } => "DeleteNetworkInterface",
            Change::ModifyNetworkInterfaceAttribute { .. } => "ModifyNetworkInterfaceAttribute",
            Change::RunInstances { .. } => "RunInstances",
            Change::TerminateInstances { .. } => "TerminateInstances",
            Change::CreateTransitGatewayVpcAttachment { .. } => "CreateTransitGatewayVpcAttachment",
            Change::DeleteTransitGatewayVpcAttachment { .. } => "DeleteTransitGatewayVpcAttachment",
        }
    }
}

/// The error EC2 would return (semantics doc §2.2): a case-sensitive code and a message in AWS's
/// wording where a real log gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ec2Error {
    pub code: &'static str,
    pub message: String,
}

impl Ec2Error {
    pub fn new(code: &'static str, message: impl Into<String>) -> Ec2Error {
        Ec2Error {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Ec2Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}
