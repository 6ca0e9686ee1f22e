//! The codebook of a `.qdc` or `.qdpx`: matched by GUID, then by path; the rest created.
//!
//! Ours wins (a merge without shared history): a matched code keeps our name, place, colour
//! and fields; where the file says otherwise, its version is kept as a memo on the code and
//! reported per code; fields we left empty are filled in from the file.
//!
//! Linear in the codebook: GUIDs are looked up in the forms the unique index holds, sibling
//! names through the sibling index, and the next sort order and palette colour are counted
//! once and carried along instead of asked per code.

use super::{CodesReport, keep_guid, key};
use crate::codebook::edit::child_id;
use crate::codebook::{PALETTE, validate_colour};
use crate::error::Result;
use crate::exchange::refi::{RefiCode, decode_description};
use crate::study::history::Recorder;
use rusqlite::OptionalExtension;
use rusqlite::types::Value;
use std::collections::{HashMap, HashSet};

const FIELD_COLUMNS: [&str; 6] = [
    "colour",
    "definition",
    "inclusion",
    "exclusion",
    "example",
    "memo",
];

/// Longest code name kept, in characters.
const MAX_CODE_NAME: usize = 200;

/// A usable code name: no '/', no control characters, not empty, at most `MAX_CODE_NAME`.
fn clean_code_name(name: &str, notes: &mut Vec<String>) -> String {
    let cleaned: String = name
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if c == '/' { '∕' } else { c })
        .collect();
    let cleaned = if cleaned.is_empty() {
        "(unnamed code)".to_string()
    } else {
        cleaned
    };
    // A name is a label, not a text: a longer one is a damaged or hostile file, and would make
    // every list that shows the codebook huge.
    let chars = cleaned.chars().count();
    if chars > MAX_CODE_NAME {
        let cut: String = cleaned.chars().take(MAX_CODE_NAME).collect();
        notes.push(format!(
            "a code name of {chars} characters was cut to its first {MAX_CODE_NAME} ('{}…')",
            cut.chars().take(40).collect::<String>().escape_debug()
        ));
        return cut;
    }
    if cleaned != name {
        notes.push(format!(
            "code '{}' is named '{cleaned}' ('/' separates code paths in Thematic)",
            name.escape_debug()
        ));
    }
    cleaned
}

struct CodeRow {
    guid: String,
    parent: Option<i64>,
    name: String,
    fields: [String; 6],
}

fn code_row(rec: &Recorder, id: i64) -> Result<CodeRow> {
    Ok(rec.tx.prepare_cached(
        "SELECT guid, parent_id, name, colour, definition, inclusion, exclusion, example, memo FROM codes WHERE id = ?1",
    )?.query_row(
        [id],
        |r| {
            Ok(CodeRow {
                guid: r.get(0)?,
                parent: r.get(1)?,
                name: r.get(2)?,
                fields: [r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?],
            })
        },
    )?)
}

/// Our path of a code (walks up its parents: the depth of the tree, not its size).
fn path_of(rec: &Recorder, id: Option<i64>) -> Result<String> {
    let mut parts = Vec::new();
    let mut at = id;
    while let Some(i) = at {
        let (name, parent): (String, Option<i64>) = rec
            .tx
            .prepare_cached("SELECT name, parent_id FROM codes WHERE id = ?1")?
            .query_row([i], |r| Ok((r.get(0)?, r.get(1)?)))?;
        parts.push(name);
        at = parent;
        if parts.len() > 10_000 {
            break;
        }
    }
    parts.reverse();
    Ok(if parts.is_empty() {
        "(top level)".to_string()
    } else {
        parts.join("/")
    })
}

/// The colour and codebook fields a REFI code carries (None where it says nothing).
pub fn refi_fields(code: &RefiCode) -> [Option<String>; 6] {
    let colour = code.color.as_deref().and_then(|c| validate_colour(c).ok());
    let d = code
        .description
        .as_deref()
        .map(decode_description)
        .unwrap_or_default();
    let some = |s: String| (!s.is_empty()).then_some(s);
    [
        colour,
        some(d.definition),
        some(d.inclusion),
        some(d.exclusion),
        some(d.example),
        some(d.memo),
    ]
}

