//! [`Effect`]: what an accepted change did, as `Network::apply` reports it, with its one-line
//! [`EffectSummary`].
//!
//! A replay applies route changes by the million and most of their summaries are never read, so
//! the summaries of the route and association calls keep their parts and render the line the
//! first time it is asked for (the text is then kept). An `EffectSummary` reads as a `str` (`Deref`,
//! `Display`, comparisons with strings), and the rendered line is the one `apply` used to format
//! eagerly, byte for byte.

use super::AssociationTarget;
use super::ids::*;
use super::route::{Destination, Target};
use std::fmt::{self, Write as _};
use std::sync::OnceLock;

/// What an accepted change did, for reports and for incremental recomputation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Effect {
    /// One line saying what changed, e.g. "rtb-1: added 0.0.0.0/0 -> igw-1".
    pub summary: EffectSummary,
    /// Every resource whose state changed (route tables, subnets, gateways, ...), by ID. The
    /// reach engine recompiles the listed route tables and recomputes the subnets that depend on
    /// any listed resource.
    pub touched: Vec<String>,
    /// True when the change altered structure the reach index is built from (VPC or subnet
    /// CIDRs, subnets created or deleted): the engine must rebuild its index.
    pub structural: bool,
}

/// An effect's one-line summary: text, or the parts of a route or association change rendered
/// on first use (module doc).
#[derive(Clone, Default)]
pub struct EffectSummary {
    parts: Parts,
    text: OnceLock<String>,
}

/// The parts of a summary that has not been rendered yet. Each variant renders exactly the line
/// its handler in `apply` documents.
#[derive(Clone, Default)]
pub(crate) enum Parts {
    /// The text is already in `EffectSummary::text`.
    #[default]
    Text,
    /// CreateRoute: `{table}: added {destination} -> {target}`, then ` ({note})`.
    AddedRoute {
        table: RouteTableId,
        destination: Destination,
        target: Target,
        note: Option<String>,
    },
    /// ReplaceRoute: `{table}: replaced {destination} -> {before} with {destination} -> {after}`,
    /// then ` ({note})`.
    ReplacedRoute {
        table: RouteTableId,
        destination: Destination,
        before: Target,
        after: Target,
        note: Option<String>,
    },
    /// DeleteRoute: `{table}: deleted {destination} -> {target}`.
    DeletedRoute {
        table: RouteTableId,
        destination: Destination,
        target: Target,
    },
    /// AssociateRouteTable: `{table}: associated with {what} as {id}`.
    Associated {
        table: RouteTableId,
        target: AssociationTarget,
        id: RouteTableAssociationId,
    },
    /// DisassociateRouteTable: `{table}: disassociated {id}; {what}`.
    Disassociated {
        table: RouteTableId,
        target: AssociationTarget,
        id: RouteTableAssociationId,
    },
    /// ReplaceRouteTableAssociation: `{what} (association {id} replaced by {new_id}, was
    /// {old_table})`.
    ReplacedAssociation {
        table: RouteTableId,
        vpc: VpcId,
        target: AssociationTarget,
        id: RouteTableAssociationId,
        new_id: RouteTableAssociationId,
        old_table: RouteTableId,
    },
}

impl Parts {
    fn render(&self) -> String {
        let mut s = String::new();
        // Writing to a String cannot fail.
        let _ = self.write(&mut s);
        s
    }

    fn write(&self, s: &mut String) -> fmt::Result {
        let note = |s: &mut String, note: &Option<String>| {
            if let Some(n) = note {
                s.push_str(" (");
                s.push_str(n);
                s.push(')');
            }
        };
        match self {
            Parts::Text => {}
            Parts::AddedRoute {
                table,
                destination,
                target,
                note: n,
            } => {
                write!(s, "{table}: added {destination} -> {target}")?;
                note(s, n);
            }
            Parts::ReplacedRoute {
                table,
                destination,
                before,
                after,
                note: n,
            } => {
                write!(
                    s,
                    "{table}: replaced {destination} -> {before} with {destination} -> {after}"
                )?;
                note(s, n);
            }
            Parts::DeletedRoute {
                table,
                destination,
                target,
            } => write!(s, "{table}: deleted {destination} -> {target}")?,
            Parts::Associated { table, target, id } => {
                write!(s, "{table}: associated with ")?;
                match target {
                    AssociationTarget::Subnet(sub) => write!(s, "{sub}")?,
                    AssociationTarget::Gateway(g) => write!(s, "gateway {g} (edge)")?,
                    AssociationTarget::Main => s.push_str("main"),
                }
                write!(s, " as {id}")?;
            }
            Parts::Disassociated { table, target, id } => {
                write!(s, "{table}: disassociated {id}; ")?;
                match target {
                    AssociationTarget::Subnet(sub) => {
                        write!(s, "{sub} now uses its VPC's main table")?
                    }
                    AssociationTarget::Gateway(g) => {
                        write!(s, "gateway {g} has no edge route table")?
                    }
                    AssociationTarget::Main => {}
                }
            }
            Parts::ReplacedAssociation {
                table,
                vpc,
                target,
                id,
                new_id,
                old_table,
            } => {
                match target {
                    AssociationTarget::Main => {
                        write!(s, "{table} is now the main route table of {vpc}")?
                    }
                    AssociationTarget::Subnet(sub) => write!(s, "{sub} now uses {table}")?,
                    AssociationTarget::Gateway(g) => write!(s, "gateway {g} now uses {table}")?,
                }
                write!(
                    s,
                    " (association {id} replaced by {new_id}, was {old_table})"
                )?;
            }
        }
        Ok(())
    }
}

impl EffectSummary {
    /// A summary from its parts, rendered on first use.
    pub(crate) fn of(parts: Parts) -> EffectSummary {
        EffectSummary {
            parts,
            text: OnceLock::new(),
        }
    }

    /// The line (rendered now if it was not yet).
    pub fn as_str(&self) -> &str {
        self.text.get_or_init(|| self.parts.render())
    }
}

impl From<String> for EffectSummary {
    fn from(text: String) -> EffectSummary {
        EffectSummary {
            parts: Parts::Text,
            text: OnceLock::from(text),
        }
    }
}

impl From<&str> for EffectSummary {
    fn from(text: &str) -> EffectSummary {
        EffectSummary::from(text.to_string())
    }
}

impl std::ops::Deref for EffectSummary {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for EffectSummary {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for EffectSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// As the line's `str` (the way a `String` summary printed).
impl fmt::Debug for EffectSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for EffectSummary {
    fn eq(&self, other: &EffectSummary) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for EffectSummary {}

impl PartialEq<str> for EffectSummary {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for EffectSummary {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for EffectSummary {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_renders_its_parts_once_and_reads_as_a_str() {
        let s = EffectSummary::of(Parts::AddedRoute {
            table: RouteTableId::new("rtb-1"),
            destination: Destination::parse("0.0.0.0/0").expect("cidr"),
            target: Target::from_id("igw-1"),
            note: Some("igw-1 is assumed".into()),
        });
        assert_eq!(s, "rtb-1: added 0.0.0.0/0 -> igw-1 (igw-1 is assumed)");
        assert!(s.contains("added"));
        assert_eq!(format!("{s}"), s.as_str());
        assert_eq!(format!("{s:?}"), format!("{:?}", s.as_str()));
        assert_eq!(
            EffectSummary::from("x".to_string()),
            EffectSummary::from("x")
        );
        assert_eq!(EffectSummary::default(), "");
    }
}
