//! Reads the real CloudTrail records kept beside the project (`../shared/data/cloudtrail`, see
//! its README) in place, never copied into the repository: every file is read without error,
//! every record listed in `_index.json` is found and accounted for, and the records of the route
//! family decode to what they say.
//!
//! Set `VPCSIM_REAL_DATA` to the data folder to run these tests; without it each test prints
//! `skipped: VPCSIM_REAL_DATA not set` and returns.

#[path = "support/real_data.rs"]
mod real_data;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use vpcsim::cloudtrail::*;
use vpcsim::model::*;

fn data_dir() -> Option<PathBuf> {
    real_data::real_data().map(|d| d.join("cloudtrail"))
}

const NOT_RECORDS: [&str; 3] = ["_index.json", "_sources.json", "_provenance.json"];

/// Every data file, in sorted order, with its path relative to `cloudtrail/`.
fn data_files(dir: &Path) -> Vec<(String, PathBuf)> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.expect("walk the data folder"))
        .filter(|e| e.file_type().is_file())
        .filter(|e| !NOT_RECORDS.contains(&e.file_name().to_str().unwrap_or("")))
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap();
            (
                rel.to_string_lossy().replace('\\', "/"),
                e.path().to_path_buf(),
            )
        })
        .collect()
}

fn read_all(dir: &Path) -> (ReadResult, BTreeMap<PathBuf, String>) {
    let files = data_files(dir);
    let names = files.iter().map(|(n, p)| (p.clone(), n.clone())).collect();
    let paths: Vec<PathBuf> = files.into_iter().map(|(_, p)| p).collect();
    (read_inputs(&paths), names)
}

/// The one record with this eventID in this file.
fn by_id<'a>(
    res: &'a ReadResult,
    names: &BTreeMap<PathBuf, String>,
    source: &str,
    id: &str,
) -> &'a Record {
    let found: Vec<&Record> = res
        .records
        .iter()
        .filter(|r| names[&r.file].starts_with(source) && r.event_id.as_deref() == Some(id))
        .collect();
    assert_eq!(found.len(), 1, "{source} {id}");
    found[0]
}

fn change(r: &Record) -> Change {
    match decode(r) {
        Decoded::Change(c) => c,
        other => panic!("{} ({}): {other:?}", r.event_name, r.location()),
    }
}

#[test]
fn every_file_is_read_and_every_indexed_record_is_accounted_for() {
    let Some(dir) = data_dir() else { return };
    let index: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("_index.json")).unwrap()).unwrap();
    let (res, names) = read_all(&dir);
    assert!(res.errors.is_empty(), "{:#?}", res.errors);
    assert!(res.skipped.is_empty());
    assert_eq!(res.files_read(), names.len());
    assert_eq!(res.records_read(), index.len());

    let s = |v: &Value, k: &str| v[k].as_str().map(str::to_string);
    for (path, name) in &names {
        let entries: Vec<&Value> = index
            .iter()
            .filter(|e| e["file"] == name.as_str())
            .collect();
        let summary = res.files.iter().find(|f| &f.path == path).unwrap();
        assert_eq!(summary.records, entries.len(), "{name}: records read");

        // Expected kept records: EC2 calls of the family or recognised-unsupported ones.
        let mut expected: Vec<(String, Option<String>, Option<String>)> = Vec::new();
        for e in &entries {
            let event = s(e, "eventName").unwrap_or_default();
            let kept =
                s(e, "eventSource").as_deref() == Some(EC2_EVENT_SOURCE) && is_relevant(&event);
            if e["route_relevant"] == true {
                assert!(
                    kept,
                    "{name}: {event} is route-relevant but would not be kept"
                );
            }
            if kept {
                let code = s(e, "errorCode").map(|c| {
                    c.trim_start_matches("Client.")
                        .trim_start_matches("Server.")
                        .to_string()
                });
                expected.push((event, code, s(e, "eventID")));
            }
        }
        let mut got: Vec<_> = res
            .records
            .iter()
            .filter(|r| &r.file == path)
            .map(|r| {
                (
                    r.event_name.clone(),
                    r.error_code.clone(),
                    r.event_id.clone(),
                )
            })
            .collect();
        expected.sort();
        got.sort();
        assert_eq!(got, expected, "{name}");
        assert_eq!(summary.kept, expected.len(), "{name}");
    }

    // Every kept record has a readable time; the ones from lookup-events agree with the index.
    for r in &res.records {
        assert!(r.time.is_some(), "{}: {:?}", r.location(), r.event_time);
        let listed = index.iter().any(|e| {
            e["file"] == names[&r.file].as_str()
                && e["eventID"].as_str() == r.event_id.as_deref()
                && e["eventTime"].as_str().and_then(UtcTime::parse) == r.time
        });
        assert!(
            listed,
            "{}: time {:?} not in the index",
            r.location(),
            r.event_time
        );
    }
}

