//! Scenario discovery by PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999):
//! the box in input space where an outcome holds far more often than overall.
//!
//! **Data.** Column-major: `columns[j][r]` is the value of input j in run r, and `outcome[r]`
//! whether the outcome held in run r. Columns are what a study keeps per input, and peeling
//! reads one input over all the runs of the box at a time.
//!
//! **Peeling.** The box starts as every run, no input restricted. At each step, for every
//! input and both ends, the candidate peel removes the share α (default 0.05) of the runs
//! still in the box with the lowest (or highest) values of that input: with n runs in the box
//! and k = max(1, ⌊αn⌋), the new lower limit is the (k + 1)-th smallest value and every run
//! below it leaves (symmetrically for the upper limit). Ties make the cut land on a value, so
//! a peel may remove fewer than k runs (those strictly beyond the cut) or, when the k + 1
//! lowest values are all equal, every run at the lowest value at once; an input with a single
//! value in the box cannot be peeled. A peel that would leave fewer runs than the minimum mass
//! (default 0.05 of all runs) is not considered. Of the others, the one that leaves the box
//! with the highest density (share of its runs where the outcome holds) is kept, provided it
//! raises the density; ties go to the lower input index, then to the low end. Peeling stops
//! when no peel raises the density. Densities are compared as exact fractions, so the
//! trajectory does not depend on rounding.
//!
//! **Boxes.** Every box on the trajectory is reported, the full one first, with coverage (the
//! share of all runs where the outcome holds that fall in the box; 0 if it never holds),
//! density, mass (the share of all runs in the box) and the limits of each input. Limits are
//! inclusive and are values taken by runs: a run is in the box exactly when every input lies
//! within its limits. Friedman & Fisher's pasting and covering steps are not done here.
//!
//! **Choosing a box** ([`choose_box`]): the box of highest density among those whose coverage
//! is at least a floor (default 0.5), the earliest (largest) one on ties. Coverage falls and
//! density rises along the trajectory, so this is the sharpest box that still explains at least
//! half of the cases. The full box always qualifies when the outcome holds at least once, so a
//! box is chosen unless the outcome never holds.

use super::{SensitivityError, check_finite};

/// Share of the box's runs removed by one peel unless the caller asks otherwise: Friedman &
/// Fisher's "patient" value, small enough that an early peel does not shut out a later,
/// better one.
pub const DEFAULT_ALPHA: f64 = 0.05;

/// Share of all runs below which a box is not peeled, unless the caller asks otherwise.
pub const DEFAULT_MIN_MASS: f64 = 0.05;

/// Coverage floor of [`choose_box`] unless the caller asks otherwise.
pub const DEFAULT_MIN_COVERAGE: f64 = 0.5;

/// The parameters of peeling.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrimOptions {
    /// Share of the box's runs removed by one peel, in (0, 1).
    pub alpha: f64,
    /// Share of all runs that a box must keep, in [0, 1].
    pub min_mass: f64,
}

impl Default for PrimOptions {
    fn default() -> PrimOptions {
        PrimOptions {
            alpha: DEFAULT_ALPHA,
            min_mass: DEFAULT_MIN_MASS,
        }
    }
}

/// The limits of one input in a box, inclusive; `None` where that end was never peeled.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct InputLimits {
    pub low: Option<f64>,
    pub high: Option<f64>,
}

impl InputLimits {
    /// Whether either end was peeled.
    pub fn is_restricted(&self) -> bool {
        self.low.is_some() || self.high.is_some()
    }

    /// Whether `x` lies within the limits.
    pub fn contains(&self, x: f64) -> bool {
        self.low.is_none_or(|l| x >= l) && self.high.is_none_or(|h| x <= h)
    }
}

/// One box of a peeling trajectory.
#[derive(Debug, Clone, PartialEq)]
pub struct PrimBox {
    /// Runs in the box.
    pub runs: usize,
    /// Runs in the box where the outcome holds.
    pub hits: usize,
    /// hits / all runs where the outcome holds (0 if it never holds).
    pub coverage: f64,
    /// hits / runs.
    pub density: f64,
    /// runs / all runs.
    pub mass: f64,
    /// The limits of each input, in input order.
    pub limits: Vec<InputLimits>,
}

