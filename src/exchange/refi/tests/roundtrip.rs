//! write → read gives the same project; written XML validates against the XSDs.

use super::super::{
    CodebookFields, Limits, RefiCase, RefiCode, RefiCoding, RefiNote, RefiProject, RefiSelection,
    RefiSet, RefiSource, RefiUser, RefiVariable, RefiVariableValue, VariableType,
    encode_description, new_guid, read_qdc, read_qdpx, write_project_xml, write_qdc, write_qdpx,
};
use super::{TempDir, xmllint_validates};

fn code(name: &str, color: Option<&str>, children: Vec<RefiCode>) -> RefiCode {
    RefiCode {
        guid: new_guid(),
        name: name.into(),
        color: color.map(str::to_string),
        description: encode_description(&CodebookFields {
            definition: format!("About {name} & <things>"),
            inclusion: "Mentions \"it\"\nInclusion: tricky line".into(),
            exclusion: String::new(),
            example: "« Ça coûte trop cher » 💸".into(),
            memo: String::new(),
        }),
        is_codable: true,
        children,
    }
}

fn coding(code: &str, user: &str) -> RefiCoding {
    RefiCoding {
        guid: new_guid(),
        code_guid: code.into(),
        creating_user: Some(user.into()),
        created: Some("2024-05-01T10:20:30Z".into()),
    }
}

pub(super) fn sample_project() -> RefiProject {
    let (u1, u2) = (new_guid(), new_guid());
    let mut parent = code(
        "Cost",
        Some("#FF8800"),
        vec![code("Too expensive", Some("#00AAFF"), vec![])],
    );
    parent.children.push(RefiCode {
        is_codable: false,
        color: None,
        description: None,
        ..code("Grouping only", None, vec![])
    });
    let (c_parent, c_child) = (parent.guid.clone(), parent.children[0].guid.clone());
    let notes: Vec<RefiNote> = ["Project memo", "Source memo", "Selection memo"]
        .iter()
        .map(|n| RefiNote {
            guid: new_guid(),
            name: n.to_string(),
            text: format!("{n}: line one\nline two <&> \"quoted\" 🙂"),
            creating_user: Some(u1.clone()),
            created: Some("2024-05-02T08:00:00+02:00".into()),
        })
        .collect();
    let var_age = RefiVariable {
        guid: new_guid(),
        name: "Age".into(),
        kind: VariableType::Integer,
    };
    let var_site = RefiVariable {
        guid: new_guid(),
        name: "Site".into(),
        kind: VariableType::Text,
    };
    let var_when = RefiVariable {
        guid: new_guid(),
        name: "Interviewed".into(),
        kind: VariableType::Date,
    };
    let text_a =
        "Moderator: 你好，大家好！\nP1: I think it's 太贵了 💸💸 honestly.\nP2: Agreed 👍🏽.\n";
    let text_b = "Q: Résumé?\nA: 日本語のテキスト — with emoji 🧪 and tabs\there.\n\nEnd.";
    let sel = |text: &str, needle: &str, codings: Vec<RefiCoding>, note_refs: Vec<String>| {
        let byte = text.find(needle).expect("needle");
        let start = text[..byte].chars().count();
        RefiSelection {
            guid: new_guid(),
            name: Some(needle.chars().take(10).collect()),
            start,
            end: start + needle.chars().count(),
            creating_user: Some(u2.clone()),
            created: Some("2024-05-01T10:20:30.125Z".into()),
            codings,
            note_refs,
            description: Some("ATLAS-style memo as description".into()),
        }
    };
    let src_a = RefiSource {
        guid: new_guid(),
        name: "Focus group 1 — 北京".into(),
        text: text_a.into(),
        selections: vec![
            sel(
                text_a,
                "太贵了 💸💸",
                vec![coding(&c_child, &u1), coding(&c_parent, &u2)],
                vec![notes[2].guid.clone()],
            ),
            sel(text_a, "Agreed 👍🏽", vec![coding(&c_parent, &u2)], vec![]),
        ],
        note_refs: vec![notes[1].guid.clone()],
        variable_values: vec![RefiVariableValue {
            variable_guid: var_site.guid.clone(),
            value: "Beijing".into(),
        }],
        description: Some("Transcribed by hand".into()),
        creating_user: Some(u1.clone()),
    };
    let src_b = RefiSource {
        guid: new_guid(),
        name: "Interview 2".into(),
        text: text_b.into(),
        selections: vec![RefiSelection {
            name: None,
            description: None,
            note_refs: vec![],
            created: None,
            ..sel(
                text_b,
                "日本語のテキスト",
                vec![coding(&c_child, &u1)],
                vec![],
            )
        }],
        ..RefiSource::default()
    };
    let case = RefiCase {
        guid: new_guid(),
        name: "Participant P1".into(),
        variable_values: vec![
            RefiVariableValue {
                variable_guid: var_age.guid.clone(),
                value: "34".into(),
            },
            RefiVariableValue {
                variable_guid: var_site.guid.clone(),
                value: "Beijing & Shanghai".into(),
            },
            RefiVariableValue {
                variable_guid: var_when.guid.clone(),
                value: "2024-04-30".into(),
            },
        ],
        source_refs: vec![src_a.guid.clone(), src_b.guid.clone()],
        description: Some("Retired teacher".into()),
    };
    let set = RefiSet {
        guid: new_guid(),
        name: "Money talk".into(),
        member_sources: vec![src_a.guid.clone()],
        member_codes: vec![c_parent.clone(), c_child.clone()],
    };
    RefiProject {
        name: "Focus groups <2024> & co".into(),
        origin: Some("Thematic test".into()),
        creating_user: Some(u1.clone()),
        users: vec![
            RefiUser {
                guid: u1,
                name: "Ana Ñúñez".into(),
            },
            RefiUser {
                guid: u2,
                name: "李雷".into(),
            },
        ],
        codes: vec![
            parent,
            code("Trust\n\t\"two\" lines", Some("#123ABC"), vec![]),
        ],
        variables: vec![var_age, var_site, var_when],
        cases: vec![case],
        sources: vec![src_a, src_b],
        project_note_refs: vec![notes[0].guid.clone()],
        notes,
        sets: vec![set],
        description: Some("A project\nwith a description".into()),
    }
}

