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
        if !push_six_decimals(line, x) {
            let _ = write!(line, "{x:.6}");
        }
    }
}

/// Appends `x` in decimal, as `format!("{x}")` writes it. Per-run tables write a run number
/// on every row, and `format!`'s machinery (a formatter, padding) costs more than the digits.
pub fn push_uint(line: &mut String, x: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = x;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    line.extend(digits[at..].iter().map(|&d| char::from(d)));
}

/// Millionths in the integer part's range that [`push_six_decimals`] handles: 2^53 of them.
const MILLIONTHS_MAX: u128 = 1 << 53;

/// `{x:.6}` as `format!` writes it, for finite `x` below about 9·10⁹ in magnitude (false,
/// and nothing written, otherwise). A study's per-run tables hold a number per run and per
/// actor, and `format!`'s general algorithm for them was the larger part of writing its
/// output, on one thread while the others wait.
///
/// The value is `m · 2^e` exactly, so its millionths are `m · 10⁶ · 2^e`, an integer
/// part and a remainder computed exactly in 128 bits, rounded to the nearest with ties to
/// even, as `format!` rounds the exact value.
fn push_six_decimals(line: &mut String, x: f64) -> bool {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    if biased == 0x7ff {
        return false;
    }
    let fraction = bits & ((1u64 << 52) - 1);
    // Subnormals have no implicit bit and the exponent of the smallest normal.
    let (m, e) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1u64 << 52), biased - 1075)
    };
    let scaled = u128::from(m) * 1_000_000;
    let millionths = if e >= 0 {
        if e > 11 {
            return false;
        }
        scaled << e
    } else if -e >= 100 {
        // Below 2^-47: fewer than one ten-millionth of a millionth, so 0 either way, except
        // that format! keeps the sign.
        0
    } else {
        let shift = -e as u32;
        let q = scaled >> shift;
        let rest = scaled & ((1u128 << shift) - 1);
        let half = 1u128 << (shift - 1);
        if rest > half || (rest == half && q & 1 == 1) {
            q + 1
        } else {
            q
        }
    };
    if millionths >= MILLIONTHS_MAX {
        return false;
    }
    if bits >> 63 == 1 {
        line.push('-');
    }
    let whole = (millionths / 1_000_000) as u64;
    let part = (millionths % 1_000_000) as u32;
    push_uint(line, whole);
    line.push('.');
    let mut digits = [b'0'; 6];
    let mut p = part;
    for d in digits.iter_mut().rev() {
        *d = b'0' + (p % 10) as u8;
        p /= 10;
    }
    line.extend(digits.iter().map(|&d| char::from(d)));
    true
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
        push_uint(self.text, x);
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

    /// `push_six_decimals` against `format!`, on the values where the two could part: ties
    /// (odd multiples of 2^-7 are exact halves of a millionth), their neighbours, powers of
    /// two and ten, subnormals, both signs, the edge of the range, and random bit patterns.
    #[test]
    fn six_decimals_as_format_writes_them() {
        let mut values = vec![
            0.0, -0.0, 1.0, 0.5, 1e-6, 5e-7, 4.9999e-7, 0.0000015, 0.9999995,
        ];
        for k in 0..20_000u64 {
            let tie = (2 * k + 1) as f64 / 128.0;
            values.extend([tie, tie.next_up(), tie.next_down()]);
            values.push(k as f64 / 1e6);
            values.push((k as f64 / 1e6).next_up());
        }
        for p in -1074..=40 {
            let x = 2f64.powi(p);
            values.extend([x, x.next_up(), x.next_down(), 10f64.powi(p / 30)]);
        }
        values.extend([8.9e9, 9.1e9, 1e300, f64::MIN_POSITIVE, 5e-324]);
        let mut z = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..200_000 {
            z ^= z << 13;
            z ^= z >> 7;
            z ^= z << 17;
            let x = f64::from_bits(z);
            if x.is_finite() {
                values.push(x);
                // Also within the range where the fast path runs.
                values.push(x % 1e4);
            }
        }
        for x in values.into_iter().flat_map(|x| [x, -x]) {
            let mut ours = String::new();
            if push_six_decimals(&mut ours, x) {
                assert_eq!(ours, format!("{x:.6}"), "{x:e} ({:#x})", x.to_bits());
            } else {
                assert!(ours.is_empty() && x.abs() > 8e9, "{x:e} fell back");
            }
        }
    }

    #[test]
    fn integers_as_format_writes_them() {
        let mut values = vec![0, 1, 9, 10, 11, u64::MAX, u64::MAX - 1, 1 << 63];
        let mut p = 1u64;
        while let Some(next) = p.checked_mul(10) {
            values.extend([p - 1, p, p + 1]);
            p = next;
        }
        let mut z = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..100_000 {
            z ^= z << 13;
            z ^= z >> 7;
            z ^= z << 17;
            values.extend([z, z >> 40, z % 1000]);
        }
        for x in values {
            let mut ours = String::from("x");
            push_uint(&mut ours, x);
            assert_eq!(ours, format!("x{x}"));
        }
    }

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
