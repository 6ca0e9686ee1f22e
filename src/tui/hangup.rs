//! Noticing that the terminal went away. crossterm's reader loops forever on a terminal that
//! hung up (its read returns 0 bytes and it reads again), so the run loop waits on the
//! terminal itself with poll(2) first and never hands a hung-up terminal to crossterm; a
//! watchdog ends the process if a signal ever arrives while the loop is stuck anyway (the
//! editors' drafts, written every few seconds, are then what is kept).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// Bytes to read (or something crossterm should look at).
    Ready,
    /// Nothing within the timeout, or a signal interrupted the wait.
    Idle,
    /// The terminal hung up: reading it would only ever return end-of-file.
    HungUp,
}

/// Waits up to `timeout` for the terminal on stdin.
pub fn wait_stdin(timeout: Duration) -> Input {
    let mut fds = libc::pollfd {
        fd: libc::STDIN_FILENO,
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = timeout.as_millis().min(i32::MAX as u128) as i32;
    // SAFETY: one valid pollfd, count 1; poll(2) only writes `revents`.
    let n = unsafe { libc::poll(&mut fds, 1, ms) };
    if n <= 0 {
        // Timeout, or EINTR (a resize or another signal): crossterm picks up resizes itself.
        return Input::Idle;
    }
    if fds.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
        return Input::HungUp;
    }
    Input::Ready
}

/// How long the run loop gets to save and exit after a signal before the watchdog ends it.
pub const GRACE: Duration = Duration::from_secs(5);

/// Starts the watchdog: once `signal` is set, the process ends `GRACE` later with the
/// signal's exit status unless the run loop has ended it first.
pub fn watchdog(signal: Arc<AtomicUsize>) {
    std::thread::spawn(move || {
        loop {
            let sig = signal.load(Ordering::SeqCst);
            if sig != 0 {
                std::thread::sleep(GRACE);
                super::log::write(&format!(
                    "signal {sig}: the workbench did not end within {GRACE:?}; the editors' drafts are kept"
                ));
                std::process::exit(128 + sig as i32);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
}
