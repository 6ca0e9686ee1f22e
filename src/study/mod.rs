//! The study file: one SQLite database holding documents, participants, the codebook, every
//! coder's codings, memos and the history. Every user action is one IMMEDIATE transaction.

pub mod documents;
pub mod generate;
pub mod history;
pub mod identity;
pub mod participants;
pub mod schema;
pub mod search_index;
pub mod sidecars;

use crate::error::{Error, Result};
use chrono::{SecondsFormat, Utc};
use history::Recorder;
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where "now" comes from; injected so that tests and snapshots are stable.
pub type Clock = Arc<dyn Fn() -> String + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(|| Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true))
}

pub fn new_guid() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub struct Study {
    conn: Connection,
    path: PathBuf,
    clock: Clock,
    /// (device, inode) of the file when opened, to notice it being deleted or replaced.
    file_id: Option<(u64, u64)>,
}

#[cfg(unix)]
fn file_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn file_id(_path: &Path) -> Option<(u64, u64)> {
    None
}

/// Turns a storage failure into a message that names the study file and says what happened
/// to the action (always: not saved, nothing written half — the transaction rolled back).
fn explain(path: &Path, e: Error) -> Error {
    use rusqlite::ErrorCode as C;
    // A length cap (migration 6's triggers) refused a value: say which, plainly.
    const LIMIT: &str = "database error: limit: ";
    let e = match e {
        Error::Sql(rusqlite::Error::SqliteFailure(f, Some(m)))
            if f.code == C::ConstraintViolation && m.starts_with("limit: ") =>
        {
            return Error::Invalid(format!(
                "{}; this action was not saved",
                &m["limit: ".len()..]
            ));
        }
        Error::Invalid(m) if m.contains(LIMIT) => {
            return Error::Invalid(format!(
                "{}; this action was not saved",
                m.replace(LIMIT, "")
            ));
        }
        e => e,
    };
    let Error::Sql(rusqlite::Error::SqliteFailure(f, detail)) = &e else {
        return e;
    };
    let what = match f.code {
        C::DiskFull => {
            "the disk is full, so this action was not saved (nothing was written); free some space and do it again"
        }
        C::ReadOnly => {
            "cannot be written (the file, its folder or the disk is read-only), so this action was not saved; check the permissions"
        }
        C::CannotOpen => {
            "cannot be opened for writing (moved, deleted or no permission), so this action was not saved"
        }
        C::SystemIoFailure => {
            "could not be written (a disk or file-system error), so this action was not saved"
        }
        C::DatabaseCorrupt | C::NotADatabase => {
            "is damaged, so this action was not saved; restore the study from a backup"
        }
        C::DatabaseBusy | C::DatabaseLocked => {
            "was kept busy by another Thematic process for over 10 seconds, so this action was not saved; do it again"
        }
        _ => return e,
    };
    let detail = detail.clone().unwrap_or_else(|| f.to_string());
    Error::Study {
        path: path.display().to_string(),
        message: format!("{what} ({detail})"),
    }
}

/// A coder: the person whose codings, memos and undo stack an action belongs to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Coder {
    pub id: i64,
    pub name: String,
    pub is_consensus: bool,
}

impl Study {
    /// Creates a new study file, readable and writable by its owner only.
    pub fn create(path: &Path) -> Result<Study> {
        if is_empty_file(path) {
            // The one way an empty file becomes a study: `init` on it (made private first).
            make_private(path)?;
            let mut study = Self::connect(path, OpenFlags::SQLITE_OPEN_READ_WRITE, true)?;
            study.record_name()?;
            return Ok(study);
        }
        if path.exists() {
            return Err(Error::Study {
                path: path.display().to_string(),
                message: "already exists; open it instead of creating it".into(),
            });
        }
        create_private_file(path)?;
        let mut study = Self::connect(path, OpenFlags::SQLITE_OPEN_READ_WRITE, true)?;
        study.record_name()?;
        Ok(study)
    }

    /// A new study's name (its file name) and creation time.
    fn record_name(&mut self) -> Result<()> {
        let now = (self.clock)();
        let name = self
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "study".into());
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('name', ?1), ('created_at', ?2)",
            [name, now],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Opens an existing study file, migrating it if it is older than this binary.
    pub fn open(path: &Path) -> Result<Study> {
        if !path.exists() {
            return Err(Error::Study {
                path: path.display().to_string(),
                message: "does not exist (create one with `thematic init PATH`)".into(),
            });
        }
        identity::check_not_empty(path)?;
        sidecars::repair(path)?;
        Self::connect(path, OpenFlags::SQLITE_OPEN_READ_WRITE, false)
    }

