//! Analysis commands: frequencies and matrices, co-occurrence, search, auto-code, saturation,
//! codebook versions and the HTML report. Thin shells over `crate::analysis`.
//!
//! The global `--coder` means two things here: for the read-only queries it selects whose
//! codings are counted (without it, every coder's codings are pooled); for auto-code and
//! snapshots it is the acting coder, as everywhere else.

use super::Context;
use super::args::{
    AutocodeArgs, CoScopeArg, CodebookCommand, Command, CooccurrenceArgs, FrequencyArgs,
    MeasureArg, Output, SearchArgs, SpanArg,
};
use super::output::{clip, json, rows};
use crate::analysis::autocode::{self, AutoSource, AutocodeOptions, SpanMode};
use crate::analysis::cooccurrence::{self, CoScope, CooccurrenceOptions};
use crate::analysis::matrix::{self, Grouping, MatrixOptions, Measure};
use crate::analysis::search::{self, SearchOptions, TurnFilter};
use crate::analysis::{frequencies, resolve_coder, saturation, versions};
use crate::error::Result;
use serde::Serialize;
use std::path::Path;

pub fn run(ctx: &mut Context, coder: Option<&str>, command: Command) -> Result<()> {
    let filter = |ctx: &Context| -> Result<Option<i64>> {
        coder
            .map(|name| resolve_coder(ctx.study.conn(), name))
            .transpose()
    };
    match command {
        Command::Frequencies(a) => frequencies_cmd(ctx, filter(ctx)?, &a),
        Command::Cooccurrence(a) => cooccurrence_cmd(ctx, filter(ctx)?, &a),
        Command::Search(a) => search_cmd(ctx, &a),
        Command::Autocode(a) => autocode_cmd(ctx, &a),
        Command::Saturation { order, format } => {
            saturation_cmd(ctx, filter(ctx)?, order.as_deref(), format)
        }
        Command::Codebook { action } => codebook_cmd(ctx, action),
        Command::Report { out, by, coders } => {
            report_cmd(ctx, filter(ctx)?, &out, by.as_deref(), coders)
        }
        _ => unreachable!("dispatched here only for analysis commands"),
    }
}

fn indent(depth: usize, name: &str) -> String {
    format!("{}{name}", "  ".repeat(depth))
}

fn pct(v: Option<f64>) -> String {
    v.map_or("–".into(), |p| format!("{p:.0}%"))
}

fn pct_csv(v: Option<f64>) -> String {
    v.map_or(String::new(), |p| format!("{p:.1}"))
}

