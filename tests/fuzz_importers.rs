//! Fuzz targets (proptest) for every importer: plain text, VTT, SRT, Otter, Rev, .docx, .qdc,
//! .qdpx, attribute tables and codings tables. Each asserts no panic and no hang (a per-case
//! timeout); parsers that succeed must return well-formed turns; the study-level importers must
//! leave the study exactly as it was when they fail (no partial import) and consistent when
//! they succeed.
//!
//! CI runs a short version. For a long run:
//!   THEMATIC_FUZZ_CASES=200000 cargo test --release --test fuzz_importers -- --test-threads 2
//! Every file under tests/corpus/ is replayed through every importer on each run.

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use thematic::Study;
use thematic::import::{Format, ParsedTranscript, parse_transcript};

fn config() -> Config {
    let cases = std::env::var("THEMATIC_FUZZ_CASES")
        .or_else(|_| std::env::var("PROPTEST_CASES"))
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(48);
    Config {
        cases,
        timeout: 20_000,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        max_shrink_iters: 2_000,
        ..Config::default()
    }
}

// --- inputs ----------------------------------------------------------------------------------

const FRAGMENTS: &[&str] = &[
    "WEBVTT",
    "WEBVTT - title",
    "NOTE a note",
    "STYLE",
    "00:00:01.000 --> 00:00:02.000",
    "00:01.000 --> 00:02.500 align:start",
    "99:59:59.999 --> 00:00:00.000",
    "00:00:01,000 --> 00:00:02,000",
    "00:00:0x,000 --> 00:00:02,000",
    "-->",
    "1",
    "2",
    "0",
    "-1",
    "18446744073709551616",
    "Ana:",
    "Ana: hello there",
    "Moderator: How did that feel?",
    "<v Ana>hi</v>",
    "<v.loud Ben>yo",
    "<b>bold</b> <i>it",
    "Ana  0:01",
    "Ben  1:02:03",
    "Ana (00:01:02): yes",
    "[00:00:05] Ana: okay",
    "[99:99:99] Ben:",
    "Speaker 1 (0:00):",
    ": : :",
    "::",
    "",
    " ",
    "\t",
    "\r",
    "\u{feff}",
    "\u{0}",
    "\u{1b}[31m",
    "\u{202e}",
    "e\u{301}\u{301}",
    "👩‍⚕️👍🏽",
    "漢字かな",
    "\u{fffd}",
    "a very long line of ordinary speech that goes on and on about the portal and the nurse",
    // Shapes real tools write (issue 10): YouTube's one-space cue lines and word timings,
    // Zoom's saved captions and tagged names, Word's participant numbers, WhisperX, Otter.
    " ",
    "so<00:00:00.960><c> do</c><00:00:01.520><c> your</c>",
    "00:00:00.160 --> 00:00:03.429 align:start position:0%",
    "[Jane Doe] 19:00:25",
    "[Sam (Participant 3)] 19:00:31 hello",
    "Jane Doe (SL): okay",
    "Dr. Doe (she/her):",
    "Doe, Jane: hi",
    "27:\u{a0}I walk",
    "M2: yes",
    "00:00:05 Speaker 1: so",
    "[SPEAKER_00]: Hello",
    "Transcribed by https://otter.ai",
    "{\"segments\": [{\"start\": 0.5, \"end\": 1, \"text\": \" hi\", \"speaker\": \"SPEAKER_00\"}]}",
    "Note: the recorder was moved",
];

fn transcript_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        4 => proptest::sample::select(FRAGMENTS).prop_map(str::to_string),
        1 => "\\PC{0,40}",
        1 => any::<String>(),
    ];
    (
        proptest::collection::vec(line, 0..40),
        prop_oneof!["\n", "\r\n", "\r"],
    )
        .prop_map(|(lines, sep)| lines.join(&sep))
}

fn transcript_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => transcript_text().prop_map(String::into_bytes),
        1 => proptest::collection::vec(any::<u8>(), 0..2048),
        1 => (transcript_text(), proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8))
            .prop_map(|(t, flips)| {
                let mut b = t.into_bytes();
                for (at, v) in flips {
                    if !b.is_empty() {
                        let i = at % b.len();
                        b[i] = v;
                    }
                }
                b
            }),
    ]
}

