//! The `[[event]]` tables: ids and labels, the kind and its actor and target, the effects of
//! a custom event, and the per-event numbers. Timing has a module of its own.

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;

use super::inputs::Slot;
use super::spelling::suggest_within;
use super::values::{Bound, listed};
use super::{Checker, Names};
use crate::scenario::inputs::InputTarget;
use crate::scenario::kinds::{BUILTIN_KINDS, CUSTOM_KIND, builtin};
use crate::scenario::raw::{RawEffect, RawEvent, Text};
use crate::scenario::{Diagnostic, Effect, Event, EventEffect};

/// Where an event stands: its index, and its id when that is valid. Inputs inside the event
/// are placed by the one and named by the other (`event.<id>.<field>`).
#[derive(Clone, Copy)]
pub(super) struct EventAt<'a> {
    pub(super) index: usize,
    pub(super) id: Option<&'a str>,
}

impl EventAt<'_> {
    pub(super) fn slot(self, field: &str, target: InputTarget) -> Slot {
        Slot::maybe(
            self.id.map(|id| format!("event.{id}.{field}")),
            Some(target),
        )
    }
}

impl Checker<'_> {
    pub(super) fn events(
        &mut self,
        raw: &[Spanned<RawEvent>],
        names: &Names,
    ) -> Option<Vec<Event>> {
        let ids = self.event_ids(raw);
        let mut events = Vec::with_capacity(raw.len());
        let mut ok = true;
        for (index, (table, id)) in raw.iter().zip(ids).enumerate() {
            if let Some(label) = &table.get_ref().label {
                ok &= self.printable("an event label", label);
            }
            let at = EventAt {
                index,
                id: id.as_deref(),
            };
            match (self.event(table, names, at), id) {
                (Some(mut event), Some(id)) => {
                    event.label = table
                        .get_ref()
                        .label
                        .as_ref()
                        .map_or_else(|| id.clone(), |l| l.get_ref().clone());
                    event.id = id;
                    events.push(event);
                }
                _ => ok = false,
            }
        }
        ok.then_some(events)
    }

    /// Explicit ids first, so a derived id never takes a name the file gives explicitly;
    /// then derived ids in file order, with `#2`, `#3`, ... on repeats.
    fn event_ids(&mut self, raw: &[Spanned<RawEvent>]) -> Vec<Option<String>> {
        let mut taken: HashMap<String, Range<usize>> = HashMap::new();
        let mut ids: Vec<Option<String>> = vec![None; raw.len()];
        for (slot, table) in ids.iter_mut().zip(raw) {
            let Some(id) = &table.get_ref().id else {
                continue;
            };
            if id.get_ref().trim().is_empty() {
                self.push(id.span(), "an event id must not be empty", "empty id", None);
                continue;
            }
            if !self.printable("an event id", id) {
                continue;
            }
            if let Some(first) = taken.get(id.get_ref()) {
                let first = first.clone();
                self.push_duplicate("event id", id.get_ref(), id.span(), first);
                continue;
            }
            taken.insert(id.get_ref().clone(), id.span());
            *slot = Some(id.get_ref().clone());
        }
        for (slot, table) in ids.iter_mut().zip(raw) {
            let e = table.get_ref();
            if e.id.is_some() {
                continue;
            }
            let base = match (&e.label, &e.kind, &e.actor, &e.target) {
                (Some(label), ..) => label.get_ref().clone(),
                (None, Some(kind), Some(actor), Some(target)) => {
                    format!(
                        "{}:{}->{}",
                        kind.get_ref(),
                        actor.get_ref(),
                        target.get_ref()
                    )
                }
                (None, Some(kind), ..) => kind.get_ref().clone(),
                (None, None, ..) => "event".to_string(),
            };
            let mut id = base.clone();
            let mut k = 2;
            while taken.contains_key(&id) {
                id = format!("{base}#{k}");
                k += 1;
            }
            taken.insert(id.clone(), table.span());
            *slot = Some(id);
        }
        ids
    }

    /// One event, with an empty id and label that [`Checker::events`] fills in.
    fn event(&mut self, table: &Spanned<RawEvent>, names: &Names, at: EventAt) -> Option<Event> {
        let whole = table.span();
        let e = table.get_ref();

        let kind = match &e.kind {
            None => {
                self.push(
                    whole.clone(),
                    "missing `kind` in [[event]]",
                    "add `kind = \"...\"` here",
                    Some(format!("the kinds are {}", kind_list(names))),
                );
                None
            }
            Some(kind) if kind.get_ref() == CUSTOM_KIND => Some((kind, None)),
            Some(kind) => match names.kinds.get(kind.get_ref()) {
                Some(c) => Some((kind, Some(*c))),
                None if self.full() => {
                    // Counted, not described: the suggestion would compare every kind's name.
                    self.unreported += 1;
                    None
                }
                None => {
                    let candidates = names.kinds.keys().map(String::as_str).chain([CUSTOM_KIND]);
                    let help =
                        match suggest_within(kind.get_ref(), candidates, &mut self.suggestions) {
                            Some(s) => format!("did you mean {s:?}?"),
                            None => format!(
                                "the kinds are {}; declare a new one in [kinds.NAME]",
                                kind_list(names)
                            ),
                        };
                    self.push(
                        kind.span(),
                        format!("unknown kind {:?}", kind.get_ref()),
                        "not a built-in or declared kind",
                        Some(help),
                    );
                    None
                }
            },
        };

        let actor = e.actor.as_ref().map(|a| self.actor_ref(names, a));
        let target = e.target.as_ref().map(|t| self.actor_ref(names, t));
        let mut ok = true;
        if let (Some(a), Some(t)) = (&e.actor, &e.target)
            && a.get_ref() == t.get_ref()
        {
            self.push(
                t.span(),
                format!(
                    "an event's target must differ from its actor, found {:?} for both",
                    a.get_ref()
                ),
                "same as `actor`",
                None,
            );
            ok = false;
        }

        let mut effect = None;
        if let Some((kind_name, coefficients)) = &kind {
            match coefficients {
                Some(c) => {
                    let kind_text = kind_name.get_ref();
                    for (key, value) in [("actor", &e.actor), ("target", &e.target)] {
                        if value.is_none() {
                            self.push(
                                whole.clone(),
                                format!("missing `{key}` in a {kind_text:?} event"),
                                &format!("add `{key} = \"...\"` here"),
                                Some(
                                    "every kind but \"custom\" needs an `actor` and a `target`"
                                        .into(),
                                ),
                            );
                        }
                    }
                    if let Some(effects) = &e.effects {
                        self.push(
                            effects.span(),
                            format!("`effects` only goes with kind = \"custom\", not {kind_text:?}"),
                            "not allowed here",
                            Some(format!(
                                "a {kind_text:?} event takes its effects from the kind's coefficients; change them in [kinds.{kind_text}]"
                            )),
                        );
                    } else {
                        effect = Some(EventEffect::Kind(*c));
                    }
                }
                None => {
                    effect = self
                        .custom_effects(e, kind_name, names, at)
                        .map(EventEffect::Custom)
                }
            }
        }

        let intensity = self.number_or(
            "intensity",
            e.intensity.as_ref(),
            Bound::NON_NEGATIVE,
            1.0,
            at.slot("intensity", InputTarget::EventIntensity(at.index)),
        );
        let probability = self.number_or(
            "probability",
            e.probability.as_ref(),
            Bound::UNIT,
            1.0,
            at.slot("probability", InputTarget::EventProbability(at.index)),
        );
        let default_attribution = kind.and_then(|(_, c)| c).map_or(1.0, |c| c.attribution);
        let attribution = self.number_or(
            "attribution",
            e.attribution.as_ref(),
            Bound::UNIT,
            default_attribution,
            at.slot("attribution", InputTarget::EventAttribution(at.index)),
        );
        let timing = self.timing(e, whole, names, at);

        if !ok {
            return None;
        }
        Some(Event {
            id: String::new(),
            label: String::new(),
            kind: e.kind.as_ref()?.get_ref().clone(),
            effect: effect?,
            actor: resolved(actor)?,
            target: resolved(target)?,
            intensity: intensity?,
            timing: timing?,
            probability: probability?,
            attribution: attribution?,
        })
    }

    fn custom_effects(
        &mut self,
        e: &RawEvent,
        kind: &Text,
        names: &Names,
        at: EventAt,
    ) -> Option<Vec<Effect>> {
        let Some(effects) = &e.effects else {
            self.push(
                kind.span(),
                "a custom event needs `effects`",
                "no `effects` in this event",
                Some(
                    "list them, e.g. `effects = [{ trust = [\"A\", \"B\"], delta = 0.2 }]`".into(),
                ),
            );
            return None;
        };
        if effects.get_ref().is_empty() {
            self.push(
                effects.span(),
                "a custom event needs at least one effect",
                "empty list",
                None,
            );
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for (k, effect) in effects.get_ref().iter().enumerate() {
            let slot = at.slot(
                &format!("delta{k}"),
                InputTarget::EventDelta {
                    event: at.index,
                    effect: k,
                },
            );
            match self.effect(effect, names, slot) {
                Some(x) => out.push(x),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn effect(&mut self, raw: &Spanned<RawEffect>, names: &Names, slot: Slot) -> Option<Effect> {
        let r: &RawEffect = raw.get_ref();
        let present: Vec<(&str, Range<usize>)> = [
            ("trust", r.trust.as_ref().map(|v| v.span())),
            ("threat", r.threat.as_ref().map(|v| v.span())),
            ("alignment", r.alignment.as_ref().map(|v| v.span())),
            ("power", r.power.as_ref().map(|v| v.span())),
        ]
        .into_iter()
        .filter_map(|(k, s)| s.map(|s| (k, s)))
        .collect();
        match present.as_slice() {
            [] => {
                self.push(
                    raw.span(),
                    "an effect needs one of trust, threat, alignment or power",
                    "says what `delta` changes",
                    None,
                );
                return None;
            }
            [_] => {}
            [(first, first_span), (second, second_span), ..] => {
                self.record(|text, origin| {
                    Diagnostic::new(
                        text,
                        origin,
                        second_span.clone(),
                        format!(
                            "an effect changes exactly one quantity, found `{first}` and `{second}`"
                        ),
                    )
                    .with_label(text, "second quantity")
                    .with_related(text, first_span.clone(), "first quantity")
                    .with_help(text, "split it into two effects")
                });
                return None;
            }
        }
        let delta = match &r.delta {
            Some(d) => self.number("delta", d, Bound::Finite, slot),
            None => {
                self.push(
                    raw.span(),
                    "missing `delta` in an effect",
                    "add `delta = ...` here",
                    None,
                );
                None
            }
        };
        if let Some(pair) = &r.trust {
            let (from, to) = self.actor_pair(names, "trust", pair)?;
            return Some(Effect::Trust {
                from,
                to,
                delta: delta?,
            });
        }
        if let Some(pair) = &r.threat {
            let (from, to) = self.actor_pair(names, "threat", pair)?;
            return Some(Effect::Threat {
                from,
                to,
                delta: delta?,
            });
        }
        if let Some(actor) = &r.alignment {
            let actor = self.actor_ref(names, actor)?;
            return Some(Effect::Alignment {
                actor,
                delta: delta?,
            });
        }
        let actor = self.actor_ref(names, r.power.as_ref()?)?;
        Some(Effect::Power {
            actor,
            delta: delta?,
        })
    }
}

/// An optional reference: `Some(None)` when absent, `None` when given but unresolved.
fn resolved(reference: Option<Option<usize>>) -> Option<Option<usize>> {
    match reference {
        None => Some(None),
        Some(index) => index.map(Some),
    }
}

fn kind_list(names: &Names) -> String {
    let mut list: Vec<&str> = BUILTIN_KINDS.iter().map(|k| k.name).collect();
    list.extend(
        names
            .kinds
            .keys()
            .map(String::as_str)
            .filter(|k| builtin(k).is_none()),
    );
    list.push(CUSTOM_KIND);
    let count = list.len();
    listed(list, count)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{parse, with};

    #[test]
    fn ids_derive_from_label_or_kind_and_repeat_with_a_suffix() {
        let s = parse(&with(
            r#"
[[event]]
kind = "visit"
actor = "A"
target = "B"
step = 1

[[event]]
kind = "visit"
actor = "A"
target = "B"
step = 2

[[event]]
kind = "visit"
actor = "A"
target = "B"
step = 3

[[event]]
kind = "talks"
actor = "B"
target = "A"
label = "summit"
step = 4

[[event]]
kind = "custom"
step = 5
effects = [{ alignment = "A", delta = 0.1 }]

[[event]]
id = "visit:A->B#2"
kind = "trade"
actor = "B"
target = "A"
step = 6
"#,
        ));
        let ids: Vec<&str> = s.events.iter().map(|e| e.id.as_str()).collect();
        // The explicit id of the last event is reserved first, so the repeats skip it.
        assert_eq!(
            ids,
            [
                "visit:A->B",
                "visit:A->B#3",
                "visit:A->B#4",
                "summit",
                "custom",
                "visit:A->B#2"
            ]
        );
        assert_eq!(s.events[0].label, "visit:A->B");
        assert_eq!(s.events[3].label, "summit");
        assert_eq!(s.events[0].actor, Some(0));
        assert_eq!(s.events[0].target, Some(1));
    }
}
