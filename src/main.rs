//! The `influence` command line: parse arguments, call the library, print, set the exit code.
//!
//! Exit codes: 0 success, 1 failure (I/O, interrupted, refused output directory, an output
//! directory `chart` cannot read), 2 bad input (a scenario that does not check, or bad
//! arguments).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use influence::output::charts::{ChartError, ChartsReport, rerender_charts};
use influence::output::{StagedDir, terminal, write_replay};
use influence::scenario::{Scenario, ScenarioError, ScenarioSource};
use influence::study::{StudyError, StudyRequest, default_out_dir, run_study};

const AFTER_HELP: &str = "\
Examples:
  influence run                                  # the embedded South Caucasus scenario
  influence run scenarios/south_caucasus.toml --runs 10000 --seed 7
  influence validate my_region.toml
  influence replay --run 17                      # run 17 of the default study, step by step
  influence chart outputs/south_caucasus         # redraw the charts of a finished study

Exit codes: 0 ok, 1 failure, 2 bad input.";

#[derive(Parser)]
#[command(
    name = "influence",
    version,
    about = "Monte Carlo simulation of regional influence between states",
    long_about = "Monte Carlo simulation of regional influence between states.\n\n\
        A scenario (TOML) describes actors, their trust, and a timeline of certain and \
        uncertain events; `influence run` simulates thousands of seeded runs in parallel \
        and writes alignment bands, outcome probabilities and per-run tables.",
    after_help = AFTER_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a Monte Carlo study and write its tables.
    #[command(after_help = "\
Examples:
  influence run
  influence run scenarios/south_caucasus.toml --runs 20000 --threads 2
  influence run my.toml --seed 7 --out results/my-seed7 --force

Writes alignment.csv, trust_final.csv, threat_final.csv, final.csv, outcomes.csv,
events.csv, runs_sample.csv, summary.json, a copy of the scenario and charts/ (PNG
charts; --no-charts skips them) into the output directory, which appears only once
complete.")]
    Run(RunArgs),
    /// Check a scenario and report problems; runs nothing.
    #[command(after_help = "\
Examples:
  influence validate scenarios/south_caucasus.toml
  influence validate            # checks the embedded default")]
    Validate {
        /// Scenario file (default: the embedded South Caucasus scenario).
        scenario: Option<PathBuf>,
    },
    /// Write one run's full trajectory, exactly as the batch simulated it.
    #[command(after_help = "\
Examples:
  influence replay --run 17
  influence replay scenarios/south_caucasus.toml --run 3 --seed 7 --out /tmp/run3

Writes trajectory.csv (alignment, power), pairs.csv (trust, shock, threat) and
events.csv (events that fired, with magnitudes) for every step.")]
    Replay(ReplayArgs),
    /// Redraw the PNG charts of an output directory from its files; runs nothing.
    #[command(after_help = "\
Examples:
  influence chart outputs/south_caucasus
  influence run my.toml --no-charts --out results/my && influence chart results/my

Reads the tables, summary.json and scenario.toml of a directory written by `influence
run` and replaces its charts/ with freshly drawn ones: alignment_fan.png,
alignment_overview.png, runs_sample.png, final_distribution.png, trust_heatmap.png and
outcomes.png. The new charts/ appears whole or not at all. The same directory always
gives the same bytes, so these are the charts `run` drew.

Exit codes: 0 ok, 1 the directory is missing, is not an output directory, or holds a
file that cannot be read.")]
    Chart {
        /// Output directory of `influence run`.
        dir: PathBuf,
    },
}

#[derive(Args)]
struct RunArgs {
    /// Scenario file (default: the embedded South Caucasus scenario).
    scenario: Option<PathBuf>,
    /// Number of runs (default: the scenario's `runs`).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    runs: Option<u64>,
    /// Master seed (default: the scenario's `seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
    threads: Option<u64>,
    /// Output directory (default: outputs/<scenario file stem>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace the output directory if it exists.
    #[arg(long)]
    force: bool,
    /// Do not print the summary table.
    #[arg(long, short)]
    quiet: bool,
    /// Do not draw the PNG charts (`influence chart DIR` draws them later).
    #[arg(long)]
    no_charts: bool,
}

#[derive(Args)]
struct ReplayArgs {
    /// Scenario file (default: the embedded South Caucasus scenario).
    scenario: Option<PathBuf>,
    /// Run index within the batch (0-based, as in final.csv).
    #[arg(long)]
    run: u64,
    /// Master seed (default: the scenario's `seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Output directory (default: outputs/<scenario file stem>-replay-<run>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace the output directory if it exists.
    #[arg(long)]
    force: bool,
}

/// A failure with the exit code it maps to.
enum Failure {
    BadInput(String),
    Other(String),
}

