//! The ICR rounds over the agreement view (`R`): what `thematic icr rounds` lists — each
//! round's coders, sample, units, share of the study, α per code with its CI and the codebook
//! changes since the previous round — from the state loaded on `R`.

use super::agreement::view_block;
use super::fit;
use crate::agreement::icr::RoundBrief;
use crate::text::sanitize;
use crate::tui::app::App;
use crate::tui::study_views::AgreementState;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

/// The rounds as plain lines (scrolled with `rounds_top`); untrusted names are sanitized.
fn lines(rounds: &[RoundBrief], low: f64) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    if rounds.is_empty() {
        out.push((
            "No ICR rounds yet; start one with `thematic icr sample --share 0.2 --coders A,B --seed 1`."
                .to_string(),
            false,
        ));
    }
    for b in rounds {
        let drawn = if b.sample_by == "turn" {
            b.sampled_turns
        } else {
            b.sampled_documents
        };
        let mut head = format!(
            "Round {} · {} · coders {} · sample {} by {} ({:.0}%, seed {})",
            b.round,
            if b.ended_at.is_some() {
                "ended"
            } else {
                "open"
            },
            sanitize(&b.coders.join(", "), false),
            drawn,
            b.sample_by,
            100.0 * b.share,
            b.seed
        );
        if let Some(u) = b.units {
            head.push_str(&format!(" · {u} unit(s)"));
        }
        if let Some(s) = b.share_of_study {
            head.push_str(&format!(" · {:.1}% of the study", 100.0 * s));
        }
        if let Some(a) = b.mean_alpha {
            head.push_str(&format!(" · mean α {a:.3}"));
        }
        out.push((head, false));
        let changes = if b.codebook_changes.is_empty() {
            if b.round == 1 { "—" } else { "none" }.to_string()
        } else {
            sanitize(&b.codebook_changes.join("; "), false)
        };
        out.push((
            format!("  codebook changes since the previous round: {changes}"),
            false,
        ));
        if b.ended_at.is_none() {
            out.push((
                "  open: α is computed when the round ends (`thematic icr end`)".to_string(),
                false,
            ));
        }
        for c in &b.codes {
            let alpha = c
                .krippendorff_alpha
                .map(|a| format!("{a:.3}"))
                .unwrap_or_else(|| "undef".into());
            let ci = c
                .krippendorff_alpha_ci
                .map(|[l, h]| format!(" [{l:.2}, {h:.2}]"))
                .unwrap_or_default();
            let weak = c.krippendorff_alpha.is_some_and(|a| a < low);
            out.push((
                format!("  {}  α {alpha}{ci}", sanitize(&c.code, false)),
                weak,
            ));
        }
        out.push((String::new(), false));
    }
    out
}

/// How many lines the rounds take (the scroll limit).
pub fn line_count(st: &AgreementState) -> usize {
    match &st.rounds {
        Some(Ok(r)) => lines(r, 0.0).len(),
        _ => 1,
    }
}

pub fn render(
    app: &App,
    st: &AgreementState,
    rounds: &Result<Vec<RoundBrief>, String>,
    area: Rect,
    frame: &mut Frame,
) {
    let n = rounds.as_ref().map(|r| r.len()).unwrap_or(0);
    let block = view_block(
        app,
        format!(" ICR rounds ({n}) · turn units, 95% bootstrap CI · R/Esc: back to agreement "),
        area.width,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    let all = match rounds {
        Ok(r) => lines(r, app.thresholds[0]),
        Err(e) => vec![(format!("Could not list the ICR rounds: {e}"), true)],
    };
    let shown: Vec<Line> = all
        .iter()
        .skip(st.rounds_top)
        .take(inner.height as usize)
        .map(|(text, weak)| {
            let l = fit(text, w);
            if *weak {
                Line::styled(l, app.theme.error())
            } else if text.starts_with("Round") {
                Line::styled(l, app.theme.speaker().add_modifier(Modifier::BOLD))
            } else {
                Line::raw(l)
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(shown), inner);
}
