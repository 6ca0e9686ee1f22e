//! What shows when the terminal is smaller than the workbench can use.

use crate::tui::app::App;
use crate::tui::layout::{MIN_HEIGHT, MIN_WIDTH};
use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::widgets::{Paragraph, Wrap};

pub fn render(app: &App, area: Rect, frame: &mut Frame) {
    let text = format!(
        "Terminal too small: {}×{}.\nThematic needs at least {MIN_WIDTH}×{MIN_HEIGHT}.\nEnlarge the window (q quits; nothing is lost).",
        area.width, area.height
    );
    let h = 3.min(area.height);
    let y = area.y + area.height.saturating_sub(h) / 2;
    frame.render_widget(
        Paragraph::new(text)
            .alignment(Alignment::Center)
            .style(app.theme.error())
            .wrap(Wrap { trim: true }),
        Rect::new(area.x, y, area.width, area.height - (y - area.y)),
    );
}
