//! Codebook fields (definition, inclusion, exclusion, example, memo) packed
//! into a code's single REFI `Description` as readable plain text:
//!
//! ```text
//! Definition: ...
//!
//! Inclusion: ...
//!
//! Exclusion: ...
//! ```
//!
//! Empty fields are left out. A lone definition without heading-like lines is
//! written as plain text, so other tools show it as is. Inside a field, a line
//! that would read as a heading (`Inclusion: ...`, or one already preceded by
//! backslashes) gets one more leading `\`, which decoding removes, so
//! `decode_description(&encode_description(f)?) == f` always holds.

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CodebookFields {
    pub definition: String,
    pub inclusion: String,
    pub exclusion: String,
    pub example: String,
    pub memo: String,
}

const HEADINGS: [&str; 5] = ["Definition", "Inclusion", "Exclusion", "Example", "Memo"];

/// Index of the heading that `line` starts with (`Heading:`), if any.
fn heading_of(line: &str) -> Option<(usize, &str)> {
    HEADINGS.iter().enumerate().find_map(|(i, h)| {
        line.strip_prefix(h)
            .and_then(|r| r.strip_prefix(':'))
            .map(|rest| (i, rest))
    })
}

/// True if the line, minus leading backslashes, starts with a heading.
fn looks_like_heading(line: &str) -> bool {
    heading_of(line.trim_start_matches('\\')).is_some()
}

fn escape_field(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for (i, line) in value.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            if looks_like_heading(line) {
                out.push('\\');
            }
        }
        out.push_str(line);
    }
    out
}

/// Packs the fields into one description; `None` when all are empty.
pub fn encode_description(f: &CodebookFields) -> Option<String> {
    let values = [
        &f.definition,
        &f.inclusion,
        &f.exclusion,
        &f.example,
        &f.memo,
    ];
    if values.iter().all(|v| v.is_empty()) {
        return None;
    }
    let only_definition = values[1..].iter().all(|v| v.is_empty());
    if only_definition && !f.definition.split('\n').any(looks_like_heading) {
        return Some(f.definition.clone());
    }
    let parts: Vec<String> = HEADINGS
        .iter()
        .zip(values)
        .filter(|(_, v)| !v.is_empty())
        .map(|(h, v)| format!("{h}: {}", escape_field(v)))
        .collect();
    Some(parts.join("\n\n"))
}

/// Unpacks a description. Text before any heading (or text with no headings at
/// all) becomes the definition; a repeated heading appends to its field.
pub fn decode_description(s: &str) -> CodebookFields {
    // (field index, lines, came from a heading)
    let mut segments: Vec<(usize, Vec<&str>, bool)> = Vec::new();
    let mut current: (usize, Vec<&str>, bool) = (0, Vec::new(), false);
    for line in s.split('\n') {
        if let Some((idx, rest)) = heading_of(line) {
            let prev = std::mem::replace(&mut current, (idx, Vec::new(), true));
            if prev.2 || !prev.1.is_empty() {
                segments.push(prev);
            }
            current.1.push(rest.strip_prefix(' ').unwrap_or(rest));
        } else if current.2 && looks_like_heading(line) {
            current.1.push(&line[1..]);
        } else {
            current.1.push(line);
        }
    }
    let last = segments.len();
    segments.push(current);
    let mut fields: [Option<String>; 5] = Default::default();
    for (i, (idx, mut lines, _)) in segments.into_iter().enumerate() {
        if i < last && lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        let text = lines.join("\n");
        match &mut fields[idx] {
            Some(existing) => {
                existing.push_str("\n\n");
                existing.push_str(&text);
            }
            slot => *slot = Some(text),
        }
    }
    let [definition, inclusion, exclusion, example, memo] = fields.map(Option::unwrap_or_default);
    CodebookFields {
        definition,
        inclusion,
        exclusion,
        example,
        memo,
    }
}
