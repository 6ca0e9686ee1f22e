//! Inter-coder reliability rounds (O'Connor & Joffe 2020): draw a share of the study for
//! double-coding, snapshot the codebook, code blind, compare, refine the codebook, repeat.
//! A round starts with `thematic icr sample` (the sample and a codebook version are recorded
//! in one action) and ends with `thematic icr end` (the figures are frozen in the round).

use super::SplitMix64;
use super::report::{self, AgreementReport, Options, Uncoded};
use super::scope;
use super::units::{Comparison, UnitKind};
use crate::error::Result;
use crate::study::Study;
use crate::study::history::Recorder;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Bootstrap resamples for a round's frozen intervals (seeded with the round's seed).
pub const ROUND_ITERATIONS: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SampleBy {
    Document,
    Turn,
}

impl SampleBy {
    fn name(self) -> &'static str {
        match self {
            SampleBy::Document => "document",
            SampleBy::Turn => "turn",
        }
    }
}

pub struct SampleRequest<'a> {
    pub share: f64,
    pub coders: &'a [String],
    pub by: SampleBy,
    /// A document attribute (e.g. composition, or the focus group itself with `document`).
    pub stratify: Option<&'a str>,
    pub seed: u64,
}

/// A round in brief, for listings and the report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RoundBrief {
    pub round: i64,
    pub coders: Vec<String>,
    pub sample_by: String,
    pub share: f64,
    pub seed: u64,
    pub stratify: Option<String>,
    pub started_at: String,
    /// The codebook version recorded when the round started.
    pub codebook_version: String,
    pub ended_at: Option<String>,
    /// Documents and units drawn.
    pub sampled_documents: usize,
    pub sampled_turns: usize,
    /// Frozen at the end of the round: the units compared and each code's alpha (with CI).
    pub units: Option<usize>,
    pub share_of_study: Option<f64>,
    pub mean_alpha: Option<f64>,
    pub codes: Vec<RoundCode>,
    /// Changes to the codebook since the previous round started.
    pub codebook_changes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RoundCode {
    pub code: String,
    pub krippendorff_alpha: Option<f64>,
    pub krippendorff_alpha_ci: Option<[f64; 2]>,
    pub cohen_kappa: Option<f64>,
    pub gwet_ac1: Option<f64>,
}

fn version_name(seq: i64) -> String {
    format!("ICR round {seq}")
}

