//! Published worked examples and values from established packages.
//!
//! Package values were produced by `scripts/agreement_expected.py` with
//! numpy 1.26.4, scikit-learn 1.9.1 (`cohen_kappa_score` on the units both coders
//! judged), statsmodels 0.15.0 (`fleiss_kappa(aggregate_raters(complete_rows)[0],
//! method="fleiss")`), krippendorff 0.9.0 (`krippendorff.alpha(reliability_data=
//! coders x units, level_of_measurement="nominal")`) and irrCAC 0.4.4 (the Python
//! port of R irrCAC: `CAC(pd.DataFrame(units x coders), digits=15).gwet()`).
//! Percent agreement is checked against the same script's direct computation.

use super::*;

const TOL: f64 = 1e-12;

/// One unit per line, one column per coder, "." = missing.
fn parse(text: &str, n_categories: u32) -> Ratings {
    let rows: Vec<Vec<Option<u32>>> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| l.split_whitespace().map(|t| t.parse().ok()).collect())
        .collect();
    let mut r = Ratings::new(rows[0].len(), n_categories);
    for row in &rows {
        r.push_unit(row);
    }
    r
}

/// Expands a subjects × categories count table into raw ratings (judgements given
/// to raters in category order).
fn expand(table: &[&[u32]]) -> Ratings {
    let raters: u32 = table[0].iter().sum();
    let mut r = Ratings::new(raters as usize, table[0].len() as u32);
    for counts in table {
        let row: Vec<Option<u32>> = counts
            .iter()
            .enumerate()
            .flat_map(|(k, &c)| std::iter::repeat_n(Some(k as u32), c as usize))
            .collect();
        r.push_unit(&row);
    }
    r
}

#[track_caller]
fn close(v: &Value, expected: f64) {
    let x = v.as_option().unwrap_or_else(|| panic!("undefined: {v:?}"));
    assert!((x - expected).abs() < TOL, "got {x}, expected {expected}");
}

/// Expected: percent, mean pairwise Cohen, Fleiss, alpha, AC1.
#[track_caller]
fn check(r: &Ratings, e: [f64; 5]) {
    let s = all_categorical(r);
    close(&s.percent_agreement, e[0]);
    close(&s.cohen_kappa_mean, e[1]);
    close(&s.fleiss_kappa, e[2]);
    close(&s.krippendorff_alpha, e[3]);
    close(&s.gwet_ac1, e[4]);
}

const TWO_CODERS: &str = "0 0\n0 0\n1 1\n2 2\n0 1\n1 1\n2 2\n2 1\n0 0\n1 1\n1 0\n2 2\n0 0\n1 2\n2 2\n0 0\n1 1\n0 2\n2 2\n1 1";
const THREE_CODERS: &str = "0 0 0\n1 1 2\n2 2 2\n3 3 3\n0 1 0\n1 1 1\n2 3 2\n3 3 0\n0 0 0\n1 2 1\n2 2 2\n3 3 3\n0 0 1\n1 1 1\n2 2 3";
const FIVE_CODERS_MISSING: &str = "
0 0 0 . 0
1 1 . 1 2
2 2 2 2 .
. 0 1 0 0
1 . 1 1 1
2 2 . 0 2
0 0 0 0 0
. . 1 1 .
2 1 2 2 2
0 . . . 0
1 1 1 . 1
2 2 2 2 2";
const THREE_MISSING: &str = "0 0 .\n1 1 1\n2 . .\n. 1 2\n0 0 0\n. . 1\n2 2 1\n1 . 1\n0 1 .\n2 2 2";
/// Krippendorff (2011), section C: 4 observers × 12 units, values 1..5, missing data.
const KRIPPENDORFF_2011: &str = "
1 1 . 1
2 2 3 2
3 3 3 3
3 3 3 3
2 2 2 2
1 2 3 4
4 4 4 4
1 1 2 1
2 2 2 2
. 5 5 5
. . 1 1
. 3 . .";

#[test]
fn krippendorff_2011_published_example() {
    let r = parse(KRIPPENDORFF_2011, 6);
    // Published: alpha = 0.743 (Krippendorff 2011, p. 4).
    let a = krippendorff_alpha_nominal(&r).as_option().unwrap();
    assert!((a - 0.743).abs() < 5e-4);
    check(
        &r,
        [
            0.778240740740741,
            0.700162637107089,
            0.641456582633053, // 7 complete units only
            0.743421052631579,
            0.775444068126995,
        ],
    );
}

#[test]
fn fleiss_wikipedia_worked_example() {
    // Wikipedia "Fleiss' kappa": 10 subjects, 14 raters, 5 categories; κ = 0.210.
    let table: [&[u32]; 10] = [
        &[0, 0, 0, 0, 14],
        &[0, 2, 6, 4, 2],
        &[0, 0, 3, 5, 6],
        &[0, 3, 9, 2, 0],
        &[2, 2, 8, 1, 1],
        &[7, 7, 0, 0, 0],
        &[3, 2, 6, 3, 0],
        &[2, 5, 3, 2, 2],
        &[6, 5, 2, 1, 0],
        &[0, 2, 2, 3, 7],
    ];
    let r = expand(&table);
    let k = fleiss_kappa(&r).as_option().unwrap();
    assert!((k - 0.210).abs() < 5e-4);
    close(&fleiss_kappa(&r), 0.209930704421955);
    close(&krippendorff_alpha_nominal(&r), 0.215574056533227);
    close(&gwet_ac1(&r), 0.225614150816628);
}

