//! `thematic suggest`: train, evaluate, list, accept and reject code suggestions.

use super::Context;
use super::args::Output;
use super::output::{clip, json, rows};
use crate::error::Result;
use crate::study::documents;
use crate::suggest::dataset::{Dataset, UnitKind};
use crate::suggest::evaluation::{self, Evaluation};
use crate::suggest::model::{self, Model};
use crate::suggest::suggestions::{self, Filter, Suggestion};
use crate::suggest::training::{MAX_UNITS, MIN_EXAMPLES, Settings};
use crate::suggest::{actions, blind_round, choose_coder};
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SuggestArgs {
    #[command(subcommand)]
    pub action: Option<SuggestCommand>,
    #[command(flatten)]
    pub list: ListArgs,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this document
    #[arg(long)]
    pub document: Option<String>,
    /// Only this code (a path such as Theme/Code; its subcodes are not included)
    #[arg(long)]
    pub code: Option<String>,
    /// Only codes whose cross-validated precision is at least P (0–1)
    #[arg(long = "min-precision")]
    pub min_precision: Option<f64>,
    /// Only suggestions at least this confident (0–1; default: each code's own threshold,
    /// tuned on held-out documents when trained)
    #[arg(long = "min-confidence", default_value_t = 0.0)]
    pub min_confidence: f64,
    /// Use the model trained on this unit (default: the latest trained)
    #[arg(long, value_enum)]
    pub unit: Option<UnitKind>,
    /// Show suggestions even though coders are coding blind (two or more independent coders)
    #[arg(long = "allow-blind")]
    pub allow_blind: bool,
    #[arg(long, value_enum, default_value_t = Output::Table)]
    pub format: Output,
}

#[derive(Debug, Subcommand)]
pub enum SuggestCommand {
    /// Learn from a coder's codings (--coder NAME|consensus; consensus by default when it has
    /// codings) and store the model in the study file, with its cross-validated quality
    Train {
        #[arg(long, value_enum, default_value_t = UnitKind::Turn)]
        unit: UnitKind,
        /// Learn from every k-th document when the coder coded more units than this (0 = all)
        #[arg(long = "max-units", default_value_t = MAX_UNITS)]
        max_units: usize,
    },
    /// Per code, cross-validated by document: precision, recall, F1, Cohen's kappa against the
    /// coder, and the number of examples
    Evaluate {
        #[arg(long, value_enum, default_value_t = UnitKind::Turn)]
        unit: UnitKind,
        /// Without per-code thresholds: scikit-learn's plain p > 0.5 (to compare like with like)
        #[arg(long)]
        plain: bool,
        /// Evaluate on every k-th document when the coder coded more units than this (0 = all)
        #[arg(long = "max-units", default_value_t = MAX_UNITS)]
        max_units: usize,
        #[arg(long, value_enum, default_value_t = Output::Table)]
        format: Output,
    },
    /// Accept a suggestion: code the unit as you (--coder), recorded as an accepted suggestion
    Accept(PickArgs),
    /// Reject a suggestion: it is not suggested to you again (`thematic undo` brings it back)
    Reject(PickArgs),
    /// Write the units, their codes and folds as CSV (for the scikit-learn comparison,
    /// scripts/suggest_peer.py)
    ExportUnits {
        out: PathBuf,
        #[arg(long, value_enum, default_value_t = UnitKind::Turn)]
        unit: UnitKind,
        /// The same sample of documents `evaluate` uses (0 = all)
        #[arg(long = "max-units", default_value_t = MAX_UNITS)]
        max_units: usize,
    },
}

#[derive(Debug, Args)]
pub struct PickArgs {
    pub document: String,
    /// The suggested code
    #[arg(long)]
    pub code: String,
    /// The suggestion in this turn (1-based)
    #[arg(long, group = "at")]
    pub turn: Option<usize>,
    /// The suggestion on exactly this unit, START:END as listed
    #[arg(long, group = "at")]
    pub range: Option<String>,
    /// Accept or reject even though coders are coding blind
    #[arg(long = "allow-blind")]
    pub allow_blind: bool,
}

