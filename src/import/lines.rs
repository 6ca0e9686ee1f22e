//! Line-based turn building shared by the plain-text, Rev and Otter parsers:
//! the canonical text is the file text; markers (speaker lines) start turns.

use crate::import::offsets::{ByteTurn, trimmed_range};

/// A turn start found on a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Marker {
    pub speaker: Option<String>,
    pub ts_ms: Option<i64>,
    /// Byte offset within the line where content begins.
    pub content: usize,
}

/// Lines of `text` (split on LF) with the byte offset of each.
pub(crate) fn lines_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut pos = 0usize;
    text.split('\n').map(move |line| {
        let start = pos;
        pos += line.len() + 1;
        (start, line)
    })
}

struct Current {
    speaker: Option<String>,
    ts_ms: Option<i64>,
    /// Started by a marker (extends across blank lines) rather than by a
    /// paragraph of unlabelled text (ends at a blank line).
    explicit: bool,
    range: Option<(usize, usize)>,
}

impl Current {
    fn add(&mut self, text: &str, from: usize, to: usize) {
        if let Some((s, e)) = trimmed_range(text, from, to) {
            self.range = Some(match self.range {
                Some((s0, _)) => (s0, e),
                None => (s, e),
            });
        }
    }
}

/// Result of [`build_turns`].
#[derive(Debug, Default)]
pub(crate) struct LineTurns {
    pub turns: Vec<ByteTurn>,
    /// Markers that had no content before the next marker.
    pub empty_markers: usize,
}

/// Walk the lines: a marker line starts a new turn (content after the marker
/// on that line plus following lines); unmarked text continues the current
/// turn, or forms paragraph turns (speaker None) when no marker precedes it.
pub(crate) fn build_turns(
    text: &str,
    mut marker: impl FnMut(usize, &str) -> Option<Marker>,
) -> LineTurns {
    let mut out = LineTurns::default();
    let mut cur: Option<Current> = None;
    for (idx, (start, line)) in lines_with_offsets(text).enumerate() {
        let end = start + line.len();
        if let Some(m) = marker(idx, line) {
            finish(&mut out, cur.take());
            let mut c = Current {
                speaker: m.speaker,
                ts_ms: m.ts_ms,
                explicit: true,
                range: None,
            };
            c.add(text, start + m.content.min(line.len()), end);
            cur = Some(c);
        } else if line.trim().is_empty() {
            if cur.as_ref().is_some_and(|c| !c.explicit) {
                finish(&mut out, cur.take());
            }
        } else {
            let c = cur.get_or_insert(Current {
                speaker: None,
                ts_ms: None,
                explicit: false,
                range: None,
            });
            c.add(text, start, end);
        }
    }
    finish(&mut out, cur);
    out
}

fn finish(out: &mut LineTurns, cur: Option<Current>) {
    let Some(c) = cur else { return };
    match c.range {
        Some((start, end)) => out.turns.push(ByteTurn {
            speaker: c.speaker,
            start,
            end,
            start_ms: c.ts_ms,
            end_ms: None,
        }),
        None => out.empty_markers += 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn colon(_: usize, line: &str) -> Option<Marker> {
        let (name, _) = line.split_once(": ")?;
        Some(Marker {
            speaker: Some(name.to_string()),
            ts_ms: None,
            content: name.len() + 2,
        })
    }

    #[test]
    fn markers_and_paragraphs() {
        let text = "Intro line\nmore intro\n\nSecond para\nA: hi\n\nthere\nB: yo";
        let r = build_turns(text, colon);
        let got: Vec<(&str, Option<&str>)> = r
            .turns
            .iter()
            .map(|t| (&text[t.start..t.end], t.speaker.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Intro line\nmore intro", None),
                ("Second para", None),
                ("hi\n\nthere", Some("A")),
                ("yo", Some("B")),
            ]
        );
    }

    #[test]
    fn empty_marker_counted() {
        let r = build_turns("A: \nB: x", colon);
        assert_eq!(r.turns.len(), 1);
        assert_eq!(r.empty_markers, 1);
    }
}
