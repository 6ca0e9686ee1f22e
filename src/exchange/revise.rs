//! Revised transcripts: replacing a document's text (a typo fixed, a name anonymised) and
//! carrying every coding, turn and consensus decision over through a character diff (Myers, from
//! the `similar` crate). Text inserted exactly at a coding's edge stays outside it; a coding
//! whose whole text was deleted is removed. Codings that touched changed text are listed for
//! review. One recorded action: `thematic undo` restores the old text and offsets.

use crate::error::Result;
use crate::study::history::{Recorder, id_key};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};
use similar::{Algorithm, DiffOp, TextDiff};
use std::time::Duration;

/// What a revision did.
#[derive(Debug, Default, Clone, serde::Serialize, PartialEq)]
pub struct Revision {
    /// Characters deleted plus characters inserted.
    pub changed_chars: usize,
    pub codings_moved: usize,
    /// Codings whose text was changed by the revision (to review), one line each.
    pub touched: Vec<String>,
    /// Codings whose whole text was deleted (removed), one line each.
    pub removed: Vec<String>,
}

fn ops(old: &str, new: &str) -> Vec<DiffOp> {
    TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .timeout(Duration::from_secs(10))
        .diff_chars(old, new)
        .ops()
        .to_vec()
}

/// Characters deleted plus inserted between two texts (0 when equal).
pub fn changed_chars(old: &str, new: &str) -> usize {
    if old == new {
        return 0;
    }
    ops(old, new)
        .iter()
        .map(|op| match *op {
            DiffOp::Equal { .. } => 0,
            DiffOp::Delete { old_len, .. } => old_len,
            DiffOp::Insert { new_len, .. } => new_len,
            DiffOp::Replace {
                old_len, new_len, ..
            } => old_len + new_len,
        })
        .sum()
}

/// Where each old position goes: `start[p]` for a range starting at p, `end[p]` for one ending
/// at p (text inserted at p belongs to neither), and which old positions lie in changed text.
pub struct OffsetMap {
    start: Vec<usize>,
    end: Vec<usize>,
    /// changed_before[p]: old characters before p that were deleted or replaced.
    changed_before: Vec<usize>,
    /// inserts_before[p]: insertion points at positions < p.
    inserts_before: Vec<usize>,
    pub changed_chars: usize,
}

impl OffsetMap {
    pub fn new(old: &str, new: &str) -> OffsetMap {
        let old_len = old.chars().count();
        let new_len = new.chars().count();
        let mut start = vec![0; old_len + 1];
        let mut end = vec![0; old_len + 1];
        let mut changed = vec![0u8; old_len];
        let mut inserted = vec![0u8; old_len + 1];
        let mut changed_chars = 0;
        let all = ops(old, new);
        for op in &all {
            match *op {
                DiffOp::Equal {
                    old_index,
                    new_index,
                    len,
                } => {
                    for i in 0..len {
                        start[old_index + i] = new_index + i;
                        end[old_index + i] = new_index + i;
                    }
                }
                DiffOp::Delete {
                    old_index,
                    old_len,
                    new_index,
                } => {
                    changed_chars += old_len;
                    for i in 0..old_len {
                        start[old_index + i] = new_index;
                        end[old_index + i] = new_index;
                        changed[old_index + i] = 1;
                    }
                }
                DiffOp::Replace {
                    old_index,
                    old_len,
                    new_index,
                    new_len,
                } => {
                    changed_chars += old_len + new_len;
                    start[old_index] = new_index;
                    end[old_index] = new_index;
                    for i in 0..old_len {
                        changed[old_index + i] = 1;
                        if i > 0 {
                            start[old_index + i] = new_index;
                            end[old_index + i] = new_index + new_len;
                        }
                    }
                }
                DiffOp::Insert { .. } => {}
            }
        }
        start[old_len] = new_len;
        end[old_len] = new_len;
        // Insertions last: at an insertion point, a range ending there ends before the new
        // text and one starting there starts after it.
        for op in &all {
            if let DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } = *op
            {
                changed_chars += new_len;
                end[old_index] = new_index;
                start[old_index] = new_index + new_len;
                inserted[old_index] = 1;
            }
        }
        let mut changed_before = vec![0; old_len + 1];
        let mut inserts_before = vec![0; old_len + 2];
        for p in 0..old_len {
            changed_before[p + 1] = changed_before[p] + changed[p] as usize;
        }
        for p in 0..=old_len {
            inserts_before[p + 1] = inserts_before[p] + inserted[p] as usize;
        }
        OffsetMap {
            start,
            end,
            changed_before,
            inserts_before,
            changed_chars,
        }
    }

    /// The new range for old [s, e) (empty when its text was deleted).
    pub fn map(&self, s: usize, e: usize) -> (usize, usize) {
        let last = self.start.len() - 1;
        let (s, e) = (s.min(last), e.min(last));
        (self.start[s], self.end[e])
    }

    /// Whether the revision changed text inside old [s, e).
    pub fn touches(&self, s: usize, e: usize) -> bool {
        let last = self.start.len() - 1;
        let (s, e) = (s.min(last), e.min(last));
        if s >= e {
            return false;
        }
        self.changed_before[e] > self.changed_before[s]
            || self.inserts_before[e] > self.inserts_before[s + 1]
    }
}

