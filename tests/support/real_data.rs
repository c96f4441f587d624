//! Where the real data is, for the tests that read it: `VPCSIM_REAL_DATA` (set by `.ci/run` to
//! `../shared/data`). A test without it reports itself skipped and passes: the variable unset,
//! or naming no directory (a clone that is not beside the shared data). The line is written to
//! the process's standard error directly, not through `eprintln!`, which the test harness
//! captures and shows only for failing tests: so `cargo test` prints `skipped: …` beside the
//! test's `ok`.

use std::io::Write;
use std::path::PathBuf;

/// Says why a test is skipped, visibly (module doc).
fn skipped(why: &str) {
    let _ = writeln!(std::io::stderr().lock(), "skipped: {why}");
}

/// The real-data directory, or `None` after printing why the test is skipped.
pub fn real_data() -> Option<PathBuf> {
    let Some(dir) = std::env::var_os("VPCSIM_REAL_DATA") else {
        skipped("VPCSIM_REAL_DATA not set");
        return None;
    };
    let dir = PathBuf::from(dir);
    if !dir.is_dir() {
        skipped(&format!(
            "VPCSIM_REAL_DATA={} is not a directory",
            dir.display()
        ));
        return None;
    }
    Some(dir)
}
