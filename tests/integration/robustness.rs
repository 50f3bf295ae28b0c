//! What no user, careless or hostile, can make `influence` do: replace a folder it did not
//! write, panic on a closed stdout, or accept names that carry terminal control sequences.

use std::fs;

use crate::common::cli::{entries, failure, influence, read, repo};

#[test]
fn force_refuses_a_folder_of_the_users_own_files() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("scenarios");
    fs::create_dir(&dir).expect("mkdir");
    fs::copy(repo("scenarios/south_caucasus.toml"), dir.join("x.toml")).expect("copy");
    fs::write(dir.join("notes.md"), "precious").expect("write");
    for force in [true, false] {
        let mut cmd = influence();
        cmd.current_dir(tmp.path()).args([
            "run",
            "scenarios/x.toml",
            "--runs",
            "20",
            "--out",
            "scenarios",
        ]);
        if force {
            cmd.arg("--force");
        }
        let stderr = failure(&mut cmd);
        assert!(
            stderr.contains("is not an output of influence")
                && stderr.contains("never replaced, with or without --force"),
            "{stderr}"
        );
        assert_eq!(entries(&dir), ["notes.md", "x.toml"]);
        assert_eq!(read(&dir.join("notes.md")), "precious");
        assert_eq!(entries(tmp.path()), ["scenarios"]);
    }
}

/// Runs `influence args` with its stdout a pipe closed before it writes, and returns its exit
/// code and stderr.
#[cfg(unix)]
fn with_closed_stdout(args: &[&str], cwd: &std::path::Path) -> (Option<i32>, String) {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_influence"))
        .args(args)
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    // Closed at once: the child is still parsing its arguments when the reader goes.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("exits");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[cfg(unix)]
#[test]
fn a_closed_stdout_ends_quietly_with_the_code_of_the_work() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (code, stderr) = with_closed_stdout(&["validate"], tmp.path());
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");

    let (code, stderr) = with_closed_stdout(
        &["run", "--runs", "20", "--no-charts", "--out", "study"],
        tmp.path(),
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    assert!(tmp.path().join("study/summary.json").is_file());

    // A bad scenario still says why on stderr and exits 2.
    fs::write(tmp.path().join("bad.toml"), "[scenario\n").expect("write");
    let (code, stderr) = with_closed_stdout(&["validate", "bad.toml"], tmp.path());
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("bad.toml"), "{stderr}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_stdout_is_a_failure_with_its_reason_not_a_panic() {
    let full = fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_influence"))
        .arg("validate")
        .stdout(full)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot write to stdout") && !stderr.contains("panicked"),
        "{stderr}"
    );
}

#[test]
fn an_absurd_run_count_is_bad_input_with_the_estimate_and_nothing_is_written() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("study");
    let stderr = crate::common::cli::bad_input(
        influence()
            .args(["run", "--runs", "1000000000000", "--out"])
            .arg(&out),
    );
    // Memory does not grow with the runs (the per-run table is spooled to disk), so it is
    // the disk that refuses them, with the estimate.
    assert!(
        stderr.contains("1000000000000 runs of") && stderr.contains("TiB on disk"),
        "{stderr}"
    );
    assert!(entries(tmp.path()).is_empty());
    // A cap below the estimate refuses even a small study; one above admits it.
    let stderr = crate::common::cli::bad_input(
        influence()
            .args(["run", "--runs", "100", "--max-memory", "1K", "--out"])
            .arg(&out),
    );
    assert!(stderr.contains("more than the cap of 1.0 KiB"), "{stderr}");
    influence()
        .args([
            "run",
            "--runs",
            "100",
            "--no-charts",
            "--max-memory",
            "1G",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
}

#[test]
fn every_command_that_keeps_a_per_run_table_refuses_an_absurd_run_count_as_bad_input() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    for args in [
        vec!["seeds", "--count", "2", "--runs", "1000000000000"],
        vec![
            "replay",
            "--pick",
            "median",
            "--actor",
            "Iran",
            "--runs",
            "1000000000000",
        ],
    ] {
        let stderr = crate::common::cli::bad_input(influence().args(&args).arg("--out").arg(&out));
        assert!(
            stderr.contains("more than the cap of 8.0 GiB") && stderr.contains("--max-memory"),
            "{args:?}: {stderr}"
        );
        assert!(entries(tmp.path()).is_empty(), "{args:?} wrote something");
    }
    // The flag raises the cap there too.
    let stderr = crate::common::cli::bad_input(
        influence()
            .args([
                "seeds",
                "--count",
                "2",
                "--runs",
                "100",
                "--max-memory",
                "1K",
                "--out",
            ])
            .arg(&out),
    );
    assert!(stderr.contains("more than the cap of 1.0 KiB"), "{stderr}");
}