impl From<ScenarioError> for Failure {
    fn from(e: ScenarioError) -> Failure {
        if e.is_bad_input() {
            Failure::BadInput(e.to_string())
        } else {
            Failure::Other(e.to_string())
        }
    }
}

impl From<StudyError> for Failure {
    fn from(e: StudyError) -> Failure {
        Failure::Other(format!("error: {e}"))
    }
}

impl From<ChartError> for Failure {
    fn from(e: ChartError) -> Failure {
        Failure::Other(format!("error: {e}"))
    }
}

impl From<influence::output::OutputError> for Failure {
    fn from(e: influence::output::OutputError) -> Failure {
        Failure::Other(format!("error: {e}"))
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => cmd_run(args),
        Command::Validate { scenario } => cmd_validate(scenario.as_deref()),
        Command::Replay(args) => cmd_replay(args),
        Command::Chart { dir } => cmd_chart(&dir),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::BadInput(msg)) => {
            eprintln!("{}", msg.trim_end());
            ExitCode::from(2)
        }
        Err(Failure::Other(msg)) => {
            eprintln!("{}", msg.trim_end());
            ExitCode::from(1)
        }
    }
}

fn load(path: Option<&Path>) -> Result<(ScenarioSource, Scenario), Failure> {
    let source = ScenarioSource::from_option(path)?;
    let sc = source.parse()?;
    Ok((source, sc))
}

/// Set by Ctrl-C: the batch stops at its next chunk and the staged output is removed.
fn interrupt_flag() -> Arc<AtomicBool> {
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let handler_flag = Arc::clone(&flag);
        // Without a handler Ctrl-C still stops the process; the staging directory is then
        // left behind as a hidden `.NAME.partial-*` beside the target, never as the target.
        let _ = ctrlc::set_handler(move || handler_flag.store(true, Ordering::Relaxed));
        flag
    })
    .clone()
}

fn cmd_run(args: RunArgs) -> Result<(), Failure> {
    let (source, sc) = load(args.scenario.as_deref())?;
    let req = StudyRequest {
        runs: args.runs.unwrap_or(sc.runs),
        seed: args.seed.unwrap_or(sc.seed),
        threads: args.threads.map(|t| t as usize),
        out: args.out.unwrap_or_else(|| default_out_dir(&source.path)),
        force: args.force,
        charts: !args.no_charts,
    };
    let bar = progress_bar(req.runs);
    let cancel = interrupt_flag();
    let tick = |k: u64| bar.inc(k);
    let report = run_study(&sc, &source.text, &req, &tick, &cancel);
    bar.finish_and_clear();
    let report = report?;
    if !args.quiet {
        print!("{}", terminal::summary_table(&sc, &report.result));
        println!(
            "\nWrote {}/ in {:.2} s on {} thread{}.",
            report.out.display(),
            report.elapsed_s,
            report.threads,
            if report.threads == 1 { "" } else { "s" }
        );
        if let Some(charts) = &report.charts {
            println!("{}", charts_line(charts));
        }
    }
    Ok(())
}

fn charts_line(report: &ChartsReport) -> String {
    format!(
        "Drew {} charts in {}/ in {:.2} s.",
        report.charts.len(),
        report.dir.display(),
        report.elapsed_s
    )
}

fn cmd_chart(dir: &Path) -> Result<(), Failure> {
    let report = rerender_charts(dir)?;
    println!("{}", charts_line(&report));
    Ok(())
}

fn progress_bar(runs: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(runs), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} runs  {per_sec}  eta {eta}")
    {
        bar.set_style(style);
    }
    bar
}

fn cmd_validate(path: Option<&Path>) -> Result<(), Failure> {
    let (source, sc) = load(path)?;
    let scheduled = sc.events.len();
    println!(
        "ok: {} ({}): {} actors, {} events, {} outcomes, {} {}s",
        source.origin,
        sc.name,
        sc.n(),
        scheduled,
        sc.outcomes.len(),
        sc.steps,
        sc.step_unit
    );
    Ok(())
}

fn cmd_replay(args: ReplayArgs) -> Result<(), Failure> {
    let (source, sc) = load(args.scenario.as_deref())?;
    let seed = args.seed.unwrap_or(sc.seed);
    let out = args.out.unwrap_or_else(|| {
        let base = default_out_dir(&source.path);
        let name = base
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        base.with_file_name(format!("{name}-replay-{}", args.run))
    });
    let staged = StagedDir::new(&out, args.force)?;
    write_replay(staged.path(), &sc, seed, args.run)?;
    let out = staged.commit()?;
    println!(
        "Wrote run {} of seed {} ({} {}s) to {}/",
        args.run,
        seed,
        sc.steps,
        sc.step_unit,
        out.display()
    );
    Ok(())
}
