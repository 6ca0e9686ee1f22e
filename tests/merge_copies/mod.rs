//! The harness the merge property tests share: copies of one small study, edited at random
//! (codes added, renamed, defined, merged and deleted; codings added and removed) and merged
//! into each other; `run` makes everyone merge everyone and checks the copies agree.
#![allow(dead_code)]

use proptest::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use thematic::Study;
use thematic::codebook::{self, CodeFields, edit};
use thematic::exchange::merge::{MergeOptions, merge};

pub const NAMES: &[&str] = &["Trust", "Access", "Cost", "Waiting", "Portal"];

#[derive(Debug, Clone)]
pub enum Op {
    AddCode(usize),
    Rename(usize, usize),
    Define(usize, u8),
    DeleteCode(usize),
    MergeCode(usize, usize),
    Code(usize, usize),
    Uncode(usize),
    /// This copy merges another (index among the others).
    Merge(usize),
}

pub fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0..NAMES.len()).prop_map(Op::AddCode),
        1 => (0..8usize, 0..NAMES.len()).prop_map(|(c, n)| Op::Rename(c, n)),
        1 => (0..8usize, 0..3u8).prop_map(|(c, d)| Op::Define(c, d)),
        1 => (0..8usize).prop_map(Op::DeleteCode),
        1 => (0..8usize, 0..8usize).prop_map(|(a, b)| Op::MergeCode(a, b)),
        4 => (0..8usize, 0..40usize).prop_map(|(c, s)| Op::Code(c, s)),
        2 => (0..40usize).prop_map(Op::Uncode),
        3 => (0..3usize).prop_map(Op::Merge),
    ]
}

pub const TEXT: &str = "Ana: I trust the nurse more than the portal.\nBen: The waiting room is the worst part, and the cost of parking.\n";

pub fn seed(dir: &Path) -> PathBuf {
    let path = dir.join("lead.thematic");
    let mut study = Study::create(&path).unwrap();
    let lead = study.ensure_coder("lead").unwrap();
    let file = dir.join("FG1.txt");
    std::fs::write(&file, TEXT).unwrap();
    thematic::import::study::import_paths(&mut study, lead.id, &[file], None).unwrap();
    study
        .change(Some(lead.id), "codes.add", "seed codes", |rec| {
            edit::ensure_path(rec, "Trust")?;
            edit::ensure_path(rec, "Access")?;
            Ok(())
        })
        .unwrap();
    path
}

pub fn copy(from: &Path, to: &Path) {
    let study = Study::open(from).unwrap();
    study.backup_to(to).unwrap();
}

/// Applies one edit as `coder`; edits that make no sense in the current state are skipped.
pub fn edit_op(study: &mut Study, coder: &str, op: &Op) {
    let who = study.ensure_coder(coder).unwrap();
    let codes = codebook::all(study.conn()).unwrap();
    let pick = |i: usize| codes.get(i % codes.len().max(1)).cloned();
    let doc = thematic::study::documents::list(study.conn()).unwrap()[0].id;
    let len = TEXT.chars().count();
    let _ = study.change(
        Some(who.id),
        "edit",
        "edit",
        |rec| -> thematic::Result<()> {
            match op {
                Op::AddCode(n) => {
                    // Named per coder too: two coders creating codes of one name on their own
                    // are matched by name, not GUID (see the README on merge limits).
                    edit::ensure_path(rec, &format!("{} {coder}", NAMES[*n]))?;
                }
                Op::Rename(c, n) => {
                    // Each coder renames to names of their own: two coders giving two different
                    // codes one name is a clash each side keeps (a listed conflict), not a merge.
                    if let Some(c) = pick(*c) {
                        edit::rename(rec, &c.path, &format!("{} {coder}", NAMES[*n]))?;
                    }
                }
                Op::Define(c, d) => {
                    if let Some(c) = pick(*c) {
                        let fields = CodeFields {
                            definition: Some(format!("{coder} definition {d}")),
                            ..CodeFields::default()
                        };
                        edit::describe_id(rec, c.id, &fields)?;
                    }
                }
                Op::DeleteCode(c) => {
                    if let Some(c) = pick(*c) {
                        edit::delete(rec, &c.path, true)?;
                    }
                }
                Op::MergeCode(a, b) => {
                    if let (Some(a), Some(b)) = (pick(*a), pick(*b))
                        && a.id != b.id
                    {
                        edit::merge(rec, &a.path, &b.path)?;
                    }
                }
                Op::Code(c, s) => {
                    if let Some(c) = pick(*c) {
                        let start = (*s * 3) % (len - 6);
                        thematic::coding::add(
                            rec,
                            doc,
                            c.id,
                            who.id,
                            start as i64,
                            start as i64 + 6,
                        )?;
                    }
                }
                Op::Uncode(i) => {
                    let ids: Vec<i64> = rec
                        .tx
                        .prepare("SELECT id FROM codings ORDER BY id")?
                        .query_map([], |r| r.get(0))?
                        .collect::<Result<_, _>>()?;
                    if !ids.is_empty() {
                        thematic::coding::delete_coding(rec, ids[i % ids.len()])?;
                    }
                }
                Op::Merge(_) => {}
            }
            Ok(())
        },
    );
}

