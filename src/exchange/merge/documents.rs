//! Documents (with their turns, speakers and attribute values): matched by GUID within one
//! study's copies, else by content hash; missing ones come in with their turns. An incoming
//! document with one of our names and nearly our text is a revised transcript: it is named as
//! such in the report, and with `--revisions` ours is revised to their text instead of a second
//! document being added (codings carried over by the character diff, see `revise`).

use super::fill::{Fill, keep_guid, our_id, query};
use crate::error::Result;
use crate::study::history::Recorder;
use crate::study::participants::Scope;
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};

fn unique_document_name(rec: &Recorder, base: &str) -> Result<String> {
    let taken = |n: &str| -> Result<bool> {
        Ok(rec
            .tx
            .prepare_cached("SELECT 1 FROM documents WHERE name = ?1")?
            .query_row([n], |_| Ok(()))
            .optional()?
            .is_some())
    };
    if !taken(base)? {
        return Ok(base.to_string());
    }
    for i in 2.. {
        let n = format!("{base} ({i})");
        if !taken(&n)? {
            return Ok(n);
        }
    }
    unreachable!()
}

type TheirDoc = (i64, String, String, String, String, String, i64, String);

pub fn merge_documents(f: &mut Fill, rec: &mut Recorder) -> Result<()> {
    let docs: Vec<TheirDoc> = query(
        f.other,
        "SELECT id, guid, name, source_name, format, content_hash, char_count, imported_at FROM documents ORDER BY sort_order, id",
        [],
        |r| TheirDoc::try_from(r),
    )?;
    for (id, guid, name, source_name, format, hash, chars, imported) in docs {
        let mut ours: Option<(i64, String)> = None;
        if f.lineage
            && let Some(o) = our_id(rec, "documents", &guid)?
        {
            let n: String =
                rec.tx
                    .query_row("SELECT name FROM documents WHERE id = ?1", [o], |r| {
                        r.get(0)
                    })?;
            ours = Some((o, n));
        }
        if ours.is_none() {
            ours = rec
                .tx
                .prepare_cached("SELECT id, name FROM documents WHERE content_hash = ?1")?
                .query_row([&hash], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
        }
        if ours.is_none() && f.was_deleted_here("documents", &guid) {
            f.report.deleted_here_kept_deleted += 1;
            continue;
        }
        let mapped = match ours {
            Some((o, our_name)) => {
                f.report.documents_matched.push(if our_name == name {
                    name.clone()
                } else {
                    format!("{name} = {our_name}")
                });
                o
            }
            None => {
                let text: String =
                    f.other
                        .query_row("SELECT text FROM documents WHERE id = ?1", [id], |r| {
                            r.get(0)
                        })?;
                if crate::study::documents::content_hash(&text) != hash {
                    return Err(crate::invalid!(
                        "{} (the file being merged in, not this study): document '{name}' is damaged (its text does not match its hash); nothing merged, this study is unchanged",
                        f.file
                    ));
                }
                if let Some(ours) = near_match(rec, &name, &text)? {
                    if f.opts.revisions {
                        let r = crate::exchange::revise::revise_in(rec, ours.0, &text)?;
                        f.report.possible_revisions.push(format!(
                            "{name}: treated as a revision of ours ({} character(s) changed; {} coding(s) touching changed text: {})",
                            r.changed_chars,
                            r.touched.len(),
                            r.touched.join(", ")
                        ));
                        f.doc_map.insert(id, ours.0);
                        continue;
                    }
                    f.report.possible_revisions.push(format!(
                        "{name}: nearly the same text as our '{}' ({} character(s) differ); added as a second document. If it is a corrected transcript, undo this merge and merge again with --revisions",
                        ours.1, ours.2
                    ));
                }
                let new_name = unique_document_name(rec, &name)?;
                let guid = keep_guid(rec, "documents", &guid)?;
                let order: i64 = rec.tx.query_row(
                    "SELECT ifnull(max(sort_order), -1) + 1 FROM documents",
                    [],
                    |r| r.get(0),
                )?;
                let doc = rec.insert(
                    "documents",
                    &[
                        ("guid", Value::Text(guid)),
                        ("name", Value::Text(new_name.clone())),
                        ("source_name", Value::Text(source_name)),
                        ("format", Value::Text(format)),
                        ("content_hash", Value::Text(hash)),
                        ("char_count", Value::Integer(chars)),
                        ("imported_at", Value::Text(imported)),
                        ("sort_order", Value::Integer(order)),
                        ("text", Value::Text(text)),
                    ],
                )?;
                copy_turns(f, rec, id, doc)?;
                crate::study::search_index::index_document(&rec.tx, doc)?;
                f.report.documents_added.push(if new_name == name {
                    name
                } else {
                    format!("{name} (as {new_name})")
                });
                doc
            }
        };
        f.doc_map.insert(id, mapped);
        merge_speakers(f, rec, id, mapped)?;
    }
    super::people::merge_attribute_values(f, rec, Scope::Document)
}

/// Our document with this name whose text differs from `text` by at most 2% of its characters
/// (and at least one): (id, name, characters that differ).
fn near_match(rec: &Recorder, name: &str, text: &str) -> Result<Option<(i64, String, usize)>> {
    let ours: Option<(i64, String, String)> = rec
        .tx
        .prepare_cached("SELECT id, name, text FROM documents WHERE name = ?1")?
        .query_row([name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((id, our_name, our_text)) = ours else {
        return Ok(None);
    };
    let differ = crate::exchange::revise::changed_chars(&our_text, text);
    let size = our_text.chars().count().max(text.chars().count());
    Ok((differ > 0 && differ * 50 <= size).then_some((id, our_name, differ)))
}

fn copy_turns(f: &Fill, rec: &mut Recorder, theirs: i64, doc: i64) -> Result<()> {
    let turns = query(
        f.other,
        "SELECT idx, speaker, start, \"end\", start_ms, end_ms FROM turns WHERE document_id = ?1 ORDER BY idx",
        [theirs],
        |r| {
            Ok(vec![
                Value::Integer(doc),
                Value::Integer(r.get(0)?),
                r.get::<_, Option<String>>(1)?
                    .map(Value::Text)
                    .unwrap_or(Value::Null),
                Value::Integer(r.get(2)?),
                Value::Integer(r.get(3)?),
                r.get::<_, Option<i64>>(4)?
                    .map(Value::Integer)
                    .unwrap_or(Value::Null),
                r.get::<_, Option<i64>>(5)?
                    .map(Value::Integer)
                    .unwrap_or(Value::Null),
            ])
        },
    )?;
    rec.insert_group(
        "document_turns",
        Value::Integer(doc),
        &[
            "document_id",
            "idx",
            "speaker",
            "start",
            "end",
            "start_ms",
            "end_ms",
        ],
        turns,
    )?;
    Ok(())
}

/// Speakers: theirs fill ours where we have no participant for a label.
fn merge_speakers(f: &mut Fill, rec: &mut Recorder, theirs: i64, mapped: i64) -> Result<()> {
    for (label, person) in query(
        f.other,
        "SELECT label, participant_id FROM speakers WHERE document_id = ?1 ORDER BY rowid",
        [theirs],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<i64>>(1)?)),
    )? {
        let person = person.and_then(|p| f.person_map.get(&p).copied());
        let ours: Option<Option<i64>> = rec
            .tx
            .prepare_cached(
                "SELECT participant_id FROM speakers WHERE document_id = ?1 AND label = ?2",
            )?
            .query_row(params![mapped, label], |r| r.get(0))
            .optional()?;
        match (ours, person) {
            (None, _) => {
                rec.insert(
                    "speakers",
                    &[
                        ("document_id", Value::Integer(mapped)),
                        ("label", Value::Text(label)),
                        (
                            "participant_id",
                            person.map(Value::Integer).unwrap_or(Value::Null),
                        ),
                    ],
                )?;
            }
            (Some(None), Some(p)) => {
                rec.update(
                    "speakers",
                    &vec![Value::Integer(mapped), Value::Text(label)],
                    &[("participant_id", Value::Integer(p))],
                )?;
            }
            _ => {}
        }
    }
    Ok(())
}
