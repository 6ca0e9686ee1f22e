//! Co-occurrence: which codes are applied together, either to overlapping text (`Overlap`) or
//! within the same speaker turn (`Turn`), and the excerpts behind each cell.
//!
//! Codes co-occur only within one coder's work: alex's "Cost" next to sam's "Trust" is a
//! difference between coders, not a co-occurrence. With all coders pooled:
//! - `Overlap` counts pairs of overlapping codings (same coder, different codes); the
//!   diagonal holds each code's number of codings.
//! - `Turn` counts turns in which some coder applied both codes; the diagonal holds the
//!   number of turns with the code.

use super::index::StudyIndex;
use crate::codebook::{self, Code};
use crate::error::Result;
use rusqlite::{Connection, params_from_iter};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CoScope {
    #[default]
    Overlap,
    Turn,
}

impl CoScope {
    pub fn as_str(self) -> &'static str {
        match self {
            CoScope::Overlap => "overlap",
            CoScope::Turn => "turn",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct CooccurrenceOptions {
    pub coder: Option<i64>,
    pub scope: CoScope,
    /// Count at the level of top-level themes (a code stands for its theme).
    pub themes: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeLabel {
    pub code_id: i64,
    pub path: String,
    pub colour: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cooccurrence {
    pub scope: CoScope,
    pub coder: Option<i64>,
    pub themes: bool,
    /// The codes (or themes) that have codings, in codebook order.
    pub codes: Vec<CodeLabel>,
    /// Symmetric; `counts[i][j]` for codes i and j.
    pub counts: Vec<Vec<u64>>,
}

impl Cooccurrence {
    /// The largest off-diagonal count (for scaling a heat map).
    pub fn max_pair(&self) -> u64 {
        let mut max = 0;
        for (i, row) in self.counts.iter().enumerate() {
            for (j, &v) in row.iter().enumerate() {
                if i != j {
                    max = max.max(v);
                }
            }
        }
        max
    }
}

/// For each code id, the unit it counts as: itself, or its top-level theme.
fn units(codes: &[Code], themes: bool) -> HashMap<i64, usize> {
    let by_id: HashMap<i64, &Code> = codes.iter().map(|c| (c.id, c)).collect();
    let pos: HashMap<i64, usize> = codes.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    codes
        .iter()
        .map(|c| {
            let mut top = c;
            if themes {
                let mut guard = 0;
                while let Some(p) = top.parent_id.and_then(|p| by_id.get(&p)) {
                    top = p;
                    guard += 1;
                    if guard > 64 {
                        break;
                    }
                }
            }
            (c.id, pos[&top.id])
        })
        .collect()
}

struct Raw {
    coder: i64,
    start: i64,
    end: i64,
    unit: usize,
}

pub fn cooccurrence(conn: &Connection, opts: &CooccurrenceOptions) -> Result<Cooccurrence> {
    let codes = codebook::all(conn)?;
    let unit_of = units(&codes, opts.themes);
    let n = codes.len();
    let mut counts = vec![vec![0u64; n]; n];
    let index = match opts.scope {
        CoScope::Turn => Some(StudyIndex::load(conn)?),
        CoScope::Overlap => None,
    };
    let mut stmt = conn.prepare_cached(
        "SELECT document_id, code_id, coder_id, start, \"end\" FROM codings INDEXED BY codings_analysis
          WHERE ?1 IS NULL OR coder_id = ?1 ORDER BY document_id",
    )?;
    let mut rows = stmt.query([opts.coder])?;
    let mut doc_codings: Vec<Raw> = Vec::new();
    let mut current = i64::MIN;
    let mut turn_units: Vec<(usize, i64, usize)> = Vec::new();
    let mut pairs_seen: HashSet<(usize, usize, usize)> = HashSet::new();
    let mut process = |doc: i64, list: &mut Vec<Raw>, counts: &mut Vec<Vec<u64>>| {
        match (&index, opts.scope) {
            (_, CoScope::Overlap) | (None, _) => {
                list.sort_by_key(|c| (c.coder, c.start));
                for (i, a) in list.iter().enumerate() {
                    counts[a.unit][a.unit] += 1;
                    for b in &list[i + 1..] {
                        if b.coder != a.coder || b.start >= a.end {
                            break;
                        }
                        if b.unit != a.unit {
                            counts[a.unit][b.unit] += 1;
                            counts[b.unit][a.unit] += 1;
                        }
                    }
                }
            }
            (Some(index), CoScope::Turn) => {
                let Some(&d) = index.doc_pos.get(&doc) else {
                    list.clear();
                    return;
                };
                let base = index.docs[d as usize].turns.start;
                turn_units.clear();
                for c in list.iter() {
                    for t in index.overlapped_range(d, c.start, c.end) {
                        turn_units.push((t - base, c.coder, c.unit));
                    }
                }
                turn_units.sort_unstable();
                turn_units.dedup();
                pairs_seen.clear();
                let mut i = 0;
                while i < turn_units.len() {
                    let (turn, coder, _) = turn_units[i];
                    let mut j = i;
                    while j < turn_units.len()
                        && turn_units[j].0 == turn
                        && turn_units[j].1 == coder
                    {
                        j += 1;
                    }
                    for x in i..j {
                        let a = turn_units[x].2;
                        if pairs_seen.insert((turn, a, a)) {
                            counts[a][a] += 1;
                        }
                        for y in turn_units.iter().take(j).skip(x + 1) {
                            let b = y.2;
                            if pairs_seen.insert((turn, a.min(b), a.max(b))) {
                                counts[a][b] += 1;
                                counts[b][a] += 1;
                            }
                        }
                    }
                    i = j;
                }
            }
        }
        list.clear();
    };
    while let Some(r) = rows.next()? {
        let doc: i64 = r.get(0)?;
        if doc != current {
            process(current, &mut doc_codings, &mut counts);
            current = doc;
        }
        let Some(&unit) = unit_of.get(&r.get::<_, i64>(1)?) else {
            continue;
        };
        doc_codings.push(Raw {
            coder: r.get(2)?,
            start: r.get(3)?,
            end: r.get(4)?,
            unit,
        });
    }
    process(current, &mut doc_codings, &mut counts);
    // Keep the codes that occur at all.
    let keep: Vec<usize> = (0..n).filter(|&i| counts[i][i] > 0).collect();
    Ok(Cooccurrence {
        scope: opts.scope,
        coder: opts.coder,
        themes: opts.themes,
        codes: keep
            .iter()
            .map(|&i| CodeLabel {
                code_id: codes[i].id,
                path: codes[i].path.clone(),
                colour: codes[i].colour.clone(),
            })
            .collect(),
        counts: keep
            .iter()
            .map(|&i| keep.iter().map(|&j| counts[i][j]).collect())
            .collect(),
    })
}

/// One excerpt behind a co-occurrence cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairExcerpt {
    pub document: String,
    pub coder: String,
    pub speaker: Option<String>,
    /// The passage shown: the union of the two codings (overlap) or the turn (turn).
    pub start: i64,
    pub end: i64,
    pub text: String,
    /// The codes' own ranges within it.
    pub a_code: String,
    pub a: (i64, i64),
    pub b_code: String,
    pub b: (i64, i64),
}

struct Side {
    id: i64,
    doc: i64,
    coder: i64,
    code: i64,
    start: i64,
    end: i64,
}

fn side(conn: &Connection, ids: &[i64], coder: Option<i64>) -> Result<Vec<Side>> {
    let marks = vec!["?"; ids.len()].join(", ");
    let sql = format!(
        "SELECT id, document_id, coder_id, code_id, start, \"end\" FROM codings WHERE code_id IN ({marks}) ORDER BY document_id, start"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(ids.iter()), |r| {
        Ok(Side {
            id: r.get(0)?,
            doc: r.get(1)?,
            coder: r.get(2)?,
            code: r.get(3)?,
            start: r.get(4)?,
            end: r.get(5)?,
        })
    })?;
    let mut out = Vec::new();
    for s in rows {
        let s = s?;
        if coder.is_none_or(|c| c == s.coder) {
            out.push(s);
        }
    }
    Ok(out)
}

/// The excerpts behind the cell of codes `a` and `b` (paths; a theme includes its subcodes),
/// in document order. Their number equals the matrix cell when `a` and `b` are its units.
pub fn pair_excerpts(
    conn: &Connection,
    a: &str,
    b: &str,
    opts: &CooccurrenceOptions,
) -> Result<Vec<PairExcerpt>> {
    let codes = codebook::all(conn)?;
    let code_a = codebook::resolve(&codes, a)?;
    let code_b = codebook::resolve(&codes, b)?;
    let ids_a = codebook::subtree_ids(&codes, code_a.id);
    let ids_b = codebook::subtree_ids(&codes, code_b.id);
    let path: HashMap<i64, &str> = codes.iter().map(|c| (c.id, c.path.as_str())).collect();
    let sa = side(conn, &ids_a, opts.coder)?;
    let sb = side(conn, &ids_b, opts.coder)?;
    let mut by_doc_b: HashMap<(i64, i64), Vec<&Side>> = HashMap::new();
    for s in &sb {
        by_doc_b.entry((s.doc, s.coder)).or_default().push(s);
    }
    let doc_names: HashMap<i64, String> = {
        let mut stmt = conn.prepare_cached("SELECT id, name FROM documents")?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    let coder_names: HashMap<i64, String> = {
        let mut stmt = conn.prepare_cached("SELECT id, name FROM coders")?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    // Candidate (passage, a, b) triples.
    let mut found: Vec<(i64, i64, i64, i64, &Side, &Side)> = Vec::new();
    match opts.scope {
        CoScope::Overlap => {
            for x in &sa {
                for y in by_doc_b.get(&(x.doc, x.coder)).into_iter().flatten() {
                    if y.id != x.id && y.start < x.end && y.end > x.start {
                        found.push((x.doc, x.start.min(y.start), x.end.max(y.end), x.coder, x, y));
                    }
                }
            }
        }
        CoScope::Turn => {
            let index = StudyIndex::load(conn)?;
            let mut seen: HashSet<usize> = HashSet::new();
            for x in &sa {
                let Some(&d) = index.doc_pos.get(&x.doc) else {
                    continue;
                };
                for ti in index.overlapped_range(d, x.start, x.end) {
                    let t = &index.turns[ti];
                    for y in by_doc_b.get(&(x.doc, x.coder)).into_iter().flatten() {
                        if y.id != x.id && y.start < t.end && y.end > t.start && seen.insert(ti) {
                            found.push((x.doc, t.start, t.end, x.coder, x, y));
                        }
                    }
                }
            }
        }
    }
    found.sort_by_key(|f| (f.0, f.1, f.2));
    let mut out = Vec::with_capacity(found.len());
    // Each document's text and turns are read once: an excerpt by SQLite `substr` and a speaker
    // query per row each walked the document from its start (rows × document length).
    for group in found.chunk_by(|a, b| a.0 == b.0) {
        let doc = group[0].0;
        let text = crate::study::documents::text(conn, doc)?;
        let offsets = crate::char_offsets::CharOffsets::new(&text);
        let turns = crate::study::documents::turns(conn, doc)?;
        for &(doc, start, end, coder, x, y) in group {
            // The turn containing (or next after) `start`, as `speaker_at` defines it.
            let k = turns.partition_point(|t| t.end <= start);
            out.push(PairExcerpt {
                document: doc_names.get(&doc).cloned().unwrap_or_default(),
                coder: coder_names.get(&coder).cloned().unwrap_or_default(),
                speaker: turns.get(k).and_then(|t| t.speaker.clone()),
                start,
                end,
                text: offsets.slice_i64(start, end).to_string(),
                a_code: path.get(&x.code).unwrap_or(&"").to_string(),
                a: (x.start, x.end),
                b_code: path.get(&y.code).unwrap_or(&"").to_string(),
                b: (y.start, y.end),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::seed;
    use super::*;

    fn cell(m: &Cooccurrence, a: &str, b: &str) -> u64 {
        let i = m.codes.iter().position(|c| c.path == a).unwrap();
        let j = m.codes.iter().position(|c| c.path == b).unwrap();
        m.counts[i][j]
    }

    #[test]
    fn overlap_and_turn_scopes() {
        let (_dir, study, _) = seed();
        let conn = study.conn();
        let overlap = cooccurrence(conn, &CooccurrenceOptions::default()).unwrap();
        // Only codes with codings: Cost, Distance, Trust, Worry (not the parents).
        assert_eq!(overlap.codes.len(), 4);
        // Cost × Worry: alex's Cost on FG1 t1 contains alex's Worry (coding 7) → 1; sam's
        // Cost has no Worry beside it (other coder).
        assert_eq!(cell(&overlap, "Access/Cost", "Emotion/Worry"), 1);
        assert_eq!(cell(&overlap, "Emotion/Worry", "Access/Cost"), 1);
        // Distance × Trust: coding 4 (FG1 t2..t3) contains coding 9 (FG1 t3) → 1.
        assert_eq!(cell(&overlap, "Access/Distance", "Trust"), 1);
        assert_eq!(cell(&overlap, "Access/Cost", "Trust"), 0);
        // Diagonal: codings per code.
        assert_eq!(cell(&overlap, "Access/Cost", "Access/Cost"), 3);
        let turn = cooccurrence(
            conn,
            &CooccurrenceOptions {
                scope: CoScope::Turn,
                ..Default::default()
            },
        )
        .unwrap();
        // Turns: FG1 t1 has Cost+Worry (alex) → 1; FG1 t3 has Distance+Trust → 1.
        assert_eq!(cell(&turn, "Access/Cost", "Emotion/Worry"), 1);
        assert_eq!(cell(&turn, "Access/Distance", "Trust"), 1);
        // Diagonal: turns with Cost = FG1 t1 (two coders, one turn) + FG2 t1 = 2.
        assert_eq!(cell(&turn, "Access/Cost", "Access/Cost"), 2);
        // Distance covers FG1 t2, t3 and FG3 t1 = 3 turns.
        assert_eq!(cell(&turn, "Access/Distance", "Access/Distance"), 3);
        // Themes: Access × Emotion = 1 (FG1 t1); Access × Trust = 1 (FG1 t3).
        let themes = cooccurrence(
            conn,
            &CooccurrenceOptions {
                scope: CoScope::Turn,
                themes: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(themes.codes.len(), 3);
        assert_eq!(cell(&themes, "Access", "Emotion"), 1);
        assert_eq!(cell(&themes, "Access", "Trust"), 1);
    }

    #[test]
    fn pair_lists_the_excerpts_of_a_cell() {
        let (_dir, study, _) = seed();
        let conn = study.conn();
        let list = pair_excerpts(conn, "Cost", "Worry", &CooccurrenceOptions::default()).unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].document, "FG1");
        assert_eq!(list[0].coder, "alex");
        assert_eq!(list[0].speaker.as_deref(), Some("P1"));
        assert_eq!(list[0].text, "The cost of the visit is too high for me.");
        let turn = pair_excerpts(
            conn,
            "Access",
            "Trust",
            &CooccurrenceOptions {
                scope: CoScope::Turn,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(turn.len(), 1);
        assert_eq!(turn[0].text, "Yes and the bus fare costs money too.");
    }
}
