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
//! ABC) and weighted by their likelihood under the observation model (normal errors of the
//! given sd for values, the share of runs with the observed sign for signs), so that the
//! kept set is the prior times the likelihood within the tolerance (Wilkinson 2013) rather
//! than a flat cut whose width `keep` alone would set. Rounds of sequential Monte Carlo
//! (ABC-PMC, Beaumont et al. 2009) then propose new points around the kept ones and weigh
//! them by likelihood over the proposal density.

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
    /// The first design point held: a shard of a calibration holds a contiguous range of
    /// points, `first..first + points`.
    #[serde(default)]
    first: usize,
    points: usize,
    runs_per_point: u64,
    observed: usize,
    /// The first point the tables below hold, counted from `first`: a tally of a chunk of
    /// runs holds only the points its runs touched (a few), not every point of the design,
    /// and is widened when merged. A whole tally holds every point (`held` 0).
    #[serde(default)]
    held: usize,
    /// `(p - held) * observed + j`.
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
        Self::range(observations, 0..points, runs_per_point)
    }

    /// The tally of design points `points` only: run r evaluates point r / `runs_per_point`,
    /// and runs of other points are not recorded.
    pub fn range(
        observations: &[Observation],
        points: std::ops::Range<usize>,
        runs_per_point: u64,
    ) -> Self {
        let first = points.start;
        let points = points.end.saturating_sub(points.start);
        let m = observations.len();
        ObservedTally {
            first,
            points,
            runs_per_point: runs_per_point.max(1),
            observed: m,
            held: 0,
            sums: Vec::new(),
            above: Vec::new(),
            below: Vec::new(),
            runs: Vec::new(),
            what: Scratch(
                observations
                    .iter()
                    .map(|o| (o.step, o.condition()))
                    .collect(),
            ),
            current: Scratch(usize::MAX),
        }
    }

    /// The design points held.
    pub fn points(&self) -> std::ops::Range<usize> {
        self.first..self.first + self.points
    }

    /// Widens the tables to hold every point (those no run touched are zero).
    pub fn densify(&mut self) {
        if self.held == 0 && self.runs.len() == self.points {
            return;
        }
        let m = self.observed;
        widen(&mut self.sums, self.held * m, self.points * m);
        widen(&mut self.above, self.held * m, self.points * m);
        widen(&mut self.below, self.held * m, self.points * m);
        widen(&mut self.runs, self.held, self.points);
        self.held = 0;
    }

    /// Makes the tables hold point `p` (counted from `first`), widening them as needed.
    fn hold(&mut self, p: usize) {
        let m = self.observed;
        if self.runs.is_empty() {
            self.held = p;
        }
        if p < self.held {
            self.densify();
        }
        let need = p - self.held + 1;
        if self.runs.len() < need {
            self.sums.resize(need * m, 0);
            self.above.resize(need * m, 0);
            self.below.resize(need * m, 0);
            self.runs.resize(need, 0);
        }
    }

    /// Refuses a tally whose tables do not hold every point it says it holds (a damaged
    /// part read back).
    pub fn check_complete(&self) -> Result<(), MergeError> {
        let cells = self.points.checked_mul(self.observed);
        same_shape(
            "calibration tables (first point held; cells of sums, above, below; runs)",
            (0, cells, cells, cells, self.points),
            (
                self.held,
                Some(self.sums.len()),
                Some(self.above.len()),
                Some(self.below.len()),
                self.runs.len(),
            ),
        )
    }

    /// Adds the points of `next`, which must follow these, with the same runs per point
    /// and observations: the tallies of consecutive shards joined end to end.
    pub fn append(&mut self, mut next: ObservedTally) -> Result<(), MergeError> {
        self.densify();
        next.densify();
        same_shape(
            "calibration points (first point, runs per point, observations)",
            (self.first + self.points, self.runs_per_point, self.observed),
            (next.first, next.runs_per_point, next.observed),
        )?;
        self.check_complete()?;
        next.check_complete()?;
        self.points += next.points;
        self.sums.extend(next.sums);
        self.above.extend(next.above);
        self.below.extend(next.below);
        self.runs.extend(next.runs);
        Ok(())
    }

    /// The model's side of every observation at every point held.
    pub fn predictions(&self) -> Predictions {
        let m = self.observed;
        let mut p = Predictions {
            observed: m,
            mean: vec![0.0; self.points * m],
            above: vec![0.0; self.points * m],
            below: vec![0.0; self.points * m],
        };
        // Points outside the tables were touched by no run: zero, as if held.
        for (w, &runs) in self.runs.iter().enumerate() {
            let point = self.held + w;
            if point >= self.points {
                break;
            }
            let runs = runs.max(1) as f64;
            for j in 0..m {
                let (k, c) = (point * m + j, w * m + j);
                p.mean[k] = self.sums[c] as f64 / SCALE / runs;
                p.above[k] = self.above[c] as f64 / runs;
                p.below[k] = self.below[c] as f64 / runs;
            }
        }
        p
    }
}

