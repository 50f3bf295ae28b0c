//! `convergence.csv` of a study grown block by block (`influence run --until-ci`): each
//! outcome's estimate and Wilson 95% interval after every block. Its presence is what makes
//! a study a grown one.

use super::error::ReadError;
use super::table::{Fields, TableFormat};
use crate::output::csv::Row;

pub const FILE: &str = "convergence.csv";

/// The format of [`FILE`].
pub struct Convergence;

/// One outcome after one block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConvergenceRecord<'a> {
    /// Runs done when the block ended.
    pub runs: u64,
    pub outcome: &'a str,
    pub probability: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

impl TableFormat for Convergence {
    const HEADER: &'static [&'static str] =
        &["runs", "outcome", "probability", "ci_low", "ci_high"];
    type Record<'a> = ConvergenceRecord<'a>;

    fn write(r: &ConvergenceRecord<'_>, row: Row<'_>) {
        row.int(r.runs)
            .text(r.outcome)
            .num(r.probability)
            .num(r.ci_low)
            .num(r.ci_high);
    }

    fn read<'a>(f: &mut Fields<'a>) -> Result<ConvergenceRecord<'a>, ReadError> {
        Ok(ConvergenceRecord {
            runs: f.count()?,
            outcome: f.text(),
            probability: f.number()?,
            ci_low: f.number()?,
            ci_high: f.number()?,
        })
    }

    fn check(r: &ConvergenceRecord<'_>) -> Result<(), String> {
        super::outcomes::estimate(r.probability, r.ci_low, r.ci_high)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::schema::table::tests::round_trip;

    #[test]
    fn records_come_back_as_written() {
        let records = [ConvergenceRecord {
            runs: 400,
            outcome: "B holds",
            probability: 0.75,
            ci_low: 0.625,
            ci_high: 0.875,
        }];
        let text = round_trip::<Convergence>(&records, |k, got| assert_eq!(*got, records[k]));
        assert!(text.starts_with("runs,outcome,probability,ci_low,ci_high\n"));
    }
}
