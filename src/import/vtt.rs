//! WebVTT captions (Zoom `Name: text` payloads, Teams `<v Name>` voices).

use crate::import::cues::{Segment, apply_inline_labels, merge_consecutive, render};
use crate::import::error::{ImportError, quote};
use crate::import::format::Format;
use crate::import::markup::voice_spans;
use crate::import::timecode::parse_timing_line;
use crate::import::types::ParsedTranscript;

/// Whether `line` is `KEYWORD` alone or followed by whitespace.
fn keyword(line: &str, word: &str) -> bool {
    line.strip_prefix(word)
        .is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t']))
}

/// Parse WebVTT text (already decoded and normalised).
pub(crate) fn parse_vtt(
    file: &str,
    text: String,
    mut notes: Vec<String>,
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
    let mut i = 1;
    while i < lines.len() && !blank(i) && !lines[i].contains("-->") {
        i += 1;
    }
    let (mut skipped_notes, mut skipped_style) = (0usize, 0usize);
    let mut segs: Vec<Segment> = Vec::new();
    loop {
        while i < lines.len() && blank(i) {
            i += 1;
        }
        if i >= lines.len() {
            break;
        }
        let b = i;
        while i < lines.len() && !blank(i) {
            i += 1;
        }
        let head = lines[b];
        if keyword(head, "NOTE") {
            skipped_notes += 1;
            continue;
        }
        if keyword(head, "STYLE") || keyword(head, "REGION") {
            skipped_style += 1;
            continue;
        }
        let t = if head.contains("-->") {
            b
        } else if b + 1 < i && lines[b + 1].contains("-->") {
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
        let payload = lines.get(t + 1..i).unwrap_or(&[]).join("\n");
        for (speaker, text) in voice_spans(&payload) {
            segs.push(Segment {
                speaker,
                text,
                start_ms: Some(start),
                end_ms: Some(end),
            });
        }
    }
    apply_inline_labels(&mut segs);
    let (merged, cues) = merge_consecutive(segs, " ");
    if skipped_notes > 0 {
        notes.push(format!("skipped {skipped_notes} NOTE block(s)"));
    }
    if skipped_style > 0 {
        notes.push(format!("skipped {skipped_style} STYLE/REGION block(s)"));
    }
    if cues > merged.len() {
        notes.push(format!("merged {cues} cues into {} turns", merged.len()));
    }
    Ok(render(Format::Vtt, merged, notes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::test_util::{assert_well_formed, speeches};

    fn parse(s: &str) -> Result<ParsedTranscript, ImportError> {
        let r = parse_vtt("FG2.vtt", s.to_string(), vec![]);
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
