//! The tallies every study keeps: alignment and final trust and threat distributions,
//! outcome hits, event counts, the sampled trajectories; and, for paired plans, the paired
//! differences and the joint outcomes of base and variant.
//!
//! Each watches one side of a plan (0: the only or the base scenario, 1: the variant) and
//! ignores the other, so the same types serve single and paired plans.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::aggregate::{StatGrid, StripedGrid};
use super::tally::{MergeError, Scratch, Tally, f64_bits, same_shape};
use super::thresholds::ThresholdTally;
use crate::analysis::blocs::{BlocScratch, CoMembership, best_split};
use crate::model::{OutcomeTracker, Part, Reads, State};
use crate::scenario::Scenario;

/// How many alignment values a worker holds before adding them to its histograms (128 kB).
const PENDING_VALUES: usize = 16_384;

/// Most runs held before a flush, whatever the scenario's size.
const PENDING_RUNS: usize = 64;

/// Most cells in a stripe of a [`GridStore`]'s grid. A flush that finds every stripe it has
/// left taken waits for one stripe to be filled, so the size bounds that wait: at 200
/// actors one run's 4,096 values take a few tenths of a millisecond to add, a hundredth of
/// the run. Stripes of a fixed size rather than a fixed number keep the wait the same in a
/// larger world, and leave a small world's grids (a few hundred cells, added in
/// microseconds) whole, with one lock each. Each stripe costs a lock and a grid header, 23
/// of them at 200 actors.
const STRIPE_CELLS: usize = 4_096;

/// Distributions of alignment at every step and of final trust and threat for every pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridTally {
    side: usize,
    n: usize,
    steps: usize,
    /// Alignment at step t of actor i, cell `t * n + i`.
    pub alignment: StatGrid,
    /// Final trust of i in j, cell `i * n + j` (the diagonal stays empty).
    pub trust_final: StatGrid,
    /// Final threat θ that i perceives from j, cell `i * n + j`.
    pub threat_final: StatGrid,
    /// The alignment trajectories of the last runs, run after run, not yet in the
    /// histograms, and their final trust and threat matrices. Adding them cell by cell at a
    /// flush keeps one cell's histogram in cache for all of them; adding each run as it
    /// finishes touches a different histogram for every actor, step and pair, and the cache
    /// misses cost more than the arithmetic.
    #[serde(skip)]
    held: Scratch<Held>,
    /// Where runs are added instead of this tally's own grids, which then stay empty: the
    /// grids of the whole study, shared by the tallies of all its chunks of runs.
    #[serde(skip)]
    store: Scratch<Option<GridStore>>,
}

/// The grids of one study, to which the tallies of its chunks of runs add directly.
///
/// A worker's tally of a chunk would otherwise keep grids of its own, a few bytes of sums
/// per cell plus a histogram window, merged into the study's at the end of the chunk: at
/// 200 actors that is 90,600 cells and 7 MB per tally before the first run, on every thread.
/// Counts and fixed-point sums add exactly in any order, so adding each run's values
/// straight into one set of grids under locks gives the same bits as merging per-thread
/// grids.
///
/// At 200 actors a third of a run's time goes into adding its values, so two threads often
/// flush at once. Each grid is cut into stripes of cells with a lock each
/// ([`StripedGrid`]), and a flush adds to whichever stripe of any grid is free first: two
/// flushes fill different stripes side by side, and one waits only when the last stripe it
/// has left is the one the other is filling.
#[derive(Debug, Clone)]
pub struct GridStore(Arc<[StripedGrid; 3]>);

/// The grids of a store, in its order.
const ALIGNMENT: usize = 0;
const TRUST: usize = 1;
const THREAT: usize = 2;

impl GridStore {
    /// Empty grids for `sc`.
    pub fn new(sc: &Scenario) -> GridStore {
        GridStore::striped(sc, STRIPE_CELLS)
    }

    /// Empty grids for `sc` in stripes of at most `stripe_cells` cells.
    fn striped(sc: &Scenario, stripe_cells: usize) -> GridStore {
        GridStore(Arc::new(grid_shapes(sc).map(|(cells, lo, hi)| {
            StripedGrid::new(cells, lo, hi, stripe_cells)
        })))
    }

    /// Takes grid `grid` out of the store, leaving it with no cells.
    fn take(&self, grid: usize) -> StatGrid {
        self.0[grid].take()
    }
}

/// Cells and range of the alignment, trust and threat grids of `sc`, in a store's order.
fn grid_shapes(sc: &Scenario) -> [(usize, f64, f64); 3] {
    let n = sc.n();
    [
        ((sc.steps + 1) * n, -1.0, 1.0),
        (n * n, -1.0, 1.0),
        (n * n, 0.0, 1.0),
    ]
}

/// Runs held by a [`GridTally`] before a flush.
#[derive(Debug, Clone, Default)]
struct Held {
    alignment: Vec<f64>,
    trust: Vec<f64>,
    threat: Vec<f64>,
    runs: usize,
    capacity: usize,
}

impl GridTally {
    pub fn new(sc: &Scenario, side: usize) -> GridTally {
        let [alignment, trust_final, threat_final] =
            grid_shapes(sc).map(|(cells, lo, hi)| StatGrid::new(cells, lo, hi));
        GridTally {
            side,
            n: sc.n(),
            steps: sc.steps,
            alignment,
            trust_final,
            threat_final,
            held: Scratch::default(),
            store: Scratch(None),
        }
    }

    /// A tally that adds its runs to `store` and holds no grids of its own until
    /// [`Tally::gather`] takes the store's.
    pub fn sharing(sc: &Scenario, side: usize, store: &GridStore) -> GridTally {
        GridTally {
            side,
            n: sc.n(),
            steps: sc.steps,
            alignment: StatGrid::new(0, -1.0, 1.0),
            trust_final: StatGrid::new(0, -1.0, 1.0),
            threat_final: StatGrid::new(0, 0.0, 1.0),
            held: Scratch::default(),
            store: Scratch(Some(store.clone())),
        }
    }

