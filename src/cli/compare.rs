//! `influence compare`: two scenarios run on the same random numbers, and what the variant
//! changes; a paired study whose work is [`influence::ops::compare::run_compare`].

use std::path::PathBuf;

use clap::Args;

use influence::ops::OutputRequest;
use influence::ops::compare::{Compared, run_compare};
use influence::ops::paired::{PairedRequest, compare_out_dir};

use super::progress::{interrupt_flag, progress_bar};
use super::study_flags::{StudyFlags, print_footer};
use super::{Failure, load, thread_pool};
use influence::montecarlo::estimate::Workload;

pub const HELP: &str = "\
Examples:
  influence compare scenarios/south_caucasus.toml my_variant.toml
  influence compare base.toml variant.toml --runs 5000 --seed 7 --out results/variant

Runs both scenarios with the same seed and run indices: run r of the variant draws the
same random numbers as run r of the base wherever the two files agree, so differences come
from what the variant changes, and their intervals are far narrower than those of two
separate studies. The scenarios must describe the same actors, in the same order, over the
same number of steps; outcomes are compared by name.

Writes diff_alignment.csv (paired difference of every actor's alignment at every step),
diff_outcomes.csv (both probabilities of each shared outcome and their paired difference),
base_alignment.csv, variant_alignment.csv, base.toml, variant.toml, summary.json and
charts/ (compare_fan.png, diff_fan.png; --no-charts skips them).

With --posterior DIR each run's inputs are drawn from the posterior of `influence calibrate`
in DIR instead of from their ranges, run r of both scenarios taking the same vector. The
posterior belongs to one scenario's inputs: the base's must be exactly the posterior's, and
the variant's the base's, by name and in the same order; otherwise it is refused (exit 2),
naming the input and the nearest name.

Exit codes: 0 ok, 1 failure, 2 bad input (including scenarios that cannot be paired).";

#[derive(Args)]
pub struct CompareArgs {
    /// The base scenario file.
    base: PathBuf,
    /// The variant scenario file: the base with something changed.
    variant: PathBuf,
    /// Paired runs (default: the base scenario's `runs`).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    runs: Option<u64>,
    /// Master seed of both (default: the base scenario's `seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Draw each run's uncertain inputs, for both scenarios, from the posterior of
    /// `influence calibrate` in DIR.
    #[arg(long, value_name = "DIR")]
    posterior: Option<PathBuf>,
    /// Output directory (default: outputs/<base stem>-vs-<variant stem>).
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    flags: StudyFlags,
}

pub fn exec(args: CompareArgs) -> Result<(), Failure> {
    let (base_source, base) = load(Some(&args.base))?;
    let (variant_source, variant) = load(Some(&args.variant))?;
    let posterior = match &args.posterior {
        Some(dir) => {
            let plan = influence::ops::calibrate::read_posterior(dir, &base)?;
            influence::ops::calibrate::check_posterior_variant(&base, &variant)?;
            Some(plan)
        }
        None => None,
    };
    let req = PairedRequest {
        posterior,
        runs: args.runs.unwrap_or(base.runs),
        seed: args.seed.unwrap_or(base.seed),
        output: OutputRequest {
            out: args
                .out
                .unwrap_or_else(|| compare_out_dir(&base_source.path, &variant_source.path)),
            force: args.flags.force,
            charts: !args.flags.no_charts,
        },
    };
    let pool = thread_pool(args.flags.threads())?;
    let work = Workload::paired(req.runs);
    args.flags
        .check_fits(&base, &work, pool.current_num_threads(), &req.output.out)?;
    let bar = progress_bar(req.runs);
    let cancel = interrupt_flag();
    let tick = |k: u64| bar.inc(k);
    let report = run_compare(
        Compared {
            source: &base_source,
            scenario: &base,
        },
        Compared {
            source: &variant_source,
            scenario: &variant,
        },
        &req,
        &pool,
        &tick,
        &cancel,
    );
    bar.finish_and_clear();
    let report = report?;
    if !args.flags.quiet {
        say!("{}", report.value.table);
        print_footer(
            &report.out,
            report.elapsed_s,
            report.threads,
            report.charts.as_ref(),
        )?;
    }
    Ok(())
}
