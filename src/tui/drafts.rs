//! Drafts of open editors, kept in the study file (`drafts` table, migration 5) every few
//! seconds while an editor is open and removed once it is saved or closed. A session that ends
//! without a chance to save (SIGKILL, a power cut) loses seconds of typing; the next start
//! reopens the editor with the draft in it.
//!
//! Drafts are written outside the history on purpose: they are not changes to the study, undo
//! must never revert one, and they are one upsert (one transaction) each.

use super::app::App;
use super::popup::{self, CodeEditor, MemoEditor, Popup};
use crate::Result;
use crate::memo::Target;
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

/// How often an open editor's text is written as a draft (when it changed).
pub const DRAFT_EVERY: Duration = Duration::from_secs(2);

/// An editor's content as stored in `drafts.body` (JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "editor", rename_all = "lowercase")]
pub enum Draft {
    Memo {
        target_kind: String,
        target_id: Option<i64>,
        memo_id: Option<i64>,
        original: String,
        text: String,
    },
    Code {
        code_id: i64,
        path: String,
        field: usize,
        originals: Vec<String>,
        values: Vec<String>,
    },
}

/// A stored draft: which editor, its title, content and when it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub key: String,
    pub title: String,
    pub draft: Draft,
    pub updated_at: String,
}

impl Draft {
    /// What the draft edits: one draft per coder and editor.
    pub fn key(&self) -> String {
        match self {
            Draft::Memo {
                target_kind,
                target_id,
                ..
            } => format!("memo:{target_kind}:{}", target_id.unwrap_or(0)),
            Draft::Code { code_id, .. } => format!("code:{code_id}"),
        }
    }

    /// The draft of an editor popup (None for other popups).
    pub fn of(p: &Popup) -> Option<(String, Draft)> {
        match p {
            Popup::Memo(m) => Some((
                m.title.clone(),
                Draft::Memo {
                    target_kind: m.target.kind().into(),
                    target_id: m.target.id(),
                    memo_id: m.memo_id,
                    original: m.original.clone(),
                    text: m.area.lines().join("\n"),
                },
            )),
            Popup::CodeEditor(ed) => Some((
                format!("Edit code {}", ed.path),
                Draft::Code {
                    code_id: ed.code_id,
                    path: ed.path.clone(),
                    field: ed.field,
                    originals: ed.originals.clone(),
                    values: ed.values(),
                },
            )),
            _ => None,
        }
    }

    /// The editor popup holding this draft, as it was when the draft was written.
    pub fn to_popup(&self, title: &str) -> Popup {
        match self {
            Draft::Memo {
                target_kind,
                target_id,
                memo_id,
                original,
                text,
            } => {
                let mut area = popup::text_area(text);
                area.set_placeholder_text("Write your memo. Ctrl-s or Esc saves.");
                Popup::Memo(Box::new(MemoEditor {
                    target: Target::from_parts(target_kind, *target_id),
                    title: title.to_string(),
                    memo_id: *memo_id,
                    original: original.clone(),
                    area,
                }))
            }
            Draft::Code {
                code_id,
                path,
                field,
                originals,
                values,
            } => Popup::CodeEditor(Box::new(CodeEditor {
                code_id: *code_id,
                path: path.clone(),
                field: (*field).min(values.len().saturating_sub(1)),
                originals: originals.clone(),
                fields: values.iter().map(|v| popup::text_area(v)).collect(),
            })),
        }
    }
}

/// Writes (or replaces) one draft.
pub fn put(conn: &Connection, coder: i64, title: &str, draft: &Draft, now: &str) -> Result<()> {
    let body = serde_json::to_string(draft).map_err(|e| crate::invalid!("draft: {e}"))?;
    conn.prepare_cached(
        "INSERT INTO drafts (coder_id, editor, title, body, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (coder_id, editor) DO UPDATE SET title = ?3, body = ?4, updated_at = ?5",
    )?
    .execute(params![coder, draft.key(), title, body, now])?;
    Ok(())
}

/// Removes the coder's drafts except those whose key is in `keep`.
pub fn remove_except(conn: &Connection, coder: i64, keep: &[String]) -> Result<()> {
    let mut stmt = conn.prepare_cached("SELECT editor FROM drafts WHERE coder_id = ?1")?;
    let keys: Vec<String> = stmt
        .query_map([coder], |r| r.get(0))?
        .collect::<std::result::Result<_, _>>()?;
    for k in keys.iter().filter(|k| !keep.contains(k)) {
        conn.prepare_cached("DELETE FROM drafts WHERE coder_id = ?1 AND editor = ?2")?
            .execute(params![coder, k])?;
    }
    Ok(())
}

