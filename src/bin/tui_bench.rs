//! Benchmark of the workbench's cost per key: replays keys on a generated study (a 1 MB
//! transcript with 20,000 codings, in a 1,000-document study and alone in a 1-document study),
//! drawing to ratatui's TestBackend after each key, and prints the median and p99 per key.
//!
//!     cargo run --release --bin tui_bench
//!     cargo run --release --bin tui_bench -- --fixture small.thematic   # a small study to try
//!
//! Options: --docs N (default 1000), --bytes N (1000000), --codings N (20000), --keys N (3000),
//! --rounds N (5). Each round replays the keys on a freshly opened workbench; the figures are
//! given over all rounds (wall clock) and over each key's fastest round (without interference
//! from other processes on a busy machine).

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use std::path::Path;
use std::time::Instant;
use thematic::tui::{app::App, fixture, keymap::Keymap, theme::Theme, views};

fn arg(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The replayed keys: movement of every kind, visual selections, search steps, pane switches.
fn script(n: usize) -> Vec<KeyEvent> {
    let k = |c: char| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
    let ctrl = |c: char| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
    let cycle = [
        k('j'),
        k('j'),
        k('w'),
        k('w'),
        k('l'),
        k('}'),
        k('j'),
        k('b'),
        ctrl('d'),
        k(')'),
        k('v'),
        k('w'),
        k('w'),
        k(')'),
        KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE),
        k(']'),
        k('k'),
        ctrl('d'),
        KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE),
        k('k'),
        k('{'),
        k('j'),
        k('G'),
        k('k'),
        k('g'),
        ctrl('d'),
        ctrl('d'),
        k('n'),
        KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE),
        k('j'),
        KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE),
        k('j'),
        KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE),
    ];
    cycle.iter().copied().cycle().take(n).collect()
}

struct Figures {
    median: f64,
    p99: f64,
    max: f64,
}

fn figures(mut v: Vec<f64>) -> Figures {
    v.sort_by(|a, b| a.total_cmp(b));
    Figures {
        median: v[v.len() / 2],
        p99: v[(v.len() * 99 / 100).min(v.len() - 1)],
        max: v[v.len() - 1],
    }
}

