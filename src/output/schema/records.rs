//! Reading back the CSV files of an output directory, one record at a time.
//!
//! The files are written by [`crate::output::csv`] with RFC 4180 quoting, and names and
//! labels may hold commas, quotes or line breaks, so a record can span lines. Records are
//! read one by one so that `final.csv`, which grows with the run count, never has to fit in
//! memory. Typed rows are read through [`super::table::TableReader`], which finds each
//! column of a format by the name its writer gave it.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use super::error::ReadError;

/// A CSV file being read, with its header and the line number of the last record read.
pub struct CsvFile {
    reader: Box<dyn BufRead>,
    path: PathBuf,
    header: Vec<String>,
    /// Line of the start of the last record, 1-based, for messages.
    line: usize,
    next_line: usize,
    text: String,
}

impl CsvFile {
    /// Opens a file and reads its header.
    pub fn open(path: &Path) -> Result<CsvFile, ReadError> {
        let file = File::open(path).map_err(|source| ReadError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        CsvFile::from_reader(Box::new(BufReader::new(file)), path)
    }

    /// Reads CSV from any source; `path` names it in messages.
    pub fn from_reader(reader: Box<dyn BufRead>, path: &Path) -> Result<CsvFile, ReadError> {
        let mut csv = CsvFile {
            reader,
            path: path.to_path_buf(),
            header: Vec::new(),
            line: 0,
            next_line: 1,
            text: String::new(),
        };
        let mut header = Vec::new();
        if !csv.next_record(&mut header)? {
            return Err(csv.garbled("the file is empty; expected a header line"));
        }
        csv.header = header;
        Ok(csv)
    }

    /// The column names, in file order.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// Index of the named column, or an error naming the columns that are there.
    pub fn column(&self, name: &str) -> Result<usize, ReadError> {
        self.header.iter().position(|h| h == name).ok_or_else(|| {
            self.garbled_at(
                1,
                &format!(
                    "no column `{name}` in the header (found: {})",
                    self.header.join(",")
                ),
            )
        })
    }

    /// An error about the last record read.
    pub fn garbled(&self, message: &str) -> ReadError {
        self.garbled_at(self.line, message)
    }

    fn garbled_at(&self, line: usize, message: &str) -> ReadError {
        ReadError::Garbled {
            path: self.path.clone(),
            line,
            message: message.to_string(),
        }
    }

    /// Reads the next record into `fields` (reusing its strings); `false` at the end of the
    /// file. Every data record must have as many fields as the header.
    pub fn next_record(&mut self, fields: &mut Vec<String>) -> Result<bool, ReadError> {
        let mut used = 0;
        let mut field_started = false;
        let mut in_quotes = false;
        let mut after_quote = false;
        self.line = self.next_line;
        loop {
            self.text.clear();
            let read = self
                .reader
                .read_line(&mut self.text)
                .map_err(|source| ReadError::Read {
                    path: self.path.clone(),
                    source,
                })?;
            if read == 0 {
                if in_quotes {
                    return Err(self.garbled("a quoted field is not closed before the end"));
                }
                if used == 0 && !field_started {
                    return Ok(false);
                }
                break;
            }
            self.next_line += 1;
            let mut chars = self.text.chars().peekable();
            let mut ended = false;
            while let Some(ch) = chars.next() {
                if used == fields.len() {
                    fields.push(String::new());
                }
                if !field_started {
                    fields[used].clear();
                    field_started = true;
                }
                if in_quotes {
                    if ch == '"' {
                        if chars.peek() == Some(&'"') {
                            chars.next();
                            fields[used].push('"');
                        } else {
                            in_quotes = false;
                            after_quote = true;
                        }
                    } else {
                        fields[used].push(ch);
                    }
                    continue;
                }
                match ch {
                    ',' => {
                        used += 1;
                        field_started = false;
                        after_quote = false;
                    }
                    '\n' => {
                        ended = true;
                        break;
                    }
                    '\r' if chars.peek() == Some(&'\n') => {}
                    _ if after_quote => {
                        return Err(self.garbled("text after the closing quote of a field"));
                    }
                    '"' if fields[used].is_empty() => in_quotes = true,
                    '"' => return Err(self.garbled("a quote inside an unquoted field")),
                    _ => fields[used].push(ch),
                }
            }
            if ended || !in_quotes {
                break;
            }
        }
        // The last field of the record (possibly empty, after a trailing comma).
        if used == fields.len() {
            fields.push(String::new());
        }
        if !field_started {
            fields[used].clear();
        }
        fields.truncate(used + 1);
        if !self.header.is_empty() && fields.len() != self.header.len() {
            return Err(self.garbled(&format!(
                "{} fields where the header has {}",
                fields.len(),
                self.header.len()
            )));
        }
        Ok(true)
    }

    /// A number field; empty means "no data" and reads as NaN, as the writer puts it.
    pub fn number(&self, fields: &[String], col: usize) -> Result<f64, ReadError> {
        let text = fields[col].as_str();
        if text.is_empty() {
            return Ok(f64::NAN);
        }
        match text.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err(self.garbled(&format!(
                "column `{}` holds {text:?}, not a number",
                self.header[col]
            ))),
        }
    }

