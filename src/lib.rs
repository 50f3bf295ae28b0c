//! `influence`: agent-based Monte Carlo simulation of regional influence between states.
//!
//! Data flows one way, and each stage lives in its own module:
//!
//! ```text
//! text ──scenario──▶ Scenario ──montecarlo──▶ runs (model) ──▶ aggregates ──analysis──▶ figures ──output──▶ files
//! ```
//!
//! - [`scenario`]: the TOML format. Raw serde types are checked into a [`scenario::Scenario`]
//!   whose names are resolved to indices; every problem becomes a diagnostic pointing at the text.
//! - [`model`]: the normative dynamics of docs/MODEL.md: the [`model::State`] of a run, one step
//!   of trust, threat and alignment, and the effects of events. Deterministic given its noise.
//! - [`montecarlo`]: where randomness enters. Per-run, per-source ChaCha8 streams, one run
//!   driven step by step, and parallel batches whose aggregates merge exactly, so results do not
//!   depend on the thread count.
//! - [`analysis`]: outcomes judged on runs, Wilson intervals, the figures a study reports.
//! - [`output`]: CSV, JSON, PNG charts, replays and the terminal table; directories written
//!   atomically. Charts are drawn from the files of an output directory (including its copy
//!   of the scenario), so `influence chart` redraws exactly what `influence run` drew.
//! - [`study`]: `influence run` as one library call.
//! - [`ops`]: operations over several batches: the same study under several seeds, and the
//!   pick of a representative run; two scenarios compared on common random numbers, and each
//!   event's effect measured by leaving it out.
//!
//! Nothing downstream reaches back up: the model knows no files, output never re-reads the
//! scenario the user named (charts read only the copy inside the output directory), and
//! analysis never draws random numbers.

pub mod analysis;
pub mod model;
pub mod montecarlo;
pub mod ops;
pub mod output;
pub mod scenario;
