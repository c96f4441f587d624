//! Property tests of issue #5 §5 over generated event sequences on a fixed two-VPC topology
//! (public, private and isolated subnets, a NAT gateway, a VPN gateway, a peering connection,
//! an appliance), the events written in the scenario short form:
//!
//! - `whatif_of_a_sequence_equals_replaying_it`: the same commands given to `vpcsim whatif`'s
//!   pipeline (AWS CLI words, planned steps) and replayed as a scenario's CloudTrail records give
//!   the same outcome, error code and exposure changes at every step;
//! - `exposure_survives_export_and_reimport`: the exposure between the start and the state a
//!   sequence leads to equals the exposure between the start and that state exported as
//!   describe-* JSON and imported fresh;
//! - `replay_summary_adds_up`: every event ends in exactly one outcome, none malformed;
//! - `scenario_files_round_trip`: a scenario file with arbitrary text, events and expectations
//!   reads back identically after being written out by its serialiser.

use proptest::prelude::*;
use vpcsim::cloudtrail::ReadResult;
use vpcsim::exposure::ExposureChange;
use vpcsim::replay::{ReplayOptions, replay};
use vpcsim::scenario::{self, events};

const TOPOLOGY: &str = r#"
account = "111122223333"
region = "eu-west-1"

[[vpc]]
id = "vpc-0a1"
cidrs = ["10.1.0.0/16"]

[[vpc]]
id = "vpc-0b1"
cidrs = ["10.2.0.0/16"]

[[subnet]]
id = "subnet-0a1"
vpc = "vpc-0a1"
cidr = "10.1.1.0/24"

[[subnet]]
id = "subnet-0a2"
vpc = "vpc-0a1"
cidr = "10.1.2.0/24"

[[subnet]]
id = "subnet-0a3"
vpc = "vpc-0a1"
cidr = "10.1.3.0/24"

[[subnet]]
id = "subnet-0b1"
vpc = "vpc-0b1"
cidr = "10.2.1.0/24"

[[internet_gateway]]
id = "igw-0a1"
vpc = "vpc-0a1"

[[internet_gateway]]
id = "igw-0b1"

[[vpn_gateway]]
id = "vgw-0a1"
vpc = "vpc-0a1"

[[nat_gateway]]
id = "nat-0a1"
subnet = "subnet-0a1"
private_ip = "10.1.1.10"
public_ip = "198.51.100.10"

[[vpc_peering_connection]]
id = "pcx-0ab"
requester = "vpc-0a1"
accepter = "vpc-0b1"

[[route_table]]
id = "rtb-0a1"
vpc = "vpc-0a1"
subnets = ["subnet-0a1"]
routes = ["0.0.0.0/0 -> igw-0a1"]

[[route_table]]
id = "rtb-0a2"
vpc = "vpc-0a1"
subnets = ["subnet-0a2"]
routes = ["0.0.0.0/0 -> nat-0a1", "10.2.0.0/16 -> pcx-0ab"]

[[route_table]]
id = "rtb-0a3"
vpc = "vpc-0a1"
main = true

[[route_table]]
id = "rtb-0b1"
vpc = "vpc-0b1"
main = true
routes = ["10.1.0.0/16 -> pcx-0ab"]

[[instance]]
id = "i-0a1"
subnet = "subnet-0a1"
private_ip = "10.1.1.5"
public_ip = "198.51.100.5"

[[instance]]
id = "i-0a2"
subnet = "subnet-0a3"
private_ip = "10.1.3.7"
source_dest_check = false

[[instance]]
id = "i-0a3"
subnet = "subnet-0a1"
private_ip = "10.1.1.9"

[[elastic_ip]]
id = "eipalloc-0a1"
public_ip = "198.51.100.77"
"#;

const TABLES: [&str; 4] = ["rtb-0a1", "rtb-0a2", "rtb-0a3", "rtb-0b1"];
const DESTS: [&str; 6] = [
    "0.0.0.0/0",
    "10.2.0.0/16",
    "10.2.1.0/24",
    "192.168.0.0/16",
    "8.8.8.0/24",
    "10.1.0.0/16",
];
const TARGETS: [&str; 6] = [
    "igw-0a1", "nat-0a1", "pcx-0ab", "vgw-0a1", "i-0a2", "igw-0b1",
];
const SUBNETS: [&str; 4] = ["subnet-0a1", "subnet-0a2", "subnet-0a3", "subnet-0b1"];

