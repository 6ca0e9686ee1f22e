//! The transcript: speaker turns with name and timestamp, text wrapped to the pane, coded spans
//! in their code's colour, the selection and cursor, and a margin naming the codes on each line.
//! Only the rows on screen are built.

use super::{fit, pane_block};
use crate::coding::Coding;
use crate::tui::app::{App, DocView, Pane};
use crate::tui::layout::{self, Row};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(app: &App, area: Rect, frame: &mut Frame) {
    let Some(doc) = &app.doc else {
        let block = pane_block(app, Pane::Main, " Transcript ".into());
        let inner = block.inner(area);
        frame.render_widget(block, area);
        frame.render_widget(
            Paragraph::new("No document open. Pick one in Documents (Tab) and press Enter.")
                .style(app.theme.dim()),
            inner,
        );
        return;
    };
    let attrs = &doc.attributes;
    let mut title = format!(" {} ", doc.name);
    if !attrs.is_empty() {
        title.push_str(&format!("— {attrs} "));
    }
    let block = pane_block(
        app,
        Pane::Main,
        fit(&title, area.width.saturating_sub(4) as usize),
    );
    frame.render_widget(block, area);
    let geo = layout::transcript_geometry(area);
    let rows = app.visible_rows();
    let selection = app.selection();
    let mut text_lines = Vec::with_capacity(rows.len());
    let mut margin_lines = Vec::with_capacity(rows.len());
    for row in &rows {
        match *row {
            Row::Header { turn } => {
                let t = &doc.turns[turn];
                let speaker = t.speaker.as_deref().unwrap_or("(no speaker)");
                let mut spans = vec![Span::styled(
                    crate::text::sanitize(speaker, false),
                    app.theme.speaker(),
                )];
                if let Some(ms) = t.start_ms {
                    spans.push(Span::styled(
                        format!("  {}", crate::study::documents::format_timestamp(ms)),
                        app.theme.dim(),
                    ));
                }
                text_lines.push(Line::from(spans));
                margin_lines.push(Line::default());
            }
            Row::Gap { .. } => {
                text_lines.push(Line::default());
                margin_lines.push(Line::default());
            }
            Row::Text { start, end, .. } => {
                let (s, e) = (start as usize, end as usize);
                let codings: Vec<&Coding> = doc
                    .overlapping(s, e.max(s + 1))
                    .filter(|c| app.visible(c))
                    .collect();
                text_lines.push(text_line(app, doc, s, e, &codings, selection));
                margin_lines.push(margin_line(app, &codings, geo.margin.width as usize));
            }
        }
    }
    frame.render_widget(Paragraph::new(text_lines), geo.text);
    let rule = Rect::new(
        geo.margin.x.saturating_sub(1),
        geo.margin.y,
        1,
        geo.margin.height,
    );
    let bar: Vec<Line> = (0..rule.height)
        .map(|_| Line::styled("│", app.theme.dim()))
        .collect();
    frame.render_widget(Paragraph::new(bar), rule);
    frame.render_widget(Paragraph::new(margin_lines), geo.margin);
}

/// A coding on a line, with the style it gives its characters.
struct Paint {
    start: usize,
    end: usize,
    own: bool,
    style: Style,
}

fn paints(app: &App, codings: &[&Coding]) -> Vec<Paint> {
    codings
        .iter()
        .map(|c| {
            let own = c.coder_id == app.coder.id;
            let colour = app.code(c.code_id).map_or("#888888", |k| k.colour.as_str());
            let style = if own {
                app.theme.coded(colour)
            } else {
                app.theme.others(colour)
            };
            Paint {
                start: c.start as usize,
                end: c.end as usize,
                own,
                style,
            }
        })
        .collect()
}

fn char_style(app: &App, at: usize, paints: &[Paint], selection: Option<(usize, usize)>) -> Style {
    let mut style = Style::new();
    // The innermost own coding colours the background; others' codings underline.
    let mut own: Option<&Paint> = None;
    let mut other: Option<&Paint> = None;
    for p in paints {
        if p.start <= at && at < p.end {
            let slot = if p.own { &mut own } else { &mut other };
            if slot.is_none_or(|o| p.end - p.start < o.end - o.start) {
                *slot = Some(p);
            }
        }
    }
    if let Some(p) = other {
        style = style.patch(p.style);
    }
    if let Some(p) = own {
        style = style.patch(p.style);
    }
    if let Some((s, e)) = selection
        && s <= at
        && at < e
    {
        style = style.patch(app.theme.selection());
    }
    if at == app.cursor && app.focus == Pane::Main {
        style = style.patch(app.theme.cursor());
    }
    style
}

fn text_line<'a>(
    app: &App,
    doc: &DocView,
    s: usize,
    e: usize,
    codings: &[&Coding],
    selection: Option<(usize, usize)>,
) -> Line<'a> {
    let codings = paints(app, codings);
    let codings = codings.as_slice();
    let mut spans: Vec<Span> = Vec::new();
    let mut run = String::new();
    let mut run_style = Style::new();
    for at in s..e {
        let st = char_style(app, at, codings, selection);
        if st != run_style && !run.is_empty() {
            spans.push(Span::styled(
                crate::text::sanitize(&std::mem::take(&mut run), false),
                run_style,
            ));
        }
        run_style = st;
        run.push(doc.text[at]);
    }
    if !run.is_empty() {
        spans.push(Span::styled(crate::text::sanitize(&run, false), run_style));
    }
    // The cursor on a line break (or an empty line) shows as a block after the text.
    if app.cursor == e && e < doc.text.len() && doc.text[e] == '\n' && app.focus == Pane::Main {
        spans.push(Span::styled(" ", char_style(app, e, codings, selection)));
    }
    Line::from(spans)
}

fn margin_line<'a>(app: &App, codings: &[&Coding], width: usize) -> Line<'a> {
    let mut seen: Vec<(i64, bool)> = Vec::new();
    let mut spans = Vec::new();
    let mut used = 0usize;
    let mut ordered: Vec<&&Coding> = codings
        .iter()
        .filter(|c| c.coder_id == app.coder.id)
        .collect();
    ordered.extend(codings.iter().filter(|c| c.coder_id != app.coder.id));
    for c in ordered {
        let mine = c.coder_id == app.coder.id;
        if seen.contains(&(c.code_id, mine)) {
            continue;
        }
        seen.push((c.code_id, mine));
        let Some(code) = app.code(c.code_id) else {
            continue;
        };
        let mut label = code.name.clone();
        if !mine {
            let who = app
                .coder_names
                .get(&c.coder_id)
                .map(String::as_str)
                .unwrap_or("?");
            label = format!("{label}·{}", who.chars().next().unwrap_or('?'));
        }
        let room = width.saturating_sub(used);
        if room < 2 {
            break;
        }
        let text = fit(&format!("{label} "), room);
        used += unicode_width::UnicodeWidthStr::width(text.as_str());
        let style = if mine {
            app.theme.label(&code.colour)
        } else {
            app.theme.others(&code.colour)
        };
        spans.push(Span::styled(text, style));
    }
    Line::from(spans)
}
