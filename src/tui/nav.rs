//! Moving through the transcript: the cursor is a char offset; rows are computed from the
//! wrapped turns on demand, so nothing here walks the whole document.

use super::app::App;
use super::layout::{self, Row, RowPos};
use super::motion;
use std::rc::Rc;

impl App {
    pub fn text_width(&self) -> u16 {
        layout::transcript_geometry(self.areas().main).text.width
    }

    pub fn view_height(&self) -> usize {
        (layout::transcript_geometry(self.areas().main).text.height as usize).max(1)
    }

    pub fn lines(&self, turn: usize) -> Rc<Vec<(u32, u32)>> {
        let doc = self.doc.as_ref().expect("a document is open");
        let (s, e) = doc.turn_range(turn);
        self.wrap.get(&doc.text, turn, s, e, self.text_width())
    }

    fn turn_count(&self) -> usize {
        self.doc.as_ref().map_or(0, |d| d.turns.len())
    }

    pub fn rows_in(&self, turn: usize) -> usize {
        self.lines(turn).len() + 2
    }

    pub fn next_row(&self, p: RowPos) -> Option<RowPos> {
        if p.row + 1 < self.rows_in(p.turn) {
            Some(RowPos {
                turn: p.turn,
                row: p.row + 1,
            })
        } else if p.turn + 1 < self.turn_count() {
            Some(RowPos {
                turn: p.turn + 1,
                row: 0,
            })
        } else {
            None
        }
    }

    pub fn prev_row(&self, p: RowPos) -> Option<RowPos> {
        if p.row > 0 {
            Some(RowPos {
                turn: p.turn,
                row: p.row - 1,
            })
        } else if p.turn > 0 {
            Some(RowPos {
                turn: p.turn - 1,
                row: self.rows_in(p.turn - 1) - 1,
            })
        } else {
            None
        }
    }

    pub fn row(&self, p: RowPos) -> Row {
        let lines = self.lines(p.turn);
        match p.row {
            0 => Row::Header { turn: p.turn },
            r if r <= lines.len() => {
                let (start, end) = lines[r - 1];
                Row::Text {
                    turn: p.turn,
                    line: r - 1,
                    start,
                    end,
                }
            }
            _ => Row::Gap { turn: p.turn },
        }
    }

    /// The rows on screen, top to bottom.
    pub fn visible_rows(&self) -> Vec<Row> {
        let mut out = Vec::new();
        if self.turn_count() == 0 {
            return out;
        }
        let mut p = Some(self.top);
        let h = self.view_height();
        while let Some(pos) = p {
            if out.len() >= h {
                break;
            }
            out.push(self.row(pos));
            p = self.next_row(pos);
        }
        out
    }

    /// The row holding the cursor.
    pub fn cursor_row(&self) -> RowPos {
        let Some(doc) = &self.doc else {
            return RowPos::default();
        };
        if doc.turns.is_empty() {
            return RowPos::default();
        }
        let turn = doc.turn_at(self.cursor);
        let lines = self.lines(turn);
        let i = lines
            .partition_point(|&(s, _)| s as usize <= self.cursor)
            .saturating_sub(1);
        RowPos { turn, row: i + 1 }
    }

    /// Scrolls so the cursor's row is on screen (with its turn's header when it fits).
    pub fn scroll_to_cursor(&mut self) {
        if self.turn_count() == 0 {
            return;
        }
        let cr = self.cursor_row();
        let h = self.view_height();
        if cr < self.top {
            self.top = if cr.row == 1 {
                RowPos {
                    turn: cr.turn,
                    row: 0,
                }
            } else {
                cr
            };
            return;
        }
        let mut p = self.top;
        for _ in 0..h {
            if p == cr {
                return;
            }
            match self.next_row(p) {
                Some(n) => p = n,
                None => return,
            }
        }
        let mut top = cr;
        for _ in 1..h {
            match self.prev_row(top) {
                Some(t) => top = t,
                None => break,
            }
        }
        self.top = top;
    }

    /// Puts the cursor at `at`, snapped into the nearest turn, and scrolls to it.
    pub fn set_cursor(&mut self, at: usize) {
        let Some(doc) = &self.doc else {
            return;
        };
        if doc.turns.is_empty() {
            return;
        }
        let t = doc.turn_at(at);
        let (s, e) = doc.turn_range(t);
        self.cursor = if at < s {
            s
        } else if at >= e {
            match doc.turns.get(t + 1) {
                Some(n) => n.start as usize,
                None => e - 1,
            }
        } else {
            at
        };
        self.scroll_to_cursor();
    }

