//! Numbers written as distributions (MODEL.md, "Uncertain inputs"): the checks of one
//! distribution table, and, once the whole file is read, the inputs' names and the parts of
//! their targets that depend on other tables.
//!
//! A check that reads a number says where it stands (a [`Slot`]); a distribution there is
//! checked against the number's own range, its nominal value goes where the plain number
//! would have gone, and it is recorded as [`Found`]. Targets that list "everyone who inherits
//! this" (a `[model]` default, a kind's coefficient) are completed in
//! [`Checker::resolve_inputs`], when every table is known.

use std::collections::HashMap;
use std::ops::Range;

use super::values::Bound;
use super::{Checker, Diagnostic};
use crate::scenario::UncertainInput;
use crate::scenario::inputs::{Distribution, InputTarget, KindField, ModelField};
use crate::scenario::raw::{RawDistribution, RawEvent, RawFile};

/// Where a number of the file stands, as far as the check reading it knows. `None` parts
/// belong to a table that failed a check of its own (an unknown actor, a duplicate id), which
/// has left a diagnostic: the distribution is still checked, but not named or placed.
pub(super) struct Slot {
    /// The name an input here takes unless the table gives one.
    pub(super) derived: Option<String>,
    pub(super) target: Option<InputTarget>,
}

impl Slot {
    pub(super) fn new(derived: impl Into<String>, target: InputTarget) -> Slot {
        Slot {
            derived: Some(derived.into()),
            target: Some(target),
        }
    }

    /// A number whose table could not be resolved.
    pub(super) fn unresolved() -> Slot {
        Slot {
            derived: None,
            target: None,
        }
    }

    /// A slot from parts that may be missing.
    pub(super) fn maybe(derived: Option<String>, target: Option<InputTarget>) -> Slot {
        Slot { derived, target }
    }

    /// A `[model]` parameter; the actors and pairs that inherit it are listed later.
    pub(super) fn model(field: ModelField) -> Slot {
        Slot::new(
            format!("model.{}", field.name()),
            InputTarget::Model {
                field,
                actors: Vec::new(),
                pairs: Vec::new(),
            },
        )
    }

    /// A coefficient of a kind; the events that use it are listed later.
    pub(super) fn kind(kind: &str, field: KindField) -> Slot {
        Slot::new(
            format!("kind.{kind}.{}", field.name()),
            InputTarget::Kind {
                kind: kind.to_string(),
                field,
                events: Vec::new(),
            },
        )
    }
}

/// A distribution as found by the check of its table.
pub(super) struct Found {
    /// The inline table, which orders inputs by their place in the file.
    span: Range<usize>,
    /// The `name` given in the table, with its span.
    given: Option<(String, Range<usize>)>,
    derived: Option<String>,
    distribution: Distribution,
    target: Option<InputTarget>,
}

/// How a message shows a distribution's bound, as written.
fn bound_text(checker: &Checker<'_>, value: &toml::Spanned<f64>) -> String {
    checker.written(value.span()).to_string()
}