#[test]
fn fleiss_1971_diagnoses() {
    // Fleiss (1971) 30 patients × 6 psychiatrists, 5 diagnoses (R irr `diagnoses`);
    // R irr::kappam.fleiss = 0.4302445, Fleiss (1971) reports 0.430.
    let d: [[u32; 6]; 30] = [
        [4, 4, 4, 4, 4, 4],
        [2, 2, 2, 5, 5, 5],
        [2, 3, 3, 3, 3, 5],
        [5, 5, 5, 5, 5, 5],
        [2, 2, 2, 4, 4, 4],
        [1, 1, 3, 3, 3, 3],
        [3, 3, 3, 3, 5, 5],
        [1, 1, 3, 3, 3, 4],
        [1, 1, 4, 4, 4, 4],
        [5, 5, 5, 5, 5, 5],
        [1, 4, 4, 4, 4, 4],
        [1, 2, 4, 4, 4, 4],
        [2, 2, 2, 3, 3, 3],
        [1, 4, 4, 4, 4, 4],
        [2, 2, 4, 4, 4, 5],
        [3, 3, 3, 3, 3, 5],
        [1, 1, 1, 4, 5, 5],
        [1, 1, 1, 1, 1, 2],
        [2, 2, 4, 4, 4, 4],
        [1, 3, 3, 5, 5, 5],
        [5, 5, 5, 5, 5, 5],
        [2, 4, 4, 4, 4, 4],
        [2, 2, 4, 5, 5, 5],
        [1, 1, 4, 4, 4, 4],
        [1, 4, 4, 4, 4, 5],
        [2, 2, 2, 2, 2, 4],
        [1, 1, 1, 1, 5, 5],
        [2, 2, 4, 4, 4, 4],
        [1, 3, 3, 3, 3, 3],
        [5, 5, 5, 5, 5, 5],
    ];
    let mut r = Ratings::new(6, 6);
    for row in &d {
        r.push_unit(&row.map(Some));
    }
    let k = fleiss_kappa(&r).as_option().unwrap();
    assert!((k - 0.4302445).abs() < 1e-7);
    check(
        &r,
        [
            0.555555555555556,
            0.459412144434595,
            0.430244520060141,
            0.433409828282029,
            0.447884515844564,
        ],
    );
}

#[test]
fn two_coders_complete() {
    let r = parse(TWO_CODERS, 3);
    check(
        &r,
        [
            0.75,
            0.625468164794007,
            0.624765478424015,
            0.634146341463415,
            0.625117150890347,
        ],
    );
    close(&cohen_kappa(&r, 0, 1), 0.625468164794007);
}

#[test]
fn three_coders_complete() {
    let r = parse(THREE_CODERS, 4);
    check(
        &r,
        [
            0.688888888888889,
            0.585094392786701,
            0.584432717678100,
            0.593667546174143,
            0.585435402500548,
        ],
    );
    close(&cohen_kappa(&r, 0, 1), 0.733727810650888);
    close(&cohen_kappa(&r, 0, 2), 0.642857142857143);
    close(&cohen_kappa(&r, 1, 2), 0.378698224852071);
}

#[test]
fn five_coders_with_missing() {
    let r = parse(FIVE_CODERS_MISSING, 3);
    check(
        &r,
        [
            0.822817460317460,
            0.733655826700181,
            0.745762711864407, // complete units only
            0.749659863945578,
            0.762598917117868,
        ],
    );
    let s = all_categorical(&r);
    let p14 = s.pairs.iter().find(|p| (p.a, p.b) == (1, 4)).unwrap();
    assert_eq!(p14.n_units, 8);
    close(&p14.cohen_kappa, 0.636363636363636);
    close(&p14.percent_agreement, 0.75);
}

#[test]
fn three_coders_with_single_judgement_units() {
    // Units with one judgement: dropped by alpha, kept in AC1's pi (irrCAC).
    let r = parse(THREE_MISSING, 3);
    check(
        &r,
        [
            0.744444444444444,
            0.604166666666667,
            0.744680851063830,
            0.568181818181818,
            0.506375976964212,
        ],
    );
}

#[test]
fn prevalence_paradox_kappa_low_ac1_high() {
    let mut text = String::new();
    for (row, k) in [("0 0", 88), ("0 1", 5), ("1 0", 5), ("1 1", 2)] {
        for _ in 0..k {
            text.push_str(row);
            text.push('\n');
        }
    }
    let r = parse(&text, 2);
    check(
        &r,
        [
            0.9,
            0.231950844854071,
            0.231950844854070,
            0.235791090629800,
            0.885031041618763,
        ],
    );
}

#[test]
fn all_one_category_is_undefined_not_one() {
    // sklearn: nan; statsmodels: nan; krippendorff: ValueError ("more than one
    // value in the domain"); irrCAC: 1.0 (it substitutes pe = 1 - 1e-15).
    let r = parse(&"2 2 2\n".repeat(10), 3);
    let s = all_categorical(&r);
    close(&s.percent_agreement, 1.0);
    for v in [
        &s.cohen_kappa_mean,
        &s.fleiss_kappa,
        &s.krippendorff_alpha,
        &s.gwet_ac1,
    ] {
        assert!(v.reason().unwrap().contains("one"), "{v:?}");
    }
    assert!(s.pairs.iter().all(|p| !p.cohen_kappa.is_defined()));
}
