//! `cargo bench --bench reach`: times the reach engine on a large synthetic account.
//!
//! The account is generated deterministically from a fixed seed by a splitmix64 generator (no
//! external crates) and built directly through the model API: 1,000 VPCs with 20 subnets each,
//! one explicitly associated route table per subnet plus each VPC's main table, 50 routes per
//! table (local routes, a default route to the VPC's internet gateway or NAT gateway, peering
//! routes, an S3 prefix-list route, and random more-specific prefixes outside the VPC to peering
//! connections, virtual private gateways, transit gateways, appliance and host interfaces, and
//! blackhole targets such as a deleted NAT gateway). Private subnets reach the internet through a
//! NAT gateway in a public subnet; VPC *i* is peered with VPC *i+1*, some VPCs also with a VPC of
//! another account that is not in the model, and most peerings have routes on both sides. Every
//! fifth VPC also has IPv6.
//!
//! It prints a plain table: generation, `Engine::new`, the streamed JSON report (what the CLI
//! does, with its peak memory), `reach_all`, `reach_json`, the cost of
//! recomputing one subnet after one route change, the route graph, and peak memory (`VmHWM`).
//! `VPCSIM_BENCH_SCALE` (default 1.0) scales the number of VPCs, e.g. 0.1 for a quick try;
//! `VPCSIM_BENCH_REACH_ONLY=1` runs only `reach_all` (for profiling);
//! `VPCSIM_BENCH_EXPORT=<dir>` writes the account as describe-* JSON into `<dir>` and stops (to
//! time the CLI on it, e.g. `vpcsim whatif --snapshot <dir> -- ...`; BENCHMARKS.md).
//! Last, it replays route-family records with exposure on through `replay::Stepper` (issue #4:
//! apply + incremental exposure diff per event) and prints median, mean, p90 and p99 per kind:
//! `VPCSIM_BENCH_EXPOSURE_CHANGES` route changes (default 3,000, a third each CreateRoute,
//! ReplaceRoute and DeleteRoute on random subnet tables) and `VPCSIM_BENCH_EXPOSURE_ASSOCIATIONS`
//! re-associations (default 20); `VPCSIM_BENCH_EXPOSURE_TABLES=N` draws them from N random
//! subnet tables instead of all (locality), then `VPCSIM_BENCH_EXPOSURE_HOSTS` host changes
//! (default 150: RunInstances on random subnets, every third record a TerminateInstances),
//! reported apart from the route-family events; `VPCSIM_BENCH_EXPOSURE_ONLY=1` generates the account
//! and runs only this part.
//! `BENCHMARKS.md` records measured numbers.

#[path = "common/mod.rs"]
mod common;
use common::{cpu_ms, loadavg, mb, memory, minor_faults};
use ipnet::{Ipv4Net, Ipv6Net};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::{Duration, Instant};
use vpcsim::addr::Family;
use vpcsim::model::*;
use vpcsim::reach::{Engine, InternetClass, RouteGraph, SubnetReach};
use vpcsim::report::reach_json;

const SEED: u64 = 0x7670_6373_696d_0001;
const BASE_VPCS: f64 = 1000.0;
/// VPC CIDRs are the /19 blocks of 10.0.0.0/8, so at most 2,048 VPCs (scale 2.048).
const MAX_VPCS: usize = 2048;
const SUBNETS_PER_VPC: usize = 20;
/// Subnets 0 and 1 of each VPC are public and hold its two NAT gateways.
const PUBLIC_SUBNETS: usize = 2;
const ROUTES_PER_TABLE: usize = 50;
const CHANGES: usize = 1000;
const GRAPH_SAMPLES: usize = 20;
/// Route changes and association changes replayed with exposure on (issue #4 §5).
const EXPOSURE_CHANGES: usize = 3000;
const EXPOSURE_ASSOCIATIONS: usize = 20;
const EVENT_TARGET: Duration = Duration::from_micros(20);
const ACCOUNT: &str = "123456789012";
const OTHER_ACCOUNT: &str = "210987654321";
const REGION: &str = "us-east-1";
const S3_PREFIX_LIST: &str = "pl-63a5400a";
const S3_CIDRS: [&str; 9] = [
    "3.5.0.0/19",
    "16.15.192.0/18",
    "16.182.0.0/16",
    "18.34.0.0/19",
    "18.34.232.0/21",
    "44.192.134.240/28",
    "44.192.140.64/28",
    "52.216.0.0/15",
    "54.231.0.0/16",
];
const REACH_TARGET: Duration = Duration::from_secs(1);
const MEMORY_TARGET_BYTES: u64 = 500_000_000;

/// splitmix64 (Steele, Lea, Flood 2014): tiny, fast and good enough for synthetic data.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (the modulo bias is irrelevant here).
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn between(&mut self, lo: u8, hi: u8) -> u8 {
        lo + self.below(usize::from(hi - lo) + 1) as u8
    }

    fn percent(&mut self, p: usize) -> bool {
        self.below(100) < p
    }
}

fn hex_id(prefix: &str, n: usize) -> String {
    format!("{prefix}{n:017x}")
}

fn v4(addr: u32, len: u8) -> Ipv4Net {
    Ipv4Net::new(Ipv4Addr::from(addr), len)
        .expect("prefix length <= 32")
        .trunc()
}

fn v6(addr: u128, len: u8) -> Ipv6Net {
    Ipv6Net::new(Ipv6Addr::from(addr), len)
        .expect("prefix length <= 128")
        .trunc()
}

fn overlaps(a: &Ipv4Net, b: &Ipv4Net) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

