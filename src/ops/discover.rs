//! `influence discover`: under which combinations of guesses an outcome happens (scenario
//! discovery by PRIM, MODEL.md "Sensitivity").
//!
//! Every run draws its inputs (as `influence run` does) and is judged on one outcome; PRIM
//! then peels boxes in the space of inputs towards the runs where the outcome holds. The
//! per-run inputs are not kept while simulating: each is a function of (seed, run, input
//! name) and is recomputed afterwards, so only a verdict a run is held.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use super::{Finished, OutputRequest, staged};
use crate::analysis::sensitivity::SensitivityError as MathError;
use crate::analysis::sensitivity::prim::{
    DEFAULT_MIN_COVERAGE, PrimBox, PrimOptions, choose_box, prim,
};
use crate::model::{OutcomeTracker, State};
use crate::montecarlo::driver::{DriverError, execute};
use crate::montecarlo::plan::{InputPlan, RunPlan};
use crate::montecarlo::stream_keys;
use crate::montecarlo::tally::{MergeError, Scratch, Tally, same_shape};
use crate::output::OutputError;
use crate::output::charts::ChartError;
use crate::output::charts::discover as discover_charts;
use crate::output::discover::write_discover;
use crate::scenario::Scenario;
use crate::scenario::validate::suggest;

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct DiscoverRequest {
    pub outcome: String,
    pub runs: u64,
    pub seed: u64,
    pub output: OutputRequest,
}

#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("{0}")]
    BadRequest(String),
    #[error(transparent)]
    Prim(#[from] MathError),
    #[error(transparent)]
    Driver(#[from] DriverError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Charts(#[from] ChartError),
}

impl DiscoverError {
    pub fn is_bad_input(&self) -> bool {
        matches!(self, DiscoverError::BadRequest(_))
    }
}

/// Each run's verdict on one outcome, placed by run index: 0 not seen, 1 false, 2 true.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerdictTable {
    outcome: usize,
    first_run: u64,
    verdicts: Vec<u8>,
    #[serde(skip)]
    current: Scratch<Option<(u64, OutcomeTracker)>>,
}

impl VerdictTable {
    pub fn new(outcome: usize, runs: std::ops::Range<u64>) -> VerdictTable {
        VerdictTable {
            outcome,
            first_run: runs.start,
            verdicts: vec![0; usize::try_from(runs.end - runs.start).unwrap_or(0)],
            current: Scratch(None),
        }
    }

    /// The verdicts in run order (a run not seen counts as false).
    pub fn verdicts(&self) -> Vec<bool> {
        self.verdicts.iter().map(|&v| v == 2).collect()
    }
}

impl Tally for VerdictTable {
    fn begin(&mut self, side: usize, run: u64, sc: &Scenario) {
        if side != 0 {
            return;
        }
        match &mut self.current.0 {
            Some((r, tracker)) => {
                *r = run;
                tracker.reset(&sc.outcomes);
            }
            None => self.current.0 = Some((run, OutcomeTracker::new(&sc.outcomes, sc.steps))),
        }
    }

    fn record(&mut self, side: usize, sc: &Scenario, t: usize, st: &State) {
        if side != 0 {
            return;
        }
        if let Some((run, tracker)) = &mut self.current.0 {
            tracker.observe(&sc.outcomes, t, st);
            if t == sc.steps {
                let held = tracker
                    .verdicts()
                    .get(self.outcome)
                    .copied()
                    .unwrap_or(false);
                let at = usize::try_from(*run - self.first_run).unwrap_or(usize::MAX);
                if let Some(v) = self.verdicts.get_mut(at) {
                    *v = 1 + u8::from(held);
                }
            }
        }
    }

    fn merge(&mut self, other: VerdictTable) -> Result<(), MergeError> {
        same_shape(
            "per-run verdicts (outcome, first run, runs)",
            (self.outcome, self.first_run, self.verdicts.len()),
            (other.outcome, other.first_run, other.verdicts.len()),
        )?;
        for (a, b) in self.verdicts.iter_mut().zip(&other.verdicts) {
            *a = (*a).max(*b);
        }
        Ok(())
    }
}

