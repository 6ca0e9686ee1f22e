//! Notes → memos: on documents and codings (through their note references), on codes (our
//! own "Code memo: PATH" notes), and on the project (everything else, so nothing is lost).

use super::{Ctx, Pending, key};
use crate::error::Result;
use crate::exchange::refi::{RefiNote, RefiProject};
use crate::exchange::to_refi::CODE_MEMO_PREFIX;
use crate::study::history::Recorder;
use crate::study::new_guid;
use rusqlite::types::Value;
use std::collections::HashMap;

/// Inserts a memo with the note's GUID; false when a memo with that GUID is already there.
#[allow(clippy::too_many_arguments)]
pub(super) fn add_memo(
    rec: &mut Recorder,
    guid: &str,
    kind: &str,
    target: Option<i64>,
    coder: i64,
    title: &str,
    body: &str,
    created: Option<&str>,
) -> Result<bool> {
    let g = guid.trim().trim_matches(['{', '}']).to_ascii_lowercase();
    let guid = if uuid::Uuid::parse_str(&g).is_ok() {
        if crate::exchange::guid_taken(rec, "memos", &g)? {
            return Ok(false);
        }
        g
    } else {
        new_guid()
    };
    let now = rec.now.clone();
    let created = created.map(str::to_string).unwrap_or_else(|| now.clone());
    rec.insert(
        "memos",
        &[
            ("guid", Value::Text(guid)),
            ("target_kind", Value::Text(kind.into())),
            (
                "target_id",
                target.map(Value::Integer).unwrap_or(Value::Null),
            ),
            ("coder_id", Value::Integer(coder)),
            ("title", Value::Text(title.into())),
            ("body", Value::Text(body.into())),
            ("created_at", Value::Text(created)),
            ("updated_at", Value::Text(now)),
        ],
    )?;
    Ok(true)
}

/// Counts a memo as added or already present.
pub(super) fn count(ctx: &mut Ctx, added: bool) {
    if added {
        ctx.report.memos_added += 1;
    } else {
        ctx.report.memos_already_present += 1;
    }
}

/// A selection's `index`-th memo on each of `targets`: the first keeps the memo's GUID, the
/// others get GUIDs derived from it (stable across imports).
#[allow(clippy::too_many_arguments)]
pub(super) fn add_on_each(
    rec: &mut Recorder,
    ctx: &mut Ctx,
    guid: &str,
    index: usize,
    targets: &[(&'static str, i64)],
    coder: i64,
    title: &str,
    body: &str,
    created: Option<&str>,
) -> Result<()> {
    for (j, (kind, target)) in targets.iter().enumerate() {
        let g = if j == 0 {
            guid.to_string()
        } else {
            crate::exchange::derived_guid(&format!("{guid}:{index}:{j}"))
        };
        let added = add_memo(rec, &g, kind, Some(*target), coder, title, body, created)?;
        count(ctx, added);
    }
    Ok(())
}

/// The note references that waited for the notes: memos on documents and selections.
pub(super) fn resolve_pending(rec: &mut Recorder, ctx: &mut Ctx) -> Result<()> {
    let pending = std::mem::take(&mut ctx.pending);
    for p in pending {
        let note_key = match &p {
            Pending::Document { note, .. } | Pending::Selection { note, .. } => note.clone(),
        };
        let Some(n) = ctx.notes.get(&note_key).cloned() else {
            continue;
        };
        ctx.referenced.insert(note_key);
        let coder = ctx.coder(n.creating_user.as_ref());
        match p {
            Pending::Document { doc, .. } => {
                let added = add_memo(
                    rec,
                    &n.guid,
                    "document",
                    Some(doc),
                    coder,
                    &n.name,
                    &n.text,
                    n.created.as_deref(),
                )?;
                count(ctx, added);
            }
            Pending::Selection { index, targets, .. } => add_on_each(
                rec,
                ctx,
                &n.guid,
                index,
                &targets,
                coder,
                &n.name,
                &n.text,
                n.created.as_deref(),
            )?,
        }
    }
    Ok(())
}

/// The code a "Code memo: PATH[ — TITLE]" note is about, and the title: the longest prefix of
/// `rest` that is a code path, tried at each " — " (one lookup per separator, not per code).
fn code_memo_target(paths: &HashMap<String, i64>, rest: &str) -> Option<(i64, String)> {
    if let Some(&id) = paths.get(rest) {
        return Some((id, String::new()));
    }
    let mut best = None;
    for (at, _) in rest.match_indices(" — ") {
        if let Some(&id) = paths.get(&rest[..at]) {
            best = Some((id, rest[at + " — ".len()..].to_string()));
        }
    }
    best
}

/// Project notes, code memos, notes nothing refers to (kept as project memos), and the
/// project's description.
pub(super) fn import_project_notes(
    rec: &mut Recorder,
    ctx: &mut Ctx,
    project: &RefiProject,
) -> Result<()> {
    let paths: HashMap<String, i64> = crate::codebook::all(&rec.tx)?
        .into_iter()
        .map(|c| (c.path, c.id))
        .collect();
    let mut project_notes: Vec<RefiNote> = Vec::new();
    for r in &project.project_note_refs {
        let k = key(r);
        if let Some(n) = ctx.notes.get(&k).cloned() {
            ctx.referenced.insert(k);
            project_notes.push(n);
        }
    }
    let unreferenced: Vec<RefiNote> = project
        .notes
        .iter()
        .filter(|n| !ctx.referenced.contains(&key(&n.guid)))
        .cloned()
        .collect();
    if !unreferenced.is_empty() {
        ctx.report.notes.push(format!(
            "{} note(s) attached to nothing Thematic imports were kept as project memos",
            unreferenced.len()
        ));
    }
    for n in project_notes.into_iter().chain(unreferenced) {
        let coder = ctx.coder(n.creating_user.as_ref());
        let hit = n
            .name
            .strip_prefix(CODE_MEMO_PREFIX)
            .and_then(|rest| code_memo_target(&paths, rest));
        let (kind, target, title) = match hit {
            Some((id, title)) => ("code", Some(id), title),
            None => ("project", None, n.name.clone()),
        };
        let added = add_memo(
            rec,
            &n.guid,
            kind,
            target,
            coder,
            &title,
            &n.text,
            n.created.as_deref(),
        )?;
        count(ctx, added);
    }
    if let Some(d) = project
        .description
        .as_ref()
        .filter(|d| !d.trim().is_empty())
    {
        let guid = crate::exchange::derived_guid(&format!("project-description:{}:{d}", ctx.file));
        if add_memo(
            rec,
            &guid,
            "project",
            None,
            ctx.fallback_coder,
            "Project description",
            d,
            None,
        )? {
            ctx.report.memos_added += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_memo_titles_split_at_the_longest_code_path() {
        let paths: HashMap<String, i64> = [("A".to_string(), 1), ("A — B".to_string(), 2)]
            .into_iter()
            .collect();
        assert_eq!(code_memo_target(&paths, "A"), Some((1, String::new())));
        assert_eq!(
            code_memo_target(&paths, "A — B — note"),
            Some((2, "note".into()))
        );
        assert_eq!(code_memo_target(&paths, "A — x"), Some((1, "x".into())));
        assert_eq!(code_memo_target(&paths, "Z — x"), None);
    }
}
