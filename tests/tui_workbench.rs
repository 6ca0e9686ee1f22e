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

#[test]
fn retrieval_shows_excerpts_in_context_filters_and_exports() {
    let mut t = open();
    // The Access theme (first codebook row): alex's two excerpts, with their context.
    t.keys("Tab Tab Enter");
    {
        let r = t.app.retrieval.as_ref().unwrap();
        assert_eq!(r.shown.len(), 2);
        let first = &r.all[r.shown[0]];
        assert_eq!(first.x.speaker.as_deref(), Some("Linda"));
        assert_eq!(first.turn, 2);
        assert_eq!(
            first.before,
            (None, "I'll start. I use it every week.".to_string())
        );
        assert!(
            first.after.1.starts_with(", honestly."),
            "{:?}",
            first.after
        );
        // The second starts its turn: the context before is the previous speaker's.
        let second = &r.all[r.shown[1]];
        assert_eq!(second.before.0.as_deref(), Some("Rosa"));
        assert!(second.before.1.ends_with("knows my name by heart."));
    }
    let screen = render(&t.app, 120, 40);
    assert!(
        screen.contains("FG1 · Linda (turn 2) · coded by alex · Access/Habit"),
        "{screen}"
    );
    assert!(!screen.contains("[202:221]"), "no raw offsets: {screen}");
    // Filter by words and by a participant attribute; an unknown attribute says what exists.
    t.keys("/").type_text("days").keys("Enter");
    assert_eq!(t.app.retrieval.as_ref().unwrap().shown.len(), 1);
    t.keys("/ C-u").type_text("age:50-59").keys("Enter");
    assert_eq!(t.app.retrieval.as_ref().unwrap().shown.len(), 2);
    t.keys("/ C-u").type_text("group:treatment").keys("Enter");
    assert_eq!(t.app.retrieval.as_ref().unwrap().shown.len(), 0);
    t.keys("/ C-u").type_text("colour:red").keys("Enter");
    assert!(
        t.message().contains("no attribute 'colour'"),
        "{}",
        t.message()
    );
    assert!(t.message().contains("group"), "{}", t.message());
    t.keys("/ C-u").type_text("coder:alex habit").keys("Enter");
    assert_eq!(t.app.retrieval.as_ref().unwrap().shown.len(), 1);
    // Write the shown excerpts to a file: Markdown, mode 0600, never over an existing file.
    let out = t._dir.path().join("habit.md");
    t.keys("w C-u")
        .type_text(out.to_str().unwrap())
        .keys("Enter");
    assert!(
        t.message().starts_with("wrote 1 excerpt(s)"),
        "{}",
        t.message()
    );
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(md.contains("# Excerpts: Access"), "{md}");
    assert!(
        md.contains("1 of 2 excerpt(s) · filter: coder:alex habit"),
        "{md}"
    );
    assert!(
        md.contains("## 1. FG1 · Linda (turn 2) · Access/Habit · coded by alex"),
        "{md}"
    );
    assert!(md.contains("> It's become a habit"), "{md}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    t.keys("w C-u")
        .type_text(out.to_str().unwrap())
        .keys("Enter");
    assert!(t.message().contains("exists"), "{}", t.message());
    // Copy: the run loop gets the text to send as OSC 52.
    t.keys("y");
    assert!(
        t.app
            .clipboard
            .as_deref()
            .unwrap()
            .contains("> It's become a habit")
    );
}

#[test]
fn the_jump_stack_returns_to_the_same_excerpt_and_centres_the_jump() {
    let mut t = open();
    t.keys("Tab Tab Enter j");
    t.keys("Enter");
    assert!(t.app.retrieval.is_none());
    let doc = t.app.doc.as_ref().unwrap();
    let at: String = doc.text[t.app.cursor..t.app.cursor + 9].iter().collect();
    assert_eq!(at, "Sometimes");
    // Centred: the cursor's row is not the pane's last (nor first) row.
    let screen = render(&t.app, 120, 40);
    assert!(
        screen.contains("B back") || screen.contains("C-o back"),
        "{screen}"
    );
    // Moving and coding in the transcript, then Esc: back to the list, same excerpt.
    t.keys("j k Esc");
    let r = t.app.retrieval.as_ref().expect("back in retrieval");
    assert_eq!(r.sel, 1);
    assert_eq!(t.app.jumps.len(), 0);
    // Esc again closes retrieval; Esc with nowhere to go back to does nothing harmful.
    t.keys("Esc Esc");
    assert!(t.app.retrieval.is_none());
    t.keys("C-o");
    assert_eq!(t.message(), "no jump to go back from");
}

#[test]
fn the_memo_browser_lists_searches_and_jumps_to_what_a_memo_is_on() {
    let mut t = open();
    // A memo on the study and one on the coding under the cursor (Habit, turn 2).
    t.keys("M")
        .type_text("Overall: people trust the portal.")
        .keys("Esc");
    t.keys("/").type_text("become a habit").keys("Enter m");
    t.type_text("Habit as routine, not need.").keys("Esc");
    t.keys("g B");
    let m = t.app.memos.as_ref().expect("memo browser");
    assert_eq!(m.shown.len(), 2);
    let screen = render(&t.app, 120, 40);
    assert!(screen.contains("on the study"), "{screen}");
    assert!(
        screen.contains("on the coding 'Access/Habit' on 19 characters of Linda's turn 2 (FG1)"),
        "{screen}"
    );
    t.keys("/").type_text("routine").keys("Enter");
    assert_eq!(t.app.memos.as_ref().unwrap().shown.len(), 1);
    // Enter goes to the coding; Esc comes back to the browser, search kept.
    t.keys("Enter");
    assert!(t.app.memos.is_none());
    let doc = t.app.doc.as_ref().unwrap();
    assert_eq!(doc.turn_at(t.app.cursor), 1);
    t.keys("Esc");
    assert_eq!(t.app.memos.as_ref().unwrap().query, "routine");
    t.keys("Esc");
    assert!(t.app.memos.is_none());
}

#[test]
fn blind_retrieval_says_others_codings_are_hidden() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.thematic");
    drop(fixture::small_study(&path).unwrap());
    let mut t = T {
        app: app_on(&path, "sam"),
        path,
        _dir: dir,
    };
    assert!(!t.app.show_others, "blind by default: two coders coded");
    // Access: only alex coded it.
    t.keys("Tab Tab Enter");
    let r = t.app.retrieval.as_ref().unwrap();
    assert_eq!((r.shown.len(), r.hidden_others), (0, 2));
    let screen = render(&t.app, 120, 40);
    assert!(
        screen.contains("2 coding(s) by other coders are hidden (blind coding; o shows them)"),
        "{screen}"
    );
    assert!(!screen.contains("Nothing coded"), "{screen}");
    t.keys("o");
    assert_eq!(t.app.retrieval.as_ref().unwrap().shown.len(), 2);
}

