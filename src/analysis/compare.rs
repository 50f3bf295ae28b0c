//! Paired differences between a base scenario and a variant run on common random numbers.

use super::stats::{Interval, Z95, wilson_interval};
use super::summary::alignment_at;
use crate::montecarlo::paired::PairedResult;
use crate::scenario::Scenario;

/// The paired difference variant − base of one actor's alignment at one step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlignmentDiff {
    pub mean: f64,
    /// Normal 95% interval of the mean paired difference (the runs are independent pairs).
    pub interval: Interval,
    /// Share of runs in which the variant's alignment is strictly higher.
    pub p_variant_higher: f64,
    /// Share of runs in which the two alignments are equal to the bit.
    pub p_identical: f64,
}

/// The difference of one outcome's probability, variant − base.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeDiff {
    pub name: String,
    pub p_base: f64,
    pub p_variant: f64,
    pub diff: f64,
    /// Newcombe's hybrid score interval for paired proportions (method 10 of Newcombe 1998,
    /// Stat Med 17:2635): it accounts for the pairing, stays in [-1, 1] and behaves at 0 and 1,
    /// where the Wald interval does not.
    pub interval: Interval,
}

/// Paired alignment difference at step `t` of actor `i`.
pub fn alignment_diff(r: &PairedResult, n: usize, t: usize, i: usize) -> AlignmentDiff {
    let acc = &r.aggregates;
    let cell = t * n + i;
    let s = acc.diff.diff.summary(cell);
    let runs = acc.runs();
    let half = if runs > 1 {
        Z95 * s.sd / (runs as f64).sqrt()
    } else {
        f64::NAN
    };
    let share = |k: u64| {
        if runs > 0 {
            k as f64 / runs as f64
        } else {
            f64::NAN
        }
    };
    AlignmentDiff {
        mean: s.mean,
        interval: Interval {
            low: s.mean - half,
            high: s.mean + half,
        },
        p_variant_higher: share(acc.diff.variant_higher[cell]),
        p_identical: share(acc.diff.identical[cell]),
    }
}

/// Differences of every outcome both scenarios define, in the base's order.
pub fn outcome_diffs(base: &Scenario, r: &PairedResult) -> Vec<OutcomeDiff> {
    r.shared_outcomes
        .iter()
        .zip(&r.aggregates.outcome_pairs.counts)
        .map(|(&(bi, _), &[both, base_only, variant_only, neither])| {
            let (p_variant, p_base, interval) =
                paired_difference(both, variant_only, base_only, neither);
            OutcomeDiff {
                name: base.outcomes[bi].name.clone(),
                p_base,
                p_variant,
                diff: p_variant - p_base,
                interval,
            }
        })
        .collect()
}

/// Newcombe's method 10 for θ = p1 − p2 from a paired 2×2 table: `a` pairs where both hold,
/// `b` where only the first holds, `c` where only the second holds, `d` where neither.
/// Returns `(p1, p2, interval of θ)`.
pub fn paired_difference(a: u64, b: u64, c: u64, d: u64) -> (f64, f64, Interval) {
    let n = a + b + c + d;
    if n == 0 {
        return (
            f64::NAN,
            f64::NAN,
            Interval {
                low: -1.0,
                high: 1.0,
            },
        );
    }
    let nf = n as f64;
    let p1 = (a + b) as f64 / nf;
    let p2 = (a + c) as f64 / nf;
    let w1 = wilson_interval(a + b, n);
    let w2 = wilson_interval(a + c, n);
    // Newcombe's estimate of the correlation of the two proportions, with his continuity
    // adjustment of the cross-product a d − b c towards zero by n / 2.
    let (af, bf, cf, df) = (a as f64, b as f64, c as f64, d as f64);
    let margins = (af + bf) * (cf + df) * (af + cf) * (bf + df);
    let cross = af * df - bf * cf;
    let phi = if margins == 0.0 {
        0.0
    } else if cross > nf / 2.0 {
        (cross - nf / 2.0) / margins.sqrt()
    } else if cross >= 0.0 {
        0.0
    } else {
        cross / margins.sqrt()
    };
    let theta = p1 - p2;
    let (x1, y2) = (p1 - w1.low, w2.high - p2);
    let lower = theta - (x1 * x1 - 2.0 * phi * x1 * y2 + y2 * y2).max(0.0).sqrt();
    let (y1, x2) = (w1.high - p1, p2 - w2.low);
    let upper = theta + (y1 * y1 - 2.0 * phi * y1 * x2 + x2 * x2).max(0.0).sqrt();
    (
        p1,
        p2,
        Interval {
            low: lower.max(-1.0),
            high: upper.min(1.0),
        },
    )
}

/// Width of the interval two independent batches would give, over the width of the paired
/// one: how many times more runs independent batches would need for the same precision is
/// about its square. Infinite when the paired difference is exact (every run identical),
/// NaN when both intervals are empty.
pub fn narrowing(independent: Interval, paired: Interval) -> f64 {
    let (wi, wp) = (independent.high - independent.low, paired.high - paired.low);
    if wp > 0.0 {
        wi / wp
    } else if wi > 0.0 {
        f64::INFINITY
    } else {
        f64::NAN
    }
}

