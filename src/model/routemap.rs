//! [`RouteMap`]: the routes of one route table, in key order, found by a compact fingerprint
//! of their keys.
//!
//! `Network::apply` changes one route of one table per call, on accounts with tens of
//! thousands of tables whose routes are rarely in cache, and the reach engine reads every route
//! of a table in order when it compiles it. A `BTreeMap` cost two dependent cache misses per
//! lookup (the root, then a leaf) and a scan of 32-byte keys in each, and an insertion or removal
//! shifted half a leaf. Here a table's routes are one vector in no order, beside a vector of
//! 8-byte fingerprints of the keys in key order and the entries' positions in that order: a
//! lookup scans the fingerprints (a few sequential cache lines for the 20 to 50 routes of a
//! table) and reads the one entry it found; a change shifts only fingerprints and positions,
//! and moves at most one entry. Iteration follows the positions.
//!
//! The fingerprint keeps the order of [`RouteKey`] (`a < b` implies `fp(a) <= fp(b)`) and is
//! exact for IPv4 destinations, which most routes have; IPv6 and prefix-list keys with equal
//! fingerprints are told apart by comparing the keys themselves. The API is the part of
//! `BTreeMap`'s the model uses, with the same meaning and order.

use super::route::{Destination, Route, RouteKey, Target};
use std::cmp::Ordering;

/// A table's routes keyed by [`RouteKey`] (which each route carries: its destination and
/// whether it is propagated), in key order (module doc).
#[derive(Default)]
pub struct RouteMap {
    /// `fingerprint(key)` of each route in key order (non-decreasing).
    fps: Vec<u64>,
    /// The position in `entries` of each route in key order (parallel to `fps`).
    order: Vec<u32>,
    /// The routes in no particular order (a new route goes last, a removed one is replaced by
    /// the last): a change moves one route, never the table's tail. Keys are unique. The key is
    /// not stored beside the route (it is the route's own destination and origin): an entry is
    /// a route's size, not a route's and a key's.
    entries: Vec<Route>,
}

/// An order-keeping 64-bit summary of a key: the family in the top two bits, then for IPv4 the
/// address, prefix length and origin bit (exact), for IPv6 the address's top 62 bits, for a
/// prefix list nothing (module doc).
#[inline]
fn fingerprint(destination: &Destination, propagated: bool) -> u64 {
    match destination {
        Destination::Ipv4(n) => {
            (u64::from(u32::from(n.addr())) << 7)
                | (u64::from(n.prefix_len()) << 1)
                | u64::from(propagated)
        }
        Destination::Ipv6(n) => (1 << 62) | ((u128::from(n.addr()) >> 66) as u64),
        Destination::PrefixList(_) => 2 << 62,
    }
}

#[inline]
fn key_fingerprint(key: &RouteKey) -> u64 {
    fingerprint(&key.destination, key.propagated)
}

#[inline]
fn route_fingerprint(route: &Route) -> u64 {
    fingerprint(&route.destination, route.origin.is_propagated())
}

/// A route's key against a key, in [`RouteKey`]'s order (destination, then static before
/// propagated), without building the route's key.
#[inline]
fn cmp_key(route: &Route, key: &RouteKey) -> Ordering {
    route
        .destination
        .cmp(&key.destination)
        .then(route.origin.is_propagated().cmp(&key.propagated))
}

