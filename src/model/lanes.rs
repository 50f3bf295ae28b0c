//! Eight runs side by side: the step of [`super::dynamics`] with each run's state in one lane
//! of a vector register.
//!
//! At 9 actors a row of the state is 9 numbers, too short to fill 512-bit registers, and the
//! step is a few hundred short loops. Eight runs of one scenario, laid side by side, fill
//! every register whatever the size: entry `e` of the state is one [`Lane`] holding that
//! entry in eight runs. Each lane does the scalar step's operations in the scalar step's
//! order (no fused multiply-add, no reordered sums), and skips the balance terms the scalar
//! kernel skips, so each run keeps the bits it has when run alone. The builds differ only in
//! the registers the compiler may use; a test holds every one of them to the scalar step.

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

use super::State;
use super::anchors::Anchors;
use super::balance::{Build, GROUP};
use super::state::{Part, Reads};
use crate::scenario::Scenario;

/// Runs side by side: one 512-bit register of doubles.
pub const LANES: usize = 8;

/// One entry of the state in each of [`LANES`] runs.
pub type Lane = [f64; LANES];

/// Scenarios with fewer actors than this run side by side. From here on the balance product
/// has a kernel of its own that fills the registers within one run, and the states of eight
/// runs over every step would outgrow the caches.
pub const LANES_BELOW: usize = 32;

/// The states of up to [`LANES`] runs, entry by entry. Fields as in [`State`].
#[derive(Debug, Clone)]
pub struct LaneState {
    pub n: usize,
    pub alignment: Vec<Lane>,
    pub trust: Vec<Lane>,
    pub shock: Vec<Lane>,
    pub power: Vec<Lane>,
    pub threat: Vec<Lane>,
}

impl LaneState {
    pub fn new(n: usize) -> LaneState {
        LaneState {
            n,
            alignment: vec![[0.0; LANES]; n],
            trust: vec![[0.0; LANES]; n * n],
            shock: vec![[0.0; LANES]; n * n],
            power: vec![[0.0; LANES]; n],
            threat: vec![[0.0; LANES]; n * n],
        }
    }

    /// Puts `st` in lane `l`.
    pub fn load(&mut self, l: usize, st: &State) {
        debug_assert_eq!(st.n, self.n, "a state of another scenario size");
        for (lanes, values) in [
            (&mut self.alignment, &st.alignment),
            (&mut self.trust, &st.trust),
            (&mut self.shock, &st.shock),
            (&mut self.power, &st.power),
            (&mut self.threat, &st.threat),
        ] {
            for (lane, &x) in lanes.iter_mut().zip(values) {
                lane[l] = x;
            }
        }
    }

    /// Writes lane `l` into the `l`-th state of `out`, for the first [`LANES`] states at most.
    pub fn store<'s>(&self, build: Build, out: impl IntoIterator<Item = &'s mut State>) {
        self.store_reads(build, out, &Reads::everything());
    }

    /// [`LaneState::store`] of what `reads` reads: its whole parts as 8 × 8 transposes, its
    /// single entries one by one; the rest of each state is left as it was.
    pub fn store_reads<'s>(
        &self,
        build: Build,
        out: impl IntoIterator<Item = &'s mut State>,
        reads: &Reads,
    ) {
        let mut dst: [[&mut [f64]; LANES]; 5] = Default::default();
        let mut live = 0;
        for (l, st) in out.into_iter().take(LANES).enumerate() {
            let State {
                alignment,
                trust,
                shock,
                power,
                threat,
                ..
            } = st;
            for (d, field) in dst.iter_mut().zip([alignment, trust, shock, power, threat]) {
                d[l] = field;
            }
            live = l + 1;
        }
        let sources = [
            &self.alignment,
            &self.trust,
            &self.shock,
            &self.power,
            &self.threat,
        ];
        for ((src, dst), part) in sources.into_iter().zip(&mut dst).zip(Part::ALL) {
            let dst = &mut dst[..live];
            assert!(
                dst.iter().all(|d| d.len() == src.len()),
                "a state of another scenario size"
            );
            if reads.reads_whole(part) {
                scatter(build, src, dst);
            } else {
                for at in reads.entries(part) {
                    for (l, d) in dst.iter_mut().enumerate() {
                        d[at] = src[at][l];
                    }
                }
            }
        }
    }
}

