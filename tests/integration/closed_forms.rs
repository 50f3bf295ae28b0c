//! The model against the closed forms of docs/MODEL.md ("One step" and "Closed forms").
//!
//! Every matrix here (W, B, θ, π) is built from the numbers the test writes into the
//! scenario text, following MODEL.md's formulas, never from the model's own buffers.

use crate::common;
use crate::common::{
    ActorSpec, Matrix, RelationSpec, Spec, SplitMix, identity, mat_vec, max_diff, simulate, solve,
    transpose, unflatten,
};
use influence::model::{State, apply_kind};
use influence::scenario::KindCoefficients;
use influence::scenario::kinds::builtin;

/// Tolerance of the limits and closed forms.
const TOL: f64 = 1e-9;
/// Tolerance of a few steps of an exact recursion.
const STEP_TOL: f64 = 1e-12;

fn actor(name: &str, alignment: f64, stubbornness: f64, power: f64, w: Option<f64>) -> ActorSpec {
    ActorSpec {
        name: name.to_string(),
        alignment,
        stubbornness,
        power,
        self_weight: w,
    }
}

fn trust(a: usize, b: usize, ab: f64, ba: f64) -> RelationSpec {
    RelationSpec {
        a,
        b,
        trust_ab: Some(ab),
        trust_ba: Some(ba),
        ..RelationSpec::default()
    }
}

/// Five actors with asymmetric trust (some negative, one pair with reach only, one pair
/// with no relation), different powers, stubbornness and self-weights, non-default reach.
/// The positive-trust graph holds the cycle A → B → C → D → E → A, so it is strongly
/// connected.
fn region(model: Vec<(&'static str, f64)>, steps: usize) -> Spec {
    let mut model_keys = vec![
        ("self_weight", 1.3),
        ("reach", 0.8),
        ("trust_noise", 0.0),
        ("alignment_noise", 0.0),
        ("event_noise", 0.0),
    ];
    model_keys.extend(model);
    Spec {
        steps,
        model: model_keys,
        actors: vec![
            actor("A", 0.6, 0.3, 0.9, Some(1.0)),
            actor("B", -0.4, 0.5, 0.5, Some(0.5)),
            actor("C", 0.1, 0.2, 0.7, Some(2.0)),
            actor("D", -0.8, 0.6, 0.3, None),
            actor("E", 0.3, 0.4, 0.6, Some(0.8)),
        ],
        relations: vec![
            RelationSpec {
                reach_ab: Some(0.9),
                reach_ba: Some(0.3),
                ..trust(0, 1, 0.7, 0.2)
            },
            RelationSpec {
                reach_ab: Some(0.6),
                ..trust(0, 2, -0.3, 0.5)
            },
            trust(1, 2, 0.4, 0.4),
            RelationSpec {
                reach_ba: Some(0.2),
                ..trust(1, 3, 0.6, -0.5)
            },
            trust(2, 3, 0.1, 0.9),
            RelationSpec {
                reach_ab: Some(1.0),
                reach_ba: Some(0.1),
                ..trust(2, 4, 0.3, -0.2)
            },
            trust(3, 4, 0.5, 0.5),
            trust(0, 4, 0.2, 0.8),
            RelationSpec {
                a: 1,
                b: 4,
                reach_ab: Some(0.05),
                ..RelationSpec::default()
            },
        ],
        extra: vec![],
    }
}

/// W of MODEL.md step 5: w_ij = p_j max(T_ij, 0), w_ii = ω_i p_i, rows normalised, a zero
/// row becoming W_ii = 1.
fn influence_matrix(spec: &Spec) -> Matrix {
    let n = spec.n();
    let t = spec.trust0();
    let p = spec.power();
    let omega = spec.self_weight();
    let mut w = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..n {
            w[i][j] = if i == j {
                omega[i] * p[i]
            } else {
                p[j] * t[i][j].max(0.0)
            };
        }
        let sum: f64 = w[i].iter().sum();
        if sum > 0.0 {
            for x in &mut w[i] {
                *x /= sum;
            }
        } else {
            w[i] = vec![0.0; n];
            w[i][i] = 1.0;
        }
    }
    w
}

/// θ of MODEL.md step 4 without shocks: clamp(p_j R_ij (1 − T_ij)/2, 0, 1), θ_ii = 0.
fn threat_matrix(spec: &Spec) -> Matrix {
    let n = spec.n();
    let t = spec.trust0();
    let r = spec.reach();
    let p = spec.power();
    let mut th = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..n {
            if i != j {
                th[i][j] = (p[j] * r[i][j] * (1.0 - t[i][j]) / 2.0).clamp(0.0, 1.0);
            }
        }
    }
    th
}

