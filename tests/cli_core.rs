//! The core CLI end to end on temporary study files: import, show, codebook, coding, undo,
//! attribute and codings tables, and bad input that must change nothing.

mod common;

use common::{FOCUS_GROUP, TempStudy};
use predicates::str::contains;

fn study_with_group() -> TempStudy {
    let s = TempStudy::new();
    let file = s.write("FG1.txt", FOCUS_GROUP);
    s.cmd()
        .arg("import")
        .arg(&file)
        .assert()
        .success()
        .stdout(contains("imported FG1"));
    s
}

#[test]
fn import_keeps_speakers_turns_and_timestamps() {
    let s = study_with_group();
    let docs = s.json(&["docs", "--format", "json"]);
    assert_eq!(docs[0]["name"], "FG1");
    assert_eq!(docs[0]["turn_count"], 5);
    let shown = s.json(&["show", "FG1", "--format", "json"]);
    let turns = shown["turns"].as_array().unwrap();
    let speakers: Vec<&str> = turns
        .iter()
        .map(|t| t["speaker"].as_str().unwrap())
        .collect();
    assert_eq!(speakers, ["Moderator", "Ana", "Bea", "Moderator", "Ana"]);
    assert_eq!(
        turns[1]["text"],
        "I message my nurse about refills. It's just normal now.\nIt saves me a phone call."
    );
    assert_eq!(turns[1]["start_ms"], 12_000);
    assert_eq!(
        turns[2]["text"],
        "Same here 👍. But the replies can be very short."
    );
    // Offsets are code points into the text: the turn's text is exactly that slice.
    let start = turns[2]["start"].as_u64().unwrap() as usize;
    let end = turns[2]["end"].as_u64().unwrap() as usize;
    let sliced: String = FOCUS_GROUP.chars().skip(start).take(end - start).collect();
    assert_eq!(sliced, turns[2]["text"].as_str().unwrap());
}

#[test]
fn importing_the_same_content_twice_adds_nothing() {
    let s = study_with_group();
    let before = s.fingerprint();
    let copy = s.write("copy.txt", FOCUS_GROUP);
    s.cmd()
        .arg("import")
        .arg(&copy)
        .assert()
        .success()
        .stdout(contains("same content"));
    assert_eq!(before, s.fingerprint());
}

#[test]
fn codebook_and_coding_round_trip_with_undo() {
    let s = study_with_group();
    s.cmd()
        .args([
            "codes",
            "add",
            "Normalization/Routine logistics",
            "--definition",
            "Using SM for everyday tasks",
        ])
        .assert()
        .success();
    s.cmd()
        .args(["codes", "add", "Quality/Tone"])
        .assert()
        .success();
    s.cmd()
        .args(["code", "FG1", "Routine logistics", "--turn", "2"])
        .assert()
        .success();
    s.cmd()
        .args(["code", "FG1", "Quality/Tone", "--match", "say my name"])
        .assert()
        .success()
        .stdout(contains("say my name"));
    let shown = s.json(&["show", "FG1", "--format", "json"]);
    let codings = shown["codings"].as_array().unwrap();
    assert_eq!(codings.len(), 2);
    assert_eq!(codings[1]["code"], "Quality/Tone");
    assert_eq!(codings[1]["text"], "say my name");
    assert_eq!(codings[1]["coder"], "alex");

    s.cmd()
        .args(["codes", "rename", "Quality/Tone", "Tone and warmth"])
        .assert()
        .success();
    s.cmd()
        .args(["codes", "move", "Tone and warmth", "--to", "Normalization"])
        .assert()
        .success();
    s.cmd()
        .args([
            "codes",
            "merge",
            "Normalization/Tone and warmth",
            "Routine logistics",
        ])
        .assert()
        .success()
        .stdout(contains("1 coding(s) moved"));
    let listed = s.json(&["codes", "list", "--format", "json"]);
    let paths: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "Normalization",
            "Normalization/Routine logistics",
            "Quality"
        ]
    );

    // Undo the merge: the code and its coding come back.
    s.cmd()
        .arg("undo")
        .assert()
        .success()
        .stdout(contains("merge"));
    let listed = s.json(&["codes", "list", "--format", "json"]);
    assert_eq!(listed.as_array().unwrap().len(), 4);
    s.cmd().arg("redo").assert().success();
    assert_eq!(
        s.json(&["codes", "list", "--format", "json"])
            .as_array()
            .unwrap()
            .len(),
        3
    );

    s.cmd()
        .args(["codes", "delete", "Normalization"])
        .assert()
        .failure()
        .stderr(contains("--force"));
    s.cmd()
        .args(["codes", "delete", "Normalization", "--force"])
        .assert()
        .success();
    let shown = s.json(&["show", "FG1", "--format", "json"]);
    assert!(shown["codings"].as_array().unwrap().is_empty());
    s.cmd().arg("undo").assert().success();
    let shown = s.json(&["show", "FG1", "--format", "json"]);
    assert_eq!(shown["codings"].as_array().unwrap().len(), 2);
}

