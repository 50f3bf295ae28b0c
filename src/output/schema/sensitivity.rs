//! `sobol.csv` and `morris.csv`: the indices of `influence sensitivity`, one row per measure
//! and input. A measure that does not vary over the design has no Sobol' indices: its
//! numbers are empty fields (read back as NaN), not zeros.

use super::ablation::measure;
use super::error::ReadError;
use super::table::{Fields, TableFormat};
use crate::analysis::ablation::Measure;
use crate::output::csv::Row;

pub const SOBOL_FILE: &str = "sobol.csv";
pub const MORRIS_FILE: &str = "morris.csv";

/// The format of [`SOBOL_FILE`].
pub struct Sobol;

/// The first-order and total Sobol' indices of one input on one measure, with the bounds of
/// their bootstrap 95% intervals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SobolRecord<'a> {
    pub measure: Measure,
    /// The outcome's or the actor's name.
    pub name: &'a str,
    pub input: &'a str,
    pub first: f64,
    pub first_low: f64,
    pub first_high: f64,
    pub total: f64,
    pub total_low: f64,
    pub total_high: f64,
}

impl TableFormat for Sobol {
    const HEADER: &'static [&'static str] = &[
        "measure",
        "name",
        "input",
        "first",
        "first_low",
        "first_high",
        "total",
        "total_low",
        "total_high",
    ];
    type Record<'a> = SobolRecord<'a>;

    fn write(r: &SobolRecord<'_>, row: Row<'_>) {
        row.text(r.measure.as_str())
            .text(r.name)
            .text(r.input)
            .num(r.first)
            .num(r.first_low)
            .num(r.first_high)
            .num(r.total)
            .num(r.total_low)
            .num(r.total_high);
    }

    fn read<'a>(f: &mut Fields<'a>) -> Result<SobolRecord<'a>, ReadError> {
        Ok(SobolRecord {
            measure: measure(f)?,
            name: f.text(),
            input: f.text(),
            first: f.number()?,
            first_low: f.number()?,
            first_high: f.number()?,
            total: f.number()?,
            total_low: f.number()?,
            total_high: f.number()?,
        })
    }
}

/// The format of [`MORRIS_FILE`].
pub struct Morris;

/// The Morris statistics of one input's elementary effects on one measure, with the
/// bootstrap 95% interval of μ*.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorrisRecord<'a> {
    pub measure: Measure,
    pub name: &'a str,
    pub input: &'a str,
    pub mu: f64,
    pub mu_star: f64,
    pub sigma: f64,
    pub mu_star_low: f64,
    pub mu_star_high: f64,
}

impl TableFormat for Morris {
    const HEADER: &'static [&'static str] = &[
        "measure",
        "name",
        "input",
        "mu",
        "mu_star",
        "sigma",
        "mu_star_low",
        "mu_star_high",
    ];
    type Record<'a> = MorrisRecord<'a>;

    fn write(r: &MorrisRecord<'_>, row: Row<'_>) {
        row.text(r.measure.as_str())
            .text(r.name)
            .text(r.input)
            .num(r.mu)
            .num(r.mu_star)
            .num(r.sigma)
            .num(r.mu_star_low)
            .num(r.mu_star_high);
    }

    fn read<'a>(f: &mut Fields<'a>) -> Result<MorrisRecord<'a>, ReadError> {
        Ok(MorrisRecord {
            measure: measure(f)?,
            name: f.text(),
            input: f.text(),
            mu: f.number()?,
            mu_star: f.number()?,
            sigma: f.number()?,
            mu_star_low: f.number()?,
            mu_star_high: f.number()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::schema::table::tests::round_trip;

    #[test]
    fn sobol_records_come_back_as_written_and_no_index_stays_empty() {
        let records = [
            SobolRecord {
                measure: Measure::Outcome,
                name: "A, leans west",
                input: "A.alignment",
                first: 0.875,
                first_low: 0.75,
                first_high: 0.9375,
                total: 0.9,
                total_low: 0.8,
                total_high: 1.0,
            },
            SobolRecord {
                measure: Measure::FinalAlignment,
                name: "B",
                input: "unused",
                first: f64::NAN,
                first_low: f64::NAN,
                first_high: f64::NAN,
                total: f64::NAN,
                total_low: f64::NAN,
                total_high: f64::NAN,
            },
        ];
        let text = round_trip::<Sobol>(&records, |k, got| {
            assert_eq!(got.name, records[k].name);
            assert_eq!(got.measure, records[k].measure);
            assert_eq!(got.first.is_nan(), records[k].first.is_nan());
        });
        assert!(
            text.ends_with("\nfinal_alignment,B,unused,,,,,,\n"),
            "{text}"
        );
    }

    #[test]
    fn morris_records_come_back_as_written() {
        let records = [MorrisRecord {
            measure: Measure::FinalAlignment,
            name: "F",
            input: "L1.alignment",
            mu: -1.5,
            mu_star: 1.5,
            sigma: 0.25,
            mu_star_low: 1.25,
            mu_star_high: 1.75,
        }];
        let text = round_trip::<Morris>(&records, |k, got| assert_eq!(*got, records[k]));
        assert!(text.starts_with("measure,name,input,mu,mu_star,sigma,mu_star_low,mu_star_high\n"));
    }
}