/// The Friedkin–Johnsen limit a* = (I − (I − S)(W + γB))⁻¹ S a0, B_ij = −θ_ij/(n − 1),
/// and the one-step map a ↦ S a0 + (I − S)(W + γB) a.
struct Linear {
    /// (I − S)(W + γB).
    m: Matrix,
    /// S a0.
    c: Vec<f64>,
}

impl Linear {
    fn new(spec: &Spec, gamma: f64) -> Linear {
        let n = spec.n();
        let w = influence_matrix(spec);
        let th = threat_matrix(spec);
        let s = spec.stubbornness();
        let a0 = spec.alignment0();
        let m = (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| {
                        let b = -th[i][j] / (n - 1) as f64;
                        (1.0 - s[i]) * (w[i][j] + gamma * b)
                    })
                    .collect()
            })
            .collect();
        let c = (0..n).map(|i| s[i] * a0[i]).collect();
        Linear { m, c }
    }

    fn step(&self, a: &[f64]) -> Vec<f64> {
        mat_vec(&self.m, a)
            .iter()
            .zip(&self.c)
            .map(|(x, c)| c + x)
            .collect()
    }

    fn limit(&self) -> Vec<f64> {
        let n = self.c.len();
        let id = identity(n);
        let lhs: Matrix = (0..n)
            .map(|i| (0..n).map(|j| id[i][j] - self.m[i][j]).collect())
            .collect();
        solve(&lhs, &self.c)
    }
}

/// Checks that trust stayed at T0 and θ at its shock-free value at every recorded step, the
/// premise of the linear closed forms.
fn assert_fixed_trust_and_threat(spec: &Spec, rec: &common::Recorder) {
    let n = spec.n();
    let t0: Vec<f64> = spec.trust0().concat();
    let th: Vec<f64> = threat_matrix(spec).concat();
    for (t, st) in &rec.states {
        assert!(
            max_diff(&st.trust, &t0) < STEP_TOL,
            "trust moved at t = {t}"
        );
        assert!(
            max_diff(&st.threat, &th) < STEP_TOL,
            "θ at t = {t}: {:?}, expected {:?}",
            unflatten(&st.threat, n),
            unflatten(&th, n)
        );
    }
}

fn check_linear(spec: &Spec, gamma: f64) {
    let sc = spec.scenario();
    let rec = simulate(&sc, 1, 0);
    assert_eq!(rec.states.len(), spec.steps + 1);
    assert_fixed_trust_and_threat(spec, &rec);
    let lin = Linear::new(spec, gamma);

    // The first steps follow the recursion, starting from the recorded a(t).
    for t in 0..6 {
        let expected = lin.step(&rec.at(t).alignment);
        let got = &rec.at(t + 1).alignment;
        assert!(
            max_diff(got, &expected) < STEP_TOL,
            "step {t} -> {}: got {got:?}, recursion gives {expected:?}",
            t + 1
        );
    }
    // No clamping on the way: the linear map is what ran.
    for (t, st) in &rec.states {
        assert!(
            st.alignment.iter().all(|a| a.abs() < 1.0),
            "alignment reached a bound at t = {t}: {:?}",
            st.alignment
        );
    }

    let star = lin.limit();
    let last = &rec.at(spec.steps).alignment;
    let err = max_diff(last, &star);
    assert!(
        err < TOL,
        "a(T) = {last:?}, closed form a* = {star:?}, max difference {err:e}"
    );
}

/// Friedkin–Johnsen with γ = 0: a(t) → (I − (I − S) W)⁻¹ S a0.
#[test]
fn friedkin_johnsen_limit() {
    let spec = region(
        vec![("trust_memory", 0.0), ("balance", 0.0), ("balancing", 0.0)],
        600,
    );
    check_linear(&spec, 0.0);
}

/// Friedkin–Johnsen with balancing γ > 0 and no clamping on the way:
/// a(t) → (I − (I − S)(W + γB))⁻¹ S a0.
#[test]
fn friedkin_johnsen_with_balancing() {
    for gamma in [0.25, 0.6] {
        let spec = region(
            vec![
                ("trust_memory", 0.0),
                ("balance", 0.0),
                ("balancing", gamma),
            ],
            800,
        );
        // Balancing changes the answer: the test would not see a wrong B otherwise.
        let plain = Linear::new(&spec, 0.0).limit();
        let with = Linear::new(&spec, gamma).limit();
        assert!(max_diff(&plain, &with) > 1e-3);
        check_linear(&spec, gamma);
    }
}

