//! Exposure changes: what became reachable or unreachable for one subnet between two reach
//! results, range by range (groundwork for issue #4: the per-event diff, attribution, severity
//! and remediation build on this).
//!
//! Both reach results partition each family's whole address space into segments; overlaying
//! them gives the ranges whose outcome changed, each with its outcome before and after. Every
//! such range gets one [`ChangeKind`] from a closed vocabulary; ranges of the same kind, before
//! and after are merged.

pub mod ingress;
pub mod remediation;

use crate::addr::{self, Family, Interval, Ranges};
use crate::model::{AccountId, IntoName, SubnetId, VpcId};
use crate::reach::{Disposition, FamilyReach, InternetVia, Segment, SubnetReach};
pub use remediation::{Remediation, revert};
use std::sync::Arc;

/// What a change of outcome means (issue #4's vocabulary).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChangeKind {
    /// Public ranges now go straight to an attached internet gateway: the subnet is public.
    InternetExposed,
    /// Public ranges now leave through NAT, an appliance or an egress-only gateway.
    InternetEgressGained,
    /// Public ranges no longer reach the internet.
    InternetLost,
    /// Public ranges that went straight to an internet gateway now leave through NAT, an
    /// appliance or an egress-only gateway: the subnet is no longer public (less exposure).
    InternetExposureRemoved,
    OnPremisesPathGained,
    OnPremisesPathLost,
    PeerPathGained,
    PeerPathLost,
    /// Traffic that was delivered elsewhere (a VPC endpoint, a transit gateway, an interface,
    /// the VPC itself) now has no route or is dropped (not by a blackhole route).
    PathLost,
    /// Traffic that went nowhere (no route, dropped; not a blackhole route) is now delivered to
    /// the VPC, a transit gateway, a VPC endpoint or an interface (a new subnet's paths, a new
    /// route).
    PathGained,
    /// A host in a subnet that stays public gained a public address (an Elastic IP associated,
    /// an instance launched with one, an IPv6 address): the internet can now reach it. The
    /// change's range is that address.
    HostExposed,
    /// A host in a public subnet lost its public address: the internet can no longer reach it.
    HostExposureRemoved,
    /// Traffic that was delivered (or left) one way now goes to another destination.
    TrafficRedirected,
    /// Traffic that used to be delivered is now dropped by a blackhole route.
    Blackholed,
    /// Traffic that was dropped by a blackhole route is delivered again.
    Restored,
    /// Inbound traffic entering through an internet or virtual private gateway for the
    /// subnet's addresses now passes an appliance (interface, instance or Gateway Load Balancer
    /// endpoint) it did not pass before: ingress routing (semantics doc §3.6) captures it.
    IngressRedirected,
    /// Inbound traffic that passed an appliance on its way in now reaches the subnet directly:
    /// inspection is bypassed.
    IngressInspectionBypassed,
    /// Inbound traffic that was delivered to the subnet is now dropped (a blackhole edge route,
    /// a loop, no route).
    IngressLost,
    /// Inbound traffic that was dropped is delivered to the subnet again, through the same
    /// appliances as the path it takes now or none.
    IngressRestored,
}

impl ChangeKind {
    /// Kinds that add exposure or risk (what a CI gate stops on): a path gained, traffic
    /// captured, traffic dropped. Lost paths and restorations are not new exposure.
    pub fn is_new_exposure(self) -> bool {
        matches!(
            self,
            ChangeKind::InternetExposed
                | ChangeKind::HostExposed
                | ChangeKind::InternetEgressGained
                | ChangeKind::OnPremisesPathGained
                | ChangeKind::PeerPathGained
                | ChangeKind::TrafficRedirected
                | ChangeKind::Blackholed
                | ChangeKind::IngressRedirected
                | ChangeKind::IngressInspectionBypassed
        )
    }

    /// The `INGRESS_*` kinds: a change of the inbound path through a gateway, whose sides'
    /// paths start at that gateway ([`ingress`]).
    pub fn is_ingress(self) -> bool {
        matches!(
            self,
            ChangeKind::IngressRedirected
                | ChangeKind::IngressInspectionBypassed
                | ChangeKind::IngressLost
                | ChangeKind::IngressRestored
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::InternetExposed => "INTERNET_EXPOSED",
            ChangeKind::InternetEgressGained => "INTERNET_EGRESS_GAINED",
            ChangeKind::InternetLost => "INTERNET_LOST",
            ChangeKind::InternetExposureRemoved => "INTERNET_EXPOSURE_REMOVED",
            ChangeKind::OnPremisesPathGained => "ON_PREMISES_PATH_GAINED",
            ChangeKind::OnPremisesPathLost => "ON_PREMISES_PATH_LOST",
            ChangeKind::PeerPathGained => "PEER_PATH_GAINED",
            ChangeKind::PeerPathLost => "PEER_PATH_LOST",
            ChangeKind::PathLost => "PATH_LOST",
            ChangeKind::PathGained => "PATH_GAINED",
            ChangeKind::HostExposed => "HOST_EXPOSED",
            ChangeKind::HostExposureRemoved => "HOST_EXPOSURE_REMOVED",
            ChangeKind::TrafficRedirected => "TRAFFIC_REDIRECTED",
            ChangeKind::Blackholed => "BLACKHOLED",
            ChangeKind::Restored => "RESTORED",
            ChangeKind::IngressRedirected => "INGRESS_REDIRECTED",
            ChangeKind::IngressInspectionBypassed => "INGRESS_INSPECTION_BYPASSED",
            ChangeKind::IngressLost => "INGRESS_LOST",
            ChangeKind::IngressRestored => "INGRESS_RESTORED",
        }
    }
}

