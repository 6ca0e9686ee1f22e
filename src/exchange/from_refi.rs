//! REFI-QDA model → study, inside one recorded action (the caller's `Study::change`), so an
//! import is one undoable step and a failure leaves nothing behind.
//!
//! Codes are matched by GUID, then by path; missing codes are created (keeping the file's GUID)
//! and codebook fields are updated from the Description. Documents are matched by content; a
//! new document gets speaker turns from the plain-text transcript parser when it finds any in
//! the source text, else one turn per non-empty line. Sources with empty text are skipped (a
//! document needs text to have turns). Users become coders (by GUID, then name), Cases become
//! participants (by name), Variables become typed attributes, Notes become memos.

use super::to_refi::{CODE_MEMO_PREFIX, ROLE_LINE, SPEAKS_AS_LINE};
use crate::codebook::edit::{child_id, next_sort_order};
use crate::codebook::{PALETTE, validate_colour};
use crate::error::Result;
use crate::import::{Format, ParsedTranscript, ParsedTurn, parse_transcript};
use crate::study::history::{Recorder, id_key};
use crate::study::new_guid;
use crate::study::participants::{
    Scope, ensure_attribute, ensure_participant, map_speaker, set_document_value,
    set_participant_value,
};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

use super::refi::{RefiCode, RefiProject, VariableType, decode_description};

/// How the codes of a file were matched to the study's codebook.
#[derive(Debug, Default, Clone, Serialize, PartialEq)]
pub struct CodesReport {
    pub matched_by_guid: Vec<String>,
    pub matched_by_path: Vec<String>,
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub notes: Vec<String>,
}

impl CodesReport {
    pub fn total(&self) -> usize {
        self.matched_by_guid.len() + self.matched_by_path.len() + self.created.len()
    }
}

#[derive(Debug, Default, Clone, Serialize, PartialEq)]
pub struct ProjectReport {
    pub codes: CodesReport,
    pub coders_created: Vec<String>,
    pub coders_matched: Vec<String>,
    pub documents_created: Vec<String>,
    pub documents_matched: Vec<String>,
    pub sources_skipped: Vec<String>,
    pub selections: usize,
    pub codings_added: usize,
    pub codings_already_present: usize,
    pub codings_skipped: usize,
    pub memos_added: usize,
    pub memos_already_present: usize,
    pub participants_created: Vec<String>,
    pub participants_matched: Vec<String>,
    pub attribute_values_set: usize,
    pub notes: Vec<String>,
}

/// The file's GUID (lower case, as Thematic writes them) when free in `table`, else a new one.
fn keep_guid(rec: &Recorder, table: &str, guid: &str) -> Result<String> {
    let g = guid.trim().trim_matches(['{', '}']).to_ascii_lowercase();
    if uuid::Uuid::parse_str(&g).is_ok() && !super::guid_taken(rec, table, &g)? {
        Ok(g)
    } else {
        Ok(new_guid())
    }
}

/// A usable code name: no '/', no control characters, not empty.
fn clean_code_name(name: &str, notes: &mut Vec<String>) -> String {
    let cleaned: String = name
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if c == '/' { '∕' } else { c })
        .collect();
    let cleaned = if cleaned.is_empty() {
        "(unnamed code)".to_string()
    } else {
        cleaned
    };
    if cleaned != name {
        notes.push(format!(
            "code '{}' is named '{cleaned}' ('/' separates code paths in Thematic)",
            name.escape_debug()
        ));
    }
    cleaned
}

struct CodeRow {
    id: i64,
    parent: Option<i64>,
    name: String,
    fields: [String; 6],
}

const FIELD_COLUMNS: [&str; 6] = [
    "colour",
    "definition",
    "inclusion",
    "exclusion",
    "example",
    "memo",
];

