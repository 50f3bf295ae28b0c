//! What a study will cost before it starts: memory and disk estimated from its shape, and
//! the refusal of a study that would not fit, so that a mistyped `--runs 1000000000000`
//! ends at once with the numbers instead of exhausting the machine an hour later.
//!
//! The estimate counts what grows: the tallies (a 400-bin histogram with moments for every step × actor cell and every pair of
//! actors, one copy per worker thread and one for the merge), the sampled trajectories, and
//! what a command holds per run or per design point; on disk, final.csv at about 20 bytes a
//! row (one row per run and actor), the per-run table spooled beside it (8 bytes a row) while
//! the runs go, and the fixed-size
//! charts and tables. It errs on the high side by design and is meant to be right within a
//! factor of two, which is what a refusal needs.

use crate::montecarlo::aggregate::BIN_WIDTH;
use crate::montecarlo::batch::DEFAULT_SAMPLE_RUNS;
use crate::scenario::Scenario;

/// The memory a study may use unless `--max-memory` says otherwise: 8 GiB.
pub const DEFAULT_MAX_MEMORY: u64 = 8 << 30;

/// Bytes of final.csv per row (`run,actor,alignment`), rounded up.
const FINAL_ROW_BYTES: u128 = 20;

/// Charts and the small tables, whatever the run count.
const FIXED_DISK_BYTES: u128 = 8 << 20;

/// What a command keeps and writes besides the tallies of one study, for commands other than
/// `run` (whose workload is [`Workload::study`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Workload {
    /// Runs simulated, for messages.
    pub runs: u64,
    /// Items held in memory at once that grow with the request: runs whose final alignments
    /// are kept, design points, per-run input vectors.
    pub held: u64,
    /// Bytes per held item.
    pub held_bytes: u64,
    /// Study tallies alive per worker thread (a paired plan keeps two sides).
    pub tallies: u64,
    /// Rows (run × actor) of per-run tables written.
    pub written_rows: u64,
    /// Rows (run × actor) of the per-run table kept on disk while the runs go (8 bytes
    /// each, in an unnamed temporary file beside the output, gone once it is written).
    pub spooled_rows: u64,
}

impl Workload {
    /// `influence run`: one study tally; the per-run final table is spooled to disk, so
    /// memory does not grow with the runs.
    pub fn study(sc: &Scenario, runs: u64) -> Workload {
        let rows = runs.saturating_mul(sc.n() as u64);
        Workload {
            runs,
            held: 0,
            held_bytes: 0,
            tallies: 1,
            written_rows: rows,
            spooled_rows: rows,
        }
    }

    /// Commands that read the per-run table back one actor's column at a time (`seeds`,
    /// `replay --pick`): a study plus that column, 8 bytes a run.
    pub fn study_by_column(sc: &Scenario, runs: u64) -> Workload {
        Workload {
            held: runs,
            held_bytes: 8,
            ..Workload::study(sc, runs)
        }
    }
}

impl Workload {
    /// A paired plan (compare, ablate): two study tallies and their differences per worker,
    /// no per-run table.
    pub fn paired(runs: u64) -> Workload {
        Workload {
            runs,
            held: 0,
            held_bytes: 0,
            tallies: 3,
            written_rows: 0,
            spooled_rows: 0,
        }
    }
}

/// A study's estimated needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Footprint {
    pub memory_bytes: u64,
    pub disk_bytes: u64,
}

/// Why a study is refused before it starts (bad input: the request does not fit).
#[derive(Debug, thiserror::Error)]
pub enum EstimateError {
    #[error(
        "{runs} runs of {actors} actors over {steps} steps need about {} of memory, more \
         than the cap of {}; use fewer runs, or raise the cap with --max-memory",
        human(*need), human(*cap)
    )]
    OverCap {
        runs: u64,
        actors: usize,
        steps: usize,
        need: u64,
        cap: u64,
    },
    #[error(
        "{runs} runs of {actors} actors over {steps} steps need about {} of memory, more \
         than this machine has available ({}); use fewer runs",
        human(*need), human(*available)
    )]
    OverMachine {
        runs: u64,
        actors: usize,
        steps: usize,
        need: u64,
        available: u64,
    },
    #[error(
        "the output of {runs} runs of {actors} actors needs about {} on disk, more than the \
         {} free under {path}; free some space, write elsewhere with --out, or use fewer runs",
        human(*need), human(*available)
    )]
    OverDisk {
        runs: u64,
        actors: usize,
        need: u64,
        available: u64,
        path: String,
    },
}

