//! Output directories that appear whole or not at all.
//!
//! Files are written into a staging directory beside the target and renamed into place
//! when complete, so a crash or an interrupt never leaves a half-written result, and an
//! existing result is replaced only when the user asked for it, and only when it is itself
//! an output of influence: `--force` must never cost a user a folder of their own files.
//!
//! Staging directories are named `.NAME.partial-PID-N` and a replaced result is set aside as
//! `.NAME.old-PID-N` until the new one is in place: the pid makes names unique between
//! concurrent processes, and lets the next process writing beside them tell the leftovers of
//! a process that died (killed, or the machine lost) from those of one still at work. Every
//! staging directory still open is listed in a process-wide register, so that a signal
//! handler can remove them all ([`abandon_staged`]) without racing a commit.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use super::schema::summary::read_summary;

/// The header file of a shard's partial directory (`ops::shard::PART_FILE`), and the kind it
/// names; repeated here because what may be replaced is decided below the operations.
const PART_FILE: &str = "part.json";
const PART_KIND: &str = "part";

/// The files of a replay directory (`output::replay::write_replay`), which has no summary.
const REPLAY_FILES: [&str; 3] = ["events.csv", "pairs.csv", "trajectory.csv"];
const REPLAY_HEADER: &str = "step,actor,alignment,power";

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{} already exists; pass --force to replace it, or choose another --out", .0.display())]
    Exists(PathBuf),
    #[error("{} exists and is not a directory", .0.display())]
    NotADirectory(PathBuf),
    #[error(
        "{} is not an output of influence ({reason}); it is never replaced, with or without \
         --force: choose another --out",
        path.display()
    )]
    NotAnOutput { path: PathBuf, reason: String },
    #[error("cannot write {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("cannot write {} as JSON: {source}", path.display())]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    /// The directory was written whole; only its page failed, so its data are kept and the
    /// page can be rebuilt from them with `influence report`.
    #[error("{} was written, but not its report.html: {source}", dir.display())]
    Report {
        dir: PathBuf,
        source: Box<crate::output::report::ReportError>,
    },
    /// The data were written whole; only the charts failed, so the files are kept (without
    /// a charts/ directory) and `influence chart` can draw them again later.
    #[error(
        "{} was written, but its charts could not be drawn: {source}; the data files are \
         kept, and `influence chart {}` draws the charts again",
        dir.display(),
        dir.display()
    )]
    Charts {
        dir: PathBuf,
        source: Box<crate::output::charts::ChartError>,
    },
}

impl OutputError {
    pub fn io(path: &Path, source: io::Error) -> OutputError {
        OutputError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// A directory being written. Dropping it without [`StagedDir::commit`] removes the staging
/// directory, so an error anywhere leaves nothing behind.
#[derive(Debug)]
pub struct StagedDir {
    target: PathBuf,
    staging: PathBuf,
    /// Where a replaced result waits until the new one is in place; unique to this staging
    /// directory, so concurrent `--force` runs never share it.
    aside: PathBuf,
    force: bool,
    /// Whether `target` may be replaced without checking that it is an output of influence.
    owned: bool,
    committed: bool,
}

/// The staging directories of this process not yet committed or dropped.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn live() -> MutexGuard<'static, Vec<PathBuf>> {
    // A panic while the list was held leaves it intact: the data is a plain list.
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes every staging directory this process has open and returns the register, still
/// locked: while the guard lives no commit can start, so a process about to exit on a
/// signal holds it until the end and leaves the previous output exactly as it was.
pub fn abandon_staged() -> MutexGuard<'static, Vec<PathBuf>> {
    abandon_where(|_| true)
}

/// [`abandon_staged`] for the staging directories `pick` chooses.
fn abandon_where(pick: impl Fn(&Path) -> bool) -> MutexGuard<'static, Vec<PathBuf>> {
    let mut guard = live();
    guard.retain(|dir| {
        if pick(dir) {
            remove_stubbornly(dir);
            false
        } else {
            true
        }
    });
    guard
}

/// `remove_dir_all`, retried: a worker thread may still be adding a file while the
/// directory is being emptied, which makes a single attempt fail with "not empty".
fn remove_stubbornly(dir: &Path) {
    for _ in 0..20 {
        match fs::remove_dir_all(dir) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => continue,
            _ => return,
        }
    }
}

impl StagedDir {
    /// Checks that `target` may be written (absent, or `force` and an output of influence)
    /// and creates a fresh staging directory beside it, on the same file system so that the
    /// final rename is atomic.
    pub fn new(target: &Path, force: bool) -> Result<StagedDir, OutputError> {
        StagedDir::open(target, force, false)
    }

