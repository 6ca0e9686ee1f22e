//! Relaying what could not be applied. An edit or deletion of theirs whose row this copy no
//! longer has changes nothing here, so our history entry for that change would hold no rows and
//! a third copy learning the change from this file would never see it. Such rows are kept in
//! `relayed_rows` (row ids written as the GUIDs of the rows they refer to) and replayed with
//! the change by the copies merging this file (see `lineage::apply_change`).

use super::fill::{Fill, GUID_TABLES, our_id, query};
use super::lineage::{
    AGAIN, Image, Step, TheirChange, TheirIds, TheirRow, original_uid, parse_image, reference,
    their_rows,
};
use crate::error::Result;
use crate::study::history::Recorder;
use serde_json::{Map, Value as Json};

/// Keeps one of their rows that changed nothing here, for the copies merging this file.
pub(super) fn keep(
    rec: &mut Recorder,
    f: &Fill,
    ids: &TheirIds,
    row: &TheirRow,
) -> std::result::Result<(), Step> {
    if f.replaying.is_none() {
        return Ok(());
    }
    let portable = |image: &Option<Image>| -> Option<String> {
        image
            .as_ref()
            .map(|m| Json::Object(portable_image(ids, &row.table, m)).to_string())
    };
    let change = rec.log_target();
    let seq: i64 = rec.tx.query_row(
        "SELECT coalesce(max(seq), 0) + 1 FROM relayed_rows WHERE change_id = ?1",
        [change],
        |r| r.get(0),
    )?;
    rec.tx.execute(
        "INSERT INTO relayed_rows (change_id, seq, table_name, before, after) VALUES (?1, ?2, ?3, ?4, ?5)",
        rusqlite::params![change, seq, row.table, portable(&row.before), portable(&row.after)],
    )?;
    Ok(())
}

/// Their row image with its own id dropped and every row id it refers to written as that row's
/// GUID (`{"guid": …}`); a reference written so already stays.
fn portable_image(ids: &TheirIds, table: &str, image: &Image) -> Image {
    let mut out = Map::new();
    for (column, value) in image {
        if column == "id" {
            continue;
        }
        let refers = reference(table, column, image).filter(|r| *r != "changes");
        let value = match (refers, value.as_i64()) {
            (Some(refers), Some(id)) => {
                let mut m = Map::new();
                m.insert(
                    "guid".into(),
                    ids.guid_of(refers, id)
                        .map(|g| Json::String(g.to_ascii_lowercase()))
                        .unwrap_or(Json::Null),
                );
                Json::Object(m)
            }
            _ => value.clone(),
        };
        out.insert(column.clone(), value);
    }
    out
}

/// The rows their file relays with one of its changes (see [`keep`]).
pub(super) fn relayed(other: &rusqlite::Connection, change: i64) -> Result<Vec<TheirRow>> {
    let raw = query(
        other,
        "SELECT table_name, before, after FROM relayed_rows WHERE change_id = ?1 ORDER BY seq",
        [change],
        |r| <(String, Option<String>, Option<String>)>::try_from(r),
    )?;
    let mut out = Vec::with_capacity(raw.len());
    for (table, before, after) in raw {
        out.push(TheirRow {
            table,
            key: Vec::new(),
            before: parse_image(before)?,
            after: parse_image(after)?,
        });
    }
    Ok(out)
}

/// Whether the change being replayed merged the code `guid` into another (its deletion of the
/// code travels as that merge, not as a deletion).
pub(super) fn merged_in_change(f: &Fill, guid: &str) -> Result<bool> {
    let Some(uid) = &f.replaying else {
        return Ok(false);
    };
    let uid = original_uid(uid);
    let again = format!("{uid}{AGAIN}%");
    let found = query(
        f.other,
        "SELECT 1 FROM code_merges m JOIN changes c ON c.id = m.change_id
          WHERE (c.uid = ?1 OR c.uid LIKE ?2) AND lower(m.from_guid) = lower(?3)",
        [uid.as_str(), again.as_str(), guid],
        |r| r.get::<_, i64>(0),
    )?;
    Ok(!found.is_empty())
}

/// One of their changes that is not applied here (it clashed, or waited on one that did):
/// its edits and deletions of rows this copy does not have are kept all the same, so that the
/// copies merging this file learn them (a coding made and deleted on one copy, whose making was
/// not applied here, stays deleted where the making arrived from elsewhere).
pub(super) fn keep_absent(
    rec: &mut Recorder,
    f: &Fill,
    ids: &TheirIds,
    ch: &TheirChange,
) -> Result<()> {
    for row in their_rows(f.other, ch.id)? {
        if !GUID_TABLES.contains(&row.table.as_str()) {
            continue;
        }
        let Some(before) = &row.before else { continue };
        let Some(guid) = before.get("guid").and_then(|g| g.as_str()) else {
            continue;
        };
        if our_id(rec, &row.table, guid)?.is_some() {
            continue;
        }
        match keep(rec, f, ids, &row) {
            Ok(()) => {}
            Err(Step::Fail(e)) => return Err(e),
            Err(Step::Reject(_)) => {}
        }
    }
    Ok(())
}
