//! The files of a Monte Carlo study.

use std::fmt::Write as _;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use serde::Serialize;

use super::atomic::OutputError;
use super::csv::{Table, push_field, push_number};
use crate::analysis::summary::{
    Distribution, alignment_at, event_frequencies, outcome_estimates, threat_final, trust_final,
};
use crate::montecarlo::BatchResult;
use crate::montecarlo::aggregate::BIN_WIDTH;
use crate::scenario::Scenario;

/// Facts about how a study was produced that are not in the scenario.
#[derive(Debug, Clone)]
pub struct StudyMeta {
    /// Worker threads used; may differ between equal runs.
    pub threads: usize,
    /// Wall-clock seconds; may differ between equal runs.
    pub elapsed_s: f64,
}

/// Writes every file of a study into `dir` (normally a staging directory).
pub fn write_study(
    dir: &Path,
    sc: &Scenario,
    scenario_text: &str,
    result: &BatchResult,
    meta: &StudyMeta,
) -> Result<(), OutputError> {
    write_study_tables(dir, sc, scenario_text, result, meta)?;
    write_file_with(&dir.join("final.csv"), |out| {
        write_final_csv(out, sc, result)
    })
}

/// Writes `path` through a buffered writer filled by `fill`.
pub fn write_file_with(
    path: &Path,
    fill: impl FnOnce(&mut BufWriter<fs::File>) -> io::Result<()>,
) -> Result<(), OutputError> {
    let file = fs::File::create(path).map_err(|e| OutputError::io(path, e))?;
    let mut out = BufWriter::new(file);
    fill(&mut out)
        .and_then(|()| out.flush())
        .map_err(|e| OutputError::io(path, e))
}

/// Writes every file of a study but the per-run tables, which grow with the runs: a merge
/// of shards writes those by streaming the shards' slices instead.
pub fn write_study_tables(
    dir: &Path,
    sc: &Scenario,
    scenario_text: &str,
    result: &BatchResult,
    meta: &StudyMeta,
) -> Result<(), OutputError> {
    let files = [
        ("alignment.csv", alignment_csv(sc, result)),
        ("trust_final.csv", pair_csv(sc, result, trust_final)),
        ("threat_final.csv", pair_csv(sc, result, threat_final)),
        ("outcomes.csv", outcomes_csv(sc, result)),
        ("events.csv", events_csv(sc, result)),
        ("runs_sample.csv", sample_csv(sc, result)),
        ("summary.json", summary_json(sc, result, meta)),
        ("scenario.toml", scenario_text.to_string()),
    ];
    for (name, text) in files {
        let path = dir.join(name);
        fs::write(&path, text).map_err(|e| OutputError::io(&path, e))?;
    }
    Ok(())
}

/// `step,actor,mean,sd,p05,p25,p50,p75,p95`, steps 0..=steps, actors in scenario order.
pub fn alignment_csv(sc: &Scenario, result: &BatchResult) -> String {
    alignment_table(sc, &result.aggregates)
}

/// The table of [`alignment_csv`] from aggregates alone, for outputs (such as a comparison)
/// that hold aggregates without a per-run table.
pub fn alignment_table(sc: &Scenario, acc: &crate::montecarlo::StudyTally) -> String {
    let n = sc.n();
    let mut t = Table::new(&[
        "step", "actor", "mean", "sd", "p05", "p25", "p50", "p75", "p95",
    ]);
    for step in 0..=sc.steps {
        for (i, actor) in sc.actors.iter().enumerate() {
            let d = alignment_at(acc, n, step, i);
            t.row()
                .int(step as u64)
                .text(&actor.name)
                .num(d.mean)
                .num(d.sd)
                .num(d.p05)
                .num(d.p25)
                .num(d.p50)
                .num(d.p75)
                .num(d.p95);
        }
    }
    t.into_string()
}

type PairStat = fn(&crate::montecarlo::StudyTally, usize, usize, usize) -> Distribution;