fn xml_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        proptest::sample::select(&[
            "<w:p>",
            "</w:p>",
            "<w:r>",
            "</w:r>",
            "<w:t>",
            "</w:t>",
            "<w:t xml:space=\"preserve\">",
            "<w:br/>",
            "<w:tab/>",
            "<w:tbl><w:tr><w:tc>",
            "</w:tc></w:tr></w:tbl>",
            "&amp;",
            "&lt;",
            "&#x1F600;",
            "&#0;",
            "&bogus;",
            "<![CDATA[x]]>",
            "<!-- c -->",
            "<!DOCTYPE d [<!ENTITY a \"b\">]>",
            "<?pi x?>",
            "Ana: hi",
            "Ben:",
            "\u{0}",
            "<",
            ">",
            "\"",
            "'",
            "<Codes>",
            "</Codes>",
            "<Code guid=\"0\" name=\"A\" isCodable=\"true\">",
            "</Code>",
            "<Code name=\"\" isCodable=\"maybe\"/>",
            "<Description>d</Description>",
            "<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\">",
            "</CodeBook>",
            "<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"p\">",
            "</Project>",
            "<Sources><TextSource guid=\"x\" name=\"s\" plainTextPath=\"internal://x.txt\">",
            "<PlainTextSelection guid=\"y\" startPosition=\"5\" endPosition=\"2\">",
            "</PlainTextSelection></TextSource></Sources>",
        ])
        .prop_map(str::to_string),
        "\\PC{0,12}",
    ];
    proptest::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

fn zip_of(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in entries {
        if w.start_file(name.as_str(), options).is_ok() {
            let _ = w.write_all(content);
        }
    }
    w.finish().map(|c| c.into_inner()).unwrap_or_default()
}

fn csv_field() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(&[
            "fg1", "FG1", "fg2", "sam", "alex", "", " ", "Theme/Code", "Theme/Other", "Theme//X",
            "/", "A", "0", "1", "5", "10", "-3", "999999999999", "9223372036854775808", "1.5",
            "woman", "40-49", "moderator", "Ana", "Ben", "Moderator", "yes", "2024-01-31",
            "\"quoted, comma\"", "\"", "\u{1b}[2J", "👍", "portal", "nurse",
        ])
        .prop_map(str::to_string),
        1 => "\\PC{0,10}",
    ]
}

fn csv_text(headers: &'static [&'static str]) -> impl Strategy<Value = String> {
    let header = proptest::collection::vec(
        prop_oneof![
            4 => proptest::sample::select(headers).prop_map(str::to_string),
            1 => csv_field(),
        ],
        0..7,
    );
    let rows = proptest::collection::vec(proptest::collection::vec(csv_field(), 0..7), 0..12);
    (header, rows, any::<bool>()).prop_map(|(h, rows, crlf)| {
        let sep = if crlf { "\r\n" } else { "\n" };
        let mut out = h.join(",");
        for r in rows {
            out.push_str(sep);
            out.push_str(&r.join(","));
        }
        out
    })
}

// --- checks ----------------------------------------------------------------------------------

fn well_formed(p: &ParsedTranscript) -> Result<(), String> {
    let n = p.text.chars().count();
    let mut prev = 0;
    for (i, t) in p.turns.iter().enumerate() {
        if !(t.start < t.end && t.end <= n && t.start >= prev) {
            return Err(format!(
                "turn {i} {}:{} in {n} chars after {prev}",
                t.start, t.end
            ));
        }
        prev = t.end;
    }
    if p.text.contains('\r') || p.text.starts_with('\u{feff}') {
        return Err("text is not canonical".into());
    }
    Ok(())
}

