//! `influence blocs`: the two-bloc splits the scenario's start favours (landscape theory,
//! MODEL.md "Analysis"), written as a directory like every other command's: blocs_start.csv,
//! summary.json, the scenario copy and report.html. Nothing is simulated.

use std::path::Path;

use super::{Finished, OutputRequest, no_charts, staged};
use crate::analysis::blocs::{BlocError, Landscape, Search, landscape};
use crate::output::OutputError;
use crate::output::charts::ChartError;
use crate::output::csv::Table;
use crate::output::schema::SCENARIO_FILE;
use crate::output::schema::summary::{BlocsSummary, Summary};
use crate::scenario::Scenario;

/// The table of every local minimum of the start's landscape.
pub const START_FILE: &str = "blocs_start.csv";

#[derive(Debug, thiserror::Error)]
pub enum BlocsError {
    /// The scenario cannot be split (one actor, more than 64, trust not a number).
    #[error("{0}")]
    Bloc(#[from] BlocError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Charts(#[from] ChartError),
}

impl BlocsError {
    pub fn is_bad_input(&self) -> bool {
        matches!(self, BlocsError::Bloc(_))
    }
}

/// A landscape, and its minima as text (each bloc's members joined by `;`).
#[derive(Debug)]
pub struct Blocs {
    pub landscape: Landscape,
    pub minima: Vec<(String, String)>,
}

/// Computes the landscape of the scenario's start and writes its directory.
pub fn run_blocs(
    sc: &Scenario,
    scenario_text: &str,
    output: &OutputRequest,
    pool: &rayon::ThreadPool,
) -> Result<Finished<Blocs>, BlocsError> {
    let power: Vec<f64> = sc.actors.iter().map(|a| a.power).collect();
    let names: Vec<&str> = sc.actors.iter().map(|a| a.name.as_str()).collect();
    // Checked before the staging directory exists, so a scenario that cannot be split
    // costs nothing.
    let land = landscape(sc.n(), &sc.trust0, &power, Search::Auto)?;
    let minima = land
        .minima
        .iter()
        .map(|m| m.split.members(&names))
        .collect::<Result<Vec<_>, _>>()?;
    let blocs = Blocs {
        landscape: land,
        minima,
    };
    let output = OutputRequest {
        charts: false,
        ..output.clone()
    };
    staged(
        &output,
        pool,
        || Ok::<Blocs, BlocsError>(blocs),
        |dir: &Path, b: &Blocs, meta: &crate::output::StudyMeta| {
            write_blocs(dir, sc, scenario_text, b, meta)?;
            Ok(())
        },
        no_charts,
    )
}

/// "Iran, Armenia and Hezbollah" from "Iran;Armenia;Hezbollah".
fn spoken(members: &str) -> String {
    let names: Vec<&str> = members.split(';').filter(|m| !m.is_empty()).collect();
    match names.split_last() {
        None => "nobody".to_string(),
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

fn write_blocs(
    dir: &Path,
    sc: &Scenario,
    scenario_text: &str,
    b: &Blocs,
    meta: &crate::output::StudyMeta,
) -> Result<(), OutputError> {
    let mut table = Table::new(&["rank", "energy", "basin_share", "bloc_a", "bloc_b"]);
    for (k, (m, (a, bb))) in b.landscape.minima.iter().zip(&b.minima).enumerate() {
        table
            .row()
            .int(k as u64 + 1)
            .num(m.energy)
            .num(m.basin_share)
            .text(a)
            .text(bb);
    }
    let global = b.landscape.minima.first();
    let (bloc_a, bloc_b) = b.minima.first().cloned().unwrap_or_default();
    let others = b.minima.len().saturating_sub(1);
    let sentence = match global {
        Some(g) if bloc_b.is_empty() => format!(
            "The start favours one bloc of every actor (energy {:.4}, the end of {:.0}% of \
             single-move descents); {others} other local minim{}.",
            g.energy,
            100.0 * g.basin_share,
            if others == 1 { "um" } else { "a" }
        ),
        Some(g) => format!(
            "The start favours {} against {}: the global minimum of the landscape (energy \
             {:.4}), where {:.0}% of single-move descents end; {others} other local minim{}.",
            spoken(&bloc_a),
            spoken(&bloc_b),
            g.energy,
            100.0 * g.basin_share,
            if others == 1 { "um" } else { "a" }
        ),
        None => "The landscape has no minimum.".to_string(),
    };
    let summary = Summary::Blocs(BlocsSummary {
        scenario: sc.name.clone(),
        scenario_sha256: sc.sha256.clone(),
        tool: "influence".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        actors: sc.n(),
        exact: b.landscape.exact,
        starts: b.landscape.starts,
        minima: b.minima.len(),
        bloc_a,
        bloc_b,
        energy: global.map_or(f64::NAN, |g| g.energy),
        basin_share: global.map_or(f64::NAN, |g| g.basin_share),
        sentence,
        threads: meta.threads,
        elapsed_s: meta.elapsed_s,
    });
    let files = [
        (START_FILE, table.into_string()),
        (
            crate::output::schema::summary::FILE,
            summary.to_output(dir)?,
        ),
        (SCENARIO_FILE, scenario_text.to_string()),
    ];
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| OutputError::io(&path, e))?;
    }
    Ok(())
}