/// One short-form event.
fn op() -> impl Strategy<Value = String> {
    let t = || 0..TABLES.len();
    prop_oneof![
        4 => (t(), 0..DESTS.len(), 0..TARGETS.len())
            .prop_map(|(a, d, g)| format!("create-route {} {} -> {}", TABLES[a], DESTS[d], TARGETS[g])),
        3 => (t(), 0..DESTS.len(), 0..TARGETS.len())
            .prop_map(|(a, d, g)| format!("replace-route {} {} -> {}", TABLES[a], DESTS[d], TARGETS[g])),
        3 => (t(), 0..DESTS.len()).prop_map(|(a, d)| format!("delete-route {} {}", TABLES[a], DESTS[d])),
        2 => (t(), 0..SUBNETS.len())
            .prop_map(|(a, s)| format!("disassociate rtbassoc-{}-{}", TABLES[a], SUBNETS[s])),
        2 => (t(), 0..SUBNETS.len(), t()).prop_map(|(a, s, b)| format!(
            "replace-association rtbassoc-{}-{} {}", TABLES[a], SUBNETS[s], TABLES[b])),
        1 => (t(), 0..SUBNETS.len()).prop_map(|(a, s)| format!("associate {} {}", TABLES[a], SUBNETS[s])),
        1 => Just("detach igw-0a1 vpc-0a1".to_string()),
        1 => Just("attach igw-0a1 vpc-0a1".to_string()),
        1 => Just("attach igw-0b1 vpc-0b1".to_string()),
        1 => Just("delete-nat nat-0a1".to_string()),
        1 => Just("propagate rtb-0a2 vgw-0a1".to_string()),
        1 => Just("unpropagate rtb-0a2 vgw-0a1".to_string()),
        1 => Just("delete-peering pcx-0ab".to_string()),
        // AWS CLI words (not a short form): an Elastic IP moved between hosts.
        2 => prop::sample::select(vec!["i-0a1", "i-0a2", "i-0a3"])
            .prop_map(|i| format!("aws ec2 associate-address --allocation-id eipalloc-0a1 --instance-id {i}")),
        1 => Just("aws ec2 disassociate-address --public-ip 198.51.100.77".to_string()),
    ]
}

/// The AWS CLI words of an op: the short form, or the words themselves.
fn words(op: &str) -> Vec<String> {
    if op.starts_with("aws ") {
        op.split_whitespace().map(str::to_string).collect()
    } else {
        events::short_words(op).expect("words")
    }
}

fn start() -> vpcsim::model::Network {
    let mut l = vpcsim::snapshot::topology::load_str(TOPOLOGY, "topology").expect("loads");
    vpcsim::snapshot::finish(&mut l);
    l.network
}

fn spec_event(op: &str) -> scenario::EventSpec {
    let text = Some(toml::Spanned::new(0..0, op.to_string()));
    if op.starts_with("aws ") {
        scenario::EventSpec {
            cli: text,
            ..Default::default()
        }
    } else {
        scenario::EventSpec {
            short: text,
            ..Default::default()
        }
    }
}

/// The events as a scenario's records (as `vpcsim test` makes them).
fn scenario_records(ops: &[String]) -> Vec<vpcsim::cloudtrail::Record> {
    let d = events::Defaults {
        name: "prop",
        account: "111122223333",
        region: "eu-west-1",
        start: vpcsim::cloudtrail::UtcTime::parse("2026-01-01T00:00:00Z").expect("time"),
        file: "scenario.toml",
    };
    ops.iter()
        .enumerate()
        .map(|(k, o)| events::record(&spec_event(o), k, k as u64 + 1, false, &d).expect("a record"))
        .collect()
}

fn strict() -> ReplayOptions {
    ReplayOptions {
        strict: true,
        exposure: true,
        findings: vpcsim::replay::findings::FindingOptions {
            burst_writes: 0,
            ..Default::default()
        },
        ..Default::default()
    }
}

