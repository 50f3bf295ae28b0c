//! `influence blocs`: the two-bloc splits the scenario's start favours, by landscape theory
//! (MODEL.md, "Analysis"); the work is [`influence::ops::blocs::run_blocs`]. Nothing is
//! simulated.

use std::path::PathBuf;

use clap::Args;

use influence::ops::OutputRequest;
use influence::ops::blocs::run_blocs;

use super::{Failure, load, suffixed_out_dir, thread_pool};

pub const HELP: &str = "\
Examples:
  influence blocs
  influence blocs my.toml --out results/my-blocs

Propensity P_ij = (T0_ij + T0_ji)/2 and size = power: the splits into two blocs that no
single actor's move improves (local minima of E = sum p_i p_j P_ij over pairs split apart),
with their energy and basin share (the share of single-move descents, from all 2^(n-1)
splits up to 20 actors and from 1000 seeded random splits beyond, that end in each). The
first listed is the global minimum. Writes blocs_start.csv
(rank,energy,basin_share,bloc_a,bloc_b; members joined by ';', the bloc of the first actor
first), summary.json, a copy of the scenario and report.html to the output directory.
Where the runs of a study end is in the study's own blocs.csv and blocs_splits.csv.";

#[derive(Args)]
pub struct BlocsArgs {
    /// Scenario file (default: the embedded South Caucasus scenario).
    scenario: Option<PathBuf>,
    /// Output directory (default: outputs/<scenario file stem>-blocs).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace the output directory if it exists and influence wrote it (never other files).
    #[arg(long)]
    force: bool,
    /// Do not print the minima.
    #[arg(long, short)]
    quiet: bool,
    /// How many minima to print (all are written to blocs_start.csv).
    #[arg(long, default_value_t = 5)]
    top: usize,
}

pub fn exec(args: BlocsArgs) -> Result<(), Failure> {
    let (source, sc) = load(args.scenario.as_deref())?;
    let output = OutputRequest {
        out: args
            .out
            .unwrap_or_else(|| suffixed_out_dir(&source.path, "blocs")),
        force: args.force,
        charts: false,
    };
    let pool = thread_pool(Some(1))?;
    let report = run_blocs(&sc, &source.text, &output, &pool)?;
    if args.quiet {
        return Ok(());
    }
    let land = &report.value.landscape;
    sayln!(
        "{} local minim{} of the start's landscape ({}, {} starts):",
        land.minima.len(),
        if land.minima.len() == 1 { "um" } else { "a" },
        if land.exact { "exact" } else { "sampled" },
        land.starts
    );
    for (k, (m, (a, b))) in land
        .minima
        .iter()
        .zip(&report.value.minima)
        .enumerate()
        .take(args.top)
    {
        let b = if b.is_empty() {
            "(nobody)".to_string()
        } else {
            b.replace(';', ", ")
        };
        sayln!(
            "  {}. energy {:+.4}, basin {:.0}%: {} | {}",
            k + 1,
            m.energy,
            100.0 * m.basin_share,
            a.replace(';', ", "),
            b
        );
    }
    sayln!("\nWrote {}/.", report.out.display());
    Ok(())
}
