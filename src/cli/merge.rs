//! `influence merge`: the partial directories of a sharded study made into the study itself;
//! the work is [`influence::ops::merge::merge_parts`].

use std::path::PathBuf;

use clap::Args;

use influence::ops::OutputRequest;
use influence::ops::merge::{Merged, merge_with};
use influence::output::calibration::calibration_text;
use influence::output::discover::sentence;
use influence::output::sensitivity::sensitivity_table;
use influence::output::terminal;

use super::progress::interrupt_flag;
use super::study_flags::{StudyFlags, print_footer};
use super::{Failure, thread_pool};

pub const HELP: &str = "\
Examples:
  influence run my.toml --runs 1000000 --shard 0/4 --out parts/shard-0   # ... up to 3/4
  influence merge parts --out outputs/my

Writes exactly the files that the unsharded command writes for the whole study (`influence
run`, `influence sensitivity`, `influence discover` or `influence calibrate`, whichever wrote
the parts): the same CSVs, byte for byte, the same charts, and a summary.json that differs
only in timing and threads. Parts of different commands, scenarios, seeds, run counts, designs, outcomes or
versions, a shard given twice and missing shards are refused (exit 2) before anything is
written, as is a part whose final.csv or inputs.csv does not read back whole and in range
(exit 1, with the file and line). The parts of `influence calibrate --shard` hold its
rejection step; with --rounds K the merge runs the K rounds of sequential Monte Carlo ABC
itself, on --threads, which cannot run before every shard is in (the result is the same).
  influence sensitivity my.toml --method morris --samples 40 --shard 1/2 --out parts/1
  influence merge parts/0 parts/1 --out outputs/my-morris";

#[derive(Args)]
pub struct MergeArgs {
    /// The partial directories of `influence run|sensitivity|discover|calibrate --shard`, or
    /// one directory that holds them.
    #[arg(required = true)]
    parts: Vec<PathBuf>,
    /// Output directory: the study's, as one machine would have written it.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    flags: StudyFlags,
}

pub fn exec(args: MergeArgs) -> Result<(), Failure> {
    let pool = thread_pool(args.flags.threads())?;
    let output = OutputRequest {
        out: args.out,
        force: args.flags.force,
        charts: !args.flags.no_charts,
    };
    let cancel = interrupt_flag();
    let (report, sc) = merge_with(&args.parts, &output, &pool, &|_| {}, &cancel)?;
    if !args.flags.quiet {
        match &report.value {
            Merged::Run(result) => say!("{}", terminal::summary_table(&sc, result)),
            Merged::Sensitivity(s) => say!("{}", sensitivity_table(&sc, s)),
            Merged::Discover(found) => sayln!("{}", sentence(&sc, found)),
            Merged::Calibrate(c) => say!("{}", calibration_text(&sc, c)),
        }
        print_footer(
            &report.out,
            report.elapsed_s,
            report.threads,
            report.charts.as_ref(),
        )?;
    }
    Ok(())
}
