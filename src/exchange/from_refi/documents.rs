//! Sources → documents (matched by content), their variable values and note references, and
//! Sets named "attribute: value" → document attributes.

use super::{Ctx, keep_guid, key};
use crate::error::Result;
use crate::exchange::refi::{RefiSet, RefiSource, VariableType};
use crate::import::{Format, ParsedTranscript, ParsedTurn, parse_transcript};
use crate::study::history::{Recorder, id_key};
use crate::study::participants::{Scope, ensure_attribute, set_document_value};
use rusqlite::types::Value;

pub(super) fn kind_name(k: VariableType) -> &'static str {
    match k {
        VariableType::Integer => "integer",
        VariableType::Float => "float",
        VariableType::Boolean => "boolean",
        VariableType::Date => "date",
        VariableType::Text | VariableType::DateTime => "text",
    }
}

/// Speaker turns for a source's text: the plain-text transcript parser's when it finds turns in
/// exactly this text (the text of a transcript exported by Thematic carries its speaker labels),
/// else one turn per non-empty line. When the plain-text reading finds no speaker, the
/// Otter/Rev layouts (speaker and time on a line of their own) are tried on the same text.
pub fn derive_turns(name: &str, text: &str) -> ParsedTranscript {
    let parse = |f: Format| {
        parse_transcript(name, text.as_bytes(), Some(f))
            .ok()
            .filter(|p| p.text == text && !p.turns.is_empty())
    };
    let has_speakers = |p: &ParsedTranscript| p.turns.iter().any(|t| t.speaker.is_some());
    let plain = parse(Format::Text);
    if let Some(p) = &plain
        && has_speakers(p)
    {
        return plain.expect("checked");
    }
    for f in [Format::Otter, Format::Rev] {
        if let Some(p) = parse(f).filter(has_speakers) {
            return ParsedTranscript {
                format: Format::Text,
                ..p
            };
        }
    }
    if let Some(p) = plain {
        return p;
    }
    let mut turns = Vec::new();
    let mut offset = 0usize;
    for line in text.split('\n') {
        let n = line.chars().count();
        let lead = line.chars().take_while(|c| c.is_whitespace()).count();
        let trail = line.chars().rev().take_while(|c| c.is_whitespace()).count();
        if lead < n {
            turns.push(ParsedTurn {
                speaker: None,
                start: offset + lead,
                end: offset + n - trail,
                start_ms: None,
                end_ms: None,
            });
        }
        offset += n + 1;
    }
    ParsedTranscript {
        format: Format::Text,
        text: text.to_string(),
        turns,
        notes: Vec::new(),
    }
}

/// One source: its document (created, or matched by content), values, memos and codings.
pub(super) fn import_source(rec: &mut Recorder, ctx: &mut Ctx, s: &RefiSource) -> Result<()> {
    if s.text.trim().is_empty() {
        ctx.report.sources_skipped.push(format!(
            "{}: its text is empty (a document needs text); its {} selection(s) were not imported",
            s.name,
            s.selections.len()
        ));
        return Ok(());
    }
    let name: String = if s.name.trim().is_empty() {
        "source".to_string()
    } else {
        s.name.trim().chars().filter(|c| !c.is_control()).collect()
    };
    let parsed = derive_turns(&name, &s.text);
    let hash = crate::study::documents::content_hash(&parsed.text);
    let shown_file = format!("{}: {name}", ctx.file);
    let doc_id = match crate::import::study::insert_transcript(rec, &name, &shown_file, &parsed)? {
        Ok(doc) => {
            let id: i64 = rec.tx.query_row(
                "SELECT id FROM documents WHERE content_hash = ?1",
                [&hash],
                |r| r.get(0),
            )?;
            let guid = keep_guid(rec, "documents", &s.guid)?;
            rec.update("documents", &id_key(id), &[("guid", Value::Text(guid))])?;
            ctx.report.documents_created.push(format!(
                "{} ({} turns, {} speakers)",
                doc.name,
                doc.turns,
                doc.speakers.len()
            ));
            id
        }
        Err(_) => {
            let (id, existing): (i64, String) = rec.tx.query_row(
                "SELECT id, name FROM documents WHERE content_hash = ?1",
                [&hash],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            ctx.report
                .documents_matched
                .push(format!("{name} = {existing} (same text)"));
            id
        }
    };
    let char_count = parsed.text.chars().count();
    drop(parsed);
    ctx.source_doc.insert(key(&s.guid), doc_id);
    for v in &s.variable_values {
        let Some((vname, kind)) = ctx.variables.get(&key(&v.variable_guid)).cloned() else {
            continue;
        };
        if v.value.is_empty() {
            continue;
        }
        let attr = ensure_attribute(rec, Scope::Document, &vname, kind_name(kind))?;
        set_document_value(rec, doc_id, attr, &v.value)?;
        ctx.doc_values_from_variables.insert((doc_id, vname));
        ctx.report.attribute_values_set += 1;
    }
    for r in &s.note_refs {
        ctx.pending.push(super::Pending::Document {
            note: key(r),
            doc: doc_id,
        });
    }
    for sel in &s.selections {
        super::codings::import_selection(rec, ctx, &name, doc_id, char_count, sel)?;
    }
    Ok(())
}

/// Sets named "attribute: value" give document attributes not carried as variables.
pub(super) fn import_sets(rec: &mut Recorder, ctx: &mut Ctx, sets: &[RefiSet]) -> Result<()> {
    for set in sets {
        let members: Vec<i64> = set
            .member_sources
            .iter()
            .filter_map(|r| ctx.source_doc.get(&key(r)).copied())
            .collect();
        if members.is_empty() {
            continue;
        }
        match set.name.split_once(": ") {
            Some((attr_name, value))
                if !attr_name.trim().is_empty() && !value.trim().is_empty() =>
            {
                let attr_name = attr_name.trim();
                let mut attr = None;
                for doc in members {
                    if ctx
                        .doc_values_from_variables
                        .contains(&(doc, attr_name.to_string()))
                    {
                        continue;
                    }
                    let a = match attr {
                        Some(a) => a,
                        None => {
                            let a = ensure_attribute(rec, Scope::Document, attr_name, "text")?;
                            attr = Some(a);
                            a
                        }
                    };
                    set_document_value(rec, doc, a, value.trim())?;
                    ctx.report.attribute_values_set += 1;
                }
            }
            _ => ctx.report.notes.push(format!(
                "document set '{}' is not of the form 'attribute: value'; not imported",
                set.name
            )),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turns_are_rederived_from_every_demo_transcript() {
        for file in crate::demo::TRANSCRIPTS {
            let forced = file.name.ends_with("FG5.txt").then_some(Format::Otter);
            let original = parse_transcript(file.name, file.bytes, forced).unwrap();
            let stem = file.name.split('.').next().unwrap();
            let again = derive_turns(stem, &original.text);
            assert_eq!(again.text, original.text, "{}", file.name);
            let speakers = |p: &ParsedTranscript| {
                p.turns
                    .iter()
                    .map(|t| t.speaker.clone())
                    .collect::<Vec<_>>()
            };
            assert_eq!(speakers(&again), speakers(&original), "{}", file.name);
        }
    }

    #[test]
    fn text_without_speakers_gets_a_turn_per_line() {
        let p = derive_turns("x", "  first line \n\nsecond");
        let ranges: Vec<(usize, usize)> = p.turns.iter().map(|t| (t.start, t.end)).collect();
        assert!(!ranges.is_empty());
        for t in &p.turns {
            assert!(t.start < t.end && t.end <= p.text.chars().count());
        }
    }
}
