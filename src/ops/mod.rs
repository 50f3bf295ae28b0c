//! Every operation that simulates, each a library call behind one command: a study
//! ([`study`], grown by a stopping rule in [`until`]), the same study under several seeds
//! ([`seeds`]), two scenarios compared on common random numbers ([`compare`]), each event's
//! effect measured by leaving it out ([`ablate`]), one run replayed step by step ([`replay`])
//! and the pick of a representative run ([`pick`]).
//!
//! They all simulate through the one driver (`montecarlo::driver`) on a thread pool the
//! caller makes once, and write through one skeleton, [`staged`]: a staging directory,
//! the runs, the files, the charts, then the commit that makes the directory appear whole.

pub mod ablate;
pub mod blocs;
pub mod compare;
pub mod discover;
pub mod drift;
pub mod merge;
pub mod merge_sensitivity;
pub mod paired;
pub mod pick;
pub mod replay;
pub mod seeds;
pub mod sensitivity;
pub mod shard;
pub mod study;
pub mod until;

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::output::charts::{CHARTS_DIR, ChartError, ChartsReport};
use crate::output::report::write_report;
use crate::output::schema::summary;
use crate::output::{OutputError, StagedDir, StudyMeta};

/// Where an operation writes, and whether it draws charts.
#[derive(Debug, Clone)]
pub struct OutputRequest {
    pub out: PathBuf,
    /// Replace an existing output directory.
    pub force: bool,
    /// Draw the PNG charts into `charts/`.
    pub charts: bool,
}

/// A finished operation: what it computed, where it was written, what it cost.
#[derive(Debug)]
pub struct Finished<T> {
    pub value: T,
    pub out: PathBuf,
    pub threads: usize,
    /// Seconds spent simulating (as in summary.json), files and charts excluded.
    pub elapsed_s: f64,
    /// The charts drawn, unless they were turned off.
    pub charts: Option<ChartsReport>,
}

/// The chart step of an operation that draws none (its findings are tables): an empty
/// report, so that [`staged`] serves it too.
pub fn no_charts(_dir: &Path, charts_dir: &Path) -> Result<ChartsReport, ChartError> {
    Ok(ChartsReport {
        dir: charts_dir.to_path_buf(),
        charts: Vec::new(),
        elapsed_s: 0.0,
    })
}

/// Holds the command at the start of a phase (`writing`, `charts`) when the environment
/// variable `INFLUENCE_PAUSE_AT` names it, saying so on stderr, for up to a minute: the tests
/// of interruption send their signal while a command is certainly in that phase, instead of
/// guessing from timings. Unset, it costs one lookup per phase.
fn pause_at(phase: &str) {
    if std::env::var_os("INFLUENCE_PAUSE_AT").is_some_and(|p| p == phase) {
        eprintln!("paused at {phase}");
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
}

/// The skeleton every operation that writes a directory shares.
///
/// The output location is checked before anything runs, so a refused directory costs
/// nothing; everything is written into a staging directory that appears under its name only
/// once complete, so an error or an interrupt at any point leaves nothing behind. Charts
/// are drawn from the files just written, exactly as `influence chart` draws them later,
/// and so is report.html, as `influence report` builds it later.
pub fn staged<T, E>(
    output: &OutputRequest,
    pool: &rayon::ThreadPool,
    simulate: impl FnOnce() -> Result<T, E>,
    write: impl FnOnce(&Path, &T, &StudyMeta) -> Result<(), E>,
    draw: impl FnOnce(&Path, &Path) -> Result<ChartsReport, ChartError>,
) -> Result<Finished<T>, E>
where
    E: From<OutputError> + From<ChartError>,
{
    let staged = StagedDir::new(&output.out, output.force)?;
    let started = Instant::now();
    let value = simulate()?;
    let threads = pool.current_num_threads();
    let elapsed_s = started.elapsed().as_secs_f64();
    pause_at("writing");
    write(staged.path(), &value, &StudyMeta { threads, elapsed_s })?;
    let charts = if output.charts {
        pause_at("charts");
        Some(draw(staged.path(), &staged.path().join(CHARTS_DIR))?)
    } else {
        None
    };
    // The page comes last, from the files alone; a page that fails costs no data: the
    // directory is committed all the same and the failure reported after. A directory
    // without summary.json (a replay, a shard's part) is no study and has no page.
    let report = staged
        .path()
        .join(summary::FILE)
        .is_file()
        .then(|| write_report(staged.path()).err())
        .flatten();
    let out = staged.commit()?;
    if let Some(e) = report {
        return Err(OutputError::Report {
            dir: out,
            source: Box::new(e),
        }
        .into());
    }
    Ok(Finished {
        value,
        out: out.clone(),
        threads,
        elapsed_s,
        charts: charts.map(|c| ChartsReport {
            dir: out.join(CHARTS_DIR),
            ..c
        }),
    })
}
