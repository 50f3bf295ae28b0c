//! Reproducibility: a study depends only on (scenario, seed, run index).

use std::sync::atomic::AtomicBool;

use influence::analysis::summary::{threat_final, trust_final};
use influence::montecarlo::{BatchConfig, BatchResult, run_batch};
use influence::ops::replay::replay;
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
    // As a study runs it: the uncertain inputs drawn per run.
    let cfg = BatchConfig {
        inputs: influence::ops::study::input_plan(sc, false),
        ..BatchConfig::new(runs, seed)
    };
    run_batch(sc, &cfg, &pool(threads), &|_| {}, &AtomicBool::new(false)).expect("batch runs")
}

fn pool(threads: usize) -> rayon::ThreadPool {
    influence::montecarlo::thread_pool(Some(threads)).expect("thread pool")
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
    assert_eq!(
        a.final_values().expect("final table"),
        b.final_values().expect("final table")
    );
    let c = batch(&sc, 300, 8, 2);
    assert_ne!(
        a.final_values().expect("final table"),
        c.final_values().expect("final table")
    );
}

#[test]
fn a_run_does_not_depend_on_the_batch_size() {
    let sc = default_scenario();
    let small = batch(&sc, 100, 42, 2);
    let large = batch(&sc, 1000, 42, 2);
    let n = sc.n();
    let (small, large) = (
        small.final_values().expect("final table"),
        large.final_values().expect("final table"),
    );
    assert_eq!(small[..], large[..100 * n]);
}

#[test]
fn replay_is_exactly_the_batch_run() {
    let sc = default_scenario();
    let r = batch(&sc, 200, 42, 2);
    let n = sc.n();
    let all = r.final_values().expect("final table");
    for run in [0u64, 1, 57, 199] {
        let tables = replay(&sc, 42, run, &pool(2)).expect("replay");
        let row = &all[run as usize * n..(run as usize + 1) * n];
        assert_eq!(tables.final_alignment, row, "run {run}");
        // The trajectory of a sampled run equals the replayed one at every step.
        if run < 40 {
            let text = tables.actors.into_string();
            for (i, actor) in sc.actors.iter().enumerate() {
                let kept = r.aggregates.sample.trajectory(run as usize, i);
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

#[test]
fn batches_appended_block_by_block_equal_one_batch() {
    let sc = default_scenario();
    let whole = batch(&sc, 300, 42, 2);
    let mut grown: Option<BatchResult> = None;
    for (first, runs) in [(0u64, 100u64), (100, 64), (164, 136)] {
        let cfg = BatchConfig {
            first_run: first,
            inputs: influence::ops::study::input_plan(&sc, false),
            ..BatchConfig::new(runs, 42)
        };
        let part =
            run_batch(&sc, &cfg, &pool(2), &|_| {}, &AtomicBool::new(false)).expect("batch runs");
        match grown.as_mut() {
            None => grown = Some(part),
            Some(g) => g.append(part).expect("contiguous"),
        }
    }
    let grown = grown.expect("three blocks");
    assert_eq!(tables(&sc, &grown), tables(&sc, &whole));
    // A gap is refused.
    let mut a = batch(&sc, 10, 42, 1);
    let gap = BatchConfig {
        first_run: 20,
        ..BatchConfig::new(10, 42)
    };
    let b = run_batch(&sc, &gap, &pool(1), &|_| {}, &AtomicBool::new(false)).expect("batch runs");
    assert!(a.append(b).is_err());
}

#[test]
fn the_stopping_rule_equals_a_plain_run_of_the_final_count() {
    use influence::analysis::convergence::StopRule;
    use influence::ops::until::run_until;
    let sc = default_scenario();
    let rule = StopRule {
        half_width: 0.06,
        block: 100,
        max_runs: 5000,
    };
    let cfg = BatchConfig {
        inputs: influence::ops::study::input_plan(&sc, false),
        ..BatchConfig::new(0, 42)
    };
    let grown =
        run_until(&sc, &cfg, &rule, &pool(2), &|_| {}, &AtomicBool::new(false)).expect("runs");
    assert!(grown.converged);
    let runs = grown.result.runs;
    assert!(
        runs > 100 && runs.is_multiple_of(100) && runs < 5000,
        "{runs}"
    );
    assert_eq!(grown.path.len() as u64, runs / 100);
    // Every block before the last was still too wide; the last is narrow enough.
    for p in &grown.path[..grown.path.len() - 1] {
        assert!(p.widest_half_width() > 0.06);
    }
    assert!(grown.path[grown.path.len() - 1].widest_half_width() <= 0.06);
    let plain = batch(&sc, runs, 42, 1);
    assert_eq!(tables(&sc, &grown.result), tables(&sc, &plain));
    // The cap stops it even when the target is out of reach.
    let capped = StopRule {
        half_width: 0.0001,
        block: 64,
        max_runs: 200,
    };
    let g = run_until(
        &sc,
        &cfg,
        &capped,
        &pool(2),
        &|_| {},
        &AtomicBool::new(false),
    )
    .expect("runs");
    assert!(!g.converged);
    assert_eq!(g.result.runs, 200);
    assert_eq!(
        g.path.iter().map(|p| p.runs).collect::<Vec<_>>(),
        vec![64, 128, 192, 200]
    );
}
