//! Regression tests for defects an independent review found in import and `apply`, each named
//! after the behaviour it pins (semantics doc sections cited).

use serde_json::json;
use vpcsim::model::*;
use vpcsim::snapshot::{self, Loaded};

fn js(v: serde_json::Value) -> Network {
    let mut l =
        snapshot::json::load_values(&[("x.json".into(), v, None, None)]).expect("fixture imports");
    snapshot::finish(&mut l);
    l.network
}

fn topo(t: &str) -> Loaded {
    let mut l = snapshot::topology::load_str(t, "t.toml").expect("fixture loads");
    snapshot::finish(&mut l);
    l
}

// §2.2, §3.1: a table never serves a subnet of another VPC; the import reports such an
// association as ignored, and the subnet uses its own VPC's main table.
#[test]
fn cross_vpc_subnet_association_is_ignored() {
    let net = js(json!({
        "Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}, {"VpcId": "vpc-2", "CidrBlock": "10.1.0.0/16"}],
        "Subnets": [{"SubnetId": "subnet-2", "VpcId": "vpc-2", "CidrBlock": "10.1.1.0/24"}],
        "RouteTables": [
            {"RouteTableId": "rtb-1", "VpcId": "vpc-1", "Routes": [],
             "Associations": [{"Main": false, "RouteTableAssociationId": "rtbassoc-x", "RouteTableId": "rtb-1", "SubnetId": "subnet-2"}]},
            {"RouteTableId": "rtb-2", "VpcId": "vpc-2", "Routes": [],
             "Associations": [{"Main": true, "RouteTableAssociationId": "rtbassoc-m2", "RouteTableId": "rtb-2"}]}]
    }));
    let (t, kind) = net
        .effective_route_table(&SubnetId::new("subnet-2"))
        .expect("a table");
    assert_eq!((t.as_str(), kind), ("rtb-2", AssociationKind::Main));
}

// §1.6: `disassociating` is the old half of a replaced association; only the live one routes,
// and removing it leaves the incremental index equal to a rebuilt one.
#[test]
fn disassociating_associations_are_not_imported_and_the_index_stays_consistent() {
    let mut net = js(json!({
        "Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}],
        "Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24"}],
        "RouteTables": [
            {"RouteTableId": "rtb-m", "VpcId": "vpc-1", "Routes": [],
             "Associations": [{"Main": true, "RouteTableAssociationId": "rtbassoc-m", "RouteTableId": "rtb-m"}]},
            {"RouteTableId": "rtb-a", "VpcId": "vpc-1", "Routes": [],
             "Associations": [{"RouteTableAssociationId": "rtbassoc-a", "RouteTableId": "rtb-a", "SubnetId": "subnet-1",
                               "AssociationState": {"State": "disassociating"}}]},
            {"RouteTableId": "rtb-z", "VpcId": "vpc-1", "Routes": [],
             "Associations": [{"RouteTableAssociationId": "rtbassoc-z", "RouteTableId": "rtb-z", "SubnetId": "subnet-1",
                               "AssociationState": {"State": "associated"}}]}]
    }));
    let s = SubnetId::new("subnet-1");
    assert_eq!(
        net.effective_route_table(&s).map(|(t, _)| t.as_str()),
        Some("rtb-z")
    );
    net.apply(
        &Change::DisassociateRouteTable {
            association_id: RouteTableAssociationId::new("rtbassoc-z"),
        },
        &ApplyOptions::default(),
    )
    .expect("disassociates");
    let incremental = net.effective_route_table(&s).map(|(t, k)| (t.clone(), k));
    let mut rebuilt = net.clone();
    rebuilt.reindex();
    assert_eq!(
        incremental,
        rebuilt
            .effective_route_table(&s)
            .map(|(t, k)| (t.clone(), k))
    );
    assert_eq!(
        incremental.map(|(t, _)| t.to_string()),
        Some("rtb-m".to_string())
    );
}

