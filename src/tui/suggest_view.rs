//! Suggestions in the workbench: the margin shows `?Code` in a dim style on lines of units the
//! model suggests a code for; `a` accepts the one under the cursor (an ordinary coding by you,
//! recorded as an accepted suggestion), `r` rejects it (remembered), `S` shows or hides them.
//! Both are undone with `u` like any action. Off by default while coders code blind, so that
//! suggestions cannot steer an independent round; on otherwise once a model has been trained.
//!
//! Drawing takes `&App`, so what is worked out lazily (the model, the open document's
//! suggestions) lives in cells, recomputed only when the document or the study changed.

use super::app::App;
use crate::suggest::model::{self, Model};
use crate::suggest::suggestions::{self, Filter, Suggestion};
use ratatui::style::Style;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// (document id, last change id) and that document's suggestions.
type Cached = ((i64, i64), Rc<Vec<Suggestion>>);

#[derive(Default)]
pub struct SuggestState {
    /// Shown or hidden by `S`; None until decided (blind round → hidden).
    shown: Cell<Option<bool>>,
    /// The latest model, once loaded (None inside: there is none).
    model: RefCell<Option<Option<Rc<Model>>>>,
    /// (document id, last change id) → that document's suggestions, by start.
    cache: RefCell<Option<Cached>>,
}

impl SuggestState {
    /// Shows or hides suggestions without the checks `S` makes (benchmarks, tests).
    pub fn set_shown(&self, on: bool) {
        self.shown.set(Some(on));
    }

    fn model(&self, app: &App) -> Option<Rc<Model>> {
        if let Some(m) = self.model.borrow().as_ref() {
            return m.clone();
        }
        let conn = app.store.study.conn();
        let loaded = crate::suggest::ensure_schema(conn)
            .and_then(|_| model::latest(conn, None))
            .ok()
            .flatten()
            .map(Rc::new);
        *self.model.borrow_mut() = Some(loaded.clone());
        loaded
    }

    fn shown(&self, app: &App) -> bool {
        if let Some(s) = self.shown.get() {
            return s;
        }
        let blind = crate::suggest::blind_round(app.store.study.conn()).unwrap_or(true);
        let s = !blind && self.model(app).is_some();
        self.shown.set(Some(s));
        s
    }

    /// The open document's open suggestions (empty when hidden or without a model).
    pub fn current(&self, app: &App) -> Rc<Vec<Suggestion>> {
        let Some(doc) = &app.doc else {
            return Rc::default();
        };
        if !self.shown(app) {
            return Rc::default();
        }
        let Some(m) = self.model(app) else {
            return Rc::default();
        };
        // The newest change id catches codings, rejections, undo and redo; a cached statement
        // keeps the probe to microseconds, as it runs for every margin line drawn.
        let last_change = app
            .store
            .study
            .conn()
            .prepare_cached("SELECT ifnull(max(id), 0) FROM changes")
            .and_then(|mut s| s.query_row([], |r| r.get::<_, i64>(0)))
            .unwrap_or(0);
        let key = (doc.id, last_change);
        if let Some((k, items)) = self.cache.borrow().as_ref()
            && *k == key
        {
            return items.clone();
        }
        let conn = app.store.study.conn();
        let items = suggestions::code_paths(conn)
            .and_then(|paths| {
                suggestions::for_document(
                    conn,
                    &m,
                    doc.id,
                    &doc.name,
                    app.coder.id,
                    &Filter::default(),
                    &paths,
                )
            })
            .unwrap_or_default();
        let items = Rc::new(items);
        *self.cache.borrow_mut() = Some((key, items.clone()));
        items
    }
}

/// Margin labels for a line covering [start, end): `?Code` per suggested code, dim.
pub fn margin_labels(app: &App, start: usize, end: usize) -> Vec<(String, Style)> {
    let items = app.suggest.current(app);
    let (s, e) = (start as i64, end.max(start + 1) as i64);
    let mut out: Vec<(String, Style)> = Vec::new();
    let first = items.partition_point(|x| x.end <= s);
    for x in items[first..].iter().take_while(|x| x.start < e) {
        if x.end <= s {
            continue;
        }
        let name = app
            .code(x.code_id)
            .map_or_else(|| x.code.clone(), |c| c.name.clone());
        let label = format!("?{name}");
        if !out.iter().any(|(l, _)| *l == label) {
            out.push((label, app.theme.dim()));
        }
    }
    out
}

impl App {
    /// The suggestion under the cursor: the most confident one whose unit holds it.
    fn suggestion_at_cursor(&self) -> Option<Suggestion> {
        let at = self.cursor as i64;
        self.suggest
            .current(self)
            .iter()
            .filter(|x| x.start <= at && at < x.end)
            .max_by(|a, b| a.confidence.total_cmp(&b.confidence))
            .cloned()
    }