    /// A non-negative whole number field.
    pub fn count(&self, fields: &[String], col: usize) -> Result<u64, ReadError> {
        fields[col].parse::<u64>().map_err(|_| {
            self.garbled(&format!(
                "column `{}` holds {:?}, not a whole number",
                self.header[col], fields[col]
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &'static str) -> Result<Vec<Vec<String>>, ReadError> {
        let mut csv = CsvFile::from_reader(Box::new(text.as_bytes()), Path::new("t.csv"))?;
        let mut out = Vec::new();
        let mut fields = Vec::new();
        while csv.next_record(&mut fields)? {
            out.push(fields.clone());
        }
        Ok(out)
    }

    #[test]
    fn reads_quoted_fields_with_commas_quotes_and_line_breaks() {
        let got =
            records("a,b,c\nplain,\"with, comma\",\"say \"\"hi\"\"\"\n\"two\nlines\",,3\r\nx,y,\n")
                .unwrap();
        assert_eq!(
            got,
            vec![
                vec!["plain", "with, comma", "say \"hi\""],
                vec!["two\nlines", "", "3"],
                vec!["x", "y", ""],
            ]
        );
    }

    #[test]
    fn reads_the_writers_output_back() {
        let mut t = crate::output::csv::Table::new(&["name", "x"]);
        t.row().text("C \"quoted\", with comma").num(-0.5);
        let text: &'static str = Box::leak(t.into_string().into_boxed_str());
        let got = records(text).unwrap();
        assert_eq!(got, vec![vec!["C \"quoted\", with comma", "-0.500000"]]);
    }

    #[test]
    fn garbled_records_name_their_line() {
        for (text, needle) in [
            ("a,b\n1,2\n3\n", ":3: 1 fields where the header has 2"),
            ("a,b\n\"open,2\n", ":2: a quoted field is not closed"),
            ("a,b\nx\"y,2\n", ":2: a quote inside an unquoted field"),
            ("a,b\n\"x\"y,2\n", ":2: text after the closing quote"),
            ("", ":1: the file is empty"),
        ] {
            let message = records(text).map(|_| ()).unwrap_err().to_string();
            assert!(message.contains(needle), "{text:?}: {message}");
        }
    }

    #[test]
    fn numbers_are_checked() {
        let csv = CsvFile::from_reader(Box::new("x\n".as_bytes()), Path::new("t.csv")).unwrap();
        let f = |s: &str| vec![s.to_string()];
        assert_eq!(csv.number(&f("-0.25"), 0).unwrap(), -0.25);
        assert!(csv.number(&f(""), 0).unwrap().is_nan());
        assert!(csv.number(&f("inf"), 0).is_err());
        assert!(csv.number(&f("abc"), 0).is_err());
        assert!(csv.count(&f("-1"), 0).is_err());
    }
}
