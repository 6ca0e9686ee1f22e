//! The analysis view: tabs for frequencies and the code × attribute matrix (with a bar chart of
//! the selected code across groups), co-occurrence (with the excerpts behind a cell), full-text
//! search, the saturation curve and codebook versions. Draws what `analysis_view` computed.

use super::agreement::view_block;
use super::{first_row, fit};
use crate::tui::analysis_view::{AnalysisState, TABS};
use crate::tui::app::App;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::symbols;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Axis, Bar, BarChart, BarGroup, Block, Borders, Chart, Dataset, GraphType, Paragraph, Tabs,
};

pub fn render(app: &App, area: Rect, frame: &mut Frame) {
    let Some(st) = &app.analysis else { return };
    let block = view_block(
        app,
        format!(" Analysis ({}) ", st.coder_label()),
        area.width,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [tabs, body] = Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(inner);
    let titles: Vec<String> = TABS
        .iter()
        .enumerate()
        .map(|(i, t)| format!("{} {t}", i + 1))
        .collect();
    frame.render_widget(
        Tabs::new(titles)
            .select(st.tab)
            .highlight_style(app.theme.highlight())
            .block(
                Block::new()
                    .borders(Borders::BOTTOM)
                    .border_style(app.theme.dim()),
            ),
        tabs,
    );
    if let Some(e) = &st.error {
        frame.render_widget(
            Paragraph::new(fit(&format!("error: {e}"), body.width as usize))
                .style(app.theme.error()),
            body,
        );
        return;
    }
    match st.tab {
        0 => frequencies(app, st, body, frame),
        1 => cooccurrence(app, st, body, frame),
        2 => search(app, st, body, frame),
        3 => saturation(app, st, body, frame),
        _ => versions(app, st, body, frame),
    }
}

fn selected(app: &App, on: bool) -> Style {
    if on {
        app.theme.highlight()
    } else {
        Style::new()
    }
}

fn pct(n: u64, of: u64) -> u64 {
    (n * 100 + of / 2).checked_div(of).unwrap_or(0)
}

fn frequencies(app: &App, st: &AnalysisState, area: Rect, frame: &mut Frame) {
    let Some(m) = &st.matrix else { return };
    let chart_h = if area.height >= 16 { 9 } else { 6 };
    let [table, chart] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(chart_h)]).areas(area);
    let w = table.width as usize;
    let cw = m
        .columns
        .iter()
        .map(|c| c.label.chars().count() + 1)
        .max()
        .unwrap_or(0)
        .clamp(6, 14);
    let by = st.attribute().unwrap_or("(no attribute)");
    // The colour bar, three totals, then as many group columns as fit: the matrix scrolls
    // sideways with h/l (the selected cell stays in view; ‹ › say more columns exist).
    let code_w = (w / 3).clamp(12, 40);
    let room = w.saturating_sub(1 + code_w + 18 + 2);
    let vis = (room / cw).clamp(1, m.columns.len().max(1));
    let first_col = first_row(st.col, vis, m.columns.len());
    let more_left = first_col > 0;
    let more_right = first_col + vis < m.columns.len();
    let code_w = w
        .saturating_sub(1 + 18 + 2 + vis.min(m.columns.len()) * cw)
        .clamp(10, 60);
    let mut lines = vec![Line::styled(
        fit(
            &format!(
                "by {by} (a: next attribute; h/l column, Enter its excerpts) · {} participants, {} documents · % of participants",
                m.study.participants, m.study.documents
            ),
            w,
        ),
        app.theme.dim(),
    )];
    let mut head = format!(" {:<code_w$}{:>6}{:>6}{:>6}", "code", "cod.", "docs", "ppl");
    head.push(if more_left { '‹' } else { ' ' });
    for c in m.columns.iter().skip(first_col).take(vis) {
        head.push_str(&format!("{:>cw$}", fit(&c.label, cw - 1)));
    }
    if more_right {
        head.push('›');
    }
    lines.push(Line::styled(fit(&head, w), app.theme.speaker()));
    let h = (table.height as usize).saturating_sub(2);
    let first = first_row(st.row, h, m.rows.len());
    for (i, r) in m.rows.iter().enumerate().skip(first).take(h) {
        let label = format!("{}{}", "  ".repeat(r.depth), r.name);
        let s = format!(
            "{:<code_w$}{:>6}{:>6}{:>6} ",
            fit(&label, code_w.saturating_sub(1)),
            r.total.codings,
            r.total.documents,
            r.total.participants
        );
        let row_style = selected(app, i == st.row);
        let mut spans = vec![
            Span::styled("▌", app.theme.label(&r.colour)),
            Span::styled(s, row_style),
        ];
        for (k, (cell, col)) in r
            .cells
            .iter()
            .zip(&m.columns)
            .enumerate()
            .skip(first_col)
            .take(vis)
        {
            let text = format!(
                "{:>cw$}",
                format!("{}%", pct(cell.participants, col.participants))
            );
            let style = if i == st.row && k == st.col {
                app.theme.cursor()
            } else {
                row_style
            };
            spans.push(Span::styled(text, style));
        }
        lines.push(Line::from(spans));
    }
    if m.rows.is_empty() {
        lines.push(Line::styled("No codes yet.", app.theme.dim()));
    }
    frame.render_widget(Paragraph::new(lines), table);
    let Some(r) = m.rows.get(st.row) else { return };
    let bar_w = ((chart.width.saturating_sub(2) as usize / m.columns.len().max(1))
        .saturating_sub(1))
    .clamp(3, 16) as u16;
    let bars: Vec<Bar> = r
        .cells
        .iter()
        .zip(&m.columns)
        .map(|(cell, col)| {
            let p = pct(cell.participants, col.participants);
            Bar::default()
                .value(p)
                .text_value(format!("{p}%"))
                .label(Line::from(fit(&col.label, bar_w as usize)))
        })
        .collect();
    let title = format!(" {} — % of participants by {by} ", r.path);
    frame.render_widget(
        BarChart::default()
            .block(
                Block::new()
                    .borders(Borders::TOP)
                    .border_style(app.theme.dim())
                    .title(fit(&title, chart.width.saturating_sub(2) as usize)),
            )
            .data(BarGroup::default().bars(&bars))
            .bar_width(bar_w)
            .bar_gap(1)
            .max(100),
        chart,
    );
}

