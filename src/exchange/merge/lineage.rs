//! Lineage: replaying the other copy's changes since the last one both files share.
//!
//! Every recorded change has a stable uid (`changes.uid`), kept by the copies a merge brings it
//! into. Their changes whose uid we lack are replayed here in the order they were made, each
//! under its own history entry (same uid, `merged_by` = this merge), row by row, translating
//! their row ids through GUIDs to ours:
//! - an insert of something we have (by GUID) is skipped; of something our history deleted, and
//!   that refers to it, the whole change is not applied;
//! - an update is a three-way merge per column: if ours still holds their old value it takes
//!   their new one; if both changed it, that is a conflict (ours kept unless `--theirs`);
//! - a delete of something we changed since, or still use, makes the whole change not applied
//!   (a conflict); a code merge moves our newer codings to the merge target too.
//!
//! A change not applied is tried once more at the end (a later change may have removed what
//! stood in its way). Conflicts settled by keeping ours are recorded as resolutions of this
//! merge (`merge_resolutions`), which the other copies apply when they merge this file: so
//! merging back and forth converges.

use super::fill::{Fill, GUID_TABLES, our_id, query};
pub use super::resolutions::record_resolutions;
use crate::error::{Error, Result};
use crate::study::history::Recorder;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::{Map, Value as Json};
use std::collections::{HashMap, HashSet};

/// Marks the uid of a change brought in again after the merge that first brought it was
/// undone: `UID:again:MERGE`. It counts as the change UID.
pub(super) const AGAIN: &str = ":again:";

/// One of their recorded changes.
#[derive(Debug, Clone)]
pub(super) struct TheirChange {
    pub(super) id: i64,
    uid: String,
    at: String,
    coder: Option<i64>,
    kind: String,
    summary: String,
    target: Option<i64>,
}

/// What the two files' histories have in common.
pub struct Lineage {
    pub shared: bool,
    /// Their changes we lack, in the order they were applied in their file.
    missing: Vec<TheirChange>,
    /// Their change id → uid, for every change of theirs.
    their_uid: HashMap<i64, String>,
}

impl Lineage {
    pub fn compare(tx: &Transaction, other: &Connection) -> Result<Lineage> {
        let present: HashSet<String> = query(
            tx,
            "SELECT c.uid FROM changes c LEFT JOIN changes m ON m.id = c.merged_by
              WHERE c.uid IS NOT NULL AND (c.merged_by IS NULL OR m.undone_by IS NULL)",
            [],
            |r| r.get::<_, String>(0),
        )?
        .into_iter()
        .flat_map(|u| {
            let original = u.find(AGAIN).map(|i| u[..i].to_string());
            std::iter::once(u).chain(original)
        })
        .collect();
        let known: HashSet<String> = query(
            tx,
            "SELECT uid FROM changes WHERE uid IS NOT NULL",
            [],
            |r| r.get(0),
        )?
        .into_iter()
        .collect();
        let study_id = |c: &Connection| -> Result<Option<String>> {
            Ok(
                c.query_row("SELECT value FROM meta WHERE key = 'study_id'", [], |r| {
                    r.get(0)
                })
                .optional()?,
            )
        };
        let same_study = study_id(tx)?.is_some() && study_id(tx)? == study_id(other)?;
        // Children of a merge were applied before the merge's own rows.
        let theirs: Vec<TheirChange> = query(
            other,
            "SELECT id, uid, at, coder_id, kind, summary, target FROM changes
              WHERE uid IS NOT NULL
              ORDER BY coalesce(merged_by, id), merged_by IS NULL, id",
            [],
            |r| {
                Ok(TheirChange {
                    id: r.get(0)?,
                    uid: r.get(1)?,
                    at: r.get(2)?,
                    coder: r.get(3)?,
                    kind: r.get(4)?,
                    summary: r.get(5)?,
                    target: r.get(6)?,
                })
            },
        )?;
        let shared = same_study || theirs.iter().any(|c| known.contains(&c.uid));
        let their_uid = theirs.iter().map(|c| (c.id, c.uid.clone())).collect();
        // A change their undone merge brought in and a later merge brought in again
        // (`UID:again:MERGE`) is the change UID: we lack it only if we lack UID (else a coder
        // who made the change and then deleted what it added would get that back).
        let missing = theirs
            .into_iter()
            .filter(|c| {
                let original = c.uid.find(AGAIN).map(|i| &c.uid[..i]);
                !present.contains(&c.uid) && !original.is_some_and(|o| present.contains(o))
            })
            .collect();
        Ok(Lineage {
            shared,
            missing,
            their_uid,
        })
    }

