//! What can go wrong when charts are drawn from an output directory.
//!
//! The directory is the product of `influence run`, so a problem with it is reported as a
//! failure to read (exit code 1), never as bad input: the user did not write these files.

use std::io;
use std::path::PathBuf;

use crate::output::OutputError;

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error(
        "{} is not an output directory of `influence run` ({reason})",
        .dir.display()
    )]
    NotAStudy { dir: PathBuf, reason: String },
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("{}:{line}: {message}", path.display())]
    Garbled {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{}: {message}", path.display())]
    Inconsistent { path: PathBuf, message: String },
    #[error("the scenario copy {} does not check:\n{message}", path.display())]
    Scenario { path: PathBuf, message: String },
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("the embedded chart font could not be loaded")]
    Font,
    #[error("cannot draw {chart}: {message}")]
    Draw {
        chart: &'static str,
        message: String,
    },
}
