//! WordprocessingML (`word/document.xml`) → paragraphs with bold-prefix
//! information; two-column Speaker | Text table rows become labelled
//! paragraphs.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::import::label::{match_label, valid_name};

/// One paragraph of the document body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DocPara {
    pub text: String,
    /// Byte length of the leading bold text (0 when it does not start bold).
    pub bold_end: usize,
    /// Speaker taken from the first cell of a two-column table row.
    pub speaker: Option<String>,
    pub ts_ms: Option<i64>,
}

impl DocPara {
    fn plain(text: String) -> Self {
        DocPara {
            text,
            ..DocPara::default()
        }
    }
}

#[derive(Default)]
struct ParaBuilder {
    para: DocPara,
    prefix_open: bool,
}

impl ParaBuilder {
    fn new() -> Self {
        ParaBuilder {
            para: DocPara::default(),
            prefix_open: true,
        }
    }

    fn push(&mut self, s: &str, bold: bool) {
        self.para.text.push_str(s);
        if self.prefix_open {
            if bold {
                self.para.bold_end = self.para.text.len();
            } else if !s.trim().is_empty() {
                self.prefix_open = false;
            }
        }
    }
}

#[derive(Default)]
struct Table {
    rows: usize,
    /// Cells of the open row, each a list of paragraphs.
    row: Option<Vec<Vec<DocPara>>>,
}

#[derive(Default)]
struct State {
    doc: Vec<DocPara>,
    paras: Vec<ParaBuilder>,
    tables: Vec<Table>,
    in_run: bool,
    in_rpr: bool,
    in_t: bool,
    bold: bool,
    notes: Vec<String>,
}

/// Where a finished paragraph goes: the open cell of the innermost of
/// `tables`, else the document.
fn sink<'a>(tables: &'a mut [Table], doc: &'a mut Vec<DocPara>) -> &'a mut Vec<DocPara> {
    match tables
        .last_mut()
        .and_then(|t| t.row.as_mut())
        .and_then(|r| r.last_mut())
    {
        Some(cell) => cell,
        None => doc,
    }
}

impl State {
    fn push_text(&mut self, s: &str) {
        if let Some(p) = self.paras.last_mut() {
            p.push(s, self.bold);
        }
    }

    fn end_para(&mut self) {
        if let Some(p) = self.paras.pop() {
            sink(&mut self.tables, &mut self.doc).push(p.para);
        }
    }

    fn end_row(&mut self) {
        let n = self.tables.len();
        let Some(table) = self.tables.last_mut() else {
            return;
        };
        let Some(cells) = table.row.take() else {
            return;
        };
        table.rows += 1;
        let first_row = table.rows == 1;
        let out = row_paragraphs(cells, first_row, &mut self.notes);
        let (outer, _) = self.tables.split_at_mut(n - 1);
        sink(outer, &mut self.doc).extend(out);
    }
}

fn cell_text(cell: &[DocPara], sep: &str) -> String {
    cell.iter()
        .map(|p| p.text.trim())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(sep)
}

/// A 2-cell row whose first cell is label-like becomes one labelled
/// paragraph; other rows yield their cells' paragraphs in order.
fn row_paragraphs(
    cells: Vec<Vec<DocPara>>,
    first_row: bool,
    notes: &mut Vec<String>,
) -> Vec<DocPara> {
    if let [label_cell, body_cell] = cells.as_slice() {
        let label = cell_text(label_cell, " ");
        let label = label.trim_end_matches(':').trim();
        let body = cell_text(body_cell, "\n");
        if first_row && is_header(label, &body) {
            notes.push("skipped a table header row".to_string());
            return Vec::new();
        }
        if label.is_empty() {
            return vec![DocPara::plain(body)];
        }
        if valid_name(label) {
            return vec![DocPara {
                text: body,
                speaker: Some(label.to_string()),
                ..DocPara::default()
            }];
        }
        let with_colon = format!("{label}:");
        if let Some(m) = match_label(&with_colon)
            && m.name.is_some()
            && m.content >= with_colon.len()
        {
            return vec![DocPara {
                text: body,
                speaker: m.name,
                ts_ms: m.ts_ms,
                bold_end: 0,
            }];
        }
    }
    cells.into_iter().flatten().collect()
}

