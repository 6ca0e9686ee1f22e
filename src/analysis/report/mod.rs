//! The HTML report: one self-contained file (inline CSS and SVG; no scripts, fonts or links
//! to anything outside it), so it opens offline and can be archived with the study.

pub mod html;
pub mod svg;

use crate::error::Result;
use rusqlite::Connection;
use std::path::Path;

#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// One coder's codings; None pools all coders.
    pub coder: Option<i64>,
    /// The attribute theme frequencies are grouped by (default: see `html::default_grouping`).
    pub by: Option<String>,
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// The inter-coder agreement section, when the study has two or more coders.
///
/// HOOK: `crate::agreement` (built separately) will fill this in with its agreement table;
/// until then there is no section. Return the section's inner HTML (already escaped).
pub fn agreement_section(_conn: &Connection) -> Option<String> {
    None
}

/// Writes the report readable by its owner only (it quotes confidential transcripts).
pub fn write_private(path: &Path, html: &str) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options
        .open(path)
        .map_err(|e| crate::invalid!("{}: cannot write: {e}", path.display()))?;
    f.write_all(html.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }
}
