//! `influence calibrate --shard K/N` and `influence merge` of its parts: the merged
//! directory is the unsharded calibration's, file for file, for any split, with or without
//! rounds of sequential Monte Carlo ABC (which the merge runs); parts that do not make one
//! calibration are refused with exit 2 and nothing written.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::cli::{bad_input, entries, influence, ok, repo, summary};

const SCENARIO: &str = "scenarios/sino_soviet_split.toml";

/// Every file under `dir`, relative to it, sorted.
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

/// Every file of `a` is in `b` with the same bytes, charts and report.html included;
/// summary.json up to threads and timing.
fn assert_same_outputs(a: &Path, b: &Path) {
    let names = files(a);
    assert_eq!(names, files(b));
    assert!(
        names.iter().any(|n| n.ends_with("fit.png")),
        "charts drawn: {names:?}"
    );
    for rel in &names {
        if rel.ends_with("summary.json") {
            continue;
        }
        assert!(
            fs::read(a.join(rel)).expect("a") == fs::read(b.join(rel)).expect("b"),
            "{} differs",
            rel.display()
        );
    }
    let strip = |dir: &Path| {
        let mut s = summary(dir);
        let map = s.as_object_mut().expect("object");
        assert!(map.remove("threads").is_some());
        assert!(map.remove("elapsed_s").is_some());
        s
    };
    assert_eq!(strip(a), strip(b));
}

fn calibrate(out: &Path, args: &[&str], extra: &[&str]) -> String {
    let mut cmd = influence();
    for var in [
        "SLURM_ARRAY_TASK_ID",
        "SLURM_ARRAY_TASK_MIN",
        "SLURM_ARRAY_TASK_COUNT",
        "JOB_COMPLETION_INDEX",
    ] {
        cmd.env_remove(var);
    }
    ok(cmd
        .arg("calibrate")
        .arg(repo(SCENARIO))
        .args(args)
        .args(extra)
        .arg("--out")
        .arg(out))
}

fn merge(parts: &[PathBuf], out: &Path, threads: &str) -> String {
    ok(influence()
        .arg("merge")
        .args(parts)
        .args(["--threads", threads, "--out"])
        .arg(out))
}

#[test]
fn calibrate_shards_merge_into_the_unsharded_calibration_byte_for_byte() {
    let tmp = tempfile::tempdir().expect("tmp");
    // An observation from a file as well as the scenario's: the parts carry both.
    let record = tmp.path().join("record.csv");
    fs::write(
        &record,
        "step,metric,actor,other,value,sd,sign,label\n14,trust,China,USA,0.3,0.3,,from a file\n",
    )
    .expect("write");
    let record = record.display().to_string();
    // 61 points: shards of unequal sizes for N = 2, 3 and 7.
    let plans: [(&str, Vec<&str>); 2] = [
        (
            "rejection",
            vec![
                "--samples",
                "61",
                "--runs",
                "3",
                "--keep",
                "9",
                "--seed",
                "5",
            ],
        ),
        (
            "smc",
            vec![
                "--samples",
                "61",
                "--runs",
                "2",
                "--keep",
                "8",
                "--rounds",
                "2",
                "--hold-out-after",
                "12",
                "--observed",
                &record,
                "--seed",
                "6",
            ],
        ),
    ];
    for (name, args) in &plans {
        let plain = tmp.path().join(format!("{name}-plain"));
        calibrate(&plain, args, &["--threads", "2", "-q"]);
        for n in [1u64, 2, 3, 7] {
            let parts = tmp.path().join(format!("{name}-parts-{n}"));
            // Shards in reverse order and on different thread counts: neither shows.
            for k in (0..n).rev() {
                let shard = format!("{k}/{n}");
                let threads = (1 + k % 2).to_string();
                let said = calibrate(
                    &parts.join(format!("s{k}")),
                    args,
                    &["--shard", &shard, "--threads", &threads],
                );
                assert!(
                    said.contains(&format!("Shard {k} of {n}: design points")),
                    "{said}"
                );
            }
            assert_eq!(entries(&parts.join("s0")), ["part.json", "scenario.toml"]);
            let merged = tmp.path().join(format!("{name}-merged-{n}"));
            // The rounds run on the merge's threads: one or two, the result is the same.
            let threads = if n == 3 { "1" } else { "2" };
            let said = merge(std::slice::from_ref(&parts), &merged, threads);
            assert!(said.contains("61 design points"), "{said}");
            assert_same_outputs(&plain, &merged);
        }
    }
    let help = ok(influence().args(["calibrate", "--help"]));
    assert!(
        help.contains("--shard <K/N>") && help.contains("influence merge"),
        "{help}"
    );
}

