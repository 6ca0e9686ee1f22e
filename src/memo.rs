//! Memos: a researcher's notes on the study, a document, a code or a coding.

use crate::error::Result;
use crate::study::history::{Recorder, id_key};
use crate::study::new_guid;
use rusqlite::types::Value;
use rusqlite::{Connection, params};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    Project,
    Document(i64),
    Code(i64),
    Coding(i64),
}

impl Target {
    pub fn kind(self) -> &'static str {
        match self {
            Target::Project => "project",
            Target::Document(_) => "document",
            Target::Code(_) => "code",
            Target::Coding(_) => "coding",
        }
    }

    pub fn id(self) -> Option<i64> {
        match self {
            Target::Project => None,
            Target::Document(id) | Target::Code(id) | Target::Coding(id) => Some(id),
        }
    }

    pub fn from_parts(kind: &str, id: Option<i64>) -> Target {
        match (kind, id) {
            ("document", Some(id)) => Target::Document(id),
            ("code", Some(id)) => Target::Code(id),
            ("coding", Some(id)) => Target::Coding(id),
            _ => Target::Project,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Memo {
    pub id: i64,
    pub guid: String,
    pub target: Target,
    pub coder: String,
    pub title: String,
    pub body: String,
    pub created_at: String,
    pub updated_at: String,
}

pub fn add(
    rec: &mut Recorder,
    target: Target,
    coder_id: i64,
    title: &str,
    body: &str,
) -> Result<i64> {
    let now = rec.now.clone();
    rec.insert(
        "memos",
        &[
            ("guid", Value::Text(new_guid())),
            ("target_kind", Value::Text(target.kind().into())),
            (
                "target_id",
                target.id().map(Value::Integer).unwrap_or(Value::Null),
            ),
            ("coder_id", Value::Integer(coder_id)),
            ("title", Value::Text(title.into())),
            ("body", Value::Text(body.into())),
            ("created_at", Value::Text(now.clone())),
            ("updated_at", Value::Text(now)),
        ],
    )
}

pub fn update(rec: &mut Recorder, id: i64, body: &str) -> Result<bool> {
    let now = rec.now.clone();
    rec.update(
        "memos",
        &id_key(id),
        &[
            ("body", Value::Text(body.into())),
            ("updated_at", Value::Text(now)),
        ],
    )
}

pub fn delete(rec: &mut Recorder, id: i64) -> Result<bool> {
    rec.delete("memos", &id_key(id))
}

/// Deletes every memo on a target that is itself being deleted.
pub fn delete_attached(rec: &mut Recorder, kind: &str, id: i64) -> Result<()> {
    let ids: Vec<i64> = rec
        .tx
        .prepare_cached("SELECT id FROM memos WHERE target_kind = ?1 AND target_id = ?2")?
        .query_map(params![kind, id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for memo in ids {
        rec.delete("memos", &id_key(memo))?;
    }
    Ok(())
}

/// Memos on `target` (or every memo when None), oldest first.
pub fn list(conn: &Connection, target: Option<Target>) -> Result<Vec<Memo>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.id, m.guid, m.target_kind, m.target_id, c.name, m.title, m.body, m.created_at, m.updated_at
           FROM memos m JOIN coders c ON c.id = m.coder_id
          WHERE ?1 IS NULL OR (m.target_kind = ?1 AND m.target_id IS ?2)
          ORDER BY m.id",
    )?;
    let (kind, id) = match target {
        Some(t) => (Some(t.kind()), t.id()),
        None => (None, None),
    };
    let rows = stmt.query_map(params![kind, id], |r| {
        Ok(Memo {
            id: r.get(0)?,
            guid: r.get(1)?,
            target: Target::from_parts(&r.get::<_, String>(2)?, r.get(3)?),
            coder: r.get(4)?,
            title: r.get(5)?,
            body: r.get(6)?,
            created_at: r.get(7)?,
            updated_at: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The HTML report's memos section: every memo, grouped by what it is on (the study,
/// documents, codes, codings), with its author and date, escaped. Empty when there are none.
pub fn html_section(conn: &Connection) -> crate::error::Result<String> {
    use crate::analysis::report::escape;
    use std::fmt::Write;
    let memos = list(conn, None)?;
    if memos.is_empty() {
        return Ok(String::new());
    }
    let mut out = String::from(r#"<section id="memos"><h2>Memos</h2>"#);
    for (kind, heading) in [
        ("project", "On the study"),
        ("document", "On documents"),
        ("code", "On codes"),
        ("coding", "On coded passages"),
    ] {
        let of_kind: Vec<&Memo> = memos.iter().filter(|m| m.target.kind() == kind).collect();
        if of_kind.is_empty() {
            continue;
        }
        let _ = write!(out, "<h3>{}</h3>", escape(heading));
        for m in of_kind {
            let on = crate::tui::describe::target(conn, m.target)?;
            let _ = write!(
                out,
                r#"<div class="memo"><p class="memo-on">{} · {} · {}</p>"#,
                escape(&on),
                escape(&m.coder),
                escape(m.updated_at.get(..10).unwrap_or(&m.updated_at))
            );
            for para in m.body.split("\n\n").filter(|p| !p.trim().is_empty()) {
                let _ = write!(out, "<p>{}</p>", escape(para.trim()).replace('\n', "<br>"));
            }
            out.push_str("</div>");
        }
    }
    out.push_str("</section>");
    Ok(out)
}

#[cfg(test)]
mod html_tests {
    #[test]
    fn the_report_section_lists_memos_by_target_escaped() {
        let dir = tempfile::tempdir().unwrap();
        let mut study = crate::tui::fixture::small_study(&dir.path().join("s.thematic")).unwrap();
        assert_eq!(super::html_section(study.conn()).unwrap(), "");
        let alex = study.ensure_coder("alex").unwrap();
        let code: i64 = study
            .conn()
            .query_row("SELECT id FROM codes WHERE name = 'Habit'", [], |r| {
                r.get(0)
            })
            .unwrap();
        study
            .change(Some(alex.id), "memo", "memo", |rec| {
                super::add(
                    rec,
                    super::Target::Project,
                    alex.id,
                    "",
                    "Big <picture>.\n\nSecond.",
                )?;
                super::add(
                    rec,
                    super::Target::Code(code),
                    alex.id,
                    "",
                    "Habit vs need.",
                )
            })
            .unwrap();
        let html = super::html_section(study.conn()).unwrap();
        assert!(
            html.starts_with(r#"<section id="memos"><h2>Memos</h2>"#),
            "{html}"
        );
        assert!(html.contains("<h3>On the study</h3>"), "{html}");
        assert!(
            html.contains("<p>Big &lt;picture&gt;.</p><p>Second.</p>"),
            "{html}"
        );
        assert!(
            html.contains("code &#39;Access/Habit&#39; · alex"),
            "{html}"
        );
        assert!(!html.contains("On coded passages"), "{html}");
    }
}