fn is_header(label: &str, body: &str) -> bool {
    let l = label.to_lowercase();
    let b = body.to_lowercase();
    matches!(l.as_str(), "speaker" | "name" | "participant" | "who")
        && matches!(
            b.as_str(),
            "text" | "transcript" | "speech" | "dialogue" | "content" | "utterance" | "response"
        )
}

fn local(e: &BytesStart) -> String {
    e.local_name().as_ref().to_string()
}

fn is_w(e: &BytesStart, name: &str) -> bool {
    e.name().as_ref() == format!("w:{name}") || (e.name().as_ref() == name)
}

/// `<w:b/>` is on unless `w:val` is 0/false/off.
fn flag_on(e: &BytesStart) -> bool {
    !e.attributes().flatten().any(|a| {
        a.key.local_name().as_ref() == "val" && matches!(a.value.as_ref(), "0" | "false" | "off")
    })
}

/// Parse document.xml into paragraphs (plus notes), or an error message.
pub(crate) fn paragraphs(xml: &str) -> Result<(Vec<DocPara>, Vec<String>), String> {
    let mut reader = Reader::from_str(xml);
    let mut st = State::default();
    loop {
        let ev = reader.read_event().map_err(|e| {
            format!(
                "malformed word/document.xml at byte {}: {e}",
                reader.error_position()
            )
        })?;
        match ev {
            Event::Eof => break,
            Event::DocType(d) if d.contains("ENTITY") => {
                return Err("XML entity declarations are not allowed".to_string());
            }
            Event::Start(e) => {
                let name = local(&e);
                if e.name().as_ref() == "mc:Fallback" {
                    reader
                        .read_to_end(e.name())
                        .map_err(|err| format!("malformed word/document.xml: {err}"))?;
                    continue;
                }
                start(&mut st, &e, &name, false);
            }
            Event::Empty(e) => {
                let name = local(&e);
                start(&mut st, &e, &name, true);
            }
            Event::End(e) => match e.local_name().as_ref() {
                "p" => st.end_para(),
                "r" => {
                    st.in_run = false;
                    st.bold = false;
                }
                "rPr" => st.in_rpr = false,
                "t" => st.in_t = false,
                "tc" => {}
                "tr" => st.end_row(),
                "tbl" => {
                    st.end_row();
                    st.tables.pop();
                }
                _ => {}
            },
            Event::Text(t) if st.in_t => st.push_text(&t.xml10_content()),
            Event::CData(t) if st.in_t => st.push_text(&t.xml10_content()),
            Event::GeneralRef(r) if st.in_t => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    Ok(None) => match r.as_ref() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    },
                    Err(_) => None,
                };
                match resolved {
                    Some(c) => st.push_text(c.encode_utf8(&mut [0; 4])),
                    None => st.push_text(&format!("&{};", r.as_ref())),
                }
            }
            _ => {}
        }
    }
    while !st.paras.is_empty() {
        st.end_para();
    }
    while !st.tables.is_empty() {
        st.end_row();
        st.tables.pop();
    }
    Ok((st.doc, st.notes))
}