impl Tally for ObservedTally {
    fn begin(&mut self, side: usize, run: u64, _sc: &Scenario) {
        if side == 0 {
            self.current.0 = usize::try_from(run / self.runs_per_point)
                .ok()
                .and_then(|p| p.checked_sub(self.first))
                .unwrap_or(usize::MAX);
        }
    }

    fn record(&mut self, side: usize, sc: &Scenario, t: usize, st: &State) {
        let p = self.current.0;
        if side != 0 || p >= self.points {
            return;
        }
        self.hold(p);
        let w = p - self.held;
        let m = self.observed;
        for (j, (step, condition)) in self.what.0.iter().enumerate() {
            if *step == t {
                let x = st.metric(condition);
                let k = w * m + j;
                self.sums[k] += i128::from((x * SCALE) as i64);
                self.above[k] += u64::from(x > 0.0);
                self.below[k] += u64::from(x < 0.0);
            }
        }
        if t == sc.steps {
            self.runs[w] += 1;
        }
    }

    fn merge(&mut self, other: Self) -> Result<(), MergeError> {
        same_shape(
            "calibration points (first, points, runs per point, observations)",
            (self.first, self.points, self.runs_per_point, self.observed),
            (
                other.first,
                other.points,
                other.runs_per_point,
                other.observed,
            ),
        )?;
        same_shape(
            "calibration tables within their points",
            true,
            other.held + other.runs.len() <= other.points
                && [other.sums.len(), other.above.len(), other.below.len()]
                    == [other.runs.len() * other.observed; 3],
        )?;
        self.densify();
        let (at, m) = (other.held, self.observed);
        for (a, b) in self.sums[at * m..].iter_mut().zip(&other.sums) {
            *a += b;
        }
        for (a, b) in self.above[at * m..].iter_mut().zip(&other.above) {
            *a += b;
        }
        for (a, b) in self.below[at * m..].iter_mut().zip(&other.below) {
            *a += b;
        }
        for (a, b) in self.runs[at..].iter_mut().zip(&other.runs) {
            *a += b;
        }
        Ok(())
    }
}

