//! The scoped exposure of structural records (`replay::structural_subnets`, written by an
//! independent review in session 12): records that change a VPC's structure, on a network
//! where other VPCs reach it through peering, NAT64 through a NAT gateway, an appliance in a
//! third VPC, a peering connection to a VPC not in the snapshot (which a CreateVpc then makes),
//! and IPv6 blocks. Each record's exposure must equal a full comparison (`diff_networks`).
//! Also a VPC a lenient replay infers on the far side of a peering connection.

use vpcsim::model::Network;
use vpcsim::replay::{Outcome, ReplayOptions};

const TOPOLOGY: &str = r#"
account = "123456789012"
region = "us-east-1"

[[vpc]]
id = "vpc-0a000001"
cidrs = ["10.1.0.0/16"]

[[vpc]]
id = "vpc-0b000001"
cidrs = ["10.2.0.0/16", "2001:db8:b::/56"]

[[vpc]]
id = "vpc-0c000001"
cidrs = ["10.3.0.0/16"]

[[subnet]]
id = "subnet-0a000001"
vpc = "vpc-0a000001"
cidr = "10.1.1.0/24"

[[subnet]]
id = "subnet-0b000001"
vpc = "vpc-0b000001"
cidr = "10.2.1.0/24"
ipv6_cidrs = ["2001:db8:b:1::/64"]

[[subnet]]
id = "subnet-0b000002"
vpc = "vpc-0b000001"
cidr = "10.2.2.0/24"

[[subnet]]
id = "subnet-0c000001"
vpc = "vpc-0c000001"
cidr = "10.3.1.0/24"

[[subnet]]
id = "subnet-0c000002"
vpc = "vpc-0c000001"
cidr = "10.3.2.0/24"

[[nat_gateway]]
id = "nat-0b000001"
subnet = "subnet-0b000002"
connectivity = "private"
private_ip = "10.2.2.10"

[[network_interface]]
id = "eni-0c000001"
subnet = "subnet-0c000001"
private_ips = ["10.3.1.10"]
source_dest_check = false

[[vpc_peering_connection]]
id = "pcx-0a00000b"
requester = "vpc-0a000001"
accepter = "vpc-0b000001"
status = "active"

[[vpc_peering_connection]]
id = "pcx-0a00000c"
requester = "vpc-0a000001"
accepter = "vpc-0c000001"
status = "active"

[[vpc_peering_connection]]
id = "pcx-0a0000ff"
requester = "vpc-0a000001"
accepter = "vpc-0a0000ff"
accepter_cidrs = ["172.20.0.0/16"]
accepter_account = "210987654321"
status = "active"

[[transit_gateway_attachment]]
id = "tgw-attach-0b000001"
transit_gateway = "tgw-0e000001"
vpc = "vpc-0b000001"
subnets = ["subnet-0b000001"]
state = "available"

[[route_table]]
id = "rtb-0a000001"
vpc = "vpc-0a000001"
main = true
routes = ["10.2.0.0/16 -> pcx-0a00000b", "10.3.0.0/16 -> pcx-0a00000c", "172.20.0.0/16 -> pcx-0a0000ff"]

[[route_table]]
id = "rtb-0b000001"
vpc = "vpc-0b000001"
subnets = ["subnet-0b000001"]
routes = ["10.1.0.0/16 -> pcx-0a00000b", "2001:db8:a::/56 -> pcx-0a00000b", "64:ff9b::/96 -> nat-0b000001", "0.0.0.0/0 -> tgw-0e000001"]

[[route_table]]
id = "rtb-0b000002"
vpc = "vpc-0b000001"
main = true
routes = ["10.1.0.0/16 -> pcx-0a00000b", "100.64.0.0/16 -> pcx-0a00000b"]

[[route_table]]
id = "rtb-0c000001"
vpc = "vpc-0c000001"
subnets = ["subnet-0c000001"]
routes = ["10.1.0.0/16 -> pcx-0a00000c", "100.64.0.0/10 -> pcx-0a00000c"]

[[route_table]]
id = "rtb-0c000002"
vpc = "vpc-0c000001"
main = true
routes = ["0.0.0.0/0 -> eni-0c000001"]
"#;

