//! Trust memory and structural balance, `T_ij + κ (T⁰_ij − T_ij) + Σ_k (β' T_ik) T_kj`: the
//! one O(n³) part of a step (MODEL.md, "One step", item 2), and at 200 actors nearly all of
//! its cost.
//!
//! Every entry starts from its memory term and adds its balance terms one at a time in
//! increasing k, with a separate multiply and add (no fused multiply-add). Floating-point
//! addition is not associative, so that order is what fixes the bits; any blocking that keeps
//! it gives the same result, whatever the tile shape, the vector width or the number of
//! threads. That is what lets each CPU get the tile shape that suits it while every machine
//! still computes the same numbers.
//!
//! The shape of the computation, and why:
//!
//! - Rows go in groups of [`GROUP`] = 4, because the rule for skipping zero terms is written
//!   on groups of four rows: a k is left out of a group when `T_ik = 0` in all of its rows.
//!   Leaving out `c·x` with `c = 0` is not always the same as adding it (`−0 + 0 = +0`), so
//!   the grouping is part of the result and stays as it has always been.
//! - The coefficients `β' T_ik` are written once per step, packed by group: for each k the
//!   group keeps, its four coefficients side by side, and beside them the list of those k.
//!   The multiplication, the zero test and the packing share one pass over T, and the inner
//!   loop reads one contiguous stream of coefficients instead of four rows.
//! - Columns go in strips. The strip's columns of T are copied into a panel, row k after
//!   row k, before any group uses them: the sum over k then reads the panel front to back
//!   instead of walking down T with a stride of n doubles. Every group of rows reads the
//!   panel again, so it must stay in the first-level cache; at large n the sum over k is
//!   cut into spans of [`PANEL_BYTES`] and the partial sums wait in the output between spans.
//! - A tile of 4 rows by one strip keeps its accumulators in registers through the whole
//!   sum over k. With AVX-512 (32 registers of 8 doubles) a strip is 32 columns: 16
//!   accumulators, so that each coefficient loaded serves 32 multiplies and each vector of
//!   the panel serves 4, and enough independent sums to keep both adders and both
//!   multipliers busy despite their latency. The AVX2 and portable builds have 16 registers
//!   and use 8 columns. The columns left over at the right are done in strips of 8, then 4,
//!   the last padded with zeros that are computed and never stored.
//!
//! On the 2-core development machine (AMD EPYC, AVX-512) the AVX-512 build runs the dense
//! 200-actor product at about two thirds of the core's peak of separate multiplies and adds, as
//! `benches/scale.rs` measures it, against about a third for the earlier kernel of 4 rows by 8
//! columns read straight from T.

mod direct;

/// Rows that share one list of kept terms and one tile.
pub(super) const GROUP: usize = 4;

/// Below this many actors the product is computed directly from T ([`direct`]): a
/// 9-actor product is 729 multiply-adds, and packing coefficients and copying panels cost
/// more there than they save. From one whole strip of the widest build on, strips win.
const STRIPS_FROM: usize = WIDEST;

/// Columns of the narrow strips that finish a row when fewer than a whole strip remain.
const NARROW: usize = 8;

/// Columns of the strips that finish a row when fewer than 8 columns remain: a strip is
/// padded to its width, and in small scenarios (9 actors: one strip of 8, one of 1) the last
/// strip is a good part of the work.
const NARROWEST: usize = 4;

/// Which compiled version of the kernel runs. All of them give the same bits; the choice
/// is only about speed, and is made once from what the CPU reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Build {
    /// Plain Rust for the baseline of the target (SSE2 on x86-64).
    Portable,
    /// 256-bit AVX2 registers, 16 of them.
    Avx2,
    /// 512-bit AVX-512F registers, 32 of them.
    Avx512,
}

impl Build {
    /// The fastest build this CPU can run.
    pub fn best() -> Build {
        [Build::Avx512, Build::Avx2]
            .into_iter()
            .find(|b| b.available())
            .unwrap_or(Build::Portable)
    }

