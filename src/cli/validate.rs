//! `influence validate`: check a scenario and say what it holds; runs nothing. A scenario
//! that does not check is reported by [`super::load`] with its diagnostics (exit code 2).

use std::path::PathBuf;

use clap::Args;

use influence::montecarlo::estimate::{estimate, human};

use super::{Failure, load};

pub const HELP: &str = "\
Examples:
  influence validate scenarios/south_caucasus.toml
  influence validate            # checks the embedded default

Prints what the scenario holds and the memory and disk a study of its own run count
(`runs`) is estimated to need; `influence run` refuses one over the cap (see its --help).";

#[derive(Args)]
pub struct ValidateArgs {
    /// Scenario file (default: the embedded South Caucasus scenario).
    scenario: Option<PathBuf>,
}

pub fn exec(args: ValidateArgs) -> Result<(), Failure> {
    let (source, sc) = load(args.scenario.as_deref())?;
    let scheduled = sc.events.len();
    sayln!(
        "ok: {} ({}): {} actors, {} events, {} outcomes, {} {}s",
        source.origin,
        sc.name,
        sc.n(),
        scheduled,
        sc.outcomes.len(),
        sc.steps,
        sc.step_unit
    );
    let threads = rayon::current_num_threads();
    let need = estimate(&sc, sc.runs, threads);
    sayln!(
        "estimate for {} runs on {threads} thread{}: {} of memory, {} on disk",
        sc.runs,
        if threads == 1 { "" } else { "s" },
        human(need.memory_bytes),
        human(need.disk_bytes)
    );
    Ok(())
}
