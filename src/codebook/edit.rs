//! Changing the codebook: add, rename, move, merge, delete, describe. Each function works inside
//! one recorded action, so every change is undoable and shows in the codebook's history.

use super::{Code, CodeFields, PALETTE, all, resolve, split_path, subtree_ids, validate_colour};
use crate::error::Result;
use crate::study::history::{Recorder, id_key};
use crate::study::new_guid;
use rusqlite::OptionalExtension;
use rusqlite::types::Value;

/// The code called `name` directly under `parent` (top level when None).
pub(crate) fn child_id(rec: &Recorder, parent: Option<i64>, name: &str) -> Result<Option<i64>> {
    Ok(rec
        .tx
        .prepare_cached(
            "SELECT id FROM codes WHERE ifnull(parent_id, 0) = ifnull(?1, 0) AND name = ?2",
        )?
        .query_row(rusqlite::params![parent, name], |r| r.get(0))
        .optional()?)
}

fn next_colour(rec: &Recorder) -> Result<String> {
    // The highest id, not count(*): the same number while no code was deleted, but a B-tree
    // lookup instead of a scan, which made importing many codes quadratic.
    let n: i64 = rec
        .tx
        .query_row("SELECT ifnull(max(id), 0) FROM codes", [], |r| r.get(0))?;
    Ok(PALETTE[n as usize % PALETTE.len()].to_string())
}

/// The sort order that puts a new or moved code last among `parent`'s children.
pub(crate) fn next_sort_order(rec: &Recorder, parent: Option<i64>) -> Result<i64> {
    Ok(rec.tx.query_row(
        "SELECT ifnull(max(sort_order), -1) + 1 FROM codes WHERE ifnull(parent_id, 0) = ifnull(?1, 0)",
        [parent],
        |r| r.get(0),
    )?)
}

/// The code at `path`, creating it and any missing parents. Returns (id, created).
pub fn ensure_path(rec: &mut Recorder, path: &str) -> Result<(i64, bool)> {
    let mut parent = None;
    let mut created = false;
    for name in split_path(path)? {
        parent = Some(match child_id(rec, parent, &name)? {
            Some(id) => id,
            None => {
                created = true;
                let colour = next_colour(rec)?;
                let order = next_sort_order(rec, parent)?;
                let now = rec.now.clone();
                rec.insert(
                    "codes",
                    &[
                        ("guid", Value::Text(new_guid())),
                        (
                            "parent_id",
                            parent.map(Value::Integer).unwrap_or(Value::Null),
                        ),
                        ("name", Value::Text(name.clone())),
                        ("colour", Value::Text(colour)),
                        ("sort_order", Value::Integer(order)),
                        ("created_at", Value::Text(now)),
                    ],
                )?
            }
        });
    }
    Ok((parent.expect("a path has at least one part"), created))
}

/// Adds a new code; refuses when the path already exists.
pub fn add(rec: &mut Recorder, path: &str, fields: &CodeFields) -> Result<Code> {
    let codes = all(&rec.tx)?;
    let wanted = split_path(path)?.join("/");
    if codes.iter().any(|c| c.path == wanted) {
        return Err(crate::invalid!("code '{wanted}' already exists"));
    }
    let (id, _) = ensure_path(rec, &wanted)?;
    describe_id(rec, id, fields)?;
    find(rec, id)
}

fn find(rec: &Recorder, id: i64) -> Result<Code> {
    all(&rec.tx)?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| crate::not_found!("code #{id} no longer exists"))
}

pub fn describe(rec: &mut Recorder, path: &str, fields: &CodeFields) -> Result<Code> {
    let code = resolve(&all(&rec.tx)?, path)?;
    describe_id(rec, code.id, fields)?;
    find(rec, code.id)
}

pub fn describe_id(rec: &mut Recorder, id: i64, fields: &CodeFields) -> Result<()> {
    let mut set: Vec<(&str, Value)> = Vec::new();
    let text_fields = [
        ("definition", &fields.definition),
        ("inclusion", &fields.inclusion),
        ("exclusion", &fields.exclusion),
        ("example", &fields.example),
        ("memo", &fields.memo),
    ];
    for (col, value) in text_fields {
        if let Some(v) = value {
            set.push((col, Value::Text(v.clone())));
        }
    }
    if let Some(colour) = &fields.colour {
        set.push(("colour", Value::Text(validate_colour(colour)?)));
    }
    if !set.is_empty() {
        rec.update("codes", &id_key(id), &set)?;
    }
    Ok(())
}

pub fn rename(rec: &mut Recorder, path: &str, new_name: &str) -> Result<Code> {
    let code = resolve(&all(&rec.tx)?, path)?;
    let new_name = new_name.trim();
    if split_path(new_name)?.len() != 1 {
        return Err(crate::invalid!(
            "a code name cannot contain '/'; use `codes move` to change its parent"
        ));
    }
    if let Some(other) = child_id(rec, code.parent_id, new_name)?
        && other != code.id
    {
        return Err(crate::invalid!(
            "a sibling code is already called '{new_name}'"
        ));
    }
    rec.update(
        "codes",
        &id_key(code.id),
        &[("name", Value::Text(new_name.into()))],
    )?;
    find(rec, code.id)
}

