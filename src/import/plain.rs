//! Plain-text transcripts (Format::Text and its Rev variant): the canonical
//! text is the decoded file; speaker labels at line start begin turns.

use crate::import::format::Format;
use crate::import::label::{
    LabelKind, LabelMatch, LabelPolicy, SuspectTags, Unaccepted, match_label,
};
use crate::import::lines::{Marker, build_turns, lines_with_offsets};
use crate::import::offsets::to_char_turns;
use crate::import::rules::SpeakerRule;
use crate::import::types::ParsedTranscript;

/// Accepted labels per line (None where a line has no accepted label), and the label-shaped
/// lines the heuristics left as speech.
pub(crate) fn accepted_labels(
    text: &str,
    rule: &SpeakerRule,
) -> (Vec<Option<LabelMatch>>, Unaccepted) {
    let mut unaccepted = Unaccepted::default();
    if !rule.is_auto() {
        let forced = lines_with_offsets(text)
            .map(|(_, line)| rule.forced(line))
            .collect();
        return (forced, unaccepted);
    }
    let candidates: Vec<Option<LabelMatch>> = lines_with_offsets(text)
        .map(|(_, line)| match_label(line))
        .collect();
    let units = lines_with_offsets(text)
        .filter(|(_, l)| !l.trim().is_empty())
        .count();
    let policy = LabelPolicy::new(
        candidates
            .iter()
            .flatten()
            .filter_map(|m| m.name.as_deref()),
        units,
    );
    let mut suspects = SuspectTags::default();
    let accepted = candidates
        .into_iter()
        .zip(lines_with_offsets(text))
        .enumerate()
        .map(|(idx, (c, (_, line)))| match c {
            Some(m) if policy.accepts(&m) => Some(m),
            Some(_) => {
                unaccepted.add(|| format!("line {}", idx + 1), line);
                None
            }
            None => {
                suspects.add(|| format!("line {}", idx + 1), line);
                None
            }
        })
        .collect();
    unaccepted.extra = suspects.note();
    (accepted, unaccepted)
}

/// (accepted named labels, of which Rev-shaped) — used by detection.
pub(crate) fn label_stats(text: &str) -> (usize, usize) {
    let (labels, _) = accepted_labels(text, &SpeakerRule::Auto);
    let named = labels.iter().flatten().filter(|m| m.name.is_some()).count();
    let rev = labels
        .iter()
        .flatten()
        .filter(|m| m.kind == LabelKind::Rev)
        .count();
    (named, rev)
}

