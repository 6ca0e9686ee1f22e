//! Which counting a source's selection positions use, decided per source.
//!
//! The REFI-QDA 1.5 spec says positions count Unicode code points, but real tools differ:
//! NVivo (Windows 12.x and Mac 12.x–15) counts UTF-16 code units, so a character outside the
//! Basic Multilingual Plane (an emoji such as 🤣, rarer CJK) counts two, and it does not count a
//! byte-order mark; Windows tools count CRLF as two; tools reading with universal newlines count
//! it as one. QualCoder's issue #106 ("highlighting of coded words starts in the middle of words
//! … things shifted") is what reading NVivo's units as code points looks like.
//!
//! So every plausible reading is tried — code points or UTF-16 units; a BOM counted or not (when
//! the file has one); line breaks counted as two (when the raw text had CRLF, or when the text
//! came from a `.docx`, whose paragraph breaks a Windows tool holds as CRLF) or one — and each is
//! scored by what real selections look like: they end inside the text, never inside a character
//! (half a surrogate pair, before a combining mark), and start and end on word boundaries. The
//! best reading wins; ties go to the project's `origin` (NVivo → UTF-16), then to the spec.
//! Readings only differ when the text has such characters, so scoring costs nothing otherwise.
//!
//! Cost: one pass over the text to find the characters that can count twice, then per reading a
//! binary search per position and one sorted sweep over the text for the boundary test.

/// What a position counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    CodePoints,
    Utf16,
}

/// How a user forces the counting for one import (`--positions`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PositionMode {
    #[default]
    Auto,
    CodePoints,
    Utf16,
}

impl PositionMode {
    pub fn parse(s: &str) -> Option<PositionMode> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['_', ' '], "-")
            .as_str()
        {
            "auto" => Some(PositionMode::Auto),
            "code-points" | "codepoints" | "chars" | "standard" => Some(PositionMode::CodePoints),
            "utf16" | "utf-16" | "nvivo" => Some(PositionMode::Utf16),
            _ => None,
        }
    }
}

/// One way of counting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reading {
    pub unit: Unit,
    pub bom_counted: bool,
    pub breaks_two: bool,
}

impl Reading {
    fn spec() -> Reading {
        Reading {
            unit: Unit::CodePoints,
            bom_counted: true,
            breaks_two: true,
        }
    }

    /// What the reading says, for reports ("UTF-16 units, CRLF as two").
    pub fn describe(&self, has_bom: bool, has_breaks: bool) -> String {
        let mut s = match self.unit {
            Unit::CodePoints => "code points".to_string(),
            Unit::Utf16 => "UTF-16 units".to_string(),
        };
        if has_breaks {
            s.push_str(if self.breaks_two {
                ", line breaks as two"
            } else {
                ", line breaks as one"
            });
        }
        if has_bom {
            s.push_str(if self.bom_counted {
                ", BOM counted"
            } else {
                ", BOM not counted"
            });
        }
        s
    }
}

/// The canonical text (no BOM, LF only) and what the raw text had that may count twice.
pub struct Shape<'a> {
    pub text: &'a str,
    pub had_bom: bool,
    /// Canonical char indices of line breaks that may count two (CRLF in the raw text, or
    /// every break of text taken from a `.docx`), ascending.
    pub wide_breaks: Vec<u64>,
}

/// The outcome for one source.
pub struct Detection {
    pub reading: Reading,
    /// Converted spans; `None` where the span does not fit in the text.
    pub spans: Vec<Option<(u64, u64)>>,
    /// Whether readings differed at all (the text has astral chars, CRLF or a BOM).
    pub ambiguous: bool,
    pub has_astral: bool,
    /// Positions falling inside a character under the chosen reading.
    pub inside_char: usize,
    /// Span ends on a word or line boundary under the chosen reading, of `ends_checked`.
    pub boundary_hits: usize,
    pub ends_checked: usize,
    /// The chosen reading is not the one the origin hinted at.
    pub against_hint: bool,
    /// A reading with the other unit scored as well: the choice fell to the hint or the spec.
    pub tied: bool,
}

impl Detection {
    /// Spans past the end of the text under the chosen reading.
    pub fn out_of_range(&self) -> usize {
        self.spans.iter().filter(|s| s.is_none()).count()
    }

    /// True when the positions fit the text badly under every reading: spans past its end,
    /// positions inside characters, or fewer than half of the ends on word boundaries.
    pub fn poor_fit(&self) -> bool {
        self.out_of_range() > 0
            || self.inside_char > 0
            || (self.ends_checked >= 4 && self.boundary_hits * 2 < self.ends_checked)
    }
}

