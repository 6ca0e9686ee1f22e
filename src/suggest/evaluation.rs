//! Honest quality figures: cross-validation by document (a transcript is never in both the
//! training and the test part), pooled over the folds, per code: precision, recall, F1 and
//! Cohen's kappa of the model against the human coder, and the number of examples.

use super::dataset::Dataset;
use super::training::{self, MIN_EXAMPLES, Settings};
use crate::error::Result;
use serde::{Deserialize, Serialize};

/// At most this many folds; fewer when the coder coded fewer documents.
pub const MAX_FOLDS: usize = 5;

/// Document i (in document order) is tested in fold i mod k — written out so that the peer
/// script (scripts/suggest_peer.py) uses exactly the same folds.
pub fn folds(n_docs: usize) -> Result<usize> {
    if n_docs < 2 {
        return Err(crate::invalid!(
            "evaluating needs codings in at least two documents (it tests on documents the model did not learn from); this coder coded {n_docs}"
        ));
    }
    Ok(n_docs.min(MAX_FOLDS))
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CodeQuality {
    pub code_id: i64,
    pub code: String,
    /// Units the human coder coded with it.
    pub examples: usize,
    pub tp: usize,
    pub fp: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
    pub tn: usize,
    /// None when the model suggested it nowhere (precision is undefined, not 0 or 1).
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub f1: Option<f64>,
    /// None when chance agreement is 1 (every unit alike for both).
    pub kappa: Option<f64>,
}

impl CodeQuality {
    fn from_counts(code_id: i64, code: String, examples: usize, c: [usize; 4]) -> CodeQuality {
        let [tp, fp, fn_, tn] = c;
        let ratio = |a: usize, b: usize| (b > 0).then(|| a as f64 / b as f64);
        let precision = ratio(tp, tp + fp);
        let recall = ratio(tp, tp + fn_);
        // F1 = 2tp / (2tp + fp + fn): 0 when the model found none (as scikit-learn reports it).
        let f1 = ratio(2 * tp, 2 * tp + fp + fn_);
        CodeQuality {
            code_id,
            code,
            examples,
            tp,
            fp,
            fn_,
            tn,
            precision,
            recall,
            f1,
            kappa: kappa(tp, fp, fn_, tn),
        }
    }
}

/// Cohen's kappa of a 2×2 table (model × human).
pub fn kappa(tp: usize, fp: usize, fn_: usize, tn: usize) -> Option<f64> {
    let n = (tp + fp + fn_ + tn) as f64;
    if n == 0.0 {
        return None;
    }
    let po = (tp + tn) as f64 / n;
    let pe =
        ((tp + fp) as f64 * (tp + fn_) as f64 + (fn_ + tn) as f64 * (fp + tn) as f64) / (n * n);
    (pe < 1.0).then(|| (po - pe) / (1.0 - pe))
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub coder: String,
    pub unit: String,
    pub documents: usize,
    pub units: usize,
    pub folds: usize,
    /// The documents tested in each fold, by name.
    pub fold_documents: Vec<Vec<String>>,
    pub codes: Vec<CodeQuality>,
    /// Codes with fewer than MIN_EXAMPLES coded units: (code, examples).
    pub not_suggested: Vec<(String, usize)>,
    /// Mean F1 over the evaluated codes.
    pub macro_f1: Option<f64>,
    /// Set when only a sample of documents was used (see `Dataset::sample`).
    pub sample_note: Option<String>,
    /// Per evaluated code, each unit's out-of-fold probability: the final model's thresholds
    /// are tuned on these (no extra fits). Not stored.
    #[serde(skip)]
    pub out_of_fold: Vec<Vec<f64>>,
}

/// Codes with enough examples to learn, as indices into `data.codes`.
pub fn eligible(data: &Dataset) -> Vec<u32> {
    data.examples()
        .iter()
        .enumerate()
        .filter(|(_, n)| **n >= MIN_EXAMPLES)
        .map(|(k, _)| k as u32)
        .collect()
}

/// Cross-validates every eligible code by document.
pub fn evaluate(data: &Dataset, settings: Settings) -> Result<Evaluation> {
    let k = folds(data.docs.len())?;
    let codes = eligible(data);
    let examples = data.examples();
    let mut counts = vec![[0usize; 4]; codes.len()];
    let mut out_of_fold = vec![vec![0.0f64; data.units.len()]; codes.len()];
    for fold in 0..k {
        let (mut train, mut test) = (Vec::new(), Vec::new());
        for (i, u) in data.units.iter().enumerate() {
            if u.doc % k == fold {
                test.push(i);
            } else {
                train.push(i);
            }
        }
        let texts: Vec<&str> = train.iter().map(|&i| data.units[i].text.as_str()).collect();
        let labels: Vec<Vec<u32>> = train.iter().map(|&i| data.labels[i].clone()).collect();
        let docs: Vec<usize> = train.iter().map(|&i| data.units[i].doc).collect();
        let fit = training::fit(&texts, &labels, &docs, &codes, settings);
        let test_vecs: Vec<_> = test
            .iter()
            .map(|&i| fit.vectorizer.transform(&data.units[i].text))
            .collect();
        for (c, (&code, model)) in codes.iter().zip(&fit.models).enumerate() {
            for (x, &i) in test_vecs.iter().zip(&test) {
                let p = model.probability(x);
                out_of_fold[c][i] = p;
                let predicted = p > fit.thresholds[c];
                let truth = data.labels[i].binary_search(&code).is_ok();
                let cell = match (predicted, truth) {
                    (true, true) => 0,
                    (true, false) => 1,
                    (false, true) => 2,
                    (false, false) => 3,
                };
                counts[c][cell] += 1;
            }
        }
    }
    let qualities: Vec<CodeQuality> = codes
        .iter()
        .zip(counts)
        .map(|(&code, c)| {
            let (id, path) = &data.codes[code as usize];
            CodeQuality::from_counts(*id, path.clone(), examples[code as usize], c)
        })
        .collect();
    let f1s: Vec<f64> = qualities.iter().filter_map(|q| q.f1).collect();
    let mut not_suggested: Vec<(String, usize)> = examples
        .iter()
        .enumerate()
        .filter(|(_, n)| **n < MIN_EXAMPLES)
        .map(|(k, n)| (data.codes[k].1.clone(), *n))
        .collect();
    not_suggested.sort();
    let mut fold_documents = vec![Vec::new(); k];
    for (i, d) in data.docs.iter().enumerate() {
        fold_documents[i % k].push(d.name.clone());
    }
    Ok(Evaluation {
        coder: data.coder.name.clone(),
        unit: data.kind.name().into(),
        documents: data.docs.len(),
        units: data.units.len(),
        folds: k,
        fold_documents,
        macro_f1: (!f1s.is_empty()).then(|| f1s.iter().sum::<f64>() / f1s.len() as f64),
        codes: qualities,
        not_suggested,
        sample_note: None,
        out_of_fold,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kappa_matches_sklearn() {
        // sklearn.metrics.cohen_kappa_score([1,1,1,0,0,0,0,0], [1,1,0,1,0,0,0,0]) = 0.4666…
        // (tp 2, fp 1, fn 1, tn 4).
        let k = kappa(2, 1, 1, 4).unwrap();
        assert!((k - 0.4666666666666667).abs() < 1e-12, "{k}");
        assert_eq!(kappa(0, 0, 0, 5), None);
    }

    #[test]
    fn undefined_precision_is_not_zero() {
        let q = CodeQuality::from_counts(1, "A".into(), 8, [0, 0, 8, 92]);
        assert_eq!(q.precision, None);
        assert_eq!(q.recall, Some(0.0));
        assert_eq!(q.f1, Some(0.0));
    }

    #[test]
    fn folds_need_two_documents() {
        assert!(folds(1).is_err());
        assert_eq!(folds(3).unwrap(), 3);
        assert_eq!(folds(40).unwrap(), 5);
    }
}