pub fn run(ctx: &mut Context, explicit_coder: Option<&str>, a: &SuggestArgs) -> Result<()> {
    crate::suggest::ensure_schema(ctx.study.conn())?;
    match &a.action {
        None => list(ctx, &a.list),
        Some(SuggestCommand::Train { unit, max_units }) => {
            train(ctx, explicit_coder, *unit, *max_units)
        }
        Some(SuggestCommand::Evaluate {
            unit,
            plain,
            max_units,
            format,
        }) => evaluate(ctx, explicit_coder, *unit, *plain, *max_units, *format),
        Some(SuggestCommand::Accept(p)) => pick(ctx, p, true),
        Some(SuggestCommand::Reject(p)) => pick(ctx, p, false),
        Some(SuggestCommand::ExportUnits {
            out,
            unit,
            max_units,
        }) => export_units(ctx, explicit_coder, out, *unit, *max_units),
    }
}

fn train(
    ctx: &mut Context,
    explicit: Option<&str>,
    unit: UnitKind,
    max_units: usize,
) -> Result<()> {
    let conn = ctx.study.conn();
    let (coder, note) = choose_coder(conn, explicit, &ctx.coder_name)?;
    let m = model::train(
        conn,
        &coder,
        &note,
        unit,
        Settings::default(),
        &ctx.study.now(),
        max_units,
    )?;
    m.store(conn)?;
    let e = &m.info.evaluation;
    if let Some(n) = &e.sample_note {
        println!("Note: {n}.");
    }
    println!(
        "Trained on {note}: {} documents, {} {}s, {} codes learned, vocabulary {} words and pairs, in {:.2} s.",
        m.info.documents,
        m.info.units,
        m.info.unit,
        m.codes.len(),
        m.info.vocabulary,
        m.info.train_seconds
    );
    println!(
        "Cross-validated macro-F1 {} over {} folds by document; `thematic suggest evaluate` shows each code.",
        opt(e.macro_f1),
        e.folds
    );
    if !e.not_suggested.is_empty() {
        println!(
            "Not suggested yet (fewer than {MIN_EXAMPLES} coded {}s): {}",
            m.info.unit,
            not_suggested(e)
        );
    }
    Ok(())
}

fn opt(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.3}"))
        .unwrap_or_else(|| "undef".into())
}