    /// Whether this CPU can run the build.
    pub fn available(self) -> bool {
        match self {
            Build::Portable => true,
            #[cfg(target_arch = "x86_64")]
            Build::Avx2 => std::arch::is_x86_feature_detected!("avx2"),
            #[cfg(target_arch = "x86_64")]
            Build::Avx512 => std::arch::is_x86_feature_detected!("avx512f"),
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }
}

/// Scratch space of the kernel, allocated once for a scenario size and reused every step.
/// Public so that the product can be measured on its own (`benches/scale.rs`).
#[derive(Debug, Clone)]
pub struct Balance {
    n: usize,
    build: Build,
    /// For group g, from `g · n`: the k whose terms the group adds, in increasing order.
    ks: Vec<u32>,
    /// For group g, from `g · n`: the coefficients `β' T_ik` of its rows for those k.
    coefs: Vec<[f64; GROUP]>,
    /// How many k each group keeps.
    kept: Vec<usize>,
    /// Rows of one strip of columns of T, row k after row k, padded with zeros past the last
    /// column.
    panel: Vec<f64>,
    /// How many of its k each group has added so far in the strip.
    done: Vec<usize>,
    /// [`PANEL_BYTES`], smaller in tests so that short sums are cut into spans too.
    panel_bytes: usize,
    /// A row of zeros standing for the rows past the last in the last group.
    zeros: Vec<f64>,
    /// [`STRIPS_FROM`], 0 in tests that hold small sizes to the strip kernel.
    strips_from: usize,
    /// Scratch space of the direct kernel.
    direct: direct::Scratch,
}

impl Balance {
    pub fn new(n: usize) -> Balance {
        let groups = n.div_ceil(GROUP);
        Balance {
            n,
            build: Build::best(),
            ks: vec![0; groups * n],
            coefs: vec![[0.0; GROUP]; groups * n],
            kept: vec![0; groups],
            panel: vec![0.0; n * WIDEST],
            done: vec![0; groups],
            panel_bytes: PANEL_BYTES,
            zeros: vec![0.0; n],
            strips_from: STRIPS_FROM,
            direct: direct::Scratch::default(),
        }
    }

    /// Computes every size with strips, so that tests of small sizes test them too.
    #[cfg(test)]
    fn always_strips(&mut self) {
        self.strips_from = 0;
    }

    /// Runs the given build from now on. Panics if the CPU cannot run it.
    #[cfg(test)]
    pub(super) fn set_build(&mut self, build: Build) {
        assert!(build.available(), "{build:?} does not run on this CPU");
        self.build = build;
    }

    /// Shrinks the panel to `rows` rows of a narrow strip (fewer of a wider one, one at
    /// least), so that short sums are cut into spans too.
    #[cfg(test)]
    fn set_panel_rows(&mut self, rows: usize) {
        self.panel_bytes = rows * NARROW * size_of::<f64>();
    }

