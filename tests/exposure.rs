//! Exposure changes between two reach results of a subnet (groundwork for issue #4): each kind
//! of the vocabulary produced by the model change that should produce it, with the exact ranges.

use vpcsim::addr::{Family, Interval, addr_value};
use vpcsim::exposure::{ChangeKind, diff};
use vpcsim::model::*;
use vpcsim::reach::{Engine, SubnetReach};
use vpcsim::snapshot;

const BASE: &str = r#"
account = "123456789012"
[[vpc]]
id = "vpc-0a000001"
cidrs = ["10.0.0.0/16"]
[[subnet]]
id = "subnet-0a000001"
vpc = "vpc-0a000001"
cidr = "10.0.1.0/24"
[[subnet]]
id = "subnet-0a000002"
vpc = "vpc-0a000001"
cidr = "10.0.2.0/24"
[[subnet]]
id = "subnet-0a0000f0"
vpc = "vpc-0a000001"
cidr = "10.0.240.0/24"
[[internet_gateway]]
id = "igw-0a000001"
vpc = "vpc-0a000001"
[[vpn_gateway]]
id = "vgw-0a000001"
vpc = "vpc-0a000001"
[[nat_gateway]]
id = "nat-0a000001"
subnet = "subnet-0a000001"
public_ip = "198.51.100.20"
[[vpc_peering_connection]]
id = "pcx-0a000001"
requester = "vpc-0a000001"
accepter = "vpc-0b000001"
accepter_cidrs = ["172.20.0.0/16"]
[[network_interface]]
id = "eni-0a0000f0"
subnet = "subnet-0a0000f0"
private_ips = ["10.0.240.10"]
public_ip = "198.51.100.40"
source_dest_check = false
[[route_table]]
id = "rtb-0a000001"
vpc = "vpc-0a000001"
subnets = ["subnet-0a000001", "subnet-0a0000f0"]
routes = ["0.0.0.0/0 -> igw-0a000001"]
[[route_table]]
id = "rtb-0a000002"
vpc = "vpc-0a000001"
main = true
routes = ["0.0.0.0/0 -> nat-0a000001"]
"#;

fn net() -> Network {
    let mut l = snapshot::topology::load_str(BASE, "base.toml").expect("fixture");
    snapshot::finish(&mut l);
    l.network
}

fn private(net: &Network) -> SubnetReach {
    Engine::new(net)
        .subnet_reach(net, &SubnetId::new("subnet-0a000002"))
        .expect("private subnet")
}

fn put(net: &mut Network, dest: &str, target: &str) {
    net.route_tables
        .get_mut(&RouteTableId::new("rtb-0a000002"))
        .expect("table")
        .put_route(Route::new(
            Destination::parse(dest).expect("destination"),
            Target::from_id(target),
            RouteOrigin::CreateRoute,
        ));
}

fn covers(ranges: &[Interval], addr: &str) -> bool {
    let v = addr_value(&addr.parse().expect("address"));
    ranges.iter().any(|r| r.contains(v))
}

#[test]
fn nothing_changed_means_no_changes() {
    let n = net();
    assert!(diff(&private(&n), &private(&n)).is_empty());
}

#[test]
fn nat_route_replaced_by_an_igw_route_exposes_the_subnet() {
    // product.md misuse pattern 2: "a NAT route replaced by an IGW route".
    let mut n = net();
    let before = private(&n);
    put(&mut n, "0.0.0.0/0", "igw-0a000001");
    let changes = diff(&before, &private(&n));
    let c = changes
        .iter()
        .find(|c| c.kind == ChangeKind::InternetExposed)
        .expect("INTERNET_EXPOSED");
    assert_eq!(c.family, Family::Ipv4);
    assert!(covers(&c.ranges, "8.8.8.8") && !covers(&c.ranges, "10.0.1.5"));
    assert_eq!(c.after.path.last().map(|p| &**p), Some("igw-0a000001"));
    assert!(c.before.path.iter().any(|p| &**p == "nat-0a000001"));
}

#[test]
fn putting_the_nat_route_back_removes_the_exposure_and_is_not_new_exposure() {
    let mut n = net();
    put(&mut n, "0.0.0.0/0", "igw-0a000001");
    let public = private(&n);
    put(&mut n, "0.0.0.0/0", "nat-0a000001");
    let changes = diff(&public, &private(&n));
    let c = changes
        .iter()
        .find(|c| c.family == Family::Ipv4)
        .expect("an IPv4 change");
    assert_eq!(c.kind, ChangeKind::InternetExposureRemoved);
    assert_eq!(c.severity, vpcsim::exposure::Severity::Info);
    assert!(!c.kind.is_new_exposure());
    assert!(ChangeKind::InternetExposed.is_new_exposure());
}

