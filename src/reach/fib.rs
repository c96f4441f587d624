//! A route table compiled for one address family: the whole address space partitioned into
//! disjoint intervals, each with the route EC2 would select for every address in it.
//!
//! Selection follows semantics doc §3.3: longest prefix first; on equal length a static CIDR
//! route beats a prefix-list entry, which beats a propagated route; prefix-list routes take part
//! with each entry as its own prefix; two prefix-list entries of equal length pointing at
//! different targets are flagged as ambiguous (AWS picks one "randomly"), and vpcsim picks the
//! lowest prefix-list ID so that results stay deterministic. Blackhole routes stay candidates:
//! their state is applied by the walker, so that a blackhole best match drops (§3.4).

use crate::addr::{Family, Interval};
use crate::model::{
    Destination, Network, PrefixListId, Route, RouteTable, RouteTableId, TargetStatus, VpcId,
};
use ipnet::IpNet;
use std::cell::OnceCell;
use std::sync::Arc;

/// One candidate route, with the prefix that made it match.
#[derive(Clone, Debug)]
pub struct FibEntry {
    pub route: Route,
    /// The matching prefix: the route's CIDR, or the prefix-list entry.
    pub matched: IpNet,
    pub via_prefix_list: Option<PrefixListId>,
    /// Another route of the same prefix length and rank that AWS might choose instead.
    pub ambiguous_with: Option<Box<Route>>,
    /// How a trace names the match ("0.0.0.0/0", or "pl-… (52.216.0.0/15)"): built on the first
    /// walk that passes the entry and shared by the later ones ([`FibEntry::matched_name`]);
    /// most entries of a table compiled for a few ranges are never passed.
    matched_name: OnceCell<Arc<str>>,
    /// The target's ID, shared.
    pub target_name: Arc<str>,
    /// What a walk makes of the route's state in the table's VPC, worked out on the first
    /// walk that passes the entry ([`FibEntry::verdict`]): the state of a route's target does
    /// not change while a compiled table is in use (see `walk::Caches`).
    verdict: OnceCell<(VpcId, Verdict)>,
}

/// A route's state as a walk uses it, with the explanation it adds already worded.
#[derive(Clone, Debug)]
pub enum Verdict {
    Active,
    /// Blackhole, with the `BLACKHOLE_ROUTE` message.
    Blackhole(Arc<str>),
    /// Target not described, with the `ASSUMED_TARGET` message.
    Unknown(Arc<str>),
}

impl FibEntry {
    /// The route's state in `vpc` (the table's VPC), from the network on first use.
    pub fn verdict(&self, net: &Network, vpc: &VpcId) -> Verdict {
        let work_out = || match net.route_status(vpc, &self.route) {
            TargetStatus::Active => Verdict::Active,
            TargetStatus::Blackhole(why) => Verdict::Blackhole(Arc::from(format!(
                "route {} -> {} is blackhole: {why}; matching traffic is dropped, with no fall-through (semantics doc §3.4)",
                self.route.destination, self.route.target
            ))),
            TargetStatus::Unknown(why) => Verdict::Unknown(Arc::from(why)),
        };
        match self.verdict.get() {
            Some((v, verdict)) if v == vpc => verdict.clone(),
            // A table walked from two VPCs (an inconsistent input): no caching.
            Some(_) => work_out(),
            None => self
                .verdict
                .get_or_init(|| (vpc.clone(), work_out()))
                .1
                .clone(),
        }
    }

    /// How a trace names the match ("0.0.0.0/0", or "pl-… (52.216.0.0/15)").
    pub fn matched_name(&self) -> Arc<str> {
        self.matched_name
            .get_or_init(|| match &self.via_prefix_list {
                Some(pl) => Arc::from(format!("{pl} ({})", self.matched)),
                None => Arc::from(self.route.destination.to_string()),
            })
            .clone()
    }
}

/// What the table does with one interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    NoRoute,
    Entry(u32),
}

