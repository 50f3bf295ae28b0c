//! The `[[actor]]` tables and the `[[relation]]` tables that set baseline trust and reach
//! between pairs of them.

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;

use super::header::Header;
use super::values::Bound;
use super::{Checker, Names};
use crate::scenario::raw::{RawActor, RawFile, RawRelation};
use crate::scenario::{Actor, ActorKind, Diagnostic, ModelParams};

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
        let mut seen: HashMap<String, Range<usize>> = HashMap::new();
        let mut actors = Vec::new();
        for table in &raw.actor {
            if let Some(actor) = self.actor(table, model, &mut seen) {
                actors.push(actor);
            }
        }
        actors
    }

    fn actor(
        &mut self,
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
        let alignment = self.required_number(
            "alignment",
            a.alignment.as_ref(),
            Bound::SIGNED_UNIT,
            whole.clone(),
            &table_name,
        );
        let stubbornness = self.required_number(
            "stubbornness",
            a.stubbornness.as_ref(),
            Bound::UNIT,
            whole.clone(),
            &table_name,
        );
        let power = self.required_number(
            "power",
            a.power.as_ref(),
            Bound::UNIT,
            whole.clone(),
            &table_name,
        );
        let self_weight = self.number_or(
            "self_weight",
            a.self_weight.as_ref(),
            Bound::NON_NEGATIVE,
            model.self_weight,
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
    ) -> Option<(Vec<f64>, Vec<f64>)> {
        let n = names.actors.len();
        let mut trust0 = vec![0.0; n * n];
        let mut reach = vec![0.0; n * n];
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
                            let diagnostic = Diagnostic::new(
                                self.text,
                                self.origin,
                                between.span(),
                                format!("duplicate relation between {name} (first on line {line})"),
                            )
                            .with_label(self.text, "this pair again")
                            .with_related(self.text, first, "first given here")
                            .with_help(self.text, "a pair may appear only once, in either order; use trust_ab/trust_ba for the two directions");
                            self.diagnostics.push(diagnostic);
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
            let trust = self.optional(&r.trust, "trust", Bound::SIGNED_UNIT);
            let trust_ab = self.optional(&r.trust_ab, "trust_ab", Bound::SIGNED_UNIT);
            let trust_ba = self.optional(&r.trust_ba, "trust_ba", Bound::SIGNED_UNIT);
            let both = self.optional(&r.reach, "reach", Bound::UNIT);
            let reach_ab = self.optional(&r.reach_ab, "reach_ab", Bound::UNIT);
            let reach_ba = self.optional(&r.reach_ba, "reach_ba", Bound::UNIT);
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
            }
            if let Some(x) = reach_ba.or(both) {
                reach[b * n + a] = x;
            }
        }
        ok.then_some((trust0, reach))
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
