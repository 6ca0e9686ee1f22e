//! Is this file a Thematic study? Decided before anything is written to it (not even the switch
//! to WAL), so that a foreign database or an empty file handed to `--project` is refused
//! untouched, with the file named.
//!
//! Thematic files carry `PRAGMA application_id` = 0x54686D74 ("Thmt"), set by `init` and by
//! migration 6. Files written before that marker existed are recognised by their tables and
//! get the marker when they are migrated. An empty file becomes a study only through `init`.

use crate::error::{Error, Result};
use rusqlite::Connection;
use std::path::Path;

/// "Thmt": Thematic's `PRAGMA application_id` (the SQLite header's bytes 68–71).
pub const APPLICATION_ID: i64 = 0x5468_6D74;

/// Tables every Thematic study has had since version 1; a file without its marker is taken
/// for an older Thematic study only when all of them are there.
const CORE_TABLES: &[&str] = &[
    "meta",
    "coders",
    "documents",
    "turns",
    "codes",
    "codings",
    "memos",
    "changes",
    "change_rows",
];

fn refuse(path: &Path, message: String) -> Error {
    Error::Study {
        path: path.display().to_string(),
        message,
    }
}

/// Refuses a 0-byte file before SQLite opens it (SQLite would happily make it a database).
pub fn check_not_empty(path: &Path) -> Result<()> {
    if let Ok(m) = std::fs::metadata(path)
        && m.is_file()
        && m.len() == 0
    {
        return Err(refuse(
            path,
            format!(
                "is an empty file (0 bytes), not a study; nothing was written to it. To make a new study there, run `thematic init {}`",
                path.display()
            ),
        ));
    }
    Ok(())
}

/// Refuses anything but a Thematic study (or, when `creating`, the empty database `init` has
/// just made). Reads the header and the table list only.
pub fn check(conn: &Connection, path: &Path, creating: bool) -> Result<()> {
    let app: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    if app == APPLICATION_ID {
        return Ok(());
    }
    if app != 0 {
        return Err(refuse(
            path,
            format!(
                "is another program's SQLite database (application_id {app:#010x}), not a Thematic study file; it was not changed"
            ),
        ));
    }
    let mut stmt = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table'")?;
    let tables: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if tables.is_empty() && version == 0 {
        if creating {
            return Ok(());
        }
        return Err(refuse(
            path,
            format!(
                "is an empty SQLite database, not a study; it was not changed. Create a study with `thematic init {}` (at a new path)",
                path.display()
            ),
        ));
    }
    let missing: Vec<&str> = CORE_TABLES
        .iter()
        .copied()
        .filter(|t| !tables.iter().any(|have| have == t))
        .collect();
    if version >= 1 && missing.is_empty() {
        return Ok(()); // A study from before the marker: migration 6 adds it.
    }
    Err(refuse(
        path,
        format!(
            "is an SQLite database but not a Thematic study file (no Thematic marker, and it lacks Thematic's tables: {}); it was not changed",
            if missing.is_empty() {
                "a schema version".to_string()
            } else {
                missing.join(", ")
            }
        ),
    ))
}

/// Gives a study that passed [`check`] the marker and the caps of migration 6 when it lacks
/// them (a study made before the marker existed, even one already at a later schema version).
pub fn ensure_marker(conn: &mut Connection) -> Result<()> {
    let app: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    if app == APPLICATION_ID {
        return Ok(());
    }
    let tx = conn.transaction()?;
    match tx.execute_batch(include_str!("migration_6.sql")) {
        Ok(()) => Ok(tx.commit()?),
        // A read-only study can still be read; it gets the marker when it is next writable
        // (and every write is refused until then anyway).
        Err(rusqlite::Error::SqliteFailure(f, _)) if f.code == rusqlite::ErrorCode::ReadOnly => {
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}
