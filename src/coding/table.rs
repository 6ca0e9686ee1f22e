//! Codings from a table, so coding done elsewhere (or in a spreadsheet) can come in. Header
//! `document,coder,code,start,end` (offsets in code points), or `document,coder,code,match`
//! with an optional `occurrence` column, where `match` is the exact excerpt text.

use crate::codebook::edit::ensure_path;
use crate::error::{Error, Result};
use crate::study::documents;
use crate::study::ensure_coder_in;
use crate::study::history::Recorder;
use rusqlite::OptionalExtension;
use std::collections::HashMap;

#[derive(Debug, Default, Clone, PartialEq, serde::Serialize)]
pub struct CodingsImport {
    pub added: usize,
    pub already_present: usize,
    pub codes_created: usize,
    pub coders_created: Vec<String>,
    /// Every (document id, coder id) with a row in the file, for marking them done.
    #[serde(skip)]
    pub coded: std::collections::BTreeSet<(i64, i64)>,
}

/// Char offset of the `occurrence`-th (1-based) match of `needle` in `text`, with the count.
pub fn find_match(text: &str, needle: &str, occurrence: usize) -> (Option<(i64, i64)>, usize) {
    if needle.is_empty() {
        return (None, 0);
    }
    let mut found = None;
    let mut count = 0;
    let mut from = 0;
    while let Some(pos) = text[from..].find(needle) {
        let byte = from + pos;
        count += 1;
        if count == occurrence {
            let start = text[..byte].chars().count() as i64;
            found = Some((start, start + needle.chars().count() as i64));
        }
        from = byte + text[byte..].chars().next().map_or(1, char::len_utf8);
    }
    (found, count)
}

pub fn import_csv(rec: &mut Recorder, file: &str, bytes: &[u8]) -> Result<CodingsImport> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| Error::Invalid(format!("{file}: not UTF-8 text ({e})")))?
        .trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| Error::Csv(format!("{file}:1: {e}")))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let need = |name: &str| {
        col(name).ok_or_else(|| {
            Error::Invalid(format!(
                "{file}:1: missing column '{name}'; the header must be document,coder,code,start,end (or document,coder,code,match)"
            ))
        })
    };
    let (doc_col, coder_col, code_col) = (need("document")?, need("coder")?, need("code")?);
    let by_range = match (col("start"), col("end"), col("match")) {
        (Some(s), Some(e), _) => Some((s, e)),
        (_, _, Some(_)) => None,
        _ => {
            return Err(need("start")
                .err()
                .unwrap_or_else(|| crate::invalid!("{file}:1: missing column 'end'")));
        }
    };
    let (match_col, occ_col) = (col("match"), col("occurrence"));

    let mut out = CodingsImport::default();
    let mut docs: HashMap<String, (i64, i64, Option<String>)> = HashMap::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let at = |e: Error| Error::Invalid(format!("{file}:{line}: {e}"));
        let record = record.map_err(|e| Error::Csv(format!("{file}:{line}: {e}")))?;
        let field = |c: usize| record.get(c).unwrap_or("").trim().to_string();
        let doc_name = field(doc_col);
        if !docs.contains_key(&doc_name) {
            let doc = documents::by_name(&rec.tx, &doc_name)
                .map_err(at)?
                .ok_or_else(|| at(crate::not_found!("no document named '{doc_name}'")))?;
            docs.insert(doc_name.clone(), (doc.id, doc.char_count, None));
        }
        let (doc_id, char_count) = {
            let d = &docs[&doc_name];
            (d.0, d.1)
        };
        let (start, end) = match by_range {
            Some((s, e)) => {
                let num = |c: usize, what: &str| {
                    field(c).parse::<i64>().map_err(|_| {
                        at(crate::invalid!(
                            "{what} '{}' is not a whole number",
                            field(c)
                        ))
                    })
                };
                (num(s, "start")?, num(e, "end")?)
            }
            None => {
                let needle = record.get(match_col.expect("match column")).unwrap_or("");
                let occurrence = match occ_col.map(field).filter(|s| !s.is_empty()) {
                    Some(s) => s.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| {
                        at(crate::invalid!(
                            "occurrence '{s}' is not a positive whole number"
                        ))
                    })?,
                    None => 1,
                };
                let entry = docs.get_mut(&doc_name).expect("cached document");
                if entry.2.is_none() {
                    entry.2 = Some(documents::text(&rec.tx, doc_id).map_err(at)?);
                }
                let (found, count) =
                    find_match(entry.2.as_deref().unwrap_or(""), needle, occurrence);
                if occ_col.map(field).filter(|s| !s.is_empty()).is_none() && count > 1 {
                    return Err(at(crate::invalid!(
                        "the excerpt occurs {count} times in {doc_name}; add an occurrence column to say which"
                    )));
                }
                found.ok_or_else(|| {
                    at(crate::not_found!(
                        "excerpt not found in {doc_name} (occurrence {occurrence} of {count}): {:?}",
                        needle.chars().take(60).collect::<String>()
                    ))
                })?
            }
        };
        super::check_range(&doc_name, char_count, start, end).map_err(at)?;
        let coder_name = field(coder_col);
        // The consensus coder holds review decisions; an import must not write into it, nor
        // create an independent coder under its reserved name (issue 11).
        if coder_name.eq_ignore_ascii_case(crate::agreement::review::CONSENSUS_CODER) {
            return Err(at(crate::invalid!(
                "coder '{coder_name}' is reserved for review decisions (the consensus coder); rename this coder in the file (e.g. '{coder_name}-imported') and import again"
            )));
        }
        let known: Option<i64> = rec
            .tx
            .prepare_cached("SELECT id FROM coders WHERE name = ?1")?
            .query_row([&coder_name], |r| r.get(0))
            .optional()?;
        let coder = match known {
            Some(id) => id,
            None => {
                let c = ensure_coder_in(rec, &coder_name, false).map_err(at)?;
                out.coders_created.push(c.name);
                c.id
            }
        };
        let (code, created) = ensure_path(rec, &field(code_col)).map_err(at)?;
        out.codes_created += created as usize;
        let exists: Option<i64> = rec
            .tx
            .prepare_cached(
                "SELECT id FROM codings WHERE coder_id = ?1 AND code_id = ?2 AND document_id = ?3 AND start = ?4 AND \"end\" = ?5",
            )?
            .query_row(rusqlite::params![coder, code, doc_id, start, end], |r| r.get(0))
            .optional()?;
        out.coded.insert((doc_id, coder));
        if exists.is_some() {
            out.already_present += 1;
            continue;
        }
        super::add(rec, doc_id, code, coder, start, end).map_err(at)?;
        out.added += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::find_match;

    #[test]
    fn matches_count_code_points() {
        let text = "héllo 👋 world, 👋 world";
        assert_eq!(find_match(text, "👋 world", 1), (Some((6, 13)), 2));
        assert_eq!(find_match(text, "👋 world", 2), (Some((15, 22)), 2));
        assert_eq!(find_match(text, "absent", 1), (None, 0));
    }
}
