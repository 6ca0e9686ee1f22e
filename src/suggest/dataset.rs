//! What the model learns from: one coder's documents cut into units (speaker turns or the
//! sentences within them), each labelled with the codes that coder applied to it. A unit counts
//! as coded when one of the coder's codings overlaps it — the rule agreement uses for units.
//! Only documents the coder coded take part: an untouched transcript is not evidence that none
//! of its turns has a code.

use crate::error::Result;
use crate::study::{Coder, documents};
use rusqlite::Connection;
use serde::Serialize;
use unicode_segmentation::UnicodeSegmentation;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum UnitKind {
    Turn,
    Sentence,
}

impl UnitKind {
    pub fn name(self) -> &'static str {
        match self {
            UnitKind::Turn => "turn",
            UnitKind::Sentence => "sentence",
        }
    }

    pub fn parse(s: &str) -> Option<UnitKind> {
        match s {
            "turn" => Some(UnitKind::Turn),
            "sentence" => Some(UnitKind::Sentence),
            _ => None,
        }
    }
}

/// A unit of one document: [start, end) in code points, and the turn it lies in (1-based).
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub doc: usize,
    pub turn: usize,
    pub start: i64,
    pub end: i64,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct Doc {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Dataset {
    pub coder: Coder,
    pub kind: UnitKind,
    pub docs: Vec<Doc>,
    /// In document order, then text order.
    pub units: Vec<Unit>,
    /// Codes the coder applied: (code id, path).
    pub codes: Vec<(i64, String)>,
    /// Per unit, the indices into `codes` of the codes it has, ascending.
    pub labels: Vec<Vec<u32>>,
}

/// Every unit of a document, in text order.
pub fn document_units(
    conn: &Connection,
    doc_index: usize,
    document_id: i64,
    kind: UnitKind,
) -> Result<Vec<Unit>> {
    let text = documents::text(conn, document_id)?;
    let turns = documents::turns(conn, document_id)?;
    // Byte offset of every code point (one pass), so each turn is sliced without rescanning.
    let offsets: Vec<usize> = text
        .char_indices()
        .map(|(b, _)| b)
        .chain([text.len()])
        .collect();
    let byte_at = |cp: i64| offsets[(cp.max(0) as usize).min(offsets.len() - 1)];
    let mut out = Vec::with_capacity(turns.len());
    let mut spans = Vec::with_capacity(turns.len());
    for t in &turns {
        let (s, e) = (byte_at(t.start), byte_at(t.end));
        spans.push((t.start, t.end, s, e.max(s)));
    }
    for (n, (start, _end, bs, be)) in spans.into_iter().enumerate() {
        let turn_text = &text[bs..be];
        match kind {
            UnitKind::Turn => out.push(Unit {
                doc: doc_index,
                turn: n + 1,
                start,
                end: start + turn_text.chars().count() as i64,
                text: turn_text.to_string(),
            }),
            UnitKind::Sentence => {
                let mut offset = start;
                for piece in turn_text.split_sentence_bounds() {
                    let len = piece.chars().count() as i64;
                    let trimmed = piece.trim();
                    if !trimmed.is_empty() {
                        let lead = piece.chars().take_while(|c| c.is_whitespace()).count() as i64;
                        out.push(Unit {
                            doc: doc_index,
                            turn: n + 1,
                            start: offset + lead,
                            end: offset + lead + trimmed.chars().count() as i64,
                            text: trimmed.to_string(),
                        });
                    }
                    offset += len;
                }
            }
        }
    }
    Ok(out)
}

/// Indices of the units (sorted, disjoint, of one document: `units[range]`) that [start, end)
/// overlaps, found by binary search.
pub fn overlapping(units: &[Unit], start: i64, end: i64) -> std::ops::Range<usize> {
    let first = units.partition_point(|u| u.end <= start);
    let last = units.partition_point(|u| u.start < end);
    first..last.max(first)
}

/// The coder's codings of one document: (code id, start, end).
fn codings_of(conn: &Connection, coder_id: i64, document_id: i64) -> Result<Vec<(i64, i64, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT code_id, start, \"end\" FROM codings WHERE coder_id = ?1 AND document_id = ?2",
    )?;
    let rows = stmt.query_map([coder_id, document_id], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

impl Dataset {
    pub fn load(conn: &Connection, coder: &Coder, kind: UnitKind) -> Result<Dataset> {
        let docs: Vec<Doc> = {
            let mut stmt = conn.prepare_cached(
                "SELECT d.id, d.name FROM documents d
                  WHERE EXISTS (SELECT 1 FROM codings c WHERE c.document_id = d.id AND c.coder_id = ?1)
                  ORDER BY d.sort_order, d.id",
            )?;
            let rows = stmt.query_map([coder.id], |r| {
                Ok(Doc {
                    id: r.get(0)?,
                    name: r.get(1)?,
                })
            })?;
            rows.collect::<Result<_, _>>()?
        };
        let paths = crate::codebook::all(conn)?;
        let mut code_index: std::collections::HashMap<i64, u32> = Default::default();
        let mut codes = Vec::new();
        let mut units = Vec::new();
        let mut labels: Vec<Vec<u32>> = Vec::new();
        for (i, d) in docs.iter().enumerate() {
            let doc_units = document_units(conn, i, d.id, kind)?;
            let base = units.len();
            labels.extend(std::iter::repeat_with(Vec::new).take(doc_units.len()));
            for (code_id, start, end) in codings_of(conn, coder.id, d.id)? {
                let k = *code_index.entry(code_id).or_insert_with(|| {
                    let path = paths
                        .iter()
                        .find(|c| c.id == code_id)
                        .map(|c| c.path.clone())
                        .unwrap_or_else(|| format!("#{code_id}"));
                    codes.push((code_id, path));
                    (codes.len() - 1) as u32
                });
                for u in overlapping(&doc_units, start, end) {
                    labels[base + u].push(k);
                }
            }
            units.extend(doc_units);
        }
        for l in labels.iter_mut() {
            l.sort_unstable();
            l.dedup();
        }
        Ok(Dataset {
            coder: coder.clone(),
            kind,
            docs,
            units,
            codes,
            labels,
        })
    }

    /// Keeps every k-th document (k as small as keeps at most `max_units` units), so that
    /// training cost stays bounded on a very large study. Returns a note saying what was kept,
    /// or None when everything fits (or `max_units` is 0: no limit).
    pub fn sample(&mut self, max_units: usize) -> Option<String> {
        let total = self.units.len();
        if max_units == 0 || total <= max_units || self.docs.len() < 4 {
            return None;
        }
        let every = total.div_ceil(max_units).min(self.docs.len() / 2).max(2);
        let kept_docs: Vec<usize> = (0..self.docs.len()).step_by(every).collect();
        let new_index: std::collections::HashMap<usize, usize> = kept_docs
            .iter()
            .enumerate()
            .map(|(new, &old)| (old, new))
            .collect();
        let (mut units, mut labels) = (Vec::new(), Vec::new());
        for (mut u, l) in std::mem::take(&mut self.units)
            .into_iter()
            .zip(std::mem::take(&mut self.labels))
        {
            if let Some(&d) = new_index.get(&u.doc) {
                u.doc = d;
                units.push(u);
                labels.push(l);
            }
        }
        let n_docs = self.docs.len();
        self.docs = kept_docs.iter().map(|&d| self.docs[d].clone()).collect();
        self.units = units;
        self.labels = labels;
        Some(format!(
            "learned from every {every}th document ({} of {n_docs}, {} of {total} units) to keep training to seconds; --max-units 0 uses all",
            self.docs.len(),
            self.units.len()
        ))
    }

    /// How many units carry each code.
    pub fn examples(&self) -> Vec<usize> {
        let mut n = vec![0; self.codes.len()];
        for l in &self.labels {
            for &k in l {
                n[k as usize] += 1;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(start: i64, end: i64) -> Unit {
        Unit {
            doc: 0,
            turn: 1,
            start,
            end,
            text: String::new(),
        }
    }

    #[test]
    fn units_are_exact_slices_of_the_document() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.thematic");
        crate::suggest::planted::generate(
            &path,
            &crate::suggest::planted::PlantedOptions {
                docs: 2,
                turns_per_doc: 12,
                codes: 2,
                seed: 9,
            },
        )
        .unwrap();
        let study = crate::Study::open(&path).unwrap();
        let conn = study.conn();
        let coder = study.coder_by_name("planted").unwrap().unwrap();
        for kind in [UnitKind::Turn, UnitKind::Sentence] {
            let data = Dataset::load(conn, &coder, kind).unwrap();
            assert_eq!(data.docs.len(), 2);
            assert_eq!(data.labels.len(), data.units.len());
            for u in &data.units {
                let text = documents::excerpt(conn, data.docs[u.doc].id, u.start, u.end).unwrap();
                assert_eq!(text, u.text, "{kind:?} unit {}:{}", u.start, u.end);
            }
            if kind == UnitKind::Turn {
                assert_eq!(data.units.len(), 24);
                // Planted codings are whole turns, so every coding labels exactly its turn.
                let labelled: usize = data.labels.iter().map(Vec::len).sum();
                let codings: i64 = conn
                    .query_row("SELECT count(*) FROM codings", [], |r| r.get(0))
                    .unwrap();
                assert_eq!(labelled as i64, codings);
            }
        }
    }

    #[test]
    fn overlap_finds_touched_units_only() {
        let units = [unit(0, 10), unit(11, 20), unit(21, 30)];
        assert_eq!(overlapping(&units, 5, 12), 0..2);
        assert_eq!(overlapping(&units, 10, 11), 1..1);
        assert_eq!(overlapping(&units, 25, 40), 2..3);
        assert_eq!(overlapping(&units, 0, 30), 0..3);
    }
}
