//! Sobol' low-discrepancy points in up to 1024 dimensions, plain or scrambled.
//!
//! **Construction** (Bratley & Fox 1988; Joe & Kuo 2008). Dimension d has direction integers
//! v_1, v_2, ... of [`BITS`] bits: the first has v_j = 2^(BITS − j) (van der Corput), every
//! other one starts from the Joe–Kuo initial values m_1 .. m_s (v_j = m_j 2^(BITS − j)) and
//! continues by the recurrence of its primitive polynomial of degree s. Point k is the XOR of
//! the v_j whose bit j − 1 is set in the Gray code k ⊕ (k >> 1): the order of Antonov & Saleev,
//! the same as Joe & Kuo's reference code and scipy's `qmc.Sobol`. Point 0 is the origin and is
//! kept, because every prefix of 2^m points is then a (t, m, s)-net: each of the 2^m intervals
//! [j 2^-m, (j + 1) 2^-m) of any one coordinate holds exactly one point, and the first two
//! coordinates form a (0, m, 2)-net. Dropping the origin, as older codes did, breaks that
//! balance (Owen 2022, "On dropping the first Sobol' point").
//!
//! **Random access.** Point k is computed from k alone in O(dims × BITS) operations, with no
//! state carried from point to point: a design can be cut into shards computed anywhere, and
//! point k never depends on which other points were generated.
//!
//! **Scrambling** (when a seed is given): a random linear matrix scramble with a digital shift
//! (Matoušek 1998), the method of scipy's `qmc.Sobol(scramble=True)` (though with other random
//! numbers). Each dimension gets a random BITS × BITS lower-triangular binary matrix L with unit
//! diagonal and a random BITS-bit shift e; its direction integers become L v_j and every point
//! is XORed with e. Because L leaves the leading m bits a bijection of the leading m bits, the
//! net properties above hold for the scrambled points too, while each point becomes uniform
//! on [0, 1)^dims and estimates over the points become unbiased. L and e of dimension d come
//! from a ChaCha8 generator seeded from the seed, on stream d: a dimension's scramble does not
//! depend on how many dimensions the sequence has.
//!
//! **Limits.** At most [`MAX_DIMS`] = 1024 dimensions (the Saltelli design of D inputs needs 2D,
//! so D ≤ 512) and [`MAX_POINTS`] = 2^52 points; values are multiples of 2^-52, exact in an f64
//! and strictly below 1.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::SensitivityError;
use super::joe_kuo::{JOE_KUO, ROWS};

/// Bits of every coordinate. 52, so that an integer coordinate times 2^-52 is exact in an f64
/// and the largest one is below 1.
pub const BITS: u32 = 52;

/// Number of dimensions available: the first (van der Corput) and one per Joe–Kuo row kept.
pub const MAX_DIMS: usize = 1 + ROWS;

/// Number of distinct points: beyond 2^BITS the Gray code has bits with no direction integer.
pub const MAX_POINTS: u64 = 1 << BITS;

/// The mask of the BITS low bits of a u64.
const MASK: u64 = MAX_POINTS - 1;

/// 2^-BITS: the value of the least significant bit of a coordinate.
const SCALE: f64 = 1.0 / MAX_POINTS as f64;

/// A Sobol' sequence in a fixed number of dimensions.
#[derive(Debug, Clone)]
pub struct SobolSequence {
    dims: usize,
    /// Direction integers (scrambled when the sequence is), `BITS` per dimension:
    /// `directions[d * BITS + j]` is v_(j+1) of dimension d.
    directions: Vec<u64>,
    /// The digital shift of each dimension (all zero when not scrambled).
    shift: Vec<u64>,
}

impl SobolSequence {
    /// The sequence in `dims` dimensions, scrambled by `scramble_seed` if one is given.
    pub fn new(dims: usize, scramble_seed: Option<u64>) -> Result<SobolSequence, SensitivityError> {
        if dims == 0 {
            return Err(SensitivityError::NoInputs {
                what: "a Sobol' sequence",
            });
        }
        if dims > MAX_DIMS {
            return Err(SensitivityError::TooManyDimensions {
                requested: dims,
                max: MAX_DIMS,
            });
        }
        let bits = BITS as usize;
        let mut directions = vec![0u64; dims * bits];
        let mut shift = vec![0u64; dims];
        for d in 0..dims {
            let v = &mut directions[d * bits..(d + 1) * bits];
            fill_directions(d, v);
            if let Some(seed) = scramble_seed {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                rng.set_stream(d as u64);
                let rows = lower_triangular(&mut rng);
                for x in v.iter_mut() {
                    *x = multiply(&rows, *x);
                }
                shift[d] = rng.next_u64() & MASK;
            }
        }
        Ok(SobolSequence {
            dims,
            directions,
            shift,
        })
    }

