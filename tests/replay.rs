//! Replay: CloudTrail records applied in order with EC2's rules (issue #3, semantics doc §5,
//! §8 cases 4–10 and 15). Fixtures are written here, in the real record shapes, with
//! documentation IDs; the real trails are checked through `VPCSIM_REAL_DATA`.
//!
//! Index: `vpc_wizard_*` (a build from nothing, main-table binding §8 15c), `failed_*` /
//! `dry_run_*` / `divergence_*` (§2.1, §5.6), ordering and duplicates (§8 15e), `until`,
//! `strict`, the summary accounting, and the CLI's exit codes.

#[path = "support/real_data.rs"]
mod real_data;

use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Command;
use vpcsim::cloudtrail::{ReadResult, read_inputs};
use vpcsim::model::{Network, SubnetId};
use vpcsim::reach::{Engine, InternetClass};
use vpcsim::replay::{Outcome, ReplayOptions, replay};

fn record(time: &str, id: &str, name: &str, req: Value, resp: Value) -> Value {
    json!({
        "eventVersion": "1.08",
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/alice", "accountId": "123456789012", "userName": "alice"},
        "eventTime": time,
        "eventSource": "ec2.amazonaws.com",
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.7",
        "userAgent": "aws-cli/2.15.0",
        "requestParameters": req,
        "responseElements": resp,
        "eventID": id,
        "recipientAccountId": "123456789012"
    })
}

fn failed(mut r: Value, code: &str) -> Value {
    r["errorCode"] = json!(code);
    r["errorMessage"] = json!("rejected");
    r["responseElements"] = Value::Null;
    r
}

/// The VPC wizard: a public subnet with an IGW route and a private subnet on the main table
/// routed to a NAT gateway. The main table's ID first appears in the last CreateRoute.
fn wizard() -> Vec<Value> {
    vec![
        record(
            "2024-05-01T10:00:00Z",
            "e01",
            "CreateVpc",
            json!({"cidrBlock": "10.0.0.0/16"}),
            json!({"vpc": {"vpcId": "vpc-0a000001", "cidrBlock": "10.0.0.0/16", "ownerId": "123456789012"}}),
        ),
        record(
            "2024-05-01T10:00:01Z",
            "e02",
            "CreateSubnet",
            json!({"vpcId": "vpc-0a000001", "cidrBlock": "10.0.1.0/24"}),
            json!({"subnet": {"subnetId": "subnet-0a000001", "vpcId": "vpc-0a000001", "cidrBlock": "10.0.1.0/24"}}),
        ),
        record(
            "2024-05-01T10:00:01Z",
            "e03",
            "CreateSubnet",
            json!({"vpcId": "vpc-0a000001", "cidrBlock": "10.0.2.0/24"}),
            json!({"subnet": {"subnetId": "subnet-0a000002", "vpcId": "vpc-0a000001", "cidrBlock": "10.0.2.0/24"}}),
        ),
        record(
            "2024-05-01T10:00:02Z",
            "e04",
            "CreateInternetGateway",
            json!({}),
            json!({"internetGateway": {"internetGatewayId": "igw-0a000001"}}),
        ),
        record(
            "2024-05-01T10:00:03Z",
            "e05",
            "AttachInternetGateway",
            json!({"internetGatewayId": "igw-0a000001", "vpcId": "vpc-0a000001"}),
            json!({"_return": true}),
        ),
        record(
            "2024-05-01T10:00:04Z",
            "e06",
            "CreateRouteTable",
            json!({"vpcId": "vpc-0a000001"}),
            json!({"routeTable": {"routeTableId": "rtb-0a000001", "vpcId": "vpc-0a000001"}}),
        ),
        // Same second, listed before the table it needs: causal order still applies it after.
        record(
            "2024-05-01T10:00:05Z",
            "e08",
            "AssociateRouteTable",
            json!({"routeTableId": "rtb-0a000001", "subnetId": "subnet-0a000001"}),
            json!({"associationId": "rtbassoc-0a000001"}),
        ),
        record(
            "2024-05-01T10:00:05Z",
            "e07",
            "CreateRoute",
            json!({"routeTableId": "rtb-0a000001", "destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-0a000001"}),
            json!({"_return": true}),
        ),
        record(
            "2024-05-01T10:00:06Z",
            "e09",
            "CreateNatGateway",
            json!({"CreateNatGatewayRequest": {"SubnetId": "subnet-0a000001", "AllocationId": "eipalloc-0a000001"}}),
            json!({"CreateNatGatewayResponse": {"natGateway": {"natGatewayId": "nat-0a000001", "subnetId": "subnet-0a000001", "vpcId": "vpc-0a000001", "state": "pending",
                "natGatewayAddressSet": {"item": {"allocationId": "eipalloc-0a000001", "publicIp": "198.51.100.20"}}}}}),
        ),
        // The main table's real ID appears here for the first time (§8 case 15c).
        record(
            "2024-05-01T10:00:07Z",
            "e10",
            "CreateRoute",
            json!({"routeTableId": "rtb-0a0000ff", "destinationCidrBlock": "0.0.0.0/0", "natGatewayId": "nat-0a000001"}),
            json!({"_return": true}),
        ),
    ]
}

struct Trail {
    dir: PathBuf,
}

