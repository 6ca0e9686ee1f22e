//! Coders, attributes and participants (with their attribute values).
//!
//! Coders and participants are matched by GUID first. Beyond that, a copy of this study (shared
//! history) or `--match-names` matches coders by name and participants by ID; an unrelated
//! study's `alex` or `P01` is someone else, so theirs come in as `alex (other study)`.

use super::fill::{Fill, keep_guid, our_id, query};
use crate::error::Result;
use crate::study::history::Recorder;
use crate::study::participants::{Scope, set_document_value, set_participant_value};
use rusqlite::OptionalExtension;
use rusqlite::types::Value;
use std::collections::HashMap;

const OTHER: &str = "(other study)";

/// A name not yet taken in `table.column`: `name (other study)`, then `… 2`, `… 3`.
fn other_study_name(rec: &Recorder, table: &str, column: &str, name: &str) -> Result<String> {
    let sql = format!("SELECT 1 FROM {table} WHERE {column} = ?1");
    let mut n = 1;
    loop {
        let candidate = if n == 1 {
            format!("{name} {OTHER}")
        } else {
            format!("{name} (other study {n})")
        };
        let taken = rec
            .tx
            .prepare_cached(&sql)?
            .query_row([&candidate], |_| Ok(()))
            .optional()?
            .is_some();
        if !taken {
            return Ok(candidate);
        }
        n += 1;
    }
}

pub fn merge_coders(f: &mut Fill, rec: &mut Recorder) -> Result<()> {
    let by_name = f.lineage || f.opts.match_names;
    for (id, name, guid, consensus, created) in query(
        f.other,
        "SELECT id, name, guid, is_consensus, created_at FROM coders ORDER BY id",
        [],
        |r| <(i64, String, String, i64, String)>::try_from(r),
    )? {
        let mut ours = our_id(rec, "coders", &guid)?;
        if ours.is_none() && by_name {
            ours = rec
                .tx
                .prepare_cached("SELECT id FROM coders WHERE name = ?1")?
                .query_row([&name], |r| r.get(0))
                .optional()?;
        }
        let mapped = match ours {
            Some(o) => {
                f.report.coders_matched.push(name);
                o
            }
            None => {
                let taken = rec
                    .tx
                    .prepare_cached("SELECT 1 FROM coders WHERE name = ?1")?
                    .query_row([&name], |_| Ok(()))
                    .optional()?
                    .is_some();
                let new_name = if taken {
                    other_study_name(rec, "coders", "name", &name)?
                } else {
                    name.clone()
                };
                let guid = keep_guid(rec, "coders", &guid)?;
                let id = rec.insert(
                    "coders",
                    &[
                        ("name", Value::Text(new_name.clone())),
                        ("guid", Value::Text(guid)),
                        ("is_consensus", Value::Integer(consensus)),
                        ("created_at", Value::Text(created)),
                    ],
                )?;
                f.report.coders_created.push(if new_name == name {
                    name
                } else {
                    format!("{name} (as {new_name}: another study's coder, not ours)")
                });
                id
            }
        };
        f.coder_map.insert(id, mapped);
    }
    Ok(())
}

/// Attributes, by scope and name (a column of a table, not a person).
pub fn merge_attributes(f: &mut Fill, rec: &mut Recorder) -> Result<()> {
    for (id, scope, name, kind, guid) in query(
        f.other,
        "SELECT id, scope, name, kind, guid FROM attributes ORDER BY id",
        [],
        |r| <(i64, String, String, String, String)>::try_from(r),
    )? {
        let ours: Option<i64> = rec
            .tx
            .prepare_cached("SELECT id FROM attributes WHERE scope = ?1 AND name = ?2")?
            .query_row([&scope, &name], |r| r.get(0))
            .optional()?;
        let mapped = match ours {
            Some(o) => o,
            None => {
                let guid = keep_guid(rec, "attributes", &guid)?;
                rec.insert(
                    "attributes",
                    &[
                        ("scope", Value::Text(scope.clone())),
                        ("name", Value::Text(name.clone())),
                        ("kind", Value::Text(kind)),
                        ("guid", Value::Text(guid)),
                    ],
                )?
            }
        };
        f.attr_map.insert(id, mapped);
        f.attr_name.insert(id, format!("{scope} attribute {name}"));
    }
    Ok(())
}

