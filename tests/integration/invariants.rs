//! Properties that hold for every valid scenario: every recorded state stays in the ranges
//! of MODEL.md, events fire only when their timing allows, and a run depends on
//! (scenario, seed, run) alone.

use std::fmt::Write as _;

use crate::common::{Recorder, num, parse};
use influence::model::State;
use influence::montecarlo::{Runner, stream_keys};
use influence::scenario::{Scenario, Timing};
use proptest::prelude::*;
use proptest::test_runner::{FileFailurePersistence, TestCaseError};

const KINDS: [&str; 13] = [
    "visit",
    "talks",
    "agreement",
    "trade",
    "arms_deal",
    "talks_stalled",
    "warning",
    "show_of_force",
    "sanctions",
    "sabotage",
    "strike",
    "surge",
    "custom",
];
const METRICS: [&str; 4] = ["alignment", "trust", "threat", "power"];
const OPS: [&str; 4] = [">", ">=", "<", "<="];
const MAX_ACTORS: usize = 7;

#[derive(Debug, Clone)]
struct ActorGen {
    alignment: f64,
    stubbornness: f64,
    power: f64,
    self_weight: Option<f64>,
}

#[derive(Debug, Clone)]
struct RelationGen {
    trust_ab: f64,
    trust_ba: Option<f64>,
    reach_ab: Option<f64>,
    reach_ba: Option<f64>,
}

#[derive(Debug, Clone)]
enum TimingGen {
    Step(usize),
    Steps(Vec<usize>),
    Every {
        k: usize,
        from: usize,
        len: usize,
    },
    Hazard {
        rate: f64,
        from: usize,
        len: usize,
    },
    Trigger {
        metric: usize,
        actor: usize,
        other: usize,
        op: usize,
        /// In [0, 1], stretched to [-1, 1] for alignment and trust.
        value: f64,
        once: Option<bool>,
        from: usize,
        len: usize,
    },
}

#[derive(Debug, Clone)]
struct EffectGen {
    what: usize,
    x: usize,
    y: usize,
    delta: f64,
}

#[derive(Debug, Clone)]
struct EventGen {
    kind: usize,
    actor: usize,
    target: usize,
    intensity: Option<f64>,
    probability: Option<f64>,
    attribution: Option<f64>,
    effects: Vec<EffectGen>,
    timing: TimingGen,
}

