//! The compact, hand-writable TOML topology: VPCs, subnets, gateways, route tables with their
//! routes and associations, interfaces and instances with public addresses.
//!
//! Target kinds are inferred from the ID prefix (semantics doc §1.1). Local routes are added for
//! every VPC CIDR unless a route with the same destination replaces the local target (§3.2). A VPC
//! without a table marked `main = true` gets an implicit main table holding only local routes.
//! The format is documented with an example in `README.md`; unknown keys are errors, and every
//! error names the file, line and field.

use super::{ImportError, InputError, Loaded};
use crate::addr::Family;
use crate::diag::{Diagnostic, Severity};
use crate::model::*;
use ipnet::IpNet;
use serde::Deserialize;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::Path;
use toml::Spanned;

type S = Spanned<String>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    account: Option<String>,
    region: Option<String>,
    #[serde(default)]
    vpc: Vec<VpcSpec>,
    #[serde(default)]
    subnet: Vec<SubnetSpec>,
    #[serde(default)]
    route_table: Vec<TableSpec>,
    #[serde(default)]
    internet_gateway: Vec<GatewaySpec>,
    #[serde(default)]
    egress_only_internet_gateway: Vec<GatewaySpec>,
    #[serde(default)]
    vpn_gateway: Vec<GatewaySpec>,
    #[serde(default)]
    nat_gateway: Vec<NatSpec>,
    #[serde(default)]
    vpc_peering_connection: Vec<PeeringSpec>,
    #[serde(default)]
    transit_gateway_attachment: Vec<TgwAttachSpec>,
    #[serde(default)]
    vpc_endpoint: Vec<EndpointSpec>,
    #[serde(default)]
    prefix_list: Vec<PrefixListSpec>,
    #[serde(default)]
    network_interface: Vec<EniSpec>,
    #[serde(default)]
    instance: Vec<InstanceSpec>,
    #[serde(default)]
    elastic_ip: Vec<ElasticIpSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VpcSpec {
    id: S,
    #[serde(default)]
    cidrs: Vec<S>,
    #[serde(default)]
    default: bool,
    account: Option<String>,
    region: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubnetSpec {
    id: S,
    vpc: S,
    cidr: Option<S>,
    #[serde(default)]
    ipv6_cidrs: Vec<S>,
    az: Option<String>,
    #[serde(default)]
    map_public_ip_on_launch: bool,
    #[serde(default)]
    assign_ipv6_address_on_creation: bool,
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RouteSpec {
    Short(String),
    Full(FullRoute),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FullRoute {
    destination: String,
    target: String,
    origin: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableSpec {
    id: S,
    vpc: S,
    #[serde(default)]
    main: bool,
    #[serde(default)]
    subnets: Vec<S>,
    #[serde(default)]
    gateways: Vec<S>,
    #[serde(default)]
    propagating_vgws: Vec<S>,
    #[serde(default)]
    routes: Vec<Spanned<RouteSpec>>,
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GatewaySpec {
    id: S,
    vpc: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NatSpec {
    id: S,
    subnet: S,
    connectivity: Option<S>,
    state: Option<S>,
    private_ip: Option<S>,
    public_ip: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PeeringSpec {
    id: S,
    requester: S,
    accepter: S,
    status: Option<String>,
    /// CIDRs of the requester VPC when it is not in the topology (another account).
    #[serde(default)]
    requester_cidrs: Vec<S>,
    #[serde(default)]
    accepter_cidrs: Vec<S>,
    requester_account: Option<String>,
    accepter_account: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TgwAttachSpec {
    id: S,
    transit_gateway: S,
    vpc: S,
    #[serde(default)]
    subnets: Vec<S>,
    state: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EndpointSpec {
    id: S,
    vpc: S,
    #[serde(rename = "type")]
    endpoint_type: Option<S>,
    service: Option<String>,
    state: Option<String>,
    #[serde(default)]
    route_tables: Vec<S>,
    #[serde(default)]
    subnets: Vec<S>,
    /// For a gateway endpoint: the service's prefix list, routed to the endpoint in `route_tables`.
    prefix_list: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PrefixListSpec {
    id: S,
    name: Option<String>,
    #[serde(default)]
    cidrs: Vec<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EniSpec {
    id: S,
    subnet: S,
    #[serde(default)]
    private_ips: Vec<S>,
    public_ip: Option<S>,
    #[serde(default)]
    ipv6: Vec<S>,
    #[serde(default = "yes")]
    source_dest_check: bool,
    instance: Option<S>,
    interface_type: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InstanceSpec {
    id: S,
    subnet: S,
    private_ip: Option<S>,
    public_ip: Option<S>,
    #[serde(default)]
    ipv6: Vec<S>,
    state: Option<String>,
    #[serde(default = "yes")]
    source_dest_check: bool,
}

/// An Elastic IP allocated to the account and not associated (an associated one is the
/// `public_ip` of its instance or interface): what a later CreateNatGateway can use.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ElasticIpSpec {
    id: S,
    public_ip: S,
}

fn yes() -> bool {
    true
}

/// Loads a topology file.
pub fn load_file(path: &Path) -> Result<Loaded, ImportError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        ImportError::fatal(vec![InputError {
            location: name.clone(),
            message: format!("cannot read the topology: {e}"),
        }])
    })?;
    load_str(&text, &name)
}

/// Parses a topology held in a string; `name` is used in error locations. The result still has
/// to go through [`super::finish`] (as [`super::load`] does).
pub fn load_str(text: &str, name: &str) -> Result<Loaded, ImportError> {
    let file: File = toml::from_str(text).map_err(|e| {
        let location = match e.span() {
            Some(span) => format!("{name}:{}", line_col(text, span.start)),
            None => name.to_string(),
        };
        ImportError::fatal(vec![InputError {
            location,
            message: e.message().trim().to_string(),
        }])
    })?;
    build(file, text, name)
}

/// The `[topology]` table of another TOML file (a scenario), with errors located in that file;
/// `None` when the file has no such table.
pub fn load_inline(text: &str, name: &str) -> Result<Option<Loaded>, ImportError> {
    #[derive(Deserialize)]
    struct Outer {
        topology: Option<File>,
    }
    let outer: Outer = toml::from_str(text).map_err(|e| {
        let location = match e.span() {
            Some(span) => format!("{name}:{} (topology)", line_col(text, span.start)),
            None => format!("{name} (topology)"),
        };
        ImportError::fatal(vec![InputError {
            location,
            message: e.message().trim().to_string(),
        }])
    })?;
    match outer.topology {
        Some(file) => build(file, text, name).map(Some),
        None => Ok(None),
    }
}

fn build(file: File, text: &str, name: &str) -> Result<Loaded, ImportError> {
    let mut b = Builder {
        text,
        name,
        errors: Vec::new(),
        diags: Vec::new(),
        net: Network::default(),
    };
    b.build(file);
    if b.errors.is_empty() {
        Ok(Loaded {
            network: b.net,
            diagnostics: b.diags,
        })
    } else {
        b.errors.sort();
        Err(ImportError {
            errors: b.errors,
            partial: Some(Box::new(Loaded {
                network: b.net,
                diagnostics: b.diags,
            })),
        })
    }
}

fn line_col(text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.len() - before.rfind('\n').map(|i| i + 1).unwrap_or(0) + 1;
    format!("{line}:{col}")
}

struct Builder<'a> {
    text: &'a str,
    name: &'a str,
    errors: Vec<InputError>,
    diags: Vec<Diagnostic>,
    net: Network,
}

impl Builder<'_> {
    fn err(&mut self, at: &S, field: &str, message: String) {
        self.errors.push(InputError {
            location: format!(
                "{}:{} ({field})",
                self.name,
                line_col(self.text, at.span().start)
            ),
            message,
        });
    }

    fn id(&mut self, s: &S, field: &str, prefix: &str) -> String {
        let v = s.get_ref().trim().to_string();
        if !prefix.is_empty() && !v.starts_with(prefix) {
            self.err(
                s,
                field,
                format!("expected an ID starting with \"{prefix}\", found \"{v}\""),
            );
        }
        v
    }

    fn net(&mut self, s: &S, field: &str) -> Option<IpNet> {
        match s.get_ref().trim().parse::<IpNet>() {
            Ok(n) => Some(n.trunc()),
            Err(_) => {
                self.err(
                    s,
                    field,
                    format!("expected a CIDR such as \"10.0.0.0/16\" or \"2001:db8::/56\", found \"{}\"", s.get_ref()),
                );
                None
            }
        }
    }

    fn v4(&mut self, s: &S, field: &str) -> Option<Ipv4Addr> {
        match s.get_ref().trim().parse::<Ipv4Addr>() {
            Ok(a) => Some(a),
            Err(_) => {
                self.err(
                    s,
                    field,
                    format!("expected an IPv4 address, found \"{}\"", s.get_ref()),
                );
                None
            }
        }
    }

    fn v6(&mut self, s: &S, field: &str) -> Option<Ipv6Addr> {
        match s.get_ref().trim().parse::<Ipv6Addr>() {
            Ok(a) => Some(a),
            Err(_) => {
                self.err(
                    s,
                    field,
                    format!("expected an IPv6 address, found \"{}\"", s.get_ref()),
                );
                None
            }
        }
    }

    fn build(&mut self, f: File) {
        let account = f.account.clone().map(AccountId::new);
        let inv = &mut self.net.inventory;
        // A topology is complete by definition: whatever it does not declare does not exist.
        *inv = Inventory {
            vpcs: true,
            subnets: true,
            route_tables: true,
            internet_gateways: true,
            egress_only_internet_gateways: true,
            nat_gateways: true,
            vpn_gateways: true,
            vpc_peering_connections: true,
            transit_gateway_attachments: true,
            vpc_endpoints: true,
            prefix_lists: true,
            network_interfaces: true,
            instances: true,
            addresses: true,
        };

        for v in &f.vpc {
            let id = VpcId::new(self.id(&v.id, "vpc.id", "vpc-"));
            let mut vpc = Vpc {
                id: Some(id.clone()),
                is_default: v.default,
                owner_id: v
                    .account
                    .clone()
                    .map(AccountId::new)
                    .or_else(|| account.clone()),
                region: v.region.clone().or_else(|| f.region.clone()),
                name: v.name.clone(),
                ..Vpc::default()
            };
            for c in &v.cidrs {
                match self.net(c, "vpc.cidrs") {
                    Some(IpNet::V4(n)) => vpc.ipv4_cidrs.push(n),
                    Some(IpNet::V6(n)) => vpc.ipv6_cidrs.push(n),
                    None => {}
                }
            }
            if self.net.vpcs.insert(id.clone(), vpc).is_some() {
                self.err(&v.id, "vpc.id", format!("{id} is declared twice"));
            }
        }

        for s in &f.subnet {
            let id = SubnetId::new(self.id(&s.id, "subnet.id", "subnet-"));
            let vpc_id = VpcId::new(self.id(&s.vpc, "subnet.vpc", "vpc-"));
            let vpc = self.net.vpcs.get(&vpc_id).cloned();
            if vpc.is_none() {
                self.err(
                    &s.vpc,
                    "subnet.vpc",
                    format!("{vpc_id} is not declared as a [[vpc]]"),
                );
            }
            let mut sub = Subnet {
                id: id.clone(),
                vpc_id,
                ipv4_cidr: None,
                ipv6_cidrs: Vec::new(),
                availability_zone: s.az.clone(),
                map_public_ip_on_launch: s.map_public_ip_on_launch,
                assign_ipv6_address_on_creation: s.assign_ipv6_address_on_creation,
                owner_id: vpc.as_ref().and_then(|v| v.owner_id.clone()),
                region: vpc.as_ref().and_then(|v| v.region.clone()),
                name: s.name.clone(),
            };
            if let Some(c) = &s.cidr {
                match self.net(c, "subnet.cidr") {
                    Some(IpNet::V4(n)) => sub.ipv4_cidr = Some(n),
                    Some(IpNet::V6(_)) => self.err(
                        c,
                        "subnet.cidr",
                        "expected an IPv4 CIDR; put IPv6 CIDRs in ipv6_cidrs".into(),
                    ),
                    None => {}
                }
            }
            for c in &s.ipv6_cidrs {
                match self.net(c, "subnet.ipv6_cidrs") {
                    Some(IpNet::V6(n)) => sub.ipv6_cidrs.push(n),
                    Some(IpNet::V4(_)) => {
                        self.err(c, "subnet.ipv6_cidrs", "expected an IPv6 CIDR".into())
                    }
                    None => {}
                }
            }
            if self.net.subnets.insert(id.clone(), sub).is_some() {
                self.err(&s.id, "subnet.id", format!("{id} is declared twice"));
            }
        }

        for g in &f.internet_gateway {
            let id = InternetGatewayId::new(self.id(&g.id, "internet_gateway.id", "igw-"));
            let vpc = g
                .vpc
                .as_ref()
                .map(|v| VpcId::new(self.id(v, "internet_gateway.vpc", "vpc-")));
            self.net.internet_gateways.insert(
                id.clone(),
                InternetGateway {
                    id,
                    attached_vpc: vpc,
                    owner_id: account.clone(),
                },
            );
        }
        for g in &f.egress_only_internet_gateway {
            let id = EgressOnlyInternetGatewayId::new(self.id(
                &g.id,
                "egress_only_internet_gateway.id",
                "eigw-",
            ));
            let vpc = g
                .vpc
                .as_ref()
                .map(|v| VpcId::new(self.id(v, "egress_only_internet_gateway.vpc", "vpc-")));
            self.net.egress_only_internet_gateways.insert(
                id.clone(),
                EgressOnlyInternetGateway {
                    id,
                    attached_vpc: vpc,
                },
            );
        }
        for g in &f.vpn_gateway {
            let id = VpnGatewayId::new(self.id(&g.id, "vpn_gateway.id", "vgw-"));
            let vpc = g
                .vpc
                .as_ref()
                .map(|v| VpcId::new(self.id(v, "vpn_gateway.vpc", "vpc-")));
            self.net.vpn_gateways.insert(
                id.clone(),
                VpnGateway {
                    id,
                    attached_vpc: vpc,
                    amazon_side_asn: None,
                    known_prefixes: Default::default(),
                },
            );
        }

        for n in &f.nat_gateway {
            let id = NatGatewayId::new(self.id(&n.id, "nat_gateway.id", "nat-"));
            let subnet = SubnetId::new(self.id(&n.subnet, "nat_gateway.subnet", "subnet-"));
            let connectivity = match n.connectivity.as_ref().map(|c| c.get_ref().as_str()) {
                None | Some("public") => ConnectivityType::Public,
                Some("private") => ConnectivityType::Private,
                Some(other) => {
                    let other = other.to_string();
                    if let Some(c) = &n.connectivity {
                        self.err(
                            c,
                            "nat_gateway.connectivity",
                            format!("expected \"public\" or \"private\", found \"{other}\""),
                        );
                    }
                    ConnectivityType::Public
                }
            };
            let state = match &n.state {
                None => NatGatewayState::Available,
                Some(s) => NatGatewayState::parse(s.get_ref()).unwrap_or_else(|| {
                    self.err(s, "nat_gateway.state", format!("expected pending, failed, available, deleting or deleted, found \"{}\"", s.get_ref()));
                    NatGatewayState::Failed
                }),
            };
            let private_ips = n
                .private_ip
                .as_ref()
                .and_then(|p| self.v4(p, "nat_gateway.private_ip"))
                .into_iter()
                .collect();
            let public_ips = n
                .public_ip
                .as_ref()
                .and_then(|p| self.v4(p, "nat_gateway.public_ip"))
                .into_iter()
                .collect();
            let vpc_id = self.net.subnet_vpc(&subnet).cloned();
            if vpc_id.is_none() {
                self.err(
                    &n.subnet,
                    "nat_gateway.subnet",
                    format!("{subnet} is not declared as a [[subnet]]"),
                );
            }
            self.net.nat_gateways.insert(
                id.clone(),
                NatGateway {
                    id,
                    subnet_id: subnet,
                    vpc_id,
                    state,
                    connectivity,
                    private_ips,
                    public_ips,
                },
            );
        }

        for p in &f.prefix_list {
            let id = PrefixListId::new(self.id(&p.id, "prefix_list.id", "pl-"));
            let cidrs = p
                .cidrs
                .iter()
                .filter_map(|c| self.net(c, "prefix_list.cidrs"))
                .collect();
            self.net.prefix_lists.insert(
                id.clone(),
                PrefixList {
                    id,
                    name: p.name.clone(),
                    cidrs,
                    max_entries: None,
                },
            );
        }

        for p in &f.vpc_peering_connection {
            let id =
                VpcPeeringConnectionId::new(self.id(&p.id, "vpc_peering_connection.id", "pcx-"));
            let requester = self.peering_side(
                &p.requester,
                &p.requester_cidrs,
                p.requester_account.clone(),
                &account,
                "requester",
            );
            let accepter = self.peering_side(
                &p.accepter,
                &p.accepter_cidrs,
                p.accepter_account.clone(),
                &account,
                "accepter",
            );
            self.net.vpc_peering_connections.insert(
                id.clone(),
                VpcPeeringConnection {
                    id,
                    status: p.status.clone().unwrap_or_else(|| "active".into()),
                    requester,
                    accepter,
                },
            );
        }

        for a in &f.transit_gateway_attachment {
            let id = TransitGatewayAttachmentId::new(self.id(
                &a.id,
                "transit_gateway_attachment.id",
                "tgw-attach-",
            ));
            let tgw = TransitGatewayId::new(self.id(
                &a.transit_gateway,
                "transit_gateway_attachment.transit_gateway",
                "tgw-",
            ));
            let vpc = VpcId::new(self.id(&a.vpc, "transit_gateway_attachment.vpc", "vpc-"));
            let subnets = a
                .subnets
                .iter()
                .map(|s| SubnetId::new(s.get_ref().trim()))
                .collect();
            self.net.transit_gateway_attachments.insert(
                id.clone(),
                TransitGatewayAttachment {
                    id,
                    transit_gateway_id: tgw,
                    vpc_id: vpc,
                    subnet_ids: subnets,
                    state: a.state.clone().unwrap_or_else(|| "available".into()),
                },
            );
        }

        for e in &f.network_interface {
            let id = NetworkInterfaceId::new(self.id(&e.id, "network_interface.id", "eni-"));
            let subnet = SubnetId::new(self.id(&e.subnet, "network_interface.subnet", "subnet-"));
            let private_ips: Vec<Ipv4Addr> = e
                .private_ips
                .iter()
                .filter_map(|p| self.v4(p, "network_interface.private_ips"))
                .collect();
            let mut public_ips = Vec::new();
            if let Some(p) = &e.public_ip
                && let Some(public) = self.v4(p, "network_interface.public_ip")
            {
                match private_ips.first() {
                    Some(first) => public_ips.push((*first, public)),
                    None => self.err(
                        p,
                        "network_interface.public_ip",
                        "a public IP needs a private IP to map to; add private_ips".into(),
                    ),
                }
            }
            let ipv6_addresses = e
                .ipv6
                .iter()
                .filter_map(|a| self.v6(a, "network_interface.ipv6"))
                .collect();
            let instance_id = e
                .instance
                .as_ref()
                .map(|i| InstanceId::new(self.id(i, "network_interface.instance", "i-")));
            self.subnet_must_exist(&e.subnet, &subnet, "network_interface.subnet");
            let vpc_id = self.net.subnet_vpc(&subnet).cloned();
            self.net.network_interfaces.insert(
                id.clone(),
                NetworkInterface {
                    id,
                    subnet_id: subnet,
                    vpc_id,
                    private_ips,
                    public_ips,
                    ipv6_addresses,
                    source_dest_check: e.source_dest_check,
                    instance_id,
                    interface_type: e.interface_type.clone(),
                },
            );
        }

        for i in &f.instance {
            let id = InstanceId::new(self.id(&i.id, "instance.id", "i-"));
            let subnet = SubnetId::new(self.id(&i.subnet, "instance.subnet", "subnet-"));
            self.subnet_must_exist(&i.subnet, &subnet, "instance.subnet");
            let mut enis: Vec<NetworkInterfaceId> = self
                .net
                .network_interfaces
                .values()
                .filter(|e| e.instance_id.as_ref() == Some(&id))
                .map(|e| e.id.clone())
                .collect();
            if enis.is_empty() {
                // An instance declared alone gets one primary interface, named after it.
                let eni_id = NetworkInterfaceId::new(format!(
                    "eni-{}",
                    id.as_str().trim_start_matches("i-")
                ));
                if self.net.network_interfaces.contains_key(&eni_id) {
                    self.err(
                        &i.id,
                        "instance",
                        format!("{id} gets the interface {eni_id}, but a [[network_interface]] already has that ID; name the instance in that interface (instance = \"{id}\") instead"),
                    );
                }
                let private_ips: Vec<Ipv4Addr> = i
                    .private_ip
                    .iter()
                    .filter_map(|p| self.v4(p, "instance.private_ip"))
                    .collect();
                let mut public_ips = Vec::new();
                if let Some(p) = &i.public_ip
                    && let Some(public) = self.v4(p, "instance.public_ip")
                {
                    match private_ips.first() {
                        Some(first) => public_ips.push((*first, public)),
                        None => self.err(
                            p,
                            "instance.public_ip",
                            "a public IP needs private_ip too".into(),
                        ),
                    }
                }
                let ipv6_addresses = i
                    .ipv6
                    .iter()
                    .filter_map(|a| self.v6(a, "instance.ipv6"))
                    .collect();
                let vpc_id = self.net.subnet_vpc(&subnet).cloned();
                self.net.network_interfaces.insert(
                    eni_id.clone(),
                    NetworkInterface {
                        id: eni_id.clone(),
                        subnet_id: subnet.clone(),
                        vpc_id,
                        private_ips,
                        public_ips,
                        ipv6_addresses,
                        source_dest_check: i.source_dest_check,
                        instance_id: Some(id.clone()),
                        interface_type: None,
                    },
                );
                enis.push(eni_id);
            } else if i.private_ip.is_some() || i.public_ip.is_some() {
                self.err(
                    &i.id,
                    "instance",
                    "addresses belong on the instance's [[network_interface]] when it has one"
                        .into(),
                );
            }
            self.net.instances.insert(
                id.clone(),
                Instance {
                    id,
                    state: i.state.clone().unwrap_or_else(|| "running".into()),
                    subnet_id: Some(subnet),
                    network_interfaces: enis,
                },
            );
        }

        for a in &f.elastic_ip {
            let id = self.id(&a.id, "elastic_ip.id", "eipalloc-");
            if let Some(public_ip) = self.v4(&a.public_ip, "elastic_ip.public_ip") {
                self.net.addresses.push(Address {
                    allocation_id: Some(AllocationId::new(id)),
                    public_ip,
                    network_interface_id: None,
                    instance_id: None,
                    private_ip: None,
                    association_id: None,
                });
            }
        }

        for t in &f.route_table {
            self.route_table(t, &account);
        }

        for e in &f.vpc_endpoint {
            let id = VpcEndpointId::new(self.id(&e.id, "vpc_endpoint.id", "vpce-"));
            let vpc = VpcId::new(self.id(&e.vpc, "vpc_endpoint.vpc", "vpc-"));
            let endpoint_type = match e.endpoint_type.as_ref().map(|t| t.get_ref().as_str()) {
                None | Some("Gateway") => VpcEndpointType::Gateway,
                Some("GatewayLoadBalancer") => VpcEndpointType::GatewayLoadBalancer,
                Some("Interface") => VpcEndpointType::Interface,
                Some(other) => {
                    let other = other.to_string();
                    if let Some(t) = &e.endpoint_type {
                        self.err(t, "vpc_endpoint.type", format!("expected Gateway, GatewayLoadBalancer or Interface, found \"{other}\""));
                    }
                    VpcEndpointType::Other
                }
            };
            let tables: Vec<RouteTableId> = e
                .route_tables
                .iter()
                .map(|t| RouteTableId::new(t.get_ref().trim()))
                .collect();
            if let Some(pl) = &e.prefix_list {
                let pl_id = PrefixListId::new(self.id(pl, "vpc_endpoint.prefix_list", "pl-"));
                // §1.14: a gateway endpoint adds `pl-… → vpce-…` to each of its route tables.
                for (spec, t) in e.route_tables.iter().zip(&tables) {
                    match self.net.route_tables.get_mut(t) {
                        Some(table) => table.put_route(Route::new(
                            Destination::PrefixList(pl_id.clone()),
                            Target::VpcEndpoint(id.clone()),
                            RouteOrigin::CreateRoute,
                        )),
                        None => self.err(
                            spec,
                            "vpc_endpoint.route_tables",
                            format!("{t} is not declared as a [[route_table]]"),
                        ),
                    }
                }
            }
            self.net.vpc_endpoints.insert(
                id.clone(),
                VpcEndpoint {
                    id,
                    vpc_id: vpc,
                    endpoint_type,
                    service_name: e.service.clone(),
                    state: e.state.clone().unwrap_or_else(|| "available".into()),
                    route_table_ids: tables,
                    subnet_ids: e
                        .subnets
                        .iter()
                        .map(|s| SubnetId::new(s.get_ref().trim()))
                        .collect(),
                },
            );
        }

        // Every VPC has a main table (semantics doc §3.1); create one where the file has none.
        let vpcs: Vec<VpcId> = self.net.vpcs.keys().cloned().collect();
        for vpc in vpcs {
            let has_main = self
                .net
                .route_tables
                .values()
                .any(|t| t.vpc_id == vpc && t.is_main());
            if !has_main {
                let id = RouteTableId::new(format!(
                    "rtb-main-{}",
                    vpc.as_str().trim_start_matches("vpc-")
                ));
                let mut table = RouteTable::new(id.clone(), vpc.clone());
                table.associations.push(Association {
                    id: RouteTableAssociationId::new(format!(
                        "rtbassoc-main-{}",
                        vpc.as_str().trim_start_matches("vpc-")
                    )),
                    target: AssociationTarget::Main,
                });
                self.add_local_routes(&mut table);
                self.diags.push(
                    Diagnostic::new(
                        Severity::Info,
                        "implicit-main-table",
                        format!("no route table of {vpc} is marked main = true; {id} with only local routes is its main table"),
                    )
                    .resource(&vpc)
                    .location(self.name.to_string()),
                );
                self.net.route_tables.insert(id, table);
            }
        }
    }

    fn subnet_must_exist(&mut self, at: &S, subnet: &SubnetId, field: &str) {
        if !self.net.subnets.contains_key(subnet) {
            self.err(
                at,
                field,
                format!("{subnet} is not declared as a [[subnet]]"),
            );
        }
    }

    fn peering_side(
        &mut self,
        vpc: &S,
        cidrs: &[S],
        account: Option<String>,
        default_account: &Option<AccountId>,
        field: &str,
    ) -> PeeringSide {
        let vpc_id = VpcId::new(self.id(vpc, field, "vpc-"));
        let mut side = PeeringSide {
            vpc_id: vpc_id.clone(),
            owner_id: account.map(AccountId::new),
            region: None,
            ipv4_cidrs: Vec::new(),
            ipv6_cidrs: Vec::new(),
        };
        if let Some(v) = self.net.vpcs.get(&vpc_id) {
            side.ipv4_cidrs = v.ipv4_cidrs.clone();
            side.ipv6_cidrs = v.ipv6_cidrs.clone();
            side.region = v.region.clone();
            if side.owner_id.is_none() {
                side.owner_id = v.owner_id.clone();
            }
        } else {
            if cidrs.is_empty() {
                self.err(
                    vpc,
                    field,
                    format!("{vpc_id} is not a declared [[vpc]]; give its CIDRs with {field}_cidrs (a VPC of another account)"),
                );
            }
            for c in cidrs {
                match self.net(c, field) {
                    Some(IpNet::V4(n)) => side.ipv4_cidrs.push(n),
                    Some(IpNet::V6(n)) => side.ipv6_cidrs.push(n),
                    None => {}
                }
            }
            if side.owner_id.is_none() {
                side.owner_id = default_account.clone();
            }
        }
        side
    }

    fn add_local_routes(&self, table: &mut RouteTable) {
        if let Some(vpc) = self.net.vpcs.get(&table.vpc_id) {
            let nets: Vec<IpNet> = vpc
                .ipv4_cidrs
                .iter()
                .map(|n| IpNet::V4(*n))
                .chain(vpc.ipv6_cidrs.iter().map(|n| IpNet::V6(*n)))
                .collect();
            for n in nets {
                table.routes.insert_if_absent(Route::new(
                    Destination::cidr(n),
                    Target::Local,
                    RouteOrigin::CreateRouteTable,
                ));
            }
        }
    }

    fn route_table(&mut self, t: &TableSpec, account: &Option<AccountId>) {
        let id = RouteTableId::new(self.id(&t.id, "route_table.id", "rtb-"));
        let vpc = VpcId::new(self.id(&t.vpc, "route_table.vpc", "vpc-"));
        if !self.net.vpcs.contains_key(&vpc) {
            self.err(
                &t.vpc,
                "route_table.vpc",
                format!("{vpc} is not declared as a [[vpc]]"),
            );
        }
        let mut table = RouteTable::new(id.clone(), vpc.clone());
        table.owner_id = account.clone();
        table.name = t.name.clone();
        if t.main {
            table.associations.push(Association {
                // Full IDs inside generated association IDs, so that they cannot collide with
                // the implicit main table's `rtbassoc-main-<vpc suffix>`.
                id: RouteTableAssociationId::new(format!("rtbassoc-main-{id}")),
                target: AssociationTarget::Main,
            });
        }
        for s in &t.subnets {
            let subnet = SubnetId::new(self.id(s, "route_table.subnets", "subnet-"));
            match self.net.subnets.get(&subnet) {
                None => self.err(s, "route_table.subnets", format!("{subnet} is not declared as a [[subnet]]")),
                Some(sub) if sub.vpc_id != vpc => self.err(
                    s,
                    "route_table.subnets",
                    format!("{subnet} is in {}, {id} in {vpc}: EC2 rejects this association (InvalidParameterValue)", sub.vpc_id),
                ),
                Some(_) => {}
            }
            table.associations.push(Association {
                id: RouteTableAssociationId::new(format!("rtbassoc-{id}-{subnet}")),
                target: AssociationTarget::Subnet(subnet),
            });
        }
        for g in &t.gateways {
            let gw = g.get_ref().trim().to_string();
            if !(gw.starts_with("igw-") || gw.starts_with("vgw-")) {
                self.err(g, "route_table.gateways", format!("edge associations take an internet gateway (igw-) or virtual private gateway (vgw-), found \"{gw}\""));
            }
            table.associations.push(Association {
                id: RouteTableAssociationId::new(format!("rtbassoc-{id}-{gw}")),
                target: AssociationTarget::Gateway(gw),
            });
        }
        for v in &t.propagating_vgws {
            table.propagating_vgws.insert(VpnGatewayId::new(self.id(
                v,
                "route_table.propagating_vgws",
                "vgw-",
            )));
        }
        for r in &t.routes {
            let span = r.span();
            let sp = |v: &str| Spanned::new(span.clone(), v.trim().to_string());
            let (dest_s, target_s, origin_s) = match r.get_ref() {
                RouteSpec::Short(text) => {
                    let Some((d, tg)) = text.split_once("->") else {
                        self.err(&sp(text), "route_table.routes", format!("expected \"DESTINATION -> TARGET\" such as \"0.0.0.0/0 -> igw-1\", found \"{text}\""));
                        continue;
                    };
                    (sp(d), sp(tg), None)
                }
                RouteSpec::Full(f) => (
                    sp(&f.destination),
                    sp(&f.target),
                    f.origin.as_deref().map(sp),
                ),
            };
            let Some(destination) = Destination::parse(dest_s.get_ref()) else {
                self.err(
                    &dest_s,
                    "route_table.routes",
                    format!(
                        "expected a CIDR or a prefix list ID (pl-…) as destination, found \"{}\"",
                        dest_s.get_ref()
                    ),
                );
                continue;
            };
            let target = Target::from_id(target_s.get_ref());
            if let Target::Unknown(u) = &target {
                self.err(&target_s, "route_table.routes", format!("cannot tell the kind of target \"{u}\" from its prefix (igw-, eigw-, nat-, vgw-, tgw-, pcx-, eni-, i-, vpce-, cagw-, lgw-, local)"));
                continue;
            }
            let origin = match &origin_s {
                None => RouteOrigin::CreateRoute,
                Some(o) => match RouteOrigin::parse(o.get_ref()) {
                    Some(o) => o,
                    None => {
                        self.err(o, "route_table.routes.origin", format!("expected CreateRouteTable, CreateRoute or EnableVgwRoutePropagation, found \"{}\"", o.get_ref()));
                        continue;
                    }
                },
            };
            let is_vpc_cidr = self.net.vpcs.get(&vpc).is_some_and(|v| {
                destination
                    .net()
                    .is_some_and(|n| v.cidrs(Family::of_net(&n)).contains(&n))
            });
            // A route on a VPC CIDR replaces the local route's target (semantics doc §3.2).
            let origin = if is_vpc_cidr && !origin.is_propagated() {
                RouteOrigin::CreateRouteTable
            } else {
                origin
            };
            let route = Route::new(destination, target, origin);
            if table.routes.contains_key(&route.key()) {
                self.err(
                    &dest_s,
                    "route_table.routes",
                    format!(
                        "{} has two routes for {} (EC2: RouteAlreadyExists)",
                        id, route.destination
                    ),
                );
                continue;
            }
            table.put_route(route);
        }
        self.add_local_routes(&mut table);
        if self.net.route_tables.insert(id.clone(), table).is_some() {
            self.err(&t.id, "route_table.id", format!("{id} is declared twice"));
        }
    }
}
