//! The generator behind every random stream of a run: xoshiro256++ (Blackman and Vigna), the
//! generator of `rand_xoshiro`, number for number, with its state in the open.
//!
//! The state is open so that the generators of eight runs side by side can step together,
//! word by word in vector registers ([`Xoshiro8`]). At 9 actors a run looks at its hazards
//! about 300 times, each with a draw of its own stream; eight runs' draws of one hazard take
//! one step of eight generators and one comparison. Each lane still gives exactly the
//! numbers of its own generator, so a run's bits do not depend on whether it ran alone or
//! side by side.

use std::convert::Infallible;

use rand::TryRng;

use crate::model::balance::Build;
use crate::model::lanes::LANES;

/// SplitMix64's increment, for the fallback of the all-zero seed.
const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// SplitMix64's output function: a bijection on u64 that spreads every input bit.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// xoshiro256++: the numbers of `rand_xoshiro::Xoshiro256PlusPlus` from the same seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Xoshiro {
    s: [u64; 4],
}

impl Xoshiro {
    /// The generator of `Xoshiro256PlusPlus::from_seed(seed)`: the seed's four little-endian
    /// words, or, for the all-zero seed (a state xoshiro cannot leave), the first four
    /// numbers of SplitMix64 started at 0.
    pub fn from_seed(seed: [u8; 32]) -> Xoshiro {
        let mut s = [0u64; 4];
        if seed.iter().all(|&b| b == 0) {
            for (k, w) in s.iter_mut().enumerate() {
                *w = mix(GOLDEN_GAMMA.wrapping_mul(k as u64 + 1));
            }
        } else {
            for (w, chunk) in s.iter_mut().zip(seed.chunks_exact(8)) {
                let mut b = [0u8; 8];
                b.copy_from_slice(chunk);
                *w = u64::from_le_bytes(b);
            }
        }
        Xoshiro { s }
    }

    /// The next number, and the generator one step on.
    #[inline(always)]
    pub fn step(&mut self) -> u64 {
        let s = &mut self.s;
        let out = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        out
    }
}

impl TryRng for Xoshiro {
    type Error = Infallible;

    /// The upper half, as `Xoshiro256PlusPlus` gives it: the lowest bits are the weakest.
    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok((self.step() >> 32) as u32)
    }

    #[inline(always)]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.step())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.step().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

/// The generators of [`LANES`] runs side by side, word by word: `s[w][l]` is word `w` of
/// lane `l`'s state.
#[derive(Debug, Clone)]
pub struct Xoshiro8 {
    s: [[u64; LANES]; 4],
}

impl Default for Xoshiro8 {
    fn default() -> Xoshiro8 {
        let blank = Xoshiro::from_seed([0; 32]);
        let mut g = Xoshiro8 { s: [[0; LANES]; 4] };
        for l in 0..LANES {
            g.set(l, &blank);
        }
        g
    }
}

impl Xoshiro8 {
    /// Puts `g` in lane `l`.
    pub fn set(&mut self, l: usize, g: &Xoshiro) {
        for (w, &x) in self.s.iter_mut().zip(&g.s) {
            w[l] = x;
        }
    }

    /// The generator of lane `l`.
    pub fn get(&self, l: usize) -> Xoshiro {
        Xoshiro {
            s: [self.s[0][l], self.s[1][l], self.s[2][l], self.s[3][l]],
        }
    }

    /// Steps every lane's generator once and says, lane by lane (bit l), whether the
    /// uniform number in [0, 1) it gives (the top 53 bits, as [`unit`] takes them) is below
    /// the rate whose [`threshold`] is `below[l]`.
    pub fn below(&mut self, build: Build, below: &[u64; LANES]) -> u8 {
        match build {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the caller's build is one the CPU has (`Build::best`, or checked with
            // `Build::available`).
            Build::Avx512 => unsafe { self.below_avx512(below) },
            _ => self.below_plain(below),
        }
    }

    #[inline(always)]
    fn below_plain(&mut self, below: &[u64; LANES]) -> u8 {
        let mut mask = 0u8;
        for (l, &threshold) in below.iter().enumerate() {
            let mut g = self.get(l);
            mask |= u8::from(g.step() >> 11 < threshold) << l;
            self.set(l, &g);
        }
        mask
    }

