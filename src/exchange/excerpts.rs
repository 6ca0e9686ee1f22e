//! Coded excerpts in tidy long form, one row per coding, for R (`readr::read_csv`) or pandas:
//! document and its attributes (`d_NAME`), turn, speaker, participant and their attributes
//! (`p_NAME`), code path, theme, coder, start, end, timestamp and the excerpt text.

use super::pseudonymize::Pseudonymizer;
use crate::char_offsets::CharOffsets;
use crate::codebook;
use crate::error::{Error, Result};
use crate::study::documents::{self, Turn};
use crate::study::participants::{self, Scope};
use rusqlite::Connection;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The fixed columns, in order; attribute columns follow `document` and `participant`.
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

fn hms(ms: i64) -> String {
    let s = ms / 1000;
    format!("{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
}

/// Builds the table (optionally one coder's codings, optionally pseudonymised).
pub fn table(conn: &Connection, coder: Option<i64>, p: Option<&Pseudonymizer>) -> Result<Table> {
    let doc_attrs: Vec<String> = participants::attribute_names(conn, Scope::Document)?
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    let person_attrs: Vec<String> = participants::attribute_names(conn, Scope::Participant)?
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    let mut headers: Vec<String> = vec!["document".into()];
    headers.extend(doc_attrs.iter().map(|a| format!("d_{a}")));
    headers.extend(["turn", "speaker", "participant"].map(String::from));
    headers.extend(person_attrs.iter().map(|a| format!("p_{a}")));
    headers.extend(
        [
            "code",
            "theme",
            "coder",
            "start",
            "end",
            "timestamp",
            "coding_id",
            "text",
        ]
        .map(String::from),
    );
    let codes = codebook::all(conn)?;
    let path: HashMap<i64, &str> = codes.iter().map(|c| (c.id, c.path.as_str())).collect();
    let coders: HashMap<i64, String> = {
        let mut stmt = conn.prepare("SELECT id, name FROM coders")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    let mut rows = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT id, code_id, coder_id, start, \"end\", guid FROM codings
          WHERE document_id = ?1 AND (?2 IS NULL OR coder_id = ?2) ORDER BY start, \"end\", code_id, coder_id",
    )?;
    for doc in documents::list(conn)? {
        let text = documents::text(conn, doc.id)?;
        let offsets = CharOffsets::new(&text);
        let turns: Vec<Turn> = documents::turns(conn, doc.id)?;
        let speakers = participants::speakers(conn, doc.id)?;
        let speaker_by_label: HashMap<&str, &participants::Speaker> =
            speakers.iter().map(|s| (s.label.as_str(), s)).collect();
        let codings = stmt
            .query_map(rusqlite::params![doc.id, coder], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        for (_, code, coder_id, start, end, guid) in codings {
            // The last turn starting at or before the coding (else the first), by binary
            // search: turns are in order, and a scan per coding made this codings × turns.
            let k = turns.partition_point(|t| t.start <= start);
            let turn = k
                .checked_sub(1)
                .and_then(|k| turns.get(k))
                .or_else(|| turns.first());
            let label = turn.and_then(|t| t.speaker.clone());
            let speaker = label
                .as_deref()
                .and_then(|l| speaker_by_label.get(l).copied());
            let excerpt = offsets.slice_i64(start, end).to_string();
            let mut row = vec![match p {
                Some(p) => p.text(Some(doc.id), &doc.name),
                None => doc.name.clone(),
            }];
            row.extend(
                doc_attrs
                    .iter()
                    .map(|a| doc.attributes.get(a).cloned().unwrap_or_default()),
            );
            row.push(turn.map(|t| (t.index + 1).to_string()).unwrap_or_default());
            row.push(match (&label, p) {
                (Some(l), Some(p)) => p.speaker(Some(doc.id), l),
                (Some(l), None) => l.clone(),
                (None, _) => String::new(),
            });
            row.push(
                speaker
                    .and_then(|s| s.participant.clone())
                    .unwrap_or_default(),
            );
            row.extend(person_attrs.iter().map(|a| {
                speaker
                    .and_then(|s| s.attributes.get(a).cloned())
                    .unwrap_or_default()
            }));
            let code_path = path.get(&code).copied().unwrap_or_default();
            let code_path = match p {
                Some(p) => p.text(None, code_path),
                None => code_path.to_string(),
            };
            row.push(code_path.clone());
            row.push(code_path.split('/').next().unwrap_or_default().to_string());
            row.push(coders.get(&coder_id).cloned().unwrap_or_default());
            row.push(start.to_string());
            row.push(end.to_string());
            row.push(turn.and_then(|t| t.start_ms).map(hms).unwrap_or_default());
            row.push(guid);
            row.push(match p {
                Some(p) => p.text(Some(doc.id), &excerpt),
                None => excerpt,
            });
            rows.push(row);
        }
    }
    Ok(Table { headers, rows })
}

pub fn to_csv(t: &Table) -> Result<String> {
    let mut w = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    let err = |e: csv::Error| Error::Csv(e.to_string());
    w.write_record(crate::spreadsheet::record(&t.headers))
        .map_err(err)?;
    for r in &t.rows {
        w.write_record(crate::spreadsheet::record(r)).map_err(err)?;
    }
    String::from_utf8(w.into_inner().map_err(|e| Error::Csv(e.to_string()))?)
        .map_err(|e| Error::Csv(e.to_string()))
}

/// JSON records (an array of flat objects); start, end and turn are numbers.
pub fn to_json(t: &Table) -> Result<String> {
    let numeric = ["turn", "start", "end"];
    let records: Vec<Value> = t
        .rows
        .iter()
        .map(|r| {
            let mut m = Map::new();
            for (h, v) in t.headers.iter().zip(r) {
                let value = if numeric.contains(&h.as_str()) {
                    v.parse::<i64>().map(Value::from).unwrap_or(Value::Null)
                } else {
                    Value::String(v.clone())
                };
                m.insert(h.clone(), value);
            }
            Value::Object(m)
        })
        .collect();
    serde_json::to_string_pretty(&records).map_err(|e| Error::Invalid(e.to_string()))
}
