//! `influence calibrate`: which values of the scenario's uncertain inputs reproduce what was
//! observed, and how well the result predicts what was held out.
//!
//! The design is N points of a scrambled Sobol' sequence over the inputs, mapped through
//! their inverse CDFs, so that its points are a sample of the prior spread as evenly as a
//! quasi-random sequence allows. Each point is simulated with R runs on common random
//! numbers (run r at every point draws the same events and noise), as a sensitivity design
//! is, so that two points differ by their inputs only and their distances compare fairly.
//! The method itself is in `analysis::calibration`.

use std::ops::Range;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use super::{Finished, OutputRequest, staged};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::analysis::calibration::{
    Accepted, ObservedTally, Particles, Predictions, Skill, accept, accept_proposals, predictive,
    skill, weighted_quantile,
};
use crate::analysis::sensitivity::SensitivityError as MathError;
use crate::analysis::sensitivity::sobol_seq::SobolSequence;
use crate::montecarlo::driver::{DriverError, execute};
use crate::montecarlo::plan::Shard;
use crate::montecarlo::plan::{InputPlan, RunPlan};
use crate::montecarlo::tally::Tallied;
use crate::output::calibration::write_calibration;
use crate::output::charts::ChartError;
use crate::output::charts::calibration as calibration_charts;
use crate::output::{OutputError, StudyMeta};
use crate::scenario::{Diagnostic, Evidence, Metric, Observation, Scenario};
use serde::{Deserialize, Serialize};

use super::sensitivity::{ShardShare, shard_share};
use super::shard::{PartHead, ShardError, write_part};

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct CalibrateRequest {
    /// Design points N.
    pub samples: u64,
    /// Runs at each point.
    pub runs: u64,
    /// Points kept Q.
    pub keep: u64,
    /// Rounds of sequential Monte Carlo ABC after the rejection step, each of `samples`
    /// new points proposed around the points kept by the round before.
    pub rounds: u32,
    /// Observations after this step are left out of the fit and scored.
    pub hold_out_after: Option<usize>,
    pub seed: u64,
    /// The scenario's `[[observed]]` and those of `--observed`, in that order.
    pub observations: Vec<Observation>,
    pub output: OutputRequest,
}

#[derive(Debug, thiserror::Error)]
pub enum CalibrateError {
    #[error(
        "{0} has no uncertain inputs, so there is nothing to calibrate: give the numbers the \
         record should inform as ranges, such as trust = {{ low = 0.2, high = 0.8 }} \
         (docs/scenario-format.md, \"Uncertain inputs\")"
    )]
    NoInputs(String),
    #[error(
        "{0} has no observations to calibrate on: add [[observed]] tables \
         (docs/scenario-format.md, \"Observations\") or give --observed FILE.csv"
    )]
    NoObservations(String),
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

impl CalibrateError {
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            CalibrateError::NoInputs(_)
                | CalibrateError::NoObservations(_)
                | CalibrateError::BadRequest(_)
        ) || matches!(self, CalibrateError::Part(e) if e.is_bad_input())
    }
}

/// The most design points a calibration may have.
pub const MAX_POINTS: u64 = 2_000_000;

/// Where one input stands before and after: its prior range and its posterior median and
/// 90% interval.
#[derive(Debug, Clone, PartialEq)]
pub struct InputPosterior {
    pub prior_low: f64,
    pub prior_high: f64,
    pub median: f64,
    pub low: f64,
    pub high: f64,
}

impl InputPosterior {
    /// Width of the 90% posterior interval over that of the prior (5% to 95%), so that 1
    /// means the record says nothing about the input and 0 that it fixes it.
    pub fn narrowing(&self, prior_90: (f64, f64)) -> f64 {
        let prior = prior_90.1 - prior_90.0;
        if prior > 0.0 {
            (self.high - self.low) / prior
        } else {
            1.0
        }
    }
}

/// One observation's fit: the model's prediction before and after calibration.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// Used in the fit (false: held out and scored).
    pub used: bool,
    pub prior_mean: f64,
    pub posterior_mean: f64,
    pub prior_right_sign: f64,
    pub posterior_right_sign: f64,
}

