//! Benchmark of the workbench's cost per key: replays keys on a generated study (a 1 MB
//! transcript with 20,000 codings, in a 1,000-document study and alone in a 1-document study),
//! drawing to ratatui's TestBackend after each key, and prints the median and p99 per key.
//!
//!     cargo run --release --bin tui_bench
//!     cargo run --release --bin tui_bench -- --fixture small.thematic   # a small study to try
//!
//! Options: --docs N (default 1000), --bytes N (1000000), --codings N (20000), --keys N (3000).

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

fn run(path: &Path, docs: usize, bytes: usize, codings: usize, keys: usize) -> (f64, f64, f64) {
    let _ = std::fs::remove_file(path);
    let t0 = Instant::now();
    let study = fixture::generated_study(path, docs, bytes, codings).expect("generate study");
    eprintln!(
        "  generated {docs} documents in {:.1}s",
        t0.elapsed().as_secs_f64()
    );
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
    let mut times = Vec::with_capacity(keys);
    for key in script(keys) {
        let t = Instant::now();
        app.handle_event(Event::Key(key));
        terminal.draw(|f| views::draw(&app, f)).expect("draw");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let median = times[times.len() / 2];
    let p99 = times[(times.len() * 99 / 100).min(times.len() - 1)];
    let max = times[times.len() - 1];
    (median, p99, max)
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
    let dir = std::env::temp_dir().join(format!("thematic-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    println!("{keys} keys, 160×48, {bytes}-byte transcript with {codings} codings");
    let (m1, p1, x1) = run(&dir.join("many.thematic"), docs, bytes, codings, keys);
    println!("{docs:>5}-document study: median {m1:.3} ms, p99 {p1:.3} ms, max {x1:.3} ms per key");
    let (m2, p2, x2) = run(&dir.join("one.thematic"), 1, bytes, codings, keys);
    println!("    1-document study: median {m2:.3} ms, p99 {p2:.3} ms, max {x2:.3} ms per key");
    let _ = std::fs::remove_dir_all(&dir);
    println!("median ratio {:.2}, p99 ratio {:.2}", m1 / m2, p1 / p2);
}