/// DeGroot: s = 0, ω > 0, strongly connected positive trust: every a_i → π·a0 with π the
/// left Perron vector of W.
#[test]
fn degroot_consensus() {
    let mut spec = region(
        vec![("trust_memory", 0.0), ("balance", 0.0), ("balancing", 0.0)],
        2000,
    );
    for a in &mut spec.actors {
        a.stubbornness = 0.0;
    }
    let n = spec.n();
    let w = influence_matrix(&spec);

    // Premise: the graph of W is strongly connected.
    for start in 0..n {
        let mut seen = vec![false; n];
        let mut stack = vec![start];
        seen[start] = true;
        while let Some(i) = stack.pop() {
            for j in 0..n {
                if w[i][j] > 0.0 && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            }
        }
        assert!(seen.iter().all(|&s| s), "W is not strongly connected");
    }

    // π W = π, Σ π = 1: (Wᵀ − I) π = 0 with the last equation replaced by the sum.
    let mut lhs = transpose(&w);
    for (i, row) in lhs.iter_mut().enumerate() {
        row[i] -= 1.0;
    }
    lhs[n - 1] = vec![1.0; n];
    let mut rhs = vec![0.0; n];
    rhs[n - 1] = 1.0;
    let pi = solve(&lhs, &rhs);
    assert!(pi.iter().all(|&x| x > 0.0), "Perron vector {pi:?}");
    let pi_w: Vec<f64> = (0..n)
        .map(|j| (0..n).map(|i| pi[i] * w[i][j]).sum())
        .collect();
    assert!(max_diff(&pi_w, &pi) < 1e-12);

    let a0 = spec.alignment0();
    let consensus: f64 = pi.iter().zip(&a0).map(|(p, a)| p * a).sum();

    let sc = spec.scenario();
    let rec = simulate(&sc, 1, 0);
    assert_fixed_trust_and_threat(&spec, &rec);
    for t in 0..6 {
        let expected = mat_vec(&w, &rec.at(t).alignment);
        assert!(max_diff(&rec.at(t + 1).alignment, &expected) < STEP_TOL);
    }
    let last = &rec.at(spec.steps).alignment;
    for (i, a) in last.iter().enumerate() {
        assert!(
            (a - consensus).abs() < TOL,
            "actor {i}: a(T) = {a}, π·a0 = {consensus} (π = {pi:?})"
        );
    }
}

/// A `custom` threat shock at step 0 decays as S(t) = (1 − δ)^t S(0), and θ is derived
/// from it as MODEL.md step 4 says.
#[test]
fn shock_decay() {
    for delta in [0.15, 0.5, 0.0, 1.0] {
        let mut spec = region(vec![("threat_decay", delta)], 30);
        spec.extra.push(
            r#"[[event]]
kind = "custom"
id = "shock"
step = 0
effects = [{ threat = ["A", "B"], delta = 0.4 }]"#
                .to_string(),
        );
        let n = spec.n();
        let (a, b) = (0, 1);
        let sc = spec.scenario();
        let rec = simulate(&sc, 1, 0);
        let reach = spec.reach();
        for t in 0..=spec.steps {
            let st = rec.at(t);
            let expected = if t == 0 {
                0.0
            } else {
                0.4 * (1.0 - delta).powi(t as i32)
            };
            let got = st.shock[a * n + b];
            assert!(
                (got - expected).abs() < TOL,
                "δ = {delta}, t = {t}: S_AB = {got}, expected {expected}"
            );
            for (k, s) in st.shock.iter().enumerate() {
                if k != a * n + b {
                    assert_eq!(*s, 0.0, "δ = {delta}, t = {t}: shock at {k}");
                }
            }
            // θ_AB from the recorded T, p and S.
            let theta = (st.power[b] * reach[a][b] * (1.0 - st.trust[a * n + b]) / 2.0
                + st.shock[a * n + b])
                .clamp(0.0, 1.0);
            assert!((st.threat[a * n + b] - theta).abs() < STEP_TOL);
        }
    }
}

/// With β = 0, a trust impulse Δ at step 0 leaves T(t) − T0 = Δ (1 − κ)^t, and every other
/// pair stays at T0.
#[test]
fn trust_memory() {
    for kappa in [0.1, 0.35, 1.0, 0.0] {
        let mut spec = region(vec![("trust_memory", kappa), ("balance", 0.0)], 40);
        spec.extra.push(
            r#"[[event]]
kind = "custom"
id = "impulse"
step = 0
effects = [{ trust = ["A", "B"], delta = -0.35 }, { trust = ["D", "C"], delta = 0.05 }]"#
                .to_string(),
        );
        let n = spec.n();
        let t0 = spec.trust0();
        let impulses = [((0, 1), -0.35), ((3, 2), 0.05)];
        let sc = spec.scenario();
        let rec = simulate(&sc, 1, 0);
        for t in 0..=spec.steps {
            let st = rec.at(t);
            for (i, t0_row) in t0.iter().enumerate() {
                for (j, base) in t0_row.iter().enumerate() {
                    if i == j {
                        assert_eq!(st.trust[i * n + j], 0.0);
                        continue;
                    }
                    let delta = impulses
                        .iter()
                        .find(|(pair, _)| *pair == (i, j))
                        .map_or(0.0, |&(_, d)| d);
                    let expected = if t == 0 {
                        0.0
                    } else {
                        delta * (1.0 - kappa).powi(t as i32)
                    };
                    let got = st.trust[i * n + j] - base;
                    assert!(
                        (got - expected).abs() < TOL,
                        "κ = {kappa}, t = {t}, T_{i}{j} − T0 = {got}, expected {expected}"
                    );
                }
            }
        }
    }
}

