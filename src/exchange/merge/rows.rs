//! Applying one row of one of their changes here (see [`super::lineage`]): entities by GUID,
//! rows keyed by what they belong to, codebook versions, documents and their revisions.

use super::fill::{Fill, GUID_TABLES, our_id, query};
use super::lineage::*;
use crate::error::{Error, Result};
use crate::study::history::{Key, Recorder, id_key, row_image};
use rusqlite::OptionalExtension;
use rusqlite::types::Value;
use serde_json::{Map, Value as Json};
use std::collections::HashMap;

pub(super) fn apply_row(
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
pub(super) fn apply_entity(
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
            if ours.is_some() || super::dropped::decided_absent(rec, table, guid)? {
                return Ok(());
            }
            // Their merge put back a row our history deleted: that is what its decision did
            // there, and the decision (applied after the rows) says whether it comes back
            // here too — it does not where we removed the row by a change it did not weigh.
            if f.replaying_merge && f.was_deleted_here(table, guid) {
                return Ok(());
            }
            let mut values: Vec<(String, Value)> = Vec::new();
            for column in after.keys() {
                if column == "id" {
                    continue;
                }
                let mut translated = translate(rec, f, ids, table, column, after)?;
                // --theirs: their coding on a code deleted here brings the code back.
                if f.opts.theirs
                    && table == "codings"
                    && column == "code_id"
                    && let Err(Resolved::DeletedHere(g)) = &translated
                    && super::dropped::restore_deleted_code(rec, f, g)?
                {
                    translated = translate(rec, f, ids, table, column, after)?;
                }
                match translated {
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
                    // Their coding on a code our history merged away went to the merge target:
                    // said to the copies that merge this file, so theirs moves there too (else
                    // the two copies keep one coding on two codes once the code comes back).
                    if table == "codings"
                        && let Some(code) = after.get("code_id").and_then(|v| v.as_i64())
                        && let Some(g) = ids.guid_of("codes", code)
                        && our_id(rec, "codes", g)?.is_none()
                    {
                        f.kept_ours.push((
                            "codings".into(),
                            guid.to_ascii_lowercase(),
                            "code_id".into(),
                        ));
                    }
                    Ok(())
                }
                // A code both files know holding the name: both stay (see `clash`).
                Err(e) if is_constraint(&e) && table == "codes" => {
                    code_beside_namesake(rec, f, ids, guid, &values, after)
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
                super::relay::keep(rec, f, ids, row)?;
                return Ok(());
            };
            if table == "codings"
                && super::rehome::coding_moved_by_merge(rec, f, ids, ours, before, after, forward)?
            {
                return Ok(());
            }
            update_columns(rec, f, ids, table, &id_key(ours), before, after, Some(guid))
        }
        (Some(before), None) => {
            let Some(ours) = ours else {
                if !(table == "codes" && super::relay::merged_in_change(f, guid)?) {
                    super::relay::keep(rec, f, ids, row)?;
                }
                return Ok(());
            };
            let key = id_key(ours);
            // A decision made after this deletion (a merge elsewhere that kept the row, or
            // removed it) prevails over it, here as on every copy.
            let later = match &f.replaying_stamp {
                Some(at) => super::resolutions::later_presence(&rec.tx, table, guid, at, -1)?,
                None => None,
            };
            if later == Some(true) {
                return Ok(());
            }
            // Their code merge: our codings, subcodes and memos on it go to the target too (a
            // merge supersedes an edit of the merged code here, which is said).
            if table == "codes"
                && let Some(their_id) = before.get("id").and_then(|v| v.as_i64())
                && let Some(&to) = forward.get(&their_id)
                && let Some(target) = merge_target(rec, f, ids, guid, to)?
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
            // Their merge into a code our history deleted: our deletion conflicts with it. The
            // merged code stays (else it would vanish with nowhere for it to go); the copy that
            // merged keeps its target, so both sides keep the merged code's work.
            if table == "codes"
                && let Some(their_id) = before.get("id").and_then(|v| v.as_i64())
                && let Some(&to) = forward.get(&their_id)
                && let Resolved::DeletedHere(_) = resolve(rec, f, ids, "codes", to)?
            {
                return Err(Step::Reject(format!(
                    "they merged {} into a code deleted here",
                    describe_row(table, before)
                )));
            }
            if !f.opts.theirs
                && later.is_none()
                && let Some(what) = changed_since(rec, f, ids, table, &key, before)?
            {
                return Err(Step::Reject(format!(
                    "they deleted {}, whose {what} was changed here since",
                    describe_row(table, before)
                )));
            }
            if table == "codes" {
                // Their later merge kept the code against this deletion: it stays.
                if super::dropped::their_decision_keeps(f, guid)? {
                    return Ok(());
                }
                super::dropped::drop_codings_on(rec, f, ours)?;
            }
            match rec.delete(table, &key) {
                Ok(_) => Ok(()),
                Err(e) if is_constraint(&e) => Err(Step::Reject(format!(
                    "they deleted {}, which is still used here (by subcodes or memos added since)",
                    describe_row(table, before)
                ))),
                Err(e) => Err(e.into()),
            }
        }
        (None, None) => Ok(()),
    }
}

