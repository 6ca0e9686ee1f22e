//! The jump stack, as in an editor: a jump from a list (retrieval, the analysis view's
//! drill-downs and search hits, the memo browser) into a transcript remembers where it came
//! from, and Esc (or C-o) goes back there — to the same excerpt in the same list. A jump puts
//! the excerpt in the middle of the screen.

use super::app::{App, Pane};
use super::layout::RowPos;
use super::retrieval::Retrieval;
use super::study_views::View;

/// Where a jump came from.
pub struct JumpFrame {
    pub view: Option<View>,
    pub retrieval: Option<Retrieval>,
    pub memos: Option<super::memos::MemoBrowser>,
    pub focus: Pane,
    pub doc: Option<i64>,
    pub cursor: usize,
    pub top: RowPos,
}

/// Jumps kept; the oldest go first.
const DEPTH: usize = 50;

impl App {
    /// Jumps to `at` in document `doc` from wherever the workbench is now, remembering it.
    pub fn jump_with_return(&mut self, doc: i64, at: usize) {
        let frame = JumpFrame {
            view: self.view.take(),
            retrieval: self.retrieval.take(),
            memos: self.memos.take(),
            focus: self.focus,
            doc: self.doc.as_ref().map(|d| d.id),
            cursor: self.cursor,
            top: self.top,
        };
        self.jumps.push(frame);
        if self.jumps.len() > DEPTH {
            self.jumps.remove(0);
        }
        self.jump_to(doc, at);
        self.center_on_cursor();
    }

    /// Returns to where the last jump came from. False when there is nowhere to go back to.
    pub fn jump_back(&mut self) -> bool {
        let Some(f) = self.jumps.pop() else {
            return false;
        };
        if let Some(doc) = f.doc
            && self.doc.as_ref().map(|d| d.id) != Some(doc)
            && let Some(i) = self.docs.iter().position(|d| d.id == doc)
            && let Err(e) = self.open_document(i)
        {
            self.set_message(format!("error: {e}"));
        }
        self.anchor = None;
        if self.doc.as_ref().map(|d| d.id) == f.doc {
            self.cursor = f.cursor.min(self.doc.as_ref().map_or(0, |d| d.text.len()));
            self.top = f.top;
        }
        self.focus = f.focus;
        self.view = f.view;
        self.memos = f.memos;
        self.retrieval = None;
        if let Some(r) = f.retrieval {
            // Rebuilt, so codings made since the jump show; the same excerpt stays selected.
            let (code, filter, at) = (
                r.code_id,
                r.filter.clone(),
                r.selected().map(|s| s.x.coding_id),
            );
            self.retrieval = Some(r);
            if self.code(code).is_some() && self.open_retrieval(code).is_ok() {
                if let Some(r) = &mut self.retrieval {
                    if r.filter != filter {
                        r.apply_filter(&filter);
                    }
                    if let Some(i) =
                        at.and_then(|id| r.shown.iter().position(|&i| r.all[i].x.coding_id == id))
                    {
                        r.sel = i;
                    }
                }
            } else {
                self.retrieval = None;
            }
        }
        if self.view.is_some() {
            self.refresh_views();
        }
        true
    }

    /// Scrolls so the cursor's row is in the middle of the transcript pane.
    pub fn center_on_cursor(&mut self) {
        if self.doc.as_ref().is_none_or(|d| d.turns.is_empty()) {
            return;
        }
        let half = self.view_height() / 2;
        let mut top = self.cursor_row();
        for _ in 0..half {
            match self.prev_row(top) {
                Some(t) => top = t,
                None => break,
            }
        }
        self.top = top;
    }
}
