//! Merging another copy of the study (or another coder's study file) into this one, as one
//! recorded (undoable) action.
//!
//! Two files that share history (one was copied from the other, or both from a third) are
//! merged by **lineage** ([`lineage`], row by row in `rows`, decisions in `resolutions`): every recorded change has a stable uid, so the merge
//! replays the other side's changes that this file lacks, in their order, by the GUID of what
//! they touch — deletions, code merges, moves, renames, colour and definition edits travel, and
//! a change is never applied twice. When both sides changed the same thing, ours is kept (theirs
//! with `--theirs`), theirs is recorded in `merge_conflicts`, and the decision is stored so that
//! the other copies adopt it when they merge this file back.
//!
//! Then (and for files with no shared history, alone) a **fill** pass brings in whatever their
//! file holds that ours lacks, entity by entity: [`people`] (coders, attributes, participants),
//! [`documents`], [`codes`], [`codings`], [`memos`] (memos, consensus decisions, codebook
//! versions, their history). In a lineage merge, a GUID our history deleted stays deleted.
//! Without shared history, coders and participants are matched by name only with
//! `--match-names`; otherwise theirs come in as new people, `alex (other study)`.

mod clash;
mod codes;
mod codings;
mod documents;
mod dropped;
mod fill;
pub mod lineage;
mod memos;
mod people;
mod rehome;
mod relay;
mod resolutions;
mod restore;
mod rows;

use crate::error::{Error, Result};
use crate::study::Study;
use rusqlite::{Connection, OpenFlags, params};
use serde::Serialize;
use std::path::{Path, PathBuf};

pub use fill::Fill;

#[derive(Debug, Default, Clone, Serialize, PartialEq)]
pub struct MergeReport {
    /// Whether the two files share history (one is a copy of the other, or both of a third).
    pub shared_history: bool,
    /// Their changes since the last one both files share, replayed here.
    pub changes_replayed: Vec<String>,
    /// Their changes that were not applied (they clash with ours; listed in `conflicts`).
    pub changes_not_applied: Vec<String>,
    pub coders_created: Vec<String>,
    pub coders_matched: Vec<String>,
    pub documents_added: Vec<String>,
    pub documents_matched: Vec<String>,
    /// Incoming documents that nearly match one of ours (same name, small difference).
    pub possible_revisions: Vec<String>,
    pub codes_matched_by_guid: usize,
    pub codes_matched_by_path: Vec<String>,
    pub codes_created: Vec<String>,
    pub codes_filled: Vec<String>,
    pub conflicts: Vec<String>,
    pub participants_added: Vec<String>,
    pub attribute_values_set: usize,
    pub codings_added: usize,
    pub codings_already_present: usize,
    /// Codings this merge removed (a code deleted on a copy takes the codings made on it
    /// elsewhere along), each with its coder, code, document and range.
    pub codings_dropped: Vec<String>,
    /// Their things that our history deleted (a lineage merge leaves them deleted).
    pub deleted_here_kept_deleted: usize,
    pub memos_added: usize,
    pub memos_already_present: usize,
    pub reviews_added: usize,
    pub codebook_versions_added: usize,
    pub notes: Vec<String>,
    pub nothing_new: bool,
    /// Where the study was backed up before the merge (only when the merge changed something).
    pub backup: Option<String>,
}

/// How to merge.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct MergeOptions {
    /// Take their side of every conflict in this merge.
    pub theirs: bool,
    /// Without shared history: match coders and participants by name / ID.
    pub match_names: bool,
    /// Take a backup before changing anything (the CLI always does).
    pub backup: bool,
    /// Treat an incoming document with one of our names and nearly our text as a revision of
    /// ours (`thematic revise`) instead of adding a second document.
    pub revisions: bool,
}

/// A conflict: both sides changed the same thing.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub what: String,
    pub kept: String,
    pub other: String,
}

/// Opens the other study read-only, refusing anything but a study file of our schema version.
/// Every message names that file: damage there is not damage to ours.
pub fn open_other(path: &Path) -> Result<Connection> {
    let shown = path.display().to_string();
    let fail = |message: String| Error::Study {
        path: shown.clone(),
        message: format!("(the file being merged in, not this study) {message}"),
    };
    if !path.is_file() {
        return Err(fail("does not exist or is not a file".into()));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| fail(format!("cannot be opened: {e}")))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|_| fail("is not a Thematic study file (not an SQLite database)".into()))?;
    let is_study: bool = conn
        .query_row(
            "SELECT count(*) = 3 FROM sqlite_master WHERE type = 'table' AND name IN ('codes', 'codings', 'documents')",
            [],
            |r| r.get(0),
        )
        .unwrap_or(false);
    if !is_study {
        return Err(fail("is not a Thematic study file".into()));
    }
    let ours = crate::study::schema::SCHEMA_VERSION;
    if version != ours {
        return Err(fail(format!(
            "has schema version {version}, this Thematic writes {ours}; open it once with this version of Thematic (or update Thematic) before merging"
        )));
    }
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|e| fail(format!("is damaged ({e}); nothing was merged and this study is unchanged; ask for a fresh copy of that file")))?;
    if check != "ok" {
        return Err(fail(format!(
            "is damaged ({check}); nothing was merged and this study is unchanged; ask for a fresh copy of that file"
        )));
    }
    Ok(conn)
}

