//! Cases → participants (matched by ID), their variable values, and who speaks as whom.

use super::documents::kind_name;
use super::{Ctx, keep_guid, key};
use crate::error::Result;
use crate::exchange::refi::RefiCase;
use crate::exchange::to_refi::{ROLE_LINE, SPEAKS_AS_LINE};
use crate::study::history::{Recorder, id_key};
use crate::study::participants::{
    Scope, ensure_attribute, ensure_participant, map_speaker, set_participant_value,
};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};

pub(super) fn import_cases(rec: &mut Recorder, ctx: &mut Ctx, cases: &[RefiCase]) -> Result<()> {
    for case in cases {
        import_case(rec, ctx, case)?;
    }
    Ok(())
}

fn import_case(rec: &mut Recorder, ctx: &mut Ctx, case: &RefiCase) -> Result<()> {
    // A participant ID is a label: capped like a coder's name.
    let pid: String = case
        .name
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(64)
        .collect();
    let pid = if pid.is_empty() {
        let g = case.guid.trim().trim_matches(['{', '}']);
        format!("case-{}", g.chars().take(8).collect::<String>())
    } else {
        pid
    };
    let description = case.description.clone().unwrap_or_default();
    let role = description
        .lines()
        .find_map(|l| l.strip_prefix(ROLE_LINE))
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    let existed: bool = rec
        .tx
        .prepare_cached("SELECT 1 FROM participants WHERE pid = ?1")?
        .query_row([&pid], |_| Ok(()))
        .optional()?
        .is_some();
    let pid_id = ensure_participant(rec, &pid, role.as_deref())?;
    if existed {
        ctx.report.participants_matched.push(pid.clone());
    } else {
        let guid = keep_guid(rec, "participants", &case.guid)?;
        rec.update(
            "participants",
            &id_key(pid_id),
            &[("guid", Value::Text(guid))],
        )?;
        ctx.report.participants_created.push(pid.clone());
    }
    for v in &case.variable_values {
        let Some((vname, kind)) = ctx.variables.get(&key(&v.variable_guid)).cloned() else {
            continue;
        };
        if v.value.is_empty() {
            continue;
        }
        let attr = ensure_attribute(rec, Scope::Participant, &vname, kind_name(kind))?;
        set_participant_value(rec, pid_id, attr, &v.value)?;
        ctx.report.attribute_values_set += 1;
    }
    // Who speaks as whom: from our own Description lines, else the case name as a label.
    let docs: Vec<i64> = case
        .source_refs
        .iter()
        .filter_map(|r| ctx.source_doc.get(&key(r)).copied())
        .collect();
    let mut mapped = false;
    for line in description.lines() {
        let Some(rest) = line.strip_prefix(SPEAKS_AS_LINE) else {
            continue;
        };
        let Some((label, doc_name)) = rest.rsplit_once(" | ") else {
            continue;
        };
        for &doc in &docs {
            let name: String = rec
                .tx
                .prepare_cached("SELECT name FROM documents WHERE id = ?1")?
                .query_row([doc], |r| r.get(0))?;
            if name == doc_name.trim() || docs.len() == 1 {
                map_speaker(rec, doc, label.trim(), pid_id)?;
                mapped = true;
                break;
            }
        }
    }
    if !mapped {
        for &doc in &docs {
            let label: Option<String> = rec
                .tx
                .prepare_cached(
                    "SELECT label FROM speakers WHERE document_id = ?1 AND lower(label) = lower(?2)",
                )?
                .query_row(params![doc, pid], |r| r.get(0))
                .optional()?;
            if let Some(label) = label {
                map_speaker(rec, doc, &label, pid_id)?;
            }
        }
    }
    Ok(())
}