/// `from,to,mean,sd,p05,p50,p95` over ordered pairs of distinct actors.
pub fn pair_csv(sc: &Scenario, result: &BatchResult, stat: PairStat) -> String {
    let n = sc.n();
    let mut t = Table::new(&["from", "to", "mean", "sd", "p05", "p50", "p95"]);
    for (i, from) in sc.actors.iter().enumerate() {
        for (j, to) in sc.actors.iter().enumerate() {
            if i == j {
                continue;
            }
            let d = stat(&result.aggregates, n, i, j);
            t.row()
                .text(&from.name)
                .text(&to.name)
                .num(d.mean)
                .num(d.sd)
                .num(d.p05)
                .num(d.p50)
                .num(d.p95);
        }
    }
    t.into_string()
}

/// `run,actor,alignment`: every run's final alignment. Streamed row by row: with a million
/// runs the text is several times larger than the table it comes from.
pub fn write_final_csv(
    out: &mut impl Write,
    sc: &Scenario,
    result: &BatchResult,
) -> io::Result<()> {
    let n = sc.n();
    out.write_all(b"run,actor,alignment\n")?;
    if n == 0 {
        return Ok(());
    }
    let names: Vec<String> = sc
        .actors
        .iter()
        .map(|a| {
            let mut f = String::new();
            push_field(&mut f, &a.name);
            f
        })
        .collect();
    let mut line = String::new();
    for (r, row) in (result.first_run..).zip(result.final_alignment.chunks(n)) {
        for (name, &a) in names.iter().zip(row) {
            line.clear();
            let _ = write!(line, "{r},{name},");
            push_number(&mut line, a);
            line.push('\n');
            out.write_all(line.as_bytes())?;
        }
    }
    Ok(())
}

/// `outcome,probability,ci_low,ci_high,runs` with Wilson 95% intervals.
pub fn outcomes_csv(sc: &Scenario, result: &BatchResult) -> String {
    let mut t = Table::new(&["outcome", "probability", "ci_low", "ci_high", "runs"]);
    for o in outcome_estimates(sc, &result.aggregates) {
        t.row()
            .text(&o.name)
            .num(o.probability)
            .num(o.interval.low)
            .num(o.interval.high)
            .int(o.runs);
    }
    t.into_string()
}

/// `event,label,kind,fired_fraction,mean_times_fired`.
pub fn events_csv(sc: &Scenario, result: &BatchResult) -> String {
    let mut t = Table::new(&[
        "event",
        "label",
        "kind",
        "fired_fraction",
        "mean_times_fired",
    ]);
    for e in event_frequencies(sc, &result.aggregates) {
        t.row()
            .text(&e.id)
            .text(&e.label)
            .text(&e.kind)
            .num(e.fired_fraction)
            .num(e.mean_times_fired);
    }
    t.into_string()
}

/// `run,step,actor,alignment` for the first runs, kept for charts of single runs.
pub fn sample_csv(sc: &Scenario, result: &BatchResult) -> String {
    let acc = &result.aggregates;
    let mut t = Table::new(&["run", "step", "actor", "alignment"]);
    for r in 0..acc.sample.held() {
        for (i, actor) in sc.actors.iter().enumerate() {
            for (step, a) in acc.sample.trajectory(r, i).into_iter().enumerate() {
                t.row()
                    .int(r as u64)
                    .int(step as u64)
                    .text(&actor.name)
                    .num(a);
            }
        }
    }
    t.into_string()
}

#[derive(Serialize)]
struct SummaryJson<'a> {
    scenario: &'a str,
    scenario_sha256: &'a str,
    tool: &'static str,
    version: &'static str,
    seed: u64,
    runs: u64,
    steps: usize,
    step_unit: &'a str,
    start: Option<&'a str>,
    axis: [&'a str; 2],
    quantiles: String,
    actors: Vec<ActorJson<'a>>,
    outcomes: Vec<OutcomeJson>,
    /// Present only for a study grown until its intervals were narrow enough.
    #[serde(skip_serializing_if = "Option::is_none")]
    until: Option<UntilJson>,
    threads: usize,
    elapsed_s: f64,
}

