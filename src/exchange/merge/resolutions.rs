//! Resolutions: how a merge settled its conflicts, stored with it (`merge_resolutions`) so
//! that the copies merging this file later adopt the decision, and applied when we replay
//! their merges. A column keeps a value, a row is kept (restored from a portable image) or
//! removed. Decisions are ordered alike on every copy (the merge's time, then its uid): of
//! two on one column, or on whether one row exists, the later prevails wherever it arrives,
//! also over the earlier one applied already, and an earlier one arriving later is not applied.

use super::fill::{Fill, GUID_TABLES, our_id, query};
use super::lineage::*;
use super::rows::{history_json, show};
use crate::error::Result;
use crate::study::history::{Recorder, id_key, row_image};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::{Map, Value as Json};
use std::collections::HashSet;

/// Columns whose values are stored portably (row ids as the GUID of the row they refer to).
pub(super) fn portable_reference(table: &str, column: &str) -> Option<&'static str> {
    match (table, column) {
        ("codes", "parent_id") | ("codings", "code_id") => Some("codes"),
        _ => None,
    }
}

pub(super) fn guid_of(conn: &Connection, table: &str, id: &Json) -> Result<Json> {
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

pub(super) fn column_value(
    conn: &Connection,
    table: &str,
    guid: &str,
    column: &str,
) -> Result<Option<Json>> {
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

pub(super) const ROW_PRESENT: &str = "present";

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
    // With the uids of the deletions not applied: a copy whose row went by another change
    // (one this merge did not weigh) keeps it gone.
    let mut present: Vec<((String, String), Vec<String>)> = Vec::new();
    for (table, guid, uid) in std::mem::take(&mut f.kept_present) {
        match present
            .iter_mut()
            .find(|(k, _)| k.0 == table && k.1 == guid)
        {
            Some((_, uids)) => uids.push(uid),
            None => present.push(((table, guid), vec![uid])),
        }
    }
    for ((table, guid), uids) in present {
        if !seen.insert((table.clone(), guid.clone(), String::new())) {
            continue;
        }
        let Some(image) = portable_row(&rec.tx, &table, &guid)? else {
            continue;
        };
        seq += 1;
        rec.tx.execute(
            "INSERT INTO merge_resolutions (change_id, seq, table_name, guid, column_name, before, after) VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?6)",
            params![rec.change_id, seq, table, guid, Json::from(uids).to_string(), Json::Object(image).to_string()],
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
pub(super) fn apply_resolutions(
    rec: &mut Recorder,
    f: &mut Fill,
    change: i64,
) -> std::result::Result<(), Step> {
    let rows = query(
        f.other,
        "SELECT table_name, guid, column_name, before, after FROM merge_resolutions WHERE change_id = ?1 ORDER BY seq",
        [change],
        |r| {
            <(
                String,
                String,
                Option<String>,
                Option<String>,
                Option<String>,
            )>::try_from(r)
        },
    )?;
    // Kept with our entry for their merge, so that copies merging this file get them too.
    for (seq, (table, guid, column, before, after)) in rows.iter().enumerate() {
        rec.tx.execute(
            "INSERT OR IGNORE INTO merge_resolutions (change_id, seq, table_name, guid, column_name, before, after) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![rec.log_target(), seq as i64 + 1, table, guid, column, before, after],
        )?;
    }
    let incoming: Stamp =
        f.other
            .query_row("SELECT at, uid FROM changes WHERE id = ?1", [change], |r| {
                Ok(stamp(r.get(0)?, r.get(1)?))
            })?;
    let mut absent: Vec<(String, String)> = Vec::new();
    let mut again: Vec<(String, String, String)> = Vec::new();
    let mut restored_codes: Vec<(String, Option<String>)> = Vec::new();
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
        // A later decision on whether the row exists, known here, prevails over this one.
        if column.is_none()
            && later_presence(&rec.tx, &table, &guid, &incoming, rec.log_target())?.is_some()
        {
            continue;
        }
        let Some(ours) = our_id(rec, &table, &guid)? else {
            if column.is_none()
                && let Some(image) = after
                && !removed_otherwise(rec, f.other, &table, &guid, before.as_deref(), &incoming)?
            {
                if table == "codes" {
                    restored_codes.push((guid.clone(), before.clone()));
                }
                if !restore_present(rec, f, &table, &guid, &image, false)? {
                    again.push((table, guid, image));
                }
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
                    refresh_from_image(rec, f.other, &table, ours, &guid, &image)?;
                    if table == "codings" {
                        coding_to_image_code(rec, ours, &guid, &image, &incoming)?;
                    }
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
        // Two merges that settled one conflict differently (three copies, each meeting it on
        // its own): the later decision prevails on every copy, whichever arrives first.
        let latest = latest_decision(&rec.tx, &table, &guid, &column, rec.log_target())?;
        if let Some((known, _, _)) = &latest
            && *known > incoming
        {
            continue;
        }
        let backed = latest.is_some_and(|(_, _, kept)| kept == current);
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
        // Our value set by an edit made before this decision (which did not weigh it): the
        // later decision prevails, as it does on the copies that learn of that edit after it.
        let earlier_edit = portable_reference(&table, &column).is_none()
            && value_stamp(&rec.tx, f.other, &table, &guid, &column, Some(&current))?
                < Some(incoming.clone());
        if current == old || backed || earlier_edit {
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
    for (guid, rejected) in restored_codes {
        codings_back_from_rejected_merge(rec, &guid, rejected.as_deref(), &incoming)?;
    }
    // Deletions until none succeeds (a code goes once the codings on it have gone).
    loop {
        let mut progress = false;
        let mut left = Vec::new();
        for (table, guid) in absent {
            let Some(ours) = our_id(rec, &table, &guid)? else {
                continue;
            };
            let described = match table.as_str() {
                "codings" => super::dropped::describe_coding(&rec.tx, ours)?,
                _ => None,
            };
            // A code that goes takes the codings made on it since along (listed), as its
            // deletion does; they stay when the code cannot go (subcodes, memos on it).
            rec.tx.execute_batch("SAVEPOINT absent_row")?;
            let before = (
                f.report.codings_dropped.len(),
                f.conflicts.len(),
                f.kept_absent.len(),
            );
            if table == "codes" {
                super::dropped::drop_codings_on(rec, f, ours)?;
            }
            let deleted = if table == "codings" {
                crate::coding::delete_coding(rec, ours)
            } else {
                rec.delete(&table, &id_key(ours))
            };
            match deleted {
                Ok(_) => {
                    rec.tx.execute_batch("RELEASE absent_row")?;
                    progress = true;
                    if let Some(d) = described {
                        f.dropped(
                            d,
                            "their merge decided it goes (its code, or the coding, was deleted there)",
                        );
                    }
                }
                Err(e) if is_constraint(&e) => {
                    rec.tx
                        .execute_batch("ROLLBACK TO absent_row; RELEASE absent_row")?;
                    f.report.codings_dropped.truncate(before.0);
                    f.conflicts.truncate(before.1);
                    f.kept_absent.truncate(before.2);
                    left.push((table, guid));
                }
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

/// A code their merge kept against a code merge of it that it did not apply (`rejected`, the
/// uids of the changes it set aside), brought back here where that merge was applied: the
/// codings the merge moved off it go back to it (where they still are on the merge target), as
/// they stayed on it where the decision was made. Else one coding ends on two codes on two
/// copies.
fn codings_back_from_rejected_merge(
    rec: &mut Recorder,
    guid: &str,
    rejected: Option<&str>,
    decided: &Stamp,
) -> std::result::Result<(), Step> {
    let Some(code) = our_id(rec, "codes", guid)? else {
        return Ok(());
    };
    let Some(Json::Array(rejected)) = rejected.and_then(|r| serde_json::from_str(r).ok()) else {
        return Ok(());
    };
    for uid in rejected.iter().filter_map(|u| u.as_str()) {
        let again = format!("{uid}{AGAIN}%");
        let in_change = "FROM change_rows r JOIN changes c ON c.id = r.change_id
           LEFT JOIN changes g ON g.id = c.merged_by
          WHERE (c.uid = ?1 OR c.uid LIKE ?2) AND c.undone_by IS NULL
            AND (g.id IS NULL OR g.undone_by IS NULL)";
        let old_ids: Vec<i64> = query(
            &rec.tx,
            &format!(
                "SELECT json_extract(r.before, '$.id') {in_change} AND r.table_name = 'codes'
                   AND r.after IS NULL AND lower(json_extract(r.before, '$.guid')) = lower(?3)"
            ),
            params![uid, again, guid],
            |r| r.get(0),
        )?;
        for old in old_ids {
            let moved = query(
                &rec.tx,
                &format!(
                    "SELECT json_extract(r.after, '$.guid'), json_extract(r.after, '$.code_id') {in_change}
                       AND r.table_name = 'codings' AND r.before IS NOT NULL AND r.after IS NOT NULL
                       AND json_extract(r.before, '$.code_id') = ?3
                       AND json_extract(r.after, '$.code_id') != ?3"
                ),
                params![uid, again, old],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
            )?;
            for (coding, target) in moved {
                let Some(id) = our_id(rec, "codings", &coding)? else {
                    continue;
                };
                let on: Option<i64> = rec
                    .tx
                    .prepare_cached("SELECT code_id FROM codings WHERE id = ?1")?
                    .query_row([id], |r| r.get(0))
                    .optional()?;
                // A later decision kept the coding where it is.
                if on != Some(target)
                    || later_presence(&rec.tx, "codings", &coding, decided, rec.log_target())?
                        .is_some()
                {
                    continue;
                }
                match rec.update("codings", &id_key(id), &[("code_id", Value::Integer(code))]) {
                    Ok(_) => {}
                    Err(e) if is_constraint(&e) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
    Ok(())
}

/// A coding their merge kept, which is here on another code: it goes to the code the decision
/// saw it on (the decision is the latest on whether it exists, see the caller) unless a change
/// here moved it after the decision, or that code is not here.
fn coding_to_image_code(
    rec: &mut Recorder,
    ours: i64,
    guid: &str,
    image: &str,
    decided: &Stamp,
) -> std::result::Result<(), Step> {
    let Ok(Json::Object(image)) = serde_json::from_str::<Json>(image) else {
        return Ok(());
    };
    let Some(code_guid) = image
        .get("code_id")
        .and_then(|v| v.get("guid"))
        .and_then(|g| g.as_str())
    else {
        return Ok(());
    };
    let Some(code) = our_id(rec, "codes", code_guid)? else {
        return Ok(());
    };
    let on: Option<i64> = rec
        .tx
        .prepare_cached("SELECT code_id FROM codings WHERE id = ?1")?
        .query_row([ours], |r| r.get(0))
        .optional()?;
    if on == Some(code) {
        return Ok(());
    }
    let moved_since = query(
        &rec.tx,
        "SELECT c.at, c.uid FROM change_rows r JOIN changes c ON c.id = r.change_id
           LEFT JOIN changes g ON g.id = c.merged_by
          WHERE r.table_name = 'codings' AND r.before IS NOT NULL AND r.after IS NOT NULL
            AND lower(json_extract(r.after, '$.guid')) = lower(?1)
            AND json_extract(r.before, '$.code_id') != json_extract(r.after, '$.code_id')
            AND c.undone_by IS NULL AND (g.id IS NULL OR g.undone_by IS NULL)",
        [guid],
        |r| Ok(stamp(r.get(0)?, r.get(1)?)),
    )?
    .into_iter()
    .any(|s| s > *decided);
    if moved_since {
        return Ok(());
    }
    match rec.update(
        "codings",
        &id_key(ours),
        &[("code_id", Value::Integer(code))],
    ) {
        Ok(_) => Ok(()),
        Err(e) if is_constraint(&e) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// When a change was made, as every copy sees it: its time, then its uid (without the mark of
/// a change brought in again), so that copies order two decisions alike.
pub(super) type Stamp = (String, String);

pub(super) fn stamp(at: String, uid: Option<String>) -> Stamp {
    let mut uid = uid.unwrap_or_default();
    if let Some(i) = uid.find(AGAIN) {
        uid.truncate(i);
    }
    (at, uid)
}

/// The latest decision (of a merge not undone, other than `except`) this study knows on one
/// column of one row: when it was made, the value it set aside and the value it kept.
fn latest_decision(
    tx: &Transaction,
    table: &str,
    guid: &str,
    column: &str,
    except: i64,
) -> Result<Option<(Stamp, Json, Json)>> {
    let rows = query(
        tx,
        "SELECT c.at, c.uid, r.before, r.after FROM merge_resolutions r
           JOIN changes c ON c.id = r.change_id LEFT JOIN changes g ON g.id = c.merged_by
          WHERE r.table_name = ?1 AND lower(r.guid) = lower(?2) AND r.column_name = ?3
            AND r.change_id != ?4 AND c.undone_by IS NULL AND (g.id IS NULL OR g.undone_by IS NULL)",
        params![table, guid, column, except],
        |r| <(String, Option<String>, Option<String>, Option<String>)>::try_from(r),
    )?;
    let parse = |s: Option<String>| {
        s.and_then(|a| serde_json::from_str(&a).ok())
            .unwrap_or(Json::Null)
    };
    Ok(rows
        .into_iter()
        .map(|(at, uid, before, after)| (stamp(at, uid), parse(before), parse(after)))
        .max_by(|a, b| a.0.cmp(&b.0)))
}

/// The latest decision (of a merge not undone, other than `except`) this study knows on whether
/// one row should exist, if it was made after `than`: true when it kept the row, false when it
/// removed it. Two merges that settled a row's fate differently (a copy that deleted a code and
/// one that edited it, each meeting the other on its own) are ordered alike on every copy, and
/// the later prevails wherever it arrives, also over the earlier one applied already.
pub(super) fn later_presence(
    tx: &Transaction,
    table: &str,
    guid: &str,
    than: &Stamp,
    except: i64,
) -> Result<Option<bool>> {
    let rows = query(
        tx,
        "SELECT c.at, c.uid, r.after IS NOT NULL FROM merge_resolutions r
           JOIN changes c ON c.id = r.change_id LEFT JOIN changes g ON g.id = c.merged_by
          WHERE r.table_name = ?1 AND lower(r.guid) = lower(?2) AND r.column_name IS NULL
            AND r.change_id != ?3 AND c.undone_by IS NULL AND (g.id IS NULL OR g.undone_by IS NULL)",
        params![table, guid, except],
        |r| <(String, Option<String>, bool)>::try_from(r),
    )?;
    Ok(rows
        .into_iter()
        .map(|(at, uid, present)| (stamp(at, uid), present))
        .filter(|(s, _)| s > than)
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, present)| present))
}

/// Whether our value of this column is the one a decision known here kept, made after `than`
/// (the change of theirs being replayed): the later decision prevails over the earlier edit,
/// which it did not weigh, on every copy alike.
pub(super) fn kept_by_later_decision(
    rec: &Recorder,
    table: &str,
    guid: &str,
    column: &str,
    ours: &Json,
    than: &Stamp,
) -> Result<bool> {
    let ours = match portable_reference(table, column) {
        Some(refers) => guid_of(&rec.tx, refers, ours)?,
        None => ours.clone(),
    };
    let Some((at, _, kept)) = latest_decision(&rec.tx, table, guid, column, rec.log_target())?
    else {
        return Ok(false);
    };
    Ok(at > *than && kept == ours)
}

/// Whether the latest decision known here on this column kept our value against theirs (the
/// conflict met again through another copy is settled already: no new conflict, no new
/// decision).
pub(super) fn settled(
    rec: &Recorder,
    table: &str,
    guid: &str,
    column: &str,
    theirs: &Json,
    ours: &Json,
) -> Result<bool> {
    let portable = |v: &Json| -> Result<Json> {
        match portable_reference(table, column) {
            Some(refers) => guid_of(&rec.tx, refers, v),
            None => Ok(v.clone()),
        }
    };
    let Some((_, set_aside, kept)) =
        latest_decision(&rec.tx, table, guid, column, rec.log_target())?
    else {
        return Ok(false);
    };
    Ok(kept == portable(ours)? && set_aside == portable(theirs)?)
}

/// Whether a change here other than the deletions their merge did not apply (`rejected`, a JSON
/// list of uids; older files list none) removed this row: merged the code away, or deleted it
/// after their merge decided to keep it (a deletion made before it is one the decision
/// prevails over, weighed there or not: every copy orders the two alike).
fn removed_otherwise(
    rec: &Recorder,
    other: &Connection,
    table: &str,
    guid: &str,
    rejected: Option<&str>,
    decided: &Stamp,
) -> Result<bool> {
    let Some(Json::Array(rejected)) = rejected.and_then(|r| serde_json::from_str(r).ok()) else {
        return Ok(false);
    };
    let mut rejected: HashSet<String> = rejected
        .iter()
        .filter_map(|u| u.as_str().map(str::to_string))
        .collect();
    // Another merge of this code into a code a rejected merge went into (two copies merged it
    // alike) is one the decision would have set aside too.
    if table == "codes" {
        let merges = query(
            &rec.tx,
            "SELECT c.uid, lower(m.into_guid) FROM code_merges m JOIN changes c ON c.id = m.change_id
              WHERE lower(m.from_guid) = lower(?1) AND c.uid IS NOT NULL",
            [guid],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
        )?;
        let targets: HashSet<&String> = merges
            .iter()
            .filter(|(uid, _)| rejected.contains(&original_uid(uid)))
            .map(|(_, into)| into)
            .collect();
        let alike: Vec<String> = merges
            .iter()
            .filter(|(_, into)| targets.contains(into))
            .map(|(uid, _)| original_uid(uid))
            .collect();
        rejected.extend(alike);
    }
    let sql = "SELECT c.at, c.uid, 0 FROM change_rows r JOIN changes c ON c.id = r.change_id
           LEFT JOIN changes g ON g.id = c.merged_by
          WHERE r.table_name = ?1 AND r.after IS NULL AND r.before IS NOT NULL
            AND lower(json_extract(r.before, '$.guid')) = lower(?2)
            AND c.undone_by IS NULL AND (g.id IS NULL OR g.undone_by IS NULL)
         UNION ALL
         SELECT c.at, c.uid, 1 FROM code_merges m JOIN changes c ON c.id = m.change_id
           LEFT JOIN changes g ON g.id = c.merged_by
          WHERE ?1 = 'codes' AND lower(m.from_guid) = lower(?2)
            AND c.undone_by IS NULL AND (g.id IS NULL OR g.undone_by IS NULL)";
    let row = |r: &rusqlite::Row| Ok((stamp(r.get(0)?, r.get(1)?), r.get::<_, bool>(2)?));
    let mut removers = query(&rec.tx, sql, params![table, guid], row)?;
    // A removal this study knows of but could not apply (the row was gone here already, so it
    // left no rows here): their file holds what it removed.
    for remover in query(other, sql, params![table, guid], row)? {
        if knows_change(&rec.tx, &remover.0.1)? {
            removers.push(remover);
        }
    }
    Ok(removers.iter().any(|((at, uid), merged)| {
        !rejected.contains(uid.as_str()) && (*merged || (at.clone(), uid.clone()) > *decided)
    }))
}

/// Whether this study has the change `uid` (also as brought in again, `UID:again:MERGE`); by
/// the uid index.
fn knows_change(tx: &Connection, uid: &str) -> Result<bool> {
    let uid = original_uid(uid);
    let again = format!("{uid}{AGAIN}");
    let past = format!("{uid}:again;");
    Ok(tx
        .prepare_cached(
            "SELECT count(*) > 0 FROM changes WHERE uid = ?1 OR (uid >= ?2 AND uid < ?3)",
        )?
        .query_row(params![uid, again, past], |r| r.get(0))?)
}

/// Our row by GUID as their file can read it: ids of rows it refers to as `{"guid": …}`.
pub(super) fn portable_row(tx: &Connection, table: &str, guid: &str) -> Result<Option<Image>> {
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

pub(super) fn our_id_tx(tx: &Connection, table: &str, guid: &str) -> Result<Option<i64>> {
    let sql = format!("SELECT id FROM {table} WHERE guid IN (?1, lower(?1), upper(?1))");
    Ok(tx
        .prepare_cached(&sql)?
        .query_row([guid], |r| r.get(0))
        .optional()?)
}

/// Puts back a row their merge kept, from its portable image, when we lack it.
pub(super) fn restore_present(
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
                    // A code merged away here: where its codings went.
                    None if refers == "codes" && table == "codings" => {
                        match f.forward_code(rec, g)? {
                            Some(id) => values.push((column.clone(), Value::Integer(id))),
                            None => return Ok(last_try),
                        }
                    }
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
        Ok(id) => reapply_edits(rec, f, table, id, guid)?,
        Err(e) if is_constraint(&e) && !last_try => return Ok(false),
        // A code kept by their merge whose name another code here holds (one a change still to
        // be retried merges into it, say): back under a provisional name, its own again at the
        // end of the replay ([`settle_names`]).
        Err(e)
            if is_constraint(&e)
                && table == "codes"
                && let Some(name) = image.get("name").and_then(|n| n.as_str()) =>
        {
            let provisional = format!("{name} ~{}", &guid[..guid.len().min(8)]);
            let refs: Vec<(&str, Value)> = values
                .iter()
                .map(|(c, v)| match c.as_str() {
                    "name" => (c.as_str(), Value::Text(provisional.clone())),
                    _ => (c.as_str(), v.clone()),
                })
                .collect();
            match rec.insert(table, &refs) {
                Ok(_) => f
                    .provisional_names
                    .push((guid.to_ascii_lowercase(), name.to_string())),
                Err(e) if is_constraint(&e) => f.report.notes.push(
                    "their merge kept a code this study deleted, but it clashes with one here; not restored"
                        .into(),
                ),
                Err(e) => return Err(e.into()),
            }
        }
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

/// Codes restored under a provisional name ([`restore_present`]) take their own name back once
/// the replay is done; one whose name is still held here is not kept (it goes, as it would
/// have without the provisional name), or keeps the provisional name when it is in use.
pub(super) fn settle_names(rec: &mut Recorder, f: &mut Fill) -> Result<()> {
    for (guid, name) in std::mem::take(&mut f.provisional_names) {
        let Some(id) = our_id(rec, "codes", &guid)? else {
            continue;
        };
        match rec.update("codes", &id_key(id), &[("name", Value::Text(name.clone()))]) {
            Ok(_) => continue,
            Err(e) if is_constraint(&e) => {}
            Err(e) => return Err(e),
        }
        // Another code both files know holds the name still: both stay, one with a suffix.
        let parent: Option<i64> = rec
            .tx
            .prepare_cached("SELECT parent_id FROM codes WHERE id = ?1")?
            .query_row([id], |r| r.get(0))?;
        if f.lineage
            && let Some((holder_id, holder_guid)) = super::clash::holder(rec, parent, &name, &guid)?
        {
            let new_name = super::clash::settle(rec, f, (holder_id, &holder_guid), &guid, &name)?;
            match rec.update("codes", &id_key(id), &[("name", Value::Text(new_name))]) {
                Ok(_) => continue,
                Err(e) if is_constraint(&e) => {}
                Err(e) => return Err(e),
            }
        }
        match rec.delete("codes", &id_key(id)) {
            Ok(_) => f.report.notes.push(format!(
                "their merge kept the code '{name}', which this study deleted, but another code here has its name; not restored"
            )),
            Err(e) if is_constraint(&e) => f.report.notes.push(format!(
                "their merge kept the code '{name}', which this study deleted, but another code here has its name; restored under another name"
            )),
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A row their merge kept, which is here too: the columns the image has otherwise, and that no
/// change here has set since the row came, take its values — when the edit that gave the
/// image its value is later than the one that gave ours (an image taken before an edit its
/// maker had not seen yet does not take it back). (Where their merge kept the row, edits of it
/// that a copy in between could not apply, having deleted it, reach this copy only through
/// the image; an edit made here stands, and meets theirs as any edit does.)
fn refresh_from_image(
    rec: &mut Recorder,
    other: &Connection,
    table: &str,
    ours: i64,
    guid: &str,
    image: &str,
) -> std::result::Result<(), Step> {
    let Ok(Json::Object(image)) = serde_json::from_str::<Json>(image) else {
        return Ok(());
    };
    let Some(current) = row_image(&rec.tx, table, &id_key(ours))? else {
        return Ok(());
    };
    let history = query(
        &rec.tx,
        "SELECT r.before, r.after FROM change_rows r JOIN changes c ON c.id = r.change_id
           LEFT JOIN changes g ON g.id = c.merged_by
          WHERE r.table_name = ?1 AND r.after IS NOT NULL
            AND lower(json_extract(r.after, '$.guid')) = lower(?2)
            AND c.undone_by IS NULL AND (g.id IS NULL OR g.undone_by IS NULL)",
        params![table, guid],
        |r| <(Option<String>, String)>::try_from(r),
    )?;
    let mut sets: Vec<(String, Value)> = Vec::new();
    for (column, value) in &image {
        if matches!(
            column.as_str(),
            "id" | "guid" | "created_at" | "updated_at" | "sort_order"
        ) || reference(table, column, &image).is_some()
        {
            continue;
        }
        if current.get(column).unwrap_or(&Json::Null) == value {
            continue;
        }
        let set_here = history.iter().any(|(before, after)| {
            let Some(before) = before
                .as_deref()
                .and_then(|b| serde_json::from_str::<Json>(b).ok())
            else {
                return false;
            };
            let after: Option<Json> = serde_json::from_str::<Json>(after).ok();
            let new = after.as_ref().and_then(|a| a.get(column));
            new.is_some() && new != before.get(column)
        });
        // The later write wins, whichever file holds it; with neither recorded, a value set
        // here stands.
        let ours_from = value_stamp(&rec.tx, other, table, guid, column, current.get(column))?;
        let image_from = value_stamp(&rec.tx, other, table, guid, column, Some(value))?;
        if (ours_from.is_some() || image_from.is_some()) && image_from <= ours_from {
            continue;
        }
        if ours_from.is_none() && image_from.is_none() && set_here {
            continue;
        }
        sets.push((column.clone(), json_value(value)));
    }
    if sets.is_empty() {
        return Ok(());
    }
    let refs: Vec<(&str, Value)> = sets.iter().map(|(c, v)| (c.as_str(), v.clone())).collect();
    match rec.update(table, &id_key(ours), &refs) {
        Ok(_) => Ok(()),
        Err(e) if is_constraint(&e) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// When the latest recorded write (of a change not undone, in this file or theirs) that set one
/// column of a row to `value` was made: an edit, or the insert that created the row or brought
/// it back from a decision (that decision's time); None when neither file records one.
fn value_stamp(
    ours: &Connection,
    other: &Connection,
    table: &str,
    guid: &str,
    column: &str,
    value: Option<&Json>,
) -> Result<Option<Stamp>> {
    let Some(value) = value else {
        return Ok(None);
    };
    let sql = "SELECT c.at, c.uid, r.before, r.after FROM change_rows r JOIN changes c ON c.id = r.change_id
           LEFT JOIN changes g ON g.id = c.merged_by
          WHERE r.table_name = ?1 AND r.after IS NOT NULL
            AND lower(json_extract(r.after, '$.guid')) = lower(?2)
            AND c.undone_by IS NULL AND (g.id IS NULL OR g.undone_by IS NULL)";
    let mut latest: Option<Stamp> = None;
    for conn in [ours, other] {
        for (at, uid, before, after) in query(conn, sql, params![table, guid], |r| {
            <(String, Option<String>, Option<String>, String)>::try_from(r)
        })? {
            let (before, Some(after)) = (parse_image(before)?, parse_image(Some(after))?) else {
                continue;
            };
            let was = before.as_ref().and_then(|b| b.get(column));
            if after.get(column) == Some(value) && was != Some(value) {
                let s = Some(stamp(at, uid));
                if s > latest {
                    latest = s;
                }
            }
        }
    }
    Ok(latest)
}

/// A row brought back from a decision's image, which the copy that decided saw before some edits
/// of it (made here, or on a copy that could not pass them on, having removed the row): those
/// edits, as this file and theirs hold them, apply again on top, in the order they were made,
/// each where the row still holds the value it changed, as they do on the copies they reach.
fn reapply_edits(
    rec: &mut Recorder,
    f: &Fill,
    table: &str,
    id: i64,
    guid: &str,
) -> std::result::Result<(), Step> {
    let sql = "SELECT c.at, c.uid, r.before, r.after FROM change_rows r JOIN changes c ON c.id = r.change_id
           LEFT JOIN changes g ON g.id = c.merged_by
          WHERE r.table_name = ?1 AND r.before IS NOT NULL AND r.after IS NOT NULL
            AND lower(json_extract(r.after, '$.guid')) = lower(?2)
            AND c.undone_by IS NULL AND (g.id IS NULL OR g.undone_by IS NULL)
          ORDER BY r.change_id, r.seq";
    let mut edits: Vec<(Stamp, usize, String, String)> = Vec::new();
    for conn in [&*rec.tx, f.other] {
        for (at, uid, before, after) in query(conn, sql, params![table, guid], |r| {
            <(String, Option<String>, String, String)>::try_from(r)
        })? {
            // Their change still to be replayed in this merge applies then, as itself: its
            // rows here are what the copies merging this file replay (else it reaches them
            // empty, its effect hidden in this decision's rows).
            if uid
                .as_deref()
                .is_some_and(|u| f.pending.contains(&original_uid(u)))
            {
                continue;
            }
            let n = edits.len();
            edits.push((stamp(at, uid), n, before, after));
        }
    }
    edits.sort();
    for (_, _, before, after) in edits {
        let (Some(before), Some(after)) = (parse_image(Some(before))?, parse_image(Some(after))?)
        else {
            continue;
        };
        let Some(current) = row_image(&rec.tx, table, &id_key(id))? else {
            return Ok(());
        };
        let mut sets: Vec<(String, Value)> = Vec::new();
        for (column, value) in &after {
            if matches!(column.as_str(), "id" | "guid" | "updated_at")
                || reference(table, column, &after).is_some()
                || before.get(column) == Some(value)
                || current.get(column) != before.get(column)
            {
                continue;
            }
            sets.push((column.clone(), json_value(value)));
        }
        if sets.is_empty() {
            continue;
        }
        let refs: Vec<(&str, Value)> = sets.iter().map(|(c, v)| (c.as_str(), v.clone())).collect();
        match rec.update(table, &id_key(id), &refs) {
            Ok(_) => {}
            Err(e) if is_constraint(&e) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