/// Eight actors with a random symmetric T0 drawn from `seed`.
fn balance_spec(seed: u64, beta: f64, steps: usize) -> Spec {
    let n = 8;
    let mut rng = SplitMix(seed);
    let actors = (0..n)
        .map(|i| {
            actor(
                &format!("X{i}"),
                rng.range(-1.0, 1.0),
                rng.range(0.0, 1.0),
                rng.range(0.1, 1.0),
                None,
            )
        })
        .collect();
    let mut relations = Vec::new();
    for i in 0..n {
        for j in i + 1..n {
            let x = rng.range(-0.5, 0.5);
            relations.push(trust(i, j, x, x));
        }
    }
    Spec {
        steps,
        model: vec![
            ("trust_memory", 0.0),
            ("balance", beta),
            ("trust_noise", 0.0),
            ("alignment_noise", 0.0),
            ("event_noise", 0.0),
        ],
        actors,
        relations,
        extra: vec![],
    }
}

/// The eigenvector of the largest eigenvalue of a symmetric matrix, by power iteration on
/// the matrix shifted to make that eigenvalue dominant.
fn leading_eigenvector(m: &Matrix) -> Vec<f64> {
    let n = m.len();
    let shift = n as f64; // |entries| ≤ 1 bounds every eigenvalue by n.
    let mut v: Vec<f64> = (0..n).map(|i| 1.0 + 0.1 * i as f64).collect();
    for _ in 0..20_000 {
        let mut next = mat_vec(m, &v);
        for (x, vi) in next.iter_mut().zip(&v) {
            *x += shift * vi;
        }
        let norm = next.iter().map(|x| x * x).sum::<f64>().sqrt();
        for x in &mut next {
            *x /= norm;
        }
        v = next;
    }
    v
}

/// κ = 0, β > 0, random symmetric T0: T runs to a sign pattern whose every triad is
/// balanced, with one or two factions. How often the factions follow the signs of T0's
/// leading eigenvector is reported, not asserted.
#[test]
fn structural_balance() {
    let n = 8;
    let steps = 1500;
    let mut instances = 0;
    let mut follow_eigenvector = 0;
    for seed in 1..=12u64 {
        for beta in [0.1, 0.5] {
            let spec = balance_spec(seed, beta, steps);
            let sc = spec.scenario();
            let rec = simulate(&sc, 1, 0);
            let last = unflatten(&rec.at(steps).trust, n);

            // The sign pattern has settled.
            for t in steps - 100..steps {
                let earlier = &rec.at(t).trust;
                for (x, y) in earlier.iter().zip(&rec.at(steps).trust) {
                    assert_eq!(
                        x.signum(),
                        y.signum(),
                        "seed {seed}, β = {beta}: sign moved"
                    );
                }
            }
            // Every triad balanced.
            for i in 0..n {
                for j in 0..n {
                    for k in 0..n {
                        if i == j || j == k || i == k {
                            continue;
                        }
                        let product = last[i][j] * last[j][k] * last[k][i];
                        assert!(
                            product > 0.0,
                            "seed {seed}, β = {beta}: triad ({i}, {j}, {k}) has T_ij T_jk T_ki = {product}; T = {last:?}"
                        );
                    }
                }
            }
            // Factions: with every triad balanced, "trusts" is an equivalence relation.
            let mut faction = vec![usize::MAX; n];
            let mut count = 0;
            for i in 0..n {
                if faction[i] != usize::MAX {
                    continue;
                }
                for j in 0..n {
                    if j == i || last[i][j] > 0.0 {
                        faction[j] = count;
                    }
                }
                count += 1;
            }
            for i in 0..n {
                for j in 0..n {
                    if i != j {
                        assert_eq!(
                            faction[i] == faction[j],
                            last[i][j] > 0.0,
                            "seed {seed}, β = {beta}: factions {faction:?} against T = {last:?}"
                        );
                    }
                }
            }
            assert!(
                count <= 2,
                "seed {seed}, β = {beta}: {count} factions {faction:?}"
            );

            let u = leading_eigenvector(&spec.trust0());
            let same = (0..n).all(|i| ((u[i] > 0.0) == (u[0] > 0.0)) == (faction[i] == faction[0]));
            instances += 1;
            if same {
                follow_eigenvector += 1;
            }
            eprintln!(
                "structural balance: seed {seed}, β = {beta}: {count} faction(s) {faction:?}, eigenvector signs {:?}, {}",
                u.iter()
                    .map(|x| if *x > 0.0 { '+' } else { '-' })
                    .collect::<String>(),
                if same { "match" } else { "differ" }
            );
        }
    }
    eprintln!(
        "structural balance: factions follow the leading eigenvector of T0 in {follow_eigenvector} of {instances} instances"
    );
}

