//! Sobol' indices: the Saltelli design and the first-order and total estimators.
//!
//! **Design.** Base row k (k = 0 .. N − 1) is point k of a Sobol' sequence in 2D dimensions:
//! its first D coordinates are row k of matrix A, its last D row k of matrix B, and AB_i is A
//! with column i taken from B. The design lists, for each base row in turn, the points A_k,
//! B_k, AB_k^(0), ..., AB_k^(D−1): N(D + 2) points, point j belonging to base row j / (D + 2).
//! Any point is computed from its index alone, so the design can be evaluated in shards.
//! N a power of two keeps the balance of the Sobol' nets (each coordinate then takes one value
//! in each of N equal intervals); other N work but estimate less well.
//!
//! **Estimators** (MODEL.md, "Sensitivity"). Every value is first centred by the mean of all
//! N(D + 2) values, which leaves the estimands unchanged but lowers the variance of the
//! first-order estimator (as SALib does). With f_A, f_B, f_ABi centred and V the variance of
//! the 2N values f_A ∪ f_B (divided by 2N, around their own mean):
//! - first order S_i = mean_k(f_B (f_ABi − f_A)) / V (Saltelli et al. 2010, eq. (b) of table 2);
//! - total ST_i = mean_k((f_A − f_ABi)²) / (2V) (Jansen 1999).
//!
//! If the 2N values of f_A and f_B are all equal, V = 0 and no index is defined: the result is
//! `None`, to be reported as empty, not as zero.
//!
//! **Intervals.** A percentile bootstrap over the N base rows: each resample draws N rows with
//! replacement (a row carries its A, B and every AB_i value together), and both indices are
//! recomputed on it from scratch, including the centring, which uses the mean over the
//! resample's N(D + 2) values, and V, which uses the resample's f_A ∪ f_B. A resample whose
//! f_A ∪ f_B values are all equal has no indices and is left out. The interval is the 2.5% and
//! 97.5% percentiles of the resampled indices. The bootstrap treats rows as independent; on
//! Sobol' points the estimators are more accurate than on independent ones, so the intervals
//! err on the wide side.

use super::bootstrap::{generator, percentile_interval, resample};
use super::sobol_seq::{MAX_DIMS, MAX_POINTS, SobolSequence};
use super::{SensitivityError, check_finite, check_len};

/// Which matrix of the Saltelli design a point belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Matrix {
    /// The first D coordinates of the base row.
    A,
    /// The last D coordinates of the base row.
    B,
    /// A with the column of this input taken from B.
    AB(usize),
}

/// The N(D + 2) points of a Saltelli design over D inputs, in the unit cube.
#[derive(Debug, Clone)]
pub struct SaltelliDesign {
    n_base: u64,
    dims: usize,
    sequence: SobolSequence,
}

impl SaltelliDesign {
    /// A design of `n_base` base rows over `dims` inputs, on the Sobol' sequence in 2·`dims`
    /// dimensions scrambled by `scramble_seed` (MODEL.md asks for a scrambled one; `None`
    /// gives the plain sequence, whose first row is the corner 0).
    pub fn new(
        n_base: u64,
        dims: usize,
        scramble_seed: Option<u64>,
    ) -> Result<SaltelliDesign, SensitivityError> {
        if n_base == 0 || n_base > MAX_POINTS {
            return Err(SensitivityError::InvalidParameter {
                name: "base rows",
                value: n_base.to_string(),
                expected: "between 1 and 2^52",
            });
        }
        if dims == 0 {
            return Err(SensitivityError::NoInputs {
                what: "a Saltelli design",
            });
        }
        if 2 * dims > MAX_DIMS {
            return Err(SensitivityError::TooManyDimensions {
                requested: 2 * dims,
                max: MAX_DIMS,
            });
        }
        Ok(SaltelliDesign {
            n_base,
            dims,
            sequence: SobolSequence::new(2 * dims, scramble_seed)?,
        })
    }

    /// Number of base rows N.
    pub fn n_base(&self) -> u64 {
        self.n_base
    }

