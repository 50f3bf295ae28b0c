//! `thresholds.csv`: each outcome's probability with its threshold moved over its metric's
//! whole range, in steps of 0.01 (exact counts), so that a reader sees how much the figure
//! owes to where the threshold was put.

use super::error::ReadError;
use super::table::{Fields, TableFormat};
use crate::output::csv::Row;

pub const FILE: &str = "thresholds.csv";

/// The format of [`FILE`].
pub struct Thresholds;

/// One outcome with its threshold at one value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThresholdRecord<'a> {
    pub outcome: &'a str,
    /// The threshold.
    pub value: f64,
    /// The share of runs in which the outcome would hold with that threshold.
    pub probability: f64,
}

impl TableFormat for Thresholds {
    const HEADER: &'static [&'static str] = &["outcome", "value", "probability"];
    type Record<'a> = ThresholdRecord<'a>;

    fn write(r: &ThresholdRecord<'_>, row: Row<'_>) {
        row.text(r.outcome).num(r.value).num(r.probability);
    }

    fn read<'a>(f: &mut Fields<'a>) -> Result<ThresholdRecord<'a>, ReadError> {
        Ok(ThresholdRecord {
            outcome: f.text(),
            value: f.number()?,
            probability: f.number()?,
        })
    }

    fn check(r: &ThresholdRecord<'_>) -> Result<(), String> {
        super::check::within("value", r.value, -1.0, 1.0)?;
        super::check::within("probability", r.probability, 0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::schema::table::tests::round_trip;

    #[test]
    fn records_come_back_as_written() {
        let records = [ThresholdRecord {
            outcome: "A leans, \"east\"",
            value: -0.25,
            probability: 0.5,
        }];
        let text = round_trip::<Thresholds>(&records, |k, got| assert_eq!(*got, records[k]));
        assert!(text.starts_with("outcome,value,probability\n"));
    }
}
