//! `influence ablate` as one library call: the study re-run with each event left out in
//! turn, paired with the full scenario, its effects ranked and written atomically, with
//! tornado charts drawn from the written files.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use super::paired::{PairedRequest, PairedStudyError};
use crate::analysis::ablation::{Effect, ablate};
use crate::montecarlo::BatchConfig;
use crate::output::ablation::{ablation_table, write_ablation};
use crate::output::charts::tornado::render_ablation_charts;
use crate::output::charts::{CHARTS_DIR, ChartsReport};
use crate::output::{StagedDir, StudyMeta};
use crate::scenario::Scenario;

/// A finished ablation.
#[derive(Debug)]
pub struct AblationReport {
    /// Every event's effect on every measure, grouped by measure and name, in rank order.
    pub effects: Vec<Effect>,
    pub out: PathBuf,
    pub threads: usize,
    /// Seconds spent on the runs (as in summary.json), charts excluded.
    pub elapsed_s: f64,
    pub charts: Option<ChartsReport>,
    /// The summary for the terminal.
    pub table: String,
}

/// Runs `req.runs` paired runs for each event of `sc` (the scenario without the event against
/// the full one) and writes the ranked effects to `req.out`. `progress` counts paired runs,
/// `req.runs` times the number of events in all. On any error nothing is written.
pub fn run_ablation(
    sc: &Scenario,
    scenario_text: &str,
    req: &PairedRequest,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<AblationReport, PairedStudyError> {
    let staged = StagedDir::new(&req.out, req.force)?;
    let started = Instant::now();
    let cfg = BatchConfig {
        threads: req.threads,
        ..BatchConfig::new(req.runs, req.seed)
    };
    let effects = ablate(sc, &cfg, progress, cancel)?;
    let threads = req.threads.unwrap_or_else(rayon::current_num_threads);
    let elapsed_s = started.elapsed().as_secs_f64();
    write_ablation(
        staged.path(),
        sc,
        scenario_text,
        &effects,
        req.runs,
        req.seed,
        &StudyMeta { threads, elapsed_s },
    )?;
    let charts = if req.charts {
        let dir = staged.path().join(CHARTS_DIR);
        Some(render_ablation_charts(staged.path(), &dir)?)
    } else {
        None
    };
    let out = staged.commit()?;
    let table = ablation_table(sc, &effects, req.runs, req.seed);
    Ok(AblationReport {
        effects,
        out: out.clone(),
        threads,
        elapsed_s,
        charts: charts.map(|c| ChartsReport {
            dir: out.join(CHARTS_DIR),
            ..c
        }),
        table,
    })
}
