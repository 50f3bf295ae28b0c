//! Interval estimates.

/// The 97.5% point of the standard normal, for two-sided 95% intervals.
pub const Z95: f64 = 1.959_963_984_540_054;

/// A two-sided interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

/// Wilson's 95% score interval for `hits` successes in `n` trials. Unlike the normal
/// approximation it stays inside [0, 1] and is not degenerate at 0 or n hits, which is
/// common for rare outcomes in a Monte Carlo study.
pub fn wilson_interval(hits: u64, n: u64) -> Interval {
    if n == 0 {
        return Interval {
            low: 0.0,
            high: 1.0,
        };
    }
    let n = n as f64;
    let p = hits as f64 / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    Interval {
        low: (centre - half).max(0.0),
        high: (centre + half).min(1.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_published_values() {
        // Newcombe (1998), Table I: 81/263 -> 0.2553 to 0.3662 (Wilson score).
        let i = wilson_interval(81, 263);
        assert!((i.low - 0.2553).abs() < 5e-5, "{i:?}");
        assert!((i.high - 0.3662).abs() < 5e-5, "{i:?}");
        // 0 of 10 -> 0 to 0.2775.
        let i = wilson_interval(0, 10);
        assert_eq!(i.low, 0.0);
        assert!((i.high - 0.2775).abs() < 5e-5, "{i:?}");
    }

    #[test]
    fn symmetric_in_hits_and_misses() {
        let a = wilson_interval(3, 40);
        let b = wilson_interval(37, 40);
        assert!((a.low - (1.0 - b.high)).abs() < 1e-12);
        assert!((a.high - (1.0 - b.low)).abs() < 1e-12);
    }
}
