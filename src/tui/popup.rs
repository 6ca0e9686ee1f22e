//! Popups: they sit on a stack above the panes and get keys first.

use super::keymap::Context;
use super::store::Effect;
use crate::memo::Target;
use ratatui_textarea::TextArea;

pub enum Popup {
    Help { ctx: Context, scroll: u16 },
    Finder(Finder),
    Prompt(Prompt),
    Memo(Box<MemoEditor>),
    CodeEditor(Box<CodeEditor>),
    Confirm { message: String, effect: Effect },
}

impl Popup {
    pub fn context(&self) -> Context {
        match self {
            Popup::Help { .. } => Context::Help,
            Popup::Finder(_) => Context::Finder,
            Popup::Prompt(_) => Context::Prompt,
            Popup::Memo(_) => Context::MemoEditor,
            Popup::CodeEditor(_) => Context::CodeEditor,
            Popup::Confirm { .. } => Context::Confirm,
        }
    }
}

/// What a finder pick does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Code [start, end) of a document with the picked (or a new) code.
    CodeRange { doc: i64, start: usize, end: usize },
    /// Move a code under the picked one (or to the top level).
    MoveCode { code: i64 },
    /// Merge a code into the picked one.
    MergeCode { code: i64 },
    /// Remove one of several codings under the cursor.
    Uncode,
    /// Auto-code the analysis view's search hits with the picked (or a new) code.
    Autocode,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Code(i64),
    Create(String),
    TopLevel,
    Coding { id: i64, code: i64 },
}

pub struct Finder {
    pub purpose: Purpose,
    pub title: String,
    pub query: String,
    /// Every pickable item (before the query); `items` is what the query leaves, best first.
    pub pool: Vec<(Item, String)>,
    pub items: Vec<(Item, String)>,
    pub sel: usize,
    /// Why the query cannot be created as a code (shown under the matches).
    pub problem: Option<String>,
}

impl Finder {
    pub fn new(purpose: Purpose, title: String, pool: Vec<(Item, String)>) -> Finder {
        let mut f = Finder {
            purpose,
            title,
            query: String::new(),
            pool,
            items: Vec::new(),
            sel: 0,
            problem: None,
        };
        f.refresh();
        f
    }

    /// Re-ranks after the query changed; offers "create" for a path not in the codebook.
    pub fn refresh(&mut self) {
        let order = super::fuzzy::rank(&self.query, self.pool.iter().map(|(_, s)| s.as_str()));
        self.items = order.into_iter().map(|i| self.pool[i].clone()).collect();
        let q = self.query.trim();
        let creates = matches!(self.purpose, Purpose::CodeRange { .. } | Purpose::Autocode);
        self.problem = None;
        if creates && !q.is_empty() {
            let wanted = crate::codebook::split_path(q).map(|p| canonical(&p, &self.pool));
            if let Err(e) = &wanted {
                self.problem = Some(format!("cannot create it: {e}"));
            }
            if let Ok(path) = wanted {
                let exists = self.pool.iter().any(|(_, s)| s.eq_ignore_ascii_case(&path));
                if !exists {
                    let label = format!("+ create code \"{path}\"");
                    self.items.push((Item::Create(path), label));
                }
            }
        }
        self.sel = self.sel.min(self.items.len().saturating_sub(1));
        if !self.query.is_empty()
            && self.items.len() > 1
            && matches!(self.items[0].0, Item::Create(_))
        {
            self.sel = 0;
        }
    }
}

/// `parts` as a path, with each leading part spelled as the existing code it names (so
/// "access/New" goes under "Access").
fn canonical(parts: &[String], pool: &[(Item, String)]) -> String {
    let mut out: Vec<String> = parts.to_vec();
    for i in 1..=parts.len() {
        let prefix = out[..i].join("/");
        if let Some((_, existing)) = pool
            .iter()
            .find(|(item, s)| matches!(item, Item::Code(_)) && s.eq_ignore_ascii_case(&prefix))
        {
            for (k, part) in existing.split('/').enumerate().take(i) {
                out[k] = part.to_string();
            }
        }
    }
    out.join("/")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    Search,
    Filter,
    NewCode,
    /// Full-text search across all transcripts (analysis view).
    AnalysisSearch,
    /// The name of a codebook snapshot.
    Snapshot,
    /// Retrieval's filter.
    ExcerptFilter,
    /// The file the shown excerpts are written to.
    ExportExcerpts,
    /// The memo browser's search.
    MemoSearch,
}

pub struct Prompt {
    pub kind: PromptKind,
    pub input: String,
}

pub struct MemoEditor {
    pub target: Target,
    pub title: String,
    pub memo_id: Option<i64>,
    pub original: String,
    pub area: TextArea<'static>,
}

pub const CODE_FIELDS: [&str; 6] = [
    "Name",
    "Colour",
    "Definition",
    "Inclusion",
    "Exclusion",
    "Example",
];

pub struct CodeEditor {
    pub code_id: i64,
    pub path: String,
    pub field: usize,
    pub originals: Vec<String>,
    pub fields: Vec<TextArea<'static>>,
}

impl CodeEditor {
    pub fn values(&self) -> Vec<String> {
        self.fields.iter().map(|t| t.lines().join("\n")).collect()
    }
}

pub fn text_area(text: &str) -> TextArea<'static> {
    let lines: Vec<String> = if text.is_empty() {
        vec![String::new()]
    } else {
        text.lines().map(str::to_string).collect()
    };
    let mut t = TextArea::new(lines);
    t.set_cursor_line_style(ratatui::style::Style::new());
    t.set_wrap_mode(ratatui_textarea::WrapMode::Word);
    t.move_cursor(ratatui_textarea::CursorMove::Bottom);
    t.move_cursor(ratatui_textarea::CursorMove::End);
    t
}
