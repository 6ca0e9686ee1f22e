//! The fuzzy code finder (and the small yes/no confirmation).

use super::{centered, fit, popup_block};
use crate::tui::app::App;
use crate::tui::popup::{Finder, Item};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub fn render(app: &App, f: &Finder, area: Rect, frame: &mut Frame) {
    let r = centered(area, 70, 18);
    let block = popup_block(
        app,
        r,
        fit(
            &format!(" {} ", f.title),
            r.width.saturating_sub(4) as usize,
        ),
        frame,
    );
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let w = inner.width as usize;
    let mut lines = vec![Line::from(vec![
        Span::styled("> ", app.theme.key()),
        Span::raw(crate::text::sanitize(&f.query, false)),
        Span::styled(" ", app.theme.cursor()),
    ])];
    let h = inner.height.saturating_sub(1) as usize;
    let first = super::first_row(f.sel, h, f.items.len());
    if let Some(p) = &f.problem {
        lines.push(Line::styled(
            fit(&crate::text::sanitize(p, false), w),
            app.theme.error(),
        ));
    } else if f.items.is_empty() {
        lines.push(Line::styled("no match", app.theme.dim()));
    }
    for (i, (item, label)) in f.items.iter().enumerate().skip(first).take(h) {
        let style = if i == f.sel {
            app.theme.highlight()
        } else {
            Style::new()
        };
        let (swatch, colour) = match item {
            Item::Code(id) | Item::Coding { code: id, .. } => (
                "■ ",
                app.code(*id).map(|c| c.colour.clone()).unwrap_or_default(),
            ),
            _ => ("  ", String::new()),
        };
        // Pinned codes show their key; recently used ones (listed first) say so.
        let recent = match item {
            Item::Code(id) => match app.pins.iter().position(|p| *p == Some(*id)) {
                Some(k) => Some(format!("  [key {}]", k + 1)),
                None => app.recent.contains(id).then(|| "  · recent".to_string()),
            },
            _ => None,
        }
        .unwrap_or_default();
        lines.push(Line::from(vec![
            Span::styled(swatch, app.theme.label(&colour)),
            Span::styled(fit(&format!("{label}{recent}"), w.saturating_sub(2)), style),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

pub fn render_confirm(app: &App, message: &str, area: Rect, frame: &mut Frame) {
    let r = centered(area, 60, 5);
    let block = popup_block(app, r, " Confirm ".into(), frame);
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let text = vec![
        Line::raw(crate::text::sanitize(message, false)),
        Line::styled("y yes · n no", app.theme.key()),
    ];
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), inner);
}
