//! End-to-end tests of the `influence` binary on real scenarios.

use std::fs;

use crate::common::cli::{bad_input, entries, failure, influence, ok, read, repo, summary};

const STUDY_FILES: [&str; 14] = [
    "alignment.csv",
    "blocs.csv",
    "blocs_splits.csv",
    "charts",
    "events.csv",
    "final.csv",
    "outcomes.csv",
    "report.html",
    "runs_sample.csv",
    "scenario.toml",
    "summary.json",
    "threat_final.csv",
    "thresholds.csv",
    "trust_final.csv",
];

/// A study of the default scenario: its uncertain inputs add the per-run draws, inputs.csv.
const DEFAULT_STUDY_FILES: [&str; 15] = [
    "alignment.csv",
    "blocs.csv",
    "blocs_splits.csv",
    "charts",
    "events.csv",
    "final.csv",
    "inputs.csv",
    "outcomes.csv",
    "report.html",
    "runs_sample.csv",
    "scenario.toml",
    "summary.json",
    "threat_final.csv",
    "thresholds.csv",
    "trust_final.csv",
];

#[test]
fn run_default_scenario_writes_every_file_and_prints_a_summary() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let stdout = ok(influence()
        .current_dir(tmp.path())
        .args(["run", "--runs", "200"]));
    assert!(
        stdout.contains("South Caucasus: 200 runs, seed 42"),
        "{stdout}"
    );
    assert!(stdout.contains("Azerbaijan"), "{stdout}");
    assert!(stdout.contains("95% interval"), "{stdout}");
    let dir = tmp.path().join("outputs/south_caucasus");
    assert_eq!(entries(&dir), DEFAULT_STUDY_FILES);
    // Nothing else was left beside the result.
    assert_eq!(entries(&tmp.path().join("outputs")), ["south_caucasus"]);

    let alignment = read(&dir.join("alignment.csv"));
    assert!(alignment.starts_with("step,actor,mean,sd,p05,p25,p50,p75,p95\n0,Iran,"));
    assert_eq!(alignment.lines().count(), 1 + 27 * 9);
    let final_csv = read(&dir.join("final.csv"));
    assert_eq!(final_csv.lines().count(), 1 + 200 * 9);
    let trust = read(&dir.join("trust_final.csv"));
    assert!(trust.starts_with("from,to,mean,sd,p05,p50,p95\n"));
    assert_eq!(trust.lines().count(), 1 + 9 * 8);
    let outcomes = read(&dir.join("outcomes.csv"));
    assert!(outcomes.starts_with(
        "outcome,probability,ci_low,ci_high,runs,\
         baseline,baseline_low,baseline_high,change,change_low,change_high\n"
    ));
    assert!(outcomes.lines().count() >= 4);
    let events = read(&dir.join("events.csv"));
    assert!(events.starts_with("event,label,kind,fired_fraction,mean_times_fired\n"));
    let summary = summary(&dir);
    assert_eq!(summary["runs"], 200);
    assert_eq!(summary["seed"], 42);
    assert_eq!(summary["scenario"], "South Caucasus");
    assert_eq!(summary["scenario_sha256"].as_str().map(str::len), Some(64));
    assert_eq!(
        read(&dir.join("scenario.toml")),
        read(&repo("scenarios/south_caucasus.toml"))
    );
}

#[test]
fn existing_output_is_refused_without_force_and_replaced_with_it() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("study");
    influence()
        .args(["run", "--runs", "20", "--no-charts", "--out"])
        .arg(&dir)
        .assert()
        .success();
    let stderr = failure(influence().args(["run", "--runs", "50", "--out"]).arg(&dir));
    assert!(stderr.contains("already exists; pass --force"), "{stderr}");
    assert!(read(&dir.join("summary.json")).contains("\"runs\": 20"));
    assert_eq!(entries(tmp.path()), ["study"]);

    influence()
        .args(["run", "--runs", "50", "--force", "--out"])
        .arg(&dir)
        .assert()
        .success();
    assert_eq!(entries(&dir), DEFAULT_STUDY_FILES);
    assert!(read(&dir.join("summary.json")).contains("\"runs\": 50"));
    assert_eq!(entries(tmp.path()), ["study"]);
}

#[test]
fn bad_scenario_exits_2_with_location_and_writes_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let bad = tmp.path().join("bad.toml");
    let text = read(&repo("scenarios/south_caucasus.toml")).replacen(
        "actor = \"Iran\"\ntarget = \"Azerbaijan\"",
        "actor = \"Iran\"\ntarget = \"Azerbaijn\"",
        1,
    );
    assert!(
        text.contains("Azerbaijn"),
        "the default scenario changed shape"
    );
    fs::write(&bad, text).expect("write");
    for cmd in ["run", "validate"] {
        let stderr = bad_input(influence().current_dir(tmp.path()).args([cmd, "bad.toml"]));
        assert!(stderr.contains("bad.toml:"), "{stderr}");
        assert!(stderr.contains("Azerbaijn"), "{stderr}");
        assert!(stderr.contains("did you mean"), "{stderr}");
        assert!(stderr.contains('^'), "{stderr}");
    }
    assert_eq!(entries(tmp.path()), ["bad.toml"]);
}