impl PrimBox {
    /// Whether a run with these input values (one per input) lies in the box.
    pub fn contains(&self, inputs: &[f64]) -> bool {
        inputs.len() == self.limits.len()
            && self.limits.iter().zip(inputs).all(|(l, &x)| l.contains(x))
    }

    /// The inputs with at least one end peeled, in input order.
    pub fn restricted_inputs(&self) -> Vec<usize> {
        (0..self.limits.len())
            .filter(|&j| self.limits[j].is_restricted())
            .collect()
    }
}

/// Which end of an input a peel cuts.
#[derive(Debug, Clone, Copy, PartialEq)]
enum End {
    Low,
    High,
}

/// A candidate peel: the new limit and what the box would keep.
#[derive(Debug, Clone, Copy)]
struct Peel {
    input: usize,
    end: End,
    limit: f64,
    runs: usize,
    hits: usize,
}

/// The peeling trajectory of PRIM over `columns` (one per input, one value per run) and the
/// 0/1 `outcome` of each run, from the full box to the last peel.
pub fn prim<C: AsRef<[f64]>>(
    columns: &[C],
    outcome: &[bool],
    options: &PrimOptions,
) -> Result<Vec<PrimBox>, SensitivityError> {
    let n = outcome.len();
    if n == 0 {
        return Err(SensitivityError::InvalidParameter {
            name: "runs",
            value: "0".into(),
            expected: "at least one run",
        });
    }
    if !(options.alpha > 0.0 && options.alpha < 1.0) {
        return Err(SensitivityError::InvalidParameter {
            name: "peeling share alpha",
            value: options.alpha.to_string(),
            expected: "strictly between 0 and 1",
        });
    }
    if !(0.0..=1.0).contains(&options.min_mass) {
        return Err(SensitivityError::InvalidParameter {
            name: "minimum box mass",
            value: options.min_mass.to_string(),
            expected: "between 0 and 1",
        });
    }
    let columns: Vec<&[f64]> = columns.iter().map(AsRef::as_ref).collect();
    for column in &columns {
        if column.len() != n {
            return Err(SensitivityError::LengthMismatch {
                what: "an input column of PRIM",
                expected: n,
                found: column.len(),
            });
        }
        check_finite("an input column of PRIM", column)?;
    }

    let total_hits = outcome.iter().filter(|&&o| o).count();
    // The fewest runs a box may keep; the relative slack keeps a product such as
    // 0.05 · 4000 = 200.00000000000003 from asking for 201.
    let min_runs = ((options.min_mass * n as f64) * (1.0 - 1e-12))
        .ceil()
        .max(1.0) as usize;
    let record = |runs: usize, hits: usize, limits: &[InputLimits]| PrimBox {
        runs,
        hits,
        coverage: if total_hits == 0 {
            0.0
        } else {
            hits as f64 / total_hits as f64
        },
        density: hits as f64 / runs as f64,
        mass: runs as f64 / n as f64,
        limits: limits.to_vec(),
    };

    let mut limits = vec![InputLimits::default(); columns.len()];
    let mut members: Vec<usize> = (0..n).collect();
    let mut hits = total_hits;
    let mut boxes = vec![record(n, hits, &limits)];
    let mut sorted: Vec<(f64, bool)> = Vec::with_capacity(n);

    loop {
        let mut best: Option<Peel> = None;
        for (j, column) in columns.iter().enumerate() {
            sorted.clear();
            sorted.extend(members.iter().map(|&r| (column[r], outcome[r])));
            sorted.sort_unstable_by(|x, y| x.0.total_cmp(&y.0));
            for peel in candidate_peels(j, &sorted, options.alpha, hits) {
                let eligible =
                    peel.runs >= min_runs && denser(peel.hits, peel.runs, hits, members.len());
                let better = best.is_none_or(|b| denser(peel.hits, peel.runs, b.hits, b.runs));
                if eligible && better {
                    best = Some(peel);
                }
            }
        }
        let Some(peel) = best else { break };
        let column = columns[peel.input];
        match peel.end {
            End::Low => {
                limits[peel.input].low = Some(peel.limit);
                members.retain(|&r| column[r] >= peel.limit);
            }
            End::High => {
                limits[peel.input].high = Some(peel.limit);
                members.retain(|&r| column[r] <= peel.limit);
            }
        }
        hits = peel.hits;
        debug_assert_eq!(members.len(), peel.runs);
        boxes.push(record(members.len(), hits, &limits));
    }
    Ok(boxes)
}