#[test]
fn uncode_removes_only_the_coders_overlapping_codings() {
    let s = study_with_group();
    s.cmd().args(["codes", "add", "Tone"]).assert().success();
    s.cmd()
        .args(["code", "FG1", "Tone", "--turn", "3"])
        .assert()
        .success();
    s.cmd_as("sam")
        .args(["code", "FG1", "Tone", "--turn", "3"])
        .assert()
        .success();
    s.cmd()
        .args(["uncode", "FG1", "Tone", "--turn", "3"])
        .assert()
        .success();
    let shown = s.json(&["show", "FG1", "--format", "json"]);
    let codings = shown["codings"].as_array().unwrap();
    assert_eq!(codings.len(), 1);
    assert_eq!(codings[0]["coder"], "sam");
}

#[test]
fn attribute_tables_map_speakers_to_participants() {
    let s = study_with_group();
    let people = s.write(
        "participants.csv",
        "participant,document,speaker,role,gender,age_band\nM1,FG1,Moderator,moderator,,\nP01,FG1,Ana,participant,female,50-59\nP02,FG1,Bea,participant,female,60-69\n",
    );
    s.cmd()
        .arg("import-attributes")
        .arg(&people)
        .assert()
        .success()
        .stdout(contains("3 speaker label(s)"));
    let docs = s.write(
        "documents.csv",
        "document,focus_group,composition\nFG1,1,all-female\n",
    );
    s.cmd()
        .arg("import-attributes")
        .arg(&docs)
        .assert()
        .success();
    let shown = s.json(&["show", "FG1", "--format", "json"]);
    assert_eq!(shown["attributes"]["composition"], "all-female");
    assert_eq!(shown["turns"][1]["participant"], "P01");
    let speakers = shown["speakers"].as_array().unwrap();
    assert_eq!(speakers[1]["attributes"]["gender"], "female");
    assert_eq!(speakers[0]["role"], "moderator");
}

#[test]
fn codings_table_imports_ranges_and_matches() {
    let s = study_with_group();
    let csv = s.write(
        "codings.csv",
        "document,coder,code,start,end\nFG1,sam,Quality/Tone,0,5\nFG1,alex,Quality/Tone,0,5\n",
    );
    s.cmd()
        .arg("import-codings")
        .arg(&csv)
        .assert()
        .success()
        .stdout(contains("2 added"));
    s.cmd()
        .arg("import-codings")
        .arg(&csv)
        .assert()
        .success()
        .stdout(contains("2 already present"));
    let by_match = s.write(
        "match.csv",
        "document,coder,code,match,occurrence\nFG1,sam,Quality/Short replies,very short,\n",
    );
    s.cmd()
        .arg("import-codings")
        .arg(&by_match)
        .assert()
        .success()
        .stdout(contains("1 added"));
}

#[test]
fn bad_codings_name_the_line_and_change_nothing() {
    let s = study_with_group();
    let before = s.fingerprint();
    let cases = [
        (
            "past.csv",
            "document,coder,code,start,end\nFG1,sam,A,0,5\nFG1,sam,A,10,99999\n",
            "past.csv:3",
        ),
        (
            "nodoc.csv",
            "document,coder,code,start,end\nFG9,sam,A,0,5\n",
            "no document named 'FG9'",
        ),
        (
            "backwards.csv",
            "document,coder,code,start,end\nFG1,sam,A,9,3\n",
            "backwards",
        ),
        (
            "notnum.csv",
            "document,coder,code,start,end\nFG1,sam,A,x,3\n",
            "not a whole number",
        ),
        ("header.csv", "doc,who\nFG1,sam\n", "missing column"),
        (
            "emptycode.csv",
            "document,coder,code,start,end\nFG1,sam,A//B,0,3\n",
            "emptycode.csv:2",
        ),
        (
            "nomatch.csv",
            "document,coder,code,match\nFG1,sam,A,not in the text\n",
            "excerpt not found",
        ),
    ];
    for (name, body, expected) in cases {
        let f = s.write(name, body);
        s.cmd()
            .arg("import-codings")
            .arg(&f)
            .assert()
            .failure()
            .code(1)
            .stderr(contains(expected));
        assert_eq!(before, s.fingerprint(), "{name} changed the study");
    }
}

