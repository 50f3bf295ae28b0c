//! An interrupted study leaves nothing behind: no output directory, no staging directory.

use std::fs;
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

#[test]
fn ctrl_c_stops_the_run_and_removes_the_staging_directory() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("study");
    let child = Command::new(env!("CARGO_BIN_EXE_influence"))
        .args(["run", "--runs", "2000000", "--quiet", "--out"])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    // Wait until the staging directory exists: the run is under way.
    let started = Instant::now();
    while fs::read_dir(tmp.path()).map(|d| d.count()).unwrap_or(0) == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no staging directory appeared"
        );
        sleep(Duration::from_millis(20));
    }
    sleep(Duration::from_millis(200));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let output = child.wait_with_output().expect("exits");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("interrupted"), "{stderr}");
    let left: Vec<_> = fs::read_dir(tmp.path())
        .expect("readable")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
