//! The terminal workbench: `thematic` with no subcommand. A thin shell over the core: the run
//! loop reads events, turns them into actions (`keymap`), updates the state (`update`), runs
//! the writes through the `Store`, and draws the state (`views`) — drawing never writes.

pub mod action;
pub mod analysis_view;
pub mod app;
pub mod fixture;
pub mod fuzzy;
pub mod key;
pub mod keymap;
pub mod layout;
pub mod log;
pub mod motion;
mod mouse;
mod nav;
pub mod popup;
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
    let mut terminal = ratatui::try_init()?;
    let _ = execute!(std::io::stdout(), EnableMouseCapture, EnableBracketedPaste);
    let result = (|| -> Result<()> {
        let size = terminal.size()?;
        let area = ratatui::layout::Rect::new(0, 0, size.width, size.height);
        let mut app = App::new(study, coder_name, keymap, theme::Theme::from_env(), area)?;
        if let Some(t) = thresholds {
            app.thresholds = t;
        }
        if let Some(p) = problems.first() {
            app.set_message(format!("error in keys.toml: {p}"));
        }
        let mut last_tick = Instant::now();
        loop {
            terminal.draw(|f| views::draw(&app, f))?;
            let timeout = TICK.saturating_sub(last_tick.elapsed());
            if event::poll(timeout)? {
                app.handle_event(event::read()?);
                // Drain what is already queued before drawing again (fast typists, drags).
                while !app.quit && event::poll(Duration::ZERO)? {
                    app.handle_event(event::read()?);
                }
            }
            if last_tick.elapsed() >= TICK {
                app.tick();
                last_tick = Instant::now();
            }
            if app.quit {
                // Quitting loses nothing: an editor left open is saved.
                for e in app.flush_editors() {
                    app.run_effect(e);
                }
                break;
            }
        }
        Ok(())
    })();
    let _ = execute!(
        std::io::stdout(),
        DisableMouseCapture,
        DisableBracketedPaste
    );
    ratatui::restore();
    if let Err(e) = &result {
        log::write(&format!("error: {e}"));
    }
    result
}
