//! `summary.json`: what an output directory is and the figures it holds, one type per kind.
//!
//! Every summary.json names its kind in a `"kind"` field, first in the file: `study`
//! (`influence run`, with the stopping rule in `until` when the study was grown with
//! `--until-ci`), `compare`, `seeds` or `ablation`. Readers ask [`read_kind`] what a
//! directory is, or read its summary with [`read_summary`] or a kind's own `read`; none
//! guesses from the other files present. A summary.json without `kind`, written before the
//! field existed, is a study's.
//!
//! Numbers are written as serde_json writes them, shortest round-trip decimals, so reading a
//! summary back gives the very values written. A figure with no value (NaN) is written as
//! `null` and read back as NaN.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer, Serialize};

use super::error::ReadError;
use crate::output::OutputError;

pub const FILE: &str = "summary.json";

/// What an output directory holds, as its summary.json names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputKind {
    Study,
    Compare,
    Seeds,
    Ablation,
    Sensitivity,
    Discover,
    Blocs,
    Calibration,
}

impl OutputKind {
    pub const ALL: [OutputKind; 8] = [
        OutputKind::Study,
        OutputKind::Compare,
        OutputKind::Seeds,
        OutputKind::Ablation,
        OutputKind::Sensitivity,
        OutputKind::Discover,
        OutputKind::Blocs,
        OutputKind::Calibration,
    ];

    /// The value of `"kind"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            OutputKind::Study => "study",
            OutputKind::Compare => "compare",
            OutputKind::Seeds => "seeds",
            OutputKind::Ablation => "ablation",
            OutputKind::Sensitivity => "sensitivity",
            OutputKind::Discover => "discover",
            OutputKind::Blocs => "blocs",
            OutputKind::Calibration => "calibration",
        }
    }

    /// The command that writes this kind of directory, for messages.
    pub const fn command(self) -> &'static str {
        match self {
            OutputKind::Study => "run",
            OutputKind::Compare => "compare",
            OutputKind::Seeds => "seeds",
            OutputKind::Ablation => "ablate",
            OutputKind::Sensitivity => "sensitivity",
            OutputKind::Discover => "discover",
            OutputKind::Blocs => "blocs",
            OutputKind::Calibration => "calibrate",
        }
    }

    fn parse(text: &str) -> Option<OutputKind> {
        OutputKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// "study, compare, seeds or ablation", for messages.
    pub(crate) fn names() -> String {
        let names: Vec<&str> = OutputKind::ALL.iter().map(|k| k.as_str()).collect();
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => names.join(""),
        }
    }
}

/// A summary.json of any kind. Serialised, the kind comes first, then the kind's own fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Summary {
    Study(StudySummary),
    Compare(CompareSummary),
    Seeds(SeedsSummary),
    Ablation(AblationSummary),
    Sensitivity(SensitivitySummary),
    Discover(DiscoverSummary),
    Blocs(BlocsSummary),
    Calibration(CalibrationSummary),
}

impl Summary {
    pub fn kind(&self) -> OutputKind {
        match self {
            Summary::Study(_) => OutputKind::Study,
            Summary::Compare(_) => OutputKind::Compare,
            Summary::Seeds(_) => OutputKind::Seeds,
            Summary::Ablation(_) => OutputKind::Ablation,
            Summary::Sensitivity(_) => OutputKind::Sensitivity,
            Summary::Discover(_) => OutputKind::Discover,
            Summary::Blocs(_) => OutputKind::Blocs,
            Summary::Calibration(_) => OutputKind::Calibration,
        }
    }

    /// The text of summary.json: pretty-printed, with a final line break.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        Ok(text)
    }

    /// [`Summary::to_json`], failing as a write of summary.json into `dir` would.
    pub fn to_output(&self, dir: &Path) -> Result<String, OutputError> {
        self.to_json().map_err(|source| OutputError::Json {
            path: dir.join(FILE),
            source,
        })
    }

    /// Reads a summary.json's text; `path` names it in messages.
    pub fn from_json(text: &str, path: &Path) -> Result<Summary, ReadError> {
        let given = probe(text, path)?;
        let kind = given.unwrap_or(OutputKind::Study);
        let garbled = |e: serde_json::Error| {
            let mut message = e.to_string();
            if given.is_none() {
                message.push_str(" (it has no \"kind\", so it was read as a study's)");
            }
            ReadError::Garbled {
                path: path.to_path_buf(),
                line: e.line(),
                message,
            }
        };
        Ok(match kind {
            OutputKind::Study => {
                let study: StudySummary = serde_json::from_str(text).map_err(garbled)?;
                study.check().map_err(|(at, message)| ReadError::Garbled {
                    path: path.to_path_buf(),
                    line: at.line(text),
                    message,
                })?;
                Summary::Study(study)
            }
            OutputKind::Compare => Summary::Compare(serde_json::from_str(text).map_err(garbled)?),
            OutputKind::Seeds => Summary::Seeds(serde_json::from_str(text).map_err(garbled)?),
            OutputKind::Ablation => Summary::Ablation(serde_json::from_str(text).map_err(garbled)?),
            OutputKind::Sensitivity => {
                Summary::Sensitivity(serde_json::from_str(text).map_err(garbled)?)
            }
            OutputKind::Discover => Summary::Discover(serde_json::from_str(text).map_err(garbled)?),
            OutputKind::Blocs => Summary::Blocs(serde_json::from_str(text).map_err(garbled)?),
            OutputKind::Calibration => {
                Summary::Calibration(serde_json::from_str(text).map_err(garbled)?)
            }
        })
    }
}