#[test]
fn calibrate_parts_of_different_calibrations_or_splits_are_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().expect("tmp");
    let args = ["--samples", "30", "--runs", "2", "--keep", "5", "-q"];
    // The arguments above, with `extra` in place of those of the same flag.
    let part = |name: &str, shard: &str, extra: &[&str]| -> PathBuf {
        let dir = tmp.path().join(name);
        let mut given: Vec<&str> = Vec::new();
        let mut k = 0;
        while k < args.len() {
            if args[k].starts_with("--") && extra.contains(&args[k]) {
                k += 2;
            } else {
                given.push(args[k]);
                k += 1;
            }
        }
        calibrate(&dir, &given, &[&["--shard", shard], extra].concat());
        dir
    };
    let a0 = part("a0", "0/3", &[]);
    let a1 = part("a1", "1/3", &[]);
    let a2 = part("a2", "2/3", &[]);
    let out = tmp.path().join("merged");
    let refused = |dirs: &[&PathBuf], says: &str| {
        let err = bad_input(influence().arg("merge").args(dirs).arg("--out").arg(&out));
        assert!(err.contains(says), "expected {says:?} in {err}");
        assert!(!out.exists(), "a refused merge writes nothing");
    };
    refused(&[&a0, &a2], "1 of 3 shards is missing: 1");
    refused(&[&a0, &a1, &a1, &a2], "shard 1 of 3 is given twice");
    let keep = part("keep1", "1/3", &["--keep", "6"]);
    refused(&[&a0, &keep, &a2], "keep 5 and 6");
    let rounds = part("rounds1", "1/3", &["--rounds", "1"]);
    refused(&[&a0, &rounds, &a2], "rounds 0 and 1");
    let hold = part("hold1", "1/3", &["--hold-out-after", "12"]);
    refused(&[&a0, &hold, &a2], "hold-out after step none and 12");
    let seed = part("seed1", "1/3", &["--seed", "99"]);
    refused(&[&a0, &seed, &a2], "different master seeds");
    let runs = part("runs1", "1/3", &["--runs", "3"]);
    refused(&[&a0, &runs, &a2], "runs per point 2 and 3");
    let split = part("split1", "1/4", &[]);
    refused(&[&a0, &split, &a2], "3 shards, the other in 4");
    let record = tmp.path().join("record.csv");
    fs::write(&record, "step,metric,actor,sign\n14,alignment,China,-\n").expect("write");
    let record = record.display().to_string();
    let observed = part("observed1", "1/3", &["--observed", &record]);
    refused(&[&a0, &observed, &a2], "different observations");
    // A part of another command.
    let run = tmp.path().join("run1");
    ok(influence()
        .arg("run")
        .arg(repo(SCENARIO))
        .args(["--runs", "10", "--shard", "1/3", "-q", "--out"])
        .arg(&run));
    refused(&[&a0, &run, &a2], "commands calibrate and run");
    // A scheduler's shard is the same part as the one given by hand.
    let auto = tmp.path().join("auto1");
    ok(influence()
        .arg("calibrate")
        .arg(repo(SCENARIO))
        .args(args)
        .args(["--shard", "auto", "--shards", "3", "--out"])
        .arg(&auto)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("SLURM_ARRAY_TASK_COUNT")
        .env("JOB_COMPLETION_INDEX", "1"));
    ok(influence()
        .arg("merge")
        .args([&a2, &auto, &a0])
        .arg("--out")
        .arg(&out));
    assert!(out.join("posterior.csv").is_file());
    // A shard of a request the unsharded command refuses is refused the same way.
    let err = bad_input(
        influence()
            .arg("calibrate")
            .arg(repo(SCENARIO))
            .args(["--samples", "30", "--keep", "31", "--shard", "0/2", "--out"])
            .arg(tmp.path().join("never")),
    );
    assert!(err.contains("--keep 31"), "{err}");
    assert!(!tmp.path().join("never").exists());
    // A shard checks its memory before it runs, as every study command does.
    let err = bad_input(
        influence()
            .arg("calibrate")
            .arg(repo(SCENARIO))
            .args([
                "--samples",
                "100",
                "--shard",
                "0/2",
                "--max-memory",
                "1K",
                "--out",
            ])
            .arg(tmp.path().join("never")),
    );
    assert!(err.contains("more than the cap"), "{err}");
    assert!(!tmp.path().join("never").exists());
}
