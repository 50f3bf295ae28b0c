//! `influence sensitivity`: which guesses drive an answer (MODEL.md, "Sensitivity").
//!
//! The scenario's uncertain inputs span a design (Saltelli's for Sobol' indices, Morris's
//! trajectories for elementary effects) mapped from the unit cube through each input's
//! inverse CDF. Every design point is simulated with R runs on common random numbers: run r
//! at every point draws the same events and noise, so only the inputs differ. The measures
//! are each outcome's probability and each actor's mean final alignment at each point; the
//! indices come from `analysis::sensitivity`.

use std::ops::Range;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use super::shard::{PartHead, ShardError, write_part};
use super::{Finished, OutputRequest, staged};
use crate::analysis::ablation::Measure as MeasureKind;
use crate::analysis::sensitivity::morris::{
    DEFAULT_LEVELS, MorrisDesign, MorrisIndex, morris_indices,
};
use crate::analysis::sensitivity::points::PointTally;
use crate::analysis::sensitivity::sobol::{
    Matrix, SaltelliDesign, SobolIndex, sobol_indices_in_design_order,
};
use crate::analysis::sensitivity::{DEFAULT_BOOTSTRAP, SensitivityError as MathError};
use crate::montecarlo::driver::{DriverError, execute};
use crate::montecarlo::plan::{InputPlan, RunPlan, Shard};
use crate::montecarlo::tally::Tallied;
use crate::output::OutputError;
use crate::output::charts::ChartError;
use crate::output::charts::sensitivity as sensitivity_charts;
use crate::output::sensitivity::write_sensitivity;
use crate::scenario::Scenario;

/// Which indices to estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Sobol,
    Morris,
}

impl Method {
    /// The method named `text` as [`Method::as_str`] writes it.
    pub fn parse(text: &str) -> Option<Method> {
        [Method::Sobol, Method::Morris]
            .into_iter()
            .find(|m| m.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Sobol => "sobol",
            Method::Morris => "morris",
        }
    }
}

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct SensitivityRequest {
    pub method: Method,
    /// Base rows N (Sobol: N (D + 2) points) or trajectories r (Morris: r (D + 1) points).
    pub samples: u64,
    /// Runs at each design point.
    pub runs: u64,
    pub seed: u64,
    pub bootstrap: usize,
    pub output: OutputRequest,
}

