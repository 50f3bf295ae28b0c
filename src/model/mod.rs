//! The dynamics of MODEL.md: the state of a run, one step `t -> t+1`, and the effects of events.
//!
//! This module is deterministic given its noise inputs: it never creates random generators
//! and never touches files. The Monte Carlo layer feeds it draws from per-run streams.

pub mod anchors;
pub mod balance;
pub mod dynamics;
pub mod effects;
pub mod lanes;
pub mod outcome;
pub mod state;

pub use anchors::{Anchors, solve_anchors};
pub use balance::Balance;
pub use dynamics::Dynamics;
pub use effects::{apply_custom, apply_kind};
pub use outcome::OutcomeTracker;
pub use state::{Part, Reads, State};
