//! Code frequencies: codings, documents and participants per code, a parent's figures rolled
//! up over its subcodes (distinct documents and participants, so a participant who spoke to
//! two subcodes counts once for the theme).

use super::matrix::{Counts, Grouping, MatrixOptions, matrix};
use crate::error::Result;
use rusqlite::Connection;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrequencyRow {
    pub code_id: i64,
    pub path: String,
    pub name: String,
    pub depth: usize,
    pub has_children: bool,
    pub colour: String,
    pub codings: u64,
    pub documents: u64,
    pub participants: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Frequencies {
    pub coder: Option<i64>,
    pub include_moderators: bool,
    /// The study's documents and participants (the denominators).
    pub documents: u64,
    pub participants: u64,
    /// Coded with any code.
    pub any_code: Counts,
    pub rows: Vec<FrequencyRow>,
}

pub fn frequencies(
    conn: &Connection,
    coder: Option<i64>,
    include_moderators: bool,
) -> Result<Frequencies> {
    let m = matrix(
        conn,
        &MatrixOptions {
            coder,
            by: Grouping::None,
            include_moderators,
        },
    )?;
    Ok(Frequencies {
        coder,
        include_moderators,
        documents: m.study.documents,
        participants: m.study.participants,
        any_code: m.any_code,
        rows: m
            .rows
            .into_iter()
            .map(|r| FrequencyRow {
                code_id: r.code_id,
                path: r.path,
                name: r.name,
                depth: r.depth,
                has_children: r.has_children,
                colour: r.colour,
                codings: r.total.codings,
                documents: r.total.documents,
                participants: r.total.participants,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::matrix::{Grouping, MatrixOptions, Measure, matrix};
    use super::super::testutil::seed;
    use super::*;

    fn row<'a>(f: &'a Frequencies, path: &str) -> &'a FrequencyRow {
        f.rows.iter().find(|r| r.path == path).unwrap()
    }

    #[test]
    fn counts_roll_up_to_themes() {
        let (_dir, study, ids) = seed();
        let f = frequencies(study.conn(), None, false).unwrap();
        // Hand count (see testutil::seed): Access/Cost has 3 codings (alex FG1 P1, alex FG2
        // P3, sam FG1 P1) → 2 documents, 2 participants (P1, P3).
        let cost = row(&f, "Access/Cost");
        assert_eq!((cost.codings, cost.documents, cost.participants), (3, 2, 2));
        // Access/Distance: 2 codings, alex on FG1 across P2's turn and P1's second turn, and
        // alex on FG3 P5 → 2 documents, participants P1, P2, P5 = 3.
        let dist = row(&f, "Access/Distance");
        assert_eq!((dist.codings, dist.documents, dist.participants), (2, 2, 3));
        // Access = Cost ∪ Distance: 5 codings, documents FG1 FG2 FG3 = 3, participants
        // P1 P2 P3 P5 = 4 (P1 is counted once though coded under both subcodes).
        let access = row(&f, "Access");
        assert!(access.has_children);
        assert_eq!(
            (access.codings, access.documents, access.participants),
            (5, 3, 4)
        );
        // Trust: the moderator's turn in FG2 and P1's turn in FG1 → 2 codings, 2 documents,
        // 1 participant (moderators are not counted)…
        let trust = row(&f, "Trust");
        assert_eq!(
            (trust.codings, trust.documents, trust.participants),
            (2, 2, 1)
        );
        // …unless asked for.
        let with_mod = frequencies(study.conn(), None, true).unwrap();
        assert_eq!(row(&with_mod, "Trust").participants, 2);
        // Study: 3 documents; participants P1..P6 (moderator M excluded) = 6.
        assert_eq!((f.documents, f.participants), (3, 6));
        assert_eq!(f.any_code.codings, 9);
        // One coder: sam has only the Cost coding.
        let sam = frequencies(study.conn(), Some(ids.sam), false).unwrap();
        assert_eq!(row(&sam, "Access").codings, 1);
        assert_eq!(row(&sam, "Access/Distance").codings, 0);
    }

    #[test]
    fn matrix_by_participant_attribute() {
        let (_dir, study, _) = seed();
        let conn = study.conn();
        let by = Grouping::parse(conn, "gender").unwrap();
        let m = matrix(
            conn,
            &MatrixOptions {
                by,
                ..Default::default()
            },
        )
        .unwrap();
        let labels: Vec<&str> = m.columns.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, ["female", "male"]);
        // female: P1 P2 P3 P4; male: P5 P6.
        assert_eq!(m.columns[0].participants, 4);
        assert_eq!(m.columns[1].participants, 2);
        let access = m.rows.iter().find(|r| r.path == "Access").unwrap();
        // Access participants: female P1 P2 P3 = 3, male P5 = 1.
        assert_eq!(access.cells[0].participants, 3);
        assert_eq!(access.cells[1].participants, 1);
        // Codings: female side has the 3 Cost codings and the FG1 Distance coding (one
        // coding, though it spans P1 and P2) = 4; male has the FG3 Distance coding = 1.
        assert_eq!(access.cells[0].codings, 4);
        assert_eq!(access.cells[1].codings, 1);
        let pct = m
            .percent(&access.cells[0], Some(0), Measure::Participants)
            .unwrap();
        assert!((pct - 75.0).abs() < 1e-9);
    }

    #[test]
    fn matrix_by_document_attribute_and_document() {
        let (_dir, study, _) = seed();
        let conn = study.conn();
        let by = Grouping::parse(conn, "composition").unwrap();
        let m = matrix(
            conn,
            &MatrixOptions {
                by,
                ..Default::default()
            },
        )
        .unwrap();
        let labels: Vec<&str> = m.columns.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, ["all-female", "all-male"]);
        // all-female = FG1, FG2: documents 2, participants P1..P4 = 4.
        assert_eq!((m.columns[0].documents, m.columns[0].participants), (2, 4));
        let access = m.rows.iter().find(|r| r.path == "Access").unwrap();
        assert_eq!(
            access.cells[0],
            Counts {
                codings: 4,
                documents: 2,
                participants: 3
            }
        );
        assert_eq!(
            access.cells[1],
            Counts {
                codings: 1,
                documents: 1,
                participants: 1
            }
        );
        let by_doc = matrix(
            conn,
            &MatrixOptions {
                by: Grouping::Document,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(by_doc.columns.len(), 3);
        let access = by_doc.rows.iter().find(|r| r.path == "Access").unwrap();
        // FG1: Cost×2 (alex, sam) + Distance = 3 codings, participants P1 P2.
        assert_eq!(access.cells[0].codings, 3);
        assert_eq!(access.cells[0].participants, 2);
        let by_speaker = matrix(
            conn,
            &MatrixOptions {
                by: Grouping::Speaker,
                ..Default::default()
            },
        )
        .unwrap();
        let p1 = by_speaker
            .columns
            .iter()
            .position(|c| c.label == "P1")
            .unwrap();
        let access = by_speaker.rows.iter().find(|r| r.path == "Access").unwrap();
        // P1: Cost (alex), Cost (sam), Distance (spans P1's second turn) = 3.
        assert_eq!(access.cells[p1].codings, 3);
    }
}