/// What a calibration computed.
#[derive(Debug, Clone)]
pub struct Calibration {
    pub observations: Vec<Observation>,
    pub samples: u64,
    /// Rounds of sequential Monte Carlo ABC run after the rejection step.
    pub rounds: u32,
    pub runs_per_point: u64,
    /// The input values of every point simulated, `p * inputs + i`: the design drawn from
    /// the prior (`samples` points), then the proposals of each round.
    pub design: Vec<f64>,
    pub inputs: usize,
    pub distances: Vec<f64>,
    pub accepted: Accepted,
    pub posterior: Vec<InputPosterior>,
    pub fit: Vec<Fit>,
    /// Scores of the held-out observations, with `--hold-out-after`.
    pub held_out: Option<Skill>,
}

impl Calibration {
    /// The value of input `i` at design point `p`.
    pub fn value(&self, p: usize, i: usize) -> f64 {
        self.design[p * self.inputs + i]
    }
}

pub type CalibrateReport = Finished<Calibration>;

/// Which observations the fit uses.
pub fn used(observations: &[Observation], hold_out_after: Option<usize>) -> Vec<bool> {
    observations
        .iter()
        .map(|o| hold_out_after.is_none_or(|s| o.step <= s))
        .collect()
}

/// Checks a request before anything runs; returns the number of runs it costs.
pub fn check_request(sc: &Scenario, req: &CalibrateRequest) -> Result<u64, CalibrateError> {
    let what = format!("scenario \"{}\"", sc.name);
    if req.observations.is_empty() {
        return Err(CalibrateError::NoObservations(what));
    }
    if sc.inputs.is_empty() {
        return Err(CalibrateError::NoInputs(what));
    }
    if req.samples < 2 || req.runs == 0 || req.keep == 0 {
        return Err(CalibrateError::BadRequest(
            "--samples must be at least 2, --runs and --keep at least 1".into(),
        ));
    }
    if req.keep > req.samples {
        return Err(CalibrateError::BadRequest(format!(
            "--keep {} is more than the {} points of the design (--samples)",
            req.keep, req.samples
        )));
    }
    if req.samples > MAX_POINTS {
        return Err(CalibrateError::BadRequest(format!(
            "--samples {} is more than the {MAX_POINTS} design points this version holds",
            req.samples
        )));
    }
    let fitted = used(&req.observations, req.hold_out_after);
    if !fitted.iter().any(|&u| u) {
        return Err(CalibrateError::BadRequest(format!(
            "every observation comes after step {}, so none is left to fit: hold out after a \
             later step",
            req.hold_out_after.unwrap_or(0)
        )));
    }
    if let Some(s) = req.hold_out_after
        && s >= sc.steps
    {
        return Err(CalibrateError::BadRequest(format!(
            "--hold-out-after {s} leaves nothing out: the scenario ends at step {}",
            sc.steps
        )));
    }
    if req.rounds > MAX_ROUNDS {
        return Err(CalibrateError::BadRequest(format!(
            "--rounds {} is more than the {MAX_ROUNDS} this version runs",
            req.rounds
        )));
    }
    Ok(req
        .samples
        .saturating_mul(req.runs)
        .saturating_mul(u64::from(req.rounds) + 1))
}

/// The most rounds of sequential Monte Carlo ABC a calibration runs.
pub const MAX_ROUNDS: u32 = 10;

/// The design: N points of a scrambled Sobol' sequence, mapped to input values.
pub fn design(sc: &Scenario, req: &CalibrateRequest) -> Result<Vec<f64>, CalibrateError> {
    let d = sc.inputs.len();
    let seq = SobolSequence::new(d, Some(req.seed))?;
    let mut unit = vec![0.0; d];
    let mut values = Vec::with_capacity(d * req.samples as usize);
    for p in 0..req.samples {
        seq.point(p, &mut unit)?;
        values.extend(
            sc.inputs
                .iter()
                .zip(&unit)
                .map(|(i, &u)| i.distribution.quantile(u)),
        );
    }
    Ok(values)
}

/// The runs `runs` of the points `values` (`inputs` values each): run r evaluates point
/// r / `runs`, with the random numbers of run r mod `runs` of every other point.
fn points_plan<'a>(
    sc: &'a Scenario,
    req: &CalibrateRequest,
    values: &[f64],
    runs: Range<u64>,
) -> RunPlan<'a> {
    RunPlan::single(sc, req.seed, runs).with_inputs(InputPlan::Design {
        points: values.to_vec(),
        inputs: sc.inputs.len(),
        runs_per_point: req.runs,
    })
}

