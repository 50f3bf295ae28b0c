//! Morris elementary effects: a screening design of one-at-a-time trajectories, and the
//! statistics μ, μ* and σ of the effects it measures.
//!
//! **Design** (Morris 1991; as SALib's `morris.sample` without trajectory optimisation). The
//! unit cube is cut into a grid of p levels 0, 1/(p − 1), ..., 1 (p even, 4 by default) and the
//! step is Δ = p / (2(p − 1)), i.e. p/2 grid levels. A trajectory has D + 1 points: a random
//! base x* with each coordinate drawn uniformly from the lower p/2 levels (so that x* + Δ stays
//! on the grid), a random direction per input (up from x*_i or down from x*_i + Δ), and a random
//! order of the inputs; point 0 has each input at its starting end, and point j + 1 is point j
//! with the j-th input of the order moved by Δ in its direction. So every input moves exactly
//! once per trajectory, every point lies on the grid (1 included: Morris points are in the
//! closed cube), and each level is equally likely for every coordinate of every point.
//! Trajectory t draws, from a ChaCha8 generator seeded by the design's seed on stream t: the D
//! base levels, then the D directions, then the order by a Fisher–Yates shuffle. It depends on
//! (seed, t, D, p) only, so trajectories can be built and run in shards.
//!
//! **Statistics.** The elementary effect of input i in a trajectory is
//! EE_i = (f(x + Δe_i) − f(x)) / Δ, where x is the lower of the two points the step joins
//! (a downward step has its sign turned accordingly). Its unit is the measure's change per unit
//! of the input's unit-cube coordinate; [`MorrisIndex::per_input_unit`] turns it into the change
//! per unit of the input itself. Over the r trajectories: μ = mean EE (signed effects may
//! cancel), μ* = mean |EE| (Campolongo et al. 2007; the ranking measure), σ = sample standard
//! deviation of EE with r − 1 (non-linearity or interaction). The 95% interval of μ* is a
//! percentile bootstrap over trajectories (a resampled trajectory carries all its effects).

use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::bootstrap::{generator, percentile_interval, resample};
use super::{SensitivityError, check_finite, check_len};

/// Grid levels unless the caller asks otherwise: with p = 4 and Δ = 2/3, each input is seen at
/// four values, the usual compromise between coverage and the size of the step.
pub const DEFAULT_LEVELS: usize = 4;

/// A Morris design: r trajectories of D + 1 points each.
#[derive(Debug, Clone)]
pub struct MorrisDesign {
    dims: usize,
    trajectories: usize,
    levels: usize,
    seed: u64,
}

/// One move of a trajectory: from point j to point j + 1, `input` moved by +Δ (`up`) or −Δ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MorrisStep {
    pub input: usize,
    pub up: bool,
}

/// The points of one trajectory and the move between each two consecutive ones.
#[derive(Debug, Clone, PartialEq)]
pub struct MorrisTrajectory {
    dims: usize,
    /// (D + 1) × D, point-major.
    points: Vec<f64>,
    steps: Vec<MorrisStep>,
}

impl MorrisTrajectory {
    /// Number of points, D + 1.
    pub fn len(&self) -> usize {
        self.steps.len() + 1
    }

    /// Always false: a trajectory has at least its starting point.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The unit-cube coordinates of point `j`, if there is one.
    pub fn point(&self, j: usize) -> Option<&[f64]> {
        self.points.get(j * self.dims..(j + 1) * self.dims)
    }

    /// The D moves, step j leading from point j to point j + 1.
    pub fn steps(&self) -> &[MorrisStep] {
        &self.steps
    }
}

/// A trajectory as grid levels: where it starts and how it moves.
struct Plan {
    start: Vec<usize>,
    steps: Vec<MorrisStep>,
}

