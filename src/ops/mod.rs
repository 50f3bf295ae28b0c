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
pub mod calibrate;
pub mod compare;
pub mod discover;
pub mod drift;
pub mod merge;
pub mod merge_calibrate;
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

use crate::montecarlo::FinalKeep;
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

/// Where a study writing to `out` keeps its per-run table: an unnamed temporary file in the
/// nearest existing directory above `out`, on the disk the output goes to (whose free space
/// the footprint check has counted), never in memory, where a million runs of a large world
/// would not fit.
pub fn spool_keep(out: &Path) -> FinalKeep {
    let out = crate::output::atomic::without_missing_detours(out);
    let dir = out
        .ancestors()
        .skip(1)
        .map(|d| {
            if d.as_os_str().is_empty() {
                Path::new(".")
            } else {
                d
            }
        })
        .find(|d| d.is_dir())
        .unwrap_or(Path::new("."));
    FinalKeep::Spool(dir.to_path_buf())
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
    draw: impl FnOnce(&Path, &Path) -> Result<ChartsReport, ChartError> + Send,
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
    // Charts are pictures of the files just written: a chart that fails costs no data. The
    // directory is committed without charts/ and the failure reported after, so a long
    // study is never lost to a drawing problem.
    let (charts, chart_error) = if output.charts {
        pause_at("charts");
        let charts_dir = staged.path().join(CHARTS_DIR);
        // A panic while drawing (a bug, never expected) is caught like an error, for the
        // same reason. Charts are drawn side by side on the study's threads, and on no
        // others: `--threads 1` draws them one at a time.
        let drawn = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            pool.install(|| draw(staged.path(), &charts_dir))
        }))
        .unwrap_or_else(|panic| {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".to_string());
            Err(ChartError::Draw {
                chart: "the charts",
                message,
            })
        });
        match drawn {
            Ok(report) => (Some(report), None),
            Err(e) => {
                let _ = std::fs::remove_dir_all(&charts_dir);
                (None, Some(e))
            }
        }
    } else {
        (None, None)
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
    if let Some(e) = chart_error {
        return Err(OutputError::Charts {
            dir: out,
            source: Box::new(e),
        }
        .into());
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn request(out: PathBuf) -> OutputRequest {
        OutputRequest {
            out,
            force: false,
            charts: true,
        }
    }

    fn write_data(dir: &Path, _: &u8, _: &StudyMeta) -> Result<(), OutputError> {
        std::fs::write(dir.join("data.csv"), "a\n1\n").map_err(|e| OutputError::io(dir, e))
    }

    /// Charts are drawn on the study's threads, however many that is, and on no others.
    #[test]
    fn charts_are_drawn_on_the_studys_threads() {
        let tmp = tempfile::tempdir().unwrap();
        for threads in [1, 3] {
            let pool = crate::montecarlo::thread_pool(Some(threads)).unwrap();
            let seen = std::sync::Mutex::new(None);
            staged(
                &request(tmp.path().join(format!("study{threads}"))),
                &pool,
                || Ok::<u8, study::StudyError>(7),
                |dir, v, meta| Ok(write_data(dir, v, meta)?),
                |dir, charts| {
                    *seen.lock().unwrap() = Some((
                        rayon::current_thread_index().is_some(),
                        rayon::current_num_threads(),
                    ));
                    no_charts(dir, charts)
                },
            )
            .unwrap();
            assert_eq!(seen.into_inner().unwrap(), Some((true, threads)));
        }
    }

    /// A chart that fails, or panics, after a study's files are written costs no data: the
    /// directory is committed with its files and without charts/, and the failure is
    /// reported after.
    #[test]
    fn a_failed_or_panicking_chart_keeps_the_files() {
        let pool = crate::montecarlo::thread_pool(Some(1)).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        for (k, panics) in [false, true].into_iter().enumerate() {
            let out = tmp.path().join(format!("study{k}"));
            let result = staged(
                &request(out.clone()),
                &pool,
                || Ok::<u8, study::StudyError>(7),
                |dir, v, meta| Ok(write_data(dir, v, meta)?),
                |_, charts| {
                    std::fs::create_dir_all(charts).unwrap();
                    std::fs::write(charts.join("half.png"), "x").unwrap();
                    if panics {
                        panic!("drawing went wrong");
                    }
                    Err(ChartError::Font)
                },
            );
            let Err(study::StudyError::Output(OutputError::Charts { dir, source })) = result else {
                panic!("expected the charts' failure, got {result:?}");
            };
            assert_eq!(dir, out);
            if panics {
                assert!(
                    source.to_string().contains("drawing went wrong"),
                    "{source}"
                );
            }
            assert_eq!(
                std::fs::read_to_string(out.join("data.csv")).unwrap(),
                "a\n1\n"
            );
            assert!(!out.join(CHARTS_DIR).exists(), "no half-drawn charts/");
            let left: Vec<_> = std::fs::read_dir(tmp.path())
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .filter(|n| n.to_string_lossy().contains(".partial-"))
                .collect();
            assert!(left.is_empty(), "staging left: {left:?}");
        }
    }
}
