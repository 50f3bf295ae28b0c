//! The `[kinds.NAME]` tables: overrides of the built-in event kinds and declarations of new
//! ones.

use std::collections::BTreeMap;

use toml::Spanned;

use super::Checker;
use super::inputs::Slot;
use super::spelling::suggest;
use super::values::Bound;
use crate::scenario::inputs::KindField;
use crate::scenario::kinds::{BUILTIN_KINDS, CUSTOM_KIND, Holder, KindCoefficients, builtin};
use crate::scenario::raw::{Number, RawKind, Text};

impl Checker<'_> {
    /// The built-in kinds with the file's overrides applied, plus the kinds it declares. A
    /// kind whose coefficients are invalid is still listed (with its errors recorded) so
    /// that events using it are not also reported as using an unknown kind.
    pub(super) fn kinds(
        &mut self,
        raw: &BTreeMap<Text, Spanned<RawKind>>,
    ) -> BTreeMap<String, KindCoefficients> {
        let mut kinds: BTreeMap<String, KindCoefficients> = BUILTIN_KINDS
            .iter()
            .map(|k| (k.name.to_string(), k.coefficients))
            .collect();
        for (name, table) in raw {
            let k = table.get_ref();
            if name.get_ref() == CUSTOM_KIND {
                self.push(
                    name.span(),
                    "the kind `custom` cannot be declared",
                    "reserved kind name",
                    Some("a custom event lists its own `effects`; declare a new kind under another name".into()),
                );
                continue;
            }
            let base = match builtin(name.get_ref()) {
                Some(b) => b.coefficients,
                None => {
                    if k.valence.is_none() {
                        let help = match suggest(
                            name.get_ref(),
                            BUILTIN_KINDS.iter().map(|b| b.name),
                        ) {
                            Some(s) => {
                                format!("to override the built-in kind {s:?}, write [kinds.{s}]")
                            }
                            None => {
                                "a declared kind gives its Goldstein valence, e.g. `valence = -0.4`"
                                    .into()
                            }
                        };
                        self.push(
                            name.span(),
                            format!(
                                "the new kind {:?} needs a `valence` in [-1, 1]",
                                name.get_ref()
                            ),
                            "not a built-in kind, so this declares a new one",
                            Some(help),
                        );
                    }
                    KindCoefficients {
                        valence: 0.0,
                        c_in: 0.0,
                        c_out: 0.0,
                        c_threat: 0.0,
                        c_power_target: 0.0,
                        c_power_actor: 0.0,
                        c_pull: 0.0,
                        c_audience: 0.0,
                        c_third: 0.0,
                        attribution: 1.0,
                        third_party: Holder::Target,
                    }
                }
            };
            let mut c = base;
            use KindField as F;
            let fields: [(F, &Option<Number>, &mut f64, Bound); 10] = [
                (F::Valence, &k.valence, &mut c.valence, Bound::SIGNED_UNIT),
                (F::CIn, &k.c_in, &mut c.c_in, Bound::Finite),
                (F::COut, &k.c_out, &mut c.c_out, Bound::Finite),
                (F::CThreat, &k.c_threat, &mut c.c_threat, Bound::Finite),
                (
                    F::CPowerTarget,
                    &k.c_power_target,
                    &mut c.c_power_target,
                    Bound::Finite,
                ),
                (
                    F::CPowerActor,
                    &k.c_power_actor,
                    &mut c.c_power_actor,
                    Bound::Finite,
                ),
                (F::CPull, &k.c_pull, &mut c.c_pull, Bound::Finite),
                (
                    F::CAudience,
                    &k.c_audience,
                    &mut c.c_audience,
                    Bound::Finite,
                ),
                (F::CThird, &k.c_third, &mut c.c_third, Bound::Finite),
                (
                    F::Attribution,
                    &k.attribution,
                    &mut c.attribution,
                    Bound::UNIT,
                ),
            ];
            for (field, value, slot, bound) in fields {
                if let Some(value) = value
                    && let Some(x) = self.number(
                        field.name(),
                        value,
                        bound,
                        Slot::kind(name.get_ref(), field),
                    )
                {
                    *slot = x;
                }
            }
            if let Some(holder) = &k.third_party
                && let Some(h) = self.word(
                    "third_party",
                    holder,
                    &[("target", Holder::Target), ("actor", Holder::Actor)],
                )
            {
                c.third_party = h;
            }
            kinds.insert(name.get_ref().clone(), c);
        }
        kinds
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{parse, with};
    use crate::scenario::EventEffect;
    use crate::scenario::kinds::builtin;

    #[test]
    fn kinds_override_builtins_and_declare_new_ones() {
        let s = parse(&with(
            r#"
[kinds.warning]
c_threat = 0.4

[kinds.blockade]
valence = -0.5
c_power_target = -0.02

[[event]]
kind = "warning"
actor = "A"
target = "B"
step = 0

[[event]]
kind = "blockade"
actor = "A"
target = "B"
step = 0

[[event]]
kind = "sabotage"
actor = "A"
target = "B"
step = 0

[[event]]
kind = "sabotage"
actor = "B"
target = "A"
attribution = 0.9
step = 0
"#,
        ));
        let coefficients = |i: usize| match &s.events[i].effect {
            EventEffect::Kind(c) => *c,
            other => panic!("expected a kind, got {other:?}"),
        };
        let mut warning = builtin("warning")
            .map(|k| k.coefficients)
            .unwrap_or_else(|| panic!("warning"));
        warning.c_threat = 0.4;
        assert_eq!(coefficients(0), warning);
        let blockade = coefficients(1);
        assert_eq!(
            (blockade.valence, blockade.c_power_target, blockade.c_in),
            (-0.5, -0.02, 0.0)
        );
        assert_eq!(s.events[1].attribution, 1.0);
        assert_eq!(s.events[2].attribution, 0.5);
        assert_eq!(s.events[3].attribution, 0.9);
    }
}
