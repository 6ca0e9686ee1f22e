//! Keys for the popups on top of the stack: the finder, prompts, editors, help and confirmation.

use super::action::Action;
use super::app::App;
use super::popup::{Item, Popup, PromptKind, Purpose};
use super::store::{CodeRef, Effect};
use ratatui::crossterm::event::KeyEvent;

impl App {
    /// Keys for the popup on top of the stack.
    pub(super) fn update_popup(&mut self, action: Action) -> Vec<Effect> {
        if action == Action::ForceQuit {
            let effects = self.flush_editors();
            self.quit = true;
            return effects;
        }
        let Some(top) = self.popups.last_mut() else {
            return Vec::new();
        };
        match top {
            Popup::Help { scroll, .. } => match action {
                Action::Down => *scroll = scroll.saturating_add(1),
                Action::Up => *scroll = scroll.saturating_sub(1),
                Action::Cancel => {
                    self.popups.pop();
                }
                _ => {}
            },
            Popup::Confirm { .. } => match action {
                Action::Yes => {
                    if let Some(Popup::Confirm { effect, .. }) = self.popups.pop() {
                        return vec![effect];
                    }
                }
                Action::No => {
                    self.popups.pop();
                }
                _ => {}
            },
            Popup::Finder(f) => match action {
                Action::NextItem => f.sel = (f.sel + 1).min(f.items.len().saturating_sub(1)),
                Action::PrevItem => f.sel = f.sel.saturating_sub(1),
                Action::Cancel => {
                    self.popups.pop();
                }
                Action::Confirm => {
                    let Some((item, _)) = f.items.get(f.sel).cloned() else {
                        return Vec::new();
                    };
                    let purpose = f.purpose;
                    self.popups.pop();
                    return self.finder_pick(purpose, item);
                }
                _ => {}
            },
            Popup::Prompt(p) => match action {
                Action::Cancel => {
                    self.popups.pop();
                }
                Action::Confirm => {
                    let (kind, input) = (p.kind, p.input.clone());
                    self.popups.pop();
                    match kind {
                        PromptKind::Search => {
                            if !input.is_empty() {
                                self.study_search(&input);
                            }
                        }
                        PromptKind::Filter => {
                            self.code_filter = input;
                            self.refilter();
                        }
                        PromptKind::AnalysisSearch => self.analysis_search(input),
                        PromptKind::ExcerptFilter => {
                            if let Some(r) = &mut self.retrieval
                                && let Some(problem) = r.apply_filter(&input)
                            {
                                self.set_message(problem);
                            }
                        }
                        PromptKind::ExportExcerpts => {
                            if !input.trim().is_empty() {
                                self.export_excerpts(&input);
                            }
                        }
                        PromptKind::MemoSearch => {
                            if let Some(m) = &mut self.memos {
                                m.search(&input);
                            }
                        }
                        PromptKind::Snapshot => {
                            if !input.trim().is_empty() {
                                return vec![Effect::Snapshot(input.trim().to_string())];
                            }
                        }
                        PromptKind::NewCode => {
                            if !input.trim().trim_end_matches('/').is_empty() {
                                return vec![Effect::NewCode(
                                    input.trim().trim_end_matches('/').to_string(),
                                )];
                            }
                        }
                    }
                }
                _ => {}
            },
            Popup::Memo(_) | Popup::CodeEditor(_) => match action {
                Action::NextField | Action::PrevField => {
                    if let Popup::CodeEditor(ed) = top {
                        let n = ed.fields.len();
                        ed.field = if action == Action::NextField {
                            (ed.field + 1) % n
                        } else {
                            (ed.field + n - 1) % n
                        };
                    }
                }
                Action::Save => {
                    // A code editor with an unusable name or colour stays open, with the reason.
                    if let Popup::CodeEditor(ed) = top {
                        let v = ed.values();
                        let problem = if v[0].trim().is_empty() || v[0].contains('/') {
                            Some((
                                0,
                                "a code name is one or more characters without '/'".to_string(),
                            ))
                        } else {
                            crate::codebook::validate_colour(v[1].trim())
                                .err()
                                .map(|e| (1, e.to_string()))
                        };
                        if let Some((field, why)) = problem {
                            ed.field = field;
                            self.set_message(format!("error: {why}"));
                            return Vec::new();
                        }
                    }
                    let popup = self.popups.pop();
                    return popup.map(|p| self.editor_effects(p)).unwrap_or_default();
                }
                Action::Cancel => {
                    self.popups.pop();
                    self.set_message("closed without saving");
                }
                _ => {}
            },
        }
        Vec::new()
    }

    /// Open editors' unsaved text, as effects (run on quit, so quitting loses nothing).
    pub fn flush_editors(&mut self) -> Vec<Effect> {
        let mut out = Vec::new();
        while let Some(p) = self.popups.pop() {
            out.extend(self.editor_effects(p));
        }
        out
    }