    /// Replays their missing changes into `rec` (see the module comment).
    pub fn replay(&self, rec: &mut Recorder, f: &mut Fill) -> Result<()> {
        let merge_id = rec.change_id;
        let mut ids = TheirIds::load(f.other)?;
        let mut local: HashMap<String, i64> = HashMap::new();
        let mut rejected: Vec<(TheirChange, i64, String)> = Vec::new();
        // A change touching what a change not applied touched waits for it (else a later
        // deletion could run before the insert it undoes).
        let mut blocked: HashSet<String> = HashSet::new();
        f.pending = self.missing.iter().map(|c| original_uid(&c.uid)).collect();
        for ch in &self.missing {
            f.pending.remove(&original_uid(&ch.uid));
            let header = self.header(rec, f, &mut ids, ch, merge_id, &local)?;
            local.insert(ch.uid.clone(), header);
            rec.log_under(header)?;
            let guids = change_guids(f.other, ch.id)?;
            let outcome = if guids.iter().any(|g| blocked.contains(g)) {
                Some("it depends on an earlier change of theirs that was not applied".into())
            } else {
                attempt(rec, f, &mut ids, ch)?
            };
            match outcome {
                None => {
                    self.link_undo(rec, ch, header, &local)?;
                    f.report.changes_replayed.push(describe(ch));
                }
                Some(reason) => {
                    blocked.extend(guids);
                    rejected.push((ch.clone(), header, reason));
                }
            }
        }
        // Once more: a later change may have removed what stood in the way.
        let mut blocked: HashSet<String> = HashSet::new();
        for (ch, header, first) in rejected {
            rec.log_under(header)?;
            let guids = change_guids(f.other, ch.id)?;
            let outcome = if guids.iter().any(|g| blocked.contains(g)) {
                Some(String::new())
            } else {
                attempt(rec, f, &mut ids, &ch)?
            };
            match outcome {
                None => {
                    self.link_undo(rec, &ch, header, &local)?;
                    f.report.changes_replayed.push(describe(&ch));
                }
                Some(reason) => {
                    blocked.extend(guids);
                    if ch.kind == "merge" {
                        decisions_of_rejected_merge(rec, f, &ch)?;
                    }
                    note_rejected(f, &ch)?;
                    super::relay::keep_absent(rec, f, &ids, &ch)?;
                    let reason = if reason.is_empty() { first } else { reason };
                    f.report
                        .changes_not_applied
                        .push(format!("{}: {reason}", describe(&ch)));
                    f.conflict(
                        format!("their change '{}'", ch.summary),
                        "ours: not applied",
                        reason,
                    );
                }
            }
        }
        rec.log_under(merge_id)?;
        super::resolutions::settle_names(rec, f)?;
        super::rehome::rehome_codings(rec, f)?;
        Ok(())
    }

    /// Our history entry for one of their changes (a change an undone merge brought in before
    /// comes in again under a new entry).
    fn header(
        &self,
        rec: &mut Recorder,
        f: &mut Fill,
        ids: &mut TheirIds,
        ch: &TheirChange,
        merge_id: i64,
        local: &HashMap<String, i64>,
    ) -> Result<i64> {
        let existing: Option<i64> = rec
            .tx
            .prepare_cached("SELECT id FROM changes WHERE uid = ?1")?
            .query_row([&ch.uid], |r| r.get(0))
            .optional()?;
        // Brought in before by a merge since undone: that entry keeps its uid and rows (the
        // undone merge's redo replays them); this merge's entry is the same change again.
        let uid = match existing {
            Some(_) => format!("{}{AGAIN}{merge_id}", ch.uid),
            None => ch.uid.clone(),
        };
        let coder = match ch.coder {
            Some(c) => match resolve(rec, f, ids, "coders", c)? {
                Resolved::Ours(o) => Some(o),
                _ => None,
            },
            None => None,
        };
        let target = ch
            .target
            .and_then(|t| self.their_uid.get(&t))
            .and_then(|u| local.get(u).copied());
        rec.tx.execute(
            "INSERT INTO changes (at, coder_id, kind, summary, uid, merged_by, target) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![ch.at, coder, ch.kind, ch.summary, uid, merge_id, target],
        )?;
        Ok(rec.tx.last_insert_rowid())
    }