/// Refuses an output that would not fit the free space of the file system it goes to.
pub fn check_disk(
    sc: &Scenario,
    runs: u64,
    need: Footprint,
    out: &std::path::Path,
) -> Result<(), EstimateError> {
    match available_disk(out) {
        Some((available, at)) if need.disk_bytes > available => Err(EstimateError::OverDisk {
            runs,
            actors: sc.n(),
            need: need.disk_bytes,
            available,
            path: at.display().to_string(),
        }),
        _ => Ok(()),
    }
}

/// The bytes an unprivileged process may still write on the file system of `path` (or of
/// its nearest existing ancestor, since the output directory does not exist yet), with
/// that ancestor; `None` where it cannot be told.
pub fn available_disk(path: &std::path::Path) -> Option<(u64, std::path::PathBuf)> {
    use std::os::unix::ffi::OsStrExt;
    let absolute = std::path::absolute(path).ok()?;
    let at = absolute.ancestors().find(|p| p.exists())?.to_path_buf();
    let c_path = std::ffi::CString::new(at.as_os_str().as_bytes()).ok()?;
    let mut stat = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `c_path` is a valid NUL-terminated string that outlives the call, and `stat`
    // points to writable memory of the size statvfs(3) fills; it is read only on success.
    let ok = unsafe { libc::statvfs(c_path.as_ptr(), stat.as_mut_ptr()) } == 0;
    if !ok {
        return None;
    }
    // SAFETY: statvfs returned 0, so it initialised every field of `stat`.
    let stat = unsafe { stat.assume_init() };
    // The field types differ between platforms (u32 on some, u64 here).
    #[allow(clippy::useless_conversion)]
    let (blocks, size) = (
        u64::try_from(stat.f_bavail).ok()?,
        u64::try_from(stat.f_frsize).ok()?,
    );
    Some((blocks.saturating_mul(size), at))
}

/// The footprint of `runs` runs of `sc` on `threads` worker threads.
pub fn estimate(sc: &Scenario, runs: u64, threads: usize) -> Footprint {
    estimate_work(sc, &Workload::study(sc, runs), threads)
}

/// The footprint of any command's workload on `threads` worker threads.
pub fn estimate_work(sc: &Scenario, w: &Workload, threads: usize) -> Footprint {
    let n = sc.n() as u128;
    let steps = sc.steps as u128;
    let bins = (2.0 / BIN_WIDTH).round() as u128;
    // Per cell: the histogram, two i128 moments, min and max.
    let cell = bins * 8 + 2 * 16 + 2 * 8;
    let cells = (steps + 1) * n + 2 * n * n;
    let sample = DEFAULT_SAMPLE_RUNS as u128 * (steps + 1) * n * 8;
    // The splits the runs end in, counted by split: at most one entry per run, and at most
    // one per possible split of up to 64 actors.
    let splits = if (2..=64).contains(&n) {
        u128::from(w.runs).min(1u128 << (n - 1).min(40)) * 48
    } else {
        0
    };
    let tallies = (cells * cell + sample + splits) * u128::from(w.tallies) * (threads as u128 + 1);
    // Each worker runs a small scenario's runs eight at a time and keeps their states at
    // every step until the group ends, for each side (one per study tally).
    let lanes = u128::from(super::lanes::LaneRunner::history_bytes(sc))
        * u128::from(w.tallies.max(1))
        * threads as u128;
    let memory = u128::from(w.held) * u128::from(w.held_bytes) + tallies + lanes;
    // alignment.csv (about 70 bytes a row) and runs_sample.csv (about 30 bytes a row of each
    // sampled run) have a row per step and actor: a long horizon makes them large.
    let per_step = if w.tallies > 0 {
        (steps + 1) * n * (70 + 30 * u128::from(w.runs.min(DEFAULT_SAMPLE_RUNS as u64)))
    } else {
        0
    };
    let disk = u128::from(w.written_rows) * FINAL_ROW_BYTES
        + u128::from(w.spooled_rows) * 8
        + per_step
        + FIXED_DISK_BYTES;
    Footprint {
        memory_bytes: u64::try_from(memory).unwrap_or(u64::MAX),
        disk_bytes: u64::try_from(disk).unwrap_or(u64::MAX),
    }
}

