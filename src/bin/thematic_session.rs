//! A scripted coding session for the crash and two-writer tests (tests/faults_*.rs): reads
//! actions from stdin, runs each as one recorded action (`Study::change`, synchronous=FULL) and
//! prints `committed N` after each commit, flushing stdout, so a test that kills this process
//! knows exactly which actions were reported durable.
//!
//! Usage: `thematic_session STUDY CODER [FIRST]` — FIRST numbers the first action (default 1).
//! Actions, one per line (ids are database ids):
//!   add DOC CODE START END     apply a code (coding::add)
//!   del DOC CODE START END     remove this coder's codings of CODE overlapping START:END
//!   wait-total N               wait (up to 10 min) until the study holds N codings in all
//! On an error it prints `error N: MESSAGE` and exits 1.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use thematic::Study;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: thematic_session STUDY CODER [FIRST] < actions");
        std::process::exit(2);
    }
    let path = PathBuf::from(&args[1]);
    let first: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let fail = |out: &mut std::io::StdoutLock, n: u64, e: &dyn std::fmt::Display| -> ! {
        let _ = writeln!(out, "error {n}: {e}");
        let _ = out.flush();
        std::process::exit(1);
    };
    let mut study = match Study::open(&path) {
        Ok(s) => s,
        Err(e) => fail(&mut out, first, &e),
    };
    let coder = match study.ensure_coder(&args[2]) {
        Ok(c) => c,
        Err(e) => fail(&mut out, first, &e),
    };
    let mut n = first;
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let parts: Vec<&str> = line.split_whitespace().collect();
        let nums: Vec<i64> = parts
            .iter()
            .skip(1)
            .filter_map(|p| p.parse().ok())
            .collect();
        let result = match (parts.first().copied(), nums.as_slice()) {
            (Some("add"), &[doc, code, start, end]) => study
                .change(
                    Some(coder.id),
                    "code",
                    &format!("session action {n}"),
                    |rec| thematic::coding::add(rec, doc, code, coder.id, start, end),
                )
                .map(|_| ()),
            (Some("del"), &[doc, code, start, end]) => study
                .change(
                    Some(coder.id),
                    "uncode",
                    &format!("session action {n}"),
                    |rec| thematic::coding::uncode(rec, doc, code, coder.id, start, end),
                )
                .map(|_| ()),
            (Some("wait-total"), &[want]) => {
                let started = Instant::now();
                loop {
                    let total: i64 = study
                        .conn()
                        .query_row("SELECT count(*) FROM codings", [], |r| r.get(0))
                        .unwrap_or(-1);
                    if total == want {
                        let _ = writeln!(out, "total {total}");
                        break Ok(());
                    }
                    if started.elapsed() > Duration::from_secs(600) {
                        break Err(thematic::Error::Invalid(format!(
                            "saw {total} codings, expected {want}"
                        )));
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
            (None, _) => continue,
            _ => Err(thematic::Error::Invalid(format!("bad action: {line}"))),
        };
        if let Err(e) = result {
            fail(&mut out, n, &e);
        }
        let _ = writeln!(out, "committed {n}");
        let _ = out.flush();
        n += 1;
    }
}
