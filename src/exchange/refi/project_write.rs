//! Writing `project.qde` (schema `urn:QDA-XML:project:1.0`), elements in
//! `xsd:sequence` order. Source texts are referenced as
//! `internal://GUID.txt`; notes carry their text in `PlainTextContent`.

use std::collections::HashMap;

use super::model::{
    RefiCase, RefiCoding, RefiNote, RefiProject, RefiSelection, RefiSource, RefiVariableValue,
    VariableType,
};
use super::qdc_write::write_codes;
use super::values::{fits, normalize_datetime, value_element};
use super::xml_out::XmlOut;

pub(super) type Kinds<'a> = HashMap<&'a str, VariableType>;

/// Path of a source's text inside the archive, and its `plainTextPath`.
pub(super) fn source_entry(guid: &str) -> (String, String) {
    (
        format!("sources/{guid}.txt"),
        format!("internal://{guid}.txt"),
    )
}

fn write_values(out: &mut XmlOut, values: &[RefiVariableValue], kinds: &Kinds<'_>) {
    for v in values {
        let kind = kinds
            .get(v.variable_guid.as_str())
            .copied()
            .unwrap_or_default();
        let kind = if fits(kind, &v.value) {
            kind
        } else {
            VariableType::Text
        };
        out.start("VariableValue", &[]);
        out.empty("VariableRef", &[("targetGUID", Some(&v.variable_guid))]);
        out.text_element(value_element(kind), &v.value);
        out.end();
    }
}

fn write_coding(out: &mut XmlOut, c: &RefiCoding) {
    let created = c.created.as_deref().and_then(normalize_datetime);
    out.start(
        "Coding",
        &[
            ("guid", Some(&c.guid)),
            ("creatingUser", c.creating_user.as_deref()),
            ("creationDateTime", created.as_deref()),
        ],
    );
    out.empty("CodeRef", &[("targetGUID", Some(&c.code_guid))]);
    out.end();
}

/// Converts a selection's code-point offset into the counting the file is written in.
pub(super) type Positions<'a> = &'a dyn Fn(usize) -> usize;

fn write_selection(out: &mut XmlOut, s: &RefiSelection, pos: Positions<'_>) {
    let (start, end) = (pos(s.start).to_string(), pos(s.end).to_string());
    let created = s.created.as_deref().and_then(normalize_datetime);
    let has_children = s.description.is_some() || !s.codings.is_empty() || !s.note_refs.is_empty();
    out.start_or_empty(
        "PlainTextSelection",
        &[
            ("guid", Some(&s.guid)),
            ("name", s.name.as_deref()),
            ("startPosition", Some(&start)),
            ("endPosition", Some(&end)),
            ("creatingUser", s.creating_user.as_deref()),
            ("creationDateTime", created.as_deref()),
        ],
        has_children,
    );
    if has_children {
        out.opt_text_element("Description", s.description.as_deref());
        for c in &s.codings {
            write_coding(out, c);
        }
        out.refs("NoteRef", &s.note_refs);
        out.end();
    }
}

pub(super) fn write_source(
    out: &mut XmlOut,
    s: &RefiSource,
    kinds: &Kinds<'_>,
    pos: Positions<'_>,
) {
    let (_, path) = source_entry(&s.guid);
    let has_children = s.description.is_some()
        || !s.selections.is_empty()
        || !s.note_refs.is_empty()
        || !s.variable_values.is_empty();
    out.start_or_empty(
        "TextSource",
        &[
            ("guid", Some(&s.guid)),
            ("name", Some(&s.name)),
            ("plainTextPath", Some(&path)),
            ("creatingUser", s.creating_user.as_deref()),
        ],
        has_children,
    );
    if has_children {
        out.opt_text_element("Description", s.description.as_deref());
        for sel in &s.selections {
            write_selection(out, sel, pos);
        }
        out.refs("NoteRef", &s.note_refs);
        write_values(out, &s.variable_values, kinds);
        out.end();
    }
}