/// The `kind` a summary.json's text names, `None` when it names none.
fn probe(text: &str, path: &Path) -> Result<Option<OutputKind>, ReadError> {
    #[derive(Deserialize)]
    struct KindOnly {
        kind: Option<String>,
    }
    let k: KindOnly = serde_json::from_str(text).map_err(|e| ReadError::Garbled {
        path: path.to_path_buf(),
        line: e.line(),
        message: e.to_string(),
    })?;
    match k.kind {
        None => Ok(None),
        Some(kind) => OutputKind::parse(&kind)
            .map(Some)
            .ok_or_else(|| ReadError::UnknownKind {
                path: path.to_path_buf(),
                kind,
            }),
    }
}

/// The path and text of `dir`'s summary.json, or why `dir` is not an output directory.
fn summary_text(dir: &Path) -> Result<(PathBuf, String), ReadError> {
    let not_an_output = |reason: String| ReadError::NotAnOutput {
        dir: dir.to_path_buf(),
        reason,
    };
    match fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => return Err(not_an_output("it is not a directory".into())),
        Err(e) => return Err(not_an_output(e.to_string())),
    }
    let path = dir.join(FILE);
    if !path.exists() {
        return Err(not_an_output(format!("it has no {FILE}")));
    }
    let text = fs::read_to_string(&path).map_err(|source| ReadError::Read {
        path: path.clone(),
        source,
    })?;
    Ok((path, text))
}

/// What kind of output directory `dir` is. A directory without summary.json, or whose
/// summary.json names a kind this version does not write, is refused with its reason.
pub fn read_kind(dir: &Path) -> Result<OutputKind, ReadError> {
    let (path, text) = summary_text(dir)?;
    Ok(probe(&text, &path)?.unwrap_or(OutputKind::Study))
}

/// The summary.json of `dir`, whatever its kind.
pub fn read_summary(dir: &Path) -> Result<Summary, ReadError> {
    let (path, text) = summary_text(dir)?;
    Summary::from_json(&text, &path)
}

/// The summary of `dir`, which must be of the kind `pick` takes.
fn read_as<T>(
    dir: &Path,
    expected: OutputKind,
    pick: impl FnOnce(Summary) -> Option<T>,
) -> Result<T, ReadError> {
    let summary = read_summary(dir)?;
    let found = summary.kind();
    pick(summary).ok_or_else(|| ReadError::WrongKind {
        dir: dir.to_path_buf(),
        expected,
        found,
    })
}

/// Reads a number that may be `null` (written for NaN) as NaN.
fn number<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

/// [`number`] for every element of a list.
fn numbers<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
    let values = Vec::<Option<f64>>::deserialize(d)?;
    Ok(values.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect())
}

/// The summary of a study (`influence run`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudySummary {
    pub scenario: String,
    pub scenario_sha256: String,
    pub tool: String,
    pub version: String,
    pub seed: u64,
    pub runs: u64,
    pub steps: usize,
    pub step_unit: String,
    pub start: Option<String>,
    /// The names of the alignment poles, −1 then +1.
    pub axis: [String; 2],
    /// How the quantiles were computed.
    pub quantiles: String,
    pub actors: Vec<StudyActor>,
    pub outcomes: Vec<StudyOutcome>,
    /// The scenario's uncertain inputs and their distributions; absent when it has none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<InputSummary>,
    /// How the inputs were set: `drawn` per run, or `nominal`; absent without inputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_values: Option<String>,
    /// Present only for a study grown until its intervals were narrow enough.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<UntilRule>,
    /// Worker threads; may differ between equal studies.
    pub threads: usize,
    /// Wall-clock seconds; may differ between equal studies.
    #[serde(deserialize_with = "number")]
    pub elapsed_s: f64,
}

impl StudySummary {
    /// The summary.json of `dir`, which must be a study's.
    pub fn read(dir: &Path) -> Result<StudySummary, ReadError> {
        read_as(dir, OutputKind::Study, |s| match s {
            Summary::Study(s) => Some(s),
            _ => None,
        })
    }
}

