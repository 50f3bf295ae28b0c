//! One step of the dynamics after the events (MODEL.md, "One step", items 2 to 5).

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
    /// shock decay, derived threat, alignment. `trust_noise` and `alignment_noise` yield
    /// standard normals; each is called only when its σ is positive, `n (n − 1)` times for
    /// trust (row by row, skipping the diagonal) and `n` times for alignment, so that the
    /// streams stay aligned across steps and runs.
    pub fn advance(
        &mut self,
        sc: &Scenario,
        st: &mut State,
        mut trust_noise: impl FnMut() -> f64,
        mut alignment_noise: impl FnMut() -> f64,
    ) {
        let n = st.n;
        let m = &sc.model;

        // 2. Trust, from the post-event T. The diagonal of T is 0, so the full product
        //    Σ_k T_ik T_kj already leaves out k = i and k = j.
        let balance = if n >= 3 && m.balance != 0.0 {
            m.balance / (n - 2) as f64
        } else {
            0.0
        };
        for i in 0..n {
            let row = i * n;
            let out = &mut self.next_trust[row..row + n];
            for j in 0..n {
                out[j] = st.trust[row + j] + m.trust_memory * (sc.trust0[row + j] - st.trust[row + j]);
            }
            if balance != 0.0 {
                for k in 0..n {
                    let t_ik = st.trust[row + k];
                    if t_ik == 0.0 {
                        continue;
                    }
                    let coef = balance * t_ik;
                    let row_k = &st.trust[k * n..k * n + n];
                    for (o, t_kj) in out.iter_mut().zip(row_k) {
                        *o += coef * t_kj;
                    }
                }
            }
            for (j, o) in out.iter_mut().enumerate() {
                if j == i {
                    *o = 0.0;
                    continue;
                }
                if m.trust_noise > 0.0 {
                    *o += m.trust_noise * trust_noise();
                }
                *o = o.clamp(-1.0, 1.0);
            }
        }
        std::mem::swap(&mut st.trust, &mut self.next_trust);

        // 3. Shocks decay.
        let keep = 1.0 - m.threat_decay;
        for s in &mut st.shock {
            *s *= keep;
        }

        // 4. Threat, derived from T', S' and the post-event power.
        st.derive_threat(&sc.reach);

        // 5. Alignment, from T', θ and a(t) as the events left it.
        let balancing = if n > 1 { m.balancing / (n - 1) as f64 } else { 0.0 };
        for i in 0..n {
            let row = i * n;
            let actor = &sc.actors[i];
            let mut weight_sum = actor.self_weight * st.power[i];
            let mut weighted = weight_sum * st.alignment[i];
            let mut threat_sum = 0.0;
            for j in 0..n {
                if j == i {
                    continue;
                }
                let w = st.power[j] * st.trust[row + j].max(0.0);
                weight_sum += w;
                weighted += w * st.alignment[j];
                threat_sum += st.threat[row + j] * st.alignment[j];
            }
            let pulled = if weight_sum > 0.0 {
                weighted / weight_sum
            } else {
                st.alignment[i]
            };
            let b = -balancing * threat_sum;
            let s = actor.stubbornness;
            let mut a = s * actor.alignment + (1.0 - s) * (pulled + b);
            if m.alignment_noise > 0.0 {
                a += m.alignment_noise * alignment_noise();
            }
            self.next_alignment[i] = a.clamp(-1.0, 1.0);
        }
        st.alignment.copy_from_slice(&self.next_alignment);
    }
}
