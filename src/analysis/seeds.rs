//! Agreement between studies run under different master seeds.
//!
//! A single study reports a Monte Carlo standard error for each figure. Running the same
//! study under several seeds shows the actual spread between studies; when the two agree,
//! the run count is enough for the figures the user reads, and when the spread is larger,
//! it is not.

use super::stats::Z95;
use crate::montecarlo::{BatchResult, SpoolError};
use crate::scenario::Scenario;

/// One figure across seeds.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedSpread {
    /// What the figure is: an outcome's name, or an actor's name for its final median.
    pub name: String,
    /// `outcome` or `final_median`.
    pub figure: &'static str,
    /// The figure under each seed, in the order the seeds were given.
    pub values: Vec<f64>,
    pub mean: f64,
    /// Sample standard deviation between seeds (0 for a single seed).
    pub sd_between: f64,
    /// The standard error a single study claims for the figure, averaged over the seeds; for
    /// an outcome, at the rate pooled over every seed's runs (see [`SeedTally::spreads`]).
    pub claimed_se: f64,
}

/// The largest ratio of the spread between seeds to the claimed standard error that still
/// counts as agreement. If the claimed error is right, the sample standard deviation `s` of K
/// seeds satisfies (K − 1) s² / SE² ~ χ²(K − 1), so a ratio above 2 happens by chance for
/// 4.6% of figures with 2 seeds, 1.8% with 3 and 0.3% with 5: rare enough that a figure above
/// it says the single study's error is understated, not that the seeds were unlucky.
pub const CONSISTENT_RATIO: f64 = 2.0;

/// What the spread between seeds says about the error a single study claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every seed gave the same value and no error was claimed: the figure is certain.
    NoSpread,
    /// The seeds scatter no more than [`CONSISTENT_RATIO`] times the claimed error.
    Consistent,
    /// The seeds scatter more than the single study claims: its interval is too narrow.
    WiderThanClaimed,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::NoSpread => "no spread",
            Verdict::Consistent => "consistent",
            Verdict::WiderThanClaimed => "wider than claimed",
        }
    }
}

impl SeedSpread {
    /// Spread between seeds over the claimed standard error; NaN when no error is claimed
    /// (then the ratio means nothing: see [`SeedSpread::verdict`]).
    pub fn ratio(&self) -> f64 {
        if self.claimed_se > 0.0 {
            self.sd_between / self.claimed_se
        } else {
            f64::NAN
        }
    }

    pub fn verdict(&self) -> Verdict {
        if self.claimed_se > 0.0 {
            if self.sd_between <= CONSISTENT_RATIO * self.claimed_se {
                Verdict::Consistent
            } else {
                Verdict::WiderThanClaimed
            }
        } else if self.sd_between == 0.0 {
            Verdict::NoSpread
        } else {
            Verdict::WiderThanClaimed
        }
    }
}

/// The chance that a figure's ratio exceeds `ratio` over `seeds` seeds when the claimed error
/// is right: (K − 1) s² / SE² follows χ² with K − 1 degrees of freedom, so this is the upper
/// tail of that law at (K − 1) · ratio². NaN for fewer than two seeds, which have no spread.
pub fn chance_of_ratio_above(ratio: f64, seeds: usize) -> f64 {
    if seeds < 2 {
        return f64::NAN;
    }
    let d = seeds - 1;
    chi_square_upper_tail(d, d as f64 * ratio * ratio)
}

/// P(X > x) for X ~ χ² with `d` ≥ 1 degrees of freedom, by the closed forms for whole `d`:
/// e^(−x/2) Σ_{i < d/2} (x/2)^i / i! for even `d`, and for odd `d` the normal tail
/// 2 (1 − Φ(√x)) plus e^(−x/2) Σ_{k=1}^{(d−1)/2} x^(k − 1/2) / (1·3·…·(2k − 1)) · √(2/π).
fn chi_square_upper_tail(d: usize, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let half = x / 2.0;
    if d.is_multiple_of(2) {
        let mut term = 1.0;
        let mut sum = 1.0;
        for i in 1..d / 2 {
            term *= half / i as f64;
            sum += term;
        }
        (-half).exp() * sum
    } else {
        let mut sum = 0.0;
        let mut term = x.sqrt();
        for k in 1..=(d - 1) / 2 {
            if k > 1 {
                term *= x / (2 * k - 1) as f64;
            }
            sum += term;
        }
        erfc(x.sqrt() / std::f64::consts::SQRT_2)
            + (2.0 / std::f64::consts::PI).sqrt() * (-half).exp() * sum
    }
}