impl RouteMap {
    pub fn new() -> RouteMap {
        RouteMap::default()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The route with the `rank`th key in order.
    #[inline]
    fn at(&self, rank: usize) -> &Route {
        &self.entries[self.order[rank] as usize]
    }

    /// `Ok(r)`: the key is the `r`th in order; `Err(r)`: it is not there and would be.
    #[inline]
    fn search(&self, key: &RouteKey) -> Result<usize, usize> {
        let fp = key_fingerprint(key);
        // The first key whose fingerprint is not below `fp`: a branch-free count over a few
        // sequential cache lines for a table of usual size, a binary search beyond.
        let mut r = if self.fps.len() <= 64 {
            self.fps.iter().filter(|&&f| f < fp).count()
        } else {
            self.fps.partition_point(|&f| f < fp)
        };
        // An IPv4 fingerprint is the whole key: an equal one is the key, and the route itself
        // need not be read to know it.
        if matches!(key.destination, Destination::Ipv4(_)) {
            return match self.fps.get(r) {
                Some(&f) if f == fp => Ok(r),
                _ => Err(r),
            };
        }
        while r < self.fps.len() && self.fps[r] == fp {
            match cmp_key(self.at(r), key) {
                Ordering::Equal => return Ok(r),
                Ordering::Greater => return Err(r),
                Ordering::Less => r += 1,
            }
        }
        Err(r)
    }

    pub fn get(&self, key: &RouteKey) -> Option<&Route> {
        let r = self.search(key).ok()?;
        Some(self.at(r))
    }

    pub fn contains_key(&self, key: &RouteKey) -> bool {
        self.search(key).is_ok()
    }

    /// Starts loading what a lookup or an insertion reads (the fingerprints, the positions and
    /// the end of the routes) into the processor's caches (see [`super::prefetch`]).
    #[inline]
    pub(crate) fn prefetch(&self) {
        use super::prefetch::{prefetch_bytes, prefetch_slice};
        prefetch_slice(&self.fps, self.fps.len());
        prefetch_slice(&self.order, self.order.len());
        prefetch_bytes(
            self.entries.as_ptr_range().end as *const u8,
            std::mem::size_of::<Route>(),
        );
    }

    /// Starts loading the route with this destination (static), if the table has one (see
    /// [`super::prefetch`]); reads the fingerprints and positions, which
    /// [`RouteMap::prefetch`] loaded.
    #[inline]
    pub(crate) fn prefetch_route(&self, destination: &Destination) {
        let fp = fingerprint(destination, false);
        let r = if self.fps.len() <= 64 {
            self.fps.iter().filter(|&&f| f < fp).count()
        } else {
            self.fps.partition_point(|&f| f < fp)
        };
        if let Some(route) = self
            .order
            .get(r)
            .and_then(|&p| self.entries.get(p as usize))
        {
            super::prefetch::prefetch(route);
        }
    }

    /// Changes the target of the route with this key (its key is untouched); returns the
    /// target it had, `None` when there is no such route.
    pub fn set_target(&mut self, key: &RouteKey, target: Target) -> Option<Target> {
        let r = self.search(key).ok()?;
        let p = self.order[r] as usize;
        self.entries
            .get_mut(p)
            .map(|route| std::mem::replace(&mut route.target, target))
    }

    /// Adds a route whose key is not there as the `rank`th.
    fn add(&mut self, rank: usize, route: Route) {
        let p = self.entries.len();
        self.fps.insert(rank, route_fingerprint(&route));
        // Positions fit: a vector of 2^32 routes of 64 bytes would not fit in memory first.
        self.order.insert(rank, p as u32);
        self.entries.push(route);
    }

    /// Inserts, or replaces the route with the same key; returns the route replaced.
    pub fn insert(&mut self, route: Route) -> Option<Route> {
        match self.search(&route.key()) {
            Ok(r) => {
                let p = self.order[r] as usize;
                Some(std::mem::replace(&mut self.entries[p], route))
            }
            Err(r) => {
                self.add(r, route);
                None
            }
        }
    }

    /// Inserts the route unless one with its key is there (which is kept); whether it was
    /// inserted.
    pub fn insert_if_absent(&mut self, route: Route) -> bool {
        match self.search(&route.key()) {
            Ok(_) => false,
            Err(r) => {
                self.add(r, route);
                true
            }
        }
    }

    pub fn remove(&mut self, key: &RouteKey) -> Option<Route> {
        let r = self.search(key).ok()?;
        let p = self.order[r] as usize;
        self.fps.remove(r);
        self.order.remove(r);
        let route = self.entries.swap_remove(p);
        // The last entry moved into the hole: point its rank there.
        let moved = self.entries.len() as u32;
        if (p as u32) != moved
            && let Some(o) = self.order.iter_mut().find(|o| **o == moved)
        {
            *o = p as u32;
        }
        Some(route)
    }

    /// Keeps the routes for which `keep` is true (asked in key order).
    pub fn retain(&mut self, mut keep: impl FnMut(&Route) -> bool) {
        let kept: Vec<bool> = self.iter().map(&mut keep).collect();
        if kept.iter().all(|&k| k) {
            return;
        }
        // Rebuilt in key order.
        let mut slots: Vec<Option<Route>> = std::mem::take(&mut self.entries)
            .into_iter()
            .map(Some)
            .collect();
        let mut entries = Vec::with_capacity(slots.len());
        for (&p, keep) in self.order.iter().zip(kept) {
            if let Some(e) = slots.get_mut(p as usize).and_then(Option::take)
                && keep
            {
                entries.push(e);
            }
        }
        *self = RouteMap::sorted(entries);
    }

    /// From routes sorted by key, keys unique.
    fn sorted(entries: Vec<Route>) -> RouteMap {
        RouteMap {
            fps: entries.iter().map(route_fingerprint).collect(),
            order: (0..entries.len() as u32).collect(),
            entries,
        }
    }

    /// The routes in key order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            order: self.order.iter(),
            entries: &self.entries,
        }
    }

    /// The routes in key order (as [`RouteMap::iter`]).
    pub fn values(&self) -> Iter<'_> {
        self.iter()
    }

    /// The route with the smallest key.
    pub fn first(&self) -> Option<&Route> {
        self.iter().next()
    }

    /// The route with the largest key.
    pub fn last(&self) -> Option<&Route> {
        self.iter().next_back()
    }
}

