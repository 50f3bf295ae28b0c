//! What is collected from runs, and how two collections become one.
//!
//! A [`Tally`] watches runs as the driver simulates them and keeps what a study reports.
//! Each chunk of runs fills its own, and the driver merges them into one as chunks finish
//! (parts of it may be shared by the chunks, added to under a lock); a shard of a
//! study on another machine saves its tallies with a [`Header`] so that they can be merged
//! there too. Merging must give the same bytes whatever the order and the split, so every
//! tally keeps integer counts, fixed-point sums or values placed by run index, never
//! floating-point sums whose rounding would depend on the order.
//!
//! Merging is checked, not assumed: tallies of different scenarios, seeds or plans, of
//! overlapping run ranges or of different shapes are refused with a [`MergeError`] that
//! says which, because a silent zip of mismatched tallies gives numbers that look right.

use std::fmt;
use std::ops::Range;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::model::{Reads, State};
use crate::scenario::Scenario;

/// Version of the saved-tally format; bumped whenever a saved tally's meaning changes.
pub const TALLY_FORMAT: u32 = 1;

/// Why two tallies cannot be merged, or a saved one cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MergeError {
    #[error("they come from different scenarios (SHA-256 {a} and {b})")]
    Scenario { a: String, b: String },
    #[error("they come from different master seeds ({a} and {b})")]
    Seed { a: u64, b: u64 },
    #[error("they come from different plans ({a:?} and {b:?})")]
    Plan { a: String, b: String },
    #[error("they were written by different versions of influence ({a} and {b})")]
    Version { a: String, b: String },
    #[error("they use different tally formats ({a} and {b})")]
    Format { a: u32, b: u32 },
    #[error("their run ranges overlap: runs {}..{} are in both", .overlap.start, .overlap.end)]
    Overlap { overlap: Range<u64> },
    #[error("their {what} differ in shape ({a} and {b})")]
    Shape { what: String, a: String, b: String },
}

impl MergeError {
    /// A shape mismatch of `what`, with both shapes as they would be printed.
    pub fn shape(what: &str, a: impl fmt::Debug, b: impl fmt::Debug) -> MergeError {
        MergeError::Shape {
            what: what.to_string(),
            a: format!("{a:?}"),
            b: format!("{b:?}"),
        }
    }
}

/// Checks that two shapes are equal, naming `what` otherwise.
pub fn same_shape<S: PartialEq + fmt::Debug>(what: &str, a: S, b: S) -> Result<(), MergeError> {
    if a == b {
        Ok(())
    } else {
        Err(MergeError::shape(what, a, b))
    }
}

/// Something collected from runs.
///
/// A plan runs one scenario, or two paired ones (a base and a variant) on the same random
/// numbers; `side` says which of them a call is about (0 for the only or the base scenario,
/// 1 for the variant). For one run index, every side runs to the end before the next side
/// starts, and [`Tally::finish`] comes after the last side.
pub trait Tally: Send {
    /// Run `run` of side `side` is about to start. `sc` is the scenario as the run sees it:
    /// with this run's inputs in place.
    fn begin(&mut self, _side: usize, _run: u64, _sc: &Scenario) {}
    /// The state at step `t` (t = 0 is the start, t = steps the end).
    fn record(&mut self, side: usize, sc: &Scenario, t: usize, st: &State);
    /// Event `event` fired during the move from `t` to `t + 1`.
    fn fired(
        &mut self,
        _side: usize,
        _t: usize,
        _event: usize,
        _magnitude: f64,
        _attributed: bool,
    ) {
    }
    /// What [`Tally::record`] reads, for side `side` of scenario `sc`, of the states between
    /// the first and the last (see [`Reads`]). Everything unless the tally says otherwise.
    fn reads(&self, _side: usize, _sc: &Scenario) -> Reads {
        Reads::everything()
    }
    /// Every side of run `run` has finished.
    fn finish(&mut self, _run: u64) {}
    /// Brings everything held for speed into the tally proper; called before merging and
    /// saving.
    fn flush(&mut self) {}
    /// Makes this the whole study's tally: takes in what the tallies of its chunks of runs
    /// added to a store they share, and allocates what was left unallocated while no run
    /// needed it. Called once, on the one tally left after the last run.
    fn gather(&mut self) {}
    /// Adds all that `other` holds. Refuses another shape; never panics, never zips.
    fn merge(&mut self, other: Self) -> Result<(), MergeError>
    where
        Self: Sized;
}

