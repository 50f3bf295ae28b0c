//! A CSV table as a format: its columns and its row in one place, for the writer and every
//! reader alike.
//!
//! A [`TableFormat`] names the columns in file order and says how one record becomes fields
//! and fields become a record, in that same order. The writer ([`TableWriter`],
//! [`TableStream`]) and the reader ([`TableReader`]) take the header from the format, so a
//! column renamed there is renamed in the file and in every reader at once, and a reader
//! finds each column by that name wherever it stands. Readers check only what a file *is*
//! (its columns, numbers that parse); what it *means* (an actor the scenario has, a step
//! in range) is checked by the code that uses the records.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::marker::PhantomData;
use std::path::Path;

use super::error::ReadError;
use super::records::CsvFile;
use crate::output::csv::{Row, Table};

/// One CSV file format.
pub trait TableFormat {
    /// Column names, in file order.
    const HEADER: &'static [&'static str];
    /// One row. Text fields borrow: from the writer's data when written, from the reader's
    /// buffer when read, so that neither copies a name per row of a large table.
    type Record<'a>;
    /// Appends the record's fields, in [`Self::HEADER`] order.
    fn write(record: &Self::Record<'_>, row: Row<'_>);
    /// Takes the record's fields, in [`Self::HEADER`] order.
    fn read<'a>(fields: &mut Fields<'a>) -> Result<Self::Record<'a>, ReadError>;
    /// What a record's values must satisfy in any file of this format (ranges, orders,
    /// values never left empty), as the reason it does not; see [`super::check`]. Every
    /// record a [`TableReader`] hands out has passed it.
    fn check(_record: &Self::Record<'_>) -> Result<(), String> {
        Ok(())
    }
}

/// A table built whole in memory, header first.
pub struct TableWriter<F> {
    table: Table,
    format: PhantomData<F>,
}

impl<F: TableFormat> Default for TableWriter<F> {
    fn default() -> Self {
        TableWriter {
            table: Table::new(F::HEADER),
            format: PhantomData,
        }
    }
}

impl<F: TableFormat> TableWriter<F> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, record: &F::Record<'_>) {
        F::write(record, self.table.row());
    }

    pub fn into_string(self) -> String {
        self.table.into_string()
    }
}

/// A table written line by line to `out`, for files too large to hold as text.
pub struct TableStream<F, W> {
    out: W,
    line: String,
    format: PhantomData<F>,
}

impl<F: TableFormat, W: Write> TableStream<F, W> {
    /// Writes the header.
    pub fn new(mut out: W) -> io::Result<Self> {
        let mut line = F::HEADER.join(",");
        line.push('\n');
        out.write_all(line.as_bytes())?;
        Ok(TableStream {
            out,
            line,
            format: PhantomData,
        })
    }

    pub fn push(&mut self, record: &F::Record<'_>) -> io::Result<()> {
        self.line.clear();
        F::write(record, Row::start(&mut self.line));
        self.out.write_all(self.line.as_bytes())
    }

    /// The writer, to be flushed by the caller.
    pub fn into_inner(self) -> W {
        self.out
    }
}

/// A table read back record by record: [`TableReader::next_record`] moves to the next one,
/// [`TableReader::record`] reads it. The two are apart so that a reader can build errors
/// about the current record ([`TableReader::garbled`]) while it holds it.
pub struct TableReader<F> {
    csv: CsvFile,
    /// `columns[k]`: where the k-th column of the format stands in the file.
    columns: Vec<usize>,
    fields: Vec<String>,
    format: PhantomData<F>,
}

impl<F: TableFormat> TableReader<F> {
    /// Opens a file and finds every column of the format in its header.
    pub fn open(path: &Path) -> Result<Self, ReadError> {
        let file = File::open(path).map_err(|source| ReadError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_reader(Box::new(BufReader::new(file)), path)
    }

    /// Reads from any source; `path` names it in messages.
    pub fn from_reader(reader: Box<dyn BufRead>, path: &Path) -> Result<Self, ReadError> {
        let csv = CsvFile::from_reader(reader, path)?;
        let columns = F::HEADER
            .iter()
            .map(|name| csv.column(name))
            .collect::<Result<_, _>>()?;
        Ok(TableReader {
            csv,
            columns,
            fields: Vec::new(),
            format: PhantomData,
        })
    }

    /// Moves to the next record; `false` at the end of the file.
    pub fn next_record(&mut self) -> Result<bool, ReadError> {
        self.csv.next_record(&mut self.fields)
    }

    /// The current record, parsed.
    pub fn record(&self) -> Result<F::Record<'_>, ReadError> {
        let mut fields = Fields {
            csv: &self.csv,
            fields: &self.fields,
            columns: &self.columns,
            next: 0,
        };
        let record = F::read(&mut fields)?;
        debug_assert_eq!(fields.next, F::HEADER.len(), "a format reads every column");
        F::check(&record).map_err(|reason| self.garbled(&reason))?;
        Ok(record)
    }

