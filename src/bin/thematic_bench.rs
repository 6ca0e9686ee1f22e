//! The benchmark suite behind `scripts/bench`: builds its data with `thematic gen-study`, runs
//! each measurement several times (child processes where memory matters, measured with
//! wait4's peak RSS) and prints one Markdown table with median, p99/spread, peak memory, the
//! target, and the peer's time on the same data where a peer exists.
//!
//! Usage: `thematic_bench [--quick] [--work DIR] [--python PY]`
//! Probes it runs as children of itself: `probe-frame STUDY`, `probe-analysis STUDY RUNS`, `probe-commit STUDY N`;
//! and `tui_bench` (a sibling binary) for the keypress row.
//!
//! Rows are a list: a new measurement is one more `rows.push(...)`.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use thematic::Study;
use thematic::agreement::{MISSING, Ratings, SplitMix64, all_categorical};

/// Turns per generated document: 1,000 documents of 515 turns hold ~100 MB of text, the size
/// the analysis targets are set for.
const TURNS: &str = "515";

struct Row {
    name: String,
    runs: usize,
    median: String,
    spread: String,
    peak: String,
    target: String,
    peer: String,
    result: String,
}

struct Stats {
    median: f64,
    p99: f64,
    min: f64,
    max: f64,
}

fn stats(times: &[f64]) -> Stats {
    let mut t = times.to_vec();
    t.sort_by(f64::total_cmp);
    let at = |q: f64| t[((t.len() as f64 - 1.0) * q).round() as usize];
    Stats {
        median: at(0.5),
        p99: at(0.99),
        min: t[0],
        max: t[t.len() - 1],
    }
}

fn ms(s: f64) -> String {
    if s < 0.001 {
        format!("{:.0} µs", s * 1e6)
    } else if s < 1.0 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

fn mb(kb: u64) -> String {
    format!("{:.1} MB", kb as f64 / 1024.0)
}

/// CPU seconds (user + system) of the last child reaped by `run_child`.
static LAST_CPU: std::sync::Mutex<f64> = std::sync::Mutex::new(0.0);

/// Runs a child to completion; returns wall seconds, peak RSS (KiB) and its stdout.
/// The child is reaped by `wait4` (which also gives its rusage), not by `Child::wait`.
#[allow(clippy::zombie_processes)]
fn run_child(cmd: &mut Command, out: &Path) -> (f64, u64, String) {
    let file = File::create(out).expect("bench output file");
    let started = Instant::now();
    let child = cmd
        .stdout(Stdio::from(file))
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn bench child");
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waiting on our own child's pid with valid out-pointers.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    let wall = started.elapsed().as_secs_f64();
    assert_eq!(pid, child.id() as i32, "wait4 failed");
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    *LAST_CPU.lock().expect("cpu") = secs(usage.ru_utime) + secs(usage.ru_stime);
    let text = std::fs::read_to_string(out).unwrap_or_default();
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        panic!("bench child failed ({status}): {cmd:?}\n{text}");
    }
    (wall, usage.ru_maxrss as u64, text)
}

/// Like `run_child`, but kills the child after `limit` seconds. Returns wall seconds, peak RSS
/// (KiB), CPU seconds and whether it finished.
#[allow(clippy::zombie_processes)]
fn run_child_limit(cmd: &mut Command, out: &Path, limit: f64) -> (f64, u64, f64, bool) {
    let file = File::create(out).expect("bench output file");
    let started = Instant::now();
    let child = cmd
        .stdout(Stdio::from(file))
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn bench child");
    let pid = child.id() as i32;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut finished = true;
    loop {
        // SAFETY: our own child's pid, valid out-pointers.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break;
        }
        if started.elapsed().as_secs_f64() > limit {
            finished = false;
            // SAFETY: signalling our own child.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let wall = started.elapsed().as_secs_f64();
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    let cpu = secs(usage.ru_utime) + secs(usage.ru_stime);
    if finished && !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        panic!("bench child failed ({status}): {cmd:?}");
    }
    (wall, usage.ru_maxrss as u64, cpu, finished)
}

