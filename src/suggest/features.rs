//! Words and word pairs as TF-IDF features, the way scikit-learn's `TfidfVectorizer` with
//! `ngram_range=(1, 2)` computes them (so the figures compare like with like): tokens are runs of
//! two or more word characters, lower-cased; a unit's terms are its tokens and each adjacent
//! pair; idf = ln((1 + n) / (1 + df)) + 1 over the training units; each vector is L2-normalised.

use std::collections::HashMap;

/// A sparse vector: feature indices (ascending) and their values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVec {
    pub idx: Vec<u32>,
    pub val: Vec<f32>,
}

impl SparseVec {
    pub fn dot(&self, w: &[f64]) -> f64 {
        self.idx
            .iter()
            .zip(&self.val)
            .map(|(&j, &v)| w[j as usize] * v as f64)
            .sum()
    }

    /// Cosine of two L2-normalised vectors: a merge of their sorted indices.
    pub fn cosine(&self, other: &SparseVec) -> f64 {
        let (mut a, mut b, mut sum) = (0, 0, 0.0f64);
        while a < self.idx.len() && b < other.idx.len() {
            match self.idx[a].cmp(&other.idx[b]) {
                std::cmp::Ordering::Less => a += 1,
                std::cmp::Ordering::Greater => b += 1,
                std::cmp::Ordering::Equal => {
                    sum += self.val[a] as f64 * other.val[b] as f64;
                    a += 1;
                    b += 1;
                }
            }
        }
        sum
    }
}

/// The tokens of a text: maximal runs of word characters (letters, digits, marks, `_`) at least
/// two characters long, lower-cased — scikit-learn's default `(?u)\b\w\w+\b`.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut len = 0usize;
    let flush = |cur: &mut String, len: &mut usize, out: &mut Vec<String>| {
        if *len >= 2 {
            out.push(std::mem::take(cur));
        } else {
            cur.clear();
        }
        *len = 0;
    };
    for c in text.chars() {
        if is_word_char(c) {
            cur.extend(c.to_lowercase());
            len += 1;
        } else {
            flush(&mut cur, &mut len, &mut out);
        }
    }
    flush(&mut cur, &mut len, &mut out);
    out
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || is_combining_mark(c)
}

/// Combining marks count as word characters in Python's `\w` (e.g. decomposed accents).
fn is_combining_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// The terms of a text: its tokens, then each adjacent pair joined by a space.
pub fn terms(text: &str) -> Vec<String> {
    let toks = tokens(text);
    let mut out = Vec::with_capacity(toks.len() * 2);
    for pair in toks.windows(2) {
        out.push(format!("{} {}", pair[0], pair[1]));
    }
    let mut all = toks;
    all.extend(out);
    all
}

/// A fitted vocabulary with its idf weights.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vectorizer {
    pub terms: Vec<String>,
    pub idf: Vec<f32>,
    /// Scale term counts as 1 + ln(tf) instead of raw counts.
    pub sublinear_tf: bool,
    index: HashMap<String, u32>,
}

impl Vectorizer {
    /// Learns the vocabulary and idf from the training units' texts.
    pub fn fit<'a>(texts: impl IntoIterator<Item = &'a str>, sublinear_tf: bool) -> Vectorizer {
        let mut index: HashMap<String, u32> = HashMap::new();
        let mut df: Vec<u32> = Vec::new();
        let mut n = 0usize;
        let mut seen: Vec<u32> = Vec::new();
        for text in texts {
            n += 1;
            seen.clear();
            for t in terms(text) {
                let next = index.len() as u32;
                let j = *index.entry(t).or_insert(next);
                if j as usize == df.len() {
                    df.push(0);
                }
                seen.push(j);
            }
            seen.sort_unstable();
            seen.dedup();
            for &j in &seen {
                df[j as usize] += 1;
            }
        }
        // Terms in sorted order, as scikit-learn numbers them (only the order of features
        // changes; sorting makes models reproducible regardless of input order).
        let mut sorted: Vec<(String, u32)> = index.into_iter().collect();
        sorted.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let idf = sorted
            .iter()
            .map(|(_, j)| (((1 + n) as f64 / (1 + df[*j as usize]) as f64).ln() + 1.0) as f32)
            .collect();
        let terms: Vec<String> = sorted.into_iter().map(|(t, _)| t).collect();
        Vectorizer::from_parts(terms, idf, sublinear_tf)
    }

    /// Rebuilds a stored vectorizer.
    pub fn from_parts(terms: Vec<String>, idf: Vec<f32>, sublinear_tf: bool) -> Vectorizer {
        let index = terms
            .iter()
            .enumerate()
            .map(|(j, t)| (t.clone(), j as u32))
            .collect();
        Vectorizer {
            terms,
            idf,
            sublinear_tf,
            index,
        }
    }

    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The L2-normalised TF-IDF vector of a text; terms outside the vocabulary are ignored.
    pub fn transform(&self, text: &str) -> SparseVec {
        let mut counts: HashMap<u32, u32> = HashMap::new();
        for t in terms(text) {
            if let Some(&j) = self.index.get(&t) {
                *counts.entry(j).or_insert(0) += 1;
            }
        }
        let mut pairs: Vec<(u32, f32)> = counts
            .into_iter()
            .map(|(j, c)| {
                let tf = if self.sublinear_tf {
                    1.0 + (c as f32).ln()
                } else {
                    c as f32
                };
                (j, tf * self.idf[j as usize])
            })
            .collect();
        pairs.sort_unstable_by_key(|p| p.0);
        let norm = pairs
            .iter()
            .map(|p| (p.1 as f64).powi(2))
            .sum::<f64>()
            .sqrt();
        let mut v = SparseVec::default();
        for (j, x) in pairs {
            v.idx.push(j);
            v.val.push(if norm > 0.0 {
                (x as f64 / norm) as f32
            } else {
                x
            });
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_follow_the_sklearn_pattern() {
        // `(?u)\b\w\w+\b` on this text gives these tokens (checked with Python's re module).
        assert_eq!(
            tokens("I don't reply; the Portal's next-day e-mail_2 ok!"),
            [
                "don", "reply", "the", "portal", "next", "day", "mail_2", "ok"
            ]
        );
        assert_eq!(tokens("Ça va, Zoë?"), ["ça", "va", "zoë"]);
    }

    #[test]
    fn terms_add_adjacent_pairs() {
        assert_eq!(
            terms("next day reply"),
            ["next", "day", "reply", "next day", "day reply"]
        );
    }

    #[test]
    fn tfidf_matches_sklearn() {
        // TfidfVectorizer(ngram_range=(1,2)).fit(["a portal reply", "portal portal"]) on
        // "portal reply": n = 2; df(portal) = 2 → idf 1; df(reply) = df(portal reply) = 1 →
        // idf ln(3/2) + 1 = 1.405465; counts 1 each, then L2 normalised.
        let v = Vectorizer::fit(["a portal reply", "portal portal"], false);
        assert_eq!(
            v.terms,
            ["portal", "portal portal", "portal reply", "reply"]
        );
        let x = v.transform("portal reply");
        let idf = (1.5f64).ln() + 1.0;
        let norm = (1.0 + 2.0 * idf * idf).sqrt();
        assert_eq!(x.idx, [0, 2, 3]);
        assert!((x.val[0] as f64 - 1.0 / norm).abs() < 1e-6);
        assert!((x.val[1] as f64 - idf / norm).abs() < 1e-6);
        assert!((x.cosine(&x) - 1.0).abs() < 1e-6);
    }
}
