//! `final.csv`: every run's final alignment of every actor. It grows with the run count, so
//! it is written and read a row at a time ([`super::table::TableStream`]).

use super::error::ReadError;
use super::table::{Fields, TableFormat};
use crate::output::csv::Row;

pub const FILE: &str = "final.csv";

/// The format of [`FILE`].
pub struct FinalAlignment;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FinalRecord<'a> {
    pub run: u64,
    pub actor: &'a str,
    pub alignment: f64,
}

impl TableFormat for FinalAlignment {
    const HEADER: &'static [&'static str] = &["run", "actor", "alignment"];
    type Record<'a> = FinalRecord<'a>;

    fn write(r: &FinalRecord<'_>, row: Row<'_>) {
        row.int(r.run).text(r.actor).num(r.alignment);
    }

    fn read<'a>(f: &mut Fields<'a>) -> Result<FinalRecord<'a>, ReadError> {
        Ok(FinalRecord {
            run: f.count()?,
            actor: f.text(),
            alignment: f.number()?,
        })
    }

    fn check(r: &FinalRecord<'_>) -> Result<(), String> {
        super::check::within("alignment", r.alignment, -1.0, 1.0)
    }
}

impl super::run_order::PerRun for FinalRecord<'_> {
    fn run(&self) -> u64 {
        self.run
    }
    fn item(&self) -> &str {
        self.actor
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::schema::table::tests::round_trip;

    #[test]
    fn records_come_back_as_written() {
        let records = [
            FinalRecord {
                run: 0,
                actor: "A",
                alignment: -1.0,
            },
            FinalRecord {
                run: 999_999,
                actor: "B, C",
                alignment: 0.5,
            },
        ];
        let text = round_trip::<FinalAlignment>(&records, |k, got| assert_eq!(*got, records[k]));
        assert_eq!(
            text,
            "run,actor,alignment\n0,A,-1.000000\n999999,\"B, C\",0.500000\n"
        );
    }
}
