//! The format of every file an output directory holds, one type per file, shared by the
//! code that writes it and by every reader (charts included).
//!
//! A CSV table is a [`TableFormat`]: its header and its record type, written by
//! [`TableWriter`] or [`TableStream`] and read by [`TableReader`], so a column renamed here
//! is renamed in the file and in every reader at once. `summary.json` is one serde type per
//! kind of directory ([`Summary`]), and [`read_kind`] is the one way to learn what kind of
//! directory a reader is looking at. These types hold plain data; what the data mean, and
//! whether they agree with the scenario beside them, is for the code that uses them.

pub mod ablation;
pub mod alignment;
pub mod blocs;
pub mod calibration;
pub mod check;
pub mod compare;
pub mod convergence;
pub mod discover;
pub mod error;
pub mod events;
pub mod final_alignment;
pub mod inputs;
pub mod outcomes;
pub mod pairs;
pub mod records;
pub mod run_order;
pub mod runs_sample;
pub mod seeds;
pub mod sensitivity;
pub mod summary;
pub mod table;
pub mod thresholds;

pub use error::ReadError;
pub use summary::{
    AblationSummary, CalibrationSummary, CompareSummary, DiscoverSummary, OutputKind, SeedsSummary,
    SensitivitySummary, StudySummary, Summary, UntilRule, read_kind, read_summary,
};
pub use table::{Fields, TableFormat, TableReader, TableStream, TableWriter};

/// The copy of the scenario a study, a seeds study or an ablation was run on.
pub const SCENARIO_FILE: &str = "scenario.toml";
