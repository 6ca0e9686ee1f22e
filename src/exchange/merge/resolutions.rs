//! Resolutions: how a merge settled its conflicts, stored with it (`merge_resolutions`) so
//! that the copies merging this file later adopt the decision, and applied when we replay
//! their merges. A column keeps a value, a row is kept (restored from a portable image) or
//! removed. Decisions are ordered alike on every copy (the merge's time, then its uid): of
//! two on one column, or on whether one row exists, the later prevails wherever it arrives,
//! also over the earlier one applied already, and an earlier one arriving later is not applied.

use super::fill::{Fill, GUID_TABLES, our_id, query};
use super::lineage::*;
use super::restore::{
    coding_to_image_code, codings_back_from_rejected_merge, refresh_from_image, value_stamp,
};
pub(super) use super::restore::{portable_row, restore_present, settle_names};
use super::rows::{history_json, show};
use crate::error::Result;
use crate::study::history::{Recorder, id_key};
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
