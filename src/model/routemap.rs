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

use super::route::{Destination, Route, RouteKey};
use std::cmp::Ordering;

/// A table's routes keyed by [`RouteKey`], in key order (module doc).
#[derive(Default)]
pub struct RouteMap {
    /// `fingerprint(key)` of each route in key order (non-decreasing).
    fps: Vec<u64>,
    /// The position in `entries` of each route in key order (parallel to `fps`).
    order: Vec<u32>,
    /// The routes in no particular order (a new route goes last, a removed one is replaced by
    /// the last): a change moves one entry, never the table's tail. Keys are unique.
    entries: Vec<(RouteKey, Route)>,
}

/// An order-keeping 64-bit summary of a key: the family in the top two bits, then for IPv4 the
/// address, prefix length and origin bit (exact), for IPv6 the address's top 62 bits, for a
/// prefix list nothing (module doc).
#[inline]
fn fingerprint(key: &RouteKey) -> u64 {
    match &key.destination {
        Destination::Ipv4(n) => {
            (u64::from(u32::from(n.addr())) << 7)
                | (u64::from(n.prefix_len()) << 1)
                | u64::from(key.propagated)
        }
        Destination::Ipv6(n) => (1 << 62) | ((u128::from(n.addr()) >> 66) as u64),
        Destination::PrefixList(_) => 2 << 62,
    }
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

    /// The entry of the `rank`th key in order.
    #[inline]
    fn at(&self, rank: usize) -> &(RouteKey, Route) {
        &self.entries[self.order[rank] as usize]
    }

    /// `Ok(r)`: the key is the `r`th in order; `Err(r)`: it is not there and would be.
    #[inline]
    fn search(&self, key: &RouteKey) -> Result<usize, usize> {
        let fp = fingerprint(key);
        // The first key whose fingerprint is not below `fp`: a branch-free count over a few
        // sequential cache lines for a table of usual size, a binary search beyond.
        let mut r = if self.fps.len() <= 64 {
            self.fps.iter().filter(|&&f| f < fp).count()
        } else {
            self.fps.partition_point(|&f| f < fp)
        };
        while r < self.fps.len() && self.fps[r] == fp {
            match self.at(r).0.cmp(key) {
                Ordering::Equal => return Ok(r),
                Ordering::Greater => return Err(r),
                Ordering::Less => r += 1,
            }
        }
        Err(r)
    }

    pub fn get(&self, key: &RouteKey) -> Option<&Route> {
        let r = self.search(key).ok()?;
        Some(&self.at(r).1)
    }

    pub fn get_mut(&mut self, key: &RouteKey) -> Option<&mut Route> {
        let r = self.search(key).ok()?;
        let p = self.order[r] as usize;
        self.entries.get_mut(p).map(|(_, route)| route)
    }

    pub fn contains_key(&self, key: &RouteKey) -> bool {
        self.search(key).is_ok()
    }

    /// Adds a key that is not there as the `rank`th; returns its position in `entries`.
    fn add(&mut self, rank: usize, key: RouteKey, route: Route) -> usize {
        let p = self.entries.len();
        self.fps.insert(rank, fingerprint(&key));
        // Positions fit: a vector of 2^32 routes of 96 bytes would not fit in memory first.
        self.order.insert(rank, p as u32);
        self.entries.push((key, route));
        p
    }

    /// Inserts or replaces; returns the route replaced.
    pub fn insert(&mut self, key: RouteKey, route: Route) -> Option<Route> {
        match self.search(&key) {
            Ok(r) => {
                let p = self.order[r] as usize;
                Some(std::mem::replace(&mut self.entries[p].1, route))
            }
            Err(r) => {
                self.add(r, key, route);
                None
            }
        }
    }

    pub fn remove(&mut self, key: &RouteKey) -> Option<Route> {
        let r = self.search(key).ok()?;
        let p = self.order[r] as usize;
        self.fps.remove(r);
        self.order.remove(r);
        let (_, route) = self.entries.swap_remove(p);
        // The last entry moved into the hole: point its rank there.
        let moved = self.entries.len() as u32;
        if (p as u32) != moved
            && let Some(o) = self.order.iter_mut().find(|o| **o == moved)
        {
            *o = p as u32;
        }
        Some(route)
    }

    /// The route of `key`, inserted from `make` when absent (`BTreeMap`'s
    /// `entry(key).or_insert_with(make)` in one call).
    pub fn get_or_insert_with(
        &mut self,
        key: RouteKey,
        make: impl FnOnce() -> Route,
    ) -> &mut Route {
        let p = match self.search(&key) {
            Ok(r) => self.order[r] as usize,
            Err(r) => self.add(r, key, make()),
        };
        &mut self.entries[p].1
    }

    /// Keeps the routes for which `keep` is true (asked in key order).
    pub fn retain(&mut self, mut keep: impl FnMut(&RouteKey, &mut Route) -> bool) {
        let mut kept = Vec::with_capacity(self.entries.len());
        for &p in &self.order {
            let (k, route) = &mut self.entries[p as usize];
            kept.push(keep(k, route));
        }
        if kept.iter().all(|&k| k) {
            return;
        }
        // Rebuilt in key order.
        let mut slots: Vec<Option<(RouteKey, Route)>> = std::mem::take(&mut self.entries)
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

    /// From entries sorted by key, keys unique.
    fn sorted(entries: Vec<(RouteKey, Route)>) -> RouteMap {
        RouteMap {
            fps: entries.iter().map(|(k, _)| fingerprint(k)).collect(),
            order: (0..entries.len() as u32).collect(),
            entries,
        }
    }

    /// The entries in key order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            order: self.order.iter(),
            entries: &self.entries,
        }
    }

    /// The keys in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &RouteKey> + ExactSizeIterator {
        self.iter().map(|(k, _)| k)
    }

    /// The routes in key order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Route> + ExactSizeIterator + Clone {
        self.iter().map(|(_, r)| r)
    }

    pub fn first_key_value(&self) -> Option<(&RouteKey, &Route)> {
        self.iter().next()
    }

    pub fn last_key_value(&self) -> Option<(&RouteKey, &Route)> {
        self.iter().next_back()
    }
}

