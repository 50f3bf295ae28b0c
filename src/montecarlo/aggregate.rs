//! Mergeable aggregates over runs, exact whatever the order of merging.
//!
//! Sums are kept in fixed point as 128-bit integers and distributions as histograms of
//! integer counts, so merging is associative and commutative to the bit: a batch split over
//! any number of threads, or over shards, aggregates to identical bytes. Memory is fixed by
//! the scenario's size and does not grow with the number of runs.
//!
//! A cell's histogram holds only the bins from its lowest to its highest non-empty one (a
//! [`Window`]): the runs' values of one quantity seldom spread over its whole range, so a
//! 200-actor world's 80,000 pair cells need a small part of their 400 bins each. The window
//! is a function of the counts alone, so grids merged in any order stay equal to the bit.

use serde::{Deserialize, Serialize};

use super::tally::{MergeError, f64_bits, same_shape};

/// Fixed-point scale of a value: 2^40, so a value in [-1, 1] keeps about 12 decimal digits.
const SCALE: f64 = (1u64 << 40) as f64;

/// Histogram bin width. A quantile read from the histogram lies in the same bin as the exact
/// sample quantile, so its error is below this.
pub const BIN_WIDTH: f64 = 0.005;

/// Moments and a histogram for each of `cells` quantities over a fixed range `[lo, hi]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatGrid {
    cells: usize,
    bins: usize,
    lo: f64,
    hi: f64,
    windows: Vec<Window>,
    sum: Vec<i128>,
    sum_sq: Vec<i128>,
    #[serde(with = "f64_bits")]
    min: Vec<f64>,
    #[serde(with = "f64_bits")]
    max: Vec<f64>,
}

/// The non-empty part of one cell's histogram: the counts of bins `first..first + len`, the
/// first and last of them non-zero (or none at all).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    first: u32,
    counts: Vec<u64>,
}

impl Window {
    /// Counts `k` values in bin `b`, widening the window to it when needed.
    #[inline]
    fn bump(&mut self, b: u32, k: u64) {
        if self.counts.is_empty() {
            self.first = b;
            self.counts.push(k);
            return;
        }
        if b < self.first {
            let grow = (self.first - b) as usize;
            self.counts.splice(0..0, std::iter::repeat_n(0, grow));
            self.first = b;
        }
        let i = (b - self.first) as usize;
        if i >= self.counts.len() {
            self.counts.resize(i + 1, 0);
        }
        self.counts[i] += k;
    }

    fn add(&mut self, other: &Window) {
        for (i, &c) in other.counts.iter().enumerate() {
            if c > 0 {
                self.bump(other.first + i as u32, c);
            }
        }
    }

    /// `(bin, count)` of every bin of the window, in bin order.
    fn bins(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        let first = self.first as usize;
        self.counts
            .iter()
            .enumerate()
            .map(move |(i, &c)| (first + i, c))
    }

    fn total(&self) -> u64 {
        self.counts.iter().sum()
    }
}

/// What one cell of a [`StatGrid`] reports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellSummary {
    pub mean: f64,
    pub sd: f64,
    pub min: f64,
    pub max: f64,
}

impl StatGrid {
    pub fn new(cells: usize, lo: f64, hi: f64) -> StatGrid {
        let bins = ((hi - lo) / BIN_WIDTH).round() as usize;
        StatGrid {
            cells,
            bins,
            lo,
            hi,
            windows: vec![Window::default(); cells],
            sum: vec![0; cells],
            sum_sq: vec![0; cells],
            min: vec![f64::INFINITY; cells],
            max: vec![f64::NEG_INFINITY; cells],
        }
    }

    pub fn cells(&self) -> usize {
        self.cells
    }

    /// Adds one observation of cell `cell`.
    pub fn add(&mut self, cell: usize, x: f64) {
        self.add_column(cell, std::slice::from_ref(&x), 1);
    }

