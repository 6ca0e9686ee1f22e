//! Reading `.qdpx` projects (zip: a `.qde` plus `sources/`).

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use super::archive::{Archive, LineTap};
use super::docx::docx_text;
use super::error::RefiError;
use super::limits::Limits;
use super::model::{Adjustments, RefiProject, RefiSelection};
use super::new_guid;
use super::position_detect::PositionMode;
use super::project_read::{
    ParsedSource, RawSelection, TextOrigin, parse_head, parse_tail, read_selection, read_source,
};
use super::read_ctx::Ctx;
use super::refs::drop_dangling;
use super::text_fix::{PositionOpts, canonicalize};
use super::xml_dom::{self, Element};

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

/// What a streamed project is handed to, in file order: the head (users, codebook,
/// variables, cases), then each source as soon as it is read (its text canonical, its
/// selections converted), then the tail (notes with their texts, sets, project note
/// references, description). Only one source is in memory at a time.
pub trait ProjectSink {
    type Error: From<RefiError>;
    fn head(&mut self, head: &RefiProject) -> Result<(), Self::Error>;
    fn source(&mut self, source: super::RefiSource) -> Result<(), Self::Error>;
    fn tail(&mut self, tail: RefiProject) -> Result<(), Self::Error>;
}

/// Collects a streamed project into the in-memory model.
struct Collect(RefiProject);

impl ProjectSink for Collect {
    type Error = RefiError;

    fn head(&mut self, head: &RefiProject) -> Result<(), RefiError> {
        self.0 = head.clone();
        Ok(())
    }

    fn source(&mut self, source: super::RefiSource) -> Result<(), RefiError> {
        self.0.sources.push(source);
        Ok(())
    }

    fn tail(&mut self, tail: RefiProject) -> Result<(), RefiError> {
        self.0.notes = tail.notes;
        self.0.sets = tail.sets;
        self.0.project_note_refs = tail.project_note_refs;
        self.0.description = tail.description;
        Ok(())
    }
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
    let mut sink = Collect(RefiProject::default());
    let mut adj = stream_qdpx(path, limits, mode, &mut sink)?;
    drop_dangling(&mut sink.0, &mut adj.0);
    Ok((sink.0, adj))
}

fn open_archive(path: &Path, limits: &Limits) -> Result<Zip, RefiError> {
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
    Archive::open(&label, BufReader::new(file), limits)
}

/// Reads a `.qdpx` project as a stream into `sink` (see `ProjectSink`): the project XML is
/// decompressed and parsed as it is read, each selection becomes a compact record as soon as
/// it closes, and each source is handed over (and dropped) when it closes, so memory stays
/// bounded by the largest source, not the project. Returns the adjustments made.
pub fn stream_qdpx<S: ProjectSink>(
    path: &Path,
    limits: &Limits,
    mode: PositionMode,
    sink: &mut S,
) -> Result<Adjustments, S::Error> {
    // Two handles on the archive: one streams the project XML, the other reads source
    // texts while that stream is open.
    let mut xml_zip = open_archive(path, limits)?;
    let mut zip = open_archive(path, limits)?;
    let mut early = Vec::new();
    let qde = find_qde(&xml_zip, &mut early)?;
    let qde_name = xml_zip.names()[qde].clone();
    if let Some((dir, _)) = qde_name.rsplit_once('/') {
        zip.set_base(&format!("{dir}/"));
        early.push(format!(
            "the project sits in the folder '{dir}/' of the archive; read it from there"
        ));
    }
    let qde_label = format!("{}: {qde_name}", zip.label());
    let mut ctx = Ctx::new(&qde_label);
    ctx.notes = early;
    let entry = xml_zip.stream(qde)?;
    let failure = entry.failure.clone();
    let (tap, lines) = LineTap::new(entry);
    let input = std::io::BufReader::with_capacity(64 * 1024, tap);

    let mut head: Option<RefiProject> = None;
    let mut selections: Vec<RawSelection> = Vec::new();
    let mut other_sources = 0usize;
    let result = xml_dom::drive(
        &qde_label,
        input,
        |pos| lines.borrow_mut().at(pos),
        |open: xml_dom::Open, el: Element| -> Result<Option<Element>, S::Error> {
            let parent = open.last().map(|p| p.name.as_str());
            let in_sources = open.len() == 2 && parent == Some("Sources");
            match (el.name.as_str(), parent) {
                ("PlainTextSelection", Some("TextSource")) if open.len() == 3 => {
                    selections.push(read_selection(&mut ctx, &el)?);
                    Ok(None)
                }
                ("TextSource", _) if in_sources => {
                    if head.is_none() {
                        let h = parse_head(&mut ctx, &open[0])?;
                        sink.head(&h)?;
                        head = Some(h);
                    }
                    let origin = head.as_ref().and_then(|h| h.origin.clone());
                    let positions = PositionOpts {
                        origin: origin.as_deref(),
                        mode,
                        from_docx: false,
                    };
                    let raw = std::mem::take(&mut selections);
                    let ps = read_source(&mut ctx, &el, raw)?;
                    drop(el);
                    let src = finish_source(&mut zip, ps, &mut ctx, limits, positions)?;
                    sink.source(src)?;
                    Ok(None)
                }
                (_, _) if in_sources => {
                    other_sources += 1;
                    Ok(None)
                }
                _ => Ok(Some(el)),
            }
        },
    );
    let root = match result {
        Ok(root) => root,
        Err(e) => {
            // A check on the stream (size, ratio, damage) is the real reason, not the XML.
            if let Some(f) = failure.borrow_mut().take() {
                return Err(f.into());
            }
            return Err(e);
        }
    };
    if head.is_none() {
        let h = parse_head(&mut ctx, &root)?;
        sink.head(&h)?;
    }
    let (mut tail, parsed_notes) = parse_tail(&mut ctx, &root, other_sources)?;
    drop(root);
    for pn in parsed_notes {
        let mut note = pn.note;
        let what = format!("note '{}'", note.name);
        let (raw, _) = load_text(&mut zip, &pn.origin, &what, &mut ctx, limits)?;
        note.text = canonicalize(&raw, &[], &what, &mut ctx.notes, PositionOpts::default()).0;
        tail.notes.push(note);
    }
    sink.tail(tail)?;
    Ok(ctx.finish())
}
