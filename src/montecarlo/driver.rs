//! The one loop over runs: executes a [`RunPlan`] on a thread pool into a set of tallies.
//!
//! Every operation that simulates (a study, a comparison, an ablation, a sensitivity
//! design, a replay) goes through [`execute`], so scheduling, cancellation, progress and the
//! handling of inputs are written once. Runs are grouped in fixed chunks of consecutive run
//! indices handed out one at a time; a worker thread folds a chunk's runs into a tally of
//! its own, then merges that into the study's one tally and drops it. Because every tally
//! merges exactly and every run depends only on (plan, run index), the result is the same
//! to the bit for any thread count and any order in which chunks finish.
//!
//! One study tally rather than one per thread keeps memory flat in the threads: a tally of
//! a large world is mostly histograms whose windows widen as runs spread, and with one per
//! thread each would widen to nearly the study's full spread. A chunk's tally holds 64 runs
//! at most, so its windows stay narrow.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;

use super::final_table::{FinalKeep, FinalTable, SpoolError, TableError};
use super::lanes::LaneRunner;
use super::plan::RunPlan;
use super::run::{Observer, Runner, stream_keys};
use super::streams::StreamKeys;
use super::tally::{Header, MergeError, Tallied, Tally};
use crate::model::lanes::LANES;
use crate::model::{Anchors, Reads, State, solve_anchors};
use crate::scenario::Scenario;

/// Runs per work unit: large enough that a worker's per-chunk overhead is negligible, small
/// enough that two threads share even a small batch.
pub const CHUNK_RUNS: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    #[error("the batch was interrupted before it finished; nothing was written")]
    Interrupted,
    #[error("cannot start {threads} worker threads: {source}")]
    ThreadPool {
        threads: usize,
        source: rayon::ThreadPoolBuildError,
    },
    #[error("{runs} runs of {actors} actors do not fit in memory for the per-run table")]
    TooLarge { runs: u64, actors: usize },
    #[error("the plan names {0} scenarios; a plan runs one scenario or a pair")]
    Sides(usize),
    #[error("the parts of the batch do not merge: {0}")]
    Merge(#[from] MergeError),
    #[error(transparent)]
    Spool(#[from] SpoolError),
}

impl From<TableError> for DriverError {
    fn from(e: TableError) -> DriverError {
        match e {
            TableError::TooLarge { runs, actors } => DriverError::TooLarge { runs, actors },
            TableError::Spool(e) => DriverError::Spool(e),
            TableError::Merge(e) => DriverError::Merge(e),
        }
    }
}

/// The worker threads of a process. Made once and handed to every operation, so that a
/// command that runs several batches does not build a pool per batch.
pub fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, DriverError> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        builder = builder.num_threads(t);
    }
    builder.build().map_err(|source| DriverError::ThreadPool {
        threads: threads.unwrap_or(0),
        source,
    })
}

/// What [`execute`] returns.
#[derive(Debug)]
pub struct Executed<T> {
    pub tallied: Tallied<T>,
    /// The per-run table of side 0, when it was asked for.
    pub final_table: Option<FinalTable>,
}

/// Feeds one side of a run to a worker's tally, and its final alignment to the table.
struct Feed<'a, T: Tally> {
    tally: &'a mut T,
    side: usize,
    sc: &'a Scenario,
    final_row: Option<&'a mut [f64]>,
}

impl<T: Tally> Observer for Feed<'_, T> {
    #[inline]
    fn record(&mut self, t: usize, st: &State) {
        self.tally.record(self.side, self.sc, t, st);
        if t == self.sc.steps
            && let Some(row) = self.final_row.as_deref_mut()
        {
            row.copy_from_slice(&st.alignment);
        }
    }

    #[inline]
    fn fired(&mut self, t: usize, event: usize, magnitude: f64, attributed: bool) {
        self.tally.fired(self.side, t, event, magnitude, attributed);
    }
}

/// One side of a plan as a worker runs it: the runner, and the scenario copy its inputs
/// are written into when runs vary them.
struct SideWorker<'a> {
    sc: &'a Scenario,
    runner: Runner<'a>,
    /// Runs eight at a time, for a small scenario.
    lanes: Option<LaneRunner<'a>>,
    /// The scenario copies of the lanes when runs draw input values, with their anchors.
    lane_copies: Vec<(Scenario, Anchors)>,
    /// The scenario's anchors, and the working copy's (solved again for each run's inputs:
    /// steady anchors depend on the drawn start and ties).
    anchors: Anchors,
    working: Option<Box<(Scenario, Anchors)>>,
}

