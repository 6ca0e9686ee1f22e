//! Selections → codings (one per code applied), and the memos on a selection.
//!
//! A coding already in the study (same coder, code, document and range) is not added twice;
//! that lookup is served by the `codings_analysis` index, so importing N codings costs N
//! indexed look-ups.

use super::{Ctx, keep_guid, key};
use crate::error::Result;
use crate::exchange::refi::RefiSelection;
use crate::study::history::Recorder;
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};

pub(super) fn import_selection(
    rec: &mut Recorder,
    ctx: &mut Ctx,
    doc_name: &str,
    doc_id: i64,
    char_count: usize,
    sel: &RefiSelection,
) -> Result<()> {
    ctx.report.selections += 1;
    if sel.start >= sel.end || sel.end > char_count {
        ctx.report.codings_skipped += sel.codings.len();
        ctx.report.notes.push(format!(
            "{doc_name}: selection {}..{} is empty or out of range; skipped",
            sel.start, sel.end
        ));
        return Ok(());
    }
    let mut coding_ids = Vec::new();
    for c in &sel.codings {
        let Some(&code) = ctx.code_map.get(&key(&c.code_guid)) else {
            ctx.report.codings_skipped += 1;
            ctx.unknown_code_codings += 1;
            ctx.unknown_code_example
                .get_or_insert_with(|| format!("{} in {doc_name}", c.code_guid));
            continue;
        };
        let coder = ctx.coder(c.creating_user.as_ref().or(sel.creating_user.as_ref()));
        let existing: Option<i64> = rec
            .tx
            .prepare_cached(
                "SELECT id FROM codings WHERE document_id = ?3 AND code_id = ?2 AND coder_id = ?1 AND start = ?4 AND \"end\" = ?5",
            )?
            .query_row(
                params![coder, code, doc_id, sel.start as i64, sel.end as i64],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(id) = existing {
            ctx.report.codings_already_present += 1;
            coding_ids.push(id);
            continue;
        }
        let wanted = if sel.codings.len() == 1 {
            &sel.guid
        } else {
            &c.guid
        };
        let guid = keep_guid(rec, "codings", wanted)?;
        let created = c
            .created
            .clone()
            .or_else(|| sel.created.clone())
            .unwrap_or_else(|| rec.now.clone());
        let id = rec.insert(
            "codings",
            &[
                ("guid", Value::Text(guid)),
                ("document_id", Value::Integer(doc_id)),
                ("code_id", Value::Integer(code)),
                ("coder_id", Value::Integer(coder)),
                ("start", Value::Integer(sel.start as i64)),
                ("end", Value::Integer(sel.end as i64)),
                ("created_at", Value::Text(created)),
            ],
        )?;
        ctx.report.codings_added += 1;
        coding_ids.push(id);
    }
    // Memos on the selection: on its codings, or on the document when it has none. Notes
    // come after the sources in the file: those wait in `pending`; a description is here.
    let targets: Vec<(&'static str, i64)> = if coding_ids.is_empty() {
        vec![("document", doc_id)]
    } else {
        coding_ids.iter().map(|&id| ("coding", id)).collect()
    };
    let mut index = 0;
    for r in &sel.note_refs {
        ctx.pending.push(super::Pending::Selection {
            note: key(r),
            index,
            targets: targets.clone(),
        });
        index += 1;
    }
    if let Some(d) = sel.description.as_ref().filter(|d| !d.trim().is_empty()) {
        let guid = crate::exchange::derived_guid(&format!("selection-description:{}", sel.guid));
        let coder = ctx.coder(sel.creating_user.as_ref());
        super::memos::add_on_each(
            rec,
            ctx,
            &guid,
            index,
            &targets,
            coder,
            "",
            d,
            sel.created.as_deref(),
        )?;
    }
    Ok(())
}
