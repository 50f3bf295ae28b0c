//! "Did you mean" suggestions: the known name closest to a misspelled one.

/// The candidate closest to `word`, if it is close enough to be a likely misspelling: within
/// a third of the word's length (at least 1), comparing without case. A candidate equal to
/// `word` is not a suggestion. Ties go to the candidate of the closest length (`=>` suggests
/// `>=`, not `>`), then to the first.
pub(crate) fn suggest<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let len = word.chars().count();
    let limit = (len.max(3) / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != word)
        .map(|c| (edit_distance(word, c), c.chars().count().abs_diff(len), c))
        .filter(|(d, _, _)| *d <= limit)
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