/// The complementary error function, to a relative error below 1.2e-7 (the Chebyshev fit of
/// Numerical Recipes' `erfcc`): enough for a chance printed to a tenth of a percent.
fn erfc(z: f64) -> f64 {
    let a = z.abs();
    let t = 1.0 / (1.0 + 0.5 * a);
    let poly = -a * a - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if z >= 0.0 { r } else { 2.0 - r }
}

fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    if xs.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mean = xs.iter().sum::<f64>() / n;
    let sd = if xs.len() > 1 {
        (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    (mean, sd)
}

/// The exact median of `xs` (mean of the two middle values for an even count) and the
/// standard error of the median from the order statistics that bound its 95% distribution-free
/// interval, ranks n/2 ± 1.96 √n / 2, halved and divided by 1.96.
pub fn median_and_se(xs: &mut [f64]) -> (f64, f64) {
    let n = xs.len();
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    xs.sort_by(f64::total_cmp);
    let median = if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    };
    let half = Z95 * (n as f64).sqrt() / 2.0;
    let lo = ((n as f64 / 2.0 - half).floor().max(0.0)) as usize;
    let hi = ((n as f64 / 2.0 + half).ceil() as usize).min(n - 1);
    (median, (xs[hi] - xs[lo]) / (2.0 * Z95))
}

/// Spread across seeds of every outcome probability and every actor's final median.
/// `studies` are the same scenario under different seeds, each with its final table.
pub fn seed_spreads(sc: &Scenario, studies: &[BatchResult]) -> Result<Vec<SeedSpread>, SpoolError> {
    let mut tally = SeedTally::new(sc);
    for s in studies {
        tally.add(sc, s)?;
    }
    Ok(tally.spreads())
}

/// The figures of studies added one at a time. A report over many seeds keeps only this
/// (two numbers per figure and seed), so it never holds more than one study's final table,
/// which grows with the run count.
#[derive(Debug, Clone)]
pub struct SeedTally {
    figures: Vec<Tallied>,
}

#[derive(Debug, Clone)]
struct Tallied {
    name: String,
    figure: &'static str,
    values: Vec<f64>,
    /// A final median's standard error under each seed; empty for an outcome.
    ses: Vec<f64>,
    /// An outcome's hits and runs under each seed; empty for a final median.
    counts: Vec<(u64, u64)>,
}

impl SeedTally {
    /// An empty tally with one figure per outcome, then one per actor, in scenario order.
    pub fn new(sc: &Scenario) -> SeedTally {
        let figure = |name: &str, figure| Tallied {
            name: name.to_string(),
            figure,
            values: Vec::new(),
            ses: Vec::new(),
            counts: Vec::new(),
        };
        let outcomes = sc.outcomes.iter().map(|o| figure(&o.name, "outcome"));
        let actors = sc.actors.iter().map(|a| figure(&a.name, "final_median"));
        SeedTally {
            figures: outcomes.chain(actors).collect(),
        }
    }

    /// Adds the figures of one study of `sc` (under the next seed).
    /// The medians are taken one actor's column at a time, so a spooled table is never
    /// read into memory whole.
    pub fn add(&mut self, sc: &Scenario, study: &BatchResult) -> Result<(), SpoolError> {
        let runs = study.aggregates.runs();
        let medians: Vec<(f64, f64)> = (0..sc.n())
            .map(|i| {
                let mut column = match &study.final_table {
                    Some(table) => table.column(i)?,
                    None => Vec::new(),
                };
                Ok(median_and_se(&mut column))
            })
            .collect::<Result<_, SpoolError>>()?;
        self.add_figures(&study.aggregates.outcomes.hits, runs, &medians);
        Ok(())
    }

    /// Adds one study's figures: each outcome's hits out of `runs`, and each actor's final
    /// median with its standard error.
    fn add_figures(&mut self, hits: &[u64], runs: u64, medians: &[(f64, f64)]) {
        let k = hits.len();
        for (f, &h) in self.figures[..k].iter_mut().zip(hits) {
            f.values.push(h as f64 / runs as f64);
            f.counts.push((h, runs));
        }
        for (f, &(m, se)) in self.figures[k..].iter_mut().zip(medians) {
            f.values.push(m);
            f.ses.push(se);
        }
    }

