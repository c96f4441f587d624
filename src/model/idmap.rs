//! A map keyed by resource ID that is looked up by hash and iterated in ID order: the model's
//! large collections (route tables, subnets, interfaces, ...) are looked up on every applied
//! change and every reach, by an ID that is a shared string, and a `BTreeMap` search there
//! compared the wanted ID against a dozen or more stored IDs, each behind its own pointer (a
//! cache miss apiece on an account with tens of thousands of tables). A hash lookup reads one
//! stored ID.
//!
//! Everything that iterates sees the entries in key order, as a `BTreeMap` gives them, so output
//! never depends on hash order (house rule: deterministic output): the entries' positions are
//! kept in a list sorted by key (see [`IdMap`]).
//!
//! A lookup first tries a *position hint*: a small array, indexed by the key's hash, holding
//! the position of the last key stored under that hash slot. The entry it points to is checked
//! (its key compared with the one wanted), so a stale or colliding hint only costs the hash
//! map's lookup after it. What the hint buys is a path from a key to its entry that a prefetch
//! can follow without waiting (see [`IdMap::prefetch_value`]): the hint array is small enough
//! to stay in cache, and the hash map's slots and stored keys, which a confirmed lookup reads,
//! are not.
//!
//! The API is the part of `BTreeMap`'s the model uses, with the same meaning.

use std::borrow::Borrow;
use std::fmt;
use std::hash::Hash;
use std::sync::OnceLock;

use crate::fxhash::{FxHashMap, FxHasher};

/// Entries in a vector, found through a hash index of their keys, iterated through a list of
/// their positions sorted by key. The index holds only key and position (24 bytes an entry), so
/// it stays small enough to be mostly in cache; the position list is built at the first
/// iteration and then kept current by `insert` and `remove` (a binary search and a shift of
/// 4-byte positions), so a snapshot import that only inserts never sorts more than once.
#[derive(Clone)]
pub struct IdMap<K, V> {
    index: FxHashMap<K, u32>,
    entries: Vec<(K, V)>,
    order: OnceLock<Vec<u32>>,
    /// Position hints by hash slot (module doc): empty, or a power of two at least twice as
    /// long as `entries`; any value may be stale (checked on use).
    hints: Vec<u32>,
}

impl<K, V> Default for IdMap<K, V> {
    fn default() -> Self {
        IdMap {
            index: FxHashMap::default(),
            entries: Vec::new(),
            order: OnceLock::new(),
            hints: Vec::new(),
        }
    }
}

/// The hash a key's position hint is filed under.
#[inline]
fn hint_hash<Q: Hash + ?Sized>(key: &Q) -> u64 {
    let mut h = FxHasher::default();
    key.hash(&mut h);
    std::hash::Hasher::finish(&h)
}

impl<K: Ord + Hash + Clone, V> IdMap<K, V> {
    pub fn new() -> Self {
        IdMap::default()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The hint slot of a hash (`hints` not empty): its low bits, which `FxHasher::finish`
    /// makes the best mixed.
    #[inline]
    fn hint_slot(&self, hash: u64) -> usize {
        (hash as usize) & (self.hints.len() - 1)
    }

    /// The position a key's hint gives, unchecked (may be stale or another key's).
    #[inline]
    fn hinted<Q: Hash + ?Sized>(&self, key: &Q) -> Option<usize> {
        if self.hints.is_empty() {
            return None;
        }
        Some(self.hints[self.hint_slot(hint_hash(key))] as usize)
    }

    /// Files the hint for the entry at position `i`, growing (and refilling) the hints when
    /// the entries have outgrown them.
    fn note_hint(&mut self, i: usize) {
        if self.hints.len() < 2 * self.entries.len() {
            self.refill_hints();
        } else if let Some((k, _)) = self.entries.get(i) {
            let slot = self.hint_slot(hint_hash(k));
            self.hints[slot] = i as u32;
        }
    }

    /// Rebuilds every hint (sized for the entries).
    fn refill_hints(&mut self) {
        let len = (2 * self.entries.len()).next_power_of_two().max(16);
        self.hints.clear();
        self.hints.resize(len, u32::MAX);
        for i in 0..self.entries.len() {
            let slot = self.hint_slot(hint_hash(&self.entries[i].0));
            self.hints[slot] = i as u32;
        }
    }

    #[inline]
    fn position<Q>(&self, key: &Q) -> Option<usize>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if let Some(i) = self.hinted(key)
            && let Some((k, _)) = self.entries.get(i)
            && k.borrow() == key
        {
            return Some(i);
        }
        self.index.get(key).map(|&i| i as usize)
    }

