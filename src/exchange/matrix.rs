//! A code × attribute matrix: one row per code (themes roll up their subcodes), one column per
//! value of a participant attribute (or, when no participant attribute has that name, a
//! document attribute), cells counting distinct participants or codings.
//!
//! A coding belongs to every participant who speaks in a turn it overlaps (moderators excluded);
//! for a document attribute, to its document. Participants or documents without a value count
//! under "(none)", which appears only when used.

use super::codebook_export::load_codings;
use crate::codebook;
use crate::error::{Error, Result};
use rusqlite::{Connection, OptionalExtension};
use std::collections::{BTreeMap, BTreeSet, HashMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CountBy {
    Participants,
    Codings,
}

/// (participants, codings) of one cell.
type Cell = (BTreeSet<i64>, BTreeSet<i64>);

pub const NONE: &str = "(none)";

pub struct Matrix {
    pub attribute: String,
    pub scope: &'static str,
    pub columns: Vec<String>,
    /// (code path, cells, total)
    pub rows: Vec<(String, Vec<usize>, usize)>,
}

pub fn build(conn: &Connection, attribute: &str, by: CountBy) -> Result<Matrix> {
    let find = |scope: &str| -> Result<Option<i64>> {
        Ok(conn
            .query_row(
                "SELECT id FROM attributes WHERE scope = ?1 AND name = ?2",
                [scope, attribute],
                |r| r.get(0),
            )
            .optional()?)
    };
    let (scope, attr) = match (find("participant")?, find("document")?) {
        (Some(a), _) => ("participant", a),
        (None, Some(a)) => ("document", a),
        (None, None) => {
            let names: Vec<String> = conn
                .prepare("SELECT scope || ' ' || name FROM attributes ORDER BY scope, name")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            return Err(crate::not_found!(
                "no attribute '{attribute}'; the study has: {}",
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            ));
        }
    };
    let table = if scope == "participant" {
        "participant_attributes"
    } else {
        "document_attributes"
    };
    let owner = if scope == "participant" {
        "participant_id"
    } else {
        "document_id"
    };
    let values: HashMap<i64, String> = conn
        .prepare(&format!(
            "SELECT {owner}, value FROM {table} WHERE attribute_id = ?1"
        ))?
        .query_map([attr], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let codes = codebook::all(conn)?;
    let facts = load_codings(conn, None)?;
    // code id → value → (participants, codings)
    let mut cells: HashMap<i64, BTreeMap<String, Cell>> = HashMap::new();
    for f in &facts {
        let entry = cells.entry(f.code_id).or_default();
        if scope == "participant" {
            for p in &f.participants {
                let v = values.get(p).cloned().unwrap_or_else(|| NONE.into());
                let cell = entry.entry(v).or_default();
                cell.0.insert(*p);
                cell.1.insert(f.id);
            }
        } else {
            let v = values
                .get(&f.document_id)
                .cloned()
                .unwrap_or_else(|| NONE.into());
            let cell = entry.entry(v).or_default();
            cell.0.extend(f.participants.iter().copied());
            cell.1.insert(f.id);
        }
    }
    let mut columns: BTreeSet<String> = values.values().cloned().collect();
    if cells.values().any(|m| m.contains_key(NONE)) {
        columns.insert(NONE.into());
    }
    let columns: Vec<String> = columns.into_iter().collect();
    let mut rows = Vec::new();
    for c in &codes {
        let ids = codebook::subtree_ids(&codes, c.id);
        let mut per: BTreeMap<&str, (BTreeSet<i64>, BTreeSet<i64>)> = BTreeMap::new();
        let mut all = (BTreeSet::new(), BTreeSet::new());
        for id in &ids {
            if let Some(m) = cells.get(id) {
                for (v, (ps, cs)) in m {
                    let cell = per.entry(v.as_str()).or_default();
                    cell.0.extend(ps);
                    cell.1.extend(cs);
                    all.0.extend(ps);
                    all.1.extend(cs);
                }
            }
        }
        let pick = |cell: &(BTreeSet<i64>, BTreeSet<i64>)| match by {
            CountBy::Participants => cell.0.len(),
            CountBy::Codings => cell.1.len(),
        };
        let row: Vec<usize> = columns
            .iter()
            .map(|v| per.get(v.as_str()).map(pick).unwrap_or(0))
            .collect();
        rows.push((c.path.clone(), row, pick(&all)));
    }
    Ok(Matrix {
        attribute: attribute.to_string(),
        scope,
        columns,
        rows,
    })
}

pub fn to_csv(m: &Matrix) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| Error::Csv(e.to_string());
    let mut header = vec!["code".to_string()];
    header.extend(m.columns.iter().cloned());
    header.push("total".into());
    w.write_record(crate::spreadsheet::record(&header))
        .map_err(err)?;
    for (code, cells, total) in &m.rows {
        let mut r = vec![code.clone()];
        r.extend(cells.iter().map(|n| n.to_string()));
        r.push(total.to_string());
        w.write_record(crate::spreadsheet::record(&r))
            .map_err(err)?;
    }
    String::from_utf8(w.into_inner().map_err(|e| Error::Csv(e.to_string()))?)
        .map_err(|e| Error::Csv(e.to_string()))
}
