//! The codebook for people (Markdown, for a paper's appendix) and programs (CSV, JSON), with
//! counts of codings, documents and participants per code — each for the code itself and
//! including its subcodes (a theme's totals).
//!
//! A coding counts for every participant who speaks in a turn it overlaps; moderators are not
//! participants.

use super::pseudonymize::Pseudonymizer;
use crate::codebook::{self, Code};
use crate::error::{Error, Result};
use rusqlite::Connection;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// A coding with the participants it touches.
#[derive(Debug, Clone)]
pub struct CodingFacts {
    pub id: i64,
    pub document_id: i64,
    pub code_id: i64,
    pub coder_id: i64,
    pub start: i64,
    pub end: i64,
    pub participants: Vec<i64>,
}

/// Every coding (optionally one coder's) with the participants of the turns it overlaps.
pub fn load_codings(conn: &Connection, coder: Option<i64>) -> Result<Vec<CodingFacts>> {
    let mut turns: HashMap<i64, Vec<(i64, i64, i64)>> = HashMap::new();
    {
        let mut stmt = conn.prepare(
            "SELECT t.document_id, t.start, t.\"end\", p.id FROM turns t
               JOIN speakers s ON s.document_id = t.document_id AND s.label = t.speaker
               JOIN participants p ON p.id = s.participant_id
              WHERE p.role <> 'moderator' ORDER BY t.document_id, t.start",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
        for row in rows {
            let (doc, s, e, p) = row?;
            turns.entry(doc).or_default().push((s, e, p));
        }
    }
    let mut stmt = conn.prepare(
        "SELECT id, document_id, code_id, coder_id, start, \"end\" FROM codings
          WHERE ?1 IS NULL OR coder_id = ?1 ORDER BY document_id, start, id",
    )?;
    let rows = stmt.query_map([coder], |r| {
        Ok(CodingFacts {
            id: r.get(0)?,
            document_id: r.get(1)?,
            code_id: r.get(2)?,
            coder_id: r.get(3)?,
            start: r.get(4)?,
            end: r.get(5)?,
            participants: Vec::new(),
        })
    })?;
    let mut out = Vec::new();
    for row in rows {
        let mut c = row?;
        if let Some(ts) = turns.get(&c.document_id) {
            let set: BTreeSet<i64> = ts
                .iter()
                .filter(|(s, e, _)| *s < c.end && *e > c.start)
                .map(|(_, _, p)| *p)
                .collect();
            c.participants = set.into_iter().collect();
        }
        out.push(c);
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Counts {
    pub codings: usize,
    pub documents: usize,
    pub participants: usize,
}

fn count(codings: &[&CodingFacts]) -> Counts {
    Counts {
        codings: codings.len(),
        documents: codings
            .iter()
            .map(|c| c.document_id)
            .collect::<BTreeSet<_>>()
            .len(),
        participants: codings
            .iter()
            .flat_map(|c| c.participants.iter().copied())
            .collect::<BTreeSet<_>>()
            .len(),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CodebookEntry {
    pub code: String,
    pub name: String,
    pub theme: String,
    pub level: usize,
    pub guid: String,
    pub colour: String,
    pub definition: String,
    pub inclusion: String,
    pub exclusion: String,
    pub example: String,
    pub memo: String,
    /// This code's own codings.
    pub counts: Counts,
    /// Including every subcode's codings.
    pub total: Counts,
}

/// The codebook in codebook order with counts.
pub fn entries(conn: &Connection, p: Option<&Pseudonymizer>) -> Result<Vec<CodebookEntry>> {
    let codes = codebook::all(conn)?;
    let facts = load_codings(conn, None)?;
    let mut by_code: HashMap<i64, Vec<&CodingFacts>> = HashMap::new();
    for f in &facts {
        by_code.entry(f.code_id).or_default().push(f);
    }
    let t = |s: &str| p.map_or_else(|| s.to_string(), |p| p.text(None, s));
    Ok(codes
        .iter()
        .map(|c: &Code| {
            let own: Vec<&CodingFacts> = by_code.get(&c.id).cloned().unwrap_or_default();
            let all: Vec<&CodingFacts> = codebook::subtree_ids(&codes, c.id)
                .iter()
                .flat_map(|id| by_code.get(id).cloned().unwrap_or_default())
                .collect();
            CodebookEntry {
                code: t(&c.path),
                name: t(&c.name),
                theme: t(c.path.split('/').next().unwrap_or_default()),
                level: c.depth,
                guid: c.guid.clone(),
                colour: c.colour.clone(),
                definition: t(&c.definition),
                inclusion: t(&c.inclusion),
                exclusion: t(&c.exclusion),
                example: t(&c.example),
                memo: t(&c.memo),
                counts: count(&own),
                total: count(&all),
            }
        })
        .collect())
}

pub fn to_csv(entries: &[CodebookEntry]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| Error::Csv(e.to_string());
    w.write_record(crate::spreadsheet::record([
        "code",
        "theme",
        "level",
        "colour",
        "definition",
        "inclusion",
        "exclusion",
        "example",
        "memo",
        "codings",
        "documents",
        "participants",
        "total_codings",
        "total_documents",
        "total_participants",
    ]))
    .map_err(err)?;
    for e in entries {
        w.write_record(crate::spreadsheet::record([
            e.code.as_str(),
            &e.theme,
            &e.level.to_string(),
            &e.colour,
            &e.definition,
            &e.inclusion,
            &e.exclusion,
            &e.example,
            &e.memo,
            &e.counts.codings.to_string(),
            &e.counts.documents.to_string(),
            &e.counts.participants.to_string(),
            &e.total.codings.to_string(),
            &e.total.documents.to_string(),
            &e.total.participants.to_string(),
        ]))
        .map_err(err)?;
    }
    String::from_utf8(w.into_inner().map_err(|e| Error::Csv(e.to_string()))?)
        .map_err(|e| Error::Csv(e.to_string()))
}

pub fn to_json(entries: &[CodebookEntry]) -> Result<String> {
    serde_json::to_string_pretty(entries).map_err(|e| Error::Invalid(e.to_string()))
}

/// Markdown text that cannot break the document's structure: headings and list markers at the
/// start of a line are escaped, as are the few inline characters Markdown acts on.
fn md_text(s: &str) -> String {
    s.lines()
        .map(|line| {
            let mut out = String::new();
            for (i, c) in line.chars().enumerate() {
                if matches!(c, '\\' | '`' | '*' | '_' | '<' | '>' | '[' | ']' | '|')
                    || (i == 0 && matches!(c, '#' | '-' | '+' | '='))
                {
                    out.push('\\');
                }
                out.push(c);
            }
            out
        })
        .collect::<Vec<_>>()
        .join("  \n")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn counts_line(c: &Counts) -> String {
    format!(
        "{}, {}, {}",
        plural(c.codings, "coding", "codings"),
        plural(c.documents, "document", "documents"),
        plural(c.participants, "participant", "participants")
    )
}

/// The codebook as Markdown: a heading per theme and code, its definition, inclusion and
/// exclusion criteria, an example, and counts.
pub fn to_markdown(study_name: &str, entries: &[CodebookEntry]) -> String {
    let mut out = format!("# Codebook: {}\n\n", md_text(study_name));
    let themes = entries.iter().filter(|e| e.level == 0).count();
    out.push_str(&format!(
        "{} themes, {} codes. Counts are codings, the documents they occur in, and the distinct participants (moderators excluded) who speak in the coded passages; a theme's counts include its subcodes.\n",
        themes,
        entries.len()
    ));
    for e in entries {
        let hashes = "#".repeat((e.level + 2).min(6));
        out.push_str(&format!("\n{hashes} {}\n\n", md_text(&e.name)));
        if e.level > 0 {
            out.push_str(&format!("*{}*\n\n", md_text(&e.code)));
        }
        let c = if e.level == 0 { &e.total } else { &e.counts };
        out.push_str(&format!("Counts: {}", counts_line(c)));
        if e.level > 0 && e.total.codings != e.counts.codings {
            out.push_str(&format!(" ({} with subcodes)", counts_line(&e.total)));
        }
        out.push_str("\n\n");
        for (label, value) in [
            ("Definition", &e.definition),
            ("Inclusion", &e.inclusion),
            ("Exclusion", &e.exclusion),
            ("Example", &e.example),
        ] {
            if !value.trim().is_empty() {
                out.push_str(&format!("**{label}:** {}\n\n", md_text(value.trim())));
            }
        }
    }
    out
}
