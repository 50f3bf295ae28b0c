//! The files of a discovery: `boxes.csv` (every box of the peeling trajectory, one row per
//! restricted input), summary.json (the chosen box, by the documented rule) and the sentence
//! an analyst can quote.

use std::fs;
use std::path::Path;

use super::StudyMeta;
use super::atomic::OutputError;
use super::schema::discover::{BoxRecord, Boxes};
use super::schema::summary::{self, BoxLimit, DiscoverSummary, Summary};
use super::schema::{SCENARIO_FILE, TableWriter};
use super::sensitivity::input_summaries;
use crate::ops::discover::{CHOICE_RULE, Discovery};
use crate::scenario::Scenario;

pub use super::schema::discover::FILE as BOXES_FILE;

fn boxes_table(sc: &Scenario, found: &Discovery) -> String {
    let mut t = TableWriter::<Boxes>::new();
    for (k, b) in found.boxes.iter().enumerate() {
        for (input, limits) in sc.inputs.iter().zip(&b.limits) {
            if !limits.is_restricted() {
                continue;
            }
            t.push(&BoxRecord {
                index: k as u64,
                coverage: b.coverage,
                density: b.density,
                mass: b.mass,
                input: &input.name,
                low: limits.low.unwrap_or(input.distribution.low()),
                high: limits.high.unwrap_or(input.distribution.high()),
            });
        }
    }
    t.into_string()
}

/// The restricted inputs of the chosen box, each with both ends (an end never peeled is the
/// input's own bound).
pub fn chosen_limits(sc: &Scenario, found: &Discovery) -> Vec<BoxLimit> {
    let Some(b) = found.chosen.and_then(|k| found.boxes.get(k)) else {
        return Vec::new();
    };
    sc.inputs
        .iter()
        .zip(&b.limits)
        .filter(|(_, l)| l.is_restricted())
        .map(|(input, l)| BoxLimit {
            input: input.name.clone(),
            low: l.low.unwrap_or(input.distribution.low()),
            high: l.high.unwrap_or(input.distribution.high()),
        })
        .collect()
}

fn percent(x: f64) -> String {
    format!("{:.0}%", 100.0 * x)
}

fn number(x: f64) -> String {
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// "<outcome> holds in 81% of runs (against 53% overall) when A ≥ 0.62 and B ≤ 0.35; this
/// box holds 64% of such runs."
pub fn sentence(sc: &Scenario, found: &Discovery) -> String {
    let name = &sc.outcomes[found.outcome].name;
    let Some(b) = found.chosen.and_then(|k| found.boxes.get(k)) else {
        return format!(
            "\"{name}\" holds in {} of runs; no combination of the inputs was found where it \
             holds more often.",
            percent(found.base_rate)
        );
    };
    let mut conditions = Vec::new();
    for (input, l) in sc.inputs.iter().zip(&b.limits) {
        match (l.low, l.high) {
            (Some(lo), Some(hi)) => conditions.push(format!(
                "{} is between {} and {}",
                input.name,
                number(lo),
                number(hi)
            )),
            (Some(lo), None) => conditions.push(format!("{} ≥ {}", input.name, number(lo))),
            (None, Some(hi)) => conditions.push(format!("{} ≤ {}", input.name, number(hi))),
            (None, None) => {}
        }
    }
    if conditions.is_empty() {
        return format!(
            "\"{name}\" holds in {} of runs, and no restriction of the inputs raises that.",
            percent(found.base_rate)
        );
    }
    let when = match conditions.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => conditions.join(""),
    };
    format!(
        "\"{name}\" holds in {} of runs (against {} overall) when {when}; this box holds {} \
         of such runs.",
        percent(b.density),
        percent(found.base_rate),
        percent(b.coverage)
    )
}

/// Writes every file of a discovery into `dir`.
pub fn write_discover(
    dir: &Path,
    sc: &Scenario,
    scenario_text: &str,
    found: &Discovery,
    seed: u64,
    meta: &StudyMeta,
) -> Result<(), OutputError> {
    let chosen = found.chosen.and_then(|k| found.boxes.get(k));
    let summary = Summary::Discover(DiscoverSummary {
        scenario: sc.name.clone(),
        scenario_sha256: sc.sha256.clone(),
        tool: "influence".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        outcome: sc.outcomes[found.outcome].name.clone(),
        runs: found.runs,
        seed,
        inputs: input_summaries(sc),
        base_rate: found.base_rate,
        rule: CHOICE_RULE.into(),
        chosen: found.chosen,
        coverage: chosen.map_or(f64::NAN, |b| b.coverage),
        density: chosen.map_or(f64::NAN, |b| b.density),
        mass: chosen.map_or(f64::NAN, |b| b.mass),
        limits: chosen_limits(sc, found),
        sentence: sentence(sc, found),
        threads: meta.threads,
        elapsed_s: meta.elapsed_s,
    });
    let files = [
        (BOXES_FILE, boxes_table(sc, found)),
        (summary::FILE, summary.to_output(dir)?),
        (SCENARIO_FILE, scenario_text.to_string()),
    ];
    for (name, text) in files {
        let path = dir.join(name);
        fs::write(&path, text).map_err(|e| OutputError::io(&path, e))?;
    }
    Ok(())
}
