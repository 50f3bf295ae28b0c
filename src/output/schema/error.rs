//! What can go wrong when an output directory is read back.
//!
//! The directory is the product of `influence` itself, so a problem with it is a failure to
//! read (exit code 1), never bad input: the user did not write these files. Every message
//! names the file, and the line when there is one, so a damaged or foreign file is found at
//! once.

use std::io;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{} is not an output directory of influence ({reason})", .dir.display())]
    NotAnOutput { dir: PathBuf, reason: String },
    #[error(
        "{}: unknown kind {kind:?} (this version writes {})",
        path.display(),
        super::summary::OutputKind::names()
    )]
    UnknownKind { path: PathBuf, kind: String },
    #[error(
        "{} is the output of `influence {}`, not of `influence {}`",
        .dir.display(),
        found.command(),
        expected.command()
    )]
    WrongKind {
        dir: PathBuf,
        expected: super::summary::OutputKind,
        found: super::summary::OutputKind,
    },
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("{}:{line}: {message}", path.display())]
    Garbled {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// Every line reads, but the file as a whole lacks what the directory says it holds.
    #[error("{}: {message}", path.display())]
    Incomplete { path: PathBuf, message: String },
}