    /// Their undo (redo) marks the change it took back (brought back) here too.
    fn link_undo(
        &self,
        rec: &Recorder,
        ch: &TheirChange,
        header: i64,
        local: &HashMap<String, i64>,
    ) -> Result<()> {
        let Some(target) = ch
            .target
            .and_then(|t| self.their_uid.get(&t))
            .and_then(|u| local.get(u).copied())
        else {
            return Ok(());
        };
        let mark = match ch.kind.as_str() {
            "undo" => Some(header),
            "redo" => None,
            _ => return Ok(()),
        };
        rec.tx.execute(
            "UPDATE changes SET undone_by = ?1 WHERE id = ?2",
            params![mark, target],
        )?;
        Ok(())
    }
}

/// A change's uid without the mark of a change brought in again.
pub(super) fn original_uid(uid: &str) -> String {
    uid.find(AGAIN).map_or(uid, |i| &uid[..i]).to_string()
}

pub(super) fn describe(ch: &TheirChange) -> String {
    format!("{} {}", ch.at, ch.summary)
}

/// Applies one of their changes inside a savepoint: None when applied, or why it was not
/// (then nothing of it is applied).
pub(super) fn attempt(
    rec: &mut Recorder,
    f: &mut Fill,
    ids: &mut TheirIds,
    ch: &TheirChange,
) -> Result<Option<String>> {
    rec.tx.execute_batch("SAVEPOINT replay")?;
    let conflicts_before = (
        f.conflicts.len(),
        f.report.conflicts.len(),
        f.kept_ours.len(),
    );
    let counted = super::rows::counts(&f.report);
    match apply_change(rec, f, ids, ch) {
        Ok(()) => {
            rec.tx.execute_batch("RELEASE replay")?;
            Ok(None)
        }
        Err(Step::Reject(reason)) => {
            rec.tx.execute_batch("ROLLBACK TO replay; RELEASE replay")?;
            f.conflicts.truncate(conflicts_before.0);
            f.report.conflicts.truncate(conflicts_before.1);
            f.kept_ours.truncate(conflicts_before.2);
            super::rows::restore_counts(&mut f.report, counted);
            Ok(Some(reason))
        }
        Err(Step::Fail(e)) => Err(e),
    }
}

/// Their merge whose rows were not applied here still brings its decisions (which rows and
/// values it kept): a copy that learns a decision applies it (unless it knows a later one),
/// whatever became of the rows that merge wrote where it was made.
fn decisions_of_rejected_merge(rec: &mut Recorder, f: &mut Fill, ch: &TheirChange) -> Result<()> {
    rec.tx.execute_batch("SAVEPOINT decisions")?;
    let conflicts_before = (
        f.conflicts.len(),
        f.report.conflicts.len(),
        f.kept_ours.len(),
    );
    let counted = super::rows::counts(&f.report);
    f.replaying = Some(original_uid(&ch.uid));
    f.replaying_stamp = Some((ch.at.clone(), original_uid(&ch.uid)));
    match super::resolutions::apply_resolutions(rec, f, ch.id) {
        Ok(()) => {
            rec.tx.execute_batch("RELEASE decisions")?;
            Ok(())
        }
        Err(Step::Reject(_)) => {
            rec.tx
                .execute_batch("ROLLBACK TO decisions; RELEASE decisions")?;
            f.conflicts.truncate(conflicts_before.0);
            f.report.conflicts.truncate(conflicts_before.1);
            f.kept_ours.truncate(conflicts_before.2);
            super::rows::restore_counts(&mut f.report, counted);
            Ok(())
        }
        Err(Step::Fail(e)) => Err(e),
    }
}

