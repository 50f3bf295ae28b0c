//! The tables of differences of a comparison of two scenarios on common random numbers:
//! `diff_alignment.csv` (every actor at every step) and `diff_outcomes.csv` (each outcome
//! both scenarios define). Each scenario's own bands are in alignment.csv's format
//! ([`super::alignment`]).

use super::check::{ordered, within, within_or_empty};
use super::error::ReadError;
use super::table::{Fields, TableFormat};
use crate::output::csv::Row;

pub const DIFF_ALIGNMENT: &str = "diff_alignment.csv";
pub const DIFF_OUTCOMES: &str = "diff_outcomes.csv";
pub const BASE_ALIGNMENT: &str = "base_alignment.csv";
pub const VARIANT_ALIGNMENT: &str = "variant_alignment.csv";
pub const BASE_SCENARIO: &str = "base.toml";
pub const VARIANT_SCENARIO: &str = "variant.toml";

/// The format of [`DIFF_ALIGNMENT`].
pub struct DiffAlignment;

/// The paired difference variant − base of one actor's alignment at one step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DiffAlignmentRecord<'a> {
    pub step: u64,
    pub actor: &'a str,
    pub mean_diff: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Share of paired runs in which the variant is higher.
    pub p_variant_higher: f64,
}

impl TableFormat for DiffAlignment {
    const HEADER: &'static [&'static str] = &[
        "step",
        "actor",
        "mean_diff",
        "ci_low",
        "ci_high",
        "p_variant_higher",
    ];
    type Record<'a> = DiffAlignmentRecord<'a>;

    fn write(r: &DiffAlignmentRecord<'_>, row: Row<'_>) {
        row.int(r.step)
            .text(r.actor)
            .num(r.mean_diff)
            .num(r.ci_low)
            .num(r.ci_high)
            .num(r.p_variant_higher);
    }

    fn read<'a>(f: &mut Fields<'a>) -> Result<DiffAlignmentRecord<'a>, ReadError> {
        Ok(DiffAlignmentRecord {
            step: f.count()?,
            actor: f.text(),
            mean_diff: f.number()?,
            ci_low: f.number()?,
            ci_high: f.number()?,
            p_variant_higher: f.number()?,
        })
    }

    fn check(r: &DiffAlignmentRecord<'_>) -> Result<(), String> {
        // A difference of two alignments; an interval is empty when one run cannot give it.
        within("mean_diff", r.mean_diff, -2.0, 2.0)?;
        within_or_empty("ci_low", r.ci_low, -2.0, 2.0)?;
        within_or_empty("ci_high", r.ci_high, -2.0, 2.0)?;
        within_or_empty("p_variant_higher", r.p_variant_higher, 0.0, 1.0)?;
        ordered(&[
            ("ci_low", r.ci_low),
            ("mean_diff", r.mean_diff),
            ("ci_high", r.ci_high),
        ])
    }
}

/// The format of [`DIFF_OUTCOMES`].
pub struct DiffOutcomes;

/// One outcome's probability under both scenarios and their paired difference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DiffOutcomeRecord<'a> {
    pub outcome: &'a str,
    pub p_base: f64,
    pub p_variant: f64,
    pub diff: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

impl TableFormat for DiffOutcomes {
    const HEADER: &'static [&'static str] = &[
        "outcome",
        "p_base",
        "p_variant",
        "diff",
        "ci_low",
        "ci_high",
    ];
    type Record<'a> = DiffOutcomeRecord<'a>;

    fn write(r: &DiffOutcomeRecord<'_>, row: Row<'_>) {
        row.text(r.outcome)
            .num(r.p_base)
            .num(r.p_variant)
            .num(r.diff)
            .num(r.ci_low)
            .num(r.ci_high);
    }

    fn read<'a>(f: &mut Fields<'a>) -> Result<DiffOutcomeRecord<'a>, ReadError> {
        Ok(DiffOutcomeRecord {
            outcome: f.text(),
            p_base: f.number()?,
            p_variant: f.number()?,
            diff: f.number()?,
            ci_low: f.number()?,
            ci_high: f.number()?,
        })
    }

    fn check(r: &DiffOutcomeRecord<'_>) -> Result<(), String> {
        within("p_base", r.p_base, 0.0, 1.0)?;
        within("p_variant", r.p_variant, 0.0, 1.0)?;
        within("diff", r.diff, -1.0, 1.0)?;
        within_or_empty("ci_low", r.ci_low, -1.0, 1.0)?;
        within_or_empty("ci_high", r.ci_high, -1.0, 1.0)?;
        ordered(&[
            ("ci_low", r.ci_low),
            ("diff", r.diff),
            ("ci_high", r.ci_high),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::schema::table::tests::round_trip;

    #[test]
    fn records_come_back_as_written() {
        let records = [DiffAlignmentRecord {
            step: 5,
            actor: "A",
            mean_diff: -0.015625,
            ci_low: -0.03125,
            ci_high: 0.0,
            p_variant_higher: 0.25,
        }];
        let text = round_trip::<DiffAlignment>(&records, |k, got| assert_eq!(*got, records[k]));
        assert!(text.starts_with("step,actor,mean_diff,ci_low,ci_high,p_variant_higher\n"));

        let records = [DiffOutcomeRecord {
            outcome: "A leans west",
            p_base: 0.5,
            p_variant: 0.625,
            diff: 0.125,
            ci_low: 0.0625,
            ci_high: 0.1875,
        }];
        let text = round_trip::<DiffOutcomes>(&records, |k, got| assert_eq!(*got, records[k]));
        assert!(text.starts_with("outcome,p_base,p_variant,diff,ci_low,ci_high\n"));
    }
}
