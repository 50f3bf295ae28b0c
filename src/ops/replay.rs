//! One run replayed step by step: `influence replay`.
//!
//! A replay is a plan of one run index whose tally keeps every row; it goes through the
//! same driver as a batch, so the run it shows is, to the bit, the run the batch simulated.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use super::{OutputRequest, staged};
use crate::montecarlo::driver::{DriverError, execute};
use crate::montecarlo::plan::{InputPlan, RunPlan};
use crate::output::OutputError;
use crate::output::charts::ChartError;
use crate::output::replay::{ReplayTables, write_replay};
use crate::scenario::Scenario;

#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error(transparent)]
    Driver(#[from] DriverError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Charts(#[from] ChartError),
}

/// Simulates run `run` of master seed `seed` on `pool` and returns its tables.
pub fn replay<'a>(
    sc: &'a Scenario,
    seed: u64,
    run: u64,
    pool: &rayon::ThreadPool,
) -> Result<ReplayTables<'a>, DriverError> {
    replay_from(sc, seed, run, None, pool)
}

/// [`replay`], the run's inputs drawn from a calibration's posterior when `posterior` is
/// given, as `influence run --posterior` draws them.
pub fn replay_from<'a>(
    sc: &'a Scenario,
    seed: u64,
    run: u64,
    posterior: Option<&InputPlan>,
    pool: &rayon::ThreadPool,
) -> Result<ReplayTables<'a>, DriverError> {
    // The run as a study draws it: with its own draw of the uncertain inputs.
    let inputs = posterior
        .cloned()
        .unwrap_or_else(|| super::study::input_plan(sc, false));
    let plan = RunPlan::single(sc, seed, run..run.saturating_add(1)).with_inputs(inputs);
    let done = execute(
        &plan,
        "replay",
        pool,
        &|| ReplayTables::new(sc),
        false,
        &|_| {},
        &AtomicBool::new(false),
    )?;
    Ok(done.tallied.tally)
}

/// Replays run `run` and writes its tables into a new directory (see [`staged`]); a replay
/// has no charts. Returns where it was written.
pub fn run_replay(
    sc: &Scenario,
    seed: u64,
    run: u64,
    output: &OutputRequest,
    pool: &rayon::ThreadPool,
) -> Result<PathBuf, ReplayError> {
    run_replay_from(sc, seed, run, None, output, pool)
}

/// [`run_replay`], the run's inputs drawn from a calibration's posterior when `posterior`
/// is given.
pub fn run_replay_from(
    sc: &Scenario,
    seed: u64,
    run: u64,
    posterior: Option<&InputPlan>,
    output: &OutputRequest,
    pool: &rayon::ThreadPool,
) -> Result<PathBuf, ReplayError> {
    let output = OutputRequest {
        charts: false,
        ..output.clone()
    };
    let done = staged(
        &output,
        pool,
        || -> Result<ReplayTables, ReplayError> {
            Ok(replay_from(sc, seed, run, posterior, pool)?)
        },
        |dir, tables, _| Ok(write_replay(dir, tables)?),
        super::no_charts,
    )?;
    Ok(done.out)
}