#[derive(Clone, Debug)]
pub struct FibSeg {
    pub iv: Interval,
    pub choice: Choice,
}

/// The compiled table.
#[derive(Clone, Debug, Default)]
pub struct Fib {
    pub entries: Vec<FibEntry>,
    /// Sorted, disjoint, covering the whole family space.
    pub segs: Vec<FibSeg>,
    /// The `NO_ROUTE` message, worded once ([`Fib::no_route_message`]).
    no_route: OnceCell<Arc<str>>,
}

/// Rank on equal prefix length: lower wins (§3.3).
fn rank(route: &Route, via_pl: bool) -> u8 {
    if route.origin.is_propagated() {
        2
    } else if via_pl {
        1
    } else {
        0
    }
}

impl Fib {
    pub fn compile(net: &Network, table: &RouteTable, family: Family) -> Fib {
        Fib::build(net, table, family, None)
    }

    /// The table compiled from only the routes that overlap `within` (sorted, disjoint): it
    /// chooses exactly as [`Fib::compile`] for every address inside `within` (every route
    /// containing such an address overlaps it) and must not be asked about any other.
    pub fn compile_within(
        net: &Network,
        table: &RouteTable,
        family: Family,
        within: &[Interval],
    ) -> Fib {
        Fib::build(net, table, family, Some(within))
    }

    fn build(
        net: &Network,
        table: &RouteTable,
        family: Family,
        within: Option<&[Interval]>,
    ) -> Fib {
        let wanted = |iv: &Interval| match within {
            None => true,
            Some(w) => {
                let i = w.partition_point(|x| x.hi < iv.lo);
                w.get(i).is_some_and(|x| x.lo <= iv.hi)
            }
        };
        // (interval, prefix len, rank, prefix-list id, route, matched prefix)
        type Candidate<'a> = (Interval, u8, u8, Option<&'a PrefixListId>, &'a Route, IpNet);
        // Room for every route up front: growing these vectors a push at a time was a tenth of
        // `reach_all` (each regrowth a larger block, which makes glibc consolidate its small
        // free blocks; BENCHMARKS.md, "Reach", session 12).
        let mut cands: Vec<Candidate> = Vec::with_capacity(match within {
            None => table.routes.len() + 4,
            Some(_) => 8,
        });
        for route in &table.routes {
            match &route.destination {
                Destination::PrefixList(pl) => {
                    if let Some(list) = net.prefix_lists.get(pl) {
                        for c in &list.cidrs {
                            if Family::of_net(c) == family && wanted(&Interval::of_net(c)) {
                                let c = c.trunc();
                                cands.push((
                                    Interval::of_net(&c),
                                    c.prefix_len(),
                                    rank(route, true),
                                    Some(pl),
                                    route,
                                    c,
                                ));
                            }
                        }
                    }
                }
                d => {
                    if let Some(n) = d.net()
                        && Family::of_net(&n) == family
                        && wanted(&Interval::of_net(&n))
                    {
                        cands.push((
                            Interval::of_net(&n),
                            n.prefix_len(),
                            rank(route, false),
                            None,
                            route,
                            n,
                        ));
                    }
                }
            }
        }
        // Same prefix: best rank first, then lowest prefix-list ID, then target for determinism.
        cands.sort_by(|a, b| {
            (a.0.lo, a.1, a.2, a.3, &a.4.target).cmp(&(b.0.lo, b.1, b.2, b.3, &b.4.target))
        });
        let mut entries: Vec<FibEntry> = Vec::with_capacity(cands.len());
        let mut prefixes: Vec<(Interval, u32)> = Vec::with_capacity(cands.len());
        let mut i = 0;
        while i < cands.len() {
            let (iv, len, rk, pl, route, matched) = cands[i];
            let mut j = i + 1;
            let mut ambiguous_with = None;
            while j < cands.len() && cands[j].0.lo == iv.lo && cands[j].1 == len {
                if ambiguous_with.is_none() && cands[j].2 == rk && cands[j].4.target != route.target
                {
                    ambiguous_with = Some(Box::new(cands[j].4.clone()));
                }
                j += 1;
            }
            prefixes.push((iv, entries.len() as u32));
            entries.push(FibEntry {
                route: route.clone(),
                matched,
                via_prefix_list: pl.cloned(),
                ambiguous_with,
                matched_name: OnceCell::new(),
                target_name: route.target.name(),
                verdict: OnceCell::new(),
            });
            i = j;
        }
        let segs = sweep(family, &prefixes);
        Fib {
            entries,
            segs,
            no_route: OnceCell::new(),
        }
    }

