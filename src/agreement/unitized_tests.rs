//! Tests of the unitized alphas: a hand-computed example and values from the PyPI
//! package `krippendorff-unitized-alpha` 0.1.0 (an implementation of the 2016
//! paper's uα; `KrippendorffUnitizedAlpha({coder: segments incl. gaps}).result`,
//! see `scripts/agreement_expected.py`).

use super::*;

const TOL: f64 = 1e-12;

fn sp(start: usize, end: usize, category: u32) -> Span {
    Span::new(start, end, category)
}

#[track_caller]
fn close(v: &Value, expected: f64) {
    let x = v.as_option().unwrap_or_else(|| panic!("undefined: {v:?}"));
    assert!((x - expected).abs() < TOL, "got {x}, expected {expected}");
}

/// L = 10, two coders, one category.
///   coder A: [2,6)        partition: φ[0,2) c[2,6) φ[6,10)
///   coder B: [3,7)        partition: φ[0,3) c[3,7) φ[7,10)
/// Overlaps A×B: φφ 2 + 3 = 5, cc 3, cφ 1 ([2,3)), φc 1 ([6,7)).
/// Both orders, / (m−1) = 1:  ℓ_φφ = 10, ℓ_cc = 6, ℓ_φc = ℓ_cφ = 2, ℓ·· = 20 = m·L.
/// ℓ_φ· = 12, ℓ_c· = 8.  λ: gaps count their length (2+4+3+3 = 12), segments their
/// squared length (4² + 4² = 32); Σλ = 44; ℓ··² − Σλ = 356.
/// ε_φφ = 20 (144 − 12)/356 = 2640/356;  ε_cc = 20 (64 − 32)/356 = 640/356.
/// D_o = 20 − 16 = 4;  D_e = 20 − 3280/356 = 3840/356.
/// uα = 1 − 4·356/3840 = 1 − 1424/3840 = 0.6291666…
/// (the package gives 0.629166666666667).
#[test]
fn hand_computed_two_coders() {
    let spans = vec![vec![sp(2, 6, 0)], vec![sp(3, 7, 0)]];
    close(&u_alpha(10, 2, &spans, 1), 1.0 - 1424.0 / 3840.0);
    close(&u_alpha(10, 2, &spans, 1), 0.629166666666667);
    // One category: binary and union coincide with uα.
    assert_eq!(
        binary_u_alpha(10, 2, &spans, 1, 0),
        u_alpha(10, 2, &spans, 1)
    );
    assert_eq!(union_u_alpha(10, 2, &spans, 1), u_alpha(10, 2, &spans, 1));
}

fn three_coders() -> Vec<Vec<Span>> {
    // categories: a = 0, b = 1
    vec![
        vec![sp(0, 5, 0), sp(8, 15, 1), sp(20, 30, 0)],
        vec![sp(1, 5, 0), sp(8, 14, 1), sp(14, 16, 0), sp(22, 30, 0)],
        vec![sp(0, 6, 0), sp(9, 15, 0), sp(21, 29, 0), sp(33, 36, 1)],
    ]
}

#[test]
fn package_three_coders() {
    let s = three_coders();
    close(&u_alpha(40, 3, &s, 2), 0.574642502102929);
    close(&binary_u_alpha(40, 3, &s, 2, 0), 0.598045415349238);
    close(&union_u_alpha(40, 3, &s, 2), 0.675850815850816);
}

#[test]
fn same_category_overlaps_merge_touching_do_not() {
    let s = three_coders();
    let mut split = s.clone();
    // Coder 0's [20,30) given as two overlapping pieces: same result.
    split[0][2] = sp(20, 26, 0);
    split[0].push(sp(24, 30, 0));
    assert_eq!(u_alpha(40, 3, &split, 2), u_alpha(40, 3, &s, 2));
    // Given as two touching pieces it is two units: a different value.
    let mut touching = s.clone();
    touching[0][2] = sp(20, 25, 0);
    touching[0].push(sp(25, 30, 0));
    assert_ne!(u_alpha(40, 3, &touching, 2), u_alpha(40, 3, &s, 2));
}