fn planned(
    words: &[&str],
    n: usize,
    response: Option<serde_json::Value>,
) -> vpcsim::cloudtrail::Record {
    let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    vpcsim::whatif::command_step(&words, n, "review", response)
        .expect("a known command")
        .record
}

fn load() -> Network {
    let mut l = vpcsim::snapshot::topology::load_str(TOPOLOGY, "review.toml").expect("it loads");
    vpcsim::snapshot::finish(&mut l);
    l.network
}

/// Steps each record, comparing its exposure with the full diff; returns (applied, the
/// number whose full diff names a subnet outside the VPC of the record).
fn check(start: &Network, records: &[vpcsim::cloudtrail::Record]) -> (usize, usize) {
    let opts = ReplayOptions {
        exposure: true,
        ..Default::default()
    };
    let mut net = start.clone();
    let mut stepper = vpcsim::replay::Stepper::new(&mut net, &opts);
    let (mut applied, mut elsewhere) = (0, 0);
    for r in records {
        let before = stepper.network().clone();
        let Some(ev) = stepper.step(r) else { continue };
        if ev.outcome != Outcome::Applied {
            continue;
        }
        applied += 1;
        let full = vpcsim::exposure::diff_networks(&before, stepper.network());
        let subnets: std::collections::BTreeSet<_> =
            full.iter().map(|c| c.subnet_id.to_string()).collect();
        if subnets.iter().any(|s| !s.starts_with("subnet-0a")) {
            elsewhere += 1;
        }
        assert_eq!(
            ev.exposure, full,
            "{} ({}): the record's exposure differs from the full diff",
            ev.event_name, ev.description
        );
    }
    (applied, elsewhere)
}

/// Subnets, IPv4 and IPv6 blocks of a VPC that three others reach (peering, NAT64 through a NAT
/// gateway, an appliance of a third VPC), and a VPC made with the ID of a peering connection's
/// far side.
#[test]
fn structural_changes_seen_from_other_vpcs_are_exact() {
    let start = load();
    let mut out = Vec::new();
    let mut n = 0;
    let mut next = |words: &[&str], response: Option<serde_json::Value>| {
        n += 1;
        out.push(planned(words, n, response));
    };
    let a = "vpc-0a000001";
    next(
        &[
            "aws",
            "ec2",
            "create-subnet",
            "--vpc-id",
            a,
            "--cidr-block",
            "10.1.2.0/28",
        ],
        Some(
            serde_json::json!({"subnet": {"subnetId": "subnet-0a000002", "vpcId": a, "cidrBlock": "10.1.2.0/28"}}),
        ),
    );
    next(
        &[
            "aws",
            "ec2",
            "associate-vpc-cidr-block",
            "--vpc-id",
            a,
            "--cidr-block",
            "100.64.0.0/24",
        ],
        Some(
            serde_json::json!({"cidrBlockAssociation": {"associationId": "vpc-cidr-assoc-0a000001", "cidrBlock": "100.64.0.0/24"}}),
        ),
    );
    next(
        &[
            "aws",
            "ec2",
            "create-subnet",
            "--vpc-id",
            a,
            "--cidr-block",
            "100.64.0.16/28",
        ],
        Some(
            serde_json::json!({"subnet": {"subnetId": "subnet-0a000003", "vpcId": a, "cidrBlock": "100.64.0.16/28"}}),
        ),
    );
    next(
        &[
            "aws",
            "ec2",
            "associate-vpc-cidr-block",
            "--vpc-id",
            a,
            "--ipv6-cidr-block",
            "2001:db8:a::/56",
        ],
        Some(
            serde_json::json!({"ipv6CidrBlockAssociation": {"associationId": "vpc-cidr-assoc-0a000006", "ipv6CidrBlock": "2001:db8:a::/56"}}),
        ),
    );
    next(
        &[
            "aws",
            "ec2",
            "create-subnet",
            "--vpc-id",
            a,
            "--cidr-block",
            "10.1.3.0/28",
            "--ipv6-cidr-block",
            "2001:db8:a:1::/64",
        ],
        Some(
            serde_json::json!({"subnet": {"subnetId": "subnet-0a000004", "vpcId": a, "cidrBlock": "10.1.3.0/28"}}),
        ),
    );
    // The far side of pcx-0a0000ff made in this account.
    next(
        &["aws", "ec2", "create-vpc", "--cidr-block", "172.20.0.0/16"],
        Some(serde_json::json!({"vpc": {"vpcId": "vpc-0a0000ff", "cidrBlock": "172.20.0.0/16"}})),
    );
    next(
        &[
            "aws",
            "ec2",
            "create-subnet",
            "--vpc-id",
            "vpc-0a0000ff",
            "--cidr-block",
            "172.20.1.0/24",
        ],
        Some(
            serde_json::json!({"subnet": {"subnetId": "subnet-0f000001", "vpcId": "vpc-0a0000ff", "cidrBlock": "172.20.1.0/24"}}),
        ),
    );
    next(
        &[
            "aws",
            "ec2",
            "delete-subnet",
            "--subnet-id",
            "subnet-0f000001",
        ],
        None,
    );
    for s in [
        "subnet-0a000004",
        "subnet-0a000003",
        "subnet-0a000002",
        "subnet-0a000001",
    ] {
        next(&["aws", "ec2", "delete-subnet", "--subnet-id", s], None);
    }
    next(
        &[
            "aws",
            "ec2",
            "disassociate-vpc-cidr-block",
            "--association-id",
            "vpc-cidr-assoc-0a000006",
        ],
        Some(
            serde_json::json!({"ipv6CidrBlockAssociation": {"associationId": "vpc-cidr-assoc-0a000006", "ipv6CidrBlock": "2001:db8:a::/56"}}),
        ),
    );
    next(
        &[
            "aws",
            "ec2",
            "disassociate-vpc-cidr-block",
            "--association-id",
            "vpc-cidr-assoc-0a000001",
        ],
        Some(
            serde_json::json!({"cidrBlockAssociation": {"associationId": "vpc-cidr-assoc-0a000001", "cidrBlock": "100.64.0.0/24"}}),
        ),
    );
    let (applied, elsewhere) = check(&start, &out);
    assert!(applied >= 12, "only {applied} applied");
    assert!(elsewhere >= 6, "only {elsewhere} seen from another VPC");
}

