//! `influence replay`: write one run's full trajectory, exactly as the batch simulated it,
//! either the run the user names or a representative one picked from a batch; the work is
//! [`influence::output::write_replay`] and [`influence::ops::pick::pick_representative`].

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use influence::analysis::pick::Pick;
use influence::montecarlo::BatchConfig;
use influence::ops::OutputRequest;
use influence::ops::pick::{find_actor, pick_representative};
use influence::ops::replay::run_replay_from;

use super::progress::{interrupt_flag, progress_bar};
use super::{Failure, check_footprint, load, suffixed_out_dir, thread_pool};

pub const HELP: &str = "\
Examples:
  influence replay --run 17
  influence replay scenarios/south_caucasus.toml --run 3 --seed 7 --out /tmp/run3
  influence replay --pick median --actor Azerbaijan    # the typical run for Azerbaijan
  influence replay --pick max --actor Armenia --runs 5000

--pick median|min|max --actor NAME simulates the batch (--runs, default the scenario's
runs; nothing is written) and replays the run whose final alignment of that actor is
closest to the median, or is the smallest or largest; ties go to the lowest run.

--posterior DIR draws the inputs from the posterior of `influence calibrate` in DIR, as
`influence run --posterior DIR` does: the run replayed (and, with --pick, the batch picked
from) is the one that study simulated.

Writes trajectory.csv (alignment, power), pairs.csv (trust, shock, threat) and
events.csv (events that fired, with magnitudes) for every step.";

/// The statistic a representative run is picked by.
#[derive(Clone, Copy, ValueEnum)]
enum PickArg {
    /// The run closest to the median.
    Median,
    /// The run with the smallest value.
    Min,
    /// The run with the largest value.
    Max,
}

impl From<PickArg> for Pick {
    fn from(p: PickArg) -> Pick {
        match p {
            PickArg::Median => Pick::Median,
            PickArg::Min => Pick::Min,
            PickArg::Max => Pick::Max,
        }
    }
}

#[derive(Args)]
pub struct ReplayArgs {
    /// Scenario file (default: the embedded South Caucasus scenario).
    scenario: Option<PathBuf>,
    /// Run index within the batch (0-based, as in final.csv).
    #[arg(long, required_unless_present = "pick", conflicts_with_all = ["pick", "actor", "runs", "threads"])]
    run: Option<u64>,
    /// Replay the run whose final alignment of --actor is closest to the median, or the
    /// smallest, or the largest, in a batch of --runs runs.
    #[arg(long, value_enum, requires = "actor")]
    pick: Option<PickArg>,
    /// The actor --pick looks at.
    #[arg(long, requires = "pick")]
    actor: Option<String>,
    /// With --pick: runs in the batch to pick from (default: the scenario's `runs`).
    #[arg(long, requires = "pick", value_parser = clap::value_parser!(u64).range(1..))]
    runs: Option<u64>,
    /// With --pick: worker threads for the batch (default: all cores). The run picked
    /// does not depend on it.
    #[arg(long, requires = "pick", value_parser = clap::value_parser!(u64).range(1..=1024))]
    threads: Option<u64>,
    /// With --pick: the most memory the batch may need, estimated before it starts (default
    /// 8G); more, or more than this machine has available, is refused (exit 2).
    #[arg(long, requires = "pick", value_name = "SIZE",
          value_parser = influence::montecarlo::estimate::parse_bytes)]
    max_memory: Option<u64>,
    /// Master seed (default: the scenario's `seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Output directory (default: outputs/<scenario file stem>-replay-<run>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace the output directory if it exists and influence wrote it (never other files).
    #[arg(long)]
    force: bool,
    /// Draw the run's uncertain inputs (and, with --pick, the batch's) from the posterior of
    /// `influence calibrate` in DIR, as `influence run --posterior DIR` draws them.
    #[arg(long, value_name = "DIR")]
    posterior: Option<PathBuf>,
}

pub fn exec(args: ReplayArgs) -> Result<(), Failure> {
    let (source, sc) = load(args.scenario.as_deref())?;
    let pool = thread_pool(args.threads.map(|t| t as usize))?;
    let seed = args.seed.unwrap_or(sc.seed);
    let posterior = match &args.posterior {
        Some(dir) => Some(influence::ops::calibrate::read_posterior(dir, &sc)?),
        None => None,
    };
    let run = match (args.run, args.pick, &args.actor) {
        (Some(run), _, _) => run,
        (None, Some(pick), Some(name)) => {
            let actor = find_actor(&sc, name)?;
            let runs = args.runs.unwrap_or(sc.runs);
            // The replay's directory is named after the run picked; its parent is known.
            let parent = args
                .out
                .clone()
                .unwrap_or_else(|| suffixed_out_dir(&source.path, "replay"));
            check_footprint(
                &sc,
                runs,
                pool.current_num_threads(),
                args.max_memory,
                &parent,
            )?;
            let bar = progress_bar(runs);
            let cancel = interrupt_flag();
            let tick = |k: u64| bar.inc(k);
            let cfg = BatchConfig {
                inputs: posterior
                    .clone()
                    .unwrap_or_else(|| influence::ops::study::input_plan(&sc, false)),
                keep: influence::ops::spool_keep(&parent),
                ..BatchConfig::new(runs, seed)
            };
            let picked = pick_representative(&sc, &cfg, actor, pick.into(), &pool, &tick, &cancel);
            bar.finish_and_clear();
            let picked = picked?;
            let name = &sc.actors[actor].name;
            let what = match pick {
                PickArg::Median => format!(
                    "closest to the median {:+.6} of {name}'s final alignment",
                    picked.statistic
                ),
                PickArg::Min => format!("the smallest final alignment of {name}"),
                PickArg::Max => format!("the largest final alignment of {name}"),
            };
            sayln!(
                "Picked run {} of {runs} (seed {seed}): {name} ends at {:+.6}, {what}.",
                picked.run,
                picked.value
            );
            picked.run
        }
        // clap requires --run, or --pick with --actor.
        _ => {
            return Err(Failure::BadInput(
                "error: give --run R, or --pick with --actor".into(),
            ));
        }
    };
    let out = args
        .out
        .unwrap_or_else(|| suffixed_out_dir(&source.path, &format!("replay-{run}")));
    let output = OutputRequest {
        out,
        force: args.force,
        charts: false,
    };
    let out = run_replay_from(&sc, seed, run, posterior.as_ref(), &output, &pool)?;
    sayln!(
        "Wrote run {} of seed {} ({} {}s) to {}/",
        run,
        seed,
        sc.steps,
        sc.step_unit,
        out.display()
    );
    Ok(())
}
