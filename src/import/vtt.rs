//! WebVTT captions (Zoom `Name: text` payloads, Teams `<v Name>` voices).

use crate::import::cues::{
    Segment, apply_inline_labels, is_rolling, merge_consecutive, overlap, render, rolling_note,
};
use crate::import::error::{ImportError, quote};
use crate::import::format::Format;
use crate::import::markup::{cue_text, voice_spans};
use crate::import::rules::SpeakerRule;
use crate::import::timecode::parse_timing_line;
use crate::import::types::ParsedTranscript;

/// Whether `line` is `KEYWORD` alone or followed by whitespace.
fn keyword(line: &str, word: &str) -> bool {
    line.strip_prefix(word)
        .is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t']))
}

/// Longest `<v Name>` voice name taken as a speaker.
const MAX_VOICE_CHARS: usize = 100;

/// One cue: its timing line (0-based), timing, and the range of its payload lines (indices,
/// not copies: a large file has millions of cues).
struct Cue {
    line: usize,
    start: i64,
    end: i64,
    payload: std::ops::Range<usize>,
}

/// Parse WebVTT text (already decoded and normalised).
pub(crate) fn parse_vtt(
    file: &str,
    text: String,
    mut notes: Vec<String>,
    rule: &SpeakerRule,
) -> Result<ParsedTranscript, ImportError> {
    let lines: Vec<&str> = text.split('\n').collect();
    let first = lines.first().copied().unwrap_or("");
    if !keyword(first, "WEBVTT") {
        return Err(ImportError::at(
            file,
            1,
            format!("missing WEBVTT header (found {})", quote(first)),
        ));
    }
    let blank = |i: usize| lines.get(i).is_none_or(|l| l.trim().is_empty());
    let timing = |i: usize| lines.get(i).is_some_and(|l| l.contains("-->"));
    // Only an empty line ends a cue (WebVTT spec). YouTube's captions (yt-dlp) hold cue lines
    // of a single space that continue the cue; a whitespace line followed by a new block
    // (timing line, cue id + timing, NOTE) still ends one, as hand-made files mean it.
    let ends_cue = |i: usize| {
        let Some(line) = lines.get(i) else {
            return true;
        };
        if line.is_empty() {
            return true;
        }
        if !line.trim().is_empty() {
            return false;
        }
        blank(i + 1)
            || timing(i + 1)
            || timing(i + 2)
            || lines
                .get(i + 1)
                .is_some_and(|l| keyword(l, "NOTE") || keyword(l, "STYLE") || keyword(l, "REGION"))
    };
    let mut i = 1;
    while i < lines.len() && !blank(i) && !timing(i) {
        i += 1;
    }
    let (mut skipped_notes, mut skipped_style) = (0usize, 0usize);
    let mut cues: Vec<Cue> = Vec::new();
    loop {
        while i < lines.len() && blank(i) {
            i += 1;
        }
        if i >= lines.len() {
            break;
        }
        let b = i;
        let head = lines[b];
        if keyword(head, "NOTE") || keyword(head, "STYLE") || keyword(head, "REGION") {
            while i < lines.len() && !blank(i) {
                i += 1;
            }
            if keyword(head, "NOTE") {
                skipped_notes += 1;
            } else {
                skipped_style += 1;
            }
            continue;
        }
        let t = if timing(b) {
            b
        } else if !blank(b + 1) && timing(b + 1) {
            b + 1
        } else {
            return Err(ImportError::at(
                file,
                b + 1,
                format!("expected a cue timing line ('-->'), found {}", quote(head)),
            ));
        };
        let Some((start, end)) = parse_timing_line(lines[t]) else {
            return Err(ImportError::at(
                file,
                t + 1,
                format!("malformed cue timing {}", quote(lines[t].trim())),
            ));
        };
        i = t + 1;
        while i < lines.len() && !ends_cue(i) {
            i += 1;
        }
        cues.push(Cue {
            line: t + 1,
            start,
            end,
            payload: t + 1..i,
        });
    }
    let payload = |cue: &Cue| lines.get(cue.payload.clone()).unwrap_or(&[]);
    let rolling = is_rolling(cues.iter().map(|c| {
        payload(c)
            .iter()
            .map(|l| cue_text(l))
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
    }));
    let mut segs: Vec<Segment> = Vec::new();
    let mut previous: Vec<String> = Vec::new();
    let mut dropped = 0usize;
    for cue in &cues {
        let payload = if rolling {
            // Each cue repeats the previous cue's last line(s): keep only what is new.
            let (clean, raw): (Vec<String>, Vec<&str>) = payload(cue)
                .iter()
                .map(|l| (cue_text(l), *l))
                .filter(|(c, _)| !c.is_empty())
                .unzip();
            let k = overlap(&previous, &clean);
            dropped += k;
            let new = raw.get(k..).unwrap_or(&[]).join("\n");
            previous = clean;
            new
        } else {
            payload(cue).join("\n")
        };
        for (speaker, text) in voice_spans(&payload) {
            if let Some(name) = &speaker
                && name.chars().count() > MAX_VOICE_CHARS
            {
                return Err(ImportError::at(
                    file,
                    cue.line + 1,
                    format!(
                        "a <v> voice name of {} characters is not a speaker label (at most {MAX_VOICE_CHARS})",
                        name.chars().count()
                    ),
                ));
            }
            segs.push(Segment {
                speaker,
                text,
                start_ms: Some(cue.start),
                end_ms: Some(cue.end),
                line: cue.line + 1,
            });
        }
    }
    drop(cues);
    drop(lines);
    drop(text);
    notes.extend(apply_inline_labels(&mut segs, rule).note());
    let (merged, cue_count) = merge_consecutive(segs, " ");
    if skipped_notes > 0 {
        notes.push(format!("skipped {skipped_notes} NOTE block(s)"));
    }
    if skipped_style > 0 {
        notes.push(format!("skipped {skipped_style} STYLE/REGION block(s)"));
    }
    if rolling {
        notes.push(rolling_note(dropped));
    }
    if cue_count > merged.len() {
        notes.push(format!(
            "merged {cue_count} cues into {} turns",
            merged.len()
        ));
    }
    Ok(render(Format::Vtt, merged, notes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::test_util::{assert_well_formed, speeches};

    fn parse(s: &str) -> Result<ParsedTranscript, ImportError> {
        let r = parse_vtt("FG2.vtt", s.to_string(), vec![], &SpeakerRule::Auto);
        if let Ok(p) = &r {
            assert_well_formed(p);
        }
        r
    }

    const ZOOM: &str = "WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\nJane Doe: Hello everyone &amp; welcome.\n\n2\n00:00:04.500 --> 00:00:06.000\nJane Doe: Let's begin.\n\n3\n00:00:06.000 --> 00:00:09.000\nMarco Rossi: Grazie, è un piacere 😀\n\nNOTE this is a note\nspanning lines\n\n4\n00:00:10.000 --> 00:00:12.000\nJane Doe: Great.\n";

    #[test]
    fn zoom() {
        let p = parse(ZOOM).unwrap();
        assert_eq!(
            p.text,
            "Jane Doe: Hello everyone & welcome. Let's begin.\n\nMarco Rossi: Grazie, è un piacere 😀\n\nJane Doe: Great.\n"
        );
        assert_eq!(
            speeches(&p),
            vec![
                (
                    Some("Jane Doe".into()),
                    "Hello everyone & welcome. Let's begin.".into()
                ),
                (Some("Marco Rossi".into()), "Grazie, è un piacere 😀".into()),
                (Some("Jane Doe".into()), "Great.".into()),
            ]
        );
        assert_eq!(p.turns[0].start_ms, Some(1_000));
        assert_eq!(p.turns[0].end_ms, Some(6_000));
        assert!(p.notes.iter().any(|n| n == "skipped 1 NOTE block(s)"));
        assert!(p.notes.iter().any(|n| n == "merged 4 cues into 3 turns"));
    }

    #[test]
    fn teams() {
        let s = "WEBVTT\nKind: captions\n\nSTYLE\n::cue { color: red }\n\n3f2a-1\n00:01.000 --> 00:03.000 align:start position:10%\n<v Ann Lee>Hi <c.yellow>there</c></v>\n\n00:03.000 --> 00:05.000\n<v Ann Lee>again\nand again\n\n00:05.000 --> 00:06.000\n<v Bob>&lt;laughs&gt;&nbsp;ok&lrm;</v>\n\n00:06.000 --> 00:07.000\nno speaker\n\n00:07.000 --> 00:08.000\nstill none";
        let p = parse(s).unwrap();
        assert_eq!(
            speeches(&p),
            vec![
                (Some("Ann Lee".into()), "Hi there again and again".into()),
                (Some("Bob".into()), "<laughs> ok\u{200E}".into()),
                (None, "no speaker still none".into()),
            ]
        );
        assert!(p.notes.iter().any(|n| n.contains("STYLE")));
    }

    #[test]
    fn errors() {
        let e = parse("WEBVTT\n\n00:00:0x --> 00:00:04.000\nhi\n").unwrap_err();
        assert_eq!(e.line, Some(3));
        assert_eq!(
            e.to_string(),
            "FG2.vtt:3: malformed cue timing '00:00:0x --> 00:00:04.000'"
        );
        let e = parse("1\n00:00:01.000 --> 00:00:02.000\nhi").unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("WEBVTT"));
        let e = parse("WEBVTT\n\nid\njust text\n").unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(parse("WEBVTTX\n").is_err());
    }

    #[test]
    fn odd_but_fine() {
        let p = parse("WEBVTT").unwrap();
        assert!(p.turns.is_empty());
        let p = parse("WEBVTT\n00:00.000 --> 00:01.000\nhello").unwrap();
        assert_eq!(p.turn_text(0).unwrap(), "hello");
        let p = parse("WEBVTT\n\n00:00.000 --> 00:01.000\n<v >x\n").unwrap();
        assert_eq!(p.turns[0].speaker, None);
        let p = parse("WEBVTT\n\n00:00.000 --> 00:01.000\n\n").unwrap();
        assert!(p.turns.is_empty());
    }
}
