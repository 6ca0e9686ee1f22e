//! Cue/paragraph segments and the generated canonical text used by VTT, SRT
//! and DOCX: one paragraph per turn, `Speaker: text`, joined by blank lines.

use crate::import::format::Format;
use crate::import::label::{LabelKind, LabelPolicy, Unaccepted, match_label};
use crate::import::offsets::fill_end_ms;
use crate::import::rules::SpeakerRule;
use crate::import::types::{ParsedTranscript, ParsedTurn};

/// A piece of speech before rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Segment {
    pub speaker: Option<String>,
    pub text: String,
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
    /// 1-based line of the file where the segment's text starts (0: unknown).
    pub line: usize,
}

/// Whitespace-collapsed speaker name; None when blank.
pub(crate) fn clean_speaker(s: &str) -> Option<String> {
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!joined.is_empty()).then_some(joined)
}

/// Give unlabelled segments whose text starts with an accepted `Name:` label
/// (Zoom style) that speaker, and drop the label from the text. Returns the label-shaped
/// texts that were not taken.
pub(crate) fn apply_inline_labels(segs: &mut [Segment], rule: &SpeakerRule) -> Unaccepted {
    let mut unaccepted = Unaccepted::default();
    let found: Vec<Option<_>> = segs
        .iter()
        .map(|s| {
            if s.speaker.is_some() {
                return None;
            }
            if !rule.is_auto() {
                return rule.forced(&s.text);
            }
            match_label(&s.text).filter(|m| m.name.is_some() && m.kind != LabelKind::TsOnly)
        })
        .collect();
    let policy = LabelPolicy::new(
        found.iter().flatten().filter_map(|m| m.name.as_deref()),
        segs.len(),
    );
    for (seg, m) in segs.iter_mut().zip(found) {
        let Some(m) = m else {
            continue;
        };
        if rule.is_auto() && !policy.accepts(&m) {
            unaccepted.add(|| format!("line {}", seg.line), &seg.text);
            continue;
        }
        seg.speaker = m.name.as_deref().and_then(clean_speaker);
        seg.text = seg.text.get(m.content..).unwrap_or("").trim().to_string();
    }
    unaccepted
}

/// Rolling captions (YouTube's automatic ones): most cues start with the previous cue's last
/// line. `cues` yields each cue's non-empty plain-text lines.
pub(crate) fn is_rolling<C: AsRef<[String]>>(cues: impl Iterator<Item = C>) -> bool {
    let mut repeats = 0usize;
    let mut total = 0usize;
    let mut prev_last: Option<String> = None;
    for cue in cues {
        let lines = cue.as_ref();
        total += 1;
        if !lines.is_empty() && lines.first() == prev_last.as_ref() {
            repeats += 1;
        }
        prev_last = lines.last().cloned();
    }
    repeats >= 2 && repeats * 2 > total
}

/// Largest k such that the last k lines of `prev` are the first k of `cur` (the lines a
/// rolling cue repeats).
pub(crate) fn overlap(prev: &[String], cur: &[String]) -> usize {
    // Captions roll by one to three lines; a longer look-back would only cost time.
    (1..=prev.len().min(cur.len()).min(8))
        .rev()
        .find(|&k| prev[prev.len() - k..] == cur[..k])
        .unwrap_or(0)
}

/// The import note for rolling captions.
pub(crate) fn rolling_note(dropped: usize) -> String {
    format!(
        "rolling captions (each cue repeats the last line of the one before, as YouTube's do): \
         dropped {dropped} repeated line(s) so every word appears once"
    )
}

/// Merge consecutive segments of the same speaker (None counts as a
/// speaker), joining texts with `sep`; empty segments are dropped.
/// Returns the merged segments and how many non-empty inputs there were.
pub(crate) fn merge_consecutive(segs: Vec<Segment>, sep: &str) -> (Vec<Segment>, usize) {
    let mut out: Vec<Segment> = Vec::new();
    let mut inputs = 0;
    for mut seg in segs {
        let text = seg.text.trim();
        if text.is_empty() {
            continue;
        }
        inputs += 1;
        seg.text = text.to_string();
        seg.speaker = seg.speaker.as_deref().and_then(clean_speaker);
        match out.last_mut() {
            Some(last) if last.speaker == seg.speaker => {
                last.text.push_str(sep);
                last.text.push_str(&seg.text);
                last.end_ms = seg.end_ms.or(last.end_ms);
            }
            _ => out.push(seg),
        }
    }
    (out, inputs)
}

/// Render segments as canonical text with turns pointing at each text.
pub(crate) fn render(format: Format, segs: Vec<Segment>, notes: Vec<String>) -> ParsedTranscript {
    let mut text = String::new();
    let mut chars = 0usize;
    let mut turns: Vec<ParsedTurn> = Vec::with_capacity(segs.len());
    for seg in segs {
        let body = seg.text.trim();
        if body.is_empty() {
            continue;
        }
        let speaker = seg.speaker.as_deref().and_then(clean_speaker);
        let mut prefix = String::new();
        if !turns.is_empty() {
            prefix.push_str("\n\n");
        }
        if let Some(sp) = &speaker {
            prefix.push_str(sp);
            prefix.push_str(": ");
        }
        chars += prefix.chars().count();
        text.push_str(&prefix);
        let start = chars;
        chars += body.chars().count();
        text.push_str(body);
        turns.push(ParsedTurn {
            speaker,
            start,
            end: chars,
            start_ms: seg.start_ms,
            end_ms: seg.end_ms,
        });
    }
    if !text.is_empty() {
        text.push('\n');
    }
    fill_end_ms(&mut turns);
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

    fn seg(sp: Option<&str>, t: &str, a: i64, b: i64) -> Segment {
        Segment {
            speaker: sp.map(String::from),
            text: t.to_string(),
            start_ms: Some(a),
            end_ms: Some(b),
            line: 0,
        }
    }

    #[test]
    fn merge_and_render() {
        let segs = vec![
            seg(Some("Ann"), "hi", 0, 1),
            seg(Some(" Ann "), "there ", 1, 2),
            seg(None, "  ", 2, 3),
            seg(None, "music", 3, 4),
            seg(None, "más", 4, 5),
            seg(Some("Bob"), "yo", 5, 6),
        ];
        let (merged, n) = merge_consecutive(segs, " ");
        assert_eq!(n, 5);
        let p = render(Format::Vtt, merged, vec![]);
        assert_well_formed(&p);
        assert_eq!(p.text, "Ann: hi there\n\nmusic más\n\nBob: yo\n");
        assert_eq!(p.turns[0].end_ms, Some(2));
        assert_eq!(speeches(&p)[1], (None, "music más".to_string()));
    }

    #[test]
    fn inline_labels_need_recurrence_or_density() {
        let mut segs = vec![
            seg(None, "Ann Lee: hello", 0, 1),
            seg(None, "so: what", 1, 2),
            seg(None, "plain words", 2, 3),
            seg(None, "more words", 3, 4),
            seg(None, "Ann Lee: bye", 4, 5),
        ];
        apply_inline_labels(&mut segs, &SpeakerRule::Auto);
        assert_eq!(segs[0].speaker.as_deref(), Some("Ann Lee"));
        assert_eq!(segs[0].text, "hello");
        assert_eq!(segs[1].speaker, None);
    }

    #[test]
    fn render_empty() {
        let p = render(Format::Srt, vec![], vec![]);
        assert_eq!(p.text, "");
        assert!(p.turns.is_empty());
    }
}
