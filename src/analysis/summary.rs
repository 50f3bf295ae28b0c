//! The figures a study reports, computed once from the aggregates and shared by the
//! terminal table, the CSV files and summary.json.

use super::stats::{Interval, wilson_interval};
use crate::montecarlo::StudyTally;
use crate::scenario::Scenario;

/// Quantiles reported for distributions over runs.
pub const QUANTILES: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// A distribution over runs: moments and the quantiles of [`QUANTILES`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Distribution {
    pub mean: f64,
    pub sd: f64,
    pub p05: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
}

impl Distribution {
    fn of(grid: &crate::montecarlo::aggregate::StatGrid, cell: usize) -> Distribution {
        let s = grid.summary(cell);
        let q = QUANTILES.map(|q| grid.quantile(cell, q));
        Distribution {
            mean: s.mean,
            sd: s.sd,
            p05: q[0],
            p25: q[1],
            p50: q[2],
            p75: q[3],
            p95: q[4],
        }
    }
}

/// The probability of one outcome over the runs, with its Wilson 95% interval.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeEstimate {
    pub name: String,
    pub hits: u64,
    pub runs: u64,
    pub probability: f64,
    pub interval: Interval,
}

/// How often one event fired.
#[derive(Debug, Clone, PartialEq)]
pub struct EventFrequency {
    pub id: String,
    pub label: String,
    pub kind: String,
    /// Fraction of runs in which it fired at least once.
    pub fired_fraction: f64,
    /// Firings per run, averaged over runs.
    pub mean_times_fired: f64,
}

/// Alignment of actor `actor` at step `t`.
pub fn alignment_at(acc: &StudyTally, n: usize, t: usize, actor: usize) -> Distribution {
    Distribution::of(&acc.grids.alignment, t * n + actor)
}

/// Final trust of `from` in `to`.
pub fn trust_final(acc: &StudyTally, n: usize, from: usize, to: usize) -> Distribution {
    Distribution::of(&acc.grids.trust_final, from * n + to)
}

/// Final threat θ that `from` perceives from `to`.
pub fn threat_final(acc: &StudyTally, n: usize, from: usize, to: usize) -> Distribution {
    Distribution::of(&acc.grids.threat_final, from * n + to)
}

pub fn outcome_estimates(sc: &Scenario, acc: &StudyTally) -> Vec<OutcomeEstimate> {
    let runs = acc.runs();
    sc.outcomes
        .iter()
        .zip(&acc.outcomes.hits)
        .map(|(o, &hits)| OutcomeEstimate {
            name: o.name.clone(),
            hits,
            runs,
            probability: if runs > 0 {
                hits as f64 / runs as f64
            } else {
                f64::NAN
            },
            interval: wilson_interval(hits, runs),
        })
        .collect()
}

/// One outcome with the scenario's events and without them (the no-event baseline), from
/// the same runs on the same random numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct BaselineEstimate {
    /// Probability without events, with its Wilson 95% interval.
    pub probability: f64,
    pub interval: Interval,
    /// What the events change: probability with events minus without, with Newcombe's
    /// interval for paired proportions (see [`super::compare::paired_difference`]).
    pub change: f64,
    pub change_interval: Interval,
}

/// The baseline of every outcome, in scenario order; `None` when the study did not run the
/// no-event twins.
pub fn baseline_estimates(acc: &StudyTally) -> Option<Vec<BaselineEstimate>> {
    let pairs = acc.baseline.as_ref()?;
    Some(
        pairs
            .counts
            .iter()
            .map(|&[both, events_only, quiet_only, neither]| {
                let (with, without, change_interval) =
                    super::compare::paired_difference(both, events_only, quiet_only, neither);
                BaselineEstimate {
                    probability: without,
                    interval: wilson_interval(both + quiet_only, acc.runs()),
                    change: with - without,
                    change_interval,
                }
            })
            .collect(),
    )
}

pub fn event_frequencies(sc: &Scenario, acc: &StudyTally) -> Vec<EventFrequency> {
    let runs = acc.runs().max(1) as f64;
    sc.events
        .iter()
        .enumerate()
        .map(|(e, ev)| EventFrequency {
            id: ev.id.clone(),
            label: ev.label.clone(),
            kind: ev.kind.clone(),
            fired_fraction: acc.events.runs[e] as f64 / runs,
            mean_times_fired: acc.events.firings[e] as f64 / runs,
        })
        .collect()
}
