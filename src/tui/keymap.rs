//! The one keymap table: (context, key, action, description). It drives dispatch, the status-bar
//! hints and the `?` help overlay, so what the screen says is what the keys do. `keys.toml`
//! overrides entries by action name.

use super::action::Action;
pub use super::key::Key;

/// Where a key is pressed: the focused pane, a mode or the popup on top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    Global,
    Documents,
    Codebook,
    Transcript,
    Visual,
    Retrieval,
    Finder,
    Prompt,
    MemoEditor,
    CodeEditor,
    Help,
    Confirm,
    Agreement,
    Review,
    Analysis,
    Memos,
}

impl Context {
    pub const ALL: [Context; 16] = [
        Context::Global,
        Context::Documents,
        Context::Codebook,
        Context::Transcript,
        Context::Visual,
        Context::Retrieval,
        Context::Finder,
        Context::Prompt,
        Context::MemoEditor,
        Context::CodeEditor,
        Context::Help,
        Context::Confirm,
        Context::Agreement,
        Context::Review,
        Context::Analysis,
        Context::Memos,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Documents => "documents",
            Context::Codebook => "codebook",
            Context::Transcript => "transcript",
            Context::Visual => "visual",
            Context::Retrieval => "retrieval",
            Context::Finder => "finder",
            Context::Prompt => "prompt",
            Context::MemoEditor => "memo_editor",
            Context::CodeEditor => "code_editor",
            Context::Help => "help",
            Context::Confirm => "confirm",
            Context::Agreement => "agreement",
            Context::Review => "review",
            Context::Analysis => "analysis",
            Context::Memos => "memos",
        }
    }

    /// Contexts that type text: unbound printable keys go to the input, and only Ctrl-c of
    /// the global keys applies.
    pub fn takes_text(self) -> bool {
        matches!(
            self,
            Context::Finder | Context::Prompt | Context::MemoEditor | Context::CodeEditor
        )
    }
}

#[derive(Debug, Clone)]
pub struct Binding {
    pub ctx: Context,
    pub key: Key,
    pub action: Action,
    pub desc: &'static str,
    /// Short label for the status bar; bindings without one show only in `?`.
    pub hint: Option<&'static str>,
}

use Action as A;
use Context as X;