/// The routes of a [`RouteMap`] in key order.
#[derive(Clone)]
pub struct Iter<'a> {
    order: std::slice::Iter<'a, u32>,
    entries: &'a [(RouteKey, Route)],
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a RouteKey, &'a Route);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let (k, r) = self.entries.get(*self.order.next()? as usize)?;
        Some((k, r))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.order.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let (k, r) = self.entries.get(*self.order.next_back()? as usize)?;
        Some((k, r))
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
        entries.extend(self.iter().map(|(k, r)| (k.clone(), r.clone())));
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
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<'a> IntoIterator for &'a RouteMap {
    type Item = (&'a RouteKey, &'a Route);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// Later entries replace earlier ones with the same key, as `BTreeMap`'s `collect` does.
impl FromIterator<(RouteKey, Route)> for RouteMap {
    fn from_iter<I: IntoIterator<Item = (RouteKey, Route)>>(iter: I) -> RouteMap {
        let mut entries: Vec<(RouteKey, Route)> = iter.into_iter().collect();
        // Stable: of equal keys the last one given is kept.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(RouteKey, Route)> = Vec::with_capacity(entries.len());
        for e in entries {
            match out.last_mut() {
                Some(last) if last.0 == e.0 => *last = e,
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

    fn route(k: &RouteKey) -> Route {
        Route::new(
            k.destination.clone(),
            Target::Local,
            RouteOrigin::CreateRoute,
        )
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
                fingerprint(&w[0]) <= fingerprint(&w[1]),
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
                    r.origin = if step % 2 == 0 {
                        RouteOrigin::CreateRoute
                    } else {
                        RouteOrigin::CreateRouteTable
                    };
                    assert_eq!(map.insert(k.clone(), r.clone()), model.insert(k.clone(), r));
                }
                2 => assert_eq!(map.remove(k), model.remove(k)),
                3 => {
                    map.get_or_insert_with(k.clone(), || route(k));
                    model.entry(k.clone()).or_insert_with(|| route(k));
                }
                _ => {
                    let drop_ipv6 = step % 7 == 0;
                    let keep = |k: &RouteKey| {
                        !(drop_ipv6 && matches!(k.destination, Destination::Ipv6(_)))
                    };
                    map.retain(|k, _| keep(k));
                    model.retain(|k, _| keep(k));
                }
            }
            assert_eq!(map.get(k), model.get(k));
            assert_eq!(map.contains_key(k), model.contains_key(k));
            assert_eq!(map.len(), model.len());
            assert!(map.iter().eq(model.iter()));
        }
        for k in &ks {
            assert_eq!(map.get(k), model.get(k));
        }
        assert!(map.clone().iter().eq(model.iter()));
        assert!(map.clone() == map);
        let collected: RouteMap = ks.iter().rev().map(|k| (k.clone(), route(k))).collect();
        assert!(
            collected
                .keys()
                .eq(ks.iter().collect::<std::collections::BTreeSet<_>>())
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
                assert_eq!(map.insert(k.clone(), r.clone()), model.insert(k, r));
            }
        }
        assert!(map.len() > 64);
        assert!(map.iter().eq(model.iter()));
        assert_eq!(map.last_key_value(), model.last_key_value());
        assert_eq!(map.first_key_value(), model.first_key_value());
    }
}
