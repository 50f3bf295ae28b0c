//! Growing a study until its outcome intervals are narrow enough.
//!
//! Runs are added in fixed blocks, in run order (block k holds runs k·B..(k+1)·B), until every
//! outcome's Wilson 95% interval has a half-width of at most the target, or a cap is reached.
//! Because a run depends only on `(scenario, seed, run)` and aggregates merge exactly, the
//! result is identical, byte for byte, to a plain study with the final run count.

use super::stats::{Interval, wilson_interval};
use crate::montecarlo::BatchResult;

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
    pub fn of(result: &BatchResult) -> ConvergencePoint {
        let runs = result.aggregates.runs();
        ConvergencePoint {
            runs,
            estimates: result
                .aggregates
                .outcomes
                .hits
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
