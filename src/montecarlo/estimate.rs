//! What a study will cost before it starts: memory and disk estimated from its shape, and
//! the refusal of a study that would not fit, so that a mistyped `--runs 1000000000000`
//! ends at once with the numbers instead of exhausting the machine an hour later.
//!
//! The estimate counts what grows: the per-run final table (runs × actors × 8 bytes), the
//! tallies (a 400-bin histogram with moments for every step × actor cell and every pair of
//! actors, one copy per worker thread and one for the merge), and the sampled trajectories;
//! on disk, final.csv at about 20 bytes a row (one row per run and actor) and the fixed-size
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
}

/// The footprint of `runs` runs of `sc` on `threads` worker threads.
pub fn estimate(sc: &Scenario, runs: u64, threads: usize) -> Footprint {
    let n = sc.n() as u128;
    let steps = sc.steps as u128;
    let runs = u128::from(runs);
    let bins = (2.0 / BIN_WIDTH).round() as u128;
    // Per cell: the histogram, two i128 moments, min and max.
    let cell = bins * 8 + 2 * 16 + 2 * 8;
    let cells = (steps + 1) * n + 2 * n * n;
    let sample = DEFAULT_SAMPLE_RUNS as u128 * (steps + 1) * n * 8;
    let tallies = (cells * cell + sample) * (threads as u128 + 1);
    let per_run = n * 8 + sc.outcomes.len() as u128 + sc.events.len() as u128 * 4;
    let memory = runs * per_run + tallies;
    let disk = runs * n * FINAL_ROW_BYTES + FIXED_DISK_BYTES;
    Footprint {
        memory_bytes: u64::try_from(memory).unwrap_or(u64::MAX),
        disk_bytes: u64::try_from(disk).unwrap_or(u64::MAX),
    }
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
    fn the_final_table_dominates_a_long_study() {
        let sc = tiny(3, 10);
        let small = estimate(&sc, 1, 1);
        let large = estimate(&sc, 1_000_001, 1);
        // Each further run keeps 3 actors × 8 bytes and writes 3 rows of 20 bytes.
        assert_eq!(large.memory_bytes - small.memory_bytes, 1_000_000 * 24);
        assert_eq!(large.disk_bytes - small.disk_bytes, 1_000_000 * 60);
        // The tallies of 2 threads plus the merge: 3 copies of 11×3 + 2×9 cells of
        // 400 bins × 8 + 48 bytes, and 40 sampled runs × 11 steps × 3 actors × 8 bytes.
        let tallies = 3 * ((33 + 18) * (3200 + 48) + 40 * 11 * 3 * 8);
        assert_eq!(estimate(&sc, 0, 2).memory_bytes, tallies);
    }

    #[test]
    fn an_absurd_run_count_is_refused_with_the_estimate_and_the_cap() {
        let sc = tiny(3, 10);
        let runs = 1_000_000_000_000;
        let need = estimate(&sc, runs, 2);
        let err = check(&sc, runs, need, DEFAULT_MAX_MEMORY, None).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("21.8 TiB") && msg.contains("8.0 GiB"), "{msg}");
        // Within the cap but over what the machine has.
        let err = check(&sc, 1000, estimate(&sc, 1000, 1), u64::MAX, Some(1 << 10));
        assert!(matches!(err, Err(EstimateError::OverMachine { .. })));
        assert!(check(&sc, 1000, estimate(&sc, 1000, 1), DEFAULT_MAX_MEMORY, None).is_ok());
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