/// `dst[l][e] = src[e][l]` for every lane `l` of `dst` and every entry `e`.
fn scatter(build: Build, src: &[Lane], dst: &mut [&mut [f64]]) {
    #[cfg(target_arch = "x86_64")]
    if build == Build::Avx512 && dst.len() == LANES && dst.iter().all(|d| d.len() == src.len()) {
        // SAFETY: `Avx512` is only chosen where the CPU reports AVX-512F, and every lane's
        // slice has just been checked to hold `src.len()` entries.
        unsafe { scatter_avx512(src, dst) };
        return;
    }
    let _ = build;
    for (l, d) in dst.iter_mut().enumerate() {
        for (x, lane) in d.iter_mut().zip(src) {
            *x = lane[l];
        }
    }
}

/// [`scatter`] of all eight lanes, eight entries at a time, as 8 × 8 transposes in registers.
///
/// # Safety
/// The CPU must have AVX-512F, `dst` must hold [`LANES`] slices, each of `src.len()` entries.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn scatter_avx512(src: &[Lane], dst: &mut [&mut [f64]]) {
    use std::arch::x86_64::*;
    let m = src.len();
    let whole = m / LANES * LANES;
    let lo = _mm512_setr_epi64(0, 1, 8, 9, 4, 5, 12, 13);
    let hi = _mm512_setr_epi64(2, 3, 10, 11, 6, 7, 14, 15);
    let mut e0 = 0;
    while e0 < whole {
        // r[k] holds entry e0 + k of the eight runs; out[l] will hold entries e0.. of run l.
        // SAFETY: e0 + k < whole <= m, and a Lane is eight doubles.
        let r: [__m512d; LANES] =
            std::array::from_fn(|k| unsafe { _mm512_loadu_pd(src[e0 + k].as_ptr()) });
        let t: [__m512d; LANES] = std::array::from_fn(|k| {
            let (a, b) = (r[k & !1], r[k | 1]);
            if k % 2 == 0 {
                _mm512_unpacklo_pd(a, b)
            } else {
                _mm512_unpackhi_pd(a, b)
            }
        });
        // u[2q] and u[2q + 1]: four entries of lanes {q', q' + 4} from t[.] pairs.
        let u = [
            _mm512_permutex2var_pd(t[0], lo, t[2]),
            _mm512_permutex2var_pd(t[0], hi, t[2]),
            _mm512_permutex2var_pd(t[1], lo, t[3]),
            _mm512_permutex2var_pd(t[1], hi, t[3]),
            _mm512_permutex2var_pd(t[4], lo, t[6]),
            _mm512_permutex2var_pd(t[4], hi, t[6]),
            _mm512_permutex2var_pd(t[5], lo, t[7]),
            _mm512_permutex2var_pd(t[5], hi, t[7]),
        ];
        let out = [
            _mm512_shuffle_f64x2::<0x44>(u[0], u[4]),
            _mm512_shuffle_f64x2::<0x44>(u[2], u[6]),
            _mm512_shuffle_f64x2::<0x44>(u[1], u[5]),
            _mm512_shuffle_f64x2::<0x44>(u[3], u[7]),
            _mm512_shuffle_f64x2::<0xEE>(u[0], u[4]),
            _mm512_shuffle_f64x2::<0xEE>(u[2], u[6]),
            _mm512_shuffle_f64x2::<0xEE>(u[1], u[5]),
            _mm512_shuffle_f64x2::<0xEE>(u[3], u[7]),
        ];
        for (d, v) in dst.iter_mut().zip(out) {
            // SAFETY: the caller checked that d holds m >= e0 + 8 entries.
            unsafe { _mm512_storeu_pd(d.as_mut_ptr().add(e0), v) };
        }
        e0 += LANES;
    }
    for (l, d) in dst.iter_mut().enumerate() {
        for (x, lane) in d[whole..].iter_mut().zip(&src[whole..]) {
            *x = lane[l];
        }
    }
}

/// The scenario numbers the step reads, lane by lane: the runs of a group may each have
/// drawn their own values of uncertain inputs, and their own anchors from them.
#[derive(Debug, Clone)]
pub struct LaneParams {
    n: usize,
    /// β' = balance / (n − 2), or 0 below 3 actors.
    beta: Lane,
    /// κ, the trust memory.
    kappa: Lane,
    trust_noise: Lane,
    /// 1 − the threat decay.
    keep: Lane,
    /// balancing / (n − 1), or 0 for one actor.
    balancing: Lane,
    alignment_noise: Lane,
    self_weight: Vec<Lane>,
    /// s_i a*_i and 1 − s_i, as the scalar step computes them.
    anchored: Vec<Lane>,
    loose: Vec<Lane>,
    reach: Vec<Lane>,
    anchor_trust: Vec<Lane>,
}