#[test]
fn search_runs_across_the_study_with_n_of_m_and_highlights() {
    let mut t = open();
    // "e" is everywhere; "welcome" only in FG2, "days" only in FG1.
    t.keys("/").type_text("Welcome").keys("Enter");
    assert_eq!(
        t.app.doc.as_ref().unwrap().name,
        "FG2",
        "opened the document"
    );
    assert!(
        t.message()
            .starts_with("/Welcome: 1 of 1 in 1 document(s), this one in FG2"),
        "{}",
        t.message()
    );
    t.keys("/").type_text("a").keys("Enter");
    let m = t.app.study_hits.as_ref().unwrap().hits.len();
    assert!(m > 10);
    // n walks on through FG2 and wraps to FG1; N comes back.
    let mut docs = Vec::new();
    for _ in 0..m {
        t.keys("n");
        docs.push(t.app.doc.as_ref().unwrap().name.clone());
    }
    assert!(docs.contains(&"FG1".to_string()) && docs.contains(&"FG2".to_string()));
    assert!(
        t.message().contains(&format!(" of {m} in 2 document(s)")),
        "{}",
        t.message()
    );
    // The open document's matches are drawn highlighted (reversed + underlined).
    t.keys("/").type_text("days").keys("Enter");
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    term.draw(|f| thematic::tui::views::draw(&t.app, f))
        .unwrap();
    let buf = term.backend().buffer().clone();
    let mut found = false;
    for y in 0..40 {
        for x in 0..116 {
            let word: String = (0..4)
                .map(|k| buf[(x + k, y)].symbol().to_string())
                .collect();
            if word == "days" {
                let m = buf[(x + 1, y)].modifier;
                found |= m.contains(ratatui::style::Modifier::UNDERLINED);
            }
        }
    }
    assert!(found, "a highlighted match");
}

