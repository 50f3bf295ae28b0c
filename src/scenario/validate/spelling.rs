//! "Did you mean" suggestions: the known name closest to a misspelled one.

/// The most cells of distance tables one suggestion fills, about 10 ms of work: far beyond
/// a real scenario (a thousand names of 20 characters fill half a million), while a hostile
/// one (thousands of names of 200 characters) gets a suggestion from the first candidates
/// only, instead of seconds of comparing per unknown name.
pub(super) const BUDGET: usize = 1 << 22;

/// The candidate closest to `word`, if it is close enough to be a likely misspelling: within
/// a third of the word's length (at least 1), comparing without case. A candidate equal to
/// `word` is not a suggestion. Ties go to the candidate of the closest length (`=>` suggests
/// `>=`, not `>`), then to the first.
pub(crate) fn suggest<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let mut budget = BUDGET;
    suggest_within(word, candidates, &mut budget)
}

/// [`suggest`], filling at most `budget` cells of distance tables and taking them off it, so
/// that a caller making many suggestions can bound them all together.
pub(super) fn suggest_within<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
    budget: &mut usize,
) -> Option<&'c str> {
    let len = word.chars().count();
    let limit = (len.max(3) / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != word)
        .filter_map(|c| {
            let gap = c.chars().count().abs_diff(len);
            // The distance is at least the difference in length: no need to compute it.
            if gap > limit {
                return None;
            }
            let cells = (len + 1).saturating_mul(len + gap + 1);
            if cells > *budget {
                *budget = 0;
                return None;
            }
            *budget -= cells;
            let distance = edit_distance(word, c);
            (distance <= limit).then_some((distance, gap, c))
        })
        .min_by_key(|(d, gap, _)| (*d, *gap))
        .map(|(_, _, c)| c)
}

/// Optimal-string-alignment distance, case-insensitive: Levenshtein plus transposition of
/// neighbours, the commonest typing slip.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Op;

    #[test]
    fn suggestions_stay_cheap_among_many_long_names() {
        let names: Vec<String> = (0..5000)
            .map(|i| format!("{i:04}{}", "x".repeat(196)))
            .collect();
        let all = || names.iter().map(String::as_str);
        assert_eq!(
            suggest(&names[7].replace("0007", "0o07"), all()),
            Some(names[7].as_str())
        );
        // Only the first hundred or so are compared within the budget: the exact match far
        // down the list is not reached, a close one among the first is suggested instead.
        let typo = names[4999].replace("4999", "4o99");
        let found = suggest(&typo, all()).expect("a close name among the first");
        assert!(found < "0110", "{}", &found[..4]);
        // A word far longer than every candidate is compared with none.
        let long = "y".repeat(1 << 20);
        assert_eq!(suggest(&long, all()), None);
        let mut budget = BUDGET;
        assert_eq!(suggest_within(&long, all(), &mut budget), None);
        assert_eq!(budget, BUDGET);
    }

    #[test]
    fn suggestions_tolerate_case_and_transposed_letters() {
        let actors = ["Armenia", "Azerbaijan", "Georgia"];
        assert_eq!(suggest("Azerbaijn", actors), Some("Azerbaijan"));
        assert_eq!(suggest("armenia", actors), Some("Armenia"));
        assert_eq!(suggest("Geogria", actors), Some("Georgia"));
        assert_eq!(suggest("Iran", actors), None);
        assert_eq!(suggest("=>", Op::NAMES), Some(">="));
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
