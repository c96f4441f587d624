//! Decoding a [`Record`] of the route family into a typed [`Change`] (semantics doc §5.3, §5.4).
//!
//! Both renderings EC2 uses are accepted (legacy lowerCamel and wrapped PascalCase, see
//! [`crate::cloudtrail::params`]). IDs that EC2 assigned come from `responseElements` and are
//! `None` when the response does not give them (a failed call). IDs are checked against their
//! prefix (§1.1) and CIDRs canonicalised; anything required that is missing or of the wrong
//! shape makes the record [`Decoded::Malformed`] with a reason naming the field. Records with an
//! `errorCode` are decoded all the same: the replay compares the code with what the model
//! predicts (§2.2).

use super::params::{Section, boolean, items, scalar};
use super::record::{EC2_EVENT_SOURCE, Record};
use crate::model::*;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde_json::Value;
use std::net::Ipv4Addr;

/// What a record means to vpcsim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decoded {
    /// A call of the route family, typed.
    Change(Change),
    /// Not an EC2 call of the route family (another service, a read-only call, ...).
    Ignored,
    /// A call that affects routing but that vpcsim does not model; the reason says what.
    Unsupported(String),
    /// A family call whose parameters cannot be read; the reason names the field.
    Malformed(String),
}

/// The route family: every `eventName` decoded into a [`Change`] (one variant each).
pub const FAMILY: &[&str] = &[
    "CreateRoute",
    "ReplaceRoute",
    "DeleteRoute",
    "CreateRouteTable",
    "DeleteRouteTable",
    "AssociateRouteTable",
    "DisassociateRouteTable",
    "ReplaceRouteTableAssociation",
    "CreateVpc",
    "DeleteVpc",
    "AssociateVpcCidrBlock",
    "DisassociateVpcCidrBlock",
    "CreateSubnet",
    "DeleteSubnet",
    "ModifySubnetAttribute",
    "CreateInternetGateway",
    "AttachInternetGateway",
    "DetachInternetGateway",
    "DeleteInternetGateway",
    "CreateEgressOnlyInternetGateway",
    "DeleteEgressOnlyInternetGateway",
    "CreateNatGateway",
    "DeleteNatGateway",
    "CreateVpnGateway",
    "AttachVpnGateway",
    "DetachVpnGateway",
    "DeleteVpnGateway",
    "EnableVgwRoutePropagation",
    "DisableVgwRoutePropagation",
    "CreateVpcPeeringConnection",
    "AcceptVpcPeeringConnection",
    "RejectVpcPeeringConnection",
    "DeleteVpcPeeringConnection",
    "CreateVpcEndpoint",
    "ModifyVpcEndpoint",
    "DeleteVpcEndpoints",
    "AllocateAddress",
    "AssociateAddress",
    "DisassociateAddress",
    "ReleaseAddress",
    "CreateNetworkInterface",
    "DeleteNetworkInterface",
    "ModifyNetworkInterfaceAttribute",
    "RunInstances",
    "TerminateInstances",
    "CreateTransitGatewayVpcAttachment",
    "DeleteTransitGatewayVpcAttachment",
];

/// EC2 calls that change routing or reachability but are not modelled, with what they touch.
/// They are kept (not ignored) so that a report can say what the replay could not follow.
pub const UNSUPPORTED: &[(&str, &str)] = &[
    ("ModifyVpcAttribute", "VPC DNS attributes"),
    ("CreateDefaultVpc", "default VPCs"),
    ("CreateDefaultSubnet", "default subnets"),
    ("AssociateSubnetCidrBlock", "subnet IPv6 CIDR associations"),
    (
        "DisassociateSubnetCidrBlock",
        "subnet IPv6 CIDR associations",
    ),
    ("ModifyVpcPeeringConnectionOptions", "peering options"),
    ("CreateTransitGateway", "transit gateways"),
    ("DeleteTransitGateway", "transit gateways"),
    ("ModifyTransitGateway", "transit gateways"),
    (
        "ModifyTransitGatewayVpcAttachment",
        "transit gateway attachments",
    ),
    (
        "AcceptTransitGatewayVpcAttachment",
        "transit gateway attachments",
    ),
    (
        "RejectTransitGatewayVpcAttachment",
        "transit gateway attachments",
    ),
    (
        "CreateTransitGatewayPeeringAttachment",
        "transit gateway peering",
    ),
    (
        "DeleteTransitGatewayPeeringAttachment",
        "transit gateway peering",
    ),
    (
        "CreateTransitGatewayRouteTable",
        "transit gateway route tables",
    ),
    (
        "DeleteTransitGatewayRouteTable",
        "transit gateway route tables",
    ),
    (
        "AssociateTransitGatewayRouteTable",
        "transit gateway route tables",
    ),
    (
        "DisassociateTransitGatewayRouteTable",
        "transit gateway route tables",
    ),
    (
        "EnableTransitGatewayRouteTablePropagation",
        "transit gateway route tables",
    ),
    (
        "DisableTransitGatewayRouteTablePropagation",
        "transit gateway route tables",
    ),
    ("CreateTransitGatewayRoute", "transit gateway routes"),
    ("DeleteTransitGatewayRoute", "transit gateway routes"),
    ("ReplaceTransitGatewayRoute", "transit gateway routes"),
    ("CreateVpnConnection", "VPN connections"),
    ("DeleteVpnConnection", "VPN connections"),
    ("CreateVpnConnectionRoute", "VPN connection routes"),
    ("DeleteVpnConnectionRoute", "VPN connection routes"),
    ("CreateCustomerGateway", "customer gateways"),
    ("DeleteCustomerGateway", "customer gateways"),
    ("CreateManagedPrefixList", "managed prefix lists"),
    ("ModifyManagedPrefixList", "managed prefix lists"),
    ("DeleteManagedPrefixList", "managed prefix lists"),
    ("CreateCarrierGateway", "carrier gateways"),
    ("DeleteCarrierGateway", "carrier gateways"),
    ("CreateLocalGatewayRoute", "local gateway routes"),
    ("DeleteLocalGatewayRoute", "local gateway routes"),
    ("AttachNetworkInterface", "interface attachments"),
    ("DetachNetworkInterface", "interface attachments"),
    ("AssignPrivateIpAddresses", "secondary private addresses"),
    ("UnassignPrivateIpAddresses", "secondary private addresses"),
    ("AssignIpv6Addresses", "interface IPv6 addresses"),
    ("UnassignIpv6Addresses", "interface IPv6 addresses"),
    (
        "ModifyInstanceAttribute",
        "instance attributes (source/destination check)",
    ),
    (
        "StartInstances",
        "instance state (a stopped instance's routes, §3.4)",
    ),
    (
        "StopInstances",
        "instance state (a stopped instance's routes, §3.4)",
    ),
];

