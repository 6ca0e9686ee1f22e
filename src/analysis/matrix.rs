//! The code × group matrix (NVivo's "matrix coding query"): for every code, rolled up to its
//! themes, how many codings, documents and participants fall in each group — each document,
//! each speaker, or each value of a participant or document attribute. Frequencies are the
//! same count with a single "all" column.

use super::index::{NONE, StudyIndex, int};
use super::{AttributeRef, NO_VALUE, resolve_attribute, sort_values};
use crate::codebook;
use crate::error::Result;
use crate::study::participants::Scope;
use rusqlite::Connection;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap, HashSet};

/// What the columns are.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Grouping {
    /// One column: the whole study.
    #[default]
    None,
    Document,
    /// One column per participant (per unlinked speaker label when not linked).
    Speaker,
    Attribute(AttributeRef),
}

impl Grouping {
    /// `document`, `speaker` (or `participant`), or an attribute name.
    pub fn parse(conn: &Connection, by: &str) -> Result<Grouping> {
        Ok(match by.to_lowercase().as_str() {
            "document" | "documents" | "doc" => Grouping::Document,
            "speaker" | "speakers" | "participant" | "participants" => Grouping::Speaker,
            "none" | "all" => Grouping::None,
            _ => Grouping::Attribute(resolve_attribute(conn, by)?),
        })
    }

    pub fn label(&self) -> String {
        match self {
            Grouping::None => "all".into(),
            Grouping::Document => "document".into(),
            Grouping::Speaker => "speaker".into(),
            Grouping::Attribute(a) => a.name.clone(),
        }
    }

