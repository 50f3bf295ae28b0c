//! Reproducibility: a study depends only on (scenario, seed, run index).

use std::sync::atomic::AtomicBool;

use influence::analysis::summary::{threat_final, trust_final};
use influence::montecarlo::{BatchConfig, BatchResult, run_batch};
use influence::output::replay::replay;
use influence::output::study::{
    alignment_csv, events_csv, outcomes_csv, pair_csv, sample_csv, write_final_csv,
};
use influence::scenario::{Scenario, ScenarioSource};

fn default_scenario() -> Scenario {
    match ScenarioSource::embedded_default().parse() {
        Ok(sc) => sc,
        Err(e) => panic!("{e}"),
    }
}

fn batch(sc: &Scenario, runs: u64, seed: u64, threads: usize) -> BatchResult {
    let cfg = BatchConfig {
        runs,
        seed,
        threads: Some(threads),
        sample_runs: 40,
    };
    run_batch(sc, &cfg, &|_| {}, &AtomicBool::new(false)).expect("batch runs")
}

/// Every aggregated table of a batch, as the bytes written to disk.
fn tables(sc: &Scenario, r: &BatchResult) -> Vec<(&'static str, String)> {
    let mut final_csv = Vec::new();
    write_final_csv(&mut final_csv, sc, r).expect("in-memory write");
    vec![
        ("alignment.csv", alignment_csv(sc, r)),
        ("trust_final.csv", pair_csv(sc, r, trust_final)),
        ("threat_final.csv", pair_csv(sc, r, threat_final)),
        ("final.csv", String::from_utf8(final_csv).expect("utf-8")),
        ("outcomes.csv", outcomes_csv(sc, r)),
        ("events.csv", events_csv(sc, r)),
        ("runs_sample.csv", sample_csv(sc, r)),
    ]
}

#[test]
fn thread_count_does_not_change_a_single_byte() {
    let sc = default_scenario();
    // 1,000 runs = 16 chunks: enough for rayon to split the work differently per thread count.
    let one = tables(&sc, &batch(&sc, 1000, 42, 1));
    for threads in [2, 4] {
        let other = tables(&sc, &batch(&sc, 1000, 42, threads));
        for ((name, a), (_, b)) in one.iter().zip(&other) {
            assert!(a == b, "{name} differs between 1 and {threads} threads");
        }
    }
}

#[test]
fn same_seed_twice_is_identical_and_another_seed_is_not() {
    let sc = default_scenario();
    let a = batch(&sc, 300, 7, 2);
    let b = batch(&sc, 300, 7, 2);
    assert_eq!(a.aggregates, b.aggregates);
    assert_eq!(a.final_alignment, b.final_alignment);
    let c = batch(&sc, 300, 8, 2);
    assert_ne!(a.final_alignment, c.final_alignment);
}

#[test]
fn a_run_does_not_depend_on_the_batch_size() {
    let sc = default_scenario();
    let small = batch(&sc, 100, 42, 2);
    let large = batch(&sc, 1000, 42, 2);
    let n = sc.n();
    assert_eq!(small.final_alignment[..], large.final_alignment[..100 * n]);
}

#[test]
fn replay_is_exactly_the_batch_run() {
    let sc = default_scenario();
    let r = batch(&sc, 200, 42, 2);
    let n = sc.n();
    for run in [0u64, 1, 57, 199] {
        let tables = replay(&sc, 42, run);
        let row = &r.final_alignment[run as usize * n..(run as usize + 1) * n];
        assert_eq!(tables.final_alignment, row, "run {run}");
        // The trajectory of a sampled run equals the replayed one at every step.
        if run < 40 {
            let text = tables.actors.into_string();
            for (i, actor) in sc.actors.iter().enumerate() {
                let kept = r.aggregates.sample_trajectory(run as usize, i);
                let replayed: Vec<f64> = text
                    .lines()
                    .skip(1)
                    .filter(|l| l.split(',').nth(1) == Some(actor.name.as_str()))
                    .map(|l| {
                        l.split(',')
                            .nth(2)
                            .and_then(|x| x.parse().ok())
                            .expect("number")
                    })
                    .collect();
                assert_eq!(replayed.len(), kept.len());
                for (a, b) in replayed.iter().zip(&kept) {
                    assert!(
                        (a - b).abs() <= 5e-7,
                        "run {run} {}: {a} vs {b}",
                        actor.name
                    );
                }
            }
        }
    }
}
