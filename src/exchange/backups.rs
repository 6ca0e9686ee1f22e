//! Backups taken before an import or a merge: written under a temporary name (owner-only from
//! creation), checked with `PRAGMA integrity_check`, and only then renamed to
//! `NAME.backup-YYYYMMDD-HHMMSS.thematic`. A kill part-way leaves only a `.partial` file that
//! cannot be mistaken for a backup (and is reported on the next start); a full disk names the
//! file, says the action was not done, and leaves nothing behind. Old backups are pruned: the
//! newest `THEMATIC_KEEP_BACKUPS` (default 10) of a study are kept.

use crate::error::{Error, Result};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// How many backups of a study are kept when none is configured.
pub const DEFAULT_KEEP: usize = 10;

/// `THEMATIC_KEEP_BACKUPS`, else [`DEFAULT_KEEP`] (0 keeps every backup).
pub fn keep_count() -> usize {
    std::env::var("THEMATIC_KEEP_BACKUPS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_KEEP)
}

/// A pause between backup steps of 256 pages: none, unless `THEMATIC_BACKUP_PAUSE_MS` asks for
/// one (the fault tests use it to stop a backup half-way).
fn step_pause() -> std::time::Duration {
    let ms = std::env::var("THEMATIC_BACKUP_PAUSE_MS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    std::time::Duration::from_millis(ms)
}

fn stem(study: &Path) -> String {
    study
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "study".into())
}

fn dir(study: &Path) -> PathBuf {
    study
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

fn partial_name(final_path: &Path) -> PathBuf {
    let name = final_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    final_path.with_file_name(format!(".{name}.partial"))
}

fn remove_partial(tmp: &Path) {
    let _ = std::fs::remove_file(tmp);
    let mut journal = tmp.as_os_str().to_owned();
    journal.push("-journal");
    let _ = std::fs::remove_file(PathBuf::from(journal));
}

/// Copies the committed state of the study at `study` (an open write transaction elsewhere is
/// not seen) to a new, verified backup file, prunes old ones, and returns the backup's path.
pub fn backup_file(study: &Path) -> Result<PathBuf> {
    let dest = super::backup_path(study);
    let tmp = partial_name(&dest);
    let fail = |what: String| Error::Study {
        path: dest.display().to_string(),
        message: format!(
            "(the backup of {}) could not be written: {what}. The backup was not made and the action was not done; nothing was left behind. Free some space (or fix the folder's permissions) and try again",
            study.display()
        ),
    };
    let result = (|| -> std::result::Result<(), String> {
        crate::study::create_private_file(&tmp).map_err(|e| e.to_string())?;
        let source = Connection::open_with_flags(
            study,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| e.to_string())?;
        source
            .busy_timeout(std::time::Duration::from_secs(10))
            .map_err(|e| e.to_string())?;
        let mut out = Connection::open(&tmp).map_err(|e| e.to_string())?;
        {
            let backup =
                rusqlite::backup::Backup::new(&source, &mut out).map_err(|e| e.to_string())?;
            backup
                .run_to_completion(256, step_pause(), None)
                .map_err(|e| e.to_string())?;
        }
        let check: String = out
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| e.to_string())?;
        if check != "ok" {
            return Err(format!("the copy failed its integrity check ({check})"));
        }
        drop(out);
        std::fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(|e| e.to_string())?;
        std::fs::rename(&tmp, &dest).map_err(|e| e.to_string())?;
        Ok(())
    })();
    if let Err(what) = result {
        remove_partial(&tmp);
        return Err(fail(what));
    }
    prune(study, keep_count());
    Ok(dest)
}

/// Backup for a merge running in an open write transaction: the backup reads the study through
/// a second connection, which sees the state before the merge.
pub fn backup_before_commit(study: &Path) -> Result<PathBuf> {
    backup_file(study)
}

/// This study's backups, oldest first.
pub fn list(study: &Path) -> Vec<PathBuf> {
    let prefix = format!("{}.backup-", stem(study));
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir(study))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .map(|n| n.to_string_lossy())
                .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".thematic"))
        })
        .collect();
    // Oldest first: by modification time, then by name (the names carry the time, and
    // `-2`, `-3` within one second).
    found.sort_by_key(|p| {
        let modified = std::fs::metadata(p).and_then(|m| m.modified()).ok();
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        (modified, name.len(), name)
    });
    found
}

/// Deletes all but the newest `keep` backups (0 keeps all); returns those deleted.
pub fn prune(study: &Path, keep: usize) -> Vec<PathBuf> {
    if keep == 0 {
        return Vec::new();
    }
    let all = list(study);
    let excess = all.len().saturating_sub(keep);
    let mut removed = Vec::new();
    for p in all.into_iter().take(excess) {
        if std::fs::remove_file(&p).is_ok() {
            removed.push(p);
        }
    }
    removed
}

/// Backups that a killed Thematic left half-written beside this study (`.partial`, and their
/// journals): never backups, safe to delete.
pub fn stale_partials(study: &Path) -> Vec<PathBuf> {
    let prefix = format!(".{}.backup-", stem(study));
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir(study))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().map(|n| n.to_string_lossy()).is_some_and(|n| {
                n.starts_with(&prefix)
                    && (n.ends_with(".partial") || n.ends_with(".partial-journal"))
            })
        })
        .collect();
    found.sort();
    found
}

/// The warning printed when a study is opened beside stale partial backups.
pub fn stale_warning(study: &Path) -> Option<String> {
    let stale = stale_partials(study);
    if stale.is_empty() {
        return None;
    }
    Some(format!(
        "warning: {} unfinished backup file(s) beside {} (a backup interrupted by a crash or kill; not a backup, safe to delete): {}",
        stale.len(),
        study.display(),
        stale
            .iter()
            .map(|p| crate::text::sanitize(&p.display().to_string(), false))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backup_is_verified_private_and_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.thematic");
        drop(crate::study::Study::create(&path).unwrap());
        let mut made = Vec::new();
        for _ in 0..3 {
            made.push(backup_file(&path).unwrap());
        }
        assert!(made.iter().all(|p| p.exists()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&made[0]).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let removed = prune(&path, 2);
        assert_eq!(removed, vec![made[0].clone()]);
        assert_eq!(list(&path).len(), 2);
        assert!(stale_partials(&path).is_empty());
        std::fs::write(
            dir.path()
                .join(".s.backup-20260101-000000.thematic.partial"),
            b"",
        )
        .unwrap();
        assert!(stale_warning(&path).unwrap().contains("unfinished backup"));
    }
}
