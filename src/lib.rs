//! vpcsim: an offline simulator of AWS VPC routing.
//!
//! The data flows one way: input files are imported into a [`model::Network`]
//! ([`snapshot`]), the reach engine ([`reach`]) evaluates route tables exactly as EC2 does and
//! partitions every subnet's address space into ranges with one forwarding outcome, and the
//! report layer ([`report`]) renders results as text or JSON. See `ARCHITECTURE.md`.

// No `unsafe` but the one prefetch hint (`model::prefetch`, which allows it where it is).
#![deny(unsafe_code)]

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

/// The allocator of every program built on this library (the `vpcsim` binary, its tests and
/// benchmarks): jemalloc. A reach allocates millions of small path nodes and range lists per
/// account and frees them in another order; glibc's allocator spent about a quarter of
/// `reach_all`'s time, merging free blocks whenever a block of a kilobyte or more was asked for.
/// With jemalloc `reach_all` is 7% faster, the median per-event exposure cost 18% lower and the
/// streamed report 20% faster (BENCHMARKS.md, session 13). MSVC targets keep the system
/// allocator.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
