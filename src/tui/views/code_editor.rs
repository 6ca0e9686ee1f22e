//! The code editor: name, colour and codebook fields, one text box each.

use super::{centered, popup_block};
use crate::tui::app::App;
use crate::tui::popup::{CODE_FIELDS, CodeEditor};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders};

pub fn render(app: &App, ed: &CodeEditor, area: Rect, frame: &mut Frame) {
    let r = centered(area, 74, 22);
    let title = format!(
        " Edit {} — Tab field · Ctrl-s/Esc save · Ctrl-g discard ",
        crate::text::sanitize(&ed.path, false)
    );
    let block = popup_block(
        app,
        r,
        super::fit(&title, r.width.saturating_sub(4) as usize),
        frame,
    );
    let inner = block.inner(r);
    frame.render_widget(block, r);
    // Name and colour get one line each; the four text fields share the rest.
    let small = 2u16;
    let big = inner.height.saturating_sub(2 * small) / 4;
    let mut y = inner.y;
    for (i, label) in CODE_FIELDS.iter().enumerate() {
        let h = if i < 2 { small } else { big.max(2) };
        if y + h > inner.bottom() {
            break;
        }
        let focused = i == ed.field;
        let row = Rect::new(inner.x, y, inner.width, h);
        let b = Block::new()
            .borders(Borders::TOP)
            .border_style(app.theme.border(focused))
            .title(Span::styled(
                format!(" {label} "),
                if focused {
                    app.theme.key()
                } else {
                    app.theme.dim()
                },
            ));
        let field_area = b.inner(row);
        frame.render_widget(b, row);
        frame.render_widget(&ed.fields[i], field_area);
        y += h;
    }
}
