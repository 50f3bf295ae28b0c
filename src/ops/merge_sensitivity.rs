//! `influence merge` of the parts of `influence sensitivity --shard` and `influence discover
//! --shard` (the studies of MODEL.md, "Sensitivity").
//!
//! Every part is read and checked before anything is written: the same command, design or
//! outcome, run count, seed, scenario (by SHA-256), tool version and split, each shard once,
//! none missing. A sensitivity part holds the tallies of a contiguous range of design
//! points and a discovery part the verdicts of a contiguous range of runs, so the parts are
//! joined end to end in shard order into exactly the tally one machine would have made; the
//! indices, boxes, files and charts are then those of the unsharded study, byte for byte,
//! and its summary.json differs only in timing and threads. Memory holds the parts' shares
//! once, which together are the size of the unsharded study's tally: a few numbers per design
//! point, one byte per run of a discovery.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::discover::{self, DiscoverPart, DiscoverRequest, Discovery};
use super::merge::{MergePartsError, read_part_as};
use super::sensitivity::{self, Sensitivity, SensitivityPart};
use super::{Finished, OutputRequest};
use crate::montecarlo::Header;
use crate::montecarlo::plan::Shard;
use crate::output::StudyMeta;
use crate::output::schema::SCENARIO_FILE;
use crate::scenario::{Scenario, ScenarioSource};

/// What a part of either command tells the merge about where it belongs.
pub(super) trait Share {
    fn shard(&self) -> Shard;
    fn header(&self) -> &Header;
    fn threads(&self) -> usize;
    fn elapsed_s(&self) -> f64;
    /// What differs between this part's study and `other`'s beyond scenario, seed and
    /// version, in words; `None` when nothing does.
    fn differs(&self, other: &Self) -> Option<String>;
}

impl Share for SensitivityPart {
    fn shard(&self) -> Shard {
        self.shard
    }
    fn header(&self) -> &Header {
        &self.tallied.header
    }
    fn threads(&self) -> usize {
        self.threads
    }
    fn elapsed_s(&self) -> f64 {
        self.elapsed_s
    }
    fn differs(&self, other: &Self) -> Option<String> {
        if self.method != other.method {
            return Some(format!("methods {} and {}", self.method, other.method));
        }
        if (self.samples, self.runs) != (other.samples, other.runs) {
            return Some(format!(
                "samples {} and {}, runs per point {} and {}",
                self.samples, other.samples, self.runs, other.runs
            ));
        }
        if self.bootstrap != other.bootstrap {
            return Some(format!(
                "bootstrap resamples {} and {}",
                self.bootstrap, other.bootstrap
            ));
        }
        None
    }
}

impl Share for DiscoverPart {
    fn shard(&self) -> Shard {
        self.shard
    }
    fn header(&self) -> &Header {
        &self.tallied.header
    }
    fn threads(&self) -> usize {
        self.threads
    }
    fn elapsed_s(&self) -> f64 {
        self.elapsed_s
    }
    fn differs(&self, other: &Self) -> Option<String> {
        if self.outcome != other.outcome {
            return Some(format!(
                "outcomes {:?} and {:?}",
                self.outcome, other.outcome
            ));
        }
        if self.runs != other.runs {
            return Some(format!("runs {} and {}", self.runs, other.runs));
        }
        None
    }
}

