//! The benchmark suite behind `scripts/bench`: builds its data with `thematic gen-study`, runs
//! each measurement several times (child processes where memory matters, measured with
//! wait4's peak RSS) and prints one Markdown table with median, p99/spread, peak memory, the
//! target, and the peer's time on the same data where a peer exists.
//!
//! Usage: `thematic_bench [--quick] [--growth] [--work DIR] [--python PY]` (`--growth`: only the
//! growth section, every CLI command at N and 4N; see `growth.rs`).
//! Probes it runs as children of itself: `probe-frame STUDY`, `probe-analysis STUDY RUNS`, `probe-commit STUDY N`;
//! and `tui_bench` (a sibling binary) for the keypress row.
//!
//! Rows are a list: a new measurement is one more `rows.push(...)`.

mod agreement;
mod growth;
mod probes;
mod qdpx;
mod study_rows;
mod util;

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use util::{LAST_CPU, Row, mb, ms, run_child, sh};

/// Turns per generated document: 1,000 documents of 515 turns hold ~100 MB of text, the size
/// the analysis targets are set for.
const TURNS: &str = "515";

struct Bench {
    work: PathBuf,
    thematic: PathBuf,
    me: PathBuf,
    quick: bool,
    python: Option<String>,
    rows: Vec<Row>,
    notes: Vec<String>,
    /// The growth section's Markdown, printed after the main table.
    growth: String,
}

impl Bench {
    pub(crate) fn thematic(&self, study: &Path) -> Command {
        let mut c = Command::new(&self.thematic);
        c.arg("--project")
            .arg(study)
            .args(["--coder", "bench"])
            .env("THEMATIC_DATA_DIR", self.work.join("data"));
        c
    }

    pub(crate) fn out(&self) -> PathBuf {
        self.work.join("child.out")
    }

    pub(crate) fn gen_study(&self, name: &str, args: &[&str]) -> (PathBuf, f64, u64, String) {
        let path = self.work.join(name);
        let mut c = Command::new(&self.thematic);
        c.arg("gen-study").arg(&path).args(args);
        let (wall, rss, text) = run_child(&mut c, &self.out());
        eprintln!("  {}", text.trim());
        (path, wall, rss, text)
    }

    pub(crate) fn run(&mut self) {
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
    pub(crate) fn repeat(
        &self,
        runs: usize,
        mut cmd: impl FnMut() -> Command,
    ) -> (Vec<f64>, Vec<f64>, u64) {
        let (mut walls, mut cpus, mut peak) = (Vec::new(), Vec::new(), 0);
        for _ in 0..runs {
            let (wall, rss, _) = run_child(&mut cmd(), &self.out());
            walls.push(wall);
            cpus.push(*LAST_CPU.lock().expect("cpu"));
            peak = peak.max(rss);
        }
        (walls, cpus, peak)
    }

    pub(crate) fn print(&self) -> String {
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
        if !self.growth.is_empty() {
            s.push_str("\n### Growth: every command at N and 4N\n");
            s.push_str(&self.growth);
        }
        s
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("probe-frame") => return probes::probe_frame(Path::new(&args[2])),
        Some("probe-analysis") => {
            return probes::probe_analysis(Path::new(&args[2]), args[3].parse().expect("runs"));
        }
        Some("probe-commit") => {
            return probes::probe_commit(Path::new(&args[2]), args[3].parse().expect("N"));
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
        growth: String::new(),
    };
    let started = Instant::now();
    if args.iter().any(|a| a == "--growth") {
        bench.growth = bench.growth();
    } else {
        bench.run();
        bench.growth = bench.growth();
    }
    bench.notes.push(format!(
        "Whole run: {:.0} s. Times are wall-clock medians on a shared machine; `--quick` shrinks the data.",
        started.elapsed().as_secs_f64()
    ));
    let table = bench.print();
    println!("{table}");
    let mut f = File::create(work.join("results.md")).expect("results file");
    let _ = f.write_all(table.as_bytes());
}
