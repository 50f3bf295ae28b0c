//! Throughput of the simulation core on the embedded default scenario.
//!
//! `cargo bench --bench throughput` reports:
//! - `one_run`: one 26-step run with all noise on (time per run; throughput in steps/s);
//! - `batch_10k/threads=1` and `batch_10k/threads=2`: a 10,000-run batch with aggregation,
//!   as `influence run` does it minus file writing (throughput in runs/s).

use std::sync::atomic::AtomicBool;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use influence::model::State;
use influence::montecarlo::{BatchConfig, Observer, Runner, run_batch, stream_keys, thread_pool};
use influence::scenario::ScenarioSource;

struct Discard;

impl Observer for Discard {
    fn record(&mut self, _t: usize, st: &State) {
        std::hint::black_box(st.alignment[0]);
    }
}

fn benches(c: &mut Criterion) {
    let sc = match ScenarioSource::embedded_default().parse() {
        Ok(sc) => sc,
        Err(e) => panic!("the embedded scenario does not parse:\n{e}"),
    };
    let keys = stream_keys(&sc, sc.seed);
    let mut runner = Runner::new(&sc, &keys);

    let mut group = c.benchmark_group("default_scenario");
    group.throughput(Throughput::Elements(sc.steps as u64));
    let mut run = 0u64;
    group.bench_function("one_run", |b| {
        b.iter(|| {
            run += 1;
            runner.run(run, &mut Discard);
        })
    });
    group.finish();

    let mut group = c.benchmark_group("batch_10k");
    group.sample_size(10);
    group.throughput(Throughput::Elements(10_000));
    for threads in [1usize, 2] {
        let cfg = BatchConfig::new(10_000, sc.seed);
        let cancel = AtomicBool::new(false);
        let pool = match thread_pool(Some(threads)) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        };
        group.bench_function(format!("threads={threads}"), |b| {
            b.iter(|| run_batch(&sc, &cfg, &pool, &|_| {}, &cancel).map(|r| r.runs))
        });
    }
    group.finish();
}

criterion_group! {
    name = throughput;
    // Plots would need a font at run time; the numbers are what matter here.
    config = Criterion::default().without_plots();
    targets = benches
}
criterion_main!(throughput);
