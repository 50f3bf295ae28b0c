//! The files of a Monte Carlo study.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::atomic::OutputError;
use super::schema::alignment::{self, Alignment, AlignmentRecord};
use super::schema::blocs::{
    self, BlocPairRecord, BlocPairs, BlocSplitRecord, BlocSplits, split_text,
};
use super::schema::events::{self, EventFrequencies, EventRecord};
use super::schema::final_alignment::{self, FinalAlignment, FinalRecord};
use super::schema::outcomes::{self, OutcomeRecord, Outcomes};
use super::schema::pairs::{self, PairFinal, PairRecord};
use super::schema::runs_sample::{self, RunsSample, SampleRecord};
use super::schema::summary::{
    self, AlignmentFigures, StudyActor, StudyOutcome, StudySummary, Summary, UntilRule,
    WithoutEvents,
};
use super::schema::{SCENARIO_FILE, TableStream, TableWriter};
use crate::analysis::summary::{
    Distribution, alignment_at, baseline_estimates, event_frequencies, outcome_estimates,
    threat_final, trust_final,
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
    write_file_with(&dir.join(final_alignment::FILE), |out| {
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
    // Each table is made and written before the next, so that only one is held as text at a
    // time: those of a 200-actor world are several megabytes each. summary.json comes first
    // because it is the one that can fail for a reason other than the disk.
    let summary = summary_json(dir, sc, result, meta)?;
    type Table<'a> = Box<dyn Fn() -> String + 'a>;
    // runs_sample.csv, the largest (a row per sampled run, step and actor), is streamed.
    let files: [(&str, Table); 11] = [
        (alignment::FILE, Box::new(|| alignment_csv(sc, result))),
        (
            pairs::TRUST_FILE,
            Box::new(|| pair_csv(sc, result, trust_final)),
        ),
        (
            pairs::THREAT_FILE,
            Box::new(|| pair_csv(sc, result, threat_final)),
        ),
        (outcomes::FILE, Box::new(|| outcomes_csv(sc, result))),
        (events::FILE, Box::new(|| events_csv(sc, result))),
        (runs_sample::FILE, Box::new(String::new)),
        (THRESHOLDS_FILE, Box::new(|| thresholds_csv(sc, result))),
        (blocs::PAIRS_FILE, Box::new(|| bloc_pairs_csv(sc, result))),
        (blocs::SPLITS_FILE, Box::new(|| bloc_splits_csv(sc, result))),
        (summary::FILE, Box::new(|| summary.clone())),
        (SCENARIO_FILE, Box::new(|| scenario_text.to_string())),
    ];
    for (name, text) in files {
        let path = dir.join(name);
        if name == runs_sample::FILE {
            write_file_with(&path, |out| write_sample_csv(out, sc, result))?;
        } else {
            fs::write(&path, text()).map_err(|e| OutputError::io(&path, e))?;
        }
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
    let mut t = TableWriter::<Alignment>::new();
    for step in 0..=sc.steps {
        for (i, actor) in sc.actors.iter().enumerate() {
            let d = alignment_at(acc, n, step, i);
            t.push(&AlignmentRecord {
                step: step as u64,
                actor: &actor.name,
                mean: d.mean,
                sd: d.sd,
                p05: d.p05,
                p25: d.p25,
                p50: d.p50,
                p75: d.p75,
                p95: d.p95,
            });
        }
    }
    t.into_string()
}

type PairStat = fn(&crate::montecarlo::StudyTally, usize, usize, usize) -> Distribution;

/// `from,to,mean,sd,p05,p50,p95` over ordered pairs of distinct actors.
pub fn pair_csv(sc: &Scenario, result: &BatchResult, stat: PairStat) -> String {
    let n = sc.n();
    let mut t = TableWriter::<PairFinal>::new();
    for (i, from) in sc.actors.iter().enumerate() {
        for (j, to) in sc.actors.iter().enumerate() {
            if i == j {
                continue;
            }
            let d = stat(&result.aggregates, n, i, j);
            t.push(&PairRecord {
                from: &from.name,
                to: &to.name,
                mean: d.mean,
                sd: d.sd,
                p05: d.p05,
                p50: d.p50,
                p95: d.p95,
            });
        }
    }
    t.into_string()
}

/// `run,actor,alignment`: every run's final alignment, streamed row by row (with a million
/// runs the text is several times larger than the table it comes from), then flushed.
pub fn write_final_csv(
    out: &mut impl Write,
    sc: &Scenario,
    result: &BatchResult,
) -> io::Result<()> {
    let mut t = TableStream::<FinalAlignment, _>::new(out)?;
    if let Some(table) = &result.final_table {
        table.for_each_row(|r, row| {
            for (actor, &a) in sc.actors.iter().zip(row) {
                t.push(&FinalRecord {
                    run: r,
                    actor: &actor.name,
                    alignment: a,
                })?;
            }
            Ok::<(), io::Error>(())
        })?;
    }
    t.into_inner().flush()
}

/// Each outcome's probability as a function of its threshold.
pub const THRESHOLDS_FILE: &str = crate::output::schema::thresholds::FILE;

/// `outcome,value,probability`: for every outcome, the share of runs in which it would hold
/// with its threshold at each value of its metric's range, in steps of 0.01.
pub fn thresholds_csv(sc: &Scenario, result: &BatchResult) -> String {
    use crate::output::schema::thresholds::{ThresholdRecord, Thresholds};
    let mut t = TableWriter::<Thresholds>::new();
    for (o, counts) in sc
        .outcomes
        .iter()
        .zip(&result.aggregates.thresholds.outcomes)
    {
        for (value, probability) in counts.curve(o.condition.op) {
            t.push(&ThresholdRecord {
                outcome: &o.name,
                value,
                probability,
            });
        }
    }
    t.into_string()
}

/// Each outcome's probability with its Wilson 95% interval, and beside it the no-event
/// baseline and what the events change when the study ran it (see [`Outcomes`]).
pub fn outcomes_csv(sc: &Scenario, result: &BatchResult) -> String {
    let mut t = TableWriter::<Outcomes>::new();
    let baselines = baseline_estimates(&result.aggregates);
    for (k, o) in outcome_estimates(sc, &result.aggregates).iter().enumerate() {
        let b = baselines.as_ref().and_then(|b| b.get(k));
        let nan = f64::NAN;
        t.push(&OutcomeRecord {
            outcome: &o.name,
            probability: o.probability,
            ci_low: o.interval.low,
            ci_high: o.interval.high,
            runs: o.runs,
            baseline: b.map_or(nan, |b| b.probability),
            baseline_low: b.map_or(nan, |b| b.interval.low),
            baseline_high: b.map_or(nan, |b| b.interval.high),
            change: b.map_or(nan, |b| b.change),
            change_low: b.map_or(nan, |b| b.change_interval.low),
            change_high: b.map_or(nan, |b| b.change_interval.high),
        });
    }
    t.into_string()
}

/// `a,b,p_same_bloc` for every pair of actors; only the header when the study kept no blocs.
pub fn bloc_pairs_csv(sc: &Scenario, result: &BatchResult) -> String {
    let mut t = TableWriter::<BlocPairs>::new();
    if let Some(b) = &result.aggregates.blocs {
        for i in 0..sc.n() {
            for j in i + 1..sc.n() {
                t.push(&BlocPairRecord {
                    a: &sc.actors[i].name,
                    b: &sc.actors[j].name,
                    p_same_bloc: b.co.together_share(i, j).unwrap_or(f64::NAN),
                });
            }
        }
    }
    t.into_string()
}

/// `split,share`, the most frequent split first; only the header without blocs.
pub fn bloc_splits_csv(sc: &Scenario, result: &BatchResult) -> String {
    let mut t = TableWriter::<BlocSplits>::new();
    if let Some(b) = &result.aggregates.blocs {
        let names: Vec<&str> = sc.actors.iter().map(|a| a.name.as_str()).collect();
        let runs = b.co.runs().max(1) as f64;
        for (split, count) in b.co.splits() {
            let Ok((first, second)) = split.members(&names) else {
                continue;
            };
            t.push(&BlocSplitRecord {
                split: &split_text(&first, &second),
                share: count as f64 / runs,
            });
        }
    }
    t.into_string()
}

/// `event,label,kind,fired_fraction,mean_times_fired`.
pub fn events_csv(sc: &Scenario, result: &BatchResult) -> String {
    let mut t = TableWriter::<EventFrequencies>::new();
    for e in event_frequencies(sc, &result.aggregates) {
        t.push(&EventRecord {
            event: &e.id,
            label: &e.label,
            kind: &e.kind,
            fired_fraction: e.fired_fraction,
            mean_times_fired: e.mean_times_fired,
        });
    }
    t.into_string()
}

/// `run,step,actor,alignment` for the first runs, kept for charts of single runs.
pub fn sample_csv(sc: &Scenario, result: &BatchResult) -> String {
    let mut out = Vec::new();
    // Writing into memory cannot fail, and every field is UTF-8.
    let _ = write_sample_csv(&mut out, sc, result);
    String::from_utf8_lossy(&out).into_owned()
}

/// [`sample_csv`] written row by row to `out`: at 200 actors and 52 steps the text of the
/// 40 kept runs is 12 MB.
pub fn write_sample_csv(
    out: &mut impl Write,
    sc: &Scenario,
    result: &BatchResult,
) -> io::Result<()> {
    let acc = &result.aggregates;
    let mut t = TableStream::<RunsSample, _>::new(out)?;
    for r in 0..acc.sample.held() {
        for (i, actor) in sc.actors.iter().enumerate() {
            for (step, a) in acc.sample.trajectory(r, i).into_iter().enumerate() {
                t.push(&SampleRecord {
                    run: r as u64,
                    step: step as u64,
                    actor: &actor.name,
                    alignment: a,
                })?;
            }
        }
    }
    Ok(())
}

/// The stopping rule of a study grown block by block (`influence run --until-ci`), as
/// summary.json records it.
pub type UntilJson = UntilRule;

/// Rounds to the six decimals of the CSV files, so both say the same.
pub(crate) fn r6(x: f64) -> f64 {
    let y = (x * 1e6).round() / 1e6;
    if y == 0.0 { 0.0 } else { y }
}

/// The text of summary.json of a study written into `dir`.
pub fn summary_json(
    dir: &Path,
    sc: &Scenario,
    result: &BatchResult,
    meta: &StudyMeta,
) -> Result<String, OutputError> {
    summary_json_until(dir, sc, result, meta, None)
}

/// summary.json, with the stopping rule of a grown study when there is one.
pub fn summary_json_until(
    dir: &Path,
    sc: &Scenario,
    result: &BatchResult,
    meta: &StudyMeta,
    until: Option<&UntilRule>,
) -> Result<String, OutputError> {
    Summary::Study(study_summary(sc, result, meta, until)).to_output(dir)
}

/// The summary of a study, figures rounded as in the CSV files.
pub fn study_summary(
    sc: &Scenario,
    result: &BatchResult,
    meta: &StudyMeta,
    until: Option<&UntilRule>,
) -> StudySummary {
    let n = sc.n();
    let acc = &result.aggregates;
    StudySummary {
        scenario: sc.name.clone(),
        scenario_sha256: sc.sha256.clone(),
        tool: env!("CARGO_PKG_NAME").into(),
        version: env!("CARGO_PKG_VERSION").into(),
        seed: result.seed,
        runs: result.runs,
        steps: sc.steps,
        step_unit: sc.step_unit.clone(),
        start: sc.start.clone(),
        axis: [sc.axis.negative.clone(), sc.axis.positive.clone()],
        quantiles: format!("histogram, bin width {BIN_WIDTH}, error below {BIN_WIDTH}"),
        inputs: crate::output::sensitivity::input_summaries(sc),
        input_values: (!sc.inputs.is_empty()).then(|| {
            let nominal = result.header.plan.contains("nominal") || result.header.plan == "run";
            if nominal { "nominal" } else { "drawn" }.to_string()
        }),
        actors: sc
            .actors
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let d = alignment_at(acc, n, sc.steps, i);
                StudyActor {
                    name: a.name.clone(),
                    kind: a.kind.as_str().into(),
                    initial_alignment: a.alignment,
                    final_alignment: AlignmentFigures {
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
        outcomes: {
            let baselines = baseline_estimates(acc);
            outcome_estimates(sc, acc)
                .into_iter()
                .enumerate()
                .map(|(k, o)| StudyOutcome {
                    name: o.name,
                    probability: r6(o.probability),
                    ci_low: r6(o.interval.low),
                    ci_high: r6(o.interval.high),
                    hits: o.hits,
                    runs: o.runs,
                    without_events: baselines.as_ref().and_then(|b| b.get(k)).map(|b| {
                        WithoutEvents {
                            probability: r6(b.probability),
                            ci_low: r6(b.interval.low),
                            ci_high: r6(b.interval.high),
                            change: r6(b.change),
                            change_low: r6(b.change_interval.low),
                            change_high: r6(b.change_interval.high),
                        }
                    }),
                })
                .collect()
        },
        until: until.map(|u| UntilRule {
            half_width: r6(u.half_width),
            widest_half_width: r6(u.widest_half_width),
            ..*u
        }),
        threads: meta.threads,
        elapsed_s: r6(meta.elapsed_s),
    }
}
