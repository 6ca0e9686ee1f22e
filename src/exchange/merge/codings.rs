//! Codings, under their coder; exact duplicates (same coder, code, document and range) and
//! codings our history deleted are skipped. A coding on a code we merged into another goes to
//! the merge target; one on a code we deleted is a conflict (ours kept: not added).

use super::fill::{Fill, keep_guid, query};
use crate::error::Result;
use crate::study::history::Recorder;
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};

type TheirCoding = (i64, String, i64, i64, i64, i64, i64, String);

pub fn merge_codings(f: &mut Fill, rec: &mut Recorder) -> Result<()> {
    let rows: Vec<TheirCoding> = query(
        f.other,
        "SELECT id, guid, document_id, code_id, coder_id, start, \"end\", created_at FROM codings ORDER BY id",
        [],
        |r| TheirCoding::try_from(r),
    )?;
    for (id, guid, doc, code, coder, start, end, created) in rows {
        if let Some(ours) = super::fill::our_id(rec, "codings", &guid)? {
            f.report.codings_already_present += 1;
            f.coding_map.insert(id, ours);
            continue;
        }
        if f.was_deleted_here("codings", &guid)
            || (f.lineage && super::dropped::decided_absent(rec, "codings", &guid)?)
        {
            f.report.deleted_here_kept_deleted += 1;
            continue;
        }
        let Some(&k) = f.coder_map.get(&coder) else {
            return Err(crate::invalid!(
                "{} (the file being merged in, not this study): coding {guid} refers to a coder it does not have; nothing merged, this study is unchanged",
                f.file
            ));
        };
        let Some(&d) = f.doc_map.get(&doc) else {
            // A document our history deleted: its codings stay out with it.
            if f.lineage {
                f.report.deleted_here_kept_deleted += 1;
                continue;
            }
            return Err(crate::invalid!(
                "{} (the file being merged in, not this study): coding {guid} refers to a document it does not have; nothing merged, this study is unchanged",
                f.file
            ));
        };
        let Some(&c) = f.code_map.get(&code) else {
            let described = super::dropped::describe_coding(f.other, id)?
                .unwrap_or_else(|| format!("their coding {guid}"));
            f.dropped(described, super::dropped::CODE_DELETED);
            f.kept_absent
                .push(("codings".into(), guid.to_ascii_lowercase()));
            continue;
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
                f.report.codings_already_present += 1;
                e
            }
            None => {
                let guid = keep_guid(rec, "codings", &guid)?;
                f.report.codings_added += 1;
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
        f.coding_map.insert(id, mapped);
    }
    Ok(())
}
