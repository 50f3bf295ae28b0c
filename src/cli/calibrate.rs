//! `influence calibrate`: fit the scenario's uncertain inputs to what was observed; the work
//! is [`influence::ops::calibrate::run_calibrate`].

use std::path::PathBuf;

use clap::Args;

use influence::montecarlo::estimate::Workload;
use influence::ops::OutputRequest;
use influence::ops::calibrate::{
    CalibrateRequest, check_request, run_calibrate, run_calibrate_shard,
};
use influence::ops::sensitivity::shard_share;
use influence::output::calibration::calibration_text;
use influence::scenario::ScenarioError;
use influence::scenario::observed::parse_observed_csv;

use super::progress::{interrupt_flag, progress_bar};
use super::study_flags::{ShardFlags, StudyFlags, print_footer};
use super::{Failure, load, suffixed_out_dir, thread_pool};

pub const HELP: &str = "\
Examples:
  influence calibrate my.toml                                  # 512 points, 20 runs each
  influence calibrate my.toml --samples 2000 --keep 100 --hold-out-after 12
  influence calibrate my.toml --observed record.csv

Approximate Bayesian computation over the scenario's uncertain inputs (numbers given as
{ low = L, high = H }; their ranges are the priors). --samples input vectors are drawn from
the priors by a scrambled Sobol' sequence; each is run --runs times on common random
numbers; its distance to the observations ([[observed]] tables, and the rows of
--observed FILE.csv) adds ((mean - value)/sd)^2 for each observed value and the share of
runs with the wrong sign for each observed sign. The --keep closest are the posterior
(rejection ABC), each weighted by its likelihood (normal errors of the given sd for values,
the share of runs with the observed sign for signs). --rounds K adds K rounds of sequential
Monte Carlo ABC, each running --samples new vectors proposed around the kept ones and
keeping them all, weighted; they pay when the posterior's effective sample size (printed)
is small.

With --hold-out-after STEP, observations after STEP are left out of the fit and scored
under the prior and the posterior: Brier score for signs, RMSE in sd units for values.

Writes posterior.csv (sample,input,value,weight), calibration.csv (input,prior_low,
prior_high,post_median,post_low,post_high; a 90% interval), fit.csv (each observation
against the prior and posterior predictive means and shares of runs with the right sign),
observed.csv (the observations used), summary.json, a copy of the scenario and charts/
(calibration.png: each input's prior range against its posterior, a weighted histogram
with the median and 90% interval; fit.png: each observation against the prior and posterior
predictive means, or shares of runs with the right sign, held-out ones marked; both run to
numbered pages when there are many; --no-charts skips them). A scenario without uncertain
inputs or without observations is refused (exit 2).

With --shard K/N only shard K (from 0) of N contiguous ranges of the --samples input
vectors of the rejection step is simulated, into a partial directory for `influence merge`,
which joins the parts into the rejection step one machine would have run and computes the
rest there: the posterior and, with --rounds K, the K rounds of sequential Monte Carlo ABC
(they propose around the vectors the whole rejection step kept, so no shard can run them;
the merge runs them on its own --threads). The merged directory is the unsharded
calibration's, byte for byte, up to timing and threads in summary.json. --shard auto reads
K and N from a Slurm array task or, with --shards N, a Kubernetes Indexed Job. Every shard
takes the same --samples, --runs, --keep, --rounds, --hold-out-after, --observed and --seed.
  influence calibrate my.toml --samples 4000 --shard 2/4 --out parts/shard-2
  influence merge parts --out outputs/my-calibration";

#[derive(Args)]
pub struct CalibrateArgs {
    /// Scenario file (default: the embedded South Caucasus scenario).
    scenario: Option<PathBuf>,
    /// Input vectors of the design, drawn from the priors.
    #[arg(long, default_value_t = 512, value_parser = clap::value_parser!(u64).range(2..))]
    samples: u64,
    /// Runs at each input vector, on common random numbers.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
    runs: u64,
    /// Input vectors kept as the posterior (default: a tenth of --samples).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    keep: Option<u64>,
    /// Rounds of sequential Monte Carlo ABC after the rejection step, each simulating
    /// --samples new input vectors proposed around those kept before.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=10))]
    rounds: u32,
    /// Fit on the observations up to this step; score those after it.
    #[arg(long, value_name = "STEP")]
    hold_out_after: Option<u64>,
    /// More observations: a CSV with the columns step,metric,actor,other,value,sd,sign,label.
    #[arg(long, value_name = "FILE.csv")]
    observed: Option<PathBuf>,
    /// Master seed (default: the scenario's `seed`); also scrambles the design.
    #[arg(long)]
    seed: Option<u64>,
    /// Output directory (default: outputs/<scenario file stem>-calibration).
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    flags: StudyFlags,
    #[command(flatten)]
    sharding: ShardFlags,
}