impl MorrisDesign {
    /// `trajectories` trajectories over `dims` inputs on a grid of `levels` levels (even, at
    /// least 2), drawn from `seed`. At least two trajectories, so that σ is defined.
    pub fn new(
        dims: usize,
        trajectories: usize,
        levels: usize,
        seed: u64,
    ) -> Result<MorrisDesign, SensitivityError> {
        if dims == 0 {
            return Err(SensitivityError::NoInputs {
                what: "a Morris design",
            });
        }
        if trajectories < 2 {
            return Err(SensitivityError::InvalidParameter {
                name: "trajectories",
                value: trajectories.to_string(),
                expected: "at least 2, so that the spread of the effects is defined",
            });
        }
        if levels < 2 || !levels.is_multiple_of(2) {
            return Err(SensitivityError::InvalidParameter {
                name: "levels",
                value: levels.to_string(),
                expected: "an even number of at least 2, so that the step lands on the grid",
            });
        }
        if trajectories.checked_mul(dims + 1).is_none() {
            return Err(SensitivityError::InvalidParameter {
                name: "trajectories",
                value: trajectories.to_string(),
                expected: "few enough that every point can be numbered",
            });
        }
        Ok(MorrisDesign {
            dims,
            trajectories,
            levels,
            seed,
        })
    }

    /// Number of inputs D.
    pub fn dims(&self) -> usize {
        self.dims
    }

    /// Number of trajectories r.
    pub fn trajectories(&self) -> usize {
        self.trajectories
    }

    /// Number of grid levels p.
    pub fn levels(&self) -> usize {
        self.levels
    }

    /// The step Δ = p / (2(p − 1)) in unit-cube coordinates.
    pub fn delta(&self) -> f64 {
        self.levels as f64 / (2.0 * (self.levels - 1) as f64)
    }

    /// Number of points, r(D + 1); point t(D + 1) + j is point j of trajectory t.
    pub fn len(&self) -> usize {
        self.trajectories * (self.dims + 1)
    }

    /// Always false: a design has at least two trajectories.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Trajectory `t`, computed from (seed, t) alone.
    pub fn trajectory(&self, t: usize) -> Result<MorrisTrajectory, SensitivityError> {
        let plan = self.plan(t)?;
        let d = self.dims;
        let top = (self.levels - 1) as f64;
        let half = self.levels / 2;
        let mut level = plan.start;
        let mut points = Vec::with_capacity((d + 1) * d);
        points.extend(level.iter().map(|&l| l as f64 / top));
        for step in &plan.steps {
            let l = &mut level[step.input];
            *l = if step.up { *l + half } else { *l - half };
            points.extend(level.iter().map(|&l| l as f64 / top));
        }
        Ok(MorrisTrajectory {
            dims: d,
            points,
            steps: plan.steps,
        })
    }

    /// Writes the coordinates of point `index` of the design into `out` (D values).
    /// It builds the whole trajectory of the point; to evaluate a design, take each
    /// [`Self::trajectory`] once instead.
    pub fn point(&self, index: usize, out: &mut [f64]) -> Result<(), SensitivityError> {
        check_len("the buffer of a design point", out, self.dims)?;
        let trajectory = self.trajectory(index / (self.dims + 1))?;
        if let Some(p) = trajectory.point(index % (self.dims + 1)) {
            out.copy_from_slice(p);
        }
        Ok(())
    }

    /// The random draws of trajectory `t`, as grid levels.
    fn plan(&self, t: usize) -> Result<Plan, SensitivityError> {
        if t >= self.trajectories {
            return Err(SensitivityError::IndexOutOfRange {
                what: "the trajectories of a Morris design",
                index: t as u64,
                len: self.trajectories as u64,
            });
        }
        let d = self.dims;
        let half = self.levels / 2;
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(t as u64);
        let base: Vec<usize> = (0..d)
            .map(|_| rng.random_range(0..half as u64) as usize)
            .collect();
        let up: Vec<bool> = (0..d).map(|_| rng.next_u64() & 1 == 1).collect();
        let mut order: Vec<usize> = (0..d).collect();
        for i in (1..d).rev() {
            let j = rng.random_range(0..=i as u64) as usize;
            order.swap(i, j);
        }
        let start = base
            .iter()
            .zip(&up)
            .map(|(&b, &u)| if u { b } else { b + half })
            .collect();
        let steps = order
            .into_iter()
            .map(|input| MorrisStep {
                input,
                up: up[input],
            })
            .collect();
        Ok(Plan { start, steps })
    }
}

