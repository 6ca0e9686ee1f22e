//! Speaker-label recognition at the start of a line or paragraph, and the
//! heuristic deciding which candidate labels are real.

use std::collections::HashMap;

use crate::import::timecode::{parse_bracketed, parse_clock};

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
    /// `Name  0:05` alone on its line (Otter.ai).
    Otter,
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
    let named_at = |i: usize| {
        let rest = line.get(i..)?;
        if rest.starts_with('@') {
            at_form(line, i)
        } else if rest.starts_with('[') {
            bracket_form(line, i)
        } else {
            plain_form(line, i)
        }
    };
    let mut named = named_at(i);
    if named.is_none() && ts.is_none() {
        // `00:00:05 Speaker 1: text` (Trint, Temi, Descript): a bare time before a label.
        // Only before a label: "10:30 we met" is speech.
        let token = line.get(i..)?.split(char::is_whitespace).next()?;
        if token.contains(':')
            && let Some(ms) = parse_clock(token)
        {
            let j = skip_ws(line, i + token.len());
            // The time makes the label certain to the policy, so the name must look like one.
            let name_like = |n: &Named| {
                n.0.split_whitespace()
                    .all(|w| w.chars().next().is_some_and(|c| !c.is_lowercase()))
            };
            if j > i + token.len()
                && let Some(n) = named_at(j).filter(name_like)
            {
                ts = Some(ms);
                named = Some(n);
            }
        }
    }
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
            // Zoom's "Save captions" text: `[Jane Doe] 19:00:25` alone on its line, the speech
            // on the next line(s).
            if ts_ms.is_none()
                && kind == LabelKind::Bracket
                && let Some((ms, after)) = line.get(j..).and_then(bare_clock)
            {
                ts_ms = Some(ms);
                j = skip_ws(line, j + after);
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
    let mut scan = rest
        .char_indices()
        .find(|&(_, c)| !name_char(c))
        .map_or(rest.len(), |(k, _)| k);
    // `Doe, Jane:` — institutional Zoom accounts show "Last, First". Taken only when every
    // word is capitalised, so "Well, I think:" stays speech.
    if let Some(after) = rest.get(scan..).and_then(|t| t.strip_prefix(", "))
        && let Some(more) = after.find(|c: char| !name_char(c))
        && after
            .get(more..)
            .is_some_and(|t| t.starts_with([':', ' ', '(']))
    {
        let whole = rest.get(..scan + 2 + more)?.trim_end();
        let capitalised = whole
            .split([' ', ','])
            .filter(|w| !w.is_empty())
            .all(|w| w.chars().next().is_some_and(char::is_uppercase));
        if capitalised && !rest.get(..scan)?.contains(' ') {
            scan += 2 + more;
        }
    }
    let raw = rest.get(..scan)?;
    let name = raw.trim_end();
    if !valid_name(name) {
        return None;
    }
    let name_end = start + name.len();
    let at = start + scan;
    let tail = line.get(at..)?;
    if let Some(close) = paren_tag(tail) {
        // `Jane Doe (SL):`, `Sam (Participant 3):`, `Dr. Doe (she/her):` — the tag is part of
        // the label as the tool wrote it (two Sams differ only by it).
        let mut end = at + close + 1;
        // `Jane Doe (she/her) (SL):` — up to three tags.
        for _ in 0..2 {
            let gap = line.get(end..)?.len() - line.get(end..)?.trim_start().len();
            match line.get(end + gap..).and_then(paren_tag) {
                Some(c) if gap <= 1 => end += gap + c + 1,
                _ => break,
            }
        }
        let after_colon = line.get(end..)?.strip_prefix(':')?;
        if !after_colon.is_empty() && !after_colon.starts_with(char::is_whitespace) {
            return None;
        }
        let label = line.get(start..end)?;
        return Some((label.to_string(), end, end + 1, LabelKind::Colon, None));
    }
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

/// A clock time at the start of `rest` that is the whole rest, or an `h:mm:ss` time followed
/// by speech (`[Jane Doe] 19:00:25 Hello`): (ms, bytes taken).
fn bare_clock(rest: &str) -> Option<(i64, usize)> {
    let token_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let token = rest.get(..token_end)?;
    let ms = parse_clock(token)?;
    let whole = rest.get(token_end..)?.trim().is_empty();
    (whole || token.matches(':').count() == 2).then_some((ms, token_end))
}

/// Longest role, pronoun or tag accepted in parentheses after a name.
const MAX_TAG_CHARS: usize = 30;

/// `(tag)` at the start of `tail` that is neither a time nor a stage direction:
/// the byte offset of its `)`.
fn paren_tag(tail: &str) -> Option<usize> {
    if !tail.starts_with('(') {
        return None;
    }
    let close = tail.find(')')?;
    let inner = tail.get(1..close)?.trim();
    let n = inner.chars().count();
    let ok = (1..=MAX_TAG_CHARS).contains(&n)
        && !inner.contains(['(', ':', '[', ']'])
        && !inner.chars().any(char::is_control)
        && !is_nonverbal(inner)
        && parse_clock(inner).is_none();
    ok.then_some(close)
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
    if is_nonverbal(name) {
        return None;
    }
    if !valid_name(name) {
        // `[Sam (Participant 3)]`: a name and a tag, as in the colon form.
        let open = name.find('(')?;
        let base = name.get(..open)?.trim_end();
        let tag = name.get(open..)?;
        if !valid_name(base) || paren_tag(tag)? + 1 != tag.len() {
            return None;
        }
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

/// Longest speaker name the heuristics take for a label (longer text is speech).
pub(crate) const MAX_NAME_CHARS: usize = 40;

/// 1–40 chars, starts with a letter, allowed chars only, at most 4 words; or a
/// participant number of up to 4 digits (`27`, as focus-group transcripts typed in Word
/// write them).
pub(crate) fn valid_name(name: &str) -> bool {
    let n = name.chars().count();
    if is_number_label(name) {
        return true;
    }
    (1..=MAX_NAME_CHARS).contains(&n)
        && name.chars().next().is_some_and(char::is_alphabetic)
        && name.chars().all(|c| name_char(c) || c == ',')
        && name.matches(',').count() <= 1
        && !name.ends_with(',')
        && name.split_whitespace().count() <= 4
}

/// `27`, `033`: a participant number.
pub(crate) fn is_number_label(name: &str) -> bool {
    (1..=4).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_digit())
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
    // `SPEAKER_00` (WhisperX, pyannote) is `Speaker 00` written with an underscore.
    let words: Vec<String> = name
        .split(|c: char| c.is_whitespace() || c == '_')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
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

/// Words that head annotations in a transcript (`Note: the recorder was moved`), never
/// taken as speakers by the heuristics — only when forced.
const ANNOTATIONS: &[&str] = &[
    "note",
    "notes",
    "nb",
    "n.b",
    "comment",
    "comments",
    "date",
    "time",
    "location",
    "venue",
    "place",
    "duration",
    "present",
    "attendees",
    "participants",
    "absent",
    "apologies",
    "summary",
    "topic",
    "subject",
    "title",
    "keywords",
    "summary keywords",
    "speakers",
    "transcriber",
    "transcriber's note",
    "transcriber’s note",
    "recording",
    "file",
    "audio",
    "source",
    "edit",
    "ps",
    "re",
];

/// An annotation heading, not a speaker.
pub(crate) fn is_annotation(name: &str) -> bool {
    ANNOTATIONS.contains(&normalize(name).as_str())
}

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
/// with labels (at least 4 candidates, on at least 80% of its units; or every one of at least
/// two units opens with a label, as in a short exchange where each person speaks once).
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
            dense: (total >= 4 && total.saturating_mul(5) >= units.saturating_mul(4))
                || (total >= 2 && total >= units),
        }
    }

    /// Whether `name` is a candidate at least twice.
    pub(crate) fn recurs(&self, name: &str) -> bool {
        self.counts.get(&normalize(name)).copied().unwrap_or(0) >= 2
    }

    pub(crate) fn accepts(&self, m: &LabelMatch) -> bool {
        let Some(name) = &m.name else {
            return true;
        };
        if is_annotation(name) {
            return false;
        }
        let recurs = self.recurs(name);
        if is_number_label(name) {
            // A numbered list is dense with `1:` `2:` too; participant numbers recur.
            return m.ts_ms.is_some() || recurs;
        }
        m.ts_ms.is_some() || self.dense || is_role(name) || recurs
    }
}

