//! Growing a study until its outcome intervals are narrow enough: the loop of
//! `influence run --until-ci`.
//!
//! Runs are added in fixed blocks, in run order (block k holds runs k·B..(k+1)·B), until every
//! outcome's Wilson 95% interval has a half-width of at most the target, or a cap is reached.
//! Because a run depends only on `(scenario, seed, run)` and tallies merge exactly, the
//! result is identical, byte for byte, to a plain study with the final run count.

use std::sync::atomic::AtomicBool;

use crate::analysis::convergence::{ConvergencePoint, StopRule};
use crate::montecarlo::{BatchConfig, BatchError, BatchResult, run_batch};
use crate::scenario::Scenario;

/// A grown study: the result, the path it took, and whether the target was met.
#[derive(Debug)]
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
    pool: &rayon::ThreadPool,
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
                ..cfg.clone()
            },
            pool,
            progress,
            cancel,
        )?;
        match grown.as_mut() {
            None => grown = Some(part),
            Some(g) => g.append(part)?,
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
        None => run_batch(
            sc,
            &BatchConfig {
                runs: 0,
                ..cfg.clone()
            },
            pool,
            progress,
            cancel,
        )?,
    };
    Ok(Grown {
        result,
        path,
        converged,
    })
}
