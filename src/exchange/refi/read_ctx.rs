//! Shared state of one lenient import: file name for errors, adjustments,
//! GUID normalisation and uniqueness.

use std::collections::HashSet;

use super::error::RefiError;
use super::guid::{new_guid, normalize_guid};
use super::model::Adjustments;
use super::values::normalize_datetime;
use super::xml_dom::Element;

pub(super) struct Ctx {
    pub file: String,
    pub notes: Vec<String>,
    braced: usize,
    recased: usize,
    seen: HashSet<String>,
}

impl Ctx {
    pub fn new(file: &str) -> Ctx {
        Ctx {
            file: file.to_string(),
            notes: Vec::new(),
            braced: 0,
            recased: 0,
            seen: HashSet::new(),
        }
    }

    pub fn note(&mut self, msg: impl Into<String>) {
        self.notes.push(msg.into());
    }

    pub fn err(&self, el: &Element, msg: impl Into<String>) -> RefiError {
        RefiError::Xml {
            file: self.file.clone(),
            line: el.line,
            message: msg.into(),
        }
    }

    pub fn req_attr<'a>(&self, el: &'a Element, name: &str) -> Result<&'a str, RefiError> {
        el.attr(name)
            .ok_or_else(|| self.err(el, format!("<{}> lacks the {name} attribute", el.name)))
    }

    fn normalize(&mut self, raw: &str) -> Option<String> {
        let (g, fix) = normalize_guid(raw)?;
        self.braced += usize::from(fix.braces);
        self.recased += usize::from(fix.case);
        Some(g)
    }

    /// A required GUID-valued attribute (a reference); errors if missing or malformed.
    pub fn guid_attr(&mut self, el: &Element, name: &str) -> Result<String, RefiError> {
        let raw = self.req_attr(el, name)?;
        self.normalize(raw)
            .ok_or_else(|| self.err(el, format!("<{}> {name}=\"{raw}\" is not a GUID", el.name)))
    }

    /// An optional GUID reference; a malformed one is dropped with a note.
    pub fn opt_guid_attr(&mut self, el: &Element, name: &str) -> Option<String> {
        let raw = el.attr(name)?;
        if raw.trim().is_empty() {
            return None;
        }
        let g = self.normalize(raw);
        if g.is_none() {
            self.note(format!(
                "line {}: ignored {name}=\"{raw}\" on <{}>: not a GUID",
                el.line, el.name
            ));
        }
        g
    }

    /// The `guid` of an entity; a duplicate gets a fresh GUID (noted).
    pub fn entity_guid(&mut self, el: &Element) -> Result<String, RefiError> {
        let g = self.guid_attr(el, "guid")?;
        if self.seen.insert(g.clone()) {
            return Ok(g);
        }
        let fresh = new_guid();
        self.seen.insert(fresh.clone());
        self.note(format!(
            "line {}: <{}> reuses GUID {g}; gave it the new GUID {fresh}",
            el.line, el.name
        ));
        Ok(fresh)
    }

    /// An optional `xs:dateTime` attribute; malformed values are dropped (noted).
    pub fn date_attr(&mut self, el: &Element, name: &str) -> Option<String> {
        let raw = el.attr(name)?;
        let fixed = normalize_datetime(raw);
        match &fixed {
            None => self.note(format!(
                "line {}: ignored {name}=\"{raw}\" on <{}>: not an xs:dateTime",
                el.line, el.name
            )),
            Some(f) if f != raw => self.note(format!(
                "line {}: {name}=\"{raw}\" on <{}> read as {f}",
                el.line, el.name
            )),
            Some(_) => {}
        }
        fixed
    }

    /// Text of an optional child element such as `Description`.
    pub fn child_text(&self, el: &Element, name: &str) -> Option<String> {
        el.child(name).map(|c| c.text.clone())
    }

    pub fn finish(mut self) -> Adjustments {
        if self.braced > 0 {
            self.notes
                .push(format!("stripped braces {{}} from {} GUID(s)", self.braced));
        }
        if self.recased > 0 {
            self.notes
                .push(format!("upper-cased {} lower-case GUID(s)", self.recased));
        }
        Adjustments(self.notes)
    }
}

/// Whether a namespace URI is the current REFI one, or a known older variant.
/// `kind` is `codebook` or `project`.
pub(super) fn check_namespace(ctx: &mut Ctx, root: &Element, kind: &str) {
    let current = format!("urn:QDA-XML:{kind}:1.0");
    match root.namespace() {
        Some(ns) if ns == current => {}
        Some(ns)
            if ns == format!("urn:QDA-XML:{kind}:0:4")
                || ns == format!("urn:QDA-XML:{kind}:1:0") =>
        {
            ctx.note(format!("read namespace {ns} as {current}"));
        }
        Some(ns) => ctx.note(format!("unknown namespace {ns}; read as {current}")),
        None => ctx.note(format!("no XML namespace; read as {current}")),
    }
}
