//! Sentence units: a turn split at sentence ends, but not after common abbreviations or
//! initials, so "Dr. Smith said so." stays one sentence.
//!
//! The rule (also printed by `thematic help agreement`): a sentence ends at `.`, `!`, `?` or `…`
//! (with any closing quotes or brackets after it) followed by whitespace or the end of the turn,
//! and at a line break. A `.` does not end a sentence after an abbreviation in
//! [`ABBREVIATIONS`] (case-insensitive), after a single letter (an initial: "J. Smith"), or
//! after "No" when a digit follows ("No. 5"; a bare "No." is an answer and ends a sentence).
//! Whitespace around sentences is not part of them; a turn with no sentence end is one sentence.

/// Words that end in a full stop without ending the sentence.
pub const ABBREVIATIONS: &[&str] = &[
    "dr", "mr", "mrs", "ms", "prof", "e.g", "i.e", "etc", "vs", "st", "jr", "sr", "cf", "approx",
];

/// The rule in words, for `thematic help agreement`.
pub const RULE: &str = "A sentence ends at . ! ? or … (plus closing quotes or brackets) followed by a space or the end of the turn, and at a line break; never across turns. A full stop does not end a sentence after Dr. Mr. Mrs. Ms. Prof. e.g. i.e. etc. vs. St. Jr. Sr. cf. approx., after an initial (a single letter, as in J. Smith), or after No. when a number follows (No. 5).";

fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | ')' | ']' | '”' | '’' | '»')
}

/// The word ending just before `dot` (letters and inner dots, e.g. "e.g"), lower-cased.
fn word_before(chars: &[char], dot: usize) -> String {
    let mut i = dot;
    while i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '.') {
        i -= 1;
    }
    chars[i..dot].iter().collect::<String>().to_lowercase()
}

/// Whether the `.` at `dot` is part of an abbreviation or initial rather than a sentence end.
fn abbreviation_dot(chars: &[char], dot: usize, next_non_space: Option<char>) -> bool {
    let word = word_before(chars, dot);
    let word = word.trim_start_matches('.');
    if word.is_empty() {
        return false;
    }
    if ABBREVIATIONS.contains(&word) {
        return true;
    }
    if word.chars().count() == 1 && word.chars().all(char::is_alphabetic) {
        // An initial; "I." as a whole sentence is rare enough in speech to accept.
        return chars[dot - 1].is_uppercase();
    }
    word == "no" && next_non_space.is_some_and(|c| c.is_ascii_digit())
}

/// Sentence ranges [start, end) within `chars` (one turn), in order, trimmed of whitespace.
pub fn split(chars: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let n = chars.len();
    let push = |out: &mut Vec<(usize, usize)>, a: usize, b: usize| {
        let mut a = a;
        let mut b = b;
        while a < b && chars[a].is_whitespace() {
            a += 1;
        }
        while b > a && chars[b - 1].is_whitespace() {
            b -= 1;
        }
        if a < b {
            out.push((a, b));
        }
    };
    while i < n {
        let c = chars[i];
        if c == '\n' {
            push(&mut out, start, i);
            start = i + 1;
            i += 1;
            continue;
        }
        if matches!(c, '.' | '!' | '?' | '…') {
            // Runs like "?!" or "..." end together.
            let mut j = i + 1;
            while j < n && matches!(chars[j], '.' | '!' | '?' | '…') {
                j += 1;
            }
            while j < n && is_closer(chars[j]) {
                j += 1;
            }
            let at_end = j == n || chars[j].is_whitespace();
            if at_end {
                let next = chars[j..].iter().copied().find(|c| !c.is_whitespace());
                let single_dot = c == '.' && j == i + 1;
                if !(single_dot && abbreviation_dot(chars, i, next)) {
                    push(&mut out, start, j);
                    start = j;
                }
            }
            i = j;
            continue;
        }
        i += 1;
    }
    push(&mut out, start, n);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(s: &str) -> Vec<String> {
        let chars: Vec<char> = s.chars().collect();
        split(&chars)
            .into_iter()
            .map(|(a, b)| chars[a..b].iter().collect())
            .collect()
    }

    #[test]
    fn abbreviations_and_initials_do_not_split() {
        assert_eq!(sentences("Dr. Smith said so."), ["Dr. Smith said so."]);
        assert_eq!(
            sentences("I saw Mrs. Jones, e.g. on Mondays. Then J. R. Hart came!"),
            [
                "I saw Mrs. Jones, e.g. on Mondays.",
                "Then J. R. Hart came!"
            ]
        );
        assert_eq!(
            sentences("Prof. Lee vs. Ms. Park etc. were there. Room No. 5 was full."),
            [
                "Prof. Lee vs. Ms. Park etc. were there.",
                "Room No. 5 was full."
            ]
        );
    }

    #[test]
    fn ordinary_ends_split_and_trim() {
        assert_eq!(
            sentences("Hi. I use it weekly! Really?  Yes"),
            ["Hi.", "I use it weekly!", "Really?", "Yes"]
        );
        assert_eq!(sentences("No. I never did."), ["No.", "I never did."]);
        assert_eq!(
            sentences("He said \"stop.\" Then left... OK?! Fine"),
            ["He said \"stop.\"", "Then left...", "OK?!", "Fine"]
        );
        assert_eq!(sentences("It costs 3.50 now."), ["It costs 3.50 now."]);
        assert_eq!(sentences("one\ntwo"), ["one", "two"]);
        assert!(sentences("   ").is_empty());
    }
}