/// The counting a tool's `origin` suggests: NVivo writes UTF-16 units (issue evidence above);
/// Thematic, QualCoder and Taguette are Python or Rust programs indexing code points, as the
/// spec says. Other tools: no hint, the score alone decides.
pub fn hint_from_origin(origin: Option<&str>) -> Option<Unit> {
    let o = origin?.to_ascii_lowercase();
    if o.contains("nvivo") {
        Some(Unit::Utf16)
    } else if ["thematic", "qualcoder", "taguette"]
        .iter()
        .any(|t| o.contains(t))
    {
        Some(Unit::CodePoints)
    } else {
        None
    }
}

fn is_astral(c: char) -> bool {
    c as u32 > 0xFFFF
}

/// Combining marks, joiners and variation selectors: a position before one splits a character
/// as the reader sees it.
fn is_continuation(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x0610..=0x061A | 0x064B..=0x065F
        | 0x0E31 | 0x0E34..=0x0E3A | 0x0E47..=0x0E4E | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF
        | 0x200C | 0x200D | 0x20D0..=0x20FF | 0xFE00..=0xFE0F | 0xFE20..=0xFE2F
        | 0x1F3FB..=0x1F3FF | 0xE0100..=0xE01EF)
}

/// Scripts written without spaces: every character is a possible word edge.
fn is_unspaced(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FFF | 0x3040..=0x30FF | 0x3100..=0x31FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF | 0x0E00..=0x0E7F | 0x20000..=0x3FFFF)
}

fn wordish(c: char) -> bool {
    (c.is_alphanumeric() || is_continuation(c)) && !is_unspaced(c)
}

/// Where a position sits between `prev` and `cur` (None at the text's edges).
#[derive(PartialEq, Eq)]
enum Edge {
    Boundary,
    MidWord,
    InsideChar,
}

fn edge(prev: Option<char>, cur: Option<char>) -> Edge {
    match (prev, cur) {
        (Some(_), Some(c)) if is_continuation(c) => Edge::InsideChar,
        (Some(p), Some(c)) if wordish(p) && wordish(c) => Edge::MidWord,
        _ => Edge::Boundary,
    }
}

/// Raw positions of the characters that count two under a reading, ascending: entry `j` is
/// where the `j`-th wide character starts in the reading's count.
fn wide_starts(astral: &[u64], breaks: &[u64], r: Reading) -> Vec<u64> {
    let a: &[u64] = if r.unit == Unit::Utf16 { astral } else { &[] };
    let b: &[u64] = if r.breaks_two { breaks } else { &[] };
    let mut merged = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let take_a = j >= b.len() || (i < a.len() && a[i] < b[j]);
        if take_a {
            merged.push(a[i]);
            i += 1;
        } else {
            merged.push(b[j]);
            j += 1;
        }
    }
    merged
        .into_iter()
        .enumerate()
        .map(|(k, idx)| idx + k as u64)
        .collect()
}

/// A raw position → canonical char index, and whether it fell inside a wide character.
fn to_canonical(p: u64, r: Reading, had_bom: bool, starts: &[u64]) -> (u64, bool) {
    let (p, in_bom) = if had_bom && r.bom_counted {
        (p.saturating_sub(1), p == 0)
    } else {
        (p, false)
    };
    let k = starts.partition_point(|&s| s < p);
    let inside = k > 0 && starts[k - 1] + 1 == p;
    (p - k as u64, inside || in_bom)
}

/// Converted (start, end, some position fell inside a character) per span.
type Converted = Vec<(u64, u64, bool)>;

struct Score {
    fits: usize,
    /// Positions inside a wide character (half a surrogate pair): no tool counting this way
    /// writes one, so each weighs heavily against the reading.
    inside: usize,
    /// Positions before a combining mark or modifier: odd, but a person can select that way
    /// (Thematic's own `--match` can), and it is the same text under every reading, so it
    /// counts only as a missed boundary. Weighing it like `inside` let one such selection
    /// flip a whole source to the wrong counting, silently.
    split: usize,
    hits: usize,
    checked: usize,
}

