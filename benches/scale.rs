//! Throughput as the region grows: 9, 50 and 200 actors.
//!
//! `cargo bench --bench scale` reports:
//! - `one_run/n=9`: one run of the embedded default scenario (9 actors, 26 steps);
//! - `one_run/n=9 side by side`: eight runs of it at once, in the lanes of the vector
//!   registers, as studies run it (keeping of the states between the first and the last
//!   what a study reads), each then told to an observer; throughput in runs/s;
//! - `one_run/n=50` and `one_run/n=200`: one 52-step run of a synthetic world of
//!   `influence::scenario::generate` (2 events per actor: 100 and 400, mostly hazards; 375 and
//!   1,500 relations), seed 1; all noise on. Throughput in runs/s (`elem/s`);
//! - `balance_product/n=200 dense` and `balance_product/n=200 sparse`: one call of
//!   `Dynamics::advance` at 200 actors with trust noise off, so the step is dominated by the
//!   structural-balance product Σ_k T_ik T_kj. Its n³ = 8,000,000 multiply-adds are declared as
//!   the throughput, so `Melem/s` reads as million multiply-adds per second. "Dense" starts
//!   from the state after one noisy step, where every pair has non-zero trust and no term can
//!   be skipped; "sparse" starts from the world's initial trust (1,500 of 19,900 pairs), where
//!   the kernel skips the terms that are zero, so its figure is an effective rate;
//! - `balance_product/n=200 dense, product alone`: the dense product by itself
//!   (`model::Balance::next_trust`), without the rest of the step;
//! - `balance_product/peak no-fma 256-bit` and `balance_product/peak no-fma 512-bit`: the
//!   core's own peak of separate multiplies and adds, the yardstick for the two above. Many
//!   independent chains of multiplies and of adds, in the registers of each width, run side
//!   by side; a multiply and an add count as one multiply-add, as in the product.

use std::time::Duration;

