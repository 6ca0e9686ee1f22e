//! Probes the suite runs as children of itself (`probe-frame`, `probe-analysis`,
//! `probe-commit`), so each measurement has its own process and peak RSS.

use std::path::Path;
use std::time::Instant;

use thematic::Study;

use thematic::agreement::SplitMix64;

use crate::util::{stats, vm_hwm_kb};

/// The TUI's first frame, in process: open the study, build the workbench (`App::new`: document
/// list, codebook, counts, first document) and draw it to a 160×48 TestBackend, as
/// `thematic` does before its first `terminal.draw`. Prints seconds to the drawn frame (and to
/// `App::new`), the number of documents, and the peak RSS so far.
pub(crate) fn probe_frame(path: &Path) {
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
pub(crate) fn probe_analysis(path: &Path, runs: usize) {
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
pub(crate) fn probe_commit(path: &Path, n: usize) {
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
