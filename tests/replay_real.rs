//! Replays single real CloudTrail records (the `aws-spotlight` captures beside the project, see
//! `../shared/data/README.md`) onto minimal hand-written starting states that hold exactly the
//! resources each record names, with the record's own IDs, and checks that every one applies
//! without inference and makes exactly the change it describes (semantics doc §5, §8): routes
//! created, replaced (to a GWLB endpoint) and deleted, associations made and removed, NAT gateway
//! and internet gateway lifecycles, and VPC endpoints with their prefix-list routes. The two real
//! failures (`Client.DependencyViolation`, `Client.InvalidAssociationID.NotFound`) must end as
//! `FailedInAws` with the model agreeing (§2.2).
//!
//! The records are read in place through `VPCSIM_REAL_DATA` (the data folder) and never copied
//! into the repository; without it each test prints `skipped: VPCSIM_REAL_DATA not set` and
//! returns. Records are picked by eventName (and errorCode) from `cloudtrail/_index.json`.

#[path = "support/real_data.rs"]
mod real_data;

use serde_json::Value;
use std::path::PathBuf;
use vpcsim::cloudtrail::read_inputs;
use vpcsim::model::*;
use vpcsim::replay::{Event, Outcome, ReplayOptions, replay};
use vpcsim::snapshot::{self, topology};

fn data_dir() -> Option<PathBuf> {
    real_data::real_data().map(|d| d.join("cloudtrail"))
}

/// The one aws-spotlight file whose record has this eventName and errorCode, per `_index.json`.
fn spotlight(dir: &std::path::Path, event: &str, error: Option<&str>) -> PathBuf {
    let text = std::fs::read_to_string(dir.join("_index.json")).expect("read _index.json");
    let index: Vec<Value> = serde_json::from_str(&text).expect("_index.json is a JSON array");
    let found: Vec<&str> = index
        .iter()
        .filter(|e| e["source"] == "aws-spotlight" && e["eventName"] == event)
        .filter(|e| e["errorCode"].as_str() == error)
        .filter_map(|e| e["file"].as_str())
        .collect();
    assert_eq!(
        found.len(),
        1,
        "exactly one aws-spotlight {event} record with errorCode {error:?}: {found:?}"
    );
    dir.join(found[0])
}

/// The starting state: a TOML topology, loaded as `vpcsim --snapshot x.toml` loads it.
fn start(toml: &str) -> Network {
    let mut loaded = topology::load_str(toml, "start.toml").expect("the starting state loads");
    snapshot::finish(&mut loaded);
    loaded.network
}

/// Replays the single record of `path` onto `net` and returns its event.
fn replay_file(net: &mut Network, path: &PathBuf) -> Event {
    let read = read_inputs(std::slice::from_ref(path));
    assert!(read.errors.is_empty(), "{:?}", read.errors);
    assert_eq!(read.records.len(), 1, "one record in {}", path.display());
    let rep = replay(net, read, &ReplayOptions::default());
    assert_eq!(rep.summary.records, 1);
    assert_eq!(rep.summary.total(), 1);
    assert_eq!(rep.events.len(), 1);
    rep.events.into_iter().next().unwrap()
}

/// Asserts the record applied as it stands, with nothing inferred.
fn applied(ev: &Event) {
    assert_eq!(ev.outcome, Outcome::Applied, "{ev:#?}");
    assert!(ev.inferred.is_empty(), "inferred: {:?}", ev.inferred);
    assert!(ev.model_error.is_none(), "{ev:#?}");
}

fn table<'a>(net: &'a Network, id: &str) -> &'a RouteTable {
    net.route_tables
        .get(&RouteTableId::new(id))
        .unwrap_or_else(|| panic!("{id} exists"))
}

/// The static route of `table` for `dest`, if any.
fn route<'a>(net: &'a Network, tbl: &str, dest: &str) -> Option<&'a Route> {
    let d = Destination::parse(dest).expect("destination");
    table(net, tbl)
        .routes
        .values()
        .find(|r| r.destination == d && !r.origin.is_propagated())
}

