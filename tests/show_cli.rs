//! `thematic show` as a terminal table: a turn's paragraph breaks continue on indented lines
//! (never U+FFFD, issue 12), and text from the file cannot drive the terminal.

mod common;

use common::TempStudy;

#[test]
fn paragraph_breaks_continue_on_indented_lines() {
    let st = TempStudy::new();
    let file = st.write(
        "FG1.txt",
        "Anna: The first paragraph of my answer.\nAnd the second one, still mine.\n\nBen: Short.\n",
    );
    st.cmd().arg("import").arg(&file).assert().success();
    let json = st
        .cmd()
        .args(["show", "FG1", "--format", "json"])
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&json.get_output().stdout).unwrap();
    let first = json["turns"][0]["text"].as_str().unwrap().to_string();
    let out = st.cmd().args(["show", "FG1"]).assert().success();
    let out = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(!out.contains('\u{FFFD}'), "{out}");
    // The importer keeps the paragraph break inside the turn; it is shown as a continuation line.
    assert!(first.contains("answer.\nAnd the second"), "{first}");
    assert!(
        out.contains("of my answer.\n     And the second one"),
        "{out}"
    );
    assert!(out.contains("Ben"), "{out}");
}
