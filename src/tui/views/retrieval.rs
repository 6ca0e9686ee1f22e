//! Retrieval in context: each excerpt whole (wrapped) under a heading with its document,
//! speaker, turn, coder and code, with a dim line of context before and after; Enter jumps to
//! it in its transcript (Esc comes back here).

use super::{fit, pane_block};
use crate::tui::app::{App, Pane};
use crate::tui::retrieval::Shown;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The most rows one excerpt's text takes (a longer one ends in "…"; Enter shows it all).
fn max_text_rows(area: Rect) -> usize {
    (area.height.saturating_sub(2) as usize)
        .saturating_sub(5)
        .max(2)
}

/// An excerpt's rows: heading, context before, the text wrapped, context after, a gap.
pub fn item_lines(app: &App, s: &Shown, n: usize, sel: bool, area: Rect) -> Vec<Line<'static>> {
    let w = area.width.saturating_sub(2) as usize;
    let tw = w.saturating_sub(3).max(1);
    let bar = Span::styled("▌", app.theme.label(&s.colour));
    let base = if sel {
        app.theme.highlight()
    } else {
        Style::new()
    };
    let memo = if app.coding_memos.contains(&s.x.coding_id) {
        " ✎"
    } else {
        ""
    };
    let head = format!(
        "{n:>3}. {} · {} (turn {}) · coded by {} · {}{memo}",
        crate::text::sanitize(&s.x.document, false),
        crate::text::sanitize(s.x.speaker.as_deref().unwrap_or("no speaker"), false),
        s.turn,
        crate::text::sanitize(&s.x.coder, false),
        crate::text::sanitize(&s.x.code, false),
    );
    let mut out = vec![Line::from(vec![
        bar.clone(),
        Span::styled(fit(&head, w.saturating_sub(1)), base),
    ])];
    if !s.before.1.is_empty() {
        // The context before ends where the excerpt starts: keep its end when it is cut (and
        // the speaker, when it is the previous turn).
        let who = s
            .before
            .0
            .as_ref()
            .map(|w| format!("{w}: "))
            .unwrap_or_default();
        let b: Vec<char> = s.before.1.chars().collect();
        let room = tw.saturating_sub(1 + unicode_width::UnicodeWidthStr::width(who.as_str()));
        let text = s.before.1.as_str();
        let shown: String = if unicode_width::UnicodeWidthStr::width(text) > room {
            let mut acc = Vec::new();
            let mut width = 1;
            for &c in b.iter().rev() {
                width += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                if width > room {
                    break;
                }
                acc.push(c);
            }
            acc.reverse();
            format!("…{}", acc.into_iter().collect::<String>())
        } else {
            text.to_string()
        };
        out.push(Line::from(vec![
            bar.clone(),
            Span::styled(format!("   {who}{shown}"), app.theme.dim()),
        ]));
    }
    let lines = crate::tui::layout::wrap(&s.text, 0, s.text.len(), tw);
    let max = max_text_rows(area);
    for (i, &(a, b)) in lines.iter().enumerate().take(max) {
        let mut t: String = s.text[a as usize..b as usize].iter().collect();
        if i + 1 == max && lines.len() > max {
            t = format!("{}…", fit(&t, tw.saturating_sub(1)));
        }
        out.push(Line::from(vec![
            bar.clone(),
            Span::styled(format!("  {}", if i == 0 { "“" } else { " " }), base),
            Span::styled(t, base),
        ]));
    }
    if let Some(last) = out.last_mut() {
        last.spans.push(Span::styled("”", base));
    }
    if !s.after.1.is_empty() {
        let who = s
            .after
            .0
            .as_ref()
            .map(|w| format!("{w}: "))
            .unwrap_or_default();
        out.push(Line::from(vec![
            bar,
            Span::styled(
                fit(&format!("   {who}{}", s.after.1), w.saturating_sub(1)),
                app.theme.dim(),
            ),
        ]));
    }
    out.push(Line::default());
    out
}

/// The first excerpt shown: the selected one fits, as low on the screen as the ones before it
/// allow (so moving down scrolls one excerpt at a time).
pub fn first_visible(app: &App, area: Rect) -> usize {
    let Some(r) = &app.retrieval else { return 0 };
    let h = area.height.saturating_sub(3) as usize;
    let mut used = 0;
    let mut first = r.sel;
    for (k, &i) in r.shown.iter().enumerate().take(r.sel + 1).rev() {
        let rows = item_lines(app, &r.all[i], k + 1, k == r.sel, area).len();
        if used + rows > h && k != r.sel {
            break;
        }
        used += rows;
        first = k;
    }
    first
}

/// Which excerpt (index into the shown ones) is drawn at screen row `y`.
pub fn excerpt_at_row(app: &App, area: Rect, y: u16) -> Option<usize> {
    let r = app.retrieval.as_ref()?;
    let mut row = area.y + 2;
    for (k, &i) in r.shown.iter().enumerate().skip(first_visible(app, area)) {
        let rows = item_lines(app, &r.all[i], k + 1, k == r.sel, area).len() as u16;
        if y < row + rows {
            return Some(k);
        }
        row += rows;
        if row >= area.y + area.height {
            break;
        }
    }
    None
}

pub fn render(app: &App, area: Rect, frame: &mut Frame) {
    let Some(r) = &app.retrieval else { return };
    let who = if app.show_others {
        "all coders".to_string()
    } else if r.hidden_others > 0 {
        "yours; others' hidden: o shows them".to_string()
    } else {
        "your codings".to_string()
    };
    let count = if r.filter.is_empty() {
        format!("{}", r.all.len())
    } else {
        format!("{} of {}", r.shown.len(), r.all.len())
    };
    let title = format!(
        " Excerpts: {} — {count} ({who}) ",
        r.title.replace('/', " › ")
    );
    let block = pane_block(
        app,
        Pane::Main,
        fit(&title, area.width.saturating_sub(4) as usize),
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    let mut lines = Vec::new();
    if !r.filter.is_empty() {
        lines.push(Line::styled(
            fit(
                &format!(
                    "filter: {}  (/ changes it)",
                    crate::text::sanitize(&r.filter, false)
                ),
                w,
            ),
            app.theme.key(),
        ));
    } else {
        lines.push(Line::styled(
            fit(
                "Enter jumps to an excerpt (Esc comes back) · / filters · w writes · y copies",
                w,
            ),
            app.theme.dim(),
        ));
    }
    if r.shown.is_empty() {
        let text = if !r.filter.is_empty() && !r.all.is_empty() {
            "No excerpt matches the filter.".to_string()
        } else if r.hidden_others > 0 {
            format!(
                "None of yours: {} coding(s) by other coders are hidden (blind coding; o shows them).",
                r.hidden_others
            )
        } else {
            "Nothing coded with this code yet.".to_string()
        };
        lines.push(Line::styled(fit(&text, w), app.theme.dim()));
        frame.render_widget(Paragraph::new(lines), inner);
        return;
    }
    let first = first_visible(app, area);
    for (k, &i) in r.shown.iter().enumerate().skip(first) {
        if lines.len() >= inner.height as usize {
            break;
        }
        lines.extend(item_lines(app, &r.all[i], k + 1, k == r.sel, area));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
