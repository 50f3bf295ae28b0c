//! One shard of a study, for a cluster: `influence run --shard K/N`, and what the parts of
//! every sharded command share.
//!
//! A shard simulates a contiguous slice of the study's run indices and writes a *partial
//! directory*: its saved tallies with their header (`part.json`), its slice of the per-run
//! tables (`final.csv`, `inputs.csv`) and the scenario. `influence merge` turns the N parts
//! into exactly the directory the unsharded study would have written. A shard's result
//! depends only on (scenario, seed, K, N): which machine, thread count or order does not
//! show. `influence sensitivity` and `influence discover` shard the same way (their parts
//! are in `ops::sensitivity` and `ops::discover`); every part.json starts with a
//! [`PartHead`], so a merge learns what it holds before reading the rest.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use super::study::{INPUTS_FILE, input_plan, wants_baseline};
use super::{Finished, OutputRequest, staged};
use crate::montecarlo::plan::{InputPlan, Shard};
use crate::montecarlo::tallies::StudyTally;
use crate::montecarlo::tally::Tallied;
use crate::montecarlo::{BatchConfig, BatchError, BatchResult, run_batch};
use crate::output::OutputError;
use crate::output::charts::ChartError;
use crate::output::inputs::write_inputs_csv;
use crate::output::schema::final_alignment;
use crate::output::study::{write_file_with, write_final_csv};
use crate::scenario::Scenario;

/// The file of a partial directory that holds its tallies and what it is a part of.
pub const PART_FILE: &str = "part.json";

/// The `kind` of a partial directory's `part.json`.
pub const PART_KIND: &str = "part";

/// The format of part.json this version writes. Format 1 had parts of `influence run`
/// only, and did not name its format; format 2 names it and adds the parts of
/// `influence sensitivity` and `influence discover`. A run part of format 1 reads as it
/// always did.
pub const PART_FORMAT: u32 = 2;

fn format_1() -> u32 {
    1
}

/// What every part.json says before the rest, whatever its command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartHead {
    /// [`PART_KIND`].
    pub kind: String,
    /// [`PART_FORMAT`] of the writer; 1 when absent.
    #[serde(default = "format_1")]
    pub format: u32,
    /// `run`, `sensitivity` or `discover`.
    pub command: String,
}

impl PartHead {
    pub fn new(command: &str) -> PartHead {
        PartHead {
            kind: PART_KIND.to_string(),
            format: PART_FORMAT,
            command: command.to_string(),
        }
    }
}

/// Writes a part's `part.json` and the copy of its scenario into `dir`.
pub fn write_part<P: Serialize>(
    dir: &Path,
    part: &P,
    scenario_text: &str,
) -> Result<(), ShardError> {
    let path = dir.join(PART_FILE);
    let text = serde_json::to_string(part).map_err(|e| ShardError::Serialise {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    std::fs::write(&path, text).map_err(|e| OutputError::io(&path, e))?;
    let scenario_path = dir.join(crate::output::schema::SCENARIO_FILE);
    std::fs::write(&scenario_path, scenario_text)
        .map_err(|e| OutputError::io(&scenario_path, e))?;
    Ok(())
}

/// What a partial directory of `influence run` is a part of, and what it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    /// Always [`PART_KIND`]: tells a part from a finished study.
    pub kind: String,
    /// [`PART_FORMAT`] of the writer; 1 when absent.
    #[serde(default = "format_1")]
    pub format: u32,
    /// The command whose study this is a part of (`run`).
    pub command: String,
    pub shard: Shard,
    /// Runs of the whole study.
    pub runs: u64,
    pub seed: u64,
    /// Whether inputs were held at their nominal values.
    pub nominal: bool,
    /// Whether each run also ran its no-event twin.
    #[serde(default)]
    pub baseline: bool,
    /// Runs whose trajectories are kept for the charts (runs `0..sample_runs`).
    pub sample_runs: usize,
    /// With `--posterior`: the SHA-256 of the posterior.csv each run drew its inputs from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posterior_sha256: Option<String>,
    pub threads: usize,
    pub elapsed_s: f64,
    pub tallied: Tallied<StudyTally>,
}

/// Where the shard index and count come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardChoice {
    /// Given on the command line as `K/N`.
    Given(Shard),
    /// From the scheduler's environment: a Slurm array task, or a Kubernetes Indexed Job
    /// with the count given separately (`--shards N`).
    Auto { shards: Option<u64> },
}

