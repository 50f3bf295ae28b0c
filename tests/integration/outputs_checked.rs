//! Output files read back are checked: `influence chart` and `influence merge` (and
//! `influence report`, for the tables it states) refuse a file whose values are out of range
//! or disagree with summary.json (or, for a shard's slice, with its part.json), with exit
//! code 1, the file and the line, and change nothing.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::common::cli::{entries, failure, influence, ok, read, repo};

/// Every file under `dir` with its bytes, by path relative to `dir`.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in fs::read_dir(dir).expect("readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).expect("below").to_path_buf();
                out.insert(rel, fs::read(&path).expect("read"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// A study of the tiny scenario, charts and report included, in `tmp/name`.
fn study(tmp: &Path, name: &str) -> PathBuf {
    let out = tmp.join(name);
    ok(influence()
        .args(["run", "-q", "--runs", "120", "--out"])
        .arg(&out)
        .arg(repo("tests/golden/tiny.toml")));
    out
}

/// Replaces line `line` (1-based) of `file` in `dir` with what `edit` makes of it.
fn edit_line(dir: &Path, file: &str, line: usize, edit: impl Fn(&str) -> String) {
    let path = dir.join(file);
    let text = read(&path);
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let new = edit(&lines[line - 1]);
    assert_ne!(new, lines[line - 1], "the edit changes {file}:{line}");
    lines[line - 1] = new;
    fs::write(&path, lines.join("\n") + "\n").expect("write");
}

/// Replaces field `k` (0-based; the lines edited hold no quoted field) of a CSV line.
fn set_field(line: &str, k: usize, value: &str) -> String {
    let mut fields: Vec<&str> = line.split(',').collect();
    fields[k] = value;
    fields.join(",")
}

/// `chart` refuses `dir` with exit 1 and a message holding every needle, and leaves every
/// file of it as it was.
fn refused(dir: &Path, needles: &[&str]) {
    let before = snapshot(dir);
    let stderr = failure(influence().arg("chart").arg(dir));
    for needle in needles {
        assert!(stderr.contains(needle), "{needle:?} not in {stderr}");
    }
    assert!(snapshot(dir) == before, "chart changed the directory");
}

#[test]
fn an_outcome_probability_of_5_is_refused_with_its_file_and_line() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = study(tmp.path(), "study");
    edit_line(&dir, "outcomes.csv", 2, |l| set_field(l, 1, "5.000000"));
    refused(
        &dir,
        &["outcomes.csv:2:", "`probability` is 5, outside [0, 1]"],
    );
    // The page, which states the outcomes, reads the file through the same checks.
    let before = snapshot(&dir);
    let stderr = failure(influence().arg("report").arg(&dir));
    assert!(stderr.contains("outcomes.csv:2:"), "{stderr}");
    assert!(snapshot(&dir) == before, "report changed the directory");
}

#[test]
fn an_interval_that_misses_its_estimate_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = study(tmp.path(), "study");
    // The interval moved above the estimate, both still in [0, 1].
    edit_line(&dir, "outcomes.csv", 3, |l| {
        set_field(&set_field(l, 2, "0.990000"), 3, "1.000000")
    });
    refused(
        &dir,
        &["outcomes.csv:3:", "`ci_low`", "is above `probability`"],
    );
}

#[test]
fn a_quantile_made_nan_or_empty_or_out_of_range_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (k, (value, needle)) in [
        ("NaN", "holds \"NaN\", not a number"),
        ("", "`p50` has no value"),
        ("1.500000", "`p50` is 1.5, outside [-1, 1]"),
    ]
    .into_iter()
    .enumerate()
    {
        let dir = study(tmp.path(), &format!("study-{k}"));
        // step,actor,mean,sd,p05,p25,p50,p75,p95: p50 is field 6.
        edit_line(&dir, "alignment.csv", 5, |l| set_field(l, 6, value));
        refused(&dir, &["alignment.csv:5:", needle]);
    }
}

