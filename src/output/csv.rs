//! Minimal CSV writing: RFC 4180 quoting and one fixed number format.
//!
//! Numbers are written with six decimals so that files are readable and identical across
//! platforms; six decimals is finer than any Monte Carlo error the tool reports.

use std::fmt::Write as _;

/// Appends one field, quoted if it holds a comma, a quote or a line break.
pub fn push_field(line: &mut String, field: &str) {
    if field.contains([',', '"', '\n', '\r']) {
        line.push('"');
        line.push_str(&field.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(field);
    }
}

/// Appends a number with six decimals; NaN (no data) is written as an empty field.
pub fn push_number(line: &mut String, x: f64) {
    if x.is_finite() {
        // -0.000000 would differ from 0.000000 for the same value; write it as zero.
        let x = if x.abs() < 5e-7 { 0.0 } else { x };
        let _ = write!(line, "{x:.6}");
    }
}

/// A CSV document built row by row.
#[derive(Debug, Default)]
pub struct Table {
    text: String,
}

impl Table {
    pub fn new(header: &[&str]) -> Table {
        let mut t = Table::default();
        t.text.push_str(&header.join(","));
        t.text.push('\n');
        t
    }

    /// Starts a row; fields are added through the returned builder.
    pub fn row(&mut self) -> Row<'_> {
        Row::start(&mut self.text)
    }

    pub fn into_string(self) -> String {
        self.text
    }

    /// The document so far.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// One row being written; the line ends when it is dropped.
pub struct Row<'a> {
    text: &'a mut String,
    first: bool,
}

impl<'a> Row<'a> {
    /// Starts a row at the end of `text`, for a table streamed line by line rather than
    /// held whole (`final.csv` grows with the run count).
    pub fn start(text: &'a mut String) -> Row<'a> {
        Row { text, first: true }
    }
}

impl Row<'_> {
    fn sep(&mut self) {
        if !self.first {
            self.text.push(',');
        }
        self.first = false;
    }

    pub fn text(mut self, s: &str) -> Self {
        self.sep();
        push_field(self.text, s);
        self
    }

    pub fn int(mut self, x: u64) -> Self {
        self.sep();
        let _ = write!(self.text, "{x}");
        self
    }

    pub fn num(mut self, x: f64) -> Self {
        self.sep();
        push_number(self.text, x);
        self
    }

    /// A number written to the last bit (the shortest text that reads back as the same
    /// f64), for tables another tool recomputes results from; NaN as an empty field.
    pub fn num_exact(mut self, x: f64) -> Self {
        self.sep();
        if x.is_finite() {
            let _ = write!(self.text, "{x:?}");
        }
        self
    }
}

impl Drop for Row<'_> {
    fn drop(&mut self) {
        self.text.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_when_needed() {
        let mut t = Table::new(&["a", "b", "c"]);
        t.row().text("plain").text("with, comma").text("say \"hi\"");
        t.row().int(3).num(-0.0000001).num(f64::NAN);
        assert_eq!(
            t.into_string(),
            "a,b,c\nplain,\"with, comma\",\"say \"\"hi\"\"\"\n3,0.000000,\n"
        );
    }
}
