//! Untrusted input: every case is a clear error, never a panic.

use super::super::{Limits, RefiError, read_qdc, read_qdpx};
use super::{TempDir, make_zip, samples};

const MINIMAL: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="p"/>"#;

fn read_err(path: &std::path::Path, limits: &Limits) -> String {
    match read_qdpx(path, limits) {
        Ok(_) => panic!("{} imported but should not have", path.display()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn zip_slip_entries_are_rejected() {
    let dir = TempDir::new();
    for evil in [
        "../evil.txt",
        "sources/../../evil.txt",
        "/etc/evil",
        "..\\evil.txt",
        "sources\\..\\..\\evil",
        "C:/evil.txt",
    ] {
        let path = make_zip(&dir, "slip.qdpx", &[("project.qde", MINIMAL), (evil, b"x")]);
        let err = read_err(&path, &Limits::default());
        assert!(
            err.contains(&format!("unsafe path in archive: {evil}")),
            "{evil}: {err}"
        );
    }
}

const LAUGHS: &str = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&lol9;"/>"#;

#[test]
fn billion_laughs_is_rejected() {
    let dir = TempDir::new();
    let path = make_zip(&dir, "laughs.qdpx", &[("project.qde", LAUGHS.as_bytes())]);
    let err = read_err(&path, &Limits::default());
    assert!(
        err.contains("XML entity declarations are not allowed"),
        "{err}"
    );
    assert!(err.contains("project.qde line 2"), "{err}");
    let qdc = LAUGHS.replace("Project", "CodeBook");
    let err = read_qdc("laughs.qdc", qdc.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("XML entity declarations are not allowed"),
        "{err}"
    );
}

#[test]
fn undefined_entity_and_deep_nesting_are_errors() {
    let err = read_qdc("e.qdc", b"<CodeBook><Codes>&xxe;</Codes></CodeBook>").unwrap_err();
    assert!(err.to_string().contains("undefined entity &xxe;"), "{err}");
    let deep = format!("<CodeBook>{}</CodeBook>", "<Code>".repeat(100_000));
    let err = read_qdc("deep.qdc", deep.as_bytes()).unwrap_err();
    assert!(err.to_string().contains("nested too deeply"), "{err}");
}

/// Rewrites the uncompressed size of `name` in its local and central headers.
fn patch_declared_size(zip: &mut [u8], name: &str, size: u32) -> usize {
    let n = name.as_bytes();
    let mut patched = 0;
    for i in 0..zip.len().saturating_sub(46) {
        let sig = &zip[i..i + 4];
        let (name_len_at, name_at, size_at) = match sig {
            b"PK\x03\x04" => (26, 30, 22),
            b"PK\x01\x02" => (28, 46, 24),
            _ => continue,
        };
        let len = u16::from_le_bytes([zip[i + name_len_at], zip[i + name_len_at + 1]]) as usize;
        if zip.get(i + name_at..i + name_at + len) == Some(n) {
            zip[i + size_at..i + size_at + 4].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        }
    }
    patched
}

#[test]
fn entry_larger_than_declared_is_rejected() {
    let dir = TempDir::new();
    let qde = br#"<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Sources>
        <TextSource guid="11111111-2222-3333-4444-555555555555" name="big" plainTextPath="internal://big.txt"/>
        </Sources></Project>"#;
    let big: Vec<u8> = (0..3 * 1024 * 1024u32)
        .map(|i| b'a' + (i % 23) as u8)
        .collect();
    let path = make_zip(
        &dir,
        "liar.qdpx",
        &[("project.qde", qde), ("sources/big.txt", &big)],
    );
    let mut bytes = std::fs::read(&path).unwrap();
    assert_eq!(patch_declared_size(&mut bytes, "sources/big.txt", 100), 2);
    std::fs::write(&path, &bytes).unwrap();
    let err = read_err(&path, &Limits::default());
    assert!(err.contains("sources/big.txt"), "{err}");
    assert!(
        err.contains("holds more data than its header declares"),
        "{err}"
    );
}

#[test]
fn size_count_and_ratio_limits() {
    let dir = TempDir::new();
    let zeros = vec![0u8; 3 * 1024 * 1024];
    let path = make_zip(
        &dir,
        "bomb.qdpx",
        &[("project.qde", MINIMAL), ("sources/z.txt", &zeros)],
    );
    let err = read_err(&path, &Limits::default());
    assert!(
        err.contains("compression ratio of entry sources/z.txt"),
        "{err}"
    );
    let tight = Limits {
        max_entry_bytes: 1000,
        ..Limits::default()
    };
    let err = read_err(&path, &tight);
    assert!(
        err.contains("declared size of entry sources/z.txt exceeds the import limit"),
        "{err}"
    );
    let few = Limits {
        max_entries: 1,
        ..Limits::default()
    };
    assert!(read_err(&path, &few).contains("number of entries"));
    let small_total = Limits {
        max_total_uncompressed: 2000,
        ..Limits::default()
    };
    assert!(read_err(&path, &small_total).contains("total uncompressed size"));
    let tiny_archive = Limits {
        max_archive_bytes: 10,
        ..Limits::default()
    };
    assert!(read_err(&path, &tiny_archive).contains("archive size"));
}

#[test]
fn non_zip_empty_and_truncated_files() {
    let dir = TempDir::new();
    let text = dir.path("notes.qdpx");
    std::fs::write(&text, "just some text, not a zip").unwrap();
    let err = read_err(&text, &Limits::default());
    assert!(err.contains("notes.qdpx: not a zip archive"), "{err}");

    let empty = dir.path("empty.qdpx");
    std::fs::write(&empty, "").unwrap();
    assert!(read_err(&empty, &Limits::default()).contains("the file is empty"));

    // A zip of our own making, cut in half (no shared sample needed).
    let whole = make_zip(
        &dir,
        "whole.qdpx",
        &[("project.qde", MINIMAL), ("sources/a.txt", &[b'a'; 4000])],
    );
    let sample = std::fs::read(whole).unwrap();
    let cut = dir.path("cut.qdpx");
    std::fs::write(&cut, &sample[..sample.len() / 2]).unwrap();
    let err = read_err(&cut, &Limits::default());
    assert!(
        err.contains("cut.qdpx: damaged or truncated zip archive"),
        "{err}"
    );

    let missing = read_err(&dir.path("nope.qdpx"), &Limits::default());
    assert!(missing.contains("nope.qdpx: cannot read"), "{missing}");

    let no_qde = make_zip(&dir, "noqde.qdpx", &[("readme.txt", b"hi")]);
    assert!(read_err(&no_qde, &Limits::default()).contains("no project.qde"));
}

/// Deterministic corruption of real samples: any result is fine, a panic is not.
#[test]
fn corrupted_samples_never_panic() {
    let Some(samples_dir) = samples("corrupted_samples_never_panic") else {
        return;
    };
    let dir = TempDir::new();
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for name in [
        "qc_1.3.2_demo.qdpx",
        "nvivo_mac15_project.qdpx",
        "target-atlas-project.qdpx",
    ] {
        let orig = std::fs::read(samples_dir.join(name)).unwrap();
        for round in 0..60 {
            let mut bytes = orig.clone();
            for _ in 0..(1 + round % 8) {
                let i = (next() as usize) % bytes.len();
                bytes[i] = next() as u8;
            }
            let path = dir.path("fuzz.qdpx");
            std::fs::write(&path, &bytes).unwrap();
            let _ = read_qdpx(&path, &Limits::default());
        }
    }
    for round in 0..300 {
        let qdc = std::fs::read(samples_dir.join("atlasti_win23.4_codebook_from_requal_test.qdc"))
            .unwrap();
        let mut bytes = qdc.clone();
        let i = (next() as usize) % bytes.len();
        bytes[i] = next() as u8;
        bytes.truncate(bytes.len() - round % 40);
        let _ = read_qdc("fuzz.qdc", &bytes);
    }
}

#[test]
fn errors_are_typed() {
    let dir = TempDir::new();
    let path = make_zip(&dir, "slip.qdpx", &[("../x", b"x")]);
    assert!(matches!(
        read_qdpx(&path, &Limits::default()),
        Err(RefiError::UnsafePath { .. })
    ));
}

/// Well-formed-looking text mutations of a real `project.qde` (so the XML
/// layer is exercised, not just the zip layer): errors are fine, panics not.
#[test]
fn mutated_project_xml_never_panics() {
    let Some(samples_dir) = samples("mutated_project_xml_never_panics") else {
        return;
    };
    let sample = samples_dir.join("nvivo_mac15_project.qdpx");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&sample).unwrap()).unwrap();
    let mut qde = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("project.qde").unwrap(), &mut qde).unwrap();
    let pieces = [
        "日", "\"", "<", ">", "&", "{", "}", "-", "é", "\r", "0", " ", "/", "=", "Z", "+",
    ];
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed as usize
    };
    let dir = TempDir::new();
    for round in 0..150 {
        let mut text = qde.clone();
        for _ in 0..(1 + round % 5) {
            let mut at = next() % text.len();
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            text.insert_str(at, pieces[next() % pieces.len()]);
        }
        let path = make_zip(&dir, "m.qdpx", &[("project.qde", text.as_bytes())]);
        let _ = read_qdpx(&path, &Limits::default());
    }
}

/// A source text larger than a research study's transcripts is refused, naming the entry and
/// the way to accept it; `Limits::large` (`--allow-large`) accepts it.
#[test]
fn oversized_source_text_is_refused_unless_allowed() {
    let dir = TempDir::new();
    let guid = "11111111-2222-3333-4444-555555555555";
    let qde = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="p">
<Sources><TextSource guid="{guid}" name="big" plainTextPath="internal://{guid}.txt"/></Sources></Project>"#
    );
    let text: Vec<u8> = (0..200_000u32)
        .flat_map(|i| format!("word{} ", i % 977).into_bytes())
        .collect();
    let entry = format!("sources/{guid}.txt");
    let path = make_zip(
        &dir,
        "big.qdpx",
        &[("project.qde", qde.as_bytes()), (&entry, &text)],
    );
    let small = Limits {
        max_text_bytes: 100_000,
        ..Limits::default()
    };
    let err = read_err(&path, &small);
    assert!(
        err.contains("size of the text in entry sources/11111111") && err.contains("--allow-large"),
        "{err}"
    );
    let (p, _) = read_qdpx(&path, &Limits::large()).expect("allowed");
    assert_eq!(p.sources[0].text.len(), text.len());
}