impl LaneParams {
    pub fn new(n: usize) -> LaneParams {
        LaneParams {
            n,
            beta: [0.0; LANES],
            kappa: [0.0; LANES],
            trust_noise: [0.0; LANES],
            keep: [0.0; LANES],
            balancing: [0.0; LANES],
            alignment_noise: [0.0; LANES],
            self_weight: vec![[0.0; LANES]; n],
            anchored: vec![[0.0; LANES]; n],
            loose: vec![[0.0; LANES]; n],
            reach: vec![[0.0; LANES]; n * n],
            anchor_trust: vec![[0.0; LANES]; n * n],
        }
    }

    /// Puts the numbers of `sc`, whose anchors are `anchors`, in lane `l`.
    pub fn set(&mut self, l: usize, sc: &Scenario, anchors: &Anchors) {
        let n = self.n;
        assert!(sc.n() == n, "a scenario of another size");
        let m = &sc.model;
        self.beta[l] = if n >= 3 {
            m.balance / (n - 2) as f64
        } else {
            0.0
        };
        self.kappa[l] = m.trust_memory;
        self.trust_noise[l] = m.trust_noise;
        self.keep[l] = 1.0 - m.threat_decay;
        self.balancing[l] = if n > 1 {
            m.balancing / (n - 1) as f64
        } else {
            0.0
        };
        self.alignment_noise[l] = m.alignment_noise;
        for (i, actor) in sc.actors.iter().enumerate() {
            let s = actor.stubbornness;
            self.self_weight[i][l] = actor.self_weight;
            self.anchored[i][l] = s * anchors.alignment[i];
            self.loose[i][l] = 1.0 - s;
        }
        for (lane, &r) in self.reach.iter_mut().zip(&sc.reach) {
            lane[l] = r;
        }
        for (lane, &t) in self.anchor_trust.iter_mut().zip(&anchors.trust) {
            lane[l] = t;
        }
    }
}

/// Scratch space of the step of eight runs, allocated once per worker.
#[derive(Debug, Clone)]
pub struct LaneDynamics {
    n: usize,
    build: Build,
    next_trust: Vec<Lane>,
    /// The balance coefficients β' T_ik.
    coef: Vec<Lane>,
    /// For the group of rows being computed: per k, whether each lane adds its terms.
    keep: Vec<u8>,
    noise: Vec<Lane>,
    alignment_noise: Vec<Lane>,
    next_alignment: Vec<Lane>,
}

impl LaneDynamics {
    pub fn new(n: usize) -> LaneDynamics {
        LaneDynamics {
            n,
            build: Build::best(),
            next_trust: vec![[0.0; LANES]; n * n],
            coef: vec![[0.0; LANES]; n * n],
            keep: vec![0; n],
            noise: vec![[0.0; LANES]; n * n],
            alignment_noise: vec![[0.0; LANES]; n],
            next_alignment: vec![[0.0; LANES]; n],
        }
    }

    /// The build that runs the step and the transposes; tests set every available one.
    pub fn build(&self) -> Build {
        self.build
    }

    pub fn set_build(&mut self, build: Build) {
        assert!(build.available(), "this CPU cannot run the {build:?} build");
        self.build = build;
    }

    /// Draws the noise of the coming step, lane `l` from `trust[l]` and `alignment[l]`
    /// (fewer generators than lanes leave the last lanes as they are), exactly as
    /// [`super::Dynamics::advance`] draws it for one run: `n (n − 1)` trust normals row by
    /// row skipping the diagonal, then `n` alignment normals, each only when its σ is
    /// positive. One lane at a time, with its generator in a local: a generator behind a
    /// reference is stored to memory after every draw, which costs about as much as the draw.
    pub fn draw<R: Rng + Clone>(
        &mut self,
        params: &LaneParams,
        trust: &mut [R],
        alignment: &mut [R],
    ) {
        let n = self.n;
        for (l, shared) in trust.iter_mut().enumerate() {
            if params.trust_noise[l] > 0.0 {
                let mut rng = shared.clone();
                for (i, row) in self.noise.chunks_exact_mut(n).enumerate() {
                    for z in &mut row[..i] {
                        z[l] = normal(&mut rng);
                    }
                    for z in &mut row[i + 1..] {
                        z[l] = normal(&mut rng);
                    }
                }
                *shared = rng;
            }
        }
        for (l, shared) in alignment.iter_mut().enumerate() {
            if params.alignment_noise[l] > 0.0 {
                let mut rng = shared.clone();
                for z in &mut self.alignment_noise {
                    z[l] = normal(&mut rng);
                }
                *shared = rng;
            }
        }
    }