    /// The explanation of the ranges no route of `table` (this table) matches.
    pub fn no_route_message(&self, table: &RouteTableId) -> Arc<str> {
        self.no_route
            .get_or_init(|| {
                Arc::from(format!(
                    "no route in {table} matches; the VPC router drops the packet (semantics doc §4.8)"
                ))
            })
            .clone()
    }

    /// The choice for one address (binary search over the partition).
    pub fn lookup(&self, a: u128) -> Choice {
        let i = self.segs.partition_point(|s| s.iv.hi < a);
        self.segs
            .get(i)
            .map(|s| s.choice)
            .unwrap_or(Choice::NoRoute)
    }

    /// The pieces of `iv` with their choices, in address order.
    pub fn pieces(&self, iv: Interval) -> impl Iterator<Item = (Interval, Choice)> + '_ {
        let start = self.segs.partition_point(|s| s.iv.hi < iv.lo);
        self.segs[start..]
            .iter()
            .take_while(move |s| s.iv.lo <= iv.hi)
            .filter_map(move |s| s.iv.intersect(&iv).map(|x| (x, s.choice)))
    }
}

/// Partitions the family space by longest match over a laminar family of prefixes sorted by
/// (start, length). Adjacent intervals with the same choice are merged.
fn sweep(family: Family, prefixes: &[(Interval, u32)]) -> Vec<FibSeg> {
    // A prefix opens at most one interval before it and one after it closes.
    let mut out: Vec<FibSeg> = Vec::with_capacity(2 * prefixes.len() + 1);
    let mut emit = |lo: u128, hi: u128, choice: Choice| {
        if let Some(last) = out.last_mut()
            && last.choice == choice
            && last.iv.hi.checked_add(1) == Some(lo)
        {
            last.iv.hi = hi;
            return;
        }
        out.push(FibSeg {
            iv: Interval::new(lo, hi),
            choice,
        });
    };
    // `cur` is the first address not yet emitted; None once the whole space is covered.
    let mut cur: Option<u128> = Some(0);
    let mut stack: Vec<(u128, Choice)> = Vec::with_capacity(prefixes.len().min(129));
    let top = |stack: &Vec<(u128, Choice)>| stack.last().map(|t| t.1).unwrap_or(Choice::NoRoute);
    for &(iv, idx) in prefixes {
        // Close every open prefix that ends before this one starts.
        while let Some(&(hi, choice)) = stack.last() {
            if hi >= iv.lo {
                break;
            }
            if let Some(c) = cur
                && c <= hi
            {
                emit(c, hi, choice);
                cur = hi.checked_add(1);
            }
            stack.pop();
        }
        if let Some(c) = cur
            && c < iv.lo
        {
            emit(c, iv.lo - 1, top(&stack));
            cur = Some(iv.lo);
        }
        stack.push((iv.hi, Choice::Entry(idx)));
    }
    while let Some((hi, choice)) = stack.pop() {
        if let Some(c) = cur
            && c <= hi
        {
            emit(c, hi, choice);
            cur = hi.checked_add(1);
        }
    }
    if let Some(c) = cur
        && c <= family.max()
    {
        emit(c, family.max(), Choice::NoRoute);
    }
    out
}
