//! What the acting coder is assigned in the open ICR round, for the document list: the same
//! answer as `thematic icr assigned`, keyed by document id. Loaded with the document list.

use crate::Result;
use crate::study::documents::DocumentSummary;
use rusqlite::Connection;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub struct IcrAssigned {
    pub round: i64,
    /// Per assigned document, the drawn turns (numbered from 1; empty = the whole document).
    pub documents: HashMap<i64, Vec<i64>>,
}

/// None when no round is open or the coder is not one of its coders.
pub fn load(
    conn: &Connection,
    coder: &str,
    docs: &[DocumentSummary],
) -> Result<Option<IcrAssigned>> {
    let Some((round, list)) = crate::agreement::icr::assigned(conn, coder)? else {
        return Ok(None);
    };
    let ids: HashMap<&str, i64> = docs.iter().map(|d| (d.name.as_str(), d.id)).collect();
    let documents = list
        .into_iter()
        .filter_map(|(name, turns)| ids.get(name.as_str()).map(|&id| (id, turns)))
        .collect();
    Ok(Some(IcrAssigned { round, documents }))
}

impl IcrAssigned {
    /// The document list's mark: " ◇" for a whole document, " ◇3" for three drawn turns.
    pub fn mark(&self, doc: i64) -> String {
        match self.documents.get(&doc) {
            None => String::new(),
            Some(t) if t.is_empty() => " ◇".into(),
            Some(t) => format!(" ◇{}", t.len()),
        }
    }

    /// The document list's title: which round, and how much is assigned.
    pub fn title(&self) -> String {
        let turns: usize = self.documents.values().map(Vec::len).sum();
        if turns > 0 {
            format!(
                "◇ ICR round {}: {turns} turn(s) in {} document(s) to code",
                self.round,
                self.documents.len()
            )
        } else {
            format!(
                "◇ ICR round {}: {} document(s) to code",
                self.round,
                self.documents.len()
            )
        }
    }

    /// The drawn turns (from 1) of a document, for the status line; None if not assigned.
    pub fn turns(&self, doc: i64) -> Option<&[i64]> {
        self.documents.get(&doc).map(Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_and_title_say_documents_or_turns() {
        let whole = IcrAssigned {
            round: 2,
            documents: HashMap::from([(7, vec![])]),
        };
        assert_eq!(whole.mark(7), " ◇");
        assert_eq!(whole.mark(8), "");
        assert_eq!(whole.title(), "◇ ICR round 2: 1 document(s) to code");
        let turns = IcrAssigned {
            round: 1,
            documents: HashMap::from([(7, vec![2, 5, 9]), (8, vec![1])]),
        };
        assert_eq!(turns.mark(7), " ◇3");
        assert_eq!(turns.turns(8), Some(&[1][..]));
        assert_eq!(
            turns.title(),
            "◇ ICR round 1: 4 turn(s) in 2 document(s) to code"
        );
    }
}
