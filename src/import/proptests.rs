//! Property tests: no input panics; successful parses are well-formed.

use proptest::prelude::*;

use crate::import::format::Format;
use crate::import::parse::{parse_transcript, parse_transcript_with};
use crate::import::rules::{ImportOptions, SpeakerRule};
use crate::import::types::ParsedTranscript;

fn check(p: &ParsedTranscript) -> Result<(), TestCaseError> {
    let n = p.text.chars().count();
    let mut prev = 0;
    for t in &p.turns {
        prop_assert!(t.start < t.end, "empty turn {:?}", t);
        prop_assert!(t.end <= n, "out of bounds {:?} len {}", t, n);
        prop_assert!(t.start >= prev, "overlap {:?}", t);
        prev = t.end;
    }
    Ok(())
}

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("WEBVTT\n".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("1\n".to_string()),
        Just("00:00:01.000 --> 00:00:02.000\n".to_string()),
        Just("00:00:01,000 --> 00:00:02,000\n".to_string()),
        Just("<v Ann>".to_string()),
        Just("</v>".to_string()),
        Just("&amp;".to_string()),
        Just("Ann: ".to_string()),
        Just("Moderator:".to_string()),
        Just("[00:00:05] ".to_string()),
        Just("Bob (00:01:02): ".to_string()),
        Just("Jane Doe  0:05\n".to_string()),
        Just("NOTE x\n".to_string()),
        Just("😀 é\u{301} 中".to_string()),
        "[a-zA-Z :\\[\\]()<>&;.]{0,12}",
        Just(" \n".to_string()),
        Just("<00:00:01.040><c> word</c>".to_string()),
        Just("[Jane Doe] 19:00:25\n".to_string()),
        Just("Jane Doe (SL): ".to_string()),
        Just("Doe, Jane: ".to_string()),
        Just("27:\u{a0}".to_string()),
        Just("00:00:05 Speaker 1: ".to_string()),
        Just("[SPEAKER_00]: ".to_string()),
        Just(
            "{\"segments\": [{\"start\": 1.5, \"text\": \"hi\", \"speaker\": \"S\"}]}".to_string()
        ),
        Just("Transcribed by https://otter.ai\n".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        for f in Format::all() {
            if let Ok(p) = parse_transcript("p.bin", &bytes, Some(*f)) {
                check(&p)?;
            }
        }
        if let Ok(p) = parse_transcript("p.bin", &bytes, None) {
            check(&p)?;
        }
    }

    #[test]
    fn arbitrary_strings(s in any::<String>()) {
        for f in Format::all() {
            if let Ok(p) = parse_transcript("p.txt", s.as_bytes(), Some(*f)) {
                check(&p)?;
            }
        }
    }

    #[test]
    fn transcript_shaped_strings(parts in proptest::collection::vec(fragment(), 0..40)) {
        let s = parts.concat();
        for f in Format::all() {
            if let Ok(p) = parse_transcript("p.txt", s.as_bytes(), Some(*f)) {
                check(&p)?;
            }
        }
        if let Ok(p) = parse_transcript("p.txt", s.as_bytes(), None) {
            check(&p)?;
        }
    }

    /// Forced labels (names or a pattern) never yield malformed turns either.
    #[test]
    fn forced_labels(parts in proptest::collection::vec(fragment(), 0..40), names in "[A-Za-z0-9 ,]{0,20}") {
        let s = parts.concat();
        let mut rules = vec![SpeakerRule::pattern(r"(\w+):\s*").unwrap()];
        rules.extend(SpeakerRule::names(&names).ok());
        for speakers in rules {
            for f in Format::all() {
                let options = ImportOptions { format: Some(*f), speakers: speakers.clone() };
                if let Ok(p) = parse_transcript_with("p.txt", s.as_bytes(), &options) {
                    check(&p)?;
                }
            }
        }
    }

    /// YouTube's rolling captions as yt-dlp writes them, from any sequence of lines: every
    /// word comes out exactly once, in order.
    #[test]
    fn rolling_captions_give_each_word_once(
        lines in proptest::collection::vec(proptest::collection::vec("[a-z]{1,6}", 1..5), 2..12),
        srt in any::<bool>(),
    ) {
        let text = |l: &Vec<String>| l.join(" ");
        let timed = |l: &Vec<String>| {
            let mut out = l[0].clone();
            for (i, w) in l[1..].iter().enumerate() {
                out.push_str(&format!("<00:00:{:02}.{:03}><c> {w}</c>", i % 60, i));
            }
            out
        };
        let ts = |k: usize, ms: usize| format!("00:{:02}:{:02}{}{:03}", k / 60, k % 60, if srt { ',' } else { '.' }, ms);
        let mut file = if srt { String::new() } else { "WEBVTT\nKind: captions\nLanguage: en\n\n".to_string() };
        let mut n = 0;
        for (k, line) in lines.iter().enumerate() {
            let prev = if k == 0 { " ".to_string() } else { text(&lines[k - 1]) };
            let body = if srt { text(line) } else { timed(line) };
            for (payload, a, b) in [
                (format!("{prev}\n{body}"), ts(k, 10), ts(k + 1, 0)),
                (format!("{}\n ", text(line)), ts(k + 1, 0), ts(k + 1, 10)),
            ] {
                n += 1;
                if srt {
                    file.push_str(&format!("{n}\n"));
                }
                file.push_str(&format!("{a} --> {b} align:start position:0%\n{payload}\n\n"));
            }
        }
        let name = if srt { "yt.srt" } else { "yt.vtt" };
        let p = parse_transcript(name, file.as_bytes(), None).map_err(|e| TestCaseError::fail(e.to_string()))?;
        check(&p)?;
        let got: Vec<String> = (0..p.turns.len())
            .flat_map(|i| p.turn_text(i).unwrap().split_whitespace().map(str::to_string).collect::<Vec<_>>())
            .collect();
        let want: Vec<String> = lines.concat();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn docx_with_arbitrary_text(parts in proptest::collection::vec(fragment(), 0..20)) {
        let body: String = parts
            .iter()
            .map(|t| {
                let esc = t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
                format!("<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>{esc}</w:t></w:r></w:p>")
            })
            .collect();
        let bytes = crate::import::test_util::docx_bytes(&body);
        if let Ok(p) = parse_transcript("p.docx", &bytes, None) {
            check(&p)?;
        }
    }
}