/// The coder's drafts, oldest first. A draft that cannot be read (written by another version)
/// is skipped, never fatal.
pub fn list(conn: &Connection, coder: i64) -> Result<Vec<Stored>> {
    let mut stmt = conn.prepare_cached(
        "SELECT editor, title, body, updated_at FROM drafts WHERE coder_id = ?1 ORDER BY updated_at, id",
    )?;
    let rows = stmt.query_map([coder], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (key, title, body, updated_at) = row?;
        if let Ok(draft) = serde_json::from_str::<Draft>(&body) {
            out.push(Stored {
                key,
                title,
                draft,
                updated_at,
            });
        }
    }
    Ok(out)
}

/// The open editors' drafts and what was last written, so unchanged text is not rewritten.
#[derive(Default)]
pub struct DraftState {
    pub written: Vec<(String, String)>,
    pub last: Option<Instant>,
}

impl App {
    /// The drafts of every open editor, bottom of the popup stack first.
    fn open_drafts(&self) -> Vec<(String, Draft)> {
        self.popups.iter().filter_map(Draft::of).collect()
    }

    /// Writes the open editors' drafts when `DRAFT_EVERY` has passed (or `now` is forced), and
    /// removes the drafts of editors no longer open.
    pub fn save_drafts(&mut self, force: bool) {
        if !force && self.drafts.last.is_some_and(|t| t.elapsed() < DRAFT_EVERY) {
            return;
        }
        self.drafts.last = Some(Instant::now());
        let open = self.open_drafts();
        let keys: Vec<String> = open.iter().map(|(_, d)| d.key()).collect();
        let conn = self.store.study.conn();
        let now = self.store.study.now();
        let mut written = Vec::new();
        let result = (|| -> Result<()> {
            for (title, d) in &open {
                let body = serde_json::to_string(d).unwrap_or_default();
                let same = self
                    .drafts
                    .written
                    .iter()
                    .any(|(k, b)| *k == d.key() && *b == body);
                if !same {
                    put(conn, self.coder.id, title, d, &now)?;
                }
                written.push((d.key(), body));
            }
            if self.drafts.written.len() != written.len()
                || self.drafts.written.iter().any(|(k, _)| !keys.contains(k))
            {
                remove_except(conn, self.coder.id, &keys)?;
            }
            Ok(())
        })();
        match result {
            Ok(()) => self.drafts.written = written,
            Err(e) => {
                super::log::write(&format!("error writing a draft: {e}"));
                self.set_message(format!("error: could not keep a draft of the editor: {e}"));
            }
        }
    }

    /// Reopens the editors a previous session left unsaved; says so in the status bar.
    pub fn restore_drafts(&mut self) -> Result<()> {
        let stored = list(self.store.study.conn(), self.coder.id)?;
        if stored.is_empty() {
            return Ok(());
        }
        let when = stored
            .last()
            .map(|s| s.updated_at.replace('T', " "))
            .unwrap_or_default();
        let when = when.get(..16).unwrap_or(&when).to_string();
        let n = stored.len();
        for s in &stored {
            self.popups.push(s.draft.to_popup(&s.title));
            self.drafts.written.push((
                s.key.clone(),
                serde_json::to_string(&s.draft).unwrap_or_default(),
            ));
        }
        self.set_message(format!(
            "restored {n} unsaved editor(s) from {when} (the last session ended before saving): Esc saves, C-g discards"
        ));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_round_trip_through_json_and_keys_name_the_target() {
        let d = Draft::Memo {
            target_kind: "coding".into(),
            target_id: Some(12),
            memo_id: None,
            original: String::new(),
            text: "half a thought\nand more".into(),
        };
        assert_eq!(d.key(), "memo:coding:12");
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(serde_json::from_str::<Draft>(&json).unwrap(), d);
        let p = d.to_popup("Memo on coding");
        let (title, back) = Draft::of(&p).unwrap();
        assert_eq!(title, "Memo on coding");
        assert_eq!(back, d);
        let project = Draft::Memo {
            target_kind: "project".into(),
            target_id: None,
            memo_id: Some(3),
            original: "old".into(),
            text: "new".into(),
        };
        assert_eq!(project.key(), "memo:project:0");
    }
}