    #[inline]
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let i = self.position(key)?;
        self.entries.get(i).map(|(_, v)| v)
    }

    #[inline]
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let i = self.position(key)?;
        self.entries.get_mut(i).map(|(_, v)| v)
    }

    #[inline]
    pub fn get_key_value<Q>(&self, key: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let i = self.position(key)?;
        self.entries.get(i).map(|(k, v)| (k, v))
    }

    /// Starts loading the entry `key`'s position hint points to into the processor's caches
    /// (see [`super::prefetch`]), without reading anything that may not be in cache: the
    /// hint is not checked, so this is probably, not certainly, `key`'s entry.
    #[inline]
    pub(crate) fn prefetch_value<Q: Hash + ?Sized>(&self, key: &Q) {
        if let Some(entry) = self.hinted(key).and_then(|i| self.entries.get(i)) {
            super::prefetch::prefetch(entry);
        }
    }

    /// Starts loading `key`'s position hint (see [`super::prefetch`]), for a later
    /// [`IdMap::prefetch_value`] that reads it.
    #[inline]
    pub(crate) fn prefetch_hint<Q: Hash + ?Sized>(&self, key: &Q) {
        if !self.hints.is_empty() {
            super::prefetch::prefetch(&self.hints[self.hint_slot(hint_hash(key))]);
        }
    }

    /// The entry `key`'s position hint points to, unchecked: probably `key`'s (for a prefetch
    /// stage after [`IdMap::prefetch_value`], which loaded it; never for an answer).
    #[inline]
    pub(crate) fn probable<Q: Hash + ?Sized>(&self, key: &Q) -> Option<(&K, &V)> {
        let (k, v) = self.hinted(key).and_then(|i| self.entries.get(i))?;
        Some((k, v))
    }

    #[inline]
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.index.contains_key(key)
    }

    /// The positions of the entries in key order, sorted now if no iteration has since the
    /// map was built.
    fn order(&self) -> &[u32] {
        self.order.get_or_init(|| {
            let mut order: Vec<u32> = (0..self.entries.len() as u32).collect();
            order.sort_unstable_by(|&a, &b| {
                self.entries[a as usize].0.cmp(&self.entries[b as usize].0)
            });
            order
        })
    }

    /// Where `key` goes in the sorted position list (the position of the first larger key).
    fn rank(entries: &[(K, V)], order: &[u32], key: &K) -> usize {
        order.partition_point(|&i| entries[i as usize].0 < *key)
    }

    /// Appends a new entry (the key must be absent) and returns its position.
    fn push_new(&mut self, key: K, value: V) -> usize {
        let i = self.entries.len();
        if let Some(order) = self.order.get_mut() {
            let at = Self::rank(&self.entries, order, &key);
            order.insert(at, i as u32);
        }
        self.index.insert(key.clone(), i as u32);
        self.entries.push((key, value));
        self.note_hint(i);
        i
    }

    /// As `BTreeMap::insert`: the value the key had, if any (the stored key is kept).
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.position(&key) {
            Some(i) => self
                .entries
                .get_mut(i)
                .map(|slot| std::mem::replace(&mut slot.1, value)),
            None => {
                self.push_new(key, value);
                None
            }
        }
    }

    /// The value under `key`, inserted by `make` first when absent (`entry(key).or_insert_with`).
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.position(&key) {
            Some(i) => i,
            None => self.push_new(key, make()),
        };
        &mut self.entries[i].1
    }

    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let i = self.index.remove(key)? as usize;
        let last = self.entries.len() - 1;
        if let Some(order) = self.order.get_mut() {
            // Drop the removed entry's position, then rename the last entry's position, which
            // `swap_remove` moves into the hole.
            let at = Self::rank(&self.entries, order, &self.entries[i].0);
            order.remove(at);
            if i != last {
                let at = Self::rank(&self.entries, order, &self.entries[last].0);
                order[at] = i as u32;
            }
        }
        let (_, value) = self.entries.swap_remove(i);
        if i != last {
            if let Some(slot) = self.index.get_mut::<K>(&self.entries[i].0) {
                *slot = i as u32;
            }
            // (The removed key's hint, if it pointed at `i`, now fails its check.)
            self.note_hint(i);
        }
        Some(value)
    }

    /// Keeps the entries `keep` accepts, visiting them in key order.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        let mut kept = vec![false; self.entries.len()];
        for (i, entry) in self.ordered_mut() {
            kept[i] = keep(&entry.0, &mut entry.1);
        }
        if kept.iter().all(|k| *k) {
            return;
        }
        let entries = std::mem::take(&mut self.entries);
        self.index.clear();
        self.order = OnceLock::new();
        self.hints.clear();
        for ((key, value), kept) in entries.into_iter().zip(kept) {
            if kept {
                self.push_new(key, value);
            }
        }
    }

    pub fn clear(&mut self) {
        self.index.clear();
        self.entries.clear();
        self.order = OnceLock::new();
        self.hints.clear();
    }

    /// The entries in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + Clone + '_ {
        self.order()
            .iter()
            .filter_map(|&i| self.entries.get(i as usize).map(|(k, v)| (k, v)))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + Clone + '_ {
        self.iter().map(|(k, _)| k)
    }

    /// The values in key order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + Clone + '_ {
        self.iter().map(|(_, v)| v)
    }

    /// Each entry with its position, in key order, changeable (keys must not change).
    fn ordered_mut(&mut self) -> impl Iterator<Item = (usize, &mut (K, V))> {
        self.order();
        let order = self.order.get().map(Vec::as_slice).unwrap_or_default();
        let mut slots: Vec<Option<&mut (K, V)>> = self.entries.iter_mut().map(Some).collect();
        order
            .iter()
            .filter_map(move |&i| slots.get_mut(i as usize)?.take().map(|e| (i as usize, e)))
    }

    /// The entries in key order, changeable.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&K, &mut V)> {
        self.ordered_mut().map(|(_, (k, v))| (&*k, v))
    }

    /// The values in key order, changeable.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.ordered_mut().map(|(_, (_, v))| v)
    }

    /// The first entry in key order.
    pub fn first_key_value(&self) -> Option<(&K, &V)> {
        self.iter().next()
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
        let mut entries = self.entries;
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        entries.into_iter()
    }
}

