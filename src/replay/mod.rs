//! Replay: turns the records a trail holds into the sequence of routing states they caused.
//!
//! Decoding ends in [`crate::cloudtrail`]; applying begins here. Records are put in `eventTime`
//! order, and records of the same instant in delivery order (file path, then position), so the
//! order never depends on the order files were given; a record that the model cannot apply yet
//! because of another record of the same instant is retried after them (dependency-aware
//! tie-breaking, semantics doc §8 case 15e).
//! Duplicates (the same event delivered twice) are applied once. Every record read ends in
//! exactly one [`Outcome`]; the [`Summary`] counts add up to the records read.
//!
//! A record with an `errorCode` changes nothing (§2.1, §5.6): vpcsim asks the model what it
//! would have answered and reports a **divergence** when the model would have accepted the
//! call. A successful record the model rejects is also a divergence, unless (in the default,
//! lenient mode) the rejection is only that a resource is missing from the starting state: then
//! vpcsim infers a placeholder for it, says so, and applies the record.

pub mod blame;
pub mod findings;
pub mod incremental;

use crate::cloudtrail::{Decoded, ReadResult, Record, UtcTime, decode};
use crate::exposure::{self, ExposureChange};
use crate::model::*;
use crate::reach::{Engine, RouteGraph, SubnetReach};
use std::collections::{BTreeMap, BTreeSet};

/// How one record ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// Applied to the model.
    Applied,
    /// AWS rejected it (or it was a DryRun) and the model agrees it changes nothing.
    FailedInAws,
    /// The model and AWS disagree: one accepted what the other rejected.
    Diverged,
    /// The same event seen again.
    Duplicate,
    /// Not an EC2 call of the route family.
    Ignored,
    /// Recognised as affecting routing, but not modelled.
    Unsupported,
    /// Unreadable: the reason names the field.
    Malformed,
    /// After `--until`: read, not applied.
    AfterUntil,
}

impl Outcome {
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::FailedInAws => "failed_in_aws",
            Outcome::Diverged => "diverged",
            Outcome::Duplicate => "duplicate",
            Outcome::Ignored => "ignored",
            Outcome::Unsupported => "unsupported",
            Outcome::Malformed => "malformed",
            Outcome::AfterUntil => "after_until",
        }
    }
}

/// One route-family record and what became of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub event_id: Option<String>,
    pub event_time: Option<String>,
    pub time: Option<UtcTime>,
    pub event_name: String,
    pub principal: Option<String>,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    pub region: Option<String>,
    pub account: Option<String>,
    /// `file line N /pointer`.
    pub location: String,
    /// The file the record came from, and the line it starts on (for SARIF locations).
    pub file: String,
    pub line: u64,
    pub outcome: Outcome,
    /// The error code AWS returned, for failed records.
    pub error_code: Option<String>,
    /// What the model answered, when it rejected the call (agreeing or diverging).
    pub model_error: Option<Ec2Error>,
    /// One line: what changed, or why nothing did.
    pub description: String,
    /// Placeholders vpcsim inferred to apply this record (lenient mode).
    pub inferred: Vec<String>,
    /// The typed change, when the record decoded.
    pub change: Option<Change>,
    /// What the model's `apply` reported, for applied records.
    pub effect: Option<Effect>,
    /// What became reachable or unreachable because of this record (with `exposure` on).
    pub exposure: Vec<ExposureChange>,
    /// The command that undoes this record, when one can (with `exposure` on).
    pub remediation: Option<exposure::Remediation>,
}

/// Counts of every record read, by outcome; `records` is their sum.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub records: usize,
    pub applied: usize,
    /// Of `applied`, the records that applied only after vpcsim inferred what the starting
    /// state lacked or had stale (placeholders, resynchronised routes; each event lists what):
    /// a sub-count, not an outcome, so `total()` does not add it. A stale or incomplete start
    /// shows here in lenient mode, where `--strict` makes these `diverged`.
    pub inferred: usize,
    pub failed_in_aws: usize,
    pub diverged: usize,
    pub duplicate: usize,
    pub ignored: usize,
    pub unsupported: usize,
    pub malformed: usize,
    pub after_until: usize,
}

impl Summary {
    /// Counts a replayed record's outcome (and whether it needed an inference).
    fn count_event(&mut self, e: &Event) {
        self.count(e.outcome);
        if e.outcome == Outcome::Applied && !e.inferred.is_empty() {
            self.inferred += 1;
        }
    }

    fn count(&mut self, o: Outcome) {
        self.records += 1;
        match o {
            Outcome::Applied => self.applied += 1,
            Outcome::FailedInAws => self.failed_in_aws += 1,
            Outcome::Diverged => self.diverged += 1,
            Outcome::Duplicate => self.duplicate += 1,
            Outcome::Ignored => self.ignored += 1,
            Outcome::Unsupported => self.unsupported += 1,
            Outcome::Malformed => self.malformed += 1,
            Outcome::AfterUntil => self.after_until += 1,
        }
    }

