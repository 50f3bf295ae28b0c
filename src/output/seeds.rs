//! The files of a study run under several master seeds (`influence seeds`).
//!
//! `seeds.csv` keeps every figure under every seed, so the spread can be recomputed or
//! plotted by any tool; `seeds_summary.csv` and `summary.json` hold the spread next to the
//! standard error a single study claims. The chart is drawn from these files alone.

use std::fs;
use std::path::Path;

use super::atomic::OutputError;
use super::schema::seeds::{
    SPREADS_FILE, SeedSpreadRecord, SeedSpreads, SeedValueRecord, SeedValues, VALUES_FILE,
};
use super::schema::summary::{self, SeedFigure, SeedsSummary, Summary};
use super::schema::{SCENARIO_FILE, TableWriter};
use super::study::r6;
use crate::analysis::seeds::{CONSISTENT_RATIO, SeedSpread};
use crate::scenario::Scenario;

/// How a seeds study was run, beyond the scenario and its figures.
#[derive(Debug, Clone)]
pub struct SeedsMeta<'a> {
    pub seeds: &'a [u64],
    /// Runs of each study.
    pub runs: u64,
    /// Worker threads; may differ between equal runs.
    pub threads: usize,
    /// Wall-clock seconds of all studies; may differ between equal runs.
    pub elapsed_s: f64,
}

/// Writes `seeds.csv`, `seeds_summary.csv`, `summary.json` and the scenario copy into `dir`.
pub fn write_seeds(
    dir: &Path,
    sc: &Scenario,
    scenario_text: &str,
    spreads: &[SeedSpread],
    meta: &SeedsMeta,
) -> Result<(), OutputError> {
    let files = [
        (VALUES_FILE, seeds_csv(spreads, meta.seeds)),
        (SPREADS_FILE, seeds_summary_csv(spreads)),
        (
            summary::FILE,
            Summary::Seeds(seeds_summary(sc, spreads, meta)).to_output(dir)?,
        ),
        (SCENARIO_FILE, scenario_text.to_string()),
    ];
    for (name, text) in files {
        let path = dir.join(name);
        fs::write(&path, text).map_err(|e| OutputError::io(&path, e))?;
    }
    Ok(())
}

/// `figure,name,seed,value`: every figure under every seed, figures in report order
/// (outcomes, then actors' final medians), seeds in the order given.
pub fn seeds_csv(spreads: &[SeedSpread], seeds: &[u64]) -> String {
    let mut t = TableWriter::<SeedValues>::new();
    for s in spreads {
        for (&seed, &value) in seeds.iter().zip(&s.values) {
            t.push(&SeedValueRecord {
                figure: s.figure,
                name: &s.name,
                seed,
                value,
            });
        }
    }
    t.into_string()
}

/// `figure,name,mean,sd_between,claimed_se,ratio`; the ratio is empty when no error is
/// claimed (a figure that is the same in every run).
pub fn seeds_summary_csv(spreads: &[SeedSpread]) -> String {
    let mut t = TableWriter::<SeedSpreads>::new();
    for s in spreads {
        t.push(&SeedSpreadRecord {
            figure: s.figure,
            name: &s.name,
            mean: s.mean,
            sd_between: s.sd_between,
            claimed_se: s.claimed_se,
            ratio: s.ratio(),
        });
    }
    t.into_string()
}

/// The summary of a seeds study, figures rounded as in the CSV files.
pub fn seeds_summary(sc: &Scenario, spreads: &[SeedSpread], meta: &SeedsMeta) -> SeedsSummary {
    SeedsSummary {
        scenario: sc.name.clone(),
        scenario_sha256: sc.sha256.clone(),
        tool: env!("CARGO_PKG_NAME").into(),
        version: env!("CARGO_PKG_VERSION").into(),
        seeds: meta.seeds.to_vec(),
        runs: meta.runs,
        steps: sc.steps,
        verdict_rule: format!(
            "consistent when sd_between <= {CONSISTENT_RATIO} * claimed_se; \
             no spread when both are 0"
        ),
        figures: spreads
            .iter()
            .map(|s| SeedFigure {
                figure: s.figure.into(),
                name: s.name.clone(),
                values: s.values.iter().copied().map(r6).collect(),
                mean: r6(s.mean),
                sd_between: r6(s.sd_between),
                claimed_se: r6(s.claimed_se),
                ratio: r6(s.ratio()),
                verdict: s.verdict().as_str().into(),
            })
            .collect(),
        threads: meta.threads,
        elapsed_s: r6(meta.elapsed_s),
    }
}

