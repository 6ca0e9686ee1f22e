//! Format detection: by extension first, then by content.

use crate::import::decode::{decode_text, detection_sample};
use crate::import::format::Format;
use crate::import::json::looks_like_whisper_json;
use crate::import::otter::speaker_line_count;
use crate::import::plain::label_stats;

/// Guess the format of a file from its name and bytes.
pub fn detect_format(file_name: &str, bytes: &[u8]) -> Format {
    let lower = file_name.to_lowercase();
    if lower.ends_with(".vtt") {
        return Format::Vtt;
    }
    if lower.ends_with(".srt") {
        return Format::Srt;
    }
    if lower.ends_with(".docx") || bytes.starts_with(b"PK\x03\x04") {
        return Format::Docx;
    }
    if lower.ends_with(".json") {
        return Format::Json;
    }
    match decode_text(file_name, detection_sample(bytes)) {
        Ok((text, _)) => detect_text(&text),
        Err(_) => Format::Text,
    }
}

/// Content-based detection on decoded text.
pub(crate) fn detect_text(text: &str) -> Format {
    if looks_like_whisper_json(text) {
        return Format::Json;
    }
    if text
        .strip_prefix("WEBVTT")
        .is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t', '\n']))
    {
        return Format::Vtt;
    }
    let mut lines = text.lines().skip_while(|l| l.trim().is_empty());
    let first = lines.next().unwrap_or("").trim();
    let second = lines.next().unwrap_or("");
    if !first.is_empty()
        && first.bytes().all(|b| b.is_ascii_digit())
        && second.contains("-->")
        && second.contains(',')
    {
        return Format::Srt;
    }
    let otter = speaker_line_count(text);
    let (labels, rev) = label_stats(text);
    if otter > 0 && otter > labels {
        return Format::Otter;
    }
    if labels > 0 && rev * 2 > labels {
        return Format::Rev;
    }
    Format::Text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_extension_and_magic() {
        assert_eq!(detect_format("a.VTT", b""), Format::Vtt);
        assert_eq!(detect_format("a.srt", b"x"), Format::Srt);
        assert_eq!(detect_format("a.docx", b"x"), Format::Docx);
        assert_eq!(detect_format("a.bin", b"PK\x03\x04rest"), Format::Docx);
    }

    #[test]
    fn by_content() {
        assert_eq!(detect_format("a.txt", b"WEBVTT\n\n"), Format::Vtt);
        assert_eq!(
            detect_format(
                "a.txt",
                b"\xEF\xBB\xBF\r\n1\r\n00:00:01,000 --> 00:00:02,000\r\nhi"
            ),
            Format::Srt
        );
        assert_eq!(
            detect_format("a.txt", b"Ann  0:01\nhello\n\nBob  0:05\nhi\n"),
            Format::Otter
        );
        assert_eq!(
            detect_format(
                "a.txt",
                b"Ann (00:00:01):\nhello\n\nBob (00:00:05): hi\nAnn: x\n"
            ),
            Format::Rev
        );
        assert_eq!(detect_format("a.txt", b"Ann: hi\nBob: yo\n"), Format::Text);
        assert_eq!(detect_format("a.txt", b"\0\0"), Format::Text);
        assert_eq!(detect_format("a", b"WEBVTTX"), Format::Text);
        assert_eq!(detect_format("a.JSON", b"{}"), Format::Json);
        assert_eq!(detect_format("a.txt", b" {\"segments\": []}"), Format::Json);
    }
}
