//! `blocs.csv` and `blocs_splits.csv`: the two-bloc split each run of a study ends in
//! (MODEL.md "Analysis"), by pair and by split.
//!
//! `blocs.csv` has one row per unordered pair of actors, in scenario order (`a` before `b`):
//! the share of runs in which the two end in the same bloc. `blocs_splits.csv` has one row
//! per split seen, the most frequent first (ties in the order of the split's bits): its
//! text, each bloc's members in scenario order joined by `;`, the bloc of the first actor
//! first, the two blocs separated by ` | `; and its share of runs.

use super::error::ReadError;
use super::table::{Fields, TableFormat};
use crate::output::csv::Row;

pub const PAIRS_FILE: &str = "blocs.csv";
pub const SPLITS_FILE: &str = "blocs_splits.csv";

/// The text between the two blocs of a split.
pub const BLOC_SEPARATOR: &str = " | ";

/// The format of [`PAIRS_FILE`].
pub struct BlocPairs;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlocPairRecord<'a> {
    pub a: &'a str,
    pub b: &'a str,
    pub p_same_bloc: f64,
}

impl TableFormat for BlocPairs {
    const HEADER: &'static [&'static str] = &["a", "b", "p_same_bloc"];
    type Record<'a> = BlocPairRecord<'a>;

    fn write(r: &BlocPairRecord<'_>, row: Row<'_>) {
        row.text(r.a).text(r.b).num(r.p_same_bloc);
    }

    fn read<'a>(f: &mut Fields<'a>) -> Result<BlocPairRecord<'a>, ReadError> {
        Ok(BlocPairRecord {
            a: f.text(),
            b: f.text(),
            p_same_bloc: f.number()?,
        })
    }
}

/// The format of [`SPLITS_FILE`].
pub struct BlocSplits;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlocSplitRecord<'a> {
    pub split: &'a str,
    pub share: f64,
}

impl TableFormat for BlocSplits {
    const HEADER: &'static [&'static str] = &["split", "share"];
    type Record<'a> = BlocSplitRecord<'a>;

    fn write(r: &BlocSplitRecord<'_>, row: Row<'_>) {
        row.text(r.split).num(r.share);
    }

    fn read<'a>(f: &mut Fields<'a>) -> Result<BlocSplitRecord<'a>, ReadError> {
        Ok(BlocSplitRecord {
            split: f.text(),
            share: f.number()?,
        })
    }
}

/// The text of a split from its two blocs' member lists (see the module's description).
pub fn split_text(first: &str, second: &str) -> String {
    format!("{first}{BLOC_SEPARATOR}{second}")
        .trim_end()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::schema::table::tests::round_trip;

    #[test]
    fn records_come_back_as_written() {
        let pairs = [BlocPairRecord {
            a: "Iran",
            b: "Armenia",
            p_same_bloc: 0.875,
        }];
        let text = round_trip::<BlocPairs>(&pairs, |k, got| assert_eq!(*got, pairs[k]));
        assert_eq!(text, "a,b,p_same_bloc\nIran,Armenia,0.875000\n");
        let splits = [BlocSplitRecord {
            split: "Iran;Armenia | Israel",
            share: 0.5,
        }];
        let text = round_trip::<BlocSplits>(&splits, |k, got| assert_eq!(*got, splits[k]));
        assert_eq!(text, "split,share\nIran;Armenia | Israel,0.500000\n");
    }

    #[test]
    fn one_bloc_is_written_without_a_trailing_separator_space() {
        assert_eq!(split_text("A;B", ""), "A;B |");
        assert_eq!(split_text("A", "B;C"), "A | B;C");
    }
}