#[test]
fn containers_are_recognised() {
    let Some(dir) = data_dir() else { return };
    let (res, names) = read_all(&dir);
    let container = |name: &str| {
        res.files
            .iter()
            .find(|f| names[&f.path] == name)
            .and_then(|f| f.container)
    };
    use Container::*;
    for (name, c) in [
        ("plaso/aws_cloudtrail.Records.json", Records),
        ("plaso/aws_cloudtrail.lookup-events.jsonl", JsonLines),
        (
            "cloud-custodian/event-transit-gateway-delete-vpc-attachment.json",
            EventBridge,
        ),
        (
            "cloud-custodian/event-cloud-trail-run-instances.json",
            Record,
        ),
        (
            "otrf-security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.jsonl",
            JsonLines,
        ),
        (
            "stratus-red-team/aws.execution.ec2-launch-unusual-instances.json",
            Array,
        ),
        (
            "panther-analysis/aws_ec2_route_table_modified.tests.json",
            Embedded,
        ),
        (
            "streamalert/335afc12__rules_community_cloudwatch_events_cloudtrail_critical_api_calls.json",
            Array,
        ),
        (
            "cloudzero-interview-pairing/CREATE_NAT_GATEWAY.json",
            Record,
        ),
    ] {
        assert_eq!(container(name), Some(c), "{name}");
    }
    // The Logstash JSON Lines file holds no route event: all ignored, almost all pre-filtered.
    let otrf = res
        .files
        .iter()
        .find(|f| names[&f.path].starts_with("otrf"))
        .unwrap();
    assert_eq!((otrf.records, otrf.kept), (103, 0));
    assert!(res.prefiltered >= 100, "prefiltered {}", res.prefiltered);
}

#[test]
fn nothing_is_malformed_but_the_placeholder_fixtures() {
    let Some(dir) = data_dir() else { return };
    let (res, names) = read_all(&dir);
    for (r, d) in res.decoded() {
        match d {
            Decoded::Change(_) | Decoded::Unsupported(_) => {}
            Decoded::Ignored => panic!("{}: a kept record decodes as ignored", r.location()),
            Decoded::Malformed(reason) => {
                // streamalert's hand-written fixtures use "..." for every ID.
                assert!(
                    names[&r.file].starts_with("streamalert/"),
                    "{}: {reason}",
                    r.location()
                );
                let expected = match r.event_name.as_str() {
                    "DeleteSubnet" => {
                        r#"requestParameters.subnetId: "..." is not a subnet ID (expected subnet-…)"#
                    }
                    "DeleteVpc" => {
                        r#"requestParameters.vpcId: "..." is not a VPC ID (expected vpc-…)"#
                    }
                    other => panic!("{other}: {reason}"),
                };
                assert_eq!(reason, expected);
            }
        }
    }
    let t = res.tally();
    assert_eq!(t.malformed, 2);
    assert_eq!(t.changes + t.unsupported + t.malformed, res.records.len());
}