/// One worker thread's runners.
struct Worker<'a> {
    sides: Vec<SideWorker<'a>>,
    /// Whether side 1 is side 0's world without its events ([`same_but_events`]): a run's
    /// input values and anchors are then found on side 0 and copied to side 1.
    twins: bool,
    values: Vec<f64>,
    /// The input values of each lane of the group being run, kept for the twin side.
    lane_values: Vec<Vec<f64>>,
    /// The final alignments of the chunk being run, before they go to the table.
    rows: Vec<f64>,
}

impl Worker<'_> {
    fn run<T: Tally>(
        &mut self,
        tally: &mut T,
        plan: &RunPlan,
        keys: &[StreamKeys],
        k: u64,
        mut final_row: Option<&mut [f64]>,
    ) {
        let stream_run = plan.stream_run(k);
        let vary = plan.varies_inputs();
        for (side, side_keys) in keys.iter().enumerate().take(self.sides.len()) {
            let (before, after) = self.sides.split_at_mut(side);
            let w = &mut after[0];
            let (sc, anchors): (&Scenario, &Anchors) = if vary && !w.sc.inputs.is_empty() {
                let working = w
                    .working
                    .get_or_insert_with(|| Box::new((w.sc.clone(), w.anchors.clone())));
                // Side 0 has just drawn this run's values into `values`, and solved them.
                let first = before.first().filter(|_| self.twins);
                match first.and_then(|first| first.working.as_deref()) {
                    Some(solved) => copy_inputs(w.sc, &self.values, solved, working),
                    None => draw_inputs(w.sc, plan, side_keys, k, &mut self.values, working),
                }
                (&working.0, &working.1)
            } else {
                (w.sc, &w.anchors)
            };
            tally.begin(side, k, sc);
            let mut feed = Feed {
                tally: &mut *tally,
                side,
                sc,
                final_row: if side == 0 { final_row.take() } else { None },
            };
            w.runner.run_on(sc, anchors, stream_run, &mut feed);
        }
        tally.finish(k);
    }

    /// Runs `ks` (at most [`LANES`]) side by side on every side, then tells the tally of
    /// each run in order, as [`Worker::run`] would: run k's sides, then its end. `rows` holds
    /// the runs' final alignments, `n` per run, when the table is kept.
    /// What `tally` reads of the states of each side: asked once a chunk, not once a group.
    fn reads<T: Tally>(&self, tally: &T) -> Vec<Reads> {
        (self.sides.iter().enumerate())
            .map(|(side, w)| tally.reads(side, w.sc))
            .collect()
    }

    fn run_lanes<T: Tally>(
        &mut self,
        tally: &mut T,
        reads: &[Reads],
        plan: &RunPlan,
        keys: &[StreamKeys],
        ks: std::ops::Range<u64>,
        mut rows: Option<&mut [f64]>,
    ) {
        // Each run with inputs of its own works on the copy of the scenario of its lane.
        let own = |w: &SideWorker| plan.varies_inputs() && !w.sc.inputs.is_empty();
        self.lane_values.resize_with(LANES, Vec::new);
        for (side, side_keys) in keys.iter().enumerate().take(self.sides.len()) {
            let (before, after) = self.sides.split_at_mut(side);
            let w = &mut after[0];
            let own = own(w);
            if own && w.lanes.is_some() {
                w.lane_copies
                    .resize_with(LANES, || (w.sc.clone(), w.anchors.clone()));
                let first = before.first().filter(|_| self.twins);
                for (l, (copy, k)) in w.lane_copies.iter_mut().zip(ks.clone()).enumerate() {
                    let values = &mut self.lane_values[l];
                    match first.and_then(|first| first.lane_copies.get(l)) {
                        Some(solved) => copy_inputs(w.sc, values, solved, copy),
                        None => draw_inputs(w.sc, plan, side_keys, k, values, copy),
                    }
                }
            }
            let Some(lanes) = &mut w.lanes else { continue };
            let mut group: [(&Scenario, &Anchors, u64); LANES] = [(w.sc, &w.anchors, 0); LANES];
            for (l, k) in ks.clone().enumerate() {
                group[l].2 = plan.stream_run(k);
                if own {
                    group[l].0 = &w.lane_copies[l].0;
                    group[l].1 = &w.lane_copies[l].1;
                }
            }
            lanes.run_on(&group[..(ks.end - ks.start) as usize], &reads[side]);
        }
        for (l, k) in ks.enumerate() {
            for (side, w) in self.sides.iter().enumerate() {
                let Some(lanes) = &w.lanes else { continue };
                let sc = if own(w) { &w.lane_copies[l].0 } else { w.sc };
                tally.begin(side, k, sc);
                let n = w.sc.n();
                let final_row = match rows.as_deref_mut() {
                    Some(rows) if side == 0 => Some(&mut rows[l * n..(l + 1) * n]),
                    _ => None,
                };
                let mut feed = Feed {
                    tally: &mut *tally,
                    side,
                    sc,
                    final_row,
                };
                lanes.replay(l, &mut feed);
            }
            tally.finish(k);
        }
    }

    /// Whether every side runs side by side.
    fn in_lanes(&self) -> bool {
        self.sides.iter().all(|w| w.lanes.is_some())
    }
}

