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

macro_rules! id_types {
    ($($(#[$doc:meta])* $name:ident = $prefix:literal;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
        pub struct $name(Arc<str>);

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
