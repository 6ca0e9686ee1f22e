//! Speaker-label recognition at the start of a line or paragraph, and the
//! heuristic deciding which candidate labels are real.

use std::collections::HashMap;

use crate::import::timecode::parse_bracketed;

/// The shape a label was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LabelKind {
    /// `Name:`
    Colon,
    /// `@Name:`
    At,
    /// `[Name]` or `[Name]:`
    Bracket,
    /// `Name (00:01:23):` (Rev style)
    Rev,
    /// `[00:01:23] text` — a timestamp with no name.
    TsOnly,
}

/// A label candidate found at the start of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LabelMatch {
    /// Trimmed speaker name; None for [`LabelKind::TsOnly`].
    pub name: Option<String>,
    pub ts_ms: Option<i64>,
    /// Byte offset (in the line) where the spoken content begins.
    pub content: usize,
    /// Byte offset (in the line) just after the name.
    pub name_end: usize,
    pub kind: LabelKind,
}

/// Find a label candidate at the start of `line` (shape only; see
/// [`LabelPolicy`] for acceptance).
pub(crate) fn match_label(line: &str) -> Option<LabelMatch> {
    let mut i = skip_ws(line, 0);
    let mut ts = None;
    if let Some((ms, n)) = line.get(i..).and_then(parse_bracketed) {
        ts = Some(ms);
        i = skip_ws(line, i + n);
    }
    let rest = line.get(i..)?;
    let named = if rest.starts_with('@') {
        at_form(line, i)
    } else if rest.starts_with('[') {
        bracket_form(line, i)
    } else {
        plain_form(line, i)
    };
    match named {
        Some((name, name_end, after, kind, own_ts)) => {
            let mut j = skip_ws(line, after);
            let mut ts_ms = ts.or(own_ts);
            if ts_ms.is_none()
                && let Some((ms, n)) = line.get(j..).and_then(parse_bracketed)
            {
                ts_ms = Some(ms);
                j = skip_ws(line, j + n);
            }
            Some(LabelMatch {
                name: Some(name),
                ts_ms,
                content: j,
                name_end,
                kind,
            })
        }
        None => ts.map(|ms| LabelMatch {
            name: None,
            ts_ms: Some(ms),
            content: i,
            name_end: i,
            kind: LabelKind::TsOnly,
        }),
    }
}

/// (name, name_end, offset after the label, kind, timestamp inside label)
type Named = (String, usize, usize, LabelKind, Option<i64>);

fn plain_form(line: &str, start: usize) -> Option<Named> {
    let rest = line.get(start..)?;
    let scan = rest
        .char_indices()
        .find(|&(_, c)| !name_char(c))
        .map_or(rest.len(), |(k, _)| k);
    let raw = rest.get(..scan)?;
    let name = raw.trim_end();
    if !valid_name(name) {
        return None;
    }
    let name_end = start + name.len();
    let at = start + scan;
    let tail = line.get(at..)?;
    if let Some(after_colon) = tail.strip_prefix(':') {
        if !after_colon.is_empty() && !after_colon.starts_with(char::is_whitespace) {
            return None;
        }
        return Some((name.to_string(), name_end, at + 1, LabelKind::Colon, None));
    }
    let (ms, n) = parse_bracketed(tail)?;
    let after = tail.get(n..)?;
    if let Some(after_colon) = after.strip_prefix(':') {
        if !after_colon.is_empty() && !after_colon.starts_with(char::is_whitespace) {
            return None;
        }
        return Some((
            name.to_string(),
            name_end,
            at + n + 1,
            LabelKind::Rev,
            Some(ms),
        ));
    }
    if after.trim().is_empty() {
        return Some((name.to_string(), name_end, at + n, LabelKind::Rev, Some(ms)));
    }
    None
}

fn at_form(line: &str, start: usize) -> Option<Named> {
    let (name, name_end, after, _, own_ts) = plain_form(line, start + 1)?;
    if line.get(after.checked_sub(1)?..after) != Some(":") {
        return None;
    }
    Some((name, name_end, after, LabelKind::At, own_ts))
}

