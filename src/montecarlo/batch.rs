//! A batch of runs in parallel, aggregated as they finish.
//!
//! Runs are grouped in fixed chunks of consecutive run indices; rayon spreads chunks over
//! threads and each worker folds its runs into its own [`BatchAccumulator`]. Because every
//! aggregate merges exactly (see [`super::aggregate`]) and every run depends only on
//! `(scenario, seed, run)`, the result is the same to the bit for any thread count.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;

use super::aggregate::StatGrid;
use super::run::{Observer, Runner, stream_keys};
use crate::analysis::OutcomeTracker;
use crate::model::State;
use crate::scenario::Scenario;

/// Runs per work unit: large enough that a worker's per-chunk overhead is negligible, small
/// enough that two threads share even a small batch.
pub const CHUNK_RUNS: usize = 64;

/// How many runs' whole alignment trajectories are kept for charts of individual runs.
pub const DEFAULT_SAMPLE_RUNS: usize = 40;

/// What to run.
#[derive(Debug, Clone, Copy)]
pub struct BatchConfig {
    /// Index of the first run: a batch simulates runs `first_run..first_run + runs`, so a
    /// study can grow block by block and still equal one batch of the total size.
    pub first_run: u64,
    pub runs: u64,
    pub seed: u64,
    /// Worker threads; `None` uses every core.
    pub threads: Option<usize>,
    /// Runs `0..sample_runs` keep their alignment trajectories.
    pub sample_runs: usize,
}

impl BatchConfig {
    /// Runs `0..runs` of `seed` on every core, with the default sample kept.
    pub fn new(runs: u64, seed: u64) -> BatchConfig {
        BatchConfig {
            first_run: 0,
            runs,
            seed,
            threads: None,
            sample_runs: DEFAULT_SAMPLE_RUNS,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("the batch was interrupted before it finished; nothing was written")]
    Interrupted,
    #[error("cannot start {threads} worker threads: {source}")]
    ThreadPool {
        threads: usize,
        source: rayon::ThreadPoolBuildError,
    },
    #[error("a batch starting at run {next} cannot follow one that ends at run {end}")]
    NotContiguous { end: u64, next: u64 },
    #[error("{runs} runs of {actors} actors do not fit in memory for the per-run table")]
    TooLarge { runs: u64, actors: usize },
}

/// Aggregates of every run, plus the per-run final table.
#[derive(Debug, Clone)]
pub struct BatchResult {
    pub first_run: u64,
    pub runs: u64,
    pub seed: u64,
    pub aggregates: BatchAccumulator,
    /// Final alignment of run `first_run + r`, actor i at `r * n + i`.
    pub final_alignment: Vec<f64>,
}

impl BatchResult {
    /// Adds the batch that follows this one (its first run is this one's end), giving
    /// exactly the result of one batch over both ranges.
    pub fn append(&mut self, next: &BatchResult) -> Result<(), BatchError> {
        if next.first_run != self.first_run + self.runs || next.seed != self.seed {
            return Err(BatchError::NotContiguous {
                end: self.first_run + self.runs,
                next: next.first_run,
            });
        }
        self.aggregates.merge(&next.aggregates);
        self.final_alignment
            .extend_from_slice(&next.final_alignment);
        self.runs += next.runs;
        Ok(())
    }
}

/// Everything that is summed over runs. Its size depends on the scenario, not on the runs.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchAccumulator {
    n: usize,
    steps: usize,
    /// Alignment at step t of actor i, cell `t * n + i`.
    pub alignment: StatGrid,
    /// Final trust of i in j, cell `i * n + j`.
    pub trust_final: StatGrid,
    /// Final threat θ that i perceives from j, cell `i * n + j`.
    pub threat_final: StatGrid,
    /// Runs in which each outcome held.
    pub outcome_hits: Vec<u64>,
    /// Runs in which each event fired at least once.
    pub event_runs: Vec<u64>,
    /// Firings of each event summed over runs.
    pub event_firings: Vec<u64>,
    /// Alignment trajectories of the first runs: run r, step t, actor i at
    /// `(r * (steps + 1) + t) * n + i`; NaN until that run is merged in (and for runs the
    /// batch does not reach).
    pub sample: Vec<f64>,
    pub sample_runs: usize,
}