#[test]
fn bad_transcripts_are_refused_and_change_nothing() {
    let s = study_with_group();
    let before = s.fingerprint();
    let good = s.write("good.txt", "Moderator: hello\nZed: hi there\nZed: again\n");
    let binary = s.write("binary.txt", [0u8, 159, 146, 150, 0, 1, 2, 3, 0, 0]);
    let empty = s.write("empty.txt", "");
    for bad in [&binary, &empty] {
        s.cmd()
            .arg("import")
            .arg(&good)
            .arg(bad)
            .assert()
            .failure()
            .code(1);
        assert_eq!(
            before,
            s.fingerprint(),
            "{} left something behind",
            bad.display()
        );
    }
    let bad_vtt = s.write(
        "bad.vtt",
        "WEBVTT\n\n1\n00:00:0x --> 00:00:02.000\nAna: hi\n",
    );
    s.cmd()
        .arg("import")
        .arg(&bad_vtt)
        .assert()
        .failure()
        .stderr(contains("bad.vtt"));
    assert_eq!(before, s.fingerprint());
}

#[test]
fn bad_ranges_and_unknown_codes_are_clear() {
    let s = study_with_group();
    s.cmd().args(["codes", "add", "Tone"]).assert().success();
    let before = s.fingerprint();
    s.cmd()
        .args(["code", "FG1", "Tone", "--range", "5:99999"])
        .assert()
        .failure()
        .stderr(contains("past the end of FG1"));
    s.cmd()
        .args(["code", "FG1", "Nope", "--turn", "1"])
        .assert()
        .failure()
        .stderr(contains("no code 'Nope'"));
    s.cmd()
        .args(["code", "FG1", "Tone", "--turn", "42"])
        .assert()
        .failure()
        .stderr(contains("no turn 42"));
    s.cmd()
        .args(["code", "FG1", "Tone", "--match", "e"])
        .assert()
        .failure()
        .stderr(contains("--occurrence"));
    s.cmd()
        .args(["code", "FG1", "Tone"])
        .assert()
        .failure()
        .stderr(contains("--turn N"));
    assert_eq!(before, s.fingerprint());
    s.cmd()
        .args(["code", "NOPE", "Tone", "--turn", "1"])
        .assert()
        .failure()
        .stderr(contains("no document"));
    s.cmd().args(["nonsense"]).assert().failure().code(2);
}

#[test]
fn memos_attach_to_study_document_code_and_coding() {
    let s = study_with_group();
    s.cmd().args(["codes", "add", "Tone"]).assert().success();
    s.cmd()
        .args(["code", "FG1", "Tone", "--turn", "3"])
        .assert()
        .success();
    let id = s.json(&["show", "FG1", "--format", "json"])["codings"][0]["id"]
        .as_i64()
        .unwrap();
    s.cmd()
        .args(["memo", "add", "Overall impressions"])
        .assert()
        .success();
    s.cmd()
        .args(["memo", "add", "Lively group", "--document", "FG1"])
        .assert()
        .success();
    s.cmd()
        .args(["memo", "add", "Check against Bea", "--code", "Tone"])
        .assert()
        .success();
    s.cmd()
        .args(["memo", "add", "Ironic?", "--coding", &id.to_string()])
        .assert()
        .success();
    let memos = s.json(&["memo", "list", "--format", "json"]);
    let kinds: Vec<String> = memos
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["target"].to_string())
        .collect();
    assert_eq!(memos.as_array().unwrap().len(), 4, "{kinds:?}");
}

#[test]
fn a_study_from_a_newer_thematic_is_refused() {
    let s = TempStudy::new();
    let conn = rusqlite::Connection::open(&s.path).unwrap();
    conn.pragma_update(None, "user_version", 999).unwrap();
    drop(conn);
    s.cmd()
        .arg("docs")
        .assert()
        .failure()
        .stderr(contains("newer Thematic"));
}

#[test]
fn a_file_that_is_not_a_study_is_refused() {
    let s = TempStudy::new();
    let junk = s.write(
        "junk.thematic",
        "this is not sqlite at all, just text padding padding padding",
    );
    common::thematic(&s.dir, &junk)
        .args(["--project"])
        .arg(&junk)
        .arg("docs")
        .assert()
        .failure()
        .stderr(contains("not a Thematic study file"));
}