// §1.13, §3.4: only a live transit gateway attachment carries traffic.
#[test]
fn transit_gateway_attachments_that_are_not_live_make_routes_blackhole() {
    for state in [
        "pendingAcceptance",
        "rejecting",
        "failing",
        "rollingBack",
        "deleted",
    ] {
        let net = js(json!({
            "Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}],
            "TransitGatewayVpcAttachments": [{"TransitGatewayAttachmentId": "tgw-attach-1", "TransitGatewayId": "tgw-1",
                "VpcId": "vpc-1", "SubnetIds": [], "State": state}]
        }));
        let st = net.target_status(&VpcId::new("vpc-1"), &Target::from_id("tgw-1"));
        assert!(matches!(st, TargetStatus::Blackhole(_)), "{state}: {st:?}");
    }
    let net = js(json!({
        "Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}],
        "TransitGatewayVpcAttachments": [{"TransitGatewayAttachmentId": "tgw-attach-1", "TransitGatewayId": "tgw-1",
            "VpcId": "vpc-1", "SubnetIds": [], "State": "available"}]
    }));
    assert_eq!(
        net.target_status(&VpcId::new("vpc-1"), &Target::from_id("tgw-1")),
        TargetStatus::Active
    );
}

// §1.6: the main association of a topology table named like another VPC's suffix stays its own
// (generated association IDs cannot collide), so it can be replaced.
#[test]
fn generated_main_association_ids_do_not_collide() {
    let mut l = topo(
        "[[vpc]]\nid=\"vpc-a\"\ncidrs=[\"10.0.0.0/16\"]\n[[vpc]]\nid=\"vpc-b\"\ncidrs=[\"10.1.0.0/16\"]\n\
         [[route_table]]\nid=\"rtb-b\"\nvpc=\"vpc-a\"\nmain=true\n[[route_table]]\nid=\"rtb-x\"\nvpc=\"vpc-a\"\n",
    );
    let main_a = l.network.route_tables[&RouteTableId::new("rtb-b")]
        .associations
        .iter()
        .find(|a| a.target == AssociationTarget::Main)
        .expect("main association")
        .id
        .clone();
    l.network
        .apply(
            &Change::ReplaceRouteTableAssociation {
                association_id: main_a,
                route_table_id: RouteTableId::new("rtb-x"),
                new_association_id: None,
            },
            &ApplyOptions::default(),
        )
        .expect("replaces vpc-a's main association");
    assert_eq!(
        l.network
            .main_route_table(&VpcId::new("vpc-a"))
            .map(|t| t.as_str()),
        Some("rtb-x")
    );
}

// §1.14, §2.2: a deleted endpoint no longer exists for ModifyVpcEndpoint.
#[test]
fn modifying_a_deleted_endpoint_is_not_found() {
    let mut l = topo(
        "[[vpc]]\nid=\"vpc-1\"\ncidrs=[\"10.0.0.0/16\"]\n\
         [[route_table]]\nid=\"rtb-1\"\nvpc=\"vpc-1\"\nmain=true\n[[route_table]]\nid=\"rtb-2\"\nvpc=\"vpc-1\"\n\
         [[prefix_list]]\nid=\"pl-1\"\ncidrs=[\"52.216.0.0/15\"]\n\
         [[vpc_endpoint]]\nid=\"vpce-1\"\nvpc=\"vpc-1\"\ntype=\"Gateway\"\nservice=\"com.amazonaws.us-east-1.s3\"\nprefix_list=\"pl-1\"\nroute_tables=[\"rtb-1\"]\n",
    );
    let opts = ApplyOptions::default();
    l.network
        .apply(
            &Change::DeleteVpcEndpoints {
                vpc_endpoint_ids: vec![VpcEndpointId::new("vpce-1")],
            },
            &opts,
        )
        .expect("deletes");
    let e = l
        .network
        .apply(
            &Change::ModifyVpcEndpoint {
                vpc_endpoint_id: VpcEndpointId::new("vpce-1"),
                add_route_table_ids: vec![RouteTableId::new("rtb-2")],
                remove_route_table_ids: vec![],
            },
            &opts,
        )
        .expect_err("deleted endpoint");
    assert_eq!(e.code, "InvalidVpcEndpointId.NotFound");
    assert!(
        l.network.route_tables[&RouteTableId::new("rtb-2")]
            .routes
            .len()
            == 1
    );
}
