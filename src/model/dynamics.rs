//! One step of the dynamics after the events (MODEL.md, "One step", items 2 to 5).
//!
//! This is where a run spends its time, so the step is written for the vector units: the
//! structural-balance product has a kernel of its own ([`super::balance`]), which picks the
//! widest registers the CPU has, and on x86-64 CPUs with AVX2 the rest of the step runs in a
//! build that uses 256-bit registers. Every build does the same operations in the same order
//! (no fused multiply-add, no reordered sums), so they give the same bits; a test holds them
//! to it.

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

use super::State;
use super::anchors::Anchors;
use super::balance::Balance;
use crate::scenario::Scenario;

/// Scratch space for [`Dynamics::advance`], allocated once per worker and reused every step:
/// the updates are simultaneous, so the new trust and alignment are built beside the old.
#[derive(Debug, Clone)]
pub struct Dynamics {
    n: usize,
    /// T' before noise and clamping.
    next_trust: Vec<f64>,
    /// The trust noise ε of the step, 0 on the diagonal.
    noise: Vec<f64>,
    /// Scratch space of the trust-memory and balance kernel.
    balance: Balance,
    next_alignment: Vec<f64>,
    /// The alignment noise ε of the step, drawn before it is used for the same reason as
    /// the trust noise.
    alignment_noise: Vec<f64>,
    /// Whether the AVX2 build of the step runs on this CPU.
    wide: bool,
}

impl Dynamics {
    pub fn new(n: usize) -> Dynamics {
        Dynamics {
            n,
            next_trust: vec![0.0; n * n],
            noise: vec![0.0; n * n],
            balance: Balance::new(n),
            next_alignment: vec![0.0; n],
            alignment_noise: vec![0.0; n],
            wide: avx2_available(),
        }
    }

    /// Moves `st` from the post-event state of step t to the state of step t + 1: trust,
    /// shock decay, derived threat, alignment. Standard normals are drawn from `trust_rng`
    /// and `alignment_rng` only when their σ is positive, `n (n − 1)` for trust (row by row,
    /// skipping the diagonal) and `n` for alignment, so that the streams stay aligned across
    /// steps and runs.
    pub fn advance<R: Rng + Clone>(
        &mut self,
        sc: &Scenario,
        anchors: &Anchors,
        st: &mut State,
        trust_rng: &mut R,
        alignment_rng: &mut R,
    ) {
        debug_assert_eq!(st.n, self.n, "Dynamics built for another scenario size");
        #[cfg(target_arch = "x86_64")]
        if self.wide {
            // SAFETY: `wide` is only true when the CPU reported AVX2 (`avx2_available`).
            unsafe { self.step_avx2(sc, anchors, st, trust_rng, alignment_rng) };
            return;
        }
        self.step(sc, anchors, st, trust_rng, alignment_rng);
    }

