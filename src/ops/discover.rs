//! `influence discover`: under which combinations of guesses an outcome happens (scenario
//! discovery by PRIM, MODEL.md "Sensitivity").
//!
//! Every run draws its inputs (as `influence run` does) and is judged on one outcome; PRIM
//! then peels boxes in the space of inputs towards the runs where the outcome holds. The
//! per-run inputs are not kept while simulating: each is a function of (seed, run, input
//! name) and is recomputed afterwards, so only a verdict a run is held.

use std::ops::Range;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use super::shard::{PartHead, ShardError, write_part};
use super::{Finished, OutputRequest, staged};
use crate::analysis::sensitivity::SensitivityError as MathError;
use crate::analysis::sensitivity::prim::{
    DEFAULT_MIN_COVERAGE, PrimBox, PrimOptions, choose_box, prim,
};
use crate::model::{OutcomeTracker, State};
use crate::montecarlo::driver::{DriverError, execute};
use crate::montecarlo::plan::{InputPlan, RunPlan, Shard};
use crate::montecarlo::stream_keys;
use crate::montecarlo::tally::{MergeError, Scratch, Tallied, Tally, same_shape};
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
    /// Draw each run's inputs from a calibration's posterior instead of their priors
    /// ([`crate::ops::calibrate::read_posterior`]); the boxes are then boxes of the
    /// posterior's vectors. Unsharded only: a merge has no posterior to redraw the inputs.
    pub posterior: Option<InputPlan>,
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
    #[error(transparent)]
    Part(#[from] ShardError),
}

impl DiscoverError {
    pub fn is_bad_input(&self) -> bool {
        match self {
            DiscoverError::BadRequest(_) => true,
            DiscoverError::Part(e) => e.is_bad_input(),
            _ => false,
        }
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

    /// The runs held.
    pub fn runs(&self) -> std::ops::Range<u64> {
        self.first_run..self.first_run + self.verdicts.len() as u64
    }

    /// Adds the verdicts of the runs that follow this table's, as the next shard holds
    /// them. Refuses, changing nothing, another outcome or runs that do not start where
    /// these end.
    pub fn append(&mut self, next: VerdictTable) -> Result<(), MergeError> {
        same_shape("per-run verdicts (outcome)", self.outcome, next.outcome)?;
        same_shape(
            "per-run verdicts (first run after the end)",
            self.runs().end,
            next.first_run,
        )?;
        self.verdicts.extend(next.verdicts);
        Ok(())
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

/// The plan of a discovery's runs: `runs` of every input drawn per run, from the priors
/// or from a posterior.
fn discover_plan<'a>(
    sc: &'a Scenario,
    seed: u64,
    runs: Range<u64>,
    posterior: Option<&InputPlan>,
) -> RunPlan<'a> {
    RunPlan::single(sc, seed, runs).with_inputs(posterior.cloned().unwrap_or(InputPlan::Drawn))
}

/// Peels the runs of a discovery whose verdicts `table` holds (every run of the study, from
/// run 0): what an unsharded discovery computes, and what a merge of its shards computes
/// from their verdicts.
pub fn analyse(
    sc: &Scenario,
    outcome: usize,
    runs: u64,
    seed: u64,
    posterior: Option<&InputPlan>,
    table: &VerdictTable,
) -> Result<Discovery, DiscoverError> {
    if table.runs() != (0..runs) {
        return Err(DiscoverError::BadRequest(format!(
            "the verdicts hold runs {}..{}, not all {runs} of the study",
            table.runs().start,
            table.runs().end
        )));
    }
    let verdicts = table.verdicts();
    // The inputs of every run, recomputed from their streams, one column per input.
    let plan = discover_plan(sc, seed, 0..runs, posterior);
    let keys = stream_keys(sc, seed);
    let d = sc.inputs.len();
    let mut columns = vec![Vec::with_capacity(verdicts.len()); d];
    let mut values = Vec::new();
    for k in 0..runs {
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
        runs,
        base_rate: hits as f64 / verdicts.len().max(1) as f64,
        boxes,
        chosen,
    })
}

