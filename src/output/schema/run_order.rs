//! The order of the per-run tables (`final.csv`, `inputs.csv`): run after run in run order,
//! within a run one row per actor (or input) in scenario order, every run of the study (or
//! of a shard's slice) and nothing else.
//!
//! Readers of these tables stream them, since they grow with the run count; holding to this
//! order lets them check, row by row and in constant memory, that no run is missing,
//! repeated, out of place or beyond the run count the directory states.

use std::ops::Range;
use std::path::Path;

use super::error::ReadError;
use super::table::{TableFormat, TableReader};

/// Where a per-run table stands as it is read.
pub struct RunOrder<'a> {
    runs: Range<u64>,
    /// The names each run lists, in order: actors or inputs.
    names: &'a [&'a str],
    /// What states the run count, for messages ("summary.json", "part.json").
    source: &'a str,
    rows: u64,
}

impl<'a> RunOrder<'a> {
    pub fn new(runs: Range<u64>, names: &'a [&'a str], source: &'a str) -> RunOrder<'a> {
        RunOrder {
            runs,
            names,
            source,
            rows: 0,
        }
    }

    /// Checks that the record `csv` holds, of run `run` and for `name`, is the next one.
    pub fn next<F: TableFormat>(
        &mut self,
        csv: &TableReader<F>,
        run: u64,
        name: &str,
    ) -> Result<(), ReadError> {
        let per_run = self.names.len().max(1) as u64;
        let expected_run = self.runs.start.saturating_add(self.rows / per_run);
        if expected_run >= self.runs.end {
            return Err(csv.garbled(&format!(
                "a row past the runs {}..{} that {} gives",
                self.runs.start, self.runs.end, self.source
            )));
        }
        let expected = self.names.get((self.rows % per_run) as usize).copied();
        if run != expected_run || expected != Some(name) {
            return Err(csv.garbled(&format!(
                "run {run}, {name:?} here, where run {expected_run}, {:?} belongs: the file lists \
                 every run in order, each in scenario order",
                expected.unwrap_or("")
            )));
        }
        self.rows += 1;
        Ok(())
    }

    /// Checks, at the end of the file at `path`, that every run was there.
    pub fn finish(&self, path: &Path) -> Result<(), ReadError> {
        let per_run = self.names.len() as u64;
        let expected = (self.runs.end - self.runs.start).saturating_mul(per_run);
        if self.rows == expected {
            return Ok(());
        }
        Err(ReadError::Incomplete {
            path: path.to_path_buf(),
            message: format!(
                "{} rows, where the runs {}..{} that {} gives make {expected}",
                self.rows, self.runs.start, self.runs.end, self.source
            ),
        })
    }
}

/// A record of a per-run table: its run and the actor or input it is about.
pub trait PerRun {
    fn run(&self) -> u64;
    fn item(&self) -> &str;
}

/// Reads a whole per-run table of format `F` and checks its order and every record (see
/// [`TableFormat::check`]).
pub fn check_table<F>(path: &Path, order: &mut RunOrder<'_>) -> Result<(), ReadError>
where
    F: TableFormat,
    for<'r> F::Record<'r>: PerRun,
{
    let mut csv = TableReader::<F>::open(path)?;
    while csv.next_record()? {
        let record = csv.record()?;
        order.next(&csv, record.run(), record.item())?;
    }
    order.finish(path)
}
