//! Issue 11 scenarios end to end through the CLI: who and what is compared (done marks, the
//! default coders rule, a coder who found nothing), the reserved consensus coder, consensus as
//! the final dataset, ICR rounds, bootstrap intervals that never vanish, code-set coverage,
//! sentence units, disagreements at every unit and `resolve` snapping.
//!
//! Expected coefficients come from `scripts/agreement_workflow_expected.py` (scikit-learn 1.9.1
//! `cohen_kappa_score`, krippendorff 0.9.0 `alpha(level_of_measurement="nominal")`, statsmodels
//! 0.15.0 `fleiss_kappa`, irrCAC 0.4.4 `CAC.gwet()`, which rounds to 5 decimals).

mod common;

use common::TempStudy;
use predicates::str::contains;
use serde_json::Value;

const A: &str = "Ann: I message my nurse every week.\nBob: Dr. Smith said so. I agree with Ann.\nAnn: The portal is confusing and slow today, sadly.\nBob: I never use it.\n";
const B: &str = "Cat: Replies come fast.\nDan: Mine take days. No. 5 clinic is slow.\nCat: I call instead.\nDan: Me too.\n";

/// Documents A and B (four turns each); alex and sam code X on turns 1 and 3 of A; alex also
/// codes X on turn 2 of B, where sam coded nothing.
fn scenario() -> TempStudy {
    let s = TempStudy::new();
    let a = s.write("A.txt", A);
    let b = s.write("B.txt", B);
    s.cmd().arg("import").arg(&a).arg(&b).assert().success();
    s.cmd().args(["codes", "add", "X"]).assert().success();
    for coder in ["alex", "sam"] {
        for turn in ["1", "3"] {
            s.cmd_as(coder)
                .args(["code", "A", "X", "--turn", turn])
                .assert()
                .success();
        }
    }
    s.cmd()
        .args(["code", "B", "X", "--turn", "2"])
        .assert()
        .success();
    s
}

fn close(got: &Value, want: f64, tol: f64, what: &str) {
    let g = got.as_f64().unwrap_or(f64::NAN);
    assert!((g - want).abs() < tol, "{what}: thematic {g} vs {want}");
}

#[test]
fn a_coder_who_found_nothing_keeps_the_document_in() {
    let s = scenario();
    let r = s.json(&["agreement", "--format", "json"]);
    assert_eq!(r["documents"], serde_json::json!(["A", "B"]), "{r}");
    assert_eq!(r["comparison"]["rule"], "coded");
    assert!(
        r["comparison"]["documents_rule"]
            .as_str()
            .unwrap()
            .contains("counts as having found nothing")
    );
    assert_eq!(r["n_units"], 8);
    let x = &r["codes"][0];
    // scripts/agreement_workflow_expected.py, "both_documents".
    close(&x["cohen_kappa"], 0.7142857142857143, 1e-12, "kappa");
    close(&x["krippendorff_alpha"], 0.7272727272727273, 1e-12, "alpha");
    close(&x["fleiss_kappa"], 0.7090909090909091, 1e-12, "fleiss");
    close(&x["gwet_ac1"], 0.78082, 1e-5, "AC1");
    // The table states the rule, the coders and the documents.
    s.cmd()
        .arg("agreement")
        .assert()
        .success()
        .stdout(contains("Coders: alex, sam"))
        .stdout(contains("Documents (2): A, B"))
        .stdout(contains("found nothing"));
}

#[test]
fn done_marks_choose_the_documents_and_say_what_was_left_out() {
    let s = scenario();
    s.cmd().args(["done", "A"]).assert().success();
    s.cmd_as("sam").args(["done", "A"]).assert().success();
    s.cmd()
        .args(["docs"])
        .assert()
        .success()
        .stdout(contains("alex, sam"));
    let r = s.json(&["agreement", "--format", "json"]);
    assert_eq!(r["comparison"]["rule"], "done");
    assert_eq!(r["documents"], serde_json::json!(["A"]));
    let left = &r["comparison"]["left_out_documents"][0];
    assert_eq!(left["name"], "B");
    assert!(
        left["reason"].as_str().unwrap().contains("alex, sam"),
        "{left}"
    );
    // scripts/agreement_workflow_expected.py, "document_a_only".
    close(
        &r["codes"][0]["krippendorff_alpha"],
        1.0,
        1e-12,
        "alpha over A",
    );
    // Marking B done by both brings it in: sam's empty B now means "found nothing".
    s.cmd().args(["done", "B"]).assert().success();
    s.cmd_as("sam").args(["done", "B"]).assert().success();
    let r = s.json(&["agreement", "--format", "json"]);
    assert_eq!(r["documents"], serde_json::json!(["A", "B"]));
    close(
        &r["codes"][0]["krippendorff_alpha"],
        0.7272727272727273,
        1e-12,
        "alpha over A and B",
    );
    // Undoing a mark is one undoable action too.
    s.cmd_as("sam")
        .args(["done", "B", "--undo"])
        .assert()
        .success();
    let r = s.json(&["agreement", "--format", "json"]);
    assert_eq!(r["documents"], serde_json::json!(["A"]));
}

