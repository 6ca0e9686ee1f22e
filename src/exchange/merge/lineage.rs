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
use crate::error::{Error, Result};
use crate::study::history::{Key, Recorder, id_key, row_image};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::{Map, Value as Json};
use std::collections::{HashMap, HashSet};

/// Marks the uid of a change brought in again after the merge that first brought it was
/// undone: `UID:again:MERGE`. It counts as the change UID.
const AGAIN: &str = ":again:";

/// One of their recorded changes.
#[derive(Debug, Clone)]
struct TheirChange {
    id: i64,
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
        let missing = theirs
            .into_iter()
            .filter(|c| !present.contains(&c.uid))
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
        for ch in &self.missing {
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
                    note_rejected(f, &ch)?;
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

fn describe(ch: &TheirChange) -> String {
    format!("{} {}", ch.at, ch.summary)
}

/// Applies one of their changes inside a savepoint: None when applied, or why it was not
/// (then nothing of it is applied).
fn attempt(
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
    let counted = counts(&f.report);
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
            restore_counts(&mut f.report, counted);
            Ok(Some(reason))
        }
        Err(Step::Fail(e)) => Err(e),
    }
}

/// Bookkeeping for one of their changes that was not applied: what it deleted stays here and
/// the columns it changed keep our values, and this merge's resolutions say so to the other
/// copies (unless the change was applied after all, checked when they are recorded).
fn note_rejected(f: &mut Fill, ch: &TheirChange) -> Result<()> {
    // What their change deleted stays here: the other copies learn that from this
    // merge's resolutions (parents first, the reverse of a deletion's order).
    let deleted = query(
        f.other,
        "SELECT table_name, json_extract(before, '$.guid') FROM change_rows
          WHERE change_id = ?1 AND after IS NULL AND before IS NOT NULL ORDER BY seq DESC",
        [ch.id],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)),
    )?;
    for (table, guid) in deleted {
        if let Some(g) = guid
            && GUID_TABLES.contains(&table.as_str())
            && table != "documents"
        {
            f.kept_present.push((table, g.to_ascii_lowercase()));
        }
    }
    // Likewise the columns it changed keep our values.
    let updated = query(
        f.other,
        "SELECT table_name, before, after FROM change_rows
          WHERE change_id = ?1 AND after IS NOT NULL AND before IS NOT NULL ORDER BY seq",
        [ch.id],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        },
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
fn change_guids(other: &Connection, change: i64) -> Result<Vec<String>> {
    query(
        other,
        "SELECT lower(json_extract(coalesce(after, before), '$.guid')) FROM change_rows
          WHERE change_id = ?1 AND json_extract(coalesce(after, before), '$.guid') IS NOT NULL",
        [change],
        |r| r.get(0),
    )
}