fn vm_hwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// The TUI's first frame, in process: open the study, build the workbench (`App::new`: document
/// list, codebook, counts, first document) and draw it to a 160×48 TestBackend, as
/// `thematic` does before its first `terminal.draw`. Prints seconds to the drawn frame (and to
/// `App::new`), the number of documents, and the peak RSS so far.
fn probe_frame(path: &Path) {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::layout::Rect;
    use thematic::tui::{app::App, keymap::Keymap, theme::Theme, views};
    let t = Instant::now();
    let study = Study::open(path).expect("open");
    let size = Rect::new(0, 0, 160, 48);
    let app = App::new(
        study,
        "bench",
        Keymap::default(),
        Theme { colour: true },
        size,
    )
    .expect("App::new");
    let built = t.elapsed().as_secs_f64();
    let mut terminal = Terminal::new(TestBackend::new(size.width, size.height)).expect("terminal");
    terminal.draw(|f| views::draw(&app, f)).expect("draw");
    let drawn = t.elapsed().as_secs_f64();
    let text: String = terminal
        .backend()
        .buffer()
        .content
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(
        text.contains("FG"),
        "the first frame shows no document: {text}"
    );
    println!("{drawn} {built} {} {}", app.docs.len(), vm_hwm_kb());
}

/// The analysis queries in process on `path`, each `runs` times after one cold run; prints
/// tab-separated lines for the suite (see `analysis_rows`).
fn probe_analysis(path: &Path, runs: usize) {
    use thematic::analysis::frequencies::frequencies;
    use thematic::analysis::matrix::{Grouping, MatrixOptions, matrix};
    use thematic::analysis::search::{SearchOptions, TurnFilter, search};
    let study = Study::open(path).expect("open");
    let conn = study.conn();
    let cpu = || {
        let mut u: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: valid out-pointer for our own usage.
        unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
        let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
        secs(u.ru_utime) + secs(u.ru_stime)
    };
    // Returns (cold, warm times, CPU per run).
    let time = |f: &mut dyn FnMut()| {
        let c0 = cpu();
        let t = Instant::now();
        f();
        let first = t.elapsed().as_secs_f64();
        let mut v = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            f();
            v.push(t.elapsed().as_secs_f64());
        }
        (first, v, (cpu() - c0) / (runs + 1) as f64)
    };
    let line = |name: &str, first: f64, v: &[f64], cpu: f64, note: &str| {
        let s = stats(v);
        println!(
            "{name}\t{}\t{first}\t{}\t{}\t{cpu}\t{note}",
            s.median, s.min, s.max
        );
    };
    // Search: the median over several queries of each query's median.
    let queries: Vec<(&str, Vec<String>)> = vec![
        ("oncologist", vec![]),
        ("\"side effects\"", vec![]),
        ("parking insurance", vec![]),
        ("password forgot", vec![]),
        ("referral", vec!["gender=woman".into()]),
        ("pharmacy", vec!["composition=men only".into()]),
    ];
    let (mut medians, mut firsts, mut cpus, mut notes) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (q, conditions) in &queries {
        let opts = SearchOptions {
            query: (*q).into(),
            filter: TurnFilter {
                conditions: conditions.clone(),
                ..Default::default()
            },
            limit: 50,
            ..Default::default()
        };
        let mut total = 0;
        let (first, v, c) = time(&mut || {
            total = std::hint::black_box(search(conn, &opts).expect("search")).total;
        });
        medians.push(stats(&v).median);
        firsts.push(first);
        cpus.push(c);
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!(" --where {}", conditions.join(" "))
        };
        notes.push(format!(
            "`{q}`{filter} {} ms ({total} turns)",
            (stats(&v).median * 1e4).round() / 10.0
        ));
    }
    line(
        &format!(
            "full-text search, median over {} queries' medians (first 50 hits and the total)",
            queries.len()
        ),
        stats(&firsts).median,
        &medians,
        stats(&cpus).median,
        &format!("; per query: {}", notes.join(", ")),
    );
    let (first, v, c) = time(&mut || {
        std::hint::black_box(frequencies(conn, None, false).expect("frequencies"));
    });
    line(
        "code frequencies (`thematic frequencies`: codings, documents, participants per code, themes rolled up)",
        first,
        &v,
        c,
        "",
    );
    for by in ["gender", "composition"] {
        let grouping = Grouping::parse(conn, by).expect("grouping");
        let opts = MatrixOptions {
            by: grouping,
            ..Default::default()
        };
        let (first, v, c) = time(&mut || {
            std::hint::black_box(matrix(conn, &opts).expect("matrix"));
        });
        let scope = if by == "gender" {
            "participant"
        } else {
            "document"
        };
        line(
            &format!("code × attribute matrix by {by} ({scope} attribute)"),
            first,
            &v,
            c,
            "",
        );
    }
}

