//! `inputs.csv`: the value each uncertain input took in each run, runs in order, inputs in
//! scenario order. Written row by row as the runs are replayed (see
//! [`crate::output::inputs`]); read back to check a shard's slice before it is merged.

use super::error::ReadError;
use super::table::{Fields, TableFormat};
use crate::output::csv::Row;

pub const FILE: &str = "inputs.csv";

/// The format of [`FILE`].
pub struct InputValues;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InputRecord<'a> {
    pub run: u64,
    pub input: &'a str,
    pub value: f64,
}

impl TableFormat for InputValues {
    const HEADER: &'static [&'static str] = &["run", "input", "value"];
    type Record<'a> = InputRecord<'a>;

    fn write(r: &InputRecord<'_>, row: Row<'_>) {
        row.int(r.run).text(r.input).num(r.value);
    }

    fn read<'a>(f: &mut Fields<'a>) -> Result<InputRecord<'a>, ReadError> {
        Ok(InputRecord {
            run: f.count()?,
            input: f.text(),
            value: f.number()?,
        })
    }

    fn check(r: &InputRecord<'_>) -> Result<(), String> {
        super::check::within("value", r.value, f64::MIN, f64::MAX)
    }
}

impl super::run_order::PerRun for InputRecord<'_> {
    fn run(&self) -> u64 {
        self.run
    }
    fn item(&self) -> &str {
        self.input
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_is_the_writers() {
        assert_eq!(
            format!("{}\n", InputValues::HEADER.join(",")),
            crate::output::inputs::INPUTS_HEADER
        );
    }
}
