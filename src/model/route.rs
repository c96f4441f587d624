//! Routes: destination, target, origin and state, in AWS's own words (semantics doc §1.2, §3).
//!
//! A route is identified by its table and its destination (§1.2: there is no route ID). Static
//! and propagated routes with the same destination may coexist (§3.3), so the key within a table
//! is [`RouteKey`] = destination + whether the route is propagated.

use super::ids::*;
use crate::addr::Family;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::fmt;
use std::sync::Arc;

/// Where a route sends matching traffic to: an IPv4 CIDR, an IPv6 CIDR or a managed prefix list.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Destination {
    Ipv4(Ipv4Net),
    Ipv6(Ipv6Net),
    PrefixList(PrefixListId),
}

impl Destination {
    /// A CIDR destination, canonicalised as EC2 does ("100.68.0.18/18" becomes "100.68.0.0/18", §1.1).
    pub fn cidr(net: IpNet) -> Destination {
        match net.trunc() {
            IpNet::V4(n) => Destination::Ipv4(n),
            IpNet::V6(n) => Destination::Ipv6(n),
        }
    }

    /// Parses `10.0.0.0/16`, `2001:db8::/56` or `pl-…`; CIDRs are canonicalised.
    pub fn parse(s: &str) -> Option<Destination> {
        let s = s.trim();
        if s.starts_with(PrefixListId::PREFIX) {
            return Some(Destination::PrefixList(PrefixListId::new(s)));
        }
        s.parse::<IpNet>().ok().map(Destination::cidr)
    }

    pub fn family(&self) -> Option<Family> {
        match self {
            Destination::Ipv4(_) => Some(Family::Ipv4),
            Destination::Ipv6(_) => Some(Family::Ipv6),
            Destination::PrefixList(_) => None,
        }
    }

    pub fn net(&self) -> Option<IpNet> {
        match self {
            Destination::Ipv4(n) => Some(IpNet::V4(*n)),
            Destination::Ipv6(n) => Some(IpNet::V6(*n)),
            Destination::PrefixList(_) => None,
        }
    }
}

impl fmt::Display for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Destination::Ipv4(n) => write!(f, "{n}"),
            Destination::Ipv6(n) => write!(f, "{n}"),
            Destination::PrefixList(p) => write!(f, "{p}"),
        }
    }
}

/// Every kind of route target EC2 has (semantics doc §1.2, §1.15).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// The VPC's implicit router (`GatewayId: "local"`).
    Local,
    InternetGateway(InternetGatewayId),
    EgressOnlyInternetGateway(EgressOnlyInternetGatewayId),
    NatGateway(NatGatewayId),
    VpnGateway(VpnGatewayId),
    TransitGateway(TransitGatewayId),
    VpcPeeringConnection(VpcPeeringConnectionId),
    NetworkInterface(NetworkInterfaceId),
    Instance(InstanceId),
    /// A gateway VPC endpoint or a Gateway Load Balancer endpoint; which one is told by the endpoint.
    VpcEndpoint(VpcEndpointId),
    CarrierGateway(CarrierGatewayId),
    LocalGateway(LocalGatewayId),
    /// A Cloud WAN core network, by ARN.
    CoreNetwork(String),
    /// An Oracle Database@AWS network, by ARN.
    OdbNetwork(String),
    /// A target vpcsim cannot classify; kept so that nothing is lost, forwarded nowhere.
    Unknown(String),
}

impl Target {
    /// A network interface's or an instance's ID, shared; `None` for any other target.
    pub fn host_id(&self) -> Option<Arc<str>> {
        match self {
            Target::NetworkInterface(id) => Some(id.name()),
            Target::Instance(id) => Some(id.name()),
            _ => None,
        }
    }

