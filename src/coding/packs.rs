//! Every coding and turn of a study as small integers, read from the per-document packs of
//! `document_packs` (schema version 11) instead of a row each.
//!
//! A pack is a cache kept honest by triggers: any change to a document's codings or turns drops its pack
//! in the same transaction. A reader takes one consistent snapshot, reads the packs there are,
//! scans the codings of the documents without one, and — when it can take the write lock without
//! waiting and is not inside someone else's transaction — stores the packs it had to rebuild, so
//! the next reader finds them. Storing is best effort: if it fails, the codings read are returned
//! all the same and nothing is left half-written (one transaction, rolled back).

use crate::error::Result;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, MAIN_DB, TransactionBehavior};
use std::time::Duration;

/// One coding: code id, coder id, start, end.
pub type PackedCoding = [i64; 4];

/// One turn: start, end.
pub type PackedTurn = [i64; 2];

/// One document's codings, in (code, coder, start, end) order, and turns, in text order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocumentPack {
    pub id: i64,
    pub codings: Vec<PackedCoding>,
    pub turns: Vec<PackedTurn>,
}

/// The packs of every document (or of `only` these documents), in ascending document id.
pub fn by_document(conn: &Connection, only: Option<&[i64]>) -> Result<Vec<DocumentPack>> {
    let store = conn.is_autocommit() && !conn.is_readonly(MAIN_DB)?;
    // A snapshot of our own: the packs and the scans of the other documents must agree.
    let tx = if conn.is_autocommit() {
        let writer = if store && missing_any(conn)? {
            try_immediate(conn)?
        } else {
            None
        };
        Some(match writer {
            Some(tx) => (tx, true),
            None => (conn.unchecked_transaction()?, false),
        })
    } else {
        None
    };
    let docs: Vec<i64> = match only {
        Some(ids) => {
            let mut ids = ids.to_vec();
            ids.sort_unstable();
            ids.dedup();
            ids
        }
        None => conn
            .prepare_cached("SELECT id FROM documents ORDER BY id")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?,
    };
    let mut packed =
        conn.prepare_cached("SELECT codings, turns FROM document_packs WHERE document_id = ?1")?;
    let mut codings = conn.prepare_cached(
        "SELECT code_id, coder_id, start, \"end\" FROM codings INDEXED BY codings_analysis WHERE document_id = ?1",
    )?;
    let mut turns = conn.prepare_cached(
        "SELECT start, \"end\" FROM turns INDEXED BY turns_span WHERE document_id = ?1 ORDER BY start",
    )?;
    let mut out = Vec::with_capacity(docs.len());
    let mut rebuilt = Vec::new();
    for id in docs {
        let mut rows = packed.query([id])?;
        let from_pack = match rows.next()? {
            Some(r) => match (r.get_ref(0)?, r.get_ref(1)?) {
                (ValueRef::Blob(c), ValueRef::Blob(t)) => decode::<4>(c).zip(decode::<2>(t)),
                _ => None,
            },
            None => None,
        };
        drop(rows);
        let pack = match from_pack {
            Some((codings, turns)) => DocumentPack { id, codings, turns },
            None => {
                rebuilt.push(out.len());
                DocumentPack {
                    id,
                    codings: codings
                        .query_map([id], |r| {
                            Ok([int(r, 0)?, int(r, 1)?, int(r, 2)?, int(r, 3)?])
                        })?
                        .collect::<rusqlite::Result<_>>()?,
                    turns: turns
                        .query_map([id], |r| Ok([int(r, 0)?, int(r, 1)?]))?
                        .collect::<rusqlite::Result<_>>()?,
                }
            }
        };
        out.push(pack);
    }
    if let Some((tx, writer)) = tx {
        if writer && !rebuilt.is_empty() {
            // Best effort: a full disk or a lock lost here costs the next reader a scan, no more.
            let stored = (|| -> rusqlite::Result<()> {
                let mut put = tx.prepare_cached(
                    "INSERT OR REPLACE INTO document_packs (document_id, codings, turns) VALUES (?1, ?2, ?3)",
                )?;
                for &i in &rebuilt {
                    let p = &out[i];
                    if let (Some(c), Some(t)) = (encode(&p.codings), encode(&p.turns)) {
                        put.execute(rusqlite::params![p.id, c, t])?;
                    }
                }
                Ok(())
            })();
            match stored {
                Ok(()) => tx.commit().or_else(|_| Ok::<(), rusqlite::Error>(()))?,
                Err(_) => tx.rollback().or_else(|_| Ok::<(), rusqlite::Error>(()))?,
            }
        } else {
            tx.rollback()?;
        }
    }
    Ok(out)
}

/// Whether some document has no pack (a quick look before asking for the write lock).
fn missing_any(conn: &Connection) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM documents d WHERE NOT EXISTS (SELECT 1 FROM document_packs p WHERE p.document_id = d.id))",
        )?
        .query_row([], |r| r.get(0))?)
}

/// The write lock if it is free now; never waits (a reader must not stall behind a writer).
fn try_immediate(conn: &Connection) -> Result<Option<rusqlite::Transaction<'_>>> {
    let wait: i64 = conn.query_row("PRAGMA busy_timeout", [], |r| r.get(0))?;
    conn.busy_timeout(Duration::ZERO)?;
    let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate).ok();
    conn.busy_timeout(Duration::from_millis(wait.max(0) as u64))?;
    Ok(tx)
}

/// An integer column, read without the generic conversion path (these scans read hundreds of
/// thousands of values); the columns read this way are NOT NULL integers, so anything else is
/// an error, not a guess.
#[inline]
fn int(r: &rusqlite::Row, i: usize) -> rusqlite::Result<i64> {
    match r.get_ref(i)? {
        ValueRef::Integer(v) => Ok(v),
        other => Err(rusqlite::Error::InvalidColumnType(
            i,
            format!("column {i}"),
            other.data_type(),
        )),
    }
}

/// The blob of `rows` (u32 little-endian each), or None when a value does not fit in a u32
/// (that document is then always scanned).
fn encode<const N: usize>(rows: &[[i64; N]]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(rows.len() * N * 4);
    for row in rows {
        for &v in row {
            out.extend_from_slice(&u32::try_from(v).ok()?.to_le_bytes());
        }
    }
    Some(out)
}

/// The rows of a blob; None for a blob that is not a whole number of rows.
fn decode<const N: usize>(bytes: &[u8]) -> Option<Vec<[i64; N]>> {
    if !bytes.len().is_multiple_of(N * 4) {
        return None;
    }
    Some(
        bytes
            .chunks_exact(N * 4)
            .map(|row| {
                std::array::from_fn(|i| {
                    let b = &row[i * 4..i * 4 + 4];
                    i64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_round_trip_and_refuse_what_does_not_fit() {
        let codings = vec![[1, 2, 0, 5], [1, 3, 4, 9], [7, 2, 100, u32::MAX as i64]];
        assert_eq!(decode::<4>(&encode(&codings).unwrap()).unwrap(), codings);
        let turns = vec![[0, 7], [7, 19]];
        assert_eq!(decode::<2>(&encode(&turns).unwrap()).unwrap(), turns);
        assert_eq!(encode(&[[1, 2, 0, 1 << 32]]), None);
        assert_eq!(encode(&[[-1, 2]]), None);
        assert_eq!(decode::<4>(&[0u8; 17]), None);
        assert_eq!(decode::<2>(&[0u8; 12]), None);
        assert_eq!(decode::<4>(&[]).unwrap(), Vec::<PackedCoding>::new());
    }
}
