//! `thematic export …`, `thematic merge`, and `thematic import` of REFI-QDA files.

use super::Context;
use crate::error::{Error, Result};
use crate::exchange::matrix::CountBy;
use crate::exchange::pseudonymize::Pseudonymizer;
use crate::exchange::refi::{self, RefiError};
use crate::exchange::{self, codebook_export, excerpts, from_refi, matrix, to_refi};
use clap::{Subcommand, ValueEnum};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CodebookFormat {
    Md,
    Csv,
    Json,
    Qdc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    Csv,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The codebook with counts: Markdown (a paper's appendix), CSV, JSON, or REFI-QDA .qdc
    Codebook {
        out: PathBuf,
        /// md, csv, json or qdc (default: from OUT's extension)
        #[arg(long, value_enum)]
        format: Option<CodebookFormat>,
        /// Replace participants' names with their IDs (P01…)
        #[arg(long)]
        pseudonymize: bool,
    },
    /// The whole project as REFI-QDA (.qdpx): coders, codebook, documents, codings, memos,
    /// participants (cases), attributes (variables) and document groups (sets)
    Qdpx {
        out: PathBuf,
        /// Replace participants' names with their IDs (P01…) in every text
        #[arg(long)]
        pseudonymize: bool,
        /// The tool that will read the file: positions are written in its counting
        /// (standard = code points, as REFI-QDA 1.5 says; nvivo = UTF-16 units, CRLF as 2;
        /// atlasti, maxqda = UTF-16 units, CRLF as 1; qualcoder = code points, LF)
        #[arg(long = "for", value_enum, default_value_t = QdpxTarget::Standard)]
        target: QdpxTarget,
    },
    /// Coded excerpts, one row per coding (tidy long form), as CSV or JSON (from OUT's extension)
    Excerpts {
        out: PathBuf,
        /// Only this coder's codings (the global --coder X works too)
        #[arg(long = "by")]
        by: Option<String>,
        /// csv or json (default: from OUT's extension)
        #[arg(long, value_enum)]
        format: Option<TableFormat>,
        /// Speaker names become participant IDs; names inside excerpts become [P01]
        #[arg(long)]
        pseudonymize: bool,
    },
    /// A code × attribute matrix as CSV: codes (themes roll up their subcodes) by attribute value
    Matrix {
        out: PathBuf,
        /// A participant attribute (e.g. gender), else a document attribute (e.g. composition)
        #[arg(long)]
        attribute: String,
        /// What a cell counts: distinct participants, or codings
        #[arg(long, value_enum, default_value_t = CountBy::Participants)]
        count: CountBy,
        /// Accepted for uniformity; the matrix holds no names
        #[arg(long)]
        pseudonymize: bool,
    },
}

/// `export qdpx --for`: which tool's position counting to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QdpxTarget {
    Standard,
    Nvivo,
    Atlasti,
    Maxqda,
    Qualcoder,
}

impl QdpxTarget {
    fn target(self) -> refi::Target {
        match self {
            QdpxTarget::Standard => refi::Target::Standard,
            QdpxTarget::Nvivo => refi::Target::Nvivo,
            QdpxTarget::Atlasti => refi::Target::Atlasti,
            QdpxTarget::Maxqda => refi::Target::Maxqda,
            QdpxTarget::Qualcoder => refi::Target::Qualcoder,
        }
    }
}

fn refi_err(e: RefiError) -> Error {
    Error::Invalid(e.to_string())
}

fn extension(path: &Path) -> String {
    // `-` (stdout) has no extension: it is data for another program, so CSV unless --format
    // says otherwise (it failed with "cannot tell the format from '.'").
    if crate::terminal::is_stdout_path(path) {
        return "csv".into();
    }
    path.extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

fn pseudonymizer(ctx: &Context, on: bool) -> Result<Option<Pseudonymizer>> {
    Ok(if on {
        Some(Pseudonymizer::new(ctx.study.conn())?)
    } else {
        None
    })
}

fn pseudo_note(on: bool) -> &'static str {
    if on {
        " (pseudonymised: names replaced by participant IDs)"
    } else {
        ""
    }
}

