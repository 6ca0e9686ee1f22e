//! `thematic agreement`, `disagreements`, `resolve`, `done`, `icr` and `consensus`.

use super::Context;
use super::args::{AgreementArgs, CompareArgs, IcrCommand, Output};
use super::output::{clip, json, rows};
use crate::agreement::report::{self, AgreementReport, Coefficients, Options, Uncoded};
use crate::agreement::review::{self, Decision};
use crate::agreement::units::{Comparison, Selection, Unit, UnitKind};
use crate::error::Result;
use crate::study::documents;

/// Printed after `thematic help agreement`: how coders, documents and units are chosen.
pub const AGREEMENT_HELP: &str = "Who and what is compared:
  Coders: --coders A,B; by default the independent coders who share the most documents they
  marked done (else coded). The consensus coder is never compared by default; coders left out
  are named with the reason.
  Documents: those every compared coder marked done (`thematic done DOC`); when some coder marked
  none, every document any of them coded, counting a coder with no codings there as having found
  nothing. The rule used, the documents and anything left out are always printed.
Units (--unit): turn (default), sentence, char, span (unitizing alpha).
  Sentences: a sentence ends at . ! ? or … (plus closing quotes or brackets) followed by a space
  or the end of the turn, and at a line break; never across turns. A full stop does not end a
  sentence after Dr. Mr. Mrs. Ms. Prof. e.g. i.e. etc. vs. St. Jr. Sr. cf. approx., after an
  initial (J. Smith), or after No. when a number follows (No. 5): `Dr. Smith said so.` is one
  sentence.
Code set (--codes A,B or a parent): a unit's category is the code covering most of it, summed
over that code's codings.
Intervals (--ci): 95% percentile bootstrap over units (B = --iterations, --seed); every
coefficient gets an interval or null with the reason in the notes.
--methods-text prints a paragraph for a manuscript's methods section.";

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
    let ci = |v: Option<Option<[f64; 2]>>| match v {
        None => String::new(),
        Some(None) => "none".into(),
        Some(Some([a, b])) => format!("[{a:.2}, {b:.2}]"),
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
        ci(c.gwet_ac1_ci),
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

/// The statement of what was compared, printed above every agreement table.
fn print_comparison(r: &AgreementReport) {
    let s = &r.comparison;
    println!("Coders: {} ({})", r.coders.join(", "), s.coders_rule);
    println!(
        "Documents ({}): {} — {}",
        r.documents.len(),
        r.documents.join(", "),
        s.documents_rule
    );
    for l in &s.left_out_coders {
        println!("  left out coder {}: {}", l.name, l.reason);
    }
    for l in &s.left_out_documents {
        println!("  left out document {}: {}", l.name, l.reason);
    }
}

/// The footer a methods reviewer reads: coefficients and why, share double-coded, CI method.
fn print_footer(r: &AgreementReport) {
    let m = &r.report;
    let d = &m.double_coded;
    println!(
        "\nUnit: {}. Double-coded: {} of {} {} unit(s) ({:.1}%) in {} of {} document(s) ({:.1}%).",
        m.unit_description,
        d.units,
        d.units_in_study,
        m.unit,
        100.0 * d.share_of_units,
        d.documents,
        d.documents_in_study,
        100.0 * d.share_of_documents
    );
    if !m.cohen_kappa_is.is_empty() {
        println!("kappa: {}.", m.cohen_kappa_is);
    }
    for c in &m.coefficients {
        println!("{}: {}.", c.name, c.why);
    }
    match &m.ci {
        Some(ci) => println!(
            "95% CIs: {} (B = {}, seed {}).",
            ci.method, ci.iterations, ci.seed
        ),
        None => println!("No confidence intervals (add --ci)."),
    }
    if !m.rounds.is_empty() {
        println!(
            "ICR rounds: {} (see `thematic icr rounds`).",
            m.rounds
                .iter()
                .map(|x| format!(
                    "{}{}",
                    x.round,
                    if x.ended_at.is_none() { " (open)" } else { "" }
                ))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
}

pub fn agreement(ctx: &Context, a: &AgreementArgs) -> Result<()> {
    let r = compute(ctx, a)?;
    if a.methods_text {
        println!(
            "{}",
            crate::agreement::methods::paragraph(
                &r,
                &a.thresholds,
                crate::agreement::methods::consensus_codings(ctx.study.conn(), &r.documents)?
            )
        );
        return Ok(());
    }
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
        "AC1 95% CI",
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
        "Agreement of {} over {} {} unit(s) in {} document(s)",
        r.coders.join(", "),
        r.n_units,
        r.unit,
        r.documents.len(),
    );
    print_comparison(&r);
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
    print_footer(&r);
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
    let unit = scope.unit;
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
            "\n{} disagreement(s) over {} units between {} in {} document(s) ({}); settle one with `thematic resolve DOC --code C --range S:E --unit {} --accept CODER|both|neither`",
            list.len(),
            unit.name(),
            rep.coders.join(", "),
            rep.documents.len(),
            rep.comparison.documents_rule,
            unit.name()
        );
        if matches!(unit, UnitKind::Char | UnitKind::Span) {
            println!(
                "({} units are listed as runs of consecutive characters where the same coders applied the code)",
                unit.name()
            );
        }
    }
    Ok(())
}