/// A subnet compared with its absence: everything it reaches is new (the replay's net change
/// for subnets the trail created).
#[test]
fn a_subnet_compared_with_its_absence_gains_all_it_reaches() {
    let n = net();
    let now = private(&n);
    let changes = diff(&vpcsim::exposure::absent(&now), &now);
    assert!(
        changes
            .iter()
            .any(|c| c.kind == ChangeKind::InternetEgressGained && covers(&c.ranges, "8.8.8.8")),
        "{changes:?}"
    );
    assert!(
        changes.iter().any(|c| covers(&c.ranges, "10.0.1.5")
            && c.after.disposition == vpcsim::reach::Disposition::Delivered),
        "the VPC's other subnet is reachable: {changes:?}"
    );
    assert!(
        diff(&now, &vpcsim::exposure::absent(&now))
            .iter()
            .all(|c| !c.kind.is_new_exposure())
    );
}

#[test]
fn deleting_the_nat_gateway_blackholes_its_routes() {
    let mut n = net();
    let before = private(&n);
    n.nat_gateways
        .get_mut(&NatGatewayId::new("nat-0a000001"))
        .expect("nat")
        .state = NatGatewayState::Deleted;
    let changes = diff(&before, &private(&n));
    let c = changes
        .iter()
        .find(|c| c.kind == ChangeKind::Blackholed)
        .expect("BLACKHOLED");
    assert!(covers(&c.ranges, "8.8.8.8"));
    // And bringing it back restores exactly those ranges.
    let blackholed = private(&n);
    n.nat_gateways
        .get_mut(&NatGatewayId::new("nat-0a000001"))
        .expect("nat")
        .state = NatGatewayState::Available;
    let back = diff(&blackholed, &private(&n));
    let r = back
        .iter()
        .find(|c| c.kind == ChangeKind::Restored)
        .expect("RESTORED");
    assert_eq!(r.ranges, c.ranges);
}

#[test]
fn peering_and_vpn_routes_are_new_paths() {
    let mut n = net();
    let before = private(&n);
    put(&mut n, "172.20.0.0/16", "pcx-0a000001");
    put(&mut n, "192.168.0.0/16", "vgw-0a000001");
    let changes = diff(&before, &private(&n));
    let peer = changes
        .iter()
        .find(|c| c.kind == ChangeKind::PeerPathGained)
        .expect("PEER_PATH_GAINED");
    assert_eq!(
        peer.ranges,
        vec![Interval::of_net(&"172.20.0.0/16".parse().expect("cidr"))]
    );
    let vpn = changes
        .iter()
        .find(|c| c.kind == ChangeKind::OnPremisesPathGained)
        .expect("ON_PREMISES_PATH_GAINED");
    assert_eq!(
        vpn.ranges,
        vec![Interval::of_net(&"192.168.0.0/16".parse().expect("cidr"))]
    );
}

#[test]
fn a_more_specific_route_to_an_interface_redirects_traffic() {
    // product.md misuse pattern 2: a more specific route diverting a prefix to an interface.
    let mut n = net();
    let before = private(&n);
    put(&mut n, "8.8.8.0/24", "eni-0a0000f0");
    let changes = diff(&before, &private(&n));
    assert_eq!(changes.len(), 1, "{changes:?}");
    let c = &changes[0];
    assert_eq!(c.kind, ChangeKind::TrafficRedirected);
    assert_eq!(
        c.ranges,
        vec![Interval::of_net(&"8.8.8.0/24".parse().expect("cidr"))]
    );
    assert!(c.after.path.iter().any(|p| &**p == "eni-0a0000f0"));
}

#[test]
fn exposing_a_subnet_with_public_hosts_is_critical_without_them_high() {
    let mut n = net();
    let before = private(&n);
    put(&mut n, "0.0.0.0/0", "igw-0a000001");
    let c = diff(&before, &private(&n))
        .into_iter()
        .find(|c| c.kind == ChangeKind::InternetExposed)
        .expect("exposed");
    assert_eq!(c.severity, vpcsim::exposure::Severity::High);
    // The same change with a host holding a public address in the subnet.
    let mut n = net();
    n.network_interfaces.insert(
        NetworkInterfaceId::new("eni-0a000099"),
        NetworkInterface {
            id: NetworkInterfaceId::new("eni-0a000099"),
            subnet_id: SubnetId::new("subnet-0a000002"),
            vpc_id: Some(VpcId::new("vpc-0a000001")),
            private_ips: vec!["10.0.2.9".parse().expect("ip")],
            public_ips: vec![(
                "10.0.2.9".parse().expect("ip"),
                "198.51.100.99".parse().expect("ip"),
            )],
            ipv6_addresses: vec![],
            source_dest_check: true,
            instance_id: None,
            interface_type: None,
        },
    );
    let before = private(&n);
    put(&mut n, "0.0.0.0/0", "igw-0a000001");
    let c = diff(&before, &private(&n))
        .into_iter()
        .find(|c| c.kind == ChangeKind::InternetExposed)
        .expect("exposed");
    assert_eq!(c.severity, vpcsim::exposure::Severity::Critical);
    assert!(c.reason.contains("1 host"), "{}", c.reason);
}

