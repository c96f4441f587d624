//! The path of a walk so far, as a persistent list: every branch that continues from a point
//! of the walk shares the hops before it, so extending a path costs one node and copying it a
//! reference count, however long it is. A whole account's reach follows millions of branches
//! whose paths differ only in their last hop or two; copying each path as a vector of hops was
//! the largest share of `reach_all`'s time (BENCHMARKS.md, "Reach").
//!
//! Paths live inside one walk on one thread (`Rc`); results leave the walk as vectors
//! ([`Path::to_vec`], [`Path::resources_into`]).

use super::Hop;
use std::hash::Hasher;
use std::rc::Rc;
use std::sync::Arc;

/// A path of hops, first hop at the root. Cloning shares the hops.
#[derive(Clone, Default)]
pub struct Path(Option<Rc<Node>>);

enum Node {
    /// One more hop after `parent`.
    Hop {
        hop: Hop,
        len: usize,
        hash: u64,
        parent: Path,
    },
    /// All the hops of `head`, then all those of `tail` (neither empty): what a walk that
    /// reuses another's result (the walk onwards from a NAT gateway) appends in one node.
    Join {
        head: Path,
        tail: Path,
        len: usize,
        hash: u64,
    },
}

/// The base of the paths' rolling hash (odd, so that multiplying by it loses nothing).
const BASE: u64 = 0x9e37_79b9_7f4a_7c15;

/// The hash of one resource name, as [`Path::resources_hash`] combines them.
pub fn name_hash(name: &str) -> u64 {
    let mut h = crate::fxhash::FxHasher::default();
    h.write(name.as_bytes());
    // Never zero, so that a resource always changes the hash.
    h.finish() | 1
}

/// The hash of the resources of `a` followed by those of `b`, from the hash of each and the
/// length of `b` (see [`Path::resources_hash`]).
pub fn combine(a: u64, b: u64, b_len: usize) -> u64 {
    a.wrapping_mul(BASE.wrapping_pow(b_len as u32))
        .wrapping_add(b)
}

impl Path {
    /// The empty path.
    pub fn new() -> Path {
        Path(None)
    }

    /// A path of the given hops, in order.
    pub fn of(hops: impl IntoIterator<Item = Hop>) -> Path {
        let mut p = Path::new();
        for h in hops {
            p.push(h);
        }
        p
    }

    pub fn len(&self) -> usize {
        match self.0.as_deref() {
            None => 0,
            Some(Node::Hop { len, .. } | Node::Join { len, .. }) => *len,
        }
    }

    /// A hash of the resources passed, in order, kept in each node as the path grows: the
    /// polynomial `Σ name_hash(rᵢ)·BASEⁿ⁻¹⁻ⁱ` (wrapping), so that two paths with the same
    /// resources hash alike however they were built (pushed, joined) and grouping a walk's
    /// branches need not walk their paths to hash them.
    pub fn resources_hash(&self) -> u64 {
        match self.0.as_deref() {
            None => 0,
            Some(Node::Hop { hash, .. } | Node::Join { hash, .. }) => *hash,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// Appends a hop (the other clones of this path keep theirs).
    pub fn push(&mut self, hop: Hop) {
        let parent = std::mem::take(self);
        let len = parent.len() + 1;
        let hash = combine(parent.resources_hash(), name_hash(&hop.resource), 1);
        *self = Path(Some(Rc::new(Node::Hop {
            hop,
            len,
            hash,
            parent,
        })));
    }

    /// This path followed by all the hops of `tail`, sharing both.
    pub fn join(&self, tail: &Path) -> Path {
        if tail.is_empty() {
            return self.clone();
        }
        if self.is_empty() {
            return tail.clone();
        }
        Path(Some(Rc::new(Node::Join {
            head: self.clone(),
            tail: tail.clone(),
            len: self.len() + tail.len(),
            hash: combine(self.resources_hash(), tail.resources_hash(), tail.len()),
        })))
    }

    /// The last hop.
    pub fn last(&self) -> Option<&Hop> {
        match self.0.as_deref()? {
            Node::Hop { hop, .. } => Some(hop),
            Node::Join { tail, .. } => tail.last(),
        }
    }

    /// Calls `f` on the hops from the last to the first while it returns true; false if it
    /// stopped early.
    pub fn each_rev<'a>(&'a self, f: &mut impl FnMut(&'a Hop) -> bool) -> bool {
        let mut cur = self.0.as_deref();
        while let Some(n) = cur {
            match n {
                Node::Hop { hop, parent, .. } => {
                    if !f(hop) {
                        return false;
                    }
                    cur = parent.0.as_deref();
                }
                Node::Join { head, tail, .. } => {
                    if !tail.each_rev(f) {
                        return false;
                    }
                    cur = head.0.as_deref();
                }
            }
        }
        true
    }

    /// The hops in order.
    pub fn to_vec(&self) -> Vec<Hop> {
        let mut v = Vec::with_capacity(self.len());
        self.each_rev(&mut |h| {
            v.push(h.clone());
            true
        });
        v.reverse();
        v
    }

    /// Appends the resources passed, in order, to `v`.
    pub fn resources_into(&self, v: &mut Vec<Arc<str>>) {
        let from = v.len();
        self.each_rev(&mut |h| {
            v.push(h.resource.clone());
            true
        });
        v[from..].reverse();
    }

    /// Whether the resources passed are `resources`, in order.
    pub fn same_resources(&self, resources: &[Arc<str>]) -> bool {
        if self.len() != resources.len() {
            return false;
        }
        let mut rest = resources.iter().rev();
        self.each_rev(&mut |h| rest.next().is_some_and(|r| h.resource == *r))
    }
}

impl std::fmt::Debug for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.to_vec()).finish()
    }
}