#[test]
fn the_margin_names_every_coder_of_a_code() {
    let mut t = open();
    // alex codes Trust/Worry where sam did; with others shown, the label names both.
    t.keys("/")
        .type_text("That worries me")
        .keys("Enter v ) c")
        .type_text("Trust/Worry");
    t.keys("Enter o");
    assert!(t.app.show_others);
    let screen = render(&t.app, 160, 48);
    let line = screen
        .lines()
        .find(|l| l.contains("That worries me"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(line.contains("Worry·AS"), "{line}");
}

#[test]
fn the_finder_says_why_a_code_path_is_invalid() {
    let mut t = open();
    t.keys("c").type_text("Access//New");
    match t.app.popups.last() {
        Some(Popup::Finder(f)) => {
            let p = f.problem.as_deref().unwrap_or_default();
            assert!(p.contains("no empty parts"), "{p}");
            assert!(!f.items.iter().any(|(_, l)| l.contains("create")));
        }
        _ => panic!("finder expected"),
    }
    let screen = render(&t.app, 80, 24);
    assert!(screen.contains("cannot create it"), "{screen}");
}

#[test]
fn auto_code_offers_the_span_and_analysis_footers_fit_the_tab() {
    let mut t = open();
    t.keys("F 3");
    let footer = |t: &T| render(&t.app, 160, 48).lines().last().unwrap().to_string();
    assert!(footer(&t).contains("c auto-code"), "{}", footer(&t));
    assert!(!footer(&t).contains("a attribute"), "{}", footer(&t));
    t.keys("/").type_text("days").keys("Enter t");
    assert!(t.message().contains("whole turns"), "{}", t.message());
    t.keys("c").type_text("Access/Delay").keys("Enter");
    let delay = codings_of(&t, "Delay");
    let (s, e) = turn(&t, 3);
    assert_eq!(
        delay,
        vec![(s as i64, e as i64)],
        "the whole turn, not the word"
    );
    t.keys("1");
    assert!(footer(&t).contains("a attribute"), "{}", footer(&t));
    assert!(!footer(&t).contains("c auto-code"), "{}", footer(&t));
}

#[test]
fn the_demo_opens_unblinded_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    // SAFETY: set before any other thread of this test reads the environment.
    unsafe { std::env::set_var("THEMATIC_DATA_DIR", dir.path()) };
    let (path, _) = thematic::demo::ensure(None).unwrap();
    let app = app_on(&path, "newcomer");
    assert!(app.show_others);
    let m = app.message.clone().unwrap_or_default();
    assert!(
        m.starts_with("Demo study: showing every coder's codings"),
        "{m}"
    );
    let screen = render(&app, 160, 48);
    assert!(!screen.contains(" 0·0"), "{screen}");
}

#[test]
fn a_matrix_cell_lists_its_excerpts_and_esc_comes_back() {
    let mut t = open();
    t.keys("F");
    // Group by the document attribute "group" (cycle with a until it is the one).
    for _ in 0..5 {
        let st = t.app.analysis.as_ref().unwrap();
        if st.attribute() == Some("document:group") {
            break;
        }
        t.keys("a");
    }
    let st = t.app.analysis.as_ref().unwrap();
    assert_eq!(st.attribute(), Some("document:group"));
    let m = st.matrix.as_ref().unwrap();
    let col = m
        .columns
        .iter()
        .position(|c| c.label == "survivors")
        .unwrap();
    let row = m.rows.iter().position(|r| r.name == "Habit").unwrap();
    t.keys(&"j ".repeat(row));
    t.keys(&"l ".repeat(col));
    t.keys("Enter");
    let r = t.app.retrieval.as_ref().expect("the cell's excerpts");
    assert_eq!(r.filter, "group:=survivors");
    assert_eq!(r.shown.len(), 1);
    assert_eq!(r.all[r.shown[0]].x.text, "It's become a habit");
    t.keys("Esc");
    assert!(t.app.retrieval.is_none());
    assert!(t.app.view.is_some(), "back in the analysis view");
}

#[test]
fn the_matrix_scrolls_sideways_at_80_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.thematic");
    drop(fixture::small_study(&path).unwrap());
    {
        // Twelve groups: more than 80 columns can show.
        let mut study = Study::open(&path).unwrap();
        for i in 3..=12 {
            let text = format!("[00:00:01] Moderator: Group {i}.\n[00:00:05] Sam: Hello {i}.");
            fixture::add_document(&mut study, &format!("FG{i}"), &fixture::parse_simple(&text))
                .unwrap();
        }
        let docs: Vec<i64> = study
            .conn()
            .prepare("SELECT id FROM documents")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        study
            .change(None, "attributes", "attributes", |rec| {
                use thematic::study::participants::{self, Scope};
                let a = participants::ensure_attribute(rec, Scope::Document, "aaa", "text")?;
                for (i, d) in docs.iter().enumerate() {
                    participants::set_document_value(rec, *d, a, &format!("group{i:02}"))?;
                }
                Ok(())
            })
            .unwrap();
    }
    let mut app = app_on(&path, "alex");
    app.resize(Rect::new(0, 0, 80, 24));
    let mut t = T {
        app,
        path,
        _dir: dir,
    };
    t.keys("F");
    assert_eq!(
        t.app.analysis.as_ref().unwrap().attribute(),
        Some("document:aaa")
    );
    let screen = render(&t.app, 80, 24);
    assert!(
        screen.contains("group00") && screen.contains('›'),
        "{screen}"
    );
    assert!(!screen.contains("group11"), "{screen}");
    t.keys("l l l l l l l l l l l");
    let screen = render(&t.app, 80, 24);
    assert!(
        screen.contains("group11") && screen.contains('‹'),
        "{screen}"
    );
    assert!(!screen.contains("group00"), "{screen}");
}

