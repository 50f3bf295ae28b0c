//! The same study under several master seeds: does the spread between studies match the
//! standard error a single study claims? (`influence seeds`)
//!
//! A study's intervals are only as good as its error estimate. Running it again under other
//! seeds measures the error directly; when the seeds scatter no more than the claimed error
//! says, the user can trust a single study at this run count, and when they scatter more,
//! its intervals are too narrow. The studies run one after another and only their figures
//! are kept, so memory stays that of one study whatever the number of seeds.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use crate::analysis::seeds::{SeedSpread, SeedTally};
use crate::montecarlo::{BatchConfig, BatchError, run_batch};
use crate::output::charts::{CHARTS_DIR, ChartError, ChartsReport, seeds as seeds_chart};
use crate::output::seeds::{SeedsMeta, write_seeds};
use crate::output::{OutputError, StagedDir};
use crate::scenario::Scenario;

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct SeedsRequest {
    /// Master seeds, in the order they are reported; at least two, all different.
    pub seeds: Vec<u64>,
    /// Runs of each study.
    pub runs: u64,
    pub threads: Option<usize>,
    pub out: PathBuf,
    pub force: bool,
    /// Draw `charts/seeds.png`.
    pub charts: bool,
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
#[derive(Debug)]
pub struct SeedsReport {
    /// Outcomes first, then each actor's final median, in scenario order.
    pub spreads: Vec<SeedSpread>,
    pub seeds: Vec<u64>,
    pub runs: u64,
    pub out: PathBuf,
    pub threads: usize,
    /// Seconds spent on the runs of all studies, charts excluded.
    pub elapsed_s: f64,
    pub charts: Option<ChartsReport>,
}

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
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<SeedsReport, SeedsError> {
    check_request(req)?;
    let staged = StagedDir::new(&req.out, req.force)?;
    let started = Instant::now();
    let mut tally = SeedTally::new(sc);
    for &seed in &req.seeds {
        let cfg = BatchConfig {
            threads: req.threads,
            // Whole trajectories are for charts of single runs, which this report has not.
            sample_runs: 0,
            ..BatchConfig::new(req.runs, seed)
        };
        let result = run_batch(sc, &cfg, progress, cancel)?;
        tally.add(sc, &result);
    }
    let spreads = tally.spreads();
    let threads = req.threads.unwrap_or_else(rayon::current_num_threads);
    let elapsed_s = started.elapsed().as_secs_f64();
    let meta = SeedsMeta {
        seeds: &req.seeds,
        runs: req.runs,
        threads,
        elapsed_s,
    };
    write_seeds(staged.path(), sc, scenario_text, &spreads, &meta)?;
    let charts = if req.charts {
        let dir = staged.path().join(CHARTS_DIR);
        Some(seeds_chart::render(staged.path(), &dir)?)
    } else {
        None
    };
    let out = staged.commit()?;
    Ok(SeedsReport {
        spreads,
        seeds: req.seeds.clone(),
        runs: req.runs,
        out: out.clone(),
        threads,
        elapsed_s,
        charts: charts.map(|c| ChartsReport {
            dir: out.join(CHARTS_DIR),
            ..c
        }),
    })
}

/// The seeds `start, start + 1, ..., start + count − 1`, or `None` past the largest seed.
pub fn consecutive_seeds(start: u64, count: u64) -> Option<Vec<u64>> {
    (0..count).map(|k| start.checked_add(k)).collect()
}
