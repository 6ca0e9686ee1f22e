//! `project.qde` XML → model, leaving source texts (which live in the
//! archive) and selection positions to `qdpx_read`.

use super::codes_read::read_codes;
use super::error::RefiError;
use super::model::{
    RefiCase, RefiCoding, RefiNote, RefiProject, RefiSelection, RefiSet, RefiSource, RefiUser,
    RefiVariable, RefiVariableValue, VariableType,
};
use super::read_ctx::{Ctx, check_namespace};
use super::values::VALUE_ELEMENTS;
use super::xml_dom::Element;

/// Where a text source's or note's text comes from.
pub(super) struct TextOrigin {
    pub content: Option<String>,
    pub plain_path: Option<String>,
    pub rich_path: Option<String>,
}

/// A selection with its positions as written in the file.
pub(super) struct RawSelection {
    pub sel: RefiSelection,
    pub start: u64,
    pub end: u64,
}

pub(super) struct ParsedSource {
    pub source: RefiSource,
    pub origin: TextOrigin,
    pub raw: Vec<RawSelection>,
    /// Codings of the whole source (not of a selection).
    pub whole: Vec<RefiCoding>,
}

pub(super) struct ParsedNote {
    pub note: RefiNote,
    pub origin: TextOrigin,
}

fn name_or(ctx: &mut Ctx, el: &Element, fallback: &str) -> String {
    match el.attr("name") {
        Some(n) => n.to_string(),
        None => {
            ctx.note(format!(
                "line {}: <{}> has no name; named it '{fallback}'",
                el.line, el.name
            ));
            fallback.to_string()
        }
    }
}

fn refs(ctx: &mut Ctx, el: &Element, child: &str) -> Result<Vec<String>, RefiError> {
    el.children_named(child)
        .map(|r| ctx.guid_attr(r, "targetGUID"))
        .collect()
}

fn ignore(ctx: &mut Ctx, el: &Element, child: &str, what: &str) {
    let n = el.children_named(child).count();
    if n > 0 {
        ctx.note(format!("line {}: {n} {what} not imported", el.line));
    }
}

fn read_values(ctx: &mut Ctx, el: &Element) -> Result<Vec<RefiVariableValue>, RefiError> {
    let mut out = Vec::new();
    for vv in el.children_named("VariableValue") {
        let Some(vref) = vv.child("VariableRef") else {
            ctx.note(format!(
                "line {}: skipped a VariableValue without VariableRef",
                vv.line
            ));
            continue;
        };
        let variable_guid = ctx.guid_attr(vref, "targetGUID")?;
        let Some(val) = vv
            .children
            .iter()
            .find(|c| VALUE_ELEMENTS.contains(&c.name.as_str()))
        else {
            ctx.note(format!(
                "line {}: skipped a VariableValue without a value",
                vv.line
            ));
            continue;
        };
        let value = if val.name == "TextValue" {
            val.text.clone()
        } else {
            val.text.trim().to_string()
        };
        out.push(RefiVariableValue {
            variable_guid,
            value,
        });
    }
    Ok(out)
}

fn read_coding(ctx: &mut Ctx, el: &Element) -> Result<Option<RefiCoding>, RefiError> {
    let guid = ctx.entity_guid(el)?;
    let Some(code_ref) = el.child("CodeRef") else {
        ctx.note(format!(
            "line {}: skipped coding {guid}: it has no CodeRef",
            el.line
        ));
        return Ok(None);
    };
    ignore(ctx, el, "NoteRef", "note reference(s) on a coding");
    Ok(Some(RefiCoding {
        guid,
        code_guid: ctx.guid_attr(code_ref, "targetGUID")?,
        creating_user: ctx.opt_guid_attr(el, "creatingUser"),
        created: ctx.date_attr(el, "creationDateTime"),
    }))
}

fn codings(ctx: &mut Ctx, el: &Element) -> Result<Vec<RefiCoding>, RefiError> {
    let mut out = Vec::new();
    for c in el.children_named("Coding") {
        out.extend(read_coding(ctx, c)?);
    }
    Ok(out)
}