#[test]
fn qdpx_round_trip_is_lossless() {
    let project = sample_project();
    let dir = TempDir::new();
    let path = dir.path("round trip.qdpx");
    write_qdpx(&project, &path).expect("write");
    let leftovers: Vec<_> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "temp file left behind: {leftovers:?}");
    let (back, adj) = read_qdpx(&path, &Limits::default()).expect("read back");
    assert!(adj.is_empty(), "own output needed adjustments: {adj:?}");
    assert_eq!(back, project);
}

#[test]
fn written_project_validates_against_schema() {
    let xml = write_project_xml(&sample_project());
    assert!(xml.find("<Users>") < xml.find("<CodeBook>"));
    assert!(xml.find("<Notes>") < xml.find("<Sets>"));
    assert!(
        !xml.contains("PlainTextContent>Moderator"),
        "source text must live in sources/"
    );
    if xmllint_validates(&xml, "Project.xsd") {
        // A minimal project too: no Sets element at all when there are none.
        let minimal = RefiProject {
            name: "empty".into(),
            ..RefiProject::default()
        };
        let xml = write_project_xml(&minimal);
        assert!(!xml.contains("Sets"));
        xmllint_validates(&xml, "Project.xsd");
    }
}

#[test]
fn codebook_round_trip_and_schema() {
    let codes = sample_project().codes;
    let xml = write_qdc(&codes, "Thematic 0.1");
    xmllint_validates(&xml, "Codebook.xsd");
    let (back, adj) = read_qdc("out.qdc", xml.as_bytes()).expect("read back");
    assert!(adj.is_empty(), "{adj:?}");
    assert_eq!(back, codes);
}

#[test]
fn export_refuses_inconsistent_model() {
    let mut p = sample_project();
    p.sources[0].selections[0].end = 10_000;
    let dir = TempDir::new();
    let err = write_qdpx(&p, &dir.path("x.qdpx")).unwrap_err().to_string();
    assert!(err.contains("does not fit source"), "{err}");
    assert!(!dir.path("x.qdpx").exists());
}

/// Each sample, once imported, exports to a schema-valid project that reads
/// back to the same model.
#[test]
fn samples_reexport_validates_and_reimports() {
    let Some(dir) = super::samples("samples_reexport_validates_and_reimports") else {
        return;
    };
    for name in [
        "blank-atlas-project.qdpx",
        "target-atlas-project.qdpx",
        "nvivo_mac15_project.qdpx",
        "qc_1.3.2_demo.qdpx",
    ] {
        let (p, _) = read_qdpx(&dir.join(name), &Limits::default()).expect(name);
        if !xmllint_validates(&write_project_xml(&p), "Project.xsd") {
            return;
        }
        let dir = TempDir::new();
        let out = dir.path(name);
        write_qdpx(&p, &out).expect("export");
        let (again, adj) = read_qdpx(&out, &Limits::default()).expect("re-import");
        assert!(adj.is_empty(), "{name}: {adj:?}");
        assert_eq!(again, p, "{name}");
    }
}
