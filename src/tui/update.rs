//! Events become actions through the keymap; actions change the state and may ask for effects
//! (writes), which run through the `Store` after the state update, never while drawing.

use super::action::Action;
use super::app::{App, Pane};
use super::keymap::{Context, Key};
use super::popup::{
    self, CodeEditor, Finder, Item, MemoEditor, Popup, Prompt, PromptKind, Purpose,
};
use super::store::{CodeRef, Effect};
use crate::memo::Target;
use ratatui::crossterm::event::{Event, KeyEvent, KeyEventKind};
use ratatui::layout::Rect;

impl App {
    /// Handles one terminal event: the whole of the workbench's behaviour goes through here.
    pub fn handle_event(&mut self, ev: Event) {
        match ev {
            Event::Key(k) if k.kind != KeyEventKind::Release => self.handle_key(k),
            Event::Mouse(m) => self.handle_mouse(m),
            Event::Resize(w, h) => self.resize(Rect::new(0, 0, w, h)),
            Event::Paste(s) => self.paste(&s),
            _ => {}
        }
    }

    pub fn resize(&mut self, size: Rect) {
        self.size = size;
        self.scroll_to_cursor();
    }

    pub fn handle_key(&mut self, ev: KeyEvent) {
        let key = Key::from_event(&ev);
        let contexts = self.contexts();
        let action = contexts.iter().find_map(|&c| self.keymap.lookup(c, key));
        let action = action.or_else(|| {
            // Ctrl-c always quits, whatever has the keys.
            self.keymap
                .lookup(Context::Global, key)
                .filter(|a| *a == Action::ForceQuit)
        });
        match action {
            Some(a) => self.act(a),
            None if contexts[0].takes_text() => self.type_into(ev),
            None => {}
        }
    }

    /// Applies an action and runs the effects it asks for.
    pub fn act(&mut self, action: Action) {
        let effects = self.update(action);
        for e in effects {
            self.run_effect(e);
        }
    }

    pub fn run_effect(&mut self, effect: Effect) {
        super::log::write(&format!("effect {}", effect.kind()));
        let is_code = matches!(effect, Effect::Code { .. });
        match self.store.apply(&self.coder, effect) {
            Ok(out) => {
                if let Some(code) = out.coded_with {
                    self.recent.retain(|c| *c != code);
                    self.recent.insert(0, code);
                    self.recent.truncate(9);
                }
                if let Err(e) = self.reload() {
                    self.set_message(format!("error: {e}"));
                    return;
                }
                if is_code {
                    self.anchor = None;
                }
                self.message = Some(out.message);
            }
            Err(e) => self.set_message(format!("error: {e}")),
        }
        self.data_version = self.store.study.data_version().unwrap_or(self.data_version);
    }

    /// Picks up another process's writes (called on a timer tick).
    pub fn tick(&mut self) {
        if let Ok(v) = self.store.study.data_version()
            && v != self.data_version
        {
            self.data_version = v;
            super::log::write("another process changed the study; reloading");
            if let Err(e) = self.reload() {
                self.set_message(format!("error reloading: {e}"));
            } else {
                self.set_message("the study changed on disk; reloaded");
            }
        }
    }

