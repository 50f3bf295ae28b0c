//! Event streams are keyed by the event's id (MODEL.md, "Events"): renaming a label or
//! inserting another event elsewhere in the timeline redraws nothing, run by run and in the
//! written tables.

use std::fs;

use crate::common::cli::{influence, ok, read, repo};
use crate::common::{Recorder, parse, simulate};
use influence::scenario::Scenario;

const SEED: u64 = 3;
const RUNS: u64 = 200;

/// The golden tiny scenario: a labelled visit, an unlabelled sabotage hazard and an unlabelled
/// trigger, with event noise, so every event draws.
fn tiny() -> String {
    read(&repo("tests/golden/tiny.toml"))
}

/// `text` with `table` inserted before its `k`-th `[[event]]` (0-based).
fn insert_before_event(text: &str, k: usize, table: &str) -> String {
    let at = text
        .match_indices("[[event]]")
        .nth(k)
        .map(|(i, _)| i)
        .unwrap_or_else(|| panic!("no event {k}"));
    format!("{}{table}\n{}", &text[..at], &text[at..])
}

fn runs(sc: &Scenario) -> Vec<Recorder> {
    (0..RUNS).map(|r| simulate(sc, SEED, r)).collect()
}

/// Every state of a run to the bit (`Debug` tells -0.0 from 0.0, which `==` does not).
fn states(rec: &Recorder) -> String {
    format!("{:?}", rec.states)
}

/// The firings of a run as `(step, event id, magnitude bits, attributed)`.
fn firings(sc: &Scenario, rec: &Recorder) -> Vec<(usize, String, u64, bool)> {
    rec.fired
        .iter()
        .map(|f| {
            (
                f.t,
                sc.events[f.event].id.clone(),
                f.magnitude.to_bits(),
                f.attributed,
            )
        })
        .collect()
}

#[test]
fn renaming_a_label_redraws_nothing() {
    let text = tiny();
    let renamed = text.replacen(
        "label = \"A visits B\"",
        "label = \"A calls on B, reworded\"",
        1,
    );
    assert_ne!(text, renamed, "the tiny scenario has the labelled visit");
    let (base, other) = (parse(&text), parse(&renamed));
    assert_eq!(other.events[0].label, "A calls on B, reworded");
    assert_eq!(base.events[0].id, other.events[0].id);
    for (r, (a, b)) in runs(&base).iter().zip(&runs(&other)).enumerate() {
        assert_eq!(states(a), states(b), "run {r}: states differ");
        assert_eq!(
            firings(&base, a),
            firings(&other, b),
            "run {r}: firings differ"
        );
    }

    // And the study's files, through the binary: the same bytes but for the label column.
    let tmp = tempfile::tempdir().expect("tempdir");
    let files = [("base.toml", &text), ("renamed.toml", &renamed)];
    for (name, body) in files {
        fs::write(tmp.path().join(name), body).expect("scenario written");
        ok(influence().current_dir(tmp.path()).args([
            "run",
            name,
            "--runs",
            "150",
            "--no-charts",
            "-q",
        ]));
    }
    for file in [
        "final.csv",
        "alignment.csv",
        "outcomes.csv",
        "trust_final.csv",
        "threat_final.csv",
        "thresholds.csv",
        "runs_sample.csv",
    ] {
        let a = fs::read(tmp.path().join("outputs/base").join(file)).expect("base file");
        let b = fs::read(tmp.path().join("outputs/renamed").join(file)).expect("renamed file");
        assert!(a == b, "{file} differs after renaming a label");
    }
    let events = |dir: &str| read(&tmp.path().join("outputs").join(dir).join("events.csv"));
    assert_eq!(
        events("base").replace("A visits B", "A calls on B, reworded"),
        events("renamed").replace("\"A calls on B, reworded\"", "A calls on B, reworded")
    );
}

#[test]
fn inserting_events_that_never_act_redraws_nothing() {
    let text = tiny();
    // Before every other event, an unlabelled sabotage by the same actor on the same target
    // as the tiny scenario's own (an id derived from kind, actor and target alone would
    // collide with it and shift it); between the others, a labelled hazard. Neither can
    // happen.
    let first = "[[event]]\nkind = \"sabotage\"\nactor = \"C \\\"quoted\\\"\"\ntarget = \"A\"\nstep = 2\nprobability = 0.0\n";
    let middle = "[[event]]\nkind = \"talks\"\nactor = \"B\"\ntarget = \"A\"\nlabel = \"Talks that never start\"\nhazard = 0.9\nprobability = 0.0\n";
    let inserted = insert_before_event(&insert_before_event(&text, 2, middle), 0, first);
    let (base, other) = (parse(&text), parse(&inserted));
    assert_eq!(other.events.len(), base.events.len() + 2);
    let base_ids: Vec<&str> = base.events.iter().map(|e| e.id.as_str()).collect();
    let kept: Vec<&str> = other
        .events
        .iter()
        .map(|e| e.id.as_str())
        .filter(|id| base_ids.contains(id))
        .collect();
    assert_eq!(kept, base_ids, "every event keeps its id");
    for (r, (a, b)) in runs(&base).iter().zip(&runs(&other)).enumerate() {
        assert_eq!(states(a), states(b), "run {r}: states differ");
        assert_eq!(
            firings(&base, a),
            firings(&other, b),
            "run {r}: firings differ"
        );
    }
}

#[test]
fn inserting_an_event_changes_only_the_runs_where_it_fires() {
    let text = tiny();
    // Due at the last step, first in the file, with an even chance: where it fires it moves
    // only the final state; where it does not, the run must be the base's to the bit.
    let visit =
        "[[event]]\nkind = \"visit\"\nactor = \"B\"\ntarget = \"A\"\nstep = 3\nprobability = 0.5\n";
    let inserted = insert_before_event(&text, 0, visit);
    let (base, other) = (parse(&text), parse(&inserted));
    let new = other
        .events
        .iter()
        .position(|e| e.id == "visit:B->A@3")
        .expect("the inserted visit");
    let (mut quiet, mut fired) = (0, 0);
    for (r, (a, b)) in runs(&base).iter().zip(&runs(&other)).enumerate() {
        let others: Vec<_> = firings(&other, b)
            .into_iter()
            .filter(|f| f.1 != other.events[new].id)
            .collect();
        // Every other event draws and fires as before: the trigger is checked on the state
        // at the start of step 3, before the new event acts.
        assert_eq!(
            firings(&base, a),
            others,
            "run {r}: other events' firings differ"
        );
        if b.fired_steps(new).is_empty() {
            quiet += 1;
            assert_eq!(states(a), states(b), "run {r}: states differ");
        } else {
            fired += 1;
            assert_eq!(
                format!("{:?}", &a.states[..4]),
                format!("{:?}", &b.states[..4]),
                "run {r}: states before the visit differ"
            );
        }
    }
    assert!(quiet > 0 && fired > 0, "quiet {quiet}, fired {fired}");
}