    /// Classifies a target by its ID prefix (semantics doc §1.1, §7). `local` is the local target.
    /// A `nat-` ID arriving as `GatewayId` is a NAT gateway (§1.2).
    pub fn from_id(id: &str) -> Target {
        let id = id.trim();
        let p = |prefix: &str| id.starts_with(prefix);
        if id == "local" {
            Target::Local
        } else if p("igw-") {
            Target::InternetGateway(InternetGatewayId::new(id))
        } else if p("eigw-") {
            Target::EgressOnlyInternetGateway(EgressOnlyInternetGatewayId::new(id))
        } else if p("nat-") {
            Target::NatGateway(NatGatewayId::new(id))
        } else if p("vgw-") {
            Target::VpnGateway(VpnGatewayId::new(id))
        } else if p("tgw-") && !p("tgw-attach-") && !p("tgw-rtb-") {
            Target::TransitGateway(TransitGatewayId::new(id))
        } else if p("pcx-") {
            Target::VpcPeeringConnection(VpcPeeringConnectionId::new(id))
        } else if p("eni-") {
            Target::NetworkInterface(NetworkInterfaceId::new(id))
        } else if p("i-") {
            Target::Instance(InstanceId::new(id))
        } else if p("vpce-") {
            Target::VpcEndpoint(VpcEndpointId::new(id))
        } else if p("cagw-") {
            Target::CarrierGateway(CarrierGatewayId::new(id))
        } else if p("lgw-") {
            Target::LocalGateway(LocalGatewayId::new(id))
        } else if p("arn:") && id.contains(":core-network/") {
            Target::CoreNetwork(id.to_string())
        } else if p("arn:") && id.contains("odb") {
            Target::OdbNetwork(id.to_string())
        } else {
            Target::Unknown(id.to_string())
        }
    }

    /// The ID (or `local`, or the ARN) exactly as AWS prints it.
    pub fn id(&self) -> &str {
        match self {
            Target::Local => "local",
            Target::InternetGateway(i) => i.as_str(),
            Target::EgressOnlyInternetGateway(i) => i.as_str(),
            Target::NatGateway(i) => i.as_str(),
            Target::VpnGateway(i) => i.as_str(),
            Target::TransitGateway(i) => i.as_str(),
            Target::VpcPeeringConnection(i) => i.as_str(),
            Target::NetworkInterface(i) => i.as_str(),
            Target::Instance(i) => i.as_str(),
            Target::VpcEndpoint(i) => i.as_str(),
            Target::CarrierGateway(i) => i.as_str(),
            Target::LocalGateway(i) => i.as_str(),
            Target::CoreNetwork(a) | Target::OdbNetwork(a) | Target::Unknown(a) => a,
        }
    }

    /// The target's ID as a shared string (no allocation for ID targets).
    pub fn name(&self) -> std::sync::Arc<str> {
        match self {
            Target::Local => std::sync::Arc::from("local"),
            Target::InternetGateway(i) => i.name(),
            Target::EgressOnlyInternetGateway(i) => i.name(),
            Target::NatGateway(i) => i.name(),
            Target::VpnGateway(i) => i.name(),
            Target::TransitGateway(i) => i.name(),
            Target::VpcPeeringConnection(i) => i.name(),
            Target::NetworkInterface(i) => i.name(),
            Target::Instance(i) => i.name(),
            Target::VpcEndpoint(i) => i.name(),
            Target::CarrierGateway(i) => i.name(),
            Target::LocalGateway(i) => i.name(),
            Target::CoreNetwork(a) | Target::OdbNetwork(a) | Target::Unknown(a) => {
                std::sync::Arc::from(a.as_str())
            }
        }
    }

    /// AWS's name for the kind of target, as in the describe-route-tables field it appears under.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Target::Local => "local",
            Target::InternetGateway(_) => "internet-gateway",
            Target::EgressOnlyInternetGateway(_) => "egress-only-internet-gateway",
            Target::NatGateway(_) => "nat-gateway",
            Target::VpnGateway(_) => "vpn-gateway",
            Target::TransitGateway(_) => "transit-gateway",
            Target::VpcPeeringConnection(_) => "vpc-peering-connection",
            Target::NetworkInterface(_) => "network-interface",
            Target::Instance(_) => "instance",
            Target::VpcEndpoint(_) => "vpc-endpoint",
            Target::CarrierGateway(_) => "carrier-gateway",
            Target::LocalGateway(_) => "local-gateway",
            Target::CoreNetwork(_) => "core-network",
            Target::OdbNetwork(_) => "odb-network",
            Target::Unknown(_) => "unknown",
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// How a route came to be (semantics doc §3.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RouteOrigin {
    CreateRouteTable,
    CreateRoute,
    EnableVgwRoutePropagation,
    Advertisement,
}

