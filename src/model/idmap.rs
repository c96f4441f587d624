//! A map keyed by resource ID that is looked up by hash and iterated in ID order: the model's
//! large collections (route tables, subnets, interfaces, ...) are looked up on every applied
//! change and every reach, by an ID that is a shared string, and a `BTreeMap` search there
//! compared the wanted ID against a dozen or more stored IDs, each behind its own pointer (a
//! cache miss apiece on an account with tens of thousands of tables). A hash lookup reads one
//! stored ID.
//!
//! Everything that iterates sees the entries in key order, as a `BTreeMap` gives them, so output
//! never depends on hash order (house rule: deterministic output). The order is kept in a
//! second, key-only `BTreeSet`; inserting or removing a key touches both.
//!
//! The API is the part of `BTreeMap`'s the model uses, with the same meaning.

use std::borrow::Borrow;
use std::collections::BTreeSet;
use std::fmt;
use std::hash::Hash;

use crate::fxhash::FxHashMap;

#[derive(Clone)]
pub struct IdMap<K, V> {
    map: FxHashMap<K, V>,
    order: BTreeSet<K>,
}

impl<K, V> Default for IdMap<K, V> {
    fn default() -> Self {
        IdMap {
            map: FxHashMap::default(),
            order: BTreeSet::new(),
        }
    }
}

impl<K: Ord + Hash + Clone, V> IdMap<K, V> {
    pub fn new() -> Self {
        IdMap::default()
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    #[inline]
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.get(key)
    }

    #[inline]
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.get_mut(key)
    }

    #[inline]
    pub fn get_key_value<Q>(&self, key: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.get_key_value(key)
    }

    #[inline]
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.contains_key(key)
    }

    /// As `BTreeMap::insert`: the value the key had, if any (the stored key is kept).
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.map.get_mut(&key) {
            Some(slot) => Some(std::mem::replace(slot, value)),
            None => {
                self.order.insert(key.clone());
                self.map.insert(key, value);
                None
            }
        }
    }

    /// The value under `key`, inserted by `make` first when absent (`entry(key).or_insert_with`).
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        if !self.map.contains_key(&key) {
            self.order.insert(key.clone());
        }
        self.map.entry(key).or_insert_with(make)
    }

    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + Ord + ?Sized,
    {
        let value = self.map.remove(key)?;
        self.order.remove(key);
        Some(value)
    }

    /// Keeps the entries `keep` accepts, visiting them in key order.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        let map = &mut self.map;
        self.order.retain(|k| {
            let kept = map.get_mut(k).is_none_or(|v| keep(k, v));
            if !kept {
                map.remove(k);
            }
            kept
        });
    }

    pub fn clear(&mut self) {
        self.map.clear();
        self.order.clear();
    }

    /// The entries in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + Clone + '_ {
        self.order.iter().filter_map(|k| self.map.get_key_value(k))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + Clone + '_ {
        self.order.iter()
    }

    /// The values in key order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + Clone + '_ {
        self.order.iter().filter_map(|k| self.map.get(k))
    }

    /// The entries in key order, changeable.
    pub fn iter_mut(&mut self) -> std::vec::IntoIter<(&K, &mut V)> {
        let mut entries: Vec<(&K, &mut V)> = self.map.iter_mut().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        entries.into_iter()
    }

    /// The values in key order, changeable.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.iter_mut().map(|(_, v)| v)
    }

    /// The first entry in key order.
    pub fn first_key_value(&self) -> Option<(&K, &V)> {
        self.order.first().and_then(|k| self.map.get_key_value(k))
    }
}

impl<K: Ord + Hash + Clone, V> FromIterator<(K, V)> for IdMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = IdMap::new();
        map.extend(iter);
        map
    }
}

impl<K: Ord + Hash + Clone, V> Extend<(K, V)> for IdMap<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<K: Ord + Hash + Clone, V, const N: usize> From<[(K, V); N]> for IdMap<K, V> {
    fn from(entries: [(K, V); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl<K: Ord + Hash + Clone, V> From<std::collections::BTreeMap<K, V>> for IdMap<K, V> {
    fn from(entries: std::collections::BTreeMap<K, V>) -> Self {
        entries.into_iter().collect()
    }
}

impl<'a, K: Ord + Hash + Clone, V> IntoIterator for &'a IdMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Box<dyn DoubleEndedIterator<Item = (&'a K, &'a V)> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl<K: Ord + Hash + Clone, V> IntoIterator for IdMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;

    /// The entries in key order.
    fn into_iter(self) -> Self::IntoIter {
        let mut entries: Vec<(K, V)> = self.map.into_iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        entries.into_iter()
    }
}

impl<K: Hash + Eq, V: PartialEq> PartialEq for IdMap<K, V> {
    fn eq(&self, other: &Self) -> bool {
        self.map == other.map
    }
}

impl<K: Hash + Eq, V: Eq> Eq for IdMap<K, V> {}

/// As a `BTreeMap` prints: the entries in key order.
impl<K: Ord + Hash + Clone + fmt::Debug, V: fmt::Debug> fmt::Debug for IdMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: Ord + Hash + Clone + Borrow<Q>, Q: Hash + Eq + ?Sized, V> std::ops::Index<&Q>
    for IdMap<K, V>
{
    type Output = V;

    /// As `BTreeMap`'s: panics when the key is absent (tests only; the model uses `get`).
    fn index(&self, key: &Q) -> &V {
        match self.map.get(key) {
            Some(v) => v,
            None => panic!("no entry for the key in IdMap"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RouteTableId;
    use std::collections::BTreeMap;

    /// Every operation agrees with `BTreeMap`, iteration order included, over a sequence of
    /// inserts, replacements and removals.
    #[test]
    fn behaves_as_a_btreemap() {
        let mut ours: IdMap<RouteTableId, u32> = IdMap::new();
        let mut theirs: BTreeMap<RouteTableId, u32> = BTreeMap::new();
        let mut x: u64 = 7;
        for step in 0..4000u32 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let key = RouteTableId::new(format!("rtb-{:05}", (x >> 40) % 300));
            match (x >> 20) % 4 {
                0 | 1 => assert_eq!(ours.insert(key.clone(), step), theirs.insert(key, step)),
                2 => assert_eq!(ours.remove(&key), theirs.remove(&key)),
                _ => {
                    assert_eq!(ours.get(&key), theirs.get(&key));
                    assert_eq!(ours.contains_key(&key), theirs.contains_key(&key));
                    if let (Some(a), Some(b)) = (ours.get_mut(&key), theirs.get_mut(&key)) {
                        *a += 1;
                        *b += 1;
                    }
                }
            }
            assert_eq!(ours.len(), theirs.len());
        }
        assert!(ours.iter().eq(theirs.iter()));
        assert!(ours.keys().eq(theirs.keys()));
        assert!(ours.values().rev().eq(theirs.values().rev()));
        assert_eq!(ours.first_key_value(), theirs.first_key_value());
        for (v, w) in ours.values_mut().zip(theirs.values_mut()) {
            assert_eq!(v, w);
            *v *= 2;
            *w *= 2;
        }
        ours.retain(|_, v| *v % 3 != 0);
        theirs.retain(|_, v| *v % 3 != 0);
        assert_eq!(format!("{ours:?}"), format!("{theirs:?}"));
        assert!(ours.clone().into_iter().eq(theirs.into_iter()));
    }
}