/// Several tallies filled by the same runs, merged part by part.
macro_rules! tuple_tally {
    ($($name:ident $idx:tt),+) => {
        impl<$($name: Tally),+> Tally for ($($name,)+) {
            fn begin(&mut self, side: usize, run: u64, sc: &Scenario) {
                $(self.$idx.begin(side, run, sc);)+
            }
            fn record(&mut self, side: usize, sc: &Scenario, t: usize, st: &State) {
                $(self.$idx.record(side, sc, t, st);)+
            }
            fn fired(&mut self, side: usize, t: usize, event: usize, m: f64, attributed: bool) {
                $(self.$idx.fired(side, t, event, m, attributed);)+
            }
            fn reads(&self, side: usize, sc: &Scenario) -> Reads {
                Reads::nothing()$(.union(&self.$idx.reads(side, sc)))+
            }
            fn finish(&mut self, run: u64) {
                $(self.$idx.finish(run);)+
            }
            fn flush(&mut self) {
                $(self.$idx.flush();)+
            }
            fn gather(&mut self) {
                $(self.$idx.gather();)+
            }
            fn merge(&mut self, other: Self) -> Result<(), MergeError> {
                $(self.$idx.merge(other.$idx)?;)+
                Ok(())
            }
        }
    };
}

tuple_tally!(A 0, B 1);
tuple_tally!(A 0, B 1, C 2);
tuple_tally!(A 0, B 1, C 2, D 3);

/// Where a tally comes from: the same header means the runs are interchangeable parts of one
/// study.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// [`TALLY_FORMAT`] of the writer.
    pub format: u32,
    pub tool: String,
    pub version: String,
    pub scenario_sha256: String,
    pub seed: u64,
    /// What was simulated, beyond scenario and seed: the command and whatever else makes
    /// two runs with the same index differ (a variant's SHA-256, a design). Tallies merge
    /// only under the same plan.
    pub plan: String,
    /// The run indices held, as sorted, disjoint, non-adjacent half-open ranges.
    pub runs: Vec<Range<u64>>,
}

impl Header {
    pub fn new(sc: &Scenario, seed: u64, plan: &str, runs: Range<u64>) -> Header {
        Header {
            format: TALLY_FORMAT,
            tool: "influence".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            scenario_sha256: sc.sha256.clone(),
            seed,
            plan: plan.to_string(),
            runs: if runs.is_empty() {
                Vec::new()
            } else {
                vec![runs]
            },
        }
    }

    /// Number of runs held.
    pub fn run_count(&self) -> u64 {
        self.runs.iter().map(|r| r.end - r.start).sum()
    }

    /// Checks that `other` is another part of the same study, with none of the same runs.
    pub fn check_mergeable(&self, other: &Header) -> Result<(), MergeError> {
        self.check_same_study(other)?;
        for a in &self.runs {
            for b in &other.runs {
                let overlap = a.start.max(b.start)..a.end.min(b.end);
                if !overlap.is_empty() {
                    return Err(MergeError::Overlap { overlap });
                }
            }
        }
        Ok(())
    }

    /// Checks that `other` comes from the same study: format, tool version, scenario, seed
    /// and plan; whichever runs either holds.
    pub fn check_same_study(&self, other: &Header) -> Result<(), MergeError> {
        if self.format != other.format {
            return Err(MergeError::Format {
                a: self.format,
                b: other.format,
            });
        }
        if self.version != other.version || self.tool != other.tool {
            return Err(MergeError::Version {
                a: format!("{} {}", self.tool, self.version),
                b: format!("{} {}", other.tool, other.version),
            });
        }
        if self.scenario_sha256 != other.scenario_sha256 {
            return Err(MergeError::Scenario {
                a: self.scenario_sha256.clone(),
                b: other.scenario_sha256.clone(),
            });
        }
        if self.seed != other.seed {
            return Err(MergeError::Seed {
                a: self.seed,
                b: other.seed,
            });
        }
        if self.plan != other.plan {
            return Err(MergeError::Plan {
                a: self.plan.clone(),
                b: other.plan.clone(),
            });
        }
        Ok(())
    }

    /// The header of both parts together.
    pub fn merge(&mut self, other: &Header) -> Result<(), MergeError> {
        self.check_mergeable(other)?;
        let mut all: Vec<Range<u64>> = self.runs.iter().chain(&other.runs).cloned().collect();
        all.sort_by_key(|r| r.start);
        let mut merged: Vec<Range<u64>> = Vec::with_capacity(all.len());
        for r in all {
            match merged.last_mut() {
                Some(last) if last.end == r.start => last.end = r.end,
                _ => merged.push(r),
            }
        }
        self.runs = merged;
        Ok(())
    }
}

/// A tally with the header that says where it comes from: what a shard saves and a merge
/// reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tallied<T> {
    pub header: Header,
    pub tally: T,
}

