//! Deviations seen in real files are read, and each is reported.

use std::io::{Cursor, Write};

use zip::write::{SimpleFileOptions, ZipWriter};

use super::super::{
    Adjustments, Limits, PositionMode, RefiProject, read_qdc, read_qdpx, read_qdpx_with,
};
use super::{TempDir, make_zip};

const SRC: &str = "AAAAAAAA-0000-0000-0000-000000000001";
const CODE: &str = "CCCCCCCC-0000-0000-0000-000000000001";

fn sel_xml(guid_n: u32, start: u64, end: u64) -> String {
    format!(
        r#"<PlainTextSelection guid="BBBBBBBB-0000-0000-0000-{guid_n:012}" startPosition="{start}" endPosition="{end}">
        <Coding guid="DDDDDDDD-0000-0000-0000-{guid_n:012}"><CodeRef targetGUID="{CODE}"/></Coding></PlainTextSelection>"#
    )
}

/// A project with one code and one source (attributes `src_attrs`) holding `sels`.
fn project(src_attrs: &str, sels: &[(u64, u64)]) -> String {
    let sels: String = sels
        .iter()
        .enumerate()
        .map(|(i, &(a, b))| sel_xml(i as u32 + 1, a, b))
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="lenient">
<CodeBook><Codes><Code guid="{CODE}" name="c" isCodable="true"/></Codes></CodeBook>
<Sources><TextSource guid="{SRC}" name="doc" {src_attrs}>{sels}</TextSource></Sources>
</Project>"#
    )
}

fn import(entries: &[(&str, &[u8])]) -> Result<(RefiProject, Adjustments), String> {
    let dir = TempDir::new();
    let path = make_zip(&dir, "t.qdpx", entries);
    read_qdpx(&path, &Limits::default()).map_err(|e| e.to_string())
}

