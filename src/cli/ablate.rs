//! `influence ablate`: each event left out in turn, paired with the full scenario on the same
//! random numbers, and the events ranked by their effect; the work is
//! [`influence::ops::ablate::run_ablation`].

use std::path::PathBuf;

use clap::Args;

use influence::ops::OutputRequest;
use influence::ops::ablate::run_ablation;
use influence::ops::paired::{PairedRequest, ablation_out_dir};

use super::progress::{interrupt_flag, progress_bar};
use super::study_flags::{StudyFlags, print_footer};
use super::{Failure, load, thread_pool};
use influence::montecarlo::estimate::Workload;

pub const HELP: &str = "\
Examples:
  influence ablate
  influence ablate scenarios/south_caucasus.toml --runs 2000 --threads 2

Re-runs the study once per event with that event left out, each paired with the full
scenario on the same random numbers, and ranks events by their effect (with the event
minus without it) on each outcome's probability and each actor's final alignment. Runs
N times the number of events paired runs in all.

Writes ablation.csv, summary.json, a copy of the scenario and charts/ (ablation.png for
outcomes, ablation_alignment.png for actors; --no-charts skips them).";

#[derive(Args)]
pub struct AblateArgs {
    /// Scenario file (default: the embedded South Caucasus scenario).
    scenario: Option<PathBuf>,
    /// Paired runs per event (default: the scenario's `runs`).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    runs: Option<u64>,
    /// Master seed (default: the scenario's `seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Output directory (default: outputs/<scenario file stem>-ablation).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Draw each run's uncertain inputs from the posterior of `influence calibrate` in DIR.
    #[arg(long, value_name = "DIR")]
    posterior: Option<PathBuf>,
    #[command(flatten)]
    flags: StudyFlags,
}

pub fn exec(args: AblateArgs) -> Result<(), Failure> {
    let (source, sc) = load(args.scenario.as_deref())?;
    let req = PairedRequest {
        posterior: match &args.posterior {
            Some(dir) => Some(influence::ops::calibrate::read_posterior(dir, &sc)?),
            None => None,
        },
        runs: args.runs.unwrap_or(sc.runs),
        seed: args.seed.unwrap_or(sc.seed),
        output: OutputRequest {
            out: args.out.unwrap_or_else(|| ablation_out_dir(&source.path)),
            force: args.flags.force,
            charts: !args.flags.no_charts,
        },
    };
    let pool = thread_pool(args.flags.threads())?;
    // Every event is left out once, each time for the full run count.
    let total = req.runs.saturating_mul(sc.events.len() as u64);
    args.flags.check_fits(
        &sc,
        &Workload::paired(total),
        pool.current_num_threads(),
        &req.output.out,
    )?;
    let bar = progress_bar(total);
    let cancel = interrupt_flag();
    let tick = |k: u64| bar.inc(k);
    let report = run_ablation(&sc, &source.text, &req, &pool, &tick, &cancel);
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