/// Moves a code (with its subtree) under `new_parent`, or to the top level when None.
pub fn move_to(rec: &mut Recorder, path: &str, new_parent: Option<&str>) -> Result<Code> {
    let codes = all(&rec.tx)?;
    let code = resolve(&codes, path)?;
    let parent = match new_parent {
        Some(p) => {
            let parent = resolve(&codes, p)?;
            if subtree_ids(&codes, code.id).contains(&parent.id) {
                return Err(crate::invalid!(
                    "cannot move '{}' under itself or its own subcode '{}'",
                    code.path,
                    parent.path
                ));
            }
            Some(parent.id)
        }
        None => None,
    };
    if child_id(rec, parent, &code.name)?.is_some_and(|other| other != code.id) {
        return Err(crate::invalid!(
            "the new parent already has a code called '{}'; merge instead",
            code.name
        ));
    }
    let order = next_sort_order(rec, parent)?;
    rec.update(
        "codes",
        &id_key(code.id),
        &[
            (
                "parent_id",
                parent.map(Value::Integer).unwrap_or(Value::Null),
            ),
            ("sort_order", Value::Integer(order)),
        ],
    )?;
    find(rec, code.id)
}

/// Merges `from` into `into`: codings move (a coding `into` already has is dropped as a
/// duplicate), subcodes and memos move, and `from` is deleted. Returns the codings moved.
pub fn merge(rec: &mut Recorder, from: &str, into: &str) -> Result<usize> {
    let codes = all(&rec.tx)?;
    let source = resolve(&codes, from)?;
    let target = resolve(&codes, into)?;
    if subtree_ids(&codes, source.id).contains(&target.id) {
        return Err(crate::invalid!(
            "cannot merge '{}' into itself or its own subcode",
            source.path
        ));
    }
    let codings: Vec<(i64, i64, i64, i64, i64)> = rec
        .tx
        .prepare_cached(
            "SELECT id, coder_id, document_id, start, \"end\" FROM codings WHERE code_id = ?1",
        )?
        .query_map([source.id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<Result<_, _>>()?;
    // Remembered for team merges (which code the merged one's codings belong to now).
    rec.tx.execute(
        "INSERT INTO code_merges (change_id, from_guid, into_guid) VALUES (?1, ?2, ?3)",
        rusqlite::params![rec.log_target(), source.guid, target.guid],
    )?;
    let mut moved = 0;
    for (id, coder, doc, start, end) in codings {
        let duplicate: Option<i64> = rec
            .tx
            .prepare_cached(
                "SELECT id FROM codings WHERE code_id = ?1 AND coder_id = ?2 AND document_id = ?3 AND start = ?4 AND \"end\" = ?5",
            )?
            .query_row(rusqlite::params![target.id, coder, doc, start, end], |r| r.get(0))
            .optional()?;
        if duplicate.is_some() {
            crate::coding::delete_coding(rec, id)?;
        } else {
            rec.update(
                "codings",
                &id_key(id),
                &[("code_id", Value::Integer(target.id))],
            )?;
            moved += 1;
        }
    }
    for child in codes.iter().filter(|c| c.parent_id == Some(source.id)) {
        move_to(rec, &child.path, Some(&target.path))?;
    }
    retarget_memos(rec, "code", source.id, target.id)?;
    delete_reviews(rec, source.id)?;
    rec.delete("codes", &id_key(source.id))?;
    Ok(moved)
}

fn retarget_memos(rec: &mut Recorder, kind: &str, from: i64, to: i64) -> Result<()> {
    let ids: Vec<i64> = rec
        .tx
        .prepare_cached("SELECT id FROM memos WHERE target_kind = ?1 AND target_id = ?2")?
        .query_map(rusqlite::params![kind, from], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in ids {
        rec.update("memos", &id_key(id), &[("target_id", Value::Integer(to))])?;
    }
    Ok(())
}

/// Deletes a code and its subcodes. A code with codings or subcodes needs `force`; their
/// codings and memos go too (all recorded, so undo brings them back).
pub fn delete(rec: &mut Recorder, path: &str, force: bool) -> Result<usize> {
    let codes = all(&rec.tx)?;
    let code = resolve(&codes, path)?;
    let ids = subtree_ids(&codes, code.id);
    let mut coding_ids = Vec::new();
    for id in &ids {
        let mut stmt = rec
            .tx
            .prepare_cached("SELECT id FROM codings WHERE code_id = ?1")?;
        for row in stmt.query_map([id], |r| r.get::<_, i64>(0))? {
            coding_ids.push(row?);
        }
    }
    if !force && (ids.len() > 1 || !coding_ids.is_empty()) {
        return Err(crate::invalid!(
            "'{}' has {} coding(s) and {} subcode(s); add --force to delete them too",
            code.path,
            coding_ids.len(),
            ids.len() - 1
        ));
    }
    for id in &coding_ids {
        crate::coding::delete_coding(rec, *id)?;
    }
    for id in ids.iter().rev() {
        crate::memo::delete_attached(rec, "code", *id)?;
        delete_reviews(rec, *id)?;
        rec.delete("codes", &id_key(*id))?;
    }
    Ok(coding_ids.len())
}

/// Consensus decisions about a code go with it (recorded, so undo restores them).
fn delete_reviews(rec: &mut Recorder, code_id: i64) -> Result<()> {
    let ids: Vec<i64> = rec
        .tx
        .prepare_cached("SELECT id FROM reviews WHERE code_id = ?1")?
        .query_map([code_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in ids {
        rec.delete("reviews", &id_key(id))?;
    }
    Ok(())
}
