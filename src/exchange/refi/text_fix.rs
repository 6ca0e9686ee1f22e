//! Canonical source text (no BOM, LF line endings) and the matching
//! conversion of selection positions.
//!
//! Which counting the positions use (code points or UTF-16 units, a leading
//! BOM counted or not, CRLF as one or two) is decided per source by
//! `position_detect`; this file strips the BOM and CRs, hands it the shape of
//! the raw text, and reports what was read.

use super::position_detect::{PositionMode, Shape, Unit, detect};

/// How positions are to be read for one import.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct PositionOpts<'a> {
    /// The project's `origin` attribute (a hint: NVivo counts UTF-16 units).
    pub origin: Option<&'a str>,
    pub mode: PositionMode,
    /// The text was taken from a `.docx`: its paragraph breaks may have counted two.
    pub from_docx: bool,
}

struct Scan {
    canon: String,
    /// Canonical char indices of the line breaks that were CRLF.
    crlf: Vec<u64>,
    /// Canonical char indices of every line break.
    breaks: Vec<u64>,
    lone_cr: usize,
}

fn scan(body: &str) -> Scan {
    let mut canon = String::with_capacity(body.len());
    let mut crlf = Vec::new();
    let mut breaks = Vec::new();
    let mut lone_cr = 0;
    let mut len: u64 = 0;
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                crlf.push(len);
                chars.next();
            } else {
                lone_cr += 1;
            }
            breaks.push(len);
            canon.push('\n');
        } else {
            if c == '\n' {
                breaks.push(len);
            }
            canon.push(c);
        }
        len += 1;
    }
    Scan {
        canon,
        crlf,
        breaks,
        lone_cr,
    }
}

/// Returns the canonical text and the spans converted to it (`None`: past the
/// end of the text under every reading tried). Adds what it read and adjusted
/// to `notes`, naming `what`.
pub(super) fn canonicalize(
    raw: &str,
    spans: &[(u64, u64)],
    what: &str,
    notes: &mut Vec<String>,
    opts: PositionOpts,
) -> (String, Vec<Option<(u64, u64)>>) {
    let (body, bom) = match raw.strip_prefix('\u{FEFF}') {
        Some(b) => (b, true),
        None => (raw, false),
    };
    let s = scan(body);
    let docx_breaks = opts.from_docx && s.crlf.is_empty();
    let wide_breaks = if docx_breaks {
        s.breaks.clone()
    } else {
        s.crlf.clone()
    };
    let hint = super::position_detect::hint_from_origin(opts.origin);
    let shape = Shape {
        text: &s.canon,
        had_bom: bom,
        wide_breaks,
    };
    let d = detect(&shape, spans, hint, opts.mode);
    let r = d.reading;
    let has = !spans.is_empty();
    if bom {
        notes.push(match (has, r.bom_counted) {
            (false, _) => format!("{what}: removed a UTF-8 byte-order mark"),
            (true, true) => format!("{what}: removed a UTF-8 byte-order mark; selection positions counted it, so they were shifted by -1"),
            (true, false) => format!("{what}: removed a UTF-8 byte-order mark; selection positions did not count it and were kept"),
        });
    }
    if !s.crlf.is_empty() {
        let n = s.crlf.len();
        notes.push(match (has, r.breaks_two) {
            (false, _) => format!("{what}: converted {n} CRLF line ending(s) to LF"),
            (true, true) => format!("{what}: converted {n} CRLF line ending(s) to LF; selection positions counted CRLF as two characters and were converted"),
            (true, false) => format!("{what}: converted {n} CRLF line ending(s) to LF; selection positions counted CRLF as one character and were kept"),
        });
    }
    if s.lone_cr > 0 {
        notes.push(format!(
            "{what}: converted {} CR line ending(s) to LF",
            s.lone_cr
        ));
    }
    // Said whenever the counting is not the spec's code points, or was a guess.
    let guessed = d.has_astral && ((d.tied && hint.is_none()) || d.against_hint);
    if has
        && (r.unit == Unit::Utf16
            || guessed
            || (docx_breaks && r.breaks_two)
            || opts.mode != PositionMode::Auto)
    {
        let by = match (opts.mode, r.unit, hint, opts.origin) {
            (PositionMode::Auto, Unit::Utf16, Some(Unit::Utf16), Some(o)) => {
                format!(" (as {} writes them)", o.trim())
            }
            (PositionMode::Auto, _, _, _) if d.against_hint => format!(
                " (although {} usually writes {}, these fit {})",
                opts.origin.unwrap_or("the tool").trim(),
                if hint == Some(Unit::Utf16) {
                    "UTF-16 units"
                } else {
                    "code points"
                },
                if r.unit == Unit::Utf16 {
                    "UTF-16 units"
                } else {
                    "code points"
                },
            ),
            (PositionMode::Auto, _, _, _) if d.tied => {
                " (both countings fit equally; took the one the spec or the origin implies)"
                    .to_string()
            }
            (PositionMode::Auto, _, _, _) => String::new(),
            _ => " (as forced with --positions)".to_string(),
        };
        let override_hint = if opts.mode == PositionMode::Auto && d.ambiguous {
            "; override with --positions utf16|code-points"
        } else {
            ""
        };
        notes.push(format!(
            "{what}: positions read as {}{by}: {} selection(s){override_hint}",
            r.describe(false, docx_breaks),
            spans.len()
        ));
    }
    if has && d.poor_fit() {
        let mut why = Vec::new();
        let out = d.out_of_range();
        if out > 0 {
            why.push(format!(
                "{out} of {} selection(s) end past the text (skipped)",
                spans.len()
            ));
        }
        if d.inside_char > 0 {
            why.push(format!(
                "{} position(s) fall inside a character",
                d.inside_char
            ));
        }
        if d.ends_checked > 0 {
            why.push(format!(
                "{} of {} selection ends on a word or line boundary",
                d.boundary_hits, d.ends_checked
            ));
        }
        notes.push(format!(
            "{what}: the selection positions fit no counting well ({}); imported as read ({}) — check these codings, or force a counting with --positions utf16|code-points",
            why.join(", "),
            r.describe(bom, !shape.wide_breaks.is_empty())
        ));
    }
    (s.canon, d.spans)
}