    /// An error about the current record, with its line.
    pub fn garbled(&self, message: &str) -> ReadError {
        self.csv.garbled(message)
    }
}

/// The fields of one record, taken in the order of the format's header.
pub struct Fields<'a> {
    csv: &'a CsvFile,
    fields: &'a [String],
    columns: &'a [usize],
    next: usize,
}

impl<'a> Fields<'a> {
    fn take(&mut self) -> usize {
        let col = self.columns[self.next];
        self.next += 1;
        col
    }

    pub fn text(&mut self) -> &'a str {
        let col = self.take();
        &self.fields[col]
    }

    /// A number; an empty field (no data) reads as NaN, as the writer puts it.
    pub fn number(&mut self) -> Result<f64, ReadError> {
        let col = self.take();
        self.csv.number(self.fields, col)
    }

    /// A non-negative whole number.
    pub fn count(&mut self) -> Result<u64, ReadError> {
        let col = self.take();
        self.csv.count(self.fields, col)
    }

    /// An error about this record, with its line.
    pub fn garbled(&self, message: &str) -> ReadError {
        self.csv.garbled(message)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Writes `records` as `F`, reads the text back and hands each record read, with its
    /// index, to `check`; fails unless exactly as many records come back.
    pub(crate) fn round_trip<F: TableFormat>(
        records: &[F::Record<'_>],
        check: impl Fn(usize, &F::Record<'_>),
    ) -> String {
        let mut w = TableWriter::<F>::new();
        for r in records {
            w.push(r);
        }
        let text = w.into_string();
        let leaked: &'static str = Box::leak(text.clone().into_boxed_str());
        let mut reader =
            TableReader::<F>::from_reader(Box::new(leaked.as_bytes()), Path::new("t.csv")).unwrap();
        let mut k = 0;
        while reader.next_record().unwrap() {
            check(k, &reader.record().unwrap());
            k += 1;
        }
        assert_eq!(k, records.len(), "records read back");
        text
    }

    struct Pair;

    impl TableFormat for Pair {
        const HEADER: &'static [&'static str] = &["name", "x", "n"];
        type Record<'a> = (&'a str, f64, u64);

        fn write(r: &Self::Record<'_>, row: Row<'_>) {
            row.text(r.0).num(r.1).int(r.2);
        }

        fn read<'a>(f: &mut Fields<'a>) -> Result<Self::Record<'a>, ReadError> {
            Ok((f.text(), f.number()?, f.count()?))
        }
    }

    #[test]
    fn columns_are_found_by_name_wherever_they_stand() {
        let text = "n,extra,x,name\n3,?,0.5,\"a, b\"\n";
        let mut r = TableReader::<Pair>::from_reader(Box::new(text.as_bytes()), Path::new("t.csv"))
            .unwrap();
        assert!(r.next_record().unwrap());
        assert_eq!(r.record().unwrap(), ("a, b", 0.5, 3));
        assert!(!r.next_record().unwrap());
    }

    #[test]
    fn a_missing_column_is_named() {
        let text = "name,x\na,1\n";
        let err = TableReader::<Pair>::from_reader(Box::new(text.as_bytes()), Path::new("t.csv"))
            .err()
            .unwrap();
        assert!(err.to_string().contains("t.csv:1: no column `n`"), "{err}");
    }

    #[test]
    fn streamed_and_whole_tables_are_the_same_text() {
        let records = [("plain", -0.25, 1), ("say \"hi\"", f64::NAN, 2)];
        let text = round_trip::<Pair>(&records, |k, got| {
            assert_eq!(got.0, records[k].0);
            assert_eq!(got.2, records[k].2);
        });
        assert_eq!(text, "name,x,n\nplain,-0.250000,1\n\"say \"\"hi\"\"\",,2\n");
        let mut s = TableStream::<Pair, _>::new(Vec::new()).unwrap();
        for r in &records {
            s.push(r).unwrap();
        }
        assert_eq!(String::from_utf8(s.into_inner()).unwrap(), text);
    }
}
