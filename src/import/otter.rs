//! Otter.ai text exports: a speaker line `Name  0:05` (or `Name  1:02:03`)
//! followed by content lines. Canonical text is the file text.

use crate::import::format::Format;
use crate::import::label::{is_role, normalize, valid_name};
use crate::import::lines::{Marker, build_turns, lines_with_offsets};
use crate::import::offsets::to_char_turns;
use crate::import::timecode::parse_clock;
use crate::import::types::ParsedTranscript;

/// `Name  m:ss` shape: (name, ms).
pub(crate) fn speaker_line(line: &str) -> Option<(String, i64)> {
    let t = line.trim();
    let split = t.rfind(char::is_whitespace)?;
    let ts = t.get(split..)?.trim();
    if ts.contains(['.', ',']) {
        return None;
    }
    let ms = parse_clock(ts)?;
    let name = t.get(..split)?.trim();
    valid_name(name).then(|| (name.to_string(), ms))
}

/// The line Otter.ai ends its exports with ("Transcribed by https://otter.ai").
pub(crate) fn is_trailer(line: &str) -> bool {
    let t = line.trim();
    t.starts_with("Transcribed by ") && t.contains("otter.ai") && t.len() < 60
}

/// Every word starts with a non-lowercase char ("Jane Doe", "Speaker 1").
pub(crate) fn looks_like_name(name: &str) -> bool {
    name.split_whitespace()
        .all(|w| w.chars().next().is_some_and(|c| !c.is_lowercase()))
}

/// Accepted Otter speaker lines, one entry per line.
pub(crate) fn speaker_markers(text: &str) -> Vec<Option<Marker>> {
    let mut prev_blank = true;
    // (name, time, after a blank line)
    let candidates: Vec<Option<(String, i64, bool)>> = lines_with_offsets(text)
        .map(|(_, line)| {
            let c = speaker_line(line).map(|(n, ms)| (n, ms, prev_blank));
            prev_blank = line.trim().is_empty();
            c
        })
        .collect();
    let mut counts = std::collections::HashMap::<String, usize>::new();
    for (n, _, _) in candidates.iter().flatten() {
        *counts.entry(normalize(n)).or_default() += 1;
    }
    let trailers: Vec<bool> = lines_with_offsets(text)
        .map(|(_, line)| is_trailer(line))
        .collect();
    candidates
        .into_iter()
        .zip(trailers)
        .map(|(c, trailer)| {
            if trailer {
                // Otter's closing line is nobody's speech: its own unlabelled turn.
                return Some(Marker {
                    speaker: None,
                    ts_ms: None,
                    content: 0,
                });
            }
            c.filter(|(n, _, after_blank)| {
                let recurs = counts.get(&normalize(n)).copied().unwrap_or(0) >= 2;
                let named = looks_like_name(n) || is_role(n);
                // Exports without blank lines between speakers: only a recurring name that
                // looks like one starts a turn there ("We met at 10:30" does not).
                if *after_blank {
                    named || recurs
                } else {
                    named && recurs
                }
            })
            .map(|(name, ms, _)| Marker {
                speaker: Some(name),
                ts_ms: Some(ms),
                content: usize::MAX,
            })
        })
        .collect()
}

/// Number of accepted Otter speaker lines — used by detection.
pub(crate) fn speaker_line_count(text: &str) -> usize {
    speaker_markers(text)
        .iter()
        .flatten()
        .filter(|m| m.speaker.is_some())
        .count()
}

/// Parse an Otter export.
pub(crate) fn parse_otter(text: String, mut notes: Vec<String>) -> ParsedTranscript {
    let mut markers = speaker_markers(&text);
    let built = build_turns(&text, |idx, _| markers.get_mut(idx).and_then(Option::take));
    drop(markers);
    if built.empty_markers > 0 {
        notes.push(format!(
            "skipped {} speaker line(s) with no text after them",
            built.empty_markers
        ));
    }
    let turns = to_char_turns(&text, built.turns);
    ParsedTranscript {
        format: Format::Otter,
        text,
        turns,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::test_util::{assert_well_formed, speeches};

    const SAMPLE: &str = "Focus Group 2\nTue, 3/12 10:02AM • 45:10\n\nSpeaker 1  0:05\nWelcome everyone. We met at 10:30\nlast time.\n\nJane Doe  1:02\nThanks for having me.\n\nSpeaker 1  1:02:03\nLast words.\n";

    #[test]
    fn otter_export() {
        let p = parse_otter(SAMPLE.to_string(), vec![]);
        assert_well_formed(&p);
        assert_eq!(p.text, SAMPLE);
        let s = speeches(&p);
        assert_eq!(s.len(), 4);
        assert_eq!(s[0].0, None);
        assert_eq!(
            s[1],
            (
                Some("Speaker 1".into()),
                "Welcome everyone. We met at 10:30\nlast time.".into()
            )
        );
        assert_eq!(p.turns[1].start_ms, Some(5_000));
        assert_eq!(p.turns[1].end_ms, Some(62_000));
        assert_eq!(p.turns[3].start_ms, Some(3_723_000));
        assert_eq!(speaker_line_count(SAMPLE), 3);
    }

    #[test]
    fn lowercase_sentence_with_time_is_not_a_speaker() {
        let text = "Ann  0:01\nhello\n\nwe met at 10:30\nok\n";
        let p = parse_otter(text.to_string(), vec![]);
        assert_eq!(p.turns.len(), 1);
        assert_eq!(p.turn_text(0).unwrap(), "hello\n\nwe met at 10:30\nok");
    }

    #[test]
    fn no_blank_lines_between_speakers() {
        let text = "Jane Doe  0:00\nHello.\nSpeaker 2  0:04\nHi.\nMet At  10:30\nJane Doe  0:09\nBye.\nSpeaker 2  0:12\nBye now.\n";
        let p = parse_otter(text.to_string(), vec![]);
        assert_well_formed(&p);
        let s = speeches(&p);
        assert_eq!(s.len(), 4, "{s:?}");
        assert_eq!(
            s[1],
            (Some("Speaker 2".into()), "Hi.\nMet At  10:30".into())
        );
        assert_eq!(p.turns[3].start_ms, Some(12_000));
    }

    #[test]
    fn speaker_without_content() {
        let p = parse_otter("Ann  0:01\n\nBob  0:02\nhi".to_string(), vec![]);
        assert_eq!(p.turns.len(), 1);
        assert_eq!(p.notes.len(), 1);
    }
}