#[test]
fn the_participants_list_scrolls() {
    let mut t = open();
    t.keys("Tab");
    let before = render(&t.app, 80, 24);
    t.keys("]");
    let after = render(&t.app, 80, 24);
    assert!(t.app.participants_top > 0);
    assert_ne!(before, after);
    t.keys("[");
    assert_eq!(t.app.participants_top, 0);
}

#[test]
fn another_sessions_drafts_reload_quietly_real_changes_say_so() {
    let mut t = open();
    let mut sam = app_on(&t.path, "sam");
    sam.handle_event(Event::Key(KeyEvent::new(
        ratatui::crossterm::event::KeyCode::Char('M'),
        KeyModifiers::NONE,
    )));
    sam.save_drafts(true);
    t.app.message = None;
    t.app.tick();
    assert_eq!(t.app.message, None, "a draft is not news");
    // Sam saves: a real change, announced.
    sam.handle_event(Event::Key(KeyEvent::new(
        ratatui::crossterm::event::KeyCode::Char('x'),
        KeyModifiers::NONE,
    )));
    sam.handle_event(Event::Key(KeyEvent::new(
        ratatui::crossterm::event::KeyCode::Esc,
        KeyModifiers::NONE,
    )));
    assert_eq!(sam.message.as_deref(), Some("memo saved"));
    t.app.tick();
    assert_eq!(
        t.app.message.as_deref(),
        Some("the study changed on disk; reloaded")
    );
}

#[test]
fn consensus_codings_are_not_pooled_with_the_coders_in_counts() {
    let mut t = open();
    t.keys("o");
    assert!(t.app.show_others);
    let habit = t.app.codes.iter().find(|c| c.name == "Habit").unwrap().id;
    let before = t
        .app
        .counts
        .get(&habit)
        .copied()
        .unwrap_or_default()
        .codings;
    {
        let mut study = Study::open(&t.path).unwrap();
        let doc = t.app.doc.as_ref().unwrap().id;
        study
            .change(None, "review", "consensus", |rec| {
                let c = thematic::study::ensure_coder_in(rec, "consensus", true)?;
                thematic::coding::add(rec, doc, habit, c.id, 0, 5)
            })
            .unwrap();
    }
    t.app.tick();
    assert_eq!(
        t.app
            .counts
            .get(&habit)
            .copied()
            .unwrap_or_default()
            .codings,
        before,
        "the consensus coding repeats a coder's; not counted again"
    );
}

