//! A tiny indenting XML writer with correct escaping. Text-bearing elements
//! are written inline so their content is never altered by indentation.

/// Characters XML 1.0 cannot carry at all become U+FFFD.
fn legal(c: char) -> char {
    match c {
        '\t' | '\n' | '\r' => c,
        '\u{0}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}' => '\u{FFFD}',
        _ => c,
    }
}

pub(super) fn escape_text(s: &str, out: &mut String) {
    for c in s.chars().map(legal) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            _ => out.push(c),
        }
    }
}

pub(super) fn escape_attr(s: &str, out: &mut String) {
    for c in s.chars().map(legal) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            _ => out.push(c),
        }
    }
}

pub(super) struct XmlOut {
    buf: String,
    open: Vec<&'static str>,
}

pub(super) type Attrs<'a> = &'a [(&'a str, Option<&'a str>)];

impl XmlOut {
    pub fn new() -> XmlOut {
        XmlOut {
            buf: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            open: Vec::new(),
        }
    }

    fn tag(&mut self, name: &str, attrs: Attrs<'_>) {
        for _ in 0..self.open.len() {
            self.buf.push_str("  ");
        }
        self.buf.push('<');
        self.buf.push_str(name);
        for (k, v) in attrs {
            if let Some(v) = v {
                self.buf.push(' ');
                self.buf.push_str(k);
                self.buf.push_str("=\"");
                escape_attr(v, &mut self.buf);
                self.buf.push('"');
            }
        }
    }

    /// `<name attrs>` followed by children.
    pub fn start(&mut self, name: &'static str, attrs: Attrs<'_>) {
        self.tag(name, attrs);
        self.buf.push_str(">\n");
        self.open.push(name);
    }

    /// `<name attrs/>`
    pub fn empty(&mut self, name: &str, attrs: Attrs<'_>) {
        self.tag(name, attrs);
        self.buf.push_str("/>\n");
    }

    /// `<name attrs>` with children if `has_children`, else `<name attrs/>`.
    pub fn start_or_empty(&mut self, name: &'static str, attrs: Attrs<'_>, has_children: bool) {
        if has_children {
            self.start(name, attrs);
        } else {
            self.empty(name, attrs);
        }
    }

    pub fn end(&mut self) {
        if let Some(name) = self.open.pop() {
            for _ in 0..self.open.len() {
                self.buf.push_str("  ");
            }
            self.buf.push_str("</");
            self.buf.push_str(name);
            self.buf.push_str(">\n");
        }
    }

    /// `<name>text</name>` on one line.
    pub fn text_element(&mut self, name: &str, text: &str) {
        self.tag(name, &[]);
        self.buf.push('>');
        escape_text(text, &mut self.buf);
        self.buf.push_str("</");
        self.buf.push_str(name);
        self.buf.push_str(">\n");
    }

    pub fn opt_text_element(&mut self, name: &str, text: Option<&str>) {
        if let Some(t) = text {
            self.text_element(name, t);
        }
    }

    /// `<name targetGUID="..."/>` for each reference.
    pub fn refs(&mut self, name: &str, guids: &[String]) {
        for g in guids {
            self.empty(name, &[("targetGUID", Some(g))]);
        }
    }

    /// Bytes written so far and not yet taken.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }

    /// Moves what is written so far to `w`, so a long document streams through a small buffer
    /// instead of being held whole (a 500,000-coding project is hundreds of MB of XML).
    pub fn drain_to(&mut self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        w.write_all(self.buf.as_bytes())?;
        self.buf.clear();
        Ok(())
    }

    pub fn finish(mut self) -> String {
        while !self.open.is_empty() {
            self.end();
        }
        self.buf
    }
}