/// Writes `values`, the input values side 0 drew for a run, into `copy`, a copy of `sc`,
/// and takes the anchors side 0 solved for them (`solved`): the two sides' worlds differ
/// only in their events, which the anchors do not depend on.
fn copy_inputs(
    sc: &Scenario,
    values: &[f64],
    solved: &(Scenario, Anchors),
    copy: &mut (Scenario, Anchors),
) {
    for (input, &v) in sc.inputs.iter().zip(values) {
        copy.0.set_input(&input.target, v);
    }
    copy.1.clone_from(&solved.1);
}

/// Whether `b` is `a`'s world apart from its events, as a study's no-event twin is: the same
/// inputs, so that a run draws the same values on both (their streams are keyed by input
/// name), and the same actors, trust, reach, model and steps, so that those values give the
/// same anchors. A comparison's variant that differs in anything else (an input, an actor,
/// a relation) is drawn and solved alone.
fn same_but_events(a: &Scenario, b: &Scenario) -> bool {
    a.inputs == b.inputs
        && a.actors == b.actors
        && a.trust0 == b.trust0
        && a.reach == b.reach
        && a.model == b.model
        && a.steps == b.steps
}

/// Writes the input values of run index `k` into `copy`, a copy of `sc` with its anchors,
/// and solves the anchors again: steady anchors depend on the drawn start and ties.
fn draw_inputs(
    sc: &Scenario,
    plan: &RunPlan,
    keys: &StreamKeys,
    k: u64,
    values: &mut Vec<f64>,
    copy: &mut (Scenario, Anchors),
) {
    plan.input_values(sc, keys, k, values);
    for (input, &v) in sc.inputs.iter().zip(values.iter()) {
        copy.0.set_input(&input.target, v);
    }
    copy.1 = solve_anchors(&copy.0);
}

