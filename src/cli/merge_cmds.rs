//! `thematic merge` and `thematic revise`.

use super::Context;
use super::args::Output;
use super::output::json;
use crate::error::Result;
use crate::exchange::merge::{self as merging, MergeOptions};
use crate::text::sanitize;
use std::path::Path;

fn list(label: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    const SHOWN: usize = 12;
    let mut shown: Vec<String> = items.iter().take(SHOWN).cloned().collect();
    if items.len() > SHOWN {
        shown.push(format!("… and {} more", items.len() - SHOWN));
    }
    println!(
        "  {label} ({}): {}",
        items.len(),
        sanitize(&shown.join(", "), false)
    );
}

pub fn merge(ctx: &mut Context, other: &Path, opts: MergeOptions, format: Output) -> Result<()> {
    merging::check_other(ctx.study.path(), other)?;
    let coder = ctx.coder()?;
    let report = merging::merge(&mut ctx.study, other, coder.id, opts)?;
    if format == Output::Json {
        return json(&report);
    }
    let shown = sanitize(&other.display().to_string(), false);
    match &report.backup {
        Some(b) => println!(
            "backup of the study before the merge: {} (the newest {} backups are kept; THEMATIC_KEEP_BACKUPS changes that)",
            sanitize(b, false),
            crate::exchange::backups::keep_count()
        ),
        None => println!("no backup taken: the merge changed nothing in this study"),
    }
    let r = &report;
    if r.nothing_new {
        println!("merged {shown}: nothing new (everything in it is already in this study)");
        for c in &r.conflicts {
            println!("  conflict: {}", sanitize(c, false));
        }
        return Ok(());
    }
    println!("merged {shown}");
    for n in &r.notes {
        println!("  note: {}", sanitize(n, false));
    }
    if r.shared_history {
        println!(
            "  history: shared with this study; {} of their change(s) replayed, {} not applied (conflicts)",
            r.changes_replayed.len(),
            r.changes_not_applied.len()
        );
        list("replayed", &r.changes_replayed);
    }
    println!(
        "  documents: {} added, {} matched",
        r.documents_added.len(),
        r.documents_matched.len()
    );
    list("added", &r.documents_added);
    for d in &r.possible_revisions {
        println!("  revision: {}", sanitize(d, false));
    }
    println!(
        "  codes: {} matched by GUID, {} matched by path, {} created, {} filled in",
        r.codes_matched_by_guid,
        r.codes_matched_by_path.len(),
        r.codes_created.len(),
        r.codes_filled.len()
    );
    list("matched by path", &r.codes_matched_by_path);
    list("created", &r.codes_created);
    println!(
        "  coders: {} created, {} matched",
        r.coders_created.len(),
        r.coders_matched.len()
    );
    list("coders created", &r.coders_created);
    println!(
        "  codings: {} added, {} already present; memos: {} added, {} already present",
        r.codings_added, r.codings_already_present, r.memos_added, r.memos_already_present
    );
    // Every one, not a sample: each is work a coder did, gone from this study.
    for d in &r.codings_dropped {
        println!("  coding dropped: {}", sanitize(d, false));
    }
    if r.deleted_here_kept_deleted > 0 {
        println!(
            "  {} of their item(s) were deleted in this study since the copy and stay deleted",
            r.deleted_here_kept_deleted
        );
    }
    println!(
        "  participants: {} added; {} attribute value(s) set",
        r.participants_added.len(),
        r.attribute_values_set
    );
    list("participants added", &r.participants_added);
    if r.reviews_added + r.codebook_versions_added > 0 {
        println!(
            "  consensus decisions: {} added; codebook versions: {} added",
            r.reviews_added, r.codebook_versions_added
        );
    }
    for c in &r.conflicts {
        println!("  conflict: {}", sanitize(c, false));
    }
    if !r.conflicts.is_empty() {
        println!(
            "  ({} conflict(s); `thematic history` lists them with this merge; to take their side, `thematic undo` and merge again with --theirs)",
            r.conflicts.len()
        );
    }
    println!("(undo the whole merge with `thematic undo`)");
    Ok(())
}

pub fn revise(ctx: &mut Context, document: &str, file: &Path) -> Result<()> {
    let coder = ctx.coder()?;
    let (name, r) = crate::exchange::revise::revise(&mut ctx.study, coder.id, document, file)?;
    let name = sanitize(&name, false);
    if r.changed_chars == 0 {
        println!("{name}: the text is unchanged; nothing to do");
        return Ok(());
    }
    println!(
        "revised {name}: {} character(s) changed; {} coding(s) moved with the text",
        r.changed_chars, r.codings_moved
    );
    if r.touched.is_empty() {
        println!("  no coding touches changed text");
    } else {
        println!(
            "  {} coding(s) touch changed text; review them:",
            r.touched.len()
        );
        for t in &r.touched {
            println!("    {}", sanitize(t, false));
        }
    }
    for t in &r.removed {
        println!("  removed (its text was deleted): {}", sanitize(t, false));
    }
    println!("(undo the revision with `thematic undo`)");
    Ok(())
}