fn write_note(out: &mut XmlOut, n: &RefiNote) {
    let created = n.created.as_deref().and_then(normalize_datetime);
    out.start(
        "Note",
        &[
            ("guid", Some(&n.guid)),
            ("name", Some(&n.name)),
            ("creatingUser", n.creating_user.as_deref()),
            ("creationDateTime", created.as_deref()),
        ],
    );
    out.text_element("PlainTextContent", &n.text);
    out.end();
}

fn write_case(out: &mut XmlOut, c: &RefiCase, kinds: &Kinds<'_>) {
    let has_children =
        c.description.is_some() || !c.variable_values.is_empty() || !c.source_refs.is_empty();
    out.start_or_empty(
        "Case",
        &[("guid", Some(&c.guid)), ("name", Some(&c.name))],
        has_children,
    );
    if has_children {
        out.opt_text_element("Description", c.description.as_deref());
        write_values(out, &c.variable_values, kinds);
        out.refs("SourceRef", &c.source_refs);
        out.end();
    }
}

/// Writes `items` inside a `<wrapper>` element, omitted when empty (the
/// schema requires at least one child in every such list).
fn list<T>(
    out: &mut XmlOut,
    wrapper: &'static str,
    items: &[T],
    mut each: impl FnMut(&mut XmlOut, &T),
) {
    if items.is_empty() {
        return;
    }
    out.start(wrapper, &[]);
    for it in items {
        each(out, it);
    }
    out.end();
}

/// The variable kinds by GUID, for typed values.
pub(super) fn kinds(project: &RefiProject) -> Kinds<'_> {
    project
        .variables
        .iter()
        .map(|v| (v.guid.as_str(), v.kind))
        .collect()
}

/// Everything before the first source: the root element, users, codebook, variables, cases,
/// and the opening `<Sources>` when there are sources (`project.sources` is not read, so a
/// streaming writer can pass a project without them).
pub(super) fn write_head(out: &mut XmlOut, project: &RefiProject, has_sources: bool) {
    let kinds = kinds(project);
    out.start(
        "Project",
        &[
            ("xmlns", Some("urn:QDA-XML:project:1.0")),
            ("name", Some(&project.name)),
            ("origin", project.origin.as_deref()),
            ("creatingUserGUID", project.creating_user.as_deref()),
        ],
    );
    list(out, "Users", &project.users, |o, u| {
        o.empty("User", &[("guid", Some(&u.guid)), ("name", Some(&u.name))]);
    });
    if !project.codes.is_empty() {
        out.start("CodeBook", &[]);
        write_codes(out, &project.codes);
        out.end();
    }
    list(out, "Variables", &project.variables, |o, v| {
        o.empty(
            "Variable",
            &[
                ("guid", Some(&v.guid)),
                ("name", Some(&v.name)),
                ("typeOfVariable", Some(v.kind.as_str())),
            ],
        );
    });
    list(out, "Cases", &project.cases, |o, c| {
        write_case(o, c, &kinds)
    });
    if has_sources {
        out.start("Sources", &[]);
    }
}

/// Everything after the last source: closes `<Sources>`, then notes, sets, the description
/// and the project's note references, and the root.
pub(super) fn write_tail(out: &mut XmlOut, project: &RefiProject, has_sources: bool) {
    if has_sources {
        out.end();
    }
    list(out, "Notes", &project.notes, write_note);
    list(out, "Sets", &project.sets, |o, s| {
        let has = !s.member_codes.is_empty() || !s.member_sources.is_empty();
        o.start_or_empty(
            "Set",
            &[("guid", Some(&s.guid)), ("name", Some(&s.name))],
            has,
        );
        if has {
            o.refs("MemberCode", &s.member_codes);
            o.refs("MemberSource", &s.member_sources);
            o.end();
        }
    });
    out.opt_text_element("Description", project.description.as_deref());
    out.refs("NoteRef", &project.project_note_refs);
    out.end();
}

/// The `project.qde` document for `project`, positions as stored (code points, the standard).
pub fn write_project_xml(project: &RefiProject) -> String {
    let kinds = kinds(project);
    let has_sources = !project.sources.is_empty();
    let mut out = XmlOut::new();
    write_head(&mut out, project, has_sources);
    for s in &project.sources {
        write_source(&mut out, s, &kinds, &|p| p);
    }
    write_tail(&mut out, project, has_sources);
    out.finish()
}
