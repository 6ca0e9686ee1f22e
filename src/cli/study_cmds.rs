//! Commands on the study as a whole: init, demo, import, documents, participants, history.

use super::Context;
use super::args::Output;
use super::output::{clip, json, rows};
use crate::error::Result;
use crate::import::{Format, ImportOptions, SpeakerRule};
use crate::study::documents::{self, format_timestamp};
use crate::study::{Study, participants};
use crate::text::sanitize;
use serde::Serialize;
use std::collections::HashMap;
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

/// How `thematic import` takes speaker labels, and whether it writes.
#[derive(Debug, Default)]
pub struct ImportLabels {
    pub speakers: Option<String>,
    pub label_pattern: Option<String>,
    pub dry_run: bool,
}

/// Speakers listed per document before "… and N more".
const SPEAKERS_SHOWN: usize = 20;
/// Turns shown by `--dry-run`.
const DRY_RUN_TURNS: usize = 8;

pub fn import(
    ctx: &mut Context,
    paths: &[PathBuf],
    format: Option<&str>,
    labels: &ImportLabels,
) -> Result<()> {
    let transcript_only =
        labels.dry_run || labels.speakers.is_some() || labels.label_pattern.is_some();
    if super::exchange_cmds::is_refi_import(paths)? {
        if transcript_only {
            return Err(crate::invalid!(
                "--dry-run, --speakers and --label-pattern apply to transcripts, not to REFI-QDA files"
            ));
        }
        return super::exchange_cmds::import_refi(ctx, paths);
    }
    let forced = match format {
        Some(f) => Some(Format::from_name(f).ok_or_else(|| {
            crate::invalid!(
                "unknown format '{}'; use one of: {}",
                sanitize(f, false),
                Format::all()
                    .iter()
                    .map(|f| f.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?),
        None => None,
    };
    let speakers = match (&labels.speakers, &labels.label_pattern) {
        (Some(list), _) => SpeakerRule::names(list).map_err(|e| crate::invalid!("{e}"))?,
        (None, Some(re)) => SpeakerRule::pattern(re).map_err(|e| crate::invalid!("{e}"))?,
        (None, None) => SpeakerRule::Auto,
    };
    let options = ImportOptions {
        format: forced,
        speakers,
    };
    if labels.dry_run {
        return import_dry_run(paths, &options);
    }
    let coder = ctx.coder()?;
    let report =
        crate::import::study::import_paths_with(&mut ctx.study, coder.id, paths, &options)?;
    for doc in &report.imported {
        println!(
            "imported {} ({}, {}): {} turns, {} speakers, {} characters",
            sanitize(&doc.name, false),
            sanitize(&doc.file, false),
            doc.format,
            doc.turns,
            doc.speakers.len(),
            doc.characters
        );
        print_speakers(&doc.speakers, &doc.speaker_turns, doc.unlabelled_turns);
        for note in &doc.notes {
            println!("  note: {}", sanitize(note, false));
        }
    }
    for (file, why) in &report.skipped {
        println!(
            "skipped {}: {}",
            sanitize(file, false),
            sanitize(why, false)
        );
    }
    if report.imported.is_empty() && report.skipped.is_empty() {
        println!("no transcript files found");
    }
    Ok(())
}

/// `  speakers: Ann 12 turns, Bob 7, …; 2 unlabelled turns`.
fn print_speakers(speakers: &[String], turns: &[usize], unlabelled: usize) {
    let mut parts: Vec<String> = speakers
        .iter()
        .zip(turns)
        .take(SPEAKERS_SHOWN)
        .enumerate()
        .map(|(i, (s, n))| {
            let s = sanitize(s, false);
            match (i, n) {
                (0, 1) => format!("{s} 1 turn"),
                (0, n) => format!("{s} {n} turns"),
                (_, n) => format!("{s} {n}"),
            }
        })
        .collect();
    if speakers.len() > SPEAKERS_SHOWN {
        parts.push(format!("… and {} more", speakers.len() - SPEAKERS_SHOWN));
    }
    let mut line = if parts.is_empty() {
        "  speakers: none found".to_string()
    } else {
        format!("  speakers: {}", parts.join(", "))
    };
    if unlabelled > 0 {
        line.push_str(&format!("; {unlabelled} unlabelled turn(s)"));
    }
    println!("{line}");
}

fn import_dry_run(paths: &[PathBuf], options: &ImportOptions) -> Result<()> {
    let mut report = crate::import::study::ImportReport::default();
    let parsed = crate::import::study::parse_paths(paths, options, &mut report)?;
    for (name, file, t) in &parsed {
        let (speakers, counts, unlabelled) = crate::import::study::speaker_counts(t);
        println!(
            "would import {} ({}, {}): {} turns, {} speakers, {} characters",
            sanitize(name, false),
            sanitize(file, false),
            t.format.name(),
            t.turns.len(),
            speakers.len(),
            t.text.chars().count()
        );
        print_speakers(&speakers, &counts, unlabelled);
        for note in &t.notes {
            println!("  note: {}", sanitize(note, false));
        }
        println!("  first turns:");
        for (i, turn) in t.turns.iter().take(DRY_RUN_TURNS).enumerate() {
            let ts = turn
                .start_ms
                .map(|ms| format!("[{}] ", format_timestamp(ms)))
                .unwrap_or_default();
            let who = turn.speaker.as_deref().unwrap_or("(unlabelled)");
            let text = t.turn_text(i).unwrap_or_default();
            println!(
                "  {:>4} {ts}{}: {}",
                i + 1,
                sanitize(who, false),
                sanitize(&clip(&text, 100), false)
            );
        }
    }
    for (file, why) in &report.skipped {
        println!(
            "skipped {}: {}",
            sanitize(file, false),
            sanitize(why, false)
        );
    }
    if parsed.is_empty() {
        println!("no transcript files found");
    } else {
        println!("dry run: nothing was written to the study");
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
    // Who marked each document done (agreement compares coders over their done documents).
    let done = crate::agreement::done::by_document(ctx.study.conn())?;
    if format == Output::Json {
        let with_done: Vec<serde_json::Value> = docs
            .iter()
            .map(|d| {
                let mut v = serde_json::to_value(d).unwrap_or_default();
                v["done_by"] = serde_json::json!(done.get(&d.id).cloned().unwrap_or_default());
                v
            })
            .collect();
        return json(&with_done);
    }
    let attr_names: Vec<String> =
        participants::attribute_names(ctx.study.conn(), participants::Scope::Document)?
            .into_iter()
            .map(|(n, _)| n)
            .collect();
    let mut headers = vec!["name", "format", "turns", "characters"];
    headers.extend(attr_names.iter().map(String::as_str));
    headers.push("done by");
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
            row.push(done.get(&d.id).map(|v| v.join(", ")).unwrap_or_default());
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
    // One pass over the text and hash lookups, so a document of N turns costs O(N), not N².
    let offsets = crate::char_offsets::CharOffsets::new(&text);
    let speakers = participants::speakers(conn, doc.id)?;
    let participant_of: HashMap<&str, Option<&String>> = speakers
        .iter()
        .map(|s| (s.label.as_str(), s.participant.as_ref()))
        .collect();
    let code_path: HashMap<i64, String> = crate::codebook::all(conn)?
        .into_iter()
        .map(|k| (k.id, k.path))
        .collect();
    let coder_name: HashMap<i64, String> = ctx
        .study
        .coders()?
        .into_iter()
        .map(|k| (k.id, k.name))
        .collect();
    let turns: Vec<ShownTurn> = documents::turns(conn, doc.id)?
        .into_iter()
        .map(|t| ShownTurn {
            index: t.index + 1,
            participant: t
                .speaker
                .as_deref()
                .and_then(|l| participant_of.get(l).copied().flatten().cloned()),
            speaker: t.speaker,
            start: t.start,
            end: t.end,
            start_ms: t.start_ms,
            end_ms: t.end_ms,
            text: offsets.slice_i64(t.start, t.end).to_string(),
        })
        .collect();
    let codings: Vec<ShownCoding> = crate::coding::for_document(conn, doc.id)?
        .into_iter()
        .map(|c| ShownCoding {
            id: c.id,
            code: code_path.get(&c.code_id).cloned().unwrap_or_default(),
            coder: coder_name.get(&c.coder_id).cloned().unwrap_or_default(),
            start: c.start,
            end: c.end,
            text: offsets.slice_i64(c.start, c.end).to_string(),
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
    let per_turn = codings_per_turn(&turns, &codings);
    for (t, here) in turns.iter().zip(&per_turn) {
        let ts = t
            .start_ms
            .map(|ms| format!("[{}] ", format_timestamp(ms)))
            .unwrap_or_default();
        let who = t.speaker.clone().unwrap_or_else(|| "(unlabelled)".into());
        let codes_here: Vec<String> = here
            .iter()
            .map(|&i| format!("{} ({})", codings[i].code, codings[i].coder))
            .collect();
        // A turn may span paragraphs: print each on its own indented line (a newline given
        // to `sanitize` unkept would print as U+FFFD).
        let body = crate::text::sanitize(&t.text, true).replace('\n', "\n     ");
        println!(
            "{:>4} {ts}{} [{}:{}]: {body}",
            t.index,
            crate::text::sanitize(&who, false),
            t.start,
            t.end,
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

/// For each turn, the indices of the codings overlapping it, in coding order. Turns are sorted
/// and disjoint, so each coding finds its first turn by binary search and walks only the turns
/// it spans: O((turns + codings) log turns + output), where a filter per turn was turns × codings.
fn codings_per_turn(turns: &[ShownTurn], codings: &[ShownCoding]) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); turns.len()];
    for (i, c) in codings.iter().enumerate() {
        let first = turns.partition_point(|t| t.end <= c.start);
        for (k, t) in turns.iter().enumerate().skip(first) {
            if t.start >= c.end {
                break;
            }
            if c.start < t.end && c.end > t.start {
                out[k].push(i);
            }
        }
    }
    out
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
    let (people, moderators) = crate::exchange::participant_counts::count(conn)?;
    let codings: i64 = conn.query_row("SELECT count(*) FROM codings", [], |r| r.get(0))?;
    // Coders who coded, not every name in the coders table (the one running `init` or an
    // import is added there before coding anything): "354 codings by 3 coders" misled.
    let coding_coders: usize =
        conn.query_row("SELECT count(DISTINCT coder_id) FROM codings", [], |r| {
            r.get::<_, i64>(0)
        })? as usize;
    let idle_coders = ctx.study.coders()?.len().saturating_sub(coding_coders);
    println!(
        "Study {} ({})",
        ctx.study.name()?,
        ctx.study.path().display()
    );
    println!(
        "{} documents, {}, {} codes, {} codings by {} coder(s){}",
        docs.len(),
        crate::exchange::participant_counts::describe(people, moderators),
        codes.len(),
        codings,
        coding_coders,
        if idle_coders > 0 {
            format!(" ({idle_coders} more coder(s) with no codings)")
        } else {
            String::new()
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(start: i64, end: i64) -> ShownTurn {
        ShownTurn {
            index: 0,
            speaker: None,
            participant: None,
            start,
            end,
            start_ms: None,
            end_ms: None,
            text: String::new(),
        }
    }

    fn coding(start: i64, end: i64) -> ShownCoding {
        ShownCoding {
            id: 0,
            code: String::new(),
            coder: String::new(),
            start,
            end,
            text: String::new(),
        }
    }

    /// The binary search finds exactly the overlaps a filter per turn finds (the definition),
    /// for codings inside one turn, across turns, over the whole text, empty, and past the end.
    #[test]
    fn codings_per_turn_matches_the_overlap_filter() {
        let turns = vec![turn(0, 10), turn(10, 20), turn(20, 30), turn(35, 40)];
        let codings = vec![
            coding(5, 15),
            coding(25, 26),
            coding(0, 40),
            coding(10, 10),
            coding(30, 35),
            coding(39, 50),
            coding(9, 10),
        ];
        let got = codings_per_turn(&turns, &codings);
        let want: Vec<Vec<usize>> = turns
            .iter()
            .map(|t| {
                (0..codings.len())
                    .filter(|&i| codings[i].start < t.end && codings[i].end > t.start)
                    .collect()
            })
            .collect();
        assert_eq!(got, want);
        assert_eq!(got[0], vec![0, 2, 6]);
    }
}
