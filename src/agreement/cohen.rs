//! Cohen's (1960) kappa for two coders, and its mean over all coder pairs.

use super::data::{MISSING, Ratings};
use super::percent::mean_defined;
use super::tally::{PairCounts, Tally};
use super::value::Value;

/// Cohen's kappa between coders `a` and `b` over the units both judged:
/// `κ = (p_o − p_e) / (1 − p_e)` with `p_o` the observed share of agreement and
/// `p_e = Σ_k p_a(k) p_b(k)` from each coder's own marginal distribution.
///
/// Undefined when `a == b`, a coder index is out of range, no unit was judged by
/// both, or `p_e = 1` (both coders used one and the same category throughout).
pub fn cohen_kappa(r: &Ratings, a: usize, b: usize) -> Value {
    let m = r.n_coders();
    if a >= m || b >= m {
        return Value::undefined(format!("coder index out of range (n_coders = {m})"));
    }
    if a == b {
        return Value::undefined("Cohen's kappa needs two different coders");
    }
    let n_cat = r.n_categories() as usize;
    let mut p = PairCounts {
        a,
        b,
        n: 0,
        agree: 0,
        marg_a: vec![0; n_cat],
        marg_b: vec![0; n_cat],
    };
    for row in r.raw_values().chunks_exact(m) {
        let (va, vb) = (row[a], row[b]);
        if va != MISSING && vb != MISSING {
            p.n += 1;
            p.agree += u64::from(va == vb);
            p.marg_a[va as usize] += 1;
            p.marg_b[vb as usize] += 1;
        }
    }
    kappa_from_pair(&p)
}

/// Light's (1971) approach generalised to missing data: the mean of Cohen's kappa
/// over all coder pairs for which it is defined.
///
/// Undefined with fewer than two coders or when no pair's kappa is defined.
pub fn mean_pairwise_cohen(r: &Ratings) -> Value {
    if r.n_coders() < 2 {
        return Value::undefined("Cohen's kappa needs at least two coders");
    }
    from_pairs(&Tally::count(r, true).pairs)
}

pub(crate) fn from_pairs(pairs: &[PairCounts]) -> Value {
    mean_defined(
        pairs.iter().map(kappa_from_pair),
        "Cohen's kappa is undefined for every pair of coders",
    )
}

pub(crate) fn kappa_from_pair(p: &PairCounts) -> Value {
    if p.n == 0 {
        return Value::undefined(format!(
            "coders {} and {} judged no unit in common",
            p.a, p.b
        ));
    }
    let n = u128::from(p.n);
    let cross: u128 = p
        .marg_a
        .iter()
        .zip(&p.marg_b)
        .map(|(&x, &y)| u128::from(x) * u128::from(y))
        .sum();
    if cross == n * n {
        return Value::undefined(format!(
            "expected agreement is 1: coders {} and {} put every common unit in one and the same category",
            p.a, p.b
        ));
    }
    let nf = p.n as f64;
    let po = p.agree as f64 / nf;
    let pe = cross as f64 / (nf * nf);
    Value::from_f64((po - pe) / (1.0 - pe))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Wikipedia "Cohen's kappa", worked example: 50 grant proposals read by A and B;
    /// Yes/Yes 20, Yes/No 5, No/Yes 10, No/No 15. p_o = 0.7, p_e = 0.5, κ = 0.4.
    #[test]
    fn wikipedia_worked_example() {
        let mut r = Ratings::new(2, 2);
        let cells = [((0, 0), 20), ((0, 1), 5), ((1, 0), 10), ((1, 1), 15)];
        for ((x, y), k) in cells {
            for _ in 0..k {
                r.push_unit(&[Some(x), Some(y)]);
            }
        }
        let k = cohen_kappa(&r, 0, 1).as_option().unwrap();
        assert!((k - 0.4).abs() < 1e-12);
        assert_eq!(cohen_kappa(&r, 1, 0), cohen_kappa(&r, 0, 1));
    }

    #[test]
    fn undefined_cases() {
        let mut r = Ratings::new(3, 2);
        r.push_unit(&[Some(1), Some(1), None]);
        r.push_unit(&[Some(1), Some(1), None]);
        assert!(
            cohen_kappa(&r, 0, 1)
                .reason()
                .unwrap()
                .contains("expected agreement")
        );
        assert!(!cohen_kappa(&r, 0, 2).is_defined());
        assert!(!cohen_kappa(&r, 0, 0).is_defined());
        assert!(!cohen_kappa(&r, 0, 7).is_defined());
        assert!(!mean_pairwise_cohen(&r).is_defined());
    }
}
