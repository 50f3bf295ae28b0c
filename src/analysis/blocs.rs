//! Blocs by landscape theory (Axelrod & Bennett 1993): how a set of states splits into two
//! camps given how much they trust each other and how much each weighs.
//!
//! Actor `i` has size `p_i` (its power) and the propensity of a pair to side together is the
//! symmetric part of trust, `P_ij = (T_ij + T_ji) / 2`. A two-bloc split `X` has the energy
//! `E(X) = Σ_{i≠j} p_i p_j P_ij d_ij(X)`, with `d_ij = 1` when `i` and `j` are in different
//! blocs and 0 otherwise: friends kept apart and enemies kept together both cost energy, and
//! the configurations the theory predicts are the local minima of `E`, the global one first.
//!
//! Everything here takes plain numbers (actor count, trust flattened row-major as
//! `T[i*n + j]`, power) and never simulates.
//!
//! # Exact energies
//!
//! Steepest descent compares energy changes, and whether two splits tie decides which local
//! minima exist and where each descent ends. Floating-point sums depend on their order, so a
//! Gray-code walk and a from-scratch sum could disagree about a tie, and a descent could even
//! cycle on a plateau. So each pair weight `w_ij = p_i p_j P_ij` is first rounded to an integer
//! multiple of `max |w| / 2^48`, and every energy is then an exact integer sum: the same split
//! has the same energy whatever path reached it, ties are exact, and every descent move
//! strictly lowers an integer, so descents always end. The rounding moves each weight by at
//! most `2^-49` of the largest one (about 1.8e-15 relative), far below anything the model's
//! inputs can resolve. Reported energies are these exact values converted back to the units
//! of `E` (one rounding), so they are ordered exactly as the search ranks them.
//!
//! # Splits and moves
//!
//! Bit `i` of a [`Split`] says which bloc actor `i` is in. Swapping the two blocs gives the
//! same split, so actor 0 is always in the first bloc (bit 0 clear) and there are `2^(n−1)`
//! distinct splits; one bloc may be empty. A move takes one actor to the other bloc; moving
//! actor 0 is, after normalising, the same as moving every other actor.
//!
//! A move that leaves `E` unchanged is not a descent: a split is a *local minimum* when no
//! single move lowers `E`, so on a plateau of equal energy every split from which no move
//! descends is a local minimum of its own. Steepest descent always takes the move that lowers
//! `E` most, ties broken by the lowest actor index, and stops at a local minimum.
//!
//! # Searches
//!
//! Up to [`EXACT_MAX_ACTORS`] actors every split is a start, so every local minimum is found
//! and its basin share (the share of the `2^(n−1)` splits whose descent ends in it) is exact.
//! Beyond that, or when asked, descents start from random splits drawn by a ChaCha8 stream
//! from a given seed: the result is a function of the inputs and the seed, as reproducible as
//! the exact search, but a minimum with a small basin may be missed.
//!
//! Reference: R. Axelrod and D. S. Bennett, "A landscape theory of aggregation", *British
//! Journal of Political Science* 23(2), 211–233 (1993).

use std::collections::BTreeMap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// The most actors a split can hold: one bit per actor in a `u64`.
pub const MAX_ACTORS: usize = 64;

/// The most actors for which [`landscape`] enumerates every split (`2^19` splits, a few
/// megabytes of bookkeeping and well under a second); beyond it the search samples.
pub const EXACT_MAX_ACTORS: usize = 20;

/// Random starting splits of the sampled search when none are asked for.
pub const DEFAULT_STARTS: u64 = 1000;

/// Seed of the sampled search when none is given, and always of [`best_split`] beyond
/// [`EXACT_MAX_ACTORS`], so that a run's split depends on its trust and power alone.
pub const DEFAULT_SEED: u64 = 0x626c_6f63_735f_7631;

/// Weights are rounded to multiples of `max |w| / 2^WEIGHT_BITS`. With at most 64 actors an
/// energy sums at most 64·63 < 2^12 weights of magnitude ≤ 2^48, so it stays below 2^61 and
/// doubling it still fits an `i64`.
const WEIGHT_BITS: u32 = 48;

/// `2^WEIGHT_BITS`, the number of integer steps between zero and the largest weight.
const STEPS: f64 = (1u64 << WEIGHT_BITS) as f64;

/// Why a bloc computation could not be done.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BlocError {
    #[error("a split needs at least one actor")]
    NoActors,
    #[error("{n} actors: a split holds at most {MAX_ACTORS}")]
    TooManyActors { n: usize },
    #[error("{n} actors need {expected} trust values, got {found}")]
    TrustLength {
        n: usize,
        expected: usize,
        found: usize,
    },
    #[error("{n} actors need {n} power values, got {found}")]
    PowerLength { n: usize, found: usize },
    #[error("trust from actor {from} to actor {to} is not a finite number")]
    TrustNotFinite { from: usize, to: usize },
    #[error("power of actor {actor} is {value}: it must be a finite number, at least 0")]
    BadPower { actor: usize, value: f64 },
    #[error("the pair weights p_i p_j P_ij overflow a floating-point number")]
    WeightOverflow,
    #[error(
        "exact search enumerates 2^(n-1) splits and takes at most {EXACT_MAX_ACTORS} actors, got {n}"
    )]
    ExactTooLarge { n: usize },
    #[error("a sampled search needs at least one starting split")]
    NoStarts,
    #[error("split bits {bits:#b} do not describe a split of {n} actors")]
    SplitOutOfRange { bits: u64, n: usize },
    #[error("expected {expected} actors, got {found}")]
    ActorCount { expected: usize, found: usize },
    #[error("a co-membership count overflows 64 bits")]
    CountOverflow,
    #[error("inconsistent co-membership tally: {0}")]
    Inconsistent(&'static str),
}

/// A two-bloc split: bit `i` set means actor `i` is in the second bloc. Bit 0 is always clear
/// (actor 0 is in the first bloc) and no bit at or above the actor count is set. Splits order
/// by their bits, which is the order ties are broken in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Split(u64);

impl Split {
    /// The split of `n` actors whose second bloc holds the actors of the set bits, normalised
    /// so that actor 0 is in the first bloc (`0b0111` and `0b1000` of 4 actors are the same
    /// split).
    pub fn from_bits(bits: u64, n: usize) -> Result<Split, BlocError> {
        check_count(n)?;
        let mask = actor_mask(n);
        if bits & !mask != 0 {
            return Err(BlocError::SplitOutOfRange { bits, n });
        }
        Ok(Split(normalise(bits, mask)))
    }

    /// Everyone in one bloc.
    pub fn one_bloc() -> Split {
        Split(0)
    }

    pub fn bits(self) -> u64 {
        self.0
    }