impl Checker<'_> {
    /// Checks a distribution written for `key` and records it; returns its nominal value,
    /// which stands in the number's place so that every later check and the simulation see an
    /// ordinary number.
    pub(super) fn distribution(
        &mut self,
        key: &str,
        d: &RawDistribution,
        span: Range<usize>,
        bound: Bound,
        slot: Slot,
    ) -> Option<f64> {
        let shape = "a distribution is `{ low = L, high = H }` (uniform) or `{ low = L, high = H, mode = M }` (triangular)";
        let (low, high) = match (&d.low, &d.high) {
            (Some(low), Some(high)) => (low, high),
            (low, high) => {
                let missing = match (low, high) {
                    (None, None) => "`low` and `high`",
                    (None, Some(_)) => "`low`",
                    _ => "`high`",
                };
                self.push(
                    span,
                    format!("missing {missing} in the distribution for `{key}`"),
                    &format!("add {missing} here"),
                    Some(shape.into()),
                );
                return None;
            }
        };
        let mut finite = true;
        for (part, value) in [
            ("low", Some(low)),
            ("high", Some(high)),
            ("mode", d.mode.as_ref()),
        ] {
            if let Some(value) = value
                && !value.get_ref().is_finite()
            {
                let found = bound_text(self, value);
                self.push(
                    value.span(),
                    format!("expected a finite number for `{part}` of `{key}`, found {found}"),
                    "not a finite number",
                    Some(format!("`{key}` must be {}", bound.describe())),
                );
                finite = false;
            }
        }
        if !finite {
            return None;
        }
        let (lo, hi) = (*low.get_ref(), *high.get_ref());
        if lo >= hi {
            let (lo_text, hi_text) = (bound_text(self, low), bound_text(self, high));
            self.push(
                span,
                format!(
                    "a distribution needs `low` below `high`, found low = {lo_text}, high = {hi_text} for `{key}`"
                ),
                "empty or inverted range",
                Some(
                    "write the smaller bound as `low`; a value known exactly is a plain number"
                        .into(),
                ),
            );
            return None;
        }
        let mut ok = true;
        for (part, value) in [("low", low), ("high", high)] {
            if !bound.admits(*value.get_ref()) {
                let found = bound_text(self, value);
                self.push(
                    value.span(),
                    format!(
                        "{key} must be {} over the whole distribution, found {part} = {found}",
                        bound.describe()
                    ),
                    "out of range",
                    Some(format!(
                        "every value the distribution can draw must be a valid `{key}`"
                    )),
                );
                ok = false;
            }
        }
        let distribution = match &d.mode {
            None => Distribution::Uniform { low: lo, high: hi },
            Some(mode) => {
                let m = *mode.get_ref();
                if !(lo..=hi).contains(&m) {
                    let found = bound_text(self, mode);
                    let (lo_text, hi_text) = (bound_text(self, low), bound_text(self, high));
                    self.push(
                        mode.span(),
                        format!(
                            "`mode` must lie within [low, high] = [{lo_text}, {hi_text}], found {found}"
                        ),
                        "outside the range",
                        Some("the mode is the most likely value, so it lies between the bounds".into()),
                    );
                    ok = false;
                }
                Distribution::Triangular {
                    low: lo,
                    high: hi,
                    mode: m,
                }
            }
        };
        if !ok {
            return None;
        }
        self.found.push(Found {
            span,
            given: d.name.as_ref().map(|n| (n.get_ref().clone(), n.span())),
            derived: slot.derived,
            distribution,
            target: slot.target,
        });
        Some(distribution.nominal())
    }

    /// Refuses a table where only a fixed value may stand: counts, steps and switches are
    /// part of the design of a study, not uncertain quantities to draw.
    pub(super) fn refuse_distribution(&mut self, key: &str, span: Range<usize>, expected: &str) {
        self.push(
            span,
            format!("`{key}` cannot be a distribution: it takes {expected}"),
            "only a fixed value may stand here",
            Some(
                "counts, steps and switches are fixed; only real-valued numbers (alignment, trust, probability, ...) may be uncertain"
                    .into(),
            ),
        );
    }

    /// The inputs in file order, with their names checked and every target complete; `None`
    /// when something was refused (it has left a diagnostic). `reach_given` marks the pairs
    /// whose reach a relation sets (`None` when the relations failed).
    pub(super) fn resolve_inputs(
        &mut self,
        raw: &RawFile,
        n: usize,
        reach_given: Option<&[bool]>,
    ) -> Option<Vec<UncertainInput>> {
        let mut found = std::mem::take(&mut self.found);
        found.sort_by_key(|f| f.span.start);
        let mut ok = true;
        let mut seen: HashMap<String, Range<usize>> = HashMap::new();
        let mut inputs = Vec::with_capacity(found.len());
        for f in found {
            let given = f.given.is_some();
            let (name, name_span) = match (f.given, f.derived) {
                (Some((name, span)), _) => {
                    if name.trim().is_empty() {
                        self.push(
                            span,
                            "an input's name must not be empty",
                            "empty name",
                            None,
                        );
                        ok = false;
                        continue;
                    }
                    if name.chars().any(char::is_control) {
                        self.push(
                            span,
                            format!("an input's name must not hold control characters, found {name:?}"),
                            "control character in this name",
                            Some("the name heads columns and charts; use visible characters and spaces".into()),
                        );
                        ok = false;
                        continue;
                    }
                    (name, span)
                }
                (None, Some(name)) => {
                    if name.chars().any(char::is_control) {
                        self.push(
                            f.span,
                            format!("the name derived for this input, {name:?}, holds control characters"),
                            "needs a name of its own",
                            Some("give it one: `name = \"...\"` in the distribution table".into()),
                        );
                        ok = false;
                        continue;
                    }
                    (name, f.span.clone())
                }
                (None, None) => {
                    ok = false;
                    continue;
                }
            };
            if let Some(first) = seen.get(&name) {
                let line = self.line(first.start);
                self.record(|text, origin| {
                    Diagnostic::new(
                        text,
                        origin,
                        name_span,
                        format!("duplicate input name {name:?} (first on line {line})"),
                    )
                    .with_label(text, "used again here")
                    .with_related(text, first.clone(), "first used here")
                    .with_help(
                        text,
                        if given {
                            "every input needs its own name: rename one of them"
                        } else {
                            "every input needs its own name: give one of them `name = \"...\"`"
                        },
                    )
                });
                ok = false;
                continue;
            }
            seen.insert(name.clone(), name_span);
            let Some(mut target) = f.target else {
                ok = false;
                continue;
            };
            match &mut target {
                InputTarget::Model {
                    field: ModelField::SelfWeight,
                    actors,
                    ..
                } => {
                    *actors = raw
                        .actor
                        .iter()
                        .enumerate()
                        .filter(|(_, a)| a.get_ref().self_weight.is_none())
                        .map(|(i, _)| i)
                        .collect();
                }
                InputTarget::Model {
                    field: ModelField::Reach,
                    pairs,
                    ..
                } => match reach_given {
                    Some(given) => {
                        *pairs = (0..n)
                            .flat_map(|i| (0..n).map(move |j| (i, j)))
                            .filter(|&(i, j)| i != j && !given[i * n + j])
                            .collect();
                    }
                    None => {
                        ok = false;
                        continue;
                    }
                },
                InputTarget::Kind {
                    kind,
                    field,
                    events,
                } => {
                    *events = raw
                        .event
                        .iter()
                        .enumerate()
                        .filter(|(_, e)| {
                            let e: &RawEvent = e.get_ref();
                            e.kind.as_ref().is_some_and(|k| k.get_ref() == kind)
                                && (*field != KindField::Attribution || e.attribution.is_none())
                        })
                        .map(|(i, _)| i)
                        .collect();
                }
                _ => {}
            }
            inputs.push(UncertainInput {
                name,
                distribution: f.distribution,
                target,
            });
        }
        ok.then_some(inputs)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{TWO, errors, parse, with};
    use crate::scenario::inputs::{ActorField, Distribution, InputTarget, KindField, ModelField};
    use crate::scenario::{EventEffect, Scenario, Timing};

    /// A distribution in every place one may stand, in an order that differs from the order
    /// the checks read the tables (`[model]` last, kinds not in name order).
    const EVERYWHERE: &str = r#"
[scenario]
name = "uncertain"
steps = 10

[[actor]]
name = "A"
alignment = { low = -0.2, high = 0.6, mode = 0.4 }
stubbornness = 0.3
power = { low = 0.2, high = 0.4 }
self_weight = 2

[[actor]]
name = "B"
alignment = -0.5
stubbornness = { low = 0.1, high = 0.5 }
power = 0.6

[[actor]]
name = "C"
alignment = 0
stubbornness = 0.5
power = 0.3
self_weight = { low = 0, high = 2, mode = 0.5 }

[[relation]]
between = ["A", "B"]
trust = { low = -0.5, high = 0.5, mode = 0.25 }
trust_ba = 0.1
reach_ab = { low = 0.4, high = 0.8 }

[[relation]]
between = ["C", "B"]
trust_ab = { low = 0.1, high = 0.3 }
trust_ba = { low = -0.3, high = -0.1 }
reach = { low = 0, high = 1, mode = 0.9 }

[kinds.warning]
c_threat = { low = 0.2, high = 0.6 }

[kinds.sabotage]
attribution = { low = 0.3, high = 0.7, mode = 0.4 }

[kinds.blockade]
valence = { low = -0.8, high = -0.4 }

[[event]]
kind = "warning"
actor = "A"
target = "B"
intensity = { low = 0.5, high = 1.5 }
probability = { low = 0.2, high = 0.8, mode = 0.5 }
step = 2

[[event]]
id = "covert"
kind = "sabotage"
actor = "B"
target = "A"
hazard = { low = 0.01, high = 0.09 }

[[event]]
kind = "sabotage"
actor = "B"
target = "C"
attribution = { low = 0.1, high = 0.3 }
trigger = { metric = "threat", actor = "B", other = "C", op = ">", value = { low = 0.3, high = 0.7 } }

[[event]]
kind = "custom"
label = "deal"
step = 5
effects = [
  { trust = ["A", "C"], delta = 0.1 },
  { power = "C", delta = { low = 0.01, high = 0.03, name = "deal power" } },
]

[[event]]
kind = "warning"
actor = "C"
target = "A"
step = 1

[[outcome]]
name = "A leans"
metric = "alignment"
actor = "A"
op = ">"
value = { low = 0.2, high = 0.4 }

[model]
trust_memory = { low = 0.02, high = 0.1 }
self_weight = { low = 0.5, high = 1.5, mode = 1.0 }
reach = { low = 0.2, high = 0.6, name = "default reach" }
"#;

    /// The text with every distribution table replaced by its nominal value, computed here
    /// from the text alone: the mode if given, else the midpoint of the bounds.
    fn nominal_text(text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("{ low =") {
            out.push_str(&rest[..start]);
            let len = rest[start..]
                .find('}')
                .unwrap_or_else(|| panic!("unclosed table"));
            let table = &rest[start + 1..start + len];
            let mut low = None;
            let mut high = None;
            let mut mode = None;
            for part in table.split(',') {
                let (key, value) = part.split_once('=').unwrap_or_else(|| panic!("{part}"));
                let value = value.trim();
                match key.trim() {
                    "low" => low = value.parse::<f64>().ok(),
                    "high" => high = value.parse::<f64>().ok(),
                    "mode" => mode = value.parse::<f64>().ok(),
                    _ => {}
                }
            }
            let nominal = mode.unwrap_or_else(|| {
                (low.unwrap_or_else(|| panic!("low")) + high.unwrap_or_else(|| panic!("high")))
                    / 2.0
            });
            out.push_str(&format!("{nominal:?}"));
            rest = &rest[start + len + 1..];
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn nominal_values_stand_where_the_plain_numbers_would() {
        let uncertain = parse(EVERYWHERE);
        let plain_text = nominal_text(EVERYWHERE);
        assert!(!plain_text.contains("low"), "{plain_text}");
        let plain = parse(&plain_text);
        assert!(plain.inputs.is_empty());
        assert_eq!(uncertain.inputs.len(), 22);
        let without_inputs = Scenario {
            inputs: Vec::new(),
            observations: Vec::new(),
            sha256: plain.sha256.clone(),
            ..uncertain.clone()
        };
        assert_eq!(without_inputs, plain);
        // A few by hand, against the closed forms of the nominal value.
        assert_eq!(uncertain.actors[0].alignment, 0.4);
        assert!((uncertain.model.trust_memory - 0.06).abs() < 1e-15);
        assert_eq!(uncertain.actors[1].self_weight, 1.0);
        assert_eq!(uncertain.actors[2].self_weight, 0.5);
        assert_eq!(uncertain.trust0[1], 0.25);
        assert_eq!(uncertain.trust0[3], 0.1);
        assert!((uncertain.reach[2] - 0.4).abs() < 1e-15);
        assert_eq!(uncertain.events[1].attribution, 0.4);
        assert!((uncertain.events[2].attribution - 0.2).abs() < 1e-15);
        match &uncertain.events[1].timing {
            Timing::Hazard { rate, .. } => assert!((rate - 0.05).abs() < 1e-15),
            other => panic!("expected a hazard, got {other:?}"),
        }
        match &uncertain.events[0].effect {
            EventEffect::Kind(c) => assert!((c.c_threat - 0.4).abs() < 1e-15),
            other => panic!("expected a kind, got {other:?}"),
        }
    }

    #[test]
    fn inputs_are_listed_in_file_order_with_names_and_targets() {
        let s = parse(EVERYWHERE);
        let u = |low: f64, high: f64| Distribution::Uniform { low, high };
        let t = |low: f64, high: f64, mode: f64| Distribution::Triangular { low, high, mode };
        let model = |field, actors: Vec<usize>, pairs: Vec<(usize, usize)>| InputTarget::Model {
            field,
            actors,
            pairs,
        };
        let actor = |actor, field| InputTarget::Actor { actor, field };
        let kind = |kind: &str, field, events: Vec<usize>| InputTarget::Kind {
            kind: kind.to_string(),
            field,
            events,
        };
        let expected: Vec<(&str, Distribution, InputTarget)> = vec![
            (
                "A.alignment",
                t(-0.2, 0.6, 0.4),
                actor(0, ActorField::Alignment),
            ),
            ("A.power", u(0.2, 0.4), actor(0, ActorField::Power)),
            (
                "B.stubbornness",
                u(0.1, 0.5),
                actor(1, ActorField::Stubbornness),
            ),
            (
                "C.self_weight",
                t(0.0, 2.0, 0.5),
                actor(2, ActorField::SelfWeight),
            ),
            // `trust_ba` sets B's trust in A, so `trust` stands only for A's in B.
            (
                "A<->B.trust",
                t(-0.5, 0.5, 0.25),
                InputTarget::Trust {
                    cells: vec![(0, 1)],
                },
            ),
            (
                "A->B.reach",
                u(0.4, 0.8),
                InputTarget::Reach {
                    cells: vec![(0, 1)],
                },
            ),
            (
                "C->B.trust",
                u(0.1, 0.3),
                InputTarget::Trust {
                    cells: vec![(2, 1)],
                },
            ),
            (
                "B->C.trust",
                u(-0.3, -0.1),
                InputTarget::Trust {
                    cells: vec![(1, 2)],
                },
            ),
            (
                "C<->B.reach",
                t(0.0, 1.0, 0.9),
                InputTarget::Reach {
                    cells: vec![(2, 1), (1, 2)],
                },
            ),
            (
                "kind.warning.c_threat",
                u(0.2, 0.6),
                kind("warning", KindField::CThreat, vec![0, 4]),
            ),
            // The second sabotage gives its own attribution.
            (
                "kind.sabotage.attribution",
                t(0.3, 0.7, 0.4),
                kind("sabotage", KindField::Attribution, vec![1]),
            ),
            (
                "kind.blockade.valence",
                u(-0.8, -0.4),
                kind("blockade", KindField::Valence, vec![]),
            ),
            (
                "event.warning:A->B@2.intensity",
                u(0.5, 1.5),
                InputTarget::EventIntensity(0),
            ),
            (
                "event.warning:A->B@2.probability",
                t(0.2, 0.8, 0.5),
                InputTarget::EventProbability(0),
            ),
            (
                "event.covert.hazard",
                u(0.01, 0.09),
                InputTarget::EventHazard(1),
            ),
            (
                "event.sabotage:B->C@trigger threat(B,C) >.attribution",
                u(0.1, 0.3),
                InputTarget::EventAttribution(2),
            ),
            (
                "event.sabotage:B->C@trigger threat(B,C) >.trigger",
                u(0.3, 0.7),
                InputTarget::EventTrigger(2),
            ),
            (
                "deal power",
                u(0.01, 0.03),
                InputTarget::EventDelta {
                    event: 3,
                    effect: 1,
                },
            ),
            (
                "outcome.A leans.value",
                u(0.2, 0.4),
                InputTarget::OutcomeValue(0),
            ),
            (
                "model.trust_memory",
                u(0.02, 0.1),
                model(ModelField::TrustMemory, vec![], vec![]),
            ),
            // A and C set their own self-weight; only B inherits the default.
            (
                "model.self_weight",
                t(0.5, 1.5, 1.0),
                model(ModelField::SelfWeight, vec![1], vec![]),
            ),
            // Relations set reach A->B (0, 1) and both ways between C and B.
            (
                "default reach",
                u(0.2, 0.6),
                model(ModelField::Reach, vec![], vec![(0, 2), (1, 0), (2, 0)]),
            ),
        ];
        let found: Vec<(&str, Distribution, InputTarget)> = s
            .inputs
            .iter()
            .map(|i| (i.name.as_str(), i.distribution, i.target.clone()))
            .collect();
        assert_eq!(found.len(), expected.len());
        for (f, e) in found.iter().zip(&expected) {
            assert_eq!(f, e);
        }
    }

    #[test]
    fn the_documented_example_has_the_documented_names() {
        const DOC: &str = include_str!("../../../docs/scenario-format.md");
        let start = DOC
            .find("[scenario]\nname = \"Uncertain start\"")
            .unwrap_or_else(|| panic!("the example of Uncertain inputs is gone"));
        let len = DOC[start..]
            .find("```")
            .unwrap_or_else(|| panic!("unclosed"));
        let s = parse(&DOC[start..start + len]);
        let names: Vec<&str> = s.inputs.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "model.trust_memory",
                "Armenia.alignment",
                "Baku's resolve",
                "Armenia<->Azerbaijan.trust",
                "kind.warning.c_threat",
                "event.talks.probability",
                "outcome.thaw.value"
            ]
        );
        assert!((s.model.trust_memory - 0.06).abs() < 1e-15);
        assert_eq!(s.actors[0].alignment, 0.2);
        assert_eq!(
            s.inputs[3].target,
            InputTarget::Trust {
                cells: vec![(0, 1)]
            }
        );
    }

    #[test]
    fn a_scenario_without_distributions_has_no_inputs() {
        assert!(parse(TWO).inputs.is_empty());
    }

    #[test]
    fn trust_both_ways_lists_both_cells_unless_one_is_set() {
        let s = parse(&with(
            r#"
[[relation]]
between = ["B", "A"]
trust = { low = -0.4, high = 0.2 }
reach = { low = 0.1, high = 0.3 }
reach_ab = 0.5
reach_ba = 0.6
"#,
        ));
        assert_eq!(s.inputs[0].name, "B<->A.trust");
        assert_eq!(
            s.inputs[0].target,
            InputTarget::Trust {
                cells: vec![(1, 0), (0, 1)]
            }
        );
        // Both directions set their own reach: the input stands for nothing.
        assert_eq!(s.inputs[1].target, InputTarget::Reach { cells: vec![] });
        assert!((s.trust0[1] + 0.1).abs() < 1e-15 && (s.trust0[2] + 0.1).abs() < 1e-15);
    }

    fn messages(text: &str) -> Vec<String> {
        errors(text).into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn counts_steps_and_switches_refuse_a_distribution() {
        let d = "{ low = 1, high = 3 }";
        let header = |key: &str| TWO.replace("steps = 12", &format!("steps = 12\n{key} = {d}"));
        assert_eq!(
            messages(&TWO.replace("steps = 12", &format!("steps = {d}"))),
            ["`steps` cannot be a distribution: it takes one whole number"]
        );
        for key in ["runs", "seed"] {
            assert_eq!(
                messages(&header(key)),
                [format!(
                    "`{key}` cannot be a distribution: it takes one whole number"
                )]
            );
        }
        let event = |timing: &str| {
            with(&format!(
                "[[event]]\nkind = \"visit\"\nactor = \"A\"\ntarget = \"B\"\n{timing}\n"
            ))
        };
        for (timing, key) in [
            (format!("step = {d}"), "step"),
            (format!("steps = [1, {d}]"), "steps"),
            (format!("every = {d}"), "every"),
            (format!("every = 2\nfrom = {d}"), "from"),
            (format!("hazard = 0.1\nuntil = {d}"), "until"),
        ] {
            assert_eq!(
                messages(&event(&timing)),
                [format!(
                    "`{key}` cannot be a distribution: it takes one whole number"
                )],
                "{timing}"
            );
        }
        let once = event(&format!(
            "trigger = {{ metric = \"power\", actor = \"A\", op = \">\", value = 0.5 }}\nonce = {d}"
        ));
        assert_eq!(
            messages(&once),
            ["`once` cannot be a distribution: it takes true or false"]
        );
    }

    #[test]
    fn a_distribution_is_checked_against_its_field() {
        let actor_a = |alignment: &str| {
            TWO.replacen("alignment = 0.5", &format!("alignment = {alignment}"), 1)
        };
        assert_eq!(
            messages(&actor_a("{ low = 0.5, high = 0.1 }")),
            [
                "a distribution needs `low` below `high`, found low = 0.5, high = 0.1 for `alignment`"
            ]
        );
        assert_eq!(messages(&actor_a("{ low = 0.5, high = 0.5 }")).len(), 1);
        assert_eq!(
            messages(&actor_a("{ low = 0.1, high = 0.5, mode = 0.7 }")),
            ["`mode` must lie within [low, high] = [0.1, 0.5], found 0.7"]
        );
        assert_eq!(
            messages(&actor_a("{ low = -1.5, high = 1.5 }")),
            [
                "alignment must be in [-1, 1] over the whole distribution, found low = -1.5",
                "alignment must be in [-1, 1] over the whole distribution, found high = 1.5"
            ]
        );
        assert_eq!(
            messages(&actor_a("{ low = nan, high = 0.5 }")),
            ["expected a finite number for `low` of `alignment`, found nan"]
        );
        assert_eq!(
            messages(&actor_a("{ high = 0.5 }")),
            ["missing `low` in the distribution for `alignment`"]
        );
        assert_eq!(
            messages(&actor_a("{ name = \"x\" }")),
            ["missing `low` and `high` in the distribution for `alignment`"]
        );
        // The field's own range, whatever it is: [model] balance is only bounded below.
        assert!(
            parse(&format!(
                "[model]\nbalance = {{ low = 0, high = 5 }}\n{TWO}"
            ))
            .inputs
            .len()
                == 1
        );
        assert_eq!(
            messages(&format!(
                "[model]\nbalance = {{ low = -0.1, high = 5 }}\n{TWO}"
            )),
            ["balance must be ≥ 0 over the whole distribution, found low = -0.1"]
        );
        // A trigger's threshold takes the range of its metric.
        let trigger = with(
            "[[event]]\nkind = \"visit\"\nactor = \"A\"\ntarget = \"B\"\ntrigger = { metric = \"power\", actor = \"A\", op = \">\", value = { low = -0.5, high = 0.5 } }\n",
        );
        assert_eq!(
            messages(&trigger),
            ["value must be in [0, 1] over the whole distribution, found low = -0.5"]
        );
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_toml_errors_with_a_hint() {
        let d = errors(&TWO.replacen(
            "alignment = 0.5",
            "alignment = { low = 0.1, hihg = 0.5 }",
            1,
        ));
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message
                .starts_with("unknown field `hihg`, expected one of `low`, `high`, `mode`, `name`"),
            "{}",
            d[0]
        );
        assert_eq!(d[0].help.as_deref(), Some("did you mean `high`?"));
        // The caret is on the key.
        assert_eq!((d[0].line, d[0].column), (8, 26));
        let string = errors(&TWO.replacen("alignment = 0.5", "alignment = \"0.5\"", 1));
        assert!(
            string[0]
                .message
                .starts_with("invalid type: string \"0.5\", expected f64 or a distribution"),
            "{}",
            string[0]
        );
        let date = errors(&TWO.replacen("alignment = 0.5", "alignment = 2025-01-01", 1));
        assert!(
            date[0].message.contains("invalid type: date-time"),
            "{}",
            date[0]
        );
        let steps_date = errors(&TWO.replace("steps = 12", "steps = 2025-01-01"));
        assert!(
            steps_date[0]
                .message
                .contains("expected a whole number, found 2025-01-01"),
            "{}",
            steps_date[0]
        );
    }

    #[test]
    fn names_are_unique_visible_and_not_empty() {
        let two = |first: &str, second: &str| {
            TWO.replacen("alignment = 0.5", &format!("alignment = {first}"), 1)
                .replacen("alignment = -0.5", &format!("alignment = {second}"), 1)
        };
        let d = errors(&two(
            "{ low = 0, high = 1, name = \"B.alignment\" }",
            "{ low = -1, high = 0 }",
        ));
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].message,
            "duplicate input name \"B.alignment\" (first on line 8)"
        );
        // The error sits on the second, a derived name, which is the whole table.
        assert_eq!((d[0].line, d[0].column), (14, 13));
        assert_eq!(
            d[0].related.as_ref().map(|r| (r.line, r.column)),
            Some((8, 41))
        );
        let d = errors(&two(
            "{ low = 0, high = 1, name = \"x\" }",
            "{ low = -1, high = 0, name = \"x\" }",
        ));
        assert_eq!(d[0].message, "duplicate input name \"x\" (first on line 8)");
        assert_eq!((d[0].line, d[0].column), (14, 42));
        assert_eq!(
            messages(&two("{ low = 0, high = 1, name = \" \" }", "0")),
            ["an input's name must not be empty"]
        );
        assert_eq!(
            messages(&two("{ low = 0, high = 1, name = \"a\\tb\" }", "0")),
            ["an input's name must not hold control characters, found \"a\\tb\""]
        );
    }
}
