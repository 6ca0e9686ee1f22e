//! Transcript parsers: turn raw file bytes into canonical text plus speaker
//! turns (char offsets). The parsers are pure (no database); `study` and `attributes` bring
//! parsed transcripts and attribute tables into a study file.

mod cues;
mod decode;
mod detect;
mod docx;
mod docx_xml;
mod error;
mod format;
mod json;
mod label;
mod lines;
mod markup;
mod offsets;
mod otter;
mod parse;
mod plain;
mod rules;
mod srt;
mod timecode;
mod types;
mod vtt;

pub mod attributes;
pub mod study;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod test_util;

pub use decode::decode_text;
pub use detect::detect_format;
pub use error::ImportError;
pub use format::Format;
pub use parse::{parse_transcript, parse_transcript_owned, parse_transcript_with};
pub use rules::{ImportOptions, SpeakerRule};
pub use types::{ParsedTranscript, ParsedTurn};