/// (context, key, action, description, status-bar hint).
type Row = (X, &'static str, A, &'static str, Option<&'static str>);

#[rustfmt::skip]
const DEFAULTS: &[Row] = &[
    (X::Global, "C-c", A::ForceQuit, "quit (always works)", None),
    (X::Global, "q", A::Quit, "quit (everything is already saved)", Some("quit")),
    (X::Global, "?", A::Help, "help for the focused pane", Some("help")),
    (X::Global, "Tab", A::NextPane, "next pane", Some("pane")),
    (X::Global, "S-Tab", A::PrevPane, "previous pane", None),
    (X::Global, "u", A::Undo, "undo your last action", Some("undo")),
    (X::Global, "C-r", A::Redo, "redo", None),
    (X::Global, "o", A::ToggleOthers, "show/hide other coders' codings", None),
    (X::Global, "M", A::StudyMemo, "memo on the whole study", None),
    (X::Global, "Esc", A::Back, "back out", None),
    (X::Global, "A", A::AgreementView, "inter-coder agreement (and disagreement review)", Some("agreement")),
    (X::Global, "B", A::MemoBrowser, "browse every memo in the study", Some("memos")),
    (X::Global, "F", A::AnalysisView, "analysis: frequencies, co-occurrence, search, saturation, versions", Some("analysis")),
    // Documents
    (X::Documents, "j", A::Down, "next document", None),
    (X::Documents, "Down", A::Down, "next document", None),
    (X::Documents, "k", A::Up, "previous document", None),
    (X::Documents, "Up", A::Up, "previous document", None),
    (X::Documents, "g", A::Top, "first document", None),
    (X::Documents, "G", A::Bottom, "last document", None),
    (X::Documents, "PageDown", A::PageDown, "ten documents down", None),
    (X::Documents, "C-d", A::PageDown, "ten documents down", None),
    (X::Documents, "PageUp", A::PageUp, "ten documents up", None),
    (X::Documents, "C-u", A::PageUp, "ten documents up", None),
    (X::Documents, "Enter", A::Open, "open the document", Some("open")),
    (X::Documents, "l", A::Open, "open the document", None),
    (X::Documents, "m", A::Memo, "memo on the document", Some("memo")),
    (X::Documents, "D", A::ToggleDone, "mark the document done by you (no coding = nothing found) / not done", Some("done")),
    (X::Documents, "]", A::NextParticipants, "scroll the participants list down", None),
    (X::Documents, "[", A::PrevParticipants, "scroll the participants list up", None),
    // Codebook
    (X::Codebook, "j", A::Down, "next code", None),
    (X::Codebook, "Down", A::Down, "next code", None),
    (X::Codebook, "k", A::Up, "previous code", None),
    (X::Codebook, "Up", A::Up, "previous code", None),
    (X::Codebook, "g", A::Top, "first code", None),
    (X::Codebook, "G", A::Bottom, "last code", None),
    (X::Codebook, "PageDown", A::PageDown, "ten codes down", None),
    (X::Codebook, "C-d", A::PageDown, "ten codes down", None),
    (X::Codebook, "PageUp", A::PageUp, "ten codes up", None),
    (X::Codebook, "C-u", A::PageUp, "ten codes up", None),
    (X::Codebook, "Enter", A::Retrieve, "every excerpt coded with it (retrieval)", Some("excerpts")),
    (X::Codebook, "/", A::Filter, "filter the codebook", Some("filter")),
    (X::Codebook, "i", A::Details, "show/hide definition, criteria, example", Some("details")),
    (X::Codebook, "e", A::EditCode, "edit name, colour and codebook fields", Some("edit")),
    (X::Codebook, "a", A::NewCode, "add a code (Theme/Code)", Some("add")),
    (X::Codebook, "R", A::MoveCode, "move under another code", Some("move")),
    (X::Codebook, "X", A::MergeCode, "merge into another code", Some("merge")),
    (X::Codebook, "D", A::DeleteCode, "delete (with its codings)", Some("delete")),
    (X::Codebook, "m", A::Memo, "memo on the code", Some("memo")),
    (X::Codebook, "1", A::PinCode(1), "pin the code to this key, 1–9 (again: unpin)", Some("pin 1–9")),
    (X::Codebook, "2", A::PinCode(2), "pin the code to this key, 1–9 (again: unpin)", None),
    (X::Codebook, "3", A::PinCode(3), "pin the code to this key, 1–9 (again: unpin)", None),
    (X::Codebook, "4", A::PinCode(4), "pin the code to this key, 1–9 (again: unpin)", None),
    (X::Codebook, "5", A::PinCode(5), "pin the code to this key, 1–9 (again: unpin)", None),
    (X::Codebook, "6", A::PinCode(6), "pin the code to this key, 1–9 (again: unpin)", None),
    (X::Codebook, "7", A::PinCode(7), "pin the code to this key, 1–9 (again: unpin)", None),
    (X::Codebook, "8", A::PinCode(8), "pin the code to this key, 1–9 (again: unpin)", None),
    (X::Codebook, "9", A::PinCode(9), "pin the code to this key, 1–9 (again: unpin)", None),
    // Transcript
    (X::Transcript, "j", A::Down, "line down", None),
    (X::Transcript, "Down", A::Down, "line down", None),
    (X::Transcript, "k", A::Up, "line up", None),
    (X::Transcript, "Up", A::Up, "line up", None),
    (X::Transcript, "h", A::Left, "character left", None),
    (X::Transcript, "Left", A::Left, "character left", None),
    (X::Transcript, "l", A::Right, "character right", None),
    (X::Transcript, "Right", A::Right, "character right", None),
    (X::Transcript, "w", A::WordForward, "next word", None),
    (X::Transcript, "b", A::WordBack, "previous word", None),
    (X::Transcript, ")", A::SentenceForward, "next sentence", None),
    (X::Transcript, "(", A::SentenceBack, "previous sentence", None),
    (X::Transcript, "}", A::NextTurn, "next turn", None),
    (X::Transcript, "{", A::PrevTurn, "previous turn", None),
    (X::Transcript, "]", A::NextSameSpeaker, "next turn by this speaker", None),
    (X::Transcript, "[", A::PrevSameSpeaker, "previous turn by this speaker", None),
    (X::Transcript, "J", A::NextDocument, "next document", None),
    (X::Transcript, "K", A::PrevDocument, "previous document", None),
    (X::Transcript, "C-d", A::HalfPageDown, "half a page down", None),
    (X::Transcript, "C-u", A::HalfPageUp, "half a page up", None),
    (X::Transcript, "PageDown", A::PageDown, "page down", None),
    (X::Transcript, "C-f", A::PageDown, "page down", None),
    (X::Transcript, "PageUp", A::PageUp, "page up", None),
    (X::Transcript, "C-b", A::PageUp, "page up", None),
    (X::Transcript, "g", A::Top, "start of the document", None),
    (X::Transcript, "Home", A::Top, "start of the document", None),
    (X::Transcript, "G", A::Bottom, "end of the document", None),
    (X::Transcript, "End", A::Bottom, "end of the document", None),
    (X::Transcript, "v", A::Visual, "select (visual mode)", Some("select")),
    (X::Transcript, "V", A::VisualTurn, "select the whole turn", None),
    (X::Transcript, "c", A::Code, "code the selection (or this turn) with…", Some("code")),
    (X::Transcript, "Enter", A::Code, "code the selection (or this turn) with…", None),
    (X::Transcript, "1", A::RecentCode(1), "code with the code pinned to this key (pin codes in the codebook)", Some("pinned")),
    (X::Transcript, "2", A::RecentCode(2), "code with the code pinned to this key (pin codes in the codebook)", None),
    (X::Transcript, "3", A::RecentCode(3), "code with the code pinned to this key (pin codes in the codebook)", None),
    (X::Transcript, "4", A::RecentCode(4), "code with the code pinned to this key (pin codes in the codebook)", None),
    (X::Transcript, "5", A::RecentCode(5), "code with the code pinned to this key (pin codes in the codebook)", None),
    (X::Transcript, "6", A::RecentCode(6), "code with the code pinned to this key (pin codes in the codebook)", None),
    (X::Transcript, "7", A::RecentCode(7), "code with the code pinned to this key (pin codes in the codebook)", None),
    (X::Transcript, "8", A::RecentCode(8), "code with the code pinned to this key (pin codes in the codebook)", None),
    (X::Transcript, "9", A::RecentCode(9), "code with the code pinned to this key (pin codes in the codebook)", None),
    (X::Transcript, "x", A::Uncode, "uncode the coding under the cursor", Some("uncode")),
    (X::Transcript, ">", A::Extend, "extend the coding under the cursor by a word", None),
    (X::Transcript, "<", A::Shrink, "shrink the coding under the cursor by a word", None),
    (X::Transcript, "m", A::Memo, "memo on the coding under the cursor, else the document", Some("memo")),
    (X::Transcript, "e", A::EditCode, "edit the code under the cursor", None),
    (X::Transcript, "/", A::Search, "search every transcript (n/N: next/previous match)", Some("search")),
    (X::Transcript, "n", A::SearchNext, "next match", None),
    (X::Transcript, "C-o", A::JumpBack, "back to where the last jump came from", Some("back")),
    (X::Transcript, "Backspace", A::JumpBack, "back to where the last jump came from", None),
    (X::Transcript, "N", A::SearchPrev, "previous match", None),
    (X::Transcript, "S", A::ToggleSuggestions, "show/hide code suggestions (?Code in the margin)", None),
    (X::Transcript, "a", A::AcceptSuggestion, "accept the suggestion under the cursor", None),
    (X::Transcript, "r", A::RejectSuggestion, "reject the suggestion under the cursor", None),
    // Visual mode: the motions above move the selection's end.
    (X::Visual, "v", A::Back, "leave visual mode", None),
    (X::Visual, "V", A::VisualTurn, "select the whole turn", Some("turn")),
    (X::Visual, "c", A::Code, "code the selection with…", Some("code")),
    (X::Visual, "Enter", A::Code, "code the selection with…", None),
    (X::Visual, "Esc", A::Back, "cancel the selection", Some("cancel")),
    // Retrieval
    (X::Retrieval, "j", A::Down, "next excerpt", None),
    (X::Retrieval, "Down", A::Down, "next excerpt", None),
    (X::Retrieval, "k", A::Up, "previous excerpt", None),
    (X::Retrieval, "Up", A::Up, "previous excerpt", None),
    (X::Retrieval, "g", A::Top, "first excerpt", None),
    (X::Retrieval, "G", A::Bottom, "last excerpt", None),
    (X::Retrieval, "PageDown", A::PageDown, "ten excerpts down", None),
    (X::Retrieval, "C-d", A::PageDown, "ten excerpts down", None),
    (X::Retrieval, "PageUp", A::PageUp, "ten excerpts up", None),
    (X::Retrieval, "C-u", A::PageUp, "ten excerpts up", None),
    (X::Retrieval, "Enter", A::Open, "jump to the excerpt in its transcript", Some("jump")),
    (X::Retrieval, "m", A::Memo, "memo on the coding", Some("memo")),
    (X::Retrieval, "/", A::Filter, "filter: words, coder:NAME, speaker:NAME, document:NAME, ATTRIBUTE:VALUE", Some("filter")),
    (X::Retrieval, "w", A::ExportExcerpts, "write the shown excerpts to a Markdown file", Some("write")),
    (X::Retrieval, "y", A::CopyExcerpts, "copy the shown excerpts (OSC 52 clipboard)", Some("copy")),
    (X::Retrieval, "Esc", A::Back, "close retrieval", Some("close")),
    // Memo browser
    (X::Memos, "j", A::Down, "next memo", None),
    (X::Memos, "Down", A::Down, "next memo", None),
    (X::Memos, "k", A::Up, "previous memo", None),
    (X::Memos, "Up", A::Up, "previous memo", None),
    (X::Memos, "g", A::Top, "first memo", None),
    (X::Memos, "G", A::Bottom, "last memo", None),
    (X::Memos, "PageDown", A::PageDown, "ten memos down", None),
    (X::Memos, "PageUp", A::PageUp, "ten memos up", None),
    (X::Memos, "Enter", A::Open, "go to what the memo is on (Esc comes back)", Some("go to")),
    (X::Memos, "/", A::Filter, "search the memos", Some("search")),
    (X::Memos, "m", A::Memo, "write your memo on the same thing", Some("memo")),
    (X::Memos, "Esc", A::Back, "close the memo browser", Some("close")),
    // Agreement view
    (X::Agreement, "j", A::Down, "next code", None),
    (X::Agreement, "Down", A::Down, "next code", None),
    (X::Agreement, "k", A::Up, "previous code", None),
    (X::Agreement, "Up", A::Up, "previous code", None),
    (X::Agreement, "g", A::Top, "first code", None),
    (X::Agreement, "G", A::Bottom, "last code", None),
    (X::Agreement, "PageDown", A::PageDown, "ten codes down", None),
    (X::Agreement, "C-d", A::PageDown, "ten codes down", None),
    (X::Agreement, "PageUp", A::PageUp, "ten codes up", None),
    (X::Agreement, "C-u", A::PageUp, "ten codes up", None),
    (X::Agreement, "Enter", A::Open, "review the code's disagreements", Some("review")),
    (X::Agreement, "D", A::AllDisagreements, "review all disagreements, worst codes first", Some("all")),
    (X::Agreement, "t", A::CycleUnit, "unit: turn → sentence → char", Some("unit")),
    (X::Agreement, "s", A::SortWorst, "sort worst alpha first / codebook order", Some("sort")),
    (X::Agreement, "r", A::Refresh, "recompute agreement", Some("recompute")),
    (X::Agreement, "c", A::CycleCoders, "coders compared: default → each pair → all independent coders", Some("coders")),
    (X::Agreement, "R", A::IcrRounds, "ICR rounds: coders, sample, α with CI, codebook changes (again: back)", Some("rounds")),
    (X::Agreement, "Esc", A::Back, "back to the workbench", Some("back")),
    // Disagreement review
    (X::Review, "j", A::Down, "next disagreement", None),
    (X::Review, "Down", A::Down, "next disagreement", None),
    (X::Review, "k", A::Up, "previous disagreement", None),
    (X::Review, "Up", A::Up, "previous disagreement", None),
    (X::Review, "PageDown", A::PageDown, "ten disagreements down", None),
    (X::Review, "C-d", A::PageDown, "ten disagreements down", None),
    (X::Review, "PageUp", A::PageUp, "ten disagreements up", None),
    (X::Review, "C-u", A::PageUp, "ten disagreements up", None),
    (X::Review, "1", A::AcceptCoder(1), "accept coder N's version (1–9)", Some("accept N")),
    (X::Review, "2", A::AcceptCoder(2), "accept coder N's version (1–9)", None),
    (X::Review, "3", A::AcceptCoder(3), "accept coder N's version (1–9)", None),
    (X::Review, "4", A::AcceptCoder(4), "accept coder N's version (1–9)", None),
    (X::Review, "5", A::AcceptCoder(5), "accept coder N's version (1–9)", None),
    (X::Review, "6", A::AcceptCoder(6), "accept coder N's version (1–9)", None),
    (X::Review, "7", A::AcceptCoder(7), "accept coder N's version (1–9)", None),
    (X::Review, "8", A::AcceptCoder(8), "accept coder N's version (1–9)", None),
    (X::Review, "9", A::AcceptCoder(9), "accept coder N's version (1–9)", None),
    (X::Review, "a", A::AcceptCoder(1), "accept the first coder's version", None),
    (X::Review, "b", A::AcceptCoder(2), "accept the second coder's version", None),
    (X::Review, "B", A::AcceptBoth, "accept both (every coder's version)", Some("both")),
    (X::Review, "N", A::AcceptNeither, "neither: the code does not apply here", Some("neither")),
    (X::Review, "Enter", A::Open, "jump to the unit in its transcript to recode", Some("jump")),
    (X::Review, "g", A::Open, "jump to the unit in its transcript to recode", None),
    (X::Review, "r", A::Refresh, "recompute", None),
    (X::Review, "c", A::CycleCoders, "coders compared: default → each pair → all independent coders", Some("coders")),
    (X::Review, "Esc", A::Back, "back to agreement", Some("back")),
    // Analysis view
    (X::Analysis, "]", A::NextTab, "next tab", Some("tab")),
    (X::Analysis, "[", A::PrevTab, "previous tab", None),
    (X::Analysis, "1", A::ShowTab(1), "tab 1: frequencies and matrix", None),
    (X::Analysis, "2", A::ShowTab(2), "tab 2: co-occurrence", None),
    (X::Analysis, "3", A::ShowTab(3), "tab 3: full-text search", None),
    (X::Analysis, "4", A::ShowTab(4), "tab 4: saturation", None),
    (X::Analysis, "5", A::ShowTab(5), "tab 5: codebook versions", None),
    (X::Analysis, "j", A::Down, "next row", None),
    (X::Analysis, "Down", A::Down, "next row", None),
    (X::Analysis, "k", A::Up, "previous row", None),
    (X::Analysis, "Up", A::Up, "previous row", None),
    (X::Analysis, "h", A::Left, "previous column (matrix, co-occurrence)", None),
    (X::Analysis, "Left", A::Left, "previous column (matrix, co-occurrence)", None),
    (X::Analysis, "l", A::Right, "next column (matrix, co-occurrence)", None),
    (X::Analysis, "Right", A::Right, "next column (matrix, co-occurrence)", None),
    (X::Analysis, "PageDown", A::PageDown, "ten rows down", None),
    (X::Analysis, "C-d", A::PageDown, "ten rows down", None),
    (X::Analysis, "PageUp", A::PageUp, "ten rows up", None),
    (X::Analysis, "C-u", A::PageUp, "ten rows up", None),
    (X::Analysis, "a", A::CycleAttribute, "matrix: next attribute to group by", Some("attribute")),
    (X::Analysis, "Enter", A::Open, "drill down / jump to the excerpt / diff the version", Some("open")),
    (X::Analysis, "/", A::Search, "search all transcripts", Some("search")),
    (X::Analysis, "c", A::AutoCode, "auto-code the search hits with…", Some("auto-code")),
    (X::Analysis, "t", A::CycleSpan, "auto-code span: the matched words or whole turns", Some("span")),
    (X::Analysis, "s", A::Snapshot, "snapshot the codebook (name it)", Some("snapshot")),
    (X::Analysis, "w", A::CycleAnalysisCoder, "whose codings: independent coders pooled → one coder → consensus", Some("coders")),
    (X::Analysis, "r", A::Refresh, "recompute", None),
    (X::Analysis, "Esc", A::Back, "back (out of a drill-down, then to the workbench)", Some("back")),
    // Finder (fuzzy code picker)
    (X::Finder, "Enter", A::Confirm, "pick (or create) the highlighted code", Some("pick")),
    (X::Finder, "Down", A::NextItem, "next match", None),
    (X::Finder, "C-n", A::NextItem, "next match", None),
    (X::Finder, "C-j", A::NextItem, "next match", None),
    (X::Finder, "Up", A::PrevItem, "previous match", None),
    (X::Finder, "C-p", A::PrevItem, "previous match", None),
    (X::Finder, "C-k", A::PrevItem, "previous match", None),
    (X::Finder, "Esc", A::Cancel, "cancel", Some("cancel")),
    // One-line prompts (search, filter, new code)
    (X::Prompt, "Enter", A::Confirm, "accept", Some("accept")),
    (X::Prompt, "Esc", A::Cancel, "cancel", Some("cancel")),
    // Memo editor
    (X::MemoEditor, "C-s", A::Save, "save and close", Some("save")),
    (X::MemoEditor, "Esc", A::Save, "save and close", None),
    (X::MemoEditor, "C-g", A::Cancel, "close without saving", Some("discard")),
    // Code editor
    (X::CodeEditor, "Tab", A::NextField, "next field", Some("field")),
    (X::CodeEditor, "S-Tab", A::PrevField, "previous field", None),
    (X::CodeEditor, "C-s", A::Save, "save and close", Some("save")),
    (X::CodeEditor, "Esc", A::Save, "save and close", None),
    (X::CodeEditor, "C-g", A::Cancel, "close without saving", Some("discard")),
    // Help
    (X::Help, "j", A::Down, "scroll down", None),
    (X::Help, "Down", A::Down, "scroll down", None),
    (X::Help, "k", A::Up, "scroll up", None),
    (X::Help, "Up", A::Up, "scroll up", None),
    (X::Help, "Esc", A::Cancel, "close help", Some("close")),
    (X::Help, "?", A::Cancel, "close help", None),
    (X::Help, "q", A::Cancel, "close help", None),
    // Confirmation
    (X::Confirm, "y", A::Yes, "yes", Some("yes")),
    (X::Confirm, "n", A::No, "no", Some("no")),
    (X::Confirm, "Esc", A::No, "no", None),
];

#[derive(Debug, Clone)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        let bindings = DEFAULTS
            .iter()
            .map(|&(ctx, key, action, desc, hint)| Binding {
                ctx,
                key: Key::parse(key).unwrap_or_else(|| panic!("bad default key {key}")),
                action,
                desc,
                hint,
            })
            .collect();
        Keymap { bindings }
    }
}

