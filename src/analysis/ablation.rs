//! Event ablation: what each event contributes, measured by leaving it out.
//!
//! For every event, the scenario without it is run paired with the full scenario (common
//! random numbers: every other event and the noise draw the same numbers). The paired
//! difference full − without is the event's effect on each outcome and on each actor's final
//! alignment, free of most of the Monte Carlo noise that two independent studies would add.

use super::compare::{alignment_diff, outcome_diffs};
use super::stats::Interval;
use crate::montecarlo::paired::PairedResult;
use crate::scenario::Scenario;

/// What an effect is measured on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// An outcome's probability.
    Outcome,
    /// An actor's mean final alignment.
    FinalAlignment,
}

impl Measure {
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Outcome => "outcome",
            Measure::FinalAlignment => "final_alignment",
        }
    }
}

/// The effect of one event on one measure: with the event minus without it.
#[derive(Debug, Clone, PartialEq)]
pub struct Effect {
    pub event: usize,
    pub measure: Measure,
    /// The outcome's or the actor's name.
    pub name: String,
    pub effect: f64,
    pub interval: Interval,
    /// 1 for the event with the largest |effect| on this measure and name, 2 for the next...
    pub rank: usize,
}

/// Sorts by measure, name (in first-seen order) and |effect| descending, and numbers ranks.
pub fn rank(effects: &mut [Effect]) {
    let mut order: Vec<(Measure, String)> = Vec::new();
    for e in effects.iter() {
        let key = (e.measure, e.name.clone());
        if !order.contains(&key) {
            order.push(key);
        }
    }
    let position = |e: &Effect| {
        order
            .iter()
            .position(|(m, n)| *m == e.measure && *n == e.name)
            .unwrap_or(usize::MAX)
    };
    effects.sort_by(|a, b| {
        position(a)
            .cmp(&position(b))
            .then(b.effect.abs().total_cmp(&a.effect.abs()))
            .then(a.event.cmp(&b.event))
    });
    let mut k = 0;
    for i in 0..effects.len() {
        k = if i > 0 && position(&effects[i]) == position(&effects[i - 1]) {
            k + 1
        } else {
            1
        };
        effects[i].rank = k;
    }
}

/// The effects of event `event` of `sc`, from the paired runs of `sc` without it (the base,
/// `without`) and `sc` itself (the variant): one per outcome and one per actor's final
/// alignment, unranked.
pub fn event_effects(
    sc: &Scenario,
    without: &Scenario,
    event: usize,
    r: &PairedResult,
) -> Vec<Effect> {
    let n = sc.n();
    let mut effects = Vec::new();
    for o in outcome_diffs(without, r) {
        effects.push(Effect {
            event,
            measure: Measure::Outcome,
            name: o.name,
            effect: o.diff,
            interval: o.interval,
            rank: 0,
        });
    }
    for (i, actor) in sc.actors.iter().enumerate() {
        let d = alignment_diff(r, n, sc.steps, i);
        effects.push(Effect {
            event,
            measure: Measure::FinalAlignment,
            name: actor.name.clone(),
            effect: d.mean,
            interval: d.interval,
            rank: 0,
        });
    }
    effects
}
