//! Analysis after a coding pass: where each theme shows up, in whom, with what else, whether
//! new codes are still appearing, and how the codebook changed.
//!
//! Every query is a pure function of a `&Connection` returning a serde-serialisable struct, so
//! the CLI, the HTML report and the TUI share them. Counting never loads document texts: it
//! reads codings from the `codings_analysis` covering index and turns from their small rows.
//!
//! Conventions shared by the queries:
//! - `coder: Option<i64>` selects one coder's codings; `None` pools every coder (codings are
//!   then counted once per coder, documents and participants distinctly).
//! - A coding's participants are the speakers of the turns it overlaps. Speakers whose
//!   participant has role `moderator` are left out of participant counts unless asked for.
//! - A parent code's figures include its subcodes (distinct documents and participants).

pub mod autocode;
pub mod cooccurrence;
pub mod frequencies;
pub(crate) mod index;
pub mod matrix;
pub mod report;
pub mod saturation;
pub mod search;
pub mod versions;

/// The small hand-checked study the tests use (public for the CLI and report tests).
#[doc(hidden)]
pub mod testutil;

use crate::error::Result;
use crate::study::participants::Scope;
use rusqlite::{Connection, OptionalExtension};

/// An attribute named on the command line (`gender`, `composition`, or `document:composition`
/// when a participant and a document attribute share a name).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AttributeRef {
    pub id: i64,
    pub name: String,
    #[serde(serialize_with = "scope_str")]
    pub scope: Scope,
}

fn scope_str<S: serde::Serializer>(scope: &Scope, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(scope.as_str())
}

/// Finds an attribute by name; participant attributes win a tie unless the scope is given.
pub fn resolve_attribute(conn: &Connection, name: &str) -> Result<AttributeRef> {
    let (scopes, bare): (&[Scope], &str) = if let Some(rest) = name.strip_prefix("document:") {
        (&[Scope::Document], rest)
    } else if let Some(rest) = name.strip_prefix("participant:") {
        (&[Scope::Participant], rest)
    } else {
        (&[Scope::Participant, Scope::Document], name)
    };
    for scope in scopes {
        let id: Option<(i64, String)> = conn
            .prepare_cached(
                "SELECT id, name FROM attributes WHERE scope = ?1 AND name = ?2 COLLATE NOCASE",
            )?
            .query_row([scope.as_str(), bare], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((id, name)) = id {
            return Ok(AttributeRef {
                id,
                name,
                scope: *scope,
            });
        }
    }
    let mut known: Vec<String> = Vec::new();
    for scope in [Scope::Participant, Scope::Document] {
        for (n, _) in crate::study::participants::attribute_names(conn, scope)? {
            known.push(format!("{n} ({})", scope.as_str()));
        }
    }
    Err(crate::not_found!(
        "no attribute '{name}'; the study has: {}",
        if known.is_empty() {
            "none (set some with `thematic import-attributes`)".to_string()
        } else {
            known.join(", ")
        }
    ))
}

/// `gender=female` → ("gender", "female").
pub fn parse_condition(s: &str) -> Result<(String, String)> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.trim().to_string())),
        _ => Err(crate::invalid!(
            "'{s}' is not a condition; write ATTRIBUTE=VALUE, e.g. gender=female"
        )),
    }
}

/// The coder id for a name, or an error naming the coders the study has.
pub fn resolve_coder(conn: &Connection, name: &str) -> Result<i64> {
    let id: Option<i64> = conn
        .prepare_cached("SELECT id FROM coders WHERE name = ?1")?
        .query_row([name], |r| r.get(0))
        .optional()?;
    id.ok_or_else(|| {
        let names: Vec<String> = conn
            .prepare("SELECT name FROM coders ORDER BY name")
            .and_then(|mut s| {
                s.query_map([], |r| r.get::<_, String>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .unwrap_or_default();
        crate::not_found!(
            "no coder '{name}' in this study (coders: {})",
            if names.is_empty() {
                "none yet".into()
            } else {
                names.join(", ")
            }
        )
    })
}

/// Sorts attribute values the way people expect: numerically when they all are numbers.
pub(crate) fn sort_values(values: &mut [String]) {
    if values.iter().all(|v| v.parse::<f64>().is_ok()) {
        values.sort_by(|a, b| {
            a.parse::<f64>()
                .unwrap_or(0.0)
                .total_cmp(&b.parse::<f64>().unwrap_or(0.0))
        });
    } else {
        values.sort_by_key(|v| v.to_lowercase());
    }
}

/// The label of the column holding participants or documents without a value.
pub const NO_VALUE: &str = "(no value)";
