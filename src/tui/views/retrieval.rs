//! Retrieval: every excerpt coded with a code (and its subcodes), with document, speaker and
//! coder; Enter jumps back into the transcript at the excerpt.

use super::{fit, pane_block};
use crate::tui::app::{App, Pane};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Each excerpt takes two rows: where it is, and what it says.
pub fn first_visible(sel: usize, area: Rect) -> usize {
    let per_screen = (area.height.saturating_sub(2) / 2).max(1) as usize;
    if sel < per_screen {
        0
    } else {
        sel + 1 - per_screen
    }
}

pub fn render(app: &App, area: Rect, frame: &mut Frame) {
    let Some(r) = &app.retrieval else { return };
    let who = if app.show_others {
        "all coders"
    } else {
        "your codings"
    };
    let title = format!(
        " Excerpts: {} — {} ({who}) ",
        r.title.replace('/', " › "),
        r.excerpts.len()
    );
    let block = pane_block(
        app,
        Pane::Main,
        fit(&title, area.width.saturating_sub(4) as usize),
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    if r.excerpts.is_empty() {
        frame.render_widget(
            Paragraph::new("Nothing coded with this code yet.").style(app.theme.dim()),
            inner,
        );
        return;
    }
    let first = first_visible(r.sel, area);
    let per_screen = (inner.height / 2).max(1) as usize;
    let mut lines = Vec::new();
    for (i, x) in r.excerpts.iter().enumerate().skip(first).take(per_screen) {
        let sel = i == r.sel;
        let memo = if app.coding_memos.contains(&x.coding_id) {
            " ✎"
        } else {
            ""
        };
        let head = format!(
            "{:>3}. {} · {} · {} · {}  [{}:{}]{memo}",
            i + 1,
            x.document,
            x.speaker.as_deref().unwrap_or("—"),
            x.coder,
            x.code,
            x.start,
            x.end
        );
        let colour = app
            .code(
                app.codes
                    .iter()
                    .find(|c| c.path == x.code)
                    .map_or(0, |c| c.id),
            )
            .map(|c| c.colour.clone())
            .unwrap_or_default();
        let base = if sel {
            app.theme.highlight()
        } else {
            Style::new()
        };
        lines.push(Line::from(vec![
            Span::styled("▌", app.theme.label(&colour)),
            Span::styled(
                fit(&head, w.saturating_sub(1)),
                if sel { base } else { app.theme.dim() },
            ),
        ]));
        let body = x.text.replace('\n', " ");
        lines.push(Line::from(vec![
            Span::styled("▌", app.theme.label(&colour)),
            Span::styled(fit(&format!("  “{body}”"), w.saturating_sub(1)), base),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
