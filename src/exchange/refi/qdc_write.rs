//! Writing `.qdc` codebooks and `<Code>` trees.

use super::model::RefiCode;
use super::values::normalize_color;
use super::xml_out::XmlOut;

fn bool_str(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// Writes a code and its children (same shape in codebooks and projects).
pub(super) fn write_code(out: &mut XmlOut, code: &RefiCode) {
    let color = code.color.as_deref().and_then(normalize_color);
    let attrs = [
        ("guid", Some(code.guid.as_str())),
        ("name", Some(code.name.as_str())),
        ("isCodable", Some(bool_str(code.is_codable))),
        ("color", color.as_deref()),
    ];
    let has_children = code.description.is_some() || !code.children.is_empty();
    out.start_or_empty("Code", &attrs, has_children);
    if has_children {
        out.opt_text_element("Description", code.description.as_deref());
        for c in &code.children {
            write_code(out, c);
        }
        out.end();
    }
}

/// Writes the `<Codes>` element (the caller ensures `codes` is not empty for validity).
pub(super) fn write_codes(out: &mut XmlOut, codes: &[RefiCode]) {
    out.start_or_empty("Codes", &[], !codes.is_empty());
    if !codes.is_empty() {
        for c in codes {
            write_code(out, c);
        }
        out.end();
    }
}

/// A REFI-QDA codebook (`urn:QDA-XML:codebook:1.0`). Note that the schema
/// requires at least one code: an empty slice gives `<Codes/>`, which tools
/// read but which does not validate.
pub fn write_qdc(codes: &[RefiCode], origin: &str) -> String {
    let mut out = XmlOut::new();
    out.start(
        "CodeBook",
        &[
            ("xmlns", Some("urn:QDA-XML:codebook:1.0")),
            ("origin", Some(origin)),
        ],
    );
    write_codes(&mut out, codes);
    out.finish()
}