/// The plan name of a round's runs: what besides scenario and seed must agree for two
/// tallies to hold runs of one round.
fn round_name(req: &CalibrateRequest, round: u32) -> String {
    format!(
        "calibrate;round={round};samples={};runs={};observations={}",
        req.samples,
        req.runs,
        req.observations.len()
    )
}

/// Simulates the points `values` (`inputs` values each), `runs` runs each on common random
/// numbers, and returns the model's side of every observation at each.
fn simulate_points(
    sc: &Scenario,
    req: &CalibrateRequest,
    values: &[f64],
    round: u32,
    pool: &rayon::ThreadPool,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<Predictions, CalibrateError> {
    let n = values.len() / sc.inputs.len().max(1);
    let plan = points_plan(sc, req, values, 0..(n as u64).saturating_mul(req.runs));
    let name = round_name(req, round);
    let done = execute(
        &plan,
        &name,
        pool,
        &|| ObservedTally::new(&req.observations, n, req.runs),
        false,
        progress,
        cancel,
    )?;
    Ok(done.tallied.tally.predictions())
}

/// Simulates the design (and the rounds of sequential Monte Carlo ABC asked for) and
/// computes the posterior; writes nothing.
pub fn calibrate(
    sc: &Scenario,
    req: &CalibrateRequest,
    pool: &rayon::ThreadPool,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<Calibration, CalibrateError> {
    check_request(sc, req)?;
    let values = design(sc, req)?;
    let pred = simulate_points(sc, req, &values, 0, pool, progress, cancel)?;
    refine(sc, req, values, pred, pool, progress, cancel)
}

/// The rejection step on the predictions `pred` at the design's points `values` (however
/// they were simulated: on one machine or in shards), then the rounds of sequential Monte
/// Carlo ABC asked for, and the posterior. The rounds depend on the seed, the round and
/// the points kept before only, so that they are the same wherever the design ran.
pub fn refine(
    sc: &Scenario,
    req: &CalibrateRequest,
    mut values: Vec<f64>,
    mut pred: Predictions,
    pool: &rayon::ThreadPool,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<Calibration, CalibrateError> {
    let d = sc.inputs.len();
    let n = req.samples as usize;
    let keep = req.keep as usize;
    let fitted = used(&req.observations, req.hold_out_after);
    if values.len() != n * d || pred.mean.len() != n * pred.observed {
        return Err(CalibrateError::BadRequest(format!(
            "the design holds {} points and the predictions {}, not the {n} of --samples",
            values.len() / d.max(1),
            pred.mean.len() / pred.observed.max(1)
        )));
    }
    let mut distances: Vec<f64> = (0..n)
        .map(|p| pred.distance(&req.observations, &fitted, p))
        .collect();
    let mut likelihood: Vec<f64> = (0..n)
        .map(|p| pred.log_likelihood(&req.observations, &fitted, p))
        .collect();
    let mut accepted = accept(&distances, &likelihood, keep);
    for round in 1..=req.rounds {
        let particles = Particles {
            unit: accepted
                .points
                .iter()
                .flat_map(|&p| {
                    sc.inputs
                        .iter()
                        .enumerate()
                        .map(|(i, input)| input.distribution.cdf(values[p * d + i]))
                        .collect::<Vec<f64>>()
                })
                .collect(),
            weights: accepted.weights.clone(),
            dims: d,
        };
        // The proposals of a round depend on the seed and the round only, so that they
        // are the same whatever the thread count.
        let mut rng = ChaCha8Rng::seed_from_u64(req.seed);
        rng.set_stream(u64::from(round));
        let unit = particles.propose(n, &mut rng);
        let proposals: Vec<f64> = unit
            .chunks(d)
            .flat_map(|u| {
                sc.inputs
                    .iter()
                    .zip(u)
                    .map(|(input, &x)| input.distribution.quantile(x))
                    .collect::<Vec<f64>>()
            })
            .collect();
        let round_pred = simulate_points(sc, req, &proposals, round, pool, progress, cancel)?;
        let round_distances: Vec<f64> = (0..n)
            .map(|p| round_pred.distance(&req.observations, &fitted, p))
            .collect();
        let round_likelihood: Vec<f64> = (0..n)
            .map(|p| round_pred.log_likelihood(&req.observations, &fitted, p))
            .collect();
        let chosen = accept_proposals(&round_distances, &round_likelihood, &unit, &particles);
        let offset = values.len() / d;
        accepted = Accepted {
            points: chosen.points.iter().map(|p| p + offset).collect(),
            ..chosen
        };
        values.extend(proposals);
        pred.append(round_pred);
        distances.extend(round_distances);
        likelihood.extend(round_likelihood);
    }
    Ok(analyse(sc, req, values, &pred, distances, accepted))
}

/// The posterior and the fits from the predictions at every point.
///
/// The prior predictive is the first `samples` points alike (the design drawn from the
/// prior); the posterior predictive, the kept points by weight.
pub fn analyse(
    sc: &Scenario,
    req: &CalibrateRequest,
    design: Vec<f64>,
    pred: &Predictions,
    distances: Vec<f64>,
    accepted: Accepted,
) -> Calibration {
    let d = sc.inputs.len();
    let n = req.samples as usize;
    let obs = &req.observations;
    let fitted = used(obs, req.hold_out_after);
    let posterior = sc
        .inputs
        .iter()
        .enumerate()
        .map(|(i, input)| {
            let v: Vec<f64> = accepted.points.iter().map(|&p| design[p * d + i]).collect();
            let w = &accepted.weights;
            InputPosterior {
                prior_low: input.distribution.low(),
                prior_high: input.distribution.high(),
                median: weighted_quantile(&v, w, 0.5),
                low: weighted_quantile(&v, w, 0.05),
                high: weighted_quantile(&v, w, 0.95),
            }
        })
        .collect();
    let prior: Vec<(usize, f64)> = (0..n).map(|p| (p, 1.0)).collect();
    let post: Vec<(usize, f64)> = accepted
        .points
        .iter()
        .copied()
        .zip(accepted.weights.iter().copied())
        .collect();
    let share = |weights: &[(usize, f64)], o: &Observation, j: usize| {
        let (mut s, mut t) = (0.0, 0.0);
        for &(p, w) in weights {
            s += w * pred.right_sign(o, p, j);
            t += w;
        }
        s / t
    };
    let fit = obs
        .iter()
        .enumerate()
        .map(|(j, o)| Fit {
            used: fitted[j],
            prior_mean: predictive(pred, j, &prior).0,
            posterior_mean: predictive(pred, j, &post).0,
            prior_right_sign: share(&prior, o, j),
            posterior_right_sign: share(&post, o, j),
        })
        .collect();
    let held: Vec<bool> = fitted.iter().map(|u| !u).collect();
    let held_out = req
        .hold_out_after
        .map(|_| skill(obs, &held, pred, n, &accepted));
    Calibration {
        observations: obs.clone(),
        samples: req.samples,
        rounds: req.rounds,
        runs_per_point: req.runs,
        design,
        inputs: d,
        distances,
        accepted,
        posterior,
        fit,
        held_out,
    }
}

/// Writes the directory of a finished calibration, charts included (see [`staged`]).
/// `parts` is the threads and time of the shards a merge joined: the directory then says
/// the most threads of any, and their time and the merge's own together.
pub fn write_study(
    sc: &Scenario,
    scenario_text: &str,
    req: &CalibrateRequest,
    pool: &rayon::ThreadPool,
    simulate: impl FnOnce() -> Result<Calibration, CalibrateError>,
    parts: Option<StudyMeta>,
) -> Result<CalibrateReport, CalibrateError> {
    let combined = |own: &StudyMeta| match &parts {
        Some(p) => StudyMeta {
            threads: p.threads.max(own.threads),
            elapsed_s: p.elapsed_s + if req.rounds > 0 { own.elapsed_s } else { 0.0 },
        },
        None => own.clone(),
    };
    let write = |dir: &Path, c: &Calibration, own: &StudyMeta| {
        write_calibration(dir, sc, scenario_text, req, c, &combined(own))?;
        Ok::<(), CalibrateError>(())
    };
    let report = staged(
        &req.output,
        pool,
        simulate,
        write,
        calibration_charts::render,
    )?;
    let meta = combined(&StudyMeta {
        threads: report.threads,
        elapsed_s: report.elapsed_s,
    });
    Ok(Finished {
        threads: meta.threads,
        elapsed_s: meta.elapsed_s,
        ..report
    })
}

/// Calibrates and writes the directory (see [`staged`]).
pub fn run_calibrate(
    sc: &Scenario,
    scenario_text: &str,
    req: &CalibrateRequest,
    pool: &rayon::ThreadPool,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<CalibrateReport, CalibrateError> {
    check_request(sc, req)?;
    let simulate = || calibrate(sc, req, pool, progress, cancel);
    write_study(sc, scenario_text, req, pool, simulate, None)
}

/// The model's side of `observations` with the inputs at `values` (one per input of `sc`),
/// over `runs` runs of master seed `seed`: what a record made by the model itself would
/// say, to test that a calibration finds its way back to `values`.
pub fn predict_at(
    sc: &Scenario,
    observations: &[Observation],
    values: &[f64],
    runs: u64,
    seed: u64,
    pool: &rayon::ThreadPool,
) -> Result<Predictions, CalibrateError> {
    if values.len() != sc.inputs.len() {
        return Err(CalibrateError::BadRequest(format!(
            "{} values for the {} inputs of the scenario",
            values.len(),
            sc.inputs.len()
        )));
    }
    let plan = RunPlan::single(sc, seed, 0..runs).with_inputs(InputPlan::Design {
        points: values.to_vec(),
        inputs: sc.inputs.len(),
        runs_per_point: runs,
    });
    let done = execute(
        &plan,
        "calibrate;predict",
        pool,
        &|| ObservedTally::new(observations, 1, runs),
        false,
        &|_| {},
        &AtomicBool::new(false),
    )?;
    Ok(done.tallied.tally.predictions())
}

/// The posterior of the calibration in `dir`, as the plan that draws each run's inputs from
/// it: its vectors, in the order of `sc`'s inputs, and their weights. Refused when `dir` is
/// not a calibration's, or its inputs are not exactly those of `sc`: a posterior over other
/// inputs would set numbers the scenario does not have, or leave some at their priors.
pub fn read_posterior(dir: &Path, sc: &Scenario) -> Result<InputPlan, CalibrateError> {
    Ok(read_posterior_file(dir, sc)?.plan)
}

/// A calibration's posterior as a run draws from it, and which file it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Posterior {
    /// [`InputPlan::Posterior`].
    pub plan: InputPlan,
    /// Lower-case hex SHA-256 of posterior.csv exactly as read: parts of a sharded study
    /// record it, so that parts drawn from different posteriors do not merge.
    pub sha256: String,
}

/// [`read_posterior`], with the SHA-256 of the file read. Besides the checks there, every
/// value must lie in its input's prior range (a posterior is a part of the prior), and an
/// input of the posterior that the scenario lacks, or the other way round, is named with
/// the nearest name of the other side.
pub fn read_posterior_file(dir: &Path, sc: &Scenario) -> Result<Posterior, CalibrateError> {
    use crate::output::calibration::POSTERIOR_FILE;
    use crate::output::schema::{OutputKind, read_kind};
    use crate::scenario::validate::suggest;
    use sha2::{Digest, Sha256};
    let bad =
        |why: String| CalibrateError::BadRequest(format!("--posterior {}: {why}", dir.display()));
    let hint = |name: &str, among: &mut dyn Iterator<Item = &str>| {
        suggest(name, among).map_or(String::new(), |s| format!("did you mean {s:?}?"))
    };
    match read_kind(dir) {
        Ok(OutputKind::Calibration) => {}
        Ok(kind) => {
            return Err(bad(format!(
                "it is the output of `influence {}`, not of `influence calibrate`",
                kind.command()
            )));
        }
        Err(e) => return Err(bad(e.to_string())),
    }
    let path = dir.join(POSTERIOR_FILE);
    let bytes =
        std::fs::read(&path).map_err(|e| bad(format!("cannot read {}: {e}", path.display())))?;
    let sha256: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let text =
        String::from_utf8(bytes).map_err(|_| bad(format!("{POSTERIOR_FILE} is not UTF-8 text")))?;
    let text = crate::scenario::observed::without_bom(&text);
    let origin = path.display().to_string();
    // A problem at a place of the file: file:line:col, the line and a caret.
    let at = |span: Range<usize>, why: String, help: String| {
        let mut d = Diagnostic::new(text, &origin, span, why);
        if !help.is_empty() {
            d = d.with_help(text, help);
        }
        CalibrateError::BadRequest(format!(
            "--posterior {} does not fit the scenario:\n{d}",
            dir.display()
        ))
    };
    let rows = crate::scenario::observed::records(text)
        .map_err(|e| at(e.span, e.message, String::new()))?;
    let header = ["sample", "input", "value", "weight"];
    match rows.first() {
        Some(h) if h.fields.iter().map(|f| f.text.as_str()).eq(header) => {}
        Some(h) => {
            return Err(at(
                h.at..h.end,
                format!("expected the header {}", header.join(",")),
                String::new(),
            ));
        }
        None => return Err(bad(format!("{POSTERIOR_FILE} is empty"))),
    }
    let d = sc.inputs.len();
    let mut seen: Vec<String> = Vec::new();
    let mut samples: Vec<(String, Vec<Option<f64>>, f64)> = Vec::new();
    for row in rows.iter().skip(1) {
        let [sample, input, value, weight] = row.fields.as_slice() else {
            return Err(at(
                row.at..row.end,
                format!(
                    "expected 4 fields (sample,input,value,weight), found {}",
                    row.fields.len()
                ),
                String::new(),
            ));
        };
        let number = |f: &crate::scenario::observed::Field, what: &str, ok: fn(f64) -> bool| {
            f.text
                .parse::<f64>()
                .ok()
                .filter(|x| ok(*x))
                .ok_or_else(|| {
                    at(
                        f.span.clone(),
                        format!("the {what}, found {:?}", f.text),
                        String::new(),
                    )
                })
        };
        let v = number(value, "value is not a finite number", f64::is_finite)?;
        let weight = number(weight, "weight is not a number ≥ 0", |w| {
            w.is_finite() && w >= 0.0
        })?;
        let name = input.text.as_str();
        let i = sc
            .inputs
            .iter()
            .position(|x| x.name == name)
            .ok_or_else(|| {
                at(
                    input.span.clone(),
                    format!("the scenario has no input {name:?}"),
                    hint(name, &mut sc.inputs.iter().map(|x| x.name.as_str())),
                )
            })?;
        let dist = &sc.inputs[i].distribution;
        if !(dist.low()..=dist.high()).contains(&v) {
            return Err(at(
                value.span.clone(),
                format!(
                    "input {name:?} = {v} is outside its range [{}, {}] in the scenario",
                    dist.low(),
                    dist.high()
                ),
                "a posterior lies within the prior it was drawn from: is it this scenario's?"
                    .into(),
            ));
        }
        if !seen.iter().any(|n| n == name) {
            seen.push(name.to_string());
        }
        if samples.last().is_none_or(|s| s.0 != sample.text) {
            samples.push((sample.text.clone(), vec![None; d], weight));
        }
        if let Some(s) = samples.last_mut() {
            if s.1[i].is_some() {
                return Err(at(
                    input.span.clone(),
                    format!("input {name:?} twice in sample {}", sample.text),
                    String::new(),
                ));
            }
            s.1[i] = Some(v);
        }
    }
    if samples.is_empty() {
        return Err(bad(format!("{POSTERIOR_FILE} holds no sample")));
    }
    if let Some(missing) = sc.inputs.iter().find(|x| !seen.contains(&x.name)) {
        let near = hint(&missing.name, &mut seen.iter().map(String::as_str));
        return Err(bad(format!(
            "the scenario's input {:?} is not in {POSTERIOR_FILE}{}: the posterior is over \
             other inputs than this scenario's",
            missing.name,
            if near.is_empty() {
                String::new()
            } else {
                format!(" ({near})")
            }
        )));
    }
    let mut values = Vec::with_capacity(samples.len() * d);
    let mut cumulative = Vec::with_capacity(samples.len());
    let mut total = 0.0;
    for (name, row, weight) in samples {
        for (i, v) in row.into_iter().enumerate() {
            values.push(v.ok_or_else(|| {
                bad(format!(
                    "sample {name} has no value for input {:?}",
                    sc.inputs[i].name
                ))
            })?);
        }
        total += weight;
        cumulative.push(total);
    }
    if total <= 0.0 {
        return Err(bad("its weights are all 0".into()));
    }
    Ok(Posterior {
        plan: InputPlan::Posterior {
            values,
            inputs: d,
            cumulative,
        },
        sha256,
    })
}

/// Refuses a posterior read for `base` (see [`read_posterior_file`]) for the `variant` of a
/// comparison unless the variant's uncertain inputs are the base's, by name and in order:
/// run r of both sides then takes the same vector, and only what the variant changes
/// differs.
pub fn check_posterior_variant(base: &Scenario, variant: &Scenario) -> Result<(), CalibrateError> {
    use crate::scenario::validate::suggest;
    let names =
        |sc: &Scenario| -> Vec<String> { sc.inputs.iter().map(|i| i.name.clone()).collect() };
    let (b, v) = (names(base), names(variant));
    if b == v {
        return Ok(());
    }
    let refuse = |why: String| {
        CalibrateError::BadRequest(format!(
            "--posterior: {why}; the posterior belongs to the base's inputs, and the variant \
             must have the same uncertain inputs, by name and in the same order"
        ))
    };
    let hint = |name: &str, among: &[String]| {
        suggest(name, among.iter().map(String::as_str))
            .map_or(String::new(), |s| format!(" (did you mean {s:?}?)"))
    };
    if let Some(extra) = v.iter().find(|n| !b.contains(n)) {
        return Err(refuse(format!(
            "the variant's input {extra:?} is not one of the base's{}",
            hint(extra, &b)
        )));
    }
    if let Some(missing) = b.iter().find(|n| !v.contains(n)) {
        return Err(refuse(format!(
            "the base's input {missing:?} is not one of the variant's{}",
            hint(missing, &v)
        )));
    }
    Err(refuse(format!(
        "the variant has the base's inputs in another order ({} against {})",
        v.join(", "),
        b.join(", ")
    )))
}

/// The `command` of a calibration's parts.
pub const PART_COMMAND: &str = "calibrate";

/// An observation as a part.json holds it: actors by their index in the scenario (which
/// the part names by SHA-256), numbers as IEEE bits so that they read back to the bit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartObservation {
    pub step: usize,
    pub metric: String,
    pub actor: usize,
    pub other: Option<usize>,
    /// `value` and `sd` as IEEE bits, for an observed value.
    pub value_bits: Option<(u64, u64)>,
    /// For an observed sign: whether it is `+`.
    pub positive: Option<bool>,
    pub label: Option<String>,
}

impl PartObservation {
    pub fn of(o: &Observation) -> PartObservation {
        let (value_bits, positive) = match o.evidence {
            Evidence::Value { value, sd } => (Some((value.to_bits(), sd.to_bits())), None),
            Evidence::Sign { positive } => (None, Some(positive)),
        };
        PartObservation {
            step: o.step,
            metric: o.metric.as_str().to_string(),
            actor: o.actor,
            other: o.other,
            value_bits,
            positive,
            label: o.label.clone(),
        }
    }

    /// The observation, checked against `sc` as the scenario checker checks one: `None`
    /// when the part was not written by this tool for this scenario.
    pub fn observation(&self, sc: &Scenario) -> Option<Observation> {
        let metric = [
            Metric::Alignment,
            Metric::Trust,
            Metric::Threat,
            Metric::Power,
        ]
        .into_iter()
        .find(|m| m.as_str() == self.metric)?;
        let n = sc.actors.len();
        let pair_ok = match self.other {
            Some(k) => metric.is_pairwise() && k < n && k != self.actor,
            None => !metric.is_pairwise(),
        };
        if self.step > sc.steps || self.actor >= n || !pair_ok {
            return None;
        }
        let evidence = match (self.value_bits, self.positive) {
            (Some((v, sd)), None) => {
                let (value, sd) = (f64::from_bits(v), f64::from_bits(sd));
                (value.is_finite() && sd.is_finite() && sd > 0.0)
                    .then_some(Evidence::Value { value, sd })?
            }
            (None, Some(positive)) => Evidence::Sign { positive },
            _ => return None,
        };
        Some(Observation {
            step: self.step,
            metric,
            actor: self.actor,
            other: self.other,
            evidence,
            label: self.label.clone(),
        })
    }
}

/// A partial directory's part.json for `influence calibrate --shard K/N`: the whole
/// calibration asked for, and the tallies of the shard's design points of the rejection
/// step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibratePart {
    /// `part`, as every part.json says first (see [`PartHead`]).
    pub kind: String,
    pub format: u32,
    /// [`PART_COMMAND`].
    pub command: String,
    pub shard: Shard,
    /// Design points N of the rejection step.
    pub samples: u64,
    /// Runs at each point.
    pub runs: u64,
    /// Points kept Q.
    pub keep: u64,
    /// Rounds of sequential Monte Carlo ABC, which the merge runs.
    pub rounds: u32,
    pub hold_out_after: Option<u64>,
    pub seed: u64,
    /// The observations, in the order the calibration uses them.
    pub observations: Vec<PartObservation>,
    /// The points this shard simulated, `points_start..points_end`.
    pub points_start: u64,
    pub points_end: u64,
    pub threads: usize,
    pub elapsed_s: f64,
    pub tallied: Tallied<ObservedTally>,
}

impl CalibratePart {
    /// The request the part belongs to, writing to `output`; why not when the part does
    /// not fit `sc`.
    pub fn request(
        &self,
        sc: &Scenario,
        output: OutputRequest,
    ) -> Result<CalibrateRequest, String> {
        let observations = self
            .observations
            .iter()
            .enumerate()
            .map(|(j, o)| {
                o.observation(sc)
                    .ok_or_else(|| format!("observation {} is not one of this scenario's", j + 1))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let hold_out_after = match self.hold_out_after {
            Some(s) => Some(usize::try_from(s).map_err(|_| format!("hold-out step {s}"))?),
            None => None,
        };
        Ok(CalibrateRequest {
            samples: self.samples,
            runs: self.runs,
            keep: self.keep,
            rounds: self.rounds,
            hold_out_after,
            seed: self.seed,
            observations,
            output,
        })
    }
}

/// Simulates one shard of a calibration's rejection step (its contiguous range of the N
/// design points, all their runs) and writes its partial directory for `influence merge`,
/// which joins the parts and runs the rest (the posterior, and the rounds of sequential
/// Monte Carlo ABC, which depend on every point of the rejection step).
pub fn run_calibrate_shard(
    sc: &Scenario,
    scenario_text: &str,
    req: &CalibrateRequest,
    shard: Shard,
    pool: &rayon::ThreadPool,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<Finished<ShardShare>, CalibrateError> {
    check_request(sc, req)?;
    let share = shard_share(shard, req.samples, req.runs);
    let output = OutputRequest {
        charts: false,
        ..req.output.clone()
    };
    let simulate = || -> Result<Tallied<ObservedTally>, CalibrateError> {
        let values = design(sc, req)?;
        let plan = points_plan(sc, req, &values, share.runs.clone());
        let range = usize::try_from(share.share.start).unwrap_or(usize::MAX)
            ..usize::try_from(share.share.end).unwrap_or(usize::MAX);
        let done = execute(
            &plan,
            &round_name(req, 0),
            pool,
            &|| ObservedTally::range(&req.observations, range.clone(), req.runs),
            false,
            progress,
            cancel,
        )?;
        // Every point of the share in the tables, as a merge reads them.
        let mut tallied = done.tallied;
        tallied.tally.densify();
        Ok(tallied)
    };
    let write = |dir: &Path, tallied: &Tallied<ObservedTally>, meta: &StudyMeta| {
        let head = PartHead::new(PART_COMMAND);
        let part = CalibratePart {
            kind: head.kind,
            format: head.format,
            command: head.command,
            shard,
            samples: req.samples,
            runs: req.runs,
            keep: req.keep,
            rounds: req.rounds,
            hold_out_after: req.hold_out_after.map(|s| s as u64),
            seed: req.seed,
            observations: req.observations.iter().map(PartObservation::of).collect(),
            points_start: share.share.start,
            points_end: share.share.end,
            threads: meta.threads,
            elapsed_s: meta.elapsed_s,
            tallied: tallied.clone(),
        };
        write_part(dir, &part, scenario_text)?;
        Ok::<(), CalibrateError>(())
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
