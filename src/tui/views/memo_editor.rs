//! The multi-line memo editor (ratatui-textarea).

use super::{centered, popup_block};
use crate::tui::app::App;
use crate::tui::popup::MemoEditor;
use ratatui::Frame;
use ratatui::layout::Rect;

pub fn render(app: &App, m: &MemoEditor, area: Rect, frame: &mut Frame) {
    let r = centered(area, 72, 16);
    let title = format!(
        " {} — Ctrl-s/Esc save ",
        crate::text::sanitize(&m.title, false)
    );
    let block = popup_block(
        app,
        r,
        super::fit(&title, r.width.saturating_sub(4) as usize),
        frame,
    );
    let inner = block.inner(r);
    frame.render_widget(block, r);
    frame.render_widget(&m.area, inner);
}
