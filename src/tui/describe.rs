//! Things named in words for messages and history entries: "'Access/Habit' on Linda's turn 2
//! (FG1)", never `code 1069:1206`, `coding #357` or `document #2`. Each is a few indexed
//! lookups, done once per action.

use crate::Result;
use crate::memo::Target;
use rusqlite::{Connection, OptionalExtension, params};

/// A code's full path ("Theme/Code"), or "a deleted code".
pub fn code_path(conn: &Connection, id: i64) -> Result<String> {
    let mut parts = Vec::new();
    let mut at = Some(id);
    let mut stmt = conn.prepare_cached("SELECT name, parent_id FROM codes WHERE id = ?1")?;
    // The depth guard stops a (corrupt) cycle.
    while let Some(id) = at.filter(|_| parts.len() < 64) {
        match stmt
            .query_row([id], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))
            .optional()?
        {
            Some((name, parent)) => {
                parts.push(name);
                at = parent;
            }
            None => break,
        }
    }
    if parts.is_empty() {
        return Ok("a deleted code".into());
    }
    parts.reverse();
    Ok(crate::text::sanitize(&parts.join("/"), false))
}

pub fn document_name(conn: &Connection, id: i64) -> Result<String> {
    let name: Option<String> = conn
        .prepare_cached("SELECT name FROM documents WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    Ok(name.map_or_else(
        || "a deleted document".into(),
        |n| crate::text::sanitize(&n, false),
    ))
}

/// (1-based number, speaker, start, end) of the turn holding char `at`.
fn turn_at(conn: &Connection, doc: i64, at: usize) -> Result<Option<(i64, String, i64, i64)>> {
    Ok(conn
        .prepare_cached(
            "SELECT idx, speaker, start, \"end\" FROM turns WHERE document_id = ?1 AND start <= ?2
              ORDER BY start DESC LIMIT 1",
        )?
        .query_row(params![doc, at as i64], |r| {
            Ok((
                r.get::<_, i64>(0)? + 1,
                r.get::<_, Option<String>>(1)?
                    .map(|s| crate::text::sanitize(&s, false))
                    .unwrap_or_else(|| "no speaker".into()),
                r.get(2)?,
                r.get(3)?,
            ))
        })
        .optional()?)
}

/// Where [start, end) of a document is, in words: "Sue's turn 12 (FG3)", "40 characters of
/// Sue's turn 12 (FG3)", "turns 12–14 (FG3)".
pub fn place(conn: &Connection, doc: i64, start: usize, end: usize) -> Result<String> {
    let name = document_name(conn, doc)?;
    let first = turn_at(conn, doc, start)?;
    let last = turn_at(conn, doc, end.saturating_sub(1).max(start))?;
    Ok(match (first, last) {
        (Some((n, who, s, e)), Some((m, ..))) if n == m => {
            let whose = if who == "no speaker" {
                format!("turn {n}")
            } else {
                format!("{who}'s turn {n}")
            };
            if s as usize == start && e as usize == end {
                format!("{whose} ({name})")
            } else {
                format!("{} characters of {whose} ({name})", end - start)
            }
        }
        (Some((n, ..)), Some((m, ..))) => format!("turns {n}–{m} ({name})"),
        _ => format!("{} characters of {name}", end - start),
    })
}

/// A coding in words: "'Access/Habit' on Linda's turn 2 (FG1)".
pub fn coding(conn: &Connection, id: i64) -> Result<String> {
    let row: Option<(i64, i64, i64, i64)> = conn
        .prepare_cached("SELECT code_id, document_id, start, \"end\" FROM codings WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    Ok(match row {
        Some((code, doc, s, e)) => format!(
            "'{}' on {}",
            code_path(conn, code)?,
            place(conn, doc, s as usize, e as usize)?
        ),
        None => "a deleted coding".into(),
    })
}

/// What a memo is attached to, in words.
pub fn target(conn: &Connection, t: Target) -> Result<String> {
    Ok(match t {
        Target::Project => "the study".into(),
        Target::Document(id) => format!("document {}", document_name(conn, id)?),
        Target::Code(id) => format!("code '{}'", code_path(conn, id)?),
        Target::Coding(id) => format!("the coding {}", coding(conn, id)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_and_codings_read_as_words() {
        let dir = tempfile::tempdir().unwrap();
        let study = crate::tui::fixture::small_study(&dir.path().join("s.thematic")).unwrap();
        let conn = study.conn();
        let doc: i64 = conn
            .query_row("SELECT id FROM documents WHERE name = 'FG1'", [], |r| {
                r.get(0)
            })
            .unwrap();
        let turns = crate::study::documents::turns(conn, doc).unwrap();
        let (s, e) = (turns[1].start as usize, turns[1].end as usize);
        assert_eq!(place(conn, doc, s, e).unwrap(), "Linda's turn 2 (FG1)");
        assert_eq!(
            place(conn, doc, s, s + 11).unwrap(),
            "11 characters of Linda's turn 2 (FG1)"
        );
        let e2 = turns[2].end as usize;
        assert_eq!(place(conn, doc, s, e2).unwrap(), "turns 2–3 (FG1)");
        let (id, code): (i64, i64) = conn
            .query_row(
                "SELECT c.id, c.code_id FROM codings c JOIN codes k ON k.id = c.code_id WHERE k.name = 'Habit' LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(code_path(conn, code).unwrap(), "Access/Habit");
        assert_eq!(
            coding(conn, id).unwrap(),
            "'Access/Habit' on 19 characters of Linda's turn 2 (FG1)"
        );
        assert_eq!(coding(conn, 999_999).unwrap(), "a deleted coding");
        assert_eq!(
            target(conn, Target::Code(code)).unwrap(),
            "code 'Access/Habit'"
        );
    }
}
