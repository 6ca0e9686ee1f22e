//! `thematic agreement`, `disagreements` and `resolve`.

use super::Context;
use super::args::{AgreementArgs, CompareArgs, Output};
use super::output::{clip, json, rows};
use crate::agreement::report::{self, AgreementReport, Coefficients, Options, Uncoded};
use crate::agreement::review::{self, Decision};
use crate::agreement::units::{Comparison, Selection, Unit, UnitKind};
use crate::error::Result;
use crate::study::documents;

fn load(ctx: &Context, scope: &CompareArgs) -> Result<Comparison> {
    Comparison::load(
        ctx.study.conn(),
        &Selection {
            coders: &scope.coders,
            documents: &scope.docs,
        },
    )
}

fn fmt(v: Option<Option<f64>>) -> String {
    match v {
        None => String::new(),
        Some(None) => "undef".into(),
        Some(Some(x)) => format!("{x:.3}"),
    }
}

/// "**" below the lower threshold, "*" below the upper one (alpha, else kappa).
fn marker(c: &Coefficients, thresholds: &[f64]) -> &'static str {
    let value = c.krippendorff_alpha.or(c.u_alpha).flatten();
    let (low, high) = (
        thresholds.first().copied().unwrap_or(0.667),
        thresholds.get(1).copied().unwrap_or(0.8),
    );
    match value {
        Some(v) if v < low => "**",
        Some(v) if v < high => "*",
        _ => "",
    }
}

fn coefficient_row(label: &str, c: &Coefficients, thresholds: &[f64]) -> Vec<String> {
    let ci = |v: Option<[f64; 2]>| {
        v.map(|[a, b]| format!("[{a:.2}, {b:.2}]"))
            .unwrap_or_default()
    };
    vec![
        label.to_string(),
        c.n_units.map(|n| n.to_string()).unwrap_or_default(),
        fmt(c.percent_agreement),
        fmt(c.cohen_kappa),
        ci(c.cohen_kappa_ci),
        fmt(c.fleiss_kappa),
        fmt(c.krippendorff_alpha),
        ci(c.krippendorff_alpha_ci),
        fmt(c.gwet_ac1),
        fmt(c.u_alpha),
        fmt(c.binary_u_alpha),
        fmt(c.cu_alpha),
        marker(c, thresholds).to_string(),
    ]
}

pub fn compute(ctx: &Context, a: &AgreementArgs) -> Result<AgreementReport> {
    let cmp = load(ctx, &a.scope)?;
    report::compute(
        ctx.study.conn(),
        &cmp,
        &Options {
            unit: a.scope.unit,
            code_set: a.codes.clone(),
            uncoded: a.uncoded,
            ci: a.ci.then_some((a.iterations, a.seed)),
        },
    )
}

pub fn agreement(ctx: &Context, a: &AgreementArgs) -> Result<()> {
    let r = compute(ctx, a)?;
    if a.format == Output::Json {
        return json(&r);
    }
    let headers = [
        "code",
        "units",
        "%agree",
        "kappa",
        "kappa 95% CI",
        "fleiss",
        "alpha",
        "alpha 95% CI",
        "AC1",
        "uα",
        "|uα",
        "cuα",
        "",
    ];
    let mut table: Vec<Vec<String>> = Vec::new();
    if let Some(o) = &r.overall {
        table.push(coefficient_row("(overall: code set)", o, &a.thresholds));
    }
    for c in &r.codes {
        table.push(coefficient_row(&c.code, &c.coefficients, &a.thresholds));
    }
    // Drop columns that are empty for every row (e.g. uα outside --unit span, CIs without --ci).
    let keep: Vec<usize> = (0..headers.len())
        .filter(|&i| i == 0 || i == headers.len() - 1 || table.iter().any(|row| !row[i].is_empty()))
        .collect();
    let pick = |row: &[String]| keep.iter().map(|&i| row[i].clone()).collect::<Vec<_>>();
    let kept_headers: Vec<&str> = keep.iter().map(|&i| headers[i]).collect();
    let kept_rows: Vec<Vec<String>> = table.iter().map(|r| pick(r)).collect();
    if a.format == Output::Csv {
        return rows(a.format, &kept_headers, &kept_rows);
    }
    println!(
        "Agreement of {} over {} {} unit(s) in {} document(s): {}",
        r.coders.join(", "),
        r.n_units,
        r.unit,
        r.documents.len(),
        r.documents.join(", ")
    );
    rows(a.format, &kept_headers, &kept_rows)?;
    if !r.pairs.is_empty() {
        println!();
        let pairs: Vec<Vec<String>> = r
            .pairs
            .iter()
            .map(|p| {
                vec![
                    format!("{} × {}", p.coders[0], p.coders[1]),
                    p.n_units.to_string(),
                    fmt(Some(p.percent_agreement)),
                    fmt(Some(p.cohen_kappa)),
                ]
            })
            .collect();
        rows(a.format, &["pair", "units", "%agree", "kappa"], &pairs)?;
    }
    println!(
        "\n* alpha below {:.3} (tentative), ** below {:.3} (unreliable).",
        a.thresholds.get(1).copied().unwrap_or(0.8),
        a.thresholds.first().copied().unwrap_or(0.667)
    );
    for note in &r.notes {
        println!("note: {note}");
    }
    Ok(())
}

