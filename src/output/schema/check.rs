//! The ranges and orders a file's values keep, as its writer produces them.
//!
//! A reader that draws a probability of 5 or an alignment of NaN would show a picture of a
//! study that never ran; a reader that refuses it names the file and the line, so a damaged or
//! hand-edited file is found at once. Each [`super::TableFormat`] states what one record must
//! satisfy in its `check`, in terms of these helpers, and [`super::TableReader`] applies it to
//! every record it hands out: the checks are written once, for every reader.

/// `x` lies in `[lo, hi]`; NaN (an empty field, a `null`) does not.
pub fn within(column: &str, x: f64, lo: f64, hi: f64) -> Result<(), String> {
    if (lo..=hi).contains(&x) {
        Ok(())
    } else if x.is_nan() {
        Err(format!(
            "`{column}` has no value; the file always gives one there"
        ))
    } else {
        Err(format!("`{column}` is {x}, outside [{lo}, {hi}]"))
    }
}

/// `x` lies in `[lo, hi]` or is empty (no data).
pub fn within_or_empty(column: &str, x: f64, lo: f64, hi: f64) -> Result<(), String> {
    if x.is_nan() {
        Ok(())
    } else {
        within(column, x, lo, hi)
    }
}

/// `x` is a number at least `lo`; NaN (an empty field) is not.
pub fn at_least(column: &str, x: f64, lo: f64) -> Result<(), String> {
    within(column, x, lo, f64::INFINITY)
}

/// The named values do not decrease, in the order given (quantiles, an interval around its
/// estimate). Empty values are left out: whether they may be empty is checked apart.
pub fn ordered(values: &[(&str, f64)]) -> Result<(), String> {
    let present: Vec<&(&str, f64)> = values.iter().filter(|(_, x)| !x.is_nan()).collect();
    for pair in present.windows(2) {
        let ((a, x), (b, y)) = (*pair[0], *pair[1]);
        if x > y {
            return Err(format!("`{a}` ({x}) is above `{b}` ({y})"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_refuse_nan_unless_empty_is_allowed() {
        assert!(within("p", 0.5, 0.0, 1.0).is_ok());
        assert!(
            within("p", 5.0, 0.0, 1.0)
                .unwrap_err()
                .contains("`p` is 5, outside [0, 1]")
        );
        assert!(
            within("p", f64::NAN, 0.0, 1.0)
                .unwrap_err()
                .contains("has no value")
        );
        assert!(within_or_empty("p", f64::NAN, 0.0, 1.0).is_ok());
        assert!(at_least("sd", -0.1, 0.0).is_err());
        assert!(ordered(&[("a", 0.1), ("b", f64::NAN), ("c", 0.2)]).is_ok());
        assert!(
            ordered(&[("ci_low", 0.3), ("probability", 0.2)])
                .unwrap_err()
                .contains("`ci_low` (0.3) is above `probability` (0.2)")
        );
    }
}