/// Where their merge of the code `guid` (into their code `to`) sends it here: where the winning
/// merge of it leads, which is theirs unless another copy merged it elsewhere first.
fn merge_target(
    rec: &Recorder,
    f: &Fill,
    ids: &TheirIds,
    guid: &str,
    to: i64,
) -> Result<Option<i64>> {
    if let Some(home) = f.merge_home(rec, guid)? {
        return Ok(Some(home));
    }
    Ok(match resolve(rec, f, ids, "codes", to)? {
        Resolved::Ours(t) => Some(t),
        _ => None,
    })
}

/// Counts what the replay added, in the report's terms.
pub(super) fn count_insert(
    rec: &Recorder,
    f: &mut Fill,
    table: &str,
    id: i64,
    image: &Image,
) -> Result<()> {
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
pub(super) struct Counts(usize, usize, usize, usize, usize, usize, usize);

pub(super) fn counts(r: &super::MergeReport) -> Counts {
    Counts(
        r.codes_created.len(),
        r.codings_added,
        r.memos_added,
        r.reviews_added,
        r.coders_created.len(),
        r.participants_added.len(),
        r.codings_dropped.len(),
    )
}

pub(super) fn restore_counts(r: &mut super::MergeReport, c: Counts) {
    r.codes_created.truncate(c.0);
    r.codings_added = c.1;
    r.memos_added = c.2;
    r.reviews_added = c.3;
    r.coders_created.truncate(c.4);
    r.participants_added.truncate(c.5);
    r.codings_dropped.truncate(c.6);
}

/// The first column (other than keys and timestamps) where our row differs from their image.
pub(super) fn changed_since(
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

/// Their new code whose name a code here holds: when both files know both codes, it comes in
/// beside it (one of the two takes a suffix, see [`super::clash`]); else the fill pass matches
/// the two by name.
fn code_beside_namesake(
    rec: &mut Recorder,
    f: &mut Fill,
    ids: &TheirIds,
    guid: &str,
    values: &[(String, Value)],
    after: &Image,
) -> std::result::Result<(), Step> {
    let value = |c: &str| values.iter().find(|(k, _)| k == c).map(|(_, v)| v.clone());
    let parent = match value("parent_id") {
        Some(Value::Integer(p)) => Some(p),
        _ => None,
    };
    let Some(Value::Text(name)) = value("name") else {
        return Ok(());
    };
    let Some((holder_id, holder_guid)) = super::clash::holder(rec, parent, &name, guid)? else {
        return Ok(());
    };
    if !super::clash::distinct(f, ids, &holder_guid, guid) {
        return Ok(());
    }
    let new_name = super::clash::settle(rec, f, (holder_id, &holder_guid), guid, &name)?;
    let renamed: Vec<(&str, Value)> = values
        .iter()
        .map(|(c, v)| match c.as_str() {
            "name" => (c.as_str(), Value::Text(new_name.clone())),
            _ => (c.as_str(), v.clone()),
        })
        .collect();
    match rec.insert("codes", &renamed) {
        Ok(id) => {
            count_insert(rec, f, "codes", id, after)?;
            Ok(())
        }
        Err(e) if is_constraint(&e) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Three-way merge of the columns their change updated.
#[allow(clippy::too_many_arguments)]
pub(super) fn update_columns(
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
            if column != "updated_at"
                && let (Some(g), Some(at)) = (guid, &f.replaying_stamp)
                && super::resolutions::kept_by_later_decision(rec, table, g, column, &ours, at)?
            {
                continue;
            }
            sets.push((column.clone(), json_value(&new)));
            continue;
        }
        if !f.opts.theirs
            && let Some(g) = guid
            && super::resolutions::settled(rec, table, g, column, &new, &ours)?
        {
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

pub(super) fn history_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Integer(i) => Json::from(*i),
        Value::Real(r) => Json::from(*r),
        Value::Text(t) => Json::String(t.clone()),
        Value::Blob(_) => Json::Null,
    }
}

pub(super) fn show(v: &Json) -> String {
    match v {
        Json::String(s) => format!("'{s}'"),
        Json::Null => "none".into(),
        other => other.to_string(),
    }
}

/// Rows keyed by what they belong to: attribute values, speakers, consensus decisions.
pub(super) fn apply_keyed(
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

pub(super) fn apply_version(rec: &mut Recorder, row: &TheirRow) -> std::result::Result<(), Step> {
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
pub(super) fn apply_document(
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
pub(super) fn apply_revision(
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
