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
    /// Identifiers that are not GUIDs (`guid="c001"`, written by some tools), each standing
    /// for one GUID made for this import; `salt` keeps two files' `c001` apart.
    stand_ins: HashSet<String>,
    stand_in_example: Option<String>,
    salt: String,
}

impl Ctx {
    pub fn new(file: &str) -> Ctx {
        Ctx {
            file: file.to_string(),
            notes: Vec::new(),
            braced: 0,
            recased: 0,
            seen: HashSet::new(),
            stand_ins: HashSet::new(),
            stand_in_example: None,
            salt: new_guid(),
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

    /// A GUID as written (braces and case fixed, counted), or, for an identifier that is not
    /// a GUID, the GUID standing in for it in this import: the same for the entity and every
    /// reference to it, wherever they come in the file.
    fn normalize(&mut self, raw: &str) -> Option<String> {
        if let Some((g, fix)) = normalize_guid(raw) {
            self.braced += usize::from(fix.braces);
            self.recased += usize::from(fix.case);
            return Some(g);
        }
        let id = raw.trim();
        if id.is_empty() {
            return None;
        }
        if self.stand_ins.insert(id.to_string()) {
            self.stand_in_example.get_or_insert_with(|| id.to_string());
        }
        Some(stand_in_guid(&self.salt, id))
    }

    /// A required GUID-valued attribute (a reference); errors if missing or empty.
    pub fn guid_attr(&mut self, el: &Element, name: &str) -> Result<String, RefiError> {
        let raw = self.req_attr(el, name)?;
        self.normalize(raw)
            .ok_or_else(|| self.err(el, format!("<{}> {name}=\"{raw}\" is not a GUID", el.name)))
    }

    /// An optional GUID reference; an empty one is ignored.
    pub fn opt_guid_attr(&mut self, el: &Element, name: &str) -> Option<String> {
        let raw = el.attr(name)?;
        if raw.trim().is_empty() {
            return None;
        }
        self.normalize(raw)
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
        if let Some(ex) = &self.stand_in_example {
            self.notes.push(format!(
                "{} identifier(s) were not GUIDs (e.g. guid=\"{}\"); gave each a new GUID and resolved every reference to it",
                self.stand_ins.len(),
                ex.escape_debug()
            ));
        }
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

/// The GUID standing in for a non-GUID identifier: SHA-256 of the import's salt and the
/// identifier, shaped as a version-5-like UUID, upper case.
fn stand_in_guid(salt: &str, id: &str) -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(format!("{salt}\u{0}{id}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    uuid::Uuid::from_bytes(b)
        .hyphenated()
        .to_string()
        .to_ascii_uppercase()
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
