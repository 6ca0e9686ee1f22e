//! Who applied which code to which unit, one bit per (unit, coder), and the per-code
//! present/absent tables made from it.
//!
//! A present/absent table of `n` coders has at most 3^n distinct rows (present, absent, not
//! judged per coder). With few coders the table is never built: its rows are counted by pattern
//! in one pass over the units, and the coefficients are tallied from the patterns. The integers
//! are the same as tallying the full matrix, so every coefficient is exactly the same; the full
//! matrix is still built for a bootstrap interval, which resamples units.

use super::data::{MISSING, Ratings};
use super::report::Uncoded;
use super::summary::{CategoricalSummary, from_tally};
use super::tally::Tally;
use super::units::CompactCoding;
use std::ops::Range;

/// Up to this many coders, tables are counted by pattern (4^8 pattern slots).
const MAX_PATTERN_CODERS: usize = 8;

pub(crate) struct Presence {
    n_coders: usize,
    n_units: usize,
    /// Bytes per unit: one bit per coder.
    stride: usize,
    /// `by_code[code]`: the coders' bits per unit; empty for codes not asked for.
    by_code: Vec<Vec<u8>>,
    /// Whether the coder applied any code at all to the unit.
    any: Vec<u8>,
}

impl Presence {
    /// `at[j]` are the units coding `j` overlaps; only the `wanted` codes get a table.
    pub(crate) fn build(
        n_coders: usize,
        n_codes: usize,
        n_units: usize,
        codings: &[CompactCoding],
        at: &[Range<usize>],
        wanted: &[usize],
    ) -> Presence {
        let stride = n_coders.div_ceil(8).max(1);
        let mut by_code = vec![Vec::new(); n_codes];
        for &k in wanted {
            by_code[k] = vec![0u8; n_units * stride];
        }
        let mut any = vec![0u8; n_units * stride];
        for (c, units) in codings.iter().zip(at) {
            let (byte, bit) = (c.coder / 8, 1u8 << (c.coder % 8));
            let present = &mut by_code[c.code];
            if present.is_empty() {
                for u in units.clone() {
                    any[u * stride + byte] |= bit;
                }
            } else {
                for u in units.clone() {
                    present[u * stride + byte] |= bit;
                    any[u * stride + byte] |= bit;
                }
            }
        }
        Presence {
            n_coders,
            n_units,
            stride,
            by_code,
            any,
        }
    }

    /// One code's table: its coefficients, the share of judgements that are "present", and the
    /// matrix itself when `keep_matrix` (for a bootstrap or for pooling).
    pub(crate) fn table(&self, code: usize, uncoded: Uncoded, keep_matrix: bool) -> Table {
        if self.n_coders <= MAX_PATTERN_CODERS {
            let patterns = self.patterns(code, uncoded);
            let summary = patterns.summary();
            let prevalence = patterns.prevalence();
            let matrix = keep_matrix.then(|| self.matrix(code, uncoded));
            Table {
                summary,
                prevalence,
                matrix,
                patterns: Some(patterns),
            }
        } else {
            let matrix = self.matrix(code, uncoded);
            Table {
                summary: super::all_categorical(&matrix),
                prevalence: prevalence(&matrix),
                matrix: Some(matrix),
                patterns: None,
            }
        }
    }

    fn bit(v: &[u8], stride: usize, u: usize, coder: usize) -> bool {
        v[u * stride + coder / 8] >> (coder % 8) & 1 == 1
    }

    /// Counts the code's rows by pattern (at most [`MAX_PATTERN_CODERS`] coders: one byte per
    /// unit). A coder judged the unit always, or with `Uncoded::Missing` only when they applied
    /// any code there.
    fn patterns(&self, code: usize, uncoded: Uncoded) -> Patterns {
        let n = self.n_coders;
        debug_assert!(n <= MAX_PATTERN_CODERS && self.stride == 1);
        let mut counts = vec![0u64; 1 << (2 * n)];
        let present = &self.by_code[code];
        match uncoded {
            Uncoded::Missing => {
                for (&p, &a) in present.iter().zip(&self.any) {
                    counts[usize::from(p) | usize::from(a) << n] += 1;
                }
            }
            Uncoded::Absent => {
                let all = ((1usize << n) - 1) << n;
                for &p in present {
                    counts[usize::from(p) | all] += 1;
                }
            }
        }
        Patterns { n, counts }
    }