/// The table printed after `influence seeds`: per figure the mean over seeds, the spread
/// between them, the error a single study claims, their ratio and the verdict; then one
/// line on what that means for the run count.
pub fn seeds_table(sc: &Scenario, spreads: &[SeedSpread], seeds: &[u64], runs: u64) -> String {
    use crate::analysis::seeds::Verdict;
    use crate::analysis::stats::Z95;
    use std::fmt::Write as _;

    let mut s = String::new();
    let list: Vec<String> = seeds.iter().map(u64::to_string).collect();
    let _ = writeln!(
        s,
        "{}: {} seeds ({}), {runs} runs each, {} {}s",
        sc.name,
        seeds.len(),
        list.join(", "),
        sc.steps,
        sc.step_unit
    );
    let groups = [
        ("outcome", "Outcome probabilities", "outcome"),
        ("final_median", "Final median alignment", "actor"),
    ];
    for (figure, title, column) in groups {
        let rows: Vec<&SeedSpread> = spreads.iter().filter(|x| x.figure == figure).collect();
        if rows.is_empty() {
            continue;
        }
        let width = rows
            .iter()
            .map(|r| r.name.chars().count())
            .max()
            .unwrap_or(0)
            .max(column.len());
        let _ = writeln!(s, "\n{title}");
        let _ = writeln!(
            s,
            "  {column:<width$}  {:>7}  {:>10}  {:>10}  {:>5}  verdict",
            "mean", "sd seeds", "claimed SE", "ratio"
        );
        for r in rows {
            let mean = if figure == "outcome" {
                format!("{:.3}", r.mean)
            } else {
                format!("{:+.3}", r.mean)
            };
            let ratio = r.ratio();
            let ratio = if ratio.is_finite() {
                format!("{ratio:.2}")
            } else {
                "-".to_string()
            };
            let _ = writeln!(
                s,
                "  {:<width$}  {mean:>7}  {:>10.4}  {:>10.4}  {ratio:>5}  {}",
                r.name,
                r.sd_between,
                r.claimed_se,
                r.verdict().as_str()
            );
        }
    }
    let wider: Vec<&SeedSpread> = spreads
        .iter()
        .filter(|r| r.verdict() == Verdict::WiderThanClaimed)
        .collect();
    let widest = |figure: &str| {
        spreads
            .iter()
            .filter(|r| r.figure == figure)
            .map(|r| Z95 * r.claimed_se)
            .fold(0.0, f64::max)
    };
    let _ = writeln!(
        s,
        "\nVerdict: consistent when the sd between seeds is at most {CONSISTENT_RATIO} x the claimed SE."
    );
    if wider.is_empty() {
        let _ = writeln!(
            s,
            "No figure varies between seeds more than a single study claims: the intervals of a \
             single study of {runs} runs can be trusted; they are at most ±{:.4} for outcomes \
             and ±{:.4} for final medians (95%).",
            widest("outcome"),
            widest("final_median")
        );
    } else {
        let names: Vec<&str> = wider.iter().map(|r| r.name.as_str()).collect();
        let _ = writeln!(
            s,
            "{} of {} figures vary between seeds more than a single study of {runs} runs \
             claims ({}): its intervals for them are too narrow. More runs narrow the spread; \
             check again with --runs larger.",
            wider.len(),
            spreads.len(),
            names.join(", ")
        );
    }
    s
}
