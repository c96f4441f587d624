//! Resource identifiers as newtypes, one per AWS resource kind, displayed verbatim.
//!
//! IDs are never parsed into numbers: AWS IDs are opaque strings and both the 8- and 17-hex-digit
//! forms occur in real data. The prefix of an ID tells its kind (semantics doc §1.1); that
//! classification lives in [`crate::model::Target::from_id`].

use std::fmt;

macro_rules! id_types {
    ($($(#[$doc:meta])* $name:ident = $prefix:literal;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
        pub struct $name(String);

        impl $name {
            /// The ID prefix AWS uses for this kind (semantics doc §1.1).
            pub const PREFIX: &'static str = $prefix;

            pub fn new(s: impl Into<String>) -> Self {
                $name(s.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name(s.to_string())
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