    /// Whether actor `i` is in the bloc that holds actor 0.
    pub fn in_first_bloc(self, i: usize) -> bool {
        i >= MAX_ACTORS || self.0 >> i & 1 == 0
    }

    pub fn same_bloc(self, i: usize, j: usize) -> bool {
        self.in_first_bloc(i) == self.in_first_bloc(j)
    }

    /// Whether the split fits `n` actors: no actor at or beyond `n` is in the second bloc.
    fn fits(self, n: usize) -> bool {
        self.0 & !actor_mask(n) == 0
    }

    /// The canonical text of the split: each bloc's member names in actor order joined by
    /// ";", the bloc holding the first actor first. An empty bloc is "".
    pub fn members<S: AsRef<str>>(self, names: &[S]) -> Result<(String, String), BlocError> {
        let n = names.len();
        check_count(n)?;
        if !self.fits(n) {
            return Err(BlocError::SplitOutOfRange { bits: self.0, n });
        }
        let (mut first, mut second) = (String::new(), String::new());
        for (i, name) in names.iter().enumerate() {
            let bloc = if self.in_first_bloc(i) {
                &mut first
            } else {
                &mut second
            };
            if !bloc.is_empty() {
                bloc.push(';');
            }
            bloc.push_str(name.as_ref());
        }
        Ok((first, second))
    }
}

/// The canonical text of `split` over the actors `names` (see [`Split::members`]).
pub fn split_members<S: AsRef<str>>(
    split: Split,
    names: &[S],
) -> Result<(String, String), BlocError> {
    split.members(names)
}

/// Which trust value made the weight of pair `i < j` not finite.
fn trust_error(n: usize, trust: &[f64], i: usize, j: usize) -> BlocError {
    if trust[i * n + j].is_finite() && trust[j * n + i].is_finite() {
        BlocError::WeightOverflow
    } else if trust[i * n + j].is_finite() {
        BlocError::TrustNotFinite { from: j, to: i }
    } else {
        BlocError::TrustNotFinite { from: i, to: j }
    }
}

fn check_count(n: usize) -> Result<(), BlocError> {
    match n {
        0 => Err(BlocError::NoActors),
        n if n > MAX_ACTORS => Err(BlocError::TooManyActors { n }),
        _ => Ok(()),
    }
}

/// The bits of actors `0..n`.
fn actor_mask(n: usize) -> u64 {
    if n >= 64 { u64::MAX } else { (1u64 << n) - 1 }
}

/// The same split with actor 0 in the first bloc: swapping the blocs flips every actor's bit.
fn normalise(bits: u64, mask: u64) -> u64 {
    if bits & 1 == 1 { bits ^ mask } else { bits }
}

/// Reusable buffers for [`best_split`], so that the per-run minimisation allocates nothing
/// once the buffers have grown to the actor count.
#[derive(Debug, Clone, Default)]
pub struct BlocScratch {
    n: usize,
    /// Rounded pair weights, row-major, symmetric, zero diagonal.
    w: Vec<i64>,
    /// Each actor's field `h_k = Σ_j w_kj s_j` under the current split, `s_j = ±1` by bloc.
    h: Vec<i64>,
    /// Energy units per integer weight step.
    unit: f64,
    /// [`BlocScratch::exact_best`]: energy among the inner actors for each of their
    /// assignments, and subset sums of the cross costs.
    inner: Vec<i64>,
    subset: Vec<i64>,
    /// Pair weights before rounding, pairs `i < j` in row order.
    pair: Vec<f64>,
}

impl BlocScratch {
    pub fn new() -> BlocScratch {
        BlocScratch::default()
    }

    /// Checks the inputs and rounds the pair weights into `w` (see the module notes).
    fn load(&mut self, n: usize, trust: &[f64], power: &[f64]) -> Result<(), BlocError> {
        check_count(n)?;
        if trust.len() != n * n {
            return Err(BlocError::TrustLength {
                n,
                expected: n * n,
                found: trust.len(),
            });
        }
        if power.len() != n {
            return Err(BlocError::PowerLength {
                n,
                found: power.len(),
            });
        }
        for (actor, &value) in power.iter().enumerate() {
            if !(value.is_finite() && value >= 0.0) {
                return Err(BlocError::BadPower { actor, value });
            }
        }
        // Weights of the pairs i < j in row order. A trust value that is not finite makes its
        // pair's weight NaN or infinite (power is finite), so one check per weight finds it;
        // the diagonal of trust never enters the energy and is not read.
        self.pair.clear();
        let mut largest = 0.0f64;
        for i in 0..n {
            let (p, row) = (power[i], &trust[i * n..(i + 1) * n]);
            for j in i + 1..n {
                let weight = p * power[j] * (0.5 * (row[j] + trust[j * n + i]));
                if !weight.is_finite() {
                    return Err(trust_error(n, trust, i, j));
                }
                largest = largest.max(weight.abs());
                self.pair.push(weight);
            }
        }
        self.n = n;
        // Every entry off the diagonal is written below, so only the diagonal needs clearing.
        self.w.resize(n * n, 0);
        self.h.resize(n, 0);
        self.unit = largest / STEPS;
        // Multiplying by the reciprocal saves a division per pair; for weights so small that
        // the reciprocal overflows, divide.
        let scale = if largest > 0.0 { STEPS / largest } else { 0.0 };
        let steps = |w: f64| {
            if scale.is_finite() {
                w * scale
            } else {
                w / largest * STEPS
            }
        };
        let mut pairs = self.pair.iter();
        for i in 0..n {
            self.w[i * n + i] = 0;
            for j in i + 1..n {
                // |steps| ≤ 2^48 (up to a rounding), so the value fits; adding ±½ is exact
                // below 2^52 and truncation then rounds half away from zero, like
                // `f64::round` without its library call.
                let x = pairs.next().map_or(0.0, |&w| steps(w));
                let q = (x + 0.5f64.copysign(x)) as i64;
                self.w[i * n + j] = q;
                self.w[j * n + i] = q;
            }
        }
        Ok(())
    }

    /// `E` in the units of the model from an exact half-energy (the sum over pairs `i < j`).
    fn energy(&self, half: i64) -> f64 {
        (2 * half) as f64 * self.unit
    }

    /// The half-energy `Σ_{i<j} w_ij d_ij` of `bits`, summed from scratch.
    fn half_energy(&self, bits: u64) -> i64 {
        let n = self.n;
        let mut e = 0;
        for i in 0..n {
            let row = &self.w[i * n..(i + 1) * n];
            for (j, &w) in row.iter().enumerate().skip(i + 1) {
                if (bits >> i ^ bits >> j) & 1 == 1 {
                    e += w;
                }
            }
        }
        e
    }