/// Where in a summary.json a problem stands, to name its line.
#[derive(Debug, Clone, PartialEq)]
pub enum At {
    /// A key of the summary itself.
    Key(&'static str),
    /// The entry of a list whose `"name"` is this.
    Named(String),
}

impl At {
    /// The 1-based line of the key or the name in `text` as written (pretty-printed: a key
    /// of the summary itself is indented by two spaces); 1 when it cannot be found.
    fn line(&self, text: &str) -> usize {
        let wanted = match self {
            At::Key(key) => format!("  \"{key}\":"),
            At::Named(name) => format!(
                "\"name\": {}",
                serde_json::to_string(name).unwrap_or_default()
            ),
        };
        text.lines()
            .position(|l| match self {
                At::Key(_) => l.starts_with(&wanted),
                At::Named(_) => l.trim_start().starts_with(&wanted),
            })
            .map_or(1, |k| k + 1)
    }
}

impl StudySummary {
    /// The figures agree with each other and lie in their ranges: at least one run, every
    /// outcome estimated from the study's runs with a probability of its hits and an
    /// interval around it, every alignment in [-1, 1] with its quantiles in order.
    pub fn check(&self) -> Result<(), (At, String)> {
        use super::check::{at_least, ordered, within};
        if self.runs == 0 {
            return Err((
                At::Key("runs"),
                "`runs` is 0; a study has at least one run".into(),
            ));
        }
        for o in &self.outcomes {
            let at = || At::Named(o.name.clone());
            if o.runs != self.runs {
                return Err((
                    At::Key("runs"),
                    format!(
                        "`runs` is {}, but outcome {:?} was estimated from {} runs",
                        self.runs, o.name, o.runs
                    ),
                ));
            }
            if o.hits > o.runs {
                return Err((
                    at(),
                    format!("outcome {:?} held in {} of {} runs", o.name, o.hits, o.runs),
                ));
            }
            let share = o.hits as f64 / o.runs as f64;
            // The summary gives figures to six decimals.
            if (o.probability - share).abs() > 1e-6 {
                return Err((
                    at(),
                    format!(
                        "outcome {:?} has probability {}, but {} hits in {} runs are {share}",
                        o.name, o.probability, o.hits, o.runs
                    ),
                ));
            }
            within("ci_low", o.ci_low, 0.0, 1.0)
                .and_then(|()| within("ci_high", o.ci_high, 0.0, 1.0))
                .and_then(|()| {
                    ordered(&[
                        ("ci_low", o.ci_low),
                        ("probability", o.probability),
                        ("ci_high", o.ci_high),
                    ])
                })
                .map_err(|e| (at(), format!("outcome {:?}: {e}", o.name)))?;
        }
        for a in &self.actors {
            let f = &a.final_alignment;
            within("initial_alignment", a.initial_alignment, -1.0, 1.0)
                .and_then(|()| within("mean", f.mean, -1.0, 1.0))
                .and_then(|()| at_least("sd", f.sd, 0.0))
                .and_then(|()| {
                    for (q, x) in [
                        ("p05", f.p05),
                        ("p25", f.p25),
                        ("p50", f.p50),
                        ("p75", f.p75),
                        ("p95", f.p95),
                    ] {
                        within(q, x, -1.0, 1.0)?;
                    }
                    ordered(&[
                        ("p05", f.p05),
                        ("p25", f.p25),
                        ("p50", f.p50),
                        ("p75", f.p75),
                        ("p95", f.p95),
                    ])
                })
                .map_err(|e| {
                    (
                        At::Named(a.name.clone()),
                        format!("actor {:?}: {e}", a.name),
                    )
                })?;
        }
        Ok(())
    }
}

/// One actor of a study: where it started and where it ended over runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudyActor {
    pub name: String,
    pub kind: String,
    #[serde(deserialize_with = "number")]
    pub initial_alignment: f64,
    pub final_alignment: AlignmentFigures,
}

/// An alignment's distribution over runs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AlignmentFigures {
    #[serde(deserialize_with = "number")]
    pub mean: f64,
    #[serde(deserialize_with = "number")]
    pub sd: f64,
    #[serde(deserialize_with = "number")]
    pub p05: f64,
    #[serde(deserialize_with = "number")]
    pub p25: f64,
    #[serde(deserialize_with = "number")]
    pub p50: f64,
    #[serde(deserialize_with = "number")]
    pub p75: f64,
    #[serde(deserialize_with = "number")]
    pub p95: f64,
}

/// One outcome of a study, with its Wilson 95% interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudyOutcome {
    pub name: String,
    #[serde(deserialize_with = "number")]
    pub probability: f64,
    #[serde(deserialize_with = "number")]
    pub ci_low: f64,
    #[serde(deserialize_with = "number")]
    pub ci_high: f64,
    pub hits: u64,
    pub runs: u64,
    /// The no-event baseline: absent when the study did not run it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub without_events: Option<WithoutEvents>,
}

