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
use crate::scenario::raw::{Fixed, Integer, RawEffect, RawEvent, Text};
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

    /// Explicit ids first, then derived ones. A derived id depends on nothing but the event's
    /// own kind, actor, target and timing, so that renaming a label or inserting, removing or
    /// moving another event keeps it, and with it the event's random draws. Two events that
    /// would derive the same id cannot be told apart that way: that is an error asking for an
    /// explicit id, rather than a suffix that would depend on the order of the file.
    fn event_ids(&mut self, raw: &[Spanned<RawEvent>]) -> Vec<Option<String>> {
        let mut taken: HashMap<String, (Range<usize>, bool)> = HashMap::new();
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
            if let Some((first, _)) = taken.get(id.get_ref()) {
                let first = first.clone();
                self.push_duplicate("event id", id.get_ref(), id.span(), first);
                continue;
            }
            taken.insert(id.get_ref().clone(), (id.span(), true));
            *slot = Some(id.get_ref().clone());
        }
        for (slot, table) in ids.iter_mut().zip(raw) {
            let e = table.get_ref();
            if e.id.is_some() {
                continue;
            }
            let id = derived_id(e);
            if let Some((first, explicit)) = taken.get(&id) {
                let line = self.line(first.start);
                let (message, related) = if *explicit {
                    (
                        format!(
                            "this event's derived id {id:?} is the explicit id of the event on line {line}"
                        ),
                        "given here",
                    )
                } else {
                    (
                        format!(
                            "two events derive the same id {id:?} (first on line {line}): same kind, actor, target and timing"
                        ),
                        "derives the same id",
                    )
                };
                let diagnostic = Diagnostic::new(self.text, self.origin, table.span(), message)
                    .with_label(self.text, "derives it again")
                    .with_related(self.text, first.clone(), related)
                    .with_help(
                        self.text,
                        "give this event an explicit `id = \"...\"`: an event's id keys its random draws, so it must be unique",
                    );
                self.diagnostics.push(diagnostic);
                continue;
            }
            taken.insert(id.clone(), (table.span(), false));
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

/// The id of an event without an explicit one: `kind:actor->target@timing`, from the keys as
/// written. The timing part names when the event is due (`3`, `1,5`, `every 4 from 2`,
/// `hazard from 1 until 20`, `trigger threat(Iran,Israel) >`) but leaves out the numbers that
/// may be uncertain or tuned (a hazard's rate, a trigger's threshold), so that changing one of
/// them keeps the event's draws and a comparison of the two stays paired run by run.
fn derived_id(e: &RawEvent) -> String {
    let mut id = e
        .kind
        .as_ref()
        .map_or_else(|| "event".to_string(), |k| k.get_ref().clone());
    if let Some(actor) = &e.actor {
        id.push(':');
        id.push_str(actor.get_ref());
    }
    if let Some(target) = &e.target {
        id.push_str("->");
        id.push_str(target.get_ref());
    }
    let integer = |v: &Integer| match v.get_ref() {
        Fixed::Value(n) => n.to_string(),
        Fixed::Distribution => "?".to_string(),
    };
    let mut timing: Vec<String> = Vec::new();
    if let Some(step) = &e.step {
        timing.push(integer(step));
    }
    if let Some(steps) = &e.steps {
        timing.push(
            steps
                .get_ref()
                .iter()
                .map(integer)
                .collect::<Vec<_>>()
                .join(","),
        );
    }
    if let Some(every) = &e.every {
        timing.push(format!("every {}", integer(every)));
    }
    if e.hazard.is_some() {
        timing.push("hazard".to_string());
    }
    if let Some(trigger) = &e.trigger {
        let c = trigger.get_ref();
        fn text(t: &Option<Text>) -> &str {
            t.as_ref().map_or("", |t| t.get_ref().as_str())
        }
        let mut who = text(&c.actor).to_string();
        if let Some(other) = &c.other {
            who.push(',');
            who.push_str(other.get_ref());
        }
        timing.push(format!(
            "trigger {}({who}) {}",
            text(&c.metric),
            text(&c.op)
        ));
    }
    if let Some(from) = &e.from {
        timing.push(format!("from {}", integer(from)));
    }
    if let Some(until) = &e.until {
        timing.push(format!("until {}", integer(until)));
    }
    if !timing.is_empty() {
        id.push('@');
        id.push_str(&timing.join(" "));
    }
    id
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
    use super::super::test_support::{errors, parse, with};

    #[test]
    fn ids_derive_from_kind_actor_target_and_timing_never_from_the_label() {
        let s = parse(&with(
            r#"
[[event]]
kind = "visit"
actor = "A"
target = "B"
step = 1
label = "A visits B"

[[event]]
kind = "visit"
actor = "A"
target = "B"
steps = [2, 5]

[[event]]
kind = "visit"
actor = "A"
target = "B"
every = 4
from = 3

[[event]]
kind = "talks"
actor = "B"
target = "A"
hazard = { low = 0.1, high = 0.2 }
until = 9

[[event]]
kind = "warning"
actor = "A"
target = "B"
trigger = { metric = "threat", actor = "A", other = "B", op = ">", value = 0.4 }

[[event]]
kind = "custom"
step = 5
effects = [{ alignment = "A", delta = 0.1 }]

[[event]]
id = "visit:A->B@3"
kind = "trade"
actor = "B"
target = "A"
step = 6
"#,
        ));
        let ids: Vec<&str> = s.events.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "visit:A->B@1",
                "visit:A->B@2,5",
                "visit:A->B@every 4 from 3",
                "talks:B->A@hazard until 9",
                "warning:A->B@trigger threat(A,B) >",
                "custom@5",
                "visit:A->B@3"
            ]
        );
        assert_eq!(s.events[0].label, "A visits B");
        assert_eq!(s.events[1].label, "visit:A->B@2,5");
        assert_eq!(s.events[0].actor, Some(0));
        assert_eq!(s.events[0].target, Some(1));
        // The hazard's uncertain rate is named by the id, which does not contain the rate.
        assert_eq!(s.inputs[0].name, "event.talks:B->A@hazard until 9.hazard");
    }

    #[test]
    fn two_events_that_derive_one_id_ask_for_an_explicit_one() {
        let twice = r#"
[[event]]
kind = "visit"
actor = "A"
target = "B"
step = 1
label = "first"

[[event]]
kind = "visit"
actor = "A"
target = "B"
step = 1
label = "second"
intensity = 2
"#;
        let found = errors(&with(twice));
        assert_eq!(found.len(), 1, "{found:?}");
        let text = found[0].rendered();
        assert!(text.contains("\"visit:A->B@1\""), "{text}");
        assert!(text.contains("explicit `id"), "{text}");
        // An explicit id on either one settles it.
        let settled = twice.replacen("label = \"second\"", "id = \"second\"", 1);
        let s = parse(&with(&settled));
        assert_eq!(s.events[1].id, "second");

        let taken = r#"
[[event]]
id = "visit:A->B@1"
kind = "trade"
actor = "B"
target = "A"
step = 2

[[event]]
kind = "visit"
actor = "A"
target = "B"
step = 1
"#;
        let found = errors(&with(taken));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].rendered().contains("explicit id"),
            "{}",
            found[0].rendered()
        );
    }
}
