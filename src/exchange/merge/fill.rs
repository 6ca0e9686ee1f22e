//! The fill pass: what their file holds and ours lacks comes in, entity by entity (each in its
//! own module), mapping their row ids to ours as it goes.

use super::{Conflict, MergeOptions, MergeReport};
use crate::error::Result;
use crate::study::history::Recorder;
use crate::study::new_guid;
use rusqlite::{Connection, OptionalExtension};
use std::collections::{HashMap, HashSet};

/// The tables whose rows carry a GUID (the identity a merge goes by).
pub const GUID_TABLES: &[&str] = &[
    "coders",
    "documents",
    "attributes",
    "participants",
    "codes",
    "codings",
    "memos",
];

/// State shared by the fill steps (and the lineage replay, which reports through it).
pub struct Fill<'a> {
    pub other: &'a Connection,
    pub file: String,
    pub acting: i64,
    pub opts: MergeOptions,
    /// The files share history: GUIDs our history deleted stay deleted, and field differences
    /// were settled by the replay (not reported again).
    pub lineage: bool,
    /// (table, lower-case GUID) our history deleted and that is absent now.
    pub deleted_here: HashSet<(String, String)>,
    /// Codes our history merged into another: lower-case GUID of the merged code → target id.
    pub code_forward: HashMap<String, i64>,
    /// Codes their history merged into another: lower-case GUID → the target's GUID.
    pub their_forward: HashMap<String, String>,
    /// Codes our history deleted: lower-case GUID → the row id it had here.
    pub deleted_code_ids: HashMap<String, i64>,
    /// Every code merge either file holds, by the merged code's lower-case GUID: the GUID of
    /// the code the winning merge sent it into (see [`winning_code_merges`]).
    pub merge_winner: HashMap<String, String>,
    pub coder_map: HashMap<i64, i64>,
    pub attr_map: HashMap<i64, i64>,
    pub attr_name: HashMap<i64, String>,
    pub person_map: HashMap<i64, i64>,
    pub doc_map: HashMap<i64, i64>,
    pub code_map: HashMap<i64, i64>,
    pub coding_map: HashMap<i64, i64>,
    pub report: MergeReport,
    pub conflicts: Vec<Conflict>,
    /// Field conflicts kept ours: (table, guid, column), for the resolutions the merge records.
    pub kept_ours: Vec<(String, String, String)>,
    /// Their rows we decided should not exist (their coding on a code we deleted).
    pub kept_absent: Vec<(String, String)>,
    /// Rows they deleted that we kept (their deletion was not applied), parents first, with
    /// the uid of that deletion.
    pub kept_present: Vec<(String, String, String)>,
    /// The uid of the change of theirs being replayed.
    pub replaying: Option<String>,
    /// When that change was made (its time and uid, as every copy orders changes).
    pub replaying_stamp: Option<(String, String)>,
    /// Whether that change is a merge made on another copy (its rows are what that copy did
    /// locally, its decisions say why).
    pub replaying_merge: bool,
    /// The uids of their changes this merge has still to replay.
    pub pending: HashSet<String>,
    /// Codes a decision restored under a provisional name (a code here held theirs): the
    /// lower-case GUID and the name to take back once the replay is done.
    pub provisional_names: Vec<(String, String)>,
}

impl<'a> Fill<'a> {
    pub fn new(
        rec: &Recorder,
        other: &'a Connection,
        file: &str,
        acting: i64,
        opts: MergeOptions,
    ) -> Result<Self> {
        let (deleted_here, code_forward, deleted_code_ids) = deleted_in_history(rec)?;
        Ok(Fill {
            other,
            file: file.to_string(),
            acting,
            opts,
            lineage: false,
            deleted_here,
            code_forward,
            deleted_code_ids,
            their_forward: their_code_merges(other)?,
            merge_winner: winning_code_merges(&rec.tx, other)?,
            coder_map: HashMap::new(),
            attr_map: HashMap::new(),
            attr_name: HashMap::new(),
            person_map: HashMap::new(),
            doc_map: HashMap::new(),
            code_map: HashMap::new(),
            coding_map: HashMap::new(),
            report: MergeReport::default(),
            conflicts: Vec::new(),
            kept_ours: Vec::new(),
            kept_absent: Vec::new(),
            kept_present: Vec::new(),
            replaying: None,
            replaying_stamp: None,
            replaying_merge: false,
            pending: HashSet::new(),
            provisional_names: Vec::new(),
        })
    }