    /// A staging directory for `target`, replacing it whatever it holds: for a part of an
    /// output directory (its `charts/`) that the caller has already checked.
    pub fn replacing(target: &Path) -> Result<StagedDir, OutputError> {
        StagedDir::open(target, true, true)
    }

    fn open(target: &Path, force: bool, owned: bool) -> Result<StagedDir, OutputError> {
        let target = &without_missing_detours(target);
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".to_string());
        remove_stale(&parent, &name, target);
        check_target(target, force, owned)?;
        fs::create_dir_all(&parent).map_err(|e| OutputError::io(&parent, e))?;
        let pid = std::process::id();
        let mut attempt = 0u32;
        loop {
            let staging = parent.join(format!(".{name}.partial-{pid}-{attempt}"));
            // Registered before it exists, so that a signal arriving in between still
            // finds it.
            live().push(staging.clone());
            match fs::create_dir(&staging) {
                Ok(()) => {
                    return Ok(StagedDir {
                        target: target.to_path_buf(),
                        aside: parent.join(format!(".{name}.old-{pid}-{attempt}")),
                        staging,
                        force,
                        owned,
                        committed: false,
                    });
                }
                Err(e) => {
                    live().retain(|d| d != &staging);
                    if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 {
                        attempt += 1;
                    } else {
                        return Err(OutputError::io(&staging, e));
                    }
                }
            }
        }
    }

