//! The CLI's only way to the terminal. At start-up (`install`) the process's stdout and stderr
//! are replaced by pipes; a thread per pipe copies what arrives to the real stream, replacing
//! every control character (C0 but newline and tab, DEL, C1, ESC, so no escape sequence
//! survives) and every bidi control with U+FFFD. Every `println!`, `eprintln!`, a library's
//! write to fd 1 or 2 and a panic message pass through it, so no print site can forget to
//! sanitise, whichever engineer adds it.
//!
//! Data a program reads (`--format csv|json`, `export … -`) is written with [`write_data`]: it
//! travels through the same pipe (so it stays in order with the text around it) inside a frame
//! that starts with a random per-process marker no study text can forge. The filter passes a
//! frame through unchanged when stdout is not a terminal (redirected to a file or a pipe, the
//! data is the researcher's text and must not be altered) and sanitises it like any other text
//! when stdout is a terminal. Table and error text is sanitised either way.
//!
//! The TUI draws with escape sequences of its own and sanitises cell by cell, so it runs
//! without the filter.

use std::fs::File;
use std::io::{self, Read, Write};
use std::sync::{Mutex, OnceLock};
use std::thread::JoinHandle;

/// Length of the frame marker: a NUL (never printed raw: the filter replaces it) and 16 random
/// bytes.
const MARKER_LEN: usize = 17;
const HEADER_LEN: usize = MARKER_LEN + 8;

/// The frame marker of this process, set when the filter is installed on stdout.
static MARKER: OnceLock<[u8; MARKER_LEN]> = OnceLock::new();

/// The running filter: the real streams saved by `start` (fd, saved copy) and the threads.
struct Guard {
    saved: Vec<(i32, i32)>,
    threads: Vec<JoinHandle<()>>,
}

static GUARD: Mutex<Option<Guard>> = Mutex::new(None);

/// Routes fd 1 and fd 2 through sanitising threads until [`restore`]. Where that is impossible
/// it changes nothing, and the CLI prints unfiltered (its tables are sanitised anyway).
pub fn install() {
    let Some(guard) = start() else { return };
    if let Ok(mut slot) = GUARD.lock() {
        *slot = Some(guard);
    }
}

/// Flushes everything printed so far to the real streams and puts them back (before the TUI
/// takes the terminal, and at exit). Does nothing when the filter is not installed.
pub fn restore() {
    let guard = GUARD.lock().ok().and_then(|mut g| g.take());
    if let Some(g) = guard {
        g.finish();
    }
}

#[cfg(unix)]
fn start() -> Option<Guard> {
    let mut marker = [0u8; MARKER_LEN];
    marker[1..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    let mut guard = Guard {
        saved: Vec::new(),
        threads: Vec::new(),
    };
    // When stdout and stderr are the same file (the usual terminal), one pipe carries both, so
    // an error printed after a line of output still appears after it.
    let same = match (identity(1), identity(2)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    };
    let groups: &[&[i32]] = if same { &[&[1, 2]] } else { &[&[1], &[2]] };
    for fds in groups {
        // SAFETY: plain fd syscalls on descriptors this function owns or the process's stdio.
        unsafe {
            let first = fds[0];
            let copy = libc::fcntl(first, libc::F_DUPFD_CLOEXEC, 3);
            if copy < 0 {
                continue;
            }
            let mut pipe = [0i32; 2];
            if libc::pipe(pipe.as_mut_ptr()) != 0 {
                libc::close(copy);
                continue;
            }
            libc::fcntl(pipe[0], libc::F_SETFD, libc::FD_CLOEXEC);
            let terminal = libc::isatty(copy) == 1;
            let mut ok = true;
            for &fd in *fds {
                let original = libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 3);
                if original < 0 || libc::dup2(pipe[1], fd) < 0 {
                    ok = false;
                    if original >= 0 {
                        libc::close(original);
                    }
                    break;
                }
                guard.saved.push((fd, original));
            }
            libc::close(pipe[1]);
            let reader = owned(pipe[0]);
            let out = owned(copy);
            let frames = fds.contains(&1).then_some(marker);
            guard.threads.push(std::thread::spawn(move || {
                pump(reader, out, terminal, frames)
            }));
            if ok && frames.is_some() {
                let _ = MARKER.set(marker);
            }
        }
    }
    Some(guard)
}

