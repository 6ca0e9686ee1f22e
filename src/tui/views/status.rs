//! The status bar: study, coder, position and mode on the first row (or the last message), and
//! the keys that work here now on the second — taken from the keymap table.

use super::fit;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::keymap::Context;
use crate::tui::popup::{Prompt, PromptKind};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

pub fn position(app: &App) -> String {
    let Some(doc) = &app.doc else {
        return "no document".into();
    };
    if doc.turns.is_empty() {
        return format!("{} (empty)", doc.name);
    }
    let t = doc.turn_at(app.cursor);
    let pct = (app.cursor * 100) / doc.text.len().max(1);
    let icr = app
        .icr
        .as_ref()
        .map(|a| icr_position(a, doc.id, t as i64 + 1))
        .unwrap_or_default();
    format!(
        "{} turn {}/{} · {pct}%{icr}",
        doc.name,
        t + 1,
        doc.turns.len()
    )
}

/// Where the cursor stands against your ICR sample (issue 11): the round's document, or which
/// of its turns were drawn and whether this is one of them.
fn icr_position(a: &crate::tui::icr_assigned::IcrAssigned, doc: i64, turn: i64) -> String {
    match a.turns(doc) {
        None => String::new(),
        Some([]) => format!(" · ◇ ICR round {}", a.round),
        Some(t) if t.contains(&turn) => format!(" · ◇ ICR round {}: this turn is drawn", a.round),
        Some(t) => {
            let shown: Vec<String> = t.iter().take(6).map(|n| n.to_string()).collect();
            let more = if t.len() > 6 { ", …" } else { "" };
            format!(
                " · ◇ ICR round {} turns {}{more}",
                a.round,
                shown.join(", ")
            )
        }
    }
}

pub fn render(app: &App, area: Rect, frame: &mut Frame) {
    let w = area.width as usize;
    let mode = match app.context() {
        Context::Visual => {
            let (s, e) = app.selection().unwrap_or((0, 0));
            format!(" VISUAL {} chars", e - s)
        }
        _ => String::new(),
    };
    let blind = if app.show_others { "" } else { " · blind" };
    // In the codebook the selected code's whole path shows here (the pane may cut it).
    let position = match (app.context(), app.selected_code()) {
        (Context::Codebook, Some(c)) => {
            let n = app.counts.get(&c.id).copied().unwrap_or_default();
            format!(
                "{} {}·{}",
                crate::text::sanitize(&c.path, false),
                n.codings,
                n.documents
            )
        }
        _ => position(app),
    };
    let mut left = format!(
        " {} · {}{blind} · {position}{mode} ",
        app.study_name, app.coder.name,
    );
    // A position (or code path) that would be cut gets the row: study and coder step aside.
    if unicode_width::UnicodeWidthStr::width(left.as_str()) > w {
        left = format!(
            " {} ",
            super::fit_middle(&format!("{position}{mode}"), w.saturating_sub(2))
        );
    }
    // A message that would be cut gets the row: the study and coder step aside.
    if let Some(m) = &app.message {
        let need = unicode_width::UnicodeWidthStr::width(left.as_str())
            + unicode_width::UnicodeWidthStr::width(m.as_str())
            + 1;
        if need > w {
            left = format!(" {position}{mode} ");
        }
        if unicode_width::UnicodeWidthStr::width(left.as_str())
            + unicode_width::UnicodeWidthStr::width(m.as_str())
            + 1
            > w
        {
            left = String::from(" ");
        }
    }
    let mut first = vec![Span::styled(
        fit(&left, w),
        app.theme.key().add_modifier(Modifier::REVERSED),
    )];
    if let Some(m) = &app.message {
        let room =
            w.saturating_sub(unicode_width::UnicodeWidthStr::width(first[0].content.as_ref()) + 1);
        let style = if m.starts_with("error") {
            app.theme.error()
        } else {
            ratatui::style::Style::new()
        };
        first.push(Span::styled(format!(" {}", fit(m, room)), style));
    }
    let mut hints = Vec::new();
    let mut shown = Vec::new();
    // A key bound in a nearer context shadows a wider one's (review's B is "both", not the
    // memo browser): the footer lists only what the key does here.
    let mut claimed: Vec<crate::tui::key::Key> = Vec::new();
    for ctx in app.contexts() {
        let bindings: Vec<_> = app.keymap.of(ctx).collect();
        for b in &bindings {
            if claimed.contains(&b.key) {
                continue;
            }
            if let Some(h) = b.hint {
                if shown.contains(&b.action) {
                    continue;
                }
                shown.push(b.action);
                // Back only shows when there is somewhere to go back to.
                if b.action == Action::JumpBack && app.jumps.is_empty() {
                    continue;
                }
                if ctx == Context::Analysis
                    && let Some(st) = &app.analysis
                    && !crate::tui::analysis_view::hint_applies(st, b.action)
                {
                    continue;
                }
                if b.action == Action::RecentCode(1) {
                    pinned_hints(app, &mut hints);
                    continue;
                }
                hints.push(Span::styled(format!(" {}", b.key), app.theme.key()));
                hints.push(Span::raw(format!(" {h} ")));
            }
        }
        claimed.extend(bindings.iter().map(|b| b.key));
    }
    let lines = vec![Line::from(first), Line::from(hints)];
    frame.render_widget(Paragraph::new(lines), area);
}

/// The pinned codes, by key ("1 Habit 2 Worry"), or how to pin one.
fn pinned_hints(app: &App, hints: &mut Vec<Span<'static>>) {
    let mut any = false;
    for (k, id) in app.pins.iter().enumerate() {
        let Some(c) = id.and_then(|id| app.code(id)) else {
            continue;
        };
        any = true;
        // The key as the keymap has it (keys.toml may rebind the digits).
        let key = app
            .keymap
            .key_for(Context::Transcript, Action::RecentCode(k as u8 + 1))
            .map_or_else(|| (k + 1).to_string(), |key| key.to_string());
        hints.push(Span::styled(format!(" {key}"), app.theme.key()));
        // Short enough that several pins and the other keys fit on one row.
        hints.push(Span::raw(format!(
            " {} ",
            fit(&crate::text::sanitize(&c.name, false), 14)
        )));
    }
    if !any {
        hints.push(Span::styled(" 1–9", app.theme.key()));
        hints.push(Span::raw(" pinned codes (none yet) "));
    }
}

pub fn render_prompt(app: &App, p: &Prompt, area: Rect, frame: &mut Frame) {
    let label = match p.kind {
        PromptKind::Search => "/",
        PromptKind::Filter => "filter codes: ",
        PromptKind::NewCode => "new code (Theme/Code): ",
        PromptKind::AnalysisSearch => "search all transcripts: ",
        PromptKind::Snapshot => "snapshot name: ",
        PromptKind::ExcerptFilter => {
            "filter excerpts (words, coder:NAME, speaker:NAME, ATTRIBUTE:VALUE): "
        }
        PromptKind::ExportExcerpts => "write the shown excerpts to: ",
        PromptKind::MemoSearch => "search memos: ",
    };
    let row = Rect { height: 1, ..area };
    frame.render_widget(Clear, row);
    let line = Line::from(vec![
        Span::styled(label, app.theme.key()),
        Span::raw(crate::text::sanitize(&p.input, false)),
        Span::styled(" ", app.theme.cursor()),
    ]);
    frame.render_widget(Paragraph::new(line), row);
}
