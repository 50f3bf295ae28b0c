//! What `influence compare` and `influence ablate` share: their errors, where they write by
//! default, and the names the two scenarios of a comparison go by.

use std::path::{Path, PathBuf};

use super::OutputRequest;
use crate::montecarlo::paired::PairError;
use crate::output::OutputError;
use crate::output::charts::ChartError;
use crate::scenario::Scenario;

/// What the user asked of a paired study: like a plain study's request, with `runs` counting
/// paired runs (per event, for an ablation).
#[derive(Debug, Clone)]
pub struct PairedRequest {
    pub runs: u64,
    /// Master seed of both scenarios of each pair.
    pub seed: u64,
    pub output: OutputRequest,
    /// Draw each run's inputs from a calibration's posterior instead of their priors
    /// (an ablation only: a comparison's two scenarios may have different inputs).
    pub posterior: Option<crate::montecarlo::plan::InputPlan>,
}

/// Why a paired study (a comparison or an ablation) did not finish.
#[derive(Debug, thiserror::Error)]
pub enum PairedStudyError {
    /// Includes scenarios that cannot be paired (different actors or horizons): bad input.
    #[error(transparent)]
    Pair(#[from] PairError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Charts(#[from] ChartError),
}

impl PairedStudyError {
    /// Whether the user's scenarios are at fault (exit code 2) rather than the run or the
    /// file system (exit code 1).
    pub fn is_bad_input(&self) -> bool {
        matches!(self, PairedStudyError::Pair(PairError::Mismatch(_)))
    }
}

/// The stem of a scenario file, which names its outputs.
pub fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".to_string())
}

/// `outputs/<base stem>-vs-<variant stem>`.
pub fn compare_out_dir(base: &Path, variant: &Path) -> PathBuf {
    Path::new("outputs").join(format!("{}-vs-{}", file_stem(base), file_stem(variant)))
}

/// `outputs/<scenario stem>-ablation`.
pub fn ablation_out_dir(scenario: &Path) -> PathBuf {
    Path::new("outputs").join(format!("{}-ablation", file_stem(scenario)))
}

/// The names the two scenarios go by in tables and charts: their `[scenario] name`s when
/// these differ, else their file stems (a variant is often a copy of the base with its name
/// unchanged), else "base" and "variant".
pub fn labels(
    base: &Scenario,
    base_path: &Path,
    variant: &Scenario,
    variant_path: &Path,
) -> (String, String) {
    if base.name != variant.name {
        return (base.name.clone(), variant.name.clone());
    }
    let (b, v) = (file_stem(base_path), file_stem(variant_path));
    if b != v {
        (b, v)
    } else {
        ("base".to_string(), "variant".to_string())
    }
}