impl Keymap {
    pub fn lookup(&self, ctx: Context, key: Key) -> Option<Action> {
        self.bindings
            .iter()
            .find(|b| b.ctx == ctx && b.key == key)
            .map(|b| b.action)
    }

    /// The bindings of one context, in table order.
    pub fn of(&self, ctx: Context) -> impl Iterator<Item = &Binding> {
        self.bindings.iter().filter(move |b| b.ctx == ctx)
    }

    /// The first key bound to `action` in `ctx`.
    pub fn key_for(&self, ctx: Context, action: Action) -> Option<Key> {
        self.of(ctx).find(|b| b.action == action).map(|b| b.key)
    }

    /// Applies `keys.toml` (TOML): `action = "key"` rebinds the action in every context that
    /// binds it; `context.action = "key"` or an `[context]` table rebinds it in one context.
    /// Several keys: `"j, Down"` or `["j", "Down"]`. Returns the problems found (bad TOML,
    /// unknown contexts, actions or keys); the rest still applies.
    pub fn apply_overrides(&mut self, text: &str) -> Vec<String> {
        let table: toml::Table = match text.parse() {
            Ok(t) => t,
            Err(e) => return vec![e.to_string().trim().replace('\n', " ")],
        };
        let mut problems = Vec::new();
        for (name, value) in &table {
            match value {
                toml::Value::Table(inner) => {
                    let Some(ctx) = Context::ALL.iter().copied().find(|c| c.name() == name) else {
                        problems.push(format!("unknown context [{name}]"));
                        continue;
                    };
                    for (action, keys) in inner {
                        if let Err(p) = self.rebind(Some(ctx), action, keys) {
                            problems.push(format!("{name}.{action}: {p}"));
                        }
                    }
                }
                keys => {
                    if let Err(p) = self.rebind(None, name, keys) {
                        problems.push(format!("{name}: {p}"));
                    }
                }
            }
        }
        problems
    }

