//! The analysis view's state and keys: frequencies and the code × attribute matrix,
//! co-occurrence with drill-down, full-text search with auto-coding, the saturation curve and
//! codebook versions. Every query runs here (on open, tab change, key or after an action).

use super::action::Action;
use super::app::App;
use super::popup::{Finder, Item, Popup, Prompt, PromptKind, Purpose};
use super::store::Effect;
use super::study_views::View;
use super::update_views::step;
use crate::Result;
use crate::analysis::cooccurrence::{self, Cooccurrence, CooccurrenceOptions, PairExcerpt};
use crate::analysis::matrix::{self, Grouping, Matrix, MatrixOptions};
use crate::analysis::saturation::{self, Saturation};
use crate::analysis::search::{self, SearchOptions, SearchResults};
use crate::analysis::versions::{self, CodebookDiff, VersionInfo};

pub const TABS: [&str; 5] = [
    "Frequencies",
    "Co-occurrence",
    "Search",
    "Saturation",
    "Versions",
];

/// How many search hits are fetched (and auto-coded: auto-code takes every hit, see the count).
pub const SEARCH_LIMIT: usize = 500;

pub struct Drill {
    pub title: String,
    pub items: Vec<PairExcerpt>,
    pub sel: usize,
}

#[derive(Default)]
pub struct AnalysisState {
    pub tab: usize,
    pub error: Option<String>,
    /// Attributes to group by, as `scope:name`.
    pub attributes: Vec<String>,
    pub attr: usize,
    pub matrix: Option<Matrix>,
    pub row: usize,
    pub co: Option<Cooccurrence>,
    pub co_row: usize,
    pub co_col: usize,
    pub drill: Option<Drill>,
    pub query: String,
    pub results: Option<SearchResults>,
    pub hit: usize,
    pub saturation: Option<Saturation>,
    pub versions: Vec<VersionInfo>,
    pub version: usize,
    /// The version diffed against now, and the diff.
    pub diff_of: Option<String>,
    pub diff: Option<CodebookDiff>,
    /// Auto-code whole turns holding a hit instead of just the matched words (`t`).
    pub span_turn: bool,
    /// The matrix's selected column (h/l; Enter lists the cell's excerpts).
    pub col: usize,
    /// Whose codings are counted (`w`, see `analysis_coder.rs`): (id, name, is consensus);
    /// None pools the independent coders.
    pub coder: Option<(i64, String, bool)>,
}

impl AnalysisState {
    pub fn attribute(&self) -> Option<&str> {
        self.attributes.get(self.attr).map(String::as_str)
    }
}

