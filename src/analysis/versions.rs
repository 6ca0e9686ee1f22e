//! Codebook versions: named snapshots of the code tree, and the difference between two
//! versions (or a version and now) — codes added, removed, renamed, moved, merged, split and
//! redefined. Identity is the code's GUID; merges and splits are read from the history
//! (`change_rows`): a merge is a code row deleted in the same action that moved its codings
//! to another code; a split is a new code receiving codings from a code that lives on.

use crate::codebook;
use crate::error::Result;
use crate::study::Study;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::collections::{BTreeMap, HashMap, HashSet};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotCode {
    pub id: i64,
    pub guid: String,
    pub parent_guid: Option<String>,
    pub path: String,
    pub name: String,
    pub colour: String,
    pub definition: String,
    pub inclusion: String,
    pub exclusion: String,
    pub example: String,
    pub memo: String,
}

/// What `codebook_versions.codebook` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodebookSnapshot {
    pub codes: Vec<SnapshotCode>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionInfo {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    pub change_id: Option<i64>,
    pub codes: usize,
}

/// The codebook as it stands.
pub fn current(conn: &Connection) -> Result<CodebookSnapshot> {
    let codes = codebook::all(conn)?;
    let guid: HashMap<i64, String> = codes.iter().map(|c| (c.id, c.guid.clone())).collect();
    Ok(CodebookSnapshot {
        codes: codes
            .into_iter()
            .map(|c| SnapshotCode {
                id: c.id,
                parent_guid: c.parent_id.and_then(|p| guid.get(&p).cloned()),
                guid: c.guid,
                path: c.path,
                name: c.name,
                colour: c.colour,
                definition: c.definition,
                inclusion: c.inclusion,
                exclusion: c.exclusion,
                example: c.example,
                memo: c.memo,
            })
            .collect(),
    })
}

/// Records the codebook as version `name` (one undoable action of `coder`).
pub fn snapshot(study: &mut Study, coder: Option<i64>, name: &str) -> Result<VersionInfo> {
    let name = name.trim();
    if name.is_empty() || name.eq_ignore_ascii_case("now") || name.chars().any(char::is_control) {
        return Err(crate::invalid!(
            "'{name}' cannot name a codebook version (not empty, not 'now')"
        ));
    }
    if find(study.conn(), name)?.is_some() {
        return Err(crate::invalid!(
            "a codebook version called '{name}' exists already (see `thematic codebook versions`)"
        ));
    }
    let snap = current(study.conn())?;
    let json = serde_json::to_string(&snap).map_err(|e| crate::invalid!("{e}"))?;
    let summary = format!("snapshot codebook as '{name}'");
    let id = study.change(coder, "codebook.snapshot", &summary, |rec| {
        let now = rec.now.clone();
        let change = rec.change_id;
        rec.insert(
            "codebook_versions",
            &[
                ("name", Value::Text(name.to_string())),
                ("created_at", Value::Text(now)),
                ("change_id", Value::Integer(change)),
                ("codebook", Value::Text(json)),
            ],
        )
    })?;
    list(study.conn())?
        .into_iter()
        .find(|v| v.id == id)
        .ok_or_else(|| crate::not_found!("version '{name}' vanished"))
}