/// One replay of the script on a freshly opened workbench: the time of each key (handling it
/// and drawing the screen), in milliseconds.
fn replay(path: &Path, keys: usize) -> Vec<f64> {
    let study = thematic::Study::open(path).expect("open");
    let size = Rect::new(0, 0, 160, 48);
    let mut app = App::new(
        study,
        "alex",
        Keymap::default(),
        Theme { colour: true },
        size,
    )
    .expect("open");
    app.search = Some("worry".into());
    let mut terminal = Terminal::new(TestBackend::new(size.width, size.height)).expect("terminal");
    terminal.draw(|f| views::draw(&app, f)).expect("draw");
    if std::env::var_os("BENCH_DRAW").is_some() {
        use ratatui::widgets::Paragraph;
        let time =
            |label: &str, terminal: &mut Terminal<TestBackend>, f: &dyn Fn(&mut ratatui::Frame)| {
                let t = Instant::now();
                for _ in 0..500 {
                    terminal.draw(|fr| f(fr)).expect("draw");
                }
                eprintln!(
                    "    {label:<24} {:.3} ms",
                    t.elapsed().as_secs_f64() * 1000.0 / 500.0
                );
            };
        time("empty frame", &mut terminal, &|_| {});
        time("one paragraph", &mut terminal, &|f| {
            f.render_widget(Paragraph::new("x"), f.area())
        });
        time("whole workbench", &mut terminal, &|f| views::draw(&app, f));
        let a = app.areas();
        time("documents", &mut terminal, &|f| {
            views::documents::render(&app, a.documents, f)
        });
        time("codebook", &mut terminal, &|f| {
            views::codebook::render(&app, a.codebook, f)
        });
        time("transcript", &mut terminal, &|f| {
            views::transcript::render(&app, a.main, f)
        });
        time("status", &mut terminal, &|f| {
            views::status::render(&app, a.status, f)
        });
    }
    let mut times = Vec::with_capacity(keys);
    for key in script(keys) {
        let t = Instant::now();
        app.handle_event(Event::Key(key));
        terminal.draw(|f| views::draw(&app, f)).expect("draw");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times
}

/// Replays the script `rounds` times on each study, alternating between them so that whatever
/// else the machine is doing falls on both alike. Returns, per study, the figures over every key
/// press of every round (wall clock) and over each key's fastest round (the cost of the work
/// itself, without other processes' interference).
fn run(paths: &[&Path], keys: usize, rounds: usize) -> Vec<(Figures, Figures)> {
    let mut all = vec![Vec::new(); paths.len()];
    let mut best = vec![vec![f64::MAX; keys]; paths.len()];
    for _ in 0..rounds {
        for (i, path) in paths.iter().enumerate() {
            let times = replay(path, keys);
            for (b, t) in best[i].iter_mut().zip(&times) {
                *b = b.min(*t);
            }
            all[i].extend(times);
        }
    }
    if std::env::var_os("BENCH_VERBOSE").is_some() {
        for (path, best) in paths.iter().zip(&best) {
            eprintln!("  {}: fastest round per key", path.display());
            let mut by_key: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
            for (key, t) in script(keys).iter().zip(best) {
                by_key
                    .entry(format!("{:?} {:?}", key.code, key.modifiers))
                    .or_default()
                    .push(*t);
            }
            for (k, v) in by_key {
                let f = figures(v);
                eprintln!("    {k:<32} median {:.3} max {:.3}", f.median, f.max);
            }
            let mut slow: Vec<(f64, usize)> = best.iter().copied().zip(0..).collect();
            slow.sort_by(|a, b| b.0.total_cmp(&a.0));
            let keys = script(keys);
            let worst: Vec<String> = slow
                .iter()
                .take(30)
                .map(|(t, i)| format!("{i}:{:?}={t:.2}", keys[*i].code))
                .collect();
            eprintln!("    slowest: {}", worst.join(" "));
        }
    }
    all.into_iter()
        .zip(best)
        .map(|(a, b)| (figures(a), figures(b)))
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--fixture") {
        let path = Path::new(args.get(i + 1).expect("--fixture PATH"));
        fixture::small_study(path).expect("build the small study");
        println!("wrote {}", path.display());
        return;
    }
    let docs = arg(&args, "--docs", 1000);
    let bytes = arg(&args, "--bytes", 1_000_000);
    let codings = arg(&args, "--codings", 20_000);
    let keys = arg(&args, "--keys", 3000);
    let rounds = arg(&args, "--rounds", 5).max(1);
    let dir = std::env::temp_dir().join(format!("thematic-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    println!(
        "{keys} keys × {rounds} rounds, drawn at 160×48; a {bytes}-byte transcript with {codings} codings"
    );
    let many = dir.join("many.thematic");
    let one = dir.join("one.thematic");
    for (path, n) in [(&many, docs), (&one, 1)] {
        let t0 = Instant::now();
        drop(fixture::generated_study(path, n, bytes, codings).expect("generate study"));
        eprintln!(
            "  generated {n} document(s) in {:.1}s",
            t0.elapsed().as_secs_f64()
        );
    }
    let rows = run(&[&many, &one], keys, rounds);
    for ((all, best), n) in rows.iter().zip([docs, 1]) {
        println!(
            "{n:>5}-document study: median {:.3} ms, p99 {:.3} ms, max {:.3} ms per key (all rounds); fastest round per key: median {:.3} ms, p99 {:.3} ms",
            all.median, all.p99, all.max, best.median, best.p99
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    let (m, o) = (&rows[0], &rows[1]);
    println!(
        "{docs} vs 1 documents: median {:+.1}%, p99 {:+.1}% (all rounds); median {:+.1}%, p99 {:+.1}% (fastest round)",
        (m.0.median / o.0.median - 1.0) * 100.0,
        (m.0.p99 / o.0.p99 - 1.0) * 100.0,
        (m.1.median / o.1.median - 1.0) * 100.0,
        (m.1.p99 / o.1.p99 - 1.0) * 100.0
    );
}
