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
            c if c.is_control() || is_bidi_control(c) => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// One character as `sanitize(_, false)` shows it (for drawing cell by cell).
pub fn safe_char(c: char) -> char {
    match c {
        '\t' => ' ',
        c if c.is_control() || is_bidi_control(c) => '\u{FFFD}',
        c => c,
    }
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
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
}