#[test]
fn an_out_path_through_a_missing_directory_leaves_no_stray_directory() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let work = tmp.path().join("w");
    fs::create_dir(&work).expect("mkdir");
    // Refused before anything runs.
    crate::common::cli::bad_input(influence().current_dir(&work).args([
        "run",
        "--runs",
        "1000000000000",
        "--out",
        "../y/../z",
    ]));
    assert_eq!(entries(tmp.path()), ["w"]);
    // Refused because the target is a folder of the user's own files, even with --force.
    fs::create_dir(tmp.path().join("z")).expect("mkdir");
    fs::write(tmp.path().join("z/mine.txt"), "mine").expect("write");
    let stderr = failure(influence().current_dir(&work).args([
        "run",
        "--runs",
        "10",
        "--force",
        "-q",
        "--out",
        "../y/../z",
    ]));
    assert!(stderr.contains("is not an output of influence"), "{stderr}");
    assert_eq!(entries(tmp.path()), ["w", "z"]);
    assert_eq!(entries(&tmp.path().join("z")), ["mine.txt"]);
    // Written: into ../v, with no y beside it.
    influence()
        .current_dir(&work)
        .args([
            "run",
            "--runs",
            "10",
            "-q",
            "--no-charts",
            "--out",
            "../y/../v",
        ])
        .assert()
        .success();
    assert_eq!(entries(tmp.path()), ["v", "w", "z"]);
}

#[test]
fn validate_prints_the_estimate_of_the_default_run_count() {
    let stdout = crate::common::cli::ok(influence().arg("validate"));
    assert!(stdout.contains("estimate for "), "{stdout}");
    assert!(
        stdout.contains("of memory") && stdout.contains("on disk"),
        "{stdout}"
    );
    assert!(
        stdout.contains("time: about ") && stdout.contains("(timed on "),
        "{stdout}"
    );
}

/// Every study command estimates what it will hold before it starts and refuses, as bad
/// input and with nothing written, a request over the memory cap.
#[test]
fn every_study_command_refuses_work_over_the_memory_cap() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    let tiny = crate::common::cli::repo("tests/golden/tiny.toml");
    let leaders = crate::common::cli::repo("tests/scenarios/leaders.toml");
    let default = crate::common::cli::repo("scenarios/south_caucasus.toml");
    let no_visit = crate::common::cli::repo("scenarios/south_caucasus_no_visit.toml");
    let commands: Vec<Vec<std::ffi::OsString>> = vec![
        vec!["run".into(), tiny.clone().into()],
        vec![
            "seeds".into(),
            "--count".into(),
            "2".into(),
            tiny.clone().into(),
        ],
        vec!["compare".into(), default.into(), no_visit.into()],
        vec!["ablate".into(), tiny.into()],
        vec!["sensitivity".into(), leaders.clone().into()],
        vec![
            "discover".into(),
            leaders.into(),
            "--outcome".into(),
            "L1 above 0.2".into(),
        ],
        vec![
            "calibrate".into(),
            crate::common::cli::repo("tests/scenarios/recovery.toml").into(),
            "--observed".into(),
            crate::common::cli::repo("tests/scenarios/recovery_record.csv").into(),
        ],
    ];
    for args in commands {
        let stderr = crate::common::cli::bad_input(
            influence()
                .args(&args)
                .args(["--runs", "100", "--max-memory", "1K", "--out"])
                .arg(&out),
        );
        assert!(
            stderr.contains("more than the cap of 1.0 KiB"),
            "{args:?}: {stderr}"
        );
        assert!(entries(tmp.path()).is_empty(), "{args:?} wrote something");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn an_endless_scenario_file_is_refused_after_16_mib() {
    let stderr = crate::common::cli::bad_input(influence().args(["validate", "/dev/zero"]));
    assert!(stderr.contains("larger than 16 MiB"), "{stderr}");
}

/// A world past the documented cap of 5000 actors is refused as bad input at the first
/// actor past it, before anything is allocated for it.
#[test]
fn more_than_5000_actors_are_refused_where_the_limit_is_passed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("huge.toml");
    let mut text = String::from("[scenario]\nname = \"Huge\"\nsteps = 2\n");
    for i in 0..5001 {
        text.push_str(&format!(
            "\n[[actor]]\nname = \"A{i}\"\nalignment = 0.0\nstubbornness = 0.5\npower = 0.1\n"
        ));
    }
    std::fs::write(&file, &text).expect("write");
    let stderr = crate::common::cli::bad_input(influence().arg("validate").arg(&file));
    assert!(
        stderr.contains("at most 5000 actors; this file has 5001"),
        "{stderr}"
    );
    // The 5001st [[actor]] table starts on line 4 + 5000 × 6 + 1.
    assert!(stderr.contains("huge.toml:30005:1"), "{stderr}");
}
