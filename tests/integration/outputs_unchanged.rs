//! Every file each command writes, hashed and compared with a manifest: a change of engine,
//! tally or scheduling that alters one byte of any output (a CSV, a summary, a chart) fails
//! here, on 1 and on 2 threads. The manifest was first made with the version before the run
//! plans and tallies, and is re-blessed only for deliberate changes of the model or a
//! format, each named in its commit.
//!
//! `summary.json` is compared without its `threads` and `elapsed_s` lines, the only ones
//! that may differ between equal studies. To re-bless on purpose (a deliberate change of a
//! format, said in the commit), run with `INFLUENCE_BLESS=1`; `INFLUENCE_BIN` runs another
//! build of the binary, to bless from a known version.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use assert_cmd::Command;
use sha2::{Digest, Sha256};

use crate::common::cli::repo;

const MANIFEST: &str = "tests/golden/outputs.sha256";

fn binary() -> Command {
    match std::env::var("INFLUENCE_BIN") {
        Ok(bin) => Command::new(bin),
        Err(_) => Command::cargo_bin("influence").expect("binary built"),
    }
}

/// The commands whose outputs are hashed, by the name of their output directory.
fn commands(threads: &str) -> Vec<(String, Vec<&'static str>)> {
    let default = "scenarios/south_caucasus.toml";
    let tiny = "tests/golden/tiny.toml";
    let variant = "scenarios/south_caucasus_no_visit.toml";
    let t = |name: &str| format!("{name}-{threads}");
    vec![
        (
            t("run-default"),
            vec!["run", default, "--runs", "300", "-q"],
        ),
        (t("run-tiny"), vec!["run", tiny, "--runs", "200", "-q"]),
        (
            t("until"),
            vec!["run", tiny, "--until-ci", "0.08", "--block", "64", "-q"],
        ),
        (
            t("seeds"),
            vec!["seeds", tiny, "--count", "3", "--runs", "100", "-q"],
        ),
        (t("ablate"), vec!["ablate", tiny, "--runs", "100", "-q"]),
        (
            t("compare"),
            vec!["compare", default, variant, "--runs", "200", "-q"],
        ),
        (
            t("pick"),
            vec![
                "replay", default, "--pick", "median", "--actor", "Armenia", "--runs", "200",
            ],
        ),
    ]
}

fn hash(path: &Path) -> String {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let bytes = if path.file_name().is_some_and(|n| n == "summary.json") {
        let text = String::from_utf8(bytes).expect("utf-8");
        text.lines()
            .filter(|l| !l.contains("\"threads\"") && !l.contains("\"elapsed_s\""))
            .collect::<Vec<_>>()
            .join("\n")
            .into_bytes()
    } else {
        bytes
    };
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    for entry in fs::read_dir(dir).expect("readable") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            walk(root, &path, out);
        } else {
            let rel = path.strip_prefix(root).expect("below root");
            out.insert(rel.display().to_string(), hash(&path));
        }
    }
}

#[test]
fn every_file_of_every_command_is_unchanged_on_one_and_two_threads() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    for threads in ["1", "2"] {
        for (name, args) in commands(threads) {
            let out = root.join(&name);
            let status = binary()
                .current_dir(repo("."))
                .args(&args)
                .args(["--threads", threads, "--out"])
                .arg(&out)
                .output()
                .expect("runs");
            assert!(status.status.success(), "{name}: {status:?}");
        }
        // A single run, and charts redrawn from a study's files.
        let replay = root.join(format!("replay-{threads}"));
        let status = binary()
            .current_dir(repo("."))
            .args([
                "replay",
                "scenarios/south_caucasus.toml",
                "--run",
                "17",
                "--out",
            ])
            .arg(&replay)
            .output()
            .expect("runs");
        assert!(status.status.success(), "replay: {status:?}");
    }
    let redrawn = root.join("chart-redrawn");
    copy_dir(&root.join("run-tiny-1"), &redrawn);
    fs::remove_dir_all(redrawn.join("charts")).expect("charts removable");
    let status = binary().arg("chart").arg(&redrawn).output().expect("runs");
    assert!(status.status.success(), "chart: {status:?}");

    let mut hashes = BTreeMap::new();
    walk(root, root, &mut hashes);
    let text: String = hashes.iter().map(|(f, h)| format!("{h}  {f}\n")).collect();
    let manifest = repo(MANIFEST);
    if std::env::var_os("INFLUENCE_BLESS").is_some() {
        fs::write(&manifest, &text).expect("manifest written");
        return;
    }
    let expected = fs::read_to_string(&manifest).expect("manifest exists");
    let want: BTreeMap<&str, &str> = expected
        .lines()
        .filter_map(|l| l.split_once("  ").map(|(h, f)| (f, h)))
        .collect();
    let mut problems = Vec::new();
    for (file, h) in &hashes {
        match want.get(file.as_str()) {
            Some(w) if w == h => {}
            Some(_) => problems.push(format!("changed: {file}")),
            None => problems.push(format!("new: {file}")),
        }
    }
    for file in want.keys() {
        if !hashes.contains_key(*file) {
            problems.push(format!("missing: {file}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("created");
    for entry in fs::read_dir(from).expect("readable") {
        let path = entry.expect("entry").path();
        let target = to.join(path.file_name().expect("named"));
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            fs::copy(&path, &target).expect("copied");
        }
    }
}
