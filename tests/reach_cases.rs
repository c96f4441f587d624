//! Reachability cases for vpcsim: one integration-test binary, one module per area. Each test is
//! named after the behaviour it pins and cites, in a comment, the section of the semantics doc
//! (`/work/shared/docs/aws-vpc-semantics.md`, "§") or the product.md case ("Cases that other
//! tools get wrong") it comes from. Fixtures are TOML topologies (the format of
//! `src/snapshot/topology.rs`) written inline, with documentation IDs and addresses.
//!
//! Index:
//!
//! - `util`: helpers. `load` (TOML string -> `Network`, via `load_str` + `finish`, rejecting
//!   fixtures with warnings), `trace`, `reach`, and accessors / assertions over hops, matched
//!   routes, explanation codes, segments and internet classes.
//! - `route_selection`: §8 case 1 (longest prefix beats everything, the exact table and four
//!   addresses); §3.3 precedence on equal prefix length (static CIDR > prefix-list entry >
//!   propagated; longer propagated beats shorter static) and AMBIGUOUS_PREFIX_LIST; §3.2 replaced
//!   local target and subnet-exact more-specific routes through a middlebox; §3.1 same-subnet
//!   traffic never consults the table; an address in the VPC but in no subnet (UNASSIGNED_ADDRESS).
//! - `families`: §8 case 2 (IPv4 and IPv6 never cross); product.md `::/0` to an IGW is public for
//!   IPv6, to an egress-only gateway is outbound-only, and does not make IPv4 public.
//! - `blackhole`: §8 case 10 (a blackhole best match drops with no fall-through: deleted NAT,
//!   detached IGW, IGW of another VPC); product.md "route to a detached IGW or a deleted NAT
//!   gateway is blackhole, not public"; a live replacement target makes the route work again.
//! - `public_addresses`: §8 case 11 (public subnet is not internet-reachable instance), §4.1;
//!   product.md MapPublicIpOnLaunch alone, IGW route alone without public address, split
//!   defaults `0.0.0.0/1` + `128.0.0.0/1` (full coverage) vs a specific public prefix (partial).
//! - `nat`: §8 case 12 (public NAT needs a public home: outbound-only, no IGW route at home,
//!   private NAT to IGW, failed NAT, NAT without EIP), §4.2; a NAT whose subnet routes back to
//!   itself is a LOOP.
//! - `peering`: §8 case 13, §4.5 (delivery to the peer's interfaces, not transitive, not
//!   edge-to-edge, one-sided route has NO_RETURN_ROUTE, non-active peering is blackhole).
//! - `gateway_tables`: §8 case 14 second half, §3.6 (edge-associated table sends ingress for one
//!   subnet through a firewall ENI; other subnets are delivered directly).
//! - `main_table`: product.md / §3.1 a subnet without explicit association uses its own VPC's
//!   main table (declared or implicit), never another VPC's.
//! - `from_internet`: §4.1 inbound: the internet reaches an instance's public IPv4 (translated by
//!   the IGW) or IPv6 address; an unowned public address is NO_OWNER; a private address is
//!   NOT_INTERNET_ROUTABLE; a VPC without an attached IGW is NO_INTERNET_GATEWAY.
//! - `incremental`: `RouteGraph::affected_subnets` follows NAT chains and stays within the VPC;
//!   an engine kept across a model change gives the same reach as a fresh engine;
//!   route state is derived at query time (§3.4).
//!
//! Property tests (LPM against a brute-force scan, exact partition of the address space,
//! determinism) live in the separate binary `tests/properties.rs`.

#[path = "reach_cases/util.rs"]
mod util;

#[path = "reach_cases/route_selection.rs"]
mod route_selection;

#[path = "reach_cases/families.rs"]
mod families;

#[path = "reach_cases/blackhole.rs"]
mod blackhole;

#[path = "reach_cases/public_addresses.rs"]
mod public_addresses;

#[path = "reach_cases/nat.rs"]
mod nat;

#[path = "reach_cases/peering.rs"]
mod peering;

#[path = "reach_cases/gateway_tables.rs"]
mod gateway_tables;

#[path = "reach_cases/main_table.rs"]
mod main_table;

#[path = "reach_cases/from_internet.rs"]
mod from_internet;

#[path = "reach_cases/incremental.rs"]
mod incremental;