fn start(st: &mut State, e: &BytesStart, name: &str, empty: bool) {
    if !is_w(e, name) {
        return;
    }
    match name {
        "p" if !empty => st.paras.push(ParaBuilder::new()),
        "r" if !empty => {
            st.in_run = true;
            st.bold = false;
        }
        "rPr" if st.in_run && !empty => st.in_rpr = true,
        "b" if st.in_rpr => st.bold = flag_on(e),
        "t" if st.in_run && !empty => st.in_t = true,
        "tab" if st.in_run && !st.in_rpr => st.push_text("\t"),
        "br" | "cr" if st.in_run && !st.in_rpr => st.push_text("\n"),
        "noBreakHyphen" if st.in_run => st.push_text("-"),
        "tbl" if !empty => st.tables.push(Table::default()),
        "tr" if !empty => {
            st.end_row();
            if let Some(t) = st.tables.last_mut() {
                t.row = Some(Vec::new());
            }
        }
        "tc" => {
            if let Some(row) = st.tables.last_mut().and_then(|t| t.row.as_mut()) {
                row.push(Vec::new());
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(body: &str) -> String {
        format!(
            "<?xml version=\"1.0\"?><w:document xmlns:w=\"x\"><w:body>{body}</w:body></w:document>"
        )
    }

    #[test]
    fn runs_tabs_breaks_and_bold_prefix() {
        let xml = doc(
            "<w:p><w:pPr><w:tabs><w:tab w:val=\"left\"/></w:tabs><w:rPr><w:b/></w:rPr></w:pPr>\
             <w:r><w:rPr><w:b/></w:rPr><w:t>MODERATOR:</w:t></w:r>\
             <w:r><w:t xml:space=\"preserve\"> Hi &amp; wel</w:t></w:r><w:r><w:t>come</w:t><w:tab/><w:t>x</w:t><w:br/><w:t>y&#233;</w:t></w:r></w:p>\
             <w:p><w:r><w:rPr><w:b w:val=\"0\"/></w:rPr><w:t>Plain</w:t></w:r></w:p><w:p/>",
        );
        let (paras, _) = paragraphs(&xml).unwrap();
        assert_eq!(paras.len(), 2);
        assert_eq!(paras[0].text, "MODERATOR: Hi & welcome\tx\nyé");
        assert_eq!(paras[0].bold_end, "MODERATOR:".len());
        assert_eq!(paras[1].bold_end, 0);
    }

    #[test]
    fn tables() {
        let row = |a: &str, b: &str| {
            format!(
                "<w:tr><w:tc><w:p><w:r><w:t>{a}</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>{b}</w:t></w:r></w:p></w:tc></w:tr>"
            )
        };
        let xml = doc(&format!(
            "<w:tbl>{}{}{}{}</w:tbl><w:tbl><w:tr><w:tc><w:p><w:r><w:t>a</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>b</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>c</w:t></w:r></w:p></w:tc></w:tr></w:tbl>",
            row("Speaker", "Text"),
            row("Ann:", "Hello"),
            row("", "more"),
            row("Bob (00:01:02)", "Hi")
        ));
        let (paras, notes) = paragraphs(&xml).unwrap();
        let got: Vec<(Option<&str>, &str, Option<i64>)> = paras
            .iter()
            .map(|p| (p.speaker.as_deref(), p.text.as_str(), p.ts_ms))
            .collect();
        assert_eq!(
            got,
            vec![
                (Some("Ann"), "Hello", None),
                (None, "more", None),
                (Some("Bob"), "Hi", Some(62_000)),
                (None, "a", None),
                (None, "b", None),
                (None, "c", None),
            ]
        );
        assert_eq!(notes, vec!["skipped a table header row".to_string()]);
    }

    #[test]
    fn rejects_entities_and_garbage() {
        let xml = "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x \"boom\">]><w:document/>";
        assert_eq!(
            paragraphs(xml).unwrap_err(),
            "XML entity declarations are not allowed"
        );
        assert!(paragraphs("<w:p><w:r></w:p>").is_err());
        let (p, _) = paragraphs("<w:p><w:r><w:t>&custom;</w:t></w:r>").unwrap();
        assert_eq!(p[0].text, "&custom;");
    }

    #[test]
    fn fallback_is_skipped() {
        let xml = doc(
            "<w:p><w:r><w:t>A</w:t></w:r><mc:AlternateContent><mc:Choice><w:r><w:t>B</w:t></w:r></mc:Choice><mc:Fallback><w:r><w:t>B</w:t></w:r></mc:Fallback></mc:AlternateContent></w:p>",
        );
        let (p, _) = paragraphs(&xml).unwrap();
        assert_eq!(p[0].text, "AB");
    }
}
