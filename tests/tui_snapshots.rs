//! Rendered screens checked with TestBackend and insta snapshots (text only; the study's clock
//! is fixed and no path is shown). Update with `INSTA_UPDATE=always cargo test --test tui_snapshots`
//! or `cargo insta review`.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use thematic::Study;
use thematic::tui::app::App;
use thematic::tui::keymap::{Key, Keymap};
use thematic::tui::theme::Theme;
use thematic::tui::{fixture, views};

fn app(w: u16, h: u16) -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("study.thematic");
    drop(fixture::small_study(&path).unwrap());
    let mut study = Study::open(&path).unwrap();
    study.set_clock(fixture::fixed_clock());
    let app = App::new(
        study,
        "alex",
        Keymap::default(),
        Theme::plain(),
        Rect::new(0, 0, w, h),
    )
    .unwrap();
    (dir, app)
}

fn keys(app: &mut App, keys: &str) {
    for k in keys.split(' ').filter(|k| !k.is_empty()) {
        let key = Key::parse(k).unwrap();
        app.handle_event(Event::Key(KeyEvent::new(key.code, key.mods)));
    }
}

fn type_text(app: &mut App, s: &str) {
    for c in s.chars() {
        app.handle_event(Event::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }
}

fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(app.size.width, app.size.height)).unwrap();
    t.draw(|f| views::draw(app, f)).unwrap();
    t.backend().to_string()
}

#[test]
fn main_view() {
    for (w, h) in [(80, 24), (160, 48)] {
        let (_d, mut a) = app(w, h);
        keys(&mut a, "o } v w w");
        insta::assert_snapshot!(format!("main_{w}x{h}"), screen(&a));
    }
}

#[test]
fn codebook_details_and_retrieval() {
    for (w, h) in [(80, 24), (160, 48)] {
        let (_d, mut a) = app(w, h);
        keys(&mut a, "Tab Tab i Enter");
        insta::assert_snapshot!(format!("retrieval_{w}x{h}"), screen(&a));
    }
}

#[test]
fn finder_offers_create() {
    let (_d, mut a) = app(80, 24);
    keys(&mut a, "c");
    type_text(&mut a, "acc");
    insta::assert_snapshot!("finder_80x24", screen(&a));
    type_text(&mut a, "ess/New one");
    insta::assert_snapshot!("finder_create_80x24", screen(&a));
}

#[test]
fn help_overlay() {
    let (_d, mut a) = app(160, 48);
    keys(&mut a, "?");
    insta::assert_snapshot!("help_transcript_160x48", screen(&a));
}

#[test]
fn editors() {
    let (_d, mut a) = app(80, 24);
    keys(&mut a, "m");
    type_text(&mut a, "First thoughts.");
    insta::assert_snapshot!("memo_80x24", screen(&a));
    let (_d, mut a) = app(80, 24);
    keys(&mut a, "Tab Tab j e");
    insta::assert_snapshot!("code_editor_80x24", screen(&a));
}

#[test]
fn too_small() {
    let (_d, mut a) = app(59, 15);
    a.resize(Rect::new(0, 0, 59, 15));
    insta::assert_snapshot!("too_small", screen(&a));
}

#[test]
fn control_characters_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evil.thematic");
    let mut s = Study::create(&path).unwrap();
    s.set_clock(fixture::fixed_clock());
    let parsed = fixture::parse_simple(
        "[00:00:01] Ev\x1b[31mil: clear \x1b[2J screen \u{202E}bidi\x07 bell",
    );
    fixture::add_document(&mut s, "D\x1b]0;x\x07", &parsed).unwrap();
    let a = App::new(
        s,
        "alex",
        Keymap::default(),
        Theme::plain(),
        Rect::new(0, 0, 80, 24),
    )
    .unwrap();
    let out = screen(&a);
    assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
    assert!(!out.contains('\u{202E}'));
    assert!(out.contains("clear �[2J screen"), "{out}");
}

#[test]
fn hints_help_and_dispatch_follow_keys_toml() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("study.thematic");
    let study = fixture::small_study(&path).unwrap();
    let mut map = Keymap::default();
    assert!(
        map.apply_overrides("transcript.code = \"C-k\"\nundo = \"z\"")
            .is_empty()
    );
    let mut a = App::new(study, "alex", map, Theme::plain(), Rect::new(0, 0, 120, 40)).unwrap();
    let out = screen(&a);
    assert!(out.contains("C-k code") && out.contains("z undo"), "{out}");
    keys(&mut a, "?");
    let help = screen(&a);
    assert!(
        help.contains("C-k ") && !help.contains(" c, Enter "),
        "{help}"
    );
    keys(&mut a, "Esc C-k");
    assert!(matches!(
        a.popups.last(),
        Some(thematic::tui::popup::Popup::Finder(_))
    ));
}

#[test]
fn no_color_draws_without_colours() {
    use ratatui::style::Color;
    let (_d, mut a) = app(120, 40);
    keys(&mut a, "o } v w ?");
    let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
    t.draw(|f| views::draw(&a, f)).unwrap();
    for cell in t.backend().buffer().content() {
        assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "{cell:?}");
    }
    // With colour, coded text is on its code's colour.
    a.theme = Theme { colour: true };
    keys(&mut a, "Esc");
    t.draw(|f| views::draw(&a, f)).unwrap();
    assert!(
        t.backend()
            .buffer()
            .content()
            .iter()
            .any(|c| matches!(c.bg, Color::Rgb(..)))
    );
}
