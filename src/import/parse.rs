//! The entry point: decode, pick a parser, check the result.

use crate::import::decode::decode_owned;
use crate::import::detect::detect_format;
use crate::import::docx::parse_docx;
use crate::import::error::ImportError;
use crate::import::format::Format;
use crate::import::json::parse_json;
use crate::import::otter::parse_otter;
use crate::import::plain::parse_plain;
use crate::import::rules::ImportOptions;
use crate::import::srt::parse_srt;
use crate::import::types::ParsedTranscript;
use crate::import::vtt::parse_vtt;

/// Parse a transcript file. `forced` overrides format detection.
pub fn parse_transcript(
    file_name: &str,
    bytes: &[u8],
    forced: Option<Format>,
) -> Result<ParsedTranscript, ImportError> {
    let options = ImportOptions {
        format: forced,
        ..ImportOptions::default()
    };
    parse_transcript_with(file_name, bytes, &options)
}

/// Parse a transcript file with the options of one import (format, forced speaker labels).
pub fn parse_transcript_with(
    file_name: &str,
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<ParsedTranscript, ImportError> {
    parse_transcript_owned(file_name, bytes.to_vec(), options)
}

/// [`parse_transcript_with`] taking the file's bytes by value, so that a large UTF-8
/// transcript is decoded without a copy.
pub fn parse_transcript_owned(
    file_name: &str,
    bytes: Vec<u8>,
    options: &ImportOptions,
) -> Result<ParsedTranscript, ImportError> {
    let format = options
        .format
        .unwrap_or_else(|| detect_format(file_name, &bytes));
    let rule = &options.speakers;
    let parsed = if format == Format::Docx {
        parse_docx(file_name, &bytes, rule)?
    } else {
        let (text, notes) = decode_owned(file_name, bytes)?;
        match format {
            Format::Vtt => parse_vtt(file_name, text, notes, rule)?,
            Format::Srt => parse_srt(file_name, text, notes, rule)?,
            // Speakers come from the JSON's own fields; label rules do not apply.
            Format::Json => parse_json(file_name, text, notes)?,
            // Forced labels replace Otter's speaker lines (a pattern can match them).
            Format::Otter if rule.is_auto() => parse_otter(text, notes),
            Format::Text | Format::Rev | Format::Otter | Format::Docx => {
                parse_plain(text, notes, format, rule)
            }
        }
    };
    if parsed.turns.is_empty() {
        return Err(ImportError::new(file_name, "no transcript text found"));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::test_util::{assert_well_formed, docx_bytes, speeches};

    fn ok(name: &str, bytes: &[u8]) -> ParsedTranscript {
        let p = parse_transcript(name, bytes, None).unwrap();
        assert_well_formed(&p);
        p
    }

    #[test]
    fn dispatches_by_detection() {
        assert_eq!(
            ok("a.vtt", b"WEBVTT\n\n00:01.000 --> 00:02.000\nhi").format,
            Format::Vtt
        );
        assert_eq!(
            ok("a.srt", b"1\r\n00:00:01,000 --> 00:00:02,000\r\nhi").format,
            Format::Srt
        );
        assert_eq!(
            ok("a.txt", b"Ann  0:01\nhi\n\nBob  0:03\nyo").format,
            Format::Otter
        );
        assert_eq!(
            ok("a.txt", b"Ann (0:01): hi\nBob (0:03): yo").format,
            Format::Rev
        );
        assert_eq!(ok("a.txt", b"just words").format, Format::Text);
        let d = docx_bytes("<w:p><w:r><w:t>Hi</w:t></w:r></w:p>");
        assert_eq!(ok("a.docx", &d).format, Format::Docx);
        assert_eq!(ok("noext", &d).format, Format::Docx);
    }

    #[test]
    fn windows_1252_note_and_crlf() {
        let p = ok("a.txt", b"Ann: caf\xE9\r\nAnn: ok\r\n");
        assert_eq!(p.text, "Ann: café\nAnn: ok\n");
        assert_eq!(p.notes, vec!["decoded as Windows-1252".to_string()]);
        assert_eq!(speeches(&p)[0].1, "café");
    }

    #[test]
    fn bom_crlf_and_long_lines_in_every_text_format() {
        let long = "中😀e\u{301}".repeat(2_500);
        let vtt = format!(
            "\u{FEFF}WEBVTT\r\n\r\n00:00:01.000 --> 00:00:02.000\r\nAnn: {long}\r\n\r\n00:00:02.000 --> 00:00:03.000\r\nAnn: ok"
        );
        let p = ok("fg.vtt", vtt.as_bytes());
        assert_eq!(
            speeches(&p),
            vec![(Some("Ann".into()), format!("{long} ok"))]
        );
        let srt = format!("\u{FEFF}1\r\n00:00:01,000 --> 00:00:02,000\r\n{long}");
        let p = ok("fg.srt", srt.as_bytes());
        assert_eq!(speeches(&p), vec![(None, long.clone())]);
        let otter = format!("\u{FEFF}Ann  0:01\r\n{long}\r\n\r\nBob  0:02\r\nyo");
        let p = ok("fg.txt", otter.as_bytes());
        assert_eq!(p.format, Format::Otter);
        assert_eq!(p.turn_text(0).unwrap(), long);
        assert!(!p.text.contains('\r'));
    }

    #[test]
    fn forced_format_wins() {
        let p = parse_transcript("a.vtt", b"Ann: hi\nAnn: yo", Some(Format::Text)).unwrap();
        assert_eq!(p.turns.len(), 2);
        let e = parse_transcript("a.txt", b"Ann: hi", Some(Format::Vtt)).unwrap_err();
        assert_eq!(e.line, Some(1));
        let e = parse_transcript("a.txt", b"Ann: hi", Some(Format::Docx)).unwrap_err();
        assert_eq!(e.message, "not a .docx (zip) file");
    }

    #[test]
    fn no_text_and_weird_inputs() {
        let cases: &[(&str, &[u8], &str)] = &[
            ("a.txt", b"\xEF\xBB\xBF", "file is empty"),
            ("a.txt", b"Ann:\nAnn:\n", "no transcript text found"),
            (
                "a.vtt",
                b"WEBVTT\n\nNOTE only\n",
                "no transcript text found",
            ),
            ("a.txt", b"abc\0", "not a text file (binary data at byte 3)"),
            ("a.docx", &docx_bytes(""), "no transcript text found"),
        ];
        for (name, bytes, msg) in cases {
            let e = parse_transcript(name, bytes, None).unwrap_err();
            assert_eq!(&e.message, msg, "{name}");
            assert_eq!(e.file, *name);
        }
        for f in Format::all() {
            for bytes in [
                &b"\xFF\xFE"[..],
                b"\xC3",
                b"\r\r\r",
                b":",
                b"[",
                b"-->",
                b"WEBVTT\n-->",
            ] {
                let _ = parse_transcript("w", bytes, Some(*f));
            }
        }
    }
}
