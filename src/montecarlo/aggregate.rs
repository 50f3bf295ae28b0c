//! Mergeable aggregates over runs, exact whatever the order of merging.
//!
//! Sums are kept in fixed point as 128-bit integers and distributions as histograms of
//! integer counts, so merging is associative and commutative to the bit: a batch split over
//! any number of threads, or over shards, aggregates to identical bytes. Memory is fixed by
//! the scenario's size and does not grow with the number of runs.
//!
//! A cell's histogram holds only the bins from its lowest to its highest non-empty one (a
//! [`Window`]), its counts in the narrowest of u8, u16, u32 and u64 that holds the largest:
//! the runs' values of one quantity seldom spread over its whole range, and most bins of a
//! few thousand runs count fewer than 256, so a 200-actor world's 80,000 pair cells need a
//! small part of their 400 bins each, at a byte or two a bin. Window and count type are
//! functions of the counts alone, so grids filled and merged in any order stay equal to the
//! bit, and are saved as plain lists of counts.
//!
//! Memory is bounded whatever the runs: a cell's window is at most its 400 bins (200 for
//! threat), and no count exceeds the number of runs, so up to 65,535 runs a bin costs at
//! most two bytes and up to 4,294,967,295 runs four.

use std::sync::{Mutex, MutexGuard, PoisonError, TryLockError};

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
///
/// Counts are stored in the narrowest unsigned type that holds the largest of them, and the
/// slice is allocated to the window's exact length: a 200-actor world has 80,000 pair cells,
/// so a u64 per bin and a doubling vector would cost eight times the memory and more. A
/// count that outgrows its type promotes the whole window to the next one, exactly; since
/// counts only grow, the type is a function of the counts alone, and windows filled or
/// merged in any order are equal and are saved as the same plain list of counts.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(from = "WindowData", into = "WindowData")]
pub struct Window {
    first: u32,
    counts: Counts,
}

/// The saved form of a [`Window`]: its counts whatever type holds them in memory.
#[derive(Serialize, Deserialize)]
struct WindowData {
    first: u32,
    counts: Vec<u64>,
}

impl From<WindowData> for Window {
    fn from(data: WindowData) -> Window {
        let top = data.counts.iter().copied().max().unwrap_or(0);
        let mut counts = Counts::zeros(Counts::width_for(top), data.counts.len());
        for (i, &c) in data.counts.iter().enumerate() {
            counts.set(i, c);
        }
        Window {
            first: data.first,
            counts,
        }
    }
}

impl From<Window> for WindowData {
    fn from(w: Window) -> WindowData {
        WindowData {
            first: w.first,
            counts: (0..w.counts.len()).map(|i| w.counts.get(i)).collect(),
        }
    }
}

impl PartialEq for Window {
    /// Equal counts over the same bins, whichever type holds them.
    fn eq(&self, other: &Window) -> bool {
        self.first == other.first
            && self.counts.len() == other.counts.len()
            && (0..self.counts.len()).all(|i| self.counts.get(i) == other.counts.get(i))
    }
}

impl Eq for Window {}

/// A window's counts, in the narrowest of four unsigned types that holds them all.
#[derive(Debug, Clone)]
enum Counts {
    U8(Box<[u8]>),
    U16(Box<[u16]>),
    U32(Box<[u32]>),
    U64(Box<[u64]>),
}

impl Default for Counts {
    fn default() -> Counts {
        Counts::U8(Box::default())
    }
}

/// A copy of `old` with `front` zeros before it and `back` after it, allocated to the exact
/// length.
fn widened<T: Copy + Default>(old: &[T], front: usize, back: usize) -> Box<[T]> {
    let mut v = Vec::with_capacity(front + old.len() + back);
    v.resize(front, T::default());
    v.extend_from_slice(old);
    v.resize(front + old.len() + back, T::default());
    v.into_boxed_slice()
}

/// `old` in a wider type.
fn promoted<T: Copy, U: From<T>>(old: &[T]) -> Box<[U]> {
    old.iter().map(|&c| U::from(c)).collect()
}

impl Counts {
    /// 0 to 3 for u8 to u64: the narrowest type that holds `c`.
    fn width_for(c: u64) -> u8 {
        if c <= u64::from(u8::MAX) {
            0
        } else if c <= u64::from(u16::MAX) {
            1
        } else if c <= u64::from(u32::MAX) {
            2
        } else {
            3
        }
    }