/// The routes of a [`RouteMap`] in key order.
#[derive(Clone)]
pub struct Iter<'a> {
    order: std::slice::Iter<'a, u32>,
    entries: &'a [Route],
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a Route;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.entries.get(*self.order.next()? as usize)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.order.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.entries.get(*self.order.next_back()? as usize)
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// Equal when they hold the same routes (whatever order they were added in).
impl PartialEq for RouteMap {
    fn eq(&self, other: &RouteMap) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for RouteMap {}

/// A copy is in key order and keeps room for a few more routes: a copied network (a replay's
/// or a what-if's) is copied to be changed, and the first route added to a table whose vectors
/// are full would otherwise move all of them.
impl Clone for RouteMap {
    fn clone(&self) -> RouteMap {
        let room = self.entries.len() + 4;
        let mut entries = Vec::with_capacity(room);
        entries.extend(self.iter().cloned());
        let mut fps = Vec::with_capacity(room);
        fps.extend_from_slice(&self.fps);
        let mut order = Vec::with_capacity(room);
        order.extend(0..entries.len() as u32);
        RouteMap {
            fps,
            order,
            entries,
        }
    }
}

impl std::fmt::Debug for RouteMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a> IntoIterator for &'a RouteMap {
    type Item = &'a Route;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// Later routes replace earlier ones with the same key, as `BTreeMap`'s `collect` does.
impl FromIterator<Route> for RouteMap {
    fn from_iter<I: IntoIterator<Item = Route>>(iter: I) -> RouteMap {
        let mut entries: Vec<Route> = iter.into_iter().collect();
        // Stable: of equal keys the last one given is kept.
        entries.sort_by(|a, b| cmp_key(a, &b.key()));
        let mut out: Vec<Route> = Vec::with_capacity(entries.len());
        for e in entries {
            match out.last_mut() {
                Some(last) if cmp_key(last, &e.key()) == Ordering::Equal => *last = e,
                _ => out.push(e),
            }
        }
        RouteMap::sorted(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RouteOrigin, Target};
    use std::collections::BTreeMap;

    fn key(s: &str, propagated: bool) -> RouteKey {
        RouteKey {
            destination: Destination::parse(s).expect("destination"),
            propagated,
        }
    }

    /// A route with key `k`.
    fn route(k: &RouteKey) -> Route {
        let origin = if k.propagated {
            RouteOrigin::EnableVgwRoutePropagation
        } else {
            RouteOrigin::CreateRoute
        };
        Route::new(k.destination.clone(), Target::Local, origin)
    }

    /// Keys that share fingerprints (IPv6 in one /62, prefix lists), IPv4 edge cases.
    fn keys() -> Vec<RouteKey> {
        let mut out = Vec::new();
        for s in [
            "0.0.0.0/0",
            "0.0.0.0/1",
            "10.0.0.0/8",
            "10.0.0.0/16",
            "10.0.0.0/24",
            "10.0.1.0/24",
            "255.255.255.255/32",
            "::/0",
            "2001:db8::/32",
            "2001:db8::/56",
            "2001:db8:0:1::/64",
            "2001:db8:0:2::/64",
            "2001:db8::1/128",
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
            "pl-1",
            "pl-0a",
            "pl-02",
        ] {
            out.push(key(s, false));
            out.push(key(s, true));
        }
        out
    }

    #[test]
    fn fingerprint_keeps_the_order_of_keys() {
        let mut ks = keys();
        ks.sort();
        for w in ks.windows(2) {
            assert!(
                key_fingerprint(&w[0]) <= key_fingerprint(&w[1]),
                "{:?} {:?}",
                w[0],
                w[1]
            );
        }
    }

    /// Every operation against `BTreeMap`, in a pseudo-random sequence over keys with equal
    /// fingerprints.
    #[test]
    fn behaves_as_a_btreemap() {
        let ks = keys();
        let mut map = RouteMap::new();
        let mut model: BTreeMap<RouteKey, Route> = BTreeMap::new();
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for step in 0..4000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let k = &ks[(x % ks.len() as u64) as usize];
            match (x >> 32) % 5 {
                0 | 1 => {
                    let mut r = route(k);
                    if step % 2 == 0 {
                        r.target = Target::from_id("igw-1");
                    }
                    assert_eq!(map.insert(r.clone()), model.insert(k.clone(), r));
                }
                2 => assert_eq!(map.remove(k), model.remove(k)),
                3 => {
                    let absent = !model.contains_key(k);
                    assert_eq!(map.insert_if_absent(route(k)), absent);
                    model.entry(k.clone()).or_insert_with(|| route(k));
                }
                _ => {
                    let drop_ipv6 = step % 7 == 0;
                    let keep = |k: &RouteKey| {
                        !(drop_ipv6 && matches!(k.destination, Destination::Ipv6(_)))
                    };
                    map.retain(|r| keep(&r.key()));
                    model.retain(|k, _| keep(k));
                }
            }
            assert_eq!(map.get(k), model.get(k));
            assert_eq!(map.contains_key(k), model.contains_key(k));
            assert_eq!(map.len(), model.len());
            assert!(map.iter().eq(model.values()));
            assert!(map.iter().all(|r| model.contains_key(&r.key())));
            if step % 3 == 0 {
                let to = Target::from_id("nat-1");
                let before = model
                    .get_mut(k)
                    .map(|r| std::mem::replace(&mut r.target, to.clone()));
                assert_eq!(map.set_target(k, to), before);
            }
        }
        for k in &ks {
            assert_eq!(map.get(k), model.get(k));
        }
        assert!(map.clone().iter().eq(model.values()));
        assert!(map.clone() == map);
        let collected: RouteMap = ks.iter().rev().map(route).collect();
        assert!(
            collected.iter().map(Route::key).eq(ks
                .iter()
                .cloned()
                .collect::<std::collections::BTreeSet<_>>())
        );
    }

    /// A table larger than the linear scan covers (binary search over the fingerprints).
    #[test]
    fn large_tables_behave_as_a_btreemap() {
        let mut map = RouteMap::new();
        let mut model: BTreeMap<RouteKey, Route> = BTreeMap::new();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let k = key(
                &format!("10.{}.{}.0/24", (x >> 8) % 4, x % 100),
                x.is_multiple_of(3),
            );
            if (x >> 40).is_multiple_of(3) {
                assert_eq!(map.remove(&k), model.remove(&k));
            } else {
                let r = route(&k);
                assert_eq!(map.insert(r.clone()), model.insert(k, r));
            }
        }
        assert!(map.len() > 64);
        assert!(map.iter().eq(model.values()));
        assert_eq!(map.last(), model.values().next_back());
        assert_eq!(map.first(), model.values().next());
    }
}
