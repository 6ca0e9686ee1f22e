//! The one definition of a code's count that the workbench's codebook and `codes list` share:
//! codings and documents of the code *and its subcodes* (a theme counts its codes'), by the
//! independent coders — the consensus coder's codings are the final dataset derived from
//! theirs, so pooling them would count the same judgement twice.

use super::{Code, CodeCounts};
use crate::error::Result;
use rusqlite::Connection;
use std::collections::{HashMap, HashSet};

/// Codings per (code, document) of one coder, or of every independent coder when `coder` is
/// `None` (consensus left out).
pub fn code_document_counts(conn: &Connection, coder: Option<i64>) -> Result<Vec<(i64, i64, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.code_id, c.document_id, count(*) FROM codings c JOIN coders k ON k.id = c.coder_id
          WHERE (?1 IS NULL AND k.is_consensus = 0) OR c.coder_id = ?1
          GROUP BY c.code_id, c.document_id",
    )?;
    let rows = stmt.query_map([coder], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Codings and documents per code, each including its subcodes' (`coders` is left 0).
pub fn subtree_counts(codes: &[Code], rows: &[(i64, i64, i64)]) -> HashMap<i64, CodeCounts> {
    let parent: HashMap<i64, Option<i64>> = codes.iter().map(|c| (c.id, c.parent_id)).collect();
    let mut codings: HashMap<i64, i64> = HashMap::new();
    let mut docs: HashMap<i64, HashSet<i64>> = HashMap::new();
    for &(code, doc, n) in rows {
        let mut at = Some(code);
        // The tree is acyclic by construction; the guard only stops a damaged file looping.
        let mut guard = 0;
        while let Some(id) = at {
            *codings.entry(id).or_default() += n;
            docs.entry(id).or_default().insert(doc);
            at = parent.get(&id).copied().flatten();
            guard += 1;
            if guard > 64 {
                break;
            }
        }
    }
    codings
        .into_iter()
        .map(|(id, n)| {
            let documents = docs.get(&id).map_or(0, |s| s.len() as i64);
            (
                id,
                CodeCounts {
                    codings: n,
                    documents,
                    coders: 0,
                },
            )
        })
        .collect()
}

/// The rolled-up counts of every code, for one coder or the independent coders.
pub fn rolled_up(
    conn: &Connection,
    codes: &[Code],
    coder: Option<i64>,
) -> Result<HashMap<i64, CodeCounts>> {
    Ok(subtree_counts(codes, &code_document_counts(conn, coder)?))
}

/// How the counts above are defined, said under every listing that shows them.
pub const DEFINITION: &str = "counts: codings·documents of the code and its subcodes (a theme includes its codes), by the independent coders; the consensus coder is left out";

#[cfg(test)]
mod tests {
    use super::*;

    fn code(id: i64, parent_id: Option<i64>) -> Code {
        Code {
            id,
            guid: String::new(),
            parent_id,
            name: format!("c{id}"),
            path: String::new(),
            depth: 0,
            colour: String::new(),
            definition: String::new(),
            inclusion: String::new(),
            exclusion: String::new(),
            example: String::new(),
            memo: String::new(),
        }
    }

    #[test]
    fn a_theme_counts_its_codes_and_each_document_once() {
        let codes = [code(1, None), code(2, Some(1)), code(3, Some(1))];
        // (code, document, codings): theme 1 has one direct coding in doc 10.
        let rows = [(1, 10, 1), (2, 10, 2), (3, 11, 4)];
        let c = subtree_counts(&codes, &rows);
        assert_eq!(c[&1].codings, 7);
        assert_eq!(c[&1].documents, 2);
        assert_eq!(c[&2].codings, 2);
        assert_eq!(c[&3].documents, 1);
    }
}