    fn rebind(
        &mut self,
        ctx: Option<Context>,
        name: &str,
        value: &toml::Value,
    ) -> Result<(), String> {
        let action = Action::from_name(name)
            .ok_or_else(|| "unknown action (see src/tui/action.rs)".to_string())?;
        let texts: Vec<String> = match value {
            toml::Value::String(s) if s.trim() == "," => vec![",".into()],
            toml::Value::String(s) => s.split(',').map(str::to_string).collect(),
            toml::Value::Array(a) => a
                .iter()
                .map(|v| v.as_str().map(str::to_string).ok_or("keys are strings"))
                .collect::<Result<_, _>>()?,
            _ => return Err("write the key as a string, e.g. \"C-r\"".into()),
        };
        let keys: Vec<Key> = texts
            .iter()
            .map(|t| Key::parse(t).ok_or_else(|| format!("cannot read key '{}'", t.trim())))
            .collect::<Result<_, _>>()?;
        if keys.is_empty() {
            return Err("no key given".into());
        }
        let contexts: Vec<Context> = match ctx {
            Some(c) => vec![c],
            None => {
                let mut cs: Vec<Context> = Vec::new();
                for b in self.bindings.iter().filter(|b| b.action == action) {
                    if !cs.contains(&b.ctx) {
                        cs.push(b.ctx);
                    }
                }
                if cs.is_empty() {
                    return Err(
                        "not bound anywhere by default; name its context, e.g. transcript.ACTION"
                            .into(),
                    );
                }
                cs
            }
        };
        for c in contexts {
            let template = self
                .bindings
                .iter()
                .position(|b| b.ctx == c && b.action == action);
            let (desc, hint, at) = match template {
                Some(i) => (self.bindings[i].desc, self.bindings[i].hint, i),
                None => ("(from keys.toml)", None, self.bindings.len()),
            };
            self.bindings
                .retain(|b| !(b.ctx == c && b.action == action));
            // A rebound key no longer does what it did before in this context.
            self.bindings
                .retain(|b| !(b.ctx == c && keys.contains(&b.key)));
            let at = at.min(self.bindings.len());
            for (i, key) in keys.iter().enumerate() {
                let hint = if i == 0 { hint } else { None };
                self.bindings.insert(
                    at + i,
                    Binding {
                        ctx: c,
                        key: *key,
                        action,
                        desc,
                        hint,
                    },
                );
            }
        }
        Ok(())
    }