/// Whether `name` is a family call decoded into a [`Change`].
pub fn is_family(name: &str) -> bool {
    FAMILY.contains(&name)
}

/// What an unsupported call touches, when `name` is one.
pub fn unsupported(name: &str) -> Option<&'static str> {
    UNSUPPORTED
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, what)| *what)
}

/// Whether a record with this `eventName` (from EC2) is kept by the reader.
pub fn is_relevant(name: &str) -> bool {
    is_family(name) || unsupported(name).is_some()
}

/// Classifies and decodes one record.
pub fn decode(record: &Record) -> Decoded {
    if record.event_source != EC2_EVENT_SOURCE {
        return Decoded::Ignored;
    }
    let name = record.event_name.as_str();
    if let Some(what) = unsupported(name) {
        return Decoded::Unsupported(format!(
            "{name} changes {what}, which vpcsim does not model"
        ));
    }
    if !is_family(name) {
        return Decoded::Ignored;
    }
    let ctx = Ctx {
        req: Section::new(
            &record.request_parameters,
            "requestParameters",
            name,
            &["Request", "Req"],
        ),
        resp: Section::new(
            &record.response_elements,
            "responseElements",
            name,
            &["Response", "Resp"],
        ),
    };
    match ctx.change(name) {
        Ok(c) => Decoded::Change(c),
        Err(reason) => Decoded::Malformed(reason),
    }
}

type R<T> = Result<T, String>;

/// An ID newtype with its prefix and a human name, for checked construction.
trait Id: Sized {
    const WHAT: &'static str;
    fn prefix() -> &'static str;
    fn make(s: String) -> Self;
}

macro_rules! ids {
    ($($t:ident => $what:literal,)*) => {$(
        impl Id for $t {
            const WHAT: &'static str = $what;
            fn prefix() -> &'static str { $t::PREFIX }
            fn make(s: String) -> Self { $t::new(s) }
        }
    )*};
}

ids! {
    VpcId => "VPC",
    SubnetId => "subnet",
    RouteTableId => "route table",
    RouteTableAssociationId => "route table association",
    InternetGatewayId => "internet gateway",
    EgressOnlyInternetGatewayId => "egress-only internet gateway",
    NatGatewayId => "NAT gateway",
    VpnGatewayId => "virtual private gateway",
    TransitGatewayId => "transit gateway",
    TransitGatewayAttachmentId => "transit gateway attachment",
    VpcPeeringConnectionId => "VPC peering connection",
    NetworkInterfaceId => "network interface",
    InstanceId => "instance",
    VpcEndpointId => "VPC endpoint",
    AllocationId => "Elastic IP allocation",
    AccountId => "account",
}

fn render(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s
    }
}

fn parse_id<T: Id>(name: &str, v: &Value) -> R<T> {
    let Some(s) = scalar(v) else {
        return Err(format!(
            "{name}: expected a {} ID, found {}",
            T::WHAT,
            render(v)
        ));
    };
    if !s.starts_with(T::prefix()) {
        return Err(format!(
            "{name}: {s:?} is not a {} ID (expected {}…)",
            T::WHAT,
            T::prefix()
        ));
    }
    Ok(T::make(s))
}

