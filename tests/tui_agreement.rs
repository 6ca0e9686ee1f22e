//! The workbench's agreement parts (issue 11) driven by keys: `D` in the document list marks a
//! document done (and again, not done), `c` in the agreement view picks the compared coders.

use ratatui::crossterm::event::{Event, KeyEvent};
use ratatui::layout::Rect;
use thematic::Study;
use thematic::tui::app::{App, Pane};
use thematic::tui::fixture;
use thematic::tui::keymap::{Key, Keymap};
use thematic::tui::theme::Theme;

fn open(dir: &tempfile::TempDir) -> (std::path::PathBuf, App) {
    let path = dir.path().join("s.thematic");
    drop(fixture::small_study(&path).unwrap());
    let mut study = Study::open(&path).unwrap();
    study.set_clock(fixture::fixed_clock());
    let app = App::new(
        study,
        "alex",
        Keymap::default(),
        Theme::plain(),
        Rect::new(0, 0, 120, 40),
    )
    .unwrap();
    (path, app)
}

fn keys(app: &mut App, keys: &str) {
    for k in keys.split(' ').filter(|k| !k.is_empty()) {
        let key = Key::parse(k).unwrap();
        app.handle_event(Event::Key(KeyEvent::new(key.code, key.mods)));
    }
}

fn done_rows(path: &std::path::Path) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT d.name, c.name FROM document_done x JOIN documents d ON d.id = x.document_id JOIN coders c ON c.id = x.coder_id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn d_marks_the_selected_document_done_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut app) = open(&dir);
    app.focus = Pane::Documents;
    let first = app.docs[0].clone();
    keys(&mut app, "D");
    assert!(app.done.contains(&first.id));
    assert_eq!(done_rows(&path), vec![(first.name.clone(), "alex".into())]);
    assert!(
        app.message.as_deref().unwrap_or("").contains("marked done"),
        "{:?}",
        app.message
    );
    keys(&mut app, "D");
    assert!(!app.done.contains(&first.id));
    assert!(done_rows(&path).is_empty());
    // Marking is an action like any other: undo brings the mark back.
    keys(&mut app, "u");
    assert_eq!(done_rows(&path).len(), 1);
}

#[test]
fn c_cycles_the_compared_coders() {
    let dir = tempfile::tempdir().unwrap();
    let (_path, mut app) = open(&dir);
    keys(&mut app, "A");
    let default = app
        .agreement
        .as_ref()
        .unwrap()
        .report
        .as_ref()
        .map(|r| r.coders.clone());
    keys(&mut app, "c");
    let st = app.agreement.as_ref().unwrap();
    assert_eq!(st.coders.len(), 2, "the first pair: {:?}", st.coders);
    let r = st.report.as_ref().expect("a report for the picked pair");
    assert_eq!(r.coders, st.coders);
    assert!(
        app.message.as_deref().unwrap_or("").contains("coders:"),
        "{:?}",
        app.message
    );
    // Cycling comes back round to the default rule.
    for _ in 0..10 {
        keys(&mut app, "c");
        if app.agreement.as_ref().unwrap().coders.is_empty() {
            break;
        }
    }
    let st = app.agreement.as_ref().unwrap();
    assert!(st.coders.is_empty());
    assert_eq!(st.report.as_ref().map(|r| r.coders.clone()), default);
}

/// Starts an ICR round on the fixture study (alex and sam, every document) before the app opens.
fn open_with_round(dir: &tempfile::TempDir) -> (std::path::PathBuf, App) {
    use thematic::agreement::icr::{SampleBy, SampleRequest, sample};
    let path = dir.path().join("s.thematic");
    drop(fixture::small_study(&path).unwrap());
    let mut study = Study::open(&path).unwrap();
    study.set_clock(fixture::fixed_clock());
    let alex = study.ensure_coder("alex").unwrap();
    let coders = vec!["alex".to_string(), "sam".to_string()];
    sample(
        &mut study,
        alex.id,
        &SampleRequest {
            share: 1.0,
            coders: &coders,
            by: SampleBy::Document,
            stratify: None,
            seed: 1,
        },
    )
    .unwrap();
    let app = App::new(
        study,
        "alex",
        Keymap::default(),
        Theme::plain(),
        Rect::new(0, 0, 120, 40),
    )
    .unwrap();
    (path, app)
}

