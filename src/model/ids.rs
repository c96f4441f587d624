//! Resource identifiers as newtypes, one per AWS resource kind, displayed verbatim.
//!
//! IDs are shared strings (`Arc<str>`): cloning one, which the engine does on every path, costs
//! a reference count, not an allocation. They are never parsed into numbers: AWS IDs are opaque strings and both the 8- and 17-hex-digit
//! forms occur in real data. The prefix of an ID tells its kind (semantics doc §1.1); that
//! classification lives in [`crate::model::Target::from_id`].

use std::fmt;
use std::sync::Arc;

/// Anything that can name a resource in a path or an explanation as a shared string: IDs share
/// their allocation, other strings are copied once.
pub trait IntoName {
    fn name(&self) -> Arc<str>;
}

impl IntoName for str {
    fn name(&self) -> Arc<str> {
        Arc::from(self)
    }
}

impl IntoName for String {
    fn name(&self) -> Arc<str> {
        Arc::from(self.as_str())
    }
}

impl IntoName for Arc<str> {
    fn name(&self) -> Arc<str> {
        self.clone()
    }
}

/// The order of `str` (bytewise, then shorter first), eight bytes at a time and inline. IDs are
/// the keys of every map of the model, and AWS IDs of one kind share a prefix (`rtb-0`, and in
/// generated data `rtb-0000000000000…`), so `BTreeMap` lookups spend their time here; a call to
/// `memcmp` per comparison cost more than the comparison.
#[inline]
pub(crate) fn cmp_str(a: &str, b: &str) -> std::cmp::Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 8 <= n {
        let (x, y) = (word(&a[i..i + 8]), word(&b[i..i + 8]));
        if x != y {
            return x.cmp(&y);
        }
        i += 8;
    }
    let tail = if n >= 8 {
        // The last eight common bytes (those before `i` are equal).
        word(&a[n - 8..n]).cmp(&word(&b[n - 8..n]))
    } else {
        a[..n].cmp(&b[..n])
    };
    tail.then(a.len().cmp(&b.len()))
}

/// Eight bytes as a big-endian word, so that words compare as the bytes do.
#[inline]
fn word(bytes: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(bytes);
    u64::from_be_bytes(w)
}

macro_rules! id_types {
    ($($(#[$doc:meta])* $name:ident = $prefix:literal;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Eq, Debug)]
        pub struct $name(Arc<str>);

        /// The text's hash (equal IDs have equal text, whether or not they share it).
        impl std::hash::Hash for $name {
            #[inline]
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                self.0.hash(state)
            }
        }

        /// The clones of one ID are equal without reading their text (`Arc<str>` itself
        /// always compares the text); IDs parsed apart compare by text.
        impl PartialEq for $name {
            #[inline]
            fn eq(&self, other: &Self) -> bool {
                Arc::ptr_eq(&self.0, &other.0) || *self.0 == *other.0
            }
        }

        /// `str`'s order (see [`cmp_str`]).
        impl Ord for $name {
            #[inline]
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                cmp_str(&self.0, &other.0)
            }
        }

        impl PartialOrd for $name {
            #[inline]
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl $name {
            /// The ID prefix AWS uses for this kind (semantics doc §1.1).
            pub const PREFIX: &'static str = $prefix;

            pub fn new(s: impl AsRef<str>) -> Self {
                $name(Arc::from(s.as_ref()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl IntoName for $name {
            fn name(&self) -> Arc<str> {
                self.0.clone()
            }
        }

        impl $name {
            /// Whether both are clones of one ID (the same shared string), without reading
            /// the text: `false` says nothing about their text.
            #[inline]
            pub fn same(&self, other: &Self) -> bool {
                Arc::ptr_eq(&self.0, &other.0)
            }

            /// The address of this ID's shared string: equal for the clones of one ID, so a
            /// cache may key on it without reading the text (two equal IDs parsed apart have
            /// different addresses).
            #[inline]
            pub fn addr(&self) -> usize {
                Arc::as_ptr(&self.0) as *const u8 as usize
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name(Arc::from(s))
            }
        }

        /// The ID sharing an existing name (no copy of the string).
        impl From<Arc<str>> for $name {
            fn from(s: Arc<str>) -> Self {
                $name(s)
            }
        }
    )*};
}

id_types! {
    /// `vpc-…`
    VpcId = "vpc-";
    /// `subnet-…`
    SubnetId = "subnet-";
    /// `rtb-…`
    RouteTableId = "rtb-";
    /// `rtbassoc-…`
    RouteTableAssociationId = "rtbassoc-";
    /// `igw-…`
    InternetGatewayId = "igw-";
    /// `eigw-…`
    EgressOnlyInternetGatewayId = "eigw-";
    /// `nat-…`
    NatGatewayId = "nat-";
    /// `vgw-…`
    VpnGatewayId = "vgw-";
    /// `tgw-…`
    TransitGatewayId = "tgw-";
    /// `tgw-attach-…`
    TransitGatewayAttachmentId = "tgw-attach-";
    /// `pcx-…`
    VpcPeeringConnectionId = "pcx-";
    /// `eni-…`
    NetworkInterfaceId = "eni-";
    /// `i-…`
    InstanceId = "i-";
    /// `vpce-…`
    VpcEndpointId = "vpce-";
    /// `pl-…`
    PrefixListId = "pl-";
    /// `eipalloc-…`
    AllocationId = "eipalloc-";
    /// `cagw-…`
    CarrierGatewayId = "cagw-";
    /// `lgw-…`
    LocalGatewayId = "lgw-";
    /// A twelve-digit AWS account ID.
    AccountId = "";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_order_as_their_strings() {
        let words = [
            "",
            "a",
            "ab",
            "rtb-",
            "rtb-0",
            "rtb-00000000",
            "rtb-000000000",
            "rtb-00000000000001234",
            "rtb-00000000000001235",
            "rtb-0000000000000123",
            "rtb-1",
            "rtb-\u{e9}",
            "rtb-\u{ff}x",
            "rtbassoc-0abc",
            "subnet-0a",
            "subnet-0a\u{0}",
            "zzzzzzzzzzzzzzzzzzzz",
        ];
        for a in words {
            for b in words {
                assert_eq!(cmp_str(a, b), a.cmp(b), "{a:?} vs {b:?}");
                assert_eq!(RouteTableId::new(a).cmp(&RouteTableId::new(b)), a.cmp(b));
            }
        }
    }
}
