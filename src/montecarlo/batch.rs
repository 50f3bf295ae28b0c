//! A batch of runs of one scenario: the plan of `influence run`, and what it gives.
//!
//! A thin layer over the [driver](super::driver): a batch is a plan of consecutive run
//! indices whose tally is a [`StudyTally`] plus the per-run table of final alignments.

use std::sync::atomic::AtomicBool;

use super::driver::{DriverError, execute_keeping};
use super::final_table::{FinalKeep, FinalTable, SpoolError};
use super::plan::{InputPlan, RunPlan};
use super::tallies::{GridStore, StudyTally};
use super::tally::{Header, MergeError, Tally};
use crate::scenario::Scenario;

pub use super::driver::CHUNK_RUNS;

/// How many runs' whole alignment trajectories are kept for charts of individual runs.
pub const DEFAULT_SAMPLE_RUNS: usize = 40;

/// Errors of a batch are those of the driver.
pub type BatchError = DriverError;

/// What to run.
#[derive(Debug, Clone)]
pub struct BatchConfig {
    /// Index of the first run: a batch simulates runs `first_run..first_run + runs`, so a
    /// study can grow block by block and still equal one batch of the total size.
    pub first_run: u64,
    pub runs: u64,
    pub seed: u64,
    /// Runs `0..sample_runs` keep their alignment trajectories.
    pub sample_runs: usize,
    /// Where the runs' input values come from.
    pub inputs: InputPlan,
    /// Whether each run also runs its no-event twin, for the baseline of every outcome.
    pub baseline: bool,
    /// Where the per-run table of final alignments is kept, if at all.
    pub keep: FinalKeep,
}

impl BatchConfig {
    /// Runs `0..runs` of `seed`, inputs at their nominal values, the default sample kept.
    pub fn new(runs: u64, seed: u64) -> BatchConfig {
        BatchConfig {
            first_run: 0,
            runs,
            seed,
            sample_runs: DEFAULT_SAMPLE_RUNS,
            inputs: InputPlan::Nominal,
            baseline: false,
            keep: FinalKeep::Memory,
        }
    }

    /// The plan of this batch over `sc`.
    pub fn plan<'a>(&self, sc: &'a Scenario) -> RunPlan<'a> {
        RunPlan::single(sc, self.seed, self.first_run..self.first_run + self.runs)
            .with_inputs(self.inputs.clone())
    }
}

/// The name a batch's plan goes by in saved tallies: runs of one scenario, drawn or not,
/// with or without their no-event twins.
pub fn batch_plan_name(cfg: &BatchConfig) -> String {
    let inputs = match cfg.inputs {
        InputPlan::Nominal => "run",
        InputPlan::Drawn => "run:drawn-inputs",
        InputPlan::Design { .. } => "run:design",
        InputPlan::Posterior { .. } => "run:posterior-inputs",
    };
    if cfg.baseline {
        format!("{inputs}+no-event-baseline")
    } else {
        inputs.to_string()
    }
}

/// Aggregates of every run, plus the per-run final table.
#[derive(Debug)]
pub struct BatchResult {
    pub first_run: u64,
    pub runs: u64,
    pub seed: u64,
    pub header: Header,
    pub aggregates: StudyTally,
    /// Final alignment of every run, unless the batch was asked not to keep it.
    pub final_table: Option<FinalTable>,
}

impl BatchResult {
    /// Every run's final alignment in memory, rows in run order (empty when the table was
    /// not kept): for tests and library callers that know the batch is small.
    pub fn final_values(&self) -> Result<Vec<f64>, SpoolError> {
        match &self.final_table {
            Some(table) => table.to_vec(),
            None => Ok(Vec::new()),
        }
    }

    /// Adds the batch that follows this one (its first run is this one's end), giving
    /// exactly the result of one batch over both ranges.
    pub fn append(&mut self, next: BatchResult) -> Result<(), BatchError> {
        let end = self.first_run + self.runs;
        if next.first_run != end {
            return Err(MergeError::shape(
                "batches (first run after the end)",
                end,
                next.first_run,
            )
            .into());
        }
        self.header.merge(&next.header)?;
        self.aggregates.merge(next.aggregates)?;
        match (&mut self.final_table, &next.final_table) {
            (Some(table), Some(next)) => table.append(next)?,
            (None, None) => {}
            _ => {
                return Err(BatchError::from(MergeError::shape(
                    "per-run tables (kept)",
                    self.final_table.is_some(),
                    next.final_table.is_some(),
                )));
            }
        }
        self.runs += next.runs;
        Ok(())
    }
}

/// Runs a batch on `pool`. `progress` is called with the number of runs just finished
/// (from any worker thread); `cancel`, when set, stops the batch at the next chunk.
pub fn run_batch(
    sc: &Scenario,
    cfg: &BatchConfig,
    pool: &rayon::ThreadPool,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<BatchResult, BatchError> {
    let sample_runs = cfg.sample_runs;
    // One set of alignment, trust and threat grids for the whole batch, however many
    // threads: they are most of a large world's tally.
    let store = GridStore::new(sc);
    let quiet;
    let (plan, make): (RunPlan, Box<dyn Fn() -> StudyTally + Sync>) = if cfg.baseline {
        quiet = sc.without_events();
        (
            RunPlan::paired(
                sc,
                &quiet,
                cfg.seed,
                cfg.first_run..cfg.first_run + cfg.runs,
            )
            .with_inputs(cfg.inputs.clone()),
            Box::new(move || StudyTally::sharing(sc, 0, sample_runs, &store).with_baseline(sc)),
        )
    } else {
        (
            cfg.plan(sc),
            Box::new(move || StudyTally::sharing(sc, 0, sample_runs, &store)),
        )
    };
    let done = execute_keeping(
        &plan,
        &batch_plan_name(cfg),
        pool,
        &*make,
        &cfg.keep,
        progress,
        cancel,
    )?;
    Ok(BatchResult {
        first_run: cfg.first_run,
        runs: cfg.runs,
        seed: cfg.seed,
        header: done.tallied.header,
        aggregates: done.tallied.tally,
        final_table: done.final_table,
    })
}
