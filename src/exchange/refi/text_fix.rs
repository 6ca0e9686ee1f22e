//! Canonical source text (no BOM, LF line endings) and the matching
//! conversion of selection positions.
//!
//! Positions in a file may count a leading BOM or not, and may count CRLF as
//! two code points (as the spec's "code points in the file" implies) or as one
//! (tools that read with universal newlines). Each possible reading is tried:
//! one under which every selection fits in the text wins; among those, the one
//! putting more selection boundaries on word boundaries; ties go to the spec's
//! reading (BOM counted, CRLF = two).

/// Whether selection positions counted a thing (BOM, CR of CRLF).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Reading {
    bom_counted: bool,
    crlf_two: bool,
}

struct Scan {
    canon: String,
    /// Char indices (in the BOM-less raw text) of each CR followed by LF.
    crlf: Vec<u64>,
    lone_cr: usize,
    len_lf: u64,
}

fn scan(body: &str) -> Scan {
    let mut canon = String::with_capacity(body.len());
    let mut crlf = Vec::new();
    let mut lone_cr = 0;
    let mut len: u64 = 0;
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                crlf.push(len);
                chars.next();
                len += 1;
            } else {
                lone_cr += 1;
            }
            canon.push('\n');
        } else {
            canon.push(c);
        }
        len += 1;
    }
    let len_lf = len - crlf.len() as u64;
    Scan {
        canon,
        crlf,
        lone_cr,
        len_lf,
    }
}

fn convert(p: u64, r: Reading, crlf: &[u64]) -> Option<u64> {
    let p = if r.bom_counted { p.checked_sub(1)? } else { p };
    if r.crlf_two {
        let before = crlf.partition_point(|&i| i < p) as u64;
        Some(p - before)
    } else {
        Some(p)
    }
}

fn class(c: char) -> u8 {
    if c.is_whitespace() {
        0
    } else if c.is_alphanumeric() {
        1
    } else {
        2
    }
}

fn is_boundary(chars: &[char], p: u64) -> bool {
    let p = p as usize;
    p == 0 || p >= chars.len() || class(chars[p - 1]) != class(chars[p])
}

/// Returns the canonical text and the spans converted to it. Spans that do
/// not fit are still converted (saturating) so the caller can report them.
pub(super) fn canonicalize(
    raw: &str,
    spans: &[(u64, u64)],
    what: &str,
    notes: &mut Vec<String>,
) -> (String, Vec<(u64, u64)>) {
    let (body, bom) = match raw.strip_prefix('\u{FEFF}') {
        Some(b) => (b, true),
        None => (raw, false),
    };
    let s = scan(body);
    let boms: &[bool] = if bom { &[true, false] } else { &[false] };
    let twos: &[bool] = if s.crlf.is_empty() {
        &[false]
    } else {
        &[true, false]
    };
    let readings: Vec<Reading> = boms
        .iter()
        .flat_map(|&b| {
            twos.iter().map(move |&t| Reading {
                bom_counted: b,
                crlf_two: t,
            })
        })
        .collect();
    let chars: Vec<char> = if readings.len() > 1 && !spans.is_empty() {
        s.canon.chars().collect()
    } else {
        Vec::new()
    };
    let mut best = (readings[0], false, 0usize);
    for (i, &r) in readings.iter().enumerate() {
        let conv: Vec<Option<(u64, u64)>> = spans
            .iter()
            .map(|&(a, b)| Some((convert(a, r, &s.crlf)?, convert(b, r, &s.crlf)?)))
            .collect();
        let fits = conv.iter().all(|c| c.is_some_and(|(_, b)| b <= s.len_lf));
        let score = if chars.is_empty() {
            0
        } else {
            conv.iter()
                .flatten()
                .map(|&(a, b)| {
                    usize::from(is_boundary(&chars, a)) + usize::from(is_boundary(&chars, b))
                })
                .sum()
        };
        if i == 0 || (fits, score) > (best.1, best.2) {
            best = (r, fits, score);
        }
    }
    let r = best.0;
    let converted = spans
        .iter()
        .map(|&(a, b)| {
            let f = |p: u64| convert(p, r, &s.crlf).unwrap_or(0);
            (f(a), f(b))
        })
        .collect();
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
        notes.push(match (has, r.crlf_two) {
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
    (s.canon, converted)
}
