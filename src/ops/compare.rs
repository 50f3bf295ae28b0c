//! `influence compare` as one library call: two scenarios run on common random numbers, the
//! paired differences written atomically, with charts drawn from the written files.
//!
//! Run r of the variant draws the same random numbers as run r of the base wherever the two
//! files agree (see [`crate::montecarlo::paired`]), so a difference between them is what the
//! variant's changes do, with far less Monte Carlo noise than two separate studies would have.

use std::sync::atomic::AtomicBool;

use super::paired::{PairedRequest, PairedStudyError, labels};
use super::{Finished, staged};
use crate::montecarlo::BatchConfig;
use crate::montecarlo::paired::{PairedResult, check_comparable, run_paired};
use crate::output::charts::compare::render_compare_charts;
use crate::output::compare::{Side, compare_table, write_compare};
use crate::scenario::{Scenario, ScenarioSource};

/// One side of a comparison: the scenario and the file it was read from.
#[derive(Debug, Clone, Copy)]
pub struct Compared<'a> {
    pub source: &'a ScenarioSource,
    pub scenario: &'a Scenario,
}

/// What a comparison computed: the paired tallies, and the terminal table of them.
#[derive(Debug)]
pub struct Comparison {
    pub result: PairedResult,
    pub table: String,
}

/// A finished comparison.
pub type CompareReport = Finished<Comparison>;

fn side<'a>(c: Compared<'a>, label: String) -> Side<'a> {
    Side {
        scenario: c.scenario,
        text: &c.source.text,
        file: c.source.path.display().to_string(),
        label,
    }
}

/// Runs the comparison and writes its directory (see [`super::staged`]). Scenarios that
/// cannot be paired are refused before anything is created.
pub fn run_compare(
    base: Compared,
    variant: Compared,
    req: &PairedRequest,
    pool: &rayon::ThreadPool,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<CompareReport, PairedStudyError> {
    check_comparable(base.scenario, variant.scenario)?;
    // Both sides draw their inputs by name: an input the two share is drawn alike.
    let cfg = BatchConfig {
        inputs: req
            .posterior
            .clone()
            .unwrap_or_else(|| super::study::input_plan(base.scenario, false)),
        ..BatchConfig::new(req.runs, req.seed)
    };
    let (base_label, variant_label) = labels(
        base.scenario,
        &base.source.path,
        variant.scenario,
        &variant.source.path,
    );
    let (base_side, variant_side) = (side(base, base_label), side(variant, variant_label));
    staged(
        &req.output,
        pool,
        || -> Result<Comparison, PairedStudyError> {
            let result = run_paired(
                base.scenario,
                variant.scenario,
                &cfg,
                pool,
                progress,
                cancel,
            )?;
            let table = compare_table(&base_side, &variant_side, &result);
            Ok(Comparison { result, table })
        },
        |dir, c, meta| {
            write_compare(dir, &base_side, &variant_side, &c.result, meta)?;
            Ok(())
        },
        render_compare_charts,
    )
}
