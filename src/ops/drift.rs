//! What a scenario does on its own: its start run without events and without noise
//! (MODEL.md, "Anchors"), reported by `influence validate`.
//!
//! Under steady anchors nothing should move; a drift says that the start is not what the
//! actors' ties imply, and a study of that scenario would report the drift as if the events
//! had caused it. The run goes through the driver like any other.

use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use crate::model::{State, solve_anchors};
use crate::montecarlo::driver::{DriverError, execute};
use crate::montecarlo::plan::RunPlan;
use crate::montecarlo::tally::{MergeError, Tally};
use crate::scenario::{AnchorMode, Scenario};

/// Moves smaller than this are rounding, not drift.
pub const DRIFT_TOLERANCE: f64 = 1e-9;

/// The largest moves of one quiet run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct DriftTally {
    start_alignment: Vec<f64>,
    start_trust: Vec<f64>,
    end_alignment: Vec<f64>,
    /// Largest |T_t − T0| of each pair over the run.
    trust_move: Vec<f64>,
}

impl Tally for DriftTally {
    fn record(&mut self, _side: usize, _sc: &Scenario, t: usize, st: &State) {
        if t == 0 {
            self.start_alignment = st.alignment.clone();
            self.start_trust = st.trust.clone();
            self.trust_move = vec![0.0; st.trust.len()];
        }
        for ((m, &x), &x0) in self
            .trust_move
            .iter_mut()
            .zip(&st.trust)
            .zip(&self.start_trust)
        {
            *m = m.max((x - x0).abs());
        }
        self.end_alignment = st.alignment.clone();
    }

    fn merge(&mut self, other: DriftTally) -> Result<(), MergeError> {
        if other.start_alignment.is_empty() {
            return Ok(());
        }
        Err(MergeError::shape("quiet runs", 1, 2))
    }
}

/// What the scenario does with no events and no noise.
#[derive(Debug, Clone, PartialEq)]
pub struct Drift {
    /// Per actor: start and end of the quiet run.
    pub alignment: Vec<(f64, f64)>,
    /// The largest trust moves: (from, to, start, largest |move|), largest first, at most 5.
    pub trust: Vec<(usize, usize, f64, f64)>,
    /// What MODEL.md asks `validate` to warn about.
    pub warnings: Vec<String>,
}

/// Runs `sc` without events and noise, inputs at their nominal values.
pub fn quiet_run(sc: &Scenario, pool: &rayon::ThreadPool) -> Result<Drift, DriverError> {
    let mut quiet = sc.clone();
    quiet.events.clear();
    quiet.model.trust_noise = 0.0;
    quiet.model.alignment_noise = 0.0;
    quiet.model.event_noise = 0.0;
    let plan = RunPlan::single(&quiet, 0, 0..1);
    let done = execute(
        &plan,
        "quiet",
        pool,
        &DriftTally::default,
        false,
        &|_| {},
        &AtomicBool::new(false),
    )?;
    let t = done.tallied.tally;
    let n = sc.n();
    let alignment: Vec<(f64, f64)> = t
        .start_alignment
        .iter()
        .copied()
        .zip(t.end_alignment.iter().copied())
        .collect();
    let mut trust: Vec<(usize, usize, f64, f64)> = (0..n * n)
        .filter(|k| k / n != k % n && t.trust_move[*k] > DRIFT_TOLERANCE)
        .map(|k| (k / n, k % n, t.start_trust[k], t.trust_move[k]))
        .collect();
    trust.sort_by(|a, b| b.3.total_cmp(&a.3).then((a.0, a.1).cmp(&(b.0, b.1))));
    trust.truncate(5);

    let mut warnings = Vec::new();
    let steady = sc.model.anchors == AnchorMode::Steady;
    for (actor, &(a0, end)) in sc.actors.iter().zip(&alignment) {
        if steady && actor.stubbornness == 0.0 && (end - a0).abs() > DRIFT_TOLERANCE {
            warnings.push(format!(
                "{} has stubbornness 0, so it has no anchor, and its start is not what its ties \
                 imply: without any event it moves from {a0:+.3} to {end:+.3}",
                actor.name
            ));
        }
    }
    if sc.model.trust_memory == 0.0 && sc.model.balance > 0.0 && !trust.is_empty() {
        warnings.push(
            "trust_memory is 0, so trust has no anchor and moves by structural balance alone, \
             events or not"
                .into(),
        );
    }
    if steady {
        let anchors = solve_anchors(sc);
        for (actor, &a) in sc.actors.iter().zip(&anchors.alignment) {
            if actor.stubbornness > 0.0 && a.abs() > 1.0 {
                warnings.push(format!(
                    "{}'s anchor is {a:+.2}, outside [-1, 1]: its start is far from what its \
                     ties imply, and it is held there only by a pull beyond the axis",
                    actor.name
                ));
            }
        }
    }
    Ok(Drift {
        alignment,
        trust,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::montecarlo::thread_pool;
    use crate::scenario::ScenarioSource;

    #[test]
    fn the_default_scenario_is_steady_and_initial_anchors_drift() {
        let pool = thread_pool(Some(1)).expect("pool");
        let sc = ScenarioSource::embedded_default().parse().expect("parses");
        let d = quiet_run(&sc, &pool).expect("runs");
        for &(a0, end) in &d.alignment {
            assert!((end - a0).abs() < 1e-12, "{a0} -> {end}");
        }
        assert!(d.trust.is_empty(), "{:?}", d.trust);
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
        let mut initial = sc.clone();
        initial.model.anchors = AnchorMode::Initial;
        let d = quiet_run(&initial, &pool).expect("runs");
        assert!(d.alignment.iter().any(|&(a0, end)| (end - a0).abs() > 0.01));
    }

    #[test]
    fn an_actor_without_anchor_off_its_steady_start_is_warned_about() {
        let pool = thread_pool(Some(1)).expect("pool");
        let mut sc = ScenarioSource::embedded_default().parse().expect("parses");
        sc.actors[1].stubbornness = 0.0;
        let d = quiet_run(&sc, &pool).expect("runs");
        assert!(
            d.warnings.iter().any(|w| w.contains("has stubbornness 0")),
            "{:?}",
            d.warnings
        );
    }
}