    /// `S`: show or hide suggestions (says why when there is nothing to show).
    pub(super) fn toggle_suggestions(&mut self) {
        let now = !self.suggest.shown(self);
        // Pick up a model trained since the last look.
        *self.suggest.model.borrow_mut() = None;
        *self.suggest.cache.borrow_mut() = None;
        let Some(m) = self.suggest.model(self) else {
            self.suggest.shown.set(Some(false));
            self.set_message(
                "no suggestion model yet: train one with `thematic suggest train` (and check `thematic suggest evaluate`)",
            );
            return;
        };
        self.suggest.shown.set(Some(now));
        let blind = crate::suggest::blind_round(self.store.study.conn()).unwrap_or(true);
        let macro_f1 = m
            .info
            .evaluation
            .macro_f1
            .map_or("undefined".to_string(), |f| format!("{f:.2}"));
        let msg = match (now, blind) {
            (false, _) => "suggestions hidden".to_string(),
            (true, true) => format!(
                "suggestions shown DURING BLIND CODING: they may steer your independent coding · learned from {} · macro-F1 {macro_f1}",
                m.info.coder
            ),
            (true, false) => format!(
                "suggestions shown (?Code in the margin; a accepts, r rejects) · learned from {} · cross-validated macro-F1 {macro_f1}",
                m.info.coder
            ),
        };
        self.set_message(msg);
    }

    /// `a` / `r`: accept or reject the suggestion under the cursor.
    pub(super) fn decide_suggestion(&mut self, accept: bool) {
        if !self.suggest.shown(self) {
            self.set_message("suggestions are hidden (S shows them)");
            return;
        }
        let Some(s) = self.suggestion_at_cursor() else {
            self.set_message("no suggestion under the cursor");
            return;
        };
        let coder = self.coder.clone();
        let done = if accept {
            crate::suggest::actions::accept(&mut self.store.study, &coder, &s).map(|_| ())
        } else {
            crate::suggest::actions::reject(&mut self.store.study, &coder, &s).map(|_| ())
        };
        match done.and_then(|_| self.reload()) {
            Ok(()) => {
                let quality = s
                    .precision
                    .map_or(String::new(), |p| format!(", precision {p:.2}"));
                let msg = format!(
                    "{} suggestion {} ({:.0}%{quality}; {}) · u undoes",
                    if accept { "accepted" } else { "rejected" },
                    s.code,
                    s.confidence * 100.0,
                    s.reason()
                );
                self.set_message(crate::text::sanitize(&msg, false));
                if accept {
                    self.recent.retain(|c| *c != s.code_id);
                    self.recent.insert(0, s.code_id);
                    self.recent.truncate(9);
                }
            }
            Err(e) => self.set_message(format!("error: {e}")),
        }
        self.data_version = self.store.study.data_version().unwrap_or(self.data_version);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suggest::planted::{PlantedOptions, generate};
    use crate::tui::action::Action;

    /// A planted study with a trained model, opened in the workbench as a second coder.
    fn workbench() -> (tempfile::TempDir, App) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.thematic");
        generate(
            &path,
            &PlantedOptions {
                docs: 6,
                turns_per_doc: 40,
                codes: 3,
                seed: 5,
            },
        )
        .unwrap();
        let study = crate::Study::open(&path).unwrap();
        let conn = study.conn();
        crate::suggest::ensure_schema(conn).unwrap();
        let (coder, note) = crate::suggest::choose_coder(conn, Some("planted"), "x").unwrap();
        let m = model::train(
            conn,
            &coder,
            &note,
            crate::suggest::dataset::UnitKind::Turn,
            Default::default(),
            "now",
            0,
        )
        .unwrap();
        m.store(conn).unwrap();
        let app = App::new(
            study,
            "kim",
            super::super::keymap::Keymap::default(),
            super::super::theme::Theme::plain(),
            ratatui::layout::Rect::new(0, 0, 120, 40),
        )
        .unwrap();
        (dir, app)
    }

    fn own_codings(app: &App) -> usize {
        let doc = app.doc.as_ref().unwrap();
        doc.codings
            .iter()
            .filter(|c| c.coder_id == app.coder.id)
            .count()
    }

    #[test]
    fn accept_and_reject_from_the_margin_are_undoable() {
        let (_dir, mut app) = workbench();
        // One coder so far: not a blind round, so suggestions show once a model exists.
        let items = app.suggest.current(&app);
        assert!(!items.is_empty(), "the planted study yields suggestions");
        // The cursor picks the most confident suggestion of its unit.
        let first = items
            .iter()
            .filter(|s| s.start == items[0].start)
            .max_by(|a, b| a.confidence.total_cmp(&b.confidence))
            .unwrap()
            .clone();
        let labels = margin_labels(&app, first.start as usize, first.end as usize);
        assert!(labels.iter().any(|(l, _)| l.starts_with('?')), "{labels:?}");

        app.cursor = first.start as usize;
        app.act(Action::AcceptSuggestion);
        assert_eq!(own_codings(&app), 1, "{:?}", app.message);
        let kind: String = app
            .store
            .study
            .conn()
            .query_row(
                "SELECT kind FROM changes ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(kind, crate::suggest::actions::ACCEPT_KIND);
        app.act(Action::Undo);
        assert_eq!(own_codings(&app), 0);

        // Reject: gone from the margin; undo brings it back.
        let same = |s: &Suggestion| s.start == first.start && s.code_id == first.code_id;
        app.cursor = first.start as usize;
        app.act(Action::RejectSuggestion);
        assert!(!app.suggest.current(&app).iter().any(same));
        app.act(Action::Undo);
        assert!(app.suggest.current(&app).iter().any(same));

        // S hides them.
        app.act(Action::ToggleSuggestions);
        assert!(app.suggest.current(&app).is_empty());
    }
}