pub fn disagreements(
    ctx: &Context,
    scope: &CompareArgs,
    code: Option<&str>,
    format: Output,
) -> Result<()> {
    let cmp = load(ctx, scope)?;
    let conn = ctx.study.conn();
    let only = match code {
        Some(c) => Some(crate::codebook::resolve(&cmp.codes, c)?.id),
        None => None,
    };
    let unit = if scope.unit == UnitKind::Sentence {
        UnitKind::Sentence
    } else {
        UnitKind::Turn
    };
    let rep = report::compute(
        conn,
        &cmp,
        &Options {
            unit,
            code_set: Vec::new(),
            uncoded: Uncoded::Absent,
            ci: None,
        },
    )?;
    let list = review::disagreements(conn, &cmp, unit, only, &rep)?;
    if format == Output::Json {
        return json(&list);
    }
    let coder_names: Vec<String> = cmp.coders.iter().map(|c| c.name.clone()).collect();
    let mut headers = vec!["code", "document", "range", "speaker"];
    headers.extend(coder_names.iter().map(String::as_str));
    headers.push("text");
    let table: Vec<Vec<String>> = list
        .iter()
        .map(|d| {
            let mut row = vec![
                d.code.clone(),
                d.document.clone(),
                format!("{}:{}", d.start, d.end),
                d.speaker.clone().unwrap_or_default(),
            ];
            row.extend(d.versions.iter().map(|v| {
                if v.applied {
                    v.spans
                        .iter()
                        .map(|(s, e)| format!("{s}:{e}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                } else {
                    "—".into()
                }
            }));
            row.push(if format == Output::Csv {
                d.text.clone()
            } else {
                clip(&d.text, 60)
            });
            row
        })
        .collect();
    rows(format, &headers, &table)?;
    if format == Output::Table {
        println!(
            "\n{} disagreement(s) to review; settle one with `thematic resolve DOC --code C --range S:E --accept CODER|both|neither`",
            list.len()
        );
    }
    Ok(())
}

pub fn resolve(
    ctx: &mut Context,
    document: &str,
    code: &str,
    range: &str,
    accept: &str,
) -> Result<()> {
    let conn = ctx.study.conn();
    let doc = documents::resolve(conn, document)?;
    let code = crate::codebook::resolve(&crate::codebook::all(conn)?, code)?;
    let (start, end) = range
        .split_once(':')
        .and_then(|(s, e)| Some((s.trim().parse::<i64>().ok()?, e.trim().parse::<i64>().ok()?)))
        .ok_or_else(|| crate::invalid!("--range takes START:END as `disagreements` lists it"))?;
    crate::coding::check_range(&doc.name, doc.char_count, start, end)?;
    let decision = match accept {
        "both" => Decision::Both,
        "neither" => Decision::Neither,
        name => {
            if ctx.study.coder_by_name(name)?.is_none() {
                return Err(crate::not_found!(
                    "no coder named '{name}'; use a coder's name, both, or neither"
                ));
            }
            Decision::Accept(name.to_string())
        }
    };
    let reviewer = ctx.coder()?;
    let summary = format!(
        "resolve {} {start}:{end} on {}: {accept}",
        doc.name, code.path
    );
    let unit = Unit { doc: 0, start, end };
    let written = ctx
        .study
        .change(Some(reviewer.id), "review", &summary, |rec| {
            review::resolve(rec, reviewer.id, doc.id, code.id, unit, &decision)
        })?;
    println!(
        "resolved: {written} coding(s) written under '{}' for {} {start}:{end} ({})",
        review::CONSENSUS_CODER,
        doc.name,
        code.path
    );
    Ok(())
}