/// What the route generator needs to know about one VPC.
struct VpcPlan {
    id: VpcId,
    cidr: Ipv4Net,
    ipv6: Option<Ipv6Net>,
    igw: InternetGatewayId,
    eigw: Option<EgressOnlyInternetGatewayId>,
    nats: [NatGatewayId; 2],
    deleted_nat: NatGatewayId,
    vgw: VpnGatewayId,
    endpoint: VpcEndpointId,
    /// Peerings this VPC has routes for: connection and the peer's CIDR.
    peers: Vec<(VpcPeeringConnectionId, Ipv4Net)>,
    /// A peering connection in state `deleted` (blackhole target).
    stale_pcx: VpcPeeringConnectionId,
    appliance: NetworkInterfaceId,
    host: NetworkInterfaceId,
    /// An interface ID that the (complete) inventory does not hold (blackhole target).
    missing_eni: NetworkInterfaceId,
    /// The subnet table IDs, indexed by subnet number.
    tables: Vec<RouteTableId>,
    main_table: RouteTableId,
}

/// The generated account, with what the change replay needs.
struct Account {
    net: Network,
    plans: Vec<VpcPlan>,
    /// `(subnet, its explicitly associated table, index of its VPC)`.
    subnet_tables: Vec<(SubnetId, RouteTableId, usize)>,
    tgws: [TransitGatewayId; 2],
}

fn vpc_cidr(v: usize) -> Ipv4Net {
    v4(0x0a00_0000 + (v as u32) * 8192, 19)
}

fn subnet_cidr(v: usize, j: usize) -> Ipv4Net {
    v4(u32::from(vpc_cidr(v).network()) + (j as u32) * 256, 24)
}

fn vpc_ipv6(v: usize) -> Option<Ipv6Net> {
    v.is_multiple_of(5)
        .then(|| v6(0x2600_1f18_u128 << 96 | (v as u128) << 72, 56))
}

/// A host address inside subnet `j` of VPC `v`.
fn host_ip(v: usize, j: usize, host: u32) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(subnet_cidr(v, j).network()) + host)
}

/// A unique public address for resource number `n` (in 3.0.0.0/8 and 54.0.0.0/8).
fn public_ip(first_octet: u32, n: usize) -> Ipv4Addr {
    Ipv4Addr::from(first_octet << 24 | (n as u32 + 1))
}

/// A random prefix of length `lo..=hi` inside `within`, not overlapping `avoid`.
fn prefix_in(rng: &mut Rng, within: Ipv4Net, lo: u8, hi: u8, avoid: &Ipv4Net) -> Ipv4Net {
    loop {
        let len = rng.between(lo.max(within.prefix_len()), hi);
        let span = 1u64 << (32 - within.prefix_len());
        let addr = u32::from(within.network()) + (rng.next_u64() % span) as u32;
        let net = v4(addr, len);
        if !overlaps(&net, avoid) {
            return net;
        }
    }
}

/// One random "more-specific" route of a VPC's table: never the VPC's own CIDR.
fn random_route(rng: &mut Rng, plan: &VpcPlan, tgws: &[TransitGatewayId; 2]) -> Route {
    let ten = v4(0x0a00_0000, 8);
    let own = &plan.cidr;
    let route = |net: Ipv4Net, target: Target| {
        Route::new(Destination::Ipv4(net), target, RouteOrigin::CreateRoute)
    };
    let roll = rng.below(100);
    match roll {
        // Corporate address space over the transit gateway (mostly the shared one; the second
        // one is attached to only a tenth of the VPCs, elsewhere its routes are blackhole).
        0..30 => {
            let tgw = if rng.percent(90) { &tgws[0] } else { &tgws[1] };
            route(
                prefix_in(rng, ten, 12, 24, own),
                Target::TransitGateway(tgw.clone()),
            )
        }
        // On-premises ranges over the VPN, some of them propagated.
        30..45 => {
            let within = if rng.percent(50) {
                v4(0xac10_0000, 12)
            } else {
                v4(0xc0a8_0000, 16)
            };
            let net = prefix_in(rng, within, 16, 26, own);
            let origin = if rng.percent(30) {
                RouteOrigin::EnableVgwRoutePropagation
            } else {
                RouteOrigin::CreateRoute
            };
            Route::new(
                Destination::Ipv4(net),
                Target::VpnGateway(plan.vgw.clone()),
                origin,
            )
        }
        // A more-specific part of a peer VPC.
        45..60 if !plan.peers.is_empty() => {
            let (pcx, cidr) = &plan.peers[rng.below(plan.peers.len())];
            let hi = 26.max(cidr.prefix_len());
            route(
                prefix_in(rng, *cidr, cidr.prefix_len() + 1, hi, own),
                Target::VpcPeeringConnection(pcx.clone()),
            )
        }
        // Public ranges through a firewall appliance.
        60..70 => {
            let net = prefix_in(rng, v4(0, 0), 12, 24, own);
            route(net, Target::NetworkInterface(plan.appliance.clone()))
        }
        // A small range to a host with source/destination check on.
        70..75 => route(
            prefix_in(rng, ten, 24, 28, own),
            Target::NetworkInterface(plan.host.clone()),
        ),
        // Blackhole targets: a deleted NAT gateway, a missing interface, a deleted peering.
        75..90 => {
            let net = prefix_in(rng, v4(0, 0), 12, 26, own);
            let target = match rng.below(3) {
                0 => Target::NatGateway(plan.deleted_nat.clone()),
                1 => Target::NetworkInterface(plan.missing_eni.clone()),
                _ => Target::VpcPeeringConnection(plan.stale_pcx.clone()),
            };
            route(net, target)
        }
        _ => route(
            prefix_in(rng, ten, 16, 26, own),
            Target::TransitGateway(tgws[0].clone()),
        ),
    }
}

enum TableKind {
    Main,
    Public,
    Private { subnet: usize },
}

