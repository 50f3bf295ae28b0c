//! What the runs mean: outcome conditions judged on trajectories, and the statistics
//! reported for them.

pub mod ablation;
pub mod blocs;
pub mod calibration;
pub mod compare;
pub mod convergence;
pub mod pick;
pub mod seeds;
pub mod sensitivity;
pub mod stats;
pub mod summary;

pub use stats::{Interval, wilson_interval};
