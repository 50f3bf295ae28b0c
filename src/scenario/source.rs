//! Where a scenario's text comes from: a file, or the default compiled into the binary.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::{
    DEFAULT_SCENARIO_PATH, DEFAULT_SCENARIO_TEXT, Diagnostic, Scenario, ScenarioError,
    parse_scenario,
};

/// The largest scenario file read: 16 MiB, far beyond any real scenario (the default is
/// 30 KiB). Checked while reading, since a device such as /dev/zero has no size to ask.
pub const MAX_SCENARIO_BYTES: u64 = 16 << 20;

/// A scenario's text with the name it is known by in messages and output paths.
#[derive(Debug, Clone)]
pub struct ScenarioSource {
    /// Shown in diagnostics (`origin:line:col`).
    pub origin: String,
    /// The file it came from, or the default's path in the repository.
    pub path: PathBuf,
    pub text: String,
}

impl ScenarioSource {
    /// Reads a scenario file. A file that is not UTF-8 text is bad input, reported at its
    /// first invalid byte, not a failed read.
    pub fn from_path(path: &Path) -> Result<ScenarioSource, ScenarioError> {
        let origin = path.display().to_string();
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_SCENARIO_BYTES + 1).read_to_end(&mut bytes))
            .map_err(|source| ScenarioError::Read {
                path: origin.clone(),
                source,
            })?;
        ScenarioSource::from_bytes(bytes, path)
    }

    /// A scenario from the bytes of a file at `path`, checked as [`Self::from_path`] checks
    /// what it reads: the size limit and UTF-8. Kept apart from the reading so that the
    /// fuzz target goes through exactly the checks a file on disk does.
    pub fn from_bytes(bytes: Vec<u8>, path: &Path) -> Result<ScenarioSource, ScenarioError> {
        let origin = path.display().to_string();
        if bytes.len() as u64 > MAX_SCENARIO_BYTES {
            let diagnostic = Diagnostic::new(
                "",
                &origin,
                0..0,
                format!(
                    "the file is larger than {} MiB, the most a scenario may be",
                    MAX_SCENARIO_BYTES >> 20
                ),
            );
            return Err(ScenarioError::Invalid(vec![diagnostic]));
        }
        let text = String::from_utf8(bytes).map_err(|err| {
            // The lossy copy keeps the valid prefix byte for byte, so the offset carries over.
            let offset = err.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
            let diagnostic = Diagnostic::new(
                &text,
                &origin,
                offset..offset + 1,
                "the file is not valid UTF-8 text",
            )
            .with_label(&text, "invalid byte here");
            ScenarioError::Invalid(vec![diagnostic])
        })?;
        Ok(ScenarioSource {
            origin,
            path: path.to_path_buf(),
            text,
        })
    }

    /// The embedded default scenario (scenarios/south_caucasus.toml at build time).
    pub fn embedded_default() -> ScenarioSource {
        ScenarioSource {
            origin: format!("{DEFAULT_SCENARIO_PATH} (embedded)"),
            path: PathBuf::from(DEFAULT_SCENARIO_PATH),
            text: DEFAULT_SCENARIO_TEXT.to_string(),
        }
    }

    /// The named file, or the embedded default when none is named.
    pub fn from_option(path: Option<&Path>) -> Result<ScenarioSource, ScenarioError> {
        match path {
            Some(p) => ScenarioSource::from_path(p),
            None => Ok(ScenarioSource::embedded_default()),
        }
    }

    /// Parses and checks the text.
    pub fn parse(&self) -> Result<Scenario, ScenarioError> {
        parse_scenario(&self.text, &self.origin)
    }
}
