//! Choosing a representative run to replay: the run whose final alignment of one actor is
//! the smallest, the largest, or closest to the median of a batch.
//!
//! A replay shows one run step by step; a run picked at random may be an oddity. Picking by
//! a statistic of the whole batch gives the typical run, or the extremes, of the study the
//! user has seen, since the batch here is the same as `influence run` simulates.

use std::sync::atomic::AtomicBool;

use crate::analysis::pick::{Pick, pick_run};
use crate::analysis::seeds::median_and_se;
use crate::montecarlo::{BatchConfig, BatchError, FinalKeep, run_batch};
use crate::scenario::Scenario;
use crate::scenario::validate::suggest;

#[derive(Debug, thiserror::Error)]
pub enum PickError {
    #[error("no actor is named {name:?}{}", hint(.suggestion))]
    UnknownActor {
        name: String,
        suggestion: Option<String>,
    },
    #[error("a batch of 0 runs has no run to pick")]
    NoRuns,
    #[error(transparent)]
    Batch(#[from] BatchError),
}

fn hint(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => format!("; did you mean {s:?}?"),
        None => String::new(),
    }
}

impl PickError {
    /// Whether the request itself was wrong (exit code 2) rather than its execution.
    pub fn is_bad_input(&self) -> bool {
        matches!(self, PickError::UnknownActor { .. } | PickError::NoRuns)
    }
}

/// The run chosen, with the figures that explain the choice.
#[derive(Debug, Clone, PartialEq)]
pub struct Picked {
    /// Run index within the batch (0-based, as in final.csv and `replay --run`).
    pub run: u64,
    pub actor: usize,
    /// The actor's final alignment in that run.
    pub value: f64,
    /// The statistic the run was picked by: the batch's median, minimum or maximum.
    pub statistic: f64,
}

/// Index of the actor named `name`, or an error with the nearest name as a suggestion.
pub fn find_actor(sc: &Scenario, name: &str) -> Result<usize, PickError> {
    sc.actors
        .iter()
        .position(|a| a.name == name)
        .ok_or_else(|| PickError::UnknownActor {
            name: name.to_string(),
            suggestion: suggest(name, sc.actors.iter().map(|a| a.name.as_str()))
                .map(str::to_string),
        })
}

/// Simulates runs `0..runs` of `seed` (the batch of `influence run`, without writing it)
/// and picks the run whose final alignment of `actor` matches `pick`; ties go to the lowest
/// run index.
pub fn pick_representative(
    sc: &Scenario,
    cfg: &BatchConfig,
    actor: usize,
    pick: Pick,
    pool: &rayon::ThreadPool,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<Picked, PickError> {
    if cfg.runs == 0 {
        return Err(PickError::NoRuns);
    }
    let cfg = BatchConfig {
        first_run: 0,
        // Only the final table is needed.
        sample_runs: 0,
        keep: match &cfg.keep {
            FinalKeep::None => FinalKeep::Memory,
            keep => keep.clone(),
        },
        ..cfg.clone()
    };
    let result = run_batch(sc, &cfg, pool, progress, cancel)?;
    let mut column = match &result.final_table {
        Some(table) => table.column(actor).map_err(BatchError::from)?,
        None => Vec::new(),
    };
    let (run, value) = pick_run(&column, 1, 0, pick).ok_or(PickError::NoRuns)?;
    let statistic = match pick {
        Pick::Min | Pick::Max => value,
        Pick::Median => median_and_se(&mut column).0,
    };
    Ok(Picked {
        run: run as u64,
        actor,
        value,
        statistic,
    })
}
