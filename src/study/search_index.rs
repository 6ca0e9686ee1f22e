//! Keeping the full-text index (`turns_fts`, schema version 2) in step with the turns.
//!
//! Deleting turns is handled by a trigger. Inserting is not: a trigger would have to read the
//! whole document text again for every turn (quadratic in the transcript's length — a 14 MB
//! import took 10 s that way), so whoever writes a document's turns indexes them here, reading
//! the text once.

use crate::error::Result;
use rusqlite::Connection;

/// Adds every turn of `document_id` that is not yet in the index.
pub fn index_document(conn: &Connection, document_id: i64) -> Result<usize> {
    let text: String = conn
        .prepare_cached("SELECT text FROM documents WHERE id = ?1")?
        .query_row([document_id], |r| r.get(0))?;
    index_document_text(conn, document_id, &text)
}

/// [`index_document`] with the document's text at hand (an import has it: no second copy).
pub fn index_document_text(conn: &Connection, document_id: i64, text: &str) -> Result<usize> {
    // Turns in text order, sliced by a cursor that only moves forward: memory stays that of
    // one turn, not a table of every code point's offset (8 bytes per character).
    let turns: Vec<(i64, i64, i64)> = conn
        .prepare_cached(
            "SELECT id, start, \"end\" FROM turns t WHERE document_id = ?1
               AND NOT EXISTS (SELECT 1 FROM turns_fts f WHERE f.rowid = t.id)
             ORDER BY start, \"end\"",
        )?
        .query_map([document_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut insert = conn.prepare_cached("INSERT INTO turns_fts (rowid, text) VALUES (?1, ?2)")?;
    let mut cursor = CharCursor::default();
    for &(id, start, end) in &turns {
        let (Ok(start), Ok(end)) = (usize::try_from(start), usize::try_from(end)) else {
            continue;
        };
        let (Some(a), Some(b)) = (cursor.seek(text, start), cursor.peek(text, end)) else {
            continue;
        };
        insert.execute(rusqlite::params![id, &text[a..b]])?;
    }
    Ok(turns.len())
}

/// Byte offset of increasing char offsets, counted once.
#[derive(Default)]
struct CharCursor {
    byte: usize,
    chars: usize,
}

impl CharCursor {
    /// Byte offset of char `target` (None past the end), moving the cursor there.
    fn seek(&mut self, text: &str, target: usize) -> Option<usize> {
        if target < self.chars {
            *self = CharCursor::default();
        }
        let b = advance(text, self.byte, target - self.chars)?;
        self.byte = b;
        self.chars = target;
        Some(b)
    }

    /// Byte offset of char `target` without moving the cursor.
    fn peek(&self, text: &str, target: usize) -> Option<usize> {
        if target < self.chars {
            return CharCursor::default().peek(text, target);
        }
        advance(text, self.byte, target - self.chars)
    }
}

/// Byte offset `n` chars after byte `from` (the end counts; None past it).
fn advance(text: &str, from: usize, n: usize) -> Option<usize> {
    let rest = text.get(from..)?;
    if n == 0 {
        return Some(from);
    }
    match rest.char_indices().nth(n) {
        Some((b, _)) => Some(from + b),
        None if rest.chars().count() == n => Some(text.len()),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::import::{Format, ParsedTranscript, ParsedTurn};
    use crate::study::Study;

    #[test]
    fn imported_turns_are_searchable_and_undo_removes_them() {
        let dir = tempfile::tempdir().unwrap();
        let mut study = Study::create(&dir.path().join("s.thematic")).unwrap();
        let text = "Ana: the portal 👋 is slow\nBen: replies are quick\n".to_string();
        let turns = vec![
            ParsedTurn {
                speaker: Some("Ana".into()),
                start: 5,
                end: 25,
                start_ms: None,
                end_ms: None,
            },
            ParsedTurn {
                speaker: Some("Ben".into()),
                start: 31,
                end: 48,
                start_ms: None,
                end_ms: None,
            },
        ];
        let t = ParsedTranscript {
            format: Format::Text,
            text,
            turns,
            notes: vec![],
        };
        let alex = study.ensure_coder("alex").unwrap();
        study
            .change(Some(alex.id), "import", "import", |rec| {
                crate::import::study::insert_transcript(rec, "D", "D.txt", &t).map(|_| ())
            })
            .unwrap();
        let hits = |s: &Study, q: &str| -> Vec<String> {
            s.conn()
                .prepare("SELECT text FROM turns_fts WHERE turns_fts MATCH ?1")
                .unwrap()
                .query_map([q], |r| r.get(0))
                .unwrap()
                .map(|r| r.unwrap())
                .collect()
        };
        assert_eq!(hits(&study, "slow"), ["the portal 👋 is slow"]);
        assert_eq!(hits(&study, "quick"), ["replies are quick"]);
        study.undo(&alex).unwrap();
        assert!(hits(&study, "quick").is_empty());
    }
}
