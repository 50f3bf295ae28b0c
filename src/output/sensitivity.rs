//! The files of a sensitivity study: `sobol.csv` or `morris.csv` (the indices),
//! `design.csv` (every design point's input values) and `points.csv` (every measure at every
//! point), so that anyone can recompute the indices with another tool; and summary.json.

use std::fs;
use std::path::Path;

use super::StudyMeta;
use super::atomic::OutputError;
use super::csv::Table;
use super::schema::sensitivity::{Morris, MorrisRecord, Sobol, SobolRecord};
use super::schema::summary::{self, InputSummary, SensitivitySummary, Summary, TopInputs};
use super::schema::{SCENARIO_FILE, TableWriter};
use crate::analysis::ablation::Measure as MeasureKind;
use crate::analysis::sensitivity::SobolIndex;
use crate::ops::sensitivity::{Indices, Method, Sensitivity};
use crate::scenario::Scenario;

pub use super::schema::sensitivity::{MORRIS_FILE, SOBOL_FILE};
pub const DESIGN_FILE: &str = "design.csv";
pub const POINTS_FILE: &str = "points.csv";

/// How many inputs the summary and the terminal name per measure.
pub const TOP_INPUTS: usize = 3;

/// The inputs of a scenario as summaries list them.
pub fn input_summaries(sc: &Scenario) -> Vec<InputSummary> {
    sc.inputs
        .iter()
        .map(|i| InputSummary {
            name: i.name.clone(),
            distribution: i.distribution.describe(),
            low: i.distribution.low(),
            high: i.distribution.high(),
            nominal: i.distribution.nominal(),
        })
        .collect()
}

fn indices_table(sc: &Scenario, s: &Sensitivity) -> String {
    let mut sobol = TableWriter::<Sobol>::new();
    let mut morris = TableWriter::<Morris>::new();
    for (m, ix) in s.measures.iter().zip(&s.indices) {
        for (k, input) in sc.inputs.iter().enumerate() {
            match ix {
                Indices::Sobol(v) => {
                    // A measure that does not vary has no indices: empty fields, not zeros.
                    let i = v.as_ref().map(|v| v[k]);
                    let x = |f: fn(&SobolIndex) -> f64| i.as_ref().map_or(f64::NAN, f);
                    sobol.push(&SobolRecord {
                        measure: m.kind,
                        name: &m.name,
                        input: &input.name,
                        first: x(|i| i.first),
                        first_low: x(|i| i.first_low),
                        first_high: x(|i| i.first_high),
                        total: x(|i| i.total),
                        total_low: x(|i| i.total_low),
                        total_high: x(|i| i.total_high),
                    });
                }
                Indices::Morris(v) => {
                    let i = &v[k];
                    morris.push(&MorrisRecord {
                        measure: m.kind,
                        name: &m.name,
                        input: &input.name,
                        mu: i.mu,
                        mu_star: i.mu_star,
                        sigma: i.sigma,
                        mu_star_low: i.mu_star_low,
                        mu_star_high: i.mu_star_high,
                    });
                }
            }
        }
    }
    match s.method {
        Method::Sobol => sobol.into_string(),
        Method::Morris => morris.into_string(),
    }
}

fn design_table(sc: &Scenario, s: &Sensitivity) -> String {
    let mut t = Table::new(&["point", "matrix", "row", "input", "value"]);
    for (p, point) in s.points.iter().enumerate() {
        for (input, &v) in sc.inputs.iter().zip(&point.values) {
            t.row()
                .int(p as u64)
                .text(&point.matrix)
                .int(point.row)
                .text(&input.name)
                .num_exact(v);
        }
    }
    t.into_string()
}

fn points_table(s: &Sensitivity) -> String {
    let mut t = Table::new(&["point", "measure", "name", "value"]);
    for p in 0..s.points.len() {
        for m in &s.measures {
            t.row()
                .int(p as u64)
                .text(m.kind.as_str())
                .text(&m.name)
                .num_exact(m.values[p]);
        }
    }
    t.into_string()
}

/// The inputs that matter most for each measure.
pub fn top_inputs(sc: &Scenario, s: &Sensitivity) -> Vec<TopInputs> {
    s.measures
        .iter()
        .enumerate()
        .map(|(m, measure)| {
            let ranked: Vec<(usize, f64)> = s.ranking(m).into_iter().take(TOP_INPUTS).collect();
            TopInputs {
                measure: measure.kind.as_str().to_string(),
                name: measure.name.clone(),
                inputs: ranked
                    .iter()
                    .map(|&(i, _)| sc.inputs[i].name.clone())
                    .collect(),
                index: ranked.iter().map(|&(_, x)| x).collect(),
            }
        })
        .collect()
}

/// Writes every file of a sensitivity study into `dir`.
pub fn write_sensitivity(
    dir: &Path,
    sc: &Scenario,
    scenario_text: &str,
    s: &Sensitivity,
    seed: u64,
    bootstrap: usize,
    meta: &StudyMeta,
) -> Result<(), OutputError> {
    let summary = Summary::Sensitivity(SensitivitySummary {
        scenario: sc.name.clone(),
        scenario_sha256: sc.sha256.clone(),
        tool: "influence".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        method: s.method.as_str().into(),
        samples: s.samples,
        points: s.points.len() as u64,
        runs_per_point: s.runs_per_point,
        seed,
        bootstrap,
        inputs: input_summaries(sc),
        top: top_inputs(sc, s),
        threads: meta.threads,
        elapsed_s: meta.elapsed_s,
    });
    let indices_file = match s.method {
        Method::Sobol => SOBOL_FILE,
        Method::Morris => MORRIS_FILE,
    };
    let files = [
        (indices_file, indices_table(sc, s)),
        (DESIGN_FILE, design_table(sc, s)),
        (POINTS_FILE, points_table(s)),
        (summary::FILE, summary.to_output(dir)?),
        (SCENARIO_FILE, scenario_text.to_string()),
    ];
    for (name, text) in files {
        let path = dir.join(name);
        fs::write(&path, text).map_err(|e| OutputError::io(&path, e))?;
    }
    Ok(())
}

/// What the terminal prints: for each outcome (and each actor), the inputs that matter most.
pub fn sensitivity_table(sc: &Scenario, s: &Sensitivity) -> String {
    let what = match s.method {
        Method::Sobol => "total Sobol' index",
        Method::Morris => "Morris mu*",
    };
    let mut text = format!(
        "{} inputs, {} design points, {} runs each ({what}; the share of the variance an \
         input explains, with its interactions):\n",
        sc.inputs.len(),
        s.points.len(),
        s.runs_per_point
    );
    for (m, measure) in s.measures.iter().enumerate() {
        let label = match measure.kind {
            MeasureKind::Outcome => format!("P({})", measure.name),
            MeasureKind::FinalAlignment => format!("{} final alignment", measure.name),
        };
        let ranked = s.ranking(m);
        if ranked.is_empty() {
            text.push_str(&format!("  {label}: does not vary over the inputs\n"));
            continue;
        }
        let parts: Vec<String> = ranked
            .iter()
            .take(TOP_INPUTS)
            .map(|&(i, x)| format!("{} {x:.2}", sc.inputs[i].name))
            .collect();
        text.push_str(&format!("  {label}: {}\n", parts.join(", ")));
    }
    text
}
