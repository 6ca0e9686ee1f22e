//! Property: copies of one study, edited at random (codes added, renamed, defined, merged and
//! deleted; codings added and removed) and merged into each other in any order, end up with the
//! same codebook and the same codings once everyone has merged everyone — for two and for three
//! coders. Also: a merge never brings back what the merging side deleted, and merging the same
//! file twice changes nothing the second time.

use proptest::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use thematic::Study;
use thematic::codebook::{self, CodeFields, edit};
use thematic::exchange::merge::{MergeOptions, merge};

const NAMES: &[&str] = &["Trust", "Access", "Cost", "Waiting", "Portal"];

#[derive(Debug, Clone)]
enum Op {
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

fn op() -> impl Strategy<Value = Op> {
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

const TEXT: &str = "Ana: I trust the nurse more than the portal.\nBen: The waiting room is the worst part, and the cost of parking.\n";

fn seed(dir: &Path) -> PathBuf {
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

fn copy(from: &Path, to: &Path) {
    let study = Study::open(from).unwrap();
    study.backup_to(to).unwrap();
}

/// Applies one edit as `coder`; edits that make no sense in the current state are skipped.
fn edit_op(study: &mut Study, coder: &str, op: &Op) {
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

type State = (
    BTreeSet<(String, String)>,
    BTreeSet<(String, String, i64, i64)>,
);

/// The codebook (path, definition) and codings (code path, coder, range).
fn state(path: &Path) -> State {
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

fn merge_into(target: &Path, other: &Path, coder: &str) {
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
fn dump_decisions(path: &Path) {
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
fn run(coders: usize, ops: &[(usize, Op)]) -> (tempfile::TempDir, Vec<PathBuf>) {
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

#[test]
fn found_by_proptest() {
    use Op::*;
    // Two copies merge one code into a code the third deletes; the merge reaches the third
    // twice, once through a copy where it left no rows (the code was gone there): the third
    // keeps the code against both merges, and the others take it back.
    run(
        3,
        &[
            (1, DeleteCode(5)),
            (2, DeleteCode(6)),
            (1, AddCode(0)),
            (0, Rename(0, 0)),
            (0, Merge(2)),
            (0, MergeCode(5, 2)),
            (0, DeleteCode(0)),
            (1, MergeCode(1, 2)),
        ],
    );
    // A code merged into another on one copy, that target deleted on the other, which then
    // codes with the merged code: the merge's target is gone, so is the coding's code.
    run(
        2,
        &[(0, MergeCode(6, 1)), (1, DeleteCode(5)), (1, Code(0, 0))],
    );
    // One copy keeps a code another deleted (it had a coding on it); a third merges that code
    // away meanwhile: the decision to keep it does not bring it back where it was merged away.
    run(
        3,
        &[
            (0, Code(1, 0)),
            (0, Merge(0)),
            (0, DeleteCode(2)),
            (2, DeleteCode(1)),
            (0, AddCode(0)),
            (1, Merge(1)),
            (1, MergeCode(6, 1)),
            (0, Merge(1)),
        ],
    );
    // Three copies settle one rename conflict differently (two merges, each keeping its own
    // side): the later decision prevails on every copy.
    run(
        3,
        &[
            (2, Rename(2, 0)),
            (1, Merge(0)),
            (0, Rename(6, 0)),
            (2, Merge(0)),
        ],
    );
    // Both copies merge Access, each into another code.
    run(
        2,
        &[
            (0, AddCode(0)),
            (0, MergeCode(3, 3)),
            (0, Code(1, 0)),
            (1, AddCode(0)),
            (1, Merge(0)),
            (0, MergeCode(7, 0)),
            (1, MergeCode(1, 2)),
        ],
    );
    // A merge into a code deleted on the other copy (not applied there), then that target
    // merged on: the coding stays where the deleting copy kept it.
    run(
        2,
        &[
            (0, Code(0, 0)),
            (1, Code(1, 0)),
            (0, AddCode(0)),
            (0, AddCode(1)),
            (1, MergeCode(1, 2)),
            (1, AddCode(0)),
            (0, DeleteCode(4)),
            (0, Merge(0)),
            (0, MergeCode(1, 1)),
            (1, MergeCode(2, 3)),
        ],
    );
    run(
        3,
        &[
            (1, AddCode(2)),
            (2, DeleteCode(0)),
            (1, Code(3, 0)),
            (1, Merge(0)),
            (1, DeleteCode(4)),
            (0, AddCode(0)),
        ],
    );
    run(
        2,
        &[(0, DeleteCode(1)), (0, Rename(0, 1)), (1, Define(5, 0))],
    );
    // Found with three coders, PROPTEST_RNG_SEED=2: one copy deletes a code another renamed
    // and merged a code into; the deleting copy keeps it deleted (and the merged code, whose
    // target is gone), the renaming copy keeps it; a copy that sees the merge carrying the
    // deletion rejected still takes that merge's other decisions, and the later decision on
    // the code prevails on every copy, also over an earlier one applied already.
    run(
        3,
        &[
            (2, Rename(0, 0)),
            (0, MergeCode(1, 6)),
            (0, Define(0, 0)),
            (0, MergeCode(0, 0)),
            (0, Code(0, 1)),
            (2, Rename(0, 4)),
            (1, DeleteCode(0)),
            (2, Merge(2)),
            (1, Merge(2)),
            (0, Merge(0)),
        ],
    );
    // PROPTEST_RNG_SEED=5: a deletion against a definition made on another copy, met by the
    // third copy in both orders.
    run(
        3,
        &[
            (0, AddCode(0)),
            (1, DeleteCode(1)),
            (0, Define(4, 0)),
            (2, Merge(2)),
            (1, Merge(0)),
            (2, Merge(1)),
            (0, Code(1, 0)),
        ],
    );
    // PROPTEST_RNG_SEED=9: two copies delete one code, a third renames it.
    run(
        3,
        &[
            (1, Code(1, 0)),
            (2, Rename(1, 0)),
            (0, DeleteCode(1)),
            (1, DeleteCode(1)),
            (2, Merge(1)),
            (2, Uncode(0)),
        ],
    );
    // PROPTEST_RNG_SEED=10: a deletion against a rename and a definition on two other copies.
    run(
        3,
        &[
            (1, AddCode(0)),
            (1, AddCode(1)),
            (1, DeleteCode(5)),
            (2, Rename(1, 0)),
            (1, Merge(2)),
            (0, Define(1, 0)),
        ],
    );
    // PROPTEST_RNG_SEED=11: one copy merges Trust into Access, then defines and renames Access
    // to Trust's name; another deletes Access. The decision to keep Access reaches the deleting
    // copy while Trust (whose merge it has not applied yet) holds that name: Access comes back
    // under a provisional name, the merge of Trust follows, and Access takes its name back.
    run(
        3,
        &[
            (0, Code(0, 0)),
            (0, Rename(6, 2)),
            (0, MergeCode(0, 0)),
            (0, MergeCode(2, 1)),
            (0, Define(0, 0)),
            (0, Rename(0, 2)),
            (1, DeleteCode(1)),
        ],
    );
    // PROPTEST_RNG_SEED=21 (after the fixes above): a copy in between that deleted the code
    // could not apply the rename another copy made of it; the decision to keep the code
    // carries the renamed code, and a copy that never deleted it takes the name from there.
    run(
        3,
        &[
            (0, DeleteCode(2)),
            (2, Rename(2, 0)),
            (0, AddCode(0)),
            (2, Merge(0)),
        ],
    );
    // PROPTEST_RNG_SEED=9 (after the fixes above): a decision to keep a renamed code, then a
    // later one to delete it (made where it was deleted, without knowing the first); a coding
    // made on the code meanwhile goes with it (listed), so the code can go.
    run(
        3,
        &[
            (1, Rename(0, 0)),
            (2, DeleteCode(2)),
            (0, Merge(0)),
            (1, Merge(0)),
            (2, Merge(2)),
            (0, Code(6, 0)),
        ],
    );
    // PROPTEST_RNG_SEED=10 (after the fixes above).
    run(
        3,
        &[
            (1, AddCode(0)),
            (1, AddCode(1)),
            (1, DeleteCode(5)),
            (2, Rename(1, 0)),
            (2, Merge(1)),
            (1, Merge(2)),
        ],
    );
    // PROPTEST_RNG_SEED=23: a coding kept by a decision (its deletion was not applied where the
    // code had been renamed) comes back where its code was merged away meanwhile: on the code
    // the merge sent it to.
    run(
        3,
        &[
            (1, Code(0, 0)),
            (0, Rename(1, 0)),
            (2, MergeCode(2, 1)),
            (1, Merge(0)),
            (1, DeleteCode(0)),
            (2, AddCode(0)),
            (2, MergeCode(6, 5)),
            (2, Merge(1)),
        ],
    );
    // Found while fixing the above (PROPTEST_RNG_SEED=4): the decision to keep a code, made
    // where it was defined, does not take back the rename a third copy made of it meanwhile.
    run(
        3,
        &[
            (2, Rename(0, 0)),
            (0, Define(0, 0)),
            (1, DeleteCode(2)),
            (0, AddCode(0)),
        ],
    );
    // Likewise (PROPTEST_RNG_SEED=15 and 9): one copy deletes a code, another defines it, a
    // third renames it; each decision to keep it carries only what its maker knew.
    run(
        3,
        &[
            (1, DeleteCode(0)),
            (1, DeleteCode(0)),
            (0, Define(5, 0)),
            (2, Rename(5, 0)),
        ],
    );
    run(
        3,
        &[
            (1, AddCode(0)),
            (2, Merge(1)),
            (0, Rename(0, 0)),
            (2, Rename(2, 0)),
            (0, Merge(0)),
            (0, Define(2, 0)),
            (1, DeleteCode(2)),
        ],
    );
    // PROPTEST_RNG_SEED=21: a code merged into a code deleted there; the copy that deleted the
    // target keeps the merged code, the copy that had renamed it took the merge: when the
    // decision brings it back there, the rename made there applies again on top.
    run(
        3,
        &[
            (0, Code(0, 0)),
            (1, MergeCode(2, 1)),
            (1, DeleteCode(0)),
            (2, DeleteCode(1)),
            (2, Merge(1)),
            (0, Rename(0, 0)),
        ],
    );
    // PROPTEST_RNG_SEED=22: coder0 defines a code twice; two merges each keep coder0's side
    // against coder2's definition, one knowing only the first: the later decision prevails,
    // also over coder0's second edit, which it did not weigh, on every copy.
    run(
        3,
        &[
            (2, AddCode(1)),
            (0, Define(1, 1)),
            (1, Merge(1)),
            (0, Define(1, 0)),
            (2, AddCode(0)),
            (2, Define(5, 0)),
            (0, Merge(1)),
            (1, Merge(0)),
        ],
    );
    // PROPTEST_RNG_SEED=22 (after the fix above): the deleting copy could not apply a rename of
    // the code; when a decision brings the code back there, the rename (as the merged file
    // holds it) applies again on top of the image.
    run(
        3,
        &[
            (2, DeleteCode(1)),
            (0, Define(1, 1)),
            (1, Merge(1)),
            (0, Rename(5, 0)),
            (1, Merge(0)),
        ],
    );
    // PROPTEST_RNG_SEED=22 (third round): a copy that kept a code against a deletion before it
    // knew of a rename of it: its image (old name) does not take back the rename on the copy
    // that deleted the code (an image's value counts only when its edit is later).
    run(
        3,
        &[
            (2, DeleteCode(1)),
            (0, Define(1, 1)),
            (1, Merge(1)),
            (0, Rename(5, 0)),
            (0, Merge(1)),
            (1, Merge(0)),
        ],
    );
    // PROPTEST_RNG_SEED=27.
    run(
        3,
        &[
            (1, Rename(5, 3)),
            (0, Define(0, 0)),
            (0, DeleteCode(1)),
            (2, Define(1, 0)),
            (2, Merge(2)),
            (1, DeleteCode(1)),
            (0, AddCode(0)),
            (0, Merge(1)),
        ],
    );
    // PROPTEST_RNG_SEED=29: a decision to keep a code (against a deletion) reaches the copy that
    // merged the code away through a third copy, whose own rows put the code back: those rows are
    // what the decision did there, and the decision does not bring the code back over a merge it
    // did not weigh.
    run(
        3,
        &[
            (2, Rename(2, 0)),
            (1, MergeCode(2, 1)),
            (0, DeleteCode(2)),
            (2, Merge(0)),
            (0, Merge(1)),
        ],
    );
    // PROPTEST_RNG_SEED=21 (third round): a decision keeps a code against a merge of it into a
    // code deleted there; where that merge was applied and moved a coding, the coding goes back
    // to the code kept, as it stayed on it where the decision was made.
    run(
        3,
        &[
            (0, Code(0, 0)),
            (1, MergeCode(2, 1)),
            (1, DeleteCode(0)),
            (2, DeleteCode(1)),
            (2, Merge(1)),
            (0, Rename(1, 0)),
        ],
    );
    // PROPTEST_RNG_SEED=8: a copy kept a code another deleted (it had renamed it) and renamed
    // it again; the deleting copy brought it back from that decision with the second rename on
    // top: the rename itself is still relayed from there as its own change (a copy in between
    // that had the code got it only that way).
    run(
        3,
        &[
            (0, Rename(0, 0)),
            (0, DeleteCode(1)),
            (1, Rename(1, 0)),
            (1, Merge(1)),
            (2, Merge(1)),
            (1, Rename(5, 1)),
        ],
    );
    // PROPTEST_RNG_SEED=44: a decision between two definitions, made after a third copy's own
    // definition (which it did not weigh): it prevails there too, as it does where it was made.
    run(
        3,
        &[
            (0, Define(1, 0)),
            (2, Merge(0)),
            (1, Define(1, 0)),
            (2, Define(1, 0)),
        ],
    );
    // PROPTEST_RNG_SEED=21 (fourth round): two decisions keep one coding, on the code merged
    // away and on the merge target: the later one says where it stays, on every copy.
    run(
        3,
        &[
            (1, Code(0, 0)),
            (1, MergeCode(2, 1)),
            (1, DeleteCode(0)),
            (2, DeleteCode(1)),
            (2, Merge(1)),
            (0, Rename(1, 0)),
        ],
    );
    // PROPTEST_RNG_SEED=27 (second round): a copy renames a code, deletes it and makes a new
    // code under that name; another copy keeps the old code (it had defined it): two different
    // codes of one name, both kept on every copy, the one with the greater GUID with a suffix.
    run(
        3,
        &[
            (1, Rename(5, 3)),
            (0, Define(0, 0)),
            (0, DeleteCode(1)),
            (2, Define(1, 0)),
            (2, Merge(2)),
            (1, DeleteCode(1)),
            (1, AddCode(3)),
            (0, Merge(1)),
        ],
    );
    // PROPTEST_RNG_SEED=67: a copy renamed and deleted a code another renamed its own way and
    // kept; a third copy meets the deletion first, then the decision: the decision's name (written
    // when it brought the code back, later than the first rename) prevails.
    run(
        3,
        &[
            (0, Rename(2, 0)),
            (0, DeleteCode(2)),
            (1, Rename(2, 0)),
            (1, Merge(1)),
        ],
    );
    // PROPTEST_RNG_SEED=75: two copies merge Trust into Access, the third deletes Access and keeps
    // Trust against one of the merges: the other merge, alike, is set aside too.
    run(
        3,
        &[
            (0, MergeCode(2, 1)),
            (2, MergeCode(0, 5)),
            (1, DeleteCode(1)),
            (1, Merge(0)),
        ],
    );
    // PROPTEST_RNG_SEED=12 and 80 (with the fixes above): a copy that had merged a code away could
    // not apply another copy's later deletion (or rename) of it; the third copy learns that
    // change from it all the same (`relayed_rows`), and the code does not come back there.
    run(
        3,
        &[
            (0, MergeCode(1, 0)),
            (2, MergeCode(1, 2)),
            (1, DeleteCode(0)),
            (1, Merge(2)),
            (1, DeleteCode(0)),
        ],
    );
    run(
        3,
        &[
            (2, DeleteCode(0)),
            (2, Code(0, 0)),
            (1, DeleteCode(0)),
            (2, Rename(0, 0)),
            (2, DeleteCode(0)),
            (0, MergeCode(1, 0)),
        ],
    );
    // PROPTEST_RNG_SEED=63 (some runs: copies' changes within one millisecond order by uid): a
    // name clash met on one copy only; the suffix travels as a decision on the name.
    run(
        3,
        &[
            (0, AddCode(2)),
            (1, Rename(3, 2)),
            (2, MergeCode(3, 7)),
            (0, Code(1, 14)),
            (0, Rename(5, 3)),
            (1, Code(2, 18)),
            (1, Uncode(29)),
            (2, Merge(2)),
            (2, Uncode(33)),
            (2, Define(2, 1)),
            (2, DeleteCode(7)),
            (0, Define(7, 2)),
            (0, DeleteCode(0)),
            (0, DeleteCode(3)),
            (1, Merge(1)),
            (0, Rename(7, 2)),
            (0, Uncode(15)),
            (2, Code(0, 39)),
            (1, DeleteCode(3)),
            (0, Merge(0)),
            (0, Rename(7, 2)),
            (0, AddCode(3)),
            (1, Code(0, 24)),
        ],
    );
    // Likewise PROPTEST_RNG_SEED=54.
    run(
        3,
        &[
            (0, Rename(7, 3)),
            (0, Rename(4, 1)),
            (0, Uncode(36)),
            (1, Code(4, 24)),
            (0, AddCode(1)),
            (1, Code(7, 8)),
            (0, DeleteCode(0)),
            (2, Uncode(31)),
            (2, Merge(0)),
            (1, Define(2, 2)),
            (2, AddCode(4)),
            (2, Rename(0, 4)),
            (2, DeleteCode(3)),
            (2, Merge(2)),
            (0, AddCode(1)),
            (2, Uncode(16)),
        ],
    );
    // PROPTEST_RNG_SEED=120: a coding made on one copy and deleted on another; the copy in between
    // could not apply its making (its code was merged into one deleted there) nor so its
    // deletion, and then got the coding from the first copy: the deletion, kept, prevails.
    run(
        3,
        &[
            (1, AddCode(0)),
            (1, MergeCode(3, 7)),
            (2, Code(0, 0)),
            (1, Merge(0)),
            (0, DeleteCode(1)),
            (1, Uncode(0)),
            (0, MergeCode(0, 0)),
        ],
    );
    run(
        2,
        &[
            (0, AddCode(2)),
            (1, DeleteCode(5)),
            (0, Code(3, 0)),
            (0, Merge(0)),
            (0, AddCode(1)),
            (0, AddCode(3)),
            (1, Rename(0, 1)),
            (0, DeleteCode(4)),
        ],
    );
    run(
        2,
        &[
            (0, AddCode(2)),
            (1, Merge(0)),
            (1, DeleteCode(0)),
            (1, Code(2, 0)),
            (0, Merge(0)),
            (1, MergeCode(2, 1)),
            (0, AddCode(3)),
            (0, Define(3, 0)),
        ],
    );
    run(
        2,
        &[
            (0, MergeCode(0, 0)),
            (0, AddCode(0)),
            (0, Code(2, 0)),
            (0, Code(6, 1)),
            (0, Uncode(22)),
            (1, DeleteCode(0)),
        ],
    );
}

fn rng_seed() -> proptest::test_runner::RngSeed {
    let n = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    proptest::test_runner::RngSeed::Fixed(n)
}

proptest! {
    // A fixed seed: the same 24 sequences every run (CI stays deterministic). Three-coder seeds
    // 1..=150 and two-coder seeds 1..=80 pass; `PROPTEST_RNG_SEED=N` explores others.
    #![proptest_config(ProptestConfig {
        cases: 24,
        rng_seed: rng_seed(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn two_coders_converge(ops in prop::collection::vec((0..2usize, op()), 1..25)) {
        run(2, &ops);
    }

    /// Three coders: every kind of edit, merged in any order (a code merged or deleted on one
    /// copy reaches the third through either of the others).
    #[test]
    fn three_coders_converge(ops in prop::collection::vec((0..3usize, op()), 1..30)) {
        run(3, &ops);
    }
}

/// One coder merges code A into B while the other deletes B: the deletion conflicts with the
/// incoming merge into B (ours kept, theirs recorded and reported), and both copies end the
/// same after merging back: A survives on both (its merge target is gone), B stays deleted.
#[test]
fn a_merge_into_a_code_the_other_side_deleted() {
    use Op::*;
    // The seed codebook, in codebook order: Trust (0), Access (1). Trust is merged into Access.
    for ops in [
        [(1, MergeCode(0, 1)), (0, DeleteCode(1))],
        [(0, MergeCode(0, 1)), (1, DeleteCode(1))],
    ] {
        let (_dir, copies) = run(2, &ops);
        let (codes, _) = state(&copies[0]);
        assert_eq!(
            codes,
            BTreeSet::from([("Trust".to_string(), String::new())]),
            "{ops:?}"
        );
    }
}

/// Found with `PROPTEST_RNG_SEED=2`: coder0 merges Trust into Access (then renames Access),
/// coder1 deletes Access; coder1's merge keeps Trust (the merge into a deleted code is not
/// applied) and coder0 gets Trust back from it. coder1 then codes with Trust while coder0 deletes
/// Trust: coder0 takes that coding to where its merge sent Trust, and coder1 follows that
/// decision when merging back, so the coding ends on one code on both copies.
#[test]
fn a_coding_on_a_code_merged_away_here_follows_the_merge_on_both_copies() {
    use Op::*;
    let (_dir, copies) = run(
        2,
        &[
            (0, MergeCode(2, 1)),
            (1, DeleteCode(1)),
            (1, Merge(0)),
            (0, Rename(0, 0)),
            (0, Merge(0)),
            (1, Code(0, 0)),
            (0, DeleteCode(6)),
        ],
    );
    let (_, codings) = state(&copies[0]);
    assert_eq!(
        codings,
        BTreeSet::from([("Trust coder0".to_string(), "coder1".to_string(), 0, 6)])
    );
    // With codings on both codes, made before the merge and the deletion: the copies converge.
    // (coder1's own coding on Access is dropped on both: coder0's deletion of Access drops the
    // codings made on it elsewhere, a known limit of the deletion rule, not decided here.)
    run(
        2,
        &[
            (0, Code(0, 1)),
            (1, Code(1, 2)),
            (1, MergeCode(0, 1)),
            (0, DeleteCode(1)),
        ],
    );
}

/// The lead undoes a merge and merges the same file again; the coder meanwhile deletes one of
/// their codings and then merges the lead's file: the deleted coding stays deleted.
#[test]
fn a_merge_undone_and_redone_by_the_lead_brings_back_no_coding_the_coder_deleted() {
    use Op::*;
    let dir = tempfile::tempdir().unwrap();
    let lead = seed(dir.path());
    let coder = dir.path().join("coder1.thematic");
    copy(&lead, &coder);
    {
        let mut s = Study::open(&coder).unwrap();
        edit_op(&mut s, "coder1", &Code(0, 0));
        edit_op(&mut s, "coder1", &Code(1, 5));
    }
    merge_into(&lead, &coder, "lead");
    {
        let mut s = Study::open(&lead).unwrap();
        let who = s.ensure_coder("lead").unwrap();
        s.undo(&who).unwrap();
    }
    merge_into(&lead, &coder, "lead");
    assert_eq!(state(&lead).1.len(), 2, "the lead has both codings again");
    {
        let mut s = Study::open(&coder).unwrap();
        edit_op(&mut s, "coder1", &Uncode(0));
    }
    let kept = state(&coder).1;
    assert_eq!(kept.len(), 1);
    merge_into(&coder, &lead, "coder1");
    assert_eq!(
        state(&coder).1,
        kept,
        "a coding the coder deleted came back"
    );
}
