//! The workbench after a day of real coding (issue 12): drafts of open editors, pinned codes,
//! turn-end selections, messages in words, retrieval in context and the jump stack — driven
//! through `App` with key events, checked on the state and on the study file.

use ratatui::crossterm::event::{Event, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use thematic::Study;
use thematic::tui::app::App;
use thematic::tui::fixture;
use thematic::tui::keymap::{Key, Keymap};
use thematic::tui::popup::Popup;
use thematic::tui::theme::Theme;

struct T {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    app: App,
}

fn app_on(path: &std::path::Path, coder: &str) -> App {
    let mut study = Study::open(path).unwrap();
    study.set_clock(fixture::fixed_clock());
    App::new(
        study,
        coder,
        Keymap::default(),
        Theme::plain(),
        Rect::new(0, 0, 120, 40),
    )
    .unwrap()
}

fn open() -> T {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.thematic");
    drop(fixture::small_study(&path).unwrap());
    let app = app_on(&path, "alex");
    T {
        _dir: dir,
        path,
        app,
    }
}

impl T {
    /// Presses keys written as in keys.toml, separated by spaces ("j", "C-r", "Enter").
    fn keys(&mut self, keys: &str) -> &mut Self {
        for k in keys.split(' ').filter(|k| !k.is_empty()) {
            let key = Key::parse(k).unwrap_or_else(|| panic!("bad key {k}"));
            self.app
                .handle_event(Event::Key(KeyEvent::new(key.code, key.mods)));
        }
        self
    }

    fn type_text(&mut self, s: &str) -> &mut Self {
        for c in s.chars() {
            let code = ratatui::crossterm::event::KeyCode::Char(c);
            self.app
                .handle_event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        }
        self
    }

    fn query_i64(&self, sql: &str) -> i64 {
        let study = Study::open(&self.path).unwrap();
        study.conn().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    fn message(&self) -> String {
        self.app.message.clone().unwrap_or_default()
    }
}

#[test]
fn an_open_memo_is_kept_as_a_draft_and_offered_back() {
    let mut t = open();
    t.keys("M").type_text("Half a thought");
    t.app.save_drafts(true);
    assert_eq!(
        t.query_i64("SELECT count(*) FROM drafts WHERE body LIKE '%Half a thought%'"),
        1
    );
    // Unchanged text is not rewritten; new text is, once the interval has passed.
    t.type_text(", then more");
    t.app.save_drafts(false);
    assert_eq!(
        t.query_i64("SELECT count(*) FROM drafts WHERE body LIKE '%then more%'"),
        0,
        "not before the interval"
    );
    t.app.save_drafts(true);
    assert_eq!(
        t.query_i64("SELECT count(*) FROM drafts WHERE body LIKE '%then more%'"),
        1
    );
    // The session dies without saving (as after SIGKILL): a new one reopens the editor.
    let path = t.path.clone();
    let mut again = T {
        app: app_on(&path, "alex"),
        path,
        _dir: t._dir,
    };
    assert!(
        again.message().contains("restored 1 unsaved editor"),
        "{}",
        again.message()
    );
    match again.app.popups.last() {
        Some(Popup::Memo(m)) => {
            assert_eq!(m.area.lines().join("\n"), "Half a thought, then more");
            assert_eq!(m.title, "Memo on the study");
        }
        _ => panic!("no memo editor restored"),
    }
    // Saving it writes the memo and removes the draft; nothing is left to restore.
    again.keys("Esc");
    assert_eq!(again.message(), "memo saved");
    assert_eq!(
        again.query_i64("SELECT count(*) FROM memos WHERE body = 'Half a thought, then more'"),
        1
    );
    assert_eq!(again.query_i64("SELECT count(*) FROM drafts"), 0);
}

#[test]
fn a_discarded_editor_leaves_no_draft_and_other_coders_drafts_stay_theirs() {
    let mut t = open();
    t.keys("M").type_text("Not worth keeping");
    t.app.save_drafts(true);
    let sam = app_on(&t.path, "sam");
    assert!(sam.popups.is_empty(), "alex's draft is not offered to sam");
    t.keys("C-g");
    assert_eq!(t.message(), "closed without saving");
    assert_eq!(t.query_i64("SELECT count(*) FROM drafts"), 0);
    assert_eq!(t.query_i64("SELECT count(*) FROM memos"), 0);
}