#[test]
fn a_stray_coder_is_left_out_by_default_and_named() {
    let s = scenario();
    // sam also codes in B, so alex and sam share both documents; "you" coded one turn of A.
    s.cmd_as("sam")
        .args(["code", "B", "X", "--turn", "4"])
        .assert()
        .success();
    s.cmd_as("you")
        .args(["code", "A", "X", "--turn", "2"])
        .assert()
        .success();
    let r = s.json(&["agreement", "--format", "json"]);
    assert_eq!(r["coders"], serde_json::json!(["alex", "sam"]), "{r}");
    let left = &r["comparison"]["left_out_coders"][0];
    assert_eq!(left["name"], "you");
    assert!(left["reason"].as_str().unwrap().contains("--coders"));
    // Named explicitly, the stray coder is compared, and says so.
    let r = s.json(&["agreement", "--coders", "alex,sam,you", "--format", "json"]);
    assert_eq!(r["coders"], serde_json::json!(["alex", "sam", "you"]));
    assert!(
        r["report"]["cohen_kappa_is"]
            .as_str()
            .unwrap()
            .contains("mean of Cohen's kappa over all 3 coder pairs")
    );
}

#[test]
fn consensus_is_reserved_in_csv_imports() {
    let s = scenario();
    let before = s.fingerprint();
    let csv = s.write(
        "codings.csv",
        "document,coder,code,start,end\nA,alex,X,5,10\nA,Consensus,X,5,35\n",
    );
    s.cmd()
        .arg("import-codings")
        .arg(&csv)
        .assert()
        .failure()
        .stderr(contains("codings.csv:3"))
        .stderr(contains("reserved"));
    assert_eq!(before, s.fingerprint(), "a refused import changes nothing");
    // --done marks each document a coder has rows for.
    let csv = s.write("ok.csv", "document,coder,code,start,end\nB,kim,X,0,3\n");
    s.cmd()
        .arg("import-codings")
        .arg(&csv)
        .arg("--done")
        .assert()
        .success()
        .stdout(contains("marked done: 1"));
    let docs = s.json(&["docs", "--format", "json"]);
    assert_eq!(docs[1]["done_by"], serde_json::json!(["kim"]));
}

