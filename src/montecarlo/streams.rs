//! Per-run random streams: the one place where randomness enters a simulation.
//!
//! Two levels, so that a run is cheap to start and its sources stay independent:
//!
//! 1. **Run material.** Run `r` of master seed `S` reads 256 bits from a ChaCha8 generator
//!    keyed by SHA-256 of `S`, at stream number `r`. This depends on `(S, r)` alone.
//! 2. **Sources.** Each origin of randomness (trust noise, alignment noise, and every event,
//!    named by its stable id) has a 256-bit tag, SHA-256 of its name. Its generator in run
//!    `r` is a xoshiro256++ whose state is the run material XOR the tag, passed word by word
//!    through the SplitMix64 finaliser (a bijection), as xoshiro's authors recommend for
//!    seeding.
//!
//! So a run depends on `(scenario, S, r)` only, never on threads or on which other runs exist,
//! and a source's draws do not depend on which other sources exist: adding or removing an
//! event leaves every other event's and the noise's draws unchanged, and a variant scenario
//! compared with the same `(S, r)` differs only where its file differs. ChaCha8 gives
//! well-separated material per run; xoshiro256++ then draws each number in a few instructions,
//! which matters because a run draws thousands of normals.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use sha2::{Digest, Sha256};

use crate::random::{Xoshiro, mix, unit};

/// Version tag mixed into every digest; changing the derivation changes it, so old seeds are
/// never silently reinterpreted.
const DOMAIN: &[u8] = b"influence/stream/v2";

fn digest(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(DOMAIN);
    for p in parts {
        h.update([0u8]);
        h.update(p);
    }
    h.finalize().into()
}

fn words(bytes: [u8; 32]) -> [u64; 4] {
    let mut w = [0u64; 4];
    for (k, chunk) in bytes.chunks_exact(8).enumerate() {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        w[k] = u64::from_le_bytes(b);
    }
    w
}

/// The tag of a source: independent of the seed, so it is computed once per scenario.
pub fn source_tag(source: &str) -> [u64; 4] {
    words(digest(&[b"source", source.as_bytes()]))
}

/// The master key and source tags of one batch.
#[derive(Debug, Clone)]
pub struct StreamKeys {
    master: [u8; 32],
    trust: [u64; 4],
    alignment: [u64; 4],
    events: Vec<[u64; 4]>,
    /// One tag per uncertain input, keyed by its name.
    inputs: Vec<[u64; 4]>,
}

impl StreamKeys {
    /// Keys for master seed `master_seed` and the events with these stable ids, in order.
    pub fn new(master_seed: u64, event_ids: &[&str]) -> StreamKeys {
        StreamKeys {
            master: digest(&[b"master", &master_seed.to_le_bytes()]),
            trust: source_tag("trust-noise"),
            alignment: source_tag("alignment-noise"),
            events: event_ids
                .iter()
                .map(|id| source_tag(&format!("event/{id}")))
                .collect(),
            inputs: Vec::new(),
        }
    }

    /// Adds the streams of uncertain inputs, keyed by their names: adding, removing or
    /// renaming one input redraws no other input and no event.
    pub fn with_inputs(mut self, names: &[&str]) -> StreamKeys {
        self.inputs = names
            .iter()
            .map(|name| source_tag(&format!("input/{name}")))
            .collect();
        self
    }

    /// The uniform that picks run `run`'s input vector from a calibration's posterior: a
    /// stream of its own, so that drawing from a posterior shifts no event or noise draw.
    pub fn posterior_uniform(&self, run: u64) -> f64 {
        unit(&mut source_rng(
            &self.material(run),
            &source_tag("posterior"),
        ))
    }

    /// One uniform in [0, 1) per input for run `run`, in input order, into `out`.
    pub fn input_uniforms(&self, run: u64, out: &mut Vec<f64>) {
        out.clear();
        if self.inputs.is_empty() {
            return;
        }
        let material = self.material(run);
        out.extend(
            self.inputs
                .iter()
                .map(|tag| unit(&mut source_rng(&material, tag))),
        );
    }

    /// Fresh generators for run `r`.
    pub fn for_run(&self, run: u64) -> RunStreams {
        let blank = Xoshiro::from_seed([0; 32]);
        let mut streams = RunStreams {
            trust: blank.clone(),
            alignment: blank.clone(),
            events: vec![blank; self.events.len()],
        };
        streams.position(self, run);
        streams
    }

    /// The 256 bits of material of run `r`.
    fn material(&self, run: u64) -> [u64; 4] {
        let mut g = ChaCha8Rng::from_seed(self.master);
        g.set_stream(run);
        [g.next_u64(), g.next_u64(), g.next_u64(), g.next_u64()]
    }
}

fn source_rng(material: &[u64; 4], tag: &[u64; 4]) -> Xoshiro {
    let mut seed = [0u8; 32];
    for (k, chunk) in seed.chunks_exact_mut(8).enumerate() {
        chunk.copy_from_slice(&mix(material[k] ^ tag[k]).to_le_bytes());
    }
    Xoshiro::from_seed(seed)
}