/// A state for the event tests: target B (index 1) distrusts A and C and trusts D; C is
/// B's friend, D B's enemy, E neutral toward B; A's standing with the others varies.
fn event_spec() -> Spec {
    Spec {
        steps: 1,
        model: vec![
            ("audience", 0.7),
            ("trust_noise", 0.0),
            ("alignment_noise", 0.0),
            ("event_noise", 0.0),
        ],
        actors: vec![
            actor("A", 0.7, 0.3, 0.8, None),
            actor("B", -0.2, 0.4, 0.4, None),
            actor("C", 0.1, 0.5, 0.6, None),
            actor("D", -0.5, 0.2, 0.5, None),
            actor("E", 0.4, 0.1, 0.3, None),
        ],
        relations: vec![
            trust(0, 1, 0.1, -0.2),
            trust(0, 2, 0.3, 0.2),
            trust(0, 3, -0.3, -0.1),
            trust(0, 4, 0.0, 0.6),
            trust(1, 2, -0.6, 0.5),
            trust(1, 3, 0.3, -0.4),
            trust(2, 3, 0.2, 0.7),
            RelationSpec {
                a: 1,
                b: 4,
                reach_ab: Some(0.3),
                ..RelationSpec::default()
            },
        ],
        extra: vec![],
    }
}

const A: usize = 0;
const B: usize = 1;
const C: usize = 2;
const D: usize = 3;
const E: usize = 4;
const N: usize = 5;
/// The event magnitude and η of the event tests.
const M: f64 = 1.3;
const ETA: f64 = 0.7;

fn event_state() -> State {
    let sc = event_spec().scenario();
    let mut st = State::initial(&sc);
    // Existing shocks, so that additions are seen as additions.
    st.shock[B * N + A] = 0.05;
    st.shock[D * N + B] = 0.02;
    st
}

fn coefficients(name: &str) -> KindCoefficients {
    builtin(name)
        .unwrap_or_else(|| panic!("built-in kind {name}"))
        .coefficients
}

/// Compares alignment, trust, shock and power with the expected state entry by entry.
fn assert_state(label: &str, got: &State, expected: &State) {
    for (what, g, e) in [
        ("alignment", &got.alignment, &expected.alignment),
        ("trust", &got.trust, &expected.trust),
        ("shock", &got.shock, &expected.shock),
        ("power", &got.power, &expected.power),
    ] {
        for (k, (x, y)) in g.iter().zip(e.iter()).enumerate() {
            assert!(
                (x - y).abs() < STEP_TOL,
                "{label}: {what}[{k}] = {x}, expected {y}"
            );
        }
    }
}

/// An overt visit of A to B: trust both ways, pull, and audience on every other k.
#[test]
fn event_visit_overt() {
    let k = coefficients("visit");
    // MODEL.md's table row.
    assert_eq!(
        (k.valence, k.c_in, k.c_out, k.c_threat, k.c_power_target),
        (0.28, 0.5, 0.5, 0.0, 0.0)
    );
    assert_eq!(
        (k.c_pull, k.c_audience, k.c_third, k.c_power_actor),
        (0.1, 1.0, 0.0, 0.0)
    );
    let before = event_state();
    let mut st = before.clone();
    apply_kind(&mut st, &k, A, B, M, true, ETA);

    let mut ex = before.clone();
    ex.trust[B * N + A] = -0.2 + 0.5 * 0.28 * 1.3; // T_BA += c_in g m
    ex.trust[A * N + B] = 0.1 + 0.5 * 0.28 * 1.3; // T_AB += c_out g m
    ex.alignment[B] = -0.2 + 0.1 * 0.28 * 1.3 * (0.7 - (-0.2)); // pull
    // Audience: T_kA += η c_audience g m T_kB.
    ex.trust[C * N + A] = 0.2 + 0.7 * 1.0 * 0.28 * 1.3 * 0.5;
    ex.trust[D * N + A] = -0.1 + 0.7 * 1.0 * 0.28 * 1.3 * -0.4;
    ex.trust[E * N + A] = 0.6; // T_EB = 0
    assert_state("visit", &st, &ex);
}

