//! Commands on the study as a whole: init, demo, import, documents, participants, history.

use super::Context;
use super::args::Output;
use super::output::{clip, json, rows};
use crate::error::Result;
use crate::import::Format;
use crate::study::documents::{self, format_timestamp};
use crate::study::{Study, participants};
use crate::text::slice_chars;
use serde::Serialize;
use std::path::{Path, PathBuf};

pub fn init(path: &Path) -> Result<()> {
    Study::create(path)?;
    println!("Created {}", path.display());
    Ok(())
}

pub fn demo(project: Option<PathBuf>, reset: bool) -> Result<()> {
    let path = project.unwrap_or_else(crate::config::demo_study_path);
    if reset && path.exists() {
        for suffix in ["", "-wal", "-shm"] {
            let p = PathBuf::from(format!("{}{suffix}", path.display()));
            if p.exists() {
                std::fs::remove_file(p)?;
            }
        }
    }
    let (path, built) = crate::demo::ensure(Some(path))?;
    println!("{}", path.display());
    if built {
        eprintln!("Built the demo study from the sample transcripts.");
    }
    Ok(())
}

pub fn import(ctx: &mut Context, paths: &[PathBuf], format: Option<&str>) -> Result<()> {
    if super::exchange_cmds::is_refi_import(paths)? {
        return super::exchange_cmds::import_refi(ctx, paths);
    }
    let forced = match format {
        Some(f) => Some(Format::from_name(f).ok_or_else(|| {
            crate::invalid!(
                "unknown format '{f}'; use one of: {}",
                Format::all()
                    .iter()
                    .map(|f| f.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?),
        None => None,
    };
    let coder = ctx.coder()?;
    let report = crate::import::study::import_paths(&mut ctx.study, coder.id, paths, forced)?;
    for doc in &report.imported {
        println!(
            "imported {} ({}, {}): {} turns, {} speakers, {} characters",
            doc.name,
            doc.file,
            doc.format,
            doc.turns,
            doc.speakers.len(),
            doc.characters
        );
        for note in &doc.notes {
            println!("  note: {note}");
        }
    }
    for (file, why) in &report.skipped {
        println!("skipped {file}: {why}");
    }
    if report.imported.is_empty() && report.skipped.is_empty() {
        println!("no transcript files found");
    }
    Ok(())
}

pub fn import_attributes(ctx: &mut Context, file: &Path) -> Result<()> {
    let bytes =
        std::fs::read(file).map_err(|e| crate::invalid!("{}: cannot read: {e}", file.display()))?;
    let coder = ctx.coder()?;
    let shown = file.display().to_string();
    let summary = format!("import attributes from {shown}");
    let out = ctx
        .study
        .change(Some(coder.id), "attributes", &summary, |rec| {
            crate::import::attributes::import_csv(rec, &shown, &bytes)
        })?;
    println!(
        "set {} attribute(s) ({}) on {} {} row(s); {} speaker label(s) linked to participants",
        out.attributes.len(),
        out.attributes.join(", "),
        out.rows,
        out.scope,
        out.speakers_mapped
    );
    Ok(())
}

pub fn docs(ctx: &Context, format: Output) -> Result<()> {
    let docs = documents::list(ctx.study.conn())?;
    if format == Output::Json {
        return json(&docs);
    }
    let attr_names: Vec<String> =
        participants::attribute_names(ctx.study.conn(), participants::Scope::Document)?
            .into_iter()
            .map(|(n, _)| n)
            .collect();
    let mut headers = vec!["name", "format", "turns", "characters"];
    headers.extend(attr_names.iter().map(String::as_str));
    let table: Vec<Vec<String>> = docs
        .iter()
        .map(|d| {
            let mut row = vec![
                d.name.clone(),
                d.format.clone(),
                d.turn_count.to_string(),
                d.char_count.to_string(),
            ];
            row.extend(
                attr_names
                    .iter()
                    .map(|a| d.attributes.get(a).cloned().unwrap_or_default()),
            );
            row
        })
        .collect();
    rows(format, &headers, &table)
}

#[derive(Serialize)]
struct ShownTurn {
    index: i64,
    speaker: Option<String>,
    participant: Option<String>,
    start: i64,
    end: i64,
    start_ms: Option<i64>,
    end_ms: Option<i64>,
    text: String,
}

#[derive(Serialize)]
struct ShownCoding {
    id: i64,
    code: String,
    coder: String,
    start: i64,
    end: i64,
    text: String,
}

#[derive(Serialize)]
struct ShownDocument {
    #[serde(flatten)]
    summary: documents::DocumentSummary,
    speakers: Vec<participants::Speaker>,
    turns: Vec<ShownTurn>,
    codings: Vec<ShownCoding>,
}

pub fn show(ctx: &Context, name: &str, format: Output) -> Result<()> {
    let conn = ctx.study.conn();
    let doc = documents::resolve(conn, name)?;
    let text = documents::text(conn, doc.id)?;
    let speakers = participants::speakers(conn, doc.id)?;
    let codes = crate::codebook::all(conn)?;
    let coders = ctx.study.coders()?;
    let turns: Vec<ShownTurn> = documents::turns(conn, doc.id)?
        .into_iter()
        .map(|t| ShownTurn {
            index: t.index + 1,
            participant: speakers
                .iter()
                .find(|s| Some(&s.label) == t.speaker.as_ref())
                .and_then(|s| s.participant.clone()),
            speaker: t.speaker,
            start: t.start,
            end: t.end,
            start_ms: t.start_ms,
            end_ms: t.end_ms,
            text: slice_chars(&text, t.start as usize, t.end as usize).to_string(),
        })
        .collect();
    let codings: Vec<ShownCoding> = crate::coding::for_document(conn, doc.id)?
        .into_iter()
        .map(|c| ShownCoding {
            id: c.id,
            code: codes
                .iter()
                .find(|k| k.id == c.code_id)
                .map(|k| k.path.clone())
                .unwrap_or_default(),
            coder: coders
                .iter()
                .find(|k| k.id == c.coder_id)
                .map(|k| k.name.clone())
                .unwrap_or_default(),
            start: c.start,
            end: c.end,
            text: slice_chars(&text, c.start as usize, c.end as usize).to_string(),
        })
        .collect();
    if format == Output::Json {
        return json(&ShownDocument {
            summary: doc,
            speakers,
            turns,
            codings,
        });
    }
    let attrs: Vec<String> = doc
        .attributes
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    println!(
        "{} — {} turns, {} characters {}",
        doc.name,
        doc.turn_count,
        doc.char_count,
        attrs.join(" ")
    );
    for t in &turns {
        let ts = t
            .start_ms
            .map(|ms| format!("[{}] ", format_timestamp(ms)))
            .unwrap_or_default();
        let who = t.speaker.clone().unwrap_or_else(|| "(unlabelled)".into());
        let codes_here: Vec<String> = codings
            .iter()
            .filter(|c| c.start < t.end && c.end > t.start)
            .map(|c| format!("{} ({})", c.code, c.coder))
            .collect();
        println!(
            "{:>4} {ts}{who} [{}:{}]: {}",
            t.index,
            t.start,
            t.end,
            crate::text::sanitize(&t.text, false)
        );
        if !codes_here.is_empty() {
            println!(
                "     ↳ {}",
                crate::text::sanitize(&codes_here.join("; "), false)
            );
        }
    }
    Ok(())
}

pub fn participants(ctx: &Context, format: Output) -> Result<()> {
    let people = participants::list(ctx.study.conn())?;
    if format == Output::Json {
        return json(&people);
    }
    let attr_names: Vec<String> =
        participants::attribute_names(ctx.study.conn(), participants::Scope::Participant)?
            .into_iter()
            .map(|(n, _)| n)
            .collect();
    let mut headers = vec!["participant", "role", "speaks as"];
    headers.extend(attr_names.iter().map(String::as_str));
    let table: Vec<Vec<String>> = people
        .iter()
        .map(|p| {
            let mut row = vec![
                p.pid.clone(),
                p.role.clone(),
                p.appearances
                    .iter()
                    .map(|(d, l)| format!("{l} ({d})"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ];
            row.extend(
                attr_names
                    .iter()
                    .map(|a| p.attributes.get(a).cloned().unwrap_or_default()),
            );
            row
        })
        .collect();
    rows(format, &headers, &table)
}

pub fn undo(ctx: &mut Context, redo: bool) -> Result<()> {
    let coder = ctx.coder()?;
    let summary = if redo {
        ctx.study.redo(&coder)?
    } else {
        ctx.study.undo(&coder)?
    };
    println!("{}: {summary}", if redo { "redone" } else { "undone" });
    Ok(())
}

#[derive(Serialize)]
struct HistoryEntry {
    id: i64,
    at: String,
    coder: Option<String>,
    kind: String,
    summary: String,
    undone: bool,
    rows: i64,
    /// Conflicts a merge met (ours kept unless it ran with --theirs).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    conflicts: Vec<String>,
}

pub fn history(ctx: &Context, limit: usize, format: Output) -> Result<()> {
    let mut stmt = ctx.study.conn().prepare(
        "SELECT c.id, c.at, k.name, c.kind,
                ifnull('[came with merge #' || c.merged_by || '] ', '') || c.summary,
                c.undone_by IS NOT NULL,
                (SELECT count(*) FROM change_rows r WHERE r.change_id = c.id)
           FROM changes c LEFT JOIN coders k ON k.id = c.coder_id ORDER BY c.id DESC LIMIT ?1",
    )?;
    let entries: Vec<HistoryEntry> = stmt
        .query_map([limit as i64], |r| {
            Ok(HistoryEntry {
                id: r.get(0)?,
                at: r.get(1)?,
                coder: r.get(2)?,
                kind: r.get(3)?,
                summary: r.get(4)?,
                undone: r.get(5)?,
                rows: r.get(6)?,
                conflicts: Vec::new(),
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut entries = entries;
    for e in entries.iter_mut().filter(|e| e.kind == "merge") {
        e.conflicts = crate::exchange::merge::conflicts_of(ctx.study.conn(), e.id)?;
    }
    if format == Output::Json {
        return json(&entries);
    }
    let table: Vec<Vec<String>> = entries
        .iter()
        .flat_map(|e| {
            let mut lines = vec![vec![
                e.id.to_string(),
                e.at.clone(),
                e.coder.clone().unwrap_or_else(|| "(setup)".into()),
                clip(&e.summary, 70),
                if e.undone {
                    "undone".into()
                } else {
                    String::new()
                },
            ]];
            for c in &e.conflicts {
                lines.push(vec![
                    String::new(),
                    String::new(),
                    String::new(),
                    format!("conflict: {}", clip(c, 240)),
                    String::new(),
                ]);
            }
            lines
        })
        .collect();
    rows(format, &["#", "when", "coder", "what", ""], &table)
}

pub fn summary(ctx: &Context) -> Result<()> {
    let conn = ctx.study.conn();
    let docs = documents::list(conn)?;
    let codes = crate::codebook::all(conn)?;
    let people = participants::list(conn)?;
    let codings: i64 = conn.query_row("SELECT count(*) FROM codings", [], |r| r.get(0))?;
    println!(
        "Study {} ({})",
        ctx.study.name()?,
        ctx.study.path().display()
    );
    println!(
        "{} documents, {} participants, {} codes, {} codings by {} coder(s)",
        docs.len(),
        people.iter().filter(|p| p.role != "moderator").count(),
        codes.len(),
        codings,
        ctx.study.coders()?.len()
    );
    for d in &docs {
        let attrs: Vec<String> = d
            .attributes
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        println!(
            "  {:<8} {:>4} turns  {}",
            d.name,
            d.turn_count,
            attrs.join(", ")
        );
    }
    Ok(())
}