/// Reads every part in `dirs` as a part of `command`, checks each against the first, and
/// returns them in shard order once every shard is there exactly once.
pub(super) fn read_parts<P: Share + DeserializeOwned>(
    dirs: &[PathBuf],
    command: &str,
) -> Result<Vec<(PathBuf, P)>, MergePartsError> {
    let mut parts: Vec<(PathBuf, P)> = Vec::new();
    for dir in dirs {
        let part: P = read_part_as(dir, command)?;
        if let Some((first_dir, first)) = parts.first() {
            let mismatch = |reason: String| MergePartsError::Mismatch {
                a: first_dir.display().to_string(),
                b: dir.display().to_string(),
                reason,
            };
            if let Some(reason) = first.differs(&part) {
                return Err(mismatch(reason));
            }
            if let Err(e) = first.header().check_same_study(part.header()) {
                return Err(mismatch(e.to_string()));
            }
            let (a, b) = (first.shard().count, part.shard().count);
            if a != b {
                return Err(mismatch(format!(
                    "one is split in {a} shards, the other in {b}"
                )));
            }
        }
        if let Some((same, _)) = parts.iter().find(|(_, p)| p.shard() == part.shard()) {
            return Err(MergePartsError::Twice {
                index: part.shard().index,
                count: part.shard().count,
                a: same.display().to_string(),
                b: dir.display().to_string(),
            });
        }
        parts.push((dir.clone(), part));
    }
    let count = parts.first().map_or(0, |(_, p)| p.shard().count);
    let missing: Vec<u64> = (0..count)
        .filter(|k| !parts.iter().any(|(_, p)| p.shard().index == *k))
        .collect();
    if !missing.is_empty() {
        return Err(MergePartsError::Missing { count, missing });
    }
    parts.sort_by_key(|(_, p)| p.shard().index);
    Ok(parts)
}

/// The scenario copy of the first part, checked against the SHA-256 its tallies name.
pub(super) fn read_scenario(
    dir: &Path,
    header: &Header,
) -> Result<(ScenarioSource, Scenario), MergePartsError> {
    let path = dir.join(SCENARIO_FILE);
    let source = ScenarioSource::from_option(Some(&path))
        .map_err(|e| MergePartsError::Scenario(e.to_string()))?;
    let sc = source
        .parse()
        .map_err(|e| MergePartsError::Scenario(e.to_string()))?;
    if sc.sha256 != header.scenario_sha256 {
        return Err(MergePartsError::Mismatch {
            a: path.display().to_string(),
            b: dir.join(super::shard::PART_FILE).display().to_string(),
            reason: "the scenario copy is not the scenario the part was simulated from".into(),
        });
    }
    Ok((source, sc))
}

/// The threads and time the parts took together: the most threads of one part, and the sum
/// of their times.
pub(super) fn meta<P: Share>(parts: &[(PathBuf, P)]) -> StudyMeta {
    StudyMeta {
        threads: parts.iter().map(|(_, p)| p.threads()).max().unwrap_or(1),
        elapsed_s: parts.iter().map(|(_, p)| p.elapsed_s()).sum(),
    }
}

/// Refuses a joined header that does not hold exactly runs `0..runs`.
pub(super) fn check_covers(
    header: &Header,
    runs: u64,
    first: &Path,
) -> Result<(), MergePartsError> {
    let whole = match header.runs.as_slice() {
        [] => runs == 0,
        [only] => *only == (0..runs),
        _ => false,
    };
    if whole {
        return Ok(());
    }
    Err(MergePartsError::Mismatch {
        a: first.display().to_string(),
        b: "the other parts".into(),
        reason: format!(
            "together they hold runs {:?}, not the study's 0..{runs}",
            header.runs
        ),
    })
}