fn code_row(rec: &Recorder, id: i64) -> Result<CodeRow> {
    Ok(rec.tx.query_row(
        "SELECT id, parent_id, name, colour, definition, inclusion, exclusion, example, memo FROM codes WHERE id = ?1",
        [id],
        |r| {
            Ok(CodeRow {
                id: r.get(0)?,
                parent: r.get(1)?,
                name: r.get(2)?,
                fields: [r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?],
            })
        },
    )?)
}

/// The colour and codebook fields a REFI code carries (None where it says nothing).
pub fn refi_fields(code: &RefiCode) -> [Option<String>; 6] {
    let colour = code.color.as_deref().and_then(|c| validate_colour(c).ok());
    let d = code
        .description
        .as_deref()
        .map(decode_description)
        .unwrap_or_default();
    let some = |s: String| (!s.is_empty()).then_some(s);
    [
        colour,
        some(d.definition),
        some(d.inclusion),
        some(d.exclusion),
        some(d.example),
        some(d.memo),
    ]
}

/// Imports a code tree: match by GUID, then by path; create the rest; update their fields.
/// Returns the file's code GUIDs (upper case) → study code ids.
pub fn import_codes(
    rec: &mut Recorder,
    codes: &[RefiCode],
    report: &mut CodesReport,
) -> Result<HashMap<String, i64>> {
    let mut map = HashMap::new();
    for code in codes {
        import_code(rec, code, None, "", &mut map, report)?;
    }
    Ok(map)
}

fn import_code(
    rec: &mut Recorder,
    code: &RefiCode,
    parent: Option<i64>,
    parent_path: &str,
    map: &mut HashMap<String, i64>,
    report: &mut CodesReport,
) -> Result<()> {
    let name = clean_code_name(&code.name, &mut report.notes);
    let mut path = if parent_path.is_empty() {
        name.clone()
    } else {
        format!("{parent_path}/{name}")
    };
    let by_guid: Option<i64> = rec
        .tx
        .prepare_cached("SELECT id FROM codes WHERE lower(guid) = lower(?1)")?
        .query_row([code.guid.trim()], |r| r.get(0))
        .optional()?;
    let id = if let Some(id) = by_guid {
        let row = code_row(rec, id)?;
        if row.parent != parent || row.name != name {
            match child_id(rec, parent, &name)? {
                Some(other) if other != id => {
                    report.notes.push(format!(
                        "code {path}: the file places it here but another code already has that path; kept it where it was"
                    ));
                    path = crate::codebook::all(&rec.tx)?
                        .into_iter()
                        .find(|c| c.id == id)
                        .map(|c| c.path)
                        .unwrap_or(path);
                }
                _ => {
                    let order = next_sort_order(rec, parent)?;
                    let mut set = vec![("name", Value::Text(name.clone()))];
                    if row.parent != parent {
                        set.push((
                            "parent_id",
                            parent.map(Value::Integer).unwrap_or(Value::Null),
                        ));
                        set.push(("sort_order", Value::Integer(order)));
                    }
                    rec.update("codes", &id_key(id), &set)?;
                    report.updated.push(path.clone());
                }
            }
        }
        report.matched_by_guid.push(path.clone());
        id
    } else if let Some(id) = child_id(rec, parent, &name)? {
        report.matched_by_path.push(path.clone());
        id
    } else {
        let n: i64 = rec
            .tx
            .query_row("SELECT count(*) FROM codes", [], |r| r.get(0))?;
        let order = next_sort_order(rec, parent)?;
        let guid = keep_guid(rec, "codes", &code.guid)?;
        let now = rec.now.clone();
        let id = rec.insert(
            "codes",
            &[
                ("guid", Value::Text(guid)),
                (
                    "parent_id",
                    parent.map(Value::Integer).unwrap_or(Value::Null),
                ),
                ("name", Value::Text(name.clone())),
                (
                    "colour",
                    Value::Text(PALETTE[n as usize % PALETTE.len()].to_string()),
                ),
                ("sort_order", Value::Integer(order)),
                ("created_at", Value::Text(now)),
            ],
        )?;
        report.created.push(path.clone());
        id
    };
    // Fields the file states replace ours.
    let row = code_row(rec, id)?;
    let wanted = refi_fields(code);
    let mut set: Vec<(&str, Value)> = Vec::new();
    for (i, w) in wanted.iter().enumerate() {
        if let Some(w) = w
            && *w != row.fields[i]
        {
            set.push((FIELD_COLUMNS[i], Value::Text(w.clone())));
        }
    }
    if !set.is_empty() {
        rec.update("codes", &id_key(row.id), &set)?;
        let created = report.created.last() == Some(&path);
        if !created && !report.updated.contains(&path) {
            report.updated.push(path.clone());
        }
    }
    map.insert(code.guid.trim().to_ascii_uppercase(), id);
    for child in &code.children {
        import_code(rec, child, Some(id), &path, map, report)?;
    }
    Ok(())
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

fn kind_name(k: VariableType) -> &'static str {
    match k {
        VariableType::Integer => "integer",
        VariableType::Float => "float",
        VariableType::Boolean => "boolean",
        VariableType::Date => "date",
        VariableType::Text | VariableType::DateTime => "text",
    }
}

