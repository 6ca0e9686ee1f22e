//! Whisper / WhisperX JSON (`whisper --output_format json`, `whisperx --diarize
//! --output_format json`): `{"segments": [{"start": 0.03, "end": 2.5, "text": " Hello",
//! "speaker": "SPEAKER_00", "words": [...]}, ...], ...}`. Times are seconds; `speaker` is
//! present only when WhisperX diarized the segment. Everything else (words, tokens, scores) is
//! skipped while reading, so memory follows the speech, not the word-level detail.

use serde::Deserialize;

use crate::import::cues::{Segment, merge_consecutive, render};
use crate::import::error::ImportError;
use crate::import::format::Format;
use crate::import::types::ParsedTranscript;

/// Longest speaker name taken from a segment (a longer one is no label).
const MAX_SPEAKER_CHARS: usize = 100;
/// Latest time accepted, in seconds (a week: no recording is longer).
const MAX_SECONDS: f64 = 7.0 * 24.0 * 3600.0;

#[derive(Deserialize)]
struct Transcript {
    segments: Vec<JsonSegment>,
}

#[derive(Deserialize)]
struct JsonSegment {
    #[serde(default)]
    start: Option<f64>,
    #[serde(default)]
    end: Option<f64>,
    #[serde(default)]
    text: String,
    #[serde(default)]
    speaker: Option<String>,
}

fn millis(seconds: Option<f64>) -> Option<i64> {
    let s = seconds?;
    (s.is_finite() && (0.0..=MAX_SECONDS).contains(&s)).then(|| (s * 1000.0).round() as i64)
}

/// Whether decoded text looks like Whisper's JSON (detection by content).
pub(crate) fn looks_like_whisper_json(text: &str) -> bool {
    text.trim_start().starts_with('{') && text.contains("\"segments\"")
}

/// Parse Whisper/WhisperX JSON text (already decoded).
pub(crate) fn parse_json(
    file: &str,
    text: String,
    mut notes: Vec<String>,
) -> Result<ParsedTranscript, ImportError> {
    let doc: Transcript = serde_json::from_str(&text).map_err(|e| {
        let what = if e.is_data() {
            format!("not a Whisper/WhisperX transcript: {e}")
        } else {
            format!("malformed JSON: {e}")
        };
        ImportError::at(file, e.line().max(1), what)
    })?;
    drop(text);
    let mut segs = Vec::with_capacity(doc.segments.len());
    let mut unassigned = 0usize;
    for (i, s) in doc.segments.into_iter().enumerate() {
        let speaker = match s.speaker {
            Some(name) if name.chars().count() > MAX_SPEAKER_CHARS => {
                return Err(ImportError::new(
                    file,
                    format!(
                        "segment {}: a speaker name of {} characters is not a speaker label (at most {MAX_SPEAKER_CHARS})",
                        i + 1,
                        name.chars().count()
                    ),
                ));
            }
            Some(name) => Some(name),
            None => {
                if !s.text.trim().is_empty() {
                    unassigned += 1;
                }
                None
            }
        };
        segs.push(Segment {
            speaker,
            text: s.text.split_whitespace().collect::<Vec<_>>().join(" "),
            start_ms: millis(s.start),
            end_ms: millis(s.end),
            line: 0,
        });
    }
    let labelled = segs.iter().any(|s| s.speaker.is_some());
    if labelled && unassigned > 0 {
        notes.push(format!(
            "{unassigned} segment(s) had no speaker (WhisperX could not assign one): kept unlabelled"
        ));
    }
    let (merged, count) = merge_consecutive(segs, " ");
    if count > merged.len() {
        notes.push(format!(
            "merged {count} segments into {} turns",
            merged.len()
        ));
    }
    Ok(render(Format::Json, merged, notes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::test_util::{assert_well_formed, speeches};

    fn parse(s: &str) -> Result<ParsedTranscript, ImportError> {
        let r = parse_json("w.json", s.to_string(), vec![]);
        if let Ok(p) = &r {
            assert_well_formed(p);
        }
        r
    }

    #[test]
    fn whisperx_segments() {
        let p = parse(
            r#"{"segments": [
 {"start": 0.031, "end": 2.512, "text": " Hello and welcome.", "words": [{"word": "Hello", "start": 0.031, "end": 0.3, "score": 0.91, "speaker": "SPEAKER_00"}], "speaker": "SPEAKER_00"},
 {"start": 2.893, "end": 4.455, "text": " Thanks.", "words": [], "speaker": "SPEAKER_01"},
 {"start": 4.9, "end": 5.2, "text": " Mm.", "words": []},
 {"start": 5.5, "end": 6.0, "text": " Glad\n to be here.", "speaker": "SPEAKER_01"}
], "word_segments": [], "language": "en"}"#,
        )
        .unwrap();
        assert_eq!(
            speeches(&p),
            vec![
                (Some("SPEAKER_00".into()), "Hello and welcome.".into()),
                (Some("SPEAKER_01".into()), "Thanks.".into()),
                (None, "Mm.".into()),
                (Some("SPEAKER_01".into()), "Glad to be here.".into()),
            ]
        );
        assert_eq!(p.turns[0].start_ms, Some(31));
        assert_eq!(p.turns[0].end_ms, Some(2_512));
        assert!(
            p.notes
                .iter()
                .any(|n| n.starts_with("1 segment(s) had no speaker"))
        );
    }

    #[test]
    fn plain_whisper_and_errors() {
        let p = parse(r#"{"text": " Hi there.", "segments": [{"id": 0, "seek": 0, "start": 0.0, "end": 1.5, "text": " Hi there.", "tokens": [1, 2], "temperature": 0.0}], "language": "en"}"#).unwrap();
        assert_eq!(speeches(&p), vec![(None, "Hi there.".into())]);
        let e = parse("{\"segments\": [\n{\"start\": 0.0,, }]}").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.starts_with("malformed JSON"), "{e}");
        let e = parse(r#"{"text": "no segments"}"#).unwrap_err();
        assert!(
            e.message.contains("not a Whisper/WhisperX transcript"),
            "{e}"
        );
        let long = format!(
            r#"{{"segments": [{{"start": 0, "end": 1, "text": "x", "speaker": "{}"}}]}}"#,
            "S".repeat(101)
        );
        let e = parse(&long).unwrap_err();
        assert!(e.message.contains("segment 1") && e.message.contains("not a speaker label"));
        let p =
            parse(r#"{"segments": [{"start": -5, "end": 1e300, "text": "odd times"}]}"#).unwrap();
        assert_eq!((p.turns[0].start_ms, p.turns[0].end_ms), (None, None));
    }
}