    fn width(&self) -> u8 {
        match self {
            Counts::U8(_) => 0,
            Counts::U16(_) => 1,
            Counts::U32(_) => 2,
            Counts::U64(_) => 3,
        }
    }

    fn zeros(width: u8, len: usize) -> Counts {
        match width {
            0 => Counts::U8(vec![0; len].into_boxed_slice()),
            1 => Counts::U16(vec![0; len].into_boxed_slice()),
            2 => Counts::U32(vec![0; len].into_boxed_slice()),
            _ => Counts::U64(vec![0; len].into_boxed_slice()),
        }
    }

    fn len(&self) -> usize {
        match self {
            Counts::U8(c) => c.len(),
            Counts::U16(c) => c.len(),
            Counts::U32(c) => c.len(),
            Counts::U64(c) => c.len(),
        }
    }

    #[inline]
    fn get(&self, i: usize) -> u64 {
        match self {
            Counts::U8(c) => u64::from(c[i]),
            Counts::U16(c) => u64::from(c[i]),
            Counts::U32(c) => u64::from(c[i]),
            Counts::U64(c) => c[i],
        }
    }

    /// Sets count `i` to `v`, promoting every count to a type that holds `v` first if needed.
    #[inline]
    fn set(&mut self, i: usize, v: u64) {
        match self {
            Counts::U8(c) => {
                if let Ok(x) = u8::try_from(v) {
                    c[i] = x;
                    return;
                }
            }
            Counts::U16(c) => {
                if let Ok(x) = u16::try_from(v) {
                    c[i] = x;
                    return;
                }
            }
            Counts::U32(c) => {
                if let Ok(x) = u32::try_from(v) {
                    c[i] = x;
                    return;
                }
            }
            Counts::U64(c) => {
                c[i] = v;
                return;
            }
        }
        self.promote(Counts::width_for(v));
        self.set(i, v);
    }

    /// Moves every count to the type of width `width` (0 to 3), wider than the present one.
    #[cold]
    fn promote(&mut self, width: u8) {
        *self = match (&*self, width) {
            (Counts::U8(c), 1) => Counts::U16(promoted(c)),
            (Counts::U8(c), 2) => Counts::U32(promoted(c)),
            (Counts::U8(c), _) => Counts::U64(promoted(c)),
            (Counts::U16(c), 2) => Counts::U32(promoted(c)),
            (Counts::U16(c), _) => Counts::U64(promoted(c)),
            (Counts::U32(c), _) => Counts::U64(promoted(c)),
            (Counts::U64(_), _) => return,
        };
    }

    /// Adds one to count `b - offset` for every `b` of `bins`, promoting the counts when
    /// one would overflow its type.
    fn bump_each(&mut self, bins: &[u32], offset: u32) {
        /// Counts bins until one would overflow; returns how many were counted.
        fn bump_while<T: Copy>(
            c: &mut [T],
            bins: &[u32],
            offset: u32,
            one_more: impl Fn(T) -> Option<T>,
        ) -> usize {
            for (k, &b) in bins.iter().enumerate() {
                let i = (b - offset) as usize;
                match one_more(c[i]) {
                    Some(v) => c[i] = v,
                    None => return k,
                }
            }
            bins.len()
        }
        let mut rest = bins;
        while !rest.is_empty() {
            let counted = match self {
                Counts::U8(c) => bump_while(c, rest, offset, |v| v.checked_add(1)),
                Counts::U16(c) => bump_while(c, rest, offset, |v| v.checked_add(1)),
                Counts::U32(c) => bump_while(c, rest, offset, |v| v.checked_add(1)),
                Counts::U64(c) => bump_while(c, rest, offset, |v| Some(v + 1)),
            };
            rest = &rest[counted..];
            if let Some((&b, tail)) = rest.split_first() {
                let i = (b - offset) as usize;
                let v = self.get(i) + 1;
                self.set(i, v);
                rest = tail;
            }
        }
    }