#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(a: &Path, b: &Path) -> bool {
    std::fs::canonicalize(a).ok().is_some()
        && std::fs::canonicalize(a).ok() == std::fs::canonicalize(b).ok()
}

/// Refuses merging a study into itself (also through a hard or symbolic link); then opens the
/// other file as [`open_other`] does.
pub fn check_other(study: &Path, other_path: &Path) -> Result<Connection> {
    if same_file(study, other_path) {
        return Err(crate::invalid!(
            "{} is this study itself (the same file, perhaps under another name or link); give another coder's study file",
            other_path.display()
        ));
    }
    open_other(other_path)
}

/// Merges `other` into `study` as `coder`'s action (with a backup when asked and when the merge
/// changes something).
pub fn merge(
    study: &mut Study,
    other_path: &Path,
    coder: i64,
    opts: MergeOptions,
) -> Result<MergeReport> {
    let other = check_other(study.path(), other_path)?;
    let file = other_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| other_path.display().to_string());
    let study_path: PathBuf = study.path().to_path_buf();
    let summary = format!("merge {file}");
    let mut report = MergeReport::default();
    study.change(Some(coder), "merge", &summary, |rec| {
        let merge_id = rec.change_id;
        let mut fill = Fill::new(rec, &other, &file, coder, opts)?;
        let lineage = lineage::Lineage::compare(&rec.tx, &other)?;
        fill.lineage = lineage.shared;
        fill.report.shared_history = lineage.shared;
        if lineage.shared {
            lineage.replay(rec, &mut fill)?;
        } else {
            fill.report.notes.push(format!(
                "{file} shares no history with this study (it is not a copy of it, nor both of one study): matched documents by content{}",
                if opts.match_names {
                    ", coders by name and participants by ID (--match-names)"
                } else {
                    "; their coders and participants come in as new people, named '… (other study)' (use --match-names to match them by name and ID instead)"
                }
            ));
        }
        rec.log_under(merge_id)?;
        fill.run(rec)?;
        let conflicts = std::mem::take(&mut fill.conflicts);
        lineage::record_resolutions(rec, &mut fill)?;
        report = std::mem::take(&mut fill.report);
        for c in &conflicts {
            rec.tx.execute(
                "INSERT INTO merge_conflicts (change_id, what, kept, other) VALUES (?1, ?2, ?3, ?4)",
                params![merge_id, c.what, c.kept, c.other],
            )?;
        }
        let rows: i64 = rec.tx.query_row(
            "SELECT count(*) FROM change_rows WHERE change_id = ?1 OR change_id IN (SELECT id FROM changes WHERE merged_by = ?1)",
            [merge_id],
            |r| r.get(0),
        )?;
        let learnt = report.changes_replayed.len() + report.changes_not_applied.len();
        if rows == 0 && learnt == 0 {
            // Nothing to record (the action rolls back); conflicts are still reported.
            report.nothing_new = true;
            return Ok(());
        }
        rec.keep_even_if_empty();
        if rows > 0 && opts.backup {
            let backup = crate::exchange::backups::backup_before_commit(&study_path)?;
            report.backup = Some(backup.display().to_string());
        }
        let text = format!(
            "merge {file}: {} change(s) replayed, {} document(s), {} code(s), {} coding(s), {} memo(s) added, {} conflict(s)",
            report.changes_replayed.len(),
            report.documents_added.len(),
            report.codes_created.len(),
            report.codings_added,
            report.memos_added,
            report.conflicts.len()
        );
        rec.tx.execute(
            "UPDATE changes SET summary = ?1 WHERE id = ?2",
            params![text, merge_id],
        )?;
        Ok(())
    })?;
    Ok(report)
}

/// The conflicts merge `change` met, one line each, for `thematic history`.
pub fn conflicts_of(conn: &Connection, change: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT what, kept, other FROM merge_conflicts WHERE change_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([change], |r| {
        Ok(format!(
            "{}: kept {}; other side: {}",
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?
        ))
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}
