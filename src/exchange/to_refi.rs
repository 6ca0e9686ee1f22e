//! Study → REFI-QDA model: the codebook (`.qdc`) and the whole project (`.qdpx`).
//!
//! Mapping: coders → Users; codes → Codes (the codes.guid column, so GUIDs are stable across
//! exports; definition/inclusion/exclusion/example/memo packed into Description); documents →
//! TextSources (document attributes as VariableValues, document memos as NoteRefs); each coding →
//! one PlainTextSelection (guid = the coding's guid) with one Coding (creatingUser = the coder);
//! coding memos → the selection's NoteRefs; project memos → the project's NoteRefs; memos on a
//! code → project NoteRefs of a Note named `Code memo: PATH`; participants → Cases (participant
//! attributes as VariableValues, SourceRefs to the documents they speak in, role and speaker
//! labels in the Description); attributes → typed Variables; each value of each document
//! attribute → a Set ("composition: all-female") of its documents.

use super::pseudonymize::{OffsetMap, Pseudonymizer};
use super::refi::{
    self, CodebookFields, RefiCase, RefiCode, RefiCoding, RefiNote, RefiProject, RefiSelection,
    RefiSet, RefiSource, RefiUser, RefiVariable, RefiVariableValue, VariableType,
    encode_description,
};
use super::{derived_guid, refi_guid};
use crate::codebook::{self, Code};
use crate::error::Result;
use crate::study::documents;
use rusqlite::Connection;
use std::collections::{BTreeMap, HashMap};

/// The prefix of a Note carrying a memo written on a code.
pub const CODE_MEMO_PREFIX: &str = "Code memo: ";
/// Description lines of a Case.
pub const ROLE_LINE: &str = "Role: ";
pub const SPEAKS_AS_LINE: &str = "Speaks as: ";

pub fn origin() -> String {
    format!("Thematic {}", env!("CARGO_PKG_VERSION"))
}

pub fn variable_type(kind: &str) -> VariableType {
    match kind {
        "integer" => VariableType::Integer,
        "float" => VariableType::Float,
        "boolean" => VariableType::Boolean,
        "date" => VariableType::Date,
        _ => VariableType::Text,
    }
}

fn code_fields(c: &Code, p: Option<&Pseudonymizer>) -> CodebookFields {
    let f = |s: &str| p.map_or_else(|| s.to_string(), |p| p.text(None, s));
    CodebookFields {
        definition: f(&c.definition),
        inclusion: f(&c.inclusion),
        exclusion: f(&c.exclusion),
        example: f(&c.example),
        memo: f(&c.memo),
    }
}

/// The codebook as a REFI code tree, in codebook order.
pub fn codebook(conn: &Connection, p: Option<&Pseudonymizer>) -> Result<Vec<RefiCode>> {
    let codes = codebook::all(conn)?;
    fn build(codes: &[Code], parent: Option<i64>, p: Option<&Pseudonymizer>) -> Vec<RefiCode> {
        codes
            .iter()
            .filter(|c| c.parent_id == parent)
            .map(|c| RefiCode {
                guid: refi_guid(&c.guid),
                name: p.map_or_else(|| c.name.clone(), |p| p.text(None, &c.name)),
                color: Some(c.colour.clone()),
                description: encode_description(&code_fields(c, p)),
                is_codable: true,
                children: build(codes, Some(c.id), p),
            })
            .collect()
    }
    Ok(build(&codes, None, p))
}

struct MemoRow {
    guid: String,
    kind: String,
    target: Option<i64>,
    coder_guid: String,
    title: String,
    body: String,
    created_at: String,
}

