//! The mouse: click to focus and place the cursor, drag to select, wheel to scroll.

use super::action::Action;
use super::app::{App, Pane};
use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Position;

impl App {
    pub(super) fn handle_mouse(&mut self, m: MouseEvent) {
        if !self.popups.is_empty() {
            return;
        }
        let pos = Position::new(m.column, m.row);
        let areas = self.areas();
        match m.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                self.message = None;
                if areas.main.contains(pos) {
                    self.focus = Pane::Main;
                    if self.retrieval.is_some() {
                        let picked =
                            super::views::retrieval::excerpt_at_row(self, areas.main, m.row);
                        if let (Some(picked), Some(r)) = (picked, &mut self.retrieval) {
                            let again = picked == r.sel;
                            r.sel = picked;
                            if again {
                                // A second click on an excerpt jumps to it.
                                self.act(Action::Open);
                            }
                        }
                    } else if self.memos.is_some() {
                        // The memo browser is keyboard-driven; a click only focuses it.
                    } else if let Some(at) = self.char_at_cell(m.column, m.row) {
                        self.cursor = at;
                        self.want_col = None;
                        self.anchor = None;
                        self.dragging = true;
                    }
                } else if areas.documents.contains(pos) {
                    self.focus = Pane::Documents;
                    let first = super::views::documents::first_visible(
                        self.doc_sel,
                        areas.documents,
                        self.docs.len(),
                    );
                    let i = first + m.row.saturating_sub(areas.documents.y + 1) as usize;
                    if i < self.docs.len() {
                        if i == self.doc_sel {
                            self.act(Action::Open);
                        } else {
                            self.doc_sel = i;
                        }
                    }
                } else if areas.codebook.contains(pos) {
                    self.focus = Pane::Codebook;
                    let first = super::views::codebook::first_visible(self, areas.codebook);
                    let i = first + m.row.saturating_sub(areas.codebook.y + 1) as usize;
                    if i < self.code_rows.len() {
                        self.code_sel = i;
                    }
                }
            }
            MouseEventKind::Drag(MouseButton::Left) if self.dragging => {
                if let Some(at) = self.char_at_cell(m.column, m.row) {
                    if self.anchor.is_none() && at != self.cursor {
                        self.anchor = Some(self.cursor);
                    }
                    self.cursor = at;
                } else {
                    // Dragging past the top or bottom edge scrolls.
                    let geo = super::layout::transcript_geometry(areas.main);
                    if m.row < geo.text.y {
                        self.move_lines(-1);
                    } else if m.row >= geo.text.bottom() {
                        self.move_lines(1);
                    }
                }
            }
            MouseEventKind::Up(MouseButton::Left) => {
                if self.dragging && self.anchor.is_some() {
                    self.set_message("selected: c codes it, 1–9 recent codes, Esc cancels");
                }
                self.dragging = false;
            }
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let down = m.kind == MouseEventKind::ScrollDown;
                if areas.main.contains(pos) && self.retrieval.is_none() {
                    self.scroll_rows(if down { 3 } else { -3 });
                } else if areas.main.contains(pos) {
                    self.act(if down { Action::Down } else { Action::Up });
                } else if areas.documents.contains(pos) {
                    let n = self.docs.len();
                    self.doc_sel = if down {
                        (self.doc_sel + 1).min(n.saturating_sub(1))
                    } else {
                        self.doc_sel.saturating_sub(1)
                    };
                } else if areas.codebook.contains(pos) {
                    let n = self.code_rows.len();
                    self.code_sel = if down {
                        (self.code_sel + 1).min(n.saturating_sub(1))
                    } else {
                        self.code_sel.saturating_sub(1)
                    };
                }
            }
            _ => {}
        }
    }
}
