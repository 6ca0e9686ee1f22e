//! Word .docx transcripts: unzip `word/document.xml`, find speaker labels
//! (bold `NAME:` prefixes, plain-text labels, Speaker | Text tables), and
//! generate canonical text.

use std::io::{Cursor, Read};

use encoding_rs::{UTF_16BE, UTF_16LE};

use crate::import::cues::{Segment, render};
use crate::import::docx_xml::{DocPara, paragraphs};
use crate::import::error::ImportError;
use crate::import::format::Format;
use crate::import::label::{
    LabelKind, LabelMatch, LabelPolicy, SuspectTags, Unaccepted, is_role, match_label,
};
use crate::import::otter::{is_trailer, looks_like_name, speaker_line};
use crate::import::rules::SpeakerRule;
use crate::import::types::ParsedTranscript;

/// Largest `word/document.xml` we will inflate.
pub(crate) const MAX_XML_BYTES: u64 = 64 * 1024 * 1024;

const DOCUMENT: &str = "word/document.xml";

/// Read and decode `word/document.xml` from the zip bytes.
fn document_xml(file: &str, bytes: &[u8]) -> Result<String, ImportError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|_| ImportError::new(file, "not a .docx (zip) file"))?;
    let entry = zip.by_name(DOCUMENT).map_err(|e| match e {
        zip::result::ZipError::FileNotFound => {
            ImportError::new(file, format!("not a .docx: no {DOCUMENT} inside"))
        }
        other => ImportError::new(file, format!("cannot read {DOCUMENT}: {other}")),
    })?;
    let too_big = || {
        ImportError::new(
            file,
            format!("{DOCUMENT} is too large (over the 64 MiB limit when uncompressed)"),
        )
    };
    if entry.size() > MAX_XML_BYTES {
        return Err(too_big());
    }
    let mut raw = Vec::new();
    entry
        .take(MAX_XML_BYTES + 1)
        .read_to_end(&mut raw)
        .map_err(|e| ImportError::new(file, format!("cannot read {DOCUMENT}: {e}")))?;
    if raw.len() as u64 > MAX_XML_BYTES {
        return Err(too_big());
    }
    let text = if let Some(rest) = raw.strip_prefix(b"\xFF\xFE") {
        UTF_16LE
            .decode_without_bom_handling_and_without_replacement(rest)
            .map(|c| c.into_owned())
    } else if let Some(rest) = raw.strip_prefix(b"\xFE\xFF") {
        UTF_16BE
            .decode_without_bom_handling_and_without_replacement(rest)
            .map(|c| c.into_owned())
    } else {
        let rest = raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&raw);
        std::str::from_utf8(rest).ok().map(str::to_string)
    };
    text.ok_or_else(|| ImportError::new(file, format!("{DOCUMENT} is not valid UTF-8/UTF-16")))
}

/// The accepted label of a paragraph: a bold `NAME:` prefix always, an Otter speaker
/// paragraph (`Jane Doe  00:00`, the speech in the paragraphs after it), other labels through
/// the plain-text policy; or exactly the forced labels.
fn paragraph_labels(
    paras: &[DocPara],
    rule: &SpeakerRule,
) -> (Vec<Option<LabelMatch>>, Unaccepted) {
    let mut unaccepted = Unaccepted::default();
    if !rule.is_auto() {
        let forced = paras
            .iter()
            .map(|p| {
                if p.speaker.is_some() {
                    None
                } else {
                    rule.forced(&p.text)
                }
            })
            .collect();
        return (forced, unaccepted);
    }
    let candidates: Vec<Option<LabelMatch>> = paras
        .iter()
        .map(|p| {
            if p.speaker.is_some() {
                None
            } else {
                match_label(&p.text).or_else(|| otter_label(&p.text))
            }
        })
        .collect();
    let units = paras.iter().filter(|p| !p.text.trim().is_empty()).count();
    let policy = LabelPolicy::new(
        candidates
            .iter()
            .flatten()
            .filter_map(|m| m.name.as_deref()),
        units,
    );
    let mut suspects = SuspectTags::default();
    let labels = paras
        .iter()
        .zip(candidates)
        .enumerate()
        .map(|(idx, (p, c))| {
            let taken = c.clone().filter(|m| {
                let bold = m.name.is_some()
                    && p.bold_end > 0
                    && m.name_end <= p.bold_end
                    && p.text
                        .get(..p.bold_end)
                        .is_some_and(|b| !b.trim().is_empty());
                if m.kind == LabelKind::Otter {
                    // A time at the end of a sentence is no label: Otter's names look like
                    // names, or recur.
                    return m
                        .name
                        .as_deref()
                        .is_some_and(|n| looks_like_name(n) || is_role(n) || policy.recurs(n));
                }
                bold || policy.accepts(m)
            });
            let taken = taken.or_else(|| bold_label(p));
            let candidate = c.is_some_and(|m| m.name.is_some());
            if taken.is_none() && candidate {
                unaccepted.add(|| format!("paragraph {}", idx + 1), &p.text);
            } else if taken.is_none() && p.speaker.is_none() {
                suspects.add(|| format!("paragraph {}", idx + 1), &p.text);
            }
            taken
        })
        .collect();
    unaccepted.extra = suspects.note();
    (labels, unaccepted)
}