/// The Morris statistics of one input, in the measure's units per unit-cube move.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorrisIndex {
    /// Mean elementary effect.
    pub mu: f64,
    /// Mean absolute elementary effect.
    pub mu_star: f64,
    /// Sample standard deviation of the elementary effects (divided by r − 1).
    pub sigma: f64,
    /// 95% percentile bootstrap interval of μ*; NaN at both ends with no resample.
    pub mu_star_low: f64,
    pub mu_star_high: f64,
}

impl MorrisIndex {
    /// The same statistics per unit of an input that the unit cube maps linearly onto
    /// [`low`, `high`] (a uniform input): each effect divided by high − low, so that a measure
    /// linear in the input with slope s gets μ* = |s|. For a non-uniform input the result is an
    /// average rate over the input's range, not a slope.
    pub fn per_input_unit(&self, low: f64, high: f64) -> Result<MorrisIndex, SensitivityError> {
        let range = high - low;
        if !(range > 0.0 && range.is_finite()) {
            return Err(SensitivityError::InvalidParameter {
                name: "input range",
                value: format!("[{low}, {high}]"),
                expected: "finite with low < high",
            });
        }
        Ok(MorrisIndex {
            mu: self.mu / range,
            mu_star: self.mu_star / range,
            sigma: self.sigma / range,
            mu_star_low: self.mu_star_low / range,
            mu_star_high: self.mu_star_high / range,
        })
    }
}

