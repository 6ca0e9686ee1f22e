//! From the study file to compact agreement data: which documents count, the units of analysis
//! (turns, sentences, characters), and each coder's codings as small integers.
//! Which coders and documents are compared is decided in [`super::scope`].

use super::scope::{self, Scope};
use super::sentences;
use crate::codebook::{self, Code};
use crate::coding::packs;
use crate::error::Result;
use crate::study::documents;
use rusqlite::Connection;
use serde::Serialize;
use std::collections::HashMap;

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
    /// Documents left out (names), with the reasons in `scope.left_out`.
    pub left_out: Vec<String>,
    /// How coders and documents were chosen, and what was left out and why.
    pub scope: Scope,
    pub codes: Vec<Code>,
    pub codings: Vec<CompactCoding>,
    /// Each compared document's turns, (start, end) in text order.
    pub turns: Vec<Vec<packs::PackedTurn>>,
    /// Only units inside these ranges count, per document id (an ICR round's drawn turns).
    pub restrict: Option<HashMap<i64, Vec<(i64, i64)>>>,
}

pub struct Selection<'a> {
    /// Coder names; empty means the default rule (see [`super::scope`]).
    pub coders: &'a [String],
    /// Document names; empty means all.
    pub documents: &'a [String],
}

/// Stage timings on stderr when `THEMATIC_TIMINGS` is set (for benchmarks; off by default).
pub(crate) struct Timer(Option<std::time::Instant>);

impl Timer {
    pub(crate) fn start() -> Timer {
        Timer(
            std::env::var_os("THEMATIC_TIMINGS")
                .is_some()
                .then(std::time::Instant::now),
        )
    }

    pub(crate) fn lap(&self, what: &str) {
        if let Some(t) = self.0 {
            eprintln!("timing: {what}: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
        }
    }
}

/// Dense lookup from a row id to a small index (ids are autoincrement, so a vector indexed by
/// id is compact); ids beyond the table map to nothing.
struct IdIndex(Vec<u32>);

impl IdIndex {
    const NONE: u32 = u32::MAX;

    fn new(ids: impl Iterator<Item = i64> + Clone) -> IdIndex {
        let max = ids.clone().max().unwrap_or(0).max(0) as usize;
        let mut v = vec![Self::NONE; max + 1];
        for (i, id) in ids.enumerate() {
            if id >= 0 {
                v[id as usize] = i as u32;
            }
        }
        IdIndex(v)
    }

    fn get(&self, id: i64) -> Option<usize> {
        let i = *self.0.get(usize::try_from(id).ok()?)?;
        (i != Self::NONE).then_some(i as usize)
    }
}

impl Comparison {
    pub fn load(conn: &Connection, sel: &Selection) -> Result<Comparison> {
        let wanted: Vec<i64> = sel
            .documents
            .iter()
            .map(|d| documents::resolve(conn, d).map(|d| d.id))
            .collect::<Result<_>>()?;
        // Every coding as small integers, from the documents' packs: it tells the rules who
        // coded what, and holds the codings the comparison keeps.
        let timer = Timer::start();
        let by_document = packs::by_document(conn, None)?;
        let mut usage = scope::Usage::default();
        let mut doc_counts: Vec<(i64, u64)> = Vec::new();
        for pack in &by_document {
            doc_counts.clear();
            for c in &pack.codings {
                match doc_counts.iter_mut().find(|(coder, _)| *coder == c[1]) {
                    Some(slot) => slot.1 += 1,
                    None => doc_counts.push((c[1], 1)),
                }
            }
            if !doc_counts.is_empty() {
                usage.add_counts(pack.id, &doc_counts);
            }
        }
        timer.lap("read codings");
        let scope = scope::choose_with(conn, sel.coders, &wanted, usage)?;
        let cmp = Self::assemble(conn, scope, by_document, None)?;
        timer.lap("compact codings");
        Ok(cmp)
    }