/// Lines that start with a short upper-case or numeric tag in a shape the label matcher does
/// not know (`F – so`, `27. I walk`, `M2) yes`, `INT - ok`). When one tag recurs, those lines
/// are probably speakers glued into someone's turn: the import says so and how to force them.
#[derive(Debug, Default)]
pub(crate) struct SuspectTags {
    counts: HashMap<String, usize>,
    first: HashMap<String, (String, String)>,
    lines: usize,
}

impl SuspectTags {
    /// Looks at one line (or paragraph) that was not taken as a label.
    pub(crate) fn add(&mut self, place: impl FnOnce() -> String, line: &str) {
        if line.trim().is_empty() {
            return;
        }
        self.lines += 1;
        let Some(tag) = odd_tag(line) else {
            return;
        };
        *self.counts.entry(tag.clone()).or_default() += 1;
        self.first.entry(tag).or_insert_with(|| {
            let shown: String = line.trim().chars().take(60).collect();
            (place(), shown)
        });
    }

    /// The note, when some tag starts at least 3 lines and a tenth of the unlabelled lines.
    pub(crate) fn note(&self) -> Option<String> {
        // One tag seen three times makes the shape; every tag seen twice then counts.
        if !self.counts.values().any(|&n| n >= 3) {
            return None;
        }
        let total: usize = self.counts.values().filter(|&&n| n >= 2).sum();
        if total * 10 < self.lines {
            return None;
        }
        let (tag, _) = self
            .counts
            .iter()
            .filter(|(_, n)| **n >= 3)
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))?;
        let (place, text) = self.first.get(tag)?;
        Some(format!(
            "{total} line(s) start with a repeated tag that was not taken as a speaker label \
             (first, {place}: '{text}'); if these are speakers, import again with \
             --label-pattern REGEX (or --speakers \"NAME,NAME\" for labels written NAME:)"
        ))
    }
}

