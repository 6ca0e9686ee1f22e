//! Cursor motions over a document's characters: words and sentences, bounded by the turn.
//! Pure functions, so they are tested without a study.

fn is_word(c: char) -> bool {
    !c.is_whitespace()
}

fn ends_sentence(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…')
}

/// Start of the next word after `pos` in [pos, hi), or `hi` when there is none.
pub fn word_start_fwd(t: &[char], pos: usize, hi: usize) -> usize {
    let mut i = pos;
    while i < hi && is_word(t[i]) {
        i += 1;
    }
    while i < hi && !is_word(t[i]) {
        i += 1;
    }
    i
}

/// Last char of the word ending after `pos`, or `hi` when there is none.
pub fn word_end_fwd(t: &[char], pos: usize, hi: usize) -> usize {
    let mut i = pos + 1;
    while i < hi && !is_word(t[i]) {
        i += 1;
    }
    if i >= hi {
        return hi;
    }
    while i + 1 < hi && is_word(t[i + 1]) {
        i += 1;
    }
    i
}

/// Start of the word before `pos` (or of the word `pos` is inside), not before `lo`.
pub fn word_start_back(t: &[char], pos: usize, lo: usize) -> usize {
    let mut i = pos;
    while i > lo && !is_word(t[i - 1]) {
        i -= 1;
    }
    while i > lo && is_word(t[i - 1]) {
        i -= 1;
    }
    i
}

/// Start of the next sentence after `pos`, or `hi`.
pub fn sentence_start_fwd(t: &[char], pos: usize, hi: usize) -> usize {
    let end = sentence_end_fwd(t, pos, hi);
    let mut i = end.saturating_add(1).min(hi);
    while i < hi && t[i].is_whitespace() {
        i += 1;
    }
    i
}

/// The last char of the sentence containing or following `pos` (its full stop, or the turn's
/// last char), or `hi` when `pos` is the last char already.
pub fn sentence_end_fwd(t: &[char], pos: usize, hi: usize) -> usize {
    let mut i = pos;
    if i + 1 >= hi {
        return hi;
    }
    // Moving from one sentence end to the next one.
    if ends_sentence(t[i]) {
        i += 1;
    }
    while i < hi {
        if ends_sentence(t[i]) && (i + 1 >= hi || t[i + 1].is_whitespace() || is_closer(t[i + 1])) {
            while i + 1 < hi && (is_closer(t[i + 1]) || ends_sentence(t[i + 1])) {
                i += 1;
            }
            return i;
        }
        i += 1;
    }
    hi - 1
}

fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | ')' | ']' | '”' | '’')
}

/// Start of the sentence before `pos` (or of the one `pos` is inside), not before `lo`.
pub fn sentence_start_back(t: &[char], pos: usize, lo: usize) -> usize {
    let mut i = pos;
    // Skip back over the whitespace before the current sentence start.
    while i > lo && t[i - 1].is_whitespace() {
        i -= 1;
    }
    if i > lo && i == pos {
        // Inside a sentence: find its start.
    } else if i > lo {
        i -= 1;
    }
    while i > lo {
        let prev = t[i - 1];
        if prev.is_whitespace() && i >= lo + 2 && (ends_sentence(t[i - 2]) || is_closer(t[i - 2])) {
            break;
        }
        i -= 1;
    }
    while i < pos && t[i].is_whitespace() {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn words() {
        let t = chars("one two  three");
        assert_eq!(word_start_fwd(&t, 0, t.len()), 4);
        assert_eq!(word_start_fwd(&t, 4, t.len()), 9);
        assert_eq!(word_start_fwd(&t, 9, t.len()), t.len());
        assert_eq!(word_end_fwd(&t, 0, t.len()), 2);
        assert_eq!(word_end_fwd(&t, 2, t.len()), 6);
        assert_eq!(word_start_back(&t, 9, 0), 4);
        assert_eq!(word_start_back(&t, 5, 0), 4);
        assert_eq!(word_start_back(&t, 0, 0), 0);
    }

    #[test]
    fn sentences() {
        let t = chars("I agree. It is hard! Really? Yes");
        assert_eq!(sentence_end_fwd(&t, 0, t.len()), 7);
        assert_eq!(sentence_end_fwd(&t, 7, t.len()), 19);
        assert_eq!(sentence_start_fwd(&t, 0, t.len()), 9);
        assert_eq!(sentence_start_fwd(&t, 21, t.len()), 29);
        assert_eq!(sentence_end_fwd(&t, 29, t.len()), t.len() - 1);
        assert_eq!(sentence_start_back(&t, 12, 0), 9);
        assert_eq!(sentence_start_back(&t, 9, 0), 0);
        assert_eq!(sentence_start_back(&t, 0, 0), 0);
    }
}
