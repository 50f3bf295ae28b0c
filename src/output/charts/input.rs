//! The files of an output directory, read back into the plain figures the charts draw.
//!
//! Charts are drawn only from these files, never from a batch in memory, so that
//! `influence chart` redraws exactly what `influence run` drew. Every file is checked
//! against the scenario copy beside it: an actor, step or pair the scenario does not have is
//! an error, not a silent gap.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use serde::Deserialize;

use super::error::ChartError;
use super::records::CsvFile;
use crate::scenario::{Scenario, parse_scenario};

/// Bins of the final-alignment histograms: fine enough for the narrowest distributions the
/// model produces (stubborn actors move by a few thousandths), coarse enough to smooth fast.
pub const FINAL_BINS: usize = 800;

/// Quantiles of one actor's alignment at one step, over runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    pub p05: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
}

impl Band {
    const MISSING: Band = Band {
        p05: f64::NAN,
        p25: f64::NAN,
        p50: f64::NAN,
        p75: f64::NAN,
        p95: f64::NAN,
    };
}

/// One row of outcomes.csv.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeRow {
    pub name: String,
    pub probability: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// Everything the charts show, read from one output directory.
#[derive(Debug, Clone)]
pub struct StudyData {
    /// The scenario copy, checked: names, poles, step unit, start date, events, T0.
    pub scenario: Scenario,
    pub runs: u64,
    pub seed: u64,
    /// `bands[step * n + actor]`.
    pub bands: Vec<Band>,
    /// Indices of the runs in runs_sample.csv, ascending.
    pub sample_runs: Vec<u64>,
    /// `sample[(k * n + actor) * (steps + 1) + step]` for the k-th sampled run.
    pub sample: Vec<f64>,
    /// `finals[actor * FINAL_BINS + bin]`: final alignments counted in equal bins over [-1, 1].
    pub finals: Vec<u64>,
    /// Mean trust at the last step, `trust_end[from * n + to]`; NaN on the diagonal.
    pub trust_end: Vec<f64>,
    pub outcomes: Vec<OutcomeRow>,
    /// The path of a study grown with `--until-ci` (convergence.csv), if it was.
    pub convergence: Option<super::convergence::ConvergenceData>,
}

impl StudyData {
    pub fn n(&self) -> usize {
        self.scenario.n()
    }

    pub fn steps(&self) -> usize {
        self.scenario.steps
    }

    pub fn band(&self, step: usize, actor: usize) -> Band {
        self.bands[step * self.n() + actor]
    }

    /// The alignment path of the k-th sampled run for one actor, steps `0..=steps`.
    pub fn sample_path(&self, k: usize, actor: usize) -> &[f64] {
        let len = self.steps() + 1;
        let start = (k * self.n() + actor) * len;
        &self.sample[start..start + len]
    }

    /// Final-alignment bin counts of one actor.
    pub fn final_counts(&self, actor: usize) -> &[u64] {
        &self.finals[actor * FINAL_BINS..(actor + 1) * FINAL_BINS]
    }

    /// Reads and cross-checks every file the charts need.
    pub fn read(dir: &Path) -> Result<StudyData, ChartError> {
        let not_a_study = |reason: String| ChartError::NotAStudy {
            dir: dir.to_path_buf(),
            reason,
        };
        match fs::metadata(dir) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => return Err(not_a_study("it is not a directory".into())),
            Err(e) => return Err(not_a_study(e.to_string())),
        }
        let summary_path = dir.join("summary.json");
        if !summary_path.exists() {
            return Err(not_a_study("it has no summary.json".into()));
        }
        let summary = read_summary(&summary_path)?;
        let scenario_path = dir.join("scenario.toml");
        let text = fs::read_to_string(&scenario_path).map_err(|source| ChartError::Read {
            path: scenario_path.clone(),
            source,
        })?;
        let scenario =
            parse_scenario(&text, &scenario_path.display().to_string()).map_err(|e| {
                ChartError::Scenario {
                    path: scenario_path.clone(),
                    message: e.to_string(),
                }
            })?;
        if scenario.sha256 != summary.scenario_sha256 {
            return Err(ChartError::Inconsistent {
                path: scenario_path,
                message:
                    "this is not the scenario summary.json was made from (its SHA-256 differs)"
                        .into(),
            });
        }
        let names = ActorNames::new(&scenario);
        let bands = read_bands(&dir.join("alignment.csv"), &scenario, &names)?;
        let (sample_runs, sample) = read_sample(&dir.join("runs_sample.csv"), &scenario, &names)?;
        let finals = read_finals(&dir.join("final.csv"), &names)?;
        let trust_end = read_trust(&dir.join("trust_final.csv"), &scenario, &names)?;
        let outcomes = read_outcomes(&dir.join("outcomes.csv"))?;
        let convergence = super::convergence::ConvergenceData::read(dir, &scenario, summary.runs)?;
        Ok(StudyData {
            scenario,
            runs: summary.runs,
            seed: summary.seed,
            bands,
            sample_runs,
            sample,
            finals,
            trust_end,
            outcomes,
            convergence,
        })
    }
}