/// (device, inode) of what `fd` writes to.
#[cfg(unix)]
fn identity(fd: i32) -> Option<(u64, u64)> {
    // SAFETY: fstat fills the struct it is given.
    unsafe {
        let mut st: libc::stat = std::mem::zeroed();
        (libc::fstat(fd, &mut st) == 0).then_some((st.st_dev as u64, st.st_ino as u64))
    }
}

#[cfg(not(unix))]
fn start() -> Option<Guard> {
    None
}

/// # Safety
/// `fd` must be a valid descriptor just returned by pipe() or dup(), owned by the caller.
#[cfg(unix)]
unsafe fn owned(fd: i32) -> File {
    use std::os::fd::FromRawFd;
    // SAFETY: see the function's contract.
    unsafe { File::from_raw_fd(fd) }
}

impl Guard {
    /// Flushes Rust's buffers, puts the real streams back (closing the pipes, so the threads
    /// see the end) and waits until everything has been written out.
    fn finish(self) {
        let _ = io::stdout().flush();
        let _ = io::stderr().flush();
        for (fd, original) in self.saved {
            // SAFETY: restoring the descriptors saved by `start`.
            unsafe {
                libc::dup2(original, fd);
                libc::close(original);
            }
        }
        for t in self.threads {
            let _ = t.join();
        }
    }
}

/// Writes data for another program (CSV, JSON, an export to `-`): unchanged when stdout is
/// redirected, sanitised when it is a terminal (see the module comment).
pub fn write_data(bytes: &[u8]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    let filtered = GUARD.lock().map(|g| g.is_some()).unwrap_or(false);
    if let Some(marker) = MARKER.get().filter(|_| filtered) {
        out.write_all(marker)?;
        out.write_all(&(bytes.len() as u64).to_le_bytes())?;
    }
    out.write_all(bytes)?;
    out.flush()
}

/// Whether `path` names the process's stdout (`-`, `/dev/stdout`, `/dev/fd/1`…): exports
/// given such a path write with [`write_data`] instead of creating a file.
pub fn is_stdout_path(path: &std::path::Path) -> bool {
    matches!(
        path.to_str(),
        Some("-" | "/dev/stdout" | "/dev/fd/1" | "/proc/self/fd/1")
    )
}

