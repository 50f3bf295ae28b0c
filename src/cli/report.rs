//! `influence report`: rebuild the report.html of an output directory from its files; runs
//! nothing. The work is [`influence::output::report::write_report`], which reads the
//! directory alone, so the page is the one the command that wrote the directory made.

use std::path::PathBuf;

use clap::Args;

use influence::output::report::write_report;

use super::Failure;

pub const HELP: &str = "\
Examples:
  influence report outputs/south_caucasus
  influence run my.toml --out results/my && influence report results/my

Reads summary.json, the tables, the charts and the scenario copy of a directory written by
`influence run`, `compare`, `seeds`, `ablate` or `merge` and writes report.html beside them:
one self-contained page (charts inlined, no external requests) with the question and the
answer first, then the charts, the tables, the scenario and the provenance. The page is
replaced whole or not at all, and the same directory always gives the same bytes.

Exit codes: 0 ok, 1 the directory is missing, is not an output directory, or holds a
file that cannot be read.";

#[derive(Args)]
pub struct ReportArgs {
    /// Output directory of a study.
    dir: PathBuf,
}

pub fn exec(args: ReportArgs) -> Result<(), Failure> {
    let path = write_report(&args.dir)?;
    println!("report: {}", path.display());
    Ok(())
}
