//! The history: every write goes through a [`Recorder`], which stores the row's image before and
//! after in `change_rows`. Undo and redo replay those images, so one mechanism serves the audit
//! trail, undo/redo in the CLI and the TUI, and the codebook diff.

use crate::error::{Error, Result};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Transaction, params_from_iter};
use serde_json::{Map, Value as Json};

/// The tables whose rows the history can restore, and their key columns.
const TABLES: &[(&str, &[&str])] = &[
    ("coders", &["id"]),
    ("documents", &["id"]),
    ("turns", &["id"]),
    ("document_turns", &["document_id"]),
    ("attributes", &["id"]),
    ("document_attributes", &["document_id", "attribute_id"]),
    ("participants", &["id"]),
    (
        "participant_attributes",
        &["participant_id", "attribute_id"],
    ),
    ("speakers", &["document_id", "label"]),
    ("codes", &["id"]),
    ("codings", &["id"]),
    ("memos", &["id"]),
    // The workbench's pinned codes (migration 5): pinning is undoable like any action.
    ("pinned_codes", &["id"]),
    ("codebook_versions", &["id"]),
    ("reviews", &["id"]),
    // Agreement (issue 11): done marks, ICR rounds and their samples.
    ("document_done", &["id"]),
    ("icr_rounds", &["id"]),
    ("icr_sample", &["id"]),
    ("suggestion_rejections", &["id"]),
    ("document_text", &["id"]),
    ("turn_bounds", &["id"]),
];

/// Views: a history name for some columns of a real table, recorded in full even though the
/// table itself is lean, for the rare action that changes them (`revise` replaces a document's
/// text and moves its turns). Only updates go through a view.
const VIEWS: &[(&str, &str, &[&str])] = &[
    (
        "document_text",
        "documents",
        &["id", "content_hash", "char_count", "text"],
    ),
    ("turn_bounds", "turns", &["id", "start", "end"]),
];

fn view(table: &str) -> Option<(&'static str, &'static [&'static str])> {
    VIEWS
        .iter()
        .find(|(v, _, _)| *v == table)
        .map(|(_, real, cols)| (*real, *cols))
}

/// Tables whose rows never change after import, so the history keeps only their key (and name
/// and guid where they have them): a document's text, and its speaker turns. Undoing an import
/// still deletes them by key; keeping whole images of every turn doubled the bytes an import
/// writes and halved its speed (see BENCHMARKS.md).
const LEAN_TABLES: &[&str] = &["documents", "turns", "document_turns"];

/// Groups: one history row standing for every row of a real table with the same key, for rows
/// written together that never change on their own (a document's turns). Undo deletes them all.
const GROUPS: &[(&str, &str)] = &[("document_turns", "turns")];

fn group_table(table: &str) -> Option<&'static str> {
    GROUPS
        .iter()
        .find(|(group, _)| *group == table)
        .map(|(_, real)| *real)
}

fn lean_keeps(column: &str) -> bool {
    matches!(column, "id" | "name" | "guid")
}

fn key_columns(table: &str) -> Result<&'static [&'static str]> {
    TABLES
        .iter()
        .find(|(name, _)| *name == table)
        .map(|(_, key)| *key)
        .ok_or_else(|| Error::Invalid(format!("internal: table {table} has no history")))
}

fn table_name(table: &str) -> Result<&'static str> {
    if let Some(real) = group_table(table) {
        return Ok(real);
    }
    if let Some((real, _)) = view(table) {
        return Ok(real);
    }
    TABLES
        .iter()
        .find(|(name, _)| *name == table)
        .map(|(name, _)| *name)
        .ok_or_else(|| Error::Invalid(format!("internal: table {table} has no history")))
}

/// A row key: values of the table's key columns, in order.
pub type Key = Vec<Value>;

pub fn id_key(id: i64) -> Key {
    vec![Value::Integer(id)]
}

fn quote(column: &str) -> String {
    format!("\"{column}\"")
}