#[test]
fn missing_file_and_bad_arguments_have_their_exit_codes() {
    let stderr = failure(influence().args(["run", "no/such/file.toml"]));
    assert!(stderr.contains("no/such/file.toml"));
    bad_input(influence().args(["run", "--runs", "0"]));
    bad_input(influence().args(["run", "--bogus"]));
}

#[test]
fn validate_reports_the_scenario() {
    let stdout = ok(influence()
        .args(["validate"])
        .arg(repo("scenarios/south_caucasus.toml")));
    assert!(stdout.starts_with("ok: "), "{stdout}");
    assert!(stdout.contains("9 actors"), "{stdout}");
}

#[test]
fn every_command_has_help_with_examples() {
    for args in [
        vec!["--help"],
        vec!["run", "--help"],
        vec!["validate", "--help"],
        vec!["replay", "--help"],
        vec!["chart", "--help"],
    ] {
        let stdout = ok(influence().args(&args));
        assert!(stdout.contains("Examples:"), "{args:?}: {stdout}");
    }
}

#[test]
fn thread_count_leaves_files_identical_but_for_timing_fields() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for threads in ["1", "2"] {
        influence()
            .args(["run", "--runs", "300", "--threads", threads, "--out"])
            .arg(tmp.path().join(threads))
            .assert()
            .success();
    }
    for name in DEFAULT_STUDY_FILES {
        if name == "charts" {
            // Charts are drawn from the files, so they must agree to the byte too.
            let (a, b) = (tmp.path().join("1/charts"), tmp.path().join("2/charts"));
            assert_eq!(entries(&a), entries(&b));
            for chart in entries(&a) {
                let same = fs::read(a.join(&chart)).ok() == fs::read(b.join(&chart)).ok();
                assert!(same, "charts/{chart} differs between 1 and 2 threads");
            }
            continue;
        }
        let a = read(&tmp.path().join("1").join(name));
        let b = read(&tmp.path().join("2").join(name));
        if name == "summary.json" {
            let strip = |s: &str| {
                s.lines()
                    .filter(|l| !l.contains("\"elapsed_s\"") && !l.contains("\"threads\""))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            assert_eq!(strip(&a), strip(&b));
        } else {
            assert!(a == b, "{name} differs between 1 and 2 threads");
        }
    }
}

#[test]
fn replay_matches_the_batch_row() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let study = tmp.path().join("study");
    influence()
        .args(["run", "--runs", "30", "--seed", "9", "--out"])
        .arg(&study)
        .assert()
        .success();
    let replay = tmp.path().join("replay");
    influence()
        .args(["replay", "--run", "17", "--seed", "9", "--out"])
        .arg(&replay)
        .assert()
        .success();
    assert_eq!(
        entries(&replay),
        ["events.csv", "pairs.csv", "trajectory.csv"]
    );
    let batch_rows: Vec<String> = read(&study.join("final.csv"))
        .lines()
        .filter(|l| l.starts_with("17,"))
        .map(|l| l.trim_start_matches("17,").to_string())
        .collect();
    let replay_rows: Vec<String> = read(&replay.join("trajectory.csv"))
        .lines()
        .filter(|l| l.starts_with("26,"))
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            format!("{},{}", f[1], f[2])
        })
        .collect();
    assert_eq!(batch_rows.len(), 9);
    assert_eq!(batch_rows, replay_rows);
    let events = read(&replay.join("events.csv"));
    assert!(events.starts_with("step,event,label,kind,actor,target,magnitude,attributed\n"));
    assert!(events.contains("Pezeshkian"), "{events}");
    let pairs = read(&replay.join("pairs.csv"));
    assert_eq!(pairs.lines().count(), 1 + 27 * 72);
}

/// The formats, byte for byte, on a small scenario. Set INFLUENCE_BLESS=1 to rewrite the
/// expected files after an intended change, and review the diff.
#[test]
fn golden_outputs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("tiny");
    influence()
        .args(["run", "--threads", "2", "--out"])
        .arg(&out)
        .arg(repo("tests/golden/tiny.toml"))
        .assert()
        .success();
    let golden = repo("tests/golden/tiny");
    let bless = std::env::var_os("INFLUENCE_BLESS").is_some();
    for name in STUDY_FILES {
        // The charts are pictures of these files, checked in tests/integration/charts.rs;
        // the page is checked in tests/integration/report.rs.
        if name == "scenario.toml" || name == "charts" || name == "report.html" {
            continue;
        }
        let mut got = read(&out.join(name));
        if name == "summary.json" {
            got = got
                .lines()
                .filter(|l| !l.contains("\"elapsed_s\"") && !l.contains("\"threads\""))
                .map(|l| format!("{l}\n"))
                .collect();
        }
        let path = golden.join(name);
        if bless {
            fs::create_dir_all(&golden).expect("mkdir");
            fs::write(&path, &got).expect("write golden");
        } else {
            let want = read(&path);
            assert!(got == want, "{name} differs from {}", path.display());
        }
    }
}