/// A record naming a VPC the snapshot lacks (here CreateRouteTable) makes the lenient replay
/// infer that VPC, with no CIDRs ("exists (CIDRs unknown)"). When it is the far side of an
/// active peering connection whose description names its CIDRs, the walker keeps following the
/// connection's side (the traffic still exits to the peer): it used to read the inferred VPC's
/// empty CIDRs and drop the traffic, a change the record's exposure (which compares only what
/// depends on the new table) did not report.
#[test]
fn a_vpc_inferred_on_a_peering_side_leaves_the_peer_path() {
    let start = load();
    let records = vec![planned(
        &[
            "aws",
            "ec2",
            "create-route-table",
            "--vpc-id",
            "vpc-0a0000ff",
        ],
        1,
        Some(
            serde_json::json!({"routeTable": {"routeTableId": "rtb-0f000001", "vpcId": "vpc-0a0000ff"}}),
        ),
    )];
    let (applied, _) = check(&start, &records);
    assert_eq!(applied, 1);
    let opts = ReplayOptions {
        exposure: true,
        ..Default::default()
    };
    let mut net = start.clone();
    let mut stepper = vpcsim::replay::Stepper::new(&mut net, &opts);
    let ev = stepper.step(&records[0]).expect("a route-family record");
    assert!(
        !ev.inferred.is_empty(),
        "the VPC is inferred: {:?}",
        ev.inferred
    );
    let after = stepper.network().clone();
    let reach = vpcsim::reach::Engine::new(&after)
        .subnet_reach(&after, &vpcsim::model::SubnetId::new("subnet-0a000001"))
        .expect("the subnet is there");
    let to_peer = reach
        .ipv4
        .segments
        .iter()
        .find(|s| s.ranges.iter().any(|r| r.contains(0xac14_0101)))
        .expect("172.20.1.1 has a segment");
    assert_eq!(to_peer.disposition, vpcsim::reach::Disposition::ExitsToPeer);
    assert!(
        to_peer
            .explanations
            .iter()
            .any(|e| e.message.contains("known only by its ID")),
        "{:?}",
        to_peer.explanations
    );
}
