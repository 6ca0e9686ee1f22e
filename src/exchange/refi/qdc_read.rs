//! Reading `.qdc` codebooks.

use super::codes_read::read_codes;
use super::error::RefiError;
use super::model::{Adjustments, RefiCode};
use super::read_ctx::{Ctx, check_namespace};
use super::xml_dom;

/// Reads a REFI-QDA codebook. `file_name` is only used in messages.
pub fn read_qdc(file_name: &str, bytes: &[u8]) -> Result<(Vec<RefiCode>, Adjustments), RefiError> {
    let root = xml_dom::parse(file_name, bytes)?;
    let mut ctx = Ctx::new(file_name);
    if root.name != "CodeBook" {
        return Err(ctx.err(
            &root,
            format!("root element is <{}>, expected <CodeBook>", root.name),
        ));
    }
    check_namespace(&mut ctx, &root, "codebook");
    let codes_el = root.child("Codes");
    if codes_el.is_none() {
        ctx.note("the codebook has no <Codes>");
    }
    let codes = read_codes(&mut ctx, codes_el)?;
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
