//! The one error type of the core library. Messages are written for researchers: they name the
//! file, line, document or code at fault and say what to do.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    #[error("{0}")]
    Import(#[from] crate::import::ImportError),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("study file {path}: {message}")]
    Study { path: String, message: String },
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Csv(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Shorthand for an `Error::Invalid` from a format string.
#[macro_export]
macro_rules! invalid {
    ($($arg:tt)*) => { $crate::error::Error::Invalid(format!($($arg)*)) };
}

/// Shorthand for an `Error::NotFound` from a format string.
#[macro_export]
macro_rules! not_found {
    ($($arg:tt)*) => { $crate::error::Error::NotFound(format!($($arg)*)) };
}