/// One outcome without the scenario's events, from the same runs on the same random numbers,
/// and what the events change (probability with events minus without, Newcombe's paired
/// 95% interval).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WithoutEvents {
    #[serde(deserialize_with = "number")]
    pub probability: f64,
    #[serde(deserialize_with = "number")]
    pub ci_low: f64,
    #[serde(deserialize_with = "number")]
    pub ci_high: f64,
    #[serde(deserialize_with = "number")]
    pub change: f64,
    #[serde(deserialize_with = "number")]
    pub change_low: f64,
    #[serde(deserialize_with = "number")]
    pub change_high: f64,
}

/// The stopping rule of a study grown block by block (`influence run --until-ci`): what was
/// asked and whether it was met.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UntilRule {
    /// Target: largest half-width of every outcome's 95% interval.
    #[serde(deserialize_with = "number")]
    pub half_width: f64,
    /// Runs added at a time.
    pub block: u64,
    /// The cap on runs.
    pub max_runs: u64,
    /// Whether every interval reached the target before the cap.
    pub met: bool,
    /// The widest outcome interval's half-width at the end; NaN when there was no block.
    #[serde(deserialize_with = "number")]
    pub widest_half_width: f64,
}

/// The summary of a comparison of two scenarios on common random numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareSummary {
    pub tool: String,
    pub version: String,
    pub base: CompareSide,
    pub variant: CompareSide,
    pub seed: u64,
    /// Paired runs: each scenario ran this many.
    pub runs: u64,
    pub steps: usize,
    pub step_unit: String,
    pub start: Option<String>,
    pub axis: [String; 2],
    pub actors: Vec<CompareActor>,
    pub outcomes: Vec<CompareOutcome>,
    pub outcomes_only_in_base: Vec<String>,
    pub outcomes_only_in_variant: Vec<String>,
    pub threads: usize,
    #[serde(deserialize_with = "number")]
    pub elapsed_s: f64,
}

impl CompareSummary {
    /// The summary.json of `dir`, which must be a comparison's.
    pub fn read(dir: &Path) -> Result<CompareSummary, ReadError> {
        read_as(dir, OutputKind::Compare, |s| match s {
            Summary::Compare(s) => Some(s),
            _ => None,
        })
    }
}

/// One of the two scenarios of a comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareSide {
    pub scenario: String,
    pub scenario_sha256: String,
    /// The file it was read from, as the user gave it.
    pub file: String,
    /// The short name charts and tables use.
    pub label: String,
}

/// The final step of diff_alignment.csv, with the figures that say what the pairing bought.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareActor {
    pub name: String,
    #[serde(deserialize_with = "number")]
    pub base_final_mean: f64,
    #[serde(deserialize_with = "number")]
    pub variant_final_mean: f64,
    #[serde(deserialize_with = "number")]
    pub mean_diff: f64,
    #[serde(deserialize_with = "number")]
    pub ci_low: f64,
    #[serde(deserialize_with = "number")]
    pub ci_high: f64,
    #[serde(deserialize_with = "number")]
    pub p_variant_higher: f64,
    #[serde(deserialize_with = "number")]
    pub p_identical: f64,
    /// Half-width of the 95% interval two independent batches of the same size would give.
    #[serde(deserialize_with = "number")]
    pub independent_ci_half_width: f64,
    #[serde(deserialize_with = "number")]
    pub paired_ci_half_width: f64,
    /// independent / paired width; `None` (null) when the paired difference is exactly zero.
    pub narrowing: Option<f64>,
}

/// One outcome both scenarios define.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareOutcome {
    pub name: String,
    #[serde(deserialize_with = "number")]
    pub p_base: f64,
    #[serde(deserialize_with = "number")]
    pub p_variant: f64,
    #[serde(deserialize_with = "number")]
    pub diff: f64,
    #[serde(deserialize_with = "number")]
    pub ci_low: f64,
    #[serde(deserialize_with = "number")]
    pub ci_high: f64,
    #[serde(deserialize_with = "number")]
    pub independent_ci_low: f64,
    #[serde(deserialize_with = "number")]
    pub independent_ci_high: f64,
    pub narrowing: Option<f64>,
}

/// The summary of a study run under several master seeds (`influence seeds`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeedsSummary {
    pub scenario: String,
    pub scenario_sha256: String,
    pub tool: String,
    pub version: String,
    pub seeds: Vec<u64>,
    /// Runs of each study.
    pub runs: u64,
    pub steps: usize,
    pub verdict_rule: String,
    pub figures: Vec<SeedFigure>,
    pub threads: usize,
    #[serde(deserialize_with = "number")]
    pub elapsed_s: f64,
}

