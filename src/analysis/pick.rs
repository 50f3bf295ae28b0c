//! Choosing a representative run from a study's final table.

/// Which run to pick for an actor's final alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    /// The run closest to the median.
    Median,
    Min,
    Max,
}

/// The run (index into the table, 0-based) whose final alignment of `actor` is the smallest,
/// the largest, or the closest to the median; ties go to the lowest run index, so the choice
/// is reproducible. `finals` is the final table, `n` values per run.
pub fn pick_run(finals: &[f64], n: usize, actor: usize, pick: Pick) -> Option<(usize, f64)> {
    let column: Vec<f64> = finals
        .iter()
        .skip(actor)
        .step_by(n.max(1))
        .copied()
        .collect();
    if column.is_empty() {
        return None;
    }
    let target = match pick {
        Pick::Min => column.iter().copied().fold(f64::INFINITY, f64::min),
        Pick::Max => column.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        Pick::Median => {
            let mut sorted = column.clone();
            sorted.sort_by(f64::total_cmp);
            let k = sorted.len();
            if k % 2 == 1 {
                sorted[k / 2]
            } else {
                (sorted[k / 2 - 1] + sorted[k / 2]) / 2.0
            }
        }
    };
    let mut best: Option<(usize, f64)> = None;
    for (r, &x) in column.iter().enumerate() {
        let d = (x - target).abs();
        if best.is_none_or(|(b, _)| d < (column[b] - target).abs()) {
            best = Some((r, x));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_extremes_and_the_run_nearest_the_median() {
        // Two actors; actor 1's finals are 0.5, -0.2, 0.9, 0.1, 0.3 -> median 0.3 (run 4).
        let finals = [0.0, 0.5, 0.0, -0.2, 0.0, 0.9, 0.0, 0.1, 0.0, 0.3];
        assert_eq!(pick_run(&finals, 2, 1, Pick::Min), Some((1, -0.2)));
        assert_eq!(pick_run(&finals, 2, 1, Pick::Max), Some((2, 0.9)));
        assert_eq!(pick_run(&finals, 2, 1, Pick::Median), Some((4, 0.3)));
        // Ties go to the lowest run.
        assert_eq!(pick_run(&finals, 2, 0, Pick::Median), Some((0, 0.0)));
        assert_eq!(pick_run(&[], 2, 0, Pick::Max), None);
    }
}
