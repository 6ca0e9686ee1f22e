//! Plain text from a `.docx` (its `word/document.xml`): paragraphs joined by
//! `\n`, tabs as `\t`, line breaks as `\n`.

use std::io::Cursor;

use super::archive::Archive;
use super::error::RefiError;
use super::limits::Limits;
use super::xml_dom::{self, Element};

/// Text of one paragraph; paragraphs nested in it (text boxes) are skipped
/// here and collected on their own.
fn paragraph_text(el: &Element, out: &mut String) {
    for c in &el.children {
        match c.name.as_str() {
            "t" => out.push_str(&c.text),
            "tab" => out.push('\t'),
            "br" | "cr" => out.push('\n'),
            "p" => {}
            _ => paragraph_text(c, out),
        }
    }
}

fn collect_paragraphs(el: &Element, out: &mut Vec<String>) {
    for c in &el.children {
        if c.name == "p" {
            let mut text = String::new();
            paragraph_text(c, &mut text);
            out.push(text);
        }
        collect_paragraphs(c, out);
    }
}

/// Extracts the text of a `.docx` given as bytes. `label` names it in errors.
pub(super) fn docx_text(label: &str, bytes: Vec<u8>, limits: &Limits) -> Result<String, RefiError> {
    let mut zip = Archive::open(label, Cursor::new(bytes), limits)?;
    let idx = zip
        .find("word/document.xml")
        .ok_or_else(|| RefiError::invalid(label, "no word/document.xml in the .docx"))?;
    let xml = zip.read_text(idx)?;
    let root = xml_dom::parse(&format!("{label}: word/document.xml"), &xml)?;
    let mut paragraphs = Vec::new();
    collect_paragraphs(&root, &mut paragraphs);
    Ok(paragraphs.join("\n"))
}
