//! The flags every study command (run, seeds, compare, ablate) shares, and the closing lines
//! they print: where they wrote, how long it took, and the charts drawn.

use std::path::Path;

use clap::Args;

use influence::montecarlo::estimate::{
    DEFAULT_MAX_MEMORY, Workload, available_memory, check, check_disk, estimate_work, parse_bytes,
};
use influence::montecarlo::plan::Shard;
use influence::ops::shard::{ShardChoice, parse_shard, resolve_shard};
use influence::output::charts::ChartsReport;
use influence::scenario::Scenario;

use super::Failure;

/// Options every study command shares.
#[derive(Args)]
pub struct StudyFlags {
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
    threads: Option<u64>,
    /// Replace the output directory if it exists and influence wrote it (never other files).
    #[arg(long)]
    pub force: bool,
    /// Do not print the summary.
    #[arg(long, short)]
    pub quiet: bool,
    /// Do not draw the PNG charts (`influence chart DIR` draws them later).
    #[arg(long)]
    pub no_charts: bool,
    /// The most memory the command may need, estimated before it starts (default 8G); a
    /// request over it, or over the memory this machine has available, is refused (exit 2).
    #[arg(long, value_name = "SIZE", value_parser = parse_bytes)]
    pub max_memory: Option<u64>,
}

impl StudyFlags {
    /// Refuses, before anything runs, work whose estimated memory exceeds the cap or what
    /// the machine has available, or whose output exceeds the free disk under `out`.
    pub fn check_fits(
        &self,
        sc: &Scenario,
        work: &Workload,
        threads: usize,
        out: &Path,
    ) -> Result<(), Failure> {
        let need = estimate_work(sc, work, threads);
        let cap = self.max_memory.unwrap_or(DEFAULT_MAX_MEMORY);
        check(sc, work.runs, need, cap, available_memory())?;
        Ok(check_disk(sc, work.runs, need, out)?)
    }

    /// The thread count the library takes; clap has already bounded it to 1..=1024.
    pub fn threads(&self) -> Option<usize> {
        self.threads.map(|t| t as usize)
    }
}

/// The shard flags of `sensitivity` and `discover`, as `run` has them.
#[derive(Args)]
pub struct ShardFlags {
    /// Simulate only shard K of N (K from 0) and write a partial directory for
    /// `influence merge`; `auto` reads K and N from a Slurm array or a Kubernetes Indexed Job.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    shard: Option<ShardChoice>,
    /// With --shard auto in a Kubernetes Indexed Job: the number of shards (its completions).
    #[arg(long, value_name = "N", requires = "shard",
          value_parser = clap::value_parser!(u64).range(1..))]
    shards: Option<u64>,
}

impl ShardFlags {
    /// The shard asked for, resolved against the scheduler's environment; `None` for the
    /// whole study.
    pub fn shard(&self) -> Result<Option<Shard>, Failure> {
        let Some(choice) = self.shard else {
            return Ok(None);
        };
        let choice = match choice {
            ShardChoice::Auto { .. } => ShardChoice::Auto {
                shards: self.shards,
            },
            given => given,
        };
        Ok(Some(resolve_shard(choice, &|name| {
            std::env::var(name).ok()
        })?))
    }
}

/// The closing lines of a study command: where it wrote, how long it took, the charts.
pub fn print_footer(
    out: &Path,
    elapsed_s: f64,
    threads: usize,
    charts: Option<&ChartsReport>,
) -> Result<(), Failure> {
    sayln!(
        "\nWrote {}/ in {elapsed_s:.2} s on {threads} thread{}.",
        out.display(),
        if threads == 1 { "" } else { "s" }
    );
    if let Some(charts) = charts {
        sayln!("{}", charts_line(charts));
    }
    Ok(())
}

/// The line saying which charts were drawn; `influence chart` prints the same one.
pub fn charts_line(report: &ChartsReport) -> String {
    format!(
        "Drew {} chart{} in {}/ in {:.2} s.",
        report.charts.len(),
        if report.charts.len() == 1 { "" } else { "s" },
        report.dir.display(),
        report.elapsed_s
    )
}
