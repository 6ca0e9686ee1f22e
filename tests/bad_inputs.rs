//! The catalogue of bad inputs: each named case runs the real command on a real study and
//! asserts (1) exit code 1, (2) a clear message that names the file (and line, where there is
//! one), (3) no panic, and (4) an unchanged study file (fingerprint). All cases share one study,
//! so any case that wrote something half would also show up in every later fingerprint.
//! Inputs kept as files live in tests/corpus/.

mod common;

use common::{FOCUS_GROUP, TempStudy, fingerprint};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Builds a case's input in a directory and returns the command's arguments.
type Args = Box<dyn Fn(&Path) -> Vec<String>>;

struct Case {
    name: &'static str,
    /// Builds the input in `dir` and returns the command's arguments.
    args: Args,
    /// Every one of these must appear in stderr.
    expect: Vec<&'static str>,
}

fn file(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.display().to_string()
}

fn corpus(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(name)
        .display()
        .to_string()
}

fn zip(entries: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(method)
        .large_file(true);
    for (name, content) in entries {
        w.start_file(*name, options).unwrap();
        w.write_all(content).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn import(name: &'static str, bytes: Vec<u8>) -> Args {
    Box::new(move |d| vec!["import".into(), file(d, name, &bytes)])
}

fn cmd(args: &'static [&'static str]) -> Args {
    Box::new(move |_| args.iter().map(|s| s.to_string()).collect())
}

fn table(kind: &'static str, name: &'static str, text: &'static str) -> Args {
    Box::new(move |d| vec![kind.into(), file(d, name, text)])
}

/// A file of `len` bytes that starts with `head` and is sparse after it: costs no disk.
fn sparse(dir: &Path, name: &str, head: &[u8], len: u64) -> String {
    let p = dir.join(name);
    let mut f = std::fs::File::create(&p).unwrap();
    f.write_all(head).unwrap();
    f.set_len(len).unwrap();
    p.display().to_string()
}

fn cases() -> Vec<Case> {
    let deflate = zip::CompressionMethod::Deflated;
    let mut utf16 = Vec::new();
    for u in "Ana: hello there\nBen: hi\n".encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    let zeros = vec![0u8; 100 * 1024 * 1024];
    let bomb = zip(&[("word/document.xml", &zeros)], deflate);
    drop(zeros);
    vec![
        // --- transcripts -------------------------------------------------------------------
        Case { name: "empty transcript", args: import("empty.txt", vec![]), expect: vec!["empty.txt", "file is empty"] },
        Case { name: "transcript that is only a BOM and blank lines", args: import("bom.txt", b"\xEF\xBB\xBF\n\n  \n".to_vec()), expect: vec!["bom.txt", "file is empty"] },
        Case { name: "binary file named .txt (PNG header)", args: import("picture.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec()), expect: vec!["picture.txt", "not a text file (binary data at byte"] },
        Case { name: "Latin-1 with bytes undefined in Windows-1252", args: import("latin1.txt", b"Ana: caf\xe9 \x81\x8d\nBen: ok\n".to_vec()), expect: vec!["latin1.txt", "not valid UTF-8", "not Windows-1252", "re-save the file as UTF-8"] },
        Case { name: "UTF-16 without a byte-order mark", args: import("utf16.txt", utf16), expect: vec!["utf16.txt", "UTF-16 (little-endian) without a byte-order mark"] },
        Case { name: "BOM'd UTF-8 that is not UTF-8", args: import("badbom.txt", b"\xEF\xBB\xBFAna: \xff\xfe hi\n".to_vec()), expect: vec!["badbom.txt", "invalid UTF-8 at byte"] },
        Case { name: "many control characters (a binary in disguise)", args: import("controls.txt", [b"Ana: ".as_slice(), &[0x01u8; 64]].concat()), expect: vec!["controls.txt", "not a text file"] },
        Case { name: "a 400 MB single line (over the size limit: refused before reading)", args: Box::new(|d| vec!["import".into(), sparse(d, "huge.txt", b"Ana: ", 400_000_000)]), expect: vec!["huge.txt", "too large for a transcript (limit 268 MB)"] },
        Case { name: "transcript that does not exist", args: cmd(&["import", "/nonexistent/fg9.txt"]), expect: vec!["/nonexistent/fg9.txt", "cannot read"] },
        Case { name: "speaker labels with no speech", args: import("nolines.txt", b"Ana:\nAna:\n".to_vec()), expect: vec!["nolines.txt", "no transcript text found"] },
        Case { name: "VTT without the WEBVTT header", args: import("noheader.vtt", b"00:00:01.000 --> 00:00:02.000\nAna: hi\n".to_vec()), expect: vec!["noheader.vtt:1", "missing WEBVTT header"] },
        Case { name: "VTT with a malformed cue timing", args: import("badtime.vtt", b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nAna: hi\n\n00:00:0x.000 --> 00:00:04.000\nBen: yo\n".to_vec()), expect: vec!["badtime.vtt:6", "timing"] },
        Case { name: "VTT cue without a timing line", args: import("notiming.vtt", b"WEBVTT\n\n1\nAna: hi there\n".to_vec()), expect: vec!["notiming.vtt:", "cue timing"] },
        Case { name: "SRT with a block that is not a number", args: import("notnum.srt", b"1\n00:00:01,000 --> 00:00:02,000\nhi\n\nsecond\n00:00:03,000 --> 00:00:04,000\nyo\n".to_vec()), expect: vec!["notnum.srt:5", "expected a subtitle number", "'second'"] },
        Case { name: "SRT with a malformed timing", args: import("badtime.srt", b"1\n00:00:01,000 -> 00:00:02,000\nhi\n".to_vec()), expect: vec!["badtime.srt:2", "timing"] },
        Case { name: ".docx that is not a zip", args: import("fake.docx", b"Ana: this is plain text pretending\n".to_vec()), expect: vec!["fake.docx", "not a .docx (zip) file"] },
        Case { name: ".docx zip without word/document.xml", args: import("empty.docx", zip(&[("hello.txt", b"hi")], deflate)), expect: vec!["empty.docx", "no word/document.xml inside"] },
        Case { name: ".docx zip bomb (100 MB of zeros in 100 KB)", args: import("bomb.docx", bomb), expect: vec!["bomb.docx", "too large", "64 MiB limit"] },
        Case { name: ".docx with an XML entity bomb", args: Box::new(|_| vec!["import".into(), corpus("entity_bomb.docx")]), expect: vec!["entity_bomb.docx", "XML entity declarations are not allowed"] },
        Case { name: ".docx with broken XML", args: import("broken.docx", zip(&[("word/document.xml", b"<w:document><w:body><w:p>")], deflate)), expect: vec!["broken.docx"] },
        Case { name: "second of two files is bad: neither is imported", args: Box::new(|d| vec!["import".into(), file(d, "good2.txt", "Ana: fine words\n"), file(d, "bad2.vtt", "WEBVTT\n\nnot a cue\n")]), expect: vec!["bad2.vtt:3"] },
        Case { name: "unknown forced format", args: Box::new(|d| vec!["import".into(), "--format".into(), "pdf".into(), file(d, "x.txt", "Ana: hi\n")]), expect: vec!["unknown format 'pdf'"] },
        Case { name: "VTT voice name too long to be a speaker label", args: Box::new(|d| vec!["import".into(), file(d, "longvoice.vtt", format!("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v {}>hi</v>\n", "N".repeat(5_000)))]), expect: vec!["longvoice.vtt:4", "is not a speaker label (at most 100)"] },
        Case { name: "--speakers with a name longer than a label can be", args: Box::new(|d| vec!["import".into(), "--speakers".into(), "F,".to_string() + &"x".repeat(500), file(d, "forced.txt", "F: hi\n")]), expect: vec!["--speakers", "longer than 100 characters"] },
        Case { name: "--speakers with no names", args: Box::new(|d| vec!["import".into(), "--speakers".into(), " , ".into(), file(d, "forced2.txt", "F: hi\n")]), expect: vec!["--speakers needs at least one name"] },
        Case { name: "--label-pattern that is not a regular expression", args: Box::new(|d| vec!["import".into(), "--label-pattern".into(), "([A-Z]".into(), file(d, "pat.txt", "F: hi\n")]), expect: vec!["--label-pattern is not a valid regular expression"] },
        Case { name: "--label-pattern without a group for the speaker", args: Box::new(|d| vec!["import".into(), "--label-pattern".into(), "^[A-Z]:".into(), file(d, "pat2.txt", "F: hi\n")]), expect: vec!["--label-pattern needs a capture group"] },
        Case { name: "--label-pattern that matches nothing leaves no speech", args: Box::new(|d| vec!["import".into(), "--label-pattern".into(), "^(.+):$".into(), file(d, "pat3.txt", "F:\nG:\n")]), expect: vec!["pat3.txt", "no transcript text found"] },
        // --- attribute tables --------------------------------------------------------------
        Case { name: "attributes naming an unknown document", args: table("import-attributes", "docs.csv", "document,focus_group\nFG99,Group 9\n"), expect: vec!["docs.csv:2", "no document named 'FG99'"] },
        Case { name: "attributes naming an unknown speaker", args: table("import-attributes", "people.csv", "participant,document,speaker,gender\nP1,fg1,Zed,woman\n"), expect: vec!["people.csv:2", "no speaker labelled 'Zed'"] },
        Case { name: "attribute table without a participant or document column", args: table("import-attributes", "what.csv", "name,age\nAna,40\n"), expect: vec!["what.csv:1", "needs a 'participant' column"] },
        Case { name: "attribute row with an empty participant ID", args: table("import-attributes", "blank.csv", "participant,gender\nP1,woman\n,man\n"), expect: vec!["blank.csv:3", "participant ID is empty"] },
        Case { name: "attribute table with a ragged row", args: table("import-attributes", "ragged.csv", "participant,gender\nP1,woman\nP2,man,extra,more\n"), expect: vec!["ragged.csv:3"] },
        Case { name: "attribute table with a nameless column", args: table("import-attributes", "noname.csv", "participant,,gender\nP1,x,woman\n"), expect: vec!["noname.csv:1", "column 2 has no name"] },
        Case { name: "attribute table in Latin-1", args: Box::new(|d| vec!["import-attributes".into(), file(d, "latin.csv", b"participant,city\nP1,K\xf6ln\n")]), expect: vec!["latin.csv", "not UTF-8"] },
        // --- codings tables ----------------------------------------------------------------
        Case { name: "codings CSV with a bad header", args: table("import-codings", "codings.csv", "doc,who,what,from,to\nfg1,sam,A,0,5\n"), expect: vec!["codings.csv:1", "missing column 'document'"] },
        Case { name: "codings CSV with start but no end", args: table("import-codings", "noend.csv", "document,coder,code,start\nfg1,sam,A,0\n"), expect: vec!["noend.csv:1", "missing column 'end'"] },
        Case { name: "codings CSV naming an unknown document", args: table("import-codings", "unknowndoc.csv", "document,coder,code,start,end\nfg1,sam,A,0,5\nFG42,sam,A,0,5\n"), expect: vec!["unknowndoc.csv:3", "no document named 'FG42'"] },
        Case { name: "codings CSV with a range past the end", args: table("import-codings", "past.csv", "document,coder,code,start,end\nfg1,sam,A,0,5\nfg1,sam,A,10,99999\n"), expect: vec!["past.csv:3", "runs past the end of fg1"] },
        Case { name: "codings CSV with a backwards range", args: table("import-codings", "backwards.csv", "document,coder,code,start,end\nfg1,sam,A,9,3\n"), expect: vec!["backwards.csv:2", "empty or backwards"] },
        Case { name: "codings CSV with a start that is not a number", args: table("import-codings", "nan.csv", "document,coder,code,start,end\nfg1,sam,A,zero,5\n"), expect: vec!["nan.csv:2", "start 'zero' is not a whole number"] },
        Case { name: "codings CSV whose excerpt is not in the document", args: table("import-codings", "nomatch.csv", "document,coder,code,match\nfg1,sam,A,words nobody said\n"), expect: vec!["nomatch.csv:2", "excerpt not found in fg1"] },
        Case { name: "codings CSV with a bad row far down: nothing imported", args: Box::new(|d| { let mut t = String::from("document,coder,code,start,end\n"); for i in 0..500 { let start = i % 300; t.push_str(&format!("fg1,sam,Theme/Bulk,{start},{}\n", start + 1 + i / 300)); } t.push_str("fg1,sam,Theme/Bulk,0,-1\n"); vec!["import-codings".into(), file(d, "late.csv", t)] }), expect: vec!["late.csv:502", "empty or backwards"] },
        Case { name: "codings CSV with a control character in a code name", args: table("import-codings", "ctl.csv", "document,coder,code,start,end\nfg1,sam,\"Theme/Bad\x1b[31m\",0,5\n"), expect: vec!["ctl.csv:2", "control characters"] },
        // --- codebook table ----------------------------------------------------------------
        Case { name: "codebook CSV without a code column", args: table("import-codebook", "book.csv", "name,colour\nA,#fff\n"), expect: vec!["book.csv:1", "needs a 'code' column"] },
        // --- commands that need existing things ---------------------------------------------
        Case { name: "coding with an unknown code", args: cmd(&["code", "fg1", "No Such Code", "--turn", "1"]), expect: vec!["no code 'No Such Code'"] },
        Case { name: "coding an unknown document", args: cmd(&["code", "FG77", "Theme/Code", "--turn", "1"]), expect: vec!["no document named 'FG77'"] },
        Case { name: "coding a range past the end", args: cmd(&["code", "fg1", "Theme/Code", "--range", "10:100000"]), expect: vec!["runs past the end of fg1"] },
        Case { name: "coding a turn that does not exist", args: cmd(&["code", "fg1", "Theme/Code", "--turn", "99"]), expect: vec!["there is no turn 99"] },
        Case { name: "agreement with an unknown coder", args: cmd(&["agreement", "--coders", "alex,ghost"]), expect: vec!["coder 'ghost' has no codings"] },
        Case { name: "excerpts by an unknown coder", args: cmd(&["excerpts", "Theme/Code", "--by", "ghost"]), expect: vec!["no coder named 'ghost'"] },
        // REFI-QDA size limits (helper refi): set by what a study holds, lifted by --allow-large.
        Case { name: "qdpx with one source text over the 64 MiB text limit", args: Box::new(big_source_qdpx), expect: vec!["big.qdpx", "size of the text in entry sources/", "--allow-large"] },
        Case { name: "qdc codebook over the 64 MiB codebook limit", args: Box::new(|d| vec!["import".into(), sparse(d, "huge.qdc", b"<CodeBook>", 70_000_000)]), expect: vec!["huge.qdc", "too large for a codebook", "--allow-large"] },
        // --- issue 14: length caps (names and labels are lines in a list, not documents) -------
        Case { name: "code name over the cap", args: Box::new(|_| vec!["codes".into(), "add".into(), "n".repeat(201)]), expect: vec!["a code name is at most 200 characters", "not saved"] },
        Case { name: "code renamed over the cap", args: Box::new(|_| vec!["codes".into(), "rename".into(), "Theme/Code".into(), "n".repeat(201)]), expect: vec!["a code name is at most 200 characters"] },
        Case { name: "codebook CSV with a 1 MB code name", args: Box::new(|d| vec!["import-codebook".into(), file(d, "huge_name.csv", format!("code,definition\nFine,ok\n{},d\n", "n".repeat(1 << 20)))]), expect: vec!["huge_name.csv:3", "a code name is at most 200 characters"] },
        Case { name: "codebook CSV with a 100 KB definition", args: Box::new(|d| vec!["import-codebook".into(), file(d, "huge_def.csv", format!("code,definition\nTheme/Code,{}\n", "d".repeat(100_000)))]), expect: vec!["huge_def.csv:2", "at most 20000 characters"] },
        Case { name: "attribute value over the cap", args: Box::new(|d| vec!["import-attributes".into(), file(d, "huge_value.csv", format!("document,composition\nfg1,{}\n", "v".repeat(5000)))]), expect: vec!["huge_value.csv:2", "an attribute value is at most 1000 characters"] },
        Case { name: "attribute name over the cap", args: Box::new(|d| vec!["import-attributes".into(), file(d, "huge_attr.csv", format!("document,{}\nfg1,x\n", "a".repeat(500)))]), expect: vec!["huge_attr.csv:1", "an attribute name is at most 100 characters"] },
        Case { name: "memo title over the cap", args: Box::new(|_| vec!["memo".into(), "add".into(), "body".into(), "--title".into(), "t".repeat(300)]), expect: vec!["a memo title is at most 200 characters"] },
        Case { name: "coder name over the cap", args: Box::new(|d| vec!["import-codings".into(), file(d, "long_coder.csv", format!("document,coder,code,start,end\nfg1,{},Theme/Code,0,5\n", "c".repeat(65)))]), expect: vec!["long_coder.csv:2", "not a usable coder name"] },
    ]
}

/// A `.qdpx` (stored, so no ratio check applies) whose one source is 65 MiB of text.
fn big_source_qdpx(d: &Path) -> Vec<String> {
    let guid = "11111111-2222-3333-4444-555555555555";
    let qde = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="p"><Sources><TextSource guid="{guid}" name="big" plainTextPath="internal://{guid}.txt"/></Sources></Project>"#
    );
    let text = "Ana: words words words\n".repeat(65 * 1024 * 1024 / 23 + 1);
    let entry = format!("sources/{guid}.txt");
    let bytes = zip(
        &[("project.qde", qde.as_bytes()), (&entry, text.as_bytes())],
        zip::CompressionMethod::Stored,
    );
    vec!["import".into(), file(d, "big.qdpx", bytes)]
}

#[test]
fn every_bad_input_is_refused_clearly_and_changes_nothing() {
    let s = TempStudy::new();
    let fg = s.write("fg1.txt", FOCUS_GROUP);
    s.cmd().arg("import").arg(&fg).assert().success();
    s.cmd()
        .args(["codes", "add", "Theme/Code"])
        .assert()
        .success();
    s.cmd()
        .args(["code", "fg1", "Theme/Code", "--turn", "2"])
        .assert()
        .success();
    let before = s.fingerprint();
    let inputs = tempfile::tempdir().unwrap();
    let cases = cases();
    let mut failures = Vec::new();
    for case in &cases {
        let args = (case.args)(inputs.path());
        let out = s.cmd().args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        let mut why = Vec::new();
        if out.status.code() != Some(1) {
            why.push(format!("exit {:?}", out.status.code()));
        }
        if stderr.contains("panicked") {
            why.push("panicked".into());
        }
        for needle in &case.expect {
            if !stderr.contains(needle) {
                why.push(format!("message lacks {needle:?}"));
            }
        }
        let now = s.fingerprint();
        if now != before {
            why.push(format!("study changed: {before} → {now}"));
        }
        if !why.is_empty() {
            failures.push(format!(
                "{}: {} — stderr: {}",
                case.name,
                why.join("; "),
                stderr.trim()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!(
        "{} bad inputs refused clearly, study unchanged",
        cases.len()
    );
    assert!(cases.len() >= 30);
}

/// Terminal escapes in a transcript import fine (they are the speaker's text), but no command
/// ever prints ESC or another control character to the terminal.
#[test]
fn terminal_escapes_in_transcripts_never_reach_the_terminal() {
    use predicates::prelude::PredicateBooleanExt;
    let s = TempStudy::new();
    let path = PathBuf::from(corpus("escapes.txt"));
    s.cmd().arg("import").arg(&path).assert().success();
    s.cmd()
        .args(["codes", "add", "Theme/Code"])
        .assert()
        .success();
    for args in [
        vec!["show", "escapes"],
        vec!["docs"],
        vec!["summary"],
        vec!["history"],
    ] {
        let out = s.cmd().args(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        assert!(
            !out.stdout.contains(&0x1b) && !out.stderr.contains(&0x1b),
            "{args:?} printed ESC: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(
            !out.stdout.iter().any(|&b| b < 0x20 && b != b'\n'),
            "{args:?}"
        );
    }
    s.cmd()
        .args(["code", "escapes", "Theme/Code", "--turn", "1"])
        .assert()
        .success()
        .stdout(predicates::str::contains("\u{1b}").not());
}

fn study_file_case(name: &str, make: impl FnOnce(&Path), expect: &[&str]) {
    let s = TempStudy::new();
    make(&s.path);
    let before = std::fs::read(&s.path).unwrap();
    let out = s.cmd().args(["docs"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
    assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    for needle in expect {
        assert!(
            stderr.contains(needle),
            "{name}: lacks {needle:?}: {stderr}"
        );
    }
    assert!(
        std::fs::read(&s.path).unwrap() == before,
        "{name}: the file was changed"
    );
}

#[test]
fn study_from_a_newer_version_is_refused() {
    study_file_case(
        "newer version",
        |p| {
            let conn = rusqlite::Connection::open(p).unwrap();
            conn.pragma_update(None, "user_version", 99).unwrap();
        },
        &["study.thematic", "newer Thematic", "schema version 99"],
    );
}

#[test]
fn study_with_a_garbage_header_is_refused() {
    study_file_case(
        "garbage header",
        |p| {
            let mut bytes = std::fs::read(p).unwrap();
            bytes[..16].copy_from_slice(b"NOT SQLITE AT AL");
            std::fs::write(p, bytes).unwrap();
        },
        &["study.thematic", "not a Thematic study file"],
    );
}

#[test]
fn truncated_study_is_refused() {
    let s = TempStudy::new();
    let fg = s.write("fg1.txt", FOCUS_GROUP.repeat(50));
    s.cmd().arg("import").arg(&fg).assert().success();
    let bytes = std::fs::read(&s.path).unwrap();
    std::fs::write(&s.path, &bytes[..bytes.len() / 3]).unwrap();
    let out = s.cmd().args(["show", "fg1"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("malformed") || stderr.contains("not a Thematic study"),
        "{stderr}"
    );
}

#[test]
fn other_sqlite_database_is_refused() {
    study_file_case(
        "foreign database",
        |p| {
            std::fs::remove_file(p).unwrap();
            let conn = rusqlite::Connection::open(p).unwrap();
            conn.execute_batch("CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('hi');")
                .unwrap();
        },
        &["study.thematic", "not a Thematic study file"],
    );
}

#[test]
fn text_file_as_study_is_refused() {
    study_file_case(
        "text file",
        |p| std::fs::write(p, "Ana: this is a transcript, not a study\n".repeat(200)).unwrap(),
        &["study.thematic", "not a Thematic study file"],
    );
}

#[test]
fn refi_archives_that_attack_are_refused() {
    use thematic::exchange::refi::{Limits, read_qdc, read_qdpx};
    let dir = tempfile::tempdir().unwrap();
    let deflate = zip::CompressionMethod::Deflated;
    let write = |name: &str, bytes: Vec<u8>| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let project = br#"<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="x" origin="t"/>"#;
    let cases: Vec<(&str, PathBuf, &str)> = vec![
        (
            "qdpx that is not a zip",
            write("plain.qdpx", b"hello".to_vec()),
            "not a zip archive",
        ),
        (
            "qdpx with a path-escaping entry",
            write(
                "escape.qdpx",
                zip(
                    &[("project.qde", project), ("../../etc/evil", b"x")],
                    deflate,
                ),
            ),
            "unsafe path",
        ),
        (
            "qdpx zip bomb",
            write(
                "bomb.qdpx",
                zip(
                    &[
                        ("project.qde", project),
                        ("sources/big.txt", &vec![b'a'; 50 * 1024 * 1024]),
                    ],
                    deflate,
                ),
            ),
            "exceeds the import limit",
        ),
        (
            "qdpx with an XML entity bomb",
            write(
                "entities.qdpx",
                zip(
                    &[(
                        "project.qde",
                        std::fs::read(corpus("entity_bomb.qde")).unwrap().as_slice(),
                    )],
                    deflate,
                ),
            ),
            "entity declarations are not allowed",
        ),
    ];
    for (name, path, needle) in cases {
        let err = read_qdpx(&path, &Limits::default())
            .err()
            .unwrap_or_else(|| panic!("{name}: accepted"));
        let msg = err.to_string();
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        assert!(msg.contains(needle) && msg.contains(&file), "{name}: {msg}");
    }
    let qdc = std::fs::read(corpus("entity_bomb.qde")).unwrap();
    let msg = read_qdc("bomb.qdc", &qdc).err().unwrap().to_string();
    assert!(msg.contains("bomb.qdc") && msg.contains("entity"), "{msg}");
    let _ = fingerprint; // shared helper
}

// --- issue 14: files around the study (helper "hostile") ------------------------------------

/// A foreign SQLite database that happens to have user_version 1 or 2 (as many programs set)
/// is refused before anything is written: no switch to WAL, no "no such table".
#[test]
fn foreign_database_with_a_small_user_version_is_refused_untouched() {
    for version in [1, 2, 5] {
        study_file_case(
            "foreign database with a user_version",
            |p| {
                std::fs::remove_file(p).unwrap();
                let conn = rusqlite::Connection::open(p).unwrap();
                conn.execute_batch(&format!(
                    "CREATE TABLE documents (x TEXT); CREATE TABLE notes (y); PRAGMA user_version = {version};"
                ))
                .unwrap();
            },
            &["study.thematic", "not a Thematic study file", "not changed"],
        );
    }
}

/// Another program's database in WAL mode with committed pages still in its -wal: looking at
/// it must not checkpoint them into the database (a write to a file that is not ours).
#[test]
fn foreign_wal_database_is_not_checkpointed() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.db");
    let conn = rusqlite::Connection::open(&live).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; CREATE TABLE notes (x); INSERT INTO notes VALUES ('hi'); PRAGMA user_version = 2;",
    )
    .unwrap();
    // A copy of the pair, with no connection open on it, as a crashed program leaves it.
    let db = dir.path().join("other.db");
    std::fs::copy(&live, &db).unwrap();
    std::fs::copy(
        dir.path().join("live.db-wal"),
        dir.path().join("other.db-wal"),
    )
    .unwrap();
    drop(conn);
    let before = std::fs::read(&db).unwrap();
    let wal_before = std::fs::read(dir.path().join("other.db-wal")).unwrap();
    assert!(!wal_before.is_empty());
    let out = common::thematic(&dir, &db)
        .arg("--project")
        .arg(&db)
        .arg("docs")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("other.db") && stderr.contains("not a Thematic study file"),
        "{stderr}"
    );
    assert!(
        std::fs::read(&db).unwrap() == before,
        "the database was written"
    );
    assert_eq!(
        std::fs::read(dir.path().join("other.db-wal")).unwrap(),
        wal_before,
        "the WAL was checkpointed or changed"
    );
}

#[test]
fn another_programs_database_is_refused_by_its_marker() {
    study_file_case(
        "application_id of another program",
        |p| {
            let conn = rusqlite::Connection::open(p).unwrap();
            conn.pragma_update(None, "application_id", 0x4d504258)
                .unwrap();
        },
        &[
            "study.thematic",
            "another program's SQLite database",
            "0x4d504258",
        ],
    );
}

#[test]
fn empty_sqlite_database_is_refused() {
    study_file_case(
        "empty SQLite database",
        |p| {
            std::fs::remove_file(p).unwrap();
            let conn = rusqlite::Connection::open(p).unwrap();
            conn.execute_batch("VACUUM").unwrap();
            conn.pragma_update(None, "page_size", 1024).unwrap();
            conn.execute_batch("CREATE TABLE t(x); DROP TABLE t;")
                .unwrap();
        },
        &["study.thematic", "empty SQLite database"],
    );
}

/// A 0-byte file is not turned into a study by opening it (it kept mode 0644 and became one);
/// only `init` does that, and then the study is private.
#[test]
fn zero_byte_file_becomes_a_study_only_through_init() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.thematic");
    std::fs::write(&path, b"").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = common::thematic(&dir, &path)
        .arg("--project")
        .arg(&path)
        .arg("docs")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("empty.thematic") && stderr.contains("0 bytes"),
        "{stderr}"
    );
    assert!(stderr.contains("thematic init"), "says how: {stderr}");
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 0, "still empty");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "no -wal/-shm left: {names:?}");
    common::thematic(&dir, &path)
        .arg("init")
        .arg(&path)
        .assert()
        .success();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    common::thematic(&dir, &path)
        .arg("--project")
        .arg(&path)
        .arg("docs")
        .assert()
        .success();
}

/// A study written before the marker existed (no application_id, even at a later schema
/// version) is recognised by its tables, opens, and gets the marker and the caps.
#[test]
fn study_from_before_the_marker_opens_and_gains_it() {
    let s = TempStudy::new();
    {
        let conn = rusqlite::Connection::open(&s.path).unwrap();
        conn.pragma_update(None, "application_id", 0).unwrap();
        let triggers: Vec<String> = conn
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'limit_%'",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        for t in triggers {
            conn.execute_batch(&format!("DROP TRIGGER {t}")).unwrap();
        }
    }
    s.cmd().args(["docs"]).assert().success();
    let conn = rusqlite::Connection::open(&s.path).unwrap();
    let app: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(app, 0x5468_6D74);
    drop(conn);
    let out = s
        .cmd()
        .args(["codes", "add", &"n".repeat(300)])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("at most 200"));
}
