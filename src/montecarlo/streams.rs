//! Per-run random streams: the one place where randomness enters a simulation.
//!
//! Run `r` of master seed `S` draws from ChaCha8 generators whose 256-bit keys are
//! SHA-256 digests of `(S, source)` and whose 64-bit stream number is `r`. A source is one
//! origin of randomness: trust noise, alignment noise, or one event (named by its stable id).
//! So a run depends on `(scenario, S, r)` alone, never on threads or on which other runs
//! exist, and adding or removing an event leaves every other source's draws unchanged:
//! a variant scenario compared with the same `(S, r)` differs only where its file differs.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use sha2::{Digest, Sha256};

/// Version tag mixed into every key; changing the derivation changes it, so old seeds are
/// never silently reinterpreted.
const KEY_DOMAIN: &[u8] = b"influence/stream/v1";

/// The key of one source under one master seed.
pub fn source_key(master_seed: u64, source: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(KEY_DOMAIN);
    h.update([0u8]);
    h.update(master_seed.to_le_bytes());
    h.update(source.as_bytes());
    h.finalize().into()
}

/// The keys of every source of a scenario under one master seed, derived once per batch.
#[derive(Debug, Clone)]
pub struct StreamKeys {
    trust: [u8; 32],
    alignment: [u8; 32],
    /// One per event, `None` for events that never draw (certain, overt, no magnitude noise).
    events: Vec<Option<[u8; 32]>>,
}

impl StreamKeys {
    /// `event_ids[e]` and `event_draws[e]` describe event `e`: its stable id and whether it
    /// draws random numbers at all.
    pub fn new(master_seed: u64, event_ids: &[(&str, bool)]) -> StreamKeys {
        StreamKeys {
            trust: source_key(master_seed, "trust-noise"),
            alignment: source_key(master_seed, "alignment-noise"),
            events: event_ids
                .iter()
                .map(|&(id, draws)| draws.then(|| source_key(master_seed, &format!("event/{id}"))))
                .collect(),
        }
    }

    /// Fresh generators for run `r`.
    pub fn for_run(&self, run: u64) -> RunStreams {
        let mut streams = RunStreams {
            trust: ChaCha8Rng::from_seed(self.trust),
            alignment: ChaCha8Rng::from_seed(self.alignment),
            events: self
                .events
                .iter()
                .map(|k| k.map(ChaCha8Rng::from_seed))
                .collect(),
        };
        streams.position(self, run);
        streams
    }
}

/// The generators of one run. Reused across runs by [`RunStreams::position`], so that a
/// worker allocates them once.
#[derive(Debug, Clone)]
pub struct RunStreams {
    trust: ChaCha8Rng,
    alignment: ChaCha8Rng,
    events: Vec<Option<ChaCha8Rng>>,
}

impl RunStreams {
    /// Re-keys every generator for run `r` of the batch that `keys` describe.
    pub fn position(&mut self, keys: &StreamKeys, run: u64) {
        self.trust = ChaCha8Rng::from_seed(keys.trust);
        self.trust.set_stream(run);
        self.alignment = ChaCha8Rng::from_seed(keys.alignment);
        self.alignment.set_stream(run);
        for (slot, key) in self.events.iter_mut().zip(&keys.events) {
            *slot = key.map(|k| {
                let mut g = ChaCha8Rng::from_seed(k);
                g.set_stream(run);
                g
            });
        }
    }

    /// The trust and alignment noise sources, as standard-normal samplers.
    pub fn noise(&mut self) -> (impl FnMut() -> f64 + '_, impl FnMut() -> f64 + '_) {
        let RunStreams {
            trust, alignment, ..
        } = self;
        (
            move || StandardNormal.sample(trust),
            move || StandardNormal.sample(alignment),
        )
    }

    pub fn trust_normal(&mut self) -> f64 {
        StandardNormal.sample(&mut self.trust)
    }

    pub fn alignment_normal(&mut self) -> f64 {
        StandardNormal.sample(&mut self.alignment)
    }

    /// A uniform number in [0, 1) from event `e`'s own stream (0 if it has none).
    /// An event draws only for itself, in the order of its own steps, so its draws do not
    /// depend on which other events exist.
    pub fn event_uniform(&mut self, e: usize) -> f64 {
        match self.events.get_mut(e).and_then(Option::as_mut) {
            Some(g) => unit(g),
            None => 0.0,
        }
    }

    /// A standard normal from event `e`'s own stream (0 if it has none).
    pub fn event_normal(&mut self, e: usize) -> f64 {
        match self.events.get_mut(e).and_then(Option::as_mut) {
            Some(g) => StandardNormal.sample(g),
            None => 0.0,
        }
    }
}

/// Uniform in [0, 1) from the top 53 bits.
fn unit(g: &mut ChaCha8Rng) -> f64 {
    (g.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_differ_by_seed_and_source() {
        assert_ne!(source_key(1, "trust-noise"), source_key(2, "trust-noise"));
        assert_ne!(
            source_key(1, "trust-noise"),
            source_key(1, "alignment-noise")
        );
    }

    #[test]
    fn an_event_stream_ignores_other_events() {
        let a = StreamKeys::new(7, &[("visit", true), ("strike", true)]);
        let b = StreamKeys::new(7, &[("strike", true)]);
        let mut ra = a.for_run(3);
        let mut rb = b.for_run(3);
        for _ in 0..10 {
            assert_eq!(ra.event_uniform(1), rb.event_uniform(0));
            assert_eq!(ra.event_normal(1), rb.event_normal(0));
        }
    }

    #[test]
    fn runs_are_distinct_and_repeatable() {
        let k = StreamKeys::new(7, &[]);
        let x: Vec<f64> = (0..3).map(|r| k.for_run(r).trust_normal()).collect();
        assert_ne!(x[0], x[1]);
        assert_eq!(x[2], k.for_run(2).trust_normal());
    }
}
