//! Documents a coder marked done: "I have coded this; no coding here means I found nothing".
//! Agreement compares coders over the documents they all marked done (see [`super::scope`]).

use crate::error::Result;
use crate::study::history::{Recorder, id_key};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;

/// Marks (or, with `undo`, unmarks) a document done for a coder inside an action. Returns
/// false when it already was (or was not) marked.
pub fn set(rec: &mut Recorder, document_id: i64, coder_id: i64, undo: bool) -> Result<bool> {
    let existing: Option<i64> = rec
        .tx
        .prepare_cached("SELECT id FROM document_done WHERE document_id = ?1 AND coder_id = ?2")?
        .query_row(params![document_id, coder_id], |r| r.get(0))
        .optional()?;
    match (existing, undo) {
        (Some(id), true) => rec.delete("document_done", &id_key(id)),
        (None, false) => {
            let now = rec.now.clone();
            rec.insert(
                "document_done",
                &[
                    ("document_id", Value::Integer(document_id)),
                    ("coder_id", Value::Integer(coder_id)),
                    ("done_at", Value::Text(now)),
                ],
            )?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// Per document id: the names of the coders who marked it done, in name order.
pub fn by_document(conn: &Connection) -> Result<HashMap<i64, Vec<String>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.document_id, c.name FROM document_done d JOIN coders c ON c.id = d.coder_id ORDER BY c.name",
    )?;
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
        let (doc, name) = row?;
        out.entry(doc).or_default().push(name);
    }
    Ok(out)
}

/// A document's name by id (for messages).
pub fn document_name(conn: &Connection, document_id: i64) -> Result<String> {
    conn.prepare_cached("SELECT name FROM documents WHERE id = ?1")?
        .query_row([document_id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| crate::not_found!("document #{document_id} no longer exists"))
}

/// Whether `coder_id` marked `document_id` done.
pub fn is_done(conn: &Connection, document_id: i64, coder_id: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM document_done WHERE document_id = ?1 AND coder_id = ?2")?
        .exists(params![document_id, coder_id])?)
}
