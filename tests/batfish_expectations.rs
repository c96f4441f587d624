//! The flows Batfish's own tests assert on its real AWS snapshots
//! (`../shared/data/snapshots/batfish/EXPECTATIONS.md`), checked on the originals: an independent
//! oracle for reachability. Batfish also filters with security groups, which vpcsim does not
//! model yet, so these compare the routing part: the path and where it ends.
//!
//! The snapshots are read through `VPCSIM_REAL_DATA` (set by `.ci/run`); without it each test
//! prints `skipped` and returns.

#[path = "support/real_data.rs"]
mod real_data;

use std::net::IpAddr;
use std::path::PathBuf;
use vpcsim::model::{Network, SubnetId};
use vpcsim::reach::{Disposition, Engine, Trace};
use vpcsim::snapshot;

fn snapshot_dir(test: &str) -> Option<PathBuf> {
    Some(
        real_data::real_data()?
            .join("snapshots/batfish")
            .join(test)
            .join("aws_configs"),
    )
}

struct Case {
    net: Network,
    engine: Engine,
}

impl Case {
    fn load(test: &str) -> Option<Case> {
        let dir = snapshot_dir(test)?;
        let loaded = snapshot::load(&dir).unwrap_or_else(|e| panic!("{test} imports: {e}"));
        let engine = Engine::new(&loaded.network);
        Some(Case {
            net: loaded.network,
            engine,
        })
    }

    fn trace(&self, from: &str, to: &str) -> Trace {
        let to: IpAddr = to.parse().expect("test address");
        self.engine
            .trace(&self.net, from, to)
            .unwrap_or_else(|e| panic!("trace {from} -> {to}: {e}"))
    }
}

fn path(t: &Trace) -> Vec<&str> {
    t.hops.iter().map(|h| &*h.resource).collect()
}

fn codes(t: &Trace) -> Vec<&str> {
    t.explanations.iter().map(|e| e.code).collect()
}

#[test]
fn public_subnet() {
    let Some(c) = Case::load("test-public-subnet") else {
        return;
    };
    // Internet -> instance public IP: igw -> subnet -> instance, destination NAT at the igw.
    let t = c.trace("internet", "18.216.80.133");
    assert_eq!(t.disposition, Disposition::Delivered, "{t:?}");
    let p = path(&t);
    assert!(p.contains(&"igw-0a409e562d251f766") && p.contains(&"subnet-0bb82ae8b3ea5dc78"));
    assert_eq!(p.last(), Some(&"i-06669a407b2ef3ae5"));
    assert!(codes(&t).contains(&"DESTINATION_NAT"));
    // A public IP no instance owns, and the instance's private IP: not reachable from outside.
    assert_eq!(
        c.trace("internet", "54.191.107.23").disposition,
        Disposition::Dropped
    );
    assert_eq!(
        c.trace("internet", "10.0.0.91").disposition,
        Disposition::Dropped
    );
    // Instance -> 8.8.8.8 exits through the igw.
    let t = c.trace("i-06669a407b2ef3ae5", "8.8.8.8");
    assert_eq!(t.disposition, Disposition::ExitsToInternet);
    assert_eq!(path(&t).last(), Some(&"igw-0a409e562d251f766"));
    // A source private IP with no public mapping is dropped at the igw.
    let t = c.trace("10.0.0.92", "8.8.8.8");
    assert_eq!(t.disposition, Disposition::Dropped);
    assert_eq!(path(&t).last(), Some(&"igw-0a409e562d251f766"));
    assert!(codes(&t).contains(&"NO_PUBLIC_ADDRESS"));
}