fn score(text: &str, len: u64, converted: &[(u64, u64, bool)]) -> Score {
    let mut s = Score {
        fits: 0,
        inside: 0,
        split: 0,
        hits: 0,
        checked: 0,
    };
    // Every position to test, sorted, then one sweep over the text.
    let mut at: Vec<u64> = Vec::with_capacity(converted.len() * 2);
    for &(a, b, inside) in converted {
        s.inside += usize::from(inside);
        if b <= len && a < b {
            s.fits += 1;
            at.push(a);
            at.push(b);
        }
    }
    at.sort_unstable();
    let mut chars = text.chars();
    let mut prev: Option<char> = None;
    let mut cur = chars.next();
    let mut idx: u64 = 0;
    for p in at {
        while idx < p {
            prev = cur;
            cur = chars.next();
            idx += 1;
        }
        s.checked += 1;
        match edge(prev, cur) {
            Edge::Boundary => s.hits += 1,
            Edge::MidWord => {}
            Edge::InsideChar => s.split += 1,
        }
    }
    s
}

/// Decides the counting of one source's `spans` (as written in the file) and converts them.
pub fn detect(
    shape: &Shape,
    spans: &[(u64, u64)],
    hint: Option<Unit>,
    mode: PositionMode,
) -> Detection {
    let mut astral = Vec::new();
    let mut len: u64 = 0;
    for c in shape.text.chars() {
        if is_astral(c) {
            astral.push(len);
        }
        len += 1;
    }
    let units: &[Unit] = match mode {
        PositionMode::Auto if astral.is_empty() => &[Unit::CodePoints],
        PositionMode::Auto => &[Unit::CodePoints, Unit::Utf16],
        PositionMode::CodePoints => &[Unit::CodePoints],
        PositionMode::Utf16 => &[Unit::Utf16],
    };
    let boms: &[bool] = if shape.had_bom {
        &[true, false]
    } else {
        &[false]
    };
    let breaks: &[bool] = if shape.wide_breaks.is_empty() {
        &[false]
    } else {
        &[true, false]
    };
    let mut readings = Vec::new();
    for &unit in units {
        for &bom_counted in boms {
            for &breaks_two in breaks {
                readings.push(Reading {
                    unit,
                    bom_counted,
                    breaks_two,
                });
            }
        }
    }
    // Preference among equals: the origin's unit (NVivo: BOM not counted, CRLF as two), then
    // the spec's reading (code points of the file: BOM and CR counted).
    let preference = |r: &Reading| -> (bool, bool, bool) {
        let hinted = hint.is_some_and(|h| h == r.unit);
        let nvivo_like = hint == Some(Unit::Utf16) && !r.bom_counted;
        let spec = *r == Reading::spec() || (r.breaks_two && r.bom_counted);
        (hinted, nvivo_like, spec)
    };
    let mut best: Option<(Reading, Converted, Score)> = None;
    // The best fit (without preferences) each unit reached.
    let mut by_unit: Vec<(Unit, (usize, i64))> = Vec::new();
    for r in readings.iter().copied() {
        let starts = wide_starts(&astral, &shape.wide_breaks, r);
        let converted: Vec<(u64, u64, bool)> = spans
            .iter()
            .map(|&(a, b)| {
                let (ca, ia) = to_canonical(a, r, shape.had_bom, &starts);
                let (cb, ib) = to_canonical(b, r, shape.had_bom, &starts);
                (ca, cb, ia || ib)
            })
            .collect();
        let sc = score(shape.text, len, &converted);
        let key =
            |s: &Score, r: &Reading| (s.fits, s.hits as i64 - 4 * s.inside as i64, preference(r));
        let fit = (sc.fits, sc.hits as i64 - 4 * sc.inside as i64);
        match by_unit.iter_mut().find(|(u, _)| *u == r.unit) {
            Some((_, f)) => *f = (*f).max(fit),
            None => by_unit.push((r.unit, fit)),
        }
        let better = match &best {
            None => true,
            Some((br, _, bs)) => key(&sc, &r) > key(bs, br),
        };
        if better {
            best = Some((r, converted, sc));
        }
    }
    let (reading, converted, sc) = best.expect("at least one reading");
    let chosen_fit = (sc.fits, sc.hits as i64 - 4 * sc.inside as i64);
    let tied = by_unit
        .iter()
        .any(|(u, f)| *u != reading.unit && *f == chosen_fit);
    let spans = converted
        .iter()
        .map(|&(a, b, _)| (b <= len).then_some((a, b)))
        .collect();
    Detection {
        reading,
        spans,
        ambiguous: readings.len() > 1,
        has_astral: !astral.is_empty(),
        inside_char: sc.inside + sc.split,
        boundary_hits: sc.hits,
        ends_checked: sc.checked,
        against_hint: hint.is_some_and(|h| h != reading.unit) && mode == PositionMode::Auto,
        tied,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Positions as NVivo writes them: UTF-16 code units of `text` (CRLF kept as two, no BOM).
    fn utf16_span(text: &str, needle: &str) -> (u64, u64) {
        let byte = text.find(needle).expect("needle in text");
        let a = text[..byte].encode_utf16().count() as u64;
        (a, a + needle.encode_utf16().count() as u64)
    }

    /// Positions as the spec counts them: code points.
    fn cp_span(text: &str, needle: &str) -> (u64, u64) {
        let byte = text.find(needle).expect("needle in text");
        let a = text[..byte].chars().count() as u64;
        (a, a + needle.chars().count() as u64)
    }

    fn quote(text: &str, span: (u64, u64)) -> String {
        text.chars()
            .skip(span.0 as usize)
            .take((span.1 - span.0) as usize)
            .collect()
    }

    fn plain(text: &str) -> Shape<'_> {
        Shape {
            text,
            had_bom: false,
            wide_breaks: Vec::new(),
        }
    }

    const EMOJI_TEXT: &str = "Ana: Honestly 🤣 the portal is a maze 😅😅.\nBen: I message the nurse 👍 instead, every week.\nAna: The app 📱 crashed twice 🙄 yesterday.";
    const PICKS: [&str; 4] = [
        "portal is a maze",
        "message the nurse",
        "every week",
        "crashed twice",
    ];

    #[test]
    fn nvivo_utf16_positions_after_emoji_quote_the_selected_text() {
        let spans: Vec<_> = PICKS.iter().map(|p| utf16_span(EMOJI_TEXT, p)).collect();
        let d = detect(&plain(EMOJI_TEXT), &spans, None, PositionMode::Auto);
        assert_eq!(d.reading.unit, Unit::Utf16);
        for (span, pick) in d.spans.iter().zip(PICKS) {
            assert_eq!(quote(EMOJI_TEXT, span.unwrap()), pick);
        }
        assert!(!d.poor_fit());
    }

    #[test]
    fn code_point_positions_stay_code_points_even_from_nvivo() {
        let spans: Vec<_> = PICKS.iter().map(|p| cp_span(EMOJI_TEXT, p)).collect();
        let d = detect(
            &plain(EMOJI_TEXT),
            &spans,
            Some(Unit::Utf16),
            PositionMode::Auto,
        );
        assert_eq!(d.reading.unit, Unit::CodePoints);
        assert!(d.against_hint);
        for (span, pick) in d.spans.iter().zip(PICKS) {
            assert_eq!(quote(EMOJI_TEXT, span.unwrap()), pick);
        }
    }

    #[test]
    fn cjk_with_astral_ideographs_and_a_hint() {
        // 𠮷 (U+20BB7) is outside the BMP: two UTF-16 units. CJK has no spaces, so the
        // boundary test cannot tell readings apart; the origin's hint decides.
        let text = "田中：𠮷野家の牛丼が好きです。\n佐藤：私は𠮷田さんと行きました。";
        let picks = ["牛丼", "行きました"];
        let spans: Vec<_> = picks.iter().map(|p| utf16_span(text, p)).collect();
        let d = detect(&plain(text), &spans, Some(Unit::Utf16), PositionMode::Auto);
        assert_eq!(d.reading.unit, Unit::Utf16);
        for (span, pick) in d.spans.iter().zip(picks) {
            assert_eq!(quote(text, span.unwrap()), pick);
        }
    }

    #[test]
    fn combining_marks_count_one_unit_each_and_are_never_split() {
        // "é" as e + U+0301 is two code points and two UTF-16 units; the emoji is what differs.
        let text = "Rene\u{301}e 🤣 said the cafe\u{301} was closed. Zoe\u{308} 🙂 agreed with Rene\u{301}e.";
        let picks = ["cafe\u{301} was closed", "agreed with Rene\u{301}e"];
        let spans: Vec<_> = picks.iter().map(|p| utf16_span(text, p)).collect();
        let d = detect(&plain(text), &spans, None, PositionMode::Auto);
        assert_eq!(d.reading.unit, Unit::Utf16);
        assert_eq!(d.inside_char, 0);
        for (span, pick) in d.spans.iter().zip(picks) {
            assert_eq!(quote(text, span.unwrap()), pick);
        }
    }

    /// A selection ending before a combining mark (as `code --match "combining e"` makes) is
    /// not evidence against the reading: exported for NVivo (UTF-16) from a Thematic study,
    /// whose origin hints code points, the positions must still be read as UTF-16.
    #[test]
    fn a_selection_before_a_combining_mark_does_not_flip_the_reading() {
        let text = "Ana: I laughed 🤣🤣 so hard at the portal 😂 message.\nBo: we use it 👍🏽, e\u{301} (combining e\u{301}) daily.\nAna: again 🎉 and then the end of it.\nBo: Plain words here now.\n";
        let picks = ["portal", "daily", "end of it", "Plain words", "combining e"];
        let spans: Vec<_> = picks.iter().map(|p| utf16_span(text, p)).collect();
        let d = detect(
            &plain(text),
            &spans,
            Some(Unit::CodePoints),
            PositionMode::Auto,
        );
        assert_eq!(d.reading.unit, Unit::Utf16);
        for (span, pick) in d.spans.iter().zip(picks) {
            assert_eq!(quote(text, span.unwrap()), pick);
        }
        // Still said: one selection splits "e" from its accent.
        assert_eq!(d.inside_char, 1);
    }

    /// NVivo for Windows: CRLF counts two, emoji two, no BOM counted although the file has one.
    #[test]
    fn windows_nvivo_crlf_emoji_and_bom() {
        let raw = "Moderator: Welcome 👋 everyone.\r\nP1: The portal 🤣 is confusing.\r\nP2: I call the clinic 📞 instead.\r\n";
        let canon = raw.replace("\r\n", "\n");
        let mut breaks = Vec::new();
        for (i, c) in canon.chars().enumerate() {
            if c == '\n' {
                breaks.push(i as u64);
            }
        }
        let picks = ["portal", "is confusing", "call the clinic"];
        let spans: Vec<_> = picks.iter().map(|p| utf16_span(raw, p)).collect();
        let shape = Shape {
            text: &canon,
            had_bom: true,
            wide_breaks: breaks,
        };
        let d = detect(&shape, &spans, Some(Unit::Utf16), PositionMode::Auto);
        assert_eq!(
            d.reading,
            Reading {
                unit: Unit::Utf16,
                bom_counted: false,
                breaks_two: true
            }
        );
        for (span, pick) in d.spans.iter().zip(picks) {
            assert_eq!(quote(&canon, span.unwrap()), pick);
        }
    }

    #[test]
    fn positions_past_the_end_under_every_reading_are_reported() {
        let text = "short 🤣 text";
        let d = detect(&plain(text), &[(0, 5), (6, 99)], None, PositionMode::Auto);
        assert_eq!(d.out_of_range(), 1);
        assert!(d.poor_fit());
        assert_eq!(quote(text, d.spans[0].unwrap()), "short");
    }

    #[test]
    fn mid_word_everywhere_is_a_poor_fit() {
        let text = "alpha 🤣 bravo charlie delta echo foxtrot";
        let spans = [(1, 3), (8, 10), (15, 17), (22, 24)];
        let d = detect(&plain(text), &spans, None, PositionMode::Auto);
        assert!(d.poor_fit());
    }

    #[test]
    fn forcing_a_counting_overrides_the_score() {
        let spans: Vec<_> = PICKS.iter().map(|p| utf16_span(EMOJI_TEXT, p)).collect();
        let d = detect(&plain(EMOJI_TEXT), &spans, None, PositionMode::CodePoints);
        assert_eq!(d.reading.unit, Unit::CodePoints);
        assert!(!d.ambiguous);
    }

    #[test]
    fn text_without_wide_characters_has_one_reading() {
        let d = detect(&plain("plain text"), &[(0, 5)], None, PositionMode::Auto);
        assert!(!d.ambiguous);
        assert_eq!(d.spans, vec![Some((0, 5))]);
    }

    #[test]
    fn a_position_inside_a_surrogate_pair_is_counted() {
        let starts = wide_starts(
            &[2],
            &[],
            Reading {
                unit: Unit::Utf16,
                bom_counted: false,
                breaks_two: false,
            },
        );
        let r = Reading {
            unit: Unit::Utf16,
            bom_counted: false,
            breaks_two: false,
        };
        assert_eq!(to_canonical(2, r, false, &starts), (2, false));
        assert_eq!(to_canonical(3, r, false, &starts), (2, true));
        assert_eq!(to_canonical(4, r, false, &starts), (3, false));
    }

    #[test]
    fn modes_parse() {
        assert_eq!(PositionMode::parse("UTF-16"), Some(PositionMode::Utf16));
        assert_eq!(
            PositionMode::parse("code-points"),
            Some(PositionMode::CodePoints)
        );
        assert_eq!(PositionMode::parse("auto"), Some(PositionMode::Auto));
        assert_eq!(PositionMode::parse("bytes"), None);
    }
}