impl SensitivityRequest {
    pub fn new(method: Method, samples: u64, runs: u64, seed: u64, output: OutputRequest) -> Self {
        SensitivityRequest {
            method,
            samples,
            runs,
            seed,
            bootstrap: DEFAULT_BOOTSTRAP,
            output,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SensitivityError {
    #[error(
        "{0} has no uncertain inputs, so there is nothing to vary: give some of its numbers as \
         ranges, such as trust = {{ low = 0.4, high = 0.7 }} (docs/scenario-format.md, \
         \"Uncertain inputs\")"
    )]
    NoInputs(String),
    #[error("{0}")]
    BadRequest(String),
    #[error(transparent)]
    Design(#[from] MathError),
    #[error(transparent)]
    Driver(#[from] DriverError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Charts(#[from] ChartError),
    #[error(transparent)]
    Part(#[from] ShardError),
}

impl SensitivityError {
    pub fn is_bad_input(&self) -> bool {
        match self {
            SensitivityError::NoInputs(_) | SensitivityError::BadRequest(_) => true,
            SensitivityError::Part(e) => e.is_bad_input(),
            _ => false,
        }
    }
}

/// A measure of the study: an outcome's probability or an actor's mean final alignment, its
/// name, its value at every design point.
#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    pub kind: MeasureKind,
    pub name: String,
    pub values: Vec<f64>,
}

/// The indices of one measure.
#[derive(Debug, Clone, PartialEq)]
pub enum Indices {
    /// Per input; `None` when the measure does not vary over the design (V = 0).
    Sobol(Option<Vec<SobolIndex>>),
    Morris(Vec<MorrisIndex>),
}

/// One design point: where it stands in the design, and its inputs' values.
#[derive(Debug, Clone, PartialEq)]
pub struct DesignPoint {
    /// `A`, `B`, `AB:<input>` (Sobol) or `trajectory` (Morris).
    pub matrix: String,
    /// The base row (Sobol) or the trajectory (Morris).
    pub row: u64,
    pub values: Vec<f64>,
}

/// What a sensitivity study computed.
#[derive(Debug, Clone)]
pub struct Sensitivity {
    pub method: Method,
    pub samples: u64,
    pub runs_per_point: u64,
    pub points: Vec<DesignPoint>,
    pub measures: Vec<Measure>,
    pub indices: Vec<Indices>,
}

impl Sensitivity {
    /// For each measure, the inputs by decreasing influence (total index, or μ*) with it.
    pub fn ranking(&self, m: usize) -> Vec<(usize, f64)> {
        let mut r: Vec<(usize, f64)> = match &self.indices[m] {
            Indices::Sobol(Some(ix)) => ix.iter().map(|i| i.total).enumerate().collect(),
            Indices::Sobol(None) => Vec::new(),
            Indices::Morris(ix) => ix.iter().map(|i| i.mu_star).enumerate().collect(),
        };
        r.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        r
    }
}

/// A finished sensitivity study.
pub type SensitivityReport = Finished<Sensitivity>;

/// The most design points a study may have: beyond, the per-point tallies alone would be
/// hundreds of megabytes.
pub const MAX_POINTS: u64 = 2_000_000;

/// The design points of a request over `sc`'s inputs, in the unit cube mapped to values.
pub fn design(
    sc: &Scenario,
    req: &SensitivityRequest,
) -> Result<Vec<DesignPoint>, SensitivityError> {
    let d = sc.inputs.len();
    let mut unit = vec![0.0; d];
    let to_values = |unit: &[f64]| -> Vec<f64> {
        sc.inputs
            .iter()
            .zip(unit)
            .map(|(i, &u)| i.distribution.quantile(u))
            .collect()
    };
    let mut points = Vec::new();
    match req.method {
        Method::Sobol => {
            let design = SaltelliDesign::new(req.samples, d, Some(req.seed))?;
            for p in 0..design.len() {
                let (row, matrix) = design.point(p, &mut unit)?;
                let matrix = match matrix {
                    Matrix::A => "A".to_string(),
                    Matrix::B => "B".to_string(),
                    Matrix::AB(i) => format!("AB:{}", sc.inputs[i].name),
                };
                points.push(DesignPoint {
                    matrix,
                    row,
                    values: to_values(&unit),
                });
            }
        }
        Method::Morris => {
            let trajectories = usize::try_from(req.samples).unwrap_or(usize::MAX);
            let design = MorrisDesign::new(d, trajectories, DEFAULT_LEVELS, req.seed)?;
            for p in 0..design.len() {
                design.point(p, &mut unit)?;
                points.push(DesignPoint {
                    matrix: "trajectory".into(),
                    row: (p / (d + 1)) as u64,
                    values: to_values(&unit),
                });
            }
        }
    }
    Ok(points)
}

/// Checks a request before anything runs.
pub fn check_request(sc: &Scenario, req: &SensitivityRequest) -> Result<u64, SensitivityError> {
    if sc.inputs.is_empty() {
        return Err(SensitivityError::NoInputs(format!(
            "scenario \"{}\"",
            sc.name
        )));
    }
    let d = sc.inputs.len() as u64;
    let per = match req.method {
        Method::Sobol => d + 2,
        Method::Morris => d + 1,
    };
    if req.samples < 2 || req.runs == 0 {
        return Err(SensitivityError::BadRequest(
            "--samples must be at least 2 and --runs at least 1".into(),
        ));
    }
    let points = req.samples.saturating_mul(per);
    if points > MAX_POINTS {
        return Err(SensitivityError::BadRequest(format!(
            "{} samples of {d} inputs make {points} design points, more than the {MAX_POINTS} \
             this version holds; lower --samples",
            req.samples
        )));
    }
    Ok(points)
}

/// The plan name of a design's runs: everything besides scenario and seed that must agree
/// for two tallies to hold runs of one design.
fn plan_name(req: &SensitivityRequest) -> String {
    format!(
        "sensitivity;{};samples={};runs={}",
        req.method.as_str(),
        req.samples,
        req.runs
    )
}

/// The runs `runs` of the design `points`: run k evaluates point k / R.
fn design_plan<'a>(
    sc: &'a Scenario,
    req: &SensitivityRequest,
    points: &[DesignPoint],
    runs: Range<u64>,
) -> RunPlan<'a> {
    let flat: Vec<f64> = points
        .iter()
        .flat_map(|p| p.values.iter().copied())
        .collect();
    RunPlan::single(sc, req.seed, runs).with_inputs(InputPlan::Design {
        points: flat,
        inputs: sc.inputs.len(),
        runs_per_point: req.runs,
    })
}

/// The measures and indices of a design from the tally of all its points: what an
/// unsharded study computes, and what a merge of its shards computes from their tallies.
pub fn analyse(
    sc: &Scenario,
    req: &SensitivityRequest,
    points: Vec<DesignPoint>,
    tally: &PointTally,
) -> Result<Sensitivity, SensitivityError> {
    if tally.points() != (0..points.len()) {
        return Err(SensitivityError::BadRequest(format!(
            "the tallies hold design points {}..{}, not all {} of the design",
            tally.points().start,
            tally.points().end,
            points.len()
        )));
    }
    let d = sc.inputs.len();
    let mut measures = Vec::new();
    for (o, outcome) in sc.outcomes.iter().enumerate() {
        measures.push(Measure {
            kind: MeasureKind::Outcome,
            name: outcome.name.clone(),
            values: tally.outcome(o),
        });
    }
    for (i, actor) in sc.actors.iter().enumerate() {
        measures.push(Measure {
            kind: MeasureKind::FinalAlignment,
            name: actor.name.clone(),
            values: tally.final_alignment(i),
        });
    }
    let mut indices = Vec::new();
    for m in &measures {
        indices.push(match req.method {
            Method::Sobol => {
                let design = SaltelliDesign::new(req.samples, d, Some(req.seed))?;
                Indices::Sobol(sobol_indices_in_design_order(
                    &design,
                    &m.values,
                    req.bootstrap,
                    req.seed,
                )?)
            }
            Method::Morris => {
                let trajectories = usize::try_from(req.samples).unwrap_or(usize::MAX);
                let design = MorrisDesign::new(d, trajectories, DEFAULT_LEVELS, req.seed)?;
                Indices::Morris(morris_indices(&design, &m.values, req.bootstrap, req.seed)?)
            }
        });
    }
    Ok(Sensitivity {
        method: req.method,
        samples: req.samples,
        runs_per_point: req.runs,
        points,
        measures,
        indices,
    })
}

/// Writes the directory of a finished design, charts included (see [`staged`]).
pub fn write_study(
    sc: &Scenario,
    scenario_text: &str,
    req: &SensitivityRequest,
    pool: &rayon::ThreadPool,
    simulate: impl FnOnce() -> Result<Sensitivity, SensitivityError>,
    meta: Option<crate::output::StudyMeta>,
) -> Result<SensitivityReport, SensitivityError> {
    let write = |dir: &Path, s: &Sensitivity, own: &crate::output::StudyMeta| {
        let meta = meta.as_ref().unwrap_or(own);
        write_sensitivity(dir, sc, scenario_text, s, req.seed, req.bootstrap, meta)?;
        Ok::<(), SensitivityError>(())
    };
    let report = staged(
        &req.output,
        pool,
        simulate,
        write,
        sensitivity_charts::render,
    )?;
    Ok(match meta {
        Some(m) => Finished {
            threads: m.threads,
            elapsed_s: m.elapsed_s,
            ..report
        },
        None => report,
    })
}

/// Runs the design and writes its directory (see [`staged`]).
pub fn run_sensitivity(
    sc: &Scenario,
    scenario_text: &str,
    req: &SensitivityRequest,
    pool: &rayon::ThreadPool,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<SensitivityReport, SensitivityError> {
    check_request(sc, req)?;
    let simulate = || -> Result<Sensitivity, SensitivityError> {
        let points = design(sc, req)?;
        let total = (points.len() as u64).saturating_mul(req.runs);
        let plan = design_plan(sc, req, &points, 0..total);
        let n_points = points.len();
        let done = execute(
            &plan,
            &plan_name(req),
            pool,
            &|| PointTally::new(sc, n_points, req.runs),
            false,
            progress,
            cancel,
        )?;
        analyse(sc, req, points, &done.tallied.tally)
    };
    write_study(sc, scenario_text, req, pool, simulate, None)
}

/// The `command` of a sensitivity study's parts.
pub const PART_COMMAND: &str = "sensitivity";

/// A partial directory's part.json for `influence sensitivity --shard K/N`: what the design
/// is, and the tallies of the shard's points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivityPart {
    /// `part`, as every part.json says first (see [`PartHead`]).
    pub kind: String,
    pub format: u32,
    /// [`PART_COMMAND`].
    pub command: String,
    pub shard: Shard,
    /// `sobol` or `morris`.
    pub method: String,
    /// Base rows (Sobol) or trajectories (Morris).
    pub samples: u64,
    /// Runs at each design point.
    pub runs: u64,
    pub seed: u64,
    pub bootstrap: usize,
    /// Design points of the whole study.
    pub points: u64,
    /// The points this shard simulated, `points_start..points_end`.
    pub points_start: u64,
    pub points_end: u64,
    pub threads: usize,
    pub elapsed_s: f64,
    pub tallied: Tallied<PointTally>,
}

impl SensitivityPart {
    /// The request the part belongs to, writing to `output`.
    pub fn request(&self, output: OutputRequest) -> Option<SensitivityRequest> {
        let method = Method::parse(&self.method)?;
        Some(SensitivityRequest {
            method,
            samples: self.samples,
            runs: self.runs,
            seed: self.seed,
            bootstrap: self.bootstrap,
            output,
        })
    }
}

/// Which design points and runs a shard of a sensitivity study simulated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardShare {
    pub shard: Shard,
    /// Design points of the whole study.
    pub points: u64,
    /// The shard's points, a contiguous range.
    pub share: Range<u64>,
    /// The run indices of those points.
    pub runs: Range<u64>,
}

