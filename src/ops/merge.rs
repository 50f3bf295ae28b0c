//! `influence merge`: the parts of a sharded study made into the study itself.
//!
//! [`merge`] reads which command wrote the parts and hands them to its merge: the parts of
//! `influence run` here ([`merge_parts`]), those of `influence sensitivity` and
//! `influence discover` in `ops::merge_sensitivity`.
//!
//! Every part is checked before anything is written: the same scenario (by SHA-256), seed,
//! tool version and plan, each shard once, none missing. The tallies are then merged one
//! part at a time (exactly: the merged tallies equal those of one machine to the bit) and
//! the per-run tables are streamed from the parts' slices in run order, so memory stays
//! flat in the number of runs. The files written are those of the unsharded study; its
//! summary.json differs only in timing and threads, which are the parts' own.

use std::fs;
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use super::discover::Discovery;
use super::merge_sensitivity::{merge_discover, merge_sensitivity};
use super::sensitivity::Sensitivity;
use super::shard::{PART_FILE, PART_FORMAT, PART_KIND, Part, PartHead};
use super::study::INPUTS_FILE;
use super::{Finished, OutputRequest, staged};
use crate::montecarlo::tally::{MergeError, Tallied};
use crate::montecarlo::{BatchResult, StudyTally};
use crate::output::OutputError;
use crate::output::charts::{ChartError, render_charts};
use crate::output::inputs::INPUTS_HEADER;
use crate::output::schema::final_alignment::{self, FinalAlignment};
use crate::output::schema::inputs::InputValues;
use crate::output::schema::run_order::{RunOrder, check_table};
use crate::output::schema::{ReadError, TableFormat};
use crate::output::study::{write_file_with, write_study_tables};
use crate::scenario::{Scenario, ScenarioSource};

