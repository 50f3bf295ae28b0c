//! When an `[[event]]` is due: the five timing keys (`step`, `steps`, `every`, `hazard`,
//! `trigger`), the `from`/`until` window and `once`, all placed on the horizon.

use std::collections::HashMap;
use std::ops::Range;

use super::events::EventAt;
use super::values::Bound;
use super::{Checker, Names};
use crate::scenario::inputs::InputTarget;
use crate::scenario::raw::{Fixed, Integer, RawEvent};
use crate::scenario::{Diagnostic, Timing};

/// Which of the five timing keys an event uses.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TimingKey {
    Step,
    Steps,
    Every,
    Hazard,
    Trigger,
}

impl TimingKey {
    fn name(self) -> &'static str {
        match self {
            TimingKey::Step => "step",
            TimingKey::Steps => "steps",
            TimingKey::Every => "every",
            TimingKey::Hazard => "hazard",
            TimingKey::Trigger => "trigger",
        }
    }
}

impl Checker<'_> {
    /// A step at which an event may fall: `0..steps`.
    fn event_step(&mut self, key: &str, value: &Integer, steps: usize) -> Option<usize> {
        let t = self.integer(key, value, 0, i64::MAX)?;
        if t >= steps {
            let what = if key == "step" || key == "steps" {
                format!("event at step {t}")
            } else {
                format!("`{key} = {t}`")
            };
            self.push(
                value.span(),
                format!(
                    "{what} is past the horizon: steps = {steps}, so events may fall on steps 0..={}",
                    steps - 1
                ),
                "past the horizon",
                Some("an event of step t acts on the move from t to t + 1, so t must be below `steps`".into()),
            );
            return None;
        }
        Some(t)
    }

    pub(super) fn timing(
        &mut self,
        e: &RawEvent,
        whole: Range<usize>,
        names: &Names,
        at: EventAt,
    ) -> Option<Timing> {
        let present: Vec<(TimingKey, Range<usize>)> = [
            (TimingKey::Step, e.step.as_ref().map(|v| v.span())),
            (TimingKey::Steps, e.steps.as_ref().map(|v| v.span())),
            (TimingKey::Every, e.every.as_ref().map(|v| v.span())),
            (TimingKey::Hazard, e.hazard.as_ref().map(|v| v.span())),
            (TimingKey::Trigger, e.trigger.as_ref().map(|v| v.span())),
        ]
        .into_iter()
        .filter_map(|(k, s)| s.map(|s| (k, s)))
        .collect();
        let key = match present.as_slice() {
            [] => {
                self.push(
                    whole,
                    "an event needs a timing: one of step, steps, every, hazard or trigger",
                    "no timing in this event",
                    Some("e.g. `step = 3`, `steps = [3, 7]`, `every = 4`, `hazard = 0.05` or `trigger = { ... }`".into()),
                );
                return None;
            }
            [(key, _)] => *key,
            [(first, first_span), (second, second_span), ..] => {
                self.record(|text, origin| {
                    Diagnostic::new(
                        text,
                        origin,
                        second_span.clone(),
                        format!(
                            "an event takes exactly one timing key, found `{}` and `{}`",
                            first.name(),
                            second.name()
                        ),
                    )
                    .with_label(text, "second timing key")
                    .with_related(text, first_span.clone(), "first timing key")
                    .with_help(text, "to repeat an event use `steps = [...]` or `every`; to combine timings write two events")
                });
                return None;
            }
        };

        let windowed = matches!(
            key,
            TimingKey::Every | TimingKey::Hazard | TimingKey::Trigger
        );
        let mut ok = true;
        for (name, value) in [("from", &e.from), ("until", &e.until)] {
            if let Some(value) = value
                && !windowed
            {
                self.push(
                    value.span(),
                    format!(
                        "`{name}` goes with every, hazard or trigger, not with `{}`",
                        key.name()
                    ),
                    "not allowed with this timing",
                    None,
                );
                ok = false;
            }
        }
        if let Some(cooldown) = &e.cooldown
            && key != TimingKey::Trigger
        {
            self.push(
                cooldown.span(),
                format!(
                    "`cooldown` goes with trigger only, not with `{}`",
                    key.name()
                ),
                "not allowed with this timing",
                None,
            );
            ok = false;
        }
        if let Some(once) = &e.once
            && key != TimingKey::Trigger
        {
            self.push(
                once.span(),
                format!("`once` goes with trigger only, not with `{}`", key.name()),
                "not allowed with this timing",
                None,
            );
            ok = false;
        }

        // Without a valid horizon, nothing can be placed on it; `steps` has its own error.
        let steps = names.steps?;
        let (from, until) = if windowed {
            let from = match &e.from {
                Some(v) => self.event_step("from", v, steps),
                None => Some(0),
            };
            let until = match &e.until {
                Some(v) => self.event_step("until", v, steps),
                None => Some(steps - 1),
            };
            if let (Some(f), Some(u), Some(v)) = (from, until, &e.until)
                && f > u
            {
                self.push(
                    v.span(),
                    format!("`until` must not come before `from`, found from = {f}, until = {u}"),
                    "before `from`",
                    None,
                );
                ok = false;
            }
            (from, until)
        } else {
            (Some(0), Some(0))
        };
        let (from, until) = (from?, until?);

        let timing = match key {
            TimingKey::Step => {
                let t = self.event_step("step", e.step.as_ref()?, steps)?;
                let mut due = vec![false; steps];
                due[t] = true;
                Timing::Scheduled(due)
            }
            TimingKey::Steps => {
                let list = e.steps.as_ref()?;
                if list.get_ref().is_empty() {
                    self.push(list.span(), "`steps` lists no step", "empty list", None);
                    return None;
                }
                let mut due = vec![false; steps];
                let mut first_of: HashMap<usize, Range<usize>> = HashMap::new();
                for value in list.get_ref() {
                    let Some(t) = self.event_step("steps", value, steps) else {
                        ok = false;
                        continue;
                    };
                    if let Some(first) = first_of.get(&t) {
                        self.record(|text, origin| {
                            Diagnostic::new(
                                text,
                                origin,
                                value.span(),
                                format!("step {t} is listed twice in `steps`"),
                            )
                            .with_label(text, "listed again here")
                            .with_related(text, first.clone(), "first listed here")
                            .with_help(
                                text,
                                "an event is due at most once per step; raise `intensity` for a stronger act",
                            )
                        });
                        ok = false;
                        continue;
                    }
                    first_of.insert(t, value.span());
                    due[t] = true;
                }
                Timing::Scheduled(due)
            }
            TimingKey::Every => {
                let k = self.integer("every", e.every.as_ref()?, 1, i64::MAX)?;
                let mut due = vec![false; steps];
                for t in (from..=until).step_by(k) {
                    due[t] = true;
                }
                Timing::Scheduled(due)
            }
            TimingKey::Hazard => {
                let rate = self.number(
                    "hazard",
                    e.hazard.as_ref()?,
                    Bound::UNIT,
                    at.slot("hazard", InputTarget::EventHazard(at.index)),
                )?;
                Timing::Hazard { rate, from, until }
            }
            TimingKey::Trigger => {
                let trigger = e.trigger.as_ref()?;
                let condition = self.condition(
                    trigger.get_ref(),
                    trigger.span(),
                    "trigger",
                    names,
                    at.slot("trigger", InputTarget::EventTrigger(at.index)),
                )?;
                let once = match e.once.as_ref().map(|o| (o.get_ref(), o.span())) {
                    None => true,
                    Some((Fixed::Value(once), _)) => *once,
                    Some((Fixed::Distribution, span)) => {
                        self.refuse_distribution("once", span, "true or false");
                        return None;
                    }
                };
                let cooldown = match &e.cooldown {
                    None => 0,
                    Some(c) if once => {
                        self.push(
                            c.span(),
                            "`cooldown` goes with `once = false`: a trigger that fires once never \
                             comes back",
                            "needs once = false",
                            None,
                        );
                        return None;
                    }
                    Some(c) => self.integer("cooldown", c, 0, i64::MAX)?,
                };
                Timing::Trigger {
                    condition,
                    once,
                    cooldown,
                    from,
                    until,
                }
            }
        };
        ok.then_some(timing)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{parse, with};
    use crate::scenario::Timing;

    fn due_steps(timing: &Timing) -> Vec<usize> {
        match timing {
            Timing::Scheduled(due) => (0..due.len()).filter(|&t| due[t]).collect(),
            other => panic!("expected a schedule, got {other:?}"),
        }
    }

    #[test]
    fn every_from_until_expand_to_a_schedule() {
        let s = parse(&with(
            r#"
[[event]]
kind = "visit"
actor = "A"
target = "B"
every = 4
from = 2
until = 10

[[event]]
kind = "visit"
actor = "A"
target = "B"
every = 5

[[event]]
kind = "visit"
actor = "A"
target = "B"
steps = [11, 0, 3]

[[event]]
kind = "visit"
actor = "A"
target = "B"
step = 7
"#,
        ));
        assert_eq!(due_steps(&s.events[0].timing), vec![2, 6, 10]);
        assert_eq!(due_steps(&s.events[1].timing), vec![0, 5, 10]);
        assert_eq!(due_steps(&s.events[2].timing), vec![0, 3, 11]);
        assert_eq!(due_steps(&s.events[3].timing), vec![7]);
        for e in &s.events {
            let Timing::Scheduled(due) = &e.timing else {
                unreachable!()
            };
            assert_eq!(due.len(), 12);
        }
    }
}
