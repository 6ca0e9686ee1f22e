//! Two coders in two processes code the same study file at once, thousands of actions each:
//! nothing is lost, no "database is locked" error surfaces, and each process ends up seeing the
//! other's work (the final count is the sum). `THEMATIC_LONG_TESTS=1` for the long version.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use thematic::study::generate::{GenOptions, generate};

fn long() -> bool {
    std::env::var("THEMATIC_LONG_TESTS").is_ok_and(|v| v == "1")
}

fn two_writers(each: i64) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.thematic");
    generate(
        &path,
        &GenOptions {
            docs: 4,
            turns_per_doc: 200,
            coders: 0,
            codings: 0,
            codes: 10,
            seed: 5,
        },
    )
    .unwrap();
    let (docs, codes): (Vec<i64>, Vec<i64>) = {
        let conn = rusqlite::Connection::open(&path).unwrap();
        let ids = |sql: &str| -> Vec<i64> {
            let mut s = conn.prepare(sql).unwrap();
            s.query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        (
            ids("SELECT id FROM documents ORDER BY id"),
            ids("SELECT id FROM codes WHERE parent_id IS NOT NULL ORDER BY id"),
        )
    };
    let bin = assert_cmd::cargo::cargo_bin("thematic_session");
    let started = std::time::Instant::now();
    let children: Vec<_> = ["alex", "sam"]
        .iter()
        .map(|coder| {
            let mut child = Command::new(&bin)
                .arg(&path)
                .arg(coder)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            // Both coders work on the same passages of the same documents.
            let mut script = String::new();
            for i in 0..each {
                let d = docs[(i % docs.len() as i64) as usize];
                let c = codes[(i % codes.len() as i64) as usize];
                script.push_str(&format!("add {d} {c} {i} {}\n", i + 3 + i % 7));
            }
            script.push_str(&format!("wait-total {}\n", 2 * each));
            let mut stdin = child.stdin.take().unwrap();
            // (A write error means the session stopped early; its output says why.)
            let writer = std::thread::spawn(move || {
                let _ = stdin.write_all(script.as_bytes());
            });
            // Both outputs are drained at once: a full pipe would stall a session.
            let stdout = child.stdout.take().unwrap();
            let reader = std::thread::spawn(move || {
                BufReader::new(stdout)
                    .lines()
                    .map_while(Result::ok)
                    .collect::<Vec<String>>()
            });
            (coder.to_string(), child, writer, reader)
        })
        .collect();
    for (coder, mut child, writer, reader) in children {
        let lines = reader.join().unwrap();
        let status = child.wait().unwrap();
        writer.join().unwrap();
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        let all = format!("{}\n{stderr}", lines.join("\n"));
        assert!(
            !all.to_lowercase().contains("locked") && !all.to_lowercase().contains("busy"),
            "{coder}: {all}"
        );
        assert!(
            status.success(),
            "{coder} failed: {}",
            lines.last().unwrap()
        );
        let committed = lines.iter().filter(|l| l.starts_with("committed ")).count() as i64;
        assert_eq!(committed, each + 1, "{coder}: every action and the wait");
        assert!(
            lines.contains(&format!("total {}", 2 * each)),
            "{coder} never saw the other's work: {:?}",
            lines.last()
        );
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    let per_coder: Vec<(String, i64)> = conn
        .prepare("SELECT k.name, count(*) FROM codings c JOIN coders k ON k.id = c.coder_id GROUP BY k.name ORDER BY k.name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        per_coder,
        vec![("alex".to_string(), each), ("sam".to_string(), each)]
    );
    let changes: i64 = conn
        .query_row(
            "SELECT count(*) FROM changes WHERE kind = 'code'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(changes, 2 * each, "one recorded change per action");
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    eprintln!(
        "two writers × {each} actions each: {} codings, nothing lost, no lock errors, in {:.1} s",
        2 * each,
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn two_coders_write_the_same_study_at_once() {
    two_writers(if long() { 5_000 } else { 1_000 });
}

#[test]
#[ignore = "long: run with --ignored"]
fn two_coders_many_actions() {
    two_writers(10_000);
}
