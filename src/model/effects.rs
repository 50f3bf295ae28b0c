//! What one firing of an event does to the state (MODEL.md, "Events").
//!
//! Effects are applied in the order MODEL.md lists them, each clamped to its range as it
//! applies, so a later effect of the same event sees the earlier ones.

use super::State;
use super::lanes::LaneState;
use crate::scenario::{Effect, Holder, KindCoefficients};

/// Which quantity of the state an event reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Alignment,
    Trust,
    Shock,
    Power,
}

/// The entries of one run's state that events read and write, wherever the state is kept:
/// a [`State`] of its own, or one lane of the states of runs side by side, so that an event
/// applies in place in either, with the same operations.
pub trait Entries {
    fn n(&self) -> usize;
    fn get(&self, field: Field, at: usize) -> f64;
    fn set(&mut self, field: Field, at: usize, x: f64);
}

impl Entries for State {
    #[inline(always)]
    fn n(&self) -> usize {
        self.n
    }

    #[inline(always)]
    fn get(&self, field: Field, at: usize) -> f64 {
        match field {
            Field::Alignment => self.alignment[at],
            Field::Trust => self.trust[at],
            Field::Shock => self.shock[at],
            Field::Power => self.power[at],
        }
    }

    #[inline(always)]
    fn set(&mut self, field: Field, at: usize, x: f64) {
        let slot = match field {
            Field::Alignment => &mut self.alignment[at],
            Field::Trust => &mut self.trust[at],
            Field::Shock => &mut self.shock[at],
            Field::Power => &mut self.power[at],
        };
        *slot = x;
    }
}

/// Lane `.1` of the states of runs side by side.
pub struct Lane<'a>(pub &'a mut LaneState, pub usize);

impl Entries for Lane<'_> {
    #[inline(always)]
    fn n(&self) -> usize {
        self.0.n
    }

    #[inline(always)]
    fn get(&self, field: Field, at: usize) -> f64 {
        let st = &self.0;
        let lanes = match field {
            Field::Alignment => &st.alignment,
            Field::Trust => &st.trust,
            Field::Shock => &st.shock,
            Field::Power => &st.power,
        };
        lanes[at][self.1]
    }

    #[inline(always)]
    fn set(&mut self, field: Field, at: usize, x: f64) {
        let st = &mut self.0;
        let lanes = match field {
            Field::Alignment => &mut st.alignment,
            Field::Trust => &mut st.trust,
            Field::Shock => &mut st.shock,
            Field::Power => &mut st.power,
        };
        lanes[at][self.1] = x;
    }
}

/// Applies one firing of a kind, by `actor` (A) on `target` (B), with magnitude `m`.
/// `attributed` says whether B blames A; `audience` is the model's η.
pub fn apply_kind(
    st: &mut impl Entries,
    k: &KindCoefficients,
    actor: usize,
    target: usize,
    m: f64,
    attributed: bool,
    audience: f64,
) {
    let n = st.n();
    let (a, b) = (actor, target);
    let g = k.valence;

    if !attributed {
        // Covert and not attributed: the damage is done (the power effects apply), but B
        // cannot tell who did it, so only B's insecurity rises, towards those B already
        // distrusts ("blame the usual enemies"). No trust, pull or audience effect.
        bump_power(st, b, k.c_power_target * m);
        bump_power(st, a, k.c_power_actor * m);
        blame_usual_enemies(st, b, k.c_threat * g.abs() * m);
        return;
    }

    // Trust of B in A, and of A in B.
    bump_trust(st, b * n + a, k.c_in * g * m);
    bump_trust(st, a * n + b, k.c_out * g * m);
    // Threat shock B feels from A.
    bump_shock(st, b * n + a, k.c_threat * g.abs() * m);
    // Power.
    bump_power(st, b, k.c_power_target * m);
    bump_power(st, a, k.c_power_actor * m);
    // Pull: cooperation draws B toward A's side, hostility pushes it away.
    let pull = k.c_pull * g * m * (st.get(Field::Alignment, a) - st.get(Field::Alignment, b));
    st.set(
        Field::Alignment,
        b,
        (st.get(Field::Alignment, b) + pull).clamp(-1.0, 1.0),
    );
    // Audience: friends of B side with B in how they see A.
    let audience_scale = audience * k.c_audience * g * m;
    if audience_scale != 0.0 {
        for other in (0..n).filter(|&o| o != a && o != b) {
            let t_kb = st.get(Field::Trust, other * n + b);
            bump_trust(st, other * n + a, audience_scale * t_kb);
        }
    }
    // Third parties: the enemies of the capability holder are frightened.
    if k.c_third != 0.0 {
        // The capability holder: the armed target of a transfer, the actor of a display or
        // use of force. Its enemies, not the victim's, are the ones frightened.
        let h = match k.third_party {
            Holder::Target => b,
            Holder::Actor => a,
        };
        for other in (0..n).filter(|&o| o != a && o != b) {
            let t_kh = st.get(Field::Trust, other * n + h);
            if t_kh < 0.0 {
                bump_shock(st, other * n + h, k.c_third * m * -t_kh);
            }
        }
    }
}

