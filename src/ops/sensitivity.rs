//! `influence sensitivity`: which guesses drive an answer (MODEL.md, "Sensitivity").
//!
//! The scenario's uncertain inputs span a design (Saltelli's for Sobol' indices, Morris's
//! trajectories for elementary effects) mapped from the unit cube through each input's
//! inverse CDF. Every design point is simulated with R runs on common random numbers: run r
//! at every point draws the same events and noise, so only the inputs differ. The measures
//! are each outcome's probability and each actor's mean final alignment at each point; the
//! indices come from `analysis::sensitivity`.

use std::path::Path;
use std::sync::atomic::AtomicBool;

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
use crate::montecarlo::plan::{InputPlan, RunPlan};
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
}

impl SensitivityError {
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            SensitivityError::NoInputs(_) | SensitivityError::BadRequest(_)
        )
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
fn design(sc: &Scenario, req: &SensitivityRequest) -> Result<Vec<DesignPoint>, SensitivityError> {
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
        let d = sc.inputs.len();
        let flat: Vec<f64> = points
            .iter()
            .flat_map(|p| p.values.iter().copied())
            .collect();
        let total = (points.len() as u64).saturating_mul(req.runs);
        let plan = RunPlan::single(sc, req.seed, 0..total).with_inputs(InputPlan::Design {
            points: flat,
            inputs: d,
            runs_per_point: req.runs,
        });
        let name = format!(
            "sensitivity;{};samples={};runs={}",
            req.method.as_str(),
            req.samples,
            req.runs
        );
        let n_points = points.len();
        let done = execute(
            &plan,
            &name,
            pool,
            &|| PointTally::new(sc, n_points, req.runs),
            false,
            progress,
            cancel,
        )?;
        let tally = done.tallied.tally;
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
    };
    let write = |dir: &Path, s: &Sensitivity, meta: &crate::output::StudyMeta| {
        write_sensitivity(dir, sc, scenario_text, s, req.seed, req.bootstrap, meta)?;
        Ok::<(), SensitivityError>(())
    };
    staged(
        &req.output,
        pool,
        simulate,
        write,
        sensitivity_charts::render,
    )
}
