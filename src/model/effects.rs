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