fn rendered(changes: &[ExposureChange]) -> Vec<String> {
    changes
        .iter()
        .map(|c| {
            format!(
                "{} {} {} {:?} {} {}",
                c.kind.name(),
                c.severity.name(),
                c.subnet_id,
                c.ranges,
                c.before.disposition.name(),
                c.after.disposition.name()
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn whatif_of_a_sequence_equals_replaying_it(ops in prop::collection::vec(op(), 1..12)) {
        // As a scenario: the short form, made records, replayed.
        let mut a = start();
        let ra = replay(&mut a, ReadResult { records: scenario_records(&ops), ..Default::default() }, &strict());
        // As `vpcsim whatif`: AWS CLI words, planned steps.
        let commands: Vec<(String, Vec<String>)> = ops
            .iter()
            .enumerate()
            .map(|(k, o)| (format!("command {}", k + 1), words(o)))
            .collect();
        let (steps, errors) = vpcsim::whatif::steps_from_commands(&commands, 1);
        prop_assert!(errors.is_empty(), "{errors:?}");
        let mut b = start();
        let rb = replay(&mut b, ReadResult { records: steps.into_iter().map(|s| s.record).collect(), ..Default::default() }, &strict());
        prop_assert_eq!(ra.events.len(), rb.events.len());
        for (k, (x, y)) in ra.events.iter().zip(&rb.events).enumerate() {
            prop_assert_eq!(x.outcome, y.outcome, "step {} {}", k + 1, &ops[k]);
            prop_assert_eq!(
                x.model_error.as_ref().map(|e| e.code),
                y.model_error.as_ref().map(|e| e.code),
                "step {} {}", k + 1, &ops[k]
            );
            prop_assert_eq!(rendered(&x.exposure), rendered(&y.exposure), "step {} {}", k + 1, &ops[k]);
        }
        prop_assert_eq!(rendered(&ra.net), rendered(&rb.net));
    }

    #[test]
    fn exposure_survives_export_and_reimport(ops in prop::collection::vec(op(), 0..12)) {
        let begin = start();
        let mut end = begin.clone();
        let r = replay(&mut end, ReadResult { records: scenario_records(&ops), ..Default::default() }, &strict());
        let dir = std::env::temp_dir().join(format!(
            "vpcsim-scenario-props-{}-{}",
            std::process::id(),
            ops.len() * 7919 + r.summary.applied
        ));
        let _ = std::fs::remove_dir_all(&dir);
        vpcsim::snapshot::export::write_dir(&end, &dir).expect("writes");
        let fresh = vpcsim::snapshot::load(&dir).expect("the export imports").network;
        let _ = std::fs::remove_dir_all(&dir);
        let direct = vpcsim::exposure::diff_networks(&begin, &end);
        let via_files = vpcsim::exposure::diff_networks(&begin, &fresh);
        prop_assert_eq!(rendered(&direct), rendered(&via_files));
        // The replay's own net change is the same exposure.
        prop_assert_eq!(rendered(&r.net), rendered(&direct));
    }

    #[test]
    fn each_records_exposure_equals_a_full_recomputation(ops in prop::collection::vec(op(), 1..10)) {
        // The replay computes each record's exposure incrementally (the route graph, carried from
        // record to record, says which subnets can change); it must equal comparing every
        // subnet of the states before and after the record.
        let records = scenario_records(&ops);
        let mut end = start();
        let whole = replay(&mut end, ReadResult { records: records.clone(), ..Default::default() }, &strict());
        let mut before = start();
        for (k, event) in whole.events.iter().enumerate() {
            let mut after = before.clone();
            replay(&mut after, ReadResult { records: records[k..=k].to_vec(), ..Default::default() }, &ReplayOptions { strict: true, ..Default::default() });
            prop_assert_eq!(
                rendered(&event.exposure),
                rendered(&vpcsim::exposure::diff_networks(&before, &after)),
                "record {} {}", k + 1, &ops[k]
            );
            before = after;
        }
    }

    #[test]
    fn replay_summary_adds_up(ops in prop::collection::vec(op(), 0..16)) {
        let mut net = start();
        let r = replay(&mut net, ReadResult { records: scenario_records(&ops), ..Default::default() }, &ReplayOptions { exposure: false, ..Default::default() });
        let s = &r.summary;
        prop_assert_eq!(s.records, ops.len());
        prop_assert_eq!(s.total(), ops.len());
        prop_assert_eq!(s.malformed, 0);
        prop_assert_eq!(r.events.len(), ops.len());
    }

    #[test]
    fn scenario_files_round_trip(
        title in "[ -~]{1,40}",
        description in "[ -~\n\té]{1,80}",
        ops in prop::collection::vec(op(), 0..5),
        kinds in prop::collection::vec(0..scenario::KINDS.len(), 0..4),
        strict in any::<bool>(),
        after in prop::option::of(0usize..5),
    ) {
        prop_assume!(!title.trim().is_empty() && !description.trim().is_empty());
        let mut text = format!(
            "title = {}\ndescription = {}\n\n[options]\nstrict = {strict}\nroute_limit = 7\n",
            toml::Value::String(title.clone()),
            toml::Value::String(description.clone())
        );
        for o in &ops {
            let key = if o.starts_with("aws ") { "cli" } else { "do" };
            text.push_str(&format!("\n[[event]]\n{key} = \"{o}\"\nby = \"arn:aws:iam::111122223333:user/x\"\n"));
        }
        for (i, k) in kinds.iter().enumerate() {
            text.push_str(&format!(
                "\n[[expect.change]]\nevent = {}\nkind = \"{}\"\ncovers = [\"10.0.0.0/8\"]\nabsent = {}\n",
                i + 1,
                scenario::KINDS[*k],
                i % 2 == 0
            ));
        }
        text.push_str("\n[[expect.trace]]\nfrom = \"subnet-0a1\"\nto = \"8.8.8.8\"\ndisposition = \"EXITS_TO_INTERNET\"\n");
        if let Some(n) = after {
            text.push_str(&format!("after = {n}\nvia = [\"igw-0a1\"]\n"));
        }
        text.push_str("\n[expect.summary]\napplied = 1\n\n[topology]\naccount = \"111122223333\"\n\n[[topology.vpc]]\nid = \"vpc-0a1\"\ncidrs = [\"10.1.0.0/16\"]\n");
        let first = scenario::parse(&text, "a.toml").expect("the generated file reads");
        let written = toml::to_string(&first).expect("serialises");
        let second = scenario::parse(&written, "b.toml").expect("the written file reads back");
        prop_assert_eq!(&first, &second);
        prop_assert_eq!(first.title.get_ref(), &title);
        prop_assert_eq!(first.event.len(), ops.len());
        prop_assert_eq!(first.expect.count(), kinds.len() + 2);
        // And the inline topology reads from the written file too.
        let topo = vpcsim::snapshot::topology::load_inline(&written, "b.toml").expect("reads");
        prop_assert!(topo.is_some_and(|l| l.network.vpcs.len() == 1));
    }
}

/// The properties really exercise both sides: a fixed sequence where whatif and the scenario
/// agree on an exposure and on a refusal.
#[test]
fn the_whatif_property_sees_exposure_and_refusals() {
    let ops: Vec<String> = [
        "replace-route rtb-0a2 0.0.0.0/0 -> igw-0a1",
        "create-route rtb-0a2 0.0.0.0/0 -> nat-0a1",
        "delete-route rtb-0a3 10.1.0.0/16",
    ]
    .map(String::from)
    .to_vec();
    let mut a = start();
    let r = replay(
        &mut a,
        ReadResult {
            records: scenario_records(&ops),
            ..Default::default()
        },
        &strict(),
    );
    assert_eq!(r.events[0].exposure[0].kind.name(), "INTERNET_EXPOSED");
    assert_eq!(
        r.events[1].model_error.as_ref().map(|e| e.code),
        Some("RouteAlreadyExists")
    );
    assert_eq!(
        r.events[2].model_error.as_ref().map(|e| e.code),
        Some("InvalidParameterValue"),
        "the local route cannot be deleted"
    );
}

/// Review finding: an Elastic IP moved from a host of a public subnet to another host; the
/// subnet it left must be compared too (the incremental exposure missed it).
#[test]
fn an_address_moved_between_hosts_is_seen_on_both_sides() {
    let ops: Vec<String> = [
        "aws ec2 associate-address --allocation-id eipalloc-0a1 --instance-id i-0a3",
        "aws ec2 associate-address --allocation-id eipalloc-0a1 --instance-id i-0a2",
    ]
    .map(String::from)
    .to_vec();
    let records = scenario_records(&ops);
    let mut net = start();
    let r = replay(
        &mut net,
        ReadResult {
            records: records.clone(),
            ..Default::default()
        },
        &strict(),
    );
    let kinds: Vec<String> = r.events[1]
        .exposure
        .iter()
        .map(|c| format!("{} {}", c.kind.name(), c.subnet_id))
        .collect();
    assert!(
        kinds.contains(&"HOST_EXPOSURE_REMOVED subnet-0a1".to_string()),
        "{kinds:?}"
    );
    let mut before = start();
    replay(
        &mut before,
        ReadResult {
            records: records[..1].to_vec(),
            ..Default::default()
        },
        &ReplayOptions::default(),
    );
    assert_eq!(
        rendered(&r.events[1].exposure),
        rendered(&vpcsim::exposure::diff_networks(&before, &net))
    );
}

/// Review finding: a route retargeted from an instance to the interface it uses (or back) leads
/// to the same place: no exposure change.
#[test]
fn retargeting_an_instance_route_to_its_interface_changes_nothing() {
    let ops: Vec<String> = [
        "create-route rtb-0a2 10.2.1.0/24 -> i-0a2",
        "replace-route rtb-0a2 10.2.1.0/24 -> eni-0a2",
        "replace-route rtb-0a2 10.2.1.0/24 -> i-0a2",
    ]
    .map(String::from)
    .to_vec();
    let mut net = start();
    let r = replay(
        &mut net,
        ReadResult {
            records: scenario_records(&ops),
            ..Default::default()
        },
        &strict(),
    );
    assert!(r.events.iter().all(|e| e.outcome.name() == "applied"));
    assert_eq!(
        r.events[0].exposure.len(),
        1,
        "the capture itself is a change"
    );
    assert!(
        r.events[1].exposure.is_empty(),
        "{:?}",
        r.events[1].exposure
    );
    assert!(
        r.events[2].exposure.is_empty(),
        "{:?}",
        r.events[2].exposure
    );
}
