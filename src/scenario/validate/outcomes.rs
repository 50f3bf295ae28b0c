//! The `[[outcome]]` tables: a name, a condition, and `when` it is judged.

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;

use super::inputs::Slot;
use super::spelling::suggest;
use super::{Checker, Names};
use crate::scenario::inputs::InputTarget;
use crate::scenario::raw::RawOutcome;
use crate::scenario::{Outcome, When};

impl Checker<'_> {
    pub(super) fn outcomes(
        &mut self,
        raw: &[Spanned<RawOutcome>],
        names: &Names,
    ) -> Option<Vec<Outcome>> {
        let mut seen: HashMap<String, Range<usize>> = HashMap::new();
        let mut outcomes = Vec::new();
        let mut ok = true;
        for (index, table) in raw.iter().enumerate() {
            let whole = table.span();
            let o = table.get_ref();
            let name = match &o.name {
                None => {
                    self.push(
                        whole.clone(),
                        "missing `name` in [[outcome]]",
                        "add `name = \"...\"` here",
                        None,
                    );
                    None
                }
                Some(name) if !self.printable("an outcome's name", name) => None,
                Some(name) => match seen.get(name.get_ref()) {
                    Some(first) => {
                        let first = first.clone();
                        self.push_duplicate("outcome", name.get_ref(), name.span(), first);
                        None
                    }
                    None => {
                        seen.insert(name.get_ref().clone(), name.span());
                        Some(name.get_ref().clone())
                    }
                },
            };
            let slot = Slot::maybe(
                name.as_ref().map(|n| format!("outcome.{n}.value")),
                Some(InputTarget::OutcomeValue(index)),
            );
            let condition = self.condition(&o.condition(), whole, "[[outcome]]", names, slot);
            let when = match &o.when {
                None => Some(When::End),
                Some(when) => self.when(when, names.steps),
            };
            match (name, condition, when) {
                (Some(name), Some(condition), Some(when)) => outcomes.push(Outcome {
                    name,
                    condition,
                    when,
                }),
                _ => ok = false,
            }
        }
        ok.then_some(outcomes)
    }

    fn when(&mut self, value: &Spanned<toml::Value>, steps: Option<usize>) -> Option<When> {
        const WORDS: [(&str, When); 3] = [
            ("end", When::End),
            ("ever", When::Ever),
            ("always", When::Always),
        ];
        let span = value.span();
        let expected = "\"end\", \"ever\", \"always\" or [from, to]";
        match value.get_ref() {
            toml::Value::String(s) => {
                if let Some((_, w)) = WORDS.iter().find(|(word, _)| word == s) {
                    return Some(*w);
                }
                let help = suggest(s, WORDS.iter().map(|(w, _)| *w))
                    .map(|s| format!("did you mean {s:?}?"));
                self.push(
                    span,
                    format!("unknown `when` {s:?}, expected {expected}"),
                    "not a known `when`",
                    help,
                );
                None
            }
            toml::Value::Array(items) => {
                let pair: Option<Vec<i64>> = items.iter().map(toml::Value::as_integer).collect();
                let Some([from, to]) = pair.as_deref() else {
                    self.push(
                        span,
                        "a `when` window must be two whole steps [from, to]",
                        "expected [from, to]",
                        None,
                    );
                    return None;
                };
                let (from, to) = (*from, *to);
                let steps = steps?;
                if from < 0 || to < 0 || to > steps as i64 {
                    self.push(
                        span,
                        format!(
                            "`when` window [{from}, {to}] is out of range: steps = {steps}, so a window must lie within 0..={steps}"
                        ),
                        "out of range",
                        None,
                    );
                    return None;
                }
                if from > to {
                    self.push(
                        span,
                        format!(
                            "`when` window [{from}, {to}] runs backwards: `from` must be ≤ `to`"
                        ),
                        "backwards window",
                        None,
                    );
                    return None;
                }
                Some(When::Window {
                    from: from as usize,
                    to: to as usize,
                })
            }
            _ => {
                let found = self.written(span.clone()).to_string();
                // A table here is most likely a distribution, which `when` cannot be.
                let help = matches!(value.get_ref(), toml::Value::Table(_))
                    .then(|| "`when` is fixed: a distribution cannot stand here".to_string());
                self.push(
                    span,
                    format!("`when` must be {expected}, found {found}"),
                    "not a `when`",
                    help,
                );
                None
            }
        }
    }
}