/// The part of summary.json the charts need; the rest is the scenario's or the tables'.
#[derive(Deserialize)]
struct Summary {
    scenario_sha256: String,
    seed: u64,
    runs: u64,
}

fn read_summary(path: &Path) -> Result<Summary, ChartError> {
    let text = fs::read_to_string(path).map_err(|source| ChartError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| ChartError::Garbled {
        path: path.to_path_buf(),
        line: e.line(),
        message: e.to_string(),
    })
}

/// Actor names to indices, with the error every table gives for a name it should not have.
struct ActorNames {
    index: HashMap<String, usize>,
}

impl ActorNames {
    fn new(sc: &Scenario) -> ActorNames {
        ActorNames {
            index: sc
                .actors
                .iter()
                .enumerate()
                .map(|(i, a)| (a.name.clone(), i))
                .collect(),
        }
    }

    fn n(&self) -> usize {
        self.index.len()
    }

    fn get(&self, csv: &CsvFile, name: &str) -> Result<usize, ChartError> {
        self.index
            .get(name)
            .copied()
            .ok_or_else(|| csv.garbled(&format!("actor {name:?} is not in scenario.toml")))
    }
}

fn step_of(
    csv: &CsvFile,
    fields: &[String],
    col: usize,
    steps: usize,
) -> Result<usize, ChartError> {
    let step = csv.count(fields, col)?;
    usize::try_from(step)
        .ok()
        .filter(|&s| s <= steps)
        .ok_or_else(|| csv.garbled(&format!("step {step} is past the scenario's {steps} steps")))
}

/// Reads a table in alignment.csv's format, checked against `sc`: every step and actor once,
/// no other. Other output directories (a comparison's two scenarios) keep the same format.
pub fn read_alignment_bands(path: &Path, sc: &Scenario) -> Result<Vec<Band>, ChartError> {
    read_bands(path, sc, &ActorNames::new(sc))
}

fn read_bands(path: &Path, sc: &Scenario, names: &ActorNames) -> Result<Vec<Band>, ChartError> {
    let n = names.n();
    let mut csv = CsvFile::open(path)?;
    let [c_step, c_actor, c05, c25, c50, c75, c95] =
        csv.columns(["step", "actor", "p05", "p25", "p50", "p75", "p95"])?;
    let mut bands = vec![Band::MISSING; (sc.steps + 1) * n];
    let mut seen = vec![false; bands.len()];
    let mut f = Vec::new();
    while csv.next_record(&mut f)? {
        let step = step_of(&csv, &f, c_step, sc.steps)?;
        let actor = names.get(&csv, &f[c_actor])?;
        let k = step * n + actor;
        if seen[k] {
            return Err(csv.garbled("a second row for this step and actor"));
        }
        seen[k] = true;
        bands[k] = Band {
            p05: csv.number(&f, c05)?,
            p25: csv.number(&f, c25)?,
            p50: csv.number(&f, c50)?,
            p75: csv.number(&f, c75)?,
            p95: csv.number(&f, c95)?,
        };
    }
    if let Some(k) = seen.iter().position(|s| !s) {
        return Err(ChartError::Inconsistent {
            path: path.to_path_buf(),
            message: format!(
                "no row for step {}, actor {:?}",
                k / n,
                sc.actors[k % n].name
            ),
        });
    }
    Ok(bands)
}

