//! Read-only queries the workbench needs beside the core's: who has coded, which codes a coder
//! used last, and a document's speakers in one query.

use crate::error::Result;
use rusqlite::Connection;

/// How many coders who are not the consensus coder have at least one coding.
pub fn independent_coders_with_codings(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT count(DISTINCT c.coder_id) FROM codings c JOIN coders k ON k.id = c.coder_id WHERE k.is_consensus = 0",
        )?
        .query_row([], |r| r.get(0))?)
}

/// The codes `coder` applied most recently, newest first, without repeats.
pub fn recent_codes(conn: &Connection, coder: i64, n: usize) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT code_id FROM codings WHERE coder_id = ?1 GROUP BY code_id ORDER BY max(id) DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(rusqlite::params![coder, n as i64], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A document's speakers with their participant and attributes, in one query
/// (`participants::speakers` also counts each speaker's turns).
pub fn speakers_brief(
    conn: &Connection,
    document_id: i64,
) -> Result<Vec<crate::study::participants::Speaker>> {
    Ok(speakers_of(conn, Some(document_id))?
        .remove(&document_id)
        .unwrap_or_default())
}

/// Every document's speakers, by document, in one query: the workbench reads them with the
/// document list, so moving the selection never touches the file.
pub fn all_speakers(
    conn: &Connection,
) -> Result<std::collections::HashMap<i64, Vec<crate::study::participants::Speaker>>> {
    speakers_of(conn, None)
}

fn speakers_of(
    conn: &Connection,
    document: Option<i64>,
) -> Result<std::collections::HashMap<i64, Vec<crate::study::participants::Speaker>>> {
    use crate::study::participants::Speaker;
    let mut stmt = conn.prepare_cached(
        "SELECT s.document_id, s.label, p.pid, p.role, a.name, pa.value
           FROM speakers s
           LEFT JOIN participants p ON p.id = s.participant_id
           LEFT JOIN participant_attributes pa ON pa.participant_id = p.id
           LEFT JOIN attributes a ON a.id = pa.attribute_id
          WHERE ?1 IS NULL OR s.document_id = ?1
          ORDER BY s.document_id, s.rowid, a.id",
    )?;
    let mut out: std::collections::HashMap<i64, Vec<Speaker>> = Default::default();
    let mut rows = stmt.query([document])?;
    while let Some(r) = rows.next()? {
        let doc: i64 = r.get(0)?;
        let label: String = r.get(1)?;
        let list = out.entry(doc).or_default();
        if list.last().is_none_or(|s| s.label != label) {
            list.push(Speaker {
                label,
                participant: r.get(2)?,
                role: r.get(3)?,
                turns: 0,
                attributes: Default::default(),
            });
        }
        if let (Some(name), Some(value)) = (
            r.get::<_, Option<String>>(4)?,
            r.get::<_, Option<String>>(5)?,
        ) && let Some(s) = list.last_mut()
        {
            s.attributes.insert(name, value);
        }
    }
    Ok(out)
}

/// (code, document, codings) for every code and document it is used in, optionally for one
/// coder: enough to count a theme's codings and documents with its subcodes.
pub fn code_document_counts(conn: &Connection, coder: Option<i64>) -> Result<Vec<(i64, i64, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT code_id, document_id, count(*) FROM codings
          WHERE ?1 IS NULL OR coder_id = ?1 GROUP BY code_id, document_id",
    )?;
    let rows = stmt.query_map([coder], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The codings that have at least one memo.
pub fn codings_with_memos(conn: &Connection) -> Result<std::collections::HashSet<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT target_id FROM memos WHERE target_kind = 'coding' AND target_id IS NOT NULL",
    )?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