    /// Opens the file and refuses it, before writing anything, unless it is a Thematic study
    /// (or, when `creating`, the empty database `create` has just made).
    fn connect(path: &Path, flags: OpenFlags, creating: bool) -> Result<Study> {
        let shown = path.display().to_string();
        let study_err = |e: rusqlite::Error| Error::Study {
            path: shown.clone(),
            message: match &e {
                rusqlite::Error::SqliteFailure(f, _)
                    if f.code == rusqlite::ErrorCode::NotADatabase =>
                {
                    "is not a Thematic study file (not an SQLite database, or corrupt)".into()
                }
                rusqlite::Error::SqliteFailure(f, _)
                    if matches!(
                        f.code,
                        rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::ReadOnly
                    ) =>
                {
                    format!(
                        "cannot be opened for writing ({e}): the file, its folder or the disk may be read-only; Thematic writes beside the study file too (its -wal and -shm files)"
                    )
                }
                _ => e.to_string(),
            },
        };
        if !creating {
            // Looked at through a read-only connection first: closing a read-write connection
            // to another program's WAL database would checkpoint it, which writes to it.
            let probe = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX
                    | OpenFlags::SQLITE_OPEN_URI,
            )
            .map_err(study_err)?;
            probe
                .busy_timeout(std::time::Duration::from_secs(10))
                .map_err(study_err)?;
            match identity::check(&probe, path, false) {
                Err(Error::Sql(e)) => return Err(study_err(e)),
                other => other?,
            }
        }
        let mut conn = Connection::open_with_flags(
            path,
            flags | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(study_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(study_err)?;
        match identity::check(&conn, path, creating).and_then(|()| schema::check(&conn, &shown)) {
            Err(Error::Sql(e)) => return Err(study_err(e)),
            other => other?,
        }
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;",
        )
        .map_err(study_err)?;
        schema::prepare(&mut conn, &shown)?;
        identity::ensure_marker(&mut conn).map_err(|e| match e {
            Error::Sql(e) => study_err(e),
            e => e,
        })?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(Study {
            conn,
            path: path.to_path_buf(),
            clock: system_clock(),
            file_id: file_id(path),
        })
    }

    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    pub fn now(&self) -> String {
        (self.clock)()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn name(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'name'", [], |r| {
                r.get(0)
            })
            .optional()?
            .unwrap_or_else(|| "study".into()))
    }

    /// A counter that changes whenever any connection commits to this file; the TUI polls it to
    /// pick up another coder's or the CLI's work without a restart.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// The last recorded change id, also a cheap "has anything changed" probe.
    pub fn last_change_id(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT ifnull(max(id), 0) FROM changes", [], |r| r.get(0))?)
    }

    /// Runs one user action as one transaction, recorded in the history under `coder`.
    pub fn change<T>(
        &mut self,
        coder: Option<i64>,
        kind: &str,
        summary: &str,
        f: impl FnOnce(&mut Recorder) -> Result<T>,
    ) -> Result<T> {
        self.check_file()?;
        let now = self.now();
        let path = self.path.clone();
        let run = || -> Result<T> {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut rec = Recorder::begin(tx, coder, kind, summary, now)?;
            let out = f(&mut rec)?;
            rec.commit()?;
            Ok(out)
        };
        run().map_err(|e| explain(&path, e))
    }

    /// Refuses to write when the study file was deleted or replaced while open (SQLite would
    /// go on writing to the unlinked file, and the work would vanish when Thematic closes).
    /// A deleted file is written back from the open connection, which still holds every
    /// committed action.
    fn check_file(&mut self) -> Result<()> {
        let Some(opened) = self.file_id else {
            return Ok(());
        };
        let shown = self.path.display().to_string();
        match file_id(&self.path) {
            Some(now) if now == opened => Ok(()),
            Some(_) => Err(Error::Study {
                path: shown,
                message: "was replaced or moved while open (another file is at its path now), so this action was not saved; open the study again".into(),
            }),
            None => {
                let rescue = PathBuf::from(format!("{shown}.rescued"));
                let _ = std::fs::remove_file(&rescue);
                self.backup_to(&rescue).map_err(|e| Error::Study {
                    path: shown.clone(),
                    message: format!(
                        "was deleted while open, and writing it back failed ({e}); this action was not saved. Keep Thematic open and copy your work elsewhere"
                    ),
                })?;
                // Close the old connection (it cleans up the old -wal/-shm), then put the
                // rescued copy in place and reopen it.
                let old = std::mem::replace(&mut self.conn, Connection::open_in_memory()?);
                drop(old);
                std::fs::rename(&rescue, &self.path)?;
                let clock = self.clock.clone();
                *self =
                    Self::connect(&self.path.clone(), OpenFlags::SQLITE_OPEN_READ_WRITE, false)?;
                self.clock = clock;
                Err(Error::Study {
                    path: shown,
                    message: "was deleted while open. Thematic wrote it back from the open copy, with everything up to your last action; this action was not saved, so do it again".into(),
                })
            }
        }
    }

    pub fn coder_by_name(&self, name: &str) -> Result<Option<Coder>> {
        Ok(self
            .conn
            .prepare_cached("SELECT id, name, is_consensus FROM coders WHERE name = ?1")?
            .query_row([name], coder_from_row)
            .optional()?)
    }

    pub fn coders(&self) -> Result<Vec<Coder>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, name, is_consensus FROM coders ORDER BY name")?;
        let rows = stmt.query_map([], coder_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The coder with this name, created (as its own recorded action) when missing.
    pub fn ensure_coder(&mut self, name: &str) -> Result<Coder> {
        if let Some(c) = self.coder_by_name(name)? {
            return Ok(c);
        }
        let name = validate_coder_name(name)?;
        self.change(None, "coder.add", &format!("add coder {name}"), |rec| {
            ensure_coder_in(rec, &name, false)
        })
    }

    /// Undoes `coder`'s most recent action that is not yet undone. Returns its summary.
    pub fn undo(&mut self, coder: &Coder) -> Result<String> {
        let target: Option<(i64, String)> = self
            .conn
            .prepare_cached(
                "SELECT id, summary FROM changes WHERE coder_id = ?1 AND kind NOT IN ('undo', 'redo') AND undone_by IS NULL AND merged_by IS NULL ORDER BY id DESC LIMIT 1",
            )?
            .query_row([coder.id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((target, summary)) = target else {
            return Err(Error::NotFound(format!(
                "{} has nothing to undo",
                coder.name
            )));
        };
        let text = format!("undo: {summary}");
        self.change(Some(coder.id), "undo", &text, |rec| {
            rec.tx.execute(
                "UPDATE changes SET target = ?1 WHERE id = ?2",
                [target, rec.change_id],
            )?;
            history::replay(rec, target, true)?;
            rec.tx.execute(
                "UPDATE changes SET undone_by = ?1 WHERE id = ?2",
                [rec.change_id, target],
            )?;
            Ok(())
        })?;
        Ok(summary)
    }

    /// Redoes the action `coder` most recently undid, if they have done nothing new since.
    pub fn redo(&mut self, coder: &Coder) -> Result<String> {
        let mut target = None;
        {
            let mut stmt = self.conn.prepare_cached(
                "SELECT c.kind, c.target, t.undone_by IS NOT NULL, t.summary FROM changes c LEFT JOIN changes t ON t.id = c.target WHERE c.coder_id = ?1 AND c.merged_by IS NULL ORDER BY c.id DESC",
            )?;
            let mut rows = stmt.query([coder.id])?;
            while let Some(r) = rows.next()? {
                let kind: String = r.get(0)?;
                match kind.as_str() {
                    "redo" => continue,
                    "undo" => {
                        if r.get::<_, bool>(2)? {
                            target = Some((r.get::<_, i64>(1)?, r.get::<_, String>(3)?));
                            break;
                        }
                    }
                    _ => break,
                }
            }
        }
        let Some((target, summary)) = target else {
            return Err(Error::NotFound(format!(
                "{} has nothing to redo",
                coder.name
            )));
        };
        let text = format!("redo: {summary}");
        self.change(Some(coder.id), "redo", &text, |rec| {
            rec.tx.execute(
                "UPDATE changes SET target = ?1 WHERE id = ?2",
                [target, rec.change_id],
            )?;
            history::replay(rec, target, false)?;
            rec.tx.execute(
                "UPDATE changes SET undone_by = NULL WHERE id = ?1",
                [target],
            )?;
            Ok(())
        })?;
        Ok(summary)
    }

    /// Copies the study into `dest` with SQLite's online backup (taken before imports/merges).
    pub fn backup_to(&self, dest: &Path) -> Result<()> {
        create_private_file(dest)?;
        let mut out = Connection::open(dest)?;
        let backup = rusqlite::backup::Backup::new(&self.conn, &mut out)?;
        backup.run_to_completion(256, std::time::Duration::from_millis(0), None)?;
        Ok(())
    }
}

pub fn validate_coder_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.len() > 64 || name.chars().any(|c| c.is_control()) {
        return Err(Error::Invalid(format!(
            "'{name}' is not a usable coder name (1–64 printable characters)"
        )));
    }
    Ok(name.to_string())
}

/// Reads `id, name, is_consensus` columns.
fn coder_from_row(r: &rusqlite::Row) -> rusqlite::Result<Coder> {
    Ok(Coder {
        id: r.get(0)?,
        name: r.get(1)?,
        is_consensus: r.get(2)?,
    })
}

/// Coders who hold at least one coding, by name.
pub fn coders_with_codings(conn: &Connection) -> Result<Vec<Coder>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, is_consensus FROM coders c WHERE EXISTS (SELECT 1 FROM codings k WHERE k.coder_id = c.id) ORDER BY name",
    )?;
    let rows = stmt.query_map([], coder_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Inside an action: the coder with this name, inserted when missing.
pub fn ensure_coder_in(rec: &mut Recorder, name: &str, consensus: bool) -> Result<Coder> {
    let existing = rec
        .tx
        .prepare_cached("SELECT id, name, is_consensus FROM coders WHERE name = ?1")?
        .query_row([name], coder_from_row)
        .optional()?;
    if let Some(c) = existing {
        return Ok(c);
    }
    let name = validate_coder_name(name)?;
    use rusqlite::types::Value;
    let now = rec.now.clone();
    let id = rec.insert(
        "coders",
        &[
            ("name", Value::Text(name.clone())),
            ("guid", Value::Text(new_guid())),
            ("is_consensus", Value::Integer(consensus as i64)),
            ("created_at", Value::Text(now)),
        ],
    )?;
    Ok(Coder {
        id,
        name,
        is_consensus: consensus,
    })
}

/// An existing empty regular file of ours (not a symlink: `init` must not follow one to make
/// someone else's file a study).
fn is_empty_file(path: &Path) -> bool {
    let Ok(m) = std::fs::symlink_metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: geteuid has no preconditions.
        if m.uid() != unsafe { libc::geteuid() } {
            return false;
        }
    }
    m.file_type().is_file() && m.len() == 0
}

