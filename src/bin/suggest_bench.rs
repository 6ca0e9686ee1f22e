//! Benchmark of code suggestions (issue 15): training time (wall clock and this process's CPU
//! time, which a busy shared machine does not inflate) and the time to list suggestions for a
//! whole transcript, on a study file (which gets the trained model stored in it).
//!
//!     cargo run --release --bin suggest_bench -- STUDY CODER [--docs N]
//!
//! Lists suggestions for the first N documents (default 20) and prints the median and max; then
//! replays 600 keys (j, w, }, {, k) in the workbench on the first document drawn at 160×48 with
//! suggestions hidden and shown, and prints the median time per key of each.

use std::time::Instant;
use thematic::suggest::{model, suggestions, training};

fn cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let t = |v: libc::timeval| v.tv_sec as f64 + v.tv_usec as f64 / 1e6;
    t(u.ru_utime) + t(u.ru_stime)
}

fn main() -> thematic::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(coder)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: suggest_bench STUDY CODER [--docs N]");
        std::process::exit(2);
    };
    let n_docs: usize = args
        .iter()
        .position(|a| a == "--docs")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let study = thematic::Study::open(std::path::Path::new(path))?;
    let conn = study.conn();
    thematic::suggest::ensure_schema(conn)?;
    let (coder, note) = thematic::suggest::choose_coder(conn, Some(coder), coder)?;
    let (wall, cpu) = (Instant::now(), cpu_seconds());
    let m = model::train(
        conn,
        &coder,
        &note,
        thematic::suggest::dataset::UnitKind::Turn,
        training::Settings::default(),
        &study.now(),
        training::MAX_UNITS,
    )?;
    println!(
        "train: {:.2} s wall, {:.2} s CPU ({} documents, {} units, {} codes; {})",
        wall.elapsed().as_secs_f64(),
        cpu_seconds() - cpu,
        m.info.documents,
        m.info.units,
        m.codes.len(),
        m.info
            .evaluation
            .sample_note
            .as_deref()
            .unwrap_or("no sampling")
    );
    println!(
        "macro-F1 (cross-validated) {:?}",
        m.info.evaluation.macro_f1
    );
    let t = Instant::now();
    m.store(conn)?;
    println!("store: {:.3} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let m = model::latest(conn, None)?.expect("just stored");
    println!("load: {:.3} s", t.elapsed().as_secs_f64());
    let paths = suggestions::code_paths(conn)?;
    let mut times = Vec::new();
    let mut total = 0;
    // A coder with no codings sees every suggestion: the most work per transcript.
    for d in thematic::study::documents::list(conn)?.iter().take(n_docs) {
        let t = Instant::now();
        let s = suggestions::for_document(
            conn,
            &m,
            d.id,
            &d.name,
            -1,
            &suggestions::Filter::default(),
            &paths,
        )?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        total += s.len();
    }
    times.sort_by(f64::total_cmp);
    if !times.is_empty() {
        println!(
            "suggestions per transcript: median {:.1} ms, max {:.1} ms over {} documents ({} suggestions)",
            times[times.len() / 2],
            times[times.len() - 1],
            times.len(),
            total
        );
    }
    for shown in [false, true] {
        let (median, p99) = keypress(std::path::Path::new(path), shown)?;
        println!(
            "keypress with suggestions {}: median {median:.3} ms, p99 {p99:.3} ms (600 keys, 160×48)",
            if shown { "shown" } else { "hidden" }
        );
    }
    Ok(())
}

fn keypress(path: &std::path::Path, shown: bool) -> thematic::Result<(f64, f64)> {
    use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    use thematic::tui::{app::App, keymap::Keymap, theme::Theme, views};
    let size = ratatui::layout::Rect::new(0, 0, 160, 48);
    let study = thematic::Study::open(path)?;
    let mut app = App::new(study, "bench", Keymap::default(), Theme::plain(), size)?;
    app.suggest.set_shown(shown);
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 48)).expect("terminal");
    terminal.draw(|f| views::draw(&app, f)).expect("draw");
    let keys = ['j', 'j', 'w', '}', 'j', 'k', '{', '}', '}', 'w'];
    let mut times = Vec::new();
    for i in 0..600 {
        let k = KeyEvent::new(KeyCode::Char(keys[i % keys.len()]), KeyModifiers::NONE);
        let t = Instant::now();
        app.handle_event(Event::Key(k));
        terminal.draw(|f| views::draw(&app, f)).expect("draw");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    Ok((times[times.len() / 2], times[times.len() * 99 / 100]))
}