/// Parse plain text (or Rev) into turns over the text itself.
pub(crate) fn parse_plain(
    text: String,
    mut notes: Vec<String>,
    format: Format,
    rule: &SpeakerRule,
) -> ParsedTranscript {
    let (mut labels, unaccepted) = accepted_labels(&text, rule);
    notes.extend(unaccepted.note());
    let built = build_turns(&text, |idx, _| {
        labels.get_mut(idx).and_then(Option::take).map(|m| Marker {
            speaker: m.name,
            ts_ms: m.ts_ms,
            content: m.content,
        })
    });
    if built.empty_markers > 0 {
        notes.push(format!(
            "skipped {} speaker label(s) with no text after them",
            built.empty_markers
        ));
    }
    drop(labels);
    let turns = to_char_turns(&text, built.turns);
    ParsedTranscript {
        format,
        text,
        turns,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::test_util::{assert_well_formed, speeches};

    fn parse(text: &str) -> ParsedTranscript {
        let p = parse_plain(text.to_string(), vec![], Format::Text, &SpeakerRule::Auto);
        assert_well_formed(&p);
        p
    }

    #[test]
    fn focus_group_with_labels() {
        let text = "Focus group 3 — 12 March\n\nModerator: Welcome, everyone.\nLet's start.\n\nAnn: I think the clinic was fine.\n\nBob: Not for me: the wait was long.\nAnn: Really?\nBob: Yes.\n";
        let p = parse(text);
        assert_eq!(p.text, text);
        assert_eq!(
            speeches(&p),
            vec![
                (None, "Focus group 3 — 12 March".to_string()),
                (
                    Some("Moderator".to_string()),
                    "Welcome, everyone.\nLet's start.".to_string()
                ),
                (
                    Some("Ann".to_string()),
                    "I think the clinic was fine.".to_string()
                ),
                (
                    Some("Bob".to_string()),
                    "Not for me: the wait was long.".to_string()
                ),
                (Some("Ann".to_string()), "Really?".to_string()),
                (Some("Bob".to_string()), "Yes.".to_string()),
            ]
        );
    }

    #[test]
    fn every_paragraph_labelled_once_is_still_labels() {
        let t = parse("Anna: I use the portal every week.\n\nBen: I never do.\n");
        let who: Vec<_> = t.turns.iter().map(|t| t.speaker.clone()).collect();
        assert_eq!(who, vec![Some("Anna".to_string()), Some("Ben".to_string())]);
    }

    #[test]
    fn single_colon_sentence_is_not_a_label() {
        let text = "Ann: hello\nNote: the doctor said so\nAnn: bye\n";
        let p = parse(text);
        assert_eq!(p.turns.len(), 2);
        assert_eq!(p.turn_text(0).unwrap(), "hello\nNote: the doctor said so");
    }

    #[test]
    fn timestamps_and_end_ms() {
        let text =
            "[00:00:05] Ann: hi there\nBob: [00:00:09] hello\n[00:00:12] (silence continues)\n";
        let p = parse(text);
        assert_eq!(p.turns.len(), 3);
        assert_eq!(p.turns[0].start_ms, Some(5_000));
        assert_eq!(p.turns[0].end_ms, Some(9_000));
        assert_eq!(p.turns[1].end_ms, Some(12_000));
        assert_eq!(p.turn_text(1).unwrap(), "hello");
        assert_eq!(p.turns[2].speaker, None);
        assert_eq!(p.turn_text(2).unwrap(), "(silence continues)");
    }

    #[test]
    fn rev_style() {
        let text = "Speaker 1 (00:00:01):\nHello and welcome.\n\nJane Doe (00:01:02): Thanks.\n";
        let p = parse_plain(text.to_string(), vec![], Format::Rev, &SpeakerRule::Auto);
        assert_well_formed(&p);
        assert_eq!(p.format, Format::Rev);
        assert_eq!(p.turns[0].speaker.as_deref(), Some("Speaker 1"));
        assert_eq!(p.turn_text(0).unwrap(), "Hello and welcome.");
        assert_eq!(p.turns[1].start_ms, Some(62_000));
        assert_eq!(label_stats(text), (2, 2));
    }

    #[test]
    fn no_labels_gives_paragraph_turns() {
        let text = "First paragraph\nstill first.\n\n\nSecond: one.\n";
        let p = parse(text);
        assert_eq!(speeches(&p).len(), 2);
        assert_eq!(p.turn_text(1).unwrap(), "Second: one.");
    }

    #[test]
    fn unicode_offsets_are_chars() {
        let text = "安娜: 你好 😀 café\n安娜: e\u{301}l\u{301}\nModerator: ok";
        let p = parse(text);
        assert_eq!(
            speeches(&p),
            vec![
                (Some("安娜".into()), "你好 😀 café".into()),
                (Some("安娜".into()), "e\u{301}l\u{301}".into()),
                (Some("Moderator".into()), "ok".into()),
            ]
        );
    }

    #[test]
    fn labels_with_nothing_after() {
        let p = parse("Ann:\nBob:\nAnn:\nBob: x");
        assert_eq!(p.turns.len(), 1);
        assert!(p.notes.iter().any(|n| n.contains("skipped 3")));
        let p = parse("Ann:\nAnn:");
        assert!(p.turns.is_empty());
    }

    #[test]
    fn bracket_and_at_labels() {
        let p = parse("[Moderator] Hi.\n@Ann: yes\n@Ann: and\n[laughs] ok\n");
        let s = speeches(&p);
        assert_eq!(s[0], (Some("Moderator".into()), "Hi.".into()));
        assert_eq!(s[2], (Some("Ann".into()), "and\n[laughs] ok".into()));
    }

    #[test]
    fn very_long_line() {
        let long = "é".repeat(10_000);
        let text = format!("Ann: {long}\nAnn: x");
        let p = parse(&text);
        assert_eq!(p.turn_text(0).unwrap(), long);
    }
}