/// Makes an existing file readable and writable by its owner only.
fn make_private(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(|e| {
            Error::Study {
                path: path.display().to_string(),
                message: format!("cannot be made private (mode 0600): {e}"),
            }
        })?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Creates an empty file with mode 0600 so the database (and SQLite's -wal/-shm files, which
/// copy the database's permissions) are never readable by other users.
pub fn create_private_file(path: &Path) -> Result<()> {
    if let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
        && !parent.exists()
    {
        // Folders Thematic makes (the data folder for the demo study, a new study's folder)
        // are private too: whatever the umask, nobody else may list or add files there.
        let mut dirs = std::fs::DirBuilder::new();
        dirs.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            dirs.mode(0o700);
        }
        dirs.create(parent).map_err(|e| Error::Study {
            path: path.display().to_string(),
            message: format!("cannot create its folder: {e}"),
        })?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map_err(|e| Error::Study {
        path: path.display().to_string(),
        message: format!("cannot be created: {e}"),
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_file_is_private_and_versioned() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.thematic");
        let study = Study::create(&path).unwrap();
        assert_eq!(
            schema::user_version(study.conn()).unwrap(),
            schema::SCHEMA_VERSION
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn newer_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.thematic");
        drop(Study::create(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        let err = Study::open(&path).err().unwrap().to_string();
        assert!(err.contains("newer Thematic"), "{err}");
    }

    #[test]
    fn undo_and_redo_restore_rows() {
        let dir = tempfile::tempdir().unwrap();
        let mut study = Study::create(&dir.path().join("s.thematic")).unwrap();
        let alex = study.ensure_coder("alex").unwrap();
        study
            .change(Some(alex.id), "meta", "rename study", |rec| {
                rec.insert(
                    "coders",
                    &[
                        ("name", "sam".to_string().into()),
                        ("guid", new_guid().into()),
                        ("created_at", "t".to_string().into()),
                    ],
                )
            })
            .unwrap();
        assert!(study.coder_by_name("sam").unwrap().is_some());
        study.undo(&alex).unwrap();
        assert!(study.coder_by_name("sam").unwrap().is_none());
        study.redo(&alex).unwrap();
        assert!(study.coder_by_name("sam").unwrap().is_some());
        assert!(study.redo(&alex).is_err());
        study.undo(&alex).unwrap();
        assert!(
            study.undo(&alex).is_err(),
            "coder creation was not alex's action"
        );
    }
}
