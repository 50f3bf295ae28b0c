//! A whole study: run a batch, write its files atomically, report what it found.
//!
//! This is the operation behind `influence run`; the CLI only parses arguments, shows
//! progress and prints what this returns. Charts are drawn from the files just written in
//! the staging directory, exactly as `influence chart` draws them later, so the two can
//! never disagree.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use crate::analysis::convergence::{StopRule, run_until};
use crate::montecarlo::{BatchConfig, BatchError, BatchResult, run_batch};
use crate::output::charts::{CHARTS_DIR, ChartError, ChartsReport, render_charts};
use crate::output::convergence::{until_json, write_convergence};
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
    /// Instead of `runs`, add blocks of runs until every outcome's interval is narrow
    /// enough (or the cap is reached); the study then also writes convergence.csv.
    pub until: Option<StopRule>,
}

#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Batch(#[from] BatchError),
    #[error(transparent)]
    Charts(#[from] ChartError),
    #[error(
        "the scenario defines no [[outcome]], so there is no interval to narrow; \
         give --runs instead of --until-ci, or add an outcome"
    )]
    NoOutcomes,
    #[error("{0}")]
    BadStopRule(String),
}

impl StudyError {
    /// Whether the request itself was wrong (exit code 2) rather than its execution.
    pub fn is_bad_input(&self) -> bool {
        matches!(self, StudyError::NoOutcomes | StudyError::BadStopRule(_))
    }
}

/// Checks a stopping rule against the scenario before anything runs. The half-width of a
/// 95% interval of a probability is at most 0.5, so a larger target would be met by one run.
pub fn check_stop_rule(sc: &Scenario, rule: &StopRule) -> Result<(), StudyError> {
    if sc.outcomes.is_empty() {
        return Err(StudyError::NoOutcomes);
    }
    if !(rule.half_width > 0.0 && rule.half_width <= 0.5) {
        return Err(StudyError::BadStopRule(format!(
            "the target half-width must be in (0, 0.5], got {}",
            rule.half_width
        )));
    }
    if rule.block == 0 || rule.max_runs == 0 {
        return Err(StudyError::BadStopRule(
            "the block size and the cap on runs must be at least 1".into(),
        ));
    }
    Ok(())
}

/// How a study grown with a stopping rule ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Growth {
    pub rule: StopRule,
    /// Whether every interval reached the target before the cap.
    pub met: bool,
    /// Blocks simulated.
    pub blocks: usize,
    /// The widest outcome interval's half-width at the end.
    pub widest_half_width: f64,
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
    /// How the study ended, when it was grown with a stopping rule.
    pub growth: Option<Growth>,
}

/// Runs the study and writes its directory. The request and the output location are checked
/// before any run starts, so a refused directory costs nothing; on any error nothing is
/// written. With a stopping rule the result is that of a plain study of the final run count,
/// byte for byte, plus convergence.csv and the rule in summary.json.
pub fn run_study(
    sc: &Scenario,
    scenario_text: &str,
    req: &StudyRequest,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<StudyReport, StudyError> {
    if let Some(rule) = &req.until {
        check_stop_rule(sc, rule)?;
    }
    let staged = StagedDir::new(&req.out, req.force)?;
    let started = Instant::now();
    let cfg = BatchConfig {
        threads: req.threads,
        ..BatchConfig::new(req.runs, req.seed)
    };
    let (result, grown) = match &req.until {
        None => (run_batch(sc, &cfg, progress, cancel)?, None),
        Some(rule) => {
            let g = run_until(sc, &cfg, rule, progress, cancel)?;
            (g.result, Some((*rule, g.path, g.converged)))
        }
    };
    let threads = req.threads.unwrap_or_else(rayon::current_num_threads);
    let elapsed_s = started.elapsed().as_secs_f64();
    let meta = StudyMeta { threads, elapsed_s };
    write_study(staged.path(), sc, scenario_text, &result, &meta)?;
    let growth = match grown {
        None => None,
        Some((rule, path, met)) => {
            let until = until_json(&rule, &path, met);
            write_convergence(staged.path(), sc, &result, &meta, &until, &path)?;
            Some(Growth {
                rule,
                met,
                blocks: path.len(),
                widest_half_width: until.widest_half_width,
            })
        }
    };
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
        growth,
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
