//! Test helpers: invariants and a tiny .docx builder.

use std::io::Write;

use crate::import::types::ParsedTranscript;

/// Turns in bounds, ordered, non-overlapping, non-empty, trimmed.
pub(crate) fn assert_well_formed(p: &ParsedTranscript) {
    let n = p.text.chars().count();
    let mut prev_end = 0;
    for (i, t) in p.turns.iter().enumerate() {
        assert!(t.start < t.end, "turn {i} empty: {t:?}");
        assert!(t.end <= n, "turn {i} out of bounds: {t:?} (len {n})");
        assert!(t.start >= prev_end, "turn {i} overlaps: {t:?}");
        prev_end = t.end;
        let s = p.turn_text(i).unwrap();
        assert_eq!(s.trim(), s, "turn {i} not trimmed");
    }
}

/// (speaker, spoken text) of every turn.
pub(crate) fn speeches(p: &ParsedTranscript) -> Vec<(Option<String>, String)> {
    (0..p.turns.len())
        .map(|i| (p.turns[i].speaker.clone(), p.turn_text(i).unwrap()))
        .collect()
}

/// Zip bytes containing the given (path, content) entries.
pub(crate) fn zip_bytes(entries: &[(&str, &str)]) -> Vec<u8> {
    zip_with(entries, zip::CompressionMethod::Deflated)
}

/// Zip bytes with a chosen compression method.
pub(crate) fn zip_with(entries: &[(&str, &str)], method: zip::CompressionMethod) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(method)
        .large_file(true);
    for (name, content) in entries {
        w.start_file(*name, options).unwrap();
        w.write_all(content.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A .docx whose body is the given WordprocessingML fragment.
pub(crate) fn docx_bytes(body: &str) -> Vec<u8> {
    let doc = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    );
    zip_bytes(&[
        ("[Content_Types].xml", "<Types/>"),
        ("word/document.xml", &doc),
    ])
}