impl Trail {
    fn new(name: &str, files: &[(&str, Vec<Value>)]) -> Trail {
        let dir = std::env::temp_dir().join(format!("vpcsim-replay-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        for (file, records) in files {
            let text = json!({"Records": records}).to_string();
            std::fs::write(dir.join(file), text).expect("write trail");
        }
        Trail { dir }
    }

    fn read(&self) -> ReadResult {
        read_inputs(std::slice::from_ref(&self.dir))
    }
}

impl Drop for Trail {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn run(net: &mut Network, trail: &Trail, opts: &ReplayOptions) -> vpcsim::replay::Replay {
    let read = trail.read();
    assert!(read.errors.is_empty(), "{:?}", read.errors);
    let records = read.records.len() + read.ignored;
    let r = replay(net, read, opts);
    assert_eq!(r.summary.records, records, "every record counted once");
    assert_eq!(r.summary.total(), r.summary.records);
    r
}

#[test]
fn vpc_wizard_from_nothing_ends_in_the_state_derived_by_hand() {
    let trail = Trail::new("wizard", &[("trail.json", wizard())]);
    let mut net = Network::default();
    let r = run(&mut net, &trail, &ReplayOptions::default());
    let outcomes: Vec<(&str, Outcome)> = r
        .events
        .iter()
        .map(|e| (e.event_name.as_str(), e.outcome))
        .collect();
    assert!(
        outcomes.iter().all(|(_, o)| *o == Outcome::Applied),
        "{outcomes:?}"
    );
    // Causal order within 10:00:05: the route before the association is fine, both applied.
    assert_eq!(r.summary.applied, 10);
    // §8 15c: rtb-0a0000ff was bound to the main table CreateVpc made.
    let main = net
        .main_route_table(&"vpc-0a000001".into())
        .expect("main table");
    assert_eq!(main.as_str(), "rtb-0a0000ff");
    let e10 = r
        .events
        .iter()
        .find(|e| e.event_id.as_deref() == Some("e10"))
        .expect("e10");
    assert!(
        e10.inferred.iter().any(|i| i.contains("main route table")),
        "{e10:?}"
    );
    let engine = Engine::new(&net);
    let public = engine
        .subnet_reach(&net, &SubnetId::new("subnet-0a000001"))
        .expect("public");
    assert_eq!(public.ipv4.internet, InternetClass::Public);
    let private = engine
        .subnet_reach(&net, &SubnetId::new("subnet-0a000002"))
        .expect("private");
    assert_eq!(private.ipv4.internet, InternetClass::OutboundOnly);
    assert_eq!(private.association.map(|a| a.name()), Some("main"));
}

#[test]
fn replay_is_independent_of_file_order_and_deduplicates() {
    let all = wizard();
    let a: Vec<Value> = all.iter().step_by(2).cloned().collect();
    let mut b: Vec<Value> = all.iter().skip(1).step_by(2).cloned().collect();
    // A duplicate delivery of the same event.
    b.push(a[0].clone());
    let one = Trail::new("order1", &[("a.json", a.clone()), ("b.json", b.clone())]);
    let two = Trail::new("order2", &[("a.json", b), ("b.json", a)]);
    let mut n1 = Network::default();
    let mut n2 = Network::default();
    let r1 = run(&mut n1, &one, &ReplayOptions::default());
    let r2 = run(&mut n2, &two, &ReplayOptions::default());
    assert_eq!(r1.summary.duplicate, 1);
    assert_eq!(r1.summary, r2.summary);
    // Records of one instant keep their delivery order (file, position), so moving records
    // between files may list them differently; every record's outcome and the final state do not
    // change.
    let names = |r: &vpcsim::replay::Replay| -> Vec<(Option<String>, Outcome)> {
        let mut v: Vec<_> = r
            .events
            .iter()
            .map(|e| (e.event_id.clone(), e.outcome))
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(&r1), names(&r2));
    assert_eq!(format!("{n1:?}"), format!("{n2:?}"));
    // And the order the files are named in on the command line changes nothing at all.
    let files = |t: &Trail| vec![t.dir.join("a.json"), t.dir.join("b.json")];
    let forward = replay(
        &mut Network::default(),
        read_inputs(&files(&one)),
        &ReplayOptions::default(),
    );
    let mut reversed_paths = files(&one);
    reversed_paths.reverse();
    let backward = replay(
        &mut Network::default(),
        read_inputs(&reversed_paths),
        &ReplayOptions::default(),
    );
    let listed = |r: &vpcsim::replay::Replay| -> Vec<(Option<String>, Outcome, String)> {
        r.events
            .iter()
            .map(|e| (e.event_id.clone(), e.outcome, e.description.clone()))
            .collect()
    };
    assert_eq!(listed(&forward), listed(&backward));
}

#[test]
fn same_instant_delete_then_create_keeps_its_order_and_creates_wait_for_what_they_need() {
    // §8 case 15e: a DeleteRoute and the CreateRoute that re-creates it in the same second
    // (a Terraform replacement) must not be reordered; and a CreateRoute delivered before the
    // CreateRouteTable it needs, in the same second, is applied after it.
    let mut records = wizard();
    records.push(record(
        "2024-05-01T11:00:00Z",
        "r1",
        "DeleteRoute",
        json!({"routeTableId": "rtb-0a000001", "destinationCidrBlock": "0.0.0.0/0"}),
        json!({"_return": true}),
    ));
    records.push(record("2024-05-01T11:00:00Z", "r2", "CreateRoute", json!({"routeTableId": "rtb-0a000001", "destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-0a000001"}), json!({"_return": true})));
    records.push(record("2024-05-01T11:00:01Z", "r3", "CreateRoute", json!({"routeTableId": "rtb-0a000009", "destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-0a000001"}), json!({"_return": true})));
    records.push(record(
        "2024-05-01T11:00:01Z",
        "r4",
        "CreateRouteTable",
        json!({"vpcId": "vpc-0a000001"}),
        json!({"routeTable": {"routeTableId": "rtb-0a000009", "vpcId": "vpc-0a000001"}}),
    ));
    let trail = Trail::new("same-instant", &[("t.json", records)]);
    let mut net = Network::default();
    let r = run(&mut net, &trail, &ReplayOptions::default());
    for id in ["r1", "r2", "r3", "r4"] {
        let e = r
            .events
            .iter()
            .find(|e| e.event_id.as_deref() == Some(id))
            .expect(id);
        assert_eq!(e.outcome, Outcome::Applied, "{id}: {}", e.description);
        assert!(
            e.inferred.is_empty(),
            "{id} needed no inference: {:?}",
            e.inferred
        );
    }
    let t = net.route_tables.get(&"rtb-0a000001".into()).expect("table");
    assert!(
        t.routes
            .values()
            .any(|r| r.destination.to_string() == "0.0.0.0/0"),
        "the re-created route is there"
    );
    let pos = |id: &str| {
        r.events
            .iter()
            .position(|e| e.event_id.as_deref() == Some(id))
            .expect(id)
    };
    assert!(pos("r1") < pos("r2"));
    assert!(pos("r4") < pos("r3"));
}

#[test]
fn same_instant_dependents_keep_their_delivery_order_after_their_creator() {
    // Review finding (§8 case 15e): a CreateRoute and an AssociateRouteTable delivered before
    // the CreateRouteTable both name, in the same second, are applied after it and in their own
    // order (route, then association), not association first.
    let mut records = wizard();
    let t = "2024-05-01T11:00:00Z";
    records.push(record(t, "d1", "CreateRoute", json!({"routeTableId": "rtb-0a000009", "destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-0a000001"}), json!({"_return": true})));
    records.push(record(
        t,
        "d2",
        "AssociateRouteTable",
        json!({"routeTableId": "rtb-0a000009", "subnetId": "subnet-0a000002"}),
        json!({"associationId": "rtbassoc-0a000009"}),
    ));
    records.push(record(
        t,
        "d3",
        "CreateRouteTable",
        json!({"vpcId": "vpc-0a000001"}),
        json!({"routeTable": {"routeTableId": "rtb-0a000009", "vpcId": "vpc-0a000001"}}),
    ));
    let trail = Trail::new("same-instant-two", &[("t.json", records)]);
    let mut net = Network::default();
    let r = run(&mut net, &trail, &ReplayOptions::default());
    let order: Vec<&str> = r
        .events
        .iter()
        .filter_map(|e| e.event_id.as_deref())
        .filter(|id| id.starts_with('d'))
        .collect();
    assert_eq!(order, ["d3", "d1", "d2"]);
    assert!(r.events.iter().all(|e| e.outcome == Outcome::Applied));
}

#[test]
fn a_removal_of_something_unknown_never_binds_a_main_table() {
    // Review finding: deleting a route of a table the starting state lacks must not rename the
    // main table a CreateVpc made in the trail.
    let mut records: Vec<Value> = wizard().into_iter().take(5).collect();
    records.push(record(
        "2024-05-01T10:00:04Z",
        "x1",
        "DeleteRoute",
        json!({"routeTableId": "rtb-0old0001", "destinationCidrBlock": "0.0.0.0/0"}),
        json!({"_return": true}),
    ));
    let trail = Trail::new("no-bind", &[("t.json", records)]);
    let mut net = Network::default();
    let r = run(&mut net, &trail, &ReplayOptions::default());
    let x1 = r
        .events
        .iter()
        .find(|e| e.event_id.as_deref() == Some("x1"))
        .expect("x1");
    assert_eq!(x1.outcome, Outcome::Applied, "{}", x1.description);
    assert!(!net.route_tables.contains_key(&"rtb-0old0001".into()));
    assert!(
        net.unbound_main_route_table(&"vpc-0a000001".into())
            .is_some(),
        "the main table is still waiting for its real ID"
    );
}

#[test]
fn failed_and_dry_run_records_change_nothing() {
    let mut records = wizard();
    // AWS refused a second route for 0.0.0.0/0 (RouteAlreadyExists): the model agrees.
    records.push(failed(
        record("2024-05-01T11:00:00Z", "f1", "CreateRoute", json!({"routeTableId": "rtb-0a000001", "destinationCidrBlock": "0.0.0.0/0", "natGatewayId": "nat-0a000001"}), Value::Null),
        "Client.RouteAlreadyExists",
    ));
    // A DryRun that would have replaced the IGW route with the NAT gateway.
    let mut dry = record(
        "2024-05-01T11:00:01Z",
        "f2",
        "ReplaceRoute",
        json!({"routeTableId": "rtb-0a000001", "destinationCidrBlock": "0.0.0.0/0", "natGatewayId": "nat-0a000001", "dryRun": true}),
        Value::Null,
    );
    dry = failed(dry, "Client.DryRunOperation");
    records.push(dry);
    let trail = Trail::new("failed", &[("t.json", records)]);
    let mut net = Network::default();
    let r = run(&mut net, &trail, &ReplayOptions::default());
    let f1 = r
        .events
        .iter()
        .find(|e| e.event_id.as_deref() == Some("f1"))
        .expect("f1");
    assert_eq!(f1.outcome, Outcome::FailedInAws);
    assert_eq!(f1.error_code.as_deref(), Some("RouteAlreadyExists"));
    assert_eq!(
        f1.model_error.as_ref().map(|e| e.code),
        Some("RouteAlreadyExists")
    );
    let f2 = r
        .events
        .iter()
        .find(|e| e.event_id.as_deref() == Some("f2"))
        .expect("f2");
    assert_eq!(f2.outcome, Outcome::FailedInAws);
    // The public subnet still goes to the IGW.
    let engine = Engine::new(&net);
    let public = engine
        .subnet_reach(&net, &SubnetId::new("subnet-0a000001"))
        .expect("public");
    assert_eq!(public.ipv4.internet, InternetClass::Public);
}

#[test]
fn divergence_when_the_model_would_accept_what_aws_rejected() {
    let mut records = wizard();
    // AWS said the route does not exist, but in the model it does: the starting state differs.
    records.push(failed(
        record(
            "2024-05-01T11:00:00Z",
            "d1",
            "DeleteRoute",
            json!({"routeTableId": "rtb-0a000001", "destinationCidrBlock": "0.0.0.0/0"}),
            Value::Null,
        ),
        "Client.InvalidRoute.NotFound",
    ));
    let trail = Trail::new("diverge", &[("t.json", records)]);
    let mut net = Network::default();
    let r = run(&mut net, &trail, &ReplayOptions::default());
    let d1 = r
        .events
        .iter()
        .find(|e| e.event_id.as_deref() == Some("d1"))
        .expect("d1");
    assert_eq!(d1.outcome, Outcome::Diverged);
    assert!(
        d1.description.contains("would have accepted"),
        "{}",
        d1.description
    );
    // And nothing changed: the route is still there.
    let t = net.route_tables.get(&"rtb-0a000001".into()).expect("table");
    assert!(
        t.routes
            .values()
            .any(|r| r.destination.to_string() == "0.0.0.0/0")
    );
}

/// A dry run is a permission check: EC2 answers `DryRunOperation` when the caller is permitted
/// and `UnauthorizedOperation` when not (§2.1, §2.2 "any mutating call with DryRun"), without
/// looking at whether the call would succeed against the state. So neither answer is compared
/// with the model: a dry run of a call the model would refuse is not a divergence.
#[test]
fn dry_runs_are_permission_checks_and_not_compared_with_the_model() {
    let mut records = wizard();
    // The model has no route to 10.99.0.0/16 to replace: the call itself would fail.
    records.push(failed(
        record(
            "2024-05-01T11:00:00Z",
            "dr1",
            "ReplaceRoute",
            json!({"routeTableId": "rtb-0a000001", "destinationCidrBlock": "10.99.0.0/16", "gatewayId": "igw-0a000001", "dryRun": true}),
            Value::Null,
        ),
        "Client.DryRunOperation",
    ));
    // Refused for permissions: no comparison.
    records.push(failed(
        record(
            "2024-05-01T11:00:01Z",
            "dr2",
            "ReplaceRoute",
            json!({"routeTableId": "rtb-0a000001", "destinationCidrBlock": "10.98.0.0/16", "gatewayId": "igw-0a000001", "dryRun": true}),
            Value::Null,
        ),
        "Client.UnauthorizedOperation",
    ));
    let trail = Trail::new("dry-diverge", &[("t.json", records)]);
    let mut net = Network::default();
    let r = run(&mut net, &trail, &ReplayOptions::default());
    let find = |id: &str| {
        r.events
            .iter()
            .find(|e| e.event_id.as_deref() == Some(id))
            .expect("event")
    };
    for id in ["dr1", "dr2"] {
        let e = find(id);
        assert_eq!(e.outcome, Outcome::FailedInAws, "{id}: {}", e.description);
        assert!(e.model_error.is_none(), "{id}: not compared");
    }
    assert_eq!(find("dr1").error_code.as_deref(), Some("DryRunOperation"));
    assert_eq!(
        find("dr2").error_code.as_deref(),
        Some("UnauthorizedOperation")
    );
    assert_eq!(r.summary.diverged, 0);
    // Nothing changed either way.
    let t = net.route_tables.get(&"rtb-0a000001".into()).expect("table");
    assert!(
        !t.routes
            .values()
            .any(|r| r.destination.to_string().starts_with("10.9"))
    );
    assert_eq!(r.summary.total(), r.summary.records);
}

/// `replay_with_progress` reports how far it has got, ending at every record kept, and
/// replays exactly as `replay` does.
#[test]
fn replay_reports_progress_up_to_every_record() {
    let trail = Trail::new("progress", &[("t.json", wizard())]);
    let mut reports: Vec<(usize, usize)> = Vec::new();
    let mut net = Network::default();
    let r = vpcsim::replay::replay_with_progress(
        &mut net,
        trail.read(),
        &ReplayOptions::default(),
        &mut |done, total| reports.push((done, total)),
    );
    let kept = trail.read().records.len();
    assert!(kept > 5, "the wizard trail has records to replay");
    assert_eq!(reports.last(), Some(&(kept, kept)));
    assert!(
        reports
            .windows(2)
            .all(|w| w[0].0 <= w[1].0 && w[0].1 == w[1].1)
    );
    let mut plain = Network::default();
    let p = run(&mut plain, &trail, &ReplayOptions::default());
    assert_eq!(format!("{:?}", r.summary), format!("{:?}", p.summary));
    assert_eq!(format!("{net:?}"), format!("{plain:?}"));
}

/// §8 case 15c with a peering target: a CreateRoute to a peering connection is the first record
/// naming a VPC's main table. The connection joins two VPCs; the wizard's VPC has its main
/// table's ID already, the other one still waits for it, so the table is that one's main.
#[test]
fn a_peering_route_binds_the_main_table_of_the_vpc_still_waiting_for_it() {
    let mut records = wizard();
    let pcx = json!({"vpcPeeringConnectionId": "pcx-0c000001",
        "requesterVpcInfo": {"vpcId": "vpc-0a000001", "ownerId": "123456789012", "cidrBlock": "10.0.0.0/16", "region": "us-east-1"},
        "accepterVpcInfo": {"vpcId": "vpc-0b000001", "ownerId": "123456789012", "cidrBlock": "10.1.0.0/16", "region": "us-east-1"},
        "status": {"code": "provisioning", "message": "Provisioning"}});
    records.extend([
        record(
            "2024-05-01T11:00:00Z",
            "p1",
            "CreateVpc",
            json!({"cidrBlock": "10.1.0.0/16"}),
            json!({"vpc": {"vpcId": "vpc-0b000001", "cidrBlock": "10.1.0.0/16", "ownerId": "123456789012"}}),
        ),
        record(
            "2024-05-01T11:00:01Z",
            "p2",
            "CreateVpcPeeringConnection",
            json!({"vpcId": "vpc-0a000001", "peerVpcId": "vpc-0b000001"}),
            json!({ "vpcPeeringConnection": pcx }),
        ),
        record(
            "2024-05-01T11:00:02Z",
            "p3",
            "AcceptVpcPeeringConnection",
            json!({"vpcPeeringConnectionId": "pcx-0c000001"}),
            json!({ "vpcPeeringConnection": pcx }),
        ),
        record(
            "2024-05-01T11:00:03Z",
            "p4",
            "CreateRoute",
            json!({"routeTableId": "rtb-0b0000ff", "destinationCidrBlock": "10.0.0.0/16", "vpcPeeringConnectionId": "pcx-0c000001"}),
            json!({"_return": true}),
        ),
    ]);
    let trail = Trail::new("peering-main", &[("t.json", records)]);
    let mut net = Network::default();
    let r = run(&mut net, &trail, &ReplayOptions::default());
    let p4 = r
        .events
        .iter()
        .find(|e| e.event_id.as_deref() == Some("p4"))
        .expect("p4");
    assert_eq!(p4.outcome, Outcome::Applied, "{}", p4.description);
    assert!(
        p4.inferred
            .iter()
            .any(|i| i.contains("rtb-0b0000ff is the main route table created with its VPC")),
        "{:?}",
        p4.inferred
    );
    assert_eq!(
        net.main_route_table(&"vpc-0b000001".into())
            .map(|t| t.to_string()),
        Some("rtb-0b0000ff".to_string())
    );
    assert_eq!(r.summary.diverged, 0);
}

/// §2.2: AWS refuses malformed parameters (`InvalidRouteTableId.Malformed`,
/// `NatGatewayMalformed`, an IPv6 CIDR as `destinationCidrBlock`: `InvalidParameterValue`)
/// before looking at the state; vpcsim's decoder refuses the same parameters, and says that it
/// agrees.
#[test]
fn malformed_parameters_refused_by_aws_are_refused_by_vpcsim_too() {
    let mut records = wizard();
    records.extend([
        failed(
            record(
                "2024-05-01T11:00:00Z",
                "m1",
                "CreateRoute",
                json!({"routeTableId": "bogus-1", "destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-0a000001"}),
                Value::Null,
            ),
            "Client.InvalidRouteTableId.Malformed",
        ),
        failed(
            record(
                "2024-05-01T11:00:01Z",
                "m2",
                "CreateRoute",
                json!({"routeTableId": "rtb-0a000001", "destinationCidrBlock": "::/0", "gatewayId": "igw-0a000001"}),
                Value::Null,
            ),
            "Client.InvalidParameterValue",
        ),
        failed(
            record(
                "2024-05-01T11:00:02Z",
                "m3",
                "DeleteNatGateway",
                json!({"DeleteNatGatewayRequest": {"NatGatewayId": "gw-123"}}),
                Value::Null,
            ),
            "Client.NatGatewayMalformed",
        ),
    ]);
    let trail = Trail::new("malformed-params", &[("t.json", records)]);
    let mut net = Network::default();
    let r = run(&mut net, &trail, &ReplayOptions::default());
    for (id, code, field) in [
        ("m1", "InvalidRouteTableId.Malformed", "routeTableId"),
        ("m2", "InvalidParameterValue", "destinationCidrBlock"),
        ("m3", "NatGatewayMalformed", "NatGatewayId"),
    ] {
        let e = r
            .events
            .iter()
            .find(|e| e.event_id.as_deref() == Some(id))
            .expect("event");
        assert_eq!(e.outcome, Outcome::FailedInAws, "{id}: {}", e.description);
        assert_eq!(e.error_code.as_deref(), Some(code));
        assert!(
            e.description.contains("vpcsim refuses its parameters too")
                && e.description.contains(field),
            "{id}: {}",
            e.description
        );
    }
    assert_eq!(r.summary.malformed, 0);
}

#[test]
fn strict_mode_rejects_what_lenient_mode_infers() {
    let trail = Trail::new("strict", &[("t.json", wizard())]);
    let mut net = Network::default();
    let opts = ReplayOptions {
        strict: true,
        ..Default::default()
    };
    let r = run(&mut net, &trail, &opts);
    let e10 = r
        .events
        .iter()
        .find(|e| e.event_id.as_deref() == Some("e10"))
        .expect("e10");
    assert_eq!(e10.outcome, Outcome::Diverged);
    assert_eq!(
        e10.model_error.as_ref().map(|e| e.code),
        Some("InvalidRouteTableID.NotFound")
    );
}

#[test]
fn until_stops_applying_but_counts() {
    let trail = Trail::new("until", &[("t.json", wizard())]);
    let mut net = Network::default();
    let opts = ReplayOptions {
        until: vpcsim::cloudtrail::UtcTime::parse("2024-05-01T10:00:04Z"),
        ..Default::default()
    };
    let r = run(&mut net, &trail, &opts);
    assert_eq!(r.summary.applied, 6);
    assert_eq!(r.summary.after_until, 4);
    assert!(net.nat_gateways.is_empty());
}

#[test]
fn cli_replay_reports_every_record_and_exit_2_on_broken_files() {
    let trail = Trail::new("cli", &[("t.json", wizard())]);
    std::fs::write(
        trail.dir.join("broken.json.gz"),
        b"\x1f\x8b\x08\x00not really gzip",
    )
    .expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .args(["replay", "--format", "json"])
        .arg(&trail.dir)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let v: Value =
        serde_json::from_slice(&out.stdout).expect("JSON on stdout even with a broken file");
    assert_eq!(v["schema"], "vpcsim/replay/v1");
    assert_eq!(v["summary"]["applied"], 10);
    assert_eq!(v["summary"]["file_errors"], 1);
    assert!(
        v["file_errors"][0]["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("broken.json.gz"))
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unreadable"), "{stderr}");
    std::fs::remove_file(trail.dir.join("broken.json.gz")).expect("remove");
    let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .arg("replay")
        .arg(&trail.dir)
        .output()
        .expect("runs");
    // The wizard makes a subnet public: new exposure, exit 1 (README "Exit codes").
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("summary: 10 records: 10 applied"), "{text}");
    assert!(
        text.contains("by arn:aws:iam::123456789012:user/alice from 198.51.100.7"),
        "{text}"
    );
    assert!(text.contains("INTERNET_EXPOSED [high]"), "{text}");
    assert!(text.contains("net change from start to end:\n"), "{text}");
}

/// `--min-severity` is the CI gate's threshold: the wizard's public subnet (high, no hosts) trips
/// `high` but not `critical`; lower grades are counted but not listed.
#[test]
fn cli_min_severity_filters_and_gates() {
    let trail = Trail::new("gate", &[("t.json", wizard())]);
    let run = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
            .arg("replay")
            .args(extra)
            .arg(&trail.dir)
            .output()
            .expect("runs");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, text) = run(&["--min-severity", "high"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("INTERNET_EXPOSED [high]"), "{text}");
    assert!(
        !text.contains("[medium]"),
        "medium changes are not listed: {text}"
    );
    let (code, text) = run(&["--min-severity", "critical"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(!text.contains("INTERNET_EXPOSED"), "{text}");
    assert!(
        !text.contains("revert:"),
        "no revert without a listed change: {text}"
    );
    assert!(
        text.contains("0 new exposure at or above critical"),
        "{text}"
    );
    assert!(
        text.contains("net change from start to end: none at or above critical"),
        "{text}"
    );
    let (code, json) = run(&["--min-severity", "critical", "--format", "json"]);
    assert_eq!(code, Some(0));
    let v: Value = serde_json::from_str(&json).expect("JSON");
    let e = &v["summary"]["exposure"];
    assert_eq!(e["min_severity"], "critical");
    assert_eq!(e["new_exposure"], 0);
    assert_eq!(e["listed"], 0);
    assert!(
        e["by_severity"]["high"].as_u64().is_some_and(|n| n >= 1),
        "{e}"
    );
    assert_eq!(v["net_exposure"].as_array().map(Vec::len), Some(0));
    let (code, json) = run(&["--format", "json"]);
    assert_eq!(code, Some(1));
    let v: Value = serde_json::from_str(&json).expect("JSON");
    assert!(
        v["summary"]["exposure"]["new_exposure"]
            .as_u64()
            .is_some_and(|n| n >= 1)
    );
    let net = v["net_exposure"].as_array().expect("net_exposure");
    assert!(
        net.iter().any(|c| c["kind"] == "INTERNET_EXPOSED"),
        "the trail's net effect is a public subnet: {net:?}"
    );
    // --no-exposure computes nothing, so it cannot gate.
    let (code, _) = run(&["--no-exposure"]);
    assert_eq!(code, Some(0));
    // An unknown grade is a usage error.
    let (code, _) = run(&["--min-severity", "severe"]);
    assert_eq!(code, Some(2));
}

#[test]
fn real_trails_are_all_accounted_for() {
    let Some(root) = real_data::real_data() else {
        return;
    };
    let dir = root.join("cloudtrail");
    let mut sources: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("cloudtrail dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    sources.sort();
    let read = read_inputs(&sources);
    let total = read.records.len() + read.ignored;
    let mut net = Network::default();
    let r = replay(&mut net, read, &ReplayOptions::default());
    assert_eq!(r.summary.records, total);
    assert_eq!(r.summary.total(), total);
    // Only the two streamalert fixtures with "..." placeholder IDs are malformed.
    let malformed: Vec<&str> = r
        .events
        .iter()
        .filter(|e| e.outcome == Outcome::Malformed)
        .map(|e| e.location.as_str())
        .collect();
    assert_eq!(malformed.len(), 2, "{malformed:?}");
    assert!(
        malformed.iter().all(|l| l.contains("streamalert")),
        "{malformed:?}"
    );
    // The real failed DeleteVpc (DependencyViolation) changed nothing.
    let dv = r
        .events
        .iter()
        .find(|e| {
            e.event_name == "DeleteVpc" && e.error_code.as_deref() == Some("DependencyViolation")
        })
        .expect("the failed DeleteVpc");
    assert_eq!(dv.outcome, Outcome::FailedInAws);
    // Replaying again gives the same answers (deterministic).
    let read = read_inputs(&sources);
    let mut net2 = Network::default();
    let r2 = replay(&mut net2, read, &ReplayOptions::default());
    assert_eq!(r.summary, r2.summary);
    assert_eq!(format!("{net:?}"), format!("{net2:?}"));
}

#[test]
fn cli_state_writes_describe_files_that_read_back_to_the_same_reach() {
    let trail = Trail::new("state", &[("t.json", wizard())]);
    let out_dir = std::env::temp_dir().join(format!("vpcsim-state-out-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out_dir);
    let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .args(["state", "--out"])
        .arg(&out_dir)
        .arg(&trail.dir)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(listed.lines().count() >= 3, "{listed}");
    // The exported state is the replayed state: same reach.
    let mut replayed = Network::default();
    run(&mut replayed, &trail, &ReplayOptions::default());
    let loaded = vpcsim::snapshot::load(&out_dir).expect("exported state imports");
    let a = Engine::new(&replayed).reach_all(&replayed);
    let b = Engine::new(&loaded.network).reach_all(&loaded.network);
    assert_eq!(a, b);
    // A second export into a non-empty directory is refused, not mixed in.
    let again = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .args(["state", "--out"])
        .arg(&out_dir)
        .arg(&trail.dir)
        .output()
        .expect("runs");
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("not an empty directory"));
    // And --at gives an earlier state: before the NAT gateway existed.
    let early = out_dir.with_extension("early");
    let _ = std::fs::remove_dir_all(&early);
    let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .args(["state", "--at", "2024-05-01T10:00:04Z", "--out"])
        .arg(&early)
        .arg(&trail.dir)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let loaded = vpcsim::snapshot::load(&early).expect("early state imports");
    assert!(loaded.network.nat_gateways.is_empty());
    assert_eq!(loaded.network.route_tables.len(), 2);
    let _ = std::fs::remove_dir_all(&out_dir);
    let _ = std::fs::remove_dir_all(&early);
}

#[test]
fn replay_reports_what_each_record_exposed() {
    // Issue #4 groundwork: with exposure on, the record that routes the main table to the NAT
    // gateway gives the private subnet internet egress, and nothing else changes for it.
    let trail = Trail::new("exposure", &[("t.json", wizard())]);
    let mut net = Network::default();
    let opts = ReplayOptions {
        exposure: true,
        ..Default::default()
    };
    let r = run(&mut net, &trail, &opts);
    let e10 = r
        .events
        .iter()
        .find(|e| e.event_id.as_deref() == Some("e10"))
        .expect("e10");
    let gained: Vec<_> = e10
        .exposure
        .iter()
        .filter(|c| c.subnet_id.as_str() == "subnet-0a000002")
        .collect();
    assert_eq!(gained.len(), 1, "{:?}", e10.exposure);
    assert_eq!(
        gained[0].kind,
        vpcsim::exposure::ChangeKind::InternetEgressGained
    );
    // The IGW route on the public table exposed the public subnet.
    let e07 = r
        .events
        .iter()
        .find(|e| e.event_id.as_deref() == Some("e07"))
        .expect("e07");
    assert!(
        e07.exposure
            .iter()
            .any(|c| c.kind == vpcsim::exposure::ChangeKind::InternetExposed
                && c.subnet_id.as_str() == "subnet-0a000001"),
        "{:?}",
        e07.exposure
    );
    // And says how to undo it.
    let undo = e07.remediation.as_ref().expect("a revert command");
    assert_eq!(
        undo.cli,
        "aws ec2 delete-route --route-table-id rtb-0a000001 --destination-cidr-block 0.0.0.0/0"
    );
    // Without the option, no exposure is computed.
    let mut plain = Network::default();
    let r = run(&mut plain, &trail, &ReplayOptions::default());
    assert!(r.events.iter().all(|e| e.exposure.is_empty()));
}

/// product.md's denial-of-service pattern: one principal floods a route table with CreateRoute
/// until it is full (§3.7 RouteLimitExceeded). The replay reports a burst (high: some writes
/// were refused for quota), the table nearing its quota, and the refusals, all attributed.
#[test]
fn a_route_flood_by_one_principal_is_a_burst_that_fills_the_table() {
    let mut records = wizard();
    for i in 0..60u32 {
        let mut r = record(
            &format!("2024-05-01T10:01:{:02}Z", i),
            &format!("flood-{i:02}"),
            "CreateRoute",
            json!({"routeTableId": "rtb-0a000001", "destinationCidrBlock": format!("192.0.2.{i}/32"), "gatewayId": "igw-0a000001"}),
            json!({"_return": true}),
        );
        r["userIdentity"]["arn"] = json!("arn:aws:iam::123456789012:user/mallory");
        r["sourceIPAddress"] = json!("203.0.113.66");
        records.push(r);
    }
    let trail = Trail::new("flood", &[("t.json", records)]);
    let mut net = Network::default();
    let r = run(&mut net, &trail, &ReplayOptions::default());
    let refused = r
        .events
        .iter()
        .filter(|e| {
            e.model_error
                .as_ref()
                .is_some_and(|m| m.code == "RouteLimitExceeded")
        })
        .count();
    assert!(refused > 0 && refused < 60, "{refused}");
    let kinds: Vec<&str> = r.findings.iter().map(|f| f.kind.name()).collect();
    assert_eq!(
        kinds,
        [
            "ROUTE_WRITE_BURST",
            "ROUTE_QUOTA_NEAR",
            "ROUTE_QUOTA_REACHED"
        ]
    );
    let burst = &r.findings[0];
    assert_eq!(
        burst.principal.as_deref(),
        Some("arn:aws:iam::123456789012:user/mallory")
    );
    assert_eq!(
        burst.records, 60,
        "alice's ten wizard records are not mallory's"
    );
    assert_eq!(burst.source_ips, ["203.0.113.66"]);
    // The rest of the records' attribution (issue #4: findings carry the same as changes).
    assert_eq!(burst.user_agents, ["aws-cli/2.15.0"]);
    assert_eq!(burst.regions, ["us-east-1"]);
    assert_eq!(burst.accounts, ["123456789012"]);
    assert_eq!(burst.severity, vpcsim::exposure::Severity::High);
    assert_eq!(burst.first_time.as_deref(), Some("2024-05-01T10:01:00Z"));
    assert_eq!(burst.last_time.as_deref(), Some("2024-05-01T10:01:59Z"));
    let near = &r.findings[1];
    assert_eq!(
        near.route_table_id.as_ref().map(|t| t.as_str()),
        Some("rtb-0a000001")
    );
    assert_eq!(near.family, Some(vpcsim::addr::Family::Ipv4));
    let full = &r.findings[2];
    assert_eq!(full.records, refused);
    assert_eq!(
        full.route_table_id.as_ref().map(|t| t.as_str()),
        Some("rtb-0a000001")
    );

    // The same writes spread over an hour are no burst (and a larger limit, no quota finding).
    let mut slow = wizard();
    for i in 0..60u32 {
        slow.push(record(
            &format!("2024-05-01T11:{:02}:00Z", i),
            &format!("slow-{i:02}"),
            "CreateRoute",
            json!({"routeTableId": "rtb-0a000001", "destinationCidrBlock": format!("192.0.2.{i}/32"), "gatewayId": "igw-0a000001"}),
            json!({"_return": true}),
        ));
    }
    let trail = Trail::new("trickle", &[("t.json", slow)]);
    let mut net = Network::default();
    let mut opts = ReplayOptions::default();
    opts.apply.route_limit = 500;
    let r = run(&mut net, &trail, &opts);
    assert!(r.findings.is_empty(), "{:?}", r.findings);
}

/// The burst threshold is configurable, and findings gate the exit code like exposure does.
#[test]
fn cli_findings_are_listed_and_gate() {
    let mut records = wizard();
    for i in 0..5u32 {
        records.push(record(
            &format!("2024-05-01T10:02:0{i}Z"),
            &format!("b{i}"),
            "CreateRoute",
            json!({"routeTableId": "rtb-0a000001", "destinationCidrBlock": format!("198.51.100.{i}/32"), "gatewayId": "igw-0a000001"}),
            json!({"_return": true}),
        ));
    }
    let trail = Trail::new("cli-findings", &[("t.json", records)]);
    let run = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
            .arg("replay")
            .args(extra)
            .arg(&trail.dir)
            .output()
            .expect("runs");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (_, text) = run(&[]);
    assert!(text.contains("findings: none at or above info"), "{text}");
    // Alice's 15 writes within 10 minutes: a burst with a 5-write, 10-minute threshold.
    let (code, text) = run(&[
        "--burst-writes",
        "5",
        "--burst-window",
        "600",
        "--min-severity",
        "critical",
    ]);
    assert_eq!(
        code,
        Some(0),
        "medium findings do not trip a critical gate: {text}"
    );
    let (code, text) = run(&[
        "--burst-writes",
        "5",
        "--burst-window",
        "600",
        "--min-severity",
        "medium",
        "--no-exposure",
        "--format",
        "json",
    ]);
    // Without exposure, only the finding can make it exit 1.
    assert_eq!(code, Some(1), "{text}");
    let v: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(v["summary"]["exposure"]["new_exposure"], 0);
    assert_eq!(v["findings"][0]["kind"], "ROUTE_WRITE_BURST");
    assert_eq!(v["findings"][0]["records"], 15);
    assert_eq!(
        v["findings"][0]["principal"],
        "arn:aws:iam::123456789012:user/alice"
    );
    assert_eq!(v["summary"]["exposure"]["findings"], 1);
    // Findings are SARIF results and JSON Lines records too.
    let (code, sarif) = run(&[
        "--burst-writes",
        "5",
        "--burst-window",
        "600",
        "--no-exposure",
        "--format",
        "sarif",
    ]);
    assert_eq!(code, Some(1));
    let v: Value = serde_json::from_str(&sarif).expect("SARIF");
    assert_eq!(v["runs"][0]["results"][0]["ruleId"], "ROUTE_WRITE_BURST");
    assert_eq!(v["runs"][0]["results"][0]["level"], "warning");
    let (_, jsonl) = run(&[
        "--burst-writes",
        "5",
        "--burst-window",
        "600",
        "--no-exposure",
        "--format",
        "jsonl",
    ]);
    let line: Value = serde_json::from_str(jsonl.lines().next().expect("a line")).expect("JSON");
    assert_eq!(line["record"], "finding");
    assert_eq!(line["records"], 15);
}

#[test]
fn a_nat_gateway_in_an_unknown_subnet_stays_diverged() {
    // Review finding: inferring the subnet of a NAT gateway would put it on the VPC's main
    // table, whose routes may lead back to the NAT gateway (a loop that does not exist in AWS).
    // The record says the starting state is incomplete; it stays diverged, naming the subnet.
    let mut records = wizard();
    records.push(record(
        "2024-05-01T12:00:00Z",
        "n1",
        "CreateNatGateway",
        json!({"subnetId": "subnet-0a0000aa", "connectivityType": "private"}),
        json!({"natGateway": {"natGatewayId": "nat-0a0000aa", "subnetId": "subnet-0a0000aa",
               "vpcId": "vpc-0a000001", "connectivityType": "private", "state": "pending"}}),
    ));
    let trail = Trail::new("nat-unknown-subnet", &[("t.json", records)]);
    let mut net = Network::default();
    let r = run(&mut net, &trail, &ReplayOptions::default());
    let e = r
        .events
        .iter()
        .find(|e| e.event_id.as_deref() == Some("n1"))
        .expect("n1");
    assert_eq!(e.outcome, Outcome::Diverged, "{}", e.description);
    assert!(
        e.description.contains("subnet-0a0000aa"),
        "{}",
        e.description
    );
    // The VPC its response names is read all the same.
    assert!(matches!(
        &e.change,
        Some(vpcsim::model::Change::CreateNatGateway { vpc_id: Some(v), .. }) if v.as_str() == "vpc-0a000001"
    ));
}

#[test]
fn a_route_aws_accepted_over_a_stale_route_is_resynced() {
    // Review finding: AWS accepted CreateRoute 0.0.0.0/0 -> igw while the starting state still
    // has 0.0.0.0/0 -> nat (an unseen DeleteRoute). Lenient: the new route replaces the old one,
    // the exposure is reported, and the revert goes back to the old target. Strict: diverged.
    let mut records = wizard();
    let route = |time: &str, id: &str, name: &str, dest: &str, key: &str, target: &str| {
        record(
            time,
            id,
            name,
            json!({"routeTableId": "rtb-0a000001", "destinationCidrBlock": dest, key: target}),
            json!({"_return": true}),
        )
    };
    let igw = ("gatewayId", "igw-0a000001");
    records.extend([
        route(
            "2024-05-01T12:00:00Z",
            "s1",
            "CreateRoute",
            "10.99.0.0/16",
            igw.0,
            igw.1,
        ),
        route(
            "2024-05-01T12:01:00Z",
            "s2",
            "CreateRoute",
            "10.99.0.0/16",
            "natGatewayId",
            "nat-0a000001",
        ),
        route(
            "2024-05-01T12:02:00Z",
            "s3",
            "ReplaceRoute",
            "10.98.0.0/16",
            igw.0,
            igw.1,
        ),
        // Not resynced: a route to the VPC's own CIDR (EC2 always refuses it: its local route)
        // and the same route created again (a retry), which stay diverged.
        route(
            "2024-05-01T12:03:00Z",
            "s4",
            "CreateRoute",
            "10.0.0.0/16",
            igw.0,
            igw.1,
        ),
        route(
            "2024-05-01T12:04:00Z",
            "s5",
            "CreateRoute",
            "10.98.0.0/16",
            igw.0,
            igw.1,
        ),
    ]);
    let trail = Trail::new("resync", &[("t.json", records)]);
    let find = |r: &vpcsim::replay::Replay, id: &str| {
        r.events
            .iter()
            .find(|e| e.event_id.as_deref() == Some(id))
            .cloned()
            .expect(id)
    };
    let mut net = Network::default();
    let r = run(
        &mut net,
        &trail,
        &ReplayOptions {
            exposure: true,
            ..Default::default()
        },
    );
    let s2 = find(&r, "s2");
    assert_eq!(s2.outcome, Outcome::Applied, "{}", s2.description);
    assert!(
        s2.inferred[0].contains("AWS had no route for 10.99.0.0/16"),
        "{:?}",
        s2.inferred
    );
    assert!(s2.description.contains("replaced"), "{}", s2.description);
    // The revert undoes what the model applied (the replacement), from the state before it.
    assert_eq!(
        s2.remediation.as_ref().map(|r| r.cli.as_str()),
        Some(
            "aws ec2 replace-route --route-table-id rtb-0a000001 --destination-cidr-block 10.99.0.0/16 --gateway-id igw-0a000001"
        )
    );
    let s3 = find(&r, "s3");
    assert_eq!(s3.outcome, Outcome::Applied, "{}", s3.description);
    assert!(
        s3.inferred[0].contains("AWS had a route for 10.98.0.0/16"),
        "{:?}",
        s3.inferred
    );
    assert_eq!(
        s3.remediation.as_ref().map(|r| r.cli.as_str()),
        Some(
            "aws ec2 delete-route --route-table-id rtb-0a000001 --destination-cidr-block 10.98.0.0/16"
        )
    );
    let t = net.route_tables.get(&"rtb-0a000001".into()).expect("table");
    let to = |d: &str| {
        t.routes
            .values()
            .find(|r| r.destination.to_string() == d)
            .map(|r| r.target.id().to_string())
    };
    assert_eq!(to("10.99.0.0/16").as_deref(), Some("nat-0a000001"));
    assert_eq!(to("10.98.0.0/16").as_deref(), Some("igw-0a000001"));
    assert_eq!(to("10.0.0.0/16").as_deref(), Some("local"));
    assert_eq!(find(&r, "s4").outcome, Outcome::Diverged);
    assert_eq!(find(&r, "s5").outcome, Outcome::Diverged);
    let mut net = Network::default();
    let r = run(
        &mut net,
        &trail,
        &ReplayOptions {
            strict: true,
            ..Default::default()
        },
    );
    assert_eq!(find(&r, "s2").outcome, Outcome::Diverged);
    assert_eq!(find(&r, "s3").outcome, Outcome::Diverged);
}

/// A stale route resynchronised over a route whose target vpcsim cannot name in a command (an
/// unknown kind of target): no single command restores it, so the record offers no revert,
/// with exposure on or off, rather than the `delete-route` that would undo the call as the
/// record states it (and delete the route).
#[test]
fn a_resynced_route_over_an_unnameable_target_has_no_revert() {
    use vpcsim::model::{Destination, Route, RouteOrigin, RouteTableId, Target};
    let topology = r#"
account = "123456789012"
region = "us-east-1"

[[vpc]]
id = "vpc-0e00000a"
cidrs = ["10.1.0.0/16"]

[[subnet]]
id = "subnet-0e00000a"
vpc = "vpc-0e00000a"
cidr = "10.1.1.0/24"

[[internet_gateway]]
id = "igw-0e00000a"
vpc = "vpc-0e00000a"

[[route_table]]
id = "rtb-0e00000a"
vpc = "vpc-0e00000a"
main = true
routes = []
"#;
    let mut loaded =
        vpcsim::snapshot::topology::load_str(topology, "stale.toml").expect("it loads");
    vpcsim::snapshot::finish(&mut loaded);
    let mut start = loaded.network;
    start
        .route_tables
        .get_mut(&RouteTableId::new("rtb-0e00000a"))
        .expect("the table")
        .put_route(Route::new(
            Destination::parse("10.99.0.0/16").expect("a CIDR"),
            Target::from_id("foo-0001"),
            RouteOrigin::CreateRoute,
        ));
    let words: Vec<String> = "aws ec2 create-route --route-table-id rtb-0e00000a --destination-cidr-block 10.99.0.0/16 --gateway-id igw-0e00000a"
        .split_whitespace()
        .map(String::from)
        .collect();
    let (steps, errors) = vpcsim::whatif::steps_from_commands(&[("t".to_string(), words)], 1);
    assert!(errors.is_empty(), "{errors:?}");
    for exposure in [true, false] {
        let mut net = start.clone();
        let r = replay(
            &mut net,
            ReadResult {
                records: vec![steps[0].record.clone()],
                ..Default::default()
            },
            &ReplayOptions {
                exposure,
                ..Default::default()
            },
        );
        let ev = &r.events[0];
        assert_eq!(ev.outcome, Outcome::Applied, "{}", ev.description);
        assert!(
            ev.inferred[0].contains("AWS had no route for 10.99.0.0/16"),
            "{:?}",
            ev.inferred
        );
        assert_eq!(
            ev.change.as_ref().map(|c| c.event_name()),
            Some("ReplaceRoute")
        );
        assert!(
            ev.remediation.is_none(),
            "exposure {exposure}: {:?}",
            ev.remediation.as_ref().map(|r| &r.cli)
        );
    }
}
