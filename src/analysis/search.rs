//! Full-text search over every transcript's turns (SQLite FTS5, table `turns_fts`), with
//! speaker, document and attribute filters; hits come back in context with the matched words
//! marked.

use super::{AttributeRef, parse_condition, resolve_attribute};
use crate::error::{Error, Result};
use crate::study::participants::Scope;
use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};
use serde::Serialize;

/// Filters shared by search and auto-coding.
#[derive(Debug, Clone, Default)]
pub struct TurnFilter {
    /// A speaker label (as in the transcript) or a participant id.
    pub speaker: Option<String>,
    /// A document name (exact, or a unique prefix).
    pub document: Option<String>,
    /// ATTRIBUTE=VALUE conditions (participant or document attributes), all of which hold.
    pub conditions: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct SearchOptions {
    pub query: String,
    /// Pass the query to FTS5 as written (operators, NEAR, column filters…).
    pub raw: bool,
    pub filter: TurnFilter,
    /// At most this many hits (0: all).
    pub limit: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    pub turn_id: i64,
    pub document_id: i64,
    pub document: String,
    /// Turn number as `thematic show` lists them (from 1).
    pub turn: i64,
    pub speaker: Option<String>,
    pub participant: Option<String>,
    /// The turn's range in the document (code points).
    pub start: i64,
    pub end: i64,
    /// A window of the turn around the hits…
    pub snippet: String,
    /// …and the matched words in it, as [start, end) code-point ranges of `snippet`.
    pub marks: Vec<(usize, usize)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResults {
    /// The FTS5 query actually run.
    pub fts_query: String,
    /// Matching turns (all of them, not just those returned).
    pub total: u64,
    pub hits: Vec<SearchHit>,
}

/// Turns what people type into a safe FTS5 query: words and "quoted phrases" must all occur,
/// `word*` matches a prefix, `OR` between terms is kept. Punctuation can't cause syntax errors.
pub fn fts_query(input: &str) -> Result<String> {
    let mut terms: Vec<String> = Vec::new();
    let mut rest = input.trim();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('"') {
            let (phrase, tail) = match after.find('"') {
                Some(i) => (&after[..i], &after[i + 1..]),
                None => (after, ""),
            };
            if !phrase.trim().is_empty() {
                terms.push(format!("\"{}\"", phrase.replace('"', "")));
            }
            rest = tail.trim_start();
            continue;
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = &rest[..end];
        rest = rest[end..].trim_start();
        if word == "OR" || word == "AND" || word == "NOT" {
            if !terms.is_empty() && !rest.is_empty() {
                terms.push(word.to_string());
            }
            continue;
        }
        let (stem, prefix) = match word.strip_suffix('*') {
            Some(s) => (s, true),
            None => (word, false),
        };
        let stem = stem.replace('"', "");
        if stem.chars().any(char::is_alphanumeric) {
            terms.push(format!("\"{stem}\"{}", if prefix { " *" } else { "" }));
        }
    }
    while matches!(terms.last().map(String::as_str), Some("OR" | "AND" | "NOT")) {
        terms.pop();
    }
    if terms.is_empty() {
        return Err(crate::invalid!("'{input}' has no words to search for"));
    }
    Ok(terms.join(" "))
}

/// SQL conditions on `t` (turns) for a filter, with their parameters.
pub(crate) fn filter_sql(conn: &Connection, f: &TurnFilter) -> Result<(String, Vec<Value>)> {
    let mut sql = String::new();
    let mut params: Vec<Value> = Vec::new();
    if let Some(doc) = &f.document {
        let d = crate::study::documents::resolve(conn, doc)?;
        sql.push_str(" AND t.document_id = ?");
        params.push(Value::Integer(d.id));
    }
    if let Some(speaker) = &f.speaker {
        sql.push_str(
            " AND (t.speaker = ? COLLATE NOCASE OR EXISTS (SELECT 1 FROM speakers s JOIN participants p ON p.id = s.participant_id
                 WHERE s.document_id = t.document_id AND s.label = t.speaker AND p.pid = ? COLLATE NOCASE))",
        );
        params.push(Value::Text(speaker.clone()));
        params.push(Value::Text(speaker.clone()));
    }
    for cond in &f.conditions {
        let (name, value) = parse_condition(cond)?;
        let AttributeRef { id, scope, .. } = resolve_attribute(conn, &name)?;
        match scope {
            Scope::Participant => sql.push_str(
                " AND EXISTS (SELECT 1 FROM speakers s JOIN participant_attributes pa ON pa.participant_id = s.participant_id
                     WHERE s.document_id = t.document_id AND s.label = t.speaker AND pa.attribute_id = ? AND pa.value = ? COLLATE NOCASE)",
            ),
            Scope::Document => sql.push_str(
                " AND EXISTS (SELECT 1 FROM document_attributes da
                     WHERE da.document_id = t.document_id AND da.attribute_id = ? AND da.value = ? COLLATE NOCASE)",
            ),
        }
        params.push(Value::Integer(id));
        params.push(Value::Text(value));
    }
    Ok((sql, params))
}