/// Every route of a table as `dest -> target`, sorted.
fn routes(net: &Network, tbl: &str) -> Vec<String> {
    let mut v: Vec<String> = table(net, tbl)
        .routes
        .values()
        .map(|r| format!("{} -> {}", r.destination, r.target.id()))
        .collect();
    v.sort();
    v
}

#[test]
fn create_route_to_an_internet_gateway() {
    let Some(dir) = data_dir() else { return };
    let path = spotlight(&dir, "CreateRoute", None);
    let mut net = start(
        r#"
[[vpc]]
id = "vpc-017d83801e79e7023"
cidrs = ["10.0.0.0/16"]

[[internet_gateway]]
id = "igw-067da439b54963ef0"
vpc = "vpc-017d83801e79e7023"

[[route_table]]
id = "rtb-09f392b007354c0e9"
vpc = "vpc-017d83801e79e7023"
"#,
    );
    assert!(route(&net, "rtb-09f392b007354c0e9", "0.0.0.0/0").is_none());
    let ev = replay_file(&mut net, &path);
    applied(&ev);
    let r = route(&net, "rtb-09f392b007354c0e9", "0.0.0.0/0").expect("the new route");
    assert_eq!(
        r.target,
        Target::InternetGateway(InternetGatewayId::new("igw-067da439b54963ef0"))
    );
    assert_eq!(r.origin, RouteOrigin::CreateRoute);
    assert_eq!(
        routes(&net, "rtb-09f392b007354c0e9"),
        ["0.0.0.0/0 -> igw-067da439b54963ef0", "10.0.0.0/16 -> local"]
    );
}

#[test]
fn replace_route_to_a_gateway_load_balancer_endpoint() {
    let Some(dir) = data_dir() else { return };
    let path = spotlight(&dir, "ReplaceRoute", None);
    // The record names only the table and the endpoint; the VPC and the old target are ours.
    let mut net = start(
        r#"
[[vpc]]
id = "vpc-0a000001"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "subnet-0a000001"
vpc = "vpc-0a000001"
cidr = "10.0.1.0/24"

[[internet_gateway]]
id = "igw-0a000001"
vpc = "vpc-0a000001"

[[vpc_endpoint]]
id = "vpce-00fde75695ad9fcb8"
vpc = "vpc-0a000001"
type = "GatewayLoadBalancer"
subnets = ["subnet-0a000001"]

[[route_table]]
id = "rtb-0c8df2818b03c7fa1"
vpc = "vpc-0a000001"
routes = ["0.0.0.0/0 -> igw-0a000001"]
"#,
    );
    let ev = replay_file(&mut net, &path);
    applied(&ev);
    let r = route(&net, "rtb-0c8df2818b03c7fa1", "0.0.0.0/0").expect("the route");
    assert_eq!(
        r.target,
        Target::VpcEndpoint(VpcEndpointId::new("vpce-00fde75695ad9fcb8"))
    );
    assert_eq!(
        routes(&net, "rtb-0c8df2818b03c7fa1"),
        [
            "0.0.0.0/0 -> vpce-00fde75695ad9fcb8",
            "10.0.0.0/16 -> local"
        ]
    );
}

#[test]
fn delete_route() {
    let Some(dir) = data_dir() else { return };
    let path = spotlight(&dir, "DeleteRoute", None);
    let mut net = start(
        r#"
[[vpc]]
id = "vpc-0dec02bb38e7c674b"
cidrs = ["10.0.0.0/16"]

[[internet_gateway]]
id = "igw-0be3201c0d158afb1"
vpc = "vpc-0dec02bb38e7c674b"

[[route_table]]
id = "rtb-02e2ece48676abbf6"
vpc = "vpc-0dec02bb38e7c674b"
routes = ["0.0.0.0/0 -> igw-0be3201c0d158afb1", "192.0.2.0/24 -> igw-0be3201c0d158afb1"]
"#,
    );
    let ev = replay_file(&mut net, &path);
    applied(&ev);
    assert!(route(&net, "rtb-02e2ece48676abbf6", "0.0.0.0/0").is_none());
    assert_eq!(
        routes(&net, "rtb-02e2ece48676abbf6"),
        [
            "10.0.0.0/16 -> local",
            "192.0.2.0/24 -> igw-0be3201c0d158afb1"
        ]
    );
}