fn not_suggested(e: &Evaluation) -> String {
    e.not_suggested
        .iter()
        .map(|(c, n)| format!("{c} ({n})"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn evaluate(
    ctx: &Context,
    explicit: Option<&str>,
    unit: UnitKind,
    plain: bool,
    max_units: usize,
    format: Output,
) -> Result<()> {
    let conn = ctx.study.conn();
    let (coder, note) = choose_coder(conn, explicit, &ctx.coder_name)?;
    let mut data = Dataset::load(conn, &coder, unit)?;
    let sample_note = data.sample(max_units);
    let settings = Settings {
        tune_threshold: !plain,
        ..Settings::default()
    };
    let mut e = evaluation::evaluate(&data, settings)?;
    e.sample_note = sample_note;
    if format == Output::Json {
        return json(&serde_json::json!({ "trained_on": note, "evaluation": e }));
    }
    let table: Vec<Vec<String>> = e
        .codes
        .iter()
        .map(|q| {
            vec![
                q.code.clone(),
                q.examples.to_string(),
                opt(q.precision),
                opt(q.recall),
                opt(q.f1),
                opt(q.kappa),
            ]
        })
        .collect();
    if format == Output::Table {
        if let Some(n) = &e.sample_note {
            println!("Note: {n}.");
        }
        println!(
            "Learning from {note}; {} documents, {} {}s; {} folds by document ({}).",
            e.documents,
            e.units,
            e.unit,
            e.folds,
            e.fold_documents
                .iter()
                .map(|f| f.join("+"))
                .collect::<Vec<_>>()
                .join(" | ")
        );
    }
    rows(
        format,
        &["code", "examples", "precision", "recall", "f1", "kappa"],
        &table,
    )?;
    if format == Output::Table {
        println!("macro-F1 {}", opt(e.macro_f1));
        if !e.not_suggested.is_empty() {
            println!(
                "Not suggested yet (fewer than {MIN_EXAMPLES} coded {}s): {}",
                e.unit,
                not_suggested(&e)
            );
        }
        println!(
            "undef = undefined: the model suggested the code nowhere (precision), or every unit alike (kappa)."
        );
    }
    Ok(())
}

fn load_model(ctx: &Context, unit: Option<UnitKind>) -> Result<Model> {
    model::latest(ctx.study.conn(), unit)?.ok_or_else(|| {
        crate::not_found!("no suggestion model yet; train one with `thematic suggest train`")
    })
}

fn refuse_blind(ctx: &Context, allow: bool) -> Result<()> {
    if !allow && blind_round(ctx.study.conn())? {
        return Err(crate::invalid!(
            "coders are coding blind (two or more independent coders), so suggestions are off: they could steer an independent round. Add --allow-blind to see them anyway"
        ));
    }
    Ok(())
}

fn filter(
    ctx: &Context,
    code: Option<&str>,
    min_precision: Option<f64>,
    min_confidence: f64,
) -> Result<Filter> {
    let codes = match code {
        Some(path) => {
            let all = crate::codebook::all(ctx.study.conn())?;
            vec![crate::codebook::resolve(&all, path)?.id]
        }
        None => Vec::new(),
    };
    if let Some(p) = min_precision
        && !(0.0..=1.0).contains(&p)
    {
        return Err(crate::invalid!(
            "--min-precision {p} is not between 0 and 1"
        ));
    }
    if !(0.0..=1.0).contains(&min_confidence) {
        return Err(crate::invalid!(
            "--min-confidence {min_confidence} is not between 0 and 1"
        ));
    }
    Ok(Filter {
        codes,
        min_precision,
        min_confidence,
    })
}

fn list(ctx: &mut Context, a: &ListArgs) -> Result<()> {
    refuse_blind(ctx, a.allow_blind)?;
    let m = load_model(ctx, a.unit)?;
    let f = filter(ctx, a.code.as_deref(), a.min_precision, a.min_confidence)?;
    // Listing writes nothing, not even a new coder: one who has not coded yet has no codings.
    let me = match ctx.study.coder_by_name(&ctx.coder_name)? {
        Some(c) => c,
        None => crate::study::Coder {
            id: -1,
            name: ctx.coder_name.clone(),
            is_consensus: false,
        },
    };
    let conn = ctx.study.conn();
    if model::is_stale(conn, &m.info)? {
        eprintln!(
            "note: {}'s codings changed since the model was trained ({}); `thematic suggest train` brings it up to date",
            m.info.coder, m.info.trained_at
        );
    }
    let docs = match &a.document {
        Some(d) => vec![documents::resolve(conn, d)?],
        None => documents::list(conn)?,
    };
    let paths = suggestions::code_paths(conn)?;
    let mut all: Vec<Suggestion> = Vec::new();
    for d in &docs {
        all.extend(suggestions::for_document(
            conn, &m, d.id, &d.name, me.id, &f, &paths,
        )?);
    }
    if a.format == Output::Json {
        return json(&all);
    }
    let table: Vec<Vec<String>> = all
        .iter()
        .map(|s| {
            vec![
                s.document.clone(),
                s.turn.to_string(),
                format!("{}:{}", s.start, s.end),
                s.code.clone(),
                format!("{:.2}", s.confidence),
                opt(s.precision),
                s.reason(),
                clip(&s.text, 50),
            ]
        })
        .collect();
    rows(
        a.format,
        &[
            "document",
            "turn",
            "range",
            "code",
            "confidence",
            "precision",
            "reason",
            "text",
        ],
        &table,
    )?;
    if a.format == Output::Table {
        println!(
            "{} suggestions for {} from a model of {}'s codings ({} units; precision = cross-validated, `thematic suggest evaluate`). Accept: `thematic suggest accept DOC --code C --turn N`.",
            all.len(),
            me.name,
            m.info.coder,
            m.info.unit
        );
    }
    Ok(())
}

fn parse_range(r: &str) -> Result<(i64, i64)> {
    let bad = || crate::invalid!("--range {r:?} is not START:END");
    let (s, e) = r.split_once(':').ok_or_else(bad)?;
    Ok((
        s.trim().parse().map_err(|_| bad())?,
        e.trim().parse().map_err(|_| bad())?,
    ))
}

fn pick(ctx: &mut Context, p: &PickArgs, accept: bool) -> Result<()> {
    refuse_blind(ctx, p.allow_blind)?;
    let m = load_model(ctx, None)?;
    let me = ctx.coder()?;
    let conn = ctx.study.conn();
    let doc = documents::resolve(conn, &p.document)?;
    let f = filter(ctx, Some(&p.code), None, 0.0)?;
    let paths = suggestions::code_paths(conn)?;
    let found = suggestions::for_document(conn, &m, doc.id, &doc.name, me.id, &f, &paths)?;
    let range = p.range.as_deref().map(parse_range).transpose()?;
    let matching: Vec<&Suggestion> = found
        .iter()
        .filter(|s| match (p.turn, range) {
            (Some(t), _) => s.turn == t,
            (None, Some((a, b))) => s.start == a && s.end == b,
            (None, None) => false,
        })
        .collect();
    let s = match matching.as_slice() {
        [one] => *one,
        [] => {
            return Err(crate::not_found!(
                "there is no open suggestion of {} there in {} (already coded, rejected, or not suggested); `thematic suggest --document {}` lists them",
                p.code,
                doc.name,
                doc.name
            ));
        }
        several => {
            return Err(crate::invalid!(
                "turn {} has {} suggestions of {} (one per sentence); pick one with --range: {}",
                p.turn.unwrap_or(0),
                several.len(),
                p.code,
                several
                    .iter()
                    .map(|s| format!("{}:{}", s.start, s.end))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    };
    if accept {
        actions::accept(&mut ctx.study, &me, s)?;
        println!(
            "Coded {} turn {} with {} as {} (accepted suggestion; `thematic undo` takes it back).",
            s.document, s.turn, s.code, me.name
        );
    } else {
        actions::reject(&mut ctx.study, &me, s)?;
        println!(
            "Rejected: {} is no longer suggested to {} on {} turn {} (`thematic undo` brings it back).",
            s.code, me.name, s.document, s.turn
        );
    }
    Ok(())
}

/// One row per unit: its fold, document, place, text and codes (`|`-separated paths), for the
/// peer comparison; written 0600 like every file Thematic creates.
fn export_units(
    ctx: &Context,
    explicit: Option<&str>,
    out: &PathBuf,
    unit: UnitKind,
    max_units: usize,
) -> Result<()> {
    let conn = ctx.study.conn();
    let (coder, note) = choose_coder(conn, explicit, &ctx.coder_name)?;
    let mut data = Dataset::load(conn, &coder, unit)?;
    if let Some(n) = data.sample(max_units) {
        println!("Note: {n}.");
    }
    let k = evaluation::folds(data.docs.len())?;
    crate::study::create_private_file(out)?;
    let file = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(out)?;
    let mut w = csv::Writer::from_writer(file);
    let err = |e: csv::Error| crate::Error::Csv(e.to_string());
    w.write_record(["fold", "document", "turn", "start", "end", "codes", "text"])
        .map_err(err)?;
    for (u, labels) in data.units.iter().zip(&data.labels) {
        let codes: Vec<&str> = labels
            .iter()
            .map(|&c| data.codes[c as usize].1.as_str())
            .collect();
        w.write_record([
            (u.doc % k).to_string(),
            data.docs[u.doc].name.clone(),
            u.turn.to_string(),
            u.start.to_string(),
            u.end.to_string(),
            codes.join("|"),
            u.text.clone(),
        ])
        .map_err(err)?;
    }
    w.flush()?;
    println!(
        "Wrote {} {}s of {} documents ({note}) in {k} folds to {}.",
        data.units.len(),
        unit.name(),
        data.docs.len(),
        out.display()
    );
    Ok(())
}
