//! The same study under several master seeds: does the spread between studies match the
//! standard error a single study claims? (`influence seeds`)
//!
//! A study's intervals are only as good as its error estimate. Running it again under other
//! seeds measures the error directly; when the seeds scatter no more than the claimed error
//! says, the user can trust a single study at this run count, and when they scatter more,
//! its intervals are too narrow. The studies run one after another and only their figures
//! are kept, so memory stays that of one study whatever the number of seeds.

use std::sync::atomic::AtomicBool;

use super::{Finished, OutputRequest, staged};
use crate::analysis::seeds::{SeedSpread, SeedTally};
use crate::montecarlo::{BatchConfig, BatchError, run_batch};
use crate::output::OutputError;
use crate::output::charts::{ChartError, seeds as seeds_chart};
use crate::output::seeds::{SeedsMeta, write_seeds};
use crate::scenario::Scenario;

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct SeedsRequest {
    /// Master seeds, in the order they are reported; at least two, all different.
    pub seeds: Vec<u64>,
    /// Runs of each study.
    pub runs: u64,
    /// Where to write; `charts` draws `charts/seeds.png`.
    pub output: OutputRequest,
    /// Draw each run's inputs from a calibration's posterior instead of their priors.
    pub posterior: Option<crate::montecarlo::plan::InputPlan>,
}

#[derive(Debug, thiserror::Error)]
pub enum SeedsError {
    #[error("a spread between seeds needs at least two seeds, got {0}")]
    TooFewSeeds(usize),
    #[error("seed {0} is given twice; the same seed gives the same study")]
    RepeatedSeed(u64),
    #[error("each study needs at least one run")]
    NoRuns,
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Batch(#[from] BatchError),
    #[error(transparent)]
    Charts(#[from] ChartError),
}

impl SeedsError {
    /// Whether the request itself was wrong (exit code 2) rather than its execution.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            SeedsError::TooFewSeeds(_) | SeedsError::RepeatedSeed(_) | SeedsError::NoRuns
        )
    }
}

/// A finished report.
/// A finished study under several seeds: the spread of each estimate between them.
pub type SeedsReport = Finished<Vec<SeedSpread>>;

/// Checks a request before anything runs.
pub fn check_request(req: &SeedsRequest) -> Result<(), SeedsError> {
    if req.seeds.len() < 2 {
        return Err(SeedsError::TooFewSeeds(req.seeds.len()));
    }
    for (k, s) in req.seeds.iter().enumerate() {
        if req.seeds[..k].contains(s) {
            return Err(SeedsError::RepeatedSeed(*s));
        }
    }
    if req.runs == 0 {
        return Err(SeedsError::NoRuns);
    }
    Ok(())
}

/// Runs the study under every seed in turn and writes the report's directory. The request
/// and the output location are checked before any run starts; on any error nothing is
/// written. `progress` receives runs as they finish, `seeds × runs` in all.
pub fn run_seeds(
    sc: &Scenario,
    scenario_text: &str,
    req: &SeedsRequest,
    pool: &rayon::ThreadPool,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<SeedsReport, SeedsError> {
    check_request(req)?;
    let simulate = || -> Result<Vec<SeedSpread>, SeedsError> {
        let mut tally = SeedTally::new(sc);
        for &seed in &req.seeds {
            let cfg = BatchConfig {
                sample_runs: 0,
                inputs: req
                    .posterior
                    .clone()
                    .unwrap_or_else(|| super::study::input_plan(sc, false)),
                keep: super::spool_keep(&req.output.out),
                ..BatchConfig::new(req.runs, seed)
            };
            let result = run_batch(sc, &cfg, pool, progress, cancel)?;
            tally.add(sc, &result).map_err(BatchError::from)?;
        }
        Ok(tally.spreads())
    };
    let write =
        |dir: &std::path::Path, spreads: &Vec<SeedSpread>, meta: &crate::output::StudyMeta| {
            let meta = SeedsMeta {
                seeds: &req.seeds,
                runs: req.runs,
                threads: meta.threads,
                elapsed_s: meta.elapsed_s,
            };
            write_seeds(dir, sc, scenario_text, spreads, &meta)?;
            Ok::<(), SeedsError>(())
        };
    staged(&req.output, pool, simulate, write, seeds_chart::render)
}

/// The seeds `start, start + 1, ..., start + count − 1`, or `None` past the largest seed.
pub fn consecutive_seeds(start: u64, count: u64) -> Option<Vec<u64>> {
    (0..count).map(|k| start.checked_add(k)).collect()
}
