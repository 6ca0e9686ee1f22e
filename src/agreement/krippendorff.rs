//! Krippendorff's alpha for nominal data, coincidence-matrix form with missing
//! data, as in Krippendorff (2011) "Computing Krippendorff's Alpha-Reliability".

use super::data::Ratings;
use super::tally::Tally;
use super::value::Value;

/// Krippendorff's alpha (nominal metric).
///
/// Units with fewer than two judgements are not pairable and are dropped. For the
/// remaining units the coincidence matrix is `o_ck = Σ_u (number of ordered c–k
/// pairs of judgements in u) / (m_u − 1)`, `n_c = Σ_k o_ck`, `n = Σ_c n_c`, and
///
/// `α = 1 − (n − 1) · (n − Σ_c o_cc) / (n² − Σ_c n_c²)`.
///
/// Undefined when no unit is pairable, or when every pairable judgement falls in
/// one category (expected disagreement is zero).
pub fn krippendorff_alpha_nominal(r: &Ratings) -> Value {
    from_tally(&Tally::count(r, false))
}

pub(crate) fn from_tally(t: &Tally) -> Value {
    if t.n_coders < 2 {
        return Value::undefined("Krippendorff's alpha needs at least two coders");
    }
    let mut n_c = vec![0u64; t.n_cat];
    let mut diag = 0.0f64; // Σ_c o_cc
    for m in 2..=t.n_coders {
        for (acc, &c) in n_c.iter_mut().zip(t.cats(m)) {
            *acc += c;
        }
        diag += t.same_by_m[m] as f64 / (m as f64 - 1.0);
    }
    let n: u64 = n_c.iter().sum();
    if n == 0 {
        return Value::undefined("no pairable units (no unit has two or more judgements)");
    }
    let n2 = u128::from(n) * u128::from(n);
    let sum_sq: u128 = n_c.iter().map(|&c| u128::from(c) * u128::from(c)).sum();
    if sum_sq == n2 {
        return Value::undefined(
            "all pairable judgements fall in one category (expected disagreement is zero)",
        );
    }
    let nf = n as f64;
    Value::from_f64(1.0 - (nf - 1.0) * (nf - diag) / ((n2 - sum_sq) as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_unpairable_units() {
        let mut r = Ratings::new(2, 3);
        r.push_unit(&[Some(0), Some(0)]);
        r.push_unit(&[Some(1), Some(1)]);
        let base = krippendorff_alpha_nominal(&r);
        r.push_unit(&[Some(2), None]);
        assert_eq!(krippendorff_alpha_nominal(&r), base);
        assert_eq!(base, Value::Defined(1.0));
    }

    #[test]
    fn undefined_cases() {
        let mut r = Ratings::new(2, 3);
        r.push_unit(&[Some(0), None]);
        assert!(
            krippendorff_alpha_nominal(&r)
                .reason()
                .unwrap()
                .contains("pairable")
        );
        r.push_unit(&[Some(2), Some(2)]);
        assert!(
            krippendorff_alpha_nominal(&r)
                .reason()
                .unwrap()
                .contains("one category")
        );
    }
}
