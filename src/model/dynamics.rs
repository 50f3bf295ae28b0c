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
        let rows = self
            .next_trust
            .chunks_exact_mut(n)
            .zip(trust.chunks_exact(n).zip(sc.trust0.chunks_exact(n)));
        for (i, (out, (row, row0))) in rows.enumerate() {
            for ((o, &t), &t0) in out.iter_mut().zip(row).zip(row0) {
                *o = t + kappa * (t0 - t);
            }
            if balance != 0.0 {
                add_balance(out, row, trust, balance);
            }
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

/// `out_j += β' Σ_k T_ik T_kj` for one row i of the structural-balance term. Zero entries of
/// row i are skipped: large scenarios leave most pairs at trust 0, where this saves most of
/// the O(n³) work.
#[inline]
fn add_balance(out: &mut [f64], row: &[f64], trust: &[f64], balance: f64) {
    let n = out.len();
    for (&t_ik, row_k) in row.iter().zip(trust.chunks_exact(n)) {
        if t_ik == 0.0 {
            continue;
        }
        let coef = balance * t_ik;
        for (o, &t_kj) in out.iter_mut().zip(row_k) {
            *o += coef * t_kj;
        }
    }
}

#[inline(always)]
fn normal<R: Rng>(rng: &mut R) -> f64 {
    StandardNormal.sample(rng)
}
