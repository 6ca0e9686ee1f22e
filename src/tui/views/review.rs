//! Disagreement review: the units where coders differ on a code, as a list, and the selected
//! unit's text side by side in each coder's version, their spans highlighted.

use super::agreement::view_block;
use super::{first_row, fit};
use crate::agreement::review::{CoderVersion, Disagreement};
use crate::tui::app::App;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

pub fn render(app: &App, area: Rect, frame: &mut Frame) {
    let Some(st) = &app.review else { return };
    let scope = st
        .code
        .as_ref()
        .map_or("all codes".to_string(), |c| c.1.clone());
    let title = format!(
        " Review: {scope} — {} disagreement(s) · unit: {} ",
        st.items.len(),
        st.unit.name()
    );
    let block = view_block(app, title, area.width);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if st.items.is_empty() {
        let msg = match &st.error {
            Some(e) => format!("Nothing to review: {e}"),
            None => {
                "No disagreements left to review. Esc goes back; u undoes the last decision.".into()
            }
        };
        frame.render_widget(
            Paragraph::new(fit(&msg, inner.width as usize)).style(app.theme.dim()),
            inner,
        );
        return;
    }
    let list_h = (inner.height / 3).clamp(2, 10);
    let [list, detail] =
        Layout::vertical([Constraint::Length(list_h), Constraint::Min(1)]).areas(inner);
    let w = list.width as usize;
    let first = first_row(st.sel, list.height as usize, st.items.len());
    let mut lines = Vec::new();
    for (i, d) in st
        .items
        .iter()
        .enumerate()
        .skip(first)
        .take(list.height as usize)
    {
        let who: Vec<String> = d
            .versions
            .iter()
            .map(|v| format!("{} {}", v.coder, if v.applied { "✓" } else { "—" }))
            .collect();
        let text = format!(
            "{:>3}. {} · {} {}:{} · {} · {}",
            i + 1,
            d.code,
            d.document,
            d.start,
            d.end,
            d.speaker.as_deref().unwrap_or("—"),
            who.join(" ")
        );
        let style = if i == st.sel {
            app.theme.highlight()
        } else {
            Style::new()
        };
        lines.push(Line::styled(fit(&text, w), style));
    }
    frame.render_widget(Paragraph::new(lines), list);
    if let Some(d) = st.items.get(st.sel) {
        render_detail(app, d, detail, frame);
    }
}

fn render_detail(app: &App, d: &Disagreement, area: Rect, frame: &mut Frame) {
    let n = d.versions.len().max(1) as u32;
    let cols = Layout::horizontal(vec![Constraint::Ratio(1, n); n as usize])
        .spacing(1)
        .split(area);
    for (k, (v, col)) in d.versions.iter().zip(cols.iter()).enumerate() {
        let key = match k {
            0 => "1/a".to_string(),
            1 => "2/b".to_string(),
            _ => (k + 1).to_string(),
        };
        let title = format!(
            " {key} {} — {} ",
            v.coder,
            if v.applied {
                "applied the code"
            } else {
                "did not apply it"
            }
        );
        let block = Block::new()
            .borders(Borders::TOP)
            .border_style(app.theme.dim())
            .title(fit(&title, col.width.saturating_sub(2) as usize));
        let inner = block.inner(*col);
        frame.render_widget(block, *col);
        let head = Line::styled(
            fit(
                &format!(
                    "{} · {} · {}",
                    d.code,
                    d.document,
                    d.speaker.as_deref().unwrap_or("—")
                ),
                inner.width as usize,
            ),
            app.theme.dim(),
        );
        let spans = if v.spans.is_empty() {
            "no span".to_string()
        } else {
            v.spans
                .iter()
                .map(|(s, e)| format!("{s}:{e}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let spans = Line::styled(
            fit(&format!("coded: {spans}"), inner.width as usize),
            app.theme.dim(),
        );
        let text = vec![head, spans, version_line(app, d, v)];
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), inner);
    }
}

/// The unit's text with the coder's spans of the code highlighted.
fn version_line<'a>(app: &App, d: &Disagreement, v: &CoderVersion) -> Line<'a> {
    let colour = app
        .codes
        .iter()
        .find(|c| c.id == d.code_id)
        .map(|c| c.colour.clone())
        .unwrap_or_default();
    let on = app
        .theme
        .coded(&colour)
        .add_modifier(Modifier::REVERSED | Modifier::BOLD);
    let mut spans: Vec<Span> = Vec::new();
    let mut run = String::new();
    let mut run_on = false;
    for (i, c) in d.text.chars().enumerate() {
        let at = d.start + i as i64;
        let inside = v.spans.iter().any(|&(s, e)| s <= at && at < e);
        if inside != run_on && !run.is_empty() {
            spans.push(styled(std::mem::take(&mut run), run_on, on));
        }
        run_on = inside;
        run.push(if c == '\n' {
            ' '
        } else {
            crate::text::safe_char(c)
        });
    }
    if !run.is_empty() {
        spans.push(styled(run, run_on, on));
    }
    Line::from(spans)
}

fn styled<'a>(s: String, on: bool, style: Style) -> Span<'a> {
    if on {
        Span::styled(s, style)
    } else {
        Span::raw(s)
    }
}
