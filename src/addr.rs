//! Address arithmetic shared by the model, the reach engine and the reports.
//!
//! Both families are handled as inclusive intervals of `u128` so that one code path serves IPv4
//! and IPv6 (IPv4 addresses occupy `0..=u32::MAX`). This module also owns the conversion of
//! intervals back into minimal CIDR lists, and the IANA special-purpose ranges that decide what
//! counts as the public address space (semantics doc §4.1, §4.9).

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::LazyLock;

mod ranges;
pub use ranges::Ranges;

/// Where [`subtract`] and [`intersect`] put their results: a vector or a [`Ranges`].
trait Sink: Default {
    fn put(&mut self, iv: Interval);
}

impl Sink for Vec<Interval> {
    fn put(&mut self, iv: Interval) {
        self.push(iv);
    }
}

impl Sink for Ranges {
    fn put(&mut self, iv: Interval) {
        self.push(iv);
    }
}

/// Address family. IPv4 routes never match IPv6 traffic and back (semantics doc §3.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    Ipv4,
    Ipv6,
}

impl Family {
    pub const ALL: [Family; 2] = [Family::Ipv4, Family::Ipv6];

    /// The highest address of the family as a `u128`.
    pub fn max(self) -> u128 {
        match self {
            Family::Ipv4 => u32::MAX as u128,
            Family::Ipv6 => u128::MAX,
        }
    }

    /// Number of bits in an address of this family.
    pub fn bits(self) -> u8 {
        match self {
            Family::Ipv4 => 32,
            Family::Ipv6 => 128,
        }
    }

    /// The whole address space of the family as one interval.
    pub fn whole(self) -> Interval {
        Interval {
            lo: 0,
            hi: self.max(),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Family::Ipv4 => "ipv4",
            Family::Ipv6 => "ipv6",
        }
    }

    pub fn of_net(net: &IpNet) -> Family {
        match net {
            IpNet::V4(_) => Family::Ipv4,
            IpNet::V6(_) => Family::Ipv6,
        }
    }

