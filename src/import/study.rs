//! Bringing parsed transcripts into the study: all files of one `thematic import` are parsed
//! first and then written in one transaction, so a bad file leaves nothing behind.

use super::{Format, ImportOptions, ParsedTranscript, parse_transcript_owned};
use crate::error::{Error, Result};
use crate::study::Study;
use crate::study::documents::{by_hash, content_hash};
use crate::study::history::Recorder;
use crate::study::new_guid;
use rusqlite::OptionalExtension;
use rusqlite::types::Value;
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Transcript files are larger than this only by mistake (a video, a database dump).
pub const MAX_TRANSCRIPT_BYTES: u64 = 256 * 1024 * 1024;

const TRANSCRIPT_EXTENSIONS: &[&str] = &["txt", "text", "vtt", "srt", "docx"];

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ImportedDocument {
    pub name: String,
    pub file: String,
    pub format: String,
    pub turns: usize,
    pub speakers: Vec<String>,
    /// Turns per speaker, in order of first appearance (same order as `speakers`).
    pub speaker_turns: Vec<usize>,
    /// Turns with no speaker label.
    pub unlabelled_turns: usize,
    pub characters: usize,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ImportReport {
    pub imported: Vec<ImportedDocument>,
    /// Files not imported, with why (already in the study, not a transcript type in a folder).
    pub skipped: Vec<(String, String)>,
}

/// Expands folders (sorted, transcript extensions only, hidden files skipped) into files.
pub fn collect_files(paths: &[PathBuf], report: &mut ImportReport) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path)
            .map_err(|e| crate::invalid!("{}: cannot read: {e}", path.display()))?;
        if meta.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            entries.sort();
            for entry in entries {
                let name = entry
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let ext = entry
                    .extension()
                    .map(|e| e.to_string_lossy().to_lowercase())
                    .unwrap_or_default();
                if name.starts_with('.') || !entry.is_file() {
                    continue;
                }
                if TRANSCRIPT_EXTENSIONS.contains(&ext.as_str()) {
                    out.push(entry);
                } else {
                    report.skipped.push((
                        entry.display().to_string(),
                        "not a transcript file type".into(),
                    ));
                }
            }
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

fn read_limited(path: &Path) -> Result<Vec<u8>> {
    let len = std::fs::metadata(path)
        .map_err(|e| crate::invalid!("{}: cannot read: {e}", path.display()))?
        .len();
    if len > MAX_TRANSCRIPT_BYTES {
        return Err(crate::invalid!(
            "{}: {} MB is too large for a transcript (limit {} MB)",
            path.display(),
            len / 1_000_000,
            MAX_TRANSCRIPT_BYTES / 1_000_000
        ));
    }
    std::fs::read(path).map_err(|e| crate::invalid!("{}: cannot read: {e}", path.display()))
}

/// Parses and imports the files as one action of `coder`.
pub fn import_paths(
    study: &mut Study,
    coder: i64,
    paths: &[PathBuf],
    forced: Option<Format>,
) -> Result<ImportReport> {
    let options = ImportOptions {
        format: forced,
        ..ImportOptions::default()
    };
    import_paths_with(study, coder, paths, &options)
}

/// One parsed file, not yet in the study: (document name, file name, transcript).
pub type ParsedFile = (String, String, ParsedTranscript);

/// Parses the files (folders expanded) without touching a study: what `import --dry-run`
/// shows and what [`import_paths_with`] writes.
pub fn parse_paths(
    paths: &[PathBuf],
    options: &ImportOptions,
    report: &mut ImportReport,
) -> Result<Vec<ParsedFile>> {
    let files = collect_files(paths, report)?;
    let mut parsed = Vec::new();
    for file in files {
        let bytes = read_limited(&file)?;
        let shown = file.display().to_string();
        let file_name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or(shown.clone());
        let mut transcript = parse_transcript_owned(&shown, bytes, options)?;
        if transcript.text.contains('\u{0}') {
            transcript.text = transcript.text.replace('\u{0}', "");
        }
        let name = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| file_name.clone());
        parsed.push((name, file_name, transcript));
    }
    Ok(parsed)
}

/// Parses and imports the files as one action of `coder`, with the given options.
pub fn import_paths_with(
    study: &mut Study,
    coder: i64,
    paths: &[PathBuf],
    options: &ImportOptions,
) -> Result<ImportReport> {
    let mut report = ImportReport::default();
    let parsed = parse_paths(paths, options, &mut report)?;
    if parsed.is_empty() {
        return Ok(report);
    }
    let names: Vec<&str> = parsed.iter().map(|p| p.0.as_str()).collect();
    let summary = format!("import {}", names.join(", "));
    study.change(Some(coder), "import", &summary, |rec| {
        for (name, file, transcript) in &parsed {
            match insert_transcript(rec, name, file, transcript)? {
                Ok(doc) => report.imported.push(doc),
                Err(reason) => report.skipped.push((file.clone(), reason)),
            }
        }
        Ok(())
    })?;
    Ok(report)
}

/// Speakers in order of first appearance with their turn counts, and the unlabelled turns.
/// Linear in the turns (a map from label to position), however many speakers there are.
pub fn speaker_counts(t: &ParsedTranscript) -> (Vec<String>, Vec<usize>, usize) {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut speakers: Vec<String> = Vec::new();
    let mut counts: Vec<usize> = Vec::new();
    let mut unlabelled = 0usize;
    for turn in &t.turns {
        match &turn.speaker {
            Some(s) => {
                let i = *index.entry(s.as_str()).or_insert_with(|| {
                    speakers.push(s.clone());
                    counts.push(0);
                    speakers.len() - 1
                });
                counts[i] += 1;
            }
            None => unlabelled += 1,
        }
    }
    (speakers, counts, unlabelled)
}

