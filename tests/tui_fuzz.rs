//! Any sequence of keys and clicks leaves the workbench in a sane state: no panic, the cursor
//! inside the document, the screen drawable at any size.

use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{
    Event, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;
use thematic::Study;
use thematic::tui::app::App;
use thematic::tui::keymap::Keymap;
use thematic::tui::theme::Theme;
use thematic::tui::{fixture, views};

fn events() -> Vec<Event> {
    let map = Keymap::default();
    let mut out: Vec<Event> = map
        .bindings
        .iter()
        .filter(|b| {
            !matches!(
                b.action,
                thematic::tui::action::Action::Quit | thematic::tui::action::Action::ForceQuit
            )
        })
        .map(|b| Event::Key(KeyEvent::new(b.key.code, b.key.mods)))
        .collect();
    for c in ['a', 'x', '/', ' ', 'é'] {
        out.push(Event::Key(KeyEvent::new(
            ratatui::crossterm::event::KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }
    for (x, y) in [(5, 3), (40, 5), (60, 20), (100, 30), (10, 25)] {
        for kind in [
            MouseEventKind::Down(MouseButton::Left),
            MouseEventKind::Drag(MouseButton::Left),
            MouseEventKind::Up(MouseButton::Left),
            MouseEventKind::ScrollDown,
        ] {
            out.push(Event::Mouse(MouseEvent {
                kind,
                column: x,
                row: y,
                modifiers: KeyModifiers::NONE,
            }));
        }
    }
    out.push(Event::Resize(61, 17));
    out.push(Event::Resize(120, 40));
    out.push(Event::Resize(40, 10));
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_sessions_stay_sane(picks in proptest::collection::vec(0usize..1000, 0..80), empty in any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.thematic");
        let study = if empty {
            let mut s = Study::create(&path).unwrap();
            s.set_clock(fixture::fixed_clock());
            s
        } else {
            fixture::small_study(&path).unwrap()
        };
        let mut app = App::new(study, "alex", Keymap::default(), Theme::plain(), Rect::new(0, 0, 120, 40)).unwrap();
        let all = events();
        let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
        for p in picks {
            app.handle_event(all[p % all.len()].clone());
            if let Some(doc) = &app.doc {
                prop_assert!(doc.text.is_empty() || app.cursor < doc.text.len());
            }
            term.backend_mut().resize(app.size.width, app.size.height);
            term.resize(app.size).unwrap();
            term.draw(|f| views::draw(&app, f)).unwrap();
        }
    }
}