    /// The state transition for one action. Returns the writes it needs.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        if !self.popups.is_empty() {
            return self.update_popup(action);
        }
        if !matches!(action, Action::SearchNext | Action::SearchPrev) {
            self.message = None;
        }
        match action {
            Action::ForceQuit | Action::Quit => self.quit = true,
            Action::Help => {
                let ctx = self.context();
                self.popups.push(Popup::Help { ctx, scroll: 0 });
            }
            Action::NextPane | Action::PrevPane => {
                let order = [Pane::Documents, Pane::Codebook, Pane::Main];
                let i = order.iter().position(|p| *p == self.focus).unwrap_or(2);
                let n = if action == Action::NextPane {
                    i + 1
                } else {
                    i + 2
                };
                self.focus = order[n % 3];
            }
            Action::Undo => return vec![Effect::Undo],
            Action::Redo => return vec![Effect::Redo],
            Action::ToggleOthers => {
                self.show_others = !self.show_others;
                let _ = self.reload();
                self.set_message(if self.show_others {
                    "showing every coder's codings"
                } else {
                    "showing only your codings"
                });
            }
            Action::StudyMemo => self.open_memo(Target::Project, "the study".into()),
            Action::Back => {
                if self.anchor.is_some() {
                    self.anchor = None;
                } else if self.retrieval.is_some() && self.focus == Pane::Main {
                    self.retrieval = None;
                } else if !self.code_filter.is_empty() && self.focus == Pane::Codebook {
                    self.code_filter.clear();
                    self.refilter();
                } else if self.focus != Pane::Main {
                    self.focus = Pane::Main;
                }
            }
            _ => {
                return match self.context() {
                    Context::Documents => self.update_documents(action),
                    Context::Codebook => self.update_codebook(action),
                    Context::Retrieval => self.update_retrieval(action),
                    _ => self.update_transcript(action),
                };
            }
        }
        Vec::new()
    }

    fn update_documents(&mut self, action: Action) -> Vec<Effect> {
        let n = self.docs.len();
        let before = self.doc_sel;
        match action {
            Action::Down => self.doc_sel = (self.doc_sel + 1).min(n.saturating_sub(1)),
            Action::Up => self.doc_sel = self.doc_sel.saturating_sub(1),
            Action::Top => self.doc_sel = 0,
            Action::Bottom => self.doc_sel = n.saturating_sub(1),
            Action::Open => {
                if let Err(e) = self.open_document(self.doc_sel) {
                    self.set_message(format!("error: {e}"));
                }
                self.retrieval = None;
                self.focus = Pane::Main;
            }
            Action::Memo => {
                if let Some(d) = self.docs.get(self.doc_sel) {
                    let (id, name) = (d.id, d.name.clone());
                    self.open_memo(Target::Document(id), format!("document {name}"));
                }
            }
            _ => {}
        }
        if self.doc_sel != before {
            let _ = self.load_speakers();
        }
        Vec::new()
    }

    fn update_codebook(&mut self, action: Action) -> Vec<Effect> {
        let n = self.code_rows.len();
        match action {
            Action::Down => self.code_sel = (self.code_sel + 1).min(n.saturating_sub(1)),
            Action::Up => self.code_sel = self.code_sel.saturating_sub(1),
            Action::Top => self.code_sel = 0,
            Action::Bottom => self.code_sel = n.saturating_sub(1),
            Action::Details => self.show_details = !self.show_details,
            Action::Filter => self.popups.push(Popup::Prompt(Prompt {
                kind: PromptKind::Filter,
                input: self.code_filter.clone(),
            })),
            Action::NewCode => self.popups.push(Popup::Prompt(Prompt {
                kind: PromptKind::NewCode,
                input: self
                    .selected_code()
                    .map(|c| format!("{}/", c.path))
                    .unwrap_or_default(),
            })),
            Action::Retrieve => {
                if let Some(id) = self.selected_code().map(|c| c.id) {
                    match self.open_retrieval(id) {
                        Ok(()) => self.focus = Pane::Main,
                        Err(e) => self.set_message(format!("error: {e}")),
                    }
                }
            }
            Action::EditCode => {
                if let Some(id) = self.selected_code().map(|c| c.id) {
                    self.open_code_editor(id);
                }
            }
            Action::Memo => {
                if let Some(c) = self.selected_code() {
                    let (id, path) = (c.id, c.path.clone());
                    self.open_memo(Target::Code(id), format!("code {path}"));
                }
            }
            Action::MoveCode | Action::MergeCode => {
                if let Some(c) = self.selected_code() {
                    let (id, path) = (c.id, c.path.clone());
                    let subtree = crate::codebook::subtree_ids(&self.codes, id);
                    let mut pool: Vec<(Item, String)> = self
                        .codes
                        .iter()
                        .filter(|c| !subtree.contains(&c.id))
                        .map(|c| (Item::Code(c.id), c.path.clone()))
                        .collect();
                    let (purpose, title) = if action == Action::MoveCode {
                        pool.insert(0, (Item::TopLevel, "(top level)".into()));
                        (
                            Purpose::MoveCode { code: id },
                            format!("Move {path} under…"),
                        )
                    } else {
                        (
                            Purpose::MergeCode { code: id },
                            format!("Merge {path} into…"),
                        )
                    };
                    self.popups
                        .push(Popup::Finder(Finder::new(purpose, title, pool)));
                }
            }
            Action::DeleteCode => {
                if let Some(c) = self.selected_code() {
                    let n = self.counts.get(&c.id).map_or(0, |k| k.codings);
                    let message = format!("Delete {} and its {n} coding(s)? (u undoes)", c.path);
                    let effect = Effect::DeleteCode {
                        path: c.path.clone(),
                    };
                    self.popups.push(Popup::Confirm { message, effect });
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn update_retrieval(&mut self, action: Action) -> Vec<Effect> {
        let Some(r) = &mut self.retrieval else {
            return Vec::new();
        };
        let n = r.excerpts.len();
        match action {
            Action::Down => r.sel = (r.sel + 1).min(n.saturating_sub(1)),
            Action::Up => r.sel = r.sel.saturating_sub(1),
            Action::Top => r.sel = 0,
            Action::Bottom => r.sel = n.saturating_sub(1),
            Action::Open => {
                if let Some(x) = r.excerpts.get(r.sel).cloned() {
                    self.jump_to(x.document_id, x.start as usize);
                    self.retrieval = None;
                }
            }
            Action::Memo => {
                if let Some(x) = r.excerpts.get(r.sel).cloned() {
                    self.open_memo(
                        Target::Coding(x.coding_id),
                        format!("coding in {}", x.document),
                    );
                }
            }
            _ => {}
        }
        Vec::new()
    }

    /// Opens document `doc_id` (if not open) with the cursor at `at`.
    pub fn jump_to(&mut self, doc_id: i64, at: usize) {
        if self.doc.as_ref().map(|d| d.id) != Some(doc_id)
            && let Some(i) = self.docs.iter().position(|d| d.id == doc_id)
            && let Err(e) = self.open_document(i)
        {
            return self.set_message(format!("error: {e}"));
        }
        self.focus = Pane::Main;
        self.want_col = None;
        self.set_cursor(at);
    }

    fn update_transcript(&mut self, action: Action) -> Vec<Effect> {
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
            Action::RecentCode(n) => {
                let Some(&code) = self.recent.get(n as usize - 1) else {
                    self.set_message(format!(
                        "no recent code {n} yet: code something with c first"
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

    pub fn open_memo(&mut self, target: Target, what: String) {
        let existing = match self.store.memo_for(target, &self.coder) {
            Ok(m) => m,
            Err(e) => return self.set_message(format!("error: {e}")),
        };
        let (memo_id, body) = match existing {
            Some(m) => (Some(m.id), crate::text::sanitize(&m.body, true)),
            None => (None, String::new()),
        };
        let mut area = popup::text_area(&body);
        area.set_placeholder_text("Write your memo. Ctrl-s or Esc saves.");
        self.popups.push(Popup::Memo(Box::new(MemoEditor {
            target,
            title: format!("Memo on {what}"),
            memo_id,
            original: body,
            area,
        })));
    }

    pub fn open_code_editor(&mut self, id: i64) {
        let Some(c) = self.code(id) else { return };
        // Shown (and compared on save) as displayed, so stored text never drives the terminal
        // and untouched fields are not rewritten.
        let originals: Vec<String> = [
            &c.name,
            &c.colour,
            &c.definition,
            &c.inclusion,
            &c.exclusion,
            &c.example,
        ]
        .iter()
        .map(|v| crate::text::sanitize(v, true))
        .collect();
        let fields = originals.iter().map(|v| popup::text_area(v)).collect();
        self.popups.push(Popup::CodeEditor(Box::new(CodeEditor {
            code_id: id,
            path: c.path.clone(),
            field: 0,
            originals,
            fields,
        })));
    }
}