/// Why a row could not be applied: the whole change is not applied, or the merge fails.
enum Step {
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

type Image = Map<String, Json>;

struct TheirRow {
    table: String,
    key: Vec<Json>,
    before: Option<Image>,
    after: Option<Image>,
}

fn parse_image(s: Option<String>) -> Result<Option<Image>> {
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
struct TheirIds {
    guid: HashMap<(String, i64), String>,
    by_guid: HashMap<(String, String), i64>,
}

impl TheirIds {
    /// Their row id of the row with this GUID.
    fn id_of(&self, table: &str, guid: &str) -> Option<i64> {
        self.by_guid
            .get(&(table.to_string(), guid.to_ascii_lowercase()))
            .copied()
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

enum Resolved {
    Ours(i64),
    /// Our history deleted it (the GUID).
    DeletedHere(String),
    Unknown,
}

/// Their row id of `table` → ours: by GUID, by our code merges, then by natural key.
fn resolve(rec: &Recorder, f: &Fill, ids: &TheirIds, table: &str, id: i64) -> Result<Resolved> {
    let Some(guid) = ids.guid.get(&(table.to_string(), id)) else {
        return Ok(Resolved::Unknown);
    };
    if let Some(o) = our_id(rec, table, guid)? {
        return Ok(Resolved::Ours(o));
    }
    let lower = guid.to_ascii_lowercase();
    if table == "codes"
        && let Some(t) = f.forward_code(rec, guid)?
    {
        return Ok(Resolved::Ours(t));
    }
    if f.deleted_here.contains(&(table.to_string(), lower)) {
        return Ok(Resolved::DeletedHere(guid.clone()));
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

/// The table a column of `table` refers to (by row id), given the row's image.
fn reference(table: &str, column: &str, image: &Image) -> Option<&'static str> {
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
fn translate(
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
        return Ok(Ok(v));
    };
    Ok(match resolve(rec, f, ids, refers, id)? {
        Resolved::Ours(o) => Ok(Json::from(o)),
        other => Err(other),
    })
}

fn json_value(v: &Json) -> Value {
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

fn is_constraint(e: &Error) -> bool {
    matches!(
        e,
        Error::Sql(rusqlite::Error::SqliteFailure(f, _))
            if f.code == rusqlite::ErrorCode::ConstraintViolation
    )
}

/// How a row is named in messages.
fn describe_row(table: &str, image: &Image) -> String {
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

fn apply_change(
    rec: &mut Recorder,
    f: &mut Fill,
    ids: &mut TheirIds,
    ch: &TheirChange,
) -> std::result::Result<(), Step> {
    let rows: Vec<TheirRow> = {
        let raw = query(
            f.other,
            "SELECT table_name, row_key, before, after FROM change_rows WHERE change_id = ?1 ORDER BY seq",
            [ch.id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            },
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
        out
    };
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
    for row in &rows {
        apply_row(rec, f, ids, row, &forward)?;
    }
    if ch.kind == "merge" {
        apply_resolutions(rec, f, ch.id)?;
    }
    Ok(())
}

fn apply_row(
    rec: &mut Recorder,
    f: &mut Fill,
    ids: &mut TheirIds,
    row: &TheirRow,
    forward: &HashMap<i64, i64>,
) -> std::result::Result<(), Step> {
    match row.table.as_str() {
        // A document's turns come and go with it (its text and turns come from their file).
        "turns" | "document_turns" | "turn_bounds" => Ok(()),
        "document_text" => apply_revision(rec, f, ids, row),
        "documents" => apply_document(rec, f, ids, row),
        "codebook_versions" => apply_version(rec, row),
        "reviews" | "document_attributes" | "participant_attributes" | "speakers" => {
            apply_keyed(rec, f, ids, row)
        }
        t if GUID_TABLES.contains(&t) => apply_entity(rec, f, ids, row, forward),
        _ => Ok(()),
    }
}

/// Rows with a GUID: codes, codings, memos, coders, attributes, participants.
fn apply_entity(
    rec: &mut Recorder,
    f: &mut Fill,
    ids: &mut TheirIds,
    row: &TheirRow,
    forward: &HashMap<i64, i64>,
) -> std::result::Result<(), Step> {
    let table = row.table.as_str();
    let Some(image) = row.after.as_ref().or(row.before.as_ref()) else {
        return Ok(());
    };
    let Some(guid) = image.get("guid").and_then(|g| g.as_str()) else {
        return Ok(());
    };
    let ours = our_id(rec, table, guid)?;
    match (&row.before, &row.after) {
        (None, Some(after)) => {
            if ours.is_some() {
                return Ok(());
            }
            let mut values: Vec<(String, Value)> = Vec::new();
            for column in after.keys() {
                if column == "id" {
                    continue;
                }
                match translate(rec, f, ids, table, column, after)? {
                    Ok(v) => values.push((column.clone(), json_value(&v))),
                    Err(Resolved::DeletedHere(g)) => {
                        if matches!(table, "codings" | "memos") {
                            f.kept_absent
                                .push((table.into(), guid.to_ascii_lowercase()));
                        }
                        return Err(Step::Reject(format!(
                            "their {} refers to something deleted here ({g})",
                            describe_row(table, after)
                        )));
                    }
                    // Not here yet (a document they imported): the fill pass brings it in.
                    Err(_) => return Ok(()),
                }
            }
            let refs: Vec<(&str, Value)> = values
                .iter()
                .map(|(c, v)| (c.as_str(), v.clone()))
                .collect();
            match rec.insert(table, &refs) {
                Ok(id) => {
                    count_insert(rec, f, table, id, after)?;
                    Ok(())
                }
                // A code or coder of that name (made on both sides): the fill pass matches it.
                Err(e) if is_constraint(&e) => Ok(()),
                Err(e) => Err(e.into()),
            }
        }
        (Some(before), Some(after)) => {
            let Some(ours) = ours else {
                if f.was_deleted_here(table, guid) {
                    f.kept_absent
                        .push((table.into(), guid.to_ascii_lowercase()));
                    f.conflict(
                        format!("their edit of {}", describe_row(table, after)),
                        "ours: deleted here",
                        "edited it".into(),
                    );
                }
                return Ok(());
            };
            update_columns(rec, f, ids, table, &id_key(ours), before, after, Some(guid))
        }
        (Some(before), None) => {
            let Some(ours) = ours else {
                return Ok(());
            };
            let key = id_key(ours);
            // Their code merge: our codings, subcodes and memos on it go to the target too (a
            // merge supersedes an edit of the merged code here, which is said).
            if table == "codes"
                && let Some(their_id) = before.get("id").and_then(|v| v.as_i64())
                && let Some(&to) = forward.get(&their_id)
                && let Resolved::Ours(target) = resolve(rec, f, ids, "codes", to)?
                && target != ours
            {
                if let Some(what) = changed_since(rec, f, ids, table, &key, before)? {
                    f.conflict(
                        format!(
                            "their merge of {} into another code",
                            describe_row(table, before)
                        ),
                        "theirs: merged",
                        format!("its {what} was changed here since"),
                    );
                }
                let codes = crate::codebook::all(&rec.tx)?;
                let from = codes.iter().find(|c| c.id == ours).map(|c| c.path.clone());
                let into = codes
                    .iter()
                    .find(|c| c.id == target)
                    .map(|c| c.path.clone());
                if let (Some(from), Some(into)) = (from, into) {
                    return match crate::codebook::edit::merge(rec, &from, &into) {
                        Ok(_) => Ok(()),
                        Err(e @ Error::Invalid(_)) => Err(Step::Reject(e.to_string())),
                        Err(e) => Err(e.into()),
                    };
                }
            }
            if !f.opts.theirs
                && let Some(what) = changed_since(rec, f, ids, table, &key, before)?
            {
                return Err(Step::Reject(format!(
                    "they deleted {}, whose {what} was changed here since",
                    describe_row(table, before)
                )));
            }
            match rec.delete(table, &key) {
                Ok(_) => Ok(()),
                Err(e) if is_constraint(&e) => Err(Step::Reject(format!(
                    "they deleted {}, which is still used here (by codings, subcodes or memos added since)",
                    describe_row(table, before)
                ))),
                Err(e) => Err(e.into()),
            }
        }
        (None, None) => Ok(()),
    }
}

/// Counts what the replay added, in the report's terms.
fn count_insert(rec: &Recorder, f: &mut Fill, table: &str, id: i64, image: &Image) -> Result<()> {
    let text = |k: &str| {
        image
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let r = &mut f.report;
    match table {
        "codes" => {
            let path: String = rec.tx.query_row(
                "WITH RECURSIVE up(id, parent_id, path) AS (
                     SELECT id, parent_id, name FROM codes WHERE id = ?1
                     UNION ALL
                     SELECT c.id, c.parent_id, c.name || '/' || up.path FROM codes c JOIN up ON c.id = up.parent_id)
                 SELECT path FROM up WHERE parent_id IS NULL",
                [id],
                |row| row.get(0),
            )?;
            r.codes_created.push(path);
        }
        "codings" => r.codings_added += 1,
        "memos" => r.memos_added += 1,
        "reviews" => r.reviews_added += 1,
        "coders" => r.coders_created.push(text("name")),
        "participants" => r.participants_added.push(text("pid")),
        _ => {}
    }
    Ok(())
}

/// What the report said before a change, to take back when the change is not applied.
struct Counts(usize, usize, usize, usize, usize, usize);

fn counts(r: &super::MergeReport) -> Counts {
    Counts(
        r.codes_created.len(),
        r.codings_added,
        r.memos_added,
        r.reviews_added,
        r.coders_created.len(),
        r.participants_added.len(),
    )
}

fn restore_counts(r: &mut super::MergeReport, c: Counts) {
    r.codes_created.truncate(c.0);
    r.codings_added = c.1;
    r.memos_added = c.2;
    r.reviews_added = c.3;
    r.coders_created.truncate(c.4);
    r.participants_added.truncate(c.5);
}

/// The first column (other than keys and timestamps) where our row differs from their image.
fn changed_since(
    rec: &Recorder,
    f: &Fill,
    ids: &TheirIds,
    table: &str,
    key: &Key,
    before: &Image,
) -> Result<Option<String>> {
    let Some(current) = row_image(&rec.tx, table, key)? else {
        return Ok(None);
    };
    for column in before.keys() {
        if matches!(
            column.as_str(),
            "id" | "guid" | "created_at" | "updated_at" | "sort_order"
        ) {
            continue;
        }
        let Ok(theirs) = translate(rec, f, ids, table, column, before)? else {
            continue;
        };
        if current.get(column).unwrap_or(&Json::Null) != &theirs {
            return Ok(Some(column.clone()));
        }
    }
    Ok(None)
}

/// Three-way merge of the columns their change updated.
#[allow(clippy::too_many_arguments)]
fn update_columns(
    rec: &mut Recorder,
    f: &mut Fill,
    ids: &TheirIds,
    table: &str,
    key: &Key,
    before: &Image,
    after: &Image,
    guid: Option<&str>,
) -> std::result::Result<(), Step> {
    let Some(current) = row_image(&rec.tx, table, key)? else {
        return Ok(());
    };
    let mut sets: Vec<(String, Value)> = Vec::new();
    for column in after.keys() {
        if matches!(column.as_str(), "id" | "guid") || before.get(column) == after.get(column) {
            continue;
        }
        let (Ok(old), Ok(new)) = (
            translate(rec, f, ids, table, column, before)?,
            translate(rec, f, ids, table, column, after)?,
        ) else {
            continue;
        };
        let ours = current.get(column).cloned().unwrap_or(Json::Null);
        if ours == new {
            continue;
        }
        if ours == old || column == "updated_at" {
            sets.push((column.clone(), json_value(&new)));
            continue;
        }
        let what = format!("{} {column}", describe_row(table, &current));
        if f.opts.theirs {
            sets.push((column.clone(), json_value(&new)));
            f.conflict(what, &show(&new), show(&ours));
        } else {
            f.conflict(what, &show(&ours), show(&new));
            if let Some(g) = guid {
                f.kept_ours
                    .push((table.to_string(), g.to_ascii_lowercase(), column.clone()));
            }
        }
    }
    if sets.is_empty() {
        return Ok(());
    }
    let refs: Vec<(&str, Value)> = sets.iter().map(|(c, v)| (c.as_str(), v.clone())).collect();
    match rec.update(table, key, &refs) {
        Ok(_) => Ok(()),
        // A clash (a sibling of that name here): the change waits for the retry at the end.
        Err(e) if is_constraint(&e) => Err(Step::Reject(format!(
            "their edit of {} ({}) clashes with another row here (e.g. a sibling of that name)",
            describe_row(table, &current),
            sets.iter()
                .map(|(c, v)| format!("{c} = {}", show(&history_json(v))))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
        Err(e) => Err(e.into()),
    }
}

fn history_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Integer(i) => Json::from(*i),
        Value::Real(r) => Json::from(*r),
        Value::Text(t) => Json::String(t.clone()),
        Value::Blob(_) => Json::Null,
    }
}

fn show(v: &Json) -> String {
    match v {
        Json::String(s) => format!("'{s}'"),
        Json::Null => "none".into(),
        other => other.to_string(),
    }
}

/// Rows keyed by what they belong to: attribute values, speakers, consensus decisions.
fn apply_keyed(
    rec: &mut Recorder,
    f: &mut Fill,
    ids: &mut TheirIds,
    row: &TheirRow,
) -> std::result::Result<(), Step> {
    let table = row.table.as_str();
    let Some(image) = row.after.as_ref().or(row.before.as_ref()) else {
        return Ok(());
    };
    // Our key: the same columns translated.
    let key_columns: &[&str] = match table {
        "document_attributes" => &["document_id", "attribute_id"],
        "participant_attributes" => &["participant_id", "attribute_id"],
        "speakers" => &["document_id", "label"],
        _ => &["document_id", "code_id", "start", "end"],
    };
    let mut natural: Vec<Value> = Vec::new();
    for c in key_columns {
        match translate(rec, f, ids, table, c, image)? {
            Ok(v) => natural.push(json_value(&v)),
            Err(_) => return Ok(()),
        }
    }
    let key: Key = if table == "reviews" {
        let found: Option<i64> = rec
            .tx
            .prepare_cached(
                "SELECT id FROM reviews WHERE document_id = ?1 AND code_id = ?2 AND start = ?3 AND \"end\" = ?4",
            )?
            .query_row(rusqlite::params_from_iter(natural.iter()), |r| r.get(0))
            .optional()?;
        match found {
            Some(id) => id_key(id),
            None => Vec::new(),
        }
    } else {
        natural
    };
    let current = if key.is_empty() {
        None
    } else {
        row_image(&rec.tx, table, &key)?
    };
    match (&row.before, &row.after, current) {
        (None, Some(after), None) => {
            let mut values: Vec<(String, Value)> = Vec::new();
            for column in after.keys() {
                if column == "id" {
                    continue;
                }
                match translate(rec, f, ids, table, column, after)? {
                    Ok(v) => values.push((column.clone(), json_value(&v))),
                    Err(_) => return Ok(()),
                }
            }
            let refs: Vec<(&str, Value)> = values
                .iter()
                .map(|(c, v)| (c.as_str(), v.clone()))
                .collect();
            match rec.insert(table, &refs) {
                Ok(id) => {
                    count_insert(rec, f, table, id, after)?;
                    Ok(())
                }
                Err(e) if is_constraint(&e) => Ok(()),
                Err(e) => Err(e.into()),
            }
        }
        (None, Some(after), Some(_)) => {
            // Both sides set it: compare as an update from nothing.
            update_columns(rec, f, ids, table, &key, &Map::new(), after, None)
        }
        (Some(before), Some(after), Some(_)) => {
            update_columns(rec, f, ids, table, &key, before, after, None)
        }
        (Some(before), None, Some(_)) => {
            if !f.opts.theirs
                && let Some(what) = changed_since(rec, f, ids, table, &key, before)?
            {
                f.conflict(
                    format!("their removal of a {} ", table.trim_end_matches('s')),
                    "ours: kept",
                    format!("its {what} was changed here since"),
                );
                return Ok(());
            }
            rec.delete(table, &key)?;
            Ok(())
        }
        _ => Ok(()),
    }
}

fn apply_version(rec: &mut Recorder, row: &TheirRow) -> std::result::Result<(), Step> {
    let Some(image) = row.after.as_ref().or(row.before.as_ref()) else {
        return Ok(());
    };
    let Some(name) = image.get("name").and_then(|v| v.as_str()) else {
        return Ok(());
    };
    let ours: Option<i64> = rec
        .tx
        .prepare_cached("SELECT id FROM codebook_versions WHERE name = ?1")?
        .query_row([name], |r| r.get(0))
        .optional()?;
    match (&row.after, ours) {
        (Some(after), None) => {
            let s = |k: &str| {
                Value::Text(
                    after
                        .get(k)
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_string(),
                )
            };
            rec.insert(
                "codebook_versions",
                &[
                    ("name", Value::Text(name.to_string())),
                    ("created_at", s("created_at")),
                    ("change_id", Value::Null),
                    ("codebook", s("codebook")),
                ],
            )?;
        }
        (None, Some(id)) => {
            rec.delete("codebook_versions", &id_key(id))?;
        }
        _ => {}
    }
    Ok(())
}

/// Documents: their renames (3-way) and deletions travel; added documents come in through
/// the fill pass (with their text and turns from their file).
fn apply_document(
    rec: &mut Recorder,
    f: &mut Fill,
    ids: &mut TheirIds,
    row: &TheirRow,
) -> std::result::Result<(), Step> {
    let Some(image) = row.after.as_ref().or(row.before.as_ref()) else {
        return Ok(());
    };
    let Some(guid) = image.get("guid").and_then(|g| g.as_str()) else {
        return Ok(());
    };
    let Some(ours) = our_id(rec, "documents", guid)? else {
        return Ok(());
    };
    match (&row.before, &row.after) {
        (Some(before), Some(after)) => update_columns(
            rec,
            f,
            ids,
            "documents",
            &id_key(ours),
            before,
            after,
            Some(guid),
        ),
        (Some(before), None) => {
            let used: i64 = rec.tx.query_row(
                "SELECT (SELECT count(*) FROM codings WHERE document_id = ?1) + (SELECT count(*) FROM memos WHERE target_kind = 'document' AND target_id = ?1)",
                [ours],
                |r| r.get(0),
            )?;
            if used > 0 {
                return Err(Step::Reject(format!(
                    "they deleted {}, which has {used} coding(s) or memo(s) here",
                    describe_row("documents", before)
                )));
            }
            for table in ["speakers", "document_attributes"] {
                let keys: Vec<Key> = query(
                    &rec.tx,
                    &format!(
                        "SELECT {} FROM {table} WHERE document_id = ?1",
                        if table == "speakers" {
                            "document_id, label"
                        } else {
                            "document_id, attribute_id"
                        }
                    ),
                    [ours],
                    |r| Ok(vec![r.get::<_, Value>(0)?, r.get::<_, Value>(1)?]),
                )?;
                for k in keys {
                    rec.delete(table, &k)?;
                }
            }
            rec.delete("document_turns", &vec![Value::Integer(ours)])?;
            match rec.delete("documents", &id_key(ours)) {
                Ok(_) => Ok(()),
                Err(e) if is_constraint(&e) => Err(Step::Reject(format!(
                    "they deleted {}, which is still used here",
                    describe_row("documents", before)
                ))),
                Err(e) => Err(e.into()),
            }
        }
        _ => Ok(()),
    }
}

/// Their revision of a document's text (`thematic revise`): ours is revised the same way when
/// it still has the text they started from.
fn apply_revision(
    rec: &mut Recorder,
    f: &mut Fill,
    ids: &mut TheirIds,
    row: &TheirRow,
) -> std::result::Result<(), Step> {
    let (Some(before), Some(after)) = (&row.before, &row.after) else {
        return Ok(());
    };
    let Some(id) = row.key.first().and_then(|v| v.as_i64()) else {
        return Ok(());
    };
    let Resolved::Ours(ours) = resolve(rec, f, ids, "documents", id)? else {
        return Ok(());
    };
    let text = |m: &Image| {
        m.get("text")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let current: String =
        rec.tx
            .query_row("SELECT text FROM documents WHERE id = ?1", [ours], |r| {
                r.get(0)
            })?;
    if current == text(after) {
        return Ok(());
    }
    if current != text(before) {
        return Err(Step::Reject(
            "they revised a document whose text was revised differently here".into(),
        ));
    }
    crate::exchange::revise::revise_in(rec, ours, &text(after))?;
    Ok(())
}

/// Columns whose values are stored portably (row ids as the GUID of the row they refer to).
fn portable_reference(table: &str, column: &str) -> Option<&'static str> {
    match (table, column) {
        ("codes", "parent_id") | ("codings", "code_id") => Some("codes"),
        _ => None,
    }
}

fn guid_of(conn: &Connection, table: &str, id: &Json) -> Result<Json> {
    let Some(id) = id.as_i64() else {
        return Ok(Json::Null);
    };
    let sql = format!("SELECT guid FROM {table} WHERE id = ?1");
    let g: Option<String> = conn
        .prepare_cached(&sql)?
        .query_row([id], |r| r.get(0))
        .optional()?;
    Ok(g.map(|g| Json::String(g.to_ascii_lowercase()))
        .unwrap_or(Json::Null))
}

fn column_value(conn: &Connection, table: &str, guid: &str, column: &str) -> Result<Option<Json>> {
    let sql = format!("SELECT \"{column}\" FROM {table} WHERE guid IN (?1, lower(?1), upper(?1))");
    let v: Option<Value> = conn
        .prepare_cached(&sql)?
        .query_row([guid], |r| r.get(0))
        .optional()?;
    let Some(v) = v else { return Ok(None) };
    let json = history_json(&v);
    Ok(Some(match portable_reference(table, column) {
        Some(refers) => guid_of(conn, refers, &json)?,
        None => json,
    }))
}

const ROW_PRESENT: &str = "present";

/// Stores how this merge settled its conflicts, for the copies that merge this file later.
pub fn record_resolutions(rec: &mut Recorder, f: &mut Fill) -> Result<()> {
    let mut seq = 0;
    let mut seen = HashSet::new();
    let kept = std::mem::take(&mut f.kept_ours);
    for (table, guid, column) in kept {
        if !seen.insert((table.clone(), guid.clone(), column.clone())) {
            continue;
        }
        if reference(&table, &column, &Map::new()).is_some()
            && portable_reference(&table, &column).is_none()
        {
            continue;
        }
        let ours = column_value(&rec.tx, &table, &guid, &column)?;
        let theirs = column_value(f.other, &table, &guid, &column)?;
        let (Some(ours), Some(theirs)) = (ours, theirs) else {
            continue;
        };
        if ours == theirs {
            continue;
        }
        seq += 1;
        rec.tx.execute(
            "INSERT INTO merge_resolutions (change_id, seq, table_name, guid, column_name, before, after) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![rec.change_id, seq, table, guid, column, theirs.to_string(), ours.to_string()],
        )?;
    }
    for (table, guid) in std::mem::take(&mut f.kept_present) {
        if !seen.insert((table.clone(), guid.clone(), String::new())) {
            continue;
        }
        let Some(image) = portable_row(&rec.tx, &table, &guid)? else {
            continue;
        };
        seq += 1;
        rec.tx.execute(
            "INSERT INTO merge_resolutions (change_id, seq, table_name, guid, column_name, before, after) VALUES (?1, ?2, ?3, ?4, NULL, NULL, ?5)",
            params![rec.change_id, seq, table, guid, Json::Object(image).to_string()],
        )?;
    }
    // A code that stays deleted takes the codings our history deleted with it along.
    let mut absent = Vec::new();
    for (table, guid) in std::mem::take(&mut f.kept_absent) {
        if table == "codes"
            && let Some(&old) = f.deleted_code_ids.get(&guid)
        {
            for g in query(
                &rec.tx,
                "SELECT json_extract(before, '$.guid') FROM change_rows
                  WHERE table_name = 'codings' AND after IS NULL AND json_extract(before, '$.code_id') = ?1",
                [old],
                |r| r.get::<_, String>(0),
            )? {
                absent.push(("codings".to_string(), g.to_ascii_lowercase()));
            }
        }
        absent.push((table, guid));
    }
    for (table, guid) in absent {
        if !seen.insert((table.clone(), guid.clone(), String::new()))
            || our_id(rec, &table, &guid)?.is_some()
        {
            continue;
        }
        seq += 1;
        rec.tx.execute(
            "INSERT INTO merge_resolutions (change_id, seq, table_name, guid, column_name, before, after) VALUES (?1, ?2, ?3, ?4, NULL, ?5, NULL)",
            params![rec.change_id, seq, table, guid, format!("\"{ROW_PRESENT}\"")],
        )?;
    }
    Ok(())
}

/// Applies the resolutions their merge recorded (see [`record_resolutions`]).
fn apply_resolutions(
    rec: &mut Recorder,
    f: &mut Fill,
    change: i64,
) -> std::result::Result<(), Step> {
    let rows = query(
        f.other,
        "SELECT table_name, guid, column_name, before, after FROM merge_resolutions WHERE change_id = ?1 ORDER BY seq",
        [change],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        },
    )?;
    // Kept with our entry for their merge, so that copies merging this file get them too.
    for (seq, (table, guid, column, before, after)) in rows.iter().enumerate() {
        rec.tx.execute(
            "INSERT OR IGNORE INTO merge_resolutions (change_id, seq, table_name, guid, column_name, before, after) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![rec.log_target(), seq as i64 + 1, table, guid, column, before, after],
        )?;
    }
    let mut absent: Vec<(String, String)> = Vec::new();
    let mut again: Vec<(String, String, String)> = Vec::new();
    // Rows kept first (a column may refer to one), then columns, then rows removed.
    let mut rows = rows;
    rows.sort_by_key(|(_, _, column, _, after)| match (column, after) {
        (None, Some(_)) => 0,
        (Some(_), _) => 1,
        (None, None) => 2,
    });
    for (table, guid, column, before, after) in rows {
        if !GUID_TABLES.contains(&table.as_str()) {
            continue;
        }
        let Some(ours) = our_id(rec, &table, &guid)? else {
            if column.is_none()
                && let Some(image) = after
                && !restore_present(rec, f, &table, &guid, &image, false)?
            {
                again.push((table, guid, image));
            }
            continue;
        };
        let parse = |s: &Option<String>| -> Json {
            s.as_deref()
                .and_then(|s| serde_json::from_str(s).ok())
                .unwrap_or(Json::Null)
        };
        let Some(column) = column else {
            match after {
                // Their merge kept this row (their deletion was not applied there).
                Some(image) => {
                    if !restore_present(rec, f, &table, &guid, &image, false)? {
                        again.push((table, guid, image));
                    }
                }
                // Their merge decided this row should not exist: deleted below, children
                // before parents.
                None => absent.push((table, guid)),
            }
            continue;
        };
        let Some(current) = column_value(&rec.tx, &table, &guid, &column)? else {
            continue;
        };
        let (old, new) = (parse(&before), parse(&after));
        if current == new {
            continue;
        }
        let value = match portable_reference(&table, &column) {
            Some(refers) => match new.as_str() {
                Some(g) => match our_id(rec, refers, g)? {
                    Some(id) => Value::Integer(id),
                    None => continue,
                },
                None => Value::Null,
            },
            None => json_value(&new),
        };
        if current == old {
            match rec.update(&table, &id_key(ours), &[(column.as_str(), value)]) {
                Ok(_) => {}
                Err(e) if is_constraint(&e) => {}
                Err(e) => return Err(e.into()),
            }
        } else {
            f.conflict(
                format!("their merge's decision on {table} {guid} {column}"),
                &show(&current),
                show(&new),
            );
        }
    }
    // Rows kept that clashed with a name the columns above have changed since.
    for (table, guid, image) in again {
        restore_present(rec, f, &table, &guid, &image, true)?;
    }
    // Deletions until none succeeds (a code goes once the codings on it have gone).
    loop {
        let mut progress = false;
        let mut left = Vec::new();
        for (table, guid) in absent {
            let Some(ours) = our_id(rec, &table, &guid)? else {
                continue;
            };
            match rec.delete(&table, &id_key(ours)) {
                Ok(_) => progress = true,
                Err(e) if is_constraint(&e) => left.push((table, guid)),
                Err(e) => return Err(e.into()),
            }
        }
        absent = left;
        if !progress || absent.is_empty() {
            break;
        }
    }
    Ok(())
}

/// Our row by GUID as their file can read it: ids of rows it refers to as `{"guid": …}`.
fn portable_row(tx: &Transaction, table: &str, guid: &str) -> Result<Option<Image>> {
    let Some(id) = our_id_tx(tx, table, guid)? else {
        return Ok(None);
    };
    let Some(mut image) = row_image(tx, table, &id_key(id))? else {
        return Ok(None);
    };
    let snapshot = image.clone();
    image.remove("id");
    for (column, value) in snapshot.iter() {
        if let Some(refers) = reference(table, column, &snapshot)
            && refers != "changes"
        {
            let mut m = Map::new();
            m.insert("guid".into(), guid_of(tx, refers, value)?);
            image.insert(column.clone(), Json::Object(m));
        }
    }
    Ok(Some(image))
}

fn our_id_tx(tx: &Transaction, table: &str, guid: &str) -> Result<Option<i64>> {
    let sql = format!("SELECT id FROM {table} WHERE guid IN (?1, lower(?1), upper(?1))");
    Ok(tx
        .prepare_cached(&sql)?
        .query_row([guid], |r| r.get(0))
        .optional()?)
}

/// Puts back a row their merge kept, from its portable image, when we lack it.
fn restore_present(
    rec: &mut Recorder,
    f: &mut Fill,
    table: &str,
    guid: &str,
    image: &str,
    last_try: bool,
) -> std::result::Result<bool, Step> {
    if our_id(rec, table, guid)?.is_some() {
        return Ok(true);
    }
    let Ok(Json::Object(image)) = serde_json::from_str::<Json>(image) else {
        return Ok(true);
    };
    let mut values: Vec<(String, Value)> = Vec::new();
    for (column, value) in &image {
        if let Some(refers) = reference(table, column, &image) {
            let target = value.get("guid").and_then(|g| g.as_str());
            match target {
                Some(g) => match our_id(rec, refers, g)? {
                    Some(id) => values.push((column.clone(), Value::Integer(id))),
                    None => return Ok(last_try),
                },
                None => values.push((column.clone(), Value::Null)),
            }
        } else {
            values.push((column.clone(), json_value(value)));
        }
    }
    let refs: Vec<(&str, Value)> = values
        .iter()
        .map(|(c, v)| (c.as_str(), v.clone()))
        .collect();
    match rec.insert(table, &refs) {
        Ok(_) => {}
        Err(e) if is_constraint(&e) && !last_try => return Ok(false),
        Err(e) if is_constraint(&e) => {
            f.report.notes.push(format!(
                "their merge kept a {} this study deleted, but it clashes with one here; not restored",
                table.trim_end_matches('s')
            ));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(true)
}
