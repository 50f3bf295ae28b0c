//! Checks of single values shared by every table: numbers (plain or distributions) within
//! bounds, whole numbers, names from a fixed list, references to actors, and names safe to
//! print.

use std::ops::Range;

use toml::Spanned;

use super::inputs::Slot;
use super::spelling::{suggest, suggest_within};
use super::{Checker, Names};
use crate::scenario::raw::{Fixed, Integer, Number, RawQuantity, Text};

/// The allowed values of a number, and how a message says them.
#[derive(Clone, Copy)]
pub(super) enum Bound {
    /// Any finite number.
    Finite,
    /// At least this.
    AtLeast(f64),
    /// Within this closed interval.
    Within(f64, f64),
}

impl Bound {
    pub(super) const UNIT: Bound = Bound::Within(0.0, 1.0);
    pub(super) const SIGNED_UNIT: Bound = Bound::Within(-1.0, 1.0);
    pub(super) const NON_NEGATIVE: Bound = Bound::AtLeast(0.0);

    pub(super) fn admits(self, x: f64) -> bool {
        match self {
            Bound::Finite => true,
            Bound::AtLeast(lo) => x >= lo,
            Bound::Within(lo, hi) => (lo..=hi).contains(&x),
        }
    }

    pub(super) fn describe(self) -> String {
        match self {
            Bound::Finite => "a finite number".into(),
            Bound::AtLeast(lo) => format!("≥ {lo}"),
            Bound::Within(lo, hi) => format!("in [{lo}, {hi}]"),
        }
    }
}

/// The longest name (of the scenario, an actor, an event, an outcome), in characters. Names
/// are printed in tables and drawn in charts; one of thousands of characters serves no
/// reader and costs time in every layout and every "did you mean" comparison.
pub(crate) const MAX_NAME_CHARS: usize = 200;

