//! `influence run`: one Monte Carlo study, of a fixed run count or grown until its intervals
//! are narrow enough, or one shard of it for a cluster; the work is
//! [`influence::ops::study::run_study`] and [`influence::ops::shard::run_shard`].

use std::path::PathBuf;

use clap::Args;

use influence::analysis::convergence::StopRule;
use influence::montecarlo::estimate::Workload;
use influence::ops::OutputRequest;
use influence::ops::shard::{ShardChoice, ShardRequest, parse_shard, resolve_shard, run_shard};
use influence::ops::study::{Growth, StudyRequest, default_out_dir, run_study};
use influence::output::terminal;
use influence::scenario::{Scenario, ScenarioSource};

use super::progress::{interrupt_flag, progress_bar};
use super::study_flags::{StudyFlags, print_footer};
use super::{Failure, load, suffixed_out_dir, thread_pool};

pub const HELP: &str = "\
Examples:
  influence run
  influence run scenarios/south_caucasus.toml --runs 20000 --threads 2
  influence run my.toml --seed 7 --out results/my-seed7 --force

Writes alignment.csv, trust_final.csv, threat_final.csv, final.csv, outcomes.csv,
events.csv, runs_sample.csv, summary.json, a copy of the scenario and charts/ (PNG
charts; --no-charts skips them) into the output directory, which appears only once
complete.

With --until-ci W the run count is not fixed: runs are added in blocks of --block (in
run order: runs 0..B, then B..2B, ...) until every outcome's 95% interval has a
half-width of at most W, or --max-runs is reached. The files are then exactly those of a
plain run of the final count, plus convergence.csv (each outcome's estimate and interval
after each block) and charts/convergence.png; summary.json records the rule.
  influence run --until-ci 0.02
  influence run --until-ci 0.01 --block 500 --max-runs 50000

Each run is also simulated without the scenario's events, on the same random numbers (its
no-event twin), so that every outcome is reported with and without the events and with what
the events change (the paired difference, with its interval): the columns baseline,
baseline_low, baseline_high, change, change_low and change_high of outcomes.csv. This
doubles the simulation; --no-baseline skips it and leaves those columns empty. A scenario
without events or without outcomes has no baseline.
  influence run --no-baseline

A scenario with uncertain inputs draws them per run and writes inputs.csv (run,input,value);
--nominal holds them at their nominal values; --posterior DIR draws each run's vector from
the posterior of `influence calibrate` in DIR (MODEL.md, \"Uncertain inputs\"), whose inputs
must be exactly the scenario's (exit 2 otherwise, naming the input and the nearest name).

With --shard K/N only shard K (from 0) of the N contiguous slices of the run indices is
simulated, into a partial directory for `influence merge`; --shard auto reads K and N from a
Slurm array task or, with --shards N, a Kubernetes Indexed Job. With --posterior each part
records the SHA-256 of the posterior.csv it drew from, and parts of different posteriors do
not merge.
  influence run my.toml --runs 1000000 --shard 3/8 --out parts/shard-3

Before anything runs, the memory the study needs is estimated (the tallies of every
thread; the per-run final table, runs x actors x 8 bytes, is kept in an unnamed temporary
file beside the output directory, so memory does not grow with the runs); a study over 8 GiB,
or over the memory this machine has available (MemAvailable), is refused with exit code 2,
saying the estimate and the cap, and so is one whose files would not fit the free disk space.
--max-memory 32G raises the cap; `influence validate` prints the estimate for the scenario's
own run count.";

#[derive(Args)]
pub struct RunArgs {
    /// Scenario file (default: the embedded South Caucasus scenario).
    scenario: Option<PathBuf>,
    /// Number of runs (default: the scenario's `runs`).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    runs: Option<u64>,
    /// Master seed (default: the scenario's `seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Output directory (default: outputs/<scenario file stem>).
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    flags: StudyFlags,
    /// Add runs until every outcome's 95% interval has at most this half-width, in (0, 0.5].
    #[arg(long, value_name = "W", conflicts_with = "runs", value_parser = parse_half_width)]
    until_ci: Option<f64>,
    /// With --until-ci: never more runs than this.
    #[arg(long, value_name = "M", requires = "until_ci", default_value_t = 100_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    max_runs: u64,
    /// With --until-ci: runs added at a time.
    #[arg(long, value_name = "B", requires = "until_ci", default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(1..))]
    block: u64,
    /// Hold every uncertain input at its nominal value instead of drawing it per run.
    #[arg(long)]
    nominal: bool,
    /// Draw each run's uncertain inputs from the posterior of `influence calibrate` in DIR,
    /// instead of from their ranges.
    #[arg(long, value_name = "DIR", conflicts_with = "nominal")]
    posterior: Option<PathBuf>,
    /// Skip the no-event twin of each run: outcomes.csv then has no baseline and no change.
    #[arg(long)]
    no_baseline: bool,
    /// Simulate only shard K of N of the runs (K from 0) and write a partial directory for
    /// `influence merge`; `auto` reads K and N from a Slurm array or a Kubernetes Indexed Job.
    #[arg(long, value_name = "K/N", conflicts_with = "until_ci", value_parser = parse_shard)]
    shard: Option<ShardChoice>,
    /// With --shard auto in a Kubernetes Indexed Job: the number of shards (its completions).
    #[arg(long, value_name = "N", requires = "shard",
          value_parser = clap::value_parser!(u64).range(1..))]
    shards: Option<u64>,
}

