//! Participants, their typed attributes, document attributes, and which participant speaks under
//! which label in each document.

use super::history::{Key, Recorder, id_key};
use super::new_guid;
use crate::error::Result;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Participant,
    Document,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Participant => "participant",
            Scope::Document => "document",
        }
    }
}

/// The narrowest type every value fits, so attributes keep their type in exports (REFI-QDA
/// variables are typed) and sort sensibly.
pub fn infer_kind<'a>(values: impl IntoIterator<Item = &'a str>) -> &'static str {
    let values: Vec<&str> = values.into_iter().filter(|v| !v.is_empty()).collect();
    if values.is_empty() {
        return "text";
    }
    if values.iter().all(|v| v.parse::<i64>().is_ok()) {
        "integer"
    } else if values.iter().all(|v| v.parse::<f64>().is_ok()) {
        "float"
    } else if values
        .iter()
        .all(|v| matches!(v.to_lowercase().as_str(), "true" | "false" | "yes" | "no"))
    {
        "boolean"
    } else if values
        .iter()
        .all(|v| chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok())
    {
        "date"
    } else {
        "text"
    }
}

/// The attribute's id, defined (with `kind`) when missing.
pub fn ensure_attribute(rec: &mut Recorder, scope: Scope, name: &str, kind: &str) -> Result<i64> {
    let existing: Option<i64> = rec
        .tx
        .prepare_cached("SELECT id FROM attributes WHERE scope = ?1 AND name = ?2")?
        .query_row(params![scope.as_str(), name], |r| r.get(0))
        .optional()?;
    if let Some(id) = existing {
        return Ok(id);
    }
    rec.insert(
        "attributes",
        &[
            ("scope", Value::Text(scope.as_str().into())),
            ("name", Value::Text(name.into())),
            ("kind", Value::Text(kind.into())),
            ("guid", Value::Text(new_guid())),
        ],
    )
}

