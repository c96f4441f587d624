//! `Network::apply`: the one door through which the model changes. It either applies a
//! [`Change`] with the rules EC2 enforces and returns its [`Effect`], or returns the
//! [`Ec2Error`] EC2 would have returned, leaving the model untouched (semantics doc §2.2, §7).

use super::*;

/// Limits and switches for `apply`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplyOptions {
    /// Non-propagated routes per route table and family (semantics doc §3.7: 50 by default,
    /// adjustable up to 1,000); passing it gives `RouteLimitExceeded`.
    pub route_limit: usize,
}

impl Default for ApplyOptions {
    fn default() -> ApplyOptions {
        ApplyOptions { route_limit: 50 }
    }
}

impl Network {
    /// Applies `change` as EC2 would, or returns EC2's error and changes nothing.
    pub fn apply(&mut self, change: &Change, opts: &ApplyOptions) -> Result<Effect, Ec2Error> {
        let _ = opts;
        Err(Ec2Error::new(
            "UnsupportedOperation",
            format!(
                "{} is not applied by this version of vpcsim",
                change.event_name()
            ),
        ))
    }
}
