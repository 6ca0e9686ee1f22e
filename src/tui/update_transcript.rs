//! Keys in the transcript: moving, selecting, coding, uncoding, resizing, memos and search.

use super::action::Action;
use super::app::App;
use super::popup::{Finder, Item, Popup, Prompt, PromptKind, Purpose};
use super::store::{CodeRef, Effect};
use crate::memo::Target;

impl App {
    pub(super) fn update_transcript(&mut self, action: Action) -> Vec<Effect> {
        if self.doc.is_none() {
            return Vec::new();
        }
        if !matches!(
            action,
            Action::Up
                | Action::Down
                | Action::HalfPageDown
                | Action::HalfPageUp
                | Action::PageDown
                | Action::PageUp
        ) {
            self.want_col = None;
        }
        let page = self.view_height() as isize;
        match action {
            Action::Down => self.move_lines(1),
            Action::Up => self.move_lines(-1),
            Action::Left => self.char_left(),
            Action::Right => self.char_right(),
            Action::HalfPageDown => self.move_lines(page / 2),
            Action::HalfPageUp => self.move_lines(-page / 2),
            Action::PageDown => self.move_lines(page - 1),
            Action::PageUp => self.move_lines(-(page - 1)),
            Action::Top => self.doc_start(),
            Action::Bottom => self.doc_end(),
            Action::WordForward => self.word_forward(),
            Action::WordBack => self.word_back(),
            Action::SentenceForward => self.sentence_forward(),
            Action::SentenceBack => self.sentence_back(),
            Action::NextTurn if self.anchor.is_some() => self.visual_turn_step(true, false),
            Action::PrevTurn if self.anchor.is_some() => self.visual_turn_step(false, false),
            Action::NextSameSpeaker if self.anchor.is_some() => self.visual_turn_step(true, true),
            Action::PrevSameSpeaker if self.anchor.is_some() => self.visual_turn_step(false, true),
            Action::NextTurn => self.turn_step(true, false),
            Action::PrevTurn => self.turn_step(false, false),
            Action::NextSameSpeaker => self.turn_step(true, true),
            Action::PrevSameSpeaker => self.turn_step(false, true),
            Action::NextDocument | Action::PrevDocument => {
                let n = self.docs.len();
                let cur = self.doc_sel;
                let next = if action == Action::NextDocument {
                    cur + 1
                } else {
                    cur.wrapping_sub(1)
                };
                if next < n {
                    if let Err(e) = self.open_document(next) {
                        self.set_message(format!("error: {e}"));
                    }
                } else {
                    self.set_message("no more documents");
                }
            }
            Action::Visual => self.anchor = Some(self.cursor),
            Action::VisualTurn => {
                let doc = self.doc.as_ref().expect("open");
                if !doc.turns.is_empty() {
                    let (s, e) = doc.turn_range(doc.turn_at(self.cursor));
                    self.anchor = Some(s);
                    self.cursor = e - 1;
                    self.scroll_to_cursor();
                }
            }
            Action::Code => self.open_code_finder(),
            Action::ToggleSuggestions => self.toggle_suggestions(),
            Action::AcceptSuggestion => self.decide_suggestion(true),
            Action::RejectSuggestion => self.decide_suggestion(false),
            Action::RecentCode(n) => {
                let Some(code) = self.pins.get(n as usize - 1).copied().flatten() else {
                    self.set_message(format!(
                        "no code pinned to {n}: in the codebook, select a code and press {n}"
                    ));
                    return Vec::new();
                };
                if let Some((doc, start, end)) = self.coding_target() {
                    return vec![Effect::Code {
                        doc,
                        start,
                        end,
                        code: CodeRef::Id(code),
                    }];
                }
            }
            Action::Uncode => {
                let own = self.own_codings_at_cursor();
                match own.len() {
                    0 => self.set_message("none of your codings under the cursor"),
                    1 => return vec![Effect::DeleteCoding(own[0].id)],
                    _ => {
                        let pool = own
                            .iter()
                            .map(|c| {
                                let path = self
                                    .code(c.code_id)
                                    .map(|k| k.path.clone())
                                    .unwrap_or_default();
                                (
                                    Item::Coding {
                                        id: c.id,
                                        code: c.code_id,
                                    },
                                    format!("{path}  [{}:{}]", c.start, c.end),
                                )
                            })
                            .collect();
                        self.popups.push(Popup::Finder(Finder::new(
                            Purpose::Uncode,
                            "Uncode which coding?".into(),
                            pool,
                        )));
                    }
                }
            }
            Action::Extend | Action::Shrink => return self.resize_coding(action == Action::Extend),
            Action::Memo => {
                let own = self.own_codings_at_cursor();
                if let Some(c) = own.first() {
                    let path = self
                        .code(c.code_id)
                        .map(|k| k.path.clone())
                        .unwrap_or_default();
                    self.open_memo(Target::Coding(c.id), format!("coding {path}"));
                } else if let Some(d) = &self.doc {
                    let (id, name) = (d.id, d.name.clone());
                    self.open_memo(Target::Document(id), format!("document {name}"));
                }
            }
            Action::EditCode => {
                let doc = self.doc.as_ref().expect("open");
                let under = doc
                    .overlapping(self.cursor, self.cursor + 1)
                    .filter(|c| self.visible(c))
                    .min_by_key(|c| c.end - c.start)
                    .map(|c| c.code_id);
                match under {
                    Some(id) => self.open_code_editor(id),
                    None => self.set_message(
                        "no code under the cursor (edit codes from the codebook with e)",
                    ),
                }
            }
            Action::Search => self.popups.push(Popup::Prompt(Prompt {
                kind: PromptKind::Search,
                input: String::new(),
            })),
            Action::JumpBack if !self.jump_back() => {
                self.set_message("no jump to go back from");
            }
            Action::SearchNext => self.search_step(true),
            Action::SearchPrev => self.search_step(false),
            _ => {}
        }
        Vec::new()
    }