/// An attributed sabotage (attribution = 1) of A on B: every primitive effect of the kind.
#[test]
fn event_sabotage_attributed() {
    let text = event_spec().toml()
        + r#"
[[event]]
kind = "sabotage"
actor = "A"
target = "B"
attribution = 1
step = 0
"#;
    let sc = common::parse(&text);
    assert_eq!(sc.events[0].attribution, 1.0);
    let k = coefficients("sabotage");
    assert_eq!(
        (k.valence, k.c_in, k.c_out, k.c_threat, k.c_power_target),
        (-0.92, 0.5, 0.0, 0.6, -0.02)
    );
    assert_eq!(
        (k.c_pull, k.c_audience, k.c_third, k.attribution),
        (0.1, 1.0, 0.0, 0.5)
    );
    let before = event_state();
    let mut st = before.clone();
    apply_kind(&mut st, &k, A, B, M, true, ETA);

    let g: f64 = -0.92;
    let mut ex = before.clone();
    ex.trust[B * N + A] = -0.2 + 0.5 * g * 1.3;
    ex.trust[A * N + B] = 0.1; // c_out = 0
    ex.shock[B * N + A] = 0.05 + 0.6 * 0.92 * 1.3; // S_BA += c_threat |g| m
    ex.power[B] = 0.4 - 0.02 * 1.3;
    ex.alignment[B] = -0.2 + 0.1 * g * 1.3 * (0.7 - (-0.2)); // pushed away from A
    ex.trust[C * N + A] = 0.2 + 0.7 * 1.0 * g * 1.3 * 0.5;
    ex.trust[D * N + A] = -0.1 + 0.7 * 1.0 * g * 1.3 * -0.4;
    assert_state("sabotage, attributed", &st, &ex);

    // Through the runner, attribution = 1 always attributes.
    let rec = simulate(&sc, 1, 0);
    assert_eq!(rec.fired.len(), 1);
    assert!(rec.fired[0].attributed);
}

/// An unattributed sabotage (attribution = 0): only B's shocks toward those B distrusts
/// rise, S_Bk += c_threat |g| m (−T_Bk); nothing else changes.
#[test]
fn event_sabotage_unattributed() {
    let text = event_spec().toml()
        + r#"
[[event]]
kind = "sabotage"
actor = "A"
target = "B"
attribution = 0
step = 0
"#;
    let sc = common::parse(&text);
    assert_eq!(sc.events[0].attribution, 0.0);
    for seed in 0..5 {
        let rec = simulate(&sc, seed, 3);
        assert_eq!(rec.fired.len(), 1);
        assert!(
            !rec.fired[0].attributed,
            "attribution 0 is never attributed"
        );
    }

    let k = coefficients("sabotage");
    let before = event_state();
    let mut st = before.clone();
    apply_kind(&mut st, &k, A, B, M, false, ETA);

    let mut ex = before.clone();
    // The damage is done: p_B += c_power_target m.
    ex.power[B] = 0.4 - 0.02 * 1.3;
    // Nobody is blamed but the usual enemies: B distrusts A (−0.2) and C (−0.6); trusts D;
    // E has no trust.
    ex.shock[B * N + A] = 0.05 + 0.6 * 0.92 * 1.3 * 0.2;
    ex.shock[B * N + C] = 0.6 * 0.92 * 1.3 * 0.6;
    assert_state("sabotage, unattributed", &st, &ex);
}

/// An attributed strike: also third-party threat on the capability holder, the actor of a
/// use of force (k ∉ {A, B} with T_kA < 0, after the audience effect), and a shock clamped at 1.
#[test]
fn event_strike_third_party_and_clamp() {
    let k = coefficients("strike");
    assert_eq!(
        (k.valence, k.c_in, k.c_out, k.c_threat, k.c_power_target),
        (-1.0, 0.6, 0.2, 0.8, -0.05)
    );
    assert_eq!((k.c_pull, k.c_audience, k.c_third), (0.2, 1.0, 0.3));
    let before = event_state();
    let mut st = before.clone();
    apply_kind(&mut st, &k, A, B, M, true, ETA);

    let mut ex = before.clone();
    ex.trust[B * N + A] = -0.2 - 0.6 * 1.3;
    ex.trust[A * N + B] = 0.1 - 0.2 * 1.3;
    ex.shock[B * N + A] = 1.0; // 0.05 + 0.8 · 1.3 clamped
    ex.power[B] = 0.4 - 0.05 * 1.3;
    ex.alignment[B] = -0.2 - 0.2 * 1.3 * 0.9;
    ex.trust[C * N + A] = 0.2 - 0.7 * 1.3 * 0.5;
    ex.trust[D * N + A] = -0.1 + 0.7 * 1.3 * 0.4;
    // After the audience effect C distrusts A (T_CA = −0.255): the strike frightens the
    // striker's enemies, S_CA += c_third m (−T_CA). D now trusts A and B's enemies are not
    // frightened by a strike on B.
    ex.shock[C * N + A] = before.shock[C * N + A] + 0.3 * 1.3 * (0.7 * 1.3 * 0.5 - 0.2);
    assert_state("strike", &st, &ex);
}

