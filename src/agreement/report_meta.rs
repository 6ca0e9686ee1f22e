//! What a methods reviewer asks of an agreement figure (issue 11 §5): which coefficients and
//! why each, the unit, the coders by name, how much of the study was double-coded, the ICR
//! rounds, and how the intervals were made. Shared by the JSON, the table footer, the
//! workbench view, the HTML report and `--methods-text`.

use super::report::{AgreementReport, Options};
use super::units::{Comparison, UnitKind};
use crate::error::Result;
use rusqlite::Connection;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CoefficientWhy {
    pub key: &'static str,
    pub name: &'static str,
    pub why: String,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct DoubleCoded {
    /// Units of the chosen kind in the compared documents / in the whole study.
    pub units: usize,
    pub units_in_study: usize,
    pub share_of_units: f64,
    pub documents: usize,
    pub documents_in_study: usize,
    pub share_of_documents: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CiMethod {
    pub method: &'static str,
    pub level: f64,
    pub iterations: usize,
    pub seed: u64,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ReportMeta {
    pub unit: String,
    pub unit_description: String,
    pub coders: Vec<String>,
    pub coders_rule: String,
    pub documents_rule: String,
    pub double_coded: DoubleCoded,
    pub coefficients: Vec<CoefficientWhy>,
    /// What the per-code `cohen_kappa` is: one pair's kappa, or the mean over pairs.
    pub cohen_kappa_is: String,
    /// The ICR rounds recorded in the study (see `thematic icr rounds`).
    pub rounds: Vec<super::icr::RoundBrief>,
    /// Null when intervals were not asked for (`--ci`).
    pub ci: Option<CiMethod>,
    /// Codes applied to under 10% or over 90% of the judgements (where κ and α run low).
    pub skewed_codes: Vec<String>,
    #[serde(skip)]
    pub prevalence: Vec<(String, f64)>,
}

pub const CI_METHOD: &str = "percentile bootstrap: units resampled with replacement, the 2.5th and 97.5th percentiles of the coefficient over the resamples (numpy's linear interpolation); resamples where it is undefined are dropped and counted";

fn unit_description(unit: UnitKind) -> &'static str {
    match unit {
        UnitKind::Turn => "speaker turn: each code judged present or absent in each turn",
        UnitKind::Sentence => {
            "sentence within a turn (see `thematic help agreement` for the splitting rule): each code judged present or absent in each sentence"
        }
        UnitKind::Char => "character: each code judged present or absent at each character",
        UnitKind::Span => {
            "span: coded stretches compared on one continuum of characters (Krippendorff's unitizing alpha family)"
        }
    }
}

/// Units of `kind` in the whole study, for the share double-coded.
fn study_units(conn: &Connection, kind: UnitKind) -> Result<usize> {
    Ok(match kind {
        UnitKind::Turn => {
            conn.query_row("SELECT count(*) FROM turns", [], |r| r.get::<_, i64>(0))? as usize
        }
        UnitKind::Char | UnitKind::Span => conn.query_row(
            "SELECT coalesce(sum(char_count), 0) FROM documents",
            [],
            |r| r.get::<_, i64>(0),
        )? as usize,
        UnitKind::Sentence => {
            let mut n = 0;
            let mut docs = conn.prepare_cached("SELECT id, text FROM documents")?;
            let mut turns =
                conn.prepare_cached("SELECT start, \"end\" FROM turns WHERE document_id = ?1")?;
            let rows = docs.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
            for row in rows {
                let (id, text) = row?;
                let chars: Vec<char> = text.chars().collect();
                let spans =
                    turns.query_map([id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
                for s in spans {
                    let (a, b) = s?;
                    let (a, b) = (a.max(0) as usize, (b.max(0) as usize).min(chars.len()));
                    if a < b {
                        n += super::sentences::split(&chars[a..b]).len();
                    }
                }
            }
            n
        }
    })
}

pub fn build(
    conn: &Connection,
    cmp: &Comparison,
    opts: &Options,
    report: &AgreementReport,
    _set: &[usize],
) -> Result<ReportMeta> {
    let units_in_study = study_units(conn, opts.unit)?;
    let documents_in_study =
        conn.query_row("SELECT count(*) FROM documents", [], |r| r.get::<_, i64>(0))? as usize;
    let share = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let mut meta = ReportMeta {
        unit: opts.unit.name().to_string(),
        unit_description: unit_description(opts.unit).to_string(),
        coders: report.coders.clone(),
        coders_rule: cmp.scope.coders_rule.clone(),
        documents_rule: cmp.scope.documents_rule.clone(),
        double_coded: DoubleCoded {
            units: report.n_units,
            units_in_study,
            share_of_units: share(report.n_units, units_in_study),
            documents: cmp.documents.len(),
            documents_in_study,
            share_of_documents: share(cmp.documents.len(), documents_in_study),
        },
        rounds: super::icr::briefs(conn)?,
        ci: opts.ci.map(|(iterations, seed)| CiMethod {
            method: CI_METHOD,
            level: 0.95,
            iterations,
            seed,
        }),
        ..Default::default()
    };
    if opts.unit == UnitKind::Span {
        meta.coefficients = vec![CoefficientWhy {
            key: "u_alpha",
            name: "Krippendorff's unitizing alpha (uα; |uα and cuα for a code set)",
            why: "the unit is the coded stretch itself: uα compares where coders placed and how they categorised spans on the continuum, including uncoded stretches (Krippendorff 1995; Krippendorff, Mathet, Bouvry & Widlöcher 2016)".into(),
        }];
        meta.cohen_kappa_is = "not computed: κ needs predefined units".into();
    }
    Ok(meta)
}

/// Fills in why each categorical coefficient is reported, given the data's prevalence.
pub fn explain(meta: &mut ReportMeta, n_coders: usize, opts: &Options) {
    meta.skewed_codes = meta
        .prevalence
        .iter()
        .filter(|(_, p)| *p < 0.1 || *p > 0.9)
        .map(|(c, _)| c.clone())
        .collect();
    let skew = if meta.skewed_codes.is_empty() {
        "no code here is applied to under 10% or over 90% of the judgements, so AC1 and κ should tell the same story".to_string()
    } else {
        format!(
            "{} of {} code(s) are applied to under 10% or over 90% of the judgements; there κ and α can be low despite high raw agreement (the kappa paradox, Feinstein & Cicchetti 1990), and AC1 stays stable",
            meta.skewed_codes.len(),
            meta.prevalence.len()
        )
    };
    meta.cohen_kappa_is = if n_coders == 2 {
        "Cohen's kappa of the one coder pair (Cohen 1960)".into()
    } else {
        format!(
            "the mean of Cohen's kappa over all {} coder pairs (Light's kappa, Light 1971), not a single pair's kappa",
            n_coders * (n_coders - 1) / 2
        )
    };
    let missing = match opts.uncoded {
        super::report::Uncoded::Absent => {
            "here every compared coder judged every unit (uncoded counts as absent)"
        }
        super::report::Uncoded::Missing => {
            "here a unit a coder left uncoded counts as not judged, which only α, AC1 and pairwise κ handle"
        }
    };
    meta.coefficients = vec![
        CoefficientWhy {
            key: "krippendorff_alpha",
            name: "Krippendorff's alpha (nominal)",
            why: format!(
                "the primary coefficient: any number of coders, corrects for chance from the pooled category use, and tolerates missing judgements ({missing}); read ≥ 0.800 as reliable and ≥ 0.667 as tentative (Krippendorff 2004)"
            ),
        },
        CoefficientWhy {
            key: "cohen_kappa",
            name: "Cohen's kappa",
            why: format!(
                "the most widely reported chance-corrected coefficient, for comparison with other studies; reported as {}",
                meta.cohen_kappa_is
            ),
        },
        CoefficientWhy {
            key: "gwet_ac1",
            name: "Gwet's AC1",
            why: format!("reported beside κ because it is robust to skewed prevalence (Gwet 2008): {skew}"),
        },
        CoefficientWhy {
            key: "fleiss_kappa",
            name: "Fleiss' kappa",
            why: "a multi-coder generalisation of Scott's pi (Fleiss 1971), over the units every coder judged".into(),
        },
        CoefficientWhy {
            key: "percent_agreement",
            name: "percent agreement",
            why: "raw agreement, not chance-corrected: shown so that a low κ with high agreement can be seen as a prevalence effect".into(),
        },
    ];
}
