//! Drawing: pure functions of the state, one file per pane. Nothing here writes to the study.

pub mod agreement;
pub mod analysis;
pub mod code_editor;
pub mod codebook;
pub mod documents;
pub mod finder;
pub mod help;
pub mod icr_rounds;
pub mod memo_editor;
pub mod memos;
pub mod retrieval;
pub mod review;
pub mod status;
pub mod too_small;
pub mod transcript;

use super::app::{App, Pane};
use super::popup::Popup;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, BorderType, Borders, Clear};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

pub fn draw(app: &App, frame: &mut Frame) {
    let size = frame.area();
    if super::layout::too_small(size) {
        return too_small::render(app, size, frame);
    }
    let areas = super::layout::areas(size);
    let full = Rect {
        height: size.height.saturating_sub(areas.status.height),
        ..size
    };
    use super::study_views::View;
    match app.view {
        Some(View::Agreement) => agreement::render(app, full, frame),
        Some(View::Review) => review::render(app, full, frame),
        Some(View::Analysis) => analysis::render(app, full, frame),
        None => draw_panes(app, &areas, frame),
    }
    status::render(app, areas.status, frame);
    draw_popups(app, size, &areas, frame);
}

fn draw_panes(app: &App, areas: &super::layout::Areas, frame: &mut Frame) {
    documents::render(app, areas.documents, frame);
    codebook::render(app, areas.codebook, frame);
    if app.retrieval.is_some() {
        retrieval::render(app, areas.main, frame);
    } else if app.memos.is_some() {
        memos::render(app, areas.main, frame);
    } else {
        transcript::render(app, areas.main, frame);
    }
}

fn draw_popups(app: &App, size: Rect, areas: &super::layout::Areas, frame: &mut Frame) {
    for popup in &app.popups {
        match popup {
            Popup::Help { ctx, scroll } => help::render(app, *ctx, *scroll, size, frame),
            Popup::Finder(f) => finder::render(app, f, size, frame),
            Popup::Prompt(p) => status::render_prompt(app, p, areas.status, frame),
            Popup::Memo(m) => memo_editor::render(app, m, size, frame),
            Popup::CodeEditor(ed) => code_editor::render(app, ed, size, frame),
            Popup::Confirm { message, .. } => finder::render_confirm(app, message, size, frame),
        }
    }
}

/// A pane's frame, highlighted when focused.
pub fn pane_block<'a>(app: &App, pane: Pane, title: String) -> Block<'a> {
    let focused = app.focus == pane && app.popups.is_empty();
    Block::new()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(app.theme.border(focused))
        .title(title)
}

/// A popup's frame over a cleared rectangle.
pub fn popup_block<'a>(app: &App, area: Rect, title: String, frame: &mut Frame) -> Block<'a> {
    frame.render_widget(Clear, area);
    Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(app.theme.border(true))
        .title(title)
}

/// A rectangle of `w`×`h` (clamped) centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// `s` cut to `width` display columns (with … when cut), safe for the terminal.
pub fn fit(s: &str, width: usize) -> String {
    let s = crate::text::sanitize(s, false);
    let mut out = String::new();
    let mut w = 0;
    let total: usize = s.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= width {
        return s;
    }
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw + 1 > width {
            break;
        }
        out.push(c);
        w += cw;
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// `s` cut in the middle to `width` columns ("Expect SM…of care"): names sharing a long
/// start stay told apart in a narrow pane.
pub fn fit_middle(s: &str, width: usize) -> String {
    let s = crate::text::sanitize(s, false);
    let total: usize = s.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= width || width < 8 {
        return fit(&s, width);
    }
    // The tail is whole words (at most half the room); without one, cut at the end.
    let chars: Vec<char> = s.chars().collect();
    let mut start = chars.len();
    let mut w = 0;
    while start > 0 {
        let cw = chars[start - 1].width().unwrap_or(0);
        if w + cw > (width - 1) / 2 {
            break;
        }
        w += cw;
        start -= 1;
    }
    while start < chars.len() && start > 0 && !chars[start - 1].is_whitespace() {
        start += 1;
    }
    let tail: String = chars[start..].iter().collect::<String>().trim().to_string();
    if tail.is_empty() {
        return fit(&s, width);
    }
    let head_w = width - 1 - tail.width();
    let mut head = String::new();
    let mut w = 0;
    for &c in &chars[..start] {
        let cw = c.width().unwrap_or(0);
        if w + cw > head_w {
            break;
        }
        head.push(c);
        w += cw;
    }
    format!("{}…{tail}", head.trim_end())
}

/// First row shown of a list of `n` items `h` rows high whose selection is `sel`.
pub fn first_row(sel: usize, h: usize, n: usize) -> usize {
    if h == 0 || n <= h || sel < h / 2 {
        0
    } else {
        (sel - h / 2).min(n - h)
    }
}