/// One actor's final alignment in the two scenarios, with what the pairing buys: the interval
/// the same runs would give if the two batches had been drawn independently.
#[derive(Debug, Clone, PartialEq)]
pub struct FinalContrast {
    pub actor: String,
    /// Mean and sample standard deviation of the final alignment over the base's runs.
    pub base_mean: f64,
    pub base_sd: f64,
    pub variant_mean: f64,
    pub variant_sd: f64,
    /// The median final alignment over each scenario's runs: the figure `run` prints and the
    /// charts draw, so the terminal shows the same one.
    pub base_median: f64,
    pub variant_median: f64,
    /// The paired difference at the last step.
    pub diff: AlignmentDiff,
    /// The normal 95% interval of the difference of means of two independent batches of the
    /// same size: mean ± z·√(sd_b²/n + sd_v²/n).
    pub independent: Interval,
}

impl FinalContrast {
    pub fn narrowing(&self) -> f64 {
        narrowing(self.independent, self.diff.interval)
    }
}

/// Final alignment contrasts of every actor, in the base's order.
pub fn final_contrasts(base: &Scenario, r: &PairedResult) -> Vec<FinalContrast> {
    let n = base.n();
    let t = base.steps;
    let runs = r.aggregates.runs() as f64;
    base.actors
        .iter()
        .enumerate()
        .map(|(i, actor)| {
            let b = alignment_at(&r.aggregates.base, n, t, i);
            let v = alignment_at(&r.aggregates.variant, n, t, i);
            let diff = alignment_diff(r, n, t, i);
            let half = Z95 * ((b.sd * b.sd + v.sd * v.sd) / runs).sqrt();
            FinalContrast {
                actor: actor.name.clone(),
                base_mean: b.mean,
                base_sd: b.sd,
                variant_mean: v.mean,
                variant_sd: v.sd,
                base_median: b.p50,
                variant_median: v.p50,
                diff,
                independent: Interval {
                    low: diff.mean - half,
                    high: diff.mean + half,
                },
            }
        })
        .collect()
}

/// One shared outcome's difference, with the interval independent batches would give.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeContrast {
    pub diff: OutcomeDiff,
    /// Newcombe's interval for two independent proportions of the same size.
    pub independent: Interval,
}

impl OutcomeContrast {
    pub fn narrowing(&self) -> f64 {
        narrowing(self.independent, self.diff.interval)
    }
}

/// Contrasts of every outcome both scenarios define, in the base's order.
pub fn outcome_contrasts(base: &Scenario, r: &PairedResult) -> Vec<OutcomeContrast> {
    let runs = r.aggregates.runs();
    outcome_diffs(base, r)
        .into_iter()
        .zip(&r.aggregates.outcome_pairs.counts)
        .map(
            |(diff, &[both, base_only, variant_only, _])| OutcomeContrast {
                diff,
                independent: independent_difference(
                    both + variant_only,
                    runs,
                    both + base_only,
                    runs,
                ),
            },
        )
        .collect()
}

/// Newcombe's method 10 for p1 − p2 of two independent samples (`hits1` of `n1`, `hits2` of
/// `n2`): Wilson intervals squared and added, which is [`paired_difference`] without the
/// correlation term. This is the interval a comparison of two unpaired studies would report.
pub fn independent_difference(hits1: u64, n1: u64, hits2: u64, n2: u64) -> Interval {
    if n1 == 0 || n2 == 0 {
        return Interval {
            low: -1.0,
            high: 1.0,
        };
    }
    let p1 = hits1 as f64 / n1 as f64;
    let p2 = hits2 as f64 / n2 as f64;
    let (w1, w2) = (wilson_interval(hits1, n1), wilson_interval(hits2, n2));
    let theta = p1 - p2;
    let lower = theta - ((p1 - w1.low).powi(2) + (w2.high - p2).powi(2)).sqrt();
    let upper = theta + ((w1.high - p1).powi(2) + (p2 - w2.low).powi(2)).sqrt();
    Interval {
        low: lower.max(-1.0),
        high: upper.min(1.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_published_example() {
        // Complete response before and after consolidation therapy (Cavo et al. 2012), as
        // worked in Fagerland, Lydersen & Laake, "Statistical Analysis of Contingency
        // Tables", ch. 8: a = 59, b = 6, c = 16, d = 80; Newcombe's square-and-add interval
        // is -0.0621 (-0.1186 to -0.0046).
        let (p1, p2, i) = paired_difference(59, 6, 16, 80);
        assert!((p1 - p2 + 0.0621).abs() < 5e-5);
        assert!((i.low + 0.1186).abs() < 5e-5, "{i:?}");
        assert!((i.high + 0.0046).abs() < 5e-5, "{i:?}");
    }

    #[test]
    fn independent_difference_matches_the_published_example() {
        // Newcombe (1998), Stat Med 17:873, Table II, example (a): 56/70 − 48/80 = 0.2000,
        // method 10 gives 0.0524 to 0.3339.
        let i = independent_difference(56, 70, 48, 80);
        assert!((i.low - 0.0524).abs() < 5e-5, "{i:?}");
        assert!((i.high - 0.3339).abs() < 5e-5, "{i:?}");
        // Pairs that carry no correlation give the independent interval.
        let (_, _, paired) = paired_difference(25, 25, 25, 25);
        let unpaired = independent_difference(50, 100, 50, 100);
        assert!((paired.low - unpaired.low).abs() < 1e-12);
        assert!((paired.high - unpaired.high).abs() < 1e-12);
    }

    #[test]
    fn pairing_narrows_the_interval() {
        // Same margins; strongly concordant pairs give a narrower interval than discordant.
        let (_, _, concordant) = paired_difference(40, 10, 0, 50);
        let (_, _, discordant) = paired_difference(0, 50, 40, 10);
        assert!(concordant.high - concordant.low < discordant.high - discordant.low);
    }
}
