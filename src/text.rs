//! Text helpers shared by every shell: code-point offsets and safe display of untrusted text.

/// Byte index of the `char_offset`-th code point (or the end of the string).
pub fn byte_index(text: &str, char_offset: usize) -> usize {
    text.char_indices()
        .nth(char_offset)
        .map_or(text.len(), |(b, _)| b)
}

/// The code points [start, end) of `text`.
pub fn slice_chars(text: &str, start: usize, end: usize) -> &str {
    let b0 = byte_index(text, start);
    let b1 = b0 + byte_index(&text[b0..], end.saturating_sub(start));
    &text[b0..b1]
}

/// Replaces control characters (ESC, C1 controls, bidi overrides…) so transcript text can
/// never drive the terminal. Tabs become spaces; newlines are kept only when `keep_newlines`.
pub fn sanitize(s: &str, keep_newlines: bool) -> String {
    s.chars()
        .map(|c| match c {
            '\n' if keep_newlines => '\n',
            '\t' => ' ',
            c if is_unsafe_char(c) => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// One character as `sanitize(_, false)` shows it (for drawing cell by cell).
pub fn safe_char(c: char) -> char {
    match c {
        '\t' => ' ',
        c if is_unsafe_char(c) => '\u{FFFD}',
        c => c,
    }
}

/// Characters a terminal may act on rather than show: C0 and C1 controls and DEL (ESC starts
/// every escape sequence, U+009B is a one-byte CSI), and the bidi controls that reorder what
/// is shown (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069), which can make a code name
/// or a path read differently from what it is.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Escapes, in serialised JSON, what serde_json leaves raw but a terminal would act on (DEL,
/// C1 controls, bidi controls) as `\uXXXX`. Outside strings JSON is ASCII, so every such
/// character is inside a string, where the escape means the same character.
pub fn escape_json_unsafe(json: &str) -> std::borrow::Cow<'_, str> {
    // Newlines are the layout of pretty JSON (inside strings serde_json escapes them).
    let unsafe_here = |c: char| c != '\n' && is_unsafe_char(c);
    if !json.chars().any(unsafe_here) {
        return std::borrow::Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if unsafe_here(c) {
            out.push_str(&format!("\\u{:04X}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_by_code_point() {
        let t = "a👋b漢字e\u{301}!";
        assert_eq!(slice_chars(t, 1, 3), "👋b");
        assert_eq!(slice_chars(t, 3, 5), "漢字");
        assert_eq!(slice_chars(t, 5, 7), "e\u{301}");
        assert_eq!(slice_chars(t, 7, 99), "!");
    }

    #[test]
    fn escapes_never_reach_the_terminal() {
        let s = sanitize("ok\x1b[2J\x07\u{9b}x\u{202E}y\nz", false);
        assert!(!s.chars().any(|c| c.is_control()), "{s:?}");
        assert_eq!(sanitize("a\nb", true), "a\nb");
        let raw = "ok\x1b[2J\x07\u{9b}x\u{202E}y\n\tz";
        assert_eq!(
            raw.chars().map(safe_char).collect::<String>(),
            sanitize(raw, false)
        );
    }

    #[test]
    fn every_bidi_control_the_issue_lists_is_replaced() {
        let bidi = "\u{061C}\u{200E}\u{200F}\u{202A}\u{202B}\u{202C}\u{202D}\u{202E}\u{2066}\u{2067}\u{2068}\u{2069}";
        assert_eq!(sanitize(bidi, false), "\u{FFFD}".repeat(12));
        assert_eq!(
            sanitize("Zoë 漢字 \u{200D}👋", false),
            "Zoë 漢字 \u{200D}👋"
        );
    }

    #[test]
    fn json_escapes_what_serde_leaves_raw() {
        let raw = "a\u{9b}b\u{202E}c\u{7f}d\u{1b}e";
        let json = serde_json::to_string(&raw).unwrap();
        let safe = escape_json_unsafe(&json);
        assert!(!safe.chars().any(is_unsafe_char), "{safe}");
        assert!(
            safe.contains("\\u009B") && safe.contains("\\u202E"),
            "{safe}"
        );
        let back: String = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, raw);
    }
}
