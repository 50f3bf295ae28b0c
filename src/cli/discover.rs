//! `influence discover`: under which combinations of the scenario's guesses an outcome
//! happens; the work is [`influence::ops::discover::run_discover`].

use std::path::PathBuf;

use clap::Args;

use influence::ops::OutputRequest;
use influence::ops::discover::{DiscoverRequest, check_request, run_discover, run_discover_shard};
use influence::output::discover::sentence;

use super::progress::{interrupt_flag, progress_bar};
use super::study_flags::{ShardFlags, StudyFlags, print_footer};
use super::{Failure, load, suffixed_out_dir, thread_pool};
use influence::montecarlo::estimate::Workload;

pub const HELP: &str = "\
Examples:
  influence discover my.toml --outcome \"Azerbaijan tilts west\"
  influence discover my.toml --outcome \"Trust collapses\" --runs 20000 --seed 7

Runs the study with every uncertain input drawn per run, judges each run on the outcome, and
peels boxes in the space of inputs towards the runs where it holds (PRIM, peeling 5% of the
remaining runs at a time). Writes boxes.csv (box,coverage,density,mass,input,low,high: one
row per restricted input of every box on the trajectory), summary.json (the chosen box: the
densest that holds at least half of the runs where the outcome holds), a copy of the
scenario and charts/ (prim_trajectory.png: coverage against density of every box, the
chosen one marked; prim_box.png: the chosen box's limits within each input's range;
--no-charts skips them), and prints the finding as a sentence.

With --shard K/N only shard K (from 0) of N contiguous slices of the runs is simulated, into
a partial directory for `influence merge`, which peels the runs of all shards and writes
exactly the files and charts of the whole discovery; --shard auto reads K and N from a Slurm
array task or, with --shards N, a Kubernetes Indexed Job. Every shard takes the same
--outcome, --runs and --seed.

With --posterior DIR each run's inputs are drawn from the posterior of `influence calibrate`
in DIR instead of from their ranges (the boxes are then over the posterior's vectors); the
scenario's inputs must be the posterior's. It does not go with --shard: the merge would
have to redraw every run's inputs from the posterior (exit 2).
  influence discover my.toml --outcome \"Trust collapses\" --runs 200000 --shard 0/4 --out parts/0
  influence merge parts --out outputs/my-discover";

#[derive(Args)]
pub struct DiscoverArgs {
    /// Scenario file (default: the embedded South Caucasus scenario).
    scenario: Option<PathBuf>,
    /// The outcome to explain, by name.
    #[arg(long)]
    outcome: String,
    /// Runs, each with its own draw of the inputs (default: 10 times the scenario's `runs`).
    #[arg(long)]
    runs: Option<u64>,
    /// Master seed (default: the scenario's `seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Draw each run's uncertain inputs from the posterior of `influence calibrate` in DIR.
    #[arg(long, value_name = "DIR")]
    posterior: Option<PathBuf>,
    /// Output directory (default: outputs/<scenario file stem>-discover).
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    flags: StudyFlags,
    #[command(flatten)]
    sharding: ShardFlags,
}

pub fn exec(args: DiscoverArgs) -> Result<(), Failure> {
    let (source, sc) = load(args.scenario.as_deref())?;
    let shard = args.sharding.shard()?;
    let req = DiscoverRequest {
        outcome: args.outcome,
        runs: args.runs.unwrap_or(sc.runs.saturating_mul(10)),
        seed: args.seed.unwrap_or(sc.seed),
        posterior: match &args.posterior {
            Some(dir) => Some(influence::ops::calibrate::read_posterior(dir, &sc)?),
            None => None,
        },
        output: OutputRequest {
            out: args.out.unwrap_or_else(|| {
                let name = match shard {
                    Some(s) => format!("discover-shard-{}-of-{}", s.index, s.count),
                    None => "discover".to_string(),
                };
                suffixed_out_dir(&source.path, &name)
            }),
            force: args.flags.force,
            charts: !args.flags.no_charts,
        },
    };
    check_request(&sc, &req)?;
    if shard.is_some() && req.posterior.is_some() {
        return Err(Failure::BadInput(
            "error: --posterior does not go with --shard for a discovery: the merge peels the runs' \
             inputs, which it would have to redraw from the posterior; run it unsharded"
                .into(),
        ));
    }
    if let Some(shard) = shard {
        let share = shard.runs(&(0..req.runs));
        let bar = progress_bar(share.end - share.start);
        let cancel = interrupt_flag();
        let tick = |k: u64| bar.inc(k);
        let pool = thread_pool(args.flags.threads())?;
        // A shard holds one verdict a run of its slice; the inputs are drawn again at the merge.
        let work = Workload {
            runs: share.end - share.start,
            held: share.end - share.start,
            held_bytes: 1,
            tallies: 0,
            written_rows: 0,
            spooled_rows: 0,
        };
        args.flags
            .check_fits(&sc, &work, pool.current_num_threads(), &req.output.out)?;
        let report = run_discover_shard(&sc, &source.text, &req, shard, &pool, &tick, &cancel);
        bar.finish_and_clear();
        let report = report?;
        if !args.flags.quiet {
            sayln!(
                "Shard {} of {}: runs {}..{} of {}.",
                shard.index,
                shard.count,
                share.start,
                share.end,
                req.runs
            );
            print_footer(&report.out, report.elapsed_s, report.threads, None)?;
        }
        return Ok(());
    }
    let bar = progress_bar(req.runs);
    let cancel = interrupt_flag();
    let tick = |k: u64| bar.inc(k);
    let pool = thread_pool(args.flags.threads())?;
    // Every run's input values and verdict are held for the peeling.
    let work = Workload {
        runs: req.runs,
        held: req.runs,
        held_bytes: (sc.inputs.len() * 8 + 1) as u64,
        tallies: 0,
        written_rows: 0,
        spooled_rows: 0,
    };
    args.flags
        .check_fits(&sc, &work, pool.current_num_threads(), &req.output.out)?;
    let report = run_discover(&sc, &source.text, &req, &pool, &tick, &cancel);
    bar.finish_and_clear();
    let report = report?;
    if !args.flags.quiet {
        sayln!("{}", sentence(&sc, &report.value));
        print_footer(
            &report.out,
            report.elapsed_s,
            report.threads,
            report.charts.as_ref(),
        )?;
    }
    Ok(())
}