#[test]
fn associate_route_table_takes_the_response_association_id() {
    let Some(dir) = data_dir() else { return };
    let path = spotlight(&dir, "AssociateRouteTable", None);
    let mut net = start(
        r#"
[[vpc]]
id = "vpc-017d83801e79e7023"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "subnet-0565e3982d40bc80d"
vpc = "vpc-017d83801e79e7023"
cidr = "10.0.1.0/24"

[[route_table]]
id = "rtb-0a0000ff"
vpc = "vpc-017d83801e79e7023"
main = true

[[route_table]]
id = "rtb-09f392b007354c0e9"
vpc = "vpc-017d83801e79e7023"
"#,
    );
    let subnet = SubnetId::new("subnet-0565e3982d40bc80d");
    assert_eq!(
        net.effective_route_table(&subnet).map(|(t, _)| t.as_str()),
        Some("rtb-0a0000ff")
    );
    let ev = replay_file(&mut net, &path);
    applied(&ev);
    let assoc = Association {
        id: RouteTableAssociationId::new("rtbassoc-08235093b39641b9d"),
        target: AssociationTarget::Subnet(subnet.clone()),
    };
    assert_eq!(table(&net, "rtb-09f392b007354c0e9").associations, [assoc]);
    assert_eq!(
        net.effective_route_table(&subnet),
        Some((
            &RouteTableId::new("rtb-09f392b007354c0e9"),
            AssociationKind::Explicit
        ))
    );
}

#[test]
fn disassociate_route_table() {
    let Some(dir) = data_dir() else { return };
    let path = spotlight(&dir, "DisassociateRouteTable", None);
    let mut net = start(
        r#"
[[vpc]]
id = "vpc-0dec02bb38e7c674b"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "subnet-0a000001"
vpc = "vpc-0dec02bb38e7c674b"
cidr = "10.0.1.0/24"

[[route_table]]
id = "rtb-0a0000ff"
vpc = "vpc-0dec02bb38e7c674b"
main = true

[[route_table]]
id = "rtb-02e2ece48676abbf6"
vpc = "vpc-0dec02bb38e7c674b"
subnets = ["subnet-0a000001"]
"#,
    );
    // The TOML format names associations itself; give this one the record's real ID.
    {
        let t = net
            .route_tables
            .get_mut(&RouteTableId::new("rtb-02e2ece48676abbf6"))
            .unwrap();
        assert_eq!(t.associations.len(), 1);
        t.associations[0].id = RouteTableAssociationId::new("rtbassoc-0e6b4a5fe5bb5f83f");
    }
    net.reindex();
    let subnet = SubnetId::new("subnet-0a000001");
    let ev = replay_file(&mut net, &path);
    applied(&ev);
    assert!(table(&net, "rtb-02e2ece48676abbf6").associations.is_empty());
    assert_eq!(
        net.effective_route_table(&subnet),
        Some((&RouteTableId::new("rtb-0a0000ff"), AssociationKind::Main))
    );
}