    /// Number of runs added.
    pub fn runs(&self) -> u64 {
        let added = match &self.store.0 {
            Some(store) => store.0[ALIGNMENT].count(0),
            None => self.alignment.count(0),
        };
        added + self.held.0.runs as u64
    }

    /// Cells of the alignment grid, whether or not this tally holds it.
    fn cells(&self) -> usize {
        (self.steps + 1) * self.n
    }

    fn hold(&mut self) {
        let cells = self.cells();
        let held = &mut self.held.0;
        if held.capacity == 0 {
            held.capacity = (PENDING_VALUES / cells.max(1)).clamp(1, PENDING_RUNS);
            held.alignment = vec![0.0; held.capacity * cells];
            held.trust = vec![0.0; held.capacity * self.n * self.n];
            held.threat = vec![0.0; held.capacity * self.n * self.n];
        }
    }
}

impl Tally for GridTally {
    fn begin(&mut self, side: usize, _run: u64, _sc: &Scenario) {
        if side == self.side {
            self.hold();
        }
    }

    fn reads(&self, side: usize, _sc: &Scenario) -> Reads {
        if side == self.side {
            Reads::nothing().whole(Part::Alignment)
        } else {
            Reads::nothing()
        }
    }

    fn record(&mut self, side: usize, _sc: &Scenario, t: usize, st: &State) {
        if side != self.side {
            return;
        }
        let n = self.n;
        let cells = self.cells();
        let held = &mut self.held.0;
        let at = held.runs * cells + t * n;
        held.alignment[at..at + n].copy_from_slice(&st.alignment);
        if t == self.steps {
            let pairs = n * n;
            let at = held.runs * pairs;
            held.trust[at..at + pairs].copy_from_slice(&st.trust);
            held.threat[at..at + pairs].copy_from_slice(&st.threat);
            held.runs += 1;
            if held.runs == held.capacity {
                self.flush();
            }
        }
    }

    /// Adds the held runs to the histograms, cell by cell: to the store's when there is one.
    fn flush(&mut self) {
        if self.held.0.runs == 0 {
            return;
        }
        let (n, cells) = (self.n, self.cells());
        match &self.store.0 {
            Some(store) => {
                // Each stripe of each grid once, the first free one first; when all that
                // remain are busy, wait for the first of them.
                let held = &self.held.0;
                let mut left: Vec<(usize, usize)> = [ALIGNMENT, TRUST, THREAT]
                    .into_iter()
                    .flat_map(|g| (0..store.0[g].stripes()).map(move |k| (g, k)))
                    .collect();
                while !left.is_empty() {
                    let free = left
                        .iter()
                        .enumerate()
                        .find_map(|(i, &(g, k))| store.0[g].try_lock(k).map(|guard| (i, guard)));
                    let (i, mut guard) = free.unwrap_or_else(|| {
                        let (g, k) = left[0];
                        (0, store.0[g].lock(k))
                    });
                    let (g, k) = left.remove(i);
                    add_held_to(held, n, cells, g, store.0[g].first(k), &mut guard);
                }
                self.held.0.runs = 0;
            }
            None => add_held(
                &mut self.held.0,
                n,
                cells,
                [
                    &mut self.alignment,
                    &mut self.trust_final,
                    &mut self.threat_final,
                ],
            ),
        }
    }

    /// Takes the store's grids as this tally's own. Only the study's one remaining tally
    /// may do so, once every run is in: the store is left empty.
    fn gather(&mut self) {
        self.flush();
        if let Some(store) = self.store.0.take() {
            self.alignment = store.take(ALIGNMENT);
            self.trust_final = store.take(TRUST);
            self.threat_final = store.take(THREAT);
        }
    }

    /// Adds `other`'s runs. Two tallies of one store already hold their runs in the same
    /// grids, so only their held runs are added; a tally with a store of its own is
    /// gathered first, so this is meant for the study's tallies, never for a store shared
    /// with tallies still running.
    fn merge(&mut self, mut other: GridTally) -> Result<(), MergeError> {
        same_shape(
            "alignment grids (actors, steps)",
            (self.n, self.steps),
            (other.n, other.steps),
        )?;
        self.flush();
        other.flush();
        if let (Some(a), Some(b)) = (&self.store.0, &other.store.0)
            && Arc::ptr_eq(&a.0, &b.0)
        {
            return Ok(());
        }
        self.gather();
        other.gather();
        self.alignment.merge(&other.alignment)?;
        self.trust_final.merge(&other.trust_final)?;
        self.threat_final.merge(&other.threat_final)?;
        Ok(())
    }
}

/// Adds the runs in `held` to the alignment, trust and threat grids, cell by cell, and
/// empties it.
fn add_held(
    held: &mut Held,
    n: usize,
    cells: usize,
    [alignment, trust_final, threat_final]: [&mut StatGrid; 3],
) {
    add_held_to(held, n, cells, ALIGNMENT, 0, alignment);
    add_held_to(held, n, cells, TRUST, 0, trust_final);
    add_held_to(held, n, cells, THREAT, 0, threat_final);
    held.runs = 0;
}

/// Adds the runs in `held` to cells `first..first + into.cells()` of one of the three grids
/// ([`ALIGNMENT`], [`TRUST`] or [`THREAT`]), cell by cell; `into` holds those cells from its
/// own cell 0, as a stripe of a store does. Counts and fixed-point sums add exactly, so the
/// grids and their stripes may be filled in any order.
fn add_held_to(
    held: &Held,
    n: usize,
    cells: usize,
    grid: usize,
    first: usize,
    into: &mut StatGrid,
) {
    let span = first..first + into.cells();
    if grid == ALIGNMENT {
        let values = &held.alignment[..held.runs * cells];
        for cell in span {
            into.add_column(cell - first, &values[cell..], cells);
        }
        return;
    }
    // Every pair but the diagonal: the cells i n + j for j ≠ i.
    let pairs = n * n;
    let values = if grid == TRUST {
        &held.trust
    } else {
        &held.threat
    };
    let values = &values[..held.runs * pairs];
    for cell in span.filter(|c| c / n != c % n) {
        into.add_column(cell - first, &values[cell..], pairs);
    }
}

