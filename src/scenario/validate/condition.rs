//! Conditions on the state (metric, actor, other, op, value), shared by an event's
//! `trigger` and an `[[outcome]]`.

use std::ops::Range;

use super::inputs::Slot;
use super::values::Bound;
use super::{Checker, Names};
use crate::scenario::observed::METRICS;
use crate::scenario::raw::{RawCondition, Text};
use crate::scenario::{Condition, Metric, Op};

impl Checker<'_> {
    /// A condition of a trigger or an outcome; `whole` is where a missing key is reported,
    /// `value_slot` where an input on the threshold stands.
    pub(super) fn condition(
        &mut self,
        c: &RawCondition,
        whole: Range<usize>,
        what: &str,
        names: &Names,
        value_slot: Slot,
    ) -> Option<Condition> {
        const OPS: [(&str, Op); 4] = [(">", Op::Gt), (">=", Op::Ge), ("<", Op::Lt), ("<=", Op::Le)];
        let missing = |checker: &mut Self, key: &str, example: &str| {
            checker.missing_key(&whole, what, key, example);
        };
        let (metric, actor) = self.measured(&c.metric, &c.actor, &whole, what, names);
        let mut ok = true;
        let other = match (metric, &c.other) {
            (Some(m), None) if m.is_pairwise() => {
                let (key_span, name) = match &c.metric {
                    Some(v) => (v.span(), v.get_ref().as_str()),
                    None => (whole.clone(), ""),
                };
                let meaning = if m == Metric::Trust {
                    "trust of `actor` in `other`"
                } else {
                    "threat that `actor` perceives from `other`"
                };
                self.push(
                    key_span,
                    format!("a {name} {what} needs `other`: it measures the {meaning}"),
                    "pairwise metric",
                    Some("add `other = \"...\"`".into()),
                );
                None
            }
            (Some(m), Some(o)) if !m.is_pairwise() => {
                let name = c.metric.as_ref().map_or("", |v| v.get_ref().as_str());
                self.push(
                    o.span(),
                    format!("`other` does not go with metric {name:?}, which belongs to one actor"),
                    "not allowed with this metric",
                    Some("`other` is for trust and threat".into()),
                );
                ok = false;
                None
            }
            (_, Some(o)) => {
                let resolved = self.actor_ref(names, o);
                if resolved.is_none() {
                    ok = false;
                }
                if let Some(a) = &c.actor
                    && a.get_ref() == o.get_ref()
                {
                    self.push(
                        o.span(),
                        format!(
                            "`other` must differ from `actor`, found {:?} for both",
                            o.get_ref()
                        ),
                        "same as `actor`",
                        None,
                    );
                    ok = false;
                }
                resolved
            }
            (_, None) => None,
        };
        let op = match &c.op {
            Some(o) => self.choice("op", o, &OPS, &format!("one of {}", Op::NAMES.join(", "))),
            None => {
                missing(self, "op", "\">\"");
                None
            }
        };
        let bound = match metric {
            Some(Metric::Alignment | Metric::Trust) => Bound::SIGNED_UNIT,
            Some(Metric::Threat | Metric::Power) => Bound::UNIT,
            None => Bound::Finite,
        };
        let value = match &c.value {
            Some(v) => self.number("value", v, bound, value_slot),
            None => {
                missing(self, "value", "0.5");
                None
            }
        };
        let metric = metric?;
        if metric.is_pairwise() && other.is_none() {
            return None;
        }
        if !ok {
            return None;
        }
        Some(Condition {
            metric,
            actor: actor?,
            other,
            op: op?,
            value: value?,
        })
    }
}

impl Checker<'_> {
    /// A key a table needs and does not have, reported on the whole table.
    pub(super) fn missing_key(
        &mut self,
        whole: &Range<usize>,
        what: &str,
        key: &str,
        example: &str,
    ) {
        self.push(
            whole.clone(),
            format!("missing `{key}` in {what}"),
            &format!("add `{key} = {example}`"),
            None,
        );
    }

    /// The metric and the actor that a condition or an observation measures, each reported
    /// where it is missing or unknown.
    pub(super) fn measured(
        &mut self,
        metric: &Option<Text>,
        actor: &Option<Text>,
        whole: &Range<usize>,
        what: &str,
        names: &Names,
    ) -> (Option<Metric>, Option<usize>) {
        let metric = match metric {
            Some(m) => self.choice(
                "metric",
                m,
                &METRICS,
                &format!("one of {}", Metric::NAMES.join(", ")),
            ),
            None => {
                self.missing_key(whole, what, "metric", "\"alignment\"");
                None
            }
        };
        let actor = match actor {
            Some(a) => self.actor_ref(names, a),
            None => {
                self.missing_key(whole, what, "actor", "\"...\"");
                None
            }
        };
        (metric, actor)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{parse, with};
    use crate::scenario::{Condition, Metric, Op, Timing, When};

    #[test]
    fn outcomes_and_triggers_resolve_pairwise_metrics() {
        let s = parse(&with(
            r#"
[[event]]
kind = "strike"
actor = "B"
target = "A"
trigger = { metric = "trust", actor = "B", other = "A", op = "<=", value = -0.5 }
once = false
from = 3

[[outcome]]
name = "B fears A"
metric = "threat"
actor = "B"
other = "A"
op = ">="
value = 0.5
when = "always"
"#,
        ));
        let Timing::Trigger {
            condition,
            once,
            from,
            until,
            ..
        } = s.events[0].timing
        else {
            panic!("expected a trigger")
        };
        assert!(!once);
        assert_eq!((from, until), (3, 11));
        assert_eq!(
            condition,
            Condition {
                metric: Metric::Trust,
                actor: 1,
                other: Some(0),
                op: Op::Le,
                value: -0.5
            }
        );
        assert_eq!(s.outcomes[0].when, When::Always);
        assert_eq!(s.outcomes[0].condition.other, Some(0));
    }
}