/// What a discovery found.
#[derive(Debug, Clone)]
pub struct Discovery {
    pub outcome: usize,
    pub runs: u64,
    /// Share of runs where the outcome holds.
    pub base_rate: f64,
    /// Every box of the peeling trajectory, the full box first.
    pub boxes: Vec<PrimBox>,
    /// The box [`CHOICE_RULE`] picks.
    pub chosen: Option<usize>,
}

/// How the box is chosen, in words (summary.json records it).
pub const CHOICE_RULE: &str = "the box of highest density among those that hold at least half \
     of the runs where the outcome holds (coverage >= 0.5); the earliest on ties";

/// The most runs a discovery holds: PRIM keeps every run's inputs in memory.
pub const MAX_RUNS: u64 = 5_000_000;

/// The index of the outcome named `name`, or a bad-request error with the nearest name.
pub fn find_outcome(sc: &Scenario, name: &str) -> Result<usize, DiscoverError> {
    sc.outcomes
        .iter()
        .position(|o| o.name == name)
        .ok_or_else(|| {
            let hint = suggest(name, sc.outcomes.iter().map(|o| o.name.as_str()))
                .map(|s| format!("; did you mean {s:?}?"))
                .unwrap_or_default();
            let known: Vec<String> = sc
                .outcomes
                .iter()
                .map(|o| format!("{:?}", o.name))
                .collect();
            DiscoverError::BadRequest(format!(
                "no outcome is named {name:?}{hint} (the scenario's outcomes: {})",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ))
        })
}

/// Checks a request before anything runs; returns the outcome's index.
pub fn check_request(sc: &Scenario, req: &DiscoverRequest) -> Result<usize, DiscoverError> {
    let o = find_outcome(sc, &req.outcome)?;
    if sc.inputs.is_empty() {
        return Err(DiscoverError::BadRequest(format!(
            "scenario \"{}\" has no uncertain inputs, so there is no box of inputs to find: \
             give some of its numbers as ranges, such as trust = {{ low = 0.4, high = 0.7 }}",
            sc.name
        )));
    }
    if req.runs < 20 || req.runs > MAX_RUNS {
        return Err(DiscoverError::BadRequest(format!(
            "--runs must be between 20 and {MAX_RUNS} for a discovery, got {}",
            req.runs
        )));
    }
    Ok(o)
}

/// Runs the study, peels, and writes the directory (see [`staged`]).
pub fn run_discover(
    sc: &Scenario,
    scenario_text: &str,
    req: &DiscoverRequest,
    pool: &rayon::ThreadPool,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<Finished<Discovery>, DiscoverError> {
    let outcome = check_request(sc, req)?;
    let simulate = || -> Result<Discovery, DiscoverError> {
        let plan = RunPlan::single(sc, req.seed, 0..req.runs).with_inputs(InputPlan::Drawn);
        let done = execute(
            &plan,
            "discover",
            pool,
            &|| VerdictTable::new(outcome, 0..req.runs),
            false,
            progress,
            cancel,
        )?;
        let verdicts = done.tallied.tally.verdicts();
        // The inputs of every run, recomputed from their streams, one column per input.
        let keys = stream_keys(sc, req.seed);
        let d = sc.inputs.len();
        let mut columns = vec![Vec::with_capacity(verdicts.len()); d];
        let mut values = Vec::new();
        for k in 0..req.runs {
            plan.input_values(sc, &keys, k, &mut values);
            for (c, &v) in columns.iter_mut().zip(&values) {
                c.push(v);
            }
        }
        let boxes = prim(&columns, &verdicts, &PrimOptions::default())?;
        let chosen = choose_box(&boxes, DEFAULT_MIN_COVERAGE);
        let hits = verdicts.iter().filter(|&&v| v).count();
        Ok(Discovery {
            outcome,
            runs: req.runs,
            base_rate: hits as f64 / verdicts.len().max(1) as f64,
            boxes,
            chosen,
        })
    };
    let write = |dir: &Path, found: &Discovery, meta: &crate::output::StudyMeta| {
        write_discover(dir, sc, scenario_text, found, req.seed, meta)?;
        Ok::<(), DiscoverError>(())
    };
    staged(&req.output, pool, simulate, write, discover_charts::render)
}
