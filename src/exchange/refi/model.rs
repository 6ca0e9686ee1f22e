//! The in-memory REFI-QDA model: what a `.qdc` / `.qdpx` carries that Thematic keeps.

/// A code (node) of the codebook, with its children.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RefiCode {
    pub guid: String,
    pub name: String,
    /// `#RRGGBB` (upper case once read).
    pub color: Option<String>,
    pub description: Option<String>,
    pub is_codable: bool,
    pub children: Vec<RefiCode>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RefiUser {
    pub guid: String,
    pub name: String,
}

/// One code applied to a selection.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RefiCoding {
    pub guid: String,
    pub code_guid: String,
    pub creating_user: Option<String>,
    /// `xs:dateTime`
    pub created: Option<String>,
}

/// A span of a text source. `start`/`end` count Unicode code points of the
/// canonical (LF line endings, no BOM) text; the range is half-open.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RefiSelection {
    pub guid: String,
    pub name: Option<String>,
    pub start: usize,
    pub end: usize,
    pub creating_user: Option<String>,
    pub created: Option<String>,
    pub codings: Vec<RefiCoding>,
    pub note_refs: Vec<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VariableType {
    #[default]
    Text,
    Boolean,
    Integer,
    Float,
    Date,
    DateTime,
}

impl VariableType {
    /// The `typeOfVariable` token.
    pub fn as_str(self) -> &'static str {
        match self {
            VariableType::Text => "Text",
            VariableType::Boolean => "Boolean",
            VariableType::Integer => "Integer",
            VariableType::Float => "Float",
            VariableType::Date => "Date",
            VariableType::DateTime => "DateTime",
        }
    }

    /// Parses a `typeOfVariable` token (case-insensitive).
    pub fn parse(s: &str) -> Option<VariableType> {
        let all = [
            VariableType::Text,
            VariableType::Boolean,
            VariableType::Integer,
            VariableType::Float,
            VariableType::Date,
            VariableType::DateTime,
        ];
        all.into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RefiVariable {
    pub guid: String,
    pub name: String,
    pub kind: VariableType,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RefiVariableValue {
    pub variable_guid: String,
    pub value: String,
}

/// A text source; `text` is canonical: UTF-8, LF line endings, no BOM.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RefiSource {
    pub guid: String,
    pub name: String,
    pub text: String,
    pub selections: Vec<RefiSelection>,
    pub note_refs: Vec<String>,
    pub variable_values: Vec<RefiVariableValue>,
    pub description: Option<String>,
    pub creating_user: Option<String>,
}

/// A memo. Attached to things through their `note_refs`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RefiNote {
    pub guid: String,
    pub name: String,
    pub text: String,
    pub creating_user: Option<String>,
    pub created: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RefiCase {
    pub guid: String,
    pub name: String,
    pub variable_values: Vec<RefiVariableValue>,
    pub source_refs: Vec<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RefiSet {
    pub guid: String,
    pub name: String,
    pub member_sources: Vec<String>,
    pub member_codes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RefiProject {
    pub name: String,
    pub origin: Option<String>,
    pub creating_user: Option<String>,
    pub users: Vec<RefiUser>,
    pub codes: Vec<RefiCode>,
    pub variables: Vec<RefiVariable>,
    pub cases: Vec<RefiCase>,
    pub sources: Vec<RefiSource>,
    pub notes: Vec<RefiNote>,
    pub sets: Vec<RefiSet>,
    pub project_note_refs: Vec<String>,
    pub description: Option<String>,
}

/// Human-readable notes on what a lenient import adjusted or left out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Adjustments(pub Vec<String>);

impl Adjustments {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &String> {
        self.0.iter()
    }

    /// True if any note contains `needle` (handy in tests and UIs).
    pub fn mentions(&self, needle: &str) -> bool {
        self.0.iter().any(|s| s.contains(needle))
    }
}

/// Counts every code in a tree, nested ones included.
pub fn count_codes(codes: &[RefiCode]) -> usize {
    codes.iter().map(|c| 1 + count_codes(&c.children)).sum()
}
