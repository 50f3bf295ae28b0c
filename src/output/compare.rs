//! The files and terminal summary of a comparison of two scenarios on common random numbers.
//!
//! Besides the two tables of differences, the directory keeps what its charts are drawn
//! from: each scenario's alignment bands in alignment.csv's format, both scenario texts, and
//! summary.json with the names the two scenarios go by. So its charts can be redrawn from
//! the directory alone, as a study's can.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use super::atomic::OutputError;
use super::schema::TableWriter;
use super::schema::compare::{
    BASE_ALIGNMENT, BASE_SCENARIO, DIFF_ALIGNMENT, DIFF_OUTCOMES, DiffAlignment,
    DiffAlignmentRecord, DiffOutcomeRecord, DiffOutcomes, VARIANT_ALIGNMENT, VARIANT_SCENARIO,
};
use super::schema::summary::{
    self, CompareActor, CompareOutcome, CompareSide, CompareSummary, Summary,
};
use super::study::{StudyMeta, alignment_table, r6};
use crate::analysis::compare::{
    FinalContrast, OutcomeContrast, alignment_diff, final_contrasts, outcome_contrasts,
};
use crate::montecarlo::paired::PairedResult;
use crate::scenario::Scenario;

/// One of the two scenarios of a comparison, as its files name it.
#[derive(Debug, Clone)]
pub struct Side<'a> {
    pub scenario: &'a Scenario,
    /// The scenario text exactly as simulated.
    pub text: &'a str,
    /// The file it was read from, as the user gave it.
    pub file: String,
    /// The short name charts and tables use.
    pub label: String,
}

/// Writes every file of a comparison into `dir` (normally a staging directory).
pub fn write_compare(
    dir: &Path,
    base: &Side,
    variant: &Side,
    r: &PairedResult,
    meta: &StudyMeta,
) -> Result<(), OutputError> {
    let files = [
        (DIFF_ALIGNMENT, diff_alignment_csv(base.scenario, r)),
        (DIFF_OUTCOMES, diff_outcomes_csv(base.scenario, r)),
        (
            BASE_ALIGNMENT,
            alignment_table(base.scenario, &r.aggregates.base),
        ),
        (
            VARIANT_ALIGNMENT,
            alignment_table(variant.scenario, &r.aggregates.variant),
        ),
        (BASE_SCENARIO, base.text.to_string()),
        (VARIANT_SCENARIO, variant.text.to_string()),
        (
            summary::FILE,
            Summary::Compare(compare_summary(base, variant, r, meta)).to_output(dir)?,
        ),
    ];
    for (name, text) in files {
        let path = dir.join(name);
        fs::write(&path, text).map_err(|e| OutputError::io(&path, e))?;
    }
    Ok(())
}

/// `step,actor,mean_diff,ci_low,ci_high,p_variant_higher`: the paired difference
/// variant − base of every actor's alignment at every step, with its normal 95% interval.
pub fn diff_alignment_csv(sc: &Scenario, r: &PairedResult) -> String {
    let n = sc.n();
    let mut t = TableWriter::<DiffAlignment>::new();
    for step in 0..=sc.steps {
        for (i, actor) in sc.actors.iter().enumerate() {
            let d = alignment_diff(r, n, step, i);
            t.push(&DiffAlignmentRecord {
                step: step as u64,
                actor: &actor.name,
                mean_diff: d.mean,
                ci_low: d.interval.low,
                ci_high: d.interval.high,
                p_variant_higher: d.p_variant_higher,
            });
        }
    }
    t.into_string()
}

/// `outcome,p_base,p_variant,diff,ci_low,ci_high`: each outcome both scenarios define, with
/// Newcombe's paired 95% interval of the difference.
pub fn diff_outcomes_csv(base: &Scenario, r: &PairedResult) -> String {
    let mut t = TableWriter::<DiffOutcomes>::new();
    for o in outcome_contrasts(base, r) {
        let d = &o.diff;
        t.push(&DiffOutcomeRecord {
            outcome: &d.name,
            p_base: d.p_base,
            p_variant: d.p_variant,
            diff: d.diff,
            ci_low: d.interval.low,
            ci_high: d.interval.high,
        });
    }
    t.into_string()
}

/// Outcomes that only one of the two scenarios defines, and so are not compared.
pub fn unshared_outcomes(base: &Scenario, variant: &Scenario) -> (Vec<String>, Vec<String>) {
    let only = |a: &Scenario, b: &Scenario| {
        a.outcomes
            .iter()
            .filter(|o| !b.outcomes.iter().any(|p| p.name == o.name))
            .map(|o| o.name.clone())
            .collect::<Vec<_>>()
    };
    (only(base, variant), only(variant, base))
}

/// A ratio to three decimals, or null in JSON when it is infinite or undefined.
fn ratio3(x: f64) -> Option<f64> {
    x.is_finite().then(|| (x * 1000.0).round() / 1000.0)
}

fn side_json(side: &Side) -> CompareSide {
    CompareSide {
        scenario: side.scenario.name.clone(),
        scenario_sha256: side.scenario.sha256.clone(),
        file: side.file.clone(),
        label: side.label.clone(),
    }
}

