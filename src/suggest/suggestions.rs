//! Suggested codings for one document's units, each with its confidence, the code's measured
//! quality and the reason: the words that weighed most, and the most similar excerpt the
//! training coder coded with that code.

use super::dataset::{self, Unit};
use super::model::{CodeModel, Model};
use crate::error::Result;
use rusqlite::{Connection, params};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// At most this many suggestions per unit, the most confident: a turn with a dozen suggested
/// codes helps nobody, and explaining each costs a search of the code's excerpts.
pub const MAX_PER_UNIT: usize = 3;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub document_id: i64,
    pub document: String,
    /// The turn the unit lies in (1-based, as `thematic code --turn` counts).
    pub turn: usize,
    pub start: i64,
    pub end: i64,
    pub code_id: i64,
    pub code: String,
    /// The model's probability that the coder would apply the code here.
    pub confidence: f64,
    /// The code's cross-validated precision and F1 when the model was trained.
    pub precision: Option<f64>,
    pub f1: Option<f64>,
    /// The terms that pushed the score up most.
    pub because: Vec<String>,
    /// The most similar coded excerpt, e.g. "FG2 turn 14", and its cosine similarity.
    pub like: Option<String>,
    pub like_similarity: Option<f64>,
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only these codes (ids); empty = all.
    pub codes: Vec<i64>,
    /// Only codes whose measured precision is at least this (codes with undefined precision
    /// are left out whenever a minimum is set).
    pub min_precision: Option<f64>,
    /// Only suggestions at least this confident (never below the code's own threshold).
    pub min_confidence: f64,
}

/// (unit index, code id) pairs the coder coded, and (code id, start, end) they rejected.
type Already = (HashSet<(usize, i64)>, HashSet<(i64, i64, i64)>);

/// The codes a coder already applied to each unit, and the suggestions they rejected.
fn already(conn: &Connection, units: &[Unit], document_id: i64, coder_id: i64) -> Result<Already> {
    let mut coded = HashSet::new();
    let mut stmt = conn.prepare_cached(
        "SELECT code_id, start, \"end\" FROM codings WHERE document_id = ?1 AND coder_id = ?2",
    )?;
    let rows = stmt.query_map(params![document_id, coder_id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    for row in rows {
        let (code, start, end) = row?;
        for u in dataset::overlapping(units, start, end) {
            coded.insert((u, code));
        }
    }
    let mut rejected = HashSet::new();
    let mut stmt = conn.prepare_cached(
        "SELECT code_id, start, \"end\" FROM suggestion_rejections WHERE document_id = ?1 AND coder_id = ?2",
    )?;
    let rows = stmt.query_map(params![document_id, coder_id], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    for row in rows {
        rejected.insert(row?);
    }
    Ok((coded, rejected))
}

/// Code paths of the current codebook (codes deleted since training are not suggested).
pub fn code_paths(conn: &Connection) -> Result<HashMap<i64, String>> {
    Ok(crate::codebook::all(conn)?
        .into_iter()
        .map(|c| (c.id, c.path))
        .collect())
}

/// The terms contributing most to a code's score on `x` (positive contributions only).
fn top_terms(model: &Model, code: &CodeModel, x: &super::features::SparseVec) -> Vec<String> {
    let mut contrib: Vec<(f64, u32)> = x
        .idx
        .iter()
        .zip(&x.val)
        .map(|(&j, &v)| (code.weights[j as usize] as f64 * v as f64, j))
        .filter(|(c, _)| *c > 0.0)
        .collect();
    contrib.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    contrib
        .iter()
        .take(3)
        .map(|(_, j)| model.vectorizer.terms[*j as usize].clone())
        .collect()
}

/// Suggestions for every unit of one document that `coder_id` has not coded with the code and
/// has not rejected, in text order, the most confident first within a unit (at most
/// MAX_PER_UNIT per unit).
pub fn for_document(
    conn: &Connection,
    model: &Model,
    document_id: i64,
    document: &str,
    coder_id: i64,
    filter: &Filter,
    paths: &HashMap<i64, String>,
) -> Result<Vec<Suggestion>> {
    let units = dataset::document_units(conn, 0, document_id, model.info.kind())?;
    let (coded, rejected) = already(conn, &units, document_id, coder_id)?;
    let codes: Vec<&CodeModel> = model
        .codes
        .iter()
        .filter(|c| paths.contains_key(&c.code_id))
        .filter(|c| filter.codes.is_empty() || filter.codes.contains(&c.code_id))
        .filter(|c| match filter.min_precision {
            None => true,
            Some(p) => model
                .info
                .quality(c.code_id)
                .and_then(|q| q.precision)
                .is_some_and(|q| q >= p),
        })
        .collect();
    let mut out = Vec::new();
    for (i, u) in units.iter().enumerate() {
        let x = model.vectorizer.transform(&u.text);
        if x.idx.is_empty() {
            continue;
        }
        let mut picked: Vec<(f64, &CodeModel)> = Vec::new();
        for c in &codes {
            if coded.contains(&(i, c.code_id)) || rejected.contains(&(c.code_id, u.start, u.end)) {
                continue;
            }
            let p = super::logistic::sigmoid(c.decision(&x));
            // p above the code's threshold is the decision the evaluation measured.
            if p <= c.threshold || p < filter.min_confidence {
                continue;
            }
            picked.push((p, c));
        }
        picked.sort_by(|a, b| b.0.total_cmp(&a.0));
        picked.truncate(MAX_PER_UNIT);
        for (p, c) in picked {
            let best = c
                .exemplars
                .iter()
                .filter(|e| !(e.document_id == document_id && e.start == u.start))
                .map(|e| (x.cosine(&e.vector), e))
                .max_by(|a, b| a.0.total_cmp(&b.0));
            let quality = model.info.quality(c.code_id);
            out.push(Suggestion {
                document_id,
                document: document.to_string(),
                turn: u.turn,
                start: u.start,
                end: u.end,
                code_id: c.code_id,
                code: paths[&c.code_id].clone(),
                confidence: p,
                precision: quality.and_then(|q| q.precision),
                f1: quality.and_then(|q| q.f1),
                because: top_terms(model, c, &x),
                like: best.map(|(_, e)| format!("{} turn {}", e.document, e.turn)),
                like_similarity: best.map(|(s, _)| s),
                text: u.text.clone(),
            });
        }
    }
    out.sort_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then(b.confidence.total_cmp(&a.confidence))
    });
    Ok(out)
}

impl Suggestion {
    /// "because: reply, portal, next day; like FG2 turn 14"
    pub fn reason(&self) -> String {
        let mut s = String::new();
        if !self.because.is_empty() {
            s.push_str("because: ");
            s.push_str(&self.because.join(", "));
        }
        if let Some(like) = &self.like {
            if !s.is_empty() {
                s.push_str("; ");
            }
            s.push_str("like ");
            s.push_str(like);
        }
        s
    }
}