#[test]
fn aws_spotlight_route_events_decode() {
    let Some(dir) = data_dir() else { return };
    let (res, names) = read_all(&dir);
    let get = |id: &str| by_id(&res, &names, "aws-spotlight/", id);

    assert_eq!(
        change(get("e2584e51-a7eb-43f2-a771-94a340039f53")),
        Change::CreateRoute {
            route_table_id: RouteTableId::new("rtb-09f392b007354c0e9"),
            destination: Destination::parse("0.0.0.0/0").unwrap(),
            targets: vec![Target::InternetGateway(InternetGatewayId::new(
                "igw-067da439b54963ef0"
            ))],
        }
    );
    // A Gateway Load Balancer endpoint as the default route's new target.
    assert_eq!(
        change(get("9a2c8703-b10c-4dab-9897-35ea3675a3e7")),
        Change::ReplaceRoute {
            route_table_id: RouteTableId::new("rtb-0c8df2818b03c7fa1"),
            destination: Destination::parse("0.0.0.0/0").unwrap(),
            targets: vec![Target::VpcEndpoint(VpcEndpointId::new(
                "vpce-00fde75695ad9fcb8"
            ))],
            local_target: false,
        }
    );
    assert_eq!(
        change(get("7ebceb65-d493-461e-abd7-61b7fbd3c4d3")),
        Change::DeleteRoute {
            route_table_id: RouteTableId::new("rtb-02e2ece48676abbf6"),
            destination: Destination::parse("0.0.0.0/0").unwrap(),
        }
    );
    assert_eq!(
        change(get("85622693-0f15-4f0b-8200-544736459e6d")),
        Change::AssociateRouteTable {
            route_table_id: RouteTableId::new("rtb-09f392b007354c0e9"),
            subnet_id: Some(SubnetId::new("subnet-0565e3982d40bc80d")),
            gateway_id: None,
            association_id: Some(RouteTableAssociationId::new("rtbassoc-08235093b39641b9d")),
        }
    );
    assert_eq!(
        change(get("5b09b5e6-da3c-47b3-826f-2e4f14d2d024")),
        Change::DisassociateRouteTable {
            association_id: RouteTableAssociationId::new("rtbassoc-0e6b4a5fe5bb5f83f"),
        }
    );
    // Wrapped style: {"CreateNatGatewayRequest": {...}} / {"CreateNatGatewayResponse": {...}}.
    assert_eq!(
        change(get("efc3dd39-f22b-4c25-8b7c-7d8b35ce8182")),
        Change::CreateNatGateway {
            subnet_id: SubnetId::new("subnet-0565e3982d40bc80d"),
            vpc_id: Some(VpcId::new("vpc-017d83801e79e7023")),
            nat_gateway_id: Some(NatGatewayId::new("nat-0cb758692bd70f8e6")),
            connectivity_type: ConnectivityType::Public,
            allocation_id: Some(AllocationId::new("eipalloc-0d541aeb3113c49e9")),
            private_ip: None,
            public_ip: None,
        }
    );
    assert_eq!(
        change(get("21a99e85-0f10-4868-857b-163cf070b9fb")),
        Change::AttachInternetGateway {
            internet_gateway_id: InternetGatewayId::new("igw-067da439b54963ef0"),
            vpc_id: VpcId::new("vpc-017d83801e79e7023"),
        }
    );
    // Wrapped style with `{"tag": N, "content": ...}` list members and `""` for an empty set.
    assert_eq!(
        change(get("a3dc47d9-6d40-45da-b496-a435083c68bc")),
        Change::CreateVpcEndpoint {
            vpc_id: VpcId::new("vpc-0f1e12c219f232b46"),
            vpc_endpoint_id: Some(VpcEndpointId::new("vpce-0ef9277730bf26b70")),
            endpoint_type: VpcEndpointType::Interface,
            service_name: Some("com.amazonaws.ap-northeast-1.s3".into()),
            route_table_ids: vec![],
            subnet_ids: vec![
                SubnetId::new("subnet-0463e28fe18a6f599"),
                SubnetId::new("subnet-02f400a0a5738ef8a"),
            ],
        }
    );
    // A failed call: decoded all the same, with EC2's code without its `Client.` prefix.
    let failed = get("444c1558-3bfb-4cf2-add0-1c42b62d27d4");
    assert_eq!(failed.error_code.as_deref(), Some("DependencyViolation"));
    assert!(failed.response_elements.is_null());
    assert_eq!(
        change(failed),
        Change::DeleteVpc {
            vpc_id: VpcId::new("vpc-0dec02bb38e7c674b"),
        }
    );
    assert_eq!(failed.account_id.as_deref(), Some("999999999999"));
    assert_eq!(failed.aws_region.as_deref(), Some("ap-northeast-1"));
}

#[test]
fn other_sources_decode() {
    let Some(dir) = data_dir() else { return };
    let (res, names) = read_all(&dir);
    // EventBridge envelope, request wrapped under an abbreviated key (`DelTGwVpcAttachReq`).
    let tgw = by_id(
        &res,
        &names,
        "cloud-custodian/",
        "10fe783b-14ea-4f67-8dbc-b1596716e57c",
    );
    assert_eq!(tgw.position.pointer, "/detail");
    assert_eq!(
        change(tgw),
        Change::DeleteTransitGatewayVpcAttachment {
            transit_gateway_attachment_id: TransitGatewayAttachmentId::new(
                "tgw-attach-0814a77755bf02f0e"
            ),
        }
    );
    // lookup-events: the record is a JSON string; TerminateInstances lists its instances.
    let term = by_id(
        &res,
        &names,
        "plaso/",
        "1f2d6879-969f-4c15-b550-55015423e0c6",
    );
    assert_eq!(term.position, Position::new(2, "/CloudTrailEvent"));
    assert_eq!(
        change(term),
        Change::TerminateInstances {
            instance_ids: vec![InstanceId::new("i-01234567890123456")],
        }
    );
    // RunInstances: two instances from the response, each with its primary interface.
    let run = res
        .records
        .iter()
        .find(|r| names[&r.file].starts_with("cloud-custodian/") && r.event_name == "RunInstances")
        .unwrap();
    let Change::RunInstances { instances } = change(run) else {
        panic!()
    };
    let ids: Vec<_> = instances
        .iter()
        .map(|i| {
            (
                i.instance_id.as_str(),
                i.network_interface_id.as_ref().map(|e| e.as_str()),
            )
        })
        .collect();
    assert_eq!(
        ids,
        [
            ("i-784cdacd", Some("eni-6a08d837")),
            ("i-7b4cdace", Some("eni-6508d838"))
        ]
    );
    // A RunInstances refused by IAM: no response, no instances.
    let refused = by_id(
        &res,
        &names,
        "stratus-red-team/",
        "1a4debbb-12e9-4bde-b8c7-ea29002bb2a7",
    );
    assert_eq!(refused.error_code.as_deref(), Some("UnauthorizedOperation"));
    assert_eq!(change(refused), Change::RunInstances { instances: vec![] });
}
