//! The `[[actor]]` tables and the `[[relation]]` tables that set baseline trust and reach
//! between pairs of them.

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;

use super::header::Header;
use super::inputs::Slot;
use super::values::Bound;
use super::{Checker, Names};
use crate::scenario::inputs::{ActorField, InputTarget};
use crate::scenario::raw::{RawActor, RawFile, RawRelation};
use crate::scenario::{Actor, ActorKind, Diagnostic, ModelParams};

/// The most actors a scenario may have. Trust and reach take n² cells each, and a run
/// keeps several n × n matrices per worker: at 5000 actors, 200 MB each.
pub const MAX_ACTORS: usize = 5000;

/// Baseline trust and reach, row-major, and which reach cells a relation sets (the others
/// inherit `model.reach`, so an input standing for it goes to them).
pub(super) struct Matrices {
    pub(super) trust0: Vec<f64>,
    pub(super) reach: Vec<f64>,
    pub(super) reach_given: Vec<bool>,
}

/// The two quantities a `[[relation]]` sets.
#[derive(Clone, Copy)]
enum Quantity {
    Trust,
    Reach,
}

/// Which directions of the pair `between = [A, B]` a key sets.
#[derive(Clone, Copy)]
enum Way {
    Both,
    AB,
    BA,
}

impl Checker<'_> {
    /// The actors that are valid; an invalid one is left out (its error is recorded), which
    /// keeps references to the valid ones resolvable.
    pub(super) fn actors(
        &mut self,
        raw: &RawFile,
        header: &Option<Header>,
        model: &ModelParams,
    ) -> Vec<Actor> {
        if raw.actor.is_empty() {
            let span = header
                .as_ref()
                .map_or_else(|| self.top(), |h| h.span.clone());
            self.push(
                span,
                "a scenario needs at least one [[actor]]",
                "no [[actor]] table in this file",
                Some("add an actor: [[actor]] with name, alignment, stubbornness and power".into()),
            );
            return Vec::new();
        }
        if let Some(extra) = raw.actor.get(MAX_ACTORS) {
            self.push(
                extra.span(),
                format!(
                    "a scenario may hold at most {MAX_ACTORS} actors; this file has {}",
                    raw.actor.len()
                ),
                "the first actor past the limit",
                Some(
                    "a step costs about n³ operations and n² numbers for n actors: a world \
                     this large would not fit the machine; split it into regions"
                        .into(),
                ),
            );
            return Vec::new();
        }
        let mut seen: HashMap<String, Range<usize>> = HashMap::new();
        let mut actors = Vec::new();
        for (index, table) in raw.actor.iter().enumerate() {
            if let Some(actor) = self.actor(index, table, model, &mut seen) {
                actors.push(actor);
            }
        }
        actors
    }

    /// One actor; `index` is its place among the `[[actor]]` tables, which is its index in
    /// the scenario whenever the scenario is valid.
    fn actor(
        &mut self,
        index: usize,
        table: &Spanned<RawActor>,
        model: &ModelParams,
        seen: &mut HashMap<String, Range<usize>>,
    ) -> Option<Actor> {
        let whole = table.span();
        let a = table.get_ref();
        let name = match &a.name {
            None => {
                self.push(
                    whole.clone(),
                    "missing `name` in [[actor]]",
                    "add `name = \"...\"` here",
                    None,
                );
                None
            }
            Some(name) if !self.printable("an actor's name", name) => None,
            Some(name) if name.get_ref().trim().is_empty() => {
                self.push(
                    name.span(),
                    "an actor's name must not be empty",
                    "empty name",
                    None,
                );
                None
            }
            Some(name) => match seen.get(name.get_ref()) {
                Some(first) => {
                    let first = first.clone();
                    self.push_duplicate("actor", name.get_ref(), name.span(), first);
                    None
                }
                None => {
                    seen.insert(name.get_ref().clone(), name.span());
                    Some(name.get_ref().clone())
                }
            },
        };
        let table_name = match &a.name {
            Some(name) => format!("[[actor]] {:?}", name.get_ref()),
            None => "[[actor]]".to_string(),
        };
        let kind = match &a.kind {
            None => Some(ActorKind::State),
            Some(kind) => self.choice(
                "actor kind",
                kind,
                &[("state", ActorKind::State), ("group", ActorKind::Group)],
                "\"state\" or \"group\"",
            ),
        };
        let slot = |field: ActorField| {
            Slot::maybe(
                name.as_ref().map(|n| format!("{n}.{}", field.name())),
                Some(InputTarget::Actor {
                    actor: index,
                    field,
                }),
            )
        };
        let alignment = self.required_number(
            "alignment",
            a.alignment.as_ref(),
            Bound::SIGNED_UNIT,
            whole.clone(),
            &table_name,
            slot(ActorField::Alignment),
        );
        let stubbornness = self.required_number(
            "stubbornness",
            a.stubbornness.as_ref(),
            Bound::UNIT,
            whole.clone(),
            &table_name,
            slot(ActorField::Stubbornness),
        );
        let power = self.required_number(
            "power",
            a.power.as_ref(),
            Bound::UNIT,
            whole.clone(),
            &table_name,
            slot(ActorField::Power),
        );
        let self_weight = self.number_or(
            "self_weight",
            a.self_weight.as_ref(),
            Bound::NON_NEGATIVE,
            model.self_weight,
            slot(ActorField::SelfWeight),
        );
        Some(Actor {
            name: name?,
            kind: kind?,
            alignment: alignment?,
            stubbornness: stubbornness?,
            power: power?,
            self_weight: self_weight?,
        })
    }

    /// Baseline trust and reach, row-major.
    pub(super) fn relations(
        &mut self,
        raw: &[Spanned<RawRelation>],
        names: &Names,
        model: &ModelParams,
    ) -> Option<Matrices> {
        let n = names.actors.len();
        let mut trust0 = vec![0.0; n * n];
        let mut reach = vec![0.0; n * n];
        let mut reach_given = vec![false; n * n];
        for i in 0..n {
            for j in 0..n {
                if i != j {
                    reach[i * n + j] = model.reach;
                }
            }
        }
        let mut ok = true;
        let mut seen: HashMap<(usize, usize), Range<usize>> = HashMap::new();
        for table in raw {
            let whole = table.span();
            let r = table.get_ref();
            let pair = match &r.between {
                Some(between) => {
                    let pair = self.actor_pair(names, "between", between);
                    if let Some((a, b)) = pair {
                        let key = (a.min(b), a.max(b));
                        if let Some(first) = seen.get(&key) {
                            let first = first.clone();
                            let name = format!("{} and {}", names.actors[a], names.actors[b]);
                            let line = self.line(first.start);
                            self.record(|text, origin| {
                                Diagnostic::new(
                                    text,
                                    origin,
                                    between.span(),
                                    format!("duplicate relation between {name} (first on line {line})"),
                                )
                                .with_label(text, "this pair again")
                                .with_related(text, first, "first given here")
                                .with_help(text, "a pair may appear only once, in either order; use trust_ab/trust_ba for the two directions")
                            });
                            ok = false;
                            continue;
                        }
                        seen.insert(key, between.span());
                    }
                    pair
                }
                None => {
                    self.push(
                        whole.clone(),
                        "missing `between` in [[relation]]",
                        "add `between = [\"A\", \"B\"]` here",
                        None,
                    );
                    None
                }
            };
            let keys = [
                &r.trust,
                &r.trust_ab,
                &r.trust_ba,
                &r.reach,
                &r.reach_ab,
                &r.reach_ba,
            ];
            if keys.iter().all(|k| k.is_none()) {
                self.push(
                    whole,
                    "a [[relation]] needs at least one of trust, trust_ab, trust_ba, reach, reach_ab, reach_ba",
                    "nothing set for this pair",
                    None,
                );
                ok = false;
                continue;
            }
            // An input on `trust` goes to both directions but one that `trust_ab` or
            // `trust_ba` sets on its own; likewise for reach.
            let own_trust = (r.trust_ab.is_some(), r.trust_ba.is_some());
            let own_reach = (r.reach_ab.is_some(), r.reach_ba.is_some());
            let slot = |quantity: Quantity, way: Way| {
                let Some((a, b)) = pair else {
                    return Slot::unresolved();
                };
                let (na, nb) = (&names.actors[a], &names.actors[b]);
                let (own_ab, own_ba) = match quantity {
                    Quantity::Trust => own_trust,
                    Quantity::Reach => own_reach,
                };
                let (name, cells) = match way {
                    Way::Both => (
                        format!("{na}<->{nb}"),
                        [((a, b), own_ab), ((b, a), own_ba)]
                            .into_iter()
                            .filter(|(_, own)| !own)
                            .map(|(cell, _)| cell)
                            .collect(),
                    ),
                    Way::AB => (format!("{na}->{nb}"), vec![(a, b)]),
                    Way::BA => (format!("{nb}->{na}"), vec![(b, a)]),
                };
                match quantity {
                    Quantity::Trust => {
                        Slot::new(format!("{name}.trust"), InputTarget::Trust { cells })
                    }
                    Quantity::Reach => {
                        Slot::new(format!("{name}.reach"), InputTarget::Reach { cells })
                    }
                }
            };
            use {Quantity as Q, Way as W};
            let trust = self.optional(
                &r.trust,
                "trust",
                Bound::SIGNED_UNIT,
                slot(Q::Trust, W::Both),
            );
            let trust_ab = self.optional(
                &r.trust_ab,
                "trust_ab",
                Bound::SIGNED_UNIT,
                slot(Q::Trust, W::AB),
            );
            let trust_ba = self.optional(
                &r.trust_ba,
                "trust_ba",
                Bound::SIGNED_UNIT,
                slot(Q::Trust, W::BA),
            );
            let both = self.optional(&r.reach, "reach", Bound::UNIT, slot(Q::Reach, W::Both));
            let reach_ab =
                self.optional(&r.reach_ab, "reach_ab", Bound::UNIT, slot(Q::Reach, W::AB));
            let reach_ba =
                self.optional(&r.reach_ba, "reach_ba", Bound::UNIT, slot(Q::Reach, W::BA));
            let (
                Some((a, b)),
                Some(trust),
                Some(trust_ab),
                Some(trust_ba),
                Some(both),
                Some(reach_ab),
                Some(reach_ba),
            ) = (pair, trust, trust_ab, trust_ba, both, reach_ab, reach_ba)
            else {
                ok = false;
                continue;
            };
            if let Some(t) = trust_ab.or(trust) {
                trust0[a * n + b] = t;
            }
            if let Some(t) = trust_ba.or(trust) {
                trust0[b * n + a] = t;
            }
            if let Some(x) = reach_ab.or(both) {
                reach[a * n + b] = x;
                reach_given[a * n + b] = true;
            }
            if let Some(x) = reach_ba.or(both) {
                reach[b * n + a] = x;
                reach_given[b * n + a] = true;
            }
        }
        ok.then_some(Matrices {
            trust0,
            reach,
            reach_given,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{parse, with};

    #[test]
    fn relations_fill_both_directions_and_asymmetric_overrides() {
        let s = parse(&with(
            r#"
[[relation]]
between = ["B", "A"]
trust = 0.4
trust_ab = -0.3
reach_ab = 0.9
"#,
        ));
        // A = "B" (index 1), B = "A" (index 0): trust_ab is trust of index 1 in index 0.
        assert_eq!(s.trust0, vec![0.0, 0.4, -0.3, 0.0]);
        // reach_ab = R[1][0]; the other direction keeps the model default.
        assert_eq!(s.reach, vec![0.0, 0.5, 0.9, 0.0]);
    }
}
