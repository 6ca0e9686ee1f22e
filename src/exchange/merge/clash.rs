//! Two different codes under one name. A copy deletes a code and makes a new one under its name
//! while another copy keeps the old one (a decision against the deletion), or renames a code to
//! a name a code coming in holds: both codes stay, and every copy settles the clash alike — the
//! code with the greater GUID takes a suffix from its GUID (`Waiting ~1a2b3c4d`), whichever
//! arrived first. (Two codes made under one name on two copies on their own, which neither file
//! knew before, are still matched by name: see the fill pass.)

use super::fill::Fill;
use super::lineage::TheirIds;
use crate::error::Result;
use crate::study::history::{Recorder, id_key};
use rusqlite::OptionalExtension;
use rusqlite::types::Value;

/// The name a code with `guid` takes when another code holds `name`.
pub(super) fn suffixed(name: &str, guid: &str) -> String {
    let g = guid.to_ascii_lowercase();
    format!("{name} ~{}", &g[..g.len().min(8)])
}

/// The code other than `guid` that holds `name` under `parent`, with its GUID.
pub(super) fn holder(
    rec: &Recorder,
    parent: Option<i64>,
    name: &str,
    guid: &str,
) -> Result<Option<(i64, String)>> {
    Ok(rec
        .tx
        .prepare_cached(
            "SELECT id, guid FROM codes WHERE ifnull(parent_id, 0) = ifnull(?1, 0) AND name = ?2
               AND lower(guid) != lower(?3)",
        )?
        .query_row(rusqlite::params![parent, name, guid], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?)
}

/// Whether an incoming code and the code here holding its name are two codes both files know of
/// (so not one code made twice): their file knows ours, or our history knows theirs.
pub(super) fn distinct(f: &Fill, ids: &TheirIds, ours: &str, incoming: &str) -> bool {
    f.lineage && (ids.id_of("codes", ours).is_some() || f.was_deleted_here("codes", incoming))
}

/// Settles a clash between the code coming in (`incoming`) and the one here holding `name`:
/// returns the name the incoming code takes, after renaming the holder when it is the one to
/// take the suffix. The clash is listed.
pub(super) fn settle(
    rec: &mut Recorder,
    f: &mut Fill,
    holder: (i64, &str),
    incoming: &str,
    name: &str,
) -> Result<String> {
    let (holder_id, holder_guid) = holder;
    let renamed_guid = if holder_guid.to_ascii_lowercase() > incoming.to_ascii_lowercase() {
        holder_guid
    } else {
        incoming
    };
    let renamed = suffixed(name, renamed_guid);
    let incoming_name = if renamed_guid == holder_guid {
        match rec.update(
            "codes",
            &id_key(holder_id),
            &[("name", Value::Text(renamed.clone()))],
        ) {
            Ok(_) => name.to_string(),
            Err(e) if super::lineage::is_constraint(&e) => suffixed(name, incoming),
            Err(e) => return Err(e),
        }
    } else {
        renamed.clone()
    };
    // Said as a decision on the name, so that a copy which learns the change that met the
    // clash from elsewhere (where there was none) still takes the suffix.
    f.kept_ours.push((
        "codes".into(),
        renamed_guid.to_ascii_lowercase(),
        "name".into(),
    ));
    f.conflict(
        format!("two different codes named '{name}'"),
        "both",
        format!("one is now '{renamed}'; rename or merge them"),
    );
    Ok(incoming_name)
}
