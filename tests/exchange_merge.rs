//! `thematic merge`: two coders' copies of the demo study merge back into the original
//! (agreement included), merging twice changes nothing, conflicting code edits are reported
//! (ours kept, listed in the history), new documents come with their turns.

mod common;

use common::{fingerprint, thematic};
use rusqlite::Connection;
use std::path::{Path, PathBuf};

fn run(dir: &tempfile::TempDir, study: &Path, coder: Option<&str>, args: &[&str]) -> String {
    let mut cmd = thematic(dir, study);
    cmd.arg("--project").arg(study);
    if let Some(c) = coder {
        cmd.args(["--coder", c]);
    }
    let out = cmd.args(args).output().unwrap();
    assert!(
        out.status.success(),
        "thematic {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn sql(study: &Path, statement: &str) {
    Connection::open(study)
        .unwrap()
        .execute_batch(statement)
        .unwrap();
}

fn count(study: &Path, q: &str) -> i64 {
    Connection::open(study)
        .unwrap()
        .query_row(q, [], |r| r.get(0))
        .unwrap()
}

/// The demo and two copies: A without sam's codings, B without alex's.
fn split_demo(dir: &tempfile::TempDir) -> (PathBuf, PathBuf, PathBuf) {
    let demo = dir.path().join("demo.thematic");
    thematic::demo::build(&demo).unwrap();
    let a = dir.path().join("alex.thematic");
    let b = dir.path().join("sam.thematic");
    std::fs::copy(&demo, &a).unwrap();
    std::fs::copy(&demo, &b).unwrap();
    sql(
        &a,
        "DELETE FROM codings WHERE coder_id = (SELECT id FROM coders WHERE name = 'sam')",
    );
    sql(
        &b,
        "DELETE FROM codings WHERE coder_id = (SELECT id FROM coders WHERE name = 'alex')",
    );
    (demo, a, b)
}

fn agreement(dir: &tempfile::TempDir, study: &Path) -> serde_json::Value {
    serde_json::from_str(&run(dir, study, None, &["agreement", "--format", "json"])).unwrap()
}

#[test]
fn merging_two_coders_restores_the_agreement_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let (demo, a, b) = split_demo(&dir);
    let all = count(&demo, "SELECT count(*) FROM codings");
    assert!(count(&a, "SELECT count(*) FROM codings") < all);
    let out = run(&dir, &a, Some("alex"), &["merge", b.to_str().unwrap()]);
    assert!(
        out.contains("backup of the study before the merge: "),
        "{out}"
    );
    assert!(out.contains("documents: 0 added, 5 matched"), "{out}");
    assert!(
        out.contains("codes: 22 matched by GUID, 0 matched by path, 0 created"),
        "{out}"
    );
    assert!(out.contains("coders: 0 created, 2 matched"), "{out}");
    assert_eq!(count(&a, "SELECT count(*) FROM codings"), all);
    assert_eq!(agreement(&dir, &a), agreement(&dir, &demo));
    // The merge is one change in our history (the copies share theirs, so no history memo).
    assert_eq!(
        count(&a, "SELECT count(*) FROM changes WHERE kind = 'merge'"),
        1
    );
    assert_eq!(
        count(
            &a,
            "SELECT count(*) FROM memos WHERE title LIKE 'History of merged study%'"
        ),
        0
    );
    // Again: nothing new, nothing changed.
    let before = fingerprint(&a);
    let out = run(&dir, &a, Some("alex"), &["merge", b.to_str().unwrap()]);
    assert!(out.contains("nothing new"), "{out}");
    assert_eq!(fingerprint(&a), before);
    // And the merge can be undone as a whole.
    run(&dir, &a, Some("alex"), &["undo"]);
    assert!(count(&a, "SELECT count(*) FROM codings") < all);
}