/// Equal when they hold the same entries, whatever order they were inserted in.
impl<K: Ord + Hash + Clone, V: PartialEq> PartialEq for IdMap<K, V> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.entries.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl<K: Ord + Hash + Clone, V: Eq> Eq for IdMap<K, V> {}

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
        match self.get(key) {
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
    /// inserts, replacements and removals, with and without an iteration in between.
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
            // Iterating builds the key order; later inserts and removals keep it current.
            if step % 97 == 0 {
                assert!(ours.iter().eq(theirs.iter()), "step {step}");
            }
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
        for key in ["rtb-00007", "rtb-new"].map(RouteTableId::new) {
            *ours.get_or_insert_with(key.clone(), || 5) += 1;
            *theirs.entry(key).or_insert(5) += 1;
        }
        assert!(ours.iter().eq(theirs.iter()));
        ours.retain(|_, v| *v % 3 != 0);
        theirs.retain(|_, v| *v % 3 != 0);
        assert_eq!(format!("{ours:?}"), format!("{theirs:?}"));
        assert!(ours.clone().into_iter().eq(theirs.clone().into_iter()));
        let mut built: IdMap<RouteTableId, u32> = theirs.clone().into_iter().rev().collect();
        assert_eq!(built, ours);
        built.insert(RouteTableId::new("rtb-x"), 1);
        assert_ne!(built, ours);
        built.clear();
        assert!(built.is_empty() && built.iter().next().is_none());
    }

    /// Position hints only ever speed a lookup up: with hints made stale by removals (the
    /// removed key's slot now points at another entry or past the end) and shared by colliding
    /// keys, every key is found at its own entry and no removed key is found; and for IDs of
    /// AWS's shape most keys are found by their hint (a hash that spread them badly would
    /// leave this a slower `HashMap`).
    #[test]
    fn position_hints_are_checked_and_mostly_right() {
        let id = |n: u64| RouteTableId::new(format!("rtb-{n:017x}"));
        let mut map: IdMap<RouteTableId, u64> = IdMap::new();
        for n in 0..20_000 {
            map.insert(id(n), n);
        }
        let hit = |map: &IdMap<RouteTableId, u64>, key: &RouteTableId| {
            map.hinted(key)
                .and_then(|i| map.entries.get(i))
                .is_some_and(|(k, _)| k == key)
        };
        let hits = (0..20_000).filter(|&n| hit(&map, &id(n))).count();
        assert!(
            hits >= 14_000,
            "only {hits} of 20000 keys found by their hint"
        );
        // Remove every third key (each removal moves the last entry into the hole).
        for n in (0..20_000).step_by(3) {
            assert_eq!(map.remove(&id(n)), Some(n));
        }
        for n in 0..20_000 {
            let expected = (n % 3 != 0).then_some(n);
            assert_eq!(map.get(&id(n)).copied(), expected, "{n}");
            assert_eq!(map.contains_key(&id(n)), expected.is_some());
            // An unchecked hint never answers: `probable` may name another key.
            if let Some((k, _)) = map.probable(&id(n))
                && expected.is_none()
            {
                assert_ne!(k, &id(n));
            }
        }
        // Back again, and removed down to nothing.
        for n in (0..20_000).step_by(3) {
            map.insert(id(n), n + 1);
        }
        assert_eq!(map.get(&id(3)), Some(&4));
        assert_eq!(map.len(), 20_000);
        map.retain(|_, v| *v % 2 == 0);
        assert!(map.iter().all(|(k, v)| map.get(k) == Some(v)));
        for n in 0..20_000 {
            map.remove(&id(n));
        }
        assert!(map.is_empty() && map.get(&id(1)).is_none());
    }
}