    /// Sets each field `h_k` for the split `bits` from scratch.
    fn set_fields(&mut self, bits: u64) {
        let n = self.n;
        for k in 0..n {
            let row = &self.w[k * n..(k + 1) * n];
            self.h[k] = row
                .iter()
                .enumerate()
                .map(|(j, &w)| if bits >> j & 1 == 0 { w } else { -w })
                .sum();
        }
    }

    /// Moves actor `k` (not normalising) and updates every field: `s_k` changes sign, so
    /// `h_j` changes by `−2 w_jk s_k` with the old sign (`w` is symmetric, so row `k` serves
    /// as column `k`). Returns the new bits.
    fn flip(&mut self, bits: u64, k: usize) -> u64 {
        let n = self.n;
        let row = &self.w[k * n..(k + 1) * n];
        if bits >> k & 1 == 0 {
            for (h, &w) in self.h.iter_mut().zip(row) {
                *h -= 2 * w;
            }
        } else {
            for (h, &w) in self.h.iter_mut().zip(row) {
                *h += 2 * w;
            }
        }
        bits ^ (1 << k)
    }

    /// The steepest descending move from `bits` given current fields: moving actor `k`
    /// changes the half-energy by `s_k h_k`. Returns the actor and that (negative) change, or
    /// `None` at a local minimum. Ties go to the lowest actor index.
    fn steepest(&self, bits: u64) -> Option<(usize, i64)> {
        let mut best: Option<(usize, i64)> = None;
        for (k, &h) in self.h.iter().enumerate() {
            let change = if bits >> k & 1 == 0 { h } else { -h };
            if change < best.map_or(0, |(_, c)| c) {
                best = Some((k, change));
            }
        }
        best
    }

    /// Steepest descent from `start`: the normalised local minimum it ends in and its
    /// half-energy.
    fn descend(&mut self, start: u64) -> (u64, i64) {
        let mut bits = start;
        let mut half = self.half_energy(bits);
        self.set_fields(bits);
        while let Some((k, change)) = self.steepest(bits) {
            half += change;
            bits = self.flip(bits, k);
        }
        (normalise(bits, actor_mask(self.n)), half)
    }

    /// The lowest-energy split (lowest bits among equal energies) over every split.
    ///
    /// The inner actors `1..=low` (`low = ⌈n / 2⌉`, at most `n − 1`) and the outer ones
    /// (actor 0 and the rest) split the energy into three parts: pairs among the inner
    /// actors, pairs among the outer ones, and pairs across. Given the outer actors' blocs,
    /// an inner actor `j` in the first bloc is cut from the outer actors in the second,
    /// weighing `A_j`; in the second bloc it is cut from the others, `R_j − A_j`, with `R_j`
    /// its weight to all outer actors. So the energy is
    /// `outer + Σ_j A_j + inner(lo) + Σ_{j in lo} c_j` with `c_j = R_j − 2 A_j`, where
    /// `inner` is a table made once per call and the subset sums of `c` cost one addition
    /// each: every inner assignment then costs O(1) instead of the O(n) of moving one actor
    /// at a time, which matters because this runs once per Monte Carlo run.
    fn exact_best(&mut self) -> (u64, i64) {
        let n = self.n;
        let low = n.div_ceil(2).min(n - 1);
        let inner_count = 1usize << low;
        let w = &self.w;
        let (inner, subset) = (&mut self.inner, &mut self.subset);
        inner.clear();
        inner.resize(inner_count, 0);
        subset.clear();
        subset.resize(inner_count, 0);
        // inner[lo]: bit t of lo puts actor t + 1 in the second bloc. Built from lo without
        // its highest actor `a`: moving `a` over cuts it from the inner actors in the first
        // bloc and joins it to those in the second.
        for lo in 1..inner_count {
            let top = (usize::BITS - 1 - lo.leading_zeros()) as usize;
            let rest = lo ^ (1 << top);
            let row = &w[(top + 1) * n..(top + 2) * n];
            let all: i64 = row[1..=low].iter().sum();
            let second: i64 = bits_of(rest as u64).map(|t| row[t + 1]).sum();
            inner[lo] = inner[rest] + all - 2 * second;
        }
        // Each inner actor's weight to all outer actors, `R_j`.
        let outer_mask = actor_mask(n) & !(actor_mask(low + 1) & !1);
        let mut totals = [0i64; EXACT_MAX_ACTORS / 2];
        let mut cost = [0i64; EXACT_MAX_ACTORS / 2];
        for (t, total) in totals.iter_mut().enumerate().take(low) {
            let row = &w[(t + 1) * n..(t + 2) * n];
            *total = bits_of(outer_mask).map(|i| row[i]).sum();
        }
        let mut best = (i64::MAX, 0u64);
        // Outer assignments in increasing bits, inner ones likewise with the first minimum
        // kept: so among equal energies the lowest bits win.
        for hi in 0..1u64 << (n - 1 - low) {
            let second = hi << (low + 1);
            let first = outer_mask & !second;
            let mut base = 0;
            for i in bits_of(second) {
                let row = &w[i * n..(i + 1) * n];
                base += bits_of(first).map(|j| row[j]).sum::<i64>();
            }
            for t in 0..low {
                let row = &w[(t + 1) * n..(t + 2) * n];
                let cut: i64 = bits_of(second).map(|i| row[i]).sum();
                base += cut;
                cost[t] = totals[t] - 2 * cut;
            }
            // Subset sums of `cost` by doubling: the sets holding inner actor t + 1 are
            // those without it plus `cost[t]`.
            for (t, &c) in cost.iter().enumerate().take(low) {
                let (without, with) = subset[..2 << t].split_at_mut(1 << t);
                for (s, &z) in with.iter_mut().zip(without.iter()) {
                    *s = z + c;
                }
            }
            let (mut least, mut at) = (i64::MAX, 0usize);
            for (lo, (&e, &s)) in inner.iter().zip(subset.iter()).enumerate() {
                if e + s < least {
                    (least, at) = (e + s, lo);
                }
            }
            if base + least < best.0 {
                best = (base + least, second | (at as u64) << 1);
            }
        }
        (best.1, best.0)
    }

    /// The lowest-energy endpoint of steepest descents from `starts` random splits.
    fn sampled_best(&mut self, starts: u64, seed: u64) -> (u64, i64) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut best: Option<(u64, i64)> = None;
        for _ in 0..starts {
            let start = random_start(&mut rng, self.n);
            let (bits, half) = self.descend(start);
            if best.is_none_or(|(b, e)| half < e || (half == e && bits < b)) {
                best = Some((bits, half));
            }
        }
        // No starts leaves everyone together, the lowest split.
        best.unwrap_or((0, self.half_energy(0)))
    }
}

/// The indices of the set bits of `mask`, lowest first.
fn bits_of(mut mask: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (mask != 0).then(|| {
            let i = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            i
        })
    })
}

/// A uniformly random normalised split: a fair bit for each actor but the first.
fn random_start(rng: &mut ChaCha8Rng, n: usize) -> u64 {
    rng.next_u64() & actor_mask(n) & !1
}