#[test]
fn conflicting_code_edits_are_reported_not_resolved() {
    let dir = tempfile::tempdir().unwrap();
    let (_, a, b) = split_demo(&dir);
    // Both sides change the same definition after the copy: a conflict.
    run(
        &dir,
        &a,
        Some("alex"),
        &[
            "codes",
            "describe",
            "Tone and warmth",
            "--definition",
            "Alex's definition",
        ],
    );
    run(
        &dir,
        &b,
        Some("sam"),
        &[
            "codes",
            "describe",
            "Tone and warmth",
            "--definition",
            "Sam's definition",
        ],
    );
    run(
        &dir,
        &b,
        Some("sam"),
        &["codes", "add", "Sam's new theme/A subcode"],
    );
    run(
        &dir,
        &b,
        Some("sam"),
        &[
            "memo",
            "add",
            "Sam thinks this is saturated",
            "--code",
            "Tone and warmth",
        ],
    );
    let ours: String = Connection::open(&a)
        .unwrap()
        .query_row(
            "SELECT definition FROM codes WHERE name = 'Tone and warmth'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let out = run(
        &dir,
        &a,
        Some("alex"),
        &["merge", b.to_str().unwrap(), "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["backup"].as_str().unwrap().contains("alex.backup-"));
    let conflicts = v["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    let c = conflicts[0].as_str().unwrap();
    assert!(
        c.contains("Tone and warmth") && c.contains("Sam's definition"),
        "{c}"
    );
    assert_eq!(
        v["codes_created"],
        serde_json::json!(["Sam's new theme", "Sam's new theme/A subcode"])
    );
    // Ours is kept; their memo came along; the conflict is listed with the merge.
    let conn = Connection::open(&a).unwrap();
    let kept: String = conn
        .query_row(
            "SELECT definition FROM codes WHERE name = 'Tone and warmth'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kept, ours);
    assert_eq!(kept, "Alex's definition");
    let memos: Vec<String> = conn
        .prepare("SELECT m.body FROM memos m JOIN codes c ON c.id = m.target_id WHERE m.target_kind = 'code' AND c.name = 'Tone and warmth' ORDER BY m.id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(memos, ["Sam thinks this is saturated"]);
    let history = run(&dir, &a, None, &["history"]);
    assert!(
        history.contains("conflict:") && history.contains("Sam's definition"),
        "{history}"
    );
    // Merging again: nothing new, nothing changed, no backup.
    let before = fingerprint(&a);
    let out = run(&dir, &a, Some("alex"), &["merge", b.to_str().unwrap()]);
    assert!(
        out.contains("nothing new") && out.contains("no backup taken"),
        "{out}"
    );
    assert_eq!(fingerprint(&a), before);
    // With --theirs on a fresh copy, their definition wins (and is still listed).
    let dir2 = tempfile::tempdir().unwrap();
    let (_, a2, b2) = split_demo(&dir2);
    run(
        &dir2,
        &a2,
        Some("alex"),
        &[
            "codes",
            "describe",
            "Tone and warmth",
            "--definition",
            "Alex's",
        ],
    );
    run(
        &dir2,
        &b2,
        Some("sam"),
        &[
            "codes",
            "describe",
            "Tone and warmth",
            "--definition",
            "Sam's",
        ],
    );
    let out = run(
        &dir2,
        &a2,
        Some("alex"),
        &["merge", b2.to_str().unwrap(), "--theirs"],
    );
    assert!(out.contains("conflict:"), "{out}");
    let taken: String = Connection::open(&a2)
        .unwrap()
        .query_row(
            "SELECT definition FROM codes WHERE name = 'Tone and warmth'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(taken, "Sam's");
}

#[test]
fn new_documents_come_with_turns_speakers_and_codings() {
    let dir = tempfile::tempdir().unwrap();
    let (_, a, b) = split_demo(&dir);
    let file = dir.path().join("FG6.txt");
    std::fs::write(
        &file,
        "[00:00:01] Moderator: Welcome back.\n[00:00:05] Quinn: The portal saves me a phone call.\n",
    )
    .unwrap();
    run(&dir, &b, Some("sam"), &["import", file.to_str().unwrap()]);
    run(
        &dir,
        &b,
        Some("sam"),
        &[
            "code",
            "FG6",
            "Writing easier than calling",
            "--match",
            "saves me a phone call",
        ],
    );
    let out = run(&dir, &a, Some("alex"), &["merge", b.to_str().unwrap()]);
    assert!(out.contains("documents: 1 added, 5 matched"), "{out}");
    let shown: serde_json::Value =
        serde_json::from_str(&run(&dir, &a, None, &["show", "FG6", "--format", "json"])).unwrap();
    let speakers: Vec<&str> = shown["turns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["speaker"].as_str().unwrap())
        .collect();
    assert_eq!(speakers, ["Moderator", "Quinn"]);
    assert_eq!(shown["codings"][0]["coder"], "sam");
    assert_eq!(shown["codings"][0]["text"], "saves me a phone call");
}

#[test]
fn merge_refuses_itself_and_non_studies_without_changing_anything() {
    let dir = tempfile::tempdir().unwrap();
    let (_, a, _) = split_demo(&dir);
    let before = fingerprint(&a);
    let junk = dir.path().join("junk.thematic");
    std::fs::write(&junk, b"not a database").unwrap();
    for other in [a.clone(), junk, dir.path().join("missing.thematic")] {
        let out = thematic(&dir, &a)
            .arg("--project")
            .arg(&a)
            .args(["--coder", "alex", "merge"])
            .arg(&other)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{}", other.display());
    }
    assert_eq!(fingerprint(&a), before);
    let backups = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".backup-")
        })
        .count();
    assert_eq!(backups, 0, "no backup is taken when the merge cannot start");
}

#[test]
fn consensus_decisions_come_along() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo.thematic");
    thematic::demo::build(&demo).unwrap();
    let b = dir.path().join("reviewer.thematic");
    std::fs::copy(&demo, &b).unwrap();
    let list: serde_json::Value =
        serde_json::from_str(&run(&dir, &b, None, &["disagreements", "--format", "json"])).unwrap();
    let first = &list[0];
    let range = format!("{}:{}", first["start"], first["end"]);
    run(
        &dir,
        &b,
        Some("pat"),
        &[
            "resolve",
            first["document"].as_str().unwrap(),
            "--code",
            first["code"].as_str().unwrap(),
            "--range",
            &range,
            "--accept",
            "sam",
        ],
    );
    let out = run(&dir, &demo, Some("alex"), &["merge", b.to_str().unwrap()]);
    assert!(out.contains("consensus decisions: 1 added"), "{out}");
    assert_eq!(count(&demo, "SELECT count(*) FROM reviews"), 1);
    assert_eq!(
        count(
            &demo,
            "SELECT count(*) FROM codings c JOIN coders k ON k.id = c.coder_id WHERE k.is_consensus = 1"
        ),
        count(
            &b,
            "SELECT count(*) FROM codings c JOIN coders k ON k.id = c.coder_id WHERE k.is_consensus = 1"
        ),
    );
    assert!(count(&demo, "SELECT count(*) FROM coders WHERE is_consensus = 1") == 1);
}
