//! Retrieval in context: every excerpt of a code (and its subcodes) with its speaker, turn and
//! a line of context before and after; filtered by coder, speaker, document or any document or
//! participant attribute (`coder:sam age:40` — words without a colon match the excerpt's
//! text); the shown excerpts exported to a Markdown file or copied with OSC 52.
//!
//! Each document's text is read once per retrieval (a char vector), so building is linear in
//! the excerpts' documents; nothing is sliced from a document's start per excerpt.

use super::app::App;
use crate::Result;
use crate::coding::Excerpt;
use std::collections::HashMap;

/// Characters of context shown before and after an excerpt (one line's worth).
const CONTEXT: usize = 160;

/// One excerpt as retrieval shows it.
pub struct Shown {
    pub x: Excerpt,
    /// The excerpt's text (chars, for wrapping).
    pub text: Vec<char>,
    /// 1-based number of the turn the excerpt starts in.
    pub turn: usize,
    /// Context before: the speaker when it is the previous turn's, and its last words.
    pub before: (Option<String>, String),
    /// Context after: the speaker when it is the next turn's, and its first words.
    pub after: (Option<String>, String),
    pub colour: String,
    /// Lower-case attribute name → value: the document's and the speaker's participant's.
    pub attributes: Vec<(String, String)>,
}

pub struct Retrieval {
    pub code_id: i64,
    pub title: String,
    pub all: Vec<Shown>,
    /// Indices into `all` that pass the filter.
    pub shown: Vec<usize>,
    pub filter: String,
    /// Index into `shown`.
    pub sel: usize,
    /// Codings by other coders left out in blind mode.
    pub hidden_others: usize,
}

impl Retrieval {
    pub fn selected(&self) -> Option<&Shown> {
        self.shown.get(self.sel).map(|&i| &self.all[i])
    }

