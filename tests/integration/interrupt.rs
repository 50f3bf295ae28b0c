//! An interrupted command leaves the disk exactly as it found it: no staging directory, and
//! the previous output, if any, untouched; SIGINT exits 130 and SIGTERM 143.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// Every file under `root`, by relative path, with its bytes.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, into: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in fs::read_dir(dir).expect("readable") {
            let path = entry.expect("entry").path();
            let rel = path.strip_prefix(root).expect("under root").to_path_buf();
            if path.is_dir() {
                into.insert(rel, Vec::new());
                walk(root, &path, into);
            } else {
                into.insert(rel, fs::read(&path).expect("readable"));
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(root, root, &mut files);
    files
}

fn influence(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_influence"));
    cmd.args(args).stdout(Stdio::null()).stderr(Stdio::piped());
    cmd
}

/// Waits until a name containing `.partial-` appears in `dir`: the command is under way.
fn wait_for_staging(dir: &Path) {
    let started = Instant::now();
    loop {
        let staging = fs::read_dir(dir)
            .map(|d| {
                d.flatten()
                    .any(|e| e.file_name().to_string_lossy().contains(".partial-"))
            })
            .unwrap_or(false);
        if staging {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no staging directory appeared in {}",
            dir.display()
        );
        sleep(Duration::from_millis(5));
    }
}

/// Sends `signal` to the child, which must end within a few seconds with `code`.
fn stop(child: Child, signal: &str, code: i32) -> String {
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let sent = Instant::now();
    let output = child.wait_with_output().expect("exits");
    assert!(
        sent.elapsed() < Duration::from_secs(5),
        "took {:?} to stop",
        sent.elapsed()
    );
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(code), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    stderr
}

#[test]
fn ctrl_c_stops_the_run_and_removes_the_staging_directory() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("study");
    let child = influence(&["run", "--runs", "2000000", "--quiet", "--out"])
        .arg(&out)
        .spawn()
        .expect("starts");
    wait_for_staging(tmp.path());
    sleep(Duration::from_millis(200));
    stop(child, "-INT", 130);
    let left: Vec<_> = fs::read_dir(tmp.path())
        .expect("readable")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// A finished study in `tmp/study`, written quickly, and the disk as it then is.
fn previous_study(tmp: &Path) -> (PathBuf, BTreeMap<PathBuf, Vec<u8>>) {
    let out = tmp.join("study");
    let status = influence(&["run", "--runs", "30", "--quiet", "--out"])
        .arg(&out)
        .status()
        .expect("runs");
    assert!(status.success());
    (out, snapshot(tmp))
}

#[test]
fn a_signal_while_simulating_leaves_the_previous_study_exactly() {
    for (signal, code) in [("-INT", 130), ("-TERM", 143)] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let (out, before) = previous_study(tmp.path());
        let child = influence(&["run", "--runs", "2000000", "--quiet", "--force", "--out"])
            .arg(&out)
            .spawn()
            .expect("starts");
        wait_for_staging(tmp.path());
        sleep(Duration::from_millis(300));
        stop(child, signal, code);
        assert!(snapshot(tmp.path()) == before, "{signal} changed the disk");
    }
}

#[test]
fn a_signal_while_drawing_charts_leaves_the_previous_charts_exactly() {
    for (signal, code) in [("-INT", 130), ("-TERM", 143)] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let (out, before) = previous_study(tmp.path());
        // `chart` reads, then draws into `study/.charts.partial-*`: signal it while it draws.
        let child = influence(&["chart"]).arg(&out).spawn().expect("starts");
        wait_for_staging(&out);
        let sent = Instant::now();
        Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .expect("kill runs");
        let output = child.wait_with_output().expect("exits");
        assert!(
            sent.elapsed() < Duration::from_secs(5),
            "took {:?}",
            sent.elapsed()
        );
        // Drawing takes a fraction of a second, so on a loaded machine the redraw may
        // finish before the signal lands (exit 0). Either way the disk must hold exactly the
        // previous study: the interrupted redraw leaves nothing, and a finished one draws the
        // same bytes.
        let stderr = String::from_utf8_lossy(&output.stderr);
        match output.status.code() {
            Some(0) => {}
            c => {
                assert_eq!(c, Some(code), "{stderr}");
                assert!(stderr.contains("interrupted"), "{stderr}");
            }
        }
        assert!(snapshot(tmp.path()) == before, "{signal} changed the disk");
    }
}

