//! Bytes → canonical text: BOM-aware UTF-8/UTF-16, cautious Windows-1252
//! fallback, binary refusal, line endings normalised to LF.

use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1252};

use crate::import::error::ImportError;

/// Bytes that Windows-1252 leaves undefined.
const UNDEFINED_1252: [u8; 5] = [0x81, 0x8D, 0x8F, 0x90, 0x9D];

/// Decode a text file into canonical text (UTF-8, no BOM, LF line endings)
/// plus notes. Refuses binary data, empty files and ambiguous encodings.
pub fn decode_text(file: &str, bytes: &[u8]) -> Result<(String, Vec<String>), ImportError> {
    decode_owned(file, bytes.to_vec())
}

/// [`decode_text`] taking the bytes by value: valid UTF-8 (the common case) becomes the text
/// without a copy, so a large transcript is held once, not three times.
pub(crate) fn decode_owned(
    file: &str,
    bytes: Vec<u8>,
) -> Result<(String, Vec<String>), ImportError> {
    let mut notes = Vec::new();
    let text = if bytes.starts_with(b"\xEF\xBB\xBF") {
        check_nul(file, &bytes)?;
        let mut s = String::from_utf8(bytes).map_err(|e| {
            ImportError::new(
                file,
                format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to()),
            )
        })?;
        s.drain(..3);
        s
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        utf16(file, rest, true)?
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        utf16(file, rest, false)?
    } else {
        check_nul(file, &bytes)?;
        match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                if let Some(pos) = bytes.iter().position(|b| UNDEFINED_1252.contains(b)) {
                    return Err(ImportError::new(
                        file,
                        format!(
                            "not valid UTF-8 (at byte {valid}) and not Windows-1252 (byte 0x{:02X} at {pos}); re-save the file as UTF-8",
                            bytes[pos],
                        ),
                    ));
                }
                notes.push("decoded as Windows-1252".to_string());
                WINDOWS_1252
                    .decode_without_bom_handling_and_without_replacement(&bytes)
                    .map(|c| c.into_owned())
                    .ok_or_else(|| ImportError::new(file, "not valid Windows-1252"))?
            }
        }
    };
    let mut text = text;
    if text.starts_with('\u{FEFF}') {
        text.drain(..'\u{FEFF}'.len_utf8());
    }
    check_controls(file, &text)?;
    let mut text = normalize_newlines(text);
    // Stray byte-order marks (files pasted together) are invisible; a cue or turn made of one
    // would be an empty turn that looks like speech, so canonical text holds none.
    if text.contains('\u{FEFF}') {
        let n = text.matches('\u{FEFF}').count();
        text = text.replace('\u{FEFF}', "");
        notes.push(format!(
            "removed {n} stray byte-order mark(s) inside the text"
        ));
    }
    if text.trim().is_empty() {
        return Err(ImportError::new(file, "file is empty"));
    }
    Ok((text, notes))
}

/// At most this much of a file is read to detect its format.
const SAMPLE_BYTES: usize = 1 << 20;

/// The start of `bytes` for format detection: whole lines only (cut after a line feed, and
/// after the whole UTF-16 code unit holding it).
pub(crate) fn detection_sample(bytes: &[u8]) -> &[u8] {
    if bytes.len() <= SAMPLE_BYTES {
        return bytes;
    }
    let head = &bytes[..SAMPLE_BYTES];
    let Some(lf) = head.iter().rposition(|&b| b == b'\n') else {
        return head;
    };
    let cut = if bytes.starts_with(b"\xFF\xFE") {
        // UTF-16LE: `0A 00` with the 0A at an even index.
        if lf % 2 == 0 { lf + 2 } else { lf & !1 }
    } else if bytes.starts_with(b"\xFE\xFF") {
        (lf + 1) & !1
    } else {
        lf + 1
    };
    &bytes[..cut.min(bytes.len())]
}

fn check_nul(file: &str, bytes: &[u8]) -> Result<(), ImportError> {
    // `contains` on bytes is a vectorised memchr; find the position only when there is one.
    if !bytes.contains(&0) {
        return Ok(());
    }
    match bytes.iter().position(|&b| b == 0) {
        Some(_) if let Some(order) = utf16_without_bom(bytes) => Err(ImportError::new(
            file,
            format!(
                "looks like UTF-16 ({order}) without a byte-order mark; re-save the file as UTF-8"
            ),
        )),
        Some(pos) => Err(binary(file, pos)),
        None => Ok(()),
    }
}

/// Mostly-ASCII text in UTF-16 has a NUL in every other byte: in the odd bytes for
/// little-endian, in the even ones for big-endian.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static str> {
    let sample = &bytes[..bytes.len().min(64 * 1024) & !1];
    let half = sample.len() / 2;
    if half < 2 {
        return None;
    }
    let even = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    if odd * 10 >= half * 7 && even * 10 <= half {
        Some("little-endian")
    } else if even * 10 >= half * 7 && odd * 10 <= half {
        Some("big-endian")
    } else {
        None
    }
}

fn binary(file: &str, pos: usize) -> ImportError {
    ImportError::new(file, format!("not a text file (binary data at byte {pos})"))
}

