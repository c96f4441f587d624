//! `Ranges`: a list of intervals that holds a single interval without allocating.
//!
//! A whole account's reach splits the address space into millions of pieces, and most pieces
//! are one interval: a vector per piece was a heap allocation (and a free) per branch of every
//! walk, the largest share of `reach_all`'s allocations (BENCHMARKS.md, "Reach", session 12).
//! `Ranges` keeps one interval inline and moves to a vector at the second. It reads as a slice
//! (`Deref<Target = [Interval]>`), and two lists are equal when their intervals are, whichever
//! way each is stored.

use super::Interval;
use std::ops::{Deref, DerefMut};

/// Intervals in the order given (normalized only where the caller normalizes them).
#[derive(Clone)]
pub struct Ranges(Repr);

#[derive(Clone)]
enum Repr {
    One(Interval),
    /// Any number, including none and one (after a normalization that merged the rest).
    Many(Vec<Interval>),
}

impl Ranges {
    /// No intervals (allocates nothing).
    pub const fn new() -> Ranges {
        Ranges(Repr::Many(Vec::new()))
    }

    /// One interval, inline.
    pub const fn one(iv: Interval) -> Ranges {
        Ranges(Repr::One(iv))
    }

    pub fn push(&mut self, iv: Interval) {
        match &mut self.0 {
            Repr::One(first) => {
                // Room for a few more: a list that grows past one usually keeps growing.
                let mut v = Vec::with_capacity(4);
                v.extend([*first, iv]);
                self.0 = Repr::Many(v);
            }
            Repr::Many(v) if v.is_empty() && v.capacity() == 0 => self.0 = Repr::One(iv),
            Repr::Many(v) => v.push(iv),
        }
    }

    pub fn as_slice(&self) -> &[Interval] {
        match &self.0 {
            Repr::One(iv) => std::slice::from_ref(iv),
            Repr::Many(v) => v,
        }
    }

    /// The intervals as a vector (allocates for an inline one).
    pub fn into_vec(self) -> Vec<Interval> {
        match self.0 {
            Repr::One(iv) => vec![iv],
            Repr::Many(v) => v,
        }
    }

    /// Sorted, overlapping and adjacent intervals merged ([`super::normalize`]).
    pub fn normalize(self) -> Ranges {
        match self.0 {
            Repr::One(_) => self,
            Repr::Many(v) if v.len() <= 1 => Ranges::from(v),
            Repr::Many(v) => Ranges(Repr::Many(super::normalize(v))),
        }
    }

    /// Gives back the spare room of a vector (nothing to do inline).
    pub fn shrink_to_fit(&mut self) {
        match &mut self.0 {
            Repr::One(_) => {}
            Repr::Many(v) if v.len() == 1 => self.0 = Repr::One(v[0]),
            Repr::Many(v) => v.shrink_to_fit(),
        }
    }
}

impl Default for Ranges {
    fn default() -> Ranges {
        Ranges::new()
    }
}

impl Deref for Ranges {
    type Target = [Interval];
    fn deref(&self) -> &[Interval] {
        self.as_slice()
    }
}

impl DerefMut for Ranges {
    fn deref_mut(&mut self) -> &mut [Interval] {
        match &mut self.0 {
            Repr::One(iv) => std::slice::from_mut(iv),
            Repr::Many(v) => v,
        }
    }
}

impl From<Vec<Interval>> for Ranges {
    /// A vector of one interval becomes inline (its buffer is freed).
    fn from(v: Vec<Interval>) -> Ranges {
        match v[..] {
            [iv] => Ranges::one(iv),
            _ => Ranges(Repr::Many(v)),
        }
    }
}

impl From<Interval> for Ranges {
    fn from(iv: Interval) -> Ranges {
        Ranges::one(iv)
    }
}

impl From<Ranges> for Vec<Interval> {
    fn from(r: Ranges) -> Vec<Interval> {
        r.into_vec()
    }
}

impl Extend<Interval> for Ranges {
    fn extend<I: IntoIterator<Item = Interval>>(&mut self, iter: I) {
        for iv in iter {
            self.push(iv);
        }
    }
}