/// The unit `range` names: exactly a unit of `kind`, or the one unit of that kind it lies in
/// (snapped, and said so). Char and span units are the range itself.
fn snap(
    ctx: &Context,
    doc: &crate::study::documents::DocumentSummary,
    start: i64,
    end: i64,
    kind: UnitKind,
) -> Result<(i64, i64, Option<String>)> {
    if matches!(kind, UnitKind::Char | UnitKind::Span) {
        return Ok((start, end, None));
    }
    let conn = ctx.study.conn();
    let scope = crate::agreement::scope::Scope {
        coders: Vec::new(),
        coders_rule: String::new(),
        excluded_coders: Vec::new(),
        rule: crate::agreement::scope::DocRule::Coded,
        documents_rule: String::new(),
        documents: vec![doc.id],
        left_out: Vec::new(),
    };
    let cmp = Comparison::from_scope(conn, scope, Some(&[]))?;
    let units = cmp.units(conn, kind)?;
    if units.iter().any(|u| u.start == start && u.end == end) {
        return Ok((start, end, None));
    }
    let inside: Vec<&Unit> = units
        .iter()
        .filter(|u| u.start < end && start < u.end)
        .collect();
    match inside.as_slice() {
        [u] if u.start <= start && end <= u.end => Ok((
            u.start,
            u.end,
            Some(format!(
                "{start}:{end} is inside the {} {}:{}; resolved that whole {}",
                kind.name(),
                u.start,
                u.end,
                kind.name()
            )),
        )),
        [] => Err(crate::invalid!(
            "{start}:{end} of {} is in no {} (between turns?); use a range `disagreements --unit {}` lists",
            doc.name,
            kind.name(),
            kind.name()
        )),
        many => Err(crate::invalid!(
            "{start}:{end} of {} spans {} {}s ({}); resolve one {} at a time, as `disagreements --unit {}` lists them",
            doc.name,
            many.len(),
            kind.name(),
            many.iter()
                .take(5)
                .map(|u| format!("{}:{}", u.start, u.end))
                .collect::<Vec<_>>()
                .join(", "),
            kind.name(),
            kind.name()
        )),
    }
}