/// Copies the pipe to the real stream until the pipe is closed.
fn pump(mut reader: File, out: File, terminal: bool, frames: Option<[u8; MARKER_LEN]>) {
    let mut out = io::BufWriter::with_capacity(64 * 1024, out);
    let mut filter = Filter::new(terminal, frames);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                let mut chunk = Vec::with_capacity(n + 16);
                filter.feed(&buf[..n], &mut chunk);
                // Flush only when the pipe is drained: output appears as soon as the program
                // pauses, without a write per printed line when it prints a long table.
                let written = out.write_all(&chunk).and_then(|()| {
                    if pending_bytes(&reader) == 0 {
                        out.flush()
                    } else {
                        Ok(())
                    }
                });
                if written.is_err() {
                    // The reader went away (`| head`) and SIGPIPE is ignored: keep draining so
                    // the program's writes never block.
                    while matches!(reader.read(&mut buf), Ok(n) if n > 0) {}
                    return;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    let mut chunk = Vec::new();
    filter.finish(&mut chunk);
    let _ = out.write_all(&chunk).and_then(|()| out.flush());
}

/// Bytes waiting in the pipe (0 when unknown, which makes the caller flush).
fn pending_bytes(reader: &File) -> usize {
    use std::os::fd::AsRawFd;
    let mut n: libc::c_int = 0;
    // SAFETY: FIONREAD writes one int.
    let rc = unsafe { libc::ioctl(reader.as_raw_fd(), libc::FIONREAD, &mut n) };
    if rc == 0 { n.max(0) as usize } else { 0 }
}

/// The byte-stream state machine behind [`pump`], separate so it can be tested without pipes.
pub struct Filter {
    /// Stdout goes to a terminal: data frames are sanitised too.
    terminal: bool,
    frames: Option<[u8; MARKER_LEN]>,
    /// Bytes not yet decided on (a possible frame header, or a partial UTF-8 character).
    pending: Vec<u8>,
    /// Bytes of the current data frame still to come.
    in_frame: u64,
    /// A carriage return seen last: printed only when a line feed follows (CRLF is harmless; a
    /// lone CR would let text overwrite the line it is on).
    cr: bool,
}

impl Filter {
    pub fn new(terminal: bool, frames: Option<[u8; MARKER_LEN]>) -> Filter {
        Filter {
            terminal,
            frames,
            pending: Vec::new(),
            in_frame: 0,
            cr: false,
        }
    }

    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        self.pending.extend_from_slice(input);
        let bytes = std::mem::take(&mut self.pending);
        let mut i = 0;
        while i < bytes.len() {
            if self.in_frame > 0 {
                let take = (self.in_frame.min((bytes.len() - i) as u64)) as usize;
                let part = &bytes[i..i + take];
                i += take;
                self.in_frame -= take as u64;
                if self.terminal {
                    // A frame is whole UTF-8; a partial character waits in `pending` only when
                    // the pipe split it, and `text` keeps it until the rest arrives.
                    let rest = self.text(part, out, self.in_frame > 0);
                    if !rest.is_empty() {
                        self.pending.extend_from_slice(rest);
                        self.in_frame += rest.len() as u64;
                        // The pending bytes belong to the frame: put them back in front.
                        let tail = bytes[i..].to_vec();
                        self.pending.extend_from_slice(&tail);
                        return;
                    }
                } else {
                    out.extend_from_slice(part);
                }
                continue;
            }
            // Text up to the next NUL (a possible frame header).
            let end = match self.frames {
                Some(_) => bytes[i..]
                    .iter()
                    .position(|&b| b == 0)
                    .map_or(bytes.len(), |p| i + p),
                None => bytes.len(),
            };
            if end > i {
                let rest = self.text(&bytes[i..end], out, end == bytes.len());
                if !rest.is_empty() {
                    // A character split by the pipe: wait for its other bytes.
                    self.pending.extend_from_slice(rest);
                    return;
                }
                i = end;
                continue;
            }
            // bytes[i] is a NUL and frames are on.
            let marker = self.frames.expect("frames are on");
            let avail = &bytes[i..];
            if avail.len() < HEADER_LEN && marker.starts_with(&avail[..avail.len().min(MARKER_LEN)])
            {
                self.pending.extend_from_slice(avail);
                return;
            }
            if avail.len() >= HEADER_LEN && avail[..MARKER_LEN] == marker {
                let mut len = [0u8; 8];
                len.copy_from_slice(&avail[MARKER_LEN..HEADER_LEN]);
                self.flush_cr(out);
                self.in_frame = u64::from_le_bytes(len);
                i += HEADER_LEN;
                continue;
            }
            self.text(&bytes[i..i + 1], out, false);
            i += 1;
        }
    }

    /// Writes out whatever is still held (the stream has ended).
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        let bytes = std::mem::take(&mut self.pending);
        if self.in_frame > 0 && !self.terminal {
            out.extend_from_slice(&bytes);
        } else {
            self.text(&bytes, out, false);
        }
        self.flush_cr(out);
        self.in_frame = 0;
    }

    fn flush_cr(&mut self, out: &mut Vec<u8>) {
        if std::mem::take(&mut self.cr) {
            out.extend_from_slice(REPLACEMENT);
        }
    }

    /// Sanitises `bytes` into `out`. When `may_continue`, an incomplete UTF-8 character at the
    /// end is returned instead of replaced, to be completed by the next read.
    fn text<'a>(&mut self, bytes: &'a [u8], out: &mut Vec<u8>, may_continue: bool) -> &'a [u8] {
        let mut rest = bytes;
        loop {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    self.chars(s, out);
                    return &[];
                }
                Err(e) => {
                    let (good, bad) = rest.split_at(e.valid_up_to());
                    self.chars(std::str::from_utf8(good).unwrap_or_default(), out);
                    match e.error_len() {
                        Some(n) => {
                            self.flush_cr(out);
                            out.extend_from_slice(REPLACEMENT);
                            rest = &bad[n..];
                        }
                        None if may_continue => return bad,
                        None => {
                            self.flush_cr(out);
                            out.extend_from_slice(REPLACEMENT);
                            return &[];
                        }
                    }
                }
            }
        }
    }

    fn chars(&mut self, s: &str, out: &mut Vec<u8>) {
        for c in s.chars() {
            if c == '\n' {
                if std::mem::take(&mut self.cr) {
                    out.push(b'\r');
                }
                out.push(b'\n');
                continue;
            }
            self.flush_cr(out);
            match c {
                '\r' => self.cr = true,
                '\t' => out.push(b'\t'),
                c if crate::text::is_unsafe_char(c) => out.extend_from_slice(REPLACEMENT),
                c => {
                    let mut b = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
                }
            }
        }
    }
}

