//! Export of a [`Network`] as `aws ec2 describe-*` JSON (semantics doc §6): one file per resource
//! kind, in the shapes the AWS CLI prints (PascalCase member names), which [`super::json`] reads
//! back. Importing an exported directory and exporting again gives byte-identical files.
//!
//! **Which files.** A kind's `describe-*.json` is written exactly when [`Inventory`] says the input
//! described that kind, and then even when it is empty, so that the re-imported network has the
//! same inventory (an ID missing from a described kind is a deleted resource; from an undescribed
//! kind, an unknown one). Resources of a kind that was *not* described (a `create-*` output in
//! the input, or what `apply` created) are written one per file in the singular `create-*`
//! output shape (`create-nat-gateway.nat-0abc.json` holding `{"NatGateway": {...}}`), which the
//! importer reads without marking the kind described. Instances and Elastic IPs have no such
//! shape: they are only written when described.
//!
//! **Determinism.** Collections are written in the model's order (`BTreeMap` ID order; the
//! order of lists such as a VPC's CIDRs or a table's associations is kept), objects are
//! `serde_json` maps (sorted keys), and nothing is written that the model does not hold: no clock,
//! no made-up IDs. Constant fields the CLI always prints (`"State": "available"` of a VPC,
//! `"AssociationState": {"State": "associated"}`) are written as AWS prints them.
//!
//! **Derived and encoded fields.**
//! * A route's `State` is the state vpcsim *derives* ([`Network::route_status`]): `blackhole` or
//!   `active` (an undescribed target counts as `active`). The importer keeps it as the reported
//!   state, and for targets of undescribed kinds that reported `blackhole` decides, so the derived
//!   state survives the round trip.
//! * The model's `region` of VPCs and subnets has no describe field (the importer takes it from a
//!   Batfish path such as `aws_configs/us-east-1/`): it is written as the tag
//!   [`REGION_TAG`] (`vpcsim:region`), which the importer reads back. Peering sides carry theirs
//!   in `VpcInfo.Region`.
//! * Managed prefix lists are written in the shape that carries entries, under the key
//!   `ManagedPrefixLists` (vpcsim's own, read back as a complete description of the lists):
//!   `{"ManagedPrefixLists": [{PrefixListId, PrefixListName, MaxEntries, Cidrs}]}`
//!   (describe-prefix-lists' `Cidrs` as in Batfish snapshots, beside
//!   describe-managed-prefix-lists' `MaxEntries`); the AWS key `PrefixLists` is shared by
//!   describe-prefix-lists, which lists only AWS service lists. A list without entries is written
//!   without `Cidrs`.
//! * An interface's public IPv4 mappings are written as `Association`s of its
//!   `PrivateIpAddresses`. When the mappings' order does not follow the private addresses'
//!   order (possible after Elastic IPs were associated in another order), the private addresses
//!   are listed first without associations and the mappings follow as extra entries, which the
//!   importer reads back in the same order.
//! * An interface's `Attachment.DeviceIndex` is its position among its instance's interfaces,
//!   so that the instance's primary interface stays first.
//!
//! **Not carried** (no describe field holds them): which IDs `apply` made up as placeholders and
//! which it removed (a removed target's routes keep `State: "blackhole"` but the reason becomes
//! the snapshot's state), whether a prefix list's entries were known when it has none, a
//! route's originally reported state (replaced by the derived one), and instances and Elastic IPs
//! of kinds that were not described.

use crate::model::*;
use ipnet::IpNet;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

/// The tag that carries a VPC's or subnet's region, which no describe field holds.
pub const REGION_TAG: &str = "vpcsim:region";