fn parse_all(name: &str, bytes: &[u8]) -> Result<(), String> {
    let mut forced: Vec<Option<Format>> = vec![None];
    forced.extend(Format::all().iter().copied().map(Some));
    for f in forced {
        if let Ok(p) = parse_transcript(name, bytes, f) {
            well_formed(&p).map_err(|e| format!("{f:?}: {e}"))?;
        }
    }
    Ok(())
}

/// A shared study with one transcript, so study-level cases are cheap.
struct Shared {
    _dir: tempfile::TempDir,
    root: PathBuf,
    study: Study,
}

fn shared() -> &'static Mutex<Shared> {
    static S: OnceLock<Mutex<Shared>> = OnceLock::new();
    S.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let mut study = Study::create(&root.join("fuzz.thematic")).unwrap();
        let alex = study.ensure_coder("alex").unwrap();
        let fg = root.join("fg1.txt");
        std::fs::write(
            &fg,
            "Moderator: How do you use the portal?\nAna: I message my nurse 👍 about refills.\nBen: Same here, but replies are short.\n",
        )
        .unwrap();
        thematic::import::study::import_paths(&mut study, alex.id, &[fg], None).unwrap();
        Mutex::new(Shared {
            _dir: dir,
            root,
            study,
        })
    })
}

fn fingerprint(study: &Study) -> String {
    let tables = [
        "coders",
        "documents",
        "turns",
        "speakers",
        "participants",
        "participant_attributes",
        "document_attributes",
        "attributes",
        "codes",
        "codings",
        "memos",
        "changes",
        "change_rows",
    ];
    tables
        .iter()
        .map(|t| {
            let n: i64 = study
                .conn()
                .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
                .unwrap();
            format!("{t}={n}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every stored range lies inside its document.
fn consistent(study: &Study) -> Result<(), String> {
    let bad: i64 = study
        .conn()
        .query_row(
            "SELECT (SELECT count(*) FROM codings c JOIN documents d ON d.id = c.document_id WHERE c.start < 0 OR c.\"end\" <= c.start OR c.\"end\" > d.char_count)
                  + (SELECT count(*) FROM turns t JOIN documents d ON d.id = t.document_id WHERE t.start < 0 OR t.\"end\" <= t.start OR t.\"end\" > d.char_count)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    if bad == 0 {
        Ok(())
    } else {
        Err(format!("{bad} stored ranges lie outside their documents"))
    }
}

/// Runs a study-level import; on error the study must be unchanged, on success consistent.
fn study_import(
    what: &str,
    run: impl FnOnce(&mut Study, &Path) -> thematic::Result<()>,
) -> Result<(), TestCaseError> {
    let mut guard = shared().lock().unwrap_or_else(|p| p.into_inner());
    let s = &mut *guard;
    let before = fingerprint(&s.study);
    let result = run(&mut s.study, &s.root);
    let after = fingerprint(&s.study);
    match result {
        Err(e) => {
            let msg = e.to_string();
            prop_assert!(!msg.is_empty());
            prop_assert_eq!(
                before,
                after,
                "{} failed ({}) but changed the study",
                what,
                msg
            );
        }
        Ok(()) => {
            if let Err(e) = consistent(&s.study) {
                return Err(TestCaseError::fail(format!("{what}: {e}")));
            }
        }
    }
    Ok(())
}

fn change<T>(
    study: &mut Study,
    f: impl FnOnce(&mut thematic::study::history::Recorder) -> thematic::Result<T>,
) -> thematic::Result<()> {
    let alex = study.ensure_coder("alex")?;
    study
        .change(Some(alex.id), "fuzz", "fuzz import", f)
        .map(|_| ())
}

// --- targets ---------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    #[test]
    fn text_like_transcripts_in_every_format(bytes in transcript_bytes()) {
        for name in ["t.txt", "t.vtt", "t.srt", "t", "t.docx"] {
            parse_all(name, &bytes).map_err(TestCaseError::fail)?;
        }
    }

    #[test]
    fn docx_archives(xml in xml_text(), extra in proptest::collection::vec(any::<u8>(), 0..64), mode in 0u8..4) {
        let bytes = match mode {
            0 => zip_of(&[("word/document.xml".into(), xml.into_bytes())]),
            1 => zip_of(&[("word/document.xml".into(), format!("<w:document><w:body>{xml}</w:body></w:document>").into_bytes())]),
            2 => {
                let mut z = zip_of(&[("word/document.xml".into(), xml.into_bytes())]);
                for (i, b) in extra.iter().enumerate() {
                    let at = (i * 7919 + *b as usize) % z.len().max(1);
                    if let Some(x) = z.get_mut(at) { *x ^= b; }
                }
                z
            }
            _ => extra,
        };
        if let Ok(p) = parse_transcript("f.docx", &bytes, Some(Format::Docx)) {
            well_formed(&p).map_err(TestCaseError::fail)?;
        }
    }

    #[test]
    fn qdc_codebooks(xml in xml_text()) {
        let _ = thematic::exchange::refi::read_qdc("f.qdc", xml.as_bytes());
        let wrapped = format!("<?xml version=\"1.0\"?><CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\"><Codes>{xml}</Codes></CodeBook>");
        let _ = thematic::exchange::refi::read_qdc("f.qdc", wrapped.as_bytes());
    }

    #[test]
    fn qdpx_projects(xml in xml_text(), source in transcript_text(), name in proptest::sample::select(&["project.qde", "x.qde", "../project.qde", "/abs.qde", "sources/x.txt"])) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.qdpx");
        let project = format!("<?xml version=\"1.0\"?><Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"p\" origin=\"fuzz\">{xml}</Project>");
        std::fs::write(&path, zip_of(&[
            (name.to_string(), project.into_bytes()),
            ("sources/x.txt".into(), source.into_bytes()),
        ])).unwrap();
        let _ = thematic::exchange::refi::read_qdpx(&path, &thematic::exchange::refi::Limits::default());
    }

    #[test]
    fn transcripts_into_the_study(bytes in transcript_bytes(), ext in proptest::sample::select(&["txt", "vtt", "srt", "docx"])) {
        study_import("import", |study, root| {
            let file = root.join(format!("case.{ext}"));
            std::fs::write(&file, &bytes).unwrap();
            let alex = study.ensure_coder("alex")?;
            let r = thematic::import::study::import_paths(study, alex.id, std::slice::from_ref(&file), None);
            let _ = std::fs::remove_file(&file);
            r.map(|_| ())
        })?;
    }

    #[test]
    fn attribute_tables(text in csv_text(&["participant", "document", "speaker", "role", "gender", "age band", "focus_group"])) {
        study_import("import-attributes", |study, _| {
            change(study, |rec| thematic::import::attributes::import_csv(rec, "a.csv", text.as_bytes()))
        })?;
    }

    #[test]
    fn codings_tables(text in csv_text(&["document", "coder", "code", "start", "end", "match", "occurrence"])) {
        study_import("import-codings", |study, _| {
            change(study, |rec| thematic::coding::table::import_csv(rec, "c.csv", text.as_bytes()))
        })?;
    }

    #[test]
    fn codebook_tables(text in csv_text(&["code", "colour", "definition", "inclusion", "exclusion", "example", "memo"])) {
        study_import("import-codebook", |study, _| {
            change(study, |rec| thematic::codebook::table::import_csv(rec, "b.csv", text.as_bytes()))
        })?;
    }
}

/// Every kept input is replayed through every importer.
#[test]
fn corpus_replays_through_every_importer() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    assert!(files.len() >= 3);
    for p in &files {
        let bytes = std::fs::read(p).unwrap();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        parse_all(&name, &bytes).unwrap();
        let _ = thematic::exchange::refi::read_qdc(&name, &bytes);
        let _ =
            thematic::exchange::refi::read_qdpx(p, &thematic::exchange::refi::Limits::default());
        study_import("corpus attributes", |study, _| {
            change(study, |rec| {
                thematic::import::attributes::import_csv(rec, &name, &bytes)
            })
        })
        .unwrap();
        study_import("corpus codings", |study, _| {
            change(study, |rec| {
                thematic::coding::table::import_csv(rec, &name, &bytes)
            })
        })
        .unwrap();
    }
}
