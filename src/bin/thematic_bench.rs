//! The benchmark suite behind `scripts/bench`: builds its data with `thematic gen-study`, runs
//! each measurement several times (child processes where memory matters, measured with
//! wait4's peak RSS) and prints one Markdown table with median, p99/spread, peak memory, the
//! target, and the peer's time on the same data where a peer exists.
//!
//! Usage: `thematic_bench [--quick] [--work DIR] [--python PY]`
//! Probes it runs as children of itself: `probe-open STUDY`, `probe-commit STUDY N`.
//!
//! Rows are a list: a new measurement is one more `rows.push(...)`; rows whose feature has not
//! landed yet are printed as pending with the issue they land with.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use thematic::Study;
use thematic::agreement::{MISSING, Ratings, SplitMix64, all_categorical};

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

impl Row {
    fn pending(name: &str, target: &str, issue: &str) -> Row {
        Row {
            name: name.into(),
            runs: 0,
            median: "—".into(),
            spread: "—".into(),
            peak: "—".into(),
            target: target.into(),
            peer: "—".into(),
            result: format!("pending: lands with the {issue} issue"),
        }
    }
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

/// What the transcript pane needs before its first frame: the study, the document list, the
/// first document's text, turns and codings. Prints how long it took inside the process.
fn probe_open(path: &Path) {
    let t = Instant::now();
    let study = Study::open(path).expect("open");
    let conn = study.conn();
    let docs = thematic::study::documents::list(conn).expect("list");
    let first = docs.first().expect("a document");
    let text = thematic::study::documents::text(conn, first.id).expect("text");
    let turns = thematic::study::documents::turns(conn, first.id).expect("turns");
    let codings = thematic::coding::for_document(conn, first.id).expect("codings");
    let codes = thematic::codebook::all(conn).expect("codes");
    let speakers = thematic::study::participants::speakers(conn, first.id).expect("speakers");
    println!(
        "{} {} {} {} {} {} {} {}",
        t.elapsed().as_secs_f64(),
        docs.len(),
        text.len(),
        turns.len(),
        codings.len(),
        codes.len(),
        speakers.len(),
        vm_hwm_kb()
    );
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
                "300",
                "--coders",
                "3",
                "--codings",
                codings,
                "--seed",
                "1",
            ],
        );
        self.rows.push(Row {
            name: format!("gen-study {docs} docs × 300 turns, {codings} codings (setup)"),
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

        self.open_row(&big, docs);
        self.rows.push(Row::pending(
            "time per keypress in the transcript",
            "< 16 ms",
            "TUI",
        ));
        self.commit_row(&big);
        self.import_row(&big);
        self.rows.push(Row::pending(
            "full-text search over the study",
            "—",
            "analysis",
        ));
        self.rows.push(Row::pending(
            "code frequencies (by attribute)",
            "—",
            "analysis",
        ));
        self.agreement_rows();
        self.rows.push(Row::pending(
            ".qdpx export of 500,000 codings",
            "—",
            "exchange",
        ));
        self.rows.push(Row::pending(
            ".qdpx import of 500,000 codings",
            "—",
            "exchange",
        ));
    }

    fn open_row(&mut self, big: &Path, docs: &str) {
        eprintln!("opening to the first document…");
        let runs = 15;
        let (mut walls, mut inner, mut peak) = (Vec::new(), Vec::new(), 0);
        for _ in 0..runs {
            let mut c = Command::new(&self.me);
            c.arg("probe-open").arg(big);
            let (wall, rss, text) = run_child(&mut c, &self.out());
            walls.push(wall);
            inner.push(
                text.split_whitespace()
                    .next()
                    .and_then(|s| s.parse::<f64>().ok())
                    .unwrap_or(f64::NAN),
            );
            peak = peak.max(rss);
        }
        let s = stats(&walls);
        let i = stats(&inner);
        let met = s.median < 0.150 && peak < 80 * 1024;
        self.rows.push(Row {
            name: format!(
                "open a {docs}-transcript study to the first document (process start → list + first document's text, turns, codings; proxy until the TUI lands)"
            ),
            runs,
            median: ms(s.median),
            spread: format!("p99 {} (in-process {})", ms(s.p99), ms(i.median)),
            peak: mb(peak),
            target: "< 150 ms, < 80 MB".into(),
            peer: "—".into(),
            result: if met { "met" } else { "MISSED" }.into(),
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
        Some("probe-open") => return probe_open(Path::new(&args[2])),
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
