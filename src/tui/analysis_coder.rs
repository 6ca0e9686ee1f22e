//! The analysis view's coder picker (`w`): frequencies, the matrix and co-occurrence count the
//! independent coders pooled (the default, never the consensus coder, whose codings repeat
//! theirs), one coder, or the consensus coding. The view's title says which.

use super::analysis_view::AnalysisState;
use super::app::App;

impl AnalysisState {
    /// The coder id the counts are restricted to (None: independent coders pooled).
    pub fn coder_id(&self) -> Option<i64> {
        self.coder.as_ref().map(|c| c.0)
    }

    /// What the title says is counted.
    pub fn coder_label(&self) -> String {
        match &self.coder {
            None => "independent coders pooled; not consensus".into(),
            Some((_, name, true)) => {
                format!("consensus coding ({})", crate::text::sanitize(name, false))
            }
            Some((_, name, false)) => {
                format!("coder {} only", crate::text::sanitize(name, false))
            }
        }
    }
}

/// The choices in order: pooled, each independent coder with codings, then the consensus coder
/// if it has codings.
fn choices(app: &App) -> Vec<Option<(i64, String, bool)>> {
    let mut coders = crate::study::coders_with_codings(app.store.study.conn()).unwrap_or_default();
    // Independent coders first, the consensus coder last.
    coders.sort_by_key(|c| c.is_consensus);
    std::iter::once(None)
        .chain(
            coders
                .into_iter()
                .map(|c| Some((c.id, c.name, c.is_consensus))),
        )
        .collect()
}

impl App {
    /// `w` in the analysis view: the next choice of whose codings are counted; recomputes.
    pub fn cycle_analysis_coder(&mut self) {
        let all = choices(self);
        let Some(st) = &mut self.analysis else { return };
        let at = all.iter().position(|c| *c == st.coder).unwrap_or(0);
        st.coder = all[(at + 1) % all.len()].clone();
        let msg = format!("analysis counts: {} (w for the next)", st.coder_label());
        self.refresh_analysis();
        self.set_message(msg);
    }
}
