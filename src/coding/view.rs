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

/// A document's speakers with their participant and attributes, in one query (the workbench
/// runs it as the document selection moves; `participants::speakers` also counts turns).
pub fn speakers_brief(
    conn: &Connection,
    document_id: i64,
) -> Result<Vec<crate::study::participants::Speaker>> {
    use crate::study::participants::Speaker;
    let mut stmt = conn.prepare_cached(
        "SELECT s.label, p.pid, p.role, a.name, pa.value
           FROM speakers s
           LEFT JOIN participants p ON p.id = s.participant_id
           LEFT JOIN participant_attributes pa ON pa.participant_id = p.id
           LEFT JOIN attributes a ON a.id = pa.attribute_id
          WHERE s.document_id = ?1 ORDER BY s.rowid, a.id",
    )?;
    let mut out: Vec<Speaker> = Vec::new();
    let mut rows = stmt.query([document_id])?;
    while let Some(r) = rows.next()? {
        let label: String = r.get(0)?;
        if out.last().is_none_or(|s| s.label != label) {
            out.push(Speaker {
                label,
                participant: r.get(1)?,
                role: r.get(2)?,
                turns: 0,
                attributes: Default::default(),
            });
        }
        if let (Some(name), Some(value)) = (
            r.get::<_, Option<String>>(3)?,
            r.get::<_, Option<String>>(4)?,
        ) && let Some(s) = out.last_mut()
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
