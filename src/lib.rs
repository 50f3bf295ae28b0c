//! `influence`: agent-based Monte Carlo simulation of regional influence between states.
//!
//! Data flows one way, and each stage lives in its own module:
//!
//! ```text
//! text ──scenario──▶ Scenario ──montecarlo──▶ runs (model) ──▶ tallies ──analysis──▶ figures ──output──▶ files
//!                                     ▲                                                   │
//!                                     └───────────── ops: plans, loops, staged dirs ──────┘
//! ```
//!
//! - [`scenario`]: the TOML format. Raw serde types are checked into a [`scenario::Scenario`]
//!   whose names are resolved to indices; every problem becomes a diagnostic pointing at the
//!   text. Numbers given as distributions become [`scenario::UncertainInput`]s.
//! - [`model`]: the normative dynamics of docs/MODEL.md: the [`model::State`] of a run, one step
//!   of trust, threat and alignment, the effects of events, the verdict of an outcome.
//!   Deterministic given its noise.
//! - [`montecarlo`]: where randomness enters and the one place that simulates. A
//!   [`montecarlo::RunPlan`] (scenarios, seed, run indices, per-run inputs) is executed by the
//!   driver on a caller's thread pool into [`montecarlo::Tally`]s that merge exactly, with
//!   headers that refuse parts of another study; so results do not depend on the thread
//!   count or on how the runs are split.
//! - [`analysis`]: figures from tallies: outcome estimates, Wilson intervals, paired
//!   differences, spreads between seeds, ablation effects. Never simulates.
//! - [`ops`]: every operation that simulates, one per command (study, until, seeds, compare,
//!   ablate, replay, pick), and the staged-directory skeleton they share.
//! - [`output`]: CSV, JSON, PNG charts, the self-contained report.html, replay tables and
//!   the terminal table; directories written atomically. Charts are drawn from the files of an output directory (including
//!   its copy of the scenario), so `influence chart` redraws exactly what a study drew.
//! - [`random`]: the generator of every random stream, one run's or eight runs' side by
//!   side, number for number the same.
//!
//! Dependencies point one way: scenario ← model ← montecarlo ← analysis ← ops, with output
//! beside ops (it reads tallies and figures, never simulates), and random beside
//! montecarlo, which draws from it.
//! docs/ARCHITECTURE.md says where a new command, tally, output file or chart goes.

pub mod analysis;
pub mod model;
pub mod montecarlo;
pub mod ops;
pub mod output;
pub mod random;
pub mod scenario;
