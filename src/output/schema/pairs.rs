//! `trust_final.csv` and `threat_final.csv`: the final value of a matrix over ordered pairs
//! of distinct actors, as a mean, a standard deviation and three quantiles over runs.

use super::error::ReadError;
use super::table::{Fields, TableFormat};
use crate::output::csv::Row;

pub const TRUST_FILE: &str = "trust_final.csv";
pub const THREAT_FILE: &str = "threat_final.csv";

/// The format of [`TRUST_FILE`] and [`THREAT_FILE`].
pub struct PairFinal;

/// One ordered pair: what `from` holds of `to`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairRecord<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub mean: f64,
    pub sd: f64,
    pub p05: f64,
    pub p50: f64,
    pub p95: f64,
}

impl TableFormat for PairFinal {
    const HEADER: &'static [&'static str] = &["from", "to", "mean", "sd", "p05", "p50", "p95"];
    type Record<'a> = PairRecord<'a>;

    fn write(r: &PairRecord<'_>, row: Row<'_>) {
        row.text(r.from)
            .text(r.to)
            .num(r.mean)
            .num(r.sd)
            .num(r.p05)
            .num(r.p50)
            .num(r.p95);
    }

    fn read<'a>(f: &mut Fields<'a>) -> Result<PairRecord<'a>, ReadError> {
        Ok(PairRecord {
            from: f.text(),
            to: f.text(),
            mean: f.number()?,
            sd: f.number()?,
            p05: f.number()?,
            p50: f.number()?,
            p95: f.number()?,
        })
    }

    fn check(r: &PairRecord<'_>) -> Result<(), String> {
        super::alignment::quantile_columns(
            r.mean,
            r.sd,
            &[("p05", r.p05), ("p50", r.p50), ("p95", r.p95)],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::schema::table::tests::round_trip;

    #[test]
    fn records_come_back_as_written() {
        let records = [PairRecord {
            from: "A",
            to: "B \"the second\"",
            mean: 0.75,
            sd: 0.5,
            p05: -0.25,
            p50: 0.625,
            p95: 1.0,
        }];
        let text = round_trip::<PairFinal>(&records, |k, got| assert_eq!(*got, records[k]));
        assert!(text.starts_with("from,to,mean,sd,p05,p50,p95\n"));
    }
}