#[test]
fn the_saturation_chart_draws_no_bar_for_nothing_new_and_no_label_over_bars() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.thematic");
    thematic::demo::build(&path).unwrap();
    let mut app = app_on(&path, "alex");
    app.handle_event(Event::Key(KeyEvent::new(
        ratatui::crossterm::event::KeyCode::Char('F'),
        KeyModifiers::NONE,
    )));
    app.handle_event(Event::Key(KeyEvent::new(
        ratatui::crossterm::event::KeyCode::Char('4'),
        KeyModifiers::NONE,
    )));
    let st = app.analysis.as_ref().unwrap();
    let points = &st.saturation.as_ref().unwrap().points;
    let with_new = points.iter().filter(|p| !p.new_codes.is_empty()).count();
    assert!(
        with_new < points.len(),
        "the demo has transcripts adding nothing"
    );
    let screen = render(&app, 160, 48);
    let bar_rows: Vec<&str> = screen.lines().filter(|l| l.contains('█')).collect();
    assert!(!bar_rows.is_empty(), "{screen}");
    // One column per transcript that added codes, none for +0.
    let mut cols = std::collections::BTreeSet::new();
    for l in &bar_rows {
        for (i, c) in l.chars().enumerate() {
            if c == '█' {
                cols.insert(i);
            }
        }
        // No text on a row the bars occupy (the axis labels sit outside the plot).
        let inner: String = l.chars().skip(3).filter(|c| c.is_alphabetic()).collect();
        assert!(inner.is_empty(), "a label over the bars: {l}");
    }
    assert_eq!(cols.len(), with_new, "{screen}");
}

#[test]
fn esc_after_a_jump_from_review_returns_to_the_same_disagreement() {
    use thematic::tui::study_views::View;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.thematic");
    thematic::demo::build(&path).unwrap();
    let mut t = T {
        app: app_on(&path, "alex"),
        path,
        _dir: dir,
    };
    t.keys("A D");
    assert_eq!(t.app.view, Some(View::Review));
    t.keys("j");
    let sel = t.app.review.as_ref().unwrap().sel;
    let d = t.app.review.as_ref().unwrap().items[sel].clone();
    t.keys("Enter");
    assert_eq!(t.app.view, None);
    assert_eq!(t.app.doc.as_ref().unwrap().id, d.document_id);
    t.keys("j Esc");
    assert_eq!(t.app.view, Some(View::Review));
    assert_eq!(t.app.review.as_ref().unwrap().sel, sel);
}

#[test]
fn codebook_names_stay_distinct_at_80_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.thematic");
    thematic::demo::build(&path).unwrap();
    let mut app = app_on(&path, "alex");
    app.resize(Rect::new(0, 0, 80, 24));
    let screen = render(&app, 80, 24);
    // The codebook pane's rows: what sits between its borders on the left.
    let rows: Vec<String> = screen
        .lines()
        .skip_while(|l| !l.contains("Codebook"))
        .skip(1)
        .take_while(|l| !l.starts_with('└'))
        .map(|l| l.chars().take(22).collect())
        .collect();
    assert!(rows.len() > 5, "{screen}");
    let mut seen = std::collections::HashSet::new();
    for r in &rows {
        assert!(
            seen.insert(r.clone()),
            "two rows read the same: {r}\n{screen}"
        );
    }
    // The selected code's whole path is on the status row when the codebook has the keys.
    let mut t = T {
        app,
        path,
        _dir: dir,
    };
    t.keys("Tab Tab j j j");
    let screen = render(&t.app, 80, 24);
    let code = t.app.selected_code().unwrap().path.clone();
    assert!(screen.contains(&code), "{code}\n{screen}");
}
