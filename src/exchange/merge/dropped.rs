//! The deletion rule: a code deleted on one copy stays deleted on every copy, taking the
//! codings the other copies made on it along. Nothing goes silently: each coding dropped is
//! listed in the merge report and recorded with the merge (`merge_conflicts`, shown by
//! `thematic history`) with what it takes to code it again: document, range, coder, code.

use super::Conflict;
use super::fill::{Fill, our_id, query};
use super::lineage::{Step, original_uid};
use super::resolutions::{portable_row, restore_present};
use crate::error::Result;
use crate::study::history::Recorder;
use rusqlite::{Connection, OptionalExtension};

/// How a coding is named where it is listed as dropped: coder, code, document, range, text.
pub(super) fn describe_coding(conn: &Connection, id: i64) -> Result<Option<String>> {
    let row = conn
        .prepare_cached(
            "WITH RECURSIVE up(id, parent_id, path) AS (
                 SELECT c.id, c.parent_id, c.name FROM codes c JOIN codings k ON k.code_id = c.id WHERE k.id = ?1
                 UNION ALL
                 SELECT c.id, c.parent_id, c.name || '/' || up.path FROM codes c JOIN up ON c.id = up.parent_id)
             SELECT (SELECT path FROM up WHERE parent_id IS NULL), p.name, d.name, k.start, k.\"end\",
                    substr(d.text, k.start + 1, k.\"end\" - k.start)
               FROM codings k JOIN coders p ON p.id = k.coder_id JOIN documents d ON d.id = k.document_id
              WHERE k.id = ?1",
        )?
        .query_row([id], |r| {
            <(Option<String>, String, String, i64, i64, Option<String>)>::try_from(r)
        })
        .optional()?;
    Ok(row.map(|(code, coder, doc, start, end, text)| {
        let text = text.unwrap_or_default();
        let mut excerpt: String = text.chars().take(60).collect();
        if excerpt.len() < text.len() {
            excerpt.push('…');
        }
        format!(
            "coding by {coder} on code '{}' in {doc} at {start}-{end} (\"{excerpt}\")",
            code.unwrap_or_default()
        )
    }))
}

impl Fill<'_> {
    /// Lists and records one coding a merge drops (once per merge), and why.
    pub(super) fn dropped(&mut self, description: String, why: &str) {
        let line = format!("{description}: {why}");
        if self.report.codings_dropped.contains(&line) {
            return;
        }
        self.report.codings_dropped.push(line);
        self.conflicts.push(Conflict {
            what: description,
            kept: format!("nothing: the coding was dropped ({why})"),
            other: "coded it (code it again, or undo this merge, to restore it)".into(),
        });
    }
}

pub(super) const CODE_DELETED: &str = "its code was deleted on a copy, and the deletion wins";

/// Our codings on the code `code` (about to be deleted by their change), dropped and listed.
pub(super) fn drop_codings_on(rec: &mut Recorder, f: &mut Fill, code: i64) -> Result<()> {
    let ids = query(
        &rec.tx,
        "SELECT id, guid FROM codings WHERE code_id = ?1 ORDER BY id",
        [code],
        |r| <(i64, String)>::try_from(r),
    )?;
    for (id, guid) in ids {
        if let Some(d) = describe_coding(&rec.tx, id)? {
            f.dropped(d, CODE_DELETED);
        }
        crate::coding::delete_coding(rec, id)?;
        // Said to the copies merging this file: one that merged the code away before the
        // deletion reached it still holds the coding elsewhere.
        f.kept_absent
            .push(("codings".into(), guid.to_ascii_lowercase()));
    }
    Ok(())
}

/// Whether a merge known here (not undone) decided this row should not exist: it does not come
/// in again from a copy that has not heard of that decision yet.
pub(super) fn decided_absent(rec: &Recorder, table: &str, guid: &str) -> Result<bool> {
    Ok(rec
        .tx
        .prepare_cached(
            "SELECT count(*) > 0 FROM merge_resolutions r
               JOIN changes c ON c.id = r.change_id LEFT JOIN changes g ON g.id = c.merged_by
              WHERE r.table_name = ?1 AND lower(r.guid) = lower(?2)
                AND r.column_name IS NULL AND r.after IS NULL
                AND c.undone_by IS NULL AND (g.id IS NULL OR g.undone_by IS NULL)",
        )?
        .query_row([table, guid], |r| r.get(0))?)
}

/// Whether a later merge in their file kept the code `guid` against the deletion being
/// replayed (`--theirs` there brought it back with the codings made on it).
pub(super) fn their_decision_keeps(f: &Fill, guid: &str) -> Result<bool> {
    let Some(uid) = &f.replaying else {
        return Ok(false);
    };
    let kept: Vec<Option<String>> = query(
        f.other,
        "SELECT r.before FROM merge_resolutions r JOIN changes c ON c.id = r.change_id
          WHERE r.table_name = 'codes' AND lower(r.guid) = lower(?1) AND r.column_name IS NULL
            AND r.after IS NOT NULL AND c.undone_by IS NULL",
        [guid],
        |r| r.get(0),
    )?;
    Ok(kept.into_iter().flatten().any(|before| {
        serde_json::from_str::<Vec<String>>(&before).is_ok_and(|uids| uids.contains(uid))
    }))
}

/// `--theirs`: their coding on a code our history deleted takes their side, so the code comes
/// back (from their file), and the decision travels like any kept row. True when it is back.
pub(super) fn restore_deleted_code(
    rec: &mut Recorder,
    f: &mut Fill,
    guid: &str,
) -> std::result::Result<bool, Step> {
    let Some(image) = portable_row(f.other, "codes", guid)? else {
        return Ok(false);
    };
    let name = image
        .get("name")
        .and_then(|n| n.as_str())
        .unwrap_or_default()
        .to_string();
    let json = serde_json::Value::Object(image).to_string();
    restore_present(rec, f, "codes", guid, &json, true)?;
    if our_id(rec, "codes", guid)?.is_none() {
        return Ok(false);
    }
    let deleted_by: Option<String> = rec
        .tx
        .query_row(
            "SELECT c.uid FROM change_rows r JOIN changes c ON c.id = r.change_id
              WHERE r.table_name = 'codes' AND r.after IS NULL
                AND lower(json_extract(r.before, '$.guid')) = lower(?1)
              ORDER BY r.change_id DESC LIMIT 1",
            [guid],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    f.kept_present.push((
        "codes".into(),
        guid.to_ascii_lowercase(),
        original_uid(&deleted_by.unwrap_or_default()),
    ));
    f.conflict(
        format!("code '{name}', deleted here, which they coded with"),
        "the code is back, with their codings",
        "coded with it".into(),
    );
    Ok(true)
}
