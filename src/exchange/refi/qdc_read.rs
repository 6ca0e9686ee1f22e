//! Reading `.qdc` codebooks, streamed: each `<Code>` becomes a compact `RefiCode` as soon as it
//! closes (its children already converted), so a codebook of a million codes never lives in
//! memory as an XML tree.

use std::io::{BufRead, BufReader};

use super::archive::LineTap;
use super::codes_read::read_code;
use super::error::RefiError;
use super::model::{Adjustments, RefiCode};
use super::read_ctx::{Ctx, check_namespace};
use super::xml_dom::{self, Element};

/// Reads a REFI-QDA codebook. `file_name` is only used in messages.
pub fn read_qdc(file_name: &str, bytes: &[u8]) -> Result<(Vec<RefiCode>, Adjustments), RefiError> {
    read_qdc_from(file_name, bytes)
}

/// `read_qdc` from a reader (a file), without holding its bytes.
pub fn read_qdc_from(
    file_name: &str,
    input: impl BufRead,
) -> Result<(Vec<RefiCode>, Adjustments), RefiError> {
    let mut ctx = Ctx::new(file_name);
    let (tap, lines) = LineTap::new(input);
    // Codes converted so far, by depth (the number of elements open around them).
    let mut levels: Vec<Vec<RefiCode>> = Vec::new();
    let root = xml_dom::drive(
        file_name,
        BufReader::with_capacity(64 * 1024, tap),
        |pos| lines.borrow_mut().at(pos),
        |open: xml_dom::Open, el: Element| -> Result<Option<Element>, RefiError> {
            if el.name != "Code" {
                return Ok(Some(el));
            }
            let depth = open.len();
            let children = levels
                .get_mut(depth + 1)
                .map(std::mem::take)
                .unwrap_or_default();
            let mut code = read_code(&mut ctx, &el)?;
            code.children = children;
            if levels.len() <= depth {
                levels.resize_with(depth + 1, Vec::new);
            }
            levels[depth].push(code);
            Ok(None)
        },
    )?;
    if root.name != "CodeBook" {
        return Err(ctx.err(
            &root,
            format!("root element is <{}>, expected <CodeBook>", root.name),
        ));
    }
    check_namespace(&mut ctx, &root, "codebook");
    let codes = if root.child("Codes").is_some() {
        // <CodeBook><Codes><Code>: two elements open around a top-level code.
        levels.get_mut(2).map(std::mem::take).unwrap_or_default()
    } else {
        ctx.note("the codebook has no <Codes>");
        Vec::new()
    };
    if let Some(sets) = root.child("Sets") {
        let n = sets.children_named("Set").count();
        if n == 0 {
            ctx.note("ignored an empty <Sets/>");
        } else {
            ctx.note(format!("{n} code set(s) in the codebook were not imported"));
        }
    }
    Ok((codes, ctx.finish()))
}
