//! The codebook as a tree (themes › codes) with counts of codings and documents, filterable,
//! and the selected code's definition, criteria and example on demand (`i`).

use super::{first_row, fit, pane_block};
use crate::tui::app::{App, Pane};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

fn list_height(app: &App, area: Rect) -> usize {
    let inner = area.height.saturating_sub(2) as usize;
    if app.show_details { inner / 2 } else { inner }
}

/// The first code row shown (also what a mouse click is measured from).
pub fn first_visible(app: &App, area: Rect) -> usize {
    first_row(app.code_sel, list_height(app, area), app.code_rows.len())
}

pub fn render(app: &App, area: Rect, frame: &mut Frame) {
    // The counts' legend: codings·documents, a theme's including its codes' (the same
    // roll-up as `codes list`), only the coder's own in blind mode.
    let legend = if app.show_others {
        "codings·docs"
    } else {
        "your codings·docs"
    };
    let title = if app.code_filter.is_empty() {
        let full = format!(" Codebook ({}) · {legend} ", app.codes.len());
        if full.chars().count() + 2 <= area.width as usize {
            full
        } else {
            format!(" Codebook ({}) ", app.codes.len())
        }
    } else {
        format!(
            " Codebook /{} ({}) ",
            crate::text::sanitize(&app.code_filter, false),
            app.code_rows.len()
        )
    };
    let block = pane_block(app, Pane::Codebook, title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    let h = list_height(app, area);
    let first = first_visible(app, area);
    let mut lines = Vec::with_capacity(inner.height as usize);
    if app.codes.is_empty() {
        lines.push(Line::styled(
            fit("No codes yet: a adds one, or type a new", w),
            app.theme.dim(),
        ));
        lines.push(Line::styled(
            fit("name in the finder while coding (c).", w),
            app.theme.dim(),
        ));
    }
    for (row, &i) in app.code_rows.iter().enumerate().skip(first).take(h) {
        let c = &app.codes[i];
        let counts = app.counts.get(&c.id).copied().unwrap_or_default();
        let right = format!(" {}·{}", counts.codings, counts.documents);
        let has_children = app
            .codes
            .get(i + 1)
            .is_some_and(|n| n.parent_id == Some(c.id));
        let room = w.saturating_sub(right.width() + 2);
        // Names are cut in the middle, so codes with the same long start stay distinct.
        let label = if app.code_filter.is_empty() {
            let lead = format!(
                "{}{}",
                "  ".repeat(c.depth),
                if has_children { "› " } else { "" }
            );
            let name = super::fit_middle(&c.name, room.saturating_sub(lead.width()));
            format!("{lead}{name}")
        } else {
            super::fit_middle(&c.path, room)
        };
        let pad = w.saturating_sub(2 + label.width() + right.width());
        let sel = row == app.code_sel;
        let base = if sel {
            app.theme.highlight()
        } else {
            Style::new()
        };
        // The swatch shows the key (1–9) the code is pinned to.
        let swatch = match app.pins.iter().position(|p| *p == Some(c.id)) {
            Some(k) => Span::styled(
                format!("{} ", k + 1),
                app.theme
                    .label(&c.colour)
                    .add_modifier(ratatui::style::Modifier::BOLD),
            ),
            None => Span::styled("■ ", app.theme.label(&c.colour)),
        };
        lines.push(Line::from(vec![
            swatch,
            Span::styled(format!("{label}{}", " ".repeat(pad)), base),
            Span::styled(right, if sel { base } else { app.theme.dim() }),
        ]));
    }
    let list_area = Rect {
        height: (h as u16).min(inner.height),
        ..inner
    };
    frame.render_widget(Paragraph::new(lines), list_area);
    if app.show_details
        && let Some(c) = app.selected_code()
    {
        let area = Rect {
            y: inner.y + h as u16,
            height: inner.height.saturating_sub(h as u16),
            ..inner
        };
        let mut d = vec![Line::styled(
            fit(&format!("─ {}", c.path), w),
            app.theme.dim(),
        )];
        for (label, value) in [
            ("Definition", &c.definition),
            ("Include", &c.inclusion),
            ("Exclude", &c.exclusion),
            ("Example", &c.example),
        ] {
            if !value.is_empty() {
                d.push(Line::from(vec![
                    Span::styled(format!("{label}: "), app.theme.key()),
                    Span::raw(crate::text::sanitize(value, false)),
                ]));
            }
        }
        if d.len() == 1 {
            d.push(Line::styled(
                "No definition yet (e edits).",
                app.theme.dim(),
            ));
        }
        if app.codes.iter().any(|k| k.parent_id == Some(c.id)) {
            d.push(Line::styled(
                "Its codings·docs count includes its subcodes' (rolled up).",
                app.theme.dim(),
            ));
        }
        if app.show_others {
            d.push(Line::styled(
                "Counts leave out consensus codings (they repeat the coders').",
                app.theme.dim(),
            ));
        }
        frame.render_widget(Paragraph::new(d).wrap(Wrap { trim: true }), area);
    }
}