impl RouteOrigin {
    pub fn parse(s: &str) -> Option<RouteOrigin> {
        Some(match s {
            "CreateRouteTable" => RouteOrigin::CreateRouteTable,
            "CreateRoute" => RouteOrigin::CreateRoute,
            "EnableVgwRoutePropagation" => RouteOrigin::EnableVgwRoutePropagation,
            "Advertisement" => RouteOrigin::Advertisement,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            RouteOrigin::CreateRouteTable => "CreateRouteTable",
            RouteOrigin::CreateRoute => "CreateRoute",
            RouteOrigin::EnableVgwRoutePropagation => "EnableVgwRoutePropagation",
            RouteOrigin::Advertisement => "Advertisement",
        }
    }

    /// Propagated routes lose to static routes of the same length (semantics doc §3.3).
    pub fn is_propagated(self) -> bool {
        matches!(self, RouteOrigin::EnableVgwRoutePropagation)
    }
}

/// Route state (semantics doc §3.4). vpcsim derives it; a snapshot's value is only compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RouteState {
    Active,
    Blackhole,
    Filtered,
}

impl RouteState {
    pub fn parse(s: &str) -> Option<RouteState> {
        Some(match s {
            "active" => RouteState::Active,
            "blackhole" => RouteState::Blackhole,
            "filtered" => RouteState::Filtered,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            RouteState::Active => "active",
            RouteState::Blackhole => "blackhole",
            RouteState::Filtered => "filtered",
        }
    }
}

/// The key of a route within its table.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RouteKey {
    pub destination: Destination,
    pub propagated: bool,
}

/// One route of a route table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub destination: Destination,
    pub target: Target,
    pub origin: RouteOrigin,
    /// The state the snapshot reported, if any; compared against the derived state, never trusted.
    pub reported_state: Option<RouteState>,
}

impl Route {
    pub fn new(destination: Destination, target: Target, origin: RouteOrigin) -> Route {
        Route {
            destination,
            target,
            origin,
            reported_state: None,
        }
    }

    pub fn key(&self) -> RouteKey {
        RouteKey {
            destination: self.destination.clone(),
            propagated: self.origin.is_propagated(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_are_canonicalised() {
        // Semantics doc §1.1: "100.68.0.18/18" is stored as "100.68.0.0/18".
        let d = Destination::parse("100.68.0.18/18").unwrap();
        assert_eq!(d.to_string(), "100.68.0.0/18");
        assert_eq!(
            Destination::parse("2001:db8::1/56").unwrap().to_string(),
            "2001:db8::/56"
        );
        assert!(matches!(
            Destination::parse("pl-63a5400a"),
            Some(Destination::PrefixList(_))
        ));
        assert!(Destination::parse("nonsense").is_none());
    }

    #[test]
    fn targets_are_classified_by_prefix() {
        // Semantics doc §1.2: a nat- ID passed as GatewayId is a NAT route.
        assert!(matches!(Target::from_id("nat-0abc"), Target::NatGateway(_)));
        assert!(matches!(Target::from_id("local"), Target::Local));
        assert!(matches!(
            Target::from_id("tgw-0abc"),
            Target::TransitGateway(_)
        ));
        assert!(matches!(
            Target::from_id("tgw-attach-0abc"),
            Target::Unknown(_)
        ));
        assert!(matches!(
            Target::from_id("eigw-1"),
            Target::EgressOnlyInternetGateway(_)
        ));
        assert!(matches!(
            Target::from_id("igw-1"),
            Target::InternetGateway(_)
        ));
        assert!(matches!(
            Target::from_id("arn:aws:networkmanager::123456789012:core-network/core-network-0a"),
            Target::CoreNetwork(_)
        ));
    }
}