fn position(ctx: &Ctx, el: &Element, attr: &str) -> Result<u64, RefiError> {
    let raw = ctx.req_attr(el, attr)?;
    raw.trim().parse::<u64>().map_err(|_| {
        ctx.err(
            el,
            format!("selection {attr}=\"{raw}\" is not a non-negative integer"),
        )
    })
}

pub(super) fn read_selection(ctx: &mut Ctx, el: &Element) -> Result<RawSelection, RefiError> {
    let sel = RefiSelection {
        guid: ctx.entity_guid(el)?,
        name: el.attr("name").map(str::to_string),
        start: 0,
        end: 0,
        creating_user: ctx.opt_guid_attr(el, "creatingUser"),
        created: ctx.date_attr(el, "creationDateTime"),
        codings: codings(ctx, el)?,
        note_refs: refs(ctx, el, "NoteRef")?,
        description: ctx.child_text(el, "Description"),
    };
    Ok(RawSelection {
        start: position(ctx, el, "startPosition")?,
        end: position(ctx, el, "endPosition")?,
        sel,
    })
}

fn origin(el: &Element) -> TextOrigin {
    TextOrigin {
        content: el.child("PlainTextContent").map(|c| c.text.clone()),
        plain_path: el.attr("plainTextPath").map(str::to_string),
        rich_path: el.attr("richTextPath").map(str::to_string),
    }
}

/// A `<TextSource>` whose selections were already read (as the stream passed them).
pub(super) fn read_source(
    ctx: &mut Ctx,
    el: &Element,
    raw: Vec<RawSelection>,
) -> Result<ParsedSource, RefiError> {
    let guid = ctx.entity_guid(el)?;
    let fallback = el
        .attr("plainTextPath")
        .and_then(|p| p.rsplit(['/', '\\']).next())
        .map(|f| f.trim_end_matches(".txt").to_string())
        .filter(|f| !f.is_empty())
        .unwrap_or_else(|| guid.clone());
    let name = name_or(ctx, el, &fallback);
    let source = RefiSource {
        guid,
        name,
        text: String::new(),
        selections: Vec::new(),
        note_refs: refs(ctx, el, "NoteRef")?,
        variable_values: read_values(ctx, el)?,
        description: ctx.child_text(el, "Description"),
        creating_user: ctx.opt_guid_attr(el, "creatingUser"),
    };
    Ok(ParsedSource {
        source,
        origin: origin(el),
        raw,
        whole: codings(ctx, el)?,
    })
}

fn read_note(ctx: &mut Ctx, el: &Element) -> Result<ParsedNote, RefiError> {
    let guid = ctx.entity_guid(el)?;
    let name = name_or(ctx, el, "Note");
    ignore(ctx, el, "PlainTextSelection", "selection(s) inside a note");
    let note = RefiNote {
        guid,
        name,
        text: String::new(),
        creating_user: ctx.opt_guid_attr(el, "creatingUser"),
        created: ctx.date_attr(el, "creationDateTime"),
    };
    Ok(ParsedNote {
        note,
        origin: origin(el),
    })
}

fn read_case(ctx: &mut Ctx, el: &Element) -> Result<RefiCase, RefiError> {
    let guid = ctx.entity_guid(el)?;
    ignore(ctx, el, "CodeRef", "code reference(s) of a case");
    ignore(ctx, el, "SelectionRef", "selection reference(s) of a case");
    Ok(RefiCase {
        name: name_or(ctx, el, "Case"),
        guid,
        variable_values: read_values(ctx, el)?,
        source_refs: refs(ctx, el, "SourceRef")?,
        description: ctx.child_text(el, "Description"),
    })
}

