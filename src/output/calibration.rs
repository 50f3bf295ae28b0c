//! The files of a calibration: `posterior.csv` (the kept input vectors and their weights,
//! which `influence run --posterior` would draw from), `calibration.csv` (each input's prior
//! range and posterior median with its 90% interval), `fit.csv` (each observation against
//! the model before and after), summary.json and a copy of the scenario; and the terminal
//! summary of what the record pins down and what it leaves open.

use std::fs;
use std::path::Path;

use super::StudyMeta;
use super::atomic::OutputError;
use super::csv::Table;
use super::schema::calibration::{
    Fit, FitRecord, IntervalRecord, Intervals, Posterior, PosteriorRecord,
};
use super::schema::summary::{self, CalibrationSummary, SkillSummary, Summary};
use super::schema::{SCENARIO_FILE, TableWriter};
use super::sensitivity::input_summaries;
use crate::analysis::calibration::effective_sample_size;
use crate::ops::calibrate::{CalibrateRequest, Calibration};
use crate::scenario::{Evidence, Scenario};

pub const POSTERIOR_FILE: &str = "posterior.csv";
pub const CALIBRATION_FILE: &str = "calibration.csv";
pub const FIT_FILE: &str = "fit.csv";
/// The observations a calibration used, in the columns `--observed` reads.
pub const OBSERVED_FILE: &str = "observed.csv";

/// The method as summary.json names it: `rejection`, or `rejection+smc` when rounds of
/// sequential Monte Carlo followed.
pub fn method(c: &Calibration) -> &'static str {
    if c.rounds == 0 {
        "rejection"
    } else {
        "rejection+smc"
    }
}

fn posterior_table(sc: &Scenario, c: &Calibration) -> String {
    let mut t = TableWriter::<Posterior>::new();
    for (&p, &weight) in c.accepted.points.iter().zip(&c.accepted.weights) {
        for (i, input) in sc.inputs.iter().enumerate() {
            t.push(&PosteriorRecord {
                sample: p as u64,
                input: &input.name,
                value: c.value(p, i),
                weight,
            });
        }
    }
    t.into_string()
}

fn calibration_table(sc: &Scenario, c: &Calibration) -> String {
    let mut t = TableWriter::<Intervals>::new();
    for (input, post) in sc.inputs.iter().zip(&c.posterior) {
        t.push(&IntervalRecord {
            input: &input.name,
            prior_low: post.prior_low,
            prior_high: post.prior_high,
            median: post.median,
            low: post.low,
            high: post.high,
        });
    }
    t.into_string()
}

fn observed_text(e: Evidence) -> (String, f64) {
    match e {
        Evidence::Value { value, sd } => (format!("{value}"), sd),
        Evidence::Sign { positive: true } => ("+".into(), f64::NAN),
        Evidence::Sign { positive: false } => ("-".into(), f64::NAN),
    }
}

fn fit_table(sc: &Scenario, c: &Calibration) -> String {
    let mut t = TableWriter::<Fit>::new();
    for (o, f) in c.observations.iter().zip(&c.fit) {
        let (observed, sd) = observed_text(o.evidence);
        t.push(&FitRecord {
            observation: &o.name(sc),
            step: o.step as u64,
            metric: o.metric.as_str(),
            actor: &sc.actors[o.actor].name,
            other: o.other.map_or("", |k| sc.actors[k].name.as_str()),
            role: if f.used { "fit" } else { "held-out" },
            observed: &observed,
            sd,
            prior_mean: f.prior_mean,
            posterior_mean: f.posterior_mean,
            prior_right_sign: f.prior_right_sign,
            posterior_right_sign: f.posterior_right_sign,
        });
    }
    t.into_string()
}

/// The observations in the columns of an `--observed` file, so that the directory says
/// exactly what it was fitted on, whichever file each came from.
fn observed_table(sc: &Scenario, c: &Calibration) -> String {
    let mut t = Table::new(&crate::scenario::observed::COLUMNS);
    for o in &c.observations {
        let mut row = t
            .row()
            .int(o.step as u64)
            .text(o.metric.as_str())
            .text(&sc.actors[o.actor].name)
            .text(o.other.map_or("", |k| sc.actors[k].name.as_str()));
        row = match o.evidence {
            Evidence::Value { value, sd } => row.num_exact(value).num_exact(sd).text(""),
            Evidence::Sign { positive } => {
                row.text("").text("").text(if positive { "+" } else { "-" })
            }
        };
        row.text(o.label.as_deref().unwrap_or(""));
    }
    t.into_string()
}

