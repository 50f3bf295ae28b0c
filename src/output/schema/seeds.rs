//! The tables of a study run under several master seeds (`influence seeds`): `seeds.csv`,
//! every figure under every seed, and `seeds_summary.csv`, each figure's spread between
//! seeds next to the standard error a single study claims.

use super::check::{within, within_or_empty};
use super::error::ReadError;
use super::table::{Fields, TableFormat};
use crate::output::csv::Row;

pub const VALUES_FILE: &str = "seeds.csv";
pub const SPREADS_FILE: &str = "seeds_summary.csv";

/// What a figure can be: an outcome's probability, or an actor's final median alignment.
pub const FIGURES: [&str; 2] = ["outcome", "final_median"];

/// A figure's kind as one of [`FIGURES`]; anything else is not a file this tool wrote.
fn figure(f: &mut Fields<'_>) -> Result<&'static str, ReadError> {
    let text = f.text();
    FIGURES.into_iter().find(|&k| k == text).ok_or_else(|| {
        f.garbled(&format!(
            "figure {text:?} is neither `{}` nor `{}`",
            FIGURES[0], FIGURES[1]
        ))
    })
}

/// The format of [`VALUES_FILE`].
pub struct SeedValues;

/// One figure under one seed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeedValueRecord<'a> {
    /// One of [`FIGURES`].
    pub figure: &'static str,
    /// The outcome's or the actor's name.
    pub name: &'a str,
    pub seed: u64,
    pub value: f64,
}

impl TableFormat for SeedValues {
    const HEADER: &'static [&'static str] = &["figure", "name", "seed", "value"];
    type Record<'a> = SeedValueRecord<'a>;

    fn write(r: &SeedValueRecord<'_>, row: Row<'_>) {
        row.text(r.figure).text(r.name).int(r.seed).num(r.value);
    }

    fn read<'a>(f: &mut Fields<'a>) -> Result<SeedValueRecord<'a>, ReadError> {
        Ok(SeedValueRecord {
            figure: figure(f)?,
            name: f.text(),
            seed: f.count()?,
            value: f.number()?,
        })
    }

    fn check(r: &SeedValueRecord<'_>) -> Result<(), String> {
        let (lo, hi) = figure_range(r.figure);
        within("value", r.value, lo, hi)
    }
}

/// The range of a figure: a probability, or an alignment.
fn figure_range(figure: &str) -> (f64, f64) {
    if figure == FIGURES[0] {
        (0.0, 1.0)
    } else {
        (-1.0, 1.0)
    }
}

/// The format of [`SPREADS_FILE`].
pub struct SeedSpreads;

/// One figure over all seeds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeedSpreadRecord<'a> {
    /// One of [`FIGURES`].
    pub figure: &'static str,
    pub name: &'a str,
    pub mean: f64,
    pub sd_between: f64,
    pub claimed_se: f64,
    /// `sd_between / claimed_se`; NaN (an empty field) when no error is claimed.
    pub ratio: f64,
}

impl TableFormat for SeedSpreads {
    const HEADER: &'static [&'static str] = &[
        "figure",
        "name",
        "mean",
        "sd_between",
        "claimed_se",
        "ratio",
    ];
    type Record<'a> = SeedSpreadRecord<'a>;

    fn write(r: &SeedSpreadRecord<'_>, row: Row<'_>) {
        row.text(r.figure)
            .text(r.name)
            .num(r.mean)
            .num(r.sd_between)
            .num(r.claimed_se)
            .num(r.ratio);
    }

    fn read<'a>(f: &mut Fields<'a>) -> Result<SeedSpreadRecord<'a>, ReadError> {
        Ok(SeedSpreadRecord {
            figure: figure(f)?,
            name: f.text(),
            mean: f.number()?,
            sd_between: f.number()?,
            claimed_se: f.number()?,
            ratio: f.number()?,
        })
    }

    fn check(r: &SeedSpreadRecord<'_>) -> Result<(), String> {
        let (lo, hi) = figure_range(r.figure);
        within("mean", r.mean, lo, hi)?;
        // Empty where no spread or no error can be given (the ratio of a claimed error of 0).
        for (column, x) in [
            ("sd_between", r.sd_between),
            ("claimed_se", r.claimed_se),
            ("ratio", r.ratio),
        ] {
            within_or_empty(column, x, 0.0, f64::INFINITY)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::schema::table::TableReader;
    use crate::output::schema::table::tests::round_trip;
    use std::path::Path;

    #[test]
    fn records_come_back_as_written() {
        let values = [
            SeedValueRecord {
                figure: "outcome",
                name: "A leans west",
                seed: 42,
                value: 0.25,
            },
            SeedValueRecord {
                figure: "final_median",
                name: "A",
                seed: u64::MAX,
                value: -0.5,
            },
        ];
        let text = round_trip::<SeedValues>(&values, |k, got| assert_eq!(*got, values[k]));
        assert!(text.starts_with("figure,name,seed,value\n"));

        let spreads = [SeedSpreadRecord {
            figure: "outcome",
            name: "A leans west",
            mean: 0.25,
            sd_between: 0.015625,
            claimed_se: 0.03125,
            ratio: 0.5,
        }];
        let text = round_trip::<SeedSpreads>(&spreads, |k, got| assert_eq!(*got, spreads[k]));
        assert!(text.starts_with("figure,name,mean,sd_between,claimed_se,ratio\n"));
    }

    #[test]
    fn an_unknown_figure_is_refused_with_its_line() {
        let text = "figure,name,seed,value\noutcome,x,1,0.5\nmedian,x,1,0.5\n";
        let mut r =
            TableReader::<SeedValues>::from_reader(Box::new(text.as_bytes()), Path::new("s.csv"))
                .unwrap();
        assert!(r.next_record().unwrap());
        assert!(r.record().is_ok());
        assert!(r.next_record().unwrap());
        let err = r.record().unwrap_err().to_string();
        assert!(err.contains("s.csv:3: figure \"median\""), "{err}");
    }
}
