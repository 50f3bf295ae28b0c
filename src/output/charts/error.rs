//! What can go wrong when charts are drawn from an output directory.
//!
//! The directory is the product of `influence` itself, so a problem with it is reported as a
//! failure to read (exit code 1), never as bad input: the user did not write these files.

use std::io;
use std::path::PathBuf;

use crate::output::OutputError;
use crate::output::schema::ReadError;

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// A file could not be read, or is not in the format its writer gives it.
    #[error(transparent)]
    Input(#[from] ReadError),
    /// A file is well formed but does not agree with the scenario or the files beside it.
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