/// Writes every file of a calibration into `dir`.
pub fn write_calibration(
    dir: &Path,
    sc: &Scenario,
    scenario_text: &str,
    req: &CalibrateRequest,
    c: &Calibration,
    meta: &StudyMeta,
) -> Result<(), OutputError> {
    let fitted = c.fit.iter().filter(|f| f.used).count();
    let summary = Summary::Calibration(CalibrationSummary {
        scenario: sc.name.clone(),
        scenario_sha256: sc.sha256.clone(),
        tool: "influence".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        method: method(c).into(),
        samples: c.samples,
        rounds: c.rounds,
        runs_per_point: c.runs_per_point,
        keep: c.accepted.points.len() as u64,
        seed: req.seed,
        hold_out_after: req.hold_out_after.map(|s| s as u64),
        observations_fitted: fitted,
        observations_held_out: c.fit.len() - fitted,
        tolerance: c.accepted.tolerance,
        effective_sample_size: effective_sample_size(&c.accepted.weights),
        inputs: input_summaries(sc),
        held_out: c.held_out.map(|s| SkillSummary {
            signs: s.signs,
            prior_brier: s.prior_brier,
            posterior_brier: s.posterior_brier,
            values: s.values,
            prior_rmse_sd: s.prior_rmse_sd,
            posterior_rmse_sd: s.posterior_rmse_sd,
        }),
        threads: meta.threads,
        elapsed_s: meta.elapsed_s,
    });
    let files = [
        (POSTERIOR_FILE, posterior_table(sc, c)),
        (CALIBRATION_FILE, calibration_table(sc, c)),
        (FIT_FILE, fit_table(sc, c)),
        (OBSERVED_FILE, observed_table(sc, c)),
        (summary::FILE, summary.to_output(dir)?),
        (SCENARIO_FILE, scenario_text.to_string()),
    ];
    for (name, text) in files {
        let path = dir.join(name);
        fs::write(&path, text).map_err(|e| OutputError::io(&path, e))?;
    }
    Ok(())
}

/// Below this share of its prior's 90% width, an input's posterior interval counts as
/// pinned down by the record; above [`OPEN`], as left open.
const PINNED: f64 = 0.5;
const OPEN: f64 = 0.9;

/// What the terminal prints: each input's prior and posterior, and what the record did to
/// it; then the held-out scores.
pub fn calibration_text(sc: &Scenario, c: &Calibration) -> String {
    let fitted = c.fit.iter().filter(|f| f.used).count();
    let kept = if c.rounds == 0 {
        format!(
            "kept the {} closest (distance ≤ {:.3})",
            c.accepted.points.len(),
            c.accepted.tolerance
        )
    } else {
        format!(
            "then {} round{} of sequential Monte Carlo of {} points each",
            c.rounds,
            if c.rounds == 1 { "" } else { "s" },
            c.samples
        )
    };
    let mut text = format!(
        "{} inputs, {} observations fitted ({} held out); {} design points, {} runs each; \
         {kept}; the posterior is worth {:.0} equally weighted points.\n",
        sc.inputs.len(),
        fitted,
        c.fit.len() - fitted,
        c.samples,
        c.runs_per_point,
        effective_sample_size(&c.accepted.weights)
    );
    let width = sc
        .inputs
        .iter()
        .map(|i| i.name.chars().count())
        .max()
        .unwrap_or(0);
    for (input, post) in sc.inputs.iter().zip(&c.posterior) {
        let prior_90 = (
            input.distribution.quantile(0.05),
            input.distribution.quantile(0.95),
        );
        let r = post.narrowing(prior_90);
        let verdict = if r < PINNED {
            "pinned down"
        } else if r < OPEN {
            "narrowed"
        } else {
            "left open"
        };
        text.push_str(&format!(
            "  {:width$}  prior [{:.3}, {:.3}]  posterior {:.3} [{:.3}, {:.3}]  {verdict} ({:.0}% of the prior's 90% width)\n",
            input.name,
            post.prior_low,
            post.prior_high,
            post.median,
            post.low,
            post.high,
            100.0 * r,
        ));
    }
    if let Some(s) = c.held_out {
        text.push_str("Held out (lower is better):\n");
        if s.values > 0 {
            text.push_str(&format!(
                "  {} values: RMSE in sd units, prior {:.3}, posterior {:.3}\n",
                s.values, s.prior_rmse_sd, s.posterior_rmse_sd
            ));
        }
        if s.signs > 0 {
            text.push_str(&format!(
                "  {} signs: Brier score, prior {:.3}, posterior {:.3}\n",
                s.signs, s.prior_brier, s.posterior_brier
            ));
        }
    }
    text
}