    /// Number of inputs D.
    pub fn dims(&self) -> usize {
        self.dims
    }

    /// Number of points, N(D + 2). It fits: N ≤ 2^52 and D + 2 ≤ 514.
    pub fn len(&self) -> u64 {
        self.n_base * (self.dims as u64 + 2)
    }

    /// Always false: a design has at least one base row.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The base row and matrix of point `index`.
    pub fn locate(&self, index: u64) -> Result<(u64, Matrix), SensitivityError> {
        if index >= self.len() {
            return Err(SensitivityError::IndexOutOfRange {
                what: "a Saltelli design",
                index,
                len: self.len(),
            });
        }
        let per_row = self.dims as u64 + 2;
        let row = index / per_row;
        let matrix = match index % per_row {
            0 => Matrix::A,
            1 => Matrix::B,
            j => Matrix::AB((j - 2) as usize),
        };
        Ok((row, matrix))
    }

    /// The index of the point of base row `row` in `matrix`: the inverse of [`Self::locate`].
    pub fn index_of(&self, row: u64, matrix: Matrix) -> Result<u64, SensitivityError> {
        let offset = match matrix {
            Matrix::A => 0,
            Matrix::B => 1,
            Matrix::AB(i) if i < self.dims => 2 + i as u64,
            Matrix::AB(i) => {
                return Err(SensitivityError::IndexOutOfRange {
                    what: "the inputs of a Saltelli design",
                    index: i as u64,
                    len: self.dims as u64,
                });
            }
        };
        if row >= self.n_base {
            return Err(SensitivityError::IndexOutOfRange {
                what: "the base rows of a Saltelli design",
                index: row,
                len: self.n_base,
            });
        }
        Ok(row * (self.dims as u64 + 2) + offset)
    }

    /// Writes the unit-cube coordinates of point `index` into `out` (D values) and returns
    /// its base row and matrix.
    pub fn point(&self, index: u64, out: &mut [f64]) -> Result<(u64, Matrix), SensitivityError> {
        if out.len() != self.dims {
            return Err(SensitivityError::LengthMismatch {
                what: "the buffer of a design point",
                expected: self.dims,
                found: out.len(),
            });
        }
        let (row, matrix) = self.locate(index)?;
        let d = self.dims;
        for (i, x) in out.iter_mut().enumerate() {
            let column = match matrix {
                Matrix::A => i,
                Matrix::B => d + i,
                Matrix::AB(j) if j == i => d + i,
                Matrix::AB(_) => i,
            };
            *x = self.sequence.coordinate(row, column)?;
        }
        Ok((row, matrix))
    }
}

/// The Sobol' indices of one input with their 95% bootstrap intervals. An interval is NaN at
/// both ends when no resample could be drawn (a bootstrap of 0 resamples) or every resample
/// was degenerate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SobolIndex {
    /// First-order index S_i: the share of the variance due to input i alone.
    pub first: f64,
    pub first_low: f64,
    pub first_high: f64,
    /// Total index ST_i: the share due to input i including all its interactions.
    pub total: f64,
    pub total_low: f64,
    pub total_high: f64,
}

