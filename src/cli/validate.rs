//! `influence validate`: check a scenario and say what it holds; runs nothing. A scenario
//! that does not check is reported by [`super::load`] with its diagnostics (exit code 2).

use std::path::PathBuf;

use clap::Args;

use influence::montecarlo::estimate::{estimate, human, time_runs};

use super::{Failure, load};

pub const HELP: &str = "\
Examples:
  influence validate scenarios/south_caucasus.toml
  influence validate            # checks the embedded default

Prints what the scenario holds, the memory and disk a study of its own run count (`runs`)
is estimated to need (every study command refuses one over the cap, see --max-memory, or
over the free disk), and the time it will take, measured by timing a few runs here.";

#[derive(Args)]
pub struct ValidateArgs {
    /// Scenario file (default: the embedded South Caucasus scenario).
    scenario: Option<PathBuf>,
}

/// Seconds as a reader says them: "0.4 s", "12 s", "3.5 min", "2.1 h".
fn duration(seconds: f64) -> String {
    match seconds {
        s if s < 10.0 => format!("{s:.1} s"),
        s if s < 120.0 => format!("{s:.0} s"),
        s if s < 7200.0 => format!("{:.1} min", s / 60.0),
        s => format!("{:.1} h", s / 3600.0),
    }
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
    let pool = super::thread_pool(Some(1))?;
    let pilot = time_runs(&sc, &pool)?;
    sayln!(
        "time: about {} for {} runs on {threads} thread{} (timed on {} run{} here)",
        duration(pilot.seconds(sc.runs, threads)),
        sc.runs,
        if threads == 1 { "" } else { "s" },
        pilot.runs,
        if pilot.runs == 1 { "" } else { "s" }
    );
    let drift = influence::ops::drift::quiet_run(&sc, &pool)?;
    let moved: Vec<String> = sc
        .actors
        .iter()
        .zip(&drift.alignment)
        .filter(|(_, (a0, end))| (end - a0).abs() > influence::ops::drift::DRIFT_TOLERANCE)
        .map(|(a, (a0, end))| format!("{} {a0:+.3} -> {end:+.3}", a.name))
        .collect();
    if moved.is_empty() && drift.trust.is_empty() {
        sayln!(
            "without events and noise nothing moves over the {} {}s (anchors = \"{}\")",
            sc.steps,
            sc.step_unit,
            sc.model.anchors.as_str()
        );
    } else {
        sayln!(
            "without events and noise, over the {} {}s (anchors = \"{}\"):",
            sc.steps,
            sc.step_unit,
            sc.model.anchors.as_str()
        );
        if !moved.is_empty() {
            sayln!("  alignment drifts: {}", moved.join(", "));
        }
        for &(i, j, t0, m) in &drift.trust {
            sayln!(
                "  trust of {} in {} moves by up to {m:.3} from {t0:+.3}",
                sc.actors[i].name,
                sc.actors[j].name
            );
        }
    }
    for w in &drift.warnings {
        sayln!("warning: {w}");
    }
    Ok(())
}