    /// [`Dynamics::step`] compiled for AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn step_avx2<R: Rng + Clone>(
        &mut self,
        sc: &Scenario,
        anchors: &Anchors,
        st: &mut State,
        trust_rng: &mut R,
        alignment_rng: &mut R,
    ) {
        self.step(sc, anchors, st, trust_rng, alignment_rng);
    }

    /// The step itself. The generators are copied into locals for its length and written
    /// back at its end: a generator behind a reference is stored to memory after every draw,
    /// which costs about as much as the draw.
    #[inline(always)]
    fn step<R: Rng + Clone>(
        &mut self,
        sc: &Scenario,
        anchors: &Anchors,
        st: &mut State,
        trust_rng: &mut R,
        alignment_rng: &mut R,
    ) {
        let mut trust_local = trust_rng.clone();
        let mut alignment_local = alignment_rng.clone();
        self.step_with(sc, anchors, st, &mut trust_local, &mut alignment_local);
        *trust_rng = trust_local;
        *alignment_rng = alignment_local;
    }

    #[inline(always)]
    fn step_with<R: Rng>(
        &mut self,
        sc: &Scenario,
        anchors: &Anchors,
        st: &mut State,
        trust_rng: &mut R,
        alignment_rng: &mut R,
    ) {
        let n = st.n;
        if n == 0 {
            return;
        }
        let m = &sc.model;

        // 2. Trust, from the post-event T: memory first, then the balance product, then
        //    noise and the clamp. The diagonal of T is 0, so the full product Σ_k T_ik T_kj
        //    already leaves out k = i and k = j.
        let beta = if n >= 3 {
            m.balance / (n - 2) as f64
        } else {
            0.0
        };
        self.trust_before_noise(&st.trust, &anchors.trust, m.trust_memory, beta);
        self.noise_and_clamp(&mut st.trust, m.trust_noise, trust_rng);

        // 3. Shocks decay.
        let keep = 1.0 - m.threat_decay;
        for s in &mut st.shock {
            *s *= keep;
        }

        // 4 and 5, row by row. Threat θ_i· is derived from T', S' and the post-event power;
        // alignment from T', θ and a(t) as the events left it. T_ii = θ_ii = 0, so the sums
        // may run over every j: the diagonal adds nothing.
        let balancing = if n > 1 {
            m.balancing / (n - 1) as f64
        } else {
            0.0
        };
        if m.alignment_noise > 0.0 {
            for z in &mut self.alignment_noise {
                *z = normal(alignment_rng);
            }
        }
        let a = &st.alignment;
        let power = &st.power;
        let rows = st
            .threat
            .chunks_exact_mut(n)
            .zip(st.trust.chunks_exact(n))
            .zip(st.shock.chunks_exact(n).zip(sc.reach.chunks_exact(n)));
        for (i, (((th_row, t_row), (s_row, r_row)), actor)) in rows.zip(&sc.actors).enumerate() {
            threat_row(th_row, t_row, s_row, r_row, power);
            th_row[i] = 0.0;
            let own = actor.self_weight * power[i];
            let mut weight_sum = own;
            let mut weighted = own * a[i];
            let mut threat_sum = 0.0;
            for (((&t, &th), &p), &a_j) in t_row.iter().zip(th_row.iter()).zip(power).zip(a) {
                let w = p * t.max(0.0);
                weight_sum += w;
                weighted += w * a_j;
                threat_sum += th * a_j;
            }
            let pulled = if weight_sum > 0.0 {
                weighted / weight_sum
            } else {
                a[i]
            };
            let s = actor.stubbornness;
            let mut next = s * anchors.alignment[i] + (1.0 - s) * (pulled - balancing * threat_sum);
            if m.alignment_noise > 0.0 {
                next += m.alignment_noise * self.alignment_noise[i];
            }
            self.next_alignment[i] = next.clamp(-1.0, 1.0);
        }
        std::mem::swap(&mut st.alignment, &mut self.next_alignment);
    }
}

impl Dynamics {
    /// `T'_ij = clamp(next_ij + σ_T ε_ij, −1, 1)` for i ≠ j and `T'_ii = 0`, into `trust`.
    /// The normals are drawn first, in loops that hold little but the generator, and added
    /// afterwards in one pass over the matrix.
    #[inline(always)]
    fn noise_and_clamp<R: Rng>(&mut self, trust: &mut [f64], sigma: f64, rng: &mut R) {
        let n = self.n;
        if sigma > 0.0 {
            for (i, row) in self.noise.chunks_exact_mut(n).enumerate() {
                for z in &mut row[..i] {
                    *z = normal(rng);
                }
                for z in &mut row[i + 1..] {
                    *z = normal(rng);
                }
            }
            for ((o, &x), &z) in trust.iter_mut().zip(&self.next_trust).zip(&self.noise) {
                *o = (x + sigma * z).clamp(-1.0, 1.0);
            }
        } else {
            for (o, &x) in trust.iter_mut().zip(&self.next_trust) {
                *o = x.clamp(-1.0, 1.0);
            }
        }
        for o in trust.iter_mut().step_by(n + 1) {
            *o = 0.0;
        }
    }