/// The outcome of a range, as a change reports it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Side {
    pub disposition: Disposition,
    pub path: Vec<Arc<str>>,
    pub internet: Option<InternetVia>,
    /// For a blackhole: the target of the dead route that dropped the traffic.
    pub blackhole_target: Option<Arc<str>>,
}

impl Side {
    fn of(s: &Segment) -> Side {
        Side {
            disposition: s.disposition,
            path: s.path.clone(),
            internet: s.internet,
            blackhole_target: s.blackhole_target.clone(),
        }
    }

    /// The resources the traffic passes, without the route tables that decided: a change of
    /// table with the same forwarding (a new association with the same routes, a placeholder
    /// table bound to its real ID) exposes nothing.
    fn hops(&self) -> impl Iterator<Item = &str> {
        self.path
            .iter()
            .map(|p| &**p)
            .filter(|p| !p.starts_with("rtb-"))
    }

    /// The side as seen by an address the internet does not route: "exits to the internet"
    /// is dropped.
    fn unroutable(&self) -> Side {
        if self.disposition == Disposition::ExitsToInternet {
            Side {
                disposition: Disposition::Dropped,
                path: self.path.clone(),
                internet: None,
                blackhole_target: None,
            }
        } else {
            self.clone()
        }
    }

    fn via_peering(&self) -> bool {
        self.disposition == Disposition::ExitsToPeer
            || (self.disposition == Disposition::Delivered
                && self.path.iter().any(|p| p.starts_with("pcx-")))
    }

    fn carries(&self) -> bool {
        !matches!(
            self.disposition,
            Disposition::Blackhole
                | Disposition::NoRoute
                | Disposition::Dropped
                | Disposition::Loop
        )
    }
}

/// One change of outcome for some ranges of one subnet and family.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExposureChange {
    pub subnet_id: SubnetId,
    pub vpc_id: VpcId,
    /// The subnet's account and region, when the input says (the subnet's `OwnerId`, else its
    /// VPC's; the region of the file or topology it came from).
    pub account: Option<AccountId>,
    pub region: Option<String>,
    pub family: Family,
    pub kind: ChangeKind,
    /// Sorted, disjoint.
    pub ranges: Vec<Interval>,
    pub before: Side,
    pub after: Side,
    pub severity: Severity,
    /// Why this grade, in a sentence.
    pub reason: String,
}

impl ExposureChange {
    /// Whether the change adds exposure, what a CI gate stops on: its kind does
    /// ([`ChangeKind::is_new_exposure`]), except a redirection that only takes traffic back from
    /// an interface or instance (the undoing of a capture, such as its printed revert).
    pub fn adds_exposure(&self) -> bool {
        self.kind.is_new_exposure()
            && !(self.kind == ChangeKind::TrafficRedirected
                && released_from_interface(&self.before, &self.after))
    }
}

/// A subnet's account and region as its reach reports them: the subnet's own, else its
/// VPC's (`None` for a subnet the network does not have).
pub(crate) fn subnet_location(
    net: &crate::model::Network,
    subnet: &SubnetId,
) -> (Option<AccountId>, Option<String>) {
    let Some(s) = net.subnets.get(subnet) else {
        return (None, None);
    };
    let vpc = net.vpcs.get(&s.vpc_id);
    (
        s.owner_id
            .clone()
            .or_else(|| vpc.and_then(|v| v.owner_id.clone())),
        s.region
            .clone()
            .or_else(|| vpc.and_then(|v| v.region.clone())),
    )
}

/// How bad a change is (README "Exposure severity"): a ladder, most severe first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl Severity {
    /// Every grade, most severe first.
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    /// True when `self` is `threshold` or more severe.
    pub fn at_least(self, threshold: Severity) -> bool {
        self <= threshold
    }

    pub fn name(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }
}

