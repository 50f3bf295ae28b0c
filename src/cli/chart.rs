//! `influence chart`: redraw the charts of an output directory from its files; runs nothing.
//! The work is [`influence::output::charts::rerender_charts`], which reads the directory's
//! own copy of the scenario, so the charts are those the command that wrote it drew.

use std::path::PathBuf;

use clap::Args;

use influence::output::charts::rerender_charts;

use super::Failure;
use super::study_flags::charts_line;

pub const HELP: &str = "\
Examples:
  influence chart outputs/south_caucasus
  influence run my.toml --no-charts --out results/my && influence chart results/my

Reads the tables, summary.json and scenario.toml of a directory written by `influence
run` and replaces its charts/ with freshly drawn ones: alignment_fan.png,
alignment_overview.png, runs_sample.png, final_distribution.png, trust_heatmap.png and
outcomes.png, and convergence.png when the study was grown with --until-ci. For a
directory written by `influence seeds` it draws seeds.png. The new charts/ appears whole or not at all. The same directory always
gives the same bytes, so these are the charts `run` drew.

For a directory written by `influence compare` it draws compare_fan.png and
diff_fan.png; for one written by `influence ablate`, ablation.png and
ablation_alignment.png.

Exit codes: 0 ok, 1 the directory is missing, is not an output directory, or holds a
file that cannot be read.";

#[derive(Args)]
pub struct ChartArgs {
    /// Output directory of `influence run`.
    dir: PathBuf,
}

pub fn exec(args: ChartArgs) -> Result<(), Failure> {
    let report = rerender_charts(&args.dir)?;
    sayln!("{}", charts_line(&report));
    Ok(())
}