/// Imports `text` as `sources/SRC.txt` with selections `sels`; returns the
/// selected strings and the adjustments.
fn select(text: &str, sels: &[(u64, u64)]) -> (Vec<String>, Adjustments) {
    let qde = project(&format!(r#"plainTextPath="internal://{SRC}.txt""#), sels);
    let name = format!("sources/{SRC}.txt");
    let (p, adj) =
        import(&[("project.qde", qde.as_bytes()), (&name, text.as_bytes())]).expect("imports");
    let src = &p.sources[0];
    let picked = src
        .selections
        .iter()
        .map(|s| {
            src.text
                .chars()
                .skip(s.start)
                .take(s.end - s.start)
                .collect()
        })
        .collect();
    (picked, adj)
}

#[test]
fn crlf_counted_as_two_is_converted() {
    let text = "Line one\r\nLine two\r\nThird line here";
    let (picked, adj) = select(text, &[(20, 25), (10, 14)]);
    assert_eq!(picked, ["Third", "Line"]);
    assert!(
        adj.mentions("counted CRLF as two characters and were converted"),
        "{adj:?}"
    );
}

#[test]
fn crlf_counted_as_one_is_kept() {
    let text = "Line one\r\nLine two\r\nThird line here";
    let (picked, adj) = select(text, &[(18, 23), (9, 13)]);
    assert_eq!(picked, ["Third", "Line"]);
    assert!(adj.mentions("counted CRLF as one character"), "{adj:?}");
}

#[test]
fn crlf_decided_by_length_when_a_selection_ends_past_lf_text() {
    // LF text is 11 chars; the selection end 12 only fits the CRLF count.
    let (picked, adj) = select("ab\r\ncd\r\nefgh", &[(8, 12)]);
    assert_eq!(picked, ["efgh"]);
    assert!(adj.mentions("as two characters"), "{adj:?}");
}

#[test]
fn bom_is_stripped_and_positions_shifted() {
    let (picked, adj) = select("\u{FEFF}Hello world", &[(7, 12)]);
    assert_eq!(picked, ["world"]);
    assert!(
        adj.mentions("counted it, so they were shifted by -1"),
        "{adj:?}"
    );
    let (picked, adj) = select("\u{FEFF}Hello world", &[(6, 11), (0, 5)]);
    assert_eq!(picked, ["world", "Hello"]);
    assert!(adj.mentions("did not count it"), "{adj:?}");
}

#[test]
fn zero_length_skipped_and_out_of_range_imported_without_it_and_said() {
    let (picked, adj) = select("Hello world", &[(3, 3), (0, 5)]);
    assert_eq!(picked, ["Hello"]);
    assert!(
        adj.mentions("skipped zero-length selection BBBBBBBB-0000-0000-0000-000000000001"),
        "{adj:?}"
    );
    // Past the end under every counting: the source comes in, that selection does not, and
    // the source's report says how many were left out.
    let (picked, adj) = select("short text", &[(0, 50), (0, 5)]);
    assert_eq!(picked, ["short"]);
    assert!(
        adj.mentions("source 'doc': the selection positions fit no counting well (1 of 2 selection(s) end past the text (skipped)"),
        "{adj:?}"
    );
}

/// Text as NVivo for Windows exports it: a BOM (not counted), CRLF (two units), emoji and an
/// astral CJK ideograph (two UTF-16 units each), combining marks (one unit each).
const NVIVO_TEXT: &str = "\u{FEFF}Moderator: Welcome 👋 everyone.\r\nP1: Honestly 🤣 the portal is a maze.\r\nP2: 𠮷田 said the cafe\u{301} line 📞 was quicker.\r\nP1: Yes 🙂 and the nurse replied.\r\n";

/// (start, end) in UTF-16 units of the raw text without its BOM, as NVivo writes them.
fn nvivo_span(needle: &str) -> (u64, u64) {
    let body = NVIVO_TEXT.trim_start_matches('\u{FEFF}');
    let byte = body.find(needle).expect("needle");
    let a = body[..byte].encode_utf16().count() as u64;
    (a, a + needle.encode_utf16().count() as u64)
}

fn nvivo_project(origin: &str, sels: &[(u64, u64)]) -> String {
    project(&format!(r#"plainTextPath="internal://{SRC}.txt""#), sels).replace(
        r#"name="lenient""#,
        &format!(r#"name="lenient" origin="{origin}""#),
    )
}

#[test]
fn nvivo_utf16_positions_quote_exactly_what_nvivo_selected() {
    let picks = [
        "the portal is a maze",
        "cafe\u{301} line",
        "was quicker",
        "the nurse replied",
    ];
    let sels: Vec<(u64, u64)> = picks.iter().map(|p| nvivo_span(p)).collect();
    let qde = nvivo_project("NVivo 14.23.0 (Windows)", &sels);
    let name = format!("sources/{SRC}.txt");
    let (p, adj) = import(&[
        ("project.qde", qde.as_bytes()),
        (&name, NVIVO_TEXT.as_bytes()),
    ])
    .expect("imports");
    let src = &p.sources[0];
    let got: Vec<String> = src
        .selections
        .iter()
        .map(|s| {
            src.text
                .chars()
                .skip(s.start)
                .take(s.end - s.start)
                .collect()
        })
        .collect();
    assert_eq!(got, picks);
    assert!(
        adj.mentions("source 'doc': positions read as UTF-16 units (as NVivo 14.23.0 (Windows) writes them): 4 selection(s)"),
        "{adj:?}"
    );
    assert!(adj.mentions("did not count it"), "{adj:?}");
    assert!(adj.mentions("counted CRLF as two characters"), "{adj:?}");
}

#[test]
fn nvivo_positions_are_found_without_the_origin_and_forced_reading_is_obeyed() {
    let picks = ["the portal is a maze", "was quicker", "the nurse replied"];
    let sels: Vec<(u64, u64)> = picks.iter().map(|p| nvivo_span(p)).collect();
    let qde = nvivo_project("SomeTool 1.0", &sels);
    let name = format!("sources/{SRC}.txt");
    let dir = TempDir::new();
    let path = make_zip(
        &dir,
        "t.qdpx",
        &[
            ("project.qde", qde.as_bytes()),
            (&name, NVIVO_TEXT.as_bytes()),
        ],
    );
    let quote = |p: &RefiProject| -> Vec<String> {
        let src = &p.sources[0];
        src.selections
            .iter()
            .map(|s| {
                src.text
                    .chars()
                    .skip(s.start)
                    .take(s.end - s.start)
                    .collect()
            })
            .collect()
    };
    let (p, adj) = read_qdpx(&path, &Limits::default()).unwrap();
    assert_eq!(quote(&p), picks);
    assert!(adj.mentions("positions read as UTF-16 units"), "{adj:?}");
    let (p, adj) = read_qdpx_with(&path, &Limits::default(), PositionMode::CodePoints).unwrap();
    assert_ne!(quote(&p), picks);
    assert!(adj.mentions("as forced with --positions"), "{adj:?}");
}

#[test]
fn qde_with_another_name_braced_guids_empty_sets() {
    let qde = format!(
        r##"<Project xmlns="urn:QDA-XML:project:1.0" name="atlas" creatingUserGUID="{{aaaaaaaa-1111-2222-3333-444444444444}}">
        <Users><User guid="{{aaaaaaaa-1111-2222-3333-444444444444}}" name="me"/></Users>
        <CodeBook><Codes><Code guid="{{{CODE}}}" name="c" isCodable="true" color="#abc"/></Codes></CodeBook><Sets/></Project>"##
    );
    let (p, adj) = import(&[("My Study.qde", qde.as_bytes())]).expect("imports");
    assert_eq!(p.users[0].guid, "AAAAAAAA-1111-2222-3333-444444444444");
    assert_eq!(
        p.creating_user.as_deref(),
        Some("AAAAAAAA-1111-2222-3333-444444444444")
    );
    assert_eq!(p.codes[0].guid, CODE);
    assert_eq!(p.codes[0].color.as_deref(), Some("#AABBCC"));
    for needle in [
        "named 'My Study.qde' instead of project.qde",
        "stripped braces",
        "empty <Sets/>",
    ] {
        assert!(adj.mentions(needle), "{needle}: {adj:?}");
    }
}

#[test]
fn older_codebook_namespaces() {
    for ns in ["urn:QDA-XML:codebook:0:4", "urn:QDA-XML:codebook:1:0"] {
        let xml = format!(
            r#"<CodeBook xmlns="{ns}"><Codes><Code guid="{CODE}" name="a" isCodable="true"/></Codes></CodeBook>"#
        );
        let (codes, adj) = read_qdc("old.qdc", xml.as_bytes()).expect("imports");
        assert_eq!(codes.len(), 1);
        assert!(adj.mentions(&format!("read namespace {ns}")), "{adj:?}");
    }
}

fn docx(paragraphs: &[&str]) -> Vec<u8> {
    let body: String = paragraphs
        .iter()
        .map(|p| format!("<w:p><w:r><w:t xml:space=\"preserve\">{p}</w:t></w:r></w:p>"))
        .collect();
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}<w:tbl><w:tr><w:tc><w:p><w:r><w:t>cell</w:t><w:tab/><w:t>x</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>"#
    );
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("word/document.xml", SimpleFileOptions::default())
        .unwrap();
    zip.write_all(xml.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

#[test]
fn text_only_in_docx_is_extracted() {
    let d = docx(&["First paragraph", "Second — 日本"]);
    let expected = "First paragraph\nSecond — 日本\ncell\tx";
    // (a) the .txt is a lone newline, as NVivo writes it
    let attrs =
        format!(r#"plainTextPath="internal://{SRC}.txt" richTextPath="internal://{SRC}.docx""#);
    let qde = project(&attrs, &[(16, 22)]);
    let (txt, docx_name) = (format!("sources/{SRC}.txt"), format!("sources/{SRC}.docx"));
    let (p, adj) = import(&[
        ("project.qde", qde.as_bytes()),
        (&txt, b"\n"),
        (&docx_name, &d),
        ("sources/.root", b""),
    ])
    .unwrap();
    assert_eq!(p.sources[0].text, expected);
    assert_eq!(p.sources[0].selections[0].start, 16);
    assert!(
        adj.mentions("plain text file is empty; used the text of"),
        "{adj:?}"
    );
    // (b) no plainTextPath at all
    let qde = project(&format!(r#"richTextPath="internal://{SRC}.docx""#), &[]);
    let (p, adj) = import(&[("project.qde", qde.as_bytes()), (&docx_name, &d)]).unwrap();
    assert_eq!(p.sources[0].text, expected);
    assert!(
        adj.mentions("it has no plain text; used the text of"),
        "{adj:?}"
    );
}

#[test]
fn plain_text_path_without_scheme_and_dangling_refs() {
    let qde = project(r#"plainTextPath="board.txt""#, &[(0, 5)]).replace(
        &format!("targetGUID=\"{CODE}\""),
        "targetGUID=\"EEEEEEEE-0000-0000-0000-000000000000\"",
    );
    let (p, adj) = import(&[
        ("project.qde", qde.as_bytes()),
        ("sources/board.txt", b"Hello world"),
    ])
    .unwrap();
    assert_eq!(p.sources[0].text, "Hello world");
    assert!(p.sources[0].selections[0].codings.is_empty());
    assert!(
        adj.mentions("path 'board.txt' has no internal:// scheme"),
        "{adj:?}"
    );
    assert!(
        adj.mentions("dropped 1 coding(s) or set member(s) referring to unknown codes"),
        "{adj:?}"
    );
}

#[test]
fn bad_dates_are_dropped_or_fixed() {
    let qde = format!(
        r#"<Project xmlns="urn:QDA-XML:project:1.0" name="d"><Notes>
        <Note guid="{SRC}" name="a" creationDateTime="2024-05-01T10:00:00日本"><PlainTextContent>x</PlainTextContent></Note>
        <Note guid="{CODE}" name="b" creationDateTime="2024-05-01 10:00:00"><PlainTextContent>y&#13;&#10;z</PlainTextContent></Note>
        </Notes></Project>"#
    );
    let (p, adj) = import(&[("project.qde", qde.as_bytes())]).unwrap();
    assert_eq!(p.notes[0].created, None);
    assert_eq!(p.notes[1].created.as_deref(), Some("2024-05-01T10:00:00"));
    assert_eq!(p.notes[1].text, "y\nz");
    assert!(adj.mentions("not an xs:dateTime"), "{adj:?}");
    assert!(adj.mentions("note 'b': converted 1 CRLF"), "{adj:?}");
}

#[test]
fn project_inside_a_folder_of_the_zip() {
    let qde = project(
        &format!(r#"plainTextPath="internal://{SRC}.txt""#),
        &[(0, 5)],
    );
    let txt = format!("Export/sources/{SRC}.txt");
    let (p, adj) = import(&[
        ("Export/project.qde", qde.as_bytes()),
        (&txt, b"Hello world"),
    ])
    .unwrap();
    assert_eq!(p.sources[0].text, "Hello world");
    assert!(adj.mentions("folder 'Export/'"), "{adj:?}");
}

/// Identifiers that are not GUIDs, as some tools write them: each gets a new GUID, every
/// reference to it follows, and the import says so.
#[test]
fn non_guid_identifiers_in_a_codebook_get_new_guids() {
    let qdc = br#"<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="c001" name="Access" isCodable="true"><Code guid="c002" name="Portal" isCodable="true"/></Code>
<Code guid="c003" name="Trust" isCodable="true"/>
</Codes></CodeBook>"#;
    let (codes, adj) = read_qdc("ids.qdc", qdc).expect("imports");
    let guids = [&codes[0].guid, &codes[0].children[0].guid, &codes[1].guid];
    for g in guids {
        assert!(uuid::Uuid::parse_str(g).is_ok(), "{g}");
    }
    assert!(guids[0] != guids[1] && guids[1] != guids[2]);
    assert!(
        adj.mentions("3 identifier(s) were not GUIDs (e.g. guid=\"c00"),
        "{adj:?}"
    );
}

#[test]
fn non_guid_identifiers_in_a_project_keep_every_reference() {
    // Cases refer to sources before the sources come; selections to codes, notes and users.
    let qde = br#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="ids" creatingUserGUID="u1">
<Users><User guid="u1" name="Sam"/></Users>
<CodeBook><Codes><Code guid="c001" name="Access" isCodable="true"/><Code guid="c002" name="Trust" isCodable="true"/></Codes></CodeBook>
<Variables><Variable guid="v1" name="Age" typeOfVariable="Integer"/></Variables>
<Cases><Case guid="case1" name="P01"><VariableValue><VariableRef targetGUID="v1"/><IntegerValue>34</IntegerValue></VariableValue><SourceRef targetGUID="s1"/></Case></Cases>
<Sources><TextSource guid="s1" name="FG1"><PlainTextContent>Ana: the portal is slow but I trust the nurse.</PlainTextContent>
<PlainTextSelection guid="sel1" startPosition="9" endPosition="15" creatingUser="u1"><Coding guid="k1" creatingUser="u1"><CodeRef targetGUID="c001"/></Coding><NoteRef targetGUID="n1"/></PlainTextSelection>
<PlainTextSelection guid="sel2" startPosition="32" endPosition="37"><Coding guid="k2"><CodeRef targetGUID="c002"/></Coding></PlainTextSelection>
</TextSource></Sources>
<Notes><Note guid="n1" name="memo"><PlainTextContent>Slow portal.</PlainTextContent></Note></Notes>
</Project>"#;
    let (p, adj) = import(&[("project.qde", qde)]).expect("imports");
    let src = &p.sources[0];
    let code_of = |i: usize| &src.selections[i].codings[0].code_guid;
    assert_eq!(code_of(0), &p.codes[0].guid);
    assert_eq!(code_of(1), &p.codes[1].guid);
    assert_eq!(
        src.selections[0].creating_user.as_ref(),
        Some(&p.users[0].guid)
    );
    assert_eq!(src.selections[0].note_refs, vec![p.notes[0].guid.clone()]);
    assert_eq!(p.cases[0].source_refs, vec![src.guid.clone()]);
    assert_eq!(
        p.cases[0].variable_values[0].variable_guid,
        p.variables[0].guid
    );
    assert_eq!(p.creating_user.as_ref(), Some(&p.users[0].guid));
    assert!(uuid::Uuid::parse_str(&src.guid).is_ok());
    assert!(!adj.mentions("dropped"), "{adj:?}");
    assert!(
        adj.mentions("11 identifier(s) were not GUIDs (e.g. guid=\""),
        "{adj:?}"
    );
    // Another file's `c001` is not this one's.
    let (q, _) = import(&[("project.qde", qde)]).expect("imports");
    assert_ne!(q.codes[0].guid, p.codes[0].guid);
}

/// NVivo for Mac keeps the text only in a `.docx`. Its positions count UTF-16 units of the
/// document's text, where a Windows-made document's paragraph breaks may count two (CRLF):
/// both are tried for text taken from a `.docx`, and the reading that quotes whole words wins.
#[test]
fn docx_text_with_utf16_positions_and_paragraph_breaks_as_two() {
    let paras = [
        "Mod: Welcome 👋 to the group.",
        "P1: The portal 🤣 is a maze.",
        "P2: I phone 📞 the nurse instead.",
    ];
    let d = docx(&paras);
    // As NVivo counts: UTF-16 units, each paragraph break "\r\n".
    let counted = paras.join("\r\n");
    let span = |needle: &str| {
        let byte = counted.find(needle).unwrap();
        let a = counted[..byte].encode_utf16().count() as u64;
        (a, a + needle.encode_utf16().count() as u64)
    };
    let picks = ["portal", "is a maze", "the nurse instead"];
    let sels: Vec<(u64, u64)> = picks.iter().map(|p| span(p)).collect();
    let attrs =
        format!(r#"plainTextPath="internal://{SRC}.txt" richTextPath="internal://{SRC}.docx""#);
    let qde = project(&attrs, &sels).replace(
        r#"name="lenient""#,
        r#"name="lenient" origin="NVivo for Mac 15.0.0""#,
    );
    let (txt, docx_name) = (format!("sources/{SRC}.txt"), format!("sources/{SRC}.docx"));
    let (p, adj) = import(&[
        ("project.qde", qde.as_bytes()),
        (&txt, b"\n"),
        (&docx_name, &d),
    ])
    .unwrap();
    let src = &p.sources[0];
    let got: Vec<String> = src
        .selections
        .iter()
        .map(|s| {
            src.text
                .chars()
                .skip(s.start)
                .take(s.end - s.start)
                .collect()
        })
        .collect();
    assert_eq!(got, picks);
    assert!(
        adj.mentions("positions read as UTF-16 units, line breaks as two (as NVivo for Mac 15.0.0 writes them): 3 selection(s)"),
        "{adj:?}"
    );
}
