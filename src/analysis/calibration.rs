//! Calibration by approximate Bayesian computation: which values of the uncertain inputs
//! make the model reproduce what was observed.
//!
//! The design's points are drawn from the prior (a scrambled Sobol' sequence mapped through
//! each input's inverse CDF, so the points are spread over the prior as evenly as a
//! quasi-random sequence allows). At each point, R runs on common random numbers give each
//! observed quantity's mean and the shares of runs where it is above and below 0. A point's
//! distance to the record adds, over the observations used in the fit, the squared
//! standardised misfit ((mean − value)/sd)² of each observed value and the share of runs
//! with the wrong sign of each observed sign. The Q closest points are kept (rejection
//! ABC) and weighted by an Epanechnikov kernel on their distance (Beaumont, Zhang & Balding
//! 2002), so that a point that barely made the cut counts less than one that fits well.

use serde::{Deserialize, Serialize};

use crate::model::State;
use crate::montecarlo::tally::{MergeError, Scratch, Tally, same_shape};
use crate::scenario::{Condition, Evidence, Observation, Scenario};

/// Fixed-point scale of an observed quantity, as the study's grids use (2^40).
const SCALE: f64 = (1u64 << 40) as f64;

/// Each observed quantity at each design point: its sum over the point's runs (fixed
/// point, so that merging in any order gives the same bits) and how many runs had it above
/// and below 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObservedTally {
    points: usize,
    runs_per_point: u64,
    observed: usize,
    /// `p * observed + j`.
    sums: Vec<i128>,
    above: Vec<u64>,
    below: Vec<u64>,
    runs: Vec<u64>,
    #[serde(skip)]
    what: Scratch<Vec<(usize, Condition)>>,
    #[serde(skip)]
    current: Scratch<usize>,
}

impl ObservedTally {
    pub fn new(observations: &[Observation], points: usize, runs_per_point: u64) -> Self {
        let m = observations.len();
        ObservedTally {
            points,
            runs_per_point: runs_per_point.max(1),
            observed: m,
            sums: vec![0; points * m],
            above: vec![0; points * m],
            below: vec![0; points * m],
            runs: vec![0; points],
            what: Scratch(
                observations
                    .iter()
                    .map(|o| (o.step, o.condition()))
                    .collect(),
            ),
            current: Scratch(usize::MAX),
        }
    }

    /// The model's side of every observation at every point.
    pub fn predictions(&self) -> Predictions {
        let m = self.observed;
        let mut p = Predictions {
            observed: m,
            mean: vec![0.0; self.points * m],
            above: vec![0.0; self.points * m],
            below: vec![0.0; self.points * m],
        };
        for point in 0..self.points {
            let runs = self.runs[point].max(1) as f64;
            for j in 0..m {
                let k = point * m + j;
                p.mean[k] = self.sums[k] as f64 / SCALE / runs;
                p.above[k] = self.above[k] as f64 / runs;
                p.below[k] = self.below[k] as f64 / runs;
            }
        }
        p
    }
}

impl Tally for ObservedTally {
    fn begin(&mut self, side: usize, run: u64, _sc: &Scenario) {
        if side == 0 {
            self.current.0 = usize::try_from(run / self.runs_per_point).unwrap_or(usize::MAX);
        }
    }

    fn record(&mut self, side: usize, sc: &Scenario, t: usize, st: &State) {
        let p = self.current.0;
        if side != 0 || p >= self.points {
            return;
        }
        let m = self.observed;
        for (j, (step, condition)) in self.what.0.iter().enumerate() {
            if *step == t {
                let x = st.metric(condition);
                let k = p * m + j;
                self.sums[k] += i128::from((x * SCALE) as i64);
                self.above[k] += u64::from(x > 0.0);
                self.below[k] += u64::from(x < 0.0);
            }
        }
        if t == sc.steps {
            self.runs[p] += 1;
        }
    }

