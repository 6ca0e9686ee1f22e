//! Codes: by GUID, then by path; in tree order so parents come first. A code our history
//! deleted stays deleted (its codings go where our code merge sent the rest, or are reported).
//! Without shared history, a code with our GUID but other fields is a conflict: ours kept,
//! theirs written as a memo on the code (`--theirs` takes theirs).

use super::fill::{Fill, keep_guid};
use crate::codebook;
use crate::codebook::edit::{child_id, next_sort_order};
use crate::error::Result;
use crate::study::history::{Recorder, id_key};
use rusqlite::OptionalExtension;
use rusqlite::types::Value;

pub fn merge_codes(f: &mut Fill, rec: &mut Recorder) -> Result<()> {
    let theirs = codebook::all(f.other)?;
    let mut ours_all = codebook::all(&rec.tx)?;
    for c in &theirs {
        let by_guid: Option<i64> = rec
            .tx
            .prepare_cached("SELECT id FROM codes WHERE guid IN (?1, lower(?1), upper(?1))")?
            .query_row([&c.guid], |r| r.get(0))
            .optional()?;
        if by_guid.is_none() && f.was_deleted_here("codes", &c.guid) {
            f.report.deleted_here_kept_deleted += 1;
            if let Some(to) = f.forward_code(rec, &c.guid)? {
                f.code_map.insert(c.id, to);
            }
            continue;
        }
        let (mapped, how) = match by_guid {
            Some(id) => (Some(id), "guid"),
            None => (
                ours_all.iter().find(|o| o.path == c.path).map(|o| o.id),
                "path",
            ),
        };
        let id = match mapped {
            Some(id) => {
                let o = ours_all
                    .iter()
                    .find(|o| o.id == id)
                    .cloned()
                    .ok_or_else(|| crate::not_found!("code #{id} vanished"))?;
                if how == "guid" {
                    f.report.codes_matched_by_guid += 1;
                } else {
                    f.report.codes_matched_by_path.push(c.path.clone());
                }
                compare(f, rec, &o, c, how == "guid")?;
                id
            }
            None => {
                let parent = c.parent_id.and_then(|p| f.code_map.get(&p).copied());
                // A sibling with this name (under a parent matched by GUID elsewhere) is the same code.
                if let Some(s) = child_id(rec, parent, &c.name)? {
                    f.report.codes_matched_by_path.push(c.path.clone());
                    s
                } else {
                    let order = next_sort_order(rec, parent)?;
                    let guid = keep_guid(rec, "codes", &c.guid)?;
                    let now = rec.now.clone();
                    let id = rec.insert(
                        "codes",
                        &[
                            ("guid", Value::Text(guid)),
                            (
                                "parent_id",
                                parent.map(Value::Integer).unwrap_or(Value::Null),
                            ),
                            ("name", Value::Text(c.name.clone())),
                            ("colour", Value::Text(c.colour.clone())),
                            ("definition", Value::Text(c.definition.clone())),
                            ("inclusion", Value::Text(c.inclusion.clone())),
                            ("exclusion", Value::Text(c.exclusion.clone())),
                            ("example", Value::Text(c.example.clone())),
                            ("memo", Value::Text(c.memo.clone())),
                            ("sort_order", Value::Integer(order)),
                            ("created_at", Value::Text(now)),
                        ],
                    )?;
                    f.report.codes_created.push(c.path.clone());
                    ours_all.push(codebook::Code {
                        id,
                        parent_id: parent,
                        ..c.clone()
                    });
                    id
                }
            }
        };
        f.code_map.insert(c.id, id);
    }
    Ok(())
}

/// A code both files have: empty fields of ours are filled from theirs. Without shared history
/// (where the replay has not settled both sides' edits), differing fields are a conflict.
fn compare(
    f: &mut Fill,
    rec: &mut Recorder,
    o: &codebook::Code,
    c: &codebook::Code,
    by_guid: bool,
) -> Result<()> {
    let mut differ: Vec<String> = Vec::new();
    let mut fill: Vec<(&str, Value)> = Vec::new();
    let mut take: Vec<(&str, Value)> = Vec::new();
    if by_guid && o.name != c.name {
        differ.push(format!("name: ours '{}', theirs '{}'", o.name, c.name));
    }
    for (col, ov, tv) in [
        ("definition", &o.definition, &c.definition),
        ("inclusion", &o.inclusion, &c.inclusion),
        ("exclusion", &o.exclusion, &c.exclusion),
        ("example", &o.example, &c.example),
        ("memo", &o.memo, &c.memo),
        ("colour", &o.colour, &c.colour),
    ] {
        if ov == tv || tv.is_empty() {
            continue;
        }
        if ov.is_empty() {
            fill.push((col, Value::Text(tv.clone())));
        } else if !f.lineage {
            differ.push(format!("{col}: ours '{ov}', theirs '{tv}'"));
            take.push((col, Value::Text(tv.clone())));
        }
    }
    if !fill.is_empty() {
        rec.update("codes", &id_key(o.id), &fill)?;
        f.report.codes_filled.push(o.path.clone());
    }
    if f.lineage || differ.is_empty() {
        return Ok(());
    }
    if f.opts.theirs {
        if by_guid && o.name != c.name && child_id(rec, o.parent_id, &c.name)?.is_none() {
            take.push(("name", Value::Text(c.name.clone())));
        }
        if !take.is_empty() {
            rec.update("codes", &id_key(o.id), &take)?;
        }
    }
    f.conflict(
        format!("code {}", o.path),
        "the other version is a memo on the code",
        differ.join("; "),
    );
    let body = format!(
        "Merging {} found a different version of this code ({} was kept):\n{}",
        f.file,
        if f.opts.theirs { "theirs" } else { "ours" },
        differ.join("\n")
    );
    let guid = crate::exchange::derived_guid(&format!("merge-conflict:{}:{body}", o.guid))
        .to_ascii_lowercase();
    if !crate::exchange::guid_taken(rec, "memos", &guid)? {
        let now = rec.now.clone();
        rec.insert(
            "memos",
            &[
                ("guid", Value::Text(guid)),
                ("target_kind", Value::Text("code".into())),
                ("target_id", Value::Integer(o.id)),
                ("coder_id", Value::Integer(f.acting)),
                ("title", Value::Text(format!("Merge conflict ({})", f.file))),
                ("body", Value::Text(body)),
                ("created_at", Value::Text(now.clone())),
                ("updated_at", Value::Text(now)),
            ],
        )?;
    }
    Ok(())
}
