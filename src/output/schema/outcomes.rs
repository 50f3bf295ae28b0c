//! `outcomes.csv`: each outcome's probability over runs with its Wilson 95% interval.

use super::check::{ordered, within};
use super::error::ReadError;
use super::table::{Fields, TableFormat};
use crate::output::csv::Row;

pub const FILE: &str = "outcomes.csv";

/// The format of [`FILE`].
pub struct Outcomes;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OutcomeRecord<'a> {
    pub outcome: &'a str,
    pub probability: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Runs the estimate is made of.
    pub runs: u64,
}

impl TableFormat for Outcomes {
    const HEADER: &'static [&'static str] =
        &["outcome", "probability", "ci_low", "ci_high", "runs"];
    type Record<'a> = OutcomeRecord<'a>;

    fn write(r: &OutcomeRecord<'_>, row: Row<'_>) {
        row.text(r.outcome)
            .num(r.probability)
            .num(r.ci_low)
            .num(r.ci_high)
            .int(r.runs);
    }

    fn read<'a>(f: &mut Fields<'a>) -> Result<OutcomeRecord<'a>, ReadError> {
        Ok(OutcomeRecord {
            outcome: f.text(),
            probability: f.number()?,
            ci_low: f.number()?,
            ci_high: f.number()?,
            runs: f.count()?,
        })
    }

    fn check(r: &OutcomeRecord<'_>) -> Result<(), String> {
        estimate(r.probability, r.ci_low, r.ci_high)?;
        if r.runs == 0 {
            return Err("`runs` is 0; an estimate is made of at least one run".into());
        }
        Ok(())
    }
}

/// A probability with its 95% interval: each in [0, 1], the interval around the estimate.
pub(super) fn estimate(probability: f64, ci_low: f64, ci_high: f64) -> Result<(), String> {
    within("probability", probability, 0.0, 1.0)?;
    within("ci_low", ci_low, 0.0, 1.0)?;
    within("ci_high", ci_high, 0.0, 1.0)?;
    ordered(&[
        ("ci_low", ci_low),
        ("probability", probability),
        ("ci_high", ci_high),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::schema::table::tests::round_trip;

    #[test]
    fn records_come_back_as_written() {
        let records = [OutcomeRecord {
            outcome: "A aligns, B does not",
            probability: 0.375,
            ci_low: 0.25,
            ci_high: 0.5,
            runs: 1000,
        }];
        let text = round_trip::<Outcomes>(&records, |k, got| assert_eq!(*got, records[k]));
        assert!(text.starts_with("outcome,probability,ci_low,ci_high,runs\n"));
    }
}
