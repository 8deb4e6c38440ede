//! What `from-rust` reports when it cannot describe a crate.

use std::fmt;
use std::path::PathBuf;

use crate::manifest::Diagnostics;

/// A problem at a place in the crate's Rust source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceProblem {
    /// The file, as given (relative to the current directory when the crate path was).
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for SourceProblem {
    /// `file:line:column: message`, the form editors and terminals link to.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// Why `from-rust` wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum FromRustError {
    /// A file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// `Cargo.toml` is malformed or says something `from-rust` cannot use.
    #[error("{}: {message}", path.display())]
    Cargo {
        /// The `Cargo.toml`.
        path: PathBuf,
        /// What is wrong, naming the key.
        message: String,
    },
    /// Problems in the Rust source: unreadable syntax, refused `#[vix_ffi::export]` items,
    /// items that do not fit together. All of them, in source order.
    #[error("{}", join(.0))]
    Source(Vec<SourceProblem>),
    /// The manifest built from the source does not pass validation (a function named like
    /// a Python keyword or builtin, say). Each diagnostic names the Rust item behind it.
    #[error("the manifest generated from {} is invalid:\n{}", crate_dir.display(), join(.diagnostics))]
    Manifest {
        /// The crate.
        crate_dir: PathBuf,
        /// The validator's diagnostics, each followed by the Rust item it comes from.
        diagnostics: Vec<String>,
        /// The validator's diagnostics, as they were.
        raw: Diagnostics,
    },
}

fn join<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}
