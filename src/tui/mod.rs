//! The terminal workbench: `thematic` with no subcommand. A thin shell over the core: the run
//! loop reads events, turns them into actions (`keymap`), updates the state (`update`), runs
//! the writes through the `Store`, and draws the state (`views`) — drawing never writes.

pub mod action;
pub mod analysis_coder;
pub mod analysis_view;
pub mod app;
pub mod describe;
pub mod drafts;
pub mod first_run;
pub mod fixture;
pub mod fuzzy;
mod hangup;
pub mod icr_assigned;
pub mod jumps;
pub mod key;
pub mod keymap;
pub mod layout;
pub mod log;
pub mod memos;
pub mod motion;
mod mouse;
mod nav;
pub mod pins;
pub mod popup;
pub mod retrieval;
pub mod search;
pub mod store;
pub mod study_views;
pub mod suggest_view;
pub mod theme;
mod update;
mod update_popup;
mod update_transcript;
pub(crate) mod update_views;
pub mod views;

use crate::Result;
use crate::study::Study;
use app::App;
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use ratatui::crossterm::execute;
use std::path::Path;
use std::time::{Duration, Instant};

/// How often the study file is checked for other processes' writes.
pub const TICK: Duration = Duration::from_millis(500);

/// Opens the workbench on `path` as `coder_name` and runs it until the user quits.
pub fn run(path: &Path, coder_name: &str) -> Result<()> {
    let study = Study::open(path)?;
    let (keymap, problems) = keymap::Keymap::load();
    // Read before the terminal is taken over: a broken config.toml is reported on stderr.
    let thresholds = crate::config::Config::load().agreement_thresholds;
    log::write(&format!("opening {} as {coder_name}", path.display()));
    // A panic must leave the terminal usable: ratatui's hook restores the screen and raw mode;
    // ours releases the mouse first.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(
            std::io::stdout(),
            DisableMouseCapture,
            DisableBracketedPaste
        );
        previous(info);
    }));
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(crate::invalid!(
            "the workbench needs a terminal; use a subcommand (see `thematic help`) from scripts"
        ));
    }
    // A hang-up (the SSH connection dropped), SIGTERM or SIGINT ends the session the way
    // Ctrl-c does: open editors are saved. The handlers only set a flag the loop reads.
    let signal = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for sig in [
        signal_hook::consts::SIGHUP,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGINT,
    ] {
        signal_hook::flag::register_usize(sig, std::sync::Arc::clone(&signal), sig as usize)?;
    }
    let signalled = || signal.load(std::sync::atomic::Ordering::SeqCst);
    hangup::watchdog(std::sync::Arc::clone(&signal));
    let mut terminal = ratatui::try_init()?;
    let _ = execute!(std::io::stdout(), EnableMouseCapture, EnableBracketedPaste);
    let size = match terminal.size() {
        Ok(s) => s,
        Err(e) => {
            ratatui::restore();
            return Err(e.into());
        }
    };
    let area = ratatui::layout::Rect::new(0, 0, size.width, size.height);
    let mut app = match App::new(study, coder_name, keymap, theme::Theme::from_env(), area) {
        Ok(app) => app,
        Err(e) => {
            ratatui::restore();
            return Err(e);
        }
    };
    if let Some(t) = thresholds {
        app.thresholds = t;
    }
    if let Some(p) = problems.first() {
        app.set_message(format!("error in keys.toml: {p}"));
    }
    let result = (|| -> Result<()> {
        let mut last_tick = Instant::now();
        while signalled() == 0 {
            terminal.draw(|f| views::draw(&app, f))?;
            if let Some(text) = app.clipboard.take() {
                use std::io::Write;
                let mut out = std::io::stdout();
                let _ = out.write_all(retrieval::osc52(&text).as_bytes());
                let _ = out.flush();
            }
            let timeout = TICK.saturating_sub(last_tick.elapsed());
            // Wait on the terminal ourselves: a hung-up one must never reach crossterm.
            if hangup::wait_stdin(timeout) == hangup::Input::HungUp {
                log::write("the terminal hung up");
                break;
            }
            if signalled() == 0 && event::poll(Duration::ZERO)? {
                app.handle_event(event::read()?);
                // Drain what is already queued before drawing again (fast typists, drags).
                while !app.quit
                    && signalled() == 0
                    && hangup::wait_stdin(Duration::ZERO) != hangup::Input::HungUp
                    && event::poll(Duration::ZERO)?
                {
                    app.handle_event(event::read()?);
                }
            }
            if last_tick.elapsed() >= TICK {
                app.tick();
                last_tick = Instant::now();
            }
            if app.quit {
                break;
            }
        }
        Ok(())
    })();
    // Quitting loses nothing: an editor left open is saved — after q, a signal, or a terminal
    // that went away mid-draw (a hang-up can surface as a write error before the flag is read).
    let editors = app.open_editors();
    let mut saved = true;
    for e in app.flush_editors() {
        saved &= app.run_effect(e);
    }
    if saved && editors > 0 {
        app.save_drafts(true);
    }
    if editors > 0 {
        log::write(&format!(
            "closing: {editors} open editor(s) {}",
            if saved {
                "saved"
            } else {
                "not saved; the draft is kept"
            }
        ));
    }
    let _ = execute!(
        std::io::stdout(),
        DisableMouseCapture,
        DisableBracketedPaste
    );
    ratatui::restore();
    if let Err(e) = &result {
        log::write(&format!("error: {e}"));
    }
    let sig = signalled();
    if sig != 0 {
        log::write(&format!("ended by signal {sig}"));
        // The conventional status for death by signal, now that nothing is left unsaved.
        std::process::exit(128 + sig as i32);
    }
    result
}
