//! No panic on any input (house rule, issue #2 §2): mutated describe-* JSON and mutated TOML
//! topologies either import (possibly with errors naming the file and the field) or fail with
//! an error; whatever imports can be reached and traced without a panic.

use proptest::prelude::*;
use serde_json::{Value, json};
use vpcsim::reach::Engine;
use vpcsim::snapshot::{self, json::Document};

fn base_documents() -> Vec<Value> {
    vec![
        json!({"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16",
            "CidrBlockAssociationSet": [{"AssociationId": "vpc-cidr-assoc-1", "CidrBlock": "10.0.0.0/16", "CidrBlockState": {"State": "associated"}}],
            "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2001:db8::/56", "Ipv6CidrBlockState": {"State": "associated"}}]}]}),
        json!({"Subnets": [
            {"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24", "MapPublicIpOnLaunch": true,
             "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2001:db8::/64", "Ipv6CidrBlockState": {"State": "associated"}}]},
            {"SubnetId": "subnet-2", "VpcId": "vpc-1", "CidrBlock": "10.0.2.0/24"}]}),
        json!({"InternetGateways": [{"InternetGatewayId": "igw-1", "Attachments": [{"State": "available", "VpcId": "vpc-1"}]}]}),
        json!({"NatGateways": [{"NatGatewayId": "nat-1", "SubnetId": "subnet-1", "VpcId": "vpc-1", "State": "available",
            "NatGatewayAddresses": [{"PrivateIp": "10.0.1.9", "PublicIp": "198.51.100.9"}]}]}),
        json!({"RouteTables": [
            {"RouteTableId": "rtb-1", "VpcId": "vpc-1",
             "Associations": [{"Main": false, "RouteTableAssociationId": "rtbassoc-1", "RouteTableId": "rtb-1", "SubnetId": "subnet-1"}],
             "Routes": [
                {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"},
                {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1", "Origin": "CreateRoute", "State": "active"},
                {"DestinationIpv6CidrBlock": "::/0", "GatewayId": "igw-1", "Origin": "CreateRoute", "State": "active"}]},
            {"RouteTableId": "rtb-2", "VpcId": "vpc-1",
             "Associations": [{"Main": true, "RouteTableAssociationId": "rtbassoc-2", "RouteTableId": "rtb-2"}],
             "PropagatingVgws": [{"GatewayId": "vgw-1"}],
             "Routes": [
                {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"},
                {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1", "Origin": "CreateRoute", "State": "active"},
                {"DestinationPrefixListId": "pl-1", "GatewayId": "vpce-1", "Origin": "CreateRoute", "State": "active"}]}]}),
        json!({"NetworkInterfaces": [{"NetworkInterfaceId": "eni-1", "SubnetId": "subnet-1", "VpcId": "vpc-1",
            "PrivateIpAddress": "10.0.1.5", "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.1.5", "Primary": true,
            "Association": {"PublicIp": "198.51.100.5"}}], "SourceDestCheck": true}]}),
        json!({"PrefixLists": [{"PrefixListId": "pl-1", "PrefixListName": "s3", "Cidrs": ["52.216.0.0/15"]}]}),
    ]
}

fn absurd(k: u8) -> Value {
    match k % 10 {
        0 => json!(42),
        1 => json!([1, "two", null]),
        2 => json!("10.300.0.0/16"),
        3 => json!("::/999"),
        4 => json!({}),
        5 => json!(-1e300),
        6 => json!(true),
        7 => json!(null),
        8 => json!(""),
        _ => json!("0.0.0.0/0"),
    }
}

/// Every leaf of a JSON value, as a pointer.
fn leaves(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, x) in m {
                leaves(x, format!("{at}/{k}"), out);
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for (i, x) in a.iter().enumerate() {
                leaves(x, format!("{at}/{i}"), out);
            }
        }
        _ => out.push(at),
    }
}

fn exercise(loaded: &snapshot::Loaded) {
    let net = &loaded.network;
    let engine = Engine::new(net);
    let reach = engine.reach_all(net);
    assert_eq!(reach.len(), net.subnets.len());
    for s in net.subnets.keys() {
        for to in ["8.8.8.8", "10.0.2.7", "2600::1", "52.216.1.1"] {
            let _ = engine.trace(net, s.as_str(), to.parse().expect("test address"));
        }
    }
    let _ = engine.trace(net, "internet", "198.51.100.5".parse().expect("address"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn mutated_describe_json_never_panics(
        edits in prop::collection::vec((any::<usize>(), any::<usize>(), any::<u8>()), 1..4),
    ) {
        let mut docs = base_documents();
        for (d, l, k) in edits {
            let d = d % docs.len();
            let mut ptrs = Vec::new();
            leaves(&docs[d], String::new(), &mut ptrs);
            let p = &ptrs[l % ptrs.len()];
            if let Some(slot) = docs[d].pointer_mut(p) {
                *slot = absurd(k);
            }
        }
        let named: Vec<Document> = docs
            .into_iter()
            .enumerate()
            .map(|(i, v)| (format!("doc{i}.json"), v, None, None))
            .collect();
        match snapshot::json::load_values(&named) {
            Ok(mut loaded) => {
                snapshot::finish(&mut loaded);
                exercise(&loaded);
            }
            Err(e) => {
                prop_assert!(!e.errors.is_empty());
                for err in &e.errors {
                    prop_assert!(err.location.starts_with("doc"), "{err}");
                }
                if let Some(mut partial) = e.partial {
                    snapshot::finish(&mut partial);
                    exercise(&partial);
                }
            }
        }
    }

    #[test]
    fn mutated_topology_text_never_panics(cut in any::<usize>(), at in any::<usize>(), c in 0x20u8..0x7f) {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example-topology/topology.toml"),
        )
        .expect("bundled scenario");
        let mut bytes = text.into_bytes();
        let i = at % bytes.len();
        bytes[i] = c;
        bytes.truncate(bytes.len() - cut % (bytes.len() / 4));
        let text = String::from_utf8_lossy(&bytes).into_owned();
        match snapshot::topology::load_str(&text, "t.toml") {
            Ok(mut loaded) => {
                snapshot::finish(&mut loaded);
                exercise(&loaded);
            }
            Err(e) => {
                prop_assert!(!e.errors.is_empty());
                for err in &e.errors {
                    prop_assert!(err.location.starts_with("t.toml"), "{err}");
                }
            }
        }
    }
}