/// Grades a change (product.md's misuse patterns): internet exposure of a subnet with hosts
/// the internet can reach is critical, without them high; traffic captured by an interface or a
/// peering connection is high; blackholing is high for availability; new egress or new paths
/// are medium; lost paths low; restored info.
fn grade(kind: ChangeKind, before: &Side, after: &Side, public_hosts: usize) -> (Severity, String) {
    use ChangeKind::*;
    match kind {
        InternetExposed if public_hosts > 0 => (
            Severity::Critical,
            format!("{public_hosts} host(s) with public addresses are now reachable from and can reach the internet"),
        ),
        InternetExposed => (
            Severity::High,
            "the subnet is now public: any host given a public address will be reachable from the internet".into(),
        ),
        TrafficRedirected
            if after
                .hops()
                .any(|h| h.starts_with("eni-") || h.starts_with("pcx-") || h.starts_with("i-")) =>
        {
            (
                Severity::High,
                "traffic now goes to a network interface or a peering connection that can read or divert it".into(),
            )
        }
        TrafficRedirected if released_from_interface(before, after) => (
            Severity::Low,
            "traffic no longer passes the interface or instance that held it (a capture undone)"
                .into(),
        ),
        TrafficRedirected => (Severity::Medium, "traffic now takes another path".into()),
        Blackholed => (
            Severity::High,
            "traffic that was delivered is now dropped (availability)".into(),
        ),
        InternetEgressGained => (
            Severity::Medium,
            "hosts can now open connections to the internet (outbound only)".into(),
        ),
        // Traffic that was delivered elsewhere (a VPC, on-premises, a transit gateway, another
        // peer; not "the internet", where private ranges go nowhere) now goes to the peer: a
        // capture by a more specific route (issue #4: redirection to a peer is high).
        PeerPathGained
            if before.carries() && before.disposition != Disposition::ExitsToInternet =>
        {
            (
            Severity::High,
                "traffic that went elsewhere now goes to a peered VPC, which can read or divert it"
                    .into(),
            )
        }
        PeerPathGained => (Severity::Medium, "a peered VPC is now reachable".into()),
        OnPremisesPathGained => (Severity::Medium, "on-premises networks are now reachable".into()),
        InternetLost | PeerPathLost | OnPremisesPathLost | PathLost => {
            (Severity::Low, "a path is gone; check nothing depended on it".into())
        }
        InternetExposureRemoved => (
            Severity::Info,
            "the subnet is no longer public: hosts can still reach the internet, but the internet cannot reach them".into(),
        ),
        Restored => (Severity::Info, "traffic is delivered again".into()),
        HostExposed => (
            Severity::Critical,
            "a host is now reachable from the internet at its public address".into(),
        ),
        HostExposureRemoved => (
            Severity::Info,
            "a host is no longer reachable from the internet".into(),
        ),
        PathGained if after.disposition == Disposition::ExitsToTransitGateway => (
            Severity::Low,
            "a transit gateway, and what it routes to, is now reachable".into(),
        ),
        PathGained if after.disposition == Disposition::Delivered => (
            Severity::Info,
            "a path inside the VPC appeared (a new subnet or a route)".into(),
        ),
        PathGained => (
            Severity::Low,
            "traffic now reaches an endpoint or an interface it did not reach before".into(),
        ),
        IngressRedirected => (
            Severity::High,
            format!(
                "inbound traffic through {} now passes {}, which can read or divert it",
                gateway_of(after),
                ingress_difference(after, before)
            ),
        ),
        IngressInspectionBypassed
            if public_hosts > 0 && gateway_of(after).starts_with("igw-") =>
        {
            (
                Severity::High,
                format!(
                    "inbound traffic from the internet to {public_hosts} host(s) with public addresses no longer passes {}",
                    ingress_difference(before, after)
                ),
            )
        }
        IngressInspectionBypassed => (
            Severity::Medium,
            format!(
                "inbound traffic through {} no longer passes {}",
                gateway_of(after),
                ingress_difference(before, after)
            ),
        ),
        IngressLost
            if matches!(after.disposition, Disposition::Blackhole | Disposition::Loop) =>
        {
            (
                Severity::High,
                format!(
                    "inbound traffic through {} is now dropped (availability)",
                    gateway_of(before)
                ),
            )
        }
        IngressLost => (
            Severity::Medium,
            format!("inbound traffic through {} no longer arrives", gateway_of(before)),
        ),
        IngressRestored => (Severity::Info, "inbound traffic is delivered again".into()),
    }
}

