//! All categorical coefficients from one counting pass.

use serde::Serialize;

use super::data::Ratings;
use super::tally::Tally;
use super::value::Value;
use super::{cohen, fleiss, gwet, krippendorff, percent};

/// Agreement of one coder pair over the units both judged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairSummary {
    pub a: usize,
    pub b: usize,
    /// Units judged by both coders.
    pub n_units: u64,
    pub percent_agreement: Value,
    pub cohen_kappa: Value,
}

/// Every nominal coefficient for one [`Ratings`] matrix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoricalSummary {
    /// Units in the matrix (before any coefficient drops units).
    pub n_units: usize,
    pub n_coders: usize,
    /// See [`super::percent_agreement`].
    pub percent_agreement: Value,
    /// See [`super::mean_pairwise_cohen`].
    pub cohen_kappa_mean: Value,
    pub pairs: Vec<PairSummary>,
    /// See [`super::fleiss_kappa`] (complete units only).
    pub fleiss_kappa: Value,
    /// See [`super::krippendorff_alpha_nominal`].
    pub krippendorff_alpha: Value,
    /// See [`super::gwet_ac1`].
    pub gwet_ac1: Value,
}

/// Computes every categorical coefficient in a single pass over the data.
pub fn all_categorical(r: &Ratings) -> CategoricalSummary {
    from_tally(&Tally::count(r, true), r.n_units())
}

/// Every categorical coefficient from a tally (with pairs) of a matrix of `n_units` units.
pub(crate) fn from_tally(t: &Tally, n_units: usize) -> CategoricalSummary {
    let few = t.n_coders < 2;
    let pairs: Vec<PairSummary> = t
        .pairs
        .iter()
        .map(|p| PairSummary {
            a: p.a,
            b: p.b,
            n_units: p.n,
            percent_agreement: percent::pair_percent(p),
            cohen_kappa: cohen::kappa_from_pair(p),
        })
        .collect();
    let (pa, ck) = if few {
        let why = "agreement needs at least two coders";
        (Value::undefined(why), Value::undefined(why))
    } else {
        (percent::from_pairs(&t.pairs), cohen::from_pairs(&t.pairs))
    };
    CategoricalSummary {
        n_units,
        n_coders: t.n_coders,
        percent_agreement: pa,
        cohen_kappa_mean: ck,
        pairs,
        fleiss_kappa: fleiss::from_tally(t),
        krippendorff_alpha: krippendorff::from_tally(t),
        gwet_ac1: gwet::from_tally(t),
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;

    #[test]
    fn matches_individual_functions() {
        let mut r = Ratings::new(3, 3);
        let rows = [
            [Some(0), Some(0), Some(1)],
            [Some(1), Some(1), Some(1)],
            [Some(2), None, Some(2)],
            [Some(0), Some(1), None],
            [Some(2), Some(2), Some(2)],
        ];
        for row in &rows {
            r.push_unit(row);
        }
        let s = all_categorical(&r);
        assert_eq!(s.percent_agreement, percent_agreement(&r));
        assert_eq!(s.cohen_kappa_mean, mean_pairwise_cohen(&r));
        assert_eq!(s.fleiss_kappa, fleiss_kappa(&r));
        assert_eq!(s.krippendorff_alpha, krippendorff_alpha_nominal(&r));
        assert_eq!(s.gwet_ac1, gwet_ac1(&r));
        for p in &s.pairs {
            assert_eq!(p.cohen_kappa, cohen_kappa(&r, p.a, p.b));
        }
        let json = serde_json::to_value(&s).unwrap();
        assert!(json["krippendorff_alpha"].is_number());
        assert_eq!(json["pairs"].as_array().unwrap().len(), 3);
    }

    #[test]
    fn single_coder_all_undefined() {
        let mut r = Ratings::new(1, 2);
        r.push_unit(&[Some(0)]);
        let s = all_categorical(&r);
        for v in [
            &s.percent_agreement,
            &s.cohen_kappa_mean,
            &s.fleiss_kappa,
            &s.krippendorff_alpha,
            &s.gwet_ac1,
        ] {
            assert!(!v.is_defined(), "{v:?}");
        }
        assert!(s.pairs.is_empty());
    }
}
