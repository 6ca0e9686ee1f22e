//! Property tests: no input panics; successful parses are well-formed.

use proptest::prelude::*;

use crate::import::format::Format;
use crate::import::parse::parse_transcript;
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