    pub fn of_addr(addr: &IpAddr) -> Family {
        match addr {
            IpAddr::V4(_) => Family::Ipv4,
            IpAddr::V6(_) => Family::Ipv6,
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An inclusive range of addresses of one family, `lo <= hi`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Interval {
    pub lo: u128,
    pub hi: u128,
}

impl Interval {
    pub fn new(lo: u128, hi: u128) -> Interval {
        debug_assert!(lo <= hi);
        Interval { lo, hi }
    }

    pub fn single(a: u128) -> Interval {
        Interval { lo: a, hi: a }
    }

    pub fn of_net(net: &IpNet) -> Interval {
        match net {
            IpNet::V4(n) => Interval::of_v4(n),
            IpNet::V6(n) => Interval::of_v6(n),
        }
    }

    pub fn of_v4(n: &Ipv4Net) -> Interval {
        Interval {
            lo: u32::from(n.network()) as u128,
            hi: u32::from(n.broadcast()) as u128,
        }
    }

    pub fn of_v6(n: &Ipv6Net) -> Interval {
        Interval {
            lo: u128::from(n.network()),
            hi: u128::from(n.broadcast()),
        }
    }

    pub fn contains(&self, a: u128) -> bool {
        self.lo <= a && a <= self.hi
    }

    pub fn intersect(&self, other: &Interval) -> Option<Interval> {
        let lo = self.lo.max(other.lo);
        let hi = self.hi.min(other.hi);
        (lo <= hi).then_some(Interval { lo, hi })
    }

    /// Number of addresses, saturating at `u128::MAX` for the whole IPv6 space.
    pub fn size(&self) -> u128 {
        (self.hi - self.lo).saturating_add(1)
    }
}

/// Numeric value of an address.
pub fn addr_value(a: &IpAddr) -> u128 {
    match a {
        IpAddr::V4(v) => u32::from(*v) as u128,
        IpAddr::V6(v) => u128::from(*v),
    }
}

/// The address of a family with a numeric value.
pub fn value_addr(family: Family, v: u128) -> IpAddr {
    match family {
        Family::Ipv4 => IpAddr::V4(Ipv4Addr::from(v as u32)),
        Family::Ipv6 => IpAddr::V6(Ipv6Addr::from(v)),
    }
}

/// The minimal list of CIDR blocks that exactly covers `iv`, in ascending order.
pub fn interval_to_cidrs(family: Family, iv: Interval) -> Vec<IpNet> {
    let bits = family.bits() as u32;
    let mut out = Vec::new();
    let mut lo = iv.lo;
    loop {
        // Largest block aligned at `lo` that does not pass `iv.hi`.
        let align = if lo == 0 {
            bits
        } else {
            lo.trailing_zeros().min(bits)
        };
        let mut size_bits = align;
        while size_bits > 0 {
            let last = if size_bits >= 128 {
                u128::MAX
            } else {
                lo + ((1u128 << size_bits) - 1)
            };
            if last <= iv.hi && last >= lo {
                break;
            }
            size_bits -= 1;
        }
        let prefix = (bits - size_bits) as u8;
        let net = match family {
            Family::Ipv4 => IpNet::V4(
                Ipv4Net::new(Ipv4Addr::from(lo as u32), prefix)
                    .expect("prefix length within 0..=32"),
            ),
            Family::Ipv6 => IpNet::V6(
                Ipv6Net::new(Ipv6Addr::from(lo), prefix).expect("prefix length within 0..=128"),
            ),
        };
        out.push(net);
        let last = if size_bits >= 128 {
            u128::MAX
        } else {
            lo + ((1u128 << size_bits) - 1)
        };
        if last >= iv.hi {
            break;
        }
        lo = last + 1;
    }
    out
}

/// Sorts and merges overlapping or adjacent intervals.
pub fn normalize(mut ivs: Vec<Interval>) -> Vec<Interval> {
    if !ivs.is_sorted() {
        ivs.sort_unstable();
    }
    // Merged in place: `kept` intervals are final, the rest still to merge.
    let mut kept = 0;
    for i in 0..ivs.len() {
        let iv = ivs[i];
        if kept > 0 {
            let last = &mut ivs[kept - 1];
            if iv.lo <= last.hi || iv.lo == last.hi.wrapping_add(1) && last.hi != u128::MAX {
                last.hi = last.hi.max(iv.hi);
                continue;
            }
        }
        ivs[kept] = iv;
        kept += 1;
    }
    ivs.truncate(kept);
    ivs
}

/// `a` minus `b`, both normalized; the result is normalized.
pub fn subtract(a: &[Interval], b: &[Interval]) -> Vec<Interval> {
    subtract_in(a, b)
}

/// [`subtract`] into a [`Ranges`] (no allocation for a result of one interval).
pub fn subtract_ranges(a: &[Interval], b: &[Interval]) -> Ranges {
    subtract_in(a, b)
}

fn subtract_in<S: Sink>(a: &[Interval], b: &[Interval]) -> S {
    let mut out = S::default();
    let mut j = 0;
    for iv in a {
        let mut lo = iv.lo;
        let hi = iv.hi;
        let mut done = false;
        while j < b.len() && b[j].hi < lo {
            j += 1;
        }
        let mut k = j;
        while k < b.len() && b[k].lo <= hi {
            if b[k].lo > lo {
                out.put(Interval::new(lo, b[k].lo - 1));
            }
            if b[k].hi >= hi {
                done = true;
                break;
            }
            lo = b[k].hi + 1;
            k += 1;
        }
        if !done {
            out.put(Interval::new(lo, hi));
        }
    }
    out
}

/// Intersection of two normalized lists.
pub fn intersect(a: &[Interval], b: &[Interval]) -> Vec<Interval> {
    intersect_in(a, b)
}

/// [`intersect`] into a [`Ranges`] (no allocation for a result of one interval).
pub fn intersect_ranges(a: &[Interval], b: &[Interval]) -> Ranges {
    intersect_in(a, b)
}

fn intersect_in<S: Sink>(a: &[Interval], b: &[Interval]) -> S {
    // A few intervals against many (a walk's piece against everything a NAT gateway's walk
    // reached, a subnet against a VPC's ranges): find each one's overlap by binary search
    // instead of walking the long list. Both ways give the same normalized list.
    if a.len() * 8 < b.len() {
        return intersect_few(a, b);
    }
    if b.len() * 8 < a.len() {
        return intersect_few(b, a);
    }
    let (mut i, mut j) = (0, 0);
    let mut out = S::default();
    while i < a.len() && j < b.len() {
        if let Some(x) = a[i].intersect(&b[j]) {
            out.put(x);
        }
        if a[i].hi < b[j].hi {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// [`intersect`] of a short normalized list `few` with a long one `many`.
fn intersect_few<S: Sink>(few: &[Interval], many: &[Interval]) -> S {
    let mut out = S::default();
    let mut from = 0;
    for iv in few {
        from += many[from..].partition_point(|x| x.hi < iv.lo);
        for x in many[from..].iter().take_while(|x| x.lo <= iv.hi) {
            if let Some(hit) = x.intersect(iv) {
                out.put(hit);
            }
        }
    }
    out
}

/// Whether `iv` overlaps any interval of the normalized list `ivs` (binary search, no
/// allocation).
pub fn overlaps(ivs: &[Interval], iv: Interval) -> bool {
    let i = ivs.partition_point(|x| x.hi < iv.lo);
    ivs.get(i).is_some_and(|x| x.lo <= iv.hi)
}

/// Total number of addresses in a normalized list (saturating).
pub fn total_size(ivs: &[Interval]) -> u128 {
    ivs.iter()
        .fold(0u128, |acc, iv| acc.saturating_add(iv.size()))
}

/// IANA special-purpose IPv4 ranges plus multicast and reserved space: never "the internet".
pub const SPECIAL_PURPOSE_V4: &[&str] = &[
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.88.99.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
];

/// IPv6 public unicast is 2000::/3 minus these special-purpose blocks.
pub const SPECIAL_PURPOSE_V6_IN_GLOBAL: &[&str] = &["2001::/23", "2001:db8::/32", "3fff::/20"];

/// The public (internet-routable) address space of a family, normalized (computed once).
pub fn public_space(family: Family) -> &'static [Interval] {
    static SPACE: LazyLock<[Vec<Interval>; 2]> = LazyLock::new(|| {
        let parse =
            |s: &&str| Interval::of_net(&s.parse::<IpNet>().expect("constant CIDR is valid"));
        let v4 = subtract(
            &[Family::Ipv4.whole()],
            &normalize(SPECIAL_PURPOSE_V4.iter().map(parse).collect()),
        );
        let global = Interval::of_net(&"2000::/3".parse::<IpNet>().expect("constant"));
        let v6 = subtract(
            &[global],
            &normalize(SPECIAL_PURPOSE_V6_IN_GLOBAL.iter().map(parse).collect()),
        );
        [v4, v6]
    });
    match family {
        Family::Ipv4 => &SPACE[0],
        Family::Ipv6 => &SPACE[1],
    }
}

fn constant(s: &str) -> Interval {
    Interval::of_net(&s.parse::<IpNet>().expect("constant CIDR is valid"))
}

/// Ranges routes may not target and that the VPC never forwards (IMDS, Amazon DNS), §4.9.
pub fn reserved_link_local(family: Family) -> Interval {
    static RESERVED: LazyLock<[Interval; 2]> =
        LazyLock::new(|| [constant("169.254.168.0/22"), constant("fd00:ec2::/32")]);
    match family {
        Family::Ipv4 => RESERVED[0],
        Family::Ipv6 => RESERVED[1],
    }
}

/// The NAT64 well-known prefix 64:ff9b::/96 (semantics doc §4.2).
pub fn nat64_prefix() -> Interval {
    static NAT64: LazyLock<Interval> = LazyLock::new(|| constant("64:ff9b::/96"));
    *NAT64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidrs(f: Family, lo: &str, hi: &str) -> Vec<String> {
        let lo = addr_value(&lo.parse().unwrap());
        let hi = addr_value(&hi.parse().unwrap());
        interval_to_cidrs(f, Interval::new(lo, hi))
            .iter()
            .map(|n| n.to_string())
            .collect()
    }

    #[test]
    fn cidr_cover_is_minimal() {
        assert_eq!(
            cidrs(Family::Ipv4, "0.0.0.0", "255.255.255.255"),
            ["0.0.0.0/0"]
        );
        assert_eq!(
            cidrs(
                Family::Ipv6,
                "::",
                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
            ),
            ["::/0"]
        );
        assert_eq!(
            cidrs(Family::Ipv4, "10.0.0.1", "10.0.0.6"),
            ["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"]
        );
        assert_eq!(
            cidrs(Family::Ipv4, "0.0.0.0", "9.255.255.255"),
            ["0.0.0.0/5", "8.0.0.0/7"]
        );
    }

    #[test]
    fn public_space_excludes_private_ranges() {
        let p = public_space(Family::Ipv4);
        let has = |a: &str| {
            let v = addr_value(&a.parse().unwrap());
            p.iter().any(|iv| iv.contains(v))
        };
        assert!(has("8.8.8.8"));
        assert!(!has("10.1.2.3"));
        assert!(!has("192.168.1.1"));
        assert!(!has("224.0.0.1"));
        let p6 = public_space(Family::Ipv6);
        let v = addr_value(&"2600::1".parse().unwrap());
        assert!(p6.iter().any(|iv| iv.contains(v)));
        let v = addr_value(&"2001:db8::1".parse().unwrap());
        assert!(!p6.iter().any(|iv| iv.contains(v)));
    }

    #[test]
    fn subtract_and_intersect() {
        let a = vec![Interval::new(0, 100)];
        let b = vec![Interval::new(10, 20), Interval::new(50, 60)];
        assert_eq!(
            subtract(&a, &b),
            vec![
                Interval::new(0, 9),
                Interval::new(21, 49),
                Interval::new(61, 100)
            ]
        );
        assert_eq!(intersect(&a, &b), b);
    }

    /// Intersecting a short list with a long one by binary search gives what the merge gives,
    /// on random normalized lists of every pair of lengths (intervals sharing ends, one
    /// interval covering many, empty lists).
    #[test]
    fn intersecting_few_with_many_agrees_with_the_merge() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for _ in 0..3000 {
            let (la, lb) = (next(4), next(60));
            let mut list = |len: u64| {
                let v: Vec<Interval> = (0..len)
                    .map(|_| {
                        let lo = next(400) as u128;
                        Interval::new(lo, lo + next(40) as u128)
                    })
                    .collect();
                normalize(v)
            };
            let (a, b) = (list(la), list(lb));
            let merged: Vec<Interval> = {
                let (mut i, mut j, mut out) = (0, 0, Vec::new());
                while i < a.len() && j < b.len() {
                    out.extend(a[i].intersect(&b[j]));
                    if a[i].hi < b[j].hi { i += 1 } else { j += 1 }
                }
                out
            };
            assert_eq!(
                intersect_few::<Vec<Interval>>(&a, &b),
                merged,
                "{a:?} with {b:?}"
            );
            assert_eq!(
                intersect_few::<Vec<Interval>>(&b, &a),
                merged,
                "{b:?} with {a:?}"
            );
            assert_eq!(intersect(&a, &b), merged);
            assert_eq!(intersect_ranges(&b, &a), merged);
        }
    }
}