fn to_json(v: ValueRef<'_>) -> Json {
    match v {
        ValueRef::Null => Json::Null,
        ValueRef::Integer(i) => Json::from(i),
        ValueRef::Real(f) => Json::from(f),
        ValueRef::Text(t) => Json::String(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Json::String(String::from_utf8_lossy(b).into_owned()),
    }
}

fn from_json(v: &Json) -> Value {
    match v {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Integer(*b as i64),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => Value::Real(n.as_f64().unwrap_or(0.0)),
        },
        Json::String(s) => Value::Text(s.clone()),
        other => Value::Text(other.to_string()),
    }
}

fn key_json(key: &Key) -> String {
    let values: Vec<Json> = key.iter().map(|v| to_json(ValueRef::from(v))).collect();
    Json::Array(values).to_string()
}

fn key_from_json(s: &str) -> Result<Key> {
    let parsed: Vec<Json> = serde_json::from_str(s)
        .map_err(|e| Error::Invalid(format!("history row key {s} is damaged: {e}")))?;
    Ok(parsed.iter().map(from_json).collect())
}

fn where_clause(key_cols: &[&str]) -> String {
    key_cols
        .iter()
        .map(|c| format!("{} = ?", quote(c)))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// Reads a row as a JSON object, or None when it does not exist.
pub fn row_image(
    tx: &rusqlite::Connection,
    table: &str,
    key: &Key,
) -> Result<Option<Map<String, Json>>> {
    let key_cols = key_columns(table)?;
    if group_table(table).is_some() {
        // A group's image says only that it exists.
        let sql = format!(
            "SELECT 1 FROM {} WHERE {} LIMIT 1",
            table_name(table)?,
            where_clause(key_cols)
        );
        let found = tx
            .prepare_cached(&sql)?
            .exists(params_from_iter(key.iter()))?;
        return Ok(found.then(Map::new));
    }
    let columns = match view(table) {
        Some((_, cols)) => cols.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", "),
        None => "*".to_string(),
    };
    let sql = format!(
        "SELECT {columns} FROM {} WHERE {}",
        table_name(table)?,
        where_clause(key_cols)
    );
    let mut stmt = tx.prepare_cached(&sql)?;
    let names: Vec<String> = stmt.column_names().map(|s| s.to_string()).collect();
    let lean = LEAN_TABLES.contains(&table);
    let mut rows = stmt.query(params_from_iter(key.iter()))?;
    let Some(row) = rows.next()? else {
        return Ok(None);
    };
    let mut map = Map::new();
    for (i, name) in names.iter().enumerate() {
        if lean && !lean_keeps(name) {
            continue;
        }
        map.insert(name.clone(), to_json(row.get_ref(i)?));
    }
    Ok(Some(map))
}

/// Writes `image` as the row at `key` (insert or replace), or deletes the row when None.
fn restore_row(
    tx: &Transaction,
    table: &str,
    key: &Key,
    current: &Option<Map<String, Json>>,
    image: &Option<Map<String, Json>>,
) -> Result<()> {
    let key_cols = key_columns(table)?;
    let table = table_name(table)?;
    match (current, image) {
        (_, None) => {
            let sql = format!("DELETE FROM {table} WHERE {}", where_clause(key_cols));
            tx.prepare_cached(&sql)?
                .execute(params_from_iter(key.iter()))?;
        }
        (None, Some(img)) => {
            let cols: Vec<&String> = img.keys().collect();
            let sql = format!(
                "INSERT INTO {table} ({}) VALUES ({})",
                cols.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", "),
                vec!["?"; cols.len()].join(", ")
            );
            let values: Vec<Value> = img.values().map(from_json).collect();
            tx.prepare_cached(&sql)?
                .execute(params_from_iter(values.iter()))?;
        }
        (Some(_), Some(img)) => {
            let cols: Vec<&String> = img
                .keys()
                .filter(|c| !key_cols.contains(&c.as_str()))
                .collect();
            if cols.is_empty() {
                return Ok(());
            }
            let sql = format!(
                "UPDATE {table} SET {} WHERE {}",
                cols.iter()
                    .map(|c| format!("{} = ?", quote(c)))
                    .collect::<Vec<_>>()
                    .join(", "),
                where_clause(key_cols)
            );
            let mut values: Vec<Value> = cols.iter().map(|c| from_json(&img[c.as_str()])).collect();
            values.extend(key.iter().cloned());
            tx.prepare_cached(&sql)?
                .execute(params_from_iter(values.iter()))?;
        }
    }
    Ok(())
}