pub type State = (
    BTreeSet<(String, String)>,
    BTreeSet<(String, String, i64, i64)>,
);

/// The codebook (path, definition) and codings (code path, coder, range).
pub fn state(path: &Path) -> State {
    let study = Study::open(path).unwrap();
    let codes = codebook::all(study.conn()).unwrap();
    let code_set = codes
        .iter()
        .map(|c| (c.path.clone(), c.definition.clone()))
        .collect();
    let mut codings = BTreeSet::new();
    let mut stmt = study
        .conn()
        .prepare("SELECT k.code_id, c.name, k.start, k.\"end\" FROM codings k JOIN coders c ON c.id = k.coder_id")
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })
        .unwrap();
    for row in rows {
        let (code, coder, s, e) = row.unwrap();
        let path = codes.iter().find(|c| c.id == code).unwrap().path.clone();
        codings.insert((path, coder, s, e));
    }
    (code_set, codings)
}

pub fn merge_into(target: &Path, other: &Path, coder: &str) {
    let mut study = Study::open(target).unwrap();
    let who = study.ensure_coder(coder).unwrap();
    let report = merge(&mut study, other, who.id, MergeOptions::default())
        .unwrap_or_else(|e| panic!("merge {} into {}: {e}", other.display(), target.display()));
    if std::env::var_os("THEMATIC_DEBUG_MERGE").is_some() {
        eprintln!(
            "{} <- {}: {report:#?}\n{:?}",
            target.display(),
            other.display(),
            state(target)
        );
        dump_decisions(target);
    }
}

/// With `THEMATIC_DEBUG_MERGE`: the decisions a copy holds and the history of its codes, to
/// trace a failing sequence merge by merge.
pub fn dump_decisions(path: &Path) {
    let study = Study::open(path).unwrap();
    let conn = study.conn();
    let text = |r: &rusqlite::Row, i: usize| -> String {
        match r.get_ref(i).unwrap() {
            rusqlite::types::ValueRef::Null => "-".into(),
            rusqlite::types::ValueRef::Integer(n) => n.to_string(),
            rusqlite::types::ValueRef::Text(t) => {
                String::from_utf8_lossy(t).chars().take(90).collect()
            }
            _ => "?".into(),
        }
    };
    for (label, sql) in [
        (
            "decision",
            "SELECT c.id, c.at, substr(c.uid, 1, 8), c.merged_by, r.table_name, substr(r.guid, 1, 8), r.column_name, r.before, r.after FROM merge_resolutions r JOIN changes c ON c.id = r.change_id ORDER BY c.id, r.seq",
        ),
        (
            "code row",
            "SELECT c.id, c.at, substr(c.uid, 1, 8), c.kind, c.merged_by, json_extract(coalesce(r.after, r.before), '$.guid'), json_extract(r.before, '$.name'), json_extract(r.after, '$.name') FROM change_rows r JOIN changes c ON c.id = r.change_id WHERE r.table_name = 'codes' ORDER BY c.id, r.seq",
        ),
    ] {
        let mut stmt = conn.prepare(sql).unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            let cols: Vec<String> = (0..n).map(|i| text(r, i)).collect();
            eprintln!("  {label}: {}", cols.join(" | "));
        }
    }
}

/// Runs the edits, then everyone merges everyone; returns the copies (and their directory)
/// after checking they agree.
pub fn run(coders: usize, ops: &[(usize, Op)]) -> (tempfile::TempDir, Vec<PathBuf>) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let lead = seed(&dir);
    let mut copies = vec![lead.clone()];
    for i in 1..coders {
        let p = dir.join(format!("coder{i}.thematic"));
        copy(&lead, &p);
        copies.push(p);
    }
    let name = |i: usize| format!("coder{i}");
    for (who, op) in ops {
        let i = who % coders;
        match op {
            Op::Merge(j) => {
                let j = (i + 1 + j % (coders - 1)) % coders;
                merge_into(&copies[i], &copies[j], &name(i));
                // Merging the same file again changes nothing.
                let before = state(&copies[i]);
                merge_into(&copies[i], &copies[j], &name(i));
                assert_eq!(state(&copies[i]), before, "second merge changed copy {i}");
            }
            other => {
                let mut study = Study::open(&copies[i]).unwrap();
                edit_op(&mut study, &name(i), other);
            }
        }
    }
    // Everyone merges everyone, three times round (a decision made in the last merge of one
    // round reaches the others in the next).
    for _ in 0..3 {
        for i in 0..coders {
            for j in 0..coders {
                if i != j {
                    merge_into(&copies[i], &copies[j], &name(i));
                }
            }
        }
    }
    let first = state(&copies[0]);
    for (i, c) in copies.iter().enumerate().skip(1) {
        assert_eq!(state(c), first, "copy {i} differs from copy 0");
    }
    (tmp, copies)
}
