//! Outcomes judged on one run as it goes, step by step, without keeping its trajectory.

use crate::model::State;
use crate::scenario::{Outcome, When};

/// The running verdict of every outcome of a scenario on one run.
#[derive(Debug, Clone)]
pub struct OutcomeTracker {
    verdicts: Vec<bool>,
    last_step: usize,
}

impl OutcomeTracker {
    pub fn new(outcomes: &[Outcome], steps: usize) -> OutcomeTracker {
        let mut t = OutcomeTracker {
            verdicts: Vec::new(),
            last_step: steps,
        };
        t.reset(outcomes);
        t
    }

    /// Starts a new run: "always" verdicts start true, the others false.
    pub fn reset(&mut self, outcomes: &[Outcome]) {
        self.verdicts.clear();
        self.verdicts
            .extend(outcomes.iter().map(|o| matches!(o.when, When::Always)));
    }

    /// Takes the state at step `t` into account.
    pub fn observe(&mut self, outcomes: &[Outcome], t: usize, st: &State) {
        for (v, o) in self.verdicts.iter_mut().zip(outcomes) {
            match o.when {
                When::End => {
                    if t == self.last_step {
                        *v = st.meets(&o.condition);
                    }
                }
                When::Ever => *v = *v || st.meets(&o.condition),
                When::Always => *v = *v && st.meets(&o.condition),
                When::Window { from, to } => {
                    if from <= t && t <= to {
                        *v = *v || st.meets(&o.condition);
                    }
                }
            }
        }
    }

    /// The verdicts, valid once every step up to the last has been observed.
    pub fn verdicts(&self) -> &[bool] {
        &self.verdicts
    }
}
