//! An in-memory map of the study's structure for counting: documents, their speaker turns (as
//! positions only, never text), who speaks under each label, and everyone's attributes.
//! Loading it reads the small `turns`, `speakers` and attribute rows once; queries then map a
//! coding to the speakers of the turns it overlaps with a binary search.

use crate::error::Result;
use rusqlite::Connection;
use rusqlite::types::ValueRef;
use std::collections::{BTreeMap, HashMap};

pub(crate) struct Doc {
    #[allow(dead_code)]
    pub id: i64,
    pub name: String,
    pub attrs: BTreeMap<i64, String>,
    /// Appearances (speaker labels) of this document, in first-seen order.
    pub apps: Vec<u32>,
    /// This document's turns in `StudyIndex::turns`, sorted by start.
    pub turns: std::ops::Range<usize>,
}

/// One speaker label in one document, and the person behind it.
pub(crate) struct Appearance {
    pub doc: u32,
    pub label: String,
    pub person: u32,
    /// Position of this appearance among its document's appearances.
    pub local: u32,
}

pub(crate) struct Person {
    /// The participant's id; None for a speaker label not linked to a participant (then the
    /// label in that document is the person).
    #[allow(dead_code)]
    pub id: Option<i64>,
    pub name: String,
    pub moderator: bool,
    pub attrs: BTreeMap<i64, String>,
    /// Speaks in more than one document (counting them needs a study-wide distinct set).
    pub multi_doc: bool,
}

#[derive(Clone, Copy)]
pub(crate) struct TurnPos {
    pub start: i64,
    pub end: i64,
    /// Appearance index, or NONE for a turn without a speaker…
    pub app: u32,
    /// …and its position among the document's appearances.
    pub local: u32,
}

pub(crate) const NONE: u32 = u32::MAX;

/// An integer column, read without conversion.
pub(crate) fn int(r: &rusqlite::Row, i: usize) -> Result<i64> {
    r.get_ref(i)?
        .as_i64()
        .map_err(|e| crate::invalid!("internal: column {i} is not an integer: {e}"))
}

pub(crate) struct StudyIndex {
    pub docs: Vec<Doc>,
    pub doc_pos: HashMap<i64, u32>,
    pub apps: Vec<Appearance>,
    pub people: Vec<Person>,
    pub turns: Vec<TurnPos>,
}

