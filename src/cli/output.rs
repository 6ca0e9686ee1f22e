//! Printing data: aligned tables for people, JSON and CSV for programs.

use crate::error::{Error, Result};
use crate::text::sanitize;
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<()> {
    let s = serde_json::to_string_pretty(value).map_err(|e| Error::Invalid(e.to_string()))?;
    println!("{s}");
    Ok(())
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
    let mut w = csv::Writer::from_writer(std::io::stdout());
    let err = |e: csv::Error| Error::Csv(e.to_string());
    w.write_record(headers).map_err(err)?;
    for row in rows {
        w.write_record(row).map_err(err)?;
    }
    w.flush()?;
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