/// The Sobol' indices of every input from the values of a measure on the N base rows:
/// `f_a[k]`, `f_b[k]` and `f_ab[i][k]` are its values at A_k, B_k and AB_k^(i).
/// `bootstrap` resamples (0 for none; [`super::DEFAULT_BOOTSTRAP`] is usual) drawn from a
/// generator seeded by `seed` give the intervals. `None` when V = 0 (the measure does not vary
/// over A and B).
pub fn sobol_indices<V: AsRef<[f64]>>(
    f_a: &[f64],
    f_b: &[f64],
    f_ab: &[V],
    bootstrap: usize,
    seed: u64,
) -> Result<Option<Vec<SobolIndex>>, SensitivityError> {
    let n = f_a.len();
    if n == 0 {
        return Err(SensitivityError::InvalidParameter {
            name: "base rows",
            value: "0".into(),
            expected: "at least 1",
        });
    }
    if f_ab.is_empty() {
        return Err(SensitivityError::NoInputs {
            what: "Sobol' indices",
        });
    }
    check_len("f_B", f_b, n)?;
    check_finite("f_A", f_a)?;
    check_finite("f_B", f_b)?;
    for ab in f_ab {
        check_len("an f_ABi", ab.as_ref(), n)?;
        check_finite("an f_ABi", ab.as_ref())?;
    }
    let ab: Vec<&[f64]> = f_ab.iter().map(AsRef::as_ref).collect();
    let d = ab.len();

    // V = 0 exactly when f_A ∪ f_B is constant; tested on the raw values so that rounding in
    // the centring cannot turn a constant measure into a tiny spurious variance.
    if f_a.iter().chain(f_b).all(|&v| v == f_a[0]) {
        return Ok(None);
    }

    // Centre by the mean over all points once, so that the sums below do not cancel large
    // offsets; each estimate then removes what is left of the mean on its own rows.
    let total: f64 =
        f_a.iter().chain(f_b).sum::<f64>() + ab.iter().map(|c| c.iter().sum::<f64>()).sum::<f64>();
    let mean = total / (n * (d + 2)) as f64;
    let data = Centred {
        a: f_a.iter().map(|v| v - mean).collect(),
        b: f_b.iter().map(|v| v - mean).collect(),
        ab,
        mean,
    };

    let mut first = vec![0.0; d];
    let mut total_index = vec![0.0; d];
    let ones = vec![1u32; n];
    data.estimate(&ones, &mut first, &mut total_index);

    // Resampled indices, resample-major: entry r·D + i is input i in resample r.
    let mut first_samples = vec![f64::NAN; bootstrap * d];
    let mut total_samples = vec![f64::NAN; bootstrap * d];
    let mut rng = generator(seed);
    let mut counts = vec![0u32; n];
    for r in 0..bootstrap {
        resample(&mut rng, &mut counts);
        let window = r * d..(r + 1) * d;
        data.estimate(
            &counts,
            &mut first_samples[window.clone()],
            &mut total_samples[window],
        );
    }

    let mut column = Vec::with_capacity(bootstrap);
    let mut interval = |samples: &[f64], i: usize| {
        column.clear();
        column.extend(samples.iter().skip(i).step_by(d));
        percentile_interval(&mut column)
    };
    Ok(Some(
        (0..d)
            .map(|i| {
                let (first_low, first_high) = interval(&first_samples, i);
                let (total_low, total_high) = interval(&total_samples, i);
                SobolIndex {
                    first: first[i],
                    first_low,
                    first_high,
                    total: total_index[i],
                    total_low,
                    total_high,
                }
            })
            .collect(),
    ))
}

/// [`sobol_indices`] on the values of a measure listed in the order of `design`'s points.
pub fn sobol_indices_in_design_order(
    design: &SaltelliDesign,
    values: &[f64],
    bootstrap: usize,
    seed: u64,
) -> Result<Option<Vec<SobolIndex>>, SensitivityError> {
    let d = design.dims();
    let per_row = d + 2;
    if values.len() as u64 != design.len() {
        return Err(SensitivityError::LengthMismatch {
            what: "the values of a Saltelli design",
            expected: usize::try_from(design.len()).unwrap_or(usize::MAX),
            found: values.len(),
        });
    }
    let rows = values.chunks_exact(per_row);
    let f_a: Vec<f64> = rows.clone().map(|r| r[0]).collect();
    let f_b: Vec<f64> = rows.clone().map(|r| r[1]).collect();
    let f_ab: Vec<Vec<f64>> = (0..d)
        .map(|i| rows.clone().map(|r| r[2 + i]).collect())
        .collect();
    sobol_indices(&f_a, &f_b, &f_ab, bootstrap, seed)
}

/// A measure's values on the N base rows, less the mean over all N(D + 2) of them.
struct Centred<'a> {
    a: Vec<f64>,
    b: Vec<f64>,
    /// Not copied: the global mean is subtracted as the values are read.
    ab: Vec<&'a [f64]>,
    mean: f64,
}