use criterion::{BatchSize, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use influence::model::lanes::LANES;
use influence::model::{Balance, Dynamics, Part, Reads, State, solve_anchors};
use influence::montecarlo::lanes::LaneRunner;
use influence::montecarlo::{Observer, Runner, stream_keys};
use influence::scenario::generate::{WorldSpec, generate_world};
use influence::scenario::{Scenario, ScenarioSource, parse_scenario};

struct Discard;

impl Observer for Discard {
    fn record(&mut self, _t: usize, st: &State) {
        std::hint::black_box(st.alignment[0]);
    }
}

/// The synthetic world of `actors` actors, 2 events per actor, seed 1.
fn synthetic(actors: usize) -> Scenario {
    let spec = match WorldSpec::with_default_events(actors, 1) {
        Ok(spec) => spec,
        Err(e) => panic!("{e}"),
    };
    match parse_scenario(&generate_world(&spec), "synthetic world") {
        Ok(sc) => sc,
        Err(e) => panic!("the synthetic world of {actors} actors does not parse:\n{e}"),
    }
}

fn one_run(c: &mut Criterion) {
    let default = match ScenarioSource::embedded_default().parse() {
        Ok(sc) => sc,
        Err(e) => panic!("the embedded scenario does not parse:\n{e}"),
    };
    let worlds = [
        ("n=9", default),
        ("n=50", synthetic(50)),
        ("n=200", synthetic(200)),
    ];

    let mut group = c.benchmark_group("one_run");
    // A 200-actor run takes a good fraction of a second: flat sampling keeps the count of
    // runs at ten per sample set instead of the 55 of linear sampling.
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.throughput(Throughput::Elements(1));
    for (label, sc) in &worlds {
        let keys = stream_keys(sc, sc.seed);
        let mut runner = Runner::new(sc, &keys);
        let mut run = 0u64;
        group.bench_function(*label, |b| {
            b.iter(|| {
                run += 1;
                runner.run(run, &mut Discard);
            })
        });
    }
    group.finish();

    // Runs of a small scenario go eight at a time, side by side, and are then told to the
    // observer one after another: what a study does. Throughput counts the eight runs.
    let mut group = c.benchmark_group("one_run");
    group.throughput(Throughput::Elements(LANES as u64));
    let (_, sc) = &worlds[0];
    let keys = stream_keys(sc, sc.seed);
    let anchors = solve_anchors(sc);
    let mut lanes = LaneRunner::new(sc, &keys);
    // Between the first and the last state a study reads alignment and the entry of each
    // outcome's condition (`StudyTally::reads`); runs side by side keep only that.
    let reads = Reads::nothing()
        .whole(Part::Alignment)
        .conditions(sc.n(), sc.outcomes.iter().map(|o| &o.condition));
    let mut first = 0u64;
    group.bench_function("n=9 side by side", |b| {
        b.iter(|| {
            let group: [(&Scenario, _, u64); LANES] =
                std::array::from_fn(|l| (sc, &anchors, first + l as u64));
            first += LANES as u64;
            lanes.run_on(&group, &reads);
            for l in 0..LANES {
                lanes.replay(l, &mut Discard);
            }
        })
    });
    group.finish();
}

fn balance_product(c: &mut Criterion) {
    let noisy = synthetic(200);
    let n = noisy.n();
    let keys = stream_keys(&noisy, noisy.seed);
    let mut streams = keys.for_run(0);
    let mut dynamics = Dynamics::new(n);

    let sparse = State::initial(&noisy);
    let mut dense = sparse.clone();
    {
        let anchors = solve_anchors(&noisy);
        let (trust_rng, alignment_rng) = streams.noise();
        dynamics.advance(&noisy, &anchors, &mut dense, trust_rng, alignment_rng);
    }
    let zeros = dense.trust.iter().filter(|&&t| t == 0.0).count();
    assert_eq!(
        zeros, n,
        "after a noisy step only the diagonal of trust is 0"
    );

    let mut quiet = noisy.clone();
    quiet.model.trust_noise = 0.0;
    let anchors = solve_anchors(&quiet);

    let mut group = c.benchmark_group("balance_product");
    group.sample_size(20);
    group.throughput(Throughput::Elements((n * n * n) as u64));
    for (label, start) in [("n=200 dense", &dense), ("n=200 sparse", &sparse)] {
        group.bench_function(label, |b| {
            b.iter_batched_ref(
                || start.clone(),
                |st| {
                    let (trust_rng, alignment_rng) = streams.noise();
                    dynamics.advance(&quiet, &anchors, st, trust_rng, alignment_rng);
                },
                BatchSize::SmallInput,
            )
        });
    }
    // The product alone, without the clamp, threat and alignment passes of the step.
    let mut kernel = Balance::new(n);
    let mut next = vec![0.0; n * n];
    let beta = quiet.model.balance / (n - 2) as f64;
    group.bench_function("n=200 dense, product alone", |b| {
        b.iter(|| {
            kernel.next_trust(
                &mut next,
                &dense.trust,
                &anchors.trust,
                quiet.model.trust_memory,
                beta,
            );
            std::hint::black_box(&next);
        })
    });
    for (label, peak) in peak::BUILDS {
        let Some(peak) = peak() else {
            continue;
        };
        group.throughput(Throughput::Elements(peak.multiply_adds()));
        group.bench_function(label, |b| b.iter(|| peak.run()));
    }
    group.finish();
}

/// The peak rate of multiplies and adds, with no fused multiply-add, measured rather than
/// taken from a data sheet: clock speed, the count of multiply and add units and whether
/// 512-bit operations take one pass or two all vary between CPUs that report the same
/// features.
mod peak {
    #[cfg(target_arch = "x86_64")]
    use std::arch::x86_64::*;
    use std::hint::black_box;

    /// Rounds of every chain per call: long enough that the loop's start and end, and the
    /// final sum, do not count.
    const ROUNDS: usize = 1 << 14;

    /// One width's measurement: `chains` multiply chains and as many add chains of `lanes`
    /// doubles each.
    pub struct Peak {
        lanes: usize,
        chains: usize,
        run: fn(usize) -> f64,
    }

    impl Peak {
        /// Multiply-adds per call: one multiply and one add per lane, chain and round.
        pub fn multiply_adds(&self) -> u64 {
            (ROUNDS * self.chains * self.lanes) as u64
        }

        pub fn run(&self) -> f64 {
            black_box((self.run)(black_box(ROUNDS)))
        }
    }

    type Build = (&'static str, fn() -> Option<Peak>);

    pub const BUILDS: [Build; 2] = [
        ("peak no-fma 256-bit", avx2),
        ("peak no-fma 512-bit", avx512),
    ];

    /// Enough chains of each kind to cover latency times units with room to spare (three
    /// to four cycles, two units of each kind on current x86-64 cores), few enough that
    /// the chains and the two constants fit the 16 registers AVX2 has.
    const CHAINS_256: usize = 7;
    /// AVX-512 has 32 registers.
    const CHAINS_512: usize = 12;

    fn avx2() -> Option<Peak> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            fn run(rounds: usize) -> f64 {
                // SAFETY: only reached when the CPU reported AVX2, just above.
                unsafe { chains_256(rounds, black_box(1.0), black_box(0.0)) }
            }
            return Some(Peak {
                lanes: 4,
                chains: CHAINS_256,
                run,
            });
        }
        None
    }

    fn avx512() -> Option<Peak> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") {
            fn run(rounds: usize) -> f64 {
                // SAFETY: only reached when the CPU reported AVX-512F, just above.
                unsafe { chains_512(rounds, black_box(1.0), black_box(0.0)) }
            }
            return Some(Peak {
                lanes: 8,
                chains: CHAINS_512,
                run,
            });
        }
        None
    }

    /// `p ← p · m` and `s ← s + a` in every chain, `rounds` times. The factor and the term
    /// come through `black_box` so that the compiler cannot drop them (1 and 0 keep the
    /// values normal, and none of the work can be skipped).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn chains_256(rounds: usize, m: f64, a: f64) -> f64 {
        let (m, a) = (_mm256_set1_pd(m), _mm256_set1_pd(a));
        let mut p = [_mm256_set1_pd(1.0); CHAINS_256];
        let mut s = [_mm256_set1_pd(1.0); CHAINS_256];
        for _ in 0..rounds {
            for (p, s) in p.iter_mut().zip(&mut s) {
                *p = _mm256_mul_pd(*p, m);
                *s = _mm256_add_pd(*s, a);
            }
        }
        let mut total = _mm256_setzero_pd();
        for (p, s) in p.iter().zip(&s) {
            total = _mm256_add_pd(total, _mm256_add_pd(*p, *s));
        }
        let mut out = [0.0; 4];
        // SAFETY: `out` holds the four doubles the store writes.
        unsafe { _mm256_storeu_pd(out.as_mut_ptr(), total) };
        out.iter().sum()
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    fn chains_512(rounds: usize, m: f64, a: f64) -> f64 {
        let (m, a) = (_mm512_set1_pd(m), _mm512_set1_pd(a));
        let mut p = [_mm512_set1_pd(1.0); CHAINS_512];
        let mut s = [_mm512_set1_pd(1.0); CHAINS_512];
        for _ in 0..rounds {
            for (p, s) in p.iter_mut().zip(&mut s) {
                *p = _mm512_mul_pd(*p, m);
                *s = _mm512_add_pd(*s, a);
            }
        }
        let mut total = _mm512_setzero_pd();
        for (p, s) in p.iter().zip(&s) {
            total = _mm512_add_pd(total, _mm512_add_pd(*p, *s));
        }
        _mm512_reduce_add_pd(total)
    }
}

criterion_group! {
    name = scale;
    // Plots would need a font at run time; the numbers are what matter here. Short warm-up
    // and measurement keep the whole bench within a few minutes on two cores.
    config = Criterion::default()
        .without_plots()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = one_run, balance_product
}
criterion_main!(scale);