    /// `T_ij + κ (T⁰_ij − T_ij) + Σ_k (β T_ik) T_kj` into `next`, for every i and j.
    ///
    /// A group of rows skips the k at which all its rows have `T_ik = 0`, which matters for
    /// large scenarios without trust noise, where most pairs stay at trust 0. When only n
    /// entries of T are 0 (the diagonal, after any noisy step) nothing is skipped; when
    /// β = 0 there is no balance term at all.
    pub fn next_trust(
        &mut self,
        next: &mut [f64],
        trust: &[f64],
        trust0: &[f64],
        kappa: f64,
        beta: f64,
    ) {
        let n = self.n;
        assert!(
            next.len() == n * n && trust.len() == n * n && trust0.len() == n * n,
            "the kernel was built for {n} actors"
        );
        if n < self.strips_from {
            let scratch = &mut self.direct;
            #[cfg(target_arch = "x86_64")]
            if self.build != Build::Portable && Build::Avx2.available() {
                // SAFETY: the CPU has just reported AVX2.
                unsafe { direct::next_trust_avx2(next, trust, trust0, n, kappa, beta, scratch) };
                return;
            }
            direct::next_trust(next, trust, trust0, n, kappa, beta, scratch);
            return;
        }
        match self.build {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the build is `Build::best()` or one a test checked with `available`,
            // so the CPU has AVX-512F.
            Build::Avx512 => unsafe { self.product_avx512(next, trust, trust0, kappa, beta) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above, the CPU has AVX2.
            Build::Avx2 => unsafe { self.product_avx2(next, trust, trust0, kappa, beta) },
            _ => self.product::<PORTABLE>(next, trust, trust0, kappa, beta),
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    fn product_avx512(
        &mut self,
        next: &mut [f64],
        trust: &[f64],
        trust0: &[f64],
        kappa: f64,
        beta: f64,
    ) {
        self.product::<WIDEST>(next, trust, trust0, kappa, beta);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn product_avx2(
        &mut self,
        next: &mut [f64],
        trust: &[f64],
        trust0: &[f64],
        kappa: f64,
        beta: f64,
    ) {
        self.product::<AVX2>(next, trust, trust0, kappa, beta);
    }

    /// The whole product with strips of `W` columns, then of [`NARROW`], then of
    /// [`NARROWEST`].
    #[inline(always)]
    fn product<const W: usize>(
        &mut self,
        next: &mut [f64],
        trust: &[f64],
        trust0: &[f64],
        kappa: f64,
        beta: f64,
    ) {
        self.pack_coefficients(trust, beta);
        let n = self.n;
        let mut j = 0;
        while j + W <= n {
            self.strip::<W>(next, trust, trust0, kappa, j);
            j += W;
        }
        while j + NARROW <= n {
            self.strip::<NARROW>(next, trust, trust0, kappa, j);
            j += NARROW;
        }
        while j < n {
            self.strip::<NARROWEST>(next, trust, trust0, kappa, j);
            j += NARROWEST;
        }
    }

    /// Fills `ks`, `coefs` and `kept` for every group of rows.
    #[inline(always)]
    fn pack_coefficients(&mut self, trust: &[f64], beta: f64) {
        let n = self.n;
        // After a noisy step only the diagonal is 0 and every term is kept: counting the
        // zeros once spares the test of each k in each group.
        let every = beta != 0.0 && trust.iter().filter(|&&t| t == 0.0).count() == n;
        for (g, kept) in self.kept.iter_mut().enumerate() {
            *kept = 0;
            if beta == 0.0 {
                continue;
            }
            let rows: [&[f64]; GROUP] = std::array::from_fn(|r| {
                let i = g * GROUP + r;
                if i < n {
                    &trust[i * n..][..n]
                } else {
                    &self.zeros[..n]
                }
            });
            let ks = &mut self.ks[g * n..][..n];
            let coefs = &mut self.coefs[g * n..][..n];
            if every {
                for (k, (kk, c)) in ks.iter_mut().zip(coefs.iter_mut()).enumerate() {
                    *kk = k as u32;
                    *c = std::array::from_fn(|r| beta * rows[r][k]);
                }
                *kept = n;
                continue;
            }
            let mut len = 0;
            let columns = (0..n).map(|k| rows.map(|row| row[k]));
            for (k, t) in columns.enumerate() {
                // Written at every k, kept only when the group has a non-zero entry: no
                // branch to mispredict on sparse matrices.
                ks[len] = k as u32;
                coefs[len] = t.map(|t| beta * t);
                len += usize::from(t.iter().any(|&t| t != 0.0));
            }
            *kept = len;
        }
    }

    /// Columns `j..j + W` (or up to n) of every row, with the sum over k cut into spans
    /// whose panel fits [`PANEL_BYTES`]. Between spans each partial sum waits in `next`: a
    /// store and a load of the same double, which changes no bit.
    #[inline(always)]
    fn strip<const W: usize>(
        &mut self,
        next: &mut [f64],
        trust: &[f64],
        trust0: &[f64],
        kappa: f64,
        j: usize,
    ) {
        let n = self.n;
        let width = W.min(n - j);
        let depth = (self.panel_bytes / (W * size_of::<f64>())).max(1);
        self.done.fill(0);
        let mut k0 = 0;
        while k0 < n {
            let k1 = n.min(k0 + depth);
            let (panel, _) = self.panel[..(k1 - k0) * W].as_chunks_mut::<W>();
            for (p, k) in panel.iter_mut().zip(k0..k1) {
                *p = padded(&trust[k * n + j..][..width]);
            }
            let panel = &*panel;
            for (g, (&kept, done)) in self.kept.iter().zip(&mut self.done).enumerate() {
                let rows = (g * GROUP..n).take(GROUP);
                let mut acc = [[0.0; W]; GROUP];
                for (acc, i) in acc.iter_mut().zip(rows.clone()) {
                    let at = i * n + j;
                    *acc = if k0 == 0 {
                        let t: [f64; W] = padded(&trust[at..][..width]);
                        let t0: [f64; W] = padded(&trust0[at..][..width]);
                        std::array::from_fn(|l| t[l] + kappa * (t0[l] - t[l]))
                    } else {
                        padded(&next[at..][..width])
                    };
                }
                let ks = &self.ks[g * n..][*done..kept];
                let span = if k1 == n {
                    ks.len()
                } else {
                    ks.partition_point(|&k| (k as usize) < k1)
                };
                let coefs = &self.coefs[g * n..][*done..][..span];
                tile(&mut acc, panel, k0, &ks[..span], coefs);
                *done += span;
                for (acc, i) in acc.iter().zip(rows) {
                    let out = &mut next[i * n + j..][..width];
                    match out.first_chunk_mut::<W>() {
                        Some(out) => *out = *acc,
                        None => out.copy_from_slice(&acc[..width]),
                    }
                }
            }
            k0 = k1;
        }
    }
}

/// The `W` values at the start of `s`, or those of a shorter `s` followed by zeros. Whole
/// strips take the first branch, a fixed-size copy the compiler turns into a few vector
/// moves. The last strip of a row builds its array value by value: a `memcpy` into an array
/// that is then read whole would cost a call, and a stall while the CPU waits for the
/// small stores to reach memory before the wide load can read them; at 9 actors, where
/// every other strip is a last one, that made the step half as slow again.
#[inline(always)]
fn padded<const W: usize>(s: &[f64]) -> [f64; W] {
    match s.first_chunk::<W>() {
        Some(x) => *x,
        None => std::array::from_fn(|l| s.get(l).copied().unwrap_or(0.0)),
    }
}

/// Size of one panel. The tile reads it once for every group of rows, so it should stay in
/// the first-level data cache (48 KiB on the cores measured, 32 KiB on many others) beside
/// the stream of coefficients: a panel just over the cache's size is evicted line by line
/// before its next reading and every read misses.
const PANEL_BYTES: usize = 24 * 1024;

/// Strip width of the AVX-512 build.
const WIDEST: usize = 32;
/// Strip width of the AVX2 build.
const AVX2: usize = 8;
/// Strip width of the portable build.
const PORTABLE: usize = 8;

/// Adds to each accumulator `acc[r][l]` the terms `coefs[m][r] · panel[ks[m] − k0][l]`, m
/// in order (the panel starts at row k0 of T). The accumulators are copied into a local so that they live in registers for the
/// whole loop.
#[inline(always)]
fn tile<const W: usize>(
    acc: &mut [[f64; W]; GROUP],
    panel: &[[f64; W]],
    k0: usize,
    ks: &[u32],
    coefs: &[[f64; GROUP]],
) {
    let mut a = *acc;
    for (&k, c) in ks.iter().zip(coefs) {
        let x = &panel[k as usize - k0];
        for (a, &c) in a.iter_mut().zip(c) {
            for (a, &x) in a.iter_mut().zip(x) {
                *a += c * x;
            }
        }
    }
    *acc = a;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every build this CPU can run.
    fn builds() -> Vec<Build> {
        [Build::Portable, Build::Avx2, Build::Avx512]
            .into_iter()
            .filter(|b| b.available())
            .collect()
    }

    /// The reference every build and shape must match: the direct kernel, as the product
    /// was computed before strips, panels and packed coefficients, on fresh scratch space.
    mod before {
        pub fn trust_before_noise(
            trust: &[f64],
            trust0: &[f64],
            n: usize,
            kappa: f64,
            beta: f64,
        ) -> Vec<f64> {
            let mut next = vec![0.0; n * n];
            let mut scratch = super::super::direct::Scratch::default();
            super::super::direct::next_trust(
                &mut next,
                trust,
                trust0,
                n,
                kappa,
                beta,
                &mut scratch,
            );
            next
        }
    }

    /// A fixed pseudo-random sequence of 64-bit words.
    struct Words(u64);

    impl Words {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        /// Uniform in [-1, 1).
        fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 52) as f64 - 1.0
        }
    }

    /// The kinds of matrix the kernel meets, and the edge cases of its zero test.
    #[derive(Debug, Clone, Copy)]
    enum Kind {
        /// Non-zero everywhere but the diagonal: nothing is skipped.
        Dense,
        /// About 70% exact zeros, scattered.
        Sparse,
        /// Zeros of both signs, whole rows of zeros (so whole groups at some k), and
        /// negative zeros on the diagonal.
        SignedZeros,
        /// Exactly n zeros but not on the diagonal: all in a few columns, where groups of
        /// four rows are zero together, yet the count says nothing is skipped.
        ZerosOffDiagonal,
    }

    fn matrix(n: usize, kind: Kind, w: &mut Words) -> Vec<f64> {
        let mut m: Vec<f64> = (0..n * n).map(|_| w.unit()).collect();
        match kind {
            Kind::Dense => {
                for k in 0..n {
                    m[k * n + k] = 0.0;
                }
            }
            Kind::Sparse => {
                for x in &mut m {
                    if x.abs() < 0.7 {
                        *x = 0.0;
                    }
                }
            }
            Kind::SignedZeros => {
                let zero_rows = w.next() % 3;
                for (idx, x) in m.iter_mut().enumerate() {
                    let r = w.next() % 8;
                    let (i, j) = (idx / n, idx % n);
                    if i == j || r < 4 || (zero_rows > 0 && i % 5 == 0) {
                        *x = if r.is_multiple_of(2) { -0.0 } else { 0.0 };
                    }
                }
            }
            Kind::ZerosOffDiagonal => {
                for i in 0..n {
                    m[i * n + (i / 4 * 4 + 1) % n] = if i % 2 == 0 { 0.0 } else { -0.0 };
                }
            }
        }
        m
    }

    /// The memory factors and balance factors the tests use: the usual ones, none, a
    /// negative one, and a β so small that β T underflows to zero while T does not.
    const FACTORS: [(f64, f64); 5] = [
        (0.07, 0.3),
        (0.0, 0.3),
        (0.05, 0.0),
        (-0.1, -0.2),
        (0.05, 1e-320),
    ];

    fn assert_same(got: &[f64], expected: &[f64], n: usize, what: &str) {
        for (idx, (g, e)) in got.iter().zip(expected).enumerate() {
            assert!(
                g.to_bits() == e.to_bits(),
                "{what}: ({}, {}) is {g:e}, not {e:e}",
                idx / n,
                idx % n
            );
        }
    }

    fn check(n: usize, w: &mut Words) {
        for kind in [
            Kind::Dense,
            Kind::Sparse,
            Kind::SignedZeros,
            Kind::ZerosOffDiagonal,
        ] {
            let trust = matrix(n, kind, w);
            let trust0 = matrix(n, kind, w);
            for (kappa, beta) in FACTORS {
                let expected = before::trust_before_noise(&trust, &trust0, n, kappa, beta);
                let shapes = builds()
                    .into_iter()
                    .flat_map(|b| [(b, None, true), (b, Some(5), true), (b, None, false)]);
                for (build, panel, strips) in shapes {
                    let mut balance = Balance::new(n);
                    balance.set_build(build);
                    if strips {
                        balance.always_strips();
                    }
                    if let Some(rows) = panel {
                        balance.set_panel_rows(rows);
                    }
                    let mut next = vec![f64::NAN; n * n];
                    balance.next_trust(&mut next, &trust, &trust0, kappa, beta);
                    let what = format!(
                        "n = {n}, {kind:?}, κ = {kappa}, β = {beta}, {build:?}, panel {panel:?}, \
                         strips {strips}"
                    );
                    assert_same(&next, &expected, n, &what);
                    // Once more on the same scratch space: nothing of the first call leaks.
                    balance.next_trust(&mut next, &trust, &trust0, kappa, beta);
                    assert_same(&next, &expected, n, &format!("{what}, second call"));
                }
            }
        }
    }

    /// Every size from 1 to 70 actors, so that every count of rows in the last group meets
    /// every count of columns in the last strip of every build (wide strips of 32, narrow
    /// ones of 8 and what is left of them), on dense and sparse matrices and with zeros of
    /// both signs, with the sum over k in one span and cut into many: the kernel gives the
    /// bits the earlier one gave.
    #[test]
    fn kernel_equals_the_earlier_one_bit_for_bit() {
        let mut w = Words(0x9e37_79b9_7f4a_7c15);
        for n in 1..=70 {
            check(n, &mut w);
        }
    }

    /// The same at the size of the largest benchmark world.
    #[test]
    fn kernel_equals_the_earlier_one_at_200_actors() {
        let mut w = Words(0x2545_f491_4f6c_dd1d);
        check(200, &mut w);
    }

    /// Skipping a zero term is not the same as adding it: a sum at −0 becomes +0 when
    /// `0 · x` is added. The kernel must skip exactly the terms the earlier one skipped, so
    /// this case, where only the skipping decides the sign, must come out as before, and
    /// the test shows that it can tell the two apart.
    #[test]
    fn skipped_terms_keep_the_sign_of_zero() {
        let n = 5;
        // Row 0: T_00 = −0 with T⁰_00 < 0 and κ = 0 makes the memory term −0. Rows 0 to 3 have
        // T_i4 = 0 at k = 4, while row 4 (the second group) does not.
        let mut trust = vec![0.0; n * n];
        trust[0] = -0.0;
        trust[4 * n] = 0.5;
        trust[4 * n + 1] = 0.25;
        let mut trust0 = vec![0.0; n * n];
        trust0[0] = -1.0;
        let expected = before::trust_before_noise(&trust, &trust0, n, 0.0, 0.5);
        assert!(
            expected[0].to_bits() == (-0.0f64).to_bits(),
            "the case no longer makes a −0"
        );
        // Adding every term instead, zeros included, gives +0 there.
        let mut every = trust[0] + 0.0 * (trust0[0] - trust[0]);
        for k in 0..n {
            every += (0.5 * trust[k]) * trust[k * n];
        }
        assert!(
            every.to_bits() == 0.0f64.to_bits(),
            "adding the zero terms no longer makes a +0"
        );
        for build in builds() {
            let mut balance = Balance::new(n);
            balance.set_build(build);
            balance.always_strips();
            let mut next = vec![f64::NAN; n * n];
            balance.next_trust(&mut next, &trust, &trust0, 0.0, 0.5);
            assert_same(&next, &expected, n, &format!("{build:?}"));
        }
    }
}
