//! The per-document packs the agreement figures read (schema version 11) are a cache of
//! `codings` and `turns`: after every kind of change — coding added, resized, removed, codes
//! merged and deleted, a transcript revised, undo and redo, a merge, another document imported —
//! reading through the packs gives exactly what a direct scan of the tables gives. Each step
//! reads first (so packs exist), changes, then compares: a pack the triggers failed to drop
//! would show as a difference.

use rusqlite::Connection;
use std::path::Path;
use thematic::Study;
use thematic::codebook::edit;
use thematic::coding::packs::{self, DocumentPack};

const FG1: &str = "Ana: I trust the nurse more than the portal.\nBen: The waiting room is the worst part.\nAna: Parking costs too much.\n";
const FG2: &str = "Cleo: The portal replies fast.\nDan: I never use it.\n";

/// What the packs must hold, read straight from the tables.
fn scanned(conn: &Connection) -> Vec<DocumentPack> {
    let ids: Vec<i64> = conn
        .prepare("SELECT id FROM documents ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    ids.into_iter()
        .map(|id| DocumentPack {
            id,
            codings: conn
                .prepare("SELECT code_id, coder_id, start, \"end\" FROM codings WHERE document_id = ?1 ORDER BY code_id, coder_id, start, \"end\"")
                .unwrap()
                .query_map([id], |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?]))
                .unwrap()
                .map(|r| r.unwrap())
                .collect(),
            turns: conn
                .prepare("SELECT start, \"end\" FROM turns WHERE document_id = ?1 ORDER BY start")
                .unwrap()
                .query_map([id], |r| Ok([r.get(0)?, r.get(1)?]))
                .unwrap()
                .map(|r| r.unwrap())
                .collect(),
        })
        .collect()
}

fn packs_count(conn: &Connection) -> i64 {
    conn.query_row("SELECT count(*) FROM document_packs", [], |r| r.get(0))
        .unwrap()
}

/// Reads through the packs twice (the first read may rebuild them, the second must use them)
/// and checks both against the tables.
fn check(study: &Study, step: &str) {
    let conn = study.conn();
    let expected = scanned(conn);
    assert_eq!(
        packs::by_document(conn, None).unwrap(),
        expected,
        "{step}: first read"
    );
    assert_eq!(
        packs_count(conn),
        expected.len() as i64,
        "{step}: every document has a pack after a read"
    );
    assert_eq!(
        packs::by_document(conn, None).unwrap(),
        expected,
        "{step}: from packs"
    );
    let some: Vec<i64> = expected.iter().rev().map(|p| p.id).collect();
    assert_eq!(
        packs::by_document(conn, Some(&some)).unwrap(),
        expected,
        "{step}: by id"
    );
}

fn import(study: &mut Study, coder: i64, dir: &Path, name: &str, text: &str) {
    let file = dir.join(name);
    std::fs::write(&file, text).unwrap();
    thematic::import::study::import_paths(study, coder, &[file], None).unwrap();
}

#[test]
fn packs_follow_every_change_to_codings_and_turns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.thematic");
    let mut study = Study::create(&path).unwrap();
    let lead = study.ensure_coder("lead").unwrap();
    let sam = study.ensure_coder("sam").unwrap();
    import(&mut study, lead.id, dir.path(), "FG1.txt", FG1);
    check(&study, "imported");
    let doc = thematic::study::documents::list(study.conn()).unwrap()[0].id;
    let (trust, access) = study
        .change(Some(lead.id), "codes.add", "codes", |rec| {
            Ok((
                edit::ensure_path(rec, "Trust")?.0,
                edit::ensure_path(rec, "Access")?.0,
            ))
        })
        .unwrap();
    let mut ids = Vec::new();
    for (code, coder, s, e) in [
        (trust, lead.id, 5, 20),
        (access, sam.id, 10, 30),
        (trust, sam.id, 50, 60),
    ] {
        ids.push(
            study
                .change(Some(coder), "code", "code", |rec| {
                    thematic::coding::add(rec, doc, code, coder, s, e)
                })
                .unwrap(),
        );
        check(&study, "coding added");
    }
    study
        .change(Some(sam.id), "resize", "resize", |rec| {
            thematic::coding::resize(rec, ids[1], 12, 33)
        })
        .unwrap();
    check(&study, "coding resized");
    study
        .change(Some(lead.id), "uncode", "uncode", |rec| {
            thematic::coding::delete_coding(rec, ids[0])
        })
        .unwrap();
    check(&study, "coding removed");
    study.undo(&lead).unwrap();
    check(&study, "removal undone");
    study.redo(&lead).unwrap();
    check(&study, "removal redone");
    study
        .change(Some(lead.id), "codes.merge", "merge", |rec| {
            edit::merge(rec, "Access", "Trust")
        })
        .unwrap();
    check(&study, "codes merged");
    study.undo(&lead).unwrap();
    check(&study, "code merge undone");
    study
        .change(Some(lead.id), "codes.delete", "delete", |rec| {
            edit::delete(rec, "Access", true)
        })
        .unwrap();
    check(&study, "code deleted");
    let revised = dir.path().join("FG1-revised.txt");
    std::fs::write(&revised, FG1.replace("nurse", "head nurse")).unwrap();
    thematic::exchange::revise::revise(&mut study, lead.id, "FG1", &revised).unwrap();
    check(&study, "transcript revised");
    study.undo(&lead).unwrap();
    check(&study, "revision undone");
    import(&mut study, lead.id, dir.path(), "FG2.txt", FG2);
    check(&study, "second document imported");

    // A coder's copy, coded there, merged back.
    let copy = dir.path().join("sam.thematic");
    study.backup_to(&copy).unwrap();
    {
        let mut theirs = Study::open(&copy).unwrap();
        let sam = theirs.ensure_coder("sam").unwrap();
        let doc2 = thematic::study::documents::resolve(theirs.conn(), "FG2")
            .unwrap()
            .id;
        let code = thematic::codebook::all(theirs.conn()).unwrap()[0].id;
        theirs
            .change(Some(sam.id), "code", "code", |rec| {
                thematic::coding::add(rec, doc2, code, sam.id, 0, 10)
            })
            .unwrap();
        check(&theirs, "coded in the copy");
    }
    thematic::exchange::merge::merge(
        &mut study,
        &copy,
        lead.id,
        thematic::exchange::merge::MergeOptions::default(),
    )
    .unwrap();
    check(&study, "copy merged");
}

/// A reader never waits for a writer to rebuild packs: while another connection holds the
/// write lock, the read scans the tables, returns the right codings, and stores nothing.
#[test]
fn a_reader_does_not_wait_for_the_write_lock() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.thematic");
    let mut study = Study::create(&path).unwrap();
    let lead = study.ensure_coder("lead").unwrap();
    import(&mut study, lead.id, dir.path(), "FG1.txt", FG1);
    let writer = Connection::open(&path).unwrap();
    writer.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = std::time::Instant::now();
    let expected = scanned(study.conn());
    assert_eq!(packs::by_document(study.conn(), None).unwrap(), expected);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "the read waited for the writer"
    );
    assert_eq!(
        packs_count(study.conn()),
        0,
        "nothing stored while locked out"
    );
    writer.execute_batch("ROLLBACK").unwrap();
    assert_eq!(packs::by_document(study.conn(), None).unwrap(), expected);
    assert_eq!(
        packs_count(study.conn()),
        1,
        "stored once the lock was free"
    );
}
