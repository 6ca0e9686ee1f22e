//! The agreement view: each code's coefficients for the compared coders, alpha marked against
//! the team's thresholds.

use super::{first_row, fit};
use crate::agreement::report::Coefficients;
use crate::tui::app::App;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph};

/// A full-screen view's frame.
pub fn view_block<'a>(app: &App, title: String, width: u16) -> Block<'a> {
    Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Thick)
        .border_style(app.theme.border(app.popups.is_empty()))
        .title(fit(&title, width.saturating_sub(4) as usize))
}

pub fn value(v: Option<Option<f64>>) -> String {
    match v {
        None => "—".into(),
        Some(None) => "undef".into(),
        Some(Some(x)) => format!("{x:.3}"),
    }
}

/// "**" below the lower threshold, "*" below the upper one (alpha, else unitized alpha).
pub fn marker(c: &Coefficients, thresholds: [f64; 2]) -> &'static str {
    match c.krippendorff_alpha.or(c.u_alpha).flatten() {
        Some(v) if v < thresholds[0] => "**",
        Some(v) if v < thresholds[1] => "*",
        _ => "",
    }
}

const COLS: [&str; 6] = ["units", "%agree", "kappa", "alpha", "AC1", ""];
const COL_W: usize = 8;

pub fn render(app: &App, area: Rect, frame: &mut Frame) {
    let Some(st) = &app.agreement else { return };
    if let Some(rounds) = &st.rounds {
        return super::icr_rounds::render(app, st, rounds, area, frame);
    }
    let head = match &st.report {
        Some(r) => format!(
            " Agreement — {} · unit: {} · {} unit(s) in {} document(s){} ",
            r.coders.join(" × "),
            r.unit,
            r.n_units,
            r.documents.len(),
            if st.worst_first {
                " · worst first"
            } else {
                ""
            }
        ),
        None => " Agreement ".into(),
    };
    let block = view_block(app, head, area.width);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(r) = &st.report else {
        let why = st.error.clone().unwrap_or_default();
        frame.render_widget(
            Paragraph::new(fit(
                &format!("No agreement to show: {why}"),
                inner.width as usize,
            ))
            .style(app.theme.dim()),
            inner,
        );
        return;
    };
    let w = inner.width as usize;
    // One column for the colour bar, five numbers, and the marker.
    let code_w = w.saturating_sub(1 + (COLS.len() - 1) * COL_W + 3).max(8);
    let row = |label: &str, cells: Vec<String>| -> String {
        let mut s = format!("{:<code_w$}", fit(label, code_w.saturating_sub(1)));
        let n = cells.len();
        for (i, c) in cells.into_iter().enumerate() {
            if i + 1 == n {
                s.push_str(&format!(" {c:<2}"));
            } else {
                s.push_str(&format!("{c:>COL_W$}"));
            }
        }
        s
    };
    let mut lines = vec![Line::styled(
        fit(
            &format!(
                " {}",
                row("code", COLS.iter().map(|c| c.to_string()).collect())
            ),
            w,
        ),
        app.theme.speaker(),
    )];
    let cells = |c: &Coefficients| {
        vec![
            c.n_units.map(|n| n.to_string()).unwrap_or_default(),
            value(c.percent_agreement),
            value(c.cohen_kappa),
            value(c.krippendorff_alpha.or(c.u_alpha)),
            value(c.gwet_ac1),
            marker(c, app.thresholds).to_string(),
        ]
    };
    let footer = 2;
    let h = (inner.height as usize).saturating_sub(1 + footer);
    let first = first_row(st.sel, h, st.rows.len());
    for (i, &k) in st.rows.iter().enumerate().skip(first).take(h) {
        let c = &r.codes[k];
        let mark = marker(&c.coefficients, app.thresholds);
        let style = if i == st.sel {
            app.theme.highlight()
        } else if mark == "**" {
            app.theme.error()
        } else {
            Style::new()
        };
        let colour = app
            .codes
            .iter()
            .find(|x| x.path == c.code)
            .map(|x| x.colour.clone())
            .unwrap_or_default();
        lines.push(Line::from(vec![
            Span::styled("▌", app.theme.label(&colour)),
            Span::styled(
                fit(&row(&c.code, cells(&c.coefficients)), w.saturating_sub(1)),
                style,
            ),
        ]));
    }
    if r.codes.is_empty() {
        lines.push(Line::styled(
            "No code applied by the compared coders.",
            app.theme.dim(),
        ));
    }
    let top = Rect {
        height: inner.height.saturating_sub(footer as u16),
        ..inner
    };
    frame.render_widget(Paragraph::new(lines), top);
    let mut foot = vec![Line::styled(
        fit(
            &format!(
                "* alpha below {:.3} (tentative) · ** below {:.3} (unreliable)",
                app.thresholds[1], app.thresholds[0]
            ),
            w,
        ),
        app.theme.dim(),
    )];
    let overall = r
        .overall
        .as_ref()
        .map(|o| format!("overall alpha {} · ", value(o.krippendorff_alpha)))
        .unwrap_or_default();
    // Which documents and why, and anyone left out: the comparison is always stated (issue 11).
    let rule = match r.comparison.rule {
        crate::agreement::scope::DocRule::Done => "documents all marked done",
        crate::agreement::scope::DocRule::Coded => {
            "documents any of them coded (none marked done; no coding = found nothing)"
        }
    };
    let mut left: Vec<String> = r
        .comparison
        .left_out_coders
        .iter()
        .map(|l| format!("coder {}: {}", l.name, l.reason))
        .collect();
    left.extend(
        r.comparison
            .left_out_documents
            .iter()
            .map(|l| format!("{}: {}", l.name, l.reason)),
    );
    let left_out = if left.is_empty() {
        String::new()
    } else {
        format!(" · left out: {}", left.join("; "))
    };
    foot.push(Line::styled(
        fit(
            &format!(
                "{overall}{} code(s) · {rule} · {:.0}% of the study's units double-coded{left_out} · c: coders · R: ICR rounds",
                r.codes.len(),
                100.0 * r.report.double_coded.share_of_units
            ),
            w,
        ),
        app.theme.dim().add_modifier(Modifier::ITALIC),
    ));
    let bottom = Rect {
        y: inner.y + top.height,
        height: inner.height - top.height,
        ..inner
    };
    frame.render_widget(Paragraph::new(foot), bottom);
}
