//! The one error type of the import module.

/// A fatal import problem, naming the file and (where known) the 1-based line.
///
/// Displays as `FILE:LINE: message` or `FILE: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {message}", line_suffix(.line))]
pub struct ImportError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

fn line_suffix(line: &Option<usize>) -> String {
    line.map(|l| format!(":{l}")).unwrap_or_default()
}

impl ImportError {
    /// An error about the whole file.
    pub fn new(file: &str, message: impl Into<String>) -> Self {
        ImportError {
            file: file.to_string(),
            line: None,
            message: message.into(),
        }
    }

    /// An error at a 1-based line.
    pub fn at(file: &str, line: usize, message: impl Into<String>) -> Self {
        ImportError {
            file: file.to_string(),
            line: Some(line),
            message: message.into(),
        }
    }
}

/// Quote a piece of input for an error message, cut to a readable length.
pub(crate) fn quote(s: &str) -> String {
    const MAX: usize = 60;
    let mut out: String = s.chars().take(MAX).collect();
    if s.chars().nth(MAX).is_some() {
        out.push('…');
    }
    format!("'{out}'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_with_and_without_line() {
        assert_eq!(
            ImportError::at("FG2.vtt", 17, "malformed cue timing").to_string(),
            "FG2.vtt:17: malformed cue timing"
        );
        assert_eq!(
            ImportError::new("a.txt", "file is empty").to_string(),
            "a.txt: file is empty"
        );
    }

    #[test]
    fn quote_truncates_long_input() {
        let long = "x".repeat(100);
        let q = quote(&long);
        assert!(q.chars().count() < 70);
        assert!(q.ends_with("…'"));
        assert_eq!(quote("ab"), "'ab'");
    }
}