/// Records one user action's row changes. Created by [`crate::study::Study::change`].
pub struct Recorder<'a> {
    pub tx: Transaction<'a>,
    pub change_id: i64,
    pub coder_id: Option<i64>,
    pub now: String,
    seq: i64,
    /// Rows logged under any change of this action (a merge logs the changes it brings in
    /// under their own history entries).
    total: i64,
    /// The change the next rows are logged under (the action's own, or one it brought in).
    log_to: i64,
    /// Keep the action even when it changed no row (a merge that only learnt of changes).
    keep: bool,
}

impl<'a> Recorder<'a> {
    pub(crate) fn begin(
        tx: Transaction<'a>,
        coder_id: Option<i64>,
        kind: &str,
        summary: &str,
        now: String,
    ) -> Result<Self> {
        tx.prepare_cached(
            "INSERT INTO changes (at, coder_id, kind, summary, uid) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(rusqlite::params![
            now,
            coder_id,
            kind,
            summary,
            crate::study::new_guid()
        ])?;
        let change_id = tx.last_insert_rowid();
        Ok(Recorder {
            tx,
            change_id,
            coder_id,
            now,
            seq: 0,
            total: 0,
            log_to: change_id,
            keep: false,
        })
    }

    /// Logs the following rows under `change` (a change a merge brought in, recorded with its
    /// own uid), until called again with the action's own `change_id`.
    pub fn log_under(&mut self, change: i64) -> Result<()> {
        self.log_to = change;
        self.seq = self.tx.query_row(
            "SELECT ifnull(max(seq), 0) FROM change_rows WHERE change_id = ?1",
            [change],
            |r| r.get(0),
        )?;
        Ok(())
    }

    /// The change rows are being logged under now.
    pub fn log_target(&self) -> i64 {
        self.log_to
    }

    /// Rows logged so far by this action, under any change.
    pub fn rows_logged(&self) -> i64 {
        self.total
    }

    /// Commits the action even if it changed no row.
    pub fn keep_even_if_empty(&mut self) {
        self.keep = true;
    }

    fn log(
        &mut self,
        table: &str,
        key: &Key,
        before: &Option<Map<String, Json>>,
        after: &Option<Map<String, Json>>,
    ) -> Result<()> {
        if before == after {
            return Ok(());
        }
        self.seq += 1;
        self.total += 1;
        let encode =
            |m: &Option<Map<String, Json>>| m.as_ref().map(|m| Json::Object(m.clone()).to_string());
        self.tx
            .prepare_cached(
                "INSERT INTO change_rows (change_id, seq, table_name, row_key, before, after) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(rusqlite::params![
                self.log_to,
                self.seq,
                table,
                key_json(key),
                encode(before),
                encode(after)
            ])?;
        Ok(())
    }

    /// Inserts a row given as (column, value) pairs and returns its rowid.
    pub fn insert(&mut self, table: &str, values: &[(&str, Value)]) -> Result<i64> {
        let table_name = table_name(table)?;
        let sql = format!(
            "INSERT INTO {table_name} ({}) VALUES ({})",
            values
                .iter()
                .map(|(c, _)| quote(c))
                .collect::<Vec<_>>()
                .join(", "),
            vec!["?"; values.len()].join(", ")
        );
        self.tx
            .prepare_cached(&sql)?
            .execute(params_from_iter(values.iter().map(|(_, v)| v)))?;
        let rowid = self.tx.last_insert_rowid();
        let key_cols = key_columns(table)?;
        let key: Key = if key_cols == ["id"] {
            id_key(rowid)
        } else {
            key_cols
                .iter()
                .map(|k| {
                    values
                        .iter()
                        .find(|(c, _)| c == k)
                        .map(|(_, v)| v.clone())
                        .unwrap_or(Value::Null)
                })
                .collect()
        };
        let after = if LEAN_TABLES.contains(&table) && key_cols == ["id"] {
            // The lean image is known without reading the row back.
            let mut map = Map::new();
            map.insert("id".into(), Json::from(rowid));
            for (c, v) in values {
                if lean_keeps(c) && *c != "id" {
                    map.insert((*c).to_string(), to_json(ValueRef::from(v)));
                }
            }
            Some(map)
        } else {
            row_image(&self.tx, table, &key)?
        };
        self.log(table, &key, &None, &after)?;
        Ok(rowid)
    }

    /// Inserts rows of a group (see `GROUPS`) with one prepared statement, recorded as one
    /// history row keyed by `owner`; returns how many rows were inserted.
    pub fn insert_group(
        &mut self,
        group: &str,
        owner: Value,
        columns: &[&str],
        rows: impl IntoIterator<Item = Vec<Value>>,
    ) -> Result<usize> {
        let real = group_table(group)
            .ok_or_else(|| Error::Invalid(format!("internal: {group} is not a history group")))?;
        let sql = format!(
            "INSERT INTO {real} ({}) VALUES ({})",
            columns
                .iter()
                .map(|c| quote(c))
                .collect::<Vec<_>>()
                .join(", "),
            vec!["?"; columns.len()].join(", ")
        );
        let mut n = 0;
        {
            let mut stmt = self.tx.prepare_cached(&sql)?;
            for row in rows {
                stmt.execute(params_from_iter(row.iter()))?;
                n += 1;
            }
        }
        if n > 0 {
            self.log(group, &vec![owner], &None, &Some(Map::new()))?;
        }
        Ok(n)
    }

    /// Updates columns of the row at `key`; returns false when the row does not exist.
    pub fn update(&mut self, table: &str, key: &Key, values: &[(&str, Value)]) -> Result<bool> {
        let before = row_image(&self.tx, table, key)?;
        if before.is_none() {
            return Ok(false);
        }
        let table_name = table_name(table)?;
        let sql = format!(
            "UPDATE {table_name} SET {} WHERE {}",
            values
                .iter()
                .map(|(c, _)| format!("{} = ?", quote(c)))
                .collect::<Vec<_>>()
                .join(", "),
            where_clause(key_columns(table)?)
        );
        let mut params: Vec<Value> = values.iter().map(|(_, v)| v.clone()).collect();
        params.extend(key.iter().cloned());
        self.tx
            .prepare_cached(&sql)?
            .execute(params_from_iter(params.iter()))?;
        let after = row_image(&self.tx, table, key)?;
        self.log(table, key, &before, &after)?;
        Ok(true)
    }

    /// Deletes the row at `key`; returns false when it did not exist.
    pub fn delete(&mut self, table: &str, key: &Key) -> Result<bool> {
        let before = row_image(&self.tx, table, key)?;
        if before.is_none() {
            return Ok(false);
        }
        restore_row(&self.tx, table, key, &before, &None)?;
        self.log(table, key, &before, &None)?;
        Ok(true)
    }

    /// Commits the action; an action that changed no row leaves no trace in the history.
    pub fn commit(self) -> Result<Option<i64>> {
        if self.total == 0 && !self.keep {
            self.tx.rollback()?;
            return Ok(None);
        }
        let id = self.change_id;
        self.tx.commit()?;
        Ok(Some(id))
    }
}