impl Centred<'_> {
    /// Both indices of every input on the rows drawn `counts[k]` times each, into `first`
    /// and `total`; left as NaN when f_A ∪ f_B is constant on those rows.
    fn estimate(&self, counts: &[u32], first: &mut [f64], total: &mut [f64]) {
        let d = self.ab.len();
        let drawn: f64 = counts.iter().map(|&c| f64::from(c)).sum();

        // Degeneracy on the drawn rows, judged exactly as for the full sample.
        let mut level = None;
        let mut varies = false;
        for (k, &c) in counts.iter().enumerate() {
            if c == 0 {
                continue;
            }
            for v in [self.a[k], self.b[k]] {
                match level {
                    None => level = Some(v),
                    Some(l) if l != v => varies = true,
                    Some(_) => {}
                }
            }
        }
        if !varies {
            first.fill(f64::NAN);
            total.fill(f64::NAN);
            return;
        }

        // The residual mean of all the drawn rows' values, and that of f_A ∪ f_B alone.
        let mut sum_all = 0.0;
        let mut sum_ab = 0.0;
        for (k, &c) in counts.iter().enumerate() {
            if c == 0 {
                continue;
            }
            let w = f64::from(c);
            let pair = self.a[k] + self.b[k];
            let mixed: f64 = self.ab.iter().map(|col| col[k] - self.mean).sum();
            sum_ab += w * pair;
            sum_all += w * (pair + mixed);
        }
        let centre = sum_all / (drawn * (d + 2) as f64);
        let mid = sum_ab / (2.0 * drawn);
        let mut spread = 0.0;
        for (k, &c) in counts.iter().enumerate() {
            let (da, db) = (self.a[k] - mid, self.b[k] - mid);
            spread += f64::from(c) * (da * da + db * db);
        }
        let variance = spread / (2.0 * drawn);

        for (i, col) in self.ab.iter().enumerate() {
            let mut first_sum = 0.0;
            let mut total_sum = 0.0;
            for (k, &c) in counts.iter().enumerate() {
                if c == 0 {
                    continue;
                }
                let w = f64::from(c);
                let a = self.a[k];
                let mixed = col[k] - self.mean;
                first_sum += w * (self.b[k] - centre) * (mixed - a);
                total_sum += w * (a - mixed) * (a - mixed);
            }
            first[i] = first_sum / drawn / variance;
            total[i] = total_sum / (2.0 * drawn * variance);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// Evaluates `f` (on unit-cube points) over every point of `design`, in design order.
    fn evaluate(design: &SaltelliDesign, f: impl Fn(&[f64]) -> f64) -> Vec<f64> {
        let mut x = vec![0.0; design.dims()];
        (0..design.len())
            .map(|j| {
                design.point(j, &mut x).unwrap();
                f(&x)
            })
            .collect()
    }

    /// Ishigami & Homma (1990) on [−π, π]^3 with a = 7, b = 0.1; the fourth coordinate,
    /// if any, is ignored.
    fn ishigami(u: &[f64]) -> f64 {
        let x: Vec<f64> = u.iter().map(|u| -PI + 2.0 * PI * u).collect();
        x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
    }

    /// The analytic first-order and total indices of the Ishigami function (Sobol' & Levitan
    /// 1999; Saltelli et al. 2010, section 4): V1 = (1 + bπ⁴/5)²/2, V2 = a²/8,
    /// V13 = 8b²π⁸/225, V = V1 + V2 + V13.
    fn ishigami_truth() -> ([f64; 3], [f64; 3]) {
        let (a, b) = (7.0_f64, 0.1_f64);
        let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
        let v2 = a * a / 8.0;
        let v13 = 8.0 * b * b * PI.powi(8) / 225.0;
        let v = v1 + v2 + v13;
        ([v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v])
    }

    #[test]
    fn analytic_ishigami_values_are_the_published_ones() {
        // Guards the closed forms used below against a typo.
        let (s, st) = ishigami_truth();
        for (got, want) in s
            .iter()
            .chain(&st)
            .zip([0.3139, 0.4424, 0.0, 0.5576, 0.4424, 0.2437])
        {
            assert!((got - want).abs() < 1e-4, "{got} vs {want}");
        }
    }

    #[test]
    fn ishigami_indices_match_the_analytic_ones() {
        // A fourth input that the function ignores must get total index 0 (exactly: f_A and
        // f_AB3 coincide) and first order 0, each inside its interval.
        let design = SaltelliDesign::new(1 << 13, 4, Some(2024)).unwrap();
        let values = evaluate(&design, ishigami);
        let idx = sobol_indices_in_design_order(&design, &values, 500, 1)
            .unwrap()
            .unwrap();
        let (s, st) = ishigami_truth();
        for i in 0..3 {
            let ix = &idx[i];
            assert!((ix.first - s[i]).abs() < 0.02, "S{i}: {ix:?} vs {}", s[i]);
            assert!(
                (ix.total - st[i]).abs() < 0.02,
                "ST{i}: {ix:?} vs {}",
                st[i]
            );
            assert!(
                ix.first_low <= s[i] && s[i] <= ix.first_high,
                "S{i}: {ix:?}"
            );
            assert!(
                ix.total_low <= st[i] && st[i] <= ix.total_high,
                "ST{i}: {ix:?}"
            );
            assert!(ix.first_high - ix.first_low < 0.1 && ix.total_high - ix.total_low < 0.1);
        }
        let dummy = &idx[3];
        assert_eq!(dummy.total, 0.0);
        assert!(
            dummy.total_low <= 0.0 && 0.0 <= dummy.total_high,
            "{dummy:?}"
        );
        assert!(dummy.first.abs() < 1e-12, "{dummy:?}");
        assert!(
            dummy.first_low <= 0.0 && 0.0 <= dummy.first_high,
            "{dummy:?}"
        );
    }

    #[test]
    fn additive_linear_model_splits_variance_by_squared_coefficients() {
        // f = Σ c_i x_i on uniform inputs: V_i = c_i²/12, no interactions, so
        // S_i = ST_i = c_i² / Σ c_j².
        let c = [1.0, -2.0, 0.5, 3.0, 0.0];
        let design = SaltelliDesign::new(1 << 12, c.len(), Some(5)).unwrap();
        let values = evaluate(&design, |x| c.iter().zip(x).map(|(c, x)| c * x).sum());
        let idx = sobol_indices_in_design_order(&design, &values, 200, 2)
            .unwrap()
            .unwrap();
        let norm: f64 = c.iter().map(|c| c * c).sum();
        for (i, ix) in idx.iter().enumerate() {
            let truth = c[i] * c[i] / norm;
            assert!((ix.first - truth).abs() < 0.01, "S{i}: {ix:?} vs {truth}");
            assert!((ix.total - truth).abs() < 0.01, "ST{i}: {ix:?} vs {truth}");
            assert!(
                ix.first_low <= truth && truth <= ix.first_high,
                "S{i}: {ix:?}"
            );
            assert!(
                ix.total_low <= truth && truth <= ix.total_high,
                "ST{i}: {ix:?}"
            );
        }
    }

    #[test]
    fn estimators_follow_the_written_formulas_on_a_small_case() {
        // N = 2, D = 1, worked by hand. Values: A = (1, 3), B = (2, 6), AB = (2, 5).
        // Mean of all six: 19/6. Centred: A = (−13, −1)/6, B = (−7, 17)/6, AB = (−7, 11)/6.
        // f_A ∪ f_B = (1, 3, 2, 6): mean 3, V = (4 + 0 + 1 + 9)/4 = 3.5.
        // S = mean(B (AB − A)) / V = ((−7/6)(6/6) + (17/6)(12/6)) / 2 / 3.5
        //   = (−7/6 + 34/6) / 7 = 27/42.
        // ST = mean((A − AB)²) / (2V) = ((−1)² + (−2)²) / 2 / 7 = 5/14.
        let idx = sobol_indices(&[1.0, 3.0], &[2.0, 6.0], &[vec![2.0, 5.0]], 0, 0)
            .unwrap()
            .unwrap();
        assert!((idx[0].first - 27.0 / 42.0).abs() < 1e-12, "{:?}", idx[0]);
        assert!((idx[0].total - 5.0 / 14.0).abs() < 1e-12, "{:?}", idx[0]);
        // No resamples: no interval.
        assert!(idx[0].first_low.is_nan() && idx[0].total_high.is_nan());
    }

    #[test]
    fn constant_measure_has_no_indices() {
        let f = vec![0.25; 64];
        assert_eq!(
            sobol_indices(&f, &f, &[f.clone(), f.clone()], 100, 1).unwrap(),
            None
        );
        // Constant on A and B but not on AB: V is still 0.
        assert_eq!(
            sobol_indices(&f, &f, &[vec![1.0; 64]], 100, 1).unwrap(),
            None
        );
    }

    #[test]
    fn bootstrap_is_reproducible_and_seeded() {
        let design = SaltelliDesign::new(256, 3, Some(1)).unwrap();
        let values = evaluate(&design, ishigami);
        let a = sobol_indices_in_design_order(&design, &values, 100, 11).unwrap();
        let b = sobol_indices_in_design_order(&design, &values, 100, 11).unwrap();
        let c = sobol_indices_in_design_order(&design, &values, 100, 12).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        // The point estimates do not depend on the bootstrap.
        for (x, y) in a.unwrap().iter().zip(c.unwrap().iter()) {
            assert_eq!((x.first, x.total), (y.first, y.total));
        }
    }

    #[test]
    fn design_points_take_columns_from_the_right_matrix() {
        let design = SaltelliDesign::new(8, 3, Some(4)).unwrap();
        let seq = SobolSequence::new(6, Some(4)).unwrap();
        let mut row = [0.0; 6];
        let mut x = [0.0; 3];
        for j in 0..design.len() {
            let (k, m) = design.point(j, &mut x).unwrap();
            assert_eq!(design.index_of(k, m).unwrap(), j);
            assert_eq!(j / 5, k);
            seq.point(k, &mut row).unwrap();
            let expected: Vec<f64> = match m {
                Matrix::A => row[..3].to_vec(),
                Matrix::B => row[3..].to_vec(),
                Matrix::AB(i) => (0..3)
                    .map(|c| row[if c == i { 3 + c } else { c }])
                    .collect(),
            };
            assert_eq!(x.to_vec(), expected, "point {j}");
        }
        assert_eq!(design.locate(0).unwrap(), (0, Matrix::A));
        assert_eq!(design.locate(1).unwrap(), (0, Matrix::B));
        assert_eq!(design.locate(4).unwrap(), (0, Matrix::AB(2)));
        assert_eq!(design.locate(5).unwrap(), (1, Matrix::A));
        assert!(design.locate(40).is_err());
        assert!(design.index_of(0, Matrix::AB(3)).is_err());
        assert!(design.index_of(8, Matrix::A).is_err());
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert!(SaltelliDesign::new(0, 2, None).is_err());
        assert!(SaltelliDesign::new(4, 0, None).is_err());
        assert!(SaltelliDesign::new(4, 512, None).is_ok());
        assert!(SaltelliDesign::new(4, 513, None).is_err());
        let ok = [1.0, 2.0];
        assert!(sobol_indices(&ok, &[1.0], &[ok], 0, 0).is_err());
        assert!(sobol_indices(&ok, &ok, &[[1.0]], 0, 0).is_err());
        assert!(sobol_indices(&ok, &[1.0, f64::NAN], &[ok], 0, 0).is_err());
        assert!(sobol_indices::<[f64; 2]>(&ok, &ok, &[], 0, 0).is_err());
        assert!(sobol_indices(&[], &[], &[[0.0; 0]], 0, 0).is_err());
        let design = SaltelliDesign::new(2, 1, None).unwrap();
        assert!(sobol_indices_in_design_order(&design, &[0.0; 5], 0, 0).is_err());
    }
}
