//! Output types of the parsers.

use crate::import::format::Format;

/// One speaker turn. `start`/`end` are char (code point) offsets into
/// [`ParsedTranscript::text`], half-open, covering the spoken content only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedTurn {
    pub speaker: Option<String>,
    pub start: usize,
    pub end: usize,
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
}

/// A parsed transcript: canonical text, turns in order, non-fatal notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedTranscript {
    pub format: Format,
    pub text: String,
    pub turns: Vec<ParsedTurn>,
    pub notes: Vec<String>,
}

impl ParsedTranscript {
    /// The spoken content of turn `index`, or None if out of range.
    pub fn turn_text(&self, index: usize) -> Option<String> {
        let turn = self.turns.get(index)?;
        let len = turn.end.checked_sub(turn.start)?;
        Some(self.text.chars().skip(turn.start).take(len).collect())
    }
}
