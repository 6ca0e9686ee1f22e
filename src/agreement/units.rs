//! From the study file to compact agreement data: which documents count, the units of analysis
//! (turns, sentences, characters), and each coder's codings as small integers.

use crate::codebook::{self, Code};
use crate::error::Result;
use crate::study::documents;
use rusqlite::Connection;
use serde::Serialize;
use unicode_segmentation::UnicodeSegmentation;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum UnitKind {
    Turn,
    Sentence,
    Char,
    Span,
}

impl UnitKind {
    pub fn name(self) -> &'static str {
        match self {
            UnitKind::Turn => "turn",
            UnitKind::Sentence => "sentence",
            UnitKind::Char => "char",
            UnitKind::Span => "span",
        }
    }
}

/// A unit of analysis: [start, end) of one compared document (index into `documents`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unit {
    pub doc: usize,
    pub start: i64,
    pub end: i64,
}

/// One coding in compact form: indices into the comparison's documents, codes and coders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompactCoding {
    pub doc: usize,
    pub code: usize,
    pub coder: usize,
    pub start: i64,
    pub end: i64,
}

#[derive(Debug, Clone)]
pub struct ComparedDocument {
    pub id: i64,
    pub name: String,
    pub char_count: i64,
}

/// Everything the coefficients need, loaded once.
pub struct Comparison {
    pub coders: Vec<crate::study::Coder>,
    pub documents: Vec<ComparedDocument>,
    /// Documents left out because not every compared coder coded them.
    pub left_out: Vec<String>,
    pub codes: Vec<Code>,
    pub codings: Vec<CompactCoding>,
}

pub struct Selection<'a> {
    /// Coder names; empty means every coder with codings except consensus coders.
    pub coders: &'a [String],
    /// Document names; empty means all.
    pub documents: &'a [String],
}

impl Comparison {
    pub fn load(conn: &Connection, sel: &Selection) -> Result<Comparison> {
        let all_coders = crate::study::coders_with_codings(conn)?;
        let coders: Vec<crate::study::Coder> = if sel.coders.is_empty() {
            all_coders.into_iter().filter(|c| !c.is_consensus).collect()
        } else {
            sel.coders
                .iter()
                .map(|name| {
                    all_coders
                        .iter()
                        .find(|c| &c.name == name)
                        .cloned()
                        .ok_or_else(|| {
                            crate::not_found!("coder '{name}' has no codings in this study")
                        })
                })
                .collect::<Result<_>>()?
        };
        if coders.len() < 2 {
            return Err(crate::invalid!(
                "agreement needs at least two coders with codings; found {}",
                coders.len()
            ));
        }
        let mut docs = documents::list(conn)?;
        if !sel.documents.is_empty() {
            let wanted: Vec<i64> = sel
                .documents
                .iter()
                .map(|d| documents::resolve(conn, d).map(|d| d.id))
                .collect::<Result<_>>()?;
            docs.retain(|d| wanted.contains(&d.id));
        }
        let mut coded_by =
            conn.prepare_cached("SELECT DISTINCT coder_id FROM codings WHERE document_id = ?1")?;
        let mut documents = Vec::new();
        let mut left_out = Vec::new();
        for d in docs {
            let ids: Vec<i64> = coded_by
                .query_map([d.id], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            if coders.iter().all(|c| ids.contains(&c.id)) {
                documents.push(ComparedDocument {
                    id: d.id,
                    name: d.name,
                    char_count: d.char_count,
                });
            } else {
                left_out.push(d.name);
            }
        }
        let codes = codebook::all(conn)?;
        let mut stmt = conn.prepare_cached(
            "SELECT document_id, code_id, coder_id, start, \"end\" FROM codings ORDER BY document_id, start",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get(3)?,
                r.get(4)?,
            ))
        })?;
        let mut codings = Vec::new();
        for row in rows {
            let (doc, code, coder, start, end) = row?;
            let (Some(doc), Some(code), Some(coder)) = (
                documents.iter().position(|d| d.id == doc),
                codes.iter().position(|c| c.id == code),
                coders.iter().position(|c| c.id == coder),
            ) else {
                continue;
            };
            codings.push(CompactCoding {
                doc,
                code,
                coder,
                start,
                end,
            });
        }
        Ok(Comparison {
            coders,
            documents,
            left_out,
            codes,
            codings,
        })
    }

    /// The units of analysis of the compared documents, in document and text order.
    pub fn units(&self, conn: &Connection, kind: UnitKind) -> Result<Vec<Unit>> {
        let mut units = Vec::new();
        for (i, d) in self.documents.iter().enumerate() {
            match kind {
                UnitKind::Turn => {
                    for t in documents::turns(conn, d.id)? {
                        units.push(Unit {
                            doc: i,
                            start: t.start,
                            end: t.end,
                        });
                    }
                }
                UnitKind::Sentence => {
                    let text = documents::text(conn, d.id)?;
                    for t in documents::turns(conn, d.id)? {
                        sentences(&text, t.start, t.end, i, &mut units);
                    }
                }
                UnitKind::Char | UnitKind::Span => {
                    units.extend((0..d.char_count).map(|c| Unit {
                        doc: i,
                        start: c,
                        end: c + 1,
                    }));
                }
            }
        }
        Ok(units)
    }
}

/// Splits the turn [start, end) into sentence units (Unicode sentence boundaries), dropping
/// whitespace-only pieces.
fn sentences(text: &str, start: i64, end: i64, doc: usize, out: &mut Vec<Unit>) {
    let turn = crate::text::slice_chars(text, start as usize, end as usize);
    let mut offset = start;
    for piece in turn.split_sentence_bounds() {
        let len = piece.chars().count() as i64;
        let lead = piece.chars().take_while(|c| c.is_whitespace()).count() as i64;
        let trail = piece
            .chars()
            .rev()
            .take_while(|c| c.is_whitespace())
            .count() as i64;
        if lead < len {
            out.push(Unit {
                doc,
                start: offset + lead,
                end: offset + len - trail,
            });
        }
        offset += len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_on_unicode_bounds_and_trim() {
        let text = "Hi. I use it weekly! Really?  Yes";
        let mut out = Vec::new();
        sentences(text, 0, text.chars().count() as i64, 0, &mut out);
        let got: Vec<&str> = out
            .iter()
            .map(|u| crate::text::slice_chars(text, u.start as usize, u.end as usize))
            .collect();
        assert_eq!(got, ["Hi.", "I use it weekly!", "Really?", "Yes"]);
    }
}