pub fn merge_participants(f: &mut Fill, rec: &mut Recorder) -> Result<()> {
    let by_id = f.lineage || f.opts.match_names;
    for (id, pid, role, guid) in query(
        f.other,
        "SELECT id, pid, role, guid FROM participants ORDER BY id",
        [],
        |r| <(i64, String, String, String)>::try_from(r),
    )? {
        let mut ours = our_id(rec, "participants", &guid)?;
        if ours.is_none() && f.was_deleted_here("participants", &guid) {
            f.report.deleted_here_kept_deleted += 1;
            continue;
        }
        let taken: Option<i64> = rec
            .tx
            .prepare_cached("SELECT id FROM participants WHERE pid = ?1")?
            .query_row([&pid], |r| r.get(0))
            .optional()?;
        if ours.is_none() && by_id {
            ours = taken;
        }
        let mapped = match ours {
            Some(o) => o,
            None => {
                let new_pid = if taken.is_some() {
                    other_study_name(rec, "participants", "pid", &pid)?
                } else {
                    pid.clone()
                };
                let guid = keep_guid(rec, "participants", &guid)?;
                f.report.participants_added.push(if new_pid == pid {
                    pid.clone()
                } else {
                    format!("{pid} (as {new_pid}: another study's participant, not ours)")
                });
                rec.insert(
                    "participants",
                    &[
                        ("pid", Value::Text(new_pid)),
                        ("role", Value::Text(role)),
                        ("guid", Value::Text(guid)),
                    ],
                )?
            }
        };
        f.person_map.insert(id, mapped);
    }
    merge_attribute_values(f, rec, Scope::Participant)
}

/// Brings in their attribute values for participants or documents we matched: a value we lack
/// is set; a different one is a conflict (ours kept) unless the replay already settled it.
pub fn merge_attribute_values(f: &mut Fill, rec: &mut Recorder, scope: Scope) -> Result<()> {
    let (theirs_sql, ours_sql) = match scope {
        Scope::Participant => (
            "SELECT pa.participant_id, pa.attribute_id, pa.value, p.pid FROM participant_attributes pa JOIN participants p ON p.id = pa.participant_id",
            "SELECT value FROM participant_attributes WHERE participant_id = ?1 AND attribute_id = ?2",
        ),
        Scope::Document => (
            "SELECT da.document_id, da.attribute_id, da.value, d.name FROM document_attributes da JOIN documents d ON d.id = da.document_id",
            "SELECT value FROM document_attributes WHERE document_id = ?1 AND attribute_id = ?2",
        ),
    };
    let rows = query(f.other, theirs_sql, [], |r| {
        <(i64, i64, String, String)>::try_from(r)
    })?;
    let owners: &HashMap<i64, i64> = match scope {
        Scope::Participant => &f.person_map,
        Scope::Document => &f.doc_map,
    };
    let mut todo = Vec::new();
    for (owner, attr, value, owner_name) in rows {
        let (Some(&o), Some(&a)) = (owners.get(&owner), f.attr_map.get(&attr)) else {
            continue;
        };
        todo.push((o, a, attr, value, owner_name));
    }
    for (o, a, attr, value, owner_name) in todo {
        let ours: Option<String> = rec
            .tx
            .prepare_cached(ours_sql)?
            .query_row([o, a], |r| r.get(0))
            .optional()?;
        match ours {
            None => {
                match scope {
                    Scope::Participant => set_participant_value(rec, o, a, &value)?,
                    Scope::Document => set_document_value(rec, o, a, &value)?,
                }
                f.report.attribute_values_set += 1;
            }
            // In a lineage merge the replay settled edits both sides made.
            Some(v) if v != value && !f.lineage => {
                let what = format!(
                    "{} {owner_name}, {}",
                    scope.as_str(),
                    f.attr_name.get(&attr).cloned().unwrap_or_default()
                );
                if f.opts.theirs {
                    match scope {
                        Scope::Participant => set_participant_value(rec, o, a, &value)?,
                        Scope::Document => set_document_value(rec, o, a, &value)?,
                    }
                    f.conflict(what, &format!("'{value}'"), format!("'{v}'"));
                } else {
                    f.conflict(what, &format!("'{v}'"), format!("'{value}'"));
                }
            }
            Some(_) => {}
        }
    }
    Ok(())
}