/// In how many runs each outcome held.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeTally {
    side: usize,
    steps: usize,
    /// Runs in which outcome o held.
    pub hits: Vec<u64>,
    #[serde(skip)]
    tracker: Scratch<Option<OutcomeTracker>>,
}

impl OutcomeTally {
    pub fn new(sc: &Scenario, side: usize) -> OutcomeTally {
        OutcomeTally {
            side,
            steps: sc.steps,
            hits: vec![0; sc.outcomes.len()],
            tracker: Scratch(None),
        }
    }

    /// The verdicts of the last run of this side.
    pub fn verdicts(&self) -> &[bool] {
        self.tracker.0.as_ref().map_or(&[], |t| t.verdicts())
    }
}

impl Tally for OutcomeTally {
    fn begin(&mut self, side: usize, _run: u64, sc: &Scenario) {
        if side == self.side {
            self.tracker
                .0
                .get_or_insert_with(|| OutcomeTracker::new(&sc.outcomes, sc.steps))
                .reset(&sc.outcomes);
        }
    }

    fn reads(&self, side: usize, sc: &Scenario) -> Reads {
        outcome_reads(side == self.side, sc)
    }

    fn record(&mut self, side: usize, sc: &Scenario, t: usize, st: &State) {
        if side != self.side {
            return;
        }
        if let Some(tracker) = &mut self.tracker.0 {
            tracker.observe(&sc.outcomes, t, st);
            if t == self.steps {
                for (hits, &held) in self.hits.iter_mut().zip(tracker.verdicts()) {
                    *hits += u64::from(held);
                }
            }
        }
    }

    fn merge(&mut self, other: OutcomeTally) -> Result<(), MergeError> {
        same_shape("outcome counts", self.hits.len(), other.hits.len())?;
        for (a, b) in self.hits.iter_mut().zip(&other.hits) {
            *a += b;
        }
        Ok(())
    }
}

/// What an outcome tracker reads of a side it tracks (`tracked`): the entry of each
/// outcome's condition; nothing of another side.
pub(crate) fn outcome_reads(tracked: bool, sc: &Scenario) -> Reads {
    if tracked {
        Reads::nothing().conditions(sc.n(), sc.outcomes.iter().map(|o| &o.condition))
    } else {
        Reads::nothing()
    }
}

/// How often each event fired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventTally {
    side: usize,
    /// Runs in which event e fired at least once.
    pub runs: Vec<u64>,
    /// Firings of event e summed over runs.
    pub firings: Vec<u64>,
    #[serde(skip)]
    fired: Scratch<Vec<u32>>,
}

impl EventTally {
    pub fn new(sc: &Scenario, side: usize) -> EventTally {
        EventTally {
            side,
            runs: vec![0; sc.events.len()],
            firings: vec![0; sc.events.len()],
            fired: Scratch::default(),
        }
    }
}

impl Tally for EventTally {
    fn begin(&mut self, side: usize, _run: u64, _sc: &Scenario) {
        if side == self.side {
            self.fired.0.clear();
            self.fired.0.resize(self.runs.len(), 0);
        }
    }

    fn reads(&self, _side: usize, _sc: &Scenario) -> Reads {
        Reads::nothing()
    }

    fn record(&mut self, side: usize, sc: &Scenario, t: usize, _st: &State) {
        if side == self.side && t == sc.steps {
            for ((runs, firings), &f) in self
                .runs
                .iter_mut()
                .zip(&mut self.firings)
                .zip(&self.fired.0)
            {
                *runs += u64::from(f > 0);
                *firings += u64::from(f);
            }
        }
    }

    fn fired(&mut self, side: usize, _t: usize, event: usize, _m: f64, _attributed: bool) {
        if side == self.side
            && let Some(f) = self.fired.0.get_mut(event)
        {
            *f += 1;
        }
    }

    fn merge(&mut self, other: EventTally) -> Result<(), MergeError> {
        same_shape("event counts", self.runs.len(), other.runs.len())?;
        for (a, b) in self.runs.iter_mut().zip(&other.runs) {
            *a += b;
        }
        for (a, b) in self.firings.iter_mut().zip(&other.firings) {
            *a += b;
        }
        Ok(())
    }
}

/// The whole alignment trajectories of runs `0..runs`, for charts of individual runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleTally {
    side: usize,
    n: usize,
    steps: usize,
    /// How many runs are kept: runs `0..runs` of the plan.
    pub runs: usize,
    /// Run r, step t, actor i at `(r * (steps + 1) + t) * n + i`; NaN for a run not seen
    /// (yet, or by this part of the study).
    #[serde(with = "f64_bits")]
    pub values: Vec<f64>,
    #[serde(skip)]
    slot: Scratch<Option<usize>>,
}

impl SampleTally {
    pub fn new(sc: &Scenario, side: usize, runs: usize) -> SampleTally {
        SampleTally {
            side,
            n: sc.n(),
            steps: sc.steps,
            runs,
            values: Vec::new(),
            slot: Scratch(None),
        }
    }

    /// The values of every kept run, NaN for those not seen: made when a kept run begins or
    /// when the study gathers its tally, so that the tally of a chunk of runs past the kept
    /// ones allocates nothing.
    fn allocate(&mut self) {
        if self.values.is_empty() {
            self.values = vec![f64::NAN; self.runs * (self.steps + 1) * self.n];
        }
    }

    /// How many of the kept runs hold data: runs `0..k` with k ≤ `runs`.
    pub fn held(&self) -> usize {
        let stride = (self.steps + 1) * self.n;
        (0..self.runs)
            .take_while(|&r| self.values.get(r * stride).is_some_and(|v| !v.is_nan()))
            .count()
    }

    /// The alignment trajectory of kept run `r`, actor `i`, for t = 0..=steps.
    pub fn trajectory(&self, r: usize, i: usize) -> Vec<f64> {
        let stride = (self.steps + 1) * self.n;
        (0..=self.steps)
            .map(|t| self.values[r * stride + t * self.n + i])
            .collect()
    }
}

