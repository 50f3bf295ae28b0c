//! The no-event baseline beside every outcome (MODEL.md "Analysis"): each run of a study is
//! also simulated without the scenario's events, on the same random numbers, so a study
//! reports each outcome with and without the events and what the events change.

use std::fs;
use std::sync::atomic::AtomicBool;

use influence::analysis::compare::outcome_diffs;
use influence::analysis::summary::baseline_estimates;
use influence::montecarlo::paired::run_paired;
use influence::montecarlo::{BatchConfig, InputPlan, run_batch, thread_pool};
use influence::scenario::{DEFAULT_SCENARIO_TEXT, Scenario};

use crate::common::cli::{bad_input, csv_records, influence, ok, read, repo};
use crate::common::parse;

fn batch(sc: &Scenario, runs: u64, baseline: bool) -> influence::montecarlo::BatchResult {
    let cfg = BatchConfig {
        inputs: InputPlan::Drawn,
        baseline,
        ..BatchConfig::new(runs, 42)
    };
    let pool = thread_pool(Some(2)).expect("pool");
    run_batch(sc, &cfg, &pool, &|_| {}, &AtomicBool::new(false)).expect("batch")
}

/// The baseline of a study is exactly the study of the scenario with its events removed
/// (inputs drawn alike, noise streams keyed alike), and adding it changes nothing else.
#[test]
fn the_baseline_is_the_study_of_the_scenario_without_its_events() {
    let sc = parse(DEFAULT_SCENARIO_TEXT);
    let with = batch(&sc, 600, true);
    let plain = batch(&sc, 600, false);
    let quiet = batch(&sc.without_events(), 600, false);
    let pairs = with.aggregates.baseline.as_ref().expect("baseline kept");
    for (o, &[both, events_only, quiet_only, _]) in pairs.counts.iter().enumerate() {
        assert_eq!(both + events_only, plain.aggregates.outcomes.hits[o]);
        assert_eq!(both + quiet_only, quiet.aggregates.outcomes.hits[o]);
    }
    // Everything but the baseline is the plain study's, to the bit.
    let mut stripped = with.aggregates.clone();
    stripped.baseline = None;
    assert!(
        stripped == plain.aggregates,
        "the baseline changed the study"
    );
    assert_eq!(
        with.final_values().expect("final table"),
        plain.final_values().expect("final table")
    );
    // The default scenario's events are what move its outcomes: without them, each of its
    // outcomes is rare (a steady start, MODEL.md "Anchors").
    let b = baseline_estimates(&with.aggregates).expect("estimates");
    assert!(b.iter().all(|b| b.probability < 0.02), "{b:?}");
}

/// What the events change is the paired difference of a comparison of the scenario with its
/// no-event copy, with the same (Newcombe) interval, sign turned.
#[test]
fn the_change_is_the_comparison_against_the_no_event_copy() {
    let sc = parse(&read(&repo("tests/golden/tiny.toml")));
    let quiet = sc.without_events();
    let with = batch(&sc, 400, true);
    let cfg = BatchConfig::new(400, 42);
    let pool = thread_pool(Some(1)).expect("pool");
    let paired =
        run_paired(&sc, &quiet, &cfg, &pool, &|_| {}, &AtomicBool::new(false)).expect("paired");
    let diffs = outcome_diffs(&sc, &paired);
    let b = baseline_estimates(&with.aggregates).expect("estimates");
    assert_eq!(diffs.len(), b.len());
    for (d, b) in diffs.iter().zip(&b) {
        assert_eq!(b.probability, d.p_variant, "{}", d.name);
        assert_eq!(b.change, -d.diff, "{}", d.name);
        assert_eq!(b.change_interval.low, -d.interval.high, "{}", d.name);
        assert_eq!(b.change_interval.high, -d.interval.low, "{}", d.name);
        assert!(b.change_interval.low <= b.change && b.change <= b.change_interval.high);
    }
}

fn column(rows: &[Vec<String>], name: &str) -> Vec<String> {
    let k = rows[0].iter().position(|h| h == name).expect("column");
    rows[1..].iter().map(|r| r[k].clone()).collect()
}