/// Simulates every run of `plan` on `pool`, each chunk of runs into a tally made by `make`,
/// and merges them into one. With `keep_final`, also fills the per-run table of side 0, in
/// memory. `progress` is called with the number of runs just finished (from any worker
/// thread); `cancel`, when set, stops at the next chunk.
pub fn execute<T: Tally>(
    plan: &RunPlan,
    plan_name: &str,
    pool: &rayon::ThreadPool,
    make: &(dyn Fn() -> T + Sync),
    keep_final: bool,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<Executed<T>, DriverError> {
    let keep = if keep_final {
        FinalKeep::Memory
    } else {
        FinalKeep::None
    };
    execute_keeping(plan, plan_name, pool, make, &keep, progress, cancel)
}

/// [`execute`], keeping the per-run table of side 0 where `keep` says.
pub fn execute_keeping<T: Tally>(
    plan: &RunPlan,
    plan_name: &str,
    pool: &rayon::ThreadPool,
    make: &(dyn Fn() -> T + Sync),
    keep: &FinalKeep,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<Executed<T>, DriverError> {
    let Some(&first) = plan.scenarios.first() else {
        return Err(DriverError::Sides(0));
    };
    if plan.scenarios.len() > 2 {
        return Err(DriverError::Sides(plan.scenarios.len()));
    }
    let n = first.n();
    let runs = plan.len();
    let table = FinalTable::new(keep, plan.runs.start, runs, n)?;
    let keys: Vec<StreamKeys> = plan
        .scenarios
        .iter()
        .map(|sc| stream_keys(sc, plan.seed))
        .collect();

    // One worker per thread, and chunks handed out one at a time: a worker that falls
    // behind (another process on its core, say) costs at most one chunk of waiting at the
    // end. The slots are indexed by rayon's thread index, so each lock is only ever taken by
    // its own thread. Each worker is boxed by the thread that uses it, so that two workers'
    // generators, written back after every step, never share a cache line. Chunks' tallies
    // merge into `study` exactly, so which thread ran which chunk, and in which order the
    // chunks were merged, does not show in the result. Merging takes a few milliseconds of
    // a chunk's seconds at 200 actors, so the lock is seldom waited for.
    let slots: Vec<Mutex<Option<Box<Worker>>>> = (0..pool.current_num_threads())
        .map(|_| Mutex::new(None))
        .collect();
    let study: Mutex<Option<T>> = Mutex::new(None);
    let refused: Mutex<Option<DriverError>> = Mutex::new(None);
    let twins = matches!(plan.scenarios[..], [a, b] if same_but_events(a, b));
    // Runs go side by side when every side's scenario is small.
    let lanes = plan.scenarios.iter().all(|&sc| LaneRunner::fits(sc));
    let new_worker = || {
        Box::new(Worker {
            sides: plan
                .scenarios
                .iter()
                .zip(&keys)
                .map(|(&sc, k)| SideWorker {
                    sc,
                    runner: Runner::new(sc, k),
                    lanes: lanes.then(|| LaneRunner::new(sc, k)),
                    lane_copies: Vec::new(),
                    anchors: solve_anchors(sc),
                    working: None,
                })
                .collect(),
            twins,
            values: Vec::new(),
            lane_values: Vec::new(),
            rows: Vec::new(),
        })
    };
    let refuse = |e: DriverError| {
        refused
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_or_insert(e);
    };
    let chunk = |index: usize| {
        if cancel.load(Ordering::Relaxed) {
            return;
        }
        let slot = rayon::current_thread_index().unwrap_or(0) % slots.len();
        let mut slot = slots[slot].lock().unwrap_or_else(PoisonError::into_inner);
        let w = slot.get_or_insert_with(new_worker);
        let start = plan.runs.start + (index * CHUNK_RUNS) as u64;
        let end = (start + CHUNK_RUNS as u64).min(plan.runs.end);
        let mut tally = make();
        match table.as_ref().filter(|_| n > 0) {
            Some(table) => {
                // The chunk's rows are gathered here and written to the table at once: one
                // write per chunk, whatever the table's store.
                let mut rows = std::mem::take(&mut w.rows);
                rows.resize((end - start) as usize * n, 0.0);
                if w.in_lanes() {
                    let reads = w.reads(&tally);
                    let groups = (start..end).step_by(LANES);
                    for (g, rows) in groups.zip(rows.chunks_mut(LANES * n)) {
                        w.run_lanes(
                            &mut tally,
                            &reads,
                            plan,
                            &keys,
                            g..(g + LANES as u64).min(end),
                            Some(rows),
                        );
                    }
                } else {
                    for (k, row) in (start..end).zip(rows.chunks_mut(n.max(1))) {
                        w.run(&mut tally, plan, &keys, k, Some(row));
                    }
                }
                if let Err(e) = table.put(start, &rows) {
                    refuse(e.into());
                }
                w.rows = rows;
            }
            None if w.in_lanes() => {
                let reads = w.reads(&tally);
                for g in (start..end).step_by(LANES) {
                    w.run_lanes(
                        &mut tally,
                        &reads,
                        plan,
                        &keys,
                        g..(g + LANES as u64).min(end),
                        None,
                    );
                }
            }
            None => {
                for k in start..end {
                    w.run(&mut tally, plan, &keys, k, None);
                }
            }
        }
        tally.flush();
        let mut study = study.lock().unwrap_or_else(PoisonError::into_inner);
        match study.as_mut() {
            None => *study = Some(tally),
            Some(all) => {
                if let Err(e) = all.merge(tally) {
                    refuse(e.into());
                }
            }
        }
        drop(study);
        progress(end - start);
    };
    let chunks = usize::try_from(runs.div_ceil(CHUNK_RUNS as u64)).unwrap_or(usize::MAX);
    pool.install(|| (0..chunks).into_par_iter().for_each(chunk));
    if cancel.load(Ordering::Relaxed) {
        return Err(DriverError::Interrupted);
    }
    if let Some(e) = refused.into_inner().unwrap_or_else(PoisonError::into_inner) {
        return Err(e);
    }
    drop(slots);
    let mut tally = study
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .unwrap_or_else(make);
    tally.flush();
    tally.gather();
    Ok(Executed {
        tallied: Tallied {
            header: Header::new(first, plan.seed, plan_name, plan.runs.clone()),
            tally,
        },
        final_table: table,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::montecarlo::plan::InputPlan;
    use crate::scenario::generate::{WorldSpec, generate_world};
    use crate::scenario::{DEFAULT_SCENARIO_TEXT, parse_scenario};

    /// Each side's final alignment and trust, bit for bit, by (side, run).
    #[derive(Default)]
    struct Ends {
        ends: BTreeMap<(usize, u64), Vec<u64>>,
        run: u64,
    }

    impl Tally for Ends {
        fn begin(&mut self, _side: usize, run: u64, _sc: &Scenario) {
            self.run = run;
        }
        fn record(&mut self, side: usize, sc: &Scenario, t: usize, st: &State) {
            if t == sc.steps {
                let bits = st.alignment.iter().chain(&st.trust).map(|x| x.to_bits());
                self.ends.insert((side, self.run), bits.collect());
            }
        }
        fn merge(&mut self, other: Ends) -> Result<(), MergeError> {
            self.ends.extend(other.ends);
            Ok(())
        }
    }

    fn ends(plan: &RunPlan, pool: &rayon::ThreadPool) -> BTreeMap<(usize, u64), Vec<u64>> {
        let cancel = AtomicBool::new(false);
        let done = execute(plan, "test", pool, &Ends::default, false, &|_| {}, &cancel);
        done.unwrap().tallied.tally.ends
    }

    /// A study's no-event twins take each run's input values and anchors from the runs with
    /// events rather than drawing and solving them again; each twin must still end exactly
    /// as it ends when its scenario runs alone. On the default scenario (runs side by side,
    /// a last group of three) and on a 40-actor world (runs one at a time) with two uncertain
    /// numbers of its model and steady anchors, which depend on them.
    #[test]
    fn a_no_event_twin_ends_as_it_ends_alone() {
        let default = parse_scenario(DEFAULT_SCENARIO_TEXT, "default").unwrap();
        let text = generate_world(&WorldSpec::new(40, 60, 3).unwrap())
            .replace(
                "trust_memory = 0.050",
                "trust_memory = { low = 0.02, high = 0.2 }",
            )
            .replace(
                "balance = 0.020",
                "balance = { low = 0.0, high = 0.1 }\nanchors = \"steady\"",
            );
        let world = parse_scenario(&text, "world").unwrap();
        assert_eq!(world.inputs.len(), 2);
        let pool = thread_pool(Some(2)).unwrap();
        for sc in [&default, &world] {
            let quiet = sc.without_events();
            assert!(same_but_events(sc, &quiet));
            let runs = 0..19;
            let paired = RunPlan::paired(sc, &quiet, 5, runs.clone()).with_inputs(InputPlan::Drawn);
            let alone = RunPlan::single(&quiet, 5, runs.clone()).with_inputs(InputPlan::Drawn);
            let paired = ends(&paired, &pool);
            let alone = ends(&alone, &pool);
            assert_eq!(alone.len(), 19);
            for k in runs {
                assert_eq!(paired[&(1, k)], alone[&(0, k)], "{} run {k}", sc.name);
            }
            // The inputs were drawn: runs start apart and end apart.
            assert_ne!(alone[&(0, 0)], alone[&(0, 1)]);
        }
    }
}
