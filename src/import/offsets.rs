//! Byte-offset turns (used while parsing) and their conversion to char offsets.

use crate::import::types::ParsedTurn;

/// A turn whose range is in bytes of the canonical text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ByteTurn {
    pub speaker: Option<String>,
    pub start: usize,
    pub end: usize,
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
}

/// Convert byte ranges (ordered, non-overlapping, on char boundaries) to char
/// ranges in one pass. Turns whose `end_ms` is unknown take the next turn's
/// `start_ms`.
pub(crate) fn to_char_turns(text: &str, turns: Vec<ByteTurn>) -> Vec<ParsedTurn> {
    let mut counter = CharCounter::new(text);
    let mut out: Vec<ParsedTurn> = Vec::with_capacity(turns.len());
    for t in turns {
        let start = counter.at(t.start);
        let end = counter.at(t.end);
        out.push(ParsedTurn {
            speaker: t.speaker,
            start,
            end,
            start_ms: t.start_ms,
            end_ms: t.end_ms,
        });
    }
    fill_end_ms(&mut out);
    out
}

/// end_ms of a turn = start_ms of the next, when the former is unknown.
pub(crate) fn fill_end_ms(turns: &mut [ParsedTurn]) {
    for i in 1..turns.len() {
        let next_start = turns[i].start_ms;
        if let Some(prev) = turns.get_mut(i - 1)
            && prev.end_ms.is_none()
        {
            prev.end_ms = next_start;
        }
    }
}

/// Counts chars up to increasing byte offsets without rescanning.
struct CharCounter<'a> {
    text: &'a str,
    byte: usize,
    chars: usize,
}

impl<'a> CharCounter<'a> {
    fn new(text: &'a str) -> Self {
        CharCounter {
            text,
            byte: 0,
            chars: 0,
        }
    }

    fn at(&mut self, byte: usize) -> usize {
        if byte < self.byte {
            // Out of order (never expected): count from the start.
            return self.text.get(..byte).map_or(0, |s| s.chars().count());
        }
        if let Some(s) = self.text.get(self.byte..byte) {
            self.chars += s.chars().count();
            self.byte = byte;
        }
        self.chars
    }
}

/// Byte range of `s[from..to]` with surrounding whitespace removed, or None
/// when nothing but whitespace is there.
pub(crate) fn trimmed_range(s: &str, from: usize, to: usize) -> Option<(usize, usize)> {
    let seg = s.get(from..to)?;
    let lead = seg.len() - seg.trim_start().len();
    let trimmed = seg.trim();
    if trimmed.is_empty() {
        return None;
    }
    Some((from + lead, from + lead + trimmed.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_multibyte_offsets() {
        let text = "é😀 ab 中文";
        let a = text.find("ab").unwrap();
        let z = text.find("中").unwrap();
        let turns = vec![
            ByteTurn {
                speaker: None,
                start: a,
                end: a + 2,
                start_ms: Some(5),
                end_ms: None,
            },
            ByteTurn {
                speaker: None,
                start: z,
                end: text.len(),
                start_ms: Some(9),
                end_ms: None,
            },
        ];
        let out = to_char_turns(text, turns);
        assert_eq!((out[0].start, out[0].end), (3, 5));
        assert_eq!((out[1].start, out[1].end), (6, 8));
        assert_eq!(out[0].end_ms, Some(9));
        assert_eq!(out[1].end_ms, None);
    }

    #[test]
    fn trimmed_range_works() {
        assert_eq!(trimmed_range("  ab  ", 0, 6), Some((2, 4)));
        assert_eq!(trimmed_range("   ", 0, 3), None);
        assert_eq!(trimmed_range("ab", 0, 9), None);
    }
}
