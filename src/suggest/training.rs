//! Fitting one model per code (one-vs-rest) over the same TF-IDF features, codes in parallel.

use super::features::{SparseVec, Vectorizer};
use super::logistic::{self, Fitted, Rows};

/// Codes with fewer coded units than this are not learned ("not suggested yet"): with fewer
/// examples the cross-validated figures are too unstable to be worth showing.
pub const MIN_EXAMPLES: usize = 8;

/// The model's settings, chosen by the evaluation on the demo study and the planted study (see
/// BENCHMARKS.md, "Suggestions"): scikit-learn's TF-IDF and logistic regression with their
/// defaults, plus a decision threshold per code tuned by inner cross-validation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub sublinear_tf: bool,
    pub c: f64,
    /// Tune each code's threshold on held-out documents of the training part. With a dozen
    /// examples per code, balanced logistic regression rarely reaches p > 0.5 on a new
    /// transcript; a threshold chosen for F1 on documents it did not learn from tripled the
    /// demo's macro-F1 (BENCHMARKS.md). Off = the plain p > 0.5 of scikit-learn.
    pub tune_threshold: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            sublinear_tf: false,
            c: 1.0,
            tune_threshold: true,
        }
    }
}

/// Studies with more units than this learn from a sample of their documents by default
/// (`--max-units`): 6,000 turns is some 50 focus groups, far more than most codes need, and
/// it keeps training a 1,000-transcript study to seconds (BENCHMARKS.md, "Suggestions").
pub const MAX_UNITS: usize = 6_000;

/// Above this many training rows, L-BFGS stops after 50 iterations instead of 100: with that
/// much data the last iterations move the decision little, and they doubled the large study's
/// training time. Small studies (the demo) get scikit-learn's full 100.
pub const LARGE_ROWS: usize = 2_000;

/// Inner folds for tuning thresholds (by document, like the outer evaluation).
pub const INNER_FOLDS: usize = 2;

pub struct Fit {
    pub vectorizer: Vectorizer,
    pub vectors: Vec<SparseVec>,
    /// One per entry of `codes` given to [`fit`], same order.
    pub models: Vec<Fitted>,
    /// Each code's decision threshold on the probability (0.5 when not tuned).
    pub thresholds: Vec<f64>,
}

/// Learns the vocabulary from `texts`, then one model per code in `codes` (indices into each
/// unit's `labels`) and, when tuning, each code's threshold; `docs[i]` is unit i's document.
pub fn fit(
    texts: &[&str],
    labels: &[Vec<u32>],
    docs: &[usize],
    codes: &[u32],
    settings: Settings,
) -> Fit {
    let vectorizer = Vectorizer::fit(texts.iter().copied(), settings.sublinear_tf);
    let vectors: Vec<SparseVec> = texts.iter().map(|t| vectorizer.transform(t)).collect();
    let models = fit_models(&vectors, vectorizer.len(), labels, codes, settings);
    let thresholds = if settings.tune_threshold {
        tune_thresholds(texts, labels, docs, codes, settings)
    } else {
        vec![0.5; codes.len()]
    };
    Fit {
        vectorizer,
        vectors,
        models,
        thresholds,
    }
}

/// Out-of-fold probabilities over the training documents (split in up to INNER_FOLDS groups of
/// documents, each vectorised on the rest), then per code the threshold with the best F1.
fn tune_thresholds(
    texts: &[&str],
    labels: &[Vec<u32>],
    docs: &[usize],
    codes: &[u32],
    settings: Settings,
) -> Vec<f64> {
    let mut distinct: Vec<usize> = docs.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 2 {
        return vec![0.5; codes.len()];
    }
    let k = distinct.len().min(INNER_FOLDS);
    let fold_of = |d: usize| distinct.binary_search(&d).unwrap_or(0) % k;
    let mut probs = vec![vec![0.0f64; texts.len()]; codes.len()];
    for fold in 0..k {
        let (train, test): (Vec<usize>, Vec<usize>) =
            (0..texts.len()).partition(|&i| fold_of(docs[i]) != fold);
        let tr_texts: Vec<&str> = train.iter().map(|&i| texts[i]).collect();
        let tr_labels: Vec<Vec<u32>> = train.iter().map(|&i| labels[i].clone()).collect();
        let v = Vectorizer::fit(tr_texts.iter().copied(), settings.sublinear_tf);
        let x: Vec<SparseVec> = tr_texts.iter().map(|t| v.transform(t)).collect();
        let models = fit_models(&x, v.len(), &tr_labels, codes, settings);
        for &i in &test {
            let xi = v.transform(texts[i]);
            for (c, m) in models.iter().enumerate() {
                probs[c][i] = m.probability(&xi);
            }
        }
    }
    codes
        .iter()
        .zip(&probs)
        .map(|(&k, p)| {
            let truth: Vec<bool> = labels.iter().map(|l| l.binary_search(&k).is_ok()).collect();
            best_threshold(p, &truth)
        })
        .collect()
}

/// The threshold in 0.10, 0.12, …, 0.88 with the highest F1 (the lowest of equals; 0.5 when
/// no threshold finds any example).
pub fn best_threshold(probs: &[f64], truth: &[bool]) -> f64 {
    let mut best = (0.0, 0.5);
    for step in 0..40 {
        let t = 0.10 + 0.02 * step as f64;
        let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
        for (&p, &y) in probs.iter().zip(truth) {
            match (p > t, y) {
                (true, true) => tp += 1,
                (true, false) => fp += 1,
                (false, true) => fn_ += 1,
                _ => {}
            }
        }
        let f1 = if tp == 0 {
            0.0
        } else {
            2.0 * tp as f64 / (2 * tp + fp + fn_) as f64
        };
        if f1 > best.0 {
            best = (f1, t);
        }
    }
    best.1
}

/// One model per code over ready vectors, spread over the available cores.
pub fn fit_models(
    vectors: &[SparseVec],
    dim: usize,
    labels: &[Vec<u32>],
    codes: &[u32],
    settings: Settings,
) -> Vec<Fitted> {
    let rows = Rows { rows: vectors, dim };
    let opts = logistic::Options {
        c: settings.c,
        max_iter: if vectors.len() > LARGE_ROWS { 50 } else { 100 },
        ..Default::default()
    };
    let one = |k: u32| {
        let y: Vec<bool> = labels.iter().map(|l| l.binary_search(&k).is_ok()).collect();
        logistic::fit(&rows, &y, &opts)
    };
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(codes.len().max(1));
    if threads <= 1 {
        return codes.iter().map(|&k| one(k)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut out: Vec<Option<Fitted>> = vec![None; codes.len()];
    let results = std::sync::Mutex::new(&mut out);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= codes.len() {
                        break;
                    }
                    let m = one(codes[i]);
                    if let Ok(mut r) = results.lock() {
                        r[i] = Some(m);
                    }
                }
            });
        }
    });
    out.into_iter()
        .map(|m| m.expect("every code was fitted"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_maximises_f1() {
        // Positives score 0.3 and 0.35, negatives 0.1 and 0.2: any t in [0.2, 0.3) separates them;
        // the grid's first such value is 0.20 (p > t is strict).
        let t = best_threshold(&[0.3, 0.35, 0.1, 0.2], &[true, true, false, false]);
        assert!((t - 0.20).abs() < 1e-9, "{t}");
        assert_eq!(best_threshold(&[0.1, 0.1], &[false, false]), 0.5);
    }
}