impl SeedsSummary {
    /// The summary.json of `dir`, which must be a seeds study's.
    pub fn read(dir: &Path) -> Result<SeedsSummary, ReadError> {
        read_as(dir, OutputKind::Seeds, |s| match s {
            Summary::Seeds(s) => Some(s),
            _ => None,
        })
    }
}

/// One figure under every seed, with its spread and verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeedFigure {
    /// `outcome` or `final_median`.
    pub figure: String,
    pub name: String,
    /// One value per seed, in the order of `seeds`.
    #[serde(deserialize_with = "numbers")]
    pub values: Vec<f64>,
    #[serde(deserialize_with = "number")]
    pub mean: f64,
    #[serde(deserialize_with = "number")]
    pub sd_between: f64,
    #[serde(deserialize_with = "number")]
    pub claimed_se: f64,
    /// `null` (NaN) when no error is claimed.
    #[serde(deserialize_with = "number")]
    pub ratio: f64,
    pub verdict: String,
}

/// The summary of an event ablation (`influence ablate`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AblationSummary {
    pub tool: String,
    pub version: String,
    pub scenario: String,
    pub scenario_sha256: String,
    pub seed: u64,
    /// Paired runs per event: the full scenario and the one without the event each ran this
    /// many.
    pub runs: u64,
    pub events: usize,
    pub steps: usize,
    pub threads: usize,
    #[serde(deserialize_with = "number")]
    pub elapsed_s: f64,
}