/// μ, μ* and σ of every input from the values of a measure at the points of `design`, in
/// design order, with a bootstrap interval for μ* from `bootstrap` resamples of trajectories
/// drawn from `seed` (0 for none).
pub fn morris_indices(
    design: &MorrisDesign,
    values: &[f64],
    bootstrap: usize,
    seed: u64,
) -> Result<Vec<MorrisIndex>, SensitivityError> {
    check_len("the values of a Morris design", values, design.len())?;
    check_finite("the values of a Morris design", values)?;
    let d = design.dims;
    let r = design.trajectories;
    let delta = design.delta();

    // Effects, trajectory-major: entry t·D + i is input i in trajectory t.
    let mut effects = vec![0.0; r * d];
    for t in 0..r {
        let plan = design.plan(t)?;
        let f = &values[t * (d + 1)..(t + 1) * (d + 1)];
        for (j, step) in plan.steps.iter().enumerate() {
            let change = f[j + 1] - f[j];
            let upward = if step.up { change } else { -change };
            effects[t * d + step.input] = upward / delta;
        }
    }

    let rf = r as f64;
    let mut mu_star_samples = vec![0.0; bootstrap * d];
    let mut rng = generator(seed);
    let mut counts = vec![0u32; r];
    for b in 0..bootstrap {
        resample(&mut rng, &mut counts);
        let sums = &mut mu_star_samples[b * d..(b + 1) * d];
        for (t, &c) in counts.iter().enumerate() {
            if c == 0 {
                continue;
            }
            for (sum, e) in sums.iter_mut().zip(&effects[t * d..(t + 1) * d]) {
                *sum += f64::from(c) * e.abs();
            }
        }
        sums.iter_mut().for_each(|s| *s /= rf);
    }

    let mut column = Vec::with_capacity(bootstrap);
    Ok((0..d)
        .map(|i| {
            let ee = effects.iter().skip(i).step_by(d);
            let mu = ee.clone().sum::<f64>() / rf;
            let mu_star = ee.clone().map(|e| e.abs()).sum::<f64>() / rf;
            let sigma = (ee.map(|e| (e - mu) * (e - mu)).sum::<f64>() / (rf - 1.0)).sqrt();
            column.clear();
            column.extend(mu_star_samples.iter().skip(i).step_by(d));
            let (mu_star_low, mu_star_high) = percentile_interval(&mut column);
            MorrisIndex {
                mu,
                mu_star,
                sigma,
                mu_star_low,
                mu_star_high,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evaluate(design: &MorrisDesign, f: impl Fn(&[f64]) -> f64) -> Vec<f64> {
        let mut values = Vec::with_capacity(design.len());
        for t in 0..design.trajectories() {
            let traj = design.trajectory(t).unwrap();
            for j in 0..traj.len() {
                values.push(f(traj.point(j).unwrap()));
            }
        }
        values
    }

    #[test]
    fn trajectories_move_one_input_at_a_time_on_the_grid() {
        for levels in [2, 4, 6] {
            let design = MorrisDesign::new(5, 50, levels, 3).unwrap();
            let delta = design.delta();
            assert!((delta - levels as f64 / (2.0 * (levels - 1) as f64)).abs() < 1e-15);
            let top = (levels - 1) as f64;
            for t in 0..50 {
                let traj = design.trajectory(t).unwrap();
                assert_eq!(traj.len(), 6);
                let mut moved = [0; 5];
                for (j, step) in traj.steps().iter().enumerate() {
                    let (x, y) = (traj.point(j).unwrap(), traj.point(j + 1).unwrap());
                    for i in 0..5 {
                        if i == step.input {
                            let sign = if step.up { 1.0 } else { -1.0 };
                            assert!((y[i] - x[i] - sign * delta).abs() < 1e-12);
                        } else {
                            assert_eq!(x[i], y[i]);
                        }
                    }
                    moved[step.input] += 1;
                }
                assert_eq!(moved, [1; 5], "each input moves once");
                for j in 0..traj.len() {
                    for &x in traj.point(j).unwrap() {
                        assert!((0.0..=1.0).contains(&x));
                        assert!(((x * top).round() - x * top).abs() < 1e-9, "on the grid");
                    }
                }
            }
        }
    }

    #[test]
    fn every_level_is_equally_likely() {
        // Each coordinate of each point is uniform on the p levels; count them over many
        // trajectories (4000 · 4 points · 3 inputs = 48 000 values, 12 000 expected per level,
        // binomial sd ≈ 95).
        let design = MorrisDesign::new(3, 4000, 4, 17).unwrap();
        let mut counts = [0usize; 4];
        for t in 0..design.trajectories() {
            let traj = design.trajectory(t).unwrap();
            for j in 0..traj.len() {
                for &x in traj.point(j).unwrap() {
                    counts[(x * 3.0).round() as usize] += 1;
                }
            }
        }
        for c in counts {
            assert!((c as f64 - 12_000.0).abs() < 500.0, "{counts:?}");
        }
    }

    #[test]
    fn trajectories_depend_on_seed_and_index_only() {
        let small = MorrisDesign::new(4, 3, 4, 9).unwrap();
        let large = MorrisDesign::new(4, 30, 4, 9).unwrap();
        for t in 0..3 {
            assert_eq!(small.trajectory(t).unwrap(), large.trajectory(t).unwrap());
        }
        let other = MorrisDesign::new(4, 3, 4, 10).unwrap();
        assert_ne!(small.trajectory(0).unwrap(), other.trajectory(0).unwrap());
        let mut x = [0.0; 4];
        large.point(5 * 7 + 2, &mut x).unwrap();
        assert_eq!(&x[..], large.trajectory(7).unwrap().point(2).unwrap());
        assert!(small.trajectory(3).is_err());
    }

    #[test]
    fn linear_response_has_exact_effects() {
        // f = Σ c_i u_i: every effect of input i is c_i, so μ = c_i, μ* = |c_i|, σ = 0, and
        // every resample gives the same μ*. c_3 = 0 is an input that touches nothing.
        let c = [2.0, -3.0, 0.5, 0.0];
        let design = MorrisDesign::new(4, 20, 4, 1).unwrap();
        let values = evaluate(&design, |u| c.iter().zip(u).map(|(c, u)| c * u).sum());
        let idx = morris_indices(&design, &values, 200, 5).unwrap();
        for (i, ix) in idx.iter().enumerate() {
            assert!((ix.mu - c[i]).abs() < 1e-12, "{i}: {ix:?}");
            assert!((ix.mu_star - c[i].abs()).abs() < 1e-12, "{i}: {ix:?}");
            assert!(ix.sigma < 1e-12, "{i}: {ix:?}");
            assert!((ix.mu_star_low - c[i].abs()).abs() < 1e-12, "{i}: {ix:?}");
            assert!((ix.mu_star_high - c[i].abs()).abs() < 1e-12, "{i}: {ix:?}");
        }
        assert_eq!(idx[3].mu_star, 0.0);
        assert_eq!(idx[3].sigma, 0.0);
    }

    #[test]
    fn effects_scale_to_the_physical_range() {
        // A response linear in a physical input x = low + u (high − low) with slope s:
        // μ* = |s| · (high − low) per unit-cube move, and |s| per unit of x.
        let (low, high, slope) = (-2.0, 6.0, -0.75);
        let design = MorrisDesign::new(2, 10, 4, 2).unwrap();
        let values = evaluate(&design, |u| slope * (low + u[0] * (high - low)) + 4.0);
        let idx = morris_indices(&design, &values, 0, 0).unwrap();
        assert!((idx[0].mu_star - slope.abs() * (high - low)).abs() < 1e-12);
        let per_unit = idx[0].per_input_unit(low, high).unwrap();
        assert!((per_unit.mu_star - slope.abs()).abs() < 1e-12);
        assert!((per_unit.mu - slope).abs() < 1e-12);
        assert!(idx[0].per_input_unit(1.0, 1.0).is_err());
        assert!(idx[0].mu_star_low.is_nan(), "no resamples, no interval");
    }

    #[test]
    fn interaction_shows_in_sigma() {
        // f = u0 u1: the effect of u0 is the value of u1 at the time of the move, uniform on
        // {0, 1/3, 2/3, 1}: μ = μ* = 1/2 and σ = sqrt(E[u1²] − 1/4) = sqrt(7/18 − 1/4).
        let design = MorrisDesign::new(2, 3000, 4, 8).unwrap();
        let values = evaluate(&design, |u| u[0] * u[1]);
        let idx = morris_indices(&design, &values, 300, 1).unwrap();
        let sd = (7.0f64 / 18.0 - 0.25).sqrt();
        for ix in &idx {
            assert!((ix.mu - 0.5).abs() < 0.03, "{ix:?}");
            assert!((ix.mu_star - 0.5).abs() < 0.03, "{ix:?}");
            assert!((ix.sigma - sd).abs() < 0.03, "{ix:?} vs {sd}");
            assert!(ix.mu_star_low < ix.mu_star && ix.mu_star < ix.mu_star_high);
            assert!(ix.mu_star_low <= 0.5 && 0.5 <= ix.mu_star_high, "{ix:?}");
        }
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert!(MorrisDesign::new(0, 10, 4, 0).is_err());
        assert!(MorrisDesign::new(3, 1, 4, 0).is_err());
        assert!(MorrisDesign::new(3, 10, 5, 0).is_err());
        assert!(MorrisDesign::new(3, 10, 0, 0).is_err());
        let design = MorrisDesign::new(2, 2, 4, 0).unwrap();
        assert!(morris_indices(&design, &[0.0; 5], 0, 0).is_err());
        let mut bad = [0.0; 6];
        bad[4] = f64::INFINITY;
        assert!(morris_indices(&design, &bad, 0, 0).is_err());
    }
}