fn cooccurrence(app: &App, st: &AnalysisState, area: Rect, frame: &mut Frame) {
    let Some(co) = &st.co else { return };
    let w = area.width as usize;
    if let Some(d) = &st.drill {
        let mut lines = vec![Line::styled(
            fit(
                &format!(
                    "{} excerpt(s) of {} · Enter jumps to the transcript · Esc back",
                    d.items.len(),
                    d.title
                ),
                w,
            ),
            app.theme.speaker(),
        )];
        let per = ((area.height as usize).saturating_sub(1) / 2).max(1);
        let first = first_row(d.sel, per, d.items.len());
        for (i, x) in d.items.iter().enumerate().skip(first).take(per) {
            let head = format!(
                "{:>3}. {} · {} · {} [{}:{}]",
                i + 1,
                x.document,
                x.speaker.as_deref().unwrap_or("—"),
                x.coder,
                x.start,
                x.end
            );
            lines.push(Line::styled(fit(&head, w), selected(app, i == d.sel)));
            lines.push(Line::raw(fit(
                &format!("     “{}”", x.text.replace('\n', " ")),
                w,
            )));
        }
        frame.render_widget(Paragraph::new(lines), area);
        return;
    }
    let n = co.codes.len();
    if n == 0 {
        frame.render_widget(
            Paragraph::new("No codings yet.").style(app.theme.dim()),
            area,
        );
        return;
    }
    const CW: usize = 5;
    let label_w = (w / 3).clamp(12, 40);
    let vis_cols = (w.saturating_sub(label_w) / CW).max(1);
    let col0 = first_row(st.co_col, vis_cols, n);
    let h = (area.height as usize).saturating_sub(3);
    let row0 = first_row(st.co_row, h, n);
    let mut head = format!("{:<label_w$}", "codes × codes (overlap)");
    for j in (col0..n).take(vis_cols) {
        head.push_str(&format!("{:>CW$}", j + 1));
    }
    let mut lines = vec![Line::styled(fit(&head, w), app.theme.speaker())];
    for i in (row0..n).take(h) {
        // The code's own name, indented under its theme (the footer shows the full path).
        let path = &co.codes[i].path;
        let depth = path.matches('/').count();
        let name = path.rsplit('/').next().unwrap_or(path);
        let label = format!("{:>3} {}{name}", i + 1, "  ".repeat(depth));
        let mut spans = vec![Span::styled(
            format!("{:<label_w$}", fit(&label, label_w.saturating_sub(1))),
            selected(app, i == st.co_row),
        )];
        for j in (col0..n).take(vis_cols) {
            let v = co.counts[i][j];
            let cell = if v == 0 {
                format!("{:>CW$}", "·")
            } else {
                format!("{v:>CW$}")
            };
            let style = if i == st.co_row && j == st.co_col {
                app.theme.highlight().add_modifier(Modifier::BOLD)
            } else if i == j {
                app.theme.dim()
            } else {
                Style::new()
            };
            spans.push(Span::styled(cell, style));
        }
        lines.push(Line::from(spans));
    }
    let (a, b) = (&co.codes[st.co_row], &co.codes[st.co_col]);
    lines.push(Line::styled(
        fit(
            &format!(
                "{} × {}: {} · h j k l move · Enter shows the excerpts",
                a.path, b.path, co.counts[st.co_row][st.co_col]
            ),
            w,
        ),
        app.theme.dim(),
    ));
    frame.render_widget(Paragraph::new(lines), area);
}

