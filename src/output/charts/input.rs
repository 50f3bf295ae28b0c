//! The files of an output directory, read back into the plain figures the charts draw.
//!
//! Charts are drawn only from these files, never from a batch in memory, so that
//! `influence chart` redraws exactly what `influence run` drew. Every file is checked
//! against the scenario copy beside it: an actor, step or pair the scenario does not have is
//! an error, not a silent gap.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use super::error::ChartError;
use crate::output::schema::alignment::{self, Alignment};
use crate::output::schema::blocs::{self, BlocPairs, BlocSplits};
use crate::output::schema::final_alignment::{self, FinalAlignment};
use crate::output::schema::outcomes::{self, Outcomes};
use crate::output::schema::pairs::{self, PairFinal};
use crate::output::schema::run_order::RunOrder;
use crate::output::schema::runs_sample::{self, RunsSample};
use crate::output::schema::{
    ReadError, SCENARIO_FILE, StudySummary, TableFormat, TableReader, summary,
};
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
    /// Without events, `(probability, low, high)`, when the study ran the baseline.
    pub baseline: Option<(f64, f64, f64)>,
    /// What the events change, `(difference, low, high)`, when the study ran the baseline.
    pub change: Option<(f64, f64, f64)>,
}

/// Every figure of `t`, when all three are numbers.
fn figures(t: (f64, f64, f64)) -> Option<(f64, f64, f64)> {
    (t.0.is_finite() && t.1.is_finite() && t.2.is_finite()).then_some(t)
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
    /// Blocs at the end, when the study kept them (blocs.csv has rows).
    pub blocs: Option<BlocData>,
    /// The path of a study grown with `--until-ci` (convergence.csv), if it was.
    pub convergence: Option<super::convergence::ConvergenceData>,
    /// Each outcome's probability against its threshold (thresholds.csv), in scenario
    /// order; `None` for a directory written before that file existed.
    pub thresholds: Option<Vec<super::thresholds::ThresholdCurve>>,
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

    /// Reads and cross-checks every file the charts need: each value in its range (the
    /// formats' own checks), and every file in agreement with the scenario copy and with
    /// summary.json (the same actors, outcomes and steps; the same number of runs).
    pub fn read(dir: &Path) -> Result<StudyData, ChartError> {
        let summary = StudySummary::read(dir)?;
        let scenario = read_scenario(&dir.join(SCENARIO_FILE), &summary.scenario_sha256)?;
        check_summary(&dir.join(summary::FILE), &summary, &scenario)?;
        let names = ActorNames::new(&scenario);
        let outcomes = read_outcomes(&dir.join(outcomes::FILE), &scenario, &summary)?;
        // final.csv, a row per run and actor, is most of the reading: on a study's second
        // thread it is read while the others are.
        let (finals, sampled) = rayon::join(
            || {
                read_finals(
                    &dir.join(final_alignment::FILE),
                    &scenario,
                    &names,
                    summary.runs,
                )
            },
            || {
                let bands = read_bands(&dir.join(alignment::FILE), &scenario, &names)?;
                let sample = read_sample(
                    &dir.join(runs_sample::FILE),
                    &scenario,
                    &names,
                    summary.runs,
                )?;
                Ok::<_, ChartError>((bands, sample))
            },
        );
        let (bands, (sample_runs, sample)) = sampled?;
        let finals = finals?;
        let trust_end = read_trust(&dir.join(pairs::TRUST_FILE), &scenario, &names)?;
        let blocs = read_blocs(dir, &names)?;
        let convergence =
            super::convergence::ConvergenceData::read(dir, &scenario, summary.runs, summary.until)?;
        let thresholds = super::thresholds::ThresholdCurve::read(dir, &scenario)?;
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
            blocs,
            convergence,
            thresholds,
        })
    }
}

/// summary.json describes the scenario beside it: its steps, its actors and its outcomes, in
/// order. (Its figures were checked against each other as it was read.)
fn check_summary(path: &Path, s: &StudySummary, sc: &Scenario) -> Result<(), ChartError> {
    let inconsistent = |message: String| ChartError::Inconsistent {
        path: path.to_path_buf(),
        message,
    };
    if s.steps != sc.steps {
        return Err(inconsistent(format!(
            "{} steps, but scenario.toml has {}",
            s.steps, sc.steps
        )));
    }
    let actors: Vec<&str> = s.actors.iter().map(|a| a.name.as_str()).collect();
    let want: Vec<&str> = sc.actors.iter().map(|a| a.name.as_str()).collect();
    if actors != want {
        return Err(inconsistent(format!(
            "the actors {actors:?} are not those of scenario.toml, {want:?}"
        )));
    }
    let outcomes: Vec<&str> = s.outcomes.iter().map(|o| o.name.as_str()).collect();
    let want: Vec<&str> = sc.outcomes.iter().map(|o| o.name.as_str()).collect();
    if outcomes != want {
        return Err(inconsistent(format!(
            "the outcomes {outcomes:?} are not those of scenario.toml, {want:?}"
        )));
    }
    Ok(())
}