impl<'a> Extend<&'a Interval> for Ranges {
    fn extend<I: IntoIterator<Item = &'a Interval>>(&mut self, iter: I) {
        self.extend(iter.into_iter().copied());
    }
}

impl FromIterator<Interval> for Ranges {
    fn from_iter<I: IntoIterator<Item = Interval>>(iter: I) -> Ranges {
        let mut r = Ranges::new();
        r.extend(iter);
        r
    }
}

/// The intervals by value, in order.
pub enum IntoIter {
    One(std::option::IntoIter<Interval>),
    Many(std::vec::IntoIter<Interval>),
}

impl Iterator for IntoIter {
    type Item = Interval;
    fn next(&mut self) -> Option<Interval> {
        match self {
            IntoIter::One(i) => i.next(),
            IntoIter::Many(i) => i.next(),
        }
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            IntoIter::One(i) => i.size_hint(),
            IntoIter::Many(i) => i.size_hint(),
        }
    }
}

impl IntoIterator for Ranges {
    type Item = Interval;
    type IntoIter = IntoIter;
    fn into_iter(self) -> IntoIter {
        match self.0 {
            Repr::One(iv) => IntoIter::One(Some(iv).into_iter()),
            Repr::Many(v) => IntoIter::Many(v.into_iter()),
        }
    }
}

impl<'a> IntoIterator for &'a Ranges {
    type Item = &'a Interval;
    type IntoIter = std::slice::Iter<'a, Interval>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl PartialEq for Ranges {
    fn eq(&self, other: &Ranges) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Ranges {}

impl PartialEq<Vec<Interval>> for Ranges {
    fn eq(&self, other: &Vec<Interval>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl PartialEq<Ranges> for Vec<Interval> {
    fn eq(&self, other: &Ranges) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl std::hash::Hash for Ranges {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state)
    }
}

impl std::fmt::Debug for Ranges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv(lo: u128, hi: u128) -> Interval {
        Interval::new(lo, hi)
    }

    /// However built (inline, grown, from a vector, collected), a list holds the intervals
    /// pushed, in order, and equals every other list of the same intervals.
    #[test]
    fn holds_what_was_pushed_however_stored() {
        let mut a = Ranges::new();
        assert!(a.is_empty());
        a.push(iv(1, 2));
        assert_eq!(a.as_slice(), &[iv(1, 2)]);
        a.push(iv(5, 9));
        a.extend([iv(20, 20)]);
        assert_eq!(a.as_slice(), &[iv(1, 2), iv(5, 9), iv(20, 20)]);
        let b: Ranges = vec![iv(1, 2), iv(5, 9), iv(20, 20)].into();
        assert_eq!(a, b);
        let c: Ranges = a.iter().copied().collect();
        assert_eq!(c, b);
        assert_eq!(
            a.clone().into_iter().collect::<Vec<_>>(),
            b.clone().into_vec()
        );
        // One interval compares equal inline or in a vector.
        let one = Ranges::one(iv(3, 4));
        let mut grown = Ranges::from(vec![iv(3, 4), iv(6, 7)]);
        assert_ne!(one, grown);
        grown = Ranges::from(vec![iv(3, 4)]);
        assert_eq!(one, grown);
        assert_eq!(one, vec![iv(3, 4)]);
        assert_eq!(format!("{one:?}"), format!("{:?}", vec![iv(3, 4)]));
    }

    /// Normalizing merges as `addr::normalize` does, and shrinking keeps the intervals.
    #[test]
    fn normalizes_like_the_vector_function() {
        let raw = vec![iv(10, 19), iv(0, 4), iv(5, 9), iv(30, 40)];
        let r = Ranges::from(raw.clone()).normalize();
        assert_eq!(r, super::super::normalize(raw));
        let mut merged = Ranges::from(vec![iv(0, 4), iv(5, 9)]).normalize();
        merged.shrink_to_fit();
        assert_eq!(merged.as_slice(), &[iv(0, 9)]);
        let mut m = Ranges::one(iv(7, 8));
        m[0].hi = 9;
        assert_eq!(m.as_slice(), &[iv(7, 9)]);
    }
}
