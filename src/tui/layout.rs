//! Geometry: where the panes are, and how a document's turns wrap into display lines. Wrapping
//! is lazy per turn and cached by (turn, width), so the cost of drawing a screen depends on the
//! screen, not on the length of the transcript.

use ratatui::layout::Rect;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use unicode_width::UnicodeWidthChar;

pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

/// The panes' rectangles for a terminal of `size`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Areas {
    pub documents: Rect,
    pub codebook: Rect,
    pub main: Rect,
    pub status: Rect,
}

pub fn too_small(size: Rect) -> bool {
    size.width < MIN_WIDTH || size.height < MIN_HEIGHT
}

pub fn areas(size: Rect) -> Areas {
    let status_h = 2.min(size.height);
    let body_h = size.height.saturating_sub(status_h);
    let left_w = (size.width / 4).clamp(22, 40).min(size.width);
    let docs_h = (body_h * 2 / 5).max(3).min(body_h);
    Areas {
        documents: Rect::new(size.x, size.y, left_w, docs_h),
        codebook: Rect::new(size.x, size.y + docs_h, left_w, body_h - docs_h),
        main: Rect::new(size.x + left_w, size.y, size.width - left_w, body_h),
        status: Rect::new(size.x, size.y + body_h, size.width, status_h),
    }
}

/// The transcript pane's inside split into text and margin columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TranscriptGeometry {
    pub text: Rect,
    pub margin: Rect,
}

pub fn transcript_geometry(main: Rect) -> TranscriptGeometry {
    // One border all round; the margin sits right of the text behind a one-column rule.
    let inner = Rect::new(
        main.x + 1,
        main.y + 1,
        main.width.saturating_sub(2),
        main.height.saturating_sub(2),
    );
    let margin_w = if inner.width >= 70 {
        (inner.width / 4).min(30)
    } else {
        inner.width / 5
    };
    let text_w = inner.width.saturating_sub(margin_w + 1).max(10);
    TranscriptGeometry {
        text: Rect::new(inner.x, inner.y, text_w, inner.height),
        margin: Rect::new(inner.x + text_w + 1, inner.y, margin_w, inner.height),
    }
}

/// Wraps chars [start, end) of `text` to `width` columns; returns each line's char range
/// (absolute offsets; a newline ends a line and belongs to none). Never empty.
pub fn wrap(text: &[char], start: usize, end: usize, width: usize) -> Vec<(u32, u32)> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line_start = start;
    let mut col = 0usize;
    let mut last_break: Option<usize> = None;
    let mut i = start;
    while i < end {
        let c = text[i];
        if c == '\n' {
            lines.push((line_start as u32, i as u32));
            line_start = i + 1;
            col = 0;
            last_break = None;
            i += 1;
            continue;
        }
        let w = c.width().unwrap_or(0);
        if c == ' ' {
            col += 1;
            if col >= width {
                // Trailing spaces stay on their line (they are invisible past the edge).
                lines.push((line_start as u32, (i + 1) as u32));
                line_start = i + 1;
                col = 0;
                last_break = None;
            } else {
                last_break = Some(i + 1);
            }
            i += 1;
            continue;
        }
        if col + w > width && i > line_start {
            let cut = match last_break {
                Some(b) if b > line_start => b,
                _ => i,
            };
            lines.push((line_start as u32, cut as u32));
            line_start = cut;
            col = text[cut..i].iter().map(|c| c.width().unwrap_or(0)).sum();
            last_break = None;
            continue;
        }
        col += w;
        i += 1;
    }
    if line_start < end || lines.is_empty() {
        lines.push((line_start as u32, end as u32));
    }
    lines
}

/// Wrapped turns, cached by (turn index, width). Cleared when the document changes.
type Lines = Rc<Vec<(u32, u32)>>;

#[derive(Debug, Default)]
pub struct WrapCache {
    map: RefCell<HashMap<(usize, u16), Lines>>,
}

impl WrapCache {
    pub fn get(
        &self,
        text: &[char],
        turn: usize,
        start: usize,
        end: usize,
        width: u16,
    ) -> Rc<Vec<(u32, u32)>> {
        if let Some(v) = self.map.borrow().get(&(turn, width)) {
            return v.clone();
        }
        let v = Rc::new(wrap(text, start, end, width as usize));
        let mut map = self.map.borrow_mut();
        if map.len() > 4096 {
            map.clear();
        }
        map.insert((turn, width), v.clone());
        v
    }

    pub fn clear(&self) {
        self.map.borrow_mut().clear();
    }
}

/// A row of the transcript: a turn's header, one of its wrapped text lines, or the gap after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Header {
        turn: usize,
    },
    Text {
        turn: usize,
        line: usize,
        start: u32,
        end: u32,
    },
    Gap {
        turn: usize,
    },
}

/// A position in the transcript's rows: the turn and the row within it (0 = header).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct RowPos {
    pub turn: usize,
    pub row: usize,
}

/// Column of char `at` within the line starting at `start`.
pub fn column(text: &[char], start: usize, at: usize) -> usize {
    text[start..at.min(text.len())]
        .iter()
        .map(|c| c.width().unwrap_or(0))
        .sum()
}

/// The char of the line [start, end) at display column `col` (the last one when past the end).
pub fn char_at_column(text: &[char], start: usize, end: usize, col: usize) -> usize {
    let mut c = 0;
    for (i, ch) in text.iter().enumerate().take(end).skip(start) {
        let w = ch.width().unwrap_or(0);
        if c + w > col {
            return i;
        }
        c += w;
    }
    if end > start { end - 1 } else { start }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &str, w: usize) -> Vec<String> {
        let t: Vec<char> = s.chars().collect();
        wrap(&t, 0, t.len(), w)
            .into_iter()
            .map(|(a, b)| t[a as usize..b as usize].iter().collect())
            .collect()
    }

    #[test]
    fn wraps_at_spaces_and_newlines() {
        assert_eq!(lines("aaa bbb ccc", 7), vec!["aaa bbb ", "ccc"]);
        assert_eq!(lines("aaa bbb ccc", 6), vec!["aaa ", "bbb ", "ccc"]);
        assert_eq!(lines("aaaaaaaaa", 4), vec!["aaaa", "aaaa", "a"]);
        assert_eq!(lines("ab\ncd", 10), vec!["ab", "cd"]);
        assert_eq!(lines("", 10), vec![""]);
    }

    #[test]
    fn wide_characters_take_two_columns() {
        assert_eq!(lines("漢字漢字漢", 4), vec!["漢字", "漢字", "漢"]);
        let t: Vec<char> = "a漢b".chars().collect();
        assert_eq!(column(&t, 0, 2), 3);
        assert_eq!(char_at_column(&t, 0, 3, 2), 1);
    }

    #[test]
    fn every_char_but_newlines_is_on_one_line() {
        let s = "Hello there, 👋 friends.\nSecond para with words that wrap around.";
        let t: Vec<char> = s.chars().collect();
        for w in 3..30 {
            let ls = wrap(&t, 0, t.len(), w);
            let covered: usize = ls.iter().map(|(a, b)| (b - a) as usize).sum();
            assert_eq!(covered, t.len() - 1, "width {w}");
        }
    }
}