/// cuα, two coders, L = 10, categories c0, c1:
///   A: c0[0,4) c1[4,8)      B: c0[0,5) c1[5,8)
/// Marked overlaps A×B: c0c0 4, c1c0 1, c1c1 3 (gaps [8,10) left out).
/// Unscaled (m−1 = 1): ℓ*_00 = 8, ℓ*_11 = 6, ℓ*_0· = 4+4+1 = 9, ℓ*_1· = 3+3+1 = 7,
/// ℓ*·· = 16.  Pairable lengths w: A.c0 4, A.c1 4, B.c0 5, B.c1 3; Σw² = 66.
/// D_o = 16 − 14 = 2;  D_e = 16 (256 − 81 − 49)/(256 − 66) = 2016/190.
/// cuα = 1 − 2·190/2016 = 0.8115079…
#[test]
fn hand_computed_cu_alpha() {
    let spans = vec![
        vec![sp(0, 4, 0), sp(4, 8, 1)],
        vec![sp(0, 5, 0), sp(5, 8, 1)],
    ];
    close(&cu_alpha(10, 2, &spans, 2), 1.0 - 380.0 / 2016.0);
}

#[test]
fn perfect_agreement_is_one() {
    let coder = vec![sp(1, 4, 0), sp(6, 9, 1)];
    let spans = vec![coder.clone(), coder.clone(), coder];
    close(&u_alpha(12, 3, &spans, 2), 1.0);
    close(&binary_u_alpha(12, 3, &spans, 2, 1), 1.0);
    close(&union_u_alpha(12, 3, &spans, 2), 1.0);
    close(&cu_alpha(12, 3, &spans, 2), 1.0);
}

#[test]
fn undefined_cases() {
    let none: Vec<Vec<Span>> = vec![vec![], vec![]];
    assert!(
        u_alpha(10, 2, &none, 1)
            .reason()
            .unwrap()
            .contains("no coder marked")
    );
    let whole = vec![vec![sp(0, 10, 0)], vec![sp(0, 10, 0)]];
    assert!(!u_alpha(10, 2, &whole, 1).is_defined());
    let one = vec![vec![sp(0, 3, 0)]];
    assert!(!u_alpha(10, 1, &one, 1).is_defined());
    let bad = vec![vec![sp(0, 30, 0)], vec![]];
    assert!(
        u_alpha(10, 2, &bad, 1)
            .reason()
            .unwrap()
            .starts_with("invalid input")
    );
    let bad_cat = vec![vec![sp(0, 3, 5)], vec![]];
    assert!(!u_alpha(10, 2, &bad_cat, 1).is_defined());
    assert!(!binary_u_alpha(10, 2, &whole, 1, 3).is_defined());
    assert!(!u_alpha(0, 2, &none, 1).is_defined());
    // cuα: marked segments that never overlap.
    let apart = vec![vec![sp(0, 3, 0)], vec![sp(5, 8, 1)]];
    assert!(
        cu_alpha(10, 2, &apart, 2)
            .reason()
            .unwrap()
            .contains("overlap")
    );
    // cuα: overlaps all of one category.
    let same = vec![vec![sp(0, 3, 0)], vec![sp(1, 4, 0)]];
    assert!(
        cu_alpha(10, 2, &same, 2)
            .reason()
            .unwrap()
            .contains("one category")
    );
}

#[test]
fn multi_coded_overlaps() {
    // Coder 0 applies two categories to overlapping text (common in QDA).
    let spans = vec![
        vec![sp(0, 6, 0), sp(3, 9, 1)],
        vec![sp(0, 5, 0), sp(5, 9, 1)],
    ];
    assert!(
        u_alpha(12, 2, &spans, 2)
            .reason()
            .unwrap()
            .contains("overlapping")
    );
    assert!(!cu_alpha(12, 2, &spans, 2).is_defined());
    assert!(binary_u_alpha(12, 2, &spans, 2, 0).is_defined());
    assert!(binary_u_alpha(12, 2, &spans, 2, 1).is_defined());
    // Union: coder 0's [0,6) ∪ [3,9) merge into [0,9); coder 1's touching spans
    // stay two units.
    let merged = vec![vec![sp(0, 9, 0)], vec![sp(0, 5, 0), sp(5, 9, 0)]];
    assert_eq!(union_u_alpha(12, 2, &spans, 2), u_alpha(12, 2, &merged, 1));
}