/// The appliances `of` passes (or was meant to, through a dead route) that `other` does not.
fn ingress_difference(of: &Side, other: &Side) -> String {
    let theirs = ingress::appliances(other);
    ingress::meant_appliances(of)
        .into_iter()
        .filter(|x| !theirs.contains(x))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The gateway an inbound path enters through (its first hop).
fn gateway_of(side: &Side) -> &str {
    side.path.first().map(|p| &**p).unwrap_or("the gateway")
}

/// True when the path before passed an interface or instance and the path after passes none:
/// traffic taken back from an appliance or instance (the undoing of a capture).
fn released_from_interface(before: &Side, after: &Side) -> bool {
    let interface = |h: &str| h.starts_with("eni-") || h.starts_with("i-");
    before.hops().any(interface) && !after.hops().any(interface)
}

/// True when the path after passes an interface or instance the path before did not.
fn captured_by_interface(before: &Side, after: &Side) -> bool {
    let interface = |h: &str| h.starts_with("eni-") || h.starts_with("i-");
    after
        .hops()
        .filter(|h| interface(h))
        .any(|h| !before.hops().any(|b| b == h))
}

/// How a range a blackhole route dropped (`before`, whose `blackhole_target` names the dead
/// route's target) and that `after` delivers somewhere is graded.
enum FromBlackhole {
    /// Straight to an internet gateway now: exposed, whatever the dead route pointed at.
    Exposed,
    /// Where the dead route pointed: right after the table holding it, reached the same way,
    /// its target is alive again (a virtual private gateway attached again, an interface or
    /// instance back), or, for a NAT gateway or an egress-only internet gateway, whose IDs
    /// never come back, another one of the same kind takes the range to the internet.
    Restored,
    /// Over the peering connection the dead route named: a connection becomes active only
    /// once, when accepted (semantics doc §1.10), so this is a new peer path, not a restoration.
    PeerActivated,
    /// Somewhere else: graded as if the dead route were alive and had been pointed there, from
    /// this outcome of its target.
    Redirected(Side),
    /// A target of a kind vpcsim does not know where it leads: graded by the new path alone.
    Unknown,
}

fn from_blackhole(before: &Side, after: &Side) -> FromBlackhole {
    if after.disposition == Disposition::ExitsToInternet
        && after.internet == Some(InternetVia::Direct)
    {
        return FromBlackhole::Exposed;
    }
    let Some(target) = before.blackhole_target.as_deref() else {
        return FromBlackhole::Unknown;
    };
    // The dead route is in the last table of `before`'s path (the source's, or one after a NAT
    // gateway or an appliance): what `after` does right after that same way there.
    let next = after
        .path
        .strip_prefix(before.path.as_slice())
        .and_then(|rest| rest.first())
        .map(|h| &**h);
    let kind_of = |id: &str| id.split('-').next().unwrap_or_default().to_string();
    let internet_via =
        |via| after.disposition == Disposition::ExitsToInternet && after.internet == Some(via);
    if target.starts_with("pcx-") && next == Some(target) {
        return FromBlackhole::PeerActivated;
    }
    let restored = if target.starts_with("nat-") {
        next.is_some_and(|f| f.starts_with("nat-")) && internet_via(InternetVia::NatGateway)
    } else if target.starts_with("eigw-") {
        next.is_some_and(|f| f.starts_with("eigw-")) && internet_via(InternetVia::EgressOnly)
    } else {
        !target.starts_with("pcx-") && next == Some(target)
    };
    if restored {
        return FromBlackhole::Restored;
    }
    // Traffic that reached the dead route's table through a NAT gateway or an appliance left
    // translated, as `walk` says of it.
    let translated = before.hops().fold(None, |via, h| {
        if h.starts_with("nat-") {
            Some(InternetVia::NatGateway)
        } else if h.starts_with("eni-") || h.starts_with("i-") {
            via.or(Some(InternetVia::Appliance))
        } else {
            via
        }
    });
    let (disposition, internet) = match kind_of(target).as_str() {
        "nat" => (Disposition::ExitsToInternet, Some(InternetVia::NatGateway)),
        "igw" => (
            Disposition::ExitsToInternet,
            Some(translated.unwrap_or(InternetVia::Direct)),
        ),
        "eigw" => (Disposition::ExitsToInternet, Some(InternetVia::EgressOnly)),
        "vgw" => (Disposition::ExitsToVpn, None),
        "tgw" => (Disposition::ExitsToTransitGateway, None),
        "pcx" => (Disposition::ExitsToPeer, None),
        // An appliance forwards what it gets, to where the new path cannot say: taken to have
        // done what the new path does, so that only the interface that sees the traffic differs
        // (as when a live route is pointed from one appliance to another).
        "eni" | "i" => (after.disposition, after.internet),
        "vpce" => (Disposition::ToVpcEndpoint, None),
        _ => return FromBlackhole::Unknown,
    };
    // (The target on the path, as a live route's would be.)
    let mut path = before.path.clone();
    path.push(Arc::from(target));
    FromBlackhole::Redirected(Side {
        disposition,
        path,
        internet,
        blackhole_target: None,
    })
}

/// The outcome a change is graded from: `before` itself, or, for a range a blackhole route
/// dropped that now goes elsewhere, the outcome of that route's target ([`FromBlackhole`]).
fn graded_before<'a>(before: &'a Side, after: &Side) -> std::borrow::Cow<'a, Side> {
    if before.disposition == Disposition::Blackhole
        && after.carries()
        && let FromBlackhole::Redirected(h) = from_blackhole(before, after)
    {
        return std::borrow::Cow::Owned(h);
    }
    std::borrow::Cow::Borrowed(before)
}

