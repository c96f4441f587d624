//! Diagnostics: what an import or an analysis skipped, assumed, or found to disagree.
//!
//! The core never fails on odd data; it records a [`Diagnostic`] instead (the rust-analyzer
//! habit of returning `(T, Vec<Diagnostic>)`). Each carries a stable machine-readable `code`, the
//! resource or file it is about, and a message that says what to do.

use std::fmt;

/// How much a diagnostic matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// A rule vpcsim could not verify and implemented the most likely way (semantics doc "(unverified)").
    Assumption,
    /// Input the model does not use (a section that is not modelled, an unknown key).
    Info,
    /// Input that is inconsistent or refers to something missing; the result may be incomplete.
    Warning,
    /// Input that could not be read at all.
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Assumption => "assumption",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One diagnostic. `location` is a file (and JSON path or line) when the diagnostic is about input.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: &'static str,
    pub resource: Option<String>,
    pub location: Option<String>,
    pub message: String,
}

impl Diagnostic {
    pub fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity,
            code,
            resource: None,
            location: None,
            message: message.into(),
        }
    }

    pub fn resource(mut self, r: impl fmt::Display) -> Diagnostic {
        self.resource = Some(r.to_string());
        self
    }

    pub fn location(mut self, l: impl Into<String>) -> Diagnostic {
        self.location = Some(l.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}]", self.severity.name(), self.code)?;
        if let Some(l) = &self.location {
            write!(f, " {l}")?;
        }
        if let Some(r) = &self.resource {
            write!(f, " {r}")?;
        }
        write!(f, ": {}", self.message)
    }
}