/// One recorded row change.
struct RowChange {
    table: String,
    key: Key,
    before: Option<Map<String, Json>>,
    after: Option<Map<String, Json>>,
}

fn load_rows(tx: &Transaction, change_id: i64) -> Result<Vec<RowChange>> {
    let mut stmt = tx.prepare_cached(
        "SELECT table_name, row_key, before, after FROM change_rows WHERE change_id = ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map([change_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, Option<String>>(3)?,
        ))
    })?;
    let parse = |s: Option<String>| -> Result<Option<Map<String, Json>>> {
        match s {
            None => Ok(None),
            Some(s) => match serde_json::from_str::<Json>(&s) {
                Ok(Json::Object(m)) => Ok(Some(m)),
                _ => Err(Error::Invalid(format!("history row image is damaged: {s}"))),
            },
        }
    };
    let mut out = Vec::new();
    for row in rows {
        let (table, key, before, after) = row?;
        out.push(RowChange {
            table,
            key: key_from_json(&key)?,
            before: parse(before)?,
            after: parse(after)?,
        });
    }
    Ok(out)
}

fn same_row(current: &Option<Map<String, Json>>, expected: &Option<Map<String, Json>>) -> bool {
    match (current, expected) {
        (None, None) => true,
        (Some(c), Some(e)) => e.iter().all(|(k, v)| c.get(k) == Some(v)),
        _ => false,
    }
}

