//! The measures of a sensitivity design, point by point: each outcome's probability and
//! each actor's mean final alignment over the R runs at a design point.
//!
//! Run index k of a design plan evaluates point k / R (see `montecarlo::plan::InputPlan`).
//! A point's runs may be simulated by several threads or shards, so its sums are kept in
//! fixed point (integers): merged in any order they give the same bits.

use serde::{Deserialize, Serialize};

use crate::model::{OutcomeTracker, State};
use crate::montecarlo::tally::{MergeError, Scratch, Tally, same_shape};
use crate::scenario::Scenario;

/// Fixed-point scale of an alignment: 2^40, as the study's grids use.
const SCALE: f64 = (1u64 << 40) as f64;

/// Hits and alignment sums of every design point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointTally {
    points: usize,
    runs_per_point: u64,
    outcomes: usize,
    actors: usize,
    /// Runs where outcome o held at point p: `p * outcomes + o`.
    hits: Vec<u64>,
    /// Σ over runs of actor i's final alignment at point p, fixed point: `p * actors + i`.
    sums: Vec<i128>,
    /// Runs seen at each point.
    runs: Vec<u64>,
    #[serde(skip)]
    current: Scratch<Option<(usize, OutcomeTracker)>>,
}

impl PointTally {
    pub fn new(sc: &Scenario, points: usize, runs_per_point: u64) -> PointTally {
        PointTally {
            points,
            runs_per_point: runs_per_point.max(1),
            outcomes: sc.outcomes.len(),
            actors: sc.n(),
            hits: vec![0; points * sc.outcomes.len()],
            sums: vec![0; points * sc.n()],
            runs: vec![0; points],
            current: Scratch(None),
        }
    }

    /// Runs seen at point `p`.
    pub fn runs_at(&self, p: usize) -> u64 {
        self.runs[p]
    }

    /// The probability of outcome `o` at every point.
    pub fn outcome(&self, o: usize) -> Vec<f64> {
        (0..self.points)
            .map(|p| self.hits[p * self.outcomes + o] as f64 / self.runs[p].max(1) as f64)
            .collect()
    }

    /// The mean final alignment of actor `i` at every point.
    pub fn final_alignment(&self, i: usize) -> Vec<f64> {
        (0..self.points)
            .map(|p| self.sums[p * self.actors + i] as f64 / SCALE / self.runs[p].max(1) as f64)
            .collect()
    }
}

impl Tally for PointTally {
    fn begin(&mut self, side: usize, run: u64, sc: &Scenario) {
        if side != 0 {
            return;
        }
        let point = usize::try_from(run / self.runs_per_point).unwrap_or(usize::MAX);
        let current = &mut self.current.0;
        match current {
            Some((p, tracker)) => {
                *p = point;
                tracker.reset(&sc.outcomes);
            }
            None => *current = Some((point, OutcomeTracker::new(&sc.outcomes, sc.steps))),
        }
    }

    fn record(&mut self, side: usize, sc: &Scenario, t: usize, st: &State) {
        if side != 0 {
            return;
        }
        let Some((p, tracker)) = &mut self.current.0 else {
            return;
        };
        tracker.observe(&sc.outcomes, t, st);
        if t == sc.steps && *p < self.points {
            let p = *p;
            self.runs[p] += 1;
            for (o, &held) in tracker.verdicts().iter().enumerate() {
                self.hits[p * self.outcomes + o] += u64::from(held);
            }
            for (i, &a) in st.alignment.iter().enumerate() {
                self.sums[p * self.actors + i] += i128::from((a * SCALE) as i64);
            }
        }
    }

    fn merge(&mut self, other: PointTally) -> Result<(), MergeError> {
        same_shape(
            "design points (points, runs per point, outcomes, actors)",
            (self.points, self.runs_per_point, self.outcomes, self.actors),
            (
                other.points,
                other.runs_per_point,
                other.outcomes,
                other.actors,
            ),
        )?;
        for (a, b) in self.hits.iter_mut().zip(&other.hits) {
            *a += b;
        }
        for (a, b) in self.sums.iter_mut().zip(&other.sums) {
            *a += b;
        }
        for (a, b) in self.runs.iter_mut().zip(&other.runs) {
            *a += b;
        }
        Ok(())
    }
}
