//! Krippendorff's alphas for unitizing a continuum (Krippendorff, Mathet, Bouvry &
//! Widlöcher 2016, *Quality & Quantity* 50:2347–2364; Krippendorff 2019, *Content
//! Analysis* 4th ed., §12.6).
//!
//! Each coder's spans, together with the unmarked gaps between them, partition the
//! continuum `[0, L)`. Gaps are a value of their own (written φ).
//!
//! * Observed coincidences (lengths): `ℓ_ck = 1/(m−1) Σ_{i≠j} Σ_g Σ_h |s_icg ∩ s_jkh|`,
//!   so `ℓ_c· = Σ_i (length coder i gave value c)` and `ℓ·· = m·L`.
//! * Expected coincidences: `ε_ck = ℓ·· (ℓ_c· ℓ_·k − [c=k] Σ_i Σ_g λ(s_icg)) /
//!   (ℓ··² − Σ_i Σ_g λ(s_ig))`, where `λ(s) = |s|²` for a marked segment (it cannot
//!   be paired with itself) and `λ(s) = |s|` for a gap (gaps are divisible, so only
//!   each position's pairing with itself is excluded).
//! * Nominal: `uα = 1 − (ℓ·· − Σ_c ℓ_cc) / (ℓ·· − Σ_c ε_cc)`.
//!
//! `D_e` simplifies to `ℓ··(ℓ··² − Σ_c ℓ_c·²) / (ℓ··² − Σ λ)`, which is zero exactly
//! when a single value (e.g. all gap) occurs; those cases are reported undefined.

use super::unitized_prep::{GAP, Seg, partitions, validate};
use super::value::Value;

/// A half-open stretch `[start, end)` of the continuum (character offsets) that one
/// coder marked with `category`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub category: u32,
}

impl Span {
    pub fn new(start: usize, end: usize, category: u32) -> Self {
        Span {
            start,
            end,
            category,
        }
    }
}

/// uα over all categories and the gaps: agreement on where units are *and* what
/// category they have. `spans[i]` are coder i's spans (`spans.len() == n_coders`);
/// overlapping spans of one coder with the same category are merged, touching ones
/// stay separate units.
///
/// Undefined when fewer than two coders, input is invalid, a coder's spans of
/// *different* categories overlap (the values must partition the continuum), or
/// only one value occurs (e.g. nobody marked anything).
pub fn u_alpha(
    continuum_len: usize,
    n_coders: usize,
    spans: &[Vec<Span>],
    n_categories: u32,
) -> Value {
    run(continuum_len, n_coders, spans, n_categories, |c| {
        Some(c + 1)
    })
}

/// uα of one category against everything else (ATLAS.ti's "α-binary"): only spans
/// of `category` count as marked; other categories are treated as unmarked matter.
pub fn binary_u_alpha(
    continuum_len: usize,
    n_coders: usize,
    spans: &[Vec<Span>],
    n_categories: u32,
    category: u32,
) -> Value {
    if category >= n_categories {
        return Value::undefined(format!(
            "invalid input: category {category} >= n_categories {n_categories}"
        ));
    }
    run(continuum_len, n_coders, spans, n_categories, |c| {
        (c == category).then_some(1)
    })
}

/// |uα: agreement on identifying relevant (marked with any category) versus
/// irrelevant matter, regardless of category. A coder's overlapping spans merge.
pub fn union_u_alpha(
    continuum_len: usize,
    n_coders: usize,
    spans: &[Vec<Span>],
    n_categories: u32,
) -> Value {
    run(continuum_len, n_coders, spans, n_categories, |_| Some(1))
}

fn run(
    continuum_len: usize,
    n_coders: usize,
    spans: &[Vec<Span>],
    n_categories: u32,
    label: impl Fn(u32) -> Option<u32> + Copy,
) -> Value {
    if let Err(e) = validate(continuum_len, n_coders, spans, n_categories) {
        return Value::Undefined(e);
    }
    match partitions(continuum_len, spans, label) {
        Ok(parts) => u_alpha_core(continuum_len as u64, &parts, n_categories as usize + 1),
        Err(e) => Value::Undefined(e),
    }
}

/// Pairwise overlap statistics over ordered coder pairs i ≠ j.
pub(crate) struct Overlaps {
    /// `diag[v]` = Σ_{i≠j} |v-segments of i ∩ v-segments of j|  (= (m−1) ℓ_vv).
    pub diag: Vec<u128>,
    /// `coded[c]` = Σ_{i≠j} |c-segments of i ∩ marked segments of j| (c ≠ φ).
    pub coded: Vec<u128>,
    /// `seg_coded[i][g]` = Σ_{j≠i} |segment g of coder i ∩ marked segments of j|.
    pub seg_coded: Vec<Vec<u128>>,
}