    /// Adds `front` zero counts before the first and `back` after the last.
    fn widen(&mut self, front: usize, back: usize) {
        *self = match &*self {
            Counts::U8(c) => Counts::U8(widened(c, front, back)),
            Counts::U16(c) => Counts::U16(widened(c, front, back)),
            Counts::U32(c) => Counts::U32(widened(c, front, back)),
            Counts::U64(c) => Counts::U64(widened(c, front, back)),
        };
    }

    /// Bytes of heap the counts take.
    fn heap_bytes(&self) -> usize {
        self.len() << self.width()
    }
}

impl Window {
    /// Widens the window to bins `lo..=hi` at once (one allocation), and returns the index
    /// of bin `lo` in it.
    fn cover(&mut self, lo: u32, hi: u32) -> usize {
        let len = self.counts.len();
        if len == 0 {
            self.first = lo;
            self.counts = Counts::zeros(0, (hi - lo) as usize + 1);
            return 0;
        }
        let last = self.first + len as u32 - 1;
        let front = self.first.saturating_sub(lo) as usize;
        let back = hi.saturating_sub(last) as usize;
        if front > 0 || back > 0 {
            self.counts.widen(front, back);
            self.first = self.first.min(lo);
        }
        (lo - self.first) as usize
    }

    /// Counts one value in each bin of `bins`, all within `first..=last`.
    fn bump_each(&mut self, bins: &[u32], first: u32, last: u32) {
        self.cover(first, last);
        self.counts.bump_each(bins, self.first);
    }

    fn add(&mut self, other: &Window) {
        let len = other.counts.len();
        let nonzero = |i: &usize| other.counts.get(*i) > 0;
        let (Some(lo), Some(hi)) = ((0..len).find(nonzero), (0..len).rev().find(nonzero)) else {
            return;
        };
        let at = self.cover(other.first + lo as u32, other.first + hi as u32);
        for i in lo..=hi {
            let c = other.counts.get(i);
            if c > 0 {
                let j = at + i - lo;
                let v = self.counts.get(j) + c;
                self.counts.set(j, v);
            }
        }
    }

    /// `(bin, count)` of every bin of the window, in bin order.
    fn bins(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        let first = self.first as usize;
        (0..self.counts.len()).map(move |i| (first + i, self.counts.get(i)))
    }

    fn total(&self) -> u64 {
        (0..self.counts.len()).map(|i| self.counts.get(i)).sum()
    }

    /// Number of bins held, empty ones between the extremes included.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.counts.len()
    }
}

/// A [`StatGrid`] cut into stripes of consecutive cells, each behind a lock of its own, and
/// joined back into one grid by [`StripedGrid::take`].
///
/// Threads adding to one grid at once then wait only when they want the same stripe at the
/// same moment, and then for no longer than it takes to fill one stripe. Counts and
/// fixed-point sums add exactly, so the stripes may be filled in any order; a cell's
/// window, sums and extremes live in exactly one stripe, so the joined grid is the grid
/// filled whole, to the bit, and the stripes together take what the whole grid would.
#[derive(Debug)]
pub struct StripedGrid {
    cells: usize,
    lo: f64,
    hi: f64,
    /// The first cell of each stripe, in order, and the stripe's cells from there.
    stripes: Box<[(usize, Mutex<StatGrid>)]>,
}

impl StripedGrid {
    /// An empty grid like `StatGrid::new(cells, lo, hi)`, in stripes of at most
    /// `stripe_cells` cells, of equal sizes to within one cell so that none takes
    /// noticeably longer to fill than the others.
    pub fn new(cells: usize, lo: f64, hi: f64, stripe_cells: usize) -> StripedGrid {
        let count = cells.div_ceil(stripe_cells.max(1));
        let stripes = (0..count)
            .map(|k| {
                let (first, end) = (cells * k / count, cells * (k + 1) / count);
                (first, Mutex::new(StatGrid::new(end - first, lo, hi)))
            })
            .collect();
        StripedGrid {
            cells,
            lo,
            hi,
            stripes,
        }
    }

    /// Number of stripes.
    pub fn stripes(&self) -> usize {
        self.stripes.len()
    }

    /// The first cell of stripe `k`, which holds its cells from there on: cell `first + i`
    /// of the whole grid is cell `i` of the stripe.
    pub fn first(&self, k: usize) -> usize {
        self.stripes[k].0
    }

