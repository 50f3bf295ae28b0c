//! Agreement between studies run under different master seeds.
//!
//! A single study reports a Monte Carlo standard error for each figure. Running the same
//! study under several seeds shows the actual spread between studies; when the two agree,
//! the run count is enough for the figures the user reads, and when the spread is larger,
//! it is not.

use super::stats::Z95;
use crate::montecarlo::BatchResult;
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
    /// The standard error a single study claims for the figure, averaged over the seeds.
    pub claimed_se: f64,
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
pub fn seed_spreads(sc: &Scenario, studies: &[BatchResult]) -> Vec<SeedSpread> {
    let n = sc.n();
    let mut out = Vec::new();
    for (o, outcome) in sc.outcomes.iter().enumerate() {
        let mut values = Vec::new();
        let mut ses = Vec::new();
        for s in studies {
            let runs = s.aggregates.runs() as f64;
            let p = s.aggregates.outcome_hits[o] as f64 / runs;
            values.push(p);
            ses.push((p * (1.0 - p) / runs).sqrt());
        }
        let (mean, sd_between) = mean_sd(&values);
        out.push(SeedSpread {
            name: outcome.name.clone(),
            figure: "outcome",
            values,
            mean,
            sd_between,
            claimed_se: mean_sd(&ses).0,
        });
    }
    for (i, actor) in sc.actors.iter().enumerate() {
        let mut values = Vec::new();
        let mut ses = Vec::new();
        for s in studies {
            let mut column: Vec<f64> = s
                .final_alignment
                .iter()
                .skip(i)
                .step_by(n)
                .copied()
                .collect();
            let (m, se) = median_and_se(&mut column);
            values.push(m);
            ses.push(se);
        }
        let (mean, sd_between) = mean_sd(&values);
        out.push(SeedSpread {
            name: actor.name.clone(),
            figure: "final_median",
            values,
            mean,
            sd_between,
            claimed_se: mean_sd(&ses).0,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
