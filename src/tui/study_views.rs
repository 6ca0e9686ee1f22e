//! The full-screen views over the whole study: agreement, disagreement review and analysis.
//! Their data is computed here (on open, after every action, on `r`), never while drawing.

use super::app::App;
use crate::Result;
use crate::agreement::report::{self, AgreementReport, Options, Uncoded};
use crate::agreement::review::{self, Disagreement};
use crate::agreement::units::{Comparison, Selection, UnitKind};

/// Krippendorff's limits: alpha below 0.667 is unreliable, below 0.800 tentative.
pub const DEFAULT_THRESHOLDS: [f64; 2] = [0.667, 0.8];

/// Which full-screen view covers the panes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Agreement,
    Review,
    Analysis,
}

pub struct AgreementState {
    pub unit: UnitKind,
    pub worst_first: bool,
    pub report: Option<AgreementReport>,
    /// Why there is no report (e.g. fewer than two coders).
    pub error: Option<String>,
    /// Indices into `report.codes`, in display order.
    pub rows: Vec<usize>,
    pub sel: usize,
    /// The coders picked with `c` (empty: the default rule); the review compares the same.
    pub coders: Vec<String>,
    /// The ICR rounds (as `thematic icr rounds`) while `R` shows them over the table, with
    /// the first line shown; loaded on `R`, never while drawing.
    pub rounds: Option<std::result::Result<Vec<crate::agreement::icr::RoundBrief>, String>>,
    pub rounds_top: usize,
}

impl Default for AgreementState {
    fn default() -> Self {
        AgreementState {
            unit: UnitKind::Turn,
            worst_first: true,
            report: None,
            error: None,
            rows: Vec::new(),
            sel: 0,
            coders: Vec::new(),
            rounds: None,
            rounds_top: 0,
        }
    }
}

impl AgreementState {
    /// The code (path) of the selected row.
    pub fn selected_code(&self) -> Option<&str> {
        let r = self.report.as_ref()?;
        let &i = self.rows.get(self.sel)?;
        Some(r.codes[i].code.as_str())
    }

    fn order(&mut self) {
        let Some(r) = &self.report else {
            self.rows.clear();
            return;
        };
        let mut rows: Vec<usize> = (0..r.codes.len()).collect();
        if self.worst_first {
            let alpha = |i: usize| {
                r.codes[i]
                    .coefficients
                    .krippendorff_alpha
                    .flatten()
                    .unwrap_or(f64::INFINITY)
            };
            rows.sort_by(|&a, &b| alpha(a).total_cmp(&alpha(b)).then(a.cmp(&b)));
        }
        self.rows = rows;
        self.sel = self.sel.min(self.rows.len().saturating_sub(1));
    }
}

pub struct ReviewState {
    /// Only this code's disagreements (id, path); None = all codes.
    pub code: Option<(i64, String)>,
    /// The compared coders, in the order the keys 1–9 accept them.
    pub coders: Vec<String>,
    pub unit: UnitKind,
    pub items: Vec<Disagreement>,
    pub sel: usize,
    pub error: Option<String>,
}

/// Agreement and disagreements compare the coders picked with `c`, else the default rule of
/// `thematic agreement` (which never includes consensus and names whoever it left out).
fn comparison(app: &App) -> Result<Comparison> {
    let picked = app
        .agreement
        .as_ref()
        .map(|a| a.coders.clone())
        .unwrap_or_default();
    Comparison::load(
        app.store.study.conn(),
        &Selection {
            coders: &picked,
            documents: &[],
        },
    )
}

/// The coder picker's choices, in order: the default rule, each pair of independent coders
/// with codings, then all of them together.
fn coder_choices(app: &App) -> Vec<Vec<String>> {
    let names: Vec<String> = crate::study::coders_with_codings(app.store.study.conn())
        .map(|cs| {
            cs.into_iter()
                .filter(|c| !c.is_consensus)
                .map(|c| c.name)
                .collect()
        })
        .unwrap_or_default();
    let mut out = vec![Vec::new()];
    for i in 0..names.len() {
        for j in i + 1..names.len() {
            out.push(vec![names[i].clone(), names[j].clone()]);
        }
    }
    if names.len() > 2 {
        out.push(names);
    }
    out
}

