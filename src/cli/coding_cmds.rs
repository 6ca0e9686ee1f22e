//! `thematic code`, `uncode`, `import-codings`, `excerpts` and `memo`.

use super::Context;
use super::args::{CodeArgs, MemoCommand, Output};
use super::output::{clip, json, rows};
use crate::codebook;
use crate::coding::{self, table::find_match};
use crate::error::Result;
use crate::memo::{self, Target};
use crate::study::documents;
use std::collections::HashMap;
use std::path::Path;

pub fn import(ctx: &mut Context, file: &Path, mark_done: bool) -> Result<()> {
    let bytes =
        std::fs::read(file).map_err(|e| crate::invalid!("{}: cannot read: {e}", file.display()))?;
    let coder = ctx.coder()?;
    let shown = file.display().to_string();
    let out = ctx.study.change(
        Some(coder.id),
        "codings.import",
        &format!("import codings {shown}"),
        |rec| {
            let out = coding::table::import_csv(rec, &shown, &bytes)?;
            if mark_done {
                for &(doc, coder) in &out.coded {
                    crate::agreement::done::set(rec, doc, coder, false)?;
                }
            }
            Ok(out)
        },
    )?;
    println!(
        "codings: {} added, {} already present; {} code(s) created; new coders: {}",
        out.added,
        out.already_present,
        out.codes_created,
        if out.coders_created.is_empty() {
            "none".to_string()
        } else {
            out.coders_created.join(", ")
        }
    );
    if mark_done {
        println!(
            "marked done: {} document × coder pair(s) in the file (no coding there now means the coder found nothing)",
            out.coded.len()
        );
    }
    Ok(())
}

/// Resolves --turn / --range / --match into [start, end).
fn target_range(
    ctx: &Context,
    doc: &documents::DocumentSummary,
    a: &CodeArgs,
) -> Result<(i64, i64)> {
    if let Some(n) = a.turn {
        let turns = documents::turns(ctx.study.conn(), doc.id)?;
        let t = n.checked_sub(1).and_then(|i| turns.get(i)).ok_or_else(|| {
            crate::invalid!(
                "{} has turns 1 to {}; there is no turn {n}",
                doc.name,
                turns.len()
            )
        })?;
        return Ok((t.start, t.end));
    }
    if let Some(r) = &a.range {
        let (s, e) = r
            .split_once(':')
            .and_then(|(s, e)| Some((s.trim().parse::<i64>().ok()?, e.trim().parse::<i64>().ok()?)))
            .ok_or_else(|| {
                crate::invalid!("--range takes START:END in characters, e.g. 120:245")
            })?;
        coding::check_range(&doc.name, doc.char_count, s, e)?;
        return Ok((s, e));
    }
    if let Some(m) = &a.matching {
        let text = documents::text(ctx.study.conn(), doc.id)?;
        let (found, count) = find_match(&text, m, a.occurrence.unwrap_or(1));
        if a.occurrence.is_none() && count > 1 {
            return Err(crate::invalid!(
                "the text occurs {count} times in {}; add --occurrence N to say which",
                doc.name
            ));
        }
        return found.ok_or_else(|| crate::not_found!("text not found in {}: {m:?}", doc.name));
    }
    Err(crate::invalid!(
        "say what to code: --turn N, --range START:END or --match TEXT"
    ))
}