struct Importer<'a> {
    file: &'a str,
    coder: i64,
    /// Next sort order per parent, counted once per parent.
    next_order: HashMap<Option<i64>, i64>,
    /// Codes in the study, for the palette colour of the next new code.
    count: i64,
    updated: HashSet<String>,
    recoloured: usize,
}

impl Importer<'_> {
    fn next_order(&mut self, rec: &Recorder, parent: Option<i64>) -> Result<i64> {
        let next = match self.next_order.get(&parent) {
            Some(&n) => n,
            None => crate::codebook::edit::next_sort_order(rec, parent)?,
        };
        self.next_order.insert(parent, next + 1);
        Ok(next)
    }

    fn by_guid(&self, rec: &Recorder, guid: &str) -> Result<Option<i64>> {
        let g = guid.trim().trim_matches(['{', '}']);
        Ok(rec
            .tx
            .prepare_cached("SELECT id FROM codes WHERE guid IN (?1, lower(?1), upper(?1))")?
            .query_row([g], |r| r.get(0))
            .optional()?)
    }

    fn create(
        &mut self,
        rec: &mut Recorder,
        code: &RefiCode,
        parent: Option<i64>,
        name: &str,
    ) -> Result<i64> {
        let order = self.next_order(rec, parent)?;
        let guid = keep_guid(rec, "codes", &code.guid)?;
        let [colour, rest @ ..] = refi_fields(code);
        let colour =
            colour.unwrap_or_else(|| PALETTE[self.count as usize % PALETTE.len()].to_string());
        self.count += 1;
        let now = rec.now.clone();
        let mut values = vec![
            ("guid", Value::Text(guid)),
            (
                "parent_id",
                parent.map(Value::Integer).unwrap_or(Value::Null),
            ),
            ("name", Value::Text(name.to_string())),
            ("colour", Value::Text(colour)),
            ("sort_order", Value::Integer(order)),
            ("created_at", Value::Text(now)),
        ];
        for (col, v) in FIELD_COLUMNS[1..].iter().zip(rest) {
            if let Some(v) = v {
                values.push((col, Value::Text(v)));
            }
        }
        rec.insert("codes", &values)
    }

    /// A matched code: fill our empty fields; where theirs differ, keep ours, keep theirs as a
    /// memo on the code and report it. Returns our path of the code.
    #[allow(clippy::too_many_arguments)]
    fn reconcile(
        &mut self,
        rec: &mut Recorder,
        id: i64,
        code: &RefiCode,
        parent: Option<i64>,
        name: &str,
        their_path: &str,
        report: &mut CodesReport,
    ) -> Result<String> {
        let row = code_row(rec, id)?;
        let our_path = if row.parent == parent {
            match their_path.rsplit_once('/') {
                Some((up, _)) => format!("{up}/{}", row.name),
                None => row.name.clone(),
            }
        } else {
            path_of(rec, Some(id))?
        };
        let mut differ: Vec<String> = Vec::new();
        if row.name != name {
            differ.push(format!("name: ours '{}', theirs '{name}'", row.name));
        }
        if row.parent != parent {
            let theirs = their_path
                .rsplit_once('/')
                .map_or("(top level)", |(up, _)| up);
            differ.push(format!(
                "place: ours under {}, theirs under {theirs}",
                path_of(rec, row.parent)?
            ));
        }
        let wanted = refi_fields(code);
        let mut fill: Vec<(&str, Value)> = Vec::new();
        let mut colour_differs = false;
        for (i, w) in wanted.iter().enumerate() {
            let Some(w) = w else { continue };
            let ours = &row.fields[i];
            if w == ours {
                continue;
            }
            if i == 0 {
                // Every code has a colour (ours may be the palette's): a different colour alone
                // is counted, not a memo per code.
                colour_differs = true;
                continue;
            }
            if ours.is_empty() {
                fill.push((FIELD_COLUMNS[i], Value::Text(w.clone())));
            } else {
                differ.push(format!("{}: theirs '{w}'", FIELD_COLUMNS[i]));
            }
        }
        if !fill.is_empty() {
            rec.update("codes", &crate::study::history::id_key(id), &fill)?;
            if self.updated.insert(our_path.clone()) {
                report.updated.push(our_path.clone());
            }
        }
        if colour_differs {
            if differ.is_empty() {
                self.recoloured += 1;
            } else {
                differ.push(format!(
                    "colour: theirs {}",
                    wanted[0].as_deref().unwrap_or("")
                ));
            }
        }
        if !differ.is_empty() {
            let body = format!(
                "Importing {} found another version of this code; ours was kept, theirs is:\n{}",
                self.file,
                differ.join("\n")
            );
            let guid = crate::exchange::derived_guid(&format!("refi-code:{}:{body}", row.guid));
            super::memos::add_memo(
                rec,
                &guid,
                "code",
                Some(id),
                self.coder,
                &format!("Version in {} (ours kept)", self.file),
                &body,
                None,
            )?;
            report
                .kept_ours
                .push(format!("{our_path}: {}", differ.join("; ")));
        }
        Ok(our_path)
    }

    fn import(
        &mut self,
        rec: &mut Recorder,
        code: &RefiCode,
        parent: Option<i64>,
        parent_path: &str,
        map: &mut HashMap<String, i64>,
        report: &mut CodesReport,
    ) -> Result<()> {
        let name = clean_code_name(&code.name, &mut report.notes);
        let path = if parent_path.is_empty() {
            name.clone()
        } else {
            format!("{parent_path}/{name}")
        };
        let (id, path) = if let Some(id) = self.by_guid(rec, &code.guid)? {
            let ours = self.reconcile(rec, id, code, parent, &name, &path, report)?;
            report.matched_by_guid.push(ours.clone());
            (id, ours)
        } else if let Some(id) = child_id(rec, parent, &name)? {
            let ours = self.reconcile(rec, id, code, parent, &name, &path, report)?;
            report.matched_by_path.push(ours.clone());
            (id, ours)
        } else {
            let id = self.create(rec, code, parent, &name)?;
            report.created.push(path.clone());
            (id, path)
        };
        map.insert(key(&code.guid), id);
        for child in &code.children {
            self.import(rec, child, Some(id), &path, map, report)?;
        }
        Ok(())
    }
}

