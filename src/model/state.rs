//! The state of one run at one step.

use crate::scenario::{Condition, Metric, Scenario};

/// Everything that evolves during a run. Matrices are flat row-major `n * n` buffers whose
/// diagonal stays 0: the model never reads `T_ii` or `S_ii`, and a zero diagonal lets the
/// structural-balance sum run over all `k` without excluding `i` and `j`.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub n: usize,
    /// a_i in [-1, 1].
    pub alignment: Vec<f64>,
    /// T_ij in [-1, 1]: trust of i in j.
    pub trust: Vec<f64>,
    /// S_ij in [0, 1]: transient threat shock i feels from j.
    pub shock: Vec<f64>,
    /// p_i in [0, 1].
    pub power: Vec<f64>,
    /// θ_ij in [0, 1], derived from trust, shock, power and reach by [`State::derive_threat`].
    /// Kept here so that triggers, outcomes and outputs read the same numbers the alignment
    /// update used; it is never updated on its own.
    pub threat: Vec<f64>,
}

impl State {
    /// The state at t = 0: initial alignment and power, baseline trust, no shocks.
    pub fn initial(sc: &Scenario) -> State {
        let n = sc.n();
        let mut st = State {
            n,
            alignment: sc.actors.iter().map(|a| a.alignment).collect(),
            trust: sc.trust0.clone(),
            shock: vec![0.0; n * n],
            power: sc.actors.iter().map(|a| a.power).collect(),
            threat: vec![0.0; n * n],
        };
        st.derive_threat(&sc.reach);
        st
    }

    /// Resets to the initial state without reallocating.
    pub fn reset(&mut self, sc: &Scenario) {
        for (a, actor) in self.alignment.iter_mut().zip(&sc.actors) {
            *a = actor.alignment;
        }
        for (p, actor) in self.power.iter_mut().zip(&sc.actors) {
            *p = actor.power;
        }
        self.trust.copy_from_slice(&sc.trust0);
        self.shock.fill(0.0);
        self.derive_threat(&sc.reach);
    }

    /// θ_ij = clamp(p_j R_ij (1 − T_ij)/2 + S_ij, 0, 1) for i ≠ j, θ_ii = 0 (MODEL.md step 4).
    pub fn derive_threat(&mut self, reach: &[f64]) {
        let n = self.n;
        let rows = self
            .threat
            .chunks_exact_mut(n)
            .zip(self.trust.chunks_exact(n))
            .zip(self.shock.chunks_exact(n).zip(reach.chunks_exact(n)));
        for (i, ((out, t_row), (s_row, r_row))) in rows.enumerate() {
            for ((((o, &t), &s), &r), &p) in out
                .iter_mut()
                .zip(t_row)
                .zip(s_row)
                .zip(r_row)
                .zip(&self.power)
            {
                *o = (p * r * (1.0 - t) * 0.5 + s).clamp(0.0, 1.0);
            }
            out[i] = 0.0;
        }
    }

    /// The value of a condition's metric in this state.
    pub fn metric(&self, c: &Condition) -> f64 {
        let i = c.actor;
        match c.metric {
            Metric::Alignment => self.alignment[i],
            Metric::Power => self.power[i],
            Metric::Trust => self.trust[i * self.n + c.other.unwrap_or(i)],
            Metric::Threat => self.threat[i * self.n + c.other.unwrap_or(i)],
        }
    }

    /// Whether this state meets the condition.
    pub fn meets(&self, c: &Condition) -> bool {
        c.op.holds(self.metric(c), c.value)
    }
}
