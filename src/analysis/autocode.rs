//! Auto-coding: apply a code to every search hit, every turn of a speaker, or every match of
//! a regular expression — as ONE recorded action, so one `thematic undo` takes it all back.

use super::search::{TurnFilter, filter_sql, hit_spans};
use crate::codebook;
use crate::error::Result;
use crate::study::Study;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AutoSource {
    /// Turns matching a full-text search (see `search::fts_query`).
    Search { query: String, raw: bool },
    /// Matches of a regular expression within each turn.
    Regex(String),
    /// Every turn that passes the filter (typically one speaker's turns).
    Turns,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SpanMode {
    /// Just the matched words (search) or the regex match.
    #[default]
    Hit,
    /// The whole turn containing a match.
    Turn,
}

#[derive(Debug, Clone)]
pub struct AutocodeOptions {
    /// Code path; created (in the same action) when it does not exist.
    pub code: String,
    pub source: AutoSource,
    pub span: SpanMode,
    pub filter: TurnFilter,
}

/// A passage to code: document id and [start, end).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Passage {
    pub document_id: i64,
    pub start: i64,
    pub end: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AutocodeOutcome {
    pub code: String,
    pub code_created: bool,
    /// Passages found (after merging overlaps).
    pub matched: usize,
    pub added: usize,
    /// Passages this coder had already coded with this code.
    pub already_coded: usize,
    /// The recorded action (None when nothing needed doing).
    pub change_id: Option<i64>,
}

/// The passages an auto-code would code, in document order, overlaps merged. Pure.
pub fn plan(conn: &Connection, opts: &AutocodeOptions) -> Result<Vec<Passage>> {
    let mut out: Vec<Passage> = Vec::new();
    match &opts.source {
        AutoSource::Search { query, raw } => {
            for (doc, (ts, te), spans) in hit_spans(conn, query, *raw, &opts.filter)? {
                match opts.span {
                    SpanMode::Turn => out.push(Passage {
                        document_id: doc,
                        start: ts,
                        end: te,
                    }),
                    SpanMode::Hit => out.extend(spans.into_iter().map(|(s, e)| Passage {
                        document_id: doc,
                        start: s,
                        end: e,
                    })),
                }
            }
        }
        AutoSource::Turns => {
            for (doc, s, e) in filtered_turns(conn, &opts.filter)? {
                out.push(Passage {
                    document_id: doc,
                    start: s,
                    end: e,
                });
            }
        }
        AutoSource::Regex(pattern) => {
            let re = regex::Regex::new(pattern).map_err(|e| {
                crate::invalid!("'{pattern}' is not a valid regular expression: {e}")
            })?;
            let turns = filtered_turns(conn, &opts.filter)?;
            let mut i = 0;
            while i < turns.len() {
                let doc = turns[i].0;
                let mut j = i;
                while j < turns.len() && turns[j].0 == doc {
                    j += 1;
                }
                let text = crate::study::documents::text(conn, doc)?;
                // Walk the text once, turning code-point offsets into byte offsets.
                let mut chars = text.char_indices().map(|(b, _)| b).chain([text.len()]);
                let mut char_pos = 0i64;
                let mut byte_at = |target: i64, char_pos: &mut i64| -> usize {
                    let mut b = text.len();
                    while *char_pos <= target {
                        match chars.next() {
                            Some(x) => b = x,
                            None => break,
                        }
                        *char_pos += 1;
                    }
                    b
                };
                for &(_, ts, te) in &turns[i..j] {
                    let b0 = byte_at(ts, &mut char_pos);
                    let b1 = byte_at(te, &mut char_pos);
                    let slice = &text[b0..b1];
                    let mut matched = false;
                    for m in re.find_iter(slice) {
                        if m.start() == m.end() {
                            continue;
                        }
                        matched = true;
                        if opts.span == SpanMode::Hit {
                            let s = ts + slice[..m.start()].chars().count() as i64;
                            let e = s + m.as_str().chars().count() as i64;
                            out.push(Passage {
                                document_id: doc,
                                start: s,
                                end: e,
                            });
                        }
                    }
                    if matched && opts.span == SpanMode::Turn {
                        out.push(Passage {
                            document_id: doc,
                            start: ts,
                            end: te,
                        });
                    }
                }
                i = j;
            }
        }
    }
    out.sort();
    let mut merged: Vec<Passage> = Vec::with_capacity(out.len());
    for p in out {
        match merged.last_mut() {
            Some(last) if last.document_id == p.document_id && p.start < last.end => {
                last.end = last.end.max(p.end);
            }
            _ => merged.push(p),
        }
    }
    Ok(merged)
}

fn filtered_turns(conn: &Connection, filter: &TurnFilter) -> Result<Vec<(i64, i64, i64)>> {
    let (fsql, params) = filter_sql(conn, filter)?;
    let sql = format!(
        "SELECT t.document_id, t.start, t.\"end\" FROM turns t WHERE 1 = 1{fsql} ORDER BY t.document_id, t.start"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(params.iter()), |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn describe(opts: &AutocodeOptions) -> String {
    let what = match &opts.source {
        AutoSource::Search { query, .. } => format!("search '{query}'"),
        AutoSource::Regex(r) => format!("regex /{r}/"),
        AutoSource::Turns => "turns".to_string(),
    };
    let mut s = format!("auto-code {} from {what}", opts.code);
    if let Some(sp) = &opts.filter.speaker {
        s.push_str(&format!(", speaker {sp}"));
    }
    if let Some(d) = &opts.filter.document {
        s.push_str(&format!(", in {d}"));
    }
    for c in &opts.filter.conditions {
        s.push_str(&format!(", where {c}"));
    }
    s
}

/// Plans and applies an auto-code as one recorded action of `coder`.
pub fn autocode(study: &mut Study, coder: i64, opts: &AutocodeOptions) -> Result<AutocodeOutcome> {
    let passages = plan(study.conn(), opts)?;
    let codes = codebook::all(study.conn())?;
    let existing = match codebook::resolve(&codes, &opts.code) {
        Ok(c) => Some(c),
        Err(crate::Error::NotFound(_)) => None,
        Err(e) => return Err(e),
    };
    let mut outcome = AutocodeOutcome {
        code: existing
            .as_ref()
            .map(|c| c.path.clone())
            .unwrap_or_else(|| opts.code.clone()),
        code_created: existing.is_none(),
        matched: passages.len(),
        added: 0,
        already_coded: 0,
        change_id: None,
    };
    let is_coded = |conn: &Connection, code: i64, p: &Passage| -> Result<bool> {
        Ok(conn
            .prepare_cached(
                "SELECT 1 FROM codings WHERE coder_id = ?1 AND code_id = ?2 AND document_id = ?3 AND start = ?4 AND \"end\" = ?5",
            )?
            .query_row(params![coder, code, p.document_id, p.start, p.end], |_| Ok(()))
            .optional()?
            .is_some())
    };
    let todo: Vec<Passage> = match &existing {
        Some(c) => {
            let mut v = Vec::new();
            for p in &passages {
                if is_coded(study.conn(), c.id, p)? {
                    outcome.already_coded += 1;
                } else {
                    v.push(*p);
                }
            }
            v
        }
        None => passages.clone(),
    };
    if todo.is_empty() {
        return Ok(outcome);
    }
    let summary = format!("{} ({} passage(s))", describe(opts), todo.len());
    let path = opts.code.clone();
    let (change_id, added) = study.change(Some(coder), "autocode", &summary, |rec| {
        let (code, _) = match &existing {
            Some(c) => (c.id, false),
            None => crate::codebook::edit::ensure_path(rec, &path)?,
        };
        let mut added = 0;
        for p in &todo {
            crate::coding::add(rec, p.document_id, code, coder, p.start, p.end)?;
            added += 1;
        }
        Ok((rec.change_id, added))
    })?;
    outcome.added = added;
    outcome.change_id = Some(change_id);
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::seed;
    use super::*;

    fn count(study: &Study, code: &str) -> i64 {
        study
            .conn()
            .query_row(
                "SELECT count(*) FROM codings c JOIN codes k ON k.id = c.code_id WHERE k.name = ?1",
                [code],
                |r| r.get(0),
            )
            .unwrap()
    }

    #[test]
    fn search_hits_regex_and_turns_in_one_undoable_action() {
        let (_dir, mut study, ids) = seed();
        let alex = study.coder_by_name("alex").unwrap().unwrap();
        // "bus": FG1 t2 ("an hour by bus") and FG1 t3 ("the bus fare") → 2 hits.
        let opts = AutocodeOptions {
            code: "Transport/Bus".into(),
            source: AutoSource::Search {
                query: "bus".into(),
                raw: false,
            },
            span: SpanMode::Hit,
            filter: TurnFilter::default(),
        };
        let planned = plan(study.conn(), &opts).unwrap();
        assert_eq!(planned.len(), 2);
        let (fs, _) = ids.turns[0][2];
        // "For me the clinic is far away, an hour by bus." — "bus" at 42..45.
        assert_eq!((planned[0].start, planned[0].end), (fs + 42, fs + 45));
        let out = autocode(&mut study, alex.id, &opts).unwrap();
        assert_eq!((out.added, out.code_created), (2, true));
        assert_eq!(count(&study, "Bus"), 2);
        // Again: nothing new, and no action recorded.
        let again = autocode(&mut study, alex.id, &opts).unwrap();
        assert_eq!(
            (again.added, again.already_coded, again.change_id),
            (0, 2, None)
        );
        // One undo removes both codings and the code it created.
        study.undo(&alex).unwrap();
        assert_eq!(count(&study, "Bus"), 0);
        assert!(
            study
                .conn()
                .query_row("SELECT count(*) FROM codes WHERE name = 'Bus'", [], |r| r
                    .get::<_, i64>(
                    0
                ))
                .unwrap()
                == 0
        );

        // Every turn of P1 (FG1 t1 and t3) as whole turns.
        let turns = AutocodeOptions {
            code: "Speakers/P1".into(),
            source: AutoSource::Turns,
            span: SpanMode::Turn,
            filter: TurnFilter {
                speaker: Some("P1".into()),
                ..Default::default()
            },
        };
        assert_eq!(autocode(&mut study, alex.id, &turns).unwrap().added, 2);

        // A regex, whole turns, only in the all-male groups: FG3 t1 "distance", t2 "worry".
        let re = AutocodeOptions {
            code: "Trust".into(),
            source: AutoSource::Regex("(?i)distance|worry".into()),
            span: SpanMode::Turn,
            filter: TurnFilter {
                conditions: vec!["composition=all-male".into()],
                ..Default::default()
            },
        };
        let planned = plan(study.conn(), &re).unwrap();
        assert_eq!(planned.len(), 2);
        assert_eq!((planned[0].start, planned[0].end), ids.turns[2][1]);
        let hit = AutocodeOptions {
            span: SpanMode::Hit,
            ..re.clone()
        };
        let planned = plan(study.conn(), &hit).unwrap();
        let text = crate::study::documents::excerpt(
            study.conn(),
            planned[0].document_id,
            planned[0].start,
            planned[0].end,
        )
        .unwrap();
        assert_eq!(text, "distance");
    }
}