/// Classifies a change of outcome for a range; `None` when nothing a user cares about changed
/// (e.g. only an explanation's wording).
fn classify(before: &Side, after: &Side) -> Option<ChangeKind> {
    // An instance hop is followed by the interface it uses: a route retargeted from an instance
    // to that same interface (or back) leads to the same place.
    let same_path = {
        let not_instance = |h: &&str| !h.starts_with("i-");
        before
            .hops()
            .filter(not_instance)
            .eq(after.hops().filter(not_instance))
    };
    if before.disposition == after.disposition && before.internet == after.internet && same_path {
        return None;
    }
    if before.disposition == Disposition::Blackhole && after.carries() {
        match from_blackhole(before, after) {
            FromBlackhole::Exposed => return Some(ChangeKind::InternetExposed),
            FromBlackhole::Restored => return Some(ChangeKind::Restored),
            FromBlackhole::PeerActivated => return Some(ChangeKind::PeerPathGained),
            // Where the target's outcome and the new one agree, the range goes where the dead
            // route sent it.
            FromBlackhole::Redirected(h) => {
                return Some(classify(&h, after).unwrap_or(ChangeKind::Restored));
            }
            FromBlackhole::Unknown => {}
        }
    }
    let internet = |s: &Side| s.disposition == Disposition::ExitsToInternet;
    let vpn = |s: &Side| s.disposition == Disposition::ExitsToVpn;
    // Most specific first: a range that now leaves through a new kind of path is reported as
    // that path gained (what it lost is in `before`).
    let kind = if after.disposition == Disposition::Blackhole && before.carries() {
        ChangeKind::Blackholed
    } else if internet(after)
        && after.internet == Some(InternetVia::Direct)
        && before.internet != Some(InternetVia::Direct)
    {
        ChangeKind::InternetExposed
    } else if before.carries()
        && !matches!(
            after.disposition,
            Disposition::ExitsToInternet | Disposition::Loop | Disposition::NoRoute
        )
        && captured_by_interface(before, after)
    {
        // A route to an interface or instance took the range (issue #4: "a more specific route
        // to an interface ... that captures traffic"). Even when the instance drops what is
        // not addressed to it (its source/destination check is on), the range no longer gets
        // where it went, and turning the check off makes it an interception.
        ChangeKind::TrafficRedirected
    } else if internet(before)
        && internet(after)
        && before.internet == Some(InternetVia::Direct)
        && after.internet != Some(InternetVia::Direct)
    {
        ChangeKind::InternetExposureRemoved
    } else if vpn(after) && !vpn(before) {
        ChangeKind::OnPremisesPathGained
    } else if after.via_peering() && !before.via_peering() {
        ChangeKind::PeerPathGained
    } else if internet(after) && !internet(before) {
        ChangeKind::InternetEgressGained
    } else if vpn(before) && !vpn(after) {
        ChangeKind::OnPremisesPathLost
    } else if before.via_peering() && !after.via_peering() {
        ChangeKind::PeerPathLost
    } else if internet(before) && !internet(after) {
        ChangeKind::InternetLost
    } else if before.carries() && after.carries() {
        ChangeKind::TrafficRedirected
    } else if before.carries() {
        // Delivered to an endpoint, a transit gateway, an interface or the VPC, now dropped.
        ChangeKind::PathLost
    } else if after.carries() {
        // Went nowhere (no route, dropped), now delivered: a path that did not exist (a new
        // subnet, a new route to a transit gateway, an endpoint or an interface). Traffic a
        // blackhole route dropped is RESTORED above.
        ChangeKind::PathGained
    } else {
        // Dropped before and after (only the reason changed): nothing became reachable or
        // unreachable.
        return None;
    };
    Some(kind)
}

/// How many of `changes` add exposure (`ChangeKind::is_new_exposure`) at `min` or more severe:
/// the CI gate of `replay`, `whatif` and `diff`.
pub fn count_new_exposure<'a>(
    changes: impl IntoIterator<Item = &'a ExposureChange>,
    min: Severity,
) -> usize {
    changes
        .into_iter()
        .filter(|c| c.adds_exposure() && c.severity.at_least(min))
        .count()
}

/// The exposure changes between two whole states (two snapshots, or two points of a replay), for
/// every subnet of either: a subnet in only one is compared with its absence. Reach is computed
/// on all cores; the order is by subnet, then `diff`'s order, then the inbound paths of every
/// gateway with an edge route table at either end ([`ingress`]).
pub fn diff_networks(
    before: &crate::model::Network,
    after: &crate::model::Network,
) -> Vec<ExposureChange> {
    use crate::reach::Engine;
    let (eb, ea) = (Engine::new(before), Engine::new(after));
    let ids: std::collections::BTreeSet<&SubnetId> =
        before.subnets.keys().chain(after.subnets.keys()).collect();
    let ids: Vec<&SubnetId> = ids.into_iter().collect();
    let mut out = Vec::new();
    // A batch of subnets at a time (each state's reach of it on all cores), so that two large
    // accounts are compared without holding either's whole reach.
    for batch in ids.chunks(512) {
        let reach = |engine: &Engine, net: &crate::model::Network| {
            let present: Vec<SubnetId> = batch
                .iter()
                .filter(|id| net.subnets.contains_key(**id))
                .map(|id| (*id).clone())
                .collect();
            engine
                .reach_many(net, &present)
                .into_iter()
                .map(|r| (r.subnet_id.clone(), r))
                .collect::<std::collections::BTreeMap<SubnetId, SubnetReach>>()
        };
        let (b, a) = (reach(&eb, before), reach(&ea, after));
        for id in batch {
            out.extend(diff_either(b.get(*id), a.get(*id)));
        }
    }
    // Inbound paths of the gateways with an edge route table at either end.
    let gateways: std::collections::BTreeSet<String> = before
        .edge_gateways()
        .chain(after.edge_gateways())
        .map(str::to_string)
        .collect();
    if !gateways.is_empty() {
        out.extend(ingress::diff(
            &ingress::ingress_map(&eb, before, &gateways),
            &ingress::ingress_map(&ea, after, &gateways),
            after,
        ));
    }
    out
}

/// The changes of one subnet between two states it may be missing from: a subnet only in one is
/// compared with its absence (created or deleted in between).
pub fn diff_either(
    before: Option<&SubnetReach>,
    after: Option<&SubnetReach>,
) -> Vec<ExposureChange> {
    match (before, after) {
        (Some(b), Some(a)) => diff(b, a),
        (None, Some(a)) => diff(&absent(a), a),
        (Some(b), None) => diff(b, &absent(b)),
        (None, None) => Vec::new(),
    }
}