#[test]
fn a_run_count_of_10_to_the_15_in_summary_json_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = study(tmp.path(), "study");
    let text = read(&dir.join("summary.json"));
    let line = text
        .lines()
        .position(|l| l.starts_with("  \"runs\":"))
        .expect("a runs line")
        + 1;
    edit_line(&dir, "summary.json", line, |l| {
        l.replace("120", "1000000000000000")
    });
    refused(
        &dir,
        &[
            &format!("summary.json:{line}:"),
            "`runs` is 1000000000000000, but outcome",
        ],
    );
}

#[test]
fn a_csv_run_count_other_than_summary_jsons_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = study(tmp.path(), "study");
    edit_line(&dir, "outcomes.csv", 2, |l| set_field(l, 4, "119"));
    refused(
        &dir,
        &[
            "outcomes.csv:2:",
            "119 runs here, but summary.json says 120",
        ],
    );

    // A run missing from final.csv: the next row is out of place.
    let dir = study(tmp.path(), "missing-run");
    let path = dir.join("final.csv");
    let text = read(&path);
    let lines: Vec<&str> = text.lines().collect();
    // Three actors a run: drop run 5 (lines 17 to 19).
    let kept: Vec<&str> = lines
        .iter()
        .enumerate()
        .filter(|(k, _)| !(16..19).contains(k))
        .map(|(_, l)| *l)
        .collect();
    fs::write(&path, kept.join("\n") + "\n").expect("write");
    refused(&dir, &["final.csv:17:", "where run 5, \"A\" belongs"]);

    // And the last run missing: the file ends early.
    let dir = study(tmp.path(), "short");
    let path = dir.join("final.csv");
    let text = read(&path);
    let lines: Vec<&str> = text.lines().collect();
    fs::write(&path, lines[..lines.len() - 3].join("\n") + "\n").expect("write");
    refused(&dir, &["final.csv:", "357 rows", "make 360"]);
}

#[test]
fn merge_refuses_a_damaged_part_before_writing_anything() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let parts = tmp.path().join("parts");
    for k in 0..2 {
        ok(influence()
            .args([
                "run",
                "-q",
                "--runs",
                "100",
                "--shard",
                &format!("{k}/2"),
                "--out",
            ])
            .arg(parts.join(format!("shard-{k}")))
            .arg(repo("tests/golden/tiny.toml")));
    }
    // The parts merge as they are.
    let whole = tmp.path().join("whole");
    ok(influence()
        .args(["merge", "-q", "--no-charts", "--out"])
        .arg(&whole)
        .arg(&parts));

    // An alignment of 5 in the second part's slice (runs 50..100).
    edit_line(&parts.join("shard-1"), "final.csv", 4, |l| {
        set_field(l, 2, "5.000000")
    });
    let before = snapshot(&parts);
    for charts in [true, false] {
        let out = tmp.path().join(format!("merged-{charts}"));
        let mut cmd = influence();
        cmd.args(["merge", "-q", "--out"]).arg(&out).arg(&parts);
        if !charts {
            cmd.arg("--no-charts");
        }
        let stderr = failure(&mut cmd);
        assert!(
            stderr.contains("shard-1/final.csv:4:") && stderr.contains("`alignment` is 5"),
            "{stderr}"
        );
        assert!(!out.exists(), "nothing is written");
        assert!(
            snapshot(&parts) == before,
            "the parts are left as they were"
        );
    }
    let listing = entries(tmp.path());
    assert_eq!(listing, ["parts", "whole"]);

    // A run missing from the first part's slice.
    let path = parts.join("shard-1/final.csv");
    fs::write(&path, read(&path).replacen("5.000000", "0.100000", 1)).expect("write");
    let path = parts.join("shard-0/final.csv");
    let text = read(&path);
    let lines: Vec<&str> = text.lines().collect();
    fs::write(&path, lines[..lines.len() - 3].join("\n") + "\n").expect("write");
    let stderr = failure(
        influence()
            .args(["merge", "-q", "--out"])
            .arg(tmp.path().join("merged"))
            .arg(&parts),
    );
    assert!(
        stderr.contains(
            "shard-0/final.csv: 147 rows, where the runs 0..50 that part.json gives make 150"
        ),
        "{stderr}"
    );
}