fn frequencies_cmd(ctx: &Context, coder: Option<i64>, a: &FrequencyArgs) -> Result<()> {
    let conn = ctx.study.conn();
    let Some(by) = &a.by else {
        let f = frequencies::frequencies(conn, coder, a.include_moderators)?;
        if a.format == Output::Json {
            return json(&f);
        }
        let ratio = |n: u64, of: u64| (of > 0).then(|| 100.0 * n as f64 / of as f64);
        let (headers, table): (Vec<&str>, Vec<Vec<String>>) = if a.percent {
            let fmt = if a.format == Output::Csv {
                pct_csv
            } else {
                pct
            };
            (
                vec!["code", "codings", "documents %", "participants %"],
                f.rows
                    .iter()
                    .map(|r| {
                        vec![
                            if a.format == Output::Csv {
                                r.path.clone()
                            } else {
                                indent(r.depth, &r.name)
                            },
                            r.codings.to_string(),
                            fmt(ratio(r.documents, f.documents)),
                            fmt(ratio(r.participants, f.participants)),
                        ]
                    })
                    .collect(),
            )
        } else {
            (
                vec!["code", "codings", "documents", "participants"],
                f.rows
                    .iter()
                    .map(|r| {
                        vec![
                            if a.format == Output::Csv {
                                r.path.clone()
                            } else {
                                indent(r.depth, &r.name)
                            },
                            r.codings.to_string(),
                            r.documents.to_string(),
                            r.participants.to_string(),
                        ]
                    })
                    .collect(),
            )
        };
        rows(a.format, &headers, &table)?;
        if a.format == Output::Table {
            println!(
                "({} documents, {} participants{}; {})",
                f.documents,
                f.participants,
                if a.include_moderators {
                    ", moderators included"
                } else {
                    ", moderators not counted"
                },
                coder_note(ctx, coder)
            );
        }
        return Ok(());
    };
    let grouping = Grouping::parse(conn, by)?;
    let default_measure = match grouping {
        Grouping::Attribute(_) => Measure::Participants,
        _ => Measure::Codings,
    };
    let measure = match a.measure {
        Some(MeasureArg::Codings) => Measure::Codings,
        Some(MeasureArg::Documents) => Measure::Documents,
        Some(MeasureArg::Participants) => Measure::Participants,
        None => default_measure,
    };
    let m = matrix::matrix(
        conn,
        &MatrixOptions {
            coder,
            by: grouping,
            include_moderators: a.include_moderators,
        },
    )?;
    let value = |cell: &matrix::Counts, col: Option<usize>| -> Option<f64> {
        if a.percent {
            m.percent(cell, col, measure)
        } else {
            Some(measure.of(cell) as f64)
        }
    };
    if a.format == Output::Json {
        #[derive(Serialize)]
        struct View<'a> {
            measure: Measure,
            percent: bool,
            /// One row per code: the value in each column, then for the whole study.
            values: Vec<Vec<Option<f64>>>,
            matrix: &'a matrix::Matrix,
        }
        let values = m
            .rows
            .iter()
            .map(|r| {
                let mut v: Vec<Option<f64>> = (0..m.columns.len())
                    .map(|k| value(&r.cells[k], Some(k)))
                    .collect();
                v.push(value(&r.total, None));
                v
            })
            .collect();
        return json(&View {
            measure,
            percent: a.percent,
            values,
            matrix: &m,
        });
    }
    let csv = a.format == Output::Csv;
    let mut headers: Vec<String> = vec!["code".into()];
    for c in &m.columns {
        let n = match measure {
            Measure::Documents => c.documents,
            _ => c.participants,
        };
        headers.push(if csv || measure == Measure::Codings {
            c.label.clone()
        } else {
            format!("{} (n={n})", c.label)
        });
    }
    headers.push("all".into());
    let show = |v: Option<f64>| -> String {
        match (a.percent, csv) {
            (true, true) => pct_csv(v),
            (true, false) => pct(v),
            (false, _) => v.map_or(String::new(), |x| format!("{x:.0}")),
        }
    };
    let table: Vec<Vec<String>> = m
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![if csv {
                r.path.clone()
            } else {
                indent(r.depth, &r.name)
            }];
            row.extend((0..m.columns.len()).map(|k| show(value(&r.cells[k], Some(k)))));
            row.push(show(value(&r.total, None)));
            row
        })
        .collect();
    let h: Vec<&str> = headers.iter().map(String::as_str).collect();
    rows(a.format, &h, &table)?;
    if a.format == Output::Table {
        let what = match measure {
            Measure::Codings => "codings",
            Measure::Documents => "documents",
            Measure::Participants => "participants",
        };
        println!(
            "({what}{} by {}; {})",
            if a.percent { " as % of each group" } else { "" },
            m.by,
            coder_note(ctx, coder)
        );
    }
    Ok(())
}

fn coder_note(ctx: &Context, coder: Option<i64>) -> String {
    match coder {
        None => "independent coders' codings pooled (not consensus; --coder consensus for the final dataset, --coder NAME for one coder)".into(),
        Some(id) => {
            let name = ctx
                .study
                .coders()
                .ok()
                .and_then(|cs| cs.into_iter().find(|c| c.id == id))
                .map(|c| c.name)
                .unwrap_or_default();
            format!("{name}'s codings")
        }
    }
}

