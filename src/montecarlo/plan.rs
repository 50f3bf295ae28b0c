//! What to simulate: a run plan.
//!
//! A plan names the scenario (or a base and a variant, run in pairs on the same random
//! numbers), the master seed, the run indices and where each run's inputs come from. It is
//! all a run depends on: the driver may split its indices over threads, a cluster may split
//! them over shards, and run k gives the same bits wherever it is simulated.

use std::ops::Range;

use super::streams::StreamKeys;
use crate::scenario::Scenario;

/// Where the values of a scenario's uncertain inputs come from, run by run.
#[derive(Debug, Clone, PartialEq)]
pub enum InputPlan {
    /// Every input at its nominal value, as written: the scenario runs as given.
    Nominal,
    /// Run r draws every input from its own stream keyed by (seed, r, input name), by
    /// inverse CDF of one uniform (MODEL.md, "Uncertain inputs").
    Drawn,
    /// A design: run index k evaluates point `k / runs_per_point` (its input values in
    /// `points`, `inputs` values per point) with the random numbers of run
    /// `k % runs_per_point`, so every point sees the same events and noise (common random
    /// numbers) and only the inputs differ.
    Design {
        points: Vec<f64>,
        inputs: usize,
        runs_per_point: u64,
    },
    /// A calibration's posterior: run r takes one of its input vectors (`inputs` values
    /// each, in `values`), vector s with probability `weight_s`, by one uniform from its
    /// own stream keyed by (seed, r) (MODEL.md, "Uncertain inputs"). `cumulative` holds the
    /// running sums of the weights, the last being their total.
    Posterior {
        values: Vec<f64>,
        inputs: usize,
        cumulative: Vec<f64>,
    },
}

/// One of `count` parts of a study's run indices: shard `index` (0-based) simulates a
/// contiguous slice, so that the shards' per-run tables follow each other in run order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// The run indices of this shard among `runs`: from ⌊k R / N⌋ to ⌊(k + 1) R / N⌋, so
    /// sizes differ by at most one and every index is in exactly one shard.
    pub fn runs(&self, runs: &Range<u64>) -> Range<u64> {
        let total = u128::from(runs.end.saturating_sub(runs.start));
        let count = u128::from(self.count.max(1));
        let at = |k: u64| runs.start + (u128::from(k) * total / count) as u64;
        at(self.index)..at(self.index + 1)
    }
}

/// A plan: everything a run depends on.
#[derive(Debug, Clone)]
pub struct RunPlan<'a> {
    /// One scenario, or a base and a variant run in pairs (run r of both on the same
    /// random numbers).
    pub scenarios: Vec<&'a Scenario>,
    pub seed: u64,
    /// The run indices simulated.
    pub runs: Range<u64>,
    pub inputs: InputPlan,
}

impl<'a> RunPlan<'a> {
    /// Runs `runs` of one scenario, inputs at their nominal values.
    pub fn single(sc: &'a Scenario, seed: u64, runs: Range<u64>) -> RunPlan<'a> {
        RunPlan {
            scenarios: vec![sc],
            seed,
            runs,
            inputs: InputPlan::Nominal,
        }
    }

    /// Runs `runs` of a base and a variant in pairs.
    pub fn paired(
        base: &'a Scenario,
        variant: &'a Scenario,
        seed: u64,
        runs: Range<u64>,
    ) -> RunPlan<'a> {
        RunPlan {
            scenarios: vec![base, variant],
            seed,
            runs,
            inputs: InputPlan::Nominal,
        }
    }

    /// The same plan over other run indices: a shard, or a block of a growing study.
    pub fn with_runs(mut self, runs: Range<u64>) -> RunPlan<'a> {
        self.runs = runs;
        self
    }

    pub fn with_inputs(mut self, inputs: InputPlan) -> RunPlan<'a> {
        self.inputs = inputs;
        self
    }

    /// Number of runs.
    pub fn len(&self) -> u64 {
        self.runs.end.saturating_sub(self.runs.start)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The run whose random numbers run index `k` uses.
    pub fn stream_run(&self, k: u64) -> u64 {
        match &self.inputs {
            InputPlan::Design { runs_per_point, .. } => k % (*runs_per_point).max(1),
            _ => k,
        }
    }

    /// Whether runs replace any scenario number with an input value.
    pub fn varies_inputs(&self) -> bool {
        !matches!(self.inputs, InputPlan::Nominal)
            && self.scenarios.iter().any(|sc| !sc.inputs.is_empty())
    }

    /// Writes the input values of run index `k` for scenario `sc` into `out` (one per input
    /// of `sc`, in its order). Inputs are matched by name, so a base and a variant that
    /// share an input draw it alike.
    pub fn input_values(&self, sc: &Scenario, keys: &StreamKeys, k: u64, out: &mut Vec<f64>) {
        out.clear();
        match &self.inputs {
            InputPlan::Nominal => {
                out.extend(sc.inputs.iter().map(|i| i.distribution.nominal()));
            }
            InputPlan::Drawn => {
                keys.input_uniforms(k, out);
                for (u, input) in out.iter_mut().zip(&sc.inputs) {
                    *u = input.distribution.quantile(*u);
                }
            }
            InputPlan::Design {
                points,
                inputs,
                runs_per_point,
            } => {
                let point = usize::try_from(k / (*runs_per_point).max(1)).unwrap_or(usize::MAX);
                let row = points.get(point * inputs..(point + 1) * inputs);
                match row {
                    Some(row) => out.extend_from_slice(row),
                    None => out.extend(sc.inputs.iter().map(|i| i.distribution.nominal())),
                }
            }
            InputPlan::Posterior {
                values,
                inputs,
                cumulative,
            } => {
                let total = cumulative.last().copied().unwrap_or(0.0);
                let u = keys.posterior_uniform(k) * total;
                // The first vector whose running sum exceeds u: vector s is drawn with
                // probability weight_s / total.
                let s = cumulative
                    .partition_point(|&c| c <= u)
                    .min(cumulative.len().saturating_sub(1));
                match values.get(s * inputs..(s + 1) * inputs) {
                    Some(row) => out.extend_from_slice(row),
                    None => out.extend(sc.inputs.iter().map(|i| i.distribution.nominal())),
                }
            }
        }
    }
}
