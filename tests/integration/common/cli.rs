//! Running the `influence` binary and reading the files it writes.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// The binary under test, as cargo built it for this test run.
pub fn influence() -> Command {
    Command::cargo_bin("influence").expect("binary built")
}

/// A path in the repository, whatever directory the test runs in.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The text of a file, failing with its path.
pub fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The names in a directory, sorted. A directory that does not exist has none, so that a test
/// can assert that nothing was created.
pub fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|it| {
            it.map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Runs the command and returns its stdout, failing with its output unless it exits 0.
pub fn ok(cmd: &mut Command) -> String {
    let out = cmd.output().expect("runs");
    assert!(out.status.success(), "{}", described(cmd, &out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs the command, expects exit code 1 (a failure: I/O, a refused output directory, an
/// unreadable study) and returns its stderr.
pub fn failure(cmd: &mut Command) -> String {
    exits_with(1, cmd)
}

/// Runs the command, expects exit code 2 (bad input: arguments or scenarios) and returns its
/// stderr.
pub fn bad_input(cmd: &mut Command) -> String {
    exits_with(2, cmd)
}

fn exits_with(code: i32, cmd: &mut Command) -> String {
    let out = cmd.output().expect("runs");
    assert_eq!(out.status.code(), Some(code), "{}", described(cmd, &out));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The arguments, exit code and output of a run, for a failure message: several tests run
/// the same check over a list of argument sets.
fn described(cmd: &Command, out: &Output) -> String {
    let args: Vec<_> = cmd.get_args().map(|a| a.to_string_lossy()).collect();
    format!(
        "influence {}: exit {:?}\nstdout:\n{}\nstderr:\n{}",
        args.join(" "),
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Every line of a CSV text written by the tool, header first, split at commas: the tool
/// quotes no field that these tests read.
pub fn csv_lines(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

/// The fields of every line of a CSV text, header included, with quoted fields (names
/// holding commas or quotes) read as RFC 4180 says: `"a ""b"", c"` is `a "b", c`.
pub fn csv_records(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|line| {
            let mut fields = vec![String::new()];
            let mut quoted = false;
            let mut chars = line.chars().peekable();
            while let Some(ch) = chars.next() {
                match ch {
                    '"' if quoted && chars.peek() == Some(&'"') => {
                        chars.next();
                        fields.last_mut().expect("a field").push('"');
                    }
                    '"' => quoted = !quoted,
                    ',' if !quoted => fields.push(String::new()),
                    _ => fields.last_mut().expect("a field").push(ch),
                }
            }
            fields
        })
        .collect()
}

/// The data rows of a CSV text: its lines without the header.
pub fn csv_rows(text: &str) -> Vec<Vec<String>> {
    csv_lines(text).into_iter().skip(1).collect()
}

/// The `summary.json` of an output directory.
pub fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&read(&dir.join("summary.json"))).expect("summary.json parses")
}