/// `F –`, `27.`, `M2)`, `INT -` at the start of a line: the tag, or None.
fn odd_tag(line: &str) -> Option<String> {
    let mut words = line.split_whitespace();
    let first = words.next()?;
    let core = first.trim_end_matches(['.', ')', '>', ';', '-', '–', '—']);
    let punct = core.len() < first.len();
    let dash_next = words
        .next()
        .is_some_and(|w| matches!(w, "-" | "–" | "—" | ":"));
    let n = core.chars().count();
    let shaped = (1..=4).contains(&n)
        && core.chars().all(|c| c.is_uppercase() || c.is_ascii_digit())
        && (punct || dash_next);
    shaped.then(|| core.to_string())
}

/// Label-shaped lines that were not taken as labels: how many, and the first one (where it
/// is and its text) — so the import can say what it left as speech.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Unaccepted {
    pub count: usize,
    pub first: Option<(String, String)>,
    /// A further note about tags the matcher does not know ([`SuspectTags`]).
    pub extra: Option<String>,
}

impl Unaccepted {
    /// Records one rejected candidate at `place` ("line 12", "cue 4").
    pub(crate) fn add(&mut self, place: impl FnOnce() -> String, text: &str) {
        self.count += 1;
        if self.first.is_none() {
            let shown: String = text.trim().chars().take(60).collect();
            self.first = Some((place(), shown));
        }
    }

    /// The notes for the import report (none when every candidate was taken).
    pub(crate) fn note(&self) -> Vec<String> {
        let mut out: Vec<String> = self.first_note().into_iter().collect();
        out.extend(self.extra.clone());
        out
    }

    fn first_note(&self) -> Option<String> {
        let (place, text) = self.first.as_ref()?;
        Some(format!(
            "{} line(s) looked like speaker labels but were kept as speech (first, {place}: '{text}'); \
             to take them as labels, import again with --speakers \"NAME,NAME\" or --label-pattern REGEX",
            self.count
        ))
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
        assert_eq!(
            m("Jane Doe (she/her) (SL): hi"),
            Some((
                Some("Jane Doe (she/her) (SL)".into()),
                None,
                "hi".into(),
                LabelKind::Colon
            ))
        );
        assert_eq!(m("Ann (laughs): x"), None);
        assert_eq!(m(&format!("{}: x", "a".repeat(41))), None);
    }

