//! Codings: a coder applying a code to [start, end) of a document (code points, half-open).

pub mod packs;
pub mod table;
pub mod view;

use crate::error::Result;
use crate::study::history::{Recorder, id_key};
use crate::study::new_guid;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coding {
    pub id: i64,
    pub document_id: i64,
    pub code_id: i64,
    pub coder_id: i64,
    pub start: i64,
    pub end: i64,
}

/// Checks [start, end) against a document of `char_count` code points.
pub fn check_range(document: &str, char_count: i64, start: i64, end: i64) -> Result<()> {
    if start < 0 || end <= start {
        return Err(crate::invalid!(
            "range {start}:{end} is empty or backwards (write START:END with START < END)"
        ));
    }
    if end > char_count {
        return Err(crate::invalid!(
            "range {start}:{end} runs past the end of {document}, which has {char_count} characters"
        ));
    }
    Ok(())
}

fn document_length(rec: &Recorder, document_id: i64) -> Result<(String, i64)> {
    rec.tx
        .prepare_cached("SELECT name, char_count FROM documents WHERE id = ?1")?
        .query_row([document_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or_else(|| crate::not_found!("document #{document_id} no longer exists"))
}

/// Applies a code; refuses a span this coder already holds with this code.
pub fn add(
    rec: &mut Recorder,
    document_id: i64,
    code_id: i64,
    coder_id: i64,
    start: i64,
    end: i64,
) -> Result<i64> {
    let (name, len) = document_length(rec, document_id)?;
    check_range(&name, len, start, end)?;
    let existing: Option<i64> = rec
        .tx
        .prepare_cached(
            "SELECT id FROM codings WHERE coder_id = ?1 AND code_id = ?2 AND document_id = ?3 AND start = ?4 AND \"end\" = ?5",
        )?
        .query_row(params![coder_id, code_id, document_id, start, end], |r| r.get(0))
        .optional()?;
    if existing.is_some() {
        return Err(crate::invalid!(
            "this coder already has that code on {name} {start}:{end}"
        ));
    }
    let now = rec.now.clone();
    rec.insert(
        "codings",
        &[
            ("guid", Value::Text(new_guid())),
            ("document_id", Value::Integer(document_id)),
            ("code_id", Value::Integer(code_id)),
            ("coder_id", Value::Integer(coder_id)),
            ("start", Value::Integer(start)),
            ("end", Value::Integer(end)),
            ("created_at", Value::Text(now)),
        ],
    )
}

/// Deletes a coding and the memos written on it.
pub fn delete_coding(rec: &mut Recorder, id: i64) -> Result<bool> {
    crate::memo::delete_attached(rec, "coding", id)?;
    rec.delete("codings", &id_key(id))
}

/// Moves a coding's boundaries (extend or shrink).
pub fn resize(rec: &mut Recorder, id: i64, start: i64, end: i64) -> Result<()> {
    let doc: i64 = rec
        .tx
        .query_row("SELECT document_id FROM codings WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?
        .ok_or_else(|| crate::not_found!("coding #{id} no longer exists"))?;
    let (name, len) = document_length(rec, doc)?;
    check_range(&name, len, start, end)?;
    rec.update(
        "codings",
        &id_key(id),
        &[
            ("start", Value::Integer(start)),
            ("end", Value::Integer(end)),
        ],
    )?;
    Ok(())
}

/// Removes `coder`'s codings of `code` that overlap [start, end). Returns how many.
pub fn uncode(
    rec: &mut Recorder,
    document_id: i64,
    code_id: i64,
    coder_id: i64,
    start: i64,
    end: i64,
) -> Result<usize> {
    let ids: Vec<i64> = rec
        .tx
        .prepare_cached(
            "SELECT id FROM codings WHERE document_id = ?1 AND code_id = ?2 AND coder_id = ?3 AND start < ?5 AND \"end\" > ?4",
        )?
        .query_map(params![document_id, code_id, coder_id, start, end], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in &ids {
        delete_coding(rec, *id)?;
    }
    Ok(ids.len())
}

fn coding_from_row(r: &rusqlite::Row) -> rusqlite::Result<Coding> {
    Ok(Coding {
        id: r.get(0)?,
        document_id: r.get(1)?,
        code_id: r.get(2)?,
        coder_id: r.get(3)?,
        start: r.get(4)?,
        end: r.get(5)?,
    })
}

/// Codings overlapping [start, end) of a document, in position order: what a screen shows.
pub fn overlapping(
    conn: &Connection,
    document_id: i64,
    start: i64,
    end: i64,
) -> Result<Vec<Coding>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, document_id, code_id, coder_id, start, \"end\" FROM codings
          WHERE document_id = ?1 AND start < ?3 AND \"end\" > ?2 ORDER BY start, \"end\" DESC, id",
    )?;
    let rows = stmt.query_map(params![document_id, start, end], coding_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn for_document(conn: &Connection, document_id: i64) -> Result<Vec<Coding>> {
    overlapping(conn, document_id, 0, i64::MAX)
}

/// One retrieved excerpt: a coding with where it is and what it says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Excerpt {
    pub coding_id: i64,
    pub document_id: i64,
    pub document: String,
    pub code: String,
    pub coder: String,
    pub speaker: Option<String>,
    pub start: i64,
    pub end: i64,
    pub text: String,
}

/// Every excerpt coded with one of `code_ids`, in document order, optionally for one coder.
///
/// Reads the codings first, then each document's text and turn starts once: slicing each
/// excerpt with SQLite's `substr` (and finding its speaker with a subquery) read the whole
/// document per coding, which made a long document cost codings × length.
pub fn excerpts(
    conn: &Connection,
    code_ids: &[i64],
    coder: Option<i64>,
    paths: &std::collections::HashMap<i64, String>,
) -> Result<Vec<Excerpt>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.document_id, c.code_id, k.name, c.start, c.\"end\"
           FROM codings c JOIN coders k ON k.id = c.coder_id
          WHERE c.code_id = ?1 AND (?2 IS NULL OR c.coder_id = ?2)",
    )?;
    let mut out = Vec::new();
    for &code in code_ids {
        let rows = stmt.query_map(params![code, coder], |r| {
            Ok(Excerpt {
                coding_id: r.get(0)?,
                document_id: r.get(1)?,
                document: String::new(),
                code: paths.get(&r.get::<_, i64>(2)?).cloned().unwrap_or_default(),
                coder: r.get(3)?,
                start: r.get(4)?,
                end: r.get(5)?,
                text: String::new(),
                speaker: None,
            })
        })?;
        for row in rows {
            out.push(row?);
        }
    }
    out.sort_by_key(|e| (e.document_id, e.start, e.end));
    let mut doc_stmt = conn.prepare_cached("SELECT name, text FROM documents WHERE id = ?1")?;
    let mut turn_stmt = conn
        .prepare_cached("SELECT start, speaker FROM turns WHERE document_id = ?1 ORDER BY start")?;
    for group in out.chunk_by_mut(|a, b| a.document_id == b.document_id) {
        let doc = group[0].document_id;
        let (name, text): (String, String) =
            doc_stmt.query_row([doc], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let offsets = crate::char_offsets::CharOffsets::new(&text);
        let turns: Vec<(i64, Option<String>)> = turn_stmt
            .query_map([doc], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<std::result::Result<_, _>>()?;
        for e in group.iter_mut() {
            e.document = name.clone();
            e.text = offsets.slice_i64(e.start, e.end).to_string();
            // The speaker of the last turn starting at or before the excerpt.
            let k = turns.partition_point(|(start, _)| *start <= e.start);
            e.speaker = k.checked_sub(1).and_then(|k| turns[k].1.clone());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_checked() {
        assert!(check_range("FG1", 10, 0, 10).is_ok());
        assert!(check_range("FG1", 10, 5, 5).is_err());
        let past = check_range("FG1", 10, 5, 11).unwrap_err().to_string();
        assert!(past.contains("past the end of FG1"), "{past}");
    }
}
