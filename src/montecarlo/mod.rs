//! Monte Carlo: per-run random streams, run plans, the driver that executes them, and the
//! tallies that collect what runs show, merged exactly.
//!
//! - [`plan`]: what to simulate (scenarios, seed, run indices, per-run inputs);
//! - [`driver`]: the one loop over runs, on a thread pool the caller hands in;
//! - [`tally`]: the [`Tally`] trait, checked merging, saving and loading;
//! - [`tallies`]: the tallies every study keeps; [`aggregate`] their exact statistics;
//! - [`batch`] and [`paired`]: the plans of one scenario and of a base and a variant;
//! - [`run`] and [`streams`]: one run, and the random numbers it draws.

pub mod aggregate;
pub mod batch;
pub mod driver;
pub mod estimate;
pub mod final_table;
pub mod lanes;
pub mod paired;
pub mod plan;
pub mod run;
pub mod streams;
pub mod tallies;
pub mod tally;
pub mod thresholds;

pub use batch::{BatchConfig, BatchError, BatchResult, run_batch};
pub use driver::{DriverError, Executed, execute, execute_keeping, thread_pool};
pub use final_table::{FinalKeep, FinalTable, SpoolError};
pub use plan::{InputPlan, RunPlan};
pub use run::{Observer, Runner, stream_keys};
pub use tallies::{PairedTally, StudyTally};
pub use tally::{Header, MergeError, Tallied, Tally};
