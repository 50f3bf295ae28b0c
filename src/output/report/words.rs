//! Figures in words: probabilities on a fixed verbal scale, percentages with as many
//! decimals as their interval needs, signed differences and alignments.
//!
//! A reader who is handed the page quotes its sentences, so the words must be fixed, not
//! chosen case by case: the scale is that of US Intelligence Community Directive 203
//! (analytic standards, 2015), which analysts of this kind of question already read.

/// The verbal scale of ICD 203, as (upper bound, words); the last band takes everything up
/// to 1.
const SCALE: [(f64, &str); 7] = [
    (0.05, "almost no chance"),
    (0.20, "very unlikely"),
    (0.45, "unlikely"),
    (0.55, "roughly even chance"),
    (0.80, "likely"),
    (0.95, "very likely"),
    (f64::INFINITY, "almost certain"),
];

/// The words for a probability; "no estimate" when there is none (NaN).
pub fn likelihood(p: f64) -> &'static str {
    if p.is_nan() {
        return "no estimate";
    }
    SCALE
        .iter()
        .find(|(upper, _)| p < *upper)
        .map_or("almost certain", |(_, words)| words)
}

/// Decimals for percentages of an estimate whose 95% interval is `[lo, hi]`: whole
/// percent unless the interval is narrower than five points, where rounding would hide it.
pub fn percent_decimals(lo: f64, hi: f64) -> usize {
    if (hi - lo).abs() < 0.05 { 1 } else { 0 }
}

/// Decimals for a figure whose 95% interval is `width` wide: three, or enough to show two
/// digits of a narrower interval, at most six (the precision of the files).
pub fn decimals_for(width: f64) -> usize {
    if !(width.is_finite() && width > 0.0) || width >= 0.01 {
        return 3;
    }
    ((-width.log10()).ceil() as usize + 1).min(6)
}

/// `0.5713` → "57%" (with `decimals` after the point); NaN → "n/a".
pub fn percent(p: f64, decimals: usize) -> String {
    if p.is_nan() {
        return "n/a".to_string();
    }
    format!("{}%", minus(&format!("{:.*}", decimals, p * 100.0)))
}

/// A difference of probabilities in percentage points, always signed: "+4.0 points".
pub fn points(d: f64, decimals: usize) -> String {
    if d.is_nan() {
        return "n/a".to_string();
    }
    format!("{} points", signed(d * 100.0, decimals))
}

/// A number with its sign always shown, and a true minus sign: "+0.04", "−0.12", "0.00".
pub fn signed(x: f64, decimals: usize) -> String {
    if x.is_nan() {
        return "n/a".to_string();
    }
    let text = format!("{:.*}", decimals, x);
    let zero = text
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.');
    if zero {
        text.trim_start_matches('-').to_string()
    } else if x > 0.0 {
        format!("+{text}")
    } else {
        minus(&text)
    }
}

/// A plain number with a true minus sign, for alignments and other values in [-1, 1].
pub fn number(x: f64, decimals: usize) -> String {
    if x.is_nan() {
        return "n/a".to_string();
    }
    let text = format!("{:.*}", decimals, x);
    if text
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        return text.trim_start_matches('-').to_string();
    }
    minus(&text)
}

/// Replaces a leading hyphen by the minus sign U+2212, which does not break from its digits
/// at the end of a line and reads as a minus to a screen reader.
fn minus(text: &str) -> String {
    match text.strip_prefix('-') {
        Some(rest) => format!("\u{2212}{rest}"),
        None => text.to_string(),
    }
}

/// Whether an interval of a difference excludes zero, in words: what the change does.
pub fn direction(lo: f64, hi: f64, up: &str, down: &str, unclear: &str) -> String {
    if lo > 0.0 {
        up.to_string()
    } else if hi < 0.0 {
        down.to_string()
    } else {
        unclear.to_string()
    }
}

/// The text with its first letter in upper case, to open a sentence.
pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "a, b and c".
pub fn list(items: &[String]) -> String {
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_has_the_bands_of_icd_203() {
        // The band edges of the directive: 1-5, 5-20, 20-45, 45-55, 55-80, 80-95, 95-99%.
        for (p, words) in [
            (0.0, "almost no chance"),
            (0.049, "almost no chance"),
            (0.05, "very unlikely"),
            (0.199, "very unlikely"),
            (0.2, "unlikely"),
            (0.449, "unlikely"),
            (0.45, "roughly even chance"),
            (0.5, "roughly even chance"),
            (0.55, "likely"),
            (0.57, "likely"),
            (0.8, "very likely"),
            (0.95, "almost certain"),
            (1.0, "almost certain"),
        ] {
            assert_eq!(likelihood(p), words, "{p}");
        }
        assert_eq!(likelihood(f64::NAN), "no estimate");
    }

    #[test]
    fn percentages_keep_the_decimals_their_interval_needs() {
        assert_eq!(percent_decimals(0.513441, 0.624789), 0);
        assert_eq!(percent_decimals(0.01, 0.04), 1);
        assert_eq!(percent(0.57, 0), "57%");
        assert_eq!(percent(0.513441, 0), "51%");
        assert_eq!(percent(0.0968, 1), "9.7%");
        assert_eq!(percent(f64::NAN, 0), "n/a");
    }

    #[test]
    fn signs_are_explicit_and_minus_is_a_minus() {
        assert_eq!(signed(0.04, 2), "+0.04");
        assert_eq!(signed(-0.12, 2), "\u{2212}0.12");
        assert_eq!(signed(-0.0001, 2), "0.00");
        assert_eq!(signed(0.0, 1), "0.0");
        assert_eq!(points(0.065, 1), "+6.5 points");
        assert_eq!(points(-0.065, 1), "\u{2212}6.5 points");
        assert_eq!(number(-0.183164, 2), "\u{2212}0.18");
        assert_eq!(number(-0.001, 2), "0.00");
        assert_eq!(number(0.95, 2), "0.95");
    }

    #[test]
    fn narrow_intervals_get_the_decimals_they_need() {
        assert_eq!(decimals_for(0.2), 3);
        assert_eq!(decimals_for(0.01), 3);
        assert_eq!(decimals_for(0.005), 4);
        assert_eq!(decimals_for(0.000215), 5);
        assert_eq!(decimals_for(1e-9), 6);
        assert_eq!(decimals_for(0.0), 3);
        assert_eq!(decimals_for(f64::NAN), 3);
    }

    #[test]
    fn directions_follow_the_interval() {
        let d = |lo, hi| direction(lo, hi, "up", "down", "unclear");
        assert_eq!(d(0.01, 0.07), "up");
        assert_eq!(d(-0.1, -0.03), "down");
        assert_eq!(d(-0.01, 0.03), "unclear");
        assert_eq!(d(0.0, 0.0), "unclear");
    }

    #[test]
    fn lists_read_as_english() {
        let s = |v: &[&str]| list(&v.iter().map(|x| x.to_string()).collect::<Vec<_>>());
        assert_eq!(s(&[]), "");
        assert_eq!(s(&["a"]), "a");
        assert_eq!(s(&["a", "b"]), "a and b");
        assert_eq!(s(&["a", "b", "c"]), "a, b and c");
    }
}