/// Reads a corrected transcript as Thematic stores text: UTF-8, no BOM, LF line endings.
pub fn read_text(path: &std::path::Path) -> Result<String> {
    let bytes = std::fs::read(path)
        .map_err(|e| crate::invalid!("{}: cannot be read: {e}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        crate::invalid!(
            "{}: is not UTF-8 text (invalid byte at offset {}); save it as UTF-8 and try again",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    Ok(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// Replaces document `doc`'s text with `new` inside `rec`, moving its turns, codings and
/// consensus decisions through the diff.
pub fn revise_in(rec: &mut Recorder, doc: i64, new: &str) -> Result<Revision> {
    let (name, old): (String, String) = rec.tx.query_row(
        "SELECT name, text FROM documents WHERE id = ?1",
        [doc],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if new.trim().is_empty() {
        return Err(crate::invalid!(
            "the revised text of {name} is empty; nothing changed"
        ));
    }
    let map = OffsetMap::new(&old, new);
    let mut out = Revision {
        changed_chars: map.changed_chars,
        ..Revision::default()
    };
    if map.changed_chars == 0 {
        return Ok(out);
    }
    let hash = crate::study::documents::content_hash(new);
    if let Some(other) = rec
        .tx
        .prepare_cached("SELECT name FROM documents WHERE content_hash = ?1 AND id <> ?2")?
        .query_row(params![hash, doc], |r| r.get::<_, String>(0))
        .optional()?
    {
        return Err(crate::invalid!(
            "the revised text of {name} is exactly the text of document {other}; nothing changed"
        ));
    }
    rec.update(
        "document_text",
        &id_key(doc),
        &[
            ("text", Value::Text(new.to_string())),
            ("content_hash", Value::Text(hash)),
            ("char_count", Value::Integer(new.chars().count() as i64)),
        ],
    )?;
    let turns: Vec<(i64, i64, usize, usize)> = query(
        rec,
        "SELECT id, idx, start, \"end\" FROM turns WHERE document_id = ?1 ORDER BY idx",
        doc,
        |r| Ok((r.get(0)?, r.get(1)?, at(r, 2)?, at(r, 3)?)),
    )?;
    for (id, idx, s, e) in turns {
        let (ns, ne) = map.map(s, e);
        if ns >= ne {
            return Err(crate::invalid!(
                "the revision deletes the whole of turn {} of {name}; nothing changed (re-import the transcript instead)",
                idx + 1
            ));
        }
        if (ns, ne) != (s, e) {
            rec.update(
                "turn_bounds",
                &id_key(id),
                &[
                    ("start", Value::Integer(ns as i64)),
                    ("end", Value::Integer(ne as i64)),
                ],
            )?;
        }
    }
    let codings: Vec<(i64, usize, usize, String, String, i64, i64)> = query(
        rec,
        "SELECT k.id, k.start, k.\"end\", c.name, d.name, k.code_id, k.coder_id FROM codings k JOIN codes c ON c.id = k.code_id JOIN coders d ON d.id = k.coder_id WHERE k.document_id = ?1 ORDER BY k.start, k.id",
        doc,
        |r| {
            Ok((
                r.get(0)?,
                at(r, 1)?,
                at(r, 2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        },
    )?;
    let excerpt = |text: &str, s: usize, e: usize| -> String {
        let t: String = crate::text::slice_chars(text, s, e)
            .chars()
            .take(60)
            .collect();
        t.replace('\n', " ")
    };
    for (id, s, e, code, coder, code_id, coder_id) in codings {
        let (ns, ne) = map.map(s, e);
        let line = format!("{code} ({coder}) at {s}–{e}: '{}'", excerpt(&old, s, e));
        if ns >= ne {
            crate::coding::delete_coding(rec, id)?;
            out.removed.push(line);
            continue;
        }
        if map.touches(s, e) {
            out.touched
                .push(format!("{line} → '{}'", excerpt(new, ns, ne)));
        }
        if (ns, ne) == (s, e) {
            continue;
        }
        let duplicate: Option<i64> = rec
            .tx
            .prepare_cached(
                "SELECT id FROM codings WHERE coder_id = ?1 AND code_id = ?2 AND document_id = ?3 AND start = ?4 AND \"end\" = ?5",
            )?
            .query_row(params![coder_id, code_id, doc, ns as i64, ne as i64], |r| r.get(0))
            .optional()?;
        if duplicate.is_some() {
            crate::coding::delete_coding(rec, id)?;
            out.removed
                .push(format!("{line} (now the same as another coding)"));
            continue;
        }
        rec.update(
            "codings",
            &id_key(id),
            &[
                ("start", Value::Integer(ns as i64)),
                ("end", Value::Integer(ne as i64)),
            ],
        )?;
        out.codings_moved += 1;
    }
    let reviews: Vec<(i64, usize, usize)> = query(
        rec,
        "SELECT id, start, \"end\" FROM reviews WHERE document_id = ?1",
        doc,
        |r| Ok((r.get(0)?, at(r, 1)?, at(r, 2)?)),
    )?;
    for (id, s, e) in reviews {
        let (ns, ne) = map.map(s, e);
        // A decision on text that is gone, or that now coincides with another, is dropped.
        let kept = ns < ne
            && ((ns, ne) == (s, e)
                || rec
                    .update(
                        "reviews",
                        &id_key(id),
                        &[
                            ("start", Value::Integer(ns as i64)),
                            ("end", Value::Integer(ne as i64)),
                        ],
                    )
                    .is_ok());
        if !kept {
            rec.delete("reviews", &id_key(id))?;
        }
    }
    Ok(out)
}

/// An offset column (never negative: the schema checks 0 <= start < end).
fn at(r: &rusqlite::Row, i: usize) -> rusqlite::Result<usize> {
    Ok(r.get::<_, i64>(i)?.max(0) as usize)
}

fn query<T>(
    rec: &Recorder,
    sql: &str,
    doc: i64,
    f: impl FnMut(&rusqlite::Row) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = rec.tx.prepare(sql)?;
    let rows = stmt.query_map([doc], f)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// `thematic revise DOC FILE`: one recorded action.
pub fn revise(
    study: &mut crate::study::Study,
    coder: i64,
    document: &str,
    path: &std::path::Path,
) -> Result<(String, Revision)> {
    let doc = crate::study::documents::resolve(study.conn(), document)?;
    let text = read_text(path)?;
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let summary = format!("revise {} from {file}", doc.name);
    let revision = study.change(Some(coder), "revise", &summary, |rec| {
        revise_in(rec, doc.id, &text)
    })?;
    Ok((doc.name, revision))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_fix_keeps_ranges_and_flags_the_coding_it_touched() {
        let old = "Ana: I trsut the nurse.\nBen: The portal is slow.\n";
        let new = "Ana: I trust the nurse.\nBen: The portal is slow.\n";
        let m = OffsetMap::new(old, new);
        // "trsut the nurse" is 7..22 in both.
        assert_eq!(m.map(7, 22), (7, 22));
        assert!(m.touches(7, 22));
        // "The portal is slow" is untouched.
        let s = old.find("The portal").unwrap();
        assert_eq!(m.map(s, s + 18), (s, s + 18));
        assert!(!m.touches(s, s + 18));
    }

    #[test]
    fn insertions_shift_later_ranges_and_stay_outside_at_edges() {
        let old = "abc def ghi";
        let new = "abc XX def ghi";
        let m = OffsetMap::new(old, new);
        assert_eq!(m.map(4, 7), (7, 10)); // "def" moves right by 3
        assert_eq!(m.map(0, 3), (0, 3)); // "abc" stays
        assert!(!m.touches(4, 7));
        assert!(m.touches(0, 7)); // text inserted inside
        assert_eq!(changed_chars(old, new), 3);
    }

    #[test]
    fn a_deleted_range_becomes_empty() {
        let old = "keep this, drop that, keep";
        let new = "keep this, keep";
        let m = OffsetMap::new(old, new);
        let (s, e) = m.map(11, 20); // "drop that"
        assert!(s >= e, "{s} {e}");
        assert_eq!(m.map(0, 4), (0, 4));
        let k = old.rfind("keep").unwrap();
        assert_eq!(m.map(k, k + 4), (11, 15));
    }

    #[test]
    fn replacement_inside_a_range_extends_it_to_the_new_text() {
        let old = "my name is Anna Smith, hi";
        let new = "my name is [P03], hi";
        let m = OffsetMap::new(old, new);
        let (s, e) = m.map(0, 21);
        assert_eq!(crate::text::slice_chars(new, s, e), "my name is [P03]");
    }
}
