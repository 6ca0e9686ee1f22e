// TEMPORARY placeholder with the parser contract, replaced by the parser module.
pub mod attributes;
pub mod study;
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Vtt,
    Srt,
    Otter,
    Rev,
    Docx,
}
impl Format {
    pub fn name(&self) -> &'static str {
        "text"
    }
    pub fn from_name(_s: &str) -> Option<Format> {
        None
    }
    pub fn all() -> &'static [Format] {
        &[Format::Text]
    }
}
pub struct ParsedTurn {
    pub speaker: Option<String>,
    pub start: usize,
    pub end: usize,
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
}
pub struct ParsedTranscript {
    pub format: Format,
    pub text: String,
    pub turns: Vec<ParsedTurn>,
    pub notes: Vec<String>,
}
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ImportError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}
pub fn parse_transcript(
    file_name: &str,
    _bytes: &[u8],
    _f: Option<Format>,
) -> Result<ParsedTranscript, ImportError> {
    Err(ImportError {
        file: file_name.into(),
        line: None,
        message: "x".into(),
    })
}
