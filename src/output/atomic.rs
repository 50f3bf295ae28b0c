//! Output directories that appear whole or not at all.
//!
//! Files are written into a staging directory beside the target and renamed into place
//! when complete, so a crash or an interrupt never leaves a half-written result, and an
//! existing result is replaced only when the user asked for it.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{} already exists; pass --force to replace it, or choose another --out", .0.display())]
    Exists(PathBuf),
    #[error("{} exists and is not a directory", .0.display())]
    NotADirectory(PathBuf),
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
    force: bool,
    committed: bool,
}

impl StagedDir {
    /// Checks that `target` may be written (absent, or `force`) and creates a fresh staging
    /// directory beside it, on the same file system so that the final rename is atomic.
    pub fn new(target: &Path, force: bool) -> Result<StagedDir, OutputError> {
        check_target(target, force)?;
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(|e| OutputError::io(&parent, e))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".to_string());
        let pid = std::process::id();
        let mut attempt = 0u32;
        loop {
            let staging = parent.join(format!(".{name}.partial-{pid}-{attempt}"));
            match fs::create_dir(&staging) {
                Ok(()) => {
                    return Ok(StagedDir {
                        target: target.to_path_buf(),
                        staging,
                        force,
                        committed: false,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => {
                    attempt += 1;
                }
                Err(e) => return Err(OutputError::io(&staging, e)),
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
        check_target(&self.target, self.force)?;
        let aside = if self.target.exists() {
            let aside = self.staging.with_extension("old");
            fs::rename(&self.target, &aside).map_err(|e| OutputError::io(&self.target, e))?;
            Some(aside)
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
        self.committed = true;
        if let Some(aside) = aside {
            fs::remove_dir_all(&aside).map_err(|e| OutputError::io(&aside, e))?;
        }
        Ok(self.target.clone())
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

fn check_target(target: &Path, force: bool) -> Result<(), OutputError> {
    match fs::symlink_metadata(target) {
        Ok(meta) if !meta.is_dir() => Err(OutputError::NotADirectory(target.to_path_buf())),
        Ok(_) if !force => Err(OutputError::Exists(target.to_path_buf())),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(OutputError::io(target, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_moves_into_place_and_drop_cleans_up() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        let staged = StagedDir::new(&target, false).unwrap();
        fs::write(staged.path().join("a.csv"), "x\n").unwrap();
        staged.commit().unwrap();
        assert_eq!(fs::read_to_string(target.join("a.csv")).unwrap(), "x\n");

        assert!(matches!(
            StagedDir::new(&target, false),
            Err(OutputError::Exists(_))
        ));

        let staged = StagedDir::new(&target, true).unwrap();
        fs::write(staged.path().join("b.csv"), "y\n").unwrap();
        drop(staged);
        // The abandoned attempt left nothing, and the earlier result is intact.
        let names: Vec<_> = fs::read_dir(root.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("out")]);
        assert!(target.join("a.csv").exists());

        let staged = StagedDir::new(&target, true).unwrap();
        fs::write(staged.path().join("b.csv"), "y\n").unwrap();
        staged.commit().unwrap();
        assert!(!target.join("a.csv").exists());
        assert!(target.join("b.csv").exists());
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 1);
    }
}
