//! The analysis commands end to end, on the hand-checked seed study
//! (`thematic::analysis::testutil`, whose header lists every coding).

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn seeded() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seed.thematic");
    thematic::analysis::testutil::build(&path).unwrap();
    (dir, path)
}

fn thematic(project: &Path) -> Command {
    let mut cmd = Command::cargo_bin("thematic").unwrap();
    cmd.arg("--project")
        .arg(project)
        .env_remove("THEMATIC_CODER");
    cmd
}

fn json(project: &Path, args: &[&str]) -> serde_json::Value {
    let out = thematic(project).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn codings(project: &Path) -> i64 {
    let f = json(project, &["frequencies", "--format", "json"]);
    f["any_code"]["codings"].as_i64().unwrap()
}

#[test]
fn frequencies_table_json_csv_and_matrix() {
    let (_dir, p) = seeded();
    // Access rolls up Cost and Distance: 5 codings, 3 documents, 4 participants.
    thematic(&p)
        .arg("frequencies")
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"Access\s+5\s+3\s+4").unwrap())
        .stdout(predicate::str::is_match(r"\n  Cost\s+3\s+2\s+2").unwrap());
    let f = json(&p, &["frequencies", "--format", "json"]);
    assert_eq!(f["participants"], 6);
    let csv = thematic(&p)
        .args(["frequencies", "--format", "csv"])
        .output()
        .unwrap();
    let csv = String::from_utf8(csv.stdout).unwrap();
    assert!(csv.starts_with("code,codings,documents,participants\n"));
    assert!(csv.contains("Access/Cost,3,2,2\n"));
    // One coder: --coder filters read-only queries.
    let sam = json(&p, &["--coder", "sam", "frequencies", "--format", "json"]);
    assert_eq!(sam["any_code"]["codings"], 1);
    thematic(&p)
        .args(["--coder", "nobody", "frequencies"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no coder 'nobody'"));
    // The seed question: which themes in the all-female versus the all-male groups?
    // Access: 3 of 4 participants in all-female groups (75%), 1 of 2 in all-male (50%).
    thematic(&p)
        .args(["frequencies", "--by", "composition", "--percent"])
        .assert()
        .success()
        .stdout(predicate::str::contains("all-female (n=4)"))
        .stdout(predicate::str::is_match(r"Access\s+75%\s+50%\s+67%").unwrap());
    let m = json(&p, &["frequencies", "--by", "gender", "--format", "json"]);
    assert_eq!(m["matrix"]["columns"][0]["label"], "female");
    assert_eq!(m["measure"], "Participants");
    let access = m["matrix"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .position(|r| r["path"] == "Access")
        .unwrap();
    assert_eq!(m["values"][access][0], 3.0);
    let csv = thematic(&p)
        .args(["frequencies", "--by", "document", "--format", "csv"])
        .output()
        .unwrap();
    let csv = String::from_utf8(csv.stdout).unwrap();
    assert!(csv.starts_with("code,FG1,FG2,FG3,all\n"), "{csv}");
    assert!(csv.contains("Access,3,1,1,5\n"), "{csv}");
    thematic(&p)
        .args(["frequencies", "--by", "shoe-size"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no attribute 'shoe-size'"));
}

#[test]
fn cooccurrence_matrix_and_pair() {
    let (_dir, p) = seeded();
    let m = json(&p, &["cooccurrence", "--scope", "turn", "--format", "json"]);
    let paths: Vec<&str> = m["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        ["Access/Cost", "Access/Distance", "Trust", "Emotion/Worry"]
    );
    assert_eq!(m["counts"][0][3], 1);
    thematic(&p)
        .args(["cooccurrence", "--pair", "Cost", "Worry"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "The cost of the visit is too high for me.",
        ))
        .stdout(predicate::str::contains("(1 excerpt(s), scope overlap)"));
}

#[test]
fn search_with_filters() {
    let (_dir, p) = seeded();
    thematic(&p)
        .args([
            "search",
            "doctor",
            "--where",
            "gender=female",
            "--speaker",
            "P4",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("the «doctor»."))
        .stdout(predicate::str::contains("(1 of 1 matching turn(s))"));
    let r = json(&p, &["search", "bus", "--format", "json"]);
    assert_eq!(r["total"], 2);
    assert_eq!(r["hits"][0]["document"], "FG1");
}

#[test]
fn autocode_is_one_undoable_action() {
    let (_dir, p) = seeded();
    assert_eq!(codings(&p), 9);
    thematic(&p)
        .args([
            "--coder",
            "alex",
            "autocode",
            "Transport/Bus",
            "--search",
            "bus",
            "--dry-run",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("(2 passage(s) would be coded"));
    assert_eq!(codings(&p), 9);
    thematic(&p)
        .args([
            "--coder",
            "alex",
            "autocode",
            "Transport/Bus",
            "--search",
            "bus",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "coded 2 passage(s) with Transport/Bus (new code)",
        ));
    // Every turn of the moderator, whole turns, as another action.
    thematic(&p)
        .args(["--coder", "alex", "autocode", "Moderator", "--speaker", "M"])
        .assert()
        .success()
        .stdout(predicate::str::contains("coded 3 passage(s)"));
    thematic(&p)
        .args([
            "--coder",
            "alex",
            "autocode",
            "Trust",
            "--regex",
            "(?i)trust",
            "--span",
            "turn",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("coded 1 passage(s)"))
        .stdout(predicate::str::contains("1 already coded"));
    assert_eq!(codings(&p), 9 + 2 + 3 + 1);
    for expected in [9 + 2 + 3, 9 + 2, 9] {
        thematic(&p)
            .args(["--coder", "alex", "undo"])
            .assert()
            .success();
        assert_eq!(codings(&p), expected);
    }
    // The codes it created went with it.
    let f = json(&p, &["frequencies", "--format", "json"]);
    assert!(
        !f["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["path"] == "Transport/Bus")
    );
}

#[test]
fn saturation_in_any_order() {
    let (_dir, p) = seeded();
    thematic(&p)
        .args(["saturation", "--format", "csv"])
        .assert()
        .success()
        .stdout(predicate::str::contains("1,FG1,4,4,4,3,"));
    let s = json(
        &p,
        &["saturation", "--order", "FG3,FG2,FG1", "--format", "json"],
    );
    let cum: Vec<i64> = s["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["cumulative"].as_i64().unwrap())
        .collect();
    assert_eq!(cum, [2, 4, 4]);
}

#[test]
fn codebook_snapshot_and_diff() {
    let (_dir, p) = seeded();
    let run = |args: &[&str]| {
        thematic(&p)
            .arg("--coder")
            .arg("alex")
            .args(args)
            .assert()
            .success()
    };
    run(&["codebook", "snapshot", "first pass"]);
    run(&["codes", "rename", "Trust", "Trust in clinicians"]);
    run(&["codes", "move", "Emotion/Worry", "--to", "Access"]);
    run(&["codes", "merge", "Access/Distance", "Access/Cost"]);
    run(&["codes", "add", "Stigma", "--definition", "Feeling judged"]);
    run(&["codes", "delete", "Emotion"]);
    run(&[
        "codes",
        "describe",
        "Access/Cost",
        "--definition",
        "Money as a barrier",
    ]);
    run(&["codebook", "versions"]).stdout(predicate::str::contains("first pass"));
    let d = json(
        &p,
        &["codebook", "diff", "first pass", "now", "--format", "json"],
    );
    assert_eq!(d["added"], serde_json::json!(["Stigma"]));
    assert_eq!(d["removed"], serde_json::json!(["Emotion"]));
    assert_eq!(d["renamed"][0]["to"], "Trust in clinicians");
    assert_eq!(d["moved"][0]["code"], "Access/Worry");
    assert_eq!(d["merged"][0]["from"], "Access/Distance");
    assert_eq!(d["merged"][0]["into"], "Access/Cost");
    assert_eq!(d["redefined"][0]["code"], "Access/Cost");
    run(&["codebook", "diff", "first pass"])
        .stdout(
            predicate::str::is_match(
                r"merged\s+Access/Distance\s+into Access/Cost \(2 coding\(s\) moved\)",
            )
            .unwrap(),
        )
        .stdout(predicate::str::is_match(r"renamed\s+Trust in clinicians\s+was Trust").unwrap());
    thematic(&p)
        .args(["codebook", "diff", "nope"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no codebook version 'nope'"));
}

#[test]
fn report_is_one_self_contained_file() {
    let (dir, p) = seeded();
    let out = dir.path().join("report.html");
    thematic(&p)
        .arg("report")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("wrote"));
    let html = std::fs::read_to_string(&out).unwrap();
    for id in [
        "summary",
        "codebook",
        "themes",
        "cooccurrence",
        "saturation",
        "quotes",
    ] {
        assert!(html.contains(&format!("<section id=\"{id}\">")), "{id}");
    }
    assert_eq!(
        html.matches("<svg").count(),
        3 + 2,
        "3 theme charts, heat map, curve"
    );
    for external in ["<script", "<link", "src=", "@import", "url("] {
        assert!(!html.contains(external), "{external}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn version_one_files_are_migrated_with_search() {
    // A version-1 file as version 1 wrote it: the base schema without its version-2 part
    // (dropping objects from a current file stops working once later versions add columns).
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("v1.thematic");
    {
        let schema = include_str!("../schema.sql");
        let v1 = &schema[..schema.find("-- Version 2").unwrap()];
        let conn = rusqlite::Connection::open(&p).unwrap();
        conn.execute_batch(v1).unwrap();
        conn.execute_batch(
            "PRAGMA user_version = 1;
             INSERT INTO meta (key, value) VALUES ('name', 'v1'), ('created_at', '2025-01-01T00:00:00.000Z');
             INSERT INTO documents (guid, name, source_name, format, content_hash, char_count, imported_at, text)
             VALUES ('0b1e0000-0000-4000-8000-000000000001', 'FG1', 'FG1.txt', 'txt', 'x', 48, 't',
                     'Ana: the clinic was far.
Ben: the clinic again.
');
             INSERT INTO turns (document_id, idx, speaker, start, \"end\") VALUES (1, 0, 'Ana', 0, 24), (1, 1, 'Ben', 25, 47);",
        )
        .unwrap();
    }
    let r = json(&p, &["search", "clinic", "--format", "json"]);
    assert_eq!(r["total"], 2);
    let conn = rusqlite::Connection::open(&p).unwrap();
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, thematic::study::schema::SCHEMA_VERSION);
}

/// `THEMATIC_KEEP_SEED=/path cargo test --test analysis_cli keep_seed` writes the seed study
/// for trying the commands by hand.
#[test]
fn keep_seed() {
    if let Ok(path) = std::env::var("THEMATIC_KEEP_SEED") {
        let _ = std::fs::remove_file(&path);
        thematic::analysis::testutil::build(Path::new(&path)).unwrap();
    }
}

/// End to end on the demo study (five focus groups, FG1–3 all-female, FG4–5 all-male).
#[test]
fn demo_study_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("demo.thematic");
    thematic::demo::build(&p).unwrap();
    let m = json(
        &p,
        &[
            "frequencies",
            "--by",
            "composition",
            "--percent",
            "--format",
            "json",
        ],
    );
    let labels: Vec<&str> = m["matrix"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["all-female", "all-male"]);
    assert_eq!(m["matrix"]["study"]["documents"], 5);
    // Every top-level theme with codings has a percentage in each group.
    let rows = m["matrix"]["rows"].as_array().unwrap();
    assert!(
        rows.iter()
            .any(|r| r["depth"] == 0 && r["total"]["codings"].as_u64().unwrap() > 0)
    );
    for (r, v) in rows.iter().zip(m["values"].as_array().unwrap()) {
        if r["total"]["participants"].as_u64().unwrap() > 0 {
            assert!(v[0].is_number() && v[1].is_number(), "{r}");
        }
    }
    let s = json(&p, &["saturation", "--format", "json"]);
    assert_eq!(s["points"].as_array().unwrap().len(), 5);
    let hits = json(&p, &["search", "portal", "--format", "json"]);
    assert!(hits["total"].as_u64().unwrap() > 0);
    let co = json(&p, &["cooccurrence", "--scope", "turn", "--format", "json"]);
    assert!(!co["codes"].as_array().unwrap().is_empty());
    let out = dir.path().join("demo.html");
    thematic(&p).arg("report").arg(&out).assert().success();
    let html = std::fs::read_to_string(&out).unwrap();
    // Two coders (alex and sam): the agreement section is there.
    assert!(html.contains("<section id=\"agreement\">"));
    assert!(html.contains("all-male (n="));
}
