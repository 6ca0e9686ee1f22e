//! Keys for the full-screen views: agreement, disagreement review and analysis.

use super::action::Action;
use super::app::App;
use super::store::Effect;
use super::study_views::View;
use crate::agreement::review::Decision;
use crate::agreement::units::UnitKind;

/// Moves a selection of `n` rows by an action; true when it was a movement.
pub(super) fn step(sel: &mut usize, n: usize, action: Action) -> bool {
    let last = n.saturating_sub(1);
    match action {
        Action::Down => *sel = (*sel + 1).min(last),
        Action::Up => *sel = sel.saturating_sub(1),
        Action::PageDown => *sel = (*sel + 10).min(last),
        Action::PageUp => *sel = sel.saturating_sub(10),
        Action::Top => *sel = 0,
        Action::Bottom => *sel = last,
        _ => return false,
    }
    true
}

impl App {
    /// Esc in a view: the review goes back to agreement, anything else to the workbench.
    pub(super) fn back_from_view(&mut self) {
        match self.view {
            Some(View::Agreement)
                if self.agreement.as_ref().is_some_and(|a| a.rounds.is_some()) =>
            {
                self.toggle_icr_rounds();
            }
            Some(View::Review) if self.agreement.is_some() => {
                self.view = Some(View::Agreement);
                self.refresh_views();
            }
            Some(View::Analysis) => {
                if !self.analysis_back() {
                    self.view = None;
                }
            }
            _ => self.view = None,
        }
    }

    /// Keys while the ICR rounds cover the agreement table: scroll, `R` or Esc back.
    fn update_icr_rounds(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::IcrRounds | Action::Back => self.toggle_icr_rounds(),
            Action::Refresh => self.open_agreement(),
            _ => {
                if let Some(st) = &mut self.agreement {
                    let n = super::views::icr_rounds::line_count(st);
                    step(&mut st.rounds_top, n, action);
                }
            }
        }
        Vec::new()
    }

    pub(super) fn update_agreement(&mut self, action: Action) -> Vec<Effect> {
        let Some(st) = &mut self.agreement else {
            return Vec::new();
        };
        if st.rounds.is_some() {
            return self.update_icr_rounds(action);
        }
        if step(&mut st.sel, st.rows.len(), action) {
            return Vec::new();
        }
        match action {
            Action::CycleUnit => {
                st.unit = match st.unit {
                    UnitKind::Turn => UnitKind::Sentence,
                    UnitKind::Sentence => UnitKind::Char,
                    _ => UnitKind::Turn,
                };
                self.open_agreement();
            }
            Action::SortWorst => {
                st.worst_first = !st.worst_first;
                self.open_agreement();
            }
            Action::Refresh => {
                self.open_agreement();
                self.set_message("agreement recomputed");
            }
            Action::Open => {
                let code = st.selected_code().and_then(|path| {
                    self.codes
                        .iter()
                        .find(|c| c.path == path)
                        .map(|c| (c.id, c.path.clone()))
                });
                if code.is_some() {
                    self.open_review(code);
                }
            }
            Action::AllDisagreements => self.open_review(None),
            Action::CycleCoders => {
                self.cycle_coders();
                self.open_agreement();
            }
            Action::IcrRounds => self.toggle_icr_rounds(),
            _ => {}
        }
        Vec::new()
    }

    pub(super) fn update_review(&mut self, action: Action) -> Vec<Effect> {
        let Some(st) = &mut self.review else {
            return Vec::new();
        };
        if step(&mut st.sel, st.items.len(), action) {
            return Vec::new();
        }
        let Some(d) = st.items.get(st.sel) else {
            if action == Action::Refresh {
                self.refresh_views();
            }
            return Vec::new();
        };
        let decision = match action {
            Action::AcceptCoder(n) => match st.coders.get(n as usize - 1) {
                Some(name) => Decision::Accept(name.clone()),
                None => {
                    let n_coders = st.coders.len();
                    self.set_message(format!("there are {n_coders} compared coders"));
                    return Vec::new();
                }
            },
            Action::AcceptBoth => Decision::Both,
            Action::AcceptNeither => Decision::Neither,
            Action::Open => {
                let (doc, at) = (d.document_id, d.start as usize);
                // Recoding a disagreement needs every coder's version in view.
                let unblinded = !self.show_others;
                self.show_others = true;
                if let Err(e) = self.reload() {
                    self.set_message(format!("error: {e}"));
                }
                // Esc in the transcript comes back to this disagreement.
                self.jump_with_return(doc, at);
                if unblinded {
                    self.set_message("showing every coder's codings to recode (o hides them)");
                }
                return Vec::new();
            }
            Action::Refresh => {
                self.refresh_views();
                return Vec::new();
            }
            Action::CycleCoders => {
                self.cycle_coders();
                self.refresh_views();
                return Vec::new();
            }
            _ => return Vec::new(),
        };
        vec![Effect::Resolve {
            doc: d.document_id,
            code: d.code_id,
            start: d.start,
            end: d.end,
            decision,
            coders: st.coders.clone(),
            unit: st.unit,
        }]
    }
}