impl BatchAccumulator {
    pub fn new(sc: &Scenario, sample_runs: usize) -> BatchAccumulator {
        let n = sc.n();
        BatchAccumulator {
            n,
            steps: sc.steps,
            alignment: StatGrid::new((sc.steps + 1) * n, -1.0, 1.0),
            trust_final: StatGrid::new(n * n, -1.0, 1.0),
            threat_final: StatGrid::new(n * n, 0.0, 1.0),
            outcome_hits: vec![0; sc.outcomes.len()],
            event_runs: vec![0; sc.events.len()],
            event_firings: vec![0; sc.events.len()],
            sample: vec![f64::NAN; sample_runs * (sc.steps + 1) * n],
            sample_runs,
        }
    }

    pub fn merge(&mut self, other: &BatchAccumulator) {
        self.alignment.merge(&other.alignment);
        self.trust_final.merge(&other.trust_final);
        self.threat_final.merge(&other.threat_final);
        for (a, b) in self.outcome_hits.iter_mut().zip(&other.outcome_hits) {
            *a += b;
        }
        for (a, b) in self.event_runs.iter_mut().zip(&other.event_runs) {
            *a += b;
        }
        for (a, b) in self.event_firings.iter_mut().zip(&other.event_firings) {
            *a += b;
        }
        // Each sampled run is simulated by exactly one worker; the others hold NaN there.
        for (a, b) in self.sample.iter_mut().zip(&other.sample) {
            if !b.is_nan() {
                *a = *b;
            }
        }
    }

    /// Number of runs aggregated.
    pub fn runs(&self) -> u64 {
        self.alignment.count(0)
    }

    /// How many of the sampled runs hold data: the first `min(sample_runs, runs)` runs.
    pub fn sampled_runs(&self) -> usize {
        self.sample_runs
            .min(usize::try_from(self.runs()).unwrap_or(usize::MAX))
    }

    /// The sampled alignment trajectory of run `r`, actor `i`, as values for t = 0..=steps.
    pub fn sample_trajectory(&self, r: usize, i: usize) -> Vec<f64> {
        let stride = (self.steps + 1) * self.n;
        (0..=self.steps)
            .map(|t| self.sample[r * stride + t * self.n + i])
            .collect()
    }
}

/// Feeds one run into an accumulator, and shows every state to `tap` as well.
struct BatchObserver<'a, T: Observer> {
    tap: &'a mut T,
    sc: &'a Scenario,
    acc: &'a mut BatchAccumulator,
    outcomes: &'a mut OutcomeTracker,
    fired: &'a mut [u32],
    final_row: &'a mut [f64],
    /// This run's alignment at every step, cell `t * n + i`, and its final trust and
    /// threat matrices, held for the next flush.
    alignment_row: &'a mut [f64],
    trust_row: &'a mut [f64],
    threat_row: &'a mut [f64],
    sample_slot: Option<usize>,
}

impl<T: Observer> Observer for BatchObserver<'_, T> {
    fn record(&mut self, t: usize, st: &State) {
        self.tap.record(t, st);
        let n = st.n;
        self.alignment_row[t * n..][..n].copy_from_slice(&st.alignment);
        if let Some(r) = self.sample_slot {
            let at = (r * (self.sc.steps + 1) + t) * n;
            self.acc.sample[at..at + n].copy_from_slice(&st.alignment);
        }
        self.outcomes.observe(&self.sc.outcomes, t, st);
        if t == self.sc.steps {
            self.trust_row.copy_from_slice(&st.trust);
            self.threat_row.copy_from_slice(&st.threat);
            self.final_row.copy_from_slice(&st.alignment);
        }
    }

    fn fired(&mut self, t: usize, event: usize, magnitude: f64, attributed: bool) {
        self.tap.fired(t, event, magnitude, attributed);
        self.fired[event] += 1;
    }
}

