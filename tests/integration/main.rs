//! The integration tests, as one binary: one module per area, the shared helpers in
//! [`common`]. One binary links the library once instead of once per area.
//!
//! Tests that run the `influence` binary give every run its own temporary directory (as
//! output or as working directory), so they may run in parallel with each other and with
//! the tests that call the library directly.

mod common;

mod bad_inputs;
mod baseline;
mod blocs;
mod calibrate;
mod calibrate_posterior;
mod calibrate_shards;
mod chart_names;
mod charts;
mod cli;
mod closed_forms;
mod compare;
mod compare_cli;
mod determinism;
mod discover;
mod event_ids;
// Sends SIGINT to a child `influence` process, never to this one.
#[cfg(unix)]
mod interrupt;
mod invariants;
mod kinds_table;
mod outputs_checked;
mod outputs_unchanged;
mod report;
mod robustness;
mod scenario_fuzz;
mod seeds_cli;
mod sensitivity;
mod thresholds_chart;