/// Each k whom `victim` distrusts gets a threat shock S_victim,k += size · (−T_victim,k):
/// an unattributed act is blamed on the usual enemies.
fn blame_usual_enemies(st: &mut impl Entries, victim: usize, size: f64) {
    let n = st.n();
    let row = victim * n;
    for other in 0..n {
        let t = st.get(Field::Trust, row + other);
        if other != victim && t < 0.0 {
            bump_shock(st, row + other, size * -t);
        }
    }
}

/// Applies the primitive deltas of a `custom` event, each scaled by `m`, in order.
pub fn apply_custom(st: &mut impl Entries, effects: &[Effect], m: f64, attributed: bool) {
    let n = st.n();
    if !attributed {
        // As for a covert kind: only the power deltas apply, and each threat delta becomes
        // its victim's fear of the usual enemies.
        for e in effects {
            match *e {
                Effect::Power { actor, delta } => {
                    bump_power(st, actor, delta * m);
                }
                Effect::Threat { from, delta, .. } => {
                    blame_usual_enemies(st, from, delta.abs() * m);
                }
                Effect::Trust { .. } | Effect::Alignment { .. } => {}
            }
        }
        return;
    }
    for e in effects {
        match *e {
            Effect::Trust { from, to, delta } => bump_trust(st, from * n + to, delta * m),
            Effect::Threat { from, to, delta } => bump_shock(st, from * n + to, delta * m),
            Effect::Power { actor, delta } => {
                bump_power(st, actor, delta * m);
            }
            Effect::Alignment { actor, delta } => {
                st.set(
                    Field::Alignment,
                    actor,
                    (st.get(Field::Alignment, actor) + delta * m).clamp(-1.0, 1.0),
                );
            }
        }
    }
}

fn bump_trust(st: &mut impl Entries, at: usize, delta: f64) {
    st.set(
        Field::Trust,
        at,
        (st.get(Field::Trust, at) + delta).clamp(-1.0, 1.0),
    );
}

fn bump_shock(st: &mut impl Entries, at: usize, delta: f64) {
    st.set(
        Field::Shock,
        at,
        (st.get(Field::Shock, at) + delta).clamp(0.0, 1.0),
    );
}

