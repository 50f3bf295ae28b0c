//! Growing a study until its outcome intervals are narrow enough.
//!
//! Runs are added in fixed blocks, in run order (block k holds runs k·B..(k+1)·B), until every
//! outcome's Wilson 95% interval has a half-width of at most the target, or a cap is reached.
//! Because a run depends only on `(scenario, seed, run)` and aggregates merge exactly, the
//! result is identical, byte for byte, to a plain study with the final run count.

use std::sync::atomic::AtomicBool;

use super::stats::{Interval, wilson_interval};
use crate::montecarlo::{BatchConfig, BatchError, BatchResult, run_batch};
use crate::scenario::Scenario;

/// When to stop adding runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StopRule {
    /// Largest acceptable half-width of every outcome's interval.
    pub half_width: f64,
    /// Runs added at a time.
    pub block: u64,
    /// Never more runs than this, even if the intervals are still wider.
    pub max_runs: u64,
}

/// The estimates after one block.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvergencePoint {
    pub runs: u64,
    /// Per outcome: probability and Wilson interval.
    pub estimates: Vec<(f64, Interval)>,
}

impl ConvergencePoint {
    fn of(result: &BatchResult) -> ConvergencePoint {
        let runs = result.aggregates.runs();
        ConvergencePoint {
            runs,
            estimates: result
                .aggregates
                .outcome_hits
                .iter()
                .map(|&hits| (hits as f64 / runs as f64, wilson_interval(hits, runs)))
                .collect(),
        }
    }

    /// The widest half-width among the outcomes.
    pub fn widest_half_width(&self) -> f64 {
        self.estimates
            .iter()
            .map(|(_, i)| (i.high - i.low) / 2.0)
            .fold(0.0, f64::max)
    }
}

/// A grown study: the result, the path it took, and whether the target was met.
#[derive(Debug, Clone)]
pub struct Grown {
    pub result: BatchResult,
    pub path: Vec<ConvergencePoint>,
    pub converged: bool,
}

/// Adds blocks of runs to a study of `sc` under `cfg.seed` until `rule` is met.
/// `cfg.runs` and `cfg.first_run` are ignored: blocks start at run 0.
pub fn run_until(
    sc: &Scenario,
    cfg: &BatchConfig,
    rule: &StopRule,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<Grown, BatchError> {
    let block = rule.block.max(1);
    let mut grown: Option<BatchResult> = None;
    let mut path = Vec::new();
    loop {
        let done = grown.as_ref().map_or(0, |g| g.runs);
        let runs = block.min(rule.max_runs.saturating_sub(done));
        if runs == 0 {
            break;
        }
        let part = run_batch(
            sc,
            &BatchConfig {
                first_run: done,
                runs,
                ..*cfg
            },
            progress,
            cancel,
        )?;
        match grown.as_mut() {
            None => grown = Some(part),
            Some(g) => g.append(&part)?,
        }
        let Some(g) = grown.as_ref() else { break };
        let point = ConvergencePoint::of(g);
        let met = point.widest_half_width() <= rule.half_width;
        path.push(point);
        if met {
            break;
        }
    }
    let converged = path
        .last()
        .is_some_and(|p| p.widest_half_width() <= rule.half_width);
    let result = match grown {
        Some(g) => g,
        None => run_batch(sc, &BatchConfig { runs: 0, ..*cfg }, progress, cancel)?,
    };
    Ok(Grown {
        result,
        path,
        converged,
    })
}
