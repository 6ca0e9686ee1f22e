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
    // The team's thresholds (config.toml's agreement_thresholds) move the markers.
    let unreliable = screen.matches("**").count();
    assert!(unreliable > 0);
    t.app.thresholds = [0.0, 0.5];
    assert!(t.screen().matches("**").count() < unreliable);
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

impl T {
    fn analysis(&self) -> &thematic::tui::analysis_view::AnalysisState {
        self.app.analysis.as_ref().expect("analysis open")
    }

    /// Presses `a` until the matrix groups by `name`.
    fn group_by(&mut self, name: &str) {
        for _ in 0..20 {
            if self
                .analysis()
                .attribute()
                .is_some_and(|a| a.ends_with(&format!(":{name}")))
            {
                return;
            }
            self.keys("a");
        }
        panic!("no attribute {name}: {:?}", self.analysis().attributes);
    }

    fn all_codings(&self) -> i64 {
        self.count("SELECT count(*) FROM codings")
    }
}

#[test]
fn analysis_matrix_by_composition_shows_both_groups() {
    let mut t = demo(120, 40);
    t.keys("F");
    assert_eq!(t.app.view, Some(View::Analysis));
    t.group_by("composition");
    let m = t.analysis().matrix.as_ref().unwrap();
    let labels: Vec<String> = m.columns.iter().map(|c| c.label.clone()).collect();
    assert!(labels.contains(&"all-female".to_string()), "{labels:?}");
    assert!(labels.len() >= 2, "{labels:?}");
    let screen = t.screen();
    for l in &labels {
        assert!(screen.contains(l.as_str()), "{l} in\n{screen}");
    }
    assert!(screen.contains("% of participants by"), "{screen}");
    // j moves the selected code, and the bar chart follows it.
    let first = t.analysis().matrix.as_ref().unwrap().rows[1].path.clone();
    t.keys("j");
    assert!(t.screen().contains(&first[..first.len().min(20)]));
    // Tabs switch with ] [ and digits; Esc leaves.
    t.keys("] ]");
    assert_eq!(t.analysis().tab, 2);
    t.keys("[ 1");
    assert_eq!(t.analysis().tab, 0);
    t.keys("Esc");
    assert_eq!(t.app.view, None);
}

#[test]
fn cooccurrence_drills_down_to_excerpts_and_jumps() {
    let mut t = demo(120, 40);
    t.keys("F 2");
    let co = t.analysis().co.as_ref().unwrap();
    let n = co.codes.len();
    let (i, j) = (0..n)
        .flat_map(|i| (0..n).map(move |j| (i, j)))
        .find(|&(i, j)| i != j && co.counts[i][j] > 0)
        .expect("some codes co-occur");
    let count = co.counts[i][j] as usize;
    for _ in 0..i {
        t.keys("j");
    }
    for _ in 0..j {
        t.keys("l");
    }
    assert_eq!((t.analysis().co_row, t.analysis().co_col), (i, j));
    t.keys("Enter");
    let drill = t.analysis().drill.as_ref().expect("drill-down");
    assert_eq!(drill.items.len(), count);
    let x = drill.items[0].clone();
    assert!(t.screen().contains("excerpt(s)"));
    t.keys("Esc");
    assert!(t.analysis().drill.is_none());
    assert_eq!(t.app.view, Some(View::Analysis));
    t.keys("Enter Enter");
    assert_eq!(t.app.view, None);
    assert_eq!(t.app.doc.as_ref().unwrap().name, x.document);
    assert_eq!(t.app.cursor, x.start as usize);
}

#[test]
fn search_and_autocode_the_hits_in_one_undoable_action() {
    let mut t = demo(120, 40);
    t.keys("F 3 /");
    t.type_text("portal");
    t.keys("Enter");
    let hits = t.analysis().results.as_ref().unwrap().hits.len();
    assert!(hits > 0);
    let screen = t.screen();
    assert!(screen.to_lowercase().contains("portal"), "{screen}");
    assert!(screen.contains("hit(s)"), "{screen}");
    let before = t.all_codings();
    let changes = t.count("SELECT count(*) FROM changes");
    t.keys("c");
    t.type_text("Search/Portal mentions");
    t.keys("Enter");
    let after = t.all_codings();
    assert!(after > before, "{:?}", t.app.message);
    assert_eq!(
        t.count("SELECT count(*) FROM changes"),
        changes + 1,
        "one action"
    );
    assert!(
        t.app
            .codes
            .iter()
            .any(|c| c.path == "Search/Portal mentions")
    );
    t.keys("u");
    assert_eq!(t.all_codings(), before);
    assert!(
        !t.app
            .codes
            .iter()
            .any(|c| c.path == "Search/Portal mentions")
    );
    // Enter on a hit jumps to it in the transcript.
    let h = t.analysis().results.as_ref().unwrap().hits[0].clone();
    t.keys("Enter");
    assert_eq!(t.app.view, None);
    assert_eq!(t.app.doc.as_ref().unwrap().id, h.document_id);
}

#[test]
fn saturation_and_versions_tabs_render() {
    let mut t = demo(120, 40);
    t.keys("F 4");
    let s = t.analysis().saturation.as_ref().unwrap();
    assert_eq!(s.points.len(), 5);
    let screen = t.screen();
    assert!(screen.contains("codes so far"), "{screen}");
    assert!(screen.contains("FG5"), "{screen}");
    t.keys("5 s");
    t.type_text("first pass");
    t.keys("Enter");
    assert_eq!(t.analysis().versions.len(), 1, "{:?}", t.app.message);
    assert!(t.screen().contains("first pass"));
    // Change the codebook, then diff the snapshot against now.
    t.keys("Esc Tab Tab a");
    t.type_text("Brand new code");
    t.keys("Enter F 5 Enter");
    let d = t.analysis().diff.as_ref().expect("a diff");
    assert!(
        d.added.iter().any(|a| a.contains("Brand new code")),
        "{d:?}"
    );
    let screen = t.screen();
    assert!(screen.contains("added"), "{screen}");
    t.keys("Esc");
    assert!(t.analysis().diff.is_none());
}

#[test]
fn analysis_snapshots() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut t = demo(w, h);
        t.keys("F");
        t.group_by("composition");
        insta::assert_snapshot!(format!("analysis_matrix_{w}x{h}"), t.screen());
    }
}