impl AblationSummary {
    /// The summary.json of `dir`, which must be an ablation's.
    pub fn read(dir: &Path) -> Result<AblationSummary, ReadError> {
        read_as(dir, OutputKind::Ablation, |s| match s {
            Summary::Ablation(s) => Some(s),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "01f978921423669d3f769da1c1d03b5ca60657a8222420493c8fb8fe8f364d53";

    fn study(until: Option<UntilRule>) -> StudySummary {
        StudySummary {
            scenario: "Tiny, with a comma".into(),
            scenario_sha256: SHA.into(),
            tool: "influence".into(),
            version: "0.1.0".into(),
            seed: 42,
            runs: 300,
            steps: 26,
            step_unit: "week".into(),
            start: Some("2025-04-28".into()),
            axis: ["East".into(), "West \"quoted\"".into()],
            quantiles: "histogram, bin width 0.001, error below 0.001".into(),
            inputs: Vec::new(),
            input_values: None,
            actors: vec![StudyActor {
                name: "A".into(),
                kind: "state".into(),
                initial_alignment: -0.3,
                final_alignment: AlignmentFigures {
                    mean: -0.123457,
                    sd: 0.1,
                    p05: -0.3,
                    p25: -0.2,
                    p50: -0.1,
                    p75: 0.0,
                    p95: 0.7,
                },
            }],
            outcomes: vec![StudyOutcome {
                name: "A leans west".into(),
                probability: 0.333333,
                ci_low: 0.282352,
                ci_high: 0.388522,
                hits: 100,
                without_events: None,
                runs: 300,
            }],
            until,
            threads: 2,
            elapsed_s: 0.015625,
        }
    }

    fn compare() -> CompareSummary {
        let side = |label: &str| CompareSide {
            scenario: format!("The {label}"),
            scenario_sha256: SHA.into(),
            file: format!("scenarios/{label}.toml"),
            label: label.into(),
        };
        CompareSummary {
            tool: "influence".into(),
            version: "0.1.0".into(),
            base: side("base"),
            variant: side("variant"),
            seed: 7,
            runs: 1000,
            steps: 12,
            step_unit: "month".into(),
            start: None,
            axis: ["East".into(), "West".into()],
            actors: vec![CompareActor {
                name: "A".into(),
                base_final_mean: 0.1,
                variant_final_mean: 0.2,
                mean_diff: 0.1,
                ci_low: 0.09,
                ci_high: 0.11,
                p_variant_higher: 0.75,
                p_identical: 0.0,
                independent_ci_half_width: 0.05,
                paired_ci_half_width: 0.01,
                narrowing: Some(5.0),
            }],
            outcomes: vec![CompareOutcome {
                name: "A leans west".into(),
                p_base: 0.5,
                p_variant: 0.5,
                diff: 0.0,
                ci_low: 0.0,
                ci_high: 0.0,
                independent_ci_low: -0.04,
                independent_ci_high: 0.04,
                narrowing: None,
            }],
            outcomes_only_in_base: vec!["B holds".into()],
            outcomes_only_in_variant: Vec::new(),
            threads: 1,
            elapsed_s: 1.5,
        }
    }

    fn seeds() -> SeedsSummary {
        SeedsSummary {
            scenario: "Tiny".into(),
            scenario_sha256: SHA.into(),
            tool: "influence".into(),
            version: "0.1.0".into(),
            seeds: vec![1, 2, u64::MAX],
            runs: 300,
            steps: 26,
            verdict_rule: "consistent when sd_between <= 1.5 * claimed_se".into(),
            figures: vec![SeedFigure {
                figure: "outcome".into(),
                name: "A leans west".into(),
                values: vec![0.25, 0.5, 0.75],
                mean: 0.5,
                sd_between: 0.25,
                claimed_se: 0.03,
                ratio: 8.333333,
                verdict: "wider than claimed".into(),
            }],
            threads: 2,
            elapsed_s: 3.25,
        }
    }

    fn ablation() -> AblationSummary {
        AblationSummary {
            tool: "influence".into(),
            version: "0.1.0".into(),
            scenario: "Tiny".into(),
            scenario_sha256: SHA.into(),
            seed: 42,
            runs: 200,
            events: 3,
            steps: 26,
            threads: 1,
            elapsed_s: 0.5,
        }
    }

    fn every_kind() -> Vec<Summary> {
        let rule = UntilRule {
            half_width: 0.05,
            block: 200,
            max_runs: 100_000,
            met: true,
            widest_half_width: 0.049,
        };
        vec![
            Summary::Study(study(None)),
            Summary::Study(study(Some(rule))),
            Summary::Compare(compare()),
            Summary::Seeds(seeds()),
            Summary::Ablation(ablation()),
            Summary::Calibration(calibration()),
        ]
    }

    fn calibration() -> CalibrationSummary {
        CalibrationSummary {
            scenario: "s".into(),
            scenario_sha256: "ab".repeat(32),
            tool: "influence".into(),
            version: "0.1.0".into(),
            method: "rejection+smc".into(),
            samples: 512,
            rounds: 1,
            runs_per_point: 20,
            keep: 51,
            seed: 3,
            hold_out_after: Some(10),
            observations_fitted: 5,
            observations_held_out: 4,
            tolerance: 1.25,
            effective_sample_size: 40.5,
            inputs: Vec::new(),
            held_out: Some(SkillSummary {
                signs: 1,
                prior_brier: 0.25,
                posterior_brier: 0.125,
                values: 2,
                prior_rmse_sd: 2.5,
                posterior_rmse_sd: 1.25,
            }),
            threads: 2,
            elapsed_s: 0.5,
        }
    }

    fn write(dir: &Path, summary: &Summary) {
        fs::write(dir.join(FILE), summary.to_json().unwrap()).unwrap();
    }

    #[test]
    fn every_kind_comes_back_as_written() {
        for summary in every_kind() {
            let tmp = tempfile::tempdir().unwrap();
            write(tmp.path(), &summary);
            assert_eq!(read_summary(tmp.path()).unwrap(), summary);
            assert_eq!(read_kind(tmp.path()).unwrap(), summary.kind());
            // And through the reader of its own kind.
            let dir = tmp.path();
            match &summary {
                Summary::Study(s) => assert_eq!(&StudySummary::read(dir).unwrap(), s),
                Summary::Compare(s) => assert_eq!(&CompareSummary::read(dir).unwrap(), s),
                Summary::Seeds(s) => assert_eq!(&SeedsSummary::read(dir).unwrap(), s),
                Summary::Ablation(s) => assert_eq!(&AblationSummary::read(dir).unwrap(), s),
                Summary::Sensitivity(_)
                | Summary::Discover(_)
                | Summary::Blocs(_)
                | Summary::Calibration(_) => {}
            }
        }
    }

    #[test]
    fn the_kind_is_the_first_field_and_names_the_kind() {
        let expected = [
            "study",
            "study",
            "compare",
            "seeds",
            "ablation",
            "calibration",
        ];
        for (summary, name) in every_kind().iter().zip(expected) {
            let text = summary.to_json().unwrap();
            assert!(
                text.starts_with(&format!("{{\n  \"kind\": \"{name}\",\n")),
                "{text}"
            );
            assert!(text.ends_with("}\n"));
            assert_eq!(summary.kind().as_str(), name);
        }
        // `until` is written only for a grown study.
        let plain = Summary::Study(study(None)).to_json().unwrap();
        assert!(!plain.contains("until"));
    }

    #[test]
    fn a_summary_without_kind_is_a_study() {
        let tmp = tempfile::tempdir().unwrap();
        let summary = Summary::Study(study(None));
        let text = summary.to_json().unwrap();
        let old = text.replacen("  \"kind\": \"study\",\n", "", 1);
        assert_ne!(old, text);
        fs::write(tmp.path().join(FILE), &old).unwrap();
        assert_eq!(read_kind(tmp.path()).unwrap(), OutputKind::Study);
        assert_eq!(read_summary(tmp.path()).unwrap(), summary);

        // A seeds summary without its kind is not a study's, and the message says why it
        // was read as one.
        let seeds = Summary::Seeds(seeds()).to_json().unwrap();
        let old = seeds.replacen("  \"kind\": \"seeds\",\n", "", 1);
        fs::write(tmp.path().join(FILE), &old).unwrap();
        let err = read_summary(tmp.path()).unwrap_err().to_string();
        assert!(err.contains("missing field"), "{err}");
        assert!(err.contains("read as a study's"), "{err}");
    }

    #[test]
    fn directories_that_are_no_output_are_refused_with_the_reason() {
        let tmp = tempfile::tempdir().unwrap();
        let err = read_kind(tmp.path()).unwrap_err();
        assert!(matches!(err, ReadError::NotAnOutput { .. }));
        assert!(err.to_string().contains("it has no summary.json"), "{err}");

        let missing = tmp.path().join("nowhere");
        let err = read_kind(&missing).unwrap_err();
        assert!(matches!(err, ReadError::NotAnOutput { .. }), "{err}");

        let file = tmp.path().join("file");
        fs::write(&file, "x").unwrap();
        let err = read_kind(&file).unwrap_err().to_string();
        assert!(err.contains("it is not a directory"), "{err}");

        fs::write(tmp.path().join(FILE), "{\"kind\": \"merge\"}").unwrap();
        let err = read_kind(tmp.path()).unwrap_err();
        assert!(matches!(&err, ReadError::UnknownKind { kind, .. } if kind == "merge"));
        assert!(
            err.to_string()
                .contains("\"merge\" (this version writes study, compare, seeds, ablation, sensitivity, discover, blocs or calibration)"),
            "{err}"
        );

        fs::write(tmp.path().join(FILE), "{\n\"kind\": 3}").unwrap();
        let err = read_kind(tmp.path()).unwrap_err().to_string();
        assert!(err.contains("summary.json:2:"), "{err}");
    }

    #[test]
    fn a_reader_of_one_kind_refuses_another() {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), &Summary::Compare(compare()));
        let err = StudySummary::read(tmp.path()).unwrap_err();
        assert!(matches!(
            err,
            ReadError::WrongKind {
                expected: OutputKind::Study,
                found: OutputKind::Compare,
                ..
            }
        ));
        assert!(
            err.to_string()
                .contains("is the output of `influence compare`, not of `influence run`"),
            "{err}"
        );
    }

    #[test]
    fn numbers_without_value_are_written_null_and_read_back_nan() {
        let mut s = seeds();
        s.figures[0].ratio = f64::NAN;
        s.figures[0].values[1] = f64::NAN;
        let text = Summary::Seeds(s).to_json().unwrap();
        assert!(text.contains("\"ratio\": null"), "{text}");
        let back = Summary::from_json(&text, Path::new(FILE)).unwrap();
        let Summary::Seeds(back) = back else {
            panic!("read back as another kind");
        };
        assert!(back.figures[0].ratio.is_nan());
        assert!(back.figures[0].values[1].is_nan());
        assert_eq!(back.figures[0].values[2], 0.75);
    }

    #[test]
    fn kind_names_match_their_serde_names() {
        for kind in OutputKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(OutputKind::parse(kind.as_str()), Some(kind));
        }
    }
}

