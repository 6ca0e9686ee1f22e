//! Fleiss' (1971) kappa for a fixed number of coders per unit.

use super::data::Ratings;
use super::tally::Tally;
use super::value::Value;

/// Fleiss' kappa over the units judged by **all** coders (units with any missing
/// judgement are left out, as Fleiss 1971 assumes a constant number of ratings).
///
/// With n coders, N complete units and `n_ij` judgements of unit i in category j:
/// `P_i = (Σ_j n_ij² − n) / (n (n − 1))`, `P̄ = mean P_i`, `p_j = Σ_i n_ij / (N n)`,
/// `P̄_e = Σ_j p_j²`, `κ = (P̄ − P̄_e) / (1 − P̄_e)`.
///
/// Undefined with fewer than two coders, no complete unit, or `P̄_e = 1`
/// (all judgements in one category).
pub fn fleiss_kappa(r: &Ratings) -> Value {
    from_tally(&Tally::count(r, false))
}

pub(crate) fn from_tally(t: &Tally) -> Value {
    let n = t.n_coders;
    if n < 2 {
        return Value::undefined("Fleiss' kappa needs at least two coders");
    }
    let units = t.units_by_m[n];
    if units == 0 {
        return Value::undefined("no unit was judged by all coders");
    }
    let cats = t.cats(n);
    let total = u128::from(units) * n as u128; // = Σ_j Σ_i n_ij
    let sum_sq: u128 = cats.iter().map(|&c| u128::from(c) * u128::from(c)).sum();
    if sum_sq == total * total {
        return Value::undefined("all judgements fall in one category (expected agreement is 1)");
    }
    let nf = n as f64;
    let p_bar = t.same_by_m[n] as f64 / (units as f64 * nf * (nf - 1.0));
    let tf = total as f64;
    let p_e = sum_sq as f64 / (tf * tf);
    Value::from_f64((p_bar - p_e) / (1.0 - p_e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignores_incomplete_units_and_degenerate() {
        let mut r = Ratings::new(2, 2);
        r.push_unit(&[Some(0), None]);
        assert_eq!(
            fleiss_kappa(&r).reason(),
            Some("no unit was judged by all coders")
        );
        r.push_unit(&[Some(1), Some(1)]);
        assert!(fleiss_kappa(&r).reason().unwrap().contains("one category"));
        r.push_unit(&[Some(0), Some(0)]);
        assert_eq!(fleiss_kappa(&r), Value::Defined(1.0));
    }
}