#[test]
fn the_staging_directory_of_a_killed_process_is_removed_by_the_next_one() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("study");
    let child = influence(&["run", "--runs", "2000000", "--quiet", "--out"])
        .arg(&out)
        .spawn()
        .expect("starts");
    wait_for_staging(tmp.path());
    // SIGKILL cannot be caught: the staging directory stays behind.
    let mut child = child;
    child.kill().expect("killed");
    child.wait().expect("reaped");
    assert_eq!(fs::read_dir(tmp.path()).expect("readable").count(), 1);
    let status = influence(&["run", "--runs", "20", "--quiet", "--no-charts", "--out"])
        .arg(&out)
        .status()
        .expect("runs");
    assert!(status.success());
    let left: Vec<_> = fs::read_dir(tmp.path())
        .expect("readable")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("study")]);
}

/// Starts `influence` held at the start of `phase` (see `INFLUENCE_PAUSE_AT`), waits until
/// it says it is there, sends `signal`, and checks it ends at once with `code`.
fn interrupt_at(args: &[&str], out: &Path, phase: &str, signal: &str, code: i32) {
    use std::io::{BufRead, BufReader, Read};
    let mut child = influence(args)
        .arg(out)
        .env("INFLUENCE_PAUSE_AT", phase)
        .spawn()
        .expect("starts");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    while !line.contains("paused at") {
        line.clear();
        let read = stderr.read_line(&mut line).expect("stderr readable");
        assert!(read > 0, "{args:?} ended before reaching {phase}");
    }
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let sent = Instant::now();
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).expect("stderr");
    let exit = child.wait().expect("exits");
    assert!(
        sent.elapsed() < Duration::from_secs(5),
        "took {:?} to stop",
        sent.elapsed()
    );
    assert_eq!(exit.code(), Some(code), "{args:?} at {phase}: {rest}");
    assert!(rest.contains("interrupted"), "{rest}");
}

/// At each phase of writing a study (its files, its charts), of a merge of shards, a signal
/// leaves the disk exactly as it was: the previous study untouched, no staging left.
#[test]
fn a_signal_while_writing_or_merging_leaves_the_previous_state_exactly() {
    for (signal, code) in [("-INT", 130), ("-TERM", 143)] {
        for phase in ["writing", "charts"] {
            let tmp = tempfile::tempdir().expect("tempdir");
            let (out, before) = previous_study(tmp.path());
            interrupt_at(
                &["run", "--runs", "40", "--quiet", "--force", "--out"],
                &out,
                phase,
                signal,
                code,
            );
            assert!(
                snapshot(tmp.path()) == before,
                "{signal} while a study was at {phase} changed the disk"
            );
        }
        // Merging: two parts, then a merge over the previous study, stopped at each phase.
        let tmp = tempfile::tempdir().expect("tempdir");
        let (out, _) = previous_study(tmp.path());
        for k in 0..2 {
            let part = tmp.path().join(format!("part{k}"));
            let status = influence(&["run", "--runs", "30", "--quiet", "--shard"])
                .arg(format!("{k}/2"))
                .arg("--out")
                .arg(&part)
                .status()
                .expect("runs");
            assert!(status.success());
        }
        let before = snapshot(tmp.path());
        for phase in ["writing", "charts"] {
            let p0 = tmp.path().join("part0");
            let p1 = tmp.path().join("part1");
            let (p0, p1) = (p0.to_string_lossy(), p1.to_string_lossy());
            interrupt_at(
                &["merge", &p0, &p1, "--quiet", "--force", "--out"],
                &out,
                phase,
                signal,
                code,
            );
            assert!(
                snapshot(tmp.path()) == before,
                "{signal} while a merge was at {phase} changed the disk"
            );
        }
    }
}
