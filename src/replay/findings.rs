//! Denial-of-service findings of a replay (product.md's third misuse pattern): a burst of
//! route-family writes by one principal in a short window, and route tables nearing or hitting
//! their route quota (§3.7, `RouteLimitExceeded`). Each finding carries the same attribution as
//! an event (principal, source addresses, event IDs, first and last time). Findings are computed
//! from the replayed events in their applied order, so the output is deterministic.

use super::{Event, Outcome, change_table};
use crate::addr::Family;
use crate::exposure::Severity;
use crate::model::{Change, Network, RouteTableId};
use std::collections::{BTreeMap, BTreeSet};

/// Thresholds (README "Findings"). The defaults: 20 writes by one principal within 60 seconds
/// is a burst; a table at 80% of its route quota is near it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindingOptions {
    pub burst_writes: usize,
    pub burst_window_secs: i64,
    pub quota_warn_percent: usize,
}

impl Default for FindingOptions {
    fn default() -> Self {
        FindingOptions {
            burst_writes: 20,
            burst_window_secs: 60,
            quota_warn_percent: 80,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FindingKind {
    /// At least `burst_writes` route-family writes by one principal within the window.
    RouteWriteBurst,
    /// A route table's routes of one family reached `quota_warn_percent` of the limit.
    RouteQuotaNear,
    /// A record was refused with `RouteLimitExceeded` (by AWS or by the model).
    RouteQuotaReached,
}

impl FindingKind {
    pub fn name(self) -> &'static str {
        match self {
            FindingKind::RouteWriteBurst => "ROUTE_WRITE_BURST",
            FindingKind::RouteQuotaNear => "ROUTE_QUOTA_NEAR",
            FindingKind::RouteQuotaReached => "ROUTE_QUOTA_REACHED",
        }
    }
}

/// One finding, attributed like an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub kind: FindingKind,
    pub severity: Severity,
    /// Who: the principal of the records (`None` when CloudTrail did not say).
    pub principal: Option<String>,
    /// Every source address of the records, sorted.
    pub source_ips: Vec<String>,
    /// Every user agent, region and account of the records, each sorted (usually one each).
    pub user_agents: Vec<String>,
    pub regions: Vec<String>,
    pub accounts: Vec<String>,
    pub first_time: Option<String>,
    pub last_time: Option<String>,
    /// The records behind the finding, in applied order.
    pub event_ids: Vec<String>,
    pub records: usize,
    pub route_table_id: Option<RouteTableId>,
    pub family: Option<Family>,
    pub message: String,
}

/// Route tables sampled after applied records, for `ROUTE_QUOTA_NEAR`: the first record that
/// takes a table's family to the warning level.
#[derive(Default)]
pub(super) struct QuotaWatch {
    near: BTreeMap<(RouteTableId, Family), (usize, usize)>,
}

impl QuotaWatch {
    /// Looks at the table event `index` changed (after it was applied to `net`).
    pub(super) fn after(
        &mut self,
        index: usize,
        event: &Event,
        net: &Network,
        limit: usize,
        opts: &FindingOptions,
    ) {
        if event.outcome != Outcome::Applied {
            return;
        }
        let Some(change) = &event.change else { return };
        if !matches!(
            change,
            Change::CreateRoute { .. } | Change::ReplaceRoute { .. }
        ) {
            return;
        }
        let Some(id) = change_table(change) else {
            return;
        };
        let Some(table) = net.route_tables.get(id) else {
            return;
        };
        for family in Family::ALL {
            let used = net.route_quota_used(table, family);
            if limit > 0
                && used.saturating_mul(100) >= limit.saturating_mul(opts.quota_warn_percent)
            {
                self.near
                    .entry((id.clone(), family))
                    .or_insert((index, used));
            }
        }
    }
}

fn is_write(e: &Event) -> bool {
    matches!(
        e.outcome,
        Outcome::Applied | Outcome::FailedInAws | Outcome::Diverged | Outcome::Unsupported
    )
}

fn refused_for_quota(e: &Event) -> bool {
    e.error_code.as_deref() == Some("RouteLimitExceeded")
        || e.model_error
            .as_ref()
            .is_some_and(|m| m.code == "RouteLimitExceeded")
}

fn attributed(
    kind: FindingKind,
    severity: Severity,
    events: &[&Event],
    message: String,
) -> Finding {
    let all = |f: fn(&Event) -> &Option<String>| -> Vec<String> {
        let set: BTreeSet<String> = events.iter().filter_map(|e| f(e).clone()).collect();
        set.into_iter().collect()
    };
    Finding {
        kind,
        severity,
        principal: events.first().and_then(|e| e.principal.clone()),
        source_ips: all(|e| &e.source_ip),
        user_agents: all(|e| &e.user_agent),
        regions: all(|e| &e.region),
        accounts: all(|e| &e.account),
        first_time: events.first().and_then(|e| e.event_time.clone()),
        last_time: events.last().and_then(|e| e.event_time.clone()),
        event_ids: events.iter().filter_map(|e| e.event_id.clone()).collect(),
        records: events.len(),
        route_table_id: None,
        family: None,
        message,
    }
}

/// Bursts: for each principal, the writes that fall in some window of `burst_window_secs` with
/// at least `burst_writes` writes, merged into one finding per run of overlapping windows.
fn bursts(events: &[Event], opts: &FindingOptions, out: &mut Vec<Finding>) {
    if opts.burst_writes == 0 {
        return;
    }
    let window = opts.burst_window_secs.max(0);
    let mut by_principal: BTreeMap<Option<&str>, Vec<&Event>> = BTreeMap::new();
    for e in events.iter().filter(|e| is_write(e) && e.time.is_some()) {
        by_principal
            .entry(e.principal.as_deref())
            .or_default()
            .push(e);
    }
    for list in by_principal.values() {
        let secs = |e: &Event| e.time.map(|t| t.unix_seconds()).unwrap_or(0);
        let mut marked = vec![false; list.len()];
        let mut l = 0;
        for r in 0..list.len() {
            while l < r && secs(list[r]) - secs(list[l]) > window {
                l += 1;
            }
            if r + 1 - l >= opts.burst_writes {
                marked[l..=r].iter_mut().for_each(|m| *m = true);
            }
        }
        let mut i = 0;
        while i < list.len() {
            if !marked[i] {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < list.len() && marked[j] && secs(list[j]) - secs(list[j - 1]) <= window {
                j += 1;
            }
            let run = &list[i..j];
            let span = secs(run[run.len() - 1]) - secs(run[0]);
            let refused = run.iter().filter(|e| refused_for_quota(e)).count();
            let severity = if refused > 0 {
                Severity::High
            } else {
                Severity::Medium
            };
            let mut message = format!(
                "{} route-family writes in {span} s by one principal (threshold {} in {} s): runaway automation, or a flood meant to exhaust route quotas or hide a change among many",
                run.len(),
                opts.burst_writes,
                opts.burst_window_secs
            );
            if refused > 0 {
                message.push_str(&format!("; {refused} refused with RouteLimitExceeded"));
            }
            out.push(attributed(
                FindingKind::RouteWriteBurst,
                severity,
                run,
                message,
            ));
            i = j;
        }
    }
}

/// The findings of a replay, in a stable order (kind, then first record).
pub(super) fn findings(
    events: &[Event],
    watch: &QuotaWatch,
    limit: usize,
    opts: &FindingOptions,
) -> Vec<Finding> {
    let mut out = Vec::new();
    bursts(events, opts, &mut out);
    for ((table, family), (index, used)) in &watch.near {
        let Some(e) = events.get(*index) else {
            continue;
        };
        let mut f = attributed(
            FindingKind::RouteQuotaNear,
            Severity::Low,
            &[e],
            format!(
                "{table} holds {used} of its {limit} {family} routes ({}% or more): new routes, failover or remediation routes included, will soon be refused",
                opts.quota_warn_percent
            ),
        );
        f.route_table_id = Some(table.clone());
        f.family = Some(*family);
        out.push(f);
    }
    // Refusals for quota, one finding per route table and principal (each finding names who
    // made its records).
    type Key<'e> = (Option<&'e RouteTableId>, Option<&'e str>);
    let mut refused: BTreeMap<Key, Vec<&Event>> = BTreeMap::new();
    for e in events.iter().filter(|e| refused_for_quota(e)) {
        refused
            .entry((
                e.change.as_ref().and_then(change_table),
                e.principal.as_deref(),
            ))
            .or_default()
            .push(e);
    }
    for ((table, _), list) in refused {
        let name = table
            .map(|t| t.to_string())
            .unwrap_or_else(|| "a route table".into());
        let mut f = attributed(
            FindingKind::RouteQuotaReached,
            Severity::High,
            &list,
            format!(
                "{name} is full: {} record(s) refused with RouteLimitExceeded (limit {limit} per family); routes that failover or a fix needs cannot be added (availability)",
                list.len()
            ),
        );
        f.route_table_id = table.cloned();
        out.push(f);
    }
    out.sort_by(|a, b| {
        (a.kind, &a.first_time, &a.event_ids).cmp(&(b.kind, &b.first_time, &b.event_ids))
    });
    out
}