fn cooccurrence_cmd(ctx: &Context, coder: Option<i64>, a: &CooccurrenceArgs) -> Result<()> {
    let conn = ctx.study.conn();
    let opts = CooccurrenceOptions {
        coder,
        scope: match a.scope {
            CoScopeArg::Overlap => CoScope::Overlap,
            CoScopeArg::Turn => CoScope::Turn,
        },
        themes: a.themes,
    };
    if let Some(pair) = &a.pair {
        let list = cooccurrence::pair_excerpts(conn, &pair[0], &pair[1], &opts)?;
        if a.format == Output::Json {
            return json(&list);
        }
        let csv = a.format == Output::Csv;
        let table: Vec<Vec<String>> = list
            .iter()
            .map(|e| {
                vec![
                    e.document.clone(),
                    e.speaker.clone().unwrap_or_default(),
                    e.coder.clone(),
                    format!("{}:{}", e.start, e.end),
                    format!("{} + {}", e.a_code, e.b_code),
                    if csv {
                        e.text.clone()
                    } else {
                        clip(&e.text, 90)
                    },
                ]
            })
            .collect();
        rows(
            a.format,
            &["document", "speaker", "coder", "range", "codes", "text"],
            &table,
        )?;
        if a.format == Output::Table {
            println!("({} excerpt(s), scope {})", list.len(), opts.scope.as_str());
        }
        return Ok(());
    }
    let m = cooccurrence::cooccurrence(conn, &opts)?;
    if a.format == Output::Json {
        return json(&m);
    }
    let csv = a.format == Output::Csv;
    let mut headers: Vec<String> = vec!["code".into()];
    if csv {
        headers.extend(m.codes.iter().map(|c| c.path.clone()));
    } else {
        headers.extend((1..=m.codes.len()).map(|i| i.to_string()));
    }
    let table: Vec<Vec<String>> = m
        .codes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut row = vec![if csv {
                c.path.clone()
            } else {
                format!("{}. {}", i + 1, c.path)
            }];
            row.extend(m.counts[i].iter().map(|v| v.to_string()));
            row
        })
        .collect();
    let h: Vec<&str> = headers.iter().map(String::as_str).collect();
    rows(a.format, &h, &table)?;
    if a.format == Output::Table {
        println!(
            "({}; diagonal: {}; {}; `--pair A B` lists the excerpts of a cell)",
            match opts.scope {
                CoScope::Overlap => "pairs of overlapping codings by the same coder",
                CoScope::Turn => "turns where a coder applied both codes",
            },
            match opts.scope {
                CoScope::Overlap => "codings of the code",
                CoScope::Turn => "turns with the code",
            },
            coder_note(ctx, coder)
        );
    }
    Ok(())
}

fn turn_filter(
    speaker: &Option<String>,
    document: &Option<String>,
    conditions: &[String],
) -> TurnFilter {
    TurnFilter {
        speaker: speaker.clone(),
        document: document.clone(),
        conditions: conditions.to_vec(),
    }
}

/// Marks hits for a terminal: «word».
fn marked(snippet: &str, marks: &[(usize, usize)]) -> String {
    let mut out = String::new();
    for (i, c) in snippet.chars().enumerate() {
        if marks.iter().any(|&(s, _)| s == i) {
            out.push('«');
        }
        if marks.iter().any(|&(_, e)| e == i) {
            out.push('»');
        }
        out.push(c);
    }
    if marks.iter().any(|&(_, e)| e == snippet.chars().count()) {
        out.push('»');
    }
    out
}

fn search_cmd(ctx: &Context, a: &SearchArgs) -> Result<()> {
    let res = search::search(
        ctx.study.conn(),
        &SearchOptions {
            query: a.query.clone(),
            raw: a.raw,
            filter: turn_filter(&a.speaker, &a.document, &a.conditions),
            limit: a.limit,
        },
    )?;
    if a.format == Output::Json {
        return json(&res);
    }
    let table: Vec<Vec<String>> = res
        .hits
        .iter()
        .map(|h| {
            vec![
                h.document.clone(),
                h.turn.to_string(),
                h.speaker.clone().unwrap_or_default(),
                marked(&h.snippet, &h.marks).replace('\n', " "),
            ]
        })
        .collect();
    rows(a.format, &["document", "turn", "speaker", "text"], &table)?;
    if a.format == Output::Table {
        println!("({} of {} matching turn(s))", res.hits.len(), res.total);
    }
    Ok(())
}