#[test]
fn reverting_commands_restore_the_previous_state() {
    use vpcsim::exposure::revert;
    let n = net();
    let table = RouteTableId::new("rtb-0a000002");
    let dest = Destination::parse("0.0.0.0/0").expect("destination");
    let replace = Change::ReplaceRoute {
        route_table_id: table.clone(),
        destination: dest.clone(),
        targets: vec![Target::from_id("igw-0a000001")],
        local_target: false,
    };
    let r = revert(&replace, &n).expect("a revert");
    assert_eq!(
        r.cli,
        "aws ec2 replace-route --route-table-id rtb-0a000002 --destination-cidr-block 0.0.0.0/0 --nat-gateway-id nat-0a000001"
    );
    assert_eq!(
        r.boto3,
        "ec2.replace_route(RouteTableId='rtb-0a000002', DestinationCidrBlock='0.0.0.0/0', NatGatewayId='nat-0a000001')"
    );
    let delete = Change::DeleteRoute {
        route_table_id: table.clone(),
        destination: dest,
    };
    assert_eq!(
        revert(&delete, &n).expect("a revert").cli,
        "aws ec2 create-route --route-table-id rtb-0a000002 --destination-cidr-block 0.0.0.0/0 --nat-gateway-id nat-0a000001"
    );
    let create = Change::CreateRoute {
        route_table_id: table,
        destination: Destination::parse("2001:db8::/32").expect("destination"),
        targets: vec![Target::from_id("igw-0a000001")],
    };
    assert_eq!(
        revert(&create, &n).expect("a revert").cli,
        "aws ec2 delete-route --route-table-id rtb-0a000002 --destination-ipv6-cidr-block 2001:db8::/32"
    );
    // A deleted NAT gateway cannot be undeleted: another one is made in its subnet with its
    // address, and its routes point at that one.
    let nat = Change::DeleteNatGateway {
        nat_gateway_id: NatGatewayId::new("nat-0a000001"),
    };
    let r = revert(&nat, &n).expect("a revert");
    assert!(
        r.cli.starts_with("NAT=$(aws ec2 create-nat-gateway --subnet-id subnet-0a000001 ")
            && r.cli.ends_with(
                " && aws ec2 replace-route --route-table-id rtb-0a000002 --destination-cidr-block 0.0.0.0/0 --nat-gateway-id \"$NAT\""
            ),
        "{}",
        r.cli
    );
    assert!(
        r.check_next.contains("cannot be restored"),
        "{}",
        r.check_next
    );
    // A deleted peering connection: another to the same peer VPC, accepted, and the routes
    // that used the old one pointed at the new one.
    let mut peered = n.clone();
    put(&mut peered, "172.20.0.0/16", "pcx-0a000001");
    let pcx = Change::DeleteVpcPeeringConnection {
        vpc_peering_connection_id: VpcPeeringConnectionId::new("pcx-0a000001"),
    };
    let r = revert(&pcx, &peered).expect("a revert");
    assert_eq!(
        r.cli,
        "PCX=$(aws ec2 create-vpc-peering-connection --vpc-id vpc-0a000001 --peer-vpc-id vpc-0b000001 --query VpcPeeringConnection.VpcPeeringConnectionId --output text) && aws ec2 accept-vpc-peering-connection --vpc-peering-connection-id \"$PCX\" && aws ec2 replace-route --route-table-id rtb-0a000002 --destination-cidr-block 172.20.0.0/16 --vpc-peering-connection-id \"$PCX\""
    );
    // With a peer in another account, that account must accept: no accept in the line.
    if let Some(p) = peered
        .vpc_peering_connections
        .get_mut(&VpcPeeringConnectionId::new("pcx-0a000001"))
    {
        p.accepter.owner_id = Some(AccountId::new("210987654321"));
    }
    let r = revert(&pcx, &peered).expect("a revert");
    assert!(
        r.cli.contains("--peer-owner-id 210987654321")
            && !r.cli.contains("accept-vpc-peering-connection"),
        "{}",
        r.cli
    );
    assert!(r.check_next.contains("must accept"), "{}", r.check_next);
    // A deleted subnet: another with its addresses, back on its explicit table; one that used
    // the main table needs nothing more.
    let public = Change::DeleteSubnet {
        subnet_id: SubnetId::new("subnet-0a000001"),
    };
    assert_eq!(
        revert(&public, &n).expect("a revert").cli,
        "SUBNET=$(aws ec2 create-subnet --vpc-id vpc-0a000001 --cidr-block 10.0.1.0/24 --query Subnet.SubnetId --output text) && aws ec2 associate-route-table --route-table-id rtb-0a000001 --subnet-id \"$SUBNET\""
    );
    let private = Change::DeleteSubnet {
        subnet_id: SubnetId::new("subnet-0a000002"),
    };
    let r = revert(&private, &n).expect("a revert");
    assert_eq!(
        r.cli,
        "aws ec2 create-subnet --vpc-id vpc-0a000001 --cidr-block 10.0.2.0/24"
    );
    assert!(r.check_next.contains("main table"), "{}", r.check_next);
    // A NAT gateway the model does not know: nothing to rebuild it from.
    let unknown = Change::DeleteNatGateway {
        nat_gateway_id: NatGatewayId::new("nat-unknown"),
    };
    assert!(revert(&unknown, &n).is_none());
}