/// Bookkeeping for one of their changes that was not applied: what it deleted stays here and
/// the columns it changed keep our values, and this merge's resolutions say so to the other
/// copies (unless the change was applied after all, checked when they are recorded).
pub(super) fn note_rejected(f: &mut Fill, ch: &TheirChange) -> Result<()> {
    // What their change deleted stays here: the other copies learn that from this
    // merge's resolutions (parents first, the reverse of a deletion's order).
    let deleted = query(
        f.other,
        "SELECT table_name, json_extract(before, '$.guid') FROM change_rows
          WHERE change_id = ?1 AND after IS NULL AND before IS NOT NULL ORDER BY seq DESC",
        [ch.id],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)),
    )?;
    // A code merge that reached us without rows (the code was gone where it came from) keeps
    // the merged code here all the same.
    let merged = query(
        f.other,
        "SELECT lower(from_guid) FROM code_merges WHERE change_id = ?1",
        [ch.id],
        |r| r.get::<_, String>(0),
    )?;
    let uid = original_uid(&ch.uid);
    for g in merged {
        f.kept_present.push(("codes".into(), g, uid.clone()));
    }
    for (table, guid) in deleted {
        if let Some(g) = guid
            && GUID_TABLES.contains(&table.as_str())
            && table != "documents"
        {
            f.kept_present
                .push((table, g.to_ascii_lowercase(), original_uid(&ch.uid)));
        }
    }
    // Likewise the columns it changed keep our values.
    let updated = query(
        f.other,
        "SELECT table_name, before, after FROM change_rows
          WHERE change_id = ?1 AND after IS NOT NULL AND before IS NOT NULL ORDER BY seq",
        [ch.id],
        |r| <(String, String, String)>::try_from(r),
    )?;
    for (table, before, after) in updated {
        if !GUID_TABLES.contains(&table.as_str()) {
            continue;
        }
        let (Some(before), Some(after)) = (parse_image(Some(before))?, parse_image(Some(after))?)
        else {
            continue;
        };
        let Some(guid) = after.get("guid").and_then(|g| g.as_str()) else {
            continue;
        };
        for (column, value) in &after {
            if !matches!(column.as_str(), "id" | "guid" | "updated_at")
                && before.get(column) != Some(value)
            {
                f.kept_ours
                    .push((table.clone(), guid.to_ascii_lowercase(), column.clone()));
            }
        }
    }
    Ok(())
}

/// The GUIDs one of their changes touches.
pub(super) fn change_guids(other: &Connection, change: i64) -> Result<Vec<String>> {
    query(
        other,
        "SELECT lower(json_extract(coalesce(after, before), '$.guid')) FROM change_rows
          WHERE change_id = ?1 AND json_extract(coalesce(after, before), '$.guid') IS NOT NULL",
        [change],
        |r| r.get(0),
    )
}

/// Why a row could not be applied: the whole change is not applied, or the merge fails.
pub(super) enum Step {
    Reject(String),
    Fail(Error),
}

impl From<Error> for Step {
    fn from(e: Error) -> Self {
        Step::Fail(e)
    }
}

impl From<rusqlite::Error> for Step {
    fn from(e: rusqlite::Error) -> Self {
        Step::Fail(e.into())
    }
}

pub(super) type Image = Map<String, Json>;

pub(super) struct TheirRow {
    pub(super) table: String,
    pub(super) key: Vec<Json>,
    pub(super) before: Option<Image>,
    pub(super) after: Option<Image>,
}

pub(super) fn parse_image(s: Option<String>) -> Result<Option<Image>> {
    match s {
        None => Ok(None),
        Some(s) => match serde_json::from_str::<Json>(&s) {
            Ok(Json::Object(m)) => Ok(Some(m)),
            _ => Err(Error::Invalid(
                "the history of the file being merged in is damaged (a row image is not JSON); nothing merged, this study is unchanged".into(),
            )),
        },
    }
}

/// Their id → GUID for every row their history or tables know, per GUID table.
pub(super) struct TheirIds {
    guid: HashMap<(String, i64), String>,
    by_guid: HashMap<(String, String), i64>,
}

impl TheirIds {
    /// Their row id of the row with this GUID.
    pub(super) fn id_of(&self, table: &str, guid: &str) -> Option<i64> {
        self.by_guid
            .get(&(table.to_string(), guid.to_ascii_lowercase()))
            .copied()
    }

    /// The GUID of their row `id` of `table`.
    pub(super) fn guid_of(&self, table: &str, id: i64) -> Option<&str> {
        self.guid.get(&(table.to_string(), id)).map(String::as_str)
    }

    fn load(other: &Connection) -> Result<Self> {
        let mut guid = HashMap::new();
        for table in GUID_TABLES {
            let mut stmt = other.prepare(
                "SELECT row_key, json_extract(coalesce(after, before), '$.guid') FROM change_rows WHERE table_name = ?1",
            )?;
            let rows = stmt.query_map([table], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
            })?;
            for row in rows {
                let (key, g) = row?;
                if let (Ok([id]), Some(g)) = (serde_json::from_str::<[i64; 1]>(&key), g) {
                    guid.insert((table.to_string(), id), g);
                }
            }
            let sql = format!("SELECT id, guid FROM {table}");
            for (id, g) in query(other, &sql, [], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })? {
                guid.insert((table.to_string(), id), g);
            }
        }
        let by_guid = guid
            .iter()
            .map(|((t, id), g)| ((t.clone(), g.to_ascii_lowercase()), *id))
            .collect();
        Ok(TheirIds { guid, by_guid })
    }
}

