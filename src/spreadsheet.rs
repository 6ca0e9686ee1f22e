//! CSV cells that a spreadsheet will not run. Excel, LibreOffice and Google Sheets treat a
//! cell starting with `=`, `+`, `-` or `@` as a formula (tab and CR can precede one), so a
//! participant quote such as `=HYPERLINK(…)` in an export would run on a colleague's machine.
//! As OWASP's "CSV Injection" page recommends, such a cell gets a leading `'`, which the
//! spreadsheet hides and which stops the evaluation. Plain numbers (`-0.25`, `+3`) are left
//! alone: they cannot run anything and agreement coefficients can be negative.
//! `--raw-cells` turns this off for a run (for programs that read the CSV).
//!
//! Every CSV writer passes its records through [`record`] (or single cells through [`cell`]).

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};

static RAW: AtomicBool = AtomicBool::new(false);

/// Turns neutralising off (`--raw-cells`) or back on, for the whole process.
pub fn set_raw_cells(raw: bool) {
    RAW.store(raw, Ordering::Relaxed);
}

pub fn raw_cells() -> bool {
    RAW.load(Ordering::Relaxed)
}

/// The cell as a CSV writer should write it.
pub fn cell(s: &str) -> Cow<'_, str> {
    if raw_cells() || !is_formula_like(s) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(format!("'{s}"))
    }
}

/// A whole record, cell by cell.
pub fn record<I, S>(fields: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    fields
        .into_iter()
        .map(|f| cell(f.as_ref()).into_owned())
        .collect()
}

/// Reverses [`cell`] on import: `'=x` becomes `=x`, so a codebook exported by Thematic (or
/// saved by a spreadsheet with the quote kept) reads back as it was. A quote before anything
/// else is the user's and stays.
pub fn unquote(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if is_formula_like(rest) => rest,
        _ => s,
    }
}

/// Would a spreadsheet evaluate this cell?
pub fn is_formula_like(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    matches!(first, '=' | '+' | '-' | '@' | '\t' | '\r') && !is_plain_number(s)
}

fn is_plain_number(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
        && s.bytes().any(|b| b.is_ascii_digit())
        && s.parse::<f64>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owasp_triggers_get_a_quote() {
        // The examples from OWASP's CSV Injection page and the issue.
        for s in [
            "=HYPERLINK(\"http://evil\",\"click\")",
            "=1+2",
            "+cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0",
            "\t=1+2",
            "\r=1+2",
            "-",
        ] {
            assert_eq!(cell(s), format!("'{s}"), "{s:?}");
        }
        for s in [
            "plain",
            "",
            "'=already quoted",
            "a=b",
            "-0.25",
            "+3",
            "12",
            "1e-5",
        ] {
            assert_eq!(cell(s), s, "{s:?}");
        }
        assert_eq!(unquote(&cell("=1+2")), "=1+2");
        assert_eq!(unquote("'quoted"), "'quoted");
    }
}
