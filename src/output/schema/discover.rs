//! `boxes.csv`: the peeling trajectory of `influence discover`, one row per restricted input
//! of every box. The full box (box 0) restricts nothing and so has no row; its figures are
//! coverage 1, mass 1 and the base rate of summary.json as density.

use super::error::ReadError;
use super::table::{Fields, TableFormat};
use crate::output::csv::Row;

pub const FILE: &str = "boxes.csv";

/// The format of [`FILE`].
pub struct Boxes;

/// One restricted input of one box, with the box's figures repeated on each of its rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoxRecord<'a> {
    /// The box's place on the trajectory, 0 for the full box.
    pub index: u64,
    pub coverage: f64,
    pub density: f64,
    pub mass: f64,
    pub input: &'a str,
    pub low: f64,
    pub high: f64,
}

impl TableFormat for Boxes {
    const HEADER: &'static [&'static str] =
        &["box", "coverage", "density", "mass", "input", "low", "high"];
    type Record<'a> = BoxRecord<'a>;

    fn write(r: &BoxRecord<'_>, row: Row<'_>) {
        row.int(r.index)
            .num(r.coverage)
            .num(r.density)
            .num(r.mass)
            .text(r.input)
            .num(r.low)
            .num(r.high);
    }

    fn read<'a>(f: &mut Fields<'a>) -> Result<BoxRecord<'a>, ReadError> {
        Ok(BoxRecord {
            index: f.count()?,
            coverage: f.number()?,
            density: f.number()?,
            mass: f.number()?,
            input: f.text(),
            low: f.number()?,
            high: f.number()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::schema::table::tests::round_trip;

    #[test]
    fn records_come_back_as_written() {
        let records = [BoxRecord {
            index: 3,
            coverage: 0.75,
            density: 0.5,
            mass: 0.375,
            input: "L1.alignment",
            low: -0.25,
            high: 1.0,
        }];
        let text = round_trip::<Boxes>(&records, |k, got| assert_eq!(*got, records[k]));
        assert_eq!(
            text,
            "box,coverage,density,mass,input,low,high\n3,0.750000,0.500000,0.375000,L1.alignment,-0.250000,1.000000\n"
        );
    }
}
