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
        if let Some(rows) = distinct_rows(r) {
            let m = r.n_coders();
            let n_cat = r.n_categories() as usize;
            return Tally::count_rows(
                m,
                n_cat,
                rows.iter().map(|(row, c)| (row.as_slice(), *c)),
                with_pairs,
            );
        }
        let m = r.n_coders();
        let mut t = Tally::empty(m, r.n_categories() as usize);
        let mut cnt = vec![0u32; t.n_cat];
        if m > 0 {
            for row in r.raw_values().chunks_exact(m) {
                t.add_row(row, 1, &mut cnt);
            }
        }
        if with_pairs {
            t.pairs = count_pairs(
                r.raw_values().chunks_exact(m.max(1)).map(|row| (row, 1)),
                m,
                t.n_cat,
            );
        }
        t
    }

    /// The tally of a matrix given as its distinct rows, each with how many units have it
    /// (the per-code present/absent tables have at most 3^coders distinct rows, so counting
    /// rows first and tallying them once gives the same integers for far less work).
    pub fn count_rows<'a>(
        m: usize,
        n_cat: usize,
        rows: impl Iterator<Item = (&'a [u32], u64)> + Clone,
        with_pairs: bool,
    ) -> Tally {
        let mut t = Tally::empty(m, n_cat);
        let mut cnt = vec![0u32; n_cat];
        for (row, weight) in rows.clone() {
            debug_assert_eq!(row.len(), m);
            t.add_row(row, weight, &mut cnt);
        }
        if with_pairs {
            t.pairs = count_pairs(rows, m, n_cat);
        }
        t
    }

    fn empty(m: usize, n_cat: usize) -> Tally {
        Tally {
            n_coders: m,
            n_cat,
            units_by_m: vec![0; m + 1],
            same_by_m: vec![0; m + 1],
            cat_by_m: vec![0; (m + 1) * n_cat],
            pairs: Vec::new(),
        }
    }

    /// Adds `weight` units whose judgements are `row`; `cnt` is zeroed scratch of `n_cat`
    /// entries, left zeroed.
    #[inline(always)]
    fn add_row(&mut self, row: &[u32], weight: u64, cnt: &mut [u32]) {
        let n_cat = self.n_cat;
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
                self.cat_by_m[base + v as usize] += weight;
                cnt[v as usize] = 0;
            }
        }
        self.units_by_m[mu] += weight;
        self.same_by_m[mu] += (sq - mu as u64) * weight;
    }

    /// Σ over units with `m_u == m` of `n_uk`, for each k.
    pub fn cats(&self, m: usize) -> &[u64] {
        &self.cat_by_m[m * self.n_cat..(m + 1) * self.n_cat]
    }
}

/// The matrix's distinct rows and how many units have each, when there can be few of them
/// compared with the units ((categories + 1)^coders possible rows, counting "not judged", at
/// most a quarter of the units and 2^16): counting rows by their index is a few instructions a
/// unit, and tallying each distinct row once gives the same integers as tallying every unit.
fn distinct_rows(r: &Ratings) -> Option<Vec<(Vec<u32>, u64)>> {
    let (m, symbols) = (r.n_coders(), r.n_categories() as usize + 1);
    if m == 0 {
        return None;
    }
    let slots = (0..m).try_fold(1usize, |acc, _| acc.checked_mul(symbols))?;
    if slots > 1 << 16 || slots > r.n_units() / 4 {
        return None;
    }
    let missing = symbols - 1;
    let mut counts = vec![0u64; slots];
    for row in r.raw_values().chunks_exact(m) {
        let mut i = 0usize;
        for &v in row.iter().rev() {
            i = i * symbols + if v == MISSING { missing } else { v as usize };
        }
        counts[i] += 1;
    }
    Some(
        counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(mut i, &c)| {
                let row = (0..m)
                    .map(|_| {
                        let v = i % symbols;
                        i /= symbols;
                        if v == missing { MISSING } else { v as u32 }
                    })
                    .collect();
                (row, c)
            })
            .collect(),
    )
}

fn count_pairs<'a>(
    rows: impl Iterator<Item = (&'a [u32], u64)>,
    m: usize,
    n_cat: usize,
) -> Vec<PairCounts> {
    let n_pairs = m * m.saturating_sub(1) / 2;
    // Flat scratch: per pair [n, agree, marg_a[n_cat], marg_b[n_cat]].
    let stride = 2 + 2 * n_cat;
    let mut flat = vec![0u64; n_pairs * stride];
    if m >= 2 {
        for (row, w) in rows {
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
                        s[0] += w;
                        s[1] += u64::from(va == vb) * w;
                        s[2 + va as usize] += w;
                        s[2 + n_cat + vb as usize] += w;
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

    /// Counting distinct rows gives exactly the tally of counting every unit.
    #[test]
    fn distinct_rows_tally_as_every_unit() {
        let mut g = crate::agreement::SplitMix64::new(11);
        for (m, k) in [(2usize, 2u32), (3, 11), (4, 3), (1, 5)] {
            let values: Vec<u32> = (0..8000 * m)
                .map(|_| match g.below(u64::from(k) + 1) as u32 {
                    v if v == k => MISSING,
                    v => v,
                })
                .collect();
            let r = Ratings::from_raw(m, k, values).unwrap();
            assert!(
                distinct_rows(&r).is_some(),
                "m={m} k={k} takes the row path"
            );
            let fast = Tally::count(&r, true);
            let mut slow = Tally::empty(m, k as usize);
            let mut cnt = vec![0u32; k as usize];
            for row in r.raw_values().chunks_exact(m) {
                slow.add_row(row, 1, &mut cnt);
            }
            slow.pairs = count_pairs(
                r.raw_values().chunks_exact(m).map(|row| (row, 1)),
                m,
                k as usize,
            );
            assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "m={m} k={k}");
        }
    }

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