const REPLACEMENT: &[u8] = "\u{FFFD}".as_bytes();

#[cfg(test)]
mod tests {
    use super::*;

    fn marker() -> [u8; MARKER_LEN] {
        let mut m = [7u8; MARKER_LEN];
        m[0] = 0;
        m
    }

    fn frame(data: &[u8]) -> Vec<u8> {
        let mut v = marker().to_vec();
        v.extend_from_slice(&(data.len() as u64).to_le_bytes());
        v.extend_from_slice(data);
        v
    }

    /// Feeds `input` split into pieces of `step` bytes (as a pipe may deliver it).
    fn run(terminal: bool, input: &[u8], step: usize) -> String {
        let mut f = Filter::new(terminal, Some(marker()));
        let mut out = Vec::new();
        for piece in input.chunks(step) {
            f.feed(piece, &mut out);
        }
        f.finish(&mut out);
        String::from_utf8(out).unwrap()
    }

    const HOSTILE: &str = "a\x1b]52;c;ZXZpbA==\x07b\x1b]0;title\x1b\\c\u{9b}31m\u{202E}d\u{061C}e\u{2066}\r\nf\rg\x00h";

    #[test]
    fn text_loses_every_control_at_any_split() {
        for step in [1, 2, 3, 5, 64] {
            let s = run(false, HOSTILE.as_bytes(), step);
            assert!(
                !s.chars()
                    .any(|c| crate::text::is_unsafe_char(c) && c != '\n' && c != '\r'),
                "{step}: {s:?}"
            );
            assert!(!s.contains('\x1b') && !s.contains('\u{202E}'), "{s:?}");
            assert!(s.contains("\r\nf"), "CRLF kept: {s:?}");
            assert!(s.contains("f\u{FFFD}g"), "lone CR replaced: {s:?}");
            assert!(s.starts_with("a\u{FFFD}]52;c;ZXZpbA==\u{FFFD}b"), "{s:?}");
        }
    }

    #[test]
    fn utf8_split_by_the_pipe_survives() {
        let text = "Zoë 漢字 👋\n";
        for step in 1..5 {
            assert_eq!(run(false, text.as_bytes(), step), text);
            assert_eq!(run(true, &frame(text.as_bytes()), step), text);
        }
    }

    #[test]
    fn frames_pass_unchanged_to_a_file_and_sanitised_to_a_terminal() {
        let mut input = b"before\n".to_vec();
        input.extend(frame(HOSTILE.as_bytes()));
        input.extend_from_slice(b"after\x1b[2J\n");
        for step in [1, 4, 7, 1000] {
            let file = run(false, &input, step);
            assert_eq!(
                file,
                format!("before\n{HOSTILE}after\u{FFFD}[2J\n"),
                "{step}"
            );
            let tty = run(true, &input, step);
            assert!(
                !tty.contains('\x1b') && !tty.contains('\u{202E}'),
                "{tty:?}"
            );
            assert!(tty.starts_with("before\na\u{FFFD}]52"), "{tty:?}");
        }
    }

    #[test]
    fn a_forged_marker_is_just_text() {
        let mut forged = marker();
        forged[5] = 8;
        let mut input = forged.to_vec();
        input.extend_from_slice(&5u64.to_le_bytes());
        input.extend_from_slice(b"\x1b[2J");
        let s = run(false, &input, 3);
        assert!(!s.contains('\x1b') && !s.contains('\0'), "{s:?}");
    }

    #[test]
    fn stdout_paths() {
        assert!(is_stdout_path(std::path::Path::new("-")));
        assert!(is_stdout_path(std::path::Path::new("/dev/stdout")));
        assert!(!is_stdout_path(std::path::Path::new("out.csv")));
    }
}