/// Which columns refer to which table's `id` (for explaining an undo that later actions block).
const REFERENCES: &[(&str, &str, &str)] = &[
    ("codings", "code_id", "codes"),
    ("codings", "document_id", "documents"),
    ("codings", "coder_id", "coders"),
    ("codes", "parent_id", "codes"),
    ("memos", "coder_id", "coders"),
    ("reviews", "code_id", "codes"),
    ("reviews", "document_id", "documents"),
    ("reviews", "reviewer_id", "coders"),
    ("speakers", "document_id", "documents"),
    ("speakers", "participant_id", "participants"),
    ("document_attributes", "document_id", "documents"),
    ("document_attributes", "attribute_id", "attributes"),
    ("participant_attributes", "participant_id", "participants"),
    ("participant_attributes", "attribute_id", "attributes"),
];

/// Later actions (not undone) that touched the row at `key`, or wrote a row referring to it:
/// what stands in the way of undoing or redoing `after`.
fn dependents(tx: &Transaction, after: i64, table: &str, key: &Key) -> Result<Vec<String>> {
    let mut found: Vec<(i64, String)> = Vec::new();
    let mut add = |rows: Vec<(i64, String)>| {
        for r in rows {
            if !found.iter().any(|f| f.0 == r.0) {
                found.push(r);
            }
        }
    };
    let read = |sql: &str, p: &[&dyn rusqlite::ToSql]| -> Result<Vec<(i64, String)>> {
        let mut stmt = tx.prepare(sql)?;
        let rows = stmt.query_map(p, |r| {
            Ok((
                r.get::<_, i64>(0)?,
                format!(
                    "#{} {} ({})",
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?
                        .unwrap_or_else(|| "setup".into())
                ),
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    };
    const HEAD: &str = "SELECT DISTINCT c.id, c.summary, k.name FROM change_rows r JOIN changes c ON c.id = r.change_id LEFT JOIN coders k ON k.id = c.coder_id";
    add(read(
        &format!(
            "{HEAD} WHERE r.change_id > ?1 AND c.undone_by IS NULL AND c.kind NOT IN ('undo', 'redo') AND r.table_name = ?2 AND r.row_key = ?3 ORDER BY c.id LIMIT 10"
        ),
        &[&after, &table, &key_json(key)],
    )?);
    if let [Value::Integer(id)] = key.as_slice() {
        for (referencing, column, referenced) in REFERENCES {
            if *referenced != table {
                continue;
            }
            add(read(
                &format!(
                    "{HEAD} WHERE r.change_id > ?1 AND c.undone_by IS NULL AND c.kind NOT IN ('undo', 'redo') AND r.table_name = ?2 AND json_extract(r.after, '$.{column}') = ?3 ORDER BY c.id LIMIT 10"
                ),
                &[&after, referencing, id],
            )?);
        }
    }
    found.sort();
    Ok(found.into_iter().map(|(_, s)| s).take(10).collect())
}

fn blocked(tx: &Transaction, target: i64, row: &RowChange, backwards: bool) -> Result<Error> {
    let what = if backwards { "undo" } else { "redo" };
    let summary: String = tx
        .query_row("SELECT summary FROM changes WHERE id = ?1", [target], |r| {
            r.get(0)
        })
        .unwrap_or_default();
    let later = dependents(tx, target, &row.table, &row.key)?;
    let entity = row.table.trim_end_matches('s');
    Ok(Error::Conflict(if later.is_empty() {
        format!(
            "cannot {what} change #{target} ({summary}): a {entity} row it touched has been changed since"
        )
    } else {
        format!(
            "cannot {what} change #{target} ({summary}): later actions depend on a {entity} it touched; {what} these first: {}",
            later.join("; ")
        )
    }))
}

fn is_constraint(e: &Error) -> bool {
    matches!(
        e,
        Error::Sql(rusqlite::Error::SqliteFailure(f, _))
            if f.code == rusqlite::ErrorCode::ConstraintViolation
    )
}

/// Replays a change backwards (undo) or forwards (redo) inside `rec`, refusing when a row has
/// been changed since (by another coder or process), so nothing is overwritten silently. A
/// merge takes the changes it brought in with it.
pub(crate) fn replay(rec: &mut Recorder, target: i64, backwards: bool) -> Result<()> {
    let children: Vec<i64> = rec
        .tx
        .prepare_cached("SELECT id FROM changes WHERE merged_by = ?1 ORDER BY id")?
        .query_map([target], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    // Their rows were written before the merge's own (the merge adds what they lacked).
    let mut order: Vec<i64> = children;
    order.push(target);
    if backwards {
        order.reverse();
    }
    for id in order {
        replay_one(rec, target, id, backwards)?;
    }
    Ok(())
}

fn replay_one(rec: &mut Recorder, target: i64, change: i64, backwards: bool) -> Result<()> {
    let mut rows = load_rows(&rec.tx, change)?;
    if backwards {
        rows.reverse();
    }
    for row in rows {
        let (expected, wanted) = if backwards {
            (&row.after, &row.before)
        } else {
            (&row.before, &row.after)
        };
        let current = row_image(&rec.tx, &row.table, &row.key)?;
        if row.table == "coders" {
            // A coder stays once the history names them (undoing a merge keeps the coders it
            // brought in, whose changes it lists); redo finds them in place.
            let named: bool = match &row.key[..] {
                [Value::Integer(id)] => rec
                    .tx
                    .prepare_cached("SELECT count(*) > 0 FROM changes WHERE coder_id = ?1")?
                    .query_row([id], |r| r.get(0))?,
                _ => false,
            };
            if same_row(&current, wanted) || (wanted.is_none() && named) {
                continue;
            }
        }
        if !same_row(&current, expected) {
            return Err(blocked(&rec.tx, target, &row, backwards)?);
        }
        if LEAN_TABLES.contains(&row.table.as_str()) && wanted.is_some() && current.is_none() {
            let summary: String = rec
                .tx
                .query_row("SELECT summary FROM changes WHERE id = ?1", [target], |r| {
                    r.get(0)
                })
                .unwrap_or_default();
            return Err(Error::Conflict(format!(
                "cannot {} change #{target} ({summary}): it {} documents, and the history keeps only a document's name and key, not its text and turns (that keeps imports fast). Imports and merges that add documents cannot be redone, and undoing a document's deletion is not possible; import or merge the file again instead",
                if backwards { "undo" } else { "redo" },
                if backwards { "deleted" } else { "added" },
            )));
        }
        if let Err(e) = restore_row(&rec.tx, &row.table, &row.key, &current, wanted) {
            if is_constraint(&e) {
                return Err(blocked(&rec.tx, target, &row, backwards)?);
            }
            return Err(e);
        }
        let now = row_image(&rec.tx, &row.table, &row.key)?;
        rec.log(&row.table, &row.key, &current, &now)?;
    }
    Ok(())
}
