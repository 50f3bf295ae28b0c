//! The `influence` command line: the top-level clap types, what every command shares (loading
//! a scenario, failures and their exit codes, default output directories), and one module per
//! command, each an `Args` struct and an `exec` over a library operation.
//!
//! Exit codes: 0 success, 1 failure (I/O, refused output directory, an output directory
//! `chart` cannot read), 2 bad input (a scenario that does not check, or bad arguments),
//! 128 + the signal for a command stopped by SIGINT (130) or SIGTERM (143).

/// `print!` that does not panic: a closed pipe or a full disk on stdout becomes a
/// [`Failure`] (see [`stdout`]) that the calling command returns with `?`.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::stdout::write(format_args!($($arg)*))?
    };
}

/// `println!` that does not panic; see [`say!`].
macro_rules! sayln {
    ($($arg:tt)*) => {
        $crate::cli::stdout::write(format_args!("{}\n", format_args!($($arg)*)))?
    };
}

pub mod ablate;
pub mod blocs;
pub mod calibrate;
pub mod chart;
pub mod compare;
pub mod discover;
pub mod generate;
pub mod merge;
pub mod progress;
pub mod replay;
pub mod report;
pub mod run;
pub mod seeds;
pub mod sensitivity;
pub mod stdout;
pub mod study_flags;
pub mod validate;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use influence::montecarlo::DriverError;
use influence::montecarlo::estimate::EstimateError;
use influence::ops::discover::DiscoverError;
use influence::ops::merge::MergePartsError;
use influence::ops::paired::PairedStudyError;
use influence::ops::pick::PickError;
use influence::ops::replay::ReplayError;
use influence::ops::seeds::SeedsError;
use influence::ops::sensitivity::SensitivityError;
use influence::ops::shard::ShardError;
use influence::ops::study::{StudyError, default_out_dir};
use influence::output::OutputError;
use influence::output::charts::ChartError;
use influence::output::report::ReportError;
use influence::scenario::{Scenario, ScenarioError, ScenarioSource};

const AFTER_HELP: &str = "\
Examples:
  influence run                                  # the embedded South Caucasus scenario
  influence run scenarios/south_caucasus.toml --runs 10000 --seed 7
  influence validate my_region.toml
  influence replay --run 17                      # run 17 of the default study, step by step
  influence chart outputs/south_caucasus         # redraw the charts of a finished study
  influence report outputs/south_caucasus        # rebuild its report.html
  influence compare base.toml variant.toml       # what the variant changes, run for run
  influence ablate                               # which event matters most?
  influence seeds --count 5                      # is the run count enough? five seeds agree?
  influence run --until-ci 0.01                  # add runs until every interval is ±0.01
  influence replay --pick median --actor Armenia # the run of Armenia's median outcome
  influence run --shard 0/4 --out parts/0        # one of four shards; then influence merge
  influence sensitivity --shard 0/4 --out parts/0 # also for sensitivity and discover

Exit codes: 0 ok, 1 failure, 2 bad input, 130 SIGINT, 143 SIGTERM.

--force replaces only a directory influence wrote (or an empty one), never a folder of
other files.";

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
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The commands. Each one's summary line stays here, where clap reads it for the list of
/// commands; its long help (`after_help`) lives beside its arguments in its own module.
#[derive(Subcommand)]
pub enum Command {
    /// Run a Monte Carlo study and write its tables.
    #[command(after_help = run::HELP)]
    Run(run::RunArgs),
    /// Run the same study under several master seeds and compare the spread between them
    /// with the error a single study claims.
    #[command(after_help = seeds::HELP)]
    Seeds(seeds::SeedsArgs),
    /// Compare two scenarios on the same random numbers: what the variant changes.
    #[command(after_help = compare::HELP)]
    Compare(compare::CompareArgs),
    /// Leave each event out in turn and rank the events by their effect.
    #[command(after_help = ablate::HELP)]
    Ablate(ablate::AblateArgs),
    /// Check a scenario and report problems; runs nothing.
    #[command(after_help = validate::HELP)]
    Validate(validate::ValidateArgs),
    /// Write one run's full trajectory, exactly as the batch simulated it.
    #[command(after_help = replay::HELP)]
    Replay(replay::ReplayArgs),
    /// Redraw the PNG charts of an output directory from its files; runs nothing.
    #[command(after_help = chart::HELP)]
    Chart(chart::ChartArgs),
    /// Rebuild the report.html of an output directory from its files; runs nothing.
    #[command(after_help = report::HELP)]
    Report(report::ReportArgs),
    /// Merge the partial directories of a sharded study into the study itself.
    #[command(after_help = merge::HELP)]
    Merge(merge::MergeArgs),
    /// Which uncertain inputs drive each answer: Sobol' indices or Morris elementary effects.
    #[command(after_help = sensitivity::HELP)]
    Sensitivity(sensitivity::SensitivityArgs),
    /// Write a synthetic world scenario of N actors, for scale tests.
    #[command(after_help = generate::HELP)]
    Generate(generate::GenerateArgs),
    /// Under which combinations of the uncertain inputs an outcome happens (PRIM).
    #[command(after_help = discover::HELP)]
    Discover(discover::DiscoverArgs),
    /// The two-bloc splits the start favours (landscape theory); runs nothing.
    #[command(after_help = blocs::HELP)]
    Blocs(blocs::BlocsArgs),
    /// Fit the uncertain inputs to what was observed (approximate Bayesian computation).
    #[command(after_help = calibrate::HELP)]
    Calibrate(calibrate::CalibrateArgs),
}

