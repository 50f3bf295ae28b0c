//! The `[[observed]]` tables: what the record says, for `influence calibrate`.
//!
//! An observation is the metric of a condition (metric, actor, other) at one step, given
//! either as a value with its observation error or as a sign only. The record is data, not
//! a guess, so none of its numbers may be a distribution.

use std::ops::Range;

use toml::Spanned;

use super::values::Bound;
use super::{Checker, Names};
use crate::scenario::observed::{SIGNS, sign_refusal};
use crate::scenario::raw::{Fixed, Number, RawObserved, RawQuantity};
use crate::scenario::{DEFAULT_OBSERVATION_SD, Evidence, Metric, Observation};

impl Checker<'_> {
    pub(super) fn observed(
        &mut self,
        raw: &[Spanned<RawObserved>],
        names: &Names,
    ) -> Option<Vec<Observation>> {
        let mut out = Vec::new();
        let mut ok = true;
        for table in raw {
            match self.one_observed(table.get_ref(), table.span(), names) {
                Some(o) => out.push(o),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn one_observed(
        &mut self,
        o: &RawObserved,
        whole: Range<usize>,
        names: &Names,
    ) -> Option<Observation> {
        let what = "[[observed]]";
        let missing = |checker: &mut Self, key: &str, example: &str| {
            checker.missing_key(&whole, what, key, example);
        };
        let step = match &o.step {
            None => {
                missing(self, "step", "0");
                None
            }
            Some(step) => {
                let max = names.steps.map_or(i64::MAX, |s| s as i64);
                match step.get_ref() {
                    Fixed::Value(x) if *x > max => {
                        self.push(
                            step.span(),
                            format!(
                                "observed step {x} is past the horizon: steps = {max}, so an \
                                 observation must lie within 0..={max}"
                            ),
                            "past the horizon",
                            None,
                        );
                        None
                    }
                    _ => self.integer("step", step, 0, max),
                }
            }
        };
        let (metric, actor) = self.measured(&o.metric, &o.actor, &whole, what, names);
        let mut sound = true;
        let other = match (metric, &o.other) {
            (Some(m), None) if m.is_pairwise() => {
                let span = o.metric.as_ref().map_or(whole.clone(), Spanned::span);
                self.push(
                    span,
                    format!(
                        "a {} {what} needs `other`: it measures {} of `actor` in `other`",
                        m.as_str(),
                        m.as_str()
                    ),
                    "pairwise metric",
                    Some("add `other = \"...\"`".into()),
                );
                sound = false;
                None
            }
            (Some(m), Some(other)) if !m.is_pairwise() => {
                self.push(
                    other.span(),
                    format!(
                        "`other` does not go with metric {:?}, which belongs to one actor",
                        m.as_str()
                    ),
                    "not allowed with this metric",
                    Some("`other` is for trust and threat".into()),
                );
                sound = false;
                None
            }
            (_, Some(other)) => {
                let resolved = self.actor_ref(names, other);
                if let Some(a) = &o.actor
                    && a.get_ref() == other.get_ref()
                {
                    self.push(
                        other.span(),
                        format!(
                            "`other` must differ from `actor`, found {:?} for both",
                            other.get_ref()
                        ),
                        "same as `actor`",
                        None,
                    );
                    sound = false;
                }
                if resolved.is_none() {
                    sound = false;
                }
                resolved
            }
            (_, None) => None,
        };
        let evidence = self.evidence(o, metric, whole.clone());
        let label = match &o.label {
            Some(l) if !self.printable("an observation's label", l) => {
                sound = false;
                None
            }
            Some(l) => Some(l.get_ref().clone()),
            None => None,
        };
        if !sound {
            return None;
        }
        Some(Observation {
            step: step?,
            metric: metric?,
            actor: actor?,
            other,
            evidence: evidence?,
            label,
        })
    }

    /// `value` (with `sd`) or `sign`, exactly one of them.
    fn evidence(
        &mut self,
        o: &RawObserved,
        metric: Option<Metric>,
        whole: Range<usize>,
    ) -> Option<Evidence> {
        match (&o.value, &o.sign) {
            (None, None) => {
                self.push(
                    whole,
                    "an [[observed]] needs `value` or `sign`",
                    "add `value = 0.3` (with `sd`) or `sign = \"+\"`",
                    None,
                );
                None
            }
            (Some(_), Some(sign)) => {
                self.push(
                    sign.span(),
                    "an [[observed]] gives `value` or `sign`, not both",
                    "remove one of them",
                    None,
                );
                None
            }
            (None, Some(sign)) => {
                if let Some(sd) = &o.sd {
                    self.push(
                        sd.span(),
                        "`sd` goes with `value`: a sign has no observation error",
                        "remove `sd`",
                        None,
                    );
                    return None;
                }
                let positive = self.choice("sign", sign, &SIGNS, "\"+\" or \"-\"")?;
                if let Some(m) = metric
                    && let Some(why) = sign_refusal(m)
                {
                    self.push(sign.span(), why, "a sign says nothing here", None);
                    return None;
                }
                Some(Evidence::Sign { positive })
            }
            (Some(value), None) => {
                let bound = match metric {
                    Some(Metric::Alignment | Metric::Trust) => Bound::SIGNED_UNIT,
                    Some(Metric::Threat | Metric::Power) => Bound::UNIT,
                    None => Bound::Finite,
                };
                let value = self.fixed_number("value", value, bound);
                let sd = match &o.sd {
                    Some(sd) => self.fixed_number("sd", sd, Bound::Finite).and_then(|x| {
                        if x > 0.0 {
                            Some(x)
                        } else {
                            self.push(
                                sd.span(),
                                format!("sd must be > 0, found {}", self.written(sd.span())),
                                "out of range",
                                Some("the observation error's standard deviation".into()),
                            );
                            None
                        }
                    }),
                    None => Some(DEFAULT_OBSERVATION_SD),
                };
                Some(Evidence::Value {
                    value: value?,
                    sd: sd?,
                })
            }
        }
    }

    /// A number of the record, which may not be a distribution.
    fn fixed_number(&mut self, key: &str, value: &Number, bound: Bound) -> Option<f64> {
        match value.get_ref() {
            RawQuantity::Number(_) => {
                self.number(key, value, bound, super::inputs::Slot::unresolved())
            }
            RawQuantity::Distribution(_) => {
                self.refuse_distribution(key, value.span(), "one number: what was observed");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{errors, parse, with};
    use crate::scenario::{Evidence, Metric};

    #[test]
    fn observations_resolve_and_take_the_default_error() {
        let s = parse(&with(
            r#"
[[observed]]
step = 3
metric = "trust"
actor = "A"
other = "B"
value = 0.4

[[observed]]
step = 5
metric = "alignment"
actor = "B"
sign = "-"
label = "B leans negative"
"#,
        ));
        assert_eq!(s.observations.len(), 2);
        assert_eq!(s.observations[0].metric, Metric::Trust);
        assert_eq!(s.observations[0].other, Some(1));
        assert_eq!(
            s.observations[0].evidence,
            Evidence::Value {
                value: 0.4,
                sd: 0.1
            }
        );
        assert_eq!(
            s.observations[1].evidence,
            Evidence::Sign { positive: false }
        );
        assert_eq!(s.observations[1].name(&s), "B leans negative");
        assert_eq!(s.observations[0].name(&s), "trust A->B@3");
    }

    #[test]
    fn bad_observations_are_reported_with_suggestions() {
        let d = errors(&with(
            r#"
[[observed]]
step = 99
metric = "alignmnt"
actor = "Aa"
value = 0.4

[[observed]]
step = 1
metric = "power"
actor = "A"
sign = "+"

[[observed]]
step = 1
metric = "alignment"
actor = "A"
value = { low = 0, high = 1 }
sd = 0
"#,
        ));
        let messages: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
        assert!(messages[0].starts_with("observed step 99 is past the horizon"));
        assert!(messages[1].starts_with("unknown metric \"alignmnt\""));
        assert_eq!(d[1].help.as_deref(), Some("did you mean \"alignment\"?"));
        assert!(messages[2].starts_with("unknown actor \"Aa\""));
        assert!(messages[3].contains("never below 0"), "{messages:?}");
        assert!(messages[4].starts_with("`value` cannot be a distribution"));
        assert!(messages[5].starts_with("sd must be > 0"));
        assert_eq!(messages.len(), 6, "{messages:#?}");
    }
}
