//! Merging another coder's study file into this one, as one recorded (undoable) action.
//!
//! Matching: coders by name; documents by content hash (missing ones come in with their turns
//! and speakers); codes by GUID, then by path (missing ones are created under their parent);
//! attributes by scope and name; participants by ID; memos by GUID; codings are kept under their
//! coder, exact duplicates (same coder, code, document and range) skipped. Our values win: a
//! code with the same GUID but a different name or codebook field is reported and their version
//! written as a memo on the code; differing attribute values are reported and ours kept. Empty
//! fields of ours are filled from theirs. Consensus decisions (reviews) and named codebook
//! versions we lack come in too.
//!
//! History: their `changes` rows are not copied (their row ids mean nothing here, and replaying
//! them could corrupt ours); instead the merge is one change in our history whose row images
//! hold everything that came in (so `undo` takes the whole merge back), and their history is
//! kept, readable, as a project memo "History of merged study NAME". Merging the same file again
//! finds everything present and records nothing.

use crate::codebook;
use crate::codebook::edit::{child_id, next_sort_order};
use crate::error::{Error, Result};
use crate::study::history::{Recorder, id_key};
use crate::study::participants::{Scope, set_document_value, set_participant_value};
use crate::study::{Study, new_guid};
use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Default, Clone, Serialize, PartialEq)]
pub struct MergeReport {
    pub coders_created: Vec<String>,
    pub coders_matched: Vec<String>,
    pub documents_added: Vec<String>,
    pub documents_matched: Vec<String>,
    pub codes_matched_by_guid: usize,
    pub codes_matched_by_path: Vec<String>,
    pub codes_created: Vec<String>,
    pub codes_filled: Vec<String>,
    pub conflicts: Vec<String>,
    pub participants_added: Vec<String>,
    pub attribute_values_set: usize,
    pub codings_added: usize,
    pub codings_already_present: usize,
    pub memos_added: usize,
    pub memos_already_present: usize,
    pub reviews_added: usize,
    pub codebook_versions_added: usize,
    pub nothing_new: bool,
}

const NOTHING_NEW: &str = "\u{0}merge: nothing new";

fn keep_guid(rec: &Recorder, table: &str, guid: &str) -> Result<String> {
    Ok(if super::guid_taken(rec, table, guid)? {
        new_guid()
    } else {
        guid.to_string()
    })
}

/// Opens the other study read-only, refusing anything but a study file of our schema version.
pub fn open_other(path: &Path) -> Result<Connection> {
    let shown = path.display().to_string();
    let fail = |message: String| Error::Study {
        path: shown.clone(),
        message,
    };
    if !path.is_file() {
        return Err(fail("does not exist or is not a file".into()));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| fail(format!("cannot be opened: {e}")))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|_| fail("is not a Thematic study file (not an SQLite database)".into()))?;
    let is_study: bool = conn
        .query_row(
            "SELECT count(*) = 3 FROM sqlite_master WHERE type = 'table' AND name IN ('codes', 'codings', 'documents')",
            [],
            |r| r.get(0),
        )
        .unwrap_or(false);
    if !is_study {
        return Err(fail("is not a Thematic study file".into()));
    }
    let ours = crate::study::schema::SCHEMA_VERSION;
    if version != ours {
        return Err(fail(format!(
            "has schema version {version}, this Thematic writes {ours}; open it once with this version of Thematic (or update Thematic) before merging"
        )));
    }
    Ok(conn)
}

type Rows<T> = Vec<T>;

fn query<T, P: rusqlite::Params>(
    conn: &Connection,
    sql: &str,
    p: P,
    f: impl FnMut(&rusqlite::Row) -> rusqlite::Result<T>,
) -> Result<Rows<T>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map(p, f)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Refuses merging a study into itself; then opens the other file as [`open_other`] does.
pub fn check_other(study: &Path, other_path: &Path) -> Result<Connection> {
    let ours = std::fs::canonicalize(study)?;
    if std::fs::canonicalize(other_path).ok().as_deref() == Some(ours.as_path()) {
        return Err(crate::invalid!(
            "{} is this study itself; give another coder's study file",
            other_path.display()
        ));
    }
    open_other(other_path)
}

