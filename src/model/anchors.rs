//! Anchors: what alignment and trust return to (MODEL.md, "Anchors").
//!
//! Under `anchors = "steady"` the observed start is taken as the status quo, the outcome of
//! a long history: the anchors are solved so that the start is a fixed point of the step
//! without events and noise. Nothing then moves unless something happens, and what a study
//! reports is what the events do, not where a drifting start happens to stop. Under
//! `"initial"` the anchors are the start itself: the classic Friedkin–Johnsen prejudice and
//! trust memory.
//!
//! The arithmetic below mirrors the step's (`dynamics.rs`) term for term, so that the start
//! stays put to rounding (the tests hold it to 1e-12 over every step).

use crate::scenario::{AnchorMode, Scenario};

/// The anchors of a scenario: â (alignment, one per actor) and T̃ (trust, `i * n + j`).
/// They may lie outside [−1, 1]: they are not states.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Anchors {
    pub alignment: Vec<f64>,
    pub trust: Vec<f64>,
}

/// Solves the anchors of `sc` under its `[model] anchors` mode.
pub fn solve_anchors(sc: &Scenario) -> Anchors {
    let a0: Vec<f64> = sc.actors.iter().map(|a| a.alignment).collect();
    if sc.model.anchors == AnchorMode::Initial {
        return Anchors {
            alignment: a0,
            trust: sc.trust0.clone(),
        };
    }
    Anchors {
        alignment: steady_alignment(sc, &a0),
        trust: steady_trust(sc),
    }
}

/// T̃_ij = T0_ij − β / (κ (n − 2)) · Σ_{k∉{i,j}} T0_ik T0_kj for κ > 0 and n ≥ 3; T0 otherwise.
fn steady_trust(sc: &Scenario) -> Vec<f64> {
    let n = sc.n();
    let t0 = &sc.trust0;
    let (kappa, beta) = (sc.model.trust_memory, sc.model.balance);
    if kappa <= 0.0 || n < 3 || beta == 0.0 {
        return t0.clone();
    }
    // The step adds κ (T̃ − T) + β/(n−2) P with P the balance product; T = T0 is fixed when
    // κ T̃ = κ T0 − β/(n−2) P0. Dividing the step's own coefficient by κ keeps the product
    // of the two equal to the step's term up to one rounding.
    let coef = beta / (n - 2) as f64;
    let mut anchor = t0.clone();
    for i in 0..n {
        for j in 0..n {
            if i == j {
                continue;
            }
            // The diagonal of T0 is 0, so the sum over every k leaves out k = i and k = j.
            let product: f64 = (0..n).map(|k| t0[i * n + k] * t0[k * n + j]).sum();
            anchor[i * n + j] = t0[i * n + j] - coef * product / kappa;
        }
    }
    anchor
}

/// â_i = (a0_i − (1 − s_i)(Σ_j W⁰_ij a0_j + γ b⁰_i)) / s_i for s_i > 0; a0_i for s_i = 0
/// (no anchor: its weight in the step is 0).
fn steady_alignment(sc: &Scenario, a0: &[f64]) -> Vec<f64> {
    let n = sc.n();
    let power: Vec<f64> = sc.actors.iter().map(|a| a.power).collect();
    let balancing = if n > 1 {
        sc.model.balancing / (n - 1) as f64
    } else {
        0.0
    };
    let mut anchors = a0.to_vec();
    for (i, actor) in sc.actors.iter().enumerate() {
        let s = actor.stubbornness;
        if s <= 0.0 {
            continue;
        }
        let (pulled, threat_sum) = pull_and_threat(sc, i, a0, &power);
        let moved = pulled - balancing * threat_sum;
        anchors[i] = (a0[i] - (1.0 - s) * moved) / s;
    }
    anchors
}

