//! `influence blocs`: the two-bloc splits the scenario's start favours, by landscape theory
//! (MODEL.md, "Analysis"); the work is [`influence::analysis::blocs::landscape`]. Nothing is
//! simulated.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use influence::analysis::blocs::{Search, landscape};
use influence::output::csv::Table;

use super::{Failure, load};

pub const HELP: &str = "\
Examples:
  influence blocs
  influence blocs my.toml --out blocs_start.csv

Propensity P_ij = (T0_ij + T0_ji)/2 and size = power: the splits into two blocs that no
single actor's move improves (local minima of E = sum p_i p_j P_ij over pairs split apart),
with their energy and basin share (the share of single-move descents, from all 2^(n-1)
splits up to 20 actors and from 1000 seeded random splits beyond, that end in each). The
first listed is the global minimum. --out writes them as blocs_start.csv
(rank,energy,basin_share,bloc_a,bloc_b; members joined by ';', the bloc of the first actor
first).";

#[derive(Args)]
pub struct BlocsArgs {
    /// Scenario file (default: the embedded South Caucasus scenario).
    scenario: Option<PathBuf>,
    /// Write blocs_start.csv here (refused if the file exists).
    #[arg(long)]
    out: Option<PathBuf>,
    /// How many minima to print (all are written to --out).
    #[arg(long, default_value_t = 5)]
    top: usize,
}

pub fn exec(args: BlocsArgs) -> Result<(), Failure> {
    let (_, sc) = load(args.scenario.as_deref())?;
    let power: Vec<f64> = sc.actors.iter().map(|a| a.power).collect();
    let names: Vec<&str> = sc.actors.iter().map(|a| a.name.as_str()).collect();
    let land = landscape(sc.n(), &sc.trust0, &power, Search::Auto)
        .map_err(|e| Failure::BadInput(format!("error: {e}")))?;
    let mut table = Table::new(&["rank", "energy", "basin_share", "bloc_a", "bloc_b"]);
    let mut lines = Vec::new();
    for (k, m) in land.minima.iter().enumerate() {
        let (a, b) = m
            .split
            .members(&names)
            .map_err(|e| Failure::Other(format!("error: {e}")))?;
        table
            .row()
            .int(k as u64 + 1)
            .num(m.energy)
            .num(m.basin_share)
            .text(&a)
            .text(&b);
        if k < args.top {
            let b = if b.is_empty() {
                "(nobody)".to_string()
            } else {
                b.replace(';', ", ")
            };
            lines.push(format!(
                "  {}. energy {:+.4}, basin {:.0}%: {} | {}",
                k + 1,
                m.energy,
                100.0 * m.basin_share,
                a.replace(';', ", "),
                b
            ));
        }
    }
    sayln!(
        "{} local minim{} of the start's landscape ({}, {} starts):",
        land.minima.len(),
        if land.minima.len() == 1 { "um" } else { "a" },
        if land.exact { "exact" } else { "sampled" },
        land.starts
    );
    for l in lines {
        sayln!("{l}");
    }
    if let Some(path) = args.out {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| Failure::Other(format!("error: cannot create {}: {e}", path.display())))?;
        file.write_all(table.into_string().as_bytes())
            .map_err(|e| Failure::Other(format!("error: cannot write {}: {e}", path.display())))?;
    }
    Ok(())
}
