//! The transcript: speaker turns with name and timestamp, text wrapped to the pane, coded spans
//! in their code's colour, the selection and cursor, and a margin naming the codes on each line.
//! Only the rows on screen are built.

use super::{fit, pane_block};
use crate::coding::Coding;
use crate::tui::app::{App, DocView, Pane};
use crate::tui::layout::{self, Row};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthChar;

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
    let hits = app
        .study_hits
        .as_ref()
        .map_or(&[][..], |s| s.in_document(doc.id));
    let buf = frame.buffer_mut();
    for (i, row) in rows.iter().enumerate() {
        let y = geo.text.y + i as u16;
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
                buf.set_line(geo.text.x, y, &Line::from(spans), geo.text.width);
            }
            Row::Gap { .. } => {}
            Row::Text { start, end, .. } => {
                let (s, e) = (start as usize, end as usize);
                let codings: Vec<&Coding> = doc
                    .overlapping(s, e.max(s + 1))
                    .filter(|c| app.visible(c))
                    .collect();
                let paints = paints(app, &codings);
                let cells = Cells {
                    x: geo.text.x,
                    y,
                    width: geo.text.width,
                };
                draw_text(buf, app, doc, (s, e), (&paints, hits), selection, cells);
                let margin = margin_line(app, &codings, geo.margin.width as usize, (s, e));
                buf.set_line(geo.margin.x, y, &margin, geo.margin.width);
            }
        }
    }
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

/// Search matches of the open document: (document, start, end), by start.
type Hits<'a> = &'a [(i64, usize, usize)];

fn char_style(
    app: &App,
    at: usize,
    (paints, hits): (&[Paint], Hits),
    selection: Option<(usize, usize)>,
) -> Style {
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
    let h = hits.partition_point(|m| m.1 <= at);
    if hits.get(h).is_some_and(|m| m.1 <= at && at < m.2) {
        style = style.patch(app.theme.search_hit());
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

/// Where a text row goes on screen.
struct Cells {
    x: u16,
    y: u16,
    width: u16,
}

/// Draws the chars [s, e) cell by cell, with the same widths the layout used (so a click maps
/// back to the char under it), never sending a control character to the terminal.
fn draw_text(
    buf: &mut Buffer,
    app: &App,
    doc: &DocView,
    (s, e): (usize, usize),
    paints: (&[Paint], Hits),
    selection: Option<(usize, usize)>,
    at: Cells,
) {
    let right = at.x + at.width;
    let mut x = at.x;
    let mut prev: Option<u16> = None;
    for i in s..e {
        let c = crate::text::safe_char(doc.text[i]);
        let w = c.width().unwrap_or(0) as u16;
        if w == 0 {
            // Combining marks join the character before them.
            if let Some(px) = prev {
                let cell = &mut buf[(px, at.y)];
                let mut symbol = cell.symbol().to_string();
                symbol.push(c);
                cell.set_symbol(&symbol);
            }
            continue;
        }
        if x + w > right {
            break;
        }
        let style = char_style(app, i, paints, selection);
        buf[(x, at.y)].set_char(c).set_style(style);
        for k in 1..w {
            buf[(x + k, at.y)].reset();
        }
        prev = Some(x);
        x += w;
    }
    // The cursor on a line break shows as a block after the text.
    if app.cursor == e
        && e < doc.text.len()
        && doc.text[e] == '\n'
        && app.focus == Pane::Main
        && x < right
    {
        buf[(x, at.y)]
            .set_char(' ')
            .set_style(char_style(app, e, paints, selection));
    }
}

fn margin_line<'a>(app: &App, codings: &[&Coding], width: usize, line: (usize, usize)) -> Line<'a> {
    // One label per code, own codes first; when other coders' codings show, every coder who
    // applied the code is named by initial after the name — and the initials are never cut
    // (the name is shortened instead). Each label gets an even share of the margin.
    struct Label {
        code: i64,
        mine: bool,
        memo: bool,
        coders: Vec<i64>,
    }
    let mut labels: Vec<Label> = Vec::new();
    for mine in [true, false] {
        for c in codings
            .iter()
            .filter(|c| (c.coder_id == app.coder.id) == mine)
        {
            let memo = app.coding_memos.contains(&c.id);
            match labels.iter_mut().find(|l| l.code == c.code_id) {
                Some(l) => {
                    l.memo |= memo;
                    if !l.coders.contains(&c.coder_id) {
                        l.coders.push(c.coder_id);
                    }
                }
                None => labels.push(Label {
                    code: c.code_id,
                    mine,
                    memo,
                    coders: vec![c.coder_id],
                }),
            }
        }
    }
    // Suggested codes (dim, `?Code`) after the codings; see `suggest_view.rs`.
    let suggested = crate::tui::suggest_view::margin_labels(app, line.0, line.1);
    let n = (labels.len() + suggested.len()).max(1);
    let share = (width / n).max(6);
    let coded = labels.len();
    let mut spans = Vec::new();
    let mut used = 0usize;
    for (i, l) in labels.into_iter().enumerate() {
        let Some(code) = app.code(l.code) else {
            continue;
        };
        let room = width.saturating_sub(used);
        if room < 2 {
            break;
        }
        let last = i + 1 == n;
        let cell = if last { room } else { share.min(room) };
        // ✎: someone wrote a memo on this coding (m opens yours).
        let name = if l.memo {
            format!("✎{}", code.name)
        } else {
            code.name.clone()
        };
        let only_mine = l.coders.len() == 1 && l.coders[0] == app.coder.id;
        let initials: String = if only_mine {
            String::new()
        } else {
            let mut v: Vec<String> = l
                .coders
                .iter()
                .map(|id| {
                    let who = app.coder_names.get(id).map_or("?", String::as_str);
                    who.chars()
                        .next()
                        .map_or('?', crate::text::safe_char)
                        .to_uppercase()
                        .to_string()
                })
                .collect();
            v.sort();
            format!("·{}", v.concat())
        };
        let iw = unicode_width::UnicodeWidthStr::width(initials.as_str());
        let text = fit(&name, cell.saturating_sub(1 + iw).max(1));
        let style = if l.mine {
            app.theme.label(&code.colour)
        } else {
            app.theme.others(&code.colour)
        };
        used += unicode_width::UnicodeWidthStr::width(text.as_str()) + iw + 1;
        spans.push(Span::styled(text, style));
        if !initials.is_empty() {
            spans.push(Span::styled(initials, app.theme.dim()));
        }
        spans.push(Span::raw(" "));
    }
    for (i, (label, style)) in suggested.into_iter().enumerate() {
        let room = width.saturating_sub(used);
        if room < 2 {
            break;
        }
        let cell = if coded + i + 1 == n {
            room
        } else {
            share.min(room)
        };
        let text = fit(&label, cell.saturating_sub(1));
        used += unicode_width::UnicodeWidthStr::width(text.as_str()) + 1;
        spans.push(Span::styled(text, style));
        spans.push(Span::raw(" "));
    }
    Line::from(spans)
}