impl Tally for SampleTally {
    fn begin(&mut self, side: usize, run: u64, _sc: &Scenario) {
        if side == self.side {
            self.slot.0 = usize::try_from(run).ok().filter(|&r| r < self.runs);
            if self.slot.0.is_some() {
                self.allocate();
            }
        }
    }

    fn reads(&self, side: usize, _sc: &Scenario) -> Reads {
        if side == self.side {
            Reads::nothing().whole(Part::Alignment)
        } else {
            Reads::nothing()
        }
    }

    fn record(&mut self, side: usize, _sc: &Scenario, t: usize, st: &State) {
        if side != self.side {
            return;
        }
        if let Some(r) = self.slot.0 {
            let at = (r * (self.steps + 1) + t) * self.n;
            self.values[at..at + self.n].copy_from_slice(&st.alignment);
        }
    }

    fn gather(&mut self) {
        self.allocate();
    }

    fn merge(&mut self, other: SampleTally) -> Result<(), MergeError> {
        same_shape(
            "sampled runs (runs, actors, steps)",
            (self.runs, self.n, self.steps),
            (other.runs, other.n, other.steps),
        )?;
        // A part that saw no kept run may hold no values; any other holds them all.
        let len = self.runs * (self.steps + 1) * self.n;
        if other.values.is_empty() {
            return Ok(());
        }
        same_shape("sampled runs (values)", len, other.values.len())?;
        if self.values.is_empty() {
            self.values = other.values;
            return Ok(());
        }
        same_shape("sampled runs (values)", len, self.values.len())?;
        // Each sampled run is simulated by exactly one part; the others hold NaN there.
        for (a, b) in self.values.iter_mut().zip(&other.values) {
            if !b.is_nan() {
                *a = *b;
            }
        }
        Ok(())
    }
}

/// Everything a study reports, summed over runs. Its size depends on the scenario, not on
/// the number of runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudyTally {
    pub grids: GridTally,
    pub outcomes: OutcomeTally,
    pub events: EventTally,
    pub sample: SampleTally,
    pub thresholds: ThresholdTally,
    /// Each outcome with the scenario's events (side 0) and without them (side 1), run for
    /// run on the same random numbers: what the events change. Absent unless the plan runs
    /// the no-event twin beside the scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<OutcomePairs>,
    /// The two-bloc split each run ends in; absent for scenarios of one actor or of more
    /// than a split can hold ([`crate::analysis::blocs::MAX_ACTORS`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocs: Option<BlocTally>,
}

/// The split each run of one side ends in (MODEL.md "Analysis": landscape theory on the
/// final trust and power), counted by pair and by split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlocTally {
    side: usize,
    steps: usize,
    pub co: CoMembership,
    /// Runs whose final trust gave no split (a trust that is not a finite number); never
    /// expected, but counted rather than hidden.
    pub unsplit: u64,
    #[serde(skip)]
    scratch: Scratch<BlocScratch>,
}

impl BlocTally {
    /// `None` where a split cannot be formed: one actor, or more than [`crate::analysis::blocs::MAX_ACTORS`].
    pub fn new(sc: &Scenario, side: usize) -> Option<BlocTally> {
        if sc.n() < 2 {
            return None;
        }
        Some(BlocTally {
            side,
            steps: sc.steps,
            co: CoMembership::new(sc.n()).ok()?,
            unsplit: 0,
            scratch: Scratch::default(),
        })
    }
}

impl Tally for BlocTally {
    fn reads(&self, _side: usize, _sc: &Scenario) -> Reads {
        // The last state only.
        Reads::nothing()
    }

    fn record(&mut self, side: usize, _sc: &Scenario, t: usize, st: &State) {
        if side != self.side || t != self.steps {
            return;
        }
        let split = best_split(st.n, &st.trust, &st.power, &mut self.scratch.0);
        match split.and_then(|s| self.co.observe(s)) {
            Ok(()) => {}
            Err(_) => self.unsplit += 1,
        }
    }

    fn merge(&mut self, other: BlocTally) -> Result<(), MergeError> {
        same_shape("bloc tallies (actors)", self.co.actors(), other.co.actors())?;
        self.co
            .merge(&other.co)
            .map_err(|e| MergeError::shape("bloc tallies", e.to_string(), String::new()))?;
        self.unsplit += other.unsplit;
        Ok(())
    }
}

impl StudyTally {
    pub fn new(sc: &Scenario, side: usize, sample_runs: usize) -> StudyTally {
        StudyTally {
            grids: GridTally::new(sc, side),
            ..StudyTally::new_without_grids(sc, side, sample_runs)
        }
    }

    /// All but the grids, which are left empty.
    fn new_without_grids(sc: &Scenario, side: usize, sample_runs: usize) -> StudyTally {
        StudyTally {
            grids: GridTally {
                side,
                n: sc.n(),
                steps: sc.steps,
                alignment: StatGrid::new(0, -1.0, 1.0),
                trust_final: StatGrid::new(0, -1.0, 1.0),
                threat_final: StatGrid::new(0, 0.0, 1.0),
                held: Scratch::default(),
                store: Scratch(None),
            },
            outcomes: OutcomeTally::new(sc, side),
            events: EventTally::new(sc, side),
            sample: SampleTally::new(sc, side, sample_runs),
            thresholds: ThresholdTally::new(sc, side),
            baseline: None,
            blocs: BlocTally::new(sc, side),
        }
    }

    /// A study tally whose alignment, trust and threat grids are `store`'s: the tally of
    /// one chunk of a study's runs (see [`GridStore`]).
    pub fn sharing(
        sc: &Scenario,
        side: usize,
        sample_runs: usize,
        store: &GridStore,
    ) -> StudyTally {
        StudyTally {
            grids: GridTally::sharing(sc, side, store),
            ..StudyTally::new_without_grids(sc, side, sample_runs)
        }
    }