#[test]
fn create_nat_gateway_is_available_in_its_subnet() {
    let Some(dir) = data_dir() else { return };
    let path = spotlight(&dir, "CreateNatGateway", None);
    let mut net = start(
        r#"
[[vpc]]
id = "vpc-017d83801e79e7023"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "subnet-0565e3982d40bc80d"
vpc = "vpc-017d83801e79e7023"
cidr = "10.0.1.0/24"

[[internet_gateway]]
id = "igw-067da439b54963ef0"
vpc = "vpc-017d83801e79e7023"
"#,
    );
    // The Elastic IP the request names (the TOML format has no addresses).
    net.addresses.push(Address {
        allocation_id: Some(AllocationId::new("eipalloc-0d541aeb3113c49e9")),
        public_ip: "198.51.100.20".parse().unwrap(),
        network_interface_id: None,
        instance_id: None,
        private_ip: None,
        association_id: None,
    });
    let ev = replay_file(&mut net, &path);
    applied(&ev);
    let nat = net
        .nat_gateways
        .get(&NatGatewayId::new("nat-0cb758692bd70f8e6"))
        .expect("the NAT gateway of the response");
    // The response says `pending`; replay has no clock, so a gateway whose creation cannot fail
    // (IGW attached, EIP known and free) is `available` at once (apply/gateways.rs, §1.8).
    assert_eq!(nat.state, NatGatewayState::Available);
    assert_eq!(
        nat.public_ips,
        ["198.51.100.20".parse::<std::net::Ipv4Addr>().unwrap()]
    );
    assert_eq!(nat.subnet_id.as_str(), "subnet-0565e3982d40bc80d");
    assert_eq!(
        nat.vpc_id.as_ref().map(|v| v.as_str()),
        Some("vpc-017d83801e79e7023")
    );
    assert_eq!(nat.connectivity, ConnectivityType::Public);
    assert_eq!(net.nat_gateways.len(), 1);
}

#[test]
fn delete_nat_gateway_keeps_it_deleted() {
    let Some(dir) = data_dir() else { return };
    let path = spotlight(&dir, "DeleteNatGateway", None);
    let mut net = start(
        r#"
[[vpc]]
id = "vpc-0dec02bb38e7c674b"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "subnet-0a000001"
vpc = "vpc-0dec02bb38e7c674b"
cidr = "10.0.1.0/24"

[[nat_gateway]]
id = "nat-022fc099b62e1e534"
subnet = "subnet-0a000001"
state = "available"

[[route_table]]
id = "rtb-0a0000ff"
vpc = "vpc-0dec02bb38e7c674b"
main = true
routes = ["0.0.0.0/0 -> nat-022fc099b62e1e534"]
"#,
    );
    let ev = replay_file(&mut net, &path);
    applied(&ev);
    let nat = net
        .nat_gateways
        .get(&NatGatewayId::new("nat-022fc099b62e1e534"))
        .expect("kept, as describe-nat-gateways shows it");
    assert_eq!(nat.state, NatGatewayState::Deleted);
    // §8 case 10: the route stays, now blackhole.
    let vpc = VpcId::new("vpc-0dec02bb38e7c674b");
    let r = route(&net, "rtb-0a0000ff", "0.0.0.0/0").expect("the route stays");
    let status = net.route_status(&vpc, r);
    assert!(matches!(status, TargetStatus::Blackhole(_)), "{status:?}");
}

#[test]
fn attach_internet_gateway() {
    let Some(dir) = data_dir() else { return };
    let path = spotlight(&dir, "AttachInternetGateway", None);
    let mut net = start(
        r#"
[[vpc]]
id = "vpc-017d83801e79e7023"
cidrs = ["10.0.0.0/16"]

[[internet_gateway]]
id = "igw-067da439b54963ef0"
"#,
    );
    let vpc = VpcId::new("vpc-017d83801e79e7023");
    assert!(net.attached_internet_gateway(&vpc).is_none());
    let ev = replay_file(&mut net, &path);
    applied(&ev);
    let igw = &net.internet_gateways[&InternetGatewayId::new("igw-067da439b54963ef0")];
    assert_eq!(igw.attached_vpc.as_ref(), Some(&vpc));
    assert_eq!(
        net.attached_internet_gateway(&vpc).map(|g| g.id.as_str()),
        Some("igw-067da439b54963ef0")
    );
}