/// A declared kind with power on the actor's side: p_A += c_power_actor m.
#[test]
fn event_power_of_actor() {
    let k = KindCoefficients {
        valence: 0.5,
        c_in: 0.0,
        c_out: 0.0,
        c_threat: 0.0,
        c_power_target: 0.1,
        c_power_actor: -0.2,
        c_pull: 0.0,
        c_audience: 0.0,
        c_third: 0.0,
        attribution: 1.0,
        third_party: influence::scenario::Holder::Target,
    };
    let before = event_state();
    let mut st = before.clone();
    apply_kind(&mut st, &k, A, B, M, true, ETA);
    let mut ex = before.clone();
    ex.power[B] = 0.4 + 0.1 * 1.3;
    ex.power[A] = 0.8 - 0.2 * 1.3;
    assert_state("power", &st, &ex);
}

/// Every effect is clamped to its range as it applies: trust to [−1, 1], shock to [0, 1],
/// power to [0, 1], the pull to [−1, 1].
#[test]
fn event_effects_clamp() {
    let k = KindCoefficients {
        valence: -1.0,
        c_in: 2.0,
        c_out: -3.0,
        c_threat: 0.2,
        c_power_target: 1.0,
        c_power_actor: -1.0,
        c_pull: 2.0,
        c_audience: 0.0,
        c_third: 5.0,
        attribution: 1.0,
        third_party: influence::scenario::Holder::Target,
    };
    let before = event_state();
    let mut st = before.clone();
    apply_kind(&mut st, &k, A, B, M, true, ETA);
    let mut ex = before.clone();
    ex.trust[B * N + A] = -1.0; // −0.2 − 2.6
    ex.trust[A * N + B] = 1.0; // 0.1 + 3.9
    ex.shock[B * N + A] = 0.05 + 0.2 * 1.3;
    ex.power[B] = 1.0; // 0.4 + 1.3
    ex.power[A] = 0.0; // 0.8 − 1.3
    ex.alignment[B] = -1.0; // −0.2 − 2 · 1.3 · 0.9
    ex.shock[D * N + B] = 1.0; // 0.02 + 5 · 1.3 · 0.4
    assert_state("clamped", &st, &ex);
}

/// Three actors; θ of A from B is 0.1 + 0.1 t because a noiseless custom event adds 0.1 to
/// S_AB at every step and nothing decays. Event 0 is that pressure, event 1 the one tested.
fn trigger_spec(trigger_event: &str) -> Spec {
    Spec {
        steps: 10,
        model: vec![
            ("trust_memory", 0.0),
            ("balance", 0.0),
            ("threat_decay", 0.0),
            ("balancing", 0.0),
            ("trust_noise", 0.0),
            ("alignment_noise", 0.0),
            ("event_noise", 0.0),
        ],
        actors: vec![
            actor("A", 0.2, 0.5, 0.6, None),
            actor("B", -0.3, 0.5, 0.5, None),
            actor("C", 0.0, 0.5, 0.4, None),
        ],
        relations: vec![RelationSpec {
            a: 0,
            b: 1,
            reach_ab: Some(0.4),
            ..RelationSpec::default()
        }],
        extra: vec![
            r#"[[event]]
kind = "custom"
id = "pressure"
every = 1
effects = [{ threat = ["A", "B"], delta = 0.1 }]"#
                .to_string(),
            trigger_event.to_string(),
        ],
    }
}

fn trigger_event(window: &str) -> String {
    format!(
        r#"[[event]]
kind = "custom"
id = "alarm"
trigger = {{ metric = "threat", actor = "A", other = "B", op = ">", value = 0.45 }}
{window}
effects = [{{ alignment = "C", delta = 0.01 }}]"#
    )
}