    /// Where files go until the commit.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// The final location.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Moves the finished directory into place. An existing target (allowed by `force`) is
    /// first moved aside and removed only after the new one is in place.
    pub fn commit(mut self) -> Result<PathBuf, OutputError> {
        let aside = {
            // Held across the renames: a signal handler waits for them to finish rather
            // than remove the staging directory between them.
            let mut register = live();
            if !register.contains(&self.staging) {
                // Abandoned by a signal handler: the process is exiting.
                return Err(OutputError::io(
                    &self.staging,
                    io::Error::new(io::ErrorKind::Interrupted, "interrupted"),
                ));
            }
            check_target(&self.target, self.force, self.owned)?;
            let aside = if self.target.exists() {
                fs::rename(&self.target, &self.aside)
                    .map_err(|e| OutputError::io(&self.target, e))?;
                Some(self.aside.clone())
            } else {
                None
            };
            if let Err(e) = fs::rename(&self.staging, &self.target) {
                if let Some(aside) = &aside {
                    // Put the previous result back rather than lose it.
                    let _ = fs::rename(aside, &self.target);
                }
                return Err(OutputError::io(&self.target, e));
            }
            register.retain(|d| d != &self.staging);
            self.committed = true;
            aside
        };
        if let Some(aside) = aside {
            fs::remove_dir_all(&aside).map_err(|e| OutputError::io(&aside, e))?;
        }
        Ok(self.target.clone())
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.committed {
            let mut register = live();
            register.retain(|d| d != &self.staging);
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// `path` with every `name/..` taken out where `name` does not exist: `--out ../y/../z` means
/// `../z` when there is no `y`, and the parents created for it must not leave an empty `y`
/// behind (nor let the target look absent until `y` is made, and then be refused after the
/// work). Where `name` exists it stays, since it may be a link whose `..` leads elsewhere.
pub fn without_missing_detours(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    // Whether each name pushed onto `out` was found missing, so that a `..` after it undoes it.
    let mut missing: Vec<bool> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if missing.last() == Some(&true) => {
                out.pop();
                missing.pop();
            }
            Component::Normal(name) => {
                out.push(name);
                // Below a missing directory every name is missing too.
                let gone = missing.last() == Some(&true) || !out.exists();
                missing.push(gone);
            }
            other => {
                out.push(other.as_os_str());
                missing.push(false);
            }
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// Removes the staging directories of `name` left by processes that no longer exist, and
/// puts back a result such a process had set aside but not yet replaced.
fn remove_stale(parent: &Path, name: &str, target: &Path) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let partial = format!(".{name}.partial-");
    let old = format!(".{name}.old-");
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let (rest, set_aside) = if let Some(rest) = file.strip_prefix(&partial) {
            (rest, false)
        } else if let Some(rest) = file.strip_prefix(&old) {
            (rest, true)
        } else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid == std::process::id() || process_exists(pid) {
            continue;
        }
        let path = entry.path();
        if set_aside && !target.exists() {
            // The process died between moving the result aside and moving the new one in.
            let _ = fs::rename(&path, target);
        } else {
            remove_stubbornly(&path);
        }
    }
}

/// Whether process `pid` is alive. Where this cannot be known (no `/proc`), every process
/// is taken to be alive, so nothing of another process is ever removed by mistake.
fn process_exists(pid: u32) -> bool {
    if !Path::new("/proc/self").exists() {
        return true;
    }
    Path::new("/proc").join(pid.to_string()).exists()
}

fn check_target(target: &Path, force: bool, owned: bool) -> Result<(), OutputError> {
    match fs::symlink_metadata(target) {
        Ok(meta) if !meta.is_dir() => Err(OutputError::NotADirectory(target.to_path_buf())),
        Ok(_) if owned => Ok(()),
        Ok(_) => {
            if let Err(reason) = written_by_influence(target) {
                return Err(OutputError::NotAnOutput {
                    path: target.to_path_buf(),
                    reason,
                });
            }
            if force {
                Ok(())
            } else {
                Err(OutputError::Exists(target.to_path_buf()))
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(OutputError::io(target, e)),
    }
}

/// Whether `dir` may be replaced: empty, or an output of influence (a summary.json that
/// reads as one of the kinds written, a shard's part.json, or a replay's three tables).
/// The reason it may not is for the message.
fn written_by_influence(dir: &Path) -> Result<(), String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map_err(|e| format!("cannot list it: {e}"))?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("cannot list it: {e}"))?;
    names.sort();
    if names.is_empty() {
        return Ok(());
    }
    if dir.join("summary.json").is_file() {
        return read_summary(dir)
            .map(|_| ())
            .map_err(|e| format!("its summary.json does not read as one: {e}"));
    }
    if dir.join(PART_FILE).is_file() {
        let kind = fs::read_to_string(dir.join(PART_FILE))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(String::from));
        return match kind.as_deref() {
            Some(PART_KIND) => Ok(()),
            _ => Err(format!("its {PART_FILE} is not that of a shard")),
        };
    }
    if names == REPLAY_FILES {
        let header = fs::read_to_string(dir.join("trajectory.csv")).unwrap_or_default();
        if header.lines().next() == Some(REPLAY_HEADER) {
            return Ok(());
        }
    }
    let shown: Vec<&str> = names.iter().take(3).map(String::as_str).collect();
    Err(format!(
        "it holds {} entr{} ({}{}) and no summary.json",
        names.len(),
        if names.len() == 1 { "y" } else { "ies" },
        shown.join(", "),
        if names.len() > 3 { ", ..." } else { "" }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_detour_through_a_missing_directory_is_taken_out() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        assert_eq!(without_missing_detours(&r.join("y/../z")), r.join("z"));
        assert_eq!(without_missing_detours(&r.join("y/w/../../z")), r.join("z"));
        assert_eq!(
            without_missing_detours(&r.join("./y/../z/./out")),
            r.join("z/out")
        );
        // An existing directory stays: its `..` is the file system's to resolve.
        fs::create_dir(r.join("y")).unwrap();
        assert_eq!(without_missing_detours(&r.join("y/../z")), r.join("y/../z"));
        assert_eq!(
            without_missing_detours(Path::new("missing-here/..")),
            Path::new(".")
        );

        // And nothing is created for it, whether the write succeeds or is refused.
        let staged = StagedDir::new(&r.join("x/../out"), false).unwrap();
        fs::write(staged.path().join("events.csv"), "e").unwrap();
        staged.commit().unwrap();
        assert_eq!(names(r), ["out", "y"]);
    }

    /// A minimal output of influence: a replay's three tables.
    fn write_replay_like(dir: &Path, marker: &str) {
        fs::write(dir.join("trajectory.csv"), format!("{REPLAY_HEADER}\n")).unwrap();
        fs::write(dir.join("pairs.csv"), "step,from,to,trust,shock,threat\n").unwrap();
        fs::write(dir.join("events.csv"), marker).unwrap();
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn commit_moves_into_place_and_drop_cleans_up() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        let staged = StagedDir::new(&target, false).unwrap();
        write_replay_like(staged.path(), "first");
        staged.commit().unwrap();
        assert_eq!(
            fs::read_to_string(target.join("events.csv")).unwrap(),
            "first"
        );

        assert!(matches!(
            StagedDir::new(&target, false),
            Err(OutputError::Exists(_))
        ));

        let staged = StagedDir::new(&target, true).unwrap();
        fs::write(staged.path().join("b.csv"), "y\n").unwrap();
        drop(staged);
        // The abandoned attempt left nothing, and the earlier result is intact.
        assert_eq!(names(root.path()), vec!["out"]);
        assert_eq!(
            fs::read_to_string(target.join("events.csv")).unwrap(),
            "first"
        );

        let staged = StagedDir::new(&target, true).unwrap();
        write_replay_like(staged.path(), "second");
        staged.commit().unwrap();
        assert_eq!(
            fs::read_to_string(target.join("events.csv")).unwrap(),
            "second"
        );
        assert_eq!(names(root.path()), vec!["out"]);
    }

    #[test]
    fn force_never_replaces_a_directory_influence_did_not_write() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("scenarios");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("mine.toml"), "x").unwrap();
        fs::write(target.join("notes.txt"), "y").unwrap();
        for force in [false, true] {
            let err = StagedDir::new(&target, force).unwrap_err();
            assert!(matches!(err, OutputError::NotAnOutput { .. }), "{err}");
            let msg = err.to_string();
            assert!(msg.contains("not an output of influence"), "{msg}");
            assert!(msg.contains("2 entries (mine.toml, notes.txt)"), "{msg}");
        }
        // A summary.json that is not influence's does not make it one.
        fs::write(target.join("summary.json"), "{\"kind\": \"mine\"}").unwrap();
        let err = StagedDir::new(&target, true).unwrap_err();
        assert!(matches!(err, OutputError::NotAnOutput { .. }), "{err}");
        // Nor does a part.json of another kind.
        fs::remove_file(target.join("summary.json")).unwrap();
        fs::write(target.join(PART_FILE), "{\"kind\": \"study\"}").unwrap();
        let err = StagedDir::new(&target, true).unwrap_err();
        assert!(matches!(err, OutputError::NotAnOutput { .. }), "{err}");
        assert_eq!(names(&target), vec!["mine.toml", "notes.txt", "part.json"]);
        assert_eq!(names(root.path()), vec!["scenarios"]);
    }

