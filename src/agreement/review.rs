//! Disagreement review: the units where coders differ on a code, side by side, and the
//! reviewer's decision, written under a consensus coder so the originals stay for the record.

use super::report::AgreementReport;
use super::units::{CompactCoding, Comparison, Unit, UnitKind};
use crate::error::Result;
use crate::study::ensure_coder_in;
use crate::study::history::Recorder;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

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

/// Per code: the compared codings of that code (one pass over the comparison's codings).
fn by_code(cmp: &Comparison) -> Vec<Vec<&CompactCoding>> {
    let mut out: Vec<Vec<&CompactCoding>> = vec![Vec::new(); cmp.codes.len()];
    for c in &cmp.codings {
        out[c.code].push(c);
    }
    out
}

/// Stretches of one document where some but not all coders applied the code, as runs of
/// characters with the same coders applying (char and span units): a sweep over the codings'
/// boundaries. Returns (start, end, bitmask of coders applying).
fn disagreeing_runs(codings: &[&CompactCoding], n: usize) -> Vec<(i64, i64, u64)> {
    let mut events: Vec<(i64, usize, i32)> = Vec::with_capacity(codings.len() * 2);
    for c in codings {
        events.push((c.start, c.coder, 1));
        events.push((c.end, c.coder, -1));
    }
    events.sort_unstable();
    let mut depth = vec![0i32; n];
    let mut out: Vec<(i64, i64, u64)> = Vec::new();
    let all = if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
    let mut i = 0;
    let mut prev = None;
    while i < events.len() {
        let at = events[i].0;
        if let Some((from, mask)) = prev
            && mask != 0
            && mask != all
            && from < at
        {
            match out.last_mut() {
                Some(last) if last.1 == from && last.2 == mask => last.1 = at,
                _ => out.push((from, at, mask)),
            }
        }
        while i < events.len() && events[i].0 == at {
            depth[events[i].1] += events[i].2;
            i += 1;
        }
        let mask = depth
            .iter()
            .enumerate()
            .filter(|(_, d)| **d > 0)
            .fold(0u64, |m, (c, _)| m | (1 << c.min(63)));
        prev = Some((at, mask));
    }
    out
}

