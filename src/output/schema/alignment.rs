//! `alignment.csv`: every actor's alignment over runs, step by step, as a mean, a standard
//! deviation and five quantiles. A comparison keeps each of its two scenarios in the same
//! format (`base_alignment.csv`, `variant_alignment.csv`).

use super::check::{at_least, ordered, within};
use super::error::ReadError;
use super::table::{Fields, TableFormat};
use crate::output::csv::Row;

pub const FILE: &str = "alignment.csv";

/// The format of [`FILE`] and of a comparison's two alignment tables.
pub struct Alignment;

/// One actor at one step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlignmentRecord<'a> {
    pub step: u64,
    pub actor: &'a str,
    pub mean: f64,
    pub sd: f64,
    pub p05: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
}

impl TableFormat for Alignment {
    const HEADER: &'static [&'static str] = &[
        "step", "actor", "mean", "sd", "p05", "p25", "p50", "p75", "p95",
    ];
    type Record<'a> = AlignmentRecord<'a>;

    fn write(r: &AlignmentRecord<'_>, row: Row<'_>) {
        row.int(r.step)
            .text(r.actor)
            .num(r.mean)
            .num(r.sd)
            .num(r.p05)
            .num(r.p25)
            .num(r.p50)
            .num(r.p75)
            .num(r.p95);
    }

    fn read<'a>(f: &mut Fields<'a>) -> Result<AlignmentRecord<'a>, ReadError> {
        Ok(AlignmentRecord {
            step: f.count()?,
            actor: f.text(),
            mean: f.number()?,
            sd: f.number()?,
            p05: f.number()?,
            p25: f.number()?,
            p50: f.number()?,
            p75: f.number()?,
            p95: f.number()?,
        })
    }

    fn check(r: &AlignmentRecord<'_>) -> Result<(), String> {
        quantile_columns(
            r.mean,
            r.sd,
            &[
                ("p05", r.p05),
                ("p25", r.p25),
                ("p50", r.p50),
                ("p75", r.p75),
                ("p95", r.p95),
            ],
        )
    }
}

/// A mean, a standard deviation and quantiles of values in [-1, 1] (alignment, trust,
/// threat), quantiles in order: what alignment.csv and the pair tables hold per row.
pub(super) fn quantile_columns(
    mean: f64,
    sd: f64,
    quantiles: &[(&str, f64)],
) -> Result<(), String> {
    within("mean", mean, -1.0, 1.0)?;
    at_least("sd", sd, 0.0)?;
    for &(name, q) in quantiles {
        within(name, q, -1.0, 1.0)?;
    }
    ordered(quantiles)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::schema::table::tests::round_trip;

    #[test]
    fn records_come_back_as_written() {
        let records = [
            AlignmentRecord {
                step: 0,
                actor: "A, the first",
                mean: 0.5,
                sd: 0.0,
                p05: 0.5,
                p25: 0.5,
                p50: 0.5,
                p75: 0.5,
                p95: 0.5,
            },
            AlignmentRecord {
                step: 12,
                actor: "B",
                mean: -0.125,
                sd: 0.25,
                p05: -0.75,
                p25: -0.375,
                p50: -0.0625,
                p75: 0.125,
                p95: 0.875,
            },
        ];
        let text = round_trip::<Alignment>(&records, |k, got| assert_eq!(*got, records[k]));
        assert!(text.starts_with("step,actor,mean,sd,p05,p25,p50,p75,p95\n0,\"A, the first\","));
    }
}