fn bracket_form(line: &str, start: usize) -> Option<Named> {
    let rest = line.get(start + 1..)?;
    let close = rest.find(']')?;
    let name = rest.get(..close)?.trim();
    if !valid_name(name) || is_nonverbal(name) {
        return None;
    }
    let name_end = start + 1 + close;
    let mut after = name_end + 1;
    if line.get(after..after + 1) == Some(":") {
        after += 1;
    }
    let tail = line.get(after..)?;
    if !tail.is_empty() && !tail.starts_with(char::is_whitespace) {
        return None;
    }
    Some((name.to_string(), name_end, after, LabelKind::Bracket, None))
}

fn skip_ws(line: &str, from: usize) -> usize {
    match line.get(from..) {
        Some(rest) => from + (rest.len() - rest.trim_start().len()),
        None => line.len(),
    }
}

/// Characters allowed in a speaker name.
pub(crate) fn name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, ' ' | '.' | '\'' | '’' | '-' | '_') || is_combining(c)
}

fn is_combining(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// 1–40 chars, starts with a letter, allowed chars only, at most 4 words.
pub(crate) fn valid_name(name: &str) -> bool {
    let n = name.chars().count();
    (1..=40).contains(&n)
        && name.chars().next().is_some_and(char::is_alphabetic)
        && name.chars().all(name_char)
        && name.split_whitespace().count() <= 4
}

const ROLES: &[&str] = &[
    "moderator",
    "facilitator",
    "co-facilitator",
    "cofacilitator",
    "interviewer",
    "interviewee",
    "respondent",
    "participant",
    "researcher",
    "host",
    "co-host",
    "cohost",
    "observer",
    "notetaker",
    "note-taker",
    "speaker",
    "presenter",
    "interpreter",
    "translator",
    "chair",
];

/// A known role word, optionally followed by a number or a single letter
/// ("Interviewer 1", "Participant B").
pub(crate) fn is_role(name: &str) -> bool {
    let words: Vec<String> = name.split_whitespace().map(str::to_lowercase).collect();
    match words.as_slice() {
        [w] => ROLES.contains(&w.as_str()),
        [w, n] => {
            ROLES.contains(&w.as_str())
                && (n.chars().all(|c| c.is_ascii_digit()) || n.chars().count() == 1)
        }
        _ => false,
    }
}

const NONVERBAL: &[&str] = &[
    "laughs",
    "laughter",
    "laughing",
    "crosstalk",
    "cross talk",
    "cross-talk",
    "inaudible",
    "unintelligible",
    "indiscernible",
    "unclear",
    "silence",
    "pause",
    "music",
    "applause",
    "noise",
    "background noise",
    "coughs",
    "coughing",
    "sighs",
    "overlapping",
    "overtalk",
    "redacted",
    "break",
];

/// Bracketed stage directions that are not speakers.
pub(crate) fn is_nonverbal(name: &str) -> bool {
    NONVERBAL.contains(&normalize(name).as_str())
}

/// Lowercased, whitespace-collapsed form used to count recurrences.
pub(crate) fn normalize(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Decides which label candidates are accepted: timestamped labels always;
/// otherwise the name must recur, be a role word, or the file must be dense
/// with labels (at least 4 candidates, on at least 80% of its units).
#[derive(Debug, Default)]
pub(crate) struct LabelPolicy {
    counts: HashMap<String, usize>,
    dense: bool,
}

impl LabelPolicy {
    /// `names`: every candidate name in the file; `units`: number of
    /// non-blank lines (or cues, or paragraphs).
    pub(crate) fn new<'a>(names: impl Iterator<Item = &'a str>, units: usize) -> Self {
        let mut counts: HashMap<String, usize> = HashMap::new();
        let mut total = 0usize;
        for n in names {
            *counts.entry(normalize(n)).or_default() += 1;
            total += 1;
        }
        LabelPolicy {
            counts,
            dense: total >= 4 && total.saturating_mul(5) >= units.saturating_mul(4),
        }
    }

    pub(crate) fn accepts(&self, m: &LabelMatch) -> bool {
        let Some(name) = &m.name else {
            return true;
        };
        m.ts_ms.is_some()
            || self.dense
            || is_role(name)
            || self.counts.get(&normalize(name)).copied().unwrap_or(0) >= 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(line: &str) -> Option<(Option<String>, Option<i64>, String, LabelKind)> {
        match_label(line).map(|l| {
            (
                l.name.clone(),
                l.ts_ms,
                line[l.content..].to_string(),
                l.kind,
            )
        })
    }

    #[test]
    fn label_shapes() {
        assert_eq!(
            m("Jane Doe: hello"),
            Some((
                Some("Jane Doe".into()),
                None,
                "hello".into(),
                LabelKind::Colon
            ))
        );
        assert_eq!(
            m("@Sam: hi"),
            Some((Some("Sam".into()), None, "hi".into(), LabelKind::At))
        );
        assert_eq!(
            m("[Moderator]: ok"),
            Some((
                Some("Moderator".into()),
                None,
                "ok".into(),
                LabelKind::Bracket
            ))
        );
        assert_eq!(
            m("[P1] yes"),
            Some((Some("P1".into()), None, "yes".into(), LabelKind::Bracket))
        );
        assert_eq!(
            m("Speaker 1 (00:01:23): so"),
            Some((
                Some("Speaker 1".into()),
                Some(83_000),
                "so".into(),
                LabelKind::Rev
            ))
        );
        assert_eq!(
            m("[00:00:05] Ann: hi"),
            Some((
                Some("Ann".into()),
                Some(5_000),
                "hi".into(),
                LabelKind::Colon
            ))
        );
        assert_eq!(
            m("Ann: [00:00:05] hi"),
            Some((
                Some("Ann".into()),
                Some(5_000),
                "hi".into(),
                LabelKind::Colon
            ))
        );
        assert_eq!(
            m("[00:00:05] just talking"),
            Some((None, Some(5_000), "just talking".into(), LabelKind::TsOnly))
        );
        assert_eq!(
            m("José Ñúñez:"),
            Some((Some("José Ñúñez".into()), None, "".into(), LabelKind::Colon))
        );
    }

    #[test]
    fn non_labels() {
        assert_eq!(m("[laughs] yes"), None);
        assert_eq!(m("http://example.com"), None);
        assert_eq!(m("10:30 we met"), None);
        assert_eq!(m("This is a long sentence here: no"), None);
        assert_eq!(m(""), None);
        assert_eq!(m("   "), None);
        assert_eq!(m(":"), None);
        assert_eq!(m("Ann (laughs): x"), None);
        assert_eq!(m(&format!("{}: x", "a".repeat(41))), None);
    }

    #[test]
    fn policy() {
        let names = ["Ann", "Bob", "ann", "Note"];
        let p = LabelPolicy::new(names.iter().copied(), 100);
        let ann = match_label("Ann: x").unwrap();
        let note = match_label("Note: x").unwrap();
        let mod1 = match_label("Interviewer 1: x").unwrap();
        let ts = match_label("Zed (0:01): x").unwrap();
        assert!(p.accepts(&ann));
        assert!(!p.accepts(&note));
        assert!(p.accepts(&mod1));
        assert!(p.accepts(&ts));
        let dense = LabelPolicy::new(names.iter().copied(), 5);
        assert!(!LabelPolicy::new(names.iter().copied(), 6).accepts(&note));
        assert!(dense.accepts(&note));
    }

    #[test]
    fn roles_and_names() {
        assert!(is_role("Moderator"));
        assert!(is_role("interviewer 1"));
        assert!(is_role("Participant B"));
        assert!(!is_role("Moderator said"));
        assert!(valid_name("Dr. O'Neil-Smith"));
        assert!(!valid_name("1abc"));
        assert!(!valid_name("one two three four five"));
        assert!(valid_name("e\u{301}mile"));
    }
}
