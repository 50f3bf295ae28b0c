//! How an outcome's probability depends on its threshold: fragile thresholds.
//!
//! An outcome such as "Azerbaijan's alignment > 0.50 at the end" turns a continuous
//! quantity into a yes or no; when many runs end near 0.50, a threshold moved by a hair moves
//! the probability by a lot, and the figure says more about the threshold than about the
//! scenario. This tally keeps, for every outcome, the distribution of the run's deciding
//! statistic (the value at the end, or the extreme over the window that decides `ever` and
//! `always`), so that the probability can be reported for every threshold over the metric's
//! range, exactly: counts per 0.01 cell plus exact counts at the grid values themselves.

use serde::{Deserialize, Serialize};

use super::tally::{MergeError, Scratch, Tally, same_shape};
use crate::model::{Reads, State};
use crate::scenario::{Metric, Op, Outcome, Scenario, When};

/// Spacing of the thresholds reported.
pub const THRESHOLD_STEP: f64 = 0.01;

/// How far a threshold is moved to judge whether it is fragile, and by how much the
/// probability must move then to call it fragile.
pub const FRAGILE_SHIFT: f64 = 0.02;
pub const FRAGILE_POINTS: f64 = 0.20;

/// The range of a metric.
pub fn metric_range(metric: Metric) -> (f64, f64) {
    match metric {
        Metric::Alignment | Metric::Trust => (-1.0, 1.0),
        Metric::Threat | Metric::Power => (0.0, 1.0),
    }
}

/// Whether a run's deciding statistic is the largest value over the steps that count (true)
/// or the smallest (false).
fn takes_max(o: &Outcome) -> bool {
    let above = matches!(o.condition.op, Op::Gt | Op::Ge);
    match o.when {
        // Some step above v ⟺ the maximum is above v; every step above ⟺ the minimum is.
        When::Ever | When::Window { .. } | When::End => above,
        When::Always => !above,
    }
}

fn counts(o: &Outcome, stat: f64, v: f64) -> bool {
    o.condition.op.holds(stat, v)
}

/// The value of grid point k of a range: computed one way everywhere, so that a value equal
/// to it is counted as equal.
fn grid(lo: f64, k: usize) -> f64 {
    lo + k as f64 * THRESHOLD_STEP
}

/// One outcome's distribution of its deciding statistic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThresholdCounts {
    lo: f64,
    points: usize,
    /// Runs whose statistic lies in [v_k, v_{k+1}), k = 0..points (the last cell holds v_max).
    cells: Vec<u64>,
    /// Runs whose statistic equals v_k exactly (clamped values sit on the grid).
    equal: Vec<u64>,
    /// Runs where the outcome holds with its threshold moved by −FRAGILE_SHIFT and +FRAGILE_SHIFT.
    shifted: [u64; 2],
    runs: u64,
}

impl ThresholdCounts {
    fn new(metric: Metric) -> ThresholdCounts {
        let (lo, hi) = metric_range(metric);
        let points = ((hi - lo) / THRESHOLD_STEP).round() as usize + 1;
        ThresholdCounts {
            lo,
            points,
            cells: vec![0; points],
            equal: vec![0; points],
            shifted: [0; 2],
            runs: 0,
        }
    }

    fn add(&mut self, o: &Outcome, stat: f64) {
        self.runs += 1;
        let v = o.condition.value;
        self.shifted[0] += u64::from(counts(o, stat, v - FRAGILE_SHIFT));
        self.shifted[1] += u64::from(counts(o, stat, v + FRAGILE_SHIFT));
        let last = self.points - 1;
        let mut k = (((stat - self.lo) / THRESHOLD_STEP).floor().max(0.0) as usize).min(last);
        // Settle the cell against the grid values as `grid` computes them.
        while k > 0 && stat < grid(self.lo, k) {
            k -= 1;
        }
        while k < last && stat >= grid(self.lo, k + 1) {
            k += 1;
        }
        self.cells[k] += 1;
        if stat == grid(self.lo, k) {
            self.equal[k] += 1;
        }
    }

    /// The share of runs in which `stat op v_k` holds, for every grid value v_k.
    pub fn curve(&self, op: Op) -> Vec<(f64, f64)> {
        let runs = self.runs.max(1) as f64;
        let mut above = vec![0u64; self.points + 1];
        for k in (0..self.points).rev() {
            above[k] = above[k + 1] + self.cells[k];
        }
        (0..self.points)
            .map(|k| {
                let at_or_above = above[k];
                let below = self.runs - at_or_above;
                let n = match op {
                    Op::Ge => at_or_above,
                    Op::Gt => at_or_above - self.equal[k],
                    Op::Lt => below,
                    Op::Le => below + self.equal[k],
                };
                (grid(self.lo, k), n as f64 / runs)
            })
            .collect()
    }