fn parse_cidr(name: &str, v: &Value) -> R<IpNet> {
    let s = scalar(v).ok_or_else(|| format!("{name}: expected a CIDR, found {}", render(v)))?;
    s.parse::<IpNet>()
        .map(|n| n.trunc())
        .map_err(|_| format!("{name}: {s:?} is not a CIDR"))
}

fn parse_v4(name: &str, v: &Value) -> R<Ipv4Net> {
    match parse_cidr(name, v)? {
        IpNet::V4(n) => Ok(n),
        IpNet::V6(n) => Err(format!("{name}: {n} is not an IPv4 CIDR")),
    }
}

fn parse_v6(name: &str, v: &Value) -> R<Ipv6Net> {
    match parse_cidr(name, v)? {
        IpNet::V6(n) => Ok(n),
        IpNet::V4(n) => Err(format!("{name}: {n} is not an IPv6 CIDR")),
    }
}

fn parse_ip(name: &str, v: &Value) -> R<Ipv4Addr> {
    let s = scalar(v)
        .ok_or_else(|| format!("{name}: expected an IPv4 address, found {}", render(v)))?;
    s.parse()
        .map_err(|_| format!("{name}: {s:?} is not an IPv4 address"))
}

/// The parameter keys that name a route target (§1.2, §1.15), in lowerCamel.
const TARGET_KEYS: &[&str] = &[
    "gatewayId",
    "natGatewayId",
    "instanceId",
    "networkInterfaceId",
    "vpcPeeringConnectionId",
    "egressOnlyInternetGatewayId",
    "transitGatewayId",
    "localGatewayId",
    "carrierGatewayId",
    "vpcEndpointId",
    "coreNetworkArn",
    "odbNetworkArn",
];

struct Ctx<'a> {
    req: Section<'a>,
    resp: Section<'a>,
}

impl<'a> Ctx<'a> {
    /// A required request ID.
    fn id<T: Id>(&self, key: &str) -> R<T> {
        match self.req.get(key) {
            Some((name, v)) => parse_id(&name, v),
            None if self.req.is_null() => {
                Err(format!("requestParameters is null; {key} is required"))
            }
            None => Err(format!("{} is missing", self.req.field_name(key))),
        }
    }

    /// An optional request ID (checked when present).
    fn opt_id<T: Id>(&self, key: &str) -> R<Option<T>> {
        self.req
            .get(key)
            .filter(|(_, v)| !is_blank(v))
            .map(|(name, v)| parse_id(&name, v))
            .transpose()
    }

    /// An ID from the response (checked when present).
    fn resp_id<T: Id>(&self, path: &[&str]) -> R<Option<T>> {
        self.resp
            .path(path)
            .filter(|(_, v)| !is_blank(v))
            .map(|(name, v)| parse_id(&name, v))
            .transpose()
    }

    /// A required ID from the request, else from the response (some requests omit what the
    /// response echoes).
    fn id_or_resp<T: Id>(&self, key: &str, resp: &[&str]) -> R<T> {
        if self.req.get(key).is_none()
            && let Some(id) = self.resp_id(resp)?
        {
            return Ok(id);
        }
        self.id(key)
    }

    /// Every ID of a list in the response (any encoding).
    fn resp_ids<T: Id>(&self, path: &[&str]) -> R<Vec<T>> {
        match self.resp.path(path) {
            Some((name, v)) => items(v).into_iter().map(|i| parse_id(&name, i)).collect(),
            None => Ok(Vec::new()),
        }
    }

    fn opt_str(&self, key: &str) -> Option<String> {
        self.req.get(key).and_then(|(_, v)| scalar(v))
    }

    fn resp_str(&self, path: &[&str]) -> Option<String> {
        self.resp.path(path).and_then(|(_, v)| scalar(v))
    }

    fn opt_bool(&self, key: &str) -> Option<bool> {
        self.req.get(key).and_then(|(_, v)| boolean(v))
    }

    fn ids<T: Id>(section: &Section<'a>, keys: &[&str]) -> R<Vec<T>> {
        section
            .list(keys)
            .into_iter()
            .map(|(name, v)| parse_id(&name, v))
            .collect()
    }

    /// A CIDR from the request (when `req_key` is given and present), else from the response.
    fn cidr<T>(
        &self,
        req_key: Option<&str>,
        resp: &[&str],
        parse: impl Fn(&str, &Value) -> R<T>,
    ) -> R<Option<T>> {
        if let Some((name, v)) = req_key
            .and_then(|k| self.req.get(k))
            .filter(|(_, v)| !is_blank(v))
        {
            return parse(&name, v).map(Some);
        }
        self.resp
            .path(resp)
            .filter(|(_, v)| !is_blank(v))
            .map(|(name, v)| parse(&name, v))
            .transpose()
    }