/// Runs a batch. `progress` is called with the number of runs just finished (from any
/// worker thread); `cancel`, when set, stops the batch at the next chunk.
pub fn run_batch(
    sc: &Scenario,
    cfg: &BatchConfig,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<BatchResult, BatchError> {
    let n = sc.n();
    let table_len = usize::try_from(cfg.runs)
        .ok()
        .and_then(|r| r.checked_mul(n))
        .ok_or(BatchError::TooLarge {
            runs: cfg.runs,
            actors: n,
        })?;
    let mut final_alignment = Vec::new();
    final_alignment
        .try_reserve_exact(table_len)
        .map_err(|_| BatchError::TooLarge {
            runs: cfg.runs,
            actors: n,
        })?;
    final_alignment.resize(table_len, 0.0);

    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(t) = cfg.threads {
        builder = builder.num_threads(t);
    }
    let threads = cfg.threads.unwrap_or(0);
    let pool = builder
        .build()
        .map_err(|source| BatchError::ThreadPool { threads, source })?;

    let keys = stream_keys(sc, cfg.seed);
    let sample_runs = cfg.sample_runs;
    let chunk_len = CHUNK_RUNS * n.max(1);

    // One aggregator per worker thread, and chunks handed out one at a time: a worker that
    // falls behind (another process on its core, say) costs at most one chunk of waiting
    // at the end, and there is no per-chunk accumulator to allocate and merge. The slots
    // are indexed by rayon's thread index, so each lock is only ever taken by its own
    // thread; the merge at the end is exact, so which thread ran which chunk does not
    // show in the result.
    // Each aggregator is boxed by the thread that uses it, so that two workers' generators,
    // written back after every step, never share a cache line.
    let slots: Vec<Mutex<Option<Box<RunAggregator>>>> = (0..pool.current_num_threads())
        .map(|_| Mutex::new(None))
        .collect();
    pool.install(|| {
        final_alignment
            .par_chunks_mut(chunk_len)
            .enumerate()
            .for_each(|(chunk, rows)| {
                if cancel.load(Ordering::Relaxed) {
                    return;
                }
                let slot = rayon::current_thread_index().unwrap_or(0) % slots.len();
                let mut slot = slots[slot].lock().unwrap_or_else(PoisonError::into_inner);
                let w = slot
                    .get_or_insert_with(|| Box::new(RunAggregator::new(sc, &keys, sample_runs)));
                let first = cfg.first_run + (chunk * CHUNK_RUNS) as u64;
                for (k, final_row) in rows.chunks_mut(n.max(1)).enumerate() {
                    w.run_one(first + k as u64, final_row, &mut NoTap);
                }
                progress((rows.len() / n.max(1)) as u64);
            });
    });
    let aggregates = slots
        .into_iter()
        .filter_map(|slot| slot.into_inner().unwrap_or_else(PoisonError::into_inner))
        .map(|w| w.into_accumulator())
        .reduce(|mut a, b| {
            a.merge(&b);
            a
        });
    if cancel.load(Ordering::Relaxed) {
        return Err(BatchError::Interrupted);
    }
    let aggregates = aggregates.unwrap_or_else(|| BatchAccumulator::new(sc, sample_runs));
    Ok(BatchResult {
        first_run: cfg.first_run,
        runs: cfg.runs,
        seed: cfg.seed,
        aggregates,
        final_alignment,
    })
}

/// An observer that ignores everything.
pub struct NoTap;

impl Observer for NoTap {
    fn record(&mut self, _t: usize, _st: &State) {}
}

/// One worker's reusable buffers and its share of the aggregates: runs go in one at a time,
/// in any order, and come out summed in `acc`.
pub struct RunAggregator<'a> {
    sc: &'a Scenario,
    runner: Runner<'a>,
    acc: BatchAccumulator,
    outcomes: OutcomeTracker,
    fired: Vec<u32>,
    /// The alignment trajectories of the last runs, run after run, not yet in `acc`, and
    /// their final trust and threat matrices. Adding them cell by cell at a flush keeps one
    /// cell's histogram in cache for all of them; adding each run as it finishes touches a
    /// different histogram for every actor, step and pair, and the cache misses cost more
    /// than the arithmetic.
    pending: Vec<f64>,
    pending_trust: Vec<f64>,
    pending_threat: Vec<f64>,
    pending_runs: usize,
}

