//! SubRip (.srt) subtitles.

use crate::import::cues::{
    Segment, apply_inline_labels, is_rolling, merge_consecutive, overlap, render, rolling_note,
};
use crate::import::error::{ImportError, quote};
use crate::import::format::Format;
use crate::import::markup::cue_text;
use crate::import::rules::SpeakerRule;
use crate::import::timecode::parse_timing_line;
use crate::import::types::ParsedTranscript;

fn is_number(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Parse SRT text (already decoded and normalised).
pub(crate) fn parse_srt(
    file: &str,
    text: String,
    mut notes: Vec<String>,
    rule: &SpeakerRule,
) -> Result<ParsedTranscript, ImportError> {
    let lines: Vec<&str> = text.split('\n').collect();
    let blank = |i: usize| lines.get(i).is_none_or(|l| l.trim().is_empty());
    let has_arrow = |i: usize| lines.get(i).is_some_and(|l| l.contains("-->"));
    // (start, end, first payload line, payload lines as plain text)
    let mut cues: Vec<(i64, i64, usize, Vec<String>)> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if blank(i) {
            i += 1;
            continue;
        }
        let t = if has_arrow(i) {
            i
        } else if is_number(lines[i]) {
            if !has_arrow(i + 1) {
                let found = lines.get(i + 1).copied().unwrap_or("end of file");
                return Err(ImportError::at(
                    file,
                    i + 2,
                    format!(
                        "expected a timing line like '00:00:01,000 --> 00:00:04,000', found {}",
                        quote(found.trim())
                    ),
                ));
            }
            i + 1
        } else {
            return Err(ImportError::at(
                file,
                i + 1,
                format!(
                    "expected a subtitle number, found {}",
                    quote(lines[i].trim())
                ),
            ));
        };
        let Some((start, end)) = parse_timing_line(lines[t]) else {
            return Err(ImportError::at(
                file,
                t + 1,
                format!("malformed subtitle timing {}", quote(lines[t].trim())),
            ));
        };
        let mut j = t + 1;
        // A line of spaces (YouTube captions converted by yt-dlp) continues the cue unless a
        // new cue follows it; an empty line ends it.
        let cue_starts = |k: usize| has_arrow(k) || (is_number(lines[k]) && has_arrow(k + 1));
        let ends = |k: usize| {
            lines[k].is_empty()
                || (blank(k) && (k + 1 >= lines.len() || blank(k + 1) || cue_starts(k + 1)))
        };
        while j < lines.len() && !ends(j) && !(is_number(lines[j]) && has_arrow(j + 1)) {
            j += 1;
        }
        let payload: Vec<String> = lines
            .get(t + 1..j)
            .unwrap_or(&[])
            .iter()
            .map(|l| cue_text(l))
            .filter(|l| !l.is_empty())
            .collect();
        cues.push((start, end, t + 2, payload));
        i = j;
    }
    drop(lines);
    let rolling = is_rolling(cues.iter().map(|c| c.3.as_slice()));
    let mut dropped = 0usize;
    let mut segs: Vec<Segment> = Vec::with_capacity(cues.len());
    let mut previous: Vec<String> = Vec::new();
    for (start, end, line, payload) in cues {
        let k = if rolling {
            overlap(&previous, &payload)
        } else {
            0
        };
        dropped += k;
        segs.push(Segment {
            speaker: None,
            text: payload.get(k..).unwrap_or(&[]).join(" "),
            start_ms: Some(start),
            end_ms: Some(end),
            line,
        });
        if rolling {
            previous = payload;
        }
    }
    if rolling {
        notes.push(rolling_note(dropped));
    }
    notes.extend(apply_inline_labels(&mut segs, rule).note());
    let (merged, cues) = merge_consecutive(segs, " ");
    if cues > merged.len() {
        notes.push(format!("merged {cues} cues into {} turns", merged.len()));
    }
    Ok(render(Format::Srt, merged, notes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::test_util::{assert_well_formed, speeches};

    fn parse(s: &str) -> Result<ParsedTranscript, ImportError> {
        let r = parse_srt("FG1.srt", s.to_string(), vec![], &SpeakerRule::Auto);
        if let Ok(p) = &r {
            assert_well_formed(p);
        }
        r
    }

    #[test]
    fn speakers_and_merging() {
        let s = "1\n00:00:01,000 --> 00:00:04,000\nModerator: Welcome to\nthe group.\n\n2\n00:00:04,000 --> 00:00:05,000\nModerator: <i>Shall we?</i>\n\n\n\n3\n00:00:05,000 --> 00:00:07,500\n[Ana] Sí, claro.\n\n4\n00:00:08,000 --> 00:00:09,000\n[Ana] 好的\n5\n00:00:09,000 --> 00:00:10,000\n(door closes)";
        let p = parse(s).unwrap();
        assert_eq!(
            speeches(&p),
            vec![
                (
                    Some("Moderator".into()),
                    "Welcome to the group. Shall we?".into()
                ),
                (Some("Ana".into()), "Sí, claro. 好的".into()),
                (None, "(door closes)".into()),
            ]
        );
        assert_eq!(p.turns[1].start_ms, Some(5_000));
        assert_eq!(p.turns[1].end_ms, Some(9_000));
        assert_eq!(
            p.text,
            "Moderator: Welcome to the group. Shall we?\n\nAna: Sí, claro. 好的\n\n(door closes)\n"
        );
    }

    #[test]
    fn errors_name_lines() {
        let e = parse(
            "1\n00:00:01,000 --> 00:00:02,000\nhi\n\nabc\n00:00:03,000 --> 00:00:04,000\nyo\n",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "FG1.srt:5: expected a subtitle number, found 'abc'"
        );
        let e = parse("1\n00:00:01,000 -> 00:00:02,000\nhi").unwrap_err();
        assert_eq!(e.line, Some(2));
        let e = parse("1\n00:00:01,000 --> 00:00:0x,000\nhi").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("malformed subtitle timing"));
        let e = parse("7").unwrap_err();
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn tolerant_shapes() {
        let p = parse("00:00:01,000 --> 00:00:02,000\nno number\n").unwrap();
        assert_eq!(p.turn_text(0).unwrap(), "no number");
        let p = parse("1\n00:00:01,000 --> 00:00:02,000\n\n2\n00:00:02,000 --> 00:00:03,000\nx")
            .unwrap();
        assert_eq!(p.turns.len(), 1);
    }
}
