//! One counting pass over a [`Ratings`] matrix from which every categorical
//! coefficient is derived. All counts are exact integers; the hot loop touches
//! only small preallocated arrays (no allocation or hashing per unit).
//!
//! Notation (per unit u): `m_u` = number of coders who judged u, `n_uk` = how many
//! of them chose category k. Units are grouped by `m_u` so that every weighting by
//! `1/(m_u - 1)` (Krippendorff) or `1/(m_u (m_u - 1))` (Gwet) or `1/m_u` (Gwet's
//! pi) can be applied exactly at the end.

use super::data::{MISSING, Ratings};

/// Per-pair counts over the units both coders judged.
#[derive(Debug, Clone)]
pub(crate) struct PairCounts {
    pub a: usize,
    pub b: usize,
    /// Units judged by both.
    pub n: u64,
    /// Of those, units where both chose the same category.
    pub agree: u64,
    /// Category marginals of coder `a` (resp. `b`) over those units.
    pub marg_a: Vec<u64>,
    pub marg_b: Vec<u64>,
}

#[derive(Debug, Clone)]
pub(crate) struct Tally {
    pub n_coders: usize,
    pub n_cat: usize,
    /// `units_by_m[m]` = number of units with exactly m judgements.
    pub units_by_m: Vec<u64>,
    /// `same_by_m[m]` = Σ over those units of Σ_k n_uk (n_uk - 1)
    /// (ordered pairs of judgements within the unit that agree).
    pub same_by_m: Vec<u64>,
    /// `cat_by_m[m * n_cat + k]` = Σ over those units of n_uk.
    pub cat_by_m: Vec<u64>,
    /// Present when requested: one entry per coder pair a < b.
    pub pairs: Vec<PairCounts>,
}

impl Tally {
    pub fn count(r: &Ratings, with_pairs: bool) -> Tally {
        let m = r.n_coders();
        let n_cat = r.n_categories() as usize;
        let mut units_by_m = vec![0u64; m + 1];
        let mut same_by_m = vec![0u64; m + 1];
        let mut cat_by_m = vec![0u64; (m + 1) * n_cat];
        let mut cnt = vec![0u32; n_cat];
        let values = r.raw_values();
        if m > 0 {
            for row in values.chunks_exact(m) {
                let mut mu = 0usize;
                for &v in row {
                    if v != MISSING {
                        cnt[v as usize] += 1;
                        mu += 1;
                    }
                }
                // Σ_k n_uk² = Σ over judgements j of n_{u, v_j}.
                let mut sq = 0u64;
                for &v in row {
                    if v != MISSING {
                        sq += u64::from(cnt[v as usize]);
                    }
                }
                let base = mu * n_cat;
                for &v in row {
                    if v != MISSING {
                        cat_by_m[base + v as usize] += 1;
                        cnt[v as usize] = 0;
                    }
                }
                units_by_m[mu] += 1;
                same_by_m[mu] += sq - mu as u64;
            }
        }
        let pairs = if with_pairs {
            count_pairs(values, m, n_cat)
        } else {
            Vec::new()
        };
        Tally {
            n_coders: m,
            n_cat,
            units_by_m,
            same_by_m,
            cat_by_m,
            pairs,
        }
    }

    /// Σ over units with `m_u == m` of `n_uk`, for each k.
    pub fn cats(&self, m: usize) -> &[u64] {
        &self.cat_by_m[m * self.n_cat..(m + 1) * self.n_cat]
    }
}

fn count_pairs(values: &[u32], m: usize, n_cat: usize) -> Vec<PairCounts> {
    let n_pairs = m * m.saturating_sub(1) / 2;
    // Flat scratch: per pair [n, agree, marg_a[n_cat], marg_b[n_cat]].
    let stride = 2 + 2 * n_cat;
    let mut flat = vec![0u64; n_pairs * stride];
    if m >= 2 {
        for row in values.chunks_exact(m) {
            let mut p = 0usize;
            for a in 0..m {
                let va = row[a];
                if va == MISSING {
                    p += m - a - 1;
                    continue;
                }
                for &vb in &row[a + 1..] {
                    if vb != MISSING {
                        let s = &mut flat[p * stride..(p + 1) * stride];
                        s[0] += 1;
                        s[1] += u64::from(va == vb);
                        s[2 + va as usize] += 1;
                        s[2 + n_cat + vb as usize] += 1;
                    }
                    p += 1;
                }
            }
        }
    }
    let mut out = Vec::with_capacity(n_pairs);
    let mut p = 0;
    for a in 0..m {
        for b in a + 1..m {
            let s = &flat[p * stride..(p + 1) * stride];
            out.push(PairCounts {
                a,
                b,
                n: s[0],
                agree: s[1],
                marg_a: s[2..2 + n_cat].to_vec(),
                marg_b: s[2 + n_cat..].to_vec(),
            });
            p += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_small() {
        let mut r = Ratings::new(3, 3);
        r.push_unit(&[Some(0), Some(0), Some(1)]);
        r.push_unit(&[Some(2), None, Some(2)]);
        r.push_unit(&[None, None, Some(1)]);
        let t = Tally::count(&r, true);
        assert_eq!(t.units_by_m, vec![0, 1, 1, 1]);
        assert_eq!(t.same_by_m, vec![0, 0, 2, 2]);
        assert_eq!(t.cats(3), &[2, 1, 0]);
        assert_eq!(t.cats(2), &[0, 0, 2]);
        assert_eq!(t.cats(1), &[0, 1, 0]);
        assert_eq!(t.pairs.len(), 3);
        let p01 = &t.pairs[0];
        assert_eq!((p01.a, p01.b, p01.n, p01.agree), (0, 1, 1, 1));
        let p02 = &t.pairs[1];
        assert_eq!((p02.a, p02.b, p02.n, p02.agree), (0, 2, 2, 1));
        assert_eq!(p02.marg_a, vec![1, 0, 1]);
        assert_eq!(p02.marg_b, vec![0, 1, 1]);
    }
}