#[test]
fn detach_internet_gateway() {
    let Some(dir) = data_dir() else { return };
    let path = spotlight(&dir, "DetachInternetGateway", None);
    let mut net = start(
        r#"
[[vpc]]
id = "vpc-0dec02bb38e7c674b"
cidrs = ["10.0.0.0/16"]

[[internet_gateway]]
id = "igw-0be3201c0d158afb1"
vpc = "vpc-0dec02bb38e7c674b"
"#,
    );
    let ev = replay_file(&mut net, &path);
    applied(&ev);
    let igw = &net.internet_gateways[&InternetGatewayId::new("igw-0be3201c0d158afb1")];
    assert_eq!(igw.attached_vpc, None);
    assert!(
        net.attached_internet_gateway(&VpcId::new("vpc-0dec02bb38e7c674b"))
            .is_none()
    );
}

#[test]
fn create_interface_vpc_endpoint_adds_no_routes() {
    let Some(dir) = data_dir() else { return };
    let path = spotlight(&dir, "CreateVpcEndpoint", None);
    let mut net = start(
        r#"
[[vpc]]
id = "vpc-0f1e12c219f232b46"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "subnet-0463e28fe18a6f599"
vpc = "vpc-0f1e12c219f232b46"
cidr = "10.0.1.0/24"

[[subnet]]
id = "subnet-02f400a0a5738ef8a"
vpc = "vpc-0f1e12c219f232b46"
cidr = "10.0.2.0/24"

[[route_table]]
id = "rtb-0a0000ff"
vpc = "vpc-0f1e12c219f232b46"
main = true
"#,
    );
    let before = routes(&net, "rtb-0a0000ff");
    let ev = replay_file(&mut net, &path);
    applied(&ev);
    let e = net
        .vpc_endpoints
        .get(&VpcEndpointId::new("vpce-0ef9277730bf26b70"))
        .expect("the endpoint of the response");
    assert_eq!(e.endpoint_type, VpcEndpointType::Interface);
    assert_eq!(e.vpc_id.as_str(), "vpc-0f1e12c219f232b46");
    assert_eq!(
        e.service_name.as_deref(),
        Some("com.amazonaws.ap-northeast-1.s3")
    );
    let mut subnets: Vec<&str> = e.subnet_ids.iter().map(|s| s.as_str()).collect();
    subnets.sort();
    assert_eq!(
        subnets,
        ["subnet-02f400a0a5738ef8a", "subnet-0463e28fe18a6f599"]
    );
    assert!(e.route_table_ids.is_empty());
    // An interface endpoint has no prefix-list routes.
    assert_eq!(routes(&net, "rtb-0a0000ff"), before);
}

#[test]
fn modify_interface_vpc_endpoint_adding_a_subnet_leaves_routes_alone() {
    let Some(dir) = data_dir() else { return };
    let path = spotlight(&dir, "ModifyVpcEndpoint", None);
    let mut net = start(
        r#"
[[vpc]]
id = "vpc-0a000001"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "subnet-0a000001"
vpc = "vpc-0a000001"
cidr = "10.0.1.0/24"

[[subnet]]
id = "subnet-0a87a97d112fc54b9"
vpc = "vpc-0a000001"
cidr = "10.0.2.0/24"

[[route_table]]
id = "rtb-0a0000ff"
vpc = "vpc-0a000001"
main = true

[[vpc_endpoint]]
id = "vpce-0e52db7e6af36e292"
vpc = "vpc-0a000001"
type = "Interface"
subnets = ["subnet-0a000001"]
"#,
    );
    let before: Vec<(String, Vec<String>)> = net
        .route_tables
        .keys()
        .map(|t| (t.to_string(), routes(&net, t.as_str())))
        .collect();
    let ev = replay_file(&mut net, &path);
    applied(&ev);
    let after: Vec<(String, Vec<String>)> = net
        .route_tables
        .keys()
        .map(|t| (t.to_string(), routes(&net, t.as_str())))
        .collect();
    assert_eq!(before, after);
    let e = &net.vpc_endpoints[&VpcEndpointId::new("vpce-0e52db7e6af36e292")];
    assert_eq!(e.endpoint_type, VpcEndpointType::Interface);
    assert!(e.route_table_ids.is_empty());
}