fn fts_error(query: &str, e: rusqlite::Error) -> Error {
    match &e {
        rusqlite::Error::SqliteFailure(_, Some(msg)) if msg.contains("fts5") => {
            crate::invalid!("the search '{query}' is not valid: {msg}")
        }
        _ => Error::Sql(e),
    }
}

const MARK_OPEN: char = '\u{2}';
const MARK_CLOSE: char = '\u{3}';

/// Splits text with FTS5's \x02…\x03 marks into clean text and code-point mark ranges.
pub(crate) fn unmark(marked: &str) -> (String, Vec<(usize, usize)>) {
    let mut text = String::with_capacity(marked.len());
    let mut marks = Vec::new();
    let mut n = 0;
    let mut open = None;
    for c in marked.chars() {
        match c {
            MARK_OPEN => open = Some(n),
            MARK_CLOSE => {
                if let Some(s) = open.take() {
                    marks.push((s, n));
                }
            }
            c => {
                text.push(c);
                n += 1;
            }
        }
    }
    (text, marks)
}

pub fn search(conn: &Connection, opts: &SearchOptions) -> Result<SearchResults> {
    let q = if opts.raw {
        opts.query.clone()
    } else {
        fts_query(&opts.query)?
    };
    let (filter, fparams) = filter_sql(conn, &opts.filter)?;
    let mut params: Vec<Value> = vec![Value::Text(q.clone())];
    params.extend(fparams);
    // Without filters the index alone can count; the join is only for speaker/attribute filters.
    let count_sql = if filter.is_empty() {
        "SELECT count(*) FROM turns_fts WHERE turns_fts MATCH ?".to_string()
    } else {
        format!(
            "SELECT count(*) FROM turns_fts f JOIN turns t ON t.id = f.rowid WHERE turns_fts MATCH ?{filter}"
        )
    };
    let total: u64 = conn
        .prepare_cached(&count_sql)
        .map_err(|e| fts_error(&q, e))?
        .query_row(params_from_iter(params.iter()), |r| r.get::<_, i64>(0))
        .map_err(|e| fts_error(&q, e))? as u64;
    let limit = if opts.limit == 0 {
        -1
    } else {
        opts.limit as i64
    };
    params.push(Value::Integer(limit));
    // Turn ids follow import order, which is document order, and FTS5 streams rowid order, so
    // the first page of a common word does not sort every match first.
    let sql = format!(
        "SELECT t.id, t.document_id, d.name, t.idx, t.speaker,
                (SELECT p.pid FROM speakers s JOIN participants p ON p.id = s.participant_id
                  WHERE s.document_id = t.document_id AND s.label = t.speaker),
                t.start, t.\"end\", snippet(turns_fts, 0, char(2), char(3), '…', 24)
           FROM turns_fts f JOIN turns t ON t.id = f.rowid JOIN documents d ON d.id = t.document_id
          WHERE turns_fts MATCH ?{filter}
          ORDER BY f.rowid LIMIT ?"
    );
    let mut stmt = conn.prepare_cached(&sql).map_err(|e| fts_error(&q, e))?;
    let rows = stmt
        .query_map(params_from_iter(params.iter()), |r| {
            let marked: String = r.get(8)?;
            let (snippet, marks) = unmark(&marked);
            Ok(SearchHit {
                turn_id: r.get(0)?,
                document_id: r.get(1)?,
                document: r.get(2)?,
                turn: r.get::<_, i64>(3)? + 1,
                speaker: r.get(4)?,
                participant: r.get(5)?,
                start: r.get(6)?,
                end: r.get(7)?,
                snippet,
                marks,
            })
        })
        .map_err(|e| fts_error(&q, e))?;
    let hits = rows
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| fts_error(&q, e))?;
    Ok(SearchResults {
        fts_query: q,
        total,
        hits,
    })
}

