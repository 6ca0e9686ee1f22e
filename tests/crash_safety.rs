//! Kills a writer (SIGKILL) mid-import at several moments; every time the study file must pass
//! SQLite's integrity check and hold either all of the import or none of it.

mod common;

use common::TempStudy;
use std::process::Stdio;
use std::time::Duration;

const ROWS: usize = 5_000;

#[test]
fn killed_writer_leaves_an_intact_all_or_nothing_study() {
    let s = TempStudy::new();
    let mut transcript = String::new();
    for i in 0..200 {
        transcript.push_str(&format!(
            "Ana: sentence number {i} about the portal and messages.\n"
        ));
        transcript.push_str(&format!("Ben: reply number {i}, quite short.\n"));
    }
    let file = s.write("long.txt", &transcript);
    s.cmd().arg("import").arg(&file).assert().success();
    let mut csv = String::from("document,coder,code,start,end\n");
    for i in 0..ROWS {
        let start = i % 2500;
        let end = start + 1 + i / 2500;
        csv.push_str(&format!("long,sam,Theme/Code {},{start},{end}\n", i % 7));
    }
    let codings = s.write("codings.csv", csv);

    let spawn = || {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("thematic"))
            .args(["--project"])
            .arg(&s.path)
            .args(["--coder", "sam", "import-codings"])
            .arg(&codings)
            .env("THEMATIC_DATA_DIR", s.dir.path().join("data"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    // Time one complete run, then kill at fractions of that time (and once after it ends).
    let started = std::time::Instant::now();
    assert!(spawn().wait().unwrap().success());
    let full = started.elapsed().as_millis() as u64;
    s.cmd_as("sam").arg("undo").assert().success();

    let mut outcomes = Vec::new();
    for percent in [0u64, 10, 30, 50, 70, 85, 95, 150] {
        let delay_ms = full * percent / 100;
        let mut child = spawn();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let status = child.wait().unwrap();

        let conn = rusqlite::Connection::open(&s.path).unwrap();
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok", "after a kill at {delay_ms} ms");
        let n: i64 = conn
            .query_row("SELECT count(*) FROM codings", [], |r| r.get(0))
            .unwrap();
        assert!(
            n == 0 || n == ROWS as i64,
            "a kill at {delay_ms} ms left {n} of {ROWS} codings: a half-done import"
        );
        outcomes.push((delay_ms, status.success(), n));
        if n == ROWS as i64 {
            // Completed before the kill: undo it so the next round starts empty again.
            s.cmd_as("sam").arg("undo").assert().success();
        }
    }
    assert!(
        outcomes.iter().any(|&(_, finished, n)| !finished && n == 0),
        "no kill landed before the commit: {outcomes:?}"
    );
    eprintln!("full run {full} ms; kill outcomes (delay ms, finished, codings): {outcomes:?}");
}
