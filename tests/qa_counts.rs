//! Counts the CLI prints say what they count: `summary` credits codings to the coders who made
//! them, and names the others separately (the coder who ran `init` or an import is in the
//! coders table before coding anything; "2 codings by 3 coders" misled).

mod common;

use common::TempStudy;

#[test]
fn summary_counts_the_coders_who_coded() {
    let study = TempStudy::new();
    let file = study.write("fg.txt", "Ana: I use the portal daily.\nBo: I never do.\n");
    study.cmd().arg("import").arg(&file).assert().success();
    study.cmd().args(["codes", "add", "Use"]).assert().success();
    for (coder, text) in [("alex", "portal"), ("sam", "never")] {
        study
            .cmd_as(coder)
            .args(["code", "fg", "Use", "--match", text])
            .assert()
            .success();
    }
    // A third coder who only wrote a memo.
    study
        .cmd_as("kim")
        .args(["memo", "add", "first thoughts"])
        .assert()
        .success();
    let out = study.cmd().arg("summary").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    let listed: i64 = rusqlite::Connection::open(&study.path)
        .unwrap()
        .query_row("SELECT count(*) FROM coders", [], |r| r.get(0))
        .unwrap();
    assert!(
        listed >= 3,
        "the setup should list idle coders too: {listed}"
    );
    assert!(text.contains("2 codings by 2 coder(s)"), "{text}");
    assert!(
        text.contains(&format!("({} more coder(s) with no codings)", listed - 2)),
        "{text}"
    );
}

/// `export excerpts -` and `export codebook -` write CSV to stdout without needing --format
/// (the README offers `export … -` for programs; it failed with "cannot tell the format").
#[test]
fn exports_to_stdout_default_to_csv() {
    let study = TempStudy::new();
    let file = study.write("fg.txt", "Ana: I use the portal daily.\nBo: I never do.\n");
    study.cmd().arg("import").arg(&file).assert().success();
    study.cmd().args(["codes", "add", "Use"]).assert().success();
    study
        .cmd()
        .args(["code", "fg", "Use", "--match", "portal"])
        .assert()
        .success();
    let out = study
        .cmd()
        .args(["export", "excerpts", "-"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    assert!(lines.next().unwrap().starts_with("document,"), "{text}");
    assert!(lines.next().unwrap().ends_with(",portal"), "{text}");
    let out = study
        .cmd()
        .args(["export", "codebook", "-"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("code,"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// The methods paragraph after a single ICR round says one round, not "the codebook refined
/// between rounds" (there was no second round to refine it for).
#[test]
fn methods_text_after_one_round_claims_no_refinement() {
    let study = TempStudy::new();
    for name in ["a", "b"] {
        let file = study.write(
            &format!("{name}.txt"),
            format!("Ana: I use the portal daily in group {name}.\nBo: I never do.\n"),
        );
        study.cmd().arg("import").arg(&file).assert().success();
    }
    study.cmd().args(["codes", "add", "Use"]).assert().success();
    for coder in ["alex", "sam"] {
        for doc in ["a", "b"] {
            study
                .cmd_as(coder)
                .args(["code", doc, "Use", "--turn", "1"])
                .assert()
                .success();
        }
    }
    study
        .cmd()
        .args(["icr", "sample", "--share", "0.5", "--coders", "alex,sam"])
        .args(["--seed", "3"])
        .assert()
        .success();
    let out = study
        .cmd()
        .args(["agreement", "--methods-text"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("in one round"), "{text}");
    assert!(!text.contains("between rounds"), "{text}");
}