/// `cells` placed at `at` in a table of `len` zeros (cells past its end are dropped).
fn widen<T: Copy + Default>(cells: &mut Vec<T>, at: usize, len: usize) {
    let mut all = vec![T::default(); len];
    let at = at.min(len);
    let n = cells.len().min(len - at);
    all[at..at + n].copy_from_slice(&cells[..n]);
    *cells = all;
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
    /// Adds the points of `next` after these: the predictions of a later round.
    pub fn append(&mut self, next: Predictions) {
        self.mean.extend(next.mean);
        self.above.extend(next.above);
        self.below.extend(next.below);
    }

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

    /// The log-likelihood of point `p` under the observation model, over the observations
    /// marked `used`: each value normal about the runs' mean with its sd, each sign right
    /// with the share of runs that have it (floored at 1e-6, so that a sign no run matched
    /// weighs very little rather than nothing when every point misses it).
    pub fn log_likelihood(&self, observations: &[Observation], used: &[bool], p: usize) -> f64 {
        let mut l = 0.0;
        for (j, o) in observations.iter().enumerate() {
            if !used[j] {
                continue;
            }
            let k = p * self.observed + j;
            l += match o.evidence {
                Evidence::Value { value, sd } => -0.5 * ((self.mean[k] - value) / sd).powi(2),
                Evidence::Sign { .. } => self.right_sign(o, p, j).max(1e-6).ln(),
            };
        }
        l
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

/// The indices of the `keep` smallest distances, smallest first (ties by index, so the
/// choice does not depend on sorting).
fn closest(distances: &[f64], keep: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..distances.len()).collect();
    order.sort_by(|&a, &b| distances[a].total_cmp(&distances[b]).then(a.cmp(&b)));
    order.truncate(keep.clamp(1, distances.len().max(1)));
    order
}

/// Normalises weights given as logarithms; all alike when none is finite.
fn normalised(log_weights: &[f64]) -> Vec<f64> {
    let max = log_weights
        .iter()
        .copied()
        .filter(|x| x.is_finite())
        .fold(f64::NEG_INFINITY, f64::max);
    let mut w: Vec<f64> = log_weights
        .iter()
        .map(|&l| {
            if max.is_finite() {
                (l - max).exp()
            } else {
                1.0
            }
        })
        .collect();
    let total: f64 = w.iter().sum();
    if total > 0.0 && total.is_finite() {
        w.iter_mut().for_each(|x| *x /= total);
    } else {
        let n = w.len().max(1) as f64;
        w.iter_mut().for_each(|x| *x = 1.0 / n);
    }
    w
}

/// Keeps the `keep` points of smallest distance and weights each by its likelihood under
/// the observation model (`log_likelihood`): the distance ranks, the likelihood weighs, so
/// that within the tolerance the posterior is the prior times the likelihood (Wilkinson
/// 2013), not a flat cut whose width is set by `keep` alone.
pub fn accept(distances: &[f64], log_likelihood: &[f64], keep: usize) -> Accepted {
    let points = closest(distances, keep);
    let tolerance = points.last().map_or(0.0, |&p| distances[p]);
    let logs: Vec<f64> = points.iter().map(|&p| log_likelihood[p]).collect();
    Accepted {
        weights: normalised(&logs),
        points,
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

/// The standard normal CDF, by the complementary error function of Abramowitz & Stegun
/// 7.1.26 (absolute error below 1.5e-7), which is all a perturbation kernel's truncation
/// needs.
fn normal_cdf(x: f64) -> f64 {
    let z = x.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * z);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erfc = poly * (-z * z).exp();
    if x >= 0.0 {
        1.0 - 0.5 * erfc
    } else {
        0.5 * erfc
    }
}

/// One round of sequential Monte Carlo ABC (ABC-PMC: Beaumont, Cornuet, Marin & Robert
/// 2009), in the unit cube where every prior is uniform: the kept particles and their
/// weights, and what the next round proposes from them.
#[derive(Debug, Clone, PartialEq)]
pub struct Particles {
    /// Unit-cube coordinates, `k * dims + d`.
    pub unit: Vec<f64>,
    pub weights: Vec<f64>,
    pub dims: usize,
}

impl Particles {
    /// The perturbation kernel's standard deviation in each dimension: twice the weighted
    /// variance of the particles, the choice that minimises the kernel's Kullback-Leibler
    /// loss (Beaumont et al. 2009); a floor keeps a collapsed dimension moving.
    pub fn kernel_sd(&self) -> Vec<f64> {
        let n = self.weights.len();
        (0..self.dims)
            .map(|d| {
                let mean: f64 = (0..n)
                    .map(|k| self.weights[k] * self.unit[k * self.dims + d])
                    .sum();
                let var: f64 = (0..n)
                    .map(|k| self.weights[k] * (self.unit[k * self.dims + d] - mean).powi(2))
                    .sum();
                (2.0 * var).sqrt().max(1e-3)
            })
            .collect()
    }

    /// `count` proposals: a particle drawn by weight, moved by the Gaussian kernel, again
    /// until it lands inside the cube (the kernel is truncated to the prior's support).
    pub fn propose<R: rand::Rng>(&self, count: usize, rng: &mut R) -> Vec<f64> {
        use rand_distr::{Distribution, StandardNormal};
        let sd = self.kernel_sd();
        let total: f64 = self.weights.iter().sum();
        let mut out = Vec::with_capacity(count * self.dims);
        for _ in 0..count {
            let u = (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64) * total;
            let mut cum = 0.0;
            let mut parent = self.weights.len().saturating_sub(1);
            for (k, w) in self.weights.iter().enumerate() {
                cum += w;
                if cum > u {
                    parent = k;
                    break;
                }
            }
            let row = &self.unit[parent * self.dims..(parent + 1) * self.dims];
            for (&centre, &spread) in row.iter().zip(&sd) {
                let mut x = centre;
                for _ in 0..1000 {
                    let z: f64 = StandardNormal.sample(rng);
                    let candidate = centre + spread * z;
                    if candidate > 0.0 && candidate < 1.0 {
                        x = candidate;
                        break;
                    }
                }
                out.push(x);
            }
        }
        out
    }

    /// The density of the proposal at `u`: the weighted mixture of truncated Gaussian
    /// kernels around the particles.
    pub fn proposal_density(&self, u: &[f64], sd: &[f64]) -> f64 {
        let mut density = 0.0;
        for (k, w) in self.weights.iter().enumerate() {
            let mut kernel = 1.0;
            for d in 0..self.dims {
                let c = self.unit[k * self.dims + d];
                let mass = normal_cdf((1.0 - c) / sd[d]) - normal_cdf(-c / sd[d]);
                let z = (u[d] - c) / sd[d];
                kernel *= (-0.5 * z * z).exp()
                    / (sd[d] * (2.0 * std::f64::consts::PI).sqrt() * mass.max(1e-300));
            }
            density += w * kernel;
        }
        density
    }
}

/// Weighs every one of a round's proposals by its likelihood over the proposal density
/// (the prior being 1 on the cube): importance sampling of the posterior from where the
/// previous round's particles sent them. All are kept: the proposals crowd the posterior's
/// core, so any cut, by distance or by weight, would leave a posterior narrower than the
/// record allows.
pub fn accept_proposals(
    distances: &[f64],
    log_likelihood: &[f64],
    proposals: &[f64],
    previous: &Particles,
) -> Accepted {
    let sd = previous.kernel_sd();
    let d = previous.dims;
    let logs: Vec<f64> = (0..distances.len())
        .map(|p| {
            log_likelihood[p]
                - previous
                    .proposal_density(&proposals[p * d..(p + 1) * d], &sd)
                    .max(1e-300)
                    .ln()
        })
        .collect();
    Accepted {
        weights: normalised(&logs),
        points: (0..distances.len()).collect(),
        tolerance: distances.iter().copied().fold(0.0, f64::max),
    }
}

/// Kish's effective sample size of normalised weights, 1 / Σ w²: how many equally weighted
/// points the posterior is worth. Few (under 50, say) mean the prior's points rarely land
/// where the record points, which is when rounds of sequential Monte Carlo pay.
pub fn effective_sample_size(weights: &[f64]) -> f64 {
    let s: f64 = weights.iter().map(|w| w * w).sum();
    if s > 0.0 { 1.0 / s } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closest_are_kept_and_weighted_by_likelihood() {
        let d = [3.0, 0.0, 1.0, 2.0, 1.0];
        let l: Vec<f64> = d.iter().map(|x| -0.5 * x).collect();
        let a = accept(&d, &l, 3);
        assert_eq!(a.points, vec![1, 2, 4]);
        assert_eq!(a.tolerance, 1.0);
        let e = (-0.5f64).exp();
        assert!((a.weights[0] - 1.0 / (1.0 + 2.0 * e)).abs() < 1e-12);
        assert!((a.weights[1] - e / (1.0 + 2.0 * e)).abs() < 1e-12);
        assert!((a.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn the_normal_cdf_is_close_enough_for_a_kernel() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_cdf(1.959_964) - 0.975).abs() < 1e-6);
        assert!((normal_cdf(-1.0) - 0.158_655_25).abs() < 1e-6);
    }

    #[test]
    fn proposals_stay_in_the_cube_near_their_particles() {
        use rand::SeedableRng;
        let p = Particles {
            unit: vec![0.02, 0.5, 0.98, 0.5],
            weights: vec![0.5, 0.5],
            dims: 2,
        };
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let u = p.propose(500, &mut rng);
        assert!(u.iter().all(|&x| x > 0.0 && x < 1.0));
        let sd = p.kernel_sd();
        assert!((sd[0] - (2.0f64 * 0.2304).sqrt()).abs() < 1e-9, "{sd:?}");
        assert_eq!(sd[1], 1e-3);
        let near = Particles {
            unit: vec![0.3, 0.5, 0.35, 0.5],
            weights: vec![0.5, 0.5],
            dims: 2,
        };
        let sd = near.kernel_sd();
        assert!(
            (sd[0] - (2.0f64 * 0.000_625).sqrt()).abs() < 1e-12,
            "{sd:?}"
        );
        assert!(near.proposal_density(&[0.32, 0.5], &sd) > near.proposal_density(&[0.6, 0.5], &sd));
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