/// Every file of the export, as (file name, pretty-printed JSON ending in a newline), in a fixed
/// order: the describe-* files in import order, then the per-resource `create-*` files.
pub fn export(net: &Network) -> Vec<(String, String)> {
    let inv = &net.inventory;
    let mut out = Out::default();
    let attached = instance_interfaces(net);
    let device: BTreeMap<&NetworkInterfaceId, usize> = attached
        .values()
        .flat_map(|list| list.iter().enumerate().map(|(i, e)| (*e, i)))
        .collect();

    out.kind(
        inv.vpcs,
        "describe-vpcs.json",
        "Vpcs",
        Some(("create-vpc", "Vpc")),
        net.vpcs.iter().map(|(id, v)| (id.to_string(), vpc(id, v))),
    );
    out.kind(
        inv.subnets,
        "describe-subnets.json",
        "Subnets",
        Some(("create-subnet", "Subnet")),
        net.subnets.values().map(|s| (s.id.to_string(), subnet(s))),
    );
    out.kind(
        inv.route_tables,
        "describe-route-tables.json",
        "RouteTables",
        Some(("create-route-table", "RouteTable")),
        net.route_tables
            .values()
            .map(|t| (t.id.to_string(), route_table(net, t))),
    );
    out.kind(
        inv.internet_gateways,
        "describe-internet-gateways.json",
        "InternetGateways",
        Some(("create-internet-gateway", "InternetGateway")),
        net.internet_gateways
            .values()
            .map(|g| (g.id.to_string(), internet_gateway(g))),
    );
    out.kind(
        inv.egress_only_internet_gateways,
        "describe-egress-only-internet-gateways.json",
        "EgressOnlyInternetGateways",
        Some((
            "create-egress-only-internet-gateway",
            "EgressOnlyInternetGateway",
        )),
        net.egress_only_internet_gateways
            .values()
            .map(|g| (g.id.to_string(), egress_only_internet_gateway(g))),
    );
    out.kind(
        inv.nat_gateways,
        "describe-nat-gateways.json",
        "NatGateways",
        Some(("create-nat-gateway", "NatGateway")),
        net.nat_gateways
            .values()
            .map(|n| (n.id.to_string(), nat_gateway(n))),
    );
    out.kind(
        inv.vpn_gateways,
        "describe-vpn-gateways.json",
        "VpnGateways",
        Some(("create-vpn-gateway", "VpnGateway")),
        net.vpn_gateways
            .values()
            .map(|g| (g.id.to_string(), vpn_gateway(g))),
    );
    out.kind(
        inv.vpc_peering_connections,
        "describe-vpc-peering-connections.json",
        "VpcPeeringConnections",
        Some(("create-vpc-peering-connection", "VpcPeeringConnection")),
        net.vpc_peering_connections
            .values()
            .map(|p| (p.id.to_string(), peering(p))),
    );
    out.kind(
        inv.transit_gateway_attachments,
        "describe-transit-gateway-vpc-attachments.json",
        "TransitGatewayVpcAttachments",
        Some((
            "create-transit-gateway-vpc-attachment",
            "TransitGatewayVpcAttachment",
        )),
        net.transit_gateway_attachments
            .values()
            .map(|a| (a.id.to_string(), tgw_attachment(a))),
    );
    out.kind(
        inv.vpc_endpoints,
        "describe-vpc-endpoints.json",
        "VpcEndpoints",
        Some(("create-vpc-endpoint", "VpcEndpoint")),
        net.vpc_endpoints
            .values()
            .map(|e| (e.id.to_string(), vpc_endpoint(e))),
    );
    out.kind(
        inv.prefix_lists,
        "describe-managed-prefix-lists.json",
        "ManagedPrefixLists",
        Some(("create-managed-prefix-list", "PrefixList")),
        net.prefix_lists
            .values()
            .map(|p| (p.id.to_string(), prefix_list(p))),
    );
    out.kind(
        inv.network_interfaces,
        "describe-network-interfaces.json",
        "NetworkInterfaces",
        Some(("create-network-interface", "NetworkInterface")),
        net.network_interfaces
            .values()
            .map(|e| (e.id.to_string(), interface(e, device.get(&e.id).copied()))),
    );
    // describe-instances: one reservation per instance (the model keeps no reservation IDs).
    out.kind(
        inv.instances,
        "describe-instances.json",
        "Reservations",
        None,
        net.instances.values().map(|i| {
            let enis = attached.get(&i.id).map(Vec::as_slice).unwrap_or(&[]);
            let reservation = Obj::new()
                .put("Instances", Value::Array(vec![instance(net, i, enis)]))
                .done();
            (i.id.to_string(), reservation)
        }),
    );
    out.kind(
        inv.addresses,
        "describe-addresses.json",
        "Addresses",
        None,
        net.addresses
            .iter()
            .map(|a| (a.public_ip.to_string(), address(a))),
    );

    let Out { mut files, singles } = out;
    files.extend(singles);
    files
}

