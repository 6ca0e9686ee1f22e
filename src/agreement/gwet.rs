//! Gwet's AC1 (Gwet 2008; 2014 ch. 4), multi-rater form with missing data,
//! following irrCAC's `gwet.ac1.raw` (and its Python port `irrCAC.raw.CAC.gwet`).

use super::data::Ratings;
use super::tally::Tally;
use super::value::Value;

/// Gwet's AC1 (unweighted).
///
/// As in irrCAC: units nobody judged are dropped (n = remaining units);
/// `p_a` is the mean over units with `r_i ≥ 2` judgements of
/// `Σ_k r_ik (r_ik − 1) / (r_i (r_i − 1))`; `π_k = (1/n) Σ_i r_ik / r_i`;
/// `p_e = Σ_k π_k (1 − π_k) / (q − 1)`; `AC1 = (p_a − p_e) / (1 − p_e)`.
///
/// `q` is the number of categories **actually used** in the data, which is what
/// irrCAC does when no category list is supplied.
///
/// Undefined with fewer than two coders, no unit with two judgements, or a single
/// category used (irrCAC then substitutes `p_e = 1e-15`, i.e. AC1 ≈ p_a = 1).
pub fn gwet_ac1(r: &Ratings) -> Value {
    from_tally(&Tally::count(r, false))
}

pub(crate) fn from_tally(t: &Tally) -> Value {
    if t.n_coders < 2 {
        return Value::undefined("Gwet's AC1 needs at least two coders");
    }
    let mut n2more = 0u64;
    let mut pa_sum = 0.0;
    for m in 2..=t.n_coders {
        n2more += t.units_by_m[m];
        let mf = m as f64;
        pa_sum += t.same_by_m[m] as f64 / (mf * (mf - 1.0));
    }
    if n2more == 0 {
        return Value::undefined("no unit has two or more judgements");
    }
    let n_subjects: u64 = t.units_by_m[1..].iter().sum();
    let mut pi = vec![0.0f64; t.n_cat];
    let mut used = vec![false; t.n_cat];
    for m in 1..=t.n_coders {
        for (k, &c) in t.cats(m).iter().enumerate() {
            if c > 0 {
                used[k] = true;
                pi[k] += c as f64 / m as f64;
            }
        }
    }
    let q = used.iter().filter(|&&u| u).count();
    if q < 2 {
        return Value::undefined("all judgements fall in one category");
    }
    let nf = n_subjects as f64;
    let spread: f64 = pi
        .iter()
        .map(|&s| {
            let p = s / nf;
            p * (1.0 - p)
        })
        .sum();
    let pe = spread / (q as f64 - 1.0);
    let pa = pa_sum / n2more as f64;
    Value::from_f64((pa - pe) / (1.0 - pe))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undefined_cases() {
        let mut r = Ratings::new(2, 3);
        r.push_unit(&[Some(0), None]);
        assert!(!gwet_ac1(&r).is_defined());
        r.push_unit(&[Some(0), Some(0)]);
        assert!(gwet_ac1(&r).reason().unwrap().contains("one category"));
        r.push_unit(&[Some(1), Some(1)]);
        assert_eq!(gwet_ac1(&r), Value::Defined(1.0));
    }
}
