//! The `influence` command line: parse arguments, call the library, print, set the exit code.
//!
//! Exit codes: 0 success, 1 failure (I/O, interrupted, refused output directory, an output
//! directory `chart` cannot read), 2 bad input (a scenario that does not check, or bad
//! arguments).

mod paired_cli;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use influence::analysis::convergence::StopRule;
use influence::analysis::pick::Pick;
use influence::montecarlo::{DriverError, thread_pool};
use influence::ops::OutputRequest;
use influence::ops::merge::{MergePartsError, merge_parts};
use influence::ops::pick::{PickError, find_actor, pick_representative};
use influence::ops::replay::{ReplayError, run_replay};
use influence::ops::seeds::{SeedsError, SeedsRequest, consecutive_seeds, run_seeds};
use influence::ops::shard::{ShardChoice, ShardError, ShardRequest, resolve_shard, run_shard};
use influence::ops::study::{Growth, StudyError, StudyRequest, default_out_dir, run_study};
use influence::output::charts::{ChartError, ChartsReport, rerender_charts};
use influence::output::terminal;
use influence::scenario::{Scenario, ScenarioError, ScenarioSource};

const AFTER_HELP: &str = "\
Examples:
  influence run                                  # the embedded South Caucasus scenario
  influence run scenarios/south_caucasus.toml --runs 10000 --seed 7
  influence validate my_region.toml
  influence replay --run 17                      # run 17 of the default study, step by step
  influence chart outputs/south_caucasus         # redraw the charts of a finished study
  influence compare base.toml variant.toml       # what the variant changes, run for run
  influence ablate                               # which event matters most?
  influence seeds --count 5                      # is the run count enough? five seeds agree?
  influence run --until-ci 0.01                  # add runs until every interval is ±0.01
  influence replay --pick median --actor Armenia # the run of Armenia's median outcome

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
complete.

With --until-ci W the run count is not fixed: runs are added in blocks of --block (in
run order: runs 0..B, then B..2B, ...) until every outcome's 95% interval has a
half-width of at most W, or --max-runs is reached. The files are then exactly those of a
plain run of the final count, plus convergence.csv (each outcome's estimate and interval
after each block) and charts/convergence.png; summary.json records the rule.
  influence run --until-ci 0.02
  influence run --until-ci 0.01 --block 500 --max-runs 50000")]
    Run(RunArgs),
    /// Run the same study under several master seeds and compare the spread between them
    /// with the error a single study claims.
    #[command(after_help = "\
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
stem>-seeds), which appears only once complete.")]
    Seeds(SeedsArgs),
    /// Compare two scenarios on the same random numbers: what the variant changes.
    #[command(after_help = paired_cli::COMPARE_HELP)]
    Compare(paired_cli::CompareArgs),
    /// Leave each event out in turn and rank the events by their effect.
    #[command(after_help = paired_cli::ABLATE_HELP)]
    Ablate(paired_cli::AblateArgs),
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
  influence replay --pick median --actor Azerbaijan    # the typical run for Azerbaijan
  influence replay --pick max --actor Armenia --runs 5000

--pick median|min|max --actor NAME simulates the batch (--runs, default the scenario's
runs; nothing is written) and replays the run whose final alignment of that actor is
closest to the median, or is the smallest or largest; ties go to the lowest run.

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
outcomes.png, and convergence.png when the study was grown with --until-ci. For a
directory written by `influence seeds` it draws seeds.png. The new charts/ appears whole or not at all. The same directory always
gives the same bytes, so these are the charts `run` drew.

For a directory written by `influence compare` it draws compare_fan.png and
diff_fan.png; for one written by `influence ablate`, ablation.png and
ablation_alignment.png.

Exit codes: 0 ok, 1 the directory is missing, is not an output directory, or holds a
file that cannot be read.")]
    Chart {
        /// Output directory of `influence run`.
        dir: PathBuf,
    },
    /// Merge the partial directories of a sharded study into the study itself.
    #[command(after_help = "\
Examples:
  influence run my.toml --runs 1000000 --shard 0/4 --out parts/shard-0   # ... up to 3/4
  influence merge parts --out outputs/my

