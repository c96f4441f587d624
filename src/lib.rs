//! vpcsim: an offline simulator of AWS VPC routing.
//!
//! The data flows one way: input files are imported into a [`model::Network`]
//! ([`snapshot`]), the reach engine ([`reach`]) evaluates route tables exactly as EC2 does and
//! partitions every subnet's address space into ranges with one forwarding outcome, and the
//! report layer ([`report`]) renders results as text or JSON. See `ARCHITECTURE.md`.

pub mod addr;
pub mod cloudtrail;
pub mod diag;
pub mod exposure;
mod fxhash;
pub mod generate;
pub mod model;
pub mod reach;
pub mod replay;
pub mod report;
pub mod scenario;
pub mod snapshot;
pub mod whatif;