pub fn resolve(
    ctx: &mut Context,
    document: &str,
    code: &str,
    range: &str,
    accept: &str,
    unit_kind: UnitKind,
    coders: &[String],
) -> Result<()> {
    let conn = ctx.study.conn();
    let doc = documents::resolve(conn, document)?;
    let code = crate::codebook::resolve(&crate::codebook::all(conn)?, code)?;
    let (start, end) = range
        .split_once(':')
        .and_then(|(s, e)| Some((s.trim().parse::<i64>().ok()?, e.trim().parse::<i64>().ok()?)))
        .ok_or_else(|| crate::invalid!("--range takes START:END as `disagreements` lists it"))?;
    crate::coding::check_range(&doc.name, doc.char_count, start, end)?;
    let (start, end, snapped) = snap(ctx, &doc, start, end, unit_kind)?;
    let decision = match accept {
        "both" => Decision::Both,
        "neither" => Decision::Neither,
        name => {
            match ctx.study.coder_by_name(name)? {
                None => {
                    return Err(crate::not_found!(
                        "no coder named '{name}'; use a coder's name, both, or neither"
                    ));
                }
                Some(c) if c.is_consensus => {
                    return Err(crate::invalid!(
                        "'{name}' is the consensus coder; accept one of the compared coders, both, or neither"
                    ));
                }
                Some(_) => {}
            }
            Decision::Accept(name.to_string())
        }
    };
    // The comparison whose agreed units the consensus carries (kept current at every decision).
    let cmp = Comparison::load(
        ctx.study.conn(),
        &Selection {
            coders,
            documents: &[],
        },
    )
    .ok();
    let reviewer = ctx.coder()?;
    let summary = format!(
        "resolve {} {start}:{end} on {}: {accept}",
        doc.name, code.path
    );
    let unit = Unit { doc: 0, start, end };
    let (written, synced) = ctx
        .study
        .change(Some(reviewer.id), "review", &summary, |rec| {
            let written = review::resolve(rec, reviewer.id, doc.id, code.id, unit, &decision)?;
            let synced = match &cmp {
                Some(cmp) => Some(crate::agreement::consensus::sync(rec, cmp, unit_kind)?),
                None => None,
            };
            Ok((written, synced))
        })?;
    if let Some(note) = snapped {
        println!("note: {note}");
    }
    println!(
        "resolved: {written} coding(s) written under '{}' for {} {start}:{end} ({})",
        review::CONSENSUS_CODER,
        doc.name,
        code.path
    );
    match synced {
        Some(s) => println!(
            "consensus: {} agreed unit(s) carried ({} added, {} removed); {} consensus coding(s) in the compared documents",
            s.agreed_units, s.added, s.removed, s.consensus_codings
        ),
        None => println!(
            "consensus: agreed units not carried (no default comparison; run `thematic consensus --coders A,B`)"
        ),
    }
    Ok(())
}

pub fn done(ctx: &mut Context, document: &str, undo: bool) -> Result<()> {
    let doc = documents::resolve(ctx.study.conn(), document)?;
    let coder = ctx.coder()?;
    if coder.is_consensus {
        return Err(crate::invalid!(
            "the consensus coder is derived from the others; mark documents done as an independent coder"
        ));
    }
    let summary = if undo {
        format!("{} marks {} not done", coder.name, doc.name)
    } else {
        format!("{} marks {} done", coder.name, doc.name)
    };
    let changed = ctx.study.change(Some(coder.id), "done", &summary, |rec| {
        crate::agreement::done::set(rec, doc.id, coder.id, undo)
    })?;
    let state = if undo { "not done" } else { "done" };
    if changed {
        println!("{} marked {state} by {}", doc.name, coder.name);
    } else {
        println!(
            "{} was already {state} for {} (nothing changed)",
            doc.name, coder.name
        );
    }
    Ok(())
}

