//! Property tests: identical coders, coder permutation, ranges, determinism.

use proptest::prelude::*;

use super::*;

const EPS: f64 = 1e-9;

/// Random ratings: 2..6 coders, 1..40 units, 1..5 categories, ~20% missing.
fn ratings() -> impl Strategy<Value = Ratings> {
    (2usize..6, 1usize..40, 1u32..5).prop_flat_map(|(m, n, k)| {
        proptest::collection::vec(proptest::option::weighted(0.8, 0..k), m * n).prop_map(
            move |cells| {
                let mut r = Ratings::new(m, k);
                for row in cells.chunks(m) {
                    r.push_unit(row);
                }
                r
            },
        )
    })
}

/// One coder's column repeated for every coder.
fn identical(m: usize) -> impl Strategy<Value = Ratings> {
    (1usize..40, 1u32..5).prop_flat_map(move |(n, k)| {
        proptest::collection::vec(0..k, n).prop_map(move |col| {
            let mut r = Ratings::new(m, k);
            for v in col {
                r.push_unit(&vec![Some(v); m]);
            }
            r
        })
    })
}

fn coefficients(s: &CategoricalSummary) -> [&Value; 5] {
    [
        &s.percent_agreement,
        &s.cohen_kappa_mean,
        &s.fleiss_kappa,
        &s.krippendorff_alpha,
        &s.gwet_ac1,
    ]
}

fn same(a: &Value, b: &Value) -> bool {
    match (a.as_option(), b.as_option()) {
        (Some(x), Some(y)) => (x - y).abs() < EPS,
        (None, None) => true,
        _ => false,
    }
}

proptest! {
    #[test]
    fn identical_coders_agree_perfectly(r in (2usize..5).prop_flat_map(identical)) {
        for v in coefficients(&all_categorical(&r)) {
            if let Some(x) = v.as_option() {
                prop_assert!((x - 1.0).abs() < EPS, "{v:?}");
            }
        }
    }

    #[test]
    fn permuting_coders_changes_nothing(r in ratings(), seed in any::<u64>()) {
        let m = r.n_coders();
        let mut order: Vec<usize> = (0..m).collect();
        let mut g = SplitMix64::new(seed);
        for i in (1..m).rev() {
            order.swap(i, g.below(i as u64 + 1) as usize);
        }
        let a = all_categorical(&r);
        let b = all_categorical(&r.permute_coders(&order));
        for (x, y) in coefficients(&a).into_iter().zip(coefficients(&b)) {
            prop_assert!(same(x, y), "{x:?} vs {y:?}");
        }
    }

    #[test]
    fn values_in_range_never_nan(r in ratings()) {
        let s = all_categorical(&r);
        for v in coefficients(&s) {
            if let Some(x) = v.as_option() {
                prop_assert!(x.is_finite());
                prop_assert!((-1.0 - EPS..=1.0 + EPS).contains(&x), "{v:?}");
            }
        }
        if let Some(p) = s.percent_agreement.as_option() {
            prop_assert!((0.0..=1.0).contains(&p));
        }
        for p in &s.pairs {
            prop_assert!(same(&p.cohen_kappa, &cohen_kappa(&r, p.a, p.b)));
        }
    }

    #[test]
    fn bootstrap_is_deterministic(r in ratings(), seed in any::<u64>()) {
        let a = bootstrap_ci(&r, krippendorff_alpha_nominal, 50, seed);
        let b = bootstrap_ci(&r, krippendorff_alpha_nominal, 50, seed);
        prop_assert_eq!(a, b);
        if let Some((lo, hi)) = a {
            prop_assert!(lo <= hi);
        }
    }

    #[test]
    fn unitized_identical_coders_and_permutation(
        cuts in proptest::collection::vec((0usize..60, 1usize..8, 0u32..3), 0..8),
        m in 2usize..5,
    ) {
        // Non-overlapping spans for coder 0, derived from sorted cut points.
        let mut base: Vec<Span> = Vec::new();
        let mut pos = 0;
        for (gap, len, cat) in cuts {
            let start = pos + gap % 5;
            let end = (start + len).min(100);
            if start >= end { break; }
            base.push(Span::new(start, end, cat));
            pos = end;
        }
        let same_spans = vec![base.clone(); m];
        for v in [
            u_alpha(100, m, &same_spans, 3),
            union_u_alpha(100, m, &same_spans, 3),
            binary_u_alpha(100, m, &same_spans, 3, 0),
            cu_alpha(100, m, &same_spans, 3),
        ] {
            if let Some(x) = v.as_option() {
                prop_assert!((x - 1.0).abs() < EPS, "{v:?}");
            }
        }
        // A second coder with the spans shifted by one: order of coders is irrelevant.
        let shifted: Vec<Span> = base.iter().map(|s| Span::new(s.start + 1, s.end + 1, s.category)).collect();
        let ab = vec![base.clone(), shifted.clone()];
        let ba = vec![shifted, base];
        for (x, y) in [
            (u_alpha(101, 2, &ab, 3), u_alpha(101, 2, &ba, 3)),
            (cu_alpha(101, 2, &ab, 3), cu_alpha(101, 2, &ba, 3)),
            (union_u_alpha(101, 2, &ab, 3), union_u_alpha(101, 2, &ba, 3)),
        ] {
            prop_assert!(same(&x, &y), "{x:?} vs {y:?}");
            if let Some(v) = x.as_option() {
                prop_assert!(v <= 1.0 + EPS && v.is_finite());
            }
        }
    }
}

/// Textbook coincidence-matrix alpha (Krippendorff 2011, §C), O(units × m²).
fn naive_alpha(r: &Ratings) -> Option<f64> {
    let k = r.n_categories() as usize;
    let mut o = vec![vec![0.0f64; k]; k];
    for u in 0..r.n_units() {
        let vals: Vec<usize> = (0..r.n_coders())
            .filter_map(|c| r.get(u, c).map(|v| v as usize))
            .collect();
        let mu = vals.len();
        if mu < 2 {
            continue;
        }
        for (i, &a) in vals.iter().enumerate() {
            for (j, &b) in vals.iter().enumerate() {
                if i != j {
                    o[a][b] += 1.0 / (mu as f64 - 1.0);
                }
            }
        }
    }
    let n_c: Vec<f64> = o.iter().map(|row| row.iter().sum()).collect();
    let n: f64 = n_c.iter().sum();
    let d_o: f64 = (0..k)
        .flat_map(|c| (0..k).map(move |j| (c, j)))
        .filter(|(c, j)| c != j)
        .map(|(c, j)| o[c][j])
        .sum();
    let d_e: f64 = (0..k)
        .flat_map(|c| (0..k).map(move |j| (c, j)))
        .filter(|(c, j)| c != j)
        .map(|(c, j)| n_c[c] * n_c[j])
        .sum();
    (n > 0.0 && d_e > 0.0).then(|| 1.0 - (n - 1.0) * d_o / d_e)
}

proptest! {
    #[test]
    fn alpha_matches_naive_coincidence_matrix(r in ratings()) {
        let fast = krippendorff_alpha_nominal(&r).as_option();
        let slow = naive_alpha(&r);
        match (fast, slow) {
            (Some(x), Some(y)) => prop_assert!((x - y).abs() < EPS, "{x} vs {y}"),
            (None, None) => {}
            other => prop_assert!(false, "{other:?}"),
        }
    }
}
