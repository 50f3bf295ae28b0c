//! The `compare` and `ablate` commands: arguments, progress and printing. Both are paired
//! studies (runs of two scenarios on the same random numbers); the work is done by
//! [`influence::ops::compare`] and [`influence::ops::ablate`].

use std::path::PathBuf;

use clap::Args;

use influence::ops::OutputRequest;
use influence::ops::ablate::run_ablation;
use influence::ops::compare::{Compared, run_compare};
use influence::ops::paired::{PairedRequest, ablation_out_dir, compare_out_dir};

use super::{Failure, StudyFlags, interrupt_flag, load, pool, print_footer, progress_bar};

pub const COMPARE_HELP: &str = "\
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

Exit codes: 0 ok, 1 failure, 2 bad input (including scenarios that cannot be paired).";

pub const ABLATE_HELP: &str = "\
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
    /// Output directory (default: outputs/<base stem>-vs-<variant stem>).
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    flags: StudyFlags,
}

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
    #[command(flatten)]
    flags: StudyFlags,
}

pub fn cmd_compare(args: CompareArgs) -> Result<(), Failure> {
    let (base_source, base) = load(Some(&args.base))?;
    let (variant_source, variant) = load(Some(&args.variant))?;
    let req = PairedRequest {
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
    let pool = pool(args.flags.threads())?;
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
        print!("{}", report.value.table);
        print_footer(
            &report.out,
            report.elapsed_s,
            report.threads,
            report.charts.as_ref(),
        );
    }
    Ok(())
}

pub fn cmd_ablate(args: AblateArgs) -> Result<(), Failure> {
    let (source, sc) = load(args.scenario.as_deref())?;
    let req = PairedRequest {
        runs: args.runs.unwrap_or(sc.runs),
        seed: args.seed.unwrap_or(sc.seed),
        output: OutputRequest {
            out: args.out.unwrap_or_else(|| ablation_out_dir(&source.path)),
            force: args.flags.force,
            charts: !args.flags.no_charts,
        },
    };
    let total = req.runs.saturating_mul(sc.events.len() as u64);
    let bar = progress_bar(total);
    let cancel = interrupt_flag();
    let tick = |k: u64| bar.inc(k);
    let pool = pool(args.flags.threads())?;
    let report = run_ablation(&sc, &source.text, &req, &pool, &tick, &cancel);
    bar.finish_and_clear();
    let report = report?;
    if !args.flags.quiet {
        print!("{}", report.value.table);
        print_footer(
            &report.out,
            report.elapsed_s,
            report.threads,
            report.charts.as_ref(),
        );
    }
    Ok(())
}