/// Merges the parts of a sharded sensitivity study into its directory.
pub fn merge_sensitivity(
    dirs: &[PathBuf],
    output: &OutputRequest,
    pool: &rayon::ThreadPool,
) -> Result<(Finished<Sensitivity>, Scenario), MergePartsError> {
    let parts: Vec<(PathBuf, SensitivityPart)> = read_parts(dirs, sensitivity::PART_COMMAND)?;
    let Some((first_dir, first)) = parts.first() else {
        return Err(MergePartsError::NoParts);
    };
    let first_dir = first_dir.clone();
    let (source, sc) = read_scenario(&first_dir, &first.tallied.header)?;
    let req = first
        .request(output.clone())
        .ok_or_else(|| MergePartsError::Unreadable {
            path: first_dir
                .join(super::shard::PART_FILE)
                .display()
                .to_string(),
            message: format!("method {:?} is neither sobol nor morris", first.method),
        })?;
    let total = sensitivity::check_request(&sc, &req)
        .map_err(|e| MergePartsError::Sensitivity(Box::new(e)))?;
    let meta = meta(&parts);
    let join = |dir: &Path, e: crate::montecarlo::MergeError| MergePartsError::Mismatch {
        a: first_dir.display().to_string(),
        b: dir.display().to_string(),
        reason: e.to_string(),
    };
    let mut parts = parts.into_iter();
    let (mut header, mut tally) = match parts.next() {
        Some((_, p)) => (p.tallied.header, p.tallied.tally),
        None => return Err(MergePartsError::NoParts),
    };
    for (dir, p) in parts {
        header.merge(&p.tallied.header).map_err(|e| join(&dir, e))?;
        tally.append(p.tallied.tally).map_err(|e| join(&dir, e))?;
    }
    check_covers(&header, total.saturating_mul(req.runs), &first_dir)?;
    let simulate = || {
        let points = sensitivity::design(&sc, &req)?;
        sensitivity::analyse(&sc, &req, points, &tally)
    };
    let report = sensitivity::write_study(&sc, &source.text, &req, pool, simulate, Some(meta))
        .map_err(|e| MergePartsError::Sensitivity(Box::new(e)))?;
    Ok((report, sc))
}

