//! A whole study: run a batch, write its files atomically, report what it found.
//!
//! This is the operation behind `influence run`; the CLI only parses arguments, shows
//! progress and prints what this returns. Charts are drawn from the files just written in
//! the staging directory, exactly as `influence chart` draws them later, so the two can
//! never disagree.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use crate::montecarlo::{BatchConfig, BatchError, BatchResult, run_batch};
use crate::output::charts::{CHARTS_DIR, ChartError, ChartsReport, render_charts};
use crate::output::{OutputError, StagedDir, StudyMeta, write_study};
use crate::scenario::Scenario;

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct StudyRequest {
    pub runs: u64,
    pub seed: u64,
    pub threads: Option<usize>,
    pub out: PathBuf,
    pub force: bool,
    /// Draw the PNG charts into `charts/`.
    pub charts: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Batch(#[from] BatchError),
    #[error(transparent)]
    Charts(#[from] ChartError),
}

/// A finished study.
#[derive(Debug)]
pub struct StudyReport {
    pub result: BatchResult,
    pub out: PathBuf,
    pub threads: usize,
    /// Seconds spent on the runs (as in summary.json), charts excluded.
    pub elapsed_s: f64,
    /// The charts drawn, unless they were turned off.
    pub charts: Option<ChartsReport>,
}

/// Runs the study and writes its directory. The output location is checked before any run
/// starts, so a refused directory costs nothing; on any error nothing is written.
pub fn run_study(
    sc: &Scenario,
    scenario_text: &str,
    req: &StudyRequest,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<StudyReport, StudyError> {
    let staged = StagedDir::new(&req.out, req.force)?;
    let started = Instant::now();
    let cfg = BatchConfig {
        threads: req.threads,
        ..BatchConfig::new(req.runs, req.seed)
    };
    let result = run_batch(sc, &cfg, progress, cancel)?;
    let threads = req.threads.unwrap_or_else(rayon::current_num_threads);
    let elapsed_s = started.elapsed().as_secs_f64();
    write_study(
        staged.path(),
        sc,
        scenario_text,
        &result,
        &StudyMeta { threads, elapsed_s },
    )?;
    let charts = if req.charts {
        let dir = staged.path().join(CHARTS_DIR);
        Some(render_charts(staged.path(), &dir)?)
    } else {
        None
    };
    let out = staged.commit()?;
    Ok(StudyReport {
        result,
        out: out.clone(),
        threads,
        elapsed_s,
        charts: charts.map(|c| ChartsReport {
            dir: out.join(CHARTS_DIR),
            ..c
        }),
    })
}

/// The default output directory of a scenario file: `outputs/<file stem>`.
pub fn default_out_dir(scenario_path: &Path) -> PathBuf {
    let stem = scenario_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".to_string());
    Path::new("outputs").join(stem)
}