pub fn exec(args: CalibrateArgs) -> Result<(), Failure> {
    let (source, sc) = load(args.scenario.as_deref())?;
    let mut observations = sc.observations.clone();
    if let Some(path) = &args.observed {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
            path: origin.clone(),
            source,
        })?;
        observations.extend(parse_observed_csv(&text, &origin, &sc)?);
    }
    let hold_out_after = match args.hold_out_after {
        Some(s) => Some(usize::try_from(s).map_err(|_| {
            Failure::BadInput(format!("--hold-out-after {s} does not fit this platform"))
        })?),
        None => None,
    };
    let shard = args.sharding.shard()?;
    let req = CalibrateRequest {
        samples: args.samples,
        runs: args.runs,
        keep: args.keep.unwrap_or((args.samples / 10).max(1)),
        rounds: args.rounds,
        hold_out_after,
        seed: args.seed.unwrap_or(sc.seed),
        observations,
        output: OutputRequest {
            out: args.out.unwrap_or_else(|| {
                let name = match shard {
                    Some(s) => format!("calibration-shard-{}-of-{}", s.index, s.count),
                    None => "calibration".to_string(),
                };
                suffixed_out_dir(&source.path, &name)
            }),
            force: args.flags.force,
            charts: !args.flags.no_charts,
        },
    };
    let runs = check_request(&sc, &req)?;
    let pool = thread_pool(args.flags.threads())?;
    if let Some(shard) = shard {
        let share = shard_share(shard, req.samples, req.runs);
        let share_runs = share.runs.end - share.runs.start;
        let share_points = share.share.end - share.share.start;
        // The whole design's inputs, and per observation the sums and sign counts of the
        // shard's points, which part.json holds as text.
        let work = Workload {
            runs: share_runs,
            held: share_points,
            held_bytes: (req.observations.len() * 32) as u64,
            tallies: 0,
            written_rows: share_points
                .saturating_mul(req.observations.len() as u64)
                .saturating_add(req.samples.saturating_mul(sc.inputs.len() as u64) / 4),
            spooled_rows: 0,
        };
        args.flags
            .check_fits(&sc, &work, pool.current_num_threads(), &req.output.out)?;
        let bar = progress_bar(share_runs);
        let cancel = interrupt_flag();
        let tick = |k: u64| bar.inc(k);
        let report = run_calibrate_shard(&sc, &source.text, &req, shard, &pool, &tick, &cancel);
        bar.finish_and_clear();
        let report = report?;
        if !args.flags.quiet {
            sayln!(
                "Shard {} of {}: design points {}..{} of {}, {} runs each{}.",
                shard.index,
                shard.count,
                share.share.start,
                share.share.end,
                req.samples,
                req.runs,
                if req.rounds > 0 {
                    format!(
                        "; `influence merge` runs the {} round{} after",
                        req.rounds,
                        if req.rounds == 1 { "" } else { "s" }
                    )
                } else {
                    String::new()
                }
            );
            print_footer(&report.out, report.elapsed_s, report.threads, None)?;
        }
        return Ok(());
    }
    // Every design point of every round is held with its inputs and, per observation, its
    // mean and sign count; the posterior table is written once per kept point and input.
    let points = req.samples.saturating_mul(u64::from(req.rounds) + 1);
    let work = Workload {
        runs,
        held: points,
        held_bytes: (req.observations.len() * 16 + sc.inputs.len() * 8) as u64,
        tallies: 0,
        written_rows: points.saturating_mul(sc.inputs.len() as u64),
        spooled_rows: 0,
    };
    args.flags
        .check_fits(&sc, &work, pool.current_num_threads(), &req.output.out)?;
    let bar = progress_bar(runs);
    let cancel = interrupt_flag();
    let tick = |k: u64| bar.inc(k);
    let report = run_calibrate(&sc, &source.text, &req, &pool, &tick, &cancel);
    bar.finish_and_clear();
    let report = report?;
    if !args.flags.quiet {
        say!("{}", calibration_text(&sc, &report.value));
        print_footer(
            &report.out,
            report.elapsed_s,
            report.threads,
            report.charts.as_ref(),
        )?;
    }
    Ok(())
}
