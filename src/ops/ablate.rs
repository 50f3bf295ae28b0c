//! `influence ablate` as one library call: the study re-run with each event left out in
//! turn, paired with the full scenario, its effects ranked and written atomically, with
//! tornado charts drawn from the written files.

use std::sync::atomic::AtomicBool;

use super::paired::{PairedRequest, PairedStudyError};
use super::{Finished, staged};
use crate::analysis::ablation::{Effect, event_effects, rank};
use crate::montecarlo::BatchConfig;
use crate::montecarlo::paired::{PairError, run_paired};
use crate::output::ablation::{ablation_table, write_ablation};
use crate::output::charts::tornado::render_ablation_charts;
use crate::scenario::Scenario;

/// What an ablation computed: the ranked effects, and the terminal table of them.
#[derive(Debug)]
pub struct Ablation {
    pub effects: Vec<Effect>,
    pub table: String,
}

/// A finished ablation.
pub type AblationReport = Finished<Ablation>;

/// Effects of every event on every outcome and every actor's final alignment, ranked per
/// measure and name by absolute size (ties by event order). For every event, the scenario
/// without it is run paired with the full scenario on `pool`. `progress` counts paired runs.
pub fn ablate(
    sc: &Scenario,
    cfg: &BatchConfig,
    pool: &rayon::ThreadPool,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<Vec<Effect>, PairError> {
    let mut effects = Vec::new();
    for e in 0..sc.events.len() {
        let mut without = sc.clone();
        without.events.remove(e);
        let r = run_paired(&without, sc, cfg, pool, progress, cancel)?;
        effects.extend(event_effects(sc, &without, e, &r));
    }
    rank(&mut effects);
    Ok(effects)
}

/// Runs the ablation and writes its directory (see [`staged`]).
pub fn run_ablation(
    sc: &Scenario,
    scenario_text: &str,
    req: &PairedRequest,
    pool: &rayon::ThreadPool,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<AblationReport, PairedStudyError> {
    let cfg = BatchConfig {
        inputs: req
            .posterior
            .clone()
            .unwrap_or_else(|| super::study::input_plan(sc, false)),
        ..BatchConfig::new(req.runs, req.seed)
    };
    staged(
        &req.output,
        pool,
        || -> Result<Ablation, PairedStudyError> {
            let effects = ablate(sc, &cfg, pool, progress, cancel)?;
            let table = ablation_table(sc, &effects, req.runs, req.seed);
            Ok(Ablation { effects, table })
        },
        |dir, a, meta| {
            write_ablation(dir, sc, scenario_text, &a.effects, req.runs, req.seed, meta)?;
            Ok(())
        },
        render_ablation_charts,
    )
}
