//! The per-run table of final alignments: one row of `actors` values per run, in run order.
//!
//! It is the one thing a study keeps that grows with the run count (a million runs of 200
//! actors is 1.6 GB), so it need not live in memory: a study that writes a directory keeps
//! it in an unnamed temporary file beside that directory (see [`FinalKeep::Spool`]), which
//! the system removes when it is closed, whatever way the process ends. Rows are written at
//! their run's offset as chunks finish, in any order, and read back in run order, so the
//! table is the same whichever thread ran which run. Small studies and library callers that
//! want the values at hand keep it in memory.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use super::tally::MergeError;

/// Where a batch keeps its per-run table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum FinalKeep {
    /// Not at all: the command reads only the tallies.
    None,
    /// In memory, as a vector the caller can read at once.
    #[default]
    Memory,
    /// In an unnamed temporary file in this directory: memory stays flat in the runs, and
    /// the file lives on the disk the output goes to (never a RAM-backed /tmp).
    Spool(PathBuf),
}

/// Why the table could not be written or read.
#[derive(Debug, thiserror::Error)]
#[error("the per-run table of final alignments, kept in a temporary file in {dir}: {source}")]
pub struct SpoolError {
    pub dir: PathBuf,
    pub source: io::Error,
}

#[derive(Debug)]
enum Store {
    Memory(Mutex<Vec<f64>>),
    Spool { file: File, dir: PathBuf },
}

/// Final alignment of runs `first_run..first_run + runs`, actor i of run `first_run + r` at
/// row r, column i.
#[derive(Debug)]
pub struct FinalTable {
    first_run: u64,
    actors: usize,
    runs: u64,
    store: Store,
}

/// Runs read back per block: a few megabytes whatever the world's size.
const READ_ROWS: usize = 4096;

impl FinalTable {
    /// An empty table of `runs` rows, or `None` when `keep` says not to keep one. A table
    /// in memory is allocated whole here, so that one too large is refused before any run
    /// starts; a spooled one is created empty (the disk estimate is checked by the caller).
    pub fn new(
        keep: &FinalKeep,
        first_run: u64,
        runs: u64,
        actors: usize,
    ) -> Result<Option<FinalTable>, TableError> {
        let store = match keep {
            FinalKeep::None => return Ok(None),
            FinalKeep::Memory => {
                let too_large = TableError::TooLarge { runs, actors };
                let len = usize::try_from(runs)
                    .ok()
                    .and_then(|r| r.checked_mul(actors))
                    .ok_or(TableError::TooLarge { runs, actors })?;
                let mut values = Vec::new();
                values.try_reserve_exact(len).map_err(|_| too_large)?;
                values.resize(len, 0.0);
                Store::Memory(Mutex::new(values))
            }
            FinalKeep::Spool(dir) => Store::Spool {
                file: tempfile::tempfile_in(dir).map_err(|source| SpoolError {
                    dir: dir.clone(),
                    source,
                })?,
                dir: dir.clone(),
            },
        };
        Ok(Some(FinalTable {
            first_run,
            actors,
            runs,
            store,
        }))
    }

    /// A table in memory holding `values` (rows of `actors`), for tests and merges.
    pub fn from_values(first_run: u64, actors: usize, values: Vec<f64>) -> FinalTable {
        FinalTable {
            first_run,
            actors,
            runs: (values.len() / actors.max(1)) as u64,
            store: Store::Memory(Mutex::new(values)),
        }
    }

    pub fn first_run(&self) -> u64 {
        self.first_run
    }

    pub fn actors(&self) -> usize {
        self.actors
    }

    /// Number of runs held.
    pub fn runs(&self) -> u64 {
        self.runs
    }

    /// Writes the rows of runs `run..` (whole rows, within the table). Callable from any
    /// thread; rows of different runs never overlap.
    pub fn put(&self, run: u64, rows: &[f64]) -> Result<(), SpoolError> {
        let at = self.offset(run);
        match &self.store {
            Store::Memory(values) => {
                let mut values = values.lock().unwrap_or_else(PoisonError::into_inner);
                values[at..at + rows.len()].copy_from_slice(rows);
                Ok(())
            }
            Store::Spool { file, dir } => {
                let mut bytes = Vec::with_capacity(rows.len() * 8);
                for x in rows {
                    bytes.extend_from_slice(&x.to_le_bytes());
                }
                file.write_all_at(&bytes, at as u64 * 8)
                    .map_err(|source| SpoolError {
                        dir: dir.clone(),
                        source,
                    })
            }
        }
    }