fn actor_json(c: &FinalContrast) -> CompareActor {
    let d = &c.diff;
    CompareActor {
        name: c.actor.clone(),
        base_final_mean: r6(c.base_mean),
        variant_final_mean: r6(c.variant_mean),
        mean_diff: r6(d.mean),
        ci_low: r6(d.interval.low),
        ci_high: r6(d.interval.high),
        p_variant_higher: r6(d.p_variant_higher),
        p_identical: r6(d.p_identical),
        independent_ci_half_width: r6((c.independent.high - c.independent.low) / 2.0),
        paired_ci_half_width: r6((d.interval.high - d.interval.low) / 2.0),
        narrowing: ratio3(c.narrowing()),
    }
}

fn outcome_json(o: &OutcomeContrast) -> CompareOutcome {
    let d = &o.diff;
    CompareOutcome {
        name: d.name.clone(),
        p_base: r6(d.p_base),
        p_variant: r6(d.p_variant),
        diff: r6(d.diff),
        ci_low: r6(d.interval.low),
        ci_high: r6(d.interval.high),
        independent_ci_low: r6(o.independent.low),
        independent_ci_high: r6(o.independent.high),
        narrowing: ratio3(o.narrowing()),
    }
}

/// The summary of a comparison, figures rounded as in the CSV files.
pub fn compare_summary(
    base: &Side,
    variant: &Side,
    r: &PairedResult,
    meta: &StudyMeta,
) -> CompareSummary {
    let sc = base.scenario;
    let (only_base, only_variant) = unshared_outcomes(base.scenario, variant.scenario);
    CompareSummary {
        tool: env!("CARGO_PKG_NAME").into(),
        version: env!("CARGO_PKG_VERSION").into(),
        base: side_json(base),
        variant: side_json(variant),
        seed: r.seed,
        runs: r.runs,
        steps: sc.steps,
        step_unit: sc.step_unit.clone(),
        start: sc.start.clone(),
        axis: [sc.axis.negative.clone(), sc.axis.positive.clone()],
        actors: final_contrasts(sc, r).iter().map(actor_json).collect(),
        outcomes: outcome_contrasts(sc, r).iter().map(outcome_json).collect(),
        outcomes_only_in_base: only_base,
        outcomes_only_in_variant: only_variant,
        threads: meta.threads,
        elapsed_s: r6(meta.elapsed_s),
    }
}

/// How many times narrower the paired interval is, for the terminal: "9.8x", "exact" when
/// every pair is identical (the difference is known without error), "-" when neither
/// interval has a width.
fn narrowing_text(x: f64) -> String {
    if x.is_infinite() {
        "exact".into()
    } else if x.is_finite() {
        format!("{x:.1}x")
    } else {
        "-".into()
    }
}

/// The comparison as a plain-text table: per actor the final paired difference with its
/// interval, the share of runs in which the variant ends higher and how much the pairing
/// narrowed the interval; per shared outcome both probabilities and their paired difference.
pub fn compare_table(base: &Side, variant: &Side, r: &PairedResult) -> String {
    let sc = base.scenario;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} (base) vs {} (variant): {} paired runs, seed {}, {} {}s",
        base.label, variant.label, r.runs, r.seed, sc.steps, sc.step_unit
    );
    let _ = writeln!(
        s,
        "\nFinal alignment, variant - base (-1 = {}, +1 = {}): each side's median over its runs,\n\
         as `run` prints it and the charts draw it; the difference is the mean of the paired differences",
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
        "  {:<width$}  {:>11}  {:>14}  {:>10}  {:<20}  {:>9}  {:>8}",
        "actor",
        "base median",
        "variant median",
        "mean diff",
        "95% interval",
        "P(higher)",
        "narrower"
    );
    for c in final_contrasts(sc, r) {
        let d = &c.diff;
        let _ = writeln!(
            s,
            "  {:<width$}  {:>+11.3}  {:>+14.3}  {:>+10.4}  {:<20}  {:>9.3}  {:>8}",
            c.actor,
            c.base_median,
            c.variant_median,
            d.mean,
            format!("[{:+.4}, {:+.4}]", d.interval.low, d.interval.high),
            d.p_variant_higher,
            narrowing_text(c.narrowing())
        );
    }
    let outcomes = outcome_contrasts(sc, r);
    if !outcomes.is_empty() {
        let width = outcomes
            .iter()
            .map(|o| o.diff.name.chars().count())
            .max()
            .unwrap_or(7)
            .max(7);
        let _ = writeln!(s, "\nOutcomes, variant - base");
        let _ = writeln!(
            s,
            "  {:<width$}  {:>6}  {:>7}  {:>10}  {:<18}  {:>8}",
            "outcome", "base", "variant", "difference", "95% interval", "narrower"
        );
        for o in &outcomes {
            let d = &o.diff;
            let _ = writeln!(
                s,
                "  {:<width$}  {:>6.3}  {:>7.3}  {:>+10.3}  {:<18}  {:>8}",
                d.name,
                d.p_base,
                d.p_variant,
                d.diff,
                format!("[{:+.3}, {:+.3}]", d.interval.low, d.interval.high),
                narrowing_text(o.narrowing())
            );
        }
    }
    let (only_base, only_variant) = unshared_outcomes(base.scenario, variant.scenario);
    for (names, side) in [(only_base, "base"), (only_variant, "variant")] {
        if !names.is_empty() {
            let _ = writeln!(
                s,
                "  not compared, defined only in the {side}: {}",
                names.join("; ")
            );
        }
    }
    let _ = writeln!(
        s,
        "\nP(higher): share of paired runs in which the variant ends higher. narrower: how many\n\
         times narrower the paired 95% interval is than the one two independent batches of\n\
         {} runs would give.",
        r.runs
    );
    s
}