pub fn export(ctx: &mut Context, what: ExportCommand, global_coder: Option<&str>) -> Result<()> {
    let conn = ctx.study.conn();
    match what {
        ExportCommand::Codebook {
            out,
            format,
            pseudonymize,
        } => {
            let format = match format {
                Some(f) => f,
                None => match extension(&out).as_str() {
                    "md" | "markdown" => CodebookFormat::Md,
                    "csv" => CodebookFormat::Csv,
                    "json" => CodebookFormat::Json,
                    "qdc" => CodebookFormat::Qdc,
                    other => {
                        return Err(crate::invalid!(
                            "cannot tell the format from '.{other}'; add --format md, csv, json or qdc"
                        ));
                    }
                },
            };
            let p = pseudonymizer(ctx, pseudonymize)?;
            let (text, n) = if format == CodebookFormat::Qdc {
                let codes = to_refi::codebook(conn, p.as_ref())?;
                let n = refi::count_codes(&codes);
                if n == 0 {
                    return Err(crate::invalid!(
                        "the codebook has no codes; a .qdc needs at least one"
                    ));
                }
                (refi::write_qdc(&codes, &to_refi::origin()), n)
            } else {
                let entries = codebook_export::entries(conn, p.as_ref())?;
                let n = entries.len();
                let text = match format {
                    CodebookFormat::Md => {
                        codebook_export::to_markdown(&ctx.study.name()?, &entries)
                    }
                    CodebookFormat::Csv => codebook_export::to_csv(&entries)?,
                    _ => codebook_export::to_json(&entries)?,
                };
                (text, n)
            };
            exchange::write_private(&out, text.as_bytes())?;
            super::output::export_note(
                &out,
                format!(
                    "exported the codebook ({n} codes) to {}{}",
                    out.display(),
                    pseudo_note(pseudonymize)
                ),
            );
        }
        ExportCommand::Qdpx {
            out,
            pseudonymize,
            target,
        } => {
            let p = pseudonymizer(ctx, pseudonymize)?;
            let target = target.target();
            // Streamed: one document at a time goes from the study into the archive, which is
            // created owner-only (0600) from the start.
            let mut export = to_refi::export(conn, &ctx.study.name()?, p.as_ref())?;
            let head = std::mem::take(&mut export.head);
            let stats =
                refi::write_qdpx_streamed(&head, &mut export, target, &out).map_err(refi_err)?;
            let (participants, moderators) = crate::exchange::participant_counts::count(conn)?;
            println!(
                "exported {} documents, {} codes, {} codings by {} coder(s), {} memos, {}, {} attributes to {}{}",
                stats.sources,
                refi::count_codes(&head.codes),
                stats.selections,
                head.users.len(),
                head.notes.len(),
                crate::exchange::participant_counts::describe(participants, moderators),
                head.variables.len(),
                out.display(),
                pseudo_note(pseudonymize)
            );
            println!("for {}: {}", target.name(), target.describe());
        }
        ExportCommand::Excerpts {
            out,
            by,
            format,
            pseudonymize,
        } => {
            let format = match format {
                Some(f) => f,
                None => match extension(&out).as_str() {
                    "json" => TableFormat::Json,
                    "csv" => TableFormat::Csv,
                    other => {
                        return Err(crate::invalid!(
                            "cannot tell the format from '.{other}'; add --format csv or json"
                        ));
                    }
                },
            };
            let coder = match by.as_deref().or(global_coder) {
                Some(name) => Some(
                    ctx.study
                        .coder_by_name(name)?
                        .ok_or_else(|| crate::not_found!("no coder named '{name}'"))?
                        .id,
                ),
                None => None,
            };
            let p = pseudonymizer(ctx, pseudonymize)?;
            let table = excerpts::table(conn, coder, p.as_ref())?;
            let text = match format {
                TableFormat::Csv => excerpts::to_csv(&table)?,
                TableFormat::Json => excerpts::to_json(&table)?,
            };
            exchange::write_private(&out, text.as_bytes())?;
            super::output::export_note(
                &out,
                format!(
                    "exported {} coded excerpts to {}{}",
                    table.rows.len(),
                    out.display(),
                    pseudo_note(pseudonymize)
                ),
            );
        }
        ExportCommand::Matrix {
            out,
            attribute,
            count,
            pseudonymize: _,
        } => {
            let m = matrix::build(conn, &attribute, count)?;
            exchange::write_private(&out, matrix::to_csv(&m)?.as_bytes())?;
            super::output::export_note(
                &out,
                format!(
                    "exported {} codes × {} values of {} attribute '{}' ({} per cell) to {}",
                    m.rows.len(),
                    m.columns.len(),
                    m.scope,
                    m.attribute,
                    match count {
                        CountBy::Participants => "distinct participants",
                        CountBy::Codings => "codings",
                    },
                    out.display()
                ),
            );
        }
    }
    Ok(())
}

/// True when every path is a REFI-QDA file; an error when they are mixed with transcripts.
pub fn is_refi_import(paths: &[PathBuf]) -> Result<bool> {
    let refi = paths
        .iter()
        .filter(|p| matches!(extension(p).as_str(), "qdc" | "qdpx"))
        .count();
    match refi {
        0 => Ok(false),
        n if n == paths.len() => Ok(true),
        _ => Err(crate::invalid!(
            "import REFI-QDA files (.qdc, .qdpx) on their own, not together with transcripts"
        )),
    }
}

/// A .qdc codebook is at most this large (a codebook of thousands of codes is under 10 MB;
/// 64 MB is about 450,000 codes); `--allow-large` lifts it.
const MAX_QDC_BYTES: u64 = 64 * 1024 * 1024;

pub fn import_refi(ctx: &mut Context, paths: &[PathBuf]) -> Result<()> {
    import_refi_with(ctx, paths, &super::refi_args::RefiImportArgs::default())
}