Writes exactly the files that `influence run` writes for the whole study: the same CSVs,
byte for byte, the same charts, and a summary.json that differs only in timing and threads.
Parts of different scenarios, seeds, run counts or versions, a shard given twice and missing
shards are refused (exit 2) before anything is written.")]
    Merge(MergeArgs),
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
    /// Simulate only shard K of N of the runs (K from 0) and write a partial directory for
    /// `influence merge`; `auto` reads K and N from a Slurm array or a Kubernetes Indexed Job.
    #[arg(long, value_name = "K/N", conflicts_with = "until_ci",
          value_parser = influence::ops::shard::parse_shard)]
    shard: Option<influence::ops::shard::ShardChoice>,
    /// With --shard auto in a Kubernetes Indexed Job: the number of shards (the Job's completions).
    #[arg(long, value_name = "N", requires = "shard", value_parser = clap::value_parser!(u64).range(1..))]
    shards: Option<u64>,
}

#[derive(Args)]
struct MergeArgs {
    /// The partial directories of `influence run --shard`, or one directory that holds them.
    #[arg(required = true)]
    parts: Vec<PathBuf>,
    /// Output directory: the study's, as one machine would have written it.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    flags: StudyFlags,
}

/// Options every study command shares.
#[derive(Args)]
struct StudyFlags {
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
    threads: Option<u64>,
    /// Replace the output directory if it exists.
    #[arg(long)]
    force: bool,
    /// Do not print the summary.
    #[arg(long, short)]
    quiet: bool,
    /// Do not draw the PNG charts (`influence chart DIR` draws them later).
    #[arg(long)]
    no_charts: bool,
}

impl StudyFlags {
    fn threads(&self) -> Option<usize> {
        self.threads.map(|t| t as usize)
    }
}

/// The closing lines of a study command: where it wrote, how long it took, the charts.
fn print_footer(out: &Path, elapsed_s: f64, threads: usize, charts: Option<&ChartsReport>) {
    println!(
        "\nWrote {}/ in {elapsed_s:.2} s on {threads} thread{}.",
        out.display(),
        if threads == 1 { "" } else { "s" }
    );
    if let Some(charts) = charts {
        println!("{}", charts_line(charts));
    }
}

/// A target half-width: a number in (0, 0.5], the widest a 95% interval of a share can be.
fn parse_half_width(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(w) if w > 0.0 && w <= 0.5 => Ok(w),
        Ok(_) => Err("the half-width must be in (0, 0.5]".into()),
        Err(e) => Err(e.to_string()),
    }
}

