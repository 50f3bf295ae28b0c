//! The product straight from T, for small scenarios: rows in groups of four, four columns
//! at a time, the group's accumulators in registers through the whole sum over k. At 9
//! actors this is the whole product in a few hundred vector operations, with nothing to
//! pack or copy first. It skips the same terms and adds the rest in the same order as the
//! strip kernel, so the two give the same bits (a test holds them to it).

use super::GROUP;

/// Doubles per lane: one AVX2 register, two SSE2 ones.
const LANES: usize = 4;
type Lane = [f64; LANES];

/// Scratch space, kept from step to step.
#[derive(Debug, Clone, Default)]
pub(super) struct Scratch {
    /// The balance coefficients β' T_ik.
    coef: Vec<f64>,
    /// For the group being computed, each k with a non-zero coefficient in some row.
    active: Vec<usize>,
}

/// [`next_trust`] compiled for AVX2.
///
/// # Safety
/// The CPU must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
pub(super) unsafe fn next_trust_avx2(
    next: &mut [f64],
    trust: &[f64],
    trust0: &[f64],
    n: usize,
    kappa: f64,
    beta: f64,
    scratch: &mut Scratch,
) {
    next_trust(next, trust, trust0, n, kappa, beta, scratch);
}

/// `T_ij + κ (T⁰_ij − T_ij) + Σ_k (β T_ik) T_kj` into `next`. A group of rows skips the k
/// at which all its rows have `T_ik = 0`, unless only n entries of T are 0 (then nothing is
/// skipped); with β = 0 there is no balance term.
#[inline(always)]
pub(super) fn next_trust(
    next: &mut [f64],
    trust: &[f64],
    trust0: &[f64],
    n: usize,
    kappa: f64,
    beta: f64,
    scratch: &mut Scratch,
) {
    let Scratch { coef, active } = scratch;
    coef.clear();
    coef.extend(trust.iter().map(|&t| beta * t));
    let dense = beta != 0.0 && trust.iter().filter(|&&t| t == 0.0).count() == n;
    let groups = next
        .chunks_mut(GROUP * n)
        .zip(trust.chunks(GROUP * n))
        .zip(trust0.chunks(GROUP * n))
        .zip(coef.chunks(GROUP * n));
    for (((next, rows), rows0), coef) in groups {
        active.clear();
        if beta != 0.0 && !dense {
            active.extend((0..n).filter(|&k| rows.chunks_exact(n).any(|row| row[k] != 0.0)));
        }
        let group = Group {
            trust,
            rows,
            rows0,
            coef,
            n,
            kappa,
            active: if dense { None } else { Some(active) },
        };
        match rows.len() / n {
            4 => group.write::<4>(next),
            3 => group.write::<3>(next),
            2 => group.write::<2>(next),
            _ => group.write::<1>(next),
        }
    }
}

/// One group of rows of T' and what it is computed from.
struct Group<'a> {
    /// All of T.
    trust: &'a [f64],
    /// The group's rows of T, of T⁰ and of the coefficients β' T.
    rows: &'a [f64],
    rows0: &'a [f64],
    coef: &'a [f64],
    n: usize,
    kappa: f64,
    /// The k whose coefficients are not all zero in the group, or `None` for every k.
    active: Option<&'a [usize]>,
}

impl Group<'_> {
    /// Writes the group's `R` rows into `next`: whole lanes of four columns first, then the
    /// columns past the last whole lane one by one.
    #[inline(always)]
    fn write<const R: usize>(&self, next: &mut [f64]) {
        match self.active {
            None => self.write_terms::<R>(next, 0..self.n),
            Some(active) => self.write_terms::<R>(next, active.iter().copied()),
        }
    }

    #[inline(always)]
    fn write_terms<const R: usize>(
        &self,
        next: &mut [f64],
        ks: impl Iterator<Item = usize> + Clone,
    ) {
        let n = self.n;
        let coef: [&[f64]; R] = std::array::from_fn(|r| &self.coef[r * n..][..n]);
        let whole = n / LANES * LANES;
        // Two lanes at a time while two remain, each row of T loaded once for eight
        // outputs; then one lane, then single columns.
        let mut j = 0;
        while j + 2 * LANES <= whole {
            self.lanes::<R, 2>(next, &coef, ks.clone(), j);
            j += 2 * LANES;
        }
        if j < whole {
            self.lanes::<R, 1>(next, &coef, ks.clone(), j);
        }
        for j in whole..n {
            let mut acc: [f64; R] = std::array::from_fn(|r| {
                let t = self.rows[r * n + j];
                t + self.kappa * (self.rows0[r * n + j] - t)
            });
            for k in ks.clone() {
                let x = self.trust[k * n + j];
                for (a, coef) in acc.iter_mut().zip(&coef) {
                    *a += coef[k] * x;
                }
            }
            for (r, &a) in acc.iter().enumerate() {
                next[r * n + j] = a;
            }
        }
    }

    /// Columns `j..j + W·LANES` of the group's rows.
    #[inline(always)]
    fn lanes<const R: usize, const W: usize>(
        &self,
        next: &mut [f64],
        coef: &[&[f64]; R],
        ks: impl Iterator<Item = usize>,
        j: usize,
    ) {
        let n = self.n;
        let mut acc: [[Lane; W]; R] = std::array::from_fn(|r| {
            std::array::from_fn(|w| {
                let at = r * n + j + w * LANES;
                let (t, t0) = (lane(&self.rows[at..]), lane(&self.rows0[at..]));
                std::array::from_fn(|l| t[l] + self.kappa * (t0[l] - t[l]))
            })
        });
        for k in ks {
            let x: [Lane; W] = std::array::from_fn(|w| lane(&self.trust[k * n + j + w * LANES..]));
            for (acc, coef) in acc.iter_mut().zip(coef) {
                let c = coef[k];
                for (acc, x) in acc.iter_mut().zip(&x) {
                    for (a, &x) in acc.iter_mut().zip(x) {
                        *a += c * x;
                    }
                }
            }
        }
        for (r, acc) in acc.iter().enumerate() {
            for (w, acc) in acc.iter().enumerate() {
                next[r * n + j + w * LANES..][..LANES].copy_from_slice(acc);
            }
        }
    }
}

#[inline(always)]
fn lane(s: &[f64]) -> Lane {
    match s.first_chunk::<LANES>() {
        Some(x) => *x,
        None => panic!("a lane reaches past the end of its row"),
    }
}
