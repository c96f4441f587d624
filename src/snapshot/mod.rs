//! Snapshot import: builds a [`Network`] from `aws ec2 describe-*` JSON (a directory of files,
//! the Batfish `aws_configs/` layout, or one file holding several keys) or from the compact TOML
//! topology format; and the way back: [`export`] writes a [`Network`] as describe-* JSON that
//! [`json`] reads back unchanged.
//!
//! **Architecture invariant:** only this module knows the JSON and TOML shapes of the input. It
//! never panics on input: a file that cannot be read becomes an [`InputError`] naming the file,
//! the JSON path (or line) and what was expected; odd but usable data becomes a
//! [`Diagnostic`]. After the format-specific importer has run, [`check`] compares what the
//! snapshot reported with what the model derives (route state, dangling references).

pub mod check;
pub mod export;
pub mod json;
mod tape;
pub mod topology;

use crate::diag::Diagnostic;
use crate::model::Network;
use std::fmt;
use std::path::Path;

/// A network and everything the import noticed on the way.
#[derive(Debug)]
pub struct Loaded {
    pub network: Network,
    pub diagnostics: Vec<Diagnostic>,
}

/// One piece of input that could not be read. `location` is `file` plus, where known, the JSON
/// path (`RouteTables[2].Routes[0].DestinationCidrBlock`) or `line N, column M`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct InputError {
    pub location: String,
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Every input error found; the importer reads on past the first one so that all are reported.
/// `partial` holds everything that could be read (the records in error left out), so that a
/// command can still report on it before it exits with the input-error code.
#[derive(Debug, thiserror::Error)]
pub struct ImportError {
    pub errors: Vec<InputError>,
    pub partial: Option<Box<Loaded>>,
}

impl ImportError {
    /// An error with nothing readable behind it.
    pub fn fatal(errors: Vec<InputError>) -> ImportError {
        ImportError {
            errors,
            partial: None,
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// Loads a snapshot from a directory (describe-* files, any layout), a `.toml` topology, or a
/// single JSON file, then runs the consistency checks.
pub fn load(path: &Path) -> Result<Loaded, ImportError> {
    let loaded = if path.is_dir() {
        json::load_dir(path)
    } else if path.extension().and_then(|e| e.to_str()) == Some("toml") {
        topology::load_file(path)
    } else if path.exists() {
        json::load_file(path)
    } else {
        return Err(ImportError::fatal(vec![InputError {
                location: path.display().to_string(),
                message: "no such file or directory; pass a directory of describe-* JSON files, one JSON file, or a .toml topology".into(),
            }]));
    };
    match loaded {
        Ok(mut l) => {
            finish(&mut l);
            Ok(l)
        }
        Err(mut e) => {
            if let Some(p) = e.partial.as_deref_mut() {
                finish(p);
            }
            Err(e)
        }
    }
}

/// Indexes the associations and appends the consistency diagnostics; every importer's result
/// goes through here.
pub fn finish(loaded: &mut Loaded) {
    loaded.network.reindex();
    let mut diags = check::check(&loaded.network);
    loaded.diagnostics.append(&mut diags);
    loaded.diagnostics.sort();
    loaded.diagnostics.dedup();
}

/// `f` applied to contiguous shares of `items`, one per core (at most `items.len() / 256`
/// shares, so that small inputs stay on one thread), results in the order of the shares.
pub(crate) fn in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&[T]) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let shares = cores.min(items.len() / 256).max(1);
    if shares == 1 {
        return vec![f(items)];
    }
    let size = items.len().div_ceil(shares);
    std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> = items
            .chunks(size)
            .skip(1)
            .map(|chunk| scope.spawn(move || f(chunk)))
            .collect();
        let mut out = vec![f(items.get(..size).unwrap_or(items))];
        for h in handles {
            match h.join() {
                Ok(r) => out.push(r),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}
