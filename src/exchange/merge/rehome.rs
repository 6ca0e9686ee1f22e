//! Code merges that disagree: two copies merged one code into different codes (or one copy
//! learnt of an earlier merge of a code it had merged elsewhere). Every copy picks the same
//! winning merge ([`Fill::merge_home`]), so the codings a losing merge moved go on to where
//! the winning one sends them, wherever the merges were made and in whatever order copies meet.

use super::fill::{Fill, our_id, query};
use super::lineage::{Image, Step, TheirIds};
use crate::error::Result;
use crate::study::history::{Recorder, id_key};
use rusqlite::OptionalExtension;
use rusqlite::types::Value;
use std::collections::HashMap;

/// One of their coding rows moved by their code merge (`forward`): when a winning merge says
/// where the merged code's codings belong, the code's deletion (or [`rehome_codings`], if the
/// code is gone here already) takes the coding there, not this row. True when it was handled.
pub(super) fn coding_moved_by_merge(
    rec: &Recorder,
    f: &Fill,
    ids: &TheirIds,
    ours: i64,
    before: &Image,
    after: &Image,
    forward: &HashMap<i64, i64>,
) -> std::result::Result<bool, Step> {
    let code = |m: &Image| m.get("code_id").and_then(|v| v.as_i64());
    let (Some(x), Some(y)) = (code(before), code(after)) else {
        return Ok(false);
    };
    if x == y || forward.get(&x) != Some(&y) {
        return Ok(false);
    }
    let Some(merged) = ids.guid_of("codes", x) else {
        return Ok(false);
    };
    if f.merge_home(rec, merged)?.is_none() {
        return Ok(false);
    }
    let current: Option<(i64, String)> = rec
        .tx
        .prepare_cached("SELECT code_id, guid FROM codings WHERE id = ?1")?
        .query_row([ours], |r| <(i64, String)>::try_from(r))
        .optional()?;
    let Some((current, coding)) = current else {
        return Ok(false);
    };
    match our_id(rec, "codes", merged)? {
        // Still on the merged code: it moves with the code. Elsewhere: ours, a three-way
        // conflict.
        Some(here) => Ok(current == here),
        // Gone here: where the winning merge leads, or where our merge of it put it (moved on
        // by `rehome_codings`). Otherwise (the code was deleted here, the coding kept
        // elsewhere) a three-way conflict.
        None => Ok(f.merge_home(rec, merged)? == Some(current)
            || moved_by_our_merges(rec, merged)?
                .iter()
                .any(|(g, to)| g.eq_ignore_ascii_case(&coding) && *to == current)),
    }
}

/// The codings the changes here that deleted the code `guid` moved off it (their GUID, the
/// code id they were moved to), in order.
fn moved_by_our_merges(rec: &Recorder, guid: &str) -> Result<Vec<(String, i64)>> {
    let rows = query(
        &rec.tx,
        "SELECT json_extract(m.after, '$.guid'), json_extract(m.after, '$.code_id')
           FROM change_rows d JOIN change_rows m ON m.change_id = d.change_id
          WHERE d.table_name = 'codes' AND d.after IS NULL AND d.before IS NOT NULL
            AND lower(json_extract(d.before, '$.guid')) = lower(?1)
            AND m.table_name = 'codings' AND m.before IS NOT NULL AND m.after IS NOT NULL
            AND json_extract(m.before, '$.code_id') = json_extract(d.before, '$.id')
          ORDER BY m.change_id, m.seq",
        [guid],
        |r| <(Option<String>, Option<i64>)>::try_from(r),
    )?;
    Ok(rows
        .into_iter()
        .filter_map(|(g, to)| Some((g?, to?)))
        .collect())
}

/// Codings our history's code merges moved off a code that is gone here, still where that
/// merge put them, go to where the winning merge of the code leads (a duplicate of one there
/// is dropped, as a code merge does).
pub(super) fn rehome_codings(rec: &mut Recorder, f: &mut Fill) -> Result<()> {
    let mut merged: Vec<String> = f.merge_winner.keys().cloned().collect();
    merged.sort();
    for guid in merged {
        if our_id(rec, "codes", &guid)?.is_some() {
            continue;
        }
        let Some(home) = f.merge_home(rec, &guid)? else {
            continue;
        };
        let moved = moved_by_our_merges(rec, &guid)?;
        for (coding, to) in moved {
            if to == home {
                continue;
            }
            let Some(row) = rec
                .tx
                .prepare_cached(
                    "SELECT id, code_id, coder_id, document_id, start, \"end\" FROM codings
                      WHERE guid IN (?1, lower(?1), upper(?1))",
                )?
                .query_row([&coding], |r| <(i64, i64, i64, i64, i64, i64)>::try_from(r))
                .optional()?
            else {
                continue;
            };
            let (id, code, coder, doc, start, end) = row;
            if code != to {
                continue;
            }
            let duplicate: Option<i64> = rec
                .tx
                .prepare_cached(
                    "SELECT id FROM codings WHERE code_id = ?1 AND coder_id = ?2 AND document_id = ?3 AND start = ?4 AND \"end\" = ?5",
                )?
                .query_row(rusqlite::params![home, coder, doc, start, end], |r| r.get(0))
                .optional()?;
            if duplicate.is_some() {
                crate::coding::delete_coding(rec, id)?;
            } else {
                rec.update("codings", &id_key(id), &[("code_id", Value::Integer(home))])?;
            }
        }
    }
    Ok(())
}

/// Their code merges in one change whose merged code is still here though the change has no
/// row deleting it (it was gone already where the change was replayed before reaching us):
/// the merge is made here too, into where the winning merge leads; into a code deleted here it
/// is not applied (the change waits, and is listed), as a merge with rows is not.
pub(super) fn merges_without_rows(
    rec: &mut Recorder,
    f: &mut Fill,
    merges: &[(String, String)],
) -> std::result::Result<(), Step> {
    for (from, into) in merges {
        let Some(here) = our_id(rec, "codes", from)? else {
            continue;
        };
        let target = match f.merge_home(rec, from)? {
            Some(t) => Some(t),
            None => our_id(rec, "codes", into)?,
        };
        let Some(target) = target else {
            return Err(Step::Reject(format!(
                "they merged a code into one deleted here ({into})"
            )));
        };
        if target == here {
            continue;
        }
        let codes = crate::codebook::all(&rec.tx)?;
        let path = |id: i64| codes.iter().find(|c| c.id == id).map(|c| c.path.clone());
        if let (Some(a), Some(b)) = (path(here), path(target)) {
            match crate::codebook::edit::merge(rec, &a, &b) {
                Ok(_) => {}
                Err(e @ crate::error::Error::Invalid(_)) => {
                    return Err(Step::Reject(e.to_string()));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(())
}
