//! Paired batches: two scenarios run with the same `(seed, run)` pairs.
//!
//! Every source of randomness is keyed by `(seed, run, source name)` (see
//! [`super::streams`]), so run r of a variant draws the same numbers as run r of the base
//! wherever the two files agree: common random numbers. The differences between paired
//! runs then come from what the variant changes, not from chance, and intervals on paired
//! differences are far narrower than those from independent batches.

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use super::aggregate::StatGrid;
use super::batch::{BatchAccumulator, BatchConfig, BatchError, CHUNK_RUNS, RunAggregator};
use super::run::{Observer, stream_keys};
use crate::model::State;
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

/// Aggregates of a paired batch. Like [`BatchAccumulator`], exact under merging.
#[derive(Debug, Clone, PartialEq)]
pub struct PairedAccumulator {
    pub base: BatchAccumulator,
    pub variant: BatchAccumulator,
    /// a_variant − a_base at step t of actor i, cell `t * n + i`, over [-2, 2].
    pub diff: StatGrid,
    /// Runs in which the variant's alignment is strictly higher, per cell of `diff`.
    pub variant_higher: Vec<u64>,
    /// Runs in which the paired alignments are equal to the bit, per cell of `diff`.
    pub identical: Vec<u64>,
    /// For each shared outcome: runs where it held in [both, base only, variant only, neither].
    pub outcome_pairs: Vec<[u64; 4]>,
}

impl PairedAccumulator {
    fn new(base: &Scenario, variant: &Scenario, shared: usize, sample_runs: usize) -> Self {
        let cells = (base.steps + 1) * base.n();
        PairedAccumulator {
            base: BatchAccumulator::new(base, sample_runs),
            variant: BatchAccumulator::new(variant, sample_runs),
            diff: StatGrid::new(cells, -2.0, 2.0),
            variant_higher: vec![0; cells],
            identical: vec![0; cells],
            outcome_pairs: vec![[0; 4]; shared],
        }
    }

    pub fn merge(&mut self, other: &PairedAccumulator) {
        self.base.merge(&other.base);
        self.variant.merge(&other.variant);
        self.diff.merge(&other.diff);
        for (a, b) in self.variant_higher.iter_mut().zip(&other.variant_higher) {
            *a += b;
        }
        for (a, b) in self.identical.iter_mut().zip(&other.identical) {
            *a += b;
        }
        for (a, b) in self.outcome_pairs.iter_mut().zip(&other.outcome_pairs) {
            for k in 0..4 {
                a[k] += b[k];
            }
        }
    }

    /// Number of paired runs.
    pub fn runs(&self) -> u64 {
        self.base.runs()
    }
}

/// The result of [`run_paired`].
#[derive(Debug, Clone)]
pub struct PairedResult {
    pub first_run: u64,
    pub runs: u64,
    pub seed: u64,
    pub aggregates: PairedAccumulator,
    /// `(index in base, index in variant)` of each outcome both scenarios define.
    pub shared_outcomes: Vec<(usize, usize)>,
}

/// Keeps the base run's alignment trajectory for the variant run to compare against.
struct Capture<'a> {
    trajectory: &'a mut [f64],
}

impl Observer for Capture<'_> {
    fn record(&mut self, t: usize, st: &State) {
        let n = st.n;
        self.trajectory[t * n..(t + 1) * n].copy_from_slice(&st.alignment);
    }
}

/// Adds the variant run's differences from the captured base trajectory.
struct Difference<'a> {
    base: &'a [f64],
    diff: &'a mut StatGrid,
    higher: &'a mut [u64],
    identical: &'a mut [u64],
}

impl Observer for Difference<'_> {
    fn record(&mut self, t: usize, st: &State) {
        let n = st.n;
        for (i, &a) in st.alignment.iter().enumerate() {
            let cell = t * n + i;
            let b = self.base[cell];
            self.diff.add(cell, a - b);
            self.higher[cell] += u64::from(a > b);
            self.identical[cell] += u64::from(a.to_bits() == b.to_bits());
        }
    }
}