    /// Also counts every outcome of side 0 jointly with the same outcome of side 1, the
    /// scenario's no-event twin ([`Scenario::without_events`]).
    pub fn with_baseline(mut self, sc: &Scenario) -> StudyTally {
        self.baseline = Some(OutcomePairs::new(
            (0..sc.outcomes.len()).map(|o| (o, o)).collect(),
        ));
        self
    }

    /// Number of runs aggregated.
    pub fn runs(&self) -> u64 {
        self.grids.runs()
    }
}

impl Tally for StudyTally {
    fn begin(&mut self, side: usize, run: u64, sc: &Scenario) {
        self.grids.begin(side, run, sc);
        self.outcomes.begin(side, run, sc);
        self.events.begin(side, run, sc);
        self.sample.begin(side, run, sc);
        self.thresholds.begin(side, run, sc);
        if let Some(b) = &mut self.baseline {
            b.begin(side, run, sc);
        }
    }

    fn reads(&self, side: usize, sc: &Scenario) -> Reads {
        let mut reads = self
            .grids
            .reads(side, sc)
            .union(&self.outcomes.reads(side, sc))
            .union(&self.events.reads(side, sc))
            .union(&self.sample.reads(side, sc))
            .union(&self.thresholds.reads(side, sc));
        if let Some(b) = &self.baseline {
            reads = reads.union(&b.reads(side, sc));
        }
        if let Some(b) = &self.blocs {
            reads = reads.union(&b.reads(side, sc));
        }
        reads
    }

    fn record(&mut self, side: usize, sc: &Scenario, t: usize, st: &State) {
        self.grids.record(side, sc, t, st);
        self.outcomes.record(side, sc, t, st);
        self.events.record(side, sc, t, st);
        self.sample.record(side, sc, t, st);
        self.thresholds.record(side, sc, t, st);
        if let Some(b) = &mut self.baseline {
            b.record(side, sc, t, st);
        }
        if let Some(b) = &mut self.blocs {
            b.record(side, sc, t, st);
        }
    }

    fn fired(&mut self, side: usize, t: usize, event: usize, m: f64, attributed: bool) {
        self.events.fired(side, t, event, m, attributed);
    }

    fn finish(&mut self, run: u64) {
        if let Some(b) = &mut self.baseline {
            b.finish(run);
        }
    }

    fn flush(&mut self) {
        self.grids.flush();
    }

    fn gather(&mut self) {
        self.grids.gather();
        self.sample.gather();
    }

    fn merge(&mut self, other: StudyTally) -> Result<(), MergeError> {
        self.grids.merge(other.grids)?;
        self.outcomes.merge(other.outcomes)?;
        self.events.merge(other.events)?;
        self.sample.merge(other.sample)?;
        self.thresholds.merge(other.thresholds)?;
        merge_optional("no-event baselines", &mut self.baseline, other.baseline)?;
        merge_optional("bloc tallies", &mut self.blocs, other.blocs)
    }
}

/// Merges a part a tally may or may not hold: both or neither must hold it.
fn merge_optional<T: Tally>(
    what: &str,
    mine: &mut Option<T>,
    theirs: Option<T>,
) -> Result<(), MergeError> {
    match (mine, theirs) {
        (None, None) => Ok(()),
        (Some(a), Some(b)) => a.merge(b),
        (a, b) => Err(MergeError::shape(
            &format!("{what} (present)"),
            a.is_some(),
            b.is_some(),
        )),
    }
}

/// Paired differences of alignment, variant minus base, at every step and actor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiffTally {
    n: usize,
    /// a_variant − a_base at step t of actor i, cell `t * n + i`, over [-2, 2].
    pub diff: StatGrid,
    /// Runs in which the variant's alignment is strictly higher, per cell of `diff`.
    pub variant_higher: Vec<u64>,
    /// Runs in which the paired alignments are equal to the bit, per cell of `diff`.
    pub identical: Vec<u64>,
    /// The base run's trajectory, kept for the variant run to compare against.
    #[serde(skip)]
    base: Scratch<Vec<f64>>,
}

impl DiffTally {
    pub fn new(sc: &Scenario) -> DiffTally {
        let cells = (sc.steps + 1) * sc.n();
        DiffTally {
            n: sc.n(),
            diff: StatGrid::new(cells, -2.0, 2.0),
            variant_higher: vec![0; cells],
            identical: vec![0; cells],
            base: Scratch::default(),
        }
    }
}

impl Tally for DiffTally {
    fn reads(&self, _side: usize, _sc: &Scenario) -> Reads {
        Reads::nothing().whole(Part::Alignment)
    }

    fn record(&mut self, side: usize, _sc: &Scenario, t: usize, st: &State) {
        let n = self.n;
        if side == 0 {
            if self.base.0.is_empty() {
                self.base.0 = vec![0.0; self.variant_higher.len()];
            }
            self.base.0[t * n..(t + 1) * n].copy_from_slice(&st.alignment);
            return;
        }
        for (i, &a) in st.alignment.iter().enumerate() {
            let cell = t * n + i;
            let b = self.base.0[cell];
            self.diff.add(cell, a - b);
            self.variant_higher[cell] += u64::from(a > b);
            self.identical[cell] += u64::from(a.to_bits() == b.to_bits());
        }
    }

    fn merge(&mut self, other: DiffTally) -> Result<(), MergeError> {
        same_shape(
            "paired differences",
            self.variant_higher.len(),
            other.variant_higher.len(),
        )?;
        self.diff.merge(&other.diff)?;
        for (a, b) in self.variant_higher.iter_mut().zip(&other.variant_higher) {
            *a += b;
        }
        for (a, b) in self.identical.iter_mut().zip(&other.identical) {
            *a += b;
        }
        Ok(())
    }
}

/// For each outcome that base and variant share: runs where it held in both, the base
/// only, the variant only, neither.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomePairs {
    /// `(index in base, index in variant)` of each shared outcome.
    pub shared: Vec<(usize, usize)>,
    pub counts: Vec<[u64; 4]>,
    #[serde(skip)]
    sides: Scratch<Option<[OutcomeTracker; 2]>>,
}

