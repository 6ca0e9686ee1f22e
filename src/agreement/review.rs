//! Disagreement review: the units where coders differ on a code, side by side, and the
//! reviewer's decision, written under a consensus coder so the originals stay for the record.

use super::report::AgreementReport;
use super::units::{Comparison, Unit, UnitKind};
use crate::error::Result;
use crate::study::ensure_coder_in;
use crate::study::history::Recorder;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

pub const CONSENSUS_CODER: &str = "consensus";

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CoderVersion {
    pub coder: String,
    pub applied: bool,
    /// This coder's codings of the code that overlap the unit: (start, end).
    pub spans: Vec<(i64, i64)>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Disagreement {
    pub code: String,
    pub code_id: i64,
    pub document: String,
    pub document_id: i64,
    pub start: i64,
    pub end: i64,
    pub speaker: Option<String>,
    pub text: String,
    pub versions: Vec<CoderVersion>,
}

/// Units where the compared coders differ on a code, worst-agreeing codes first, skipping
/// units already reviewed. `report` supplies the per-code alphas for the ordering.
pub fn disagreements(
    conn: &Connection,
    cmp: &Comparison,
    unit: UnitKind,
    only_code: Option<i64>,
    report: &AgreementReport,
) -> Result<Vec<Disagreement>> {
    let kind = if unit == UnitKind::Sentence {
        UnitKind::Sentence
    } else {
        UnitKind::Turn
    };
    let units = cmp.units(conn, kind)?;
    let mut out = Vec::new();
    let mut reviewed = conn.prepare_cached(
        "SELECT 1 FROM reviews WHERE document_id = ?1 AND code_id = ?2 AND start = ?3 AND \"end\" = ?4",
    )?;
    let mut speaker = conn.prepare_cached(
        "SELECT speaker FROM turns WHERE document_id = ?1 AND start <= ?2 ORDER BY start DESC LIMIT 1",
    )?;
    for (k, code) in cmp.codes.iter().enumerate() {
        if only_code.is_some_and(|id| id != code.id) {
            continue;
        }
        let codings: Vec<_> = cmp.codings.iter().filter(|c| c.code == k).collect();
        if codings.is_empty() {
            continue;
        }
        for u in &units {
            let versions: Vec<CoderVersion> = cmp
                .coders
                .iter()
                .enumerate()
                .map(|(ci, c)| {
                    let spans: Vec<(i64, i64)> = codings
                        .iter()
                        .filter(|x| {
                            x.coder == ci && x.doc == u.doc && x.start < u.end && x.end > u.start
                        })
                        .map(|x| (x.start, x.end))
                        .collect();
                    CoderVersion {
                        coder: c.name.clone(),
                        applied: !spans.is_empty(),
                        spans,
                    }
                })
                .collect();
            let applied = versions.iter().filter(|v| v.applied).count();
            if applied == 0 || applied == versions.len() {
                continue;
            }
            let doc = &cmp.documents[u.doc];
            let done = reviewed
                .query_row(params![doc.id, code.id, u.start, u.end], |_| Ok(()))
                .optional()?
                .is_some();
            if done {
                continue;
            }
            out.push(Disagreement {
                code: code.path.clone(),
                code_id: code.id,
                document: doc.name.clone(),
                document_id: doc.id,
                start: u.start,
                end: u.end,
                speaker: speaker
                    .query_row(params![doc.id, u.start], |r| r.get(0))
                    .optional()?
                    .flatten(),
                text: crate::study::documents::excerpt(conn, doc.id, u.start, u.end)?,
                versions,
            });
        }
    }
    let alpha = |code: &str| {
        report
            .codes
            .iter()
            .find(|c| c.code == code)
            .and_then(|c| c.coefficients.krippendorff_alpha.flatten())
            .unwrap_or(f64::NEG_INFINITY)
    };
    out.sort_by(|a, b| {
        alpha(&a.code)
            .total_cmp(&alpha(&b.code))
            .then(a.code.cmp(&b.code))
            .then(a.document_id.cmp(&b.document_id))
            .then(a.start.cmp(&b.start))
    });
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Keep this coder's version.
    Accept(String),
    /// Keep every coder's version.
    Both,
    /// The code does not apply here.
    Neither,
}

/// Writes the decision on the disagreement at `unit` for code `code_id`: the chosen codings are
/// copied to the consensus coder and the review recorded. Returns the codings written.
pub fn resolve(
    rec: &mut Recorder,
    reviewer: i64,
    document_id: i64,
    code_id: i64,
    unit: Unit,
    decision: &Decision,
) -> Result<usize> {
    let consensus = ensure_coder_in(rec, CONSENSUS_CODER, true)?;
    let source: Vec<(i64, i64, String)> = rec
        .tx
        .prepare_cached(
            "SELECT c.start, c.\"end\", k.name FROM codings c JOIN coders k ON k.id = c.coder_id
              WHERE c.document_id = ?1 AND c.code_id = ?2 AND k.is_consensus = 0 AND c.start < ?4 AND c.\"end\" > ?3",
        )?
        .query_map(params![document_id, code_id, unit.start, unit.end], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let chosen: Vec<(i64, i64)> = match decision {
        // Accepting a coder who did not apply the code means "not here": nothing is copied.
        Decision::Accept(name) => source
            .iter()
            .filter(|s| &s.2 == name)
            .map(|s| (s.0, s.1))
            .collect(),
        Decision::Both => source.iter().map(|s| (s.0, s.1)).collect(),
        Decision::Neither => Vec::new(),
    };
    let mut written = 0;
    for (start, end) in dedup(chosen) {
        let exists: Option<i64> = rec
            .tx
            .prepare_cached(
                "SELECT id FROM codings WHERE coder_id = ?1 AND code_id = ?2 AND document_id = ?3 AND start = ?4 AND \"end\" = ?5",
            )?
            .query_row(params![consensus.id, code_id, document_id, start, end], |r| r.get(0))
            .optional()?;
        if exists.is_none() {
            crate::coding::add(rec, document_id, code_id, consensus.id, start, end)?;
            written += 1;
        }
    }
    let (kind, chosen_name) = match decision {
        Decision::Accept(name) => ("accept", Some(name.clone())),
        Decision::Both => ("both", None),
        Decision::Neither => ("neither", None),
    };
    let now = rec.now.clone();
    rec.insert(
        "reviews",
        &[
            ("document_id", Value::Integer(document_id)),
            ("code_id", Value::Integer(code_id)),
            ("start", Value::Integer(unit.start)),
            ("end", Value::Integer(unit.end)),
            ("decision", Value::Text(kind.into())),
            (
                "chosen",
                chosen_name.map(Value::Text).unwrap_or(Value::Null),
            ),
            ("reviewer_id", Value::Integer(reviewer)),
            ("decided_at", Value::Text(now)),
        ],
    )?;
    Ok(written)
}

fn dedup(mut spans: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    spans.sort_unstable();
    spans.dedup();
    spans
}