    /// Brings in everything of theirs that ours lacks.
    pub fn run(&mut self, rec: &mut Recorder) -> Result<()> {
        super::people::merge_coders(self, rec)?;
        super::people::merge_attributes(self, rec)?;
        super::people::merge_participants(self, rec)?;
        super::documents::merge_documents(self, rec)?;
        super::codes::merge_codes(self, rec)?;
        super::codings::merge_codings(self, rec)?;
        super::memos::merge_memos(self, rec)?;
        super::memos::merge_reviews(self, rec)?;
        super::memos::merge_codebook_versions(self, rec)?;
        super::memos::keep_their_history(self, rec)?;
        Ok(())
    }

    /// Records a conflict (listed in the report and, through `merge_conflicts`, in the history).
    pub fn conflict(&mut self, what: String, kept: &str, other: String) {
        let side = if self.opts.theirs { "theirs" } else { "ours" };
        let line = format!("{what}: kept {side} ({kept}); other side: {other}");
        if !self.report.conflicts.contains(&line) {
            self.report.conflicts.push(line);
            self.conflicts.push(Conflict {
                what,
                kept: kept.to_string(),
                other,
            });
        }
    }

    /// Where a code our history deleted went: the code the winning merge of it sent it into
    /// (followed along a chain of merges), else the code ours or their history merged it into.
    pub fn forward_code(&self, rec: &Recorder, guid: &str) -> Result<Option<i64>> {
        let lower = guid.to_ascii_lowercase();
        if let Some(home) = self.merge_home(rec, &lower)? {
            return Ok(Some(home));
        }
        // The maps were read before the replay, which may have deleted their targets since.
        let exists = |id: i64| -> Result<bool> {
            Ok(rec
                .tx
                .prepare_cached("SELECT count(*) > 0 FROM codes WHERE id = ?1")?
                .query_row([id], |r| r.get(0))?)
        };
        if let Some(&t) = self.code_forward.get(&lower)
            && exists(t)?
        {
            return Ok(Some(t));
        }
        if let Some(target) = self.their_forward.get(&lower) {
            if let Some(t) = our_id(rec, "codes", target)? {
                return Ok(Some(t));
            }
            if let Some(&t) = self.code_forward.get(target)
                && exists(t)?
            {
                return Ok(Some(t));
            }
        }
        Ok(None)
    }

    /// The code here that the winning merges of `guid` lead to (None when the chain ends in a
    /// code absent here, or comes back to a code it passed: a merge into a code that was merged
    /// back into it settles nothing).
    pub fn merge_home(&self, rec: &Recorder, guid: &str) -> Result<Option<i64>> {
        let mut at = guid.to_ascii_lowercase();
        let mut seen = HashSet::from([at.clone()]);
        while let Some(into) = self.merge_winner.get(&at) {
            if let Some(id) = our_id(rec, "codes", into)? {
                return Ok(Some(id));
            }
            if !seen.insert(into.clone()) {
                return Ok(None);
            }
            at = into.clone();
        }
        Ok(None)
    }

    /// Whether our history deleted the thing with this GUID (and it is absent now).
    pub fn was_deleted_here(&self, table: &str, guid: &str) -> bool {
        self.lineage
            && self
                .deleted_here
                .contains(&(table.to_string(), guid.to_ascii_lowercase()))
    }
}

