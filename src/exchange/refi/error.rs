//! Errors of REFI-QDA import and export. Every message names the file.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum RefiError {
    #[error("{file}: cannot read or write: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: not a zip archive ({detail}); a .qdpx project must be a zip file")]
    NotZip { file: String, detail: String },
    #[error("{file}: damaged or truncated zip archive: {detail}")]
    BadZip { file: String, detail: String },
    #[error("{file}: unsafe path in archive: {name}")]
    UnsafePath { file: String, name: String },
    #[error(
        "{file}: {what} exceeds the import limit ({actual} > {limit}); that is more than a research study holds, so the file is refused (--allow-large accepts it)"
    )]
    Limit {
        file: String,
        what: String,
        actual: u64,
        limit: u64,
    },
    #[error("{file} line {line}: XML entity declarations are not allowed")]
    EntityDeclaration { file: String, line: usize },
    #[error("{file} line {line}: {message}")]
    Xml {
        file: String,
        line: usize,
        message: String,
    },
    #[error(
        "{file}: selection {selection} in source '{source_name}' ends at {end}, past the end of its text ({len} characters)"
    )]
    SelectionOutOfRange {
        file: String,
        selection: String,
        source_name: String,
        end: u64,
        len: usize,
    },
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
}

impl RefiError {
    pub(super) fn invalid(file: &str, message: impl Into<String>) -> RefiError {
        RefiError::Invalid {
            file: file.to_string(),
            message: message.into(),
        }
    }

    pub(super) fn io(file: &str, source: std::io::Error) -> RefiError {
        RefiError::Io {
            file: file.to_string(),
            source,
        }
    }
}