impl OutcomePairs {
    pub fn new(shared: Vec<(usize, usize)>) -> OutcomePairs {
        OutcomePairs {
            counts: vec![[0; 4]; shared.len()],
            shared,
            sides: Scratch(None),
        }
    }
}

impl Tally for OutcomePairs {
    fn begin(&mut self, side: usize, _run: u64, sc: &Scenario) {
        if side > 1 {
            return;
        }
        let sides = self.sides.0.get_or_insert_with(|| {
            [
                OutcomeTracker::new(&sc.outcomes, sc.steps),
                OutcomeTracker::new(&sc.outcomes, sc.steps),
            ]
        });
        // The tracker of a side is sized for that side's outcomes at its first run.
        if sides[side].verdicts().len() != sc.outcomes.len() {
            sides[side] = OutcomeTracker::new(&sc.outcomes, sc.steps);
        }
        sides[side].reset(&sc.outcomes);
    }

    fn reads(&self, side: usize, sc: &Scenario) -> Reads {
        outcome_reads(side <= 1, sc)
    }

    fn record(&mut self, side: usize, sc: &Scenario, t: usize, st: &State) {
        if let Some(sides) = &mut self.sides.0
            && let Some(tracker) = sides.get_mut(side)
        {
            tracker.observe(&sc.outcomes, t, st);
        }
    }

    fn finish(&mut self, _run: u64) {
        let Some([base, variant]) = &self.sides.0 else {
            return;
        };
        for (pair, &(bi, vi)) in self.counts.iter_mut().zip(&self.shared) {
            let b = base.verdicts().get(bi).copied().unwrap_or(false);
            let v = variant.verdicts().get(vi).copied().unwrap_or(false);
            let slot = match (b, v) {
                (true, true) => 0,
                (true, false) => 1,
                (false, true) => 2,
                (false, false) => 3,
            };
            pair[slot] += 1;
        }
    }

    fn merge(&mut self, other: OutcomePairs) -> Result<(), MergeError> {
        same_shape("shared outcomes", &self.shared, &other.shared)?;
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            for k in 0..4 {
                a[k] += b[k];
            }
        }
        Ok(())
    }
}

/// Everything a paired plan reports: each side's study tally, the paired differences and
/// the joint outcomes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedTally {
    pub base: StudyTally,
    pub variant: StudyTally,
    pub diff: DiffTally,
    pub outcome_pairs: OutcomePairs,
}

impl PairedTally {
    pub fn new(
        base: &Scenario,
        variant: &Scenario,
        shared: Vec<(usize, usize)>,
        sample_runs: usize,
    ) -> PairedTally {
        PairedTally {
            base: StudyTally::new(base, 0, sample_runs),
            variant: StudyTally::new(variant, 1, sample_runs),
            diff: DiffTally::new(base),
            outcome_pairs: OutcomePairs::new(shared),
        }
    }

    /// Number of paired runs.
    pub fn runs(&self) -> u64 {
        self.base.runs()
    }
}

impl Tally for PairedTally {
    fn begin(&mut self, side: usize, run: u64, sc: &Scenario) {
        self.base.begin(side, run, sc);
        self.variant.begin(side, run, sc);
        self.diff.begin(side, run, sc);
        self.outcome_pairs.begin(side, run, sc);
    }

    fn reads(&self, side: usize, sc: &Scenario) -> Reads {
        self.base
            .reads(side, sc)
            .union(&self.variant.reads(side, sc))
            .union(&self.diff.reads(side, sc))
            .union(&self.outcome_pairs.reads(side, sc))
    }

    fn record(&mut self, side: usize, sc: &Scenario, t: usize, st: &State) {
        self.base.record(side, sc, t, st);
        self.variant.record(side, sc, t, st);
        self.diff.record(side, sc, t, st);
        self.outcome_pairs.record(side, sc, t, st);
    }

    fn fired(&mut self, side: usize, t: usize, event: usize, m: f64, attributed: bool) {
        self.base.fired(side, t, event, m, attributed);
        self.variant.fired(side, t, event, m, attributed);
    }

    fn finish(&mut self, run: u64) {
        self.outcome_pairs.finish(run);
    }

    fn flush(&mut self) {
        self.base.flush();
        self.variant.flush();
    }

    fn gather(&mut self) {
        self.base.gather();
        self.variant.gather();
    }

    fn merge(&mut self, other: PairedTally) -> Result<(), MergeError> {
        self.base.merge(other.base)?;
        self.variant.merge(other.variant)?;
        self.diff.merge(other.diff)?;
        self.outcome_pairs.merge(other.outcome_pairs)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use super::*;
    use crate::montecarlo::driver::{execute, thread_pool};
    use crate::montecarlo::plan::RunPlan;
    use crate::montecarlo::tally::{Header, Tallied};
    use crate::scenario::{ScenarioSource, parse_scenario};

    /// Feeds one side of runs to a tally, as the driver does.
    struct Fed<'a, T: Tally> {
        tally: &'a mut T,
        side: usize,
        sc: &'a Scenario,
    }

