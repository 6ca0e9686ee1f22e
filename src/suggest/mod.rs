//! Code suggestions learned on this machine from the team's own codings (issue 15): a linear
//! model over TF-IDF features of words and word pairs per code, evaluated by cross-validation
//! over documents, explained by its heaviest words and the most similar coded excerpt. Nothing
//! leaves the machine and nothing is downloaded. Suggestions are never codings until a person
//! accepts one, so agreement never counts them.

pub mod actions;
pub mod codec;
pub mod dataset;
pub mod evaluation;
pub mod features;
pub mod logistic;
pub mod model;
pub mod planted;
pub mod suggestions;
pub mod training;

use crate::error::Result;
use crate::study::Coder;
use rusqlite::Connection;

/// Creates the suggestion tables when missing. Study files written while schema version 7 was
/// reserved but empty already carry that version number, so the migration never ran on them;
/// the migration is idempotent, so running it again is harmless.
pub fn ensure_schema(conn: &Connection) -> Result<()> {
    let present: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('suggestion_models', 'suggestion_rejections')",
        )?
        .query_row([], |r| r.get(0))?;
    if present < 2 {
        conn.execute_batch(include_str!("../study/migration_7.sql"))?;
    }
    Ok(())
}

/// Whose codings to learn from: `--coder NAME` (or `consensus`) when given; else the consensus
/// coder when it has codings; else the acting coder. Returns the coder and a note saying which
/// rule chose them, to be shown (never a silent guess).
pub fn choose_coder(
    conn: &Connection,
    explicit: Option<&str>,
    acting: &str,
) -> Result<(Coder, String)> {
    let with_codings = crate::study::coders_with_codings(conn)?;
    let listed = || {
        if with_codings.is_empty() {
            "nobody has coded anything yet".to_string()
        } else {
            format!(
                "coders with codings: {}",
                with_codings
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    };
    if let Some(name) = explicit {
        let found = with_codings
            .iter()
            .find(|c| c.name == name)
            .or_else(|| {
                (name == "consensus")
                    .then(|| with_codings.iter().find(|c| c.is_consensus))
                    .flatten()
            })
            .cloned()
            .ok_or_else(|| crate::not_found!("coder '{name}' has no codings ({})", listed()))?;
        return Ok((found.clone(), format!("{}'s codings (--coder)", found.name)));
    }
    if let Some(c) = with_codings.iter().find(|c| c.is_consensus) {
        return Ok((
            c.clone(),
            format!(
                "{}'s codings (the consensus is the default; --coder NAME to learn from one coder)",
                c.name
            ),
        ));
    }
    if let Some(c) = with_codings.iter().find(|c| c.name == acting) {
        return Ok((
            c.clone(),
            format!(
                "{}'s codings (no consensus codings yet, so yours; --coder NAME to choose)",
                c.name
            ),
        ));
    }
    Err(crate::invalid!(
        "say whose codings to learn from with --coder NAME (there are no consensus codings and {acting} has none; {})",
        listed()
    ))
}

/// Suggestions are off by default while coders code blind (two or more independent coders),
/// so that they cannot steer an independent coding round.
pub fn blind_round(conn: &Connection) -> Result<bool> {
    Ok(crate::coding::view::independent_coders_with_codings(conn)? > 1)
}