pub(crate) fn overlaps(parts: &[Vec<Seg>], n_vals: usize) -> Overlaps {
    let mut o = Overlaps {
        diag: vec![0; n_vals],
        coded: vec![0; n_vals],
        seg_coded: parts.iter().map(|p| vec![0; p.len()]).collect(),
    };
    for i in 0..parts.len() {
        for j in i + 1..parts.len() {
            let (pi, pj) = (&parts[i], &parts[j]);
            let (mut a, mut b) = (0, 0);
            while a < pi.len() && b < pj.len() {
                let (sa, sb) = (pi[a], pj[b]);
                let len = u128::from(sa.end.min(sb.end).saturating_sub(sa.start.max(sb.start)));
                if len > 0 {
                    if sa.val == sb.val {
                        o.diag[sa.val as usize] += 2 * len;
                    }
                    if sa.val != GAP && sb.val != GAP {
                        o.coded[sa.val as usize] += len;
                        o.coded[sb.val as usize] += len;
                        o.seg_coded[i][a] += len;
                        o.seg_coded[j][b] += len;
                    }
                }
                match sa.end.cmp(&sb.end) {
                    std::cmp::Ordering::Less => a += 1,
                    std::cmp::Ordering::Greater => b += 1,
                    std::cmp::Ordering::Equal => {
                        a += 1;
                        b += 1;
                    }
                }
            }
        }
    }
    o
}

fn u_alpha_core(len: u64, parts: &[Vec<Seg>], n_vals: usize) -> Value {
    let m = parts.len() as u128;
    let s = (m - 1) as f64;
    let total = m * u128::from(len); // ℓ··
    let mut row = vec![0u128; n_vals]; // ℓ_c·
    let mut lambda = 0u128; // Σ_i Σ_g λ(s_ig)
    for p in parts {
        for g in p {
            let l = u128::from(g.len());
            row[g.val as usize] += l;
            lambda += if g.val == GAP { l } else { l * l };
        }
    }
    let sum_row_sq: u128 = row.iter().map(|&r| r * r).sum();
    let total_sq = total * total;
    if sum_row_sq == total_sq {
        return Value::undefined(if row[GAP as usize] == total {
            "no coder marked any span: expected disagreement is zero"
        } else {
            "every coder marked the whole continuum with one category: expected disagreement is zero"
        });
    }
    let o = overlaps(parts, n_vals);
    let diag_sum = o.diag.iter().sum::<u128>() as f64 / s; // Σ_c ℓ_cc
    let tf = total as f64;
    let d_o = tf - diag_sum;
    let d_e = tf * (total_sq - sum_row_sq) as f64 / (total_sq - lambda) as f64;
    Value::from_f64(1.0 - d_o / d_e)
}

/// cuα: agreement on the *categories* of marked matter where coders' marked
/// segments overlap; gaps and everything paired with a gap are left out.
///
/// `ℓ*_ck` is the coincidence matrix restricted to marked values. Expected
/// coincidences exclude each segment's pairing with itself, as in uα, using the
/// part of the segment that is pairable with other coders' marked segments:
/// `w_g = 1/(m−1) Σ_{j≠i} |g ∩ marked_j|`, `ε*_ck = ℓ*·· (ℓ*_c· ℓ*_·k − [c=k] Σ w_g²) /
/// (ℓ*··² − Σ w_g²)`, `cuα = 1 − (ℓ*·· − Σ ℓ*_cc) / (ℓ*·· − Σ ε*_cc)`.
///
/// Undefined when uα's input conditions fail, no marked segments of different
/// coders overlap, or only one category occurs among the overlaps.
pub fn cu_alpha(
    continuum_len: usize,
    n_coders: usize,
    spans: &[Vec<Span>],
    n_categories: u32,
) -> Value {
    if let Err(e) = validate(continuum_len, n_coders, spans, n_categories) {
        return Value::Undefined(e);
    }
    let parts = match partitions(continuum_len, spans, |c| Some(c + 1)) {
        Ok(p) => p,
        Err(e) => return Value::Undefined(e),
    };
    let n_vals = n_categories as usize + 1;
    let o = overlaps(&parts, n_vals);
    // Work with unscaled sums (every ℓ* carries a factor 1/(m−1)); cuα is scale-free.
    let total: u128 = o.coded.iter().sum();
    if total == 0 {
        return Value::undefined("no marked segments of different coders overlap");
    }
    let total_sq = total * total;
    let sum_row_sq: u128 = o.coded.iter().map(|&r| r * r).sum();
    if sum_row_sq == total_sq {
        return Value::undefined(
            "all overlapping marked segments have one category: expected disagreement is zero",
        );
    }
    let mut lambda = 0u128;
    for (p, w) in parts.iter().zip(&o.seg_coded) {
        for (g, &wg) in p.iter().zip(w) {
            if g.val != GAP {
                lambda += wg * wg;
            }
        }
    }
    let diag: u128 = o.diag[1..].iter().sum();
    let tf = total as f64;
    let d_o = tf - diag as f64;
    let d_e = tf * (total_sq - sum_row_sq) as f64 / (total_sq - lambda) as f64;
    Value::from_f64(1.0 - d_o / d_e)
}
