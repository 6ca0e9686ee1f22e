//! A small, safe XML tree built with quick-xml: no DTDs, no custom entities,
//! bounded depth, line numbers on every element for error messages.

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use super::error::RefiError;

const MAX_DEPTH: usize = 512;

#[derive(Debug, Clone, Default)]
pub(super) struct Element {
    /// Local name (prefix dropped).
    pub name: String,
    /// Attributes by local name; `xmlns`/`xmlns:p` kept whole.
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    /// All character data directly inside this element, concatenated.
    pub text: String,
    pub line: usize,
    /// Namespace prefix of the element, if any.
    pub prefix: Option<String>,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The namespace URI bound to this element's prefix (root element use).
    pub fn namespace(&self) -> Option<&str> {
        match &self.prefix {
            None => self.attr("xmlns"),
            Some(p) => self.attr(&format!("xmlns:{p}")),
        }
    }
}

/// Counts lines incrementally as the reader moves forward.
struct Lines<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
}

impl Lines<'_> {
    fn at(&mut self, pos: u64) -> usize {
        let pos = usize::try_from(pos)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        if pos < self.pos {
            self.pos = 0;
            self.line = 1;
        }
        let slice = self.text.as_bytes().get(self.pos..pos).unwrap_or(&[]);
        self.line += slice.iter().filter(|b| **b == b'\n').count();
        self.pos = pos;
        self.line
    }
}

fn xml_err(file: &str, line: usize, message: impl Into<String>) -> RefiError {
    RefiError::Xml {
        file: file.to_string(),
        line,
        message: message.into(),
    }
}

fn split_name(s: &str) -> (Option<String>, String) {
    match s.split_once(':') {
        Some((p, l)) => (Some(p.to_string()), l.to_string()),
        None => (None, s.to_string()),
    }
}

fn make_element(file: &str, line: usize, e: &BytesStart<'_>) -> Result<Element, RefiError> {
    let (prefix, name) = split_name(e.name().as_ref());
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a =
            a.map_err(|err| xml_err(file, line, format!("bad attribute in <{name}>: {err}")))?;
        let key_raw: String = a.key.as_ref().to_string();
        let key = if key_raw == "xmlns" || key_raw.starts_with("xmlns:") {
            key_raw
        } else {
            split_name(a.key.as_ref()).1
        };
        let value = a
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|err| xml_err(file, line, format!("bad value of {key} in <{name}>: {err}")))?;
        attrs.push((key, value.into_owned()));
    }
    Ok(Element {
        name,
        attrs,
        prefix,
        line,
        ..Element::default()
    })
}

fn resolve_entity(name: &str) -> Option<&'static str> {
    Some(match name {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "apos" => "'",
        "quot" => "\"",
        _ => return None,
    })
}

/// Parses `bytes` (UTF-8, optional BOM) into its root element.
pub(super) fn parse(file: &str, bytes: &[u8]) -> Result<Element, RefiError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        xml_err(file, line, "the XML is not valid UTF-8")
    })?;
    let mut lines = Lines {
        text,
        pos: 0,
        line: 1,
    };
    drive(
        file,
        text.as_bytes(),
        |pos| lines.at(pos),
        |_, el| Ok::<_, RefiError>(Some(el)),
    )
}

/// The elements open around a closing one, outermost first (the root is `open[0]`; its
/// children closed so far are in `open[0].children`).
pub(super) type Open<'a> = &'a [Element];

/// Runs the safe XML event loop over `reader`, building elements. Each element, when it
/// closes, goes to `on_close` with the elements still open around it; what it returns is
/// attached to its parent (`None`: consumed, e.g. turned into a compact record, so a large
/// document never lives in memory as a tree). `line_at` maps a byte position to a line.
pub(super) fn drive<R, E>(
    file: &str,
    input: R,
    mut line_at: impl FnMut(u64) -> usize,
    mut on_close: impl FnMut(Open, Element) -> Result<Option<Element>, E>,
) -> Result<Element, E>
where
    R: std::io::BufRead,
    E: From<RefiError>,
{
    let mut reader = Reader::from_reader(input);
    let mut buf = Vec::new();
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let before = reader.buffer_position();
        buf.clear();
        let event = match reader.read_event_into(&mut buf) {
            Ok(ev) => ev,
            Err(e) => {
                let line = line_at(reader.error_position());
                return Err(xml_err(file, line, format!("malformed XML: {e}")).into());
            }
        };
        let line = line_at(before);
        let closed = match event {
            Event::DocType(_) => {
                return Err(RefiError::EntityDeclaration {
                    file: file.to_string(),
                    line,
                }
                .into());
            }
            Event::Start(e) | Event::Empty(e) if root.is_some() && stack.is_empty() => {
                let name = e.name().as_ref().to_string();
                return Err(xml_err(file, line, format!("second root element <{name}>")).into());
            }
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(xml_err(file, line, "XML nested too deeply").into());
                }
                stack.push(make_element(file, line, &e)?);
                None
            }
            Event::Empty(e) => Some(make_element(file, line, &e)?),
            Event::End(_) => match stack.pop() {
                Some(el) => Some(el),
                None => return Err(xml_err(file, line, "unexpected closing tag").into()),
            },
            Event::Text(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&t.xml10_content());
                }
                None
            }
            Event::CData(t) => {
                if let Some(el) = stack.last_mut() {
                    let s = t.into_inner();
                    el.text
                        .push_str(&s.replace("\r\n", "\n").replace('\r', "\n"));
                }
                None
            }
            Event::GeneralRef(r) => {
                let ch = r
                    .resolve_char_ref()
                    .map_err(|e| xml_err(file, line, format!("bad character reference: {e}")))?;
                let name = r.xml10_content();
                let piece = match ch {
                    Some(c) => c.to_string(),
                    None => match resolve_entity(&name) {
                        Some(s) => s.to_string(),
                        None => {
                            return Err(
                                xml_err(file, line, format!("undefined entity &{name};")).into()
                            );
                        }
                    },
                };
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&piece);
                }
                None
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => None,
        };
        if let Some(el) = closed {
            if stack.is_empty() {
                root = Some(el);
            } else if let Some(kept) = on_close(&stack, el)? {
                stack.last_mut().expect("not empty").children.push(kept);
            }
        }
    }
    if let Some(open) = stack.last() {
        let line = line_at(u64::MAX);
        return Err(xml_err(
            file,
            line,
            format!("document ends before <{}> is closed", open.name),
        )
        .into());
    }
    root.ok_or_else(|| xml_err(file, 1, "no root element (empty document?)").into())
}