/// Writes the files of [`export`] into `dir` (created if missing) and returns their paths.
/// Other files in `dir` are left alone; since the importer reads every `*.json` below a
/// directory, export into an empty one to re-import exactly this state.
pub fn write_dir(net: &Network, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut paths = Vec::new();
    for (name, text) in export(net) {
        let path = dir.join(name);
        std::fs::write(&path, text)?;
        paths.push(path);
    }
    Ok(paths)
}

// ---------------------------------------------------------------------------------------------
// Files and objects

#[derive(Default)]
struct Out {
    files: Vec<(String, String)>,
    singles: Vec<(String, String)>,
}

impl Out {
    /// A describe-* file when the kind was described; otherwise one `create-*` file per record
    /// (when the kind has a singular shape), so that the records survive without marking the
    /// kind described.
    fn kind(
        &mut self,
        described: bool,
        file: &str,
        key: &str,
        single: Option<(&str, &str)>,
        records: impl Iterator<Item = (String, Value)>,
    ) {
        if described {
            self.files
                .push((file.to_string(), pretty_list(key, records.map(|(_, v)| v))));
        } else if let Some((prefix, single_key)) = single {
            for (id, record) in records {
                let doc = Obj::new().put(single_key, record).done();
                self.singles
                    .push((format!("{prefix}.{}.json", file_safe(&id)), pretty(&doc)));
            }
        }
    }
}

/// `{"<key>": [records...]}` as [`pretty`] prints it, each record rendered as it comes, so
/// that a large account's records are never all held as JSON values at once (the route
/// tables of a 20,000-subnet account were a gigabyte of them).
fn pretty_list(key: &str, records: impl Iterator<Item = Value>) -> String {
    let mut text = String::from("{\n  ");
    text.push_str(&serde_json::to_string(key).expect("a string always serialises"));
    text.push_str(": [");
    let mut first = true;
    for record in records {
        text.push_str(if first { "\n" } else { ",\n" });
        first = false;
        // The record at the list's depth: pretty at depth 0, every line indented two levels.
        let body = serde_json::to_string_pretty(&record).expect("a JSON value always serialises");
        for (i, line) in body.lines().enumerate() {
            if i > 0 {
                text.push('\n');
            }
            text.push_str("    ");
            text.push_str(line);
        }
    }
    text.push_str(if first { "]\n}\n" } else { "\n  ]\n}\n" });
    text
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("a JSON value always serialises");
    s.push('\n');
    s
}

