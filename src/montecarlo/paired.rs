//! Paired batches: two scenarios run with the same `(seed, run)` pairs.
//!
//! Every source of randomness is keyed by `(seed, run, source name)` (see
//! [`super::streams`]), so run r of a variant draws the same numbers as run r of the base
//! wherever the two files agree: common random numbers. The differences between paired
//! runs then come from what the variant changes, not from chance, and intervals on paired
//! differences are far narrower than those from independent batches.

use std::sync::atomic::AtomicBool;

use super::batch::{BatchConfig, BatchError};
use super::driver::execute;
use super::plan::RunPlan;
use super::tallies::PairedTally;
use super::tally::Header;
use crate::scenario::Scenario;

#[derive(Debug, thiserror::Error)]
pub enum PairError {
    #[error("the two scenarios cannot be compared: {0}")]
    Mismatch(String),
    #[error(transparent)]
    Batch(#[from] BatchError),
}

/// Checks that two scenarios describe the same actors, in the same order, over the same
/// number of steps: the conditions under which their runs can be paired step by step.
pub fn check_comparable(base: &Scenario, variant: &Scenario) -> Result<(), PairError> {
    let names = |sc: &Scenario| sc.actors.iter().map(|a| a.name.clone()).collect::<Vec<_>>();
    let (a, b) = (names(base), names(variant));
    if a != b {
        let only_base: Vec<&String> = a.iter().filter(|x| !b.contains(x)).collect();
        let only_variant: Vec<&String> = b.iter().filter(|x| !a.contains(x)).collect();
        let detail = if only_base.is_empty() && only_variant.is_empty() {
            "they list the same actors in a different order; list them in the same order"
                .to_string()
        } else {
            format!(
                "actors only in the base: {}; actors only in the variant: {}",
                list(&only_base),
                list(&only_variant)
            )
        };
        return Err(PairError::Mismatch(format!(
            "they do not describe the same actors ({detail})"
        )));
    }
    if base.steps != variant.steps {
        return Err(PairError::Mismatch(format!(
            "they simulate different horizons (steps = {} and {})",
            base.steps, variant.steps
        )));
    }
    Ok(())
}

fn list(names: &[&String]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The outcomes the two scenarios share, by name: `(index in base, index in variant)`.
pub fn shared_outcomes(base: &Scenario, variant: &Scenario) -> Vec<(usize, usize)> {
    base.outcomes
        .iter()
        .enumerate()
        .filter_map(|(i, o)| {
            variant
                .outcomes
                .iter()
                .position(|v| v.name == o.name)
                .map(|j| (i, j))
        })
        .collect()
}

/// The result of [`run_paired`].
#[derive(Debug, Clone)]
pub struct PairedResult {
    pub first_run: u64,
    pub runs: u64,
    pub seed: u64,
    pub header: Header,
    pub aggregates: PairedTally,
    /// `(index in base, index in variant)` of each outcome both scenarios define.
    pub shared_outcomes: Vec<(usize, usize)>,
}

/// The name of a paired plan in saved tallies: it names the variant, since run r of a
/// comparison against another variant is another run.
pub fn paired_plan_name(variant: &Scenario) -> String {
    format!("paired:{}", variant.sha256)
}

/// Runs `cfg.runs` paired runs of `base` and `variant` with the same seed on `pool`.
pub fn run_paired(
    base: &Scenario,
    variant: &Scenario,
    cfg: &BatchConfig,
    pool: &rayon::ThreadPool,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<PairedResult, PairError> {
    check_comparable(base, variant)?;
    let shared = shared_outcomes(base, variant);
    let plan = RunPlan::paired(
        base,
        variant,
        cfg.seed,
        cfg.first_run..cfg.first_run + cfg.runs,
    )
    .with_inputs(cfg.inputs.clone());
    let done = execute(
        &plan,
        &paired_plan_name(variant),
        pool,
        &|| PairedTally::new(base, variant, shared.clone(), cfg.sample_runs),
        false,
        progress,
        cancel,
    )?;
    Ok(PairedResult {
        first_run: cfg.first_run,
        runs: cfg.runs,
        seed: cfg.seed,
        header: done.tallied.header,
        aggregates: done.tallied.tally,
        shared_outcomes: shared,
    })
}
