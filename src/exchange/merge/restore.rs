//! Rows a decision keeps, brought back or brought up to date from the image the deciding merge
//! stored: restoring a row this copy deleted (under a provisional name while another code holds
//! its name), refreshing one it has from the image where the image's values were written later,
//! re-applying edits the image predates, and putting codings back where the decision saw them.

use super::fill::{Fill, our_id, query};
use super::lineage::*;
use super::resolutions::{Stamp, guid_of, later_presence, stamp};
use crate::error::Result;
use crate::study::history::{Recorder, id_key, row_image};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value as Json};

/// A code their merge kept against a code merge of it that it did not apply (`rejected`, the
/// uids of the changes it set aside), brought back here where that merge was applied: the
/// codings the merge moved off it go back to it (where they still are on the merge target), as
/// they stayed on it where the decision was made. Else one coding ends on two codes on two
/// copies.
pub(super) fn codings_back_from_rejected_merge(
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
pub(super) fn coding_to_image_code(
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
pub(super) fn refresh_from_image(
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
    let writes = row_writes(&rec.tx, other, table, guid)?;
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
        // The later write wins, whichever file holds it; with neither recorded, a value set
        // here stands.
        let image_later = match (
            written_at(&writes, column, current.get(column)),
            written_at(&writes, column, Some(value)),
        ) {
            (None, None) => !writes.iter().any(|w| {
                w.here && w.before.is_some() && {
                    let new = w.after.get(column);
                    new.is_some() && new != w.before.as_ref().and_then(|b| b.get(column))
                }
            }),
            (ours_from, image_from) => image_from > ours_from,
        };
        if !image_later {
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

/// One recorded write of a row (an insert or an edit, of a change not undone), in this file
/// (`here`) or theirs.
struct Write {
    stamp: Stamp,
    here: bool,
    before: Option<Image>,
    after: Image,
}

/// Every recorded write of the row `guid`, this file's first, each file's in the order made.
fn row_writes(
    ours: &Connection,
    other: &Connection,
    table: &str,
    guid: &str,
) -> Result<Vec<Write>> {
    let sql = "SELECT c.at, c.uid, r.before, r.after FROM change_rows r JOIN changes c ON c.id = r.change_id
           LEFT JOIN changes g ON g.id = c.merged_by
          WHERE r.table_name = ?1 AND r.after IS NOT NULL
            AND lower(json_extract(r.after, '$.guid')) = lower(?2)
            AND c.undone_by IS NULL AND (g.id IS NULL OR g.undone_by IS NULL)
          ORDER BY r.change_id, r.seq";
    let mut writes = Vec::new();
    for (conn, here) in [(ours, true), (other, false)] {
        for (at, uid, before, after) in query(conn, sql, params![table, guid], |r| {
            <(String, Option<String>, Option<String>, String)>::try_from(r)
        })? {
            let (before, Some(after)) = (parse_image(before)?, parse_image(Some(after))?) else {
                continue;
            };
            writes.push(Write {
                stamp: stamp(at, uid),
                here,
                before,
                after,
            });
        }
    }
    Ok(writes)
}

/// When the latest of `writes` that set `column` to `value` was made (an edit, or the insert
/// that created the row or brought it back from a decision: that decision's time); None when
/// none did.
fn written_at(writes: &[Write], column: &str, value: Option<&Json>) -> Option<Stamp> {
    let value = value?;
    writes
        .iter()
        .filter(|w| {
            w.after.get(column) == Some(value)
                && w.before.as_ref().and_then(|b| b.get(column)) != Some(value)
        })
        .map(|w| w.stamp.clone())
        .max()
}

/// When the latest recorded write (in this file or theirs) that set one column of a row to
/// `value` was made (see [`written_at`]).
pub(super) fn value_stamp(
    ours: &Connection,
    other: &Connection,
    table: &str,
    guid: &str,
    column: &str,
    value: Option<&Json>,
) -> Result<Option<Stamp>> {
    if value.is_none() {
        return Ok(None);
    }
    Ok(written_at(
        &row_writes(ours, other, table, guid)?,
        column,
        value,
    ))
}

/// A row brought back from a decision's image, which the copy that decided saw before some edits
/// of it (made here, or on a copy that could not pass them on, having removed the row): those
/// edits, as this file and theirs hold them, apply again on top, in the order they were made,
/// each where the row still holds the value it changed, as they do on the copies they reach.
pub(super) fn reapply_edits(
    rec: &mut Recorder,
    f: &Fill,
    table: &str,
    id: i64,
    guid: &str,
) -> std::result::Result<(), Step> {
    // Their change still to be replayed in this merge applies then, as itself: its rows here
    // are what the copies merging this file replay (else it reaches them empty, its effect
    // hidden in this decision's rows).
    let mut edits: Vec<(Stamp, Image, Image)> = row_writes(&rec.tx, f.other, table, guid)?
        .into_iter()
        .filter(|w| !f.pending.contains(&w.stamp.1))
        .filter_map(|w| Some((w.stamp, w.before?, w.after)))
        .collect();
    // In the order they were made; stable, so one instant keeps the files' order.
    edits.sort_by(|a, b| a.0.cmp(&b.0));
    for (_, before, after) in edits {
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