fn autocode_cmd(ctx: &mut Context, a: &AutocodeArgs) -> Result<()> {
    let source = match (&a.search, &a.regex) {
        (Some(q), _) => AutoSource::Search {
            query: q.clone(),
            raw: a.raw,
        },
        (_, Some(r)) => AutoSource::Regex(r.clone()),
        (None, None) if a.speaker.is_some() => AutoSource::Turns,
        (None, None) => {
            return Err(crate::invalid!(
                "say what to code: --search QUERY, --regex PATTERN, or --speaker LABEL for all of a speaker's turns"
            ));
        }
    };
    let span = match (a.span, &source) {
        (Some(SpanArg::Turn), _) | (None, AutoSource::Turns) => SpanMode::Turn,
        (Some(SpanArg::Hit), AutoSource::Turns) => {
            return Err(crate::invalid!(
                "--span hit needs --search or --regex; a speaker's turns are coded whole"
            ));
        }
        _ => SpanMode::Hit,
    };
    let opts = AutocodeOptions {
        code: a.code.clone(),
        source,
        span,
        filter: turn_filter(&a.speaker, &a.document, &a.conditions),
    };
    if a.dry_run {
        let plan = autocode::plan(ctx.study.conn(), &opts)?;
        if a.format == Output::Json {
            return json(&plan);
        }
        let names: std::collections::HashMap<i64, String> =
            crate::study::documents::list(ctx.study.conn())?
                .into_iter()
                .map(|d| (d.id, d.name))
                .collect();
        let mut table = Vec::new();
        // One read of each document's text for all its passages (an excerpt query per passage
        // walked the document from its start each time).
        for group in plan.chunk_by(|x, y| x.document_id == y.document_id) {
            let doc_text = crate::study::documents::text(ctx.study.conn(), group[0].document_id)?;
            let offsets = crate::char_offsets::CharOffsets::new(&doc_text);
            for p in group {
                let text = offsets.slice_i64(p.start, p.end).to_string();
                table.push(vec![
                    names.get(&p.document_id).cloned().unwrap_or_default(),
                    format!("{}:{}", p.start, p.end),
                    if a.format == Output::Csv {
                        text
                    } else {
                        clip(&text, 90)
                    },
                ]);
            }
        }
        rows(a.format, &["document", "range", "text"], &table)?;
        if a.format == Output::Table {
            println!("({} passage(s) would be coded with {})", plan.len(), a.code);
        }
        return Ok(());
    }
    let coder = ctx.coder()?;
    let out = autocode::autocode(&mut ctx.study, coder.id, &opts)?;
    if a.format == Output::Json {
        return json(&out);
    }
    if out.matched == 0 {
        println!("nothing matched; no codings added");
    } else if out.added == 0 {
        println!(
            "all {} matching passage(s) already have {} by {}; nothing added",
            out.matched, out.code, coder.name
        );
    } else {
        println!(
            "coded {} passage(s) with {}{}{} as {} — one `thematic undo` takes it back",
            out.added,
            out.code,
            if out.code_created { " (new code)" } else { "" },
            if out.already_coded > 0 {
                format!("; {} already coded", out.already_coded)
            } else {
                String::new()
            },
            coder.name
        );
    }
    Ok(())
}