/// The global minimum of the landscape, the split a run ends in: exact for up to
/// [`EXACT_MAX_ACTORS`] actors, beyond that the best of [`DEFAULT_STARTS`] descents from
/// random splits drawn with [`DEFAULT_SEED`], so the answer is still a function of the inputs.
/// Among equal energies the split with the lowest bits wins, as in [`landscape`], whose first
/// minimum this is (for the same search). Allocates nothing once `scratch` has served this
/// many actors.
pub fn best_split(
    n: usize,
    trust: &[f64],
    power: &[f64],
    scratch: &mut BlocScratch,
) -> Result<Split, BlocError> {
    scratch.load(n, trust, power)?;
    let (bits, _) = if n <= EXACT_MAX_ACTORS {
        scratch.exact_best()
    } else {
        scratch.sampled_best(DEFAULT_STARTS, DEFAULT_SEED)
    };
    Ok(Split(bits))
}

/// How [`landscape`] searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Search {
    /// Exact up to [`EXACT_MAX_ACTORS`] actors, sampled with the defaults beyond.
    Auto,
    /// Every split is a start; fails beyond [`EXACT_MAX_ACTORS`] actors.
    Exact,
    /// Steepest descents from `starts` uniformly random splits drawn by ChaCha8 from `seed`.
    /// Every minimum it reports is a true local minimum with its exact energy, but a minimum
    /// whose basin is small may be missed, the global one included, and basin shares are
    /// estimates with the usual binomial error.
    Sampled { starts: u64, seed: u64 },
}

/// One local minimum of the landscape.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LocalMinimum {
    pub split: Split,
    /// `E` of the split, from the exact integer energy (see the module notes).
    pub energy: f64,
    /// How many starting splits descend into it.
    pub basin: u64,
    /// `basin` over the number of starts.
    pub basin_share: f64,
}

/// Every local minimum found, sorted by energy then by split: the global minimum first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Landscape {
    pub actors: usize,
    /// Whether every split was a start (then every local minimum is listed and basin shares
    /// are exact).
    pub exact: bool,
    /// How many descents were run: `2^(n−1)` when exact.
    pub starts: u64,
    pub minima: Vec<LocalMinimum>,
}

impl Landscape {
    /// The lowest-energy split found (lowest bits among equal energies).
    pub fn global(&self) -> &LocalMinimum {
        // A landscape always has at least one start, and every descent ends in a minimum.
        &self.minima[0]
    }
}

/// The landscape of `n` actors with trust `trust` (row-major, `T[i*n + j]`) and power `power`:
/// its local minima, their energies and basins.
pub fn landscape(
    n: usize,
    trust: &[f64],
    power: &[f64],
    search: Search,
) -> Result<Landscape, BlocError> {
    let mut scratch = BlocScratch::new();
    scratch.load(n, trust, power)?;
    let Basins {
        exact,
        starts,
        ends,
    } = match search {
        Search::Exact => exact_basins(&mut scratch)?,
        Search::Auto if n <= EXACT_MAX_ACTORS => exact_basins(&mut scratch)?,
        Search::Auto => sampled_basins(&mut scratch, DEFAULT_STARTS, DEFAULT_SEED)?,
        Search::Sampled { starts, seed } => sampled_basins(&mut scratch, starts, seed)?,
    };
    let mut minima: Vec<(i64, LocalMinimum)> = ends
        .into_iter()
        .map(|(bits, basin)| {
            let half = scratch.half_energy(bits);
            let minimum = LocalMinimum {
                split: Split(bits),
                energy: scratch.energy(half),
                basin,
                basin_share: basin as f64 / starts as f64,
            };
            (half, minimum)
        })
        .collect();
    minima.sort_by_key(|(half, m)| (*half, m.split));
    Ok(Landscape {
        actors: n,
        exact,
        starts,
        minima: minima.into_iter().map(|(_, m)| m).collect(),
    })
}

/// Where the descents of a search ended.
struct Basins {
    exact: bool,
    starts: u64,
    /// Descents ending in each local minimum, by its bits.
    ends: BTreeMap<u64, u64>,
}

/// Every split as a start.
fn exact_basins(scratch: &mut BlocScratch) -> Result<Basins, BlocError> {
    if scratch.n > EXACT_MAX_ACTORS {
        return Err(BlocError::ExactTooLarge { n: scratch.n });
    }
    let roots = exact_roots(scratch);
    let mut ends = BTreeMap::new();
    for &root in &roots {
        *ends.entry(u64::from(root) << 1).or_insert(0u64) += 1;
    }
    Ok(Basins {
        exact: true,
        starts: roots.len() as u64,
        ends,
    })
}