fn find(conn: &Connection, name: &str) -> Result<Option<(VersionInfo, CodebookSnapshot)>> {
    let row: Option<(i64, String, String, Option<i64>, String)> = conn
        .prepare_cached(
            "SELECT id, name, created_at, change_id, codebook FROM codebook_versions WHERE name = ?1",
        )?
        .query_row([name], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?;
    let Some((id, name, created_at, change_id, json)) = row else {
        return Ok(None);
    };
    let snap: CodebookSnapshot = serde_json::from_str(&json)
        .map_err(|e| crate::invalid!("codebook version '{name}' is damaged: {e}"))?;
    Ok(Some((
        VersionInfo {
            id,
            name,
            created_at,
            change_id,
            codes: snap.codes.len(),
        },
        snap,
    )))
}

pub fn list(conn: &Connection) -> Result<Vec<VersionInfo>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, created_at, change_id, codebook FROM codebook_versions ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        let json: String = r.get(4)?;
        Ok(VersionInfo {
            id: r.get(0)?,
            name: r.get(1)?,
            created_at: r.get(2)?,
            change_id: r.get(3)?,
            codes: serde_json::from_str::<CodebookSnapshot>(&json)
                .map(|s| s.codes.len())
                .unwrap_or(0),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A version by name, or `now` (the codebook as it stands, up to the latest change).
fn load(conn: &Connection, name: &str) -> Result<(String, i64, CodebookSnapshot)> {
    if name.eq_ignore_ascii_case("now") {
        let last: i64 =
            conn.query_row("SELECT ifnull(max(id), 0) FROM changes", [], |r| r.get(0))?;
        return Ok(("now".into(), last, current(conn)?));
    }
    match find(conn, name)? {
        Some((info, snap)) => Ok((info.name, info.change_id.unwrap_or(0), snap)),
        None => {
            let names: Vec<String> = list(conn)?.into_iter().map(|v| v.name).collect();
            Err(crate::not_found!(
                "no codebook version '{name}' (versions: {}; or 'now')",
                if names.is_empty() {
                    "none yet — `thematic codebook snapshot NAME`".into()
                } else {
                    names.join(", ")
                }
            ))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Renamed {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Moved {
    pub code: String,
    pub from_parent: Option<String>,
    pub to_parent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Merged {
    pub from: String,
    pub into: String,
    /// Codings that moved (duplicates the target already had are not counted).
    pub codings: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Split {
    /// The new code…
    pub code: String,
    /// …and the code its codings came from.
    pub from: String,
    pub codings: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Redefined {
    pub code: String,
    pub fields: Vec<FieldChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct CodebookDiff {
    pub from: String,
    pub to: String,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub renamed: Vec<Renamed>,
    pub moved: Vec<Moved>,
    pub merged: Vec<Merged>,
    pub split: Vec<Split>,
    pub redefined: Vec<Redefined>,
}

impl CodebookDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.renamed.is_empty()
            && self.moved.is_empty()
            && self.merged.is_empty()
            && self.split.is_empty()
            && self.redefined.is_empty()
    }
}

/// A coding's place: (coder, document, start, end).
type CodingKey = (i64, i64, i64, i64);

fn parse_image(s: Option<String>) -> Option<serde_json::Map<String, Json>> {
    match serde_json::from_str::<Json>(&s?) {
        Ok(Json::Object(m)) => Some(m),
        _ => None,
    }
}

/// The difference from version `a` to version `b` (`b` may be `now`).
pub fn diff(conn: &Connection, a: &str, b: &str) -> Result<CodebookDiff> {
    let (a_name, a_change, a_snap) = load(conn, a)?;
    let (b_name, b_change, b_snap) = load(conn, b)?;
    if a_change > b_change {
        return Err(crate::invalid!(
            "'{a_name}' is newer than '{b_name}'; give the older version first"
        ));
    }
    let old: HashMap<&str, &SnapshotCode> =
        a_snap.codes.iter().map(|c| (c.guid.as_str(), c)).collect();
    let new: HashMap<&str, &SnapshotCode> =
        b_snap.codes.iter().map(|c| (c.guid.as_str(), c)).collect();
    let path_of = |guid: &str| -> String {
        new.get(guid)
            .or_else(|| old.get(guid))
            .map(|c| c.path.clone())
            .unwrap_or_default()
    };
    let mut out = CodebookDiff {
        from: a_name,
        to: b_name,
        ..Default::default()
    };
    let removed: HashSet<&str> = old
        .keys()
        .filter(|g| !new.contains_key(*g))
        .copied()
        .collect();
    let added: HashSet<&str> = new
        .keys()
        .filter(|g| !old.contains_key(*g))
        .copied()
        .collect();

    // The history between the two versions: codings moving from one code to another.
    let mut guid_of: HashMap<i64, String> = HashMap::new();
    let mut name_of: HashMap<String, String> = HashMap::new();
    for c in a_snap.codes.iter().chain(b_snap.codes.iter()) {
        guid_of.insert(c.id, c.guid.clone());
    }
    // (from code id, to code id) → codings moved, and whether `from` was deleted alongside.
    let mut transfers: BTreeMap<(i64, i64), (i64, bool)> = BTreeMap::new();
    let mut merge_fallback: Vec<(i64, String)> = Vec::new();
    {
        let mut stmt = conn.prepare(
            "SELECT c.id, c.kind, c.summary, r.table_name, r.before, r.after
               FROM changes c JOIN change_rows r ON r.change_id = c.id
              WHERE c.id > ?1 AND c.id <= ?2 AND r.table_name IN ('codes', 'codings')
              ORDER BY c.id, r.seq",
        )?;
        let mut rows = stmt.query([a_change, b_change])?;
        let mut current = -1i64;
        let mut kind = String::new();
        let mut summary = String::new();
        let mut deleted_codes: HashSet<i64> = HashSet::new();
        let mut moves: HashMap<(i64, i64), i64> = HashMap::new();
        // Codings deleted / inserted in this change, keyed by (coder, document, start, end).
        let mut gone: HashMap<CodingKey, i64> = HashMap::new();
        let mut came: Vec<(CodingKey, i64)> = Vec::new();
        let mut finish = |kind: &str,
                          summary: &str,
                          deleted: &mut HashSet<i64>,
                          moves: &mut HashMap<(i64, i64), i64>,
                          gone: &mut HashMap<CodingKey, i64>,
                          came: &mut Vec<(CodingKey, i64)>| {
            for (key, to) in came.drain(..) {
                if let Some(&from) = gone.get(&key)
                    && from != to
                {
                    *moves.entry((from, to)).or_default() += 1;
                }
            }
            let mut sources: HashSet<i64> = HashSet::new();
            for ((from, to), n) in moves.drain() {
                sources.insert(from);
                let e = transfers.entry((from, to)).or_default();
                e.0 += n;
                e.1 |= deleted.contains(&from);
            }
            if kind == "codes.merge" {
                for d in deleted.iter() {
                    if !sources.contains(d)
                        && let Some(into) = summary.rsplit_once(" into ").map(|x| x.1)
                    {
                        merge_fallback.push((*d, into.trim().to_string()));
                    }
                }
            }
            deleted.clear();
            gone.clear();
        };
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            if id != current {
                finish(
                    &kind,
                    &summary,
                    &mut deleted_codes,
                    &mut moves,
                    &mut gone,
                    &mut came,
                );
                current = id;
                kind = r.get(1)?;
                summary = r.get(2)?;
            }
            let table: String = r.get(3)?;
            let before = parse_image(r.get(4)?);
            let after = parse_image(r.get(5)?);
            let int = |m: &serde_json::Map<String, Json>, k: &str| m.get(k).and_then(Json::as_i64);
            if table == "codes" {
                for img in [&before, &after].into_iter().flatten() {
                    if let (Some(id), Some(Json::String(g))) = (int(img, "id"), img.get("guid")) {
                        guid_of.entry(id).or_insert_with(|| g.clone());
                        if let Some(Json::String(n)) = img.get("name") {
                            name_of.entry(g.clone()).or_insert_with(|| n.clone());
                        }
                    }
                }
                if let (Some(b), None) = (&before, &after)
                    && let Some(id) = int(b, "id")
                {
                    deleted_codes.insert(id);
                }
                continue;
            }
            let key = |m: &serde_json::Map<String, Json>| {
                (
                    int(m, "coder_id").unwrap_or(0),
                    int(m, "document_id").unwrap_or(0),
                    int(m, "start").unwrap_or(0),
                    int(m, "end").unwrap_or(0),
                )
            };
            match (&before, &after) {
                (Some(b), Some(a)) => {
                    if let (Some(from), Some(to)) = (int(b, "code_id"), int(a, "code_id"))
                        && from != to
                    {
                        *moves.entry((from, to)).or_default() += 1;
                    }
                }
                (Some(b), None) => {
                    if let Some(from) = int(b, "code_id") {
                        gone.insert(key(b), from);
                    }
                }
                (None, Some(a)) => {
                    if let Some(to) = int(a, "code_id") {
                        came.push((key(a), to));
                    }
                }
                (None, None) => {}
            }
        }
        finish(
            &kind,
            &summary,
            &mut deleted_codes,
            &mut moves,
            &mut gone,
            &mut came,
        );
    }
    let display = |guid: &str| -> String {
        let p = path_of(guid);
        if p.is_empty() {
            name_of
                .get(guid)
                .cloned()
                .unwrap_or_else(|| guid.to_string())
        } else {
            p
        }
    };
    let mut merged_from: HashSet<String> = HashSet::new();
    for (&(from, to), &(n, deleted)) in &transfers {
        let back = transfers.get(&(to, from)).map_or(0, |x| x.0);
        let net = n - back;
        let (Some(fg), Some(tg)) = (guid_of.get(&from), guid_of.get(&to)) else {
            continue;
        };
        if net <= 0 {
            continue;
        }
        if deleted && removed.contains(fg.as_str()) {
            if merged_from.insert(fg.clone()) {
                out.merged.push(Merged {
                    from: display(fg),
                    into: display(tg),
                    codings: net as u64,
                });
            }
        } else if added.contains(tg.as_str()) && new.contains_key(fg.as_str()) {
            out.split.push(Split {
                code: display(tg),
                from: display(fg),
                codings: net as u64,
            });
        }
    }
    for (from, into) in merge_fallback {
        if let Some(fg) = guid_of.get(&from)
            && removed.contains(fg.as_str())
            && merged_from.insert(fg.clone())
        {
            out.merged.push(Merged {
                from: display(fg),
                into,
                codings: 0,
            });
        }
    }
    for c in &b_snap.codes {
        if added.contains(c.guid.as_str()) {
            out.added.push(c.path.clone());
        }
    }
    for c in &a_snap.codes {
        if removed.contains(c.guid.as_str()) && !merged_from.contains(&c.guid) {
            out.removed.push(c.path.clone());
        }
    }
    for c in &b_snap.codes {
        let Some(o) = old.get(c.guid.as_str()) else {
            continue;
        };
        if o.name != c.name {
            out.renamed.push(Renamed {
                from: o.path.clone(),
                to: c.path.clone(),
            });
        }
        if o.parent_guid != c.parent_guid {
            out.moved.push(Moved {
                code: c.path.clone(),
                from_parent: o.parent_guid.as_deref().map(&path_of),
                to_parent: c.parent_guid.as_deref().map(&path_of),
            });
        }
        let mut fields = Vec::new();
        for (field, before, after) in [
            ("definition", &o.definition, &c.definition),
            ("inclusion", &o.inclusion, &c.inclusion),
            ("exclusion", &o.exclusion, &c.exclusion),
            ("example", &o.example, &c.example),
        ] {
            if before != after {
                fields.push(FieldChange {
                    field: field.into(),
                    before: before.clone(),
                    after: after.clone(),
                });
            }
        }
        if !fields.is_empty() {
            out.redefined.push(Redefined {
                code: c.path.clone(),
                fields,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::seed;
    use super::*;
    use crate::codebook::{CodeFields, edit};
    use crate::study::history::id_key;

    #[test]
    fn diff_covers_every_kind_of_change() {
        let (_dir, mut study, ids) = seed();
        let alex = Some(ids.alex);
        snapshot(&mut study, alex, "v1").unwrap();
        assert!(snapshot(&mut study, alex, "v1").is_err());
        study
            .change(alex, "codes.rename", "rename Trust", |rec| {
                edit::rename(rec, "Trust", "Trust in clinicians")
            })
            .unwrap();
        study
            .change(alex, "codes.move", "move Worry", |rec| {
                edit::move_to(rec, "Emotion/Worry", Some("Access"))
            })
            .unwrap();
        study
            .change(
                alex,
                "codes.merge",
                "merge Access/Distance into Access/Cost",
                |rec| edit::merge(rec, "Access/Distance", "Access/Cost"),
            )
            .unwrap();
        study
            .change(alex, "codes.add", "add Stigma", |rec| {
                edit::add(
                    rec,
                    "Stigma",
                    &CodeFields {
                        definition: Some("Feeling judged".into()),
                        ..Default::default()
                    },
                )
            })
            .unwrap();
        study
            .change(alex, "codes.delete", "delete Emotion", |rec| {
                edit::delete(rec, "Emotion", false)
            })
            .unwrap();
        study
            .change(alex, "codes.describe", "describe Cost", |rec| {
                edit::describe(
                    rec,
                    "Access/Cost",
                    &CodeFields {
                        definition: Some("Money as a barrier".into()),
                        ..Default::default()
                    },
                )
            })
            .unwrap();
        // Split: a new code takes FG2's Cost coding (coding 3: parking).
        study
            .change(alex, "codings.recode", "split parking out of Cost", |rec| {
                let (parking, _) = edit::ensure_path(rec, "Access/Parking")?;
                let id: i64 = rec.tx.query_row(
                    "SELECT c.id FROM codings c JOIN codes k ON k.id = c.code_id WHERE k.name = 'Cost' AND c.document_id = ?1",
                    [ids.docs[1]],
                    |r| r.get(0),
                )?;
                rec.update("codings", &id_key(id), &[("code_id", Value::Integer(parking))])?;
                Ok(())
            })
            .unwrap();
        // An undone change leaves no trace in the diff.
        study
            .change(alex, "codes.rename", "rename Stigma", |rec| {
                edit::rename(rec, "Stigma", "Shame")
            })
            .unwrap();
        let alex_coder = study.coder_by_name("alex").unwrap().unwrap();
        study.undo(&alex_coder).unwrap();
        snapshot(&mut study, alex, "v2").unwrap();

        for to in ["v2", "now"] {
            let d = diff(study.conn(), "v1", to).unwrap();
            assert_eq!(d.added, ["Access/Parking", "Stigma"], "{d:#?}");
            assert_eq!(d.removed, ["Emotion"]);
            assert_eq!(
                d.renamed,
                [Renamed {
                    from: "Trust".into(),
                    to: "Trust in clinicians".into()
                }]
            );
            assert_eq!(
                d.moved,
                [Moved {
                    code: "Access/Worry".into(),
                    from_parent: Some("Emotion".into()),
                    to_parent: Some("Access".into())
                }]
            );
            // Distance had 2 codings (FG1, FG3), neither duplicated on Cost.
            assert_eq!(
                d.merged,
                [Merged {
                    from: "Access/Distance".into(),
                    into: "Access/Cost".into(),
                    codings: 2
                }]
            );
            assert_eq!(
                d.split,
                [Split {
                    code: "Access/Parking".into(),
                    from: "Access/Cost".into(),
                    codings: 1
                }]
            );
            assert_eq!(d.redefined.len(), 1);
            assert_eq!(d.redefined[0].code, "Access/Cost");
            assert_eq!(d.redefined[0].fields[0].after, "Money as a barrier");
        }
        assert!(diff(study.conn(), "v2", "now").unwrap().is_empty());
        assert!(diff(study.conn(), "v2", "v1").is_err());
        assert_eq!(list(study.conn()).unwrap().len(), 2);
    }
}