/// Reads and checks a scenario copy, and that it is the one summary.json was made from.
pub fn read_scenario(path: &Path, sha256: &str) -> Result<Scenario, ChartError> {
    let text = fs::read_to_string(path).map_err(|source| ReadError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let sc =
        parse_scenario(&text, &path.display().to_string()).map_err(|e| ChartError::Scenario {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
    if sc.sha256 != sha256 {
        return Err(ChartError::Inconsistent {
            path: path.to_path_buf(),
            message: "this is not the scenario summary.json was made from (its SHA-256 differs)"
                .into(),
        });
    }
    Ok(sc)
}

/// Actor names to indices, with the error every table gives for a name it should not have.
pub struct ActorNames {
    index: HashMap<String, usize>,
    /// The file the names come from, for messages.
    source: &'static str,
}

impl ActorNames {
    pub fn new(sc: &Scenario) -> ActorNames {
        ActorNames::from(sc, SCENARIO_FILE)
    }

    /// The names of `sc`, read from the file `source`.
    pub fn from(sc: &Scenario, source: &'static str) -> ActorNames {
        ActorNames {
            index: sc
                .actors
                .iter()
                .enumerate()
                .map(|(i, a)| (a.name.clone(), i))
                .collect(),
            source,
        }
    }

    fn n(&self) -> usize {
        self.index.len()
    }

    pub fn get<F: TableFormat>(
        &self,
        csv: &TableReader<F>,
        name: &str,
    ) -> Result<usize, ReadError> {
        self.index
            .get(name)
            .copied()
            .ok_or_else(|| csv.garbled(&format!("actor {name:?} is not in {}", self.source)))
    }
}

/// A step of the scenario, or an error about the record that names it.
pub fn step_of<F: TableFormat>(
    csv: &TableReader<F>,
    step: u64,
    steps: usize,
) -> Result<usize, ReadError> {
    usize::try_from(step)
        .ok()
        .filter(|&s| s <= steps)
        .ok_or_else(|| csv.garbled(&format!("step {step} is past the scenario's {steps} steps")))
}

/// Reads a table in alignment.csv's format, checked against `sc`: every step and actor once,
/// no other. Other output directories (a comparison's two scenarios) keep the same format.
pub fn read_alignment_bands(
    path: &Path,
    sc: &Scenario,
    names: &ActorNames,
) -> Result<Vec<Band>, ChartError> {
    read_bands(path, sc, names)
}

fn read_bands(path: &Path, sc: &Scenario, names: &ActorNames) -> Result<Vec<Band>, ChartError> {
    let n = names.n();
    let mut csv = TableReader::<Alignment>::open(path)?;
    let mut bands = vec![Band::MISSING; (sc.steps + 1) * n];
    let mut seen = vec![false; bands.len()];
    while csv.next_record()? {
        let r = csv.record()?;
        let step = step_of(&csv, r.step, sc.steps)?;
        let actor = names.get(&csv, r.actor)?;
        let k = step * n + actor;
        if seen[k] {
            return Err(csv.garbled("a second row for this step and actor").into());
        }
        seen[k] = true;
        bands[k] = Band {
            p05: r.p05,
            p25: r.p25,
            p50: r.p50,
            p75: r.p75,
            p95: r.p95,
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
    runs: u64,
) -> Result<(Vec<u64>, Vec<f64>), ChartError> {
    let n = names.n();
    let len = sc.steps + 1;
    let mut csv = TableReader::<RunsSample>::open(path)?;
    // The file holds a fixed, small number of runs, so keeping its rows is cheap.
    let mut rows = Vec::new();
    while csv.next_record()? {
        let r = csv.record()?;
        if r.run >= runs {
            return Err(csv
                .garbled(&format!(
                    "run {} is past the {runs} runs of summary.json",
                    r.run
                ))
                .into());
        }
        let step = step_of(&csv, r.step, sc.steps)?;
        let actor = names.get(&csv, r.actor)?;
        rows.push((r.run, step, actor, r.alignment));
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

/// Reads final.csv: every run of summary.json in order, each with every actor in scenario
/// order, nothing more. Checked as it streams, so a file of millions of rows is never held.
fn read_finals(
    path: &Path,
    sc: &Scenario,
    names: &ActorNames,
    runs: u64,
) -> Result<Vec<u64>, ChartError> {
    let actors: Vec<&str> = sc.actors.iter().map(|a| a.name.as_str()).collect();
    let mut order = RunOrder::new(0..runs, &actors, summary::FILE);
    let mut csv = TableReader::<FinalAlignment>::open(path)?;
    let mut counts = vec![0u64; names.n() * FINAL_BINS];
    while csv.next_record()? {
        let r = csv.record()?;
        order.next(&csv, r.run, r.actor)?;
        let actor = names.get(&csv, r.actor)?;
        counts[actor * FINAL_BINS + final_bin(r.alignment)] += 1;
    }
    order.finish(path)?;
    Ok(counts)
}

/// Which actors end in one bloc, over the runs of a study.
#[derive(Debug, Clone, PartialEq)]
pub struct BlocData {
    /// Share of runs in which i and j end in the same bloc, `together[i * n + j]`, symmetric,
    /// 1 on the diagonal.
    pub together: Vec<f64>,
    /// The splits seen, the most frequent first, with their shares.
    pub splits: Vec<(String, f64)>,
}

fn read_blocs(dir: &Path, names: &ActorNames) -> Result<Option<BlocData>, ChartError> {
    let n = names.n();
    let path = dir.join(blocs::PAIRS_FILE);
    let mut csv = TableReader::<BlocPairs>::open(&path)?;
    let mut together = vec![f64::NAN; n * n];
    let mut rows = 0;
    while csv.next_record()? {
        let r = csv.record()?;
        let (a, b) = (names.get(&csv, r.a)?, names.get(&csv, r.b)?);
        if a == b {
            return Err(csv.garbled("a pair of an actor with itself").into());
        }
        if !(0.0..=1.0).contains(&r.p_same_bloc) {
            return Err(csv
                .garbled(&format!(
                    "p_same_bloc must be a share in [0, 1], got {}",
                    r.p_same_bloc
                ))
                .into());
        }
        together[a * n + b] = r.p_same_bloc;
        together[b * n + a] = r.p_same_bloc;
        rows += 1;
    }
    if rows == 0 {
        return Ok(None);
    }
    for i in 0..n {
        together[i * n + i] = 1.0;
    }
    if let Some(k) = together.iter().position(|v| v.is_nan()) {
        return Err(ChartError::Inconsistent {
            path,
            message: format!("no row for the pair of actors {} and {}", k / n, k % n),
        });
    }
    let path = dir.join(blocs::SPLITS_FILE);
    let mut csv = TableReader::<BlocSplits>::open(&path)?;
    let mut splits = Vec::new();
    while csv.next_record()? {
        let r = csv.record()?;
        if !(0.0..=1.0).contains(&r.share) {
            return Err(csv
                .garbled(&format!("share must be in [0, 1], got {}", r.share))
                .into());
        }
        splits.push((r.split.to_string(), r.share));
    }
    Ok(Some(BlocData { together, splits }))
}

fn read_trust(path: &Path, sc: &Scenario, names: &ActorNames) -> Result<Vec<f64>, ChartError> {
    let n = names.n();
    let mut csv = TableReader::<PairFinal>::open(path)?;
    let mut trust = vec![f64::NAN; n * n];
    let mut seen = vec![false; n * n];
    while csv.next_record()? {
        let r = csv.record()?;
        let from = names.get(&csv, r.from)?;
        let to = names.get(&csv, r.to)?;
        if from == to {
            return Err(csv.garbled("trust of an actor in itself").into());
        }
        seen[from * n + to] = true;
        trust[from * n + to] = r.mean;
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

/// Reads outcomes.csv: the scenario's outcomes in order, each estimated from the runs of
/// summary.json, with the probability summary.json gives (to the file's six decimals).
fn read_outcomes(
    path: &Path,
    sc: &Scenario,
    summary: &StudySummary,
) -> Result<Vec<OutcomeRow>, ChartError> {
    let mut csv = TableReader::<Outcomes>::open(path)?;
    let mut out = Vec::new();
    while csv.next_record()? {
        let r = csv.record()?;
        let k = out.len();
        let Some(expected) = sc.outcomes.get(k) else {
            return Err(csv
                .garbled("a row past the outcomes of scenario.toml")
                .into());
        };
        if r.outcome != expected.name {
            return Err(csv
                .garbled(&format!(
                    "outcome {:?} here, but scenario.toml lists {:?}",
                    r.outcome, expected.name
                ))
                .into());
        }
        if r.runs != summary.runs {
            return Err(csv
                .garbled(&format!(
                    "{} runs here, but summary.json says {}",
                    r.runs, summary.runs
                ))
                .into());
        }
        if let Some(s) = summary.outcomes.get(k)
            && (s.probability - r.probability).abs() > 1e-6
        {
            return Err(csv
                .garbled(&format!(
                    "probability {} here, but summary.json says {}",
                    r.probability, s.probability
                ))
                .into());
        }
        out.push(OutcomeRow {
            name: r.outcome.to_string(),
            probability: r.probability,
            ci_low: r.ci_low,
            ci_high: r.ci_high,
            baseline: figures((r.baseline, r.baseline_low, r.baseline_high)),
            change: figures((r.change, r.change_low, r.change_high)),
        });
    }
    if out.len() != sc.outcomes.len() {
        return Err(ChartError::Inconsistent {
            path: path.to_path_buf(),
            message: format!(
                "{} outcomes, but scenario.toml has {}",
                out.len(),
                sc.outcomes.len()
            ),
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
