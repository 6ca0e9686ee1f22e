//! Simple (pairwise) percent agreement.

use super::data::Ratings;
use super::tally::{PairCounts, Tally};
use super::value::Value;

/// Mean over coder pairs of the share of units judged by both coders on which
/// they chose the same category. Pairs with no unit in common are left out of the
/// mean (their share is undefined). Returned as a proportion in `[0, 1]`.
///
/// Undefined with fewer than two coders or when no pair judged a common unit.
/// Not chance-corrected: report it beside a chance-corrected coefficient.
pub fn percent_agreement(r: &Ratings) -> Value {
    if r.n_coders() < 2 {
        return Value::undefined("percent agreement needs at least two coders");
    }
    from_pairs(&Tally::count(r, true).pairs)
}

/// Share of common units agreed on by one pair.
pub(crate) fn pair_percent(p: &PairCounts) -> Value {
    if p.n == 0 {
        return Value::undefined(format!(
            "coders {} and {} judged no unit in common",
            p.a, p.b
        ));
    }
    Value::from_f64(p.agree as f64 / p.n as f64)
}

pub(crate) fn from_pairs(pairs: &[PairCounts]) -> Value {
    mean_defined(
        pairs.iter().map(pair_percent),
        "no pair of coders judged a unit in common",
    )
}

/// Mean of the defined values; undefined (with `reason`) if none is defined.
pub(crate) fn mean_defined(values: impl Iterator<Item = Value>, reason: &str) -> Value {
    let (mut sum, mut k) = (0.0, 0usize);
    let mut first_reason = None;
    for v in values {
        match v {
            Value::Defined(x) => {
                sum += x;
                k += 1;
            }
            Value::Undefined(r) => {
                first_reason.get_or_insert(r);
            }
        }
    }
    if k == 0 {
        match first_reason {
            Some(r) => Value::undefined(format!("{reason} (e.g. {r})")),
            None => Value::undefined(reason),
        }
    } else {
        Value::from_f64(sum / k as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_mean() {
        // pairs: (0,1) 1/2 agree; (0,2) 2/2; (1,2) 1/2  -> mean 2/3
        let mut r = Ratings::new(3, 2);
        r.push_unit(&[Some(0), Some(0), Some(0)]);
        r.push_unit(&[Some(1), Some(0), Some(1)]);
        let v = percent_agreement(&r).as_option().unwrap();
        assert!((v - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn undefined_cases() {
        let mut r = Ratings::new(2, 2);
        r.push_unit(&[Some(0), None]);
        r.push_unit(&[None, Some(1)]);
        assert!(!percent_agreement(&r).is_defined());
        let mut one = Ratings::new(1, 2);
        one.push_unit(&[Some(0)]);
        assert!(!percent_agreement(&one).is_defined());
    }
}