#[derive(Debug, thiserror::Error)]
pub enum ShardError {
    #[error("{0}")]
    BadShard(String),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Batch(#[from] BatchError),
    #[error(transparent)]
    Charts(#[from] ChartError),
    #[error("cannot write {path}: {message}")]
    Serialise { path: String, message: String },
}

impl ShardError {
    pub fn is_bad_input(&self) -> bool {
        matches!(self, ShardError::BadShard(_))
    }
}

/// Reads `K/N` (K in 0..N, N ≥ 1) or `auto`.
pub fn parse_shard(text: &str) -> Result<ShardChoice, String> {
    if text == "auto" {
        return Ok(ShardChoice::Auto { shards: None });
    }
    let bad = || format!("--shard takes K/N with 0 ≤ K < N (such as 0/4), or auto; got {text:?}");
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let index: u64 = k.trim().parse().map_err(|_| bad())?;
    let count: u64 = n.trim().parse().map_err(|_| bad())?;
    if count == 0 || index >= count {
        return Err(bad());
    }
    Ok(ShardChoice::Given(Shard { index, count }))
}

/// Resolves a choice against the environment (`env` looks a variable up; the process
/// environment in the CLI, a map in tests).
pub fn resolve_shard(
    choice: ShardChoice,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Shard, ShardError> {
    let number =
        |name: &str| -> Result<Option<u64>, ShardError> {
            match env(name) {
                None => Ok(None),
                Some(v) => v.trim().parse().map(Some).map_err(|_| {
                    ShardError::BadShard(format!("{name}={v:?} is not a whole number"))
                }),
            }
        };
    let shards = match choice {
        ShardChoice::Given(s) => return Ok(s),
        ShardChoice::Auto { shards } => shards,
    };
    if let (Some(id), Some(count)) = (
        number("SLURM_ARRAY_TASK_ID")?,
        number("SLURM_ARRAY_TASK_COUNT")?,
    ) {
        let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let index = id.checked_sub(min).filter(|&k| k < count).ok_or_else(|| {
            ShardError::BadShard(format!(
                "the Slurm array task {id} (first {min}, {count} tasks) is not one of \
                 {count} consecutive tasks; submit the array as --array=0-{}",
                count.saturating_sub(1)
            ))
        })?;
        return Ok(Shard { index, count });
    }
    if let Some(index) = number("JOB_COMPLETION_INDEX")? {
        let count = shards.ok_or_else(|| {
            ShardError::BadShard(
                "JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but the number of \
                 shards is not: pass --shards N, the Job's completions"
                    .into(),
            )
        })?;
        if count == 0 || index >= count {
            return Err(ShardError::BadShard(format!(
                "JOB_COMPLETION_INDEX={index} is not below --shards {count}"
            )));
        }
        return Ok(Shard { index, count });
    }
    Err(ShardError::BadShard(
        "--shard auto found neither a Slurm array task (SLURM_ARRAY_TASK_ID and \
         SLURM_ARRAY_TASK_COUNT) nor a Kubernetes Indexed Job (JOB_COMPLETION_INDEX); \
         give --shard K/N"
            .into(),
    ))
}

/// What a shard asks for.
#[derive(Debug, Clone)]
pub struct ShardRequest {
    /// Runs of the whole study.
    pub runs: u64,
    pub seed: u64,
    pub nominal: bool,
    /// Whether the study runs the no-event baseline (see [`super::study::wants_baseline`]).
    pub baseline: bool,
    /// Draw each run's inputs from a calibration's posterior (not with `nominal`).
    pub posterior: Option<super::calibrate::Posterior>,
    pub shard: Shard,
    /// Where the partial directory goes; charts are never drawn for a part.
    pub output: OutputRequest,
}

/// The plan name of a sharded study's parts: everything besides scenario and seed that
/// must agree for two parts to belong to one study.
pub fn part_plan_name(command: &str, runs: u64, cfg: &BatchConfig) -> String {
    let inputs = match cfg.inputs {
        InputPlan::Nominal => "nominal",
        InputPlan::Drawn => "drawn",
        InputPlan::Design { .. } => "design",
        InputPlan::Posterior { .. } => "posterior",
    };
    let sample_runs = cfg.sample_runs;
    let baseline = if cfg.baseline {
        ";no-event-baseline"
    } else {
        ""
    };
    format!("{command};runs={runs};inputs={inputs};sample={sample_runs}{baseline}")
}

/// Simulates one shard and writes its partial directory.
pub fn run_shard(
    sc: &Scenario,
    scenario_text: &str,
    req: &ShardRequest,
    pool: &rayon::ThreadPool,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<Finished<BatchResult>, ShardError> {
    let runs = req.shard.runs(&(0..req.runs));
    let cfg = BatchConfig {
        first_run: runs.start,
        inputs: match &req.posterior {
            Some(p) if !req.nominal => p.plan.clone(),
            _ => input_plan(sc, req.nominal),
        },
        baseline: wants_baseline(sc, req.baseline),
        keep: super::spool_keep(&req.output.out),
        ..BatchConfig::new(runs.end - runs.start, req.seed)
    };
    let output = OutputRequest {
        charts: false,
        ..req.output.clone()
    };
    let simulate = || -> Result<BatchResult, ShardError> {
        let mut result = run_batch(sc, &cfg, pool, progress, cancel)?;
        result.header.plan = part_plan_name("run", req.runs, &cfg);
        if let Some(p) = &req.posterior {
            result
                .header
                .plan
                .push_str(&format!(";posterior-sha256={}", p.sha256));
        }
        Ok(result)
    };
    let write = |dir: &Path, result: &BatchResult, meta: &crate::output::StudyMeta| {
        let part = Part {
            kind: PART_KIND.to_string(),
            format: PART_FORMAT,
            command: "run".to_string(),
            shard: req.shard,
            runs: req.runs,
            seed: req.seed,
            nominal: req.nominal,
            baseline: cfg.baseline,
            sample_runs: cfg.sample_runs,
            posterior_sha256: req.posterior.as_ref().map(|p| p.sha256.clone()),
            threads: meta.threads,
            elapsed_s: meta.elapsed_s,
            tallied: Tallied {
                header: result.header.clone(),
                tally: result.aggregates.clone(),
            },
        };
        write_part(dir, &part, scenario_text)?;
        write_file_with(&dir.join(final_alignment::FILE), |out| {
            write_final_csv(out, sc, result)
        })?;
        if !sc.inputs.is_empty() {
            let plan = cfg.plan(sc);
            write_file_with(&dir.join(INPUTS_FILE), |out| {
                write_inputs_csv(out, sc, &plan, true)
            })?;
        }
        Ok(())
    };
    staged(&output, pool, simulate, write, super::no_charts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn shards_cover_every_run_once_in_order() {
        for total in [0u64, 1, 5, 64, 1000, 1001] {
            for count in [1u64, 2, 3, 7, 64] {
                let mut next = 10;
                for index in 0..count {
                    let r = Shard { index, count }.runs(&(10..10 + total));
                    assert_eq!(r.start, next);
                    assert!(r.end - r.start <= total / count + 1);
                    next = r.end;
                }
                assert_eq!(next, 10 + total);
            }
        }
    }

    #[test]
    fn shard_text_is_checked() {
        assert_eq!(
            parse_shard("2/7"),
            Ok(ShardChoice::Given(Shard { index: 2, count: 7 }))
        );
        assert_eq!(parse_shard("auto"), Ok(ShardChoice::Auto { shards: None }));
        for bad in ["7/7", "1/0", "a/2", "3", "-1/4", ""] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn auto_reads_slurm_and_kubernetes_and_says_when_neither_is_there() {
        let slurm = env(&[
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_MIN", "3"),
        ]);
        let s = resolve_shard(ShardChoice::Auto { shards: None }, &slurm).expect("slurm");
        assert_eq!(s, Shard { index: 2, count: 4 });
        let k8s = env(&[("JOB_COMPLETION_INDEX", "3")]);
        let s = resolve_shard(ShardChoice::Auto { shards: Some(8) }, &k8s).expect("k8s");
        assert_eq!(s, Shard { index: 3, count: 8 });
        let err = resolve_shard(ShardChoice::Auto { shards: None }, &k8s).expect_err("count");
        assert!(err.to_string().contains("--shards N"), "{err}");
        let err = resolve_shard(ShardChoice::Auto { shards: None }, &env(&[])).expect_err("none");
        assert!(err.to_string().contains("found neither"), "{err}");
        let bad = env(&[
            ("SLURM_ARRAY_TASK_ID", "9"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ]);
        assert!(resolve_shard(ShardChoice::Auto { shards: None }, &bad).is_err());
    }
}
