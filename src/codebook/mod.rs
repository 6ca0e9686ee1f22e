//! The codebook: a tree of codes (themes › codes) with structured definitions. Paths are written
//! `Theme/Subcode`; names never contain `/`.

pub mod edit;
pub mod rollup;
pub mod table;

use crate::error::Result;
use rusqlite::Connection;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Code {
    pub id: i64,
    pub guid: String,
    pub parent_id: Option<i64>,
    pub name: String,
    pub path: String,
    pub depth: usize,
    pub colour: String,
    pub definition: String,
    pub inclusion: String,
    pub exclusion: String,
    pub example: String,
    pub memo: String,
}

/// The codebook fields researchers write for each code.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct CodeFields {
    pub definition: Option<String>,
    pub inclusion: Option<String>,
    pub exclusion: Option<String>,
    pub example: Option<String>,
    pub memo: Option<String>,
    pub colour: Option<String>,
}

/// Colours given to new codes in turn; readable on dark and light terminals.
pub const PALETTE: &[&str] = &[
    "#E6194B", "#3CB44B", "#4363D8", "#F58231", "#911EB4", "#42D4F4", "#F032E6", "#BFEF45",
    "#469990", "#DCBEFF", "#9A6324", "#800000", "#AAFFC3", "#808000", "#FFD8B1", "#000075",
];

pub fn validate_colour(colour: &str) -> Result<String> {
    let hex = colour.trim_start_matches('#');
    let ok = (hex.len() == 6 || hex.len() == 3) && hex.chars().all(|c| c.is_ascii_hexdigit());
    if !ok {
        return Err(crate::invalid!(
            "'{colour}' is not a colour; write it as #RRGGBB"
        ));
    }
    let hex = if hex.len() == 3 {
        hex.chars().flat_map(|c| [c, c]).collect::<String>()
    } else {
        hex.to_string()
    };
    Ok(format!("#{}", hex.to_uppercase()))
}

/// Splits a code path into its names, refusing empty segments.
pub fn split_path(path: &str) -> Result<Vec<String>> {
    let parts: Vec<String> = path.split('/').map(|p| p.trim().to_string()).collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(crate::invalid!(
            "'{path}' is not a code path; write it as Theme/Code with no empty parts"
        ));
    }
    if let Some(bad) = parts.iter().find(|p| p.chars().any(char::is_control)) {
        return Err(crate::invalid!(
            "code name '{}' contains control characters",
            bad.escape_debug()
        ));
    }
    Ok(parts)
}

/// Every code, depth-first in codebook order, with its full path.
pub fn all(conn: &Connection) -> Result<Vec<Code>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, guid, parent_id, name, colour, definition, inclusion, exclusion, example, memo
           FROM codes ORDER BY sort_order, name COLLATE NOCASE",
    )?;
    let flat: Vec<Code> = stmt
        .query_map([], |r| {
            Ok(Code {
                id: r.get(0)?,
                guid: r.get(1)?,
                parent_id: r.get(2)?,
                name: r.get(3)?,
                path: String::new(),
                depth: 0,
                colour: r.get(4)?,
                definition: r.get(5)?,
                inclusion: r.get(6)?,
                exclusion: r.get(7)?,
                example: r.get(8)?,
                memo: r.get(9)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut children: HashMap<Option<i64>, Vec<usize>> = HashMap::new();
    for (i, c) in flat.iter().enumerate() {
        children.entry(c.parent_id).or_default().push(i);
    }
    let mut out = Vec::with_capacity(flat.len());
    let mut stack: Vec<(usize, String, usize)> = children
        .get(&None)
        .map(|v| v.iter().rev().map(|&i| (i, String::new(), 0)).collect())
        .unwrap_or_default();
    while let Some((i, prefix, depth)) = stack.pop() {
        let mut code = flat[i].clone();
        code.path = if prefix.is_empty() {
            code.name.clone()
        } else {
            format!("{prefix}/{}", code.name)
        };
        code.depth = depth;
        if let Some(kids) = children.get(&Some(code.id)) {
            for &k in kids.iter().rev() {
                stack.push((k, code.path.clone(), depth + 1));
            }
        }
        out.push(code);
    }
    Ok(out)
}

/// Finds a code by its full path, or by a unique name or path suffix (case-insensitive), so that
/// `thematic code FG1 "Tone and warmth" …` works without typing the theme.
pub fn resolve(codes: &[Code], path: &str) -> Result<Code> {
    let wanted = split_path(path)?.join("/");
    if let Some(c) = codes.iter().find(|c| c.path == wanted) {
        return Ok(c.clone());
    }
    let lower = wanted.to_lowercase();
    let hits: Vec<&Code> = codes
        .iter()
        .filter(|c| {
            let p = c.path.to_lowercase();
            p == lower || p.ends_with(&format!("/{lower}"))
        })
        .collect();
    match hits.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(crate::not_found!(
            "no code '{path}' in the codebook (see `thematic codes list`)"
        )),
        many => Err(crate::invalid!(
            "'{path}' could be any of: {}; give the full path",
            many.iter()
                .map(|c| c.path.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// A code and all its descendants' ids.
pub fn subtree_ids(codes: &[Code], root: i64) -> Vec<i64> {
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let parent = out[i];
        out.extend(
            codes
                .iter()
                .filter(|c| c.parent_id == Some(parent))
                .map(|c| c.id),
        );
        i += 1;
    }
    out
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct CodeCounts {
    pub codings: i64,
    pub documents: i64,
    pub coders: i64,
}

/// Codings, documents and coders per code (own codings only, not rolled up), optionally for
/// a single coder.
pub fn counts(conn: &Connection, coder: Option<i64>) -> Result<HashMap<i64, CodeCounts>> {
    let mut stmt = conn.prepare_cached(
        "SELECT code_id, count(*), count(DISTINCT document_id), count(DISTINCT coder_id)
           FROM codings WHERE ?1 IS NULL OR coder_id = ?1 GROUP BY code_id",
    )?;
    let rows = stmt.query_map([coder], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            CodeCounts {
                codings: r.get(1)?,
                documents: r.get(2)?,
                coders: r.get(3)?,
            },
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_normalised() {
        assert_eq!(validate_colour("#abc").unwrap(), "#AABBCC");
        assert_eq!(validate_colour("12ab3F").unwrap(), "#12AB3F");
        assert!(validate_colour("red").is_err());
    }

    #[test]
    fn paths_refuse_empty_parts() {
        assert_eq!(split_path(" A / B ").unwrap(), vec!["A", "B"]);
        assert!(split_path("A//B").is_err());
        assert!(split_path("").is_err());
    }
}
