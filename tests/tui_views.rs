//! The agreement, review and analysis views, driven by keys on the demo study, with assertions
//! on the state and the study file, and insta snapshots of the screens.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use thematic::Study;
use thematic::tui::app::App;
use thematic::tui::keymap::{Key, Keymap};
use thematic::tui::study_views::View;
use thematic::tui::theme::Theme;
use thematic::tui::{fixture, views};

struct T {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    app: App,
}

fn demo(w: u16, h: u16) -> T {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.thematic");
    thematic::demo::build(&path).unwrap();
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
    T {
        _dir: dir,
        path,
        app,
    }
}

impl T {
    fn keys(&mut self, keys: &str) -> &mut Self {
        for k in keys.split(' ').filter(|k| !k.is_empty()) {
            let key = Key::parse(k).unwrap_or_else(|| panic!("bad key {k}"));
            self.app
                .handle_event(Event::Key(KeyEvent::new(key.code, key.mods)));
        }
        self
    }

    #[allow(dead_code)]
    fn type_text(&mut self, s: &str) -> &mut Self {
        for c in s.chars() {
            self.app.handle_event(Event::Key(KeyEvent::new(
                KeyCode::Char(c),
                KeyModifiers::NONE,
            )));
        }
        self
    }

    fn screen(&self) -> String {
        let size = self.app.size;
        let mut t = Terminal::new(TestBackend::new(size.width, size.height)).unwrap();
        t.draw(|f| views::draw(&self.app, f)).unwrap();
        t.backend().to_string()
    }

    /// A count from the study file, read through a second connection.
    fn count(&self, sql: &str) -> i64 {
        let study = Study::open(&self.path).unwrap();
        study.conn().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    fn consensus_codings(&self) -> i64 {
        self.count(
            "SELECT count(*) FROM codings c JOIN coders k ON k.id = c.coder_id WHERE k.is_consensus = 1",
        )
    }
}

#[test]
fn agreement_view_shows_alpha_per_code() {
    let mut t = demo(120, 40);
    t.keys("A");
    assert_eq!(t.app.view, Some(View::Agreement));
    let st = t.app.agreement.as_ref().unwrap();
    let r = st.report.as_ref().expect("a report");
    assert_eq!(r.coders, ["alex", "sam"]);
    assert!(
        r.codes
            .iter()
            .any(|c| c.coefficients.krippendorff_alpha.flatten().is_some()),
        "some code has an alpha"
    );
    let screen = t.screen();
    assert!(screen.contains("alpha"), "{screen}");
    assert!(screen.contains("Agreement"), "{screen}");
    // Worst first: alphas ascend down the rows.
    let alphas: Vec<f64> = st
        .rows
        .iter()
        .filter_map(|&i| r.codes[i].coefficients.krippendorff_alpha.flatten())
        .collect();
    assert!(alphas.windows(2).all(|w| w[0] <= w[1]), "{alphas:?}");
    // The unit cycles and is recomputed.
    t.keys("t");
    let st = t.app.agreement.as_ref().unwrap();
    assert_eq!(st.report.as_ref().unwrap().unit, "sentence");
    t.keys("t");
    assert_eq!(
        t.app
            .agreement
            .as_ref()
            .unwrap()
            .report
            .as_ref()
            .unwrap()
            .unit,
        "char"
    );
    // `?` lists the view's keys; Esc backs out to the workbench.
    t.keys("?");
    assert!(t.screen().contains("review all disagreements"));
    t.keys("Esc Esc");
    assert_eq!(t.app.view, None);
}

#[test]
fn review_accepts_a_version_under_consensus_and_undoes() {
    let mut t = demo(120, 40);
    t.keys("A D");
    assert_eq!(t.app.view, Some(View::Review));
    let st = t.app.review.as_ref().unwrap();
    let before = st.items.len();
    assert!(before > 0, "the demo has disagreements");
    let alex = st.coders.iter().position(|c| c == "alex").unwrap() + 1;
    // The first disagreement where alex applied the code, so accepting alex writes a coding.
    let at = st
        .items
        .iter()
        .position(|d| d.versions[alex - 1].applied)
        .unwrap();
    let target = st.items[at].clone();
    for _ in 0..at {
        t.keys("j");
    }
    let screen = t.screen();
    assert!(screen.contains("alex"), "{screen}");
    assert_eq!(t.consensus_codings(), 0);
    t.keys(&alex.to_string());
    assert!(t.consensus_codings() >= 1, "{:?}", t.app.message);
    assert_eq!(t.count("SELECT count(*) FROM reviews"), 1);
    let st = t.app.review.as_ref().unwrap();
    assert_eq!(st.items.len(), before - 1);
    assert!(!st.items.contains(&target), "the resolved unit drops out");
    t.keys("u");
    assert_eq!(t.consensus_codings(), 0);
    assert_eq!(t.count("SELECT count(*) FROM reviews"), 0);
    assert_eq!(t.app.review.as_ref().unwrap().items.len(), before);
    // B and N are one decision each, too.
    t.keys("B N");
    assert_eq!(t.count("SELECT count(*) FROM reviews"), 2);
    assert_eq!(t.app.review.as_ref().unwrap().items.len(), before - 2);
    // Esc goes back to agreement, then to the workbench.
    t.keys("Esc");
    assert_eq!(t.app.view, Some(View::Agreement));
    t.keys("Esc");
    assert_eq!(t.app.view, None);
}

#[test]
fn review_of_one_code_and_jump_to_transcript() {
    let mut t = demo(120, 40);
    t.keys("A Enter");
    assert_eq!(t.app.view, Some(View::Review));
    let st = t.app.review.as_ref().unwrap();
    let code = st.code.clone().expect("one code");
    assert!(st.items.iter().all(|d| d.code_id == code.0));
    if let Some(d) = st.items.first().cloned() {
        t.keys("Enter");
        assert_eq!(t.app.view, None);
        assert_eq!(t.app.doc.as_ref().unwrap().id, d.document_id);
        assert_eq!(t.app.cursor, d.start as usize);
    }
}

#[test]
fn agreement_snapshots() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut t = demo(w, h);
        t.keys("A");
        insta::assert_snapshot!(format!("agreement_{w}x{h}"), t.screen());
        t.keys("D");
        insta::assert_snapshot!(format!("review_{w}x{h}"), t.screen());
    }
}