    /// `T_ij + κ (T⁰_ij − T_ij) + β' Σ_k T_ik T_kj` into `next_trust`: trust memory and
    /// structural balance, the one O(n³) part of a step (see [`super::balance`]).
    #[inline(always)]
    fn trust_before_noise(&mut self, trust: &[f64], trust0: &[f64], kappa: f64, beta: f64) {
        self.balance
            .next_trust(&mut self.next_trust, trust, trust0, kappa, beta);
    }
}

/// `θ_ij = clamp(p_j R_ij (1 − T_ij)/2 + S_ij, 0, 1)` for one row i, every j. A function of
/// its own so that the compiler knows the output row overlaps none of the inputs.
#[inline(always)]
fn threat_row(out: &mut [f64], trust: &[f64], shock: &[f64], reach: &[f64], power: &[f64]) {
    let n = out.len();
    let (trust, shock, reach, power) = (&trust[..n], &shock[..n], &reach[..n], &power[..n]);
    for j in 0..n {
        out[j] = (power[j] * reach[j] * (1.0 - trust[j]) * 0.5 + shock[j]).clamp(0.0, 1.0);
    }
}

/// Whether this CPU can run the AVX2 build of the step.
fn avx2_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

#[inline(always)]
fn normal<R: Rng>(rng: &mut R) -> f64 {
    StandardNormal.sample(rng)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::balance::Build;
    use crate::montecarlo::stream_keys;
    use crate::scenario::ScenarioSource;

    /// Bit patterns of every quantity the step writes.
    fn bits(st: &State) -> Vec<u64> {
        st.alignment
            .iter()
            .chain(&st.trust)
            .chain(&st.shock)
            .chain(&st.threat)
            .map(|x| x.to_bits())
            .collect()
    }

    /// Steps a few runs of a scenario with the given builds of the step and of the balance
    /// kernel, recording the state after every step.
    fn trajectory(path: Option<&str>, wide: bool, kernel: Build) -> Vec<Vec<u64>> {
        let source = ScenarioSource::from_option(path.map(std::path::Path::new));
        let sc = match source.and_then(|s| s.parse()) {
            Ok(sc) => sc,
            Err(e) => panic!("scenario rejected: {e}"),
        };
        let keys = stream_keys(&sc, 7);
        let mut dynamics = Dynamics::new(sc.n());
        let anchors = crate::model::solve_anchors(&sc);
        dynamics.wide = wide;
        dynamics.balance.set_build(kernel);
        let mut out = Vec::new();
        for run in 0..5 {
            let mut st = State::initial(&sc);
            let mut streams = keys.for_run(run);
            for _ in 0..sc.steps {
                let (trust, alignment) = streams.noise();
                dynamics.advance(&sc, &anchors, &mut st, trust, alignment);
                out.push(bits(&st));
            }
        }
        out
    }

    /// Every build of the step (portable, AVX2) with every build of the balance kernel
    /// (portable, AVX2, AVX-512) must agree to the bit, or results would depend on the
    /// machine. Builds the CPU cannot run are left out; where it has none of them the test
    /// shows only that the step is repeatable.
    #[test]
    fn vector_builds_agree_to_the_bit() {
        let kernels: Vec<Build> = [Build::Portable, Build::Avx2, Build::Avx512]
            .into_iter()
            .filter(|b| b.available())
            .collect();
        for path in [None, Some("tests/scenarios/wide.toml")] {
            let portable = trajectory(path, false, Build::Portable);
            for wide in [false, avx2_available()] {
                for &kernel in &kernels {
                    let other = trajectory(path, wide, kernel);
                    assert_eq!(portable.len(), other.len());
                    for (t, (a, b)) in portable.iter().zip(&other).enumerate() {
                        assert!(
                            a == b,
                            "{path:?}: state {t} differs between the portable builds and \
                             step wide = {wide}, kernel {kernel:?}"
                        );
                    }
                }
            }
        }
    }

    /// `T_ij + κ (T⁰_ij − T_ij) + Σ_k (β T_ik) T_kj` as MODEL.md step 2 writes it, before
    /// noise and clamping: each entry summed on its own, every k in order, nothing skipped.
    fn plain_sum(trust: &[f64], trust0: &[f64], n: usize, kappa: f64, beta: f64) -> Vec<f64> {
        let mut out = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                let t = trust[i * n + j];
                let mut x = t + kappa * (trust0[i * n + j] - t);
                for k in 0..n {
                    x += (beta * trust[i * n + k]) * trust[k * n + j];
                }
                out[i * n + j] = x;
            }
        }
        out
    }

    /// T' by the plain formula of MODEL.md step 2 without noise.
    fn plain_trust(sc: &Scenario, anchors: &Anchors, st: &State) -> Vec<f64> {
        let n = st.n;
        let beta = sc.model.balance / (n - 2) as f64;
        let mut out = plain_sum(&st.trust, &anchors.trust, n, sc.model.trust_memory, beta);
        for (k, x) in out.iter_mut().enumerate() {
            *x = if k / n == k % n {
                0.0
            } else {
                x.clamp(-1.0, 1.0)
            };
        }
        out
    }

    /// The blocked product, with and without the skipping of zero terms, equals the plain
    /// sum exactly: on the default scenario, where every pair has trust, and on a wide one
    /// where most pairs stay at 0 once the noise is off.
    #[test]
    fn blocked_trust_update_equals_the_plain_sum() {
        let default = ScenarioSource::embedded_default().text;
        let wide = match std::fs::read_to_string("tests/scenarios/wide.toml") {
            Ok(text) => text,
            Err(e) => panic!("tests/scenarios/wide.toml: {e}"),
        };
        for (name, text) in [("default", default), ("wide", wide)] {
            let text = text
                .lines()
                .map(|l| {
                    if l.starts_with("trust_noise") {
                        "trust_noise = 0.0"
                    } else {
                        l
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
            let sc = match crate::scenario::parse_scenario(&text, "test.toml") {
                Ok(sc) => sc,
                Err(e) => panic!("{name}: {e}"),
            };
            assert!(sc.model.balance > 0.0 && sc.model.trust_noise == 0.0);
            let zeros = sc.trust0.iter().filter(|&&t| t == 0.0).count();
            let keys = stream_keys(&sc, 3);
            let mut streams = keys.for_run(0);
            let mut dynamics = Dynamics::new(sc.n());
            let anchors = crate::model::solve_anchors(&sc);
            let mut st = State::initial(&sc);
            for step in 0..sc.steps {
                let expected = plain_trust(&sc, &anchors, &st);
                let (trust, alignment) = streams.noise();
                dynamics.advance(&sc, &anchors, &mut st, trust, alignment);
                assert!(st.trust == expected, "{name}: trust differs at step {step}");
            }
            println!("{name}: {zeros} zero entries of {} in T⁰", sc.n() * sc.n());
        }
    }

    /// The blocked memory-and-balance term against the plain sum for every size from 1 to
    /// 13 actors, so that every height of the last group of rows (1 to 4) meets strips
    /// that are whole and strips padded with zeros, on dense matrices and on ones with zeros.
    #[test]
    fn blocks_of_every_shape_equal_the_plain_sum() {
        // A fixed pseudo-random sequence in [-1, 1).
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 52) as f64 - 1.0
        };
        for n in 1..=13 {
            for sparse in [false, true] {
                let mut matrix = || -> Vec<f64> {
                    (0..n * n)
                        .map(|k| {
                            let x = next();
                            let zero = k % (n + 1) == 0 || (sparse && x.abs() < 0.6);
                            if zero { 0.0 } else { x }
                        })
                        .collect()
                };
                let (trust, trust0) = (matrix(), matrix());
                let (kappa, beta) = (0.07, 0.3);
                let mut dynamics = Dynamics::new(n);
                dynamics.trust_before_noise(&trust, &trust0, kappa, beta);
                let expected = plain_sum(&trust, &trust0, n, kappa, beta);
                for (k, (&got, &x)) in dynamics.next_trust.iter().zip(&expected).enumerate() {
                    let (i, j) = (k / n, k % n);
                    assert!(
                        got == x,
                        "n = {n}, sparse = {sparse}: ({i}, {j}) is {got}, not {x}"
                    );
                }
            }
        }
    }
}