/// Writes the directory of a finished discovery, charts included (see [`staged`]).
pub fn write_study(
    sc: &Scenario,
    scenario_text: &str,
    req: &DiscoverRequest,
    pool: &rayon::ThreadPool,
    simulate: impl FnOnce() -> Result<Discovery, DiscoverError>,
    meta: Option<crate::output::StudyMeta>,
) -> Result<Finished<Discovery>, DiscoverError> {
    let write = |dir: &Path, found: &Discovery, own: &crate::output::StudyMeta| {
        let meta = meta.as_ref().unwrap_or(own);
        write_discover(dir, sc, scenario_text, found, req.seed, meta)?;
        Ok::<(), DiscoverError>(())
    };
    let report = staged(&req.output, pool, simulate, write, discover_charts::render)?;
    Ok(match meta {
        Some(m) => Finished {
            threads: m.threads,
            elapsed_s: m.elapsed_s,
            ..report
        },
        None => report,
    })
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
        let plan = discover_plan(sc, req.seed, 0..req.runs, req.posterior.as_ref());
        let done = execute(
            &plan,
            "discover",
            pool,
            &|| VerdictTable::new(outcome, 0..req.runs),
            false,
            progress,
            cancel,
        )?;
        analyse(
            sc,
            outcome,
            req.runs,
            req.seed,
            req.posterior.as_ref(),
            &done.tallied.tally,
        )
    };
    write_study(sc, scenario_text, req, pool, simulate, None)
}

/// The `command` of a discovery's parts.
pub const PART_COMMAND: &str = "discover";

/// The plan name of a discovery's parts: everything besides scenario and seed that must
/// agree for two parts to belong to one discovery.
pub fn part_plan_name(outcome: &str, runs: u64) -> String {
    format!("discover;outcome={outcome:?};runs={runs}")
}

/// A partial directory's part.json for `influence discover --shard K/N`: what the study is,
/// and the verdicts of the shard's runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiscoverPart {
    /// `part`, as every part.json says first (see [`PartHead`]).
    pub kind: String,
    pub format: u32,
    /// [`PART_COMMAND`].
    pub command: String,
    pub shard: Shard,
    /// The outcome's name.
    pub outcome: String,
    /// Runs of the whole study.
    pub runs: u64,
    pub seed: u64,
    pub threads: usize,
    pub elapsed_s: f64,
    pub tallied: Tallied<VerdictTable>,
}

/// Simulates one shard of a discovery (a contiguous slice of its runs) and writes its
/// partial directory for `influence merge`; nothing is peeled and no charts are drawn.
pub fn run_discover_shard(
    sc: &Scenario,
    scenario_text: &str,
    req: &DiscoverRequest,
    shard: Shard,
    pool: &rayon::ThreadPool,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<Finished<Range<u64>>, DiscoverError> {
    let outcome = check_request(sc, req)?;
    if req.posterior.is_some() {
        return Err(DiscoverError::BadRequest(
            "--posterior does not go with --shard for a discovery: the merge peels the runs' \
             inputs, which it would have to redraw from the posterior; run it unsharded"
                .into(),
        ));
    }
    let runs = shard.runs(&(0..req.runs));
    let output = OutputRequest {
        charts: false,
        ..req.output.clone()
    };
    let simulate = || -> Result<Tallied<VerdictTable>, DiscoverError> {
        let plan = discover_plan(sc, req.seed, runs.clone(), None);
        let done = execute(
            &plan,
            &part_plan_name(&req.outcome, req.runs),
            pool,
            &|| VerdictTable::new(outcome, runs.clone()),
            false,
            progress,
            cancel,
        )?;
        Ok(done.tallied)
    };
    let write = |dir: &Path, tallied: &Tallied<VerdictTable>, meta: &crate::output::StudyMeta| {
        let head = PartHead::new(PART_COMMAND);
        let part = DiscoverPart {
            kind: head.kind,
            format: head.format,
            command: head.command,
            shard,
            outcome: req.outcome.clone(),
            runs: req.runs,
            seed: req.seed,
            threads: meta.threads,
            elapsed_s: meta.elapsed_s,
            tallied: tallied.clone(),
        };
        write_part(dir, &part, scenario_text)?;
        Ok::<(), DiscoverError>(())
    };
    let report = staged(&output, pool, simulate, write, super::no_charts)?;
    Ok(Finished {
        value: runs.clone(),
        out: report.out,
        threads: report.threads,
        elapsed_s: report.elapsed_s,
        charts: None,
    })
}