/// How many alignment values a worker holds before adding them to its histograms (128 kB).
const PENDING_VALUES: usize = 16_384;

impl<'a> RunAggregator<'a> {
    pub fn new(sc: &'a Scenario, keys: &'a super::streams::StreamKeys, sample_runs: usize) -> Self {
        let acc = BatchAccumulator::new(sc, sample_runs);
        let cells = acc.alignment.cells();
        let capacity = (PENDING_VALUES / cells.max(1)).clamp(1, CHUNK_RUNS);
        RunAggregator {
            sc,
            runner: Runner::new(sc, keys),
            acc,
            outcomes: OutcomeTracker::new(&sc.outcomes, sc.steps),
            fired: vec![0; sc.events.len()],
            pending: vec![0.0; capacity * cells],
            pending_trust: vec![0.0; capacity * sc.n() * sc.n()],
            pending_threat: vec![0.0; capacity * sc.n() * sc.n()],
            pending_runs: 0,
        }
    }

    /// Simulates run `run`, adds it to the aggregates, writes its final alignment into
    /// `final_row` and shows every state to `tap` on the way.
    pub fn run_one(&mut self, run: u64, final_row: &mut [f64], tap: &mut impl Observer) {
        self.outcomes.reset(&self.sc.outcomes);
        self.fired.fill(0);
        let sample_slot = usize::try_from(run)
            .ok()
            .filter(|&r| r < self.acc.sample_runs);
        let cells = self.acc.alignment.cells();
        let pairs = self.sc.n() * self.sc.n();
        let mut obs = BatchObserver {
            tap,
            sc: self.sc,
            acc: &mut self.acc,
            outcomes: &mut self.outcomes,
            fired: &mut self.fired,
            final_row,
            alignment_row: &mut self.pending[self.pending_runs * cells..][..cells],
            trust_row: &mut self.pending_trust[self.pending_runs * pairs..][..pairs],
            threat_row: &mut self.pending_threat[self.pending_runs * pairs..][..pairs],
            sample_slot,
        };
        self.runner.run(run, &mut obs);
        self.pending_runs += 1;
        if self.pending_runs * cells == self.pending.len() {
            self.flush();
        }
        for (o, &hit) in self.outcomes.verdicts().iter().enumerate() {
            self.acc.outcome_hits[o] += u64::from(hit);
        }
        for (e, &f) in self.fired.iter().enumerate() {
            self.acc.event_runs[e] += u64::from(f > 0);
            self.acc.event_firings[e] += u64::from(f);
        }
    }

    /// The outcome verdicts of the last run.
    pub fn verdicts(&self) -> &[bool] {
        self.outcomes.verdicts()
    }

    /// Adds the held alignment trajectories to the histograms, cell by cell.
    fn flush(&mut self) {
        let cells = self.acc.alignment.cells();
        if self.pending_runs == 0 {
            return;
        }
        let held = &self.pending[..self.pending_runs * cells];
        for cell in 0..cells {
            self.acc.alignment.add_column(cell, &held[cell..], cells);
        }
        // Every pair but the diagonal: the cells i n + j for j ≠ i.
        let n = self.sc.n();
        let pairs = n * n;
        let trust = &self.pending_trust[..self.pending_runs * pairs];
        let threat = &self.pending_threat[..self.pending_runs * pairs];
        for cell in (0..pairs).filter(|c| c / n != c % n) {
            self.acc.trust_final.add_column(cell, &trust[cell..], pairs);
            self.acc
                .threat_final
                .add_column(cell, &threat[cell..], pairs);
        }
        self.pending_runs = 0;
    }

    /// Everything added so far.
    pub fn into_accumulator(mut self) -> BatchAccumulator {
        self.flush();
        self.acc
    }
}