    /// Adds `xs[k * stride]`, for every k, as observations of cell `cell`: a column of a
    /// row-major table of runs. One cell's sums stay in registers and its histogram in
    /// cache for the whole column. Values are clamped to the range first; the model keeps
    /// every quantity in its range, so this only guards the bin index.
    pub fn add_column(&mut self, cell: usize, xs: &[f64], stride: usize) {
        let (lo, hi, bins) = (self.lo, self.hi, self.bins);
        let window = &mut self.windows[cell];
        let (mut sum, mut sum_sq) = (self.sum[cell], self.sum_sq[cell]);
        let (mut min, mut max) = (self.min[cell], self.max[cell]);
        for &x in xs.iter().step_by(stride.max(1)) {
            let x = x.clamp(lo, hi);
            // Truncation is one instruction where `round` is a library call; the fixed
            // point keeps 2^-40, far below anything reported, either way.
            let q = i128::from((x * SCALE) as i64);
            sum += q;
            sum_sq += q * q;
            if x < min {
                min = x;
            }
            if x > max {
                max = x;
            }
            // Through i64: a signed conversion is one instruction, an unsigned one several.
            let b = (((x - lo) * (1.0 / BIN_WIDTH)) as i64 as usize).min(bins - 1);
            window.bump(b as u32, 1);
        }
        (self.sum[cell], self.sum_sq[cell]) = (sum, sum_sq);
        (self.min[cell], self.max[cell]) = (min, max);
    }

    /// Adds every observation of `other`; refuses a grid of another shape or range.
    pub fn merge(&mut self, other: &StatGrid) -> Result<(), MergeError> {
        same_shape(
            "distributions (cells, bins, range)",
            (self.cells, self.bins, self.lo.to_bits(), self.hi.to_bits()),
            (
                other.cells,
                other.bins,
                other.lo.to_bits(),
                other.hi.to_bits(),
            ),
        )?;
        for (a, b) in self.windows.iter_mut().zip(&other.windows) {
            a.add(b);
        }
        for (a, b) in self.sum.iter_mut().zip(&other.sum) {
            *a += b;
        }
        for (a, b) in self.sum_sq.iter_mut().zip(&other.sum_sq) {
            *a += b;
        }
        for (a, b) in self.min.iter_mut().zip(&other.min) {
            *a = a.min(*b);
        }
        for (a, b) in self.max.iter_mut().zip(&other.max) {
            *a = a.max(*b);
        }
        Ok(())
    }

    /// Number of observations of a cell.
    pub fn count(&self, cell: usize) -> u64 {
        self.windows[cell].total()
    }

    /// Mean, sample standard deviation (n − 1), minimum and maximum of a cell.
    pub fn summary(&self, cell: usize) -> CellSummary {
        let n = self.count(cell);
        if n == 0 {
            return CellSummary {
                mean: f64::NAN,
                sd: f64::NAN,
                min: f64::NAN,
                max: f64::NAN,
            };
        }
        let nf = n as f64;
        let sum = self.sum[cell] as f64 / SCALE;
        let sum_sq = self.sum_sq[cell] as f64 / (SCALE * SCALE);
        let mean = sum / nf;
        let sd = if n > 1 {
            ((sum_sq - sum * mean) / (nf - 1.0)).max(0.0).sqrt()
        } else {
            0.0
        };
        CellSummary {
            mean,
            sd,
            min: self.min[cell],
            max: self.max[cell],
        }
    }

