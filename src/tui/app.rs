//! The workbench's state: what is open, focused, selected and cached. Drawing reads it; keys
//! change it through `update.rs`; storage goes through `Store`.

use super::keymap::{Context, Keymap};
use super::layout::{self, Areas, RowPos, WrapCache};
use super::popup::Popup;
use super::store::Store;
use super::theme::Theme;
use crate::Result;
use crate::codebook::{Code, CodeCounts};
use crate::coding::Coding;
use crate::study::documents::{DocumentSummary, Turn};
use crate::study::participants::Speaker;
use crate::study::{Coder, Study};
use ratatui::layout::Rect;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Documents,
    Codebook,
    Main,
}

/// The open document: its characters (indexed by code point), turns and codings.
pub struct DocView {
    pub id: i64,
    pub name: String,
    /// The document's attributes as the pane title shows them.
    pub attributes: String,
    pub text: Vec<char>,
    pub turns: Vec<Turn>,
    /// Every coding of the document, by start; `max_end[i]` is the largest end in [0, i].
    pub codings: Vec<Coding>,
    pub max_end: Vec<i64>,
}

impl DocView {
    pub fn set_codings(&mut self, codings: Vec<Coding>) {
        let mut codings = codings;
        codings.sort_by_key(|c| (c.start, -c.end, c.id));
        let mut m = i64::MIN;
        self.max_end = codings
            .iter()
            .map(|c| {
                m = m.max(c.end);
                m
            })
            .collect();
        self.codings = codings;
    }

    /// The turn holding (or nearest before) char `at`.
    pub fn turn_at(&self, at: usize) -> usize {
        self.turns
            .partition_point(|t| t.start as usize <= at)
            .saturating_sub(1)
    }

    pub fn turn_range(&self, turn: usize) -> (usize, usize) {
        let t = &self.turns[turn];
        (t.start as usize, t.end as usize)
    }

    /// Codings overlapping [a, b), found by binary search: cost depends on the answer, not on
    /// how many codings the document has.
    pub fn overlapping(&self, a: usize, b: usize) -> impl Iterator<Item = &Coding> {
        let (a, b) = (a as i64, b as i64);
        let lo = self.max_end.partition_point(|&m| m <= a);
        let hi = self.codings.partition_point(|c| c.start < b);
        self.codings[lo.min(hi)..hi]
            .iter()
            .filter(move |c| c.end > a)
    }
}

pub use super::retrieval::Retrieval;

pub struct App {
    pub store: Store,
    pub keymap: Keymap,
    pub theme: Theme,
    pub coder: Coder,
    pub study_name: String,
    pub size: Rect,
    pub focus: Pane,
    pub docs: Vec<DocumentSummary>,
    pub doc_sel: usize,
    /// Documents the acting coder marked done (shown in the document list; issue 11).
    pub done: std::collections::HashSet<i64>,
    /// What the acting coder is assigned in the open ICR round (as `thematic icr assigned`).
    pub icr: Option<super::icr_assigned::IcrAssigned>,
    /// The first participant shown under the documents (] [ scroll).
    pub participants_top: usize,
    /// Every document's speakers (read with the document list).
    pub speakers: HashMap<i64, Vec<Speaker>>,
    pub codes: Vec<Code>,
    pub code_index: HashMap<i64, usize>,
    pub counts: HashMap<i64, CodeCounts>,
    pub coder_names: HashMap<i64, String>,
    pub code_filter: String,
    /// Indices into `codes` of the rows the codebook pane shows (after the filter).
    pub code_rows: Vec<usize>,
    pub code_sel: usize,
    pub show_details: bool,
    pub doc: Option<DocView>,
    pub cursor: usize,
    pub want_col: Option<usize>,
    pub top: RowPos,
    /// Visual mode: the selection's fixed end.
    pub anchor: Option<usize>,
    pub dragging: bool,
    pub show_others: bool,
    pub recent: Vec<i64>,
    /// The codes on keys 1–9, set by the coder (stable: using a code does not move it).
    pub pins: super::pins::Pins,
    /// Codings that have a memo (marked ✎ in the margin and in retrieval).
    pub coding_memos: std::collections::HashSet<i64>,
    pub search: Option<String>,
    /// The last search's matches across the study.
    pub study_hits: Option<super::search::StudySearch>,
    pub retrieval: Option<Retrieval>,
    /// The memo browser in the main pane, if open.
    pub memos: Option<super::memos::MemoBrowser>,
    /// The full-screen view over the panes (agreement, review, analysis), if any.
    pub view: Option<super::study_views::View>,
    pub agreement: Option<super::study_views::AgreementState>,
    pub review: Option<super::study_views::ReviewState>,
    pub analysis: Option<super::analysis_view::AnalysisState>,
    /// Alpha thresholds marked in the agreement view (lower, upper).
    pub thresholds: [f64; 2],
    pub popups: Vec<Popup>,
    pub message: Option<String>,
    pub wrap: WrapCache,
    pub data_version: i64,
    /// The last history entry seen (tells real changes from other sessions' drafts).
    pub last_change: i64,
    pub quit: bool,
    /// Where Esc (or C-o) returns to after a jump: the view, list and place jumped from.
    pub jumps: Vec<super::jumps::JumpFrame>,
    /// Text for the terminal's clipboard (OSC 52), written by the run loop after drawing.
    pub clipboard: Option<String>,
    /// Open editors' drafts as last written to the study file.
    pub drafts: super::drafts::DraftState,
    /// Code suggestions (issue 15): see `suggest_view.rs`.
    pub suggest: super::suggest_view::SuggestState,
}