/// Characters a name must not hold: control characters (among them ESC, which starts a
/// terminal escape sequence, and newlines, which forge lines in tables and messages) and the
/// Unicode bidirectional overrides, which make a name print as another.
fn hostile(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

impl Checker<'_> {
    /// One of a few words: `value` must be one of `words`' names; a misspelling gets the
    /// nearest as a hint. `None` when it is not (the error is recorded).
    pub(super) fn word<T: Copy>(
        &mut self,
        key: &str,
        value: &Text,
        words: &[(&str, T)],
    ) -> Option<T> {
        let given = value.get_ref();
        if let Some((_, w)) = words.iter().find(|(name, _)| name == given) {
            return Some(*w);
        }
        let names: Vec<String> = words.iter().map(|(n, _)| format!("{n:?}")).collect();
        let help =
            suggest(given, words.iter().map(|(n, _)| *n)).map(|s| format!("did you mean {s:?}?"));
        self.push(
            value.span(),
            format!("unknown `{key}` {given:?}, expected {}", names.join(" or ")),
            "not a known value",
            help,
        );
        None
    }

    /// Whether `value`, the text of `what` ("an actor's name"), may be printed and drawn as
    /// it is: no control character, no bidirectional override, at most [`MAX_NAME_CHARS`]
    /// characters. Otherwise the problem is reported at the value.
    pub(super) fn printable(&mut self, what: &str, value: &Text) -> bool {
        let text = value.get_ref();
        if let Some((at, c)) = text.chars().enumerate().find(|(_, c)| hostile(*c)) {
            self.push(
                value.span(),
                format!(
                    "{what} must not contain control characters; found U+{:04X} at character {}",
                    u32::from(c),
                    at + 1
                ),
                "control character",
                Some("names are printed on terminals and drawn in charts as written".into()),
            );
            return false;
        }
        let chars = text.chars().count();
        if chars > MAX_NAME_CHARS {
            self.push(
                value.span(),
                format!("{what} is {chars} characters long; at most {MAX_NAME_CHARS} are allowed"),
                "too long",
                None,
            );
            return false;
        }
        true
    }

    /// A number as written, or the nominal value of a distribution written in its place
    /// (which is then recorded as an input standing at `slot`).
    pub(super) fn number(
        &mut self,
        key: &str,
        value: &Number,
        bound: Bound,
        slot: Slot,
    ) -> Option<f64> {
        match value.get_ref() {
            RawQuantity::Number(x) => self.plain_number(key, *x, value.span(), bound),
            RawQuantity::Distribution(d) => self.distribution(key, d, value.span(), bound, slot),
        }
    }

    fn plain_number(&mut self, key: &str, x: f64, span: Range<usize>, bound: Bound) -> Option<f64> {
        if !x.is_finite() {
            let found = self.written(span.clone()).to_string();
            self.push(
                span,
                format!("expected a finite number for `{key}`, found {found}"),
                "not a finite number",
                Some(format!("`{key}` must be {}", bound.describe())),
            );
            return None;
        }
        if !bound.admits(x) {
            let found = self.written(span.clone()).to_string();
            self.push(
                span,
                format!("{key} must be {}, found {found}", bound.describe()),
                "out of range",
                None,
            );
            return None;
        }
        Some(x)
    }

    /// An optional number: `Some(default)` when absent, `None` when present and invalid.
    pub(super) fn number_or(
        &mut self,
        key: &str,
        value: Option<&Number>,
        bound: Bound,
        default: f64,
        slot: Slot,
    ) -> Option<f64> {
        match value {
            Some(value) => self.number(key, value, bound, slot),
            None => Some(default),
        }
    }

    /// A number the file must give; `whole` is the span of the table it belongs in.
    pub(super) fn required_number(
        &mut self,
        key: &str,
        value: Option<&Number>,
        bound: Bound,
        whole: Range<usize>,
        table: &str,
        slot: Slot,
    ) -> Option<f64> {
        match value {
            Some(value) => self.number(key, value, bound, slot),
            None => {
                self.push(
                    whole,
                    format!("missing `{key}` in {table}"),
                    &format!("add `{key}` to this table"),
                    Some(format!("`{key}` must be {}", bound.describe())),
                );
                None
            }
        }
    }

    /// An optional number: `Some(None)` when absent, `None` when present and invalid.
    pub(super) fn optional(
        &mut self,
        value: &Option<Number>,
        key: &str,
        bound: Bound,
        slot: Slot,
    ) -> Option<Option<f64>> {
        match value {
            Some(value) => self.number(key, value, bound, slot).map(Some),
            None => Some(None),
        }
    }

    /// A non-negative integer within `min..=max`; never a distribution.
    pub(super) fn integer(
        &mut self,
        key: &str,
        value: &Integer,
        min: i64,
        max: i64,
    ) -> Option<usize> {
        let span = value.span();
        let x = match value.get_ref() {
            Fixed::Value(x) => *x,
            Fixed::Distribution => {
                self.refuse_distribution(key, span, "one whole number");
                return None;
            }
        };
        if x < min {
            self.push(
                span,
                format!("{key} must be ≥ {min}, found {x}"),
                "too small",
                None,
            );
            return None;
        }
        if x > max {
            self.push(
                span,
                format!("{key} must be at most {max}, found {x}"),
                "too large",
                None,
            );
            return None;
        }
        match usize::try_from(x) {
            Ok(x) => Some(x),
            Err(_) => {
                self.push(
                    span,
                    format!("{key} does not fit this platform, found {x}"),
                    "too large",
                    None,
                );
                None
            }
        }
    }

    pub(super) fn actor_ref(&mut self, names: &Names, name: &Text) -> Option<usize> {
        if let Some(&i) = names.index.get(name.get_ref().as_str()) {
            return Some(i);
        }
        if names.actors.is_empty() || names.rejected.contains(name.get_ref().as_str()) {
            // The missing [[actor]] tables, or the actor's own problem, are reported once; a
            // message per reference would bury it.
            return None;
        }
        if self.full() {
            // Counted, not described: the suggestion would compare every actor's name.
            self.unreported += 1;
            return None;
        }
        let candidates = names.actors.iter().map(String::as_str);
        let help = match suggest_within(name.get_ref(), candidates, &mut self.suggestions) {
            Some(s) => format!("did you mean {s:?}?"),
            None => format!("the actors are {}", quoted_list(&names.actors)),
        };
        self.push(
            name.span(),
            format!("unknown actor {:?}", name.get_ref()),
            "no [[actor]] has this name",
            Some(help),
        );
        None
    }

    /// Two different actors, as in `between`, an effect's `trust` or `threat`.
    pub(super) fn actor_pair(
        &mut self,
        names: &Names,
        key: &str,
        pair: &Spanned<Vec<Text>>,
    ) -> Option<(usize, usize)> {
        let [a, b] = pair.get_ref().as_slice() else {
            self.push(
                pair.span(),
                format!(
                    "`{key}` needs exactly two actors, found {}",
                    pair.get_ref().len()
                ),
                "expected [\"A\", \"B\"]",
                None,
            );
            return None;
        };
        let ia = self.actor_ref(names, a);
        let ib = self.actor_ref(names, b);
        if a.get_ref() == b.get_ref() {
            self.push(
                b.span(),
                format!(
                    "`{key}` needs two different actors, found {:?} twice",
                    a.get_ref()
                ),
                "same actor again",
                None,
            );
            return None;
        }
        Some((ia?, ib?))
    }

    /// A name chosen from a fixed list, with a suggestion when it is close to one.
    pub(super) fn choice<T: Copy>(
        &mut self,
        what: &str,
        value: &Text,
        options: &[(&str, T)],
        expected: &str,
    ) -> Option<T> {
        let word = value.get_ref().as_str();
        if let Some((_, t)) = options.iter().find(|(name, _)| *name == word) {
            return Some(*t);
        }
        let help = suggest(word, options.iter().map(|(name, _)| *name))
            .map(|s| format!("did you mean {s:?}?"));
        self.push(
            value.span(),
            format!("unknown {what} {word:?}, expected {expected}"),
            &format!("not a known {what}"),
            help,
        );
        None
    }
}

fn quoted_list(names: &[String]) -> String {
    listed(names.iter().map(|n| format!("{n:?}")), names.len())
}

/// The most names a hint lists; a scenario may hold thousands, and every problem that lists
/// them would repeat them all.
const MAX_LISTED: usize = 20;

/// The first [`MAX_LISTED`] of `count` names, joined with commas, and how many more there are.
pub(super) fn listed(names: impl IntoIterator<Item = impl AsRef<str>>, count: usize) -> String {
    let mut list: Vec<String> = names
        .into_iter()
        .take(MAX_LISTED)
        .map(|n| n.as_ref().to_string())
        .collect();
    if count > MAX_LISTED {
        list.push(format!("and {} more", count - MAX_LISTED));
    }
    list.join(", ")
}
