//! Creating the schema and migrating older study files, keyed on `PRAGMA user_version`.

use crate::error::{Error, Result};
use rusqlite::Connection;

/// The schema version this binary writes: the base schema's version plus one per migration.
pub const SCHEMA_VERSION: i64 = BASE_VERSION + MIGRATIONS.len() as i64 - 1;

const SCHEMA_SQL: &str = include_str!("../../schema.sql");

/// The version `schema.sql` creates. Migrations past it run on fresh files too (after
/// `schema.sql`), so each later schema change lives in exactly one file.
const BASE_VERSION: i64 = 2;

/// Migrations from version N to N+1, indexed by N-1. Migration 1→2 is already part of
/// `schema.sql`; every later one is applied to fresh files as well.
const MIGRATIONS: &[&str] = &[
    MIGRATION_1_TO_2,
    include_str!("migration_3.sql"),
    include_str!("migration_4.sql"),
    include_str!("migration_5.sql"),
    include_str!("migration_6.sql"),
    include_str!("migration_7.sql"),
    include_str!("migration_8.sql"),
    include_str!("migration_9.sql"),
    include_str!("migration_10.sql"),
    include_str!("migration_11.sql"),
    include_str!("migration_12.sql"),
];

/// Version 2: full-text search over turns (FTS5, kept in step with `turns` by triggers, so
/// imports and undo/redo need no extra code) and a covering index for the analysis queries.
const MIGRATION_1_TO_2: &str = include_str!("migration_2.sql");

pub fn user_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Refuses a file written by a newer Thematic or another program's SQLite database. Runs
/// before anything is written (even the switch to WAL), so refusing leaves the file untouched.
pub fn check(conn: &Connection, path: &str) -> Result<()> {
    let version = user_version(conn)?;
    if version > SCHEMA_VERSION {
        return Err(Error::Study {
            path: path.to_string(),
            message: format!(
                "was written by a newer Thematic (schema version {version}; this one reads up to {SCHEMA_VERSION}). Update Thematic to open it."
            ),
        });
    }
    if version == 0 {
        let tables: i64 = conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
            [],
            |r| r.get(0),
        )?;
        if tables > 0 {
            return Err(Error::Study {
                path: path.to_string(),
                message: "is an SQLite database but not a Thematic study file".into(),
            });
        }
    }
    Ok(())
}

/// Applies the schema to an empty file, or migrates an older one, in one transaction.
pub fn prepare(conn: &mut Connection, path: &str) -> Result<()> {
    let version = user_version(conn)?;
    if version > SCHEMA_VERSION {
        return Err(Error::Study {
            path: path.to_string(),
            message: format!(
                "was written by a newer Thematic (schema version {version}; this one reads up to {SCHEMA_VERSION}). Update Thematic to open it."
            ),
        });
    }
    if version == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn.transaction()?;
    if version == 0 {
        let tables: i64 = tx.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
            [],
            |r| r.get(0),
        )?;
        if tables > 0 {
            return Err(Error::Study {
                path: path.to_string(),
                message: "is an SQLite database but not a Thematic study file".into(),
            });
        }
        tx.execute_batch(SCHEMA_SQL)?;
        for migration in &MIGRATIONS[(BASE_VERSION as usize - 1)..] {
            tx.execute_batch(migration)?;
        }
    } else {
        for migration in &MIGRATIONS[(version as usize - 1)..] {
            tx.execute_batch(migration)?;
        }
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}