pub fn consensus(ctx: &mut Context, scope: &CompareArgs, format: Output) -> Result<()> {
    let cmp = load(ctx, scope)?;
    let coder = ctx.coder()?;
    let summary = format!(
        "carry agreed units of {} into consensus",
        cmp.coders
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let s = ctx
        .study
        .change(Some(coder.id), "consensus", &summary, |rec| {
            crate::agreement::consensus::sync(rec, &cmp, scope.unit)
        })?;
    if format == Output::Json {
        return json(&serde_json::json!({
            "coders": cmp.coders.iter().map(|c| &c.name).collect::<Vec<_>>(),
            "documents": cmp.documents.iter().map(|d| &d.name).collect::<Vec<_>>(),
            "rule": cmp.scope.documents_rule,
            "result": s,
        }));
    }
    println!(
        "consensus: {} agreed unit(s) of {} over {} document(s) carried ({} added, {} removed); {} consensus coding(s) now (agreed + resolved). Export with `thematic export excerpts --coder consensus` or `thematic export qdpx`.",
        s.agreed_units,
        cmp.coders
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(" × "),
        cmp.documents.len(),
        s.added,
        s.removed,
        s.consensus_codings
    );
    Ok(())
}

pub fn icr(ctx: &mut Context, action: IcrCommand) -> Result<()> {
    use crate::agreement::icr;
    match action {
        IcrCommand::Sample {
            share,
            coders,
            by,
            stratify,
            seed,
        } => {
            let coder = ctx.coder()?;
            let (seq, docs, turns) = icr::sample(
                &mut ctx.study,
                coder.id,
                &icr::SampleRequest {
                    share,
                    coders: &coders,
                    by,
                    stratify: stratify.as_deref(),
                    seed,
                },
            )?;
            println!(
                "ICR round {seq} started for {}: {} document(s){} drawn (share {share}, seed {seed}{}); codebook saved as version 'ICR round {seq}'.",
                coders.join(", "),
                docs,
                if turns > 0 {
                    format!(", {turns} turn(s)")
                } else {
                    String::new()
                },
                stratify
                    .map(|s| format!(", stratified by {s}"))
                    .unwrap_or_default()
            );
            println!(
                "Each coder: `thematic icr assigned`, code blind, `thematic done DOC`; then `thematic icr end`."
            );
            Ok(())
        }
        IcrCommand::End { format } => {
            let coder = ctx.coder()?;
            let (seq, r) = icr::end(&mut ctx.study, coder.id)?;
            if format == Output::Json {
                return json(&r);
            }
            println!(
                "ICR round {seq} ended; figures frozen: {} on {} code(s) over {} turn(s) in {} document(s).",
                r.coders.join(" × "),
                r.codes.len(),
                r.n_units,
                r.documents.len()
            );
            print_comparison(&r);
            println!("See `thematic icr rounds`.");
            Ok(())
        }
        IcrCommand::Rounds { format } => {
            let list = icr::briefs(ctx.study.conn())?;
            if format == Output::Json {
                return json(&list);
            }
            if list.is_empty() {
                println!(
                    "No ICR rounds yet; start one with `thematic icr sample --share 0.2 --coders A,B --seed 1`."
                );
                return Ok(());
            }
            let table: Vec<Vec<String>> = list
                .iter()
                .map(|b| {
                    let low = b
                        .codes
                        .iter()
                        .filter(|c| c.krippendorff_alpha.is_some_and(|a| a < 0.667))
                        .count();
                    vec![
                        b.round.to_string(),
                        if b.ended_at.is_some() {
                            "ended".into()
                        } else {
                            "open".into()
                        },
                        b.coders.join(", "),
                        format!(
                            "{} by {} ({:.0}%)",
                            if b.sample_by == "turn" {
                                b.sampled_turns
                            } else {
                                b.sampled_documents
                            },
                            b.sample_by,
                            100.0 * b.share
                        ),
                        b.units.map(|u| u.to_string()).unwrap_or_default(),
                        b.share_of_study
                            .map(|s| format!("{:.1}%", 100.0 * s))
                            .unwrap_or_default(),
                        b.mean_alpha.map(|a| format!("{a:.3}")).unwrap_or_default(),
                        if b.ended_at.is_some() {
                            low.to_string()
                        } else {
                            String::new()
                        },
                        if b.codebook_changes.is_empty() {
                            if b.round == 1 {
                                "—".into()
                            } else {
                                "none".into()
                            }
                        } else {
                            clip(&b.codebook_changes.join("; "), 60)
                        },
                    ]
                })
                .collect();
            rows(
                Output::Table,
                &[
                    "round",
                    "status",
                    "coders",
                    "sample",
                    "units",
                    "of study",
                    "mean α",
                    "α<0.667",
                    "codebook changes since previous round",
                ],
                &table,
            )?;
            for b in list.iter().filter(|b| b.ended_at.is_some()) {
                println!(
                    "\nRound {} (turn units; 95% percentile bootstrap over turns, B = {}, seed {}):",
                    b.round,
                    icr::ROUND_ITERATIONS,
                    b.seed
                );
                for c in &b.codes {
                    println!(
                        "  {:<60} α {}  {}",
                        clip(&c.code, 60),
                        c.krippendorff_alpha
                            .map(|a| format!("{a:.3}"))
                            .unwrap_or_else(|| "undef".into()),
                        c.krippendorff_alpha_ci
                            .map(|[l, h]| format!("[{l:.2}, {h:.2}]"))
                            .unwrap_or_default()
                    );
                }
            }
            Ok(())
        }
        IcrCommand::Assigned => {
            let me = ctx.coder_name.clone();
            match icr::assigned(ctx.study.conn(), &me)? {
                None => println!("{me} has no assignment: no open ICR round includes {me}."),
                Some((seq, docs)) => {
                    println!(
                        "ICR round {seq}: {me} double-codes (blind: don't look at others' codings):"
                    );
                    for (name, turns) in docs {
                        if turns.is_empty() {
                            println!("  {name} (whole document)");
                        } else {
                            println!(
                                "  {name}: turns {}",
                                turns
                                    .iter()
                                    .map(i64::to_string)
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            );
                        }
                    }
                }
            }
            Ok(())
        }
    }
}
