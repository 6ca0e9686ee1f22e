//! Percentile bootstrap over units, with a small self-contained seeded PRNG.

use super::data::Ratings;
use super::value::Value;

/// SplitMix64 (Steele, Lea & Flood 2014): tiny, fast, seedable, and stable across
/// platforms and releases, so a seed always reproduces the same interval.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform integer in `0..n` (Lemire's unbiased multiply-and-reject).
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0);
        let threshold = n.wrapping_neg() % n;
        loop {
            let x = u128::from(self.next_u64()) * u128::from(n);
            if (x as u64) >= threshold {
                return (x >> 64) as u64;
            }
        }
    }
}

/// 95% percentile bootstrap interval of `coefficient`, resampling units with
/// replacement (`iterations` resamples of `n_units` units each).
///
/// Resamples on which the coefficient is undefined are skipped; the percentiles
/// (2.5% and 97.5%, linear interpolation between order statistics, as numpy's
/// default) are taken over the defined ones. Returns `None` when there are no
/// units, `iterations == 0`, or fewer than half of the resamples are defined (an
/// interval would then describe a different population of datasets).
///
/// Deterministic for a given `seed`.
pub fn bootstrap_ci<F>(
    r: &Ratings,
    coefficient: F,
    iterations: usize,
    seed: u64,
) -> Option<(f64, f64)>
where
    F: Fn(&Ratings) -> Value,
{
    let n = r.n_units();
    if n == 0 || iterations == 0 {
        return None;
    }
    let mut rng = SplitMix64::new(seed);
    let mut sample = Ratings::with_capacity(r.n_coders(), r.n_categories(), n);
    let mut stats = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        sample.clear();
        for _ in 0..n {
            let u = rng.below(n as u64) as usize;
            sample.push_raw_row(r.row(u));
        }
        if let Some(x) = coefficient(&sample).as_option() {
            stats.push(x);
        }
    }
    if stats.len() * 2 < iterations {
        return None;
    }
    stats.sort_by(f64::total_cmp);
    Some((quantile(&stats, 0.025), quantile(&stats, 0.975)))
}

/// A bootstrap interval, or why there is none. Serialises as `[low, high]` or `null`.
#[derive(Debug, Clone, PartialEq)]
pub enum Interval {
    /// Low, high, and how many resamples were dropped because the coefficient was undefined.
    Defined(f64, f64, usize),
    Undefined(String),
}

impl Interval {
    pub fn as_option(&self) -> Option<[f64; 2]> {
        match self {
            Interval::Defined(a, b, _) => Some([*a, *b]),
            Interval::Undefined(_) => None,
        }
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            Interval::Defined(..) => None,
            Interval::Undefined(r) => Some(r),
        }
    }
}

/// 95% percentile intervals of several coefficients from the same resamples (units drawn with
/// replacement, `iterations` times, seeded): one resample serves every coefficient, so the
/// intervals of one table row describe the same bootstrap datasets.
///
/// Unlike [`bootstrap_ci`], an interval never silently disappears: when the coefficient is
/// undefined on the data itself, or on some resamples, the result says so. Resamples on which
/// a defined coefficient is undefined (e.g. every unit drawn in one category) are dropped and
/// counted; the percentiles are taken over the rest when at least one resample is defined.
pub fn bootstrap_intervals<F, const K: usize>(
    r: &Ratings,
    coefficients: F,
    estimates: [bool; K],
    iterations: usize,
    seed: u64,
) -> [Interval; K]
where
    F: Fn(&Ratings) -> [Value; K],
{
    let n = r.n_units();
    let none = |why: &str| std::array::from_fn(|_| Interval::Undefined(why.to_string()));
    if n == 0 {
        return none("no units to resample");
    }
    if iterations == 0 {
        return none("--iterations is 0");
    }
    let mut rng = SplitMix64::new(seed);
    let mut sample = Ratings::with_capacity(r.n_coders(), r.n_categories(), n);
    let mut stats: [Vec<f64>; K] = std::array::from_fn(|_| Vec::with_capacity(iterations));
    for _ in 0..iterations {
        sample.clear();
        for _ in 0..n {
            let u = rng.below(n as u64) as usize;
            sample.push_raw_row(r.row(u));
        }
        for (k, v) in coefficients(&sample).iter().enumerate() {
            if let Some(x) = v.as_option() {
                stats[k].push(x);
            }
        }
    }
    std::array::from_fn(|k| {
        if !estimates[k] {
            return Interval::Undefined("the coefficient itself is undefined on these data".into());
        }
        let s = &mut stats[k];
        if s.is_empty() {
            return Interval::Undefined(format!(
                "undefined on all {iterations} resamples (too few units or too little variation)"
            ));
        }
        s.sort_by(f64::total_cmp);
        Interval::Defined(quantile(s, 0.025), quantile(s, 0.975), iterations - s.len())
    })
}

/// Linear-interpolation quantile of sorted data (numpy `method="linear"`).
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::quantile;

    #[test]
    fn splitmix_reference_values() {
        // First outputs for seed 1234567 from the reference C implementation
        // (Vigna, splitmix64.c), as listed in many ports' test suites.
        let mut g = SplitMix64::new(1234567);
        assert_eq!(g.next_u64(), 6457827717110365317);
        assert_eq!(g.next_u64(), 3203168211198807973);
    }

    #[test]
    fn quantiles() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert!((quantile(&v, 0.025) - 1.1).abs() < 1e-12);
    }

    #[test]
    fn interval_brackets_estimate_and_is_deterministic() {
        let mut r = Ratings::new(2, 3);
        let mut g = SplitMix64::new(7);
        for _ in 0..200 {
            let a = g.below(3) as u32;
            let b = if g.below(10) < 7 {
                a
            } else {
                g.below(3) as u32
            };
            r.push_unit(&[Some(a), Some(b)]);
        }
        let est = krippendorff_alpha_nominal(&r).as_option().unwrap();
        let ci = bootstrap_ci(&r, krippendorff_alpha_nominal, 500, 42).unwrap();
        assert!(ci.0 < est && est < ci.1, "{ci:?} vs {est}");
        assert_eq!(
            ci,
            bootstrap_ci(&r, krippendorff_alpha_nominal, 500, 42).unwrap()
        );
        assert_ne!(
            ci,
            bootstrap_ci(&r, krippendorff_alpha_nominal, 500, 43).unwrap()
        );
        assert!(bootstrap_ci(&r, krippendorff_alpha_nominal, 0, 42).is_none());
    }

    #[test]
    fn none_when_mostly_undefined() {
        let mut r = Ratings::new(2, 2);
        for _ in 0..10 {
            r.push_unit(&[Some(0), Some(0)]);
        }
        assert!(bootstrap_ci(&r, krippendorff_alpha_nominal, 100, 1).is_none());
    }
}