/// A document's attributes with the focus group and composition first (beside the state it
/// reads: views use it through the app, the app never reaches into a view).
pub fn ordered_attributes(attrs: &std::collections::BTreeMap<String, String>) -> Vec<(&str, &str)> {
    let rank = |k: &str| {
        let k = k.to_lowercase();
        if k.contains("group") {
            0
        } else if k.contains("composition") {
            1
        } else {
            2
        }
    };
    let mut v: Vec<(&str, &str)> = attrs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    v.sort_by_key(|(k, _)| rank(k));
    v
}

/// Codings per (code, document) as the codebook counts them: one coder's (`mine`) or every
/// coder's — but never the consensus coder's with the others', since a review's decisions
/// repeat the codings they came from (unless you are the consensus coder).
/// Is `path` the demo study (`thematic` with no --project)?
fn is_demo(path: &std::path::Path) -> bool {
    let demo = crate::config::demo_study_path();
    match (path.canonicalize(), demo.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

impl App {
    /// Opens the study as `coder_name` (created on first use) in a terminal of `size`.
    pub fn new(
        study: Study,
        coder_name: &str,
        keymap: Keymap,
        theme: Theme,
        size: Rect,
    ) -> Result<App> {
        let mut store = Store::new(study);
        let coder = store.study.ensure_coder(coder_name)?;
        let study_name = crate::text::sanitize(&store.study.name()?, false);
        // The demo study comes with three coders' work: opened blind, a newcomer would see a
        // codebook of 0·0, so it opens unblinded (and says so below).
        let demo = is_demo(store.study.path());
        let show_others = demo || !store.blind_by_default()?;
        let recent = store.recent_codes(coder.id, 9)?;
        let mut app = App {
            data_version: store.study.data_version()?,
            last_change: store.study.last_change_id()?,
            store,
            keymap,
            theme,
            coder,
            study_name,
            size,
            focus: Pane::Main,
            docs: Vec::new(),
            doc_sel: 0,
            done: Default::default(),
            icr: None,
            participants_top: 0,
            speakers: HashMap::new(),
            codes: Vec::new(),
            code_index: HashMap::new(),
            counts: HashMap::new(),
            coder_names: HashMap::new(),
            code_filter: String::new(),
            code_rows: Vec::new(),
            code_sel: 0,
            show_details: false,
            doc: None,
            cursor: 0,
            want_col: None,
            top: RowPos::default(),
            anchor: None,
            dragging: false,
            show_others,
            recent,
            pins: [None; 9],
            coding_memos: Default::default(),
            search: None,
            study_hits: None,
            retrieval: None,
            memos: None,
            view: None,
            agreement: None,
            review: None,
            analysis: None,
            thresholds: super::study_views::DEFAULT_THRESHOLDS,
            popups: Vec::new(),
            message: None,
            wrap: WrapCache::default(),
            quit: false,
            drafts: Default::default(),
            jumps: Vec::new(),
            clipboard: None,
            suggest: Default::default(),
        };
        app.reload()?;
        if !app.docs.is_empty() {
            app.open_document(0)?;
        } else {
            app.focus = Pane::Codebook;
            app.message = Some(
                "This study has no documents yet: import transcripts with `thematic import`."
                    .into(),
            );
        }
        if !show_others {
            app.message =
                Some("Blind coding: other coders' codings are hidden (o shows them).".into());
        } else if demo && app.store.blind_by_default()? {
            let coders: Vec<&str> = app
                .coder_names
                .iter()
                .filter(|(id, _)| **id != app.coder.id)
                .map(|(_, n)| n.as_str())
                .collect();
            let mut coders = coders;
            coders.sort();
            app.message = Some(format!(
                "Demo study: showing every coder's codings ({}) so there is something to explore; o hides others' (blind coding), --coder NAME opens as one of them.",
                coders.join(", ")
            ));
        }
        app.restore_drafts()?;
        // The same warning the CLI prints on every command: a half-written backup beside the
        // study is not a backup, and the researcher should know before trusting one.
        if let Some(warning) = crate::exchange::backups::stale_warning(app.store.study.path()) {
            app.message = Some(match app.message.take() {
                Some(m) => format!("{warning} | {m}"),
                None => warning,
            });
        }
        Ok(app)
    }

    pub fn areas(&self) -> Areas {
        layout::areas(self.size)
    }

    /// Reloads everything shown from the study file (after an action, or another process's).
    pub fn reload(&mut self) -> Result<()> {
        let sel_id = self.selected_code().map(|c| c.id);
        let conn = self.store.study.conn();
        self.docs = crate::study::documents::list(conn)?;
        self.doc_sel = self.doc_sel.min(self.docs.len().saturating_sub(1));
        self.done = crate::agreement::done::by_document(conn)?
            .into_iter()
            .filter(|(_, names)| names.contains(&self.coder.name))
            .map(|(id, _)| id)
            .collect();
        self.icr = super::icr_assigned::load(conn, &self.coder.name, &self.docs)?;
        self.codes = crate::codebook::all(conn)?;
        self.code_index = self
            .codes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id, i))
            .collect();
        let mine = (!self.show_others).then_some(self.coder.id);
        self.counts = crate::codebook::rollup::rolled_up(conn, &self.codes, mine)?;
        self.coding_memos = crate::coding::view::codings_with_memos(conn)?;
        self.coder_names = self
            .store
            .study
            .coders()?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
        self.recent.retain(|id| self.code_index.contains_key(id));
        self.pins = super::pins::load(self.store.study.conn(), self.coder.id)?;
        self.refilter_keeping(sel_id);
        self.speakers = crate::coding::view::all_speakers(self.store.study.conn())?;
        if let Some(doc) = &mut self.doc {
            if self.docs.iter().any(|d| d.id == doc.id) {
                let codings = crate::coding::for_document(self.store.study.conn(), doc.id)?;
                doc.set_codings(codings);
            } else {
                self.doc = None;
                self.anchor = None;
            }
        }
        if let Some(r) = &self.retrieval {
            let (code, sel, at) = (r.code_id, r.sel, r.selected().map(|s| s.x.coding_id));
            if self.code_index.contains_key(&code) {
                self.open_retrieval(code)?;
                if let Some(r) = &mut self.retrieval {
                    // The same excerpt stays selected (or the one now in its place).
                    r.sel = at
                        .and_then(|id| r.shown.iter().position(|&i| r.all[i].x.coding_id == id))
                        .unwrap_or(sel)
                        .min(r.shown.len().saturating_sub(1));
                }
            } else {
                self.retrieval = None;
            }
        }
        if self.memos.is_some() {
            self.load_memos()?;
        }
        self.refresh_views();
        Ok(())
    }

    /// The speakers of the document selected in the Documents pane.
    pub fn selected_speakers(&self) -> &[Speaker] {
        self.docs
            .get(self.doc_sel)
            .and_then(|d| self.speakers.get(&d.id))
            .map_or(&[], Vec::as_slice)
    }

    /// Recomputes the codebook rows after the filter or the codebook changed.
    pub fn refilter(&mut self) {
        let sel_id = self.selected_code().map(|c| c.id);
        self.refilter_keeping(sel_id);
    }

    fn refilter_keeping(&mut self, sel_id: Option<i64>) {
        let f = self.code_filter.to_lowercase();
        self.code_rows = (0..self.codes.len())
            .filter(|&i| f.is_empty() || super::fuzzy::score(&f, &self.codes[i].path).is_some())
            .collect();
        self.code_sel = sel_id
            .and_then(|id| self.code_rows.iter().position(|&i| self.codes[i].id == id))
            .unwrap_or(0)
            .min(self.code_rows.len().saturating_sub(1));
    }

    pub fn selected_code(&self) -> Option<&Code> {
        self.code_rows
            .get(self.code_sel)
            .and_then(|&i| self.codes.get(i))
    }

    pub fn code(&self, id: i64) -> Option<&Code> {
        self.code_index.get(&id).map(|&i| &self.codes[i])
    }

    pub fn open_document(&mut self, index: usize) -> Result<()> {
        let Some(d) = self.docs.get(index) else {
            return Ok(());
        };
        let conn = self.store.study.conn();
        let text: Vec<char> = crate::study::documents::text(conn, d.id)?.chars().collect();
        let turns = crate::study::documents::turns(conn, d.id)?;
        let codings = crate::coding::for_document(conn, d.id)?;
        let attributes = ordered_attributes(&d.attributes)
            .iter()
            .map(|(k, v)| format!("{}: {v}", k.replace('_', " ")))
            .collect::<Vec<_>>()
            .join(" · ");
        let mut view = DocView {
            id: d.id,
            name: crate::text::sanitize(&d.name, false),
            attributes,
            text,
            turns,
            codings: Vec::new(),
            max_end: Vec::new(),
        };
        view.set_codings(codings);
        self.cursor = view.turns.first().map_or(0, |t| t.start as usize);
        self.doc = Some(view);
        self.doc_sel = index;
        self.top = RowPos::default();
        self.anchor = None;
        self.want_col = None;
        self.wrap.clear();
        Ok(())
    }

    /// Is this coding drawn? Others' codings only when shown.
    pub fn visible(&self, c: &Coding) -> bool {
        self.show_others || c.coder_id == self.coder.id
    }

    /// The key context of whatever gets keys now (the top popup, else the focused pane).
    pub fn context(&self) -> Context {
        if let Some(p) = self.popups.last() {
            return p.context();
        }
        match self.view {
            Some(super::study_views::View::Agreement) => return Context::Agreement,
            Some(super::study_views::View::Review) => return Context::Review,
            Some(super::study_views::View::Analysis) => return Context::Analysis,
            None => {}
        }
        match self.focus {
            Pane::Documents => Context::Documents,
            Pane::Codebook => Context::Codebook,
            Pane::Main if self.retrieval.is_some() => Context::Retrieval,
            Pane::Main if self.memos.is_some() => Context::Memos,
            Pane::Main if self.anchor.is_some() => Context::Visual,
            Pane::Main => Context::Transcript,
        }
    }

    /// The contexts searched for a key, most specific first.
    pub fn contexts(&self) -> Vec<Context> {
        let top = self.context();
        match top {
            Context::Visual => vec![Context::Visual, Context::Transcript, Context::Global],
            c if c.takes_text() => vec![c],
            Context::Help | Context::Confirm => vec![top],
            c => vec![c, Context::Global],
        }
    }

    /// The current selection [start, end) in visual mode.
    pub fn selection(&self) -> Option<(usize, usize)> {
        let a = self.anchor?;
        let (s, e) = (a.min(self.cursor), a.max(self.cursor));
        let len = self.doc.as_ref()?.text.len();
        Some((s, (e + 1).min(len)))
    }

    /// Own codings under the cursor, innermost (shortest) first.
    pub fn own_codings_at_cursor(&self) -> Vec<Coding> {
        let Some(doc) = &self.doc else {
            return Vec::new();
        };
        let mut v: Vec<Coding> = doc
            .overlapping(self.cursor, self.cursor + 1)
            .filter(|c| c.coder_id == self.coder.id)
            .cloned()
            .collect();
        v.sort_by_key(|c| c.end - c.start);
        v
    }

    pub fn set_message(&mut self, m: impl Into<String>) {
        self.message = Some(m.into());
    }
}
