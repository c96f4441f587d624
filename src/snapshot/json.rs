//! Import of `aws ec2 describe-*` JSON (placeholder until the JSON importer lands).

use super::{ImportError, InputError, Loaded};
use std::path::Path;

pub fn load_dir(dir: &Path) -> Result<Loaded, ImportError> {
    load_file(dir)
}

pub fn load_file(path: &Path) -> Result<Loaded, ImportError> {
    Err(ImportError {
        errors: vec![InputError {
            location: path.display().to_string(),
            message: "describe-* JSON import is not built yet".into(),
        }],
    })
}
