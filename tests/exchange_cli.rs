//! Exchange end to end through the CLI: REFI-QDA export → import round trips on the demo study
//! (validated against the XSDs when xmllint is installed), every shared sample importing with
//! the right counts, hostile archives changing nothing, the tidy exports, pseudonymisation and
//! merging two coders' study files.

mod common;

use common::{fingerprint, thematic};
use predicates::str::contains;
use rusqlite::Connection;
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

struct Dir {
    dir: tempfile::TempDir,
}

impl Dir {
    fn new() -> Dir {
        Dir {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The demo study (two coders, 354 codings) at `name`.
    fn demo(&self, name: &str) -> PathBuf {
        let p = self.path(name);
        thematic::demo::build(&p).unwrap();
        p
    }

    fn fresh(&self, name: &str) -> PathBuf {
        let p = self.path(name);
        thematic::Study::create(&p).unwrap();
        p
    }

    /// `thematic --project STUDY --coder alex ARGS…`, asserting success; returns stdout.
    fn run(&self, study: &Path, args: &[&str]) -> String {
        self.run_as(study, Some("alex"), args)
    }

    /// The same as `coder` (None: no --coder, so exports are not filtered by coder).
    fn run_as(&self, study: &Path, coder: Option<&str>, args: &[&str]) -> String {
        let mut cmd = thematic(&self.dir, study);
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

    /// The same, expecting failure; returns stderr.
    fn fail(&self, study: &Path, args: &[&str]) -> String {
        let out = thematic(&self.dir, study)
            .arg("--project")
            .arg(study)
            .args(["--coder", "alex"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            !out.status.success(),
            "thematic {args:?} should have failed"
        );
        String::from_utf8(out.stderr).unwrap()
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `shared/refi-qda` (XSDs and samples) beside the crate, or under `$THEMATIC_SHARED_DIR`.
/// `None`, with a printed SKIPPED line naming `what`, when absent (a fresh clone has no
/// `../shared`), unless `THEMATIC_REQUIRE_SHARED=1` (CI) makes that a failure.
fn refi_dir(what: &str) -> Option<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates: Vec<PathBuf> = match std::env::var_os("THEMATIC_SHARED_DIR") {
        Some(d) => vec![PathBuf::from(d).join("refi-qda")],
        None => vec![
            manifest.join("../shared/refi-qda"),
            manifest.join("../../shared/refi-qda"),
        ],
    };
    if let Some(c) = candidates.iter().find(|c| c.join("samples").is_dir()) {
        return Some(c.clone());
    }
    let msg = format!("SKIPPED {what}: shared/refi-qda is not here; looked in {candidates:?}");
    if std::env::var_os("THEMATIC_REQUIRE_SHARED").is_some_and(|v| v == "1") {
        panic!("{msg} (THEMATIC_REQUIRE_SHARED=1)");
    }
    println!("{msg}");
    None
}

/// Validates `xml` against `xsd` with xmllint; prints SKIPPED when xmllint or the XSDs are
/// missing.
fn validate(xml: &[u8], xsd: &str) {
    let Some(refi) = refi_dir("schema validation") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.xml");
    std::fs::write(&file, xml).unwrap();
    match std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(refi.join(xsd))
        .arg(&file)
        .output()
    {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            println!(
                "SKIPPED schema validation: xmllint is not installed (apt-get install libxml2-utils)"
            );
        }
        Err(e) => panic!("running xmllint: {e}"),
        Ok(o) => assert!(
            o.status.success(),
            "xmllint rejected the document against {xsd}:\n{}",
            String::from_utf8_lossy(&o.stderr)
        ),
    }
}

fn project_qde(qdpx: &Path) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(qdpx).unwrap()).unwrap();
    let mut out = Vec::new();
    zip.by_name("project.qde")
        .unwrap()
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn count(study: &Path, sql: &str) -> i64 {
    Connection::open(study)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

fn strings(study: &Path, sql: &str) -> BTreeSet<String> {
    let conn = Connection::open(study).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Every coding as (document, code path, coder, start, end), sorted: what "the same coding"
/// means across studies whose row ids differ.
fn codings(study: &Path) -> BTreeSet<String> {
    strings(
        study,
        "WITH RECURSIVE p(id, path) AS (
             SELECT id, name FROM codes WHERE parent_id IS NULL
             UNION ALL SELECT c.id, p.path || '/' || c.name FROM codes c JOIN p ON c.parent_id = p.id)
         SELECT d.name || '|' || p.path || '|' || k.name || '|' || c.start || '|' || c.\"end\"
           FROM codings c JOIN documents d ON d.id = c.document_id JOIN p ON p.id = c.code_id
           JOIN coders k ON k.id = c.coder_id",
    )
}

fn codebook(study: &Path) -> BTreeSet<String> {
    strings(
        study,
        "WITH RECURSIVE p(id, path) AS (
             SELECT id, name FROM codes WHERE parent_id IS NULL
             UNION ALL SELECT c.id, p.path || '/' || c.name FROM codes c JOIN p ON c.parent_id = p.id)
         SELECT p.path || '|' || lower(c.guid) || '|' || c.colour || '|' || c.definition || '|' || c.inclusion
                || '|' || c.exclusion || '|' || c.example || '|' || c.memo
           FROM codes c JOIN p ON p.id = c.id",
    )
}

fn memos(study: &Path) -> BTreeSet<String> {
    strings(
        study,
        "SELECT m.target_kind || '|' || coalesce(d.name, k.name, cd.name || ':' || c.start, '') || '|' || m.title || '|' || m.body || '|' || w.name
           FROM memos m JOIN coders w ON w.id = m.coder_id
           LEFT JOIN documents d ON m.target_kind = 'document' AND d.id = m.target_id
           LEFT JOIN codes k ON m.target_kind = 'code' AND k.id = m.target_id
           LEFT JOIN codings c ON m.target_kind = 'coding' AND c.id = m.target_id
           LEFT JOIN documents cd ON cd.id = c.document_id",
    )
}

fn attributes(study: &Path) -> BTreeSet<String> {
    let mut out = strings(
        study,
        "SELECT 'd|' || d.name || '|' || a.name || '|' || a.kind || '|' || v.value FROM document_attributes v
           JOIN documents d ON d.id = v.document_id JOIN attributes a ON a.id = v.attribute_id",
    );
    out.extend(strings(
        study,
        "SELECT 'p|' || p.pid || '|' || p.role || '|' || a.name || '|' || a.kind || '|' || v.value FROM participant_attributes v
           JOIN participants p ON p.id = v.participant_id JOIN attributes a ON a.id = v.attribute_id",
    ));
    out.extend(strings(
        study,
        "SELECT 's|' || d.name || '|' || s.label || '|' || ifnull(p.pid, '') FROM speakers s
           JOIN documents d ON d.id = s.document_id LEFT JOIN participants p ON p.id = s.participant_id",
    ));
    out
}

fn documents(study: &Path) -> BTreeSet<String> {
    strings(
        study,
        "SELECT name || '|' || content_hash || '|' || char_count || '|' || lower(guid) FROM documents",
    )
}

fn selection_guids(qde: &[u8]) -> BTreeSet<String> {
    let text = String::from_utf8_lossy(qde);
    text.split("<PlainTextSelection ")
        .skip(1)
        .map(|rest| {
            let g = rest.split("guid=\"").nth(1).unwrap();
            g[..36].to_string()
        })
        .collect()
}

/// Adds one memo of each kind to a study.
fn add_memos(d: &Dir, study: &Path) {
    d.run(
        study,
        &[
            "memo",
            "add",
            "Saturation reached after FG4.",
            "--title",
            "Project note",
        ],
    );
    d.run(
        study,
        &[
            "memo",
            "add",
            "Lively group; Linda led.",
            "--document",
            "FG1",
        ],
    );
    d.run(
        study,
        &[
            "memo",
            "add",
            "Overlaps with Tone and warmth.",
            "--code",
            "Feeling dismissed",
        ],
    );
    let id = count(study, "SELECT min(id) FROM codings");
    d.run(
        study,
        &[
            "memo",
            "add",
            "Borderline: sarcasm?",
            "--coding",
            &id.to_string(),
        ],
    );
}

#[test]
fn codebook_qdc_round_trips_and_validates() {
    let d = Dir::new();
    let demo = d.demo("demo.thematic");
    let qdc = d.path("codebook.qdc");
    d.run(&demo, &["export", "codebook", "--format", "qdc", s(&qdc)]);
    validate(&std::fs::read(&qdc).unwrap(), "Codebook.xsd");
    let fresh = d.fresh("fresh.thematic");
    let out = d.run(&fresh, &["import", s(&qdc)]);
    assert!(
        out.contains("22 in the file — 0 matched by GUID, 0 matched by path, 22 created"),
        "{out}"
    );
    assert_eq!(codebook(&fresh), codebook(&demo));
    // Importing it again matches everything by GUID and changes nothing.
    let before = codebook(&fresh);
    let out = d.run(&fresh, &["import", s(&qdc)]);
    assert!(
        out.contains(
            "22 matched by GUID, 0 matched by path, 0 created, 0 filled in, 0 differ (ours kept)"
        ),
        "{out}"
    );
    assert_eq!(codebook(&fresh), before);
    // Into the demo itself: matched by GUID; into a study with the same paths but other GUIDs: by path.
    let out = d.run(&demo, &["import", s(&qdc)]);
    assert!(out.contains("22 matched by GUID"), "{out}");
    let other = d.fresh("other.thematic");
    d.run(
        &other,
        &[
            "codes",
            "add",
            "Patients need guidance/What to message about",
        ],
    );
    let out = d.run(&other, &["import", s(&qdc)]);
    assert!(
        out.contains("0 matched by GUID, 2 matched by path, 20 created"),
        "{out}"
    );
    assert!(out.contains("matched by path (2): Patients need guidance, Patients need guidance/What to message about"), "{out}");
}

#[test]
fn qdpx_round_trip_keeps_everything() {
    let d = Dir::new();
    let demo = d.demo("demo.thematic");
    add_memos(&d, &demo);
    let first = d.path("first.qdpx");
    let out = d.run_as(&demo, None, &["export", "qdpx", s(&first)]);
    assert!(
        out.contains("5 documents, 22 codes, 354 codings by 2 coder(s), 4 memos"),
        "{out}"
    );
    let qde1 = project_qde(&first);
    validate(&qde1, "Project.xsd");

    let fresh = d.fresh("fresh.thematic");
    // Imported by someone else, so alex and sam arrive with their own GUIDs.
    let out = d.run_as(&fresh, Some("importer"), &["import", s(&first)]);
    assert!(
        out.contains("backup of the study before the import: "),
        "{out}"
    );
    assert!(out.contains("documents: 5 created"), "{out}");
    assert!(
        out.contains("codings: 354 added, 0 already present, 0 skipped"),
        "{out}"
    );

    assert_eq!(documents(&fresh), documents(&demo));
    assert_eq!(codebook(&fresh), codebook(&demo));
    assert_eq!(codings(&fresh).len(), 354);
    assert_eq!(codings(&fresh), codings(&demo));
    assert_eq!(memos(&fresh), memos(&demo));
    assert_eq!(attributes(&fresh), attributes(&demo));
    assert_eq!(
        strings(
            &fresh,
            "SELECT name || lower(guid) FROM coders WHERE EXISTS (SELECT 1 FROM codings c WHERE c.coder_id = coders.id)"
        ),
        strings(
            &demo,
            "SELECT name || lower(guid) FROM coders WHERE EXISTS (SELECT 1 FROM codings c WHERE c.coder_id = coders.id)"
        )
    );
    assert_eq!(
        strings(&fresh, "SELECT lower(guid) FROM codings"),
        strings(&demo, "SELECT lower(guid) FROM codings")
    );
    // Speaker turns are re-derived from the text: same count and speakers per document.
    let turns = "SELECT d.name || '|' || t.idx || '|' || ifnull(t.speaker, '') || '|' || t.start || '|' || t.\"end\" FROM turns t JOIN documents d ON d.id = t.document_id";
    assert_eq!(strings(&fresh, turns), strings(&demo, turns));

    // Exporting the imported study gives the same project: same GUIDs, same selections.
    let second = d.path("second.qdpx");
    d.run(&fresh, &["export", "qdpx", s(&second)]);
    let qde2 = project_qde(&second);
    assert_eq!(selection_guids(&qde1), selection_guids(&qde2));
    assert_eq!(selection_guids(&qde1).len(), 354);

    // Importing the same project again adds nothing.
    let before = codings(&fresh);
    let out = d.run_as(&fresh, Some("importer"), &["import", s(&first)]);
    assert!(out.contains("0 created, 5 already in the study"), "{out}");
    assert!(
        out.contains("codings: 0 added, 354 already present"),
        "{out}"
    );
    assert!(out.contains("memos: 0 added, 4 already present"), "{out}");
    assert_eq!(codings(&fresh), before);

    // The import is one undoable action (the no-op re-import above left no trace).
    d.run_as(&fresh, Some("importer"), &["undo"]);
    assert_eq!(count(&fresh, "SELECT count(*) FROM codings"), 0);
}

#[test]
fn backups_sit_beside_the_study_and_are_private() {
    let d = Dir::new();
    let demo = d.demo("demo.thematic");
    let qdpx = d.path("p.qdpx");
    d.run(&demo, &["export", "qdpx", s(&qdpx)]);
    let fresh = d.fresh("mine.thematic");
    let out = d.run(&fresh, &["import", s(&qdpx)]);
    let line = out
        .lines()
        .find(|l| l.starts_with("backup of the study before the import: "))
        .unwrap();
    let backup = PathBuf::from(line.rsplit(": ").next().unwrap());
    let name = backup.file_name().unwrap().to_str().unwrap().to_string();
    assert!(
        name.starts_with("mine.backup-") && name.ends_with(".thematic"),
        "{name}"
    );
    assert_eq!(
        name.len(),
        "mine.backup-YYYYMMDD-HHMMSS.thematic".len(),
        "{name}"
    );
    assert_eq!(backup.parent().unwrap(), d.path(""));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&backup).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The backup is the study as it was: empty.
    assert_eq!(count(&backup, "SELECT count(*) FROM documents"), 0);
}

struct Expect {
    file: &'static str,
    documents: i64,
    codes: i64,
    codings: i64,
    coders: i64,
    says: &'static [&'static str],
}

#[test]
fn every_sample_imports_with_the_right_counts() {
    let Some(refi) = refi_dir("every_sample_imports_with_the_right_counts") else {
        return;
    };
    let samples = refi.join("samples");
    let expected = [
        Expect {
            file: "blank-atlas-project.qdpx",
            documents: 0,
            codes: 0,
            codings: 0,
            coders: 2,
            says: &["codes: 0 in the file"],
        },
        Expect {
            file: "target-atlas-project.qdpx",
            documents: 0,
            codes: 3,
            codings: 0,
            coders: 2,
            says: &["codes: 3 in the file — 0 matched by GUID, 0 matched by path, 3 created"],
        },
        // NVivo puts the text in a .docx whose body is empty: both sources are skipped, loudly.
        Expect {
            file: "nvivo_mac15_project.qdpx",
            documents: 0,
            codes: 262,
            codings: 0,
            coders: 2,
            says: &[
                "documents: 0 created, 0 already in the study, 2 source(s) skipped",
                "its text is empty (a document needs text)",
                "adjusted: upper-cased",
            ],
        },
        Expect {
            file: "qc_1.3.2_demo.qdpx",
            documents: 2,
            codes: 262,
            codings: 205,
            coders: 1,
            says: &[
                "documents: 2 created",
                "selections: 158; codings: 205 added, 0 already present, 0 skipped",
                "has no internal:// scheme",
            ],
        },
        Expect {
            file: "atlasti_win23.4_codebook_from_requal_test.qdc",
            documents: 0,
            codes: 1,
            codings: 0,
            coders: 0,
            says: &["1 created", "adjusted: 1 code set(s)"],
        },
        Expect {
            file: "taguette_codebook_from_tests.qdc",
            documents: 0,
            codes: 3,
            codings: 0,
            coders: 0,
            says: &["3 created", "adjusted: ignored an empty <Sets/>"],
        },
    ];
    for e in expected {
        let d = Dir::new();
        let study = d.fresh("s.thematic");
        let out = d.run(&study, &["import", s(&samples.join(e.file))]);
        for needle in e.says {
            assert!(
                out.contains(needle),
                "{}: missing '{needle}' in:\n{out}",
                e.file
            );
        }
        let got = [
            count(&study, "SELECT count(*) FROM documents"),
            count(&study, "SELECT count(*) FROM codes"),
            count(&study, "SELECT count(*) FROM codings"),
            // alex, the importing coder, only exists for .qdpx imports where codings need one
            count(&study, "SELECT count(*) FROM coders WHERE name <> 'alex'"),
        ];
        assert_eq!(
            got,
            [e.documents, e.codes, e.codings, e.coders],
            "{}: [documents, codes, codings, coders]\n{out}",
            e.file
        );
    }
    // qc's selections land on the right text: "line:814" is 50006..50084 of board_2017.
    let d = Dir::new();
    let study = d.fresh("s.thematic");
    d.run(&study, &["import", s(&samples.join("qc_1.3.2_demo.qdpx"))]);
    let text: String = Connection::open(&study)
        .unwrap()
        .query_row(
            "SELECT substr(d.text, 50007, 78) FROM documents d WHERE d.name = 'board_2017'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        text,
        "science principles that is intended for people who don't wanna do a hardcore \n"
    );
    assert!(
        count(
            &study,
            "SELECT count(*) FROM codings WHERE start = 50006 AND \"end\" = 50084"
        ) >= 1
    );
}

fn hostile_zip(path: &Path, entries: &[(&str, &[u8])]) {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    for (n, data) in entries {
        zip.start_file(*n, opts).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn hostile_or_broken_files_change_nothing() {
    let d = Dir::new();
    let study = d.demo("demo.thematic");
    let before = fingerprint(&study);
    let minimal: &[u8] =
        br#"<?xml version="1.0" encoding="UTF-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="p"/>"#;
    let slip = d.path("slip.qdpx");
    hostile_zip(&slip, &[("project.qde", minimal), ("../../evil.txt", b"x")]);
    let err = d.fail(&study, &["import", s(&slip)]);
    assert!(
        err.contains("slip.qdpx") && err.contains("unsafe path in archive"),
        "{err}"
    );
    let laughs = d.path("laughs.qdpx");
    hostile_zip(
        &laughs,
        &[(
            "project.qde",
            br#"<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaa">]><Project xmlns="urn:QDA-XML:project:1.0" name="&a;"/>"#,
        )],
    );
    let err = d.fail(&study, &["import", s(&laughs)]);
    assert!(err.contains("entity declarations are not allowed"), "{err}");
    let not_zip = d.path("notzip.qdpx");
    std::fs::write(&not_zip, b"hello").unwrap();
    let err = d.fail(&study, &["import", s(&not_zip)]);
    assert!(err.contains("notzip.qdpx"), "{err}");
    let bad_qdc = d.path("bad.qdc");
    std::fs::write(&bad_qdc, b"<CodeBook><Codes><Code name='x'").unwrap();
    let err = d.fail(&study, &["import", s(&bad_qdc)]);
    assert!(err.contains("bad.qdc"), "{err}");
    // A selection past the end of its text under every counting: the project comes in without
    // it, and the import says so for that source (checked below, on its own study).
    let guid = "11111111-2222-3333-4444-555555555555";
    let qde = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="p">
<CodeBook><Codes><Code guid="AAAAAAAA-2222-3333-4444-555555555555" name="New code" isCodable="true"/></Codes></CodeBook>
<Sources><TextSource guid="{guid}" name="doc" plainTextPath="internal://{guid}.txt">
<PlainTextSelection guid="BBBBBBBB-2222-3333-4444-555555555555" startPosition="0" endPosition="999">
<Coding guid="CCCCCCCC-2222-3333-4444-555555555555"><CodeRef targetGUID="AAAAAAAA-2222-3333-4444-555555555555"/></Coding>
</PlainTextSelection></TextSource></Sources></Project>"#
    );
    let range = d.path("range.qdpx");
    hostile_zip(
        &range,
        &[
            ("project.qde", qde.as_bytes()),
            (&format!("sources/{guid}.txt"), b"short text"),
        ],
    );
    // Mixing transcripts and REFI files is refused before anything happens.
    let txt = d.path("x.txt");
    std::fs::write(&txt, "A: hi\n").unwrap();
    let err = d.fail(&study, &["import", s(&txt), s(&slip)]);
    assert!(err.contains("on their own"), "{err}");
    assert_eq!(fingerprint(&study), before);
    let other = d.fresh("range.thematic");
    let out = d.run(&other, &["import", s(&range)]);
    assert!(
        out.contains("source 'doc': the selection positions fit no counting well (1 of 1 selection(s) end past the text (skipped)"),
        "{out}"
    );
    assert_eq!(count(&other, "SELECT count(*) FROM documents"), 1);
    assert_eq!(count(&other, "SELECT count(*) FROM codings"), 0);
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (headers, rows)
}

#[test]
fn excerpts_export_is_tidy() {
    let d = Dir::new();
    let demo = d.demo("demo.thematic");
    let csv_path = d.path("excerpts.csv");
    let out = d.run_as(&demo, None, &["export", "excerpts", s(&csv_path)]);
    assert!(out.contains("354 coded excerpts"), "{out}");
    let (headers, rows) = read_csv(&csv_path);
    for h in [
        "document",
        "d_composition",
        "turn",
        "speaker",
        "participant",
        "p_gender",
        "p_age_band",
        "code",
        "theme",
        "coder",
        "start",
        "end",
        "timestamp",
        "text",
    ] {
        assert!(
            headers.contains(&h.to_string()),
            "missing column {h}: {headers:?}"
        );
    }
    assert_eq!(rows.len(), 354);
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let first = &rows[0];
    assert_eq!(first[col("document")], "FG1");
    assert!(first[col("code")].starts_with(&first[col("theme")]));
    assert!(first[col("participant")].starts_with('P'));
    assert_eq!(first[col("timestamp")].len(), 8, "hh:mm:ss");
    // The excerpt is exactly the coded span.
    let conn = Connection::open(&demo).unwrap();
    let (start, end): (i64, i64) = (
        first[col("start")].parse().unwrap(),
        first[col("end")].parse().unwrap(),
    );
    let text: String = conn
        .query_row(
            "SELECT substr(text, ?1 + 1, ?2 - ?1) FROM documents WHERE name = 'FG1'",
            [start, end],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(first[col("text")], text);
    // One coder's, as JSON.
    let json_path = d.path("sam.json");
    d.run(&demo, &["export", "excerpts", s(&json_path), "--by", "sam"]);
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    let sams = count(
        &demo,
        "SELECT count(*) FROM codings c JOIN coders k ON k.id = c.coder_id WHERE k.name = 'sam'",
    );
    assert_eq!(v.as_array().unwrap().len() as i64, sams);
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .all(|r| r["coder"] == "sam" && r["start"].is_i64())
    );
    // The global --coder works as the filter too.
    let out = thematic(&d.dir, &demo)
        .arg("--project")
        .arg(&demo)
        .args(["--coder", "sam", "export", "excerpts"])
        .arg(d.path("sam.csv"))
        .assert()
        .success();
    out.stdout(contains(format!("{sams} coded excerpts")));
}

#[test]
fn pseudonymised_excerpts_name_nobody() {
    let d = Dir::new();
    let demo = d.demo("demo.thematic");
    let path = d.path("excerpts.csv");
    let out = d.run_as(
        &demo,
        None,
        &["export", "excerpts", s(&path), "--pseudonymize"],
    );
    assert!(out.contains("pseudonymised"), "{out}");
    let content = std::fs::read_to_string(&path).unwrap().to_lowercase();
    let labels = strings(&demo, "SELECT DISTINCT label FROM speakers");
    assert!(labels.len() > 20, "{labels:?}");
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    for label in &labels {
        let l = label.to_lowercase();
        let survives = content.match_indices(&l).any(|(i, _)| {
            let before = content[..i].chars().next_back();
            let after = content[i + l.len()..].chars().next();
            !before.is_some_and(is_word) && !after.is_some_and(is_word)
        });
        assert!(
            !survives,
            "speaker label '{label}' survives pseudonymisation"
        );
    }
    let (headers, rows) = read_csv(&path);
    let speaker = headers.iter().position(|h| h == "speaker").unwrap();
    let participant = headers.iter().position(|h| h == "participant").unwrap();
    for r in &rows {
        assert_eq!(
            r[speaker], r[participant],
            "speaker shown as participant ID"
        );
    }
    assert!(
        std::fs::read_to_string(&path).unwrap().contains("[P"),
        "names inside quotes became [P..]"
    );
    // The project export pseudonymises too, and stays valid.
    let qdpx = d.path("p.qdpx");
    d.run(&demo, &["export", "qdpx", s(&qdpx), "--pseudonymize"]);
    let qde = project_qde(&qdpx);
    validate(&qde, "Project.xsd");
    let fresh = d.fresh("fresh.thematic");
    d.run(&fresh, &["import", s(&qdpx)]);
    assert_eq!(count(&fresh, "SELECT count(*) FROM codings"), 354);
    let texts = strings(&fresh, "SELECT lower(text) FROM documents");
    for label in labels.iter().filter(|l| l.chars().count() > 1) {
        let l = label.to_lowercase();
        for t in &texts {
            let survives = t.match_indices(&l).any(|(i, _)| {
                !t[..i].chars().next_back().is_some_and(is_word)
                    && !t[i + l.len()..].chars().next().is_some_and(is_word)
            });
            assert!(!survives, "'{label}' survives in a pseudonymised document");
        }
    }
}

#[test]
fn codebook_exports_carry_counts() {
    let d = Dir::new();
    let demo = d.demo("demo.thematic");
    let json_path = d.path("codebook.json");
    d.run(&demo, &["export", "codebook", s(&json_path)]);
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    let entries = v.as_array().unwrap();
    assert_eq!(entries.len(), 22);
    let own: i64 = entries
        .iter()
        .map(|e| e["counts"]["codings"].as_i64().unwrap())
        .sum();
    assert_eq!(own, 354);
    let themes: i64 = entries
        .iter()
        .filter(|e| e["level"] == 0)
        .map(|e| e["total"]["codings"].as_i64().unwrap())
        .sum();
    assert_eq!(themes, 354, "theme totals include their subcodes");
    assert!(
        entries
            .iter()
            .all(|e| e["total"]["participants"].as_i64().unwrap() <= 30)
    );
    let csv_path = d.path("codebook.csv");
    d.run(&demo, &["export", "codebook", s(&csv_path)]);
    let (headers, rows) = read_csv(&csv_path);
    assert_eq!(rows.len(), 22);
    assert!(headers.contains(&"participants".to_string()));
    let md = d.path("codebook.md");
    d.run(&demo, &["export", "codebook", s(&md)]);
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.starts_with("# Codebook: demo"));
    assert!(text.contains("\n## Normalization of secure messaging\n"));
    assert!(text.contains("\n### Routine logistics\n"));
    assert!(
        text.contains("**Definition:**")
            && text.contains("**Inclusion:**")
            && text.contains("**Example:**")
    );
    assert!(text.contains("Counts: 57 codings, 5 documents"), "{text}");
    let err = d.fail(&demo, &["export", "codebook", s(&d.path("x.pdf"))]);
    assert!(err.contains("--format"), "{err}");
}

#[test]
fn matrix_counts_participants_or_codings() {
    let d = Dir::new();
    let demo = d.demo("demo.thematic");
    let path = d.path("m.csv");
    d.run(
        &demo,
        &["export", "matrix", "--attribute", "gender", s(&path)],
    );
    let (headers, rows) = read_csv(&path);
    assert_eq!(headers, ["code", "female", "male", "total"]);
    assert_eq!(rows.len(), 22);
    let total: usize = rows
        .iter()
        .filter(|r| !r[0].contains('/'))
        .map(|r| r[3].parse::<usize>().unwrap())
        .max()
        .unwrap();
    assert!(total <= 30);
    // By document attribute, counting codings: the four themes add up to every coding.
    d.run(
        &demo,
        &[
            "export",
            "matrix",
            "--attribute",
            "composition",
            "--count",
            "codings",
            s(&path),
        ],
    );
    let (headers, rows) = read_csv(&path);
    assert_eq!(headers, ["code", "all-female", "all-male", "total"]);
    let sum: usize = rows
        .iter()
        .filter(|r| !r[0].contains('/'))
        .map(|r| r[3].parse::<usize>().unwrap())
        .sum();
    assert_eq!(sum, 354);
    let err = d.fail(
        &demo,
        &["export", "matrix", "--attribute", "shoe_size", s(&path)],
    );
    assert!(
        err.contains("no attribute 'shoe_size'") && err.contains("gender"),
        "{err}"
    );
}

/// REFI-QDA import into a study that has its own codebook (issue 16): our rename, move and
/// definition win; theirs is kept as a memo on the code and reported per code; fields we left
/// empty are filled in. Undo takes it all back.
#[test]
fn importing_into_our_study_never_overwrites_our_codebook() {
    let d = Dir::new();
    let demo = d.demo("demo.thematic");
    let qdc = d.path("codebook.qdc");
    d.run(&demo, &["export", "codebook", "--format", "qdc", s(&qdc)]);
    let qdpx = d.path("coder.qdpx");
    d.run_as(&demo, None, &["export", "qdpx", s(&qdpx)]);
    // The lead refines the codebook after handing the copy out.
    d.run(
        &demo,
        &[
            "codes",
            "rename",
            "Patients need guidance/What to message about",
            "Message topics",
        ],
    );
    d.run(
        &demo,
        &[
            "codes",
            "describe",
            "Patients need guidance",
            "--definition",
            "The lead's sharper definition.",
        ],
    );
    let before = codebook(&demo);
    let out = d.run(&demo, &["import", s(&qdpx)]);
    assert!(out.contains("2 differ (ours kept)"), "{out}");
    assert!(
        out.contains("kept ours: Patients need guidance/Message topics: name: ours 'Message topics', theirs 'What to message about'"),
        "{out}"
    );
    assert!(
        out.contains("kept ours: Patients need guidance: definition: theirs '"),
        "{out}"
    );
    assert_eq!(codebook(&demo), before, "our codebook changed");
    let memo_titles = strings(
        &demo,
        "SELECT c.name || ' | ' || m.title FROM memos m JOIN codes c ON c.id = m.target_id WHERE m.target_kind = 'code' AND m.title LIKE 'Version in %'",
    );
    assert_eq!(
        memo_titles,
        BTreeSet::from([
            "Message topics | Version in coder.qdpx (ours kept)".to_string(),
            "Patients need guidance | Version in coder.qdpx (ours kept)".to_string(),
        ])
    );
    // The same from a codebook file; a second import adds no second memo.
    let out = d.run(&demo, &["import", s(&qdc)]);
    assert!(out.contains("2 differ (ours kept)"), "{out}");
    d.run(&demo, &["import", s(&qdc)]);
    assert_eq!(
        count(
            &demo,
            "SELECT count(*) FROM memos WHERE title LIKE 'Version in codebook.qdc%'"
        ),
        2
    );
    assert_eq!(codebook(&demo), before);
}

/// A user named `consensus` in an incoming project is not this study's consensus coder.
#[test]
fn an_incoming_consensus_coder_is_renamed() {
    let d = Dir::new();
    let qdpx = d.path("team.qdpx");
    let qde = br#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="team" origin="OtherTool 2.0">
<Users><User guid="11111111-0000-0000-0000-000000000001" name="consensus"/><User guid="11111111-0000-0000-0000-000000000002" name="kim"/></Users>
<CodeBook><Codes><Code guid="c001" name="Access" isCodable="true"/></Codes></CodeBook>
<Sources><TextSource guid="s001" name="FG9"><PlainTextContent>Ana: the portal is slow.
Ben: I call instead.</PlainTextContent>
<PlainTextSelection guid="sel1" startPosition="9" endPosition="15" creatingUser="11111111-0000-0000-0000-000000000001"><Coding guid="k1"><CodeRef targetGUID="c001"/></Coding></PlainTextSelection>
</TextSource></Sources></Project>"#;
    hostile_zip(&qdpx, &[("project.qde", qde)]);
    let study = d.fresh("study.thematic");
    let out = d.run(&study, &["import", s(&qdpx)]);
    assert!(
        out.contains("the file's coder 'consensus' came in as 'consensus (imported)'"),
        "{out}"
    );
    assert!(
        out.contains("4 identifier(s) were not GUIDs (e.g. guid=\""),
        "{out}"
    );
    assert_eq!(
        strings(
            &study,
            "SELECT name || ':' || is_consensus FROM coders WHERE name LIKE 'consensus%'"
        ),
        BTreeSet::from(["consensus (imported):0".to_string()])
    );
    assert_eq!(
        strings(
            &study,
            "SELECT k.name || ' ' || c.start || '-' || c.\"end\" FROM codings c JOIN coders k ON k.id = c.coder_id"
        ),
        BTreeSet::from(["consensus (imported) 9-15".to_string()])
    );
}
