//! One step of the dynamics after the events (MODEL.md, "One step", items 2 to 5).

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

use super::State;
use crate::scenario::Scenario;

/// Scratch space for [`Dynamics::advance`], allocated once per worker and reused every step:
/// the updates are simultaneous, so the new trust and alignment are built beside the old.
#[derive(Debug, Clone)]
pub struct Dynamics {
    next_trust: Vec<f64>,
    next_alignment: Vec<f64>,
}

impl Dynamics {
    pub fn new(n: usize) -> Dynamics {
        Dynamics {
            next_trust: vec![0.0; n * n],
            next_alignment: vec![0.0; n],
        }
    }

    /// Moves `st` from the post-event state of step t to the state of step t + 1: trust,
    /// shock decay, derived threat, alignment. Standard normals are drawn from `trust_rng`
    /// and `alignment_rng` only when their σ is positive, `n (n − 1)` for trust (row by row,
    /// skipping the diagonal) and `n` for alignment, so that the streams stay aligned across
    /// steps and runs.
    ///
    /// The generators are copied into locals for the step and written back at its end: a
    /// generator behind a reference would be stored to memory after every draw, which costs
    /// more than the draw itself.
    pub fn advance<R: Rng + Clone>(
        &mut self,
        sc: &Scenario,
        st: &mut State,
        trust_rng: &mut R,
        alignment_rng: &mut R,
    ) {
        let mut trust_local = trust_rng.clone();
        let mut alignment_local = alignment_rng.clone();
        self.advance_with(sc, st, &mut trust_local, &mut alignment_local);
        *trust_rng = trust_local;
        *alignment_rng = alignment_local;
    }

    fn advance_with<R: Rng>(
        &mut self,
        sc: &Scenario,
        st: &mut State,
        trust_rng: &mut R,
        alignment_rng: &mut R,
    ) {
        let n = st.n;
        if n == 0 {
            return;
        }
        let m = &sc.model;

        // 2. Trust, from the post-event T. The diagonal of T is 0, so the full product
        //    Σ_k T_ik T_kj already leaves out k = i and k = j.
        let balance = if n >= 3 && m.balance != 0.0 {
            m.balance / (n - 2) as f64
        } else {
            0.0
        };
        let kappa = m.trust_memory;
        let trust = &st.trust;
        for ((out, row), row0) in self
            .next_trust
            .chunks_exact_mut(n)
            .zip(trust.chunks_exact(n))
            .zip(sc.trust0.chunks_exact(n))
        {
            for ((o, &t), &t0) in out.iter_mut().zip(row).zip(row0) {
                *o = t + kappa * (t0 - t);
            }
        }
        if balance != 0.0 {
            add_balance(&mut self.next_trust, trust, n, balance);
        }
        for (i, out) in self.next_trust.chunks_exact_mut(n).enumerate() {
            if m.trust_noise > 0.0 {
                for (j, o) in out.iter_mut().enumerate() {
                    if j != i {
                        *o += m.trust_noise * normal(trust_rng);
                    }
                }
            }
            for o in out.iter_mut() {
                *o = o.clamp(-1.0, 1.0);
            }
            out[i] = 0.0;
        }
        std::mem::swap(&mut st.trust, &mut self.next_trust);

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
        let a = &st.alignment;
        let power = &st.power;
        let rows = st
            .threat
            .chunks_exact_mut(n)
            .zip(st.trust.chunks_exact(n))
            .zip(st.shock.chunks_exact(n).zip(sc.reach.chunks_exact(n)));
        for (i, (((th_row, t_row), (s_row, r_row)), actor)) in rows.zip(&sc.actors).enumerate() {
            for ((((th, &t), &s), &r), &p) in th_row
                .iter_mut()
                .zip(t_row)
                .zip(s_row)
                .zip(r_row)
                .zip(power)
            {
                *th = (p * r * (1.0 - t) * 0.5 + s).clamp(0.0, 1.0);
            }
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
            let mut next = s * actor.alignment + (1.0 - s) * (pulled - balancing * threat_sum);
            if m.alignment_noise > 0.0 {
                next += m.alignment_noise * normal(alignment_rng);
            }
            self.next_alignment[i] = next.clamp(-1.0, 1.0);
        }
        std::mem::swap(&mut st.alignment, &mut self.next_alignment);
    }
}

/// `next_ij += β' Σ_k T_ik T_kj` for every row i: the structural-balance term, the one
/// O(n³) part of a step. Rows are taken two at a time so that each row k of T, once loaded,
/// serves two outputs; every output still sums its terms in k order, so the result does not
/// depend on the blocking. Zero entries are skipped: large scenarios leave most pairs at
/// trust 0, where this saves most of the work.
fn add_balance(next: &mut [f64], trust: &[f64], n: usize, balance: f64) {
    let mut pairs = next.chunks_exact_mut(2 * n);
    let mut sources = trust.chunks_exact(2 * n);
    for (out, rows) in (&mut pairs).zip(&mut sources) {
        let (out1, out2) = out.split_at_mut(n);
        let (row1, row2) = rows.split_at(n);
        for ((&t1, &t2), row_k) in row1.iter().zip(row2).zip(trust.chunks_exact(n)) {
            if t1 == 0.0 && t2 == 0.0 {
                continue;
            }
            let (c1, c2) = (balance * t1, balance * t2);
            for ((o1, o2), &x) in out1.iter_mut().zip(out2.iter_mut()).zip(row_k) {
                *o1 += c1 * x;
                *o2 += c2 * x;
            }
        }
    }
    let (out, row) = (pairs.into_remainder(), sources.remainder());
    if !out.is_empty() {
        for (&t, row_k) in row.iter().zip(trust.chunks_exact(n)) {
            if t == 0.0 {
                continue;
            }
            let c = balance * t;
            for (o, &x) in out.iter_mut().zip(row_k) {
                *o += c * x;
            }
        }
    }
}

#[inline(always)]
fn normal<R: Rng>(rng: &mut R) -> f64 {
    StandardNormal.sample(rng)
}