/// The reach of `subnet` as if it did not exist: every range of each family it has addresses
/// in goes nowhere (`NO_ROUTE`, empty path). Diffing against it reports what a subnet created
/// (or deleted) between two states can reach (or could reach), e.g. in a replay's net change.
pub fn absent(subnet: &SubnetReach) -> SubnetReach {
    let none = |f: &FamilyReach| FamilyReach {
        internet: crate::reach::InternetClass::Isolated,
        internet_ranges: Vec::new(),
        internet_full: false,
        internet_via: Vec::new(),
        public_hosts: Vec::new(),
        segments: vec![crate::reach::Segment {
            ranges: Ranges::one(f.family.whole()),
            disposition: Disposition::NoRoute,
            path: Vec::new(),
            explanations: Vec::new(),
            internet: None,
            blackhole_target: None,
        }],
        ..f.clone()
    };
    SubnetReach {
        route_table_id: None,
        association: None,
        ipv4: none(&subnet.ipv4),
        ipv6: none(&subnet.ipv6),
        ..subnet.clone()
    }
}

/// The changes between two reach results of the same subnet, in a stable order (family, kind,
/// first address).
pub fn diff(before: &SubnetReach, after: &SubnetReach) -> Vec<ExposureChange> {
    let mut out = Vec::new();
    for (b, a) in [(&before.ipv4, &after.ipv4), (&before.ipv6, &after.ipv6)] {
        diff_family(before, b, a, &mut out);
    }
    out
}

/// Overlays two partitions of the same addresses (each a list of segments): calls `f` with every
/// range on which one segment of each side applies, and the sides of those two segments.
fn overlay(before: &[Segment], after: &[Segment], mut f: impl FnMut(Interval, Side, Side)) {
    // Sorted (interval, segment) lists, walked together.
    let flat = |segments: &[Segment]| {
        let mut v: Vec<(Interval, usize)> = segments
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.ranges.iter().map(move |r| (*r, i)))
            .collect();
        v.sort();
        v
    };
    let (fb, fa) = (flat(before), flat(after));
    let (mut i, mut j) = (0, 0);
    while i < fb.len() && j < fa.len() {
        let (ib, sb) = fb[i];
        let (ia, sa) = fa[j];
        if let Some(x) = ib.intersect(&ia) {
            f(x, Side::of(&before[sb]), Side::of(&after[sa]));
        }
        if ib.hi < ia.hi {
            i += 1;
        } else {
            j += 1;
        }
    }
}

/// Changed ranges gathered by kind and sides: ranges with the same kind, before and after are
/// one change.
#[derive(Default)]
struct Changes(Vec<(ChangeKind, Side, Side, Vec<Interval>)>);

impl Changes {
    /// Adds `parts` under `kind` (nothing when there is no kind or no range).
    fn add(&mut self, kind: Option<ChangeKind>, b: &Side, a: &Side, parts: Vec<Interval>) {
        let Some(kind) = kind else { return };
        if parts.is_empty() {
            return;
        }
        match self
            .0
            .iter_mut()
            .find(|c| c.0 == kind && &c.1 == b && &c.2 == a)
        {
            Some(c) => c.3.extend(parts),
            None => self.0.push((kind, b.clone(), a.clone(), parts)),
        }
    }
}

fn diff_family(
    subnet: &SubnetReach,
    before: &FamilyReach,
    after: &FamilyReach,
    out: &mut Vec<ExposureChange>,
) {
    // A subnet without addresses of the family sends nothing of it, whatever its table says.
    if !before.has_addresses && !after.has_addresses {
        return;
    }
    let mut changes = Changes::default();
    // Addresses outside the public space (private, shared, special-purpose) are not on the
    // internet: traffic to them that "exits to the internet" is dropped there. They are
    // classified as such, so that, say, a VPN route deleted under a NAT default route is an
    // on-premises path lost, not internet egress gained (the paths shown stay the engine's).
    let public = addr::public_space(before.family);
    overlay(&before.segments, &after.segments, |x, b, a| {
        if b.disposition == Disposition::ExitsToInternet
            || a.disposition == Disposition::ExitsToInternet
        {
            changes.add(classify(&b, &a), &b, &a, addr::intersect(&[x], public));
            changes.add(
                classify(&b.unroutable(), &a.unroutable()),
                &b,
                &a,
                addr::subtract(&[x], public),
            );
        } else {
            changes.add(classify(&b, &a), &b, &a, vec![x]);
        }
    });
    let mut found: Vec<ExposureChange> = changes
        .0
        .into_iter()
        .map(|(kind, b, a, ranges)| {
            let (severity, reason) =
                grade(kind, &graded_before(&b, &a), &a, after.public_hosts.len());
            ExposureChange {
                subnet_id: subnet.subnet_id.clone(),
                vpc_id: subnet.vpc_id.clone(),
                account: subnet.owner_id.clone(),
                region: subnet.region.clone(),
                family: before.family,
                kind,
                ranges: addr::normalize(ranges),
                before: b,
                after: a,
                severity,
                reason,
            }
        })
        .collect();
    // Hosts of a subnet public before and after that gained or lost a public address (when the
    // subnet itself becomes public or private, the change above already says so for all), and
    // public addresses moved from one host of the subnet to another.
    if before.internet == crate::reach::InternetClass::Public
        && after.internet == crate::reach::InternetClass::Public
    {
        found.extend(host_changes(subnet, before, after));
    }
    found.sort_by(|x, y| (x.kind, x.ranges.first()).cmp(&(y.kind, y.ranges.first())));
    out.extend(found);
}