/// Merges `other` into `study` as `coder`'s action.
pub fn merge(study: &mut Study, other_path: &Path, coder: i64) -> Result<MergeReport> {
    let other = check_other(study.path(), other_path)?;
    let file = other_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| other_path.display().to_string());
    let summary = format!("merge {file}");
    let mut report = MergeReport::default();
    let result = study.change(Some(coder), "merge", &summary, |rec| {
        merge_in(rec, &other, &file, coder, &mut report)?;
        let rows: i64 = rec.tx.query_row(
            "SELECT count(*) FROM change_rows WHERE change_id = ?1",
            [rec.change_id],
            |r| r.get(0),
        )?;
        if rows == 0 {
            return Err(Error::NotFound(NOTHING_NEW.into()));
        }
        let text = format!(
            "merge {file}: {} document(s), {} code(s), {} coding(s), {} memo(s) added",
            report.documents_added.len(),
            report.codes_created.len(),
            report.codings_added,
            report.memos_added
        );
        rec.tx.execute(
            "UPDATE changes SET summary = ?1 WHERE id = ?2",
            params![text, rec.change_id],
        )?;
        Ok(())
    });
    match result {
        Ok(()) => Ok(report),
        Err(Error::NotFound(m)) if m == NOTHING_NEW => {
            report.nothing_new = true;
            Ok(report)
        }
        Err(e) => Err(e),
    }
}

/// Brings in their attribute values for participants or documents we matched: a value we lack
/// is set, a different one is reported as a conflict and ours kept.
fn merge_attribute_values(
    rec: &mut Recorder,
    other: &Connection,
    scope: Scope,
    owner_map: &HashMap<i64, i64>,
    attr_map: &HashMap<i64, i64>,
    attr_name: &HashMap<i64, String>,
    report: &mut MergeReport,
) -> Result<()> {
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
    let rows = query(other, theirs_sql, [], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    for (owner, attr, value, owner_name) in rows {
        let (Some(&o), Some(&a)) = (owner_map.get(&owner), attr_map.get(&attr)) else {
            continue;
        };
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
                report.attribute_values_set += 1;
            }
            Some(v) if v != value => report.conflicts.push(format!(
                "{} {owner_name}, {}: ours '{v}', theirs '{value}' (kept ours)",
                scope.as_str(),
                attr_name.get(&attr).cloned().unwrap_or_default()
            )),
            Some(_) => {}
        }
    }
    Ok(())
}

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