    /// The sum of the outcome counts, which must equal `records`.
    pub fn total(&self) -> usize {
        self.applied
            + self.failed_in_aws
            + self.diverged
            + self.duplicate
            + self.ignored
            + self.unsupported
            + self.malformed
            + self.after_until
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplayOptions {
    /// Reject successful records that reference resources the model lacks, instead of
    /// inferring placeholders.
    pub strict: bool,
    /// Apply only records at or before this instant.
    pub until: Option<UtcTime>,
    pub apply: ApplyOptions,
    /// Compute the exposure changes each applied record causes (reach of the affected subnets
    /// before and after; costs a copy of the model per record).
    pub exposure: bool,
    /// Thresholds of the denial-of-service findings.
    pub findings: findings::FindingOptions,
}

/// The result of a replay: every route-family record in applied order, and the counts.
#[derive(Clone, Debug, Default)]
pub struct Replay {
    pub events: Vec<Event>,
    pub summary: Summary,
    /// With `exposure` on: the exposure changes between the starting state and the end of the
    /// replay (the net effect of the trail; a change made and reverted is not in it), for the
    /// subnets any record changed and that exist at both ends.
    pub net: Vec<ExposureChange>,
    /// Denial-of-service findings: write bursts, route quotas.
    pub findings: Vec<findings::Finding>,
}

impl Replay {
    /// Exposure changes of applied records that add exposure (`ChangeKind::is_new_exposure`)
    /// at `min` or more severe: what `vpcsim replay` exits 1 on. Every record counts, so an
    /// exposure that a later record reverted is still found.
    pub fn new_exposure(&self, min: exposure::Severity) -> usize {
        exposure::count_new_exposure(self.events.iter().flat_map(|e| &e.exposure), min)
    }
}

/// Error codes that say nothing about the model's state (permissions, throttling, AWS-side
/// faults): the model cannot judge them, so they are never divergences.
fn unjudgeable(code: &str) -> bool {
    matches!(
        code,
        "DryRunOperation"
            | "UnauthorizedOperation"
            | "AccessDenied"
            | "AccessDeniedException"
            | "AuthFailure"
            | "Blocked"
            | "OptInRequired"
            | "RequestLimitExceeded"
            | "Throttling"
            | "InternalError"
            | "ServiceUnavailable"
            | "Unavailable"
            | "IdempotentParameterMismatch"
    )
}

/// Replays `read` onto `net`. Records the reader ignored are counted, not listed.
pub fn replay(net: &mut Network, read: ReadResult, opts: &ReplayOptions) -> Replay {
    replay_with_progress(net, read, opts, &mut |_, _| {})
}

/// [`replay`], calling `progress(done, total)` as records are replayed (after each instant's
/// records: `done` of the `total` records kept, in the order they are applied), so that a
/// command can show how far a long replay has got. The callback paces any display itself.
pub fn replay_with_progress(
    net: &mut Network,
    read: ReadResult,
    opts: &ReplayOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Replay {
    let mut out = Replay::default();
    for _ in 0..read.ignored {
        out.summary.count(Outcome::Ignored);
    }

    let mut watch = findings::QuotaWatch::default();
    let limit = opts.apply.route_limit;
    let mut records = read.records;
    // eventTime first; within one instant, delivery order (file, then position), so that a
    // "delete then re-create" keeps its order. Records the model cannot apply yet because of
    // another record of the same instant (a missing resource, a dependency, a duplicate route)
    // are retried after the rest of that instant: dependency-aware tie-breaking (§8 case 15e).
    // Files are ordered by path, so the order the files were given in never matters.
    records.sort_by(|a, b| {
        // Positions compare by line, then by numeric index (a pointer string would put
        // "/Records/10" before "/Records/9").
        let key = |r: &Record| {
            (
                r.time.is_none(),
                r.time,
                r.file.clone(),
                r.position.line,
                r.position.index(),
                r.position.pointer.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    let mut seen = History::default();
    // The route graph and reach engine of the current state, kept from one record's exposure
    // to the next (the "after" graph of a record is the "before" graph of the next).
    let mut tracker = incremental::Tracker::default();
    if opts.exposure {
        // The reach at the start of every subnet a record may change, taken before its first
        // such record: what the net change compares the end with (no copy of the start).
        tracker.start = Some(BTreeMap::new());
        tracker.ingress_start = Some(exposure::ingress::Start::default());
    }
    // Records decoded a few ahead of the one applied, each once: the model is told what the
    // next changes will read (`Network::prefetch`), so that on a large account the waits for
    // their tables and routes overlap the work on this one.
    let mut ahead: BTreeMap<usize, Decoded> = BTreeMap::new();
    let mut i = 0;
    while i < records.len() {
        let mut j = i + 1;
        while j < records.len() && records[j].time == records[i].time && records[i].time.is_some() {
            j += 1;
        }
        let may_defer = j - i > 1;
        let group = if may_defer {
            // (Decoded here once: the records are then taken from `ahead`.)
            for (k, record) in records.iter().enumerate().take(j).skip(i) {
                ahead.entry(k).or_insert_with(|| decode(record));
            }
            causal_order(&ahead.range(i..j).map(|(_, d)| d).collect::<Vec<_>>())
        } else {
            vec![0]
        };
        let mut deferred = Vec::new();
        for (k, &g) in group.iter().enumerate() {
            let at = i + g;
            for d in 1..=Network::PREFETCH_DISTANCE {
                let next = i + k + d;
                if let Some(record) = records.get(next)
                    && let Decoded::Change(c) = ahead.entry(next).or_insert_with(|| decode(record))
                {
                    net.prefetch(c, d);
                }
            }
            let decoded = match ahead.remove(&at) {
                Some(d) => d,
                None => decode(&records[at]),
            };
            let record = &records[at];
            match step(
                net,
                record,
                decoded,
                opts,
                &mut seen,
                may_defer,
                &mut tracker,
            ) {
                Some(event) => {
                    watch.after(out.events.len(), &event, net, limit, &opts.findings);
                    out.summary.count_event(&event);
                    out.events.push(event);
                }
                None => deferred.push(record),
            }
        }
        // (Decoded ahead within this instant but applied in another order: not needed again.)
        ahead = ahead.split_off(&j);
        for record in deferred {
            let decoded = decode(record);
            if let Some(event) = step(net, record, decoded, opts, &mut seen, false, &mut tracker) {
                watch.after(out.events.len(), &event, net, limit, &opts.findings);
                out.summary.count_event(&event);
                out.events.push(event);
            }
        }
        progress(j, records.len());
        i = j;
    }
    if let Some(start) = tracker.start.take() {
        out.net = net_change(&start, net, &out.events);
        if let Some(ingress) = tracker.ingress_start.take() {
            out.net.extend(ingress.net_change(net));
        }
    }
    out.findings = findings::findings(&out.events, &watch, limit, &opts.findings);
    out
}

/// Replays records one at a time, in the order given, as [`replay`] does each record (the same
/// outcomes, descriptions, exposure and remediation), but without ordering by `eventTime`, the
/// same-instant retries, findings or a net change: for callers that bring their own order and
/// want each record's event as it happens (a benchmark of the per-event cost, a stream).
pub struct Stepper<'a> {
    net: &'a mut Network,
    opts: &'a ReplayOptions,
    seen: History,
    tracker: incremental::Tracker,
}

impl<'a> Stepper<'a> {
    pub fn new(net: &'a mut Network, opts: &'a ReplayOptions) -> Stepper<'a> {
        Stepper {
            net,
            opts,
            seen: History::default(),
            tracker: incremental::Tracker::default(),
        }
    }

    /// Replays one record onto the network.
    pub fn step(&mut self, record: &Record) -> Option<Event> {
        step(
            self.net,
            record,
            decode(record),
            self.opts,
            &mut self.seen,
            false,
            &mut self.tracker,
        )
    }

    /// The network as the records so far left it.
    pub fn network(&self) -> &Network {
        self.net
    }
}

/// The exposure changes from the start to `end` for every subnet some record changed or that
/// exists at only one end: a subnet no record changed has the same reach at both ends, since
/// each record's diff covers a safe superset of the subnets it can affect. A subnet created by
/// the trail is compared with its absence (what it can reach at the end is all new), a deleted
/// one the other way round. `start` holds the reach at the start of every subnet some record
/// could affect (`None`: not there yet), taken before the first such record.
fn net_change(
    start: &BTreeMap<SubnetId, Option<SubnetReach>>,
    end: &Network,
    events: &[Event],
) -> Vec<ExposureChange> {
    let mut subnets: BTreeSet<&SubnetId> = events
        .iter()
        .flat_map(|e| e.exposure.iter().map(|c| &c.subnet_id))
        .collect();
    // Created (absent at the start, there at the end) or deleted (the other way round).
    subnets.extend(
        start
            .iter()
            .filter(|(s, r)| r.is_none() == end.subnets.contains_key(*s))
            .map(|(s, _)| s),
    );
    if subnets.is_empty() {
        return Vec::new();
    }
    let ee = Engine::new(end);
    let mut out = Vec::new();
    for s in subnets {
        let after = ee.subnet_reach(end, s);
        // Never recorded: no record could change it (its reach is the same at both ends).
        let before = match start.get(s) {
            Some(r) => r.as_ref(),
            None => after.as_ref(),
        };
        out.extend(exposure::diff_either(before, after.as_ref()));
    }
    out
}

/// The inbound paths a record can change, from the state before it: the gateways that have an
/// edge route table, or that its change gives one (`None` when there are none: an account
/// without ingress routing pays nothing). `engine` indexes `net`'s structure when given.
fn ingress_before(
    net: &Network,
    change: Option<&Change>,
    engine: Option<&Engine>,
) -> Option<(BTreeSet<String>, exposure::ingress::IngressMap)> {
    let gateways = exposure::ingress::candidates(net, change);
    if gateways.is_empty() {
        return None;
    }
    let map = match engine {
        Some(e) => exposure::ingress::ingress_map(e, net, &gateways),
        None => exposure::ingress::ingress_map(&Engine::new(net), net, &gateways),
    };
    Some((gateways, map))
}

/// The ingress changes of a record, given [`ingress_before`]'s answer and the state after it;
/// the inbound paths before are also kept as the start of the net change when first seen.
fn ingress_changes(
    before: Option<(BTreeSet<String>, exposure::ingress::IngressMap)>,
    net: &Network,
    engine: Option<&Engine>,
    start: Option<&mut exposure::ingress::Start>,
) -> Vec<ExposureChange> {
    let Some((gateways, before)) = before else {
        return Vec::new();
    };
    let mut all = gateways.clone();
    all.extend(net.edge_gateways().map(str::to_string));
    let after = match engine {
        Some(e) => exposure::ingress::ingress_map(e, net, &all),
        None => exposure::ingress::ingress_map(&Engine::new(net), net, &all),
    };
    let changes = exposure::ingress::diff(&before, &after, net);
    if let Some(start) = start {
        start.seed(&gateways, before);
    }
    changes
}

/// Replays one record and, with `exposure` on, diffs the reach of the subnets its change can
/// affect before and after it. `tracker` holds the route graph (and reach engine) of `net` when
/// known; it is left describing the state after the record. A route change of a known table
/// takes the incremental path ([`incremental`]); any other change copies the model first and
/// diffs the two states.
fn step(
    net: &mut Network,
    record: &Record,
    decoded: Decoded,
    opts: &ReplayOptions,
    seen: &mut History,
    may_defer: bool,
    tracker: &mut incremental::Tracker,
) -> Option<Event> {
    let key = seen_key(record);
    // Records that cannot change the model (not a change, refused by AWS, a dry run, no time,
    // a duplicate, after `--until`) need no copy and leave the tracker as it is.
    let inert = !matches!(decoded, Decoded::Change(_))
        || record.failed()
        || record.dry_run
        || record.time.is_none()
        || key.as_ref().is_some_and(|k| seen.contains(k))
        || matches!((opts.until, record.time), (Some(until), Some(t)) if t > until);
    if !opts.exposure || inert {
        return replay_one(net, record, decoded, key, opts, seen, may_defer).map(|(e, _)| e);
    }
    let path = match &decoded {
        Decoded::Change(c) => tracker.prepare(net, c),
        _ => None,
    }
    .map(|s| Path::Incremental(Box::new(s)))
    .unwrap_or_else(|| Path::Full(Box::new(net.clone())));
    let change = match &decoded {
        Decoded::Change(c) => Some(c),
        _ => None,
    };
    let inbound = ingress_before(net, change, tracker.engine.as_ref());
    // Deferred: nothing changed.
    let (mut event, displaced) = replay_one(net, record, decoded, key, opts, seen, may_defer)?;
    if event.outcome != Outcome::Applied || event.effect.is_none() {
        // Refused, or nothing to remove: the model is as it was.
        return Some(event);
    }
    // The state before the record: the copy made for the full path, or the one an inference
    // replaced (the record applied only after the model was completed).
    // Inference completed the model (resources the record implied) before applying it.
    let completed = displaced.is_some();
    let before = match (path, displaced) {
        (_, Some(displaced)) => displaced,
        (Path::Full(before), None) => *before,
        (Path::Incremental(mut step), None) => {
            // A resynchronised route (the only change applied with something inferred on this
            // path) reverts as what the model applied, as `replay_one` decided (possibly none).
            if event.inferred.is_empty() {
                event.remediation = step.remediation.take();
            }
            event.exposure = tracker.finish(*step, net);
            event.exposure.extend(ingress_changes(
                inbound,
                net,
                tracker.engine.as_ref(),
                tracker.ingress_start.as_mut(),
            ));
            return Some(event);
        }
    };
    if let (Some(effect), Some(change)) = (&event.effect, &event.change)
        && is_host_change(change)
        && !effect.structural
        && !completed
    {
        event.exposure = host_exposure(&before, net, effect, tracker);
        event.exposure.extend(ingress_changes(
            inbound,
            net,
            tracker.engine.as_ref(),
            tracker.ingress_start.as_mut(),
        ));
        event.remediation = exposure::revert(change, &before);
        return Some(event);
    }
    tracker.structure_changed();
    if let Some(effect) = &event.effect {
        // (Always there: checked above.)
        let (changes, graph_after) = exposure_of(
            &before,
            net,
            effect,
            tracker.graph.take(),
            tracker.start.as_mut(),
        );
        event.exposure = changes;
        event.exposure.extend(ingress_changes(
            inbound,
            net,
            None,
            tracker.ingress_start.as_mut(),
        ));
        tracker.graph = graph_after;
    }
    if let Some(change) = &event.change {
        event.remediation = exposure::revert(change, &before);
    }
    Some(event)
}

/// Changes of hosts (instances, network interfaces, addresses) and creations of gateways (a NAT
/// gateway in a subnet; internet and virtual private gateways, created detached): they change
/// no route, table, association, subnet or VPC, only which interfaces and NAT gateways a subnet
/// holds, their addresses and whether routes to them are alive. [`host_exposure`] follows them
/// without rebuilding the route graph or the reach engine's index.
fn is_host_change(change: &Change) -> bool {
    matches!(
        change,
        Change::CreateNatGateway { .. }
            | Change::CreateInternetGateway { .. }
            | Change::CreateVpnGateway { .. }
            | Change::RunInstances { .. }
            | Change::TerminateInstances { .. }
            | Change::CreateNetworkInterface { .. }
            | Change::DeleteNetworkInterface { .. }
            | Change::ModifyNetworkInterfaceAttribute { .. }
            | Change::AllocateAddress { .. }
            | Change::AssociateAddress { .. }
            | Change::DisassociateAddress { .. }
            | Change::ReleaseAddress { .. }
    )
}

/// The exposure changes of a host change (`before` is the state before it, `after` after), by
/// the subnets the effect can affect in either state's route graph, as [`exposure_of`] finds
/// them; the tracker's graph and engine index are brought to the state after by the interfaces
/// that changed, not rebuilt (on a large account a rebuild cost about 0.1 s a record, and
/// RunInstances is one of the most frequent records of a real trail).
fn host_exposure(
    before: &Network,
    after: &Network,
    effect: &Effect,
    tracker: &mut incremental::Tracker,
) -> Vec<ExposureChange> {
    let mut graph = tracker
        .graph
        .take()
        .unwrap_or_else(|| RouteGraph::build(before));
    let mut engine = tracker.engine.take().unwrap_or_else(|| Engine::new(before));
    let enis = Engine::changed_interfaces(before, after);
    let nats = Engine::changed_nat_gateways(before, after);
    let mut subnets: BTreeSet<SubnetId> = BTreeSet::new();
    affected_subnets(before, &graph, effect, &mut subnets);
    graph.interfaces_changed(before, after, &enis);
    graph.nat_gateways_changed(before, after, &nats);
    affected_subnets(after, &graph, effect, &mut subnets);
    let reach_before: Vec<Option<SubnetReach>> = subnets
        .iter()
        .map(|s| engine.subnet_reach(before, s))
        .collect();
    engine.interfaces_changed(before, after, &enis);
    let mut out = Vec::new();
    for (s, b) in subnets.iter().zip(reach_before) {
        out.extend(exposure::diff_either(
            b.as_ref(),
            engine.subnet_reach(after, s).as_ref(),
        ));
        if let Some(start) = tracker.start.as_mut() {
            start.entry(s.clone()).or_insert(b);
        }
    }
    tracker.graph = Some(graph);
    tracker.engine = Some(engine);
    out
}

/// Adds the subnets whose reach `effect` can change in the state `net` (described by `graph`):
/// those depending on what it touched, and the touched subnets themselves.
fn affected_subnets(
    net: &Network,
    graph: &RouteGraph,
    effect: &Effect,
    subnets: &mut BTreeSet<SubnetId>,
) {
    for t in &effect.touched {
        subnets.extend(graph.affected_subnets(t));
        let id = SubnetId::new(t.as_str());
        if net.subnets.contains_key(&id) {
            subnets.insert(id);
        }
    }
}

/// How a record's exposure is computed: incrementally (a route change, prepared before it is
/// applied), or by comparing with a copy of the state before it.
enum Path {
    Incremental(Box<incremental::Step>),
    Full(Box<Network>),
}

/// The VPCs whose structure a structural effect changed (subnets created or deleted, CIDRs
/// associated or removed, the VPC itself created or deleted), from the IDs it touched, looked
/// up in either state; `None` when a touched ID names nothing either state knows (then every
/// subnet is compared).
fn structural_vpcs(before: &Network, after: &Network, effect: &Effect) -> Option<BTreeSet<VpcId>> {
    let mut vpcs = BTreeSet::new();
    for t in &effect.touched {
        let vpc = [before, after].into_iter().find_map(|net| {
            if t.starts_with(VpcId::PREFIX) {
                let id = VpcId::new(t.as_str());
                net.vpcs.contains_key(&id).then_some(id)
            } else if t.starts_with(SubnetId::PREFIX) {
                net.subnet_vpc(&SubnetId::new(t.as_str())).cloned()
            } else if t.starts_with(RouteTableId::PREFIX) {
                let id = RouteTableId::new(t.as_str());
                net.route_tables.get(&id).map(|rt| rt.vpc_id.clone())
            } else {
                None
            }
        });
        vpcs.insert(vpc?);
    }
    Some(vpcs)
}

/// The subnets whose reach a structural change to `vpcs` can alter, in `net` (one of the two
/// states) with its route graph: the VPCs' own subnets and every subnet whose traffic comes to
/// a route table of theirs or to one of their peering connections, directly or through NAT
/// gateways and appliances. Traffic is delivered inside a VPC only by its tables' local
/// routes or over its peering connections (a transit gateway is an exit, and traffic entering
/// through a gateway is compared apart, `exposure::ingress`), so that is every subnet that can
/// send to an address whose subnet the change created, removed or moved.
fn structural_subnets(
    net: &Network,
    graph: &RouteGraph,
    vpcs: &BTreeSet<VpcId>,
    subnets: &mut BTreeSet<SubnetId>,
) {
    let mut ids: Vec<&str> = Vec::new();
    ids.extend(
        net.route_tables
            .values()
            .filter(|t| vpcs.contains(&t.vpc_id))
            .map(|t| t.id.as_str()),
    );
    ids.extend(
        net.vpc_peering_connections
            .values()
            .filter(|p| vpcs.contains(&p.requester.vpc_id) || vpcs.contains(&p.accepter.vpc_id))
            .map(|p| p.id.as_str()),
    );
    for s in net.subnets.values().filter(|s| vpcs.contains(&s.vpc_id)) {
        ids.push(s.id.as_str());
        subnets.insert(s.id.clone());
    }
    subnets.extend(graph.closure_subnets(&ids));
}

/// The exposure changes between two states for the subnets the effect can affect: the route
/// graph of either state says which depend on what the effect touched (a safe superset; for a
/// structural effect, on the tables, peering connections and subnets of the VPCs it changed).
/// `graph_before` is `before`'s graph when known; the graph of `after` is returned for the next
/// record (`None` when every subnet was compared: a structural effect naming an ID neither
/// state knows).
fn exposure_of(
    before: &Network,
    after: &Network,
    effect: &Effect,
    graph_before: Option<RouteGraph>,
    mut start: Option<&mut BTreeMap<SubnetId, Option<SubnetReach>>>,
) -> (Vec<ExposureChange>, Option<RouteGraph>) {
    let mut subnets: BTreeSet<SubnetId> = BTreeSet::new();
    let mut graph_after = None;
    let scope = if effect.structural {
        structural_vpcs(before, after, effect)
    } else {
        None
    };
    if effect.structural && scope.is_none() {
        subnets.extend(before.subnets.keys().cloned());
        subnets.extend(after.subnets.keys().cloned());
    } else {
        // Without the graph before (the first record, or after a structural change), the two
        // graphs are built on two cores.
        let (gb, ga) = match graph_before {
            Some(gb) => (gb, RouteGraph::build(after)),
            None => std::thread::scope(|scope| {
                let b = scope.spawn(|| RouteGraph::build(before));
                let ga = RouteGraph::build(after);
                // A panic in the builder is a bug: re-raise it.
                let gb = b.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
                (gb, ga)
            }),
        };
        for (net, graph) in [(before, &gb), (after, &ga)] {
            match &scope {
                Some(vpcs) => structural_subnets(net, graph, vpcs, &mut subnets),
                None => affected_subnets(net, graph, effect, &mut subnets),
            }
        }
        graph_after = Some(ga);
    }
    let (eb, ea) = (Engine::new(before), Engine::new(after));
    let mut out = Vec::new();
    for s in &subnets {
        // A subnet created (or deleted) by the record is compared with its absence.
        let b = eb.subnet_reach(before, s);
        out.extend(exposure::diff_either(
            b.as_ref(),
            ea.subnet_reach(after, s).as_ref(),
        ));
        if let Some(start) = start.as_deref_mut() {
            start.entry(s.clone()).or_insert(b);
        }
    }
    (out, graph_after)
}

/// The order in which to apply the records of one instant, as positions in `group`: delivery
/// order, except that a record naming a resource another record of the instant creates comes
/// after its creator (§8 case 15e). Everything else keeps its delivery order, so "delete, then
/// re-create" stays in that order.
fn causal_order(group: &[&Decoded]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..group.len()).collect();
    if order.len() < 2 {
        return order;
    }
    let decoded: Vec<(Option<String>, String)> = group
        .iter()
        .map(|d| match d {
            Decoded::Change(c) => (created_id(c), format!("{c:?}")),
            _ => (None, String::new()),
        })
        .collect();
    let idx = dependency_order(&decoded);
    for (slot, &k) in order.iter_mut().zip(&idx) {
        *slot = k;
    }
    order
}

/// The order of `causal_order` for records given as (the ID each creates, the text that names
/// what it uses, IDs in double quotes).
fn dependency_order(decoded: &[(Option<String>, String)]) -> Vec<usize> {
    // A stable topological order: repeatedly take the first record, in delivery order, whose
    // creators in this instant have all been taken (a cycle takes the first one left). So a
    // record only ever moves after what it names, and dependents keep their delivery order.
    // Linear in the records and their text (a flood of thousands of records in one second is
    // an instant like any other) unless several records create one ID (each record naming it
    // then depends on all of them): the creators by ID, each record's quoted strings looked up.
    let n = decoded.len();
    let mut creators: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (b, (id, _)) in decoded.iter().enumerate() {
        if let Some(id) = id {
            creators.entry(id.as_str()).or_default().push(b);
        }
    }
    // `dependents[b]`: the records that name what `b` creates; `waiting[a]`: a's creators not
    // taken yet.
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut waiting = vec![0usize; n];
    for (a, (_, text)) in decoded.iter().enumerate() {
        let pieces: Vec<&str> = text.split('"').collect();
        // The pieces between two quotes (not the text before the first or after the last).
        let quoted = pieces
            .get(1..pieces.len().saturating_sub(1))
            .unwrap_or_default();
        let mut deps: Vec<usize> = quoted
            .iter()
            .filter_map(|p| creators.get(p))
            .flatten()
            .copied()
            .filter(|&b| b != a)
            .collect();
        deps.sort_unstable();
        deps.dedup();
        waiting[a] = deps.len();
        for b in deps {
            dependents[b].push(a);
        }
    }
    let mut taken = vec![false; n];
    let mut ready: std::collections::BinaryHeap<std::cmp::Reverse<usize>> = (0..n)
        .filter(|&a| waiting[a] == 0)
        .map(std::cmp::Reverse)
        .collect();
    let mut first_untaken = 0;
    let mut idx: Vec<usize> = Vec::with_capacity(n);
    while idx.len() < n {
        let a = match ready.pop() {
            Some(std::cmp::Reverse(a)) if taken[a] => continue,
            Some(std::cmp::Reverse(a)) => a,
            None => {
                // A cycle: the first record left.
                while first_untaken < n && taken[first_untaken] {
                    first_untaken += 1;
                }
                if first_untaken == n {
                    break;
                }
                first_untaken
            }
        };
        taken[a] = true;
        idx.push(a);
        for &d in &dependents[a] {
            waiting[d] = waiting[d].saturating_sub(1);
            if waiting[d] == 0 && !taken[d] {
                ready.push(std::cmp::Reverse(d));
            }
        }
    }
    idx
}

/// The ID a change creates (or attaches, or accepts), when the record says it.
fn created_id(c: &Change) -> Option<String> {
    use Change::*;
    let id = match c {
        CreateVpc {
            vpc_id: Some(v), ..
        } => v.to_string(),
        CreateSubnet {
            subnet_id: Some(s), ..
        } => s.to_string(),
        CreateRouteTable {
            route_table_id: Some(t),
            ..
        } => t.to_string(),
        CreateInternetGateway {
            internet_gateway_id: Some(i),
        } => i.to_string(),
        CreateEgressOnlyInternetGateway {
            egress_only_internet_gateway_id: Some(i),
            ..
        } => i.to_string(),
        CreateNatGateway {
            nat_gateway_id: Some(n),
            ..
        } => n.to_string(),
        CreateVpnGateway {
            vpn_gateway_id: Some(v),
            ..
        } => v.to_string(),
        CreateVpcPeeringConnection {
            vpc_peering_connection_id: Some(p),
            ..
        } => p.to_string(),
        CreateVpcEndpoint {
            vpc_endpoint_id: Some(e),
            ..
        } => e.to_string(),
        CreateNetworkInterface {
            network_interface_id: Some(e),
            ..
        } => e.to_string(),
        CreateTransitGatewayVpcAttachment {
            transit_gateway_attachment_id: Some(a),
            ..
        } => a.to_string(),
        AllocateAddress {
            allocation_id: Some(a),
            ..
        } => a.to_string(),
        AssociateRouteTable {
            association_id: Some(a),
            ..
        } => a.to_string(),
        // Attaching or accepting readies a resource for the routes that name it.
        AttachInternetGateway {
            internet_gateway_id: i,
            ..
        } => i.to_string(),
        AttachVpnGateway {
            vpn_gateway_id: v, ..
        } => v.to_string(),
        AcceptVpcPeeringConnection {
            vpc_peering_connection_id: p,
        } => p.to_string(),
        _ => return None,
    };
    Some(id)
}

/// A route record AWS accepted that the model refuses only because its state is stale, and the
/// change that brings the model where AWS was (lenient replay only): a CreateRoute answered
/// `RouteAlreadyExists` means AWS no longer had that route (an unseen change removed it), so the
/// new route replaces it; a ReplaceRoute of a route the model lacks means AWS had one, so the
/// new route is created.
fn resync(net: &Network, change: &Change, err: &Ec2Error) -> Option<(Change, String)> {
    match change {
        Change::CreateRoute {
            route_table_id,
            destination,
            targets,
        } if err.code == "RouteAlreadyExists" => {
            // Not when the route there is a local one (EC2 always refuses those: not a sign of
            // a stale state), nor when it already leads where the record says (the same call
            // seen again, or a retry).
            let existing = net
                .route_tables
                .get(route_table_id)?
                .routes
                .values()
                .find(|r| &r.destination == destination)?;
            if existing.target == Target::Local || targets.contains(&existing.target) {
                return None;
            }
            Some((
                Change::ReplaceRoute {
                    route_table_id: route_table_id.clone(),
                    destination: destination.clone(),
                    targets: targets.clone(),
                    local_target: false,
                },
                format!(
                    "AWS had no route for {destination} in {route_table_id} (a change the trail does not show removed the one the starting state has); the new route replaces it"
                ),
            ))
        }
        Change::ReplaceRoute {
            route_table_id,
            destination,
            targets,
            local_target: false,
        } if err.code == "InvalidParameterValue"
            && err.message.starts_with("There is no route defined") =>
        {
            Some((
                Change::CreateRoute {
                    route_table_id: route_table_id.clone(),
                    destination: destination.clone(),
                    targets: targets.clone(),
                },
                format!(
                    "AWS had a route for {destination} in {route_table_id} that the starting state lacks; the new route takes its place"
                ),
            ))
        }
        _ => None,
    }
}

/// Rejections another record of the same instant may resolve: tried again after the others.
/// ReplaceRoute of a route not created yet answers `InvalidParameterValue` (§2.2), told apart
/// by its message.
fn deferrable(e: &Ec2Error) -> bool {
    is_not_found(e.code)
        || matches!(
            e.code,
            "DependencyViolation"
                | "RouteAlreadyExists"
                | "Resource.AlreadyAssociated"
                | "Gateway.NotAttached"
        )
        || (e.code == "InvalidParameterValue"
            && (e.message.starts_with("There is no route defined")
                || e.message.contains("belong to different networks")))
}

/// Replays one record, or returns `None` (changing nothing) when `may_defer` and the model
/// rejects it in a way another record of the same instant may resolve.
/// Also returns the state before the record when the record applied only after inference
/// completed a copy of the model (the copy replaced `net`).
fn replay_one(
    net: &mut Network,
    record: &Record,
    decoded: Decoded,
    mut key: Option<SeenKey>,
    opts: &ReplayOptions,
    seen: &mut History,
    may_defer: bool,
) -> Option<(Event, Option<Network>)> {
    let mut ev = Event {
        event_id: record.event_id.clone(),
        event_time: record.event_time.clone(),
        time: record.time,
        event_name: record.event_name.clone(),
        principal: record.principal.clone(),
        source_ip: record.source_ip.clone(),
        user_agent: record.user_agent.clone(),
        region: record.aws_region.clone(),
        account: record.account_id.clone(),
        location: record.location(),
        file: record.file.display().to_string(),
        line: record.position.line,
        outcome: Outcome::Ignored,
        error_code: record.error_code.clone(),
        model_error: None,
        description: String::new(),
        inferred: Vec::new(),
        change: None,
        effect: None,
        exposure: Vec::new(),
        remediation: None,
    };
    if let Some(k) = &key
        && seen.contains(k)
    {
        ev.outcome = Outcome::Duplicate;
        ev.description = format!("event {} was already replayed", k.0);
        return Some((ev, None));
    }
    // `--until` covers every record read, whatever it decodes to.
    if let (Some(until), Some(t)) = (opts.until, record.time)
        && t > until
    {
        ev.outcome = Outcome::AfterUntil;
        ev.description = format!("after {until}: not applied");
        remember(seen, &mut key);
        return Some((ev, None));
    }
    let mut displaced = None;
    let change = match decoded {
        Decoded::Change(c) => c,
        Decoded::Ignored => {
            ev.description = "not an EC2 call of the route family".into();
            remember(seen, &mut key);
            return Some((ev, None));
        }
        Decoded::Unsupported(why) => {
            ev.outcome = Outcome::Unsupported;
            ev.description = why;
            remember(seen, &mut key);
            return Some((ev, None));
        }
        Decoded::Malformed(why) if record.failed() || record.dry_run => {
            // A call AWS rejected changed nothing, whatever its parameters say. When AWS refused
            // the parameters themselves (a malformed ID, an IPv6 CIDR given as
            // `destinationCidrBlock`: §2.2), vpcsim's refusal to read them is the same answer.
            ev.outcome = Outcome::FailedInAws;
            let code = record.error_code.as_deref().unwrap_or("DryRunOperation");
            ev.description = if code.ends_with("Malformed") || code == "InvalidParameterValue" {
                format!("{code}: nothing changed (vpcsim refuses its parameters too: {why})")
            } else {
                format!(
                    "{code}: nothing changed (its parameters cannot be compared with the model: {why})"
                )
            };
            remember(seen, &mut key);
            return Some((ev, None));
        }
        Decoded::Malformed(why) => {
            ev.outcome = Outcome::Malformed;
            ev.description = why;
            remember(seen, &mut key);
            return Some((ev, None));
        }
    };
    if record.time.is_none() {
        ev.outcome = Outcome::Malformed;
        ev.description = match &record.event_time {
            Some(t) => format!(
                "eventTime {t:?} is not a time vpcsim can read; the record cannot be ordered"
            ),
            None => "eventTime is missing; the record cannot be ordered".into(),
        };
        ev.change = Some(change);
        remember(seen, &mut key);
        return Some((ev, None));
    }
    if record.dry_run || record.failed() {
        let code = record
            .error_code
            .clone()
            .unwrap_or_else(|| "DryRunOperation".into());
        ev.error_code = Some(code.clone());
        if record.dry_run || unjudgeable(&code) {
            ev.outcome = Outcome::FailedInAws;
            ev.description = format!("{code}: nothing changed");
        } else {
            // Ask the model without changing it.
            let mut probe = net.clone();
            match probe.apply(&change, &opts.apply) {
                Ok(_) if let Some(why) = still_deleting(seen, net, &change, &code, record.time) => {
                    ev.outcome = Outcome::FailedInAws;
                    ev.description = why;
                }
                Ok(effect) => {
                    ev.outcome = Outcome::Diverged;
                    ev.description = format!(
                        "AWS answered {code}, but the model would have accepted it ({}); the starting state may be stale or incomplete",
                        effect.summary
                    );
                }
                Err(e) => {
                    ev.outcome = Outcome::FailedInAws;
                    ev.description = if e.code == code {
                        format!("{code}: nothing changed (the model agrees)")
                    } else {
                        format!(
                            "{code}: nothing changed (the model would have answered {})",
                            e.code
                        )
                    };
                    ev.model_error = Some(e);
                }
            }
        }
        ev.change = Some(change);
        remember(seen, &mut key);
        return Some((ev, None));
    }
    // A public NAT gateway about to be deleted: remembered if the record applies.
    let nat_deleted = match &change {
        Change::DeleteNatGateway { nat_gateway_id } => net
            .nat_gateways
            .get(nat_gateway_id)
            .filter(|n| n.connectivity == ConnectivityType::Public)
            .and_then(|n| {
                let vpc = n
                    .vpc_id
                    .clone()
                    .or_else(|| net.subnet_vpc(&n.subnet_id).cloned())?;
                Some((vpc, nat_gateway_id.clone(), n.subnet_id.clone()))
            }),
        _ => None,
    };
    let first = net.apply(&change, &opts.apply);
    if let Err(e) = &first
        && may_defer
        && deferrable(e)
    {
        // Another record of the same instant may be what this one needs: try it again after
        // them. `apply` changed nothing.
        return None;
    }
    remember(seen, &mut key);
    let mut effective: Option<Change> = None;
    // A stale route that nothing needs inferring for: the change AWS must have made applies
    // to the model directly (`apply` changes nothing when it refuses), with no copy, so the
    // record keeps the incremental exposure diff prepared for its table and destination.
    let direct = match &first {
        Err(e) if !opts.strict && !removes(&change) && !INFERABLE.contains(&e.code) => {
            resync(net, &change, e)
        }
        _ => None,
    };
    let result = match (first, direct) {
        (Err(e), Some((resync, why))) => {
            let before = opts.exposure.then(|| exposure::revert(&resync, net));
            match net.apply(&resync, &opts.apply) {
                Ok(effect) => {
                    ev.inferred.push(why);
                    // How to undo what the model applied, from the state before it.
                    ev.remediation = before.flatten();
                    effective = Some(resync);
                    Ok(effect)
                }
                Err(_) => Err(e),
            }
        }
        // (Only when something could be inferred or resynchronised: copying a large model for
        // every refused record would cost more than the rest of the replay.)
        (Err(e), None) if !opts.strict && !removes(&change) && repairable(net, &change, &e) => {
            // Missing resources: infer them, one at a time (a record may reference several), on
            // a copy that replaces the model only if the record then applies, so that a
            // rejected record never leaves an inference behind.
            let mut trial = net.clone();
            let mut inferred = Vec::new();
            let mut result = Err(e.clone());
            for _ in 0..4 {
                let Err(err) = &result else { break };
                match infer_missing(&mut trial, &change, err) {
                    Some(what) => {
                        inferred.push(what);
                        result = trial.apply(&change, &opts.apply);
                    }
                    None => break,
                }
            }
            if let Err(err) = &result
                && let Some((resync, why)) = resync(&trial, &change, err)
            {
                // AWS accepted what the model refuses because the starting state is stale in a
                // way the record itself shows: apply what AWS must have done (on top of what was
                // inferred on the way).
                let mut again = trial.clone();
                if let Ok(effect) = again.apply(&resync, &opts.apply) {
                    trial = again;
                    inferred.push(why);
                    result = Ok(effect);
                    // What the model applied, so that the revert undoes that.
                    effective = Some(resync);
                }
            }
            if result.is_ok() {
                displaced = Some(std::mem::replace(net, trial));
                ev.inferred = inferred;
                result
            } else {
                Err(e)
            }
        }
        (other, _) => other,
    };
    if !opts.strict
        && let Err(e) = &result
        && removes(&change)
        && is_not_found(e.code)
    {
        // Removing what the starting state never had: absent afterwards either way.
        ev.outcome = Outcome::Applied;
        ev.description = format!(
            "nothing to remove in the model ({}); absent afterwards either way",
            e.message
        );
        ev.inferred.push(format!(
            "the starting state lacked what {} removes",
            change.event_name()
        ));
        ev.model_error = Some(e.clone());
        ev.change = Some(change);
        return Some((ev, None));
    }
    match result {
        Ok(effect) => {
            ev.outcome = Outcome::Applied;
            ev.description = effect.summary.as_str().to_owned();
            if !ev.inferred.is_empty() {
                ev.description =
                    format!("{} (inferred: {})", ev.description, ev.inferred.join("; "));
            }
            ev.effect = Some(effect);
        }
        Err(e) => {
            ev.outcome = Outcome::Diverged;
            ev.description = format!(
                "AWS accepted it, but the model rejects it with {}: {}",
                e.code, e.message
            );
            ev.model_error = Some(e);
        }
    }
    if ev.outcome == Outcome::Applied
        && let (Some((vpc, nat, subnet)), Some(t)) = (nat_deleted, record.time)
    {
        let deleted = seen.nat_deleted.entry(vpc).or_default();
        deleted
            .retain(|(when, _, _)| t.unix_seconds() - when.unix_seconds() <= NAT_DELETION_SECONDS);
        deleted.push((t, nat, subnet));
    }
    ev.change = Some(effective.unwrap_or(change));
    Some((ev, displaced))
}

type SeenKey = (String, Option<String>, String, String);

/// What a replay remembers of the records before the one it replays.
#[derive(Default)]
struct History {
    /// The records replayed so far (only ever asked whether it holds a key, never listed).
    /// Keyed by the trail's own text, so hashed with the standard library's keyed hasher, not
    /// FxHash: a crafted trail cannot make its lookups collide.
    seen: std::collections::HashSet<SeenKey>,
    /// The public NAT gateways this replay deleted, by VPC: when, which, its subnet (see
    /// [`still_deleting`]; only the last [`NAT_DELETION_SECONDS`] matter, so older ones are
    /// dropped as new ones come).
    nat_deleted: BTreeMap<VpcId, Vec<(UtcTime, NatGatewayId, SubnetId)>>,
}

impl History {
    fn contains(&self, key: &SeenKey) -> bool {
        self.seen.contains(key)
    }
}

/// How long after a DeleteNatGateway AWS is assumed to be still deleting it (unverified: a
/// deletion takes minutes; `DescribeNatGateways` shows `deleting` meanwhile).
const NAT_DELETION_SECONDS: i64 = 15 * 60;

/// A refusal that a NAT gateway still being deleted explains (semantics doc §1.7: an internet
/// gateway cannot be detached while a public NAT gateway's Elastic IP is mapped, "until NAT
/// deletion finished"; and the gateway's interface keeps its subnet and VPC in use): AWS
/// answered `DependencyViolation` to DetachInternetGateway, DeleteSubnet or DeleteVpc within
/// [`NAT_DELETION_SECONDS`] of this replay deleting a public NAT gateway there, which `apply`
/// completes at once. The explanation, for the event's description.
fn still_deleting(
    history: &History,
    net: &Network,
    change: &Change,
    code: &str,
    time: Option<UtcTime>,
) -> Option<String> {
    if code != "DependencyViolation" {
        return None;
    }
    let (vpc, subnet) = match change {
        Change::DetachInternetGateway { vpc_id, .. } | Change::DeleteVpc { vpc_id } => {
            (vpc_id.clone(), None)
        }
        Change::DeleteSubnet { subnet_id } => (net.subnet_vpc(subnet_id)?.clone(), Some(subnet_id)),
        _ => return None,
    };
    let now = time?.unix_seconds();
    // The latest deletion that explains it: in the window, and in the subnet when one is named.
    let (after, nat, nat_subnet) = history
        .nat_deleted
        .get(&vpc)?
        .iter()
        .rev()
        .map(|(deleted, nat, nat_subnet)| (now - deleted.unix_seconds(), nat, nat_subnet))
        .find(|(after, _, nat_subnet)| {
            (0..=NAT_DELETION_SECONDS).contains(after) && subnet.is_none_or(|s| s == *nat_subnet)
        })?;
    Some(format!(
        "DependencyViolation: nothing changed (AWS was most likely still deleting NAT gateway {nat}, deleted {after} s before: a deletion takes minutes and keeps its Elastic IP mapped and its interface in {nat_subnet} meanwhile, while vpcsim completes it at once; assumed)"
    ))
}

/// What makes a record a second delivery of one already replayed: the same ID, time, name and
/// request (fixtures reuse IDs for different calls, so the ID alone is not enough).
fn seen_key(record: &Record) -> Option<SeenKey> {
    record.event_id.as_ref().map(|id| {
        (
            id.clone(),
            record.event_time.clone(),
            record.event_name.clone(),
            record.request_parameters.to_string(),
        )
    })
}

/// Marks a record as replayed, for duplicate detection (its key moves into the set).
fn remember(seen: &mut History, key: &mut Option<SeenKey>) {
    if let Some(k) = key.take() {
        seen.seen.insert(k);
    }
}

/// Whether a change only removes something (a route, an association, an attachment, a
/// resource).
fn removes(change: &Change) -> bool {
    let name = change.event_name();
    name.starts_with("Delete")
        || name.starts_with("Disassociate")
        || name.starts_with("Detach")
        || name.starts_with("Release")
        || name == "TerminateInstances"
        || name == "DisableVgwRoutePropagation"
}

/// EC2's codes for "no such resource" (semantics doc §2.2).
fn is_not_found(code: &str) -> bool {
    code.ends_with(".NotFound") || code == "NatGatewayNotFound"
}

/// The VPC a change is about, when it can be told from what the model holds.
fn change_vpc(net: &Network, change: &Change) -> Option<VpcId> {
    use Change::*;
    let table_vpc = |t: &RouteTableId| net.route_tables.get(t).map(|t| t.vpc_id.clone());
    let subnet_vpc = |s: &SubnetId| net.subnet_vpc(s).cloned();
    let target_vpc = |t: &Target| -> Option<VpcId> {
        match t {
            Target::InternetGateway(i) => net.internet_gateways.get(i)?.attached_vpc.clone(),
            Target::NatGateway(n) => net.nat_gateways.get(n)?.vpc_id.clone(),
            Target::NetworkInterface(e) => net.network_interfaces.get(e)?.vpc_id.clone(),
            Target::VpnGateway(v) => net.vpn_gateways.get(v)?.attached_vpc.clone(),
            Target::EgressOnlyInternetGateway(e) => net
                .egress_only_internet_gateways
                .get(e)?
                .attached_vpc
                .clone(),
            Target::VpcEndpoint(e) => Some(net.vpc_endpoints.get(e)?.vpc_id.clone()),
            Target::Instance(i) => subnet_vpc(net.instances.get(i)?.subnet_id.as_ref()?),
            // A connection joins two VPCs: the table is in one of them. When exactly one of
            // them still waits for its main table's ID (§8 case 15c), that is the one.
            Target::VpcPeeringConnection(p) => {
                let p = net.vpc_peering_connections.get(p)?;
                let waiting = |v: &VpcId| net.unbound_main_route_table(v).is_some();
                match (waiting(&p.requester.vpc_id), waiting(&p.accepter.vpc_id)) {
                    (true, false) => Some(p.requester.vpc_id.clone()),
                    (false, true) => Some(p.accepter.vpc_id.clone()),
                    _ => None,
                }
            }
            _ => None,
        }
    };
    match change {
        CreateRoute { targets, .. } | ReplaceRoute { targets, .. } => {
            targets.iter().find_map(target_vpc)
        }
        AssociateRouteTable {
            subnet_id,
            gateway_id,
            ..
        } => subnet_id.as_ref().and_then(subnet_vpc).or_else(|| {
            gateway_id
                .as_ref()
                .and_then(|g| target_vpc(&Target::from_id(g)))
        }),
        ReplaceRouteTableAssociation { route_table_id, .. } => table_vpc(route_table_id),
        CreateRouteTable { vpc_id, .. }
        | CreateSubnet { vpc_id, .. }
        | AttachInternetGateway { vpc_id, .. }
        | DetachInternetGateway { vpc_id, .. }
        | AttachVpnGateway { vpc_id, .. }
        | DetachVpnGateway { vpc_id, .. }
        | CreateVpcEndpoint { vpc_id, .. }
        | CreateEgressOnlyInternetGateway { vpc_id, .. }
        | CreateVpcPeeringConnection { vpc_id, .. }
        | CreateTransitGatewayVpcAttachment { vpc_id, .. } => Some(vpc_id.clone()),
        EnableVgwRoutePropagation { gateway_id, .. }
        | DisableVgwRoutePropagation { gateway_id, .. } => {
            net.vpn_gateways.get(gateway_id)?.attached_vpc.clone()
        }
        CreateNatGateway { subnet_id, .. } | CreateNetworkInterface { subnet_id, .. } => {
            subnet_vpc(subnet_id)
        }
        _ => None,
    }
}

/// The route table a change names, if any.
fn change_table(change: &Change) -> Option<&RouteTableId> {
    use Change::*;
    match change {
        CreateRoute { route_table_id, .. }
        | ReplaceRoute { route_table_id, .. }
        | DeleteRoute { route_table_id, .. }
        | DeleteRouteTable { route_table_id }
        | AssociateRouteTable { route_table_id, .. }
        | ReplaceRouteTableAssociation { route_table_id, .. }
        | EnableVgwRoutePropagation { route_table_id, .. }
        | DisableVgwRoutePropagation { route_table_id, .. } => Some(route_table_id),
        _ => None,
    }
}

/// The error codes [`infer_missing`] can act on (keep the two in step).
const INFERABLE: [&str; 7] = [
    "InvalidRouteTableID.NotFound",
    "InvalidAssociationID.NotFound",
    "InvalidVpcID.NotFound",
    "InvalidInternetGatewayID.NotFound",
    "InvalidGatewayID.NotFound",
    "InvalidSubnetID.NotFound",
    "InvalidSubnetId.NotFound",
];

/// Whether the lenient replay can do anything about `err`: infer what is missing, or resync a
/// stale route.
fn repairable(net: &Network, change: &Change, err: &Ec2Error) -> bool {
    INFERABLE.contains(&err.code) || resync(net, change, err).is_some()
}

/// Lenient mode: makes the one missing resource `err` complains about, if vpcsim can tell
/// enough about it; returns what it inferred. Never invents more than the record implies.
fn infer_missing(net: &mut Network, change: &Change, err: &Ec2Error) -> Option<String> {
    let opts = ApplyOptions::default();
    match err.code {
        "InvalidRouteTableID.NotFound" => {
            let table = change_table(change)?.clone();
            let vpc = change_vpc(net, change);
            // §8 case 15c: a VPC created in the trail has a main table whose ID only shows up
            // when a later record uses it.
            // Only when the record says which VPC: binding a table of unknown VPC to some main
            // table would guess.
            let placeholder = vpc
                .as_ref()
                .and_then(|v| net.unbound_main_route_table(v).cloned());
            if let Some(p) = placeholder {
                net.bind_route_table_id(&p, table.clone()).ok()?;
                return Some(format!(
                    "{table} is the main route table created with its VPC"
                ));
            }
            let vpc = vpc?;
            net.apply(
                &Change::CreateRouteTable {
                    vpc_id: vpc.clone(),
                    route_table_id: Some(table.clone()),
                },
                &opts,
            )
            .ok()?;
            Some(format!(
                "{table} exists in {vpc} (not in the starting state)"
            ))
        }
        "InvalidAssociationID.NotFound" => {
            let Change::ReplaceRouteTableAssociation {
                association_id,
                route_table_id,
                ..
            } = change
            else {
                return None;
            };
            let vpc = net.route_tables.get(route_table_id)?.vpc_id.clone();
            let p = net.unbound_main_association(&vpc)?.clone();
            net.bind_association_id(&p, association_id.clone()).ok()?;
            Some(format!("{association_id} is the main association of {vpc}"))
        }
        "InvalidVpcID.NotFound" => {
            let vpc = match change {
                Change::CreateRouteTable { vpc_id, .. }
                | Change::CreateSubnet { vpc_id, .. }
                | Change::AttachInternetGateway { vpc_id, .. }
                | Change::AttachVpnGateway { vpc_id, .. }
                | Change::CreateVpcEndpoint { vpc_id, .. }
                | Change::CreateEgressOnlyInternetGateway { vpc_id, .. }
                | Change::CreateVpcPeeringConnection { vpc_id, .. }
                | Change::CreateTransitGatewayVpcAttachment { vpc_id, .. } => vpc_id.clone(),
                _ => return None,
            };
            net.apply(
                &Change::CreateVpc {
                    vpc_id: Some(vpc.clone()),
                    cidr_block: None,
                    ipv6_cidr_block: None,
                    owner_id: None,
                },
                &opts,
            )
            .ok()?;
            Some(format!("{vpc} exists (CIDRs unknown)"))
        }
        "InvalidInternetGatewayID.NotFound" | "InvalidGatewayID.NotFound" => {
            let igw = match change {
                Change::AttachInternetGateway {
                    internet_gateway_id,
                    ..
                }
                | Change::DetachInternetGateway {
                    internet_gateway_id,
                    ..
                }
                | Change::DeleteInternetGateway {
                    internet_gateway_id,
                } => internet_gateway_id.clone(),
                Change::CreateRoute { targets, .. } | Change::ReplaceRoute { targets, .. } => {
                    targets.iter().find_map(|t| match t {
                        Target::InternetGateway(i) if !net.internet_gateways.contains_key(i) => {
                            Some(i.clone())
                        }
                        _ => None,
                    })?
                }
                _ => return None,
            };
            net.apply(
                &Change::CreateInternetGateway {
                    internet_gateway_id: Some(igw.clone()),
                },
                &opts,
            )
            .ok()?;
            // A route to it only makes sense if it is attached to the table's VPC.
            if let Some(t) = change_table(change)
                && let Some(vpc) = net.route_tables.get(t).map(|t| t.vpc_id.clone())
                && net.attached_internet_gateway(&vpc).is_none()
            {
                let _ = net.apply(
                    &Change::AttachInternetGateway {
                        internet_gateway_id: igw.clone(),
                        vpc_id: vpc.clone(),
                    },
                    &opts,
                );
                return Some(format!("{igw} exists, attached to {vpc}"));
            }
            Some(format!("{igw} exists"))
        }
        "InvalidSubnetID.NotFound" | "InvalidSubnetId.NotFound" => {
            let (subnet, vpc) = match change {
                Change::AssociateRouteTable {
                    route_table_id,
                    subnet_id: Some(s),
                    ..
                } => (
                    s.clone(),
                    net.route_tables.get(route_table_id)?.vpc_id.clone(),
                ),
                _ => return None,
            };
            net.subnets
                .insert(subnet.clone(), Subnet::new(subnet.clone(), vpc.clone()));
            net.reindex();
            Some(format!("{subnet} exists in {vpc} (CIDR unknown)"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two public NAT gateways deleted in one VPC (a multi-AZ teardown): a DependencyViolation
    /// is explained by the deletion in the subnet it names, or by the latest for the VPC, and
    /// only within the window.
    #[test]
    fn still_deleting_finds_the_deletion_of_the_subnet_named() {
        let vpc = VpcId::new("vpc-1");
        let mut net = Network::default();
        for s in ["subnet-a", "subnet-b", "subnet-c"] {
            net.subnets
                .insert(SubnetId::new(s), Subnet::new(s.into(), vpc.clone()));
        }
        let at = |s: &str| UtcTime::parse(s).expect("time");
        let mut history = History::default();
        history.nat_deleted.insert(
            vpc.clone(),
            vec![
                (
                    at("2024-06-10T09:00:00Z"),
                    "nat-a".into(),
                    "subnet-a".into(),
                ),
                (
                    at("2024-06-10T09:00:30Z"),
                    "nat-b".into(),
                    "subnet-b".into(),
                ),
            ],
        );
        let delete_subnet = |s: &str| Change::DeleteSubnet {
            subnet_id: s.into(),
        };
        let ask = |change: &Change, code: &str, time: &str| {
            still_deleting(&history, &net, change, code, Some(at(time)))
        };
        let a = ask(
            &delete_subnet("subnet-a"),
            "DependencyViolation",
            "2024-06-10T09:01:00Z",
        );
        assert!(a.is_some_and(|w| w.contains("nat-a, deleted 60 s before")));
        let detach = Change::DetachInternetGateway {
            internet_gateway_id: "igw-1".into(),
            vpc_id: vpc.clone(),
        };
        let d = ask(&detach, "DependencyViolation", "2024-06-10T09:01:00Z");
        assert!(d.is_some_and(|w| w.contains("nat-b, deleted 30 s before")));
        // No NAT gateway was in subnet-c; another code; too late; before the deletion.
        assert!(
            ask(
                &delete_subnet("subnet-c"),
                "DependencyViolation",
                "2024-06-10T09:01:00Z"
            )
            .is_none()
        );
        assert!(ask(&detach, "InvalidParameterValue", "2024-06-10T09:01:00Z").is_none());
        assert!(ask(&detach, "DependencyViolation", "2024-06-10T09:20:00Z").is_none());
        assert!(ask(&detach, "DependencyViolation", "2024-06-10T08:59:00Z").is_none());
    }

    /// The order as first written (quadratic in the records of an instant, kept here as the
    /// reference): the first record whose creators have all been taken, else the first left.
    fn reference(decoded: &[(Option<String>, String)]) -> Vec<usize> {
        let n = decoded.len();
        let deps: Vec<Vec<usize>> = (0..n)
            .map(|a| {
                (0..n)
                    .filter(|&b| {
                        a != b
                            && decoded[b]
                                .0
                                .as_ref()
                                .is_some_and(|id| decoded[a].1.contains(&format!("\"{id}\"")))
                    })
                    .collect()
            })
            .collect();
        let mut taken = vec![false; n];
        let mut idx = Vec::new();
        while idx.len() < n {
            let next = (0..n)
                .find(|&a| !taken[a] && deps[a].iter().all(|&b| taken[b]))
                .or_else(|| (0..n).find(|&a| !taken[a]));
            let Some(a) = next else { break };
            taken[a] = true;
            idx.push(a);
        }
        idx
    }

    /// Random instants (chains, forks, cycles, self-references, IDs created twice, unquoted
    /// mentions that must not count) ordered as the reference orders them.
    #[test]
    fn dependency_order_is_the_reference_order() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |m: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % m
        };
        for round in 0..500 {
            let n = 1 + next(12) as usize;
            let decoded: Vec<(Option<String>, String)> = (0..n)
                .map(|_| {
                    let created = (next(3) > 0).then(|| format!("rtb-{}", next(6)));
                    let mut text = String::from("Change { ");
                    for _ in 0..next(4) {
                        let id = format!("rtb-{}", next(6));
                        if next(4) == 0 {
                            text.push_str(&format!("bare {id} "));
                        } else {
                            text.push_str(&format!("Id(\"{id}\") "));
                        }
                    }
                    text.push('}');
                    (created, text)
                })
                .collect();
            assert_eq!(
                dependency_order(&decoded),
                reference(&decoded),
                "round {round}: {decoded:?}"
            );
        }
        // A flood: thousands of records in one instant, each using what the one before made.
        let flood: Vec<(Option<String>, String)> = (0..5000)
            .map(|i| {
                (
                    Some(format!("rtb-{i}")),
                    format!("Change {{ Id(\"rtb-{}\") }}", (i + 4999) % 5000),
                )
            })
            .collect();
        let order = dependency_order(&flood);
        assert_eq!(order.len(), 5000);
        // Record 0 names rtb-4999 (made by the last record): a cycle, broken at the first.
        assert_eq!(&order[..3], &[0, 1, 2]);
    }
}
