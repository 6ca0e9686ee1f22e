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

/// Turn n (0-based) of the open document as (start, end).
fn turn(t: &T, n: usize) -> (usize, usize) {
    let doc = t.app.doc.as_ref().unwrap();
    (doc.turns[n].start as usize, doc.turns[n].end as usize)
}

fn codings_of(t: &T, code: &str) -> Vec<(i64, i64)> {
    let study = Study::open(&t.path).unwrap();
    let mut stmt = study
        .conn()
        .prepare(
            "SELECT c.start, c.\"end\" FROM codings c JOIN codes k ON k.id = c.code_id
              JOIN coders p ON p.id = c.coder_id WHERE k.name = ?1 AND p.name = 'alex' ORDER BY c.start",
        )
        .unwrap();
    stmt.query_map([code], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn pinned_keys_stay_put_and_every_message_names_the_code() {
    let mut t = open();
    // Nothing pinned yet: the key says how to pin.
    t.keys("1");
    assert!(
        t.message().contains("no code pinned to 1"),
        "{}",
        t.message()
    );
    // Pin Access/Habit to 3 and Trust/Worry to 1 in the codebook (rows: Access, Response
    // time, Habit, Trust, Worry).
    t.keys("Tab Tab j j 3 j j 1 Tab");
    assert_eq!(
        t.app.pins[2],
        t.app.codes.iter().find(|c| c.name == "Habit").map(|c| c.id)
    );
    assert_eq!(
        t.app.pins[0],
        t.app.codes.iter().find(|c| c.name == "Worry").map(|c| c.id)
    );
    // `} 3 } 3` codes two turns with the same code, and says which, where.
    t.keys("} 3");
    assert_eq!(t.message(), "coded 'Access/Habit' on Linda's turn 2 (FG1)");
    t.keys("} 3");
    assert_eq!(t.message(), "coded 'Access/Habit' on Rosa's turn 3 (FG1)");
    let (t2, t3) = (turn(&t, 1), turn(&t, 2));
    let habit = codings_of(&t, "Habit");
    assert!(habit.contains(&(t2.0 as i64, t2.1 as i64)), "{habit:?}");
    assert!(habit.contains(&(t3.0 as i64, t3.1 as i64)), "{habit:?}");
    // The footer lists the pins by key; the codebook marks them.
    let screen = render(&t.app, 120, 40);
    assert!(screen.contains("1 Worry  3 Habit"), "{screen}");
    // History entries from the workbench name the code and the place.
    let study = Study::open(&t.path).unwrap();
    let summaries: Vec<String> = study
        .conn()
        .prepare("SELECT summary FROM changes ORDER BY id DESC LIMIT 3")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        summaries,
        vec![
            "code 'Access/Habit' on Rosa's turn 3 (FG1)",
            "code 'Access/Habit' on Linda's turn 2 (FG1)",
            "pin 'Trust/Worry' to key 1",
        ]
    );
    // Undo speaks in words too.
    t.keys("u");
    assert_eq!(
        t.message(),
        "undone: code 'Access/Habit' on Rosa's turn 3 (FG1)"
    );
    // Pins live in the study file, per coder; pressing the key again on the code unpins it.
    let again = app_on(&t.path, "alex");
    assert_eq!(again.pins, t.app.pins);
    assert_eq!(app_on(&t.path, "sam").pins, [None; 9]);
    t.keys("Tab Tab g j j 3");
    assert_eq!(t.app.pins[2], None);
    assert!(t.message().starts_with("unpin key 3"), "{}", t.message());
    // Uncoding names what went.
    t.keys("Tab { x");
    assert_eq!(
        t.message(),
        "uncoded 'Access/Habit' on Linda's turn 2 (FG1)"
    );
}

#[test]
fn a_selection_extended_by_turn_ends_at_the_turns_end() {
    let mut t = open();
    // From the middle of turn 2, `v }` selects to its end — not the next speaker's first char.
    t.keys("} w v }");
    let (s2, e2) = turn(&t, 1);
    assert_eq!(t.app.selection(), Some((s2 + "I'll ".chars().count(), e2)));
    // Again: to the end of the next turn.
    t.keys("}");
    let (_, e3) = turn(&t, 2);
    assert_eq!(t.app.selection().map(|s| s.1), Some(e3));
    // And `{` back to the start of the turn the end is in.
    t.keys("{");
    let (s3, _) = turn(&t, 2);
    assert_eq!(t.app.cursor, s3);
    // From a turn's start, `v }` is the whole turn: coded, Rosa is not in it.
    t.keys("Esc { v } c")
        .type_text("Access/Habit")
        .keys("Enter");
    assert!(
        codings_of(&t, "Habit").contains(&(s2 as i64, e2 as i64)),
        "{:?}",
        codings_of(&t, "Habit")
    );
}

fn render(app: &App, w: u16, h: u16) -> String {
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    term.draw(|f| thematic::tui::views::draw(app, f)).unwrap();
    let buf = term.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..h {
        for x in 0..w {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}