    /// Number of coordinates of each point.
    pub fn dims(&self) -> usize {
        self.dims
    }

    /// Writes point `index` (counting from 0) into `out`, which must hold `dims` values.
    pub fn point(&self, index: u64, out: &mut [f64]) -> Result<(), SensitivityError> {
        if out.len() != self.dims {
            return Err(SensitivityError::LengthMismatch {
                what: "the buffer of a Sobol' point",
                expected: self.dims,
                found: out.len(),
            });
        }
        check_index(index)?;
        for (d, x) in out.iter_mut().enumerate() {
            *x = self.raw(index, d) as f64 * SCALE;
        }
        Ok(())
    }

    /// Coordinate `dim` of point `index`, without computing the others.
    pub fn coordinate(&self, index: u64, dim: usize) -> Result<f64, SensitivityError> {
        if dim >= self.dims {
            return Err(SensitivityError::IndexOutOfRange {
                what: "the dimensions of a Sobol' sequence",
                index: dim as u64,
                len: self.dims as u64,
            });
        }
        check_index(index)?;
        Ok(self.raw(index, dim) as f64 * SCALE)
    }

    /// Coordinate `d` of point `index` as a BITS-bit integer; both are in range.
    fn raw(&self, index: u64, d: usize) -> u64 {
        let bits = BITS as usize;
        let v = &self.directions[d * bits..(d + 1) * bits];
        let mut gray = index ^ (index >> 1);
        let mut x = self.shift[d];
        while gray != 0 {
            let j = gray.trailing_zeros() as usize;
            x ^= v[j];
            gray &= gray - 1;
        }
        x
    }
}

fn check_index(index: u64) -> Result<(), SensitivityError> {
    if index < MAX_POINTS {
        Ok(())
    } else {
        Err(SensitivityError::IndexOutOfRange {
            what: "a Sobol' sequence",
            index,
            len: MAX_POINTS,
        })
    }
}

/// The unscrambled direction integers v_1 .. v_BITS of dimension `d` (0-based).
fn fill_directions(d: usize, v: &mut [u64]) {
    let bits = v.len();
    if d == 0 {
        for (j, x) in v.iter_mut().enumerate() {
            *x = 1 << (bits - 1 - j);
        }
        return;
    }
    let (s, a, m) = JOE_KUO[d - 1];
    let s = s as usize;
    for j in 0..s.min(bits) {
        v[j] = u64::from(m[j]) << (bits - 1 - j);
    }
    // Bratley & Fox's recurrence, as in Joe & Kuo's reference code:
    // v_j = v_(j−s) ⊕ (v_(j−s) >> s) ⊕ a_1 v_(j−1) ⊕ ... ⊕ a_(s−1) v_(j−s+1),
    // with a_k bit s − 1 − k of `a`.
    for j in s..bits {
        let mut x = v[j - s] ^ (v[j - s] >> s);
        for k in 1..s {
            if (a >> (s - 1 - k)) & 1 == 1 {
                x ^= v[j - k];
            }
        }
        v[j] = x;
    }
}

/// A random lower-triangular BITS × BITS binary matrix with unit diagonal, as one row mask per
/// output bit, most significant first. Row p (output bit 2^(BITS−1−p)) may take any input bit
/// at least as significant as its own, so the leading m output bits depend only on the leading
/// m input bits, invertibly: that is what keeps the net property through the scramble.
fn lower_triangular(rng: &mut ChaCha8Rng) -> [u64; BITS as usize] {
    let mut rows = [0u64; BITS as usize];
    for (p, row) in rows.iter_mut().enumerate() {
        let own = 1u64 << (BITS as usize - 1 - p);
        let above = MASK & !((own << 1) - 1);
        *row = (rng.next_u64() & above) | own;
    }
    rows
}