    impl<T: Tally> crate::montecarlo::Observer for Fed<'_, T> {
        fn record(&mut self, t: usize, st: &State) {
            self.tally.record(self.side, self.sc, t, st);
        }
        fn fired(&mut self, t: usize, event: usize, m: f64, attributed: bool) {
            self.tally.fired(self.side, t, event, m, attributed);
        }
    }

    /// `fresh` filled by the same runs of `sides` twice: each run alone, which hands on
    /// whole states, and side by side keeping only what the tally declares it reads (NaN
    /// elsewhere). A tally that reads more than it declares ends up different.
    fn reads_no_more_than_declared<T: Tally + PartialEq + std::fmt::Debug + Clone>(
        what: &str,
        fresh: T,
        sides: &[&Scenario],
    ) {
        use crate::model::lanes::LANES;
        use crate::model::{Anchors, solve_anchors};
        use crate::montecarlo::lanes::LaneRunner;
        use crate::montecarlo::{Runner, stream_keys};
        let runs = 21u64;
        let keys: Vec<_> = sides.iter().map(|sc| stream_keys(sc, 9)).collect();
        let anchors: Vec<Anchors> = sides.iter().map(|sc| solve_anchors(sc)).collect();
        let mut alone = fresh.clone();
        let mut runners: Vec<Runner> = sides
            .iter()
            .zip(&keys)
            .map(|(sc, k)| Runner::new(sc, k))
            .collect();
        for k in 0..runs {
            for (side, (sc, runner)) in sides.iter().zip(&mut runners).enumerate() {
                alone.begin(side, k, sc);
                let mut fed = Fed {
                    tally: &mut alone,
                    side,
                    sc,
                };
                runner.run(k, &mut fed);
            }
            alone.finish(k);
        }
        let mut side_by_side = fresh;
        let mut lanes: Vec<LaneRunner> = sides
            .iter()
            .zip(&keys)
            .map(|(sc, k)| LaneRunner::new(sc, k))
            .collect();
        let mut partial = false;
        for first in (0..runs).step_by(LANES) {
            let ks = first..(first + LANES as u64).min(runs);
            for (side, (sc, lanes)) in sides.iter().zip(&mut lanes).enumerate() {
                let group: Vec<(&Scenario, &Anchors, u64)> =
                    ks.clone().map(|k| (*sc, &anchors[side], k)).collect();
                let reads = side_by_side.reads(side, sc);
                partial |= !reads.is_everything();
                lanes.run_on(&group, &reads);
            }
            for (l, k) in ks.enumerate() {
                for (side, (sc, lanes)) in sides.iter().zip(&lanes).enumerate() {
                    side_by_side.begin(side, k, sc);
                    let mut fed = Fed {
                        tally: &mut side_by_side,
                        side,
                        sc,
                    };
                    lanes.replay(l, &mut fed);
                }
                side_by_side.finish(k);
            }
        }
        assert!(partial, "{what} declares that it reads everything");
        alone.flush();
        side_by_side.flush();
        assert!(
            alone == side_by_side,
            "{what} reads more of the states between the first and the last than it declares"
        );
    }

    /// Every tally that declares what it reads, alone and as part of the tallies that hold
    /// it, on the default scenario (with a trigger, outcomes of every kind of `when`, and
    /// uncertain numbers) and, for the paired ones, beside its no-event twin.
    #[test]
    fn every_tally_reads_no_more_than_it_declares() {
        let sc = default_scenario();
        let mut twin = sc.clone();
        twin.events.clear();
        let one = [&sc];
        let shared: Vec<(usize, usize)> = (0..sc.outcomes.len()).map(|o| (o, o)).collect();
        reads_no_more_than_declared("GridTally", GridTally::new(&sc, 0), &one);
        reads_no_more_than_declared("OutcomeTally", OutcomeTally::new(&sc, 0), &one);
        reads_no_more_than_declared("EventTally", EventTally::new(&sc, 0), &one);
        reads_no_more_than_declared("SampleTally", SampleTally::new(&sc, 0, 8), &one);
        reads_no_more_than_declared("ThresholdTally", ThresholdTally::new(&sc, 0), &one);
        if let Some(blocs) = BlocTally::new(&sc, 0) {
            reads_no_more_than_declared("BlocTally", blocs, &one);
        }
        reads_no_more_than_declared("StudyTally", StudyTally::new(&sc, 0, 8), &one);
        // Events on either side: the no-event side has little between its first and last
        // states to tell a wrong declaration by.
        for two in [[&sc, &twin], [&twin, &sc]] {
            reads_no_more_than_declared("DiffTally", DiffTally::new(&sc), &two);
            reads_no_more_than_declared("OutcomePairs", OutcomePairs::new(shared.clone()), &two);
            reads_no_more_than_declared(
                "PairedTally",
                PairedTally::new(two[0], two[1], shared.clone(), 8),
                &two,
            );
        }
    }

    fn default_scenario() -> Scenario {
        match ScenarioSource::embedded_default().parse() {
            Ok(sc) => sc,
            Err(e) => panic!("{e}"),
        }
    }

    fn tiny() -> Scenario {
        let text = include_str!("../../tests/golden/tiny.toml");
        match parse_scenario(text, "tiny.toml") {
            Ok(sc) => sc,
            Err(e) => panic!("{e}"),
        }
    }

    fn study(sc: &Scenario, seed: u64, runs: std::ops::Range<u64>) -> Tallied<StudyTally> {
        let pool = thread_pool(Some(2)).expect("pool");
        let plan = RunPlan::single(sc, seed, runs);
        execute(
            &plan,
            "run",
            &pool,
            &|| StudyTally::new(sc, 0, 40),
            false,
            &|_| {},
            &AtomicBool::new(false),
        )
        .expect("runs")
        .tallied
    }

    /// A study run on `threads` threads whose chunks add to one [`GridStore`].
    fn shared_study(
        sc: &Scenario,
        threads: usize,
        runs: std::ops::Range<u64>,
    ) -> Tallied<StudyTally> {
        shared_study_in(sc, threads, runs, &GridStore::new(sc))
    }

    /// A study run on `threads` threads whose chunks add to `store`.
    fn shared_study_in(
        sc: &Scenario,
        threads: usize,
        runs: std::ops::Range<u64>,
        store: &GridStore,
    ) -> Tallied<StudyTally> {
        let pool = thread_pool(Some(threads)).expect("pool");
        let plan = RunPlan::single(sc, 5, runs);
        execute(
            &plan,
            "run",
            &pool,
            &|| StudyTally::sharing(sc, 0, 40, store),
            false,
            &|_| {},
            &AtomicBool::new(false),
        )
        .expect("runs")
        .tallied
    }

    #[test]
    fn shared_grids_equal_private_ones_to_the_bit() {
        // Chunks adding to one store in whatever order the threads finish them must give
        // the tally of chunks that each keep their own grids, merged: same bytes saved.
        let sc = default_scenario();
        let private = study(&sc, 5, 0..300);
        let private_json = private.to_json().expect("serialisable");
        for threads in [1, 2, 3] {
            let shared = shared_study(&sc, threads, 0..300);
            assert_eq!(shared.tally.runs(), 300);
            assert_eq!(
                shared.to_json().expect("serialisable"),
                private_json,
                "{threads} threads"
            );
        }
        // A part without the sampled runs saves them as unseen, and merges as before.
        let (a, b) = (shared_study(&sc, 2, 0..100), shared_study(&sc, 2, 100..300));
        assert_eq!(b.tally.sample.values.len(), a.tally.sample.values.len());
        let mut merged = b.clone();
        merged.merge(a).expect("disjoint parts");
        assert_eq!(merged.to_json().expect("serialisable"), private_json);
    }

    #[test]
    fn grids_in_narrow_stripes_filled_from_two_threads_equal_plain_ones() {
        // Stripes of 7 cells cut rows of the pair grids and their diagonal at every offset,
        // and give two threads dozens of locks to contend for: runs flushed into them must
        // give the grids of the same runs added to plain tallies, to the bit.
        let sc = default_scenario();
        let store = GridStore::striped(&sc, 7);
        let n = sc.n();
        assert_eq!(
            store.0[ALIGNMENT].stripes(),
            ((sc.steps + 1) * n).div_ceil(7)
        );
        assert_eq!(store.0[TRUST].stripes(), (n * n).div_ceil(7));
        let plain = study(&sc, 5, 0..300);
        let striped = shared_study_in(&sc, 2, 0..300, &store);
        assert_eq!(striped.tally.runs(), 300);
        assert_eq!(striped.tally.grids.alignment, plain.tally.grids.alignment);
        assert_eq!(
            striped.tally.grids.trust_final,
            plain.tally.grids.trust_final
        );
        assert_eq!(
            striped.tally.grids.threat_final,
            plain.tally.grids.threat_final
        );
        assert_eq!(
            striped.to_json().expect("serialisable"),
            plain.to_json().expect("serialisable")
        );
        // The store's stripes were taken, not copied.
        for grid in store.0.iter() {
            assert!((0..grid.stripes()).all(|k| grid.lock(k).cells() == 0));
        }
    }

    #[test]
    fn parts_merged_in_any_order_equal_the_whole() {
        let sc = default_scenario();
        let whole = study(&sc, 9, 0..300);
        let (a, b, c) = (
            study(&sc, 9, 0..37),
            study(&sc, 9, 37..200),
            study(&sc, 9, 200..300),
        );
        let mut merged = c.clone();
        merged.merge(a).expect("disjoint parts");
        merged.merge(b).expect("disjoint parts");
        assert_eq!(merged.header.runs, vec![0..300]);
        assert_eq!(merged.tally, whole.tally);
    }

    #[test]
    fn a_saved_tally_loads_back_equal() {
        let sc = default_scenario();
        let t = study(&sc, 3, 0..150);
        let text = t.to_json().expect("serialisable");
        let back = Tallied::<StudyTally>::from_json(&text, "saved.json").expect("loads");
        assert_eq!(back, t);
        // Bit for bit: the NaN of runs the sample never saw and every extreme survive.
        assert_eq!(back.tally.sample.values.len(), t.tally.sample.values.len());
        for (x, y) in back.tally.sample.values.iter().zip(&t.tally.sample.values) {
            assert_eq!(x.to_bits(), y.to_bits());
        }
        // And it merges on as if it had never left memory.
        let mut resumed = back;
        resumed.merge(study(&sc, 3, 150..200)).expect("merges");
        assert_eq!(resumed.tally, study(&sc, 3, 0..200).tally);
    }

    #[test]
    fn a_garbled_or_future_tally_is_refused_with_its_reason() {
        let sc = tiny();
        let t = study(&sc, 1, 0..10);
        let text = t.to_json().expect("serialisable");
        let future = text.replacen("\"format\":1", "\"format\":99", 1);
        let err = Tallied::<StudyTally>::from_json(&future, "part.json").expect_err("refused");
        assert!(err.to_string().contains("format 99"), "{err}");
        let err =
            Tallied::<StudyTally>::from_json("{\"header\":", "part.json").expect_err("garbled");
        assert!(
            err.to_string()
                .starts_with("part.json is not a saved tally"),
            "{err}"
        );
    }

    #[test]
    fn merges_that_do_not_fit_are_refused_and_say_why() {
        let sc = default_scenario();
        let base = study(&sc, 5, 0..64);

        let mut a = base.clone();
        let err = a.merge(study(&sc, 5, 32..96)).expect_err("overlap");
        assert_eq!(err, MergeError::Overlap { overlap: 32..64 });
        assert_eq!(a, base, "a refused merge changes nothing");
        assert!(err.to_string().contains("runs 32..64 are in both"), "{err}");

        let err = a.merge(study(&sc, 6, 64..128)).expect_err("seed");
        assert_eq!(
            err.to_string(),
            "they come from different master seeds (5 and 6)"
        );

        let other = tiny();
        let err = a.merge(study(&other, 5, 64..128)).expect_err("scenario");
        assert!(matches!(err, MergeError::Scenario { .. }), "{err}");

        // Same header, other shape: the tiny scenario's tally under the default's header.
        let mut mismatched = study(&other, 5, 64..128);
        mismatched.header = Header {
            runs: std::iter::once(64..128).collect(),
            ..base.header.clone()
        };
        let err = a.merge(mismatched).expect_err("shape");
        assert!(matches!(err, MergeError::Shape { .. }), "{err}");
        assert!(err.to_string().contains("differ in shape"), "{err}");
        assert_eq!(a, base);
    }

    #[test]
    fn grids_of_other_ranges_do_not_merge() {
        let mut a = StatGrid::new(4, -1.0, 1.0);
        let b = StatGrid::new(4, 0.0, 2.0);
        assert!(a.merge(&b).is_err());
        let c = StatGrid::new(5, -1.0, 1.0);
        assert!(a.merge(&c).is_err());
    }
}