    /// The q-quantile of a cell (0 ≤ q ≤ 1), read from its histogram: the bin that holds the
    /// k-th smallest observation, k = max(1, ⌈q n⌉), interpolated by rank within the bin and
    /// kept within the observed minimum and maximum. The exact k-th observation lies in
    /// the same bin, so the error is below [`BIN_WIDTH`].
    pub fn quantile(&self, cell: usize, q: f64) -> f64 {
        let window = &self.windows[cell];
        let n = window.total();
        if n == 0 {
            return f64::NAN;
        }
        let k = ((q * n as f64).ceil() as u64).clamp(1, n);
        let mut below = 0u64;
        for (b, c) in window.bins() {
            if below + c >= k {
                let within = (k - below) as f64 - 0.5;
                let x = self.lo + BIN_WIDTH * (b as f64 + within / c as f64);
                return x.clamp(self.min[cell], self.max[cell]);
            }
            below += c;
        }
        self.max[cell]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact_quantile(xs: &[f64], q: f64) -> f64 {
        let mut v = xs.to_vec();
        v.sort_by(f64::total_cmp);
        let k = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
        v[k - 1]
    }

    #[test]
    fn quantiles_are_within_one_bin_of_exact() {
        let xs: Vec<f64> = (0..1000)
            .map(|i| ((i * 7919) % 1000) as f64 / 500.0 - 1.0)
            .collect();
        let mut g = StatGrid::new(1, -1.0, 1.0);
        for &x in &xs {
            g.add(0, x);
        }
        for q in [0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0] {
            let err = (g.quantile(0, q) - exact_quantile(&xs, q)).abs();
            assert!(err < BIN_WIDTH, "q={q} err={err}");
        }
    }

    #[test]
    fn a_constant_is_reported_exactly() {
        let mut g = StatGrid::new(1, -1.0, 1.0);
        for _ in 0..10 {
            g.add(0, 0.3);
        }
        assert_eq!(g.quantile(0, 0.5), 0.3);
        let s = g.summary(0);
        assert!((s.mean - 0.3).abs() < 1e-12);
        assert_eq!(s.sd, 0.0);
    }

    #[test]
    fn merging_in_any_order_gives_identical_bits() {
        let xs: Vec<f64> = (0..500).map(|i| ((i as f64) * 0.618).sin()).collect();
        let mut whole = StatGrid::new(1, -1.0, 1.0);
        xs.iter().for_each(|&x| whole.add(0, x));
        let mut parts = [StatGrid::new(1, -1.0, 1.0), StatGrid::new(1, -1.0, 1.0)];
        for (i, &x) in xs.iter().enumerate() {
            parts[i % 2].add(0, x);
        }
        let mut merged = parts[1].clone();
        merged.merge(&parts[0]).unwrap();
        assert_eq!(merged, whole);
        assert_eq!(
            merged.summary(0).mean.to_bits(),
            whole.summary(0).mean.to_bits()
        );
    }

    #[test]
    fn windows_hold_only_the_bins_between_the_extremes_whatever_the_order() {
        let mut a = StatGrid::new(2, -1.0, 1.0);
        for x in [0.30, 0.31, 0.2951, 0.33] {
            a.add(0, x);
        }
        // 0.2951..0.33 lies in bins 259..266 of 400.
        assert_eq!(a.windows[0].first, 259);
        assert_eq!(a.windows[0].counts.len(), 8);
        assert!(a.windows[1].counts.is_empty());
        // The same values in another order, or split and merged, give the same window.
        let mut b = StatGrid::new(2, -1.0, 1.0);
        for x in [0.33, 0.2951] {
            b.add(0, x);
        }
        let mut c = StatGrid::new(2, -1.0, 1.0);
        for x in [0.31, 0.30] {
            c.add(0, x);
        }
        b.merge(&c).unwrap();
        assert_eq!(a, b);
        // A value below and one above widen it at both ends.
        a.add(0, -1.0);
        a.add(0, 1.0);
        assert_eq!(a.windows[0].first, 0);
        assert_eq!(a.windows[0].counts.len(), 400);
        assert_eq!(a.count(0), 6);
        assert!((a.quantile(0, 0.0) + 1.0).abs() < BIN_WIDTH);
        assert!((a.quantile(0, 1.0) - 1.0).abs() < BIN_WIDTH);
    }

    #[test]
    fn moments_match_direct_computation() {
        let xs = [0.1, -0.4, 0.9, 0.25, -1.0, 1.0];
        let mut g = StatGrid::new(1, -1.0, 1.0);
        xs.iter().for_each(|&x| g.add(0, x));
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let s = g.summary(0);
        assert!((s.mean - mean).abs() < 1e-11);
        assert!((s.sd - var.sqrt()).abs() < 1e-11);
    }
}
