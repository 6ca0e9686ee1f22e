//! `<Code>` trees, shared by `.qdc` and `.qde` reading.

use super::error::RefiError;
use super::model::RefiCode;
use super::read_ctx::Ctx;
use super::values::normalize_color;
use super::xml_dom::Element;

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

pub(super) fn read_code(ctx: &mut Ctx, el: &Element) -> Result<RefiCode, RefiError> {
    let guid = ctx.entity_guid(el)?;
    let name = match el.attr("name") {
        Some(n) => n.to_string(),
        None => {
            ctx.note(format!(
                "line {}: code {guid} has no name; named it (unnamed)",
                el.line
            ));
            "(unnamed)".to_string()
        }
    };
    let is_codable = match el.attr("isCodable").map(|v| (v, parse_bool(v))) {
        Some((_, Some(b))) => b,
        Some((v, None)) => {
            ctx.note(format!(
                "line {}: code '{name}': isCodable=\"{v}\" read as true",
                el.line
            ));
            true
        }
        None => {
            ctx.note(format!(
                "line {}: code '{name}' lacks isCodable; taken as true",
                el.line
            ));
            true
        }
    };
    let color = el.attr("color").and_then(|c| {
        let n = normalize_color(c);
        if n.is_none() {
            ctx.note(format!(
                "line {}: code '{name}': ignored colour \"{c}\"",
                el.line
            ));
        }
        n
    });
    let notes = el.children_named("NoteRef").count();
    if notes > 0 {
        ctx.note(format!(
            "line {}: code '{name}': {notes} note reference(s) on a code are not imported",
            el.line
        ));
    }
    let mut children = Vec::new();
    for c in el.children_named("Code") {
        children.push(read_code(ctx, c)?);
    }
    Ok(RefiCode {
        guid,
        name,
        color,
        description: ctx.child_text(el, "Description"),
        is_codable,
        children,
    })
}

/// Reads `<Codes>` (if present) into a code tree.
pub(super) fn read_codes(
    ctx: &mut Ctx,
    codes: Option<&Element>,
) -> Result<Vec<RefiCode>, RefiError> {
    let mut out = Vec::new();
    if let Some(codes) = codes {
        for c in codes.children_named("Code") {
            out.push(read_code(ctx, c)?);
        }
    }
    Ok(out)
}
