//! `influence compare` as one library call: two scenarios run on common random numbers, the
//! paired differences written atomically, with charts drawn from the written files.
//!
//! Run r of the variant draws the same random numbers as run r of the base wherever the two
//! files agree (see [`crate::montecarlo::paired`]), so a difference between them is what the
//! variant's changes do, with far less Monte Carlo noise than two separate studies would have.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use super::paired::{PairedRequest, PairedStudyError, labels};
use crate::montecarlo::BatchConfig;
use crate::montecarlo::paired::{PairedResult, check_comparable, run_paired};
use crate::output::charts::compare::render_compare_charts;
use crate::output::charts::{CHARTS_DIR, ChartsReport};
use crate::output::compare::{Side, compare_table, write_compare};
use crate::output::{StagedDir, StudyMeta};
use crate::scenario::{Scenario, ScenarioSource};

/// One of the two scenarios: where its text came from, and the checked scenario.
#[derive(Debug, Clone, Copy)]
pub struct Compared<'a> {
    pub source: &'a ScenarioSource,
    pub scenario: &'a Scenario,
}

/// A finished comparison.
#[derive(Debug)]
pub struct CompareReport {
    pub result: PairedResult,
    pub out: PathBuf,
    pub threads: usize,
    /// Seconds spent on the runs (as in summary.json), charts excluded.
    pub elapsed_s: f64,
    /// The charts drawn, unless they were turned off.
    pub charts: Option<ChartsReport>,
    /// The summary for the terminal.
    pub table: String,
}

/// How the files name one of the two scenarios.
fn side<'a>(c: Compared<'a>, label: String) -> Side<'a> {
    Side {
        scenario: c.scenario,
        text: &c.source.text,
        file: c.source.path.display().to_string(),
        label,
    }
}

/// Runs `req.runs` paired runs of `base` and `variant` and writes the comparison to
/// `req.out`. Scenarios that cannot be paired are refused before anything is created, and on
/// any later error nothing is written.
pub fn run_compare(
    base: Compared,
    variant: Compared,
    req: &PairedRequest,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<CompareReport, PairedStudyError> {
    check_comparable(base.scenario, variant.scenario)?;
    let staged = StagedDir::new(&req.out, req.force)?;
    let started = Instant::now();
    let cfg = BatchConfig {
        threads: req.threads,
        ..BatchConfig::new(req.runs, req.seed)
    };
    let result = run_paired(base.scenario, variant.scenario, &cfg, progress, cancel)?;
    let threads = req.threads.unwrap_or_else(rayon::current_num_threads);
    let elapsed_s = started.elapsed().as_secs_f64();
    let (base_label, variant_label) = labels(
        base.scenario,
        &base.source.path,
        variant.scenario,
        &variant.source.path,
    );
    let (base_side, variant_side) = (side(base, base_label), side(variant, variant_label));
    write_compare(
        staged.path(),
        &base_side,
        &variant_side,
        &result,
        &StudyMeta { threads, elapsed_s },
    )?;
    let charts = if req.charts {
        let dir = staged.path().join(CHARTS_DIR);
        Some(render_compare_charts(staged.path(), &dir)?)
    } else {
        None
    };
    let out = staged.commit()?;
    let table = compare_table(&base_side, &variant_side, &result);
    Ok(CompareReport {
        result,
        out: out.clone(),
        threads,
        elapsed_s,
        charts: charts.map(|c| ChartsReport {
            dir: out.join(CHARTS_DIR),
            ..c
        }),
        table,
    })
}
