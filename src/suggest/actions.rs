//! Accepting and rejecting suggestions: both are ordinary recorded actions of the current
//! coder, so `undo` takes them back. An accepted suggestion becomes a coding like any other
//! (the history says it came from a suggestion); a rejected one is remembered per coder.

use super::suggestions::Suggestion;
use crate::error::Result;
use crate::study::{Coder, Study};
use rusqlite::types::Value;

pub const ACCEPT_KIND: &str = "suggestion.accept";
pub const REJECT_KIND: &str = "suggestion.reject";

fn describe(s: &Suggestion) -> String {
    format!(
        "{} on {} turn {} ({:.0}% confident)",
        s.code,
        s.document,
        s.turn,
        s.confidence * 100.0
    )
}

/// Codes the suggestion's unit as `coder`; returns the new coding's id.
pub fn accept(study: &mut Study, coder: &Coder, s: &Suggestion) -> Result<i64> {
    let summary = format!("accept suggestion: {}", describe(s));
    study.change(Some(coder.id), ACCEPT_KIND, &summary, |rec| {
        crate::coding::add(rec, s.document_id, s.code_id, coder.id, s.start, s.end)
    })
}

/// Remembers that `coder` does not want this suggestion.
pub fn reject(study: &mut Study, coder: &Coder, s: &Suggestion) -> Result<i64> {
    let summary = format!("reject suggestion: {}", describe(s));
    study.change(Some(coder.id), REJECT_KIND, &summary, |rec| {
        let now = rec.now.clone();
        rec.insert(
            "suggestion_rejections",
            &[
                ("document_id", Value::Integer(s.document_id)),
                ("code_id", Value::Integer(s.code_id)),
                ("coder_id", Value::Integer(coder.id)),
                ("start", Value::Integer(s.start)),
                ("end", Value::Integer(s.end)),
                ("rejected_at", Value::Text(now)),
            ],
        )
    })
}
