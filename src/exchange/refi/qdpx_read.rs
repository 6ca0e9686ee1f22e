//! Reading `.qdpx` projects (zip: a `.qde` plus `sources/`).

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use super::archive::Archive;
use super::docx::docx_text;
use super::error::RefiError;
use super::limits::Limits;
use super::model::{Adjustments, RefiProject, RefiSelection};
use super::position_detect::PositionMode;
use super::project_read::{ParsedSource, TextOrigin, parse_project};
use super::read_ctx::Ctx;
use super::refs::drop_dangling;
use super::text_fix::{PositionOpts, canonicalize};
use super::{new_guid, xml_dom};

type Zip = Archive<BufReader<File>>;

/// Picks the project document: `project.qde`, else the only `.qde` (noted).
fn find_qde(zip: &Zip, notes: &mut Vec<String>) -> Result<usize, RefiError> {
    if let Some(i) = zip.names().iter().position(|n| n == "project.qde") {
        return Ok(i);
    }
    let qdes: Vec<usize> = (0..zip.names().len())
        .filter(|&i| zip.names()[i].to_ascii_lowercase().ends_with(".qde"))
        .collect();
    match qdes.as_slice() {
        [i] => {
            notes.push(format!(
                "the project file is named '{}' instead of project.qde; used it",
                zip.names()[*i]
            ));
            Ok(*i)
        }
        [] => Err(RefiError::invalid(
            zip.label(),
            "no project.qde in the archive; is this a REFI-QDA project?",
        )),
        many => {
            let names: Vec<&str> = many.iter().map(|&i| zip.names()[i].as_str()).collect();
            Err(RefiError::invalid(
                zip.label(),
                format!(
                    "several .qde files ({}) and none is named project.qde",
                    names.join(", ")
                ),
            ))
        }
    }
}

enum Located {
    Entry(usize),
    Missing(String),
    External(String),
}

/// Finds the archive entry a `plainTextPath`/`richTextPath` points to.
fn locate(zip: &Zip, path: &str, what: &str, ctx: &mut Ctx) -> Located {
    if let Some(rest) = path.strip_prefix("internal://") {
        let entry = format!("sources/{rest}");
        return zip
            .find(&entry)
            .map_or(Located::Missing(entry), Located::Entry);
    }
    if path.contains("://") {
        return Located::External(path.to_string());
    }
    ctx.note(format!(
        "{what}: path '{path}' has no internal:// scheme; looked for it under sources/"
    ));
    let entry = format!("sources/{path}");
    zip.find(&entry)
        .or_else(|| zip.find(path))
        .map_or(Located::Missing(entry), Located::Entry)
}

fn decode(bytes: Vec<u8>, what: &str, ctx: &mut Ctx) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| {
        ctx.note(format!(
            "{what}: text is not valid UTF-8; invalid bytes replaced by U+FFFD"
        ));
        String::from_utf8_lossy(e.as_bytes()).into_owned()
    })
}

fn is_blank(text: &str) -> bool {
    text.trim_matches(['\n', '\r', '\u{FEFF}']).is_empty()
}

/// The raw text (BOM and CRs still in) of a source or note, and whether it was
/// taken from a `.docx`.
fn load_text(
    zip: &mut Zip,
    o: &TextOrigin,
    what: &str,
    ctx: &mut Ctx,
    limits: &Limits,
) -> Result<(String, bool), RefiError> {
    if let Some(c) = &o.content {
        if o.plain_path.is_some() {
            ctx.note(format!(
                "{what}: has both PlainTextContent and plainTextPath; used PlainTextContent"
            ));
        }
        return Ok((c.clone(), false));
    }
    let mut plain = None;
    let mut problem = None;
    if let Some(p) = &o.plain_path {
        match locate(zip, p, what, ctx) {
            Located::Entry(i) => {
                let bytes = zip.read_text(i)?;
                plain = Some(decode(bytes, what, ctx));
            }
            Located::Missing(e) => problem = Some(format!("{e} is missing from the archive")),
            Located::External(e) => {
                problem = Some(format!(
                    "its text is in an external file ({e}), not in the archive"
                ))
            }
        }
    }
    if plain.as_deref().is_none_or(is_blank)
        && let Some(r) = o
            .rich_path
            .as_deref()
            .filter(|r| r.to_ascii_lowercase().ends_with(".docx"))
        && let Located::Entry(i) = locate(zip, r, what, ctx)
    {
        let bytes = zip.read_text(i)?;
        let label = format!("{}: {}", zip.label(), zip.names()[i]);
        let inner = Limits {
            max_total_uncompressed: limits
                .max_total_uncompressed
                .saturating_sub(zip.read_total()),
            ..limits.clone()
        };
        let text = docx_text(&label, bytes, &inner)?;
        let why = match (&plain, &problem) {
            (Some(_), _) => "its plain text file is empty".to_string(),
            (None, Some(p)) => p.clone(),
            (None, None) => "it has no plain text".to_string(),
        };
        ctx.note(format!(
            "{what}: {why}; used the text of {}",
            zip.names()[i]
        ));
        return Ok((text, true));
    }
    match (plain, problem) {
        (Some(t), _) => Ok((t, false)),
        (None, Some(p)) => Err(RefiError::invalid(zip.label(), format!("{what}: {p}"))),
        (None, None) => {
            ctx.note(format!("{what}: has no text; imported as empty"));
            Ok((String::new(), false))
        }
    }
}