fn merge_in(
    rec: &mut Recorder,
    other: &Connection,
    file: &str,
    acting: i64,
    report: &mut MergeReport,
) -> Result<()> {
    // Coders, by name.
    let mut coder_map: HashMap<i64, i64> = HashMap::new();
    for (id, name, guid, consensus, created) in query(
        other,
        "SELECT id, name, guid, is_consensus, created_at FROM coders ORDER BY id",
        [],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
            ))
        },
    )? {
        let ours: Option<i64> = rec
            .tx
            .prepare_cached("SELECT id FROM coders WHERE name = ?1")?
            .query_row([&name], |r| r.get(0))
            .optional()?;
        let mapped = match ours {
            Some(o) => {
                report.coders_matched.push(name);
                o
            }
            None => {
                let guid = keep_guid(rec, "coders", &guid)?;
                let id = rec.insert(
                    "coders",
                    &[
                        ("name", Value::Text(name.clone())),
                        ("guid", Value::Text(guid)),
                        ("is_consensus", Value::Integer(consensus)),
                        ("created_at", Value::Text(created)),
                    ],
                )?;
                report.coders_created.push(name);
                id
            }
        };
        coder_map.insert(id, mapped);
    }
    // Attributes, by scope and name.
    let mut attr_map: HashMap<i64, i64> = HashMap::new();
    let mut attr_name: HashMap<i64, String> = HashMap::new();
    for (id, scope, name, kind, guid) in query(
        other,
        "SELECT id, scope, name, kind, guid FROM attributes ORDER BY id",
        [],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        },
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
        attr_map.insert(id, mapped);
        attr_name.insert(id, format!("{scope} attribute {name}"));
    }
    // Participants, by ID.
    let mut person_map: HashMap<i64, i64> = HashMap::new();
    for (id, pid, role, guid) in query(
        other,
        "SELECT id, pid, role, guid FROM participants ORDER BY id",
        [],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        },
    )? {
        let ours: Option<i64> = rec
            .tx
            .prepare_cached("SELECT id FROM participants WHERE pid = ?1")?
            .query_row([&pid], |r| r.get(0))
            .optional()?;
        let mapped = match ours {
            Some(o) => o,
            None => {
                let guid = keep_guid(rec, "participants", &guid)?;
                report.participants_added.push(pid.clone());
                rec.insert(
                    "participants",
                    &[
                        ("pid", Value::Text(pid)),
                        ("role", Value::Text(role)),
                        ("guid", Value::Text(guid)),
                    ],
                )?
            }
        };
        person_map.insert(id, mapped);
    }
    merge_attribute_values(
        rec,
        other,
        Scope::Participant,
        &person_map,
        &attr_map,
        &attr_name,
        report,
    )?;
    // Documents, by content.
    let mut doc_map: HashMap<i64, i64> = HashMap::new();
    let docs = query(
        other,
        "SELECT id, guid, name, source_name, format, content_hash, char_count, imported_at FROM documents ORDER BY sort_order, id",
        [],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, String>(7)?,
            ))
        },
    )?;
    for (id, guid, name, source_name, format, hash, chars, imported) in docs {
        let ours: Option<(i64, String)> = rec
            .tx
            .prepare_cached("SELECT id, name FROM documents WHERE content_hash = ?1")?
            .query_row([&hash], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let mapped = match ours {
            Some((o, our_name)) => {
                report.documents_matched.push(if our_name == name {
                    name.clone()
                } else {
                    format!("{name} = {our_name}")
                });
                o
            }
            None => {
                let text: String =
                    other.query_row("SELECT text FROM documents WHERE id = ?1", [id], |r| {
                        r.get(0)
                    })?;
                if crate::study::documents::content_hash(&text) != hash {
                    return Err(crate::invalid!(
                        "{file}: document '{name}' is damaged (its text does not match its hash); nothing merged"
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
                for (idx, speaker, start, end, sms, ems) in query(
                    other,
                    "SELECT idx, speaker, start, \"end\", start_ms, end_ms FROM turns WHERE document_id = ?1 ORDER BY idx",
                    [id],
                    |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, Option<String>>(1)?,
                            r.get::<_, i64>(2)?,
                            r.get::<_, i64>(3)?,
                            r.get::<_, Option<i64>>(4)?,
                            r.get::<_, Option<i64>>(5)?,
                        ))
                    },
                )? {
                    rec.insert(
                        "turns",
                        &[
                            ("document_id", Value::Integer(doc)),
                            ("idx", Value::Integer(idx)),
                            ("speaker", speaker.map(Value::Text).unwrap_or(Value::Null)),
                            ("start", Value::Integer(start)),
                            ("end", Value::Integer(end)),
                            ("start_ms", sms.map(Value::Integer).unwrap_or(Value::Null)),
                            ("end_ms", ems.map(Value::Integer).unwrap_or(Value::Null)),
                        ],
                    )?;
                }
                crate::study::search_index::index_document(&rec.tx, doc)?;
                report.documents_added.push(if new_name == name {
                    name
                } else {
                    format!("{name} (as {new_name})")
                });
                doc
            }
        };
        doc_map.insert(id, mapped);
        // Speakers: theirs fill ours where we have no participant for a label.
        for (label, person) in query(
            other,
            "SELECT label, participant_id FROM speakers WHERE document_id = ?1 ORDER BY rowid",
            [id],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<i64>>(1)?)),
        )? {
            let person = person.and_then(|p| person_map.get(&p).copied());
            let ours: Option<Option<i64>> = rec
                .tx
                .prepare_cached(
                    "SELECT participant_id FROM speakers WHERE document_id = ?1 AND label = ?2",
                )?
                .query_row(params![mapped, label], |r| r.get(0))
                .optional()?;
            match ours {
                None => {
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
                Some(None) if person.is_some() => {
                    rec.update(
                        "speakers",
                        &vec![Value::Integer(mapped), Value::Text(label)],
                        &[("participant_id", Value::Integer(person.unwrap_or_default()))],
                    )?;
                }
                _ => {}
            }
        }
    }
    merge_attribute_values(
        rec,
        other,
        Scope::Document,
        &doc_map,
        &attr_map,
        &attr_name,
        report,
    )?;
    let _ = Scope::Document;
    // Codes: by GUID, then by path; in tree order so parents come first.
    let mut code_map: HashMap<i64, i64> = HashMap::new();
    let theirs = codebook::all(other)?;
    let mut ours_all = codebook::all(&rec.tx)?;
    for c in &theirs {
        let by_guid: Option<i64> = rec
            .tx
            .prepare_cached("SELECT id FROM codes WHERE lower(guid) = lower(?1)")?
            .query_row([&c.guid], |r| r.get(0))
            .optional()?;
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
                    .ok_or_else(|| crate::not_found!("code #{id} vanished"))?;
                if how == "guid" {
                    report.codes_matched_by_guid += 1;
                } else {
                    report.codes_matched_by_path.push(c.path.clone());
                }
                let mut differ: Vec<String> = Vec::new();
                let mut fill: Vec<(&str, Value)> = Vec::new();
                if how == "guid" && o.name != c.name {
                    differ.push(format!("name: ours '{}', theirs '{}'", o.name, c.name));
                }
                for (col, ov, tv) in [
                    ("definition", &o.definition, &c.definition),
                    ("inclusion", &o.inclusion, &c.inclusion),
                    ("exclusion", &o.exclusion, &c.exclusion),
                    ("example", &o.example, &c.example),
                    ("memo", &o.memo, &c.memo),
                ] {
                    if ov == tv || tv.is_empty() {
                        continue;
                    }
                    if ov.is_empty() {
                        fill.push((col, Value::Text(tv.clone())));
                    } else {
                        differ.push(format!("{col}: theirs '{tv}'"));
                    }
                }
                if !fill.is_empty() {
                    rec.update("codes", &id_key(id), &fill)?;
                    report.codes_filled.push(o.path.clone());
                }
                if !differ.is_empty() {
                    report.conflicts.push(format!(
                        "code {}: {} (kept ours)",
                        o.path,
                        differ.join("; ")
                    ));
                    let body = format!(
                        "Merging {file} found a different version of this code (ours was kept):\n{}",
                        differ.join("\n")
                    );
                    let guid = super::derived_guid(&format!("merge-conflict:{}:{body}", o.guid))
                        .to_ascii_lowercase();
                    if !super::guid_taken(rec, "memos", &guid)? {
                        let now = rec.now.clone();
                        rec.insert(
                            "memos",
                            &[
                                ("guid", Value::Text(guid)),
                                ("target_kind", Value::Text("code".into())),
                                ("target_id", Value::Integer(id)),
                                ("coder_id", Value::Integer(acting)),
                                ("title", Value::Text(format!("Merge conflict ({file})"))),
                                ("body", Value::Text(body)),
                                ("created_at", Value::Text(now.clone())),
                                ("updated_at", Value::Text(now)),
                            ],
                        )?;
                    }
                }
                id
            }
            None => {
                let parent = c.parent_id.and_then(|p| code_map.get(&p).copied());
                // A sibling with this name (under a parent matched by GUID elsewhere) is the same code.
                let sibling = child_id(rec, parent, &c.name)?;
                if let Some(s) = sibling {
                    report.codes_matched_by_path.push(c.path.clone());
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
                    report.codes_created.push(c.path.clone());
                    ours_all.push(codebook::Code {
                        id,
                        parent_id: parent,
                        ..c.clone()
                    });
                    id
                }
            }
        };
        code_map.insert(c.id, id);
    }
    // Codings, under their coder; exact duplicates skipped.
    let mut coding_map: HashMap<i64, i64> = HashMap::new();
    for (id, guid, doc, code, coder, start, end, created) in query(
        other,
        "SELECT id, guid, document_id, code_id, coder_id, start, \"end\", created_at FROM codings ORDER BY id",
        [],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, String>(7)?,
            ))
        },
    )? {
        let (Some(&d), Some(&c), Some(&k)) = (
            doc_map.get(&doc),
            code_map.get(&code),
            coder_map.get(&coder),
        ) else {
            return Err(crate::invalid!(
                "{file}: coding {guid} refers to a missing document, code or coder; nothing merged"
            ));
        };
        let existing: Option<i64> = rec
            .tx
            .prepare_cached(
                "SELECT id FROM codings WHERE coder_id = ?1 AND code_id = ?2 AND document_id = ?3 AND start = ?4 AND \"end\" = ?5",
            )?
            .query_row(params![k, c, d, start, end], |r| r.get(0))
            .optional()?;
        let mapped = match existing {
            Some(e) => {
                report.codings_already_present += 1;
                e
            }
            None => {
                let guid = keep_guid(rec, "codings", &guid)?;
                report.codings_added += 1;
                rec.insert(
                    "codings",
                    &[
                        ("guid", Value::Text(guid)),
                        ("document_id", Value::Integer(d)),
                        ("code_id", Value::Integer(c)),
                        ("coder_id", Value::Integer(k)),
                        ("start", Value::Integer(start)),
                        ("end", Value::Integer(end)),
                        ("created_at", Value::Text(created)),
                    ],
                )?
            }
        };
        coding_map.insert(id, mapped);
    }
    // Memos, by GUID.
    for (guid, kind, target, coder, title, body, created, updated) in query(
        other,
        "SELECT guid, target_kind, target_id, coder_id, title, body, created_at, updated_at FROM memos ORDER BY id",
        [],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
            ))
        },
    )? {
        if super::guid_taken(rec, "memos", &guid)? {
            report.memos_already_present += 1;
            continue;
        }
        let target = match (kind.as_str(), target) {
            ("project", _) => None,
            ("document", Some(t)) => doc_map.get(&t).copied(),
            ("code", Some(t)) => code_map.get(&t).copied(),
            ("coding", Some(t)) => coding_map.get(&t).copied(),
            _ => None,
        };
        if kind != "project" && target.is_none() {
            continue; // attached to something that no longer exists in their file
        }
        rec.insert(
            "memos",
            &[
                ("guid", Value::Text(guid)),
                ("target_kind", Value::Text(kind)),
                (
                    "target_id",
                    target.map(Value::Integer).unwrap_or(Value::Null),
                ),
                (
                    "coder_id",
                    Value::Integer(coder_map.get(&coder).copied().unwrap_or(acting)),
                ),
                ("title", Value::Text(title)),
                ("body", Value::Text(body)),
                ("created_at", Value::Text(created)),
                ("updated_at", Value::Text(updated)),
            ],
        )?;
        report.memos_added += 1;
    }
    // Consensus decisions, one per (document, code, unit); ours stand.
    for (doc, code, start, end, decision, chosen, reviewer, at) in query(
        other,
        "SELECT document_id, code_id, start, \"end\", decision, chosen, reviewer_id, decided_at FROM reviews ORDER BY id",
        [],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, String>(7)?,
            ))
        },
    )? {
        let (Some(&d), Some(&c)) = (doc_map.get(&doc), code_map.get(&code)) else {
            continue;
        };
        let exists = rec
            .tx
            .prepare_cached("SELECT 1 FROM reviews WHERE document_id = ?1 AND code_id = ?2 AND start = ?3 AND \"end\" = ?4")?
            .query_row(params![d, c, start, end], |_| Ok(()))
            .optional()?
            .is_some();
        if !exists {
            rec.insert(
                "reviews",
                &[
                    ("document_id", Value::Integer(d)),
                    ("code_id", Value::Integer(c)),
                    ("start", Value::Integer(start)),
                    ("end", Value::Integer(end)),
                    ("decision", Value::Text(decision)),
                    ("chosen", chosen.map(Value::Text).unwrap_or(Value::Null)),
                    (
                        "reviewer_id",
                        Value::Integer(coder_map.get(&reviewer).copied().unwrap_or(acting)),
                    ),
                    ("decided_at", Value::Text(at)),
                ],
            )?;
            report.reviews_added += 1;
        }
    }
    // Named codebook versions (snapshots) we do not have under that name.
    for (name, created, codebook) in query(
        other,
        "SELECT name, created_at, codebook FROM codebook_versions ORDER BY id",
        [],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        },
    )? {
        let exists = rec
            .tx
            .prepare_cached("SELECT 1 FROM codebook_versions WHERE name = ?1")?
            .query_row([&name], |_| Ok(()))
            .optional()?
            .is_some();
        if !exists {
            rec.insert(
                "codebook_versions",
                &[
                    ("name", Value::Text(name)),
                    ("created_at", Value::Text(created)),
                    ("change_id", Value::Null),
                    ("codebook", Value::Text(codebook)),
                ],
            )?;
            report.codebook_versions_added += 1;
        }
    }
    // Their history, kept readable as a project memo (once per state of their history).
    let history = query(
        other,
        "SELECT c.id, c.at, ifnull(k.name, '(setup)'), c.kind, c.summary, c.undone_by IS NOT NULL
           FROM changes c LEFT JOIN coders k ON k.id = c.coder_id ORDER BY c.id",
        [],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, bool>(5)?,
            ))
        },
    )?;
    if let Some(last) = history.last() {
        let created: String = other
            .query_row("SELECT value FROM meta WHERE key = 'created_at'", [], |r| {
                r.get(0)
            })
            .optional()?
            .unwrap_or_default();
        let guid = super::derived_guid(&format!("merged-history:{created}:{}:{}", last.0, last.1))
            .to_ascii_lowercase();
        if !super::guid_taken(rec, "memos", &guid)? {
            let body: Vec<String> = history
                .iter()
                .map(|(id, at, who, kind, summary, undone)| {
                    format!(
                        "#{id} {at} {who} [{kind}] {summary}{}",
                        if *undone { " (undone)" } else { "" }
                    )
                })
                .collect();
            let now = rec.now.clone();
            rec.insert(
                "memos",
                &[
                    ("guid", Value::Text(guid)),
                    ("target_kind", Value::Text("project".into())),
                    ("target_id", Value::Null),
                    ("coder_id", Value::Integer(acting)),
                    (
                        "title",
                        Value::Text(format!("History of merged study {file}")),
                    ),
                    ("body", Value::Text(body.join("\n"))),
                    ("created_at", Value::Text(now.clone())),
                    ("updated_at", Value::Text(now)),
                ],
            )?;
        }
    }
    Ok(())
}