    /// The probability with the threshold moved down and up by [`FRAGILE_SHIFT`].
    pub fn shifted(&self) -> (f64, f64) {
        let runs = self.runs.max(1) as f64;
        (self.shifted[0] as f64 / runs, self.shifted[1] as f64 / runs)
    }
}

/// The deciding statistic of every outcome, tallied over runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThresholdTally {
    side: usize,
    pub outcomes: Vec<ThresholdCounts>,
    /// Each outcome's statistic so far in this run.
    #[serde(skip)]
    running: Scratch<Vec<f64>>,
}

impl ThresholdTally {
    pub fn new(sc: &Scenario, side: usize) -> ThresholdTally {
        ThresholdTally {
            side,
            outcomes: sc
                .outcomes
                .iter()
                .map(|o| ThresholdCounts::new(o.condition.metric))
                .collect(),
            running: Scratch::default(),
        }
    }
}

impl Tally for ThresholdTally {
    fn begin(&mut self, side: usize, _run: u64, sc: &Scenario) {
        if side == self.side {
            self.running.0.clear();
            self.running.0.extend(sc.outcomes.iter().map(|o| {
                if takes_max(o) {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                }
            }));
        }
    }

    fn reads(&self, side: usize, sc: &Scenario) -> Reads {
        super::tallies::outcome_reads(side == self.side, sc)
    }

    fn record(&mut self, side: usize, sc: &Scenario, t: usize, st: &State) {
        if side != self.side {
            return;
        }
        for (o, stat) in sc.outcomes.iter().zip(self.running.0.iter_mut()) {
            let counts = match o.when {
                When::End => t == sc.steps,
                When::Ever | When::Always => true,
                When::Window { from, to } => from <= t && t <= to,
            };
            if counts {
                let x = st.metric(&o.condition);
                *stat = if takes_max(o) {
                    stat.max(x)
                } else {
                    stat.min(x)
                };
            }
        }
        if t == sc.steps {
            for ((o, c), &stat) in sc
                .outcomes
                .iter()
                .zip(&mut self.outcomes)
                .zip(&self.running.0)
            {
                c.add(o, stat);
            }
        }
    }

    fn merge(&mut self, other: ThresholdTally) -> Result<(), MergeError> {
        same_shape(
            "threshold curves",
            self.outcomes.len(),
            other.outcomes.len(),
        )?;
        for (a, b) in self.outcomes.iter_mut().zip(other.outcomes) {
            same_shape(
                "threshold grid",
                (a.points, a.lo.to_bits()),
                (b.points, b.lo.to_bits()),
            )?;
            for (x, y) in a.cells.iter_mut().zip(&b.cells) {
                *x += y;
            }
            for (x, y) in a.equal.iter_mut().zip(&b.equal) {
                *x += y;
            }
            a.shifted[0] += b.shifted[0];
            a.shifted[1] += b.shifted[1];
            a.runs += b.runs;
        }
        Ok(())
    }
}

/// An outcome whose probability moves by more than [`FRAGILE_POINTS`] when its threshold
/// moves by [`FRAGILE_SHIFT`] either way.
#[derive(Debug, Clone, PartialEq)]
pub struct Fragility {
    pub outcome: usize,
    pub below: f64,
    pub above: f64,
    pub fragile: bool,
}

/// The fragility of every outcome.
pub fn fragility(t: &ThresholdTally) -> Vec<Fragility> {
    t.outcomes
        .iter()
        .enumerate()
        .map(|(outcome, c)| {
            let (below, above) = c.shifted();
            Fragility {
                outcome,
                below,
                above,
                fragile: is_fragile(below, above),
            }
        })
        .collect()
}

/// The rule that calls an outcome fragile, given its probability with the threshold moved
/// down and up by [`FRAGILE_SHIFT`]: one rule for the terminal and the thresholds chart, so
/// that they never disagree on the same figures.
pub fn is_fragile(below: f64, above: f64) -> bool {
    (below - above).abs() > FRAGILE_POINTS
}

