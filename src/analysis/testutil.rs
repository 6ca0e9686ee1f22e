//! A small, hand-checkable study for the analysis tests (unit, CLI and report tests).
//!
//! Participants P1–P4 are female, P5–P6 male; M is the moderator (role moderator) in every
//! group. FG1 and FG2 are `all-female`, FG3 `all-male`.
//!
//! FG1: t0 M, t1 P1 "The cost of the visit is too high for me.", t2 P2, t3 P1
//! FG2: t0 M, t1 P3, t2 P4
//! FG3: t0 M, t1 P5, t2 P6
//!
//! Codings (coder, code, where):
//!  1 alex Access/Cost      FG1 t1 (P1)
//!  2 sam  Access/Cost      FG1 t1 (P1)
//!  3 alex Access/Cost      FG2 t1 (P3)
//!  4 alex Access/Distance  FG1 t2..t3 (one coding over P2's and P1's turns)
//!  5 alex Access/Distance  FG3 t1 (P5)
//!  6 alex Trust            FG2 t0 (the moderator)
//!  7 alex Emotion/Worry    FG1 t1, "too high for me" only (inside coding 1)
//!  8 alex Emotion/Worry    FG3 t2 (P6)
//!  9 alex Trust            FG1 t3 (P1; inside coding 4)

use crate::error::Result;
use crate::import::study::insert_transcript;
use crate::import::{Format, ParsedTranscript, ParsedTurn};
use crate::study::Study;
use crate::study::history::Recorder;
use crate::study::participants::{
    Scope, ensure_attribute, ensure_participant, map_speaker, set_document_value,
    set_participant_value,
};

pub struct Ids {
    pub alex: i64,
    pub sam: i64,
    pub docs: Vec<i64>,
    /// Turn ranges per document.
    pub turns: Vec<Vec<(i64, i64)>>,
}

/// Inserts a transcript made of (speaker, text) turns, one per line; returns its id and turns.
pub fn add_doc(
    rec: &mut Recorder,
    name: &str,
    turns: &[(&str, &str)],
) -> Result<(i64, Vec<(i64, i64)>)> {
    let mut text = String::new();
    let mut parsed = Vec::new();
    let mut ranges = Vec::new();
    for (speaker, said) in turns {
        let start = text.chars().count();
        text.push_str(said);
        let end = text.chars().count();
        text.push('\n');
        parsed.push(ParsedTurn {
            speaker: Some(speaker.to_string()),
            start,
            end,
            start_ms: None,
            end_ms: None,
        });
        ranges.push((start as i64, end as i64));
    }
    let t = ParsedTranscript {
        format: Format::Text,
        text,
        turns: parsed,
        notes: vec![],
    };
    insert_transcript(rec, name, &format!("{name}.txt"), &t)?
        .map_err(|e| crate::invalid!("{e}"))?;
    let id = rec
        .tx
        .query_row("SELECT id FROM documents WHERE name = ?1", [name], |r| {
            r.get(0)
        })?;
    Ok((id, ranges))
}

fn code_id(study: &mut Study, path: &str) -> Result<i64> {
    Ok(study
        .change(None, "codes.add", &format!("add code {path}"), |rec| {
            crate::codebook::edit::ensure_path(rec, path)
        })?
        .0)
}

/// The seed study in a temporary directory (unit tests).
#[cfg(test)]
pub fn seed() -> (tempfile::TempDir, Study, Ids) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seed.thematic");
    let (study, ids) = build(&path).unwrap();
    (dir, study, ids)
}

/// Builds the seed study at `path` (which must not exist).
pub fn build(path: &std::path::Path) -> Result<(Study, Ids)> {
    let mut study = Study::create(path)?;
    let alex = study.ensure_coder("alex")?.id;
    let sam = study.ensure_coder("sam")?.id;
    type Group<'a> = (&'a str, &'a str, [(&'a str, &'a str); 4]);
    let groups: [Group; 3] = [
        (
            "FG1",
            "all-female",
            [
                (
                    "M",
                    "Welcome everyone. What gets in the way of seeing a doctor?",
                ),
                ("P1", "The cost of the visit is too high for me."),
                ("P2", "For me the clinic is far away, an hour by bus."),
                ("P1", "Yes and the bus fare costs money too."),
            ],
        ),
        (
            "FG2",
            "all-female",
            [
                ("M", "Do you trust your doctor?"),
                ("P3", "Paying for parking is expensive."),
                ("P4", "I trust my nurse more than the doctor."),
                ("", ""),
            ],
        ),
        (
            "FG3",
            "all-male",
            [
                ("M", "Tell me about getting to the clinic."),
                ("P5", "The distance is the main problem for us."),
                ("P6", "I never go unless I must, I worry about it."),
                ("", ""),
            ],
        ),
    ];
    let (docs, turns) = study.change(Some(alex), "import", "import", |rec| {
        let gender = ensure_attribute(rec, Scope::Participant, "gender", "text")?;
        let composition = ensure_attribute(rec, Scope::Document, "composition", "text")?;
        let mut docs = Vec::new();
        let mut all_turns = Vec::new();
        for (name, comp, turns) in &groups {
            let turns: Vec<(&str, &str)> = turns
                .iter()
                .copied()
                .filter(|(s, _)| !s.is_empty())
                .collect();
            let (doc, ranges) = add_doc(rec, name, &turns)?;
            set_document_value(rec, doc, composition, comp)?;
            for (speaker, _) in &turns {
                let moderator = *speaker == "M";
                let p = ensure_participant(
                    rec,
                    speaker,
                    Some(if moderator {
                        "moderator"
                    } else {
                        "participant"
                    }),
                )?;
                let g = match *speaker {
                    "P5" | "P6" => "male",
                    _ => "female",
                };
                set_participant_value(rec, p, gender, g)?;
                map_speaker(rec, doc, speaker, p)?;
            }
            docs.push(doc);
            all_turns.push(ranges);
        }
        Ok((docs, all_turns))
    })?;
    let cost = code_id(&mut study, "Access/Cost")?;
    let distance = code_id(&mut study, "Access/Distance")?;
    let trust = code_id(&mut study, "Trust")?;
    let worry = code_id(&mut study, "Emotion/Worry")?;
    let t = &turns;
    // "too high for me" inside FG1 t1 "The cost of the visit is too high for me."
    let th = t[0][1].0 + 25;
    let codings = [
        (alex, cost, docs[0], t[0][1].0, t[0][1].1),
        (sam, cost, docs[0], t[0][1].0, t[0][1].1),
        (alex, cost, docs[1], t[1][1].0, t[1][1].1),
        (alex, distance, docs[0], t[0][2].0, t[0][3].1),
        (alex, distance, docs[2], t[2][1].0, t[2][1].1),
        (alex, trust, docs[1], t[1][0].0, t[1][0].1),
        (alex, worry, docs[0], th, th + 15),
        (alex, worry, docs[2], t[2][2].0, t[2][2].1),
        (alex, trust, docs[0], t[0][3].0, t[0][3].1),
    ];
    for (coder, code, doc, start, end) in codings {
        study.change(Some(coder), "code", "code", |rec| {
            crate::coding::add(rec, doc, code, coder, start, end)
        })?;
    }
    Ok((
        study,
        Ids {
            alex,
            sam,
            docs,
            turns,
        },
    ))
}
