//! Read-only queries the workbench needs beside the core's: who has coded, and which codes a
//! coder used last.

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
