//! `influence seeds`: the same study under several master seeds, to check that the spread
//! between them matches the error a single study claims; the work is
//! [`influence::ops::seeds::run_seeds`].

use std::path::PathBuf;

use clap::{ArgGroup, Args};

use influence::ops::OutputRequest;
use influence::ops::seeds::{SeedsRequest, check_request, consecutive_seeds, run_seeds};
use influence::output::seeds::seeds_table;

use super::progress::{interrupt_flag, progress_bar};
use super::study_flags::{StudyFlags, print_footer};
use super::{Failure, load, suffixed_out_dir, thread_pool};
use influence::montecarlo::estimate::Workload;

pub const HELP: &str = "\
Examples:
  influence seeds --count 5                    # seeds S..S+4, S the scenario's seed
  influence seeds my.toml --seeds 1,2,3 --runs 2000

For each outcome probability and each actor's final median it prints the mean over
seeds, the standard deviation between seeds, the standard error a single study claims
(averaged over seeds) and their ratio. Verdict: \"consistent\" when the ratio is at most
2, \"wider than claimed\" above 2 (if the claimed error is right, that happens by chance
for 4.6% of figures with 2 seeds, 1.8% with 3, 0.3% with 5), \"no spread\" when every
run gave the same value. Consistent figures mean the intervals of a single study at this
run count can be trusted; the line under the table says how wide they are.

Writes seeds.csv, seeds_summary.csv, summary.json, a copy of the scenario and
charts/seeds.png into the output directory (default outputs/<scenario file
stem>-seeds), which appears only once complete.";

#[derive(Args)]
#[command(group(ArgGroup::new("which").required(true).args(["seeds", "count"])))]
pub struct SeedsArgs {
    /// Scenario file (default: the embedded South Caucasus scenario).
    scenario: Option<PathBuf>,
    /// Master seeds, comma-separated (at least two, all different).
    #[arg(long, value_delimiter = ',')]
    seeds: Vec<u64>,
    /// Number of consecutive seeds, starting at --seed (default: the scenario's seed).
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u64).range(2..=10_000))]
    count: Option<u64>,
    /// First seed for --count (default: the scenario's `seed`).
    #[arg(long, requires = "count")]
    seed: Option<u64>,
    /// Runs of each study (default: the scenario's `runs`).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    runs: Option<u64>,
    /// Output directory (default: outputs/<scenario file stem>-seeds).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Draw each run's uncertain inputs from the posterior of `influence calibrate` in DIR.
    #[arg(long, value_name = "DIR")]
    posterior: Option<PathBuf>,
    #[command(flatten)]
    flags: StudyFlags,
}

pub fn exec(args: SeedsArgs) -> Result<(), Failure> {
    let (source, sc) = load(args.scenario.as_deref())?;
    let seeds = match args.count {
        Some(count) => {
            let start = args.seed.unwrap_or(sc.seed);
            consecutive_seeds(start, count).ok_or_else(|| {
                Failure::BadInput(format!(
                    "error: {count} seeds from {start} go past the largest seed, {}",
                    u64::MAX
                ))
            })?
        }
        None => args.seeds,
    };
    let runs = args.runs.unwrap_or(sc.runs);
    let req = SeedsRequest {
        posterior: match &args.posterior {
            Some(dir) => Some(influence::ops::calibrate::read_posterior(dir, &sc)?),
            None => None,
        },
        runs,
        output: OutputRequest {
            out: args
                .out
                .unwrap_or_else(|| suffixed_out_dir(&source.path, "seeds")),
            force: args.flags.force,
            charts: !args.flags.no_charts,
        },
        seeds,
    };
    check_request(&req)?;
    let bar = progress_bar(runs.saturating_mul(req.seeds.len() as u64));
    let cancel = interrupt_flag();
    let tick = |k: u64| bar.inc(k);
    let pool = thread_pool(args.flags.threads())?;
    // One seed's study at a time, without per-run tables written.
    // One seed's table is spooled at a time, and read back one actor's column at a time.
    let work = Workload {
        written_rows: 0,
        spooled_rows: runs.saturating_mul(sc.n() as u64),
        ..Workload::study_by_column(&sc, runs)
    };
    args.flags
        .check_fits(&sc, &work, pool.current_num_threads(), &req.output.out)?;
    let report = run_seeds(&sc, &source.text, &req, &pool, &tick, &cancel);
    bar.finish_and_clear();
    let report = report?;
    if !args.flags.quiet {
        say!("{}", seeds_table(&sc, &report.value, &req.seeds, runs));
        print_footer(
            &report.out,
            report.elapsed_s,
            report.threads,
            report.charts.as_ref(),
        )?;
    }
    Ok(())
}