fn screen(app: &App) -> String {
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    term.draw(|f| thematic::tui::views::draw(app, f)).unwrap();
    term.backend().to_string()
}

#[test]
fn r_in_the_agreement_view_lists_the_icr_rounds_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let (_path, mut app) = open_with_round(&dir);
    keys(&mut app, "A R");
    let rounds = app.agreement.as_ref().unwrap().rounds.clone();
    let list = rounds.expect("R loads the rounds").unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].coders, vec!["alex".to_string(), "sam".to_string()]);
    let shown = screen(&app);
    assert!(shown.contains("ICR rounds (1)"), "{shown}");
    assert!(
        shown.contains("Round 1 · open · coders alex, sam"),
        "{shown}"
    );
    assert!(shown.contains("by document (100%, seed 1)"), "{shown}");
    // Esc leaves the rounds for the agreement table, not the workbench.
    keys(&mut app, "Esc");
    assert!(app.agreement.as_ref().unwrap().rounds.is_none());
    assert!(app.view.is_some());
    assert!(!screen(&app).contains("ICR rounds"));
    keys(&mut app, "R R");
    assert!(app.agreement.as_ref().unwrap().rounds.is_none());
}

#[test]
fn r_without_rounds_says_how_to_start_one() {
    let dir = tempfile::tempdir().unwrap();
    let (_path, mut app) = open(&dir);
    keys(&mut app, "A R");
    let shown = screen(&app);
    assert!(shown.contains("ICR rounds (0)"), "{shown}");
    assert!(shown.contains("No ICR rounds yet"), "{shown}");
}

#[test]
fn the_document_list_marks_what_you_are_assigned_in_the_open_round() {
    let dir = tempfile::tempdir().unwrap();
    let (_path, app) = open_with_round(&dir);
    let a = app.icr.as_ref().expect("alex is a coder of the open round");
    assert_eq!(a.round, 1);
    // Share 1 by document: every document is assigned, whole.
    assert_eq!(a.documents.len(), app.docs.len());
    let shown = screen(&app);
    assert!(shown.contains("ICR round 1"), "{shown}");
    assert!(
        shown.contains(&format!("{} ◇", app.docs[0].name)),
        "{shown}"
    );
}

#[test]
fn a_coder_outside_the_round_sees_no_assignment() {
    let dir = tempfile::tempdir().unwrap();
    let (path, app) = open_with_round(&dir);
    drop(app);
    let study = Study::open(&path).unwrap();
    let app = App::new(
        study,
        "kim",
        Keymap::default(),
        Theme::plain(),
        Rect::new(0, 0, 120, 40),
    )
    .unwrap();
    assert!(app.icr.is_none());
    assert!(!screen(&app).contains("◇"));
}

fn worry_codings(app: &App) -> u64 {
    let m = app.analysis.as_ref().unwrap().matrix.as_ref().unwrap();
    m.rows
        .iter()
        .find(|r| r.path == "Trust/Worry")
        .map(|r| r.total.codings)
        .unwrap_or(0)
}

#[test]
fn w_in_the_analysis_view_picks_whose_codings_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let (_path, mut app) = open(&dir);
    keys(&mut app, "F");
    assert!(
        screen(&app).contains("Analysis (independent coders pooled; not consensus)"),
        "{}",
        screen(&app)
    );
    // The fixture: only sam applied Trust/Worry.
    assert!(worry_codings(&app) > 0);
    keys(&mut app, "w");
    let st = app.analysis.as_ref().unwrap();
    assert_eq!(st.coder.as_ref().map(|c| c.1.as_str()), Some("alex"));
    assert_eq!(st.matrix.as_ref().unwrap().coder, st.coder_id());
    assert_eq!(worry_codings(&app), 0);
    assert!(screen(&app).contains("Analysis (coder alex only)"));
    keys(&mut app, "w");
    assert!(worry_codings(&app) > 0);
    assert!(screen(&app).contains("Analysis (coder sam only)"));
    // Back round to the pooled independent coders (no consensus coding in the fixture).
    keys(&mut app, "w");
    assert!(app.analysis.as_ref().unwrap().coder.is_none());
    // Co-occurrence counts the picked coder too.
    keys(&mut app, "w 2");
    let st = app.analysis.as_ref().unwrap();
    assert!(st.co.is_some());
    assert!(screen(&app).contains("coder alex only"));
}