    /// Applies `filter`; problems (an unknown attribute) are returned for the status bar.
    pub fn apply_filter(&mut self, filter: &str) -> Option<String> {
        let keep = self.selected().map(|s| s.x.coding_id);
        self.filter = filter.trim().to_string();
        let mut known: Vec<String> = ["coder", "speaker", "document"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for s in &self.all {
            for (k, _) in &s.attributes {
                if !known.contains(k) {
                    known.push(k.clone());
                }
            }
        }
        let mut problem = None;
        let mut terms: Vec<(Option<String>, String)> = Vec::new();
        // `key:=value` matches the whole value (a matrix cell's group); `key:value` a part.
        let mut exact: Vec<(String, String)> = Vec::new();
        for tok in self.filter.split_whitespace() {
            if let Some((k, v)) = tok.split_once(":=") {
                let k = k.to_lowercase();
                if !known.contains(&k) {
                    problem = Some(format!(
                        "no attribute '{k}' here; filter by {}",
                        known.join(", ")
                    ));
                }
                exact.push((k, v.replace('_', " ").to_lowercase()));
                continue;
            }
            match tok.split_once(':') {
                Some((k, v)) => {
                    let k = k.to_lowercase();
                    if !known.contains(&k) {
                        problem = Some(format!(
                            "no attribute '{k}' here; filter by {}",
                            known.join(", ")
                        ));
                    }
                    terms.push((Some(k), v.to_lowercase()));
                }
                None => terms.push((None, tok.to_lowercase())),
            }
        }
        self.shown = (0..self.all.len())
            .filter(|&i| {
                let s = &self.all[i];
                exact.iter().all(|(k, v)| {
                    s.attributes
                        .iter()
                        .any(|(a, val)| a == k && val.to_lowercase() == *v)
                }) && terms.iter().all(|(k, v)| match k.as_deref() {
                    None => s.x.text.to_lowercase().contains(v.as_str()),
                    Some("coder") => s.x.coder.to_lowercase().contains(v.as_str()),
                    Some("speaker") => {
                        s.x.speaker
                            .as_deref()
                            .is_some_and(|p| p.to_lowercase().contains(v.as_str()))
                    }
                    Some("document") => s.x.document.to_lowercase().contains(v.as_str()),
                    Some(k) => s
                        .attributes
                        .iter()
                        .any(|(a, val)| a == k && val.to_lowercase().contains(v.as_str())),
                })
            })
            .collect();
        self.sel = keep
            .and_then(|id| {
                self.shown
                    .iter()
                    .position(|&i| self.all[i].x.coding_id == id)
            })
            .unwrap_or(0);
        problem
    }

    /// The shown excerpts as Markdown (for a file or the clipboard).
    pub fn markdown(&self, study: &str, coder: &str) -> String {
        let mut out = format!(
            "# Excerpts: {}\n\n{} of {} excerpt(s){} · study {study} · exported by {coder}\n",
            self.title,
            self.shown.len(),
            self.all.len(),
            if self.filter.is_empty() {
                String::new()
            } else {
                format!(" · filter: {}", self.filter)
            }
        );
        if self.hidden_others > 0 {
            out.push_str(&format!(
                "(blind coding: {} coding(s) by other coders not included)\n",
                self.hidden_others
            ));
        }
        for (n, &i) in self.shown.iter().enumerate() {
            let s = &self.all[i];
            out.push_str(&format!(
                "\n## {}. {} · {} (turn {}) · {} · coded by {}\n\n",
                n + 1,
                s.x.document,
                s.x.speaker.as_deref().unwrap_or("no speaker"),
                s.turn,
                s.x.code,
                s.x.coder
            ));
            for line in s.x.text.lines() {
                out.push_str(&format!("> {line}\n"));
            }
        }
        crate::text::sanitize(&out, true)
    }
}

/// Text of `chars[a..b]` on one line: newlines as spaces, trimmed.
fn one_line(chars: &[char], a: usize, b: usize) -> String {
    let s: String = chars[a.min(b)..b]
        .iter()
        .map(|&c| if c == '\n' { ' ' } else { c })
        .collect();
    crate::text::sanitize(s.trim(), false)
}

impl App {
    pub fn open_retrieval(&mut self, code_id: i64) -> Result<()> {
        let filter = self
            .retrieval
            .as_ref()
            .filter(|r| r.code_id == code_id)
            .map(|r| r.filter.clone())
            .unwrap_or_default();
        let ids = crate::codebook::subtree_ids(&self.codes, code_id);
        let paths: HashMap<i64, String> =
            self.codes.iter().map(|c| (c.id, c.path.clone())).collect();
        let colours: HashMap<&str, &str> = self
            .codes
            .iter()
            .map(|c| (c.path.as_str(), c.colour.as_str()))
            .collect();
        let conn = self.store.study.conn();
        let mine = (!self.show_others).then_some(self.coder.id);
        let excerpts = crate::coding::excerpts(conn, &ids, mine, &paths)?;
        let hidden_others = if mine.is_some() {
            crate::coding::excerpts(conn, &ids, None, &paths)?
                .len()
                .saturating_sub(excerpts.len())
        } else {
            0
        };
        let docs: HashMap<i64, &crate::study::documents::DocumentSummary> =
            self.docs.iter().map(|d| (d.id, d)).collect();
        // Speakers by (document, label): one lookup per excerpt, no scan.
        let speakers: HashMap<(i64, &str), &crate::study::participants::Speaker> = self
            .speakers
            .iter()
            .flat_map(|(d, v)| v.iter().map(move |s| ((*d, s.label.as_str()), s)))
            .collect();
        let mut all = Vec::with_capacity(excerpts.len());
        // Excerpts come in document order: each document's text and turns are read once.
        let mut cur: Option<(i64, Vec<char>, Vec<crate::study::documents::Turn>)> = None;
        for x in excerpts {
            if cur.as_ref().map(|c| c.0) != Some(x.document_id) {
                let text = crate::study::documents::text(conn, x.document_id)?
                    .chars()
                    .collect();
                let turns = crate::study::documents::turns(conn, x.document_id)?;
                cur = Some((x.document_id, text, turns));
            }
            let (_, chars, turns) = cur.as_ref().expect("just set");
            let (s, e) = (
                (x.start as usize).min(chars.len()),
                (x.end as usize).min(chars.len()),
            );
            let t = turns
                .partition_point(|t| t.start as usize <= s)
                .saturating_sub(1);
            let (ts, te) = turns
                .get(t)
                .map_or((0, chars.len()), |t| (t.start as usize, t.end as usize));
            let who = |t: &crate::study::documents::Turn| {
                Some(crate::text::sanitize(
                    t.speaker.as_deref().unwrap_or("—"),
                    false,
                ))
            };
            let before = if s > ts {
                let a = ts.max(s.saturating_sub(CONTEXT));
                (None, one_line(chars, a, s))
            } else if t > 0 {
                let p = &turns[t - 1];
                let (ps, pe) = (p.start as usize, p.end as usize);
                (
                    who(p),
                    one_line(chars, ps.max(pe.saturating_sub(CONTEXT)), pe),
                )
            } else {
                (None, String::new())
            };
            // The excerpt may run past its first turn: context after follows its end.
            let te = turns
                .get(
                    turns
                        .partition_point(|t| (t.start as usize) < e)
                        .saturating_sub(1),
                )
                .map_or(te, |t| (t.end as usize).max(e));
            let after = if e < te {
                let b = te.min(e + CONTEXT);
                (
                    None,
                    format!("{}{}", one_line(chars, e, b), if b < te { "…" } else { "" }),
                )
            } else if let Some(n) = turns.iter().skip(t + 1).find(|n| n.start as usize >= e) {
                let (ns, ne) = (n.start as usize, n.end as usize);
                let b = ne.min(ns + CONTEXT);
                (
                    who(n),
                    format!(
                        "{}{}",
                        one_line(chars, ns, b),
                        if b < ne { "…" } else { "" }
                    ),
                )
            } else {
                (None, String::new())
            };
            let mut attributes: Vec<(String, String)> = Vec::new();
            if let Some(d) = docs.get(&x.document_id) {
                for (k, v) in &d.attributes {
                    attributes.push((k.to_lowercase(), v.clone()));
                }
            }
            if let Some(sp) = x
                .speaker
                .as_deref()
                .and_then(|label| speakers.get(&(x.document_id, label)))
            {
                for (k, v) in &sp.attributes {
                    attributes.push((k.to_lowercase(), v.clone()));
                }
            }
            let text: Vec<char> = crate::text::sanitize(&x.text, true).chars().collect();
            all.push(Shown {
                colour: colours.get(x.code.as_str()).unwrap_or(&"").to_string(),
                turn: t + 1,
                text,
                before,
                after,
                attributes,
                x,
            });
        }
        let title = self
            .code(code_id)
            .map(|c| crate::text::sanitize(&c.path, false))
            .unwrap_or_default();
        let mut r = Retrieval {
            code_id,
            title,
            shown: (0..all.len()).collect(),
            all,
            filter: String::new(),
            sel: 0,
            hidden_others,
        };
        if !filter.is_empty() {
            r.apply_filter(&filter);
        }
        self.retrieval = Some(r);
        Ok(())
    }

