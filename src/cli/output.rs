//! Printing data: aligned tables for people, JSON and CSV for programs. Everything printed
//! passes the sanitising filter (`crate::terminal`); JSON and CSV go as data (kept as they are
//! when stdout is redirected), tables as text (sanitised here too, for the TUI-less library
//! callers and tests that run without the filter).

use crate::error::{Error, Result};
use crate::text::sanitize;
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<()> {
    let s = serde_json::to_string_pretty(value).map_err(|e| Error::Invalid(e.to_string()))?;
    // serde_json escapes C0 controls but leaves DEL, C1 and bidi controls raw: escape them too,
    // so JSON is safe on a terminal and still means the same text.
    let mut s = crate::text::escape_json_unsafe(&s).into_owned();
    s.push('\n');
    crate::terminal::write_data(s.as_bytes())?;
    Ok(())
}

/// Prints data for another program (CSV, JSON text) as it is when stdout is redirected.
pub fn data(text: &str) -> Result<()> {
    crate::terminal::write_data(text.as_bytes())?;
    Ok(())
}

/// Says what an export did: on stderr when the export itself went to stdout (`-`), so the
/// message does not end up inside the data.
pub fn export_note(out: &std::path::Path, line: String) {
    if crate::terminal::is_stdout_path(out) {
        eprintln!("{line}");
    } else {
        println!("{line}");
    }
}

/// A table aligned by display width; cells are sanitized (transcript text is untrusted).
pub fn table(headers: &[&str], rows: &[Vec<String>]) {
    let clean: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| sanitize(c, false)).collect())
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for row in &clean {
        for (i, cell) in row.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(cell.width());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            if i + 1 < cells.len() {
                out.push_str(&" ".repeat(widths[i].saturating_sub(cell.width()) + 2));
            }
        }
        println!("{}", out.trim_end());
    };
    line(headers.to_vec());
    for row in &clean {
        line(row.iter().map(String::as_str).collect());
    }
}

pub fn csv(headers: &[&str], rows: &[Vec<String>]) -> Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| Error::Csv(e.to_string());
    w.write_record(crate::spreadsheet::record(headers))
        .map_err(err)?;
    for row in rows {
        w.write_record(crate::spreadsheet::record(row))
            .map_err(err)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::Csv(e.to_string()))?;
    crate::terminal::write_data(&bytes)?;
    Ok(())
}

/// Prints rows as a table or CSV; JSON callers serialise their own structs.
pub fn rows(format: super::args::Output, headers: &[&str], rows: &[Vec<String>]) -> Result<()> {
    match format {
        super::args::Output::Csv => csv(headers, rows),
        _ => {
            table(headers, rows);
            Ok(())
        }
    }
}

/// Shortens text for a table cell, on a character boundary.
pub fn clip(s: &str, max: usize) -> String {
    let one_line = s.replace('\n', " ⏎ ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        let mut out: String = one_line.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}