    /// Moves the cursor `n` text lines down (up when negative), keeping its column.
    pub fn move_lines(&mut self, n: isize) {
        let Some(doc) = &self.doc else {
            return;
        };
        if doc.turns.is_empty() {
            return;
        }
        let cr = self.cursor_row();
        let (cs, _) = self.lines(cr.turn)[cr.row - 1];
        let col = self
            .want_col
            .unwrap_or_else(|| layout::column(&doc.text, cs as usize, self.cursor));
        let mut p = cr;
        let mut left = n.unsigned_abs();
        let mut last_text = cr;
        while left > 0 {
            let next = if n > 0 {
                self.next_row(p)
            } else {
                self.prev_row(p)
            };
            let Some(q) = next else { break };
            p = q;
            if matches!(self.row(q), Row::Text { .. }) {
                last_text = q;
                left -= 1;
            }
        }
        if let Row::Text { start, end, .. } = self.row(last_text) {
            let doc = self.doc.as_ref().expect("open");
            let at = layout::char_at_column(&doc.text, start as usize, end as usize, col);
            self.cursor = at;
            self.want_col = Some(col);
            self.scroll_to_cursor();
        }
    }

    fn bounds(&self) -> Option<(usize, usize, usize)> {
        let doc = self.doc.as_ref()?;
        if doc.turns.is_empty() {
            return None;
        }
        let t = doc.turn_at(self.cursor);
        let (s, e) = doc.turn_range(t);
        Some((t, s, e))
    }

    fn goto(&mut self, at: usize) {
        self.want_col = None;
        self.set_cursor(at);
    }

    pub fn char_right(&mut self) {
        if let Some((_, _, e)) = self.bounds() {
            let at = if self.cursor + 1 < e {
                self.cursor + 1
            } else {
                e
            };
            self.goto(at);
        }
    }

    pub fn char_left(&mut self) {
        if let Some((t, s, _)) = self.bounds() {
            if self.cursor > s {
                self.goto(self.cursor - 1);
            } else if t > 0 {
                let (_, pe) = self.doc.as_ref().expect("open").turn_range(t - 1);
                self.goto(pe - 1);
            }
        }
    }

    /// `w`: next word start; in visual mode, the end of the next word (so the selection ends
    /// on a whole word).
    pub fn word_forward(&mut self) {
        let Some((_, _, e)) = self.bounds() else {
            return;
        };
        let text = &self.doc.as_ref().expect("open").text;
        let at = if self.anchor.is_some() {
            // A selection stops at the end of the turn before it goes on into the next.
            let at = motion::word_end_fwd(text, self.cursor, e);
            if at >= e && self.cursor + 1 < e {
                e - 1
            } else {
                at
            }
        } else {
            motion::word_start_fwd(text, self.cursor, e)
        };
        self.goto(at);
    }

    pub fn word_back(&mut self) {
        let Some((t, s, _)) = self.bounds() else {
            return;
        };
        if self.cursor == s && t > 0 {
            let doc = self.doc.as_ref().expect("open");
            let (ps, pe) = doc.turn_range(t - 1);
            let at = motion::word_start_back(&doc.text, pe, ps);
            return self.goto(at);
        }
        let text = &self.doc.as_ref().expect("open").text;
        let at = motion::word_start_back(text, self.cursor, s);
        self.goto(at);
    }

    pub fn sentence_forward(&mut self) {
        let Some((_, _, e)) = self.bounds() else {
            return;
        };
        let text = &self.doc.as_ref().expect("open").text;
        let at = if self.anchor.is_some() {
            // A selection stops at the end of the turn before it goes on into the next.
            let at = motion::sentence_end_fwd(text, self.cursor, e);
            if at >= e && self.cursor + 1 < e {
                e - 1
            } else {
                at
            }
        } else {
            motion::sentence_start_fwd(text, self.cursor, e)
        };
        self.goto(at);
    }

    pub fn sentence_back(&mut self) {
        let Some((t, s, _)) = self.bounds() else {
            return;
        };
        if self.cursor == s && t > 0 {
            let doc = self.doc.as_ref().expect("open");
            let (ps, pe) = doc.turn_range(t - 1);
            let at = motion::sentence_start_back(&doc.text, pe - 1, ps);
            return self.goto(at);
        }
        let text = &self.doc.as_ref().expect("open").text;
        let at = motion::sentence_start_back(text, self.cursor, s);
        self.goto(at);
    }

