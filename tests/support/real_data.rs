//! Where the real data is, for the tests that read it: `VPCSIM_REAL_DATA` (set by `.ci/run` to
//! `../shared/data`). A test without it reports itself skipped, on stderr, and passes: the
//! variable unset, or naming no directory (a clone that is not beside the shared data).

use std::path::PathBuf;

/// The real-data directory, or `None` after printing why the test is skipped.
pub fn real_data() -> Option<PathBuf> {
    let Some(dir) = std::env::var_os("VPCSIM_REAL_DATA") else {
        eprintln!("skipped: VPCSIM_REAL_DATA not set");
        return None;
    };
    let dir = PathBuf::from(dir);
    if !dir.is_dir() {
        eprintln!(
            "skipped: VPCSIM_REAL_DATA={} is not a directory",
            dir.display()
        );
        return None;
    }
    Some(dir)
}
