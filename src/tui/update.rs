//! Events become actions through the keymap; actions change the state and may ask for effects
//! (writes), which run through the `Store` after the state update, never while drawing.

use super::action::Action;
use super::app::{App, Pane};
use super::keymap::{Context, Key};
use super::popup::{
    self, CodeEditor, Finder, Item, MemoEditor, Popup, Prompt, PromptKind, Purpose,
};
use super::store::Effect;
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
        let editors = self.open_editors();
        let effects = self.update(action);
        let mut ok = true;
        for e in effects {
            ok &= self.run_effect(e);
        }
        // An editor closed: its draft goes (kept when saving it failed, so nothing is lost).
        if ok && self.open_editors() != editors {
            self.save_drafts(true);
        }
    }

    /// How many editors (memo, code) are open.
    pub fn open_editors(&self) -> usize {
        self.popups
            .iter()
            .filter(|p| matches!(p, Popup::Memo(_) | Popup::CodeEditor(_)))
            .count()
    }

    /// Runs one write; false when it failed (the message says why).
    pub fn run_effect(&mut self, effect: Effect) -> bool {
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
                    return true;
                }
                if is_code {
                    self.anchor = None;
                }
                self.message = Some(out.message);
            }
            Err(e) => {
                self.set_message(format!("error: {e}"));
                self.data_version = self.store.study.data_version().unwrap_or(self.data_version);
                return false;
            }
        }
        self.data_version = self.store.study.data_version().unwrap_or(self.data_version);
        self.last_change = self
            .store
            .study
            .last_change_id()
            .unwrap_or(self.last_change);
        true
    }

    /// Picks up another process's writes (called on a timer tick).
    pub fn tick(&mut self) {
        if self.open_editors() > 0 || !self.drafts.written.is_empty() {
            self.save_drafts(false);
        }
        if let Ok(v) = self.store.study.data_version()
            && v != self.data_version
        {
            self.data_version = v;
            super::log::write("another process changed the study; reloading");
            // Another session's editor drafts change the file but not the history: reload
            // quietly then, and only say so for real changes.
            let change = self.store.study.last_change_id().unwrap_or(-1);
            let real = change != self.last_change;
            self.last_change = change;
            if let Err(e) = self.reload() {
                self.set_message(format!("error reloading: {e}"));
            } else if real {
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
            Action::AgreementView => self.open_agreement(),
            Action::AnalysisView => self.open_analysis(),
            Action::MemoBrowser => {
                if let Err(e) = self.open_memos() {
                    self.set_message(format!("error: {e}"));
                }
            }
            Action::Back => {
                if self.view.is_some() {
                    self.back_from_view();
                } else if self.anchor.is_some() {
                    self.anchor = None;
                } else if (self.retrieval.is_some() || self.memos.is_some())
                    && self.focus == Pane::Main
                {
                    // A list opened from another list or view goes back there.
                    if !self.jump_back() {
                        self.retrieval = None;
                        self.memos = None;
                    }
                } else if self.focus == Pane::Main && self.jump_back() {
                    // Back to the list (or view) the last jump came from.
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
                    Context::Memos => self.update_memos(action),
                    Context::Agreement => self.update_agreement(action),
                    Context::Review => self.update_review(action),
                    Context::Analysis => self.update_analysis(action),
                    _ => self.update_transcript(action),
                };
            }
        }
        Vec::new()
    }

    fn update_documents(&mut self, action: Action) -> Vec<Effect> {
        let n = self.docs.len();
        let before = self.doc_sel;
        let effects = self.update_documents_list(action, n);
        if self.doc_sel != before {
            self.participants_top = 0;
        }
        effects
    }

    fn update_documents_list(&mut self, action: Action, n: usize) -> Vec<Effect> {
        match action {
            Action::NextParticipants => {
                let len = self.selected_speakers().len();
                self.participants_top = (self.participants_top + 5).min(len.saturating_sub(1));
            }
            Action::PrevParticipants => {
                self.participants_top = self.participants_top.saturating_sub(5);
            }
            Action::Down => self.doc_sel = (self.doc_sel + 1).min(n.saturating_sub(1)),
            Action::PageDown => self.doc_sel = (self.doc_sel + 10).min(n.saturating_sub(1)),
            Action::PageUp => self.doc_sel = self.doc_sel.saturating_sub(10),
            Action::Up => self.doc_sel = self.doc_sel.saturating_sub(1),
            Action::Top => self.doc_sel = 0,
            Action::Bottom => self.doc_sel = n.saturating_sub(1),
            Action::Open => {
                if let Err(e) = self.open_document(self.doc_sel) {
                    self.set_message(format!("error: {e}"));
                }
                self.retrieval = None;
                self.memos = None;
                self.focus = Pane::Main;
            }
            Action::Memo => {
                if let Some(d) = self.docs.get(self.doc_sel) {
                    let (id, name) = (d.id, d.name.clone());
                    self.open_memo(Target::Document(id), format!("document {name}"));
                }
            }
            Action::ToggleDone => {
                if let Some(d) = self.docs.get(self.doc_sel) {
                    let undo = self.done.contains(&d.id);
                    return vec![Effect::Done { doc: d.id, undo }];
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn update_codebook(&mut self, action: Action) -> Vec<Effect> {
        let n = self.code_rows.len();
        match action {
            Action::Down => self.code_sel = (self.code_sel + 1).min(n.saturating_sub(1)),
            Action::PageDown => self.code_sel = (self.code_sel + 10).min(n.saturating_sub(1)),
            Action::PageUp => self.code_sel = self.code_sel.saturating_sub(10),
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
                        Ok(()) => {
                            self.focus = Pane::Main;
                            self.memos = None;
                        }
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
                    let subtree: std::collections::HashSet<i64> =
                        crate::codebook::subtree_ids(&self.codes, id)
                            .into_iter()
                            .collect();
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
            Action::PinCode(slot) => {
                if let Some(id) = self.selected_code().map(|c| c.id) {
                    let on_key = self.pins[slot as usize - 1] == Some(id);
                    return vec![Effect::Pin {
                        slot,
                        code: (!on_key).then_some(id),
                    }];
                }
            }
            Action::DeleteCode => {
                if let Some(c) = self.selected_code() {
                    // Every coder's codings go, hidden or not: say so.
                    let ids = crate::codebook::subtree_ids(&self.codes, c.id);
                    let in_subtree: std::collections::HashSet<i64> = ids.iter().copied().collect();
                    let rows =
                        crate::coding::view::code_document_counts(self.store.study.conn(), None)
                            .unwrap_or_default();
                    let n: i64 = rows
                        .iter()
                        .filter(|r| in_subtree.contains(&r.0))
                        .map(|r| r.2)
                        .sum();
                    let message = format!(
                        "Delete {}, its {} subcode(s) and {n} coding(s) by all coders? (u undoes)",
                        c.path,
                        ids.len() - 1
                    );
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
        let n = r.shown.len();
        match action {
            Action::Down => r.sel = (r.sel + 1).min(n.saturating_sub(1)),
            Action::PageDown => r.sel = (r.sel + 10).min(n.saturating_sub(1)),
            Action::PageUp => r.sel = r.sel.saturating_sub(10),
            Action::Up => r.sel = r.sel.saturating_sub(1),
            Action::Top => r.sel = 0,
            Action::Bottom => r.sel = n.saturating_sub(1),
            Action::Open => {
                if let Some((doc, at)) = r.selected().map(|s| (s.x.document_id, s.x.start)) {
                    self.jump_with_return(doc, at as usize);
                }
            }
            Action::Memo => {
                if let Some(x) = r.selected().map(|s| s.x.clone()) {
                    let what = super::describe::coding(self.store.study.conn(), x.coding_id)
                        .unwrap_or_else(|_| format!("coding in {}", x.document));
                    self.open_memo(Target::Coding(x.coding_id), what);
                }
            }
            Action::Filter => {
                let input = r.filter.clone();
                self.popups.push(Popup::Prompt(Prompt {
                    kind: PromptKind::ExcerptFilter,
                    input,
                }));
            }
            Action::ExportExcerpts => {
                let slug: String = r
                    .title
                    .chars()
                    .map(|c| {
                        if c.is_alphanumeric() {
                            c.to_ascii_lowercase()
                        } else {
                            '-'
                        }
                    })
                    .collect();
                self.popups.push(Popup::Prompt(Prompt {
                    kind: PromptKind::ExportExcerpts,
                    input: format!("excerpts-{}.md", slug.trim_matches('-')),
                }));
            }
            Action::CopyExcerpts => self.copy_excerpts(),
            _ => {}
        }
        Vec::new()
    }

    fn update_memos(&mut self, action: Action) -> Vec<Effect> {
        let Some(m) = &mut self.memos else {
            return Vec::new();
        };
        let n = m.shown.len();
        match action {
            Action::Down => m.sel = (m.sel + 1).min(n.saturating_sub(1)),
            Action::PageDown => m.sel = (m.sel + 10).min(n.saturating_sub(1)),
            Action::PageUp => m.sel = m.sel.saturating_sub(10),
            Action::Up => m.sel = m.sel.saturating_sub(1),
            Action::Top => m.sel = 0,
            Action::Bottom => m.sel = n.saturating_sub(1),
            Action::Open => self.open_memo_target(),
            Action::Filter => {
                let input = m.query.clone();
                self.popups.push(Popup::Prompt(Prompt {
                    kind: PromptKind::MemoSearch,
                    input,
                }));
            }
            Action::Memo => {
                if let Some(r) = m.selected() {
                    let (target, on) = (r.memo.target, r.on.clone());
                    self.open_memo(target, on);
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