#[derive(Debug, thiserror::Error)]
pub enum MergePartsError {
    #[error("no parts to merge: give the partial directories, or one directory that holds them")]
    NoParts,
    #[error("{path}: {message}")]
    Unreadable { path: String, message: String },
    #[error("{path} is not a part of a sharded study (its part.json has kind {kind:?})")]
    NotAPart { path: String, kind: String },
    #[error("{a} and {b} are not parts of one study: {reason}")]
    Mismatch {
        a: String,
        b: String,
        reason: String,
    },
    #[error("shard {index} of {count} is given twice: {a} and {b}")]
    Twice {
        index: u64,
        count: u64,
        a: String,
        b: String,
    },
    #[error("{} of {count} shards {} missing: {}", missing.len(), if missing.len() == 1 { "is" } else { "are" }, list(missing))]
    Missing { count: u64, missing: Vec<u64> },
    #[error("the parts' scenario.toml does not parse: {0}")]
    Scenario(String),
    #[error(
        "{path} was written in part format {format}, newer than this version of influence \
         reads (formats 1 to {PART_FORMAT}): merge it with the version that wrote it"
    )]
    TooNew { path: String, format: u32 },
    #[error("{path} is a part of `influence {command}`, which `influence merge` does not know")]
    UnknownCommand { path: String, command: String },
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Charts(#[from] ChartError),
    #[error(transparent)]
    Sensitivity(Box<super::sensitivity::SensitivityError>),
    #[error(transparent)]
    Discover(Box<super::discover::DiscoverError>),
    #[error(transparent)]
    Calibrate(Box<super::calibrate::CalibrateError>),
    /// A part's per-run table does not read back as its shard wrote it.
    #[error(transparent)]
    Damaged(#[from] ReadError),
}

fn list(shards: &[u64]) -> String {
    shards
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl MergePartsError {
    /// Parts that do not make one study are the user's input at fault (exit 2); failing to
    /// write the result is not.
    pub fn is_bad_input(&self) -> bool {
        match self {
            MergePartsError::Output(_)
            | MergePartsError::Charts(_)
            | MergePartsError::Damaged(_) => false,
            MergePartsError::Sensitivity(e) => e.is_bad_input(),
            MergePartsError::Discover(e) => e.is_bad_input(),
            MergePartsError::Calibrate(e) => e.is_bad_input(),
            _ => true,
        }
    }
}

/// The partial directories named: each given directory that holds a `part.json`, or else
/// the directories inside it that do (sorted by name).
pub fn find_parts(given: &[PathBuf]) -> Result<Vec<PathBuf>, MergePartsError> {
    let mut parts = Vec::new();
    for dir in given {
        if dir.join(PART_FILE).is_file() {
            parts.push(dir.clone());
            continue;
        }
        let unreadable = |e: io::Error| MergePartsError::Unreadable {
            path: dir.display().to_string(),
            message: format!(
                "neither a part (no {PART_FILE}) nor a readable directory of parts: {e}"
            ),
        };
        let mut inner: Vec<PathBuf> = fs::read_dir(dir)
            .map_err(unreadable)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.join(PART_FILE).is_file())
            .collect();
        if inner.is_empty() {
            return Err(MergePartsError::Unreadable {
                path: dir.display().to_string(),
                message: format!("holds no {PART_FILE}, and no directory inside it does"),
            });
        }
        inner.sort();
        parts.extend(inner);
    }
    if parts.is_empty() {
        return Err(MergePartsError::NoParts);
    }
    Ok(parts)
}

/// The text of `dir`'s part.json and what it says first: refuses a file that is not a
/// part, or a part of a format this version does not read.
pub(crate) fn read_head(dir: &Path) -> Result<(String, PartHead), MergePartsError> {
    let path = dir.join(PART_FILE);
    let shown = path.display().to_string();
    let text = fs::read_to_string(&path).map_err(|e| MergePartsError::Unreadable {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    #[derive(serde::Deserialize)]
    struct Kind {
        kind: String,
    }
    let kind: Kind = serde_json::from_str(&text).map_err(|e| MergePartsError::Unreadable {
        path: shown.clone(),
        message: format!("not a part.json: {e}"),
    })?;
    if kind.kind != PART_KIND {
        return Err(MergePartsError::NotAPart {
            path: dir.display().to_string(),
            kind: kind.kind,
        });
    }
    let head: PartHead = serde_json::from_str(&text).map_err(|e| MergePartsError::Unreadable {
        path: shown.clone(),
        message: format!("not a part.json: {e}"),
    })?;
    if head.format > PART_FORMAT {
        return Err(MergePartsError::TooNew {
            path: shown,
            format: head.format,
        });
    }
    Ok((text, head))
}

/// The whole part.json of `dir`, as the part of a `command` that `P` is.
pub(crate) fn read_part_as<P: serde::de::DeserializeOwned>(
    dir: &Path,
    command: &str,
) -> Result<P, MergePartsError> {
    let (text, head) = read_head(dir)?;
    if head.command != command {
        return Err(MergePartsError::Mismatch {
            a: dir.display().to_string(),
            b: format!("a part of `influence {command}`"),
            reason: format!("commands {} and {command}", head.command),
        });
    }
    serde_json::from_str(&text).map_err(|e| MergePartsError::Unreadable {
        path: dir.join(PART_FILE).display().to_string(),
        message: format!("not a part.json of this version of influence: {e}"),
    })
}

fn read_part(dir: &Path) -> Result<Part, MergePartsError> {
    read_part_as(dir, "run")
}

/// What a part says about the study it belongs to, without its tallies: the tallies are
/// read again, one part at a time, when merging, so memory holds one part's tallies, not
/// all of them.
struct Described {
    dir: PathBuf,
    part: PartInfo,
}

/// A part's `part.json` less its tallies.
struct PartInfo {
    command: String,
    shard: crate::montecarlo::plan::Shard,
    runs: u64,
    seed: u64,
    nominal: bool,
    sample_runs: usize,
    posterior_sha256: Option<String>,
    threads: usize,
    elapsed_s: f64,
    header: crate::montecarlo::Header,
}

impl PartInfo {
    fn of(part: Part) -> PartInfo {
        PartInfo {
            command: part.command,
            shard: part.shard,
            runs: part.runs,
            seed: part.seed,
            nominal: part.nominal,
            sample_runs: part.sample_runs,
            posterior_sha256: part.posterior_sha256,
            threads: part.threads,
            elapsed_s: part.elapsed_s,
            header: part.tallied.header,
        }
    }
}

/// Checks that every part belongs to one study and that together they are all of it;
/// returns the parts in shard order.
fn check_parts(dirs: &[PathBuf]) -> Result<Vec<Described>, MergePartsError> {
    let mut parts: Vec<Described> = Vec::new();
    for dir in dirs {
        let part = PartInfo::of(read_part(dir)?);
        if let Some(first) = parts.first() {
            let (a, b) = (&first.part, &part);
            let mismatch = |reason: String| MergePartsError::Mismatch {
                a: first.dir.display().to_string(),
                b: dir.display().to_string(),
                reason,
            };
            if a.command != b.command {
                return Err(mismatch(format!(
                    "commands {} and {}",
                    a.command, b.command
                )));
            }
            if a.posterior_sha256 != b.posterior_sha256 {
                let said = |p: &Option<String>| match p {
                    Some(sha) => format!("the posterior whose posterior.csv has SHA-256 {sha}"),
                    None => "no posterior".to_string(),
                };
                return Err(mismatch(format!(
                    "their runs drew their inputs from different posteriors: {} and {}",
                    said(&a.posterior_sha256),
                    said(&b.posterior_sha256)
                )));
            }
            if let Err(e) = a.header.check_same_study(&b.header) {
                return Err(mismatch(e.to_string()));
            }
            if a.shard.count != b.shard.count {
                return Err(mismatch(format!(
                    "one is split in {} shards, the other in {}",
                    a.shard.count, b.shard.count
                )));
            }
            if (a.runs, a.nominal, a.sample_runs) != (b.runs, b.nominal, b.sample_runs) {
                return Err(mismatch(format!(
                    "runs {} and {}, nominal inputs {} and {}",
                    a.runs, b.runs, a.nominal, b.nominal
                )));
            }
        }
        if let Some(same) = parts.iter().find(|p| p.part.shard == part.shard) {
            return Err(MergePartsError::Twice {
                index: part.shard.index,
                count: part.shard.count,
                a: same.dir.display().to_string(),
                b: dir.display().to_string(),
            });
        }
        parts.push(Described {
            dir: dir.clone(),
            part,
        });
    }
    let count = parts.first().map_or(0, |p| p.part.shard.count);
    let missing: Vec<u64> = (0..count)
        .filter(|k| !parts.iter().any(|p| p.part.shard.index == *k))
        .collect();
    if !missing.is_empty() {
        return Err(MergePartsError::Missing { count, missing });
    }
    parts.sort_by_key(|p| p.part.shard.index);
    Ok(parts)
}

/// A merged study.
pub type MergeReport = Finished<BatchResult>;

/// Merges the parts in `dirs` (see [`find_parts`]) into the study's directory.
pub fn merge_parts(
    dirs: &[PathBuf],
    output: &OutputRequest,
    pool: &rayon::ThreadPool,
) -> Result<(MergeReport, Scenario), MergePartsError> {
    let parts = check_parts(&find_parts(dirs)?)?;
    let first = &parts[0];
    let scenario_path = first.dir.join("scenario.toml");
    let source = ScenarioSource::from_option(Some(&scenario_path))
        .map_err(|e| MergePartsError::Scenario(e.to_string()))?;
    let sc = source
        .parse()
        .map_err(|e| MergePartsError::Scenario(e.to_string()))?;
    if sc.sha256 != first.part.header.scenario_sha256 {
        return Err(MergePartsError::Mismatch {
            a: scenario_path.display().to_string(),
            b: first.dir.join(PART_FILE).display().to_string(),
            reason: "the scenario copy is not the scenario the part was simulated from".into(),
        });
    }
    let runs = first.part.runs;
    check_slices(&parts, &sc, runs)?;
    let seed = first.part.seed;
    let threads = parts.iter().map(|p| p.part.threads).max().unwrap_or(1);
    let elapsed_s: f64 = parts.iter().map(|p| p.part.elapsed_s).sum();

    let simulate = || -> Result<BatchResult, MergePartsError> {
        let mut merged: Option<Tallied<StudyTally>> = None;
        for p in &parts {
            let tallied = read_part(&p.dir)?.tallied;
            match merged.as_mut() {
                None => merged = Some(tallied),
                Some(m) => m
                    .merge(tallied)
                    .map_err(|e: MergeError| MergePartsError::Mismatch {
                        a: first.dir.display().to_string(),
                        b: p.dir.display().to_string(),
                        reason: e.to_string(),
                    })?,
            }
        }
        let merged = merged.ok_or(MergePartsError::NoParts)?;
        Ok(BatchResult {
            first_run: 0,
            runs,
            seed,
            header: merged.header,
            aggregates: merged.tally,
            final_table: None,
        })
    };
    let write = |dir: &Path, result: &BatchResult, _meta: &crate::output::StudyMeta| {
        let meta = crate::output::StudyMeta { threads, elapsed_s };
        write_study_tables(dir, &sc, &source.text, result, &meta)?;
        let header = format!("{}\n", FinalAlignment::HEADER.join(","));
        concatenate(dir, &parts, final_alignment::FILE, &header)?;
        if !sc.inputs.is_empty() {
            concatenate(dir, &parts, INPUTS_FILE, INPUTS_HEADER)?;
        }
        Ok::<(), MergePartsError>(())
    };
    let report = staged(output, pool, simulate, write, render_charts)?;
    Ok((
        Finished {
            threads,
            elapsed_s,
            ..report
        },
        sc,
    ))
}

/// What a merge wrote: the study of the command whose parts were merged.
#[derive(Debug)]
pub enum Merged {
    /// Boxed: a study's tallies are far larger than the other two.
    Run(Box<BatchResult>),
    Sensitivity(Sensitivity),
    Discover(Discovery),
    Calibrate(Box<super::calibrate::Calibration>),
}

/// Merges the parts in `dirs` (see [`find_parts`]) of whichever command wrote them (`run`,
/// `sensitivity`, `discover` or `calibrate`) into the study's directory. Parts of different
/// commands are refused before anything else is read.
pub fn merge(
    dirs: &[PathBuf],
    output: &OutputRequest,
    pool: &rayon::ThreadPool,
) -> Result<(Finished<Merged>, Scenario), MergePartsError> {
    merge_with(
        dirs,
        output,
        pool,
        &|_| {},
        &std::sync::atomic::AtomicBool::new(false),
    )
}

/// [`merge`], reporting the runs it simulates to `progress` and stopping when `cancel` is
/// set: only a calibration's merge simulates (its rounds of sequential Monte Carlo ABC).
pub fn merge_with(
    dirs: &[PathBuf],
    output: &OutputRequest,
    pool: &rayon::ThreadPool,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &std::sync::atomic::AtomicBool,
) -> Result<(Finished<Merged>, Scenario), MergePartsError> {
    let found = find_parts(dirs)?;
    let mut command: Option<(&PathBuf, String)> = None;
    for dir in &found {
        let (_, head) = read_head(dir)?;
        match &command {
            None => command = Some((dir, head.command)),
            Some((first, c)) if *c != head.command => {
                return Err(MergePartsError::Mismatch {
                    a: first.display().to_string(),
                    b: dir.display().to_string(),
                    reason: format!("commands {c} and {}", head.command),
                });
            }
            Some(_) => {}
        }
    }
    let Some((first, command)) = command else {
        return Err(MergePartsError::NoParts);
    };
    fn wrap<T>(
        (report, sc): (Finished<T>, Scenario),
        merged: impl FnOnce(T) -> Merged,
    ) -> (Finished<Merged>, Scenario) {
        let report = Finished {
            value: merged(report.value),
            out: report.out,
            threads: report.threads,
            elapsed_s: report.elapsed_s,
            charts: report.charts,
        };
        (report, sc)
    }
    match command.as_str() {
        "run" => Ok(wrap(merge_parts(&found, output, pool)?, |r| {
            Merged::Run(Box::new(r))
        })),
        super::sensitivity::PART_COMMAND => Ok(wrap(
            merge_sensitivity(&found, output, pool)?,
            Merged::Sensitivity,
        )),
        super::discover::PART_COMMAND => Ok(wrap(
            merge_discover(&found, output, pool)?,
            Merged::Discover,
        )),
        super::calibrate::PART_COMMAND => Ok(wrap(
            super::merge_calibrate::merge_calibrate(&found, output, pool, progress, cancel)?,
            |c| Merged::Calibrate(Box::new(c)),
        )),
        _ => Err(MergePartsError::UnknownCommand {
            path: first.join(PART_FILE).display().to_string(),
            command,
        }),
    }
}

/// Reads every part's slices of the per-run tables back before anything is written: each
/// value in its range and every run of the part's shard there, in order. A damaged part is
/// refused with its file and line rather than copied into the study.
fn check_slices(parts: &[Described], sc: &Scenario, runs: u64) -> Result<(), MergePartsError> {
    let actors: Vec<&str> = sc.actors.iter().map(|a| a.name.as_str()).collect();
    let inputs: Vec<&str> = sc.inputs.iter().map(|i| i.name.as_str()).collect();
    for p in parts {
        let slice = p.part.shard.runs(&(0..runs));
        let mut order = RunOrder::new(slice.clone(), &actors, PART_FILE);
        check_table::<FinalAlignment>(&p.dir.join(final_alignment::FILE), &mut order)?;
        if !inputs.is_empty() {
            let mut order = RunOrder::new(slice, &inputs, PART_FILE);
            check_table::<InputValues>(&p.dir.join(INPUTS_FILE), &mut order)?;
        }
    }
    Ok(())
}

/// Writes `name` as `header` followed by every part's rows of it, in shard order, line by
/// line: a part's slice is never held whole.
fn concatenate(
    dir: &Path,
    parts: &[Described],
    name: &str,
    header: &str,
) -> Result<(), MergePartsError> {
    write_file_with(&dir.join(name), |out| {
        out.write_all(header.as_bytes())?;
        for p in parts {
            let path = p.dir.join(name);
            let mut reader = BufReader::new(fs::File::open(&path)?);
            let mut line = Vec::new();
            reader.read_until(b'\n', &mut line)?;
            if line != header.as_bytes() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "{} does not start with the header {header:?}",
                        path.display()
                    ),
                ));
            }
            io::copy(&mut reader, out)?;
        }
        Ok(())
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use super::*;
    use crate::montecarlo::plan::Shard;
    use crate::montecarlo::thread_pool;
    use crate::ops::shard::{ShardRequest, run_shard};
    use crate::ops::study::{StudyRequest, run_study};

    const TINY: &str = include_str!("../../tests/golden/tiny.toml");

    fn output(out: PathBuf, charts: bool) -> OutputRequest {
        OutputRequest {
            out,
            force: false,
            charts,
        }
    }

    fn whole(sc: &Scenario, dir: &Path, runs: u64, charts: bool) {
        let req = StudyRequest {
            runs,
            seed: 11,
            output: output(dir.to_path_buf(), charts),
            nominal: false,
            posterior: None,
            baseline: true,
            until: None,
        };
        let pool = thread_pool(Some(2)).expect("pool");
        run_study(sc, TINY, &req, &pool, &|_| {}, &AtomicBool::new(false)).expect("study");
    }

    fn shard(sc: &Scenario, dir: &Path, runs: u64, index: u64, count: u64, threads: usize) {
        let req = ShardRequest {
            runs,
            seed: 11,
            nominal: false,
            baseline: true,
            posterior: None,
            shard: Shard { index, count },
            output: output(dir.to_path_buf(), false),
        };
        let pool = thread_pool(Some(threads)).expect("pool");
        run_shard(sc, TINY, &req, &pool, &|_| {}, &AtomicBool::new(false)).expect("shard");
    }

    /// Every file of `a` equals that of `b`; summary.json up to threads and timing.
    fn assert_same_files(a: &Path, b: &Path) {
        let mut names: Vec<PathBuf> = Vec::new();
        let mut stack = vec![PathBuf::new()];
        while let Some(rel) = stack.pop() {
            for e in fs::read_dir(a.join(&rel)).expect("dir") {
                let e = e.expect("entry");
                let rel = rel.join(e.file_name());
                if e.path().is_dir() {
                    stack.push(rel);
                } else {
                    names.push(rel);
                }
            }
        }
        assert!(names.len() >= 9, "{names:?}");
        for rel in names {
            let (x, y) = (
                fs::read(a.join(&rel)).expect("a"),
                fs::read(b.join(&rel)).expect("b"),
            );
            if rel.ends_with("summary.json") {
                let strip = |t: Vec<u8>| -> Vec<String> {
                    String::from_utf8(t)
                        .expect("utf-8")
                        .lines()
                        .filter(|l| !l.contains("\"threads\"") && !l.contains("\"elapsed_s\""))
                        .map(str::to_string)
                        .collect()
                };
                assert_eq!(strip(x), strip(y), "{}", rel.display());
            } else {
                assert!(x == y, "{} differs", rel.display());
            }
        }
    }

    #[test]
    fn shards_merged_equal_the_unsharded_study_byte_for_byte() {
        let sc = crate::scenario::parse_scenario(TINY, "tiny.toml").expect("parses");
        let tmp = tempfile::tempdir().expect("tmp");
        let runs = 203; // 203 = 3·67 + 2: shards of unequal size for N = 2, 3, 7.
        for (n, charts) in [(1u64, false), (2, false), (3, true), (7, false)] {
            let plain = tmp.path().join(format!("plain-{n}"));
            whole(&sc, &plain, runs, charts);
            let parts = tmp.path().join(format!("parts-{n}"));
            // Shards in reverse order and on different thread counts: neither shows.
            for k in (0..n).rev() {
                shard(
                    &sc,
                    &parts.join(format!("shard-{k}")),
                    runs,
                    k,
                    n,
                    1 + (k % 2) as usize,
                );
            }
            let merged = tmp.path().join(format!("merged-{n}"));
            let pool = thread_pool(Some(1)).expect("pool");
            merge_parts(&[parts], &output(merged.clone(), charts), &pool).expect("merges");
            assert_same_files(&plain, &merged);
        }
    }

    #[test]
    fn parts_that_are_not_one_whole_study_are_refused_and_nothing_is_written() {
        let sc = crate::scenario::parse_scenario(TINY, "tiny.toml").expect("parses");
        let tmp = tempfile::tempdir().expect("tmp");
        let p = |name: &str| tmp.path().join(name);
        shard(&sc, &p("a0"), 100, 0, 3, 1);
        shard(&sc, &p("a1"), 100, 1, 3, 1);
        shard(&sc, &p("a2"), 100, 2, 3, 1);
        let pool = thread_pool(Some(1)).expect("pool");
        let out = p("merged");
        let merge = |dirs: &[&str]| {
            let dirs: Vec<PathBuf> = dirs.iter().map(|d| p(d)).collect();
            merge_parts(&dirs, &output(out.clone(), false), &pool).map(|_| ())
        };

        let err = merge(&["a0", "a2"]).expect_err("missing");
        assert_eq!(err.to_string(), "1 of 3 shards is missing: 1");
        let err = merge(&["a0", "a1", "a1", "a2"]).expect_err("twice");
        assert!(
            err.to_string().starts_with("shard 1 of 3 is given twice"),
            "{err}"
        );

        // Another seed, another run count, another split, another scenario.
        let other_seed = ShardRequest {
            runs: 100,
            seed: 12,
            nominal: false,
            baseline: true,
            posterior: None,
            shard: Shard { index: 1, count: 3 },
            output: output(p("seed1"), false),
        };
        run_shard(
            &sc,
            TINY,
            &other_seed,
            &pool,
            &|_| {},
            &AtomicBool::new(false),
        )
        .expect("runs");
        let err = merge(&["a0", "seed1", "a2"]).expect_err("seed");
        assert!(
            err.to_string()
                .contains("different master seeds (11 and 12)"),
            "{err}"
        );
        shard(&sc, &p("runs1"), 120, 1, 3, 1);
        let err = merge(&["a0", "runs1", "a2"]).expect_err("runs");
        assert!(err.to_string().contains("different plans"), "{err}");
        shard(&sc, &p("split1"), 100, 1, 4, 1);
        let err = merge(&["a0", "split1", "a2"]).expect_err("split");
        assert!(
            err.to_string().contains("3 shards, the other in 4"),
            "{err}"
        );
        let text = TINY.replace("Tiny, with a comma", "Tiny, renamed");
        let renamed = crate::scenario::parse_scenario(&text, "t.toml").expect("parses");
        let req = ShardRequest {
            runs: 100,
            seed: 11,
            nominal: false,
            baseline: true,
            posterior: None,
            shard: Shard { index: 1, count: 3 },
            output: output(p("scen1"), false),
        };
        run_shard(
            &renamed,
            &text,
            &req,
            &pool,
            &|_| {},
            &AtomicBool::new(false),
        )
        .expect("runs");
        let err = merge(&["a0", "scen1", "a2"]).expect_err("scenario");
        assert!(err.to_string().contains("different scenarios"), "{err}");
        // A finished study is not a part.
        let err = merge(&["nowhere"]).expect_err("no parts");
        assert!(err.is_bad_input(), "{err}");
        assert!(!out.exists(), "a refused merge writes nothing");
        // And the right parts do merge.
        merge(&["a2", "a0", "a1"]).expect("merges");
        assert!(out.join("final.csv").exists());
    }

    #[test]
    fn run_parts_of_the_first_format_still_merge_and_a_newer_format_is_refused() {
        let sc = crate::scenario::parse_scenario(TINY, "tiny.toml").expect("parses");
        let tmp = tempfile::tempdir().expect("tmp");
        let parts = tmp.path().join("parts");
        for k in 0..2 {
            shard(&sc, &parts.join(format!("shard-{k}")), 50, k, 2, 1);
        }
        let part = parts.join("shard-0").join(PART_FILE);
        let text = fs::read_to_string(&part).expect("part");
        assert!(text.starts_with("{\"kind\":\"part\",\"format\":2,\"command\":\"run\""));
        // Format 1 did not say its format.
        fs::write(&part, text.replacen("\"format\":2,", "", 1)).expect("write");
        let pool = thread_pool(Some(1)).expect("pool");
        let out = tmp.path().join("merged");
        let (report, _) = merge(
            std::slice::from_ref(&parts),
            &output(out.clone(), false),
            &pool,
        )
        .expect("merges");
        assert!(matches!(report.value, Merged::Run(_)));
        fs::write(&part, text.replacen("\"format\":2,", "\"format\":3,", 1)).expect("write");
        let again = tmp.path().join("again");
        let err = merge(&[parts], &output(again.clone(), false), &pool).expect_err("too new");
        assert!(
            err.to_string().contains("part format 3, newer than"),
            "{err}"
        );
        assert!(!again.exists());
    }
}