/// Triggers fire at the first step whose starting state meets the condition, once by
/// default, at every such step with `once = false`, and only inside from..=until.
#[test]
fn triggers() {
    let cases: [(&str, Vec<usize>); 5] = [
        ("", vec![4]),
        ("once = true", vec![4]),
        ("once = false", (4..10).collect()),
        ("from = 6", vec![6]),
        ("until = 3", vec![]),
    ];
    for (window, expected) in cases {
        let spec = trigger_spec(&trigger_event(window));
        let sc = spec.scenario();
        let rec = simulate(&sc, 9, 2);
        let theta = |t: usize| rec.at(t).threat[1];
        // θ_AB(t) = min(0.1 + 0.1 t, 1), as the premise says.
        for t in 0..=spec.steps {
            let expected = (0.1 + 0.1 * t as f64).min(1.0);
            assert!(
                (theta(t) - expected).abs() < STEP_TOL,
                "θ_AB({t}) = {}",
                theta(t)
            );
        }
        assert_eq!(rec.fired_steps(0), (0..10).collect::<Vec<_>>());
        let got = rec.fired_steps(1);
        assert_eq!(got, expected, "trigger with `{window}`");
        // The same steps read off the recorded states at the start of each step.
        let (from, until) = match window {
            "from = 6" => (6, 9),
            "until = 3" => (0, 3),
            _ => (0, 9),
        };
        let met: Vec<usize> = (from..=until).filter(|&t| theta(t) > 0.45).collect();
        let from_states: Vec<usize> = if window == "once = false" {
            met
        } else {
            met.into_iter().take(1).collect()
        };
        assert_eq!(got, from_states, "trigger with `{window}`");
    }
}

/// A trigger met by the initial state fires at step 0.
#[test]
fn trigger_met_at_start() {
    let spec = trigger_spec(
        r#"[[event]]
kind = "custom"
id = "alarm"
trigger = { metric = "threat", actor = "A", other = "B", op = ">", value = 0.05 }
effects = [{ alignment = "C", delta = 0.01 }]"#,
    );
    let rec = simulate(&spec.scenario(), 1, 0);
    assert_eq!(rec.fired_steps(1), vec![0]);
}

/// A trigger is judged on the state at the start of its step, before any event of that
/// step applies, even an event listed before it: C's power grows by 0.1 at every step
/// through event 0, from 0.1, so p_C > 0.35 first holds at the start of step 3.
#[test]
fn trigger_reads_the_state_before_the_steps_events() {
    let mut spec = trigger_spec(
        r#"[[event]]
kind = "custom"
id = "alarm"
trigger = { metric = "power", actor = "C", op = ">", value = 0.35 }
effects = [{ alignment = "C", delta = 0.01 }]"#,
    );
    spec.actors[2].power = 0.1;
    spec.extra[0] = r#"[[event]]
kind = "custom"
id = "growth"
every = 1
effects = [{ power = "C", delta = 0.1 }]"#
        .to_string();
    let rec = simulate(&spec.scenario(), 1, 0);
    for t in 0..=spec.steps {
        let expected = (0.1 + 0.1 * t as f64).min(1.0);
        assert!((rec.at(t).power[2] - expected).abs() < STEP_TOL);
    }
    assert_eq!(rec.fired_steps(1), vec![3]);
}

/// Hazard 0 never fires, hazard 1 fires at every step of from..=until, probability 0 never
/// fires.
#[test]
fn hazard_and_probability() {
    let mut spec = trigger_spec("");
    spec.extra = [
        ("h0", "hazard = 0\nfrom = 2\nuntil = 7"),
        ("h1", "hazard = 1\nfrom = 2\nuntil = 7\nintensity = 0.7"),
        ("p0", "every = 1\nprobability = 0"),
        ("h1p0", "hazard = 1\nprobability = 0"),
        ("sure", "step = 3\nprobability = 1"),
        ("half", "hazard = 0.5\nprobability = 0.5"),
    ]
    .iter()
    .map(|(id, timing)| {
        format!(
            "[[event]]\nkind = \"custom\"\nid = \"{id}\"\n{timing}\neffects = [{{ power = \"C\", delta = 0.001 }}]"
        )
    })
    .collect();
    let sc = spec.scenario();
    for seed in [1, 2, 77] {
        for run in 0..16 {
            let rec = simulate(&sc, seed, run);
            assert_eq!(rec.fired_steps(0), Vec::<usize>::new());
            assert_eq!(rec.fired_steps(1), (2..=7).collect::<Vec<_>>());
            assert!(
                rec.fired
                    .iter()
                    .filter(|f| f.event == 1)
                    .all(|f| f.magnitude == 0.7)
            );
            assert_eq!(rec.fired_steps(2), Vec::<usize>::new());
            assert_eq!(rec.fired_steps(3), Vec::<usize>::new());
            assert_eq!(rec.fired_steps(4), vec![3]);
            assert!(rec.fired.iter().all(|f| f.attributed));
        }
    }
}