    /// The comparison of `scope` from the documents' packs: ids mapped to small indices by
    /// direct lookup, codings of other coders (and, with `only_codes`, other codes) skipped.
    fn assemble(
        conn: &Connection,
        scope: Scope,
        mut packs: Vec<packs::DocumentPack>,
        only_codes: Option<&[i64]>,
    ) -> Result<Comparison> {
        let documents = Self::documents(conn, &scope)?;
        let codes = codebook::all(conn)?;
        let code_index = IdIndex::new(codes.iter().map(|c| c.id));
        let coder_index = IdIndex::new(scope.coders.iter().map(|c| c.id));
        let keep_code: Vec<bool> = match only_codes {
            None => vec![true; codes.len()],
            Some(ids) => codes.iter().map(|c| ids.contains(&c.id)).collect(),
        };
        let mut codings = Vec::new();
        let mut turns = Vec::with_capacity(documents.len());
        for (doc, d) in documents.iter().enumerate() {
            let Ok(i) = packs.binary_search_by_key(&d.id, |p| p.id) else {
                turns.push(Vec::new());
                continue;
            };
            let pack = std::mem::take(&mut packs[i]);
            for [code, coder, start, end] in pack.codings {
                let (Some(code), Some(coder)) = (code_index.get(code), coder_index.get(coder))
                else {
                    continue;
                };
                if keep_code[code] {
                    codings.push(CompactCoding {
                        doc,
                        code,
                        coder,
                        start,
                        end,
                    });
                }
            }
            turns.push(pack.turns);
        }
        // Grouped by document; within one in the analysis index's order (code, coder, start),
        // which the search for each coding's units takes advantage of.
        Ok(Comparison {
            coders: scope.coders.clone(),
            left_out: scope.left_out.iter().map(|l| l.name.clone()).collect(),
            scope,
            documents,
            codes,
            codings,
            turns,
            restrict: None,
        })
    }

    fn documents(conn: &Connection, scope: &Scope) -> Result<Vec<ComparedDocument>> {
        let mut names =
            conn.prepare_cached("SELECT name, char_count FROM documents WHERE id = ?1")?;
        let mut out = Vec::with_capacity(scope.documents.len());
        for &id in &scope.documents {
            let (name, char_count) = names.query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            out.push(ComparedDocument {
                id,
                name,
                char_count,
            });
        }
        Ok(out)
    }

    /// Reads the codings of the scope's coders in its documents. With `only_codes`, codings
    /// of other codes are skipped as they are read.
    pub fn from_scope(
        conn: &Connection,
        scope: Scope,
        only_codes: Option<&[i64]>,
    ) -> Result<Comparison> {
        let packs = packs::by_document(conn, Some(&scope.documents))?;
        Self::assemble(conn, scope, packs, only_codes)
    }

    /// The units of analysis of the compared documents, in document and text order.
    pub fn units(&self, conn: &Connection, kind: UnitKind) -> Result<Vec<Unit>> {
        let mut units = Vec::new();
        for (i, d) in self.documents.iter().enumerate() {
            let turns = &self.turns[i];
            match kind {
                UnitKind::Turn => {
                    units.extend(
                        turns
                            .iter()
                            .map(|&[start, end]| Unit { doc: i, start, end }),
                    )
                }
                UnitKind::Sentence => {
                    let chars: Vec<char> = documents::text(conn, d.id)?.chars().collect();
                    for &[start, end] in turns {
                        let (a, b) = (
                            start.max(0) as usize,
                            (end.max(0) as usize).min(chars.len()),
                        );
                        if a >= b {
                            continue;
                        }
                        for (s, e) in sentences::split(&chars[a..b]) {
                            units.push(Unit {
                                doc: i,
                                start: start + s as i64,
                                end: start + e as i64,
                            });
                        }
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
        if let Some(allowed) = &self.restrict {
            units.retain(|u| {
                allowed
                    .get(&self.documents[u.doc].id)
                    .is_some_and(|ranges| {
                        let i = ranges.partition_point(|r| r.1 < u.end);
                        ranges
                            .get(i)
                            .is_some_and(|r| r.0 <= u.start && u.end <= r.1)
                    })
            });
        }
        Ok(units)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_index_maps_ids_to_positions() {
        let ix = IdIndex::new([7i64, 3, 12].into_iter());
        assert_eq!(ix.get(7), Some(0));
        assert_eq!(ix.get(3), Some(1));
        assert_eq!(ix.get(12), Some(2));
        assert_eq!(ix.get(4), None);
        assert_eq!(ix.get(99), None);
        assert_eq!(ix.get(-1), None);
    }
}