/// A failure with the exit code it maps to.
pub enum Failure {
    BadInput(String),
    Other(String),
    /// Nothing to say and nothing failed: the reader of stdout went away (a closed pipe,
    /// `| head`), after the command's work was done.
    Quiet,
}

impl Failure {
    /// Prints the message on stderr and gives the exit code: 2 when the user's input is at
    /// fault, 1 for anything else.
    pub fn report(self) -> ExitCode {
        let (msg, code) = match self {
            Failure::BadInput(msg) => (msg, 2),
            Failure::Other(msg) => (msg, 1),
            Failure::Quiet => return ExitCode::SUCCESS,
        };
        eprintln!("{}", msg.trim_end());
        ExitCode::from(code)
    }
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

/// A library error that says whether the user's input is at fault (exit 2) or something
/// else failed (exit 1). Scenario errors are apart: they render their own "error:" lines.
trait Classified: std::fmt::Display {
    fn bad_input(&self) -> bool;
}

impl Classified for influence::ops::calibrate::CalibrateError {
    fn bad_input(&self) -> bool {
        self.is_bad_input()
    }
}

impl Classified for SensitivityError {
    fn bad_input(&self) -> bool {
        self.is_bad_input()
    }
}

impl Classified for influence::ops::blocs::BlocsError {
    fn bad_input(&self) -> bool {
        self.is_bad_input()
    }
}

impl Classified for DiscoverError {
    fn bad_input(&self) -> bool {
        self.is_bad_input()
    }
}

impl Classified for ShardError {
    fn bad_input(&self) -> bool {
        self.is_bad_input()
    }
}

impl Classified for MergePartsError {
    fn bad_input(&self) -> bool {
        self.is_bad_input()
    }
}

impl Classified for DriverError {
    /// A per-run table too large to hold is what was asked for, not a failure of the work.
    fn bad_input(&self) -> bool {
        matches!(self, DriverError::TooLarge { .. })
    }
}

impl Classified for ReplayError {
    fn bad_input(&self) -> bool {
        false
    }
}

impl Classified for StudyError {
    fn bad_input(&self) -> bool {
        self.is_bad_input()
    }
}

impl Classified for SeedsError {
    fn bad_input(&self) -> bool {
        self.is_bad_input()
    }
}

impl Classified for PickError {
    fn bad_input(&self) -> bool {
        self.is_bad_input()
    }
}

impl Classified for PairedStudyError {
    fn bad_input(&self) -> bool {
        self.is_bad_input()
    }
}

impl Classified for EstimateError {
    fn bad_input(&self) -> bool {
        true
    }
}

impl Classified for ChartError {
    fn bad_input(&self) -> bool {
        false
    }
}

impl Classified for ReportError {
    fn bad_input(&self) -> bool {
        false
    }
}

impl Classified for OutputError {
    fn bad_input(&self) -> bool {
        false
    }
}

impl<E: Classified> From<E> for Failure {
    fn from(e: E) -> Failure {
        if e.bad_input() {
            Failure::BadInput(format!("error: {e}"))
        } else {
            Failure::Other(format!("error: {e}"))
        }
    }
}

/// Reads and checks a scenario file, or the embedded default when no path is given.
/// The worker threads of this process, made once per command and handed to the library.
/// Refuses, before anything runs, a batch of `runs` runs that keeps a per-run table
/// (`run`, `seeds`, `replay --pick`) whose estimated memory exceeds the cap (`--max-memory`,
/// 8 GiB by default) or what the machine has available: bad input, with both figures.
pub fn check_footprint(
    sc: &Scenario,
    runs: u64,
    threads: usize,
    max_memory: Option<u64>,
    out: &std::path::Path,
) -> Result<(), Failure> {
    use influence::montecarlo::estimate::{
        DEFAULT_MAX_MEMORY, Workload, available_memory, check, check_disk, estimate_work,
    };
    let work = Workload {
        written_rows: 0,
        ..Workload::study_by_column(sc, runs)
    };
    let need = estimate_work(sc, &work, threads);
    let cap = max_memory.unwrap_or(DEFAULT_MAX_MEMORY);
    check(sc, runs, need, cap, available_memory())?;
    Ok(check_disk(sc, runs, need, out)?)
}

pub fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, Failure> {
    Ok(influence::montecarlo::thread_pool(threads)?)
}

pub fn load(path: Option<&Path>) -> Result<(ScenarioSource, Scenario), Failure> {
    let source = ScenarioSource::from_option(path)?;
    let sc = source.parse()?;
    Ok((source, sc))
}

/// `outputs/<stem>-<suffix>`, beside the default output directory of a study.
pub fn suffixed_out_dir(scenario_path: &Path, suffix: &str) -> PathBuf {
    let base = default_out_dir(scenario_path);
    let name = base
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    base.with_file_name(format!("{name}-{suffix}"))
}