/// An uncertain input as a summary lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputSummary {
    pub name: String,
    /// `uniform(L, H)` or `triangular(L, M, H)`.
    pub distribution: String,
    pub low: f64,
    pub high: f64,
    pub nominal: f64,
}

/// The inputs that matter most for one measure, by total (Sobol) or μ* (Morris) index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopInputs {
    pub measure: String,
    pub name: String,
    /// Input names, most influential first.
    pub inputs: Vec<String>,
    #[serde(deserialize_with = "numbers")]
    pub index: Vec<f64>,
}

/// summary.json of `influence sensitivity`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivitySummary {
    pub scenario: String,
    pub scenario_sha256: String,
    pub tool: String,
    pub version: String,
    /// `sobol` or `morris`.
    pub method: String,
    /// Base rows (Sobol) or trajectories (Morris).
    pub samples: u64,
    /// Design points, and runs at each on common random numbers.
    pub points: u64,
    pub runs_per_point: u64,
    pub seed: u64,
    pub bootstrap: usize,
    pub inputs: Vec<InputSummary>,
    pub top: Vec<TopInputs>,
    pub threads: usize,
    #[serde(deserialize_with = "number")]
    pub elapsed_s: f64,
}

impl SensitivitySummary {
    /// The summary.json of `dir`, which must be a sensitivity study's.
    pub fn read(dir: &Path) -> Result<SensitivitySummary, ReadError> {
        read_as(dir, OutputKind::Sensitivity, |s| match s {
            Summary::Sensitivity(s) => Some(s),
            _ => None,
        })
    }
}