struct PairWorker<'a> {
    base: RunAggregator<'a>,
    variant: RunAggregator<'a>,
    acc: PairedAccumulator,
    trajectory: Vec<f64>,
    final_row: Vec<f64>,
}

/// Runs `cfg.runs` paired runs of `base` and `variant` with the same seed.
pub fn run_paired(
    base: &Scenario,
    variant: &Scenario,
    cfg: &BatchConfig,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<PairedResult, PairError> {
    check_comparable(base, variant)?;
    let shared = shared_outcomes(base, variant);
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(t) = cfg.threads {
        builder = builder.num_threads(t);
    }
    let pool = builder.build().map_err(|source| BatchError::ThreadPool {
        threads: cfg.threads.unwrap_or(0),
        source,
    })?;
    let base_keys = stream_keys(base, cfg.seed);
    let variant_keys = stream_keys(variant, cfg.seed);
    let n = base.n();
    let cells = (base.steps + 1) * n;
    let chunks = usize::try_from(cfg.runs.div_ceil(CHUNK_RUNS as u64)).unwrap_or(usize::MAX);
    let min_len = (chunks / (pool.current_num_threads() * 4)).max(1);

    let aggregates = pool.install(|| {
        (0..chunks)
            .into_par_iter()
            .with_min_len(min_len)
            .fold(
                || None,
                |worker: Option<PairWorker>, chunk: usize| {
                    let mut w = worker.unwrap_or_else(|| PairWorker {
                        base: RunAggregator::new(base, &base_keys, cfg.sample_runs),
                        variant: RunAggregator::new(variant, &variant_keys, cfg.sample_runs),
                        acc: PairedAccumulator::new(base, variant, shared.len(), 0),
                        trajectory: vec![0.0; cells],
                        final_row: vec![0.0; n],
                    });
                    if cancel.load(Ordering::Relaxed) {
                        return Some(w);
                    }
                    let start = (chunk * CHUNK_RUNS) as u64;
                    let end = (start + CHUNK_RUNS as u64).min(cfg.runs);
                    for k in start..end {
                        let run = cfg.first_run + k;
                        w.base.run_one(
                            run,
                            &mut w.final_row,
                            &mut Capture {
                                trajectory: &mut w.trajectory,
                            },
                        );
                        let mut tap = Difference {
                            base: &w.trajectory,
                            diff: &mut w.acc.diff,
                            higher: &mut w.acc.variant_higher,
                            identical: &mut w.acc.identical,
                        };
                        w.variant.run_one(run, &mut w.final_row, &mut tap);
                        for (pair, &(bi, vi)) in w.acc.outcome_pairs.iter_mut().zip(&shared) {
                            let (b, v) = (w.base.verdicts()[bi], w.variant.verdicts()[vi]);
                            let slot = match (b, v) {
                                (true, true) => 0,
                                (true, false) => 1,
                                (false, true) => 2,
                                (false, false) => 3,
                            };
                            pair[slot] += 1;
                        }
                    }
                    progress(end - start);
                    Some(w)
                },
            )
            .filter_map(|w| {
                w.map(|mut w| {
                    w.acc.base = w.base.into_accumulator();
                    w.acc.variant = w.variant.into_accumulator();
                    w.acc
                })
            })
            .reduce_with(|mut a, b| {
                a.merge(&b);
                a
            })
    });
    if cancel.load(Ordering::Relaxed) {
        return Err(BatchError::Interrupted.into());
    }
    let aggregates = aggregates
        .unwrap_or_else(|| PairedAccumulator::new(base, variant, shared.len(), cfg.sample_runs));
    Ok(PairedResult {
        first_run: cfg.first_run,
        runs: cfg.runs,
        seed: cfg.seed,
        aggregates,
        shared_outcomes: shared,
    })
}
