//! Monte Carlo: per-run random streams, one run, and parallel batches with exact aggregates.

pub mod aggregate;
pub mod batch;
pub mod paired;
pub mod run;
pub mod streams;

pub use batch::{BatchAccumulator, BatchConfig, BatchError, BatchResult, run_batch};
pub use run::{Observer, Runner, stream_keys};