/// The host-level changes of a subnet public before and after. A host is its interface and
/// private address: a new public address on a host that had one (an Elastic IP replacing the
/// auto-assigned address) changes nothing for it. A public address that moved to another host
/// of the subnet is one change of that address: `HOST_EXPOSED` when the host it moved to had
/// no public address, else `TRAFFIC_REDIRECTED` (connections from the internet to it reach
/// another host); the host it left is named in the reason, not reported as no longer exposed.
fn host_changes(
    subnet: &SubnetReach,
    before: &FamilyReach,
    after: &FamilyReach,
) -> Vec<ExposureChange> {
    use crate::model::NetworkInterfaceId;
    use crate::reach::PublicHost;
    use std::collections::{BTreeMap, BTreeSet};
    use std::net::IpAddr;
    let key = |h: &PublicHost| (h.interface.clone(), h.private_ip);
    let had: BTreeSet<_> = before.public_hosts.iter().map(key).collect();
    let has: BTreeSet<_> = after.public_hosts.iter().map(key).collect();
    let by_address = |hosts: &[PublicHost]| -> BTreeMap<IpAddr, (NetworkInterfaceId, IpAddr)> {
        hosts.iter().map(|h| (h.public_ip, key(h))).collect()
    };
    let (was_at, is_at) = (
        by_address(&before.public_hosts),
        by_address(&after.public_hosts),
    );
    // The hosts a public address moved between: (from, to) by address.
    let moved = |ip: &IpAddr| -> Option<(&PublicHost, &PublicHost)> {
        let (from, to) = (was_at.get(ip)?, is_at.get(ip)?);
        // (An address listed on two hosts on one side, which an input can declare, is not
        // taken for a move.)
        let listed = |hosts: &[PublicHost]| hosts.iter().filter(|h| h.public_ip == *ip).count();
        if from == to || listed(&before.public_hosts) > 1 || listed(&after.public_hosts) > 1 {
            return None;
        }
        let old = before.public_hosts.iter().find(|h| key(h) == *from)?;
        let new = after.public_hosts.iter().find(|h| key(h) == *to)?;
        Some((old, new))
    };
    let who = |h: &PublicHost| match &h.instance {
        Some(i) => format!("{i} ({}, {})", h.interface, h.private_ip),
        None => format!("{} ({})", h.interface, h.private_ip),
    };
    let reached = |h: &PublicHost| {
        let mut path: Vec<Arc<str>> = vec![h.interface.name()];
        if let Some(i) = &h.instance {
            path.push(i.name());
        }
        Side {
            disposition: Disposition::Delivered,
            path,
            internet: Some(InternetVia::Direct),
            blackhole_target: None,
        }
    };
    let unreached = || Side {
        disposition: Disposition::Dropped,
        path: Vec::new(),
        internet: None,
        blackhole_target: None,
    };
    let change = |kind, h: &PublicHost, b: Side, a: Side, severity, reason| ExposureChange {
        subnet_id: subnet.subnet_id.clone(),
        vpc_id: subnet.vpc_id.clone(),
        account: subnet.owner_id.clone(),
        region: subnet.region.clone(),
        family: before.family,
        kind,
        ranges: vec![Interval::single(addr::addr_value(&h.public_ip))],
        before: b,
        after: a,
        severity,
        reason,
    };
    let mut out = Vec::new();
    for h in &after.public_hosts {
        let gained = !had.contains(&key(h));
        match (moved(&h.public_ip), gained) {
            (Some((old, _)), true) => out.push(change(
                ChangeKind::HostExposed,
                h,
                reached(old),
                reached(h),
                Severity::Critical,
                format!(
                    "{} in a public subnet is now reachable from the internet at {}, the address {} had",
                    who(h),
                    h.public_ip,
                    who(old)
                ),
            )),
            (Some((old, _)), false) => out.push(change(
                ChangeKind::TrafficRedirected,
                h,
                reached(old),
                reached(h),
                Severity::High,
                format!(
                    "connections from the internet to {} now reach {} instead of {}",
                    h.public_ip,
                    who(h),
                    who(old)
                ),
            )),
            (None, true) => out.push(change(
                ChangeKind::HostExposed,
                h,
                unreached(),
                reached(h),
                Severity::Critical,
                format!(
                    "{} in a public subnet is now reachable from the internet at {}",
                    who(h),
                    h.public_ip
                ),
            )),
            (None, false) => {}
        }
    }
    for h in &before.public_hosts {
        // Moved to another host: reported above, as a change of that address.
        if has.contains(&key(h)) || moved(&h.public_ip).is_some() {
            continue;
        }
        out.push(change(
            ChangeKind::HostExposureRemoved,
            h,
            reached(h),
            unreached(),
            Severity::Info,
            format!(
                "{} is no longer reachable from the internet at {}",
                who(h),
                h.public_ip
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(disposition: Disposition, path: &[&str], internet: Option<InternetVia>) -> Side {
        Side {
            disposition,
            path: path.iter().map(|p| Arc::from(*p)).collect(),
            internet,
            blackhole_target: None,
        }
    }

    fn dead(target: &str) -> Side {
        Side {
            blackhole_target: Some(Arc::from(target)),
            ..side(Disposition::Blackhole, &["rtb-1"], None)
        }
    }

    /// A range a blackhole route dropped is RESTORED only when it goes where that route
    /// pointed; anywhere else it is graded by where it goes now.
    #[test]
    fn a_blackhole_is_restored_only_by_its_own_target() {
        let nat = |id| {
            side(
                Disposition::ExitsToInternet,
                &["rtb-1", id],
                Some(InternetVia::NatGateway),
            )
        };
        let vpn = side(Disposition::ExitsToVpn, &["rtb-1", "vgw-1"], None);
        let peer = |pcx| {
            side(
                Disposition::Delivered,
                &["rtb-1", pcx, "vpc-2", "subnet-2"],
                None,
            )
        };
        let eni = side(
            Disposition::Delivered,
            &["rtb-1", "eni-1", "subnet-1", "rtb-2", "subnet-3"],
            None,
        );
        let igw = side(
            Disposition::ExitsToInternet,
            &["rtb-1", "igw-1"],
            Some(InternetVia::Direct),
        );
        let eigw = side(
            Disposition::ExitsToInternet,
            &["rtb-1", "eigw-2"],
            Some(InternetVia::EgressOnly),
        );
        let vpn_via_appliance = side(
            Disposition::ExitsToVpn,
            &["rtb-1", "i-1", "eni-1", "subnet-1", "rtb-2", "vgw-1"],
            None,
        );
        let nat_via_appliance = side(
            Disposition::ExitsToInternet,
            &[
                "rtb-1", "i-1", "eni-1", "subnet-1", "rtb-2", "nat-2", "subnet-2", "rtb-3", "igw-1",
            ],
            Some(InternetVia::Appliance),
        );
        let cases = [
            // The same target alive again.
            (dead("vgw-1"), vpn.clone(), ChangeKind::Restored),
            (dead("eni-1"), eni.clone(), ChangeKind::Restored),
            // Another egress-only gateway: its ID never comes back either.
            (dead("eigw-1"), eigw.clone(), ChangeKind::Restored),
            // The gateway back, but behind an instance now: a capture, not a restoration.
            (
                dead("vgw-1"),
                vpn_via_appliance.clone(),
                ChangeKind::TrafficRedirected,
            ),
            (
                dead("nat-1"),
                nat_via_appliance.clone(),
                ChangeKind::TrafficRedirected,
            ),
            // A NAT gateway never comes back: another one gives the same egress.
            (dead("nat-1"), nat("nat-2"), ChangeKind::Restored),
            // Somewhere the dead route did not point.
            (dead("nat-1"), vpn.clone(), ChangeKind::OnPremisesPathGained),
            (dead("nat-1"), eni.clone(), ChangeKind::TrafficRedirected),
            (
                dead("vgw-1"),
                nat("nat-2"),
                ChangeKind::InternetEgressGained,
            ),
            // As the live route pointed from one peering connection to another would be.
            (dead("pcx-1"), peer("pcx-2"), ChangeKind::TrafficRedirected),
            // A connection becomes active only once (its acceptance): a new peer path.
            (dead("pcx-1"), peer("pcx-1"), ChangeKind::PeerPathGained),
            // Straight to the internet: exposed, whatever the dead route pointed at.
            (dead("igw-1"), igw.clone(), ChangeKind::InternetExposed),
        ];
        // A dead route deeper than the source's table: the internet gateway of the NAT
        // gateway's subnet detached, then attached again.
        let behind_nat = |target: &str| Side {
            blackhole_target: Some(Arc::from(target)),
            ..side(
                Disposition::Blackhole,
                &["rtb-1", "nat-1", "subnet-n", "rtb-n"],
                None,
            )
        };
        let via_nat = |last: &str| {
            side(
                Disposition::ExitsToInternet,
                &["rtb-1", "nat-1", "subnet-n", "rtb-n", last],
                Some(InternetVia::NatGateway),
            )
        };
        let appliance_behind_nat = side(
            Disposition::Delivered,
            &["rtb-1", "nat-1", "subnet-n", "rtb-n", "eni-9", "subnet-9"],
            None,
        );
        // A dead appliance route: the appliance is taken to have done what the new path does,
        // so a new appliance is a capture (as a live retarget between appliances is), and a
        // NAT gateway instead is the capture undone.
        let via_other_appliance = side(
            Disposition::ExitsToInternet,
            &["rtb-1", "i-2", "eni-2", "subnet-2", "rtb-2", "igw-1"],
            Some(InternetVia::Appliance),
        );
        assert_eq!(
            classify(&dead("i-1"), &via_other_appliance),
            Some(ChangeKind::TrafficRedirected)
        );
        let (severity, _) = grade(
            ChangeKind::TrafficRedirected,
            &graded_before(&dead("i-1"), &via_other_appliance),
            &via_other_appliance,
            0,
        );
        assert_eq!(severity, Severity::High);
        let (severity, _) = grade(
            ChangeKind::TrafficRedirected,
            &graded_before(&dead("i-1"), &nat("nat-2")),
            &nat("nat-2"),
            0,
        );
        assert_eq!(severity, Severity::Low);
        let deep = [
            (behind_nat("igw-1"), via_nat("igw-1"), ChangeKind::Restored),
            (
                behind_nat("igw-1"),
                via_nat("igw-2"),
                ChangeKind::TrafficRedirected,
            ),
            (
                behind_nat("igw-1"),
                appliance_behind_nat,
                ChangeKind::TrafficRedirected,
            ),
        ];
        for (before, after, kind) in cases.into_iter().chain(deep) {
            assert_eq!(
                classify(&before, &after),
                Some(kind),
                "{before:?} -> {after:?}"
            );
        }
        // The dead route retargeted to another dead target: nothing became reachable.
        assert_eq!(classify(&dead("nat-1"), &dead("nat-2")), None);
    }
}