impl PartialEq for Path {
    fn eq(&self, other: &Path) -> bool {
        self.len() == other.len() && self.to_vec() == other.to_vec()
    }
}

impl Eq for Path {}

// Long paths drop their nodes one by one instead of recursing (a path is a few hops in
// practice, but a walk's depth is not bounded by the input's shape). Joins recurse once per
// nesting level, which a walk keeps to one or two.
impl Drop for Path {
    fn drop(&mut self) {
        let mut cur = self.0.take();
        while let Some(rc) = cur {
            match Rc::try_unwrap(rc) {
                Ok(Node::Hop { mut parent, .. }) => cur = parent.0.take(),
                Ok(Node::Join { .. }) | Err(_) => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resources(p: &Path) -> Vec<Arc<str>> {
        let mut v = Vec::new();
        p.resources_into(&mut v);
        v
    }

    fn names(p: &Path) -> Vec<String> {
        resources(p).iter().map(|r| r.to_string()).collect()
    }

    /// Branches share their prefix and never see each other's hops.
    #[test]
    fn branches_keep_their_own_hops() {
        let base = Path::of([Hop::resource("rtb-1"), Hop::resource("pcx-1")]);
        let mut a = base.clone();
        a.push(Hop::resource("subnet-a"));
        let mut b = base.clone();
        b.push(Hop::resource("subnet-b"));
        assert_eq!(names(&base), ["rtb-1", "pcx-1"]);
        assert_eq!(names(&a), ["rtb-1", "pcx-1", "subnet-a"]);
        assert_eq!(names(&b), ["rtb-1", "pcx-1", "subnet-b"]);
        assert_eq!(a.len(), 3);
        assert_eq!(a.last().map(|h| &*h.resource), Some("subnet-a"));
        assert_ne!(a, b);
        assert_eq!(a, Path::of(a.to_vec()));
        assert!(a.same_resources(&resources(&a)));
        assert!(!a.same_resources(&resources(&b)));
        assert!(!a.same_resources(&resources(&base)));
    }

    /// A joined path reads as one, whatever is appended or joined after it.
    #[test]
    fn join_appends_in_order() {
        let head = Path::of([Hop::resource("rtb-1"), Hop::resource("nat-1")]);
        let tail = Path::of([Hop::resource("subnet-n"), Hop::resource("rtb-n")]);
        let joined = head.join(&tail);
        assert_eq!(names(&joined), ["rtb-1", "nat-1", "subnet-n", "rtb-n"]);
        assert_eq!(joined.len(), 4);
        assert_eq!(joined.last().map(|h| &*h.resource), Some("rtb-n"));
        let mut longer = joined.clone();
        longer.push(Hop::resource("igw-1"));
        let longer = longer.join(&tail);
        assert_eq!(
            names(&longer),
            [
                "rtb-1", "nat-1", "subnet-n", "rtb-n", "igw-1", "subnet-n", "rtb-n"
            ]
        );
        assert!(longer.same_resources(&resources(&longer)));
        assert!(!longer.same_resources(&resources(&joined)));
        assert_eq!(longer, Path::of(longer.to_vec()));
        // The same resources hash alike however the path was built, and differ otherwise.
        assert_eq!(
            longer.resources_hash(),
            Path::of(longer.to_vec()).resources_hash()
        );
        assert_eq!(
            joined.resources_hash(),
            Path::of(joined.to_vec()).resources_hash()
        );
        assert_ne!(joined.resources_hash(), longer.resources_hash());
        assert_ne!(
            head.join(&tail).resources_hash(),
            tail.join(&head).resources_hash()
        );
        assert_eq!(Path::new().resources_hash(), 0);
        assert_eq!(names(&Path::new().join(&tail)), ["subnet-n", "rtb-n"]);
        assert_eq!(names(&head.join(&Path::new())), ["rtb-1", "nat-1"]);
    }

    /// Dropping a very long path does not overflow the stack.
    #[test]
    fn a_long_path_drops_without_recursion() {
        let mut p = Path::new();
        for _ in 0..200_000 {
            p.push(Hop::resource("x"));
        }
        assert_eq!(p.len(), 200_000);
        drop(p);
    }
}