/// The probability at threshold `x` from a curve as `thresholds.csv` holds it (`(value,
/// probability)` on the 0.01 grid, values ascending): the grid point's own figure when `x` is
/// one, as the counts were exact there; between two, the straight line joining them, since
/// the file keeps nothing finer; outside the grid, the nearest end. `None` for an empty curve.
pub fn curve_at(curve: &[(f64, f64)], x: f64) -> Option<f64> {
    const ON_GRID: f64 = 1e-9;
    let (first, last) = (curve.first()?, curve.last()?);
    if x <= first.0 {
        return Some(first.1);
    }
    if x >= last.0 {
        return Some(last.1);
    }
    let k = curve.partition_point(|&(v, _)| v < x - ON_GRID);
    let (v1, p1) = curve[k];
    if (v1 - x).abs() <= ON_GRID || k == 0 {
        return Some(p1);
    }
    let (v0, p0) = curve[k - 1];
    Some(p0 + (p1 - p0) * (x - v0) / (v1 - v0))
}

/// [`is_fragile`] read off a curve of `thresholds.csv` around threshold `v`: the
/// probabilities at `v − FRAGILE_SHIFT` and `v + FRAGILE_SHIFT`, and the verdict.
pub fn fragility_on_curve(curve: &[(f64, f64)], v: f64) -> Option<(f64, f64, bool)> {
    let below = curve_at(curve, v - FRAGILE_SHIFT)?;
    let above = curve_at(curve, v + FRAGILE_SHIFT)?;
    Some((below, above, is_fragile(below, above)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Condition;

    fn outcome(op: Op, when: When, value: f64) -> Outcome {
        Outcome {
            name: "o".into(),
            condition: Condition {
                metric: Metric::Alignment,
                actor: 0,
                other: None,
                op,
                value,
            },
            when,
        }
    }

    #[test]
    fn the_curve_counts_exactly_at_every_grid_value() {
        let stats = [-1.0, -0.5, -0.5, 0.0, 0.005, 0.3, 1.0, 0.999];
        for op in [Op::Gt, Op::Ge, Op::Lt, Op::Le] {
            let o = outcome(op, When::End, 0.0);
            let mut c = ThresholdCounts::new(Metric::Alignment);
            for &s in &stats {
                c.add(&o, s);
            }
            for (v, p) in c.curve(op) {
                let direct =
                    stats.iter().filter(|&&s| op.holds(s, v)).count() as f64 / stats.len() as f64;
                assert_eq!(p, direct, "{op:?} at {v}");
            }
            let (below, above) = c.shifted();
            let direct = |v: f64| {
                stats.iter().filter(|&&s| op.holds(s, v)).count() as f64 / stats.len() as f64
            };
            assert_eq!((below, above), (direct(-0.02), direct(0.02)));
        }
    }

    #[test]
    fn a_curve_read_at_grid_points_gives_the_exact_shifted_figures() {
        // Runs spread so that moving the threshold 0.02 either way moves the figure a lot,
        // none of them on a grid value (where v ± 0.02 and the grid's own value may differ in
        // the last bit).
        let stats: Vec<f64> = (0..200).map(|k| 0.1003 + 0.001 * k as f64).collect();
        for (op, v) in [(Op::Gt, 0.2), (Op::Le, 0.15), (Op::Ge, 0.9)] {
            let o = outcome(op, When::End, v);
            let mut c = ThresholdCounts::new(Metric::Alignment);
            for &s in &stats {
                c.add(&o, s);
            }
            let curve = c.curve(op);
            let (below, above) = c.shifted();
            let (b, a, fragile) = fragility_on_curve(&curve, v).expect("a curve");
            assert_eq!((b, a), (below, above), "{op:?} {v}");
            assert_eq!(fragile, is_fragile(below, above));
        }
        assert!(fragility_on_curve(&[], 0.0).is_none());
    }

    #[test]
    fn between_grid_points_the_curve_is_joined_by_straight_lines() {
        let curve = [(0.0, 1.0), (0.01, 0.5), (0.02, 0.0)];
        assert_eq!(curve_at(&curve, 0.005), Some(0.75));
        assert_eq!(curve_at(&curve, 0.01), Some(0.5));
        assert_eq!(curve_at(&curve, -3.0), Some(1.0));
        assert_eq!(curve_at(&curve, 3.0), Some(0.0));
    }

    #[test]
    fn ever_and_always_are_decided_by_the_extremes() {
        assert!(takes_max(&outcome(Op::Gt, When::Ever, 0.0)));
        assert!(!takes_max(&outcome(Op::Gt, When::Always, 0.0)));
        assert!(!takes_max(&outcome(Op::Lt, When::Ever, 0.0)));
        assert!(takes_max(&outcome(Op::Le, When::Always, 0.0)));
    }
}