/// Why a saved tally could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not a saved tally of this kind: {message}")]
    Garbled { path: String, message: String },
    #[error("{path} was saved in tally format {found}; this version reads format {TALLY_FORMAT}")]
    Format { path: String, found: u32 },
}

impl<T: Tally + Clone + Serialize + DeserializeOwned> Tallied<T> {
    /// Merges another part of the same study into this one, or changes nothing: headers are
    /// checked first, and the tallies are merged into a copy that replaces this one only if
    /// every part of it fits, so a refused merge never leaves a half-merged tally.
    pub fn merge(&mut self, other: Tallied<T>) -> Result<(), MergeError> {
        let mut header = self.header.clone();
        header.merge(&other.header)?;
        let mut tally = self.tally.clone();
        tally.merge(other.tally)?;
        self.header = header;
        self.tally = tally;
        Ok(())
    }

    /// The saved form: JSON, header first, readable by any tool.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }

    pub fn save(&self, path: &Path) -> Result<(), SaveError> {
        let shown = path.display().to_string();
        let text = self.to_json().map_err(|e| SaveError::Garbled {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        std::fs::write(path, text).map_err(|source| SaveError::Write {
            path: shown,
            source,
        })
    }

    pub fn from_json(text: &str, path: &str) -> Result<Tallied<T>, SaveError> {
        #[derive(Deserialize)]
        struct HeaderOnly {
            header: Header,
        }
        let garbled = |e: serde_json::Error| SaveError::Garbled {
            path: path.to_string(),
            message: e.to_string(),
        };
        let head: HeaderOnly = serde_json::from_str(text).map_err(garbled)?;
        if head.header.format != TALLY_FORMAT {
            return Err(SaveError::Format {
                path: path.to_string(),
                found: head.header.format,
            });
        }
        serde_json::from_str(text).map_err(garbled)
    }

    pub fn load(path: &Path) -> Result<Tallied<T>, SaveError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| SaveError::Read {
            path: shown.clone(),
            source,
        })?;
        Tallied::from_json(&text, &shown)
    }
}

/// Working memory of a tally (a run's verdicts so far, runs held before a flush): not part
/// of what the tally holds, so it is neither saved nor compared.
#[derive(Debug, Clone, Default)]
pub struct Scratch<T>(pub T);

impl<T> PartialEq for Scratch<T> {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

/// Serde for `f64` vectors that may hold NaN or infinities (empty minima, runs not yet
/// seen), which JSON numbers cannot: each value is kept as its IEEE bits, so a saved tally
/// loads back equal to the bit.
pub mod f64_bits {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(values: &[f64], s: S) -> Result<S::Ok, S::Error> {
        let bits: Vec<u64> = values.iter().map(|v| v.to_bits()).collect();
        bits.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        let bits = Vec::<u64>::deserialize(d)?;
        Ok(bits.into_iter().map(f64::from_bits).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(seed: u64, runs: Range<u64>) -> Header {
        Header {
            format: TALLY_FORMAT,
            tool: "influence".into(),
            version: "0.1.0".into(),
            scenario_sha256: "abc".into(),
            seed,
            plan: "run".into(),
            runs: vec![runs],
        }
    }

    #[test]
    fn adjacent_ranges_join_and_gaps_stay() {
        let mut h = header(1, 0..10);
        h.merge(&header(1, 20..30)).unwrap();
        h.merge(&header(1, 10..20)).unwrap();
        assert_eq!(h.runs, vec![0..30]);
        let mut g = header(1, 0..10);
        g.merge(&header(1, 15..20)).unwrap();
        assert_eq!(g.runs, vec![0..10, 15..20]);
        assert_eq!(g.run_count(), 15);
    }

    #[test]
    fn every_mismatch_is_named() {
        let h = header(1, 0..10);
        assert_eq!(
            h.check_mergeable(&header(1, 5..15)),
            Err(MergeError::Overlap { overlap: 5..10 })
        );
        assert!(matches!(
            h.check_mergeable(&header(2, 10..20)),
            Err(MergeError::Seed { a: 1, b: 2 })
        ));
        let mut other = header(1, 10..20);
        other.scenario_sha256 = "def".into();
        assert!(matches!(
            h.check_mergeable(&other),
            Err(MergeError::Scenario { .. })
        ));
        let mut other = header(1, 10..20);
        other.plan = "compare".into();
        assert!(matches!(
            h.check_mergeable(&other),
            Err(MergeError::Plan { .. })
        ));
        let mut other = header(1, 10..20);
        other.version = "9.9.9".into();
        assert!(matches!(
            h.check_mergeable(&other),
            Err(MergeError::Version { .. })
        ));
    }
}