/// The share of shard `shard` of a design of `points` points run `runs_per_point` times
/// each: contiguous points, as even as can be, so that a point's runs are never split.
pub fn shard_share(shard: Shard, points: u64, runs_per_point: u64) -> ShardShare {
    let share = shard.runs(&(0..points));
    let runs = share.start.saturating_mul(runs_per_point)..share.end.saturating_mul(runs_per_point);
    ShardShare {
        shard,
        points,
        share,
        runs,
    }
}

/// Simulates one shard of a sensitivity study and writes its partial directory for
/// `influence merge`; no indices are computed and no charts drawn.
pub fn run_sensitivity_shard(
    sc: &Scenario,
    scenario_text: &str,
    req: &SensitivityRequest,
    shard: Shard,
    pool: &rayon::ThreadPool,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<Finished<ShardShare>, SensitivityError> {
    let total = check_request(sc, req)?;
    let share = shard_share(shard, total, req.runs);
    let output = OutputRequest {
        charts: false,
        ..req.output.clone()
    };
    let simulate = || -> Result<Tallied<PointTally>, SensitivityError> {
        let points = design(sc, req)?;
        let plan = design_plan(sc, req, &points, share.runs.clone());
        let range = usize::try_from(share.share.start).unwrap_or(usize::MAX)
            ..usize::try_from(share.share.end).unwrap_or(usize::MAX);
        let done = execute(
            &plan,
            &plan_name(req),
            pool,
            &|| PointTally::range(sc, range.clone(), req.runs),
            false,
            progress,
            cancel,
        )?;
        Ok(done.tallied)
    };
    let write = |dir: &Path, tallied: &Tallied<PointTally>, meta: &crate::output::StudyMeta| {
        let head = PartHead::new(PART_COMMAND);
        let part = SensitivityPart {
            kind: head.kind,
            format: head.format,
            command: head.command,
            shard,
            method: req.method.as_str().to_string(),
            samples: req.samples,
            runs: req.runs,
            seed: req.seed,
            bootstrap: req.bootstrap,
            points: total,
            points_start: share.share.start,
            points_end: share.share.end,
            threads: meta.threads,
            elapsed_s: meta.elapsed_s,
            tallied: tallied.clone(),
        };
        write_part(dir, &part, scenario_text)?;
        Ok::<(), SensitivityError>(())
    };
    let report = staged(&output, pool, simulate, write, super::no_charts)?;
    Ok(Finished {
        value: share,
        out: report.out,
        threads: report.threads,
        elapsed_s: report.elapsed_s,
        charts: None,
    })
}