#[test]
fn consensus_carries_agreed_units_and_stays_out_of_pooled_counts() {
    let s = scenario();
    let list = s.json(&["disagreements", "--format", "json"]);
    let items = list.as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(items[0]["document"], "B");
    s.cmd()
        .args(["resolve", "B", "--code", "X", "--range"])
        .arg(format!("{}:{}", items[0]["start"], items[0]["end"]))
        .args(["--accept", "neither"])
        .assert()
        .success()
        .stdout(contains("2 agreed unit(s) carried"));
    // The final dataset: the two agreed turns of A, nothing in B.
    let out = s.dir.path().join("final.json");
    s.cmd()
        .args(["export", "excerpts"])
        .arg(&out)
        .args(["--by", "consensus"])
        .assert()
        .success();
    let rows: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let text = rows.to_string();
    assert!(text.contains("I message my nurse every week."), "{text}");
    assert!(text.contains("The portal is confusing"), "{text}");
    assert!(!text.contains("Mine take days"), "{text}");
    // Pooled frequencies count alex and sam (5 codings), never consensus on top.
    let out = common::thematic(&s.dir, &s.path)
        .arg("--project")
        .arg(&s.path)
        .args(["frequencies", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let f: Value = serde_json::from_slice(&out.stdout).unwrap();
    let x = f["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"] == "X")
        .unwrap()
        .clone();
    assert_eq!(x["codings"], 5, "{f}");
    // A coder later removing an agreed coding: the carried unit goes at the next sync.
    s.cmd_as("sam")
        .args(["uncode", "A", "X", "--turn", "3"])
        .assert()
        .success();
    s.cmd()
        .args(["consensus"])
        .assert()
        .success()
        .stdout(contains("1 removed"));
}

#[test]
fn code_set_category_sums_a_codes_codings() {
    let s = scenario();
    s.cmd().args(["codes", "add", "S/P"]).assert().success();
    s.cmd().args(["codes", "add", "S/Q"]).assert().success();
    // Turn 3 of A is 83:129. alex: two 8-character codings of P, one 10-character coding of Q;
    // sam: P. Summed, P covers 16 characters of alex's turn and wins.
    for (code, range) in [("S/P", "83:91"), ("S/P", "95:103"), ("S/Q", "110:120")] {
        s.cmd()
            .args(["code", "A", code, "--range", range])
            .assert()
            .success();
    }
    s.cmd_as("sam")
        .args(["code", "A", "S/P", "--range", "83:129"])
        .assert()
        .success();
    let r = s.json(&["agreement", "--codes", "S", "--format", "json"]);
    close(
        &r["overall"]["percent_agreement"],
        1.0,
        1e-12,
        "set agreement",
    );
    assert!(
        r["notes"].as_array().unwrap().iter().any(|n| n
            .as_str()
            .unwrap()
            .contains("summed over that code's codings")),
        "{r}"
    );
}

#[test]
fn sentences_keep_abbreviations_and_the_rule_is_documented() {
    let s = scenario();
    // A: 1 + 2 ("Dr. Smith said so." | "I agree with Ann.") + 1 + 1; B: 1 + 2 ("Mine take
    // days." | "No. 5 clinic is slow.") + 1 + 1.
    let r = s.json(&["agreement", "--unit", "sentence", "--format", "json"]);
    assert_eq!(r["n_units"], 10, "{r}");
    s.cmd()
        .args(["help", "agreement"])
        .assert()
        .success()
        .stdout(contains("Dr. Smith said so."));
}

#[test]
fn intervals_are_there_or_null_with_a_reason_for_every_seed() {
    let s = scenario();
    for seed in 1..=10 {
        let r = s.json(&[
            "agreement",
            "--ci",
            "--iterations",
            "200",
            "--seed",
            &seed.to_string(),
            "--format",
            "json",
        ]);
        assert_eq!(r["report"]["ci"]["iterations"], 200);
        assert_eq!(r["report"]["ci"]["seed"], seed);
        let x = &r["codes"][0];
        for key in [
            "percent_agreement_ci",
            "cohen_kappa_ci",
            "fleiss_kappa_ci",
            "krippendorff_alpha_ci",
            "gwet_ac1_ci",
        ] {
            let v = x
                .get(key)
                .unwrap_or_else(|| panic!("seed {seed}: {key} missing: {x}"));
            if v.is_null() {
                assert!(
                    r["notes"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|n| n.as_str().unwrap().contains("no 95% interval")),
                    "seed {seed}: {key} null without a reason"
                );
            } else {
                assert!(v[0].as_f64().unwrap() <= v[1].as_f64().unwrap());
            }
        }
    }
    let span = s.json(&["agreement", "--unit", "span", "--ci", "--format", "json"]);
    assert!(span["codes"][0]["u_alpha_ci"].is_null(), "{span}");
}

#[test]
fn disagreements_at_every_unit_and_resolve_snaps() {
    let s = scenario();
    for unit in ["sentence", "char", "span"] {
        let list = s.json(&["disagreements", "--unit", unit, "--format", "json"]);
        let d = &list[0];
        assert_eq!(d["document"], "B", "{unit}: {list}");
        let expected = if unit == "sentence" {
            "Mine take days."
        } else {
            "Mine take days. No. 5 clinic is slow."
        };
        assert_eq!(d["text"], expected, "{unit}");
        assert_eq!(
            list.as_array().unwrap().len(),
            if unit == "sentence" { 2 } else { 1 }
        );
    }
    // A range inside turn 2 of B (29:66) snaps to the turn and says so.
    s.cmd()
        .args([
            "resolve", "B", "--code", "X", "--range", "30:40", "--accept", "alex",
        ])
        .assert()
        .success()
        .stdout(contains("inside the turn 29:66"));
    // A range across two turns is refused.
    s.cmd()
        .args([
            "resolve", "A", "--code", "X", "--range", "5:50", "--accept", "alex",
        ])
        .assert()
        .failure()
        .stderr(contains("spans 2 turns"));
}

#[test]
fn icr_rounds_sample_freeze_and_diff_the_codebook() {
    let s = scenario();
    let sample = |seed: &str| {
        s.cmd()
            .args([
                "icr", "sample", "--share", "0.5", "--coders", "alex,sam", "--seed", seed,
            ])
            .assert()
            .success();
        let rounds = s.json(&["icr", "rounds", "--format", "json"]);
        rounds.as_array().unwrap().last().unwrap().clone()
    };
    let first = sample("4");
    assert_eq!(first["sampled_documents"], 1);
    s.cmd_as("sam")
        .args(["icr", "assigned"])
        .assert()
        .success()
        .stdout(contains("ICR round 1"));
    // A second sample while the round is open is refused.
    s.cmd()
        .args([
            "icr", "sample", "--share", "0.5", "--coders", "alex,sam", "--seed", "4",
        ])
        .assert()
        .failure()
        .stderr(contains("still open"));
    s.cmd().args(["icr", "end"]).assert().success();
    s.cmd()
        .args([
            "codes",
            "describe",
            "X",
            "--definition",
            "Any use of messaging",
        ])
        .assert()
        .success();
    let second = sample("4");
    let rounds = s.json(&["icr", "rounds", "--format", "json"]);
    let r1 = &rounds[0];
    assert!(r1["ended_at"].is_string());
    assert!(r1["units"].as_u64().unwrap() == 4, "{r1}");
    assert!(r1["codes"][0]["krippendorff_alpha"].is_number());
    assert_eq!(second["round"], 2);
    assert!(
        second["codebook_changes"][0]
            .as_str()
            .unwrap()
            .contains("redefined X"),
        "{second}"
    );
    // Same seed, same share: the same draw (reproducible).
    assert_eq!(first["sampled_documents"], second["sampled_documents"]);
    let report = s.json(&["agreement", "--format", "json"]);
    assert_eq!(report["report"]["rounds"].as_array().unwrap().len(), 2);
}

#[test]
fn methods_text_names_the_figures_and_citations() {
    let s = scenario();
    let out = s
        .cmd()
        .args(["agreement", "--methods-text", "--ci", "--iterations", "100"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "2 coders (alex and sam)",
        "2 of 2 transcripts",
        "8 of 8 speaker turns",
        "Krippendorff's alpha",
        "Gwet, 2008",
        "100 resamples",
        "Krippendorff, K. (2004)",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
}

#[test]
fn the_report_states_the_comparison_and_the_rounds() {
    let s = scenario();
    s.cmd_as("you")
        .args(["code", "A", "X", "--turn", "2"])
        .assert()
        .success();
    s.cmd()
        .args([
            "icr", "sample", "--share", "1", "--coders", "alex,sam", "--seed", "1",
        ])
        .assert()
        .success();
    let out = s.dir.path().join("r.html");
    s.cmd()
        .arg("report")
        .arg(&out)
        .args(["--coders", "alex,you"])
        .assert()
        .success();
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(
        html.contains("Coders alex, you (named with --coders)"),
        "coders named"
    );
    assert!(
        html.contains("Inter-coder reliability rounds"),
        "ICR section"
    );
    assert!(
        html.contains("Gwet&#39;s AC1: reported beside"),
        "why each coefficient"
    );
    // An impossible choice says why instead of dropping the section.
    s.cmd()
        .arg("report")
        .arg(&out)
        .args(["--coders", "alex,ghost"])
        .assert()
        .success();
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(
        html.contains("No agreement figures: coder &#39;ghost&#39;"),
        "reason shown"
    );
}

#[test]
fn methods_text_claims_a_consensus_only_when_one_exists() {
    let s = scenario();
    let text = |s: &TempStudy| {
        let out = s
            .cmd()
            .args(["agreement", "--methods-text"])
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let before = text(&s);
    assert!(before.contains("have not yet been resolved"), "{before}");
    assert!(
        !before.contains("resolved into a consensus coding used"),
        "{before}"
    );
    s.cmd().arg("consensus").assert().success();
    let after = text(&s);
    assert!(
        after.contains("resolved into a consensus coding used for the analysis"),
        "{after}"
    );
}
