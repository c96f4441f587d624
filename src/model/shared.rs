//! A collection shared between copies of a network until one of them changes it: cloning a
//! [`Shared`] copies a pointer, and the first change through it copies the collection
//! (`Arc::make_mut`). A replay copies the model to ask it about a record AWS refused (the
//! model usually refuses it too, and then nothing is copied) and to compare exposure before and
//! after a record that takes the full path; on an account with a million routes each such copy
//! cost a third of a second.
//!
//! It reads as the collection (`Deref`) and changes as it (`DerefMut`, which makes it this
//! copy's own first), so code that uses the model's maps need not know.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

#[derive(Clone, Default, PartialEq, Eq)]
pub struct Shared<T: Clone>(Arc<T>);

impl<T: Clone> Shared<T> {
    pub fn new(value: T) -> Shared<T> {
        Shared(Arc::new(value))
    }

    /// Makes the collection this copy's own now (copying it if another copy shares it), rather
    /// than at its first change.
    pub fn make_own(&mut self) {
        Arc::make_mut(&mut self.0);
    }

    /// Whether `other` is a copy that still shares this collection.
    pub fn shares_with(&self, other: &Shared<T>) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<T: Clone> From<T> for Shared<T> {
    fn from(value: T) -> Shared<T> {
        Shared::new(value)
    }
}

impl<T: Clone> Deref for Shared<T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Clone> DerefMut for Shared<T> {
    /// The collection, made this copy's own first (copied when another copy shares it).
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        Arc::make_mut(&mut self.0)
    }
}

/// As the collection itself.
impl<T: Clone + fmt::Debug> fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<'a, T: Clone> IntoIterator for &'a Shared<T>
where
    &'a T: IntoIterator,
{
    type Item = <&'a T as IntoIterator>::Item;
    type IntoIter = <&'a T as IntoIterator>::IntoIter;

    fn into_iter(self) -> Self::IntoIter {
        (&*self.0).into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// A copy shares the collection until one side changes it; then each sees only its own
    /// changes.
    #[test]
    fn copies_share_until_changed() {
        let mut a: Shared<BTreeMap<u32, &str>> = BTreeMap::from([(1, "one")]).into();
        let b = a.clone();
        assert!(a.shares_with(&b));
        a.insert(2, "two");
        assert!(!a.shares_with(&b));
        assert_eq!(a.len(), 2);
        assert_eq!(b.len(), 1);
        assert_eq!(format!("{b:?}"), r#"{1: "one"}"#);
        let pairs: Vec<_> = (&a).into_iter().collect();
        assert_eq!(pairs, vec![(&1, &"one"), (&2, &"two")]);
        let mut c = b.clone();
        assert!(c.shares_with(&b));
        c.make_own();
        assert!(!c.shares_with(&b));
        assert_eq!(*c, *b);
    }
}
