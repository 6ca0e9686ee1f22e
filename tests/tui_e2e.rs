//! End to end: the real binary in tmux codes an excerpt with keys, quits, and the coding is in
//! the study file. Skipped (with a printed reason; the test passes) when tmux is not installed —
//! CI installs it (`apt-get install -y tmux`).

use std::process::Command;
use std::time::{Duration, Instant};

fn tmux(args: &[&str]) -> std::process::Output {
    Command::new("tmux").args(args).output().expect("run tmux")
}

#[test]
fn codes_an_excerpt_in_tmux_and_quits() {
    if Command::new("tmux").arg("-V").output().is_err() {
        println!("SKIPPED: tmux is not installed (apt-get install -y tmux to run this test)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e2e.thematic");
    drop(thematic::tui::fixture::small_study(&path).unwrap());
    let session = format!("thematic-e2e-{}", std::process::id());
    let socket = dir.path().join("tmux.sock");
    let socket = socket.to_str().unwrap();
    let cmd = format!(
        "env XDG_CONFIG_HOME={d} THEMATIC_DATA_DIR={d} TERM=xterm-256color {bin} --project {p} --coder alex",
        d = dir.path().display(),
        bin = env!("CARGO_BIN_EXE_thematic"),
        p = path.display()
    );
    let t = |args: &[&str]| {
        let mut all = vec!["-S", socket];
        all.extend_from_slice(args);
        tmux(&all)
    };
    let started = t(&[
        "new-session",
        "-d",
        "-s",
        &session,
        "-x",
        "120",
        "-y",
        "40",
        &cmd,
    ]);
    assert!(
        started.status.success(),
        "{}",
        String::from_utf8_lossy(&started.stderr)
    );
    let capture = |what: &str| {
        let start = Instant::now();
        loop {
            let out = t(&["capture-pane", "-p", "-t", &session]);
            let screen = String::from_utf8_lossy(&out.stdout).into_owned();
            if screen.contains(what) || start.elapsed() > Duration::from_secs(15) {
                return screen;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let screen = capture("Documents");
    assert!(screen.contains("Moderator"), "{screen}");
    for k in ["}", "v", "w", "w", "c"] {
        t(&["send-keys", "-t", &session, "-l", k]);
    }
    let screen = capture("Code the selection");
    assert!(screen.contains("Code the selection"), "{screen}");
    t(&["send-keys", "-t", &session, "-l", "Trust/Worry"]);
    t(&["send-keys", "-t", &session, "Enter"]);
    let screen = capture("coded 11 characters");
    assert!(screen.contains("coded 11 characters"), "{screen}");
    t(&["send-keys", "-t", &session, "-l", "q"]);
    let start = Instant::now();
    while t(&["has-session", "-t", &session]).status.success() {
        if start.elapsed() > Duration::from_secs(10) {
            t(&["kill-session", "-t", &session]);
            panic!("the workbench did not quit on q");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    t(&["kill-server"]);
    let study = thematic::Study::open(&path).unwrap();
    let found: i64 = study
        .conn()
        .query_row(
            "SELECT count(*) FROM codings c JOIN codes k ON k.id = c.code_id JOIN coders p ON p.id = c.coder_id
              JOIN documents d ON d.id = c.document_id
              WHERE k.name = 'Worry' AND p.name = 'alex' AND substr(d.text, c.start + 1, c.\"end\" - c.start) = 'I''ll start.'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(found, 1);
}