    #[test]
    fn force_replaces_an_empty_directory_and_a_shard_part() {
        let root = tempfile::tempdir().unwrap();
        let empty = root.path().join("empty");
        fs::create_dir(&empty).unwrap();
        StagedDir::new(&empty, true).unwrap().commit().unwrap();
        let part = root.path().join("part");
        fs::create_dir(&part).unwrap();
        fs::write(part.join(PART_FILE), "{\"kind\": \"part\", \"runs\": 3}").unwrap();
        fs::write(part.join("final.csv"), "run\n").unwrap();
        let staged = StagedDir::new(&part, true).unwrap();
        staged.commit().unwrap();
        assert!(names(&part).is_empty());
    }

    #[test]
    fn the_directory_set_aside_is_unique_to_each_staging_directory() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        let a = StagedDir::new(&target, true).unwrap();
        let b = StagedDir::new(&target, true).unwrap();
        assert_ne!(a.aside, b.aside);
        assert_ne!(a.staging, b.staging);
    }

    #[cfg(unix)]
    #[test]
    fn leftovers_of_a_dead_process_are_removed_and_a_result_set_aside_restored() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        // No process has a pid this large (the Linux maximum is 2^22).
        let dead = 4_000_000_000u32;
        let stale = root.path().join(format!(".out.partial-{dead}-0"));
        fs::create_dir(&stale).unwrap();
        fs::write(stale.join("half.csv"), "x").unwrap();
        let aside = root.path().join(format!(".out.old-{dead}-0"));
        fs::create_dir(&aside).unwrap();
        write_replay_like(&aside, "previous");
        // A live process's staging directory (this one's parent) is left alone.
        let parent = std::os::unix::process::parent_id();
        let busy = root.path().join(format!(".out.partial-{parent}-0"));
        fs::create_dir(&busy).unwrap();
        let other = root.path().join(".other.partial-1-0");
        fs::create_dir(&other).unwrap();

        let staged = StagedDir::new(&target, false);
        // The previous result is back under its name, so a new one needs --force.
        assert!(matches!(staged, Err(OutputError::Exists(_))), "{staged:?}");
        assert_eq!(
            fs::read_to_string(target.join("events.csv")).unwrap(),
            "previous"
        );
        assert!(!stale.exists());
        assert!(busy.exists());
        assert!(other.exists());
    }

    #[test]
    fn abandoning_removes_open_staging_directories_and_blocks_their_commit() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        let staged = StagedDir::new(&target, false).unwrap();
        fs::write(staged.path().join("a.csv"), "x").unwrap();
        let path = staged.path().to_path_buf();
        // Only this test's: other tests of this process stage directories of their own.
        drop(abandon_where(|p| p.starts_with(root.path())));
        assert!(!path.exists());
        assert!(staged.commit().is_err());
        assert!(!target.exists());
    }
}
