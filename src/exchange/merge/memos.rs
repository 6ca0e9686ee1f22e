//! Memos (by GUID), consensus decisions (one per document, code and unit; ours stand), named
//! codebook versions we lack, and their history, kept readable as a project memo.

use super::fill::{Fill, query};
use crate::error::Result;
use crate::study::history::Recorder;
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};

pub fn merge_memos(f: &mut Fill, rec: &mut Recorder) -> Result<()> {
    // Memos, by GUID.
    for (guid, kind, target, coder, title, body, created, updated) in query(
        f.other,
        "SELECT guid, target_kind, target_id, coder_id, title, body, created_at, updated_at FROM memos ORDER BY id",
        [],
        |r| {
            <(
                String,
                String,
                Option<i64>,
                i64,
                String,
                String,
                String,
                String,
            )>::try_from(r)
        },
    )? {
        if crate::exchange::guid_taken(rec, "memos", &guid)? {
            f.report.memos_already_present += 1;
            continue;
        }
        if f.was_deleted_here("memos", &guid) {
            f.report.deleted_here_kept_deleted += 1;
            continue;
        }
        let target = match (kind.as_str(), target) {
            ("project", _) => None,
            ("document", Some(t)) => f.doc_map.get(&t).copied(),
            ("code", Some(t)) => f.code_map.get(&t).copied(),
            ("coding", Some(t)) => f.coding_map.get(&t).copied(),
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
                    Value::Integer(f.coder_map.get(&coder).copied().unwrap_or(f.acting)),
                ),
                ("title", Value::Text(title)),
                ("body", Value::Text(body)),
                ("created_at", Value::Text(created)),
                ("updated_at", Value::Text(updated)),
            ],
        )?;
        f.report.memos_added += 1;
    }
    Ok(())
}

pub fn merge_reviews(f: &mut Fill, rec: &mut Recorder) -> Result<()> {
    // Consensus decisions, one per (document, code, unit); ours stand.
    for (doc, code, start, end, decision, chosen, reviewer, at) in query(
        f.other,
        "SELECT document_id, code_id, start, \"end\", decision, chosen, reviewer_id, decided_at FROM reviews ORDER BY id",
        [],
        |r| <(i64, i64, i64, i64, String, Option<String>, i64, String)>::try_from(r),
    )? {
        let (Some(&d), Some(&c)) = (f.doc_map.get(&doc), f.code_map.get(&code)) else {
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
                        Value::Integer(f.coder_map.get(&reviewer).copied().unwrap_or(f.acting)),
                    ),
                    ("decided_at", Value::Text(at)),
                ],
            )?;
            f.report.reviews_added += 1;
        }
    }
    Ok(())
}

pub fn merge_codebook_versions(f: &mut Fill, rec: &mut Recorder) -> Result<()> {
    // Named codebook versions (snapshots) we do not have under that name.
    for (name, created, codebook) in query(
        f.other,
        "SELECT name, created_at, codebook FROM codebook_versions ORDER BY id",
        [],
        |r| <(String, String, String)>::try_from(r),
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
            f.report.codebook_versions_added += 1;
        }
    }
    Ok(())
}

pub fn keep_their_history(f: &mut Fill, rec: &mut Recorder) -> Result<()> {
    if f.lineage {
        return Ok(()); // their changes are in our history now, each under its own entry
    }
    // Their history, kept readable as a project memo (once per state of their history).
    let history = query(
        f.other,
        "SELECT c.id, c.at, ifnull(k.name, '(setup)'), c.kind, c.summary, c.undone_by IS NOT NULL
           FROM changes c LEFT JOIN coders k ON k.id = c.coder_id ORDER BY c.id",
        [],
        |r| <(i64, String, String, String, String, bool)>::try_from(r),
    )?;
    if let Some(last) = history.last() {
        let created: String = f
            .other
            .query_row("SELECT value FROM meta WHERE key = 'created_at'", [], |r| {
                r.get(0)
            })
            .optional()?
            .unwrap_or_default();
        let guid = crate::exchange::derived_guid(&format!(
            "merged-history:{created}:{}:{}",
            last.0, last.1
        ))
        .to_ascii_lowercase();
        if !crate::exchange::guid_taken(rec, "memos", &guid)? {
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
                    ("coder_id", Value::Integer(f.acting)),
                    (
                        "title",
                        Value::Text(format!("History of merged study {}", f.file)),
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