    fn editor_effects(&mut self, p: Popup) -> Vec<Effect> {
        match p {
            Popup::Memo(m) => {
                let body = m.area.lines().join("\n");
                if body == m.original || (body.trim().is_empty() && m.memo_id.is_none()) {
                    return Vec::new();
                }
                vec![Effect::SaveMemo {
                    target: m.target,
                    memo_id: m.memo_id,
                    title: String::new(),
                    body,
                }]
            }
            Popup::CodeEditor(ed) => {
                let v = ed.values();
                if v == ed.originals {
                    return Vec::new();
                }
                let changed = |i: usize| (v[i] != ed.originals[i]).then(|| v[i].clone());
                let name = changed(0)
                    .map(|n| n.trim().to_string())
                    .filter(|n| !n.is_empty());
                let fields = crate::codebook::CodeFields {
                    colour: changed(1).map(|c| c.trim().to_string()),
                    definition: changed(2),
                    inclusion: changed(3),
                    exclusion: changed(4),
                    example: changed(5),
                    memo: None,
                };
                vec![Effect::SaveCode {
                    id: ed.code_id,
                    path: ed.path,
                    name,
                    fields,
                }]
            }
            _ => Vec::new(),
        }
    }

    fn finder_pick(&mut self, purpose: Purpose, item: Item) -> Vec<Effect> {
        let path_of = |app: &App, id: i64| app.code(id).map(|c| c.path.clone()).unwrap_or_default();
        match (purpose, item) {
            (Purpose::CodeRange { doc, start, end }, Item::Code(id)) => {
                vec![Effect::Code {
                    doc,
                    start,
                    end,
                    code: CodeRef::Id(id),
                }]
            }
            (Purpose::CodeRange { doc, start, end }, Item::Create(path)) => {
                vec![Effect::Code {
                    doc,
                    start,
                    end,
                    code: CodeRef::New(path),
                }]
            }
            (Purpose::MoveCode { code }, Item::TopLevel) => vec![Effect::MoveCode {
                path: path_of(self, code),
                parent: None,
            }],
            (Purpose::MoveCode { code }, Item::Code(to)) => {
                vec![Effect::MoveCode {
                    path: path_of(self, code),
                    parent: Some(path_of(self, to)),
                }]
            }
            (Purpose::MergeCode { code }, Item::Code(to)) => {
                vec![Effect::MergeCode {
                    from: path_of(self, code),
                    into: path_of(self, to),
                }]
            }
            (Purpose::Uncode, Item::Coding { id, .. }) => vec![Effect::DeleteCoding(id)],
            (Purpose::Autocode, Item::Code(id)) => self.autocode_effect(path_of(self, id)),
            (Purpose::Autocode, Item::Create(path)) => self.autocode_effect(path),
            _ => Vec::new(),
        }
    }

    /// Printable keys into the text-taking popup on top.
    pub(super) fn type_into(&mut self, ev: KeyEvent) {
        use ratatui::crossterm::event::{KeyCode, KeyModifiers};
        let Some(top) = self.popups.last_mut() else {
            return;
        };
        let line_edit = |s: &mut String| match ev.code {
            KeyCode::Char(c)
                if !ev
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                s.push(c);
                true
            }
            KeyCode::Backspace => s.pop().is_some(),
            KeyCode::Char('u') if ev.modifiers.contains(KeyModifiers::CONTROL) => {
                s.clear();
                true
            }
            _ => false,
        };
        match top {
            Popup::Finder(f) => {
                let changed = line_edit(&mut f.query);
                if changed {
                    f.sel = 0;
                    f.refresh();
                }
            }
            Popup::Prompt(p) => {
                line_edit(&mut p.input);
                if p.kind == PromptKind::Filter {
                    self.code_filter = p.input.clone();
                    self.refilter();
                }
            }
            Popup::Memo(m) => {
                m.area.input(ev);
            }
            Popup::CodeEditor(ed) => {
                let f = ed.field;
                // Name and colour are one line each.
                if f < 2 && ev.code == KeyCode::Enter {
                    ed.field += 1;
                } else {
                    ed.fields[f].input(ev);
                }
            }
            _ => {}
        }
    }

    pub(super) fn paste(&mut self, s: &str) {
        match self.popups.last_mut() {
            Some(Popup::Memo(m)) => {
                m.area.insert_str(s);
            }
            Some(Popup::CodeEditor(ed)) => {
                let f = ed.field;
                ed.fields[f].insert_str(s);
            }
            Some(Popup::Finder(f)) => {
                f.query.push_str(&crate::text::sanitize(s, false));
                f.refresh();
            }
            Some(Popup::Prompt(p)) => p.input.push_str(&crate::text::sanitize(s, false)),
            _ => {}
        }
    }
}
