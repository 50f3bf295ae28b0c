//! Writing to stdout without panicking. `print!` panics when stdout fails, and it does fail
//! in ordinary use: `influence run | head -3` closes the pipe, and a redirection to a full
//! disk runs out of space, both after the study has been written. A closed pipe means
//! nobody is reading, so the command ends quietly with the exit code of its work (0); any
//! other error means the text was lost, which is reported on stderr with exit code 1.

use std::fmt;
use std::io::{self, Write};

use super::Failure;

/// Writes `args` to stdout and flushes, so that an error is seen here and not at exit.
pub fn write(args: fmt::Arguments) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    out.write_fmt(args)
        .and_then(|()| out.flush())
        .map_err(failure)
}

fn failure(e: io::Error) -> Failure {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Failure::Quiet
    } else {
        Failure::Other(format!("error: cannot write to stdout: {e}"))
    }
}
