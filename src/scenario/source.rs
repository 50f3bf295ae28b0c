//! Where a scenario's text comes from: a file, or the default compiled into the binary.

use std::path::{Path, PathBuf};

use super::{
    DEFAULT_SCENARIO_PATH, DEFAULT_SCENARIO_TEXT, Scenario, ScenarioError, parse_scenario,
};

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
    /// Reads a scenario file.
    pub fn from_path(path: &Path) -> Result<ScenarioSource, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Ok(ScenarioSource {
            origin: path.display().to_string(),
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