    /// The keymap with the user's overrides from `$XDG_CONFIG_HOME/thematic/keys.toml` (or the
    /// platform's config dir), plus any problems to show in the status bar.
    pub fn load() -> (Keymap, Vec<String>) {
        let mut map = Keymap::default();
        let mut problems = Vec::new();
        if let Some(path) = config_path()
            && let Ok(text) = std::fs::read_to_string(&path)
        {
            for p in map.apply_overrides(&text) {
                problems.push(format!("{}: {p}", path.display()));
            }
        }
        (map, problems)
    }
}

/// `keys.toml` beside the user's `config.toml`.
pub fn config_path() -> Option<std::path::PathBuf> {
    crate::config::config_dir().map(|d| d.join("keys.toml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_do_not_clash() {
        let map = Keymap::default();
        for (i, a) in map.bindings.iter().enumerate() {
            for b in &map.bindings[i + 1..] {
                assert!(
                    !(a.ctx == b.ctx && a.key == b.key),
                    "{:?} {} bound twice",
                    a.ctx,
                    a.key
                );
            }
        }
    }

    #[test]
    fn overrides_rebind_by_action_name() {
        let mut map = Keymap::default();
        let problems = map.apply_overrides(
            "# mine\nundo = \"z\"\ntranscript.code = [\"C-k\", \"c\"]\n[codebook]\nretrieve = \"r\"\nbogus = \"x\"\n",
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        let z = Key::parse("z").unwrap();
        assert_eq!(map.lookup(Context::Global, z), Some(Action::Undo));
        assert_eq!(map.lookup(Context::Global, Key::parse("u").unwrap()), None);
        let ck = Key::parse("C-k").unwrap();
        assert_eq!(map.lookup(Context::Transcript, ck), Some(Action::Code));
        assert_eq!(
            map.lookup(Context::Codebook, Key::parse("r").unwrap()),
            Some(Action::Retrieve)
        );
        assert_eq!(
            map.apply_overrides("undo = ").len(),
            1,
            "bad TOML is reported"
        );
        assert!(
            map.apply_overrides("transcript.code = \"C-k, Enter\"")
                .is_empty()
        );
        let enter = Key::parse("Enter").unwrap();
        assert_eq!(map.lookup(Context::Transcript, enter), Some(Action::Code));
    }
}