/// Merges the parts of a sharded discovery into its directory.
pub fn merge_discover(
    dirs: &[PathBuf],
    output: &OutputRequest,
    pool: &rayon::ThreadPool,
) -> Result<(Finished<Discovery>, Scenario), MergePartsError> {
    let parts: Vec<(PathBuf, DiscoverPart)> = read_parts(dirs, discover::PART_COMMAND)?;
    let Some((first_dir, first)) = parts.first() else {
        return Err(MergePartsError::NoParts);
    };
    let first_dir = first_dir.clone();
    let (source, sc) = read_scenario(&first_dir, &first.tallied.header)?;
    let req = DiscoverRequest {
        outcome: first.outcome.clone(),
        runs: first.runs,
        seed: first.seed,
        posterior: None,
        output: output.clone(),
    };
    let outcome =
        discover::check_request(&sc, &req).map_err(|e| MergePartsError::Discover(Box::new(e)))?;
    let meta = meta(&parts);
    let join = |dir: &Path, e: crate::montecarlo::MergeError| MergePartsError::Mismatch {
        a: first_dir.display().to_string(),
        b: dir.display().to_string(),
        reason: e.to_string(),
    };
    let mut parts = parts.into_iter();
    let (mut header, mut table) = match parts.next() {
        Some((_, p)) => (p.tallied.header, p.tallied.tally),
        None => return Err(MergePartsError::NoParts),
    };
    for (dir, p) in parts {
        header.merge(&p.tallied.header).map_err(|e| join(&dir, e))?;
        table.append(p.tallied.tally).map_err(|e| join(&dir, e))?;
    }
    check_covers(&header, req.runs, &first_dir)?;
    let simulate = || discover::analyse(&sc, outcome, req.runs, req.seed, None, &table);
    let report = discover::write_study(&sc, &source.text, &req, pool, simulate, Some(meta))
        .map_err(|e| MergePartsError::Discover(Box::new(e)))?;
    Ok((report, sc))
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::sync::atomic::AtomicBool;

    use super::*;
    use crate::montecarlo::thread_pool;
    use crate::ops::discover::{run_discover, run_discover_shard};
    use crate::ops::merge::{Merged, merge};
    use crate::ops::sensitivity::{
        Method, SensitivityRequest, run_sensitivity, run_sensitivity_shard,
    };

    const LEADERS: &str = include_str!("../../tests/scenarios/leaders.toml");
    const OUTCOME: &str = "L1 above 0.2";

    fn leaders() -> Scenario {
        crate::scenario::parse_scenario(LEADERS, "leaders.toml").expect("parses")
    }

    fn output(out: PathBuf, charts: bool) -> OutputRequest {
        OutputRequest {
            out,
            force: false,
            charts,
        }
    }

    fn sensitivity_req(
        method: Method,
        samples: u64,
        runs: u64,
        seed: u64,
        out: PathBuf,
    ) -> SensitivityRequest {
        SensitivityRequest::new(method, samples, runs, seed, output(out, true))
    }

    fn discover_req(outcome: &str, runs: u64, seed: u64, out: PathBuf) -> DiscoverRequest {
        DiscoverRequest {
            outcome: outcome.to_string(),
            runs,
            seed,
            posterior: None,
            output: output(out, true),
        }
    }

    fn sensitivity_shard(
        sc: &Scenario,
        text: &str,
        req: &SensitivityRequest,
        index: u64,
        count: u64,
        threads: usize,
    ) {
        let pool = thread_pool(Some(threads)).expect("pool");
        run_sensitivity_shard(
            sc,
            text,
            req,
            Shard { index, count },
            &pool,
            &|_| {},
            &AtomicBool::new(false),
        )
        .expect("shard");
    }

    fn discover_shard(
        sc: &Scenario,
        req: &DiscoverRequest,
        index: u64,
        count: u64,
        threads: usize,
    ) {
        let pool = thread_pool(Some(threads)).expect("pool");
        run_discover_shard(
            sc,
            LEADERS,
            req,
            Shard { index, count },
            &pool,
            &|_| {},
            &AtomicBool::new(false),
        )
        .expect("shard");
    }

    /// Every file below `dir`, as paths relative to it, sorted.
    fn files(dir: &Path) -> Vec<PathBuf> {
        let mut names = Vec::new();
        let mut stack = vec![PathBuf::new()];
        while let Some(rel) = stack.pop() {
            for e in fs::read_dir(dir.join(&rel)).expect("dir") {
                let e = e.expect("entry");
                let rel = rel.join(e.file_name());
                if e.path().is_dir() {
                    stack.push(rel);
                } else {
                    names.push(rel);
                }
            }
        }
        names.sort();
        names
    }

    /// `a` and `b` hold the same files with the same bytes; summary.json up to the lines
    /// that may differ between equal studies (threads, timing, the list of shards).
    fn assert_same_files(a: &Path, b: &Path) {
        let names = files(a);
        assert_eq!(names, files(b), "{} and {}", a.display(), b.display());
        assert!(names.iter().any(|n| n.starts_with("charts")), "{names:?}");
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
                        .filter(|l| {
                            !["\"threads\"", "\"elapsed_s\"", "\"shards\""]
                                .iter()
                                .any(|k| l.contains(k))
                        })
                        .map(str::to_string)
                        .collect()
                };
                assert_eq!(strip(x), strip(y), "{}", rel.display());
            } else {
                assert!(x == y, "{} differs", rel.display());
            }
        }
    }

    fn merged(dirs: &[PathBuf], out: &Path) -> Result<Merged, MergePartsError> {
        let pool = thread_pool(Some(1)).expect("pool");
        merge(dirs, &output(out.to_path_buf(), true), &pool).map(|(r, _)| r.value)
    }

    #[test]
    fn sensitivity_shards_merged_equal_the_unsharded_study_byte_for_byte() {
        let sc = leaders();
        let tmp = tempfile::tempdir().expect("tmp");
        // Sobol': 16 (3 + 2) = 80 points; Morris: 10 (3 + 1) = 40 points; both split
        // unevenly in 3 and 7.
        for (method, samples) in [(Method::Sobol, 16), (Method::Morris, 10)] {
            let name = method.as_str();
            let plain = tmp.path().join(format!("{name}-plain"));
            let req = sensitivity_req(method, samples, 3, 5, plain.clone());
            let pool = thread_pool(Some(2)).expect("pool");
            run_sensitivity(&sc, LEADERS, &req, &pool, &|_| {}, &AtomicBool::new(false))
                .expect("study");
            for n in [1u64, 2, 3, 7] {
                let parts = tmp.path().join(format!("{name}-parts-{n}"));
                // Shards in reverse order and on different thread counts: neither shows.
                for k in (0..n).rev() {
                    let req = SensitivityRequest {
                        output: output(parts.join(format!("shard-{k}")), false),
                        ..req.clone()
                    };
                    sensitivity_shard(&sc, LEADERS, &req, k, n, 1 + (k % 2) as usize);
                }
                let out = tmp.path().join(format!("{name}-merged-{n}"));
                let value = merged(&[parts], &out).expect("merges");
                assert!(matches!(value, Merged::Sensitivity(_)), "{value:?}");
                assert_same_files(&plain, &out);
            }
        }
    }

    #[test]
    fn discovery_shards_merged_equal_the_unsharded_discovery_byte_for_byte() {
        let sc = leaders();
        let tmp = tempfile::tempdir().expect("tmp");
        let runs = 211; // prime: shards of unequal size for N = 2, 3, 7.
        let plain = tmp.path().join("plain");
        let req = discover_req(OUTCOME, runs, 8, plain.clone());
        let pool = thread_pool(Some(2)).expect("pool");
        run_discover(&sc, LEADERS, &req, &pool, &|_| {}, &AtomicBool::new(false)).expect("study");
        for n in [1u64, 2, 3, 7] {
            let parts = tmp.path().join(format!("parts-{n}"));
            for k in (0..n).rev() {
                let req = DiscoverRequest {
                    output: output(parts.join(format!("shard-{k}")), false),
                    ..req.clone()
                };
                discover_shard(&sc, &req, k, n, 1 + (k % 2) as usize);
            }
            let out = tmp.path().join(format!("merged-{n}"));
            let value = merged(&[parts], &out).expect("merges");
            assert!(matches!(value, Merged::Discover(_)), "{value:?}");
            assert_same_files(&plain, &out);
        }
    }

    #[test]
    fn sensitivity_parts_that_are_not_one_whole_study_are_refused_and_nothing_is_written() {
        let sc = leaders();
        let tmp = tempfile::tempdir().expect("tmp");
        let p = |name: &str| tmp.path().join(name);
        let req = |method, samples, runs, seed, dir: &str| {
            let mut r = sensitivity_req(method, samples, runs, seed, p(dir));
            r.output.charts = false;
            r
        };
        for k in 0..3 {
            let r = req(Method::Sobol, 8, 2, 5, &format!("a{k}"));
            sensitivity_shard(&sc, LEADERS, &r, k, 3, 1);
        }
        let out = p("merged");
        let merge = |dirs: &[&str]| {
            let dirs: Vec<PathBuf> = dirs.iter().map(|d| p(d)).collect();
            merged(&dirs, &out).map(|_| ())
        };
        let refused = |dirs: &[&str]| -> String {
            let err = merge(dirs).expect_err("refused");
            assert!(err.is_bad_input(), "{err}");
            err.to_string()
        };
        assert_eq!(refused(&["a0", "a2"]), "1 of 3 shards is missing: 1");
        assert!(refused(&["a0", "a1", "a1", "a2"]).starts_with("shard 1 of 3 is given twice"));
        let other = |name: &str, r: SensitivityRequest, k: u64, n: u64| {
            sensitivity_shard(&sc, LEADERS, &r, k, n, 1);
            name.to_string()
        };
        let morris = other("morris1", req(Method::Morris, 8, 2, 5, "morris1"), 1, 3);
        assert!(refused(&["a0", &morris, "a2"]).ends_with("methods sobol and morris"));
        let samples = other("samples1", req(Method::Sobol, 12, 2, 5, "samples1"), 1, 3);
        assert!(
            refused(&["a0", &samples, "a2"]).ends_with("samples 8 and 12, runs per point 2 and 2")
        );
        let runs = other("runs1", req(Method::Sobol, 8, 3, 5, "runs1"), 1, 3);
        assert!(refused(&["a0", &runs, "a2"]).ends_with("samples 8 and 8, runs per point 2 and 3"));
        let seed = other("seed1", req(Method::Sobol, 8, 2, 6, "seed1"), 1, 3);
        assert!(
            refused(&["a0", &seed, "a2"])
                .ends_with("they come from different master seeds (5 and 6)")
        );
        let split = other("split1", req(Method::Sobol, 8, 2, 5, "split1"), 1, 4);
        assert!(
            refused(&["a0", &split, "a2"]).ends_with("one is split in 3 shards, the other in 4")
        );
        let text = LEADERS.replace("Two leaders and a follower", "Two leaders, renamed");
        let renamed = crate::scenario::parse_scenario(&text, "r.toml").expect("parses");
        sensitivity_shard(
            &renamed,
            &text,
            &req(Method::Sobol, 8, 2, 5, "scen1"),
            1,
            3,
            1,
        );
        assert!(refused(&["a0", "scen1", "a2"]).contains("they come from different scenarios"));
        discover_shard(&sc, &discover_req(OUTCOME, 100, 5, p("disc1")), 1, 3, 1);
        assert!(refused(&["a0", "disc1", "a2"]).ends_with("commands sensitivity and discover"));
        assert!(!out.exists(), "a refused merge writes nothing");
        merge(&["a2", "a0", "a1"]).expect("the right parts merge");
        assert!(out.join("sobol.csv").exists());
    }

    #[test]
    fn discovery_parts_that_are_not_one_whole_discovery_are_refused_and_nothing_is_written() {
        let sc = leaders();
        let tmp = tempfile::tempdir().expect("tmp");
        let p = |name: &str| tmp.path().join(name);
        for k in 0..3 {
            discover_shard(
                &sc,
                &discover_req(OUTCOME, 100, 5, p(&format!("a{k}"))),
                k,
                3,
                1,
            );
        }
        let out = p("merged");
        let refused = |dirs: &[&str]| -> String {
            let dirs: Vec<PathBuf> = dirs.iter().map(|d| p(d)).collect();
            let err = merged(&dirs, &out).expect_err("refused");
            assert!(err.is_bad_input(), "{err}");
            err.to_string()
        };
        assert_eq!(refused(&["a1", "a2"]), "1 of 3 shards is missing: 0");
        assert!(refused(&["a0", "a2", "a1", "a2"]).starts_with("shard 2 of 3 is given twice"));
        discover_shard(
            &sc,
            &discover_req("F leans positive", 100, 5, p("outcome1")),
            1,
            3,
            1,
        );
        assert!(
            refused(&["a0", "outcome1", "a2"])
                .ends_with("outcomes \"L1 above 0.2\" and \"F leans positive\"")
        );
        discover_shard(&sc, &discover_req(OUTCOME, 120, 5, p("runs1")), 1, 3, 1);
        assert!(refused(&["a0", "runs1", "a2"]).ends_with("runs 100 and 120"));
        discover_shard(&sc, &discover_req(OUTCOME, 100, 6, p("seed1")), 1, 3, 1);
        assert!(
            refused(&["a0", "seed1", "a2"])
                .ends_with("they come from different master seeds (5 and 6)")
        );
        discover_shard(&sc, &discover_req(OUTCOME, 100, 5, p("split1")), 1, 2, 1);
        assert!(
            refused(&["a0", "split1", "a2"]).ends_with("one is split in 3 shards, the other in 2")
        );
        assert!(!out.exists(), "a refused merge writes nothing");
    }
}