/// What a timed pilot says a study will take.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pilot {
    /// Runs timed.
    pub runs: u64,
    /// Seconds per run on one thread, the no-event twin included when the study runs it.
    pub seconds_per_run: f64,
}

impl Pilot {
    /// Wall-clock seconds of `runs` runs on `threads` threads, assuming they scale.
    pub fn seconds(&self, runs: u64, threads: usize) -> f64 {
        self.seconds_per_run * runs as f64 / threads.max(1) as f64
    }
}

/// Times a few runs of `sc` as `influence run` would do them (inputs drawn, the no-event
/// twin when there is one) on one thread: one run, then more until about a tenth of a
/// second has been measured, so that a large world costs one run and a small one is timed
/// over enough runs to be steady. The time of a study is not in its scenario: it is measured.
pub fn time_runs(sc: &Scenario, pool: &rayon::ThreadPool) -> Result<Pilot, super::BatchError> {
    use super::batch::{BatchConfig, run_batch};
    use super::plan::InputPlan;
    let cfg = |first: u64, runs: u64| BatchConfig {
        first_run: first,
        sample_runs: 0,
        inputs: if sc.inputs.is_empty() {
            InputPlan::Nominal
        } else {
            InputPlan::Drawn
        },
        baseline: !sc.outcomes.is_empty() && !sc.events.is_empty(),
        ..BatchConfig::new(runs, sc.seed)
    };
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let (mut runs, mut seconds) = (0u64, 0.0f64);
    let mut next = 1u64;
    while seconds < 0.1 && runs < 4096 {
        let started = std::time::Instant::now();
        run_batch(sc, &cfg(runs, next), pool, &|_| {}, &cancel)?;
        seconds += started.elapsed().as_secs_f64();
        runs += next;
        next = (next * 4).min(1024);
    }
    Ok(Pilot {
        runs,
        seconds_per_run: seconds / runs.max(1) as f64,
    })
}

/// Refuses a footprint over `cap` or over the memory available (when known).
pub fn check(
    sc: &Scenario,
    runs: u64,
    need: Footprint,
    cap: u64,
    available: Option<u64>,
) -> Result<(), EstimateError> {
    if need.memory_bytes > cap {
        return Err(EstimateError::OverCap {
            runs,
            actors: sc.n(),
            steps: sc.steps,
            need: need.memory_bytes,
            cap,
        });
    }
    match available {
        Some(available) if need.memory_bytes > available => Err(EstimateError::OverMachine {
            runs,
            actors: sc.n(),
            steps: sc.steps,
            need: need.memory_bytes,
            available,
        }),
        _ => Ok(()),
    }
}

/// `MemAvailable` of /proc/meminfo in bytes: what can be allocated without swapping. None
/// where it cannot be read (not Linux), and only the cap then applies.
pub fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    parse_meminfo(&text)
}