/// The participant's id, created with `role` when missing; the role is updated when given.
pub fn ensure_participant(rec: &mut Recorder, pid: &str, role: Option<&str>) -> Result<i64> {
    let existing: Option<(i64, String)> = rec
        .tx
        .prepare_cached("SELECT id, role FROM participants WHERE pid = ?1")?
        .query_row([pid], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match existing {
        Some((id, current)) => {
            if let Some(role) = role
                && role != current
            {
                rec.update(
                    "participants",
                    &id_key(id),
                    &[("role", Value::Text(role.into()))],
                )?;
            }
            Ok(id)
        }
        None => rec.insert(
            "participants",
            &[
                ("pid", Value::Text(pid.into())),
                ("role", Value::Text(role.unwrap_or("participant").into())),
                ("guid", Value::Text(new_guid())),
            ],
        ),
    }
}

fn set_value(
    rec: &mut Recorder,
    table: &str,
    owner_col: &str,
    owner: i64,
    attr: i64,
    value: &str,
) -> Result<()> {
    let key: Key = vec![Value::Integer(owner), Value::Integer(attr)];
    if value.is_empty() {
        rec.delete(table, &key)?;
    } else if !rec.update(table, &key, &[("value", Value::Text(value.into()))])? {
        rec.insert(
            table,
            &[
                (owner_col, Value::Integer(owner)),
                ("attribute_id", Value::Integer(attr)),
                ("value", Value::Text(value.into())),
            ],
        )?;
    }
    Ok(())
}

pub fn set_participant_value(
    rec: &mut Recorder,
    participant: i64,
    attr: i64,
    value: &str,
) -> Result<()> {
    set_value(
        rec,
        "participant_attributes",
        "participant_id",
        participant,
        attr,
        value,
    )
}

pub fn set_document_value(rec: &mut Recorder, document: i64, attr: i64, value: &str) -> Result<()> {
    set_value(
        rec,
        "document_attributes",
        "document_id",
        document,
        attr,
        value,
    )
}

/// Links a speaker label of a document to a participant (the label must exist).
pub fn map_speaker(rec: &mut Recorder, document: i64, label: &str, participant: i64) -> Result<()> {
    let key: Key = vec![Value::Integer(document), Value::Text(label.into())];
    if !rec.update(
        "speakers",
        &key,
        &[("participant_id", Value::Integer(participant))],
    )? {
        rec.insert(
            "speakers",
            &[
                ("document_id", Value::Integer(document)),
                ("label", Value::Text(label.into())),
                ("participant_id", Value::Integer(participant)),
            ],
        )?;
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Speaker {
    pub label: String,
    pub participant: Option<String>,
    pub role: Option<String>,
    pub turns: i64,
    pub attributes: BTreeMap<String, String>,
}

/// The speakers of a document, each with its participant and attributes.
pub fn speakers(conn: &Connection, document_id: i64) -> Result<Vec<Speaker>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.label, p.pid, p.role, p.id,
                (SELECT count(*) FROM turns t WHERE t.document_id = s.document_id AND t.speaker = s.label)
           FROM speakers s LEFT JOIN participants p ON p.id = s.participant_id
          WHERE s.document_id = ?1 ORDER BY s.rowid",
    )?;
    let rows = stmt.query_map([document_id], |r| {
        Ok((
            Speaker {
                label: r.get(0)?,
                participant: r.get(1)?,
                role: r.get(2)?,
                turns: r.get(4)?,
                attributes: BTreeMap::new(),
            },
            r.get::<_, Option<i64>>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (mut speaker, pid) = row?;
        if let Some(pid) = pid {
            speaker.attributes = participant_attributes(conn, pid)?;
        }
        out.push(speaker);
    }
    Ok(out)
}

pub fn participant_attributes(
    conn: &Connection,
    participant_id: i64,
) -> Result<BTreeMap<String, String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.name, pa.value FROM participant_attributes pa JOIN attributes a ON a.id = pa.attribute_id WHERE pa.participant_id = ?1",
    )?;
    let rows = stmt.query_map([participant_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[derive(Debug, Clone, Serialize)]
pub struct Participant {
    pub id: i64,
    pub pid: String,
    pub role: String,
    pub attributes: BTreeMap<String, String>,
    /// (document name, speaker label) pairs this participant speaks under.
    pub appearances: Vec<(String, String)>,
}

/// Every participant with attributes and appearances. Three bulk queries grouped in memory: a
/// query per participant scanned every speaker row (no index on `participant_id`), which made
/// `participants` and the `.qdpx` export cost participants × speakers.
pub fn list(conn: &Connection) -> Result<Vec<Participant>> {
    let mut stmt = conn.prepare_cached("SELECT id, pid, role FROM participants ORDER BY pid")?;
    let people: Vec<(i64, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut appearances: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    let mut appear = conn.prepare_cached(
        "SELECT s.participant_id, d.name, s.label FROM speakers s JOIN documents d ON d.id = s.document_id
          WHERE s.participant_id IS NOT NULL ORDER BY d.sort_order, d.id, s.rowid",
    )?;
    for row in appear.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?)))? {
        let (id, doc, label) = row?;
        appearances.entry(id).or_default().push((doc, label));
    }
    let mut attributes: HashMap<i64, BTreeMap<String, String>> = HashMap::new();
    let mut attrs = conn.prepare_cached(
        "SELECT pa.participant_id, a.name, pa.value FROM participant_attributes pa JOIN attributes a ON a.id = pa.attribute_id",
    )?;
    for row in attrs.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?)))? {
        let (id, name, value) = row?;
        attributes.entry(id).or_default().insert(name, value);
    }
    Ok(people
        .into_iter()
        .map(|(id, pid, role)| Participant {
            id,
            pid,
            role,
            attributes: attributes.remove(&id).unwrap_or_default(),
            appearances: appearances.remove(&id).unwrap_or_default(),
        })
        .collect())
}

/// Attribute definitions of one scope: (name, kind).
pub fn attribute_names(conn: &Connection, scope: Scope) -> Result<Vec<(String, String)>> {
    let mut stmt =
        conn.prepare_cached("SELECT name, kind FROM attributes WHERE scope = ?1 ORDER BY id")?;
    let rows = stmt.query_map([scope.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_inferred_from_all_values() {
        assert_eq!(infer_kind(["1", "22", ""]), "integer");
        assert_eq!(infer_kind(["1", "2.5"]), "float");
        assert_eq!(infer_kind(["yes", "No"]), "boolean");
        assert_eq!(infer_kind(["2025-03-04"]), "date");
        assert_eq!(infer_kind(["40-49", "50-59"]), "text");
    }
}