fn agreement_report(app: &App, cmp: &Comparison, unit: UnitKind) -> Result<AgreementReport> {
    report::compute(
        app.store.study.conn(),
        cmp,
        &Options {
            unit,
            code_set: Vec::new(),
            uncoded: Uncoded::Absent,
            ci: None,
        },
    )
}

impl App {
    /// The coder picker: moves to the next choice (see [`coder_choices`]) and says which.
    pub fn cycle_coders(&mut self) {
        let choices = coder_choices(self);
        let st = self.agreement.get_or_insert_with(AgreementState::default);
        let at = choices.iter().position(|c| *c == st.coders).unwrap_or(0);
        st.coders = choices[(at + 1) % choices.len()].clone();
        let msg = if st.coders.is_empty() {
            "coders: the default rule (independent coders sharing the most documents)".to_string()
        } else {
            format!("coders: {} (c for the next choice)", st.coders.join(" × "))
        };
        self.set_message(msg);
    }

    /// `R` in the agreement view: shows the ICR rounds (loaded now), or hides them again.
    pub fn toggle_icr_rounds(&mut self) {
        let loaded =
            crate::agreement::icr::briefs(self.store.study.conn()).map_err(|e| e.to_string());
        let st = self.agreement.get_or_insert_with(AgreementState::default);
        st.rounds = match st.rounds {
            Some(_) => None,
            None => Some(loaded),
        };
        st.rounds_top = 0;
    }

    /// Opens (or recomputes) the agreement view.
    pub fn open_agreement(&mut self) {
        let mut st = self.agreement.take().unwrap_or_default();
        self.compute_agreement(&mut st);
        self.agreement = Some(st);
        self.view = Some(View::Agreement);
    }

    fn compute_agreement(&self, st: &mut AgreementState) {
        if st.rounds.is_some() {
            st.rounds = Some(
                crate::agreement::icr::briefs(self.store.study.conn()).map_err(|e| e.to_string()),
            );
        }
        let result = comparison(self).and_then(|cmp| agreement_report(self, &cmp, st.unit));
        match result {
            Ok(r) => {
                st.report = Some(r);
                st.error = None;
            }
            Err(e) => {
                st.report = None;
                st.error = Some(e.to_string());
            }
        }
        st.order();
    }

    /// Opens the review of one code's disagreements (or all codes').
    pub fn open_review(&mut self, code: Option<(i64, String)>) {
        let unit = match self.agreement.as_ref().map(|a| a.unit) {
            Some(UnitKind::Sentence) => UnitKind::Sentence,
            _ => UnitKind::Turn,
        };
        let mut st = ReviewState {
            code,
            coders: Vec::new(),
            unit,
            items: Vec::new(),
            sel: 0,
            error: None,
        };
        self.compute_review(&mut st);
        self.review = Some(st);
        self.view = Some(View::Review);
    }

    fn compute_review(&self, st: &mut ReviewState) {
        let result = comparison(self).and_then(|cmp| {
            let rep = agreement_report(self, &cmp, st.unit)?;
            let list = review::disagreements(
                self.store.study.conn(),
                &cmp,
                st.unit,
                st.code.as_ref().map(|c| c.0),
                &rep,
            )?;
            Ok((cmp.coders.iter().map(|c| c.name.clone()).collect(), list))
        });
        match result {
            Ok((coders, items)) => {
                st.coders = coders;
                st.items = items;
                st.error = None;
            }
            Err(e) => {
                st.items.clear();
                st.error = Some(e.to_string());
            }
        }
        st.sel = st.sel.min(st.items.len().saturating_sub(1));
    }

    /// Recomputes the open views' data after the study changed.
    pub fn refresh_views(&mut self) {
        if let Some(mut st) = self.agreement.take() {
            if self.view.is_some() {
                self.compute_agreement(&mut st);
            }
            self.agreement = Some(st);
        }
        if let Some(mut st) = self.review.take() {
            if self.view == Some(View::Review) {
                self.compute_review(&mut st);
            }
            self.review = Some(st);
        }
        if self.view == Some(View::Analysis) {
            self.refresh_analysis();
        }
    }
}