#[test]
fn public_private_subnet() {
    let Some(c) = Case::load("test-public-private-subnet") else {
        return;
    };
    let private = "i-099cf38911942421c";
    let public = "i-094a9e5b545a4fde4";
    let vgw = "vgw-070087240d6fa2989";
    let igw = "igw-0eac198308206c358";
    // Private instance -> the public instance's PUBLIC IP: default route to the VGW.
    let t = c.trace(private, "13.58.55.60");
    assert_eq!(t.disposition, Disposition::ExitsToVpn);
    assert_eq!(path(&t).last(), Some(&vgw));
    // Private instance -> its private IP: local route.
    let t = c.trace(private, "10.0.0.47");
    assert_eq!(t.disposition, Disposition::Delivered);
    assert_eq!(path(&t).last(), Some(&public));
    // Internet -> public instance's public IP reaches it; its private IP does not.
    let t = c.trace("internet", "13.58.55.60");
    assert_eq!(t.disposition, Disposition::Delivered);
    assert!(path(&t).contains(&igw));
    assert_eq!(
        c.trace("internet", "10.0.0.47").disposition,
        Disposition::Dropped
    );
    // 8.8.8.8 and the on-premises prefix: public instance via igw, private via VGW.
    for dest in ["8.8.8.8", "19.168.0.1"] {
        let t = c.trace(public, dest);
        assert_eq!(t.disposition, Disposition::ExitsToInternet, "{dest}");
        assert_eq!(path(&t).last(), Some(&igw));
        let t = c.trace(private, dest);
        assert_eq!(t.disposition, Disposition::ExitsToVpn, "{dest}");
        assert_eq!(path(&t).last(), Some(&vgw));
    }
    // From the VGW: the public space is not reachable; both subnets' private space is.
    assert_eq!(
        c.trace(vgw, "13.58.55.60").disposition,
        Disposition::Dropped
    );
    let t = c.trace(vgw, "10.0.0.47");
    assert_eq!(t.disposition, Disposition::Delivered);
    assert_eq!(path(&t).last(), Some(&public));
    let t = c.trace(vgw, "10.0.1.204");
    assert_eq!(t.disposition, Disposition::Delivered);
    assert_eq!(path(&t).last(), Some(&private));
}

#[test]
fn subnet() {
    let Some(c) = Case::load("test-subnet") else {
        return;
    };
    // Same subnet: direct delivery with no route-table hop.
    let t = c.trace("i-08ef86e76fceabd8d", "10.10.1.44");
    assert_eq!(t.disposition, Disposition::Delivered);
    assert!(t.hops.iter().all(|h| h.route_table.is_none()), "{t:?}");
    assert_eq!(path(&t).last(), Some(&"i-07519d6ba3f9497e4"));
    // In the VPC but in no subnet: null-routed.
    let t = c.trace("i-08ef86e76fceabd8d", "10.10.0.1");
    assert_eq!(t.disposition, Disposition::Dropped);
    assert!(codes(&t).contains(&"UNASSIGNED_ADDRESS"));
}

#[test]
fn nat_gateway() {
    let Some(c) = Case::load("test-nat-gateway") else {
        return;
    };
    let t = c.trace("i-0a128d26e59be60f3", "8.8.8.8");
    assert_eq!(t.disposition, Disposition::ExitsToInternet);
    let p = path(&t);
    let order = [
        "subnet-06f469bcee42e408e",
        "nat-07ab4846da51f4612",
        "subnet-0428892a357fa1f94",
        "igw-071753b9c23d8a9b2",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|r| {
            p.iter()
                .position(|x| x == r)
                .unwrap_or_else(|| panic!("{r} in {p:?}"))
        })
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{p:?}");

    // EXPECTATIONS.md: "Internet -> NAT public IP with no session: dropped at the NAT".
    let t = c.trace("internet", "3.135.127.225");
    assert_eq!(t.disposition, Disposition::Dropped, "{t:?}");
    assert_eq!(path(&t).last(), Some(&"eni-017aaec115610308a"));
    assert!(codes(&t).contains(&"NAT_GATEWAY_INBOUND"), "{t:?}");
    // "A packet to the NAT from inside the NAT's own subnet: dropped".
    let t = c.trace("i-0b31b509174d7f5de", "10.1.250.210");
    assert_eq!(t.disposition, Disposition::Dropped, "{t:?}");
    assert_eq!(path(&t).last(), Some(&"eni-017aaec115610308a"));
    assert!(codes(&t).contains(&"NAT_GATEWAY_INBOUND"), "{t:?}");
    // So the NAT gateway's address makes nothing of its public subnet reachable from the
    // internet; the instance with a public address there is.
    let reach = c
        .engine
        .subnet_reach(&c.net, &SubnetId::new("subnet-0428892a357fa1f94"))
        .expect("the NAT gateway's subnet");
    let v4 = &reach.ipv4;
    let hosts: Vec<String> = v4
        .public_hosts
        .iter()
        .map(|h| h.interface.to_string())
        .collect();
    assert!(
        !hosts.contains(&"eni-017aaec115610308a".to_string()),
        "{hosts:?}"
    );
    assert!(
        v4.public_hosts
            .iter()
            .any(|h| h.instance.as_ref().map(|i| i.as_str()) == Some("i-0b31b509174d7f5de")),
        "{hosts:?}"
    );
}