pub fn query<T, P: rusqlite::Params>(
    conn: &Connection,
    sql: &str,
    p: P,
    f: impl FnMut(&rusqlite::Row) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map(p, f)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Our row with this GUID (in any letter case), served by the GUID index.
pub fn our_id(rec: &Recorder, table: &str, guid: &str) -> Result<Option<i64>> {
    let sql = format!("SELECT id FROM {table} WHERE guid IN (?1, lower(?1), upper(?1))");
    Ok(rec
        .tx
        .prepare_cached(&sql)?
        .query_row([guid], |r| r.get(0))
        .optional()?)
}

pub fn keep_guid(rec: &Recorder, table: &str, guid: &str) -> Result<String> {
    Ok(if crate::exchange::guid_taken(rec, table, guid)? {
        new_guid()
    } else {
        guid.to_string()
    })
}

/// One pass over our history: the GUIDs it deleted that are absent now, and the codes it
/// merged into another (the code whose codings, subcodes or memos the same change moved).
type Deleted = (
    HashSet<(String, String)>,
    HashMap<String, i64>,
    HashMap<String, i64>,
);

fn deleted_in_history(rec: &Recorder) -> Result<Deleted> {
    let mut deleted = HashSet::new();
    let mut forward = HashMap::new();
    let mut stmt = rec.tx.prepare(
        "SELECT r.change_id, r.table_name, json_extract(r.before, '$.guid'), json_extract(r.before, '$.id')
           FROM change_rows r
          WHERE r.after IS NULL AND r.before IS NOT NULL
            AND r.table_name IN ('coders', 'documents', 'attributes', 'participants', 'codes', 'codings', 'memos')",
    )?;
    let rows = stmt.query_map([], |r| {
        <(i64, String, Option<String>, Option<i64>)>::try_from(r)
    })?;
    let mut code_deletions: Vec<(i64, String, i64)> = Vec::new();
    for row in rows {
        let (change, table, guid, id) = row?;
        let Some(guid) = guid else { continue };
        if our_id(rec, &table, &guid)?.is_some() {
            continue;
        }
        if table == "codes"
            && let Some(id) = id
        {
            code_deletions.push((change, guid.to_ascii_lowercase(), id));
        }
        deleted.insert((table, guid.to_ascii_lowercase()));
    }
    // Deletions of rows this copy did not have, which it passes on (see `relay`): what they
    // deleted stays deleted here too.
    for (table, guid) in query(
        &rec.tx,
        "SELECT r.table_name, json_extract(r.before, '$.guid') FROM relayed_rows r
           JOIN changes c ON c.id = r.change_id LEFT JOIN changes g ON g.id = c.merged_by
          WHERE r.after IS NULL AND r.before IS NOT NULL
            AND c.undone_by IS NULL AND (g.id IS NULL OR g.undone_by IS NULL)",
        [],
        |r| <(String, Option<String>)>::try_from(r),
    )? {
        if let Some(guid) = guid
            && our_id(rec, &table, &guid)?.is_none()
        {
            deleted.insert((table, guid.to_ascii_lowercase()));
        }
    }
    // A code merge moves the merged code's codings (or subcodes, or memos) in the change
    // that deletes it; the place they moved to is where its codings belong now.
    let ids = code_deletions
        .iter()
        .map(|(_, g, id)| (g.clone(), *id))
        .collect();
    for (change, guid, id) in code_deletions {
        let target: Option<i64> = rec
            .tx
            .prepare_cached(
                "SELECT coalesce(json_extract(after, '$.code_id'), json_extract(after, '$.parent_id'), json_extract(after, '$.target_id'))
                   FROM change_rows
                  WHERE change_id = ?1 AND after IS NOT NULL AND before IS NOT NULL
                    AND ((table_name = 'codings' AND json_extract(before, '$.code_id') = ?2)
                      OR (table_name = 'codes' AND json_extract(before, '$.parent_id') = ?2)
                      OR (table_name = 'memos' AND json_extract(before, '$.target_kind') = 'code' AND json_extract(before, '$.target_id') = ?2))
                  LIMIT 1",
            )?
            .query_row(rusqlite::params![change, id], |r| r.get(0))
            .optional()?
            .flatten();
        if let Some(t) = target {
            let exists: bool = rec
                .tx
                .prepare_cached("SELECT count(*) > 0 FROM codes WHERE id = ?1")?
                .query_row([t], |r| r.get(0))?;
            if exists {
                forward.insert(guid, t);
            }
        }
    }
    // Recorded code merges (also those whose merged code had nothing to move).
    for (from, into) in query(
        &rec.tx,
        "SELECT lower(m.from_guid), m.into_guid FROM code_merges m
           JOIN changes c ON c.id = m.change_id LEFT JOIN changes g ON g.id = c.merged_by
          WHERE c.undone_by IS NULL AND (c.merged_by IS NULL OR g.undone_by IS NULL)",
        [],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
    )? {
        if let Some(t) = our_id(rec, "codes", &into)?
            && our_id(rec, "codes", &from)?.is_none()
        {
            forward.entry(from).or_insert(t);
        }
    }
    Ok((deleted, forward, ids))
}

/// The code merges both files hold (not undone), one per merged code: when two copies merged
/// one code into different codes, both must pick the same, whichever merges first, so the
/// earliest wins (by the time recorded, then by the change's uid, then by the target's GUID,
/// which every copy sees alike).
fn winning_code_merges(ours: &Connection, theirs: &Connection) -> Result<HashMap<String, String>> {
    let sql = "SELECT lower(m.from_guid), lower(m.into_guid), c.at, c.uid FROM code_merges m
                 JOIN changes c ON c.id = m.change_id LEFT JOIN changes g ON g.id = c.merged_by
                WHERE c.undone_by IS NULL AND (c.merged_by IS NULL OR g.undone_by IS NULL)";
    let mut best: HashMap<String, (String, String, String)> = HashMap::new();
    for conn in [ours, theirs] {
        for (from, into, at, uid) in query(conn, sql, [], |r| {
            <(String, String, String, Option<String>)>::try_from(r)
        })? {
            let mut uid = uid.unwrap_or_default();
            if let Some(i) = uid.find(super::lineage::AGAIN) {
                uid.truncate(i);
            }
            let key = (at, uid, into);
            match best.get(&from) {
                Some(b) if *b <= key => {}
                _ => {
                    best.insert(from, key);
                }
            }
        }
    }
    Ok(best
        .into_iter()
        .filter(|(from, (_, _, into))| from != into)
        .map(|(from, (_, _, into))| (from, into))
        .collect())
}

/// Their code merges: the merged code's GUID → the GUID of the code its codings (subcodes,
/// memos) moved to in the same change.
fn their_code_merges(other: &Connection) -> Result<HashMap<String, String>> {
    let rows = query(
        other,
        "SELECT lower(json_extract(d.before, '$.guid')),
                (SELECT lower(c.guid) FROM codes c WHERE c.id = coalesce(json_extract(m.after, '$.code_id'), json_extract(m.after, '$.parent_id'), json_extract(m.after, '$.target_id')))
           FROM change_rows d JOIN change_rows m ON m.change_id = d.change_id
          WHERE d.table_name = 'codes' AND d.after IS NULL AND d.before IS NOT NULL
            AND m.after IS NOT NULL AND m.before IS NOT NULL
            AND ((m.table_name = 'codings' AND json_extract(m.before, '$.code_id') = json_extract(d.before, '$.id'))
              OR (m.table_name = 'codes' AND json_extract(m.before, '$.parent_id') = json_extract(d.before, '$.id'))
              OR (m.table_name = 'memos' AND json_extract(m.before, '$.target_kind') = 'code' AND json_extract(m.before, '$.target_id') = json_extract(d.before, '$.id')))",
        [],
        |r| Ok((r.get::<_, Option<String>>(0)?, r.get::<_, Option<String>>(1)?)),
    )?;
    let mut merges: HashMap<String, String> = rows
        .into_iter()
        .filter_map(|(a, b)| Some((a?, b?)))
        .collect();
    for (from, into) in query(
        other,
        "SELECT lower(m.from_guid), lower(m.into_guid) FROM code_merges m JOIN changes c ON c.id = m.change_id WHERE c.undone_by IS NULL",
        [],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
    )? {
        merges.entry(from).or_insert(into);
    }
    Ok(merges)
}
