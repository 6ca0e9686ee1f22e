//! Shared measuring helpers: statistics, formatting, and running children under wait4.

use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

pub(crate) struct Row {
    pub(crate) name: String,
    pub(crate) runs: usize,
    pub(crate) median: String,
    pub(crate) spread: String,
    pub(crate) peak: String,
    pub(crate) target: String,
    pub(crate) peer: String,
    pub(crate) result: String,
}

pub(crate) struct Stats {
    pub(crate) median: f64,
    pub(crate) p99: f64,
    pub(crate) min: f64,
    pub(crate) max: f64,
}

pub(crate) fn stats(times: &[f64]) -> Stats {
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

pub(crate) fn ms(s: f64) -> String {
    if s < 0.001 {
        format!("{:.0} µs", s * 1e6)
    } else if s < 1.0 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

pub(crate) fn mb(kb: u64) -> String {
    format!("{:.1} MB", kb as f64 / 1024.0)
}

/// CPU seconds (user + system) of the last child reaped by `run_child`.
pub(crate) static LAST_CPU: std::sync::Mutex<f64> = std::sync::Mutex::new(0.0);

/// Runs a child to completion; returns wall seconds, peak RSS (KiB) and its stdout.
/// The child is reaped by `wait4` (which also gives its rusage), not by `Child::wait`.
#[allow(clippy::zombie_processes)]
pub(crate) fn run_child(cmd: &mut Command, out: &Path) -> (f64, u64, String) {
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

/// Like `run_child`, but kills the child after `limit` seconds. Returns wall seconds, peak RSS
/// (KiB), CPU seconds and whether it finished.
#[allow(clippy::zombie_processes)]
pub(crate) fn run_child_limit(cmd: &mut Command, out: &Path, limit: f64) -> (f64, u64, f64, bool) {
    let file = File::create(out).expect("bench output file");
    let started = Instant::now();
    let child = cmd
        .stdout(Stdio::from(file))
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn bench child");
    let pid = child.id() as i32;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // A blocking wait (a polling loop quantised every time to its sleep); a watchdog thread
    // kills the child when it overruns the limit.
    use std::sync::atomic::{AtomicBool, Ordering};
    let done = std::sync::Arc::new(AtomicBool::new(false));
    let killed = std::sync::Arc::new(AtomicBool::new(false));
    {
        let (done, killed) = (done.clone(), killed.clone());
        let deadline = std::time::Duration::from_secs_f64(limit);
        std::thread::spawn(move || {
            let t0 = std::time::Instant::now();
            while t0.elapsed() < deadline {
                if done.load(Ordering::SeqCst) {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            if !done.load(Ordering::SeqCst) {
                killed.store(true, Ordering::SeqCst);
                // SAFETY: signalling our own child, not yet reaped.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        });
    }
    // SAFETY: our own child's pid, valid out-pointers.
    unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    done.store(true, Ordering::SeqCst);
    let finished = !killed.load(Ordering::SeqCst);
    let wall = started.elapsed().as_secs_f64();
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    let cpu = secs(usage.ru_utime) + secs(usage.ru_stime);
    if finished && !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        panic!("bench child failed ({status}): {cmd:?}");
    }
    (wall, usage.ru_maxrss as u64, cpu, finished)
}

pub(crate) fn vm_hwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

pub(crate) fn sh(cmd: &str) -> String {
    Command::new("sh")
        .args(["-c", cmd])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}