/// Loads a source's text and turns its raw selections into model selections.
fn finish_source(
    zip: &mut Zip,
    ps: ParsedSource,
    ctx: &mut Ctx,
    limits: &Limits,
    positions: PositionOpts,
) -> Result<super::RefiSource, RefiError> {
    let mut src = ps.source;
    let what = format!("source '{}'", src.name);
    let (raw_text, from_docx) = load_text(zip, &ps.origin, &what, ctx, limits)?;
    let spans: Vec<(u64, u64)> = ps.raw.iter().map(|r| (r.start, r.end)).collect();
    let opts = PositionOpts {
        from_docx,
        ..positions
    };
    let (text, conv) = canonicalize(&raw_text, &spans, &what, &mut ctx.notes, opts);
    drop(raw_text);
    let len = text.chars().count();
    for (raw, conv) in ps.raw.into_iter().zip(conv) {
        let mut sel = raw.sel;
        // Past the end under every counting: reported per source by `canonicalize`.
        let Some((mut a, mut b)) = conv else {
            continue;
        };
        if a > b {
            ctx.note(format!(
                "{what}: selection {} had start after end; swapped them",
                sel.guid
            ));
            std::mem::swap(&mut a, &mut b);
        }
        if b > len as u64 {
            continue;
        }
        if a == b {
            ctx.note(format!(
                "{what}: skipped zero-length selection {} at {a}",
                sel.guid
            ));
            continue;
        }
        (sel.start, sel.end) = (a as usize, b as usize);
        src.selections.push(sel);
    }
    if !ps.whole.is_empty() {
        if len > 0 {
            ctx.note(format!(
                "{what}: {} coding(s) of the whole source became a selection of all its text",
                ps.whole.len()
            ));
            src.selections.push(RefiSelection {
                guid: new_guid(),
                start: 0,
                end: len,
                codings: ps.whole,
                ..RefiSelection::default()
            });
        } else {
            ctx.note(format!(
                "{what}: dropped {} coding(s) of an empty source",
                ps.whole.len()
            ));
        }
    }
    src.text = text;
    Ok(src)
}

/// Reads a `.qdpx` project leniently; see `Adjustments` for what was changed.
pub fn read_qdpx(path: &Path, limits: &Limits) -> Result<(RefiProject, Adjustments), RefiError> {
    read_qdpx_with(path, limits, PositionMode::Auto)
}

/// `read_qdpx`, with the counting of selection positions detected per source
/// (`Auto`) or forced.
pub fn read_qdpx_with(
    path: &Path,
    limits: &Limits,
    mode: PositionMode,
) -> Result<(RefiProject, Adjustments), RefiError> {
    let label = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let meta = std::fs::metadata(path).map_err(|e| RefiError::io(&label, e))?;
    if meta.len() > limits.max_archive_bytes {
        return Err(RefiError::Limit {
            file: label,
            what: "archive size".into(),
            actual: meta.len(),
            limit: limits.max_archive_bytes,
        });
    }
    let file = File::open(path).map_err(|e| RefiError::io(&label, e))?;
    let mut zip = Archive::open(&label, BufReader::new(file), limits)?;
    let mut early = Vec::new();
    let qde = find_qde(&zip, &mut early)?;
    let qde_name = zip.names()[qde].clone();
    if let Some((dir, _)) = qde_name.rsplit_once('/') {
        zip.set_base(&format!("{dir}/"));
        early.push(format!(
            "the project sits in the folder '{dir}/' of the archive; read it from there"
        ));
    }
    let qde_label = format!("{label}: {qde_name}");
    let xml = zip.read(qde)?;
    let root = xml_dom::parse(&qde_label, &xml)?;
    drop(xml);
    let mut ctx = Ctx::new(&qde_label);
    ctx.notes = early;
    let parsed = parse_project(&mut ctx, &root)?;
    drop(root);
    let mut project = parsed.project;
    let origin = project.origin.clone();
    let positions = PositionOpts {
        origin: origin.as_deref(),
        mode,
        from_docx: false,
    };
    for ps in parsed.sources {
        project
            .sources
            .push(finish_source(&mut zip, ps, &mut ctx, limits, positions)?);
    }
    for pn in parsed.notes {
        let mut note = pn.note;
        let what = format!("note '{}'", note.name);
        let (raw, _) = load_text(&mut zip, &pn.origin, &what, &mut ctx, limits)?;
        note.text = canonicalize(&raw, &[], &what, &mut ctx.notes, PositionOpts::default()).0;
        project.notes.push(note);
    }
    drop_dangling(&mut project, &mut ctx.notes);
    Ok((project, ctx.finish()))
}
