//! The workbench's state machine driven by key and mouse events, with assertions on the state
//! and on the study file.

use ratatui::crossterm::event::{
    Event, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;
use thematic::Study;
use thematic::tui::app::{App, Pane};
use thematic::tui::fixture;
use thematic::tui::keymap::{Key, Keymap};
use thematic::tui::popup::Popup;
use thematic::tui::theme::Theme;

struct T {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    app: App,
}

fn open_as(coder: &str) -> T {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.thematic");
    drop(fixture::small_study(&path).unwrap());
    let mut study = Study::open(&path).unwrap();
    study.set_clock(fixture::fixed_clock());
    let app = App::new(
        study,
        coder,
        Keymap::default(),
        Theme::plain(),
        Rect::new(0, 0, 120, 40),
    )
    .unwrap();
    T {
        _dir: dir,
        path,
        app,
    }
}

fn open() -> T {
    open_as("alex")
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

    fn mouse(&mut self, kind: MouseEventKind, x: u16, y: u16) -> &mut Self {
        self.app.handle_event(Event::Mouse(MouseEvent {
            kind,
            column: x,
            row: y,
            modifiers: KeyModifiers::NONE,
        }));
        self
    }

    /// (code path, coder, excerpt) of every coding in the file, read through a second connection.
    fn codings(&self) -> Vec<(String, String, String)> {
        let study = Study::open(&self.path).unwrap();
        let codes = thematic::codebook::all(study.conn()).unwrap();
        let mut stmt = study
            .conn()
            .prepare("SELECT c.code_id, k.name, substr(d.text, c.start + 1, c.\"end\" - c.start) FROM codings c JOIN coders k ON k.id = c.coder_id JOIN documents d ON d.id = c.document_id ORDER BY c.id")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(|r| {
                let (id, coder, text) = r.unwrap();
                (
                    codes.iter().find(|c| c.id == id).unwrap().path.clone(),
                    coder,
                    text,
                )
            })
            .collect()
    }

    fn has(&self, path: &str, text: &str) -> bool {
        self.codings()
            .iter()
            .any(|(p, c, t)| p == path && c == "alex" && t == text)
    }

    fn cursor_text(&self, n: usize) -> String {
        let doc = self.app.doc.as_ref().unwrap();
        doc.text[self.app.cursor..(self.app.cursor + n).min(doc.text.len())]
            .iter()
            .collect()
    }
}

#[test]
fn opens_on_the_first_document_with_blind_coding() {
    let t = open();
    assert_eq!(t.app.focus, Pane::Main);
    assert_eq!(t.app.doc.as_ref().unwrap().name, "FG1");
    assert!(
        !t.app.show_others,
        "alex and sam both coded: others hidden by default"
    );
    assert!(t.cursor_text(5).starts_with("Thank"));
}

#[test]
fn visual_word_selection_coded_from_the_finder() {
    let mut t = open();
    t.keys("} v w w");
    assert_eq!(t.app.selection().map(|(s, e)| e - s), Some(11));
    t.keys("c").type_text("trust worry").keys("Enter");
    assert!(t.app.popups.is_empty());
    assert!(t.app.anchor.is_none(), "coding ends visual mode");
    assert!(t.has("Trust/Worry", "I'll start."), "{:?}", t.codings());
    assert_eq!(
        t.app.recent[0],
        t.app
            .codes
            .iter()
            .find(|c| c.path == "Trust/Worry")
            .unwrap()
            .id
    );
}

#[test]
fn a_new_code_is_created_inline_and_then_pinned() {
    let mut t = open();
    t.keys("} v ) c").type_text("Coping/Routine");
    match t.app.popups.last() {
        Some(Popup::Finder(f)) => assert!(f.items[f.sel].1.contains("create")),
        _ => panic!("finder expected"),
    }
    t.keys("Enter");
    assert!(t.has("Coping/Routine", "I'll start."), "{:?}", t.codings());
    // Pinned to 1 in the codebook (filtered to it), the next turn, whole, with key 1.
    t.keys("Tab Tab /").type_text("Routine").keys("Enter 1 Tab");
    t.keys("} 1");
    assert!(t.has(
        "Coping/Routine",
        "I message them a lot. Like, a lot. My nurse probably knows my name by heart."
    ));
}

#[test]
fn sentence_and_whole_turn_granularity() {
    let mut t = open();
    t.keys("v )");
    assert_eq!(
        t.app.selection().map(|(s, e)| e - s),
        Some("Thank you all for coming.".chars().count())
    );
    // Key 2 codes with the code pinned to it (the codebook's second row).
    t.keys("Esc Tab Tab j 2 Tab V");
    let (s, e) = t.app.selection().unwrap();
    let doc = t.app.doc.as_ref().unwrap();
    assert_eq!((s as i64, e as i64), (doc.turns[0].start, doc.turns[0].end));
    t.keys("2");
    assert_eq!(t.codings().len(), 4);
}

#[test]
fn uncode_undo_redo_go_through_the_history() {
    let mut t = open();
    // Put the cursor on "It's become a habit" (alex's Habit coding).
    t.keys("/").type_text("become").keys("Enter");
    assert!(t.cursor_text(6) == "become");
    t.keys("x");
    assert!(!t.has("Access/Habit", "It's become a habit"));
    t.keys("u");
    assert!(t.has("Access/Habit", "It's become a habit"));
    assert!(t.app.message.as_deref().unwrap().starts_with("undone"));
    t.keys("C-r");
    assert!(!t.has("Access/Habit", "It's become a habit"));
}

#[test]
fn extend_and_shrink_by_words() {
    let mut t = open();
    t.keys("/").type_text("become").keys("Enter >");
    assert!(
        t.has("Access/Habit", "It's become a habit,"),
        "{:?}",
        t.codings()
    );
    t.keys("< <");
    assert!(t.has("Access/Habit", "It's become"), "{:?}", t.codings());
}

#[test]
fn memo_on_the_document_and_on_a_coding() {
    let mut t = open();
    t.keys("m")
        .type_text("Rainy day; small group.")
        .keys("Enter")
        .type_text("Second line.")
        .keys("Esc");
    let study = Study::open(&t.path).unwrap();
    let memos = thematic::memo::list(study.conn(), None).unwrap();
    assert_eq!(memos.len(), 1);
    assert_eq!(memos[0].body, "Rainy day; small group.\nSecond line.");
    assert!(matches!(
        memos[0].target,
        thematic::memo::Target::Document(_)
    ));
    // Editing again updates the same memo.
    t.keys("m").type_text(" More.").keys("C-s");
    let memos = thematic::memo::list(study.conn(), None).unwrap();
    assert_eq!(memos.len(), 1);
    t.keys("/")
        .type_text("become")
        .keys("Enter m")
        .type_text("habit talk")
        .keys("Esc");
    let memos = thematic::memo::list(study.conn(), None).unwrap();
    assert!(matches!(memos[1].target, thematic::memo::Target::Coding(_)));
    t.keys("u");
    assert_eq!(thematic::memo::list(study.conn(), None).unwrap().len(), 1);
}

#[test]
fn retrieval_of_a_theme_jumps_back_into_the_transcript() {
    let mut t = open();
    t.keys("J");
    assert_eq!(t.app.doc.as_ref().unwrap().name, "FG2");
    t.keys("Tab Tab");
    assert_eq!(t.app.focus, Pane::Codebook);
    assert_eq!(t.app.selected_code().unwrap().path, "Access");
    t.keys("Enter");
    let r = t.app.retrieval.as_ref().unwrap();
    assert_eq!(r.shown.len(), 2, "the theme's codes' excerpts");
    t.keys("j Enter");
    assert!(t.app.retrieval.is_none());
    assert_eq!(t.app.doc.as_ref().unwrap().name, "FG1");
    assert!(t.cursor_text(9) == "Sometimes");
}

#[test]
fn others_codings_toggle_and_counts_follow() {
    let mut t = open();
    let worry = t
        .app
        .codes
        .iter()
        .find(|c| c.path == "Trust/Worry")
        .unwrap()
        .id;
    assert_eq!(t.app.counts.get(&worry).map(|c| c.codings), None);
    t.keys("o");
    assert!(t.app.show_others);
    assert_eq!(t.app.counts.get(&worry).map(|c| c.codings), Some(1));
}

#[test]
fn mouse_drag_selects_and_codes() {
    let mut t = open();
    // Row 2 of the screen is the first text line of the first turn (border, header, text).
    let geo = thematic::tui::layout::transcript_geometry(t.app.areas().main);
    let (x, y) = (geo.text.x, geo.text.y + 1);
    t.mouse(MouseEventKind::Down(MouseButton::Left), x, y)
        .mouse(MouseEventKind::Drag(MouseButton::Left), x + 4, y)
        .mouse(MouseEventKind::Up(MouseButton::Left), x + 4, y);
    assert_eq!(t.app.selection().map(|(s, e)| e - s), Some(5));
    t.keys("c").type_text("Access/Habit").keys("Enter");
    assert!(t.has("Access/Habit", "Thank"), "{:?}", t.codings());
    // A click in the codebook selects there.
    let cb = t.app.areas().codebook;
    t.mouse(MouseEventKind::Down(MouseButton::Left), cb.x + 3, cb.y + 3);
    assert_eq!(t.app.focus, Pane::Codebook);
    assert_eq!(t.app.selected_code().unwrap().path, "Access/Habit");
}

#[test]
fn another_process_writing_shows_up_on_tick() {
    let mut t = open();
    let before = t.app.doc.as_ref().unwrap().codings.len();
    let mut other = Study::open(&t.path).unwrap();
    let sam = other.coder_by_name("sam").unwrap().unwrap();
    let doc = t.app.doc.as_ref().unwrap().id;
    let code = t.app.codes[0].id;
    other
        .change(Some(sam.id), "code", "sam codes", |rec| {
            thematic::coding::add(rec, doc, code, sam.id, 0, 5)
        })
        .unwrap();
    t.app.tick();
    assert_eq!(t.app.doc.as_ref().unwrap().codings.len(), before + 1);
}

#[test]
fn codebook_edit_move_merge_delete() {
    let mut t = open();
    t.keys("Tab Tab j e");
    assert!(matches!(t.app.popups.last(), Some(Popup::CodeEditor(_))));
    t.keys("C-a C-k")
        .type_text("Speed")
        .keys("Tab C-a C-k")
        .type_text("#00ff00")
        .keys("Tab")
        .type_text(" More.")
        .keys("Esc");
    let code = t
        .app
        .codes
        .iter()
        .find(|c| c.path == "Access/Speed")
        .expect("renamed");
    assert_eq!(code.colour, "#00FF00");
    assert!(code.definition.ends_with("More."));
    // Move Speed to the top level.
    t.keys("R").type_text("top").keys("Enter");
    assert!(
        t.app.codes.iter().any(|c| c.path == "Speed"),
        "{:?}",
        t.app.codes.iter().map(|c| &c.path).collect::<Vec<_>>()
    );
    // Merge Habit into Speed.
    let habit = t
        .app
        .code_rows
        .iter()
        .position(|&i| t.app.codes[i].path == "Access/Habit")
        .unwrap();
    t.app.code_sel = habit;
    t.keys("X").type_text("Speed").keys("Enter");
    assert!(!t.app.codes.iter().any(|c| c.path == "Access/Habit"));
    assert!(t.has("Speed", "It's become a habit"));
    // Delete asks first.
    let speed = t
        .app
        .code_rows
        .iter()
        .position(|&i| t.app.codes[i].path == "Speed")
        .unwrap();
    t.app.code_sel = speed;
    t.keys("D n");
    assert!(t.app.codes.iter().any(|c| c.path == "Speed"));
    t.keys("D y");
    assert!(!t.app.codes.iter().any(|c| c.path == "Speed"));
    t.keys("u");
    assert!(t.has("Speed", "It's become a habit"));
}

#[test]
fn filter_narrows_the_codebook() {
    let mut t = open();
    t.keys("Tab Tab /").type_text("wor");
    assert_eq!(t.app.code_rows.len(), 1);
    t.keys("Enter");
    assert_eq!(t.app.selected_code().unwrap().path, "Trust/Worry");
    t.keys("Esc");
    assert_eq!(t.app.code_rows.len(), 5);
}

#[test]
fn movement_keys() {
    let mut t = open();
    t.keys("w");
    assert!(t.cursor_text(3) == "you");
    t.keys("b");
    assert!(t.cursor_text(5) == "Thank");
    t.keys("]");
    assert!(
        t.cursor_text(5) == "Thank",
        "the moderator has no other turn"
    );
    t.keys("g } ]");
    assert!(t.cursor_text(9) == "Sometimes", "Linda's next turn");
    t.keys("[");
    assert!(t.cursor_text(4) == "I'll");
    t.keys("G");
    assert_eq!(t.app.doc.as_ref().unwrap().turn_at(t.app.cursor), 4);
    t.keys("j l l Down Up k h Left Right C-d C-u PageDown PageUp");
    t.keys("/").type_text("a lot").keys("Enter");
    assert!(t.cursor_text(5) == "a lot");
    t.keys("n");
    assert!(t.cursor_text(5) == "a lot");
    t.keys("N N");
}

#[test]
fn escape_backs_out_and_quit_keys() {
    let mut t = open();
    t.keys("v Esc");
    assert!(t.app.anchor.is_none());
    t.keys("? Esc");
    assert!(t.app.popups.is_empty());
    t.keys("c Esc Tab Esc");
    assert_eq!(t.app.focus, Pane::Main);
    t.keys("c C-c");
    assert!(t.app.quit, "Ctrl-c quits from inside a popup");
    let mut t = open();
    t.keys("q");
    assert!(t.app.quit);
}

#[test]
fn quitting_saves_an_open_memo() {
    let mut t = open();
    t.keys("M").type_text("Study-wide note").keys("C-c");
    assert!(t.app.quit);
    // The run loop flushes editors on quit; here the popup was already flushed by Ctrl-c.
    let study = Study::open(&t.path).unwrap();
    let memos = thematic::memo::list(study.conn(), None).unwrap();
    assert_eq!(memos.len(), 1, "Ctrl-c in the memo editor saved it");
    assert_eq!(memos[0].body, "Study-wide note");
}

#[test]
fn a_single_coder_sees_everything() {
    let t = open_as("newcomer");
    assert!(!t.app.show_others, "two independent coders coded");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("one.thematic");
    let mut s = Study::create(&path).unwrap();
    fixture::add_document(
        &mut s,
        "D",
        &fixture::parse_simple("[00:00:01] A: hello there"),
    )
    .unwrap();
    let app = App::new(
        s,
        "alex",
        Keymap::default(),
        Theme::plain(),
        Rect::new(0, 0, 80, 24),
    )
    .unwrap();
    assert!(app.show_others);
}

#[test]
fn brief_speakers_match_the_core_query() {
    let t = open();
    let conn = t.app.store.study.conn();
    for d in &t.app.docs {
        let mut core = thematic::study::participants::speakers(conn, d.id).unwrap();
        for s in &mut core {
            s.turns = 0;
        }
        assert_eq!(
            thematic::coding::view::speakers_brief(conn, d.id).unwrap(),
            core
        );
    }
}

#[test]
fn a_bad_colour_keeps_the_code_editor_open() {
    let mut t = open();
    t.keys("Tab Tab j e Tab C-a C-k")
        .type_text("reddish")
        .keys("C-s");
    assert!(matches!(t.app.popups.last(), Some(Popup::CodeEditor(_))));
    assert!(t.app.message.as_deref().unwrap().contains("not a colour"));
    t.keys("C-a C-k").type_text("#abc").keys("C-s");
    assert!(t.app.popups.is_empty());
    assert_eq!(t.app.selected_code().unwrap().colour, "#AABBCC");
}

#[test]
fn a_selection_stops_at_the_end_of_the_turn_first() {
    let mut t = open();
    t.keys("v ) ) )");
    let doc = t.app.doc.as_ref().unwrap();
    assert_eq!(
        t.app.selection().map(|(s, e)| (s as i64, e as i64)),
        Some((doc.turns[0].start, doc.turns[0].end))
    );
    t.keys("w");
    assert_eq!(
        t.app.doc.as_ref().unwrap().turn_at(t.app.cursor),
        1,
        "pressed again, it goes on"
    );
}

#[test]
fn a_theme_counts_its_codes() {
    let mut t = open();
    let id = |t: &T, p: &str| t.app.codes.iter().find(|c| c.path == p).unwrap().id;
    let access = t.app.counts[&id(&t, "Access")];
    assert_eq!(
        (access.codings, access.documents),
        (2, 1),
        "alex's Habit and Response time"
    );
    t.keys("o");
    let trust = t.app.counts[&id(&t, "Trust")];
    assert_eq!(
        (trust.codings, trust.documents),
        (1, 1),
        "sam's Worry, shown"
    );
}

#[test]
fn codings_with_memos_are_marked() {
    let mut t = open();
    t.keys("/")
        .type_text("become")
        .keys("Enter m")
        .type_text("habit talk")
        .keys("Esc");
    let own = t.app.own_codings_at_cursor();
    assert!(t.app.coding_memos.contains(&own[0].id));
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    term.draw(|f| thematic::tui::views::draw(&t.app, f))
        .unwrap();
    assert!(term.backend().to_string().contains("✎Habit"));
}
