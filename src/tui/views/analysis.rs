//! The analysis view (tabs: frequencies and matrix, co-occurrence, search, saturation, versions).

use crate::tui::app::App;
use ratatui::Frame;
use ratatui::layout::Rect;

pub fn render(_app: &App, _area: Rect, _frame: &mut Frame) {}