/// The low and high peels of input `input` over the box's values `sorted` (ascending, with
/// each run's outcome), of which `hits` hold the outcome. An end that cannot be peeled (a
/// single value left, or a box of one run) gives no candidate.
fn candidate_peels(input: usize, sorted: &[(f64, bool)], alpha: f64, hits: usize) -> Vec<Peel> {
    let n = sorted.len();
    let k = ((alpha * n as f64).floor() as usize).max(1);
    if k >= n {
        return Vec::new();
    }
    let value = |i: usize| sorted[i].0;
    let hits_in = |range: &[(f64, bool)]| range.iter().filter(|x| x.1).count();
    let mut peels = Vec::with_capacity(2);

    // Low end: keep values ≥ the (k + 1)-th smallest, or ≥ the next value above the minimum
    // if that one equals the minimum.
    let mut low = value(k);
    if low == value(0) {
        let above = sorted.partition_point(|x| x.0 <= value(0));
        low = if above < n { value(above) } else { f64::NAN };
    }
    if !low.is_nan() {
        let removed = sorted.partition_point(|x| x.0 < low);
        peels.push(Peel {
            input,
            end: End::Low,
            limit: low,
            runs: n - removed,
            hits: hits - hits_in(&sorted[..removed]),
        });
    }

    // High end, symmetrically.
    let mut high = value(n - 1 - k);
    if high == value(n - 1) {
        let below = sorted.partition_point(|x| x.0 < value(n - 1));
        high = if below > 0 {
            value(below - 1)
        } else {
            f64::NAN
        };
    }
    if !high.is_nan() {
        let kept = sorted.partition_point(|x| x.0 <= high);
        peels.push(Peel {
            input,
            end: End::High,
            limit: high,
            runs: kept,
            hits: hits - hits_in(&sorted[kept..]),
        });
    }
    peels
}

/// Whether hits_a / runs_a > hits_b / runs_b, compared exactly.
fn denser(hits_a: usize, runs_a: usize, hits_b: usize, runs_b: usize) -> bool {
    (hits_a as u128) * (runs_b as u128) > (hits_b as u128) * (runs_a as u128)
}