fn read_sample(
    path: &Path,
    sc: &Scenario,
    names: &ActorNames,
) -> Result<(Vec<u64>, Vec<f64>), ChartError> {
    let n = names.n();
    let len = sc.steps + 1;
    let mut csv = CsvFile::open(path)?;
    let [c_run, c_step, c_actor, c_value] = csv.columns(["run", "step", "actor", "alignment"])?;
    // The file holds a fixed, small number of runs, so keeping its rows is cheap.
    let mut rows = Vec::new();
    let mut f = Vec::new();
    while csv.next_record(&mut f)? {
        let run = csv.count(&f, c_run)?;
        let step = step_of(&csv, &f, c_step, sc.steps)?;
        let actor = names.get(&csv, &f[c_actor])?;
        rows.push((run, step, actor, csv.number(&f, c_value)?));
    }
    let mut runs: Vec<u64> = rows.iter().map(|r| r.0).collect();
    runs.sort_unstable();
    runs.dedup();
    let mut values = vec![f64::NAN; runs.len() * n * len];
    for (run, step, actor, value) in rows {
        // `runs` holds every run of `rows`, so the search always succeeds.
        if let Ok(k) = runs.binary_search(&run) {
            values[(k * n + actor) * len + step] = value;
        }
    }
    Ok((runs, values))
}

/// Bin of an alignment in [-1, 1] among [`FINAL_BINS`] equal bins.
pub fn final_bin(a: f64) -> usize {
    let x = ((a + 1.0) / 2.0 * FINAL_BINS as f64).floor();
    (x.max(0.0) as usize).min(FINAL_BINS - 1)
}

fn read_finals(path: &Path, names: &ActorNames) -> Result<Vec<u64>, ChartError> {
    let mut csv = CsvFile::open(path)?;
    let [c_actor, c_value] = csv.columns(["actor", "alignment"])?;
    let mut counts = vec![0u64; names.n() * FINAL_BINS];
    let mut f = Vec::new();
    while csv.next_record(&mut f)? {
        let actor = names.get(&csv, &f[c_actor])?;
        let a = csv.number(&f, c_value)?;
        if a.is_finite() {
            counts[actor * FINAL_BINS + final_bin(a)] += 1;
        }
    }
    Ok(counts)
}

fn read_trust(path: &Path, sc: &Scenario, names: &ActorNames) -> Result<Vec<f64>, ChartError> {
    let n = names.n();
    let mut csv = CsvFile::open(path)?;
    let [c_from, c_to, c_mean] = csv.columns(["from", "to", "mean"])?;
    let mut trust = vec![f64::NAN; n * n];
    let mut seen = vec![false; n * n];
    let mut f = Vec::new();
    while csv.next_record(&mut f)? {
        let from = names.get(&csv, &f[c_from])?;
        let to = names.get(&csv, &f[c_to])?;
        if from == to {
            return Err(csv.garbled("trust of an actor in itself"));
        }
        seen[from * n + to] = true;
        trust[from * n + to] = csv.number(&f, c_mean)?;
    }
    let missing = (0..n * n).find(|&k| k / n != k % n && !seen[k]);
    if let Some(k) = missing {
        return Err(ChartError::Inconsistent {
            path: path.to_path_buf(),
            message: format!(
                "no row for the pair from {:?} to {:?}",
                sc.actors[k / n].name,
                sc.actors[k % n].name
            ),
        });
    }
    Ok(trust)
}

fn read_outcomes(path: &Path) -> Result<Vec<OutcomeRow>, ChartError> {
    let mut csv = CsvFile::open(path)?;
    let [c_name, c_p, c_low, c_high] =
        csv.columns(["outcome", "probability", "ci_low", "ci_high"])?;
    let mut out = Vec::new();
    let mut f = Vec::new();
    while csv.next_record(&mut f)? {
        out.push(OutcomeRow {
            name: f[c_name].clone(),
            probability: csv.number(&f, c_p)?,
            ci_low: csv.number(&f, c_low)?,
            ci_high: csv.number(&f, c_high)?,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_cover_the_closed_interval() {
        assert_eq!(final_bin(-1.0), 0);
        assert_eq!(final_bin(1.0), FINAL_BINS - 1);
        assert_eq!(final_bin(0.0), FINAL_BINS / 2);
        assert_eq!(final_bin(-7.0), 0);
    }
}
