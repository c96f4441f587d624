//! CloudTrail input: reads records of the route family from trails in any container and
//! decodes each into a typed [`crate::model::Change`] (semantics doc §5).
//!
//! The layers, raw to typed: [`read`] finds records in files, directories and streams (gzip,
//! every container, bounded memory, a cheap pre-filter); [`record`] turns a lenient
//! [`RawRecord`] into a [`Record`] with a typed envelope; [`decode`] maps a record's
//! `requestParameters` / `responseElements`, in either EC2 rendering ([`params`]), to a
//! [`Decoded`]. [`time`] parses `eventTime` into a sortable instant.
//!
//! **Architecture invariant:** only this module knows CloudTrail's JSON shapes. Reading never
//! fails as a whole: a file that cannot be read is a [`FileError`] naming it, and every record
//! read is either kept or counted as ignored, exactly once.

pub mod decode;
pub mod params;
pub mod read;
pub mod record;
pub mod time;

pub use decode::{Decoded, FAMILY, UNSUPPORTED, decode, is_family, is_relevant, unsupported};
pub use read::{
    Container, FileError, FileSummary, ReadResult, SkipReason, SkippedFile, Tally, must_parse,
    read_inputs, read_inputs_with_progress,
};
pub use record::{EC2_EVENT_SOURCE, Position, RawRecord, Record};
pub use time::UtcTime;
