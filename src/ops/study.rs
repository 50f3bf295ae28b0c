//! A whole study: run a batch, write its files atomically, report what it found.
//!
//! This is the operation behind `influence run`; the CLI only parses arguments, shows
//! progress and prints what this returns. Charts are drawn from the files just written in
//! the staging directory, exactly as `influence chart` draws them later, so the two can
//! never disagree.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use super::until::run_until;
use super::{Finished, OutputRequest, staged};
use crate::analysis::convergence::{ConvergencePoint, StopRule};
use crate::montecarlo::{BatchConfig, BatchError, BatchResult, InputPlan, run_batch};
use crate::output::charts::{ChartError, render_charts};
use crate::output::convergence::{until_json, write_convergence};
use crate::output::inputs::write_inputs_csv;
use crate::output::study::write_file_with;
use crate::output::{OutputError, write_study};
use crate::scenario::Scenario;

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct StudyRequest {
    pub runs: u64,
    pub seed: u64,
    pub output: OutputRequest,
    /// Run every uncertain input at its nominal value instead of drawing it per run.
    pub nominal: bool,
    /// Draw each run's inputs from a calibration's posterior instead of their priors
    /// ([`crate::ops::calibrate::read_posterior`]).
    pub posterior: Option<InputPlan>,
    /// Also run each run's no-event twin, for every outcome's baseline (see
    /// [`wants_baseline`]).
    pub baseline: bool,
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

/// What a study computed.
#[derive(Debug)]
pub struct Study {
    pub result: BatchResult,
    /// How the study ended, when it was grown with a stopping rule.
    pub growth: Option<Growth>,
    /// The estimates after each block, when it was grown with a stopping rule.
    path: Vec<ConvergencePoint>,
}

/// A finished study.
pub type StudyReport = Finished<Study>;

/// Runs the study and writes its directory. The request and the output location are checked
/// before any run starts, so a refused directory costs nothing; on any error nothing is
/// written. With a stopping rule the result is that of a plain study of the final run count,
/// byte for byte, plus convergence.csv and the rule in summary.json.
pub fn run_study(
    sc: &Scenario,
    scenario_text: &str,
    req: &StudyRequest,
    pool: &rayon::ThreadPool,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<StudyReport, StudyError> {
    if let Some(rule) = &req.until {
        check_stop_rule(sc, rule)?;
    }
    let cfg = BatchConfig {
        inputs: match &req.posterior {
            Some(plan) if !req.nominal => plan.clone(),
            _ => input_plan(sc, req.nominal),
        },
        baseline: wants_baseline(sc, req.baseline),
        keep: super::spool_keep(&req.output.out),
        ..BatchConfig::new(req.runs, req.seed)
    };
    let simulate = || -> Result<Study, StudyError> {
        Ok(match &req.until {
            None => Study {
                result: run_batch(sc, &cfg, pool, progress, cancel)?,
                growth: None,
                path: Vec::new(),
            },
            Some(rule) => {
                let g = run_until(sc, &cfg, rule, pool, progress, cancel)?;
                let widest_half_width = g
                    .path
                    .last()
                    .map_or(f64::NAN, ConvergencePoint::widest_half_width);
                Study {
                    result: g.result,
                    growth: Some(Growth {
                        rule: *rule,
                        met: g.converged,
                        blocks: g.path.len(),
                        widest_half_width,
                    }),
                    path: g.path,
                }
            }
        })
    };
    let write = |dir: &Path, study: &Study, meta: &crate::output::StudyMeta| {
        // The two per-run tables (final.csv with the others, and inputs.csv) are most of the
        // writing; on the study's threads they are written side by side, each file by one
        // thread, so the files are the same however many threads there are.
        let (tables, inputs) = pool.join(
            || write_study(dir, sc, scenario_text, &study.result, meta),
            || {
                if sc.inputs.is_empty() {
                    return Ok(());
                }
                let plan = cfg.plan(sc).with_runs(0..study.result.runs);
                write_file_with(&dir.join(INPUTS_FILE), |out| {
                    write_inputs_csv(out, sc, &plan, true)
                })
            },
        );
        tables?;
        inputs?;
        if let Some(growth) = &study.growth {
            let until = until_json(&growth.rule, &study.path, growth.met);
            write_convergence(dir, sc, &study.result, meta, &until, &study.path)?;
        }
        Ok::<(), StudyError>(())
    };
    staged(&req.output, pool, simulate, write, render_charts)
}

/// How a study sets its uncertain inputs: drawn per run (MODEL.md), or all nominal.
pub fn input_plan(sc: &Scenario, nominal: bool) -> InputPlan {
    if nominal || sc.inputs.is_empty() {
        InputPlan::Nominal
    } else {
        InputPlan::Drawn
    }
}

/// Whether a study runs the no-event twins: when asked, and when there is something to
/// compare (outcomes to report, events to remove).
pub fn wants_baseline(sc: &Scenario, asked: bool) -> bool {
    asked && !sc.outcomes.is_empty() && !sc.events.is_empty()
}

/// The per-run table of input values, beside final.csv.
pub const INPUTS_FILE: &str = "inputs.csv";

/// The default output directory of a scenario file: `outputs/<file stem>`.
pub fn default_out_dir(scenario_path: &Path) -> PathBuf {
    let stem = scenario_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".to_string());
    Path::new("outputs").join(stem)
}