/// What the step computes for actor i from the start: the trust-weighted mean of
/// alignments (its own included, W⁰ row-normalised) and Σ_j θ⁰_ij a0_j.
pub fn pull_and_threat(sc: &Scenario, i: usize, a: &[f64], power: &[f64]) -> (f64, f64) {
    let n = sc.n();
    let t_row = &sc.trust0[i * n..(i + 1) * n];
    let r_row = &sc.reach[i * n..(i + 1) * n];
    let own = sc.actors[i].self_weight * power[i];
    let mut weight_sum = own;
    let mut weighted = own * a[i];
    let mut threat_sum = 0.0;
    for j in 0..n {
        if j == i {
            continue;
        }
        let t = t_row[j];
        let theta = (power[j] * r_row[j] * (1.0 - t) * 0.5 + 0.0).clamp(0.0, 1.0);
        let w = power[j] * t.max(0.0);
        weight_sum += w;
        weighted += w * a[j];
        threat_sum += theta * a[j];
    }
    let pulled = if weight_sum > 0.0 {
        weighted / weight_sum
    } else {
        a[i]
    };
    (pulled, threat_sum)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dynamics, State};
    use crate::scenario::ScenarioSource;

    /// The largest distance from the start over every step of a run without events or noise.
    fn largest_move(sc: &Scenario) -> f64 {
        let anchors = solve_anchors(sc);
        let start = State::initial(sc);
        let mut st = start.clone();
        let mut dynamics = Dynamics::new(sc.n());
        // No noise is drawn: the generators are never used.
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(0);
        let mut rng2 = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(1);
        let mut worst: f64 = 0.0;
        for _ in 0..sc.steps.max(52) {
            dynamics.advance(sc, &anchors, &mut st, &mut rng, &mut rng2);
            for (a, b) in st.alignment.iter().zip(&start.alignment) {
                worst = worst.max((a - b).abs());
            }
            for (a, b) in st.trust.iter().zip(&start.trust) {
                worst = worst.max((a - b).abs());
            }
        }
        worst
    }

    fn quiet(mut sc: Scenario, mode: AnchorMode) -> Scenario {
        sc.events.clear();
        sc.model.trust_noise = 0.0;
        sc.model.alignment_noise = 0.0;
        sc.model.event_noise = 0.0;
        sc.model.anchors = mode;
        sc
    }

    use rand::SeedableRng;

    #[test]
    fn a_steady_start_stays_put_without_events() {
        let sc = ScenarioSource::embedded_default().parse().expect("parses");
        let steady = quiet(sc.clone(), AnchorMode::Steady);
        let moved = largest_move(&steady);
        assert!(moved < 1e-12, "the steady start moved by {moved:e}");
        // The same scenario under "initial" anchors drifts: the test can tell the two apart.
        let initial = quiet(sc, AnchorMode::Initial);
        assert!(largest_move(&initial) > 1e-3);
    }

    #[test]
    fn steady_anchors_hold_on_a_wide_sparse_scenario() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/scenarios/wide.toml"
        ))
        .expect("readable");
        let sc = crate::scenario::parse_scenario(&text, "wide.toml").expect("parses");
        let steady = quiet(sc, AnchorMode::Steady);
        let moved = largest_move(&steady);
        assert!(moved < 1e-12, "moved by {moved:e}");
    }

    #[test]
    fn without_memory_trust_has_no_anchor() {
        let sc = ScenarioSource::embedded_default().parse().expect("parses");
        let mut sc = quiet(sc, AnchorMode::Steady);
        sc.model.trust_memory = 0.0;
        assert_eq!(solve_anchors(&sc).trust, sc.trust0);
        // And under "initial" both anchors are the start.
        sc.model.anchors = AnchorMode::Initial;
        let a = solve_anchors(&sc);
        assert_eq!(a.trust, sc.trust0);
        let a0: Vec<f64> = sc.actors.iter().map(|x| x.alignment).collect();
        assert_eq!(a.alignment, a0);
    }
}