/// One restricted input of the box PRIM chose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoxLimit {
    pub input: String,
    #[serde(deserialize_with = "number")]
    pub low: f64,
    #[serde(deserialize_with = "number")]
    pub high: f64,
}

/// summary.json of `influence calibrate`: how the calibration was made, and how well the
/// prior and the posterior predict what was held out of the fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationSummary {
    pub scenario: String,
    pub scenario_sha256: String,
    pub tool: String,
    pub version: String,
    /// `rejection` (the closest points of the design, weighted by likelihood) or
    /// `rejection+smc` (then rounds of sequential Monte Carlo ABC).
    pub method: String,
    /// Design points, each run `runs_per_point` times; each round simulates as many again.
    pub samples: u64,
    pub rounds: u32,
    pub runs_per_point: u64,
    /// Points kept.
    pub keep: u64,
    pub seed: u64,
    /// Observations after this step were held out of the fit and scored.
    pub hold_out_after: Option<u64>,
    pub observations_fitted: usize,
    pub observations_held_out: usize,
    /// The largest distance kept (the tolerance ε).
    #[serde(deserialize_with = "number")]
    pub tolerance: f64,
    /// 1 / Σ w² of the posterior's weights.
    #[serde(deserialize_with = "number")]
    pub effective_sample_size: f64,
    pub inputs: Vec<InputSummary>,
    /// Scores of the held-out observations; absent without `--hold-out-after`.
    pub held_out: Option<SkillSummary>,
    pub threads: usize,
    #[serde(deserialize_with = "number")]
    pub elapsed_s: f64,
}

/// Scores of held-out observations under the prior and the posterior; lower is better.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillSummary {
    /// Observed signs scored, and their mean Brier score (null when none).
    pub signs: usize,
    #[serde(deserialize_with = "number")]
    pub prior_brier: f64,
    #[serde(deserialize_with = "number")]
    pub posterior_brier: f64,
    /// Observed values scored, and the root mean square of (mean − value)/sd.
    pub values: usize,
    #[serde(deserialize_with = "number")]
    pub prior_rmse_sd: f64,
    #[serde(deserialize_with = "number")]
    pub posterior_rmse_sd: f64,
}

/// summary.json of `influence blocs`: the landscape of the scenario's start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlocsSummary {
    pub scenario: String,
    pub scenario_sha256: String,
    pub tool: String,
    pub version: String,
    pub actors: usize,
    /// Whether every split was a start (up to 20 actors) or the starts were sampled.
    pub exact: bool,
    pub starts: u64,
    /// Local minima found (the rows of blocs_start.csv).
    pub minima: usize,
    /// The global minimum: each bloc's members joined by `;`, the first actor's bloc first.
    pub bloc_a: String,
    pub bloc_b: String,
    #[serde(deserialize_with = "number")]
    pub energy: f64,
    #[serde(deserialize_with = "number")]
    pub basin_share: f64,
    /// What the landscape says, in a sentence.
    pub sentence: String,
    pub threads: usize,
    #[serde(deserialize_with = "number")]
    pub elapsed_s: f64,
}

/// summary.json of `influence discover`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiscoverSummary {
    pub scenario: String,
    pub scenario_sha256: String,
    pub tool: String,
    pub version: String,
    pub outcome: String,
    pub runs: u64,
    pub seed: u64,
    pub inputs: Vec<InputSummary>,
    /// Share of all runs where the outcome holds.
    #[serde(deserialize_with = "number")]
    pub base_rate: f64,
    /// The rule that chose the box, in words.
    pub rule: String,
    /// Index of the chosen box on the trajectory (as in boxes.csv), if any.
    pub chosen: Option<usize>,
    #[serde(deserialize_with = "number")]
    pub coverage: f64,
    #[serde(deserialize_with = "number")]
    pub density: f64,
    #[serde(deserialize_with = "number")]
    pub mass: f64,
    pub limits: Vec<BoxLimit>,
    pub sentence: String,
    pub threads: usize,
    #[serde(deserialize_with = "number")]
    pub elapsed_s: f64,
}

impl CalibrationSummary {
    /// The summary.json of `dir`, which must be a calibration's.
    pub fn read(dir: &Path) -> Result<CalibrationSummary, ReadError> {
        read_as(dir, OutputKind::Calibration, |s| match s {
            Summary::Calibration(s) => Some(s),
            _ => None,
        })
    }
}

impl DiscoverSummary {
    /// The summary.json of `dir`, which must be a discovery's.
    pub fn read(dir: &Path) -> Result<DiscoverSummary, ReadError> {
        read_as(dir, OutputKind::Discover, |s| match s {
            Summary::Discover(s) => Some(s),
            _ => None,
        })
    }
}