#[derive(Debug, Clone)]
struct ScenarioGen {
    n: usize,
    steps: usize,
    model: Vec<(&'static str, Option<f64>)>,
    actors: Vec<ActorGen>,
    /// One slot per unordered pair of the largest scenario, used in order.
    relations: Vec<Option<RelationGen>>,
    surge: [f64; 10],
    events: Vec<EventGen>,
}

fn opt<T: std::fmt::Debug + Clone + 'static>(
    s: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<Option<T>> {
    proptest::option::of(s).boxed()
}

fn actor_gen() -> impl Strategy<Value = ActorGen> {
    (-1.0..=1.0f64, 0.0..=1.0f64, 0.0..=1.0f64, opt(0.0..=3.0f64)).prop_map(
        |(alignment, stubbornness, power, self_weight)| ActorGen {
            alignment,
            stubbornness,
            power,
            self_weight,
        },
    )
}

fn relation_gen() -> impl Strategy<Value = Option<RelationGen>> {
    proptest::option::weighted(
        0.7,
        (
            -1.0..=1.0f64,
            opt(-1.0..=1.0f64),
            opt(0.0..=1.0f64),
            opt(0.0..=1.0f64),
        )
            .prop_map(|(trust_ab, trust_ba, reach_ab, reach_ba)| RelationGen {
                trust_ab,
                trust_ba,
                reach_ab,
                reach_ba,
            }),
    )
}

fn timing_gen() -> impl Strategy<Value = TimingGen> {
    let window = (0..64usize, 0..64usize);
    prop_oneof![
        (0..64usize).prop_map(TimingGen::Step),
        proptest::collection::vec(0..64usize, 1..5).prop_map(TimingGen::Steps),
        (1..=5usize, window.clone()).prop_map(|(k, (from, len))| TimingGen::Every { k, from, len }),
        (
            prop_oneof![Just(0.0), Just(1.0), 0.0..=1.0f64],
            window.clone()
        )
            .prop_map(|(rate, (from, len))| TimingGen::Hazard { rate, from, len }),
        (
            (0..4usize, 0..64usize, 1..64usize, 0..4usize, 0.0..=1.0f64),
            opt(any::<bool>()),
            window,
        )
            .prop_map(|((metric, actor, other, op, value), once, (from, len))| {
                TimingGen::Trigger {
                    metric,
                    actor,
                    other,
                    op,
                    value,
                    once,
                    from,
                    len,
                }
            }),
    ]
}

fn effect_gen() -> impl Strategy<Value = EffectGen> {
    (0..4usize, 0..64usize, 1..64usize, -2.0..=2.0f64).prop_map(|(what, x, y, delta)| EffectGen {
        what,
        x,
        y,
        delta,
    })
}

fn event_gen() -> impl Strategy<Value = EventGen> {
    (
        (0..KINDS.len(), 0..64usize, 1..64usize),
        opt(0.0..=3.0f64),
        opt(prop_oneof![Just(0.0), Just(1.0), 0.0..=1.0f64]),
        opt(prop_oneof![Just(0.0), Just(1.0), 0.0..=1.0f64]),
        proptest::collection::vec(effect_gen(), 1..4),
        timing_gen(),
    )
        .prop_map(
            |((kind, actor, target), intensity, probability, attribution, effects, timing)| {
                EventGen {
                    kind,
                    actor,
                    target,
                    intensity,
                    probability,
                    attribution,
                    effects,
                    timing,
                }
            },
        )
}

fn model_gen() -> impl Strategy<Value = Vec<(&'static str, Option<f64>)>> {
    (
        opt(0.0..=1.0f64),
        opt(0.0..=1.5f64),
        opt(0.0..=1.0f64),
        opt(0.0..=1.5f64),
        opt(0.0..=2.0f64),
        opt(0.0..=3.0f64),
        opt(0.0..=1.0f64),
        opt(0.0..=0.5f64),
        opt(0.0..=0.5f64),
        opt(0.0..=1.5f64),
    )
        .prop_map(|(km, b, d, g, eta, w, r, st, sa, se)| {
            vec![
                ("trust_memory", km),
                ("balance", b),
                ("threat_decay", d),
                ("balancing", g),
                ("audience", eta),
                ("self_weight", w),
                ("reach", r),
                ("trust_noise", st),
                ("alignment_noise", sa),
                ("event_noise", se),
            ]
        })
}

fn scenario_gen() -> impl Strategy<Value = ScenarioGen> {
    (
        2..=MAX_ACTORS,
        1..=25usize,
        model_gen(),
        proptest::collection::vec(actor_gen(), MAX_ACTORS),
        proptest::collection::vec(relation_gen(), MAX_ACTORS * (MAX_ACTORS - 1) / 2),
        (
            -1.0..=1.0f64,
            proptest::array::uniform8(-3.0..=3.0f64),
            0.0..=1.0f64,
        ),
        proptest::collection::vec(event_gen(), 0..7),
    )
        .prop_map(
            |(n, steps, model, actors, relations, (valence, coefficients, attribution), events)| {
                let mut surge = [0.0; 10];
                surge[0] = valence;
                surge[1..9].copy_from_slice(&coefficients);
                surge[9] = attribution;
                ScenarioGen {
                    n,
                    steps,
                    model,
                    actors,
                    relations,
                    surge,
                    events,
                }
            },
        )
}

fn name(i: usize) -> String {
    format!("P{i}")
}

/// A step inside the horizon, and a window from..=until inside it.
fn window(steps: usize, from: usize, len: usize) -> (usize, usize) {
    let from = from % steps;
    (from, from + len % (steps - from))
}

impl ScenarioGen {
    fn toml(&self) -> String {
        let (n, steps) = (self.n, self.steps);
        let mut s = String::new();
        writeln!(s, "[scenario]\nname = \"generated\"\nsteps = {steps}\n").unwrap();
        s.push_str("[model]\n");
        for (key, value) in &self.model {
            if let Some(v) = value {
                writeln!(s, "{key} = {}", num(*v)).unwrap();
            }
        }
        for (i, a) in self.actors.iter().take(n).enumerate() {
            writeln!(
                s,
                "\n[[actor]]\nname = \"{}\"\nalignment = {}\nstubbornness = {}\npower = {}",
                name(i),
                num(a.alignment),
                num(a.stubbornness),
                num(a.power)
            )
            .unwrap();
            if let Some(w) = a.self_weight {
                writeln!(s, "self_weight = {}", num(w)).unwrap();
            }
        }
        let pairs = (0..n).flat_map(|i| (i + 1..n).map(move |j| (i, j)));
        for ((i, j), rel) in pairs.zip(&self.relations) {
            let Some(r) = rel else { continue };
            writeln!(
                s,
                "\n[[relation]]\nbetween = [\"{}\", \"{}\"]",
                name(i),
                name(j)
            )
            .unwrap();
            match r.trust_ba {
                Some(ba) => writeln!(s, "trust_ab = {}\ntrust_ba = {}", num(r.trust_ab), num(ba)),
                None => writeln!(s, "trust = {}", num(r.trust_ab)),
            }
            .unwrap();
            if let Some(x) = r.reach_ab {
                writeln!(s, "reach_ab = {}", num(x)).unwrap();
            }
            if let Some(x) = r.reach_ba {
                writeln!(s, "reach_ba = {}", num(x)).unwrap();
            }
        }
        let keys = [
            "valence",
            "c_in",
            "c_out",
            "c_threat",
            "c_power_target",
            "c_power_actor",
            "c_pull",
            "c_audience",
            "c_third",
            "attribution",
        ];
        s.push_str("\n[kinds.surge]\n");
        for (key, value) in keys.iter().zip(&self.surge) {
            writeln!(s, "{key} = {}", num(*value)).unwrap();
        }
        for (e, ev) in self.events.iter().enumerate() {
            self.event_toml(&mut s, e, ev);
        }
        s
    }