fn parse_meminfo(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// A byte count as people read it: "512 B", "3.2 MiB", "56.0 TiB".
pub fn human(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// A byte count as written on the command line: a number with an optional unit K, M, G or
/// T (powers of 1024, with or without "iB"/"B").
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("expected a size such as 16G or 512M, found {text:?}"))?;
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        "T" | "TB" | "TIB" => 40,
        _ => return Err(format!("unknown unit {unit:?}; use K, M, G or T")),
    };
    number
        .checked_mul(1u64 << shift)
        .ok_or_else(|| format!("{text} is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse_scenario;

    fn tiny(actors: usize, steps: usize) -> Scenario {
        let mut text = format!("[scenario]\nname = \"T\"\nsteps = {steps}\nstep_unit = \"week\"\n");
        for i in 0..actors {
            text.push_str(&format!(
                "[[actor]]\nname = \"A{i}\"\nalignment = 0.0\nstubbornness = 0.5\npower = 0.1\n"
            ));
        }
        parse_scenario(&text, "t.toml").unwrap()
    }

    #[test]
    fn memory_stays_flat_in_the_runs_and_the_table_goes_to_disk() {
        let sc = tiny(3, 10);
        // From 40 runs on, every split of 3 actors (4 of them) may have been counted and
        // every sampled run written.
        let small = estimate(&sc, 40, 1);
        let large = estimate(&sc, 1_000_040, 1);
        assert_eq!(large.memory_bytes, small.memory_bytes);
        // Each further run writes 3 rows of 20 bytes, and spools 3 values of 8 bytes.
        assert_eq!(large.disk_bytes - small.disk_bytes, 1_000_000 * (60 + 24));
        // The tallies of 2 threads plus the merge: 3 copies of 11×3 + 2×9 cells of
        // 400 bins × 8 + 48 bytes, and 40 sampled runs × 11 steps × 3 actors × 8 bytes.
        let tallies = 3 * ((33 + 18) * (3200 + 48) + 40 * 11 * 3 * 8);
        // Each of the 2 workers keeps 8 runs' states (3 × 9 + 2 × 3 numbers) at 11 steps.
        let lanes = 2 * 8 * 11 * (3 * 9 + 2 * 3) * 8;
        assert_eq!(estimate(&sc, 0, 2).memory_bytes, tallies + lanes);
        // A command that reads the table back a column at a time holds that column.
        let by_column = |runs| estimate_work(&sc, &Workload::study_by_column(&sc, runs), 1);
        assert_eq!(
            by_column(1_000_040).memory_bytes - by_column(40).memory_bytes,
            1_000_000 * 8
        );
    }

    #[test]
    fn an_absurd_run_count_is_refused_with_the_estimate_and_the_cap() {
        let sc = tiny(3, 10);
        let runs = 1_000_000_000_000;
        let need = estimate_work(&sc, &Workload::study_by_column(&sc, runs), 2);
        let err = check(&sc, runs, need, DEFAULT_MAX_MEMORY, None).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("7.3 TiB") && msg.contains("8.0 GiB"), "{msg}");
        // Within the cap but over what the machine has.
        let err = check(&sc, 1000, estimate(&sc, 1000, 1), u64::MAX, Some(1 << 10));
        assert!(matches!(err, Err(EstimateError::OverMachine { .. })));
        assert!(check(&sc, 1000, estimate(&sc, 1000, 1), DEFAULT_MAX_MEMORY, None).is_ok());
    }

    #[test]
    fn a_long_horizon_counts_the_tables_of_every_step() {
        let short = estimate(&tiny(3, 10), 2, 1);
        let long = estimate(&tiny(3, 1_000_000), 2, 1);
        // alignment.csv and two sampled runs of runs_sample.csv: 3 actors × 1,000,001 steps
        // × (70 + 2 × 30) bytes, about 372 MiB.
        assert!(long.disk_bytes - short.disk_bytes > 350 << 20, "{long:?}");
    }

    #[test]
    fn an_output_larger_than_the_free_disk_is_refused_naming_the_place() {
        let sc = tiny(3, 10);
        let dir = std::env::temp_dir()
            .join("influence-not-yet-created")
            .join("out");
        let (free, at) = available_disk(&dir).expect("statvfs works here");
        assert!(free > 0 && at.exists() && dir.starts_with(&at));
        let fits = Footprint {
            memory_bytes: 0,
            disk_bytes: 1,
        };
        assert!(check_disk(&sc, 10, fits, &dir).is_ok());
        let huge = Footprint {
            memory_bytes: 0,
            disk_bytes: u64::MAX,
        };
        let msg = check_disk(&sc, 10, huge, &dir).unwrap_err().to_string();
        assert!(
            msg.contains("on disk") && msg.contains(&at.display().to_string()),
            "{msg}"
        );
    }

    #[test]
    fn workloads_add_what_they_hold_to_the_tallies() {
        let sc = tiny(5, 10);
        let run = estimate(&sc, 1000, 2);
        let paired = estimate_work(
            &sc,
            &Workload {
                runs: 1000,
                held: 0,
                held_bytes: 0,
                tallies: 2,
                written_rows: 0,
                spooled_rows: 0,
            },
            2,
        );
        assert!(paired.memory_bytes > run.memory_bytes);
        assert!(paired.disk_bytes < run.disk_bytes);
    }

    #[test]
    fn meminfo_and_sizes_read_as_written() {
        let text = "MemTotal:       24000000 kB\nMemAvailable:   1000 kB\n";
        assert_eq!(parse_meminfo(text), Some(1_024_000));
        assert_eq!(parse_meminfo("MemTotal: 5 kB\n"), None);
        assert_eq!(parse_bytes("16G"), Ok(16 << 30));
        assert_eq!(parse_bytes("512MiB"), Ok(512 << 20));
        assert_eq!(parse_bytes("100"), Ok(100));
        assert!(parse_bytes("12Q").is_err());
        assert!(parse_bytes("99999999999T").is_err());
        assert_eq!(human(512), "512 B");
        assert_eq!(human(3 << 29), "1.5 GiB");
    }
}
