//! Percentile bootstrap over rows: the resampling shared by the Sobol' and Morris intervals.
//!
//! A resample is held as a count per row (how many times the row was drawn), not as a list of
//! drawn rows, so every statistic is a weighted sum over the original rows and no resampled
//! copy of the data is ever made: memory stays that of the data plus one count per row.

use rand::SeedableRng;
use rand::{Rng, RngExt};
use rand_chacha::ChaCha8Rng;

/// The two-sided coverage of the reported intervals.
const COVERAGE: f64 = 0.95;

/// The generator of one bootstrap: ChaCha8 seeded from `seed`, so that the intervals are a
/// function of the data and the seed alone.
pub(super) fn generator(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// Draws one resample of `counts.len()` rows with replacement into `counts`.
/// Rows are drawn as `u64` so that the draws are the same on 32- and 64-bit targets.
pub(super) fn resample(rng: &mut impl Rng, counts: &mut [u32]) {
    counts.fill(0);
    let n = counts.len() as u64;
    for _ in 0..n {
        let row = rng.random_range(0..n) as usize;
        counts[row] += 1;
    }
}

/// The 2.5% and 97.5% percentiles of `samples` (reordered in place), interpolated linearly
/// between order statistics (Hyndman & Fan's definition 7, the default of R and numpy), so
/// that the ends do not jump from one order statistic to the next as the resample count
/// changes. NaN samples (resamples where the statistic was undefined) are left out; with none
/// left, both ends are NaN: an interval that cannot be estimated is not reported as certain.
pub(super) fn percentile_interval(samples: &mut Vec<f64>) -> (f64, f64) {
    samples.retain(|v| !v.is_nan());
    if samples.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    samples.sort_unstable_by(f64::total_cmp);
    let tail = (1.0 - COVERAGE) / 2.0;
    (quantile(samples, tail), quantile(samples, 1.0 - tail))
}

/// Quantile `p` of sorted, non-empty `sorted` by linear interpolation (definition 7).
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let below = h.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    let frac = h - below as f64;
    sorted[below] + frac * (sorted[above] - sorted[below])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_between_order_statistics() {
        // 0, 1, ..., 100: h = 100 p exactly, so the 2.5% point is 2.5 and the 97.5% is 97.5.
        let mut v: Vec<f64> = (0..=100).rev().map(f64::from).collect();
        let (low, high) = percentile_interval(&mut v);
        assert!((low - 2.5).abs() < 1e-12, "{low}");
        assert!((high - 97.5).abs() < 1e-12, "{high}");
    }

    #[test]
    fn nan_samples_are_left_out_and_none_left_gives_nan() {
        let mut v = vec![f64::NAN, 3.0, f64::NAN];
        assert_eq!(percentile_interval(&mut v), (3.0, 3.0));
        let mut v = vec![f64::NAN];
        let (low, high) = percentile_interval(&mut v);
        assert!(low.is_nan() && high.is_nan());
    }

    #[test]
    fn resample_draws_as_many_rows_as_there_are_and_is_seeded() {
        let mut a = vec![0u32; 50];
        let mut b = vec![0u32; 50];
        resample(&mut generator(7), &mut a);
        resample(&mut generator(7), &mut b);
        assert_eq!(a.iter().sum::<u32>(), 50);
        assert_eq!(a, b);
        resample(&mut generator(8), &mut b);
        assert_ne!(a, b);
    }
}
