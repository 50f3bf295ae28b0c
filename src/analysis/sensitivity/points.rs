//! The measures of a sensitivity design, point by point: each outcome's probability and
//! each actor's mean final alignment over the R runs at a design point.
//!
//! Run index k of a design plan evaluates point k / R (see `montecarlo::plan::InputPlan`).
//! A point's runs may be simulated by several threads, so its sums are kept in fixed point
//! (integers): merged in any order they give the same bits. A shard of a study holds a
//! contiguous range of points only, so that what it saves is its share, not the whole
//! design; the shards' tallies are joined end to end by [`PointTally::append`].

use serde::{Deserialize, Serialize};

use crate::model::{OutcomeTracker, State};
use crate::montecarlo::tally::{MergeError, Scratch, Tally, same_shape};
use crate::scenario::Scenario;

/// Fixed-point scale of an alignment: 2^40, as the study's grids use.
const SCALE: f64 = (1u64 << 40) as f64;

/// Hits and alignment sums of a range of design points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointTally {
    /// The first point held; 0 for a whole design. Absent from tallies saved before shards
    /// of designs existed, which held every point.
    #[serde(default)]
    first_point: usize,
    /// Points held, from `first_point`.
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
    /// A tally of every point of a design of `points` points.
    pub fn new(sc: &Scenario, points: usize, runs_per_point: u64) -> PointTally {
        PointTally::range(sc, 0..points, runs_per_point)
    }

    /// A tally of the points `points` of a design: the share of one shard.
    pub fn range(sc: &Scenario, points: std::ops::Range<usize>, runs_per_point: u64) -> PointTally {
        let (first_point, points) = (points.start, points.end.saturating_sub(points.start));
        PointTally {
            first_point,
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

    /// Runs seen at point `p` (counted from the first point held).
    pub fn runs_at(&self, p: usize) -> u64 {
        self.runs[p]
    }

    /// The points held, as indices of the design.
    pub fn points(&self) -> std::ops::Range<usize> {
        self.first_point..self.first_point + self.points
    }

    /// Adds the points that follow this tally's, as the next shard holds them: the result is
    /// the tally of both ranges, equal to the bit to one made over both at once. Refuses,
    /// changing nothing, another shape or a range that does not start where this one ends.
    pub fn append(&mut self, next: PointTally) -> Result<(), MergeError> {
        same_shape(
            "design points (runs per point, outcomes, actors)",
            (self.runs_per_point, self.outcomes, self.actors),
            (next.runs_per_point, next.outcomes, next.actors),
        )?;
        same_shape(
            "design points (first point after the end)",
            self.first_point + self.points,
            next.first_point,
        )?;
        self.points += next.points;
        self.hits.extend(next.hits);
        self.sums.extend(next.sums);
        self.runs.extend(next.runs);
        Ok(())
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
        // Points are held from `first_point`; a run of another range counts nowhere.
        let point = usize::try_from(run / self.runs_per_point)
            .ok()
            .and_then(|p| p.checked_sub(self.first_point))
            .unwrap_or(usize::MAX);
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
            "design points (first point, points, runs per point, outcomes, actors)",
            (
                self.first_point,
                self.points,
                self.runs_per_point,
                self.outcomes,
                self.actors,
            ),
            (
                other.first_point,
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

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = include_str!("../../../tests/golden/tiny.toml");

    #[test]
    fn ranges_appended_in_order_make_the_whole_and_nothing_else_does() {
        let sc = crate::scenario::parse_scenario(TINY, "tiny.toml").expect("parses");
        let mut head = PointTally::range(&sc, 0..3, 2);
        let gap = PointTally::range(&sc, 4..6, 2);
        let err = head.append(gap).expect_err("a gap");
        assert!(
            err.to_string().contains("first point after the end"),
            "{err}"
        );
        let other = PointTally::range(&sc, 3..6, 5);
        assert!(head.append(other).is_err(), "another run count");
        assert_eq!(
            head,
            PointTally::range(&sc, 0..3, 2),
            "a refusal changes nothing"
        );
        head.append(PointTally::range(&sc, 3..6, 2))
            .expect("appends");
        assert_eq!(head, PointTally::new(&sc, 6, 2));
        assert_eq!(head.points(), 0..6);
    }
}