#[test]
fn outcomes_csv_and_the_terminal_say_both_and_no_baseline_leaves_the_columns_empty() {
    let tmp = tempfile::tempdir().expect("tmp");
    let with = tmp.path().join("with");
    let stdout = ok(influence()
        .args(["run", "--runs", "300", "--no-charts", "--out"])
        .arg(&with)
        .arg(repo("tests/golden/tiny.toml")));
    assert!(stdout.contains("with events"), "{stdout}");
    assert!(stdout.contains("events change"), "{stdout}");
    let rows = csv_records(&read(&with.join("outcomes.csv")));
    let p = column(&rows, "probability");
    let base = column(&rows, "baseline");
    let change = column(&rows, "change");
    for k in 0..p.len() {
        let num = |s: &str| s.parse::<f64>().expect("number");
        assert!((num(&p[k]) - num(&base[k]) - num(&change[k])).abs() < 2e-6);
    }
    let summary: serde_json::Value =
        serde_json::from_str(&read(&with.join("summary.json"))).expect("json");
    assert!(summary["outcomes"][0]["without_events"]["change"].is_number());

    let without = tmp.path().join("without");
    let stdout = ok(influence()
        .args([
            "run",
            "--runs",
            "300",
            "--no-charts",
            "--no-baseline",
            "--out",
        ])
        .arg(&without)
        .arg(repo("tests/golden/tiny.toml")));
    assert!(!stdout.contains("events change"), "{stdout}");
    let rows_without = csv_records(&read(&without.join("outcomes.csv")));
    assert_eq!(rows_without[0], rows[0], "the same columns");
    for name in ["baseline", "baseline_low", "change", "change_high"] {
        assert!(column(&rows_without, name).iter().all(String::is_empty));
    }
    assert_eq!(column(&rows_without, "probability"), p);
    // The baseline changes no other file.
    for name in [
        "alignment.csv",
        "final.csv",
        "trust_final.csv",
        "threat_final.csv",
        "events.csv",
        "runs_sample.csv",
        "thresholds.csv",
        "blocs.csv",
        "blocs_splits.csv",
    ] {
        assert!(
            fs::read(with.join(name)).expect("read") == fs::read(without.join(name)).expect("read"),
            "{name} differs"
        );
    }
}

#[test]
fn a_scenario_without_events_has_no_baseline() {
    let tmp = tempfile::tempdir().expect("tmp");
    let file = tmp.path().join("still.toml");
    fs::write(
        &file,
        r#"[scenario]
name = "Still"
steps = 5

[[actor]]
name = "A"
alignment = 0.2
stubbornness = 0.5
power = 0.5

[[actor]]
name = "B"
alignment = -0.2
stubbornness = 0.5
power = 0.5

[[outcome]]
name = "A leans west"
metric = "alignment"
actor = "A"
op = ">"
value = 0.1
"#,
    )
    .expect("write");
    let out = tmp.path().join("out");
    let stdout = ok(influence()
        .args(["run", "--runs", "20", "--no-charts", "--out"])
        .arg(&out)
        .arg(&file));
    assert!(!stdout.contains("events change"), "{stdout}");
    let rows = csv_records(&read(&out.join("outcomes.csv")));
    assert!(column(&rows, "change").iter().all(String::is_empty));
}

#[test]
fn parts_with_and_without_the_baseline_do_not_merge() {
    let tmp = tempfile::tempdir().expect("tmp");
    let tiny = repo("tests/golden/tiny.toml");
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    ok(influence()
        .args(["run", "-q", "--runs", "40", "--shard", "0/2", "--out"])
        .arg(&a)
        .arg(&tiny));
    ok(influence()
        .args([
            "run",
            "-q",
            "--runs",
            "40",
            "--shard",
            "1/2",
            "--no-baseline",
            "--out",
        ])
        .arg(&b)
        .arg(&tiny));
    let merged = tmp.path().join("merged");
    let stderr = bad_input(
        influence()
            .arg("merge")
            .arg(&a)
            .arg(&b)
            .arg("--out")
            .arg(&merged),
    );
    assert!(stderr.contains("no-event-baseline"), "{stderr}");
    assert!(!merged.exists());
}