    /// Gives lane `l` no noise: for lanes that hold no run.
    pub fn quiet(&mut self, l: usize) {
        for z in self.noise.iter_mut().chain(&mut self.alignment_noise) {
            z[l] = 0.0;
        }
    }

    /// Moves every lane of `st` one step, with the numbers of `params` and the noise drawn
    /// by [`LaneDynamics::draw`].
    pub fn advance(&mut self, params: &LaneParams, st: &mut LaneState) {
        debug_assert_eq!(st.n, self.n, "LaneDynamics built for another scenario size");
        match self.build {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the build is `Build::best()` or one a test checked with `available`.
            Build::Avx512 => unsafe { self.step_avx512(params, st) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above.
            Build::Avx2 => unsafe { self.step_avx2(params, st) },
            _ => self.step::<Lane>(params, st),
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    fn step_avx512(&mut self, params: &LaneParams, st: &mut LaneState) {
        self.step::<avx512::V>(params, st);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn step_avx2(&mut self, params: &LaneParams, st: &mut LaneState) {
        self.step::<Lane>(params, st);
    }

    /// MODEL.md "One step", items 2 to 5, in the order and with the operations of
    /// [`super::Dynamics`], lane by lane. Where the scalar step tests a σ, a lane takes the
    /// result of the branch its own σ picks, so that a noise-free lane adds no `0 · z`.
    #[inline(always)]
    fn step<V: Vector>(&mut self, p: &LaneParams, st: &mut LaneState) {
        let n = self.n;
        if n == 0 {
            return;
        }

        // 2. Trust: memory and balance, then noise and the clamp.
        self.trust_before_noise::<V>(&st.trust, p);
        let (lo, hi) = (V::splat(-1.0), V::splat(1.0));
        let sigma = V::load(&p.trust_noise);
        if p.trust_noise.iter().all(|&s| s > 0.0) {
            for ((o, x), z) in st.trust.iter_mut().zip(&self.next_trust).zip(&self.noise) {
                V::load(x).add(sigma.mul(V::load(z))).clamp(lo, hi).store(o);
            }
        } else {
            for ((o, x), z) in st.trust.iter_mut().zip(&self.next_trust).zip(&self.noise) {
                let x = V::load(x);
                let noisy = x.add(sigma.mul(V::load(z)));
                sigma.where_positive(noisy, x).clamp(lo, hi).store(o);
            }
        }
        for o in st.trust.iter_mut().step_by(n + 1) {
            *o = [0.0; LANES];
        }

        // 3. Shocks decay.
        let keep = V::load(&p.keep);
        for s in &mut st.shock {
            V::load(s).mul(keep).store(s);
        }

        // 4 and 5, row by row, as in the scalar step.
        let balancing = V::load(&p.balancing);
        let sigma_a = V::load(&p.alignment_noise);
        let (zero, half, one) = (V::splat(0.0), V::splat(0.5), V::splat(1.0));
        let a = &st.alignment;
        let power = &st.power;
        for i in 0..n {
            let row = i * n..(i + 1) * n;
            let th_row = &mut st.threat[row.clone()];
            let (t_row, s_row) = (&st.trust[row.clone()], &st.shock[row.clone()]);
            let r_row = &p.reach[row];
            for ((((o, t), s), r), p) in th_row
                .iter_mut()
                .zip(t_row)
                .zip(s_row)
                .zip(r_row)
                .zip(power)
            {
                let x = V::load(p).mul(V::load(r)).mul(one.sub(V::load(t)));
                x.mul(half).add(V::load(s)).clamp(zero, one).store(o);
            }
            th_row[i] = [0.0; LANES];
            let own = V::load(&p.self_weight[i]).mul(V::load(&power[i]));
            let a_i = V::load(&a[i]);
            let mut weight_sum = own;
            let mut weighted = own.mul(a_i);
            let mut threat_sum = zero;
            for (((t, th), p), a_j) in t_row.iter().zip(th_row.iter()).zip(power).zip(a) {
                let a_j = V::load(a_j);
                let w = V::load(p).mul(V::load(t).positive());
                weight_sum = weight_sum.add(w);
                weighted = weighted.add(w.mul(a_j));
                threat_sum = threat_sum.add(V::load(th).mul(a_j));
            }
            let pulled = weight_sum.where_positive(weighted.div(weight_sum), a_i);
            let pulled = pulled.sub(balancing.mul(threat_sum));
            let next = V::load(&p.anchored[i]).add(V::load(&p.loose[i]).mul(pulled));
            let noisy = next.add(sigma_a.mul(V::load(&self.alignment_noise[i])));
            sigma_a
                .where_positive(noisy, next)
                .clamp(lo, hi)
                .store(&mut self.next_alignment[i]);
        }
        std::mem::swap(&mut st.alignment, &mut self.next_alignment);
    }

    /// `T_ij + κ (T⁰_ij − T_ij) + Σ_k (β' T_ik) T_kj` into `next_trust`, lane by lane, with
    /// the terms of [`super::balance`]: rows in groups of [`GROUP`], and a group of a run
    /// skips the k at which all its rows have `T_ik = 0`, unless only n entries of that
    /// run's T are 0; a run with β' = 0 has no balance term.
    #[inline(always)]
    fn trust_before_noise<V: Vector>(&mut self, trust: &[Lane], p: &LaneParams) {
        let n = self.n;
        let b = V::load(&p.beta);
        for (c, t) in self.coef.iter_mut().zip(trust) {
            b.mul(V::load(t)).store(c);
        }
        // Zeros counted as doubles, exact far beyond any scenario size.
        let mut zeros = V::splat(0.0);
        for t in trust {
            zeros = zeros.add(V::load(t).zero_ones());
        }
        let balanced = V::load(&p.beta).nonzero_mask();
        let dense = zeros.sub(V::splat(n as f64)).zero_mask() & balanced;
        let block = Block {
            trust,
            trust0: &p.anchor_trust,
            coef: &self.coef,
            n,
            kappa: &p.kappa,
        };
        for i0 in (0..n).step_by(GROUP) {
            let rows = GROUP.min(n - i0);
            let terms = if balanced == 0 {
                Terms::None
            } else if dense == u8::MAX {
                Terms::All
            } else {
                for (k, keep) in self.keep.iter_mut().enumerate() {
                    *keep = dense;
                    for i in i0..i0 + rows {
                        *keep |= V::load(&trust[i * n + k]).nonzero_mask();
                    }
                    *keep &= balanced;
                }
                Terms::Some(&self.keep)
            };
            match rows {
                4 => block.rows::<V, 4>(&mut self.next_trust, i0, terms),
                3 => block.rows::<V, 3>(&mut self.next_trust, i0, terms),
                2 => block.rows::<V, 2>(&mut self.next_trust, i0, terms),
                _ => block.rows::<V, 1>(&mut self.next_trust, i0, terms),
            }
        }
    }
}

/// What one group of rows of the balance product is computed from.
struct Block<'a> {
    trust: &'a [Lane],
    trust0: &'a [Lane],
    coef: &'a [Lane],
    n: usize,
    kappa: &'a Lane,
}

/// Which terms a group adds.
#[derive(Clone, Copy)]
enum Terms<'a> {
    /// None: β' = 0.
    None,
    /// Every k, in every lane.
    All,
    /// Per k, the lanes whose bits are set.
    Some(&'a [u8]),
}

impl Block<'_> {
    /// Rows `i0..i0 + R` of the product, four columns at a time, then one at a time.
    #[inline(always)]
    fn rows<V: Vector, const R: usize>(&self, next: &mut [Lane], i0: usize, terms: Terms<'_>) {
        let n = self.n;
        let mut j = 0;
        while j + 4 <= n {
            self.tile::<V, R, 4>(next, i0, j, terms);
            j += 4;
        }
        while j < n {
            self.tile::<V, R, 1>(next, i0, j, terms);
            j += 1;
        }
    }

    #[inline(always)]
    fn tile<V: Vector, const R: usize, const C: usize>(
        &self,
        next: &mut [Lane],
        i0: usize,
        j0: usize,
        terms: Terms<'_>,
    ) {
        let n = self.n;
        let kappa = V::load(self.kappa);
        let mut acc: [[V; C]; R] = std::array::from_fn(|r| {
            std::array::from_fn(|c| {
                let e = (i0 + r) * n + j0 + c;
                let t = V::load(&self.trust[e]);
                t.add(kappa.mul(V::load(&self.trust0[e]).sub(t)))
            })
        });
        match terms {
            Terms::None => {}
            Terms::All => {
                for k in 0..n {
                    let x: [V; C] = std::array::from_fn(|c| V::load(&self.trust[k * n + j0 + c]));
                    for (r, acc) in acc.iter_mut().enumerate() {
                        let cf = V::load(&self.coef[(i0 + r) * n + k]);
                        for (acc, &x) in acc.iter_mut().zip(&x) {
                            *acc = acc.add(cf.mul(x));
                        }
                    }
                }
            }
            Terms::Some(keep) => {
                for (k, &keep) in keep.iter().enumerate() {
                    let x: [V; C] = std::array::from_fn(|c| V::load(&self.trust[k * n + j0 + c]));
                    for (r, acc) in acc.iter_mut().enumerate() {
                        let cf = V::load(&self.coef[(i0 + r) * n + k]);
                        for (acc, &x) in acc.iter_mut().zip(&x) {
                            *acc = acc.add_where(keep, cf.mul(x));
                        }
                    }
                }
            }
        }
        for (r, acc) in acc.iter().enumerate() {
            for (c, acc) in acc.iter().enumerate() {
                acc.store(&mut next[(i0 + r) * n + j0 + c]);
            }
        }
    }
}

/// The operations of the step on the eight lanes of one entry, each with the meaning the
/// scalar step gives it on one number, so that both builds give every lane the scalar bits.
trait Vector: Copy {
    fn splat(x: f64) -> Self;
    fn load(x: &Lane) -> Self;
    fn store(self, to: &mut Lane);
    fn add(self, o: Self) -> Self;
    fn sub(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
    fn div(self, o: Self) -> Self;
    /// `f64::clamp`: below `lo` is `lo`, above `hi` is `hi`, and NaN stays NaN.
    fn clamp(self, lo: Self, hi: Self) -> Self;
    /// `x.max(0.0)` as the scalar step computes it: x where x > 0, else +0 (NaN and −0
    /// included).
    fn positive(self) -> Self;
    /// `a` where self > 0, else `b`.
    fn where_positive(self, a: Self, b: Self) -> Self;
    /// `self + x` in the lanes whose bit is set in `keep`, `self` in the others.
    fn add_where(self, keep: u8, x: Self) -> Self;
    /// 1 in the lanes that are 0 (or −0), 0 in the others.
    fn zero_ones(self) -> Self;
    /// A bit for each lane that is 0 (or −0).
    fn zero_mask(self) -> u8;
    /// A bit for each lane that is not 0.
    fn nonzero_mask(self) -> u8 {
        !self.zero_mask()
    }
}

/// The plain build: a loop over the lanes, which the compiler may vectorise as it can.
/// Written as loops on a copy rather than with `std::array::from_fn`, which is not always
/// inlined and then costs a call per operation.
impl Vector for Lane {
    #[inline(always)]
    fn splat(x: f64) -> Lane {
        [x; LANES]
    }
    #[inline(always)]
    fn load(x: &Lane) -> Lane {
        *x
    }
    #[inline(always)]
    fn store(self, to: &mut Lane) {
        *to = self;
    }
    #[inline(always)]
    fn add(self, o: Lane) -> Lane {
        zip_with(self, o, |a, b| a + b)
    }
    #[inline(always)]
    fn sub(self, o: Lane) -> Lane {
        zip_with(self, o, |a, b| a - b)
    }
    #[inline(always)]
    fn mul(self, o: Lane) -> Lane {
        zip_with(self, o, |a, b| a * b)
    }
    #[inline(always)]
    fn div(self, o: Lane) -> Lane {
        zip_with(self, o, |a, b| a / b)
    }
    #[inline(always)]
    fn clamp(mut self, lo: Lane, hi: Lane) -> Lane {
        for ((a, lo), hi) in self.iter_mut().zip(lo).zip(hi) {
            *a = a.clamp(lo, hi);
        }
        self
    }
    #[inline(always)]
    fn positive(mut self) -> Lane {
        for a in &mut self {
            *a = if *a > 0.0 { *a } else { 0.0 };
        }
        self
    }
    #[inline(always)]
    fn where_positive(self, mut a: Lane, b: Lane) -> Lane {
        for ((a, b), s) in a.iter_mut().zip(b).zip(self) {
            if s <= 0.0 || s.is_nan() {
                *a = b;
            }
        }
        a
    }
    #[inline(always)]
    fn add_where(mut self, keep: u8, x: Lane) -> Lane {
        for (l, (a, x)) in self.iter_mut().zip(x).enumerate() {
            if keep & (1 << l) != 0 {
                *a += x;
            }
        }
        self
    }
    #[inline(always)]
    fn zero_ones(mut self) -> Lane {
        for a in &mut self {
            *a = if *a == 0.0 { 1.0 } else { 0.0 };
        }
        self
    }
    #[inline(always)]
    fn zero_mask(self) -> u8 {
        let mut m = 0;
        for (l, a) in self.into_iter().enumerate() {
            m |= u8::from(a == 0.0) << l;
        }
        m
    }
}

/// `f` of each lane of `a` and `b`.
#[inline(always)]
fn zip_with(mut a: Lane, b: Lane, f: impl Fn(f64, f64) -> f64) -> Lane {
    for (a, b) in a.iter_mut().zip(b) {
        *a = f(*a, b);
    }
    a
}

/// The AVX-512 build: one register per entry, each operation one instruction (clamp two),
/// chosen for the scalar meaning: `max(a, b)` is `a > b ? a : b` and `min(a, b)` is
/// `a < b ? a : b`, so NaN and signed zeros come out as in the scalar step.
#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::{LANES, Lane, Vector};
    use std::arch::x86_64::*;

    #[derive(Clone, Copy)]
    pub(super) struct V(__m512d);

    // Every function runs AVX-512F instructions: `V` is private to this module and only used
    // inside functions compiled with AVX-512F, which run only where the CPU reported it.
    // Loads and stores go through references to eight doubles.
    impl Vector for V {
        #[inline(always)]
        fn splat(x: f64) -> V {
            // SAFETY: see the impl: AVX-512F code on a CPU that has it.
            unsafe { V(_mm512_set1_pd(x)) }
        }
        #[inline(always)]
        fn load(x: &Lane) -> V {
            // SAFETY: see the impl: AVX-512F code on a CPU that has it.
            unsafe { V(_mm512_loadu_pd(x.as_ptr())) }
        }
        #[inline(always)]
        fn store(self, to: &mut Lane) {
            // SAFETY: see the impl: AVX-512F code on a CPU that has it.
            unsafe { _mm512_storeu_pd(to.as_mut_ptr(), self.0) }
        }
        #[inline(always)]
        fn add(self, o: V) -> V {
            // SAFETY: see the impl: AVX-512F code on a CPU that has it.
            unsafe { V(_mm512_add_pd(self.0, o.0)) }
        }
        #[inline(always)]
        fn sub(self, o: V) -> V {
            // SAFETY: see the impl: AVX-512F code on a CPU that has it.
            unsafe { V(_mm512_sub_pd(self.0, o.0)) }
        }
        #[inline(always)]
        fn mul(self, o: V) -> V {
            // SAFETY: see the impl: AVX-512F code on a CPU that has it.
            unsafe { V(_mm512_mul_pd(self.0, o.0)) }
        }
        #[inline(always)]
        fn div(self, o: V) -> V {
            // SAFETY: see the impl: AVX-512F code on a CPU that has it.
            unsafe { V(_mm512_div_pd(self.0, o.0)) }
        }
        #[inline(always)]
        fn clamp(self, lo: V, hi: V) -> V {
            // lo > x ? lo : x, then hi < y ? hi : y: NaN passes both.
            // SAFETY: see the impl: AVX-512F code on a CPU that has it.
            unsafe { V(_mm512_min_pd(hi.0, _mm512_max_pd(lo.0, self.0))) }
        }
        #[inline(always)]
        fn positive(self) -> V {
            // SAFETY: see the impl: AVX-512F code on a CPU that has it.
            unsafe { V(_mm512_max_pd(self.0, _mm512_setzero_pd())) }
        }
        #[inline(always)]
        fn where_positive(self, a: V, b: V) -> V {
            // SAFETY: see the impl: AVX-512F code on a CPU that has it.
            unsafe {
                let m = _mm512_cmp_pd_mask::<_CMP_GT_OQ>(self.0, _mm512_setzero_pd());
                V(_mm512_mask_blend_pd(m, b.0, a.0))
            }
        }
        #[inline(always)]
        fn add_where(self, keep: u8, x: V) -> V {
            // SAFETY: see the impl: AVX-512F code on a CPU that has it.
            unsafe { V(_mm512_mask_add_pd(self.0, keep, self.0, x.0)) }
        }
        #[inline(always)]
        fn zero_ones(self) -> V {
            // SAFETY: see the impl: AVX-512F code on a CPU that has it.
            unsafe { V(_mm512_maskz_mov_pd(self.zero_mask(), _mm512_set1_pd(1.0))) }
        }
        #[inline(always)]
        fn zero_mask(self) -> u8 {
            // SAFETY: see the impl: AVX-512F code on a CPU that has it.
            unsafe { _mm512_cmp_pd_mask::<_CMP_EQ_OQ>(self.0, _mm512_setzero_pd()) }
        }
    }

    const _: () = assert!(LANES == 8, "one AVX-512 register holds eight doubles");
}

#[inline(always)]
fn normal<R: Rng>(rng: &mut R) -> f64 {
    StandardNormal.sample(rng)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Balance;

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    fn product_avx512(dynamics: &mut LaneDynamics, trust: &[Lane], params: &LaneParams) {
        dynamics.trust_before_noise::<avx512::V>(trust, params);
    }

    /// Each lane's product must equal the scalar kernel's on that lane's matrix, bit for bit,
    /// including the sign of a zero that only the skipping of zero terms decides: lane 0
    /// holds such a case (as in the kernel's own test), the other lanes dense or sparse
    /// matrices of their own, so lanes skip different terms in the same group.
    #[test]
    fn each_lane_skips_the_terms_its_run_skips() {
        let n = 5;
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 52) as f64 - 1.0
        };
        let mut matrices: Vec<Vec<f64>> = Vec::new();
        let mut signed = vec![0.0; n * n];
        signed[0] = -0.0;
        signed[4 * n] = 0.5;
        signed[4 * n + 1] = 0.25;
        matrices.push(signed);
        for l in 1..LANES {
            matrices.push(
                (0..n * n)
                    .map(|e| {
                        let x = next();
                        let zero = e % (n + 1) == 0 || (l % 2 == 0 && x.abs() < 0.7);
                        if zero { 0.0 } else { x }
                    })
                    .collect(),
            );
        }
        let mut trust0 = vec![0.0; n * n];
        trust0[0] = -1.0;
        let (kappa, beta) = (0.0, 0.5);
        let lanes: Vec<Lane> = (0..n * n)
            .map(|e| std::array::from_fn(|l| matrices[l][e]))
            .collect();
        let builds = [Build::Portable, Build::Avx2, Build::Avx512];
        for build in builds.into_iter().filter(|b| b.available()) {
            let mut dynamics = LaneDynamics::new(n);
            dynamics.set_build(build);
            let mut params = LaneParams::new(n);
            params.beta = [beta; LANES];
            params.kappa = [kappa; LANES];
            for (lane, &t) in params.anchor_trust.iter_mut().zip(&trust0) {
                *lane = [t; LANES];
            }
            match build {
                #[cfg(target_arch = "x86_64")]
                // SAFETY: the CPU has just reported AVX-512F.
                Build::Avx512 => unsafe { product_avx512(&mut dynamics, &lanes, &params) },
                _ => dynamics.trust_before_noise::<Lane>(&lanes, &params),
            }
            for (l, trust) in matrices.iter().enumerate() {
                let mut expected = vec![f64::NAN; n * n];
                Balance::new(n).next_trust(&mut expected, trust, &trust0, kappa, beta);
                for (e, x) in expected.iter().enumerate() {
                    let got = dynamics.next_trust[e][l];
                    assert!(
                        got.to_bits() == x.to_bits(),
                        "{build:?}, lane {l}, entry {e}: {got:?}, not {x:?}"
                    );
                }
            }
            let first = dynamics.next_trust[0][0];
            assert!(
                first.to_bits() == (-0.0f64).to_bits(),
                "the case no longer makes a −0"
            );
        }
    }
}
