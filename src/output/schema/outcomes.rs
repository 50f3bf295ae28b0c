//! `outcomes.csv`: each outcome's probability over runs with its Wilson 95% interval, and,
//! when the study ran the no-event twins, the probability without events (`baseline`, with
//! its Wilson interval) and what the events change (`change`, probability with events minus
//! without, with Newcombe's paired interval). Those six columns are empty otherwise.

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
    /// Without events; NaN when the study has no baseline.
    pub baseline: f64,
    pub baseline_low: f64,
    pub baseline_high: f64,
    /// With events minus without; NaN when the study has no baseline.
    pub change: f64,
    pub change_low: f64,
    pub change_high: f64,
}

impl TableFormat for Outcomes {
    const HEADER: &'static [&'static str] = &[
        "outcome",
        "probability",
        "ci_low",
        "ci_high",
        "runs",
        "baseline",
        "baseline_low",
        "baseline_high",
        "change",
        "change_low",
        "change_high",
    ];
    type Record<'a> = OutcomeRecord<'a>;

    fn write(r: &OutcomeRecord<'_>, row: Row<'_>) {
        row.text(r.outcome)
            .num(r.probability)
            .num(r.ci_low)
            .num(r.ci_high)
            .int(r.runs)
            .num(r.baseline)
            .num(r.baseline_low)
            .num(r.baseline_high)
            .num(r.change)
            .num(r.change_low)
            .num(r.change_high);
    }

    fn read<'a>(f: &mut Fields<'a>) -> Result<OutcomeRecord<'a>, ReadError> {
        Ok(OutcomeRecord {
            outcome: f.text(),
            probability: f.number()?,
            ci_low: f.number()?,
            ci_high: f.number()?,
            runs: f.count()?,
            baseline: f.number()?,
            baseline_low: f.number()?,
            baseline_high: f.number()?,
            change: f.number()?,
            change_low: f.number()?,
            change_high: f.number()?,
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
            baseline: 0.125,
            baseline_low: 0.0625,
            baseline_high: 0.1875,
            change: 0.25,
            change_low: 0.125,
            change_high: 0.375,
        }];
        let text = round_trip::<Outcomes>(&records, |k, got| assert_eq!(*got, records[k]));
        assert!(text.starts_with(
            "outcome,probability,ci_low,ci_high,runs,\
             baseline,baseline_low,baseline_high,change,change_low,change_high\n"
        ));
    }

    #[test]
    fn a_study_without_baseline_leaves_its_columns_empty() {
        let records = [OutcomeRecord {
            outcome: "x",
            probability: 0.5,
            ci_low: 0.25,
            ci_high: 0.75,
            runs: 4,
            baseline: f64::NAN,
            baseline_low: f64::NAN,
            baseline_high: f64::NAN,
            change: f64::NAN,
            change_low: f64::NAN,
            change_high: f64::NAN,
        }];
        let text = round_trip::<Outcomes>(&records, |_, got| {
            assert!(got.baseline.is_nan() && got.change_high.is_nan());
        });
        assert!(text.ends_with("\nx,0.500000,0.250000,0.750000,4,,,,,,\n"));
    }
}