    /// The full units × coders matrix of one code (0 absent, 1 present, `MISSING` not judged).
    pub(crate) fn matrix(&self, code: usize, uncoded: Uncoded) -> Ratings {
        let n = self.n_coders;
        let present = &self.by_code[code];
        let mut values = Vec::with_capacity(self.n_units * n);
        for u in 0..self.n_units {
            values.extend((0..n).map(|c| {
                if uncoded == Uncoded::Missing && !Self::bit(&self.any, self.stride, u, c) {
                    MISSING
                } else {
                    u32::from(Self::bit(present, self.stride, u, c))
                }
            }));
        }
        Ratings::from_raw(n, 2, values).expect("binary values are in range")
    }
}

/// One code's present/absent table, summarised.
pub(crate) struct Table {
    pub(crate) summary: CategoricalSummary,
    pub(crate) prevalence: f64,
    pub(crate) matrix: Option<Ratings>,
    pub(crate) patterns: Option<Patterns>,
}

/// How many units have each row pattern: index = present bits | judged bits << n.
pub(crate) struct Patterns {
    n: usize,
    counts: Vec<u64>,
}

impl Patterns {
    /// The table of `self` and `other` laid end to end (pooling several codes' tables).
    pub(crate) fn add(&mut self, other: &Patterns) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
    }

    fn rows(&self) -> Vec<(Vec<u32>, u64)> {
        let n = self.n;
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(i, &c)| {
                let row = (0..n)
                    .map(|k| {
                        if i >> (n + k) & 1 == 0 {
                            MISSING
                        } else {
                            (i >> k & 1) as u32
                        }
                    })
                    .collect();
                (row, c)
            })
            .collect()
    }

    pub(crate) fn summary(&self) -> CategoricalSummary {
        let rows = self.rows();
        let tally = Tally::count_rows(
            self.n,
            2,
            rows.iter().map(|(r, c)| (r.as_slice(), *c)),
            true,
        );
        from_tally(&tally, self.counts.iter().sum::<u64>() as usize)
    }

    fn prevalence(&self) -> f64 {
        let n = self.n;
        let (mut yes, mut all) = (0u64, 0u64);
        for (i, &c) in self.counts.iter().enumerate() {
            let judged = i >> n;
            all += c * u64::from(judged.count_ones());
            yes += c * u64::from((i & judged).count_ones());
        }
        if all == 0 {
            0.0
        } else {
            yes as f64 / all as f64
        }
    }
}

/// Share of judgements that are "present" (category 1) in a binary matrix.
pub(crate) fn prevalence(r: &Ratings) -> f64 {
    let (mut yes, mut all) = (0u64, 0u64);
    for &v in r.raw_values() {
        if v != MISSING {
            all += 1;
            yes += u64::from(v == 1);
        }
    }
    if all == 0 {
        0.0
    } else {
        yes as f64 / all as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreement::{SplitMix64, all_categorical};

    /// Random codings of `n` coders over `units` units: the pattern path gives exactly the
    /// summary and prevalence of the full matrix, per code and pooled, in both uncoded modes.
    #[test]
    fn patterns_match_the_full_matrix() {
        let mut g = SplitMix64::new(7);
        for n in [1usize, 2, 3, 5, 8, 9, 12] {
            let (units, codes) = (60usize, 3usize);
            let mut codings = Vec::new();
            let mut at = Vec::new();
            for _ in 0..(units * n / 2) {
                let u = (g.next_u64() % units as u64) as usize;
                let len = 1 + (g.next_u64() % 3) as usize;
                codings.push(CompactCoding {
                    doc: 0,
                    code: (g.next_u64() % codes as u64) as usize,
                    coder: (g.next_u64() % n as u64) as usize,
                    start: 0,
                    end: 0,
                });
                at.push(u..(u + len).min(units));
            }
            let p = Presence::build(n, codes, units, &codings, &at, &[0, 1, 2]);
            for uncoded in [Uncoded::Absent, Uncoded::Missing] {
                let mut pooled_values = Vec::new();
                let mut pooled: Option<Patterns> = None;
                for k in 0..codes {
                    let full = p.matrix(k, uncoded);
                    let t = p.table(k, uncoded, false);
                    assert_eq!(t.summary, all_categorical(&full), "n={n} code {k}");
                    assert_eq!(t.prevalence, prevalence(&full));
                    pooled_values.extend_from_slice(full.raw_values());
                    if let Some(pt) = t.patterns {
                        match &mut pooled {
                            Some(all) => all.add(&pt),
                            None => pooled = Some(pt),
                        }
                    }
                }
                if let Some(pooled) = pooled {
                    let full = Ratings::from_raw(n, 2, pooled_values).unwrap();
                    assert_eq!(pooled.summary(), all_categorical(&full), "n={n} pooled");
                }
            }
        }
    }
}