/// The open round (started, not ended), if any: (id, seq).
pub fn open_round(conn: &Connection) -> Result<Option<(i64, i64)>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, seq FROM icr_rounds WHERE ended_at IS NULL ORDER BY seq DESC LIMIT 1",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Draws the sample and starts a round: one undoable action. Returns the round's number and
/// what was drawn (documents, turns).
pub fn sample(study: &mut Study, coder: i64, req: &SampleRequest) -> Result<(i64, usize, usize)> {
    let conn = study.conn();
    if !(req.share > 0.0 && req.share <= 1.0) {
        return Err(crate::invalid!(
            "--share must be above 0 and at most 1 (e.g. 0.2 for 20%); got {}",
            req.share
        ));
    }
    if let Some((_, seq)) = open_round(conn)? {
        return Err(crate::invalid!(
            "ICR round {seq} is still open; end it with `thematic icr end` before drawing the next sample"
        ));
    }
    let mut coders = Vec::new();
    for name in req.coders {
        let c = study
            .coder_by_name(name)?
            .ok_or_else(|| crate::not_found!("no coder named '{name}'"))?;
        if c.is_consensus {
            return Err(crate::invalid!(
                "'{name}' is the consensus coder; an ICR round samples for independent coders"
            ));
        }
        if !coders.contains(&c.name) {
            coders.push(c.name);
        }
    }
    if coders.len() < 2 {
        return Err(crate::invalid!(
            "an ICR round needs two or more coders: --coders alex,sam"
        ));
    }
    let docs = crate::study::documents::list(conn)?;
    if docs.is_empty() {
        return Err(crate::invalid!("the study has no documents to sample"));
    }
    let stratum_of = |d: &crate::study::documents::DocumentSummary| -> Result<String> {
        match req.stratify {
            None => Ok(String::new()),
            Some("document") => Ok(d.name.clone()),
            Some(attr) => Ok(d.attributes.get(attr).cloned().unwrap_or_default()),
        }
    };
    if let Some(attr) = req.stratify
        && attr != "document"
        && !docs.iter().any(|d| d.attributes.contains_key(attr))
    {
        let mut names: Vec<&String> = docs.iter().flat_map(|d| d.attributes.keys()).collect();
        names.sort();
        names.dedup();
        return Err(crate::invalid!(
            "no document attribute '{attr}' to stratify by (document attributes: {}; or `document`)",
            if names.is_empty() {
                "none".to_string()
            } else {
                names
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ));
    }
    // Items to draw from: whole documents, or (document id, turn index) pairs; grouped by stratum.
    let mut strata: BTreeMap<String, Vec<(i64, Option<i64>)>> = BTreeMap::new();
    for d in &docs {
        let s = stratum_of(d)?;
        match req.by {
            SampleBy::Document => strata.entry(s).or_default().push((d.id, None)),
            SampleBy::Turn => {
                for t in crate::study::documents::turns(conn, d.id)? {
                    strata
                        .entry(s.clone())
                        .or_default()
                        .push((d.id, Some(t.index)));
                }
            }
        }
    }
    let mut rng = SplitMix64::new(req.seed);
    let mut drawn: Vec<(i64, Option<i64>)> = Vec::new();
    for items in strata.values_mut() {
        // Fisher–Yates with the seeded generator, then the first ⌈share × n⌉ of each stratum.
        for i in (1..items.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
        let take = ((req.share * items.len() as f64).ceil() as usize).clamp(1, items.len());
        drawn.extend_from_slice(&items[..take]);
    }
    drawn.sort_unstable();
    let n_docs = {
        let mut ids: Vec<i64> = drawn.iter().map(|d| d.0).collect();
        ids.dedup();
        ids.len()
    };
    let n_turns = drawn.iter().filter(|d| d.1.is_some()).count();
    let seq: i64 = conn.query_row("SELECT ifnull(max(seq), 0) + 1 FROM icr_rounds", [], |r| {
        r.get(0)
    })?;
    let snapshot = serde_json::to_string(&crate::analysis::versions::current(conn)?)
        .map_err(|e| crate::invalid!("{e}"))?;
    let version = version_name(seq);
    if conn
        .prepare_cached("SELECT 1 FROM codebook_versions WHERE name = ?1")?
        .exists([&version])?
    {
        return Err(crate::invalid!(
            "a codebook version called '{version}' exists already; rename it before starting round {seq}"
        ));
    }
    let summary = format!(
        "start ICR round {seq}: {} of {} by {} for {}",
        if req.by == SampleBy::Document {
            n_docs
        } else {
            n_turns
        },
        req.by.name(),
        req.by.name(),
        coders.join(", ")
    );
    study.change(Some(coder), "icr.sample", &summary, |rec| {
        let now = rec.now.clone();
        let change = rec.change_id;
        rec.insert(
            "codebook_versions",
            &[
                ("name", Value::Text(version.clone())),
                ("created_at", Value::Text(now.clone())),
                ("change_id", Value::Integer(change)),
                ("codebook", Value::Text(snapshot)),
            ],
        )?;
        let round = rec.insert(
            "icr_rounds",
            &[
                ("seq", Value::Integer(seq)),
                ("coders", Value::Text(coders.join(","))),
                ("sample_by", Value::Text(req.by.name().into())),
                ("share", Value::Real(req.share)),
                ("seed", Value::Integer(req.seed as i64)),
                (
                    "stratify",
                    req.stratify.map_or(Value::Null, |s| Value::Text(s.into())),
                ),
                ("started_at", Value::Text(now)),
                ("codebook", Value::Text(version.clone())),
            ],
        )?;
        insert_sample(rec, round, &drawn)
    })?;
    Ok((seq, n_docs, n_turns))
}

fn insert_sample(rec: &mut Recorder, round: i64, drawn: &[(i64, Option<i64>)]) -> Result<()> {
    for (doc, turn) in drawn {
        rec.insert(
            "icr_sample",
            &[
                ("round_id", Value::Integer(round)),
                ("document_id", Value::Integer(*doc)),
                ("turn_idx", turn.map_or(Value::Null, Value::Integer)),
            ],
        )?;
    }
    Ok(())
}

struct RoundRow {
    id: i64,
    seq: i64,
    coders: Vec<String>,
    sample_by: String,
    share: f64,
    seed: i64,
    stratify: Option<String>,
    started_at: String,
    codebook: String,
    ended_at: Option<String>,
    figures: Option<String>,
}

fn rounds_rows(conn: &Connection) -> Result<Vec<RoundRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, seq, coders, sample_by, share, seed, stratify, started_at, codebook, ended_at, figures FROM icr_rounds ORDER BY seq",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(RoundRow {
            id: r.get(0)?,
            seq: r.get(1)?,
            coders: r
                .get::<_, String>(2)?
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            sample_by: r.get(3)?,
            share: r.get(4)?,
            seed: r.get(5)?,
            stratify: r.get(6)?,
            started_at: r.get(7)?,
            codebook: r.get(8)?,
            ended_at: r.get(9)?,
            figures: r.get(10)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The sampled documents of a round and, for a turn sample, the sampled turns' ranges.
/// Sampled document ids, and the drawn turns' ranges per document id.
type Sampled = (Vec<i64>, HashMap<i64, Vec<(i64, i64)>>);

fn sampled(conn: &Connection, round: i64) -> Result<Sampled> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.document_id, t.start, t.\"end\" FROM icr_sample s
           LEFT JOIN turns t ON t.document_id = s.document_id AND t.idx = s.turn_idx
          WHERE s.round_id = ?1 ORDER BY s.document_id, t.start",
    )?;
    let mut docs = Vec::new();
    let mut turns: HashMap<i64, Vec<(i64, i64)>> = HashMap::new();
    for row in stmt.query_map([round], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, Option<i64>>(1)?,
            r.get::<_, Option<i64>>(2)?,
        ))
    })? {
        let (doc, start, end) = row?;
        if docs.last() != Some(&doc) {
            docs.push(doc);
        }
        if let (Some(s), Some(e)) = (start, end) {
            turns.entry(doc).or_default().push((s, e));
        }
    }
    Ok((docs, turns))
}