/// An ID as part of a file name: anything but letters, digits, `.`, `_` and `-` becomes `_`.
fn file_safe(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A JSON object under construction; absent optional members are simply not written.
struct Obj(Map<String, Value>);

impl Obj {
    fn new() -> Obj {
        Obj(Map::new())
    }

    fn put(mut self, key: &str, v: impl Into<Value>) -> Obj {
        self.0.insert(key.to_string(), v.into());
        self
    }

    fn opt(self, key: &str, v: Option<impl Into<Value>>) -> Obj {
        match v {
            Some(v) => self.put(key, v),
            None => self,
        }
    }

    /// A list member, written only when it has elements.
    fn list(self, key: &str, items: Vec<Value>) -> Obj {
        if items.is_empty() {
            self
        } else {
            self.put(key, Value::Array(items))
        }
    }

    fn done(self) -> Value {
        Value::Object(self.0)
    }
}

fn state(s: &str) -> Value {
    Obj::new().put("State", s).done()
}

fn strings<T: ToString>(items: impl IntoIterator<Item = T>) -> Value {
    Value::Array(
        items
            .into_iter()
            .map(|i| Value::String(i.to_string()))
            .collect(),
    )
}

/// `Tags` with the `Name` and the region tag, in that order (empty when neither is known).
fn tags(name: Option<&str>, region: Option<&str>) -> Vec<Value> {
    let tag = |k: &str, v: &str| Obj::new().put("Key", k).put("Value", v).done();
    name.map(|n| tag("Name", n))
        .into_iter()
        .chain(region.map(|r| tag(REGION_TAG, r)))
        .collect()
}

/// The elements of `items` without repeats, first occurrence kept (the importer drops repeats).
fn dedup<T: PartialEq + Clone>(items: &[T]) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for i in items {
        if !out.contains(i) {
            out.push(i.clone());
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Records

/// describe-vpcs (§6.3): the primary CIDR first; one association entry per known association ID.
fn vpc(id: &VpcId, v: &Vpc) -> Value {
    let assoc_ids = |net: IpNet| -> Vec<&str> {
        v.cidr_associations
            .iter()
            .filter(|(_, c)| **c == net)
            .map(|(a, _)| a.as_str())
            .collect()
    };
    let entries = |net: IpNet, cidr_key: &str, state_key: &str| -> Vec<Value> {
        let entry = |a: Option<&str>| {
            Obj::new()
                .opt("AssociationId", a)
                .put(cidr_key, net.to_string())
                .put(state_key, state("associated"))
                .done()
        };
        let ids = assoc_ids(net);
        if ids.is_empty() {
            vec![entry(None)]
        } else {
            ids.into_iter().map(|a| entry(Some(a))).collect()
        }
    };
    let v4 = dedup(&v.ipv4_cidrs);
    let v6 = dedup(&v.ipv6_cidrs);
    let set4: Vec<Value> = v4
        .iter()
        .flat_map(|n| entries(IpNet::V4(*n), "CidrBlock", "CidrBlockState"))
        .collect();
    let set6: Vec<Value> = v6
        .iter()
        .flat_map(|n| entries(IpNet::V6(*n), "Ipv6CidrBlock", "Ipv6CidrBlockState"))
        .collect();
    Obj::new()
        .put("VpcId", id.as_str())
        .put("State", "available")
        .opt("CidrBlock", v4.first().map(|n| n.to_string()))
        .put("CidrBlockAssociationSet", Value::Array(set4))
        .list("Ipv6CidrBlockAssociationSet", set6)
        .put("IsDefault", v.is_default)
        .opt("OwnerId", v.owner_id.as_ref().map(|o| o.as_str()))
        .list("Tags", tags(v.name.as_deref(), v.region.as_deref()))
        .done()
}

/// describe-subnets (§6.2).
fn subnet(s: &Subnet) -> Value {
    let v6: Vec<Value> = dedup(&s.ipv6_cidrs)
        .iter()
        .map(|n| {
            Obj::new()
                .put("Ipv6CidrBlock", n.to_string())
                .put("Ipv6CidrBlockState", state("associated"))
                .done()
        })
        .collect();
    Obj::new()
        .put("SubnetId", s.id.as_str())
        .put("VpcId", s.vpc_id.as_str())
        .put("State", "available")
        .opt("CidrBlock", s.ipv4_cidr.map(|n| n.to_string()))
        .list("Ipv6CidrBlockAssociationSet", v6)
        .opt("AvailabilityZone", s.availability_zone.as_deref())
        .put("MapPublicIpOnLaunch", s.map_public_ip_on_launch)
        .put(
            "AssignIpv6AddressOnCreation",
            s.assign_ipv6_address_on_creation,
        )
        .opt("OwnerId", s.owner_id.as_ref().map(|o| o.as_str()))
        .list("Tags", tags(s.name.as_deref(), s.region.as_deref()))
        .done()
}

/// describe-route-tables (§6.1): routes with their derived state, associations, propagation.
fn route_table(net: &Network, t: &RouteTable) -> Value {
    let routes: Vec<Value> = t
        .routes
        .values()
        .map(|r| route(net, &t.vpc_id, r))
        .collect();
    let associations: Vec<Value> = t
        .associations
        .iter()
        .map(|a| {
            let o = Obj::new()
                .put("Main", a.target == AssociationTarget::Main)
                .put("RouteTableAssociationId", a.id.as_str())
                .put("RouteTableId", t.id.as_str());
            let o = match &a.target {
                AssociationTarget::Main => o,
                AssociationTarget::Subnet(s) => o.put("SubnetId", s.as_str()),
                AssociationTarget::Gateway(g) => o.put("GatewayId", g.as_str()),
            };
            o.put("AssociationState", state("associated")).done()
        })
        .collect();
    let vgws: Vec<Value> = t
        .propagating_vgws
        .iter()
        .map(|g| Obj::new().put("GatewayId", g.as_str()).done())
        .collect();
    Obj::new()
        .put("RouteTableId", t.id.as_str())
        .put("VpcId", t.vpc_id.as_str())
        .opt("OwnerId", t.owner_id.as_ref().map(|o| o.as_str()))
        .put("Routes", Value::Array(routes))
        .put("Associations", Value::Array(associations))
        .put("PropagatingVgws", Value::Array(vgws))
        .list("Tags", tags(t.name.as_deref(), None))
        .done()
}

/// One route: its destination field, exactly one target field, `Origin`, and the derived `State`.
fn route(net: &Network, vpc: &VpcId, r: &Route) -> Value {
    let (dest_key, dest) = match &r.destination {
        Destination::Ipv4(n) => ("DestinationCidrBlock", n.to_string()),
        Destination::Ipv6(n) => ("DestinationIpv6CidrBlock", n.to_string()),
        Destination::PrefixList(p) => ("DestinationPrefixListId", p.to_string()),
    };
    let target_key = match &r.target {
        // §6.1: `GatewayId` carries igw-, vgw-, vpce- and "local"; an unclassified target goes
        // there too (the importer classifies it by prefix again and keeps it as unknown).
        Target::Local
        | Target::InternetGateway(_)
        | Target::VpnGateway(_)
        | Target::VpcEndpoint(_)
        | Target::Unknown(_) => "GatewayId",
        Target::NatGateway(_) => "NatGatewayId",
        Target::TransitGateway(_) => "TransitGatewayId",
        Target::VpcPeeringConnection(_) => "VpcPeeringConnectionId",
        Target::EgressOnlyInternetGateway(_) => "EgressOnlyInternetGatewayId",
        Target::NetworkInterface(_) => "NetworkInterfaceId",
        Target::Instance(_) => "InstanceId",
        Target::CarrierGateway(_) => "CarrierGatewayId",
        Target::LocalGateway(_) => "LocalGatewayId",
        Target::CoreNetwork(_) => "CoreNetworkArn",
        Target::OdbNetwork(_) => "OdbNetworkArn",
    };
    let derived = match net.route_status(vpc, r) {
        TargetStatus::Blackhole(_) => RouteState::Blackhole,
        TargetStatus::Active | TargetStatus::Unknown(_) => RouteState::Active,
    };
    Obj::new()
        .put(dest_key, dest)
        .put(target_key, r.target.id())
        .put("Origin", r.origin.name())
        .put("State", derived.name())
        .done()
}

/// describe-internet-gateways (§6.4): an attachment's state is `available` (sic).
fn internet_gateway(g: &InternetGateway) -> Value {
    Obj::new()
        .put("InternetGatewayId", g.id.as_str())
        .opt("OwnerId", g.owner_id.as_ref().map(|o| o.as_str()))
        .put(
            "Attachments",
            attachments(g.attached_vpc.as_ref(), "available"),
        )
        .done()
}

/// describe-egress-only-internet-gateways (§6.5).
fn egress_only_internet_gateway(g: &EgressOnlyInternetGateway) -> Value {
    Obj::new()
        .put("EgressOnlyInternetGatewayId", g.id.as_str())
        .put(
            "Attachments",
            attachments(g.attached_vpc.as_ref(), "attached"),
        )
        .done()
}

fn attachments(vpc: Option<&VpcId>, attached: &str) -> Value {
    Value::Array(
        vpc.map(|v| {
            Obj::new()
                .put("State", attached)
                .put("VpcId", v.as_str())
                .done()
        })
        .into_iter()
        .collect(),
    )
}

/// describe-nat-gateways (§6.6): the i-th address entry pairs the i-th private and public IP.
fn nat_gateway(n: &NatGateway) -> Value {
    let private = dedup(&n.private_ips);
    let public = dedup(&n.public_ips);
    let addresses: Vec<Value> = (0..private.len().max(public.len()))
        .map(|i| {
            Obj::new()
                .opt("PrivateIp", private.get(i).map(|a| a.to_string()))
                .opt("PublicIp", public.get(i).map(|a| a.to_string()))
                .put("IsPrimary", i == 0)
                .done()
        })
        .collect();
    let connectivity = match n.connectivity {
        ConnectivityType::Public => "public",
        ConnectivityType::Private => "private",
    };
    Obj::new()
        .put("NatGatewayId", n.id.as_str())
        .put("SubnetId", n.subnet_id.as_str())
        .opt("VpcId", n.vpc_id.as_ref().map(|v| v.as_str()))
        .put("State", n.state.name())
        .put("ConnectivityType", connectivity)
        .put("NatGatewayAddresses", Value::Array(addresses))
        .done()
}

/// describe-vpn-gateways (§6.7).
fn vpn_gateway(g: &VpnGateway) -> Value {
    let attachments: Vec<Value> = g
        .attached_vpc
        .iter()
        .map(|v| {
            Obj::new()
                .put("State", "attached")
                .put("VpcId", v.as_str())
                .done()
        })
        .collect();
    Obj::new()
        .put("VpnGatewayId", g.id.as_str())
        .put("State", "available")
        .put("Type", "ipsec.1")
        .opt("AmazonSideAsn", g.amazon_side_asn)
        .put("VpcAttachments", Value::Array(attachments))
        .done()
}

/// describe-vpc-peering-connections (§6.8).
fn peering(p: &VpcPeeringConnection) -> Value {
    Obj::new()
        .put("VpcPeeringConnectionId", p.id.as_str())
        .put("Status", Obj::new().put("Code", p.status.as_str()).done())
        .put("RequesterVpcInfo", peering_side(&p.requester))
        .put("AccepterVpcInfo", peering_side(&p.accepter))
        .done()
}

fn peering_side(s: &PeeringSide) -> Value {
    let v4 = dedup(&s.ipv4_cidrs);
    let v6 = dedup(&s.ipv6_cidrs);
    Obj::new()
        .put("VpcId", s.vpc_id.as_str())
        .opt("OwnerId", s.owner_id.as_ref().map(|o| o.as_str()))
        .opt("Region", s.region.as_deref())
        .opt("CidrBlock", v4.first().map(|n| n.to_string()))
        .list(
            "CidrBlockSet",
            v4.iter()
                .map(|n| Obj::new().put("CidrBlock", n.to_string()).done())
                .collect(),
        )
        .list(
            "Ipv6CidrBlockSet",
            v6.iter()
                .map(|n| Obj::new().put("Ipv6CidrBlock", n.to_string()).done())
                .collect(),
        )
        .done()
}

/// describe-transit-gateway-vpc-attachments (§6.9).
fn tgw_attachment(a: &TransitGatewayAttachment) -> Value {
    Obj::new()
        .put("TransitGatewayAttachmentId", a.id.as_str())
        .put("TransitGatewayId", a.transit_gateway_id.as_str())
        .put("VpcId", a.vpc_id.as_str())
        .put("State", a.state.as_str())
        .put("SubnetIds", strings(&a.subnet_ids))
        .done()
}

/// describe-vpc-endpoints (§6.9). The state is written in lower case, as real output has it
/// and as the importer stores it. An endpoint type vpcsim does not model is written `Other`.
fn vpc_endpoint(e: &VpcEndpoint) -> Value {
    let endpoint_type = match e.endpoint_type {
        VpcEndpointType::Gateway => "Gateway",
        VpcEndpointType::GatewayLoadBalancer => "GatewayLoadBalancer",
        VpcEndpointType::Interface => "Interface",
        VpcEndpointType::Other => "Other",
    };
    Obj::new()
        .put("VpcEndpointId", e.id.as_str())
        .put("VpcEndpointType", endpoint_type)
        .put("VpcId", e.vpc_id.as_str())
        .opt("ServiceName", e.service_name.as_deref())
        .put("State", e.state.to_ascii_lowercase())
        .put("RouteTableIds", strings(&e.route_table_ids))
        .put("SubnetIds", strings(&e.subnet_ids))
        .done()
}

/// A prefix list with its entries as `Cidrs` (module doc).
fn prefix_list(p: &PrefixList) -> Value {
    let cidrs: Vec<Value> = dedup(&p.cidrs)
        .iter()
        .map(|n| Value::String(n.to_string()))
        .collect();
    Obj::new()
        .put("PrefixListId", p.id.as_str())
        .opt("PrefixListName", p.name.as_deref())
        .opt("MaxEntries", p.max_entries)
        .list("Cidrs", cidrs)
        .done()
}

/// Per instance, its interfaces in the order the importer rebuilds (primary first): those the
/// instance lists and that name it as their instance, then any other interface attached to it,
/// in ID order.
fn instance_interfaces(net: &Network) -> BTreeMap<&InstanceId, Vec<&NetworkInterfaceId>> {
    let mut by_instance: BTreeMap<&InstanceId, BTreeSet<&NetworkInterfaceId>> = BTreeMap::new();
    for e in net.network_interfaces.values() {
        if let Some(i) = &e.instance_id {
            by_instance.entry(i).or_default().insert(&e.id);
        }
    }
    let mut out = BTreeMap::new();
    for (id, inst) in &net.instances {
        let Some(mine) = by_instance.get(id) else {
            continue;
        };
        let mut list: Vec<&NetworkInterfaceId> = Vec::new();
        for e in &inst.network_interfaces {
            if let Some(e) = mine.get(e)
                && !list.contains(e)
            {
                list.push(e);
            }
        }
        for e in mine {
            if !list.contains(e) {
                list.push(e);
            }
        }
        out.insert(id, list);
    }
    out
}

/// An interface's private IPv4 addresses as written: the model's, then any address a public
/// mapping names that is not among them (the importer would add it the same way).
fn private_ips(e: &NetworkInterface) -> (Vec<Ipv4Addr>, Vec<(Ipv4Addr, Ipv4Addr)>) {
    let mut private = dedup(&e.private_ips);
    let mappings = dedup(&e.public_ips);
    for (p, _) in &mappings {
        if !private.contains(p) {
            private.push(*p);
        }
    }
    (private, mappings)
}

/// describe-network-interfaces (§6.9); `device` is the interface's `DeviceIndex`.
fn interface(e: &NetworkInterface, device: Option<usize>) -> Value {
    let (private, mappings) = private_ips(e);
    let association = |public: &Ipv4Addr| Obj::new().put("PublicIp", public.to_string()).done();
    let entry = |i: usize, ip: &Ipv4Addr, public: Option<&Ipv4Addr>| {
        Obj::new()
            .put("PrivateIpAddress", ip.to_string())
            .put("Primary", i == 0)
            .opt("Association", public.map(association))
            .done()
    };
    // The mappings follow the private addresses' order, one per address: each address carries
    // its own; otherwise the mappings come as extra entries after the addresses (module doc).
    let positions: Vec<Option<usize>> = mappings
        .iter()
        .map(|(p, _)| private.iter().position(|x| x == p))
        .collect();
    let in_order = positions.windows(2).all(|w| w[0] < w[1]);
    let entries: Vec<Value> = if in_order {
        private
            .iter()
            .enumerate()
            .map(|(i, ip)| {
                let public = mappings.iter().find(|(p, _)| p == ip).map(|(_, q)| q);
                entry(i, ip, public)
            })
            .collect()
    } else {
        let first = private.first();
        private
            .iter()
            .enumerate()
            .map(|(i, ip)| entry(i, ip, None))
            .chain(mappings.iter().map(|(ip, public)| {
                let i = if Some(ip) == first { 0 } else { 1 };
                entry(i, ip, Some(public))
            }))
            .collect()
    };
    let primary = private.first();
    let primary_public = primary
        .and_then(|p| mappings.iter().find(|(q, _)| q == p))
        .map(|(_, public)| association(public));
    let ipv6: Vec<Value> = e
        .ipv6_addresses
        .iter()
        .map(|a| Obj::new().put("Ipv6Address", a.to_string()).done())
        .collect();
    let attachment = e.instance_id.as_ref().map(|i| {
        Obj::new()
            .put("InstanceId", i.as_str())
            .opt("DeviceIndex", device)
            .put("Status", "attached")
            .done()
    });
    Obj::new()
        .put("NetworkInterfaceId", e.id.as_str())
        .put("SubnetId", e.subnet_id.as_str())
        .opt("VpcId", e.vpc_id.as_ref().map(|v| v.as_str()))
        .opt("InterfaceType", e.interface_type.as_deref())
        .opt("PrivateIpAddress", primary.map(|p| p.to_string()))
        .opt("Association", primary_public)
        .put("PrivateIpAddresses", Value::Array(entries))
        .put("Ipv6Addresses", Value::Array(ipv6))
        .put("SourceDestCheck", e.source_dest_check)
        .opt("Attachment", attachment)
        .done()
}

/// describe-instances: the instance with its interfaces (primary first) and, as the CLI shows
/// them, the primary interface's first private address and its public address.
fn instance(net: &Network, i: &Instance, enis: &[&NetworkInterfaceId]) -> Value {
    let interfaces: Vec<&NetworkInterface> = enis
        .iter()
        .filter_map(|e| net.network_interfaces.get(*e))
        .collect();
    let (private, public) = match interfaces.first() {
        Some(e) => {
            let (private, mappings) = private_ips(e);
            let first = private.first().copied();
            let public = first.and_then(|p| {
                mappings
                    .iter()
                    .find(|(q, _)| *q == p)
                    .map(|(_, public)| *public)
            });
            (first, public)
        }
        None => (None, None),
    };
    // The instance's VPC, when its interfaces agree on one (an interface record without VpcId
    // would otherwise inherit it).
    let vpcs: BTreeSet<Option<&VpcId>> = interfaces.iter().map(|e| e.vpc_id.as_ref()).collect();
    let vpc = match vpcs.into_iter().collect::<Vec<_>>().as_slice() {
        [Some(v)] => Some(v.as_str()),
        _ => None,
    };
    let code = match i.state.as_str() {
        "pending" => Some(0),
        "running" => Some(16),
        "shutting-down" => Some(32),
        "terminated" => Some(48),
        "stopping" => Some(64),
        "stopped" => Some(80),
        _ => None,
    };
    let records: Vec<Value> = interfaces
        .iter()
        .enumerate()
        .map(|(d, e)| interface(e, Some(d)))
        .collect();
    Obj::new()
        .put("InstanceId", i.id.as_str())
        .put(
            "State",
            Obj::new()
                .opt("Code", code)
                .put("Name", i.state.as_str())
                .done(),
        )
        .opt("SubnetId", i.subnet_id.as_ref().map(|s| s.as_str()))
        .opt("VpcId", vpc)
        .opt("PrivateIpAddress", private.map(|p| p.to_string()))
        .opt("PublicIpAddress", public.map(|p| p.to_string()))
        .put("NetworkInterfaces", Value::Array(records))
        .done()
}

/// describe-addresses.
fn address(a: &Address) -> Value {
    Obj::new()
        .put("PublicIp", a.public_ip.to_string())
        .opt("AllocationId", a.allocation_id.as_ref().map(|x| x.as_str()))
        .opt("AssociationId", a.association_id.as_deref())
        .put("Domain", "vpc")
        .opt("InstanceId", a.instance_id.as_ref().map(|x| x.as_str()))
        .opt(
            "NetworkInterfaceId",
            a.network_interface_id.as_ref().map(|x| x.as_str()),
        )
        .opt("PrivateIpAddress", a.private_ip.map(|p| p.to_string()))
        .done()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A list rendered record by record reads exactly as the whole document printed at once:
    /// empty, one record, and records nesting objects, arrays (empty ones too) and strings with
    /// escapes.
    #[test]
    fn a_list_rendered_record_by_record_equals_the_whole_document() {
        let records = [
            serde_json::json!({"VpcId": "vpc-1", "CidrBlockAssociationSet": [{"CidrBlock": "10.0.0.0/16"}], "Tags": []}),
            serde_json::json!({"VpcId": "vpc-2", "Name": "a \"quoted\"\nname", "Nested": {"A": [1, [2, {}]], "B": null}}),
            serde_json::json!("just a string"),
        ];
        for n in 0..=records.len() {
            let list = records[..n].to_vec();
            let whole = pretty(&serde_json::json!({"Vpcs": list.clone()}));
            assert_eq!(
                pretty_list("Vpcs", list.into_iter()),
                whole,
                "{n} record(s)"
            );
        }
    }
}