fn clean_coder_name(name: &str, guid: &str) -> String {
    let cleaned: String = name.trim().chars().filter(|c| !c.is_control()).collect();
    let cleaned: String = cleaned.chars().take(64).collect();
    if cleaned.is_empty() {
        format!(
            "user-{}",
            &guid.trim().trim_matches(['{', '}'])[..8.min(guid.len())]
        )
    } else {
        cleaned
    }
}

/// (guid, title, body, creating user, created)
type MemoNote = (String, String, String, Option<String>, Option<String>);

struct Ctx<'r> {
    users: HashMap<String, i64>,
    fallback_coder: i64,
    report: &'r mut ProjectReport,
}

impl Ctx<'_> {
    fn coder(&self, user: Option<&String>) -> i64 {
        user.and_then(|u| self.users.get(&u.trim().to_ascii_uppercase()))
            .copied()
            .unwrap_or(self.fallback_coder)
    }
}

/// Inserts a memo with the note's GUID; false when a memo with that GUID is already there.
#[allow(clippy::too_many_arguments)]
fn add_memo(
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
        if super::guid_taken(rec, "memos", &g)? {
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

/// Imports a whole project. `file` names the archive in document source names and messages;
/// `fallback_coder` gets codings and memos that name no known user.
pub fn import_project(
    rec: &mut Recorder,
    project: &RefiProject,
    file: &str,
    fallback_coder: i64,
) -> Result<ProjectReport> {
    let mut report = ProjectReport::default();
    let mut ctx = Ctx {
        users: HashMap::new(),
        fallback_coder,
        report: &mut report,
    };
    // Users → coders.
    for u in &project.users {
        let key = u.guid.trim().to_ascii_uppercase();
        let existing: Option<(i64, String)> = rec
            .tx
            .prepare_cached("SELECT id, name FROM coders WHERE lower(guid) = lower(?1)")?
            .query_row([u.guid.trim()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let name = clean_coder_name(&u.name, &u.guid);
        let id = match existing {
            Some((id, name)) => {
                ctx.report.coders_matched.push(name);
                id
            }
            None => {
                let by_name: Option<i64> = rec
                    .tx
                    .prepare_cached("SELECT id FROM coders WHERE name = ?1")?
                    .query_row([&name], |r| r.get(0))
                    .optional()?;
                match by_name {
                    Some(id) => {
                        if !ctx.report.coders_matched.contains(&name) {
                            ctx.report.coders_matched.push(name);
                        }
                        id
                    }
                    None => {
                        let guid = keep_guid(rec, "coders", &u.guid)?;
                        let now = rec.now.clone();
                        let id = rec.insert(
                            "coders",
                            &[
                                ("name", Value::Text(name.clone())),
                                ("guid", Value::Text(guid)),
                                (
                                    "is_consensus",
                                    Value::Integer(
                                        (name == crate::agreement::review::CONSENSUS_CODER) as i64,
                                    ),
                                ),
                                ("created_at", Value::Text(now)),
                            ],
                        )?;
                        ctx.report.coders_created.push(name);
                        id
                    }
                }
            }
        };
        ctx.users.insert(key, id);
    }
    // Codes.
    let code_map = import_codes(rec, &project.codes, &mut ctx.report.codes)?;
    // Variables.
    let variables: HashMap<String, (&str, VariableType)> = project
        .variables
        .iter()
        .map(|v| {
            (
                v.guid.trim().to_ascii_uppercase(),
                (v.name.as_str(), v.kind),
            )
        })
        .collect();
    let notes: HashMap<String, &super::refi::RefiNote> = project
        .notes
        .iter()
        .map(|n| (n.guid.trim().to_ascii_uppercase(), n))
        .collect();
    let mut referenced: HashSet<String> = HashSet::new();
    // Sources → documents.
    let mut source_doc: HashMap<String, i64> = HashMap::new();
    let mut doc_values_from_variables: HashSet<(i64, String)> = HashSet::new();
    for s in &project.sources {
        if s.text.trim().is_empty() {
            ctx.report.sources_skipped.push(format!(
                "{}: its text is empty (a document needs text); its {} selection(s) were not imported",
                s.name,
                s.selections.len()
            ));
            continue;
        }
        let name = if s.name.trim().is_empty() {
            "source".to_string()
        } else {
            s.name.trim().chars().filter(|c| !c.is_control()).collect()
        };
        let parsed = derive_turns(&name, &s.text);
        let hash = crate::study::documents::content_hash(&parsed.text);
        let shown_file = format!("{file}: {name}");
        let doc_id =
            match crate::import::study::insert_transcript(rec, &name, &shown_file, &parsed)? {
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
        source_doc.insert(s.guid.trim().to_ascii_uppercase(), doc_id);
        for v in &s.variable_values {
            let Some((vname, kind)) = variables.get(&v.variable_guid.trim().to_ascii_uppercase())
            else {
                continue;
            };
            if v.value.is_empty() {
                continue;
            }
            let attr = ensure_attribute(rec, Scope::Document, vname, kind_name(*kind))?;
            set_document_value(rec, doc_id, attr, &v.value)?;
            doc_values_from_variables.insert((doc_id, vname.to_string()));
            ctx.report.attribute_values_set += 1;
        }
        for r in &s.note_refs {
            let key = r.trim().to_ascii_uppercase();
            if let Some(n) = notes.get(&key) {
                referenced.insert(key);
                let coder = ctx.coder(n.creating_user.as_ref());
                if add_memo(
                    rec,
                    &n.guid,
                    "document",
                    Some(doc_id),
                    coder,
                    &n.name,
                    &n.text,
                    n.created.as_deref(),
                )? {
                    ctx.report.memos_added += 1;
                } else {
                    ctx.report.memos_already_present += 1;
                }
            }
        }
        let char_count = parsed.text.chars().count();
        for sel in &s.selections {
            ctx.report.selections += 1;
            if sel.start >= sel.end || sel.end > char_count {
                ctx.report.codings_skipped += sel.codings.len();
                ctx.report.notes.push(format!(
                    "{name}: selection {}..{} is empty or out of range; skipped",
                    sel.start, sel.end
                ));
                continue;
            }
            let mut coding_ids = Vec::new();
            for c in &sel.codings {
                let Some(&code) = code_map.get(&c.code_guid.trim().to_ascii_uppercase()) else {
                    ctx.report.codings_skipped += 1;
                    ctx.report.notes.push(format!(
                        "{name}: a coding refers to code {} which is not in the codebook; skipped",
                        c.code_guid
                    ));
                    continue;
                };
                let coder = ctx.coder(c.creating_user.as_ref().or(sel.creating_user.as_ref()));
                let existing: Option<i64> = rec
                    .tx
                    .prepare_cached(
                        "SELECT id FROM codings WHERE coder_id = ?1 AND code_id = ?2 AND document_id = ?3 AND start = ?4 AND \"end\" = ?5",
                    )?
                    .query_row(params![coder, code, doc_id, sel.start as i64, sel.end as i64], |r| r.get(0))
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
            // Memos on the selection: on its codings, or on the document when it has none.
            let mut memo_notes: Vec<MemoNote> = Vec::new();
            for r in &sel.note_refs {
                let key = r.trim().to_ascii_uppercase();
                if let Some(n) = notes.get(&key) {
                    referenced.insert(key);
                    memo_notes.push((
                        n.guid.clone(),
                        n.name.clone(),
                        n.text.clone(),
                        n.creating_user.clone(),
                        n.created.clone(),
                    ));
                }
            }
            if let Some(d) = sel.description.as_ref().filter(|d| !d.trim().is_empty()) {
                memo_notes.push((
                    super::derived_guid(&format!("selection-description:{}", sel.guid)),
                    String::new(),
                    d.clone(),
                    sel.creating_user.clone(),
                    sel.created.clone(),
                ));
            }
            for (i, (guid, title, body, user, created)) in memo_notes.iter().enumerate() {
                let coder = ctx.coder(user.as_ref());
                let targets: Vec<(&str, i64)> = if coding_ids.is_empty() {
                    vec![("document", doc_id)]
                } else {
                    coding_ids.iter().map(|&id| ("coding", id)).collect()
                };
                for (j, (kind, target)) in targets.iter().enumerate() {
                    let g = if j == 0 {
                        guid.clone()
                    } else {
                        super::derived_guid(&format!("{guid}:{i}:{j}"))
                    };
                    if add_memo(
                        rec,
                        &g,
                        kind,
                        Some(*target),
                        coder,
                        title,
                        body,
                        created.as_deref(),
                    )? {
                        ctx.report.memos_added += 1;
                    } else {
                        ctx.report.memos_already_present += 1;
                    }
                }
            }
        }
    }
    // Cases → participants.
    for case in &project.cases {
        let pid: String = case
            .name
            .trim()
            .chars()
            .filter(|c| !c.is_control())
            .collect();
        let pid = if pid.is_empty() {
            format!(
                "case-{}",
                &case.guid.trim().trim_matches(['{', '}'])[..8.min(case.guid.len())]
            )
        } else {
            pid
        };
        let description = case.description.clone().unwrap_or_default();
        let role = description
            .lines()
            .find_map(|l| l.strip_prefix(ROLE_LINE))
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty());
        let existed: bool = rec
            .tx
            .prepare_cached("SELECT 1 FROM participants WHERE pid = ?1")?
            .query_row([&pid], |_| Ok(()))
            .optional()?
            .is_some();
        let pid_id = ensure_participant(rec, &pid, role.as_deref())?;
        if existed {
            ctx.report.participants_matched.push(pid.clone());
        } else {
            let guid = keep_guid(rec, "participants", &case.guid)?;
            rec.update(
                "participants",
                &id_key(pid_id),
                &[("guid", Value::Text(guid))],
            )?;
            ctx.report.participants_created.push(pid.clone());
        }
        for v in &case.variable_values {
            let Some((vname, kind)) = variables.get(&v.variable_guid.trim().to_ascii_uppercase())
            else {
                continue;
            };
            if v.value.is_empty() {
                continue;
            }
            let attr = ensure_attribute(rec, Scope::Participant, vname, kind_name(*kind))?;
            set_participant_value(rec, pid_id, attr, &v.value)?;
            ctx.report.attribute_values_set += 1;
        }
        // Who speaks as whom: from our own Description lines, else the case name as a label.
        let docs: Vec<i64> = case
            .source_refs
            .iter()
            .filter_map(|r| source_doc.get(&r.trim().to_ascii_uppercase()).copied())
            .collect();
        let mut mapped = false;
        for line in description.lines() {
            let Some(rest) = line.strip_prefix(SPEAKS_AS_LINE) else {
                continue;
            };
            let Some((label, doc_name)) = rest.rsplit_once(" | ") else {
                continue;
            };
            for &doc in &docs {
                let name: String =
                    rec.tx
                        .query_row("SELECT name FROM documents WHERE id = ?1", [doc], |r| {
                            r.get(0)
                        })?;
                if name == doc_name.trim() || docs.len() == 1 {
                    map_speaker(rec, doc, label.trim(), pid_id)?;
                    mapped = true;
                    break;
                }
            }
        }
        if !mapped {
            for &doc in &docs {
                let label: Option<String> = rec
                    .tx
                    .prepare_cached(
                        "SELECT label FROM speakers WHERE document_id = ?1 AND lower(label) = lower(?2)",
                    )?
                    .query_row(params![doc, pid], |r| r.get(0))
                    .optional()?;
                if let Some(label) = label {
                    map_speaker(rec, doc, &label, pid_id)?;
                }
            }
        }
    }
    // Sets named "attribute: value" give document attributes not carried as variables.
    for set in &project.sets {
        let members: Vec<i64> = set
            .member_sources
            .iter()
            .filter_map(|r| source_doc.get(&r.trim().to_ascii_uppercase()).copied())
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
                    if doc_values_from_variables.contains(&(doc, attr_name.to_string())) {
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
    // Project notes, code memos, and notes nothing refers to (kept as project memos).
    let codes = crate::codebook::all(&rec.tx)?;
    let mut project_notes: Vec<&super::refi::RefiNote> = Vec::new();
    for r in &project.project_note_refs {
        let key = r.trim().to_ascii_uppercase();
        if let Some(n) = notes.get(&key) {
            referenced.insert(key);
            project_notes.push(n);
        }
    }
    let unreferenced: Vec<&super::refi::RefiNote> = project
        .notes
        .iter()
        .filter(|n| !referenced.contains(&n.guid.trim().to_ascii_uppercase()))
        .collect();
    if !unreferenced.is_empty() {
        ctx.report.notes.push(format!(
            "{} note(s) attached to nothing Thematic imports were kept as project memos",
            unreferenced.len()
        ));
    }
    for n in project_notes.into_iter().chain(unreferenced) {
        let coder = ctx.coder(n.creating_user.as_ref());
        let (kind, target, title) = match n.name.strip_prefix(CODE_MEMO_PREFIX) {
            Some(rest) => {
                let hit = codes
                    .iter()
                    .filter(|c| rest == c.path || rest.starts_with(&format!("{} — ", c.path)))
                    .max_by_key(|c| c.path.len());
                match hit {
                    Some(c) => (
                        "code",
                        Some(c.id),
                        rest[c.path.len()..]
                            .strip_prefix(" — ")
                            .unwrap_or("")
                            .to_string(),
                    ),
                    None => ("project", None, n.name.clone()),
                }
            }
            None => ("project", None, n.name.clone()),
        };
        if add_memo(
            rec,
            &n.guid,
            kind,
            target,
            coder,
            &title,
            &n.text,
            n.created.as_deref(),
        )? {
            ctx.report.memos_added += 1;
        } else {
            ctx.report.memos_already_present += 1;
        }
    }
    if let Some(d) = project
        .description
        .as_ref()
        .filter(|d| !d.trim().is_empty())
    {
        let guid = super::derived_guid(&format!("project-description:{file}:{d}"));
        if add_memo(
            rec,
            &guid,
            "project",
            None,
            fallback_coder,
            "Project description",
            d,
            None,
        )? {
            ctx.report.memos_added += 1;
        }
    }
    Ok(report)
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