fn bump_power(st: &mut impl Entries, actor: usize, delta: f64) {
    st.set(
        Field::Power,
        actor,
        (st.get(Field::Power, actor) + delta).clamp(0.0, 1.0),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three actors; trust of 0 in 1 is 0.6, of 1 in 2 is −0.5, of 2 in 1 is 0.4.
    fn state() -> State {
        let n = 3;
        let mut trust = vec![0.0; n * n];
        trust[1] = 0.6;
        trust[n + 2] = -0.5;
        trust[2 * n + 1] = 0.4;
        State {
            n,
            alignment: vec![0.5, -0.3, 0.0],
            trust,
            shock: vec![0.0; n * n],
            power: vec![0.4, 0.5, 0.6],
            threat: vec![0.0; n * n],
        }
    }

    fn coefficients() -> KindCoefficients {
        KindCoefficients {
            valence: -0.5,
            c_in: 0.4,
            c_out: 0.2,
            c_threat: 0.6,
            c_power_target: -0.1,
            c_power_actor: 0.05,
            c_pull: 0.3,
            c_audience: 1.0,
            c_third: 0.5,
            attribution: 1.0,
            third_party: Holder::Target,
        }
    }

    #[test]
    fn custom_effects_clamp_one_at_a_time() {
        let mut st = state();
        let effects = [
            Effect::Trust {
                from: 0,
                to: 1,
                delta: 0.4,
            },
            Effect::Trust {
                from: 0,
                to: 1,
                delta: -0.25,
            },
            Effect::Threat {
                from: 2,
                to: 0,
                delta: 0.35,
            },
            Effect::Threat {
                from: 2,
                to: 0,
                delta: 0.35,
            },
            Effect::Threat {
                from: 2,
                to: 0,
                delta: -0.15,
            },
            Effect::Power {
                actor: 1,
                delta: -1.0,
            },
            Effect::Power {
                actor: 1,
                delta: 0.125,
            },
            Effect::Alignment {
                actor: 2,
                delta: -0.75,
            },
            Effect::Alignment {
                actor: 2,
                delta: 0.25,
            },
        ];
        apply_custom(&mut st, &effects, 2.0, true);
        // 0.6 + 0.8 clamps to 1, then − 0.5: not the 0.9 of the unclamped sum.
        assert_eq!(st.trust[1], 0.5);
        // 0.7 + 0.7 clamps to 1, then − 0.3.
        assert_eq!(st.shock[6], 0.7);
        assert_eq!(st.power[1], 0.25);
        assert_eq!(st.alignment[2], -0.5);
        // Nothing else moved.
        let mut rest = state();
        rest.trust[1] = 0.5;
        rest.shock[6] = 0.7;
        rest.power[1] = 0.25;
        rest.alignment[2] = -0.5;
        assert_eq!(st, rest);
    }

    #[test]
    fn zero_magnitude_changes_nothing() {
        for attributed in [true, false] {
            let mut st = state();
            apply_kind(&mut st, &coefficients(), 0, 1, 0.0, attributed, 0.8);
            assert_eq!(st, state());
        }
        let mut st = state();
        apply_custom(
            &mut st,
            &[Effect::Trust {
                from: 0,
                to: 1,
                delta: 0.3,
            }],
            0.0,
            true,
        );
        assert_eq!(st, state());
    }

    #[test]
    fn unattributed_act_on_a_target_without_enemies_only_does_its_damage() {
        // Target 0 distrusts no one: nobody is blamed, yet the power effects apply.
        let mut st = state();
        apply_kind(&mut st, &coefficients(), 1, 0, 1.0, false, 0.8);
        let mut ex = state();
        ex.power[0] = 0.4 - 0.1; // p_B += c_power_target m
        ex.power[1] = 0.5 + 0.05; // p_A += c_power_actor m
        assert_eq!(st.trust, ex.trust);
        assert_eq!(st.shock, ex.shock);
        assert_eq!(st.alignment, ex.alignment);
        for (x, y) in st.power.iter().zip(&ex.power) {
            assert!((x - y).abs() < 1e-15, "{x} {y}");
        }
    }

    #[test]
    fn unattributed_act_is_blamed_on_the_usual_enemies() {
        // Target 1 distrusts 2 (T_12 = -0.5): S_12 += c_threat |g| m (-T_12).
        let mut st = state();
        apply_kind(&mut st, &coefficients(), 0, 1, 1.0, false, 0.8);
        let n = 3;
        assert!((st.shock[n + 2] - 0.6 * 0.5 * 0.5).abs() < 1e-15);
        assert_eq!(st.trust, state().trust, "nobody's trust moves");
        assert_eq!(st.alignment, state().alignment, "no pull");
    }

    #[test]
    fn third_parties_fear_the_capability_holder() {
        // 2 distrusts nobody in `state`; make 2 distrust 0 (the actor) and 1 (the target).
        let n = 3;
        let mut base = state();
        base.trust[2 * n] = -0.4; // T_20
        base.trust[2 * n + 1] = -0.2; // T_21
        let mut k = coefficients();
        k.c_audience = 0.0;
        // A transfer arms the target: 2 fears 1 by c_third m (−T_21).
        let mut st = base.clone();
        k.third_party = Holder::Target;
        apply_kind(&mut st, &k, 0, 1, 1.0, true, 0.0);
        assert!((st.shock[2 * n + 1] - 0.5 * 0.2).abs() < 1e-15);
        assert_eq!(st.shock[2 * n], 0.0);
        // A strike displays the actor's force: 2 fears 0 by c_third m (−T_20), not 1.
        let mut st = base.clone();
        k.third_party = Holder::Actor;
        apply_kind(&mut st, &k, 0, 1, 1.0, true, 0.0);
        assert!((st.shock[2 * n] - 0.5 * 0.4).abs() < 1e-15);
        assert_eq!(st.shock[2 * n + 1], 0.0);
    }

    #[test]
    fn an_unattributed_custom_event_keeps_its_power_and_fear_only() {
        let n = 3;
        let effects = [
            Effect::Trust {
                from: 1,
                to: 0,
                delta: -0.4,
            },
            Effect::Threat {
                from: 1,
                to: 0,
                delta: 0.3,
            },
            Effect::Power {
                actor: 1,
                delta: -0.2,
            },
            Effect::Alignment {
                actor: 1,
                delta: 0.5,
            },
        ];
        let mut st = state();
        apply_custom(&mut st, &effects, 1.0, false);
        assert_eq!(st.trust, state().trust);
        assert_eq!(st.alignment, state().alignment);
        assert!((st.power[1] - 0.3).abs() < 1e-15);
        // 1 distrusts 2 (T_12 = -0.5): blamed with |delta| m (−T_12); 0 is not blamed.
        assert!((st.shock[n + 2] - 0.3 * 0.5).abs() < 1e-15);
        assert_eq!(st.shock[n], 0.0);
    }

    #[test]
    fn attributed_act_without_audience_leaves_third_parties_trust() {
        // Actor 0 on target 1 with η = 0: no audience effect, and 2 trusts 1 so no
        // third-party shock; only the pair's trust, the shock, power and pull move.
        let mut st = state();
        apply_kind(&mut st, &coefficients(), 0, 1, 1.0, true, 0.0);
        let mut ex = state();
        ex.trust[3] = -0.2; // T_10 += c_in g m
        ex.trust[1] = 0.5; // T_01 += c_out g m
        ex.shock[3] = 0.3; // S_10 += c_threat |g| m
        ex.power[1] = 0.4;
        ex.power[0] = 0.45;
        ex.alignment[1] = -0.3 + 0.3 * -0.5 * (0.5 - -0.3);
        for (x, y) in st.trust.iter().zip(&ex.trust) {
            assert!((x - y).abs() < 1e-15);
        }
        for (x, y) in st.shock.iter().zip(&ex.shock) {
            assert!((x - y).abs() < 1e-15);
        }
        for (x, y) in st.power.iter().zip(&ex.power) {
            assert!((x - y).abs() < 1e-15);
        }
        for (x, y) in st.alignment.iter().zip(&ex.alignment) {
            assert!((x - y).abs() < 1e-15);
        }
    }
}
