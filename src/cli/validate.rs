//! `influence validate`: check a scenario and say what it holds; runs nothing. A scenario
//! that does not check is reported by [`super::load`] with its diagnostics (exit code 2).

use std::path::PathBuf;

use clap::Args;

use super::{Failure, load};

pub const HELP: &str = "\
Examples:
  influence validate scenarios/south_caucasus.toml
  influence validate            # checks the embedded default";

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
    Ok(())
}
