//! The memo browser: every memo, what it is on, who wrote it and when, and its first lines.

use super::{first_row, fit, pane_block};
use crate::tui::app::{App, Pane};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

/// Rows per memo: what it is on (and by whom), two lines of its text, a gap.
const ROWS: usize = 4;

pub fn render(app: &App, area: Rect, frame: &mut Frame) {
    let Some(m) = &app.memos else { return };
    let count = if m.query.is_empty() {
        format!("{}", m.all.len())
    } else {
        format!(
            "{} of {} matching “{}”",
            m.shown.len(),
            m.all.len(),
            m.query
        )
    };
    let title = format!(" Memos — {count} ");
    let block = pane_block(
        app,
        Pane::Main,
        fit(
            &crate::text::sanitize(&title, false),
            area.width.saturating_sub(4) as usize,
        ),
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    if m.shown.is_empty() {
        let text = if m.all.is_empty() {
            "No memos yet: m writes one on a coding, document or code; M on the study."
        } else {
            "No memo matches the search (/ changes it)."
        };
        frame.render_widget(Paragraph::new(text).style(app.theme.dim()), inner);
        return;
    }
    let per_screen = (inner.height as usize / ROWS).max(1);
    let first = first_row(m.sel, per_screen, m.shown.len());
    let mut lines = Vec::new();
    for (k, &i) in m.shown.iter().enumerate().skip(first).take(per_screen) {
        let r = &m.all[i];
        let sel = k == m.sel;
        let base = if sel {
            app.theme.highlight()
        } else {
            Style::new()
        };
        let date = r.memo.updated_at.get(..10).unwrap_or(&r.memo.updated_at);
        let head = format!(
            "{:>3}. on {} · {} · {date}",
            k + 1,
            r.on,
            crate::text::sanitize(&r.memo.coder, false)
        );
        lines.push(Line::styled(fit(&head, w), base));
        let body = crate::text::sanitize(&r.memo.body, true);
        let mut body_lines = body.lines().filter(|l| !l.trim().is_empty());
        for _ in 0..2 {
            let l = body_lines.next().unwrap_or("");
            lines.push(Line::styled(fit(&format!("     {l}"), w), app.theme.dim()));
        }
        lines.push(Line::default());
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