/// Inserts one transcript; Ok(Err(reason)) when it is already in the study.
pub fn insert_transcript(
    rec: &mut Recorder,
    name: &str,
    file: &str,
    t: &ParsedTranscript,
) -> Result<std::result::Result<ImportedDocument, String>> {
    let hash = content_hash(&t.text);
    if let Some(existing) = by_hash(&rec.tx, &hash)? {
        return Ok(Err(format!(
            "same content as document '{existing}' already in the study; nothing added"
        )));
    }
    let name = unique_name(rec, name)?;
    let char_count = t.text.chars().count();
    validate_turns(file, t, char_count)?;
    let order: i64 = rec.tx.query_row(
        "SELECT ifnull(max(sort_order), -1) + 1 FROM documents",
        [],
        |r| r.get(0),
    )?;
    let now = rec.now.clone();
    let doc = rec.insert(
        "documents",
        &[
            ("guid", Value::Text(new_guid())),
            ("name", Value::Text(name.clone())),
            ("source_name", Value::Text(file.into())),
            ("format", Value::Text(t.format.name().into())),
            ("content_hash", Value::Text(hash)),
            ("char_count", Value::Integer(char_count as i64)),
            ("imported_at", Value::Text(now)),
            ("sort_order", Value::Integer(order)),
            // Filled in below from a borrow: a transcript can be hundreds of MB.
            ("text", Value::Text(String::new())),
        ],
    )?;
    // The history keeps no document text (a lean table): undo deletes the row whole.
    rec.tx
        .prepare_cached("UPDATE documents SET text = ?1 WHERE id = ?2")?
        .execute(rusqlite::params![t.text.as_str(), doc])?;
    let (speakers, speaker_turns, unlabelled_turns) = speaker_counts(t);
    // Turns never change after import: one history row stands for all of a document's turns.
    rec.insert_group(
        "document_turns",
        Value::Integer(doc),
        &[
            "document_id",
            "idx",
            "speaker",
            "start",
            "end",
            "start_ms",
            "end_ms",
        ],
        t.turns.iter().enumerate().map(|(i, turn)| {
            vec![
                Value::Integer(doc),
                Value::Integer(i as i64),
                turn.speaker.clone().map(Value::Text).unwrap_or(Value::Null),
                Value::Integer(turn.start as i64),
                Value::Integer(turn.end as i64),
                turn.start_ms.map(Value::Integer).unwrap_or(Value::Null),
                turn.end_ms.map(Value::Integer).unwrap_or(Value::Null),
            ]
        }),
    )?;
    crate::study::search_index::index_document_text(&rec.tx, doc, &t.text)?;
    for label in &speakers {
        rec.insert(
            "speakers",
            &[
                ("document_id", Value::Integer(doc)),
                ("label", Value::Text(label.clone())),
                ("participant_id", Value::Null),
            ],
        )?;
    }
    let mut notes = t.notes.clone();
    if name != file_stem(file) {
        notes.push(format!(
            "a document named '{}' exists, so this one is '{name}'",
            file_stem(file)
        ));
    }
    Ok(Ok(ImportedDocument {
        name,
        file: file.into(),
        format: t.format.name().into(),
        turns: t.turns.len(),
        speakers,
        speaker_turns,
        unlabelled_turns,
        characters: char_count,
        notes,
    }))
}

fn file_stem(file: &str) -> String {
    Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.to_string())
}

fn unique_name(rec: &Recorder, base: &str) -> Result<String> {
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
    (2..)
        .map(|i| format!("{base} ({i})"))
        .find(|n| !taken(n).unwrap_or(true))
        .ok_or_else(|| Error::Invalid(format!("no free name for {base}")))
}

/// The parser promises ordered, in-bounds, non-empty turns; the study file trusts no one.
fn validate_turns(file: &str, t: &ParsedTranscript, char_count: usize) -> Result<()> {
    let mut previous_end = 0;
    for (i, turn) in t.turns.iter().enumerate() {
        if turn.start >= turn.end || turn.end > char_count || turn.start < previous_end {
            return Err(crate::invalid!(
                "{file}: turn {} has an impossible range {}:{} (text has {char_count} characters)",
                i + 1,
                turn.start,
                turn.end
            ));
        }
        previous_end = turn.end;
    }
    Ok(())
}

#[cfg(test)]
mod history_tests {
    use super::*;

    fn count(study: &Study, table: &str) -> i64 {
        study
            .conn()
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn undoing_an_import_removes_its_turns_recorded_as_one_group() {
        let dir = tempfile::tempdir().unwrap();
        let mut study = Study::create(&dir.path().join("s.thematic")).unwrap();
        let alex = study.ensure_coder("alex").unwrap();
        let file = dir.path().join("fg.txt");
        std::fs::write(&file, "Ana: one\nBen: two\nAna: three\n").unwrap();
        import_paths(&mut study, alex.id, std::slice::from_ref(&file), None).unwrap();
        let turns = count(&study, "turns");
        assert!(turns >= 2);
        // document + one group row for all turns + one row per speaker
        let rows: i64 = study
            .conn()
            .query_row(
                "SELECT count(*) FROM change_rows WHERE change_id = (SELECT max(id) FROM changes)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(rows, 2 + count(&study, "speakers"));
        study.undo(&alex).unwrap();
        for t in ["documents", "turns", "speakers"] {
            assert_eq!(count(&study, t), 0, "{t}");
        }
        let err = study.redo(&alex).unwrap_err().to_string();
        assert!(err.contains("cannot be redone"), "{err}");
        import_paths(&mut study, alex.id, &[file], None).unwrap();
        assert_eq!(count(&study, "turns"), turns);
    }
}