/// Otter.ai's .docx: a paragraph holding only `Name  m:ss` (or h:mm:ss).
fn otter_label(text: &str) -> Option<LabelMatch> {
    let (name, ms) = speaker_line(text)?;
    Some(LabelMatch {
        name_end: text.find(name.as_str()).map_or(0, |i| i + name.len()),
        name: Some(name),
        ts_ms: Some(ms),
        content: text.len(),
        kind: LabelKind::Otter,
    })
}

/// A leading bold run ending in ':' whose text is not a regular label
/// ("Dr Smith (facilitator):", "MODERATOR:Welcome").
fn bold_label(p: &DocPara) -> Option<LabelMatch> {
    if p.speaker.is_some() {
        return None;
    }
    let prefix = p.text.get(..p.bold_end)?.trim_end();
    let colon = prefix.len().checked_sub(1)?;
    let name = prefix.strip_suffix(':')?.trim();
    let ok = (1..=40).contains(&name.chars().count())
        && name.chars().next().is_some_and(char::is_alphabetic)
        && !name.chars().any(char::is_control);
    ok.then(|| LabelMatch {
        name: Some(name.to_string()),
        ts_ms: None,
        content: colon + 1,
        name_end: colon,
        kind: LabelKind::Colon,
    })
}

/// Parse .docx bytes.
pub(crate) fn parse_docx(
    file: &str,
    bytes: &[u8],
    rule: &SpeakerRule,
) -> Result<ParsedTranscript, ImportError> {
    let xml = document_xml(file, bytes)?;
    let (paras, mut notes) = paragraphs(&xml).map_err(|m| ImportError::new(file, m))?;
    drop(xml);
    let (labels, unaccepted) = paragraph_labels(&paras, rule);
    notes.extend(unaccepted.note());
    let mut segs: Vec<Segment> = Vec::new();
    // Whether the last segment takes following unlabelled paragraphs.
    let mut open = false;
    for (p, label) in paras.into_iter().zip(labels) {
        let seg = if let Some(sp) = p.speaker {
            Some((Some(sp), p.text.trim().to_string(), p.ts_ms))
        } else {
            label.map(|m| {
                let body = p.text.get(m.content..).unwrap_or("").trim().to_string();
                (m.name, body, m.ts_ms)
            })
        };
        if let Some((speaker, text, ts)) = seg {
            segs.push(Segment {
                speaker,
                text,
                start_ms: ts,
                end_ms: None,
                line: 0,
            });
            open = true;
            continue;
        }
        let body = p.text.trim();
        if body.is_empty() {
            continue;
        }
        match segs.last_mut() {
            Some(last) if open && !is_trailer(body) => {
                if !last.text.is_empty() {
                    last.text.push('\n');
                }
                last.text.push_str(body);
            }
            _ => {
                segs.push(Segment {
                    speaker: None,
                    text: body.to_string(),
                    start_ms: None,
                    end_ms: None,
                    line: 0,
                });
                open = false;
            }
        }
    }
    let empty = segs.iter().filter(|s| s.text.is_empty()).count();
    if empty > 0 {
        notes.push(format!(
            "skipped {empty} speaker label(s) with no text after them"
        ));
    }
    Ok(render(Format::Docx, segs, notes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::test_util::{assert_well_formed, docx_bytes, speeches, zip_bytes, zip_with};

    fn bold(t: &str) -> String {
        format!("<w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">{t}</w:t></w:r>")
    }

    fn run(t: &str) -> String {
        format!("<w:r><w:t xml:space=\"preserve\">{t}</w:t></w:r>")
    }

    fn para(runs: &[String]) -> String {
        format!("<w:p>{}</w:p>", runs.concat())
    }

    fn parse(body: &str) -> ParsedTranscript {
        let p = parse_docx("FG.docx", &docx_bytes(body), &SpeakerRule::Auto).unwrap();
        assert_well_formed(&p);
        p
    }

    #[test]
    fn bold_labels_and_continuations() {
        let body = [
            para(&[run("Focus group 1 – transcript")]),
            para(&[]),
            para(&[bold("MODERATOR:"), run(" Welcome, everyone.")]),
            para(&[run("Please introduce yourselves.")]),
            para(&[bold("Zoë"), run(": Hi, I’m Zoë 😀")]),
            para(&[bold("P3:")]),
            para(&[
                run("Second line"),
                "<w:r><w:br/></w:r>".into(),
                run("soft break"),
            ]),
            para(&[run("Ann: plain label once")]),
            para(&[bold("Dr Smith (facilitator):"), run("Thanks.")]),
            para(&[bold("  INT:"), run("Go on")]),
        ]
        .concat();
        let p = parse(&body);
        assert_eq!(
            speeches(&p),
            vec![
                (None, "Focus group 1 – transcript".into()),
                (
                    Some("MODERATOR".into()),
                    "Welcome, everyone.\nPlease introduce yourselves.".into()
                ),
                (Some("Zoë".into()), "Hi, I’m Zoë 😀".into()),
                (
                    Some("P3".into()),
                    "Second line\nsoft break\nAnn: plain label once".into()
                ),
                (Some("Dr Smith (facilitator)".into()), "Thanks.".into()),
                (Some("INT".into()), "Go on".into()),
            ]
        );
        assert!(
            p.text
                .starts_with("Focus group 1 – transcript\n\nMODERATOR: Welcome")
        );
        assert!(p.text.ends_with("\n\nINT: Go on\n"));
    }

    #[test]
    fn plain_labels_with_timestamps_and_tables() {
        let cell = |t: &str| format!("<w:tc>{}</w:tc>", para(&[run(t)]));
        let body = format!(
            "{}{}<w:tbl><w:tr>{}{}</w:tr><w:tr>{}{}</w:tr></w:tbl>",
            para(&[run("[00:00:05] Ann: hi")]),
            para(&[run("Bob (00:00:09): hello")]),
            cell("Interviewer"),
            cell("How was it?"),
            cell("R1:"),
            cell("Fine.")
        );
        let p = parse(&body);
        assert_eq!(
            speeches(&p),
            vec![
                (Some("Ann".into()), "hi".into()),
                (Some("Bob".into()), "hello".into()),
                (Some("Interviewer".into()), "How was it?".into()),
                (Some("R1".into()), "Fine.".into()),
            ]
        );
        assert_eq!(p.turns[0].end_ms, Some(9_000));
    }

    #[test]
    fn no_labels_gives_paragraph_turns() {
        let p = parse(&[para(&[run("One.")]), para(&[run("Two.")])].concat());
        assert_eq!(p.text, "One.\n\nTwo.\n");
        assert_eq!(p.turns.len(), 2);
    }

    #[test]
    fn broken_inputs() {
        let e = parse_docx("x.docx", b"hello", &SpeakerRule::Auto).unwrap_err();
        assert_eq!(e.to_string(), "x.docx: not a .docx (zip) file");
        let e = parse_docx(
            "x.docx",
            &zip_bytes(&[("word/other.xml", "<a/>")]),
            &SpeakerRule::Auto,
        )
        .unwrap_err();
        assert!(e.message.contains("no word/document.xml"));
        let e = parse_docx(
            "x.docx",
            &zip_bytes(&[(
                "word/document.xml",
                "<!DOCTYPE d [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><w:document>&e;</w:document>",
            )]),
            &SpeakerRule::Auto,
        )
        .unwrap_err();
        assert_eq!(e.message, "XML entity declarations are not allowed");
        let e = parse_docx(
            "x.docx",
            &zip_bytes(&[("word/document.xml", "<w:p><w:r>")]),
            &SpeakerRule::Auto,
        )
        .map(|p| p.turns.len());
        assert_eq!(e, Ok(0));
        let e = parse_docx(
            "x.docx",
            &zip_bytes(&[("word/document.xml", "<a></b>")]),
            &SpeakerRule::Auto,
        )
        .unwrap_err();
        assert!(e.message.contains("malformed"));
        let mut bytes = docx_bytes(&para(&[run("x")]));
        bytes.truncate(bytes.len() / 2);
        assert!(parse_docx("x.docx", &bytes, &SpeakerRule::Auto).is_err());
    }

    #[test]
    fn oversized_document_is_refused() {
        // 65 MiB stored (uncompressed) so the test stays fast.
        let big = format!("<w:document>{}</w:document>", " ".repeat(65 * 1024 * 1024));
        let bytes = zip_with(
            &[("word/document.xml", &big)],
            zip::CompressionMethod::Stored,
        );
        let e = parse_docx("big.docx", &bytes, &SpeakerRule::Auto).unwrap_err();
        assert!(e.message.contains("too large"), "{e}");
    }
}