fn build_table(
    rng: &mut Rng,
    plan: &VpcPlan,
    tgws: &[TransitGatewayId; 2],
    id: RouteTableId,
    kind: &TableKind,
) -> RouteTable {
    let mut t = RouteTable::new(id, plan.id.clone());
    t.owner_id = Some(AccountId::new(ACCOUNT));
    let local = |d| Route::new(d, Target::Local, RouteOrigin::CreateRouteTable);
    let create = |d, target| Route::new(d, target, RouteOrigin::CreateRoute);
    t.put_route(local(Destination::Ipv4(plan.cidr)));
    let default_v4 = Destination::Ipv4(v4(0, 0));
    let default_target = match kind {
        TableKind::Public => Target::InternetGateway(plan.igw.clone()),
        TableKind::Main => Target::NatGateway(plan.nats[0].clone()),
        // One private subnet in a hundred still points at a deleted NAT gateway.
        TableKind::Private { .. } if rng.percent(1) => Target::NatGateway(plan.deleted_nat.clone()),
        TableKind::Private { subnet } => Target::NatGateway(plan.nats[subnet % 2].clone()),
    };
    t.put_route(create(default_v4, default_target));
    if let (Some(net6), Some(eigw)) = (plan.ipv6, &plan.eigw) {
        t.put_route(local(Destination::Ipv6(net6)));
        let default_v6 = Destination::Ipv6(v6(0, 0));
        match kind {
            TableKind::Public => t.put_route(create(
                default_v6,
                Target::InternetGateway(plan.igw.clone()),
            )),
            _ => {
                t.put_route(create(
                    default_v6,
                    Target::EgressOnlyInternetGateway(eigw.clone()),
                ));
                let nat64 = Destination::Ipv6(v6(0x0064_ff9b_u128 << 96, 96));
                t.put_route(create(nat64, Target::NatGateway(plan.nats[0].clone())));
            }
        }
    }
    t.put_route(create(
        Destination::PrefixList(PrefixListId::new(S3_PREFIX_LIST)),
        Target::VpcEndpoint(plan.endpoint.clone()),
    ));
    for (pcx, cidr) in &plan.peers {
        t.put_route(create(
            Destination::Ipv4(*cidr),
            Target::VpcPeeringConnection(pcx.clone()),
        ));
    }
    while t.routes.len() < ROUTES_PER_TABLE {
        t.put_route(random_route(rng, plan, tgws));
    }
    t
}

