//! `thematic export qdpx --for TARGET` end to end: a transcript with emoji, CJK, a combining
//! mark and paragraph breaks is coded after each of them, exported for every target, and read
//! back the way that tool reads the file (its counting, its line breaks): every selection must
//! quote exactly the coded text, and convert back to the stored code points with our own
//! inverse (independent of the import side). Also: the export is owner-only, and `summary` and
//! the export name the same participants (issue 12).

mod common;

use common::TempStudy;
use std::io::Read;
use thematic::exchange::refi::{Target, to_code_points};

const TRANSCRIPT: &str = "\
Moderator: Welcome 🤣 everyone, let us begin.

Anna: The clinic 日本語 sign was confusing 🤣🤣 and the café\u{301} too.

Ben: Parking was the worst part of the visit.

Anna: The nurse 👩🏽‍⚕️ explained everything clearly at the end.
";

/// (start, end) attributes of every PlainTextSelection in a project.qde, in order.
fn selections(qde: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for part in qde.split("<PlainTextSelection ").skip(1) {
        let attr = |name: &str| -> usize {
            let at = part.find(&format!("{name}=\"")).expect(name) + name.len() + 2;
            part[at..part[at..].find('"').unwrap() + at]
                .parse()
                .unwrap()
        };
        out.push((attr("startPosition"), attr("endPosition")));
    }
    out
}

fn read_entry(zip: &mut zip::ZipArchive<std::fs::File>, name: &str) -> String {
    let mut s = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// The text a tool shows for [start, end) of the written file, read its own way.
fn quote(written: &str, target: Target, start: usize, end: usize) -> String {
    let c = target.counting();
    let text = if c.crlf_text && c.line_break == 1 {
        written.replace("\r\n", "\n")
    } else {
        written.to_string()
    };
    let q = if c.utf16 {
        let units: Vec<u16> = text.encode_utf16().collect();
        String::from_utf16(&units[start..end]).expect("whole characters")
    } else {
        text.chars().skip(start).take(end - start).collect()
    };
    q.replace("\r\n", "\n")
}

fn coded_study() -> (TempStudy, Vec<(usize, usize, String)>) {
    let st = TempStudy::new();
    let file = st.write("FG1.txt", TRANSCRIPT);
    st.cmd().arg("import").arg(&file).assert().success();
    st.cmd()
        .args(["codes", "add", "Access/signs"])
        .assert()
        .success();
    for m in [
        "sign was confusing",
        "café\u{301} too",
        "Parking",
        "explained everything",
    ] {
        st.cmd()
            .args(["code", "FG1", "Access/signs", "--match", m])
            .assert()
            .success();
    }
    st.cmd()
        .args(["code", "FG1", "Access/signs", "--turn", "4"])
        .assert()
        .success();
    let conn = rusqlite::Connection::open(&st.path).unwrap();
    let text: String = conn
        .query_row("SELECT text FROM documents", [], |r| r.get(0))
        .unwrap();
    let chars: Vec<char> = text.chars().collect();
    let mut stmt = conn
        .prepare("SELECT start, \"end\" FROM codings ORDER BY start, \"end\", id")
        .unwrap();
    let codings = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
        .unwrap()
        .map(|r| {
            let (s, e) = r.unwrap();
            let (s, e) = (s as usize, e as usize);
            (s, e, chars[s..e].iter().collect::<String>())
        })
        .collect();
    (st, codings)
}

#[test]
fn every_target_quotes_the_coded_text_and_round_trips() {
    let (st, codings) = coded_study();
    assert_eq!(codings.len(), 5);
    let conn = rusqlite::Connection::open(&st.path).unwrap();
    let canonical: String = conn
        .query_row("SELECT text FROM documents", [], |r| r.get(0))
        .unwrap();
    for (flag, target) in [
        ("standard", Target::Standard),
        ("nvivo", Target::Nvivo),
        ("atlasti", Target::Atlasti),
        ("maxqda", Target::Maxqda),
        ("qualcoder", Target::Qualcoder),
    ] {
        let out = st.dir.path().join(format!("{flag}.qdpx"));
        let assert = st
            .cmd()
            .args(["export", "qdpx"])
            .arg(&out)
            .args(["--for", flag])
            .assert()
            .success();
        let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
        assert!(stdout.contains(target.name()), "{stdout}");
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
        let qde = read_entry(&mut zip, "project.qde");
        let source = (0..zip.len())
            .map(|i| zip.by_index(i).unwrap().name().unwrap().to_string())
            .find(|n| n.starts_with("sources/"))
            .unwrap();
        let written = read_entry(&mut zip, &source);
        assert_eq!(
            written.contains("\r\n"),
            target.counting().crlf_text,
            "{flag}: line breaks as the tool stores them"
        );
        assert!(!written.starts_with('\u{FEFF}'), "{flag}: no BOM");
        let sels = selections(&qde);
        assert_eq!(sels.len(), codings.len(), "{flag}");
        for ((ts, te), (s, e, text)) in sels.iter().zip(&codings) {
            assert_eq!(
                &quote(&written, target, *ts, *te),
                text,
                "{flag} {ts}..{te}"
            );
            assert_eq!(to_code_points(&canonical, target, *ts), *s, "{flag} back");
            assert_eq!(to_code_points(&canonical, target, *te), *e, "{flag} back");
        }
        if target != Target::Standard && target != Target::Qualcoder {
            // Emoji precede the later selections, so these targets really moved them.
            assert_ne!(sels.last().unwrap().0, codings.last().unwrap().0, "{flag}");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{flag}: owner-only");
        }
    }
}

/// `summary` and the export print the same participant count in the same words (moderators
/// apart and said), and the project carries exactly that many Cases.
#[test]
fn summary_and_export_agree_on_participants() {
    let (st, _) = coded_study();
    let attrs = st.write(
        "people.csv",
        "participant,document,speaker,role\nM1,FG1,Moderator,moderator\nP1,FG1,Anna,participant\nP2,FG1,Ben,participant\n",
    );
    st.cmd()
        .arg("import-attributes")
        .arg(&attrs)
        .assert()
        .success();
    let summary = st.cmd().arg("summary").assert().success();
    let summary = String::from_utf8(summary.get_output().stdout.clone()).unwrap();
    assert!(
        summary.contains("2 participants + 1 moderator"),
        "{summary}"
    );
    let out = st.dir.path().join("p.qdpx");
    let export = st
        .cmd()
        .args(["export", "qdpx"])
        .arg(&out)
        .assert()
        .success();
    let export = String::from_utf8(export.get_output().stdout.clone()).unwrap();
    assert!(export.contains("2 participants + 1 moderator"), "{export}");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let qde = read_entry(&mut zip, "project.qde");
    assert_eq!(qde.matches("<Case ").count(), 3);
}
