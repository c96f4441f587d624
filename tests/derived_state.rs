//! Route state is derived, never trusted blindly (issue #2 §1, semantics doc §3.4): the model's
//! answer wins over a snapshot's `State`, the disagreement is reported, and where the input does
//! not describe the target's kind at all the snapshot's `blackhole` is the best evidence.

use serde_json::json;
use std::net::IpAddr;
use vpcsim::reach::{Disposition, Engine};
use vpcsim::snapshot::{self, Loaded};

fn load(docs: Vec<serde_json::Value>) -> Loaded {
    let docs: Vec<snapshot::json::Document> = docs
        .into_iter()
        .enumerate()
        .map(|(i, v)| (format!("doc{i}.json"), v, None, None))
        .collect();
    let mut loaded = snapshot::json::load_values(&docs).expect("fixture imports");
    snapshot::finish(&mut loaded);
    loaded
}

fn base(route_state: &str, target: serde_json::Value) -> Vec<serde_json::Value> {
    let mut route =
        json!({"DestinationCidrBlock": "0.0.0.0/0", "Origin": "CreateRoute", "State": route_state});
    if let (Some(r), Some(t)) = (route.as_object_mut(), target.as_object()) {
        r.extend(t.clone());
    }
    vec![
        json!({"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16", "OwnerId": "123456789012"}]}),
        json!({"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24"}]}),
        json!({"RouteTables": [{
            "RouteTableId": "rtb-1", "VpcId": "vpc-1",
            "Associations": [{"Main": true, "RouteTableAssociationId": "rtbassoc-1", "RouteTableId": "rtb-1"}],
            "Routes": [
                {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"},
                route
            ]
        }]}),
    ]
}

fn trace(l: &Loaded, to: &str) -> Disposition {
    let to: IpAddr = to.parse().expect("address");
    Engine::new(&l.network)
        .trace(&l.network, "subnet-1", to)
        .expect("trace")
        .disposition
}

fn codes(l: &Loaded) -> Vec<&str> {
    l.diagnostics.iter().map(|d| d.code).collect()
}

#[test]
fn snapshot_says_active_but_nat_gateway_is_deleted() {
    let mut docs = base("active", json!({"NatGatewayId": "nat-1"}));
    docs.push(json!({"NatGateways": [{"NatGatewayId": "nat-1", "SubnetId": "subnet-1", "VpcId": "vpc-1", "State": "deleted"}]}));
    let l = load(docs);
    assert_eq!(trace(&l, "8.8.8.8"), Disposition::Blackhole);
    assert!(
        codes(&l).contains(&"state-disagrees"),
        "{:?}",
        l.diagnostics
    );
}

#[test]
fn snapshot_says_blackhole_but_igw_is_attached() {
    let mut docs = base("blackhole", json!({"GatewayId": "igw-1"}));
    docs.push(json!({"InternetGateways": [{"InternetGatewayId": "igw-1", "Attachments": [{"State": "available", "VpcId": "vpc-1"}]}]}));
    let l = load(docs);
    assert_eq!(trace(&l, "8.8.8.8"), Disposition::ExitsToInternet);
    let d = l
        .diagnostics
        .iter()
        .find(|d| d.code == "state-disagrees")
        .expect("disagreement reported");
    assert!(d.message.contains("snapshot says blackhole"), "{d}");
}

#[test]
fn undescribed_target_keeps_reported_blackhole() {
    // No NatGateways key at all: vpcsim cannot derive the state, so the snapshot's word counts.
    let l = load(base("blackhole", json!({"NatGatewayId": "nat-1"})));
    assert_eq!(trace(&l, "8.8.8.8"), Disposition::Blackhole);
    assert!(!codes(&l).contains(&"state-disagrees"));
}

#[test]
fn undescribed_target_reported_active_is_assumed_and_said() {
    let l = load(base("active", json!({"NatGatewayId": "nat-1"})));
    assert!(
        codes(&l).contains(&"target-not-described"),
        "{:?}",
        l.diagnostics
    );
    let t = Engine::new(&l.network)
        .trace(&l.network, "subnet-1", "8.8.8.8".parse().expect("address"))
        .expect("trace");
    assert!(
        t.explanations.iter().any(|e| e.code == "ASSUMED_TARGET"),
        "{t:?}"
    );
}

#[test]
fn missing_target_of_a_described_kind_is_a_dangling_reference_and_blackhole() {
    let mut docs = base("active", json!({"GatewayId": "igw-gone"}));
    docs.push(json!({"InternetGateways": [{"InternetGatewayId": "igw-other", "Attachments": []}]}));
    let l = load(docs);
    assert_eq!(trace(&l, "8.8.8.8"), Disposition::Blackhole);
    let d = l
        .diagnostics
        .iter()
        .find(|d| d.code == "dangling-reference")
        .expect("dangling reference reported");
    assert!(d.message.contains("igw-gone"), "{d}");
}

#[test]
fn subnet_without_association_uses_its_own_vpcs_main_table() {
    // product.md: the main table is never looked up across VPCs.
    let mut docs = base("active", json!({"GatewayId": "igw-1"}));
    docs.push(json!({"InternetGateways": [{"InternetGatewayId": "igw-1", "Attachments": [{"State": "available", "VpcId": "vpc-1"}]}]}));
    docs.push(json!({"Vpcs": [{"VpcId": "vpc-2", "CidrBlock": "10.9.0.0/16"}]}));
    docs.push(json!({"Subnets": [{"SubnetId": "subnet-2", "VpcId": "vpc-2", "CidrBlock": "10.9.1.0/24"}]}));
    docs.push(json!({"RouteTables": [{
        "RouteTableId": "rtb-2", "VpcId": "vpc-2",
        "Associations": [{"Main": true, "RouteTableAssociationId": "rtbassoc-2", "RouteTableId": "rtb-2"}],
        "Routes": [{"DestinationCidrBlock": "10.9.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"}]
    }]}));
    let l = load(docs);
    let engine = Engine::new(&l.network);
    let r2 = engine
        .subnet_reach(&l.network, &"subnet-2".into())
        .expect("subnet-2");
    assert_eq!(
        r2.route_table_id.as_ref().map(|t| t.as_str()),
        Some("rtb-2")
    );
    assert_eq!(r2.ipv4.internet, vpcsim::reach::InternetClass::Isolated);
    let r1 = engine
        .subnet_reach(&l.network, &"subnet-1".into())
        .expect("subnet-1");
    assert_eq!(r1.ipv4.internet, vpcsim::reach::InternetClass::Public);
}