    /// Stripe `k`, waiting for it if another thread holds it. A panic while a stripe is held
    /// fails the whole batch, whose grids are then never reported, so a poisoned lock is
    /// taken all the same rather than panicking every other thread in turn.
    pub fn lock(&self, k: usize) -> MutexGuard<'_, StatGrid> {
        self.stripes[k]
            .1
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Stripe `k` if no other thread holds it.
    pub fn try_lock(&self, k: usize) -> Option<MutexGuard<'_, StatGrid>> {
        match self.stripes[k].1.try_lock() {
            Ok(guard) => Some(guard),
            Err(TryLockError::Poisoned(e)) => Some(e.into_inner()),
            Err(TryLockError::WouldBlock) => None,
        }
    }

    /// Number of observations of cell `cell` of the whole grid.
    pub fn count(&self, cell: usize) -> u64 {
        let k = self.stripes.partition_point(|(first, _)| *first <= cell) - 1;
        self.lock(k).count(cell - self.first(k))
    }

    /// The whole grid, its stripes joined in order; the stripes are left with no cells.
    ///
    /// Each stripe's cells move into the whole grid's vectors, reserved once at their full
    /// length, and the stripe is dropped before the next is taken: the histograms' counts
    /// are moved, never copied, so memory does not double.
    pub fn take(&self) -> StatGrid {
        let mut whole = StatGrid::new(0, self.lo, self.hi);
        whole.windows.reserve_exact(self.cells);
        whole.sum.reserve_exact(self.cells);
        whole.sum_sq.reserve_exact(self.cells);
        whole.min.reserve_exact(self.cells);
        whole.max.reserve_exact(self.cells);
        for k in 0..self.stripes() {
            let part = std::mem::replace(&mut *self.lock(k), StatGrid::new(0, self.lo, self.hi));
            whole.append(part);
        }
        whole
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
        // Bins are found a block at a time and then counted together: the window is widened
        // once per block, and the type of its counts looked at once, rather than per value.
        const BLOCK: usize = 64;
        let (lo, hi, bins) = (self.lo, self.hi, self.bins);
        let window = &mut self.windows[cell];
        let (mut sum, mut sum_sq) = (self.sum[cell], self.sum_sq[cell]);
        let (mut min, mut max) = (self.min[cell], self.max[cell]);
        let mut values = xs.iter().step_by(stride.max(1));
        let mut found = [0u32; BLOCK];
        loop {
            let (mut first, mut last) = (u32::MAX, 0);
            let mut m = 0;
            for (slot, &x) in found.iter_mut().zip(values.by_ref()) {
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
                // Through i64: a signed conversion is one instruction, an unsigned one
                // several.
                let b = (((x - lo) * (1.0 / BIN_WIDTH)) as i64 as usize).min(bins - 1) as u32;
                *slot = b;
                first = first.min(b);
                last = last.max(b);
                m += 1;
            }
            if m == 0 {
                break;
            }
            window.bump_each(&found[..m], first, last);
            if m < BLOCK {
                break;
            }
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

    /// Puts `other`'s cells after this grid's. Both must cover the same range with the same
    /// bins, as the stripes of one [`StripedGrid`] do.
    fn append(&mut self, other: StatGrid) {
        debug_assert_eq!(
            (self.bins, self.lo.to_bits(), self.hi.to_bits()),
            (other.bins, other.lo.to_bits(), other.hi.to_bits())
        );
        self.cells += other.cells;
        self.windows.extend(other.windows);
        self.sum.extend(other.sum);
        self.sum_sq.extend(other.sum_sq);
        self.min.extend(other.min);
        self.max.extend(other.max);
    }

    /// Bytes of heap the histograms' counts take: what grows as runs spread, for
    /// measuring a study's memory.
    pub fn count_bytes(&self) -> usize {
        self.windows.iter().map(|w| w.counts.heap_bytes()).sum()
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
        assert_eq!(a.windows[0].len(), 8);
        assert!(a.windows[1].len() == 0);
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
        assert_eq!(a.windows[0].len(), 400);
        assert_eq!(a.count(0), 6);
        assert!((a.quantile(0, 0.0) + 1.0).abs() < BIN_WIDTH);
        assert!((a.quantile(0, 1.0) - 1.0).abs() < BIN_WIDTH);
    }

    #[test]
    fn a_striped_grid_filled_from_two_threads_joins_into_the_grid_filled_whole() {
        let (cells, runs) = (50, 600);
        let value = |c: usize, r: usize| ((c * 31 + r * 17) % 397) as f64 / 198.0 - 1.0;
        let mut whole = StatGrid::new(cells, -1.0, 1.0);
        for r in 0..runs {
            for c in 0..cells {
                whole.add(c, value(c, r));
            }
        }
        // 50 cells in stripes of at most 7: eight of 6 or 7 cells, one after another.
        let striped = StripedGrid::new(cells, -1.0, 1.0, 7);
        assert_eq!(striped.stripes(), 8);
        let mut next = 0;
        for k in 0..striped.stripes() {
            assert_eq!(striped.first(k), next);
            let len = striped.lock(k).cells();
            assert!((6..=7).contains(&len), "stripe {k} has {len} cells");
            next += len;
        }
        assert_eq!(next, cells);
        // Two threads fill every stripe with alternate runs, starting at different stripes
        // and taking whichever is free first, as flushes do.
        std::thread::scope(|s| {
            for t in 0..2 {
                let striped = &striped;
                s.spawn(move || {
                    for r in (t..runs).step_by(2) {
                        let mut left: Vec<usize> = (0..striped.stripes())
                            .map(|j| (j + 3 * t) % striped.stripes())
                            .collect();
                        while !left.is_empty() {
                            let free = left
                                .iter()
                                .enumerate()
                                .find_map(|(i, &k)| striped.try_lock(k).map(|g| (i, g)));
                            let (i, mut g) = free.unwrap_or_else(|| (0, striped.lock(left[0])));
                            let first = striped.first(left.remove(i));
                            for i in 0..g.cells() {
                                g.add(i, value(first + i, r));
                            }
                        }
                    }
                });
            }
        });
        assert_eq!(striped.count(0), runs as u64);
        assert_eq!(striped.count(cells - 1), runs as u64);
        let joined = striped.take();
        assert_eq!(joined, whole);
        assert_eq!(joined.count_bytes(), whole.count_bytes());
        assert_eq!(
            serde_json::to_string(&joined).unwrap(),
            serde_json::to_string(&whole).unwrap()
        );
        assert!((0..striped.stripes()).all(|k| striped.lock(k).cells() == 0));
        // A grid smaller than a stripe is one stripe; an empty one has none.
        assert_eq!(StripedGrid::new(5, 0.0, 1.0, 7).stripes(), 1);
        let empty = StripedGrid::new(0, 0.0, 1.0, 7);
        assert_eq!(empty.stripes(), 0);
        assert_eq!(empty.take(), StatGrid::new(0, 0.0, 1.0));
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

    /// Counts in every cell's reference histogram, from the values themselves.
    fn reference(
        grid: &StatGrid,
        cells: &[Vec<f64>],
    ) -> Vec<std::collections::BTreeMap<usize, u64>> {
        cells
            .iter()
            .map(|xs| {
                let mut m = std::collections::BTreeMap::new();
                for &x in xs {
                    let b = (((x - grid.lo) / BIN_WIDTH) as usize).min(grid.bins - 1);
                    *m.entry(b).or_insert(0u64) += 1;
                }
                m
            })
            .collect()
    }

    #[test]
    fn a_column_counts_every_stride_th_value_as_values_added_one_by_one() {
        // Lengths on both sides of the block of 64 values counted together, strides of a
        // row-major table; a bin that passes 255 inside a block promotes its window there.
        for stride in [1, 3, 9] {
            for len in [0, 1, 63, 64, 65, 128, 200, 2000] {
                let table: Vec<f64> = (0..len * stride)
                    .map(|i| match i % 5 {
                        0 => 0.25,
                        1 => -0.7512 + 1e-3 * (i % 97) as f64,
                        _ => ((i as f64) * 0.61).sin(),
                    })
                    .collect();
                let mut by_column = StatGrid::new(stride, -1.0, 1.0);
                let mut one_by_one = StatGrid::new(stride, -1.0, 1.0);
                let column = |c: usize| table.get(c..).unwrap_or(&[]);
                for c in 0..stride {
                    by_column.add_column(c, column(c), stride);
                    for &x in column(c).iter().step_by(stride) {
                        one_by_one.add(c, x);
                    }
                }
                assert_eq!(by_column, one_by_one, "stride {stride}, {len} rows");
                let columns: Vec<Vec<f64>> = (0..stride)
                    .map(|c| column(c).iter().step_by(stride).copied().collect())
                    .collect();
                for (c, bins) in reference(&by_column, &columns).iter().enumerate() {
                    let got: Vec<(usize, u64)> =
                        by_column.windows[c].bins().filter(|b| b.1 > 0).collect();
                    let want: Vec<(usize, u64)> = bins.iter().map(|(&b, &k)| (b, k)).collect();
                    assert_eq!(got, want, "stride {stride}, {len} rows, cell {c}");
                }
                for c in 0..stride {
                    assert_eq!(by_column.count(c), len as u64);
                    // Debug text, so that the NaN of an empty cell compares equal.
                    assert_eq!(
                        format!("{:?}", by_column.summary(c)),
                        format!("{:?}", one_by_one.summary(c))
                    );
                }
            }
        }
    }

    #[test]
    fn narrow_counts_promote_exactly_whatever_the_split_and_order() {
        // Cell 0 crosses u8 and u16 in one bin; cell 1 crosses u8 in several;
        // cell 2 stays narrow. Split into uneven parts, filled and merged in three orders,
        // every grid must equal the one filled run by run, bin by bin and bit by bit.
        let mut cells: Vec<Vec<f64>> = vec![Vec::new(); 3];
        cells[0] = (0..80_000)
            .map(|i| if i % 7 == 0 { -0.5 } else { 0.3 })
            .collect();
        cells[1] = (0..3_000)
            .map(|i| 0.2 + 0.012 * ((i as f64) * 0.37).sin())
            .collect();
        cells[2] = (0..100).map(|i| 0.01 * (i % 5) as f64).collect();
        let mut whole = StatGrid::new(3, -1.0, 1.0);
        for (c, xs) in cells.iter().enumerate() {
            xs.iter().for_each(|&x| whole.add(c, x));
        }
        let want = reference(&whole, &cells);
        for (c, bins) in want.iter().enumerate() {
            let got: Vec<(usize, u64)> = whole.windows[c].bins().filter(|b| b.1 > 0).collect();
            let expected: Vec<(usize, u64)> = bins.iter().map(|(&b, &k)| (b, k)).collect();
            assert_eq!(got, expected, "cell {c}");
        }
        assert_eq!(whole.windows[0].counts.width(), 2);
        assert_eq!(whole.windows[1].counts.width(), 1);
        assert_eq!(whole.windows[2].counts.width(), 0);

        let sizes = [1, 255, 256, 7_000, 65_535, 1_000_000];
        let mut parts = Vec::new();
        let mut at = [0usize; 3];
        for &size in &sizes {
            let mut g = StatGrid::new(3, -1.0, 1.0);
            for (c, xs) in cells.iter().enumerate() {
                let end = (at[c] + size).min(xs.len());
                g.add_column(c, &xs[at[c]..end], 1);
                at[c] = end;
            }
            parts.push(g);
        }
        let orders: [Vec<usize>; 3] = [
            (0..sizes.len()).collect(),
            (0..sizes.len()).rev().collect(),
            vec![3, 0, 5, 1, 4, 2],
        ];
        for order in &orders {
            let mut merged = StatGrid::new(3, -1.0, 1.0);
            for &p in order {
                merged.merge(&parts[p]).unwrap();
            }
            assert_eq!(merged, whole, "order {order:?}");
            assert_eq!(merged.count_bytes(), whole.count_bytes());
            for c in 0..3 {
                for q in [0.0, 0.05, 0.5, 0.95, 1.0] {
                    assert_eq!(
                        merged.quantile(c, q).to_bits(),
                        whole.quantile(c, q).to_bits()
                    );
                }
                assert_eq!(merged.summary(c), whole.summary(c));
            }
        }
        // Saved and loaded, a grid is the same; the saved counts are plain integers.
        let text = serde_json::to_string(&whole).unwrap();
        let back: StatGrid = serde_json::from_str(&text).unwrap();
        assert_eq!(back, whole);
        assert_eq!(serde_json::to_string(&back).unwrap(), text);
        assert!(
            text.contains("68571"),
            "cell 0's count of 0.3 is saved as it is"
        );
    }
}