    /// Whether a column holds participants (speaker, participant attribute) or documents.
    fn participant_scoped(&self) -> bool {
        match self {
            Grouping::Speaker => true,
            Grouping::Attribute(a) => a.scope == Scope::Participant,
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct MatrixOptions {
    /// One coder's codings (the consensus coder included); None pools the independent coders
    /// (never the consensus coder, whose codings repeat theirs).
    pub coder: Option<i64>,
    pub by: Grouping,
    /// Count moderators as participants (default: they are left out of participant counts).
    pub include_moderators: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub codings: u64,
    pub documents: u64,
    pub participants: u64,
}

/// A group, with how many documents and participants it holds (the denominators of
/// percentages), coded or not.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    pub label: String,
    pub documents: u64,
    pub participants: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatrixRow {
    pub code_id: i64,
    pub path: String,
    pub name: String,
    pub depth: usize,
    pub has_children: bool,
    pub colour: String,
    /// Over the whole study (rolled up over subcodes).
    pub total: Counts,
    /// One per column.
    pub cells: Vec<Counts>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Matrix {
    pub by: String,
    /// "participant" when columns are groups of participants, else "document".
    pub scope: String,
    pub coder: Option<i64>,
    pub include_moderators: bool,
    /// The whole study as one group (its documents and participants).
    pub study: Column,
    pub columns: Vec<Column>,
    /// Codes in codebook order (depth-first).
    pub rows: Vec<MatrixRow>,
    /// Coded with any code at all.
    pub any_code: Counts,
    pub any_code_cells: Vec<Counts>,
}

/// Which measure a percentage or a table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Measure {
    Codings,
    Documents,
    Participants,
}

impl Measure {
    pub fn of(self, c: &Counts) -> u64 {
        match self {
            Measure::Codings => c.codings,
            Measure::Documents => c.documents,
            Measure::Participants => c.participants,
        }
    }
}

impl Matrix {
    /// A cell as a percentage of its column: participants and documents of everyone in the
    /// group; codings of all codings in the group.
    pub fn percent(&self, cell: &Counts, column: Option<usize>, measure: Measure) -> Option<f64> {
        let (col, any) = match column {
            Some(k) => (&self.columns[k], &self.any_code_cells[k]),
            None => (&self.study, &self.any_code),
        };
        let denominator = match measure {
            Measure::Codings => any.codings,
            Measure::Documents => col.documents,
            Measure::Participants => col.participants,
        };
        (denominator > 0).then(|| 100.0 * measure.of(cell) as f64 / denominator as f64)
    }
}

#[derive(Clone, Copy, Default)]
struct Acc {
    codings: u64,
    documents: u64,
    participants: u64,
    stamp: u32,
    slot: u32,
}

/// Counts one coding in a cell: a coding, a document (once per document), and the speakers
/// in `bits` (a mask over the document's appearances) for the per-document distinct count.
#[inline]
fn touch(
    acc: &mut [Acc],
    slots: &mut Vec<u32>,
    masks: &mut Vec<u64>,
    cell: usize,
    bits: &[u64],
    stamp: u32,
) {
    let a = &mut acc[cell];
    a.codings += 1;
    if a.stamp != stamp {
        a.stamp = stamp;
        a.documents += 1;
    }
    if bits.iter().any(|&b| b != 0) {
        let words = bits.len();
        if a.slot == NONE {
            a.slot = (slots.len()) as u32;
            slots.push(cell as u32);
            masks.resize(masks.len() + words, 0);
        }
        let base = a.slot as usize * words;
        for (w, b) in bits.iter().enumerate() {
            masks[base + w] |= b;
        }
    }
}

/// Runs the query. Reads codings in document order from the covering index, maps each to
/// the speakers of the turns it overlaps, and counts distinct documents and participants per
/// (code or ancestor, column) with per-document bit masks.
pub fn matrix(conn: &Connection, opts: &MatrixOptions) -> Result<Matrix> {
    let codes = codebook::all(conn)?;
    let (index, codings) = StudyIndex::load_alongside(conn, |c| read_codings(c, opts.coder))?;
    Ok(tally(&index, &codes, &codings, opts))
}

/// A coding as counting needs it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CodingPos {
    pub document_id: i64,
    pub code_id: i64,
    pub start: i64,
    pub end: i64,
}

/// One coder's (or everyone's) codings in document order, from the covering index.
pub(crate) fn read_codings(conn: &Connection, coder: Option<i64>) -> Result<Vec<CodingPos>> {
    // Start and end travel packed in one column (offsets are far below 2^31: transcripts are
    // at most 256 MB), which saves a column read per coding.
    // Pooling means the independent coders: the consensus coder's codings are derived from
    // theirs, so pooling them too would count agreed units twice (issue 11). Consensus is
    // analysed on its own with --coder consensus.
    const ALL: &str = "SELECT document_id, code_id, (start << 32) | \"end\" FROM codings
          INDEXED BY codings_analysis
          WHERE coder_id NOT IN (SELECT id FROM coders WHERE is_consensus = 1)
          ORDER BY document_id";
    const ONE: &str = "SELECT document_id, code_id, (start << 32) | \"end\" FROM codings
          INDEXED BY codings_analysis WHERE coder_id = ?1 ORDER BY document_id";
    let mut stmt = conn.prepare_cached(if coder.is_some() { ONE } else { ALL })?;
    let mut rows = match coder {
        Some(c) => stmt.query([c])?,
        None => stmt.query([])?,
    };
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let span = int(r, 2)?;
        out.push(CodingPos {
            document_id: int(r, 0)?,
            code_id: int(r, 1)?,
            start: span >> 32,
            end: span & 0xFFFF_FFFF,
        });
    }
    Ok(out)
}

/// Counts `codings` (in document order) into the matrix.
pub(crate) fn tally(
    index: &StudyIndex,
    codes: &[codebook::Code],
    codings: &[CodingPos],
    opts: &MatrixOptions,
) -> Matrix {
    let counted = |app: u32| index.counts(app, opts.include_moderators);
    // Columns: labels, and which column each document or appearance belongs to.
    let mut labels: Vec<String> = Vec::new();
    let mut doc_col: Vec<u32> = vec![NONE; index.docs.len()];
    let mut app_col: Vec<u32> = vec![NONE; index.apps.len()];
    match &opts.by {
        Grouping::None => {}
        Grouping::Document => {
            for (i, d) in index.docs.iter().enumerate() {
                labels.push(d.name.clone());
                doc_col[i] = i as u32;
            }
        }
        Grouping::Speaker => {
            let mut person_col: HashMap<u32, u32> = HashMap::new();
            for d in &index.docs {
                for &a in &d.apps {
                    if !counted(a) {
                        continue;
                    }
                    let p = index.apps[a as usize].person;
                    let col = *person_col.entry(p).or_insert_with(|| {
                        labels.push(index.people[p as usize].name.clone());
                        (labels.len() - 1) as u32
                    });
                    app_col[a as usize] = col;
                }
            }
        }
        Grouping::Attribute(attr) => {
            let value_of_doc = |d: usize| index.docs[d].attrs.get(&attr.id);
            let value_of_app = |a: usize| {
                index.people[index.apps[a].person as usize]
                    .attrs
                    .get(&attr.id)
            };
            let mut values: BTreeSet<String> = BTreeSet::new();
            let mut missing = false;
            if attr.scope == Scope::Document {
                for d in 0..index.docs.len() {
                    match value_of_doc(d) {
                        Some(v) => values.insert(v.clone()),
                        None => {
                            missing = true;
                            false
                        }
                    };
                }
            } else {
                for a in 0..index.apps.len() {
                    if !counted(a as u32) {
                        continue;
                    }
                    match value_of_app(a) {
                        Some(v) => values.insert(v.clone()),
                        None => {
                            missing = true;
                            false
                        }
                    };
                }
            }
            labels = values.into_iter().collect();
            sort_values(&mut labels);
            if missing {
                labels.push(NO_VALUE.into());
            }
            let pos: HashMap<&str, u32> = labels
                .iter()
                .enumerate()
                .map(|(i, l)| (l.as_str(), i as u32))
                .collect();
            let no_value = pos.get(NO_VALUE).copied().unwrap_or(NONE);
            if attr.scope == Scope::Document {
                for (d, col) in doc_col.iter_mut().enumerate() {
                    *col = value_of_doc(d).map_or(no_value, |v| pos[v.as_str()]);
                }
            } else {
                for (a, col) in app_col.iter_mut().enumerate() {
                    if counted(a as u32) {
                        *col = value_of_app(a).map_or(no_value, |v| pos[v.as_str()]);
                    }
                }
            }
        }
    }
    let participant_scoped = opts.by.participant_scoped();
    // Column 0 is the whole study; groups are columns 1..=K internally.
    let kt = labels.len() + 1;

    // Rows: codes in codebook order, then "any code".
    let row_of: HashMap<i64, usize> = codes.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let any_row = codes.len();
    let mut ancestors: Vec<Vec<u32>> = Vec::with_capacity(codes.len());
    for c in codes {
        let mut chain = vec![row_of[&c.id] as u32];
        let mut parent = c.parent_id;
        while let Some(p) = parent {
            let Some(&r) = row_of.get(&p) else { break };
            if chain.contains(&(r as u32)) {
                break;
            }
            chain.push(r as u32);
            parent = codes[r].parent_id;
        }
        chain.push(any_row as u32);
        ancestors.push(chain);
    }
    let nrows = codes.len() + 1;
    let mut acc: Vec<Acc> = vec![
        Acc {
            slot: NONE,
            ..Acc::default()
        };
        nrows * kt
    ];
    let mut seen_multi: HashSet<(u32, u32)> = HashSet::new();

    // Per-document scratch.
    let mut slots: Vec<u32> = Vec::new();
    let mut masks: Vec<u64> = Vec::new();
    let mut cmask: Vec<u64> = Vec::new();
    let mut counted_local: Vec<u64> = Vec::new();
    let mut pcols: Vec<(u32, Vec<u64>)> = Vec::new();
    let mut dcols: Vec<u32> = Vec::new();
    let mut persons: Vec<u32> = Vec::new();
    let mut masked: Vec<u64> = Vec::new();

    let mut current: Option<u32> = None;
    let mut current_id = i64::MIN;
    let mut words = 1usize;

    // Closes a document: turns each touched cell's appearance mask into distinct people.
    let flush = |doc: u32,
                 words: usize,
                 slots: &mut Vec<u32>,
                 masks: &mut Vec<u64>,
                 acc: &mut Vec<Acc>,
                 persons: &mut Vec<u32>,
                 seen_multi: &mut HashSet<(u32, u32)>| {
        let apps = &index.docs[doc as usize].apps;
        for (i, &cell) in slots.iter().enumerate() {
            persons.clear();
            for w in 0..words {
                let mut bits = masks[i * words + w];
                while bits != 0 {
                    let j = w * 64 + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    persons.push(index.apps[apps[j] as usize].person);
                }
            }
            persons.sort_unstable();
            persons.dedup();
            let a = &mut acc[cell as usize];
            for &p in persons.iter() {
                if !index.people[p as usize].multi_doc || seen_multi.insert((cell, p)) {
                    a.participants += 1;
                }
            }
            a.slot = NONE;
        }
        slots.clear();
        masks.clear();
    };

    for coding in codings {
        let doc_id = coding.document_id;
        if doc_id != current_id {
            if let Some(d) = current {
                flush(
                    d,
                    words,
                    &mut slots,
                    &mut masks,
                    &mut acc,
                    &mut persons,
                    &mut seen_multi,
                );
            }
            current_id = doc_id;
            current = index.doc_pos.get(&doc_id).copied();
            if let Some(d) = current {
                let doc = &index.docs[d as usize];
                words = doc.apps.len().div_ceil(64).max(1);
                counted_local.clear();
                counted_local.resize(words, 0);
                for (j, &a) in doc.apps.iter().enumerate() {
                    if counted(a) {
                        counted_local[j / 64] |= 1 << (j % 64);
                    }
                }
                dcols.clear();
                dcols.push(0);
                pcols.clear();
                if participant_scoped {
                    for (j, &a) in doc.apps.iter().enumerate() {
                        let col = app_col[a as usize];
                        if col == NONE {
                            continue;
                        }
                        let k = col + 1;
                        let entry = match pcols.iter_mut().position(|(c, _)| *c == k) {
                            Some(e) => e,
                            None => {
                                pcols.push((k, vec![0; words]));
                                pcols.len() - 1
                            }
                        };
                        pcols[entry].1[j / 64] |= 1 << (j % 64);
                    }
                } else if doc_col[d as usize] != NONE {
                    dcols.push(doc_col[d as usize] + 1);
                }
            }
        }
        let Some(d) = current else { continue };
        let Some(&row) = row_of.get(&coding.code_id) else {
            continue;
        };
        let (start, end) = (coding.start, coding.end);
        let stamp = d + 1;
        if words == 1 {
            // Up to 64 speakers in the document: one machine word per mask.
            let mut m = 0u64;
            for t in index.overlapped(d, start, end) {
                if t.app != NONE {
                    m |= 1 << t.local;
                }
            }
            m &= counted_local[0];
            for &x in &ancestors[row] {
                let base = x as usize * kt;
                for &k in &dcols {
                    touch(
                        &mut acc,
                        &mut slots,
                        &mut masks,
                        base + k as usize,
                        &[m],
                        stamp,
                    );
                }
                for (k, colmask) in &pcols {
                    let mm = m & colmask[0];
                    if mm != 0 {
                        touch(
                            &mut acc,
                            &mut slots,
                            &mut masks,
                            base + *k as usize,
                            &[mm],
                            stamp,
                        );
                    }
                }
            }
            continue;
        }
        cmask.clear();
        cmask.resize(words, 0);
        for t in index.overlapped(d, start, end) {
            if t.app != NONE {
                let j = t.local as usize;
                cmask[j / 64] |= 1 << (j % 64);
            }
        }
        for (w, c) in cmask.iter_mut().enumerate() {
            *c &= counted_local[w];
        }
        for &x in &ancestors[row] {
            let base = x as usize * kt;
            for &k in &dcols {
                touch(
                    &mut acc,
                    &mut slots,
                    &mut masks,
                    base + k as usize,
                    &cmask,
                    stamp,
                );
            }
            for (k, colmask) in &pcols {
                if cmask.iter().zip(colmask).any(|(a, b)| a & b != 0) {
                    masked.clear();
                    masked.extend(cmask.iter().zip(colmask).map(|(a, b)| a & b));
                    touch(
                        &mut acc,
                        &mut slots,
                        &mut masks,
                        base + *k as usize,
                        &masked,
                        stamp,
                    );
                }
            }
        }
    }
    if let Some(d) = current {
        flush(
            d,
            words,
            &mut slots,
            &mut masks,
            &mut acc,
            &mut persons,
            &mut seen_multi,
        );
    }

    // Denominators: everyone in each group, coded or not.
    let mut col_docs: Vec<HashSet<u32>> = vec![HashSet::new(); kt];
    let mut col_people: Vec<HashSet<u32>> = vec![HashSet::new(); kt];
    for (d, doc) in index.docs.iter().enumerate() {
        col_docs[0].insert(d as u32);
        if !participant_scoped && doc_col[d] != NONE {
            col_docs[doc_col[d] as usize + 1].insert(d as u32);
        }
        for &a in &doc.apps {
            if !counted(a) {
                continue;
            }
            let p = index.apps[a as usize].person;
            col_people[0].insert(p);
            if participant_scoped {
                if app_col[a as usize] != NONE {
                    let k = app_col[a as usize] as usize + 1;
                    col_people[k].insert(p);
                    col_docs[k].insert(d as u32);
                }
            } else if doc_col[d] != NONE {
                col_people[doc_col[d] as usize + 1].insert(p);
            }
        }
    }
    let column = |k: usize, label: String| Column {
        label,
        documents: col_docs[k].len() as u64,
        participants: col_people[k].len() as u64,
    };
    let counts = |cell: usize| Counts {
        codings: acc[cell].codings,
        documents: acc[cell].documents,
        participants: acc[cell].participants,
    };
    let has_children: HashSet<i64> = codes.iter().filter_map(|c| c.parent_id).collect();
    let out_rows = codes
        .iter()
        .enumerate()
        .map(|(i, c)| MatrixRow {
            code_id: c.id,
            path: c.path.clone(),
            name: c.name.clone(),
            depth: c.depth,
            has_children: has_children.contains(&c.id),
            colour: c.colour.clone(),
            total: counts(i * kt),
            cells: (1..kt).map(|k| counts(i * kt + k)).collect(),
        })
        .collect();
    Matrix {
        by: opts.by.label(),
        scope: if participant_scoped {
            "participant"
        } else {
            "document"
        }
        .into(),
        coder: opts.coder,
        include_moderators: opts.include_moderators,
        study: column(0, "all".into()),
        columns: labels
            .into_iter()
            .enumerate()
            .map(|(i, l)| column(i + 1, l))
            .collect(),
        rows: out_rows,
        any_code: counts(any_row * kt),
        any_code_cells: (1..kt).map(|k| counts(any_row * kt + k)).collect(),
    }
}