/// `starts` random starts.
fn sampled_basins(scratch: &mut BlocScratch, starts: u64, seed: u64) -> Result<Basins, BlocError> {
    if starts == 0 {
        return Err(BlocError::NoStarts);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut ends = BTreeMap::new();
    for _ in 0..starts {
        let start = random_start(&mut rng, scratch.n);
        let (end, _) = scratch.descend(start);
        *ends.entry(end).or_insert(0u64) += 1;
    }
    Ok(Basins {
        exact: false,
        starts,
        ends,
    })
}

/// For every split, indexed by its bits shifted right by one (bit 0 is always clear), the
/// index of the local minimum its steepest descent ends in.
///
/// One Gray-code pass finds each split's steepest move from the fields it maintains, which
/// gives a successor for every split (itself at a local minimum). Following successors to the
/// end, with path compression, then resolves every basin in time linear in practice. Descent
/// strictly lowers an exact integer energy, so successor chains cannot cycle.
fn exact_roots(scratch: &mut BlocScratch) -> Vec<u32> {
    let n = scratch.n;
    let count = 1usize << (n - 1);
    let others = actor_mask(n) & !1;
    let mut next = vec![0u32; count];
    let mut bits = 0u64;
    scratch.set_fields(bits);
    for t in 0..count {
        if t > 0 {
            bits = scratch.flip(bits, t.trailing_zeros() as usize + 1);
        }
        let to = match scratch.steepest(bits) {
            None => bits,
            Some((0, _)) => bits ^ others,
            Some((k, _)) => bits ^ (1 << k),
        };
        // count ≤ 2^19, so indices fit a u32.
        next[(bits >> 1) as usize] = (to >> 1) as u32;
    }
    for start in 0..count {
        let mut root = start;
        while next[root] as usize != root {
            root = next[root] as usize;
        }
        let mut at = start;
        while at != root {
            let after = next[at] as usize;
            next[at] = root as u32;
            at = after;
        }
    }
    next
}

/// Over many runs, how often each pair of actors shares a bloc and how often each split
/// occurs. Counts are exact integers, so tallies of disjoint sets of runs merge into exactly
/// the tally of their union, in any order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "CoMembershipData")]
pub struct CoMembership {
    actors: usize,
    runs: u64,
    /// For each pair `i < j` in row order (0-1, 0-2, …, 1-2, …), the runs in which they share
    /// a bloc.
    together: Vec<u64>,
    splits: BTreeMap<Split, u64>,
}

/// The fields of a saved tally before they are checked against each other.
#[derive(Deserialize)]
struct CoMembershipData {
    actors: usize,
    runs: u64,
    together: Vec<u64>,
    splits: BTreeMap<Split, u64>,
}

impl TryFrom<CoMembershipData> for CoMembership {
    type Error = BlocError;

    /// A saved tally is accepted only if it is one that observing runs could have produced:
    /// the pair counts follow from the split counts, so they are recomputed and compared.
    fn try_from(data: CoMembershipData) -> Result<CoMembership, BlocError> {
        let mut rebuilt = CoMembership::new(data.actors)?;
        for (&split, &count) in &data.splits {
            if !split.fits(data.actors) || split.bits() & 1 == 1 {
                return Err(BlocError::SplitOutOfRange {
                    bits: split.bits(),
                    n: data.actors,
                });
            }
            if count == 0 {
                return Err(BlocError::Inconsistent("a split is listed with no runs"));
            }
            rebuilt.add_split(split, count)?;
        }
        if rebuilt.runs != data.runs {
            return Err(BlocError::Inconsistent(
                "split counts do not sum to the runs",
            ));
        }
        if rebuilt.together != data.together {
            return Err(BlocError::Inconsistent(
                "pair counts do not follow from the split counts",
            ));
        }
        Ok(rebuilt)
    }
}

impl CoMembership {
    pub fn new(actors: usize) -> Result<CoMembership, BlocError> {
        check_count(actors)?;
        Ok(CoMembership {
            actors,
            runs: 0,
            together: vec![0; actors * (actors - 1) / 2],
            splits: BTreeMap::new(),
        })
    }

    pub fn actors(&self) -> usize {
        self.actors
    }

    pub fn runs(&self) -> u64 {
        self.runs
    }

    /// Counts one run ending in `split`.
    pub fn observe(&mut self, split: Split) -> Result<(), BlocError> {
        if !split.fits(self.actors) {
            return Err(BlocError::SplitOutOfRange {
                bits: split.bits(),
                n: self.actors,
            });
        }
        self.add_split(split, 1)
    }

    fn add_split(&mut self, split: Split, count: u64) -> Result<(), BlocError> {
        self.runs = self
            .runs
            .checked_add(count)
            .ok_or(BlocError::CountOverflow)?;
        let n = self.actors;
        let mut pair = 0;
        for i in 0..n {
            for j in i + 1..n {
                if split.same_bloc(i, j) {
                    // Never above `runs`, which did not overflow.
                    self.together[pair] += count;
                }
                pair += 1;
            }
        }
        *self.splits.entry(split).or_insert(0) += count;
        Ok(())
    }

    /// Adds the runs of `other`, a tally of the same actors.
    pub fn merge(&mut self, other: &CoMembership) -> Result<(), BlocError> {
        if other.actors != self.actors {
            return Err(BlocError::ActorCount {
                expected: self.actors,
                found: other.actors,
            });
        }
        self.runs = self
            .runs
            .checked_add(other.runs)
            .ok_or(BlocError::CountOverflow)?;
        for (mine, theirs) in self.together.iter_mut().zip(&other.together) {
            // Each pair count is at most its tally's runs, whose sum did not overflow.
            *mine += theirs;
        }
        for (&split, &count) in &other.splits {
            *self.splits.entry(split).or_insert(0) += count;
        }
        Ok(())
    }

    /// Runs in which actors `i` and `j` share a bloc (all runs when `i == j`).
    pub fn together(&self, i: usize, j: usize) -> u64 {
        let (i, j) = (i.min(j), i.max(j));
        if i == j {
            return self.runs;
        }
        if j >= self.actors {
            return 0;
        }
        let n = self.actors;
        self.together[i * (2 * n - i - 1) / 2 + (j - i - 1)]
    }

    /// The share of runs in which `i` and `j` share a bloc; `None` before any run.
    pub fn together_share(&self, i: usize, j: usize) -> Option<f64> {
        (self.runs > 0).then(|| self.together(i, j) as f64 / self.runs as f64)
    }

    /// Every split seen with its run count, the most frequent first, ties by split bits.
    pub fn splits(&self) -> Vec<(Split, u64)> {
        let mut out: Vec<(Split, u64)> = self.splits.iter().map(|(&s, &c)| (s, c)).collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `E(X) = Σ_{i≠j} p_i p_j P_ij d_ij(X)` straight from the definition, in floating point,
    /// sharing nothing with the module's integer machinery.
    fn energy_by_definition(n: usize, trust: &[f64], power: &[f64], bits: u64) -> f64 {
        let mut e = 0.0;
        for i in 0..n {
            for j in 0..n {
                let across = (bits >> i & 1) != (bits >> j & 1);
                if i != j && across {
                    let propensity = (trust[i * n + j] + trust[j * n + i]) / 2.0;
                    e += power[i] * power[j] * propensity;
                }
            }
        }
        e
    }

    /// The splits one move away from `bits`, normalised, in actor order.
    fn neighbours(n: usize, bits: u64) -> Vec<u64> {
        let mask = (1u64 << n) - 1;
        (0..n)
            .map(|k| {
                let moved = bits ^ (1 << k);
                if moved & 1 == 1 { moved ^ mask } else { moved }
            })
            .collect()
    }

    /// A scale for comparing floating-point energies: the sum of all |weights|.
    fn energy_scale(n: usize, trust: &[f64], power: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..n {
            for j in 0..n {
                s += (power[i] * power[j] * (trust[i * n + j] + trust[j * n + i]) / 2.0).abs();
            }
        }
        s.max(1.0)
    }

    /// Every local minimum and its basin size by brute force on floating-point energies:
    /// each split's energy from the definition, descents by comparing neighbour energies.
    /// Meant for random inputs, where no two distinct energies are within `tol`.
    fn brute_force(n: usize, trust: &[f64], power: &[f64]) -> BTreeMap<u64, u64> {
        let tol = 1e-9 * energy_scale(n, trust, power);
        let e = |bits: u64| energy_by_definition(n, trust, power, bits);
        let mut basins = BTreeMap::new();
        for start in (0..1u64 << n).step_by(2) {
            let mut at = start;
            loop {
                let here = e(at);
                let mut best: Option<(u64, f64)> = None;
                for next in neighbours(n, at) {
                    let there = e(next);
                    if there < here - tol && best.is_none_or(|(_, b)| there < b) {
                        best = Some((next, there));
                    }
                }
                match best {
                    Some((next, _)) => at = next,
                    None => break,
                }
            }
            *basins.entry(at).or_insert(0) += 1;
        }
        basins
    }

    fn inputs(max_n: usize) -> impl Strategy<Value = (usize, Vec<f64>, Vec<f64>)> {
        (1..=max_n).prop_flat_map(|n| {
            (
                Just(n),
                prop::collection::vec(-1.0f64..=1.0, n * n),
                // Power in (0, 1].
                prop::collection::vec(0.0f64..1.0, n)
                    .prop_map(|v| v.into_iter().map(|x| 1.0 - x).collect()),
            )
        })
    }

    /// Five actors; trust is asymmetric where noted, so propensity is its average:
    ///
    /// ```text
    ///        A     B     C     D     E        power: A 1, B 1, C 0.5, D 1, E 0.5
    ///   A    0    1.0   0.4  -0.2  -0.2
    ///   B   0.6    0    0.2  -0.4   0.5
    ///   C   0.4   0.2    0    0.2  -0.4
    ///   D  -1.0  -0.4   0.2    0    0.6
    ///   E  -0.2  -0.5  -0.4   0.6    0
    /// ```
    ///
    /// Pair weights w = p_i p_j P_ij: AB 1·1·(1.0 + 0.6)/2 = 0.8, AC 1·0.5·0.4 = 0.2,
    /// AD 1·1·(−0.2 − 1.0)/2 = −0.6, AE 1·0.5·(−0.2) = −0.1, BC 1·0.5·0.2 = 0.1, BD −0.4,
    /// BE 1·0.5·(0.5 − 0.5)/2 = 0, CD 0.5·1·0.2 = 0.1, CE 0.5·0.5·(−0.4) = −0.1,
    /// DE 1·0.5·0.6 = 0.3.
    ///
    /// E counts each cut pair twice, so E = 2 Σ_{cut pairs} w. Cutting every negative pair
    /// (AD, AE, BD, CE) and no positive one would give 2(−1.2) = −2.4, but A, C and D cannot
    /// all be satisfied: AC and CD want C with both A and D, AD wants them apart. The
    /// cheapest violation is cutting CD (+0.1; keeping AD together would cost 0.6, cutting
    /// AC 0.2), so E ≥ 2(−1.2 + 0.1) = −2.2. {A,B,C} | {D,E} cuts AD, AE, BD, BE, CD, CE:
    /// 2(−0.6 − 0.1 − 0.4 + 0 + 0.1 − 0.1) = −2.2, the bound, and it is the only split that
    /// violates CD alone. Moving one actor cuts it from its bloc and joins it to the other,
    /// changing E by 2(Σ_{same bloc} w − Σ_{other bloc} w): A 2(0.8 + 0.2 + 0.6 + 0.1) = 3.4,
    /// B 2(0.8 + 0.1 + 0.4 − 0) = 2.6, C 2(0.2 + 0.1 − 0.1 + 0.1) = 0.6,
    /// D 2(0.3 + 0.6 + 0.4 − 0.1) = 2.4, E 2(0.3 + 0.1 − 0 + 0.1) = 1.0: all positive.
    #[test]
    fn hand_checked_five_actors() {
        let trust = [
            0.0, 1.0, 0.4, -0.2, -0.2, //
            0.6, 0.0, 0.2, -0.4, 0.5, //
            0.4, 0.2, 0.0, 0.2, -0.4, //
            -1.0, -0.4, 0.2, 0.0, 0.6, //
            -0.2, -0.5, -0.4, 0.6, 0.0,
        ];
        let power = [1.0, 1.0, 0.5, 1.0, 0.5];
        let names = ["A", "B", "C", "D", "E"];
        let land = landscape(5, &trust, &power, Search::Exact).unwrap();
        let global = land.global();
        assert_eq!(global.split, Split::from_bits(0b11000, 5).unwrap());
        assert_eq!(
            global.split.members(&names).unwrap(),
            ("A;B;C".to_string(), "D;E".to_string())
        );
        assert!((global.energy - -2.2).abs() < 1e-12, "{}", global.energy);
        // No other split is a local minimum, so every descent ends there.
        assert_eq!(land.minima.len(), 1);
        assert_eq!(global.basin, 16);
        assert_eq!(global.basin_share, 1.0);
        let mut scratch = BlocScratch::new();
        assert_eq!(
            best_split(5, &trust, &power, &mut scratch).unwrap(),
            global.split
        );
    }

    #[test]
    fn two_camps_are_found() {
        // Camps {0, 1, 2, 5} and {3, 4, 6, 7}: trust 0.5–1 within, −0.5 to −1 across, in an
        // irregular pattern so no two pairs weigh the same.
        let n = 8;
        let camp = |i: usize| matches!(i, 3 | 4 | 6 | 7);
        let mut trust = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                if i != j {
                    let strength = 0.5 + 0.5 * (((i * 7 + j * 13) % 17) as f64 / 16.0);
                    trust[i * n + j] = if camp(i) == camp(j) {
                        strength
                    } else {
                        -strength
                    };
                }
            }
        }
        let power = [1.0, 0.3, 0.8, 0.6, 0.9, 0.2, 0.7, 0.4];
        let expected = Split::from_bits(0b1101_1000, n).unwrap();
        let exact = landscape(n, &trust, &power, Search::Exact).unwrap();
        assert_eq!(exact.global().split, expected);
        let sampled = landscape(
            n,
            &trust,
            &power,
            Search::Sampled {
                starts: 50,
                seed: 7,
            },
        )
        .unwrap();
        assert_eq!(sampled.global().split, expected);
        let mut scratch = BlocScratch::new();
        assert_eq!(
            best_split(n, &trust, &power, &mut scratch).unwrap(),
            expected
        );
        let names = ["a", "b", "c", "d", "e", "f", "g", "h"];
        assert_eq!(
            split_members(expected, &names).unwrap(),
            ("a;b;c;f".to_string(), "d;e;g;h".to_string())
        );
    }

    #[test]
    fn two_camps_beyond_the_exact_limit() {
        // 30 actors in two camps by parity, equal weights within and across: the camp split
        // is the global minimum.
        let n = 30;
        let mut trust = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                if i != j {
                    trust[i * n + j] = if i % 2 == j % 2 { 0.8 } else { -0.6 };
                }
            }
        }
        let power = vec![1.0; n];
        let odd: u64 = (0..n).filter(|i| i % 2 == 1).map(|i| 1u64 << i).sum();
        let mut scratch = BlocScratch::new();
        let best = best_split(n, &trust, &power, &mut scratch).unwrap();
        assert_eq!(best.bits(), odd);
        let land = landscape(n, &trust, &power, Search::Auto).unwrap();
        assert!(!land.exact);
        assert_eq!(land.starts, DEFAULT_STARTS);
        assert_eq!(land.global().split.bits(), odd);
        // 15 × 15 cut pairs of −0.6, counted twice.
        assert!((land.global().energy - 2.0 * 225.0 * -0.6).abs() < 1e-9);
        assert_eq!(
            landscape(n, &trust, &power, Search::Exact),
            Err(BlocError::ExactTooLarge { n })
        );
    }

    #[test]
    fn plateaus_are_local_minima_everywhere() {
        // No trust at all: every split has energy 0, no move descends, and every split is
        // its own minimum with a basin of one.
        let n = 4;
        let land = landscape(n, &[0.0; 16], &[1.0; 4], Search::Exact).unwrap();
        assert_eq!(land.minima.len(), 8);
        let splits: Vec<u64> = land.minima.iter().map(|m| m.split.bits()).collect();
        assert_eq!(splits, vec![0, 2, 4, 6, 8, 10, 12, 14]);
        assert!(land.minima.iter().all(|m| m.energy == 0.0 && m.basin == 1));
        let mut scratch = BlocScratch::new();
        assert_eq!(
            best_split(n, &[0.0; 16], &[1.0; 4], &mut scratch).unwrap(),
            Split::one_bloc()
        );
    }

    #[test]
    fn equal_energy_neighbours_are_each_minima() {
        // Three actors: A and B are friends, C is indifferent to both. Putting C on either
        // side costs nothing, so {A,B,C} and {A,B} | {C} both have energy 0 and are each a
        // local minimum; splits separating A and B cost 2·0.5 = 1 and descend (moving the
        // lowest-index actor first on ties) into one of them.
        let trust = [
            0.0, 0.5, 0.0, //
            0.5, 0.0, 0.0, //
            0.0, 0.0, 0.0,
        ];
        let land = landscape(3, &trust, &[1.0; 3], Search::Exact).unwrap();
        let found: Vec<(u64, u64)> = land
            .minima
            .iter()
            .map(|m| (m.split.bits(), m.basin))
            .collect();
        // {A} | {B,C} (0b110): moving A (to all together, 0b000) or B (to {A,B} | {C},
        // 0b100) both lower E by 1; A comes first, so it descends to 0b000.
        // {A,C} | {B} (0b010): moving A gives {C} | {A,B}, normalised 0b100, and moving B
        // gives 0b000, both by 1; A comes first, so it descends to 0b100.
        assert_eq!(found, vec![(0b000, 2), (0b100, 2)]);
        assert!(land.minima.iter().all(|m| m.energy == 0.0));
    }

    #[test]
    fn scratch_is_reused_without_growing() {
        let n = 9;
        let trust: Vec<f64> = (0..n * n)
            .map(|k| ((k * 37 % 23) as f64 - 11.0) / 11.0)
            .collect();
        let power: Vec<f64> = (0..n).map(|i| 1.0 - i as f64 / 10.0).collect();
        let mut scratch = BlocScratch::new();
        let first = best_split(n, &trust, &power, &mut scratch).unwrap();
        let capacities = |s: &BlocScratch| {
            [
                s.w.capacity(),
                s.h.capacity(),
                s.inner.capacity(),
                s.subset.capacity(),
                s.pair.capacity(),
            ]
        };
        let before = capacities(&scratch);
        // A smaller problem, then the same one again: nothing grows and the answer repeats.
        best_split(5, &trust[..25], &power[..5], &mut scratch).unwrap();
        assert_eq!(best_split(n, &trust, &power, &mut scratch).unwrap(), first);
        assert_eq!(capacities(&scratch), before);
    }

    #[test]
    fn one_actor() {
        let land = landscape(1, &[0.0], &[1.0], Search::Exact).unwrap();
        assert_eq!(land.minima.len(), 1);
        assert_eq!(land.global().split, Split::one_bloc());
        assert_eq!(land.global().basin, 1);
        assert_eq!(
            Split::one_bloc().members(&["Solo"]).unwrap(),
            ("Solo".to_string(), String::new())
        );
    }

    #[test]
    fn bad_inputs_are_errors() {
        let mut s = BlocScratch::new();
        assert_eq!(best_split(0, &[], &[], &mut s), Err(BlocError::NoActors));
        assert_eq!(
            best_split(2, &[0.0; 3], &[1.0; 2], &mut s),
            Err(BlocError::TrustLength {
                n: 2,
                expected: 4,
                found: 3
            })
        );
        assert_eq!(
            best_split(2, &[0.0; 4], &[1.0], &mut s),
            Err(BlocError::PowerLength { n: 2, found: 1 })
        );
        assert_eq!(
            best_split(2, &[0.0, f64::NAN, 0.0, 0.0], &[1.0; 2], &mut s),
            Err(BlocError::TrustNotFinite { from: 0, to: 1 })
        );
        assert!(matches!(
            best_split(2, &[0.0; 4], &[1.0, -0.5], &mut s),
            Err(BlocError::BadPower { actor: 1, .. })
        ));
        assert_eq!(
            best_split(2, &[0.0, 1e300, 1e300, 0.0], &[1e10; 2], &mut s),
            Err(BlocError::WeightOverflow)
        );
        assert_eq!(
            best_split(65, &[0.0; 65 * 65], &[1.0; 65], &mut s),
            Err(BlocError::TooManyActors { n: 65 })
        );
        assert_eq!(
            landscape(
                2,
                &[0.0; 4],
                &[1.0; 2],
                Search::Sampled { starts: 0, seed: 1 }
            ),
            Err(BlocError::NoStarts)
        );
        assert_eq!(
            Split::from_bits(0b10000, 4),
            Err(BlocError::SplitOutOfRange {
                bits: 0b10000,
                n: 4
            })
        );
        assert!(
            Split::from_bits(0b1000, 4)
                .unwrap()
                .members(&["a", "b"])
                .is_err()
        );
    }

    #[test]
    fn split_text_puts_the_first_actors_bloc_first() {
        let names = ["A", "B", "C", "D"];
        let s = Split::from_bits(0b0110, 4).unwrap();
        assert_eq!(
            s.members(&names).unwrap(),
            ("A;D".to_string(), "B;C".to_string())
        );
        // A in the set bits: the blocs are swapped so that A's bloc comes first.
        let s = Split::from_bits(0b0111, 4).unwrap();
        assert_eq!(s.bits(), 0b1000);
        assert_eq!(
            s.members(&names).unwrap(),
            ("A;B;C".to_string(), "D".to_string())
        );
        assert!(s.same_bloc(0, 2) && !s.same_bloc(2, 3));
    }

    #[test]
    fn tally_counts_pairs_and_splits() {
        let n = 4;
        let mut t = CoMembership::new(n).unwrap();
        let ab_cd = Split::from_bits(0b1100, n).unwrap();
        let acd_b = Split::from_bits(0b0010, n).unwrap();
        t.observe(ab_cd).unwrap();
        t.observe(acd_b).unwrap();
        t.observe(ab_cd).unwrap();
        assert_eq!(t.runs(), 3);
        // AB together in the two {A,B}|{C,D} runs; CD in all three; AC and AD once; B
        // with C or D never.
        let expected = [
            ((0, 1), 2),
            ((0, 2), 1),
            ((0, 3), 1),
            ((1, 2), 0),
            ((1, 3), 0),
            ((2, 3), 3),
        ];
        for ((i, j), count) in expected {
            assert_eq!(t.together(i, j), count, "{i}-{j}");
            assert_eq!(t.together(j, i), count, "{j}-{i}");
        }
        assert_eq!(t.together(2, 2), 3);
        assert_eq!(t.together_share(2, 3), Some(1.0));
        assert_eq!(t.splits(), vec![(ab_cd, 2), (acd_b, 1)]);
        assert!(t.observe(Split::from_bits(0b10000, 5).unwrap()).is_err());
        assert_eq!(CoMembership::new(3).unwrap().together_share(0, 1), None);
    }

    #[test]
    fn tally_orders_equal_counts_by_split() {
        let mut t = CoMembership::new(3).unwrap();
        for bits in [0b110, 0b010, 0b100, 0b010, 0b110] {
            t.observe(Split::from_bits(bits, 3).unwrap()).unwrap();
        }
        let order: Vec<(u64, u64)> = t.splits().iter().map(|(s, c)| (s.bits(), *c)).collect();
        assert_eq!(order, vec![(0b010, 2), (0b110, 2), (0b100, 1)]);
    }

    #[test]
    fn tally_merge_is_exact_and_commutative() {
        let n = 5;
        let runs: Vec<Split> = (0..40u64)
            .map(|r| Split::from_bits(((r * 11 + r / 3) % 32) & !1, n).unwrap())
            .collect();
        let mut whole = CoMembership::new(n).unwrap();
        for &s in &runs {
            whole.observe(s).unwrap();
        }
        let (mut a, mut b) = (CoMembership::new(n).unwrap(), CoMembership::new(n).unwrap());
        for &s in &runs[..13] {
            a.observe(s).unwrap();
        }
        for &s in &runs[13..] {
            b.observe(s).unwrap();
        }
        let mut ab = a.clone();
        ab.merge(&b).unwrap();
        let mut ba = b.clone();
        ba.merge(&a).unwrap();
        assert_eq!(ab, whole);
        assert_eq!(ba, whole);
        assert_eq!(ab.splits(), ba.splits());
        assert_eq!(
            a.merge(&CoMembership::new(4).unwrap()),
            Err(BlocError::ActorCount {
                expected: 5,
                found: 4
            })
        );
    }

    #[test]
    fn tally_round_trips_and_rejects_inconsistent_files() {
        let n = 4;
        let mut t = CoMembership::new(n).unwrap();
        for bits in [0b1100, 0b0010, 0b1100, 0b0000] {
            t.observe(Split::from_bits(bits, n).unwrap()).unwrap();
        }
        let text = serde_json::to_string(&t).unwrap();
        let back: CoMembership = serde_json::from_str(&text).unwrap();
        assert_eq!(back, t);

        let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
        value["together"][0] = serde_json::json!(4);
        assert!(serde_json::from_value::<CoMembership>(value).is_err());
        let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
        value["runs"] = serde_json::json!(5);
        assert!(serde_json::from_value::<CoMembership>(value).is_err());
        let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
        value["splits"]["3"] = serde_json::json!(1);
        assert!(serde_json::from_value::<CoMembership>(value).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 128,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// The Gray-code search and path compression against brute force on floating-point
        /// energies: the same local minima with the same basins, and the reported energies
        /// equal to the definition.
        #[test]
        fn exact_search_matches_brute_force((n, trust, power) in inputs(8)) {
            let land = landscape(n, &trust, &power, Search::Exact).unwrap();
            let brute = brute_force(n, &trust, &power);
            let found: BTreeMap<u64, u64> =
                land.minima.iter().map(|m| (m.split.bits(), m.basin)).collect();
            prop_assert_eq!(found, brute);
            let tol = 1e-12 * energy_scale(n, &trust, &power);
            for m in &land.minima {
                let e = energy_by_definition(n, &trust, &power, m.split.bits());
                prop_assert!((m.energy - e).abs() <= tol, "{} vs {}", m.energy, e);
            }
        }

        /// Sampling enough starts finds the global minimum, and whatever it finds is a local
        /// minimum of the exact search with the same energy.
        #[test]
        fn sampled_search_agrees_with_exact((n, trust, power) in inputs(12), seed in any::<u64>()) {
            let exact = landscape(n, &trust, &power, Search::Exact).unwrap();
            let count = 1u64 << (n - 1);
            prop_assert_eq!(exact.starts, count);

            // Basin shares sum to 1 and counts to every split.
            prop_assert_eq!(exact.minima.iter().map(|m| m.basin).sum::<u64>(), count);
            let share: f64 = exact.minima.iter().map(|m| m.basin_share).sum();
            prop_assert!((share - 1.0).abs() < 1e-12);

            // Sorted by energy, then split; each a local minimum by the definition.
            let tol = 1e-12 * energy_scale(n, &trust, &power);
            for pair in exact.minima.windows(2) {
                prop_assert!(
                    pair[0].energy < pair[1].energy
                        || (pair[0].energy == pair[1].energy && pair[0].split < pair[1].split)
                );
            }
            for m in &exact.minima {
                let e = energy_by_definition(n, &trust, &power, m.split.bits());
                prop_assert!((m.energy - e).abs() <= tol);
                for next in neighbours(n, m.split.bits()) {
                    prop_assert!(energy_by_definition(n, &trust, &power, next) >= e - tol);
                }
            }

            // 32 starts per split: a minimum with a basin of one split is missed with
            // probability e^-32.
            let sampled = landscape(
                n, &trust, &power, Search::Sampled { starts: 32 * count, seed },
            ).unwrap();
            prop_assert_eq!(sampled.global().energy, exact.global().energy);
            prop_assert_eq!(sampled.global().split, exact.global().split);
            let share: f64 = sampled.minima.iter().map(|m| m.basin_share).sum();
            prop_assert!((share - 1.0).abs() < 1e-12);
            for m in &sampled.minima {
                let same = exact.minima.iter().find(|x| x.split == m.split);
                prop_assert!(same.is_some(), "{:?} is not a local minimum", m.split);
                prop_assert_eq!(same.map(|x| x.energy), Some(m.energy));
            }

            let mut scratch = BlocScratch::new();
            prop_assert_eq!(
                best_split(n, &trust, &power, &mut scratch).unwrap(),
                exact.global().split
            );
        }
    }
}