fn generate(vpcs: usize) -> Account {
    let mut rng = Rng(SEED);
    let mut net = Network::default();
    net.inventory = Inventory {
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
    let account = Some(AccountId::new(ACCOUNT));
    let tgws = [
        TransitGatewayId::new(hex_id("tgw-", 1)),
        TransitGatewayId::new(hex_id("tgw-", 2)),
    ];
    net.prefix_lists.insert(
        PrefixListId::new(S3_PREFIX_LIST),
        PrefixList {
            id: PrefixListId::new(S3_PREFIX_LIST),
            name: Some(format!("com.amazonaws.{REGION}.s3")),
            cidrs: S3_CIDRS
                .iter()
                .map(|c| c.parse().expect("valid CIDR"))
                .collect(),
            max_entries: None,
        },
    );

    // Resources per VPC, and the plan the route generator works from.
    let mut plans: Vec<VpcPlan> = Vec::with_capacity(vpcs);
    for v in 0..vpcs {
        let id = VpcId::new(hex_id("vpc-", v + 1));
        let cidr = vpc_cidr(v);
        let ipv6 = vpc_ipv6(v);
        net.vpcs.insert(
            id.clone(),
            Vpc {
                id: Some(id.clone()),
                ipv4_cidrs: vec![cidr],
                ipv6_cidrs: ipv6.into_iter().collect(),
                is_default: false,
                owner_id: account.clone(),
                region: Some(REGION.into()),
                name: Some(format!("bench-{v}")),
                ..Vpc::default()
            },
        );
        let subnet_ids: Vec<SubnetId> = (0..SUBNETS_PER_VPC)
            .map(|j| SubnetId::new(hex_id("subnet-", v * SUBNETS_PER_VPC + j + 1)))
            .collect();
        for (j, sid) in subnet_ids.iter().enumerate() {
            net.subnets.insert(
                sid.clone(),
                Subnet {
                    id: sid.clone(),
                    vpc_id: id.clone(),
                    ipv4_cidr: Some(subnet_cidr(v, j)),
                    ipv6_cidrs: ipv6
                        .map(|n| v6(u128::from(n.network()) | (j as u128) << 64, 64))
                        .into_iter()
                        .collect(),
                    availability_zone: Some(format!("{REGION}{}", ['a', 'b', 'c'][j % 3])),
                    map_public_ip_on_launch: j < PUBLIC_SUBNETS,
                    assign_ipv6_address_on_creation: false,
                    owner_id: None,
                    region: None,
                    name: None,
                },
            );
        }
        let igw = InternetGatewayId::new(hex_id("igw-", v + 1));
        net.internet_gateways.insert(
            igw.clone(),
            InternetGateway {
                id: igw.clone(),
                attached_vpc: Some(id.clone()),
                owner_id: account.clone(),
            },
        );
        let eigw = ipv6.map(|_| EgressOnlyInternetGatewayId::new(hex_id("eigw-", v + 1)));
        if let Some(e) = &eigw {
            net.egress_only_internet_gateways.insert(
                e.clone(),
                EgressOnlyInternetGateway {
                    id: e.clone(),
                    attached_vpc: Some(id.clone()),
                },
            );
        }
        // Two NAT gateways in the public subnets (in one VPC in twenty the second is a private
        // NAT gateway by mistake) and one deleted NAT gateway that routes still point at.
        let nat = |k: usize| NatGatewayId::new(hex_id("nat-", v * 3 + k + 1));
        let private_nat = rng.percent(5);
        for k in 0..3 {
            let (state, connectivity) = match k {
                2 => (NatGatewayState::Deleted, ConnectivityType::Public),
                1 if private_nat => (NatGatewayState::Available, ConnectivityType::Private),
                _ => (NatGatewayState::Available, ConnectivityType::Public),
            };
            let subnet = k % PUBLIC_SUBNETS;
            net.nat_gateways.insert(
                nat(k),
                NatGateway {
                    id: nat(k),
                    subnet_id: subnet_ids[subnet].clone(),
                    vpc_id: Some(id.clone()),
                    state,
                    connectivity,
                    private_ips: vec![host_ip(v, subnet, 4 + k as u32)],
                    public_ips: if connectivity == ConnectivityType::Public {
                        vec![public_ip(3, v * 3 + k)]
                    } else {
                        Vec::new()
                    },
                },
            );
        }
        let vgw = VpnGatewayId::new(hex_id("vgw-", v + 1));
        net.vpn_gateways.insert(
            vgw.clone(),
            VpnGateway {
                id: vgw.clone(),
                // One VGW in twenty is detached: its routes are blackhole.
                attached_vpc: (!rng.percent(5)).then(|| id.clone()),
                amazon_side_asn: Some(64512),
                known_prefixes: Default::default(),
            },
        );
        for (k, tgw) in tgws.iter().enumerate() {
            if k == 0 || v.is_multiple_of(10) {
                let aid = TransitGatewayAttachmentId::new(hex_id("tgw-attach-", v * 2 + k + 1));
                net.transit_gateway_attachments.insert(
                    aid.clone(),
                    TransitGatewayAttachment {
                        id: aid,
                        transit_gateway_id: tgw.clone(),
                        vpc_id: id.clone(),
                        subnet_ids: vec![subnet_ids[4].clone(), subnet_ids[5].clone()],
                        state: "available".into(),
                    },
                );
            }
        }
        // Interfaces: a firewall appliance (source/destination check off), a host, and a host
        // with a public address in a public subnet; each belongs to an instance.
        let eni = |k: usize| NetworkInterfaceId::new(hex_id("eni-", v * 4 + k + 1));
        for (k, subnet, sdc) in [(0, 2, false), (1, 3, true), (2, 0, true)] {
            let instance = InstanceId::new(hex_id("i-", v * 3 + k + 1));
            let private = host_ip(v, subnet, 10 + k as u32);
            net.network_interfaces.insert(
                eni(k),
                NetworkInterface {
                    id: eni(k),
                    subnet_id: subnet_ids[subnet].clone(),
                    vpc_id: Some(id.clone()),
                    private_ips: vec![private],
                    public_ips: if k == 2 {
                        vec![(private, public_ip(54, v))]
                    } else {
                        Vec::new()
                    },
                    ipv6_addresses: Vec::new(),
                    source_dest_check: sdc,
                    instance_id: Some(instance.clone()),
                    interface_type: Some("interface".into()),
                },
            );
            // One appliance in thirty is stopped: routes to it are blackhole.
            let state = if k == 0 && rng.percent(3) {
                "stopped"
            } else {
                "running"
            };
            net.instances.insert(
                instance.clone(),
                Instance {
                    id: instance,
                    state: state.into(),
                    subnet_id: Some(subnet_ids[subnet].clone()),
                    network_interfaces: vec![eni(k)],
                },
            );
        }
        plans.push(VpcPlan {
            id,
            cidr,
            ipv6,
            igw,
            eigw,
            nats: [nat(0), nat(1)],
            deleted_nat: nat(2),
            vgw,
            endpoint: VpcEndpointId::new(hex_id("vpce-", v + 1)),
            peers: Vec::new(),
            stale_pcx: VpcPeeringConnectionId::new(hex_id("pcx-", 0x20_0000 + v)),
            appliance: eni(0),
            host: eni(1),
            missing_eni: eni(3),
            tables: (0..SUBNETS_PER_VPC)
                .map(|j| RouteTableId::new(hex_id("rtb-", v * SUBNETS_PER_VPC + j + 1)))
                .collect(),
            main_table: RouteTableId::new(hex_id("rtb-", 0x100_0000 + v)),
        });
    }

    // Peering: a chain i <-> i+1 (routes on both sides for nine in ten, a few not active), one
    // VPC in ten also peered with a VPC of another account, and a deleted peering per VPC.
    let side = |plan: &VpcPlan, owner: &str| PeeringSide {
        vpc_id: plan.id.clone(),
        owner_id: Some(AccountId::new(owner)),
        region: Some(REGION.into()),
        ipv4_cidrs: vec![plan.cidr],
        ipv6_cidrs: Vec::new(),
    };
    for v in 0..vpcs {
        if v + 1 < vpcs {
            let pcx = VpcPeeringConnectionId::new(hex_id("pcx-", v + 1));
            let status = if rng.percent(4) {
                "pending-acceptance"
            } else {
                "active"
            };
            net.vpc_peering_connections.insert(
                pcx.clone(),
                VpcPeeringConnection {
                    id: pcx.clone(),
                    status: status.into(),
                    requester: side(&plans[v], ACCOUNT),
                    accepter: side(&plans[v + 1], ACCOUNT),
                },
            );
            let (cidr_v, cidr_next) = (plans[v].cidr, plans[v + 1].cidr);
            plans[v].peers.push((pcx.clone(), cidr_next));
            if rng.percent(90) {
                plans[v + 1].peers.push((pcx, cidr_v));
            }
        }
        if rng.percent(10) {
            let pcx = VpcPeeringConnectionId::new(hex_id("pcx-", 0x10_0000 + v));
            let ext_cidr = v4(0x6440_0000 + ((v % 1024) as u32) * 4096, 20);
            net.vpc_peering_connections.insert(
                pcx.clone(),
                VpcPeeringConnection {
                    id: pcx.clone(),
                    status: "active".into(),
                    requester: side(&plans[v], ACCOUNT),
                    accepter: PeeringSide {
                        vpc_id: VpcId::new(hex_id("vpc-", 0xe000_0000 + v)),
                        owner_id: Some(AccountId::new(OTHER_ACCOUNT)),
                        region: Some(REGION.into()),
                        ipv4_cidrs: vec![ext_cidr],
                        ipv6_cidrs: Vec::new(),
                    },
                },
            );
            plans[v].peers.push((pcx, ext_cidr));
        }
        let other = &plans[(v + 2) % vpcs];
        net.vpc_peering_connections.insert(
            plans[v].stale_pcx.clone(),
            VpcPeeringConnection {
                id: plans[v].stale_pcx.clone(),
                status: "deleted".into(),
                requester: side(&plans[v], ACCOUNT),
                accepter: side(other, ACCOUNT),
            },
        );
    }

    // Route tables: one per subnet, explicitly associated, and the VPC's main table.
    let mut subnet_tables = Vec::with_capacity(vpcs * SUBNETS_PER_VPC);
    for (v, plan) in plans.iter().enumerate() {
        let mut main = build_table(
            &mut rng,
            plan,
            &tgws,
            plan.main_table.clone(),
            &TableKind::Main,
        );
        main.associations.push(Association {
            id: RouteTableAssociationId::new(hex_id("rtbassoc-", 0x100_0000 + v)),
            target: AssociationTarget::Main,
        });
        net.route_tables.insert(main.id.clone(), main);
        for (j, tid) in plan.tables.iter().enumerate() {
            let kind = if j < PUBLIC_SUBNETS {
                TableKind::Public
            } else {
                TableKind::Private { subnet: j }
            };
            let mut t = build_table(&mut rng, plan, &tgws, tid.clone(), &kind);
            let sid = SubnetId::new(hex_id("subnet-", v * SUBNETS_PER_VPC + j + 1));
            t.associations.push(Association {
                id: RouteTableAssociationId::new(hex_id("rtbassoc-", v * SUBNETS_PER_VPC + j + 1)),
                target: AssociationTarget::Subnet(sid.clone()),
            });
            net.route_tables.insert(tid.clone(), t);
            subnet_tables.push((sid, tid.clone(), v));
        }
        net.vpc_endpoints.insert(
            plan.endpoint.clone(),
            VpcEndpoint {
                id: plan.endpoint.clone(),
                vpc_id: plan.id.clone(),
                endpoint_type: VpcEndpointType::Gateway,
                service_name: Some(format!("com.amazonaws.{REGION}.s3")),
                state: "available".into(),
                route_table_ids: std::iter::once(plan.main_table.clone())
                    .chain(plan.tables.iter().cloned())
                    .collect(),
                subnet_ids: Vec::new(),
            },
        );
    }
    net.reindex();
    Account {
        net,
        plans,
        subnet_tables,
        tgws,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Totals over the reach result, to show that the work is real.
#[derive(Default)]
struct Totals {
    subnets: usize,
    segments: [usize; 2],
    ranges: usize,
    explanations: usize,
    path_hops: usize,
    by_disposition: BTreeMap<&'static str, usize>,
    by_class: BTreeMap<&'static str, usize>,
}

fn totals(reach: &[SubnetReach]) -> Totals {
    let mut t = Totals {
        subnets: reach.len(),
        ..Totals::default()
    };
    for r in reach {
        for (k, f) in [&r.ipv4, &r.ipv6].into_iter().enumerate() {
            t.segments[k] += f.segments.len();
            if f.has_addresses {
                *t.by_class
                    .entry(class_name(f.family, f.internet))
                    .or_default() += 1;
            }
            for s in &f.segments {
                t.ranges += s.ranges.len();
                t.explanations += s.explanations.len();
                t.path_hops += s.path.len();
                *t.by_disposition.entry(s.disposition.name()).or_default() += 1;
            }
        }
    }
    t
}

fn class_name(family: Family, class: InternetClass) -> &'static str {
    match (family, class) {
        (Family::Ipv4, InternetClass::Public) => "ipv4 public",
        (Family::Ipv4, InternetClass::OutboundOnly) => "ipv4 outbound-only",
        (Family::Ipv4, InternetClass::Isolated) => "ipv4 isolated",
        (Family::Ipv6, InternetClass::Public) => "ipv6 public",
        (Family::Ipv6, InternetClass::OutboundOnly) => "ipv6 outbound-only",
        (Family::Ipv6, InternetClass::Isolated) => "ipv6 isolated",
    }
}

/// Per-change timings of the replay.
struct Replay {
    recompute: Vec<Duration>,
    total: Vec<Duration>,
    segments: usize,
}

/// Changes one route in one subnet's table (its target, or the route for a new destination)
/// and recomputes the subnet with `subnet_reach` (which compiles the tables it walks).
fn replay(account: &mut Account, engine: &mut Engine, changes: usize) -> Replay {
    let mut rng = Rng(SEED ^ 0x0c4a_96e5);
    let mut r = Replay {
        recompute: Vec::with_capacity(changes),
        total: Vec::with_capacity(changes),
        segments: 0,
    };
    for _ in 0..changes {
        let (subnet, table, v) =
            account.subnet_tables[rng.below(account.subnet_tables.len())].clone();
        let plan = &account.plans[v];
        let new_route = random_route(&mut rng, plan, &account.tgws);
        let t = account
            .net
            .route_tables
            .get_mut(&table)
            .expect("generated table");
        let keys: Vec<RouteKey> = t
            .routes
            .iter()
            .filter(|r| r.target != Target::Local)
            .map(Route::key)
            .collect();
        let key = &keys[rng.below(keys.len())];
        if rng.percent(50) {
            // Retarget: same destination, the target of a freshly drawn route.
            t.routes.set_target(key, new_route.target);
        } else {
            // Replace: drop one route, add one with a new destination (keeps the count).
            t.routes.remove(key);
            t.put_route(new_route);
        }
        let start = Instant::now();
        let reach = engine
            .subnet_reach(&account.net, &subnet)
            .expect("generated subnet");
        let done = Instant::now();
        r.segments += reach.ipv4.segments.len() + reach.ipv6.segments.len();
        black_box(reach);
        r.recompute.push(done - start);
        r.total.push(done - start);
    }
    r
}

/// The CLI flag naming a route's target (`aws ec2 create-route`).
fn target_flag(t: &Target) -> Option<&'static str> {
    Some(match t {
        Target::InternetGateway(_) | Target::VpnGateway(_) => "--gateway-id",
        Target::NatGateway(_) => "--nat-gateway-id",
        Target::EgressOnlyInternetGateway(_) => "--egress-only-internet-gateway-id",
        Target::TransitGateway(_) => "--transit-gateway-id",
        Target::VpcPeeringConnection(_) => "--vpc-peering-connection-id",
        Target::NetworkInterface(_) => "--network-interface-id",
        Target::Instance(_) => "--instance-id",
        _ => return None,
    })
}

/// Per-event cost of route-family records replayed with exposure on (issue #4 §5).
struct ExposureRun {
    /// Per kind: (the time of each event, applied, exposure changes reported).
    kinds: BTreeMap<&'static str, (Vec<Duration>, usize, usize)>,
}

/// Replays `changes` route changes (a third each CreateRoute, ReplaceRoute and DeleteRoute, on
/// random subnet tables, with the targets of `random_route`) and `associations` association
/// changes (ReplaceRouteTableAssociation to another table of the VPC), one record at a time
/// through `replay::Stepper` with exposure on, each timed from decoding to its exposure. Works
/// on a copy of the account.
fn exposure_events(account: &Account, changes: usize, associations: usize) -> ExposureRun {
    use vpcsim::replay::{ReplayOptions, Stepper};
    let mut rng = Rng(SEED ^ 0x0e2b_05e5);
    let mut net = account.net.clone();
    // (Its own collections, as an imported network has: none copied at its first change.)
    net.unshare();
    let opts = ReplayOptions {
        exposure: true,
        apply: ApplyOptions {
            // The generator fills every table to the default limit of 50.
            route_limit: 1000,
            ..Default::default()
        },
        ..Default::default()
    };
    let mut stepper = Stepper::new(&mut net, &opts);
    let mut run = ExposureRun {
        kinds: BTreeMap::new(),
    };
    let total = changes + associations;
    // The tables the records pick from: all of them (no locality, the default), or a working
    // set of `VPCSIM_BENCH_EXPOSURE_TABLES` random subnet tables (a trail that keeps coming back
    // to the same tables, as the changes of one team or one incident do).
    let pool: Vec<usize> = match env_usize("VPCSIM_BENCH_EXPOSURE_TABLES") {
        Some(k) if k > 0 && k < account.subnet_tables.len() => (0..k)
            .map(|_| rng.below(account.subnet_tables.len()))
            .collect(),
        _ => (0..account.subnet_tables.len()).collect(),
    };
    for n in 0..total {
        let (subnet, table, v) = account.subnet_tables[pool[rng.below(pool.len())]].clone();
        let plan = &account.plans[v];
        let mut words: Vec<String> = ["aws", "ec2"].iter().map(|s| s.to_string()).collect();
        let kind: &'static str;
        if n >= changes {
            // Re-associate the subnet with the table of another subnet of its VPC.
            kind = "ReplaceRouteTableAssociation";
            let other = &plan.tables[rng.below(plan.tables.len())];
            let Some(assoc) = stepper
                .network()
                .route_tables
                .get(&table)
                .and_then(|t| {
                    t.associations
                        .iter()
                        .find(|a| a.target == AssociationTarget::Subnet(subnet.clone()))
                })
                .map(|a| a.id.clone())
            else {
                continue;
            };
            words.extend(
                [
                    "replace-route-table-association",
                    "--association-id",
                    assoc.as_str(),
                    "--route-table-id",
                    other.as_str(),
                ]
                .iter()
                .map(|s| s.to_string()),
            );
        } else {
            let existing: Vec<Route> = stepper
                .network()
                .route_tables
                .get(&table)
                .map(|t| {
                    t.routes
                        .values()
                        .filter(|r| r.target != Target::Local && !r.origin.is_propagated())
                        .filter(|r| matches!(r.destination, Destination::Ipv4(_)))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            let fresh = random_route(&mut rng, plan, &account.tgws);
            let roll = rng.below(3);
            let (verb, dest, target) = match (roll, existing.is_empty()) {
                (1, false) => {
                    let r = &existing[rng.below(existing.len())];
                    ("replace-route", r.destination.clone(), Some(fresh.target))
                }
                (2, false) => {
                    let r = &existing[rng.below(existing.len())];
                    ("delete-route", r.destination.clone(), None)
                }
                _ => ("create-route", fresh.destination, Some(fresh.target)),
            };
            kind = match verb {
                "create-route" => "CreateRoute",
                "replace-route" => "ReplaceRoute",
                _ => "DeleteRoute",
            };
            words.extend(
                [
                    verb,
                    "--route-table-id",
                    table.as_str(),
                    "--destination-cidr-block",
                ]
                .iter()
                .map(|s| s.to_string()),
            );
            words.push(dest.to_string());
            if let Some(t) = target {
                let Some(flag) = target_flag(&t) else {
                    continue;
                };
                words.push(flag.to_string());
                words.push(t.id().to_string());
            }
        }
        let (steps, errors) =
            vpcsim::whatif::steps_from_commands(&[("bench".to_string(), words)], n + 1);
        assert!(errors.is_empty(), "{errors:?}");
        let Some(step) = steps.into_iter().next() else {
            continue;
        };
        let start = Instant::now();
        let event = stepper.step(&step.record);
        let took = start.elapsed();
        let entry = run.kinds.entry(kind).or_default();
        entry.0.push(took);
        if let Some(e) = event {
            if e.outcome == vpcsim::replay::Outcome::Applied {
                entry.1 += 1;
            }
            entry.2 += e.exposure.len();
        }
    }
    // Host changes: instances launched on random subnets (every other one with a public
    // address), every third record terminating the oldest still running.
    let hosts = env_usize("VPCSIM_BENCH_EXPOSURE_HOSTS").unwrap_or(EXPOSURE_HOSTS);
    let mut running: std::collections::VecDeque<String> = Default::default();
    for k in 0..hosts {
        let (kind, words, response): (&'static str, Vec<String>, _) = match (
            k % 3,
            running.pop_front(),
        ) {
            (2, Some(instance)) => (
                "TerminateInstances",
                [
                    "aws",
                    "ec2",
                    "terminate-instances",
                    "--instance-ids",
                    &instance,
                ]
                .map(String::from)
                .to_vec(),
                None,
            ),
            (_, back) => {
                if let Some(b) = back {
                    running.push_front(b);
                }
                let (subnet, _, _) = &account.subnet_tables[rng.below(account.subnet_tables.len())];
                let (instance, eni) = (format!("i-b{k:016x}"), format!("eni-b{k:016x}"));
                let mut item = serde_json::json!({
                    "instanceId": instance,
                    "subnetId": subnet.as_str(),
                    "networkInterfaceSet": {"items": [{"networkInterfaceId": eni, "attachment": {"deviceIndex": "0"}}]},
                });
                if k % 2 == 0 {
                    item["ipAddress"] =
                        serde_json::json!(format!("198.18.{}.{}", k / 250, k % 250 + 1));
                }
                running.push_back(instance);
                (
                    "RunInstances",
                    [
                        "aws",
                        "ec2",
                        "run-instances",
                        "--image-id",
                        "ami-1",
                        "--subnet-id",
                        subnet.as_str(),
                    ]
                    .map(String::from)
                    .to_vec(),
                    Some(serde_json::json!({"instancesSet": {"items": [item]}})),
                )
            }
        };
        let n = total + k + 1;
        let record = vpcsim::whatif::command_step(&words, n, "bench", response)
            .expect("a known command")
            .record;
        let start = Instant::now();
        let event = stepper.step(&record);
        let took = start.elapsed();
        let entry = run.kinds.entry(kind).or_default();
        entry.0.push(took);
        if let Some(e) = event {
            if e.outcome == vpcsim::replay::Outcome::Applied {
                entry.1 += 1;
            }
            entry.2 += e.exposure.len();
        }
    }
    run
}

/// Host changes replayed after the route-family events (`VPCSIM_BENCH_EXPOSURE_HOSTS`).
const EXPOSURE_HOSTS: usize = 150;

fn mean(ds: &[Duration]) -> Duration {
    ds.iter().sum::<Duration>() / (ds.len().max(1) as u32)
}

fn percentile(ds: &[Duration], p: f64) -> Duration {
    let mut v = ds.to_vec();
    v.sort();
    v.get(((v.len().saturating_sub(1)) as f64 * p).round() as usize)
        .copied()
        .unwrap_or_default()
}

fn row(what: &str, value: String, target: &str, met: &str) {
    println!("{what:<44} {value:>22}  {target:>10}  {met}");
}

fn verdict(ok: bool) -> &'static str {
    if ok { "yes" } else { "NO" }
}

/// Counts the bytes written to it and keeps none.
struct CountingSink(u64);

impl std::io::Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn main() {
    let scale: f64 = std::env::var("VPCSIM_BENCH_SCALE")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .filter(|s: &f64| s.is_finite() && *s > 0.0)
        .unwrap_or(1.0);
    let vpcs = ((BASE_VPCS * scale).round() as usize).clamp(2, MAX_VPCS);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("vpcsim reach benchmark");
    println!(
        "scale {scale} ({vpcs} VPCs), available parallelism {threads}, load average at start {}",
        loadavg()
    );

    let start = Instant::now();
    let mut account = generate(vpcs);
    let t_generate = start.elapsed();
    let (rss_generated, _) = memory();
    let net = &account.net;
    let routes: usize = net.route_tables.values().map(|t| t.routes.len()).sum();
    println!(
        "network: {} VPCs, {} subnets, {} route tables, {} routes, {} NAT gateways, {} peering connections, {} interfaces",
        net.vpcs.len(),
        net.subnets.len(),
        net.route_tables.len(),
        routes,
        net.nat_gateways.len(),
        net.vpc_peering_connections.len(),
        net.network_interfaces.len()
    );

    if let Some(dir) = std::env::var_os("VPCSIM_BENCH_EXPORT") {
        // Writes the account as describe-* JSON (for timing the CLI on it, e.g. `vpcsim whatif`)
        // and stops.
        let dir = std::path::PathBuf::from(dir);
        match vpcsim::snapshot::export::write_dir(net, &dir) {
            Ok(files) => println!("wrote {} files to {}", files.len(), dir.display()),
            Err(e) => println!("cannot write {}: {e}", dir.display()),
        }
        return;
    }

    let exposure_changes = env_usize("VPCSIM_BENCH_EXPOSURE_CHANGES").unwrap_or(EXPOSURE_CHANGES);
    let exposure_assocs =
        env_usize("VPCSIM_BENCH_EXPOSURE_ASSOCIATIONS").unwrap_or(EXPOSURE_ASSOCIATIONS);
    if std::env::var_os("VPCSIM_BENCH_EXPOSURE_ONLY").is_some() {
        let run = exposure_events(&account, exposure_changes, exposure_assocs);
        println!();
        exposure_rows(&run);
        println!("load average at end {}", loadavg());
        return;
    }

    let start = Instant::now();
    let mut engine = Engine::new(net);
    let t_compile = start.elapsed();
    let (rss_compiled, _) = memory();

    if std::env::var_os("VPCSIM_BENCH_REACH_ONLY").is_some() {
        // For profiling: only `reach_all`, nothing else in the process.
        let start = Instant::now();
        let cpu = cpu_ms();
        let faults = minor_faults();
        let reach = engine.reach_all(net);
        println!(
            "reach_all {:.1} ms ({} ms of CPU, {} page faults), {} subnets",
            ms(start.elapsed()),
            cpu_ms() - cpu,
            minor_faults() - faults,
            reach.len()
        );
        return;
    }

    // What `vpcsim reach --format json` does: stream each batch of subnets to the output.
    let start = Instant::now();
    let ids: Vec<vpcsim::model::SubnetId> = net.subnets.keys().cloned().collect();
    let mut sink = CountingSink(0);
    vpcsim::report::write_reach_json(&mut sink, engine.reach_stream(net, ids), &[])
        .expect("writing to a counting sink cannot fail");
    let t_stream = start.elapsed();
    let (_, hwm_stream) = memory();

    let start = Instant::now();
    let reach = engine.reach_all(net);
    let t_reach = start.elapsed();
    let (rss_reach, _) = memory();
    let totals = totals(&reach);

    let start = Instant::now();
    let json = reach_json(&reach, &[]);
    let t_json = start.elapsed();
    let json_bytes = json.len();
    let (_, hwm_json) = memory();
    drop(json);
    drop(reach);

    let replayed = replay(&mut account, &mut engine, CHANGES);

    let start = Instant::now();
    let graph = RouteGraph::build(&account.net);
    let t_graph = start.elapsed();
    let mut affected = 0usize;
    let mut t_affected = Duration::ZERO;
    let mut rng = Rng(SEED ^ 0x9a7b);
    for _ in 0..GRAPH_SAMPLES {
        let (_, table, _) = &account.subnet_tables[rng.below(account.subnet_tables.len())];
        let start = Instant::now();
        affected += graph.affected_subnets(table.as_str()).len();
        t_affected += start.elapsed();
    }
    drop(graph);
    let (rss_end, hwm) = memory();

    println!();
    row("measurement", "value".into(), "target", "met");
    row("-----------", "-----".into(), "------", "---");
    row(
        "generate network",
        format!("{:.1} ms", ms(t_generate)),
        "",
        "",
    );
    row(
        "Engine::new (index the structure)",
        format!("{:.1} ms", ms(t_compile)),
        "",
        "",
    );
    row(
        "reach streamed as JSON (vpcsim reach --format json)",
        format!("{:.1} ms, {:.1} MB", ms(t_stream), mb(sink.0)),
        "",
        "",
    );
    row(
        "peak memory while streaming (model + engine + batch)",
        format!("{:.1} MB", mb(hwm_stream)),
        "< 500 MB",
        verdict(hwm_stream < MEMORY_TARGET_BYTES),
    );
    row(
        "reach_all (every subnet, both families)",
        format!("{:.1} ms", ms(t_reach)),
        "< 1000 ms",
        verdict(t_reach < REACH_TARGET),
    );
    row(
        "reach_json (render the whole reach)",
        format!("{:.1} ms", ms(t_json)),
        "",
        "",
    );
    row(
        "route change: subnet_reach, mean",
        format!("{:.1} us", us(mean(&replayed.recompute))),
        "",
        "",
    );
    row(
        "route change: total, mean",
        format!("{:.1} us", us(mean(&replayed.total))),
        "",
        "",
    );
    row(
        "route change: total, median / p99",
        format!(
            "{:.1} / {:.1} us",
            us(percentile(&replayed.total, 0.5)),
            us(percentile(&replayed.total, 0.99))
        ),
        "",
        "",
    );
    row(
        "RouteGraph::build",
        format!("{:.1} ms", ms(t_graph)),
        "",
        "",
    );
    row(
        "RouteGraph::affected_subnets(table), mean",
        format!(
            "{:.1} ms, {} subnets",
            ms(t_affected) / GRAPH_SAMPLES as f64,
            affected / GRAPH_SAMPLES
        ),
        "",
        "",
    );
    row(
        "peak memory (end of run: whole reach and JSON in memory)",
        format!("{:.1} MB", mb(hwm)),
        "",
        "",
    );

    println!();
    println!(
        "memory (VmRSS): after generation {:.1} MB, after Engine::new {:.1} MB, after reach_all {:.1} MB, \
         VmHWM after reach_json {:.1} MB, at end {:.1} MB",
        mb(rss_generated),
        mb(rss_compiled),
        mb(rss_reach),
        mb(hwm_json),
        mb(rss_end)
    );
    println!(
        "reach: {} subnets, {} IPv4 + {} IPv6 segments, {} ranges, {} explanations, {} path hops; JSON {:.1} MB",
        totals.subnets,
        totals.segments[0],
        totals.segments[1],
        totals.ranges,
        totals.explanations,
        totals.path_hops,
        mb(json_bytes as u64)
    );
    let list = |m: &BTreeMap<&str, usize>| {
        m.iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!("segments by disposition: {}", list(&totals.by_disposition));
    println!("subnets by internet class: {}", list(&totals.by_class));
    println!(
        "replay: {} route changes, {} segments recomputed; load average at end {}",
        CHANGES,
        replayed.segments,
        loadavg()
    );
    println!();
    let run = exposure_events(&account, exposure_changes, exposure_assocs);
    exposure_rows(&run);
}

/// Prints the per-event rows of [`exposure_events`]: each kind, route changes together (the
/// target's median), and every event.
fn exposure_rows(run: &ExposureRun) {
    println!("route-family events replayed with exposure on (replay::Stepper), per event:");
    row(
        "events",
        "median / mean / p90 / p99".into(),
        "target",
        "met",
    );
    row(
        "------",
        "-------------------------".into(),
        "------",
        "---",
    );
    let line = |what: String, ds: &[Duration], applied: usize, changes: usize, target: bool| {
        let mut sorted = ds.to_vec();
        sorted.sort();
        let median = percentile(&sorted, 0.5);
        row(
            &format!(
                "{what}: {} events, {applied} applied, {changes} exposure changes",
                ds.len()
            ),
            format!(
                "{:.1} / {:.1} / {:.1} / {:.1} us",
                us(median),
                us(mean(&sorted)),
                us(percentile(&sorted, 0.9)),
                us(percentile(&sorted, 0.99))
            ),
            if target { "median < 20 us" } else { "" },
            if target {
                verdict(median < EVENT_TARGET)
            } else {
                ""
            },
        );
    };
    let mut routes = (Vec::new(), 0, 0);
    let mut all = (Vec::new(), 0, 0);
    let mut hosts = (Vec::new(), 0, 0);
    for (kind, (ds, applied, changes)) in &run.kinds {
        line(kind.to_string(), ds, *applied, *changes, false);
        let add = |acc: &mut (Vec<Duration>, usize, usize)| {
            acc.0.extend(ds.iter().copied());
            acc.1 += applied;
            acc.2 += changes;
        };
        // The target is for route-family events; host changes are reported apart.
        if kind.ends_with("Instances") {
            add(&mut hosts);
            continue;
        }
        add(&mut all);
        if !kind.contains("Association") {
            add(&mut routes);
        }
    }
    line("route changes".into(), &routes.0, routes.1, routes.2, true);
    line("all events".into(), &all.0, all.1, all.2, true);
    if !hosts.0.is_empty() {
        line("host changes".into(), &hosts.0, hosts.1, hosts.2, false);
    }
}

fn env_usize(name: &str) -> Option<usize> {
    std::env::var(name).ok().and_then(|s| s.trim().parse().ok())
}