#[derive(Args)]
#[command(group(ArgGroup::new("which").required(true).args(["seeds", "count"])))]
struct SeedsArgs {
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
    #[command(flatten)]
    flags: StudyFlags,
}

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
struct ReplayArgs {
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

/// A library error that says whether the user's input is at fault (exit 2) or something
/// else failed (exit 1). Scenario errors are apart: they render their own "error:" lines.
trait Classified: std::fmt::Display {
    fn bad_input(&self) -> bool;
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

impl Classified for influence::ops::paired::PairedStudyError {
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
    fn bad_input(&self) -> bool {
        false
    }
}

impl Classified for ReplayError {
    fn bad_input(&self) -> bool {
        false
    }
}

impl Classified for ChartError {
    fn bad_input(&self) -> bool {
        false
    }
}

impl Classified for influence::output::OutputError {
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => cmd_run(args),
        Command::Seeds(args) => cmd_seeds(args),
        Command::Validate { scenario } => cmd_validate(scenario.as_deref()),
        Command::Replay(args) => cmd_replay(args),
        Command::Chart { dir } => cmd_chart(&dir),
        Command::Compare(args) => paired_cli::cmd_compare(args),
        Command::Ablate(args) => paired_cli::cmd_ablate(args),
        Command::Merge(args) => cmd_merge(args),
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

/// The worker threads of this process, made once per command.
fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool, Failure> {
    Ok(thread_pool(threads)?)
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
    if let Some(choice) = args.shard {
        return cmd_run_shard(&args, choice, &source, &sc);
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
    let pool = pool(args.flags.threads())?;
    let report = run_study(&sc, &source.text, &req, &pool, &tick, &cancel);
    bar.finish_and_clear();
    let report = report?;
    if !args.flags.quiet {
        print!("{}", terminal::summary_table(&sc, &report.value.result));
        if let Some(g) = &report.value.growth {
            println!("\n{}", growth_line(g, report.value.result.runs));
        }
        print_footer(
            &report.out,
            report.elapsed_s,
            report.threads,
            report.charts.as_ref(),
        );
    }
    Ok(())
}

/// `influence run --shard`: one part of a study, for `influence merge`.
fn cmd_run_shard(
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
        shard,
        output: OutputRequest {
            out: args.out.clone().unwrap_or_else(|| {
                suffixed_out_dir(
                    &source.path,
                    &format!("shard-{}-of-{}", shard.index, shard.count),
                )
            }),
            force: args.flags.force,
            charts: false,
        },
    };
    let share = shard.runs(&(0..runs));
    let bar = progress_bar(share.end - share.start);
    let cancel = interrupt_flag();
    let tick = |k: u64| bar.inc(k);
    let pool = pool(args.flags.threads())?;
    let report = run_shard(sc, &source.text, &req, &pool, &tick, &cancel);
    bar.finish_and_clear();
    let report = report?;
    if !args.flags.quiet {
        println!(
            "Shard {} of {}: runs {}..{} of {runs}.",
            shard.index, shard.count, share.start, share.end
        );
        print_footer(&report.out, report.elapsed_s, report.threads, None);
    }
    Ok(())
}

fn cmd_merge(args: MergeArgs) -> Result<(), Failure> {
    let pool = pool(args.flags.threads())?;
    let output = OutputRequest {
        out: args.out,
        force: args.flags.force,
        charts: !args.flags.no_charts,
    };
    let (report, sc) = merge_parts(&args.parts, &output, &pool)?;
    if !args.flags.quiet {
        print!("{}", terminal::summary_table(&sc, &report.value));
        print_footer(
            &report.out,
            report.elapsed_s,
            report.threads,
            report.charts.as_ref(),
        );
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

fn cmd_seeds(args: SeedsArgs) -> Result<(), Failure> {
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
    influence::ops::seeds::check_request(&req)?;
    let bar = progress_bar(runs.saturating_mul(req.seeds.len() as u64));
    let cancel = interrupt_flag();
    let tick = |k: u64| bar.inc(k);
    let pool = pool(args.flags.threads())?;
    let report = run_seeds(&sc, &source.text, &req, &pool, &tick, &cancel);
    bar.finish_and_clear();
    let report = report?;
    if !args.flags.quiet {
        print!(
            "{}",
            influence::output::seeds::seeds_table(&sc, &report.value, &req.seeds, runs)
        );
        print_footer(
            &report.out,
            report.elapsed_s,
            report.threads,
            report.charts.as_ref(),
        );
    }
    Ok(())
}

/// `outputs/<stem>-<suffix>`, beside the default output directory of a study.
fn suffixed_out_dir(scenario_path: &Path, suffix: &str) -> PathBuf {
    let base = default_out_dir(scenario_path);
    let name = base
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    base.with_file_name(format!("{name}-{suffix}"))
}

fn charts_line(report: &ChartsReport) -> String {
    format!(
        "Drew {} chart{} in {}/ in {:.2} s.",
        report.charts.len(),
        if report.charts.len() == 1 { "" } else { "s" },
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
    let pool = pool(args.threads.map(|t| t as usize))?;
    let seed = args.seed.unwrap_or(sc.seed);
    let run = match (args.run, args.pick, &args.actor) {
        (Some(run), _, _) => run,
        (None, Some(pick), Some(name)) => {
            let actor = find_actor(&sc, name)?;
            let runs = args.runs.unwrap_or(sc.runs);
            let bar = progress_bar(runs);
            let cancel = interrupt_flag();
            let tick = |k: u64| bar.inc(k);
            let cfg = influence::montecarlo::BatchConfig::new(runs, seed);
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
            println!(
                "Picked run {} of {runs} (seed {seed}): {name} ends at {:+.6}, {what}.",
                picked.run, picked.value
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
    let out = run_replay(&sc, seed, run, &output, &pool)?;
    println!(
        "Wrote run {} of seed {} ({} {}s) to {}/",
        run,
        seed,
        sc.steps,
        sc.step_unit,
        out.display()
    );
    Ok(())
}