/// Commits `n` codings one action each, as the TUI will; prints each commit's seconds.
fn probe_commit(path: &Path, n: usize) {
    let mut study = Study::open(path).expect("open");
    let coder = study.ensure_coder("bench").expect("coder");
    let docs = thematic::study::documents::list(study.conn()).expect("list");
    let codes = thematic::codebook::all(study.conn()).expect("codes");
    let leaves: Vec<i64> = codes.iter().filter(|c| c.depth > 0).map(|c| c.id).collect();
    let mut g = SplitMix64::new(99);
    let mut out = String::new();
    for i in 0..n {
        let d = &docs[g.below(docs.len() as u64) as usize];
        let start = g.below((d.char_count - 200) as u64) as i64;
        let end = start + 1 + g.below(150) as i64;
        let code = leaves[i % leaves.len()];
        let t = Instant::now();
        study
            .change(Some(coder.id), "code", "bench coding", |rec| {
                thematic::coding::add(rec, d.id, code, coder.id, start, end)
            })
            .expect("commit");
        out.push_str(&format!("{}\n", t.elapsed().as_secs_f64()));
    }
    print!("{out}");
}

/// The 1M × 3, 10-category ratings of `agreement_bench` (same generator and seed).
fn ratings_1m() -> Ratings {
    const UNITS: usize = 1_000_000;
    let mut g = SplitMix64::new(20240601);
    let mut values = Vec::with_capacity(UNITS * 3);
    for _ in 0..UNITS {
        let truth = g.below(10) as u32;
        for _ in 0..3 {
            let v = if g.below(100) < 5 {
                MISSING
            } else if g.below(100) < 70 {
                truth
            } else {
                g.below(10) as u32
            };
            values.push(v);
        }
    }
    Ratings::from_raw(3, 10, values).expect("valid ratings")
}

