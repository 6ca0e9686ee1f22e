//! Team merge by lineage (issue 16), end to end through the CLI: what the lead deleted, merged
//! or moved after handing out a copy stays that way; the coder's renames, moves and colours
//! travel; conflicts are listed; unrelated studies keep their people apart; corrected
//! transcripts are revisions, not second documents; the file at fault is named; a hard link is
//! the study itself; old (schema 2) files get an identity; undo names what stands in its way.

mod common;

use common::{fingerprint, thematic};
use rusqlite::Connection;
use std::path::{Path, PathBuf};

const FG1: &str = "Ana: I trust the nurse more than anyone.\nBen: The portal is slow and the waiting room is awful.\nAna: Parking costs too much.\n";

fn output(dir: &tempfile::TempDir, study: &Path, coder: &str, args: &[&str]) -> (bool, String) {
    let out = thematic(dir, study)
        .arg("--project")
        .arg(study)
        .args(["--coder", coder])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn run(dir: &tempfile::TempDir, study: &Path, coder: &str, args: &[&str]) -> String {
    let (ok, text) = output(dir, study, coder, args);
    assert!(ok, "thematic {args:?} failed:\n{text}");
    text
}

fn query<T: rusqlite::types::FromSql>(study: &Path, sql: &str) -> T {
    Connection::open(study)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

/// Codings as (code path-ish name, coder, coded text), sorted.
fn codings(study: &Path) -> Vec<(String, String, String)> {
    let conn = Connection::open(study).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT c.name, k.name, substr(d.text, x.start + 1, x.\"end\" - x.start)
               FROM codings x JOIN codes c ON c.id = x.code_id JOIN coders k ON k.id = x.coder_id
               JOIN documents d ON d.id = x.document_id ORDER BY 1, 2, 3",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn code_names(study: &Path) -> Vec<String> {
    let conn = Connection::open(study).unwrap();
    let mut stmt = conn
        .prepare("SELECT name FROM codes ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// A lead's study: FG1 imported, four codes, two codings by the lead.
fn lead_study(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    let study = dir.path().join(name);
    run(dir, &study, "lead", &["init", study.to_str().unwrap()]);
    let fg1 = dir.path().join("FG1.txt");
    std::fs::write(&fg1, FG1).unwrap();
    run(dir, &study, "lead", &["import", fg1.to_str().unwrap()]);
    for code in ["Trust", "Access", "Cost", "Waiting"] {
        run(dir, &study, "lead", &["codes", "add", code]);
    }
    run(
        dir,
        &study,
        "lead",
        &["code", "FG1", "Trust", "--match", "trust the nurse"],
    );
    run(
        dir,
        &study,
        "lead",
        &["code", "FG1", "Access", "--match", "portal is slow"],
    );
    study
}

#[test]
fn deletions_merges_and_moves_travel_and_nothing_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let lead = lead_study(&dir, "lead.thematic");
    let coder = dir.path().join("sam.thematic");
    std::fs::copy(&lead, &coder).unwrap();
    // The lead refines the codebook after handing out the copy.
    run(
        &dir,
        &lead,
        "lead",
        &["uncode", "FG1", "Trust", "--match", "trust the nurse"],
    );
    run(
        &dir,
        &lead,
        "lead",
        &["codes", "merge", "Waiting", "Access"],
    );
    run(&dir, &lead, "lead", &["codes", "delete", "Cost", "--force"]);
    // The coder codes, moves, renames and recolours.
    run(
        &dir,
        &coder,
        "sam",
        &["code", "FG1", "Waiting", "--match", "waiting room"],
    );
    run(
        &dir,
        &coder,
        "sam",
        &["code", "FG1", "Cost", "--match", "Parking costs"],
    );
    run(
        &dir,
        &coder,
        "sam",
        &["codes", "rename", "Trust", "Trust in staff"],
    );
    run(
        &dir,
        &coder,
        "sam",
        &["codes", "move", "Access", "--to", "Trust in staff"],
    );
    run(
        &dir,
        &coder,
        "sam",
        &["codes", "describe", "Trust in staff", "--colour", "#ff0000"],
    );
    let out = run(&dir, &lead, "lead", &["merge", coder.to_str().unwrap()]);
    assert!(out.contains("history: shared with this study"), "{out}");
    assert!(
        out.contains("backup of the study before the merge"),
        "{out}"
    );
    // Nothing deleted came back, nothing merged was recreated; the rename, move and colour came.
    assert_eq!(code_names(&lead), ["Access", "Trust in staff"], "{out}");
    assert_eq!(
        codings(&lead),
        [
            ("Access".into(), "lead".into(), "portal is slow".into()),
            ("Access".into(), "sam".into(), "waiting room".into()),
        ],
        "{out}"
    );
    let colour: String = query(
        &lead,
        "SELECT colour FROM codes WHERE name = 'Trust in staff'",
    );
    assert_eq!(colour.to_lowercase(), "#ff0000");
    let parent: String = query(
        &lead,
        "SELECT p.name FROM codes c JOIN codes p ON p.id = c.parent_id WHERE c.name = 'Access'",
    );
    assert_eq!(parent, "Trust in staff");
    // The coding on the deleted code is a listed conflict, in the report and the history.
    assert!(out.contains("conflict:") && out.contains("Cost"), "{out}");
    let history = run(&dir, &lead, "lead", &["history"]);
    assert!(history.contains("conflict:"), "{history}");
    // Again: nothing new, no backup.
    let before = fingerprint(&lead);
    let out = run(&dir, &lead, "lead", &["merge", coder.to_str().unwrap()]);
    assert!(
        out.contains("nothing new") && out.contains("no backup taken"),
        "{out}"
    );
    assert_eq!(fingerprint(&lead), before);
    // The coder withdraws a coding after the first merge: the lead loses it on the next.
    run(
        &dir,
        &coder,
        "sam",
        &["uncode", "FG1", "Waiting", "--match", "waiting room"],
    );
    run(&dir, &lead, "lead", &["merge", coder.to_str().unwrap()]);
    assert_eq!(
        codings(&lead),
        [("Access".into(), "lead".into(), "portal is slow".into())]
    );
    // And the coder, merging the lead's file, ends where the lead is.
    run(&dir, &coder, "sam", &["merge", lead.to_str().unwrap()]);
    assert_eq!(code_names(&coder), code_names(&lead));
    assert_eq!(codings(&coder), codings(&lead));
    // The lead's last merge, undone and merged again: the same result.
    let merged = (code_names(&lead), codings(&lead));
    run(&dir, &lead, "lead", &["undo"]);
    assert_eq!(
        codings(&lead),
        [
            ("Access".into(), "lead".into(), "portal is slow".into()),
            ("Access".into(), "sam".into(), "waiting room".into()),
        ]
    );
    run(&dir, &lead, "lead", &["merge", coder.to_str().unwrap()]);
    assert_eq!((code_names(&lead), codings(&lead)), merged);
}

#[test]
fn both_sides_editing_a_definition_is_a_conflict_that_converges() {
    let dir = tempfile::tempdir().unwrap();
    let lead = lead_study(&dir, "lead.thematic");
    let coder = dir.path().join("sam.thematic");
    std::fs::copy(&lead, &coder).unwrap();
    run(
        &dir,
        &lead,
        "lead",
        &["codes", "describe", "Trust", "--definition", "Lead's"],
    );
    run(
        &dir,
        &coder,
        "sam",
        &["codes", "describe", "Trust", "--definition", "Sam's"],
    );
    let out = run(&dir, &lead, "lead", &["merge", coder.to_str().unwrap()]);
    assert!(
        out.contains(
            "conflict: code 'Trust' definition: kept ours ('Lead's'); other side: 'Sam's'"
        ),
        "{out}"
    );
    // The coder merges the lead's file back and adopts the lead's decision.
    run(&dir, &coder, "sam", &["merge", lead.to_str().unwrap()]);
    let theirs: String = query(&coder, "SELECT definition FROM codes WHERE name = 'Trust'");
    assert_eq!(theirs, "Lead's");
}

#[test]
fn unrelated_studies_keep_their_people_apart_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let ours = lead_study(&dir, "ours.thematic");
    let theirs = lead_study(&dir, "theirs.thematic");
    let out = run(&dir, &ours, "lead", &["merge", theirs.to_str().unwrap()]);
    assert!(out.contains("shares no history"), "{out}");
    assert!(out.contains("lead (other study)"), "{out}");
    let people: i64 = query(
        &ours,
        "SELECT count(*) FROM coders WHERE name = 'lead (other study)'",
    );
    assert_eq!(people, 1);
    // Their document has our text: matched by content, not added twice.
    let docs: i64 = query(&ours, "SELECT count(*) FROM documents");
    assert_eq!(docs, 1);
    // With --match-names, their lead is ours.
    let ours2 = lead_study(&dir, "ours2.thematic");
    let out = run(
        &dir,
        &ours2,
        "lead",
        &["merge", theirs.to_str().unwrap(), "--match-names"],
    );
    assert!(!out.contains("(other study)"), "{out}");
    let coders: i64 = query(&ours2, "SELECT count(*) FROM coders");
    assert_eq!(coders, 1);
}

#[test]
fn a_corrected_transcript_is_a_revision_not_a_second_document() {
    let dir = tempfile::tempdir().unwrap();
    let ours = lead_study(&dir, "ours.thematic");
    // `revise`: a typo fixed and a word inserted; codings follow, the touched one is listed.
    let corrected = dir.path().join("FG1-corrected.txt");
    std::fs::write(
        &corrected,
        FG1.replace("trust the nurse", "trust the night nurse"),
    )
    .unwrap();
    let before = codings(&ours);
    let out = run(
        &dir,
        &ours,
        "lead",
        &["revise", "FG1", corrected.to_str().unwrap()],
    );
    assert!(out.contains("1 coding(s) touch changed text"), "{out}");
    assert_eq!(
        codings(&ours),
        [
            ("Access".into(), "lead".into(), "portal is slow".into()),
            (
                "Trust".into(),
                "lead".into(),
                "trust the night nurse".into()
            ),
        ]
    );
    let hits = run(&dir, &ours, "lead", &["search", "night"]);
    assert!(hits.contains("night"), "{hits}");
    run(&dir, &ours, "lead", &["undo"]);
    assert_eq!(codings(&ours), before);
    // Merge: their FG1 is ours with one word changed.
    let theirs = dir.path().join("theirs.thematic");
    run(&dir, &theirs, "lead", &["init", theirs.to_str().unwrap()]);
    let fg1 = dir.path().join("FG1.txt");
    std::fs::write(&fg1, FG1.replace("awful", "awfull")).unwrap();
    run(&dir, &theirs, "lead", &["import", fg1.to_str().unwrap()]);
    let out = run(&dir, &ours, "lead", &["merge", theirs.to_str().unwrap()]);
    assert!(out.contains("nearly the same text as our 'FG1'"), "{out}");
    run(&dir, &ours, "lead", &["undo"]);
    let out = run(
        &dir,
        &ours,
        "lead",
        &["merge", theirs.to_str().unwrap(), "--revisions"],
    );
    assert!(out.contains("treated as a revision of ours"), "{out}");
    let docs: i64 = query(&ours, "SELECT count(*) FROM documents");
    assert_eq!(docs, 1);
    let text: String = query(&ours, "SELECT text FROM documents");
    assert!(text.contains("awfull"));
}

#[test]
fn the_file_at_fault_is_named_and_a_hard_link_is_the_study_itself() {
    let dir = tempfile::tempdir().unwrap();
    let ours = lead_study(&dir, "ours.thematic");
    let before = fingerprint(&ours);
    let link = dir.path().join("link.thematic");
    std::fs::hard_link(&ours, &link).unwrap();
    let (ok, text) = output(&dir, &ours, "lead", &["merge", link.to_str().unwrap()]);
    assert!(!ok && text.contains("is this study itself"), "{text}");
    let broken = dir.path().join("broken.thematic");
    let mut bytes = std::fs::read(&ours).unwrap();
    for b in bytes.iter_mut().take(100).skip(16) {
        *b = 0xff;
    }
    std::fs::write(&broken, bytes).unwrap();
    let (ok, text) = output(&dir, &ours, "lead", &["merge", broken.to_str().unwrap()]);
    assert!(!ok, "{text}");
    assert!(
        text.contains("broken.thematic") && text.contains("not this study"),
        "{text}"
    );
    assert_eq!(fingerprint(&ours), before);
}

#[test]
fn undoing_a_merge_that_later_work_depends_on_names_that_work() {
    let dir = tempfile::tempdir().unwrap();
    let lead = lead_study(&dir, "lead.thematic");
    let coder = dir.path().join("sam.thematic");
    std::fs::copy(&lead, &coder).unwrap();
    run(&dir, &coder, "sam", &["codes", "add", "Parking"]);
    run(&dir, &lead, "lead", &["merge", coder.to_str().unwrap()]);
    // Another coder, in the lead's file, codes with the code the merge brought in.
    run(
        &dir,
        &lead,
        "pat",
        &["code", "FG1", "Parking", "--match", "Parking costs"],
    );
    let (ok, text) = output(&dir, &lead, "lead", &["undo"]);
    assert!(!ok, "{text}");
    assert!(
        text.contains("later actions depend on") && text.contains("(pat)"),
        "{text}"
    );
    assert!(!text.contains("FOREIGN KEY"), "{text}");
}

#[test]
fn schema_2_files_get_an_identity_and_copies_share_their_history() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.thematic");
    {
        let conn = Connection::open(&old).unwrap();
        conn.execute_batch(include_str!("../schema.sql")).unwrap();
        conn.execute_batch(
            "PRAGMA user_version = 2;
             INSERT INTO meta (key, value) VALUES ('name', 'old'), ('created_at', '2025-01-01T00:00:00.000Z');
             INSERT INTO coders (name, guid, created_at) VALUES ('lead', 'c0ffee00-0000-4000-8000-000000000001', 't');
             INSERT INTO changes (at, coder_id, kind, summary) VALUES ('2025-01-02T00:00:00.000Z', 1, 'codes.add', 'add code Trust');
             INSERT INTO codes (guid, name, created_at) VALUES ('c0ffee00-0000-4000-8000-000000000002', 'Trust', 't');
             INSERT INTO change_rows (change_id, seq, table_name, row_key, before, after)
             VALUES (1, 1, 'codes', '[1]', NULL, '{\"id\":1,\"guid\":\"c0ffee00-0000-4000-8000-000000000002\",\"name\":\"Trust\"}');",
        )
        .unwrap();
    }
    let copy = dir.path().join("copy.thematic");
    std::fs::copy(&old, &copy).unwrap();
    // Each opens (and migrates) on its own.
    run(&dir, &old, "lead", &["codes", "add", "Access"]);
    run(&dir, &copy, "sam", &["codes", "add", "Cost"]);
    let id_a: String = query(&old, "SELECT value FROM meta WHERE key = 'study_id'");
    let id_b: String = query(&copy, "SELECT value FROM meta WHERE key = 'study_id'");
    assert_eq!(id_a, id_b);
    assert!(id_a.starts_with("legacy-"));
    let uid_a: String = query(&old, "SELECT uid FROM changes WHERE id = 1");
    let uid_b: String = query(&copy, "SELECT uid FROM changes WHERE id = 1");
    assert_eq!(uid_a, uid_b);
    let missing: i64 = query(&old, "SELECT count(*) FROM changes WHERE uid IS NULL");
    assert_eq!(missing, 0);
    let out = run(&dir, &old, "lead", &["merge", copy.to_str().unwrap()]);
    assert!(out.contains("history: shared with this study"), "{out}");
    assert_eq!(code_names(&old), ["Access", "Cost", "Trust"]);
}

/// The lead deletes a code the coder went on coding with: the deletion wins on both copies, in
/// either merge order, and every coding it drops is listed in the merge's report and kept in
/// the history with its coder, code, document, range and text (and undoing the merge brings it
/// back). `--theirs` on the deleting side takes the coder's side: the code comes back with the
/// codings, on both copies.
#[test]
fn a_code_deleted_on_one_copy_drops_the_codings_the_other_made_and_says_which() {
    let dropped = [
        "coding by sam on code 'Cost' in FG1 at 73-85 (\"waiting room\")",
        "coding by sam on code 'Cost' in FG1 at 101-114 (\"Parking costs\")",
    ];
    let setup = |dir: &tempfile::TempDir| {
        let lead = lead_study(dir, "lead.thematic");
        let coder = dir.path().join("sam.thematic");
        std::fs::copy(&lead, &coder).unwrap();
        run(dir, &lead, "lead", &["codes", "delete", "Cost", "--force"]);
        for text in ["Parking costs", "waiting room"] {
            run(
                dir,
                &coder,
                "sam",
                &["code", "FG1", "Cost", "--match", text],
            );
        }
        (lead, coder)
    };
    for lead_first in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let (lead, coder) = setup(&dir);
        if lead_first {
            let out = run(&dir, &lead, "lead", &["merge", coder.to_str().unwrap()]);
            for d in dropped {
                assert!(out.contains(&format!("coding dropped: {d}")), "{out}");
            }
        }
        let before = codings(&coder);
        let out = run(&dir, &coder, "sam", &["merge", lead.to_str().unwrap()]);
        for d in dropped {
            assert!(out.contains(&format!("coding dropped: {d}")), "{out}");
        }
        if !lead_first {
            // The merge that dropped them, undone (in a copy): the code and both codings are
            // back.
            let undone = dir.path().join("sam-undone.thematic");
            std::fs::copy(&coder, &undone).unwrap();
            run(&dir, &undone, "sam", &["undo"]);
            assert_eq!(codings(&undone), before);
        }
        let history = run(&dir, &coder, "sam", &["history"]);
        for d in dropped {
            assert!(
                history.contains(&format!("conflict: {d}: kept nothing")),
                "{history}"
            );
        }
        run(&dir, &lead, "lead", &["merge", coder.to_str().unwrap()]);
        run(&dir, &coder, "sam", &["merge", lead.to_str().unwrap()]);
        assert!(!code_names(&coder).contains(&"Cost".to_string()));
        assert_eq!(code_names(&coder), code_names(&lead));
        assert_eq!(codings(&coder), codings(&lead));
        assert!(codings(&coder).iter().all(|(code, _, _)| code != "Cost"));
    }
    // The deleting side takes the coder's side: the code and its codings stay, on both.
    let dir = tempfile::tempdir().unwrap();
    let (lead, coder) = setup(&dir);
    let out = run(
        &dir,
        &lead,
        "lead",
        &["merge", coder.to_str().unwrap(), "--theirs"],
    );
    assert!(out.contains("code 'Cost', deleted here"), "{out}");
    assert!(!out.contains("coding dropped"), "{out}");
    let kept = codings(&coder);
    assert_eq!(kept.iter().filter(|(code, _, _)| code == "Cost").count(), 2);
    assert_eq!(codings(&lead), kept);
    let out = run(&dir, &coder, "sam", &["merge", lead.to_str().unwrap()]);
    assert!(!out.contains("coding dropped"), "{out}");
    run(&dir, &lead, "lead", &["merge", coder.to_str().unwrap()]);
    assert_eq!(codings(&coder), kept);
    assert_eq!(codings(&lead), kept);
    assert_eq!(code_names(&coder), code_names(&lead));
}