fn memos(conn: &Connection) -> Result<Vec<MemoRow>> {
    let mut stmt = conn.prepare(
        "SELECT m.guid, m.target_kind, m.target_id, c.guid, m.title, m.body, m.created_at
           FROM memos m JOIN coders c ON c.id = m.coder_id ORDER BY m.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(MemoRow {
            guid: r.get(0)?,
            kind: r.get(1)?,
            target: r.get(2)?,
            coder_guid: r.get(3)?,
            title: r.get(4)?,
            body: r.get(5)?,
            created_at: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A streamed export of the whole study: everything but the sources, built up front (codebook,
/// users, variables, cases, notes, sets: small), and the sources read one document at a time
/// when the writer asks for them (see [`refi::SourceSupply`]).
pub struct ProjectExport<'a> {
    conn: &'a Connection,
    p: Option<&'a Pseudonymizer>,
    /// Everything but the sources.
    pub head: RefiProject,
    docs: Vec<documents::DocumentSummary>,
    coder_guid: HashMap<i64, String>,
    code_guid: HashMap<i64, String>,
    attr_guid: HashMap<i64, String>,
    /// document id → its (attribute id, value), in attribute order.
    doc_attrs: HashMap<i64, Vec<(i64, String)>>,
    /// (kind, target) → the GUIDs of the notes attached there.
    note_refs: HashMap<(String, Option<i64>), Vec<String>>,
}

impl refi::SourceSupply for ProjectExport<'_> {
    fn count(&self) -> usize {
        self.docs.len()
    }

    fn source(
        &mut self,
        i: usize,
        with_selections: bool,
    ) -> std::result::Result<RefiSource, String> {
        self.read_source(i, with_selections)
            .map_err(|e| e.to_string())
    }
}

impl ProjectExport<'_> {
    fn read_source(&self, i: usize, with_selections: bool) -> Result<RefiSource> {
        let d = &self.docs[i];
        let p = self.p;
        let raw = documents::text(self.conn, d.id)?;
        let (text, map) = match p {
            Some(p) => p.text_with_map(Some(d.id), &raw),
            None => (raw, OffsetMap::default()),
        };
        let mut source = RefiSource {
            guid: refi_guid(&d.guid),
            text,
            ..Default::default()
        };
        if !with_selections {
            return Ok(source);
        }
        source.name = p.map_or_else(|| d.name.clone(), |p| p.text(Some(d.id), &d.name));
        source.note_refs = self
            .note_refs
            .get(&("document".to_string(), Some(d.id)))
            .cloned()
            .unwrap_or_default();
        source.variable_values = self
            .doc_attrs
            .get(&d.id)
            .into_iter()
            .flatten()
            .filter_map(|(attr, value)| {
                Some(RefiVariableValue {
                    variable_guid: self.attr_guid.get(attr)?.clone(),
                    value: value.clone(),
                })
            })
            .collect();
        let mut coding_stmt = self.conn.prepare_cached(
            "SELECT id, guid, code_id, coder_id, start, \"end\", created_at FROM codings
              WHERE document_id = ?1 ORDER BY start, \"end\", id",
        )?;
        let rows = coding_stmt.query_map([d.id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?;
        for row in rows {
            let (id, guid, code, coder, start, end, created) = row?;
            let user = self.coder_guid.get(&coder).cloned();
            let guid = refi_guid(&guid);
            source.selections.push(RefiSelection {
                guid: guid.clone(),
                name: None,
                start: map.start(start as usize),
                end: map.end(end as usize),
                creating_user: user.clone(),
                created: Some(created.clone()),
                codings: vec![RefiCoding {
                    guid: derived_guid(&format!("coding:{guid}")),
                    code_guid: self.code_guid.get(&code).cloned().unwrap_or_default(),
                    creating_user: user,
                    created: Some(created),
                }],
                note_refs: self
                    .note_refs
                    .get(&("coding".to_string(), Some(id)))
                    .cloned()
                    .unwrap_or_default(),
                description: None,
            });
        }
        Ok(source)
    }
}

/// The whole study as a REFI-QDA project, held in memory (tests and small studies; the CLI
/// streams with [`export`]).
pub fn project(conn: &Connection, name: &str, p: Option<&Pseudonymizer>) -> Result<RefiProject> {
    let mut export = export(conn, name, p)?;
    let mut sources = Vec::with_capacity(export.docs.len());
    for i in 0..export.docs.len() {
        sources.push(export.read_source(i, true)?);
    }
    export.head.sources = sources;
    Ok(export.head)
}

/// Prepares a streamed export of the whole study. With a pseudonymiser, every text (sources,
/// memos, codebook fields, speaker labels) has names replaced and selections follow the new
/// offsets.
pub fn export<'a>(
    conn: &'a Connection,
    name: &str,
    p: Option<&'a Pseudonymizer>,
) -> Result<ProjectExport<'a>> {
    let pseudo = |doc: Option<i64>, s: &str| p.map_or_else(|| s.to_string(), |p| p.text(doc, s));
    let mut project = RefiProject {
        name: name.to_string(),
        origin: Some(origin()),
        ..Default::default()
    };
    // Users
    let mut coder_guid: HashMap<i64, String> = HashMap::new();
    {
        let mut stmt = conn.prepare("SELECT id, name, guid FROM coders ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (id, name, guid) = row?;
            coder_guid.insert(id, refi_guid(&guid));
            project.users.push(RefiUser {
                guid: refi_guid(&guid),
                name,
            });
        }
    }
    project.codes = codebook(conn, p)?;
    let codes = codebook::all(conn)?;
    let code_guid: HashMap<i64, String> =
        codes.iter().map(|c| (c.id, refi_guid(&c.guid))).collect();
    let code_path: HashMap<i64, &str> = codes.iter().map(|c| (c.id, c.path.as_str())).collect();
    // Variables
    let mut attr_guid: HashMap<i64, String> = HashMap::new();
    {
        let mut stmt = conn.prepare("SELECT id, name, kind, guid FROM attributes ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        for row in rows {
            let (id, name, kind, guid) = row?;
            attr_guid.insert(id, refi_guid(&guid));
            project.variables.push(RefiVariable {
                guid: refi_guid(&guid),
                name,
                kind: variable_type(&kind),
            });
        }
    }
    // Memos, sorted by what they are attached to.
    let memos = memos(conn)?;
    let mut note_refs: HashMap<(String, Option<i64>), Vec<String>> = HashMap::new();
    for m in &memos {
        let doc_for_memo: Option<i64> = match m.kind.as_str() {
            "document" => m.target,
            "coding" => m.target.and_then(|id| {
                conn.query_row("SELECT document_id FROM codings WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .ok()
            }),
            _ => None,
        };
        let (kind, target) = match m.kind.as_str() {
            "code" => ("project".to_string(), None),
            k => (k.to_string(), m.target),
        };
        let name = if m.kind == "code" {
            let path = pseudo(
                None,
                m.target
                    .and_then(|id| code_path.get(&id).copied())
                    .unwrap_or("?"),
            );
            if m.title.is_empty() {
                format!("{CODE_MEMO_PREFIX}{path}")
            } else {
                format!("{CODE_MEMO_PREFIX}{path} — {}", pseudo(None, &m.title))
            }
        } else {
            pseudo(doc_for_memo, &m.title)
        };
        note_refs
            .entry((kind, target))
            .or_default()
            .push(refi_guid(&m.guid));
        project.notes.push(RefiNote {
            guid: refi_guid(&m.guid),
            name,
            text: pseudo(doc_for_memo, &m.body),
            creating_user: Some(m.coder_guid.clone()),
            created: Some(m.created_at.clone()),
        });
    }
    project.project_note_refs = note_refs
        .remove(&("project".to_string(), None))
        .unwrap_or_default();
    // Sources
    let docs = documents::list(conn)?;
    let mut doc_attrs: Vec<(i64, i64, String)> = Vec::new();
    {
        let mut stmt = conn.prepare(
            "SELECT document_id, attribute_id, value FROM document_attributes ORDER BY attribute_id, value, document_id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        for row in rows {
            doc_attrs.push(row?);
        }
    }
    let doc_guid: HashMap<i64, String> = docs.iter().map(|d| (d.id, refi_guid(&d.guid))).collect();
    // Sets: one per value of each document attribute.
    let mut sets: BTreeMap<(i64, String), Vec<String>> = BTreeMap::new();
    for (doc, attr, value) in &doc_attrs {
        if let Some(g) = doc_guid.get(doc) {
            sets.entry((*attr, value.clone()))
                .or_default()
                .push(g.clone());
        }
    }
    let attr_name: HashMap<String, &str> = project
        .variables
        .iter()
        .map(|v| (v.guid.clone(), v.name.as_str()))
        .collect();
    for ((attr, value), members) in sets {
        let Some(g) = attr_guid.get(&attr) else {
            continue;
        };
        project.sets.push(RefiSet {
            guid: derived_guid(&format!("set:{g}:{value}")),
            name: format!("{}: {value}", attr_name.get(g).copied().unwrap_or("?")),
            member_sources: members,
            member_codes: Vec::new(),
        });
    }
    // Cases: one per participant.
    let people = crate::study::participants::list(conn)?;
    let mut pstmt = conn.prepare(
        "SELECT pa.attribute_id, pa.value FROM participant_attributes pa WHERE pa.participant_id = ?1 ORDER BY pa.attribute_id",
    )?;
    let mut guid_stmt = conn.prepare("SELECT guid FROM participants WHERE id = ?1")?;
    let mut doc_by_name: HashMap<&str, i64> = HashMap::new();
    for d in &docs {
        doc_by_name.insert(d.name.as_str(), d.id);
    }
    for person in &people {
        let guid: String = guid_stmt.query_row([person.id], |r| r.get(0))?;
        let values = pstmt
            .query_map([person.id], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut description = format!("{ROLE_LINE}{}", person.role);
        let mut source_refs: Vec<String> = Vec::new();
        for (doc, label) in &person.appearances {
            let doc_id = doc_by_name.get(doc.as_str()).copied();
            let shown = match p {
                Some(p) => p.speaker(doc_id, label),
                None => label.clone(),
            };
            description.push_str(&format!(
                "\n{SPEAKS_AS_LINE}{shown} | {}",
                pseudo(doc_id, doc)
            ));
            if let Some(g) = doc_id.and_then(|id| doc_guid.get(&id))
                && !source_refs.contains(g)
            {
                source_refs.push(g.clone());
            }
        }
        project.cases.push(RefiCase {
            guid: refi_guid(&guid),
            name: person.pid.clone(),
            variable_values: values
                .into_iter()
                .filter_map(|(attr, value)| {
                    Some(RefiVariableValue {
                        variable_guid: attr_guid.get(&attr)?.clone(),
                        value,
                    })
                })
                .collect(),
            source_refs,
            description: Some(description),
        });
    }
    let mut attrs_by_doc: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    for (doc, attr, value) in doc_attrs {
        attrs_by_doc.entry(doc).or_default().push((attr, value));
    }
    for values in attrs_by_doc.values_mut() {
        values.sort();
    }
    Ok(ProjectExport {
        conn,
        p,
        head: project,
        docs,
        coder_guid,
        code_guid,
        attr_guid,
        doc_attrs: attrs_by_doc,
        note_refs,
    })
}
