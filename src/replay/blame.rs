//! Blame: which record gave a subnet its current reach. For each outcome the subnet has at the
//! end of a replay (a segment: ranges with one disposition and path), the last record whose
//! exposure change overlaps those ranges is the one that set it (no later record changed it),
//! and every record whose change overlaps them is the chain that contributed. With an address,
//! only the outcome of that address counts. Needs a replay with exposure on.

use super::{Event, Replay};
use crate::addr::{self, Family, Interval};
use crate::exposure::ExposureChange;
use crate::model::{Network, SubnetId};
use crate::reach::{Disposition, Engine};
use std::net::IpAddr;
use std::sync::Arc;

/// One link of a chain: a record and what it changed for the blamed ranges.
pub struct Link<'a> {
    pub event: &'a Event,
    pub change: &'a ExposureChange,
}

/// One current outcome of the subnet and who set it.
pub struct Blamed<'a> {
    pub family: Family,
    pub ranges: Vec<Interval>,
    pub disposition: Disposition,
    pub path: Vec<Arc<str>>,
    /// The record that set the current outcome; `None` when no record changed these ranges
    /// (the outcome is the starting state's).
    pub since: Option<Link<'a>>,
    /// Every record whose change overlaps these ranges, in applied order.
    pub chain: Vec<Link<'a>>,
}

fn overlaps(a: &[Interval], b: &[Interval]) -> bool {
    !addr::intersect(a, b).is_empty()
}

/// Blames the current outcomes of `subnet` in `end` (the state the replay `r` produced), or
/// only the outcome of `to`. `None` when the subnet is not in `end`.
pub fn blame<'a>(
    r: &'a Replay,
    end: &Network,
    subnet: &SubnetId,
    to: Option<IpAddr>,
) -> Option<Vec<Blamed<'a>>> {
    let reach = Engine::new(end).subnet_reach(end, subnet)?;
    let mut out = Vec::new();
    for fam in [&reach.ipv4, &reach.ipv6] {
        if !fam.has_addresses {
            continue;
        }
        let target: Option<Vec<Interval>> = match to {
            Some(a) if Family::of_addr(&a) == fam.family => {
                Some(vec![Interval::single(addr::addr_value(&a))])
            }
            Some(_) => continue,
            None => None,
        };
        for seg in &fam.segments {
            let ranges = match &target {
                Some(t) => addr::intersect(&seg.ranges, t),
                None => seg.ranges.to_vec(),
            };
            if ranges.is_empty() {
                continue;
            }
            let chain: Vec<Link> = r
                .events
                .iter()
                .flat_map(|e| e.exposure.iter().map(move |c| (e, c)))
                // Outbound paths only: an `INGRESS_*` change is about traffic entering through
                // a gateway for the subnet's addresses, not about where the subnet's traffic goes.
                .filter(|(_, c)| {
                    !c.kind.is_ingress()
                        && &c.subnet_id == subnet
                        && c.family == fam.family
                        && overlaps(&c.ranges, &ranges)
                })
                .map(|(event, change)| Link { event, change })
                .collect();
            let since = chain.last().map(|l| Link {
                event: l.event,
                change: l.change,
            });
            out.push(Blamed {
                family: fam.family,
                ranges,
                disposition: seg.disposition,
                path: seg.path.clone(),
                since,
                chain,
            });
        }
    }
    Some(out)
}