/// A matching turn: document id, the turn's range, and the matched words' ranges.
pub(crate) type TurnHits = (i64, (i64, i64), Vec<(i64, i64)>);

/// Every matching turn with the matched words' ranges in the document (for auto-coding).
pub(crate) fn hit_spans(
    conn: &Connection,
    query: &str,
    raw: bool,
    filter: &TurnFilter,
) -> Result<Vec<TurnHits>> {
    let q = if raw {
        query.to_string()
    } else {
        fts_query(query)?
    };
    let (fsql, fparams) = filter_sql(conn, filter)?;
    let mut params: Vec<Value> = vec![Value::Text(q.clone())];
    params.extend(fparams);
    let sql = format!(
        "SELECT t.document_id, t.start, t.\"end\", highlight(turns_fts, 0, char(2), char(3))
           FROM turns_fts f JOIN turns t ON t.id = f.rowid
          WHERE turns_fts MATCH ?{fsql} ORDER BY t.document_id, t.start"
    );
    let mut stmt = conn.prepare(&sql).map_err(|e| fts_error(&q, e))?;
    let rows = stmt
        .query_map(params_from_iter(params.iter()), |r| {
            let (doc, start, end): (i64, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
            let marked: String = r.get(3)?;
            let (_, marks) = unmark(&marked);
            let spans = marks
                .into_iter()
                .map(|(s, e)| (start + s as i64, start + e as i64))
                .collect();
            Ok((doc, (start, end), spans))
        })
        .map_err(|e| fts_error(&q, e))?;
    rows.collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| fts_error(&q, e))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::seed;
    use super::*;

    #[test]
    fn queries_are_made_safe() {
        assert_eq!(fts_query("bus fare").unwrap(), "\"bus\" \"fare\"");
        assert_eq!(fts_query("don't").unwrap(), "\"don't\"");
        assert_eq!(
            fts_query("\"too high\" cost*").unwrap(),
            "\"too high\" \"cost\" *"
        );
        assert_eq!(fts_query("cost OR fare").unwrap(), "\"cost\" OR \"fare\"");
        assert!(fts_query("  !! ").is_err());
    }

    #[test]
    fn finds_turns_with_filters_and_marks() {
        let (_dir, study, _) = seed();
        let conn = study.conn();
        let all = search(
            conn,
            &SearchOptions {
                query: "doctor".into(),
                ..Default::default()
            },
        )
        .unwrap();
        // "doctor": FG1 t0 (M), FG2 t0 (M), FG2 t2 (P4).
        assert_eq!(all.total, 3);
        assert_eq!(all.hits.len(), 3);
        let h = &all.hits[2];
        assert_eq!((h.document.as_str(), h.turn), ("FG2", 3));
        assert_eq!(h.snippet, "I trust my nurse more than the doctor.");
        assert_eq!(h.marks, vec![(31, 37)]);
        let only_p4 = search(
            conn,
            &SearchOptions {
                query: "doctor".into(),
                filter: TurnFilter {
                    speaker: Some("P4".into()),
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(only_p4.total, 1);
        // Moderator M is female too; the document filter leaves FG2's two hits.
        let female_fg2 = search(
            conn,
            &SearchOptions {
                query: "doctor".into(),
                filter: TurnFilter {
                    conditions: vec!["gender=female".into()],
                    document: Some("FG2".into()),
                    ..Default::default()
                },
                limit: 1,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!((female_fg2.total, female_fg2.hits.len()), (2, 1));
        let male = search(
            conn,
            &SearchOptions {
                query: "clinic".into(),
                filter: TurnFilter {
                    conditions: vec!["composition=all-male".into()],
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .unwrap();
        // "clinic": FG1 t2 (all-female), FG3 t0 (all-male) → 1.
        assert_eq!(male.total, 1);
        assert_eq!(male.hits[0].document, "FG3");
    }
}