    #[test]
    fn policy() {
        let names = ["Ann", "Bob", "ann", "Zoe"];
        let p = LabelPolicy::new(names.iter().copied(), 100);
        let ann = match_label("Ann: x").unwrap();
        let zoe = match_label("Zoe: x").unwrap();
        let mod1 = match_label("Interviewer 1: x").unwrap();
        let ts = match_label("Zed (0:01): x").unwrap();
        assert!(p.accepts(&ann));
        assert!(!p.accepts(&zoe));
        assert!(p.accepts(&mod1));
        assert!(p.accepts(&ts));
        let dense = LabelPolicy::new(names.iter().copied(), 5);
        assert!(!LabelPolicy::new(names.iter().copied(), 6).accepts(&zoe));
        assert!(dense.accepts(&zoe));
        // Annotations are never speakers, however dense or recurring.
        let notes = ["Note", "Note", "Ann", "Ann"];
        let dense = LabelPolicy::new(notes.iter().copied(), 4);
        assert!(!dense.accepts(&match_label("Note: the recorder stopped").unwrap()));
        // Participant numbers must recur: a numbered list is no focus group.
        let list = ["1", "2", "3", "27", "27"];
        let p = LabelPolicy::new(list.iter().copied(), 5);
        assert!(!p.accepts(&match_label("1: first point").unwrap()));
        assert!(p.accepts(&match_label("27: I walk").unwrap()));
    }

    #[test]
    fn numbers_tags_and_caption_lines() {
        assert_eq!(
            m("27:\u{a0}I walk"),
            Some((Some("27".into()), None, "I walk".into(), LabelKind::Colon))
        );
        assert_eq!(m("10:30 we met"), None);
        assert_eq!(m("12345: no"), None);
        assert_eq!(
            m("Jane Doe (SL): hi"),
            Some((
                Some("Jane Doe (SL)".into()),
                None,
                "hi".into(),
                LabelKind::Colon
            ))
        );
        assert_eq!(
            m("Dr. Doe (she/her): hi"),
            Some((
                Some("Dr. Doe (she/her)".into()),
                None,
                "hi".into(),
                LabelKind::Colon
            ))
        );
        assert_eq!(
            m("Jane Doe (she/her) (SL): hi"),
            Some((
                Some("Jane Doe (she/her) (SL)".into()),
                None,
                "hi".into(),
                LabelKind::Colon
            ))
        );
        assert_eq!(m("Ann (laughs): x"), None);
        assert_eq!(m(&format!("Ann ({}): x", "t".repeat(31))), None);
        assert_eq!(
            m("[Sam (Participant 3)] 19:00:31"),
            Some((
                Some("Sam (Participant 3)".into()),
                Some(68_431_000),
                "".into(),
                LabelKind::Bracket
            ))
        );
        assert_eq!(
            m("[SPEAKER_01]: Thanks"),
            Some((
                Some("SPEAKER_01".into()),
                None,
                "Thanks".into(),
                LabelKind::Bracket
            ))
        );
        assert_eq!(
            m("[Jane Doe] 19:00:25 Hello there"),
            Some((
                Some("Jane Doe".into()),
                Some(68_425_000),
                "Hello there".into(),
                LabelKind::Bracket
            ))
        );
        assert_eq!(
            m("[Ann] 10:30 we met"),
            Some((
                Some("Ann".into()),
                None,
                "10:30 we met".into(),
                LabelKind::Bracket
            ))
        );
        assert_eq!(
            m("Doe, Jane: hi"),
            Some((
                Some("Doe, Jane".into()),
                None,
                "hi".into(),
                LabelKind::Colon
            ))
        );
        assert_eq!(
            m("Doe, Jane (SL): hi"),
            Some((
                Some("Doe, Jane (SL)".into()),
                None,
                "hi".into(),
                LabelKind::Colon
            ))
        );
        assert_eq!(
            m("00:00:05 Speaker 1: hello"),
            Some((
                Some("Speaker 1".into()),
                Some(5_000),
                "hello".into(),
                LabelKind::Colon
            ))
        );
        assert_eq!(m("10:30 we met"), None);
        assert_eq!(m("10:30 we met: it was fine"), None);
        assert_eq!(m("Well, I think: yes"), None);
        assert_eq!(m("So, basically: yes"), None);
        assert!(is_role("SPEAKER_01"));
        let mut tags = SuspectTags::default();
        for (i, l) in [
            "F – so how",
            "27. I walk",
            "F – and then",
            "27. yes",
            "F – ok",
            "plain words",
        ]
        .iter()
        .enumerate()
        {
            tags.add(|| format!("line {}", i + 1), l);
        }
        let note = tags.note().unwrap();
        assert!(
            note.starts_with("5 line(s) start with a repeated tag"),
            "{note}"
        );
        assert!(note.contains("line 1: 'F – so how'"), "{note}");
        let mut prose = SuspectTags::default();
        for l in ["Yes. I think so.", "Yes. Fine.", "Yes. Again.", "I. Me."] {
            prose.add(|| "x".into(), l);
        }
        assert_eq!(prose.note(), None);
        assert!(is_annotation("NOTE"));
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