/// A target half-width: a number in (0, 0.5], the widest a 95% interval of a share can be.
fn parse_half_width(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(w) if w > 0.0 && w <= 0.5 => Ok(w),
        Ok(_) => Err("the half-width must be in (0, 0.5]".into()),
        Err(e) => Err(e.to_string()),
    }
}

pub fn exec(args: RunArgs) -> Result<(), Failure> {
    let (source, sc) = load(args.scenario.as_deref())?;
    if let Some(choice) = args.shard {
        return exec_shard(&args, choice, &source, &sc);
    }
    let req = StudyRequest {
        runs: args.runs.unwrap_or(sc.runs),
        seed: args.seed.unwrap_or(sc.seed),
        output: OutputRequest {
            out: args.out.unwrap_or_else(|| default_out_dir(&source.path)),
            force: args.flags.force,
            charts: !args.flags.no_charts,
        },
        nominal: args.nominal,
        posterior: match &args.posterior {
            Some(dir) => Some(influence::ops::calibrate::read_posterior(dir, &sc)?),
            None => None,
        },
        baseline: !args.no_baseline,
        until: args.until_ci.map(|half_width| StopRule {
            half_width,
            block: args.block,
            max_runs: args.max_runs,
        }),
    };
    // A grown study's length is unknown in advance; its bar runs towards the cap.
    let bar = progress_bar(req.until.map_or(req.runs, |r| r.max_runs));
    let cancel = interrupt_flag();
    let tick = |k: u64| bar.inc(k);
    let pool = thread_pool(args.flags.threads())?;
    let most = req.until.map_or(req.runs, |r| r.max_runs);
    args.flags.check_fits(
        &sc,
        &Workload::study(&sc, most),
        pool.current_num_threads(),
        &req.output.out,
    )?;
    let report = run_study(&sc, &source.text, &req, &pool, &tick, &cancel);
    bar.finish_and_clear();
    let report = report?;
    if !args.flags.quiet {
        say!("{}", terminal::summary_table(&sc, &report.value.result));
        if let Some(g) = &report.value.growth {
            sayln!("\n{}", growth_line(g, report.value.result.runs));
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

/// `influence run --shard`: one part of a study, for `influence merge`.
fn exec_shard(
    args: &RunArgs,
    choice: ShardChoice,
    source: &ScenarioSource,
    sc: &Scenario,
) -> Result<(), Failure> {
    let choice = match (choice, args.shards) {
        (ShardChoice::Auto { .. }, shards) => ShardChoice::Auto { shards },
        (given, _) => given,
    };
    let shard = resolve_shard(choice, &|name| std::env::var(name).ok())?;
    let runs = args.runs.unwrap_or(sc.runs);
    let req = ShardRequest {
        runs,
        seed: args.seed.unwrap_or(sc.seed),
        nominal: args.nominal,
        posterior: match &args.posterior {
            Some(dir) => Some(influence::ops::calibrate::read_posterior_file(dir, sc)?),
            None => None,
        },
        baseline: !args.no_baseline,
        shard,
        output: OutputRequest {
            out: args.out.clone().unwrap_or_else(|| {
                let name = format!("shard-{}-of-{}", shard.index, shard.count);
                suffixed_out_dir(&source.path, &name)
            }),
            force: args.flags.force,
            charts: false,
        },
    };
    let share = shard.runs(&(0..runs));
    let bar = progress_bar(share.end - share.start);
    let cancel = interrupt_flag();
    let tick = |k: u64| bar.inc(k);
    let pool = thread_pool(args.flags.threads())?;
    args.flags.check_fits(
        sc,
        &Workload::study(sc, share.end - share.start),
        pool.current_num_threads(),
        &req.output.out,
    )?;
    let report = run_shard(sc, &source.text, &req, &pool, &tick, &cancel);
    bar.finish_and_clear();
    let report = report?;
    if !args.flags.quiet {
        sayln!(
            "Shard {} of {}: runs {}..{} of {runs}.",
            shard.index,
            shard.count,
            share.start,
            share.end
        );
        print_footer(&report.out, report.elapsed_s, report.threads, None)?;
    }
    Ok(())
}

/// Whether the stopping rule was met, and at how many runs.
fn growth_line(g: &Growth, runs: u64) -> String {
    let blocks = format!(
        "{} block{} of {}",
        g.blocks,
        if g.blocks == 1 { "" } else { "s" },
        g.rule.block
    );
    if g.met {
        format!(
            "Target met: every outcome's 95% interval is within ±{} after {runs} runs \
             ({blocks}); widest ±{:.4}.",
            g.rule.half_width, g.widest_half_width
        )
    } else {
        format!(
            "Target not met: stopped at the cap of {} runs ({blocks}); the widest interval \
             is ±{:.4}, not ±{}. Raise --max-runs to go on.",
            g.rule.max_runs, g.widest_half_width, g.rule.half_width
        )
    }
}
