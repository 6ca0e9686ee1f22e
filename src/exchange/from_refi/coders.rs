//! Users → coders: matched by GUID, then by name; the rest created.
//!
//! `consensus` is reserved for the coder that holds resolved disagreements (issue 11): a user
//! of that name in an incoming file is not our consensus — unless it is the same coder by GUID
//! (a study's own export coming back) — so it comes in as `consensus (imported)`, said.

use super::{ProjectReport, keep_guid, key};
use crate::agreement::review::CONSENSUS_CODER;
use crate::error::Result;
use crate::exchange::refi::RefiUser;
use crate::study::history::Recorder;
use rusqlite::OptionalExtension;
use rusqlite::types::Value;
use std::collections::HashMap;

/// The name a reserved coder name is given when it comes from outside.
pub const IMPORTED_CONSENSUS: &str = "consensus (imported)";

fn clean_coder_name(name: &str, guid: &str) -> String {
    let cleaned: String = name.trim().chars().filter(|c| !c.is_control()).collect();
    let cleaned: String = cleaned.chars().take(64).collect();
    if cleaned.is_empty() {
        let g = guid.trim().trim_matches(['{', '}']);
        format!("user-{}", g.chars().take(8).collect::<String>())
    } else {
        cleaned
    }
}

/// Imports the file's users; returns their GUIDs (upper case) → our coder ids.
pub(super) fn import_users(
    rec: &mut Recorder,
    users: &[RefiUser],
    report: &mut ProjectReport,
) -> Result<HashMap<String, i64>> {
    let mut map = HashMap::new();
    for u in users {
        let g = u.guid.trim().trim_matches(['{', '}']);
        let existing: Option<(i64, String)> = rec
            .tx
            .prepare_cached("SELECT id, name FROM coders WHERE guid IN (?1, lower(?1), upper(?1))")?
            .query_row([g], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let id = match existing {
            Some((id, name)) => {
                report.coders_matched.push(name);
                id
            }
            None => {
                let mut name = clean_coder_name(&u.name, &u.guid);
                if name.eq_ignore_ascii_case(CONSENSUS_CODER) {
                    report.notes.push(format!(
                        "the file's coder '{name}' came in as '{IMPORTED_CONSENSUS}': '{CONSENSUS_CODER}' is reserved for this study's resolved disagreements"
                    ));
                    name = IMPORTED_CONSENSUS.to_string();
                }
                let by_name: Option<i64> = rec
                    .tx
                    .prepare_cached("SELECT id FROM coders WHERE name = ?1")?
                    .query_row([&name], |r| r.get(0))
                    .optional()?;
                match by_name {
                    Some(id) => {
                        if !report.coders_matched.contains(&name) {
                            report.coders_matched.push(name);
                        }
                        id
                    }
                    None => {
                        let guid = keep_guid(rec, "coders", &u.guid)?;
                        let now = rec.now.clone();
                        let id = rec.insert(
                            "coders",
                            &[
                                ("name", Value::Text(name.clone())),
                                ("guid", Value::Text(guid)),
                                ("is_consensus", Value::Integer(0)),
                                ("created_at", Value::Text(now)),
                            ],
                        )?;
                        report.coders_created.push(name);
                        id
                    }
                }
            }
        };
        map.insert(key(&u.guid), id);
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_names_are_named_after_the_guid() {
        assert_eq!(clean_coder_name("  ", "{abcdef12-0000}"), "user-abcdef12");
        assert_eq!(clean_coder_name("", "ab"), "user-ab");
        assert_eq!(clean_coder_name(" Sam\u{7}", "x"), "Sam");
    }
}