fn sh(cmd: &str) -> String {
    Command::new("sh")
        .args(["-c", cmd])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

struct Bench {
    work: PathBuf,
    thematic: PathBuf,
    me: PathBuf,
    quick: bool,
    python: Option<String>,
    rows: Vec<Row>,
    notes: Vec<String>,
}

impl Bench {
    fn thematic(&self, study: &Path) -> Command {
        let mut c = Command::new(&self.thematic);
        c.arg("--project")
            .arg(study)
            .args(["--coder", "bench"])
            .env("THEMATIC_DATA_DIR", self.work.join("data"));
        c
    }

    fn out(&self) -> PathBuf {
        self.work.join("child.out")
    }

    fn gen_study(&self, name: &str, args: &[&str]) -> (PathBuf, f64, u64, String) {
        let path = self.work.join(name);
        let mut c = Command::new(&self.thematic);
        c.arg("gen-study").arg(&path).args(args);
        let (wall, rss, text) = run_child(&mut c, &self.out());
        eprintln!("  {}", text.trim());
        (path, wall, rss, text)
    }

    fn run(&mut self) {
        let (docs, codings) = if self.quick {
            ("200", "100000")
        } else {
            ("1000", "500000")
        };
        eprintln!("generating the {docs}-document study…");
        let (big, wall, rss, _) = self.gen_study(
            "big.thematic",
            &[
                "--docs",
                docs,
                "--turns-per-doc",
                TURNS,
                "--coders",
                "3",
                "--codings",
                codings,
                "--seed",
                "1",
            ],
        );
        self.rows.push(Row {
            name: format!("gen-study {docs} docs × {TURNS} turns, {codings} codings (setup)"),
            runs: 1,
            median: ms(wall),
            spread: "—".into(),
            peak: mb(rss),
            target: "a few seconds".into(),
            peer: "—".into(),
            result: "info".into(),
        });
        let size = std::fs::metadata(&big).map(|m| m.len()).unwrap_or(0);
        self.notes.push(format!(
            "The {docs}-document study file is {:.0} MB.",
            size as f64 / 1e6
        ));

        let text_mb = {
            let conn = rusqlite::Connection::open(&big).expect("open big");
            conn.query_row("SELECT sum(char_count) / 1e6 FROM documents", [], |r| {
                r.get::<_, f64>(0)
            })
            .expect("text size")
        };
        self.notes.push(format!(
            "It holds {text_mb:.1} million characters of transcript text (ASCII but for a few words: ≈ MB)."
        ));
        let label = format!("{docs} transcripts ({text_mb:.0} MB), {codings} codings");

        self.frame_row(&big, docs);
        self.keypress_row();
        self.commit_row(&big);
        self.import_row(&big);
        self.analysis_rows(&big, &label);
        self.report_row(&big, &label);
        self.agreement_rows();
        self.qdpx_rows(&big, codings);
    }

    /// Runs `cmd` `runs` times as a child; the wall times, CPU times and the peak RSS.
    fn repeat(&self, runs: usize, mut cmd: impl FnMut() -> Command) -> (Vec<f64>, Vec<f64>, u64) {
        let (mut walls, mut cpus, mut peak) = (Vec::new(), Vec::new(), 0);
        for _ in 0..runs {
            let (wall, rss, _) = run_child(&mut cmd(), &self.out());
            walls.push(wall);
            cpus.push(*LAST_CPU.lock().expect("cpu"));
            peak = peak.max(rss);
        }
        (walls, cpus, peak)
    }

    fn frame_row(&mut self, big: &Path, docs: &str) {
        eprintln!("opening to the first drawn frame…");
        let runs = 15;
        let (mut walls, mut inner, mut built, mut peak, mut hwm) =
            (Vec::new(), Vec::new(), Vec::new(), 0, 0);
        for _ in 0..runs {
            let mut c = Command::new(&self.me);
            c.arg("probe-frame").arg(big);
            let (wall, rss, text) = run_child(&mut c, &self.out());
            walls.push(wall);
            let f: Vec<f64> = text
                .split_whitespace()
                .filter_map(|s| s.parse::<f64>().ok())
                .collect();
            inner.push(f.first().copied().unwrap_or(f64::NAN));
            built.push(f.get(1).copied().unwrap_or(f64::NAN));
            hwm = hwm.max(f.get(3).copied().unwrap_or(0.0) as u64);
            peak = peak.max(rss);
        }
        let s = stats(&walls);
        let i = stats(&inner);
        let b = stats(&built);
        let met = i.median < 0.150 && s.median < 0.150 && peak < 80 * 1024;
        self.rows.push(Row {
            name: format!(
                "open a {docs}-transcript study to the first drawn frame (Study::open → App::new → views::draw on a 160×48 TestBackend; child process, wall from spawn to exit)"
            ),
            runs,
            median: ms(s.median),
            spread: format!(
                "p99 {}; in-process {} (p99 {}), of which App::new {}",
                ms(s.p99),
                ms(i.median),
                ms(i.p99),
                ms(b.median)
            ),
            peak: format!("{} (VmHWM after the frame {})", mb(peak), mb(hwm)),
            target: "< 150 ms, < 80 MB".into(),
            peer: "—".into(),
            result: if met { "met" } else { "MISSED" }.into(),
        });
    }

    fn keypress_row(&mut self) {
        let (keys, rounds) = if self.quick {
            ("600", "2")
        } else {
            ("3000", "5")
        };
        eprintln!("keypresses: tui_bench --keys {keys} --rounds {rounds}…");
        let mut c = Command::new(self.me.with_file_name("tui_bench"));
        c.args(["--keys", keys, "--rounds", rounds]);
        let (_, rss, text) = run_child(&mut c, &self.out());
        eprintln!("{}", text.trim());
        // "  1000-document study: median A ms, p99 B ms, max C ms per key (all rounds); fastest
        // round per key: median D ms, p99 E ms"
        let figures = |prefix: &str| -> Vec<f64> {
            text.lines()
                .find(|l| l.trim_start().starts_with(prefix))
                .map(|l| {
                    l.split([',', ';', ':'])
                        .filter_map(|p| {
                            let w: Vec<&str> = p.split_whitespace().collect();
                            w.iter()
                                .position(|x| *x == "ms")
                                .and_then(|i| w.get(i.checked_sub(1)?)?.parse().ok())
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let many = figures("1000-document");
        let one = figures("1-document");
        if many.len() < 5 || one.len() < 5 {
            panic!("tui_bench printed something unexpected:\n{text}");
        }
        let diff = |a: f64, b: f64| (a / b - 1.0) * 100.0;
        let (dm, dp) = (diff(many[0], one[0]), diff(many[1], one[1]));
        let (fm, fp) = (diff(many[3], one[3]), diff(many[4], one[4]));
        let met = many[0] < 1.0 && many[1] < 4.0 && dm.abs() <= 10.0;
        let f = |x: f64| ms(x / 1e3);
        self.rows.push(Row {
            name: format!(
                "time per keypress in the transcript (handle the key + draw 160×48, TestBackend): 1 MB transcript with 20,000 codings in a 1,000-document study (`tui_bench`, {keys} keys × {rounds} rounds, alternating with the same transcript alone in a 1-document study)"
            ),
            runs: keys.parse::<usize>().unwrap_or(0) * rounds.parse::<usize>().unwrap_or(0),
            median: f(many[0]),
            spread: format!(
                "p99 {}, max {}; fastest round per key: median {}, p99 {}. 1-doc study: median {}, p99 {} → 1,000 vs 1: median {dm:+.1}%, p99 {dp:+.1}% (fastest round {fm:+.1}%, {fp:+.1}%)",
                f(many[1]),
                f(many[2]),
                f(many[3]),
                f(many[4]),
                f(one[0]),
                f(one[1]),
            ),
            peak: format!("{} (whole run, incl. generating both studies)", mb(rss)),
            target: "median < 1 ms, p99 < 4 ms; 1,000-doc within 10% of 1-doc".into(),
            peer: "—".into(),
            result: if met { "met" } else { "MISSED" }.into(),
        });
    }

    fn analysis_rows(&mut self, big: &Path, label: &str) {
        eprintln!("analysis: search, frequencies, matrix…");
        let runs = if self.quick { 3 } else { 9 };
        let mut c = Command::new(&self.me);
        c.arg("probe-analysis").arg(big).arg(runs.to_string());
        let (_, rss, text) = run_child(&mut c, &self.out());
        // Lines: "name<TAB>median<TAB>first<TAB>min<TAB>max<TAB>cpu per run<TAB>note".
        for line in text.lines() {
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() < 7 {
                continue;
            }
            let num = |i: usize| f[i].parse::<f64>().unwrap_or(f64::NAN);
            let (name, median) = (f[0], num(1));
            let (target, limit) = if name.starts_with("full-text search") {
                ("< 20 ms", 0.020)
            } else {
                ("< 200 ms", 0.200)
            };
            self.rows.push(Row {
                name: format!("{name}, in process, on {label}{}", f[6]),
                runs,
                median: ms(median),
                spread: format!(
                    "{} – {}; first (cold) {}; CPU {}/run",
                    ms(num(3)),
                    ms(num(4)),
                    ms(num(2)),
                    ms(num(5))
                ),
                peak: format!("{} (the probe process)", mb(rss)),
                target: target.into(),
                peer: "—".into(),
                result: if median < limit { "met" } else { "MISSED" }.into(),
            });
        }
    }

    fn report_row(&mut self, big: &Path, label: &str) {
        eprintln!("report…");
        let runs = 3;
        let out = self.work.join("report.html");
        let (walls, cpus, peak) = self.repeat(runs, || {
            let mut c = self.thematic(big);
            c.arg("report").arg(&out);
            c
        });
        let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
        let s = stats(&walls);
        self.rows.push(Row {
            name: format!(
                "HTML report (`thematic report OUT`), {label}; {:.1} MB of HTML",
                size as f64 / 1e6
            ),
            runs,
            median: ms(s.median),
            spread: format!(
                "{} – {}; CPU {}",
                ms(s.min),
                ms(s.max),
                ms(stats(&cpus).median)
            ),
            peak: mb(peak),
            target: "< 5 s".into(),
            peer: "—".into(),
            result: if s.median < 5.0 { "met" } else { "MISSED" }.into(),
        });
    }

    fn qdpx_rows(&mut self, big: &Path, codings: &str) {
        let runs = if self.quick { 1 } else { 3 };
        let qdpx = self.work.join("big.qdpx");
        eprintln!("qdpx: export…");
        let (walls, cpus, peak) = self.repeat(runs, || {
            let _ = std::fs::remove_file(&qdpx);
            let mut c = self.thematic(big);
            c.args(["export", "qdpx"]).arg(&qdpx);
            c
        });
        let size = std::fs::metadata(&qdpx).map(|m| m.len()).unwrap_or(0);
        let s = stats(&walls);
        self.rows.push(Row {
            name: format!(
                ".qdpx export of {codings} codings (`thematic export qdpx OUT`, the whole generated study); {:.1} MB archive",
                size as f64 / 1e6
            ),
            runs,
            median: ms(s.median),
            spread: format!(
                "{} – {}; CPU {}",
                ms(s.min),
                ms(s.max),
                ms(stats(&cpus).median)
            ),
            peak: mb(peak),
            target: "— (report)".into(),
            peer: "—".into(),
            result: "info".into(),
        });
        // Import: 500,000 codings did not finish in 10 minutes by hand (CPU-bound: each
        // selection's GUID is checked with `lower(guid) = lower(?)`, a full scan of the codings
        // imported so far), so the growth is measured on small projects and the full one runs
        // under a time limit.
        let import = |bench: &Bench, qdpx: &Path, name: &str, limit: f64| {
            let study = bench.work.join(name);
            let mut init = Command::new(&bench.thematic);
            init.arg("init").arg(&study);
            run_child(&mut init, &bench.out());
            let mut c = bench.thematic(&study);
            c.arg("import").arg(qdpx);
            let r = run_child_limit(&mut c, &bench.out(), limit);
            let n = rusqlite::Connection::open(&study)
                .and_then(|c| {
                    c.query_row("SELECT count(*) FROM codings", [], |r| r.get::<_, i64>(0))
                })
                .unwrap_or(-1);
            (r, n)
        };
        let mut fit = Vec::new();
        for n in [2_500, 5_000, 10_000] {
            eprintln!("qdpx: import of {n} codings…");
            let (small, _, _, _) = self.gen_study(
                &format!("qdpx-{n}.thematic"),
                &[
                    "--docs",
                    "100",
                    "--turns-per-doc",
                    TURNS,
                    "--coders",
                    "3",
                    "--codings",
                    &n.to_string(),
                    "--seed",
                    "3",
                ],
            );
            let file = self.work.join(format!("qdpx-{n}.qdpx"));
            let mut c = self.thematic(&small);
            c.args(["export", "qdpx"]).arg(&file);
            run_child(&mut c, &self.out());
            let ((wall, rss, cpu, _), got) =
                import(self, &file, &format!("qdpx-{n}-import.thematic"), 600.0);
            fit.push((n as f64, cpu));
            self.rows.push(Row {
                name: format!(
                    "  growth: .qdpx import of {n} codings (100 transcripts, 10 MB; {got} codings after)"
                ),
                runs: 1,
                median: ms(wall),
                spread: format!("CPU {}", ms(cpu)),
                peak: mb(rss),
                target: "—".into(),
                peer: "—".into(),
                result: "info".into(),
            });
        }
        let limit = if self.quick { 20.0 } else { 60.0 };
        eprintln!("qdpx: import of {codings} codings (limit {limit} s)…");
        let ((wall, rss, cpu, finished), got) = import(self, &qdpx, "qdpx-import.thematic", limit);
        // CPU grows as n²: extrapolate from the largest small run.
        let (n0, c0) = fit[fit.len() - 1];
        let n: f64 = codings.parse().unwrap_or(0.0);
        let estimate = c0 * (n / n0).powi(2);
        let growth = fit
            .windows(2)
            .map(|w| format!("{:.1}×", w[1].1 / w[0].1))
            .collect::<Vec<_>>()
            .join(", ");
        self.rows.push(Row {
            name: format!(
                ".qdpx import of {codings} codings (`thematic import X.qdpx` into a fresh study, one action)"
            ),
            runs: 1,
            median: if finished {
                ms(wall)
            } else {
                format!("> {} (killed, not finished)", ms(wall))
            },
            spread: format!(
                "CPU {}; {got} codings committed; CPU per doubling of codings above: {growth} (n²) → ≈ {:.1} h extrapolated",
                ms(cpu),
                estimate / 3600.0
            ),
            peak: mb(rss),
            target: "— (report)".into(),
            peer: "—".into(),
            result: if finished { "info" } else { "info: pathologically slow (n²)" }.into(),
        });
    }

    fn commit_row(&mut self, big: &Path) {
        eprintln!("committing codings…");
        let n = if self.quick { 100 } else { 300 };
        let mut c = Command::new(&self.me);
        c.arg("probe-commit").arg(big).arg(n.to_string());
        let (_, rss, text) = run_child(&mut c, &self.out());
        let times: Vec<f64> = text.lines().filter_map(|l| l.parse().ok()).collect();
        let s = stats(&times);
        self.rows.push(Row {
            name: "apply a coding, committed to disk (coding::add in Study::change, WAL, synchronous=FULL)".into(),
            runs: times.len(),
            median: ms(s.median),
            spread: format!("p99 {}, max {}", ms(s.p99), ms(s.max)),
            peak: mb(rss),
            target: "< 5 ms".into(),
            peer: "—".into(),
            result: if s.median < 0.005 { "met" } else { "MISSED" }.into(),
        });
    }

    fn import_row(&mut self, big: &Path) {
        eprintln!("writing transcripts to import…");
        let want: u64 = if self.quick { 10_000_000 } else { 40_000_000 };
        let dir = self.work.join("import");
        std::fs::create_dir_all(&dir).expect("import dir");
        let conn = rusqlite::Connection::open(big).expect("open big");
        let mut stmt = conn
            .prepare("SELECT name, text FROM documents ORDER BY id")
            .expect("docs");
        let mut rows = stmt.query([]).expect("docs");
        let (mut bytes, mut files) = (0u64, 0);
        while let Some(r) = rows.next().expect("row") {
            if bytes >= want {
                break;
            }
            let name: String = r.get(0).expect("name");
            let text: String = r.get(1).expect("text");
            std::fs::write(dir.join(format!("{name}.txt")), &text).expect("write transcript");
            bytes += text.len() as u64;
            files += 1;
        }
        eprintln!("importing {files} files, {:.1} MB…", bytes as f64 / 1e6);
        let runs = 3;
        let (mut walls, mut peak, mut cpus) = (Vec::new(), 0, Vec::new());
        for r in 0..runs {
            let study = self.work.join(format!("import-{r}.thematic"));
            let mut init = Command::new(&self.thematic);
            init.arg("init").arg(&study);
            run_child(&mut init, &self.out());
            let mut c = self.thematic(&study);
            c.arg("import").arg(&dir);
            let (wall, rss, _) = run_child(&mut c, &self.out());
            walls.push(wall);
            cpus.push(*LAST_CPU.lock().expect("cpu"));
            peak = peak.max(rss);
        }
        let s = stats(&walls);
        let cpu = stats(&cpus).median;
        let rate = bytes as f64 / 1e6 / s.median;
        self.rows.push(Row {
            name: format!(
                "import {files} plain-text transcripts, {:.1} MB, one action (`thematic import DIR`)",
                bytes as f64 / 1e6
            ),
            runs,
            median: format!("{} = {rate:.1} MB/s", ms(s.median)),
            spread: format!(
                "{} – {}; CPU (user+sys) {} = {:.1} MB/s",
                ms(s.min),
                ms(s.max),
                ms(cpu),
                bytes as f64 / 1e6 / cpu
            ),
            peak: mb(peak),
            target: "≥ 30 MB/s".into(),
            peer: "—".into(),
            result: if rate >= 30.0 { "met" } else { "MISSED" }.into(),
        });
    }

    fn agreement_rows(&mut self) {
        eprintln!("agreement: generating the 1M-character study…");
        let (agr, _, _, text) = self.gen_study(
            "agreement.thematic",
            &[
                "--docs",
                "20",
                "--turns-per-doc",
                "256",
                "--coders",
                "3",
                "--codings",
                "30000",
                "--codes",
                "10",
                "--seed",
                "2",
            ],
        );
        let chars = text
            .split(", ")
            .find(|p| p.ends_with(" characters"))
            .and_then(|p| p.split_whitespace().next())
            .unwrap_or("?")
            .to_string();

        // The peers first, on the 1M × 3 × 10 ratings.
        let ratings = ratings_1m();
        let data = self.work.join("ratings.u32");
        let raw: Vec<u8> = ratings
            .raw_values()
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        std::fs::write(&data, raw).expect("write ratings");
        let mut peer_alpha: Option<f64> = None;
        let mut peer_sklearn: Option<f64> = None;
        if let Some(py) = self.python.clone() {
            eprintln!("agreement: timing the Python peers…");
            let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/bench_peers.py");
            let mut c = Command::new(py);
            c.arg(script).arg(&data).arg("3");
            let (_, _, text) = run_child(&mut c, &self.out());
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(text.trim()) {
                peer_alpha = v["krippendorff_alpha"]["median"].as_f64();
                peer_sklearn = v["sklearn_cohen_pairs"]["median"].as_f64();
                let peer_label = format!(
                    "krippendorff {}, scikit-learn {}",
                    v["krippendorff_version"].as_str().unwrap_or("?"),
                    v["sklearn_version"].as_str().unwrap_or("?")
                );
                self.notes.push(format!(
                    "Peers ({peer_label}): krippendorff.alpha = {}, sklearn kappas = {}.",
                    v["krippendorff_alpha"]["value"], v["sklearn_cohen_pairs"]["value"]
                ));
            }
        } else {
            self.notes
                .push("No Python peer (pass --python or run scripts/bench).".into());
        }

        eprintln!("agreement: all_categorical in process…");
        let runs = 5;
        let mut times = Vec::new();
        let mut summary = None;
        for _ in 0..runs {
            let t = Instant::now();
            summary = Some(all_categorical(&ratings));
            times.push(t.elapsed().as_secs_f64());
        }
        let s = stats(&times);
        if let Some(sum) = summary {
            self.notes.push(format!(
                "all_categorical: alpha {:?}, Fleiss {:?}, AC1 {:?}, mean Cohen {:?}.",
                sum.krippendorff_alpha, sum.fleiss_kappa, sum.gwet_ac1, sum.cohen_kappa_mean
            ));
        }
        let (peer, ratio, result) = match peer_alpha {
            Some(p) => {
                let ratio = p / s.median;
                (
                    format!("krippendorff.alpha {}", ms(p)),
                    ratio,
                    if ratio >= 20.0 { "met" } else { "MISSED" },
                )
            }
            None => (String::from("—"), f64::NAN, "no peer"),
        };
        self.rows.push(Row {
            name: "`all_categorical` (% agreement, mean Cohen κ, Fleiss κ, Krippendorff α, Gwet AC1) on 1M units × 3 coders × 10 categories".into(),
            runs,
            median: ms(s.median),
            spread: format!("{} – {}", ms(s.min), ms(s.max)),
            peak: "—".into(),
            target: "≥ 20× faster than krippendorff.alpha alone".into(),
            peer: format!("{peer} ({ratio:.0}× faster)"),
            result: result.into(),
        });
        if let Some(p) = peer_sklearn {
            self.rows.push(Row {
                name: "  same data: scikit-learn cohen_kappa_score over the 3 pairs (peer only)"
                    .into(),
                runs: 3,
                median: ms(p),
                spread: "—".into(),
                peak: "—".into(),
                target: "—".into(),
                peer: format!("all_categorical is {:.0}× faster", p / s.median),
                result: "info".into(),
            });
        }

        // The whole command, reading the study file.
        let codes_list = {
            let study = Study::open(&agr).expect("open agreement study");
            thematic::codebook::all(study.conn())
                .expect("codes")
                .into_iter()
                .filter(|c| c.depth > 0)
                .map(|c| c.path)
                .collect::<Vec<_>>()
                .join(",")
        };
        for (label, extra) in [
            ("per code (10 binary codes)", vec![]),
            (
                "per code + the 10 codes as one categorical set",
                vec!["--codes".to_string(), codes_list.clone()],
            ),
        ] {
            eprintln!("agreement: `thematic agreement --unit char` {label}…");
            let runs = 3;
            let (mut walls, mut peak) = (Vec::new(), 0);
            for _ in 0..runs {
                let mut c = self.thematic(&agr);
                c.args(["agreement", "--unit", "char", "--format", "json"])
                    .args(&extra);
                let (wall, rss, _) = run_child(&mut c, &self.out());
                walls.push(wall);
                peak = peak.max(rss);
            }
            let s = stats(&walls);
            let (peer, result) = match peer_alpha {
                Some(p) => (
                    format!("krippendorff.alpha {} ({:.1}×)", ms(p), p / s.median),
                    if s.median <= p { "met" } else { "MISSED" },
                ),
                None => ("—".into(), "no peer"),
            };
            self.rows.push(Row {
                name: format!(
                    "`thematic agreement --unit char` end to end, {chars} characters × 3 coders, {label}"
                ),
                runs,
                median: ms(s.median),
                spread: format!("{} – {}", ms(s.min), ms(s.max)),
                peak: mb(peak),
                target: "no slower than krippendorff.alpha alone".into(),
                peer,
                result: result.into(),
            });
        }
    }

    fn print(&self) -> String {
        let mut s = String::new();
        let cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2");
        let mem = sh("grep MemTotal /proc/meminfo | awk '{printf \"%.1f GB\", $2/1048576}'");
        s.push_str(&format!(
            "Machine: {} cores (`nproc`), CPU{}, {} RAM; load average at the end: {}; {}\n\n",
            sh("nproc"),
            if cpu.is_empty() {
                String::new()
            } else {
                format!(" {cpu}")
            },
            mem,
            sh("cut -d' ' -f1-3 /proc/loadavg"),
            sh("uname -sr"),
        ));
        s.push_str("| benchmark | runs | median | p99 / spread | peak RSS | target | peer on the same data | result |\n");
        s.push_str("|---|---|---|---|---|---|---|---|\n");
        for r in &self.rows {
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
                r.name, r.runs, r.median, r.spread, r.peak, r.target, r.peer, r.result
            ));
        }
        s.push('\n');
        for n in &self.notes {
            s.push_str(&format!("- {n}\n"));
        }
        s
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("probe-frame") => return probe_frame(Path::new(&args[2])),
        Some("probe-analysis") => {
            return probe_analysis(Path::new(&args[2]), args[3].parse().expect("runs"));
        }
        Some("probe-commit") => {
            return probe_commit(Path::new(&args[2]), args[3].parse().expect("N"));
        }
        _ => {}
    }
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let me = std::env::current_exe().expect("own path");
    let thematic = me.with_file_name("thematic");
    let work = flag("--work")
        .map(PathBuf::from)
        .unwrap_or_else(|| me.parent().expect("bin dir").join("bench-work"));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).expect("work dir");
    let mut bench = Bench {
        work: work.clone(),
        thematic,
        me,
        quick: args.iter().any(|a| a == "--quick"),
        python: flag("--python"),
        rows: Vec::new(),
        notes: Vec::new(),
    };
    let started = Instant::now();
    bench.run();
    bench.notes.push(format!(
        "Whole run: {:.0} s. Times are wall-clock medians on a shared machine; `--quick` shrinks the data.",
        started.elapsed().as_secs_f64()
    ));
    let table = bench.print();
    println!("{table}");
    let mut f = File::create(work.join("results.md")).expect("results file");
    let _ = f.write_all(table.as_bytes());
}
