//! `influence sensitivity`: which of the scenario's guesses drive each answer; the work is
//! [`influence::ops::sensitivity::run_sensitivity`].

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use influence::ops::OutputRequest;
use influence::ops::sensitivity::{
    Method, SensitivityRequest, check_request, run_sensitivity, run_sensitivity_shard, shard_share,
};
use influence::output::sensitivity::sensitivity_table;

use super::progress::{interrupt_flag, progress_bar};
use super::study_flags::{ShardFlags, StudyFlags, print_footer};
use super::{Failure, load, suffixed_out_dir, thread_pool};
use influence::montecarlo::estimate::Workload;

pub const HELP: &str = "\
Examples:
  influence sensitivity my.toml                          # Sobol' indices, 256 base rows
  influence sensitivity my.toml --samples 1024 --runs 100
  influence sensitivity my.toml --method morris --samples 40

The scenario's uncertain inputs (numbers given as { low = L, high = H }) span a design:
Saltelli's (N (D + 2) points for D inputs) for Sobol' first-order and total indices, or
Morris trajectories (N (D + 1) points) for elementary effects. Every point is run --runs
times on common random numbers, so only the inputs differ between points. Measures: each
outcome's probability and each actor's mean final alignment.

Writes sobol.csv (measure,name,input,first,first_low,first_high,total,total_low,total_high)
or morris.csv (measure,name,input,mu,mu_star,sigma,mu_star_low,mu_star_high), design.csv
(point,matrix,row,input,value), points.csv (point,measure,name,value), summary.json, a
copy of the scenario and charts/: sobol_outcomes.png and sobol_alignment.png (or
morris_*.png), one panel per measure, four to a picture, further pictures numbered
(sobol_alignment_2.png, ...); --no-charts skips them. Intervals are 95% percentile
bootstraps over the design's rows. A scenario without uncertain inputs is refused (exit 2).

With --shard K/N only shard K (from 0) of N contiguous ranges of the design points is
simulated, into a partial directory for `influence merge`, which writes exactly the files
and charts of the whole study; --shard auto reads K and N from a Slurm array task or, with
--shards N, a Kubernetes Indexed Job. Every shard takes the same --method, --samples,
--runs and --seed.
  influence sensitivity my.toml --samples 1024 --shard 3/8 --out parts/shard-3

--posterior DIR is refused (exit 2): Sobol' and Morris indices are defined for independent
inputs each spread over its own range, and a calibration's posterior is a weighted set of
input vectors whose inputs depend on each other; varying one input of a posterior vector
over its range leaves the posterior. Run the study on the prior ranges, or narrow the ranges
in the scenario to calibration.csv's intervals and run it on those.
  influence merge parts --out outputs/my-sensitivity";

/// The index to estimate.
#[derive(Clone, Copy, ValueEnum)]
pub enum MethodArg {
    /// Sobol' first-order and total indices (variance-based).
    Sobol,
    /// Morris elementary effects (screening: mu*, sigma).
    Morris,
}

#[derive(Args)]
pub struct SensitivityArgs {
    /// Scenario file (default: the embedded South Caucasus scenario).
    scenario: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "sobol")]
    method: MethodArg,
    /// Base rows (Sobol) or trajectories (Morris).
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u64).range(2..))]
    samples: u64,
    /// Runs at each design point, on common random numbers.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..))]
    runs: u64,
    /// Master seed (default: the scenario's `seed`); also seeds the design and the bootstrap.
    #[arg(long)]
    seed: Option<u64>,
    /// Refused, with why: the indices need independent inputs over their ranges.
    #[arg(long, value_name = "DIR")]
    posterior: Option<PathBuf>,
    /// Output directory (default: outputs/<scenario file stem>-sensitivity).
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    flags: StudyFlags,
    #[command(flatten)]
    sharding: ShardFlags,
}