    /// One register per word of the state: a step of eight generators is eleven
    /// instructions, the comparison one more.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    fn below_avx512(&mut self, below: &[u64; LANES]) -> u8 {
        use std::arch::x86_64::*;
        // SAFETY: loads and stores go through references to eight u64s.
        unsafe {
            let load = |w: &[u64; LANES]| _mm512_loadu_si512(w.as_ptr().cast());
            let (s0, mut s1) = (load(&self.s[0]), load(&self.s[1]));
            let (mut s2, mut s3) = (load(&self.s[2]), load(&self.s[3]));
            let out = _mm512_add_epi64(_mm512_rol_epi64::<23>(_mm512_add_epi64(s0, s3)), s0);
            let t = _mm512_slli_epi64::<17>(s1);
            s2 = _mm512_xor_si512(s2, s0);
            s3 = _mm512_xor_si512(s3, s1);
            s1 = _mm512_xor_si512(s1, s2);
            let s0 = _mm512_xor_si512(s0, s3);
            s2 = _mm512_xor_si512(s2, t);
            s3 = _mm512_rol_epi64::<45>(s3);
            for (w, s) in self.s.iter_mut().zip([s0, s1, s2, s3]) {
                _mm512_storeu_si512(w.as_mut_ptr().cast(), s);
            }
            _mm512_cmplt_epu64_mask(_mm512_srli_epi64::<11>(out), load(below))
        }
    }
}

/// A uniform number in [0, 1) from the top 53 bits of the next number, as rand's
/// `StandardUniform` takes it.
#[inline]
pub fn unit(g: &mut Xoshiro) -> f64 {
    (g.step() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// The threshold of `rate` for [`Xoshiro8::below`]: the integers k of 53 bits with
/// `k · 2⁻⁵³ < rate` are exactly those below it (both sides are exact, so rounding plays no
/// part). A NaN rate lets nothing through, as `<` does.
pub fn threshold(rate: f64) -> u64 {
    let scaled = rate * (1u64 << 53) as f64;
    if scaled > 0.0 {
        // The ceiling of a positive double of at most 2^53 is an integer of at most 2^53,
        // which a u64 holds exactly; beyond, every k passes anyway.
        scaled.min((1u64 << 53) as f64).ceil() as u64
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_distr::{Distribution, StandardNormal};
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn seed(k: u64) -> [u8; 32] {
        let mut s = [0u8; 32];
        for (i, chunk) in s.chunks_exact_mut(8).enumerate() {
            chunk.copy_from_slice(&mix(k * 4 + i as u64).to_le_bytes());
        }
        s
    }

    #[test]
    fn gives_the_numbers_of_rand_xoshiro() {
        let mut last = [0u8; 32];
        last[31] = 1;
        for s in (0..50).map(seed).chain([[0u8; 32], last]) {
            let mut ours = Xoshiro::from_seed(s);
            let mut theirs = Xoshiro256PlusPlus::from_seed(s);
            for k in 0..1000 {
                assert_eq!(ours.next_u64(), theirs.next_u64(), "seed {s:?}, number {k}");
            }
            assert_eq!(ours.next_u32(), theirs.next_u32());
            let (mut a, mut b) = ([0u8; 13], [0u8; 13]);
            ours.fill_bytes(&mut a);
            theirs.fill_bytes(&mut b);
            assert_eq!(a, b);
            for _ in 0..1000 {
                let x: f64 = StandardNormal.sample(&mut ours);
                let y: f64 = StandardNormal.sample(&mut theirs);
                assert_eq!(x.to_bits(), y.to_bits());
            }
        }
    }

    /// Every build of `below` agrees with each lane's own generator compared by `<`, on
    /// rates at and around the values a 53-bit uniform takes, 0, 1, beyond, and NaN.
    #[test]
    fn below_is_each_lane_compared_alone() {
        let ulp = 1.0 / (1u64 << 53) as f64;
        let rates = vec![0.0, -0.5, 1.0, 1.5, f64::NAN, f64::INFINITY, 0.5, ulp, 0.03];
        for builds in [Build::Portable, Build::Avx2, Build::Avx512] {
            if !builds.available() {
                continue;
            }
            let mut alone: Vec<Xoshiro> = (0..LANES as u64)
                .map(|l| Xoshiro::from_seed(seed(l + 1)))
                .collect();
            let mut side = Xoshiro8::default();
            for (l, g) in alone.iter().enumerate() {
                side.set(l, g);
            }
            for round in 0..4000 {
                // Every lane's next uniform exactly (not below), one step above (below), one
                // step beneath, or rates from the list.
                let next: [f64; LANES] = std::array::from_fn(|l| unit(&mut alone[l].clone()));
                let lane_rates: [f64; LANES] = std::array::from_fn(|l| match round % 4 {
                    0 => next[l],
                    1 => next[l].next_up(),
                    2 => next[l].next_down(),
                    _ => rates[(round * 7 + l * 3) % rates.len()],
                });
                let thresholds = lane_rates.map(threshold);
                let mask = side.below(builds, &thresholds);
                for (l, g) in alone.iter_mut().enumerate() {
                    let expected = unit(g) < lane_rates[l];
                    assert_eq!(
                        mask >> l & 1 == 1,
                        expected,
                        "{builds:?}, round {round}, lane {l}, rate {:e}",
                        lane_rates[l]
                    );
                    assert_eq!(side.get(l), *g);
                }
            }
        }
    }
}
