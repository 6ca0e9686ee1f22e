//! The Documents pane: every document with its attributes, and the selected document's
//! participants with theirs. Only the visible rows are built.

use super::{first_row, fit, pane_block};
use crate::tui::app::{App, Pane};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Rows for the document list inside `area` (the rest lists participants).
fn list_height(area: Rect) -> usize {
    let inner = area.height.saturating_sub(2) as usize;
    if inner >= 6 { inner * 3 / 5 } else { inner }
}

pub fn first_visible(sel: usize, area: Rect, n: usize) -> usize {
    first_row(sel, list_height(area), n)
}

pub fn render(app: &App, area: Rect, frame: &mut Frame) {
    let block = pane_block(
        app,
        Pane::Documents,
        match &app.icr {
            Some(a) => format!(" Documents ({}) · {} ", app.docs.len(), a.title()),
            None => format!(" Documents ({}) ", app.docs.len()),
        },
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    let h = list_height(area);
    let first = first_visible(app.doc_sel, area, app.docs.len());
    let open = app.doc.as_ref().map(|d| d.id);
    let mut lines: Vec<Line> = Vec::with_capacity(inner.height as usize);
    for (i, d) in app.docs.iter().enumerate().skip(first).take(h) {
        let mark = if Some(d.id) == open { "▸" } else { " " };
        let attrs: Vec<&str> = crate::tui::app::ordered_attributes(&d.attributes)
            .into_iter()
            .map(|(_, v)| v)
            .collect();
        // ✓: the acting coder marked it done (agreement counts "no coding" there as nothing found).
        let done = if app.done.contains(&d.id) { " ✓" } else { "" };
        // ◇: in your sample for the open ICR round (with the number of drawn turns, if by turn).
        let icr = app.icr.as_ref().map(|a| a.mark(d.id)).unwrap_or_default();
        let text = format!("{mark}{}{done}{icr} {}", d.name, attrs.join(" · "));
        let mut style = ratatui::style::Style::new();
        if i == app.doc_sel {
            style = app.theme.highlight();
        }
        lines.push(Line::from(Span::styled(fit(&text, w), style)));
    }
    while lines.len() < h {
        lines.push(Line::default());
    }
    let rest = (inner.height as usize).saturating_sub(h);
    if rest > 0 {
        let name = app
            .docs
            .get(app.doc_sel)
            .map(|d| d.name.as_str())
            .unwrap_or("");
        let speakers = app.selected_speakers();
        // The list scrolls with ] and [ when it is longer than the room (it says so).
        let room = rest - 1;
        let top = app.participants_top.min(speakers.len().saturating_sub(1));
        let below = speakers.len().saturating_sub(top + room);
        let more = match (top > 0, below > 0) {
            (false, false) => String::new(),
            (_, true) => format!(" ({} more: ] [)", below),
            (true, false) => " ([ scrolls back)".to_string(),
        };
        lines.push(Line::from(Span::styled(
            fit(&format!("─ Participants in {name}{more}"), w),
            app.theme.dim(),
        )));
        for s in speakers.iter().skip(top).take(room) {
            let who = match (&s.participant, &s.role) {
                (Some(p), Some(r)) if r != "participant" => format!("{} ({p}, {r})", s.label),
                (Some(p), _) => format!("{} ({p})", s.label),
                _ => s.label.clone(),
            };
            let attrs: Vec<String> = s
                .attributes
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect();
            lines.push(Line::from(vec![
                Span::styled(fit(&who, w), app.theme.speaker()),
                Span::raw(fit(
                    &format!(" {}", attrs.join(", ")),
                    w.saturating_sub(who.chars().count()),
                )),
            ]));
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
