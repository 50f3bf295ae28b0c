//! What one firing of an event does to the state (MODEL.md, "Events").
//!
//! Effects are applied in the order MODEL.md lists them, each clamped to its range as it
//! applies, so a later effect of the same event sees the earlier ones.

use super::State;
use crate::scenario::{Effect, KindCoefficients};

/// Applies one firing of a kind, by `actor` (A) on `target` (B), with magnitude `m`.
/// `attributed` says whether B blames A; `audience` is the model's η.
pub fn apply_kind(
    st: &mut State,
    k: &KindCoefficients,
    actor: usize,
    target: usize,
    m: f64,
    attributed: bool,
    audience: f64,
) {
    let n = st.n;
    let (a, b) = (actor, target);
    let g = k.valence;

    if !attributed {
        // Covert and not attributed: B cannot tell who did it, so only B's insecurity rises,
        // towards those B already distrusts ("blame the usual enemies").
        let row = b * n;
        for other in 0..n {
            let t_bk = st.trust[row + other];
            if other != b && t_bk < 0.0 {
                bump_shock(st, row + other, k.c_threat * g.abs() * m * -t_bk);
            }
        }
        return;
    }

    // Trust of B in A, and of A in B.
    bump_trust(st, b * n + a, k.c_in * g * m);
    bump_trust(st, a * n + b, k.c_out * g * m);
    // Threat shock B feels from A.
    bump_shock(st, b * n + a, k.c_threat * g.abs() * m);
    // Power.
    st.power[b] = (st.power[b] + k.c_power_target * m).clamp(0.0, 1.0);
    st.power[a] = (st.power[a] + k.c_power_actor * m).clamp(0.0, 1.0);
    // Pull: cooperation draws B toward A's side, hostility pushes it away.
    let pull = k.c_pull * g * m * (st.alignment[a] - st.alignment[b]);
    st.alignment[b] = (st.alignment[b] + pull).clamp(-1.0, 1.0);
    // Audience: friends of B side with B in how they see A.
    let audience_scale = audience * k.c_audience * g * m;
    if audience_scale != 0.0 {
        for other in (0..n).filter(|&o| o != a && o != b) {
            let t_kb = st.trust[other * n + b];
            bump_trust(st, other * n + a, audience_scale * t_kb);
        }
    }
    // Third parties: arming B frightens B's enemies.
    if k.c_third != 0.0 {
        for other in (0..n).filter(|&o| o != a && o != b) {
            let t_kb = st.trust[other * n + b];
            if t_kb < 0.0 {
                bump_shock(st, other * n + b, k.c_third * m * -t_kb);
            }
        }
    }
}

/// Applies the primitive deltas of a `custom` event, each scaled by `m`, in order.
pub fn apply_custom(st: &mut State, effects: &[Effect], m: f64) {
    let n = st.n;
    for e in effects {
        match *e {
            Effect::Trust { from, to, delta } => bump_trust(st, from * n + to, delta * m),
            Effect::Threat { from, to, delta } => bump_shock(st, from * n + to, delta * m),
            Effect::Power { actor, delta } => {
                st.power[actor] = (st.power[actor] + delta * m).clamp(0.0, 1.0);
            }
            Effect::Alignment { actor, delta } => {
                st.alignment[actor] = (st.alignment[actor] + delta * m).clamp(-1.0, 1.0);
            }
        }
    }
}

fn bump_trust(st: &mut State, at: usize, delta: f64) {
    st.trust[at] = (st.trust[at] + delta).clamp(-1.0, 1.0);
}

fn bump_shock(st: &mut State, at: usize, delta: f64) {
    st.shock[at] = (st.shock[at] + delta).clamp(0.0, 1.0);
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
        apply_custom(&mut st, &effects, 2.0);
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
        );
        assert_eq!(st, state());
    }

    #[test]
    fn unattributed_act_on_a_target_without_enemies_changes_nothing() {
        // Target 0 distrusts no one.
        let mut st = state();
        apply_kind(&mut st, &coefficients(), 1, 0, 1.0, false, 0.8);
        assert_eq!(st, state());
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