/// The index in `boxes` of the box of highest density among those whose coverage is at least
/// `min_coverage` ([`DEFAULT_MIN_COVERAGE`] is usual), the earliest on ties; `None` when no
/// box qualifies (the outcome never holds, or the floor is above 1).
pub fn choose_box(boxes: &[PrimBox], min_coverage: f64) -> Option<usize> {
    let mut chosen: Option<usize> = None;
    for (i, b) in boxes.iter().enumerate() {
        if b.hits == 0 || b.coverage < min_coverage {
            continue;
        }
        if chosen.is_none_or(|c| denser(b.hits, b.runs, boxes[c].hits, boxes[c].runs)) {
            chosen = Some(i);
        }
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// `dims` columns of `n` uniform values on [0, 1).
    fn uniform_columns(n: usize, dims: usize, seed: u64) -> Vec<Vec<f64>> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..dims)
            .map(|_| (0..n).map(|_| rng.random::<f64>()).collect())
            .collect()
    }

    fn outcome(columns: &[Vec<f64>], f: impl Fn(&[f64]) -> bool) -> Vec<bool> {
        (0..columns[0].len())
            .map(|r| f(&columns.iter().map(|c| c[r]).collect::<Vec<_>>()))
            .collect()
    }

    /// Whether input j is left (nearly) free: unrestricted, or restricted to at least 90% of
    /// [0, 1].
    fn nearly_free(limits: &InputLimits) -> bool {
        limits.high.unwrap_or(1.0) - limits.low.unwrap_or(0.0) >= 0.9
    }

    #[test]
    fn finds_a_single_threshold() {
        let columns = uniform_columns(4000, 3, 1);
        let hit = outcome(&columns, |x| x[0] > 0.6);
        let boxes = prim(&columns, &hit, &PrimOptions::default()).unwrap();
        let chosen = &boxes[choose_box(&boxes, DEFAULT_MIN_COVERAGE).unwrap()];
        let low = chosen.limits[0].low.unwrap();
        // Within one peel of the threshold: the last peels remove 5% of about 0.42 of the runs,
        // i.e. about 0.021 of input 0's range.
        assert!(low > 0.6 && low < 0.63, "{chosen:?}");
        assert_eq!(
            chosen.limits[0].high, None,
            "a high peel of input 0 only removes hits"
        );
        assert_eq!(chosen.density, 1.0);
        assert!(chosen.coverage > 0.9, "{chosen:?}");
        assert!(
            nearly_free(&chosen.limits[1]) && nearly_free(&chosen.limits[2]),
            "{chosen:?}"
        );
    }

    #[test]
    fn finds_two_thresholds() {
        let columns = uniform_columns(5000, 4, 2);
        let hit = outcome(&columns, |x| x[0] > 0.5 && x[1] < 0.3);
        let boxes = prim(&columns, &hit, &PrimOptions::default()).unwrap();
        let chosen = &boxes[choose_box(&boxes, DEFAULT_MIN_COVERAGE).unwrap()];
        let low = chosen.limits[0].low.unwrap();
        let high = chosen.limits[1].high.unwrap();
        assert!((low - 0.5).abs() < 0.05, "{chosen:?}");
        assert!((high - 0.3).abs() < 0.05, "{chosen:?}");
        assert!(chosen.density > 0.95, "{chosen:?}");
        assert!(chosen.coverage >= 0.5, "{chosen:?}");
        assert!(
            nearly_free(&chosen.limits[2]) && nearly_free(&chosen.limits[3]),
            "{chosen:?}"
        );
    }

    #[test]
    fn box_figures_agree_with_a_direct_count() {
        let columns = uniform_columns(3000, 3, 3);
        let hit = outcome(&columns, |x| x[0] + x[1] > 1.2 || x[2] < 0.1);
        let boxes = prim(&columns, &hit, &PrimOptions::default()).unwrap();
        assert!(boxes.len() > 5);
        let total_hits = hit.iter().filter(|&&h| h).count();
        for (i, b) in boxes.iter().enumerate() {
            let inside: Vec<usize> = (0..3000)
                .filter(|&r| b.contains(&[columns[0][r], columns[1][r], columns[2][r]]))
                .collect();
            let hits = inside.iter().filter(|&&r| hit[r]).count();
            assert_eq!(b.runs, inside.len(), "box {i}");
            assert_eq!(b.hits, hits, "box {i}");
            assert_eq!(b.mass, inside.len() as f64 / 3000.0, "box {i}");
            assert_eq!(b.density, hits as f64 / inside.len() as f64, "box {i}");
            assert_eq!(b.coverage, hits as f64 / total_hits as f64, "box {i}");
            assert!(b.mass >= 0.05, "box {i}");
        }
        // Density rises at every peel.
        for w in boxes.windows(2) {
            assert!(w[1].density > w[0].density);
        }
    }

    #[test]
    fn each_peel_removes_alpha_of_the_remaining_runs() {
        // Distinct values: the first peels remove ⌊0.05 n⌋ runs of the n still in the box.
        let columns = uniform_columns(4000, 2, 4);
        let hit = outcome(&columns, |x| x[0] > 0.6);
        let boxes = prim(&columns, &hit, &PrimOptions::default()).unwrap();
        assert_eq!(boxes[0].runs, 4000);
        assert_eq!(boxes[1].runs, 3800);
        assert_eq!(boxes[2].runs, 3610);
        assert_eq!(boxes[3].runs, 3610 - 180);
        assert!(!boxes[0].limits[0].is_restricted());
        assert!(boxes[1].limits[0].low.is_some());
    }

    #[test]
    fn ties_remove_whole_values_and_never_everything() {
        // A two-level input: the low peel has to take all the zeros at once.
        let x: Vec<f64> = (0..100).map(|r| f64::from(u8::from(r % 2 == 1))).collect();
        let hit: Vec<bool> = x.iter().map(|&v| v == 1.0).collect();
        let boxes = prim(&[x], &hit, &PrimOptions::default()).unwrap();
        assert_eq!(boxes.len(), 2);
        assert_eq!(boxes[1].runs, 50);
        assert_eq!(boxes[1].density, 1.0);
        assert_eq!(boxes[1].limits[0].low, Some(1.0));
        // A constant input cannot be peeled at all.
        let flat = vec![0.5; 100];
        let boxes = prim(&[flat], &hit, &PrimOptions::default()).unwrap();
        assert_eq!(boxes.len(), 1);
    }

    #[test]
    fn ties_between_peels_go_to_the_first_input() {
        // Input 1 is a copy of input 0: every peel of one has a twin of equal density in the
        // other, and the first input must get them all.
        let mut columns = uniform_columns(2000, 1, 5);
        columns.push(columns[0].clone());
        let hit = outcome(&columns, |x| x[0] > 0.7);
        let boxes = prim(&columns, &hit, &PrimOptions::default()).unwrap();
        assert!(boxes.len() > 3);
        for b in &boxes {
            assert!(!b.limits[1].is_restricted(), "{b:?}");
        }
        assert_eq!(
            boxes,
            prim(&columns, &hit, &PrimOptions::default()).unwrap()
        );
    }

    #[test]
    fn minimum_mass_stops_the_peeling() {
        // A rare outcome (3% of runs) cannot be isolated below 10% mass.
        let columns = uniform_columns(2000, 2, 6);
        let hit = outcome(&columns, |x| x[0] > 0.97);
        let options = PrimOptions {
            min_mass: 0.1,
            ..PrimOptions::default()
        };
        let boxes = prim(&columns, &hit, &options).unwrap();
        assert!(boxes.iter().all(|b| b.runs >= 200));
        assert!(
            boxes.last().unwrap().runs < 200 * 100 / 95 + 1,
            "peeled to the limit"
        );
    }

    #[test]
    fn choice_rule_takes_the_densest_box_above_the_coverage_floor() {
        let make = |runs: usize, hits: usize| PrimBox {
            runs,
            hits,
            coverage: hits as f64 / 100.0,
            density: hits as f64 / runs as f64,
            mass: runs as f64 / 1000.0,
            limits: Vec::new(),
        };
        // Densities 0.1, 0.3, 0.45, 0.45, 0.8; coverages 1, 0.9, 0.9, 0.9, 0.4.
        let boxes = [
            make(1000, 100),
            make(300, 90),
            make(200, 90),
            make(200, 90),
            make(50, 40),
        ];
        assert_eq!(
            choose_box(&boxes, 0.5),
            Some(2),
            "highest density, earliest on ties"
        );
        assert_eq!(choose_box(&boxes, 0.3), Some(4));
        assert_eq!(choose_box(&boxes, 1.0), Some(0));
        assert_eq!(choose_box(&boxes, 1.1), None);
        // An outcome that never holds: one box, nothing chosen.
        let columns = uniform_columns(100, 2, 7);
        let boxes = prim(&columns, &[false; 100], &PrimOptions::default()).unwrap();
        assert_eq!(boxes.len(), 1);
        assert_eq!(boxes[0].coverage, 0.0);
        assert_eq!(choose_box(&boxes, DEFAULT_MIN_COVERAGE), None);
    }

    #[test]
    fn bad_inputs_are_errors() {
        let ok = PrimOptions::default();
        assert!(prim::<Vec<f64>>(&[], &[], &ok).is_err());
        assert!(prim(&[vec![0.0; 3]], &[true; 4], &ok).is_err());
        assert!(prim(&[vec![0.0, f64::NAN]], &[true, false], &ok).is_err());
        for alpha in [0.0, 1.0, f64::NAN] {
            let options = PrimOptions { alpha, ..ok };
            assert!(prim(&[vec![0.0; 2]], &[true, false], &options).is_err());
        }
        let options = PrimOptions {
            min_mass: 1.5,
            ..ok
        };
        assert!(prim(&[vec![0.0; 2]], &[true, false], &options).is_err());
    }
}