/// The product L x over GF(2), with L given by its row masks.
fn multiply(rows: &[u64; BITS as usize], x: u64) -> u64 {
    rows.iter().enumerate().fold(0, |acc, (p, row)| {
        acc | (u64::from((row & x).count_ones() & 1) << (BITS as usize - 1 - p))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(seq: &SobolSequence, n: u64) -> Vec<Vec<f64>> {
        (0..n)
            .map(|k| {
                let mut p = vec![0.0; seq.dims()];
                seq.point(k, &mut p).unwrap();
                p
            })
            .collect()
    }

    #[test]
    fn first_points_are_the_known_ones() {
        // Joe & Kuo's table, and the first rows of any Sobol' code in Gray-code order.
        let seq = SobolSequence::new(3, None).unwrap();
        let expected = [
            [0.0, 0.0, 0.0],
            [0.5, 0.5, 0.5],
            [0.75, 0.25, 0.25],
            [0.25, 0.75, 0.75],
            [0.375, 0.375, 0.625],
            [0.875, 0.875, 0.125],
            [0.625, 0.125, 0.875],
            [0.125, 0.625, 0.375],
        ];
        for (k, e) in expected.iter().enumerate() {
            let mut p = [0.0; 3];
            seq.point(k as u64, &mut p).unwrap();
            assert_eq!(&p, e, "point {k}");
        }
    }

    #[test]
    fn far_dimensions_match_an_independent_implementation() {
        // scipy 1.17 `qmc.Sobol(d=1024, scramble=False).random(1030)`: exact dyadic values,
        // so any wrong direction number or recurrence step shows up as an inequality.
        let seq = SobolSequence::new(MAX_DIMS, None).unwrap();
        let dims = [1, 2, 7, 63, 64, 200, 511, 1000, 1023];
        let expected: [(u64, [f64; 9]); 4] = [
            (
                5,
                [
                    0.875, 0.125, 0.375, 0.625, 0.875, 0.125, 0.875, 0.375, 0.375,
                ],
            ),
            (
                100,
                [
                    0.2578125, 0.7734375, 0.4765625, 0.6484375, 0.1953125, 0.8515625, 0.5234375,
                    0.5703125, 0.9453125,
                ],
            ),
            (
                1000,
                [
                    0.0966796875,
                    0.5185546875,
                    0.8994140625,
                    0.4462890625,
                    0.1298828125,
                    0.7529296875,
                    0.3955078125,
                    0.5654296875,
                    0.7138671875,
                ],
            ),
            (
                1029,
                [
                    0.50146484375,
                    0.32275390625,
                    0.96240234375,
                    0.34130859375,
                    0.73388671875,
                    0.35205078125,
                    0.21142578125,
                    0.39404296875,
                    0.80029296875,
                ],
            ),
        ];
        for (k, values) in expected {
            for (&d, &e) in dims.iter().zip(&values) {
                assert_eq!(seq.coordinate(k, d).unwrap(), e, "point {k}, dimension {d}");
            }
        }
    }

    #[test]
    fn direction_table_is_well_formed() {
        // Each row: degree s matches the number of initial values, the polynomial has s − 1
        // inner coefficients, every m_k is odd and below 2^k (what makes each coordinate's
        // generator matrix invertible), and no polynomial repeats.
        let mut seen = std::collections::HashSet::new();
        for (row, &(s, a, m)) in JOE_KUO.iter().enumerate() {
            assert_eq!(m.len(), s as usize, "row {row}");
            assert!(a < 1 << (s - 1), "row {row}");
            for (k, &mk) in m.iter().enumerate() {
                assert!(mk % 2 == 1 && mk < 1 << (k + 1), "row {row}, m_{}", k + 1);
            }
            assert!(seen.insert((s, a)), "row {row} repeats a polynomial");
        }
    }

    #[test]
    fn points_agree_with_the_gray_code_recurrence() {
        // Sequential generation: x_k = x_(k−1) ⊕ v_(c) where c is the lowest set bit of k.
        // An independent route to the same points, checking random access by index.
        let seq = SobolSequence::new(40, Some(3)).unwrap();
        let bits = BITS as usize;
        let mut x: Vec<u64> = seq.shift.clone();
        for k in 1..3000u64 {
            let c = k.trailing_zeros() as usize;
            for (d, xd) in x.iter_mut().enumerate() {
                *xd ^= seq.directions[d * bits + c];
            }
            let mut p = vec![0.0; 40];
            seq.point(k, &mut p).unwrap();
            for d in 0..40 {
                assert_eq!(p[d], x[d] as f64 * SCALE, "point {k}, dimension {d}");
            }
        }
    }

    /// Every prefix of 2^m points puts exactly one point in each of the 2^m equal intervals of
    /// every coordinate.
    fn assert_one_dimensional_nets(seq: &SobolSequence, max_m: u32) {
        let pts = points(seq, 1 << max_m);
        for m in 0..=max_m {
            let n = 1usize << m;
            for d in 0..seq.dims() {
                let mut hits = vec![0u32; n];
                for p in &pts[..n] {
                    assert!((0.0..1.0).contains(&p[d]));
                    hits[(p[d] * n as f64) as usize] += 1;
                }
                assert!(hits.iter().all(|&h| h == 1), "m = {m}, dimension {d}");
            }
        }
    }

    /// The first two coordinates of every prefix of 2^m points form a (0, m, 2)-net: each
    /// box [i 2^-a, (i+1) 2^-a) × [j 2^-b, (j+1) 2^-b) with a + b = m holds exactly one point.
    fn assert_two_dimensional_nets(seq: &SobolSequence, max_m: u32) {
        let pts = points(seq, 1 << max_m);
        for m in 0..=max_m {
            let n = 1usize << m;
            for a in 0..=m {
                let (cols, rows) = (1usize << a, 1usize << (m - a));
                let mut hits = vec![0u32; n];
                for p in &pts[..n] {
                    let i = (p[0] * cols as f64) as usize;
                    let j = (p[1] * rows as f64) as usize;
                    hits[i * rows + j] += 1;
                }
                assert!(hits.iter().all(|&h| h == 1), "m = {m}, a = {a}");
            }
        }
    }

    #[test]
    fn prefixes_are_nets_unscrambled() {
        assert_one_dimensional_nets(&SobolSequence::new(MAX_DIMS, None).unwrap(), 9);
        assert_two_dimensional_nets(&SobolSequence::new(2, None).unwrap(), 12);
    }

    #[test]
    fn prefixes_are_nets_scrambled() {
        for seed in [0, 1, 0xdead_beef] {
            assert_one_dimensional_nets(&SobolSequence::new(MAX_DIMS, Some(seed)).unwrap(), 9);
            assert_two_dimensional_nets(&SobolSequence::new(2, Some(seed)).unwrap(), 12);
        }
    }

    #[test]
    fn scrambling_is_reproducible_and_depends_on_the_seed() {
        let a = points(&SobolSequence::new(8, Some(42)).unwrap(), 64);
        let b = points(&SobolSequence::new(8, Some(42)).unwrap(), 64);
        let c = points(&SobolSequence::new(8, Some(43)).unwrap(), 64);
        let plain = points(&SobolSequence::new(8, None).unwrap(), 64);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, plain);
        // A dimension's scramble does not depend on how many dimensions there are.
        let wide = points(&SobolSequence::new(20, Some(42)).unwrap(), 64);
        for (p, q) in a.iter().zip(&wide) {
            assert_eq!(p[..], q[..8]);
        }
    }

    #[test]
    fn coordinates_average_one_half() {
        // A 2^12-point net has one point per interval of width 2^-12, so its mean is within
        // 2^-13 of 1/2 in every coordinate (exactly 1/2 − 2^-13 unscrambled).
        for seed in [None, Some(9)] {
            let seq = SobolSequence::new(64, seed).unwrap();
            let pts = points(&seq, 1 << 12);
            for d in 0..64 {
                let mean = pts.iter().map(|p| p[d]).sum::<f64>() / pts.len() as f64;
                assert!(
                    (mean - 0.5).abs() <= 1.0 / 8192.0 + 1e-12,
                    "{seed:?} {d}: {mean}"
                );
            }
        }
    }

    #[test]
    fn limits_are_errors() {
        assert!(matches!(
            SobolSequence::new(MAX_DIMS + 1, None),
            Err(SensitivityError::TooManyDimensions { .. })
        ));
        assert!(SobolSequence::new(0, None).is_err());
        let seq = SobolSequence::new(2, Some(1)).unwrap();
        let mut p = [0.0; 2];
        assert!(seq.point(MAX_POINTS, &mut p).is_err());
        assert!(seq.point(MAX_POINTS - 1, &mut p).is_ok());
        assert!(p.iter().all(|x| (0.0..1.0).contains(x)));
        assert!(seq.point(0, &mut [0.0; 3]).is_err());
        assert!(seq.coordinate(0, 2).is_err());
    }
}