    /// The spreads of the studies added so far.
    ///
    /// An outcome's claimed error is the binomial √(p(1 − p)/n) of each study at the rate p
    /// pooled over all of them, not at each study's own: a rare outcome (2 hits in 5,000
    /// runs) leaves most seeds with no hit and so with a claimed error of 0, which would
    /// make the seeds' spread look many times wider than claimed when it is just what that
    /// rate gives.
    pub fn spreads(&self) -> Vec<SeedSpread> {
        self.figures
            .iter()
            .map(|f| {
                let (mean, sd_between) = mean_sd(&f.values);
                let claimed_se = if f.counts.is_empty() {
                    mean_sd(&f.ses).0
                } else {
                    let hits: u64 = f.counts.iter().map(|c| c.0).sum();
                    let runs: u64 = f.counts.iter().map(|c| c.1).sum();
                    let p = hits as f64 / runs as f64;
                    let ses: Vec<f64> = f
                        .counts
                        .iter()
                        .map(|&(_, n)| (p * (1.0 - p) / n as f64).sqrt())
                        .collect();
                    mean_sd(&ses).0
                };
                SeedSpread {
                    name: f.name.clone(),
                    figure: f.figure,
                    values: f.values.clone(),
                    mean,
                    sd_between,
                    claimed_se,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_follow_the_ratio() {
        let spread = |sd_between, claimed_se| SeedSpread {
            name: "x".into(),
            figure: "outcome",
            values: Vec::new(),
            mean: 0.5,
            sd_between,
            claimed_se,
        };
        assert_eq!(spread(0.02, 0.01).verdict(), Verdict::Consistent);
        assert_eq!(spread(0.021, 0.01).verdict(), Verdict::WiderThanClaimed);
        assert_eq!(spread(0.0, 0.0).verdict(), Verdict::NoSpread);
        assert_eq!(spread(0.001, 0.0).verdict(), Verdict::WiderThanClaimed);
        assert!(spread(0.0, 0.0).ratio().is_nan());
        assert_eq!(spread(0.01, 0.02).ratio(), 0.5);
    }

    #[test]
    fn a_rare_outcome_is_judged_at_the_rate_of_all_seeds() {
        // 2 hits in 5,000 runs, all under one of five seeds of 1,000 runs: four seeds alone
        // would claim an error of 0.
        let mut tally = SeedTally {
            figures: vec![Tallied {
                name: "rare".into(),
                figure: "outcome",
                values: Vec::new(),
                ses: Vec::new(),
                counts: Vec::new(),
            }],
        };
        for hits in [0, 2, 0, 0, 0] {
            tally.add_figures(&[hits], 1000, &[]);
        }
        let s = &tally.spreads()[0];
        let p: f64 = 2.0 / 5000.0;
        assert!((s.claimed_se - (p * (1.0 - p) / 1000.0).sqrt()).abs() < 1e-15);
        assert_eq!(s.verdict(), Verdict::Consistent, "ratio {}", s.ratio());
        // No hit under any seed: nothing to spread, nothing claimed.
        let mut none = tally.clone();
        none.figures[0].values.clear();
        none.figures[0].counts.clear();
        for _ in 0..3 {
            none.add_figures(&[0], 1000, &[]);
        }
        assert_eq!(none.spreads()[0].verdict(), Verdict::NoSpread);
    }

    #[test]
    fn the_chance_of_a_ratio_above_2_is_that_of_the_chi_square_law() {
        // The figures the documentation quotes, and χ²(3) > 12 = 0.00738 from tables.
        for (seeds, chance) in [(2, 0.0455), (3, 0.0183), (4, 0.00738), (5, 0.00302)] {
            let got = chance_of_ratio_above(CONSISTENT_RATIO, seeds);
            assert!((got - chance).abs() < 5e-5, "{seeds} seeds: {got}");
        }
        assert!(chance_of_ratio_above(2.0, 1).is_nan());
        assert!(chance_of_ratio_above(2.0, 20) < 1e-6);
        assert!((erfc(0.0) - 1.0).abs() < 1e-7 && (erfc(-1.0) - 1.842_700_79).abs() < 1e-6);
    }

    #[test]
    fn median_se_of_a_uniform_sample_is_close_to_theory() {
        // Uniform on [0, 1]: density 1, so SE(median) = 1 / (2 √n).
        let n = 10_001;
        let mut xs: Vec<f64> = (0..n).map(|i| ((i * 7919) % n) as f64 / n as f64).collect();
        let (m, se) = median_and_se(&mut xs);
        assert!((m - 0.5).abs() < 1e-3);
        let theory = 1.0 / (2.0 * (n as f64).sqrt());
        assert!((se / theory - 1.0).abs() < 0.05, "{se} vs {theory}");
    }
}