    /// Index of the first value of `run`.
    fn offset(&self, run: u64) -> usize {
        (run - self.first_run) as usize * self.actors
    }

    /// Calls `f` with each run's index and row, in run order.
    pub fn for_each_row<E: From<SpoolError>>(
        &self,
        mut f: impl FnMut(u64, &[f64]) -> Result<(), E>,
    ) -> Result<(), E> {
        let n = self.actors;
        if n == 0 {
            return Ok(());
        }
        match &self.store {
            Store::Memory(values) => {
                let values = values.lock().unwrap_or_else(PoisonError::into_inner);
                for (run, row) in (self.first_run..).zip(values.chunks_exact(n)) {
                    f(run, row)?;
                }
            }
            Store::Spool { file, dir } => {
                let mut bytes = vec![0u8; READ_ROWS * n * 8];
                let mut row = vec![0.0; n];
                let mut run = self.first_run;
                let end = self.first_run + self.runs;
                while run < end {
                    let rows = (end - run).min(READ_ROWS as u64) as usize;
                    let block = &mut bytes[..rows * n * 8];
                    file.read_exact_at(block, self.offset(run) as u64 * 8)
                        .map_err(|source| SpoolError {
                            dir: dir.clone(),
                            source,
                        })?;
                    for r in block.chunks_exact(n * 8) {
                        for (x, b) in row.iter_mut().zip(r.chunks_exact(8)) {
                            let mut w = [0u8; 8];
                            w.copy_from_slice(b);
                            *x = f64::from_le_bytes(w);
                        }
                        f(run, &row)?;
                        run += 1;
                    }
                }
            }
        }
        Ok(())
    }

    /// Every value, rows in run order: the whole table in memory, for callers that know it
    /// is small (tests, a library user's batch).
    pub fn to_vec(&self) -> Result<Vec<f64>, SpoolError> {
        let mut all = Vec::with_capacity(self.runs as usize * self.actors);
        self.for_each_row(|_, row| {
            all.extend_from_slice(row);
            Ok::<(), SpoolError>(())
        })?;
        Ok(all)
    }

    /// Actor `actor`'s final alignment in every run, in run order.
    pub fn column(&self, actor: usize) -> Result<Vec<f64>, SpoolError> {
        let mut column = Vec::with_capacity(self.runs as usize);
        self.for_each_row(|_, row| {
            column.push(row[actor]);
            Ok::<(), SpoolError>(())
        })?;
        Ok(column)
    }

    /// Adds the table of the runs that follow this one, copying its rows after these.
    pub fn append(&mut self, next: &FinalTable) -> Result<(), TableError> {
        if next.actors != self.actors {
            return Err(
                MergeError::shape("per-run tables (actors)", self.actors, next.actors).into(),
            );
        }
        let end = self.first_run + self.runs;
        if next.first_run != end {
            return Err(MergeError::shape(
                "per-run tables (first run after the end)",
                end,
                next.first_run,
            )
            .into());
        }
        if let Store::Memory(values) = &mut self.store {
            let values = values.get_mut().unwrap_or_else(PoisonError::into_inner);
            values
                .try_reserve(next.runs as usize * self.actors)
                .map_err(|_| TableError::TooLarge {
                    runs: self.runs + next.runs,
                    actors: self.actors,
                })?;
            values.resize(values.len() + next.runs as usize * self.actors, 0.0);
        }
        self.runs += next.runs;
        let mut run = next.first_run;
        let mut block = Vec::with_capacity(READ_ROWS.min(next.runs as usize) * self.actors);
        next.for_each_row(|r, row| {
            block.extend_from_slice(row);
            if block.len() == READ_ROWS * self.actors || r + 1 == end + next.runs {
                self.put(run, &block)?;
                run = r + 1;
                block.clear();
            }
            Ok::<(), SpoolError>(())
        })?;
        Ok(())
    }

    /// Where a spooled table lives, for messages.
    pub fn spool_dir(&self) -> Option<&Path> {
        match &self.store {
            Store::Memory(_) => None,
            Store::Spool { dir, .. } => Some(dir),
        }
    }
}

impl From<SpoolError> for io::Error {
    fn from(e: SpoolError) -> io::Error {
        io::Error::new(e.source.kind(), e.to_string())
    }
}