#[test]
fn delete_gateway_vpc_endpoint_removes_its_prefix_list_routes() {
    let Some(dir) = data_dir() else { return };
    let path = spotlight(&dir, "DeleteVpcEndpoints", None);
    let mut net = start(
        r#"
[[vpc]]
id = "vpc-0a000001"
cidrs = ["10.0.0.0/16"]

[[internet_gateway]]
id = "igw-0a000001"
vpc = "vpc-0a000001"

[[prefix_list]]
id = "pl-0a000001"
cidrs = ["192.0.2.0/24"]

[[vpc_endpoint]]
id = "vpce-0b8ce3d4dcb31cae9"
vpc = "vpc-0a000001"
type = "Gateway"
service = "com.amazonaws.ap-northeast-1.s3"
prefix_list = "pl-0a000001"
route_tables = ["rtb-0a000001", "rtb-0a000002"]

[[route_table]]
id = "rtb-0a000001"
vpc = "vpc-0a000001"
main = true
routes = ["0.0.0.0/0 -> igw-0a000001"]

[[route_table]]
id = "rtb-0a000002"
vpc = "vpc-0a000001"

[[route_table]]
id = "rtb-0a000003"
vpc = "vpc-0a000001"
"#,
    );
    for t in ["rtb-0a000001", "rtb-0a000002"] {
        let r = route(&net, t, "pl-0a000001").expect("the endpoint route");
        assert_eq!(
            r.target,
            Target::VpcEndpoint(VpcEndpointId::new("vpce-0b8ce3d4dcb31cae9"))
        );
    }
    let ev = replay_file(&mut net, &path);
    applied(&ev);
    assert_eq!(
        routes(&net, "rtb-0a000001"),
        ["0.0.0.0/0 -> igw-0a000001", "10.0.0.0/16 -> local"]
    );
    assert_eq!(routes(&net, "rtb-0a000002"), ["10.0.0.0/16 -> local"]);
    assert_eq!(routes(&net, "rtb-0a000003"), ["10.0.0.0/16 -> local"]);
    let e = &net.vpc_endpoints[&VpcEndpointId::new("vpce-0b8ce3d4dcb31cae9")];
    assert_eq!(e.state, "deleted");
    assert!(e.route_table_ids.is_empty());
}

#[test]
fn failed_delete_vpc_with_a_subnet_agrees_on_dependency_violation() {
    let Some(dir) = data_dir() else { return };
    let path = spotlight(&dir, "DeleteVpc", Some("Client.DependencyViolation"));
    let mut net = start(
        r#"
[[vpc]]
id = "vpc-0dec02bb38e7c674b"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "subnet-0a000001"
vpc = "vpc-0dec02bb38e7c674b"
cidr = "10.0.1.0/24"
"#,
    );
    let before = format!("{net:?}");
    let ev = replay_file(&mut net, &path);
    assert_eq!(ev.outcome, Outcome::FailedInAws, "{ev:#?}");
    assert_eq!(ev.error_code.as_deref(), Some("DependencyViolation"));
    assert_eq!(
        ev.model_error.as_ref().map(|e| e.code),
        Some("DependencyViolation")
    );
    assert_eq!(format!("{net:?}"), before, "a failed call changes nothing");
}

#[test]
fn failed_disassociate_address_agrees_the_association_is_not_found() {
    let Some(dir) = data_dir() else { return };
    let path = spotlight(
        &dir,
        "DisassociateAddress",
        Some("Client.InvalidAssociationID.NotFound"),
    );
    let mut net = start(
        r#"
[[vpc]]
id = "vpc-0dec02bb38e7c674b"
cidrs = ["10.0.0.0/16"]
"#,
    );
    let before = format!("{net:?}");
    let ev = replay_file(&mut net, &path);
    assert_eq!(ev.outcome, Outcome::FailedInAws, "{ev:#?}");
    assert_eq!(
        ev.model_error.as_ref().map(|e| e.code),
        Some("InvalidAssociationID.NotFound")
    );
    assert!(ev.description.contains("the model agrees"), "{ev:#?}");
    assert_eq!(format!("{net:?}"), before, "a failed call changes nothing");
}