/// The agreement of a round's coders over its sample (turn units; a turn sample restricts the
/// units to the drawn turns), with intervals seeded by the round's seed.
pub fn round_report(conn: &Connection, seq: i64) -> Result<AgreementReport> {
    let row = rounds_rows(conn)?
        .into_iter()
        .find(|r| r.seq == seq)
        .ok_or_else(|| crate::not_found!("no ICR round {seq} (see `thematic icr rounds`)"))?;
    let (docs, turns) = sampled(conn, row.id)?;
    let scope = scope::choose(conn, &row.coders, &docs)?;
    let mut cmp = Comparison::from_scope(conn, scope, None)?;
    if row.sample_by == "turn" {
        cmp.restrict = Some(turns);
    }
    report::compute(
        conn,
        &cmp,
        &Options {
            unit: UnitKind::Turn,
            code_set: Vec::new(),
            uncoded: Uncoded::Absent,
            ci: Some((ROUND_ITERATIONS, row.seed as u64)),
        },
    )
}

/// Ends the open round, freezing its figures. Returns the round's number and its report.
pub fn end(study: &mut Study, coder: i64) -> Result<(i64, AgreementReport)> {
    let (id, seq) = open_round(study.conn())?.ok_or_else(|| {
        crate::invalid!("no ICR round is open; start one with `thematic icr sample`")
    })?;
    let report = round_report(study.conn(), seq)?;
    let figures = serde_json::to_string(&report).map_err(|e| crate::invalid!("{e}"))?;
    study.change(
        Some(coder),
        "icr.end",
        &format!("end ICR round {seq}"),
        |rec| {
            let now = rec.now.clone();
            rec.update(
                "icr_rounds",
                &crate::study::history::id_key(id),
                &[
                    ("ended_at", Value::Text(now)),
                    ("figures", Value::Text(figures)),
                ],
            )
        },
    )?;
    Ok((seq, report))
}