    fn merge(&mut self, other: Self) -> Result<(), MergeError> {
        same_shape(
            "calibration points (points, runs per point, observations)",
            (self.points, self.runs_per_point, self.observed),
            (other.points, other.runs_per_point, other.observed),
        )?;
        for (a, b) in self.sums.iter_mut().zip(&other.sums) {
            *a += b;
        }
        for (a, b) in self.above.iter_mut().zip(&other.above) {
            *a += b;
        }
        for (a, b) in self.below.iter_mut().zip(&other.below) {
            *a += b;
        }
        for (a, b) in self.runs.iter_mut().zip(&other.runs) {
            *a += b;
        }
        Ok(())
    }
}

/// What the model says of each observation at each point: `p * observed + j`.
#[derive(Debug, Clone, PartialEq)]
pub struct Predictions {
    pub observed: usize,
    pub mean: Vec<f64>,
    /// Share of runs with the quantity above 0.
    pub above: Vec<f64>,
    /// Share of runs with the quantity below 0.
    pub below: Vec<f64>,
}

impl Predictions {
    /// Share of point `p`'s runs whose sign agrees with observation `j`; for a value, with
    /// the sign of the value (NaN for an observed 0, which has none).
    pub fn right_sign(&self, o: &Observation, p: usize, j: usize) -> f64 {
        let k = p * self.observed + j;
        match o.evidence {
            Evidence::Sign { positive: true } => self.above[k],
            Evidence::Sign { positive: false } => self.below[k],
            Evidence::Value { value, .. } if value > 0.0 => self.above[k],
            Evidence::Value { value, .. } if value < 0.0 => self.below[k],
            Evidence::Value { .. } => f64::NAN,
        }
    }

    /// The distance of point `p` to the observations marked `used`.
    pub fn distance(&self, observations: &[Observation], used: &[bool], p: usize) -> f64 {
        let mut d = 0.0;
        for (j, o) in observations.iter().enumerate() {
            if !used[j] {
                continue;
            }
            let k = p * self.observed + j;
            d += match o.evidence {
                Evidence::Value { value, sd } => ((self.mean[k] - value) / sd).powi(2),
                Evidence::Sign { .. } => 1.0 - self.right_sign(o, p, j),
            };
        }
        d
    }
}

/// The points kept, closest first, and their normalised weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    pub points: Vec<usize>,
    pub weights: Vec<f64>,
    /// The largest distance kept: the tolerance ε of rejection ABC.
    pub tolerance: f64,
}

/// Keeps the `keep` points of smallest distance (ties by index, so the choice does not
/// depend on sorting), weighted by the Epanechnikov kernel 1 − (d/h)², h being the distance
/// of the closest point left out (or just above the farthest kept when none is).
pub fn accept(distances: &[f64], keep: usize) -> Accepted {
    let mut order: Vec<usize> = (0..distances.len()).collect();
    order.sort_by(|&a, &b| distances[a].total_cmp(&distances[b]).then(a.cmp(&b)));
    let keep = keep.clamp(1, distances.len().max(1)).min(distances.len());
    let points: Vec<usize> = order[..keep].to_vec();
    let tolerance = points.last().map_or(0.0, |&p| distances[p]);
    let h = match order.get(keep) {
        Some(&next) if distances[next] > tolerance => distances[next],
        _ => tolerance * (1.0 + 1e-9),
    };
    let mut weights: Vec<f64> = points
        .iter()
        .map(|&p| {
            if h > 0.0 && h.is_finite() {
                (1.0 - (distances[p] / h).powi(2)).max(0.0)
            } else {
                1.0
            }
        })
        .collect();
    let total: f64 = weights.iter().sum();
    if total > 0.0 && total.is_finite() {
        for w in &mut weights {
            *w /= total;
        }
    } else {
        let n = weights.len().max(1) as f64;
        weights.iter_mut().for_each(|w| *w = 1.0 / n);
    }
    Accepted {
        points,
        weights,
        tolerance,
    }
}

/// The `q`-quantile of `values` with `weights` (summing to 1): the smallest value whose
/// cumulative weight reaches q, so that it is always one of the values.
pub fn weighted_quantile(values: &[f64], weights: &[f64], q: f64) -> f64 {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
    let total: f64 = weights.iter().sum();
    let mut cum = 0.0;
    for &i in &order {
        cum += weights[i];
        if cum >= q * total - 1e-12 {
            return values[i];
        }
    }
    order.last().map_or(f64::NAN, |&i| values[i])
}