    fn event_toml(&self, s: &mut String, e: usize, ev: &EventGen) {
        let (n, steps) = (self.n, self.steps);
        let kind = KINDS[ev.kind];
        let actor = ev.actor % n;
        let target = (actor + 1 + ev.target % (n - 1)) % n;
        writeln!(s, "\n[[event]]\nid = \"e{e}\"\nkind = \"{kind}\"").unwrap();
        if kind == "custom" {
            let effects: Vec<String> = ev
                .effects
                .iter()
                .map(|f| {
                    let x = f.x % n;
                    let y = (x + 1 + f.y % (n - 1)) % n;
                    let quantity = match f.what {
                        0 => format!("trust = [\"{}\", \"{}\"]", name(x), name(y)),
                        1 => format!("threat = [\"{}\", \"{}\"]", name(x), name(y)),
                        2 => format!("alignment = \"{}\"", name(x)),
                        _ => format!("power = \"{}\"", name(x)),
                    };
                    format!("{{ {quantity}, delta = {} }}", num(f.delta))
                })
                .collect();
            writeln!(s, "effects = [{}]", effects.join(", ")).unwrap();
        } else {
            writeln!(
                s,
                "actor = \"{}\"\ntarget = \"{}\"",
                name(actor),
                name(target)
            )
            .unwrap();
        }
        for (key, value) in [
            ("intensity", ev.intensity),
            ("probability", ev.probability),
            ("attribution", ev.attribution),
        ] {
            if let Some(v) = value {
                writeln!(s, "{key} = {}", num(v)).unwrap();
            }
        }
        match &ev.timing {
            TimingGen::Step(t) => writeln!(s, "step = {}", t % steps),
            TimingGen::Steps(list) => {
                let mut list: Vec<usize> = list.iter().map(|t| t % steps).collect();
                list.sort_unstable();
                list.dedup();
                let list: Vec<String> = list.iter().map(ToString::to_string).collect();
                writeln!(s, "steps = [{}]", list.join(", "))
            }
            TimingGen::Every { k, from, len } => {
                let (from, until) = window(steps, *from, *len);
                writeln!(s, "every = {k}\nfrom = {from}\nuntil = {until}")
            }
            TimingGen::Hazard { rate, from, len } => {
                let (from, until) = window(steps, *from, *len);
                writeln!(s, "hazard = {}\nfrom = {from}\nuntil = {until}", num(*rate))
            }
            TimingGen::Trigger {
                metric,
                actor,
                other,
                op,
                value,
                once,
                from,
                len,
            } => {
                let (from, until) = window(steps, *from, *len);
                let a = actor % n;
                let metric = METRICS[*metric];
                let value = match metric {
                    "alignment" | "trust" => 2.0 * value - 1.0,
                    _ => *value,
                };
                let other = if metric == "trust" || metric == "threat" {
                    format!(", other = \"{}\"", name((a + 1 + other % (n - 1)) % n))
                } else {
                    String::new()
                };
                writeln!(
                    s,
                    "trigger = {{ metric = \"{metric}\", actor = \"{}\"{other}, op = \"{}\", value = {} }}\nfrom = {from}\nuntil = {until}",
                    name(a),
                    OPS[*op],
                    num(value)
                )
                .and_then(|()| match once {
                    Some(o) => writeln!(s, "once = {o}"),
                    None => Ok(()),
                })
            }
        }
        .unwrap();
    }
}

fn in_range(label: &str, xs: &[f64], lo: f64, hi: f64) -> Result<(), TestCaseError> {
    for (k, x) in xs.iter().enumerate() {
        prop_assert!(
            x.is_finite() && *x >= lo && *x <= hi,
            "{label}[{k}] = {x}, outside [{lo}, {hi}]"
        );
    }
    Ok(())
}

fn check_state(t: usize, st: &State, n: usize) -> Result<(), TestCaseError> {
    prop_assert_eq!(st.n, n);
    prop_assert_eq!(st.alignment.len(), n);
    prop_assert_eq!(st.power.len(), n);
    prop_assert_eq!(st.trust.len(), n * n);
    prop_assert_eq!(st.shock.len(), n * n);
    prop_assert_eq!(st.threat.len(), n * n);
    in_range(&format!("t = {t}: alignment"), &st.alignment, -1.0, 1.0)?;
    in_range(&format!("t = {t}: trust"), &st.trust, -1.0, 1.0)?;
    in_range(&format!("t = {t}: shock"), &st.shock, 0.0, 1.0)?;
    in_range(&format!("t = {t}: power"), &st.power, 0.0, 1.0)?;
    in_range(&format!("t = {t}: threat"), &st.threat, 0.0, 1.0)?;
    for i in 0..n {
        let d = i * n + i;
        prop_assert_eq!(st.trust[d], 0.0, "t = {}: T_{}{}", t, i, i);
        prop_assert_eq!(st.shock[d], 0.0, "t = {}: S_{}{}", t, i, i);
        prop_assert_eq!(st.threat[d], 0.0, "t = {}: θ_{}{}", t, i, i);
    }
    Ok(())
}

/// Every firing agrees with its event's timing, probability, attribution and noise.
fn check_firings(sc: &Scenario, rec: &Recorder) -> Result<(), TestCaseError> {
    let steps = sc.steps;
    for pair in rec.fired.windows(2) {
        prop_assert!(
            (pair[0].t, pair[0].event) < (pair[1].t, pair[1].event),
            "firings out of order"
        );
    }
    for f in &rec.fired {
        let ev = &sc.events[f.event];
        prop_assert!(f.t < steps);
        prop_assert!(f.magnitude.is_finite() && f.magnitude >= 0.0);
        if sc.model.event_noise == 0.0 {
            prop_assert_eq!(f.magnitude, ev.intensity);
        }
        if ev.attribution == 1.0 {
            prop_assert!(f.attributed);
        }
        if ev.attribution == 0.0 {
            prop_assert!(!f.attributed);
        }
    }
    for (e, ev) in sc.events.iter().enumerate() {
        let fired = rec.fired_steps(e);
        let certain = ev.probability == 1.0;
        if ev.probability == 0.0 {
            prop_assert!(fired.is_empty(), "event {} has probability 0", e);
        }
        match &ev.timing {
            Timing::Scheduled(due) => {
                let due: Vec<usize> = (0..steps).filter(|&t| due[t]).collect();
                if certain {
                    prop_assert_eq!(&fired, &due);
                } else {
                    prop_assert!(fired.iter().all(|t| due.contains(t)));
                }
            }
            Timing::Hazard { rate, from, until } => {
                prop_assert!(fired.iter().all(|t| from <= t && t <= until));
                if *rate == 0.0 {
                    prop_assert!(fired.is_empty());
                }
                if *rate == 1.0 && certain {
                    prop_assert_eq!(fired, (*from..=*until).collect::<Vec<_>>());
                }
            }
            Timing::Trigger {
                condition,
                once,
                from,
                until,
                ..
            } => {
                // Judged on the state at the start of the step, before its events.
                let met: Vec<usize> = (*from..=*until)
                    .filter(|&t| rec.at(t).meets(condition))
                    .collect();
                prop_assert!(fired.iter().all(|t| met.contains(t)));
                if *once {
                    prop_assert!(fired.len() <= 1);
                }
                if certain {
                    let expected: Vec<usize> = if *once {
                        met.into_iter().take(1).collect()
                    } else {
                        met
                    };
                    prop_assert_eq!(fired, expected);
                }
            }
        }
    }
    Ok(())
}

/// Every number of a run, as bits, so that comparisons are exact.
fn bits(rec: &Recorder) -> Vec<u64> {
    let mut out = Vec::new();
    for (t, st) in &rec.states {
        out.push(*t as u64);
        for v in [&st.alignment, &st.trust, &st.shock, &st.power, &st.threat] {
            out.extend(v.iter().map(|x| x.to_bits()));
        }
    }
    for f in &rec.fired {
        out.extend([
            f.t as u64,
            f.event as u64,
            f.magnitude.to_bits(),
            u64::from(f.attributed),
        ]);
    }
    out
}

fn run_on(runner: &mut Runner<'_>, run: u64) -> Recorder {
    let mut rec = Recorder::default();
    runner.run(run, &mut rec);
    rec
}

// Failures found before are kept in invariants.proptest-regressions beside this file and
// replayed before any new case. Named explicitly: proptest's default would look for
// tests/proptest-regressions/invariants.txt, beside the directory holding main.rs.
proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions"
        ))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn states_stay_in_range_and_runs_are_reproducible(
        spec in scenario_gen(),
        seed in any::<u64>(),
    ) {
        let text = spec.toml();
        let sc = parse(&text);
        let n = sc.n();
        prop_assert_eq!(n, spec.n);
        let keys = stream_keys(&sc, seed);

        // Runs 0..=5 on one runner, in order.
        let mut runner = Runner::new(&sc, &keys);
        let mut runs = Vec::new();
        for run in 0..=5 {
            let rec = run_on(&mut runner, run);
            prop_assert_eq!(rec.states.len(), sc.steps + 1);
            for (k, (t, st)) in rec.states.iter().enumerate() {
                prop_assert_eq!(*t, k);
                check_state(*t, st, n)?;
            }
            check_firings(&sc, &rec)?;
            runs.push(rec);
        }

        // The same (scenario, seed, run) on a fresh runner gives the same bits.
        let mut fresh = Runner::new(&sc, &keys);
        let again = run_on(&mut fresh, 2);
        prop_assert!(bits(&again) == bits(&runs[2]), "run 2 differs on a fresh runner");

        // Run 5 alone equals run 5 after runs 0..=4.
        let keys_again = stream_keys(&sc, seed);
        let mut alone = Runner::new(&sc, &keys_again);
        let five = run_on(&mut alone, 5);
        prop_assert!(bits(&five) == bits(&runs[5]), "run 5 depends on the runs before it");

        // And a runner that ran something else first, out of order, still agrees.
        let _ = run_on(&mut alone, 9);
        let five_after = run_on(&mut alone, 5);
        prop_assert!(bits(&five_after) == bits(&runs[5]));
        let zero_after = run_on(&mut alone, 0);
        prop_assert!(bits(&zero_after) == bits(&runs[0]));
    }
}
