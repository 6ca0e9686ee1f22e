//! The `?` overlay: the keys of the focused pane (and the global ones), generated from the same
//! keymap table that dispatches them.

use super::{centered, popup_block};
use crate::tui::app::App;
use crate::tui::keymap::Context;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The help text's lines for keys pressed in `ctx`.
pub fn lines(app: &App, ctx: Context) -> Vec<Line<'static>> {
    let groups: Vec<Context> = match ctx {
        Context::Visual => vec![Context::Visual, Context::Transcript, Context::Global],
        c if c.takes_text() || c == Context::Help || c == Context::Confirm => {
            vec![c, Context::Global]
        }
        c => vec![c, Context::Global],
    };
    let mut out = Vec::new();
    for g in groups {
        out.push(Line::styled(
            format!("{} keys", g.name().replace('_', " ")),
            app.theme.speaker(),
        ));
        let mut rows: Vec<(Vec<String>, &str)> = Vec::new();
        for b in app.keymap.of(g) {
            match rows.iter_mut().find(|(_, d)| *d == b.desc) {
                Some((keys, _)) => keys.push(b.key.to_string()),
                None => rows.push((vec![b.key.to_string()], b.desc)),
            }
        }
        for (keys, desc) in rows {
            // Always a space between the keys and what they do, however long the keys.
            out.push(Line::from(vec![
                Span::styled(format!("  {:<18} ", key_list(&keys)), app.theme.key()),
                Span::raw(desc.to_string()),
            ]));
        }
        out.push(Line::default());
    }
    out.push(Line::styled(
        "Every action is saved at once. Rebind keys in keys.toml (see README).",
        app.theme.dim(),
    ));
    out
}

/// Keys as listed in help: "j, Down", and a run of digits as "1–9".
fn key_list(keys: &[String]) -> String {
    let digits: Vec<u32> = keys
        .iter()
        .filter_map(|k| {
            (k.len() == 1)
                .then(|| k.chars().next()?.to_digit(10))
                .flatten()
        })
        .collect();
    if digits.len() == keys.len() && digits.len() > 2 && digits.windows(2).all(|w| w[1] == w[0] + 1)
    {
        return format!("{}–{}", digits[0], digits[digits.len() - 1]);
    }
    keys.join(", ")
}

pub fn render(app: &App, ctx: Context, scroll: u16, area: Rect, frame: &mut Frame) {
    let r = centered(area, 76, area.height.saturating_sub(4));
    let block = popup_block(
        app,
        r,
        format!(
            " Help — {} (Esc closes, j/k scroll) ",
            ctx.name().replace('_', " ")
        ),
        frame,
    );
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let lines = lines(app, ctx);
    let max = (lines.len() as u16).saturating_sub(inner.height);
    frame.render_widget(Paragraph::new(lines).scroll((scroll.min(max), 0)), inner);
}