impl StudyIndex {
    pub fn load(conn: &Connection) -> Result<StudyIndex> {
        let mut docs: Vec<Doc> = Vec::new();
        let mut doc_pos = HashMap::new();
        {
            let mut stmt =
                conn.prepare_cached("SELECT id, name FROM documents ORDER BY sort_order, id")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                doc_pos.insert(id, docs.len() as u32);
                docs.push(Doc {
                    id,
                    name: r.get(1)?,
                    attrs: BTreeMap::new(),
                    apps: Vec::new(),
                    turns: 0..0,
                });
            }
        }
        {
            let mut stmt = conn.prepare_cached(
                "SELECT document_id, attribute_id, value FROM document_attributes",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                if let Some(&d) = doc_pos.get(&r.get::<_, i64>(0)?) {
                    docs[d as usize].attrs.insert(r.get(1)?, r.get(2)?);
                }
            }
        }
        let mut people: Vec<Person> = Vec::new();
        let mut person_pos: HashMap<i64, u32> = HashMap::new();
        {
            let mut stmt =
                conn.prepare_cached("SELECT id, pid, role FROM participants ORDER BY id")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                let role: String = r.get(2)?;
                person_pos.insert(id, people.len() as u32);
                people.push(Person {
                    id: Some(id),
                    name: r.get(1)?,
                    moderator: role.eq_ignore_ascii_case("moderator"),
                    attrs: BTreeMap::new(),
                    multi_doc: false,
                });
            }
            let mut stmt = conn.prepare_cached(
                "SELECT participant_id, attribute_id, value FROM participant_attributes",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                if let Some(&p) = person_pos.get(&r.get::<_, i64>(0)?) {
                    people[p as usize].attrs.insert(r.get(1)?, r.get(2)?);
                }
            }
        }
        let mut index = StudyIndex {
            docs,
            doc_pos,
            apps: Vec::new(),
            people,
            turns: Vec::new(),
        };
        {
            let mut stmt = conn.prepare_cached(
                "SELECT document_id, label, participant_id FROM speakers ORDER BY document_id, rowid",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let Some(&d) = index.doc_pos.get(&r.get::<_, i64>(0)?) else {
                    continue;
                };
                let label: String = r.get(1)?;
                let person = r
                    .get::<_, Option<i64>>(2)?
                    .and_then(|p| person_pos.get(&p).copied());
                index.add_app(d, label, person);
            }
        }
        // Turns, read in rowid order (import order, so normally grouped by document and
        // sorted by position; sorted here when not).
        let mut turn_docs: Vec<u32> = Vec::new();
        {
            let mut stmt = conn.prepare_cached(
                "SELECT document_id, (start << 32) | \"end\", speaker FROM turns",
            )?;
            let mut rows = stmt.query([])?;
            let mut last_doc: i64 = i64::MIN;
            let mut last_pos: u32 = NONE;
            let mut last_app: u32 = NONE;
            while let Some(r) = rows.next()? {
                let doc = int(r, 0)?;
                if doc != last_doc {
                    last_doc = doc;
                    last_pos = index.doc_pos.get(&doc).copied().unwrap_or(NONE);
                    last_app = NONE;
                }
                if last_pos == NONE {
                    continue;
                }
                let app = match r.get_ref(2)? {
                    ValueRef::Text(label) => {
                        if last_app != NONE
                            && index.apps[last_app as usize].label.as_bytes() == label
                        {
                            last_app
                        } else {
                            last_app = index.app_for(last_pos, label);
                            last_app
                        }
                    }
                    _ => NONE,
                };
                let span = int(r, 1)?;
                index.turns.push(TurnPos {
                    start: span >> 32,
                    end: span & 0xFFFF_FFFF,
                    app,
                    local: if app == NONE {
                        0
                    } else {
                        index.apps[app as usize].local
                    },
                });
                turn_docs.push(last_pos);
            }
        }
        let sorted = (1..index.turns.len()).all(|i| {
            (turn_docs[i - 1], index.turns[i - 1].start) <= (turn_docs[i], index.turns[i].start)
        });
        if !sorted {
            let mut order: Vec<usize> = (0..index.turns.len()).collect();
            order.sort_by_key(|&i| (turn_docs[i], index.turns[i].start));
            index.turns = order.iter().map(|&i| index.turns[i]).collect();
            turn_docs = order.iter().map(|&i| turn_docs[i]).collect();
        }
        let mut i = 0;
        while i < turn_docs.len() {
            let d = turn_docs[i];
            let begin = i;
            while i < turn_docs.len() && turn_docs[i] == d {
                i += 1;
            }
            index.docs[d as usize].turns = begin..i;
        }
        // Who speaks in more than one document.
        let mut seen_in: Vec<u32> = vec![NONE; index.people.len()];
        for a in &index.apps {
            let p = a.person as usize;
            if seen_in[p] == NONE {
                seen_in[p] = a.doc;
            } else if seen_in[p] != a.doc {
                index.people[p].multi_doc = true;
            }
        }
        Ok(index)
    }

    fn add_app(&mut self, doc: u32, label: String, person: Option<u32>) -> u32 {
        let person = match person {
            Some(p) => p,
            None => {
                self.people.push(Person {
                    id: None,
                    name: format!("{}: {label}", self.docs[doc as usize].name),
                    moderator: false,
                    attrs: BTreeMap::new(),
                    multi_doc: false,
                });
                (self.people.len() - 1) as u32
            }
        };
        let idx = self.apps.len() as u32;
        let local = self.docs[doc as usize].apps.len() as u32;
        self.apps.push(Appearance {
            doc,
            label,
            person,
            local,
        });
        self.docs[doc as usize].apps.push(idx);
        idx
    }

    /// The appearance for a label in a document, added (unlinked) if the speakers table lacks it.
    fn app_for(&mut self, doc: u32, label: &[u8]) -> u32 {
        for &a in &self.docs[doc as usize].apps {
            if self.apps[a as usize].label.as_bytes() == label {
                return a;
            }
        }
        let label = String::from_utf8_lossy(label).into_owned();
        self.add_app(doc, label, None)
    }

    /// The turns of document `doc` (position) that overlap [start, end).
    pub fn overlapped(&self, doc: u32, start: i64, end: i64) -> &[TurnPos] {
        &self.turns[self.overlapped_range(doc, start, end)]
    }

    /// Like `overlapped`, as positions in `turns`.
    pub fn overlapped_range(&self, doc: u32, start: i64, end: i64) -> std::ops::Range<usize> {
        let range = self.docs[doc as usize].turns.clone();
        let turns = &self.turns[range.clone()];
        let first = turns.partition_point(|t| t.end <= start);
        let mut last = first;
        while last < turns.len() && turns[last].start < end {
            last += 1;
        }
        range.start + first..range.start + last
    }

    /// Loads the index in another thread while `f` runs on this one (the two biggest reads of
    /// an analysis query then overlap). Both use their own read-only connections to the file,
    /// memory-mapped so the scans don't copy every page through `read()`. A database without
    /// a file is read on `conn`, in turn.
    pub fn load_alongside<T>(
        conn: &Connection,
        f: impl FnOnce(&Connection) -> Result<T>,
    ) -> Result<(StudyIndex, T)> {
        let path = conn.path().filter(|p| !p.is_empty()).map(str::to_string);
        let Some(path) = path else {
            let index = StudyIndex::load(conn)?;
            return Ok((index, f(conn)?));
        };
        std::thread::scope(|s| {
            let index_path = path.clone();
            let loader = s.spawn(move || StudyIndex::load(&reader(&index_path)?));
            let out = reader(&path).and_then(|c| f(&c));
            let index = loader
                .join()
                .map_err(|_| crate::invalid!("internal: the study index loader panicked"))??;
            Ok((index, out?))
        })
    }

    /// Whether the person behind an appearance counts as a participant.
    pub fn counts(&self, app: u32, include_moderators: bool) -> bool {
        app != NONE
            && (include_moderators
                || !self.people[self.apps[app as usize].person as usize].moderator)
    }
}

/// A read-only, memory-mapped connection to a study file for one analysis query.
pub(crate) fn reader(path: &str) -> Result<Connection> {
    use rusqlite::OpenFlags;
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch("PRAGMA mmap_size = 1073741824;")?;
    Ok(conn)
}
