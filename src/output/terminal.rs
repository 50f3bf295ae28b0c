//! The short summary printed after a run.

use crate::montecarlo::thresholds::{FRAGILE_SHIFT, fragility};
use std::fmt::Write as _;

use crate::analysis::summary::{alignment_at, baseline_estimates, outcome_estimates};
use crate::montecarlo::BatchResult;
use crate::scenario::Scenario;

/// Final alignment per actor (median and 90% band) and outcome probabilities with their
/// Wilson 95% intervals, as a plain-text table.
pub fn summary_table(sc: &Scenario, result: &BatchResult) -> String {
    let n = sc.n();
    let acc = &result.aggregates;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}: {} runs, seed {}, {} {}s",
        sc.name, result.runs, result.seed, sc.steps, sc.step_unit
    );
    let _ = writeln!(
        s,
        "\nFinal alignment (-1 = {}, +1 = {})",
        sc.axis.negative, sc.axis.positive
    );
    let width = sc
        .actors
        .iter()
        .map(|a| a.name.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    let _ = writeln!(
        s,
        "  {:<width$}  {:>7}  {:>8}  90% band",
        "actor", "start", "median"
    );
    for (i, a) in sc.actors.iter().enumerate() {
        let d = alignment_at(acc, n, sc.steps, i);
        let _ = writeln!(
            s,
            "  {:<width$}  {:>+7.2}  {:>+8.3}  [{:+.3}, {:+.3}]",
            a.name, a.alignment, d.p50, d.p05, d.p95
        );
    }
    let outcomes = outcome_estimates(sc, acc);
    if !outcomes.is_empty() {
        let width = outcomes
            .iter()
            .map(|o| o.name.chars().count())
            .max()
            .unwrap_or(7)
            .max(7);
        match baseline_estimates(acc) {
            None => {
                let _ = writeln!(s, "\nOutcomes");
                let _ = writeln!(
                    s,
                    "  {:<width$}  {:>11}  95% interval",
                    "outcome", "probability"
                );
                for o in outcomes {
                    let _ = writeln!(
                        s,
                        "  {:<width$}  {:>11.3}  [{:.3}, {:.3}]",
                        o.name, o.probability, o.interval.low, o.interval.high
                    );
                }
            }
            Some(baselines) => {
                let _ = writeln!(
                    s,
                    "\nOutcomes, with the events and without them (the same runs, no events)"
                );
                let _ = writeln!(
                    s,
                    "  {:<width$}  {:>11}  {:<14}  {:>7}  {:>13}  95% interval",
                    "outcome", "with events", "95% interval", "without", "events change"
                );
                for (o, b) in outcomes.iter().zip(&baselines) {
                    let _ = writeln!(
                        s,
                        "  {:<width$}  {:>11.3}  [{:.3}, {:.3}]  {:>7.3}  {:>+13.3}  [{:+.3}, {:+.3}]",
                        o.name,
                        o.probability,
                        o.interval.low,
                        o.interval.high,
                        b.probability,
                        b.change,
                        b.change_interval.low,
                        b.change_interval.high
                    );
                }
            }
        }
        for f in fragility(&acc.thresholds).into_iter().filter(|f| f.fragile) {
            let o = &sc.outcomes[f.outcome];
            let v = o.condition.value;
            let _ = writeln!(
                s,
                "  fragile: \"{}\" is {:.0}% with its threshold at {:.2} and {:.0}% at {:.2}: \
                 the figure says more about the threshold than about the scenario \
                 (thresholds.csv has the whole curve)",
                o.name,
                100.0 * f.below,
                v - FRAGILE_SHIFT,
                100.0 * f.above,
                v + FRAGILE_SHIFT
            );
        }
    }
    s
}
