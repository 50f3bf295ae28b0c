//! The extra files of a study grown block by block until its intervals were narrow enough
//! (`influence run --until-ci`): the path of every outcome's estimate, and the rule in
//! summary.json. Every other file is exactly that of a plain study of the final run count.

use std::fs;
use std::path::Path;

use super::atomic::OutputError;
use super::schema::convergence::{Convergence, ConvergenceRecord};
use super::schema::{TableWriter, summary};
use super::study::{StudyMeta, UntilJson, summary_json_until};
use crate::analysis::convergence::{ConvergencePoint, StopRule};
use crate::montecarlo::BatchResult;
use crate::scenario::Scenario;

/// The file that holds the path; its presence is what makes a study a grown one.
pub const CONVERGENCE_CSV: &str = super::schema::convergence::FILE;

/// `runs,outcome,probability,ci_low,ci_high`: after each block, each outcome's estimate and
/// Wilson 95% interval, outcomes in scenario order.
pub fn convergence_csv(sc: &Scenario, path: &[ConvergencePoint]) -> String {
    let mut t = TableWriter::<Convergence>::new();
    for point in path {
        for (outcome, (p, interval)) in sc.outcomes.iter().zip(&point.estimates) {
            t.push(&ConvergenceRecord {
                runs: point.runs,
                outcome: &outcome.name,
                probability: *p,
                ci_low: interval.low,
                ci_high: interval.high,
            });
        }
    }
    t.into_string()
}

/// What summary.json records of the rule and its result.
pub fn until_json(rule: &StopRule, path: &[ConvergencePoint], met: bool) -> UntilJson {
    UntilJson {
        half_width: rule.half_width,
        block: rule.block,
        max_runs: rule.max_runs,
        met,
        widest_half_width: path
            .last()
            .map_or(f64::NAN, ConvergencePoint::widest_half_width),
    }
}

/// Writes convergence.csv into `dir` and replaces the summary.json that `write_study` wrote
/// there with one that also records the rule.
pub fn write_convergence(
    dir: &Path,
    sc: &Scenario,
    result: &BatchResult,
    meta: &StudyMeta,
    until: &UntilJson,
    path: &[ConvergencePoint],
) -> Result<(), OutputError> {
    let files = [
        (CONVERGENCE_CSV, convergence_csv(sc, path)),
        (
            summary::FILE,
            summary_json_until(dir, sc, result, meta, Some(until))?,
        ),
    ];
    for (name, text) in files {
        let file = dir.join(name);
        fs::write(&file, text).map_err(|e| OutputError::io(&file, e))?;
    }
    Ok(())
}
