//! The codebook as a table (CSV): `code,colour,definition,inclusion,exclusion,example[,memo]`,
//! one row per code path. Importing creates missing codes and fills their fields.

use super::CodeFields;
use super::edit::{describe_id, ensure_path};
use crate::error::{Error, Result};
use crate::study::history::Recorder;

/// What an import did, for the message the user sees.
#[derive(Debug, Default, Clone, PartialEq, serde::Serialize)]
pub struct CodebookImport {
    pub created: usize,
    pub updated: usize,
}

const COLUMNS: &[&str] = &[
    "colour",
    "definition",
    "inclusion",
    "exclusion",
    "example",
    "memo",
];

/// Reads the table and applies it inside `rec`; any bad row fails the whole import.
pub fn import_csv(rec: &mut Recorder, file: &str, bytes: &[u8]) -> Result<CodebookImport> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| Error::Invalid(format!("{file}: not UTF-8 text ({e})")))?;
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| Error::Csv(format!("{file}:1: {e}")))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let code_col = col("code").ok_or_else(|| {
        Error::Invalid(format!(
            "{file}:1: a codebook table needs a 'code' column (with {})",
            COLUMNS.join(", ")
        ))
    })?;
    let colour_col = col("colour").or_else(|| col("color"));
    let field_cols: Vec<Option<usize>> = COLUMNS[1..].iter().map(|c| col(c)).collect();
    let mut out = CodebookImport::default();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| Error::Csv(format!("{file}:{line}: {e}")))?;
        // Undo the export's formula guard (see `spreadsheet`), so a round trip keeps names.
        let get = |c: Option<usize>| {
            c.and_then(|c| record.get(c))
                .map(|s| crate::spreadsheet::unquote(s.trim()).to_string())
        };
        let path = get(Some(code_col)).unwrap_or_default();
        let at = |e: Error| Error::Invalid(format!("{file}:{line}: {e}"));
        let (id, created) = ensure_path(rec, &path).map_err(at)?;
        let fields = CodeFields {
            colour: get(colour_col).filter(|c| !c.is_empty()),
            definition: get(field_cols[0]),
            inclusion: get(field_cols[1]),
            exclusion: get(field_cols[2]),
            example: get(field_cols[3]),
            memo: get(field_cols[4]),
        };
        describe_id(rec, id, &fields).map_err(at)?;
        if created {
            out.created += 1;
        } else {
            out.updated += 1;
        }
    }
    Ok(out)
}

/// Writes the codebook table with counts, the form the paper's appendix or a spreadsheet wants.
pub fn export_csv(
    codes: &[super::Code],
    counts: &std::collections::HashMap<i64, super::CodeCounts>,
) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| Error::Csv(e.to_string());
    w.write_record(crate::spreadsheet::record([
        "code",
        "colour",
        "definition",
        "inclusion",
        "exclusion",
        "example",
        "memo",
        "codings",
        "documents",
    ]))
    .map_err(io)?;
    for c in codes {
        let n = counts.get(&c.id).copied().unwrap_or_default();
        w.write_record(crate::spreadsheet::record([
            c.path.as_str(),
            &c.colour,
            &c.definition,
            &c.inclusion,
            &c.exclusion,
            &c.example,
            &c.memo,
            &n.codings.to_string(),
            &n.documents.to_string(),
        ]))
        .map_err(io)?;
    }
    String::from_utf8(w.into_inner().map_err(|e| Error::Csv(e.to_string()))?)
        .map_err(|e| Error::Csv(e.to_string()))
}