pub fn exec(args: SensitivityArgs) -> Result<(), Failure> {
    if let Some(dir) = &args.posterior {
        return Err(Failure::BadInput(format!(
            "error: --posterior {}: a sensitivity study does not draw from a posterior. Sobol' and \
             Morris indices are defined for independent inputs, each varied over its own \
             range, and a calibration's posterior is a weighted set of input vectors whose \
             inputs depend on each other: varying one input of a posterior vector over its \
             range leaves the posterior. Run the study on the prior ranges, or narrow the \
             ranges in the scenario to the intervals of calibration.csv",
            dir.display()
        )));
    }
    let (source, sc) = load(args.scenario.as_deref())?;
    let method = match args.method {
        MethodArg::Sobol => Method::Sobol,
        MethodArg::Morris => Method::Morris,
    };
    let shard = args.sharding.shard()?;
    let output = OutputRequest {
        out: args.out.unwrap_or_else(|| {
            let name = match shard {
                Some(s) => format!("sensitivity-shard-{}-of-{}", s.index, s.count),
                None => "sensitivity".to_string(),
            };
            suffixed_out_dir(&source.path, &name)
        }),
        force: args.flags.force,
        charts: !args.flags.no_charts,
    };
    let req = SensitivityRequest::new(
        method,
        args.samples,
        args.runs,
        args.seed.unwrap_or(sc.seed),
        output,
    );
    let points = check_request(&sc, &req)?;
    if let Some(shard) = shard {
        let share = shard_share(shard, points, req.runs);
        let bar = progress_bar(share.runs.end - share.runs.start);
        let cancel = interrupt_flag();
        let tick = |k: u64| bar.inc(k);
        let pool = thread_pool(args.flags.threads())?;
        // The whole design's input values, and the measures of the shard's points.
        let work = Workload {
            runs: share.runs.end - share.runs.start,
            held: points,
            held_bytes: ((sc.outcomes.len() + sc.n()) * 8 + sc.inputs.len() * 8) as u64,
            tallies: 0,
            written_rows: (share.share.end - share.share.start)
                .saturating_mul((sc.outcomes.len() + sc.n()) as u64),
            spooled_rows: 0,
        };
        args.flags
            .check_fits(&sc, &work, pool.current_num_threads(), &req.output.out)?;
        let report = run_sensitivity_shard(&sc, &source.text, &req, shard, &pool, &tick, &cancel);
        bar.finish_and_clear();
        let report = report?;
        if !args.flags.quiet {
            sayln!(
                "Shard {} of {}: design points {}..{} of {points}, {} runs each.",
                shard.index,
                shard.count,
                share.share.start,
                share.share.end,
                req.runs
            );
            print_footer(&report.out, report.elapsed_s, report.threads, None)?;
        }
        return Ok(());
    }
    let bar = progress_bar(points.saturating_mul(req.runs));
    let cancel = interrupt_flag();
    let tick = |k: u64| bar.inc(k);
    let pool = thread_pool(args.flags.threads())?;
    // Each design point holds its measures: the outcomes' hits and the actors' sums.
    let work = Workload {
        runs: points.saturating_mul(req.runs),
        held: points,
        held_bytes: ((sc.outcomes.len() + sc.n()) * 8 + sc.inputs.len() * 8) as u64,
        tallies: 0,
        written_rows: points.saturating_mul((sc.inputs.len() + sc.outcomes.len() + sc.n()) as u64),
        spooled_rows: 0,
    };
    args.flags
        .check_fits(&sc, &work, pool.current_num_threads(), &req.output.out)?;
    let report = run_sensitivity(&sc, &source.text, &req, &pool, &tick, &cancel);
    bar.finish_and_clear();
    let report = report?;
    if !args.flags.quiet {
        say!("{}", sensitivity_table(&sc, &report.value));
        print_footer(
            &report.out,
            report.elapsed_s,
            report.threads,
            report.charts.as_ref(),
        )?;
    }
    Ok(())
}
