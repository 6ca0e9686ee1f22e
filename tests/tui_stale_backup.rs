//! The workbench warns on start about half-written backups, as every CLI command does.

use ratatui::layout::Rect;
use thematic::Study;
use thematic::tui::app::App;
use thematic::tui::fixture;
use thematic::tui::keymap::Keymap;
use thematic::tui::theme::Theme;

fn open(path: &std::path::Path) -> App {
    App::new(
        Study::open(path).unwrap(),
        "alex",
        Keymap::default(),
        Theme::plain(),
        Rect::new(0, 0, 120, 40),
    )
    .unwrap()
}

#[test]
fn the_workbench_reports_a_stale_partial_backup_on_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.thematic");
    drop(fixture::small_study(&path).unwrap());
    let clean = open(&path);
    assert!(
        !clean
            .message
            .as_deref()
            .unwrap_or("")
            .contains("unfinished backup"),
        "no partial backup, no warning"
    );
    drop(clean);
    // The name a backup killed mid-write leaves (see exchange::backups::partial_name).
    let partial = dir
        .path()
        .join(".s.backup-20260101-000000.thematic.partial");
    std::fs::write(&partial, b"").unwrap();
    let app = open(&path);
    let message = app.message.as_deref().expect("a status message on start");
    assert!(message.contains("unfinished backup"), "{message}");
    assert!(message.contains(".thematic.partial"), "{message}");
    // The CLI's wording, from the same function.
    assert!(message.starts_with(&thematic::exchange::backups::stale_warning(&path).unwrap()));
}