pub(super) enum Resolved {
    Ours(i64),
    /// Our history deleted it (the GUID).
    DeletedHere(String),
    Unknown,
}

/// Their row id of `table` → ours: by GUID, by our code merges, then by natural key.
pub(super) fn resolve(
    rec: &Recorder,
    f: &Fill,
    ids: &TheirIds,
    table: &str,
    id: i64,
) -> Result<Resolved> {
    let Some(guid) = ids.guid.get(&(table.to_string(), id)) else {
        return Ok(Resolved::Unknown);
    };
    match resolve_guid(rec, f, table, guid)? {
        Resolved::Unknown => {}
        found => return Ok(found),
    }
    let natural = match table {
        "coders" => Some((
            "SELECT name FROM coders WHERE id = ?1",
            "SELECT id FROM coders WHERE name = ?1",
        )),
        "participants" => Some((
            "SELECT pid FROM participants WHERE id = ?1",
            "SELECT id FROM participants WHERE pid = ?1",
        )),
        "documents" => Some((
            "SELECT content_hash FROM documents WHERE id = ?1",
            "SELECT id FROM documents WHERE content_hash = ?1",
        )),
        "attributes" => Some((
            "SELECT scope || char(31) || name FROM attributes WHERE id = ?1",
            "SELECT id FROM attributes WHERE scope || char(31) || name = ?1",
        )),
        _ => None,
    };
    if let Some((theirs_sql, ours_sql)) = natural {
        let value: Option<String> = f
            .other
            .prepare_cached(theirs_sql)?
            .query_row([id], |r| r.get(0))
            .optional()?;
        if let Some(v) = value
            && let Some(o) = rec
                .tx
                .prepare_cached(ours_sql)?
                .query_row([&v], |r| r.get::<_, i64>(0))
                .optional()?
        {
            return Ok(Resolved::Ours(o));
        }
    }
    Ok(Resolved::Unknown)
}

/// A row of `table` by GUID → ours: by GUID, then by our code merges.
fn resolve_guid(rec: &Recorder, f: &Fill, table: &str, guid: &str) -> Result<Resolved> {
    if let Some(o) = our_id(rec, table, guid)? {
        return Ok(Resolved::Ours(o));
    }
    if table == "codes"
        && let Some(t) = f.forward_code(rec, guid)?
    {
        return Ok(Resolved::Ours(t));
    }
    if f.deleted_here
        .contains(&(table.to_string(), guid.to_ascii_lowercase()))
    {
        return Ok(Resolved::DeletedHere(guid.to_string()));
    }
    Ok(Resolved::Unknown)
}

/// The table a column of `table` refers to (by row id), given the row's image.
pub(super) fn reference(table: &str, column: &str, image: &Image) -> Option<&'static str> {
    Some(match (table, column) {
        ("codes", "parent_id") => "codes",
        ("codings" | "reviews" | "speakers" | "document_attributes", "document_id") => "documents",
        ("codings" | "reviews", "code_id") => "codes",
        ("codings" | "memos", "coder_id") | ("reviews", "reviewer_id") => "coders",
        ("speakers" | "participant_attributes", "participant_id") => "participants",
        ("document_attributes" | "participant_attributes", "attribute_id") => "attributes",
        ("memos", "target_id") => match image.get("target_kind").and_then(|v| v.as_str()) {
            Some("document") => "documents",
            Some("code") => "codes",
            Some("coding") => "codings",
            _ => return None,
        },
        ("codebook_versions", "change_id") => "changes",
        _ => return None,
    })
}

/// Their column value in our terms: row ids translated; Err(Resolved) when it cannot be.
pub(super) fn translate(
    rec: &Recorder,
    f: &Fill,
    ids: &TheirIds,
    table: &str,
    column: &str,
    image: &Image,
) -> Result<std::result::Result<Json, Resolved>> {
    let v = image.get(column).cloned().unwrap_or(Json::Null);
    let Some(refers) = reference(table, column, image) else {
        return Ok(Ok(v));
    };
    if refers == "changes" {
        return Ok(Ok(Json::Null));
    }
    let Some(id) = v.as_i64() else {
        // A relayed row refers to rows by GUID.
        if let Some(g) = v.get("guid").and_then(|g| g.as_str()) {
            return Ok(match resolve_guid(rec, f, refers, g)? {
                Resolved::Ours(o) => Ok(Json::from(o)),
                other => Err(other),
            });
        }
        return Ok(Ok(v));
    };
    Ok(match resolve(rec, f, ids, refers, id)? {
        Resolved::Ours(o) => Ok(Json::from(o)),
        other => Err(other),
    })
}

