//! CloudTrail input on small fixtures written here, with documentation IDs (account
//! `123456789012`, `192.0.2.0/24`, `2001:db8::/32`). Index:
//!
//! - containers: every kind is recognised by content and yields the same record;
//! - gzip: single and multi-member streams, the S3 layout walk, digest and non-log skipping;
//! - decoding: both request styles, every list encoding, null parameters, `Client.` prefixes,
//!   DryRun, `gatewayId: "nat-…"`, malformed fields named;
//! - order: both time formats sort by instant;
//! - robustness: Insight records, broken gzip and JSON per file, 100,000 irrelevant lines,
//!   every record counted exactly once (a property test).

use flate2::Compression;
use flate2::write::GzEncoder;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use vpcsim::cloudtrail::*;
use vpcsim::model::*;

// ---------------------------------------------------------------------------------------------
// Fixture helpers.

/// A fresh directory under cargo's per-target temporary directory.
fn tmp(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("cloudtrail")
        .join(name);
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

fn write(path: &Path, bytes: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// A complete EC2 record with the envelope of §5.2.
fn rec(name: &str, req: Value, resp: Value) -> Value {
    json!({
        "eventVersion": "1.08",
        "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLE",
            "arn": "arn:aws:iam::123456789012:user/alice", "accountId": "123456789012",
            "userName": "alice"},
        "eventTime": "2023-01-06T04:40:04Z",
        "eventSource": "ec2.amazonaws.com",
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "192.0.2.10",
        "userAgent": "aws-cli/2.13.0",
        "requestParameters": req,
        "responseElements": resp,
        "requestID": "11111111-2222-3333-4444-555555555555",
        "eventID": format!("ev-{name}"),
        "readOnly": false,
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": "123456789012",
        "eventCategory": "Management"
    })
}

fn create_route() -> Value {
    rec(
        "CreateRoute",
        json!({"routeTableId": "rtb-0123456789abcdef0", "destinationCidrBlock": "0.0.0.0/0",
               "gatewayId": "igw-0123456789abcdef0"}),
        json!({"requestId": "11111111-2222-3333-4444-555555555555", "_return": true}),
    )
}

fn irrelevant(i: usize) -> Value {
    json!({"eventVersion": "1.08", "eventTime": "2023-01-06T04:40:04Z",
           "eventSource": "s3.amazonaws.com", "eventName": "GetObject",
           "eventID": format!("s3-{i}"), "requestParameters": {"bucketName": "example"}})
}

fn route_change() -> Change {
    Change::CreateRoute {
        route_table_id: RouteTableId::new("rtb-0123456789abcdef0"),
        destination: Destination::parse("0.0.0.0/0").unwrap(),
        targets: vec![Target::InternetGateway(InternetGatewayId::new(
            "igw-0123456789abcdef0",
        ))],
    }
}

fn read_bytes(name: &str, bytes: &[u8]) -> ReadResult {
    let mut r = ReadResult::default();
    r.read_from(Path::new(name), bytes);
    r
}

fn decode_one(v: Value) -> Decoded {
    let r = read_bytes("one.json", v.to_string().as_bytes());
    assert_eq!(r.records.len(), 1, "{:?}", r.errors);
    decode(&r.records[0])
}

fn change(v: Value) -> Change {
    match decode_one(v) {
        Decoded::Change(c) => c,
        other => panic!("expected a change, got {other:?}"),
    }
}

fn malformed(v: Value) -> String {
    match decode_one(v) {
        Decoded::Malformed(reason) => reason,
        other => panic!("expected malformed, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Containers.

#[test]
fn every_container_is_recognised_by_content() {
    let r = create_route();
    let line = r.to_string();
    let pretty = serde_json::to_string_pretty(&r).unwrap();
    let cases: Vec<(&str, String, Container, &str)> = vec![
        (
            "log.json",
            json!({"Records": [irrelevant(0), r.clone()]}).to_string(),
            Container::Records,
            "/Records/1",
        ),
        (
            "lookup.json",
            serde_json::to_string_pretty(&json!({"Events": [{
                "EventId": "ev-CreateRoute", "EventName": "CreateRoute", "ReadOnly": "false",
                "EventTime": "2023-01-06 15:40:04+11:00", "EventSource": "ec2.amazonaws.com",
                "Username": "alice", "Resources": [], "CloudTrailEvent": line.clone()}],
                "NextToken": "x"}))
            .unwrap(),
            Container::LookupEvents,
            "/Events/0/CloudTrailEvent",
        ),
        (
            "eventbridge.json",
            serde_json::to_string_pretty(&json!({"version": "0", "id": "x",
                "detail-type": "AWS API Call via CloudTrail", "source": "aws.ec2",
                "account": "123456789012", "time": "2023-01-06T04:40:04Z",
                "region": "us-east-1", "resources": [], "detail": r.clone()}))
            .unwrap(),
            Container::EventBridge,
            "/detail",
        ),
        (
            "lines.jsonl",
            {
                let mut logstash = r.clone();
                logstash["@timestamp"] = json!("2023-01-06T04:40:04.000Z");
                logstash["@version"] = json!("1");
                format!("{}\n\n{}\n", irrelevant(0), logstash)
            },
            Container::JsonLines,
            "",
        ),
        (
            "array.json",
            serde_json::to_string_pretty(&json!([irrelevant(0), r.clone()])).unwrap(),
            Container::Array,
            "/1",
        ),
        ("bare.json", pretty.clone(), Container::Record, ""),
        (
            "concatenated.json",
            format!(
                "{}\n{}\n",
                serde_json::to_string_pretty(&irrelevant(0)).unwrap(),
                pretty
            ),
            Container::Concatenated,
            "",
        ),
        (
            "fixture.json",
            json!({"source": "a detection rule", "tests": [{"name": "t", "log": r.clone()}]})
                .to_string(),
            Container::Embedded,
            "/tests/0/log",
        ),
    ];
    for (name, text, container, pointer) in cases {
        // The name says nothing: read every case under a neutral one.
        let res = read_bytes("input", text.as_bytes());
        assert!(res.errors.is_empty(), "{name}: {:?}", res.errors);
        assert_eq!(res.files[0].container, Some(container), "{name}");
        assert_eq!(res.records.len(), 1, "{name}");
        let rec = &res.records[0];
        assert_eq!(rec.position.pointer, pointer, "{name}");
        assert_eq!(rec.event_id.as_deref(), Some("ev-CreateRoute"), "{name}");
        assert_eq!(rec.error_code, None, "{name}");
        assert_eq!(
            rec.principal.as_deref(),
            Some("arn:aws:iam::123456789012:user/alice")
        );
        assert_eq!(decode(rec), Decoded::Change(route_change()), "{name}");
        assert_eq!(res.records_read(), res.records.len() + res.ignored);
    }
}

#[test]
fn lookup_events_lines_and_entry_fallbacks() {
    // One lookup-events entry per line, as plaso keeps them; the record inside lacks eventTime,
    // so the entry's EventTime (with its +11:00 offset) is used.
    let mut inner = create_route();
    inner.as_object_mut().unwrap().remove("eventTime");
    let entry = json!({"EventId": "ev-CreateRoute", "EventName": "CreateRoute",
        "EventTime": "2023-01-06 15:40:04+11:00", "CloudTrailEvent": inner.to_string()});
    let text = format!(
        "{}\n{}\n",
        entry,
        json!({"EventName": "DescribeVpcs",
        "CloudTrailEvent": irrelevant(1).to_string()})
    );
    let res = read_bytes("lookup.jsonl", text.as_bytes());
    assert_eq!(res.files[0].container, Some(Container::JsonLines));
    assert_eq!((res.records.len(), res.ignored), (1, 1));
    let r = &res.records[0];
    assert_eq!(r.event_time.as_deref(), Some("2023-01-06 15:40:04+11:00"));
    assert_eq!(r.time, UtcTime::parse("2023-01-06T04:40:04Z"));
    assert_eq!(r.position, Position::new(1, "/CloudTrailEvent"));
}

#[test]
fn positions_name_the_line_each_record_starts_on() {
    let text =
        serde_json::to_string_pretty(&json!({"Records": [irrelevant(0), create_route()]})).unwrap();
    let res = read_bytes("pretty.json", text.as_bytes());
    // The second element starts on the line after the first one's closing brace.
    let start = text
        .lines()
        .enumerate()
        .filter(|(_, l)| *l == "    {")
        .map(|(i, _)| i as u64 + 1)
        .nth(1)
        .unwrap();
    assert_eq!(res.records[0].position, Position::new(start, "/Records/1"));
    assert_eq!(res.records[0].position.index(), Some(1));
}

// ---------------------------------------------------------------------------------------------
// gzip and directories.

#[test]
fn gzip_single_and_multi_member() {
    let dir = tmp("gzip");
    let log = json!({"Records": [create_route(), irrelevant(1), create_route()]}).to_string();
    let single = dir.join("single.json.gz");
    write(&single, &gzip(log.as_bytes()));
    // Two members, split in the middle of a record: the stream continues across members.
    let (a, b) = log.as_bytes().split_at(log.len() / 2);
    let mut multi_bytes = gzip(a);
    multi_bytes.extend(gzip(b));
    let multi = dir.join("multi.json.gz");
    write(&multi, &multi_bytes);
    // JSON Lines, one member per line, as `cat a.gz b.gz` produces.
    let mut lines = gzip(format!("{}\n", create_route()).as_bytes());
    lines.extend(gzip(format!("{}\n", irrelevant(2)).as_bytes()));
    let jsonl = dir.join("lines.jsonl.gz");
    write(&jsonl, &lines);

    let res = read_inputs(&[single.clone(), multi.clone(), jsonl.clone()]);
    assert!(res.errors.is_empty(), "{:?}", res.errors);
    let per_file: Vec<_> = res
        .files
        .iter()
        .map(|f| (f.path.clone(), f.container, f.records, f.kept))
        .collect();
    assert_eq!(
        per_file,
        vec![
            (single, Some(Container::Records), 3, 2),
            (multi, Some(Container::Records), 3, 2),
            (jsonl, Some(Container::JsonLines), 2, 1),
        ]
    );
    assert!(
        res.decoded()
            .all(|(_, d)| d == Decoded::Change(route_change()))
    );
}

#[test]
fn s3_layout_is_walked_in_order_and_digests_are_skipped() {
    let root = tmp("s3");
    let base = root.join("AWSLogs/123456789012/CloudTrail/us-east-1");
    let log = |day: &str, stamp: &str| {
        base.join(day).join(format!(
            "123456789012_CloudTrail_us-east-1_{stamp}_EXAMPLEabcdEXAMPLE.json.gz"
        ))
    };
    let files = [
        log("2023/01/10", "20230110T0000Z"),
        log("2022/12/31", "20221231T2355Z"),
        log("2023/01/09", "20230109T2355Z"),
        log("2023/01/09", "20230109T0005Z"),
    ];
    for f in &files {
        write(
            f,
            &gzip(json!({"Records": [create_route()]}).to_string().as_bytes()),
        );
    }
    let digest = root.join(
        "AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2023/01/09/\
         123456789012_CloudTrail-Digest_us-east-1_trail_us-east-1_20230109T0005Z.json.gz",
    );
    write(
        &digest,
        &gzip(br#"{"awsAccountId":"123456789012","logFiles":[]}"#),
    );
    write(&root.join("AWSLogs/README.txt"), b"not a log");
    write(&base.join("2023/01/09/.DS_Store"), b"\0\0");

    let res = read_inputs(std::slice::from_ref(&root));
    assert!(res.errors.is_empty(), "{:?}", res.errors);
    let read: Vec<_> = res.files.iter().map(|f| f.path.clone()).collect();
    assert_eq!(
        read,
        vec![
            files[1].clone(),
            files[3].clone(),
            files[2].clone(),
            files[0].clone()
        ]
    );
    assert_eq!(res.records.len(), 4);
    let skipped: Vec<_> = res
        .skipped
        .iter()
        .map(|s| {
            (
                s.path.file_name().unwrap().to_string_lossy().into_owned(),
                s.reason,
            )
        })
        .collect();
    assert_eq!(
        skipped,
        vec![
            // Sorted walk: CloudTrail/ before CloudTrail-Digest/, then README.txt.
            (".DS_Store".to_string(), SkipReason::NotALogFile),
            (
                "123456789012_CloudTrail-Digest_us-east-1_trail_us-east-1_20230109T0005Z.json.gz"
                    .to_string(),
                SkipReason::Digest
            ),
            ("README.txt".to_string(), SkipReason::NotALogFile),
        ]
    );
    assert_eq!((res.files_read(), res.files_skipped()), (4, 3));
}

#[test]
fn broken_gzip_and_broken_json_are_per_file_errors() {
    let dir = tmp("broken");
    let many: Vec<Value> = (0..400).map(|_| create_route()).collect();
    let log = json!({"Records": many}).to_string();
    let good = dir.join("a-good.json");
    write(
        &good,
        json!({"Records": [create_route()]}).to_string().as_bytes(),
    );
    // A gzip stream cut short: the records before the cut are kept.
    let gz = gzip(log.as_bytes());
    let truncated = dir.join("b-truncated.json.gz");
    write(&truncated, &gz[..gz.len() * 2 / 3]);
    let not_gzip = dir.join("c-not-gzip.json.gz");
    write(&not_gzip, b"\x00\x01garbage");
    let bad_json = dir.join("d-bad.json");
    write(
        &bad_json,
        b"{\"Records\": [\n{\"eventName\": \"CreateRoute\",}\n]}",
    );
    let bad_lines = dir.join("e-bad-lines.jsonl");
    write(
        &bad_lines,
        format!(
            "{}\n{{\"eventName\": \"CreateRoute\"\n{}\n",
            create_route(),
            create_route()
        )
        .as_bytes(),
    );
    let missing = dir.join("f-missing.json");
    let good2 = dir.join("g-good.json");
    write(&good2, create_route().to_string().as_bytes());

    let res = read_inputs(&[dir.clone(), missing.clone()]);
    let errs: Vec<String> = res.errors.iter().map(|e| e.to_string()).collect();
    let find = |p: &Path| {
        errs.iter()
            .find(|e| e.starts_with(&p.display().to_string()))
            .unwrap_or_else(|| panic!("no error for {}: {errs:#?}", p.display()))
            .clone()
    };
    assert!(
        find(&truncated).contains("cannot decompress gzip data"),
        "{errs:#?}"
    );
    assert!(find(&not_gzip).contains("not gzip data"), "{errs:#?}");
    assert!(
        find(&bad_json).contains("invalid JSON at line 2"),
        "{errs:#?}"
    );
    assert!(find(&bad_lines).contains("line 2"), "{errs:#?}");
    assert!(find(&missing).contains("cannot open"), "{errs:#?}");
    assert_eq!(errs.len(), 5, "{errs:#?}");

    let kept = |p: &Path| res.files.iter().find(|f| f.path == p).map(|f| f.kept);
    assert_eq!(kept(&good), Some(1));
    assert_eq!(kept(&good2), Some(1));
    let partial = kept(&truncated).unwrap();
    assert!(
        partial > 0 && partial < 400,
        "kept {partial} of a truncated file"
    );
    assert_eq!(
        kept(&bad_lines),
        Some(2),
        "the lines around a broken one are read"
    );
    assert_eq!(res.records_read(), res.records.len() + res.ignored);
}

#[test]
fn a_hundred_thousand_irrelevant_lines_keep_nothing() {
    let dir = tmp("bulk");
    let path = dir.join("bulk.jsonl");
    let mut text = String::with_capacity(100_000 * 160);
    for i in 0..100_000 {
        text.push_str(&format!(
            "{{\"eventVersion\":\"1.08\",\"eventTime\":\"2023-01-06T04:40:04Z\",\"eventSource\":\"ec2.amazonaws.com\",\"eventName\":\"DescribeInstances\",\"eventID\":\"{i}\",\"@timestamp\":\"2023-01-06T04:40:04.000Z\"}}\n"
        ));
    }
    write(&path, text.as_bytes());
    let res = read_inputs(&[path]);
    assert!(res.errors.is_empty());
    assert_eq!(res.records.len(), 0);
    assert_eq!(res.ignored, 100_000);
    // Every line but the first (read while recognising the container) never reached the parser.
    assert_eq!(res.prefiltered, 99_999);
}

/// A single large file reports progress while it is read (every 65,536 records), not only
/// once it is done: the CLI's progress line moves during a long read of one file.
#[test]
fn progress_is_reported_within_a_large_file() {
    let dir = tmp("progress");
    let path = dir.join("big.jsonl");
    let mut text = String::with_capacity(140_000 * 60);
    for i in 0..140_000 {
        text.push_str(&format!(
            "{{\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\",\"eventID\":\"{i}\"}}\n"
        ));
    }
    write(&path, text.as_bytes());
    let reports = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let seen = reports.clone();
    let res = read_inputs_with_progress(
        &[path],
        Box::new(move |_, files, records| seen.borrow_mut().push((files, records))),
    );
    assert_eq!(res.ignored, 140_000);
    let reports = reports.borrow();
    // Twice within the file (before it counts as read), then once at its end.
    assert_eq!(
        reports.as_slice(),
        &[(0, 65_536), (0, 131_072), (1, 140_000)]
    );
}

// ---------------------------------------------------------------------------------------------
// Decoding.

#[test]
fn both_request_styles_decode_to_the_same_change() {
    let resp = json!({"natGateway": {"natGatewayId": "nat-0123456789abcdef0",
        "subnetId": "subnet-0123456789abcdef0", "state": "pending",
        "natGatewayAddressSet": {"item": {"allocationId": "eipalloc-0123456789abcdef0",
            "publicIp": "203.0.113.5", "privateIp": "192.0.2.7"}}}});
    let legacy = rec(
        "CreateNatGateway",
        json!({"subnetId": "subnet-0123456789abcdef0", "allocationId": "eipalloc-0123456789abcdef0"}),
        resp.clone(),
    );
    let wrapped = rec(
        "CreateNatGateway",
        json!({"CreateNatGatewayRequest": {"SubnetId": "subnet-0123456789abcdef0",
               "AllocationId": "eipalloc-0123456789abcdef0"}}),
        json!({"CreateNatGatewayResponse": {"xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
               "natGateway": resp["natGateway"].clone(), "requestId": "x"}}),
    );
    let expected = Change::CreateNatGateway {
        subnet_id: SubnetId::new("subnet-0123456789abcdef0"),
        vpc_id: None,
        nat_gateway_id: Some(NatGatewayId::new("nat-0123456789abcdef0")),
        connectivity_type: ConnectivityType::Public,
        allocation_id: Some(AllocationId::new("eipalloc-0123456789abcdef0")),
        private_ip: Some("192.0.2.7".parse().unwrap()),
        public_ip: Some("203.0.113.5".parse().unwrap()),
    };
    assert_eq!(change(legacy), expected);
    assert_eq!(change(wrapped), expected);

    let pascal = rec(
        "CreateRoute",
        json!({"RouteTableId": "rtb-0123456789abcdef0", "DestinationCidrBlock": "0.0.0.0/0",
               "GatewayId": "igw-0123456789abcdef0"}),
        json!({"_return": true}),
    );
    let wrapped = rec(
        "CreateRoute",
        json!({"CreateRouteRequest": {"RouteTableId": "rtb-0123456789abcdef0",
               "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-0123456789abcdef0"}}),
        json!({"CreateRouteResponse": {"xmlns": "x", "return": true}}),
    );
    assert_eq!(change(create_route()), route_change());
    assert_eq!(change(pascal), route_change());
    assert_eq!(change(wrapped), route_change());
}

#[test]
fn every_list_encoding_gives_the_same_ids() {
    let ids = ["vpce-0123456789abcdef0", "vpce-0123456789abcdef1"];
    let encodings = [
        json!({"vpcEndpointId": {"items": [{"content": ids[0]}, ids[1]]}}),
        json!({"DeleteVpcEndpointsRequest": {"VpcEndpointId": {"item": [ids[0], ids[1]]}}}),
        json!({"DeleteVpcEndpointsRequest": {"VpcEndpointId": [
            {"tag": 1, "content": ids[0]}, {"tag": 2, "content": ids[1]}]}}),
        json!({"VpcEndpointId": [ids[0], ids[1]]}),
        json!({"VpcEndpointId.1": ids[0], "VpcEndpointId.2": ids[1]}),
    ];
    let expected = Change::DeleteVpcEndpoints {
        vpc_endpoint_ids: ids.iter().map(|s| VpcEndpointId::new(*s)).collect(),
    };
    for req in encodings {
        assert_eq!(
            change(rec("DeleteVpcEndpoints", req.clone(), json!(null))),
            expected,
            "{req}"
        );
    }
    let one = Change::DeleteVpcEndpoints {
        vpc_endpoint_ids: vec![VpcEndpointId::new(ids[0])],
    };
    for req in [
        json!({"DeleteVpcEndpointsRequest": {"VpcEndpointId": {"tag": 1, "content": ids[0]}}}),
        json!({"vpcEndpointId": {"item": {"content": ids[0]}}}),
        json!({"vpcEndpointId": ids[0]}),
    ] {
        assert_eq!(
            change(rec("DeleteVpcEndpoints", req.clone(), json!(null))),
            one,
            "{req}"
        );
    }
    // Empty lists: `{}` and `""` (then the required list is missing).
    for req in [json!({"vpcEndpointId": {}}), json!({"VpcEndpointId": ""})] {
        let reason = malformed(rec("DeleteVpcEndpoints", req.clone(), json!(null)));
        assert!(
            reason.contains("VpcEndpointId is missing")
                || reason.contains("vpcEndpointId is missing"),
            "{reason}"
        );
    }
    // Response-side lists: a gateway endpoint's route tables from `routeTableIdSet`.
    let c = change(rec(
        "CreateVpcEndpoint",
        json!({"CreateVpcEndpointRequest": {"VpcId": "vpc-0123456789abcdef0",
               "ServiceName": "com.amazonaws.us-east-1.s3",
               "RouteTableId": [{"tag": 1, "content": "rtb-0123456789abcdef0"}]}}),
        json!({"CreateVpcEndpointResponse": {"vpcEndpoint": {
               "vpcEndpointId": "vpce-0123456789abcdef0", "vpcEndpointType": "Gateway",
               "routeTableIdSet": {"item": "rtb-0123456789abcdef0"}, "subnetIdSet": ""}}}),
    ));
    assert_eq!(
        c,
        Change::CreateVpcEndpoint {
            vpc_id: VpcId::new("vpc-0123456789abcdef0"),
            vpc_endpoint_id: Some(VpcEndpointId::new("vpce-0123456789abcdef0")),
            endpoint_type: VpcEndpointType::Gateway,
            service_name: Some("com.amazonaws.us-east-1.s3".into()),
            route_table_ids: vec![RouteTableId::new("rtb-0123456789abcdef0")],
            subnet_ids: vec![],
        }
    );
}

#[test]
fn null_request_parameters() {
    let c = change(rec(
        "CreateInternetGateway",
        json!(null),
        json!({"internetGateway": {"internetGatewayId": "igw-0123456789abcdef0",
               "attachmentSet": {}, "tagSet": {}}}),
    ));
    assert_eq!(
        c,
        Change::CreateInternetGateway {
            internet_gateway_id: Some(InternetGatewayId::new("igw-0123456789abcdef0"))
        }
    );
    let reason = malformed(rec("DeleteRouteTable", json!(null), json!(null)));
    assert_eq!(
        reason,
        "requestParameters is null; routeTableId is required"
    );
}

#[test]
fn failed_and_dry_run_records_still_decode() {
    let mut r = rec(
        "DeleteVpc",
        json!({"vpcId": "vpc-0123456789abcdef0"}),
        json!(null),
    );
    r["errorCode"] = json!("Client.DependencyViolation");
    r["errorMessage"] =
        json!("The vpc 'vpc-0123456789abcdef0' has dependencies and cannot be deleted.");
    let res = read_bytes("failed.json", r.to_string().as_bytes());
    let rec0 = &res.records[0];
    assert_eq!(rec0.error_code.as_deref(), Some("DependencyViolation"));
    assert!(rec0.failed() && !rec0.dry_run);
    assert_eq!(
        decode(rec0),
        Decoded::Change(Change::DeleteVpc {
            vpc_id: VpcId::new("vpc-0123456789abcdef0")
        })
    );
    // A failed create has no response: created IDs are None.
    let mut r = rec(
        "CreateRouteTable",
        json!({"vpcId": "vpc-0123456789abcdef0"}),
        json!(null),
    );
    r["errorCode"] = json!("Client.InvalidVpcID.NotFound");
    assert_eq!(
        change(r),
        Change::CreateRouteTable {
            vpc_id: VpcId::new("vpc-0123456789abcdef0"),
            route_table_id: None
        }
    );
    // DryRun: the flag in the request and EC2's DryRunOperation answer.
    let mut r = create_route();
    r["requestParameters"]["dryRun"] = json!(true);
    r["errorCode"] = json!("Client.DryRunOperation");
    r["responseElements"] = json!(null);
    let res = read_bytes("dry.json", r.to_string().as_bytes());
    assert!(res.records[0].dry_run);
    assert_eq!(
        res.records[0].error_code.as_deref(),
        Some("DryRunOperation")
    );
    assert_eq!(decode(&res.records[0]), Decoded::Change(route_change()));
}

#[test]
fn route_targets_are_classified_by_prefix() {
    // §5.6: a successful CreateRoute may name a NAT gateway as gatewayId.
    let c = change(rec(
        "CreateRoute",
        json!({"routeTableId": "rtb-0123456789abcdef0", "destinationCidrBlock": "0.0.0.0/0",
               "gatewayId": "nat-0123456789abcdef0"}),
        json!({"_return": true}),
    ));
    let Change::CreateRoute { targets, .. } = c else {
        panic!()
    };
    assert_eq!(
        targets,
        vec![Target::NatGateway(NatGatewayId::new(
            "nat-0123456789abcdef0"
        ))]
    );
    // Every target parameter present is collected (EC2 would refuse two; the model decides).
    let c = change(rec(
        "ReplaceRoute",
        json!({"routeTableId": "rtb-0123456789abcdef0", "destinationIpv6CidrBlock": "2001:db8::1/56",
               "egressOnlyInternetGatewayId": "eigw-0123456789abcdef0",
               "TransitGatewayId": "tgw-0123456789abcdef0", "localTarget": "true"}),
        json!({"_return": true}),
    ));
    assert_eq!(
        c,
        Change::ReplaceRoute {
            route_table_id: RouteTableId::new("rtb-0123456789abcdef0"),
            destination: Destination::parse("2001:db8::/56").unwrap(),
            targets: vec![
                Target::EgressOnlyInternetGateway(EgressOnlyInternetGatewayId::new(
                    "eigw-0123456789abcdef0"
                )),
                Target::TransitGateway(TransitGatewayId::new("tgw-0123456789abcdef0")),
            ],
            local_target: true,
        }
    );
    // Prefix-list destinations and canonicalisation (§1.1).
    let c = change(rec(
        "DeleteRoute",
        json!({"routeTableId": "rtb-0123456789abcdef0", "destinationCidrBlock": "192.0.2.77/24"}),
        json!({"_return": true}),
    ));
    assert_eq!(
        c,
        Change::DeleteRoute {
            route_table_id: RouteTableId::new("rtb-0123456789abcdef0"),
            destination: Destination::parse("192.0.2.0/24").unwrap(),
        }
    );
}

#[test]
fn malformed_reasons_name_the_field() {
    let bad = |req: Value| malformed(rec("CreateRoute", req, json!({"_return": true})));
    assert_eq!(
        bad(
            json!({"routeTableId": "rtb-0123456789abcdef0", "destinationCidrBlock": "10.300.0.0/16",
                   "gatewayId": "igw-0123456789abcdef0"})
        ),
        r#"requestParameters.destinationCidrBlock: "10.300.0.0/16" is not a CIDR"#
    );
    assert_eq!(
        bad(json!({"destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-0123456789abcdef0"})),
        "requestParameters.routeTableId is missing"
    );
    assert!(
        bad(json!({"routeTableId": "rtb-0123456789abcdef0"}))
            .starts_with("requestParameters.destinationCidrBlock is missing")
    );
    assert_eq!(
        bad(
            json!({"routeTableId": "subnet-0123456789abcdef0", "destinationCidrBlock": "0.0.0.0/0"})
        ),
        r#"requestParameters.routeTableId: "subnet-0123456789abcdef0" is not a route table ID (expected rtb-…)"#
    );
    assert_eq!(
        malformed(rec(
            "CreateNatGateway",
            json!({"CreateNatGatewayRequest": {"AllocationId": "eipalloc-0123456789abcdef0"}}),
            json!(null)
        )),
        "requestParameters.CreateNatGatewayRequest.SubnetId is missing"
    );
}

#[test]
fn unsupported_and_ignored_calls() {
    let res = read_bytes(
        "mix.json",
        json!({"Records": [
            rec("ModifyVpcAttribute", json!({"vpcId": "vpc-0123456789abcdef0",
                "enableDnsSupport": {"value": true}}), json!({"_return": true})),
            rec("DescribeRouteTables", json!({"routeTableIdSet": {}}), json!(null)),
            {"eventSource": "apigateway.amazonaws.com", "eventName": "CreateRoute"},
        ]})
        .to_string()
        .as_bytes(),
    );
    assert_eq!((res.records.len(), res.ignored), (1, 2));
    assert!(
        matches!(decode(&res.records[0]), Decoded::Unsupported(ref s) if s.contains("ModifyVpcAttribute"))
    );
    assert!(UNSUPPORTED.iter().all(|(n, _)| !FAMILY.contains(n)));
}

#[test]
fn insight_records_are_ignored() {
    let insight = json!({"eventVersion": "1.07", "eventTime": "2023-01-06T04:40:04Z",
        "awsRegion": "us-east-1", "eventID": "insight-1", "eventType": "AwsCloudTrailInsight",
        "recipientAccountId": "123456789012", "sharedEventID": "x",
        "insightDetails": {"state": "Start", "eventSource": "ec2.amazonaws.com",
            "eventName": "CreateRoute", "insightType": "ApiCallRateInsight"},
        "eventCategory": "Insight"});
    let res = read_bytes(
        "insight.json",
        json!({"Records": [insight, create_route()]})
            .to_string()
            .as_bytes(),
    );
    assert_eq!((res.records.len(), res.ignored), (1, 1));
    assert_eq!(res.records[0].event_name, "CreateRoute");
}

#[test]
fn run_instances_takes_instances_from_the_response() {
    let c = change(rec(
        "RunInstances",
        json!({"instancesSet": {"items": [{"imageId": "ami-0123456789abcdef0", "minCount": 1, "maxCount": 1}]},
               "subnetId": "subnet-0123456789abcdef0"}),
        json!({"instancesSet": {"items": [{"instanceId": "i-0123456789abcdef0",
            "subnetId": "subnet-0123456789abcdef0", "privateIpAddress": "192.0.2.20",
            "ipAddress": "203.0.113.20",
            "networkInterfaceSet": {"items": [
                {"networkInterfaceId": "eni-0123456789abcdef1", "attachment": {"deviceIndex": 1}},
                {"networkInterfaceId": "eni-0123456789abcdef0", "attachment": {"deviceIndex": 0}}]}}]}}),
    ));
    assert_eq!(
        c,
        Change::RunInstances {
            instances: vec![LaunchedInstance {
                instance_id: InstanceId::new("i-0123456789abcdef0"),
                subnet_id: Some(SubnetId::new("subnet-0123456789abcdef0")),
                network_interface_id: Some(NetworkInterfaceId::new("eni-0123456789abcdef0")),
                private_ip: Some("192.0.2.20".parse().unwrap()),
                public_ip: Some("203.0.113.20".parse().unwrap()),
            }]
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Order.

#[test]
fn both_time_formats_sort_by_instant() {
    let at = |id: &str, t: &str| {
        let mut r = create_route();
        r["eventID"] = json!(id);
        r["eventTime"] = json!(t);
        r
    };
    let mut inner = at("b", "x");
    inner.as_object_mut().unwrap().remove("eventTime");
    let lookup = json!({"EventId": "b", "EventTime": "2022-02-08 09:23:37+11:00",
        "CloudTrailEvent": inner.to_string()});
    let text = json!({"Records": [
        at("c", "2022-02-07T22:23:38Z"),
        at("none", "yesterday"),
        at("a", "2022-02-07T22:23:36.999Z"),
    ]})
    .to_string();
    let mut res = read_bytes("records.json", text.as_bytes());
    res.read_from(Path::new("lookup.jsonl"), lookup.to_string().as_bytes());
    res.sort_by_time();
    let order: Vec<_> = res
        .records
        .iter()
        .filter_map(|r| r.event_id.as_deref())
        .collect();
    assert_eq!(order, ["a", "b", "c", "none"]);
    assert_eq!(
        res.records[1].time.unwrap().to_string(),
        "2022-02-07T22:23:37Z"
    );
}

// ---------------------------------------------------------------------------------------------
// Accounting.

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Every record read is kept or ignored, exactly once, whatever the container.
    #[test]
    fn every_record_is_counted_once(
        kinds in proptest::collection::vec(0u8..4, 0..30),
        container in 0u8..4,
    ) {
        let records: Vec<Value> = kinds
            .iter()
            .enumerate()
            .map(|(i, k)| match k {
                0 => create_route(),
                1 => irrelevant(i),
                2 => rec("DescribeVpcs", json!({}), json!(null)),
                _ => rec("ModifyVpcAttribute", json!({"vpcId": "vpc-0123456789abcdef0"}), json!(null)),
            })
            .collect();
        let text = match container {
            0 => json!({"Records": records}).to_string(),
            1 => records.iter().map(|r| r.to_string() + "\n").collect(),
            2 => serde_json::to_string_pretty(&Value::Array(records.clone())).unwrap(),
            _ => json!({"Events": records.iter().map(|r| json!({"CloudTrailEvent": r.to_string()})).collect::<Vec<_>>()}).to_string(),
        };
        let res = read_bytes("p.json", text.as_bytes());
        prop_assert!(res.errors.is_empty());
        let relevant = kinds.iter().filter(|k| **k == 0 || **k == 3).count();
        prop_assert_eq!(res.records.len(), relevant);
        prop_assert_eq!(res.records_read(), kinds.len());
        prop_assert_eq!(res.files[0].records, kinds.len());
    }
}

// A UTF-8 byte-order mark (PowerShell's redirection writes one) before a plain, not gzip'd, log
// file: read like any other (regression: the mark was only recognised inside gzip).
#[test]
fn byte_order_mark_before_a_plain_log_file_is_skipped() {
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend(
        json!({"Records": [create_route()]})
            .to_string()
            .into_bytes(),
    );
    let dir = tmp("bom");
    let path = dir.join("with-bom.json");
    write(&path, &bytes);
    let r = read_inputs(&[path]);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.records.len(), 1);
    assert_eq!(r.records[0].event_name, "CreateRoute");
    let from_memory = read_bytes("with-bom.json", &bytes);
    assert_eq!(from_memory.records.len(), 1, "{:?}", from_memory.errors);
}