/// Every round, with its frozen figures and the codebook changes since the previous round.
pub fn briefs(conn: &Connection) -> Result<Vec<RoundBrief>> {
    let rows = rounds_rows(conn)?;
    let mut out: Vec<RoundBrief> = Vec::with_capacity(rows.len());
    let mut previous: Option<String> = None;
    for row in rows {
        let counts: (i64, i64) = conn.query_row(
            "SELECT count(DISTINCT document_id), count(turn_idx) FROM icr_sample WHERE round_id = ?1",
            params![row.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let frozen: Option<AgreementFigures> = row
            .figures
            .as_deref()
            .and_then(|f| serde_json::from_str(f).ok());
        let codes: Vec<RoundCode> = frozen
            .as_ref()
            .map(|f| {
                f.codes
                    .iter()
                    .map(|c| RoundCode {
                        code: c.code.clone(),
                        krippendorff_alpha: c.krippendorff_alpha,
                        krippendorff_alpha_ci: c.krippendorff_alpha_ci,
                        cohen_kappa: c.cohen_kappa,
                        gwet_ac1: c.gwet_ac1,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let alphas: Vec<f64> = codes.iter().filter_map(|c| c.krippendorff_alpha).collect();
        let codebook_changes = match &previous {
            Some(prev) => match crate::analysis::versions::diff(conn, prev, &row.codebook) {
                Ok(d) => describe_diff(&d),
                Err(e) => vec![format!("(codebook diff unavailable: {e})")],
            },
            None => Vec::new(),
        };
        previous = Some(row.codebook.clone());
        out.push(RoundBrief {
            round: row.seq,
            coders: row.coders,
            sample_by: row.sample_by,
            share: row.share,
            seed: row.seed as u64,
            stratify: row.stratify,
            started_at: row.started_at,
            codebook_version: row.codebook,
            ended_at: row.ended_at,
            sampled_documents: counts.0 as usize,
            sampled_turns: counts.1 as usize,
            units: frozen.as_ref().map(|f| f.n_units),
            share_of_study: frozen
                .as_ref()
                .map(|f| f.report.double_coded.share_of_units),
            mean_alpha: (!alphas.is_empty())
                .then(|| alphas.iter().sum::<f64>() / alphas.len() as f64),
            codes,
            codebook_changes,
        });
    }
    Ok(out)
}

fn describe_diff(d: &crate::analysis::versions::CodebookDiff) -> Vec<String> {
    let mut out = Vec::new();
    out.extend(d.added.iter().map(|c| format!("added {c}")));
    out.extend(d.removed.iter().map(|c| format!("removed {c}")));
    out.extend(
        d.renamed
            .iter()
            .map(|r| format!("renamed {} → {}", r.from, r.to)),
    );
    out.extend(
        d.merged
            .iter()
            .map(|m| format!("merged {} into {}", m.from, m.into)),
    );
    out.extend(
        d.split
            .iter()
            .map(|s| format!("split {} from {}", s.code, s.from)),
    );
    out.extend(d.redefined.iter().map(|r| {
        format!(
            "redefined {} ({})",
            r.code,
            r.fields
                .iter()
                .map(|f| f.field.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    }));
    out.extend(d.moved.iter().map(|m| format!("moved {}", m.code)));
    out
}

/// The parts of a frozen report the listing reads back.
#[derive(serde::Deserialize)]
struct AgreementFigures {
    n_units: usize,
    report: FrozenMeta,
    codes: Vec<FrozenCode>,
}

#[derive(serde::Deserialize)]
struct FrozenMeta {
    double_coded: FrozenShare,
}

#[derive(serde::Deserialize)]
struct FrozenShare {
    share_of_units: f64,
}

#[derive(serde::Deserialize)]
struct FrozenCode {
    code: String,
    krippendorff_alpha: Option<f64>,
    #[serde(default)]
    krippendorff_alpha_ci: Option<[f64; 2]>,
    cohen_kappa: Option<f64>,
    gwet_ac1: Option<f64>,
}

/// What `coder` is assigned in the open round: documents, or turns (index from 1) by document.
/// A round's number and, per document name, the drawn turn numbers (empty = whole document).
pub type Assignment = (i64, Vec<(String, Vec<i64>)>);

pub fn assigned(conn: &Connection, coder: &str) -> Result<Option<Assignment>> {
    let Some((id, seq)) = open_round(conn)? else {
        return Ok(None);
    };
    let coders: String =
        conn.query_row("SELECT coders FROM icr_rounds WHERE id = ?1", [id], |r| {
            r.get(0)
        })?;
    if !coders.split(',').any(|c| c == coder) {
        return Ok(None);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT d.name, s.turn_idx FROM icr_sample s JOIN documents d ON d.id = s.document_id
          WHERE s.round_id = ?1 ORDER BY d.sort_order, d.id, s.turn_idx",
    )?;
    let mut out: Vec<(String, Vec<i64>)> = Vec::new();
    for row in stmt.query_map([id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Option<i64>>(1)?))
    })? {
        let (name, turn) = row?;
        if out.last().map(|l| &l.0) != Some(&name) {
            out.push((name, Vec::new()));
        }
        if let Some(t) = turn {
            out.last_mut().expect("pushed").1.push(t);
        }
    }
    Ok(Some((seq, out)))
}