fn search(app: &App, st: &AnalysisState, area: Rect, frame: &mut Frame) {
    let w = area.width as usize;
    let Some(r) = &st.results else {
        frame.render_widget(
            Paragraph::new(vec![
                Line::raw("/ searches every transcript (words, \"a phrase\", prefix*, OR, NOT)."),
                Line::raw(
                    "c then auto-codes every hit with a code you pick — one action, u undoes it.",
                ),
            ])
            .style(app.theme.dim()),
            area,
        );
        return;
    };
    let mut lines = vec![Line::styled(
        fit(
            &format!(
                "“{}” — {} hit(s){} · Enter jumps · c auto-codes {} (t: match/turn)",
                st.query,
                r.total,
                if (r.hits.len() as u64) < r.total {
                    format!(", first {} shown", r.hits.len())
                } else {
                    String::new()
                },
                if st.span_turn {
                    "each hit's whole turn"
                } else {
                    "the matched words"
                }
            ),
            w,
        ),
        app.theme.speaker(),
    )];
    let per = ((area.height as usize).saturating_sub(1) / 2).max(1);
    let first = first_row(st.hit, per, r.hits.len());
    for (i, h) in r.hits.iter().enumerate().skip(first).take(per) {
        let head = format!(
            "{:>3}. {} · turn {} · {}",
            i + 1,
            h.document,
            h.turn,
            h.speaker.as_deref().unwrap_or("—")
        );
        lines.push(Line::styled(fit(&head, w), selected(app, i == st.hit)));
        lines.push(marked(app, &h.snippet, &h.marks, w));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// The snippet (cut to `w` columns) with the matched words highlighted.
fn marked<'a>(app: &App, text: &str, marks: &[(usize, usize)], w: usize) -> Line<'a> {
    let mut spans = vec![Span::raw("     ")];
    let mut run = String::new();
    let mut on = false;
    let mut width = 5;
    for (i, c) in text.chars().enumerate() {
        let c = if c == '\n' {
            ' '
        } else {
            crate::text::safe_char(c)
        };
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if width + cw > w {
            break;
        }
        width += cw;
        let inside = marks.iter().any(|&(s, e)| s <= i && i < e);
        if inside != on && !run.is_empty() {
            let style = if on {
                app.theme.highlight()
            } else {
                Style::new()
            };
            spans.push(Span::styled(std::mem::take(&mut run), style));
        }
        on = inside;
        run.push(c);
    }
    if !run.is_empty() {
        let style = if on {
            app.theme.highlight()
        } else {
            Style::new()
        };
        spans.push(Span::styled(run, style));
    }
    Line::from(spans)
}

fn saturation(app: &App, st: &AnalysisState, area: Rect, frame: &mut Frame) {
    let Some(s) = &st.saturation else { return };
    if s.points.is_empty() {
        frame.render_widget(
            Paragraph::new("No documents yet.").style(app.theme.dim()),
            area,
        );
        return;
    }
    let list_h = (s.points.len() as u16 + 1).min(area.height / 3).max(2);
    let [chart, list] =
        Layout::vertical([Constraint::Min(5), Constraint::Length(list_h)]).areas(area);
    let cumulative: Vec<(f64, f64)> = s
        .points
        .iter()
        .map(|p| (p.position as f64, p.cumulative as f64))
        .collect();
    // No bar where a transcript added no code (+0 draws nothing, not a stub).
    let new: Vec<(f64, f64)> = s
        .points
        .iter()
        .filter(|p| !p.new_codes.is_empty())
        .map(|p| (p.position as f64, p.new_codes.len() as f64))
        .collect();
    let max_y = s
        .points
        .iter()
        .map(|p| p.cumulative)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let max_x = s
        .points
        .iter()
        .map(|p| p.position)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let first = s.points.first().map_or(1, |p| p.position) as f64 - 0.5;
    let max_x = max_x + 0.5;
    let datasets = vec![
        Dataset::default()
            .name("codes so far")
            .marker(symbols::Marker::Braille)
            .graph_type(GraphType::Line)
            .style(app.theme.key())
            .data(&cumulative),
        Dataset::default()
            .name("new codes")
            .marker(symbols::Marker::Block)
            .graph_type(GraphType::Bar)
            .style(app.theme.speaker())
            .data(&new),
    ];
    let x_labels: Vec<Line> = vec![
        Line::from(
            s.points
                .first()
                .map(|p| p.document.clone())
                .unwrap_or_default(),
        ),
        Line::from(
            s.points
                .last()
                .map(|p| p.document.clone())
                .unwrap_or_default(),
        ),
    ];
    // The legend goes in the list's heading, never over the bars.
    frame.render_widget(
        Chart::new(datasets)
            .legend_position(None)
            .x_axis(
                // Axis titles would sit inside the plot, over bars: the heading below names
                // both series instead.
                Axis::default()
                    .bounds([first, max_x])
                    .labels(x_labels)
                    .style(app.theme.dim()),
            )
            .y_axis(
                Axis::default()
                    .bounds([0.0, max_y])
                    .labels(vec![Line::from("0"), Line::from(format!("{max_y:.0}"))])
                    .style(app.theme.dim()),
            ),
        chart,
    );
    let w = list.width as usize;
    let mut lines = vec![Line::styled(
        fit("transcript · new codes (bars) · codes so far (line)", w),
        app.theme.dim(),
    )];
    let rows: Vec<String> = s
        .points
        .iter()
        .map(|p| {
            format!(
                "{}. {} +{} → {}",
                p.position,
                p.document,
                p.new_codes.len(),
                p.cumulative
            )
        })
        .collect();
    lines.push(Line::raw(fit(&rows.join("   "), w)));
    frame.render_widget(Paragraph::new(lines), list);
}

fn versions(app: &App, st: &AnalysisState, area: Rect, frame: &mut Frame) {
    let w = area.width as usize;
    let list_h = ((st.versions.len() as u16) + 1).clamp(2, (area.height / 3).max(2));
    let [list, diff] =
        Layout::vertical([Constraint::Length(list_h), Constraint::Min(1)]).areas(area);
    let mut lines = vec![Line::styled(
        fit(
            &format!(
                "{} codebook version(s) · s snapshot now · Enter diff against now",
                st.versions.len()
            ),
            w,
        ),
        app.theme.speaker(),
    )];
    let h = (list.height as usize).saturating_sub(1);
    let first = first_row(st.version, h, st.versions.len());
    for (i, v) in st.versions.iter().enumerate().skip(first).take(h) {
        lines.push(Line::styled(
            fit(
                &format!(
                    "{:>3}. {} · {} · {} codes",
                    i + 1,
                    v.name,
                    v.created_at,
                    v.codes
                ),
                w,
            ),
            selected(app, i == st.version),
        ));
    }
    frame.render_widget(Paragraph::new(lines), list);
    let Some(d) = &st.diff else {
        if st.versions.is_empty() {
            frame.render_widget(
                Paragraph::new("No snapshot yet: s takes one.").style(app.theme.dim()),
                diff,
            );
        }
        return;
    };
    let mut out = vec![Line::styled(
        fit(&format!("{} → {}", d.from, d.to), w),
        app.theme.speaker(),
    )];
    for a in &d.added {
        out.push(Line::raw(format!("+ added    {a}")));
    }
    for r in &d.removed {
        out.push(Line::raw(format!("- removed  {r}")));
    }
    for r in &d.renamed {
        out.push(Line::raw(format!("~ renamed  {} → {}", r.from, r.to)));
    }
    for m in &d.moved {
        out.push(Line::raw(format!(
            "> moved    {}: {} → {}",
            m.code,
            m.from_parent.as_deref().unwrap_or("(top)"),
            m.to_parent.as_deref().unwrap_or("(top)")
        )));
    }
    for m in &d.merged {
        out.push(Line::raw(format!(
            "⨝ merged   {} into {} ({} codings)",
            m.from, m.into, m.codings
        )));
    }
    for s in &d.split {
        out.push(Line::raw(format!(
            "⑂ split    {} from {} ({} codings)",
            s.code, s.from, s.codings
        )));
    }
    for r in &d.redefined {
        let fields: Vec<&str> = r.fields.iter().map(|f| f.field.as_str()).collect();
        out.push(Line::raw(format!(
            "✎ redefined {}: {}",
            r.code,
            fields.join(", ")
        )));
    }
    if out.len() == 1 {
        out.push(Line::styled("no change", app.theme.dim()));
    }
    let out: Vec<Line> = out
        .into_iter()
        .take(diff.height as usize)
        .map(|l| {
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            Line::styled(fit(&text, w), l.style)
        })
        .collect();
    frame.render_widget(Paragraph::new(out), diff);
}
