//! Rows for the study as a researcher uses it: first frame, keypresses, commits, import,
//! analysis queries and the report.

use std::path::Path;
use std::process::Command;

use crate::Bench;
use crate::util::*;

impl Bench {
    pub(crate) fn frame_row(&mut self, big: &Path, docs: &str) {
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

    pub(crate) fn keypress_row(&mut self) {
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

    pub(crate) fn commit_row(&mut self, big: &Path) {
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

    pub(crate) fn import_row(&mut self, big: &Path) {
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

    pub(crate) fn analysis_rows(&mut self, big: &Path, label: &str) {
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

    pub(crate) fn report_row(&mut self, big: &Path, label: &str) {
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
}
