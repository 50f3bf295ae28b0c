//! Files a study leaves behind: CSV tables, summary.json, PNG charts and replays, written
//! atomically.
//!
//! The formats here are a contract that tests and other tools rely on; README.md documents
//! every file and column, and [`schema`] holds each file's one type, which every writer and
//! reader goes through.

pub mod ablation;
pub mod atomic;
pub mod calibration;
pub mod charts;
pub mod compare;
pub mod convergence;
pub mod csv;
pub mod discover;
pub mod inputs;
pub mod replay;
pub mod report;
pub mod schema;
pub mod seeds;
pub mod sensitivity;
pub mod study;
pub mod terminal;

pub use atomic::{OutputError, StagedDir};
pub use replay::write_replay;
pub use study::{StudyMeta, write_study};