/// What predicts what was held out better, the prior or the posterior: mean Brier score of
/// the signs (the forecast being the share of runs above 0) and the root mean square of the
/// values' misfits in units of their sd. Lower is better for both; NaN when there is
/// nothing of that sort to score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Skill {
    pub signs: usize,
    pub values: usize,
    pub prior_brier: f64,
    pub posterior_brier: f64,
    pub prior_rmse_sd: f64,
    pub posterior_rmse_sd: f64,
}

/// The predictive mean and the predictive share of runs above 0 of observation `j`,
/// weighting point p by `weight(p)`.
pub fn predictive(pred: &Predictions, j: usize, weights: &[(usize, f64)]) -> (f64, f64) {
    let (mut mean, mut above, mut total) = (0.0, 0.0, 0.0);
    for &(p, w) in weights {
        let k = p * pred.observed + j;
        mean += w * pred.mean[k];
        above += w * pred.above[k];
        total += w;
    }
    (mean / total, above / total)
}

/// Scores observations `scored` under the prior (every point alike) and the posterior.
pub fn skill(
    observations: &[Observation],
    scored: &[bool],
    pred: &Predictions,
    points: usize,
    accepted: &Accepted,
) -> Skill {
    let prior: Vec<(usize, f64)> = (0..points).map(|p| (p, 1.0)).collect();
    let post: Vec<(usize, f64)> = accepted
        .points
        .iter()
        .copied()
        .zip(accepted.weights.iter().copied())
        .collect();
    let mut s = Skill {
        signs: 0,
        values: 0,
        prior_brier: 0.0,
        posterior_brier: 0.0,
        prior_rmse_sd: 0.0,
        posterior_rmse_sd: 0.0,
    };
    for (j, o) in observations.iter().enumerate() {
        if !scored[j] {
            continue;
        }
        let (prior_mean, prior_above) = predictive(pred, j, &prior);
        let (post_mean, post_above) = predictive(pred, j, &post);
        match o.evidence {
            Evidence::Sign { positive } => {
                let truth = if positive { 1.0 } else { 0.0 };
                s.signs += 1;
                s.prior_brier += (prior_above - truth).powi(2);
                s.posterior_brier += (post_above - truth).powi(2);
            }
            Evidence::Value { value, sd } => {
                s.values += 1;
                s.prior_rmse_sd += ((prior_mean - value) / sd).powi(2);
                s.posterior_rmse_sd += ((post_mean - value) / sd).powi(2);
            }
        }
    }
    let per = |x: f64, n: usize| if n == 0 { f64::NAN } else { x / n as f64 };
    s.prior_brier = per(s.prior_brier, s.signs);
    s.posterior_brier = per(s.posterior_brier, s.signs);
    s.prior_rmse_sd = per(s.prior_rmse_sd, s.values).sqrt();
    s.posterior_rmse_sd = per(s.posterior_rmse_sd, s.values).sqrt();
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closest_are_kept_and_weighted_by_closeness() {
        let d = [3.0, 0.0, 1.0, 2.0, 1.0];
        let a = accept(&d, 3);
        assert_eq!(a.points, vec![1, 2, 4]);
        assert_eq!(a.tolerance, 1.0);
        // h = 2 (the closest left out): weights 1, 0.75, 0.75 before normalising.
        assert!((a.weights[0] - 1.0 / 2.5).abs() < 1e-12);
        assert!((a.weights[1] - 0.75 / 2.5).abs() < 1e-12);
        assert!((a.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn weighted_quantiles_are_values_of_the_sample() {
        let v = [3.0, 1.0, 2.0];
        let w = [0.2, 0.5, 0.3];
        assert_eq!(weighted_quantile(&v, &w, 0.05), 1.0);
        assert_eq!(weighted_quantile(&v, &w, 0.5), 1.0);
        assert_eq!(weighted_quantile(&v, &w, 0.6), 2.0);
        assert_eq!(weighted_quantile(&v, &w, 0.95), 3.0);
    }
}
