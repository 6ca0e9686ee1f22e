//! Attribute tables. A table with a `participant` column sets participant attributes (and, with
//! `document` and `speaker` columns, says who speaks under which label; `role` marks moderators);
//! a table whose first column is `document` sets document attributes (focus group, composition).

use crate::error::{Error, Result};
use crate::study::documents;
use crate::study::history::Recorder;
use crate::study::participants::{
    Scope, ensure_attribute, ensure_participant, infer_kind, map_speaker, set_document_value,
    set_participant_value,
};
use rusqlite::OptionalExtension;

#[derive(Debug, Default, Clone, PartialEq, serde::Serialize)]
pub struct AttributesImport {
    pub scope: String,
    pub rows: usize,
    pub attributes: Vec<String>,
    pub speakers_mapped: usize,
}

const RESERVED: &[&str] = &["participant", "document", "speaker", "role"];

pub fn import_csv(rec: &mut Recorder, file: &str, bytes: &[u8]) -> Result<AttributesImport> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| Error::Invalid(format!("{file}: not UTF-8 text ({e})")))?
        .trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Error::Csv(format!("{file}:1: {e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let records: Vec<csv::StringRecord> = reader
        .records()
        .enumerate()
        .map(|(i, r)| r.map_err(|e| Error::Csv(format!("{file}:{}: {e}", i + 2))))
        .collect::<Result<_>>()?;
    let scope = if col("participant").is_some() {
        Scope::Participant
    } else if headers
        .first()
        .is_some_and(|h| h.eq_ignore_ascii_case("document"))
    {
        Scope::Document
    } else {
        return Err(crate::invalid!(
            "{file}:1: an attribute table needs a 'participant' column, or 'document' as its first column"
        ));
    };
    let value_cols: Vec<usize> = (0..headers.len())
        .filter(|&i| {
            let reserved = RESERVED.contains(&headers[i].to_lowercase().as_str());
            let document_key = scope == Scope::Document && i == 0;
            !(reserved || document_key)
        })
        .collect();
    if let Some(&empty) = value_cols.iter().find(|&&i| headers[i].is_empty()) {
        return Err(crate::invalid!(
            "{file}:1: column {} has no name",
            empty + 1
        ));
    }
    let mut attr_ids = Vec::new();
    for &c in &value_cols {
        let kind = infer_kind(records.iter().map(|r| r.get(c).unwrap_or("").trim()));
        attr_ids.push(
            ensure_attribute(rec, scope, &headers[c], kind)
                .map_err(|e| Error::Invalid(format!("{file}:1: {e}")))?,
        );
    }
    let mut out = AttributesImport {
        scope: scope.as_str().into(),
        attributes: value_cols.iter().map(|&c| headers[c].clone()).collect(),
        ..Default::default()
    };
    for (i, record) in records.iter().enumerate() {
        let line = i + 2;
        let at = |e: Error| Error::Invalid(format!("{file}:{line}: {e}"));
        let field = |c: Option<usize>| {
            c.and_then(|c| record.get(c))
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let document =
            match col("document")
                .map(|c| field(Some(c)))
                .filter(|d| !d.is_empty())
            {
                Some(name) => Some(documents::by_name(&rec.tx, &name).map_err(at)?.ok_or_else(
                    || at(crate::not_found!("no document named '{name}' in the study")),
                )?),
                None => None,
            };
        match scope {
            Scope::Document => {
                let doc =
                    document.ok_or_else(|| at(crate::invalid!("the document name is empty")))?;
                for (&c, &attr) in value_cols.iter().zip(&attr_ids) {
                    set_document_value(rec, doc.id, attr, &field(Some(c))).map_err(at)?;
                }
            }
            Scope::Participant => {
                let pid = field(col("participant"));
                if pid.is_empty() {
                    return Err(at(crate::invalid!("the participant ID is empty")));
                }
                let role = Some(field(col("role"))).filter(|r| !r.is_empty());
                let participant = ensure_participant(rec, &pid, role.as_deref()).map_err(at)?;
                for (&c, &attr) in value_cols.iter().zip(&attr_ids) {
                    let value = field(Some(c));
                    if !value.is_empty() {
                        set_participant_value(rec, participant, attr, &value).map_err(at)?;
                    }
                }
                let speaker = field(col("speaker"));
                if let (Some(doc), false) = (&document, speaker.is_empty()) {
                    let known: Option<i64> = rec
                        .tx
                        .prepare_cached(
                            "SELECT 1 FROM speakers WHERE document_id = ?1 AND label = ?2",
                        )?
                        .query_row(rusqlite::params![doc.id, speaker], |r| r.get(0))
                        .optional()?;
                    if known.is_none() {
                        return Err(at(crate::not_found!(
                            "no speaker labelled '{speaker}' in {}",
                            doc.name
                        )));
                    }
                    map_speaker(rec, doc.id, &speaker, participant)?;
                    out.speakers_mapped += 1;
                }
            }
        }
        out.rows += 1;
    }
    Ok(out)
}