pub fn code(ctx: &mut Context, a: &CodeArgs, remove: bool) -> Result<()> {
    let doc = documents::resolve(ctx.study.conn(), &a.document)?;
    let (start, end) = target_range(ctx, &doc, a)?;
    let code = codebook::resolve(&codebook::all(ctx.study.conn())?, &a.code)?;
    let coder = ctx.coder()?;
    let excerpt = documents::excerpt(ctx.study.conn(), doc.id, start, end)?;
    if remove {
        let n = ctx.study.change(
            Some(coder.id),
            "uncode",
            &format!("uncode {} in {} {start}:{end}", code.path, doc.name),
            |rec| coding::uncode(rec, doc.id, code.id, coder.id, start, end),
        )?;
        if n == 0 {
            return Err(crate::not_found!(
                "{} has no coding of {} overlapping {} {start}:{end}",
                coder.name,
                code.path,
                doc.name
            ));
        }
        println!(
            "removed {n} coding(s) of {} from {} {start}:{end}",
            code.path, doc.name
        );
    } else {
        let id = ctx.study.change(
            Some(coder.id),
            "code",
            &format!("code {} {start}:{end} as {}", doc.name, code.path),
            |rec| coding::add(rec, doc.id, code.id, coder.id, start, end),
        )?;
        println!(
            "coding #{id}: {} {start}:{end} as {} by {}: “{}”",
            doc.name,
            code.path,
            coder.name,
            crate::text::sanitize(&clip(&excerpt, 80), false)
        );
    }
    Ok(())
}

pub fn excerpts(ctx: &Context, code: &str, by: Option<&str>, format: Output) -> Result<()> {
    let conn = ctx.study.conn();
    let codes = codebook::all(conn)?;
    let root = codebook::resolve(&codes, code)?;
    let ids = codebook::subtree_ids(&codes, root.id);
    let coder = match by {
        Some(name) => Some(
            ctx.study
                .coder_by_name(name)?
                .ok_or_else(|| crate::not_found!("no coder named '{name}'"))?
                .id,
        ),
        None => None,
    };
    let paths: HashMap<i64, String> = codes.iter().map(|c| (c.id, c.path.clone())).collect();
    let found = coding::excerpts(conn, &ids, coder, &paths)?;
    if format == Output::Json {
        return json(&found);
    }
    let table: Vec<Vec<String>> = found
        .iter()
        .map(|e| {
            vec![
                e.document.clone(),
                e.speaker.clone().unwrap_or_default(),
                e.coder.clone(),
                e.code.clone(),
                format!("{}:{}", e.start, e.end),
                if format == Output::Csv {
                    e.text.clone()
                } else {
                    clip(&e.text, 70)
                },
            ]
        })
        .collect();
    rows(
        format,
        &["document", "speaker", "coder", "code", "range", "excerpt"],
        &table,
    )
}

pub fn memo(ctx: &mut Context, action: MemoCommand) -> Result<()> {
    match action {
        MemoCommand::Add {
            text,
            document,
            code,
            coding,
            title,
        } => {
            let conn = ctx.study.conn();
            let target = if let Some(d) = document {
                Target::Document(documents::resolve(conn, &d)?.id)
            } else if let Some(c) = code {
                Target::Code(codebook::resolve(&codebook::all(conn)?, &c)?.id)
            } else if let Some(id) = coding {
                let exists: bool = conn.query_row(
                    "SELECT count(*) > 0 FROM codings WHERE id = ?1",
                    [id],
                    |r| r.get(0),
                )?;
                if !exists {
                    return Err(crate::not_found!("no coding #{id}"));
                }
                Target::Coding(id)
            } else {
                Target::Project
            };
            let coder = ctx.coder()?;
            let id = ctx.study.change(
                Some(coder.id),
                "memo.add",
                &format!("memo on {}", target.kind()),
                |rec| memo::add(rec, target, coder.id, &title, &text),
            )?;
            println!("memo #{id} written on the {}", target.kind());
            Ok(())
        }
        MemoCommand::List { format } => {
            let memos = memo::list(ctx.study.conn(), None)?;
            if format == Output::Json {
                return json(&memos);
            }
            let table: Vec<Vec<String>> = memos
                .iter()
                .map(|m| {
                    vec![
                        m.id.to_string(),
                        format!(
                            "{}{}",
                            m.target.kind(),
                            m.target.id().map(|i| format!(" #{i}")).unwrap_or_default()
                        ),
                        m.coder.clone(),
                        clip(&m.body, 70),
                    ]
                })
                .collect();
            rows(format, &["#", "on", "by", "memo"], &table)
        }
    }
}
