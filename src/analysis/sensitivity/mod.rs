//! Global sensitivity analysis and scenario discovery: the mathematics only.
//!
//! Everything here takes plain numbers (points of the unit cube, the value of a measure at each
//! point, per-run inputs and 0/1 results) and returns plain numbers. Nothing simulates, and
//! nothing knows what a scenario or an input is; the operations that run the model feed these
//! functions and name what comes back. The estimators follow the normative section
//! "Sensitivity" of docs/MODEL.md.
//!
//! - [`sobol_seq`]: Sobol' points with the Joe–Kuo direction numbers (Joe & Kuo 2008, file
//!   `new-joe-kuo-6.21201`, kept in `joe_kuo.rs`), optionally scrambled by a random linear
//!   matrix and a digital shift; any point is computed from its index alone, so a design can be
//!   split into shards.
//! - [`sobol`]: the Saltelli design (matrices A, B and AB_i from one 2D-dimensional Sobol' row)
//!   and the first-order (Saltelli et al. 2010) and total (Jansen 1999) index estimators with
//!   percentile bootstrap intervals.
//! - [`morris`]: Morris (1991) one-at-a-time trajectories on a p-level grid and the elementary
//!   effects' mean μ, mean absolute value μ* (Campolongo, Cariboni & Saltelli 2007) and
//!   standard deviation σ.
//! - [`prim`](mod@prim): the Patient Rule Induction Method (Friedman & Fisher 1999): boxes in input space
//!   where an outcome is much more frequent than overall, peeled from the runs of a study.
//!
//! Bootstrap resampling (in `bootstrap.rs`) draws from a ChaCha8 generator seeded by the caller:
//! the same seed gives the same intervals, whatever the thread count.
//!
//! References:
//! - I. M. Sobol' (1967), and P. Bratley & B. L. Fox (1988), ACM TOMS 14, 88–100, algorithm 659.
//! - S. Joe & F. Y. Kuo (2008), SIAM J. Sci. Comput. 30, 2635–2654.
//! - A. Saltelli et al. (2010), Comput. Phys. Commun. 181, 259–270.
//! - M. J. W. Jansen (1999), Comput. Phys. Commun. 117, 35–43.
//! - M. D. Morris (1991), Technometrics 33, 161–174.
//! - F. Campolongo, J. Cariboni & A. Saltelli (2007), Environ. Model. Softw. 22, 1509–1518.
//! - J. H. Friedman & N. I. Fisher (1999), Statistics and Computing 9, 123–143.
//! - J. Matoušek (1998), J. Complexity 14, 527–556 (random linear scrambling).

mod bootstrap;
mod joe_kuo;
pub mod morris;
pub mod points;
pub mod prim;
pub mod sobol;
pub mod sobol_seq;

pub use morris::{MorrisDesign, MorrisIndex, MorrisStep, MorrisTrajectory, morris_indices};
pub use prim::{InputLimits, PrimBox, PrimOptions, choose_box, prim};
pub use sobol::{Matrix, SaltelliDesign, SobolIndex, sobol_indices, sobol_indices_in_design_order};
pub use sobol_seq::SobolSequence;

/// Bootstrap resamples drawn for an interval unless the caller asks otherwise: enough for the
/// 2.5% and 97.5% percentiles to move by much less than their own sampling error.
pub const DEFAULT_BOOTSTRAP: usize = 1000;

/// Why a design could not be built or an estimate not computed. Every variant is a mistake in
/// what was passed in (sizes, parameters, values), never a property of the model: a measure
/// that does not vary is a result (no indices), not an error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SensitivityError {
    #[error("a Sobol' sequence here has at most {max} dimensions, {requested} were asked for")]
    TooManyDimensions { requested: usize, max: usize },
    #[error("{what} needs at least one input")]
    NoInputs { what: &'static str },
    #[error("point {index} is beyond the last of the {len} points of {what}")]
    IndexOutOfRange {
        what: &'static str,
        index: u64,
        len: u64,
    },
    #[error("{what} has {found} values where {expected} were expected")]
    LengthMismatch {
        what: &'static str,
        expected: usize,
        found: usize,
    },
    #[error("{what} holds a value that is not a finite number, at position {position}")]
    NotFinite { what: &'static str, position: usize },
    #[error("{name} = {value} is out of range: {expected}")]
    InvalidParameter {
        name: &'static str,
        value: String,
        expected: &'static str,
    },
}

/// Fails on the first value that is NaN or infinite: every estimator here would turn it into
/// a NaN index without saying where it came from.
fn check_finite(what: &'static str, values: &[f64]) -> Result<(), SensitivityError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(position) => Err(SensitivityError::NotFinite { what, position }),
        None => Ok(()),
    }
}

/// Fails when `values` does not hold exactly `expected` numbers.
fn check_len(what: &'static str, values: &[f64], expected: usize) -> Result<(), SensitivityError> {
    if values.len() == expected {
        Ok(())
    } else {
        Err(SensitivityError::LengthMismatch {
            what,
            expected,
            found: values.len(),
        })
    }
}