/// The stopping rule of a study grown block by block (`influence run --until-ci`), as
/// summary.json records it: what was asked and whether it was met.
#[derive(Debug, Clone, Serialize)]
pub struct UntilJson {
    /// Target: largest half-width of every outcome's 95% interval.
    pub half_width: f64,
    /// Runs added at a time.
    pub block: u64,
    /// The cap on runs.
    pub max_runs: u64,
    /// Whether every interval reached the target before the cap.
    pub met: bool,
    /// The widest outcome interval's half-width at the end.
    pub widest_half_width: f64,
}

#[derive(Serialize)]
struct ActorJson<'a> {
    name: &'a str,
    kind: &'static str,
    initial_alignment: f64,
    final_alignment: DistributionJson,
}

#[derive(Serialize)]
struct DistributionJson {
    mean: f64,
    sd: f64,
    p05: f64,
    p25: f64,
    p50: f64,
    p75: f64,
    p95: f64,
}

#[derive(Serialize)]
struct OutcomeJson {
    name: String,
    probability: f64,
    ci_low: f64,
    ci_high: f64,
    hits: u64,
    runs: u64,
}

/// Rounds to the six decimals of the CSV files, so both say the same.
pub(crate) fn r6(x: f64) -> f64 {
    let y = (x * 1e6).round() / 1e6;
    if y == 0.0 { 0.0 } else { y }
}

pub fn summary_json(sc: &Scenario, result: &BatchResult, meta: &StudyMeta) -> String {
    summary_json_until(sc, result, meta, None)
}

/// summary.json, with the stopping rule of a grown study when there is one.
pub fn summary_json_until(
    sc: &Scenario,
    result: &BatchResult,
    meta: &StudyMeta,
    until: Option<&UntilJson>,
) -> String {
    let n = sc.n();
    let acc = &result.aggregates;
    let summary = SummaryJson {
        scenario: &sc.name,
        scenario_sha256: &sc.sha256,
        tool: env!("CARGO_PKG_NAME"),
        version: env!("CARGO_PKG_VERSION"),
        seed: result.seed,
        runs: result.runs,
        steps: sc.steps,
        step_unit: &sc.step_unit,
        start: sc.start.as_deref(),
        axis: [&sc.axis.negative, &sc.axis.positive],
        quantiles: format!("histogram, bin width {BIN_WIDTH}, error below {BIN_WIDTH}"),
        actors: sc
            .actors
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let d = alignment_at(acc, n, sc.steps, i);
                ActorJson {
                    name: &a.name,
                    kind: a.kind.as_str(),
                    initial_alignment: a.alignment,
                    final_alignment: DistributionJson {
                        mean: r6(d.mean),
                        sd: r6(d.sd),
                        p05: r6(d.p05),
                        p25: r6(d.p25),
                        p50: r6(d.p50),
                        p75: r6(d.p75),
                        p95: r6(d.p95),
                    },
                }
            })
            .collect(),
        outcomes: outcome_estimates(sc, acc)
            .into_iter()
            .map(|o| OutcomeJson {
                name: o.name,
                probability: r6(o.probability),
                ci_low: r6(o.interval.low),
                ci_high: r6(o.interval.high),
                hits: o.hits,
                runs: o.runs,
            })
            .collect(),
        until: until.map(|u| UntilJson {
            half_width: r6(u.half_width),
            widest_half_width: r6(u.widest_half_width),
            ..u.clone()
        }),
        threads: meta.threads,
        elapsed_s: r6(meta.elapsed_s),
    };
    let mut text = serde_json::to_string_pretty(&summary)
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