fn saturation_cmd(
    ctx: &Context,
    coder: Option<i64>,
    order: Option<&[String]>,
    format: Output,
) -> Result<()> {
    let s = saturation::saturation(ctx.study.conn(), coder, order)?;
    if format == Output::Json {
        return json(&s);
    }
    let csv = format == Output::Csv;
    let table: Vec<Vec<String>> = s
        .points
        .iter()
        .map(|p| {
            let list = p.new_codes.join("; ");
            vec![
                p.position.to_string(),
                p.document.clone(),
                p.codes.to_string(),
                p.new_codes.len().to_string(),
                p.cumulative.to_string(),
                p.cumulative_themes.to_string(),
                if csv { list } else { clip(&list, 70) },
            ]
        })
        .collect();
    rows(
        format,
        &[
            "#",
            "document",
            "codes",
            "new",
            "cumulative",
            "themes",
            "new codes",
        ],
        &table,
    )
}

fn codebook_cmd(ctx: &mut Context, action: CodebookCommand) -> Result<()> {
    match action {
        CodebookCommand::Snapshot { name } => {
            let coder = ctx.coder()?;
            let v = versions::snapshot(&mut ctx.study, Some(coder.id), &name)?;
            println!("recorded codebook version '{}' ({} codes)", v.name, v.codes);
            Ok(())
        }
        CodebookCommand::Versions { format } => {
            let list = versions::list(ctx.study.conn())?;
            if format == Output::Json {
                return json(&list);
            }
            let table: Vec<Vec<String>> = list
                .iter()
                .map(|v| {
                    vec![
                        v.name.clone(),
                        v.created_at.clone(),
                        v.codes.to_string(),
                        v.change_id.map(|c| c.to_string()).unwrap_or_default(),
                    ]
                })
                .collect();
            rows(format, &["name", "created", "codes", "change"], &table)
        }
        CodebookCommand::Diff { a, b, format } => {
            let d = versions::diff(ctx.study.conn(), &a, &b)?;
            if format == Output::Json {
                return json(&d);
            }
            let mut table: Vec<Vec<String>> = Vec::new();
            let mut push = |kind: &str, code: &str, detail: String| {
                table.push(vec![kind.into(), code.into(), detail])
            };
            for c in &d.added {
                push("added", c, String::new());
            }
            for c in &d.removed {
                push("removed", c, String::new());
            }
            for r in &d.renamed {
                push("renamed", &r.to, format!("was {}", r.from));
            }
            for m in &d.moved {
                push(
                    "moved",
                    &m.code,
                    format!(
                        "from {} to {}",
                        m.from_parent.as_deref().unwrap_or("(top level)"),
                        m.to_parent.as_deref().unwrap_or("(top level)")
                    ),
                );
            }
            for m in &d.merged {
                push(
                    "merged",
                    &m.from,
                    format!("into {} ({} coding(s) moved)", m.into, m.codings),
                );
            }
            for s in &d.split {
                push(
                    "split",
                    &s.code,
                    format!("from {} ({} coding(s))", s.from, s.codings),
                );
            }
            for r in &d.redefined {
                for f in &r.fields {
                    push(
                        "redefined",
                        &r.code,
                        if format == Output::Csv {
                            format!("{}: {} → {}", f.field, f.before, f.after)
                        } else {
                            format!(
                                "{}: {} → {}",
                                f.field,
                                clip(&f.before, 30),
                                clip(&f.after, 30)
                            )
                        },
                    );
                }
            }
            if format == Output::Table && table.is_empty() {
                println!("no changes from {} to {}", d.from, d.to);
                return Ok(());
            }
            rows(format, &["change", "code", "detail"], &table)
        }
    }
}

fn report_cmd(
    ctx: &Context,
    coder: Option<i64>,
    out: &Path,
    by: Option<&str>,
    agreement_coders: Vec<String>,
) -> Result<()> {
    let opts = crate::analysis::report::ReportOptions {
        coder,
        by: by.map(str::to_string),
        agreement_coders,
    };
    let html = crate::analysis::report::html::render(ctx.study.conn(), &opts)?;
    crate::analysis::report::write_private(out, &html)?;
    println!("wrote {} ({} KB)", out.display(), html.len() / 1024);
    Ok(())
}