    /// Writes the shown excerpts to `path` (Markdown, a new file, mode 0600).
    pub fn export_excerpts(&mut self, path: &str) {
        let Some(r) = &self.retrieval else { return };
        let text = r.markdown(&self.study_name, &self.coder.name);
        let n = r.shown.len();
        let path = std::path::Path::new(path.trim());
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let result = options
            .open(path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()));
        let shown = crate::text::sanitize(&path.display().to_string(), false);
        match result {
            Ok(()) => self.set_message(format!("wrote {n} excerpt(s) to {shown}")),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => self.set_message(format!(
                "error: {shown} exists; give another file name (nothing was written)"
            )),
            Err(e) => self.set_message(format!("error: cannot write {shown}: {e}")),
        }
    }

    /// Puts the shown excerpts on the clipboard with OSC 52 (written by the run loop).
    pub fn copy_excerpts(&mut self) {
        let Some(r) = &self.retrieval else { return };
        let text = r.markdown(&self.study_name, &self.coder.name);
        let n = r.shown.len();
        self.set_message(format!(
            "copied {n} excerpt(s) to the clipboard with OSC 52 (if the terminal allows it; in tmux: set -g set-clipboard on). w writes a file instead"
        ));
        self.clipboard = Some(text);
    }
}

/// The OSC 52 sequence that sets the terminal's clipboard to `text`.
pub fn osc52(text: &str) -> String {
    use base64::Engine;
    format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(text.as_bytes())
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn osc52_is_base64_between_the_markers() {
        // RFC 4648's test vector: "foobar" is "Zm9vYmFy".
        assert_eq!(super::osc52("foobar"), "\x1b]52;c;Zm9vYmFy\x07");
    }
}
