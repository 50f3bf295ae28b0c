//! `influence`: agent-based Monte Carlo simulation of regional influence between states.
pub mod analysis;
pub mod model;
pub mod montecarlo;
pub mod scenario;
pub mod output;
pub mod study;
