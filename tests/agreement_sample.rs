//! Agreement on the demo study (turn and character units, and a code set), checked against
//! figures computed independently by
//! `scripts/agreement_sample_expected.py` (Python sqlite3 + scikit-learn 1.9.1 `cohen_kappa_score`,
//! krippendorff 0.9.0 `alpha(level_of_measurement="nominal")`, statsmodels 0.15.0 `fleiss_kappa`,
//! irrCAC 0.4.4 `CAC.gwet()`), stored in `tests/data/agreement_sample_expected.json`.
//! Also: the disagreement review walks to consensus without touching the original codings.

use assert_cmd::Command;
use predicates::str::contains;
use serde_json::Value;

struct Demo {
    dir: tempfile::TempDir,
}

impl Demo {
    fn new() -> Demo {
        let dir = tempfile::tempdir().unwrap();
        let d = Demo { dir };
        d.cmd().arg("demo").assert().success();
        d
    }

    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("thematic").unwrap();
        c.env("THEMATIC_DATA_DIR", self.dir.path())
            .env_remove("THEMATIC_PROJECT")
            .args(["--coder", "reviewer"]);
        c
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.cmd().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

fn close(got: &Value, want: &Value, what: &str) {
    let (g, w) = (got.as_f64().unwrap_or(f64::NAN), want.as_f64().unwrap());
    assert!(
        (g - w).abs() < 1e-9,
        "{what}: thematic {g} vs independent {w}"
    );
}

#[test]
fn per_code_and_code_set_agreement_match_independent_packages() {
    let demo = Demo::new();
    let expected: Value =
        serde_json::from_str(include_str!("data/agreement_sample_expected.json")).unwrap();
    let got = demo.json(&["agreement", "--format", "json"]);
    assert_eq!(got["unit"], "turn");
    assert_eq!(got["coders"], serde_json::json!(["alex", "sam"]));
    assert_eq!(got["n_units"], 627);
    let codes = got["codes"].as_array().unwrap();
    let want = expected["codes"].as_object().unwrap();
    assert_eq!(codes.len(), want.len());
    for c in codes {
        let name = c["code"].as_str().unwrap();
        for key in [
            "cohen_kappa",
            "krippendorff_alpha",
            "fleiss_kappa",
            "gwet_ac1",
        ] {
            close(&c[key], &want[name][key], &format!("{name} {key}"));
        }
    }
    let set = demo.json(&[
        "agreement",
        "--codes",
        "Patients need guidance",
        "--format",
        "json",
    ]);
    for key in [
        "cohen_kappa",
        "krippendorff_alpha",
        "fleiss_kappa",
        "gwet_ac1",
    ] {
        close(
            &set["overall"][key],
            &expected["set"][key],
            &format!("set {key}"),
        );
    }
    assert_eq!(
        set["pairs"][0]["coders"],
        serde_json::json!(["alex", "sam"])
    );
}

#[test]
fn character_units_match_independent_packages() {
    let demo = Demo::new();
    let expected: Value =
        serde_json::from_str(include_str!("data/agreement_sample_expected.json")).unwrap();
    let got = demo.json(&["agreement", "--unit", "char", "--format", "json"]);
    let want = expected["char_codes"].as_object().unwrap();
    let codes = got["codes"].as_array().unwrap();
    assert_eq!(codes.len(), want.len());
    for c in codes {
        let name = c["code"].as_str().unwrap();
        assert_eq!(c["n_units"], want[name]["n_units"], "{name}");
        for key in ["cohen_kappa", "krippendorff_alpha"] {
            close(&c[key], &want[name][key], &format!("char {name} {key}"));
        }
    }
}

#[test]
fn every_unit_gives_figures() {
    let demo = Demo::new();
    for unit in ["turn", "sentence", "char"] {
        let r = demo.json(&[
            "agreement",
            "--unit",
            unit,
            "--codes",
            "Patients need guidance",
            "--format",
            "json",
        ]);
        assert!(
            r["overall"]["krippendorff_alpha"].as_f64().is_some(),
            "{unit}: {r}"
        );
        // With a code set, the per-code rows are the set's codes (only what is printed is built).
        assert_eq!(r["codes"].as_array().unwrap().len(), 4, "{unit}: {r}");
    }
    let span = demo.json(&[
        "agreement",
        "--unit",
        "span",
        "--codes",
        "Patients need guidance",
        "--format",
        "json",
    ]);
    for key in ["u_alpha", "binary_u_alpha", "cu_alpha"] {
        assert!(span["overall"][key].as_f64().is_some(), "{key}: {span}");
    }
    assert!(span["codes"][0]["u_alpha"].is_number() || span["codes"][0]["u_alpha"].is_null());
    assert!(
        span["codes"][0].get("cohen_kappa").is_none(),
        "kappa does not apply to spans"
    );
    let ci = demo.json(&[
        "agreement",
        "--ci",
        "--iterations",
        "200",
        "--format",
        "json",
    ]);
    let interval = ci["codes"][1]["krippendorff_alpha_ci"].as_array().unwrap();
    assert!(interval[0].as_f64().unwrap() <= interval[1].as_f64().unwrap());
    let again = demo.json(&[
        "agreement",
        "--ci",
        "--iterations",
        "200",
        "--format",
        "json",
    ]);
    assert_eq!(ci, again, "the bootstrap is seeded");
}

#[test]
fn undefined_values_are_null_with_a_note() {
    let demo = Demo::new();
    // A code only one coder ever used in one document: alpha is still defined; but a code set of
    // one never-used code is not.
    demo.cmd()
        .args(["codes", "add", "Unused/Never"])
        .assert()
        .success();
    demo.cmd()
        .args(["codes", "add", "Unused/Also never"])
        .assert()
        .success();
    let r = demo.json(&["agreement", "--codes", "Unused", "--format", "json"]);
    assert!(r["overall"]["krippendorff_alpha"].is_null(), "{r}");
    let notes = r["notes"].as_array().unwrap();
    assert!(notes.iter().any(|n| {
        n.as_str()
            .unwrap()
            .contains("overall: Krippendorff's alpha undefined")
    }));
}

#[test]
fn disagreements_walk_to_consensus() {
    let demo = Demo::new();
    let list = demo.json(&[
        "disagreements",
        "--code",
        "Portal navigation",
        "--format",
        "json",
    ]);
    let items = list.as_array().unwrap();
    assert!(!items.is_empty());
    let before_alpha = demo.json(&["agreement", "--format", "json"]);
    for d in items {
        let accept = if d["versions"][0]["applied"].as_bool().unwrap() {
            "alex"
        } else {
            "neither"
        };
        let range = format!("{}:{}", d["start"], d["end"]);
        demo.cmd()
            .args([
                "resolve",
                d["document"].as_str().unwrap(),
                "--code",
                "Portal navigation",
                "--range",
                &range,
                "--accept",
                accept,
            ])
            .assert()
            .success()
            .stdout(contains("consensus"));
    }
    let left = demo.json(&[
        "disagreements",
        "--code",
        "Portal navigation",
        "--format",
        "json",
    ]);
    assert!(left.as_array().unwrap().is_empty(), "{left}");
    // The originals stay; consensus is not one of the compared coders by default.
    assert_eq!(before_alpha, demo.json(&["agreement", "--format", "json"]));
    // Consensus holds alex's spans where alex was accepted and nothing where neither was; every
    // other Portal navigation coding in it is an agreed unit carried automatically (inside a
    // turn both coders coded), so the final dataset is complete.
    let mut accepted_spans = Vec::new();
    for d in items
        .iter()
        .filter(|d| d["versions"][0]["applied"].as_bool().unwrap())
    {
        for s in d["versions"][0]["spans"].as_array().unwrap() {
            accepted_spans.push((
                d["document"].as_str().unwrap().to_string(),
                s[0].as_i64().unwrap(),
                s[1].as_i64().unwrap(),
            ));
        }
    }
    assert!(!accepted_spans.is_empty());
    let mut consensus = Vec::new();
    for doc in ["FG1", "FG2", "FG3", "FG4", "FG5"] {
        let shown = demo.json(&["show", doc, "--format", "json"]);
        for c in shown["codings"].as_array().unwrap() {
            if c["coder"] == "consensus"
                && c["code"].as_str().unwrap().ends_with("Portal navigation")
            {
                consensus.push((
                    doc.to_string(),
                    c["start"].as_i64().unwrap(),
                    c["end"].as_i64().unwrap(),
                ));
            }
        }
    }
    for s in &accepted_spans {
        assert!(
            consensus.contains(s),
            "accepted span {s:?} missing from consensus"
        );
    }
    for d in items
        .iter()
        .filter(|d| !d["versions"][0]["applied"].as_bool().unwrap())
    {
        let (doc, a, b) = (
            d["document"].as_str().unwrap(),
            d["start"].as_i64().unwrap(),
            d["end"].as_i64().unwrap(),
        );
        assert!(
            !consensus.iter().any(|c| c.0 == doc && c.1 < b && a < c.2),
            "'neither' unit {doc} {a}:{b} has a consensus coding"
        );
    }
    assert!(
        consensus.len() > accepted_spans.len(),
        "agreed units are carried"
    );
    // Undo brings a disagreement back.
    demo.cmd().arg("undo").assert().success();
    let back = demo.json(&[
        "disagreements",
        "--code",
        "Portal navigation",
        "--format",
        "json",
    ]);
    assert_eq!(back.as_array().unwrap().len(), 1);
}
