//! Documents and their speaker turns: what the transcript pane and the CLI read.

use crate::error::Result;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct DocumentSummary {
    pub id: i64,
    pub guid: String,
    pub name: String,
    pub source_name: String,
    pub format: String,
    pub content_hash: String,
    pub char_count: i64,
    pub turn_count: i64,
    pub imported_at: String,
    pub attributes: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Turn {
    pub id: i64,
    pub index: i64,
    pub speaker: Option<String>,
    pub start: i64,
    pub end: i64,
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
}

const SUMMARY_SQL: &str = "SELECT d.id, d.guid, d.name, d.source_name, d.format, d.content_hash, d.char_count, d.imported_at,
        (SELECT count(*) FROM turns t WHERE t.document_id = d.id)
   FROM documents d";

fn summary_from_row(r: &rusqlite::Row) -> rusqlite::Result<DocumentSummary> {
    Ok(DocumentSummary {
        id: r.get(0)?,
        guid: r.get(1)?,
        name: r.get(2)?,
        source_name: r.get(3)?,
        format: r.get(4)?,
        content_hash: r.get(5)?,
        char_count: r.get(6)?,
        imported_at: r.get(7)?,
        turn_count: r.get(8)?,
        attributes: BTreeMap::new(),
    })
}

fn with_attributes(
    conn: &Connection,
    mut docs: Vec<DocumentSummary>,
) -> Result<Vec<DocumentSummary>> {
    let mut stmt = conn.prepare_cached(
        "SELECT da.document_id, a.name, da.value FROM document_attributes da JOIN attributes a ON a.id = da.attribute_id",
    )?;
    let mut by_doc: BTreeMap<i64, BTreeMap<String, String>> = BTreeMap::new();
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?)))?;
    for row in rows {
        let (doc, name, value) = row?;
        by_doc.entry(doc).or_default().insert(name, value);
    }
    for d in &mut docs {
        if let Some(attrs) = by_doc.remove(&d.id) {
            d.attributes = attrs;
        }
    }
    Ok(docs)
}

/// Every document in study order (sort order, then import order). Never reads the texts.
pub fn list(conn: &Connection) -> Result<Vec<DocumentSummary>> {
    let sql = format!("{SUMMARY_SQL} ORDER BY d.sort_order, d.id");
    let mut stmt = conn.prepare_cached(&sql)?;
    let docs = stmt
        .query_map([], summary_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    with_attributes(conn, docs)
}

pub fn by_name(conn: &Connection, name: &str) -> Result<Option<DocumentSummary>> {
    let sql = format!("{SUMMARY_SQL} WHERE d.name = ?1");
    let doc = conn
        .prepare_cached(&sql)?
        .query_row([name], summary_from_row)
        .optional()?;
    Ok(match doc {
        Some(d) => with_attributes(conn, vec![d])?.pop(),
        None => None,
    })
}

/// Finds a document by exact name, else by a unique case-insensitive prefix.
pub fn resolve(conn: &Connection, name: &str) -> Result<DocumentSummary> {
    if let Some(d) = by_name(conn, name)? {
        return Ok(d);
    }
    let lower = name.to_lowercase();
    let matches: Vec<DocumentSummary> = list(conn)?
        .into_iter()
        .filter(|d| d.name.to_lowercase().starts_with(&lower))
        .collect();
    match matches.len() {
        1 => Ok(matches.into_iter().next().expect("one match")),
        0 => Err(crate::not_found!(
            "no document named '{name}' (see `thematic docs`)"
        )),
        _ => Err(crate::invalid!(
            "'{name}' matches several documents: {}",
            matches
                .iter()
                .map(|d| d.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

pub fn turns(conn: &Connection, document_id: i64) -> Result<Vec<Turn>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, idx, speaker, start, \"end\", start_ms, end_ms FROM turns WHERE document_id = ?1 ORDER BY idx",
    )?;
    let rows = stmt.query_map([document_id], |r| {
        Ok(Turn {
            id: r.get(0)?,
            index: r.get(1)?,
            speaker: r.get(2)?,
            start: r.get(3)?,
            end: r.get(4)?,
            start_ms: r.get(5)?,
            end_ms: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn text(conn: &Connection, document_id: i64) -> Result<String> {
    Ok(conn
        .prepare_cached("SELECT text FROM documents WHERE id = ?1")?
        .query_row([document_id], |r| r.get(0))?)
}

/// The text of [start, end) in code points; SQLite's substr counts characters for TEXT.
pub fn excerpt(conn: &Connection, document_id: i64, start: i64, end: i64) -> Result<String> {
    Ok(conn
        .prepare_cached("SELECT substr(text, ?2 + 1, ?3 - ?2) FROM documents WHERE id = ?1")?
        .query_row(params![document_id, start, end], |r| r.get(0))?)
}

pub fn by_hash(conn: &Connection, hash: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT name FROM documents WHERE content_hash = ?1")?
        .query_row([hash], |r| r.get(0))
        .optional()?)
}

pub fn content_hash(text: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Formats milliseconds as h:mm:ss (or m:ss under an hour), as transcripts show them.
pub fn format_timestamp(ms: i64) -> String {
    let s = ms / 1000;
    let (h, m, s) = (s / 3600, (s / 60) % 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_read_like_transcripts() {
        assert_eq!(format_timestamp(83_000), "01:23");
        assert_eq!(format_timestamp(3_723_000), "1:02:03");
    }

    #[test]
    fn hash_is_stable_sha256() {
        assert_eq!(
            content_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