#[test]
fn vpn_gateway() {
    let Some(c) = Case::load("test-vpn-gateway") else {
        return;
    };
    let vgw = "vgw-0c09bd7fadac961bf";
    let t = c.trace(vgw, "10.0.1.204");
    assert_eq!(t.disposition, Disposition::Delivered);
    assert_eq!(path(&t).last(), Some(&"i-099cf38911942421c"));
    // A free address in the subnet: nothing answers. In the VPC but no subnet: null-routed.
    let t = c.trace(vgw, "10.0.1.205");
    assert_eq!(t.disposition, Disposition::Dropped);
    assert!(codes(&t).contains(&"NO_INTERFACE_AT_ADDRESS"));
    let t = c.trace(vgw, "10.0.2.1");
    assert_eq!(t.disposition, Disposition::Dropped);
    assert!(codes(&t).contains(&"UNASSIGNED_ADDRESS"));
    // Instance -> 8.8.8.8: the VPC's main table routes 0.0.0.0/0 to the VGW, so the packet leaves
    // over the VPN; Batfish, which also models the tunnel and the customer gateway, reports "no
    // route" beyond the VGW (as in test-public-private-subnet: "goes to the VGW and ends there").
    // The VPC side, which is what vpcsim models, ends at the VGW.
    let t = c.trace("i-099cf38911942421c", "8.8.8.8");
    assert_eq!(t.disposition, Disposition::ExitsToVpn);
    assert_eq!(path(&t).last(), Some(&vgw));
}

#[test]
fn vpc_endpoint_gateway() {
    let Some(c) = Case::load("test-vpc-endpoint-gateway") else {
        return;
    };
    // Both subnets send S3 traffic to the endpoint; the prefix-list route beats 0/0 -> igw.
    for instance in ["i-0464d440ca0ee9e34", "i-01c6c0647fdccc89e"] {
        let t = c.trace(instance, "52.216.237.77");
        assert_eq!(t.disposition, Disposition::ToVpcEndpoint, "{instance}");
        assert_eq!(path(&t).last(), Some(&"vpce-0b7357542bb7b83ec"));
        let hop = t
            .hops
            .iter()
            .find(|h| h.route_table.is_some())
            .expect("a route-table hop");
        assert!(
            hop.matched
                .as_deref()
                .is_some_and(|m| m.starts_with("pl-63a5400a")),
            "{hop:?}"
        );
    }
    // The private subnet has no route to another AWS service's address.
    assert_eq!(
        c.trace("i-01c6c0647fdccc89e", "54.222.57.1").disposition,
        Disposition::NoRoute
    );
    // The public subnet sends it out through its igw (Batfish's test leaves this open).
    assert_eq!(
        c.trace("i-0464d440ca0ee9e34", "54.222.57.1").disposition,
        Disposition::ExitsToInternet
    );
}

#[test]
fn every_snapshot_reaches_cleanly() {
    let Some(root) = snapshot_dir("") else { return };
    let mut n = 0;
    for entry in std::fs::read_dir(root.parent().expect("batfish dir"))
        .expect("batfish dir")
        .flatten()
    {
        let dir = entry.path().join("aws_configs");
        if !dir.is_dir() {
            continue;
        }
        let loaded = snapshot::load(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let reach = Engine::new(&loaded.network).reach_all(&loaded.network);
        assert_eq!(reach.len(), loaded.network.subnets.len());
        assert!(
            !loaded
                .diagnostics
                .iter()
                .any(|d| d.code == "state-disagrees"),
            "{}: {:?}",
            dir.display(),
            loaded.diagnostics
        );
        n += 1;
    }
    assert_eq!(n, 6, "six Batfish snapshots");
}