/// REFI-QDA import with the options only it has (`--positions`, `--allow-large`).
pub fn import_refi_with(
    ctx: &mut Context,
    paths: &[PathBuf],
    opts: &super::refi_args::RefiImportArgs,
) -> Result<()> {
    for path in paths {
        if extension(path) == "qdc" {
            import_qdc(ctx, path, opts)?;
        } else {
            import_qdpx(ctx, path, opts)?;
        }
    }
    Ok(())
}

fn list(label: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    const SHOWN: usize = 12;
    let mut shown: Vec<String> = items.iter().take(SHOWN).cloned().collect();
    if items.len() > SHOWN {
        shown.push(format!("… and {} more", items.len() - SHOWN));
    }
    println!(
        "  {label} ({}): {}",
        items.len(),
        crate::text::sanitize(&shown.join(", "), false)
    );
}

fn print_codes(r: &from_refi::CodesReport) {
    println!(
        "  codes: {} in the file — {} matched by GUID, {} matched by path, {} created, {} filled in, {} differ (ours kept)",
        r.total(),
        r.matched_by_guid.len(),
        r.matched_by_path.len(),
        r.created.len(),
        r.updated.len(),
        r.kept_ours.len()
    );
    list("matched by path", &r.matched_by_path);
    list("created", &r.created);
    list("updated", &r.updated);
    for k in &r.kept_ours {
        println!(
            "  kept ours: {} (theirs kept as a memo on the code)",
            crate::text::sanitize(k, false)
        );
    }
    for n in &r.notes {
        println!("  note: {}", crate::text::sanitize(n, false));
    }
}

fn print_adjustments(adj: &refi::Adjustments) {
    for a in adj.iter() {
        println!("  adjusted: {}", crate::text::sanitize(a, false));
    }
}

fn import_qdc(
    ctx: &mut Context,
    path: &Path,
    opts: &super::refi_args::RefiImportArgs,
) -> Result<()> {
    let shown = path.display().to_string();
    let len = std::fs::metadata(path)
        .map_err(|e| crate::invalid!("{shown}: cannot read: {e}"))?
        .len();
    if len > MAX_QDC_BYTES && !opts.allow_large {
        return Err(crate::invalid!(
            "{shown}: {} MB is too large for a codebook (limit {} MB; --allow-large accepts it)",
            len / 1_000_000,
            MAX_QDC_BYTES / 1_000_000
        ));
    }
    let file =
        std::fs::File::open(path).map_err(|e| crate::invalid!("{shown}: cannot read: {e}"))?;
    let (codes, adj) =
        refi::read_qdc_from(&shown, std::io::BufReader::new(file)).map_err(refi_err)?;
    let file_name = path
        .file_name()
        .map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned());
    let coder = ctx.coder()?;
    let mut report = from_refi::CodesReport::default();
    ctx.study.change(
        Some(coder.id),
        "codebook",
        &format!("import codebook {shown}"),
        |rec| {
            from_refi::import_codes(rec, &codes, &mut report, &file_name, coder.id)?;
            Ok(())
        },
    )?;
    println!("imported codebook {shown}");
    print_codes(&report);
    print_adjustments(&adj);
    Ok(())
}

fn import_qdpx(
    ctx: &mut Context,
    path: &Path,
    opts: &super::refi_args::RefiImportArgs,
) -> Result<()> {
    let shown = path.display().to_string();
    let coder = ctx.coder()?;
    let backup = exchange::backup(&ctx.study)?;
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.clone());
    // Streamed: read and written as it goes, inside one recorded action (all or nothing).
    let result = ctx.study.change(
        Some(coder.id),
        "import",
        &format!("import project {file}"),
        |rec| from_refi::stream_project(rec, path, &opts.limits(), opts.positions, coder.id),
    );
    let (report, adj) = match result {
        Ok(r) => r,
        Err(e) => {
            // Nothing was imported: the backup is the study as it still is.
            let _ = std::fs::remove_file(&backup);
            return Err(e);
        }
    };
    println!(
        "backup of the study before the import: {}",
        backup.display()
    );
    let r = &report;
    println!("imported project {shown}");
    println!(
        "  documents: {} created, {} already in the study, {} source(s) skipped",
        r.documents_created.len(),
        r.documents_matched.len(),
        r.sources_skipped.len()
    );
    list("created", &r.documents_created);
    list("already in the study", &r.documents_matched);
    for s in &r.sources_skipped {
        println!("  skipped source {}", crate::text::sanitize(s, false));
    }
    print_codes(&r.codes);
    println!(
        "  selections: {}; codings: {} added, {} already present, {} skipped",
        r.selections, r.codings_added, r.codings_already_present, r.codings_skipped
    );
    println!(
        "  coders: {} created, {} matched; participants: {} created, {} matched; {} attribute value(s) set",
        r.coders_created.len(),
        r.coders_matched.len(),
        r.participants_created.len(),
        r.participants_matched.len(),
        r.attribute_values_set
    );
    println!(
        "  memos: {} added, {} already present",
        r.memos_added, r.memos_already_present
    );
    for n in &r.notes {
        println!("  note: {}", crate::text::sanitize(n, false));
    }
    print_adjustments(&adj);
    println!("(undo the whole import with `thematic undo`)");
    Ok(())
}
