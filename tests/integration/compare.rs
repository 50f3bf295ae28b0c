//! Paired comparisons on common random numbers.

use std::sync::atomic::AtomicBool;

use crate::common::parse;
use influence::analysis::compare::{alignment_diff, outcome_diffs};
use influence::montecarlo::BatchConfig;
use influence::montecarlo::paired::{PairError, run_paired};
use influence::scenario::Scenario;

const BASE: &str = r#"
[scenario]
name = "Pairing"
steps = 20
seed = 5

[model]
trust_noise = 0.05
alignment_noise = 0.02
event_noise = 0.3

[[actor]]
name = "A"
alignment = -0.6
stubbornness = 0.2
power = 0.5

[[actor]]
name = "B"
alignment = 0.1
stubbornness = 0.3
power = 0.3

[[actor]]
name = "C"
alignment = 0.7
stubbornness = 0.4
power = 0.4

[[relation]]
between = ["A", "B"]
trust = 0.3

[[relation]]
between = ["B", "C"]
trust_ab = 0.5
trust_ba = -0.2

[[event]]
id = "early visit"
kind = "visit"
actor = "A"
target = "B"
step = 2

[[event]]
id = "random sabotage"
kind = "sabotage"
actor = "C"
target = "A"
hazard = 0.2

[[event]]
id = "late strike"
kind = "strike"
actor = "C"
target = "B"
step = 12
probability = 0.7

[[outcome]]
name = "B leans positive"
metric = "alignment"
actor = "B"
op = ">"
value = 0.0
"#;

fn paired(
    base: &Scenario,
    variant: &Scenario,
    runs: u64,
) -> influence::montecarlo::paired::PairedResult {
    let cfg = BatchConfig::new(runs, 5);
    run_paired(
        base,
        variant,
        &cfg,
        &pool(2),
        &|_| {},
        &AtomicBool::new(false),
    )
    .expect("paired runs")
}

fn pool(threads: usize) -> rayon::ThreadPool {
    influence::montecarlo::thread_pool(Some(threads)).expect("thread pool")
}

#[test]
fn a_late_change_leaves_every_run_identical_up_to_its_step() {
    let base = parse(BASE);
    let variant = parse(&BASE.replace(
        "step = 12\nprobability = 0.7",
        "step = 12\nprobability = 0.7\nintensity = 2.5",
    ));
    let r = paired(&base, &variant, 400);
    let n = base.n();
    for t in 0..=12 {
        for i in 0..n {
            let d = alignment_diff(&r, n, t, i);
            assert_eq!(d.p_identical, 1.0, "step {t} actor {i}");
            assert_eq!(d.mean, 0.0);
        }
    }
    // From step 13 on, the strike (when it fires) changes B.
    let after = alignment_diff(&r, n, 13, 1);
    assert!(
        after.p_identical < 1.0 && after.p_identical > 0.0,
        "{after:?}"
    );
}

#[test]
fn an_event_without_effect_changes_nothing_exactly() {
    let base = parse(BASE);
    // The same scenario with one more event that never fires: every draw of the other
    // sources is unchanged, so every run is identical to the bit.
    let variant = parse(&format!(
        "{BASE}\n[[event]]\nid = \"never\"\nkind = \"strike\"\nactor = \"A\"\ntarget = \"C\"\nstep = 3\nprobability = 0.0\n"
    ));
    let r = paired(&base, &variant, 300);
    let n = base.n();
    for t in 0..=base.steps {
        for i in 0..n {
            let d = alignment_diff(&r, n, t, i);
            assert_eq!(d.p_identical, 1.0);
            assert_eq!((d.mean, d.interval.low, d.interval.high), (0.0, 0.0, 0.0));
        }
    }
    for o in outcome_diffs(&base, &r) {
        assert_eq!(o.diff, 0.0);
        assert_eq!(o.p_base, o.p_variant);
    }
}

#[test]
fn pairing_is_much_tighter_than_independent_seeds() {
    let base = parse(BASE);
    let variant = parse(&BASE.replace(
        "id = \"early visit\"\nkind = \"visit\"",
        "id = \"early visit\"\nkind = \"visit\"\nintensity = 1.5",
    ));
    let runs = 2000;
    let r = paired(&base, &variant, runs);
    let n = base.n();
    let t = base.steps;
    let paired_half = {
        let d = alignment_diff(&r, n, t, 1);
        (d.interval.high - d.interval.low) / 2.0
    };
    // The interval two independent batches would give: sqrt(var_b/n + var_v/n).
    let sd_b = r.aggregates.base.grids.alignment.summary(t * n + 1).sd;
    let sd_v = r.aggregates.variant.grids.alignment.summary(t * n + 1).sd;
    let independent_half =
        1.959_963_984_540_054 * ((sd_b * sd_b + sd_v * sd_v) / runs as f64).sqrt();
    eprintln!(
        "paired half-width {paired_half:.5}, independent {independent_half:.5}, ratio {:.1}",
        independent_half / paired_half
    );
    assert!(paired_half * 3.0 < independent_half);
}