fn read_variable(ctx: &mut Ctx, el: &Element) -> Result<RefiVariable, RefiError> {
    let guid = ctx.entity_guid(el)?;
    let name = name_or(ctx, el, "Variable");
    let raw_kind = el.attr("typeOfVariable").unwrap_or("");
    let kind = VariableType::parse(raw_kind).unwrap_or_else(|| {
        ctx.note(format!(
            "line {}: variable '{name}': typeOfVariable \"{raw_kind}\" read as Text",
            el.line
        ));
        VariableType::Text
    });
    if el.child("Description").is_some() {
        ctx.note(format!(
            "line {}: variable '{name}': description not imported",
            el.line
        ));
    }
    Ok(RefiVariable { guid, name, kind })
}

fn read_set(ctx: &mut Ctx, el: &Element) -> Result<RefiSet, RefiError> {
    let guid = ctx.entity_guid(el)?;
    let name = name_or(ctx, el, "Set");
    if el.child("Description").is_some() {
        ctx.note(format!(
            "line {}: set '{name}': description not imported",
            el.line
        ));
    }
    ignore(ctx, el, "MemberNote", "note member(s) of a set");
    Ok(RefiSet {
        guid,
        name,
        member_sources: refs(ctx, el, "MemberSource")?,
        member_codes: refs(ctx, el, "MemberCode")?,
    })
}

fn each<T>(
    ctx: &mut Ctx,
    parent: Option<&Element>,
    child: &str,
    mut f: impl FnMut(&mut Ctx, &Element) -> Result<T, RefiError>,
) -> Result<Vec<T>, RefiError> {
    let mut out = Vec::new();
    if let Some(p) = parent {
        for c in p.children_named(child) {
            out.push(f(ctx, c)?);
        }
    }
    Ok(out)
}

/// The head of a project — everything before its sources: name, origin, users, codebook,
/// variables and cases (cases are applied after the sources they refer to).
pub(super) fn parse_head(ctx: &mut Ctx, root: &Element) -> Result<RefiProject, RefiError> {
    if root.name != "Project" {
        return Err(ctx.err(
            root,
            format!("root element is <{}>, expected <Project>", root.name),
        ));
    }
    check_namespace(ctx, root, "project");
    let name = name_or(ctx, root, "Imported project");
    let users = each(ctx, root.child("Users"), "User", |ctx, u| {
        Ok(RefiUser {
            guid: ctx.entity_guid(u)?,
            name: u.attr("name").or(u.attr("id")).unwrap_or("").to_string(),
        })
    })?;
    let codes = read_codes(ctx, root.child("CodeBook").and_then(|cb| cb.child("Codes")))?;
    let variables = each(ctx, root.child("Variables"), "Variable", read_variable)?;
    let cases = each(ctx, root.child("Cases"), "Case", read_case)?;
    Ok(RefiProject {
        name,
        origin: root.attr("origin").map(str::to_string),
        creating_user: ctx.opt_guid_attr(root, "creatingUserGUID"),
        users,
        codes,
        variables,
        cases,
        ..RefiProject::default()
    })
}

/// The tail of a project — everything after its sources: notes (texts still to load), sets,
/// the project's note references and description. `other_sources` counts the non-text
/// sources the stream passed over.
pub(super) fn parse_tail(
    ctx: &mut Ctx,
    root: &Element,
    other_sources: usize,
) -> Result<(RefiProject, Vec<ParsedNote>), RefiError> {
    if other_sources > 0 {
        ctx.note(format!(
            "{other_sources} non-text source(s) (PDF, picture, audio, video) not imported"
        ));
    }
    let notes = each(ctx, root.child("Notes"), "Note", read_note)?;
    for (el, what) in [("Links", "links"), ("Graphs", "graphs")] {
        if root.child(el).is_some() {
            ctx.note(format!("{what} are not imported"));
        }
    }
    let sets_el = root.child("Sets");
    if sets_el.is_some_and(|s| s.children.iter().all(|c| c.name != "Set")) {
        ctx.note("ignored an empty <Sets/>");
    }
    let sets = each(ctx, sets_el, "Set", read_set)?;
    let tail = RefiProject {
        sets,
        project_note_refs: refs(ctx, root, "NoteRef")?,
        description: ctx.child_text(root, "Description"),
        ..RefiProject::default()
    };
    Ok((tail, notes))
}
