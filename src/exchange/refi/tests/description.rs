use super::super::{CodebookFields, decode_description, encode_description};

fn f(d: &str, i: &str, x: &str, e: &str, m: &str) -> CodebookFields {
    CodebookFields {
        definition: d.into(),
        inclusion: i.into(),
        exclusion: x.into(),
        example: e.into(),
        memo: m.into(),
    }
}

#[test]
fn layout_is_readable() {
    let s = encode_description(&f("Talk about cost", "Prices", "", "\"too dear\"", "")).unwrap();
    assert_eq!(
        s,
        "Definition: Talk about cost\n\nInclusion: Prices\n\nExample: \"too dear\""
    );
    assert_eq!(encode_description(&CodebookFields::default()), None);
    assert_eq!(
        encode_description(&f("Just a definition", "", "", "", "")).unwrap(),
        "Just a definition"
    );
}

#[test]
fn foreign_text_becomes_definition() {
    assert_eq!(
        decode_description("Some memo\nwith lines").definition,
        "Some memo\nwith lines"
    );
    let d = decode_description("Intro\n\nInclusion: x");
    assert_eq!(
        (d.definition.as_str(), d.inclusion.as_str()),
        ("Intro", "x")
    );
}

#[test]
fn decode_reads_back_exactly_what_encode_wrote() {
    let tricky = [
        f("a", "", "", "", ""),
        f("", "", "", "", "memo only"),
        f("Memo: looks like a heading", "", "", "", ""),
        f("line\nInclusion: fake", "", "", "", ""),
        f(
            "x\n\\Inclusion: escaped already\n\\\\Memo: twice",
            "in",
            "",
            "",
            "",
        ),
        f(
            "ends with newline\n",
            "\nstarts with newline",
            "  spaces  ",
            "",
            "\n\n",
        ),
        f(
            "a\n\nExclusion: b",
            "Definition: c",
            "Example:",
            "Memo:",
            "Inclusion:",
        ),
        f("日本語 🎉", "", "", "émoji ✓", ""),
        f(" leading space", "", "", "", ""),
    ];
    for fields in tricky {
        let enc = encode_description(&fields).expect("non-empty");
        assert_eq!(decode_description(&enc), fields, "encoded as {enc:?}");
    }
}