/// Why a table could not be made or extended.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("{runs} runs of {actors} actors do not fit in memory for the per-run table")]
    TooLarge { runs: u64, actors: usize },
    #[error(transparent)]
    Spool(#[from] SpoolError),
    #[error(transparent)]
    Merge(#[from] MergeError),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keeps(dir: &Path) -> [FinalKeep; 2] {
        [FinalKeep::Memory, FinalKeep::Spool(dir.to_path_buf())]
    }

    /// Rows written out of order, from several threads, read back in run order; the same
    /// in memory and spooled.
    #[test]
    fn rows_written_in_any_order_read_back_in_run_order() {
        let tmp = tempfile::tempdir().unwrap();
        let n = 3;
        let runs = 10_000u64;
        let value = |run: u64, i: usize| run as f64 * 10.0 + i as f64 - 0.5;
        for keep in keeps(tmp.path()) {
            let table = FinalTable::new(&keep, 7, runs, n).unwrap().unwrap();
            let chunks: Vec<u64> = (0..runs / 100).rev().collect();
            std::thread::scope(|s| {
                for part in chunks.chunks(chunks.len() / 2) {
                    let table = &table;
                    s.spawn(move || {
                        for &c in part {
                            let first = 7 + c * 100;
                            let rows: Vec<f64> = (first..first + 100)
                                .flat_map(|r| (0..n).map(move |i| value(r, i)))
                                .collect();
                            table.put(first, &rows).unwrap();
                        }
                    });
                }
            });
            let mut seen = 0;
            table
                .for_each_row(|run, row| {
                    assert_eq!(run, 7 + seen);
                    for (i, &x) in row.iter().enumerate() {
                        assert_eq!(x.to_bits(), value(run, i).to_bits());
                    }
                    seen += 1;
                    Ok::<(), SpoolError>(())
                })
                .unwrap();
            assert_eq!(seen, runs, "{keep:?}");
            assert_eq!(table.column(2).unwrap()[9_999], value(7 + 9_999, 2));
        }
    }

    /// A spooled table leaves no file behind in its directory, during or after.
    #[test]
    fn a_spooled_table_leaves_no_file() {
        let tmp = tempfile::tempdir().unwrap();
        let keep = FinalKeep::Spool(tmp.path().to_path_buf());
        let table = FinalTable::new(&keep, 0, 5000, 4).unwrap().unwrap();
        table.put(4000, &[1.0; 4000]).unwrap();
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
        drop(table);
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
    }

    /// Appending the next runs' table gives the table of both ranges, whichever stores hold
    /// them (the blocks of a study grown by a stopping rule); a gap or another width is
    /// refused.
    #[test]
    fn appending_tables_gives_the_table_of_both_ranges() {
        let tmp = tempfile::tempdir().unwrap();
        let a: Vec<f64> = (0..2 * 9000).map(|x| x as f64).collect();
        let b: Vec<f64> = (0..2 * 5000).map(|x| -(x as f64)).collect();
        for keep in keeps(tmp.path()) {
            for next_keep in keeps(tmp.path()) {
                let mut first = FinalTable::new(&keep, 0, 9000, 2).unwrap().unwrap();
                first.put(0, &a).unwrap();
                let next = FinalTable::new(&next_keep, 9000, 5000, 2).unwrap().unwrap();
                next.put(9000, &b).unwrap();
                first.append(&next).unwrap();
                assert_eq!(first.runs(), 14_000);
                let all = first.to_vec().unwrap();
                assert_eq!(all[..a.len()], a[..]);
                assert_eq!(all[a.len()..], b[..]);
            }
        }
        let mut t = FinalTable::from_values(0, 2, vec![0.0; 4]);
        let gap = FinalTable::from_values(3, 2, vec![0.0; 4]);
        assert!(matches!(t.append(&gap), Err(TableError::Merge(_))));
        let wide = FinalTable::from_values(2, 3, vec![0.0; 6]);
        assert!(matches!(t.append(&wide), Err(TableError::Merge(_))));
    }

    /// A directory that cannot hold the file is named in the error.
    #[test]
    fn a_missing_spool_directory_is_named() {
        let keep = FinalKeep::Spool(PathBuf::from("/nonexistent/influence-spool"));
        let err = FinalTable::new(&keep, 0, 10, 2).unwrap_err().to_string();
        assert!(err.contains("/nonexistent/influence-spool"), "{err}");
    }
}