    fn destination(&self) -> R<Destination> {
        let found: Vec<(String, &Value, u8)> = [
            ("destinationCidrBlock", 4u8),
            ("destinationIpv6CidrBlock", 6),
            ("destinationPrefixListId", 0),
        ]
        .iter()
        .filter_map(|(k, fam)| self.req.get(k).map(|(n, v)| (n, v, *fam)))
        .filter(|(_, v, _)| !is_blank(v))
        .collect();
        match found.as_slice() {
            [] if self.req.is_null() => Err(
                "requestParameters is null; a destination (destinationCidrBlock, destinationIpv6CidrBlock or destinationPrefixListId) is required"
                    .into(),
            ),
            [] => Err(format!(
                "{} is missing (and so are destinationIpv6CidrBlock and destinationPrefixListId)",
                self.req.field_name("destinationCidrBlock")
            )),
            [(name, v, fam)] => {
                let s = scalar(v)
                    .ok_or_else(|| format!("{name}: expected a destination, found {}", render(v)))?;
                match (fam, Destination::parse(&s)) {
                    (4, Some(d @ Destination::Ipv4(_)))
                    | (6, Some(d @ Destination::Ipv6(_)))
                    | (0, Some(d @ Destination::PrefixList(_))) => Ok(d),
                    (4 | 6, None) => Err(format!("{name}: {s:?} is not a CIDR")),
                    (4, Some(_)) => Err(format!("{name}: {s:?} is not an IPv4 CIDR")),
                    (6, Some(_)) => Err(format!("{name}: {s:?} is not an IPv6 CIDR")),
                    _ => Err(format!("{name}: {s:?} is not a prefix list ID (expected pl-…)")),
                }
            }
            several => Err(format!(
                "requestParameters names several destinations ({}); EC2 takes exactly one",
                several
                    .iter()
                    .map(|(n, _, _)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    /// Every target parameter present, classified by prefix (§5.6: `gatewayId: "nat-…"` is a
    /// NAT route).
    fn targets(&self) -> R<Vec<Target>> {
        let mut out = Vec::new();
        for key in TARGET_KEYS {
            if let Some((name, v)) = self.req.get(key) {
                if is_blank(v) {
                    continue;
                }
                let id = scalar(v)
                    .ok_or_else(|| format!("{name}: expected a target ID, found {}", render(v)))?;
                // §1.2: an interface or instance ID passed as GatewayId is refused by EC2 with
                // InvalidGatewayID.NotFound (an unknown target, which `apply` refuses so).
                let t = id.trim();
                if *key == "gatewayId" && (t.starts_with("eni-") || t.starts_with("i-")) {
                    out.push(Target::Unknown(t.to_string()));
                    continue;
                }
                out.push(Target::from_id(&id));
            }
        }
        Ok(out)
    }

    fn change(&self, name: &str) -> R<Change> {
        use Change::*;
        Ok(match name {
            "CreateRoute" => CreateRoute {
                route_table_id: self.id("routeTableId")?,
                destination: self.destination()?,
                targets: self.targets()?,
            },
            "ReplaceRoute" => ReplaceRoute {
                route_table_id: self.id("routeTableId")?,
                destination: self.destination()?,
                targets: self.targets()?,
                local_target: self.opt_bool("localTarget").unwrap_or(false),
            },
            "DeleteRoute" => DeleteRoute {
                route_table_id: self.id("routeTableId")?,
                destination: self.destination()?,
            },
            "CreateRouteTable" => CreateRouteTable {
                vpc_id: self.id_or_resp("vpcId", &["routeTable", "vpcId"])?,
                route_table_id: self.resp_id(&["routeTable", "routeTableId"])?,
            },
            "DeleteRouteTable" => DeleteRouteTable {
                route_table_id: self.id("routeTableId")?,
            },
            "AssociateRouteTable" => AssociateRouteTable {
                route_table_id: self.id("routeTableId")?,
                subnet_id: self.opt_id("subnetId")?,
                gateway_id: self.opt_str("gatewayId"),
                association_id: self.resp_id(&["associationId"])?,
            },
            "DisassociateRouteTable" => DisassociateRouteTable {
                association_id: self.id("associationId")?,
            },
            "ReplaceRouteTableAssociation" => ReplaceRouteTableAssociation {
                association_id: self.id("associationId")?,
                route_table_id: self.id("routeTableId")?,
                new_association_id: self.resp_id(&["newAssociationId"])?,
            },
            "CreateVpc" => CreateVpc {
                vpc_id: self.resp_id(&["vpc", "vpcId"])?,
                cidr_block: self.cidr(Some("cidrBlock"), &["vpc", "cidrBlock"], parse_v4)?,
                ipv6_cidr_block: match self.cidr(Some("ipv6CidrBlock"), &[], parse_v6)? {
                    Some(n) => Some(n),
                    None => self.first_ipv6(&["vpc", "ipv6CidrBlockAssociationSet"])?,
                },
                owner_id: self.resp_id(&["vpc", "ownerId"])?,
            },
            "DeleteVpc" => DeleteVpc {
                vpc_id: self.id("vpcId")?,
            },
            "AssociateVpcCidrBlock" => {
                let v4_resp = self.resp.get("cidrBlockAssociation").is_some();
                let (cidr_path, assoc_path): (&[&str], &[&str]) = if v4_resp {
                    (
                        &["cidrBlockAssociation", "cidrBlock"],
                        &["cidrBlockAssociation", "associationId"],
                    )
                } else {
                    (
                        &["ipv6CidrBlockAssociation", "ipv6CidrBlock"],
                        &["ipv6CidrBlockAssociation", "associationId"],
                    )
                };
                let cidr = match self.cidr(Some("cidrBlock"), &[], parse_cidr)? {
                    Some(n) => Some(n),
                    None => self.cidr(Some("ipv6CidrBlock"), cidr_path, parse_cidr)?,
                };
                AssociateVpcCidrBlock {
                    vpc_id: self.id_or_resp("vpcId", &["vpcId"])?,
                    cidr_block: cidr,
                    association_id: self.resp_str(assoc_path),
                }
            }
            "DisassociateVpcCidrBlock" => {
                let assoc = self.opt_str("associationId").ok_or_else(|| {
                    format!("{} is missing", self.req.field_name("associationId"))
                })?;
                let cidr =
                    match self.cidr(None, &["cidrBlockAssociation", "cidrBlock"], parse_cidr)? {
                        Some(n) => Some(n),
                        None => self.cidr(
                            None,
                            &["ipv6CidrBlockAssociation", "ipv6CidrBlock"],
                            parse_cidr,
                        )?,
                    };
                DisassociateVpcCidrBlock {
                    association_id: assoc,
                    cidr_block: cidr,
                }
            }
            "CreateSubnet" => CreateSubnet {
                vpc_id: self.id_or_resp("vpcId", &["subnet", "vpcId"])?,
                subnet_id: self.resp_id(&["subnet", "subnetId"])?,
                cidr_block: self.cidr(Some("cidrBlock"), &["subnet", "cidrBlock"], parse_v4)?,
                ipv6_cidr_block: match self.cidr(Some("ipv6CidrBlock"), &[], parse_v6)? {
                    Some(n) => Some(n),
                    None => self.first_ipv6(&["subnet", "ipv6CidrBlockAssociationSet"])?,
                },
                availability_zone: self
                    .opt_str("availabilityZone")
                    .or_else(|| self.resp_str(&["subnet", "availabilityZone"])),
            },
            "DeleteSubnet" => DeleteSubnet {
                subnet_id: self.id("subnetId")?,
            },
            "ModifySubnetAttribute" => ModifySubnetAttribute {
                subnet_id: self.id("subnetId")?,
                map_public_ip_on_launch: self.opt_bool("mapPublicIpOnLaunch"),
                assign_ipv6_address_on_creation: self.opt_bool("assignIpv6AddressOnCreation"),
            },
            "CreateInternetGateway" => CreateInternetGateway {
                internet_gateway_id: self.resp_id(&["internetGateway", "internetGatewayId"])?,
            },
            "AttachInternetGateway" => AttachInternetGateway {
                internet_gateway_id: self.id("internetGatewayId")?,
                vpc_id: self.id("vpcId")?,
            },
            "DetachInternetGateway" => DetachInternetGateway {
                internet_gateway_id: self.id("internetGatewayId")?,
                vpc_id: self.id("vpcId")?,
            },
            "DeleteInternetGateway" => DeleteInternetGateway {
                internet_gateway_id: self.id("internetGatewayId")?,
            },
            "CreateEgressOnlyInternetGateway" => CreateEgressOnlyInternetGateway {
                vpc_id: self.id("vpcId")?,
                egress_only_internet_gateway_id: self
                    .resp_id(&["egressOnlyInternetGateway", "egressOnlyInternetGatewayId"])?,
            },
            "DeleteEgressOnlyInternetGateway" => DeleteEgressOnlyInternetGateway {
                egress_only_internet_gateway_id: self.id("egressOnlyInternetGatewayId")?,
            },
            "CreateNatGateway" => self.create_nat_gateway()?,
            "DeleteNatGateway" => DeleteNatGateway {
                nat_gateway_id: self.id("natGatewayId")?,
            },
            "CreateVpnGateway" => CreateVpnGateway {
                vpn_gateway_id: self.resp_id(&["vpnGateway", "vpnGatewayId"])?,
                amazon_side_asn: self
                    .opt_str("amazonSideAsn")
                    .or_else(|| self.resp_str(&["vpnGateway", "amazonSideAsn"]))
                    .map(|s| {
                        s.parse::<u64>().map_err(|_| {
                            format!("amazonSideAsn: {s:?} is not an autonomous system number")
                        })
                    })
                    .transpose()?,
            },
            "AttachVpnGateway" => AttachVpnGateway {
                vpn_gateway_id: self.id("vpnGatewayId")?,
                vpc_id: self.id("vpcId")?,
            },
            "DetachVpnGateway" => DetachVpnGateway {
                vpn_gateway_id: self.id("vpnGatewayId")?,
                vpc_id: self.id("vpcId")?,
            },
            "DeleteVpnGateway" => DeleteVpnGateway {
                vpn_gateway_id: self.id("vpnGatewayId")?,
            },
            "EnableVgwRoutePropagation" => EnableVgwRoutePropagation {
                route_table_id: self.id("routeTableId")?,
                gateway_id: self.id("gatewayId")?,
            },
            "DisableVgwRoutePropagation" => DisableVgwRoutePropagation {
                route_table_id: self.id("routeTableId")?,
                gateway_id: self.id("gatewayId")?,
            },
            "CreateVpcPeeringConnection" => CreateVpcPeeringConnection {
                vpc_id: self.id_or_resp(
                    "vpcId",
                    &["vpcPeeringConnection", "requesterVpcInfo", "vpcId"],
                )?,
                peer_vpc_id: self.id_or_resp(
                    "peerVpcId",
                    &["vpcPeeringConnection", "accepterVpcInfo", "vpcId"],
                )?,
                peer_owner_id: match self.opt_id("peerOwnerId")? {
                    Some(a) => Some(a),
                    None => {
                        self.resp_id(&["vpcPeeringConnection", "accepterVpcInfo", "ownerId"])?
                    }
                },
                peer_region: self.opt_str("peerRegion").or_else(|| {
                    self.resp_str(&["vpcPeeringConnection", "accepterVpcInfo", "region"])
                }),
                vpc_peering_connection_id: self
                    .resp_id(&["vpcPeeringConnection", "vpcPeeringConnectionId"])?,
            },
            "AcceptVpcPeeringConnection" => AcceptVpcPeeringConnection {
                vpc_peering_connection_id: self.id("vpcPeeringConnectionId")?,
            },
            "RejectVpcPeeringConnection" => RejectVpcPeeringConnection {
                vpc_peering_connection_id: self.id("vpcPeeringConnectionId")?,
            },
            "DeleteVpcPeeringConnection" => DeleteVpcPeeringConnection {
                vpc_peering_connection_id: self.id("vpcPeeringConnectionId")?,
            },
            "CreateVpcEndpoint" => self.create_vpc_endpoint()?,
            "ModifyVpcEndpoint" => ModifyVpcEndpoint {
                vpc_endpoint_id: self.id("vpcEndpointId")?,
                add_route_table_ids: Self::ids(
                    &self.req,
                    // The AWS CLI's `--add-route-table-ids` renders as `addRouteTableIds`.
                    &["addRouteTableId", "addRouteTableIdSet", "addRouteTableIds"],
                )?,
                remove_route_table_ids: Self::ids(
                    &self.req,
                    &[
                        "removeRouteTableId",
                        "removeRouteTableIdSet",
                        "removeRouteTableIds",
                    ],
                )?,
            },
            "DeleteVpcEndpoints" => {
                let ids: Vec<VpcEndpointId> = Self::ids(
                    &self.req,
                    &["vpcEndpointId", "vpcEndpointIdSet", "vpcEndpointIds"],
                )?;
                if ids.is_empty() {
                    return Err(format!(
                        "{} is missing",
                        self.req.field_name("vpcEndpointId")
                    ));
                }
                DeleteVpcEndpoints {
                    vpc_endpoint_ids: ids,
                }
            }
            "AllocateAddress" => AllocateAddress {
                allocation_id: self.resp_id(&["allocationId"])?,
                public_ip: self.ip_req_or_resp("publicIp", &["publicIp"])?,
            },
            "AssociateAddress" => AssociateAddress {
                allocation_id: self.opt_id("allocationId")?,
                public_ip: self.ip_req_or_resp("publicIp", &[])?,
                instance_id: self.opt_id("instanceId")?,
                network_interface_id: self.opt_id("networkInterfaceId")?,
                private_ip: self.ip_req_or_resp("privateIpAddress", &[])?,
                association_id: self.resp_str(&["associationId"]),
            },
            "DisassociateAddress" => DisassociateAddress {
                association_id: self.opt_str("associationId"),
                public_ip: self.ip_req_or_resp("publicIp", &[])?,
            },
            "ReleaseAddress" => ReleaseAddress {
                allocation_id: self.opt_id("allocationId")?,
                public_ip: self.ip_req_or_resp("publicIp", &[])?,
            },
            "CreateNetworkInterface" => self.create_network_interface()?,
            "DeleteNetworkInterface" => DeleteNetworkInterface {
                network_interface_id: self.id("networkInterfaceId")?,
            },
            "ModifyNetworkInterfaceAttribute" => ModifyNetworkInterfaceAttribute {
                network_interface_id: self.id("networkInterfaceId")?,
                source_dest_check: self.opt_bool("sourceDestCheck"),
            },
            "RunInstances" => RunInstances {
                instances: self.launched_instances()?,
            },
            "TerminateInstances" => {
                let mut ids: Vec<InstanceId> = Vec::new();
                for (name, item) in self
                    .req
                    .list(&["instancesSet", "instanceId", "instanceIds"])
                {
                    let v = item
                        .as_object()
                        .and_then(|o| o.get("instanceId").or_else(|| o.get("InstanceId")))
                        .unwrap_or(item);
                    ids.push(parse_id(&name, v)?);
                }
                if ids.is_empty() {
                    for (name, item) in self.resp.list(&["instancesSet"]) {
                        if let Some(v) = item.get("instanceId") {
                            ids.push(parse_id(&name, v)?);
                        }
                    }
                }
                if ids.is_empty() {
                    return Err(format!(
                        "{} is missing",
                        self.req.field_name("instancesSet")
                    ));
                }
                TerminateInstances { instance_ids: ids }
            }
            "CreateTransitGatewayVpcAttachment" => {
                let att = ["transitGatewayVpcAttachment"];
                let mut subnet_ids: Vec<SubnetId> =
                    Self::ids(&self.req, &["subnetIds", "subnetId"])?;
                if subnet_ids.is_empty() {
                    subnet_ids = self.resp_ids(&[att[0], "subnetIds"])?;
                }
                CreateTransitGatewayVpcAttachment {
                    transit_gateway_id: self
                        .id_or_resp("transitGatewayId", &[att[0], "transitGatewayId"])?,
                    vpc_id: self.id_or_resp("vpcId", &[att[0], "vpcId"])?,
                    subnet_ids,
                    transit_gateway_attachment_id: self
                        .resp_id(&[att[0], "transitGatewayAttachmentId"])?,
                }
            }
            "DeleteTransitGatewayVpcAttachment" => DeleteTransitGatewayVpcAttachment {
                transit_gateway_attachment_id: self.id("transitGatewayAttachmentId")?,
            },
            other => return Err(format!("{other} has no decoder")),
        })
    }

    fn ip_req_or_resp(&self, key: &str, resp: &[&str]) -> R<Option<Ipv4Addr>> {
        if let Some((name, v)) = self.req.get(key).filter(|(_, v)| !is_blank(v)) {
            return parse_ip(&name, v).map(Some);
        }
        if resp.is_empty() {
            return Ok(None);
        }
        self.resp
            .path(resp)
            .filter(|(_, v)| !is_blank(v))
            .map(|(name, v)| parse_ip(&name, v))
            .transpose()
    }

    /// The first IPv6 CIDR of a response's `ipv6CidrBlockAssociationSet`.
    fn first_ipv6(&self, path: &[&str]) -> R<Option<Ipv6Net>> {
        let Some((name, set)) = self.resp.path(path) else {
            return Ok(None);
        };
        for item in items(set) {
            if let Some(v) = item.get("ipv6CidrBlock") {
                return parse_v6(&format!("{name}[].ipv6CidrBlock"), v).map(Some);
            }
        }
        Ok(None)
    }

    fn create_nat_gateway(&self) -> R<Change> {
        let nat = "natGateway";
        let connectivity = self
            .opt_str("connectivityType")
            .or_else(|| self.resp_str(&[nat, "connectivityType"]));
        let connectivity_type = match connectivity.as_deref() {
            None | Some("public") => ConnectivityType::Public,
            Some("private") => ConnectivityType::Private,
            Some(other) => {
                return Err(format!(
                    "{}: {other:?} is neither \"public\" nor \"private\"",
                    self.req.field_name("connectivityType")
                ));
            }
        };
        // The response's first address: allocation, private and public IP (§1.8).
        let address = self
            .resp
            .path(&[nat, "natGatewayAddressSet"])
            .and_then(|(name, set)| items(set).first().map(|a| (name, *a)));
        let addr_field = |k: &str| {
            address
                .as_ref()
                .and_then(|(name, a)| a.get(k).map(|v| (format!("{name}[0].{k}"), v)))
                .filter(|(_, v)| !is_blank(v))
        };
        let allocation_id = match self.opt_id("allocationId")? {
            Some(a) => Some(a),
            None => addr_field("allocationId")
                .map(|(n, v)| parse_id(&n, v))
                .transpose()?,
        };
        let private_ip = match self.ip_req_or_resp("privateIpAddress", &[])? {
            Some(ip) => Some(ip),
            None => addr_field("privateIp")
                .map(|(n, v)| parse_ip(&n, v))
                .transpose()?,
        };
        let public_ip = addr_field("publicIp")
            .map(|(n, v)| parse_ip(&n, v))
            .transpose()?;
        Ok(Change::CreateNatGateway {
            subnet_id: self.id_or_resp("subnetId", &[nat, "subnetId"])?,
            // Informational: an unreadable vpcId does not spoil the record.
            vpc_id: self.resp_id(&[nat, "vpcId"]).ok().flatten(),
            nat_gateway_id: self.resp_id(&[nat, "natGatewayId"])?,
            connectivity_type,
            allocation_id,
            private_ip,
            public_ip,
        })
    }

    fn create_vpc_endpoint(&self) -> R<Change> {
        let ep = "vpcEndpoint";
        let kind = self
            .opt_str("vpcEndpointType")
            .or_else(|| self.resp_str(&[ep, "vpcEndpointType"]));
        // §5.3 rule 4: the API's default type is Gateway.
        let endpoint_type = match kind.as_deref().map(str::to_ascii_lowercase).as_deref() {
            None | Some("gateway") => VpcEndpointType::Gateway,
            Some("interface") => VpcEndpointType::Interface,
            Some("gatewayloadbalancer") => VpcEndpointType::GatewayLoadBalancer,
            Some(_) => VpcEndpointType::Other,
        };
        let mut route_table_ids: Vec<RouteTableId> = Self::ids(
            &self.req,
            &["routeTableId", "routeTableIdSet", "routeTableIds"],
        )?;
        if route_table_ids.is_empty() {
            route_table_ids = self.resp_ids(&[ep, "routeTableIdSet"])?;
        }
        let mut subnet_ids: Vec<SubnetId> =
            Self::ids(&self.req, &["subnetId", "subnetIdSet", "subnetIds"])?;
        if subnet_ids.is_empty() {
            subnet_ids = self.resp_ids(&[ep, "subnetIdSet"])?;
        }
        Ok(Change::CreateVpcEndpoint {
            vpc_id: self.id_or_resp("vpcId", &[ep, "vpcId"])?,
            vpc_endpoint_id: self.resp_id(&[ep, "vpcEndpointId"])?,
            endpoint_type,
            service_name: self
                .opt_str("serviceName")
                .or_else(|| self.resp_str(&[ep, "serviceName"])),
            route_table_ids,
            subnet_ids,
        })
    }

    fn create_network_interface(&self) -> R<Change> {
        let eni = "networkInterface";
        let mut private_ips = Vec::new();
        if let Some((name, set)) = self.resp.path(&[eni, "privateIpAddressesSet"]) {
            for item in items(set) {
                if let Some(v) = item.get("privateIpAddress") {
                    private_ips.push(parse_ip(&format!("{name}[].privateIpAddress"), v)?);
                }
            }
        }
        if private_ips.is_empty()
            && let Some((name, v)) = self.resp.path(&[eni, "privateIpAddress"])
        {
            private_ips.push(parse_ip(&name, v)?);
        }
        if private_ips.is_empty() {
            if let Some(ip) = self.ip_req_or_resp("privateIpAddress", &[])? {
                private_ips.push(ip);
            }
            for (name, item) in self
                .req
                .list(&["privateIpAddresses", "privateIpAddressesSet"])
            {
                let v = item.get("privateIpAddress").unwrap_or(item);
                let ip = parse_ip(&name, v)?;
                if !private_ips.contains(&ip) {
                    private_ips.push(ip);
                }
            }
        }
        Ok(Change::CreateNetworkInterface {
            subnet_id: self.id_or_resp("subnetId", &[eni, "subnetId"])?,
            network_interface_id: self.resp_id(&[eni, "networkInterfaceId"])?,
            private_ips,
        })
    }

    /// RunInstances' `instancesSet.items[]` (a failed call has no response and so no instances).
    fn launched_instances(&self) -> R<Vec<LaunchedInstance>> {
        let mut out = Vec::new();
        for (name, item) in self.resp.list(&["instancesSet"]) {
            let field = |k: &str| item.get(k).filter(|v| !is_blank(v));
            let instance_id = match field("instanceId") {
                Some(v) => parse_id(&format!("{name}.instanceId"), v)?,
                None => return Err(format!("{name}.instanceId is missing")),
            };
            let subnet_id = field("subnetId")
                .map(|v| parse_id(&format!("{name}.subnetId"), v))
                .transpose()?;
            // The primary interface: device index 0, else the first one listed.
            let enis = item
                .get("networkInterfaceSet")
                .map(items)
                .unwrap_or_default();
            let primary = enis
                .iter()
                .find(|e| {
                    e.get("attachment")
                        .and_then(|a| a.get("deviceIndex"))
                        .and_then(scalar)
                        .as_deref()
                        == Some("0")
                })
                .or(enis.first());
            let network_interface_id = primary
                .and_then(|e| e.get("networkInterfaceId"))
                .map(|v| {
                    parse_id(
                        &format!("{name}.networkInterfaceSet[].networkInterfaceId"),
                        v,
                    )
                })
                .transpose()?;
            let private_ip = field("privateIpAddress")
                .map(|v| parse_ip(&format!("{name}.privateIpAddress"), v))
                .transpose()?;
            let public_ip = field("ipAddress")
                .map(|v| parse_ip(&format!("{name}.ipAddress"), v))
                .transpose()?;
            out.push(LaunchedInstance {
                instance_id,
                subnet_id,
                network_interface_id,
                private_ip,
                public_ip,
            });
        }
        Ok(out)
    }
}

/// Absent in all but name: `null`, `""`, `{}`.
fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}