/// Units where the compared coders differ on a code, worst-agreeing codes first, skipping
/// units already reviewed. `report` supplies the per-code alphas for the ordering. Turn and
/// sentence units are listed as they are; char and span units as runs of consecutive
/// characters where the same coders applied the code. Linear in the codings and units (each
/// coding finds its units by binary search; speakers and texts are read once per document).
pub fn disagreements(
    conn: &Connection,
    cmp: &Comparison,
    unit: UnitKind,
    only_code: Option<i64>,
    report: &AgreementReport,
) -> Result<Vec<Disagreement>> {
    let n = cmp.coders.len();
    let per_code = by_code(cmp);
    let units = match unit {
        UnitKind::Turn | UnitKind::Sentence => cmp.units(conn, unit)?,
        UnitKind::Char | UnitKind::Span => Vec::new(),
    };
    let ranges: Vec<(usize, usize)> = (0..cmp.documents.len())
        .map(|d| {
            (
                units.partition_point(|u| u.doc < d),
                units.partition_point(|u| u.doc <= d),
            )
        })
        .collect();
    // (doc, start, end, code, per-coder spans)
    let mut found: Vec<Found> = Vec::new();
    for (k, codings) in per_code.iter().enumerate() {
        if codings.is_empty() || only_code.is_some_and(|id| id != cmp.codes[k].id) {
            continue;
        }
        match unit {
            UnitKind::Turn | UnitKind::Sentence => {
                let mut touched: HashMap<usize, Vec<Vec<(i64, i64)>>> = HashMap::new();
                for c in codings {
                    let (a, b) = ranges[c.doc];
                    let slice = &units[a..b];
                    let first = slice.partition_point(|u| u.end <= c.start);
                    let last = slice.partition_point(|u| u.start < c.end);
                    for u in a + first..a + last.max(first) {
                        touched.entry(u).or_insert_with(|| vec![Vec::new(); n])[c.coder]
                            .push((c.start, c.end));
                    }
                }
                for (u, spans) in touched {
                    let applied = spans.iter().filter(|s| !s.is_empty()).count();
                    if applied < n {
                        let x = units[u];
                        found.push((x.doc, x.start, x.end, k, spans));
                    }
                }
            }
            UnitKind::Char | UnitKind::Span => {
                let mut doc_start = 0;
                while doc_start < codings.len() {
                    let doc = codings[doc_start].doc;
                    let mut doc_end = doc_start;
                    while doc_end < codings.len() && codings[doc_end].doc == doc {
                        doc_end += 1;
                    }
                    let these = &codings[doc_start..doc_end];
                    for (s, e, mask) in disagreeing_runs(these, n) {
                        let mut spans = vec![Vec::new(); n];
                        for c in these.iter().filter(|c| c.start < e && c.end > s) {
                            if mask & (1 << c.coder.min(63)) != 0 {
                                spans[c.coder].push((c.start, c.end));
                            }
                        }
                        found.push((doc, s, e, k, spans));
                    }
                    doc_start = doc_end;
                }
            }
        }
    }
    let reviewed = reviewed_units(conn, cmp)?;
    found.retain(|(doc, s, e, k, _)| {
        !reviewed.contains(&(cmp.documents[*doc].id, cmp.codes[*k].id, *s, *e))
    });
    let alpha: HashMap<&str, f64> = report
        .codes
        .iter()
        .map(|c| {
            (
                c.code.as_str(),
                c.coefficients
                    .krippendorff_alpha
                    .or(c.coefficients.u_alpha)
                    .flatten()
                    .unwrap_or(f64::NEG_INFINITY),
            )
        })
        .collect();
    let key = |k: usize| {
        alpha
            .get(cmp.codes[k].path.as_str())
            .copied()
            .unwrap_or(f64::NEG_INFINITY)
    };
    found.sort_by(|a, b| {
        key(a.3)
            .total_cmp(&key(b.3))
            .then(cmp.codes[a.3].path.cmp(&cmp.codes[b.3].path))
            .then(a.0.cmp(&b.0))
            .then(a.1.cmp(&b.1))
    });
    // Texts and speakers, read once per document that has disagreements.
    let mut texts: HashMap<usize, Vec<char>> = HashMap::new();
    let mut speakers: HashMap<usize, Vec<(i64, Option<String>)>> = HashMap::new();
    let mut turns = conn
        .prepare_cached("SELECT start, speaker FROM turns WHERE document_id = ?1 ORDER BY start")?;
    let mut out = Vec::with_capacity(found.len());
    for (doc, start, end, k, spans) in found {
        let d = &cmp.documents[doc];
        if let std::collections::hash_map::Entry::Vacant(e) = texts.entry(doc) {
            e.insert(crate::study::documents::text(conn, d.id)?.chars().collect());
            let list = turns
                .query_map([d.id], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<Vec<_>, _>>()?;
            speakers.insert(doc, list);
        }
        let chars = &texts[&doc];
        let (a, b) = (
            (start.max(0) as usize).min(chars.len()),
            (end.max(0) as usize).min(chars.len()),
        );
        let sp = &speakers[&doc];
        let at = sp.partition_point(|t| t.0 <= start);
        let speaker = at.checked_sub(1).and_then(|i| sp[i].1.clone());
        let code = &cmp.codes[k];
        out.push(Disagreement {
            code: code.path.clone(),
            code_id: code.id,
            document: d.name.clone(),
            document_id: d.id,
            start,
            end,
            speaker,
            text: chars[a..b.max(a)].iter().collect(),
            versions: cmp
                .coders
                .iter()
                .zip(spans)
                .map(|(c, spans)| CoderVersion {
                    coder: c.name.clone(),
                    applied: !spans.is_empty(),
                    spans: dedup(spans),
                })
                .collect(),
        });
    }
    Ok(out)
}

/// A disagreement before its text is read: (doc, start, end, code, per-coder spans).
type Found = (usize, i64, i64, usize, Vec<Vec<(i64, i64)>>);

/// Every reviewed (document, code, start, end) among the compared documents.
fn reviewed_units(conn: &Connection, cmp: &Comparison) -> Result<HashSet<(i64, i64, i64, i64)>> {
    let mut stmt =
        conn.prepare_cached("SELECT code_id, start, \"end\" FROM reviews WHERE document_id = ?1")?;
    let mut out = HashSet::new();
    for d in &cmp.documents {
        for row in stmt.query_map([d.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))? {
            let (k, s, e) = row?;
            out.insert((d.id, k, s, e));
        }
    }
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