    /// What `c` or a recent-code key codes: the selection, else the cursor's whole turn.
    fn coding_target(&self) -> Option<(i64, usize, usize)> {
        let doc = self.doc.as_ref()?;
        if let Some((s, e)) = self.selection() {
            return Some((doc.id, s, e));
        }
        if doc.turns.is_empty() {
            return None;
        }
        let (s, e) = doc.turn_range(doc.turn_at(self.cursor));
        Some((doc.id, s, e))
    }

    fn open_code_finder(&mut self) {
        let Some((doc, start, end)) = self.coding_target() else {
            return;
        };
        let mut pool: Vec<(Item, String)> = Vec::new();
        for id in &self.recent {
            if let Some(c) = self.code(*id) {
                pool.push((Item::Code(c.id), c.path.clone()));
            }
        }
        for c in &self.codes {
            if !self.recent.contains(&c.id) {
                pool.push((Item::Code(c.id), c.path.clone()));
            }
        }
        let what = if self.anchor.is_some() {
            "selection"
        } else {
            "turn"
        };
        let title = format!(
            "Code the {what} ({} chars) with…  (type a new Theme/Code to create it)",
            end - start
        );
        self.popups.push(Popup::Finder(Finder::new(
            Purpose::CodeRange { doc, start, end },
            title,
            pool,
        )));
    }

    fn resize_coding(&mut self, extend: bool) -> Vec<Effect> {
        let own = self.own_codings_at_cursor();
        let Some(c) = own.first() else {
            self.set_message("none of your codings under the cursor");
            return Vec::new();
        };
        let doc = self.doc.as_ref().expect("open");
        let t = &doc.text;
        let (s, e) = (c.start as usize, c.end as usize);
        let (_, turn_end) = doc.turn_range(doc.turn_at(e - 1));
        let new_end = if extend {
            // Codings grow within their turn (a selection with v can span turns).
            let w = super::motion::word_end_fwd(t, e - 1, turn_end);
            if w >= turn_end { turn_end } else { w + 1 }
        } else {
            let mut p = super::motion::word_start_back(t, e, s);
            while p > s && t[p - 1].is_whitespace() {
                p -= 1;
            }
            p
        };
        if new_end <= s || new_end == e || new_end > t.len() {
            self.set_message(if extend {
                "cannot extend further"
            } else {
                "cannot shrink further (x uncodes)"
            });
            return Vec::new();
        }
        vec![Effect::Resize {
            id: c.id,
            start: s,
            end: new_end,
        }]
    }
}