/// The generators of one run. Reused across runs by [`RunStreams::position`], so that a
/// worker allocates them once.
#[derive(Debug, Clone)]
pub struct RunStreams {
    trust: Xoshiro,
    alignment: Xoshiro,
    events: Vec<Xoshiro>,
}

impl RunStreams {
    /// Re-seeds every generator for run `r` of the batch that `keys` describe.
    pub fn position(&mut self, keys: &StreamKeys, run: u64) {
        let material = keys.material(run);
        self.trust = source_rng(&material, &keys.trust);
        self.alignment = source_rng(&material, &keys.alignment);
        for (g, tag) in self.events.iter_mut().zip(&keys.events) {
            *g = source_rng(&material, tag);
        }
    }

    /// The generators of trust noise and alignment noise.
    pub fn noise(&mut self) -> (&mut Xoshiro, &mut Xoshiro) {
        (&mut self.trust, &mut self.alignment)
    }

    /// The generator of event `e`, as it stands.
    pub fn event_rng(&self, e: usize) -> &Xoshiro {
        &self.events[e]
    }

    /// A uniform number in [0, 1) from event `e`'s own stream.
    /// An event draws only for itself, in the order of its own steps, so its draws do not
    /// depend on which other events exist.
    pub fn event_uniform(&mut self, e: usize) -> f64 {
        unit(&mut self.events[e])
    }

    /// A standard normal from event `e`'s own stream.
    pub fn event_normal(&mut self, e: usize) -> f64 {
        StandardNormal.sample(&mut self.events[e])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normals(s: &mut RunStreams, k: usize) -> Vec<f64> {
        let (t, _) = s.noise();
        (0..k).map(|_| StandardNormal.sample(&mut *t)).collect()
    }

    #[test]
    fn an_event_stream_ignores_other_events() {
        let a = StreamKeys::new(7, &["visit", "strike"]);
        let b = StreamKeys::new(7, &["strike"]);
        let mut ra = a.for_run(3);
        let mut rb = b.for_run(3);
        for _ in 0..10 {
            assert_eq!(ra.event_uniform(1), rb.event_uniform(0));
            assert_eq!(ra.event_normal(1), rb.event_normal(0));
        }
        assert_eq!(normals(&mut ra, 5), normals(&mut rb, 5));
    }

    #[test]
    fn runs_seeds_and_sources_are_distinct_and_repeatable() {
        let k = StreamKeys::new(7, &["a", "b"]);
        let x: Vec<Vec<f64>> = (0..3).map(|r| normals(&mut k.for_run(r), 4)).collect();
        assert_ne!(x[0], x[1]);
        assert_eq!(x[2], normals(&mut k.for_run(2), 4));
        let other_seed = StreamKeys::new(8, &["a", "b"]);
        assert_ne!(x[0], normals(&mut other_seed.for_run(0), 4));
        let mut s = k.for_run(0);
        assert_ne!(s.event_uniform(0), s.event_uniform(1));
    }

    #[test]
    fn reusing_streams_equals_fresh_streams() {
        let k = StreamKeys::new(11, &["e"]);
        let mut reused = k.for_run(0);
        let _ = normals(&mut reused, 100);
        reused.position(&k, 5);
        assert_eq!(normals(&mut reused, 10), normals(&mut k.for_run(5), 10));
    }

    #[test]
    fn uniforms_look_uniform() {
        let k = StreamKeys::new(1, &["e"]);
        let mut s = k.for_run(0);
        let n = 100_000;
        let mean = (0..n).map(|_| s.event_uniform(0)).sum::<f64>() / n as f64;
        // sd of the mean is 1/sqrt(12 n) ≈ 0.0009: 0.005 is more than 5 sd.
        assert!((mean - 0.5).abs() < 0.005, "{mean}");
    }

    #[test]
    fn adding_an_input_redraws_no_other_input_and_no_event() {
        let with = StreamKeys::new(7, &["visit", "strike"]).with_inputs(&["a", "trust", "b"]);
        let without = StreamKeys::new(7, &["visit", "strike"]).with_inputs(&["a", "b"]);
        let none = StreamKeys::new(7, &["visit", "strike"]);
        for run in [0u64, 1, 99] {
            let (mut x, mut y) = (Vec::new(), Vec::new());
            with.input_uniforms(run, &mut x);
            without.input_uniforms(run, &mut y);
            assert_eq!((x[0], x[2]), (y[0], y[1]), "run {run}");
            assert_ne!(x[1], x[0]);
            // Events and noise draw the same numbers whatever the inputs.
            let (mut a, mut b) = (with.for_run(run), none.for_run(run));
            for e in 0..2 {
                assert_eq!(a.event_uniform(e), b.event_uniform(e));
            }
            assert_eq!(normals(&mut a, 5), normals(&mut b, 5));
        }
    }
}