/// Imports a code tree into the study's codebook (see the module's rules). `file` names the
/// file in the memos that keep its version of a code; `coder` writes them. Returns the file's
/// code GUIDs (upper case) → study code ids.
pub fn import_codes(
    rec: &mut Recorder,
    codes: &[RefiCode],
    report: &mut CodesReport,
    file: &str,
    coder: i64,
) -> Result<HashMap<String, i64>> {
    let count: i64 = rec
        .tx
        .query_row("SELECT count(*) FROM codes", [], |r| r.get(0))?;
    let mut importer = Importer {
        file,
        coder,
        next_order: HashMap::new(),
        count,
        updated: HashSet::new(),
        recoloured: 0,
    };
    let mut map = HashMap::new();
    for code in codes {
        importer.import(rec, code, None, "", &mut map, report)?;
    }
    if importer.recoloured > 0 {
        report.notes.push(format!(
            "{} matched code(s) have another colour in {}; kept ours",
            importer.recoloured, file
        ));
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_names_are_cleaned_and_capped() {
        let mut notes = Vec::new();
        assert_eq!(clean_code_name("a/b", &mut notes), "a∕b");
        assert_eq!(clean_code_name(" \u{7} ", &mut notes), "(unnamed code)");
        let long = "x".repeat(100_000);
        assert_eq!(
            clean_code_name(&long, &mut notes).chars().count(),
            MAX_CODE_NAME
        );
        assert!(notes.last().unwrap().contains("100000 characters was cut"));
    }
}
