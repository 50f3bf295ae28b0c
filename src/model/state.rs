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

/// One of the five fields of a [`State`], in the order of its declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    Alignment,
    Trust,
    Shock,
    Power,
    Threat,
}

impl Part {
    pub const ALL: [Part; 5] = [
        Part::Alignment,
        Part::Trust,
        Part::Shock,
        Part::Power,
        Part::Threat,
    ];

    /// The part a condition's metric lives in.
    pub fn of(metric: Metric) -> Part {
        match metric {
            Metric::Alignment => Part::Alignment,
            Metric::Trust => Part::Trust,
            Metric::Threat => Part::Threat,
            Metric::Power => Part::Power,
        }
    }
}

/// What a reader of a run's states looks at in the states between the first and the last
/// (those two it may read whole): whole parts, and single entries of the others.
///
/// Runs side by side keep every run's states until the group ends, and at 9 actors keeping
/// them whole cost more than a tenth of a run, though a study reads little of them before
/// the last step: alignment, and the entry of each outcome's condition. A reader that does
/// not say otherwise reads [`Reads::everything`]. The states runs side by side hand on hold
/// NaN wherever their reader said it would not read, so that a reader that reads more than
/// it says gives results that a test sees are wrong.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reads {
    whole: [bool; 5],
    /// Entries of parts not read whole, sorted, without repeats.
    entries: Vec<(Part, usize)>,
}

impl Reads {
    /// Every part of every state.
    pub fn everything() -> Reads {
        Reads {
            whole: [true; 5],
            entries: Vec::new(),
        }
    }

    /// Nothing between the first and the last state.
    pub fn nothing() -> Reads {
        Reads::default()
    }

    /// These reads and all of `part`.
    pub fn whole(mut self, part: Part) -> Reads {
        self.whole[part as usize] = true;
        self.entries.retain(|&(p, _)| p != part);
        self
    }

    /// These reads and the entry each condition's metric reads in a state of `n` actors.
    pub fn conditions<'c>(
        mut self,
        n: usize,
        conditions: impl IntoIterator<Item = &'c Condition>,
    ) -> Reads {
        for c in conditions {
            let part = Part::of(c.metric);
            if self.whole[part as usize] {
                continue;
            }
            let at = match c.metric {
                Metric::Alignment | Metric::Power => c.actor,
                Metric::Trust | Metric::Threat => c.actor * n + c.other.unwrap_or(c.actor),
            };
            self.entries.push((part, at));
        }
        self.entries.sort_unstable();
        self.entries.dedup();
        self
    }

    /// Everything either of the two reads.
    pub fn union(mut self, other: &Reads) -> Reads {
        for part in Part::ALL {
            if other.whole[part as usize] {
                self = self.whole(part);
            }
        }
        for &(part, at) in &other.entries {
            if !self.whole[part as usize] {
                self.entries.push((part, at));
            }
        }
        self.entries.sort_unstable();
        self.entries.dedup();
        self
    }

    /// Whether `part` is read whole.
    pub fn reads_whole(&self, part: Part) -> bool {
        self.whole[part as usize]
    }

    /// Whether every part is read whole.
    pub fn is_everything(&self) -> bool {
        self.whole.iter().all(|&w| w)
    }

    /// The single entries read of `part` (none when it is read whole).
    pub fn entries(&self, part: Part) -> impl Iterator<Item = usize> + '_ {
        self.entries
            .iter()
            .filter(move |&&(p, _)| p == part)
            .map(|&(_, at)| at)
    }

    /// Sets every entry of `st` these reads leave out to NaN.
    pub fn poison(&self, st: &mut State) {
        for part in Part::ALL {
            if self.whole[part as usize] {
                continue;
            }
            let field = st.part_mut(part);
            let mut keep = self.entries(part).peekable();
            for (at, x) in field.iter_mut().enumerate() {
                if keep.next_if_eq(&at).is_none() {
                    *x = f64::NAN;
                }
            }
        }
    }
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

    /// One of the five fields.
    pub fn part(&self, part: Part) -> &[f64] {
        match part {
            Part::Alignment => &self.alignment,
            Part::Trust => &self.trust,
            Part::Shock => &self.shock,
            Part::Power => &self.power,
            Part::Threat => &self.threat,
        }
    }

    /// One of the five fields, to write.
    pub fn part_mut(&mut self, part: Part) -> &mut [f64] {
        match part {
            Part::Alignment => &mut self.alignment,
            Part::Trust => &mut self.trust,
            Part::Shock => &mut self.shock,
            Part::Power => &mut self.power,
            Part::Threat => &mut self.threat,
        }
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