#[test]
fn different_actors_are_refused() {
    let base = parse(BASE);
    let other = parse(
        &BASE
            .replace("name = \"C\"", "name = \"D\"")
            .replace("\"C\"", "\"D\""),
    );
    let cfg = BatchConfig::new(10, 1);
    let err = run_paired(
        &base,
        &other,
        &cfg,
        &pool(1),
        &|_| {},
        &AtomicBool::new(false),
    )
    .expect_err("refused");
    assert!(matches!(err, PairError::Mismatch(_)));
    let msg = err.to_string();
    assert!(msg.contains("\"C\"") && msg.contains("\"D\""), "{msg}");
}

#[test]
fn ablation_of_an_event_without_effect_is_exactly_zero_and_ranks_last() {
    use influence::analysis::ablation::Measure;
    use influence::ops::ablate::ablate;
    let sc = parse(&format!(
        "{BASE}\n[[event]]\nid = \"never\"\nkind = \"strike\"\nactor = \"A\"\ntarget = \"C\"\nstep = 3\nprobability = 0.0\n"
    ));
    let cfg = BatchConfig::new(300, 5);
    let effects =
        ablate(&sc, &cfg, &pool(2), &|_| {}, &AtomicBool::new(false)).expect("ablation runs");
    let never = sc
        .events
        .iter()
        .position(|e| e.id == "never")
        .expect("event");
    let events = sc.events.len();
    for e in effects.iter().filter(|e| e.event == never) {
        assert_eq!(e.effect, 0.0, "{e:?}");
        assert!(e.interval.low <= 0.0 && 0.0 <= e.interval.high, "{e:?}");
        if e.measure == Measure::FinalAlignment {
            // Every paired run is identical, so the interval has no width either.
            assert_eq!((e.interval.low, e.interval.high), (0.0, 0.0), "{e:?}");
        }
        assert_eq!(e.rank, events, "{e:?}");
    }
    // Every (measure, name) is ranked 1..=events.
    let outcome_ranks: Vec<usize> = effects
        .iter()
        .filter(|e| e.measure == Measure::Outcome)
        .map(|e| e.rank)
        .collect();
    assert_eq!(outcome_ranks, (1..=events).collect::<Vec<_>>());
    // The early visit of A to B moves B's final alignment more than the "never" event.
    let b_effects: Vec<_> = effects
        .iter()
        .filter(|e| e.measure == Measure::FinalAlignment && e.name == "B")
        .collect();
    assert_eq!(b_effects.len(), events);
    assert!(b_effects[0].effect.abs() > 0.0);
}

/// The shipped "no visit" variant is the default scenario less its step-0 visit, and
/// nothing else: a comparison of the two measures the visit alone.
#[test]
fn the_no_visit_variant_differs_from_the_default_by_the_visit_only() {
    let read = |p: &str| {
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(p))
            .expect("scenario file")
    };
    let base = parse(&read("scenarios/south_caucasus.toml"));
    let variant = parse(&read("scenarios/south_caucasus_no_visit.toml"));
    let mut events = base.events.clone();
    let visit = events
        .iter()
        .position(|e| e.id == "Pezeshkian visits Baku")
        .expect("the visit");
    events.remove(visit);
    assert_eq!(variant.events, events);
    assert_eq!(variant.actors, base.actors);
    assert_eq!(variant.trust0, base.trust0);
    assert_eq!(variant.reach, base.reach);
    assert_eq!(variant.outcomes, base.outcomes);
    assert_eq!(variant.model, base.model);
    assert_eq!(
        (variant.steps, variant.seed, variant.runs),
        (base.steps, base.seed, base.runs)
    );
    let inputs = |sc: &Scenario| {
        sc.inputs
            .iter()
            .map(|i| (i.name.clone(), i.distribution))
            .collect::<Vec<_>>()
    };
    assert_eq!(inputs(&variant), inputs(&base));
}