fn attributes(conn: &rusqlite::Connection) -> Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT scope, name FROM attributes ORDER BY scope, name")?;
    let rows = stmt.query_map([], |r| {
        Ok(format!(
            "{}:{}",
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?
        ))
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Whether a key hint applies in the analysis view's current tab (footers list only keys that
/// work here).
pub fn hint_applies(st: &AnalysisState, action: Action) -> bool {
    match action {
        Action::CycleAttribute => st.tab == 0,
        Action::Search | Action::AutoCode | Action::CycleSpan => st.tab == 2,
        Action::Snapshot => st.tab == 4,
        Action::CycleAnalysisCoder => st.tab <= 1,
        _ => true,
    }
}

impl App {
    pub fn open_analysis(&mut self) {
        if self.analysis.is_none() {
            self.analysis = Some(AnalysisState::default());
        }
        self.view = Some(View::Analysis);
        self.refresh_analysis();
        if !self.show_others {
            // Blind coding hides others' work while coding; analysis is of the whole study.
            self.set_message(
                "analysis counts all coders' codings (blind mode hides them only while coding)",
            );
        }
    }

    /// Recomputes the current tab's data.
    pub fn refresh_analysis(&mut self) {
        let Some(mut st) = self.analysis.take() else {
            return;
        };
        st.error = self.compute_tab(&mut st).err().map(|e| e.to_string());
        self.analysis = Some(st);
    }

    fn compute_tab(&self, st: &mut AnalysisState) -> Result<()> {
        let conn = self.store.study.conn();
        match st.tab {
            0 => {
                st.attributes = attributes(conn)?;
                st.attr = st.attr.min(st.attributes.len().saturating_sub(1));
                let by = match st.attribute() {
                    Some(a) => Grouping::Attribute(crate::analysis::resolve_attribute(conn, a)?),
                    None => Grouping::None,
                };
                let m = matrix::matrix(
                    conn,
                    &MatrixOptions {
                        coder: st.coder_id(),
                        by,
                        include_moderators: false,
                    },
                )?;
                st.row = st.row.min(m.rows.len().saturating_sub(1));
                st.matrix = Some(m);
            }
            1 => {
                let co = cooccurrence::cooccurrence(
                    conn,
                    &CooccurrenceOptions {
                        coder: st.coder_id(),
                        ..Default::default()
                    },
                )?;
                let n = co.codes.len().saturating_sub(1);
                st.co_row = st.co_row.min(n);
                st.co_col = st.co_col.min(n);
                st.co = Some(co);
            }
            2 => {
                if st.query.trim().is_empty() {
                    st.results = None;
                } else {
                    let r = search::search(
                        conn,
                        &SearchOptions {
                            query: st.query.clone(),
                            raw: false,
                            filter: Default::default(),
                            limit: SEARCH_LIMIT,
                        },
                    )?;
                    st.hit = st.hit.min(r.hits.len().saturating_sub(1));
                    st.results = Some(r);
                }
            }
            3 => st.saturation = Some(saturation::saturation(conn, None, None)?),
            _ => {
                st.versions = versions::list(conn)?;
                st.version = st.version.min(st.versions.len().saturating_sub(1));
                st.diff = match &st.diff_of {
                    Some(name) => Some(versions::diff(conn, name, "now")?),
                    None => None,
                };
            }
        }
        Ok(())
    }

    /// Esc inside the view: closes a drill-down or a diff first. True when it did.
    pub(super) fn analysis_back(&mut self) -> bool {
        let Some(st) = &mut self.analysis else {
            return false;
        };
        if st.tab == 1 && st.drill.take().is_some() {
            return true;
        }
        st.diff = None;
        st.tab == 4 && st.diff_of.take().is_some()
    }

    pub(super) fn update_analysis(&mut self, action: Action) -> Vec<Effect> {
        let Some(st) = &mut self.analysis else {
            return Vec::new();
        };
        let tab = match action {
            Action::NextTab => Some((st.tab + 1) % TABS.len()),
            Action::PrevTab => Some((st.tab + TABS.len() - 1) % TABS.len()),
            Action::ShowTab(n) if (1..=TABS.len() as u8).contains(&n) => Some(n as usize - 1),
            _ => None,
        };
        if let Some(t) = tab {
            st.tab = t;
            self.refresh_analysis();
            return Vec::new();
        }
        if action == Action::CycleAnalysisCoder {
            self.cycle_analysis_coder();
            return Vec::new();
        }
        if action == Action::Refresh {
            self.refresh_analysis();
            self.set_message("recomputed");
            return Vec::new();
        }
        match st.tab {
            0 => {
                let n = st.matrix.as_ref().map_or(0, |m| m.rows.len());
                let cols = st.matrix.as_ref().map_or(0, |m| m.columns.len());
                if step(&mut st.row, n, action) {
                    return Vec::new();
                }
                match action {
                    Action::CycleAttribute => {
                        if !st.attributes.is_empty() {
                            st.attr = (st.attr + 1) % st.attributes.len();
                        }
                        st.col = 0;
                        self.refresh_analysis();
                    }
                    Action::Left => st.col = st.col.saturating_sub(1),
                    Action::Right => st.col = (st.col + 1).min(cols.saturating_sub(1)),
                    Action::Open => return self.matrix_cell_excerpts(),
                    _ => {}
                }
            }
            1 => return self.update_cooccurrence(action),
            2 => return self.update_search(action),
            4 => {
                let n = st.versions.len();
                if step(&mut st.version, n, action) {
                    return Vec::new();
                }
                match action {
                    Action::Snapshot => self.popups.push(Popup::Prompt(Prompt {
                        kind: PromptKind::Snapshot,
                        input: String::new(),
                    })),
                    Action::Open => {
                        if let Some(v) = st.versions.get(st.version) {
                            st.diff_of = Some(v.name.clone());
                            self.refresh_analysis();
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn update_cooccurrence(&mut self, action: Action) -> Vec<Effect> {
        let Some(st) = &mut self.analysis else {
            return Vec::new();
        };
        if let Some(d) = &mut st.drill {
            if step(&mut d.sel, d.items.len(), action) {
                return Vec::new();
            }
            if action == Action::Open
                && let Some(x) = d.items.get(d.sel)
                && let Some(doc) = self.docs.iter().find(|doc| doc.name == x.document)
            {
                let (id, at) = (doc.id, x.start as usize);
                self.jump_with_return(id, at);
            }
            return Vec::new();
        }
        let n = st.co.as_ref().map_or(0, |c| c.codes.len());
        let last = n.saturating_sub(1);
        match action {
            Action::Left => st.co_col = st.co_col.saturating_sub(1),
            Action::Right => st.co_col = (st.co_col + 1).min(last),
            Action::Open => {
                let Some(co) = &st.co else {
                    return Vec::new();
                };
                let (Some(a), Some(b)) = (co.codes.get(st.co_row), co.codes.get(st.co_col)) else {
                    return Vec::new();
                };
                if co.counts[st.co_row][st.co_col] == 0 {
                    self.set_message("no excerpts behind this cell");
                    return Vec::new();
                }
                let title = format!("{} × {}", a.path, b.path);
                match cooccurrence::pair_excerpts(
                    self.store.study.conn(),
                    &a.path,
                    &b.path,
                    &CooccurrenceOptions {
                        coder: st.coder_id(),
                        ..Default::default()
                    },
                ) {
                    Ok(items) => {
                        st.drill = Some(Drill {
                            title,
                            items,
                            sel: 0,
                        })
                    }
                    Err(e) => st.error = Some(e.to_string()),
                }
            }
            a => {
                step(&mut st.co_row, n, a);
            }
        }
        Vec::new()
    }

    fn update_search(&mut self, action: Action) -> Vec<Effect> {
        let Some(st) = &mut self.analysis else {
            return Vec::new();
        };
        let n = st.results.as_ref().map_or(0, |r| r.hits.len());
        if step(&mut st.hit, n, action) {
            return Vec::new();
        }
        match action {
            Action::Search => {
                let input = st.query.clone();
                self.popups.push(Popup::Prompt(Prompt {
                    kind: PromptKind::AnalysisSearch,
                    input,
                }));
            }
            Action::CycleSpan => {
                st.span_turn = !st.span_turn;
                let span = if st.span_turn {
                    "whole turns"
                } else {
                    "the matched words"
                };
                self.set_message(format!("auto-coding will code {span} (t changes it)"));
            }
            Action::AutoCode => {
                if n == 0 {
                    self.set_message("search first (/), then auto-code the hits");
                    return Vec::new();
                }
                let pool = self
                    .codes
                    .iter()
                    .map(|c| (Item::Code(c.id), c.path.clone()))
                    .collect();
                let span = if st.span_turn {
                    "each hit's whole turn"
                } else {
                    "the matched words"
                };
                let title = format!("Auto-code {span} of “{}” (t: match/turn) with…", st.query);
                self.popups
                    .push(Popup::Finder(Finder::new(Purpose::Autocode, title, pool)));
            }
            Action::Open => {
                if let Some(h) = st.results.as_ref().and_then(|r| r.hits.get(st.hit)) {
                    let (doc, at) = (h.document_id, h.start as usize);
                    self.jump_with_return(doc, at);
                }
            }
            _ => {}
        }
        Vec::new()
    }

    /// The search prompt's answer: run it.
    pub(super) fn analysis_search(&mut self, query: String) {
        if let Some(st) = &mut self.analysis {
            st.query = query;
            st.hit = 0;
        }
        self.refresh_analysis();
    }

    /// The auto-code finder's pick.
    /// Enter on a matrix cell: the excerpts of the row's code in the column's group, as a
    /// filtered retrieval (Esc comes back to the matrix).
    fn matrix_cell_excerpts(&mut self) -> Vec<Effect> {
        let Some(st) = &self.analysis else {
            return Vec::new();
        };
        let Some(m) = &st.matrix else {
            return Vec::new();
        };
        let (Some(row), Some(col)) = (m.rows.get(st.row), m.columns.get(st.col)) else {
            return Vec::new();
        };
        let name = st
            .attribute()
            .map(|a| a.split_once(':').map_or(a, |(_, n)| n).to_lowercase())
            .unwrap_or_default();
        let mut filter = format!("{name}:={}", col.label.replace(' ', "_"));
        // The cell counted one coder's codings: its excerpts are that coder's too.
        if let Some((_, coder, _)) = &st.coder {
            // The filter matches a coder by a word of the name (filters split at spaces).
            if let Some(word) = coder.split_whitespace().next() {
                filter.push_str(&format!(" coder:{word}"));
            }
        }
        let code = row.code_id;
        self.jumps.push(super::jumps::JumpFrame {
            view: self.view.take(),
            retrieval: self.retrieval.take(),
            memos: self.memos.take(),
            focus: self.focus,
            doc: self.doc.as_ref().map(|d| d.id),
            cursor: self.cursor,
            top: self.top,
        });
        match self.open_retrieval(code) {
            Ok(()) => {
                if let Some(r) = &mut self.retrieval
                    && let Some(p) = r.apply_filter(&filter)
                {
                    self.set_message(p);
                }
                self.focus = super::app::Pane::Main;
            }
            Err(e) => self.set_message(format!("error: {e}")),
        }
        Vec::new()
    }

    pub(super) fn autocode_effect(&self, path: String) -> Vec<Effect> {
        match &self.analysis {
            Some(st) if !st.query.trim().is_empty() => vec![Effect::Autocode {
                query: st.query.clone(),
                code: path,
                turn: st.span_turn,
            }],
            _ => Vec::new(),
        }
    }
}
