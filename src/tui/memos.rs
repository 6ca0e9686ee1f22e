//! The memo browser (`B`): every memo in the study — on the study, a document, a code or a
//! coding — with what it is attached to in words, searchable with `/`; Enter goes to what the
//! memo is on (Esc comes back), `m` edits your memo there.

use super::app::{App, Pane};
use crate::Result;
use crate::memo::Target;

pub struct MemoRow {
    pub memo: crate::memo::Memo,
    /// What the memo is on, in words ("the coding 'Access/Habit' on Linda's turn 2 (FG1)").
    pub on: String,
    /// Where Enter goes: (document, char) for codings and documents.
    pub place: Option<(i64, usize)>,
}

pub struct MemoBrowser {
    pub all: Vec<MemoRow>,
    pub shown: Vec<usize>,
    pub query: String,
    pub sel: usize,
}

impl MemoBrowser {
    pub fn selected(&self) -> Option<&MemoRow> {
        self.shown.get(self.sel).map(|&i| &self.all[i])
    }

    /// Keeps the memos whose text, author or target contain every word of `query`.
    pub fn search(&mut self, query: &str) {
        self.query = query.trim().to_string();
        let words: Vec<String> = self
            .query
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        self.shown = (0..self.all.len())
            .filter(|&i| {
                let r = &self.all[i];
                let hay = format!("{} {} {} {}", r.memo.body, r.memo.title, r.memo.coder, r.on)
                    .to_lowercase();
                words.iter().all(|w| hay.contains(w.as_str()))
            })
            .collect();
        self.sel = self.sel.min(self.shown.len().saturating_sub(1));
    }
}

impl App {
    /// Opens the memo browser in the main pane.
    pub fn open_memos(&mut self) -> Result<()> {
        self.load_memos()?;
        self.retrieval = None;
        self.focus = Pane::Main;
        Ok(())
    }

    /// (Re)reads every memo into the browser, keeping its search and place.
    pub fn load_memos(&mut self) -> Result<()> {
        let conn = self.store.study.conn();
        let memos = crate::memo::list(conn, None)?;
        let mut all = Vec::with_capacity(memos.len());
        for memo in memos {
            let on = super::describe::target(conn, memo.target)?;
            let place = match memo.target {
                Target::Coding(id) => conn
                    .prepare_cached("SELECT document_id, start FROM codings WHERE id = ?1")?
                    .query_row([id], |r| {
                        Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)? as usize))
                    })
                    .ok(),
                Target::Document(id) => Some((id, 0)),
                _ => None,
            };
            all.push(MemoRow { memo, on, place });
        }
        let query = self
            .memos
            .as_ref()
            .map(|m| m.query.clone())
            .unwrap_or_default();
        let mut b = MemoBrowser {
            shown: (0..all.len()).collect(),
            all,
            query: String::new(),
            sel: self.memos.as_ref().map_or(0, |m| m.sel),
        };
        b.search(&query);
        self.memos = Some(b);
        Ok(())
    }

    /// Enter on a memo: to the coding or document it is on (Esc returns), the code's
    /// excerpts, or — for the study memo — the memo itself.
    pub fn open_memo_target(&mut self) {
        let Some(r) = self.memos.as_ref().and_then(|m| m.selected()) else {
            return;
        };
        let (target, place) = (r.memo.target, r.place);
        match (target, place) {
            (Target::Coding(_) | Target::Document(_), Some((doc, at))) => {
                if let Target::Document(_) = target
                    && self.doc.as_ref().map(|d| d.id) == Some(doc)
                {
                    // Already open: keep the reader's place.
                    let at = self.cursor;
                    self.jump_with_return(doc, at);
                } else {
                    self.jump_with_return(doc, at);
                }
            }
            (Target::Code(id), _) if self.code(id).is_some() => {
                let memos = self.memos.take();
                self.jumps.push(super::jumps::JumpFrame {
                    view: None,
                    retrieval: None,
                    memos,
                    focus: self.focus,
                    doc: self.doc.as_ref().map(|d| d.id),
                    cursor: self.cursor,
                    top: self.top,
                });
                if let Err(e) = self.open_retrieval(id) {
                    self.set_message(format!("error: {e}"));
                }
            }
            (Target::Project, _) => self.open_memo(Target::Project, "the study".into()),
            _ => self.set_message("what this memo was on no longer exists"),
        }
    }
}