fn utf16(file: &str, rest: &[u8], le: bool) -> Result<String, ImportError> {
    let enc = if le { UTF_16LE } else { UTF_16BE };
    let text = enc
        .decode_without_bom_handling_and_without_replacement(rest)
        .ok_or_else(|| ImportError::new(file, format!("invalid {}", enc.name())))?;
    if let Some(pos) = text.find('\0') {
        return Err(binary(file, pos));
    }
    Ok(text.into_owned())
}

/// Refuse text with NUL, or with many control characters (other than tab,
/// LF, CR, form feed).
fn check_controls(file: &str, text: &str) -> Result<(), ImportError> {
    // Fast path: the controls counted below are all ASCII, and UTF-8 continuation bytes are
    // never ASCII, so a byte scan finds whether there are any at all.
    let is_control = |b: u8| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C)) || b == 0x7F;
    if !text.bytes().any(is_control) {
        return Ok(());
    }
    let mut first = None;
    let mut count = 0usize;
    let mut total = 0usize;
    for (i, c) in text.char_indices() {
        total += 1;
        let control = c == '\0'
            || (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{0C}') && (c as u32) < 0x80);
        if control {
            count += 1;
            first.get_or_insert(i);
            if c == '\0' {
                return Err(binary(file, i));
            }
        }
    }
    match first {
        Some(pos) if count >= 32 || count.saturating_mul(100) > total => Err(binary(file, pos)),
        _ => Ok(()),
    }
}

/// CRLF and lone CR → LF, in place (no copy when there is no CR).
fn normalize_newlines(s: String) -> String {
    if !s.contains('\r') {
        return s;
    }
    let mut bytes = s.into_bytes();
    let mut w = 0;
    let mut r = 0;
    while r < bytes.len() {
        let b = bytes[r];
        if b == b'\r' {
            bytes[w] = b'\n';
            if bytes.get(r + 1) == Some(&b'\n') {
                r += 1;
            }
        } else {
            bytes[w] = b;
        }
        w += 1;
        r += 1;
    }
    bytes.truncate(w);
    // Only ASCII CR bytes were replaced or removed: still UTF-8.
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(bytes: &[u8]) -> (String, Vec<String>) {
        decode_text("t.txt", bytes).unwrap()
    }

    fn err(bytes: &[u8]) -> String {
        decode_text("t.txt", bytes).unwrap_err().to_string()
    }

    #[test]
    fn samples_cut_at_whole_lines() {
        let big = "Ann: hé\r\n".repeat(200_000);
        let sample = detection_sample(big.as_bytes());
        assert!(sample.len() <= SAMPLE_BYTES && sample.ends_with(b"\n"));
        let mut le = vec![0xFF, 0xFE];
        for u in big.encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        let sample = detection_sample(&le);
        assert!(sample.ends_with(&[0x0A, 0x00]) && sample.len().is_multiple_of(2));
        assert!(decode_text("t.txt", sample).is_ok());
        assert_eq!(detection_sample(b"short"), b"short");
    }

    #[test]
    fn utf8_and_bom_and_newlines() {
        assert_eq!(ok(b"\xEF\xBB\xBFa\r\nb\rc\n").0, "a\nb\nc\n");
        assert_eq!(ok("héllo 😀".as_bytes()), ("héllo 😀".to_string(), vec![]));
    }

    #[test]
    fn utf16() {
        let mut le = vec![0xFF, 0xFE];
        for u in "Ann: hé\r\n".encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(ok(&le).0, "Ann: hé\n");
        let mut be = vec![0xFE, 0xFF];
        for u in "Bob: 😀".encode_utf16() {
            be.extend_from_slice(&u.to_be_bytes());
        }
        assert_eq!(ok(&be).0, "Bob: 😀");
        assert!(err(&[0xFF, 0xFE, 0x41]).contains("invalid UTF-16LE"));
        assert!(err(&[0xFF, 0xFE, 0x00, 0x00]).contains("binary"));
    }

    #[test]
    fn windows_1252() {
        let (t, notes) = ok(b"caf\xE9 \x93quoted\x94");
        assert_eq!(t, "café \u{201C}quoted\u{201D}");
        assert_eq!(notes, vec!["decoded as Windows-1252".to_string()]);
        assert!(err(b"caf\xE9 \x81").contains("not Windows-1252"));
    }

    #[test]
    fn refusals() {
        assert_eq!(err(b""), "t.txt: file is empty");
        assert_eq!(err(b" \n\r\n\t"), "t.txt: file is empty");
        assert_eq!(err(b"\xEF\xBB\xBF"), "t.txt: file is empty");
        assert_eq!(
            err(b"ab\0cd"),
            "t.txt: not a text file (binary data at byte 2)"
        );
        assert!(err(b"PK\x03\x04\x14\x00\x00\x00").contains("binary data at byte 5"));
        let many: Vec<u8> = (0..200u8)
            .map(|i| if i % 3 == 0 { 1 } else { b'a' })
            .collect();
        assert!(err(&many).contains("binary data at byte 0"));
        assert!(err(b"\xEF\xBB\xBF\xFFx").contains("invalid UTF-8 at byte 3"));
    }

    #[test]
    fn a_stray_control_char_is_tolerated() {
        let mut s = "Ann: hello there, this is a normal line of text.\n".repeat(5);
        s.push('\u{1A}');
        assert!(decode_text("t.txt", s.as_bytes()).is_ok());
    }
}
