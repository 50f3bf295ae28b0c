//! `runs_sample.csv`: the whole alignment path of the first few runs, for charts of single
//! runs.

use super::error::ReadError;
use super::table::{Fields, TableFormat};
use crate::output::csv::Row;

pub const FILE: &str = "runs_sample.csv";

/// The format of [`FILE`].
pub struct RunsSample;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleRecord<'a> {
    pub run: u64,
    pub step: u64,
    pub actor: &'a str,
    pub alignment: f64,
}

impl TableFormat for RunsSample {
    const HEADER: &'static [&'static str] = &["run", "step", "actor", "alignment"];
    type Record<'a> = SampleRecord<'a>;

    fn write(r: &SampleRecord<'_>, row: Row<'_>) {
        row.int(r.run).int(r.step).text(r.actor).num(r.alignment);
    }

    fn read<'a>(f: &mut Fields<'a>) -> Result<SampleRecord<'a>, ReadError> {
        Ok(SampleRecord {
            run: f.count()?,
            step: f.count()?,
            actor: f.text(),
            alignment: f.number()?,
        })
    }

    fn check(r: &SampleRecord<'_>) -> Result<(), String> {
        super::check::within("alignment", r.alignment, -1.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::schema::table::tests::round_trip;

    #[test]
    fn records_come_back_as_written() {
        let records = [SampleRecord {
            run: 3,
            step: 26,
            actor: "A",
            alignment: -0.5,
        }];
        let text = round_trip::<RunsSample>(&records, |k, got| assert_eq!(*got, records[k]));
        assert_eq!(text, "run,step,actor,alignment\n3,26,A,-0.500000\n");
    }
}