pub(super) fn json_value(v: &Json) -> Value {
    match v {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Integer(*b as i64),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => Value::Real(n.as_f64().unwrap_or(0.0)),
        },
        Json::String(s) => Value::Text(s.clone()),
        other => Value::Text(other.to_string()),
    }
}

pub(super) fn is_constraint(e: &Error) -> bool {
    matches!(
        e,
        Error::Sql(rusqlite::Error::SqliteFailure(f, _))
            if f.code == rusqlite::ErrorCode::ConstraintViolation
    )
}

/// How a row is named in messages.
pub(super) fn describe_row(table: &str, image: &Image) -> String {
    let s = |k: &str| image.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let entity = table.trim_end_matches('s');
    match table {
        "codes" | "documents" | "coders" => format!(
            "{entity} '{}'",
            s("name").unwrap_or_else(|| s("guid").unwrap_or_default())
        ),
        "participants" => format!("participant '{}'", s("pid").unwrap_or_default()),
        "memos" => format!("memo '{}'", s("title").unwrap_or_default()),
        _ => format!("{entity} {}", s("guid").unwrap_or_default()),
    }
}

/// The rows one of their changes recorded, then those their file relays with it (what the copy
/// it came through could not apply, as its source recorded it; see `relay`).
pub(super) fn their_rows(other: &Connection, change: i64) -> Result<Vec<TheirRow>> {
    let raw = query(
        other,
        "SELECT table_name, row_key, before, after FROM change_rows WHERE change_id = ?1 ORDER BY seq",
        [change],
        |r| <(String, String, Option<String>, Option<String>)>::try_from(r),
    )?;
    let mut out = Vec::with_capacity(raw.len());
    for (table, key, before, after) in raw {
        out.push(TheirRow {
            table,
            key: serde_json::from_str(&key).unwrap_or_default(),
            before: parse_image(before)?,
            after: parse_image(after)?,
        });
    }
    out.extend(super::relay::relayed(other, change)?);
    Ok(out)
}

pub(super) fn apply_change(
    rec: &mut Recorder,
    f: &mut Fill,
    ids: &mut TheirIds,
    ch: &TheirChange,
) -> std::result::Result<(), Step> {
    let rows = their_rows(f.other, ch.id)?;
    // A code merge: the code this change deletes, and where it moved that code's codings.
    let mut forward: HashMap<i64, i64> = HashMap::new();
    for r in &rows {
        if let (Some(b), Some(a)) = (&r.before, &r.after) {
            let moved = |col: &str| {
                let from = b.get(col).and_then(|v| v.as_i64());
                let to = a.get(col).and_then(|v| v.as_i64());
                from.zip(to).filter(|(x, y)| x != y)
            };
            let pair = match r.table.as_str() {
                "codings" => moved("code_id"),
                "codes" => moved("parent_id"),
                _ => None,
            };
            if let Some((x, y)) = pair {
                forward.entry(x).or_insert(y);
            }
        }
    }
    // Their recorded code merges in this change (by GUID), kept with our entry for it.
    let merges = query(
        f.other,
        "SELECT from_guid, into_guid FROM code_merges WHERE change_id = ?1",
        [ch.id],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
    )?;
    for (from, into) in &merges {
        rec.tx.execute(
            "INSERT INTO code_merges (change_id, from_guid, into_guid) VALUES (?1, ?2, ?3)",
            params![rec.log_target(), from, into],
        )?;
        if let (Some(x), Some(y)) = (ids.id_of("codes", from), ids.id_of("codes", into)) {
            forward.entry(x).or_insert(y);
        }
    }
    f.replaying = Some(original_uid(&ch.uid));
    f.replaying_stamp = Some((ch.at.clone(), original_uid(&ch.uid)));
    f.replaying_merge = ch.kind == "merge";
    for row in &rows {
        super::rows::apply_row(rec, f, ids, row, &forward)?;
    }
    super::rehome::merges_without_rows(rec, f, &merges)?;
    if ch.kind == "merge" {
        super::resolutions::apply_resolutions(rec, f, ch.id)?;
    }
    Ok(())
}