    /// Next (or previous) turn; with `same_speaker`, the next turn by the cursor's speaker.
    pub fn turn_step(&mut self, forward: bool, same_speaker: bool) {
        let Some((t, _, _)) = self.bounds() else {
            return;
        };
        let doc = self.doc.as_ref().expect("open");
        let speaker = &doc.turns[t].speaker;
        let pick = |i: &usize| !same_speaker || &doc.turns[*i].speaker == speaker;
        let found = if forward {
            (t + 1..doc.turns.len()).find(pick)
        } else {
            (0..t).rev().find(pick)
        };
        match found {
            Some(i) => {
                let at = doc.turns[i].start as usize;
                self.goto(at);
                // Show the new turn's header too.
                let cr = self.cursor_row();
                if cr.row == 1
                    && self.top
                        > (RowPos {
                            turn: cr.turn,
                            row: 0,
                        })
                {
                    self.top = RowPos {
                        turn: cr.turn,
                        row: 0,
                    };
                }
            }
            None => self.set_message(if same_speaker {
                "no more turns by this speaker"
            } else {
                "no more turns"
            }),
        }
    }

    /// In visual mode a turn motion moves the selection's end to a turn's end (forward) or
    /// start (back): the selection covers whole turns and never the next speaker's first
    /// character. Forward from inside a turn goes to that turn's last character first.
    pub fn visual_turn_step(&mut self, forward: bool, same_speaker: bool) {
        let Some((t, s, e)) = self.bounds() else {
            return;
        };
        let doc = self.doc.as_ref().expect("open");
        let speaker = &doc.turns[t].speaker;
        let pick = |i: &usize| !same_speaker || &doc.turns[*i].speaker == speaker;
        let target = if forward {
            if self.cursor + 1 < e && !same_speaker {
                Some(e - 1)
            } else {
                (t + 1..doc.turns.len())
                    .find(pick)
                    .map(|i| doc.turns[i].end as usize - 1)
            }
        } else if self.cursor > s && !same_speaker {
            Some(s)
        } else {
            (0..t).rev().find(pick).map(|i| doc.turns[i].start as usize)
        };
        match target {
            Some(at) => {
                self.want_col = None;
                self.cursor = at;
                self.scroll_to_cursor();
            }
            None => self.set_message(if same_speaker {
                "no more turns by this speaker"
            } else {
                "no more turns"
            }),
        }
    }

    pub fn doc_start(&mut self) {
        if let Some(t) = self.doc.as_ref().and_then(|d| d.turns.first()) {
            let at = t.start as usize;
            self.goto(at);
            self.top = RowPos::default();
        }
    }

    pub fn doc_end(&mut self) {
        if let Some(t) = self.doc.as_ref().and_then(|d| d.turns.last()) {
            let at = t.end as usize - 1;
            self.goto(at);
        }
    }

    /// Finds the query after (or before) the cursor, wrapping round the document.
    /// Char offset under a screen cell of the transcript's text area (mouse), if any.
    pub fn char_at_cell(&self, x: u16, y: u16) -> Option<usize> {
        let geo = layout::transcript_geometry(self.areas().main);
        if x < geo.text.x || y < geo.text.y || y >= geo.text.bottom() || x >= geo.text.right() {
            return None;
        }
        let rows = self.visible_rows();
        match rows.get((y - geo.text.y) as usize)? {
            Row::Text { start, end, .. } => {
                let doc = self.doc.as_ref()?;
                Some(layout::char_at_column(
                    &doc.text,
                    *start as usize,
                    *end as usize,
                    (x - geo.text.x) as usize,
                ))
            }
            _ => None,
        }
    }

    /// Scrolls the view by `n` rows without moving the cursor off screen.
    pub fn scroll_rows(&mut self, n: isize) {
        if self.turn_count() == 0 {
            return;
        }
        for _ in 0..n.unsigned_abs() {
            let next = if n > 0 {
                self.next_row(self.top)
            } else {
                self.prev_row(self.top)
            };
            match next {
                Some(p) => self.top = p,
                None => break,
            }
        }
        let rows = self.visible_rows();
        let inside = rows.iter().any(|r| matches!(r, Row::Text { start, end, .. } if (*start as usize..(*end as usize).max(*start as usize + 1)).contains(&self.cursor)));
        if !inside
            && let Some(Row::Text { start, .. }) =
                rows.iter().find(|r| matches!(r, Row::Text { .. }))
        {
            self.cursor = *start as usize;
        }
    }
}
